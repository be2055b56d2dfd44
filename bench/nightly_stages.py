"""One step of the nightly-pipeline benchmark, run in a process of its own.

    python bench/nightly_stages.py data SIZE FOLDER          # the school as canonical Parquet
    python bench/nightly_stages.py setup FOLDER STORE        # a workspace loaded from it
    python bench/nightly_stages.py livebase FOLDER STORE     # the pipeline, on a copy of STORE
    python bench/nightly_stages.py floor FOLDER STORE        # the segments stage in plain SQL
    python bench/nightly_stages.py export FOLDER STORE OUT   # the planner's tables as Parquet

``data`` writes ``livebase.simulate.canonical.write_canonical(SchoolSpec(customers=SIZE,
seed=7), FOLDER)`` (``FOLDER/<table>/part-*.parquet`` and ``meta.json``; kept when the
folder already holds that school). ``setup`` creates a workspace (``Workspace.init``) and
loads the folder with ``livebase.store.load.load_canonical``, then ``CHECKPOINT``.

``livebase`` opens a workspace that holds the tables (the benchmark gives every run a
fresh copy of the one ``setup`` made) and runs the stages of a night in turn, each timed:
``segments`` (``build_segments``), ``risk`` (``build_risk``), ``cohorts``
(``workspace_cohorts`` by first-purchase month, what the base report shows) and ``plan``
(``plan_playbook`` of the default playbook ``reactivation_r90`` with every guardrail,
seed 1), all for the as-of date of the folder (its last data date).

``floor`` is the baseline of the segments stage: bench/contenders.py's hand-written DuckDB
SQL (``floor_compute_sql``) on a copy of the same store (its empty ``rfm`` and
``segments`` tables dropped and written again by the SQL). ``export`` builds the segments
on a copy and writes the seven tables the planning benchmark's pandas code reads
(bench/plan_pandas.py) to ``OUT/<table>.parquet`` with a ``meta.json``: the baseline of
the plan stage is then ``python bench/plan_contenders.py pandas OUT``.

``--memory-limit 4GB`` and ``--max-temp 20GB`` (``setup``, ``livebase``, ``floor``) open the
store with DuckDB's ``memory_limit`` and ``max_temp_directory_size`` in the engine URL
(``duckdb://store.duckdb?memory_limit=4GB&max_temp_directory_size=20GB``): the second
bounds what a query may spill to disk, on a disk shared with others. Every step
prints one JSON line: the import time, each phase's time, the peak resident memory of the
process (``ru_maxrss``) at the end of each phase, and what came out (rows, segment counts
and checksums of the marts, risk levels, cohorts, the plan's counts).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from contenders import Clock, checksums, floor_compute_sql, peak_mib  # noqa: E402

SEED = 7
PLAYBOOK = "reactivation_r90"
COHORT_KIND = "first_purchase_month"
PLAN_TABLES = ("customers", "rfm", "segments", "orders", "consents", "messages", "activities")


def _as_of(folder: Path) -> date:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return date.fromisoformat(meta["as_of"])


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class StageClock(Clock):
    """Phase times, and the process's peak RSS when each phase ended."""

    def __init__(self) -> None:
        super().__init__()
        self.peaks: dict[str, float] = {}

    def lap(self, name: str) -> None:
        super().lap(name)
        self.peaks[name] = round(peak_mib(), 1)


def _url(settings: dict[str, str]) -> str | None:
    """The workspace's DuckDB file with engine settings, None for the workspace's own URL."""
    query = "&".join(f"{k}={v}" for k, v in settings.items())
    return f"duckdb://store.duckdb?{query}" if query else None


def _versions(*names: str) -> dict[str, str]:
    from importlib.metadata import version

    return {n: version(n) for n in names}


def _store_mib(store: Path) -> float:
    return round(sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 2**20, 1)


