"""What school to simulate: size, seed, the export date and the school's time zone.

>>> from datetime import date
>>> spec = SchoolSpec(customers=1_000, seed=7, end=date(2025, 5, 5))
>>> spec.start, spec.chunks()
(datetime.date(2022, 11, 17), [(0, 1000)])
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from livebase.errors import InputError

DEFAULT_CHUNK = 50_000


@dataclass(frozen=True)
class SchoolSpec:
    """A simulated school.

    ``customers`` is the number of distinct people; about 1 % more user profiles are
    written (duplicate profiles of some of them). The history covers the ``history_days``
    days before ``end`` (the export is taken at 00:00 of ``end`` in ``timezone``; nothing
    happens on or after it). People are generated in chunks of ``chunk_size`` with their
    own random streams, so the files depend on ``(seed, chunk_size)``.

    ``coupon_hunters`` is the share of people who only ever buy with a discount: every
    purchase of theirs gets a promotion or a personal discount and none is paid in
    installments (drawn from a random stream of its own, so at 0 the files are as
    without the knob).
    """

    customers: int = 20_000
    seed: int = 7
    end: date = date(2025, 5, 5)
    history_days: int = 900
    timezone: str = "Europe/Moscow"
    chunk_size: int = DEFAULT_CHUNK
    coupon_hunters: float = 0.0

    def __post_init__(self) -> None:
        if self.customers < 10:
            raise InputError(f"customers must be at least 10, got {self.customers}")
        if self.history_days < 120:
            raise InputError(f"history_days must be at least 120, got {self.history_days}")
        if self.chunk_size < 10:
            raise InputError(f"chunk_size must be at least 10, got {self.chunk_size}")
        if not 0.0 <= self.coupon_hunters <= 1.0:
            raise InputError(f"coupon_hunters must be within [0, 1], got {self.coupon_hunters}")
        if self.seed < 0:
            raise InputError(f"seed must be non-negative, got {self.seed}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InputError(f"unknown time zone {self.timezone!r}") from exc

    @property
    def start(self) -> date:
        """The first day of the history."""
        return self.end - timedelta(days=self.history_days)

    def chunks(self) -> list[tuple[int, int]]:
        """Half-open ranges of person indices, one per chunk."""
        size = self.chunk_size
        return [(lo, min(lo + size, self.customers)) for lo in range(0, self.customers, size)]
