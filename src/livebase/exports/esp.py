"""ESP-ready send lists: one CSV per channel and arm (SPEC F4.5, F7.3).

The rules, one sentence each:

* There is one file ``<wave_id>/<channel>-<arm>.csv`` for each of e-mail, messenger, SMS
  and push and each arm with touches planned on that channel (a file with only its header
  when every touch was left out), and none for the holdout, which has no touches.
* A row is one touch going out now, and rows are sorted by planned time, customer and
  touch number.
* A file carries only what its channel needs (SPEC F7.3): e-mail the address, messenger
  and SMS the phone (E.164), each with the name for the greeting; push neither contact nor
  name (the app knows the customer by id); every file has customer_id, send_at (UTC),
  send_at_local (the customer's time zone), pattern, offer, deadline (UTC) and touch_no.
"""

from __future__ import annotations

import pandas as pd

from livebase.exports.files import as_datetime, as_value, local_text, safe_text, utc_iso

ESP_CHANNELS = ("email", "messenger", "sms", "push")
CONTACT = {"email": ["email"], "messenger": ["phone"], "sms": ["phone"], "push": []}
NAMED = ("email", "messenger", "sms")  # the channels whose message greets by name
TAIL = ["send_at", "send_at_local", "pattern", "offer", "deadline", "touch_no"]


def header(channel: str) -> list[str]:
    """>>> header("sms")
    ['customer_id', 'phone', 'name', 'send_at', 'send_at_local', 'pattern', 'offer', \
'deadline', 'touch_no']
    >>> header("push")[:2]
    ['customer_id', 'send_at']
    """
    return ["customer_id", *CONTACT[channel], *(["name"] if channel in NAMED else []), *TAIL]


def esp_rows(touches: pd.DataFrame, channel: str) -> list[list[object]]:
    """The rows of one channel's file from exported touches (already in file order)."""
    rows = []
    for r in touches.itertuples(index=False):
        contact = [getattr(r, c) for c in CONTACT[channel]]
        named = [safe_text(r.name)] if channel in NAMED else []
        rows.append(
            [
                r.customer_id,
                *contact,
                *named,
                utc_iso(as_datetime(r.planned_at)),
                local_text(as_datetime(r.local_at)),
                r.pattern,
                as_value(r.offer),
                utc_iso(as_datetime(r.deadline)),
                int(r.touch_no),
            ]
        )
    return rows
