"""Long-horizon metrics of a wave per arm (SPEC F5.3, seed 000 "Долгосрочные метрики").

The engine aggregates, Python infers: :func:`horizon_aggregates` builds Ibis expressions
over ``assignments``, ``waves``, ``orders`` (through the counted purchases of
:func:`livebase.metrics.purchases.purchases`) and ``activities`` and brings back one row
per arm; :func:`horizon_readout` compares the arms with control from those rows only.

Every horizon starts at the wave's ``starts_on`` 00:00 UTC; a horizon of H days is
``[starts_on, starts_on + H days)``. Definitions (all per arm, over its assigned
customers):

* **repeat purchases 90 d** — share of assigned customers with at least two *counted
  purchases* in the 90 days: purchases by the workspace rules (purchase categories, a
  repeat payment of the same product and amount within ``duplicate_payment_days`` is a
  duplicate and not counted again, installments of one plan count once, refunded orders
  are not purchases);
* **refund rate 90 d** — refunded orders / paid orders of the arm's customers in the 90
  days, from the ``orders`` table: *paid* = status ``paid``, ``partially_paid`` or
  ``refunded`` (a refunded order was paid first) with ``amount > 0``, dated by
  ``coalesce(paid_at, created_at)``; *refunded* = status ``refunded`` or
  ``refunded_amount > 0``. The unit is the order, so the interval treats orders as
  independent (a customer's several orders are not);
* **LTV 180** — net revenue (``amount − refunded_amount``) of counted purchases in the
  180 days per *assigned* customer (customers without purchases add 0), undiscounted, as
  seed 000 defines it; per arm ``n``, sum and sum of squares, and the uplift
  ``(LTV_test / LTV_control − 1) × 100`` in percent;
* **churn 180** — ``1 −`` the share of assigned customers who made at least one counted
  purchase in the 180 days *and/or* had at least two learning activities (kinds
  :data:`livebase.metrics.rfm.LEARNING_KINDS`) in the 180 days — seed 000's definition.

Shares come with a Wilson interval and their difference vs control in percentage points
with Newcombe's hybrid score interval.

**A horizon not reached is not a number.** The store's data end at the latest
``paid_at`` or ``created_at`` of any order (``data_until``); when that date is before
``starts_on + H days`` the H-day metric of every arm is ``insufficient_data`` with reason
``horizon_not_reached`` and no count — a partial window is never shown as the 90- or
180-day figure.

>>> aggs = [
...     HorizonAggregate("control", 200, 10, 40, 4, Decimal("300000.00"), 9.5e8, 80),
...     HorizonAggregate("value", 200, 18, 50, 3, Decimal("330000.00"), 1.1e9, 96),
... ]
>>> res = horizon_readout(aggs, starts_on=dt.date(2025, 3, 1),
...                       data_until=dt.datetime(2025, 9, 1))
>>> value = res.get("repeat_90", "value")
>>> value.status, value.rate, round(value.diff_pp, 6)
('ok', 0.09, 4.0)
>>> ltv = res.get("ltv_180", "value")
>>> ltv.ltv, round(ltv.uplift_pct, 6)
(Decimal('1650.00'), 10.0)
>>> res.get("churn_180", "value").rate
0.52
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import ibis
import ibis.expr.types as ir
from ibis import _
from ibis.backends import BaseBackend

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.experiments.arms import split_control
from livebase.experiments.proportions import newcombe_interval, wilson_interval
from livebase.experiments.revenue import MeanDiff, welch_from_stats
from livebase.experiments.status import CONTROL, INSUFFICIENT, OK, ArmStatus
from livebase.experiments.waves import load_wave
from livebase.metrics.purchases import MONEY_STATUSES, purchases
from livebase.metrics.rfm import LEARNING_KINDS

REPEAT_DAYS = 90
REFUND_DAYS = 90
LTV_DAYS = 180
CHURN_DAYS = 180
MIN_REPEAT_PURCHASES = 2
MIN_LEARNING_ACTIVITIES = 2

SHARE_METRICS = ("repeat_90", "refund_90", "churn_180")
HORIZON_DAYS = {"repeat_90": REPEAT_DAYS, "refund_90": REFUND_DAYS, "churn_180": CHURN_DAYS}
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class HorizonAggregate:
    """Sufficient statistics of one arm over the long horizons (counts and sums only).

    ``n`` assigned customers; ``repeaters_90`` of them with ≥ 2 counted purchases in 90
    days; ``paid_orders_90`` / ``refunded_orders_90`` orders of the arm in 90 days;
    ``ltv_sum_180`` net revenue of counted purchases in 180 days (exact) and
    ``ltv_sumsq_180`` the sum over assigned customers of its square; ``active_180``
    customers with a purchase or ≥ 2 learning activities in 180 days.
    """

    arm: str
    n: int
    repeaters_90: int
    paid_orders_90: int
    refunded_orders_90: int
    ltv_sum_180: Decimal
    ltv_sumsq_180: float
    active_180: int

    def __post_init__(self) -> None:
        counts = (self.n, self.repeaters_90, self.paid_orders_90, self.refunded_orders_90)
        if min(*counts, self.active_180) < 0 or self.ltv_sumsq_180 < 0:
            raise InputError(f"arm {self.arm!r}: counts must not be negative")
        if self.repeaters_90 > self.n or self.active_180 > self.n:
            raise InputError(f"arm {self.arm!r}: more customers counted than assigned")
        if self.refunded_orders_90 > self.paid_orders_90:
            raise InputError(f"arm {self.arm!r}: more refunded orders than paid orders")

    def share(self, metric: str) -> tuple[int, int]:
        """``(count, base)`` of a share metric: repeaters, refunds or churned customers."""
        if metric == "repeat_90":
            return self.repeaters_90, self.n
        if metric == "refund_90":
            return self.refunded_orders_90, self.paid_orders_90
        if metric == "churn_180":
            return self.n - self.active_180, self.n
        raise InputError(f"unknown share metric {metric!r} (one of {', '.join(SHARE_METRICS)})")


@dataclass(frozen=True)
class ShareMetric:
    """A share of one arm at a horizon: ``count / base`` as a fraction, and vs control.

    ``base`` is the arm's assigned customers (repeat, churn) or its paid orders (refund
    rate); ``diff_pp`` = (rate − control rate) × 100 with Newcombe's interval in points.
    ``count``, ``base`` and everything derived are ``None`` when the horizon is not
    reached.
    """

    metric: str
    arm: str
    is_control: bool
    status: ArmStatus
    horizon_days: int
    n: int
    count: int | None
    base: int | None
    rate: float | None
    rate_ci: tuple[float, float] | None
    diff_pp: float | None
    diff_ci_pp: tuple[float, float] | None
    reason: str | None = None


@dataclass(frozen=True)
class LtvMetric:
    """LTV 180 of one arm: net revenue per assigned customer, and the uplift vs control.

    ``total`` (exact ``Decimal``) and ``sumsq`` (float) over ``n`` assigned customers are
    the inputs of a mean-difference test; ``ltv`` = total / n rounded half-up to kopecks;
    ``uplift_pct`` = (LTV / LTV_control − 1) × 100 from the unrounded means; ``status``
    and ``reason`` are about that uplift. ``welch`` is Welch's test of the difference of
    the mean LTVs (test − control, :func:`~livebase.experiments.revenue.welch_from_stats`)
    with its own status, on every compared arm once the horizon is reached.
    """

    arm: str
    is_control: bool
    status: ArmStatus
    horizon_days: int
    n: int
    total: Decimal | None
    sumsq: float | None
    ltv: Decimal | None
    uplift_pct: float | None
    reason: str | None = None
    welch: MeanDiff | None = None


@dataclass(frozen=True)
class HorizonReadout:
    """Long-horizon metrics of every arm (arms in the order given) of one wave."""

    starts_on: dt.date
    data_until: dt.datetime | None
    control: str
    alpha: float
    repeat_90: tuple[ShareMetric, ...]
    refund_90: tuple[ShareMetric, ...]
    churn_180: tuple[ShareMetric, ...]
    ltv_180: tuple[LtvMetric, ...]
    wave_id: str | None = None

    def get(self, metric: str, arm: str) -> ShareMetric | LtvMetric:
        """The ``metric`` (``repeat_90``, ``refund_90``, ``churn_180``, ``ltv_180``) of ``arm``."""
        if metric not in (*SHARE_METRICS, "ltv_180"):
            raise KeyError(metric)
        for result in getattr(self, metric):
            if result.arm == arm:
                return result
        raise KeyError(arm)

    def reached(self, days: int) -> bool:
        """Whether the data reach the end of a ``days``-day horizon."""
        return horizon_reached(self.starts_on, days, self.data_until)


def horizon_reached(starts_on: dt.date, days: int, data_until: dt.datetime | None) -> bool:
    """``True`` when the last data date is on or after ``starts_on + days``.

    >>> horizon_reached(dt.date(2025, 3, 1), 90, dt.datetime(2025, 5, 30, 8))
    True
    >>> horizon_reached(dt.date(2025, 3, 1), 90, dt.datetime(2025, 5, 29, 23, 59))
    False
    """
    if data_until is None:
        return False
    return data_until.date() >= starts_on + dt.timedelta(days=days)


def _start(starts_on: dt.date) -> dt.datetime:
    return dt.datetime.combine(starts_on, dt.time())


def _ts(value: dt.datetime) -> ir.TimestampScalar:
    return ibis.literal(value, type="timestamp")


def horizon_customers_expr(
    con: BaseBackend, wave_id: str, starts_on: dt.date, rules: PurchaseRules
) -> ir.Table:
    """One row per assigned customer of ``wave_id``: ``customer_id, arm, purchases_90,
    purchases_180, net_180, learning_180`` (zeros, not NULL, for customers without any)."""
    start = _start(starts_on)
    end_repeat = start + dt.timedelta(days=REPEAT_DAYS)
    end_ltv = start + dt.timedelta(days=LTV_DAYS)
    end_churn = start + dt.timedelta(days=CHURN_DAYS)
    a = con.table("assignments")
    assigned = a.filter(a.wave_id == wave_id).select("customer_id", "arm")
    until = max(end_repeat, end_ltv, end_churn)
    p = purchases(con, rules, until=until)
    p = p.filter(p.ts >= _ts(start)).semi_join(assigned, "customer_id")
    counted = p.is_purchase
    per_purchases = p.group_by("customer_id").aggregate(
        purchases_90=p.purchase_key.nunique(where=counted & (p.ts < _ts(end_repeat))),
        purchases_180=p.purchase_key.nunique(where=counted & (p.ts < _ts(end_churn))),
        net_180=p.net.sum(where=p.ts < _ts(end_ltv)),
    )
    acts = con.table("activities")
    learning = acts.filter(
        acts.kind.isin(LEARNING_KINDS), acts.ts >= _ts(start), acts.ts < _ts(end_churn)
    ).semi_join(assigned, "customer_id")
    per_learning = learning.group_by("customer_id").aggregate(learning_180=_.count())
    zero = ibis.literal(0).cast("decimal(18,2)")
    joined = assigned.left_join(per_purchases, "customer_id").select(
        "customer_id", "arm", "purchases_90", "purchases_180", "net_180"
    )
    joined = joined.left_join(per_learning, "customer_id").select(
        "customer_id", "arm", "purchases_90", "purchases_180", "net_180", "learning_180"
    )
    return joined.mutate(
        purchases_90=_.purchases_90.fill_null(0),
        purchases_180=_.purchases_180.fill_null(0),
        net_180=ibis.coalesce(_.net_180, zero).cast("decimal(18,2)"),
        learning_180=_.learning_180.fill_null(0),
    )


def horizon_arms_expr(
    con: BaseBackend, wave_id: str, starts_on: dt.date, rules: PurchaseRules
) -> ir.Table:
    """One row per assigned arm with the columns of :class:`HorizonAggregate` but
    ``paid_orders_90`` / ``refunded_orders_90`` (see :func:`refund_arms_expr`)."""
    c = horizon_customers_expr(con, wave_id, starts_on, rules)
    active = (c.purchases_180 >= 1) | (c.learning_180 >= MIN_LEARNING_ACTIVITIES)
    return c.group_by("arm").aggregate(
        n=_.count(),
        repeaters_90=(c.purchases_90 >= MIN_REPEAT_PURCHASES).sum(),
        ltv_sum_180=c.net_180.sum(),
        ltv_sumsq_180=(c.net_180.cast("float64") ** 2).sum(),
        active_180=active.sum(),
    )


def refund_arms_expr(con: BaseBackend, wave_id: str, starts_on: dt.date) -> ir.Table:
    """Paid and refunded orders per arm in the refund horizon: ``arm, paid, refunded``."""
    start = _start(starts_on)
    end = start + dt.timedelta(days=REFUND_DAYS)
    a = con.table("assignments")
    assigned = a.filter(a.wave_id == wave_id).select("customer_id", "arm")
    o = con.table("orders")
    ts = ibis.coalesce(o.paid_at, o.created_at)
    paid = o.filter(
        o.status.isin(MONEY_STATUSES), o.amount > 0, ts >= _ts(start), ts < _ts(end)
    ).select(
        "customer_id", refunded=(o.status == "refunded") | (o.refunded_amount.fill_null(0) > 0)
    )
    joined = paid.join(assigned, "customer_id")
    return joined.group_by("arm").aggregate(paid=_.count(), refunded=_.refunded.sum())


def data_until(con: BaseBackend) -> dt.datetime | None:
    """The end of the store's data: the latest ``paid_at`` or ``created_at`` of any order."""
    o = con.table("orders")
    row = o.aggregate(paid=o.paid_at.max(), created=o.created_at.max()).to_pyarrow().to_pylist()
    values = [v for v in row[0].values() if v is not None]
    return max(values) if values else None


