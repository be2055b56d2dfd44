"""The consent log (SPEC F7.1, seed 004): current state, summary, history, personalisation.

The rules, one sentence each:

* ``consents`` is a log: every grant and withdrawal is kept, and re-importing a record
  already stored (same customer, channel, purpose and timestamp) adds nothing.
* The current state of a customer × channel × purpose is its newest record with
  ``ts`` before ``as_of``; at equal timestamps a withdrawal wins over a grant.
* Marketing and personalisation are separate purposes: a grant for one says nothing
  about the other.
* A customer may be personalised when their newest personalisation record on any channel
  is a grant (the consent is about using the person's data; the channel only says where
  it was collected), with the same withdrawal-wins tie rule.
* A personalisation consent is parental when the record that grants it was given by a
  ``parent`` or ``guardian`` (compared case-insensitively).
* A customer has a child when ``customers.child_birth_date`` is set.
* The summary counts, per channel × purpose, the customers whose current state is a grant
  (``granted``) or a withdrawal (``withdrawn``), their total (``customers``) and the
  current personalisation grants given by a parent or guardian (``parental``; 0 for the
  other purposes).
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
from ibis.backends import BaseBackend

PERSONALISATION = "personalisation"
PARENTAL_GIVERS = ("parent", "guardian")
STATE_COLUMNS = (
    "customer_id",
    "channel",
    "purpose",
    "granted",
    "ts",
    "offer_version",
    "source",
    "given_by",
)
HISTORY_COLUMNS = (
    "ts",
    "channel",
    "purpose",
    "granted",
    "given_by",
    "offer_version",
    "source",
)
SUMMARY_COLUMNS = ("channel", "purpose", "granted", "withdrawn", "customers", "parental")


def _newest(c: ibis.Table, group_by: list[str]) -> ibis.Table:
    """The newest record per ``group_by``; at equal ``ts`` a withdrawal (False) first."""
    w = ibis.window(group_by=[c[g] for g in group_by], order_by=[ibis.desc(c.ts), c.granted])
    return c.mutate(_rn=ibis.row_number().over(w)).filter(ibis._._rn == 0).drop("_rn")


def consent_state(
    con: BaseBackend,
    *,
    as_of: dt.datetime,
    channel: str | None = None,
    purpose: str | None = None,
) -> ibis.Table:
    """The current state per customer × channel × purpose from records before ``as_of``.

    Columns: customer_id, channel, purpose, granted, ts (when the state was set),
    offer_version, source, given_by. ``channel`` / ``purpose`` narrow the log first.
    """
    c = con.table("consents")
    cond = c.ts < as_of
    if channel is not None:
        cond &= c.channel == channel
    if purpose is not None:
        cond &= c.purpose == purpose
    return _newest(c.filter(cond), ["customer_id", "channel", "purpose"]).select(*STATE_COLUMNS)


def _is_parental(given_by: ibis.Value) -> ibis.Value:
    return given_by.lower().strip().isin(PARENTAL_GIVERS).fill_null(False)


def consent_summary(con: BaseBackend, *, as_of: dt.datetime) -> pd.DataFrame:
    """Per channel × purpose (sorted): granted, withdrawn, customers, parental."""
    s = consent_state(con, as_of=as_of)
    agg = s.group_by("channel", "purpose").aggregate(
        granted=s.granted.sum().cast("int64"),
        withdrawn=(~s.granted).sum().cast("int64"),
        customers=s.customer_id.nunique().cast("int64"),
        parental=(s.granted & (s.purpose == PERSONALISATION) & _is_parental(s.given_by))
        .sum()
        .cast("int64"),
    )
    frame = agg.order_by("channel", "purpose").to_pandas()
    return frame.reindex(columns=list(SUMMARY_COLUMNS)).reset_index(drop=True)


def consent_history(con: BaseBackend, customer_id: str) -> pd.DataFrame:
    """Every consent record of ``customer_id``, oldest first (empty when there is none).

    Columns: ts, channel, purpose, granted, given_by, offer_version, source. At equal
    timestamps a grant is listed before a withdrawal, so the last row of a channel ×
    purpose is its current state.
    """
    c = con.table("consents")
    c = c.filter(c.customer_id == customer_id)
    c = c.order_by(c.ts, c.channel, c.purpose, ibis.desc(c.granted)).select(*HISTORY_COLUMNS)
    return c.to_pandas().reset_index(drop=True)


def personalisation_allowed(
    con: BaseBackend, audience: ibis.Table, *, as_of: dt.datetime
) -> ibis.Table:
    """``audience`` (customer_id, ...) with ``personalised``, ``parental`` and ``has_child``.

    ``personalised``: the newest personalisation record before ``as_of`` on any channel is
    a grant (at equal ``ts`` a withdrawal wins); ``parental``: personalised and that record
    was given by a parent or guardian; ``has_child``: ``customers.child_birth_date`` is set.
    """
    c = con.table("consents")
    c = c.filter((c.purpose == PERSONALISATION) & (c.ts < as_of))
    newest = _newest(c, ["customer_id"])
    latest = newest.select(
        "customer_id", _granted=newest.granted, _parental=_is_parental(newest.given_by)
    )
    cu = con.table("customers")
    kids = cu.select("customer_id", _child=cu.child_birth_date.notnull())
    cols = list(audience.columns)
    j = audience.left_join(latest, "customer_id").select(*cols, "_granted", "_parental")
    j = j.left_join(kids, "customer_id").select(*cols, "_granted", "_parental", "_child")
    personalised = j._granted.fill_null(False)
    return j.mutate(
        personalised=personalised,
        parental=personalised & j._parental.fill_null(False),
        has_child=j._child.fill_null(False),
    ).drop("_granted", "_parental", "_child")