# ---- data and setup --------------------------------------------------------------------
def run_data(size: int, folder: Path) -> dict:
    """The canonical Parquet of a simulated school of ``size`` customers (cached)."""
    meta_path = folder / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        spec = meta.get("spec", {})
        if spec.get("customers") == size and spec.get("seed") == SEED:
            return {"cached": True, **meta, "phases": {}, "peak_rss_mib": round(peak_mib(), 1)}
    from livebase.simulate.canonical import write_canonical
    from livebase.simulate.spec import SchoolSpec

    clock = StageClock()
    shutil.rmtree(folder, ignore_errors=True)
    out = write_canonical(
        SchoolSpec(customers=size, seed=SEED),
        folder,
        log=lambda m: print(m, file=sys.stderr, flush=True),
    )
    clock.lap("write")
    meta = json.loads(out.meta.read_text(encoding="utf-8"))
    meta["peak_rss_mib"] = round(peak_mib(), 1)
    out.meta.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return {"cached": False, **meta, "phases": clock.phases, "peak_rss_mib": meta["peak_rss_mib"]}


def run_setup(folder: Path, store: Path, settings: dict[str, str]) -> dict:
    t = time.perf_counter()
    import duckdb

    from livebase.store.load import load_canonical
    from livebase.store.workspace import Workspace

    imports = time.perf_counter() - t
    clock = StageClock()
    ws = Workspace.init(store, school="bench")
    ws.close()
    ws = Workspace.open(store, engine=_url(settings))
    clock.lap("init")
    loaded = load_canonical(ws, folder)
    clock.lap("load")
    ws.con.raw_sql("CHECKPOINT")
    clock.lap("checkpoint")
    ws.close()
    return {
        "import_s": round(imports, 3),
        "phases": clock.phases,
        "peaks": clock.peaks,
        "rows": loaded.rows,
        "store_mib": _store_mib(store),
        "peak_rss_mib": round(peak_mib(), 1),
        "settings": settings,
        "versions": {"duckdb": duckdb.__version__},
    }


# ---- the pipeline ------------------------------------------------------------------------
def run_livebase(folder: Path, store: Path, settings: dict[str, str]) -> dict:
    t = time.perf_counter()
    import duckdb
    from plan_contenders import summarise

    from livebase.metrics.cohorts import workspace_cohorts
    from livebase.metrics.risk import build_risk
    from livebase.playbooks.planner import plan_playbook, wave_id_for_playbook
    from livebase.playbooks.spec import find_playbook
    from livebase.segments.build import build_segments
    from livebase.store.workspace import Workspace

    imports = time.perf_counter() - t
    after_import = peak_mib()
    as_of = _as_of(folder)
    clock = StageClock()
    ws = Workspace.open(store, engine=_url(settings))
    playbook = find_playbook(PLAYBOOK, ws.root / "playbooks")
    clock.lap("open")
    segments = build_segments(ws, as_of)
    clock.lap("segments")
    risk = build_risk(ws, as_of)
    clock.lap("risk")
    cohorts = workspace_cohorts(ws, COHORT_KIND, as_of=as_of)
    clock.lap("cohorts")
    plan = plan_playbook(ws, playbook, as_of, seed=1)
    clock.lap("plan")
    peak = peak_mib()
    rss_end = _rss_mib()
    wave_id = wave_id_for_playbook(playbook, plan.starts_on)
    frames = {
        name: ws.table(name).filter(ws.table(name).wave_id == wave_id).to_pandas()
        for name in ("assignments", "touches", "exclusions")
    }
    out = {
        "import_s": round(imports, 3),
        "rss_after_import_mib": round(after_import, 1),
        "phases": clock.phases,
        "peaks": clock.peaks,
        "peak_rss_mib": round(peak, 1),
        "rss_end_mib": round(rss_end, 1),
        "as_of": as_of.isoformat(),
        "customers": sum(s.customers for s in segments),
        "segments": {s.segment: s.customers for s in segments},
        "marts": checksums(lambda sql: ws.con.raw_sql(sql).fetchone(), as_of),
        "risk": {lv.level: lv.customers for lv in risk.levels},
        "cohorts": {"cohorts": len(cohorts.cohorts), "members": sum(cohorts.members.values())},
        "wave_id": wave_id,
        **summarise(**frames),
        "memory_limit": ws.con.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0],
        "versions": {"duckdb": duckdb.__version__, **_versions("ibis-framework", "pandas")},
    }
    ws.close()
    return out