def horizon_aggregates(
    con: BaseBackend, wave_id: str, *, rules: PurchaseRules | None = None
) -> list[HorizonAggregate]:
    """Aggregates per arm of ``wave_id``, arms in planned order (``waves.arms``) then the
    unplanned ones by name; a planned arm without assignments has ``n = 0``."""
    wave = load_wave(con, wave_id)
    rules = rules or PurchaseRules()
    main = {
        row["arm"]: row
        for row in horizon_arms_expr(con, wave.wave_id, wave.starts_on, rules)
        .to_pyarrow()
        .to_pylist()
    }
    if None in main:
        raise InputError(f"wave {wave_id!r}: some assignments have no arm", column="arm")
    refunds = {
        row["arm"]: row
        for row in refund_arms_expr(con, wave.wave_id, wave.starts_on).to_pyarrow().to_pylist()
    }
    result = []
    for arm in (*wave.arms, *sorted(set(main) - set(wave.arms))):
        row = main.get(arm)
        ref = refunds.get(arm, {"paid": 0, "refunded": 0})
        if row is None:
            result.append(HorizonAggregate(arm, 0, 0, 0, 0, Decimal("0.00"), 0.0, 0))
            continue
        result.append(
            HorizonAggregate(
                arm=arm,
                n=int(row["n"]),
                repeaters_90=int(row["repeaters_90"] or 0),
                paid_orders_90=int(ref["paid"] or 0),
                refunded_orders_90=int(ref["refunded"] or 0),
                ltv_sum_180=Decimal(row["ltv_sum_180"] or 0).quantize(_CENT),
                ltv_sumsq_180=float(row["ltv_sumsq_180"] or 0.0),
                active_180=int(row["active_180"] or 0),
            )
        )
    return result


