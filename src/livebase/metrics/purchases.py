"""Purchases by the workspace's purchase rules (SPEC F1.6, seeds 000 and 001).

From raw orders to the money and the purchase count RFM needs:

- only orders paid (fully or partly) or later refunded carry money; revenue is
  ``amount − refunded_amount`` so refunds net out of Monetary;
- only categories listed in ``purchase_categories`` count, and zero-amount orders are
  not purchases;
- corporate and gift orders are flagged and can be left out;
- a repeat payment of the same product and amount by the same customer within
  ``duplicate_payment_days`` of the previous one is a duplicate and is dropped;
- installments of one plan (``plan_id``) count once for Frequency.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.backends import BaseBackend

from livebase.config import PurchaseRules

MONEY_STATUSES = ("paid", "partially_paid", "refunded")


def purchases(con: BaseBackend, rules: PurchaseRules, *, until: dt.datetime) -> ibis.Table:
    """One row per counted payment before ``until`` (UTC).

    Columns: customer_id, order_id, ts, purchase_key (plan or order), net (DECIMAL),
    is_purchase (counts for Frequency).
    """
    o = con.table("orders")
    ts = ibis.coalesce(o.paid_at, o.created_at)
    keep = o.status.isin(MONEY_STATUSES) & (ts < until) & o.category.isin(rules.purchase_categories)
    if not rules.include_gifts:
        keep &= ~o.is_gift.fill_null(False)
    if not rules.include_corporate:
        keep &= ~o.is_corporate.fill_null(False)
    base = o.filter(keep).mutate(
        ts=ts,
        net=(o.amount - o.refunded_amount.fill_null(0)).cast("decimal(18,2)"),
        product=ibis.coalesce(o.product_id, o.product_title, ibis.literal("")),
    )
    if rules.duplicate_payment_days > 0:
        w = ibis.window(
            group_by=[base.customer_id, base.product, base.amount],
            order_by=[base.ts, base.order_id],
        )
        prev = base.ts.lag().over(w)
        gap = base.ts.epoch_seconds() - prev.epoch_seconds()
        dup = prev.notnull() & (gap <= rules.duplicate_payment_days * 86400) & (base.amount > 0)
        base = base.mutate(is_dup=dup).filter(~ibis._.is_dup).drop("is_dup")
    key = (
        ibis.coalesce(base.plan_id, base.order_id)
        if rules.installments_count_once
        else base.order_id
    )
    return base.select(
        "customer_id",
        "order_id",
        "ts",
        purchase_key=key,
        net="net",
        is_purchase=(base.amount > 0) & (base.status != "refunded"),
    )
