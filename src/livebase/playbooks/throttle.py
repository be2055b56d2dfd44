"""Auto-throttle (SPEC F4.6, seed 000): a wave whose complaints or unsubscribes pass their
threshold drops to silence.

The rules, one sentence each:

* A wave's counts come from its ``messages`` rows (``wave_id``) with ``ts`` before
  ``now``, on every channel.
* ``sent`` counts ``sent`` events; ``complaints`` and ``unsubscribes`` count distinct
  customers with a ``complained`` / ``unsubscribed`` event (complaining twice counts once).
* The complaint rate (complaints / sent) triggers the throttle at or above its threshold,
  ``[guardrails] complaint_rate`` (default 0.1 %, seed 000).
* The unsubscribe rate (unsubscribes / sent) triggers it strictly above its threshold,
  ``[guardrails] unsubscribe_rate`` (default 0.5 %).
* Rates are compared with the thresholds exactly, as fractions (1 of 1 000 is 0.1 %).
* A wave with nothing sent yet is ``insufficient_data`` and nothing changes.
* A triggered wave, and a wave already ``throttled``, loses every marketing touch planned
  at or after ``now``: the touch is deleted from ``touches`` and recorded in
  ``exclusions`` (reason ``auto_throttle``, action ``removed``, decided at ``now``).
* Service touches (reminders, access notices) and touches planned before ``now`` stay.
* The wave's status becomes ``throttled`` and stays so; the removal, the exclusions and
  the status are written in one transaction.
* Checking again changes nothing more (there is nothing left to remove).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Literal

import pandas as pd

from livebase.engine import delete_rows, eq, ge, transaction
from livebase.errors import InputError
from livebase.metrics.rfm import utc_naive
from livebase.playbooks.reasons import AUTO_THROTTLE, REMOVED
from livebase.store.workspace import Workspace
from livebase.store.write import upsert

OK = "ok"
INSUFFICIENT = "insufficient_data"
THROTTLED = "throttled"
COMPLAINTS = "complaints"
UNSUBSCRIBES = "unsubscribes"

ThrottleStatus = Literal["ok", "insufficient_data", "throttled"]


@dataclass(frozen=True)
class ThrottleResult:
    """What :func:`check_throttle` found and did for one wave as of ``now``.

    Rates are ``None`` when nothing was sent; ``triggered`` says whether a rate passed
    its threshold now; ``silenced`` is the number of touches this call removed.
    """

    wave_id: str
    sent: int
    complaints: int
    unsubscribes: int
    complaint_rate: float | None
    unsubscribe_rate: float | None
    triggered: bool
    reasons: tuple[str, ...]
    silenced: int
    status: ThrottleStatus
    complaint_threshold: float = 0.001
    unsubscribe_threshold: float = 0.005


def _threshold(value: float, name: str) -> Fraction:
    if not 0 < value < 1:
        raise InputError(f"{name} threshold must be between 0 and 1, got {value!r}")
    return Fraction(repr(float(value)))  # the threshold as written: 0.001 is 1/1000


def _counts(ws: Workspace, wave_id: str, now: dt.datetime) -> tuple[int, int, int]:
    m = ws.table("messages")
    m = m.filter((m.wave_id == wave_id) & (m.ts < now))
    row = (
        m.aggregate(
            sent=(m.event == "sent").sum(),
            complaints=m.customer_id.nunique(where=m.event == "complained"),
            unsubscribes=m.customer_id.nunique(where=m.event == "unsubscribed"),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    return int(row["sent"] or 0), int(row["complaints"] or 0), int(row["unsubscribes"] or 0)


def _detail(
    reasons: tuple[str, ...],
    sent: int,
    complaints: int,
    unsubscribes: int,
    complaint_limit: float,
    unsubscribe_limit: float,
) -> str:
    parts = []
    if COMPLAINTS in reasons:
        parts.append(f"complaints {complaints / sent:.2%} of {sent:,} sent ≥ {complaint_limit:.2%}")
    if UNSUBSCRIBES in reasons:
        parts.append(
            f"unsubscribes {unsubscribes / sent:.2%} of {sent:,} sent > {unsubscribe_limit:.2%}"
        )
    return "; ".join(parts) or "wave already throttled"


def check_throttle(
    ws: Workspace,
    wave_id: str,
    *,
    now: dt.datetime,
    complaint_rate: float | None = None,
    unsubscribe_rate: float | None = None,
) -> ThrottleResult:
    """Check wave ``wave_id`` as of ``now`` and silence it when a threshold is passed.

    ``complaint_rate`` / ``unsubscribe_rate`` override the workspace's ``[guardrails]``
    thresholds. An unknown wave raises :class:`InputError`.
    """
    settings = ws.config.guardrails
    complaint_limit = settings.complaint_rate if complaint_rate is None else complaint_rate
    unsubscribe_limit = settings.unsubscribe_rate if unsubscribe_rate is None else unsubscribe_rate
    complaint_frac = _threshold(complaint_limit, "complaint rate")
    unsubscribe_frac = _threshold(unsubscribe_limit, "unsubscribe rate")
    now = utc_naive(now)

    w = ws.table("waves")
    waves = w.filter(w.wave_id == wave_id).to_pyarrow().to_pylist()
    if not waves:
        raise InputError(f"no wave {wave_id!r}: plan it first")
    wave = waves[0]

    sent, complaints, unsubscribes = _counts(ws, wave_id, now)
    reasons: tuple[str, ...] = ()
    if sent:
        if Fraction(complaints, sent) >= complaint_frac:
            reasons += (COMPLAINTS,)
        if Fraction(unsubscribes, sent) > unsubscribe_frac:
            reasons += (UNSUBSCRIBES,)
    result = ThrottleResult(
        wave_id=wave_id,
        sent=sent,
        complaints=complaints,
        unsubscribes=unsubscribes,
        complaint_rate=complaints / sent if sent else None,
        unsubscribe_rate=unsubscribes / sent if sent else None,
        triggered=bool(reasons),
        reasons=reasons,
        silenced=0,
        status=OK,
        complaint_threshold=complaint_limit,
        unsubscribe_threshold=unsubscribe_limit,
    )
    already = wave["status"] == THROTTLED
    if not reasons and not already:
        return replace(result, status=INSUFFICIENT if sent == 0 else OK)

    detail = _detail(reasons, sent, complaints, unsubscribes, complaint_limit, unsubscribe_limit)
    with transaction(ws.con):
        t = ws.table("touches")
        due = (
            t.filter((t.wave_id == wave_id) & (t.purpose == "marketing") & (t.planned_at >= now))
            .select("wave_id", "customer_id", "touch_no", "channel", "planned_at")
            .order_by("customer_id", "touch_no")
            .to_pandas()
        )
        if not due.empty:
            upsert(
                ws.con,
                "exclusions",
                due.assign(
                    reason_code=AUTO_THROTTLE,
                    detail=detail,
                    action=REMOVED,
                    moved_to=None,
                    decided_at=now,
                ),
            )
            delete_rows(
                ws.con,
                "touches",
                eq("wave_id", wave_id),
                eq("purpose", "marketing"),
                ge("planned_at", now),
            )
        if not already:
            upsert(ws.con, "waves", pd.DataFrame([{**wave, "status": THROTTLED}]))
    return replace(result, silenced=len(due), status=THROTTLED)
