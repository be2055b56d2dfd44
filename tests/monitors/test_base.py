"""Period monitors on tiny literal stores; expected values derived in the comments."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from statsmodels.stats._delta_method import NonlinearDeltaCov
from statsmodels.stats.proportion import proportion_confint

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.monitors.base import (
    WaveSpan,
    active_aov,
    coupon_only,
    coupon_wait,
    relative_change_interval,
    running_intervals,
)
from tests.monitors.monitor_rows import (
    D,
    T,
    put_activities,
    put_assignments,
    put_messages,
    put_orders,
    put_paid,
    put_wave,
)

RULES = PurchaseRules()
START, END = D(2025, 3, 1), D(2025, 4, 1)
W = "R90-2025-03-10"


def _delta_ci(during: list[float], before: list[float]) -> tuple[float, np.ndarray]:
    """An independent computation from the raw values: statsmodels' numerical delta
    method on ``mean_d / mean_b − 1`` with the two means' variances ``s² / n``."""
    d, b = np.asarray(during, float), np.asarray(before, float)
    cov = np.diag([d.var(ddof=1) / len(d), b.var(ddof=1) / len(b)])
    nl = NonlinearDeltaCov(
        lambda p: np.atleast_1d(p[0] / p[1] - 1), np.array([d.mean(), b.mean()]), cov
    )
    return float(nl.predicted()[0]), nl.conf_int(alpha=0.05)[0]


# ---- AOV of active customers ----------------------------------------------------------


def _aov_store(ws, before: list[float], during: list[float]) -> None:
    """Wave W runs 03-10 … 03-14 (5 days), so *before* is 03-05 … 03-09; the active
    customers bought on 01-15 (the 90 days before 03-01 start on 2024-12-01)."""
    put_wave(ws, W, D(2025, 3, 10), 5)
    put_assignments(ws, W, [("m1", "holdout"), ("m2", "value")])
    n = max(len(before), len(during))
    rows: list[tuple] = [(f"a{i}", T(2025, 1, 15), 5000) for i in range(n)]
    rows += [(f"a{i}", T(2025, 3, 5, i % 24), v) for i, v in enumerate(before)]
    rows += [(f"a{i}", T(2025, 3, 14, i % 24), v) for i, v in enumerate(during)]
    rows += [
        ("m1", T(2025, 1, 15), 5000),  # active but assigned (holdout): left out
        ("m1", T(2025, 3, 11), 10000),
        ("m2", T(2025, 1, 16), 5000),
        ("m2", T(2025, 3, 6), 10000),
        ("n1", T(2025, 3, 6), 10000),  # not active before 03-01
        ("n1", T(2025, 3, 11), 10000),
        ("old", T(2024, 11, 30, 23), 5000),  # bought just before the 90 days
        ("old", T(2025, 3, 12), 10000),
        ("a0", T(2025, 3, 4, 23, 59), 10000),  # the day before *before*
        ("a0", T(2025, 3, 15, 0), 10000),  # the day after the wave
        ("a0", T(2025, 4, 1), 10000),  # after the period
    ]
    put_paid(ws, rows)


def test_aov_rise_within_noise_is_ok(ws):
    # before 90, 100, 110 (mean 100, s² 100); during 100, 110 and 150 refunded 30 → net
    # 120 (mean 110, s² 100): +10 %, interval 0.1 ± 1.959964·0.085829 = [-0.0682, 0.2682]
    # reaches inside ±0.3 %: no alert
    _aov_store(ws, [90, 100, 110], [100, 110])
    put_orders(
        ws,
        [
            {
                "order_id": "refund",
                "customer_id": "a2",
                "paid_at": T(2025, 3, 13),
                "amount": 150,
                "refunded_amount": 30,
                "product_id": "r",
            }
        ],
    )
    r = active_aov(ws.con, start=START, end=END, rules=RULES, waves=[W], min_sample=3)
    assert (r.key, r.scope, r.status) == ("active_aov", "base", "ok")
    assert r.value == pytest.approx(0.1)
    assert (r.numerator, r.denominator) == (110.0, 100.0)
    assert r.interval == pytest.approx((-0.068222, 0.268222), abs=1e-6)
    value, ci = _delta_ci([100, 110, 120], [90, 100, 110])
    assert r.value == pytest.approx(value)
    assert r.interval == pytest.approx(tuple(ci))
    d = r.detail
    assert d["during"] == [["2025-03-10", "2025-03-15"]]
    assert d["before"] == ["2025-03-05", "2025-03-10"]
    assert (d["purchases_during"], d["purchases_before"], d["active_customers"]) == (3, 3, 3)


