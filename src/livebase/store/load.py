"""Bulk load of canonical tables from Parquet (``livebase load FOLDER``).

A folder holds a table as ``<table>.parquet`` or as parts ``<table>/*.parquet`` (what
``livebase simulate --format parquet`` writes, or a warehouse export in the store's
contracts). Rules:

- Only tables of the store contracts are loaded; a file or folder of another name is an
  error before anything is written.
- A file's columns must be columns of its table's contract (a missing column is loaded as
  NULL); values are cast to the contract's types by the engine.
- A table that already has rows is refused unless ``replace=True``, which empties it
  first: a load never doubles rows, so running it again changes nothing.
- After loading, every table's natural key must be unique; otherwise the load is undone
  (rolled back on DuckDB and PostgreSQL, the tables emptied again on Spark) and the error
  names the table and the number of duplicated keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from livebase import engine
from livebase.errors import InputError
from livebase.store.schema import ALL_TABLES
from livebase.store.workspace import Workspace


@dataclass(frozen=True)
class Loaded:
    """Rows loaded per table, in the order loaded."""

    rows: dict[str, int]


def find_tables(folder: Path) -> dict[str, list[Path]]:
    """The Parquet files of each canonical table in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    found: dict[str, list[Path]] = {}
    unknown: list[str] = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            name, files = entry.name, sorted(entry.glob("*.parquet"))
            if not files:
                continue
        elif entry.suffix == ".parquet":
            name, files = entry.stem, [entry]
        else:
            continue
        if name not in ALL_TABLES:
            unknown.append(name)
            continue
        found.setdefault(name, []).extend(files)
    if unknown:
        raise InputError(
            f"{folder}: no store table named {', '.join(unknown)} "
            f"(tables: {', '.join(sorted(ALL_TABLES))})"
        )
    if not found:
        raise InputError(f"{folder}: no <table>.parquet or <table>/*.parquet files")
    return found


def _check_columns(table: str, files: list[Path]) -> None:
    contract = ALL_TABLES[table].columns
    for path in files:
        try:
            names = pq.read_schema(path).names
        except Exception as exc:  # pyarrow's errors for a damaged or foreign file vary
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
        extra = [c for c in names if c not in contract]
        if extra:
            raise InputError(
                f"{path}: columns {', '.join(extra)} are not in the contract of {table}"
            )


def load_canonical(ws: Workspace, folder: Path, *, replace: bool = False) -> Loaded:
    """Load every canonical table found in ``folder`` into the workspace's store."""
    tables = find_tables(folder)
    for name, files in tables.items():
        _check_columns(name, files)
    con = ws.con
    busy = {n: int(con.table(n).count().execute()) for n in tables}
    if not replace and any(busy.values()):
        held = ", ".join(f"{n} ({c:,} rows)" for n, c in busy.items() if c)
        raise InputError(f"the store already holds {held}: load with --replace to empty them")
    rows: dict[str, int] = {}
    try:
        with engine.transaction(con):
            for name, files in tables.items():
                if busy[name]:
                    engine.truncate(con, name)
                engine.load_parquet(con, name, files, ALL_TABLES[name].schema)
                rows[name] = int(con.table(name).count().execute())
                _check_key(con, name)
    except InputError:
        if engine.is_spark(con):
            for name in tables:
                engine.truncate(con, name)
        raise
    return Loaded(rows)


def _check_key(con, name: str) -> None:
    key = list(ALL_TABLES[name].key)
    t = con.table(name)
    doubled = t.group_by(key).aggregate(n=t.count()).filter(lambda g: g.n > 1).count()
    count = int(doubled.execute())
    if count:
        raise InputError(
            f"{name}: {count:,} keys ({', '.join(key)}) occur more than once; nothing loaded"
        )
