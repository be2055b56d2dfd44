"""The core pipeline on DuckDB, PySpark (local mode) and PostgreSQL, row by row.

One simulated school (imported from its exports the usual way, its R90 wave planned and
answered by the simulator) is written as canonical Parquet. Each engine gets an empty
store, loads the Parquet (``load_canonical``), then builds RFM and segments, churn risk,
the R90 wave's plan (assignments, touches, exclusions) and the readout's per-arm
aggregates. Every mart must equal DuckDB's row for row: money exactly, ties the same,
times the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path

import pytest

from livebase.demo import DEMO_END
from livebase.experiments.aggregates import arm_aggregates
from livebase.ingest.pipeline import import_file
from livebase.metrics.risk import build_risk
from livebase.playbooks.wave import plan_wave, wave_assignments, wave_touches
from livebase.segments.build import build_segments
from livebase.simulate import Behaviour, SchoolSpec, simulate_school, wave_outcomes
from livebase.store.load import load_canonical
from livebase.store.workspace import Workspace
from tests.engines.conftest import SPARK_SOCKETS, url_for

pytestmark = [pytest.mark.engines, pytest.mark.slow, SPARK_SOCKETS]

SEED = 3
INPUTS = ("customers", "orders", "payments", "activities", "messages", "consents")
INPUTS += ("nps_responses", "tickets", "costs")
MARTS = ("rfm", "segments", "risk", "waves", "assignments", "touches", "exclusions")
# when a row was written, not what it says
CLOCK_COLUMNS = {"waves": ("created_at",), "exclusions": ("decided_at",)}


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> Path:
    """The canonical input tables of a small school with an answered R90 wave."""
    root = tmp_path_factory.mktemp("school")
    files = simulate_school(SchoolSpec(customers=1500, seed=11, end=DEMO_END), root / "exports")
    ws = Workspace.init(root / "source")
    for path, preset in (
        (files.users, "getcourse-users"),
        (files.orders, "getcourse-orders"),
        (files.payments, "getcourse-payments"),
        (files.lms_events, "lms-events"),
        (files.consents, "consents"),
        (files.esp_events, "esp-events"),
    ):
        import_file(ws, Path(path), preset)
    build_segments(ws, DEMO_END)
    wave = plan_wave(ws, DEMO_END, tier="R90", seed=SEED)
    outcome = wave_outcomes(
        root / "exports",
        wave_assignments(ws, wave.wave_id),
        wave_id=wave.wave_id,
        starts_on=wave.starts_on,
        days=wave.days,
        seed=SEED,
        out_dir=root / "exports" / "wave",
        touches=wave_touches(ws, wave.wave_id),
        behaviour=Behaviour(active_orders=True),
    )
    import_file(ws, Path(outcome.orders), "getcourse-orders")
    import_file(ws, Path(outcome.esp_events), "esp-events")
    folder = root / "canonical"
    folder.mkdir()
    for name in INPUTS:
        ws.table(name).to_parquet(folder / f"{name}.parquet")
    ws.close()
    return folder


def _value(v: object) -> object:
    if isinstance(v, Decimal):
        return v.normalize()
    if isinstance(v, float):
        return None if math.isnan(v) else round(v, 9)
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC).replace(tzinfo=None)
    return v


def run_pipeline(url: str, folder: Path, home: Path) -> dict[str, list]:
    ws = Workspace.init(home, engine=url)
    try:
        return _pipeline(ws, folder)
    finally:
        if ws.con.name != "pyspark":  # the Spark session is shared by the whole run
            ws.close()


def _pipeline(ws: Workspace, folder: Path) -> dict[str, list]:
    loaded = load_canonical(ws, folder)
    build_segments(ws, DEMO_END)
    build_risk(ws, DEMO_END)
    wave = plan_wave(ws, DEMO_END, tier="R90", seed=SEED)
    out: dict[str, list] = {"loaded": sorted(loaded.rows.items())}
    for name in MARTS:
        t = ws.table(name)
        t = t.drop(*[c for c in CLOCK_COLUMNS.get(name, ()) if c in t.columns])
        rows = t.to_pyarrow().to_pylist()
        rows = [tuple(_value(r[c]) for c in t.columns) for r in rows]
        out[name] = sorted(rows, key=repr)
    aggs = arm_aggregates(ws.con, wave.wave_id, rules=ws.config.purchase_rules)
    out["aggregates"] = [{k: _value(v) for k, v in dataclasses.asdict(a).items()} for a in aggs]
    if ws.con.name != "pyspark":  # Spark: the core pipeline only (minutes per page there)
        out["dashboard"] = _dashboard(ws, wave.wave_id)
    return out


def _dashboard(ws: Workspace, wave_id: str) -> dict[str, object]:
    """Every page's data, as the JSON twins serve it: reports, cohorts, the top flag's
    summary and the wave's readout run on the engine too."""
    from livebase.web import data

    a = ws.table("assignments")
    someone = a.filter(a.wave_id == wave_id).customer_id.min().execute()
    pages = {
        "overview": lambda: data.overview(ws, as_of=DEMO_END),
        "rfm_grid": lambda: data.rfm_grid(ws, as_of=DEMO_END),
        "cohorts": lambda: data.cohorts(ws),
        "risk": lambda: data.risk_list(ws, as_of=DEMO_END),
        "waves": lambda: data.waves(ws),
        "wave": lambda: data.wave(ws, wave_id, lang="en"),
        "audiences": lambda: data.audiences(ws, wave_id),
        "customer": lambda: data.customer(ws, someone, lang="en"),
    }
    return {name: json.loads(json.dumps(build(), default=str)) for name, build in pages.items()}


@pytest.fixture(scope="module")
def duckdb_result(school, request, tmp_path_factory):
    home = tmp_path_factory.mktemp("duckdb")
    return run_pipeline(url_for("duckdb", request, home), school, home / "ws")


@pytest.mark.parametrize("engine", ["postgres", "pyspark"])
def test_the_pipeline_gives_duckdbs_rows(engine, school, duckdb_result, request, tmp_path):
    result = run_pipeline(url_for(engine, request, tmp_path), school, tmp_path / "ws")
    assert result["loaded"] == duckdb_result["loaded"]
    names = (*MARTS, "aggregates", *(("dashboard",) if engine == "postgres" else ()))
    for name in names:
        got, want = result[name], duckdb_result[name]
        if name == "dashboard":
            for page in want:
                assert got[page] == want[page], page
            continue
        assert len(got) == len(want), name
        diff = [(g, w) for g, w in zip(got, want, strict=True) if g != w]
        assert not diff, f"{name}: {len(diff)} rows differ, first {diff[0]}"


def test_the_school_is_not_trivial(duckdb_result):
    """The comparison means something: every mart has rows, the wave has arms with
    buyers and revenue, and ties exist on the F axis."""
    for name in MARTS:
        assert duckdb_result[name], name
    arms = duckdb_result["aggregates"]
    assert len(arms) >= 3
    assert sum(a["conversions"] for a in arms) > 0
    assert sum(a["revenue"] for a in arms) > 0