@pytest.mark.parametrize(
    ("before", "during", "status"),
    [
        # +10 %: se = sqrt((2/3)/(4·100²) + 110²·(8/3)/(4·100⁴)) = 0.0098658, [0.0807, 0.1193]
        ([100, 100, 102, 98], [110, 111, 109, 110], "alert"),
        # −10 %: the whole interval below −0.3 %
        ([100, 100, 102, 98], [90, 91, 89, 90], "alert"),
        # +0.1 % without any spread: the interval is the point, inside ±0.3 %
        ([1000, 1000, 1000], [1001, 1001, 1001], "ok"),
        # +0.4 % without any spread: outside ±0.3 %
        ([1000, 1000, 1000], [1004, 1004, 1004], "alert"),
    ],
)
def test_aov_alerts_when_the_whole_interval_is_outside_the_tolerance(ws, before, during, status):
    _aov_store(ws, before, during)
    r = active_aov(
        ws.con, start=START, end=END, rules=RULES, waves=[W], tolerance=0.003, min_sample=3
    )
    assert r.status == status
    value, ci = _delta_ci(during, before)
    assert r.value == pytest.approx(value)
    assert r.interval == pytest.approx(tuple(ci))


def test_aov_with_too_few_purchases_is_insufficient(ws):
    _aov_store(ws, [90, 100, 110], [100, 110, 120])
    r = active_aov(ws.con, start=START, end=END, rules=RULES, waves=[W], min_sample=4)
    assert (r.status, r.reason, r.value, r.interval) == (
        "insufficient_data",
        "too_few_purchases",
        None,
        None,
    )
    assert r.detail["purchases_during"] == 3


def test_aov_without_revenue_before_is_insufficient(ws):
    # two fully refunded payments still marked paid: counted purchases with net 0
    _aov_store(ws, [], [100, 110])
    put_orders(
        ws,
        [
            {
                "order_id": f"z{i}",
                "customer_id": "a0",
                "paid_at": T(2025, 3, 6 + i),
                "amount": 100 + i,
                "refunded_amount": 100 + i,
                "product_id": f"z{i}",
            }
            for i in range(2)
        ],
    )
    r = active_aov(ws.con, start=START, end=END, rules=RULES, waves=[W], min_sample=2)
    assert (r.status, r.reason) == ("insufficient_data", "no_revenue_before")


def test_aov_without_a_running_wave_is_insufficient(ws):
    _aov_store(ws, [90, 100, 110], [100, 110, 120])
    put_wave(ws, "april", D(2025, 4, 1), 14)
    for waves in ([], ["april"]):
        r = active_aov(ws.con, start=START, end=END, rules=RULES, waves=waves, min_sample=3)
        assert (r.status, r.reason) == ("insufficient_data", "no_waves")
    with pytest.raises(InputError, match="no wave 'nope'"):
        active_aov(ws.con, start=START, end=END, rules=RULES, waves=["nope"])
    with pytest.raises(InputError, match="list of wave ids"):
        active_aov(ws.con, start=START, end=END, rules=RULES, waves=W)


def test_aov_days_of_several_waves(ws):
    # W 03-10 … 03-14 and W2 03-12 … 03-16 run on 03-10 … 03-16 (7 days); before is
    # 03-03 … 03-09; W2's members are left out too
    _aov_store(ws, [90, 100, 110], [100, 110, 120])
    put_wave(ws, "W2", D(2025, 3, 12), 5)
    put_assignments(ws, "W2", [("a2", "control")])
    r = active_aov(ws.con, start=START, end=END, rules=RULES, waves=[W, "W2"], min_sample=2)
    assert r.detail["during"] == [["2025-03-10", "2025-03-17"]]
    assert r.detail["during_days"] == 7
    assert r.detail["before"] == ["2025-03-03", "2025-03-10"]
    # a2 is out; during: a0 100, a1 110 and a0's 10 000 of 03-15; before: a0 90, a1 100
    # and a0's 10 000 of 03-04
    assert (r.detail["purchases_during"], r.detail["purchases_before"]) == (3, 3)
    assert r.numerator == pytest.approx(10210 / 3)
    assert r.denominator == pytest.approx(10190 / 3)
    assert r.value == pytest.approx(10210 / 10190 - 1)


