"""Removing one person from the files of a workspace (``livebase erase``, SPEC F7.2).

Every file under the workspace folder is read except the store itself (``*.duckdb``, its
WAL, ``spark/``), ``.secret``, ``livebase.toml`` and the dashboard's working folder
``.serve/`` (its spool and snapshots: :mod:`livebase.privacy.serve`). The rules, one
sentence each:

* A person shows in a file by a customer or source id (``gc:123``, ``em:…``), an e-mail
  (any case), a phone (any layout that normalises to the same E.164 number), the SHA-256
  of the normalised e-mail or phone (retargeting audiences), a bare source number
  (``123``) in a user-id column (``id``, ``user_id``, ``ID пользователя`` …), or their
  name in a file that shows them by one of the others.
* Row files (CSV, XLSX and Parquet outside ``reports/``: channel files, call lists,
  audiences, the school's own exports) lose every row with a cell holding one of the
  person's ids, e-mails, phones or hashes; a name alone never drops a row (namesakes).
* Reports (everything under ``reports/``), JSON, HTML, ``.ics`` and other text files keep
  their rows: the person's ids become the anonymous id and their e-mails, phones, hashes
  and name become empty text, so report totals keep adding up.
* A kept CSV row is written back byte for byte, and a rewritten file keeps its
  encoding, byte-order mark, delimiter and line ends.
* An export folder's ``manifest.json`` follows its files: a file's ``rows`` lose the
  dropped rows, a retargeting arm's ``customers`` too, and a ``sha256``, ``bytes`` or
  ``size`` of a changed file is recomputed.
* Every changed file is written to a temporary file beside it, synced and moved over the
  old one (``os.replace``), keeping its permissions; the temporary files an interrupted
  erasure left are deleted when the next one starts.
* A file of another type that holds one of the person's keys is reported as ``unhandled``
  and left as it is.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from livebase.diskfile import write_atomic
from livebase.exports.files import restamp_zip
from livebase.ingest.normalize import normalize_phone
from livebase.ingest.readers import detect_delimiter, detect_encoding, first_line

# headers whose bare numbers are source (user) ids, compared case-insensitively
USER_ID_HEADERS = frozenset(
    {"id", "user_id", "userid", "user id", "id пользователя", "customer_id", "client_id"}
)
ROW_TYPES = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
PARQUET_TYPES = {".parquet": "parquet", ".pq": "parquet"}
TEXT_TYPES = {
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".ics": "ics",
    ".txt": "text",
    ".md": "text",
    ".xml": "text",
    ".svg": "text",
}
REPORTS = "reports"
MANIFEST = "manifest.json"
SKIP_NAMES = frozenset({".secret", "livebase.toml"})
SKIP_DIRS = frozenset({"spark", ".serve"})  # .serve: livebase.privacy.serve
SKIP_SUFFIXES = (".duckdb", ".duckdb.wal", ".duckdb.compact", ".duckdb.compact.wal")
_TEMP = re.compile(r"\..+\.[0-9a-f]{12}\.tmp")  # write_atomic's temporary names
_SEP = r"[\s().\-]*"
_SEPARATORS = re.compile(r"[\s().\-+]+")


@dataclass(frozen=True, repr=False)
class Needles:
    """What marks one person in a file (never printed: it is personal data)."""

    ids: frozenset[str]  # customer ids and source ids, whole
    bare_ids: frozenset[str]  # the numbers of source ids (gc:123 -> 123)
    emails: frozenset[str]  # normalised
    phones: frozenset[str]  # E.164
    names: frozenset[str]
    anon: str

    def __repr__(self) -> str:
        return "Needles(<hidden>)"

    @property
    def hashes(self) -> frozenset[str]:
        """SHA-256 of the normalised e-mails and of the phones' digits (retargeting)."""
        forms = [*self.emails, *(re.sub(r"\D", "", p) for p in self.phones)]
        return frozenset(hashlib.sha256(f.encode("utf-8")).hexdigest() for f in forms if f)

    @property
    def phone_digits(self) -> frozenset[str]:
        """Digit strings a cell may hold for the phones: 79161234567, 89161234567, 9161234567."""
        out: set[str] = set()
        for phone in self.phones:
            digits = re.sub(r"\D", "", phone)
            out.add(digits)
            if phone.startswith("+7") and len(digits) == 11:
                out.update({"8" + digits[1:], digits[1:]})
        return frozenset(out)


