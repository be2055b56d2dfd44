import datetime as dt

import pandas as pd
import pytest
from pydantic import ValidationError
from tests.store_rows import put_orders

from livebase.config import RiskLevels, RiskPoints, RiskSettings, WorkspaceConfig
from livebase.errors import ConfigError, InputError, InsufficientData
from livebase.i18n import LANGS, t
from livebase.metrics.risk import (
    REASONS,
    Reason,
    build_risk,
    parse_reasons,
    reason_order,
    risk_scores,
    risk_summary,
    top_risks,
)
from livebase.store.write import upsert

AS_OF = dt.date(2025, 5, 5)
# explicit settings (the shipped defaults but recency_top_segment 10), so that the
# derivations below do not move with the defaults
SETTINGS = RiskSettings(
    points=RiskPoints(
        rhythm_1_5x=15,
        rhythm_2x=25,
        activity_drop=15,
        recency_top_segment=10,
        autopay_cancelled=20,
        refund_requested=20,
        invoice_pending=10,
        downgrade_requested=15,
        nps_negative=15,
        no_lessons_7=5,
        no_lessons_14=10,
        no_lessons_21=15,
    ),
    levels=RiskLevels(medium=20, high=40),
    interval_fallback="all",
    activity_recent_weeks=2,
    activity_baseline_weeks=8,
    activity_min_baseline_weeks=4,
    activity_drop_z=-1.5,
    activity_sd_floor=1.0,
    recency_top_share=0.2,
    recency_min_segment=5,
    event_lookback_days=30,
    nps_lookback_days=180,
    learning_lookback_days=60,
)


def _at(days_before: int, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(AS_OF - dt.timedelta(days=days_before), dt.time(hour))


def _day(days_before: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days_before)


# purchase days (days before AS_OF; negative: after AS_OF) and segment of each customer
#   intervals of repeat customers: c1 30,30; c2 20,40; c5 30; c6 20
#   pooled: 20,20,30,30,30,40 -> median 30 (the fallback of one-purchase customers)
PURCHASES = {
    "c1": ([130, 100, 70], "x"),  # own median 30, gap 70 >= 2x30: rhythm_2x
    "c2": ([110, 90, 50], "x"),  # own median (20+40)/2 = 30, gap 50 >= 45: rhythm_1_5x
    "c3": ([60, -5], "x"),  # one purchase by AS_OF: borrows 30, gap 60 = 2x30: rhythm_2x
    "c4": ([5], "y"),  # borrows 30, gap 5
    "c5": ([50, 20], "x"),  # own 30, gap 20
    "c6": ([25, 5, -10], "x"),  # own 20, gap 5
    "c7": ([100], "z"),  # gap 100: rhythm_2x
    "c8": ([100], "z"),
    "c9": ([50, -20], "z"),  # gap 50 >= 45: rhythm_1_5x
    "c10": ([40, -40], "z"),  # gap 40 < 45
    "c11": ([30], "z"),
}


def _rfm_and_segments(ws, as_of=AS_OF):
    rows = []
    for cust, (days, seg) in PURCHASES.items():
        before = [d for d in days if _day(d) <= as_of]
        rows.append((cust, (as_of - _day(min(before))).days, len(before), seg))
    frame = pd.DataFrame(rows, columns=["customer_id", "recency_days", "frequency", "segment"])
    frame["as_of"] = as_of
    frame["version"] = "monetary"
    frame["monetary"] = 1000
    frame["r"] = frame["f"] = frame["m"] = 3
    frame["rule"] = "x"
    upsert(ws.con, "rfm", frame)
    upsert(ws.con, "segments", frame)


def _orders(ws):
    rows = [
        {"customer_id": c, "amount": 1000, "product_id": f"p{d}", "paid_at": _at(d)}
        for c, (days, _) in PURCHASES.items()
        for d in days
    ]
    put_orders(ws, rows)


def _activities(ws, rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "ts", "kind"])
    frame["event_id"] = [f"a{i:03d}" for i in range(len(frame))]
    upsert(ws.con, "activities", frame)


