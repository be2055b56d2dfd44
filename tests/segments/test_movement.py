import datetime as dt
import itertools
import math
from decimal import Decimal

import ibis
import pytest
from tests.store_rows import put_orders

from livebase.errors import InputError, InsufficientData
from livebase.ingest.pipeline import import_file
from livebase.segments.build import build_segments
from livebase.segments.movement import (
    GONE,
    INSUFFICIENT,
    NEW,
    OK,
    SIZE_COLUMNS,
    build_history,
    built_dates,
    migration_matrix,
    month_ends,
    nearest_month_end,
    retention_555,
    sizes_over_time,
    snapshot_dates,
)
from livebase.segments.segment_map import SegmentMap
from livebase.simulate import SchoolSpec, simulate_school
from livebase.store.invariants import check
from livebase.store.workspace import Workspace

# The default map's rules written out, so that the hand derivations below do not move
# when the shipped map does. First match wins.
MAP = SegmentMap.model_validate(
    {
        "segments": [
            {"id": "lost", "name": {"en": "Lost"}, "when": {"recency_days": {"min": 540}}},
            {"id": "sleeping_long", "name": {"en": "R270"}, "when": {"recency_days": {"min": 270}}},
            {
                "id": "sleeping_cooled",
                "name": {"en": "R180"},
                "when": {"recency_days": {"min": 180, "max": 269}},
            },
            {
                "id": "sleeping_warm",
                "name": {"en": "R90"},
                "when": {"recency_days": {"min": 90, "max": 179}},
            },
            {"id": "champions", "name": {"en": "555"}, "when": {"r": 5, "f": 5, "m": 5}},
            {"id": "loyal", "name": {"en": "Loyal"}, "when": {"r": "4-5", "f": "4-5"}},
            {
                "id": "promising",
                "name": {"en": "Promising"},
                "when": {"r": 5, "f": "1-2", "m": "1-2"},
            },
            {"id": "at_risk", "name": {"en": "At risk"}, "when": {"r": "1-3", "f": "3-5"}},
            {"id": "need_attention", "name": {"en": "Need attention"}, "when": {}},
        ]
    }
)

SLEEPING = ("sleeping_warm", "sleeping_cooled", "sleeping_long")
D1 = dt.date(2025, 1, 31)
D2 = dt.date(2025, 2, 28)


def _buys(customer: str, days: list[dt.date], amount: int, product: str = "course-a"):
    return [
        {
            "customer_id": customer,
            "amount": amount,
            "product_id": product,
            "paid_at": dt.datetime.combine(d, dt.time(12)),
        }
        for d in days
    ]


def _ago(day: dt.date, n: int) -> dt.date:
    return day - dt.timedelta(days=n)


def _two_month_ends(ws):
    """Five customers on D1 and five newcomers in February.

    Scores are quintiles with ties broken by customer_id (the "first" policy); the
    12-month window of D1 starts 2024-02-01, that of D2 2024-02-29.

    On D1 (5 customers, one per score; every value distinct):
      cust recency  F  M        r f m  segment
      a        6    6  30 000   5 5 5  champions
      b       80    4  12 000   4 4 4  loyal (r 4-5, f 4-5)
      c      170    2   4 000   3 2 3  sleeping_warm (90-179 days)
      d      260    3   1 500   2 3 2  sleeping_cooled (180-269)
      e      530    0       0   1 1 1  sleeping_long (270+; its one purchase is outside
                                       the window)
    On D2 (10 customers, two per score); a bought again on 02-27, the others aged 28
    days; n1..n5 bought once in February:
      cust recency  F  M        r f m  segment
      a        1    7  35 000   5 5 5  champions
      n1       2    1     800   5 1 2  promising (r5, f 1-2, m 1-2)
      n2       5    1  20 000   4 2 4  need_attention
      n3      10    1   1 200   4 2 2  need_attention
      n4      15    1  50 000   3 3 5  at_risk (r 1-3, f 3-5)
      n5      20    1     600   3 3 1  at_risk
      b      108    4  12 000   2 5 4  sleeping_warm
      c      198    2   4 000   2 4 3  sleeping_cooled
      d      288    3   1 500   1 4 3  sleeping_long
      e      558    0       0   1 1 1  lost (540+)
    F on D2 in order: e(0), n1..n5 (1, by id), c(2), d(3), b(4), a(7): the five tied
    newcomers take positions 2-6, hence f 1, 2, 2, 3, 3.
    """
    rows = []
    rows += _buys("a", [dt.date(2024, m, 27) for m in range(8, 13)], 5000)
    rows += _buys("a", [dt.date(2025, 1, 25), dt.date(2025, 2, 27)], 5000)
    rows += _buys("b", [_ago(D1, 80 + 30 * k) for k in range(4)], 3000)
    rows += _buys("c", [_ago(D1, 170), _ago(D1, 200)], 2000)
    rows += _buys("d", [_ago(D1, 260), _ago(D1, 290), _ago(D1, 320)], 500)
    rows += _buys("e", [_ago(D1, 530)], 4000)
    for cust, days_before_d2, amount in (
        ("n1", 2, 800),
        ("n2", 5, 20000),
        ("n3", 10, 1200),
        ("n4", 15, 50000),
        ("n5", 20, 600),
    ):
        rows += _buys(cust, [_ago(D2, days_before_d2)], amount)
    put_orders(ws, rows)


