"""Literal rows for store tests: orders and consents written straight into a workspace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from livebase.store.write import upsert


def put_orders(ws, rows: list[dict]) -> None:
    defaults = {
        "status": "paid",
        "category": "course",
        "currency": "RUB",
        "refunded_amount": Decimal("0"),
        "is_gift": False,
        "is_corporate": False,
        "plan_id": None,
        "product_id": "course-a",
    }
    frame = []
    for i, row in enumerate(rows):
        r = {**defaults, "order_id": f"o{i}", **row}
        r["amount"] = Decimal(str(r["amount"]))
        r["refunded_amount"] = Decimal(str(r["refunded_amount"]))
        paid = r.get("paid_at")
        if isinstance(paid, str):
            r["paid_at"] = dt.datetime.fromisoformat(paid)
        r.setdefault("created_at", r["paid_at"])
        frame.append(r)
    upsert(ws.con, "orders", pd.DataFrame(frame))
    ids = sorted({r["customer_id"] for r in frame})
    upsert(ws.con, "customers", pd.DataFrame({"customer_id": ids}))


def put_wave(
    ws, wave_id: str, starts_on: dt.date, days: int, arms: dict[str, list[str]], **extra
) -> None:
    """A planned wave and its assignments: ``arms`` maps each arm to its customers (equal
    planned weights; ``extra`` overrides columns of the wave's row)."""
    import json

    row = {
        "wave_id": wave_id,
        "playbook": "reactivation_r90",
        "segment": "R90",
        "starts_on": starts_on,
        "days": days,
        "status": "planned",
        "seed": 1,
        "as_of": starts_on - dt.timedelta(days=1),
        "arms": ",".join(arms),
        "weights": json.dumps({a: 1 / len(arms) for a in arms}),
        **extra,
    }
    upsert(ws.con, "waves", pd.DataFrame([row]))
    upsert(
        ws.con,
        "assignments",
        pd.DataFrame(
            [
                {"wave_id": wave_id, "customer_id": c, "arm": a, "stratum": "s"}
                for a, customers in arms.items()
                for c in customers
            ]
        ),
    )
