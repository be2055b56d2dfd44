"""Inference on revenue: mean revenue per assigned user and ARPPU.

* :func:`welch_from_stats` — Welch's t-test and interval for the difference of mean
  revenue per *assigned* user, from the sufficient statistics the engine returns per arm
  (``n``, sum and sum of squares of per-customer revenue; customers without orders add 0).
  Welch (unequal variances) because a test arm usually changes the spread as well as the
  mean; the degrees of freedom are Welch–Satterthwaite's. The same numbers as scipy's
  ``ttest_ind_from_stats(equal_var=False)`` and statsmodels'
  ``CompareMeans.tconfint_diff(usevar="unequal")``.
* :func:`bootstrap_mean_ci` — a bootstrap interval (BCa by default) for the mean revenue
  per *paying* customer (ARPPU), from one value per payer, with a fixed seed so that a
  rerun reports the same interval.

Undefined quantities are ``None`` with ``status = "insufficient_data"`` and a reason
code from :mod:`livebase.experiments.status`; impossible input raises
:class:`~livebase.errors.InputError`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from scipy import stats

from livebase.errors import InputError
from livebase.experiments.status import INSUFFICIENT, OK

BOOTSTRAP_SEED = 20250101
BOOTSTRAP_RESAMPLES = 9999
BOOTSTRAP_METHODS = ("BCa", "percentile", "basic")
# at most this many resampled values in memory at once (80 MB of float64)
_BOOTSTRAP_CELLS = 10_000_000
# a sum of squared deviations below this share of the sum of squares is rounding noise
_RELATIVE_ROUNDING = 1e-9


@dataclass(frozen=True)
class MeanDiff:
    """Welch comparison of two means: arm 1 (test) minus arm 2 (control).

    ``mean1``/``mean2``/``diff`` stay when they are defined even if the test is not;
    ``ci``, ``t``, ``df`` and ``p_value`` (two-sided) are ``None`` unless ``status`` is
    ``"ok"``.
    """

    status: str
    reason: str | None = None
    mean1: float | None = None
    mean2: float | None = None
    diff: float | None = None
    ci: tuple[float, float] | None = None
    t: float | None = None
    df: float | None = None
    p_value: float | None = None


@dataclass(frozen=True)
class BootstrapCI:
    """A bootstrap interval for a mean; ``ci`` is ``None`` unless ``status`` is ``"ok"``."""

    status: str
    reason: str | None
    estimate: float | None
    ci: tuple[float, float] | None
    n: int
    resamples: int
    seed: int
    method: str


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}")


def _sum_sq_dev(n: int, total: float, sumsq: float, arm: str) -> float:
    """``Σ(x - mean)²`` from ``n``, ``Σx``, ``Σx²``.

    ``Σx² - (Σx)²/n`` cancels when the values hardly vary: anything within
    ``1e-9 · Σx²`` of zero (either side) is rounding noise and becomes 0; clearly negative
    is impossible for real values.
    """
    dev = sumsq - total * total / n
    if dev <= _RELATIVE_ROUNDING * sumsq:
        if dev < -_RELATIVE_ROUNDING * sumsq:
            # Cauchy–Schwarz: Σx² ≥ (Σx)²/n for any real values
            raise InputError(
                f"arm {arm}: sum of squares {sumsq} is below sum²/n = {total * total / n}"
            )
        return 0.0
    return dev


def welch_from_stats(
    n1: int,
    sum1: float | Decimal,
    sumsq1: float | Decimal,
    n2: int,
    sum2: float | Decimal,
    sumsq2: float | Decimal,
    *,
    alpha: float = 0.05,
) -> MeanDiff:
    """Welch's t-test of ``mean1 = mean2`` and the interval of ``mean1 - mean2``.

    Each arm is given by its size ``n``, the sum and the sum of squares of per-customer
    values (``Decimal`` sums are converted to float). With ``s² = (Σx² - (Σx)²/n)/(n-1)``
    and ``v = s²/n`` per arm: ``se = sqrt(v1 + v2)``, ``t = (mean1 - mean2)/se``,
    ``df = se⁴ / (v1²/(n1-1) + v2²/(n2-1))`` (Welch–Satterthwaite),
    ``p = 2·P(T_df > |t|)``, interval ``diff ± t_{df, 1-alpha/2}·se``. A sum of squared
    deviations within ``1e-9 · Σx²`` of zero is rounding noise and counts as no variance.

    Test: 4 of 10 customers paid 100 each (Σx = 400, Σx² = 40000); control: 2 of 10
    (Σx = 200, Σx² = 20000). s1² = (40000 - 16000)/9 = 2666.67, s2² = (20000 - 4000)/9
    = 1777.78; v1 = 266.667, v2 = 177.778, se = 21.0819, t = 20/se = 0.948683,
    df = 444.444² / (266.667²/9 + 177.778²/9) = 17.3077, p = 0.35584;
    t_{17.3077, 0.975} = 2.106962, interval 20 ± 2.106962 · 21.0819 = 20 ± 44.4187.

    >>> res = welch_from_stats(10, 400, 40000, 10, 200, 20000)
    >>> res.status, res.diff, round(res.t, 6), round(res.df, 4), round(res.p_value, 5)
    ('ok', 20.0, 0.948683, 17.3077, 0.35584)
    >>> [round(x, 3) for x in res.ci]
    [-24.419, 64.419]

    Nobody paid in either arm: the means are defined, the test is not.

    >>> res = welch_from_stats(500, 0, 0, 500, 0, 0)
    >>> res.status, res.reason, res.diff, res.p_value
    ('insufficient_data', 'no_variance', 0.0, None)
    """
    _check_alpha(alpha)
    if n1 < 0 or n2 < 0:
        raise InputError(f"arm sizes must not be negative: {n1}, {n2}")
    s1, q1, s2, q2 = (float(x) for x in (sum1, sumsq1, sum2, sumsq2))
    if not all(math.isfinite(x) for x in (s1, q1, s2, q2)):
        raise InputError(f"sums must be finite, got {(s1, q1, s2, q2)}")
    if q1 < 0 or q2 < 0:
        raise InputError(f"a sum of squares cannot be negative, got {q1} and {q2}")
    mean1 = s1 / n1 if n1 else None
    mean2 = s2 / n2 if n2 else None
    diff = mean1 - mean2 if mean1 is not None and mean2 is not None else None
    means = {"mean1": mean1, "mean2": mean2, "diff": diff}
    if n1 < 2 or n2 < 2:
        return MeanDiff(INSUFFICIENT, reason="too_few_customers", **means)
    v1 = _sum_sq_dev(n1, s1, q1, "1") / (n1 - 1) / n1
    v2 = _sum_sq_dev(n2, s2, q2, "2") / (n2 - 1) / n2
    if v1 == 0 and v2 == 0:
        return MeanDiff(INSUFFICIENT, reason="no_variance", **means)
    se2 = v1 + v2
    se = math.sqrt(se2)
    df = se2 * se2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    t = diff / se
    p_value = float(2 * stats.t.sf(abs(t), df))
    half = float(stats.t.isf(alpha / 2, df)) * se
    return MeanDiff(OK, **means, ci=(diff - half, diff + half), t=t, df=df, p_value=p_value)


def bootstrap_mean_ci(
    values: Iterable[float | Decimal],
    *,
    alpha: float = 0.05,
    seed: int = BOOTSTRAP_SEED,
    resamples: int = BOOTSTRAP_RESAMPLES,
    method: str = "BCa",
) -> BootstrapCI:
    """Bootstrap interval of the mean of ``values`` (ARPPU: one value per payer).

    ``scipy.stats.bootstrap`` with ``rng=numpy.random.default_rng(seed)``: the same values
    and seed give the same interval on every run. ``method`` is ``"BCa"`` (bias-corrected
    and accelerated, the default: revenue per payer is skewed), ``"percentile"`` or
    ``"basic"``. Resamples are processed in batches of at most ten million values, so
    memory stays bounded for any number of payers.

    >>> res = bootstrap_mean_ci([27400, 30700, 29900, 28300, 45000, 12000, 27400, 31000])
    >>> res.status, res.estimate, res.n, res.method
    ('ok', 28962.5, 8, 'BCa')
    >>> res.ci[0] < res.estimate < res.ci[1]
    True

    Fewer than two payers, or all paying the same (also: equal up to rounding, where BCa
    would divide 0 by 0), leave no spread to resample:

    >>> bootstrap_mean_ci([27400]).reason, bootstrap_mean_ci([27400, 27400]).reason
    ('too_few_payers', 'no_variance')
    """
    _check_alpha(alpha)
    if method not in BOOTSTRAP_METHODS:
        raise InputError(f"bootstrap method must be one of {BOOTSTRAP_METHODS}, got {method!r}")
    if resamples < 1:
        raise InputError(f"the number of resamples must be positive, got {resamples}")
    data = np.array([float(v) for v in values], dtype=float)
    if not np.isfinite(data).all():
        raise InputError("values must be finite numbers")
    n = len(data)
    base = {"n": n, "resamples": resamples, "seed": seed, "method": method}
    estimate = float(data.mean()) if n else None
    if n < 2:
        return BootstrapCI(INSUFFICIENT, "too_few_payers", estimate, None, **base)
    if data.min() == data.max():
        return BootstrapCI(INSUFFICIENT, "no_variance", estimate, None, **base)
    # values equal up to rounding make BCa's acceleration 0/0 (a numpy "invalid value"
    # warning, then scipy's DegenerateDataWarning and a NaN interval): no usable interval
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("error", stats.DegenerateDataWarning)
        try:
            res = stats.bootstrap(
                (data,),
                np.mean,
                n_resamples=resamples,
                batch=bootstrap_batch(n, resamples),
                confidence_level=1 - alpha,
                method=method,
                rng=np.random.default_rng(seed),
            )
        except stats.DegenerateDataWarning:
            return BootstrapCI(INSUFFICIENT, "no_variance", estimate, None, **base)
    low, high = (float(x) for x in res.confidence_interval)
    if not (math.isfinite(low) and math.isfinite(high)):
        return BootstrapCI(INSUFFICIENT, "no_variance", estimate, None, **base)
    return BootstrapCI(OK, None, estimate, (low, high), **base)


def bootstrap_batch(n: int, resamples: int) -> int:
    """Resamples per vectorised batch: all of them unless that exceeds the memory cap.

    >>> bootstrap_batch(300, 9999), bootstrap_batch(5000, 9999)
    (9999, 2000)
    """
    return max(1, min(resamples, _BOOTSTRAP_CELLS // max(n, 1)))