def _learning():
    """Learning events. Week k covers the days 7k … 7k+6 before AS_OF.

    c4: first event 80 days ago (before the 10-week window), so every baseline week
    2 … 9 is full: 8 weeks with 4,2,4,2,4,2,4,2 events (on day 7k+3), none in weeks 0-1.
    Baseline mean 3, sample variance 8 x 1 / 7 = 8/7, sd 1.0690; recent mean 0;
    z = (0 - 3) / 1.0690 = -2.806 <= -1.5: activity_drop. Last event 17 days ago:
    no_lessons_14.
    c6: first event 30 days ago: full weeks are those starting on or after it, k <= (30-6)
    // 7 = 3, so the baseline holds weeks 2 and 3 (2 < 4 weeks: no z). Week 2 has 1
    event (day 20); weeks 0: 2 events -> recent mean 1.0, baseline mean 0.5. Last event
    2 days ago: no step.
    c2: one event 25 days ago: k <= (25-6)//7 = 2: one baseline week (no z); 25 days
    without lessons, learning within 60 days: no_lessons_21.
    c3: one event 70 days ago: learned, but not in the last 60 days: no days count;
    k <= 64//7 = 9: 8 baseline weeks, all empty: mean 0, sd 0 -> floor 1, z = 0.
    """
    rows = [("c4", _at(80), "lesson_start")]
    for k, n in zip(range(2, 10), [4, 2, 4, 2, 4, 2, 4, 2], strict=True):
        rows += [("c4", _at(7 * k + 3, hour=8 + i), "lesson_finish") for i in range(n)]
    rows += [
        ("c6", _at(30), "course_start"),
        ("c6", _at(20), "lesson_start"),
        ("c6", _at(3), "lesson_start"),
        ("c6", _at(2), "homework_submitted"),
        ("c6", _at(2, 13), "login"),  # not a learning kind
        ("c6", _at(-3), "lesson_start"),  # after AS_OF: not seen
        ("c2", _at(25), "lesson_finish"),
        ("c3", _at(70), "lesson_start"),
    ]
    return rows


def _signals():
    return [
        ("c5", _at(10), "autopay_cancelled"),
        ("c5", _at(40), "refund_requested"),  # outside the last 30 days
        ("c5", _at(3), "invoice_pending"),  # after the last purchase (20 days ago)
        ("c5", _at(2), "downgrade_requested"),
        ("c6", _at(10), "invoice_pending"),  # paid 5 days ago: settled
        ("c6", _at(-2), "refund_requested"),  # after AS_OF
    ]


def _nps(ws):
    rows = [
        ("c5", _at(100), 9),
        ("c5", _at(10), 5),  # latest: a detractor
        ("c6", _at(50), 3),
        ("c6", _at(5), 9),  # latest: a promoter
        ("c6", _at(-1), 0),  # after AS_OF
        ("c1", _at(200), 2),  # outside the last 180 days
    ]
    upsert(ws.con, "nps_responses", pd.DataFrame(rows, columns=["customer_id", "ts", "score"]))


def _school(ws):
    _orders(ws)
    _rfm_and_segments(ws)
    _activities(ws, _learning() + _signals())
    _nps(ws)


def _rows(ws, settings=SETTINGS, as_of=AS_OF):
    rows = risk_scores(ws, as_of, settings=settings).to_pyarrow().to_pylist()
    return {r["customer_id"]: r for r in rows}


# Points (defaults) and levels (medium from 20, high from 40):
#   recency top 20 %: segment x (c1 70, c3 60, c2 50, c5 20, c6 5): 20 % of 5 = 1 -> c1;
#   segment z (c7 100, c8 100, c9 50, c10 40, c11 30): c7 and c8 tie at position 1;
#   segment y has one customer (< 5): unknown.
EXPECTED = {
    "c1": (35, "medium", "rhythm_2x:25,recency_top_segment:10"),
    "c2": (30, "medium", "rhythm_1_5x:15,no_lessons_21:15"),
    "c3": (25, "medium", "rhythm_2x:25"),
    "c4": (25, "medium", "activity_drop:15,no_lessons_14:10"),
    # autopay 20 + downgrade 15 + NPS 5 -> 15 + invoice 10; ties (15) in REASONS order
    "c5": (
        60,
        "high",
        "autopay_cancelled:20,downgrade_requested:15,nps_negative:15,invoice_pending:10",
    ),
    "c6": (0, "low", ""),
    "c7": (35, "medium", "rhythm_2x:25,recency_top_segment:10"),
    "c8": (35, "medium", "rhythm_2x:25,recency_top_segment:10"),
    "c9": (15, "low", "rhythm_1_5x:15"),
    "c10": (0, "low", ""),
    "c11": (0, "low", ""),
}


