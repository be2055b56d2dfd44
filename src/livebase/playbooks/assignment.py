"""Deterministic experiment assignment (SPEC F4.4).

A customer's arm depends only on the wave's seed, the wave id and the customer id, so a
rerun, another machine or another engine assigns everyone the same way, and adding
customers to an audience never moves the ones already there.

>>> assign_arm("gc:100234", wave_id="W1", seed=7, weights={"holdout": 0.15, "control": 0.85})
'control'
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from livebase.errors import ConfigError


def unit_hash(customer_id: str, *, wave_id: str, seed: int) -> float:
    """A uniform number in [0, 1) from SHA-256 of ``seed:wave_id:customer_id``."""
    digest = hashlib.sha256(f"{seed}:{wave_id}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def check_weights(weights: Mapping[str, float]) -> None:
    if not weights:
        raise ConfigError("an experiment needs at least one arm")
    if any(w < 0 for w in weights.values()):
        raise ConfigError("arm weights must not be negative")
    total = sum(weights.values())
    if abs(total - 1.0) > 1e-9:
        raise ConfigError(f"arm weights must add up to 1, not {total:g}")


def assign_arm(customer_id: str, *, wave_id: str, seed: int, weights: Mapping[str, float]) -> str:
    u = unit_hash(customer_id, wave_id=wave_id, seed=seed)
    edge = 0.0
    arms = list(weights)
    for arm in arms:
        edge += weights[arm]
        if u < edge:
            return arm
    return arms[-1]


def arm_weights(arms: list[str], holdout: float) -> dict[str, float]:
    """A holdout share and equal weights for the other arms.

    >>> {arm: round(w, 4) for arm, w in arm_weights(["control", "value"], 0.15).items()}
    {'holdout': 0.15, 'control': 0.425, 'value': 0.425}
    """
    if not 0 <= holdout < 1:
        raise ConfigError(f"holdout must be in [0, 1), not {holdout}")
    share = (1 - holdout) / len(arms)
    weights = {"holdout": holdout} if holdout > 0 else {}
    weights.update(dict.fromkeys(arms, share))
    return weights
