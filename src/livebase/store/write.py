"""Writing rows into store tables by natural key: nothing doubled, changes counted.

``upsert`` compares incoming rows with the stored ones of the same key: new keys are
inserted; for tables whose rows may change (``TableSpec.replace``) a different row
replaces the stored one; identical rows are left alone. An empty key column (NULL)
matches a stored NULL, so the same rows written again change nothing. Callers wrap several
writes in :func:`livebase.engine.transaction` so that an import lands whole or not at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import ibis
import pandas as pd
import pyarrow as pa
from ibis.backends import BaseBackend

from livebase import engine
from livebase.store.schema import ALL_TABLES, TableSpec


@dataclass(frozen=True)
class WriteCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


def to_arrow(spec: TableSpec, frame: pd.DataFrame) -> pa.Table:
    """Rows as an Arrow table with exactly the contract's columns and types."""
    schema = spec.schema.to_pyarrow()
    arrays = []
    for fld in schema:
        if fld.name not in frame.columns:
            arrays.append(pa.nulls(len(frame), type=fld.type))
            continue
        try:
            arrays.append(pa.array(frame[fld.name], type=fld.type, from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            values = [_clean(v) for v in frame[fld.name].tolist()]
            arrays.append(pa.array(values, type=fld.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _clean(value: object) -> object:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _comparable(value: object) -> object:
    value = _clean(value)
    if isinstance(value, Decimal):
        return value.normalize()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def upsert(con: BaseBackend, table: str, frame: pd.DataFrame) -> WriteCounts:
    spec = ALL_TABLES[table]
    if frame.empty:
        return WriteCounts()
    frame = frame.drop_duplicates(subset=list(spec.key), keep="last")
    incoming = to_arrow(spec, frame)
    key = list(spec.key)
    stage = f"_stage_{table}"
    # a key column may be empty (a cost outside any wave): there NULL matches NULL
    nullable = [k for k in key if incoming.column(k).null_count]
    engine.stage(con, stage, incoming)
    try:
        t, s = con.table(table), con.table(stage).select(key)
        stored = t.semi_join(s, engine.same_key(t, s, key, nullable)).to_pyarrow().to_pylist()
        stored_by_key = {tuple(r[k] for k in key): r for r in stored}
        columns = list(spec.columns)
        new_rows, changed_keys = len(incoming), []
        if stored_by_key:
            keys = list(zip(*(incoming.column(k).to_pylist() for k in key), strict=True))
            hits = [i for i, k in enumerate(keys) if k in stored_by_key]
            new_rows -= len(hits)
            if spec.replace and hits:
                rows = incoming.take(hits).to_pylist()
                for i, row in zip(hits, rows, strict=True):
                    old = stored_by_key[keys[i]]
                    if any(_comparable(row[c]) != _comparable(old[c]) for c in columns):
                        changed_keys.append(keys[i])
        unchanged = len(incoming) - new_rows - len(changed_keys)
        if changed_keys:
            # drop every stored row the stage has a key for; the insert below puts back the
            # staged version, identical for the unchanged ones
            engine.delete_matching(con, table, stage, key, nullable)
        s, t = con.table(stage), con.table(table).select(key)
        rows = s.anti_join(t, engine.same_key(s, t, key, nullable))
        if new_rows or changed_keys:
            engine.insert(con, table, rows)
        return WriteCounts(new_rows, len(changed_keys), unchanged)
    finally:
        con.drop_table(stage, force=True)


def append(con: BaseBackend, table: str, frame: pd.DataFrame) -> int:
    """Insert rows as they are (logs such as ``rejects`` and ``identity_merges``)."""
    if frame.empty:
        return 0
    engine.insert(con, table, to_arrow(ALL_TABLES[table], frame))
    return len(frame)


def replace_customer_id(con: BaseBackend, loser: str, winner: str) -> None:
    """Point every row of ``loser`` at ``winner`` (an identity merge).

    Where a table's key includes the customer (consents, marts, assignments) and the
    winner already has a row with the same rest of the key, the loser's row is dropped
    rather than doubled.
    """
    for spec in ALL_TABLES.values():
        if "customer_id" not in spec.columns or spec.name == "customers":
            continue
        rest = [c for c in spec.key if c != "customer_id"] if "customer_id" in spec.key else []
        engine.reassign(con, spec.name, "customer_id", loser, winner, rest)


def delete_where(con: BaseBackend, table: str, where: dict[str, object]) -> None:
    """Delete the rows of ``table`` whose columns equal the values of ``where``."""
    engine.delete_rows(con, table, *[engine.eq(k, v) for k, v in where.items()])


def replace_where(con: BaseBackend, table: str, where: dict[str, object], rows) -> int:
    """Replace the rows of ``table`` matching ``where`` with ``rows`` (an Ibis table or a
    DataFrame): recomputing a mart for the same as-of date leaves one copy."""
    delete_where(con, table, where)
    if isinstance(rows, pd.DataFrame):
        return append(con, table, rows)
    columns = list(ALL_TABLES[table].columns)
    expr = rows.select(*[rows[c].cast(ALL_TABLES[table].columns[c]) for c in columns])
    engine.insert(con, table, expr)
    return int(con.table(table).filter(_ibis_where(con.table(table), where)).count().execute())


def _ibis_where(t: ibis.Table, where: dict[str, object]):
    cond = ibis.literal(True)
    for k, v in where.items():
        cond &= t[k] == v
    return cond
