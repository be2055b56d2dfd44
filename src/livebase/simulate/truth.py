"""The planted truth of a simulated school, saved next to its exports as ``truth.json``.

Campaign response rates are the 14-day conversions of the reactivation pilot of seed
000 (control / value / discount per sleeping tier); the holdout, which gets no message at
all, buys at 60 % of the control rate. A customer outside the three tiers (or without a
tier) converts at :data:`BASELINE_RATE` whatever the arm.

After the wave, :data:`NPS_RESPONSE_RATE` (41 %, seed 003) of the paying customers answer
the NPS survey 7–10 days after their purchase. Each arm has planted shares of promoters
(9–10), passives (7–8) and detractors (0–6), :data:`NPS_GROUPS`, so its true NPS is
``100 · (promoters − detractors)``: control 58 and value 67 as seed 003's control and
branch A, discount 60 (seed 003's branch C), holdout 58 (it gets no messages, so it is
served as control). Inside a group the score follows :data:`NPS_SCORE_WEIGHTS`.

The wave's costs: :data:`ESP_COST_PER_MESSAGE` per email sent (seed 000: ESP 18 000 ₽ for
24 130 contacts ≈ 0.75 ₽) and :data:`BONUS_COST_PER_VALUE_MEMBER` of bonus production per
member of the value arm (seed 000: 40 000 ₽ of bonuses for the value third of 24 130
contacts ≈ 4.97 ₽). The discount is not a cost here: it is already off the order amounts.

A school built with ``SchoolSpec(coupon_hunters=h)`` records ``h`` as ``coupon_hunters``
and its repeat buyers in ``counts``; at ``h = 0`` the key is left out of ``truth.json``,
so a school without hunters has the same bytes as before the knob existed.
:class:`Behaviour` holds the knobs of a played-out wave (quiet by default).

>>> truth = PlantedTruth.planted(seed=1, end=date(2025, 5, 5))
>>> truth.rate("R90", "discount"), truth.rate("R270", "holdout"), truth.rate(None, "value")
(0.056, 0.0072, 0.01)
>>> truth.expected_aov("R180", "discount")
9690.0
>>> [truth.nps(arm) for arm in ARMS]
[58.0, 58.0, 67.0, 60.0]
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from livebase.errors import InputError
from livebase.simulate.esp import Rates

_ESP = Rates()

TIERS = ("R90", "R180", "R270")
ARMS = ("holdout", "control", "value", "discount")
TIER_DAYS = {"R90": (90, 179), "R180": (180, 269), "R270": (270, None)}
PILOT = {  # 14-day conversion, control / value / discount [000]
    "R90": (0.032, 0.049, 0.056),
    "R180": (0.021, 0.034, 0.040),
    "R270": (0.012, 0.023, 0.028),
}
HOLDOUT_FACTOR = 0.6
AOV = {"R90": 12_300.0, "R180": 11_400.0, "R270": 10_800.0}  # roubles, list price [000]
BASELINE_RATE = 0.01
BASELINE_AOV = 11_900.0
DISCOUNT = 0.15
PROMO_CODE = "BACK15"
WINDOW_DAYS = 14
EMAILS_PER_WAVE = 6
NPS_GROUP_NAMES = ("promoter", "passive", "detractor")
NPS_GROUPS = {  # shares of promoters / passives / detractors among the answers per arm
    "holdout": (0.67, 0.24, 0.09),  # NPS 58, as control
    "control": (0.67, 0.24, 0.09),  # NPS 58 [003]
    "value": (0.74, 0.19, 0.07),  # NPS 67 [003, branch A]
    "discount": (0.69, 0.22, 0.09),  # NPS 60 [003, branch C]
}
NPS_SCORE_WEIGHTS = {  # the score inside a group: scores, then their weights
    "promoter": ((9, 10), (0.45, 0.55)),
    "passive": ((7, 8), (0.45, 0.55)),
    "detractor": ((0, 1, 2, 3, 4, 5, 6), (0.04, 0.03, 0.05, 0.08, 0.12, 0.22, 0.46)),
}
NPS_RESPONSE_RATE = 0.41  # [003]: 312 answers, response rate 41 %
NPS_DELAY_DAYS = (7, 10)  # answers come 7 to 10 days after the purchase [003: 7 days]
ESP_COST_PER_MESSAGE = 0.75  # roubles per sent email [000: 18 000 ₽ / 24 130 contacts]
BONUS_COST_PER_VALUE_MEMBER = 5.0  # roubles [000: 40 000 ₽ / (24 130 / 3) ≈ 4.97]
ASSIST_CLICK = 0.35  # a converter's click on a messenger / retargeting touch before buying
# fields of PlantedTruth left out of truth.json at these values (files stay as they were)
_OMITTED_AT = {"coupon_hunters": 0.0}


@dataclass(frozen=True)
class Behaviour:
    """What a played-out wave plants for the monitors; the defaults are quiet (every
    monitor below its threshold, the files as without the knobs).

    ``spam_rate`` and ``unsubscribe_rate``: shares of the wave's sent emails (today's
    :class:`~livebase.simulate.esp.Rates`). ``leak_active``: the share of active
    customers (a paid order in the 30 days before the start, not in the wave) who get
    the wave's emails too, as if the ESP filter were misconfigured. ``active_orders``:
    customers with a paid order in the 90 days before the start who are not in the wave
    go on buying during the window at their own pace, amounts resampled from their own
    orders × (1 + ``active_aov_shift``). ``coupon_wait``: the share of the discount
    arm's converters who left an unpaid order 1–10 days before the start and waited for
    the coupon. ``assist_click``: the chance a contacted converter clicked a messenger
    (and, independently, a retargeting) touch before buying (only with ``touches``).

    >>> Behaviour().leak_active, Behaviour().spam_rate == Rates().spam
    (0.0, True)
    >>> Behaviour(coupon_wait=1.5)
    Traceback (most recent call last):
    ...
    livebase.errors.InputError: coupon_wait must be within [0, 1], got 1.5
    """

    spam_rate: float = _ESP.spam
    unsubscribe_rate: float = _ESP.unsubscribe
    leak_active: float = 0.0
    active_orders: bool = False
    active_aov_shift: float = 0.0
    coupon_wait: float = 0.0
    assist_click: float = ASSIST_CLICK

    def __post_init__(self) -> None:
        for name in ("leak_active", "coupon_wait", "assist_click"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise InputError(f"{name} must be within [0, 1], got {value}")
        for name in ("spam_rate", "unsubscribe_rate"):
            value = getattr(self, name)
            if not 0.0 <= value < 0.5:
                raise InputError(f"{name} must be within [0, 0.5), got {value}")
        if not self.active_aov_shift > -1.0:
            raise InputError(f"active_aov_shift must be above -1, got {self.active_aov_shift}")

    def rates(self) -> Rates:
        """The ESP rates of the wave's emails (:class:`Rates` with these two shares)."""
        return Rates(spam=self.spam_rate, unsubscribe=self.unsubscribe_rate)


