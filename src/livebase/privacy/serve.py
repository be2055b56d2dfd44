"""Erasing a person from the dashboard's working folder ``<workspace>/.serve/``.

``livebase serve`` keeps two kinds of files there (docs/architecture.md, ``web/``): the
webhook spool ``spool/*.jsonl`` (events that wait, fsynced, for the store while a command
holds it; ``failed.jsonl`` those that could not be stored) and snapshots
``snapshot-*.duckdb`` (copies of the store the pages read). The rules, one sentence each:

* While an erasure runs it holds the spool's drain lock (``spool/.drain``), so no server
  stores spooled lines meanwhile or writes back lines it read before; a server that keeps
  it for longer than ``DRAIN_WAIT`` seconds stops the erasure with a clear error, before
  anything changed.
* Every spool line that shows one of the person's ids or contacts is dropped (a spooled
  event of theirs would be refused as erased when stored anyway); the file is rewritten
  under the spool's append lock (``spool/.lock``), atomically, and the other lines stay
  byte for byte.
* Every snapshot is deleted (it is a copy of the store from before the erasure): a running
  server keeps reading the copy it has open, which the system frees once it switches to a
  fresh snapshot of the erased store, within seconds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from livebase.diskfile import flocked, write_atomic
from livebase.errors import LivebaseError
from livebase.privacy.scrub import FileChange, Matcher

SERVE = ".serve"
SPOOL = "spool"
APPEND_LOCK = ".lock"  # held by a spool append (web/webhook_routes.Spool)
DRAIN_LOCK = ".drain"  # held while a server drains the spool
SNAPSHOTS = "snapshot-*.duckdb*"
DRAIN_WAIT = 30.0  # seconds an erasure waits for a server's drain to finish


def spool_dir(root: Path) -> Path:
    return Path(root) / SERVE / SPOOL


@contextlib.contextmanager
def drain_held(root: Path, wait: float = DRAIN_WAIT) -> Iterator[None]:
    """Hold the spool's drain lock (no server stores spooled lines meanwhile); nothing to
    hold where the workspace has no spool."""
    folder = spool_dir(root)
    if not folder.is_dir():
        yield
        return
    with flocked(folder / DRAIN_LOCK, wait) as held:
        if not held:
            raise LivebaseError(
                f"a livebase server is storing the webhook spool in {folder} "
                f"for over {wait:.0f} s; try the erasure again"
            )
        yield


def scrub_serve(root: Path, m: Matcher, *, write: bool, snapshots: bool = True) -> list[FileChange]:
    """Find (and with ``write`` drop) the person's spool lines and (with ``snapshots``) the
    snapshots; call it inside :func:`drain_held` when writing."""
    changes: list[FileChange] = []
    folder = spool_dir(root)
    if folder.is_dir():
        for path in sorted(folder.glob("*.jsonl")):
            dropped = _scrub_spool_file(folder, path, m, write=write)
            if dropped:
                changes.append(FileChange(path, "spool", dropped))
    if snapshots:
        changes += drop_snapshots(root, write=write)
    return changes


def drop_snapshots(root: Path, *, write: bool) -> list[FileChange]:
    """Find (and with ``write`` delete) the servers' snapshots: copies of the store that
    may hold what the store no longer does (a running server takes a fresh one)."""
    changes = []
    for path in sorted((Path(root) / SERVE).glob(SNAPSHOTS)):
        if write:
            path.unlink(missing_ok=True)
        changes.append(FileChange(path, "snapshot", 0))
    return changes


def _scrub_spool_file(folder: Path, path: Path, m: Matcher, *, write: bool) -> int:
    with flocked(folder / APPEND_LOCK):  # a server's append waits meanwhile
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # a drain finished it meanwhile
            return 0
        lines = data.splitlines(keepends=True)
        kept = [line for line in lines if not m.shows(line.decode("utf-8", "replace"))]
        dropped = len(lines) - len(kept)
        if write and dropped:
            write_atomic(path, b"".join(kept))
        return dropped
