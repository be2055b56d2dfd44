"""The HTML wave readout: content, languages, "not enough data", self-containment."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from tests.reports.html_page import parse

from livebase.experiments import ArmAggregate, WaveInfo, readout
from livebase.i18n import NBSP
from livebase.reports import make_wave_report, render_html, write_html
from livebase.reports.wave import nps_by_arm


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_page_is_well_formed_and_self_contained(report, lang):
    page = render_html(report, lang)
    assert page.startswith("<!DOCTYPE html>")
    parsed = parse(page)
    assert "http" not in page
    assert "script" not in parsed.tags
    assert "link" not in parsed.tags
    assert not [name for name, _ in parsed.attrs if name in ("src", "href")]
    assert "url(" not in page
    assert "@import" not in page
    assert f'<html lang="{lang}">' in page


def test_every_arm_is_shown(report):
    parsed = parse(render_html(report))
    assert list(parsed.rows) == ["control", "value", "discount"]
    assert "svg" in parsed.tags
    # a point with its interval per arm that has a rate; the empty arm gets none
    assert parsed.tags.count("circle") == 2


def test_russian_numbers(report):
    page = render_html(report, "ru").replace(NBSP, " ")
    for text in (
        "Итоги волны r90-2025-03",
        "01.03.2025 — 14.03.2025",
        "1 000",  # assigned
        "3,2 %",  # control rate
        "4,9 %",
        "[3,7 %; 6,4 %]",  # Wilson interval of 49/1000
        "+1,7 п.п.",
        "[-0,0; +3,5] п.п.",  # Newcombe interval
        "0,054",  # p-value
        "156 ₽",  # revenue per assigned: 156 000 / 1000
        "3 000 ₽",  # AOV of value
        "2 900 ₽",  # AOV of control
        "НЕ соответствует плану",  # the empty discount arm breaks the planned split
    ):
        assert text in page, text


def test_english_numbers(report):
    page = render_html(report, "en").replace(NBSP, " ")
    for text in (
        "Wave r90-2025-03 readout",
        "2025-03-01 to 2025-03-14",
        "1,000",
        "3.2%",
        "[3.7%, 6.4%]",
        "+1.7 pp",
        "[-0.0, +3.5] pp",
        "0.054",
        "156 RUB",
        "3,000 RUB",
        "does NOT match the plan",
    ):
        assert text in page, text
    assert "п.п." not in page
    assert "недостаточно" not in page


@pytest.mark.parametrize(
    ("lang", "phrase"), [("ru", "недостаточно данных"), ("en", "not enough data")]
)
def test_insufficient_arm_shows_words_not_numbers(report, lang, phrase):
    parsed = parse(render_html(report, lang))
    cells = parsed.rows["discount"]
    # arm name, its status, then n and conversions (0 are true counts), then the rest
    assert cells[0] == "discount"
    assert cells[1] == phrase
    assert cells[2:4] == ["0", "0"]
    assert cells[4:] == [phrase] * 8
    assert not any(re.search(r"%|₽|RUB|п\.п\.|pp", cell) for cell in cells)


def test_control_has_dashes_where_a_comparison_does_not_apply(report):
    cells = parse(render_html(report, "en")).rows["control"]
    # uplift, its interval, p-value, p (Holm), p (BH), detectable uplift
    assert cells.count("—") == 6


def test_arm_names_are_escaped():
    wave = WaveInfo("w<1>", "r90", None, dt.date(2025, 3, 1), 14, None, ())
    res = readout(
        [
            ArmAggregate("control", 100, 5, 5, Decimal("500"), 5e4),
            ArmAggregate("<script>x</script>", 100, 9, 9, Decimal("900"), 9e4),
        ]
    )
    page = render_html(make_wave_report(wave, res), "en")
    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    parse(page)


def test_no_chart_when_no_arm_has_a_rate():
    wave = WaveInfo("w", None, None, dt.date(2025, 3, 1), 7, None, ())
    res = readout([ArmAggregate("control", 0, 0, 0, Decimal("0"), 0.0)])
    parsed = parse(render_html(make_wave_report(wave, res), "ru"))
    assert "svg" not in parsed.tags
    assert parsed.rows["control"][1] == "недостаточно данных"


def test_write_html(report, tmp_path):
    path = write_html(report, tmp_path / "out" / "wave.html", "en")
    assert path.read_text(encoding="utf-8") == render_html(report, "en")


def test_language_defaults_to_the_report_language(report):
    assert render_html(report) == render_html(report, "ru")


def test_arm_table_has_holm_bh_and_detectable_uplift(report):
    page = render_html(report, "ru").replace(NBSP, " ")
    cells = parse(page).rows["value"]
    # value, its status, 1 000, 49, 4,9 %, CI, +1,7, CI, p, p (Холм), p (БХ), detectable
    assert cells[8:12] == ["0,054", "0,054", "0,054", "+2,6 п.п."]
    for header in ("p (Холм)", "p (БХ)", "Мин. заметный эффект"):
        assert header in page
    assert "Разница с контролем — на сколько процентных пунктов больше клиентов" in page


def test_store_wave_sections(report):
    parsed = parse(render_html(report, "en"))
    rows = parsed.section_rows
    # no gross margin and no NPS answers: no economics, no NPS table
    assert sorted({key.split(":")[0] for key in rows}) == ["horizon", "money"]
    assert [cell.replace(NBSP, " ") for cell in rows["money:value"]] == [
        "value",
        "156 RUB",
        "+63.20 RUB [+9.17, +117.23]",  # 156 − 92.80 per assigned, Welch's interval
        "0.022",
        "3,000 RUB",
        "3,183.67 RUB [3,061.22, 3,489.80]",  # ARPPU 156 000 / 49 payers, BCa bootstrap
    ]
    assert (
        rows["horizon:value"][1:]
        == ["available from 2025-05-30"] * 4 + ["available from 2025-08-28"] * 4
    )
    text = " ".join(parsed.text)
    assert "NPS" not in text
    assert "Incremental" not in text


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_full_report_shows_every_section(full_report, lang):
    page = render_html(full_report, lang)
    parsed = parse(page)
    assert "script" not in parsed.tags
    assert "http" not in page
    rows = parsed.section_rows
    assert {key.split(":")[0] for key in rows} == {"money", "economics", "nps", "horizon"}
    economics = [cell.replace(NBSP, " ") for cell in rows["economics:value"]]
    nps = [cell.replace(NBSP, " ") for cell in rows["nps:value"]]
    if lang == "ru":
        assert economics[1:] == [
            "49",
            "32,0",
            "+17,0 [-0,4; +34,8]",
            "3 061,22 ₽",
            "+52 040,82 ₽",
            "10 000 ₽",
            "+22 785,72 ₽",
        ]
        assert nps[1:] == ["100", "58,0 [45,2; 70,8]", "+18,0 [-1,2; +37,2]", "0,067"]
        assert "Инкрементальная экономика (валовая маржа 63" in page
        assert "будет с 28.08.2025" in page
    else:
        assert economics[-1] == "+22,785.72 RUB"
        assert nps[2] == "58.0 [45.2, 70.8]"
        assert "available from 2025-08-28" in page
    # the explanations and the notes on missing numbers are on the page
    assert page.count('<ul class="explain"') == 5  # arm table + four sections
    assert page.count('<ul class="notes"') == 2 + 1  # economics, NPS, horizon


def test_insufficient_section_cells_say_why(full_report):
    parsed = parse(render_html(full_report, "en"))
    discount = parsed.section_rows["nps:discount"]
    assert discount == ["discount", "0", "not enough data", "not enough data", "not enough data"]
    assert ("title", "no NPS answers") in parsed.attrs
    refunds = parsed.section_rows["horizon:discount"][3:5]
    assert refunds == ["not enough data", "not enough data"]  # no order in 90 days, not 0 %


def test_aa_section():
    res = readout(
        [
            ArmAggregate("control_a", 1000, 40, 40, Decimal("0"), 0.0),
            ArmAggregate("control_b", 1000, 90, 90, Decimal("0"), 0.0),
        ],
        control="control_a",
        aa=True,
    )
    wave = WaveInfo("aa", "aa_r90", None, dt.date(2025, 3, 1), 14, None, ("control_a", "control_b"))
    page = render_html(make_wave_report(wave, res), "ru")
    parse(page)
    assert '<p class="aa failed">' in page
    assert "A/A-проверка: НЕ пройдена" in page
    plain = readout([ArmAggregate("control_a", 10, 1, 1, Decimal("1"), 1.0)], control="control_a")
    ordinary = render_html(make_wave_report(wave, plain), "ru")
    assert 'class="aa' not in ordinary


def test_arm_names_are_escaped_in_every_section():
    evil = '<img src=x onerror="alert(1)">'
    res = readout(
        [
            ArmAggregate("control", 100, 5, 5, Decimal("500"), 5e4),
            ArmAggregate(evil, 100, 9, 9, Decimal("900"), 9e4),
        ],
        gross_margin=0.5,
    )
    nps = nps_by_arm({evil: (1, 1, 1)}, ("control", evil), control="control")
    wave = WaveInfo("w", "r90", None, dt.date(2025, 3, 1), 14, None, ())
    page = render_html(make_wave_report(wave, res, nps=nps), "en")
    parsed = parse(page)
    assert "<img" not in page
    assert "img" not in parsed.tags
    assert f"money:{evil}" in parsed.section_rows
    assert f"nps:{evil}" in parsed.section_rows
    assert f"economics:{evil}" in parsed.section_rows
