"""A small demo school shared by the web tests (built once per test package)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from livebase.demo import run_demo
from livebase.segments.build import build_segments
from livebase.store.workspace import Workspace

# snapshots before the demo's planning day, so segment trends and migration have data
SNAPSHOTS = (dt.date(2025, 3, 31), dt.date(2025, 4, 30))


@pytest.fixture(scope="package")
def demo_root(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("web-demo") / "school"
    run_demo(folder, customers=3000, seed=11, lang="en")
    ws = Workspace.open(folder)
    for day in SNAPSHOTS:
        build_segments(ws, day)
    ws.close()
    return folder