@dataclass(frozen=True)
class FileChange:
    """One file that holds the person: what was done to it."""

    path: Path
    kind: str  # csv, xlsx, parquet, json, html, ics, text, manifest, unhandled, spool, snapshot
    rows: int  # rows dropped (row files) or values replaced (the others)


@dataclass
class Matcher:
    """Finds and replaces one person's marks in text and rows."""

    needles: Needles
    words: tuple[str, ...] = field(init=False)  # lower-case substrings that may mark them
    digits: tuple[str, ...] = field(init=False)  # phone digits, separators removed
    contact: re.Pattern | None = field(init=False)
    ident: re.Pattern | None = field(init=False)
    name: re.Pattern | None = field(init=False)

    def __post_init__(self) -> None:
        n = self.needles
        ids = [rf"(?<!\w){re.escape(i)}(?!\w)" for i in sorted(n.ids, key=len, reverse=True)]
        emails = [
            rf"(?<![\w.%+\-]){re.escape(e)}(?![\w\-]|\.\w)" for e in sorted(n.emails, key=len)
        ]
        hashes = [rf"(?<![0-9a-f]){h}(?![0-9a-f])" for h in sorted(n.hashes)]
        phones = [_phone_pattern(p) for p in sorted(n.phones)]
        contacts = emails + hashes + phones
        self.ident = _either(ids)
        self.contact = _either(contacts)
        words = {*n.ids, *n.bare_ids, *n.emails, *n.hashes}
        self.words = tuple(sorted(w.lower() for w in words if w))
        national = {d[1:] if d.startswith("7") and len(d) == 11 else d for d in n.phone_digits}
        self.digits = tuple(sorted(d for d in national if len(d) >= 7))
        names = sorted({*n.names, *(html.escape(x) for x in n.names)}, key=len, reverse=True)
        self.name = _either([rf"(?<!\w){re.escape(x)}(?!\w)" for x in names if x.strip()])

    def probe(self, text: str) -> bool:
        """A quick test (plain substrings): may ``text`` show the person? False means no."""
        low = text.lower()
        if any(w in low for w in self.words):
            return True
        if not self.digits:
            return False
        bare = _SEPARATORS.sub("", text)
        return any(d in bare for d in self.digits)

    def row_hit(self, cells: list[str], headers: list[str]) -> bool:
        """Whether a row of a row file belongs to the person."""
        n = self.needles
        for i, raw in enumerate(cells):
            value = str(raw).strip() if raw is not None else ""
            if not value or not self.probe(value):
                continue
            if value in n.ids or value.lower() in self.needles.hashes:
                return True
            head = headers[i].strip().casefold() if i < len(headers) else ""
            if head in USER_ID_HEADERS and _bare(value) in n.bare_ids:
                return True
            if "@" in value and any(e in value.lower() for e in n.emails):
                return True
            if re.fullmatch(r"[\d\s()+\-.]{7,}", value) and _phone(value) in n.phones:
                return True
        return False

    def shows(self, text: str) -> bool:
        """Whether ``text`` holds one of the person's ids or contacts."""
        return any(p is not None and p.search(text) for p in (self.ident, self.contact))

    def replace(self, text: str, *, names: bool) -> tuple[str, int]:
        """Ids → the anonymous id; contacts (and names when ``names``) → empty text."""
        count = 0
        if self.ident is not None:
            text, k = self.ident.subn(self.needles.anon, text)
            count += k
        if self.contact is not None:
            text, k = self.contact.subn("", text)
            count += k
        if names and self.name is not None:
            text, k = self.name.subn("", text)
            count += k
        return text, count


def _either(patterns: list[str]) -> re.Pattern | None:
    return re.compile("|".join(patterns), re.IGNORECASE) if patterns else None


def _phone_pattern(phone: str) -> str:
    """A phone in any layout: ``+7 (916) 123-45-67``, ``8 916 1234567``, ``9161234567``.

    >>> bool(re.fullmatch(_phone_pattern("+79161234567"), "8 (916) 123-45-67"))
    True
    """
    digits = re.sub(r"\D", "", phone)
    if phone.startswith("+7") and len(digits) == 11:
        head, rest = r"(?:\+?\s*7|8)?", digits[1:]
    else:
        head, rest = r"\+?\s*", digits
    return rf"(?<![\d]){head}{_SEP}{_SEP.join(rest)}(?!\d)"


