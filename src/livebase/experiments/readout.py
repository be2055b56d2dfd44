"""Experiment readout per arm: rates, uplift vs control, p-values, revenue per assigned.

Inputs are :class:`~livebase.experiments.aggregates.ArmAggregate` rows (counts and sums);
nothing here touches customer rows. Each arm is compared with the control arm:

* ``rate`` — conversions / n, with a Wilson interval (``rate_ci``), as fractions;
* ``uplift_pp`` — (rate − control rate) × 100, in percentage points, with Newcombe's hybrid
  score interval (``uplift_ci_pp``, also in points);
* ``p_value`` — two-sided pooled two-proportion z-test, not adjusted for multiple arms;
* ``revenue_per_assigned`` = revenue / n and ``aov`` = revenue / orders, as exact
  ``Decimal`` rounded half-up to kopecks; ``revenue_test``: Welch's t-test and interval
  of the difference in revenue per assigned customer vs control (from n, sum and sum of
  squares: :func:`~livebase.experiments.revenue.welch_from_stats`);
* ``arppu`` = revenue / payers with a seeded BCa bootstrap interval (``arppu_ci``) when
  the payers' revenues are given;
* ``p_holm`` / ``p_bh``: Holm–Bonferroni and Benjamini–Hochberg adjusted p-values over
  the family of test arms (``adjust_across="arms"``) or over arms × {conversion, revenue
  per assigned} (``"arms_and_metrics"``, then ``revenue_p_holm`` / ``revenue_p_bh`` too);
* ``detectable_pp``: the smallest uplift this arm's n (against control's n and rate)
  could detect with ``power`` — how sensitive the wave was, whatever it found;
* ``increment``: seed 000's incremental economics when a gross margin is given
  (:func:`~livebase.experiments.economics.incremental`).

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from livebase.errors import InputError, InsufficientData
from livebase.experiments.aggregates import ArmAggregate
from livebase.experiments.arms import split_control
from livebase.experiments.economics import Increment, incremental
from livebase.experiments.multiple import adjust
from livebase.experiments.power import detectable_effect
from livebase.experiments.proportions import (
    newcombe_interval,
    two_proportion_ztest,
    wilson_interval,
)
from livebase.experiments.revenue import (
    BOOTSTRAP_SEED,
    BootstrapCI,
    MeanDiff,
    bootstrap_mean_ci,
    welch_from_stats,
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
    p_holm: float | None = None
    p_bh: float | None = None
    revenue_test: MeanDiff | None = None
    revenue_p_holm: float | None = None
    revenue_p_bh: float | None = None
    arppu: Decimal | None = None
    arppu_ci: BootstrapCI | None = None
    detectable_pp: float | None = None
    increment: Increment | None = None


ADJUST_ACROSS = ("arms", "arms_and_metrics")


@dataclass(frozen=True)
class Readout:
    """All arms of one experiment, in the order given, and the optional SRM check.

    ``aa``: an A/A experiment (every arm got the same treatment), read as a check of the
    pipeline: see :meth:`aa_passed`.
    """

    control: str
    alpha: float
    arms: tuple[ArmResult, ...]
    srm: SrmResult | None = None
    test: str = TEST_DESCRIPTION
    adjust_across: str = "arms"
    power: float = 0.8
    aa: bool = False

    def aa_passed(self) -> bool | None:
        """For an A/A readout: no arm differs from control after Holm's correction and the
        split matches the plan. ``None`` when nothing could be tested."""
        tested = [a.p_holm for a in self.arms if a.p_holm is not None]
        if not tested:
            return None
        srm_ok = self.srm is None or self.srm.mismatch is not True
        return srm_ok and all(p >= self.alpha for p in tested)

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
    payers: Mapping[str, Sequence[float]] | None = None,
    gross_margin: float | None = None,
    costs: Mapping[str, Decimal] | None = None,
    power: float = 0.8,
    adjust_across: str = "arms",
    aa: bool = False,
    bootstrap_seed: int = BOOTSTRAP_SEED,
) -> Readout:
    """Compare every arm with ``control``; intervals at confidence ``1 - alpha``.

    With ``planned_weights`` (arm → weight, any positive scale) the readout also carries
    a sample ratio mismatch check (:func:`~livebase.experiments.srm.srm_check`).
    ``payers``: per arm, the window revenue of each paying customer (ARPPU's bootstrap);
    ``gross_margin`` (a fraction) and ``costs`` (arm → marketing cost): the incremental
    economics of each test arm.
    """
    aggs, ctrl = split_control(aggregates, control, alpha=alpha)
    if adjust_across not in ADJUST_ACROSS:
        raise InputError(f"adjust_across must be one of {ADJUST_ACROSS}, got {adjust_across!r}")
    results = []
    for agg in aggs:
        if agg.arm == control:
            fields = _arm_only(agg, is_control=True, alpha=alpha)
            status, reason = (CONTROL, None) if agg.n else (INSUFFICIENT, "empty_arm")
            result = ArmResult(
                **fields,
                uplift_pp=None,
                uplift_ci_pp=None,
                p_value=None,
                status=status,
                reason=reason,
            )
        else:
            result = _compare(agg, ctrl, alpha)
            result = replace(
                result,
                revenue_test=_revenue_test(agg, ctrl, alpha),
                detectable_pp=_detectable(agg, ctrl, alpha=alpha, power=power),
                increment=None
                if gross_margin is None
                else incremental(
                    agg,
                    ctrl,
                    gross_margin=gross_margin,
                    marketing_cost=(costs or {}).get(agg.arm, Decimal(0)),
                    alpha=alpha,
                ),
            )
        result = replace(result, arppu=_money_ratio(agg.revenue, agg.conversions))
        if payers is not None:
            result = replace(
                result,
                arppu_ci=bootstrap_mean_ci(
                    payers.get(agg.arm, []), alpha=alpha, seed=bootstrap_seed
                ),
            )
        results.append(result)
    results = _adjusted(results, adjust_across)
    srm = None
    if planned_weights is not None:
        srm = srm_check({agg.arm: agg.n for agg in aggs}, planned_weights)
    return Readout(
        control=control,
        alpha=alpha,
        arms=tuple(results),
        srm=srm,
        adjust_across=adjust_across,
        power=power,
        aa=aa,
    )


def _revenue_test(agg: ArmAggregate, ctrl: ArmAggregate, alpha: float) -> MeanDiff:
    return welch_from_stats(
        agg.n,
        agg.revenue,
        agg.revenue_sumsq,
        ctrl.n,
        ctrl.revenue,
        ctrl.revenue_sumsq,
        alpha=alpha,
    )


def _detectable(
    agg: ArmAggregate, ctrl: ArmAggregate, *, alpha: float, power: float
) -> float | None:
    """The uplift (p.p.) this arm could detect against control's rate, or None."""
    if agg.n == 0 or ctrl.n == 0 or not 0 < ctrl.conversions < ctrl.n:
        return None
    try:
        effect = detectable_effect(
            ctrl.conversions / ctrl.n, agg.n, alpha=alpha, power=power, ratio=ctrl.n / agg.n
        )
    except InsufficientData:
        return None
    return effect * 100


def _adjusted(results: list[ArmResult], across: str) -> list[ArmResult]:
    """Holm and BH over the test arms' p-values (and revenue p-values when asked)."""
    family: dict[tuple[str, str], float | None] = {
        (r.arm, "conversion"): r.p_value for r in results if not r.is_control
    }
    if across == "arms_and_metrics":
        for r in results:
            if not r.is_control and r.revenue_test is not None:
                family[(r.arm, "revenue")] = r.revenue_test.p_value
    keys = {f"{arm}\x00{metric}": (arm, metric) for arm, metric in family}
    flat = {k: family[v] for k, v in keys.items()}
    holm, bh = adjust(flat, "holm"), adjust(flat, "bh")
    by = {keys[k]: (holm[k], bh[k]) for k in flat}
    out = []
    for r in results:
        if r.is_control:
            out.append(r)
            continue
        conv = by[(r.arm, "conversion")]
        rev = by.get((r.arm, "revenue"), (None, None))
        out.append(
            replace(r, p_holm=conv[0], p_bh=conv[1], revenue_p_holm=rev[0], revenue_p_bh=rev[1])
        )
    return out
