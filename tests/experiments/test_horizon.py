"""Long-horizon metrics per arm (seed 000 "Долгосрочные метрики") on a small literal store.

Seed 000 reports only differences for the long horizon (repeat purchases +0.7 p.p., refund
rate −0.5 p.p., LTV +4.2 %, churn −0.8…−1.0 p.p. for "value" vs control) without the arm
sizes or rates behind them, so there is no seed number to reproduce; the store below is
built by hand and every number is derived in a comment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from scipy import stats

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.experiments import (
    REASONS,
    HorizonAggregate,
    horizon_aggregates,
    horizon_metrics,
    horizon_readout,
    newcombe_interval,
    wilson_interval,
)
from livebase.experiments.horizon import (
    data_until,
    horizon_customers_expr,
    horizon_reached,
)

D = Decimal
START = dt.date(2025, 3, 1)  # +90 days = 30 May 2025, +180 days = 28 August 2025


def ts(day: int, hour: int = 12) -> dt.datetime:
    """``day`` days after the wave start (day 0 = 1 March 2025), at ``hour`` UTC."""
    return dt.datetime(2025, 3, 1, hour) + dt.timedelta(days=day)


def order(oid, customer, day, amount, *, status="paid", refunded=None, product="course-a", at=None):
    paid_at = at or ts(day)
    return {
        "order_id": oid,
        "customer_id": customer,
        "paid_at": paid_at,
        "created_at": paid_at,
        "amount": D(amount),
        "refunded_amount": None if refunded is None else D(refunded),
        "status": status,
        "currency": "RUB",
        "category": "course",
        "product_id": product,
    }


def act(eid, customer, day, kind):
    return {"event_id": eid, "customer_id": customer, "ts": ts(day), "kind": kind}


WAVES = [
    {"wave_id": "w1", "starts_on": START, "days": 14, "arms": "control,value,discount"},
    {"wave_id": "w2", "starts_on": START, "days": 14, "arms": "control,value"},
]
ASSIGNMENTS = [
    *({"wave_id": "w1", "customer_id": c, "arm": "control"} for c in ("c1", "c2", "c3", "c4")),
    *({"wave_id": "w1", "customer_id": c, "arm": "value"} for c in ("v1", "v2", "v3", "v4")),
    # c4 in another wave must not leak into w1
    {"wave_id": "w2", "customer_id": "c4", "arm": "value"},
]
ORDERS = [
    # c1: the same product and amount 8 days apart — not a duplicate (gap > 7 days):
    # 2 counted purchases in 90 days (a repeater), net 6000
    order("c1a", "c1", 5, "3000.00"),
    order("c1b", "c1", 13, "3000.00"),
    # c2: a repeat payment 3 days later of the same product and amount is a duplicate:
    # 1 counted purchase (not a repeater), net 4000 — though both are paid orders
    order("c2a", "c2", 10, "4000.00"),
    order("c2b", "c2", 13, "4000.00"),
    # c3: a purchase on day 100, after 90 days but within 180: active, net 1000
    order("c3a", "c3", 100, "1000.00"),
    # c4: nothing (one learning activity only, see below)
    # v1: fully refunded on day 2 (not a purchase, net 0), then two products on days 20
    # and 30: 2 counted purchases, net 0 + 3000 + 1000 = 4000
    order("v1a", "v1", 2, "5000.00", status="refunded", refunded="5000.00"),
    order("v1b", "v1", 20, "3000.00"),
    order("v1c", "v1", 30, "1000.00", product="course-b"),
    # v2: partly refunded (500 of 2000, still paid) and another product on day 60:
    # 2 counted purchases, net 1500 + 2000 = 3500
    order("v2a", "v2", 1, "2000.00", refunded="500.00"),
    order("v2b", "v2", 60, "2000.00", product="course-b"),
    # v3: orders that took no money do not count anywhere
    order("v3a", "v3", 15, "900.00", status="pending"),
    order("v3b", "v3", 16, "900.00", status="cancelled"),
    # v4: before the wave, and on day 180 at 00:00 (the horizon's end is exclusive)
    order("v4a", "v4", -5, "2000.00"),
    order("v4b", "v4", 180, "2000.00", at=dt.datetime(2025, 8, 28)),
    # someone outside the wave: their order on 1 September is the end of the data
    order("x9", "x9", 0, "100.00", at=dt.datetime(2025, 9, 1, 9)),
]
ACTIVITIES = [
    act("a1", "c4", 3, "lesson_start"),  # c4: one learning activity → churned
    act("a2", "v3", 10, "lesson_finish"),  # v3: two learning activities, no purchase
    act("a3", "v3", 50, "webinar_attended"),  # → not churned
    act("a4", "v4", -3, "lesson_start"),  # v4: before the wave
    act("a5", "v4", 5, "course_start"),  # the only one in the window
    act("a6", "v4", 6, "login"),  # logins are not learning
    act("a7", "v4", 7, "login"),
    act("a8", "v4", 200, "lesson_finish"),  # after 180 days
]


@pytest.fixture
def store(make_store):
    return make_store(
        {"waves": WAVES, "assignments": ASSIGNMENTS, "orders": ORDERS, "activities": ACTIVITIES}
    )


def test_per_customer_rows(store):
    rows = (
        horizon_customers_expr(store, "w1", START, PurchaseRules())
        .order_by("customer_id")
        .to_pyarrow()
        .to_pylist()
    )
    got = {
        r["customer_id"]: (r["purchases_90"], r["purchases_180"], r["net_180"], r["learning_180"])
        for r in rows
    }
    assert got == {
        "c1": (2, 2, D("6000.00"), 0),
        "c2": (1, 1, D("4000.00"), 0),  # the duplicate is neither a purchase nor money
        "c3": (0, 1, D("1000.00"), 0),
        "c4": (0, 0, D("0.00"), 1),
        "v1": (2, 2, D("4000.00"), 0),  # the refunded order is not a purchase, net 0
        "v2": (2, 2, D("3500.00"), 0),
        "v3": (0, 0, D("0.00"), 2),
        "v4": (0, 0, D("0.00"), 1),
    }


def test_aggregates(store):
    aggs = {a.arm: a for a in horizon_aggregates(store, "w1")}
    assert list(aggs) == ["control", "value", "discount"]
    # control: repeater c1; paid orders in 90 days c1a, c1b, c2a, c2b (the duplicate is
    # still an order) = 4, none refunded; LTV 6000 + 4000 + 1000 + 0 = 11 000, squares
    # 36e6 + 16e6 + 1e6 = 53e6; active c1, c2, c3 (purchases)
    assert aggs["control"] == HorizonAggregate("control", 4, 1, 4, 0, D("11000.00"), 53e6, 3)
    # value: repeaters v1, v2; paid orders v1a (refunded), v1b, v1c, v2a (partly refunded),
    # v2b = 5, refunded 2; LTV 4000 + 3500 = 7500, squares 16e6 + 12.25e6 = 28.25e6;
    # active v1, v2 (purchases) and v3 (two learning activities)
    assert aggs["value"] == HorizonAggregate("value", 4, 2, 5, 2, D("7500.00"), 28.25e6, 3)
    # planned but nobody assigned
    assert aggs["discount"] == HorizonAggregate("discount", 0, 0, 0, 0, D("0.00"), 0.0, 0)


def test_metrics_vs_control(store):
    res = horizon_metrics(store, "w1")
    assert res.wave_id == "w1"
    assert res.data_until == dt.datetime(2025, 9, 1, 9)
    assert res.reached(90)
    assert res.reached(180)

    # repeat 90: control 1/4 = 25 %, value 2/4 = 50 % → +25 p.p.
    rep = res.get("repeat_90", "value")
    assert (rep.status, rep.count, rep.base, rep.rate) == ("ok", 2, 4, 0.5)
    assert rep.diff_pp == pytest.approx(25.0)
    low, high = newcombe_interval(2, 4, 1, 4)
    assert rep.diff_ci_pp == pytest.approx((low * 100, high * 100), rel=1e-12)
    assert rep.rate_ci == wilson_interval(2, 4)
    ctrl = res.get("repeat_90", "control")
    assert (ctrl.status, ctrl.rate, ctrl.diff_pp) == ("control", 0.25, None)

    # refund 90: control 0/4 = 0, value 2/5 = 40 % → +40 p.p.
    ref = res.get("refund_90", "value")
    assert (ref.count, ref.base, ref.rate) == (2, 5, 0.4)
    assert ref.diff_pp == pytest.approx(40.0)
    low, high = newcombe_interval(2, 5, 0, 4)
    assert ref.diff_ci_pp == pytest.approx((low * 100, high * 100), rel=1e-12)

    # churn 180: control c4 of 4 = 25 %; value v4 of 4 = 25 % (v3 learns, v4 does not)
    churn = res.get("churn_180", "value")
    assert (churn.count, churn.base, churn.rate, churn.diff_pp) == (1, 4, 0.25, 0.0)
    assert res.get("churn_180", "control").rate == 0.25

    # LTV 180: control 11 000 / 4 = 2750.00, value 7500 / 4 = 1875.00;
    # uplift = (1875 / 2750 − 1) × 100 = −31.8181…%
    ltv = res.get("ltv_180", "value")
    assert (ltv.status, ltv.n, ltv.total, ltv.ltv) == ("ok", 4, D("7500.00"), D("1875.00"))
    assert ltv.uplift_pct == pytest.approx(-31.818181818181817, rel=1e-12)
    assert res.get("ltv_180", "control").ltv == D("2750.00")

    # Welch on the per-customer LTVs, the same as scipy's unequal-variance t-test
    expected = stats.ttest_ind([4000, 3500, 0, 0], [6000, 4000, 1000, 0], equal_var=False)
    assert ltv.welch.status == "ok"
    assert ltv.welch.diff == pytest.approx(1875 - 2750)
    assert ltv.welch.t == pytest.approx(float(expected.statistic), rel=1e-9)
    assert ltv.welch.p_value == pytest.approx(float(expected.pvalue), rel=1e-9)

    # the empty planned arm
    for metric in ("repeat_90", "refund_90", "churn_180", "ltv_180"):
        empty = res.get(metric, "discount")
        assert (empty.status, empty.reason) == ("insufficient_data", "empty_arm")


def test_horizon_not_reached(make_store):
    # the data end on 29 May 2025 09:00: 90 days from 1 March end on 30 May → not reached
    orders = [o for o in ORDERS if o["order_id"] not in {"x9", "v4b", "c3a"}]
    orders.append(order("x9", "x9", 0, "100.00", at=dt.datetime(2025, 5, 29, 9)))
    con = make_store(
        {"waves": WAVES, "assignments": ASSIGNMENTS, "orders": orders, "activities": ACTIVITIES}
    )
    res = horizon_metrics(con, "w1")
    assert not res.reached(90)
    for metric in ("repeat_90", "refund_90", "churn_180", "ltv_180"):
        for item in getattr(res, metric):
            assert (item.status, item.reason) == ("insufficient_data", "horizon_not_reached")
    # never a partial number: no counts, no rates, no LTV
    rep = res.get("repeat_90", "value")
    assert (rep.count, rep.base, rep.rate, rep.diff_pp) == (None, None, None, None)
    ltv = res.get("ltv_180", "value")
    assert (ltv.total, ltv.ltv, ltv.uplift_pct, ltv.welch) == (None, None, None, None)
    assert rep.n == 4  # the arm size is known
    assert "horizon_not_reached" in REASONS

    # a pending order created on 30 May moves the end of the data: 90 days reached,
    # 180 not
    orders.append(
        {
            **order("p1", "x9", 0, "50.00", status="pending"),
            "paid_at": None,
            "created_at": dt.datetime(2025, 5, 30, 1),
        }
    )
    con = make_store(
        {"waves": WAVES, "assignments": ASSIGNMENTS, "orders": orders, "activities": ACTIVITIES}
    )
    assert data_until(con) == dt.datetime(2025, 5, 30, 1)
    res = horizon_metrics(con, "w1")
    assert res.get("repeat_90", "value").status == "ok"
    assert res.get("refund_90", "value").status == "ok"
    assert res.get("churn_180", "value").reason == "horizon_not_reached"
    assert res.get("ltv_180", "value").reason == "horizon_not_reached"


def test_no_orders_at_all(make_store):
    con = make_store({"waves": WAVES, "assignments": ASSIGNMENTS, "activities": []})
    assert data_until(con) is None
    res = horizon_metrics(con, "w1")
    assert res.get("churn_180", "control").reason == "horizon_not_reached"


def test_horizon_reached_boundaries():
    # 1 March + 90 days = 30 May: data on 30 May (any time) cover the whole window
    assert horizon_reached(START, 90, dt.datetime(2025, 5, 30, 0, 0))
    assert not horizon_reached(START, 90, dt.datetime(2025, 5, 29, 23, 59, 59))
    assert not horizon_reached(START, 90, None)


def test_statuses_from_aggregates():
    until = dt.datetime(2026, 1, 1)
    aggs = [
        HorizonAggregate("control", 100, 5, 0, 0, D("0.00"), 0.0, 30),
        HorizonAggregate("value", 100, 8, 10, 1, D("5000.00"), 5e6, 40),
        HorizonAggregate("discount", 100, 8, 0, 0, D("0.00"), 0.0, 40),
    ]
    res = horizon_readout(aggs, starts_on=START, data_until=until)
    # the control has no paid orders: its refund rate and every comparison are undefined
    assert res.get("refund_90", "control").reason == "no_orders"
    assert res.get("refund_90", "value").reason == "no_control_orders"
    assert res.get("refund_90", "value").rate == 0.1  # the arm's own rate stays
    assert res.get("refund_90", "discount").reason == "no_orders"
    # LTV of the control is 0: no relative uplift, but the means and Welch's test exist
    ltv = res.get("ltv_180", "value")
    assert (ltv.status, ltv.reason, ltv.uplift_pct) == (
        "insufficient_data",
        "zero_control_ltv",
        None,
    )
    assert ltv.ltv == D("50.00")
    assert ltv.welch.status == "ok"
    for code in ("no_orders", "no_control_orders", "zero_control_ltv"):
        assert code in REASONS


def test_bad_input():
    agg = HorizonAggregate("control", 10, 1, 1, 0, D("0.00"), 0.0, 1)
    with pytest.raises(InputError, match="no control arm"):
        horizon_readout([agg], starts_on=START, data_until=None, control="ctl")
    with pytest.raises(InputError, match="alpha"):
        horizon_readout([agg], starts_on=START, data_until=None, alpha=0)
    with pytest.raises(InputError, match="repeat"):
        horizon_readout([agg, agg], starts_on=START, data_until=None)
    with pytest.raises(InputError):
        HorizonAggregate("x", 10, 11, 0, 0, D("0.00"), 0.0, 0)
    with pytest.raises(InputError):
        HorizonAggregate("x", 10, 1, 1, 2, D("0.00"), 0.0, 0)
