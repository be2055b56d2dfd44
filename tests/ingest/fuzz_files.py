"""Seeds, mutations and the promises of an import, shared by the hypothesis tests
(``tests/ingest/test_fuzz.py``) and the atheris harness (``fuzz/import_target.py``).

* A seed is a file of ``fuzz/corpus/`` named after its preset: its first line names the
  preset and the format (``getcourse-orders.csv``), the rest is the export itself
  (simulator exports trimmed to a few rows, and invented rows in the layouts of the
  public datasets). Other files there are inputs that once crashed the harness.
* :func:`check_converted` runs the reader and the preset on a file and checks what the
  pipeline checks before writing (every record loaded or rejected, never both) plus what
  a reject must carry; :func:`check_import` runs a whole import into a workspace and checks
  the store afterwards (balance, rejects, invariants, a second import changes nothing).
* The only exception either lets through is :class:`livebase.errors.InputError` naming
  the file; anything else is a crash.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from livebase.config import WorkspaceConfig
from livebase.errors import InputError
from livebase.ingest.pipeline import _reject_repeated_keys, import_file
from livebase.ingest.presets import get_preset, preset_names
from livebase.ingest.presets.base import LINES, Context, Converted
from livebase.ingest.readers import RawTable, read_table
from livebase.store import invariants
from livebase.store.schema import ALL_TABLES, CANONICAL
from livebase.store.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "fuzz" / "corpus"
MAPPING = REPO / "fuzz" / "mapping.yaml"
PRESETS: tuple[str, ...] = tuple(preset_names())
FORMATS = ("csv", "xlsx")
# tables an import may write: counted before and after a repeated import
WRITTEN = (*CANONICAL, "imports", "rejects", "identities", "identity_merges")

# a reject without a column is a problem of the whole record
WHOLE_ROW = re.compile(
    r"^(repeated header line|unreadable CSV record|expected \d+ fields|duplicate of line \d+"
    r"|damaged text)"
)

FORMULAS = ('=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "=1+1", "\t=cmd|' /C calc'!A0")
NASTY = (
    *FORMULAS,
    "",
    " ",
    "abc",
    "-1",
    "0",
    "1e309",
    "NaN",
    "null",
    "9" * 25,
    "-" + "9" * 25,
    "12,345,678.9.1",
    "31.02.2025",
    "2025-13-45",
    "00.00.0000 99:99",
    "01.01.1900",
    "2200-01-01T00:00:00Z",
    "2025-03-01T09:15:00+99:99",
    "\x00",
    "a\x00b",
    '"',
    'x"y',
    '""',
    "a;b,c\td",
    "a\nb",
    "a\rb",
    "\ufeff",
    "Ё€😀\u202e",
    "Europe/Nowhere",
    "../../etc/passwd",
    "Завершен",
    "Возвращен",
    "bounce",
    "lb:W-1:value:3:extra",
    "C540001",
    "2013X",
    "true",
    "yes",
    "-15",
)


def preset_of(name: str):
    return get_preset(name, MAPPING if name == "mapping" else None)


def seed(preset: str, fmt: str = "csv") -> bytes:
    """The body of the corpus seed named after ``preset`` in that format (other files of
    the corpus are inputs that once crashed the harness)."""
    for path in sorted(CORPUS.iterdir()):
        if path.stem != preset:
            continue
        head, _, body = path.read_bytes().partition(b"\n")
        if head.decode(errors="replace") == f"{preset}.{fmt}":
            return body
    raise KeyError(f"no {fmt} seed for {preset}")


def split_input(data: bytes) -> tuple[str, str, bytes]:
    """A fuzz input → (preset, format, file bytes).

    A first line ``<preset>.<format>`` names them (the corpus' seeds); otherwise the first
    byte picks the preset, the second the format and the rest is the file.

    >>> split_input(b"nps.csv\\nuser_id,ts\\n")
    ('nps', 'csv', b'user_id,ts\\n')
    >>> split_input(bytes([0, 1]) + b"x")[1:]
    ('xlsx', b'x')
    """
    head, sep, body = data.partition(b"\n")
    name, _, fmt = head.decode("utf-8", errors="replace").rpartition(".")
    if sep and name in PRESETS and fmt in FORMATS:
        return name, fmt, body
    if len(data) < 2:
        return PRESETS[0], "csv", data
    return PRESETS[data[0] % len(PRESETS)], FORMATS[data[1] % 2], data[2:]


@dataclass(frozen=True)
class Table:
    """A seed as cells: ``headers`` is None for a file without a header line."""

    headers: list[str] | None
    rows: list[list[str]]
    whitespace: bool = False


def seed_table(preset: str, folder: Path) -> Table:
    """The preset's CSV seed read back into cells, as the preset reads it."""
    p = preset_of(preset)
    path = folder / f"seed-{preset}.csv"
    path.write_bytes(seed(preset))
    raw = read_table(path, **p.read_options)
    given = p.read_options.get("header")
    whitespace = p.read_options.get("delimiter") == "whitespace"
    return Table(None if given else raw.headers, raw.rows, whitespace)


def csv_bytes(
    table: Table, *, delimiter: str, encoding: str, quote_all: bool, newline: str
) -> bytes:
    records = ([table.headers] if table.headers is not None else []) + table.rows
    if table.whitespace:
        text = newline.join(" ".join(r) for r in records) + newline
    else:
        buf = io.StringIO(newline="")
        quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
        writer = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator=newline)
        writer.writerows(records)
        text = buf.getvalue()
    return text.encode(encoding, errors="replace")


