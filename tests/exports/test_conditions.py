"""Conditions of touches decided from literal events.

now = 10 May 12:00. A touch "due" is planned before now; "later" after it.
"""

import datetime as dt

import pandas as pd
import pytest

from livebase.errors import InputError
from livebase.exports.conditions import evaluate

T = dt.datetime
NOW = T(2025, 5, 10, 12)
DUE, LATER = T(2025, 5, 10, 9), T(2025, 5, 11, 9)
PARENT = T(2025, 5, 9, 9)


def _touches(rows):
    return pd.DataFrame(rows, columns=["customer_id", "planned_at", "condition", "parent_at"])


EVENTS = pd.DataFrame(
    [
        # a: clicked the sms on 9 May 10:00 (and so saw nothing by e-mail)
        ("a", T(2025, 5, 9, 10), "click", "sms"),
        # b: opened an e-mail before the parent e-mail went out, and after now
        ("b", T(2025, 5, 8), "email_seen", "email"),
        ("b", T(2025, 5, 10, 13), "email_seen", "email"),
        # c: opened the e-mail at 10 May 08:00; registered at 11:00
        ("c", T(2025, 5, 10, 8), "email_seen", "email"),
        ("c", T(2025, 5, 10, 11), "registered", None),
    ],
    columns=["customer_id", "ts", "kind", "channel"],
)


@pytest.mark.parametrize(
    ("who", "planned", "condition", "state"),
    [
        ("a", DUE, "interest", "holds"),
        ("a", LATER, "interest", "holds"),  # true for good: no need to wait
        ("b", DUE, "interest", "condition_not_met"),
        ("b", LATER, "interest", "pending"),  # a click may still come
        ("a", DUE, "no_interest", "condition_not_met"),
        ("b", DUE, "no_interest", "holds"),
        ("b", LATER, "no_interest", "pending"),  # a click would still cancel it
        ("c", DUE, "registered", "condition_not_met"),  # registered after the touch was due
        ("c", LATER, "registered", "holds"),
        ("b", DUE, "email_unopened", "holds"),  # the opens are outside the window
        ("c", DUE, "email_unopened", "condition_not_met"),  # opened within it
        ("b", LATER, "email_unopened", "pending"),
    ],
)
def test_condition_states(who, planned, condition, state):
    got = evaluate(_touches([(who, planned, condition, PARENT)]), EVENTS, now=NOW)
    assert got["state"].tolist() == [state]


def test_evidence_of_a_click_and_a_registration():
    touches = _touches([("a", DUE, "interest", None), ("c", LATER, "registered", None)])
    got = evaluate(touches, EVENTS, now=NOW)
    assert got["click_channel"].tolist() == ["sms", None]
    assert got["click_at"].tolist()[0] == pd.Timestamp(2025, 5, 9, 10)
    assert got["registered_at"].tolist()[1] == pd.Timestamp(2025, 5, 10, 11)


def test_unknown_condition():
    with pytest.raises(InputError, match="unknown touch condition 'maybe'"):
        evaluate(_touches([("a", DUE, "maybe", None)]), EVENTS, now=NOW)
