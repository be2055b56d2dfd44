"""Erasure of one person (SPEC F7.2): ``livebase erase --customer ID|EMAIL|PHONE``.

The rules, one sentence each:

* The value names one person: a customer id (also one that was merged into another), or
  an e-mail or a phone normalised as the importers normalise them; the person is that
  customer plus every id merged into it.
* A value that names no one (an anonymous id ``erased:…`` included) is an
  :class:`InputError` whose message never repeats the value (it is personal data), and so
  is a value holding a control character.
* One erasure draws one fresh random anonymous id ``erased:<16 hex digits>``, derived
  from nothing.
* In the store, in one transaction: the person's ``identities`` rows are deleted; their
  ``customers`` row is replaced by one under the anonymous id with ``email``, ``phone``
  and ``name`` empty (the other attributes stay, so cohorts and the rule that every order
  has a customer still hold); every other row carrying one of their ids (any
  ``customer_id`` column, ``identity_merges.from_id`` and ``into_id``) gets the
  anonymous id, so counts, revenue, segments, arms and readouts stay what they were.
* A ``rejects.value`` equal (trimmed, any case) to one of the person's e-mails, phones
  (any layout), names or source ids is set to NULL; its reason stays.
* The workspace's files are cleaned (:mod:`livebase.privacy.scrub`) before the store, so
  an interrupted erasure can simply be run again; the dashboard's spool and snapshots
  (:mod:`livebase.privacy.serve`) before and again after it, with the spool's drain held
  throughout.
* The erasure is recorded in ``erasures`` (id, time, by whom, the anonymous id, JSON counts
  of rows changed per table and of files and rows per file type) and the person's
  normalised keys in ``erased_keys`` as keyed hashes (:mod:`livebase.privacy.suppression`),
  never as values.
* Afterwards the store is compacted (:func:`livebase.engine.compact`), so no deleted or
  overwritten value stays in its files; the marker ``.erase-pending`` (holding only the
  erasure id) is written, synced, before the store transaction and removed after the
  compaction, so an erasure cut off in between is seen (``livebase check``, audit
  ``erasure_compacted``) and finished by the next ``livebase erase``
  (:func:`finish_compaction`).
* A value that names no one but belongs to an erased person (its keyed hash is in
  ``erased_keys``) is answered with the erasure that erased it (:func:`erased_by`).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import ibis
import pandas as pd

from livebase import engine
from livebase.diskfile import fsync_path, write_atomic
from livebase.errors import InputError
from livebase.faults import fault
from livebase.ingest.normalize import CONTROL, lookup_keys
from livebase.privacy import scrub, serve
from livebase.privacy.suppression import CHECK_KIND, check_hash, key_hash, suppression_key
from livebase.store.schema import ALL_TABLES
from livebase.store.workspace import Workspace
from livebase.store.write import append, upsert

NO_MATCH = "no customer matches the given id, e-mail or phone"
ID_COLUMNS = ("customer_id", "from_id", "into_id")
CONTACT_COLUMNS = ("email", "phone", "name")
ANON_PREFIX = "erased:"
MAX_BY = 200
PENDING = ".erase-pending"  # in the workspace: an erasure whose compaction has not finished


@dataclass(frozen=True)
class Person:
    """Who is erased: never printed (the repr hides it)."""

    customer_id: str
    ids: tuple[str, ...]  # the customer id and every id merged into it
    keys: tuple[tuple[str, str], ...]  # (kind, normalised value): its ids, e-mails, phones
    names: tuple[str, ...]

    def __repr__(self) -> str:
        return "Person(<hidden>)"

    def values(self, kind: str) -> list[str]:
        return sorted({v for k, v in self.keys if k == kind})

    def needles(self, anon: str) -> scrub.Needles:
        sources = [*self.values("src"), *self.ids]
        return scrub.Needles(
            ids=frozenset(sources),
            bare_ids=frozenset(s.partition(":")[2] for s in sources if ":" in s) - {""},
            emails=frozenset(self.values("email")),
            phones=frozenset(self.values("phone")),
            names=frozenset(n for n in self.names if n.strip()),
            anon=anon,
        )


@dataclass(frozen=True)
class ErasurePlan:
    """What an erasure will change: rows per table, and files (with rows) per type."""

    person: Person
    anon_id: str
    tables: dict[str, int]
    files: dict[str, dict[str, int]]
    paths: frozenset[Path]  # the files that show the person


@dataclass(frozen=True)
class ErasureResult:
    erasure_id: str
    anon_id: str
    tables: dict[str, int]
    files: dict[str, dict[str, int]]
    unhandled: tuple[str, ...]  # files of an unknown type that still show the person


def new_anon_id() -> str:
    """>>> import re; bool(re.fullmatch(r"erased:[0-9a-f]{16}", new_anon_id()))
    True
    """
    return ANON_PREFIX + secrets.token_hex(8)


# ------------------------------------------------------------------ who


def find_person(ws: Workspace, value: str) -> Person:
    """The person ``value`` names (an id, an e-mail or a phone); :class:`InputError` when
    no one matches, without repeating ``value``."""
    text = (value or "").strip()
    if CONTROL.search(text):
        raise InputError("the id, e-mail or phone must not hold control characters")
    customer = _lookup(ws, text) if text else None
    if customer is None:
        raise InputError(NO_MATCH)
    ids = _merged_into(ws, customer)
    idn = ws.table("identities")
    keys = {("src", i) for i in ids} | {
        (r["kind"], r["value"])
        for r in idn.filter(idn.customer_id.isin(ids)).to_pyarrow().to_pylist()
        if r["value"]
    }
    c = ws.table("customers")
    rows = c.filter(c.customer_id.isin(ids)).to_pyarrow().to_pylist()
    names = set()
    for r in rows:
        for kind in ("email", "phone"):
            if r[kind]:
                keys.add((kind, r[kind]))
        if r["name"]:
            names.add(r["name"])
    return Person(customer, tuple(sorted(ids)), tuple(sorted(keys)), tuple(sorted(names)))


def _lookup(ws: Workspace, text: str) -> str | None:
    """The customer id ``text`` leads to, or None."""
    if text.startswith(ANON_PREFIX):
        return None  # already erased: the anonymous rows name no one
    c, idn = ws.table("customers"), ws.table("identities")
    for kind, key in lookup_keys(text):
        found: list[str] = []
        if kind == "id":
            found = _column(c.filter(c.customer_id == key), "customer_id")
            found = found or _column(
                idn.filter((idn.kind == "src") & (idn.value == key)), "customer_id"
            )
            found = found or _follow(ws, key)
        else:
            found = _column(idn.filter((idn.kind == kind) & (idn.value == key)), "customer_id")
            found = found or _column(c.filter(c[kind] == key), "customer_id")
        if len(set(found)) > 1:
            raise InputError(
                "more than one customer has this e-mail or phone: erase each by its "
                "customer id (livebase erase --customer ID)"
            )
        if found:
            return found[0]
    return None


def _column(t: ibis.Table, name: str) -> list[str]:
    return sorted({v for v in t[name].to_pyarrow().to_pylist() if v})


def _follow(ws: Workspace, old: str) -> list[str]:
    """An id merged into another: the customer it ended up in."""
    m = ws.table("identity_merges")
    seen, current = {old}, old
    while True:
        into = _column(m.filter(m.from_id == current), "into_id")
        if not into:
            return [current] if current != old else []
        current = into[0]
        if current in seen:
            return [current]
        seen.add(current)


def _merged_into(ws: Workspace, customer: str) -> list[str]:
    """``customer`` and every id merged into it, directly or through another."""
    m = ws.table("identity_merges")
    ids, frontier = {customer}, {customer}
    while frontier:
        found = set(_column(m.filter(m.into_id.isin(sorted(frontier))), "from_id"))
        frontier = found - ids
        ids |= frontier
    return sorted(ids)


# ------------------------------------------------------------------ the plan


def plan_erasure(ws: Workspace, value: str) -> ErasurePlan:
    """Find the person and count what erasing them changes (nothing is written)."""
    person = find_person(ws, value)
    anon = new_anon_id()
    needles = person.needles(anon)
    files = scrub.scrub_files(ws.root, needles, write=False)
    paths = frozenset(f.path for f in files)
    files += serve.scrub_serve(ws.root, scrub.Matcher(needles), write=False)
    return ErasurePlan(person, anon, _table_counts(ws, person), _file_counts(files), paths)


def _table_counts(ws: Workspace, person: Person) -> dict[str, int]:
    counts: dict[str, int] = {}
    ids = list(person.ids)
    for spec in ALL_TABLES.values():
        columns = [c for c in ID_COLUMNS if c in spec.columns]
        if not columns:
            continue
        t = ws.table(spec.name)
        pred = ibis.or_(*[t[c].isin(ids) for c in columns])
        n = int(t.filter(pred).count().to_pyarrow().as_py())
        if n:
            counts[spec.name] = n
    r = ws.table("rejects")
    n = int(r.filter(_reject_hit(r, person)).count().to_pyarrow().as_py())
    if n:
        counts["rejects"] = n
    return counts


def _file_counts(changes: Sequence[scrub.FileChange]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for c in changes:
        entry = out.setdefault(c.kind, {"files": 0, "rows": 0})
        entry["files"] += 1
        entry["rows"] += c.rows
    return dict(sorted(out.items()))


def _reject_hit(r: ibis.Table, person: Person) -> ibis.ir.BooleanValue:
    """Rejects whose value is one of the person's keys or names, raw or normalised."""
    value = r["value"].strip()
    needles = person.needles("")
    exact = sorted({*needles.ids, *needles.phones})
    lowered = sorted({*needles.emails, *(n.lower() for n in needles.names)})
    pred = ibis.literal(False)
    if exact:
        pred |= value.isin(exact)
    if lowered:
        pred |= value.lower().isin(lowered)
    forms = sorted(needles.phone_digits)  # what a raw phone cell may reduce to
    if forms:
        phone_like = value.re_search(r"^[0-9 ()+.\-]{7,}$")
        pred |= phone_like & value.re_replace(r"[^0-9]", "").isin(forms)
    if needles.bare_ids:
        user_col = r["column"].strip().lower().isin(sorted(scrub.USER_ID_HEADERS))
        pred |= user_col & value.isin(sorted(needles.bare_ids))
    return pred.fill_null(False)


