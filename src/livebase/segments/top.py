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


def _per_customer(
    con: BaseBackend,
    as_of: dt.date,
    rules: PurchaseRules,
    rule: TopRule,
    source: ibis.Table | None = None,
) -> tuple[ibis.Table, ibis.Table, ibis.Table]:
    """The checks of the window, their per-customer aggregates (what the cut-offs read)
    and those with the second check where it can decide (what the flags read).

    Checks and aggregates are materialised (``Table.cache``: a temporary table, dropped
    when the last expression using it is gone) because the cut-offs and the flags read
    them more than once; ``source`` is the counted purchases when the caller has them.
    """
    start = dt.datetime.combine(
        months_before(as_of, rule.window_months) + dt.timedelta(days=1), dt.time()
    )
    end = day_end(as_of)
    p = purchases(con, rules, until=end) if source is None else source
    p = p.filter(p.is_purchase & (p.ts >= start) & (p.ts < end))
    checks = p.group_by(["customer_id", "purchase_key"]).aggregate(
        amount=p.net.sum().cast("float64"), ts=p.ts.min()
    )
    checks = checks.cache()
    agg = checks.group_by("customer_id").aggregate(
        frequency=checks.count(),
        revenue=checks.amount.sum(),
        last_ts=checks.ts.max(),
    )
    agg = agg.mutate(average_check=agg.revenue / agg.frequency).cache()
    # the second check only decides for a recent customer whose F is between the two
    # thresholds: rank the checks of those few customers, not of the whole base
    undecided = agg.filter(
        (agg.frequency >= rule.min_frequency_with_big_second)
        & (agg.frequency < rule.min_frequency)
        & (ibis.literal(as_of).delta(agg.last_ts.date(), unit="day") <= rule.max_recency_days)
    ).select("customer_id")
    few = checks.semi_join(undecided, "customer_id")
    w = ibis.window(group_by=few.customer_id, order_by=[few.ts, few.purchase_key])
    ranked = few.mutate(k=ibis.row_number().over(w))
    second = ranked.filter(ranked.k == 1).select("customer_id", second="amount")
    per = agg.left_join(second, "customer_id").select(*agg.columns, "second")
    return checks, agg, per


def _cutoffs(checks: ibis.Table, agg: ibis.Table, rule: TopRule) -> TopCutoffs:
    c = checks.aggregate(q=checks.amount.quantile(rule.second_check_quantile)).execute()
    r = agg.aggregate(
        rev=agg.revenue.quantile(rule.revenue_quantile),
        avg=agg.average_check.quantile(rule.average_check_quantile),
    ).execute()

    def num(x):
        return None if x is None or x != x else float(x)

    return TopCutoffs(num(c.q[0]), num(r.rev[0]), num(r.avg[0]))


def top_cutoffs(
    con: BaseBackend,
    as_of: dt.date,
    *,
    rules: PurchaseRules,
    rule: TopRule = TopRule(),
    source: ibis.Table | None = None,
) -> TopCutoffs:
    checks, agg, _ = _per_customer(con, as_of, rules, rule, source)
    return _cutoffs(checks, agg, rule)


def top_flags(
    con: BaseBackend,
    as_of: dt.date,
    *,
    rules: PurchaseRules,
    rule: TopRule = TopRule(),
    cutoffs: TopCutoffs | None = None,
    source: ibis.Table | None = None,
) -> ibis.Table:
    """``customer_id, is_top`` for every customer with a purchase in the window.

    ``source``: the counted purchases when the caller has them (see ``rfm_values``).
    """
    checks, agg, per = _per_customer(con, as_of, rules, rule, source)
    cut = cutoffs or _cutoffs(checks, agg, rule)
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
