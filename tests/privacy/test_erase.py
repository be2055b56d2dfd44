"""Erasure (SPEC F7.2): ``livebase erase`` leaves no trace of a person, and every total.

The school: 1,000 simulated GetCourse users (seed 4, history to 5 May 2025) imported
through the CLI into a DuckDB store that keeps strings uncompressed
(``force_compression=uncompressed`` in the engine URL, so a byte scan of the file can see
them); the school's own exports copied into ``exports/source`` (as ``livebase demo``
keeps them), segmented, an R90 wave planned and exported on 6 May (ESP lists, hashed
retargeting audiences, call lists), the wave's outcome imported, its readout and the
base report written. Three people are erased through the CLI: one by e-mail, one by a
phone written as in the users export, one by customer id.

What is checked:

* (a) their e-mails (raw and normalised), phones (raw, E.164, digits), the SHA-256 forms of
  the retargeting audiences, their customer ids and names are in no file under the
  workspace (raw bytes, the members of every zip, the values of every Parquet file), the
  store file included; CONTROLS: before the erasure the first person's e-mail is found
  in ``store.duckdb`` by the same scan, and afterwards another person's still is;
* (b) the number of orders, their sum, the rows of every table (``identities`` less the
  erased keys), the segment sizes and the wave's per-arm aggregates are what they were;
* (c) ``erasures`` has one row per erasure, with no e-mail, phone, name or id in it;
* (d) re-importing the people's rows (new files: the original ones are recognised by their
  SHA-256) brings nobody back: the rows land in ``rejects`` as ``erased person`` with no
  value, a control person's row loads as before; a webhook event of an erased person
  is refused;
* (e) erasing the same person again (by e-mail or id) answers with their erasure and
  changes nothing; a value that never named anyone is the clear "no customer matches"
  error;
* (f) the CLI prints no traceback and never the person's data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.engines.conftest import pg_database, pg_server  # noqa: F401  (a fixture)
from tests.ingest.gc_files import order, write_orders
from tests.test_cli import run, school

from livebase import engine
from livebase.errors import InputError
from livebase.experiments.aggregates import arm_aggregates
from livebase.exports.wave import export_wave
from livebase.ingest.pipeline import import_file
from livebase.metrics.rfm import day_end
from livebase.playbooks.planner import webinar_info
from livebase.playbooks.wave import plan_wave, wave_assignments
from livebase.privacy.erase import NO_MATCH, PENDING, erase_person, find_person, plan_erasure
from livebase.privacy.suppression import REASON
from livebase.reports.base import base_report
from livebase.reports.base_html import write_base_html
from livebase.reports.files import workspace_wave_report, write_wave_files
from livebase.segments.build import build_segments
from livebase.simulate import wave_outcomes
from livebase.store.invariants import check
from livebase.store.schema import ALL_TABLES
from livebase.store.workspace import Workspace

DAY = dt.date(2025, 5, 5)
ENGINE = "duckdb://store.duckdb?force_compression=uncompressed"
SOURCES = ("users", "orders", "payments", "lms_events", "consents", "esp_events", "state")


@dataclass(frozen=True)
class Someone:
    """A person of the simulated school as the exports wrote them."""

    customer_id: str
    email: str  # normalised
    email_raw: str
    phone: str | None  # E.164
    phone_raw: str
    name: str

    def traces(self) -> list[bytes]:
        """What must be gone: every form of the person's keys, as bytes."""
        forms = {self.email, self.email_raw.strip(), self.name, self.customer_id}
        forms.add(hashlib.sha256(self.email.encode()).hexdigest())
        if self.phone:
            digits = self.phone.lstrip("+")
            forms |= {self.phone, digits, digits[1:], self.phone_raw.strip()}
            forms.add(hashlib.sha256(digits.encode()).hexdigest())
        out = {f.encode("utf-8") for f in forms if f}
        out.add(self.name.encode("cp1251"))  # users.csv is Windows-1251
        return sorted(out)


def _contents(path: Path) -> list[bytes]:
    """A file's bytes, the members of a zip (XLSX) and the values of a Parquet file."""
    data = path.read_bytes()
    out = [data]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            out += [z.read(n) for n in z.namelist()]
    if path.suffix == ".parquet":
        out.append(pq.read_table(path).to_pandas().to_csv().encode("utf-8"))
    return out


def _boundary(form: bytes) -> re.Pattern:
    """``form`` not inside a longer id or number (gc:12 is not in gc:123)."""
    return re.compile(rb"(?<![0-9a-z])" + re.escape(form.lower()) + rb"(?![0-9a-z])")


