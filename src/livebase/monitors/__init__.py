"""Cannibalisation and discount-expectation monitors (SPEC F5.5, seed 000).

:func:`run_monitors` reads one period ``[start, end)`` (whole UTC days, ``end``
exclusive) of a workspace:

* the waves that run on at least one day of the period (``starts_on < end`` and
  ``starts_on + days > start``; AA waves included, they send messages too) each get
  :func:`complaints` and :func:`unsubscribes`, in the order ``(starts_on, wave_id)``;
* :func:`overlap_active` comes first for the waves whose playbook leaves active buyers
  out (``audience.exclude_active_buyers``: the reactivation playbooks, seed 000) and for
  waves whose playbook cannot be found; an upsell, top-segment or webinar wave addresses
  active buyers on purpose and would alert by construction;
* the period then gets :func:`active_aov` (against those waves), :func:`coupon_only` and
  :func:`coupon_wait`, scope ``base``;
* thresholds come from ``[monitors]``, the active-buyer window from
  ``[guardrails] active_buyer_days`` and purchases from ``[purchase_rules]``.

:func:`alerts` keeps the results that alert.
"""

from __future__ import annotations

import datetime as dt

from livebase.monitors.base import (
    active_aov,
    check_period,
    coupon_only,
    coupon_wait,
    wave_spans,
)
from livebase.monitors.result import (
    ALERT,
    BASE,
    KEYS,
    REASONS,
    MonitorResult,
    alerts,
    describe,
)
from livebase.monitors.waves import complaints, overlap_active, unsubscribes
from livebase.playbooks.planner import wave_playbook
from livebase.store.workspace import Workspace

__all__ = [
    "ALERT",
    "BASE",
    "KEYS",
    "REASONS",
    "MonitorResult",
    "active_aov",
    "alerts",
    "complaints",
    "coupon_only",
    "coupon_wait",
    "describe",
    "overlap_active",
    "run_monitors",
    "unsubscribes",
]


def run_monitors(ws: Workspace, *, start: dt.date, end: dt.date) -> tuple[MonitorResult, ...]:
    """Every monitor of the period ``[start, end)``: per wave running in it, then the base."""
    check_period(start, end)
    con = ws.con
    cfg = ws.config.monitors
    rules = ws.config.purchase_rules
    running = [s for s in wave_spans(con) if s.meets(start, end)]
    results: list[MonitorResult] = []
    for span in running:
        book = wave_playbook(ws, span.wave_id)
        if book is None or book.audience.exclude_active_buyers:
            results.append(
                overlap_active(
                    con,
                    span.wave_id,
                    rules=rules,
                    active_days=ws.config.guardrails.active_buyer_days,
                    threshold=cfg.overlap_active,
                )
            )
        results += [
            complaints(
                con,
                span.wave_id,
                window_days=cfg.complaint_window_days,
                threshold=cfg.complaint_rate,
            ),
            unsubscribes(con, span.wave_id, threshold=cfg.unsubscribe_rate),
        ]
    results += [
        active_aov(
            con,
            start=start,
            end=end,
            rules=rules,
            waves=[s.wave_id for s in running],
            tolerance=cfg.active_aov_tolerance,
            min_sample=cfg.min_sample,
        ),
        coupon_only(
            con,
            start=start,
            end=end,
            rules=rules,
            threshold=cfg.coupon_only_share,
            min_sample=cfg.min_sample,
        ),
        coupon_wait(
            con,
            start=start,
            end=end,
            rules=rules,
            threshold=cfg.coupon_wait_share,
            min_sample=cfg.min_sample,
        ),
    ]
    return tuple(results)
