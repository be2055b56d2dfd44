"""Invariants of the store as queries that must return no rows (sqlmesh-style audits).

The rules, one sentence each:

* An audit is a query (or, for the export folders, a small function) that returns the
  offending rows; the store is sound when every audit returns none.
* The audits hold after any crash (SIGKILL) at any moment of ``import``, ``segment``,
  ``plan`` and ``export``: each step writes the store in one transaction and an export's
  manifest last, so none of them can leave a half-written state that an audit sees.
* The export audits read the workspace's default export folder (``<workspace>/exports``):
  a wave folder with a ``manifest.json`` is a finished export whose listed files exist
  with their recorded size and SHA-256 and which holds no temporary file; a folder
  without one is an interrupted export, which the next ``livebase export`` finishes.
* An erasure cut off between its store transaction and the store's compaction leaves its
  marker (:data:`livebase.privacy.erase.PENDING`); the next ``livebase erase`` finishes it.

>>> from livebase.engine import connect
>>> import tempfile, pathlib
>>> from livebase.store.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "s")
>>> check(ws)
{}
>>> audit(ws)["imports_balance"]
0
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import ibis

from livebase.diskfile import sha256_of
from livebase.store.workspace import Workspace


def _segments_one_each(ws: Workspace) -> ibis.Table:
    """Every customer scored in ``rfm`` has exactly one segment for that date and
    version, and every segment row belongs to a scored customer."""
    r = ws.table("rfm").select("as_of", "version", "customer_id")
    s = ws.table("segments")
    keys = ["as_of", "version", "customer_id"]
    counts = s.group_by(keys).aggregate(n=s.count())
    j = r.outer_join(counts, keys)
    bad = j.filter(j.as_of.isnull() | j.n.isnull() | (j.n != 1))
    return bad.select(
        as_of=ibis.coalesce(bad.as_of, bad.as_of_right),
        customer_id=ibis.coalesce(bad.customer_id, bad.customer_id_right),
        n=bad.n,
    )


def _imports_balance(ws: Workspace) -> ibis.Table:
    """rows_in = rows_loaded + rows_rejected, and the rejects table holds them all."""
    i = ws.table("imports")
    r = ws.table("rejects").group_by("import_id").aggregate(stored=ibis._.count())
    j = i.left_join(r, "import_id")
    stored = j.stored.fill_null(0)
    bad = (j.rows_in != j.rows_loaded + j.rows_rejected) | (stored != j.rows_rejected)
    return j.filter(bad).select("import_id", "rows_in", "rows_loaded", "rows_rejected", stored)


def _rejects_have_imports(ws: Workspace) -> ibis.Table:
    """Every reject belongs to an import recorded in ``imports``."""
    r = ws.table("rejects")
    return r.anti_join(ws.table("imports"), "import_id").select("import_id", "line")


def _orders_have_customers(ws: Workspace) -> ibis.Table:
    """Every order belongs to a known customer."""
    o = ws.table("orders")
    c = ws.table("customers")
    return o.anti_join(c, "customer_id").select("order_id", "customer_id")


def _unique_keys(table: str, key: tuple[str, ...]) -> Callable[[Workspace], ibis.Table]:
    def audit(ws: Workspace) -> ibis.Table:
        t = ws.table(table)
        g = t.group_by(list(key)).aggregate(n=t.count())
        return g.filter(g.n > 1)

    audit.__doc__ = f"{table}: one row per {', '.join(key)}"
    return audit


def _assigned_once(ws: Workspace) -> ibis.Table:
    """A customer is assigned to a wave at most once."""
    a = ws.table("assignments")
    g = a.group_by(["wave_id", "customer_id"]).aggregate(n=a.count())
    return g.filter(g.n > 1)


def _waves_have_assignments(ws: Workspace) -> ibis.Table:
    """Every wave assigned customers or recorded whom it left out (touch 0)."""
    e = ws.table("exclusions")
    left_out = e.filter(e.touch_no == 0).select("wave_id")
    w = ws.table("waves").select("wave_id")
    return w.anti_join(ws.table("assignments"), "wave_id").anti_join(left_out, "wave_id")


def _touches_assigned(ws: Workspace) -> ibis.Table:
    """Every touch goes to a customer assigned to its wave."""
    t = ws.table("touches")
    keys = ["wave_id", "customer_id"]
    return t.anti_join(ws.table("assignments"), keys).select(*keys, "touch_no")


def _known_wave(table: str) -> Callable[[Workspace], ibis.Table]:
    def audit(ws: Workspace) -> ibis.Table:
        t = ws.table(table)
        return t.anti_join(ws.table("waves"), "wave_id").select("wave_id", "customer_id")

    audit.__doc__ = f"Every row of {table} belongs to a wave in ``waves``."
    return audit


def export_folders(ws: Workspace) -> list[Path]:
    """The wave folders under ``<workspace>/exports`` (those that ever held an export)."""
    from livebase.exports.files import is_temp
    from livebase.exports.wave import MANIFEST, PREVIOUS

    root = ws.root / "exports"
    if not root.is_dir():
        return []
    return sorted(
        d
        for d in root.iterdir()
        if d.is_dir()
        and any(p.name in (MANIFEST, PREVIOUS) or is_temp(p.name) for p in d.iterdir())
    )


def _export_files_intact(ws: Workspace) -> list[str]:
    """Every file a wave's manifest lists exists with the recorded size and SHA-256."""
    from livebase.exports.wave import MANIFEST

    bad = []
    for folder in export_folders(ws):
        manifest = folder / MANIFEST
        if not manifest.exists():
            continue  # an interrupted export: nothing is finished there yet
        try:
            files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        except (ValueError, KeyError, TypeError):
            bad.append(f"{manifest}: unreadable")
            continue
        for f in files:
            path = folder / str(f.get("path"))
            if not path.is_file():
                bad.append(f"{path}: missing")
            elif "size" in f and path.stat().st_size != f["size"]:
                bad.append(f"{path}: {path.stat().st_size} bytes, manifest says {f['size']}")
            elif "sha256" in f and sha256_of(path) != f["sha256"]:
                bad.append(f"{path}: SHA-256 differs from the manifest")
    return bad