def scan(path: Path, person: Someone) -> list[str]:
    """The person's traces in one file (plain substrings first, then with boundaries)."""
    forms = person.traces()
    digits = re.sub(r"\D", "", person.phone or "")[1:]
    layout = re.compile(r"\D{0,3}".join(digits).encode()) if digits else None
    found = []
    for blob in _contents(path):
        low = blob.lower()
        found += [
            f.decode("utf-8", "replace")
            for f in forms
            if f.lower() in low and _boundary(f).search(low)
        ]
        if layout is not None and layout.search(blob):
            found.append("phone in any layout")
    return found


def found_in(root: Path, person: Someone) -> dict[str, list[str]]:
    """Which of the person's traces each file under ``root`` holds (empty: none)."""
    hits = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        found = scan(path, person)
        if found:
            hits[path.relative_to(root).as_posix()] = found
    return hits


def _people(ws_path: Path, state: Path) -> dict[str, Someone]:
    """Every customer with a single profile and a name no one else's name contains."""
    st = pq.read_table(state).to_pandas()
    single = st[st.groupby("person")["user_id"].transform("size") == 1]
    names = st["name"].tolist()
    ws = Workspace.open(ws_path)
    try:
        customers = ws.table("customers").to_pandas().set_index("customer_id")
    finally:
        ws.close()
    out = {}
    for r in single.itertuples():
        cid = f"gc:{r.user_id}"
        if cid not in customers.index or sum(r.name in n for n in names) != 1:
            continue
        c = customers.loc[cid]
        if not isinstance(c["email"], str):
            continue
        phone = c["phone"] if isinstance(c["phone"], str) else None
        out[cid] = Someone(cid, c["email"], r.email_raw, phone, r.phone_raw or "", r.name)
    return out


def _rows(folder: Path, pattern: str) -> list[list[str]]:
    out = []
    for path in sorted(folder.glob(pattern)):
        out += list(csv_rows(path.read_bytes().decode("utf-8")))[1:]
    return out


def csv_rows(text: str):
    import csv

    return csv.reader(io.StringIO(text, newline=""))


def stats(ws_path: Path, wave_id: str) -> dict:
    """The totals an erasure must keep."""
    ws = Workspace.open(ws_path)
    try:
        o = ws.table("orders")
        s = ws.table("segments")
        sizes = s.group_by(["as_of", "version", "segment"]).aggregate(n=s.count()).to_pandas()
        return {
            "orders": int(o.count().to_pyarrow().as_py()),
            "amount": o.amount.sum().to_pyarrow().as_py(),
            "rows": {t: int(ws.table(t).count().to_pyarrow().as_py()) for t in ALL_TABLES},
            "segments": sorted(sizes.itertuples(index=False, name=None)),
            "arms": arm_aggregates(ws.con, wave_id, rules=ws.config.purchase_rules),
            "invariants": check(ws),
        }
    finally:
        ws.close()


