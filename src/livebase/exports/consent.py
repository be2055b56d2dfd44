"""Consent and contact re-checked at export time (SPEC F4.3, F7.1).

The rules, one sentence each:

* A marketing touch is left out when
  :func:`livebase.playbooks.eligibility.contact_status` for its channel and purpose
  ``marketing`` gives a reason as of the export's ``now`` (an unsubscribe, complaint,
  hard bounce or withdrawal since planning, or no consent).
* A service touch (a webinar reminder) needs no marketing consent: only a complaint or a
  hard bounce on its channel, or a newest ``service`` consent record on the channel that
  is a withdrawal, leave it out (an unsubscribe from marketing does not).
* A touch is left out with ``no_contact`` when the customer has no e-mail address (e-mail),
  no phone number (messenger, SMS, call) or neither (retargeting); a push goes to the
  customer's id and needs neither.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
from ibis.backends import BaseBackend

from livebase.playbooks import reasons
from livebase.playbooks.consents import consent_state
from livebase.playbooks.eligibility import contact_status

MARKETING = "marketing"
SERVICE = "service"
PURPOSES = (MARKETING, SERVICE)

# which contact field a channel needs: one of them must be set
NEEDS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "messenger": ("phone",),
    "sms": ("phone",),
    "call": ("phone",),
    "retargeting": ("email", "phone"),
    "push": (),
}


def service_status(
    con: BaseBackend, audience: ibis.Table, *, channel: str, as_of: dt.datetime
) -> ibis.Table:
    """``audience`` (customer_id, ...) with ``reason_code`` for a service message: null
    unless a complaint, a hard bounce or a withdrawn service consent stops it."""
    state = consent_state(con, as_of=as_of, channel=channel, purpose=SERVICE).select(
        "customer_id", _granted="granted"
    )
    m = con.table("messages")
    m = m.filter((m.channel == channel) & (m.ts < as_of))
    sup = m.group_by("customer_id").aggregate(
        _complained=(m.event == "complained").any(),
        _bounced=(m.event == "bounced_hard").any(),
    )
    cols = list(audience.columns)
    j = audience.left_join(state, "customer_id").select(*cols, "_granted")
    j = j.left_join(sup, "customer_id").select(*cols, "_granted", "_complained", "_bounced")
    reason = ibis.cases(
        (j._complained.fill_null(False), reasons.COMPLAINED),
        (j._bounced.fill_null(False), reasons.HARD_BOUNCE),
        (~j._granted.fill_null(True), reasons.WITHDRAWN),
        else_=ibis.null("string"),
    )
    return j.mutate(reason_code=reason).drop("_granted", "_complained", "_bounced")


def suppressed(
    con: BaseBackend, audience: ibis.Table, *, channel: str, purpose: str, as_of: dt.datetime
) -> pd.DataFrame:
    """customer_id → reason_code of the ``audience`` members who may not get a touch of
    ``channel`` and ``purpose`` now (only those with a reason)."""
    if purpose == SERVICE:
        status = service_status(con, audience, channel=channel, as_of=as_of)
    else:
        status = contact_status(con, audience, channel=channel, purpose=purpose, as_of=as_of)
    status = status.filter(status.reason_code.notnull()).select("customer_id", "reason_code")
    return status.to_pandas()


def has_contact(channel: str, email: pd.Series, phone: pd.Series) -> pd.Series:
    """Whether each customer has the address ``channel`` needs (blank counts as none).

    >>> has_contact("retargeting", pd.Series(["a@x.ru", None]), pd.Series([None, " "])).tolist()
    [True, False]
    """
    fields = {"email": email, "phone": phone}
    need = NEEDS[channel]
    if not need:
        return pd.Series(True, index=email.index)
    ok = pd.Series(False, index=email.index)
    for name in need:
        value = fields[name]
        ok |= value.notna() & (value.astype(str).str.strip() != "")
    return ok
