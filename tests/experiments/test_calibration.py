"""Simulation calibration: do the tests and intervals keep their nominal error rates?

Counts are drawn directly (``numpy.random.default_rng`` with a fixed seed, binomial
conversions per arm), then the production functions run once per simulated experiment.
With N experiments an observed rate near r has binomial standard error sqrt(r(1-r)/N):
for N = 10 000 and r = 0.05 that is 0.0022, so each ±0.01 band is about 4.5 standard
errors wide on either side. Each test states its seed, N, the observed value and the
standard error; the runs are deterministic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from livebase.experiments import holm, newcombe_interval, two_proportion_ztest, welch_from_stats

pytestmark = pytest.mark.slow

N_EXPERIMENTS = 10_000
ALPHA = 0.05


def _binomial_se(rate: float, n: int = N_EXPERIMENTS) -> float:
    return math.sqrt(rate * (1 - rate) / n)


def test_aa_false_positive_rate_of_the_ztest():
    # seed 101, N = 10 000 A/A experiments, 1500 per arm, true rate 4 % in both arms.
    # observed false-positive rate at α = 0.05: 0.0488 (binomial se 0.0022)
    rng = np.random.default_rng(101)
    n = 1500
    counts = rng.binomial(n, 0.04, size=(N_EXPERIMENTS, 2))
    rejections = sum(two_proportion_ztest(a, n, b, n)[1] < ALPHA for a, b in counts)
    rate = rejections / N_EXPERIMENTS
    assert 0.04 <= rate <= 0.06, (rate, _binomial_se(rate))


def test_newcombe_interval_covers_the_true_uplift():
    # seed 202, N = 10 000 experiments, 1500 per arm, control 3 %, test 4.5 % (uplift 1.5 pp).
    # observed coverage of the 95 % Newcombe interval: 0.9553 (binomial se 0.0021)
    rng = np.random.default_rng(202)
    n, p_control, p_test = 1500, 0.03, 0.045
    test = rng.binomial(n, p_test, N_EXPERIMENTS)
    control = rng.binomial(n, p_control, N_EXPERIMENTS)
    true_uplift = p_test - p_control
    covered = 0
    for a, b in zip(test, control, strict=True):
        low, high = newcombe_interval(a, n, b, n, alpha=ALPHA)
        covered += low <= true_uplift <= high
    coverage = covered / N_EXPERIMENTS
    assert 0.94 <= coverage <= 0.96, (coverage, _binomial_se(coverage))


def test_holm_keeps_the_family_wise_error_with_three_arms():
    # seed 303, N = 10 000 experiments: control and 3 test arms of 1000, all at 4 % (every
    # null true). Family-wise error = share of experiments with any Holm-adjusted p ≤ 0.05.
    # observed FWER: Holm 0.0460 (binomial se 0.0021); unadjusted 0.1232 (se 0.0033)
    rng = np.random.default_rng(303)
    n = 1000
    counts = rng.binomial(n, 0.04, size=(N_EXPERIMENTS, 4))
    any_holm = any_raw = 0
    for control, *arms in counts:
        p = [two_proportion_ztest(k, n, control, n)[1] for k in arms]
        any_holm += min(holm(p)) <= ALPHA
        any_raw += min(p) <= ALPHA
    fwer, raw = any_holm / N_EXPERIMENTS, any_raw / N_EXPERIMENTS
    assert fwer <= ALPHA, (fwer, _binomial_se(fwer))
    # without the adjustment three looks at the data inflate the error well past α
    assert raw > 0.09, (raw, _binomial_se(raw))


def test_welch_interval_covers_the_true_revenue_difference():
    # seed 404, N = 10 000 experiments, 2000 customers per arm; revenue per assigned is
    # zero-inflated: 5 % (control) / 6 % (test) pay, payers lognormal(ln 27 000, σ = 0.8).
    # true mean per assigned = q·exp(μ + σ²/2); difference = 0.01 · 27 000 · e^0.32 = 371.82 ₽.
    # observed coverage of the 95 % Welch interval: 0.9544 (binomial se 0.0021)
    rng = np.random.default_rng(404)
    n, mu, sigma = 2000, math.log(27_000), 0.8
    q_test, q_control = 0.06, 0.05
    payer_mean = math.exp(mu + sigma**2 / 2)
    true_diff = (q_test - q_control) * payer_mean

    def arm(q: float) -> tuple[int, float, float]:
        revenue = rng.lognormal(mu, sigma, rng.binomial(n, q))
        return n, float(revenue.sum()), float((revenue * revenue).sum())

    covered = 0
    for _ in range(N_EXPERIMENTS):
        res = welch_from_stats(*arm(q_test), *arm(q_control), alpha=ALPHA)
        low, high = res.ci
        covered += low <= true_diff <= high
    coverage = covered / N_EXPERIMENTS
    assert 0.93 <= coverage <= 0.96, (coverage, _binomial_se(coverage))