@pytest.fixture(scope="module")
def erased(tmp_path_factory):
    """The school before and after three erasures through the CLI."""
    tmp = tmp_path_factory.mktemp("erase")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIVEBASE_ENGINE", ENGINE)
        root = school(tmp, 1000, 4, "users", "orders", "payments", "lms_events", "consents")
    source = root / "exports" / "source"
    source.mkdir(parents=True)
    for name in SOURCES:
        found = next((tmp / "exports").glob(f"{name}.*"))
        shutil.copy(found, source / found.name)
    ws = Workspace.open(root)
    try:
        assert "force_compression=uncompressed" in ws.config.engine
        build_segments(ws, DAY)
        wave = plan_wave(ws, DAY, tier="R90", seed=4)
        export_wave(
            ws,
            wave.wave_id,
            root / "exports",
            now=day_end(DAY + dt.timedelta(1)),
            webinar=webinar_info(ws, wave.wave_id),
        )
        out = wave_outcomes(
            tmp / "exports",
            wave_assignments(ws, wave.wave_id),
            wave_id=wave.wave_id,
            starts_on=wave.starts_on,
            days=wave.days,
            seed=4,
            out_dir=tmp / "wave",
        )
        import_file(ws, out.orders, "getcourse-orders")
        write_wave_files(ws, workspace_wave_report(ws, wave.wave_id, lang="en"))
        write_base_html(base_report(ws, DAY, "en"), ws.reports_dir / "base.html", "en")
    finally:
        ws.close()
    people = _people(root, tmp / "exports" / "state.parquet")
    folder = root / "exports" / wave.wave_id
    mailed = {r[0] for r in _rows(folder, "email-*.csv")}
    hashed = {r[0] for r in _rows(folder, "retargeting-*.csv")}
    texted = {r[0] for r in _rows(folder, "messenger-*.csv") + _rows(folder, "calls-*.csv")}
    base = set(re.findall(r"gc:\d+", (root / "reports" / "base.html").read_text("utf-8")))
    # A: in an e-mail list and a retargeting audience; B: has a phone and a phone channel
    # row if any; C: in the base report's risk list; D (control): in an e-mail list
    a = next(p for p in people.values() if p.customer_id in mailed and _sha(p.email) in hashed)
    b = next(
        p
        for p in sorted(people.values(), key=lambda p: p.customer_id not in texted)
        if p.phone and p is not a and re.search(r"\D", p.phone_raw.lstrip("+"))
    )
    c = next(p for p in people.values() if p.customer_id in base and p not in (a, b))
    d = next(p for p in people.values() if p.customer_id in mailed and p not in (a, b, c))
    before = stats(root, wave.wave_id)
    store_before = scan(root / "store.duckdb", a)
    _serve_files(root, a, b, c, d)
    runs = [
        run(
            "erase",
            "--customer",
            f"  {a.email.upper()} ",
            "--yes",
            "--by",
            "dpo",
            "-w",
            str(root),
            cwd=tmp,
        ),
        run("erase", "--customer", b.phone_raw, "--yes", "-w", str(root), cwd=tmp),
        run("erase", "--customer", c.customer_id, "--yes", "-w", str(root), cwd=tmp),
    ]
    return {
        "root": root,
        "tmp": tmp,
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "runs": runs,
        "before": before,
        "after": stats(root, wave.wave_id),
        "store_before": store_before,
        "wave": wave.wave_id,
    }


def _spool_line(n: int, p: Someone, *, by: str) -> str:
    """A spooled webhook event (web/webhook_routes.py event_record) keyed by ``by``."""
    event = {
        "event_id": f"spooled-{n}",
        "source": "json",
        "kind": "order",
        "row": {"order_id": f"spooled-{n}", "amount": "990.00"},
        "email": p.email if by == "email" else None,
        "phone": p.phone if by == "phone" else None,
        "source_id": p.customer_id if by == "id" else None,
    }
    record = {"type": "event", "received_at": "2025-03-01T10:00:00", "event": event}
    return json.dumps(record, ensure_ascii=False) + "\n"


def _serve_files(root: Path, a: Someone, b: Someone, c: Someone, d: Someone) -> None:
    """What a running ``livebase serve`` leaves in .serve/: spooled events of A (e-mail),
    B (phone), C (id, in failed.jsonl) and D (the control), and a snapshot of the store."""
    spool = root / ".serve" / "spool"
    spool.mkdir(parents=True)
    lines = [_spool_line(1, a, by="email"), _spool_line(2, d, by="email")]
    lines.append(_spool_line(3, b, by="phone"))
    (spool / "events.jsonl").write_text("".join(lines), encoding="utf-8")
    (spool / "failed.jsonl").write_text(_spool_line(4, c, by="id"), encoding="utf-8")
    # a snapshot of a server that is gone (no process has that pid)
    shutil.copy(root / "store.duckdb", root / ".serve" / "snapshot-999999999-1.duckdb")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.slow
def test_erase_leaves_no_trace_in_any_file(erased):
    root = erased["root"]
    for r in erased["runs"]:
        assert r.returncode == 0, r.stderr
    # CONTROL: the same scan finds the first person in the store file before the erasure
    assert erased["store_before"], "the scan cannot see strings in store.duckdb"
    assert not list(root.rglob("*.wal")), "the WAL was not removed"
    for key in ("a", "b", "c"):
        assert found_in(root, erased[key]) == {}, key
    # CONTROL: a person who was not erased is still found, in the store file too, and
    # their spooled event waits in the spool byte for byte
    still = found_in(root, erased["d"])
    assert "store.duckdb" in still
    assert any(path.startswith("exports/source/") for path in still)
    assert ".serve/spool/events.jsonl" in still
    spool = root / ".serve" / "spool"
    assert (spool / "events.jsonl").read_text("utf-8") == _spool_line(2, erased["d"], by="email")
    assert (spool / "failed.jsonl").read_bytes() == b""
    assert not list((root / ".serve").glob("snapshot-*"))