def _bare(value: str) -> str:
    return value[:-2] if value.endswith(".0") else value


def _phone(value: str) -> str | None:
    try:
        return normalize_phone(value)
    except ValueError:
        return None


# ------------------------------------------------------------------ the walk


def workspace_files(root: Path) -> Iterator[Path]:
    """Every file of the workspace except the store, its secret, its configuration and the
    dashboard's working folder."""
    root = Path(root)
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        dirs[:] = [d for d in dirs if not d.endswith(".duckdb.tmp")]
        dirs.sort()
        for name in sorted(files):
            if name in SKIP_NAMES and here == root:
                continue
            if name.endswith(SKIP_SUFFIXES) or name.endswith(".tmp"):
                continue
            yield here / name


def sweep_temps(root: Path) -> int:
    """Delete the temporary files an interrupted erasure left (:func:`write_atomic`'s
    names, ``.<name>.<12 hex>.tmp``); an export's own temporary files are its own."""
    gone = 0
    for folder, dirs, files in os.walk(root):
        if Path(folder) == Path(root):
            dirs[:] = [d for d in dirs if d != "spark"]
        for name in files:
            if _TEMP.fullmatch(name):
                (Path(folder) / name).unlink(missing_ok=True)
                gone += 1
    return gone


def scrub_files(
    root: Path, needles: Needles, *, write: bool, only: Collection[Path] | None = None
) -> list[FileChange]:
    """Find (and with ``write``, rewrite) every workspace file that shows the person;
    ``only``: the files an earlier look found (manifests are always looked at)."""
    root = Path(root)
    if write:
        sweep_temps(root)
    matcher = Matcher(needles)
    changes: list[FileChange] = []
    manifests: dict[Path, dict[str, FileChange]] = {}
    for path in workspace_files(root):
        if path.name == MANIFEST or (only is not None and path not in only):
            continue  # manifests after the files they list
        change = _scrub_file(root, path, matcher, write=write)
        if change is not None:
            changes.append(change)
            if (path.parent / MANIFEST).exists():
                manifests.setdefault(path.parent / MANIFEST, {})[path.name] = change
    for path in workspace_files(root):
        if path.name != MANIFEST:
            continue
        change = _scrub_manifest(path, manifests.get(path, {}), matcher, write=write)
        if change is not None:
            changes.append(change)
    return changes


def _scrub_file(root: Path, path: Path, m: Matcher, *, write: bool) -> FileChange | None:
    suffix = path.suffix.lower()
    in_reports = path.relative_to(root).parts[0] == REPORTS
    data = path.read_bytes()
    if suffix in PARQUET_TYPES:
        return _scrub_parquet(path, data, m, write=write)
    if suffix in ROW_TYPES and ROW_TYPES[suffix] == "xlsx":
        return _scrub_xlsx(path, data, m, replace=in_reports, write=write)
    if suffix in ROW_TYPES and not in_reports:
        return _scrub_csv(path, data, m, write=write)
    kind = TEXT_TYPES.get(suffix, "csv" if suffix in ROW_TYPES else None)
    if kind is None:
        return _unhandled(path, data, m)
    enc = detect_encoding(data[: 1 << 20])
    text = data.decode(enc, errors="surrogateescape")
    if not m.probe(text):
        return None
    if kind == "json":
        new, count = _replace_json(text, m)
    else:
        new, count = m.replace(text, names=m.shows(text))
    if not count:
        return None
    if write:
        write_atomic(path, new.encode(enc, errors="surrogateescape"))
    return FileChange(path, kind, count)


def _unhandled(path: Path, data: bytes, m: Matcher) -> FileChange | None:
    if m.shows(data.decode("utf-8", errors="replace")):
        return FileChange(path, "unhandled", 0)
    return None


# ------------------------------------------------------------------ CSV


