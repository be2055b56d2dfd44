"""Connections to analytics engines. The only module that names backends.

One URL says where the store lives; every stage runs the same Ibis code on it:

- ``duckdb:///abs/path/store.duckdb`` or ``duckdb://relative/store.duckdb`` (the embedded
  default), or ``duckdb://`` for an in-memory store. Settings in the query are DuckDB's
  own: ``duckdb://store.duckdb?memory_limit=1GB&threads=2`` (``memory_limit``,
  ``threads``, ``temp_directory``, ``max_temp_directory_size``,
  ``preserve_insertion_order``, ``force_compression``: ``uncompressed`` lets a byte scan
  of the file see its strings, as the erasure test does). By default DuckDB may use 80 %
  of the machine's memory before it spills to disk; a school sharing a laptop or a small
  server caps it here (see bench/RESULTS.md for what a cap costs in time).
  ``lock_wait=SECONDS`` is livebase's own (stripped before DuckDB sees it): how long to
  wait for a store file another process holds (default ``LIVEBASE_LOCK_WAIT`` from the
  environment, else 120 s).
- ``postgres://user:password@host:5432/database`` (also ``postgresql://``): a PostgreSQL
  server (``pip install 'livebase[postgres]'``); settings in the query go to libpq
  (``sslmode``, ``connect_timeout``, ``application_name`` …).
- ``pyspark://local[2]``, ``pyspark://spark://host:7077``, ``pyspark://yarn``: Spark
  (``pip install 'livebase[spark]'``, a JDK 17+). Settings in the query are Spark
  configurations: ``pyspark://local[4]?spark.driver.memory=8g``, and ``database=NAME``
  keeps the store's tables in a database of their own (one per process: Spark's current
  database belongs to the session). Unless the URL says
  otherwise, the tables persist in the workspace: a Hive catalog (an embedded Derby
  metastore) in ``<workspace>/spark/metastore`` and the data in ``<workspace>/spark/warehouse``;
  a cluster's own metastore is used by setting ``spark.sql.catalogImplementation`` and
  ``spark.hadoop.hive.metastore.uris`` in the URL.

Rules every engine keeps (tested on each, tests/engines):

- Every session runs in UTC: timestamps are stored naive UTC and shown in the school's zone.
- Money is DECIMAL(18,2) on every engine; sums are exact.
- Writes go through the helpers below, which build statements as syntax trees (sqlglot)
  with values passed as parameters, never pasted into SQL text.
- Natural keys match NULL to NULL (``IS NOT DISTINCT FROM``) in the key columns that hold
  a NULL, and by plain equality elsewhere (PostgreSQL hashes only plain equality).
- DuckDB and PostgreSQL run the writes of one step in a transaction; Spark has none, so a
  step interrupted on Spark is repaired by running it again (every write replaces rows by
  key: nothing doubles).
- Spark tables (Parquet) cannot DELETE or UPDATE rows: those writes rewrite the table
  (the kept rows go to a staging table, then overwrite the table).
- PostgreSQL plans from table statistics, so every write is followed by ``ANALYZE`` of the
  table (a freshly loaded table without statistics gets plans that never finish).
- A DuckDB file is held by one process at a time (even a read-only open fails while another
  process writes it): opening one that another process holds retries, silently and with
  a pause of 50 then 100 ms, until the lock wait runs out, then raises
  :class:`StoreBusy` naming the holder's pid.
- :func:`compact` leaves no deleted value in the store's files (DuckDB: the file rewritten,
  the WAL removed; PostgreSQL: ``VACUUM FULL``; Spark: its rewrites already drop them).
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa
import sqlglot.expressions as sge
from ibis.backends import BaseBackend

from livebase.diskfile import fsync_path
from livebase.errors import ConfigError, EngineError

DUCKDB_SETTINGS = (
    "memory_limit",
    "threads",
    "temp_directory",
    "max_temp_directory_size",
    "preserve_insertion_order",
    "force_compression",  # e.g. uncompressed: the erasure test scans the file's bytes
)
LOCK_WAIT = "lock_wait"  # livebase's own DuckDB setting: never passed to DuckDB
LOCK_WAIT_ENV = "LIVEBASE_LOCK_WAIT"
LOCK_WAIT_S = 120.0
# how each open DuckDB connection was opened (resolved path, settings): compact() reopens it
_OPENED: weakref.WeakKeyDictionary[BaseBackend, EngineUrl] = weakref.WeakKeyDictionary()
_HELD = re.compile(r"Could not set lock on file .*Conflicting lock is held in .*\(PID (\d+)\)")
SCHEMES = {
    "duckdb": "duckdb",
    "postgres": "postgres",
    "postgresql": "postgres",
    "pyspark": "pyspark",
}
EXAMPLES = "duckdb:///path/store.duckdb, postgres://user@host:5432/db or pyspark://local[2]"


@dataclass(frozen=True)
class EngineUrl:
    """An engine URL taken apart: the backend, where it is, and its settings."""

    backend: str  # duckdb, postgres or pyspark
    target: str  # a DuckDB path ("" = memory), a PostgreSQL URL, a Spark master
    settings: dict[str, str]


def parse(url: str) -> EngineUrl:
    """Take ``url`` apart; an unknown scheme or a bad setting is a :class:`ConfigError`.

    >>> parse("duckdb://store.duckdb?memory_limit=1GB")
    EngineUrl(backend='duckdb', target='store.duckdb', settings={'memory_limit': '1GB'})
    >>> parse("pyspark://spark://host:7077?spark.executor.memory=4g").target
    'spark://host:7077'
    >>> parse("postgresql://lb@db:5432/school").backend
    'postgres'
    """
    scheme, sep, rest = url.partition("://")
    backend = SCHEMES.get(scheme.lower()) if sep else None
    if backend is None:
        raise ConfigError(f"unsupported engine {url!r}: use {EXAMPLES}")
    base, _, query = rest.partition("?")
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError as exc:
        raise ConfigError(f"engine URL {url!r}: cannot read the settings after '?'") from exc
    found = dict(pairs)
    empty = sorted(k for k, v in found.items() if not v)
    if empty:
        raise ConfigError(f"engine URL {url!r}: no value for {', '.join(empty)}")
    if backend == "duckdb":
        unknown = sorted(set(found) - {*DUCKDB_SETTINGS, LOCK_WAIT})
        if unknown:
            raise ConfigError(
                f"engine URL {url!r}: unknown setting {', '.join(unknown)} "
                f"(known: {', '.join((*DUCKDB_SETTINGS, LOCK_WAIT))})"
            )
        if LOCK_WAIT in found:
            _seconds(found[LOCK_WAIT], f"engine URL {url!r}: {LOCK_WAIT}")
    elif backend == "pyspark":
        if not base:
            raise ConfigError(f"engine URL {url!r}: name the Spark master (pyspark://local[2])")
        unknown = sorted(k for k in found if not k.startswith("spark.") and k != "database")
        if unknown:
            raise ConfigError(
                f"engine URL {url!r}: {', '.join(unknown)} is not a Spark setting "
                "(settings start with 'spark.'; 'database' names the store's database)"
            )
    elif not base.partition("/")[0]:
        raise ConfigError(f"engine URL {url!r}: name the PostgreSQL host (postgres://host/db)")
    target = f"postgres://{base}" if backend == "postgres" else base
    return EngineUrl(backend, target, found)


def settings(url: str) -> tuple[str, dict[str, str]]:
    """Split ``url`` into the URL without its query and the engine settings in it.

    >>> settings("duckdb://store.duckdb?memory_limit=1GB&threads=2")
    ('duckdb://store.duckdb', {'memory_limit': '1GB', 'threads': '2'})
    """
    parsed = parse(url)
    return url.partition("?")[0], parsed.settings


def connect(
    url: str,
    *,
    home: Path | None = None,
    read_only: bool = False,
    lock_wait: float | None = None,
) -> BaseBackend:
    """Open an Ibis backend for ``url`` with the session time zone set to UTC.

    ``home`` is the workspace folder: a relative DuckDB path is taken from there, and Spark
    keeps its catalog and tables there unless the URL names others. ``read_only`` and
    ``lock_wait`` (seconds, overriding the URL's and the environment's) apply to a DuckDB
    file only.

    >>> con = connect("duckdb://")
    >>> con.name
    'duckdb'
    >>> connect("duckdb://?threads=1").raw_sql("SELECT current_setting('threads')").fetchone()
    (1,)
    """
    parsed = parse(url)
    shown = _redacted(url)
    try:
        if parsed.backend == "duckdb":
            return _connect_duckdb(parsed, home, read_only=read_only, lock_wait=lock_wait)
        if parsed.backend == "postgres":
            return _connect_postgres(parsed, url.partition("?")[2])
        return _connect_spark(parsed, home)
    except (ConfigError, EngineError):
        raise
    except ImportError as exc:
        extra = "spark" if parsed.backend == "pyspark" else "postgres"
        raise EngineError(
            f"cannot open {shown}: the {parsed.backend} driver is not installed "
            f"(pip install 'livebase[{extra}]')"
        ) from exc
    except Exception as exc:  # the drivers' own error types vary by version
        raise EngineError(f"cannot open {shown}: {_first_line(exc)}") from exc


def _redacted(url: str) -> str:
    """The URL without a password (error messages and logs never show one)."""
    scheme, sep, rest = url.partition("://")
    auth, at, host = rest.partition("@")
    if not at or ":" not in auth or "/" in auth:
        return url
    return f"{scheme}{sep}{auth.partition(':')[0]}:***@{host}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


class StoreBusy(EngineError):
    """A DuckDB store file another process holds, still held when the lock wait ran out."""

    def __init__(self, path: str, pid: int | None) -> None:
        self.path, self.pid = path, pid
        holder = f" (pid {pid})" if pid is not None else ""
        super().__init__(
            f"the store {path} is in use by another livebase process{holder}; "
            "try again when it finishes"
        )


def _seconds(text: str, what: str) -> float:
    """A lock wait in seconds: a number, 0 or more.

    >>> _seconds("2.5", "lock_wait")
    2.5
    >>> _seconds("-1", "lock_wait")
    Traceback (most recent call last):
    livebase.errors.ConfigError: lock_wait must be a number of seconds (0 or more), not '-1'
    """
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise ConfigError(f"{what} must be a number of seconds (0 or more), not {text!r}")
    return value


def lock_wait_s(settings: dict[str, str]) -> float:
    """Seconds to wait for a DuckDB file another process holds: the URL's ``lock_wait``,
    else ``LIVEBASE_LOCK_WAIT``, else 120.

    >>> lock_wait_s({"lock_wait": "3"})
    3.0
    """
    if LOCK_WAIT in settings:
        return _seconds(settings[LOCK_WAIT], LOCK_WAIT)
    env = os.environ.get(LOCK_WAIT_ENV)
    if env is not None and env.strip():
        return _seconds(env.strip(), LOCK_WAIT_ENV)
    return LOCK_WAIT_S


def _held_by(exc: Exception) -> tuple[bool, int | None]:
    """Whether ``exc`` is DuckDB's "another process holds the file", and the holder's pid.

    >>> _held_by(OSError('Could not set lock on file "/s.duckdb": Conflicting lock is '
    ...                  'held in /usr/bin/python3 (PID 42). See also …'))
    (True, 42)
    """
    text = " ".join(str(exc).split())
    if "Could not set lock on file" not in text:
        return False, None
    found = _HELD.search(text)
    return True, int(found.group(1)) if found else None


def _connect_duckdb(
    parsed: EngineUrl,
    home: Path | None,
    *,
    read_only: bool = False,
    lock_wait: float | None = None,
) -> BaseBackend:
    import duckdb

    path = parsed.target  # /abs/path.duckdb or relative/path.duckdb; empty = memory
    options = {k: v for k, v in parsed.settings.items() if k != LOCK_WAIT}
    if path and home is not None and not Path(path).is_absolute():
        path = (Path(home) / path).resolve().as_posix()
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        wait = lock_wait_s(parsed.settings) if lock_wait is None else lock_wait
        deadline = time.monotonic() + wait
        pause = 0.05
        while True:
            try:
                con = ibis.duckdb.connect(path, read_only=read_only, **options)
                break
            except duckdb.IOException as exc:
                held, pid = _held_by(exc)
                if not held:
                    raise
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StoreBusy(path, pid) from exc
                time.sleep(min(pause, left))  # bounded by the lock wait
                pause = min(pause * 2, 0.1)  # the web app frees it for 0.25 s at least
    else:
        con = ibis.duckdb.connect(**options)
    con.raw_sql("SET TimeZone = 'UTC'")
    _OPENED[con] = EngineUrl("duckdb", path, dict(parsed.settings))  # compact() reopens it
    return con


def _connect_postgres(parsed: EngineUrl, query: str) -> BaseBackend:
    import psycopg  # noqa: F401  (a clear "not installed" before Ibis's own error)

    url = parsed.target + (f"?{query}" if query else "")
    con = ibis.connect(url)
    _execute(con, "SET TIME ZONE 'UTC'")
    return con


_SPARK_LOCK = threading.Lock()


def _connect_spark(parsed: EngineUrl, home: Path | None) -> BaseBackend:
    from pyspark.sql import SparkSession

    confs = {
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.sources.partitionOverwriteMode": "static",
    }
    if home is not None and "spark.sql.catalogImplementation" not in parsed.settings:
        root = Path(home).resolve() / "spark"
        root.mkdir(parents=True, exist_ok=True)
        confs["spark.sql.catalogImplementation"] = "hive"
        confs["spark.sql.warehouse.dir"] = (root / "warehouse").as_uri()
        meta = (root / "metastore").as_posix()
        confs["spark.hadoop.javax.jdo.option.ConnectionURL"] = (
            f"jdbc:derby:;databaseName={meta};create=true"
        )
        confs["spark.driver.extraJavaOptions"] = f"-Dderby.system.home={root.as_posix()}"
    database = parsed.settings.get("database")
    confs.update({k: v for k, v in parsed.settings.items() if k != "database"})
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    with _SPARK_LOCK:
        active = SparkSession.getActiveSession()
        if active is not None:
            _check_same_session(active, parsed.target, confs)
            session = active
        else:
            builder = SparkSession.builder.master(parsed.target).appName("livebase")
            for key, value in confs.items():
                builder = builder.config(key, value)
            if confs.get("spark.sql.catalogImplementation") == "hive":
                builder = builder.enableHiveSupport()
            session = builder.getOrCreate()
            session.sparkContext.setLogLevel("ERROR")
        con = ibis.pyspark.connect(session)
        if database:
            session.sql(f"CREATE DATABASE IF NOT EXISTS {_q(con, database)}")
            session.catalog.setCurrentDatabase(database)
    return con


STATIC_SPARK = ("spark.sql.warehouse.dir", "spark.sql.catalogImplementation")


def _check_same_session(session: Any, master: str, confs: dict[str, str]) -> None:
    """A Python process has one Spark session: a second URL must agree with it."""
    running = session.sparkContext.master
    if running != master:
        raise EngineError(f"a Spark session on {running} is open in this process, not on {master}")
    for key in STATIC_SPARK:
        want, have = confs.get(key), session.conf.get(key, None)
        if want is not None and have is not None and _same_place(have) != _same_place(want):
            raise EngineError(f"the open Spark session has {key}={have}, not {want}")


def _same_place(value: str) -> str:
    """``file:///x`` and ``file:/x`` (Spark's spelling) name the same folder."""
    return re.sub(r"^file:/+", "/", value).rstrip("/")