@pytest.mark.slow
def test_erase_keeps_every_total(erased):
    before, after = erased["before"], erased["after"]
    assert after["orders"] == before["orders"]
    assert after["amount"] == before["amount"]
    assert after["segments"] == before["segments"]
    assert after["arms"] == before["arms"]
    assert sum(a.n for a in after["arms"]) > 0  # the wave has members: not vacuous
    assert after["invariants"] == {} == before["invariants"]
    # every table keeps its rows but identities (each person's keys go) and the two new
    # system tables: 3 erasures, and per person 1-3 keys (+1 check row)
    changed = {"identities", "erasures", "erased_keys"}
    for table, n in before["rows"].items():
        if table not in changed:
            assert after["rows"][table] == n, table
    gone = before["rows"]["identities"] - after["rows"]["identities"]
    assert 3 * 2 <= gone <= 3 * 3  # id + email (+ phone) each
    assert after["rows"]["erasures"] == 3
    assert after["rows"]["erased_keys"] == gone + 1


@pytest.mark.slow
def test_erasures_record_without_personal_data(erased):
    root = erased["root"]
    ws = Workspace.open(root)
    try:
        rows = ws.table("erasures").order_by("erased_at").to_pyarrow().to_pylist()
        anon = (
            ws.table("customers")
            .filter(ws.table("customers").customer_id.startswith("erased:"))
            .to_pyarrow()
            .to_pylist()
        )
    finally:
        ws.close()
    assert len(rows) == 3
    assert rows[0]["by"] == "dpo"
    assert len({r["anon_id"] for r in rows}) == 3
    assert all(re.fullmatch(r"erased:[0-9a-f]{16}", r["anon_id"]) for r in rows)
    text = json.dumps(rows, default=str)
    for key in ("a", "b", "c"):
        p = erased[key]
        for form in (p.email, p.phone or "@@", p.name, p.customer_id):
            assert form not in text
    tables = json.loads(rows[0]["tables"])
    assert tables["customers"] == 1
    assert tables["orders"] >= 1
    assert json.loads(rows[0]["files"])["csv"]["files"] >= 3  # users, orders, an e-mail list
    # the anonymous customers rows keep no contact
    assert sorted(r["customer_id"] for r in anon) == sorted(r["anon_id"] for r in rows)
    assert all(r["email"] is None and r["phone"] is None and r["name"] is None for r in anon)


@pytest.mark.slow
def test_reimport_and_webhook_do_not_bring_them_back(erased):
    from livebase.web import webhook as wh

    root, tmp, a, d = erased["root"], erased["tmp"], erased["a"], erased["d"]
    # a users export with the erased people and the control person (a new file: the
    # original one is recognised by its SHA-256 and skipped)
    raw = (tmp / "exports" / "users.csv").read_bytes().decode("cp1251")
    lines = raw.splitlines(keepends=True)
    ids = {erased[k].customer_id.partition(":")[2]: k for k in ("a", "b", "c", "d")}
    keep = [ln for ln in lines[1:] if ln.split(";", 1)[0] in ids]
    assert len(keep) == 4
    again = tmp / "users-again.csv"
    again.write_bytes((lines[0] + "".join(keep)).encode("cp1251"))
    r = run("import", str(again), "--preset", "getcourse-users", "-w", str(root), cwd=tmp)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    ws = Workspace.open(root)
    try:
        last = ws.table("imports").import_id.max().to_pyarrow().as_py()
        rej = ws.table("rejects")
        got = rej.filter(rej.import_id == last).to_pyarrow().to_pylist()
        imp = ws.table("imports").filter(ws.table("imports").import_id == last)
        imp = imp.to_pyarrow().to_pylist()[0]
        c = ws.table("customers")
        emails = set(c.email.to_pyarrow().to_pylist())
        # a webhook event of an erased e-mail is refused and logged; nothing is stored
        data = {"email": a.email, "ts": "2025-06-01T09:00:00Z", "channel": "email"}
        body = json.dumps(
            {"event_id": "ev-erased-1", "type": "message", "data": {**data, "event": "opened"}}
        ).encode()
        event = wh.parse_json_event(body, now=dt.datetime(2025, 6, 1, 10))
        status = wh.store_event(ws, event, now=dt.datetime(2025, 6, 1, 10))
        ev = ws.table("webhook_events")
        logged = ev.filter(ev.reason == "erased").count().to_pyarrow().as_py()
        msg = ws.table("messages")
        stored = msg.filter(msg.event_id == "ev-erased-1").count().to_pyarrow().as_py()
    finally:
        ws.close()
    # 3 erased rows rejected without their value, the control row loaded
    assert (imp["rows_in"], imp["rows_loaded"], imp["rows_rejected"]) == (4, 1, 3)
    assert sorted(r["reason"] for r in got) == [REASON] * 3
    assert all(r["value"] is None for r in got)
    for key in ("a", "b", "c"):
        assert erased[key].email not in emails
    assert d.email in emails
    assert (status, logged, stored) == ("erased", 1, 0)


