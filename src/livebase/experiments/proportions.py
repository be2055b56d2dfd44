"""Inference on conversion rates: intervals and a test, from counts only.

* :func:`wilson_interval` — Wilson score interval for one rate (no continuity correction);
* :func:`newcombe_interval` — interval for a difference of two independent rates,
  Newcombe's hybrid score interval (Newcombe 1998, method 10), built from the two Wilson
  intervals: ``[d - sqrt((p1 - l1)² + (u2 - p2)²), d + sqrt((u1 - p1)² + (p2 - l2)²)]``
  with ``d = p1 - p2``; the same as statsmodels'
  ``confint_proportions_2indep(method="newcomb", compare="diff")``;
* :func:`two_proportion_ztest` — two-sided z-test with the pooled rate under H0, the same
  as statsmodels' ``proportions_ztest`` on two samples.

Counts that make a quantity undefined raise :class:`InsufficientData` (never a made-up
p = 1 or a 0 % rate); impossible counts raise :class:`InputError`.
"""

from __future__ import annotations

import math

from scipy import stats

from livebase.errors import InputError, InsufficientData


def _check(successes: int, n: int) -> None:
    if n < 0 or successes < 0:
        raise InputError(f"counts must not be negative: {successes} of {n}")
    if successes > n:
        raise InputError(f"{successes} successes out of {n} trials")


def _check_alpha(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}")
    return float(stats.norm.isf(alpha / 2))


def wilson_interval(successes: int, n: int, *, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for ``successes / n`` at confidence ``1 - alpha``.

    32 of 1000: p = 0.032, z = 1.959964, centre = (p + z²/2n) / (1 + z²/n) = 0.0337909,
    half-width = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n) = 0.0110338.

    >>> low, high = wilson_interval(32, 1000)
    >>> round(low, 5), round(high, 5)
    (0.02276, 0.04482)
    >>> wilson_interval(0, 20)[0]
    0.0
    """
    _check(successes, n)
    z = _check_alpha(alpha)
    if n == 0:
        raise InsufficientData("a rate needs at least one assigned customer (n = 0)")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(
    successes1: int, n1: int, successes2: int, n2: int, *, alpha: float = 0.05
) -> tuple[float, float]:
    """Newcombe hybrid score interval for ``p1 - p2`` (rates as fractions).

    49/1000 vs 32/1000: d = 0.017; Wilson intervals [0.037261, 0.064191] and
    [0.022757, 0.044825]; low = d - sqrt(0.011739² + 0.012825²) = -0.000386,
    high = d + sqrt(0.015191² + 0.009243²) = 0.034782.

    >>> low, high = newcombe_interval(49, 1000, 32, 1000)
    >>> round(low, 6), round(high, 6)
    (-0.000386, 0.034782)
    """
    low1, high1 = wilson_interval(successes1, n1, alpha=alpha)
    low2, high2 = wilson_interval(successes2, n2, alpha=alpha)
    p1, p2 = successes1 / n1, successes2 / n2
    diff = p1 - p2
    return (
        diff - math.hypot(p1 - low1, high2 - p2),
        diff + math.hypot(high1 - p1, p2 - low2),
    )


def two_proportion_ztest(successes1: int, n1: int, successes2: int, n2: int) -> tuple[float, float]:
    """Pooled two-proportion z-test of ``p1 = p2``: ``(z, two-sided p-value)``.

    49/1000 vs 32/1000: pooled p = 81/2000 = 0.0405,
    se = sqrt(0.0405 · 0.9595 · (1/1000 + 1/1000)) = 0.0088159, z = 0.017 / se = 1.92834,
    p = 2·(1 - Φ(1.92834)) = 0.05381.

    >>> z, p = two_proportion_ztest(49, 1000, 32, 1000)
    >>> round(z, 5), round(p, 5)
    (1.92834, 0.05381)

    Undefined when both samples have no successes (or no failures):

    >>> two_proportion_ztest(0, 100, 0, 120)
    Traceback (most recent call last):
    ...
    livebase.errors.InsufficientData: the z-test is undefined: no successes in either sample
    """
    _check(successes1, n1)
    _check(successes2, n2)
    if n1 == 0 or n2 == 0:
        raise InsufficientData("the z-test needs both samples non-empty")
    pooled = (successes1 + successes2) / (n1 + n2)
    if pooled == 0:
        raise InsufficientData("the z-test is undefined: no successes in either sample")
    if pooled == 1:
        raise InsufficientData("the z-test is undefined: no failures in either sample")
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (successes1 / n1 - successes2 / n2) / se
    return z, float(2 * stats.norm.sf(abs(z)))
