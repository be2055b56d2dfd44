"""Writing export files so that the same inputs give byte-identical files.

* CSV files are plain UTF-8 without a byte-order mark, comma-separated, with a header row,
  RFC 4180 quoting (only where a cell needs it) and CRLF line ends.
* A text cell written by a person (a name, a reason) that starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return gets a leading single quote, so a spreadsheet
  never runs it as a formula (CSV injection); identifiers, e-mails, phones and hashes
  are written as they are.
* Times are written in UTC as ISO 8601 with a ``Z`` (``2025-05-12T07:00:00Z``) and local
  times as ``YYYY-MM-DD HH:MM`` in the customer's time zone.
* XLSX workbooks carry the export's ``now`` as their created and modified time and every
  member of the zip archive the same fixed timestamp.
* JSON is UTF-8, keys sorted, indented by one space, with a final newline.
* A file is written under a temporary name in its own folder (``.<name>.tmp``), flushed
  to disk and then renamed over ``<name>``, so a crash leaves the old file or the new one,
  never a part of either.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.packaging.core import DocumentProperties
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import tostring

from livebase.diskfile import write_atomic

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_MIN_WIDTH, _MAX_WIDTH = 8, 80
TEMP_SUFFIX = ".tmp"


def as_datetime(value: object) -> dt.datetime | None:
    """A pandas/NumPy timestamp as a plain ``datetime``; missing values as ``None``."""
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).to_pydatetime()


def as_value(value: object) -> object:
    """A cell value with pandas' missing markers (NaN, NaT, NA) as ``None``.

    >>> as_value(float("nan")), as_value("x"), as_value(None)
    (None, 'x', None)
    """
    if value is None or (not isinstance(value, str | bytes) and pd.isna(value)):
        return None
    return value


def safe_text(value: object) -> str:
    """A free-text cell that a spreadsheet will show and never evaluate.

    >>> safe_text("=HYPERLINK(1)"), safe_text("-5"), safe_text("Anna"), safe_text(None)
    ("'=HYPERLINK(1)", "'-5", 'Anna', '')
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


def utc_iso(value: dt.datetime | None) -> str:
    """>>> utc_iso(dt.datetime(2025, 5, 12, 7, 0)), utc_iso(None)
    ('2025-05-12T07:00:00Z', '')
    """
    return "" if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def local_text(value: dt.datetime | None) -> str:
    """>>> local_text(dt.datetime(2025, 5, 12, 10, 0, 59))
    '2025-05-12 10:00'
    """
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    r"""A CSV document: header, rows, CRLF line ends; ``None`` is an empty cell.

    >>> csv_bytes(["a", "b"], [["x,y", None]])
    b'a,b\r\n"x,y",\r\n'
    """
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode("utf-8")


def temp_name(path: Path) -> Path:
    """Where :func:`write_bytes` writes ``path`` before it takes its name.

    >>> temp_name(Path("out/W1/email-value.csv")).as_posix()
    'out/W1/.email-value.csv.tmp'
    """
    return path.with_name(f".{path.name}{TEMP_SUFFIX}")


def is_temp(name: str) -> bool:
    """>>> is_temp(".calls.xlsx.tmp"), is_temp("calls.xlsx")
    (True, False)
    """
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to :func:`temp_name` beside ``path``, flush it to disk, then give it
    the name (:func:`livebase.diskfile.write_atomic`): ``path`` holds the old bytes or the
    new, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, data, temp=temp_name(path))


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    return write_bytes(path, csv_bytes(header, rows))


def write_json(path: Path, data: object) -> Path:
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    return write_bytes(path, (text + "\n").encode("utf-8"))


def write_xlsx(
    path: Path,
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]],
    *,
    now: dt.datetime,
) -> Path:
    """A workbook with one sheet per (title, header, rows): header bold, columns as wide
    as their longest cell (8 to 80 characters), the header row frozen."""
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = wb.create_sheet(title=title)
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            sheet.append(["" if v is None else v for v in row])
        for i, name in enumerate(header, start=1):
            longest = max([len(str(name))] + [len(str(r[i - 1] or "")) for r in rows])
            width = min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH)
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
    if not sheets:
        wb.create_sheet(title="-")
    return write_bytes(path, workbook_bytes(wb, now=now))


def workbook_bytes(wb: Workbook, *, now: dt.datetime) -> bytes:
    """An openpyxl workbook as XLSX bytes stamped with ``now`` (not the wall clock)."""
    buf = io.BytesIO()
    wb.save(buf)
    # openpyxl stamps the wall clock into docProps/core.xml and the zip members: replace
    # both with fixed values so that a re-run writes the same bytes
    props = DocumentProperties(creator="livebase", created=now, modified=now)
    return restamp_zip(buf.getvalue(), core=tostring(props.to_tree()))


def restamp_zip(
    data: bytes,
    *,
    core: bytes | None = None,
    stamps: Mapping[str, tuple[int, ...]] | None = None,
) -> bytes:
    """The zip ``data`` written again (deflated) with each member's time from ``stamps``
    (else a fixed 1980-01-01) and, when given, ``core`` as its ``docProps/core.xml``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            name = info.filename
            body = core if name == "docProps/core.xml" and core is not None else src.read(name)
            member = zipfile.ZipInfo(name, date_time=(stamps or {}).get(name, _ZIP_TIME))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = info.external_attr
            dst.writestr(member, body)
    return out.getvalue()
