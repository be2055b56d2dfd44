"""Read CSV, XLSX and Parquet files into header + string rows with their line numbers.

Columns are found later by header name, never by position. CSV encoding (UTF-8 with or
without BOM, Windows-1251) and delimiter (``;``, ``,``, tab) are detected; a whitespace
separated file (CDNOW) is read with ``delimiter="whitespace"``. A file without a header
line (the CDNOW sample) is read with ``header=[names]``: every line is a record and the
first record is line 1.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from livebase.errors import InputError

csv.field_size_limit(16 * 1024 * 1024)

FORMATS = ("csv", "xlsx", "parquet")


@dataclass
class RawTable:
    """A file as read: headers, rows of strings (``""`` for empty) and line numbers.

    ``lines[i]`` is the 1-based physical line (CSV), sheet row (XLSX) or row number
    counting the header as 1 (Parquet) where record ``i`` starts.
    """

    file: str
    headers: list[str]
    rows: list[list[str]]
    lines: list[int]
    encoding: str | None = None
    delimiter: str | None = None
    # records that could not even be split into fields: (line, reason)
    broken: list[tuple[int, str]] = field(default_factory=list)

    def index(self, name: str) -> list[int]:
        """Positions of every column called ``name`` (headers may repeat)."""
        wanted = _header_key(name)
        return [i for i, h in enumerate(self.headers) if _header_key(h) == wanted]


def _header_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip().casefold()


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    return "csv"


def detect_encoding(data: bytes) -> str:
    """UTF-8 with BOM, UTF-8, or Windows-1251 (the GetCourse default).

    >>> detect_encoding("Имя".encode("cp1251"))
    'cp1251'
    >>> detect_encoding("\\ufeffИмя".encode("utf-8"))
    'utf-8-sig'
    >>> detect_encoding("Имя".encode("utf-8")[:-1])  # cut inside the last letter
    'utf-8'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        # a sample may end inside a multi-byte character: not final
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


def detect_delimiter(header_line: str) -> str:
    """The separator that splits the header into the most fields, outside quotes.

    >>> detect_delimiter('ID заказа;Номер;"Стоимость, RUB"')
    ';'
    """
    counts = {}
    for delim in (";", ",", "\t", "|"):
        fields = next(csv.reader([header_line], delimiter=delim), [])
        counts[delim] = len(fields)
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


def read_table(
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    header: list[str] | None = None,
) -> RawTable:
    """Read ``path``; ``header`` names the columns of a file that has no header line.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "sample.txt"
    >>> _ = path.write_text(" 00004 0001 19970101  2   29.33\\n 00021 0002 19970101  3   63.34\\n")
    >>> raw = read_table(path, delimiter="whitespace", header=["id", "n", "date", "cds", "usd"])
    >>> raw.headers[:2], raw.rows[1], raw.lines
    (['id', 'n'], ['00021', '0002', '19970101', '3', '63.34'], [1, 2])
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    if header is not None and not header:
        raise InputError("header: name at least one column", file=str(path))
    fmt = detect_format(path)
    if fmt == "xlsx":
        return _read_xlsx(path, sheet, header)
    if fmt == "parquet":
        if header is not None:
            raise InputError("header: a Parquet file names its own columns", file=str(path))
        return _read_parquet(path)
    return _read_csv(path, delimiter=delimiter, encoding=encoding, header=header)


def _read_csv(
    path: Path, *, delimiter: str | None, encoding: str | None, header: list[str] | None = None
) -> RawTable:
    data = path.read_bytes()
    if not data.strip():
        raise InputError("the file is empty", file=str(path))
    enc = encoding or detect_encoding(data[: 1 << 20] if len(data) > 1 << 20 else data)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        # the sample was UTF-8 but the rest is not: a mixed file; fall back to cp1251
        enc = "cp1251"
        text = data.decode(enc, errors="replace")
    text = text.removeprefix("\ufeff")
    if delimiter == "whitespace":
        return _read_whitespace(path, text, enc, header)
    first_line = text.split("\n", 1)[0].rstrip("\r")
    # without a header line the first record decides the delimiter just as well
    delim = delimiter or detect_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    headers: list[str] | None = list(header) if header is not None else None
    rows: list[list[str]] = []
    lines: list[int] = []
    broken: list[tuple[int, str]] = []
    prev_end = 0
    while True:
        start = prev_end + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a field over the size limit; the reader resumes
            broken.append((start, f"unreadable CSV record: {exc}"))
            prev_end = reader.line_num
            continue
        prev_end = reader.line_num
        if not record or all(not c.strip() for c in record):
            continue  # blank line: not a record
        if headers is None:
            headers = [h.strip() for h in record]
            continue
        rows.append(record)
        lines.append(start)
    if headers is None:
        raise InputError("no header line", file=str(path), line=1)
    return RawTable(str(path), headers, rows, lines, encoding=enc, delimiter=delim, broken=broken)


def _read_whitespace(path: Path, text: str, enc: str, header: list[str] | None) -> RawTable:
    headers: list[str] | None = list(header) if header is not None else None
    rows: list[list[str]] = []
    lines: list[int] = []
    for no, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if headers is None:
            headers = parts
            continue
        rows.append(parts)
        lines.append(no)
    if headers is None:
        raise InputError("no header line", file=str(path), line=1)
    return RawTable(str(path), headers, rows, lines, encoding=enc, delimiter="whitespace")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _read_xlsx(path: Path, sheet: str | None, header: list[str] | None = None) -> RawTable:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad workbook
        raise InputError(f"not a readable XLSX workbook: {exc}", file=str(path)) from exc
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        headers: list[str] | None = list(header) if header is not None else None
        rows: list[list[str]] = []
        lines: list[int] = []
        for no, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            if all(not c.strip() for c in cells):
                continue
            if headers is None:
                headers = [c.strip() for c in cells]
                continue
            rows.append(cells)
            lines.append(no)
    finally:
        wb.close()
    if headers is None:
        raise InputError("no header row", file=str(path), line=1)
    return RawTable(str(path), headers, rows, lines)


def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow's errors for a bad file vary
        raise InputError(f"not a readable Parquet file: {exc}", file=str(path)) from exc
    headers = list(table.column_names)
    columns = [[_cell(v) for v in col.to_pylist()] for col in table.columns]
    rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
    return RawTable(str(path), headers, rows, list(range(2, len(rows) + 2)))
