"""Every write helper of livebase.engine, on every engine: the same rows come out; an
upsert by a natural key with a NULL column matches the stored row (nothing doubles)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from livebase import engine
from livebase.store.schema import ALL_TABLES
from livebase.store.write import WriteCounts, upsert
from tests.engines.conftest import SPARK_SOCKETS

pytestmark = [pytest.mark.engines, SPARK_SOCKETS]

SCHEMA = ibis.schema(
    {
        "id": "string",
        "customer_id": "string",
        "ts": "timestamp",
        "amount": "decimal(18,2)",
        "n": "int64",
    }
)
T0 = dt.datetime(2025, 3, 30, 23, 30)  # a DST night in Europe, near midnight UTC


def _rows(*rows: tuple) -> pa.Table:
    return pa.Table.from_pylist(
        [dict(zip(SCHEMA.names, r, strict=True)) for r in rows], schema=SCHEMA.to_pyarrow()
    )


def _table(con, name: str = "t") -> list[tuple]:
    out = con.table(name).order_by("id").to_pyarrow().to_pylist()
    return [tuple(r.values()) for r in out]


@pytest.fixture
def con(engine_url):
    con = engine.connect(engine_url)
    con.create_table("t", schema=SCHEMA)
    # a quote, a comma and a NULL decimal: what broke Ibis's Spark insert
    engine.insert(
        con,
        "t",
        _rows(
            ("a", "c1", T0, Decimal("10.50"), 1),
            ("b", "c'2", T0 + dt.timedelta(hours=1), None, 2),
            ("c", "c,3", None, Decimal("0.01"), 3),
        ),
    )
    yield con
    if not engine.is_spark(con):  # the Spark session is shared by the whole run
        con.disconnect()


def test_insert_keeps_values_exactly(con):
    assert _table(con) == [
        ("a", "c1", T0, Decimal("10.50"), 1),
        ("b", "c'2", T0 + dt.timedelta(hours=1), None, 2),
        ("c", "c,3", None, Decimal("0.01"), 3),
    ]
    # money sums exactly on every engine
    assert con.table("t").amount.sum().execute() == Decimal("10.51")


def test_delete_rows_by_equality_bound_and_list(con):
    engine.delete_rows(con, "t", engine.eq("customer_id", "c'2"))
    assert [r[0] for r in _table(con)] == ["a", "c"]
    # a NULL ts does not meet ts >= T0: "c" stays
    engine.delete_rows(con, "t", engine.ge("ts", T0), engine.eq("n", 1))
    assert [r[0] for r in _table(con)] == ["c"]
    engine.delete_rows(con, "t", engine.isin("id", []))  # matches nothing
    engine.delete_rows(con, "t", engine.isin("id", ["c", "zzz"]))
    assert _table(con) == []


def test_delete_matching_a_stage_by_key(con):
    engine.stage(con, "s", _rows(("a", "x", None, None, 0), ("zzz", "y", None, None, 0)))
    engine.delete_matching(con, "t", "s", ["id"])
    assert [r[0] for r in _table(con)] == ["b", "c"]
    con.drop_table("s", force=True)


def test_delete_matching_treats_null_keys_as_equal(con):
    # a key column may be NULL (costs outside any wave have no wave_id): SQL's NULL = NULL
    # is not true, so an equality match never deleted such a row and an upsert doubled it
    engine.stage(con, "s", _rows(("x", "c,3", None, None, 0), ("y", "c1", None, None, 0)))
    engine.delete_matching(con, "t", "s", ["customer_id", "ts"])
    # "c" ("c,3", NULL) goes; "a" ("c1", T0) stays: T0 is not NULL (the control)
    assert [r[0] for r in _table(con)] == ["a", "b"]
    con.drop_table("s", force=True)


def test_upsert_by_a_key_with_a_null_column(con):
    day = dt.date(2025, 5, 7)
    con.create_table("costs", schema=ALL_TABLES["costs"].schema)
    rows = pd.DataFrame(
        {
            "date": [day, day],
            "wave_id": [None, "W1"],
            "channel": ["production", "email"],
            "kind": ["bonuses", "esp"],
            "amount": [Decimal("40000"), Decimal("18000")],
        }
    )
    assert upsert(con, "costs", rows) == WriteCounts(2, 0, 0)
    # the same rows again: unchanged (before the fix: the NULL-keyed row was new again)
    assert upsert(con, "costs", rows) == WriteCounts(0, 0, 2)
    # a changed NULL-keyed row goes through delete_matching: were it not deleted, the staged
    # row would not be inserted either and the amount would stay 40 000
    rows.loc[0, "amount"] = Decimal("41000")
    assert upsert(con, "costs", rows) == WriteCounts(0, 1, 1)
    stored = con.table("costs").order_by("channel").to_pyarrow().to_pylist()
    assert [(r["wave_id"], r["amount"]) for r in stored] == [
        ("W1", Decimal("18000.00")),
        (None, Decimal("41000.00")),
    ]
    # control: NULL matches only NULL. A row with the same date, channel and kind under a
    # wave is another key (new), and the NULL-keyed row is left as it was
    other = rows.iloc[[0]].assign(wave_id="W2", amount=Decimal("1"))
    assert upsert(con, "costs", other) == WriteCounts(1, 0, 0)
    assert sorted(con.table("costs").amount.to_pyarrow().to_pylist()) == [
        Decimal("1.00"),
        Decimal("18000.00"),
        Decimal("41000.00"),
    ]


def test_reassign_drops_rows_the_winner_already_has(con):
    # "c'2" becomes "c1"; with rest key ["n"], c'2's row n=2 has no twin at c1: moved
    engine.insert(con, "t", _rows(("d", "c'2", None, None, 1)))  # n=1 twin of c1's "a"
    engine.reassign(con, "t", "customer_id", "c'2", "c1", ["n"])
    assert [(r[0], r[1]) for r in _table(con)] == [("a", "c1"), ("b", "c1"), ("c", "c,3")]


def test_truncate_and_add_column_with_default(con):
    engine.add_column(con, "t", "kind", ibis.dtype("string"), "paid")
    rows = con.table("t").order_by("id").select("id", "kind").to_pyarrow().to_pylist()
    assert rows == [{"id": i, "kind": "paid"} for i in "abc"]
    engine.truncate(con, "t")
    assert con.table("t").count().execute() == 0


def test_transaction_rolls_back_where_the_engine_has_them(con):
    def fail_midway() -> None:
        with engine.transaction(con):
            engine.delete_rows(con, "t", engine.eq("id", "a"))
            # Ibis's own insert (a transaction of the driver's inside ours) rolls back too
            engine.insert(con, "t", _rows(("z", "c9", None, None, 9)))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_midway()
    left = [r[0] for r in _table(con)]
    # Spark has no transactions (documented): the delete stays
    assert left == (["b", "c", "z"] if engine.is_spark(con) else ["a", "b", "c"])


def test_load_parquet_casts_and_fills_missing_columns(con, tmp_path):
    part = pa.table(
        {
            "id": ["p1", "p2", "p3"],
            "customer_id": ['q"uote', "", None],  # an empty string is not NULL
            "ts": pa.array([T0, None, T0], pa.timestamp("us")),
            "amount": pa.array(
                [Decimal("99999999.99"), None, Decimal("-0.20")], pa.decimal128(18, 2)
            ),
        }
    )  # no "n": loaded as NULL
    path = tmp_path / "part-0.parquet"
    pq.write_table(part, path)
    engine.truncate(con, "t")
    engine.load_parquet(con, "t", [path], SCHEMA)
    assert _table(con) == [
        ("p1", 'q"uote', T0, Decimal("99999999.99"), None),
        ("p2", "", None, None, None),
        ("p3", None, T0, Decimal("-0.20"), None),
    ]