def _records(text: str, delimiter: str) -> Iterator[tuple[str, list[str]]]:
    r"""CSV records as (their exact text with line ends, their cells), split as the
    importers' reader splits them (a quoted field may span lines).

    >>> [r for r, _ in _records('a,b\r\n"x\ny",1\n2,3', ",")]
    ['a,b\r\n', '"x\ny",1\n', '2,3']
    """
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    done = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:  # an unreadable record (a field over the size limit): kept
            cells = []
        end = max(reader.line_num, done + 1)
        yield "".join(lines[done:end]), cells
        done = end
    if done < len(lines):
        yield "".join(lines[done:]), []


def _scrub_csv(path: Path, data: bytes, m: Matcher, *, write: bool) -> FileChange | None:
    enc = detect_encoding(data[: 1 << 20])
    text = data.decode(enc, errors="surrogateescape")
    if not m.probe(text):
        return None
    delimiter = detect_delimiter(first_line(text.removeprefix("\ufeff")))
    kept: list[str] = []
    headers: list[str] | None = None
    dropped = 0
    for record, cells in _records(text, delimiter):
        if headers is None:
            headers = [c.removeprefix("\ufeff") for c in cells]
        elif m.probe(record) and m.row_hit(cells, headers):
            dropped += 1
            continue
        kept.append(record)
    if not dropped:
        return None
    if write:
        write_atomic(path, "".join(kept).encode(enc, errors="surrogateescape"))
    return FileChange(path, "csv", dropped)


# ------------------------------------------------------------------ XLSX


def _scrub_xlsx(
    path: Path, data: bytes, m: Matcher, *, replace: bool, write: bool
) -> FileChange | None:
    from openpyxl import load_workbook

    try:
        zipped = zipfile.ZipFile(io.BytesIO(data))
        inner = "\n".join(
            zipped.read(n).decode("utf-8", errors="replace")
            for n in zipped.namelist()
            if n.startswith("xl/") and n.endswith(".xml")
        )
    except zipfile.BadZipFile:
        return _unhandled(path, data, m)
    if not m.probe(html.unescape(inner)):
        return None
    book = load_workbook(io.BytesIO(data))
    count = 0
    for sheet in book.worksheets:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        if not rows:
            continue
        if replace:
            names = any(m.shows(v) for r in rows for v in r if isinstance(v, str))
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        new, k = m.replace(cell.value, names=names)
                        if k:
                            cell.value, count = new, count + k
            continue
        headers = ["" if v is None else str(v) for v in rows[0]]
        drop = [
            i + 1
            for i, row in enumerate(rows)
            if i > 0 and m.row_hit(["" if v is None else str(v) for v in row], headers)
        ]
        for index in reversed(drop):
            sheet.delete_rows(index)
        count += len(drop)
    if not count:
        return None
    if write:
        out = io.BytesIO()
        book.save(out)
        write_atomic(path, _same_zip_stamps(data, out.getvalue()))
    return FileChange(path, "xlsx", count)


def _same_zip_stamps(old: bytes, new: bytes) -> bytes:
    """The new workbook with the old one's document properties and member timestamps (a
    workbook livebase wrote stays reproducible)."""
    with zipfile.ZipFile(io.BytesIO(old)) as before:
        stamps = {i.filename: i.date_time for i in before.infolist()}
        core = before.read("docProps/core.xml") if "docProps/core.xml" in stamps else None
    return restamp_zip(new, core=core, stamps=stamps)


# ------------------------------------------------------------------ Parquet


