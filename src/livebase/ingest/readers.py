"""Read CSV, XLSX and Parquet files into header + string rows with their line numbers.

Columns are found later by header name, never by position. CSV encoding (UTF-8 with or
without BOM, UTF-16 with a BOM or ASCII-heavy without one, Windows-1251) and delimiter
(``;``, ``,``, tab) are detected; lines may end in CRLF, LF or a lone CR; a UTF-8 or
UTF-16 file with a few damaged bytes (a cut last character, a flipped byte) stays in its
encoding and each record holding such bytes, or a NUL character, is rejected; a whitespace
separated file (CDNOW) is read with ``delimiter="whitespace"``. A file without a header
line (the CDNOW sample) is read with ``header=[names]``: every line is a record and the
first record is line 1. An XLSX sheet is read row by row whatever its stored dimension
says, a row shorter than the header is padded with empty cells (a sheet leaves trailing
empty cells out), and a workbook that cannot be read to its end — a broken zip, damaged
XML, row numbers past Excel's 1,048,576 — is refused whole with an ``InputError``. A path
that is not a regular file (a folder, a pipe) or cannot be read is an ``InputError`` naming it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import stat
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

    def header_note(self) -> str:
        """What the header line holds, for a missing-column message; a single column that
        another separator would split names it.

        >>> RawTable("f.csv", ["id;email"], [], [], delimiter=",").header_note()
        "the file has one column 'id;email': it looks separated by ';', not ','"
        """
        shown = ", ".join(self.headers[:40])
        if len(self.headers) == 1 and self.delimiter not in (None, "whitespace"):
            other = detect_delimiter(self.headers[0])
            if other != self.delimiter and other in self.headers[0]:
                return (
                    f"the file has one column {shown[:200]!r}: it looks separated by "
                    f"{other!r}, not {self.delimiter!r}"
                )
        return f"the file has: {shown}"


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
    """UTF-8 with BOM, UTF-16 (with a BOM, or ASCII text with every other byte NUL), UTF-8,
    or Windows-1251 (the GetCourse default).

    >>> detect_encoding("Имя".encode("cp1251"))
    'cp1251'
    >>> detect_encoding("\\ufeffИмя".encode("utf-8"))
    'utf-8-sig'
    >>> detect_encoding("Имя".encode("utf-8")[:-1])  # cut inside the last letter
    'utf-8'
    >>> detect_encoding("id;Имя".encode("utf-16")), detect_encoding("id;name".encode("utf-16-le"))
    ('utf-16', 'utf-16-le')
    >>> damaged = bytearray("Имя;Фамилия Анна;Петрова".encode()); damaged[3] = 0xFF
    >>> detect_encoding(bytes(damaged))  # one broken byte among many UTF-8 letters
    'utf-8'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096]
    if len(head) >= 4:
        # the NUL half of ASCII characters in UTF-16 without a BOM (Excel's "Unicode text")
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if odd > 0.4 * (len(head) // 2) and even == 0:
            return "utf-16-le"
        if even > 0.4 * (len(head) // 2) and odd == 0:
            return "utf-16-be"
    try:
        # a sample may end inside a multi-byte character: not final
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return "utf-8" if _mostly_utf8(data) else "cp1251"
    return "utf-8"


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few damaged bytes, not Windows-1251: at least four valid multi-byte
    characters for each invalid sequence (Windows-1251 text makes almost no valid ones)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = len(text) - len(text.encode("ascii", errors="ignore")) - text.count("\ufffd")
    return good >= 4 * max(bad, 1)


def first_line(text: str) -> str:
    r"""The text up to the first line end (``\r\n``, ``\n`` or a lone ``\r``).

    >>> first_line("a;b\rc;d\r"), first_line("a,b\r\nc")
    ('a;b', 'a,b')
    """
    return _LINE_END.split(text, maxsplit=1)[0]


_LINE_END = re.compile(r"\r\n|\r|\n")


def detect_delimiter(header_line: str) -> str:
    """The separator that splits the header into the most fields, outside quotes.

    >>> detect_delimiter('ID заказа;Номер;"Стоимость, RUB"')
    ';'
    """
    header_line = first_line(header_line)
    counts = {}
    for delim in (";", ",", "\t", "|"):
        try:
            fields = next(csv.reader([header_line], delimiter=delim), [])
        except csv.Error:  # e.g. a stray character csv refuses: count plain splits
            fields = header_line.split(delim)
        counts[delim] = len(fields)
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


def unreadable(path: Path, exc: OSError) -> InputError:
    """The error for a file the system would not read (no permission, a device error)."""
    return InputError(f"cannot read the file: {exc.strerror or exc}", file=str(path))


def check_file(path: Path) -> None:
    """Refuse, naming it, a path that is not an existing regular file: a folder, a pipe
    or a device would fail (or wait forever) when read.

    >>> import tempfile
    >>> try:
    ...     check_file(Path(tempfile.mkdtemp()))
    ... except InputError as exc:
    ...     print(exc.message)
    a folder, not a file
    """
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise InputError("file not found", file=str(path)) from None
    except OSError as exc:  # a folder on the way without permission, a broken mount
        raise unreadable(path, exc) from exc
    except ValueError as exc:  # a NUL character in the path
        raise InputError(f"not a path: {exc}", file=str(path)) from exc
    if stat.S_ISDIR(mode):
        raise InputError("a folder, not a file", file=str(path))
    if not stat.S_ISREG(mode):
        raise InputError("not a regular file", file=str(path))


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
    check_file(path)
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
    try:
        data = path.read_bytes()
    except OSError as exc:  # no permission, a device error
        raise unreadable(path, exc) from exc
    if not data.strip():
        raise InputError("the file is empty", file=str(path))
    enc = encoding or detect_encoding(data[: 1 << 20] if len(data) > 1 << 20 else data)
    damaged = False
    try:
        text = data.decode(enc)
    except LookupError as exc:
        raise InputError(f"unknown encoding {enc!r}", file=str(path)) from exc
    except UnicodeDecodeError:
        if enc.startswith("utf-16") or (enc.startswith("utf-8") and _mostly_utf8(data)):
            # a cut or damaged file: keep its encoding; records with broken bytes are
            # rejected below
            text, damaged = data.decode(enc, errors="replace"), True
        else:
            # the sample was UTF-8 but the rest is not: a mixed file; fall back to cp1251
            enc = "cp1251"
            text = data.decode(enc, errors="replace")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError("the file is empty", file=str(path))
    if delimiter == "whitespace":
        return _damaged_out(_read_whitespace(path, text, enc, header), damaged, text)
    # without a header line the first record decides the delimiter just as well
    delim = delimiter or detect_delimiter(first_line(text))
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
    raw = RawTable(str(path), headers, rows, lines, encoding=enc, delimiter=delim, broken=broken)
    return _damaged_out(raw, damaged, text)


def _damaged_out(raw: RawTable, replaced: bool, text: str) -> RawTable:
    """Records holding a NUL character, or bytes the encoding could not read (``replaced``),
    become broken records (rejects): neither is ever data in an export."""
    nul = "\x00" in text
    if not nul and not replaced:
        return raw

    def why(row: list[str]) -> str | None:
        if nul and any("\x00" in c for c in row):
            return "damaged text: a NUL character"
        if replaced and any("\ufffd" in c for c in row):
            return f"damaged text: bytes that are not {raw.encoding}"
        return None

    reasons = [why(row) for row in raw.rows]
    if not any(reasons):
        return raw
    bad = [(line, r) for line, r in zip(raw.lines, reasons, strict=True) if r]
    raw.broken = sorted([*raw.broken, *bad])
    raw.rows = [row for row, r in zip(raw.rows, reasons, strict=True) if not r]
    raw.lines = [line for line, r in zip(raw.lines, reasons, strict=True) if not r]
    return raw


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


MAX_SHEET_ROWS = 1_048_576  # Excel's limit; a row number beyond it is a broken sheet


def _read_xlsx(path: Path, sheet: str | None, header: list[str] | None = None) -> RawTable:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad workbook
        raise InputError(f"not a readable XLSX workbook: {exc}", file=str(path)) from exc
    try:
        if sheet and sheet not in wb.sheetnames:
            raise InputError(
                f"no sheet {sheet!r} (the workbook has: {', '.join(wb.sheetnames)})",
                file=str(path),
            )
        if not wb.worksheets:
            raise InputError("the workbook has no worksheet", file=str(path))
        ws = wb[sheet] if sheet else wb.worksheets[0]
        # the sheet's own dimension may be wrong (some writers put A1): read every row
        ws.reset_dimensions()
        headers: list[str] | None = list(header) if header is not None else None
        rows: list[list[str]] = []
        lines: list[int] = []
        for no, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if no > MAX_SHEET_ROWS:
                raise InputError(
                    f"row numbers beyond {MAX_SHEET_ROWS} (a broken worksheet)", file=str(path)
                )
            cells = [_cell(v) for v in values]
            if all(not c.strip() for c in cells):
                continue
            if headers is None:
                headers = [c.strip() for c in cells]
                continue
            rows.append(cells)
            lines.append(no)
    except InputError:
        raise
    except Exception as exc:  # a damaged sheet fails while it is read, in many ways
        raise InputError(f"not a readable XLSX workbook: {exc}", file=str(path)) from exc
    finally:
        wb.close()
    if headers is None:
        raise InputError("no header row", file=str(path), line=1)
    # a sheet row ends at its last non-empty cell: the cells after it are empty, not missing
    width = len(headers)
    rows = [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]
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
