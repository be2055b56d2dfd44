"""Webinar invitations, reminders and the calendar file (SPEC F4.5, seed 002).

The rules, one sentence each:

* With a webinar, ``<wave_id>/webinar-invitations-<arm>.csv`` lists, per arm, the
  marketing touches on e-mail, messenger, SMS and push going out now (the invitations),
  and ``<wave_id>/webinar-reminders.csv`` the service touches going out now (the
  reminders), each with the channel and the contact it goes to (the e-mail for e-mail, the
  phone for messenger and SMS, none for push) and the name for the greeting where a
  contact goes (push rows carry neither: the app knows the customer by id; SPEC F7.3).
* Every planned reminder goes 48 to 2 hours before the webinar starts, and a customer gets
  at most 3 of them (seed 002); a plan that breaks either is an input error.
* ``<wave_id>/webinar.ics`` is an RFC 5545 calendar: CRLF line ends, lines folded at 75
  octets, one VEVENT with UID ``<webinar id>@livebase``, DTSTAMP (the export's now),
  DTSTART and DTEND in UTC, SUMMARY, DESCRIPTION, URL when there is one, and one VALARM
  per distinct reminder offset of the plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from livebase.errors import InputError
from livebase.exports.files import as_datetime, as_value, local_text, safe_text, utc_iso
from livebase.i18n import t

MIN_HOURS, MAX_HOURS, MAX_REMINDERS = 2, 48, 3
INVITATION_HEADER = [
    "customer_id",
    "name",
    "channel",
    "contact",
    "send_at",
    "send_at_local",
    "pattern",
    "offer",
    "touch_no",
]
REMINDER_HEADER = [
    "customer_id",
    "name",
    "channel",
    "contact",
    "remind_at",
    "remind_at_local",
    "hours_before",
    "pattern",
    "touch_no",
]
_CONTACT = {"email": "email", "messenger": "phone", "sms": "phone", "call": "phone"}


@dataclass(frozen=True)
class WebinarInfo:
    """The webinar of a wave, as the playbook describes it (``starts_at`` in UTC)."""

    id: str
    title: str
    starts_at: dt.datetime
    minutes: int
    url: str | None = None

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)


def check_reminders(reminders: pd.DataFrame, webinar: WebinarInfo) -> None:
    """Raise :class:`InputError` unless every reminder (customer_id, planned_at) is 48 to 2
    hours before the start and no customer has more than 3."""
    before = webinar.starts_at - pd.to_datetime(reminders["planned_at"])
    early, late = pd.Timedelta(hours=MAX_HOURS), pd.Timedelta(hours=MIN_HOURS)
    bad = reminders[(before < late) | (before > early)]
    if len(bad):
        r = bad.iloc[0]
        raise InputError(
            f"webinar {webinar.id!r}: the reminder {int(r.touch_no)} of customer "
            f"{r.customer_id!r} at {utc_iso(as_datetime(r.planned_at))} is not "
            f"{MAX_HOURS} to {MIN_HOURS} hours before the start "
            f"{utc_iso(webinar.starts_at)} (seed 002)"
        )
    counts = reminders.groupby("customer_id").size()
    over = counts[counts > MAX_REMINDERS].sort_index()
    if len(over):
        raise InputError(
            f"webinar {webinar.id!r}: customer {over.index[0]!r} has {int(over.iloc[0])} "
            f"reminders; at most {MAX_REMINDERS} (seed 002)"
        )


def contact_of(row: object) -> object:
    field = _CONTACT.get(row.channel)
    return as_value(getattr(row, field)) if field else None


def name_of(row: object) -> object:
    """The greeting's name where the row goes to a contact (none for push)."""
    return safe_text(as_value(row.name)) if row.channel in _CONTACT else None


def invitation_rows(touches: pd.DataFrame) -> list[list[object]]:
    return [
        [
            r.customer_id,
            name_of(r),
            r.channel,
            contact_of(r),
            utc_iso(as_datetime(r.planned_at)),
            local_text(as_datetime(r.local_at)),
            r.pattern,
            as_value(r.offer),
            int(r.touch_no),
        ]
        for r in touches.itertuples(index=False)
    ]


def reminder_rows(touches: pd.DataFrame, webinar: WebinarInfo) -> list[list[object]]:
    return [
        [
            r.customer_id,
            name_of(r),
            r.channel,
            contact_of(r),
            utc_iso(as_datetime(r.planned_at)),
            local_text(as_datetime(r.local_at)),
            _hours(webinar.starts_at - as_datetime(r.planned_at)),
            r.pattern,
            int(r.touch_no),
        ]
        for r in touches.itertuples(index=False)
    ]


def _hours(delta: dt.timedelta) -> int | float:
    """>>> _hours(dt.timedelta(hours=24)), _hours(dt.timedelta(minutes=90))
    (24, 1.5)
    """
    hours = delta.total_seconds() / 3600
    return int(hours) if hours == int(hours) else round(hours, 2)


# ---- the calendar file (RFC 5545) ---------------------------------------------------


def ics_text(value: str) -> str:
    r"""A TEXT value escaped (RFC 5545 3.3.11).

    >>> ics_text("a;b,c\\d\ne")
    'a\\;b\\,c\\\\d\\ne'
    """
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character;
    a continuation line starts with one space.

    >>> [len(p.encode()) for p in fold("X" * 160).split("\\r\\n")]
    [75, 75, 12]
    """
    parts, current, size, limit = [], "", 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            parts.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    parts.append(current)
    return "\r\n".join(parts)


def duration(delta: dt.timedelta) -> str:
    """A negative RFC 5545 duration for an alarm before the start.

    >>> duration(dt.timedelta(hours=48)), duration(dt.timedelta(hours=2, minutes=30))
    ('-PT48H', '-PT2H30M')
    """
    seconds = int(delta.total_seconds())
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    text = (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s else "")
    return "-PT" + (text or "0S")


def _stamp(value: dt.datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def calendar(
    webinar: WebinarInfo, *, offsets: list[dt.timedelta], now: dt.datetime, lang: str
) -> bytes:
    """The ``.ics`` file of the webinar with one alarm per reminder offset."""
    description = t("export.ics.description", lang, title=webinar.title, minutes=webinar.minutes)
    if webinar.url:
        description += "\n" + webinar.url
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//livebase//wave exports//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{webinar.id}@livebase",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(webinar.starts_at)}",
        f"DTEND:{_stamp(webinar.ends_at)}",
        f"SUMMARY:{ics_text(webinar.title)}",
        f"DESCRIPTION:{ics_text(description)}",
    ]
    if webinar.url:
        lines.append(f"URL:{webinar.url}")
    alarm = ics_text(t("export.ics.alarm", lang, title=webinar.title))
    for offset in sorted(set(offsets), reverse=True):
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{alarm}",
            f"TRIGGER:{duration(offset)}",
            "END:VALARM",
        ]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")


def offsets_of(reminders: pd.DataFrame, webinar: WebinarInfo) -> list[dt.timedelta]:
    """The distinct times before the start at which the plan reminds, to the minute."""
    before = webinar.starts_at - pd.to_datetime(reminders["planned_at"])
    minutes = sorted({round(d.total_seconds() / 60) for d in before})
    return [dt.timedelta(minutes=m) for m in minutes]
