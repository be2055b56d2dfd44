import datetime as dt
from decimal import Decimal

import pandas as pd
from tests.store_rows import put_orders

from livebase.config import PurchaseRules
from livebase.metrics.rfm import compute_rfm, rfm_values, score

AS_OF = dt.date(2025, 5, 5)


def test_values(ws):
    put_orders(
        ws,
        [
            {"customer_id": "a", "amount": 1000, "paid_at": "2025-05-05 23:59"},  # R = 0
            {"customer_id": "a", "amount": 500, "paid_at": "2025-01-01 10:00", "product_id": "b"},
            {"customer_id": "b", "amount": 2000, "paid_at": "2024-02-01 10:00"},  # outside window
            {
                "customer_id": "c",
                "amount": 300,
                "refunded_amount": 100,
                "paid_at": "2025-04-05 10:00",
            },
        ],
    )
    v = rfm_values(ws.con, AS_OF, rules=PurchaseRules()).order_by("customer_id").to_pandas()
    assert v.values.tolist() == [
        ["a", 0, 2, Decimal("1500.00")],
        # last purchase 2024-02-01: 459 days before 2025-05-05; nothing in the 12 months
        ["b", 459, 0, Decimal("0.00")],
        ["c", 30, 1, Decimal("200.00")],
    ]


def test_scores_quintiles_with_deterministic_ties(ws):
    # 10 customers: recency 0..9 days, frequency all 1 (ties), monetary 100..1000
    put_orders(
        ws,
        [
            {
                "customer_id": f"c{i}",
                "amount": 100 * (i + 1),
                "paid_at": f"2025-05-{5 - i // 2:02d} 12:00" if i < 10 else None,
            }
            for i in range(10)
        ],
    )
    a = compute_rfm(ws.con, AS_OF, rules=PurchaseRules()).order_by("customer_id").to_pandas()
    b = compute_rfm(ws.con, AS_OF, rules=PurchaseRules()).order_by("customer_id").to_pandas()
    pd.testing.assert_frame_equal(a, b)
    # ties in F are broken by customer_id: c0, c1 → 1; c2, c3 → 2; …
    assert a.f.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # more money → higher M
    assert a.m.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # more recent → higher R: c0,c1 bought on 05-05 (R = 0) and get 5
    assert a.r.tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_score_matches_pandas_rank_first():
    import ibis

    frame = pd.DataFrame(
        {
            "customer_id": [f"x{i:02d}" for i in range(23)],
            "recency_days": [i % 4 for i in range(23)],
            "frequency": [i % 3 for i in range(23)],
            "monetary": [Decimal(i % 5) for i in range(23)],
        }
    )
    got = score(ibis.memtable(frame)).to_pandas().sort_values("customer_id")
    f_rank = frame.sort_values("customer_id").frequency.rank(method="first")
    # ntile(5) on 23 rows: bucket sizes 5,5,5,4,4
    edges = [5, 10, 15, 19, 23]
    expected = [next(i + 1 for i, e in enumerate(edges) if r <= e) for r in f_rank]
    assert got.f.tolist() == expected
