"""Period monitors over the base: AOV of active customers during waves, coupon-only buyers
and purchases that waited for a coupon (SPEC F5.5, seed 000).

A period is ``[start, end)`` in whole UTC days (``end`` exclusive); purchases are the
counted purchases of the workspace's purchase rules (a plan's installments are one
purchase, ``purchase_key``).

The rules, one sentence each:

* A wave runs on the days ``starts_on … starts_on + days − 1`` (a wave without a
  duration runs on its first day only).
* **active_aov** — the active customers are those with a counted purchase in the
  :data:`ACTIVE_LOOKBACK_DAYS` (90) days before ``start`` who are not assigned to any of
  the given waves (any arm, holdout included).
* Their purchases *during* the waves are those paid on a day in ``[start, end)`` when at
  least one of the given waves runs; *before* is the same number of days immediately
  before the first of those waves' start.
* A purchase's value is the net revenue of its counted payments on that side, and the AOV
  of a side is the mean value per purchase.
* The value is AOV during ÷ AOV before − 1; its 95 % interval is the delta method for a
  ratio of two independent means: ``se = sqrt(var_d / (n_d·m_b²) + m_d²·var_b /
  (n_b·m_b⁴))``, ``(r − 1) ± z·se`` (sample variances, ``ddof = 1``).
* It alerts when the whole interval lies outside ``±[monitors] active_aov_tolerance``
  (default 0.3 %, seed 000): the change is both larger than the tolerance and
  distinguishable from noise, so a point estimate beyond ±0.3 % on a noisy sample does not
  alert.
* It is ``insufficient_data`` when no given wave runs in the period (``no_waves``), when a
  side has fewer than ``[monitors] min_sample`` (and at least 2) purchases
  (``too_few_purchases``), or when the AOV before is not positive (``no_revenue_before``).
* **coupon_only** — among customers with at least two counted purchases in
  ``[start − 365 days, end)``, the share whose every counted purchase there was made with
  a discount.
* A purchase is made with a discount when one of its payments' orders has
  ``discount_amount > 0`` (``offer_id`` is not used: it does not say whether the offer
  was a coupon).
* It alerts above ``[monitors] coupon_only_share`` (default 15 %) and is
  ``insufficient_data`` (``too_few_buyers``) below ``min_sample`` such customers.
* **coupon_wait** — take the counted purchases first paid in ``[start, end)`` with a
  discount by customers whose first ``sent`` wave message with ``offer_type`` "discount"
  came before that payment.
* The purchase waited for a coupon when its customer had an open intent in the
  ``lookback_days`` (default 30) before that first discount message: an order created
  then and still unpaid at the message (status ``pending``, or paid only at or after the
  message), or an ``invoice_pending`` activity.
* It alerts above ``[monitors] coupon_wait_share`` (default 10 %) and is
  ``insufficient_data`` (``too_few_purchases``) below ``min_sample`` such purchases.
* Shares are compared with their thresholds exactly, as fractions, and carry a Wilson
  95 % interval; the alert compares the share itself.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend
from scipy import stats

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.metrics.purchases import purchases
from livebase.monitors.result import (
    ACTIVE_AOV,
    BASE,
    COUPON_ONLY,
    COUPON_WAIT,
    MonitorResult,
    check_min_sample,
    insufficient,
    share_result,
    share_threshold,
    status_of,
)
from livebase.monitors.waves import count_rows, wave_start

ACTIVE_LOOKBACK_DAYS = 90
COUPON_ONLY_LOOKBACK_DAYS = 365
COUPON_WAIT_LOOKBACK_DAYS = 30
DURING = "during"
BEFORE = "before"


@dataclass(frozen=True)
class WaveSpan:
    """A wave's running days ``[first, until)``."""

    wave_id: str
    starts_on: dt.date
    days: int

    @property
    def until(self) -> dt.date:
        return self.starts_on + dt.timedelta(days=self.days)

    def meets(self, start: dt.date, end: dt.date) -> bool:
        """Whether the wave runs on at least one day of ``[start, end)``."""
        return self.starts_on < end and self.until > start


def _ts(value: dt.datetime) -> ir.TimestampScalar:
    return ibis.literal(value, type="timestamp")


