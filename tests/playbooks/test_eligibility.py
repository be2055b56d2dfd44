import datetime as dt

import pandas as pd

from livebase.playbooks.eligibility import contact_status
from livebase.store.write import upsert

T = dt.datetime


def test_consent_and_suppression(ws):
    consents = [
        ("a", True, T(2025, 1, 1)),
        ("b", True, T(2025, 1, 1)),
        ("b", False, T(2025, 2, 1)),  # withdrawn later: newest wins
        ("c", False, T(2025, 1, 1)),
        ("c", True, T(2025, 3, 1)),  # granted again
        ("d", True, T(2025, 1, 1)),
        ("e", True, T(2025, 1, 1)),
        ("f", True, T(2025, 6, 1)),  # after the as-of date: not yet
    ]
    upsert(
        ws.con,
        "consents",
        pd.DataFrame(
            [
                {
                    "customer_id": c,
                    "channel": "email",
                    "purpose": "marketing",
                    "granted": g,
                    "ts": ts,
                }
                for c, g, ts in consents
            ]
            + [
                {
                    "customer_id": "a",
                    "channel": "sms",
                    "purpose": "marketing",
                    "granted": False,
                    "ts": T(2025, 4, 1),
                }
            ]
        ),
    )
    upsert(
        ws.con,
        "messages",
        pd.DataFrame(
            [
                {
                    "event_id": "1",
                    "customer_id": "d",
                    "ts": T(2025, 2, 1),
                    "channel": "email",
                    "event": "unsubscribed",
                },
                {
                    "event_id": "2",
                    "customer_id": "e",
                    "ts": T(2025, 2, 1),
                    "channel": "email",
                    "event": "bounced_hard",
                },
            ]
        ),
    )
    import ibis

    audience = ibis.memtable(pd.DataFrame({"customer_id": list("abcdefg")}))
    got = (
        contact_status(ws.con, audience, channel="email", purpose="marketing", as_of=T(2025, 5, 1))
        .to_pandas()
        .set_index("customer_id")
        .reason_code.to_dict()
    )
    assert got == {
        "a": None,
        "b": "consent_withdrawn",
        "c": None,
        "d": "unsubscribed",
        "e": "hard_bounce",
        "f": "no_consent",
        "g": "no_consent",
    }
