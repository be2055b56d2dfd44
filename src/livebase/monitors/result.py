"""What a cannibalisation or discount-expectation monitor reports (SPEC F5.5).

* A monitor's ``status`` is ``ok``, ``alert`` (its value passed the threshold) or
  ``insufficient_data`` (the value is undefined or rests on too few units: ``value`` is
  ``None`` and ``reason`` names why, never a made-up 0).
* ``scope`` is the wave id for the per-wave monitors and ``base`` for the period monitors.
* ``detail`` holds the numbers behind the value as JSON-ready data (ints, floats, strings,
  ISO dates), so that every number on a screen can be traced.
* Reason codes are stable; reports translate them through the i18n keys
  ``monitor.reason.<code>``, monitors through ``monitor.<key>`` and ``monitor.<key>.explain``.

>>> r = MonitorResult("complaints", "w1", ALERT, 0.002, 0.001, 2, 1000, None, None, {})
>>> r.alerting
True
>>> describe("nothing_sent")
'the wave has sent nothing in the window: no rate to compute'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final, Literal

from livebase.errors import InputError
from livebase.experiments.proportions import wilson_interval
from livebase.experiments.status import INSUFFICIENT, OK

ALERT: Final = "alert"
BASE: Final = "base"

OVERLAP_ACTIVE: Final = "overlap_active"
COMPLAINTS: Final = "complaints"
UNSUBSCRIBES: Final = "unsubscribes"
ACTIVE_AOV: Final = "active_aov"
COUPON_ONLY: Final = "coupon_only"
COUPON_WAIT: Final = "coupon_wait"

WAVE_KEYS: Final = (OVERLAP_ACTIVE, COMPLAINTS, UNSUBSCRIBES)
BASE_KEYS: Final = (ACTIVE_AOV, COUPON_ONLY, COUPON_WAIT)
KEYS: Final = WAVE_KEYS + BASE_KEYS

MonitorStatus = Literal["ok", "alert", "insufficient_data"]

REASONS: dict[str, str] = {
    "nobody_contacted": "the wave has contacted nobody and plans no marketing touch",
    "nothing_sent": "the wave has sent nothing in the window: no rate to compute",
    "no_waves": "no wave runs in this period: there is nothing to compare with",
    "too_few_purchases": "too few purchases to judge (fewer than the minimum sample)",
    "no_revenue_before": "the purchases before the waves carry no revenue: no relative change",
    "too_few_buyers": "too few repeat buyers to judge (fewer than the minimum sample)",
}


def describe(reason: str) -> str:
    """The English text of a monitor's reason code."""
    return REASONS[reason]


@dataclass(frozen=True)
class MonitorResult:
    """One monitor's reading for one scope (a wave id or ``base``).

    ``value`` is the measured rate, share or relative change (``None`` when
    insufficient); ``numerator`` / ``denominator`` are the counts (or, for the AOV monitor,
    the two AOVs) it comes from; ``interval`` is its 95 % confidence interval where the
    monitor computes one.
    """

    key: str
    scope: str
    status: MonitorStatus
    value: float | None
    threshold: float
    numerator: int | float | None
    denominator: int | float | None
    interval: tuple[float, float] | None
    reason: str | None
    detail: dict = field(default_factory=dict)

    @property
    def alerting(self) -> bool:
        """Whether the monitor passed its threshold."""
        return self.status == ALERT


def insufficient(
    key: str, scope: str, threshold: float, reason: str, detail: dict, **counts: int | None
) -> MonitorResult:
    """A result without a value: ``status = insufficient_data`` with ``reason``."""
    if reason not in REASONS:
        raise KeyError(reason)
    return MonitorResult(
        key=key,
        scope=scope,
        status=INSUFFICIENT,
        value=None,
        threshold=threshold,
        numerator=counts.get("numerator"),
        denominator=counts.get("denominator"),
        interval=None,
        reason=reason,
        detail=detail,
    )


def status_of(alerting: bool) -> MonitorStatus:
    """``alert`` or ``ok``."""
    return ALERT if alerting else OK


def share_threshold(value: float, name: str) -> Fraction:
    """A share threshold as the exact fraction it is written as (0.001 is 1/1000).

    >>> share_threshold(0.001, "complaint rate")
    Fraction(1, 1000)
    """
    if not 0 < value < 1:
        raise InputError(f"{name} threshold must be between 0 and 1, got {value!r}")
    return Fraction(repr(float(value)))


def share_interval(numerator: int, denominator: int) -> tuple[float, float] | None:
    """The Wilson 95 % interval of ``numerator / denominator`` (the same as statsmodels'
    ``proportion_confint(method="wilson")``); ``None`` when it is undefined (nothing to
    divide by, or more events than units).

    >>> low, high = share_interval(1, 1000)
    >>> round(low, 6), round(high, 6)
    (0.000177, 0.005643)
    """
    if denominator <= 0 or not 0 <= numerator <= denominator:
        return None
    return wilson_interval(numerator, denominator, alpha=0.05)


def check_min_sample(min_sample: int) -> int:
    """``min_sample`` must be a positive whole number."""
    if isinstance(min_sample, bool) or not isinstance(min_sample, int) or min_sample < 1:
        raise InputError(f"min_sample must be a positive whole number, got {min_sample!r}")
    return min_sample


def alerts(results: tuple[MonitorResult, ...] | list[MonitorResult]) -> tuple[MonitorResult, ...]:
    """The results that alert, in their order.

    >>> ok = MonitorResult("complaints", "w1", "ok", 0.0, 0.001, 0, 10, None, None, {})
    >>> bad = MonitorResult("complaints", "w2", "alert", 0.2, 0.001, 2, 10, None, None, {})
    >>> [r.scope for r in alerts([ok, bad])]
    ['w2']
    """
    return tuple(r for r in results if r.alerting)


def share_result(
    key: str,
    scope: str,
    numerator: int,
    denominator: int,
    threshold: float,
    *,
    at_or_above: bool = False,
    detail: dict,
) -> MonitorResult:
    """A share monitor's result: alert when numerator / denominator (exactly) passes the
    threshold (``at_or_above``: reaching it is enough), with its Wilson interval."""
    limit = share_threshold(threshold, key)
    rate = Fraction(numerator, denominator)
    passed = rate >= limit if at_or_above else rate > limit
    return MonitorResult(
        key=key,
        scope=scope,
        status=status_of(passed),
        value=numerator / denominator,
        threshold=threshold,
        numerator=numerator,
        denominator=denominator,
        interval=share_interval(numerator, denominator),
        reason=None,
        detail=detail,
    )
