import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
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


def _ntile_of_positions(n: int, bins: int) -> list[int]:
    """1-based ntile bucket of each 0-based position, from numpy's array_split."""
    import numpy as np

    out = [0] * n
    for b, chunk in enumerate(np.array_split(np.arange(n), bins), start=1):
        for p in chunk:
            out[p] = b
    return out


def _independent_scores(frame: pd.DataFrame, col: str, bins: int, policy: str, desc: bool):
    order = frame.sort_values([col, "customer_id"], ascending=[not desc, True])
    if policy == "first":
        buckets = _ntile_of_positions(len(order), bins)
        return dict(zip(order.customer_id, buckets, strict=True))
    if policy == "average":
        order = order.assign(pos=range(len(order)))
        mean_pos = order.groupby(col)["pos"].transform("mean").astype(float)
        buckets = _ntile_of_positions(len(order), bins)
        return {c: buckets[int(p // 1)] for c, p in zip(order.customer_id, mean_pos, strict=True)}
    distinct = sorted(frame[col].unique(), reverse=desc)
    buckets = _ntile_of_positions(len(distinct), bins)
    by_value = dict(zip(distinct, buckets, strict=True))
    return {c: by_value[v] for c, v in zip(frame.customer_id, frame[col], strict=True)}


@pytest.mark.parametrize("policy", ["first", "average", "dense"])
@pytest.mark.parametrize("bins", [3, 5])
def test_tie_policies_match_an_independent_computation(policy, bins):
    import ibis
    import numpy as np

    rng = np.random.default_rng(4)
    n = 137
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i:03d}" for i in rng.permutation(n)],
            "recency_days": rng.integers(0, 20, n),
            "frequency": rng.choice([1, 1, 1, 2, 2, 3, 4, 7], n),
            "monetary": [Decimal(int(x)) for x in rng.integers(1, 60, n) * 100],
        }
    )
    got = score(ibis.memtable(frame), bins=bins, tie_policy=policy).to_pandas()
    got = got.set_index("customer_id")
    for axis, col, desc in (
        ("r", "recency_days", True),
        ("f", "frequency", False),
        ("m", "monetary", False),
    ):
        expected = _independent_scores(frame, col, bins, policy, desc)
        assert got[axis].to_dict() == expected, (policy, axis)
    if policy != "first":  # equal values share a score
        for col, axis in (("frequency", "f"), ("monetary", "m")):
            assert (got.groupby(col)[axis].nunique() == 1).all()


def test_fixed_thresholds():
    import ibis

    from livebase.config import FixedThresholds

    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "recency_days": [10, 30, 31, 400],
            "frequency": [1, 2, 5, 9],
            "monetary": [Decimal("0"), Decimal("999.99"), Decimal("1000"), Decimal("50000")],
        }
    )
    th = FixedThresholds(r=[30, 90, 180, 365], f=[2, 3, 5, 8], m=[1000, 5000, 20000, 40000])
    got = score(ibis.memtable(frame), bins=5, thresholds=th).to_pandas().set_index("customer_id")
    # recency 10 and 30 are ≤ 30 → 5; 31 ≤ 90 → 4; 400 > 365 → 1
    assert got.r.tolist() == [5, 5, 4, 1]
    # frequency ≥ 8 → 5, ≥ 5 → 4, ≥ 2 → 2, else 1
    assert got.f.tolist() == [1, 2, 4, 5]
    assert got.m.tolist() == [1, 1, 2, 5]


def test_scale_notes_say_when_a_scale_shrinks(ws):
    import ibis

    from livebase.metrics.rfm import scale_notes

    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(10)],
            "recency_days": list(range(10)),
            "frequency": [1] * 8 + [2] * 2,
            "monetary": [Decimal(i) for i in range(10)],
        }
    )
    dense = score(ibis.memtable(frame), bins=5, tie_policy="dense")
    notes = {n.axis: n for n in scale_notes(dense, bins=5, tie_policy="dense")}
    assert notes["f"].shrunk
    assert notes["f"].scores_used == 2
    assert "only 2 of 5 scores used" in notes["f"].message
    assert notes["r"].message is None
    first = score(ibis.memtable(frame), bins=5, tie_policy="first")
    notes = {n.axis: n for n in scale_notes(first, bins=5, tie_policy="first")}
    assert not notes["f"].shrunk
    assert "80% of customers share one value" in notes["f"].message


def test_frequency_can_count_purchase_days(ws):
    put_orders(
        ws,
        [
            {"customer_id": "a", "amount": 100, "paid_at": "2025-05-01 10:00", "product_id": "x"},
            {"customer_id": "a", "amount": 200, "paid_at": "2025-05-01 18:00", "product_id": "y"},
            {"customer_id": "a", "amount": 300, "paid_at": "2025-04-01 10:00", "product_id": "z"},
        ],
    )
    orders = rfm_values(ws.con, AS_OF, rules=PurchaseRules()).to_pandas()
    days = rfm_values(ws.con, AS_OF, rules=PurchaseRules(), frequency="days").to_pandas()
    assert (orders.frequency[0], days.frequency[0]) == (3, 2)


def test_window_parsing_and_day_windows(ws):
    from livebase.errors import InputError
    from livebase.metrics.rfm import parse_window

    put_orders(
        ws,
        [
            {"customer_id": "a", "amount": 100, "paid_at": "2025-04-20 10:00"},
            {"customer_id": "a", "amount": 100, "paid_at": "2025-02-01 10:00", "product_id": "b"},
        ],
    )
    short = rfm_values(ws.con, AS_OF, rules=PurchaseRules(), window=(30, "d")).to_pandas()
    assert (short.frequency[0], short.monetary[0]) == (1, Decimal("100.00"))
    with pytest.raises(InputError, match="not a window"):
        parse_window("twelve")