# ------------------------------------------------------------------ the erasure


def erase_person(
    ws: Workspace, plan: ErasurePlan, *, by: str | None = None, now: dt.datetime | None = None
) -> ErasureResult:
    """Erase ``plan``'s person from the files and the store, record it, compact the store."""
    person, anon = plan.person, plan.anon_id
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)  # the audit time
    who = _operator(by)
    key = suppression_key(ws, create=True)  # a changed secret stops here, before any change
    needles = person.needles(anon)
    with serve.drain_held(ws.root):  # no server stores spooled lines while we erase
        changes = scrub.scrub_files(ws.root, needles, write=True, only=plan.paths)
        changes += serve.scrub_serve(ws.root, scrub.Matcher(needles), write=True)
        result = _erase_store(ws, person, anon, key, changes, who, now)
        # lines spooled while the store changed (later ones are refused as erased); the
        # snapshots servers took since are of the erased store
        serve.scrub_serve(ws.root, scrub.Matcher(needles), write=True, snapshots=False)
        return result


def _erase_store(
    ws: Workspace,
    person: Person,
    anon: str,
    key: bytes,
    changes: list[scrub.FileChange],
    who: str,
    now: dt.datetime,
) -> ErasureResult:
    files = _file_counts([c for c in changes if c.kind != "unhandled"])
    unhandled = tuple(
        c.path.relative_to(ws.root).as_posix() for c in changes if c.kind == "unhandled"
    )
    erasure_id = f"erasure-{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    con = ws.con
    tables = _table_counts(ws, person)
    pending = ws.root / PENDING
    write_atomic(pending, erasure_id.encode("ascii"))
    try:
        with engine.transaction(con):
            _erase_rows(ws, person, anon, tables)
            append(
                con,
                "erasures",
                pd.DataFrame(
                    [
                        {
                            "erasure_id": erasure_id,
                            "erased_at": now,
                            "by": who,
                            "anon_id": anon,
                            "tables": json.dumps(tables, sort_keys=True),
                            "files": json.dumps(files, sort_keys=True),
                        }
                    ]
                ),
            )
            rows = [{"key_hash": check_hash(key), "kind": CHECK_KIND, "erasure_id": None}]
            rows += [
                {"key_hash": key_hash(key, v), "kind": k, "erasure_id": erasure_id}
                for k, v in person.keys
            ]
            upsert(con, "erased_keys", pd.DataFrame(rows))
    except BaseException:
        _done(pending)  # rolled back: nothing to compact
        raise
    fault("erase.compact")
    changed = sorted({*tables, "customers", "identities"})
    ws.__dict__["con"] = engine.compact(con, changed)
    _done(pending)
    return ErasureResult(erasure_id, anon, tables, files, unhandled)