def duckdb_url(path: Path) -> str:
    """The URL of a DuckDB file (absolute path)."""
    return f"duckdb://{Path(path).resolve().as_posix()}"


def is_spark(con: BaseBackend) -> bool:
    return con.name == "pyspark"


def is_postgres(con: BaseBackend) -> bool:
    return con.name == "postgres"


# ------------------------------------------------------------------ statements


def _execute(con: BaseBackend, statement: str | sge.Expression, params: Sequence = ()) -> None:
    """Run one statement; values in ``params`` fill its placeholders (never the text)."""
    if is_spark(con):
        sql = statement if isinstance(statement, str) else statement.sql(dialect="spark")
        con._session.sql(sql)  # Spark statements here never carry values
        return
    sql = statement if isinstance(statement, str) else statement.sql(con.dialect, identify=True)
    if is_postgres(con):
        cursor = con.raw_sql(sql, params=list(params) or None)
        cursor.close()
        return
    con.raw_sql(sql, parameters=list(params) or None)


@contextmanager
def transaction(con: BaseBackend) -> Iterator[None]:
    """All statements inside commit together or not at all (DuckDB, PostgreSQL); on
    Spark, which has no transactions, the statements run one by one."""
    if is_spark(con):
        yield
        return
    _execute(con, "BEGIN")
    try:
        yield
    except BaseException:
        _execute(con, "ROLLBACK")
        raise
    _execute(con, "COMMIT")


