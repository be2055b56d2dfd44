"""Wilson, Newcombe and the pooled z-test: pinned numbers, statsmodels, edge cases."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from livebase.errors import InputError, InsufficientData
from livebase.experiments import newcombe_interval, two_proportion_ztest, wilson_interval

Z = 1.959963984540054  # Φ⁻¹(0.975)


@st.composite
def count_and_n(draw, max_n=1_000_000):
    n = draw(st.integers(min_value=1, max_value=max_n))
    return draw(st.integers(min_value=0, max_value=n)), n


def test_wilson_32_of_1000():
    # p = 0.032; centre = (p + z²/2n) / (1 + z²/n) = 0.0337909
    # half = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n) = 0.0110338
    low, high = wilson_interval(32, 1000)
    denom = 1 + Z**2 / 1000
    centre = (0.032 + Z**2 / 2000) / denom
    half = Z * math.sqrt(0.032 * 0.968 / 1000 + Z**2 / 4e6) / denom
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-12)
    assert (low, high) == pytest.approx((0.0227571, 0.0448247), abs=1e-7)


def test_wilson_extremes_stay_in_unit_interval():
    assert wilson_interval(0, 20) == pytest.approx((0.0, 0.161125), abs=1e-6)
    assert wilson_interval(20, 20) == pytest.approx((0.838875, 1.0), abs=1e-6)


def test_newcombe_49_vs_32_of_1000():
    # Wilson: 49/1000 -> [0.037261, 0.064191], 32/1000 -> [0.022757, 0.044825]
    # low  = 0.017 - sqrt((0.049 - 0.037261)² + (0.044825 - 0.032)²) = -0.000386
    # high = 0.017 + sqrt((0.064191 - 0.049)² + (0.032 - 0.022757)²) = 0.034782
    assert newcombe_interval(49, 1000, 32, 1000) == pytest.approx((-0.000386, 0.034782), abs=1e-6)


def test_ztest_49_vs_32_of_1000():
    # pooled p = 81/2000 = 0.0405; se = sqrt(0.0405·0.9595·(2/1000)) = 0.00881587
    # z = 0.017 / se = 1.928341; p = 2·(1 - Φ(z)) = 0.053813
    z, p = two_proportion_ztest(49, 1000, 32, 1000)
    assert z == pytest.approx(1.928341, abs=1e-6)
    assert p == pytest.approx(0.053813, abs=1e-6)
    z2, p2 = two_proportion_ztest(32, 1000, 49, 1000)
    assert (z2, p2) == pytest.approx((-z, p))


@given(count_and_n(), st.sampled_from([0.01, 0.05, 0.1]))
def test_wilson_matches_statsmodels(xn, alpha):
    x, n = xn
    expected = proportion_confint(x, n, alpha=alpha, method="wilson")
    assert wilson_interval(x, n, alpha=alpha) == pytest.approx(expected, abs=1e-10)


@given(count_and_n(), count_and_n(), st.sampled_from([0.01, 0.05, 0.1]))
def test_newcombe_matches_statsmodels(a, b, alpha):
    (x1, n1), (x2, n2) = a, b
    expected = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", alpha=alpha)
    low, high = newcombe_interval(x1, n1, x2, n2, alpha=alpha)
    assert (low, high) == pytest.approx(tuple(map(float, expected)), abs=1e-10)
    assert -1 - 1e-12 <= low <= x1 / n1 - x2 / n2 <= high <= 1 + 1e-12


@given(count_and_n(), count_and_n())
def test_ztest_matches_statsmodels(a, b):
    (x1, n1), (x2, n2) = a, b
    assume(0 < x1 + x2 < n1 + n2)
    z_expected, p_expected = proportions_ztest([x1, x2], [n1, n2])
    z, p = two_proportion_ztest(x1, n1, x2, n2)
    assert z == pytest.approx(float(z_expected), rel=1e-9, abs=1e-12)
    assert p == pytest.approx(float(p_expected), rel=1e-7, abs=1e-15)
    assert 0 <= p <= 1


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "message"),
    [
        (0, 1000, 0, 1000, "no successes"),
        (1000, 1000, 500, 500, "no failures"),
        (0, 0, 3, 100, "non-empty"),
        (3, 100, 0, 0, "non-empty"),
    ],
)
def test_ztest_undefined_is_insufficient_data_not_p_equal_one(x1, n1, x2, n2, message):
    with pytest.raises(InsufficientData, match=message):
        two_proportion_ztest(x1, n1, x2, n2)


def test_rate_of_nobody_is_insufficient_data_not_zero():
    with pytest.raises(InsufficientData):
        wilson_interval(0, 0)
    with pytest.raises(InsufficientData):
        newcombe_interval(0, 0, 5, 100)


@pytest.mark.parametrize(("x", "n"), [(5, 4), (-1, 10), (0, -1)])
def test_impossible_counts_are_input_errors(x, n):
    with pytest.raises(InputError):
        wilson_interval(x, n)
    with pytest.raises(InputError):
        two_proportion_ztest(x, n, 1, 10)


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5])
def test_alpha_must_be_a_probability(alpha):
    with pytest.raises(InputError, match="alpha"):
        wilson_interval(3, 10, alpha=alpha)
