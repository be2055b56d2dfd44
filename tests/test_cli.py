"""The CLI: one red line for bad input, never a traceback unless --debug."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.ingest.gc_files import order, write_orders


def run(
    *args: str,
    cwd: Path,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess:
    """``livebase *args`` in a child process; ``env`` is added to this one's environment,
    ``input`` is its standard input."""
    return subprocess.run(
        [sys.executable, "-m", "livebase", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=None if env is None else {**os.environ, **env},
        input=input,
    )


def school(tmp_path: Path, customers: int, seed: int, *exports: str) -> Path:
    """A simulated school (history to 2025-05-05) in a workspace made by `livebase init`,
    with the named exports imported through the CLI (attribute of SchoolFiles → preset)."""
    from datetime import date

    from livebase.simulate import SchoolSpec, simulate_school
    from tests.conftest import SCHOOL_PRESETS

    files = simulate_school(
        SchoolSpec(customers=customers, seed=seed, end=date(2025, 5, 5)), tmp_path / "exports"
    )
    ws = tmp_path / "school"
    run("init", str(ws), cwd=tmp_path)
    for name in exports:
        path = getattr(files, name)
        r = run("import", str(path), "--preset", SCHOOL_PRESETS[name], "-w", str(ws), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    return ws


def test_init_import_segment_and_rejects(tmp_path):
    ws = tmp_path / "school"
    r = run("init", str(ws), "--school", "Школа", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    toml = (ws / "livebase.toml").read_text(encoding="utf-8")
    assert 'currency = "RUB"' in toml
    assert 'timezone = "Europe/Moscow"' in toml
    assert 'locale = "ru"' in toml
    assert "[purchase_rules]" in toml
    path = write_orders(
        tmp_path / "orders.csv",
        [
            order(1, 5, "a@b.ru", paid="01.05.2025 10:00", created="01.05.2025 10:00"),
            order(2, 6, "c@d.ru", created="junk"),
        ],
    )
    r = run("import", str(path), "--preset", "getcourse-orders", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "строк 2 = загружено 1 + отклонено 1" in r.stdout
    assert "not a date: 'junk'" in r.stdout
    r = run("import", str(path), "--preset", "getcourse-orders", "-w", str(ws), cwd=tmp_path)
    assert "уже импортирован" in r.stdout
    r = run("rejects", "-w", str(ws), cwd=tmp_path)
    assert "Дата создания" in r.stdout
    r = run("segment", "-w", str(ws), "--lang", "en", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Segments as of 2025-05-01" in r.stdout


def test_usage_errors_are_not_tracebacks(tmp_path):
    r = run("segment", "--bogus", cwd=tmp_path)
    assert r.returncode == 2
    assert "No such option: --bogus" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    r = run("import", cwd=tmp_path)
    assert r.returncode == 2
    assert "Missing argument" in r.stderr


def test_bad_input_is_one_line_without_traceback(tmp_path):
    ws = tmp_path / "school"
    run("init", str(ws), cwd=tmp_path)
    bad = tmp_path / "orders.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    r = run("import", str(bad), "--preset", "getcourse-orders", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr + r.stdout
    assert "missing required column 'ID заказа'" in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 3  # one message, maybe wrapped
    r = run(
        "--debug", "import", str(bad), "--preset", "getcourse-orders", "-w", str(ws), cwd=tmp_path
    )
    assert r.returncode == 1
    assert "Traceback" in r.stderr
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine", encoding="utf-8")
    for args in (
        ("demo", "--folder", str(precious)),  # never deletes a folder it did not make
        ("segment", "-w", str(ws)),  # no orders yet
        ("segment", "-w", str(ws), "--as-of", "2025-13-01"),
        ("import", str(tmp_path / "missing.csv"), "--preset", "getcourse-orders", "-w", str(ws)),
        ("import", str(bad), "--preset", "nope", "-w", str(ws)),
        ("plan", "-w", str(tmp_path / "not-a-workspace")),
        ("analyze", "-w", str(ws)),
    ):
        r = run(*args, cwd=tmp_path)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr + r.stdout, args
        assert r.stderr.startswith("error:"), (args, r.stderr)
    assert (precious / "notes.txt").exists()


def test_simulate_command(tmp_path):
    r = run(
        "simulate", str(tmp_path / "exports"), "--customers", "300", "--seed", "3", cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    for name in (
        "users.csv",
        "orders.csv",
        "payments.csv",
        "lms_events.csv",
        "consents.csv",
        "esp_events.csv",
        "truth.json",
    ):
        assert (tmp_path / "exports" / name).stat().st_size > 0, name
    r = run("simulate", str(tmp_path / "x"), "--customers", "-5", cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr


def test_segment_versions_window_and_scale_notes(tmp_path):

    ws = school(tmp_path, 600, 2, "users", "orders", "lms_events")
    r = run(
        "segment",
        "--version",
        "both",
        "--window",
        "12m",
        "--lang",
        "en",
        "--as-of",
        "2025-05-05",
        "-w",
        str(ws),
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "Segments as of 05.05.2025" not in r.stdout  # en dates are ISO
    assert "Segments as of 2025-05-05 (behavioural RFM)" in r.stdout
    assert "Monetary segments (rows) × behavioural (columns)" in r.stdout
    # most buyers bought once: with the 'first' tie policy the F scale says so
    assert "Scale: f:" in r.stdout
    # ten dense bins: fewer distinct frequencies than scores, and the output says so
    toml = ws / "livebase.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('tie_policy = "first"', 'tie_policy = "dense"')
    text = text.replace("bins = 5", "bins = 10")
    toml.write_text(text, encoding="utf-8")
    r = run("segment", "--lang", "en", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "scores used" in r.stdout
    # movement over time, thresholds, temperature: every command answers on this school
    r = run(
        "segment",
        "--history",
        "monthly",
        "--from",
        "2025-01-01",
        "--as-of",
        "2025-04-30",
        "--lang",
        "en",
        "-w",
        str(ws),
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "Share of the base by segment" in r.stdout
    assert "2025-01-31" in r.stdout
    r = run(
        "migration",
        "--from",
        "2025-01-31",
        "--to",
        "2025-04-30",
        "--lang",
        "en",
        "-w",
        str(ws),
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "Moves between segments: 2025-01-31 → 2025-04-30" in r.stdout
    r = run("retention", "--as-of", "2025-01-31", "--lang", "en", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "not enough data" in r.stdout  # 6 months after January is beyond the data
    r = run("migration", "--from", "2024-06-30", "--to", "2025-04-30", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 1
    assert "livebase segment --as-of 2024-06-30" in r.stderr
    r = run("thresholds", "--lang", "en", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Backtest of windows" in r.stdout
    r = run("temperature", "--as-of", "2025-04-30", "--lang", "en", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Temperature of sleeping customers" in r.stdout
    r = run("segment", "--version", "weekly", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 1
    assert "not monetary, behavioural or both" in r.stderr
    r = run("segment", "--window", "a year", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 1
    assert "not a window" in r.stderr


def test_plan_analyze_and_power(tmp_path):
    import json
    from datetime import date

    from livebase.playbooks.wave import wave_assignments
    from livebase.simulate import wave_outcomes
    from livebase.store.workspace import Workspace

    ws = school(tmp_path, 3000, 4, "users", "orders", "payments", "consents")
    day = ("--as-of", "2025-05-05")
    assert run("segment", *day, "-w", str(ws), cwd=tmp_path).returncode == 0
    r = run("plan", *day, "--holdout", "0.3", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 1
    assert "10" in r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    r = run("plan", *day, "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "волна W-R90-20250506" in r.stdout
    assert "базовая конверсия порога R90" in r.stdout
    # a few hundred customers per arm cannot detect 2 p.p.: the plan says so
    assert "недостаточная мощность" in r.stdout
    r = run("plan", *day, "--aa", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "W-AA-R90-20250506" in r.stdout
    # the school responds to the wave, and the readout is written as HTML and JSON
    store = Workspace.open(ws)
    members = wave_assignments(store, "W-R90-20250506")
    store.close()
    out = wave_outcomes(
        tmp_path / "exports",
        members,
        wave_id="W-R90-20250506",
        starts_on=date(2025, 5, 6),
        days=14,
        seed=4,
        out_dir=tmp_path / "wave",
    )
    r = run("import", str(out.orders), "--preset", "getcourse-orders", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    target = tmp_path / "readout.json"
    r = run(
        "analyze",
        "W-R90-20250506",
        "--lang",
        "en",
        "--json",
        str(target),
        "-w",
        str(ws),
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "W-R90-20250506" in r.stdout
    assert (ws / "reports" / "wave-W-R90-20250506.html").exists()
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [a["arm"] for a in data["arms"]] == ["holdout", "control", "value", "discount"]
    value = next(a for a in data["arms"] if a["arm"] == "value")
    assert value["p_holm"] >= value["p_value"]
    assert value["increment"]["gross_margin"] == 0.63
    # the 90- and 180-day horizons are not reached in this store: a status, not a number
    repeat = data["horizon"]["repeat_90"]
    assert {m["reason"] for m in repeat} == {"horizon_not_reached"}
    # the A/A wave over the same audience: its two arms differ only by chance
    aa_json = tmp_path / "aa.json"
    r = run("analyze", "W-AA-R90-20250506", "--json", str(aa_json), "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "A/A" in r.stdout
    aa = json.loads(aa_json.read_text(encoding="utf-8"))
    assert (aa["aa"], aa["control"]) == (True, "control_a")
    assert [a["arm"] for a in aa["arms"]] == ["control_a", "control_b"]
    assert aa["aa_passed"] is True  # fixed seeds: no difference after Holm, split as planned
    r = run("analyze", "nope", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 1
    assert "no wave 'nope'" in r.stdout + r.stderr
    # the wave report and the weekly report, HTML and XLSX
    r = run("report", "wave", "W-R90-20250506", "--lang", "en", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Attributed against incremental revenue" in r.stdout
    for suffix in ("html", "xlsx"):
        assert (ws / "reports" / f"wave-report-W-R90-20250506-en.{suffix}").exists()
    r = run("report", "weekly", "--as-of", "2025-05-14", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Конверсия по сегментам R" in r.stdout
    assert (ws / "reports" / "weekly-report-2025-05-12-ru.xlsx").exists()
    for kind, stem in (
        ("quarterly", "quarterly-report-2025-04-01"),
        ("alerts", "alerts-report-2025-02-14"),
    ):
        r = run(
            "report", kind, "--as-of", "2025-05-14", "--lang", "en", "-w", str(ws), cwd=tmp_path
        )
        assert r.returncode == 0, r.stderr
        assert "Every monitor" in r.stdout
        assert (ws / "reports" / f"{stem}-en.html").exists()
    for bad in (("report", "monthly"), ("report", "wave", "nope")):
        r = run(*bad, "-w", str(ws), cwd=tmp_path)
        assert r.returncode == 1
        assert "Traceback" not in r.stdout + r.stderr
    r = run("power", "--baseline", "9.3", "--mde", "4", "--lang", "en", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "977 customers per arm" in r.stdout
    r = run("power", "--baseline", "9.3", "--n", "977", "--lang", "en", cwd=tmp_path)
    assert "+4.0" in r.stdout
    r = run("power", "--baseline", "9.3", cwd=tmp_path)
    assert r.returncode == 1
    assert "--mde" in r.stdout + r.stderr


def test_risk_cohorts_activation_nps_support_report(tmp_path):

    ws = school(tmp_path, 1500, 6, "users", "orders", "payments", "lms_events")
    day = ("--as-of", "2025-05-05")
    # risk needs the segments of its day, and says so
    r = run("risk", *day, "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 1
    assert "livebase segment" in r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert run("segment", *day, "-w", str(ws), cwd=tmp_path).returncode == 0
    r = run("risk", *day, "--top", "5", "--lang", "en", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for word in ("high", "medium", "low"):
        assert word in r.stdout
    r = run("risk", *day, "--level", "extreme", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 1
    r = run("cohorts", "--by", "first-purchase-month", "--lang", "en", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "2025-01" in r.stdout or "01.2025" in r.stdout
    r = run("cohorts", "--by", "weekday", "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 1
    assert "age-band" in r.stdout + r.stderr
    for command in ("activation", "nps", "support"):
        r = run(command, *day, "-w", str(ws), cwd=tmp_path)
        assert r.returncode == 0, (command, r.stderr)
        assert "Traceback" not in r.stdout + r.stderr
    r = run("report", *day, "-w", str(ws), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    page = ws / "reports" / "base-2025-05-05.html"
    assert page.exists()
    assert "<script" not in page.read_text(encoding="utf-8")


def test_playbook_plan_export_why_consents_throttle(tmp_path):
    """`plan --playbook`, `export`, `why`, `consents`, `throttle` and `playbooks` on a
    simulated school: files written, every left-out customer explained, no traceback."""
    import csv

    from livebase.store.workspace import Workspace

    ws = school(tmp_path, 2000, 5, "users", "orders", "payments", "consents")
    day = ("--as-of", "2025-05-05")
    w = ("-w", str(ws))
    assert run("segment", *day, *w, cwd=tmp_path).returncode == 0
    r = run("playbooks", "--lang", "en", *w, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "top_value_offer" in r.stdout
    assert "webinar_invitation" in r.stdout
    from livebase.playbooks.spec import default_playbooks

    text = default_playbooks()["reactivation_r90"].read_text("utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("kind:"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("kind: reactivation", "kind: nonsense"), encoding="utf-8")
    r = run("playbooks", "--check", str(bad), cwd=tmp_path)
    assert r.returncode == 1
    assert f"bad.yaml:{line}: kind" in r.stderr + r.stdout
    r = run("plan", "--playbook", "webinar_invitation", *day, "--lang", "en", *w, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "W-WEB-20250506" in r.stdout
    r = run("export", "W-WEB-20250506", *day, *w, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    folder = ws / "exports" / "W-WEB-20250506"
    assert (folder / "webinar.ics").read_text("utf-8").startswith("BEGIN:VCALENDAR")
    with (folder / "email-invite.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    assert set(rows[0]) >= {"email", "pattern", "deadline"}
    assert "phone" not in rows[0]  # only what the channel needs
    store = Workspace.open(ws)
    ex = store.table("exclusions").to_pandas()
    store.close()
    assert len(ex)
    for cid in sorted(set(ex["customer_id"]))[:3]:
        r = run("why", cid, "--wave", "W-WEB-20250506", "--lang", "en", *w, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert cid in r.stdout
        assert ("Left out" in r.stdout) or ("Guardrail decisions" in r.stdout)
    r = run("consents", "--lang", "en", *w, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "personalisation" in r.stdout
    r = run("throttle", "W-WEB-20250506", *day, "--lang", "en", *w, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "nothing sent yet" in r.stdout
    r = run("why", "nobody@example.com", *w, cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
