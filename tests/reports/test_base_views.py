"""Terminal views of the base report (risk, backtest, cohorts, activation, NPS, support):
numbers per language, "not enough data" in words, partial marks, explanations.

One simulated school (800 customers, seed 5, exports up to 5 May 2025) is imported,
segmented and risk-scored on :data:`AS_OF` once per module; NPS answers, support tickets
and one month of acquisition costs are added as literal rows (:func:`add_extras`).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from livebase.experiments.nps import nps_from_counts
from livebase.i18n import (
    NBSP,
    format_date,
    format_level,
    format_money,
    format_number,
    format_percent,
    t,
)
from livebase.ingest.pipeline import import_file
from livebase.metrics.activation import activation_by_cohort, activation_summary
from livebase.metrics.cohorts import METRICS, CohortMetric, CohortTable, workspace_cohorts
from livebase.metrics.nps_support import NpsBreakdown, nps_by_segment, support_load
from livebase.metrics.risk import Reason, RiskRow, build_risk, risk_summary, top_risks
from livebase.metrics.risk_backtest import risk_backtest
from livebase.reports.base import activation_period
from livebase.reports.base_views import (
    activation_views,
    backtest_views,
    cohort_views,
    month_label,
    nps_views,
    reason_text,
    risk_views,
    support_views,
)
from livebase.segments.build import build_segments
from livebase.segments.segment_map import default_map
from livebase.simulate import SchoolSpec, simulate_school
from livebase.store.workspace import Workspace
from livebase.store.write import upsert

AS_OF = dt.date(2025, 5, 4)
LANGS = ("ru", "en")
# tickets per month (the store's tickets cover February to May 2025)
TICKETS = {dt.date(2025, 2, 1): 5, dt.date(2025, 3, 1): 3, dt.date(2025, 4, 1): 4}
TICKETS_MAY = 1  # 2 May, in the month of AS_OF (partial)
ACQUISITION = Decimal("10000")  # costs of June 2024, the cohort 2024-06


def school_workspace(root: Path, *, school: str = "Sim") -> Workspace:
    """The simulated school imported (users, orders, payments, LMS events, consents)."""
    files = simulate_school(SchoolSpec(customers=800, seed=5, end=dt.date(2025, 5, 5)), root / "x")
    ws = Workspace.init(root / "school", school=school)
    for path, preset in (
        (files.users, "getcourse-users"),
        (files.orders, "getcourse-orders"),
        (files.payments, "getcourse-payments"),
        (files.lms_events, "lms-events"),
        (files.consents, "consents"),
    ):
        import_file(ws, path, preset)
    return ws


def add_extras(ws: Workspace) -> tuple[str, str]:
    """NPS answers for the two largest segments of AS_OF, tickets and costs; returns the
    two segment ids (the first: 40 answers, the second: 10)."""
    s = ws.table("segments")
    s = s.filter((s.as_of == AS_OF) & (s.version == "monetary"))
    sizes = s.group_by("segment").aggregate(n=s.count()).order_by([s.count().desc(), "segment"])
    big, second = [r["segment"] for r in sizes.limit(2).to_pyarrow().to_pylist()]
    ids = s.order_by("customer_id").to_pyarrow().to_pylist()
    first = [r["customer_id"] for r in ids if r["segment"] == big][:40]
    other = [r["customer_id"] for r in ids if r["segment"] == second][:10]
    scores = [10] * 30 + [8] * 5 + [3] * 5 + [9] * 5 + [7] * 2 + [6] * 3
    ts = dt.datetime(2025, 4, 1, 12)
    frame = pd.DataFrame({"customer_id": first + other, "ts": ts, "score": scores})
    upsert(ws.con, "nps_responses", frame.astype({"score": "int16"}))
    rows = [
        (f"t{month:%m}-{i}", dt.datetime.combine(month, dt.time(10)) + dt.timedelta(days=i), "q")
        for month, n in TICKETS.items()
        for i in range(n)
    ]
    rows.append(("t05-0", dt.datetime(2025, 5, 2, 10), "q"))
    upsert(ws.con, "tickets", pd.DataFrame(rows, columns=["customer_id", "ts", "kind"]))
    costs = pd.DataFrame(
        {
            "date": [dt.date(2024, 6, 10)],
            "wave_id": ["-"],
            "channel": ["vk"],
            "kind": ["acquisition"],
            "amount": [ACQUISITION],
        }
    )
    upsert(ws.con, "costs", costs)
    return big, second


@pytest.fixture(scope="module")
def school(tmp_path_factory):
    ws = school_workspace(tmp_path_factory.mktemp("base-views"))
    build_segments(ws, AS_OF)
    build_risk(ws, AS_OF)
    segments = add_extras(ws)
    yield ws, segments
    ws.close()


def text_of(parts, width: int = 400) -> str:
    console = Console(record=True, width=width, file=io.StringIO())
    for part in parts:
        console.print(part)
    return console.export_text()


def _lines(text: str, start: str) -> list[str]:
    """The table rows whose first cell is ``start``."""
    return [line for line in text.splitlines() if line.startswith(f"│ {start} ")]


def _line(text: str, start: str) -> str:
    """The first table row whose first cell is ``start``."""
    return _lines(text, start)[0]


# ------------------------------------------------------------------------ risk


def test_reason_text_names_reasons_with_their_numbers_and_points():
    # gap 66 days against a usual interval of 24 (66 >= 2 × 24): rhythm_2x, 25 points;
    # 53 days since the last lesson: no_lessons_21, 15 points; an invoice of 7 April
    row = RiskRow(
        customer_id="c1",
        points=50,
        level="high",
        reasons=(
            Reason("rhythm_2x", 25),
            Reason("no_lessons_21", 15),
            Reason("invoice_pending", 10),
        ),
        segment="loyal",
        gap_days=66,
        median_interval_days=24.0,
        interval_source="own",
        recency_top=False,
        activity_recent=0.5,
        activity_baseline=3.25,
        baseline_weeks=8,
        activity_z=-1.2,
        days_without_lessons=53,
        nps_score=None,
        autopay_cancelled_on=None,
        refund_requested_on=None,
        invoice_pending_on=dt.date(2025, 4, 7),
        downgrade_requested_on=None,
    )
    assert reason_text(row, "en", sep="; ") == (
        "has not bought for twice their usual interval: 66 days without a purchase, "
        "usually 24 (25); 21+ days without lessons: 53 days (15); "
        "has not paid an issued invoice: 2025-04-07 (10)"
    )
    ru = reason_text(row, "ru").splitlines()
    assert ru[0] == (
        "не покупает вдвое дольше своего обычного интервала: 66 дн. без покупки, обычно 24 (25)"
    )
    assert ru[2] == "не оплатил выставленный счёт: 07.04.2025 (10)"
    none = RiskRow(**{**row.__dict__, "reasons": ()})
    assert reason_text(none, "en") == "no reasons"


@pytest.mark.parametrize("lang", LANGS)
def test_risk_views(school, lang):
    ws, _ = school
    summary = risk_summary(ws, AS_OF)
    top = top_risks(ws, AS_OF, 20)
    text = text_of(risk_views(summary, top, lang))
    assert t("risk.title", lang, date=format_date(AS_OF, lang)) in text
    for lv in summary.levels:
        row = _line(text, t(f"risk.level.{lv.level}", lang))
        assert format_number(lv.customers, lang) in row
        assert format_percent(lv.share, lang) in row
    assert f"≥ {summary.high_from}" in text
    for r in summary.reasons:
        row = _line(text, t(f"risk.reason.{r.code}", lang))
        assert format_percent(r.share, lang) in row
    assert len(top) == 20
    first = top[0]
    row = _line(text, first.customer_id)
    assert default_map().label(first.segment, lang) in row
    assert t(f"risk.level.{first.level}", lang) in row
    assert f"({first.reasons[0].points})" in row
    assert t(f"risk.reason.{first.reasons[0].code}", lang) in row
    # numbers per language: Russian decimals are commas, the percent sign after a space
    decimal = "," if lang == "ru" else "."
    share = format_percent(summary.level("low").share, lang)
    assert decimal in share
    assert (NBSP + "%" in share) == (lang == "ru")
    for key in ("explain.risk_points", "explain.risk_reason_count", "explain.risk_top"):
        assert t(key, lang) in text
    assert text.rstrip().endswith(t("explain.risk_top", lang))


@pytest.mark.parametrize("lang", LANGS)
def test_risk_views_without_customers(school, lang):
    ws, _ = school
    text = text_of(risk_views(risk_summary(ws, AS_OF), (), lang))
    assert t("risk.no_customers", lang) in text


@pytest.mark.parametrize("lang", LANGS)
def test_backtest_views(school, lang):
    ws, _ = school
    early, late = dt.date(2025, 1, 31), dt.date(2025, 3, 31)  # late: only 30 days reached
    bt = risk_backtest(ws, [early, late])
    text = text_of(backtest_views(bt, lang))
    short = t("value.insufficient_short", lang)
    late_row = _line(text, format_date(late, lang))
    base30 = bt.base(30, late).base_rate
    assert format_percent(base30, lang) in late_row
    assert late_row.count(short) == 2  # 60 and 90 days not reached
    assert t("reason.horizon_not_reached", lang) in text
    pooled = _line(text, t("risk.bt.pooled", lang))
    assert format_percent(bt.base(90).base_rate, lang) in pooled
    high = bt.get("high", 90)
    for h in bt.horizons:
        assert t("risk.bt.levels", lang, days=h) in text
    high_rows = _lines(text, t("risk.level.high", lang))
    assert len(high_rows) == 3
    row = high_rows[-1]
    lift = format_number(high.lift, lang, 2) + "×"
    assert lift in row
    assert format_percent(high.precision, lang) in row
    assert format_percent(high.recall, lang) in row
    fired = next(r for r in bt.reasons if r.horizon_days == 30 and r.customers)
    row = _line(text, t(f"risk.reason.{fired.code}", lang))
    assert (
        f"{format_percent(fired.churn_rate, lang)} ({format_number(fired.customers, lang)})" in row
    )
    for key in ("explain.bt_base", "explain.bt_lift", "explain.bt_recall", "explain.bt_reason"):
        assert t(key, lang) in text


# ---------------------------------------------------------------------- cohorts


def _metric(cohort, metric, value, status, reached):
    unit = "money" if metric.startswith(("ltv", "arp", "aov", "cac")) else "share"
    if metric == "cac_payback":
        unit = "months"
    reason = "horizon_not_reached" if value is None else None
    kind = "first_purchase_month"
    return CohortMetric(kind, cohort, metric, unit, value, None, None, 10, reached, status, reason)


def _tiny_table() -> CohortTable:
    """Two cohorts of 10. 2025-01: D7 = 5/10 = 50.0 % (ok), LTV 30 = 1 234.50 ₽ (ok),
    CAC payback 3 months; 2025-02: D7 = 1/8 = 12.5 % over the 8 members who reached day
    13 (partial), D30 not reached (insufficient). Everything else: not reached."""
    rows = []
    given = {
        ("2025-01", "retention_d7"): (0.5, "ok", 10),
        ("2025-01", "ltv_30"): (Decimal("1234.50"), "ok", 10),
        ("2025-01", "cac_payback"): (3, "ok", 10),
        ("2025-02", "retention_d7"): (0.125, "partial", 8),
    }
    for cohort in ("2025-01", "2025-02"):
        for metric in METRICS:
            value, status, reached = given.get((cohort, metric), (None, "insufficient_data", 0))
            rows.append(_metric(cohort, metric, value, status, reached))
    return CohortTable(
        kind="first_purchase_month",
        anchor="first_purchase",
        as_of=dt.date(2025, 2, 20),
        gross_margin=0.63,
        cohorts=("2025-01", "2025-02"),
        members={"2025-01": 10, "2025-02": 10},
        without_anchor=3,
        rows=tuple(rows),
    )


def test_cohort_views_mark_partial_and_missing_cells_on_a_tiny_table():
    en = text_of(cohort_views(_tiny_table(), "en"))
    jan, feb = _line(en, "2025-01"), _line(en, "2025-02")
    assert "50.0%" in jan
    assert "12.5%*" in feb
    assert feb.count("n/a") == 2  # D30 and D60
    assert "0.0%" not in feb
    assert "* 2025-02: Retention D7 over 8 of 10" in en
    # D30 is missing in every row: the note names no cohort
    assert "Retention D30 — the data do not reach the end of this horizon yet\n" in en
    assert "LTV 90 d — the data do not reach the end of this horizon yet\n" in en
    assert "In no cohort (no purchase yet): 3." in en
    assert "1,234.50" + NBSP + "RUB" in en
    assert "3 mo." in en
    ru = text_of(cohort_views(_tiny_table(), "ru"))
    assert "12,5" + NBSP + "%*" in _line(ru, "02.2025")
    assert "1" + NBSP + "234,50" + NBSP + "₽" in ru
    assert "3 мес." in ru
    assert "н/д" in _line(ru, "02.2025")
    assert t("explain.cohort_partial", "ru") in ru


@pytest.mark.parametrize("lang", LANGS)
def test_cohort_views(school, lang):
    ws, _ = school
    table = workspace_cohorts(ws, "first_purchase_month", as_of=AS_OF)
    text = text_of(cohort_views(table, lang))
    short = t("value.insufficient_short", lang)
    last = table.cohorts[-1]  # May 2025: no horizon reached
    rows = _lines(text, month_label(last, lang))
    assert len(rows) == 4  # one per table
    assert rows[0].count(short) == 3  # D7, D30, D60
    d7 = table.get(table.cohorts[0], "retention_d7")
    assert format_percent(d7.value, lang) in _line(text, month_label(table.cohorts[0], lang))
    partial = [r for r in table.rows if r.status == "partial" and r.metric == "retention_d7"]
    assert partial
    p = partial[0]
    assert f"{format_percent(p.value, lang)}*" in text
    cell = t(
        "cohort.partial_cell",
        lang,
        metric=t("cohort.metric.retention_d7", lang),
        reached=format_number(p.members_reached, lang),
        members=format_number(p.members, lang),
    )
    assert cell in text
    cac = table.get("2024-06", "cac")
    assert cac.value == (ACQUISITION / table.members["2024-06"]).quantize(Decimal("0.01"))
    money_row = _lines(text, month_label("2024-06", lang))[-1]  # the last table: money
    assert format_money(cac.value, "RUB", lang) in money_row
    for key in ("explain.cohort_retention", "explain.cohort_ltv", "explain.cohort_churn"):
        assert t(key, lang) in text
    assert text.rstrip().endswith(t("explain.cohort_partial", lang))


# ------------------------------------------------------------------- activation


@pytest.mark.parametrize("lang", LANGS)
def test_activation_views(school, lang):
    ws, _ = school
    first_from, first_to = activation_period(AS_OF)
    period = {"first_from": first_from, "first_to": first_to, "as_of": AS_OF}
    summary = activation_summary(ws, **period)
    by_month = activation_by_cohort(ws, **period)
    text = text_of(activation_views(summary, by_month, lang))
    assert summary.newcomers > 20
    a7 = summary.activated[0]
    row = _line(text, t("activation.metric.activated", lang, days=7))
    assert format_percent(a7.share, lang) in row
    assert format_number(a7.eligible, lang) in row
    low, high = a7.ci
    sep = "; " if lang == "ru" else ", "
    assert f"[{format_percent(low, lang)}{sep}{format_percent(high, lang)}]" in row
    assert [c.cohort for c in by_month] == [dt.date(2025, m, 1) for m in (2, 3, 4)]
    april = _line(text, month_label(dt.date(2025, 4, 1), lang))
    assert t("value.insufficient_short", lang) in april  # next purchase: 37 days not reached
    assert "*" in april  # the 7-day window is complete for some of April only
    assert t("activation.partial", lang) in text
    assert t("explain.activation_eligible", lang) in text
    assert text.rstrip().endswith(t("explain.activation_by_cohort", lang))


# ------------------------------------------------------------------ NPS, support


@pytest.mark.parametrize("lang", LANGS)
def test_nps_views(school, lang):
    ws, (big, second) = school
    breakdown = nps_by_segment(ws, AS_OF)
    text = text_of(nps_views(breakdown, lang))
    smap = default_map()
    # big: 30 promoters, 5 passives, 5 detractors: NPS = (30 - 5) / 40 = 62.5
    row = _line(text, smap.label(big, lang))
    assert format_number(62.5, lang, 1) in row
    lo, hi = nps_from_counts(30, 5, 5).ci
    sep = "; " if lang == "ru" else ", "
    assert f"[{format_number(lo, lang, 1)}{sep}{format_number(hi, lang, 1)}]" in row
    # second: 10 answers (5, 2, 3): NPS = (5 - 3) / 10 = 20.0, too few for an interval
    row = _line(text, smap.label(second, lang))
    assert format_number(20.0, lang, 1) in row
    assert t("value.insufficient_short", lang) in row
    assert t("reason.too_few_answers", lang) in text
    # all 50: 35 promoters, 8 detractors: (35 - 8) / 50 = 54.0
    assert format_number(54.0, lang, 1) in _line(text, t("nps.total", lang))
    assert text.rstrip().endswith(t("explain.nps_ci", lang, level=format_level(0.05, lang)))


@pytest.mark.parametrize("lang", LANGS)
def test_nps_views_without_answers(lang):
    empty = NpsBreakdown("segment", AS_OF, dt.date(2024, 11, 6), 180, nps_from_counts(0, 0, 0), ())
    text = text_of(nps_views(empty, lang))
    assert t("nps.no_answers", lang) in text
    assert t("explain.nps_score", lang) in text


@pytest.mark.parametrize("lang", LANGS)
def test_support_views(school, lang):
    ws, _ = school
    months = support_load(ws, as_of=AS_OF, months=6)
    text = text_of(support_views(months, lang))
    short = t("value.insufficient_short", lang)
    by_month = {m.month: m for m in months}
    december = _line(text, month_label(dt.date(2024, 12, 1), lang))  # before the tickets
    assert december.count(short) == 2
    assert t("reason.no_ticket_data", lang) in text
    march = by_month[dt.date(2025, 3, 1)]
    assert march.tickets == TICKETS[march.month]
    row = _line(text, month_label(march.month, lang))
    assert format_number(march.per_1000, lang, 1) in row
    may = by_month[dt.date(2025, 5, 1)]
    assert may.tickets == TICKETS_MAY
    assert f"{format_number(may.per_1000, lang, 1)}*" in _line(text, month_label(may.month, lang))
    assert t("support.partial", lang) in text
    assert text.rstrip().endswith(t("explain.support_coverage", lang))