def planted_nps_groups() -> dict[str, dict[str, float]]:
    """Shares of promoters, passives and detractors among the NPS answers per arm."""
    return {
        arm: dict(zip(NPS_GROUP_NAMES, shares, strict=True)) for arm, shares in NPS_GROUPS.items()
    }


def planted_rates() -> dict[str, dict[str, float]]:
    """Conversion probability within a wave per tier and arm."""
    out = {}
    for tier, (control, value, discount) in PILOT.items():
        out[tier] = {
            "holdout": round(control * HOLDOUT_FACTOR, 6),
            "control": control,
            "value": value,
            "discount": discount,
        }
    return out


@dataclass(frozen=True)
class PlantedTruth:
    """What the simulator planted, for checking importers and measurements against."""

    seed: int
    end: date
    timezone: str = "Europe/Moscow"
    customers: int = 0
    history_days: int = 0
    response_rates: dict[str, dict[str, float]] = field(default_factory=planted_rates)
    aov: dict[str, float] = field(default_factory=lambda: dict(AOV))
    baseline_rate: float = BASELINE_RATE
    baseline_aov: float = BASELINE_AOV
    discount: float = DISCOUNT
    promo_code: str = PROMO_CODE
    window_days: int = WINDOW_DAYS
    emails_per_wave: int = EMAILS_PER_WAVE
    tier_days: dict[str, list[int | None]] = field(
        default_factory=lambda: {k: list(v) for k, v in TIER_DAYS.items()}
    )
    sleep_tiers: dict[str, int] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    last_order_id: int = 0
    last_order_number: int = 0
    nps_groups: dict[str, dict[str, float]] = field(default_factory=planted_nps_groups)
    nps_response_rate: float = NPS_RESPONSE_RATE
    nps_delay_days: list[int] = field(default_factory=lambda: list(NPS_DELAY_DAYS))
    esp_cost_per_message: float = ESP_COST_PER_MESSAGE
    bonus_cost_per_value_member: float = BONUS_COST_PER_VALUE_MEMBER
    coupon_hunters: float = 0.0

    @classmethod
    def planted(cls, seed: int, end: date, **kwargs: Any) -> PlantedTruth:
        return cls(seed=seed, end=end, **kwargs)

    def rate(self, tier: str | None, arm: str) -> float:
        """Conversion probability of a wave member (baseline outside the tiers)."""
        if arm not in ARMS:
            raise ValueError(f"unknown arm {arm!r}; expected one of {', '.join(ARMS)}")
        if tier in self.response_rates:
            return self.response_rates[tier][arm]
        return self.baseline_rate

    def list_aov(self, tier: str | None) -> float:
        """Mean list price of what a returning customer of ``tier`` buys."""
        return self.aov.get(tier, self.baseline_aov) if tier else self.baseline_aov

    def expected_aov(self, tier: str | None, arm: str) -> float:
        """Mean paid amount: the list price, less the discount in the discount arm."""
        factor = 1 - self.discount if arm == "discount" else 1.0
        return round(self.list_aov(tier) * factor, 2)

    def nps(self, arm: str) -> float:
        """The planted NPS of an arm's paying customers, in points (−100..100)."""
        if arm not in ARMS:
            raise ValueError(f"unknown arm {arm!r}; expected one of {', '.join(ARMS)}")
        groups = self.nps_groups[arm]
        return round(100 * (groups["promoter"] - groups["detractor"]), 6)

    def to_json(self) -> str:
        data = asdict(self)
        data["end"] = self.end.isoformat()
        for key, quiet in _OMITTED_AT.items():
            if data[key] == quiet:
                del data[key]
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def save(self, path: Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_json(cls, text: str) -> PlantedTruth:
        data = json.loads(text)
        data["end"] = date.fromisoformat(data["end"])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    @classmethod
    def load(cls, path: Path) -> PlantedTruth:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))
