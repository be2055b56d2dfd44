"""Conditional touches at export time: sent only if the condition holds when the touch is due.

The rules, one sentence each:

* A condition is read from the store's events before ``min(now, planned_at)``.
* ``interest``: the customer clicked a message of this wave (``messages`` row with the
  wave's id and event ``clicked``, any channel); ``no_interest``: no such click.
* ``registered``: an ``activities`` row of kind ``webinar_registered`` whose
  ``course_id`` or ``lesson_id`` is the webinar's id.
* ``email_unopened`` (a cascade, ``touch_no`` = 100 + the e-mail's): no e-mail of this
  wave was opened or clicked between the parent e-mail's ``planned_at`` and this touch's.
* A condition is decided when the touch is due (``planned_at <= now``) or, for the
  conditions that cannot turn false again once true (``interest``, ``registered``), as
  soon as it holds; a decided condition that holds exports the touch, one that fails
  leaves it out (``condition_not_met``), an undecided one is pending.
* ``no_interest`` and ``email_unopened`` therefore wait for the touch's own time: a click
  or an open before then would still cancel them.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
from ibis.backends import BaseBackend

from livebase.errors import InputError

INTEREST = "interest"
NO_INTEREST = "no_interest"
REGISTERED = "registered"
EMAIL_UNOPENED = "email_unopened"
CONDITIONS = (INTEREST, NO_INTEREST, REGISTERED, EMAIL_UNOPENED)
# once true, true for good: decided as soon as they hold
MONOTONE = (INTEREST, REGISTERED)
CASCADE_OFFSET = 100

HOLDS = "holds"
PENDING = "pending"
NOT_MET = "condition_not_met"

EVENT_COLUMNS = ["customer_id", "ts", "kind", "channel"]


def load_events(
    con: BaseBackend,
    *,
    wave_id: str,
    customers: ibis.Table,
    webinar_id: str | None,
    until: dt.datetime,
) -> pd.DataFrame:
    """Events the conditions read, for ``customers`` (a table with ``customer_id``),
    before ``until``: kind ``click`` (any channel), ``email_seen`` (an e-mail opened or
    clicked) and ``registered``."""
    m = con.table("messages")
    m = m.filter((m.wave_id == wave_id) & (m.ts < until)).semi_join(customers, "customer_id")
    click = m.filter(m.event == "clicked").select(
        "customer_id", "ts", kind=ibis.literal("click"), channel=m.channel
    )
    seen = m.filter((m.channel == "email") & m.event.isin(["opened", "clicked"])).select(
        "customer_id", "ts", kind=ibis.literal("email_seen"), channel=m.channel
    )
    parts = [click, seen]
    if webinar_id is not None:
        a = con.table("activities")
        a = a.filter(
            (a.kind == "webinar_registered")
            & ((a.course_id == webinar_id) | (a.lesson_id == webinar_id))
            & (a.ts < until)
        ).semi_join(customers, "customer_id")
        parts.append(
            a.select(
                "customer_id",
                "ts",
                kind=ibis.literal("registered"),
                channel=ibis.null("string"),
            )
        )
    events = ibis.union(*parts).to_pandas()
    return events.reindex(columns=EVENT_COLUMNS)


def evaluate(touches: pd.DataFrame, events: pd.DataFrame, *, now: dt.datetime) -> pd.DataFrame:
    """The state of each conditional touch (index kept): ``holds``, ``pending`` or
    ``condition_not_met``, with the evidence a call list explains it by: ``click_at`` and
    ``click_channel`` (the last click before the cut-off) and ``registered_at``.

    ``touches`` has customer_id, planned_at, condition and parent_at (the planned time of
    the e-mail a cascade follows, or null).

    >>> T = dt.datetime
    >>> touches = pd.DataFrame({
    ...     "customer_id": ["a", "b", "a"],
    ...     "planned_at": [T(2025, 5, 3), T(2025, 5, 3), T(2025, 5, 9)],
    ...     "condition": ["interest", "interest", "no_interest"],
    ...     "parent_at": [None, None, None]})
    >>> events = pd.DataFrame({"customer_id": ["a"], "ts": [T(2025, 5, 2)],
    ...                        "kind": ["click"], "channel": ["email"]})
    >>> evaluate(touches, events, now=T(2025, 5, 5))["state"].tolist()
    ['holds', 'condition_not_met', 'pending']
    """
    unknown = sorted(set(touches["condition"].dropna()) - set(CONDITIONS))
    if unknown:
        raise InputError(f"unknown touch condition {unknown[0]!r} (one of {', '.join(CONDITIONS)})")
    out = pd.DataFrame(index=touches.index)
    out["click_at"] = pd.Series(pd.NaT, index=touches.index, dtype="datetime64[us]")
    out["click_channel"] = pd.Series(None, index=touches.index, dtype=object)
    out["registered_at"] = pd.Series(pd.NaT, index=touches.index, dtype="datetime64[us]")
    if touches.empty:
        out["state"] = pd.Series(dtype=object)
        return out
    cutoff = touches["planned_at"].where(touches["planned_at"] < now, now)
    base = pd.DataFrame(
        {
            "_tid": touches.index,
            "customer_id": touches["customer_id"].to_numpy(),
            "_cutoff": cutoff.to_numpy(),
            "_parent": pd.to_datetime(touches["parent_at"]).to_numpy(),
        }
    )
    j = base.merge(events, on="customer_id", how="inner")
    j = j[j["ts"] < j["_cutoff"]]
    j = j[(j["kind"] != "email_seen") | j["_parent"].isna() | (j["ts"] >= j["_parent"])]
    j = j.sort_values(["_tid", "kind", "ts", "channel"], kind="stable")
    last = j.groupby(["_tid", "kind"]).tail(1).set_index(["_tid", "kind"])
    kinds = set(j["kind"].unique())

    def seen(kind: str) -> pd.Series:
        ids = {tid for tid, k in last.index if k == kind} if kind in kinds else set()
        return pd.Series(touches.index.isin(list(ids)), index=touches.index)

    def pick(kind: str, column: str) -> pd.Series:
        part = last.xs(kind, level="kind")[column] if kind in kinds else pd.Series(dtype=object)
        return part.reindex(touches.index)

    clicked, opened, registered = seen("click"), seen("email_seen"), seen("registered")
    cond = touches["condition"]
    holds = (
        ((cond == INTEREST) & clicked)
        | ((cond == NO_INTEREST) & ~clicked)
        | ((cond == REGISTERED) & registered)
        | ((cond == EMAIL_UNOPENED) & ~opened)
    )
    decided = (touches["planned_at"] <= now) | (cond.isin(MONOTONE) & holds)
    state = pd.Series(PENDING, index=touches.index, dtype=object)
    state[decided & holds] = HOLDS
    state[decided & ~holds] = NOT_MET
    out["state"] = state
    click_at = pick("click", "ts")
    out["click_at"] = pd.to_datetime(click_at).astype("datetime64[us]")
    channel = pick("click", "channel").astype(object)
    out["click_channel"] = channel.where(channel.notna(), None)
    reg_at = pick("registered", "ts")
    out["registered_at"] = pd.to_datetime(reg_at).astype("datetime64[us]")
    return out