@pytest.mark.slow
def test_erase_again_and_cli_output(erased):
    root, tmp, a = erased["root"], erased["tmp"], erased["a"]
    # the same person again (by phone or id too): answered with their erasure, no change
    first = re.search(r"erasure-\S+?(?=[,;])", erased["runs"][0].stdout).group(0)
    before = stats(root, erased["wave"])
    again = [
        run("erase", "--customer", v, "--yes", "--lang", "en", "-w", str(root), cwd=tmp)
        for v in (a.email, a.customer_id)
    ]
    for r in again:
        assert r.returncode == 0, r.stderr
        assert f"already erased: record {first}. Nothing changed." in r.stdout
    assert stats(root, erased["wave"]) == before
    # a value that never named anyone is still the clear error
    r = run("erase", "--customer", "nobody@mail.ru", "--yes", "-w", str(root), cwd=tmp)
    assert r.returncode == 1
    assert r.stderr.strip() == f"error: {NO_MATCH}"
    runs = [*erased["runs"], *again, r]
    for r in runs:
        out = r.stdout + r.stderr
        assert "Traceback" not in out
        for key in ("a", "b", "c"):
            p = erased[key]
            for form in (p.email, p.phone or "@@", p.name, p.email_raw.strip()):
                assert form.lower() not in out.lower()
    # the plan is printed as counts per table, never as data
    assert "customers" in erased["runs"][0].stdout
    assert "erased:" in erased["runs"][0].stdout


@pytest.mark.slow
def test_without_yes_asks_and_no_changes_nothing(erased):
    root, tmp, d = erased["root"], erased["tmp"], erased["d"]
    r = run("erase", "--customer", "-", "-w", str(root), cwd=tmp, input=f"{d.email}\nn\n")
    assert r.returncode == 130, r.stderr
    assert "customers" in r.stdout
    assert d.email not in r.stdout + r.stderr
    ws = Workspace.open(root)
    try:
        assert find_person(ws, d.email).customer_id == d.customer_id  # still there
    finally:
        ws.close()


# ------------------------------------------------------------------ small, fast cases


def _tiny(ws: Workspace, tmp: Path) -> None:
    rows = [
        order(1, 5, "Anna@Mail.ru", phone="8 (916) 123-45-67"),
        order(2, 6, "anna@mail.ru", created="06.03.2025 10:00", paid="06.03.2025 10:05"),
        order(3, 7, "boris@mail.ru", amount="5 000,00"),
    ]
    import_file(ws, write_orders(tmp / "orders.csv", rows), "getcourse-orders")


def test_merged_ids_and_unknown_values(ws, tmp_path):
    _tiny(ws, tmp_path)
    # gc:6 shares the e-mail of gc:5 and was merged into it: both name the same person
    anna = find_person(ws, "gc:6")
    assert anna.customer_id == "gc:5"
    assert anna.ids == ("gc:5", "gc:6")
    assert find_person(ws, "+7 916 123 45 67").customer_id == "gc:5"
    assert "anna" not in repr(anna).lower()
    with pytest.raises(InputError, match="control characters"):
        find_person(ws, "gc:5\x00")
    for value in ("nobody@mail.ru", "+7 900 000 00 00", "gc:404", "   ", "gc:5' OR '1'='1"):
        with pytest.raises(InputError) as err:
            find_person(ws, value)
        assert str(err.value) == NO_MATCH
    plan = plan_erasure(ws, "ANNA@mail.ru")
    # 2 orders, 1 customers row, 4 identities (gc:5, gc:6, e-mail, phone), 1 merge
    assert plan.tables == {"customers": 1, "identities": 4, "identity_merges": 1, "orders": 2}
    result = erase_person(ws, plan, by="test")
    o = ws.table("orders").to_pyarrow().to_pylist()
    assert sorted(r["customer_id"] for r in o) == sorted([result.anon_id] * 2 + ["gc:7"])
    m = ws.table("identity_merges").to_pyarrow().to_pylist()
    assert [(r["from_id"], r["into_id"]) for r in m] == [(result.anon_id, result.anon_id)]
    assert check(ws) == {}