def compact(con: BaseBackend, tables: Sequence[str] = ()) -> BaseBackend:
    """Leave no deleted or overwritten value in the store's files (``livebase erase``);
    returns the connection to use from now on (``con`` unless it had to be reopened).

    DuckDB keeps old values in free blocks and in its WAL, so after a CHECKPOINT the
    database is copied into a fresh file (``COPY FROM DATABASE``) that is synced and moved
    over the old one, the WAL is removed and the file reopened with the same settings (an
    in-memory store has no file). PostgreSQL: ``VACUUM (FULL, ANALYZE)`` rewrites
    ``tables`` (every table when none are named) without their dead rows. Spark: nothing,
    as its deletes and updates already rewrite the tables' files.
    """
    if is_postgres(con):
        for table in tables or [None]:
            target = "" if table is None else " " + sge.to_table(table, quoted=True).sql("postgres")
            _execute(con, f"VACUUM (FULL, ANALYZE){target}")
        return con
    if is_spark(con):
        return con
    path = con.con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if not path or not path[0]:
        return con
    target = Path(path[0])
    opened = _OPENED.get(con) or EngineUrl("duckdb", target.as_posix(), {})
    fresh = target.with_name(target.name + ".compact")
    for leftover in (fresh, Path(f"{fresh}.wal")):
        leftover.unlink(missing_ok=True)
    name = con.con.execute("SELECT current_database()").fetchone()[0]
    _execute(con, "CHECKPOINT")
    _execute(con, f"ATTACH {sge.Literal.string(fresh.as_posix()).sql('duckdb')} AS lb_compact")
    try:
        _execute(con, f"COPY FROM DATABASE {_q(con, name)} TO lb_compact")
    except BaseException:
        _execute(con, "DETACH lb_compact")
        fresh.unlink(missing_ok=True)
        raise
    _execute(con, "DETACH lb_compact")
    fsync_path(fresh)
    # no other process may open the old file once this one lets it go (it still holds the
    # erased values in free blocks): the fresh file is locked (opened) before it takes the
    # name, and the old one is released only after, when no name leads to it any more
    import duckdb

    holder = duckdb.connect(fresh.as_posix())
    try:
        os.replace(fresh, target)
        fsync_path(target.parent)
        con.disconnect()
        Path(f"{target}.wal").unlink(missing_ok=True)  # the old file's log: never replay it
    finally:
        holder.close()
    return _connect_duckdb(opened, None)


