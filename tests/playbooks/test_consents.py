import datetime as dt

import ibis
import pandas as pd

from livebase.ingest.pipeline import import_file
from livebase.playbooks.consents import (
    consent_history,
    consent_state,
    consent_summary,
    personalisation_allowed,
)
from livebase.playbooks.eligibility import contact_status
from livebase.store.write import upsert

T = dt.datetime
HEADER = "user_id,email,phone,channel,purpose,granted,ts,offer_version,source,given_by\n"


def put_consents(ws, rows):
    """rows: (customer, channel, purpose, granted, ts, given_by)."""
    upsert(
        ws.con,
        "consents",
        pd.DataFrame(
            [
                {
                    "customer_id": c,
                    "channel": ch,
                    "purpose": p,
                    "granted": g,
                    "ts": ts,
                    "offer_version": "2025-01",
                    "source": "form",
                    "given_by": by,
                }
                for c, ch, p, g, ts, by in rows
            ]
        ),
    )


def state(ws, as_of):
    s = consent_state(ws.con, as_of=as_of).to_pandas()
    return {(r.customer_id, r.channel, r.purpose): (r.granted, r.ts) for r in s.itertuples()}


def test_import_keeps_history_and_a_withdrawal_flips_the_state(ws, tmp_path):
    first = tmp_path / "consents-1.csv"
    first.write_text(
        HEADER
        + "7,k@x.ru,,email,marketing,true,2025-01-10T09:00:00Z,2024-12,checkout,self\n"
        + "7,k@x.ru,,email,personalisation,true,2025-01-10T09:00:00Z,2024-12,checkout,parent\n"
    )
    r1 = import_file(ws, first, "consents")
    assert r1.rows_new == 2
    again = import_file(ws, first, "consents")  # the same file: recognised, nothing added
    assert again.already_imported_as == r1.import_id
    assert ws.table("consents").count().execute() == 2
    # a later export overlaps the first one and adds a withdrawal of e-mail marketing
    second = tmp_path / "consents-2.csv"
    second.write_text(
        first.read_text()
        + "7,k@x.ru,,email,marketing,false,2025-03-01T12:00:00Z,2025-02,unsubscribe_page,self\n"
    )
    r2 = import_file(ws, second, "consents")
    assert (r2.rows_new, r2.rows_updated) == (1, 0)  # the two known records are not doubled
    assert ws.table("consents").count().execute() == 3

    before, after = T(2025, 2, 1), T(2025, 4, 1)
    assert state(ws, before)[("gc:7", "email", "marketing")] == (True, T(2025, 1, 10, 9))
    assert state(ws, after)[("gc:7", "email", "marketing")] == (False, T(2025, 3, 1, 12))
    # the withdrawal of marketing leaves personalisation granted
    assert state(ws, after)[("gc:7", "email", "personalisation")] == (True, T(2025, 1, 10, 9))

    h = consent_history(ws.con, "gc:7")
    assert list(h.columns) == [
        "ts",
        "channel",
        "purpose",
        "granted",
        "given_by",
        "offer_version",
        "source",
    ]
    assert h[["purpose", "granted", "given_by", "offer_version", "source"]].values.tolist() == [
        ["marketing", True, "self", "2024-12", "checkout"],
        ["personalisation", True, "parent", "2024-12", "checkout"],
        ["marketing", False, "self", "2025-02", "unsubscribe_page"],
    ]
    assert consent_history(ws.con, "nobody").empty


def test_newest_wins_tie_rule_and_as_of_cut(ws):
    put_consents(
        ws,
        [
            ("a", "email", "marketing", True, T(2025, 1, 1), "self"),
            ("a", "email", "marketing", False, T(2025, 2, 1), "self"),  # newer: withdrawn
            ("b", "email", "marketing", False, T(2025, 1, 1), "self"),
            ("b", "email", "marketing", True, T(2025, 2, 1), "self"),  # granted again
            ("c", "email", "marketing", True, T(2025, 3, 1), "self"),  # tie at 1 March:
            ("c", "sms", "marketing", True, T(2025, 3, 1), "self"),
            ("d", "email", "marketing", True, T(2025, 5, 1), "self"),  # on as_of: not yet
        ],
    )
    # the log's key (customer, channel, purpose, ts) lets upsert keep only one record of a
    # same-moment pair; a store loaded otherwise may hold both, so insert the withdrawal raw
    ws.con.raw_sql(
        "INSERT INTO consents VALUES "
        "('c', 'email', 'marketing', false, TIMESTAMP '2025-03-01', '2025-01', 'form', 'self')"
    )
    got = state(ws, T(2025, 5, 1))
    assert got == {
        ("a", "email", "marketing"): (False, T(2025, 2, 1)),
        ("b", "email", "marketing"): (True, T(2025, 2, 1)),
        ("c", "email", "marketing"): (False, T(2025, 3, 1)),  # withdrawal wins the tie
        ("c", "sms", "marketing"): (True, T(2025, 3, 1)),  # other channel: own state
    }
    # as of 1 February 2025 (exclusive) only the January records count
    assert state(ws, T(2025, 2, 1)) == {
        ("a", "email", "marketing"): (True, T(2025, 1, 1)),
        ("b", "email", "marketing"): (False, T(2025, 1, 1)),
    }
    # contact_status uses the same state: same tie rule
    audience = ibis.memtable(pd.DataFrame({"customer_id": list("abcd")}))
    reasons = (
        contact_status(ws.con, audience, channel="email", purpose="marketing", as_of=T(2025, 5, 1))
        .to_pandas()
        .set_index("customer_id")
        .reason_code.to_dict()
    )
    assert reasons == {
        "a": "consent_withdrawn",
        "b": None,
        "c": "consent_withdrawn",
        "d": "no_consent",
    }