def check_period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` as naive UTC datetimes; dates only, ``start`` before ``end``."""
    for name, day in (("start", start), ("end", end)):
        if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
            raise InputError(f"{name} must be a date, got {day!r}")
    if start >= end:
        raise InputError(f"the period is empty: start {start} is not before end {end}")
    return wave_start(start), wave_start(end)


def wave_spans(con: BaseBackend, wave_ids: Iterable[str] | None = None) -> list[WaveSpan]:
    """The running days of the given waves (every wave when ``None``), by
    ``(starts_on, wave_id)``; an unknown wave id raises :class:`InputError`."""
    w = con.table("waves")
    ids = None if wave_ids is None else sorted(set(wave_ids))
    if ids is not None:
        if not ids:
            return []
        w = w.filter(w.wave_id.isin(ids))
    rows = (
        w.filter(w.starts_on.notnull())
        .select("wave_id", "starts_on", "days")
        .order_by(["starts_on", "wave_id"])
        .to_pyarrow()
        .to_pylist()
    )
    missing = sorted(set(ids or ()) - {r["wave_id"] for r in rows})
    if missing:
        raise InputError(f"no wave {', '.join(map(repr, missing))} with a start date")
    return [WaveSpan(r["wave_id"], r["starts_on"], max(r["days"] or 1, 1)) for r in rows]


def running_intervals(
    spans: Iterable[WaveSpan], start: dt.date, end: dt.date
) -> tuple[tuple[dt.date, dt.date], ...]:
    """The days of ``[start, end)`` when at least one wave runs, as merged ``[from, until)``.

    >>> d = dt.date
    >>> spans = [WaveSpan("a", d(2025, 3, 1), 14), WaveSpan("b", d(2025, 3, 10), 10),
    ...          WaveSpan("c", d(2025, 4, 20), 7)]
    >>> running_intervals(spans, d(2025, 3, 5), d(2025, 4, 23))
    ((datetime.date(2025, 3, 5), datetime.date(2025, 3, 20)), \
(datetime.date(2025, 4, 20), datetime.date(2025, 4, 23)))
    """
    clipped = sorted(
        (max(s.starts_on, start), min(s.until, end)) for s in spans if s.meets(start, end)
    )
    merged: list[tuple[dt.date, dt.date]] = []
    for lo, hi in clipped:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _sum_sq_dev(n: int, total: float, sumsq: float) -> float:
    dev = sumsq - total * total / n
    return max(dev, 0.0)  # rounding noise of Σx² − (Σx)²/n, never a negative variance


def relative_change_interval(
    n_d: int,
    sum_d: float | Decimal,
    sumsq_d: float | Decimal,
    n_b: int,
    sum_b: float | Decimal,
    sumsq_b: float | Decimal,
    *,
    alpha: float = 0.05,
) -> tuple[float, tuple[float, float]]:
    """``mean_d / mean_b − 1`` and its delta-method interval, from counts, sums and sums of
    squares of two independent samples (``n ≥ 2`` each, ``mean_b > 0``).

    During: 100, 110, 120 (n 3, Σ 330, Σx² 36 500, mean 110, var 100); before: 90, 100,
    110 (n 3, Σ 300, Σx² 30 200, mean 100, var 100). r = 1.1; var(r) = 100/(3·100²)
    + 110²·100/(3·100⁴) = 0.0033333 + 0.0040333 = 0.0073667, se = 0.085829;
    interval 0.1 ± 1.959964·0.085829 = 0.1 ± 0.168222.

    >>> value, (low, high) = relative_change_interval(3, 330, 36500, 3, 300, 30200)
    >>> round(value, 6), round(low, 6), round(high, 6)
    (0.1, -0.068222, 0.268222)
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}")
    if n_d < 2 or n_b < 2:
        raise InputError(f"each side needs at least two purchases, got {n_d} and {n_b}")
    s_d, q_d, s_b, q_b = (float(x) for x in (sum_d, sumsq_d, sum_b, sumsq_b))
    m_d, m_b = s_d / n_d, s_b / n_b
    if m_b <= 0:
        raise InputError(f"the mean before must be positive, got {m_b}")
    var_d = _sum_sq_dev(n_d, s_d, q_d) / (n_d - 1)
    var_b = _sum_sq_dev(n_b, s_b, q_b) / (n_b - 1)
    ratio = m_d / m_b
    se = math.sqrt(var_d / (n_d * m_b**2) + m_d**2 * var_b / (n_b * m_b**4))
    z = float(stats.norm.isf(alpha / 2))
    return ratio - 1, (ratio - 1 - z * se, ratio - 1 + z * se)


def _side_stats(rows: ir.Table) -> dict[str, dict]:
    per = rows.group_by(["side", "customer_id", "purchase_key"]).aggregate(value=rows.net.sum())
    agg = per.group_by("side").aggregate(
        n=per.count(),
        total=per.value.sum(),
        sumsq=(per.value.cast("float64") ** 2).sum(),
    )
    out = {DURING: {"n": 0, "total": Decimal(0), "sumsq": 0.0}}
    out[BEFORE] = dict(out[DURING])
    for row in agg.to_pyarrow().to_pylist():
        out[row["side"]] = {"n": int(row["n"]), "total": row["total"], "sumsq": row["sumsq"]}
    return out


def active_aov(
    con: BaseBackend,
    *,
    start: dt.date,
    end: dt.date,
    rules: PurchaseRules,
    waves: Sequence[str],
    tolerance: float = 0.003,
    min_sample: int = 30,
    alpha: float = 0.05,
) -> MonitorResult:
    """The relative change of the AOV of active customers not in ``waves`` on the days
    those waves run in ``[start, end)`` against as many days before the first of them;
    alerts when the whole 95 % interval lies outside ``±tolerance``."""
    start_ts, end_ts = check_period(start, end)
    if not 0 < tolerance < 1:
        raise InputError(f"the AOV tolerance must be between 0 and 1, got {tolerance!r}")
    check_min_sample(min_sample)
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}")
    if isinstance(waves, str):
        raise InputError(f"waves must be a list of wave ids, got the string {waves!r}")
    spans = wave_spans(con, waves)
    running = [s for s in spans if s.meets(start, end)]
    intervals = running_intervals(running, start, end)
    detail: dict = {
        "waves": [s.wave_id for s in running],
        "lookback_days": ACTIVE_LOOKBACK_DAYS,
        "method": "delta",
    }
    if not intervals:
        return insufficient(ACTIVE_AOV, BASE, tolerance, "no_waves", detail)
    n_days = sum((hi - lo).days for lo, hi in intervals)
    first = min(s.starts_on for s in running)
    before = (first - dt.timedelta(days=n_days), first)
    detail |= {
        "during": [[lo.isoformat(), hi.isoformat()] for lo, hi in intervals],
        "during_days": n_days,
        "before": [before[0].isoformat(), before[1].isoformat()],
    }

    p = purchases(con, rules, until=end_ts)
    counted = p.filter(p.is_purchase)
    a = con.table("assignments")
    assigned = a.filter(a.wave_id.isin([s.wave_id for s in spans])).select("customer_id")
    since = start_ts - dt.timedelta(days=ACTIVE_LOOKBACK_DAYS)
    active = (
        counted.filter((counted.ts >= _ts(since)) & (counted.ts < _ts(start_ts)))
        .select("customer_id")
        .distinct()
        .anti_join(assigned, "customer_id")
    )
    during = ibis.or_(
        *(
            (counted.ts >= _ts(wave_start(lo))) & (counted.ts < _ts(wave_start(hi)))
            for lo, hi in intervals
        )
    )
    earlier = (counted.ts >= _ts(wave_start(before[0]))) & (counted.ts < _ts(wave_start(first)))
    rows = (
        counted.filter(during | earlier)
        .mutate(side=ibis.ifelse(during, DURING, BEFORE))
        .semi_join(active, "customer_id")
    )
    sides = _side_stats(rows)
    d, b = sides[DURING], sides[BEFORE]
    detail |= {
        "active_customers": count_rows(active),
        "purchases_during": d["n"],
        "purchases_before": b["n"],
    }
    need = max(min_sample, 2)
    if d["n"] < need or b["n"] < need:
        return insufficient(ACTIVE_AOV, BASE, tolerance, "too_few_purchases", detail)
    aov_d = float(Decimal(d["total"]) / d["n"])
    aov_b = float(Decimal(b["total"]) / b["n"])
    detail |= {"aov_during": aov_d, "aov_before": aov_b}
    if aov_b <= 0:
        return insufficient(ACTIVE_AOV, BASE, tolerance, "no_revenue_before", detail)
    value, (low, high) = relative_change_interval(
        d["n"], d["total"], d["sumsq"], b["n"], b["total"], b["sumsq"], alpha=alpha
    )
    return MonitorResult(
        key=ACTIVE_AOV,
        scope=BASE,
        status=status_of(low > tolerance or high < -tolerance),
        value=value,
        threshold=tolerance,
        numerator=aov_d,
        denominator=aov_b,
        interval=(low, high),
        reason=None,
        detail=detail,
    )


def _discounted_purchases(con: BaseBackend, counted: ir.Table) -> ir.Table:
    """One row per purchase: ``customer_id, purchase_key, ts`` (first payment) and
    ``discounted`` (one of its payments' orders had ``discount_amount > 0``)."""
    o = con.table("orders")
    o = o.select("order_id", o_discount=o.discount_amount.fill_null(0) > 0)
    j = counted.join(o, "order_id")
    return j.group_by(["customer_id", "purchase_key"]).aggregate(
        ts=j.ts.min(), discounted=j.o_discount.any()
    )


def coupon_only(
    con: BaseBackend,
    *,
    start: dt.date,
    end: dt.date,
    rules: PurchaseRules,
    threshold: float = 0.15,
    min_sample: int = 30,
) -> MonitorResult:
    """The share of repeat buyers of ``[start − 365 days, end)`` who only ever bought with a
    discount there; alerts above ``threshold``."""
    _, end_ts = check_period(start, end)
    share_threshold(threshold, COUPON_ONLY)
    check_min_sample(min_sample)
    since = wave_start(start - dt.timedelta(days=COUPON_ONLY_LOOKBACK_DAYS))
    p = purchases(con, rules, until=end_ts)
    counted = p.filter(p.is_purchase & (p.ts >= _ts(since)))
    keys = _discounted_purchases(con, counted)
    per = keys.group_by("customer_id").aggregate(n=keys.count(), only=keys.discounted.all())
    repeat = per.filter(per.n >= 2)
    row = repeat.aggregate(buyers=repeat.count(), only=repeat.only.sum()).to_pyarrow().to_pylist()
    buyers, only = int(row[0]["buyers"] or 0), int(row[0]["only"] or 0)
    detail = {
        "span_from": since.date().isoformat(),
        "span_until": end.isoformat(),
        "repeat_buyers": buyers,
        "coupon_only_buyers": only,
    }
    if buyers < min_sample:
        return insufficient(
            COUPON_ONLY,
            BASE,
            threshold,
            "too_few_buyers",
            detail,
            numerator=only,
            denominator=buyers,
        )
    return share_result(COUPON_ONLY, BASE, only, buyers, threshold, detail=detail)


def coupon_wait(
    con: BaseBackend,
    *,
    start: dt.date,
    end: dt.date,
    rules: PurchaseRules,
    threshold: float = 0.10,
    min_sample: int = 30,
    lookback_days: int = COUPON_WAIT_LOOKBACK_DAYS,
) -> MonitorResult:
    """The share of discounted purchases of ``[start, end)`` after a discount wave message
    whose customer had an open order or invoice before that message; alerts above
    ``threshold``."""
    start_ts, end_ts = check_period(start, end)
    share_threshold(threshold, COUPON_WAIT)
    check_min_sample(min_sample)
    if lookback_days < 1:
        raise InputError(f"lookback_days must be at least 1, got {lookback_days}")
    p = purchases(con, rules, until=end_ts)
    keys = _discounted_purchases(con, p.filter(p.is_purchase))
    keys = keys.filter(keys.discounted & (keys.ts >= _ts(start_ts)))

    m = con.table("messages")
    m = m.filter(
        (m.event == "sent")
        & (m.offer_type == "discount")
        & m.wave_id.notnull()
        & (m.wave_id != "")
        & m.customer_id.notnull()
    )
    first = m.group_by("customer_id").aggregate(first_msg=m.ts.min())
    after = keys.join(first, "customer_id")
    after = after.filter(after.first_msg < after.ts).select("customer_id", "purchase_key")
    customers = first.semi_join(after, "customer_id")

    lookback = ibis.interval(days=lookback_days)
    o = con.table("orders")
    oj = o.join(customers, "customer_id")
    open_order = oj.filter(
        (oj.created_at >= oj.first_msg - lookback)
        & (oj.created_at < oj.first_msg)
        & ((oj.status == "pending") | (oj.paid_at >= oj.first_msg))
    ).select("customer_id")
    act = con.table("activities")
    aj = act.join(customers, "customer_id")
    invoice = aj.filter(
        (aj.kind == "invoice_pending") & (aj.ts >= aj.first_msg - lookback) & (aj.ts < aj.first_msg)
    ).select("customer_id")
    waiting = open_order.union(invoice).distinct()

    total = count_rows(after)
    waited = count_rows(after.semi_join(waiting, "customer_id"))
    detail = {
        "period_from": start.isoformat(),
        "period_until": end.isoformat(),
        "lookback_days": lookback_days,
        "discount_purchases_after_message": total,
        "waited": waited,
    }
    if total < min_sample:
        return insufficient(
            COUPON_WAIT,
            BASE,
            threshold,
            "too_few_purchases",
            detail,
            numerator=waited,
            denominator=total,
        )
    return share_result(COUPON_WAIT, BASE, waited, total, threshold, detail=detail)
