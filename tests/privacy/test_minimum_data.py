"""Minimum data (SPEC F7.3): the marts and the channel files carry no more than the job needs.

One simulated school (1,000 GetCourse users, seed 11, history to 5 May 2025) plus three
people known only by an e-mail or a phone (orders sent as signed JSON events), segmented,
scored for churn risk and planned with three default playbooks that together use every
channel: reactivation_r90 (e-mail, messenger, retargeting, calls on a click),
onboarding_newcomers (e-mail, messenger, push) and webinar_invitation (e-mail, then
messenger or SMS when the e-mail stays unopened). Half of the R90 wave's members get a
planted click on 7 May, so its calls go out; every wave is exported on 4 June, when every
touch is due.

What is checked:

* no mart column is, or is named like, an e-mail, a phone or a name, and no mart value
  equals (or contains) any customer's e-mail, phone or name;
* the customer ids in the marts are source ids (``gc:<user id>``) or, for a person known
  only by an e-mail or a phone, ``em:`` / ``ph:`` and 16 hex digits, never a contact;
* each channel file has exactly its channel's columns, and its bytes hold no contact but
  the channel's own contact of the people the file lists (retargeting: only SHA-256
  hashes of the normalised e-mail and phone);
* looking up a customer who does not exist never repeats what was typed, and a control
  character in the key is an input error, not a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import simulated_workspace
from tests.test_cli import run

from livebase.errors import InputError
from livebase.exports.wave import export_wave
from livebase.metrics.rfm import day_end
from livebase.metrics.risk import build_risk
from livebase.playbooks.planner import plan_playbook, webinar_info
from livebase.playbooks.spec import default_playbooks, load_playbook
from livebase.playbooks.why import resolve_customer
from livebase.segments.build import build_segments
from livebase.simulate import SchoolSpec
from livebase.store.schema import MARTS, TableSpec
from livebase.store.workspace import Workspace
from livebase.store.write import upsert
from livebase.web.webhook import parse_json_event, store_event

pytestmark = pytest.mark.slow  # builds a school of 1,000 customers (~15 s)

END = dt.date(2025, 5, 5)
EXPORTED = day_end(END + dt.timedelta(days=30))
PLAYBOOKS = ("reactivation_r90", "onboarding_newcomers", "webinar_invitation")
# people known only by a contact: their customer id is derived from it
SOLO = (
    {"order_id": "solo-1", "email": "Solo.Buyer@Example.org"},
    {"order_id": "solo-2", "email": "second.solo@example.org"},
    {"order_id": "solo-3", "phone": "+7 912 000-11-22"},
)
# the words of a column name that say it holds a contact or a name
CONTACT_WORDS = ("email", "mail", "phone", "tel", "name", "fio", "address", "contact")
HEX64 = re.compile(r"[0-9a-f]{64}")
EMAIL_LIKE = re.compile(rb"[^\s,;\"'<>()]+@[^\s,;\"'<>()]+\.[A-Za-z]{2,}")
PHONE_LIKE = re.compile(rb"\+?\d{10,15}")

ESP_TAIL = ["send_at", "send_at_local", "pattern", "offer", "deadline", "touch_no"]
# the exact columns of each channel's file (esp.py, calls.py, retargeting.py)
COLUMNS = {
    "email": ["customer_id", "email", "name", *ESP_TAIL],
    "messenger": ["customer_id", "phone", "name", *ESP_TAIL],
    "sms": ["customer_id", "phone", "name", *ESP_TAIL],
    "push": ["customer_id", *ESP_TAIL],
    "calls": ["customer_id", "name", "phone", "call_on", "reason", "segment", "last_purchase"],
    "retargeting": ["email_sha256", "phone_sha256"],
}
# what each channel may carry: its contact kind(s) and whether names may appear
ALLOWED = {
    "email": ({"email"}, True),
    "messenger": ({"phone"}, True),
    "sms": ({"phone"}, True),
    "push": (set(), False),
    "calls": ({"phone"}, True),
}


@dataclass(frozen=True)
class School:
    root: Path
    waves: tuple[str, ...]
    exports: Path


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> School:
    base = tmp_path_factory.mktemp("minimum")
    spec = SchoolSpec(customers=1000, seed=11, end=END)
    ws = simulated_workspace(base, spec, school="Minimum")  # every export imported
    try:
        for n, person in enumerate(SOLO):
            at = f"2025-0{n + 2}-10T10:00:00Z"
            body = {
                "event_id": f"solo-order-{n}",
                "type": "order",
                "data": {"status": "paid", "amount": "4900", "created_at": at} | person,
            }
            now = dt.datetime(2025, 4, 1)
            store_event(ws, parse_json_event(json.dumps(body).encode(), now=now), now=now)
        build_segments(ws, END)
        build_risk(ws, END)
        books = default_playbooks()
        waves = tuple(
            plan_playbook(ws, load_playbook(books[name]), END, seed=11).wave_id
            for name in PLAYBOOKS
        )
        # half of the R90 wave clicks an e-mail on 7 May: its calls on interest go out
        a = ws.table("assignments").to_pandas()
        clicked = a[a["wave_id"] == waves[0]].sort_values("customer_id").iloc[::2]
        upsert(
            ws.con,
            "messages",
            pd.DataFrame(
                {
                    "event_id": [f"click:{c}" for c in clicked["customer_id"]],
                    "customer_id": clicked["customer_id"].to_numpy(),
                    "ts": pd.Timestamp(2025, 5, 7, 12),
                    "channel": "email",
                    "event": "clicked",
                    "wave_id": waves[0],
                    "arm": clicked["arm"].to_numpy(),
                }
            ),
        )
        out = ws.root / "exports"
        for wave in waves:
            export_wave(ws, wave, out, now=EXPORTED, webinar=webinar_info(ws, wave))
    finally:
        ws.close()
    return School(base / "school", waves, out)


@pytest.fixture(scope="module")
def people(school) -> pd.DataFrame:
    """Every customer's id and contacts, as stored."""
    ws = Workspace.open(school.root)
    try:
        return ws.table("customers").select("customer_id", "email", "phone", "name").to_pandas()
    finally:
        ws.close()


