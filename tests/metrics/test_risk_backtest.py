import datetime as dt

import pandas as pd
import pytest
from tests.store_rows import put_orders

from livebase.config import RiskLevels, RiskPoints, RiskSettings
from livebase.errors import InputError, InsufficientData
from livebase.ingest.pipeline import import_file
from livebase.metrics.rfm import day_end
from livebase.metrics.risk import REASONS, risk_scores
from livebase.metrics.risk_backtest import (
    INSUFFICIENT,
    OK,
    backtest_dates,
    level_rows,
    risk_backtest,
)
from livebase.segments.build import build_segments
from livebase.simulate import SchoolSpec, simulate_school
from livebase.store.workspace import Workspace
from livebase.store.write import upsert

D = dt.date(2025, 3, 31)
SETTINGS = RiskSettings(
    points=RiskPoints(
        rhythm_1_5x=15,
        rhythm_2x=25,
        recency_top_segment=10,
        autopay_cancelled=20,
        refund_requested=20,
        nps_negative=15,
    ),
    levels=RiskLevels(medium=20, high=40),
    interval_fallback="all",
    recency_top_share=0.2,
    recency_min_segment=5,
    event_lookback_days=30,
)


def _at(days_before: int, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(D - dt.timedelta(days=days_before), dt.time(hour))


# purchase days before D (negative: after D), all in one segment.
#   intervals: b1 30,30; b2 20,20; b3 30; b6 30 -> pooled median 30 for b4, b5, b7
#   recency top 20 % of 7 (1.4 positions): b5 (gap 100) only
PURCHASES = {
    "b1": [90, 60, 30, -10],  # gap 30 vs 30: nothing -> low; buys on day 10
    "b2": [120, 100, 80],  # gap 80 >= 2x20: rhythm_2x 25 + autopay 20 = 45 -> high
    "b3": [70, 40, -40],  # gap 40 < 45: low; buys on day 40 (after 30 days)
    "b4": [50],  # gap 50 >= 45: rhythm_1_5x 15 -> low
    "b5": [100, -20],  # rhythm_2x 25 + recency top 10 = 35 -> medium; buys on day 20
    "b6": [65, 35],  # gap 35: refund_requested 20 -> medium
    "b7": [10, -5],  # low; buys on day 5
}
LEVELS = {"b1": "low", "b2": "high", "b3": "low", "b4": "low", "b5": "medium", "b6": "medium"}
LEVELS["b7"] = "low"


def _school(ws):
    put_orders(
        ws,
        [
            {"customer_id": c, "amount": 500, "product_id": f"p{d}", "paid_at": _at(d)}
            for c, days in PURCHASES.items()
            for d in days
        ],
    )
    frame = pd.DataFrame(
        {
            "customer_id": list(PURCHASES),
            "recency_days": [min(d for d in days if d >= 0) for days in PURCHASES.values()],
        }
    )
    frame["as_of"], frame["version"], frame["segment"], frame["rule"] = D, "monetary", "x", "x"
    upsert(ws.con, "rfm", frame)
    upsert(ws.con, "segments", frame)
    events = [
        ("b2", _at(5), "autopay_cancelled"),
        ("b6", _at(10), "refund_requested"),
        # after D: would lift b1 and b7 to medium if they leaked into the scores
        ("b1", _at(-3), "autopay_cancelled"),
        ("b7", _at(-1), "refund_requested"),
    ]
    acts = pd.DataFrame(events, columns=["customer_id", "ts", "kind"])
    acts["event_id"] = [f"e{i}" for i in range(len(acts))]
    upsert(ws.con, "activities", acts)
    nps = pd.DataFrame({"customer_id": ["b7"], "ts": [_at(-2)], "score": [0]})
    upsert(ws.con, "nps_responses", nps)


def test_levels_as_of_a_past_date_do_not_see_the_future(ws):
    _school(ws)
    rows = risk_scores(ws, D, settings=SETTINGS).to_pyarrow().to_pylist()
    assert {r["customer_id"]: r["level"] for r in rows} == LEVELS
    assert {r["customer_id"]: r["points"] for r in rows} == {
        "b1": 0,
        "b2": 45,
        "b3": 0,
        "b4": 15,
        "b5": 35,
        "b6": 20,
        "b7": 0,
    }


def test_backtest_on_a_literal_school(ws):
    _school(ws)
    bt = risk_backtest(ws, [D], horizons=(30, 60), settings=SETTINGS)
    # the last order is b3's, 40 days after D: the 30-day horizon is reached, 60 is not
    assert bt.data_until == _at(-40)
    # 30 days: b1 (day 10), b5 (day 20) and b7 (day 5) bought; b2 b3 b4 b6 churned: 4/7
    base = bt.base(30, D)
    assert (base.customers, base.churned, base.status) == (7, 4, OK)
    assert base.base_rate == pytest.approx(4 / 7)
    low, medium, high = (bt.get(lv, 30, D) for lv in ("low", "medium", "high"))
    # low b1 b3 b4 b7: b3 b4 churned -> 1/2, lift (1/2)/(4/7) = 7/8;
    # "level >= low" is everyone: precision 4/7, recall 1
    assert (low.customers, low.churned, low.churn_rate) == (4, 2, 0.5)
    assert low.lift == pytest.approx(7 / 8)
    assert (low.at_or_above, low.churned_at_or_above) == (7, 4)
    assert (low.precision, low.recall) == (pytest.approx(4 / 7), 1.0)
    # medium b5 b6: b6 churned -> 1/2, lift 7/8; ">= medium" b5 b6 b2: 2 of 3 churned,
    # recall 2 of 4
    assert (medium.customers, medium.churned, medium.churn_rate) == (2, 1, 0.5)
    assert medium.lift == pytest.approx(7 / 8)
    assert (medium.precision, medium.recall) == (pytest.approx(2 / 3), 0.5)
    # high b2 churned: 1/1, lift 7/4, precision 1, recall 1/4
    assert (high.customers, high.churned, high.churn_rate) == (1, 1, 1.0)
    assert high.lift == pytest.approx(7 / 4)
    assert (high.precision, high.recall, high.status) == (1.0, 0.25, OK)
    # 60 days: not reached -> no numbers, only the level sizes
    late = bt.get("medium", 60, D)
    assert (late.status, late.reason, late.customers, late.at_or_above) == (
        INSUFFICIENT,
        "horizon_not_reached",
        2,
        3,
    )
    assert late.churned is late.churn_rate is late.lift is late.precision is late.recall is None
    assert bt.base(60, D).churned is None
    # pooled over one date: the same numbers; 60 days pooled: nothing reached
    assert bt.get("high", 30).lift == pytest.approx(7 / 4)
    assert bt.get("low", 30).as_of is None
    assert bt.base(60).reason == "horizon_not_reached"
    # reasons (pooled): rhythm_2x b2 b5 -> 1 of 2 churned, lift 7/8; rhythm_1_5x b4
    # churned, lift 7/4; recency top b5 did not churn, lift 0
    r2x = bt.reason("rhythm_2x", 30)
    assert (r2x.customers, r2x.churned, r2x.lift) == (2, 1, pytest.approx(7 / 8))
    assert bt.reason("rhythm_1_5x", 30).lift == pytest.approx(7 / 4)
    assert bt.reason("recency_top_segment", 30).lift == 0.0
    assert (
        bt.reason("autopay_cancelled", 30).churned,
        bt.reason("refund_requested", 30).churned,
    ) == (1, 1)
    quiet = bt.reason("nps_negative", 30)  # b7's answer is after D
    assert (quiet.status, quiet.reason, quiet.customers) == (INSUFFICIENT, "never_fired", 0)
    assert bt.reason("rhythm_2x", 60).reason == "horizon_not_reached"
    assert len(bt.reasons) == 2 * len(REASONS)


def test_level_rows_without_churn_or_without_a_level():
    rows = level_rows(None, 30, {"low": (3, 0), "high": (2, 0)})
    low, medium, high = rows
    # nobody churned: rates 0, but lift and recall are undefined
    assert (low.churn_rate, low.lift, low.recall, low.status, low.reason) == (
        0.0,
        None,
        None,
        OK,
        "no_churn",
    )
    # no medium customer: no rate; ">= medium" still holds the high ones
    assert (medium.status, medium.reason, medium.churn_rate) == (INSUFFICIENT, "empty_level", None)
    assert (medium.at_or_above, medium.precision) == (2, 0.0)
    assert high.customers == 2


def test_missing_snapshots_and_bad_arguments(ws):
    _school(ws)
    early = D - dt.timedelta(days=31)
    with pytest.raises(InsufficientData, match="livebase segment"):
        risk_backtest(ws, [early], settings=SETTINGS, build_missing=False)
    # built on demand: the monetary marts of that date appear
    bt = risk_backtest(ws, [early, D], horizons=(30,), settings=SETTINGS)
    assert bt.as_ofs == (early, D)
    seg = ws.table("segments")
    # every customer but b7 (first purchase 10 days before D) had bought by then
    assert seg.filter(seg.as_of == early).count().execute() == 6
    # pooled: both dates reach 30 days
    assert bt.base(30).customers == bt.base(30, early).customers + bt.base(30, D).customers
    with pytest.raises(InputError, match="at least one"):
        risk_backtest(ws, [])
    with pytest.raises(InputError, match="horizons"):
        risk_backtest(ws, [D], horizons=(0,))


@pytest.fixture(scope="module")
def school_files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("risk")
    return simulate_school(SchoolSpec(customers=600, seed=5, end=dt.date(2025, 5, 5)), tmp)


@pytest.fixture
def school(school_files, tmp_path):
    ws = Workspace.init(tmp_path / "sim", school="Sim")
    files = school_files
    for path, preset in (
        (files.users, "getcourse-users"),
        (files.orders, "getcourse-orders"),
        (files.payments, "getcourse-payments"),
        (files.lms_events, "lms-events"),
    ):
        import_file(ws, path, preset)
    yield ws
    ws.close()


def test_simulated_school_high_risk_churns_more(school):
    ws = school
    days = backtest_dates(ws, horizon=90, count=3)
    assert len(days) == 3
    bt = risk_backtest(ws, days)  # the shipped settings
    for h in (30, 60, 90):
        low, high = bt.get("low", h), bt.get("high", h)
        assert low.status == high.status == OK
        assert high.customers >= 30  # not a handful
        assert high.churn_rate > low.churn_rate
        assert high.lift > 1 > low.lift
        assert low.recall == 1.0  # "level >= low" is everyone
        assert high.precision == high.churn_rate
        assert bt.base(h).customers == sum(
            bt.get(lv, h).customers for lv in ("low", "medium", "high")
        )


def test_simulated_scores_ignore_later_rows(school):
    """Scores of a past date on the whole store equal those on a store cut at that date."""
    ws = school
    day = dt.date(2024, 12, 31)
    build_segments(ws, day)
    before = sorted(risk_scores(ws, day).to_pyarrow().to_pylist(), key=lambda r: r["customer_id"])
    end = day_end(day).isoformat(sep=" ")
    ws.con.raw_sql(f"DELETE FROM orders WHERE coalesce(paid_at, created_at) >= TIMESTAMP '{end}'")
    for table in ("activities", "nps_responses", "payments"):
        ws.con.raw_sql(f"DELETE FROM {table} WHERE ts >= TIMESTAMP '{end}'")
    build_segments(ws, day)
    after = sorted(risk_scores(ws, day).to_pyarrow().to_pylist(), key=lambda r: r["customer_id"])
    assert len(after) == len(before) > 100
    assert after == before
