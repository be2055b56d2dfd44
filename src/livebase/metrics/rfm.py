"""RFM per customer as of a date (SPEC F2.1, F2.2; seed 001).

R = days from the last counted purchase (ever) to ``as_of``; F = purchases in the window
(installments of one plan once); M = revenue in the window net of refunds. Scores 1–5 by
quantiles of the school's own customers; ties are broken by ``customer_id`` so that every
run and every engine gives the same scores (the ``first`` policy, as pandas
``rank(method="first")``). R scores high for recent buyers.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.backends import BaseBackend

from livebase.config import PurchaseRules
from livebase.metrics.purchases import purchases


def months_before(day: dt.date, months: int) -> dt.date:
    """>>> months_before(dt.date(2025, 3, 31), 1), months_before(dt.date(2025, 5, 5), 12)
    (datetime.date(2025, 2, 28), datetime.date(2024, 5, 5))
    """
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    import calendar

    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def day_end(day: dt.date) -> dt.datetime:
    """The exclusive end of ``day`` (data up to and including ``as_of``)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def rfm_values(
    con: BaseBackend, as_of: dt.date, *, rules: PurchaseRules, window_months: int = 12
) -> ibis.Table:
    """Recency days, frequency and monetary per customer with at least one purchase."""
    end = day_end(as_of)
    start = dt.datetime.combine(
        months_before(as_of, window_months) + dt.timedelta(days=1), dt.time()
    )
    p = purchases(con, rules, until=end)
    in_window = p.ts >= start
    zero = ibis.literal(0).cast("decimal(18,2)")
    per = p.group_by("customer_id").aggregate(
        last_ts=p.ts.max(where=p.is_purchase),
        frequency=p.purchase_key.nunique(where=in_window & p.is_purchase),
        monetary=ibis.coalesce(p.net.sum(where=in_window), zero).cast("decimal(18,2)"),
    )
    per = per.filter(per.last_ts.notnull())
    last_day = per.last_ts.date()
    return per.select(
        "customer_id",
        recency_days=ibis.literal(as_of).delta(last_day, unit="day").cast("int64"),
        frequency=per.frequency.cast("int64"),
        monetary="monetary",
    )


def score(values: ibis.Table, *, bins: int = 5) -> ibis.Table:
    """Quantile scores 1..bins; ties broken by customer_id (deterministic on every engine)."""
    t = values
    r = ibis.ntile(bins).over(order_by=[ibis.desc(t.recency_days), t.customer_id]) + 1
    f = ibis.ntile(bins).over(order_by=[t.frequency, t.customer_id]) + 1
    m = ibis.ntile(bins).over(order_by=[t.monetary, t.customer_id]) + 1
    return t.mutate(r=r.cast("int8"), f=f.cast("int8"), m=m.cast("int8"))


def compute_rfm(
    con: BaseBackend,
    as_of: dt.date,
    *,
    rules: PurchaseRules,
    window_months: int = 12,
    bins: int = 5,
    version: str = "monetary",
) -> ibis.Table:
    """The ``rfm`` mart rows for ``as_of``."""
    scored = score(rfm_values(con, as_of, rules=rules, window_months=window_months), bins=bins)
    return scored.select(
        as_of=ibis.literal(as_of),
        version=ibis.literal(version),
        customer_id="customer_id",
        recency_days="recency_days",
        frequency="frequency",
        monetary="monetary",
        r="r",
        f="f",
        m="m",
    )