def analyze(con: BaseBackend, table: str) -> None:
    """Refresh the planner's statistics of ``table`` where the engine needs it."""
    if is_postgres(con):
        _execute(con, sge.Analyze(this=sge.to_table(table)))


def add_column(
    con: BaseBackend, table: str, column: str, dtype: dt.DataType, default: object = None
) -> None:
    """``ALTER TABLE … ADD COLUMN`` (a store made by an older version gains a column);
    existing rows get ``default``."""
    if is_spark(con):
        from ibis.backends.sql.datatypes import PySparkType

        kind = PySparkType.from_ibis(dtype).sql("spark")
        con._session.sql(f"ALTER TABLE {_q(con, table)} ADD COLUMNS ({_q(con, column)} {kind})")
        if default is not None:
            t = con.table(table)
            _rewrite(con, table, t.mutate(**{column: ibis.literal(default).cast(dtype)}))
        return
    kind = con.compiler.type_mapper.from_ibis(dtype)
    definition = sge.ColumnDef(this=sge.to_identifier(column, quoted=True), kind=kind)
    if default is not None:
        literal = sge.Literal.string(str(default)) if isinstance(default, str) else None
        if literal is None:
            literal = sge.Literal.number(default)
        definition.append(
            "constraints",
            sge.ColumnConstraint(kind=sge.DefaultColumnConstraint(this=literal)),
        )
    statement = sge.Alter(this=sge.to_table(table, quoted=True), kind="TABLE", actions=[definition])
    _execute(con, statement)
    analyze(con, table)