def test_import_of_an_erased_person_balances(ws, tmp_path):
    _tiny(ws, tmp_path)
    erase_person(ws, plan_erasure(ws, "gc:7"))
    path = write_orders(
        tmp_path / "more.csv",
        [order(3, 7, "boris@mail.ru", amount="5 000,00"), order(4, 8, "vera@mail.ru")],
    )
    res = import_file(ws, path, "getcourse-orders")
    assert (res.rows_in, res.rows_loaded, res.rows_rejected) == (2, 1, 1)
    rej = ws.table("rejects").filter(ws.table("rejects").import_id == res.import_id)
    got = rej.to_pyarrow().to_pylist()
    assert [(r["line"], r["column"], r["value"], r["reason"]) for r in got] == [
        (2, "id", None, REASON)
    ]
    # a file of nothing but the erased person: every row rejected, nothing written
    alone = write_orders(tmp_path / "alone.csv", [order(9, 7, "Boris@Mail.ru", amount="1,00")])
    res = import_file(ws, alone, "getcourse-orders")
    assert (res.rows_in, res.rows_loaded, res.rows_rejected) == (1, 0, 1)
    assert ws.table("orders").filter(ws.table("orders").order_id == "gc:9").count().execute() == 0
    # an anonymous id names no one
    with pytest.raises(InputError, match=NO_MATCH):
        find_person(ws, ws.table("erasures").anon_id.execute().iloc[0])
    # CONTROL: in a school where nobody was erased the same file loads both rows
    other = Workspace.init(tmp_path / "other")
    try:
        _tiny(other, tmp_path)
        res = import_file(other, path, "getcourse-orders")
        assert (res.rows_in, res.rows_loaded, res.rows_rejected) == (2, 2, 0)
    finally:
        other.close()


def test_an_erasure_cut_off_before_compaction_is_finished(tmp_path):
    """SIGKILL after the erasure's transaction, before the compaction: the old values are
    still in the store file; ``livebase check`` says so, and running the same erasure again
    compacts the store and answers with the erasure, so no trace is left."""
    root = tmp_path / "school"
    ws = Workspace.init(root, engine=ENGINE)
    try:
        _tiny(ws, tmp_path)
    finally:
        ws.close()
    anna = (b"anna@mail.ru", b"79161234567")

    def erase(fault: str = "") -> subprocess.CompletedProcess:
        args = ["erase", "--customer", "Anna@Mail.ru", "--yes", "--lang", "en", "-w", str(root)]
        return run(*args, cwd=tmp_path, env={"LIVEBASE_FAULT": fault})

    killed = erase(fault="erase.compact")
    assert killed.returncode == -9, killed.stderr
    pending = (root / PENDING).read_text("ascii")
    assert re.fullmatch(r"erasure-\d{8}T\d{6}-[0-9a-f]{6}", pending)
    # CONTROL: the transaction is committed (Anna names no one) but her values remain
    store = b"".join(p.read_bytes() for p in root.glob("store.duckdb*"))
    assert all(v in store for v in anna)
    r = run("check", "--lang", "en", "-w", str(root), cwd=tmp_path)
    assert r.returncode == 1
    assert "1 of 17 checks failed (erasure_compacted)" in r.stderr
    # a running server could copy the uncompacted store for its pages meanwhile
    (root / ".serve").mkdir()
    shutil.copy(root / "store.duckdb", root / ".serve" / "snapshot-999999999-1.duckdb")
    ws = Workspace.open(root)
    try:
        with pytest.raises(InputError):
            find_person(ws, "anna@mail.ru")
    finally:
        ws.close()

    again = erase()
    assert again.returncode == 0, again.stderr
    assert f"The interrupted erasure {pending} is finished" in again.stdout
    assert f"already erased: record {pending}. Nothing changed." in again.stdout
    assert not (root / PENDING).exists()
    assert not list(root.glob("*.wal"))
    assert not list((root / ".serve").iterdir())
    store = (root / "store.duckdb").read_bytes()
    assert not any(v in store for v in anna)
    assert b"boris@mail.ru" in store  # CONTROL: the scan sees the store's strings
    assert run("check", "-w", str(root), cwd=tmp_path).returncode == 0
    ws = Workspace.open(root)
    try:
        assert ws.table("erasures").count().to_pyarrow().as_py() == 1
        assert str(ws.table("orders").amount.sum().to_pyarrow().as_py()) == "29000.00"
    finally:
        ws.close()
    # nothing pending: the next erasure just runs (and the finishing step is a no-op)
    assert "interrupted" not in erase().stdout


