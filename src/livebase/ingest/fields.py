"""Pick columns out of a raw table by header name and parse them, row by row.

A row's first problem becomes its reject (file, line, column, value, reason); the other
rows go on. A missing required column refuses the whole file with a clear message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from livebase.errors import InputError
from livebase.ingest.readers import RawTable


@dataclass(frozen=True)
class Field:
    """A canonical value read from the first of ``headers`` present in the file."""

    name: str
    headers: tuple[str, ...]
    parse: Callable[[str], Any] | None = None
    required: bool = False  # the column must be in the file
    not_null: bool = False  # and every row must have a value


@dataclass(frozen=True)
class Reject:
    line: int
    column: str
    value: str
    reason: str


@dataclass
class Extracted:
    """Parsed columns for the rows that passed, with their lines and raw-row positions.

    Every field has a column; a field whose header is not in the file is all ``None``
    (``present`` says which header each field was read from).
    """

    columns: dict[str, list[Any]]
    lines: list[int]
    positions: list[int]
    rejects: list[Reject] = field(default_factory=list)
    present: dict[str, str] = field(default_factory=dict)  # field name -> header used


def _shape_reject(raw: RawTable, i: int, header_keys: list[str]) -> Reject | None:
    row = raw.rows[i]
    width = len(raw.headers)
    line = raw.lines[i]
    if [c.strip().casefold() for c in row] == header_keys:
        return Reject(line, "", "", "repeated header line")
    if len(row) < width:
        return Reject(
            line,
            raw.headers[len(row)],
            "",
            f"expected {width} fields, found {len(row)} (truncated line or wrong delimiter)",
        )
    if len(row) > width and any(c.strip() for c in row[width:]):
        return Reject(
            line,
            "",
            row[width][:200],
            f"expected {width} fields, found {len(row)} (unquoted delimiter inside a value?)",
        )
    return None


def extract(raw: RawTable, fields: Sequence[Field]) -> Extracted:
    """Parse ``fields`` from every row of ``raw``.

    >>> raw = RawTable("t.csv", ["id", "Email"], [["1", "A@B.RU"], ["2", "junk"]], [2, 3])
    >>> from livebase.ingest.normalize import normalize_email
    >>> out = extract(raw, [Field("id", ("id",)), Field("email", ("Email",), normalize_email)])
    >>> out.columns, out.rejects[0].reason
    ({'id': ['1'], 'email': ['a@b.ru']}, "not an email: 'junk'")
    """
    positions: dict[str, list[int]] = {}
    present: dict[str, str] = {}
    for f in fields:
        for header in f.headers:
            idx = raw.index(header)
            if idx:
                positions[f.name] = idx
                present[f.name] = raw.headers[idx[0]]
                break
        else:
            if f.required:
                raise InputError(
                    f"missing required column {f.headers[0]!r} ({raw.header_note()})",
                    file=raw.file,
                    line=1,
                )
    out = Extracted({f.name: [] for f in fields if f.name in positions}, [], [], present=present)
    out.rejects.extend(Reject(line, "", "", reason) for line, reason in raw.broken)
    header_keys = [h.strip().casefold() for h in raw.headers]
    active = [f for f in fields if f.name in positions]
    for i, row in enumerate(raw.rows):
        shape = _shape_reject(raw, i, header_keys)
        if shape:
            out.rejects.append(shape)
            continue
        values: dict[str, Any] = {}
        problem: Reject | None = None
        for f in active:
            text = ""
            for pos in positions[f.name]:  # a repeated header: the first non-empty value
                if row[pos].strip():
                    text = row[pos]
                    break
            if not text.strip():
                if f.not_null:
                    problem = Reject(raw.lines[i], present[f.name], "", "empty required value")
                    break
                values[f.name] = None
                continue
            if f.parse is None:
                values[f.name] = text.strip()
                continue
            try:
                values[f.name] = f.parse(text)
            except ValueError as exc:
                problem = Reject(raw.lines[i], present[f.name], text[:200], str(exc))
                break
        if problem:
            out.rejects.append(problem)
            continue
        for name, value in values.items():
            out.columns[name].append(value)
        out.lines.append(raw.lines[i])
        out.positions.append(i)
    for f in fields:  # a column absent from the file reads as empty in every row
        out.columns.setdefault(f.name, [None] * len(out.lines))
    return out
