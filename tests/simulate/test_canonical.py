"""The simulator's canonical Parquet: the contracts' schemas, the same bytes for the same
spec, parts bounded by the chunk, the same rows as importing the school's exports, and a
fresh workspace that segments the loaded parts as it segments the imported school."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from livebase.cli import app
from livebase.errors import InputError
from livebase.ingest.pipeline import import_file
from livebase.segments.build import build_segments, last_data_date
from livebase.simulate import CanonicalFiles, SchoolSpec, simulate_school, write_canonical
from livebase.simulate.canonical import NOT_WRITTEN, TABLES
from livebase.store.schema import ALL_TABLES
from livebase.store.workspace import Workspace
from tests.conftest import SCHOOL_PRESETS

# three chunks (700, 700, 600 people), so ids and parts continue across chunk boundaries
SPEC = SchoolSpec(customers=2_000, seed=5, end=date(2025, 5, 5), chunk_size=700)
PRESETS = tuple(SCHOOL_PRESETS.items())


@pytest.fixture(scope="module")
def canonical(tmp_path_factory: pytest.TempPathFactory) -> CanonicalFiles:
    return write_canonical(SPEC, tmp_path_factory.mktemp("canonical") / "tables")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory):
    """The same school's exports imported through their presets into a workspace."""
    root = tmp_path_factory.mktemp("imported")
    files = simulate_school(SPEC, root / "exports")
    ws = Workspace.init(root / "ws", school="Test school")
    for attribute, preset in PRESETS:
        result = import_file(ws, getattr(files, attribute), preset)
        assert result.rows_rejected == 0, preset
    yield ws
    ws.close()


def _load(ws: Workspace, out: CanonicalFiles) -> None:
    for table in TABLES:
        ws.con.raw_sql(f"INSERT INTO {table} SELECT * FROM read_parquet('{out.pattern(table)}')")