def horizon_metrics(
    con: BaseBackend,
    wave_id: str,
    *,
    rules: PurchaseRules | None = None,
    control: str = "control",
    alpha: float = 0.05,
) -> HorizonReadout:
    """Long-horizon metrics of every arm of ``wave_id`` vs ``control`` (see the module)."""
    wave = load_wave(con, wave_id)
    aggs = horizon_aggregates(con, wave_id, rules=rules)
    res = horizon_readout(
        aggs, starts_on=wave.starts_on, data_until=data_until(con), control=control, alpha=alpha
    )
    return replace(res, wave_id=wave.wave_id)


def _share_metrics(
    metric: str,
    aggs: list[HorizonAggregate],
    ctrl: HorizonAggregate,
    control: str,
    *,
    reached: bool,
    alpha: float,
) -> tuple[ShareMetric, ...]:
    days = HORIZON_DAYS[metric]
    out = []
    c_count, c_base = ctrl.share(metric)
    per_order = metric == "refund_90"
    for agg in aggs:
        is_control = agg.arm == control
        head = {"metric": metric, "arm": agg.arm, "is_control": is_control}
        head |= {"horizon_days": days, "n": agg.n}
        blank = {"rate": None, "rate_ci": None, "diff_pp": None, "diff_ci_pp": None}
        if not reached:
            out.append(
                ShareMetric(
                    **head,
                    **blank,
                    count=None,
                    base=None,
                    status=INSUFFICIENT,
                    reason="horizon_not_reached",
                )
            )
            continue
        count, base = agg.share(metric)
        fields = {**head, "count": count, "base": base}
        if base == 0:
            reason = "no_orders" if per_order and agg.n else "empty_arm"
            out.append(ShareMetric(**fields, **blank, status=INSUFFICIENT, reason=reason))
            continue
        own = {"rate": count / base, "rate_ci": wilson_interval(count, base, alpha=alpha)}
        none = {"diff_pp": None, "diff_ci_pp": None}
        if is_control:
            out.append(ShareMetric(**fields, **own, **none, status=CONTROL))
            continue
        if c_base == 0:
            reason = "no_control_orders" if per_order and ctrl.n else "empty_control"
            out.append(ShareMetric(**fields, **own, **none, status=INSUFFICIENT, reason=reason))
            continue
        low, high = newcombe_interval(count, base, c_count, c_base, alpha=alpha)
        diff = {
            "diff_pp": (count / base - c_count / c_base) * 100,
            "diff_ci_pp": (low * 100, high * 100),
        }
        out.append(ShareMetric(**fields, **own, **diff, status=OK))
    return tuple(out)