def _scrub_parquet(path: Path, data: bytes, m: Matcher, *, write: bool) -> FileChange | None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError):
        return _unhandled(path, data, m)
    n = m.needles
    hit = pa.array([False] * table.num_rows)
    lowers = sorted(n.emails | n.hashes)
    for name in table.column_names:
        col = table.column(name)
        user_id = name.strip().casefold() in USER_ID_HEADERS
        if pa.types.is_integer(col.type):
            if user_id:
                hit = pc.or_(hit, pc.is_in(pc.cast(col, pa.string()), pa.array(sorted(n.bare_ids))))
            continue
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            continue
        text = pc.utf8_trim_whitespace(pc.cast(col, pa.string()))
        found = pc.or_(
            pc.is_in(text, pa.array(sorted(n.ids), pa.string())),
            pc.is_in(pc.utf8_lower(text), pa.array(lowers, pa.string())),
        )
        digits = pc.replace_substring_regex(text, r"\D", "")
        phone_like = pc.match_substring_regex(text, r"^[\d\s()+\-.]{7,}$")
        found = pc.or_(
            found,
            pc.and_(phone_like, pc.is_in(digits, pa.array(sorted(n.phone_digits), pa.string()))),
        )
        if user_id:
            found = pc.or_(found, pc.is_in(text, pa.array(sorted(n.bare_ids), pa.string())))
        hit = pc.or_(hit, pc.fill_null(found, False))
    dropped = int(pc.sum(pc.cast(hit, pa.int64())).as_py() or 0)
    if not dropped:
        return None
    if write:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
        compression = "snappy"
        if meta.num_row_groups and meta.num_columns:
            compression = meta.row_group(0).column(0).compression.lower()
        buffer = io.BytesIO()
        kept = table.filter(pc.invert(hit))
        pq.write_table(kept, buffer, compression=compression)
        write_atomic(path, buffer.getvalue())
    return FileChange(path, "parquet", dropped)


# ------------------------------------------------------------------ JSON and manifests


_JSON_STYLES = [
    {"indent": indent, "sort_keys": sort, "ensure_ascii": ascii_}
    for indent in (1, 2, None, 4)
    for sort in (True, False)
    for ascii_ in (False, True)
]


def _json_style(text: str, data: object) -> dict:
    """The dump options that reproduce ``text`` (the writer's layout), else livebase's."""
    body = text.rstrip("\n")
    for style in _JSON_STYLES:
        if json.dumps(data, **style) == body:
            return style
    return _JSON_STYLES[0]


def _dump_json(data: object, style: dict, text: str) -> str:
    return json.dumps(data, **style) + ("\n" if text.endswith("\n") else "")


def _walk_json(value: object, fix: Callable[[str], tuple[str, int]]) -> tuple[object, int]:
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, list):
        out, total = [], 0
        for item in value:
            new, k = _walk_json(item, fix)
            out.append(new)
            total += k
        return out, total
    if isinstance(value, dict):
        out_d, total = {}, 0
        for key, item in value.items():
            new_key, k1 = fix(key)
            new, k2 = _walk_json(item, fix)
            out_d[new_key] = new
            total += k1 + k2
        return out_d, total
    return value, 0


def _replace_json(text: str, m: Matcher) -> tuple[str, int]:
    try:
        data = json.loads(text)
    except ValueError:
        return m.replace(text, names=m.shows(text))
    names = m.shows(json.dumps(data, ensure_ascii=False))
    new, count = _walk_json(data, lambda s: m.replace(s, names=names))
    if not count:
        return text, 0
    return _dump_json(new, _json_style(text, data), text), count


def _scrub_manifest(
    path: Path, changed: dict[str, FileChange], m: Matcher, *, write: bool
) -> FileChange | None:
    """A wave's manifest after its files changed: rows, audience sizes and checksums."""
    text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return _scrub_file(path.parent, path, m, write=write) if m.probe(text) else None
    style = _json_style(text, data)
    count = 0
    for entry in data["files"]:
        if not isinstance(entry, dict) or entry.get("path") not in changed:
            continue
        change = changed[entry["path"]]
        dropped = change.rows if change.kind in ("csv", "xlsx", "parquet") else 0
        if isinstance(entry.get("rows"), int) and dropped:
            entry["rows"] = max(0, entry["rows"] - dropped)
        if entry.get("kind") == "retargeting" and dropped:
            span = (data.get("retargeting") or {}).get(entry.get("arm"))
            if isinstance(span, dict) and isinstance(span.get("customers"), int):
                span["customers"] = max(0, span["customers"] - dropped)
        if write:
            body = change.path.read_bytes()
            if "sha256" in entry:
                entry["sha256"] = hashlib.sha256(body).hexdigest()
            for size_key in ("bytes", "size"):
                if size_key in entry:
                    entry[size_key] = len(body)
        count += 1
    data, replaced = _walk_json(data, lambda s: m.replace(s, names=False))
    count += replaced
    if not count:
        return None
    if write:
        write_atomic(path, _dump_json(data, style, text).encode("utf-8"))
    return FileChange(path, "manifest", count)