ORDER = [
    "lost",
    "sleeping_long",
    "sleeping_cooled",
    "sleeping_warm",
    "champions",
    "loyal",
    "promising",
    "at_risk",
    "need_attention",
]
# rows: segment on D1 (+ new); columns: segment on D2 (+ gone), in ORDER
EXPECTED = {
    #                 lost long cool warm champ loyal prom risk need gone
    "lost": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    "sleeping_long": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],  # e: 530 → 558 days
    "sleeping_cooled": [0, 1, 0, 0, 0, 0, 0, 0, 0, 0],  # d: 260 → 288
    "sleeping_warm": [0, 0, 1, 0, 0, 0, 0, 0, 0, 0],  # c: 170 → 198
    "champions": [0, 0, 0, 0, 1, 0, 0, 0, 0, 0],  # a bought again
    "loyal": [0, 0, 0, 1, 0, 0, 0, 0, 0, 0],  # b: 80 → 108
    "promising": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    "at_risk": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    "need_attention": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    "new": [0, 0, 0, 0, 0, 0, 1, 2, 2, 0],  # n1; n4, n5; n2, n3
}


def _segment_of(ws, day):
    s = ws.table("segments").filter(ibis._.as_of == day).to_pandas()
    return dict(zip(s.customer_id, s.segment, strict=True))


def test_dates():
    assert month_ends(dt.date(2024, 1, 31), dt.date(2024, 3, 30)) == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
    ]
    assert month_ends(dt.date(2024, 3, 1), dt.date(2024, 3, 30)) == []
    assert snapshot_dates(dt.date(2024, 3, 1), dt.date(2024, 3, 30)) == [dt.date(2024, 3, 30)]
    assert snapshot_dates(dt.date(2024, 1, 1), dt.date(2024, 2, 29)) == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
    ]
    # 2024-03-15: 02-29 is 15 days before, 03-31 16 days after; 2025-04-15 is 15 days
    # from both 03-31 and 04-30: on a tie the later one wins
    assert nearest_month_end(dt.date(2024, 3, 15)) == dt.date(2024, 2, 29)
    assert nearest_month_end(dt.date(2025, 4, 15)) == dt.date(2025, 4, 30)
    with pytest.raises(InputError, match="after it ends"):
        month_ends(dt.date(2025, 2, 1), dt.date(2025, 1, 1))
    with pytest.raises(InputError, match="unknown frequency"):
        snapshot_dates(dt.date(2025, 1, 1), dt.date(2025, 3, 1), "weekly")


@pytest.fixture(scope="module")
def two_dates(tmp_path_factory):
    """The store of :func:`_two_month_ends` with D1 and D2 built (shared: read only,
    apart from rebuilds of the same dates)."""
    ws = Workspace.init(tmp_path_factory.mktemp("movement") / "school", school="Test")
    _two_month_ends(ws)
    built = build_history(ws, dt.date(2025, 1, 1), D2, smap=MAP)
    assert [(b.as_of, b.status, b.customers) for b in built] == [(D1, OK, 5), (D2, OK, 10)]
    yield ws
    ws.close()


