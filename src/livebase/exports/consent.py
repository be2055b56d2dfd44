"""Consent and contact re-checked at export time (SPEC F4.3, F7.1).

The rules, one sentence each:

* A marketing touch is left out when
  :func:`livebase.playbooks.eligibility.contact_status` for its channel and purpose
  ``marketing`` gives a reason as of the export's ``now`` (an unsubscribe, complaint,
  hard bounce or withdrawal since planning, or no consent).
* A service touch (a webinar reminder) needs no marketing consent: only a complaint or a
  hard bounce on its channel, or a newest ``service`` consent record on the channel that
  is a withdrawal, leave it out (an unsubscribe from marketing does not) — the same
  ``contact_status`` with purpose ``service``.
* A touch is left out with ``no_contact`` when the customer lacks the address its channel
  needs (:func:`livebase.playbooks.eligibility.has_contact`).
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
from ibis.backends import BaseBackend

from livebase.playbooks.eligibility import contact_status

MARKETING = "marketing"
SERVICE = "service"
PURPOSES = (MARKETING, SERVICE)


def suppressed(
    con: BaseBackend, audience: ibis.Table, *, channel: str, purpose: str, as_of: dt.datetime
) -> pd.DataFrame:
    """customer_id → reason_code of the ``audience`` members who may not get a touch of
    ``channel`` and ``purpose`` now (only those with a reason)."""
    status = contact_status(con, audience, channel=channel, purpose=purpose, as_of=as_of)
    status = status.filter(status.reason_code.notnull()).select("customer_id", "reason_code")
    return status.to_pandas()
