"""Engines for the cross-engine tests: DuckDB, PySpark in local mode, and a PostgreSQL
server the set-up starts itself on 127.0.0.1.

A missing engine is an error, not a skip: CI (`make test`) installs the JDK and the
PostgreSQL server binaries (`make engines`), and the tests must run there. Set
``LIVEBASE_SKIP_ENGINES=pyspark,postgres`` to skip them knowingly on a machine without.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tests.engines.pgserver import start_postgres

ENGINES = ("duckdb", "postgres", "pyspark")
# py4j (PySpark's bridge to the JVM) leaves pooled sockets to the garbage collector
SPARK_SOCKETS = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
)
SKIP = {x.strip() for x in os.environ.get("LIVEBASE_SKIP_ENGINES", "").split(",") if x.strip()}


def _need(engine: str) -> None:
    if engine in SKIP:
        pytest.skip(f"{engine} skipped by LIVEBASE_SKIP_ENGINES")


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """The URL of a throwaway PostgreSQL server (one per test session)."""
    _need("postgres")
    if not (glob.glob("/usr/lib/postgresql/*/bin/initdb") or os.environ.get("PG_BIN")):
        pytest.fail("PostgreSQL server binaries missing: run `make engines`")
    url, stop = start_postgres(tmp_path_factory.mktemp("postgres"))
    yield url
    stop()


def pg_database(server: str, name: str) -> str:
    """A fresh database ``name`` on the server; its URL."""
    import psycopg

    admin = server.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def spark_home(tmp_path_factory) -> Path:
    """Where the one Spark session of the test run keeps its warehouse."""
    _need("pyspark")
    pytest.importorskip("pyspark", reason="pip install 'livebase[spark]'")
    if shutil.which("java") is None:
        pytest.fail("no JDK: run `make engines` (Spark needs Java 17+)")
    return tmp_path_factory.mktemp("spark")


def spark_url(home: Path, database: str) -> str:
    """Spark in local mode with a small in-memory catalog (fast to start), and the
    tables of one test in a database of their own."""
    return (
        "pyspark://local[2]?spark.sql.shuffle.partitions=2"
        "&spark.sql.catalogImplementation=in-memory"
        f"&spark.sql.warehouse.dir={(home / 'warehouse').as_uri()}"
        f"&spark.local.dir={home / 'local'}&spark.driver.memory=2g"
        "&spark.ui.enabled=false"
        f"&database={database}"
    )


def url_for(engine: str, request, tmp_path: Path) -> str:
    """An engine URL with an empty store for the test asking."""
    name = "t_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:12]
    if engine == "duckdb":
        return f"duckdb://{(tmp_path / 'store.duckdb').as_posix()}"
    if engine == "postgres":
        return pg_database(request.getfixturevalue("pg_server"), name)
    return spark_url(request.getfixturevalue("spark_home"), name)


@pytest.fixture(params=ENGINES)
def engine_url(request, tmp_path) -> str:
    """Each test using it runs once per engine, on an empty store."""
    _need(request.param)
    return url_for(request.param, request, tmp_path)