def test_relative_change_interval_rejects_impossible_input():
    with pytest.raises(InputError, match="at least two"):
        relative_change_interval(1, 10, 100, 3, 30, 300)
    with pytest.raises(InputError, match="positive"):
        relative_change_interval(2, 10, 50, 2, 0, 0)


def test_running_intervals_clip_to_the_period():
    spans = [WaveSpan("a", D(2025, 2, 25), 10), WaveSpan("b", D(2025, 3, 31), 3)]
    assert running_intervals(spans, START, END) == (
        (D(2025, 3, 1), D(2025, 3, 7)),
        (D(2025, 3, 31), D(2025, 4, 1)),
    )


def test_period_must_be_dates_in_order(ws):
    with pytest.raises(InputError, match="empty"):
        coupon_only(ws.con, start=END, end=START, rules=RULES)
    with pytest.raises(InputError, match="must be a date"):
        coupon_only(ws.con, start=dt.datetime(2025, 3, 1), end=END, rules=RULES)


# ---- coupon-only buyers ---------------------------------------------------------------


def _coupon_only_store(ws) -> None:
    # the span is [2024-03-01, 2025-04-01) (365 days before 2025-03-01)
    put_paid(
        ws,
        [
            ("b1", T(2024, 6, 1), 1000, 100),  # b1: two discounted purchases → coupon-only
            ("b1", T(2025, 3, 10), 1100, 50),
            ("b2", T(2024, 6, 1), 1000, 100),  # b2: one of two discounted
            ("b2", T(2025, 3, 10), 1100),
            ("b3", T(2024, 6, 1), 1000),  # b3: three full-price purchases
            ("b3", T(2024, 9, 1), 1100),
            ("b3", T(2025, 3, 10), 1200),
            ("b4", T(2025, 3, 10), 1000, 100),  # b4: one purchase only
            ("b5", T(2024, 2, 29, 23), 1000, 100),  # b5: first one before the span
            ("b5", T(2025, 3, 10), 1100, 100),
            ("b6", T(2024, 6, 1), 1000, 100),  # b6: two discounted + a refunded one
            ("b6", T(2024, 7, 1), 1100, 100),
            ("b6", T(2024, 8, 1), 1200, 0, {"status": "refunded", "refunded_amount": 1200}),
            ("b7", T(2025, 4, 1), 1000),  # b7: its full-price purchase is after the period
            ("b7", T(2024, 6, 1), 1000, 100),
            ("b7", T(2024, 7, 1), 1100, 100),
            # b8: one plan in two discounted installments is one purchase
            ("b8", T(2024, 6, 1), 500, 50, {"plan_id": "plan-b8"}),
            ("b8", T(2024, 7, 1), 600, 50, {"plan_id": "plan-b8"}),
        ],
    )


@pytest.mark.parametrize(
    ("threshold", "status"),
    # repeat buyers b1, b2, b3, b6, b7; coupon-only b1, b6, b7: 3 / 5 = 60 %
    [(0.15, "alert"), (0.59, "alert"), (0.6, "ok"), (0.61, "ok")],  # 60 % is not above 60 %
)
def test_coupon_only_share(ws, threshold, status):
    _coupon_only_store(ws)
    r = coupon_only(ws.con, start=START, end=END, rules=RULES, threshold=threshold, min_sample=5)
    assert (r.key, r.scope, r.status) == ("coupon_only", "base", status)
    assert (r.numerator, r.denominator, r.value) == (3, 5, 0.6)
    assert r.interval == pytest.approx(proportion_confint(3, 5, method="wilson"))
    assert r.detail["span_from"] == "2024-03-01"


def test_coupon_only_with_few_buyers_is_insufficient(ws):
    _coupon_only_store(ws)
    r = coupon_only(ws.con, start=START, end=END, rules=RULES, min_sample=6)
    assert (r.status, r.reason, r.value) == ("insufficient_data", "too_few_buyers", None)
    assert (r.numerator, r.denominator) == (3, 5)


# ---- purchases that waited for a coupon -----------------------------------------------

