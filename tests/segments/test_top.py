"""Top segment (seed 003): R ≤ 45; F ≥ 3 (or ≥ 2 with a big second check); M ≥ P80 or
average check ≥ P75."""

import datetime as dt

import pytest
from tests.store_rows import put_orders

from livebase.config import PurchaseRules
from livebase.segments.top import top_cutoffs, top_flags

AS_OF = dt.date(2025, 5, 5)


def _day(days_before: int) -> dt.datetime:
    return dt.datetime.combine(AS_OF - dt.timedelta(days=days_before), dt.time(12))


@pytest.fixture
def store(ws):
    rows = []
    # ten "background" customers: one purchase of 1 000 each, 100 days ago
    for i in range(10):
        rows.append(
            {"customer_id": f"bg{i}", "amount": 1000, "paid_at": _day(100), "product_id": "p"}
        )
    # a: three purchases, recent, big revenue → top
    rows += [
        {"customer_id": "a", "amount": 20000, "paid_at": _day(d), "product_id": f"a{d}"}
        for d in (10, 60, 200)
    ]
    # b: two purchases, second check 30 000 (top quartile), recent → top
    rows += [
        {"customer_id": "b", "amount": 5000, "paid_at": _day(150), "product_id": "b1"},
        {"customer_id": "b", "amount": 30000, "paid_at": _day(20), "product_id": "b2"},
    ]
    # c: two purchases but a small second check → not top
    rows += [
        {"customer_id": "c", "amount": 30000, "paid_at": _day(150), "product_id": "c1"},
        {"customer_id": "c", "amount": 1000, "paid_at": _day(20), "product_id": "c2"},
    ]
    # d: like a but the last purchase is 46 days old → not top
    rows += [
        {"customer_id": "d", "amount": 20000, "paid_at": _day(d), "product_id": f"d{d}"}
        for d in (46, 60, 200)
    ]
    # e: three small purchases, recent: neither revenue nor average check is high
    rows += [
        {"customer_id": "e", "amount": 900, "paid_at": _day(d), "product_id": f"e{d}"}
        for d in (5, 30, 90)
    ]
    put_orders(ws, rows)
    return ws


def test_cutoffs(store):
    cut = top_cutoffs(store.con, AS_OF, rules=PurchaseRules())
    # 23 purchases in the window, sorted: 900 ×3, 1 000 ×11, 5 000, 20 000 ×6, 30 000 ×2;
    # P75 (continuous) sits at 0.75 × 22 = 16.5 → between two 20 000 → 20 000
    assert cut.check_p75 == pytest.approx(20000)
    # customer revenues sorted: 1 000 ×10, 2 700, 31 000, 35 000, 60 000, 60 000;
    # P80 at 0.8 × 14 = 11.2 → 31 000 + 0.2 × (35 000 − 31 000) = 31 800
    assert cut.revenue_p80 == pytest.approx(31800)
    # average checks sorted: 900, 1 000 ×10, 15 500, 17 500, 20 000, 20 000;
    # P75 at 0.75 × 14 = 10.5 → 1 000 + 0.5 × (15 500 − 1 000) = 8 250
    assert cut.average_check_p75 == pytest.approx(8250)


def test_flags(store):
    flags = top_flags(store.con, AS_OF, rules=PurchaseRules()).to_pandas()
    top = set(flags[flags.is_top].customer_id)
    assert top == {"a", "b"}


def test_flag_lands_in_the_segments_mart(store):
    from livebase.segments.build import build_segments, top_summary

    build_segments(store, AS_OF)
    seg = store.table("segments").to_pandas().set_index("customer_id")
    assert set(seg.index[seg.is_top]) == {"a", "b"}
    top = top_summary(store, AS_OF)
    assert top.customers == 2
    assert top.share == pytest.approx(2 / 15)
    # a 60 000 + b 35 000 of 10 000 + 60 000 + 35 000 + 31 000 + 60 000 + 2 700
    assert top.revenue_share == pytest.approx(95000 / 198700)
