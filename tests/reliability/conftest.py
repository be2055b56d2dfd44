"""Fixtures of the reliability tests: one simulated school's exports and one warm CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from livebase.simulate import SchoolFiles, SchoolSpec, simulate_school
from tests.reliability.runner import WarmCli

CUSTOMERS = 1200  # a run of each command takes about a second or two
AS_OF = "2025-05-05"  # the school's last day; the wave starts the day after


@pytest.fixture(scope="session")
def school_files(tmp_path_factory: pytest.TempPathFactory) -> SchoolFiles:
    folder = tmp_path_factory.mktemp("reliability-school")
    spec = SchoolSpec(customers=CUSTOMERS, seed=10, end=dt.date.fromisoformat(AS_OF))
    return simulate_school(spec, folder / "exports")


@pytest.fixture(scope="session")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WarmCli]:
    warm = WarmCli(Path(tmp_path_factory.mktemp("reliability-logs")))
    yield warm
    warm.close()
