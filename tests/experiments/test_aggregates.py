"""Per-arm aggregates computed by the engine over a small literal store."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal

import pytest

from livebase.errors import InputError
from livebase.experiments import ArmAggregate, arm_aggregates, load_wave

D = Decimal
START = dt.date(2025, 3, 1)


def ts(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> dt.datetime:
    """A UTC timestamp ``day`` days after the wave start (day 0 = 1 March 2025)."""
    return dt.datetime(2025, 3, 1, hour, minute, second) + dt.timedelta(days=day)


def order(oid, customer, paid_at, amount, status="paid", refunded=None, **extra):
    return {
        "order_id": oid,
        "customer_id": customer,
        "paid_at": paid_at,
        "created_at": paid_at,
        "amount": None if amount is None else D(amount),
        "refunded_amount": None if refunded is None else D(refunded),
        "status": status,
        "currency": "RUB",
        "category": "course",
        "product_id": oid,  # a product per order unless said otherwise
        **extra,
    }


WAVES = [
    {
        "wave_id": "w1",
        "playbook": "r90",
        "segment": "sleeping_warm",
        "starts_on": START,
        "days": 14,
        "status": "done",
        "arms": "control, value,discount",
    },
    {
        "wave_id": "w2",
        "playbook": "r180",
        "segment": "sleeping_cooled",
        "starts_on": START,
        "days": 21,
        "status": "done",
        "arms": "control,value",
    },
]
ASSIGNMENTS = [
    *(
        {"wave_id": "w1", "customer_id": c, "arm": "control", "stratum": "s"}
        for c in ("c1", "c2", "c3", "c4")
    ),
    *(
        {"wave_id": "w1", "customer_id": c, "arm": "value", "stratum": "s"}
        for c in ("v1", "v2", "v3", "v4")
    ),
    # the same people in another wave must not leak into w1
    {"wave_id": "w2", "customer_id": "c2", "arm": "value", "stratum": "s"},
    {"wave_id": "w2", "customer_id": "x1", "arm": "control", "stratum": "s"},
]
ORDERS = [
    # c1: two orders in the window -> one conversion, two orders, 1000 + (500 - 200)
    order("o1", "c1", dt.datetime(2025, 3, 1, 0, 0, 0), "1000.00"),  # the first instant counts
    order("o2", "c1", ts(4), "500.00", refunded="200.00"),
    # c2: just outside the 14-day window on both sides
    order("o3", "c2", dt.datetime(2025, 2, 28, 23, 59, 59), "700.00"),
    order("o4", "c2", dt.datetime(2025, 3, 15, 0, 0, 0), "700.00"),  # end is exclusive
    # c3: nothing relevant
    order("o5", "c3", ts(2), "900.00", status="cancelled"),
    order("o6", "c3", ts(3), "0.00"),  # a free, non-financial order
    order("o7", "c3", ts(3), "900.00", status="pending"),
    order("o8", "c3", ts(3), "900.00", status="refunded", refunded="900.00"),
    order("o9", "c3", None, "900.00"),  # never paid
    # c4: partially paid, refunded_amount NULL -> counted in full
    order("o10", "c4", ts(13, 23, 59, 59), "300.00", status="partially_paid"),
    # value arm
    order("o11", "v1", ts(9), "2000.00", refunded="500.00"),
    order("o12", "v2", ts(1), "100.00"),
    order("o13", "v3", ts(1), "-50.00"),  # a negative amount is not a purchase
    # an unassigned customer pays in the window: not anyone's conversion
    order("o14", "x9", ts(1), "5000.00"),
    # v4: a paid webinar (not a purchase category), then an accidental repeat payment of
    # the same course and amount 2 days later (the duplicate rule drops it), and two
    # installments of one plan (one order; amounts differ, else the second would be a
    # repeat payment of the same amount): one conversion, 2 orders, 800 + 600 + 700
    order("o15", "v4", ts(2), "490.00", category="webinar"),
    order("o16", "v4", ts(3), "800.00", product_id="course-x"),
    order("o17", "v4", ts(5), "800.00", product_id="course-x"),
    order("o18", "v4", ts(6), "600.00", plan_id="R-1", product_id="course-y"),
    order("o19", "v4", ts(10), "700.00", plan_id="R-1", product_id="course-y"),
]


@pytest.fixture
def con(make_store):
    return make_store({"waves": WAVES, "assignments": ASSIGNMENTS, "orders": ORDERS})


def test_arm_aggregates_of_a_literal_store(con):
    control, value, discount = arm_aggregates(con, "w1")
    # control: c1 (1000 + 300 = 1300) and c4 (300) convert; c2's orders are outside the
    # window, c3's are cancelled / free / pending / refunded / unpaid
    assert control == ArmAggregate(
        arm="control",
        n=4,
        conversions=2,
        orders=3,
        revenue=D("1600.00"),
        revenue_sumsq=1300.0**2 + 300.0**2,  # 1_780_000; c2 and c3 add 0
    )
    # value: v1 (2000 - 500 = 1500), v2 (100), v4 (800 + 1300, see ORDERS: 2 orders);
    # v3's negative amount does not count
    assert value == ArmAggregate("value", 4, 3, 4, D("3700.00"), 1500.0**2 + 100.0**2 + 2100.0**2)
    # planned but nobody assigned: present, with n = 0
    assert discount == ArmAggregate("discount", 0, 0, 0, D("0.00"), 0.0)
    assert isinstance(control.revenue, Decimal)
    assert control.payers == control.conversions


def test_arms_come_in_planned_order_and_other_waves_do_not_leak(con):
    assert [agg.arm for agg in arm_aggregates(con, "w1")] == ["control", "value", "discount"]
    control, value = arm_aggregates(con, "w2")
    # w2 has its own window (21 days): c2's order of 15 March now counts, in arm "value"
    assert (value.n, value.conversions, value.revenue) == (1, 1, D("700.00"))
    assert (control.n, control.conversions, control.revenue) == (1, 0, D("0.00"))


def test_window_days_overrides_the_wave_duration(con):
    control = arm_aggregates(con, "w1", window_days=15)[0]
    assert (control.conversions, control.orders, control.revenue) == (3, 4, D("2300.00"))
    control = arm_aggregates(con, "w1", window_days=1)[0]
    # only c1's order at 00:00 of the first day
    assert (control.conversions, control.orders, control.revenue) == (1, 1, D("1000.00"))


def test_unplanned_arms_follow_the_planned_ones(make_store):
    waves = [{"wave_id": "w", "starts_on": START, "days": 7, "arms": "control"}]
    assignments = [
        {"wave_id": "w", "customer_id": "a", "arm": "zeta"},
        {"wave_id": "w", "customer_id": "b", "arm": "control"},
        {"wave_id": "w", "customer_id": "c", "arm": "alpha"},
    ]
    con = make_store({"waves": waves, "assignments": assignments})
    assert [a.arm for a in arm_aggregates(con, "w")] == ["control", "alpha", "zeta"]


def test_bad_requests_are_input_errors(con, make_store):
    with pytest.raises(InputError, match="no wave 'nope'"):
        arm_aggregates(con, "nope")
    with pytest.raises(InputError, match="positive"):
        arm_aggregates(con, "w1", window_days=0)
    no_days = make_store({"waves": [{"wave_id": "w", "starts_on": START, "arms": "control"}]})
    with pytest.raises(InputError, match="window_days"):
        arm_aggregates(no_days, "w")


def test_load_wave(con):
    wave = load_wave(con, "w1")
    assert wave.arms == ("control", "value", "discount")
    assert (wave.playbook, wave.segment, wave.starts_on, wave.days) == (
        "r90",
        "sleeping_warm",
        START,
        14,
    )
    assert wave.window() == (dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 15))


def _duplicates(orders, end) -> set[str]:
    """Order ids dropped by the duplicate-payment rule: the same customer, product and
    amount paid again within 7 days of the previous such payment (money statuses)."""
    seq: dict[tuple, list] = {}
    for o in orders:
        paid = o["paid_at"]
        if o["status"] in ("paid", "partially_paid", "refunded") and paid and paid < end:
            key = (o["customer_id"], o["product_id"], o["amount"])
            seq.setdefault(key, []).append((paid, o["order_id"]))
    dups = set()
    for rows in seq.values():
        rows.sort()
        for (prev, _), (paid, oid) in itertools.pairwise(rows):
            if (paid - prev).total_seconds() <= 7 * 86400:
                dups.add(oid)
    return dups


def _reference(assignments, orders, start, end):
    """Row-by-row Python version of the definitions, to check the engine against."""
    revenue: dict[str, Decimal] = {}
    count: dict[str, int] = {}
    dups = _duplicates(orders, end)
    for o in orders:
        paid = o["paid_at"]
        if (
            o["status"] in ("paid", "partially_paid")
            and o["amount"] > 0
            and paid is not None
            and start <= paid < end
            and o["order_id"] not in dups
        ):
            net = o["amount"] - (o["refunded_amount"] or 0)
            revenue[o["customer_id"]] = revenue.get(o["customer_id"], 0) + net
            count[o["customer_id"]] = count.get(o["customer_id"], 0) + 1
    out: dict[str, list] = {}
    for a in assignments:
        acc = out.setdefault(a["arm"], [0, 0, 0, Decimal("0.00"), 0.0])
        c = a["customer_id"]
        acc[0] += 1
        acc[1] += c in count
        acc[2] += count.get(c, 0)
        acc[3] += revenue.get(c, 0)
        acc[4] += float(revenue.get(c, 0)) ** 2
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engine_matches_a_row_by_row_reference(make_store, seed):
    rng = random.Random(seed)
    arms = ["control", "value", "discount"]
    assignments = [
        {"wave_id": "w", "customer_id": f"c{i}", "arm": rng.choice(arms)} for i in range(150)
    ]
    statuses = ["paid", "paid", "partially_paid", "refunded", "cancelled", "pending"]
    orders = []
    for i in range(500):
        amount = D(rng.choice(["0.00", "990.00", "2490.50", "27400.00", "15.99"]))
        orders.append(
            order(
                f"o{i}",
                f"c{rng.randrange(170)}",  # some payers were never assigned
                dt.datetime(2025, 2, 20) + dt.timedelta(minutes=rng.randrange(40 * 24 * 60)),
                amount,
                status=rng.choice(statuses),
                refunded=rng.choice([None, "0.00", "10.00"]),
                product_id=rng.choice(["a", "b"]),  # repeats of one product: duplicates
            )
        )
    waves = [{"wave_id": "w", "starts_on": START, "days": 14, "arms": ",".join(arms)}]
    con = make_store({"waves": waves, "assignments": assignments, "orders": orders})
    expected = _reference(assignments, orders, dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 15))
    assert _duplicates(orders, dt.datetime(2025, 3, 15))  # the rule has work to do
    for agg in arm_aggregates(con, "w"):
        n, conv, n_orders, revenue, sumsq = expected.get(agg.arm, [0, 0, 0, D(0), 0.0])
        assert (agg.n, agg.conversions, agg.orders, agg.revenue) == (n, conv, n_orders, revenue)
        assert agg.revenue_sumsq == pytest.approx(sumsq, rel=1e-12)


def test_arm_aggregate_rejects_impossible_counts():
    with pytest.raises(InputError):
        ArmAggregate("a", n=10, conversions=11, orders=11, revenue=D(0), revenue_sumsq=0.0)
    with pytest.raises(InputError):
        ArmAggregate("a", n=10, conversions=3, orders=2, revenue=D(0), revenue_sumsq=0.0)
    with pytest.raises(InputError):
        ArmAggregate("a", n=-1, conversions=0, orders=0, revenue=D(0), revenue_sumsq=0.0)


def test_payer_revenues_are_one_value_per_payer_in_customer_order(con):
    from livebase.experiments import payer_revenues

    # the payers of test_arm_aggregates_of_a_literal_store, sorted by customer id
    assert payer_revenues(con, "w1") == {
        "control": [1300.0, 300.0],  # c1, c4
        "value": [1500.0, 100.0, 2100.0],  # v1, v2, v4
        "discount": [],
    }
