"""Literal rows for the monitor tests: waves, messages, touches, assignments, activities."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pandas as pd

from livebase.store.write import upsert
from tests.store_rows import put_orders

T = dt.datetime
D = dt.date


def put_wave(
    ws, wave_id: str, starts_on: dt.date, days: int = 14, playbook: str = "reactivation_r90"
) -> None:
    upsert(
        ws.con,
        "waves",
        pd.DataFrame(
            [
                {
                    "wave_id": wave_id,
                    "playbook": playbook,
                    "segment": "R90",
                    "starts_on": starts_on,
                    "days": days,
                    "status": "planned",
                    "seed": 1,
                    "as_of": starts_on - dt.timedelta(days=1),
                    "arms": "control,value,holdout",
                    "weights": json.dumps({"control": 0.45, "value": 0.45, "holdout": 0.1}),
                }
            ]
        ),
    )


def put_messages(ws, rows: list[tuple]) -> None:
    """``rows``: (wave_id, customer_id, event, ts) or (…, offer_type)."""
    frame = pd.DataFrame(
        [
            {
                "wave_id": r[0],
                "customer_id": r[1],
                "event": r[2],
                "ts": r[3],
                "offer_type": r[4] if len(r) > 4 else None,
                "channel": "email",
            }
            for r in rows
        ]
    )
    frame["event_id"] = [f"m{i}" for i in range(len(frame))]
    upsert(ws.con, "messages", frame)


def sent(wave_id: str, n: int, ts: dt.datetime, *, prefix: str = "c") -> list[tuple]:
    """``n`` sent e-mails of ``wave_id`` to ``{prefix}0 … {prefix}{n-1}`` at ``ts``."""
    return [(wave_id, f"{prefix}{i}", "sent", ts) for i in range(n)]


def put_touches(ws, wave_id: str, rows: list[tuple[str, str]]) -> None:
    """``rows``: (customer_id, purpose)."""
    upsert(
        ws.con,
        "touches",
        pd.DataFrame(
            [
                {
                    "wave_id": wave_id,
                    "customer_id": c,
                    "touch_no": 1,
                    "planned_at": T(2025, 3, 2, 7),
                    "channel": "email",
                    "pattern": "p",
                    "is_promo": purpose == "marketing",
                    "arm": "value",
                    "purpose": purpose,
                }
                for c, purpose in rows
            ]
        ),
    )


def put_assignments(ws, wave_id: str, rows: list[tuple[str, str]]) -> None:
    """``rows``: (customer_id, arm)."""
    upsert(
        ws.con,
        "assignments",
        pd.DataFrame(
            [{"wave_id": wave_id, "customer_id": c, "arm": arm, "stratum": "s"} for c, arm in rows]
        ),
    )


def put_activities(ws, rows: list[tuple[str, str, dt.datetime]]) -> None:
    """``rows``: (customer_id, kind, ts)."""
    upsert(
        ws.con,
        "activities",
        pd.DataFrame(
            [
                {"event_id": f"a{i}", "customer_id": c, "kind": kind, "ts": ts}
                for i, (c, kind, ts) in enumerate(rows)
            ]
        ),
    )


def put_paid(ws, rows: list[tuple]) -> None:
    """``rows``: (customer_id, paid_at, amount) or (…, discount) or (…, discount, extra).

    Every order gets its own product so that no payment is a duplicate of another.
    """
    frame = []
    for i, r in enumerate(rows):
        extra = r[4] if len(r) > 4 else {}
        frame.append(
            {
                "order_id": f"o{i}",
                "customer_id": r[0],
                "paid_at": r[1],
                "amount": r[2],
                "discount_amount": Decimal(str(r[3] if len(r) > 3 else 0)),
                "product_id": f"p{i}",
                **extra,
            }
        )
    put_orders(ws, frame)
