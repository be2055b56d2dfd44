"""Deterministic experiment assignment (SPEC F4.4).

Two schemes, both a function of the wave's seed, the wave id and the customer ids only,
so a rerun, another machine or another engine assigns everyone the same way:

* :func:`assign_arm` (unstratified): a customer's arm is where the hash of
  ``seed:wave_id:customer_id`` falls among the cumulative weights. Adding customers never
  moves anybody; arm sizes follow the weights only on average.
* :func:`assign_stratified` (what ``plan_wave`` uses): customers are grouped in strata
  (:func:`stratum_label`: RFM decile × first-lead channel, seed 003); inside a stratum
  they are ordered by the same hash and dealt arms by position from a balanced sequence
  (:func:`dealt_arm`), so that **in every stratum each arm's count is within one customer
  of weight × stratum size** (strictly: ``|count − w·n| < 1``, i.e. the floor or the ceiling
  of ``w·n``). A customer's probability of each arm is still its weight. Customers already
  assigned keep their arm; newcomers continue the stratum's sequence after them.

>>> assign_arm("gc:100234", wave_id="W1", seed=7, weights={"holdout": 0.15, "control": 0.85})
'control'
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from fractions import Fraction

from livebase.errors import ConfigError

HOLDOUT = "holdout"
_HASH_BITS = 64


def _hash64(text: str, start: int = 0) -> int:
    """Eight bytes of SHA-256 of ``text`` (from byte ``start``) as an integer."""
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[start : start + 8], "big")


def unit_hash(customer_id: str, *, wave_id: str, seed: int) -> float:
    """A uniform number in [0, 1) from SHA-256 of ``seed:wave_id:customer_id``."""
    return _hash64(f"{seed}:{wave_id}:{customer_id}") / 2**_HASH_BITS


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


def stratum_label(decile: int | None, first_channel: str | None) -> str:
    """The stratum of a customer: RFM decile (1 = lowest total score) and first-lead channel.

    >>> stratum_label(3, "vk"), stratum_label(10, None), stratum_label(1, "  ")
    ('d3|vk', 'd10|unknown', 'd1|unknown')
    """
    channel = (first_channel or "").strip() or "unknown"
    return f"d{decile}|{channel}"


def split_weights(weights: Mapping[str, float]) -> tuple[Fraction, tuple[str, ...]]:
    """The holdout share (exact) and the other arms, which must share the rest equally.

    Stratified dealing needs this shape (a holdout and equal arms, SPEC F4.4): it is
    what keeps every arm within one customer of its share in every stratum.

    >>> split_weights({"holdout": 0.15, "control": 0.425, "value": 0.425})
    (Fraction(3, 20), ('control', 'value'))
    """
    check_weights(weights)
    arms = tuple(arm for arm in weights if arm != HOLDOUT)
    if not arms:
        raise ConfigError("stratified assignment needs at least one arm besides the holdout")
    holdout = Fraction(weights.get(HOLDOUT, 0.0)).limit_denominator(1_000_000)
    if holdout >= 1:
        raise ConfigError("the holdout must leave room for the other arms")
    share = (1 - float(holdout)) / len(arms)
    if any(abs(weights[arm] - share) > 1e-9 for arm in arms):
        raise ConfigError(
            "stratified assignment needs equal arms besides the holdout (SPEC F4.4), got "
            + ", ".join(f"{arm} {weights[arm]:g}" for arm in arms)
        )
    return holdout, arms


def _phase(*, wave_id: str, seed: int, stratum: str) -> tuple[int, int]:
    """The stratum's random start: an intercept numerator (of 2**64) and an arm offset."""
    text = f"{seed}:{wave_id}:{stratum}:phase"
    return _hash64(text, 0), _hash64(text, 8)


def dealt_arm(
    position: int, *, holdout: Fraction, arms: tuple[str, ...], intercept: int, offset: int
) -> str:
    """The arm of the customer at ``position`` (0-based) of a stratum's dealing order.

    Two balanced sequences, both with a random start drawn once per stratum:

    * the holdout takes the positions where ``floor((p + 1)·h + β)`` steps up
      (a mechanical word of slope ``h``, intercept ``β = intercept / 2**64``): among the
      first ``n`` positions there are ``floor(n·h + β)`` holdouts, within one of ``n·h``;
    * the other positions go round the arms in turn, starting at arm ``offset mod k``:
      among ``n'`` such positions each arm gets ``floor(n'/k)`` or ``ceil(n'/k)``.

    So each arm gets ``(n − holdouts)/k ± (k − 1)/k`` with ``n − holdouts`` within one of
    ``n·(1 − h)``: within one customer of ``n·(1 − h)/k``. As β and the offset are uniform,
    every position gets the holdout with probability ``h`` and each other arm with
    ``(1 − h)/k``.

    >>> h = Fraction(3, 20)
    >>> "".join(
    ...     dealt_arm(p, holdout=h, arms=("a", "b", "c"), intercept=0, offset=0)[0]
    ...     for p in range(20)
    ... )
    'abcabchabcabchabcabh'
    """
    num, den = holdout.numerator, holdout.denominator
    scale = den << _HASH_BITS  # h·p + β = (num·p·2**64 + intercept·den) / (den·2**64)
    before = (num * position * (1 << _HASH_BITS) + intercept * den) // scale
    after = (num * (position + 1) * (1 << _HASH_BITS) + intercept * den) // scale
    if after > before:
        return HOLDOUT
    return arms[(position - before + offset) % len(arms)]


def assign_stratified(
    strata: Mapping[str, str],
    *,
    wave_id: str,
    seed: int,
    weights: Mapping[str, float],
    existing: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Arms for the customers of ``strata`` (customer id → stratum) not yet assigned.

    ``existing`` (customer id → stored stratum) are the wave's members from an earlier
    run: they keep their arm and are not returned, but they count for their stratum,
    so the newcomers of a stratum continue its dealing order after them. Inside a
    stratum newcomers are dealt in the order of :func:`unit_hash` (ties by id).

    >>> strata = {f"c{i}": "d1|email" for i in range(8)}
    >>> arms = assign_stratified(
    ...     strata, wave_id="W", seed=1, weights={"control": 0.5, "value": 0.5}
    ... )
    >>> sorted(Counter(arms.values()).items())
    [('control', 4), ('value', 4)]
    """
    holdout, arms = split_weights(weights)
    existing = existing or {}
    taken = Counter(existing.values())
    members: dict[str, list[str]] = {}
    for customer, stratum in strata.items():
        if customer not in existing:
            members.setdefault(stratum, []).append(customer)
    out: dict[str, str] = {}
    for stratum in sorted(members):
        intercept, offset = _phase(wave_id=wave_id, seed=seed, stratum=stratum)
        ordered = sorted(
            members[stratum], key=lambda c: (unit_hash(c, wave_id=wave_id, seed=seed), c)
        )
        start = taken[stratum]
        for i, customer in enumerate(ordered):
            out[customer] = dealt_arm(
                start + i, holdout=holdout, arms=arms, intercept=intercept, offset=offset
            )
    return out


def stratum_counts(rows: Iterable[tuple[str, str]]) -> dict[str, Counter[str]]:
    """Arm counts per stratum from ``(stratum, arm)`` pairs (for balance checks).

    >>> stratum_counts([("s", "a"), ("s", "b"), ("t", "a")])["s"]["a"]
    1
    """
    out: dict[str, Counter[str]] = {}
    for stratum, arm in rows:
        out.setdefault(stratum, Counter())[arm] += 1
    return out
