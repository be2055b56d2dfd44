"""Connections to analytics engines. The only module that names backends.

URLs: ``duckdb:///abs/path/store.duckdb`` or ``duckdb://relative/store.duckdb`` (the
embedded default), or ``duckdb://`` for an in-memory store. Every connection is put in
UTC: timestamps are stored UTC and shown in the school's zone.

Engine settings go in the URL's query: ``duckdb://store.duckdb?memory_limit=1GB&threads=2``
(DuckDB's own settings ``memory_limit``, ``threads``, ``temp_directory``,
``max_temp_directory_size``, ``preserve_insertion_order``). By default DuckDB may use 80 %
of the machine's memory before it spills to disk; a school sharing a laptop or a small
server caps it here (see bench/RESULTS.md for what a cap costs in time).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl

import ibis
import ibis.expr.datatypes as dt
from ibis.backends import BaseBackend

from livebase.errors import ConfigError, EngineError

DUCKDB_SETTINGS = (
    "memory_limit",
    "threads",
    "temp_directory",
    "max_temp_directory_size",
    "preserve_insertion_order",
)


def settings(url: str) -> tuple[str, dict[str, str]]:
    """Split ``url`` into the URL without its query and the engine settings in it.

    >>> settings("duckdb://store.duckdb?memory_limit=1GB&threads=2")
    ('duckdb://store.duckdb', {'memory_limit': '1GB', 'threads': '2'})
    """
    base, _, query = url.partition("?")
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError as exc:
        raise ConfigError(f"engine URL {url!r}: cannot read the settings after '?'") from exc
    found = dict(pairs)
    unknown = sorted(set(found) - set(DUCKDB_SETTINGS))
    if unknown:
        raise ConfigError(
            f"engine URL {url!r}: unknown setting {', '.join(unknown)} "
            f"(known: {', '.join(DUCKDB_SETTINGS)})"
        )
    empty = sorted(k for k, v in found.items() if not v)
    if empty:
        raise ConfigError(f"engine URL {url!r}: no value for {', '.join(empty)}")
    return base, found


def connect(url: str) -> BaseBackend:
    """Open an Ibis backend for ``url`` with the session time zone set to UTC.

    >>> con = connect("duckdb://")
    >>> con.name
    'duckdb'
    >>> connect("duckdb://?threads=1").raw_sql("SELECT current_setting('threads')").fetchone()
    (1,)
    """
    base, config = settings(url)
    scheme, _, rest = base.partition("://")
    if scheme != "duckdb":
        raise ConfigError(f"unsupported engine {url!r}: use duckdb:///path/store.duckdb")
    path = rest  # duckdb:///abs/path.duckdb or duckdb://relative/path.duckdb; empty = memory
    try:
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            con = ibis.duckdb.connect(path, **config)
        else:
            con = ibis.duckdb.connect(**config)
        con.raw_sql("SET TimeZone = 'UTC'")
    except Exception as exc:  # the driver's own error types vary by version
        raise EngineError(f"cannot open {url}: {exc}") from exc
    return con


def duckdb_url(path: Path) -> str:
    """The URL of a DuckDB file (absolute path)."""
    return f"duckdb://{Path(path).resolve().as_posix()}"


@contextmanager
def transaction(con: BaseBackend) -> Iterator[None]:
    """All statements inside commit together or not at all."""
    con.raw_sql("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.raw_sql("ROLLBACK")
        raise
    con.raw_sql("COMMIT")


def add_column(
    con: BaseBackend, table: str, column: str, dtype: dt.DataType, default: object = None
) -> None:
    """``ALTER TABLE … ADD COLUMN`` (a store made by an older version gains a column);
    existing rows get ``default``."""
    from ibis.backends.sql.datatypes import DuckDBType

    sql_type = DuckDBType.from_ibis(dtype).sql("duckdb")
    clause = ""
    if default is not None:
        value = str(default).replace("'", "''")
        clause = f" DEFAULT '{value}'"
    con.raw_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {sql_type}{clause}')