def test_scorecard_on_a_literal_school(ws):
    _school(ws)
    rows = _rows(ws)
    got = {c: (r["points"], r["level"], r["reasons"]) for c, r in rows.items()}
    assert got == EXPECTED
    # the inputs behind the reasons
    assert rows["c1"]["median_interval_days"] == 30.0
    assert rows["c1"]["interval_source"] == "own"
    assert rows["c2"]["median_interval_days"] == 30.0
    assert rows["c6"]["median_interval_days"] == 20.0
    assert (rows["c3"]["interval_source"], rows["c3"]["median_interval_days"]) == ("all", 30.0)
    assert rows["c3"]["gap_days"] == 60
    assert rows["c1"]["recency_top"]
    assert not rows["c3"]["recency_top"]
    assert rows["c7"]["recency_top"]
    assert rows["c8"]["recency_top"]
    assert rows["c4"]["recency_top"] is None  # a segment of one
    c4 = rows["c4"]
    assert c4["baseline_weeks"] == 8
    assert c4["activity_baseline"] == pytest.approx(3.0)
    assert c4["activity_recent"] == 0.0
    assert c4["activity_z"] == pytest.approx(-3 / (8 / 7) ** 0.5)
    assert c4["days_without_lessons"] == 17
    c6 = rows["c6"]
    assert (c6["baseline_weeks"], c6["activity_recent"], c6["activity_baseline"]) == (2, 1.0, 0.5)
    assert c6["activity_z"] is None
    assert c6["days_without_lessons"] == 2
    assert c6["invoice_pending_on"] == _day(10)  # recorded, but settled by a later payment
    assert c6["nps_score"] == 9
    c3 = rows["c3"]
    assert (c3["baseline_weeks"], c3["activity_z"]) == (8, 0.0)
    assert c3["days_without_lessons"] is None
    assert rows["c2"]["baseline_weeks"] == 1
    assert rows["c2"]["activity_z"] is None
    c1 = rows["c1"]  # never learned: no activity inputs; NPS too old
    assert c1["baseline_weeks"] == 0
    assert c1["activity_recent"] is None
    assert c1["nps_score"] is None
    c5 = rows["c5"]
    assert c5["autopay_cancelled_on"] == _day(10)
    assert c5["refund_requested_on"] is None
    assert (c5["invoice_pending_on"], c5["downgrade_requested_on"]) == (_day(3), _day(2))
    assert c5["nps_score"] == 5


def test_segment_fallback_for_one_purchase_customers(ws):
    _school(ws)
    rows = _rows(ws, SETTINGS.model_copy(update={"interval_fallback": "segment"}))
    # segment x's intervals (c1 30,30; c2 20,40; c5 30; c6 20): median 30
    assert (rows["c3"]["interval_source"], rows["c3"]["median_interval_days"]) == ("segment", 30)
    # segments y and z have no repeat customer: the pooled median
    assert rows["c4"]["interval_source"] == rows["c7"]["interval_source"] == "all"
    assert rows["c1"]["interval_source"] == "own"


def test_no_repeat_customer_anywhere_leaves_the_rhythm_unknown(ws):
    put_orders(ws, [{"customer_id": "a", "amount": 100, "paid_at": _at(300)}])
    frame = pd.DataFrame(
        {"customer_id": ["a"], "recency_days": [300], "segment": ["lost"], "rule": ["x"]}
    )
    frame["as_of"], frame["version"] = AS_OF, "monetary"
    upsert(ws.con, "rfm", frame)
    upsert(ws.con, "segments", frame)
    row = _rows(ws)["a"]
    assert row["interval_source"] is None
    assert row["median_interval_days"] is None
    assert (row["points"], row["reasons"]) == (0, "")


def test_no_leakage_from_after_as_of(ws):
    """Rows dated after AS_OF (c3's and c9's later purchases, c6's later events and
    answers) are in the store already: removing them changes nothing."""
    _school(ws)
    before = _rows(ws)
    o = ws.con.table("orders")
    assert o.filter(o.paid_at > _at(0, 23)).count().execute() == 4
    ws.con.raw_sql("DELETE FROM orders WHERE paid_at > TIMESTAMP '2025-05-06 00:00:00'")
    ws.con.raw_sql("DELETE FROM activities WHERE ts > TIMESTAMP '2025-05-06 00:00:00'")
    ws.con.raw_sql("DELETE FROM nps_responses WHERE ts > TIMESTAMP '2025-05-06 00:00:00'")
    after = _rows(ws)
    assert after.keys() == before.keys()
    for c in before:
        assert after[c] == before[c]


def test_points_and_cutoffs_are_configuration(ws):
    _school(ws)
    points = SETTINGS.points.model_copy(update={"rhythm_2x": 50, "recency_top_segment": 0})
    settings = SETTINGS.model_copy(
        update={"points": points, "levels": RiskLevels(medium=10, high=50)}
    )
    rows = _rows(ws, settings)
    # c1: rhythm_2x 50; the recency reason scores 0 and is not listed
    assert (rows["c1"]["points"], rows["c1"]["level"], rows["c1"]["reasons"]) == (
        50,
        "high",
        "rhythm_2x:50",
    )
    assert (rows["c9"]["points"], rows["c9"]["level"]) == (15, "medium")
    assert (rows["c6"]["points"], rows["c6"]["level"]) == (0, "low")


