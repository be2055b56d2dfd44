"""Vectorised rendering agrees with plain Python formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from livebase.simulate import formats as fm

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECONDS = st.lists(st.integers(0, 4_102_444_799), min_size=1, max_size=50)  # to 2099


@given(SECONDS)
def test_dates_match_strftime(values: list[int]) -> None:
    arr = np.array(values, dtype=np.int64)
    moments = [EPOCH + timedelta(seconds=v) for v in values]
    assert fm.dmy_hm(arr).to_pylist() == [m.strftime("%d.%m.%Y %H:%M") for m in moments]
    assert fm.iso_utc(arr).to_pylist() == [m.strftime("%Y-%m-%dT%H:%M:%SZ") for m in moments]
    days = arr // 86_400
    assert fm.dmy(days).to_pylist() == [m.strftime("%d.%m.%Y") for m in moments]


@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=50), st.sampled_from([" ", fm.NBSP]))
def test_money_matches_grouped_text(kopecks: list[int], sep: str) -> None:
    expected = [f"{k // 100:,}".replace(",", sep) + f",{k % 100:02d}" for k in kopecks]
    assert fm.money(np.array(kopecks), sep=sep).to_pylist() == expected


def test_money_with_a_separator_and_suffix_per_row() -> None:
    seps = fm.labels((" ", fm.NBSP), np.array([0, 1]))
    suffix = fm.labels(("", " ₽"), np.array([1, 0]))
    text = fm.money(np.array([2_740_000, 123_456_789]), sep=seps, suffix=suffix).to_pylist()
    assert text == ["27 400,00 ₽", "1\u00a0234\u00a0567,89"]


def test_labels_where_concat_and_codes() -> None:
    rng = np.random.default_rng(0)
    codes = fm.hex_codes(rng, 3, 8).to_pylist()
    assert all(len(c) == 8 and int(c, 16) >= 0 for c in codes)
    joined = fm.concat("R-", fm.integers(np.array([5, 12])))
    assert fm.where(np.array([True, False]), joined).to_pylist() == ["R-5", ""]
    assert fm.padded(np.array([7, 123]), 3).to_pylist() == ["007", "123"]