def _marts(root: Path) -> dict[str, pd.DataFrame]:
    ws = Workspace.open(root)
    try:
        return {name: ws.table(name).to_pandas() for name in MARTS}
    finally:
        ws.close()


def _contact_columns(spec: TableSpec) -> list[str]:
    """The columns of ``spec`` whose name says they hold a contact or a name."""
    return [
        col
        for col in spec.columns
        if any(part in CONTACT_WORDS for part in col.lower().split("_"))
        or any(word in col.lower() for word in ("email", "phone"))
    ]


def _contacts(people: pd.DataFrame) -> tuple[set[str], set[str], set[str]]:
    """E-mails (as stored and lower-cased), phones (E.164 and bare digits), names."""
    emails = set(people["email"].dropna()) | {e.lower() for e in people["email"].dropna()}
    phones = set(people["phone"].dropna()) | {p.lstrip("+") for p in people["phone"].dropna()}
    names = set(people["name"].dropna())
    return emails, phones, names


def _leaks(frame: pd.DataFrame, emails: set[str], phones: set[str], names: set[str]) -> list:
    """(column, value) of every text cell that is, or contains, a contact or a name."""
    found = []
    for col in frame.columns:
        for value in frame[col].dropna().astype(str).unique():
            inside = "@" in value and any(e in value.lower() for e in emails)
            digits = any(m in phones for m in re.findall(r"\+?\d{10,15}", value))
            if value in emails or value in phones or value in names or inside or digits:
                found.append((col, value))
    return found


# ------------------------------------------------------------------------------- marts


def test_no_mart_column_is_a_contact():
    # the contract: rfm, segments, risk, waves, assignments, touches, exclusions
    assert sorted(MARTS) == sorted(
        ["rfm", "segments", "risk", "waves", "assignments", "touches", "exclusions"]
    )
    assert {name: _contact_columns(spec) for name, spec in MARTS.items()} == {
        name: [] for name in MARTS
    }
    # control: the same check finds the contact columns of the customers table
    from livebase.store.schema import CANONICAL

    assert _contact_columns(CANONICAL["customers"]) == ["email", "phone", "name"]


