"""Who may be contacted on a channel: consent and suppression (SPEC F4.3, F7.1).

Consent is per channel and purpose; the newest record wins. Unsubscribes, complaints
and hard bounces on the channel suppress the person whatever the consent says.
Each excluded customer gets a reason code.
"""

from __future__ import annotations

import datetime as dt

import ibis
from ibis.backends import BaseBackend

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
    c = con.table("consents")
    c = c.filter((c.channel == channel) & (c.purpose == purpose) & (c.ts < as_of))
    w = ibis.window(group_by=c.customer_id, order_by=[ibis.desc(c.ts), c.granted])
    latest = (
        c.mutate(rn=ibis.row_number().over(w))
        .filter(ibis._.rn == 0)
        .select("customer_id", granted="granted")
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
    reason = ibis.cases(
        (j.complained.fill_null(False), COMPLAINED),
        (j.unsub.fill_null(False), UNSUBSCRIBED),
        (j.bounced.fill_null(False), HARD_BOUNCE),
        (j.granted.isnull(), NO_CONSENT),
        (~j.granted, WITHDRAWN),
        else_=ibis.null("string"),
    )
    return j.mutate(reason_code=reason).drop("granted", "unsub", "complained", "bounced")