def run_floor(folder: Path, store: Path, settings: dict[str, str]) -> dict:
    """The segments stage by the SQL floor, on the store's orders."""
    t = time.perf_counter()
    import duckdb

    imports = time.perf_counter() - t
    after_import = peak_mib()
    as_of = _as_of(folder)
    clock = StageClock()
    con = duckdb.connect(str(store / "store.duckdb"), config=settings)
    con.execute("SET TimeZone = 'UTC'")
    con.execute("DROP TABLE rfm")  # empty after setup: the floor writes its own marts
    con.execute("DROP TABLE segments")
    clock.lap("open")
    *steps, summary_sql = floor_compute_sql(as_of)
    for sql in steps:
        con.execute(sql)
    summary = con.execute(summary_sql).fetchall()
    clock.lap("segments")
    out = {
        "import_s": round(imports, 3),
        "rss_after_import_mib": round(after_import, 1),
        "phases": clock.phases,
        "peaks": clock.peaks,
        "peak_rss_mib": round(peak_mib(), 1),
        "as_of": as_of.isoformat(),
        "customers": sum(row[1] for row in summary),
        "segments": {row[0]: row[1] for row in summary},
        "marts": checksums(lambda sql: con.execute(sql).fetchone(), as_of),
        "memory_limit": con.execute("SELECT current_setting('memory_limit')").fetchone()[0],
        "versions": {"duckdb": duckdb.__version__},
    }
    con.close()
    return out


def run_export(folder: Path, store: Path, out_dir: Path) -> dict:
    """Segments built on ``store`` (a copy), then the planner's tables as Parquet files."""
    t = time.perf_counter()
    from livebase.segments.build import build_segments
    from livebase.store.workspace import Workspace

    imports = time.perf_counter() - t
    as_of = _as_of(folder)
    clock = StageClock()
    ws = Workspace.open(store)
    build_segments(ws, as_of)
    clock.lap("segments")
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name in PLAN_TABLES:
        path = out_dir / f"{name}.parquet"
        ws.con.raw_sql(f"COPY {name} TO '{path}' (FORMAT parquet)")
        rows[name] = ws.con.raw_sql(f"SELECT count(*) FROM {name}").fetchone()[0]
    clock.lap("export")
    ws.close()
    meta = {"as_of": as_of.isoformat(), "rows": rows, "source": str(folder)}
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return {
        "import_s": round(imports, 3),
        "phases": clock.phases,
        "peaks": clock.peaks,
        "peak_rss_mib": round(peak_mib(), 1),
        "rows": rows,
        "mib": _store_mib(out_dir),
    }


def main(argv: list[str] | None = None) -> int:
    from payments import parse_size

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("step", choices=["data", "setup", "livebase", "floor", "export"])
    p.add_argument("args", nargs="+", help="SIZE FOLDER | FOLDER STORE [OUT]")
    p.add_argument("--memory-limit", default=None, help="DuckDB's, in the engine URL")
    p.add_argument("--max-temp", default=None, help="DuckDB's max_temp_directory_size")
    a = p.parse_args(argv)
    need = {"data": 2, "setup": 2, "livebase": 2, "floor": 2, "export": 3}[a.step]
    if len(a.args) != need:
        p.error(f"{a.step} takes {need} arguments")
    if a.step == "data":
        result = run_data(parse_size(a.args[0]), Path(a.args[1]).resolve())
    else:
        folder, store = (Path(x).resolve() for x in a.args[:2])
        settings = {
            k: v
            for k, v in (("memory_limit", a.memory_limit), ("max_temp_directory_size", a.max_temp))
            if v
        }
        if a.step == "setup":
            result = run_setup(folder, store, settings)
        elif a.step == "livebase":
            result = run_livebase(folder, store, settings)
        elif a.step == "floor":
            result = run_floor(folder, store, settings)
        else:
            result = run_export(folder, store, Path(a.args[2]).resolve())
    result["step"] = a.step
    result["python"] = sys.version.split()[0]
    result["total_s"] = round(sum(result["phases"].values()), 4)
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