def test_migration_between_two_month_ends(two_dates):
    ws = two_dates
    assert _segment_of(ws, D2)["n1"] == "promising"

    mig = migration_matrix(ws, D1, D2)
    assert list(mig.counts.index) == [*ORDER, NEW]
    assert list(mig.counts.columns) == [*ORDER, GONE]
    assert {k: list(v) for k, v in mig.counts.iterrows()} == EXPECTED
    assert mig.row_shares.loc["new", "at_risk"] == pytest.approx(0.4)
    assert math.isnan(mig.row_shares.loc["lost", "lost"])  # an empty row has no shares
    assert sorted(mig.flows()) == sorted(
        [
            ("sleeping_long", "lost", 1),
            ("sleeping_cooled", "sleeping_long", 1),
            ("sleeping_warm", "sleeping_cooled", 1),
            ("champions", "champions", 1),
            ("loyal", "sleeping_warm", 1),
            ("new", "promising", 1),
            ("new", "at_risk", 2),
            ("new", "need_attention", 2),
        ]
    )

    # row sums = sizes on D1, column sums = sizes on D2
    sizes = sizes_over_time(ws).set_index(["as_of", "segment"]).customers
    assert mig.sizes_from().to_dict() == sizes[D1].to_dict()
    assert mig.sizes_to().to_dict() == sizes[D2].to_dict()
    assert mig.counts.loc[NEW].sum() == 5
    assert mig.counts[GONE].sum() == 0

    # rebuilding the same dates replaces them
    build_history(ws, dt.date(2025, 1, 1), D2, smap=MAP)
    assert ws.table("segments").count().execute() == 15
    assert ws.table("rfm").count().execute() == 15
    assert {k: list(v) for k, v in migration_matrix(ws, D1, D2).counts.iterrows()} == EXPECTED
    assert check(ws) == {}


def test_sizes_and_revenue_share(two_dates):
    ws = two_dates
    got = sizes_over_time(ws, [D1])
    assert list(got.columns) == SIZE_COLUMNS
    rows = {r.segment: r for r in got.itertuples()}
    # D1: revenue in the window: a 30 000, b 12 000, c 4 000, d 1 500, e 0 → 47 500
    assert rows["champions"].customers == 1
    assert rows["champions"].share == pytest.approx(0.2)
    assert rows["champions"].revenue == Decimal("30000.00")
    assert rows["champions"].revenue_share == pytest.approx(30000 / 47500)
    assert rows["sleeping_long"].revenue == Decimal("0.00")
    assert set(rows) == {"champions", "loyal", *SLEEPING}
    # both dates: every segment seen on either date has a row on each (0 where empty)
    both = sizes_over_time(ws)
    assert len(both) == 2 * 9
    lost_d1 = both[(both.as_of == D1) & (both.segment == "lost")].iloc[0]
    assert lost_d1.customers == 0
    assert lost_d1.revenue == Decimal("0.00")
    assert both.groupby("as_of").customers.sum().to_dict() == {D1: 5, D2: 10}
    assert both.groupby("as_of").share.sum().tolist() == pytest.approx([1.0, 1.0])


def test_not_built_dates_are_named(ws):
    _two_month_ends(ws)
    with pytest.raises(InsufficientData, match="no segments built yet"):
        sizes_over_time(ws)
    build_segments(ws, D1, smap=MAP)
    with pytest.raises(InsufficientData, match=r"2025-02-28: run `livebase segment --as-of"):
        migration_matrix(ws, D1, D2)
    with pytest.raises(InsufficientData, match="2025-02-28"):
        sizes_over_time(ws, [D1, D2])
    with pytest.raises(InputError, match="after"):
        migration_matrix(ws, D2, D1)


