"""Per-wave monitors: overlap with active buyers, complaints and unsubscribes (SPEC F5.5,
seed 000).

The rules, one sentence each:

* A wave starts at UTC midnight of its ``starts_on``; a wave's messages are the
  ``messages`` rows with its ``wave_id``, on every channel.
* **overlap_active** — the customers a wave contacted are the distinct customers with a
  ``sent`` message of the wave or, while the wave has sent nothing yet, the distinct
  customers of its planned ``marketing`` touches.
* Of them, the active buyers are those with a counted purchase (the workspace's purchase
  rules) in the ``active_days`` (``[guardrails] active_buyer_days``, default 30) before the
  wave's start.
* The overlap is active contacted / contacted; it alerts when it is above
  ``[monitors] overlap_active`` (default 2 %, seed 000), and is ``insufficient_data``
  (``nobody_contacted``) when the wave contacted nobody.
* **complaints** — the complaint rate is the distinct customers with a ``complained``
  message of the wave ÷ the wave's ``sent`` messages, both with ``ts`` in the
  ``window_days`` (``[monitors] complaint_window_days``, default 14) from the wave's start.
* It alerts at or above ``[monitors] complaint_rate`` (default 0.1 %, seed 000), the same
  comparison as the auto-throttle.
* **unsubscribes** — the unsubscribe rate is the distinct customers with an
  ``unsubscribed`` message of the wave ÷ the wave's ``sent`` messages (all of them, as the
  auto-throttle counts); it alerts strictly above ``[monitors] unsubscribe_rate``
  (default 0.5 %).
* Rates and shares are compared with their thresholds exactly, as fractions (1 of 1 000
  is 0.1 %).
* A wave with nothing sent (in the window, for complaints) is ``insufficient_data``
  (``nothing_sent``), never a 0 % rate.
* Each rate carries a Wilson 95 % interval (the same as statsmodels'
  ``proportion_confint(method="wilson")``); the alert compares the rate itself, not the
  interval.
* An unknown wave raises :class:`InputError`.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.experiments.waves import load_wave
from livebase.metrics.purchases import purchases
from livebase.monitors.result import (
    COMPLAINTS,
    OVERLAP_ACTIVE,
    UNSUBSCRIBES,
    MonitorResult,
    insufficient,
    share_result,
    share_threshold,
)

ACTIVE_BUYER_DAYS = 30
COMPLAINT_WINDOW_DAYS = 14
SENT = "sent"


def wave_start(starts_on: dt.date) -> dt.datetime:
    """UTC midnight of a wave's first day, as the store keeps time (naive UTC).

    >>> wave_start(dt.date(2025, 3, 1))
    datetime.datetime(2025, 3, 1, 0, 0)
    """
    return dt.datetime.combine(starts_on, dt.time())


def count_rows(table: ir.Table) -> int:
    """The number of rows of ``table``, computed by the engine."""
    return int(table.count().to_pyarrow().as_py() or 0)


def _ts(value: dt.datetime) -> ir.TimestampScalar:
    return ibis.literal(value, type="timestamp")


def _contacted(con: BaseBackend, wave_id: str) -> tuple[ir.Table, str, int]:
    m = con.table("messages")
    sent = (
        m.filter((m.wave_id == wave_id) & (m.event == SENT) & m.customer_id.notnull())
        .select("customer_id")
        .distinct()
    )
    n = count_rows(sent)
    if n:
        return sent, "messages", n
    t = con.table("touches")
    planned = (
        t.filter((t.wave_id == wave_id) & (t.purpose == "marketing") & t.customer_id.notnull())
        .select("customer_id")
        .distinct()
    )
    return planned, "touches", count_rows(planned)


def overlap_active(
    con: BaseBackend,
    wave_id: str,
    *,
    rules: PurchaseRules,
    active_days: int = ACTIVE_BUYER_DAYS,
    threshold: float = 0.02,
) -> MonitorResult:
    """The share of the customers wave ``wave_id`` contacted who bought in the
    ``active_days`` before its start; alerts above ``threshold``."""
    share_threshold(threshold, OVERLAP_ACTIVE)
    if active_days < 0:
        raise InputError(f"active_days must not be negative, got {active_days}")
    wave = load_wave(con, wave_id)
    start = wave_start(wave.starts_on)
    since = start - dt.timedelta(days=active_days)
    detail = {
        "wave_start": wave.starts_on.isoformat(),
        "active_days": active_days,
        "active_since": since.date().isoformat(),
    }
    contacted, source, n = _contacted(con, wave_id)
    detail["contacted_from"] = source
    if n == 0:
        return insufficient(
            OVERLAP_ACTIVE, wave_id, threshold, "nobody_contacted", detail, denominator=0
        )
    p = purchases(con, rules, until=start)
    active = p.filter(p.is_purchase & (p.ts >= _ts(since))).select("customer_id").distinct()
    k = count_rows(contacted.semi_join(active, "customer_id"))
    detail |= {"contacted": n, "active_contacted": k}
    return share_result(OVERLAP_ACTIVE, wave_id, k, n, threshold, detail=detail)


def _message_counts(
    con: BaseBackend, wave_id: str, event: str, window: tuple[dt.datetime, dt.datetime] | None
) -> tuple[int, int]:
    m = con.table("messages")
    keep = m.wave_id == wave_id
    if window is not None:
        keep &= (m.ts >= _ts(window[0])) & (m.ts < _ts(window[1]))
    m = m.filter(keep)
    row = (
        m.aggregate(
            sent=(m.event == SENT).sum(),
            who=m.customer_id.nunique(where=m.event == event),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    return int(row["sent"] or 0), int(row["who"] or 0)


def complaints(
    con: BaseBackend,
    wave_id: str,
    *,
    window_days: int = COMPLAINT_WINDOW_DAYS,
    threshold: float = 0.001,
) -> MonitorResult:
    """Complainers ÷ sent of wave ``wave_id`` in the ``window_days`` from its start;
    alerts at or above ``threshold``."""
    share_threshold(threshold, COMPLAINTS)
    if window_days < 1:
        raise InputError(f"window_days must be at least 1, got {window_days}")
    wave = load_wave(con, wave_id)
    start = wave_start(wave.starts_on)
    end = start + dt.timedelta(days=window_days)
    sent, who = _message_counts(con, wave_id, "complained", (start, end))
    detail = {
        "window_from": start.date().isoformat(),
        "window_until": end.date().isoformat(),
        "window_days": window_days,
        "sent": sent,
        "complaints": who,
    }
    if sent == 0:
        return insufficient(
            COMPLAINTS, wave_id, threshold, "nothing_sent", detail, numerator=who, denominator=0
        )
    return share_result(COMPLAINTS, wave_id, who, sent, threshold, at_or_above=True, detail=detail)


def unsubscribes(con: BaseBackend, wave_id: str, *, threshold: float = 0.005) -> MonitorResult:
    """Unsubscribers ÷ sent of wave ``wave_id``; alerts strictly above ``threshold``."""
    share_threshold(threshold, UNSUBSCRIBES)
    load_wave(con, wave_id)
    sent, who = _message_counts(con, wave_id, "unsubscribed", None)
    detail = {"sent": sent, "unsubscribes": who}
    if sent == 0:
        return insufficient(
            UNSUBSCRIBES, wave_id, threshold, "nothing_sent", detail, numerator=who, denominator=0
        )
    return share_result(
        UNSUBSCRIBES, wave_id, who, sent, threshold, at_or_above=False, detail=detail
    )
