"""The top-segment flag (SPEC F2.4, seed 003).

A customer is *top* on ``as_of`` when, over the 12 months ending that day:

1. the last purchase is at most 45 days old;
2. F ≥ 3 purchases, or F ≥ 2 when the second purchase ("second check") is in the top
   quartile of purchase amounts (≥ P75 of every purchase of the school in the window);
3. revenue ≥ P80 of customers' 12-month revenue, or average check ≥ P75 of customers'
   average checks.

A purchase is a counted purchase of the purchase rules (installments of one plan are one
purchase whose amount is the plan's total). Percentiles are computed by the engine over
customers with at least one purchase in the window (continuous quantiles).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
from ibis.backends import BaseBackend

from livebase.config import PurchaseRules
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import day_end, months_before


@dataclass(frozen=True)
class TopRule:
    max_recency_days: int = 45
    min_frequency: int = 3
    min_frequency_with_big_second: int = 2
    second_check_quantile: float = 0.75
    revenue_quantile: float = 0.80
    average_check_quantile: float = 0.75
    window_months: int = 12


@dataclass(frozen=True)
class TopCutoffs:
    """The school's own cut-offs on ``as_of``: what a reader needs to check a flag."""

    check_p75: float | None
    revenue_p80: float | None
    average_check_p75: float | None


def _per_customer(con: BaseBackend, as_of: dt.date, rules: PurchaseRules, rule: TopRule):
    start = dt.datetime.combine(
        months_before(as_of, rule.window_months) + dt.timedelta(days=1), dt.time()
    )
    p = purchases(con, rules, until=day_end(as_of))
    p = p.filter(p.is_purchase & (p.ts >= start))
    checks = p.group_by(["customer_id", "purchase_key"]).aggregate(
        amount=p.net.sum().cast("float64"), ts=p.ts.min()
    )
    w = ibis.window(group_by=checks.customer_id, order_by=[checks.ts, checks.purchase_key])
    checks = checks.mutate(k=ibis.row_number().over(w))
    per = checks.group_by("customer_id").aggregate(
        frequency=checks.count(),
        revenue=checks.amount.sum(),
        last_ts=checks.ts.max(),
        second=checks.amount.max(where=checks.k == 1),
    )
    per = per.mutate(average_check=per.revenue / per.frequency)
    return checks, per


def top_cutoffs(
    con: BaseBackend, as_of: dt.date, *, rules: PurchaseRules, rule: TopRule = TopRule()
) -> TopCutoffs:
    checks, per = _per_customer(con, as_of, rules, rule)
    c = checks.aggregate(q=checks.amount.quantile(rule.second_check_quantile)).execute()
    r = per.aggregate(
        rev=per.revenue.quantile(rule.revenue_quantile),
        avg=per.average_check.quantile(rule.average_check_quantile),
    ).execute()

    def num(x):
        return None if x is None or x != x else float(x)

    return TopCutoffs(num(c.q[0]), num(r.rev[0]), num(r.avg[0]))


def top_flags(
    con: BaseBackend,
    as_of: dt.date,
    *,
    rules: PurchaseRules,
    rule: TopRule = TopRule(),
    cutoffs: TopCutoffs | None = None,
) -> ibis.Table:
    """``customer_id, is_top`` for every customer with a purchase in the window."""
    cut = cutoffs or top_cutoffs(con, as_of, rules=rules, rule=rule)
    _, per = _per_customer(con, as_of, rules, rule)
    if cut.check_p75 is None:  # no purchases in the window: nobody is top
        return per.select("customer_id", is_top=ibis.literal(False))
    recency = ibis.literal(as_of).delta(per.last_ts.date(), unit="day")
    recent = recency <= rule.max_recency_days
    often = (per.frequency >= rule.min_frequency) | (
        (per.frequency >= rule.min_frequency_with_big_second)
        & (per.second.fill_null(0) >= cut.check_p75)
    )
    valuable = (per.revenue >= cut.revenue_p80) | (per.average_check >= cut.average_check_p75)
    return per.select("customer_id", is_top=recent & often & valuable)
