"""Net Promoter Score with a confidence interval, and the difference of two NPS.

NPS = % promoters (scores 9–10) − % detractors (0–6), in points from −100 to 100;
passives (7–8) count in ``n`` only. NPS is the mean of a per-answer variable worth +100
(promoter), 0 (passive) or −100 (detractor), so with shares ``p_pro``, ``p_det`` its
variance, as fractions, is ``Var = (p_pro + p_det − (p_pro − p_det)²) / n`` (the
population variance of the +1/0/−1 variable over ``n``) and the interval is the normal
approximation ``NPS ± z_{1-α/2} · 100 · sqrt(Var)`` (Wald), clipped to [−100, 100].

The normal approximation is not trustworthy with few answers, so below
:data:`MIN_ANSWERS` (30) the result is ``insufficient_data`` (reason ``too_few_answers``):
the score is still reported, the interval is not. When every answer falls in one group
the estimated variance is 0 and a zero-width interval would claim certainty; that is
``insufficient_data`` too (reason ``no_variance``).

>>> res = nps_from_counts(60, 25, 15)
>>> res.status, res.n, round(res.nps, 6)
('ok', 100, 45.0)
>>> [round(x, 2) for x in res.ci]
[30.5, 59.5]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from scipy import stats

from livebase.errors import InputError
from livebase.experiments.status import INSUFFICIENT, OK

MIN_ANSWERS = 30
NPS_METHOD = (
    "normal approximation (Wald): Var = (p_pro + p_det - (p_pro - p_det)^2) / n, "
    "interval clipped to [-100, 100]"
)
NPS_DIFF_METHOD = (
    "normal approximation (Wald) for independent samples: variances add; "
    "two-sided z-test of equal NPS"
)


@dataclass(frozen=True)
class NpsResult:
    """NPS in points (−100..100) and its interval; ``ci`` is ``None`` unless ``"ok"``."""

    status: str
    reason: str | None
    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    ci: tuple[float, float] | None
    method: str = NPS_METHOD


@dataclass(frozen=True)
class NpsDifference:
    """``a.nps − b.nps`` in points with its interval and a two-sided p-value."""

    status: str
    reason: str | None
    diff: float | None
    ci: tuple[float, float] | None
    p_value: float | None
    method: str = NPS_DIFF_METHOD


def _z(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}")
    return float(stats.norm.isf(alpha / 2))


def _variance(promoters: int, detractors: int, n: int) -> float:
    """Variance of the NPS estimate, in points²."""
    pro, det = promoters / n, detractors / n
    return max(0.0, pro + det - (pro - det) ** 2) / n * 100 * 100


def nps_from_counts(
    promoters: int, passives: int, detractors: int, *, alpha: float = 0.05
) -> NpsResult:
    """NPS and its ``1 - alpha`` interval from the counts of the three groups.

    60 promoters, 25 passives, 15 detractors: NPS = 60 − 15 = 45;
    Var = (0.60 + 0.15 − 0.45²) / 100 = 0.005475, se = 100·sqrt(Var) = 7.3993 points,
    interval 45 ± 1.959964 · 7.3993 = [30.50, 59.50].

    >>> [round(x, 2) for x in nps_from_counts(60, 25, 15).ci]
    [30.5, 59.5]
    >>> res = nps_from_counts(5, 3, 2)
    >>> res.status, res.reason, res.nps, res.ci
    ('insufficient_data', 'too_few_answers', 30.0, None)
    """
    z = _z(alpha)
    counts = (promoters, passives, detractors)
    if any(c < 0 for c in counts):
        raise InputError(f"answer counts must not be negative: {counts}")
    n = sum(counts)
    base = {"n": n, "promoters": promoters, "passives": passives, "detractors": detractors}
    if n == 0:
        return NpsResult(INSUFFICIENT, "no_answers", **base, nps=None, ci=None)
    nps = (promoters - detractors) / n * 100
    if n < MIN_ANSWERS:
        return NpsResult(INSUFFICIENT, "too_few_answers", **base, nps=nps, ci=None)
    if max(counts) == n:
        return NpsResult(INSUFFICIENT, "no_variance", **base, nps=nps, ci=None)
    half = z * math.sqrt(_variance(promoters, detractors, n))
    ci = (max(-100.0, nps - half), min(100.0, nps + half))
    return NpsResult(OK, None, **base, nps=nps, ci=ci)


def nps_from_scores(scores: Iterable[int], *, alpha: float = 0.05) -> NpsResult:
    """NPS from raw 0–10 answers; a score outside 0..10 or not whole is an InputError.

    >>> nps_from_scores([10, 9, 8, 7, 6, 0] * 5).nps
    0.0
    """
    promoters = passives = detractors = 0
    for score in scores:
        if isinstance(score, bool) or score not in range(11):
            raise InputError(f"an NPS score must be a whole number from 0 to 10, got {score!r}")
        if score >= 9:
            promoters += 1
        elif score >= 7:
            passives += 1
        else:
            detractors += 1
    return nps_from_counts(promoters, passives, detractors, alpha=alpha)


def nps_difference(a: NpsResult, b: NpsResult, *, alpha: float = 0.05) -> NpsDifference:
    """``a.nps − b.nps`` with a ``1 - alpha`` interval; the two samples are independent.

    The variances of the two estimates add: ``se = sqrt(Var_a + Var_b)``, interval
    ``diff ± z·se``, p-value ``2·(1 − Φ(|diff| / se))``. If either NPS is
    ``insufficient_data`` so is the difference (with that NPS's reason).

    A: 67 promoters, 24 passives, 9 detractors (NPS 58); B: 55, 30, 15 (NPS 40).
    Var_a = (0.76 − 0.58²)/100 = 0.004236, Var_b = (0.70 − 0.40²)/100 = 0.0054,
    se = 100·sqrt(0.009636) = 9.8163 points, diff = 18, interval [−1.24, 37.24],
    z = 1.8337, p = 0.0667.

    >>> d = nps_difference(nps_from_counts(67, 24, 9), nps_from_counts(55, 30, 15))
    >>> d.status, round(d.diff, 6), [round(x, 2) for x in d.ci], round(d.p_value, 4)
    ('ok', 18.0, [-1.24, 37.24], 0.0667)
    """
    z = _z(alpha)
    for res in (a, b):
        if res.status != OK:
            diff = a.nps - b.nps if a.nps is not None and b.nps is not None else None
            return NpsDifference(INSUFFICIENT, res.reason, diff, None, None)
    diff = a.nps - b.nps
    se = math.sqrt(
        _variance(a.promoters, a.detractors, a.n) + _variance(b.promoters, b.detractors, b.n)
    )
    p_value = float(2 * stats.norm.sf(abs(diff) / se))
    return NpsDifference(OK, None, diff, (diff - z * se, diff + z * se), p_value)
