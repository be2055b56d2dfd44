"""NPS and its interval: pinned numbers, the ±100/0 vector identity, statuses, difference."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from livebase.errors import InputError
from livebase.experiments import nps_difference, nps_from_counts, nps_from_scores

Z = 1.959963984540054  # Φ⁻¹(0.975)


def _expanded(promoters: int, passives: int, detractors: int) -> np.ndarray:
    """One value per answer: +100 promoter, 0 passive, −100 detractor; NPS is its mean."""
    return np.repeat([100.0, 0.0, -100.0], [promoters, passives, detractors])


def test_pinned_60_25_15():
    # NPS = 60 % - 15 % = 45; Var = (0.60 + 0.15 - 0.45²)/100 = 0.005475
    # se = 100·sqrt(0.005475) = 7.399324 points; half-width = 1.959964·7.399324 = 14.502409
    res = nps_from_counts(60, 25, 15)
    assert (res.status, res.reason, res.n) == ("ok", None, 100)
    assert (res.promoters, res.passives, res.detractors) == (60, 25, 15)
    assert res.nps == pytest.approx(45.0, abs=1e-12)
    assert res.ci == pytest.approx((45 - 14.502409, 45 + 14.502409), abs=1e-6)
    assert "Var = (p_pro + p_det - (p_pro - p_det)^2) / n" in res.method


def test_variance_formula_equals_the_mean_of_the_expanded_vector():
    # NPS is the mean of a +100/0/−100 variable, so its standard error is the ddof=0 sem
    rng = np.random.default_rng(7)
    for _ in range(300):
        counts = tuple(int(c) for c in rng.integers(0, 400, 3))
        if sum(counts) < 30 or max(counts) == sum(counts):
            continue
        values = _expanded(*counts)
        res = nps_from_counts(*counts, alpha=0.1)
        se = stats.sem(values, ddof=0)
        assert se == pytest.approx(values.std(ddof=0) / math.sqrt(len(values)), rel=1e-12)
        assert res.nps == pytest.approx(values.mean(), abs=1e-9)
        z = stats.norm.isf(0.05)
        low, high = values.mean() - z * se, values.mean() + z * se
        assert res.ci == pytest.approx((max(low, -100), min(high, 100)), abs=1e-9)


def test_interval_is_clipped_to_the_scale():
    # 39 promoters, 1 detractor: NPS 95, se = 100·sqrt((0.975 + 0.025 - 0.95²)/40) = 4.937104
    # upper bound 95 + 9.676547 = 104.68 > 100 -> 100
    res = nps_from_counts(39, 0, 1)
    assert res.nps == pytest.approx(95.0)
    assert res.ci == pytest.approx((95 - 9.676547, 100.0), abs=1e-6)


def test_scores_are_classified_at_6_7_8_9():
    scores = [0, 6, 7, 8, 9, 10] * 6  # per block: 2 detractors, 2 passives, 2 promoters
    res = nps_from_scores(scores)
    assert (res.promoters, res.passives, res.detractors, res.n) == (12, 12, 12, 36)
    assert res.nps == 0.0
    assert nps_from_scores(np.array(scores)) == res
    assert nps_from_scores([10] * 20 + [6] * 10 + [7] * 5) == nps_from_counts(20, 5, 10)


@pytest.mark.parametrize("bad", [11, -1, 8.5, "9", None, True, math.nan])
def test_scores_outside_0_10_are_input_errors(bad):
    with pytest.raises(InputError, match="0 to 10"):
        nps_from_scores([9, 10, bad])


@pytest.mark.parametrize(
    ("counts", "reason", "nps"),
    [
        ((0, 0, 0), "no_answers", None),
        ((15, 8, 6), "too_few_answers", 31.03448275862069),  # 29 answers: (15 - 6)/29
        ((40, 0, 0), "no_variance", 100.0),
        ((0, 35, 0), "no_variance", 0.0),
    ],
)
def test_insufficient_data(counts, reason, nps):
    res = nps_from_counts(*counts)
    assert (res.status, res.reason, res.ci) == ("insufficient_data", reason, None)
    if nps is None:
        assert res.nps is None
    else:
        assert res.nps == pytest.approx(nps, abs=1e-12)


def test_thirty_answers_is_enough():
    assert nps_from_counts(15, 9, 6).status == "ok"


def test_impossible_counts_and_alpha():
    with pytest.raises(InputError, match="negative"):
        nps_from_counts(10, -1, 30)
    with pytest.raises(InputError, match="alpha"):
        nps_from_counts(10, 10, 30, alpha=0)


def test_difference_pinned():
    # A: 67/24/9 (NPS 58), B: 55/30/15 (NPS 40); diff = 18
    # Var_a = (0.76 - 0.58²)/100 = 0.004236, Var_b = (0.70 - 0.40²)/100 = 0.0054
    # se = 100·sqrt(0.009636) = 9.816313; interval 18 ± 19.239620; z = 1.833682, p = 0.066701
    d = nps_difference(nps_from_counts(67, 24, 9), nps_from_counts(55, 30, 15))
    assert (d.status, d.reason) == ("ok", None)
    assert d.diff == pytest.approx(18.0, abs=1e-9)
    assert d.ci == pytest.approx((18 - 19.239620, 18 + 19.239620), abs=1e-6)
    assert d.p_value == pytest.approx(0.066701, abs=1e-6)


def test_difference_equals_the_expanded_vectors():
    rng = np.random.default_rng(3)
    for _ in range(100):
        ca, cb = (tuple(int(c) for c in rng.integers(10, 500, 3)) for _ in range(2))
        a, b = _expanded(*ca), _expanded(*cb)
        se = math.hypot(stats.sem(a, ddof=0), stats.sem(b, ddof=0))
        diff = a.mean() - b.mean()
        d = nps_difference(nps_from_counts(*ca), nps_from_counts(*cb), alpha=0.05)
        assert d.diff == pytest.approx(diff, abs=1e-9)
        assert d.ci == pytest.approx((diff - Z * se, diff + Z * se), abs=1e-9)
        assert d.p_value == pytest.approx(2 * stats.norm.sf(abs(diff) / se), rel=1e-9)


def test_difference_is_insufficient_if_either_side_is():
    ok = nps_from_counts(67, 24, 9)
    few = nps_from_counts(5, 3, 2)  # NPS 30 from 10 answers
    d = nps_difference(ok, few)
    assert (d.status, d.reason, d.ci, d.p_value) == (
        "insufficient_data",
        "too_few_answers",
        None,
        None,
    )
    assert d.diff == pytest.approx(28.0)
    d = nps_difference(nps_from_counts(0, 0, 0), ok)
    assert (d.status, d.reason, d.diff) == ("insufficient_data", "no_answers", None)
    with pytest.raises(InputError, match="alpha"):
        nps_difference(ok, ok, alpha=1)
