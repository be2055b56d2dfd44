"""The quarterly report as plain data (SPEC F5.6; seed 000: "По кварталу: LTV 180, churn
180, каннибализация, эффект на активных").

The rules, one sentence each:

* The quarter runs from its first day to the first day of the next (UTC days,
  :func:`livebase.reports.period.quarter_of`); its numbers are read as of its last day,
  or as of the day of the latest order when the data end earlier.
* Sales are the counted purchases paid in the quarter (orders, net revenue, AOV), next to
  the same numbers of the quarter before.
* LTV 180 and churn 180 come from the first-purchase-month cohorts as of that day
  (:mod:`livebase.metrics.cohorts`, with its honest horizons: a cohort whose 180 days are
  not over for all its members is computed over those whose are, or not at all); the
  report lists the twelve newest cohorts.
* Cannibalisation and the effect on active customers are the monitors of the quarter
  (:func:`livebase.monitors.run_monitors`): overlap with active buyers, complaints and
  unsubscribes per wave, the AOV of active customers during the waves, coupon-only buyers
  and purchases delayed until a coupon.
* Every wave running in the quarter gets its incremental orders against its holdout up to
  the quarter's end (:func:`livebase.reports.period.wave_increment`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from livebase.errors import InsufficientData
from livebase.metrics.cohorts import CohortMetric, data_end, workspace_cohorts
from livebase.monitors import MonitorResult, run_monitors
from livebase.reports.period import (
    Sales,
    WaveIncrement,
    midnight,
    period_sales,
    quarter_of,
    wave_increment,
    waves_in,
)
from livebase.store.workspace import Workspace

COHORTS_SHOWN = 12


@dataclass(frozen=True)
class CohortLine:
    cohort: str
    members: int
    ltv_180: CohortMetric
    churn_180: CohortMetric


@dataclass(frozen=True)
class QuarterlyReport:
    start: dt.date
    end: dt.date  # exclusive
    as_of: dt.date | None  # the day the cohorts are read at (None: no orders at all)
    sales: Sales
    previous: Sales
    cohorts: tuple[CohortLine, ...]
    monitors: tuple[MonitorResult, ...]
    waves: tuple[WaveIncrement, ...]
    currency: str = "RUB"


def quarterly_report(ws: Workspace, day: dt.date) -> QuarterlyReport:
    """The report of the quarter containing ``day``."""
    start, end = quarter_of(day)
    prev_start, _ = quarter_of(start - dt.timedelta(days=1))
    last = data_end(ws.con)
    as_of = None if last is None else min(last, end - dt.timedelta(days=1))
    lines: tuple[CohortLine, ...] = ()
    if as_of is not None:
        try:
            table = workspace_cohorts(ws, "first_purchase_month", as_of=as_of)
        except InsufficientData:
            table = None
        if table is not None:
            lines = tuple(
                CohortLine(
                    c,
                    table.members[c],
                    table.get(c, "ltv_180"),
                    table.get(c, "churn_180"),
                )
                for c in table.cohorts[-COHORTS_SHOWN:]
            )
    cfg = ws.config
    waves = tuple(
        wave_increment(
            ws.con,
            w,
            until=midnight(end),
            rules=cfg.purchase_rules,
            gross_margin=cfg.experiments.gross_margin,
            alpha=cfg.experiments.alpha,
        )
        for w in waves_in(ws.con, start, end)
    )
    return QuarterlyReport(
        start=start,
        end=end,
        as_of=as_of,
        sales=period_sales(ws.con, cfg.purchase_rules, start, end),
        previous=period_sales(ws.con, cfg.purchase_rules, prev_start, start),
        cohorts=lines,
        monitors=run_monitors(ws, start=start, end=end),
        waves=waves,
        currency=cfg.currency,
    )