def test_history_skips_dates_before_the_first_purchase(ws):
    put_orders(ws, _buys("a", [dt.date(2025, 1, 10)], 1000))
    got = build_history(ws, dt.date(2024, 11, 15), dt.date(2025, 2, 10), smap=MAP)
    assert [(b.as_of.isoformat(), b.status) for b in got] == [
        ("2024-11-30", INSUFFICIENT),
        ("2024-12-31", INSUFFICIENT),
        ("2025-01-31", OK),
        ("2025-02-10", OK),
    ]
    assert got[0].reason == "before the first counted purchase (2025-01-10)"
    assert got[2].customers == 1
    assert got[2].reason is None
    assert built_dates(ws) == [dt.date(2025, 1, 31), dt.date(2025, 2, 10)]


def test_history_of_a_store_without_purchases(ws):
    steps = []
    got = build_history(
        ws, dt.date(2025, 1, 1), dt.date(2025, 2, 28), progress=lambda s, f: steps.append(f)
    )
    assert [b.status for b in got] == [INSUFFICIENT, INSUFFICIENT]
    assert got[0].reason == "no counted purchase on or before 2025-02-28"
    assert steps == [0.5, 1.0]
    assert built_dates(ws) == []


AS_OF = dt.date(2025, 1, 31)


def _champions_store(ws):
    """Ten customers; x and y are the champions on 2025-01-31.

    x buys 10 000 on the 25th of every month, 2024-02 … 2025-07 (the last order of the
    store: the data end on 2025-07-25). y buys 9 000 on the 28th, 2024-03 … 2025-01, then
    stops. z buys 700 on 2024-12-05 and 2025-02-10. f1…f7 bought once in 2024.

    2025-01-31: recency x 6, y 3 (everyone else ≥ 57); F x 12, y 11 (others ≤ 1); M x
      120 000, y 99 000 → x, y are r5 f5 m5: champions.
    2025-02-28: recency x 3, z 18, y 31 → y is r4 (f5) → loyal; x stays a champion (z:
      r5, F 2 is the third frequency → f4 → loyal).
    2025-04-30: y's recency is 92 → sleeping_warm; x (recency 5, F 12) a champion.
    So the snapshot retention is 1/2 at 1 and 3 months; x bought in February, y never
    again: the purchase retention is 1/2 too. At 6 months (2025-07-31) the data (to
    2025-07-25) are too short for both measures.
    """
    rows = []
    for k in range(18):
        y, m = divmod(2024 * 12 + 1 + k, 12)
        rows += _buys("x", [dt.date(y, m + 1, 25)], 10000)
    for k in range(11):
        y, m = divmod(2024 * 12 + 2 + k, 12)
        rows += _buys("y", [dt.date(y, m + 1, 28)], 9000)
    rows += _buys("z", [dt.date(2024, 12, 5), dt.date(2025, 2, 10)], 700)
    for i, day in enumerate((10, 20, 30, 40, 50, 60, 70)):
        rows += _buys(f"f{i + 1}", [dt.date(2024, 6, 1) + dt.timedelta(days=day)], 100 * (i + 1))
    put_orders(ws, rows)