def test_compact_removes_deleted_values_from_the_file(tmp_path):
    con = engine.connect(f"duckdb://{tmp_path / 's.duckdb'}?force_compression=uncompressed")
    con.raw_sql("CREATE TABLE t (v VARCHAR)")
    con.raw_sql("INSERT INTO t SELECT 'person' || i || '@mail.ru' FROM range(2000) r(i)")
    con.raw_sql("CHECKPOINT")
    engine.delete_rows(con, "t", engine.eq("v", "person77@mail.ru"))
    con.raw_sql("CHECKPOINT")
    data = (tmp_path / "s.duckdb").read_bytes()
    assert b"person77@mail.ru" in data  # CONTROL: a delete alone leaves the value
    con = engine.compact(con)
    data = (tmp_path / "s.duckdb").read_bytes()
    assert b"person77@mail.ru" not in data
    assert b"person78@mail.ru" in data
    assert con.raw_sql("SELECT count(*) FROM t").fetchone() == (1999,)
    assert con.raw_sql("SELECT current_setting('force_compression')").fetchone() == (
        "uncompressed",
    )
    assert not (tmp_path / "s.duckdb.wal").exists()


def test_compact_never_lets_another_process_open_the_old_file(tmp_path, monkeypatch):
    """The old file still holds erased values in free blocks: from the moment the fresh
    file takes the store's name it is locked, so another process that opens the store
    waits instead of reading (or writing to) the file being dropped."""
    path = tmp_path / "s.duckdb"
    con = engine.connect(f"duckdb://{path}")
    con.raw_sql("CREATE TABLE t (v VARCHAR)")
    con.raw_sql("INSERT INTO t VALUES ('a'), ('b')")
    probe = "import duckdb, sys; duckdb.connect(sys.argv[1]); print('opened')"
    seen: list[str] = []
    real = os.replace

    def replace(src, dst):
        real(src, dst)
        if Path(dst) == path:  # the moment the fresh file takes the name
            out = subprocess.run(
                [sys.executable, "-c", probe, str(path)], capture_output=True, text=True
            )
            seen.append(out.stdout.strip() or "refused")

    monkeypatch.setattr(os, "replace", replace)
    con = engine.compact(con)
    monkeypatch.undo()
    assert seen == ["refused"]  # fails if the old file were let go before the move
    assert con.raw_sql("SELECT count(*) FROM t").fetchone() == (2,)
    con.disconnect()
    # CONTROL: once released, the same probe opens the store
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True)
    assert out.stdout.strip() == "opened"


@pytest.mark.engines
def test_erase_on_postgres(tmp_path, pg_server):  # noqa: F811  (the fixture)
    url = pg_database(pg_server, "t_erase")
    ws = Workspace.init(tmp_path / "school", engine=url)
    try:
        _tiny(ws, tmp_path)
        result = erase_person(ws, plan_erasure(ws, "anna@mail.ru"), by="test")
        o = ws.table("orders").to_pandas()
        assert sorted(o["customer_id"]) == sorted([result.anon_id] * 2 + ["gc:7"])
        assert str(o["amount"].sum()) == "29000.00"  # 12,000 x 2 + 5,000
        c = ws.table("customers").to_pandas()
        assert set(c["email"].dropna()) == {"boris@mail.ru"}
        assert ws.table("erasures").count().to_pyarrow().as_py() == 1
        assert check(ws) == {}
        with pytest.raises(InputError):
            find_person(ws, "anna@mail.ru")
    finally:
        ws.close()


