"""The store's audits (``livebase check``): each one passes on a sound store and catches
the one bad row or file planted for it, and no other audit fires."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pandas as pd
import pytest

from livebase.store.invariants import AUDITS, audit, check
from livebase.store.write import append, upsert
from tests.store_rows import put_wave
from tests.test_cli import run

DAY = dt.date(2025, 5, 6)


def _wave(ws, wave_id: str = "W1") -> None:
    put_wave(ws, wave_id, DAY, 14, {"control": ["c1"], "value": ["c2"]})


def _touch(ws, wave_id: str, customer: str) -> None:
    row = {"wave_id": wave_id, "customer_id": customer, "touch_no": 1, "channel": "email"}
    upsert(ws.con, "touches", pd.DataFrame([row | {"planned_at": dt.datetime(2025, 5, 6, 9)}]))


def _exclusion(ws, wave_id: str, customer: str, touch_no: int) -> None:
    row = {"wave_id": wave_id, "customer_id": customer, "touch_no": touch_no}
    upsert(ws.con, "exclusions", pd.DataFrame([row | {"reason_code": "no_consent"}]))


def test_a_sound_store_passes_every_audit(ws):
    _wave(ws)
    _touch(ws, "W1", "c1")
    # a wave whose audience was all left out has no assignments but is sound
    put_wave(ws, "W2", DAY, 14, {})
    _exclusion(ws, "W2", "c3", 0)
    assert check(ws) == {}
    assert list(audit(ws)) == list(AUDITS)  # every audit reports, in order
    assert set(audit(ws).values()) == {0}


@pytest.mark.parametrize(
    ("name", "plant"),
    [
        (
            "rejects_have_imports",
            lambda ws: append(
                ws.con,
                "rejects",
                pd.DataFrame([{"import_id": 9, "line": 2, "reason": "x"}]),
            ),
        ),
        ("waves_have_assignments", lambda ws: put_wave(ws, "W3", DAY, 14, {})),
        # two rows of one cost with an empty wave_id (append: no key look-up)
        (
            "costs_unique",
            lambda ws: append(
                ws.con,
                "costs",
                pd.DataFrame(
                    [{"date": DAY, "wave_id": None, "channel": "sms", "kind": "send"}] * 2
                    + [{"date": DAY, "wave_id": "W1", "channel": "sms", "kind": "send"}]
                ).assign(amount=Decimal("10.00")),
            ),
        ),
        ("touches_assigned", lambda ws: _touch(ws, "W1", "c9")),
        ("exclusions_known_waves", lambda ws: _exclusion(ws, "W-GONE", "c1", 1)),
        (
            "assignments_known_waves",
            lambda ws: upsert(
                ws.con,
                "assignments",
                pd.DataFrame([{"wave_id": "W-GONE", "customer_id": "c1", "arm": "control"}]),
            ),
        ),
    ],
)
def test_each_store_audit_catches_its_row(ws, name, plant):
    _wave(ws)
    assert check(ws) == {}
    plant(ws)
    assert check(ws) == {name: 1}


def _export(folder, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True)
    entries = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        entries.append({"path": name, "size": len(data), "sha256": digest})
    (folder / "manifest.json").write_text(json.dumps({"files": entries}), encoding="utf-8")


def test_export_audits(ws):
    folder = ws.root / "exports" / "W1"
    _export(folder, {"email-a.csv": b"id\r\n1\r\n", "calls.xlsx": b"PK"})
    assert check(ws) == {}
    (folder / "email-a.csv").write_bytes(b"id\r\n2\r\n")  # same size, other bytes
    assert check(ws) == {"export_files_intact": 1}
    (folder / "email-a.csv").write_bytes(b"id\r\n")  # cut short
    assert check(ws) == {"export_files_intact": 1}
    (folder / "email-a.csv").unlink()
    (folder / "calls.xlsx").unlink()
    assert check(ws) == {"export_files_intact": 2}


def test_temporary_files(ws):
    done = ws.root / "exports" / "W1"
    _export(done, {"email-a.csv": b"x"})
    (done / ".email-b.csv.tmp").write_bytes(b"half")
    assert check(ws) == {"export_no_partial_files": 1}
    # a folder without a manifest is an interrupted export: the next run finishes it
    (done / "manifest.json").unlink()
    assert check(ws) == {}
    # folders that never held an export (the simulator's files) are not looked at
    other = ws.root / "exports" / "wave-W1"
    other.mkdir()
    (other / "orders.csv").write_text("a", encoding="utf-8")
    assert check(ws) == {}


@pytest.mark.slow
def test_cli_check(tmp_path):
    ws = tmp_path / "school"
    assert run("init", str(ws), cwd=tmp_path).returncode == 0
    r = run("check", "-w", str(ws), "--lang", "en", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"All {len(AUDITS)} checks passed." in r.stdout
    from livebase.store.workspace import Workspace

    w = Workspace.open(ws)
    try:
        append(w.con, "rejects", pd.DataFrame([{"import_id": 9, "line": 2, "reason": "x"}]))
    finally:
        w.close()
    r = run("check", "-w", str(ws), "--lang", "en", cwd=tmp_path)
    assert r.returncode == 1
    assert "rejects_have_imports" in r.stdout
    assert "FAILED" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr
    assert r.stderr.strip().splitlines() == [
        f"error: 1 of {len(AUDITS)} checks failed (rejects_have_imports)"
    ]