def _q(con: BaseBackend, name: str) -> str:
    return sge.to_identifier(name, quoted=True).sql(dialect="spark" if is_spark(con) else "duckdb")


# ------------------------------------------------------------------ row writes


@dataclass(frozen=True)
class Cond:
    """``column op value`` for :func:`delete_rows`: op is ``=``, ``>=`` or ``in``."""

    column: str
    op: str
    value: object


def eq(column: str, value: object) -> Cond:
    return Cond(column, "=", value)


def ge(column: str, value: object) -> Cond:
    return Cond(column, ">=", value)


def isin(column: str, values: Iterable[object]) -> Cond:
    return Cond(column, "in", tuple(values))


def delete_rows(con: BaseBackend, table: str, *conds: Cond) -> None:
    """Delete the rows of ``table`` that meet every condition."""
    if not conds:
        raise ValueError("delete_rows needs at least one condition")
    if any(c.op == "in" and not c.value for c in conds):
        return  # IN () matches nothing
    if is_spark(con):
        t = con.table(table)
        pred = ibis.literal(True)
        for c in conds:
            col = t[c.column]
            if c.op == "=":
                pred &= col == c.value
            elif c.op == ">=":
                pred &= col >= c.value
            else:
                pred &= col.isin(list(c.value))
        _rewrite(con, table, t.filter(~pred.fill_null(False)))
        return
    parts, params = [], []
    for c in conds:
        col = sge.column(c.column, quoted=True)
        if c.op == "in":
            values = list(c.value)
            parts.append(col.isin(*[sge.Placeholder() for _ in values]))
            params.extend(values)
        else:
            op = sge.EQ if c.op == "=" else sge.GTE
            parts.append(op(this=col, expression=sge.Placeholder()))
            params.append(c.value)
    _execute(con, sge.delete(sge.to_table(table, quoted=True), where=sge.and_(*parts)), params)
    analyze(con, table)