def test_build_summary_and_top_list(ws):
    _school(ws)
    summary = build_risk(ws, AS_OF, settings=SETTINGS)
    assert summary.customers == 11
    # low c6 c9 c10 c11; medium c1 c2 c3 c4 c7 c8; high c5
    assert [(x.level, x.customers) for x in summary.levels] == [
        ("low", 4),
        ("medium", 6),
        ("high", 1),
    ]
    assert summary.level("high").share == pytest.approx(1 / 11)
    # rhythm_2x: c1 c3 c7 c8; recency top: c1 c7 c8; rhythm_1_5x: c2 c9; then singles
    assert [(x.code, x.customers) for x in summary.reasons] == [
        ("rhythm_2x", 4),
        ("recency_top_segment", 3),
        ("rhythm_1_5x", 2),
        ("activity_drop", 1),
        ("autopay_cancelled", 1),
        ("invoice_pending", 1),
        ("downgrade_requested", 1),
        ("nps_negative", 1),
        ("no_lessons_21", 1),
        ("no_lessons_14", 1),
    ]
    assert [x.points for x in summary.reasons[:3]] == [25, 10, 15]
    # own: c1 c2 c5 c6; all: the seven one-purchase customers
    assert summary.interval_sources == (("own", 4), ("segment", 0), ("all", 7), ("none", 0))
    # z: only c4 and c3 have 4+ baseline weeks
    assert summary.without_z == 9
    assert (summary.medium_from, summary.high_from) == (20, 40)

    top = top_risks(ws, AS_OF, n=4)
    # 60 (c5), then 35 for c1 c7 c8 (ties by customer_id)
    assert [(r.customer_id, r.points) for r in top] == [
        ("c5", 60),
        ("c1", 35),
        ("c7", 35),
        ("c8", 35),
    ]
    assert top[0].reasons[0] == Reason("autopay_cancelled", 20)
    assert top[0].level == "high"
    assert top[0].nps_score == 5
    assert [r.customer_id for r in top_risks(ws, AS_OF, 10, level="low")] == [
        "c9",
        "c10",
        "c11",
        "c6",
    ]

    # rebuilding replaces the date's rows
    build_risk(ws, AS_OF, settings=SETTINGS)
    assert ws.table("risk").count().execute() == 11


def test_missing_marts_and_bad_arguments(ws):
    _orders(ws)
    with pytest.raises(InsufficientData, match="livebase segment --as-of 2025-05-05"):
        build_risk(ws, AS_OF)
    with pytest.raises(InsufficientData, match="livebase risk --as-of 2025-05-05"):
        risk_summary(ws, AS_OF)
    with pytest.raises(InsufficientData, match="livebase risk"):
        top_risks(ws, AS_OF)
    _rfm_and_segments(ws)
    build_risk(ws, AS_OF)
    with pytest.raises(InputError, match="at least 1"):
        top_risks(ws, AS_OF, 0)
    with pytest.raises(InputError, match="unknown risk level"):
        top_risks(ws, AS_OF, level="critical")


def test_reason_order_and_parsing():
    order = reason_order(SETTINGS)
    assert order[0] == Reason("rhythm_2x", 25)
    assert [r.code for r in order if r.points == 15] == [
        "rhythm_1_5x",
        "activity_drop",
        "downgrade_requested",
        "nps_negative",
        "no_lessons_21",
    ]
    assert parse_reasons("") == parse_reasons(None) == ()


def test_settings_are_validated(tmp_path):
    with pytest.raises(ValidationError, match="must be above medium"):
        RiskLevels(medium=40, high=40)
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        RiskPoints(nps_negative=-5)
    with pytest.raises(ValidationError, match="no_lessons_21"):
        RiskPoints(no_lessons_14=20, no_lessons_21=10)
    with pytest.raises(ValidationError, match="activity_min_baseline_weeks"):
        RiskSettings(activity_baseline_weeks=3, activity_min_baseline_weeks=4)
    path = tmp_path / "livebase.toml"
    path.write_text("[risk.levels]\nmedium = 50\nhigh = 30\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"risk\.levels"):
        WorkspaceConfig.load(path)
    # the defaults round-trip through TOML
    path.write_text(WorkspaceConfig().to_toml(), encoding="utf-8")
    assert WorkspaceConfig.load(path).risk == RiskSettings()


@pytest.mark.parametrize("lang", LANGS)
def test_every_reason_is_translated(lang):
    for code in REASONS:
        assert t(f"risk.reason.{code}", lang)
