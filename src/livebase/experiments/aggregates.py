"""Per-arm aggregates of a wave, computed by the engine.

The engine aggregates, Python infers: this module builds one Ibis expression over
``waves``, ``assignments`` and ``orders`` and brings back one row per arm. Inference
(:mod:`livebase.experiments.readout`) works on these rows only.

Definitions (SPEC F5.1):

* the **window** of a wave is ``[starts_on 00:00 UTC, starts_on + window_days)``;
  ``window_days`` defaults to the wave's ``days``;
* a **relevant order** is a counted purchase of the workspace's purchase rules
  (:func:`livebase.metrics.purchases.purchases`: paid or partly paid, ``amount > 0``, a
  purchase category, not a repeat payment of the same product and amount within
  ``duplicate_payment_days``) whose payment time falls inside the window; installments of
  one plan are one order (seed 000: "orders with payment, repeat payments within 7 days
  excluded");
* a **conversion** is an assigned customer with at least one relevant order (a customer
  with two orders converts once);
* **revenue** is ``amount - coalesce(refunded_amount, 0)`` summed over relevant orders
  (exact ``Decimal``); **revenue_sumsq** is the sum over *assigned* customers of the
  square of their window revenue (customers without orders add 0), as a float: it is the
  second moment the Welch test of revenue per assigned user needs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.types as ir
from ibis import _
from ibis.backends import BaseBackend

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.experiments.waves import WaveInfo, load_wave
from livebase.metrics.purchases import purchases

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class ArmAggregate:
    """Sufficient statistics of one arm of a wave.

    >>> agg = ArmAggregate("value", n=1000, conversions=49, orders=52, revenue=Decimal("150000.00"),
    ...                    revenue_sumsq=6.1e8)
    >>> agg.payers, agg.rate
    (49, 0.049)
    """

    arm: str
    n: int
    conversions: int
    orders: int
    revenue: Decimal
    revenue_sumsq: float

    def __post_init__(self) -> None:
        if self.n < 0 or self.conversions < 0 or self.orders < 0:
            raise InputError(f"arm {self.arm!r}: counts must not be negative")
        if self.conversions > self.n:
            raise InputError(
                f"arm {self.arm!r}: {self.conversions} conversions out of {self.n} assigned"
            )
        if self.orders < self.conversions:
            raise InputError(
                f"arm {self.arm!r}: {self.orders} orders for {self.conversions} conversions"
            )

    @property
    def payers(self) -> int:
        """Unique paying customers; the same number as :attr:`conversions`."""
        return self.conversions

    @property
    def rate(self) -> float | None:
        """Conversion rate, or ``None`` when nobody was assigned."""
        return self.conversions / self.n if self.n else None


def arm_aggregates(
    con: BaseBackend,
    wave_id: str,
    *,
    window_days: int | None = None,
    rules: PurchaseRules | None = None,
) -> list[ArmAggregate]:
    """Aggregates per arm of ``wave_id``, arms in planned order (``waves.arms``).

    Arms planned but without any assigned customer appear with ``n = 0``; arms found in
    ``assignments`` but not planned follow the planned ones in name order. Raises
    :class:`InputError` for an unknown wave or a non-positive window. ``rules``: the
    workspace's purchase rules (default: the defaults).
    """
    wave = load_wave(con, wave_id)
    start, end = wave.window(window_days)
    rows = _arm_rows(con, wave.wave_id, start, end, rules or PurchaseRules())
    return _in_planned_order(wave, rows)


def _per_customer(
    con: BaseBackend, wave_id: str, start: dt.datetime, end: dt.datetime, rules: PurchaseRules
) -> tuple[ir.Table, ir.Table]:
    """The wave's assigned customers and their relevant orders and revenue in the window."""
    assignments = con.table("assignments")
    assigned = assignments.filter(assignments.wave_id == wave_id).select("customer_id", "arm")
    p = purchases(con, rules, until=end)
    relevant = p.filter(p.is_purchase, p.ts >= ibis.literal(start, type="timestamp")).semi_join(
        assigned, "customer_id"
    )
    per_customer = relevant.group_by("customer_id").aggregate(
        orders=relevant.purchase_key.nunique(),
        revenue=relevant.net.sum(),
    )
    return assigned, per_customer


def payer_revenues(
    con: BaseBackend,
    wave_id: str,
    *,
    window_days: int | None = None,
    rules: PurchaseRules | None = None,
) -> dict[str, list[float]]:
    """Window revenue of every paying customer, per arm (for ARPPU's bootstrap interval).

    Only payers leave the engine (a few percent of a wave), sorted by customer id so
    that a seeded bootstrap resamples the same list every time.
    """
    wave = load_wave(con, wave_id)
    start, end = wave.window(window_days)
    assigned, per_customer = _per_customer(con, wave.wave_id, start, end, rules or PurchaseRules())
    rows = (
        assigned.join(per_customer, "customer_id")
        .select("arm", "customer_id", revenue=_.revenue.cast("float64"))
        .order_by(["arm", "customer_id"])
        .to_pyarrow()
        .to_pylist()
    )
    out: dict[str, list[float]] = {arm: [] for arm in wave.arms}
    for row in rows:
        out.setdefault(row["arm"], []).append(row["revenue"])
    return out