def truncate(con: BaseBackend, table: str) -> None:
    """Delete every row of ``table``."""
    if is_spark(con):
        con._session.sql(f"TRUNCATE TABLE {_q(con, table)}")
        return
    _execute(con, sge.delete(sge.to_table(table, quoted=True)))
    analyze(con, table)


def delete_matching(
    con: BaseBackend,
    table: str,
    stage: str,
    key: Sequence[str],
    nullable: Sequence[str] | None = None,
) -> None:
    """Delete the rows of ``table`` whose ``key`` columns equal a row of ``stage``; in the
    ``nullable`` key columns (by default those where the stage holds a NULL) NULL matches
    NULL, as in :func:`same_key`."""
    if nullable is None:
        s = con.table(stage)
        has = s.aggregate(**{k: s[k].isnull().any() for k in key}).to_pyarrow().to_pylist()
        nullable = [k for k in key if has and has[0][k]]
    if is_spark(con):
        t = con.table(table)
        s = con.table(stage).select(*key)
        _rewrite(con, table, t.anti_join(s, same_key(t, s, key, nullable)))
        return

    def match(k: str) -> sge.Expression:
        op = sge.NullSafeEQ if k in nullable else sge.EQ
        return op(this=sge.column(k, "s", quoted=True), expression=sge.column(k, "t", quoted=True))

    same = sge.and_(*[match(k) for k in key])
    sub = sge.select("1").from_(sge.to_table(stage, quoted=True).as_("s", quoted=True))
    statement = sge.delete(
        sge.to_table(table, quoted=True).as_("t", quoted=True),
        where=sge.Exists(this=sub.where(same)),
    )
    _execute(con, statement)
    analyze(con, table)


