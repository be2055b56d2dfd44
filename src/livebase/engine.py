"""Connections to analytics engines. The only module that names backends.

URLs: ``duckdb:///abs/path/store.duckdb`` or ``duckdb://relative/store.duckdb`` (the
embedded default), or ``duckdb://`` for an in-memory store. Every connection is put in
UTC: timestamps are stored UTC and shown in the school's zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
from ibis.backends import BaseBackend

from livebase.errors import ConfigError, EngineError


def connect(url: str) -> BaseBackend:
    """Open an Ibis backend for ``url`` with the session time zone set to UTC.

    >>> con = connect("duckdb://")
    >>> con.name
    'duckdb'
    """
    scheme, _, rest = url.partition("://")
    if scheme != "duckdb":
        raise ConfigError(f"unsupported engine {url!r}: use duckdb:///path/store.duckdb")
    path = rest  # duckdb:///abs/path.duckdb or duckdb://relative/path.duckdb; empty = memory
    try:
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            con = ibis.duckdb.connect(path)
        else:
            con = ibis.duckdb.connect()
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
