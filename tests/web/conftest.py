"""A small demo school shared by the web tests (built once per test package)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from livebase.demo import run_demo

# two of the month-end snapshots the demo builds before its planning day
SNAPSHOTS = (dt.date(2025, 3, 31), dt.date(2025, 4, 30))


@pytest.fixture(scope="package")
def demo_root(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("web-demo") / "school"
    run_demo(folder, customers=3000, seed=11, lang="en")
    return folder