def same_key(
    left: ibis.Table, right: ibis.Table, key: Sequence[str], nullable: Sequence[str] = ()
) -> list:
    """Join predicates matching ``key`` column by column; in the ``nullable`` columns NULL
    matches NULL (``IS NOT DISTINCT FROM``: a natural key may hold an empty cell, such as
    the ``wave_id`` of a cost outside any wave). Only those columns use it: PostgreSQL
    cannot hash a join on ``IS NOT DISTINCT FROM``, so a key matched with it alone would
    compare every pair of rows."""
    return [left[k].identical_to(right[k]) if k in nullable else left[k] == right[k] for k in key]


def reassign(
    con: BaseBackend, table: str, column: str, old: str, new: str, rest: Sequence[str]
) -> None:
    """Point the rows of ``table`` whose ``column`` is ``old`` at ``new``; where ``new``
    already has a row with the same ``rest`` of the key, the ``old`` row is dropped
    rather than doubled."""
    if is_spark(con):
        t = con.table(table)
        olds = t.filter(t[column] == old)
        if rest:
            news = t.filter(t[column] == new).select(*rest)
            olds = olds.anti_join(news, list(rest))
        others = t.filter((t[column] != old) | t[column].isnull())
        moved = olds.mutate(**{column: ibis.literal(new, type=t[column].type())})
        _rewrite(con, table, others.union(moved.select(*t.columns)))
        return
    tbl = sge.to_table(table, quoted=True)
    if rest:
        same = sge.and_(
            sge.column(column, "o", quoted=True).eq(sge.Placeholder()),
            *[sge.column(c, "o", quoted=True).eq(sge.column(c, "t", quoted=True)) for c in rest],
        )
        sub = sge.select("1").from_(tbl.copy().as_("o", quoted=True)).where(same)
        statement = sge.delete(
            tbl.copy().as_("t", quoted=True),
            where=sge.and_(
                sge.column(column, "t", quoted=True).eq(sge.Placeholder()),
                sge.Exists(this=sub),
            ),
        )
        _execute(con, statement, [old, new])
    statement = sge.update(
        tbl,
        {column: sge.Placeholder()},
        where=sge.column(column, quoted=True).eq(sge.Placeholder()),
    )
    _execute(con, statement, [new, old])
    analyze(con, table)


def _rewrite(con: BaseBackend, table: str, keep: ibis.Table) -> None:
    """Spark: replace the rows of ``table`` with ``keep`` (an expression over it). Spark
    cannot overwrite a table it reads, so the rows go through a staging table."""
    stage = f"_lb_rewrite_{table}"
    columns = con.table(table).columns
    con.create_table(stage, keep.select(*columns), overwrite=True)
    try:
        con._session.table(stage).write.insertInto(table, overwrite=True)
    finally:
        con.drop_table(stage, force=True)


