"""The weekly report as plain data (SPEC F5.6; seed 000: "Еженедельно: CR по сегментам R,
AOV, валовая маржа, стоимость коммуникаций, жалобы/отписки, инкрементальные заказы").

The rules, one sentence each:

* The week is Monday 00:00 to the next Monday 00:00 (UTC days,
  :func:`livebase.reports.period.week_of`).
* The tiers are those of the newest ``segments`` (monetary version) dated before the
  week's Monday; ``active`` are the customers of those segments without a sleep tier; a
  week without earlier segments has no tier table (status ``insufficient_data``, reason
  ``no_segments``).
* A tier's conversion is the share of its customers with a counted purchase
  (:func:`livebase.metrics.purchases.purchases`) in the week, with a Wilson 95 %
  interval.
* Orders are the counted purchases paid in the week, revenue their net amounts, AOV
  revenue ÷ orders (none without orders).
* Gross margin is revenue × ``[experiments] gross_margin``; the cost of touches is the sum
  of ``costs`` dated in the week, per channel; the contribution is gross margin − the cost
  of touches.
* Messages count the week's ``messages`` events: ``sent`` events, and the distinct
  customers who complained or unsubscribed; each rate is over the sent events (none when
  nothing was sent).
* Incremental orders are those of every wave running in the week, counted from the wave's
  start to the week's end (:func:`livebase.reports.period.wave_increment`); their total
  adds the point estimates of the waves that have one (an interval is given per wave).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import ibis
from statsmodels.stats.proportion import proportion_confint

from livebase.experiments.status import INSUFFICIENT, OK
from livebase.reports.period import (
    WaveIncrement,
    cents,
    costs_by_channel,
    midnight,
    paid_purchases,
    period_sales,
    wave_increment,
    waves_in,
    week_of,
)
from livebase.store.workspace import Workspace

ACTIVE = "active"


@dataclass(frozen=True)
class TierConversion:
    tier: str  # a sleep tier (R90, …) or "active"
    customers: int
    buyers: int
    rate: float | None
    interval: tuple[float, float] | None


@dataclass(frozen=True)
class ChannelCost:
    channel: str
    amount: Decimal


@dataclass(frozen=True)
class MessageCounts:
    sent: int
    complaints: int
    unsubscribes: int

    @property
    def complaint_rate(self) -> float | None:
        return self.complaints / self.sent if self.sent else None

    @property
    def unsubscribe_rate(self) -> float | None:
        return self.unsubscribes / self.sent if self.sent else None


@dataclass(frozen=True)
class WeeklyReport:
    start: dt.date  # Monday
    end: dt.date  # the next Monday (exclusive)
    segments_as_of: dt.date | None
    tiers: tuple[TierConversion, ...]
    tiers_status: str
    orders: int
    revenue: Decimal
    aov: Decimal | None
    gross_margin_rate: float
    gross_margin: Decimal
    costs: tuple[ChannelCost, ...]
    messages: MessageCounts
    waves: tuple[WaveIncrement, ...]
    currency: str = "RUB"

    @property
    def cost_total(self) -> Decimal:
        return sum((c.amount for c in self.costs), Decimal(0))

    @property
    def contribution(self) -> Decimal:
        return self.gross_margin - self.cost_total

    @property
    def incremental_orders(self) -> float | None:
        known = [
            w.increment.incremental_orders
            for w in self.waves
            if w.increment is not None and w.increment.incremental_orders is not None
        ]
        return sum(known) if known else None


def latest_segments_before(ws: Workspace, day: dt.date) -> dt.date | None:
    s = ws.table("segments")
    s = s.filter((s.version == "monetary") & (s.as_of < ibis.literal(day)))
    value = s.as_of.max().execute()
    if value is None or value != value:  # NaT
        return None
    return value.date() if hasattr(value, "date") else value


def _tiers(ws: Workspace, as_of: dt.date, start, end, bought) -> tuple[TierConversion, ...]:
    s = ws.table("segments")
    s = s.filter((s.version == "monetary") & (s.as_of == ibis.literal(as_of)))
    s = s.mutate(tier=s.sleep_tier.fill_null(ACTIVE))
    j = s.left_join(bought, "customer_id").select(s.tier, bought.customer_id.name("buyer"))
    rows = (
        j.group_by("tier")
        .aggregate(customers=j.tier.count(), buyers=j.buyer.count())
        .to_pyarrow()
        .to_pylist()
    )

    def order(tier: str) -> tuple[int, int, str]:
        digits = "".join(ch for ch in tier if ch.isdigit())
        return (tier != ACTIVE, int(digits) if digits else 0, tier)

    out = []
    for r in sorted(rows, key=lambda r: order(r["tier"])):
        n, k = int(r["customers"]), int(r["buyers"])
        low, high = proportion_confint(k, n, alpha=0.05, method="wilson") if n else (None, None)
        out.append(
            TierConversion(
                r["tier"],
                n,
                k,
                k / n if n else None,
                (float(low), float(high)) if n else None,
            )
        )
    return tuple(out)


def weekly_report(ws: Workspace, day: dt.date) -> WeeklyReport:
    """The report of the week containing ``day``."""
    start, end = week_of(day)
    t0, t1 = midnight(start), midnight(end)
    cfg = ws.config
    sales = period_sales(ws.con, cfg.purchase_rules, start, end)
    orders, revenue = sales.orders, sales.revenue
    bought = paid_purchases(ws.con, cfg.purchase_rules, start, end).select("customer_id")
    bought = bought.distinct()

    seg_day = latest_segments_before(ws, start)
    tiers = _tiers(ws, seg_day, t0, t1, bought) if seg_day else ()

    costs = tuple(
        ChannelCost(channel, amount)
        for channel, amount in costs_by_channel(ws.con, start=start, end=end)
    )

    m = ws.table("messages")
    m = m.filter(
        (m.ts >= ibis.literal(t0, type="timestamp")) & (m.ts < ibis.literal(t1, type="timestamp"))
    )
    counts = (
        m.aggregate(
            sent=(m.event == "sent").sum(),
            complaints=m.customer_id.nunique(where=m.event == "complained"),
            unsubscribes=m.customer_id.nunique(where=m.event == "unsubscribed"),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    messages = MessageCounts(
        int(counts["sent"] or 0), int(counts["complaints"] or 0), int(counts["unsubscribes"] or 0)
    )

    gm = cfg.experiments.gross_margin
    waves = tuple(
        wave_increment(
            ws.con,
            w,
            until=t1,
            rules=cfg.purchase_rules,
            gross_margin=gm,
            alpha=cfg.experiments.alpha,
        )
        for w in waves_in(ws.con, start, end)
    )
    return WeeklyReport(
        start=start,
        end=end,
        segments_as_of=seg_day,
        tiers=tiers,
        tiers_status=OK if seg_day else INSUFFICIENT,
        orders=orders,
        revenue=revenue,
        aov=sales.aov,
        gross_margin_rate=gm,
        gross_margin=cents(revenue * Decimal(repr(gm))),
        costs=costs,
        messages=messages,
        waves=waves,
        currency=cfg.currency,
    )