def test_retention_555(ws):
    _champions_store(ws)
    with pytest.raises(InsufficientData, match="2025-01-31"):
        retention_555(ws, AS_OF)
    build_history(ws, AS_OF, dt.date(2025, 2, 28), smap=MAP)
    seg = _segment_of(ws, dt.date(2025, 2, 28))
    assert (seg["x"], seg["y"], seg["z"]) == ("champions", "loyal", "loyal")

    one, three, six = retention_555(ws, AS_OF)
    assert (one.cohort, one.snapshot_date, one.purchase_until) == (2, D2, D2)
    assert (one.still_in_segment, one.still_in_segment_share, one.snapshot_status) == (1, 0.5, OK)
    assert (one.bought_again, one.bought_again_share, one.purchase_status) == (1, 0.5, OK)
    # 3 months: the purchases are known, the 2025-04-30 snapshot is not built yet
    assert three.snapshot_date == dt.date(2025, 4, 30)
    assert three.snapshot_status == INSUFFICIENT
    assert three.still_in_segment_share is None
    assert three.snapshot_reason == (
        "no snapshot on 2025-04-30: run `livebase segment --as-of 2025-04-30`"
    )
    assert (three.bought_again, three.purchase_status) == (1, OK)
    # 6 months: beyond the data
    assert six.snapshot_status == six.purchase_status == INSUFFICIENT
    assert six.snapshot_reason == "the data end on 2025-07-25, before 2025-07-31"
    assert (
        six.purchase_reason == "the data end on 2025-07-25; the 6-month window runs to 2025-07-31"
    )
    assert six.bought_again is None
    assert six.bought_again_share is None

    build_segments(ws, dt.date(2025, 4, 30), smap=MAP)
    (three,) = retention_555(ws, AS_OF, horizons=(3,))
    assert (three.still_in_segment, three.still_in_segment_share) == (1, 0.5)
    assert _segment_of(ws, dt.date(2025, 4, 30))["y"] == "sleeping_warm"

    # a segment nobody is in on as_of: nothing to follow
    (empty,) = retention_555(ws, AS_OF, horizons=(1,), segment="at_risk")
    assert empty.cohort == 0
    assert empty.snapshot_status == empty.purchase_status == INSUFFICIENT
    assert empty.snapshot_reason == "no customer is in at_risk on 2025-01-31"
    with pytest.raises(InputError, match="horizons"):
        retention_555(ws, AS_OF, horizons=(0,))


def test_simulated_school_six_month_ends(tmp_path):
    files = simulate_school(
        SchoolSpec(customers=600, seed=5, end=dt.date(2025, 5, 5)), tmp_path / "exports"
    )
    ws = Workspace.init(tmp_path / "s", school="Sim")
    try:
        for path, preset in (
            (files.users, "getcourse-users"),
            (files.orders, "getcourse-orders"),
            (files.payments, "getcourse-payments"),
        ):
            import_file(ws, path, preset)
        built = build_history(ws, dt.date(2024, 11, 1), dt.date(2025, 4, 30))
        days = [b.as_of for b in built]
        assert len(days) == 6
        assert all(b.status == OK for b in built)
        assert check(ws) == {}
        # every scored customer exactly once per date
        r = ws.table("rfm").filter(ibis._.version == "monetary")
        s = ws.table("segments").filter(ibis._.version == "monetary")
        scored = r.group_by("as_of").aggregate(n=r.count()).to_pyarrow().to_pylist()
        rows = s.group_by("as_of").aggregate(n=s.count(), k=s.customer_id.nunique())
        rows = rows.to_pyarrow().to_pylist()
        assert {x["as_of"]: x["n"] for x in rows} == {x["as_of"]: x["n"] for x in scored}
        assert all(x["n"] == x["k"] for x in rows)
        assert r.anti_join(s, ["as_of", "customer_id"]).count().execute() == 0
        sizes = sizes_over_time(ws)
        per_date = sizes.groupby("as_of").customers.sum()
        assert per_date.to_dict() == {x["as_of"]: x["n"] for x in scored}
        assert per_date.to_dict() == {b.as_of: b.customers for b in built}
        assert sizes.groupby("as_of").share.sum().tolist() == pytest.approx([1.0] * 6)
        # migration between consecutive month ends (and across the whole period)
        by = sizes.set_index(["as_of", "segment"]).customers
        for a, b in [*itertools.pairwise(days), (days[0], days[-1])]:
            mig = migration_matrix(ws, a, b)
            assert (mig.sizes_from() == by[a].reindex(mig.sizes_from().index)).all()
            assert (mig.sizes_to() == by[b].reindex(mig.sizes_to().index)).all()
            assert mig.counts.loc[NEW].sum() == per_date[b] - per_date[a]
            assert mig.counts[GONE].sum() == 0  # once scored, a customer stays scored
            filled = mig.counts.sum(axis=1) > 0
            shares = mig.row_shares[filled].sum(axis=1).tolist()
            assert shares == pytest.approx([1.0] * int(filled.sum()))
        results = retention_555(ws, days[0], horizons=(1, 3))
        assert all(x.snapshot_status == OK and x.purchase_status == OK for x in results)
        assert all(0 <= x.still_in_segment <= x.cohort for x in results)
    finally:
        ws.close()