def stage(con: BaseBackend, name: str, rows: pa.Table) -> None:
    """A scratch table holding ``rows`` (temporary where the engine has them)."""
    if is_spark(con):
        _spark_frame(con, rows).write.saveAsTable(name, format="parquet", mode="overwrite")
        return
    con.create_table(name, rows, temp=True, overwrite=True)


def insert(con: BaseBackend, table: str, rows: pa.Table | ibis.Table) -> None:
    """Append ``rows`` (Arrow, with the table's columns and types, or an Ibis expression)."""
    if is_spark(con) and isinstance(rows, pa.Table):
        columns = con.table(table).columns
        _spark_frame(con, rows.select(columns)).write.insertInto(table)
        return
    con.insert(table, ibis.memtable(rows) if isinstance(rows, pa.Table) else rows)
    analyze(con, table)


def _spark_frame(con: BaseBackend, rows: pa.Table):
    """An Arrow table as a Spark DataFrame (Ibis's own path fails on a NULL decimal)."""
    from ibis.backends.pyspark.datatypes import PySparkSchema

    schema = PySparkSchema.from_ibis(ibis.Schema.from_pyarrow(rows.schema))
    if rows.num_rows == 0:
        return con._session.createDataFrame([], schema=schema)
    return con._session.createDataFrame(rows, schema=schema)


# ------------------------------------------------------------------ bulk load


def load_parquet(con: BaseBackend, table: str, files: Sequence[Path], schema: ibis.Schema) -> None:
    """Append the rows of Parquet ``files`` (with the columns of ``schema``) to ``table``."""
    files = [Path(f).resolve() for f in files]
    if not files:
        return
    columns = list(schema.names)
    if is_spark(con):
        from ibis.backends.pyspark.datatypes import PySparkType
        from pyspark.sql import functions as F

        frame = con._session.read.parquet(*[f.as_uri() for f in files])
        frame = frame.select(
            *[
                F.col(c).cast(PySparkType.from_ibis(schema[c])).alias(c)
                if c in frame.columns
                else F.lit(None).cast(PySparkType.from_ibis(schema[c])).alias(c)
                for c in columns
            ]
        )
        frame.write.insertInto(table)
        return
    if is_postgres(con):
        _copy_postgres(con, table, files, schema)
        analyze(con, table)
        return
    source = con.read_parquet([f.as_posix() for f in files])
    have = set(source.columns)
    select = [
        source[c].cast(schema[c]) if c in have else ibis.null(schema[c]).name(c) for c in columns
    ]
    con.insert(table, source.select(*select))


def _copy_postgres(con: BaseBackend, table: str, files: Sequence[Path], schema) -> None:
    """COPY … FROM STDIN in CSV, batch by batch (memory bounded by a batch)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    columns = list(schema.names)
    target = sge.to_table(table, quoted=True).sql("postgres")
    names = ", ".join(sge.to_identifier(c, quoted=True).sql("postgres") for c in columns)
    sql = f"COPY {target} ({names}) FROM STDIN (FORMAT csv)"
    arrow_schema = schema.to_pyarrow()
    with con.con.cursor() as cursor, cursor.copy(sql) as copy:
        for path in files:
            parquet = pq.ParquetFile(path)
            for batch in parquet.iter_batches(batch_size=100_000):
                rows = _conform(pa.Table.from_batches([batch]), arrow_schema)
                copy.write(_csv(rows, pacsv))


def _conform(rows: pa.Table, schema: pa.Schema) -> pa.Table:
    arrays = []
    for field in schema:
        if field.name in rows.column_names:
            arrays.append(rows.column(field.name).cast(field.type))
        else:
            arrays.append(pa.nulls(rows.num_rows, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _csv(rows: pa.Table, pacsv) -> bytes:
    """CSV text PostgreSQL reads back exactly: every string quoted (an empty string is
    ``""``), a NULL left empty (unquoted empty is NULL in PostgreSQL's CSV)."""
    buffer = io.BytesIO()
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    pacsv.write_csv(rows, buffer, write_options=options)
    return buffer.getvalue()