def _sorted(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    key = list(ALL_TABLES[table].key)
    return frame.sort_values(key, kind="stable", ignore_index=True)


def test_every_part_has_the_contract_schema(canonical: CanonicalFiles) -> None:
    for table in TABLES:
        parts = canonical.parts(table)
        assert [p.name for p in parts] == [f"part-{k:05d}.parquet" for k in range(3)]
        contract = ALL_TABLES[table].schema.to_pyarrow()
        for part in parts:
            schema = pq.read_schema(part)
            assert schema.names == contract.names, part
            assert schema.equals(contract, check_metadata=False), part
    for table in NOT_WRITTEN:  # the school has no NPS answers, tickets or costs
        assert not (canonical.folder / table).exists()
    meta = json.loads(canonical.meta.read_text(encoding="utf-8"))
    assert meta["format"] == 1
    assert meta["spec"]["customers"] == 2_000
    assert (meta["spec"]["seed"], meta["spec"]["end"]) == (5, "2025-05-05")
    assert meta["rows"] == canonical.rows
    # the export is taken at 00:00 of 2025-05-05 Moscow time (21:00 UTC on 4 May), so
    # the latest order falls on 4 May UTC at the latest; 2 000 people buy every day
    assert meta["as_of"] == canonical.as_of.isoformat() == "2025-05-04"
    assert canonical.rows["customers"] == 2_000


def test_the_same_spec_gives_the_same_bytes(canonical: CanonicalFiles, tmp_path: Path) -> None:
    again = write_canonical(SPEC, tmp_path / "again")
    assert again.rows == canonical.rows
    for table in TABLES:
        for a, b in zip(canonical.parts(table), again.parts(table), strict=True):
            assert a.read_bytes() == b.read_bytes(), a
    other = write_canonical(SchoolSpec(customers=2_000, seed=6, chunk_size=700), tmp_path / "o")
    first = canonical.parts("orders")[0]
    assert other.parts("orders")[0].read_bytes() != first.read_bytes()


def test_each_part_holds_only_its_chunks_customers(canonical: CanonicalFiles) -> None:
    """Memory stays bounded by the chunk: part k of every table is about the people of
    chunk k only (700, 700 and 600 customers)."""
    read = {t: [pq.read_table(p) for p in canonical.parts(t)] for t in TABLES}
    people = [set(part["customer_id"].to_pylist()) for part in read["customers"]]
    assert [len(p) for p in people] == [700, 700, 600]
    for table in TABLES:
        assert sum(part.num_rows for part in read[table]) == canonical.rows[table], table
        for k, part in enumerate(read[table]):
            assert set(part["customer_id"].to_pylist()) <= people[k], (table, k)
    assert not people[0] & people[1]


@pytest.mark.slow
def test_the_tables_equal_the_imported_exports(canonical: CanonicalFiles, imported) -> None:
    """Row for row and value for value, every canonical table equals what the presets
    and identity resolution make of the exports: second profiles merged into the first
    (2 000 customers from the ~2 020 profiles), GetCourse times to the minute, refunds
    applied to orders, ESP event ids hashed as the ESP preset hashes them."""
    for table in TABLES:
        mine = _sorted(pq.read_table(canonical.folder / table).to_pandas(), table)
        theirs = _sorted(imported.table(table).to_pyarrow().to_pandas(), table)
        assert len(mine) == len(theirs) == canonical.rows[table], table
        pd.testing.assert_frame_equal(mine, theirs, check_dtype=False, obj=table)
    assert canonical.as_of == last_data_date(imported)


@pytest.mark.slow
def test_loaded_parts_segment_as_the_imported_school(
    canonical: CanonicalFiles, imported, tmp_path: Path
) -> None:
    ws = Workspace.init(tmp_path / "ws", school="Test school")
    try:
        _load(ws, canonical)
        for table in TABLES:
            assert ws.table(table).count().to_pyarrow().as_py() == canonical.rows[table]
        mine = build_segments(ws, canonical.as_of)
        theirs = build_segments(imported, canonical.as_of)
        assert mine == theirs
        assert sum(row.customers for row in mine) > 1_000  # most of the 2 000 people buy
        cols = ["customer_id", "segment", "sleep_tier", "is_top"]
        got = _sorted(ws.table("segments").to_pandas()[["as_of", "version", *cols]], "segments")
        want = _sorted(
            imported.table("segments").to_pandas()[["as_of", "version", *cols]], "segments"
        )
        pd.testing.assert_frame_equal(got, want)
    finally:
        ws.close()


def test_a_last_chunk_of_newcomers_gets_empty_parts_with_the_schema(tmp_path: Path) -> None:
    """The last 40 of 1 000 people signed up in the last days before 5 May: after the
    last newsletter (10 April), so their messages part is empty, and too late for an
    installment plan, so none of their orders has a plan id."""
    out = write_canonical(SchoolSpec(customers=1_000, seed=1, chunk_size=960), tmp_path)
    messages = pq.read_table(out.parts("messages")[1])
    assert messages.num_rows == 0
    assert messages.schema.equals(ALL_TABLES["messages"].schema.to_pyarrow())
    orders = pq.read_table(out.parts("orders")[1])
    assert orders.num_rows > 0
    assert orders["plan_id"].null_count == orders.num_rows


def test_a_folder_with_other_files_is_refused_and_an_old_output_replaced(
    tmp_path: Path,
) -> None:
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="not empty"):
        write_canonical(SchoolSpec(customers=30, seed=1), stray)
    folder = tmp_path / "tables"
    write_canonical(SchoolSpec(customers=300, seed=1, chunk_size=100), folder)
    out = write_canonical(SchoolSpec(customers=300, seed=1, chunk_size=150), folder)
    # 300 people in chunks of 150: two parts per table, none left from the three before
    assert [len(out.parts(t)) for t in TABLES] == [2] * len(TABLES)
    assert out.rows["customers"] == 300


def test_cli_writes_parquet_and_prints_rows_per_table(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "tables"
    r = runner.invoke(
        app, ["simulate", str(folder), "--customers", "50", "--format", "parquet", "--lang", "en"]
    )
    assert r.exit_code == 0, r.output
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["rows"]["customers"] == 50
    assert "Canonical tables written to" in r.output
    for table in TABLES:
        assert f"  {table}: {meta['rows'][table]:,} rows" in r.output
    r = runner.invoke(app, ["simulate", str(tmp_path / "x"), "--format", "csv"])
    assert r.exit_code != 0
    assert isinstance(r.exception, InputError)