def _done(pending: Path) -> None:
    pending.unlink(missing_ok=True)
    fsync_path(pending.parent)


def pending_compaction(root: Path) -> str | None:
    """The id of an erasure cut off before its compaction finished, or None."""
    try:
        return (Path(root) / PENDING).read_text("ascii").strip() or "?"
    except FileNotFoundError:
        return None


def finish_compaction(ws: Workspace) -> str | None:
    """Compact the store when an erasure was cut off before its compaction (its old values
    may still lie in the store's free blocks); returns that erasure's id, or None when
    nothing was pending. Safe to repeat: compacting a compacted store changes no row. The
    dashboard's snapshots go too: a server may have copied the uncompacted store."""
    erasure_id = pending_compaction(ws.root)
    if erasure_id is None:
        return None
    ws.__dict__["con"] = engine.compact(ws.con)
    serve.drop_snapshots(ws.root, write=True)
    _done(ws.root / PENDING)
    return erasure_id


def erased_by(ws: Workspace, value: str) -> str | None:
    """The id of the erasure that erased the person ``value`` names (an id, an e-mail or a
    phone, normalised as :func:`find_person` does), or None; reads only keyed hashes."""
    text = (value or "").strip()
    key = suppression_key(ws)
    if not text or key is None:
        return None
    t = ws.table("erased_keys")
    hashes = sorted({key_hash(key, v) for _, v in lookup_keys(text)})
    ids = _column(t.filter(t.key_hash.isin(hashes) & t.erasure_id.notnull()), "erasure_id")
    return ids[-1] if ids else None


