import datetime as dt

import pandas as pd
import pytest

from livebase.errors import InsufficientData
from livebase.segments.temperature import TemperatureRow, temperature, temperature_summary
from livebase.store.write import upsert

AS_OF = dt.date(2025, 5, 5)


def _at(days_before: int, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(AS_OF - dt.timedelta(days=days_before), dt.time(hour))


def _segments(ws, tiers: dict[str, str | None], as_of=AS_OF, version="monetary"):
    upsert(
        ws.con,
        "segments",
        pd.DataFrame(
            {
                "as_of": [as_of] * len(tiers),
                "version": [version] * len(tiers),
                "customer_id": list(tiers),
                "segment": ["x"] * len(tiers),
                "rule": ["x"] * len(tiers),
                "sleep_tier": list(tiers.values()),
            }
        ),
    )


def _activities(ws, rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "ts", "kind"])
    frame["event_id"] = [f"a{i}" for i in range(len(frame))]
    upsert(ws.con, "activities", frame)


def _messages(ws, rows, prefix="m"):
    frame = pd.DataFrame(rows, columns=["customer_id", "ts", "channel", "event", "campaign_id"])
    frame["event_id"] = [f"{prefix}{i:03d}" for i in range(len(frame))]
    upsert(ws.con, "messages", frame)


def _emails(cust, days, opened=(), event="opened", campaign=True):
    """Emails sent ``days`` before AS_OF (campaign e<day>); opens of the given days."""
    rows = [(cust, _at(d), "email", "sent", f"e{d}" if campaign else None) for d in days]
    rows += [(cust, _at(d - 1 if d > 0 else d), "email", event, f"e{d}") for d in opened]
    return rows


def _school(ws):
    _segments(ws, {"s1": "R90", "s2": "R180", "s3": "R270", "s4": "R90", "s5": "R90", "a1": None})
    _activities(
        ws,
        [
            ("s1", _at(10), "login"),
            ("s2", _at(30), "login"),  # 30 days ago: outside the last 30 days
            ("s2", _at(2), "lesson_start"),  # not a login
            ("s3", _at(29), "login"),
            ("s5", _at(0, 23), "login"),
            ("a1", _at(1), "login"),
            ("s4", _at(-1), "login"),  # after as_of: not seen yet
        ],
    )
    _messages(
        ws,
        [
            # s1: five emails, one opened; a messenger message answered by a click
            *_emails("s1", [50, 40, 30, 20, 10], opened=[30]),
            ("s1", _at(20), "messenger", "sent", "chat1"),
            ("s1", _at(19), "messenger", "clicked", "chat1"),
            # s2: six emails, only the oldest opened; a messenger "opened" of a recent
            # email campaign is not an email open; messenger sent, never clicked
            *_emails("s2", [60, 50, 40, 30, 20, 10], opened=[60]),
            ("s2", _at(9), "messenger", "opened", "e10"),
            ("s2", _at(5), "messenger", "sent", "chat2"),
            # s3: four emails only; messenger last sent 100 days ago
            *_emails("s3", [40, 30, 20, 10]),
            ("s3", _at(100), "messenger", "sent", "chat3"),
            ("s3", _at(99), "messenger", "clicked", "chat3"),
            # s4: five emails, the open comes after as_of; a messenger click in the window
            *_emails("s4", [50, 40, 30, 20, 10]),
            ("s4", _at(-2), "email", "opened", "e10"),
            ("s4", _at(80), "messenger", "clicked", "chat4"),
            # s5: five emails without campaign ids cannot be matched to an open
            *_emails("s5", [50, 40, 30, 20, 10], campaign=False),
            ("s5", _at(9), "email", "opened", None),
            # a1 is not asleep
            *_emails("a1", [50, 40, 30, 20, 10]),
        ],
    )


