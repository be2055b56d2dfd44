"""The per-wave report a head of school reads (SPEC F5.6; seed 000: "По волне: orders uplift
vs контроль, GM uplift, вклад каналов, вклад офферов, возвраты, апсейлы").

It puts together, for one wave and its order window:

* the readout (:func:`livebase.reports.files.workspace_wave_report`): conversion per arm
  with intervals and p-values against control, money, incremental economics (the gross
  margin uplift), NPS and the long horizon;
* the whole wave against its holdout (:func:`livebase.reports.period.wave_increment`):
  incremental orders and revenue of every contacted arm together;
* attribution of the paid orders of the window to the wave's touches
  (:func:`livebase.attribution.workspace_attribution` with ``wave_id``), per model, per
  channel and per offer, and the assisted share per channel;
* **attributed against incremental revenue**: the revenue of the orders the wave's
  touches reached (what any attribution model credits to the wave: every model splits the
  same orders) next to the incremental revenue the holdout measured; their ratio shows how
  much attribution over-credits the wave (a ratio above 1: touched buyers who would have
  bought anyway);
* refunds and upsells per arm (:mod:`livebase.reports.arm_extras`);
* the wave's costs per channel (table ``costs``);
* the offers' contribution: position-based credits (seed 003's model) per channel and
  offer type of the touch;
* **the decision** at the top: the margin after costs is the increment's gross margin
  (incremental revenue × ``[experiments] gross_margin``) minus every cost of the wave; the
  wave *paid off* when the interval of its incremental orders lies above zero and that
  margin is positive, *did not pay* when the interval lies below zero (or above zero with
  no margin left after costs), and is *unclear* while the interval includes zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from livebase.attribution import Attribution, offer_credits, touch_paths, workspace_attribution
from livebase.reports.arm_extras import ArmExtras, arm_extras
from livebase.reports.files import workspace_wave_report
from livebase.reports.period import WaveIncrement, costs_by_channel, wave_increment
from livebase.reports.wave import WaveReport
from livebase.store.workspace import Workspace


@dataclass(frozen=True)
class WaveReview:
    readout: WaveReport
    whole: WaveIncrement  # contacted arms together vs the holdout
    attribution: Attribution
    extras: tuple[ArmExtras, ...]
    costs: tuple[tuple[str, Decimal], ...]  # channel → amount
    # position-based (seed 003) credits per (channel, offer type): orders, revenue
    offers: tuple[tuple[str, str | None, float, Decimal], ...] = ()
    currency: str = "RUB"

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.readout.window_start, dt.time())

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.readout.window_end + dt.timedelta(days=1), dt.time())

    @property
    def incremental_revenue(self) -> Decimal | None:
        inc = self.whole.increment
        return None if inc is None else inc.incremental_revenue

    @property
    def cost_total(self) -> Decimal:
        return sum((amount for _, amount in self.costs), Decimal(0))

    @property
    def margin_after_costs(self) -> Decimal | None:
        """The increment's gross margin (incremental revenue × gross margin) minus every
        cost of the wave, to the kopeck."""
        inc = self.whole.increment
        if inc is None or inc.incremental_revenue is None:
            return None
        margin = inc.incremental_revenue * Decimal(repr(inc.gross_margin))
        return (margin - self.cost_total).quantize(Decimal("0.01"))

    @property
    def decision(self) -> str:
        """``paid_off`` (more orders than the holdout, the interval above zero, and a
        positive margin after costs), ``did_not_pay`` (the interval below zero, or a margin
        after costs at or below zero), ``unclear`` (the interval includes zero) or
        ``insufficient_data``."""
        inc = self.whole.increment
        margin = self.margin_after_costs
        if inc is None or inc.incremental_orders_ci is None or margin is None:
            return "insufficient_data"
        low, high = inc.incremental_orders_ci
        if high < 0 or (low > 0 and margin <= 0):
            return "did_not_pay"
        if low > 0:
            return "paid_off"
        return "unclear"

    @property
    def over_credit(self) -> float | None:
        """Attributed ÷ incremental revenue (None unless both are known and the increment
        is positive)."""
        inc = self.incremental_revenue
        if inc is None or inc <= 0 or self.attribution.orders_attributed == 0:
            return None
        return float(self.attribution.revenue_attributed / inc)


def wave_review(ws: Workspace, wave_id: str, *, lang: str) -> WaveReview:
    readout = workspace_wave_report(ws, wave_id, lang=lang)
    start = dt.datetime.combine(readout.window_start, dt.time())
    end = dt.datetime.combine(readout.window_end + dt.timedelta(days=1), dt.time())
    cfg = ws.config
    whole = wave_increment(
        ws.con,
        readout.wave,
        until=end,
        rules=cfg.purchase_rules,
        gross_margin=cfg.experiments.gross_margin,
        alpha=cfg.experiments.alpha,
    )
    attribution = workspace_attribution(ws, start=start, end=end, wave_id=wave_id)
    extras = arm_extras(ws.con, wave_id, rules=cfg.purchase_rules)
    costs = costs_by_channel(ws.con, wave_id=wave_id)
    a = cfg.attribution
    paths = touch_paths(
        ws.con,
        start=start,
        end=end,
        rules=cfg.purchase_rules,
        window_days=a.window_days,
        view_through=tuple(a.view_through_channels),
        wave_id=wave_id,
    )
    offers = tuple(
        (
            r["channel"],
            r["offer_type"] if isinstance(r["offer_type"], str) else None,
            float(r["orders"]),
            Decimal(r["revenue"]),
        )
        for r in offer_credits(paths, "position_based").to_dict("records")
    )
    return WaveReview(readout, whole, attribution, extras, costs, offers, cfg.currency)
