"""Experiment readout per arm: rates, uplift vs control, p-values, revenue per assigned.

Inputs are :class:`~livebase.experiments.aggregates.ArmAggregate` rows (counts and sums);
nothing here touches customer rows. Each arm is compared with the control arm:

* ``rate`` — conversions / n, with a Wilson interval (``rate_ci``), as fractions;
* ``uplift_pp`` — (rate − control rate) × 100, in percentage points, with Newcombe's hybrid
  score interval (``uplift_ci_pp``, also in points);
* ``p_value`` — two-sided pooled two-proportion z-test, not adjusted for multiple arms;
* ``revenue_per_assigned`` = revenue / n and ``aov`` = revenue / orders, as exact
  ``Decimal`` rounded half-up to kopecks.

Undefined quantities are ``None`` and the arm's ``status`` says why (see
:mod:`livebase.experiments.status`). Quantities that *are* defined stay even then: with no
conversions in the arm nor in control the rates (0) keep their Wilson intervals and the
difference its Newcombe interval, but there is no p-value and the status is
``insufficient_data`` with reason ``no_conversions``.

>>> from decimal import Decimal
>>> aggs = [
...     ArmAggregate("control", 1000, 32, 33, Decimal("95000.00"), 3.1e8),
...     ArmAggregate("value", 1000, 49, 52, Decimal("150000.00"), 5.2e8),
... ]
>>> res = readout(aggs)
>>> value = res.arm("value")
>>> value.status, round(value.uplift_pp, 2), round(value.p_value, 4)
('ok', 1.7, 0.0538)
>>> value.revenue_per_assigned, value.aov
(Decimal('150.00'), Decimal('2884.62'))
>>> res.arm("control").status, res.arm("control").uplift_pp
('control', None)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from livebase.errors import InputError
from livebase.experiments.aggregates import ArmAggregate
from livebase.experiments.proportions import (
    newcombe_interval,
    two_proportion_ztest,
    wilson_interval,
)
from livebase.experiments.srm import SrmResult, srm_check
from livebase.experiments.status import CONTROL, INSUFFICIENT, OK, ArmStatus

_CENT = Decimal("0.01")

TEST_DESCRIPTION = (
    "conversion = unique payers / assigned within the window; rate CI: Wilson score; "
    "uplift CI: Newcombe hybrid score; p-value: two-sided pooled two-proportion z-test "
    "(unadjusted)"
)


@dataclass(frozen=True)
class ArmResult:
    """The readout of one arm. Rates are fractions; uplifts are percentage points."""

    arm: str
    status: ArmStatus
    is_control: bool
    n: int
    conversions: int
    orders: int
    revenue: Decimal
    rate: float | None
    rate_ci: tuple[float, float] | None
    uplift_pp: float | None
    uplift_ci_pp: tuple[float, float] | None
    p_value: float | None
    revenue_per_assigned: Decimal | None
    aov: Decimal | None
    reason: str | None = None


@dataclass(frozen=True)
class Readout:
    """All arms of one experiment, in the order given, and the optional SRM check."""

    control: str
    alpha: float
    arms: tuple[ArmResult, ...]
    srm: SrmResult | None = None
    test: str = TEST_DESCRIPTION

    @property
    def confidence(self) -> float:
        """Confidence level of every interval, ``1 - alpha``."""
        return 1 - self.alpha

    def arm(self, name: str) -> ArmResult:
        """The result of arm ``name``; :class:`KeyError` if there is no such arm."""
        for result in self.arms:
            if result.arm == name:
                return result
        raise KeyError(name)


def _money_ratio(amount: Decimal, count: int) -> Decimal | None:
    return (amount / count).quantize(_CENT, rounding=ROUND_HALF_UP) if count else None


def _arm_only(agg: ArmAggregate, *, is_control: bool, alpha: float) -> dict:
    """Fields of an arm that do not depend on the control."""
    return {
        "arm": agg.arm,
        "is_control": is_control,
        "n": agg.n,
        "conversions": agg.conversions,
        "orders": agg.orders,
        "revenue": agg.revenue,
        "rate": agg.rate,
        "rate_ci": wilson_interval(agg.conversions, agg.n, alpha=alpha) if agg.n else None,
        "revenue_per_assigned": _money_ratio(agg.revenue, agg.n),
        "aov": _money_ratio(agg.revenue, agg.orders),
    }


def _compare(agg: ArmAggregate, ctrl: ArmAggregate, alpha: float) -> ArmResult:
    fields = _arm_only(agg, is_control=False, alpha=alpha)
    none = {"uplift_pp": None, "uplift_ci_pp": None, "p_value": None}
    if agg.n == 0:
        return ArmResult(**fields, **none, status=INSUFFICIENT, reason="empty_arm")
    if ctrl.n == 0:
        return ArmResult(**fields, **none, status=INSUFFICIENT, reason="empty_control")
    low, high = newcombe_interval(agg.conversions, agg.n, ctrl.conversions, ctrl.n, alpha=alpha)
    uplift = {
        "uplift_pp": (agg.conversions / agg.n - ctrl.conversions / ctrl.n) * 100,
        "uplift_ci_pp": (low * 100, high * 100),
    }
    pooled = agg.conversions + ctrl.conversions
    if pooled == 0:
        reason = "no_conversions"
    elif pooled == agg.n + ctrl.n:
        reason = "all_converted"
    else:
        _, p_value = two_proportion_ztest(agg.conversions, agg.n, ctrl.conversions, ctrl.n)
        return ArmResult(**fields, **uplift, p_value=p_value, status=OK)
    return ArmResult(**fields, **uplift, p_value=None, status=INSUFFICIENT, reason=reason)


def readout(
    aggregates: Iterable[ArmAggregate],
    *,
    control: str = "control",
    alpha: float = 0.05,
    planned_weights: Mapping[str, float] | None = None,
) -> Readout:
    """Compare every arm with ``control``; intervals at confidence ``1 - alpha``.

    With ``planned_weights`` (arm → weight, any positive scale) the readout also carries
    a sample ratio mismatch check (:func:`~livebase.experiments.srm.srm_check`).
    """
    aggs = list(aggregates)
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}")
    names = [agg.arm for agg in aggs]
    if len(set(names)) != len(names):
        raise InputError(f"arm names repeat: {names}")
    by_name = dict(zip(names, aggs, strict=True))
    if control not in by_name:
        raise InputError(f"no control arm {control!r} among arms {names}")
    ctrl = by_name[control]
    results = []
    for agg in aggs:
        if agg.arm == control:
            fields = _arm_only(agg, is_control=True, alpha=alpha)
            status, reason = (CONTROL, None) if agg.n else (INSUFFICIENT, "empty_arm")
            results.append(
                ArmResult(
                    **fields,
                    uplift_pp=None,
                    uplift_ci_pp=None,
                    p_value=None,
                    status=status,
                    reason=reason,
                )
            )
        else:
            results.append(_compare(agg, ctrl, alpha))
    srm = None
    if planned_weights is not None:
        srm = srm_check({agg.arm: agg.n for agg in aggs}, planned_weights)
    return Readout(control=control, alpha=alpha, arms=tuple(results), srm=srm)
