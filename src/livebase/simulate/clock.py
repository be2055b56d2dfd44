"""Time as int64 seconds since the Unix epoch (UTC), and local wall clocks.

Every timestamp inside the simulator is UTC epoch seconds; local times are "wall clock
seconds" (the same count for the local calendar), used for days and hours of the day.

>>> from datetime import date
>>> t = midnight(date(2025, 5, 5), "Europe/Moscow")
>>> t, int(to_local(np.array([t]), "Europe/Moscow")[0] % DAY)
(1746392400, 0)
>>> int(from_local(np.array([t + 3 * 3600]), "Europe/Moscow")[0]) == t
True
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

DAY = 86_400
HOUR = 3_600
MINUTE = 60

# share of events per local hour of the day (people study and buy in the evening)
_MORNING = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3.5, 4.5, 5, 5.5]  # 00:00-11:59
_EVENING = [5.5, 5.5, 5.5, 5.5, 6, 6.5, 7.5, 8.5, 9, 8.5, 6, 3]  # 12:00-23:59
HOURLY = np.array([*_MORNING, *_EVENING], dtype=float)
HOURLY_CDF = np.cumsum(HOURLY) / HOURLY.sum()


def midnight(day: date, tz: str) -> int:
    """UTC epoch seconds of 00:00 of ``day`` in ``tz``."""
    local = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))
    return int(local.timestamp())


def to_local(utc: np.ndarray, tz: str) -> np.ndarray:
    """Wall-clock seconds in ``tz`` for UTC epoch seconds."""
    utc = np.asarray(utc, dtype=np.int64)
    if tz == "UTC" or len(utc) == 0:
        return utc.copy()
    idx = pd.DatetimeIndex(utc.astype("datetime64[s]")).tz_localize("UTC").tz_convert(tz)
    return idx.tz_localize(None).as_unit("s").asi8.astype(np.int64)


def from_local(local: np.ndarray, tz: str) -> np.ndarray:
    """UTC epoch seconds for wall-clock seconds in ``tz`` (gaps shift forward)."""
    local = np.asarray(local, dtype=np.int64)
    if tz == "UTC" or len(local) == 0:
        return local.copy()
    idx = pd.DatetimeIndex(local.astype("datetime64[s]")).tz_localize(
        tz, ambiguous=np.zeros(len(local), dtype=bool), nonexistent="shift_forward"
    )
    return idx.tz_convert("UTC").tz_localize(None).as_unit("s").asi8.astype(np.int64)


def from_local_zones(local: np.ndarray, zone: np.ndarray, zones: tuple[str, ...]) -> np.ndarray:
    """Like :func:`from_local` with a zone per row (``zone`` indexes ``zones``)."""
    out = np.empty(len(local), dtype=np.int64)
    for k, tz in enumerate(zones):
        rows = np.flatnonzero(zone == k)
        if len(rows):
            out[rows] = from_local(local[rows], tz)
    return out


def time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after local midnight, drawn from the :data:`HOURLY` profile."""
    hour = np.searchsorted(HOURLY_CDF, rng.random(n), side="right")
    return np.minimum(hour, 23) * HOUR + rng.integers(0, HOUR, n)


def at_time_of_day(
    rng: np.random.Generator, utc: np.ndarray, tz: str, not_before: np.ndarray | None = None
) -> np.ndarray:
    """Move each timestamp to a typical hour of the same local day (never before
    ``not_before``)."""
    local = to_local(utc, tz)
    moved = from_local(local - local % DAY + time_of_day(rng, len(utc)), tz)
    if not_before is not None:
        moved = np.maximum(moved, not_before)
    return moved
