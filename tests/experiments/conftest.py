"""A small DuckDB store built in the test, with the canonical table contracts."""

from __future__ import annotations

from collections.abc import Callable

import ibis
import pyarrow as pa
import pytest

from livebase.engine import connect
from livebase.store.schema import ALL_TABLES

StoreFactory = Callable[[dict[str, list[dict]]], ibis.BaseBackend]


@pytest.fixture
def make_store() -> StoreFactory:
    """``make_store({"waves": [...], ...})``: an in-memory store with those rows.

    Every table of the contracts exists (empty unless given), as in a workspace; a row
    may omit columns, which are then NULL.
    """

    def build(tables: dict[str, list[dict]]) -> ibis.BaseBackend:
        con = connect("duckdb://")
        for name in ALL_TABLES:
            spec = ALL_TABLES[name]
            con.create_table(name, schema=spec.schema)
            rows = tables.get(name, [])
            if rows:
                data = pa.Table.from_pylist(rows, schema=spec.schema.to_pyarrow())
                con.insert(name, ibis.memtable(data))
        return con

    return build
