"""Small simulated schools shared by the simulator's tests (built once per session)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from livebase.simulate import PlantedTruth, SchoolFiles, SchoolSpec, simulate_school

# three chunks, so ids and files continue across chunk boundaries
SPEC = SchoolSpec(customers=3_000, seed=11, end=date(2025, 5, 5), chunk_size=1_300)


@pytest.fixture(scope="session")
def school(tmp_path_factory: pytest.TempPathFactory) -> SchoolFiles:
    return simulate_school(SPEC, tmp_path_factory.mktemp("school"))


@pytest.fixture(scope="session")
def truth(school: SchoolFiles) -> PlantedTruth:
    return PlantedTruth.load(school.truth)


@pytest.fixture(scope="session")
def school_dir(school: SchoolFiles) -> Path:
    return school.truth.parent