def test_triggers_from_literal_rows(ws):
    _school(ws)
    t = temperature(ws, AS_OF).to_pandas().set_index("customer_id")
    assert list(t.columns) == [
        "sleep_tier",
        "no_login_30d",
        "last5_unopened",
        "no_replies",
        "triggers",
        "known_triggers",
        "temperature",
    ]
    assert list(t.index) == ["s1", "s2", "s3", "s4", "s5"]  # a1 is not sleeping

    def flags(c):
        row = t.loc[c]
        return tuple(
            None if pd.isna(row[k]) else bool(row[k])
            for k in ("no_login_30d", "last5_unopened", "no_replies")
        )

    assert flags("s1") == (False, False, False)
    assert flags("s2") == (True, True, True)
    assert flags("s3") == (False, None, None)
    assert flags("s4") == (True, True, False)
    assert flags("s5") == (False, True, None)
    got = t[["triggers", "known_triggers", "temperature"]].to_dict("index")
    assert got == {
        "s1": {"triggers": 0, "known_triggers": 3, "temperature": "warm"},
        "s2": {"triggers": 3, "known_triggers": 3, "temperature": "cold"},
        "s3": {"triggers": 0, "known_triggers": 1, "temperature": "warm"},
        "s4": {"triggers": 2, "known_triggers": 3, "temperature": "cold"},
        "s5": {"triggers": 1, "known_triggers": 2, "temperature": "cooling"},
    }


def test_the_last_five_emails_are_the_newest(ws):
    _segments(ws, {"s": "R90"})
    # seven emails; the two oldest were opened, the five newest were not
    _messages(ws, _emails("s", [70, 60, 50, 40, 30, 20, 10], opened=[70, 60]))
    t = temperature(ws, AS_OF).to_pandas()
    assert bool(t.last5_unopened[0]) is True
    # a click in the third newest breaks it
    _messages(ws, [("s", _at(25), "email", "clicked", "e30")], prefix="late")
    t = temperature(ws, AS_OF).to_pandas()
    assert bool(t.last5_unopened[0]) is False


def test_without_login_data_the_trigger_is_unknown(ws):
    _segments(ws, {"s": "R180", "t": "R90"})
    _activities(ws, [("s", _at(60), "lesson_start")])  # activity data, but no logins
    t = temperature(ws, AS_OF).to_pandas()
    assert t.no_login_30d.isna().all()
    assert t.last5_unopened.isna().all()
    assert t.no_replies.isna().all()
    assert list(t.triggers) == [0, 0]
    assert list(t.known_triggers) == [0, 0]
    assert list(t.temperature) == ["warm", "warm"]


def test_segments_are_required(ws):
    with pytest.raises(InsufficientData, match="no monetary segments for 2025-05-05"):
        temperature(ws, AS_OF)
    _segments(ws, {"s": "R90"}, as_of=AS_OF - dt.timedelta(days=1))
    with pytest.raises(InsufficientData, match="run `livebase segment --as-of 2025-05-05` first"):
        temperature_summary(ws, AS_OF)
    # behavioural segments of the date do not put anyone to sleep by purchases
    _segments(ws, {"s": "R90"}, version="behavioural")
    with pytest.raises(InsufficientData, match="no monetary segments"):
        temperature(ws, AS_OF)
    assert temperature(ws, AS_OF, version="behavioural").count().execute() == 1


def test_summary_per_tier(ws):
    _school(ws)
    rows = temperature_summary(ws, AS_OF)
    third = 1 / 3
    assert rows == (
        TemperatureRow("R90", "warm", 1, third, 0),
        TemperatureRow("R90", "cooling", 1, third, 1),
        TemperatureRow("R90", "cold", 1, third, 0),
        TemperatureRow("R180", "cold", 1, 1.0, 0),
        TemperatureRow("R270", "warm", 1, 1.0, 1),
    )


def test_no_sleepers_gives_an_empty_table(ws):
    _segments(ws, {"a": None})
    assert temperature(ws, AS_OF).count().execute() == 0
    assert temperature_summary(ws, AS_OF) == ()