def test_no_mart_value_is_a_contact(school, people):
    emails, phones, names = _contacts(people)
    marts = _marts(school.root)
    # not vacuous: every mart has rows, and there are contacts to look for
    assert {name: len(frame) > 0 for name, frame in marts.items()} == dict.fromkeys(marts, True)
    assert len(emails) > 1000
    assert len(phones) > 500
    assert len(names) > 500
    assert {name: _leaks(frame, emails, phones, names) for name, frame in marts.items()} == {
        name: [] for name in marts
    }
    # control: a contact planted in a copy of a mart is found, in a cell and inside text
    rfm = marts["rfm"].head(3).copy()
    some = people.dropna(subset=["email", "phone"]).iloc[0]
    rfm["customer_id"] = [some["email"], f"x {some['phone']} y", some["name"]]
    assert len(_leaks(rfm, emails, phones, names)) == 3


def test_mart_customer_ids_are_pseudonymous(school, people):
    emails, phones, names = _contacts(people)
    marts = _marts(school.root)
    ids = set()
    for _name, frame in marts.items():
        if "customer_id" in frame.columns:
            ids |= set(frame["customer_id"].dropna())
    assert not ids & (emails | phones | names)
    shape = re.compile(r"gc:\d+|(em|ph):[0-9a-f]{16}")
    assert sorted(i for i in ids if not shape.fullmatch(i)) == []
    # the people known only by a contact are in the marts under a derived id: two by an
    # e-mail (em:…) and one by a phone (ph:…), none of which shows the contact
    derived = sorted(i.split(":")[0] for i in ids if not i.startswith("gc:"))
    assert derived == ["em", "em", "ph"]
    solo = people[people["customer_id"].str.startswith(("em:", "ph:"))]
    assert len(solo) == 3


# ----------------------------------------------------------------------------- exports


def _channel_files(folder: Path) -> dict[str, list[Path]]:
    """The channel files of every exported wave, by channel."""
    found: dict[str, list[Path]] = {key: [] for key in COLUMNS}
    for manifest in folder.glob("*/manifest.json"):
        for entry in json.loads(manifest.read_text("utf-8"))["files"]:
            path = manifest.parent / entry["path"]
            if entry["kind"] == "esp":
                found[entry["channel"]].append(path)
            elif entry["kind"] in ("calls", "retargeting"):
                found[entry["kind"]].append(path)
    return found


def _read(path: Path) -> tuple[list[str], list[dict[str, str]], bytes]:
    data = path.read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]], data


def _contacts_in(data: bytes) -> tuple[set[str], set[str]]:
    """The e-mails and the phone-like digit runs written anywhere in ``data``."""
    emails = {m.decode("utf-8").lower() for m in EMAIL_LIKE.findall(data)}
    phones = {m.decode("utf-8").lstrip("+") for m in PHONE_LIKE.findall(data)}
    return emails, phones


def _check_contact_file(channel: str, path: Path, people: pd.DataFrame) -> int:
    """Assert the file's columns and contacts; returns its rows."""
    header, rows, data = _read(path)
    assert header == COLUMNS[channel], path.name
    kinds, named = ALLOWED[channel]
    by_id = people.set_index("customer_id")
    listed = by_id.loc[sorted({r["customer_id"] for r in rows})]
    # the contacts in the bytes are exactly the channel's contacts of the listed people
    emails, phones = _contacts_in(data)
    want_emails = {e.lower() for e in listed["email"].dropna()} if "email" in kinds else set()
    want_phones = {p.lstrip("+") for p in listed["phone"].dropna()} if "phone" in kinds else set()
    if "email" in kinds:
        assert emails <= want_emails, path.name
    else:
        assert emails == set(), path.name
    if "phone" in kinds:
        assert phones <= want_phones, path.name
    else:
        assert phones == set(), path.name
    for r in rows:
        person = by_id.loc[r["customer_id"]]
        for kind in kinds:
            expected = person[kind] if isinstance(person[kind], str) else ""
            assert r[kind] == expected, (path.name, r["customer_id"], kind)
        if named:
            own = person["name"] if isinstance(person["name"], str) else ""
            assert r["name"] in (own, "'" + own), (path.name, r["customer_id"])
    # names: only the listed person's own name, and none where the channel needs none
    text = data.decode("utf-8")
    others = set(people["name"].dropna()) - (set(listed["name"].dropna()) if named else set())
    cells = {cell.lstrip("'") for r in rows for cell in r.values()}
    assert not cells & others, path.name
    if not named:
        assert not any(n in text for n in set(listed["name"].dropna())), path.name
    return len(rows)


