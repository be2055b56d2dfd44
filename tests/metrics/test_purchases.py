import datetime as dt
from decimal import Decimal

from tests.store_rows import put_orders

from livebase.config import PurchaseRules
from livebase.metrics.purchases import purchases

UNTIL = dt.datetime(2025, 6, 1)


def _rows(ws, rules=None):
    t = purchases(ws.con, rules or PurchaseRules(), until=UNTIL)
    return t.order_by(["customer_id", "ts"]).to_pandas()


def test_purchase_rules(ws):
    put_orders(
        ws,
        [
            {"customer_id": "a", "amount": 1000, "paid_at": "2025-01-10 10:00"},
            # same product, same amount, 3 days later: a repeat payment, not a purchase
            {"customer_id": "a", "amount": 1000, "paid_at": "2025-01-13 10:00"},
            # 10 days later: a real second purchase
            {"customer_id": "a", "amount": 1000, "paid_at": "2025-01-23 10:00"},
            # fully refunded: money nets to 0 and it is no purchase
            {
                "customer_id": "b",
                "amount": 500,
                "refunded_amount": 500,
                "status": "refunded",
                "paid_at": "2025-02-01 10:00",
            },
            # free webinar and a pending order: not purchases
            {"customer_id": "b", "amount": 0, "category": "webinar", "paid_at": "2025-02-02"},
            {"customer_id": "b", "amount": 700, "status": "pending", "paid_at": "2025-02-03"},
            # three installments of one plan
            {"customer_id": "c", "amount": 300, "plan_id": "R-1", "paid_at": "2025-03-01"},
            {"customer_id": "c", "amount": 300, "plan_id": "R-1", "paid_at": "2025-04-01"},
            {"customer_id": "c", "amount": 300, "plan_id": "R-1", "paid_at": "2025-05-01"},
            # after the as-of date: not seen
            {"customer_id": "c", "amount": 300, "paid_at": "2025-06-01 00:00"},
            {"customer_id": "d", "amount": 900, "is_corporate": True, "paid_at": "2025-03-01"},
        ],
    )
    rows = _rows(ws)
    a = rows[rows.customer_id == "a"]
    assert a.net.tolist() == [Decimal("1000.00"), Decimal("1000.00")]
    b = rows[rows.customer_id == "b"]
    assert b.net.tolist() == [Decimal("0.00")]
    assert b.is_purchase.tolist() == [False]
    c = rows[rows.customer_id == "c"]
    assert c.purchase_key.nunique() == 1
    assert len(c) == 3
    assert "d" in set(rows.customer_id)
    no_corporate = _rows(ws, PurchaseRules(include_corporate=False))
    assert "d" not in set(no_corporate.customer_id)
    each_installment = _rows(ws, PurchaseRules(installments_count_once=False))
    assert each_installment[each_installment.customer_id == "c"].purchase_key.nunique() == 3
