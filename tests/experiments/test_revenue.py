"""Welch test of revenue per assigned and the ARPPU bootstrap: pinned, scipy, statsmodels."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from livebase.errors import InputError
from livebase.experiments import bootstrap_mean_ci, welch_from_stats
from livebase.experiments.revenue import bootstrap_batch


def _revenue_per_assigned(rng: np.random.Generator, n: int, pay_rate: float) -> np.ndarray:
    """Most customers 0, payers lognormal around 27 000 ₽ (the shape of seed 003)."""
    values = np.zeros(n)
    payers = rng.random(n) < pay_rate
    values[payers] = np.round(rng.lognormal(np.log(27_000), 0.6, payers.sum()), 2)
    return values


def _stats(values: np.ndarray) -> tuple[int, float, float]:
    return len(values), float(values.sum()), float((values * values).sum())


def test_pinned_small_example():
    # test: 4 of 10 paid 100 (Σx = 400, Σx² = 40 000); control: 2 of 10 (200, 20 000)
    # s1² = (40000 - 400²/10)/9 = 2666.667, s2² = (20000 - 200²/10)/9 = 1777.778
    # v1 = s1²/10 = 266.667, v2 = 177.778; se = sqrt(444.444) = 21.08185; t = 20/se = 0.948683
    # df = 444.444² / (266.667²/9 + 177.778²/9) = 17.307692; p = 2·P(T > 0.948683) = 0.355841
    # t_{0.975}(17.3077) = 2.106962 -> interval 20 ± 44.418659
    res = welch_from_stats(10, 400, 40000, 10, 200, 20000)
    assert res.status == "ok"
    assert res.reason is None
    assert (res.mean1, res.mean2, res.diff) == (40.0, 20.0, 20.0)
    assert res.t == pytest.approx(0.948683, abs=1e-6)
    assert res.df == pytest.approx(17.307692, abs=1e-6)
    assert res.p_value == pytest.approx(0.355841, abs=1e-6)
    assert res.ci == pytest.approx((20 - 44.418659, 20 + 44.418659), abs=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_matches_scipy_and_statsmodels_on_raw_revenue(seed):
    rng = np.random.default_rng(seed)
    n1, n2 = int(rng.integers(50, 3000)), int(rng.integers(50, 3000))
    test = _revenue_per_assigned(rng, n1, rng.uniform(0.03, 0.15))
    control = _revenue_per_assigned(rng, n2, rng.uniform(0.03, 0.15))
    res = welch_from_stats(*_stats(test), *_stats(control), alpha=0.1)
    assert res.status == "ok"

    raw = stats.ttest_ind(test, control, equal_var=False)
    assert res.t == pytest.approx(raw.statistic, rel=1e-9)
    assert res.df == pytest.approx(raw.df, rel=1e-9)
    assert res.p_value == pytest.approx(raw.pvalue, rel=1e-9)
    raw_ci = raw.confidence_interval(confidence_level=0.9)
    assert res.ci == pytest.approx((raw_ci.low, raw_ci.high), rel=1e-9)

    from_stats = stats.ttest_ind_from_stats(
        test.mean(), test.std(ddof=1), n1, control.mean(), control.std(ddof=1), n2, equal_var=False
    )
    assert res.t == pytest.approx(from_stats.statistic, rel=1e-9)
    assert res.p_value == pytest.approx(from_stats.pvalue, rel=1e-9)

    compare = CompareMeans(DescrStatsW(test), DescrStatsW(control))
    assert res.ci == pytest.approx(compare.tconfint_diff(alpha=0.1, usevar="unequal"), rel=1e-9)
    assert res.diff == pytest.approx(test.mean() - control.mean(), rel=1e-12)


def test_decimal_sums_are_accepted():
    # the engine returns the revenue sum as an exact Decimal and the sum of squares as float
    res = welch_from_stats(10, Decimal("400.00"), 40000.0, 10, Decimal("200.00"), Decimal(20000))
    assert res == welch_from_stats(10, 400.0, 40000.0, 10, 200.0, 20000.0)


def test_zero_variance_in_one_arm_is_still_a_test():
    # control: nobody paid (variance 0); test: 3 payers of 100 among 50
    # df collapses to n1 - 1 = 49 and the result equals scipy's
    res = welch_from_stats(50, 300, 30000, 40, 0, 0)
    ref = stats.ttest_ind_from_stats(6.0, np.sqrt((30000 - 300**2 / 50) / 49), 50, 0, 0, 40, False)
    assert res.status == "ok"
    assert res.df == pytest.approx(49.0, rel=1e-12)
    assert (res.t, res.p_value) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-9)


@pytest.mark.parametrize(
    ("args", "reason", "diff"),
    [
        ((1, 100, 10000, 10, 0, 0), "too_few_customers", 100.0),
        ((10, 0, 0, 0, 0, 0), "too_few_customers", None),
        ((500, 0, 0, 400, 0, 0), "no_variance", 0.0),
        # every customer paid exactly 0.1: Σx² - (Σx)²/n is rounding noise, not variance
        ((3, 0.1 + 0.1 + 0.1, 0.01 + 0.01 + 0.01, 3, 0.3, 0.03), "no_variance", 0.0),
    ],
)
def test_insufficient_data(args, reason, diff):
    res = welch_from_stats(*args)
    assert (res.status, res.reason) == ("insufficient_data", reason)
    assert (res.ci, res.t, res.df, res.p_value) == (None, None, None, None)
    if diff is None:
        assert res.diff is None
    else:
        assert res.diff == pytest.approx(diff, abs=1e-12)


def test_impossible_input():
    with pytest.raises(InputError, match="negative"):
        welch_from_stats(-1, 0, 0, 10, 0, 0)
    with pytest.raises(InputError, match="below sum"):
        # Σx² = 10 < (Σx)²/n = 100²/10 = 1000: no real values have these sums
        welch_from_stats(10, 100, 10, 10, 0, 0)
    with pytest.raises(InputError, match="negative"):
        welch_from_stats(10, 0, -1, 10, 0, 0)
    with pytest.raises(InputError, match="alpha"):
        welch_from_stats(10, 400, 40000, 10, 200, 20000, alpha=1.0)


PAYERS = [27400.0, 30700.0, 29900.0, 28300.0, 45000.0, 12000.0, 27400.0, 31000.0, 64000.0]


def test_bootstrap_is_deterministic_and_equals_scipy():
    res = bootstrap_mean_ci(PAYERS)
    assert res == bootstrap_mean_ci(PAYERS)
    ref = stats.bootstrap(
        (np.array(PAYERS),),
        np.mean,
        n_resamples=9999,
        confidence_level=0.95,
        method="BCa",
        rng=np.random.default_rng(20250101),
    )
    assert res.ci == (ref.confidence_interval.low, ref.confidence_interval.high)
    assert (res.status, res.n, res.resamples, res.seed, res.method) == (
        "ok",
        9,
        9999,
        20250101,
        "BCa",
    )
    assert res.estimate == pytest.approx(np.mean(PAYERS), rel=1e-12)
    assert res.ci[0] < res.estimate < res.ci[1]
    assert bootstrap_mean_ci(PAYERS, seed=7).ci != res.ci


@pytest.mark.parametrize("method", ["percentile", "basic"])
def test_bootstrap_other_methods_equal_scipy(method):
    res = bootstrap_mean_ci(PAYERS, alpha=0.1, seed=3, resamples=2000, method=method)
    ref = stats.bootstrap(
        (np.array(PAYERS),),
        np.mean,
        n_resamples=2000,
        confidence_level=0.9,
        method=method,
        rng=np.random.default_rng(3),
    )
    assert res.ci == (ref.confidence_interval.low, ref.confidence_interval.high)


def test_bootstrap_many_payers_runs_in_batches():
    # 3000 payers · 5000 resamples exceeds the 10 M values cap: batches of 10 M // 3000 = 3333
    rng = np.random.default_rng(11)
    values = rng.lognormal(np.log(27_000), 0.6, 3000)
    assert bootstrap_batch(3000, 5000) == 3333
    res = bootstrap_mean_ci(values, resamples=5000, seed=5)
    ref = stats.bootstrap(
        (values,), np.mean, n_resamples=5000, batch=3333, rng=np.random.default_rng(5)
    )
    assert res.ci == (ref.confidence_interval.low, ref.confidence_interval.high)
    assert res.ci[0] < values.mean() < res.ci[1]


def test_bootstrap_accepts_decimals_and_two_payers():
    res = bootstrap_mean_ci([Decimal("27400.00"), Decimal("30700.50")])
    assert res.status == "ok"
    assert res.estimate == pytest.approx(29050.25)
    assert 27400 <= res.ci[0] < res.ci[1] <= 30700.5


@pytest.mark.parametrize(
    ("values", "reason", "estimate"),
    [
        ([], "too_few_payers", None),
        ([27400], "too_few_payers", 27400.0),
        ([27400, 27400, 27400], "no_variance", 27400.0),
        # one value differs in the last bit: every jackknife mean rounds to 1.0, BCa is 0/0
        ([1.0] * 50 + [1.0000000000000002], "no_variance", 1.0),
    ],
)
def test_bootstrap_insufficient_data(values, reason, estimate):
    res = bootstrap_mean_ci(values)
    assert (res.status, res.reason, res.estimate, res.ci) == (
        "insufficient_data",
        reason,
        estimate,
        None,
    )
    assert res.n == len(values)


def test_bootstrap_bad_input():
    with pytest.raises(InputError, match="method"):
        bootstrap_mean_ci(PAYERS, method="studentized")
    with pytest.raises(InputError, match="resamples"):
        bootstrap_mean_ci(PAYERS, resamples=0)
    with pytest.raises(InputError, match="finite"):
        bootstrap_mean_ci([1.0, float("nan")])
    with pytest.raises(InputError, match="alpha"):
        bootstrap_mean_ci(PAYERS, alpha=0)