@pytest.mark.parametrize("channel", ["email", "messenger", "sms", "push", "calls"])
def test_a_channel_file_carries_only_its_contact(school, people, channel):
    files = _channel_files(school.exports)[channel]
    rows = sum(_check_contact_file(channel, path, people) for path in files)
    # not vacuous: the channel went out to someone
    assert files, channel
    assert rows > 0, channel


def test_the_call_workbook_carries_only_phones(school, people):
    books = list(school.exports.glob("*/calls.xlsx"))
    assert books
    phones = {p.lstrip("+") for p in people["phone"].dropna()}
    seen = set()
    for book in books:
        with zipfile.ZipFile(book) as z:
            xml = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
        found_emails, found_phones = _contacts_in(xml)
        assert found_emails == set(), book
        assert found_phones <= phones, book
        seen |= found_phones
    assert seen  # not vacuous: the workbooks list phones


def test_a_retargeting_audience_is_only_hashes(school, people):
    files = _channel_files(school.exports)["retargeting"]
    assert files
    emails, phones, names = _contacts(people)
    ids = set(people["customer_id"])

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    # the hashes of each person: e-mail stripped and lower-cased, phone digits only
    hashed = {
        (
            sha(e.strip().lower()) if isinstance(e, str) else "",
            sha("".join(ch for ch in p if ch.isdigit())) if isinstance(p, str) else "",
        )
        for e, p in zip(people["email"], people["phone"], strict=True)
    }
    total = 0
    for path in files:
        header, rows, data = _read(path)
        assert header == COLUMNS["retargeting"], path.name
        for r in rows:
            cells = (r["email_sha256"], r["phone_sha256"])
            assert all(c == "" or HEX64.fullmatch(c) for c in cells), path.name
            assert cells in hashed, path.name
        text = data.decode("utf-8")
        assert not EMAIL_LIKE.search(data), path.name
        cells = {c for r in rows for c in r.values()}
        assert not cells & (emails | phones | names | ids), path.name
        assert "gc:" not in text, path.name
        assert "@" not in text, path.name
        total += len(rows)
    assert total > 0


def test_the_checks_catch_a_foreign_contact(school, people, tmp_path):
    # control: an e-mail file that also carries a phone, and one that carries another
    # person's e-mail, both fail the channel check
    path = _channel_files(school.exports)["email"][0]
    header, rows, _ = _read(path)
    first = people.set_index("customer_id").loc[rows[0]["customer_id"]]
    stranger = people[~people["customer_id"].isin({r["customer_id"] for r in rows})]
    stranger = stranger.dropna(subset=["email", "phone"]).iloc[0]
    for bad_value in (stranger["phone"], stranger["email"]):
        bad = tmp_path / "email-bad.csv"
        lines = [header] + [list(r.values()) for r in rows]
        lines[1][header.index("pattern")] = f"{first['name']} {bad_value}"
        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator="\r\n").writerows(lines)
        bad.write_bytes(buf.getvalue().encode("utf-8"))
        with pytest.raises(AssertionError):
            _check_contact_file("email", bad, people)


# ---------------------------------------------------------------------- customer lookups


def test_an_unknown_customer_is_not_echoed(school):
    typed = "nobody.here@example.net"
    r = run("why", typed, "-w", str(school.root), cwd=school.root.parent)
    assert r.returncode == 1
    out = r.stdout + r.stderr
    assert "no such customer" in out
    assert typed not in out
    assert "nobody.here" not in out
    assert "Traceback" not in out
    r = run("consents", "+79990001122", "-w", str(school.root), cwd=school.root.parent)
    assert r.returncode == 1
    assert "no such customer" in r.stderr
    assert "9990001122" not in r.stdout + r.stderr


@pytest.mark.parametrize("key", ["gc:1\x00", "a\x00@b.ru", "+7916\x01", "gc:1\x7f"])
def test_a_control_character_in_a_customer_key_is_an_input_error(school, key):
    ws = Workspace.open(school.root)
    try:
        with pytest.raises(InputError, match="control characters") as err:
            resolve_customer(ws, key)
    finally:
        ws.close()
    assert key not in str(err.value)


def test_a_nul_in_the_why_argument_is_one_red_line(school, monkeypatch, capsys):
    # a NUL cannot travel through a process's argv: the CLI's entry point, in-process
    from livebase import cli

    argv = ["livebase", "why", "gc:1\x00", "-w", str(school.root)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 1
    out = capsys.readouterr()
    assert "control characters" in out.err
    assert "Traceback" not in out.out + out.err