def test_summary(ws):
    put_consents(
        ws,
        [
            ("a", "email", "marketing", True, T(2025, 1, 1), "self"),
            ("b", "email", "marketing", True, T(2025, 1, 1), "self"),
            ("b", "email", "marketing", False, T(2025, 2, 1), "self"),
            ("a", "email", "personalisation", True, T(2025, 1, 1), "parent"),
            ("b", "email", "personalisation", True, T(2025, 1, 1), "self"),
            ("c", "email", "personalisation", True, T(2025, 1, 1), "parent"),
            ("c", "email", "personalisation", False, T(2025, 2, 1), "parent"),
            ("a", "sms", "marketing", True, T(2025, 1, 1), "parent"),  # not personalisation
            ("d", "sms", "marketing", True, T(2025, 9, 1), "self"),  # after as_of
        ],
    )
    got = consent_summary(ws.con, as_of=T(2025, 6, 1))
    # email marketing: a granted, b withdrawn; email personalisation: a (parent) and b
    # granted, c withdrawn -> 1 parental; sms marketing: a granted, parental counts only
    # personalisation
    assert got.to_dict("records") == [
        {
            "channel": "email",
            "purpose": "marketing",
            "granted": 1,
            "withdrawn": 1,
            "customers": 2,
            "parental": 0,
        },
        {
            "channel": "email",
            "purpose": "personalisation",
            "granted": 2,
            "withdrawn": 1,
            "customers": 3,
            "parental": 1,
        },
        {
            "channel": "sms",
            "purpose": "marketing",
            "granted": 1,
            "withdrawn": 0,
            "customers": 1,
            "parental": 0,
        },
    ]


def test_personalisation_apart_from_marketing_and_parental(ws):
    put_consents(
        ws,
        [
            # m: marketing only -> no personalisation
            ("m", "email", "marketing", True, T(2025, 1, 1), "self"),
            # p: granted on sms by a parent, nothing on email -> any channel counts
            ("p", "sms", "personalisation", True, T(2025, 1, 1), "Parent"),
            # g: guardian
            ("g", "email", "personalisation", True, T(2025, 1, 1), "guardian"),
            # w: granted on email, withdrawn later on messenger -> the newest wins
            ("w", "email", "personalisation", True, T(2025, 1, 1), "self"),
            ("w", "messenger", "personalisation", False, T(2025, 2, 1), "self"),
            # s: withdrawn by a parent, granted again by the person later
            ("s", "email", "personalisation", False, T(2025, 1, 1), "parent"),
            ("s", "email", "personalisation", True, T(2025, 2, 1), "self"),
            # t: grant on email and withdrawal on sms at the same moment -> withdrawal
            ("t", "email", "personalisation", True, T(2025, 3, 1), "self"),
            ("t", "sms", "personalisation", False, T(2025, 3, 1), "self"),
            # f: granted after as_of -> not yet
            ("f", "email", "personalisation", True, T(2025, 7, 1), "parent"),
        ],
    )
    upsert(
        ws.con,
        "customers",
        pd.DataFrame(
            {
                "customer_id": ["p", "m", "w"],
                "child_birth_date": [dt.date(2016, 5, 1), None, dt.date(2012, 1, 1)],
            }
        ),
    )
    audience = ibis.memtable(pd.DataFrame({"customer_id": list("mpgwstfz"), "arm": "x"}))
    got = (
        personalisation_allowed(ws.con, audience, as_of=T(2025, 6, 1))
        .to_pandas()
        .sort_values("customer_id")
    )
    assert list(got.columns) == ["customer_id", "arm", "personalised", "parental", "has_child"]
    rows = {r.customer_id: (r.personalised, r.parental, r.has_child) for r in got.itertuples()}
    assert rows == {
        "m": (False, False, False),
        "p": (True, True, True),
        "g": (True, True, False),
        "w": (False, False, True),
        "s": (True, False, False),
        "t": (False, False, False),
        "f": (False, False, False),
        "z": (False, False, False),  # no record, not a customer
    }