def test_row_files_keep_their_bytes(tmp_path):
    from openpyxl import load_workbook

    from livebase.exports.files import write_xlsx
    from livebase.privacy.scrub import Needles, scrub_files

    root = tmp_path / "w"
    (root / "exports" / "W1").mkdir(parents=True)
    (root / "reports").mkdir()
    users = "id;Email;Имя;Телефон\r\n5;Anna@Mail.ru;Анна;8 (916) 123-45-67\r\n6;b@x.ru;Борис;\r\n"
    (root / "exports" / "users.csv").write_bytes(users.encode("cp1251"))
    mails = '\ufeffcustomer_id,email,name\r\ngc:5,anna@mail.ru,Анна\r\ngc:6,b@x.ru,"Бо\r\nрис"\r\n'
    (root / "exports" / "W1" / "email-a.csv").write_bytes(mails.encode("utf-8"))
    audience = f"email_sha256,phone_sha256\r\n{_sha('anna@mail.ru')},\r\n{_sha('b@x.ru')},\r\n"
    (root / "exports" / "W1" / "retargeting-a.csv").write_text(audience, encoding="utf-8")
    manifest = {
        "files": [
            {"path": "email-a.csv", "rows": 2, "kind": "esp", "arm": "a", "sha256": "x"},
            {"path": "retargeting-a.csv", "rows": 2, "kind": "retargeting", "arm": "a"},
        ],
        "retargeting": {"a": {"customers": 2}},
    }
    (root / "exports" / "W1" / "manifest.json").write_text(json.dumps(manifest, indent=1))
    (root / "reports" / "r.html").write_text("<td>gc:5</td><td>gc:55</td><td>Анна</td>")
    twin = {"top": [{"id": "gc:5", "name": "Анна"}, {"id": "gc:6", "name": "Борис"}], "n": 2}
    (root / "reports" / "r.json").write_text(json.dumps(twin, indent=2, ensure_ascii=False))
    now = dt.datetime(2025, 5, 6)
    calls = [["gc:5", "Анна", "+79161234567"], ["gc:6", "Борис", "+79035550000"]]
    write_xlsx(
        root / "exports" / "W1" / "calls.xlsx", [("a", ["id", "name", "phone"], calls)], now=now
    )
    write_xlsx(root / "reports" / "r.xlsx", [("s", ["who"], [["gc:5"], ["gc:6"]])], now=now)
    needles = Needles(
        ids=frozenset({"gc:5"}),
        bare_ids=frozenset({"5"}),
        emails=frozenset({"anna@mail.ru"}),
        phones=frozenset({"+79161234567"}),
        names=frozenset({"Анна"}),
        anon="erased:0123456789abcdef",
    )
    # an interrupted erasure's temporary file goes; an export's own stays (it is the
    # export's, and `livebase check` reports it)
    (root / "exports" / "W1" / ".email-a.csv.0123456789ab.tmp").write_text("half")
    (root / "exports" / "W1" / ".calls.xlsx.tmp").write_text("half")
    changes = scrub_files(root, needles, write=True)
    assert sorted(p.name for p in (root / "exports" / "W1").glob(".*.tmp")) == [".calls.xlsx.tmp"]
    (root / "exports" / "W1" / ".calls.xlsx.tmp").unlink()
    assert sorted((c.path.name, c.kind, c.rows) for c in changes) == [
        ("calls.xlsx", "xlsx", 1),
        ("email-a.csv", "csv", 1),
        ("manifest.json", "manifest", 2),
        ("r.html", "html", 2),  # the id and the name; gc:55 is someone else
        ("r.json", "json", 2),
        ("r.xlsx", "xlsx", 1),
        ("retargeting-a.csv", "csv", 1),
        ("users.csv", "csv", 1),
    ]
    assert (root / "exports" / "users.csv").read_bytes() == (
        "id;Email;Имя;Телефон\r\n6;b@x.ru;Борис;\r\n".encode("cp1251")
    )
    assert (root / "exports" / "W1" / "email-a.csv").read_bytes() == (
        '\ufeffcustomer_id,email,name\r\ngc:6,b@x.ru,"Бо\r\nрис"\r\n'.encode()
    )
    kept = json.loads((root / "exports" / "W1" / "manifest.json").read_text())
    body = (root / "exports" / "W1" / "email-a.csv").read_bytes()
    assert kept["files"][0]["rows"] == 1
    assert kept["files"][0]["sha256"] == hashlib.sha256(body).hexdigest()
    assert kept["retargeting"]["a"]["customers"] == 1
    html = (root / "reports" / "r.html").read_text()
    assert html == "<td>erased:0123456789abcdef</td><td>gc:55</td><td></td>"
    # the JSON twin keeps its layout (indent 2, keys in their order); reports keep rows
    anon = {"id": "erased:0123456789abcdef", "name": ""}
    twin["top"][0] = anon
    assert (root / "reports" / "r.json").read_text() == json.dumps(
        twin, indent=2, ensure_ascii=False
    )
    book = load_workbook(root / "reports" / "r.xlsx")
    assert [c.value for c in book["s"]["A"]] == ["who", "erased:0123456789abcdef", "gc:6"]
    sheet = load_workbook(root / "exports" / "W1" / "calls.xlsx")["a"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["id", "name", "phone"],
        calls[1],
    ]
    with zipfile.ZipFile(root / "exports" / "W1" / "calls.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert list(root.rglob("*.tmp")) == []
