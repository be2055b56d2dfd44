"""The planted truth of a simulated school, saved next to its exports as ``truth.json``.

Campaign response rates are the 14-day conversions of the reactivation pilot of seed
000 (control / value / discount per sleeping tier); the holdout, which gets no message at
all, buys at 60 % of the control rate. A customer outside the three tiers (or without a
tier) converts at :data:`BASELINE_RATE` whatever the arm.

>>> truth = PlantedTruth.planted(seed=1, end=date(2025, 5, 5))
>>> truth.rate("R90", "discount"), truth.rate("R270", "holdout"), truth.rate(None, "value")
(0.056, 0.0072, 0.01)
>>> truth.expected_aov("R180", "discount")
9690.0
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

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

    def to_json(self) -> str:
        data = asdict(self)
        data["end"] = self.end.isoformat()
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
