"""Vectorised text rendering of numbers, dates and money into Arrow string arrays.

Fixed-width values (dates, padded numbers) are built as byte matrices, so a million
values take milliseconds; everything else uses ``pyarrow.compute``.

>>> import numpy as np
>>> dmy_hm(np.array([1746451800])).to_pylist()     # wall-clock seconds
['05.05.2025 13:30']
>>> iso_utc(np.array([1740820500])).to_pylist()
['2025-03-01T09:15:00Z']
>>> money(np.array([2740000, 99000, 123456789]), sep=" ").to_pylist()
['27 400,00', '990,00', '1 234 567,89']
>>> labels(("a", "b"), np.array([1, -1, 0])).to_pylist()
['b', '', 'a']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from livebase.simulate.clock import DAY, HOUR, MINUTE

NBSP = "\u00a0"


def _ascii(chars: np.ndarray) -> pa.StringArray:
    n, width = chars.shape
    data = pa.py_buffer(np.ascontiguousarray(chars, dtype=np.uint8).tobytes())
    offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int64) * width).tobytes())
    return pa.LargeStringArray.from_buffers(n, offsets, data)


def _put(chars: np.ndarray, col: int, value: np.ndarray, width: int) -> None:
    value = np.asarray(value, dtype=np.int64)
    for k in range(width):
        chars[:, col + width - 1 - k] = 48 + (value // 10**k) % 10


def _template(n: int, pattern: str) -> np.ndarray:
    row = np.frombuffer(pattern.encode("ascii"), dtype=np.uint8)
    return np.tile(row, (n, 1))


def civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of days since 1970-01-01."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype(np.int64) // 12 + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def dmy(days: np.ndarray) -> pa.Array:
    """``DD.MM.YYYY`` for days since the epoch."""
    y, m, d = civil(days)
    chars = _template(len(y), "00.00.0000")
    _put(chars, 0, d, 2)
    _put(chars, 3, m, 2)
    _put(chars, 6, y, 4)
    return _ascii(chars)


def dmy_hm(wall: np.ndarray) -> pa.Array:
    """``DD.MM.YYYY HH:MM`` for wall-clock seconds."""
    wall = np.asarray(wall, dtype=np.int64)
    y, m, d = civil(wall // DAY)
    sod = wall % DAY
    chars = _template(len(wall), "00.00.0000 00:00")
    _put(chars, 0, d, 2)
    _put(chars, 3, m, 2)
    _put(chars, 6, y, 4)
    _put(chars, 11, sod // HOUR, 2)
    _put(chars, 14, sod % HOUR // MINUTE, 2)
    return _ascii(chars)


def iso_utc(utc: np.ndarray) -> pa.Array:
    """``YYYY-MM-DDTHH:MM:SSZ`` for UTC epoch seconds."""
    utc = np.asarray(utc, dtype=np.int64)
    y, m, d = civil(utc // DAY)
    sod = utc % DAY
    chars = _template(len(utc), "0000-00-00T00:00:00Z")
    _put(chars, 0, y, 4)
    _put(chars, 5, m, 2)
    _put(chars, 8, d, 2)
    _put(chars, 11, sod // HOUR, 2)
    _put(chars, 14, sod % HOUR // MINUTE, 2)
    _put(chars, 17, sod % MINUTE, 2)
    return _ascii(chars)


def padded(value: np.ndarray, width: int) -> pa.Array:
    """Non-negative integers zero-padded to ``width`` digits."""
    chars = np.zeros((len(value), width), dtype=np.uint8)
    _put(chars, 0, value, width)
    return _ascii(chars)


def integers(value: np.ndarray) -> pa.Array:
    """Integers as decimal text."""
    return pc.cast(pa.array(np.asarray(value, dtype=np.int64)), pa.large_string())


def labels(table: Sequence[str], codes: np.ndarray) -> pa.Array:
    """``table[code]`` per row; a negative code gives an empty string."""
    lookup = pa.array([*table, ""], type=pa.large_string())
    codes = np.asarray(codes, dtype=np.int64)
    return lookup.take(pa.array(np.where(codes < 0, len(table), codes)))


def where(mask: np.ndarray, value: pa.Array | str, other: pa.Array | str = "") -> pa.Array:
    """``value`` where ``mask`` holds, else ``other``."""
    mask = pa.array(np.asarray(mask, dtype=bool))
    if isinstance(value, str):
        value = pa.scalar(value, type=pa.large_string())
    if isinstance(other, str):
        other = pa.scalar(other, type=pa.large_string())
    return pc.if_else(mask, value, other)


def concat(*parts: pa.Array | str) -> pa.Array:
    """Row-wise concatenation of string arrays and constants."""
    cast = [
        pa.scalar(p, type=pa.large_string())
        if isinstance(p, str)
        else pc.cast(p, pa.large_string())
        for p in parts
    ]
    return pc.binary_join_element_wise(*cast, pa.scalar("", type=pa.large_string()))


def money(kopecks: np.ndarray, sep: pa.Array | str = " ", suffix: pa.Array | str = "") -> pa.Array:
    """``27 400,00``: thousands separated by ``sep`` (a space or a no-break space), comma
    decimals, then ``suffix`` (such as ``" ₽"``). Amounts are non-negative kopecks."""
    kop = np.asarray(kopecks, dtype=np.int64)
    rub = kop // 100
    groups = np.zeros(len(rub), dtype=np.int64)  # thousands groups after the first
    while (rub >= 1000 ** (groups + 1)).any():
        groups += rub >= 1000 ** (groups + 1)
    whole = integers(rub // 1000**groups)
    for k in range(int(groups.max(initial=0)) - 1, -1, -1):
        more = concat(whole, sep, padded(rub // 1000**k % 1000, 3))
        whole = pc.if_else(pa.array(groups > k), more, whole)
    return concat(whole, ",", padded(kop % 100, 2), suffix)


def hex_codes(rng: np.random.Generator, n: int, width: int = 16) -> pa.Array:
    """Random lower-case hexadecimal codes of ``width`` characters."""
    nibbles = rng.integers(0, 16, size=(n, width), dtype=np.uint8)
    alphabet = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    return _ascii(alphabet[nibbles])
