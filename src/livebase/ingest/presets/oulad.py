"""Import preset for OULAD ``studentRegistration.csv`` (Open University Learning
Analytics Dataset): registrations and withdrawals as learning-platform activities.

- A row gives a ``course_registration`` at ``date_registration`` and, when
  ``date_unregistration`` is set, a ``course_withdrawal`` at it, for customer
  ``oulad:<id_student>`` and course ``<code_module>-<code_presentation>``.
- Dates: a day offset ``d`` of presentation ``YYYYB`` or ``YYYYJ`` is 00:00 UTC of
  1 February or 1 October of ``YYYY`` plus ``d`` days (the dataset says B presentations
  start in February and J ones in October; the 1st of the month is our choice, it gives no
  day).
- Rejects: a row without ``date_registration`` loads its withdrawal alone; a row with
  neither date, a presentation code that is not a year (1970–2100) and B or J, an offset
  that is not a whole number of at most 36,500 days, or an event date outside 1970–2100 is
  rejected whole, with the reason and a column of the file, so that rows loaded + rows
  rejected = rows in the file.

The generic mapping format cannot add a day offset to a date nor make two events of one
row, so this preset shapes the rows and then applies the ``oulad-registrations`` mapping.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from livebase.errors import InputError
from livebase.ingest.fields import Reject
from livebase.ingest.normalize import MAX_YEAR, MIN_YEAR
from livebase.ingest.presets.base import LINES, Context, Converted
from livebase.ingest.presets.mapping import MappingPreset, load_mapping
from livebase.ingest.readers import RawTable
from livebase.store.schema import ENROLMENT_KINDS

REGISTRATION, WITHDRAWAL = ENROLMENT_KINDS
OULAD_MAPPING = "oulad-registrations"
PRESENTATION_MONTHS = {"B": 2, "J": 10}
PRESENTATION_DAY = 1
OULAD_COLUMNS = ("code_module", "code_presentation", "date_registration", "date_unregistration")
ADDED_COLUMNS = ("event_kind", "event_ts", "course")
MAX_OFFSET_DAYS = 36_500  # a century either way: anything more is not a day offset


def presentation_start(code: str) -> dt.date | None:
    """The start we give an OULAD presentation (``None``: not a presentation code).

    >>> presentation_start("2013J"), presentation_start("2014B"), presentation_start("2014X")
    (datetime.date(2013, 10, 1), datetime.date(2014, 2, 1), None)
    >>> presentation_start("1822B") is None
    True
    """
    m = re.fullmatch(r"(\d{4})([BJ])", code.strip())
    if not m or not MIN_YEAR <= int(m.group(1)) <= MAX_YEAR:
        return None
    return dt.date(int(m.group(1)), PRESENTATION_MONTHS[m.group(2)], PRESENTATION_DAY)


def _offset(text: str) -> int | None:
    """A day offset; ``None`` for an empty cell, ValueError for anything else.

    >>> _offset("-159"), _offset(" 12 "), _offset("")
    (-159, 12, None)
    >>> _offset("99999999999")
    Traceback (most recent call last):
    ValueError: not a day offset within 36500 days: '99999999999'
    """
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"not a whole number of days: {text!r}")
    if len(text) > 7 or abs(int(text)) > MAX_OFFSET_DAYS:
        raise ValueError(f"not a day offset within {MAX_OFFSET_DAYS} days: {text!r}")
    return int(text)


@dataclass
class OuladRegistrations:
    """Import preset for OULAD ``studentRegistration.csv``: makes one row per event with
    the columns of :data:`ADDED_COLUMNS`, then applies the ``oulad-registrations`` mapping.
    A source line is loaded whole or rejected whole (one reject per line)."""

    name: str = OULAD_MAPPING
    target: str = "activities"
    read_options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._mapping = MappingPreset(load_mapping(OULAD_MAPPING))
        self.read_options = dict(self._mapping.read_options)

    def convert(self, raw: RawTable, ctx: Context) -> Converted:
        missing = [c for c in OULAD_COLUMNS if not raw.index(c)]
        if missing:
            raise InputError(
                f"missing column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(repr(c) for c in missing)} of an OULAD studentRegistration file "
                f"({raw.header_note()})",
                file=raw.file,
                line=1,
            )
        mod, pres, reg, unreg = (raw.index(c)[0] for c in OULAD_COLUMNS)
        width = len(raw.headers)
        header_keys = [h.strip().casefold() for h in raw.headers]
        rows: list[list[str]] = []
        lines: list[int] = []
        rejects: list[Reject] = []
        for row, line in zip(raw.rows, raw.lines, strict=True):
            if len(row) < width or [c.strip().casefold() for c in row] == header_keys:
                # short rows and repeated header lines: the mapping rejects them as such
                rows.append(row if len(row) < width else [*row, *ADDED_COLUMNS])
                lines.append(line)
                continue
            start = presentation_start(row[pres])
            if start is None:
                rejects.append(
                    Reject(
                        line,
                        raw.headers[pres],
                        row[pres][:200],
                        "not an OULAD presentation code (a year and B or J, e.g. 2013J)",
                    )
                )
                continue
            events: list[tuple[str, int]] = []
            problem = None
            for kind, pos in ((REGISTRATION, reg), (WITHDRAWAL, unreg)):
                try:
                    offset = _offset(row[pos])
                except ValueError as exc:
                    problem = Reject(line, raw.headers[pos], row[pos][:200], str(exc))
                    break
                if offset is None:
                    continue
                day = start + dt.timedelta(days=offset)
                if not MIN_YEAR <= day.year <= MAX_YEAR:
                    problem = Reject(
                        line, raw.headers[pos], row[pos][:200], f"implausible date: {day}"
                    )
                    break
                events.append((kind, offset))
            if problem is None and not events:
                problem = Reject(
                    line,
                    raw.headers[reg],
                    "",
                    "no date_registration and no date_unregistration: no event to load",
                )
            if problem is not None:
                rejects.append(problem)
                continue
            course = f"{row[mod].strip()}-{row[pres].strip()}"
            for kind, offset in events:
                ts = dt.datetime.combine(start + dt.timedelta(days=offset), dt.time())
                rows.append([*row[:width], kind, ts.isoformat(), course])
                lines.append(line)
        shaped = RawTable(
            raw.file,
            [*raw.headers, *ADDED_COLUMNS],
            rows,
            lines,
            raw.encoding,
            raw.delimiter,
            list(raw.broken),
        )
        conv = self._mapping.convert(shaped, ctx)
        merged: list[Reject] = []
        bad: set[int] = set()
        # a problem of a column this preset added is reported on the file's own column
        own = (raw.headers[reg], raw.headers[reg], raw.headers[mod])
        source = dict(zip(ADDED_COLUMNS, own, strict=True))
        for r in [*rejects, *conv.rejects]:
            if r.line not in bad:
                bad.add(r.line)
                column = source.get(r.column, r.column)
                merged.append(Reject(r.line, column, r.value, r.reason))
        batches = []
        for b in conv.batches:
            keep = ~b.frame[LINES].map(lambda ls: any(x in bad for x in ls)).astype(bool)
            b.frame = b.frame[keep].reset_index(drop=True)
            if not b.frame.empty:
                batches.append(b)
        return Converted(batches, merged)
