"""Shared fixtures: a fresh workspace and helpers to write awkward export files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from livebase.store.workspace import Workspace

# the public datasets live beside the repository (../shared/data), as in CI;
# LIVEBASE_SHARED_DATA points elsewhere for a checkout in another place
SHARED_DATA = Path(
    os.environ.get("LIVEBASE_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)


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
