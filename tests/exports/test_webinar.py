"""Webinar reminders and the .ics file, parsed back by a small RFC 5545 reader."""

import datetime as dt

import pandas as pd
import pytest

from livebase.errors import InputError
from livebase.exports.webinar import WebinarInfo, calendar, check_reminders, offsets_of

T = dt.datetime
START = T(2025, 5, 20, 16)
WEBINAR = WebinarInfo(
    id="web-1",
    # long and Cyrillic (2 octets a letter), with characters TEXT must escape
    title="Продажи без слива; потенциал в базе, и как его найти: практикум для школ",
    starts_at=START,
    minutes=90,
    url="https://example.com/web-1",
)


def _reminders(rows):
    return pd.DataFrame(rows, columns=["customer_id", "touch_no", "planned_at"])


def test_reminders_within_48_to_2_hours_and_at_most_3():
    ok = _reminders(
        [
            ("a", 10, START - dt.timedelta(hours=48)),
            ("a", 11, START - dt.timedelta(hours=24)),
            ("a", 12, START - dt.timedelta(hours=2)),
        ]
    )
    check_reminders(ok, WEBINAR)  # the bounds themselves are allowed
    early = _reminders([("b", 10, START - dt.timedelta(hours=48, minutes=1))])
    with pytest.raises(InputError, match=r"reminder 10 of customer 'b'.*48 to 2 hours"):
        check_reminders(early, WEBINAR)
    late = _reminders([("b", 10, START - dt.timedelta(minutes=90))])
    with pytest.raises(InputError, match="48 to 2 hours"):
        check_reminders(late, WEBINAR)
    four = pd.concat([ok, _reminders([("a", 13, START - dt.timedelta(hours=3))])])
    with pytest.raises(InputError, match="customer 'a' has 4 reminders; at most 3"):
        check_reminders(four, WEBINAR)


def _parse(data: bytes) -> list[tuple[str, dict[str, str], str]]:
    """Content lines as (name, params, value), after unfolding (RFC 5545 3.1)."""
    assert data.endswith(b"\r\n")
    physical = data[:-2].split(b"\r\n")
    assert all(len(line) <= 75 for line in physical)
    assert not any(b"\n" in line or b"\r" in line for line in physical)
    logical: list[bytes] = []
    for line in physical:
        if line.startswith(b" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    out = []
    for line in logical:
        text = line.decode("utf-8")
        head, _, value = text.partition(":")
        name, *params = head.split(";")
        out.append((name, dict(p.split("=", 1) for p in params), value))
    return out


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\":
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def test_ics_parses_back():
    reminders = _reminders(
        [
            ("a", 10, START - dt.timedelta(hours=48)),
            ("b", 10, START - dt.timedelta(hours=48)),
            ("a", 11, START - dt.timedelta(hours=2, minutes=30)),
        ]
    )
    now = T(2025, 5, 14, 12)
    data = calendar(WEBINAR, offsets=offsets_of(reminders, WEBINAR), now=now, lang="ru")
    lines = _parse(data)
    names = [n for n, _, _ in lines]
    assert names[:2] == ["BEGIN", "VERSION"]
    assert lines[0][2] == "VCALENDAR"
    assert lines[-1] == ("END", {}, "VCALENDAR")
    assert names.count("BEGIN") == names.count("END") == 4  # calendar, event, two alarms
    event_at = names.index("BEGIN", 1)
    event = {n: v for n, _, v in lines[event_at : names.index("BEGIN", event_at + 1)]}
    assert event["UID"] == "web-1@livebase"
    assert event["DTSTAMP"] == "20250514T120000Z"
    assert event["DTSTART"] == "20250520T160000Z"
    assert event["DTEND"] == "20250520T173000Z"  # 90 minutes
    assert event["URL"] == "https://example.com/web-1"
    assert _unescape(event["SUMMARY"]) == WEBINAR.title
    assert _unescape(event["DESCRIPTION"]) == (
        f"Вебинар «{WEBINAR.title}», 90 мин.\nhttps://example.com/web-1"
    )
    values = {n: v for n, _, v in lines}
    assert values["VERSION"] == "2.0"
    assert values["PRODID"]
    triggers = [v for n, _, v in lines if n == "TRIGGER"]
    assert triggers == ["-PT48H", "-PT2H30M"]  # one alarm per distinct offset
    assert len(data.split(b"\r\n")) > len(lines)  # the long lines were folded


def test_ics_without_url_and_reminders():
    bare = WebinarInfo(id="w2", title="Short", starts_at=START, minutes=60)
    lines = _parse(calendar(bare, offsets=[], now=START, lang="en"))
    names = [n for n, _, _ in lines]
    assert "URL" not in names
    assert "VALARM" not in [v for _, _, v in lines]
    assert ("DESCRIPTION", {}, "Webinar “Short”\\, 60 min.") in lines
