"""One realistic wave in a DuckDB store, and its report.

Wave ``r90-2025-03`` (14 days from 1 March 2025), arms control / value / discount:
control 32 payers of 1000 assigned, one order of 2 900 ₽ each; value 49 payers of 1000,
3 000 ₽ per order and three of them paying twice (52 orders); nobody in discount.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pyarrow as pa
import pytest

from livebase.engine import connect
from livebase.reports import wave_report
from livebase.store.schema import ALL_TABLES

WAVE_ID = "r90-2025-03"
WEIGHTS = {"control": 1.0, "value": 1.0, "discount": 1.0}


def _rows() -> dict[str, list[dict]]:
    start = dt.datetime(2025, 3, 1, 10)
    assignments, orders = [], []
    for arm, payers, price in (("control", 32, "2900.00"), ("value", 49, "3000.00")):
        for i in range(1000):
            customer = f"{arm}-{i}"
            assignments.append({"wave_id": WAVE_ID, "customer_id": customer, "arm": arm})
            repeats = 0 if i >= payers else (2 if arm == "value" and i < 3 else 1)
            for k in range(repeats):
                orders.append(
                    {
                        "order_id": f"o-{customer}-{k}",
                        "customer_id": customer,
                        "paid_at": start + dt.timedelta(days=i % 14, hours=k),
                        "amount": Decimal(price),
                        "status": "paid",
                        "category": "course",
                        "product_id": f"course-{k}",  # a second course, not a repeat payment
                    }
                )
    waves = [
        {
            "wave_id": WAVE_ID,
            "playbook": "r90",
            "segment": "sleeping_warm",
            "starts_on": dt.date(2025, 3, 1),
            "days": 14,
            "status": "done",
            "arms": "control,value,discount",
        }
    ]
    return {"waves": waves, "assignments": assignments, "orders": orders}


@pytest.fixture(scope="module")
def store() -> ibis.BaseBackend:
    con = connect("duckdb://")
    data = _rows()
    for name, spec in ALL_TABLES.items():  # every table of the contracts, as in a workspace
        con.create_table(name, schema=spec.schema)
        rows = data.get(name)
        if rows:
            table = pa.Table.from_pylist(rows, schema=spec.schema.to_pyarrow())
            con.insert(name, ibis.memtable(table))
    return con


@pytest.fixture(scope="module")
def report(store):
    return wave_report(store, WAVE_ID, planned_weights=WEIGHTS)
