"""Formatted cells and sections of the readout: every number the readout computes, shown
in Russian and English, and "not enough data" / "—" / "available from" instead of 0."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from livebase.experiments import (
    ArmAggregate,
    HorizonAggregate,
    WaveInfo,
    horizon_readout,
    readout,
)
from livebase.i18n import NBSP
from livebase.reports.cells import (
    aa_line,
    arm_cells,
    arm_explanations,
    column_titles,
    economics_section,
    horizon_section,
    money_section,
    nps_section,
    report_sections,
)
from livebase.reports.wave import make_wave_report, nps_by_arm

WAVE = WaveInfo("w", "r90", None, dt.date(2025, 3, 1), 14, "done", ("control", "value"))
NUMBER = re.compile(r"\d")


def _texts(section, arm: str) -> list[str]:
    row = next(r for r in section.rows if r.arm == arm)
    return [cell.text.replace(NBSP, " ") for cell in row.cells]


def _plain(texts) -> list[str]:
    return [text.replace(NBSP, " ") for text in texts]


# --- the arm (conversion) table ---------------------------------------------------------


def test_arm_table_has_holm_bh_and_detectable_columns():
    titles = column_titles("en")
    assert titles[7:10] == ["p (Holm)", "p (BH)", "Detectable uplift"]
    assert column_titles("ru")[7:10] == ["p (Холм)", "p (БХ)", "Мин. заметный эффект"]


def test_arm_cells_format_adjusted_p_values_and_detectable_uplift(full_report):
    control, value, discount = full_report.readout.arms
    cells = arm_cells(value, "ru")
    # Holm over {value: 0.0538, discount (0 of 1000 vs 32 of 1000): p < 1e-6}: the larger
    # p-value is multiplied by 1, so value keeps 0.054; BH: 0.0538 × 2/2 = 0.054
    assert cells.p_value.text == "0,054"
    assert cells.p_holm.text == "0,054"
    assert cells.p_bh.text == "0,054"
    # seed 003's rule: control 3.2 %, 1000 vs 1000, α 5 %, power 80 % → +2.6 p.p.
    assert value.detectable_pp == pytest.approx(2.6, abs=0.05)
    assert cells.detectable.text.replace(NBSP, " ") == "+2,6 п.п."
    ctrl = arm_cells(control, "en")
    assert [ctrl.p_holm.kind, ctrl.p_bh.kind, ctrl.detectable.kind] == ["na"] * 3
    assert arm_cells(discount, "en").p_holm.text == "< 0.001"


def test_insufficient_arm_has_no_adjusted_p_value_nor_detectable_uplift():
    res = readout(
        [
            ArmAggregate("control", 100, 5, 5, Decimal("500"), 5e4),
            ArmAggregate("empty", 0, 0, 0, Decimal("0"), 0.0),
        ]
    )
    cells = arm_cells(res.arm("empty"), "ru")
    for cell in (cells.p_holm, cells.p_bh, cells.detectable):
        assert (cell.text, cell.kind) == ("недостаточно данных", "insufficient")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_arm_explanations(full_report, lang):
    lines = arm_explanations(full_report, lang)
    assert len(lines) == 6  # rate, uplift, p, Holm, BH, detectable (money: its own table)
    text = " ".join(lines).replace(NBSP, " ")
    assert ("80 %" if lang == "ru" else "80%") in text  # the power of the detectable uplift
    assert ("0,05" if lang == "ru" else "0.05") in text


def test_holm_explanation_names_the_family():
    aggs = [
        ArmAggregate("control", 1000, 32, 33, Decimal("95000"), 3e8),
        ArmAggregate("value", 1000, 49, 52, Decimal("150000"), 5e8),
    ]
    both = make_wave_report(WAVE, readout(aggs, adjust_across="arms_and_metrics"))
    assert "conversion and revenue" in arm_explanations(both, "en")[3]
    assert "конверсия и выручка" in arm_explanations(both, "ru")[3]


# --- money ----------------------------------------------------------------------------------


def test_money_section_in_russian(full_report):
    money = money_section(full_report, "ru")
    assert money.title == "Выручка и средний чек"
    assert _plain(money.columns) == [
        "Выручка на назначенного",
        "Разница с контролем [95 % ДИ]",
        "p-значение",
        "Средний чек",
        "ARPPU [95 % ДИ]",
    ]
    # Welch on (n, Σ, Σ²) = (1000, 150 000, 4.74e8) vs (1000, 95 000, 2.890625e8):
    # s² = (4.74e8 − 2.25e7)/999 = 451 952 and (2.890625e8 − 9.025e6)/999 = 280 318,
    # se = sqrt(451.95 + 280.32) = 27.06, t = 55/27.06 = 2.032, df = 1894, p = 0.042,
    # interval 55 ± 1.9612 · 27.06 = [1.93, 108.07]
    assert _texts(money, "value") == [
        "150 ₽",
        "+55 ₽ [+1,93; +108,07]",
        "0,042",
        "2 884,62 ₽",  # AOV = 150 000 / 52 orders
        # ARPPU = 150 000 / 49 payers; the BCa interval of the 49 payers' revenues
        "3 061,22 ₽ [2 904,08; 3 218,37]",
    ]
    assert _texts(money, "control")[1:3] == ["—", "—"]
    # nobody paid in discount: its difference is defined (0 − 95), its AOV and ARPPU not
    assert _texts(money, "discount") == ["0 ₽", "-95 ₽ [-127,85; -62,15]", "< 0,001", "—", "—"]
    assert money.notes == ()
    assert len(money.explanations) == 4


def test_money_section_in_english(full_report):
    money = money_section(full_report, "en")
    assert _texts(money, "value") == [
        "150 RUB",
        "+55 RUB [+1.93, +108.07]",
        "0.042",
        "2,884.62 RUB",
        "3,061.22 RUB [2,904.08, 3,218.37]",
    ]
    assert money.columns[1] == "Difference vs control [95% CI]"


def test_money_section_says_why_an_interval_is_missing():
    # the revenue doctest: 4 of 10 paid 100 vs 2 of 10 paid 100 → diff 20, Welch interval
    # 20 ± 44.4187 = [-24.42, +64.42], p = 0.35584; every payer paid the same: no ARPPU CI
    res = readout(
        [
            ArmAggregate("control", 10, 2, 2, Decimal("200"), 20000.0),
            ArmAggregate("value", 10, 4, 4, Decimal("400"), 40000.0),
        ],
        payers={"control": [100, 100], "value": [100] * 4},
    )
    money = money_section(make_wave_report(WAVE, res), "ru")
    assert _texts(money, "value") == [
        "40 ₽",
        "+20 ₽ [-24,42; +64,42]",
        "0,356",
        "100 ₽",
        "100 ₽ [н/д]",
    ]
    assert "value — ARPPU [95 % ДИ]: все значения одинаковы: разброса нет" in _plain(money.notes)


def test_money_section_without_payers_shows_arppu_without_interval():
    res = readout(
        [
            ArmAggregate("control", 10, 2, 2, Decimal("200"), 20000.0),
            ArmAggregate("value", 10, 4, 4, Decimal("400"), 40000.0),
        ]
    )
    money = money_section(make_wave_report(WAVE, res), "en")
    assert _texts(money, "value")[-1] == "100 RUB"


def test_money_section_adds_revenue_holm_and_bh_across_arms_and_metrics():
    res = readout(
        [
            ArmAggregate("control", 10, 2, 2, Decimal("200"), 20000.0),
            ArmAggregate("value", 10, 4, 4, Decimal("400"), 40000.0),
        ],
        adjust_across="arms_and_metrics",
    )
    money = money_section(make_wave_report(WAVE, res), "en")
    assert money.columns[2:5] == ("p-value", "p (Holm)", "p (BH)")
    # family {conversion p, revenue p = 0.35584}; conversion: 4/10 vs 2/10, z-test p = 0.329
    # Holm: sorted 0.329 × 2 = 0.658, then max(0.658, 0.356 × 1) = 0.658 for revenue;
    # BH: 0.356 × 2/2 = 0.356 for revenue
    value = res.arm("value")
    assert value.revenue_p_holm == pytest.approx(max(2 * value.p_value, 0.35584), abs=1e-5)
    texts = _texts(money, "value")
    assert texts[3] == f"{value.revenue_p_holm:.3f}"
    assert texts[4] == "0.356"
    assert any("every comparison with control" in line for line in money.explanations)


def test_empty_arm_money_row_is_words_not_zeros():
    res = readout(
        [
            ArmAggregate("control", 10, 2, 2, Decimal("200"), 20000.0),
            ArmAggregate("empty", 0, 0, 0, Decimal("0"), 0.0),
        ]
    )
    money = money_section(make_wave_report(WAVE, res), "ru")
    assert _texts(money, "empty") == ["недостаточно данных"] * 5
    assert money.notes == ("empty: недостаточно данных: в группу никто не назначен",)


# --- incremental economics -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title", "value"),
    [
        (
            "ru",
            "Инкрементальная экономика (валовая маржа 63 %)",
            "49|32,0|+17,0 [-0,4; +34,8]|3 061,22 ₽|+52 040,82 ₽|10 000 ₽|+22 785,72 ₽",
        ),
        (
            "en",
            "Incremental economics (gross margin 63%)",
            "49|32.0|+17.0 [-0.4, +34.8]|3,061.22 RUB|+52,040.82 RUB|10,000 RUB|+22,785.72 RUB",
        ),
    ],
)
def test_economics_section_is_seed_000s_table(full_report, lang, title, value):
    # economics.py's worked example: 49 − 0.032 × 1000 = 17 incremental orders, interval
    # Newcombe's [−0.04, +3.48] p.p. × 1000; AOV 150 000 / 49 = 3 061.22; 17 × 3 061.2244…
    # = 52 040.82; 52 040.82 × 0.63 − 10 000 = 22 785.72
    econ = economics_section(full_report, lang)
    assert econ is not None
    assert econ.title.replace(NBSP, " ") == title
    assert _texts(econ, "value") == value.split("|")
    assert [row.arm for row in econ.rows] == ["value", "discount"]  # no control row
    assert len(econ.explanations) == 7
    assert econ.caption


def test_economics_of_an_arm_without_orders_is_not_zero(full_report):
    econ = economics_section(full_report, "ru")
    discount = _texts(econ, "discount")
    # 0 paid, 32 expected, −32 incremental orders are true numbers; the money is undefined
    assert discount[:3] == ["0", "32,0", "-32,0 [-44,8; -22,0]"]
    assert discount[3:5] == ["недостаточно данных"] * 2
    assert discount[5] == "5 000 ₽"  # the arm's marketing cost is known
    assert discount[6] == "недостаточно данных"
    assert any("в группе нет ни одного заказа" in note for note in econ.notes)


def test_no_economics_without_gross_margin(report):
    assert economics_section(report, "ru") is None
    assert "economics" not in [s.key for s in report_sections(report, "ru")]


# --- NPS ----------------------------------------------------------------------------------


def test_nps_section(full_report):
    nps = nps_section(full_report, "ru")
    assert nps is not None
    # control 55/30/15: NPS 40, Var = (0.70 − 0.40²)/100 = 0.0054, ±1.96 · 7.348 = ±14.40;
    # value 67/24/9: NPS 58, Var = 0.004236, ±1.96 · 6.508 = ±12.76; difference 18 ±
    # 1.96 · 9.816 = [−1.24, 37.24], p = 0.0667 (nps.py's worked example)
    assert _texts(nps, "control") == ["100", "40,0 [25,6; 54,4]", "—", "—"]
    assert _texts(nps, "value") == ["100", "58,0 [45,2; 70,8]", "+18,0 [-1,2; +37,2]", "0,067"]
    # nobody in discount answered: 0 answers is a count, the rest is not a number
    assert _texts(nps, "discount") == ["0"] + ["недостаточно данных"] * 3
    assert any("нет ни одного ответа NPS" in note for note in nps.notes)
    en = nps_section(full_report, "en")
    assert _texts(en, "value") == ["100", "58.0 [45.2, 70.8]", "+18.0 [-1.2, +37.2]", "0.067"]


def test_nps_with_too_few_answers_keeps_the_score_without_interval():
    counts = {"control": (55, 30, 15), "value": (5, 3, 2)}
    nps = nps_by_arm(counts, ("control", "value"), control="control")
    res = readout(
        [
            ArmAggregate("control", 100, 5, 5, Decimal("500"), 5e4),
            ArmAggregate("value", 100, 9, 9, Decimal("900"), 9e4),
        ]
    )
    section = nps_section(make_wave_report(WAVE, res, nps=nps), "en")
    # 5 − 2 of 10 answers: NPS 30, but fewer than 30 answers give no interval
    assert _texts(section, "value")[:2] == ["10", "30.0 [n/a]"]
    # the difference 30 − 40 is known, its interval and p-value are not
    assert _texts(section, "value")[2:] == ["-10.0 [n/a]", "not enough data"]
    assert any("fewer than 30 NPS answers" in note for note in section.notes)


def test_no_nps_section_without_answers(report):
    assert report.nps == ()
    assert nps_section(report, "en") is None


# --- long horizon -------------------------------------------------------------------------


def test_horizon_section_partly_reached(full_report):
    horizon = horizon_section(full_report, "ru")
    assert horizon is not None
    # repeat 90: 18/200 = 9 % vs 10/200 = 5 %, +4.0 p.p., Newcombe [−1.1, +9.3];
    # refunds 90: 3 of 50 orders = 6 % vs 4 of 40 = 10 %, −4.0 p.p. [−17.6, +7.9];
    # the data end on 15.06.2025, before 01.03.2025 + 180 days = 28.08.2025
    later = "будет с 28.08.2025"
    assert (
        _texts(horizon, "value")
        == [
            "9,0 %",
            "+4,0 п.п. [-1,1; +9,3]",
            "6,0 %",
            "-4,0 п.п. [-17,6; +7,9]",
        ]
        + [later] * 4
    )
    assert _texts(horizon, "control") == ["5,0 %", "—", "10,0 %", "—", later, "—", later, "—"]
    # discount had no order in 90 days: no refund rate, not 0 %
    assert _texts(horizon, "discount")[2:4] == ["недостаточно данных"] * 2
    notes = _plain(horizon.notes)
    assert notes[0] == (
        "Отток 180 дн., LTV 180 дн.: недостаточно данных: горизонт ещё не пройден "
        "(данные есть по 15.06.2025); будет с 28.08.2025"
    )
    assert (
        "discount — Возвраты 90 дн., к контролю [95 % ДИ]: в группе нет ни одного заказа" in notes
    )
    assert len(notes) == 2  # the horizon not reached is said once, not once per arm
    assert horizon.caption == (
        "Горизонты считаются от старта волны 01.03.2025; данные есть по 15.06.2025 включительно."
    )
    assert len(horizon.explanations) == 6


def _horizon_report(data_until: dt.datetime | None):
    aggs = [
        HorizonAggregate("control", 200, 10, 40, 4, Decimal("300000.00"), 9.5e8, 80),
        HorizonAggregate("value", 200, 18, 50, 3, Decimal("330000.00"), 1.1e9, 96),
    ]
    h = horizon_readout(aggs, starts_on=dt.date(2025, 3, 1), data_until=data_until)
    res = readout(
        [
            ArmAggregate("control", 200, 10, 10, Decimal("30000"), 9e7),
            ArmAggregate("value", 200, 18, 18, Decimal("33000"), 1e8),
        ]
    )
    return make_wave_report(WAVE, res, horizon=h)


def test_horizon_reached_shows_churn_and_ltv():
    horizon = horizon_section(_horizon_report(dt.datetime(2025, 9, 1)), "en")
    value = _texts(horizon, "value")
    # churn 180: 1 − 96/200 = 52 % vs 1 − 80/200 = 60 %: −8.0 p.p.
    assert value[4] == "52.0%"
    assert value[5].startswith("-8.0 pp [")
    # LTV 180: 330 000 / 200 = 1 650 vs 1 500, uplift +10 %; p of Welch's test
    assert value[6] == "1,650 RUB"
    assert re.fullmatch(r"\+10\.0%; p = 0\.\d{3}", value[7])
    assert _texts(horizon, "control")[6:] == ["1,500 RUB", "—"]
    assert horizon.notes == ()


@pytest.mark.parametrize(
    ("lang", "pending_90", "pending_180", "note"),
    [
        ("ru", "будет с 30.05.2025", "будет с 28.08.2025", "горизонт ещё не пройден"),
        ("en", "available from 2025-05-30", "available from 2025-08-28", "horizon not reached"),
    ],
)
def test_horizon_not_reached_is_never_zero(lang, pending_90, pending_180, note):
    horizon = horizon_section(_horizon_report(dt.datetime(2025, 4, 1)), lang)
    value = _texts(horizon, "value")
    assert value == [pending_90] * 4 + [pending_180] * 4
    for row in horizon.rows:
        for cell in row.cells:
            assert cell.kind in ("insufficient", "na")
            assert not re.search(r"%|₽|RUB|п\.п\.|pp", cell.text)
    assert len(horizon.notes) == 2  # one per horizon (90 and 180 days)
    assert all(note in line for line in horizon.notes)


def test_horizon_without_any_order():
    horizon = horizon_section(_horizon_report(None), "en")
    assert horizon.caption.endswith("the data hold no order yet.")
    assert "the data hold no order" in horizon.notes[0]


def test_no_horizon_section_without_horizon():
    res = readout([ArmAggregate("control", 10, 1, 1, Decimal("100"), 1e4)])
    report = make_wave_report(WAVE, res)
    assert horizon_section(report, "ru") is None
    assert [s.key for s in report_sections(report, "ru")] == ["money"]


def test_sections_in_print_order(full_report):
    assert [s.key for s in report_sections(full_report, "en")] == [
        "money",
        "economics",
        "nps",
        "horizon",
    ]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_section_explains_every_number(full_report, lang):
    for section in report_sections(full_report, lang):
        assert section.explanations
        assert all(line.strip() for line in section.explanations)
        for row in section.rows:
            assert len(row.cells) == len(section.columns)


# --- A/A ----------------------------------------------------------------------------------


def _aa(control_b: ArmAggregate, **kwargs):
    return readout(
        [ArmAggregate("control_a", 1000, 40, 40, Decimal("0"), 0.0), control_b],
        control="control_a",
        aa=True,
        **kwargs,
    )


def test_aa_passed():
    outcome, text = aa_line(_aa(ArmAggregate("control_b", 1000, 42, 42, Decimal("0"), 0.0)), "ru")
    assert outcome == "passed"
    assert text.startswith("A/A-проверка: пройдена")
    assert "можно доверять" in text


def test_aa_failed_names_the_differing_arm():
    res = _aa(ArmAggregate("control_b", 1000, 90, 90, Decimal("0"), 0.0))  # 4 % vs 9 %
    outcome, text = aa_line(res, "en")
    assert outcome == "failed"
    assert text.startswith(
        "A/A check: FAILED: a difference from control after Holm's correction at α = 0.05: "
        "control_b."
    )
    assert "before trusting the results of other waves" in text


def test_aa_failed_on_sample_ratio_mismatch():
    res = _aa(
        ArmAggregate("control_b", 500, 20, 20, Decimal("0"), 0.0),
        planned_weights={"control_a": 1, "control_b": 1},
    )
    outcome, text = aa_line(res, "ru")
    assert outcome == "failed"
    assert "соотношение групп не соответствует плану" in text


def test_aa_not_enough_data():
    res = readout(
        [
            ArmAggregate("control_a", 100, 0, 0, Decimal("0"), 0.0),
            ArmAggregate("control_b", 100, 0, 0, Decimal("0"), 0.0),
        ],
        control="control_a",
        aa=True,
    )
    outcome, text = aa_line(res, "en")
    assert outcome == "insufficient"
    assert "not enough data" in text


def test_no_aa_line_for_an_ordinary_wave(full_report):
    assert aa_line(full_report.readout, "ru") is None