def _operator(by: str | None) -> str:
    if by is None or not by.strip():
        try:
            by = getpass.getuser()
        except (KeyError, OSError):
            by = "unknown"
    by = CONTROL.sub(" ", by).strip()
    return by[:MAX_BY] or "unknown"


def _erase_rows(ws: Workspace, person: Person, anon: str, tables: dict[str, int]) -> None:
    """Inside the caller's transaction: every table of the store."""
    con, ids = ws.con, list(person.ids)
    c = ws.table("customers")
    kept = c.filter(c.customer_id.isin(ids)).order_by("customer_id").to_pandas()
    engine.delete_rows(con, "identities", engine.isin("customer_id", ids))
    engine.delete_rows(con, "customers", engine.isin("customer_id", ids))
    if not kept.empty:
        row = kept.iloc[[0]].copy()
        row["customer_id"] = anon
        for column in CONTACT_COLUMNS:
            row[column] = None
        append(con, "customers", row)
    for spec in ALL_TABLES.values():
        if spec.name in ("customers", "identities") or not tables.get(spec.name):
            continue
        for column in ID_COLUMNS:
            if column not in spec.columns:
                continue
            rest = [k for k in spec.key if k != column] if column in spec.key else []
            for old in ids:
                engine.reassign(con, spec.name, column, old, anon, rest)
    if tables.get("rejects"):
        _scrub_rejects(ws, person)


def _scrub_rejects(ws: Workspace, person: Person) -> None:
    """Set the matching ``rejects.value`` to NULL: the rows of those (import, line) keys
    are deleted and written back with the value cleared where it matched."""
    r = ws.table("rejects")
    hit = _reject_hit(r, person)
    keys = r.filter(hit).select("import_id", "line").distinct()
    rows = r.semi_join(keys, ["import_id", "line"]).mutate(_hit=hit).to_pandas()
    rows.loc[rows["_hit"].astype(bool), "value"] = None
    for import_id, part in rows.groupby("import_id"):
        lines = sorted(int(x) for x in part["line"].unique())
        engine.delete_rows(
            ws.con, "rejects", engine.eq("import_id", int(import_id)), engine.isin("line", lines)
        )
    append(ws.con, "rejects", rows.drop(columns=["_hit"]))
