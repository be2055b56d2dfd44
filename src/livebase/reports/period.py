"""Periods of the recurring reports and what the waves of a period earned (SPEC F5.6).

The rules, one sentence each:

* A week runs from Monday 00:00 to the next Monday 00:00, a quarter from the first day of
  January, April, July or October to the first day of the next quarter; days are UTC
  calendar days, like every window in livebase.
* A period's sales are its counted purchases (:func:`livebase.metrics.purchases.purchases`)
  paid in it: their number, net revenue and AOV (none without orders); its costs are the
  ``costs`` rows dated in it (or of one wave), summed per channel.
* A wave runs in a period when its days (``starts_on`` … ``starts_on + days − 1``) meet
  the period's days; waves are listed by start, then id.
* A wave's incremental orders up to a moment compare every contacted arm together (all
  arms but the holdout) with its holdout: payers counted from the wave's first day up to
  the earlier of the moment and the end of the wave's window, incremental orders
  ``payers(contacted) − CR(holdout) × n(contacted)`` with the Newcombe interval
  (:func:`livebase.experiments.economics.incremental`); a wave without a holdout (an A/A
  wave) or without anyone assigned has no such number (status ``insufficient_data``).

>>> week_of(dt.date(2025, 5, 8))
(datetime.date(2025, 5, 5), datetime.date(2025, 5, 12))
>>> quarter_of(dt.date(2025, 5, 8))
(datetime.date(2025, 4, 1), datetime.date(2025, 7, 1))
>>> quarter_label(dt.date(2025, 4, 1))
'2025 Q2'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import ibis
from ibis.backends import BaseBackend

from livebase.config import PurchaseRules
from livebase.experiments.aggregates import ArmAggregate, arm_aggregates_expr
from livebase.experiments.economics import Increment, incremental
from livebase.experiments.status import INSUFFICIENT, OK
from livebase.experiments.waves import WaveInfo, load_wave
from livebase.metrics.purchases import purchases
from livebase.playbooks.assignment import HOLDOUT

CONTACTED = "contacted"
_CENT = Decimal("0.01")


def cents(value: object) -> Decimal:
    """An amount (``None`` as 0) rounded half up to kopecks."""
    return Decimal(value or 0).quantize(_CENT, rounding=ROUND_HALF_UP)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday of ``day``'s week and the next Monday (exclusive end)."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=7)


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of ``day``'s quarter and of the next one (exclusive end)."""
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    month = first.month + 3
    nxt = dt.date(first.year + (month > 12), (month - 1) % 12 + 1, 1)
    return first, nxt


def quarter_label(start: dt.date) -> str:
    return f"{start.year} Q{(start.month - 1) // 3 + 1}"


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


@dataclass(frozen=True)
class Sales:
    start: dt.date
    end: dt.date  # exclusive
    orders: int
    revenue: Decimal

    @property
    def aov(self) -> Decimal | None:
        return cents(self.revenue / self.orders) if self.orders else None


def paid_purchases(
    con: BaseBackend, rules: PurchaseRules, start: dt.date, end: dt.date
) -> ibis.Table:
    """The counted purchases paid in ``[start, end)`` (UTC days)."""
    p = purchases(con, rules, until=midnight(end))
    return p.filter(p.is_purchase & (p.ts >= ibis.literal(midnight(start), type="timestamp")))


def period_sales(con: BaseBackend, rules: PurchaseRules, start: dt.date, end: dt.date) -> Sales:
    p = paid_purchases(con, rules, start, end)
    row = p.aggregate(orders=p.count(), revenue=p.net.sum()).to_pyarrow().to_pylist()[0]
    return Sales(start, end, int(row["orders"] or 0), cents(row["revenue"]))


def costs_by_channel(
    con: BaseBackend,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    wave_id: str | None = None,
) -> tuple[tuple[str, Decimal], ...]:
    """(channel, amount) of the ``costs`` dated in ``[start, end)`` and/or of one wave,
    by channel name (a cost without a channel under "")."""
    c = con.table("costs")
    if start is not None:
        c = c.filter(c.date >= ibis.literal(start))
    if end is not None:
        c = c.filter(c.date < ibis.literal(end))
    if wave_id is not None:
        c = c.filter(c.wave_id == wave_id)
    rows = (
        c.group_by(channel=c.channel.fill_null(""))
        .aggregate(amount=c.amount.sum())
        .order_by("channel")
        .to_pyarrow()
        .to_pylist()
    )
    return tuple((r["channel"], cents(r["amount"])) for r in rows)


def waves_in(con: BaseBackend, start: dt.date, end: dt.date) -> list[WaveInfo]:
    """The waves whose days meet ``[start, end)``, by start then id."""
    w = con.table("waves")
    last = w.starts_on + (w.days - 1).as_interval("D")
    rows = (
        w.filter((w.starts_on < ibis.literal(end)) & (last.cast("date") >= ibis.literal(start)))
        .order_by(["starts_on", "wave_id"])
        .select("wave_id")
        .to_pyarrow()
        .column("wave_id")
        .to_pylist()
    )
    return [load_wave(con, wid) for wid in rows]


@dataclass(frozen=True)
class WaveIncrement:
    """What one wave's messages added up to ``until``: contacted arms vs the holdout."""

    wave: WaveInfo
    until: dt.datetime  # orders counted before this moment (UTC)
    status: str
    reason: str | None
    increment: Increment | None  # contacted vs holdout (incremental orders and revenue)


def wave_increment(
    con: BaseBackend,
    wave: WaveInfo,
    *,
    until: dt.datetime,
    rules: PurchaseRules,
    gross_margin: float,
    alpha: float = 0.05,
) -> WaveIncrement:
    """The incremental orders of ``wave`` counted up to ``until`` (see the module)."""
    start, window_end = wave.window()
    end = min(until, window_end)
    if end <= start:
        return WaveIncrement(wave, end, INSUFFICIENT, "not_started", None)
    rows = arm_aggregates_expr(con, wave.wave_id, start, end, rules).to_pyarrow().to_pylist()
    holdout = [r for r in rows if r["arm"] == HOLDOUT]
    contacted = [r for r in rows if r["arm"] != HOLDOUT]
    if not holdout or not contacted:
        return WaveIncrement(wave, end, INSUFFICIENT, "no_holdout", None)

    def total(arm: str, parts: list[dict]) -> ArmAggregate:
        return ArmAggregate(
            arm,
            n=sum(int(r["n"]) for r in parts),
            conversions=sum(int(r["conversions"]) for r in parts),
            orders=sum(int(r["orders"] or 0) for r in parts),
            revenue=sum((Decimal(r["revenue"] or 0) for r in parts), Decimal(0)),
            revenue_sumsq=sum(float(r["revenue_sumsq"] or 0) for r in parts),
        )

    inc = incremental(
        total(CONTACTED, contacted),
        total(HOLDOUT, holdout),
        gross_margin=gross_margin,
        marketing_cost=Decimal(0),
        alpha=alpha,
    )
    if inc.incremental_orders is None:
        return WaveIncrement(wave, end, INSUFFICIENT, inc.reason, inc)
    return WaveIncrement(wave, end, OK, None, inc)
