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


@pytest.fixture(scope="module")
def full_report():
    """A hand-made readout with every table: money with ARPPU intervals, incremental
    economics (GM 63 %, seed 000's worked example for ``value``), NPS and a long horizon
    whose 90 days are reached and 180 days are not (data until 15 June 2025)."""
    from livebase.experiments import (
        ArmAggregate,
        HorizonAggregate,
        WaveInfo,
        horizon_readout,
        readout,
    )
    from livebase.reports.wave import make_wave_report, nps_by_arm

    arms = ("control", "value", "discount")
    res = readout(
        [
            ArmAggregate("control", 1000, 32, 33, Decimal("95000.00"), 2.890625e8),
            ArmAggregate("value", 1000, 49, 52, Decimal("150000.00"), 4.74e8),
            ArmAggregate("discount", 1000, 0, 0, Decimal("0.00"), 0.0),
        ],
        gross_margin=0.63,
        costs={"value": Decimal("10000"), "discount": Decimal("5000")},
        # 16 × 2 500 + 16 × 3 437.50 = 95 000; 24 × 2 500 + 25 × 3 600 = 150 000
        payers={"control": [2500] * 16 + [3437.5] * 16, "value": [2500] * 24 + [3600] * 25},
    )
    nps = nps_by_arm({"control": (55, 30, 15), "value": (67, 24, 9)}, arms, control="control")
    horizon = horizon_readout(
        [
            HorizonAggregate("control", 200, 10, 40, 4, Decimal("300000.00"), 9.5e8, 80),
            HorizonAggregate("value", 200, 18, 50, 3, Decimal("330000.00"), 1.1e9, 96),
            HorizonAggregate("discount", 200, 12, 0, 0, Decimal("0.00"), 0.0, 70),
        ],
        starts_on=dt.date(2025, 3, 1),
        data_until=dt.datetime(2025, 6, 15, 12),
    )
    wave = WaveInfo("w-full", "r90", "sleeping_warm", dt.date(2025, 3, 1), 14, "done", arms)
    return make_wave_report(wave, res, nps=nps, horizon=horizon, gross_margin=0.63)
