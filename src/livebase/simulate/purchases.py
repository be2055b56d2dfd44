"""When each person buys: a Pareto/NBD-like process with heterogeneous rates and churn.

A future buyer makes a first purchase at signup or after an exponential delay; after
each purchase they leave for good with their own ``dropout`` probability (Beta across
people), otherwise they buy again after a gap of at least :data:`MIN_GAP_DAYS` days plus
a Gamma-distributed wait whose mean follows their own ``rate`` (Gamma across people).
People who leave early make the sleeping tiers; people with high rates and low dropout
are the champions at the end of the history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from livebase.simulate.catalogue import FIRST_WEIGHTS, REPEAT_WEIGHTS
from livebase.simulate.clock import DAY, MINUTE, at_time_of_day
from livebase.simulate.population import People

MIN_GAP_DAYS = 15  # natural repeat purchases are never closer (accidental repeats are)
FIRST_DELAY_DAYS = 45.0
MAX_PURCHASES = 40


@dataclass(frozen=True)
class Purchases:
    """Purchases of a chunk, sorted by person then time."""

    person: np.ndarray  # row in People
    ts: np.ndarray  # UTC epoch seconds of the payment
    product: np.ndarray  # index into catalogue.PRODUCTS
    seq: np.ndarray  # 0 for the person's first purchase

    def __len__(self) -> int:
        return len(self.person)


def _choose(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    return np.searchsorted(np.cumsum(weights), rng.random(n) * weights.sum(), side="right")


def generate_purchases(people: People, end: int, tz: str, rng: np.random.Generator) -> Purchases:
    """Purchases strictly before ``end`` (UTC seconds)."""
    n = len(people)
    delay = np.where(
        people.instant,
        rng.integers(5 * MINUTE, 120 * MINUTE, n),
        (rng.exponential(FIRST_DELAY_DAYS, n) * DAY).astype(np.int64) + DAY,
    )
    first = people.signup + delay
    count = np.minimum(rng.geometric(people.dropout), MAX_PURCHASES)
    count = np.where(people.buyer, count, 0)
    person = np.repeat(np.arange(n), count)
    starts = np.cumsum(count) - count
    seq = np.arange(len(person)) - np.repeat(starts, count)
    mean_gap = 365.0 / people.rate[person]
    gap = MIN_GAP_DAYS + rng.gamma(1.5, mean_gap / 1.5)
    gap = np.where(seq == 0, 0.0, gap * DAY).astype(np.int64)
    offset = np.cumsum(gap)
    offset -= np.repeat(offset[starts[count > 0]], count[count > 0])
    ts = first[person] + offset
    # a typical hour of the day, except for purchases made right at signup
    moved = at_time_of_day(rng, ts, tz, not_before=people.signup[person] + 10 * MINUTE)
    instant = (seq == 0) & people.instant[person]
    ts = np.where(instant, ts, moved)
    keep = ts < end
    product = np.where(
        seq == 0,
        _choose(rng, FIRST_WEIGHTS, len(person)),
        _choose(rng, REPEAT_WEIGHTS, len(person)),
    )
    return Purchases(person[keep], ts[keep], product[keep], seq[keep])
