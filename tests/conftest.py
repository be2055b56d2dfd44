"""Shared fixtures: a fresh workspace, helpers to write awkward export files and a
workspace holding a simulated school."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from livebase.ingest.pipeline import import_file
from livebase.simulate import SchoolSpec, simulate_school
from livebase.store.workspace import Workspace

# the public datasets live beside the repository (../shared/data), as in CI;
# LIVEBASE_SHARED_DATA points elsewhere for a checkout in another place
SHARED_DATA = Path(
    os.environ.get("LIVEBASE_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
# the preset that imports each export of a simulated school (attributes of SchoolFiles),
# in the order they import: users first, so orders and events find their customers
SCHOOL_PRESETS = {
    "users": "getcourse-users",
    "orders": "getcourse-orders",
    "payments": "getcourse-payments",
    "lms_events": "lms-events",
    "consents": "consents",
    "esp_events": "esp-events",
}


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace.init(tmp_path / "school", school="Test school")
    yield workspace
    workspace.close()


def write_csv(path: Path, text: str, *, encoding: str = "utf-8", bom: bool = False) -> Path:
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


def simulated_workspace(base: Path, spec: SchoolSpec, *exports: str, school: str) -> Workspace:
    """The workspace ``base/school`` holding the simulated school ``spec`` (its exports
    written to ``base/in``): the named exports imported (keys of ``SCHOOL_PRESETS``, in
    the order given), all of them when none is named. The caller closes it."""
    files = simulate_school(spec, base / "in")
    ws = Workspace.init(base / "school", school=school)
    try:
        for name in exports or SCHOOL_PRESETS:
            import_file(ws, Path(getattr(files, name)), SCHOOL_PRESETS[name])
    except BaseException:
        ws.close()
        raise
    return ws
