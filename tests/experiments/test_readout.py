"""Readout per arm: pinned example, statuses instead of fake numbers, invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportions_ztest

from livebase.errors import InputError
from livebase.experiments import REASONS, ArmAggregate, readout

D = Decimal


def agg(arm, n, conversions, orders=None, revenue="0.00", sumsq=None):
    """An arm; by default its revenue is spread evenly over its payers, so the sum of
    squares is revenue² / payers (consistent with the sum: at least revenue² / n)."""
    orders = conversions if orders is None else orders
    if sumsq is None:
        sumsq = float(D(revenue)) ** 2 / conversions if conversions else 0.0
    return ArmAggregate(arm, n, conversions, orders, D(revenue), sumsq)


@pytest.fixture
def classic():
    # control 32/1000 paying 95 000 ₽ in 33 orders, value 49/1000 paying 150 000 ₽ in 52
    return readout(
        [
            agg("control", 1000, 32, 33, "95000.00"),
            agg("value", 1000, 49, 52, "150000.00"),
        ]
    )


def test_pinned_value_vs_control(classic):
    value = classic.arm("value")
    assert value.status == "ok"
    assert value.reason is None
    assert value.rate == 0.049
    assert value.rate_ci == pytest.approx((0.0372610, 0.0641907), abs=1e-7)
    # uplift = (0.049 - 0.032) × 100 = 1.7 pp; Newcombe interval ×100
    assert value.uplift_pp == pytest.approx(1.7)
    assert value.uplift_ci_pp == pytest.approx((-0.0386, 3.4782), abs=1e-4)
    # pooled z = 1.928341 -> two-sided p = 0.053813
    assert value.p_value == pytest.approx(0.053813, abs=1e-6)
    # 150 000 / 1000 assigned = 150.00; 150 000 / 52 orders = 2884.615... -> 2884.62
    assert value.revenue_per_assigned == D("150.00")
    assert value.aov == D("2884.62")
    assert isinstance(value.revenue_per_assigned, Decimal)


def test_control_row(classic):
    control = classic.arm("control")
    assert (control.status, control.is_control) == ("control", True)
    assert control.rate == 0.032
    assert control.rate_ci == pytest.approx((0.0227571, 0.0448247), abs=1e-7)
    # no comparison with itself: unknown, not 0 and not p = 1
    assert (control.uplift_pp, control.uplift_ci_pp, control.p_value) == (None, None, None)
    assert control.revenue_per_assigned == D("95.00")
    assert control.aov == D("2878.79")  # 95 000 / 33 = 2878.7878...
    assert classic.confidence == pytest.approx(0.95)
    assert "Newcombe" in classic.test


def test_arm_with_nobody_assigned():
    res = readout([agg("control", 1000, 32), agg("discount", 0, 0)])
    discount = res.arm("discount")
    assert (discount.status, discount.reason) == ("insufficient_data", "empty_arm")
    assert discount.rate is None  # not 0 %
    assert discount.rate_ci is None
    assert discount.uplift_pp is None  # not -3.2 pp
    assert discount.p_value is None  # not 1
    assert discount.revenue_per_assigned is None
    assert discount.aov is None


def test_empty_control_makes_every_comparison_insufficient():
    res = readout([agg("control", 0, 0), agg("value", 500, 20)])
    control, value = res.arms
    assert (control.status, control.reason, control.is_control) == (
        "insufficient_data",
        "empty_arm",
        True,
    )
    assert (value.status, value.reason) == ("insufficient_data", "empty_control")
    assert value.rate == 0.04  # the arm's own rate is still known
    assert (value.uplift_pp, value.uplift_ci_pp, value.p_value) == (None, None, None)


def test_no_conversions_anywhere_has_no_p_value():
    res = readout([agg("control", 400, 0), agg("value", 500, 0)])
    value = res.arm("value")
    assert (value.status, value.reason, value.p_value) == (
        "insufficient_data",
        "no_conversions",
        None,
    )
    # what is known stays: both rates are 0 with Wilson intervals, and the Newcombe
    # interval still bounds the difference. The Wilson upper bound of 0/n is
    # z²/(n + z²): 3.8415/403.8415 = 0.9513 % for control, 3.8415/503.8415 = 0.7624 %
    # for value, so the interval is [0 - 0.9513, 0 + 0.7624] pp
    assert value.rate == 0.0
    assert value.uplift_pp == 0.0
    assert value.uplift_ci_pp == pytest.approx((-0.9513, 0.7625), abs=1e-3)
    assert value.aov is None  # no orders: no average check


def test_everyone_converted_has_no_p_value():
    res = readout([agg("control", 10, 10), agg("value", 12, 12)])
    value = res.arm("value")
    assert (value.status, value.reason, value.p_value) == (
        "insufficient_data",
        "all_converted",
        None,
    )


def test_arm_without_conversions_against_a_converting_control_is_ok():
    res = readout([agg("control", 1000, 30), agg("value", 1000, 0)])
    value = res.arm("value")
    assert value.status == "ok"
    assert value.rate == 0.0
    assert value.uplift_pp == pytest.approx(-3.0)
    assert value.p_value < 1e-6
    assert value.aov is None


def test_planned_weights_add_an_srm_check(classic):
    assert classic.srm is None
    res = readout(
        [agg("control", 130, 4), agg("value", 870, 40)],
        planned_weights={"control": 0.1, "value": 0.9},
    )
    assert res.srm is not None
    assert res.srm.chi2 == pytest.approx(10.0)
    assert res.srm.status == "ok"


def test_named_control_and_alpha():
    res = readout([agg("holdout", 1000, 32), agg("value", 1000, 49)], control="holdout", alpha=0.1)
    assert res.arm("holdout").status == "control"
    # the 90 % interval excludes 0 while the 95 % one does not (low = -0.04 pp)
    assert res.arm("value").uplift_ci_pp[0] > 0
    assert res.alpha == 0.1


@pytest.mark.parametrize(
    ("arms", "kwargs", "message"),
    [
        ([agg("a", 10, 1), agg("b", 10, 1)], {}, "no control arm 'control'"),
        ([agg("control", 10, 1), agg("control", 10, 1)], {}, "repeat"),
        ([agg("control", 10, 1)], {"alpha": 0}, "alpha"),
    ],
)
def test_bad_calls_are_input_errors(arms, kwargs, message):
    with pytest.raises(InputError, match=message):
        readout(arms, **kwargs)


def test_unknown_arm_lookup_is_a_key_error(classic):
    with pytest.raises(KeyError):
        classic.arm("nope")


@st.composite
def aggregates(draw):
    def one(arm):
        n = draw(st.integers(min_value=0, max_value=5000))
        conv = draw(st.integers(min_value=0, max_value=n))
        orders = draw(st.integers(min_value=conv, max_value=conv * 3))
        revenue = draw(st.decimals(min_value=0, max_value=10**7, places=2))
        return agg(arm, n, conv, orders, str(revenue) if orders else "0.00")

    return [one("control"), *(one(f"arm{i}") for i in range(draw(st.integers(1, 3))))]


@given(aggregates())
def test_statuses_are_consistent_with_the_numbers(aggs):
    res = readout(aggs)
    for arm, source in zip(res.arms, aggs, strict=True):
        assert (arm.rate is None) == (source.n == 0)
        assert (arm.aov is None) == (source.orders == 0)
        if arm.status == "insufficient_data":
            assert arm.reason in REASONS
            assert arm.p_value is None
        else:
            assert arm.reason is None
        if arm.status == "ok":
            ctrl = aggs[0]
            _, expected = proportions_ztest(
                [source.conversions, ctrl.conversions], [source.n, ctrl.n]
            )
            assert arm.p_value == pytest.approx(float(expected), rel=1e-7, abs=1e-15)
            low, high = arm.uplift_ci_pp
            assert low <= arm.uplift_pp <= high
        if arm.status == "control":
            assert arm.is_control
            assert arm.uplift_pp is None
