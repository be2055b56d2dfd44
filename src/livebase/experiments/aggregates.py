"""Per-arm aggregates of a wave, computed by the engine.

The engine aggregates, Python infers: this module builds one Ibis expression over
``waves``, ``assignments`` and ``orders`` and brings back one row per arm. Inference
(:mod:`livebase.experiments.readout`) works on these rows only.

Definitions (SPEC F5.1):

* the **window** of a wave is ``[starts_on 00:00 UTC, starts_on + window_days)``;
  ``window_days`` defaults to the wave's ``days``;
* a **relevant order** has ``status`` in ``paid`` / ``partially_paid``, ``amount > 0``
  and ``paid_at`` inside the window;
* a **conversion** is an assigned customer with at least one relevant order (a customer
  with two orders converts once);
* **revenue** is ``amount - coalesce(refunded_amount, 0)`` summed over relevant orders
  (exact ``Decimal``); **revenue_sumsq** is the sum over *assigned* customers of the
  square of their window revenue (customers without orders add 0), as a float: it is the
  second moment a later mean/variance test needs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.types as ir
from ibis import _
from ibis.backends import BaseBackend

from livebase.errors import InputError
from livebase.experiments.waves import WaveInfo, load_wave

RELEVANT_STATUSES = ("paid", "partially_paid")
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
    con: BaseBackend, wave_id: str, *, window_days: int | None = None
) -> list[ArmAggregate]:
    """Aggregates per arm of ``wave_id``, arms in planned order (``waves.arms``).

    Arms planned but without any assigned customer appear with ``n = 0``; arms found in
    ``assignments`` but not planned follow the planned ones in name order. Raises
    :class:`InputError` for an unknown wave or a non-positive window.
    """
    wave = load_wave(con, wave_id)
    start, end = wave.window(window_days)
    rows = _arm_rows(con, wave.wave_id, start, end)
    return _in_planned_order(wave, rows)


def arm_aggregates_expr(
    con: BaseBackend, wave_id: str, start: dt.datetime, end: dt.datetime
) -> ir.Table:
    """The Ibis expression behind :func:`arm_aggregates`: one row per assigned arm.

    Columns ``arm, n, conversions, orders, revenue, revenue_sumsq`` (``orders``,
    ``revenue`` and ``revenue_sumsq`` are NULL for an arm without any relevant order);
    orders count when ``start <= paid_at < end`` (naive UTC). Exposed so that further
    per-arm measures can be joined on ``arm`` without a second pass over rows.
    """
    assignments = con.table("assignments")
    assigned = assignments.filter(assignments.wave_id == wave_id).select("customer_id", "arm")
    orders = con.table("orders")
    relevant = orders.filter(
        orders.status.isin(RELEVANT_STATUSES),
        orders.amount > 0,
        orders.paid_at >= ibis.literal(start, type="timestamp"),
        orders.paid_at < ibis.literal(end, type="timestamp"),
    ).semi_join(assigned, "customer_id")
    per_customer = relevant.group_by("customer_id").aggregate(
        orders=_.count(),
        revenue=(_.amount - _.refunded_amount.fill_null(0)).sum(),
    )
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
    con: BaseBackend, wave_id: str, start: dt.datetime, end: dt.datetime
) -> dict[str, dict]:
    """One dict per assigned arm: the only rows that leave the engine."""
    rows = arm_aggregates_expr(con, wave_id, start, end).to_pyarrow().to_pylist()
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
