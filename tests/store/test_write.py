import datetime as dt
from decimal import Decimal

import pandas as pd

from livebase.store.write import WriteCounts, replace_customer_id, upsert


def test_upsert_counts_new_updated_unchanged(ws):
    rows = pd.DataFrame(
        {
            "order_id": ["a", "b"],
            "customer_id": ["c1", "c2"],
            "amount": [Decimal("10.00"), Decimal("5")],
            "status": ["paid", "pending"],
        }
    )
    assert upsert(ws.con, "orders", rows) == WriteCounts(2, 0, 0)
    assert upsert(ws.con, "orders", rows) == WriteCounts(0, 0, 2)
    rows.loc[1, "status"] = "paid"
    assert upsert(ws.con, "orders", rows) == WriteCounts(0, 1, 1)
    stored = ws.table("orders").order_by("order_id").to_pandas()
    assert stored.status.tolist() == ["paid", "paid"]
    assert stored.amount.tolist() == [Decimal("10.00"), Decimal("5.00")]


def test_events_are_never_replaced(ws):
    ev = pd.DataFrame(
        {
            "event_id": ["e1"],
            "customer_id": ["c1"],
            "kind": ["login"],
            "ts": [dt.datetime(2025, 1, 1)],
        }
    )
    upsert(ws.con, "activities", ev)
    ev.loc[0, "kind"] = "signup"
    assert upsert(ws.con, "activities", ev) == WriteCounts(0, 0, 1)
    assert ws.table("activities").kind.to_pyarrow().to_pylist() == ["login"]


def test_merge_repoints_rows_without_doubling_keyed_ones(ws):
    day = dt.date(2025, 5, 5)
    upsert(
        ws.con,
        "segments",
        pd.DataFrame(
            {
                "as_of": [day, day],
                "version": ["monetary", "monetary"],
                "customer_id": ["gc:1", "gc:2"],
                "segment": ["loyal", "lost"],
                "rule": ["x", "y"],
            }
        ),
    )
    upsert(
        ws.con, "orders", pd.DataFrame({"order_id": ["o1", "o2"], "customer_id": ["gc:1", "gc:2"]})
    )
    upsert(
        ws.con,
        "identities",
        pd.DataFrame({"kind": ["src"], "value": ["gc:2"], "customer_id": ["gc:2"]}),
    )
    replace_customer_id(ws.con, "gc:2", "gc:1")
    assert ws.table("segments").to_pandas()[["customer_id", "segment"]].values.tolist() == [
        ["gc:1", "loyal"]
    ]
    assert ws.table("orders").customer_id.to_pyarrow().to_pylist() == ["gc:1", "gc:1"]
    assert ws.table("identities").customer_id.to_pyarrow().to_pylist() == ["gc:1"]
