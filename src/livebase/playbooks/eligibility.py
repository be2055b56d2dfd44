"""Who may be contacted on a channel: consent and suppression (SPEC F4.3, F7.1).

Consent is per channel and purpose; the newest record wins. Unsubscribes, complaints
and hard bounces on the channel suppress the person whatever the consent says.
Each excluded customer gets a reason code. A channel needs its address
(:func:`has_contact`): e-mail an e-mail address, messenger, SMS and calls a phone,
retargeting either; a push goes to the customer's id. Service messages (purpose ``service``) need
no opt-in: only a complaint, a hard bounce or an explicit withdrawal stops them.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
from ibis.backends import BaseBackend

from livebase.playbooks.consents import consent_state

NO_CONSENT = "no_consent"
WITHDRAWN = "consent_withdrawn"
UNSUBSCRIBED = "unsubscribed"
COMPLAINED = "complained"
HARD_BOUNCE = "hard_bounce"


def contact_status(
    con: BaseBackend,
    audience: ibis.Table,
    *,
    channel: str,
    purpose: str,
    as_of: dt.datetime,
) -> ibis.Table:
    """``audience`` (customer_id, ...) with ``reason_code``: null when contactable."""
    # newest record wins, a withdrawal at equal ts (livebase.playbooks.consents)
    latest = consent_state(con, as_of=as_of, channel=channel, purpose=purpose).select(
        "customer_id", "granted"
    )
    m = con.table("messages")
    m = m.filter((m.channel == channel) & (m.ts < as_of))
    sup = m.group_by("customer_id").aggregate(
        unsub=m.event.isin(["unsubscribed"]).any(),
        complained=m.event.isin(["complained"]).any(),
        bounced=m.event.isin(["bounced_hard"]).any(),
    )
    cols = list(audience.columns)
    j = audience.left_join(latest, "customer_id").select(*cols, "granted")
    j = j.left_join(sup, "customer_id").select(*cols, "granted", "unsub", "complained", "bounced")
    if purpose == "service":
        # service messages (access, reminders of a registered event, onboarding of a
        # course bought) need no opt-in: only a complaint, a hard bounce or an explicit
        # withdrawal of service messages stops them; unsubscribing from a newsletter does not
        reason = ibis.cases(
            (j.complained.fill_null(False), COMPLAINED),
            (j.bounced.fill_null(False), HARD_BOUNCE),
            (~j.granted.fill_null(True), WITHDRAWN),
            else_=ibis.null("string"),
        )
    else:
        reason = ibis.cases(
            (j.complained.fill_null(False), COMPLAINED),
            (j.unsub.fill_null(False), UNSUBSCRIBED),
            (j.bounced.fill_null(False), HARD_BOUNCE),
            (j.granted.isnull(), NO_CONSENT),
            (~j.granted, WITHDRAWN),
            else_=ibis.null("string"),
        )
    return j.mutate(reason_code=reason).drop("granted", "unsub", "complained", "bounced")


# which contact field a channel needs: one of them must be set
NEEDS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "messenger": ("phone",),
    "sms": ("phone",),
    "call": ("phone",),
    "retargeting": ("email", "phone"),
    "push": (),
}


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