def arm_aggregates_expr(
    con: BaseBackend,
    wave_id: str,
    start: dt.datetime,
    end: dt.datetime,
    rules: PurchaseRules | None = None,
) -> ir.Table:
    """The Ibis expression behind :func:`arm_aggregates`: one row per assigned arm.

    Columns ``arm, n, conversions, orders, revenue, revenue_sumsq`` (``orders``,
    ``revenue`` and ``revenue_sumsq`` are NULL for an arm without any relevant order);
    purchases count when ``start <= payment time < end`` (naive UTC). Exposed so that
    further per-arm measures can be joined on ``arm`` without a second pass over rows.
    """
    assigned, per_customer = _per_customer(con, wave_id, start, end, rules or PurchaseRules())
    joined = assigned.left_join(per_customer, "customer_id").select(
        "arm", orders=_.orders, revenue=_.revenue
    )
    return joined.group_by("arm").aggregate(
        n=_.count(),
        conversions=_.orders.count(),  # customers with at least one relevant order
        orders=_.orders.sum(),
        revenue=_.revenue.sum(),
        revenue_sumsq=(_.revenue.cast("float64") ** 2).sum(),
    )


def _arm_rows(
    con: BaseBackend, wave_id: str, start: dt.datetime, end: dt.datetime, rules: PurchaseRules
) -> dict[str, dict]:
    """One dict per assigned arm: the only rows that leave the engine."""
    rows = arm_aggregates_expr(con, wave_id, start, end, rules).to_pyarrow().to_pylist()
    if any(row["arm"] is None for row in rows):
        raise InputError(f"wave {wave_id!r}: some assignments have no arm", column="arm")
    return {row["arm"]: row for row in rows}


def _in_planned_order(wave: WaveInfo, rows: dict[str, dict]) -> list[ArmAggregate]:
    unplanned = sorted(set(rows) - set(wave.arms))
    result = []
    for arm in (*wave.arms, *unplanned):
        row = rows.get(arm)
        if row is None:
            result.append(ArmAggregate(arm, 0, 0, 0, Decimal("0.00"), 0.0))
            continue
        revenue = row["revenue"] if row["revenue"] is not None else Decimal(0)
        result.append(
            ArmAggregate(
                arm=arm,
                n=int(row["n"]),
                conversions=int(row["conversions"]),
                orders=int(row["orders"] or 0),
                revenue=Decimal(revenue).quantize(_CENT),
                revenue_sumsq=float(row["revenue_sumsq"] or 0.0),
            )
        )
    return result


NPS_EXTRA_DAYS = 30


def arm_nps_counts(
    con: BaseBackend, wave_id: str, *, window_days: int | None = None
) -> dict[str, tuple[int, int, int]]:
    """Promoters, passives and detractors per arm among the wave's assigned customers.

    An answer counts when it was given from the wave's start to ``NPS_EXTRA_DAYS`` days
    after the end of its window (seed 003 asks 7 days after onboarding); a customer who
    answered twice counts once, with the latest answer. Arms without answers are absent.
    """
    wave = load_wave(con, wave_id)
    start, end = wave.window(window_days)
    until = end + dt.timedelta(days=NPS_EXTRA_DAYS)
    assignments = con.table("assignments")
    assigned = assignments.filter(assignments.wave_id == wave.wave_id).select("customer_id", "arm")
    r = con.table("nps_responses")
    r = r.filter(
        r.score.notnull(),
        r.ts >= ibis.literal(start, type="timestamp"),
        r.ts < ibis.literal(until, type="timestamp"),
    )
    latest = r.mutate(
        k=ibis.row_number().over(group_by=r.customer_id, order_by=[r.ts.desc(), r.score.desc()])
    )
    latest = latest.filter(latest.k == 0).select("customer_id", "score")
    j = assigned.join(latest, "customer_id")
    rows = (
        j.group_by("arm")
        .aggregate(
            promoters=(j.score >= 9).sum(),
            passives=((j.score >= 7) & (j.score <= 8)).sum(),
            detractors=(j.score <= 6).sum(),
        )
        .to_pyarrow()
        .to_pylist()
    )
    return {
        row["arm"]: (int(row["promoters"]), int(row["passives"]), int(row["detractors"]))
        for row in rows
    }
