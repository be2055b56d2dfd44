"""The wave an experiment belongs to, read from the ``waves`` mart.

>>> import datetime as dt
>>> wave = WaveInfo("w1", "r90", "warm", dt.date(2025, 3, 1), 14, "done", ("control", "value"))
>>> wave.window(7)
(datetime.datetime(2025, 3, 1, 0, 0), datetime.datetime(2025, 3, 8, 0, 0))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ibis.backends import BaseBackend

from livebase.errors import InputError


def parse_arms(arms: str | None) -> tuple[str, ...]:
    """Arm names of ``waves.arms`` (comma-separated, planned order), blanks dropped.

    >>> parse_arms(" control, value ,discount,")
    ('control', 'value', 'discount')
    >>> parse_arms(None)
    ()
    """
    if not arms:
        return ()
    return tuple(name.strip() for name in arms.split(",") if name.strip())


@dataclass(frozen=True)
class WaveInfo:
    """One row of ``waves``: what a readout needs to know about its wave."""

    wave_id: str
    playbook: str | None
    segment: str | None
    starts_on: dt.date
    days: int | None
    status: str | None
    arms: tuple[str, ...]

    def window(self, window_days: int | None = None) -> tuple[dt.datetime, dt.datetime]:
        """The order window ``[starts_on 00:00 UTC, + window_days)`` as naive UTC datetimes.

        ``window_days`` defaults to the wave's own ``days``.
        """
        days = self.days if window_days is None else window_days
        if days is None:
            raise InputError(f"wave {self.wave_id!r} has no duration: pass window_days")
        if days <= 0:
            raise InputError(f"window_days must be positive, got {days}")
        start = dt.datetime.combine(self.starts_on, dt.time())
        return start, start + dt.timedelta(days=days)


def load_wave(con: BaseBackend, wave_id: str) -> WaveInfo:
    """Read one wave from the ``waves`` table; :class:`InputError` if it is not there."""
    waves = con.table("waves")
    rows = (
        waves.filter(waves.wave_id == wave_id)
        .select("wave_id", "playbook", "segment", "starts_on", "days", "status", "arms")
        .limit(2)
        .to_pyarrow()
        .to_pylist()
    )
    if not rows:
        raise InputError(f"no wave {wave_id!r} in the waves table")
    if len(rows) > 1:
        raise InputError(f"wave {wave_id!r} appears more than once in the waves table")
    row = rows[0]
    if row["starts_on"] is None:
        raise InputError(f"wave {wave_id!r} has no start date", column="starts_on")
    return WaveInfo(
        wave_id=row["wave_id"],
        playbook=row["playbook"],
        segment=row["segment"],
        starts_on=row["starts_on"],
        days=row["days"],
        status=row["status"],
        arms=parse_arms(row["arms"]),
    )
