"""Top segment (seed 003): R ≤ 45; F ≥ 3 (or ≥ 2 with a big second check); M ≥ P80 or
average check ≥ P75."""

import datetime as dt

import pandas as pd
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


def _pandas_top(p, as_of: dt.date) -> tuple[set[str], pd.DataFrame]:
    """Seed 003's rule written directly in pandas over the counted purchases."""
    start = dt.datetime.combine(
        AS_OF.replace(year=AS_OF.year - 1) + dt.timedelta(days=1), dt.time()
    )
    p = p[p.is_purchase & (p.ts >= start)]
    p = p.assign(net=p.net.astype(float))
    checks = (
        p.groupby(["customer_id", "purchase_key"], as_index=False)
        .agg(amount=("net", "sum"), ts=("ts", "min"))
        .sort_values(["customer_id", "ts", "purchase_key"])
    )
    per = checks.groupby("customer_id").agg(
        frequency=("amount", "size"), revenue=("amount", "sum"), last_ts=("ts", "max")
    )
    per["second"] = checks.groupby("customer_id").nth(1).set_index("customer_id").amount
    per["average_check"] = per.revenue / per.frequency
    check_p75 = checks.amount.quantile(0.75)
    revenue_p80, avg_p75 = per.revenue.quantile(0.80), per.average_check.quantile(0.75)
    recency = (pd.Timestamp(as_of) - per.last_ts.dt.normalize()).dt.days
    often = (per.frequency >= 3) | ((per.frequency >= 2) & (per.second.fillna(0) >= check_p75))
    valuable = (per.revenue >= revenue_p80) | (per.average_check >= avg_p75)
    return set(per.index[(recency <= 45) & often & valuable]), per


def test_flags_match_pandas_on_a_simulated_school(tmp_path):
    """Plans, refunds, partial payments and duplicate payments of the simulator: the
    engine's flags (checks, cut-offs, second check ranked only where it decides) equal a
    direct pandas computation over the same counted purchases."""
    from livebase.ingest.pipeline import import_file
    from livebase.metrics.purchases import purchases
    from livebase.metrics.rfm import day_end
    from livebase.simulate import SchoolSpec, simulate_school
    from livebase.store.workspace import Workspace

    files = simulate_school(SchoolSpec(customers=3000, seed=11, end=AS_OF), tmp_path / "x")
    ws = Workspace.init(tmp_path / "s")
    for path, preset in (
        (files.users, "getcourse-users"),
        (files.orders, "getcourse-orders"),
        (files.payments, "getcourse-payments"),
    ):
        import_file(ws, path, preset)
    rules = ws.config.purchase_rules
    p = purchases(ws.con, rules, until=day_end(AS_OF)).to_pandas()
    assert p.purchase_key.ne(p.order_id).any()  # the school sells installment plans
    expected, per = _pandas_top(p, AS_OF)
    flags = top_flags(ws.con, AS_OF, rules=rules).to_pandas()
    assert len(expected) > 10
    assert set(flags.customer_id[flags.is_top]) == expected
    # the second check decides for some of them: customers with two purchases in the window
    assert (per.loc[sorted(expected)].frequency == 2).any()
