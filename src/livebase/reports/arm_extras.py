"""Refunds and upsells per arm of a wave (SPEC F5.6; seed 000: "По волне: … возвраты,
апсейлы").

The rules, one sentence each:

* The window is the wave's order window (:meth:`livebase.experiments.waves.WaveInfo.window`)
  and the orders are the counted purchases of the arm's assigned customers paid in it
  (:func:`livebase.metrics.purchases.purchases`).
* A refund is such a purchase whose order has status ``refunded`` or a positive
  ``refunded_amount``; the refunded amount is ``refunded_amount`` (the whole ``amount``
  for a ``refunded`` order without one); the refund rate is refunded purchases ÷
  purchases.
* An upsell is every purchase of a payer after their first one in the window; upsell
  buyers are the payers with at least two purchases, their share is over the payers, and
  the upsell revenue is the net revenue of those later purchases.
* Arms come in the wave's planned order; an arm without payers has no rates (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import ibis
from ibis.backends import BaseBackend

from livebase.config import PurchaseRules
from livebase.experiments.waves import load_wave
from livebase.metrics.purchases import purchases
from livebase.reports.period import cents


@dataclass(frozen=True)
class ArmExtras:
    arm: str
    assigned: int
    payers: int
    purchases: int
    refunds: int
    refunded_amount: Decimal
    upsell_buyers: int
    upsells: int
    upsell_revenue: Decimal

    @property
    def refund_rate(self) -> float | None:
        return self.refunds / self.purchases if self.purchases else None

    @property
    def upsell_share(self) -> float | None:
        return self.upsell_buyers / self.payers if self.payers else None


def arm_extras(
    con: BaseBackend,
    wave_id: str,
    *,
    rules: PurchaseRules,
    window_days: int | None = None,
) -> tuple[ArmExtras, ...]:
    """Refunds and upsells of every arm of ``wave_id`` (see the module)."""
    wave = load_wave(con, wave_id)
    start, end = wave.window(window_days)
    a = con.table("assignments")
    assigned = a.filter(a.wave_id == wave_id).select("customer_id", "arm")
    p = purchases(con, rules, until=end)
    p = p.filter(p.is_purchase & (p.ts >= ibis.literal(start, type="timestamp")))
    o = con.table("orders").select("order_id", "status", "amount", "refunded_amount")
    p = p.join(o, "order_id").select(p, o.status, o.amount, o.refunded_amount)
    p = p.join(assigned, "customer_id").select(p, assigned.arm)
    rank = ibis.row_number().over(group_by=p.customer_id, order_by=[p.ts, p.order_id])
    p = p.mutate(k=rank)
    refunded = (p.status == "refunded") | (p.refunded_amount.fill_null(0) > 0)
    refund_amount = ibis.cases(
        (p.refunded_amount.fill_null(0) > 0, p.refunded_amount),
        (p.status == "refunded", p.amount),
        else_=0,
    )
    per_customer = p.group_by(["arm", "customer_id"]).aggregate(
        n=p.count(),
        refunds=refunded.sum(),
        refunded=refund_amount.sum(),
        later=(p.k > 0).sum(),
        later_revenue=p.net.sum(where=p.k > 0),
    )
    per_arm = {
        r["arm"]: r
        for r in per_customer.group_by("arm")
        .aggregate(
            payers=per_customer.count(),
            purchases=per_customer.n.sum(),
            refunds=per_customer.refunds.sum(),
            refunded=per_customer.refunded.sum(),
            upsell_buyers=(per_customer.later > 0).sum(),
            upsells=per_customer.later.sum(),
            upsell_revenue=per_customer.later_revenue.sum(),
        )
        .to_pyarrow()
        .to_pylist()
    }
    sizes = {
        r["arm"]: int(r["n"])
        for r in assigned.group_by("arm").aggregate(n=assigned.count()).to_pyarrow().to_pylist()
    }
    arms = list(wave.arms) + sorted(set(sizes) - set(wave.arms))
    out = []
    for arm in arms:
        r = per_arm.get(arm, {})
        out.append(
            ArmExtras(
                arm=arm,
                assigned=sizes.get(arm, 0),
                payers=int(r.get("payers") or 0),
                purchases=int(r.get("purchases") or 0),
                refunds=int(r.get("refunds") or 0),
                refunded_amount=cents(r.get("refunded")),
                upsell_buyers=int(r.get("upsell_buyers") or 0),
                upsells=int(r.get("upsells") or 0),
                upsell_revenue=cents(r.get("upsell_revenue")),
            )
        )
    return tuple(out)