def xlsx_bytes(table: Table) -> bytes:
    """The cells as an openpyxl workbook (a text starting with ``=`` becomes a formula,
    as it would in a workbook a person saved); characters XML cannot hold are dropped."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook()
    sheet = wb.active
    for record in ([table.headers] if table.headers is not None else []) + table.rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in record])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _refusal(exc: InputError, path: Path) -> InputError:
    """An InputError is the one allowed outcome besides an import; it names the file."""
    assert exc.file, f"refusal without the file: {exc}"
    assert Path(exc.file).name == path.name, f"refusal naming another file: {exc}"
    assert exc.message.strip(), "refusal without a message"
    return exc


def _check_rejects(rejects, lines: set[int], headers: set[str], target: str) -> None:
    names = headers | set(CANONICAL[target].columns)
    for r in rejects:
        assert isinstance(r.line, int), f"reject without a line: {r}"
        assert r.line in lines, f"reject on no record's line: {r}"
        assert (r.reason or "").strip(), f"reject without a reason: {r}"
        if r.column:
            assert r.column in names, f"reject names no column of the file: {r}"
        else:
            assert WHOLE_ROW.match(r.reason), f"reject of one value without its column: {r}"


def converted(path: Path, preset: str, known_orders: frozenset[str] = frozenset()):
    """Read + convert as the pipeline does; returns (raw, converted, rows_in)."""
    p = preset_of(preset)
    raw = read_table(path, **p.read_options)
    conv = p.convert(raw, Context(WorkspaceConfig(), known_orders))
    _reject_repeated_keys(conv, p.target)
    return raw, conv, len(raw.rows) + len(raw.broken)


def check_converted(
    path: Path, preset: str, known_orders: frozenset[str] = frozenset()
) -> InputError | Converted:
    """The file through the reader and the preset: refused with a clear InputError, or
    every record loaded or rejected (never both) and every reject complete."""
    try:
        raw, conv, rows_in = converted(path, preset, known_orders)
    except InputError as exc:
        return _refusal(exc, path)
    assert isinstance(raw, RawTable)
    loaded: set[int] = set()
    for b in conv.batches:
        for lines in b.frame[LINES]:
            loaded.update(lines)
    rejected = [r.line for r in conv.rejects]
    assert not loaded & set(rejected), f"lines both loaded and rejected: {loaded & set(rejected)}"
    assert len(set(rejected)) == len(rejected), "a line rejected twice"
    assert len(loaded) + len(rejected) == rows_in, (
        f"{rows_in} records in, {len(loaded)} loaded, {len(rejected)} rejected"
    )
    every = set(raw.lines) | {line for line, _ in raw.broken}
    _check_rejects(conv.rejects, every, set(raw.headers), preset_of(preset).target)
    return conv


def counts(ws: Workspace) -> dict[str, int]:
    return {t: int(ws.table(t).count().execute()) for t in WRITTEN}


def check_import(ws: Workspace, path: Path, preset: str) -> InputError | int:
    """A whole import and the store after it; returns the import id or the refusal."""
    before = counts(ws)
    mapping = MAPPING if preset == "mapping" else None
    try:
        result = import_file(ws, path, preset, mapping=mapping)
    except InputError as exc:
        assert counts(ws) == before, "a refused file changed the store"
        return _refusal(exc, path)
    assert result.import_id is not None, "a new file was taken for one imported before"
    assert result.balanced, result
    imp = ws.table("imports")
    rows = imp.filter(imp.import_id == result.import_id).to_pyarrow().to_pylist()
    assert len(rows) == 1
    assert rows[0]["source"] == str(path.resolve())
    assert (rows[0]["rows_in"], rows[0]["rows_loaded"], rows[0]["rows_rejected"]) == (
        result.rows_in,
        result.rows_loaded,
        result.rows_rejected,
    )
    rej = ws.table("rejects")
    stored = rej.filter(rej.import_id == result.import_id).to_pyarrow().to_pylist()
    assert len(stored) == result.rows_rejected
    for r in stored:
        assert (r["line"] or 0) >= 1, r
        assert (r["reason"] or "").strip(), r
        if not r["column"]:
            assert WHOLE_ROW.match(r["reason"]), f"reject of one value without its column: {r}"
    assert invariants.check(ws) == {}
    after = counts(ws)
    again = import_file(ws, path, preset, mapping=mapping)
    assert again.already_imported_as == result.import_id
    assert counts(ws) == after, "importing the same file again changed the store"
    return result.import_id


def known_orders_of_seed() -> frozenset[str]:
    """The order ids of the orders seed, as the payments preset sees stored orders."""
    ids = []
    for line in seed("getcourse-orders").decode("utf-8-sig").splitlines()[1:]:
        ids.append("gc:" + line.split(";", 1)[0])
    return frozenset(ids)


def reset(ws: Workspace) -> None:
    """Empty every table an import writes (a harness reuses one workspace)."""
    from livebase.engine import truncate

    for name in WRITTEN:
        if name in ALL_TABLES:
            truncate(ws.con, name)