MSG = T(2025, 3, 5, 10)  # the first discount message; the 30-day lookback starts 02-03 10:00


def _pending(customer: str, created: dt.datetime, status: str = "pending") -> tuple:
    return (customer, None, 1000, 0, {"created_at": created, "status": status})


def _coupon_wait_store(ws) -> None:
    put_wave(ws, W, D(2025, 3, 5), 14)
    discount = [f"d{i}" for i in (1, 2, 3, 4, 5, 6, 8, 9, 10)]
    put_messages(
        ws,
        [(W, c, "sent", MSG, "discount") for c in discount]
        + [
            (W, "d3", "sent", T(2025, 3, 20), "discount"),
            (W, "d7", "sent", MSG, "value"),  # not a discount
            (None, "d11", "sent", MSG, "discount"),  # not a wave message
            (W, "d12", "opened", MSG, "discount"),  # not sent
        ],
    )
    put_paid(
        ws,
        [
            _pending("d1", T(2025, 2, 20)),  # d1: an open order 02-20 → waited
            ("d1", T(2025, 3, 7), 900, 100),
            ("d2", T(2025, 3, 8), 900, 100),  # d2: invoice_pending 03-01 → waited
            ("d3", T(2025, 3, 9), 900, 100),  # d3: no intent
            _pending("d4", T(2025, 2, 3, 9)),  # d4: open order before the lookback
            ("d4", T(2025, 3, 10), 900, 100),
            _pending("d5", T(2025, 2, 20)),  # d5: paid before the message: not counted
            ("d5", T(2025, 3, 3), 900, 100),
            _pending("d6", T(2025, 2, 20)),  # d6: paid full price: not counted
            ("d6", T(2025, 3, 7), 1000),
            _pending("d7", T(2025, 2, 20)),  # d7: no discount message: not counted
            ("d7", T(2025, 3, 7), 900, 100),
            # d8: ordered 02-25, paid with the coupon after the message → waited
            ("d8", T(2025, 3, 6), 900, 100, {"created_at": T(2025, 2, 25)}),
            _pending("d9", T(2025, 2, 20), "cancelled"),  # d9: a cancelled order only
            ("d9", T(2025, 3, 12), 900, 100),
            ("d10", T(2025, 2, 28), 900, 100),  # d10: before the period
            ("d10", T(2025, 3, 12), 800, 100),  # invoice after the message → not waited
            _pending("d11", T(2025, 2, 20)),
            ("d11", T(2025, 3, 7), 900, 100),
            _pending("d12", T(2025, 2, 20)),
            ("d12", T(2025, 3, 7), 900, 100),
        ],
    )
    put_activities(
        ws,
        [
            ("d2", "invoice_pending", T(2025, 3, 1)),
            ("d10", "invoice_pending", T(2025, 3, 6)),
            ("d3", "lesson_completed", T(2025, 3, 1)),
        ],
    )


def test_coupon_wait_share(ws):
    # counted: d1, d2, d3, d4, d8, d9, d10 (7); waited: d1, d2, d8 (3): 3 / 7 > 10 %
    _coupon_wait_store(ws)
    r = coupon_wait(ws.con, start=START, end=END, rules=RULES, threshold=0.1, min_sample=7)
    assert (r.key, r.status, r.numerator, r.denominator) == ("coupon_wait", "alert", 3, 7)
    assert r.value == pytest.approx(3 / 7)
    assert r.interval == pytest.approx(proportion_confint(3, 7, method="wilson"))
    r = coupon_wait(ws.con, start=START, end=END, rules=RULES, threshold=0.5, min_sample=7)
    assert r.status == "ok"


def test_coupon_wait_lookback(ws):
    # a 35-day lookback (from 01-29 10:00) also catches d4's order of 02-03 09:00: 4 / 7
    _coupon_wait_store(ws)
    r = coupon_wait(ws.con, start=START, end=END, rules=RULES, min_sample=7, lookback_days=35)
    assert (r.numerator, r.denominator) == (4, 7)


def test_coupon_wait_with_few_purchases_is_insufficient(ws):
    _coupon_wait_store(ws)
    r = coupon_wait(ws.con, start=START, end=END, rules=RULES, min_sample=8)
    assert (r.status, r.reason, r.value) == ("insufficient_data", "too_few_purchases", None)
    assert (r.numerator, r.denominator) == (3, 7)
