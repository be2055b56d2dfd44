"""`--engine` and `livebase load` through the CLI: only the URL changes."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from livebase.store.schema import ALL_TABLES
from tests.engines.conftest import SPARK_SOCKETS, pg_database
from tests.test_cli import run as cli_run

pytestmark = [pytest.mark.engines, SPARK_SOCKETS]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return cli_run(*args, cwd=cwd, timeout=900)  # a Spark command starts a JVM


def canonical(folder: Path, *, twice: bool = False) -> Path:
    """Three customers and their paid orders: customers.parquet, orders/part-*.parquet."""
    folder.mkdir()
    customers = [{"customer_id": f"gc:{i}", "email": f"u{i}@school.ru"} for i in (1, 2, 3)]
    pq.write_table(pa.Table.from_pylist(customers), folder / "customers.parquet")
    (folder / "orders").mkdir()
    schema = ALL_TABLES["orders"].schema.to_pyarrow()
    for part, ids in enumerate(((1, 2), (3, 3) if twice else (3,))):
        rows = [
            {
                "order_id": f"o{i}",
                "customer_id": f"gc:{i}",
                "created_at": dt.datetime(2025, 4, i),
                "paid_at": dt.datetime(2025, 4, i, 12),
                "amount": Decimal("1000.00") * i,
                "status": "paid",
                "category": "course",
            }
            for i in ids
        ]
        table = pa.Table.from_pylist(rows).select(list(rows[0]))
        names = [f for f in schema if f.name in table.column_names]
        pq.write_table(table.cast(pa.schema(names)), folder / "orders" / f"part-{part}.parquet")
    return folder


def test_postgres_through_the_cli(pg_server, tmp_path):
    url = pg_database(pg_server, "cli_school")
    data = canonical(tmp_path / "canonical")
    ws = tmp_path / "school"
    r = run("--engine", url, "init", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f'engine = "{url}"' in (ws / "livebase.toml").read_text("utf-8")
    r = run("load", str(data), "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "loaded into postgres" in r.stdout
    assert "customers" in r.stdout
    # loading again would double every row: refused, one line, no traceback
    r = run("load", str(data), "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 1
    assert "already holds customers (3 rows), orders (3 rows)" in r.stderr + r.stdout
    assert "Traceback" not in r.stderr
    r = run("load", str(data), "-w", str(ws), "--replace", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = run("segment", "-w", str(ws), "--as-of", "2025-04-30", "--lang", "en", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Segments as of 2025-04-30" in r.stdout


def test_a_bad_url_or_folder_is_one_line(tmp_path):
    r = run("--engine", "mysql://x/y", "init", str(tmp_path / "s"), cwd=tmp_path)
    assert r.returncode == 1
    assert "unsupported engine 'mysql://x/y'" in r.stderr + r.stdout
    assert "Traceback" not in r.stderr
    run("init", str(tmp_path / "s"), cwd=tmp_path)
    r = run("load", str(tmp_path / "missing"), "-w", str(tmp_path / "s"), cwd=tmp_path)
    assert r.returncode == 1
    assert "not a folder" in r.stderr + r.stdout


def test_a_repeated_key_loads_nothing(tmp_path):
    data = canonical(tmp_path / "canonical", twice=True)  # order o3 in two rows
    ws = tmp_path / "school"
    run("init", str(ws), cwd=tmp_path)
    r = run("load", str(data), "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 1
    assert "orders: 1 keys (order_id) occur more than once; nothing loaded" in r.stderr + r.stdout
    r = run("load", str(data / "orders"), "-w", str(ws), cwd=tmp_path)
    assert "no store table named part-0, part-1" in r.stderr + r.stdout


@pytest.mark.slow
def test_spark_keeps_its_tables_in_the_workspace(spark_home, tmp_path):
    """Each command is a new process with a new Spark session: the tables persist in the
    workspace's own catalog (the default without a metastore in the URL)."""
    data = canonical(tmp_path / "canonical")
    ws = tmp_path / "school"
    url = "pyspark://local[2]?spark.sql.shuffle.partitions=2&spark.ui.enabled=false"
    r = run("--engine", url, "init", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (ws / "spark" / "metastore").is_dir()
    r = run("load", str(data), "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "loaded into pyspark" in r.stdout
    r = run("segment", "-w", str(ws), "--as-of", "2025-04-30", "--lang", "en", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Segments as of 2025-04-30" in r.stdout
