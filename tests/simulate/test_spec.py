"""School specifications are validated and split into chunks."""

from __future__ import annotations

from datetime import date

import pytest

from livebase.errors import InputError
from livebase.simulate import SchoolSpec


def test_chunks_cover_everyone_once() -> None:
    spec = SchoolSpec(customers=25, chunk_size=10)
    assert spec.chunks() == [(0, 10), (10, 20), (20, 25)]
    assert spec.start == date(2022, 11, 17)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"customers": 0},
        {"history_days": 30},
        {"timezone": "Mars/Olympus"},
        {"seed": -1},
        {"chunk_size": 1},
    ],
)
def test_bad_specs_are_input_errors(kwargs: dict) -> None:
    with pytest.raises(InputError):
        SchoolSpec(**kwargs)
