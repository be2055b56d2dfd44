"""Sample ratio mismatch: do the arm sizes match the planned split?

A chi-square goodness-of-fit test (``scipy.stats.chisquare``) of the assigned counts
against ``total × weight / sum(weights)``; a mismatch is flagged when p < 0.001 (the
usual SRM threshold: the check runs on every wave, so it must rarely cry wolf). When an
expected count is below 5 the chi-square approximation is unreliable and the result is
``insufficient_data`` instead of a p-value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from scipy import stats

from livebase.errors import InputError
from livebase.experiments.status import INSUFFICIENT, MISMATCH, OK, SrmStatus

SRM_THRESHOLD = 0.001
MIN_EXPECTED = 5.0


@dataclass(frozen=True)
class SrmResult:
    """Outcome of the sample ratio check; ``chi2``/``p_value`` are ``None`` unless tested."""

    status: SrmStatus
    arms: tuple[str, ...]
    observed: tuple[int, ...]
    expected: tuple[float, ...]
    weights: tuple[float, ...]
    chi2: float | None = None
    p_value: float | None = None
    threshold: float = SRM_THRESHOLD
    reason: str | None = None

    @property
    def mismatch(self) -> bool | None:
        """``True`` on a mismatch, ``False`` when the split matches, ``None`` if untested."""
        return None if self.status == INSUFFICIENT else self.status == MISMATCH


def srm_check(
    observed: Mapping[str, int],
    planned_weights: Mapping[str, float],
    *,
    threshold: float = SRM_THRESHOLD,
) -> SrmResult:
    """Compare assigned counts per arm with the planned weights (any positive scale).

    An arm planned but absent from ``observed`` counts as 0 assigned; an observed arm
    without a planned weight is an :class:`InputError`.

    10 % holdout, 1000 assigned, 130 in control: expected 100 / 900,
    χ² = 30²/100 + 30²/900 = 10.0, p = 0.00157 — suspicious but not flagged.

    >>> res = srm_check({"control": 130, "value": 870}, {"control": 0.1, "value": 0.9})
    >>> res.status, round(res.chi2, 6), round(res.p_value, 5)
    ('ok', 10.0, 0.00157)
    >>> srm_check({"control": 150, "value": 850}, {"control": 1, "value": 9}).status
    'mismatch'
    """
    unknown = sorted(set(observed) - set(planned_weights))
    if unknown:
        raise InputError(f"no planned weight for arm(s) {', '.join(map(repr, unknown))}")
    arms = (*observed, *(arm for arm in planned_weights if arm not in observed))
    weights = tuple(float(planned_weights[arm]) for arm in arms)
    for arm, weight in zip(arms, weights, strict=True):
        if not (math.isfinite(weight) and weight > 0):
            raise InputError(f"planned weight of arm {arm!r} must be positive, got {weight}")
    counts = tuple(int(observed.get(arm, 0)) for arm in arms)
    if any(count < 0 for count in counts):
        raise InputError("assigned counts must not be negative")
    total = sum(counts)
    expected = tuple(total * weight / sum(weights) for weight in weights)
    base = {"arms": arms, "observed": counts, "expected": expected, "weights": weights}
    if len(arms) < 2:
        return SrmResult(INSUFFICIENT, **base, threshold=threshold, reason="single_arm")
    if total == 0:
        return SrmResult(INSUFFICIENT, **base, threshold=threshold, reason="no_customers")
    if min(expected) < MIN_EXPECTED:
        return SrmResult(INSUFFICIENT, **base, threshold=threshold, reason="small_expected")
    chi2, p_value = stats.chisquare(counts, expected)
    status = MISMATCH if p_value < threshold else OK
    return SrmResult(status, **base, chi2=float(chi2), p_value=float(p_value), threshold=threshold)
