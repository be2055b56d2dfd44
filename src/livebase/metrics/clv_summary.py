"""The CLV summary per customer: frequency, recency, T and monetary value.

These are the definitions of the CLV models (BG/NBD, Pareto/NBD, Gamma-Gamma) as
``lifetimes.utils.summary_data_from_transaction_data`` and pymc-marketing
``clv.utils.rfm_summary`` compute them, **not** livebase's own RFM
(:mod:`livebase.metrics.rfm`: recency in days *to the as-of date*, frequency *in a
window*, monetary as *total* net revenue, scores 1–5). Per customer, over the purchases
up to and including the ``observation_end`` day:

- ``frequency``: the number of *repeat* purchase periods, i.e. distinct purchase days
  minus one (several purchases on one day are one period);
- ``recency``: the customer's age at the last purchase, from the first purchase day to
  the last one (0 without repeats);
- ``T``: the customer's age at ``observation_end``, from the first purchase day to the
  ``observation_end`` day (a first purchase on ``observation_end`` gives 0);
- ``monetary_value``: the mean value of the repeat periods (the first purchase day is
  left out, as the Gamma-Gamma model expects), rounded half up to the cent; 0 without
  repeats (the models' convention, and what they expect: it is not an estimate).

Periods are calendar days (UTC, as the store keeps time); ``time_unit`` only scales
recency and T: ``"D"`` days, ``"W"`` weeks = days / 7. So ``"W"`` matches Hardie's CDNOW
summaries and pymc-marketing with ``time_unit="D", time_scaler=7``; it is *not*
lifetimes' ``freq="W"`` (which counts distinct calendar weeks).

A purchase is what :func:`livebase.metrics.purchases.purchases` counts under the
workspace's purchase rules (money statuses, categories, refunds netted, repeat payments
dropped); a plan paid in installments is one purchase, on the day of its first payment,
worth all its payments. A period's value is the net revenue of its purchases.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

import ibis
from ibis.backends import BaseBackend

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import day_end

TimeUnit = Literal["D", "W"]
DAYS_PER_UNIT = {"D": 1, "W": 7}


def clv_summary(
    con: BaseBackend,
    *,
    observation_end: dt.date,
    time_unit: TimeUnit = "W",
    rules: PurchaseRules | None = None,
    count_free_orders: bool = False,
) -> ibis.Table:
    """One row per customer with a purchase on or before ``observation_end``.

    Columns: customer_id, frequency (int64), recency and T (float64, in ``time_unit``),
    monetary_value (DECIMAL(18,2)). ``rules`` defaults to ``PurchaseRules()``.
    ``count_free_orders`` counts paid zero-amount orders as purchases (lifetimes counts
    every transaction, and CDNOW has $0.00 ones; a school's free sign-ups are not
    purchases, hence the default).

    Customer ``a`` buys on 1 Jan (10.00), twice on 8 Jan (5.00 + 2.50: one period worth
    7.50) and on 15 Jan (4.00); observed until 29 Jan: two repeat periods, the last 14
    days = 2 weeks after the first, 28 days = 4 weeks of age, (7.50 + 4.00) / 2 = 5.75.

    >>> from livebase.engine import connect
    >>> from livebase.store.schema import ALL_TABLES
    >>> con = connect("duckdb://")
    >>> _ = con.create_table("orders", schema=ALL_TABLES["orders"].schema)
    >>> paid = [dt.datetime(2025, 1, d, 12) for d in (1, 8, 8, 15)]
    >>> con.insert("orders", ibis.memtable({
    ...     "order_id": ["o1", "o2", "o3", "o4"], "customer_id": ["a"] * 4, "paid_at": paid,
    ...     "amount": [Decimal(x) for x in ("10.00", "5.00", "2.50", "4.00")],
    ...     "refunded_amount": [Decimal(0)] * 4, "status": ["paid"] * 4,
    ...     "category": ["course"] * 4,
    ... }))
    >>> summary = clv_summary(con, observation_end=dt.date(2025, 1, 29))
    >>> summary.to_pyarrow().to_pylist()[0]  # doctest: +NORMALIZE_WHITESPACE
    {'customer_id': 'a', 'frequency': 2, 'recency': 2.0, 'T': 4.0,
     'monetary_value': Decimal('5.75')}
    """
    if time_unit not in DAYS_PER_UNIT:
        raise InputError(f"unknown time unit {time_unit!r} (D for days or W for weeks)")
    rules = rules or PurchaseRules()
    p = purchases(con, rules, until=day_end(observation_end))
    counted = p.is_purchase
    if count_free_orders:
        o = con.table("orders")
        free = o.select("order_id", _free=(o.amount == 0) & (o.status != "refunded"))
        p = p.join(free, "order_id")
        counted = p.is_purchase | p._free
    p = p.filter(counted)
    # one purchase per purchase key: a plan's installments once, on its first payment day
    buys = p.group_by(["customer_id", "purchase_key"]).aggregate(
        day=p.ts.min().date(), value=p.net.sum()
    )
    days = buys.group_by(["customer_id", "day"]).aggregate(value=buys.value.sum())
    days = days.mutate(
        is_first=days.day == days.day.min().over(ibis.window(group_by=days.customer_id))
    )
    per = days.group_by("customer_id").aggregate(
        first_day=days.day.min(),
        last_day=days.day.max(),
        periods=days.count(),
        repeat_value=days.value.sum(where=~days.is_first),
    )
    frequency = (per.periods - 1).cast("int64")
    scale = float(DAYS_PER_UNIT[time_unit])
    recency = per.last_day.delta(per.first_day, unit="day").cast("float64") / scale
    age = ibis.literal(observation_end).delta(per.first_day, unit="day").cast("float64") / scale
    return per.select(
        "customer_id",
        frequency=frequency,
        recency=recency,
        T=age,
        monetary_value=_mean_to_cent(per.repeat_value, frequency),
    )


def _mean_to_cent(total: ibis.ir.DecimalValue, n: ibis.ir.IntegerValue) -> ibis.ir.DecimalValue:
    """``total / n`` rounded half away from zero to the cent, exactly (integer cents); 0
    when ``n`` is 0."""
    cents = (ibis.coalesce(total, 0) * 100).cast("int64")
    safe_n = ibis.greatest(n, 1)
    rounded = ((cents.abs() * 2 + safe_n) // (safe_n * 2)).cast("int64") * cents.sign()
    cent = ibis.literal(Decimal("0.01"), type="decimal(18,2)")
    value = (rounded.cast("decimal(18,0)") * cent).cast("decimal(18,2)")
    zero = ibis.literal(Decimal("0.00"), type="decimal(18,2)")
    return ibis.cases((n > 0, value), else_=zero)