def _export_no_partial_files(ws: Workspace) -> list[str]:
    """A finished export folder (with a manifest) holds no temporary file."""
    from livebase.exports.files import is_temp
    from livebase.exports.wave import MANIFEST

    return [
        str(p)
        for folder in export_folders(ws)
        if (folder / MANIFEST).exists()
        for p in sorted(folder.iterdir())
        if is_temp(p.name)
    ]


def _erasure_compacted(ws: Workspace) -> list[str]:
    """No erasure was cut off before its compaction (its erased values could still lie in
    the store's free blocks until the next ``livebase erase`` compacts the store)."""
    from livebase.privacy.erase import pending_compaction

    pending = pending_compaction(ws.root)
    return [] if pending is None else [pending]


Audit = Callable[[Workspace], "ibis.Table | list[str]"]

AUDITS: dict[str, Audit] = {
    "segments_one_per_customer": _segments_one_each,
    "imports_balance": _imports_balance,
    "rejects_have_imports": _rejects_have_imports,
    "orders_have_customers": _orders_have_customers,
    "orders_unique": _unique_keys("orders", ("order_id",)),
    "customers_unique": _unique_keys("customers", ("customer_id",)),
    "messages_unique": _unique_keys("messages", ("event_id",)),
    "activities_unique": _unique_keys("activities", ("event_id",)),
    # an empty key part groups with its likes (a re-import once doubled such rows)
    "costs_unique": _unique_keys("costs", ("date", "wave_id", "channel", "kind")),
    "assignments_once": _assigned_once,
    "waves_have_assignments": _waves_have_assignments,
    "touches_assigned": _touches_assigned,
    "assignments_known_waves": _known_wave("assignments"),
    "exclusions_known_waves": _known_wave("exclusions"),
    "export_files_intact": _export_files_intact,
    "export_no_partial_files": _export_no_partial_files,
    "erasure_compacted": _erasure_compacted,
}


def audit(ws: Workspace) -> dict[str, int]:
    """Run every audit; returns {audit: number of offending rows or files}, in order."""
    counts = {}
    for name, run in AUDITS.items():
        found = run(ws)
        counts[name] = len(found) if isinstance(found, list) else int(found.count().execute())
    return counts


def check(ws: Workspace) -> dict[str, int]:
    """Run every audit; returns {audit: number of bad rows} for the failing ones."""
    return {name: n for name, n in audit(ws).items() if n}