def _ltv_metrics(
    aggs: list[HorizonAggregate],
    ctrl: HorizonAggregate,
    control: str,
    *,
    reached: bool,
    alpha: float,
) -> tuple[LtvMetric, ...]:
    out = []
    for agg in aggs:
        is_control = agg.arm == control
        head = {"arm": agg.arm, "is_control": is_control, "horizon_days": LTV_DAYS, "n": agg.n}
        if not reached:
            blank = {"total": None, "sumsq": None, "ltv": None, "uplift_pct": None}
            out.append(
                LtvMetric(**head, **blank, status=INSUFFICIENT, reason="horizon_not_reached")
            )
            continue
        sums = {"total": agg.ltv_sum_180, "sumsq": agg.ltv_sumsq_180}
        if agg.n == 0:
            out.append(
                LtvMetric(
                    **head,
                    **sums,
                    ltv=None,
                    uplift_pct=None,
                    status=INSUFFICIENT,
                    reason="empty_arm",
                )
            )
            continue
        mean = Fraction(agg.ltv_sum_180) / agg.n
        ltv = (agg.ltv_sum_180 / agg.n).quantize(_CENT, rounding=ROUND_HALF_UP)
        fields = {**head, **sums, "ltv": ltv}
        if is_control:
            out.append(LtvMetric(**fields, uplift_pct=None, status=CONTROL))
            continue
        fields["welch"] = welch_from_stats(
            agg.n,
            agg.ltv_sum_180,
            agg.ltv_sumsq_180,
            ctrl.n,
            ctrl.ltv_sum_180,
            ctrl.ltv_sumsq_180,
            alpha=alpha,
        )
        if ctrl.n == 0:
            reason = "empty_control"
        elif ctrl.ltv_sum_180 == 0:
            reason = "zero_control_ltv"
        else:
            c_mean = Fraction(ctrl.ltv_sum_180) / ctrl.n
            out.append(LtvMetric(**fields, uplift_pct=float((mean / c_mean - 1) * 100), status=OK))
            continue
        out.append(LtvMetric(**fields, uplift_pct=None, status=INSUFFICIENT, reason=reason))
    return tuple(out)


def horizon_readout(
    aggregates: Iterable[HorizonAggregate],
    *,
    starts_on: dt.date,
    data_until: dt.datetime | None,
    control: str = "control",
    alpha: float = 0.05,
) -> HorizonReadout:
    """Compare every arm with ``control`` at each horizon; intervals at ``1 - alpha``.

    ``data_until`` (see :func:`data_until`) decides which horizons are reached.
    """
    aggs, ctrl = split_control(aggregates, control, alpha=alpha)
    shares = {
        metric: _share_metrics(
            metric,
            aggs,
            ctrl,
            control,
            reached=horizon_reached(starts_on, HORIZON_DAYS[metric], data_until),
            alpha=alpha,
        )
        for metric in SHARE_METRICS
    }
    ltv = _ltv_metrics(
        aggs,
        ctrl,
        control,
        reached=horizon_reached(starts_on, LTV_DAYS, data_until),
        alpha=alpha,
    )
    return HorizonReadout(
        starts_on=starts_on,
        data_until=data_until,
        control=control,
        alpha=alpha,
        ltv_180=ltv,
        **shares,
    )
