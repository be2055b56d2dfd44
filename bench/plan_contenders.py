"""One step of the planning benchmark, run in a process of its own.

    python bench/plan_contenders.py setup DATA_DIR STORE_DIR       # livebase store from Parquet
    python bench/plan_contenders.py livebase DATA_DIR STORE_DIR    # plan on a copy of it
    python bench/plan_contenders.py pandas DATA_DIR                # the pandas contender

``DATA_DIR`` is a folder of bench/plan_data.py (one Parquet file per table, meta.json).
``setup`` creates a workspace (``Workspace.init(STORE_DIR, school="bench")``) and fills its
tables with one ``INSERT INTO … SELECT … FROM read_parquet(…)`` each; ``livebase`` opens
a workspace that holds the tables (the benchmark gives every run a fresh copy of the one
``setup`` made) and times ``plan_playbook(ws, reactivation_r90, as_of, seed=1)``;
``pandas`` times bench/plan_pandas.py (reading the Parquet files is part of its time, and
so is writing its three outputs to Parquet, as livebase writes them to its store).

Prints one JSON line: import time, the phases, the peak resident memory of the process
(``ru_maxrss``, imports included) and what came out (arms, touches per channel and arm,
decisions per reason and action). ``--dump DIR`` also writes the wave's assignments,
touches and exclusions to DIR (for ``plan_bench.py --check``; not timed).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TABLES = ("customers", "rfm", "segments", "orders", "consents", "messages", "activities")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Clock:
    """Wall time of named phases."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(self.phases.get(name, 0.0) + now - self._t, 4)
        self._t = now


def _as_of(data: Path) -> date:
    meta = json.loads((data / "meta.json").read_text(encoding="utf-8"))
    return date.fromisoformat(meta["as_of"])


def load_store(ws, data: Path) -> dict[str, float]:
    """Fill the workspace's tables from the Parquet files; seconds per table."""
    import pyarrow.parquet as pq

    out = {}
    for name in TABLES:
        path = data / f"{name}.parquet"
        cols = ", ".join(pq.read_schema(path).names)
        t = time.perf_counter()
        ws.con.raw_sql(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM read_parquet('{path}')")
        out[name] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    ws.con.raw_sql("CHECKPOINT")
    out["checkpoint"] = round(time.perf_counter() - t, 3)
    return out


def run_setup(data: Path, store: Path) -> dict:
    t = time.perf_counter()
    import duckdb

    from livebase.store.workspace import Workspace

    imports = time.perf_counter() - t
    clock = Clock()
    ws = Workspace.init(store, school="bench")
    clock.lap("init")
    tables = load_store(ws, data)
    clock.lap("load")
    rows = {name: ws.con.raw_sql(f"SELECT count(*) FROM {name}").fetchone()[0] for name in TABLES}
    ws.close()
    size = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
    return {
        "import_s": round(imports, 3),
        "phases": clock.phases,
        "tables_s": tables,
        "rows": rows,
        "store_mib": round(size / 2**20, 1),
        "peak_rss_mib": round(peak_mib(), 1),
        "versions": {"duckdb": duckdb.__version__},
    }


def summarise(assignments, touches, exclusions) -> dict:
    """What a plan decided, in counts (the same for both contenders)."""
    dec = exclusions.groupby(["reason_code", "action"]).size()
    return {
        "assigned": {str(k): int(v) for k, v in assignments["arm"].value_counts().items()},
        "touches": len(touches),
        "touches_per_channel": {
            str(k): int(v) for k, v in touches["channel"].value_counts().sort_index().items()
        },
        "touches_per_arm": {
            str(k): int(v) for k, v in touches["arm"].value_counts().sort_index().items()
        },
        "excluded_customers": int((exclusions["touch_no"] == 0).sum()),
        "decisions": {f"{r}/{a}": int(n) for (r, a), n in dec.sort_index().items()},
    }


def _dump(dump: Path | None, frames: dict) -> None:
    if dump is None:
        return
    dump.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_parquet(dump / f"{name}.parquet", index=False)


def run_livebase(data: Path, store: Path, dump: Path | None) -> dict:
    t = time.perf_counter()
    import duckdb

    from livebase.playbooks.planner import plan_playbook, wave_id_for_playbook
    from livebase.playbooks.spec import find_playbook
    from livebase.store.workspace import Workspace

    imports = time.perf_counter() - t
    after_import = peak_mib()
    as_of = _as_of(data)
    clock = Clock()
    ws = Workspace.open(store)
    playbook = find_playbook("reactivation_r90", ws.root / "playbooks")
    clock.lap("open")
    plan = plan_playbook(ws, playbook, as_of, seed=1)
    clock.lap("plan")
    peak = peak_mib()
    wave_id = wave_id_for_playbook(playbook, plan.starts_on)
    frames = {
        name: ws.table(name).filter(ws.table(name).wave_id == wave_id).to_pandas()
        for name in ("assignments", "touches", "exclusions")
    }
    ws.close()
    _dump(dump, frames)
    return {
        "import_s": round(imports, 3),
        "rss_after_import_mib": round(after_import, 1),
        "phases": clock.phases,
        "peak_rss_mib": round(peak, 1),
        "wave_id": wave_id,
        **summarise(**frames),
        "versions": {"duckdb": duckdb.__version__, **_versions("ibis-framework", "pandas")},
    }


def run_pandas(data: Path, dump: Path | None) -> dict:
    t = time.perf_counter()
    import pandas as pd  # noqa: F401
    import pyarrow  # noqa: F401
    from plan_pandas import plan_pandas

    import livebase.config
    import livebase.playbooks.spec  # noqa: F401

    imports = time.perf_counter() - t
    after_import = peak_mib()
    as_of = _as_of(data)
    clock = Clock()
    frames = plan_pandas(data, as_of, seed=1, clock=clock)
    with tempfile.TemporaryDirectory(prefix="plan-pandas-", dir=data) as tmp:
        for name, frame in frames.items():
            frame.to_parquet(Path(tmp) / f"{name}.parquet", index=False)
        clock.lap("write")
    peak = peak_mib()
    _dump(dump, frames)
    return {
        "import_s": round(imports, 3),
        "rss_after_import_mib": round(after_import, 1),
        "phases": clock.phases,
        "peak_rss_mib": round(peak, 1),
        **summarise(**frames),
        "versions": _versions("pandas", "numpy", "pyarrow"),
    }


def _versions(*names: str) -> dict[str, str]:
    from importlib.metadata import version

    return {n: version(n) for n in names}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("step", choices=["setup", "livebase", "pandas"])
    p.add_argument("data", type=Path)
    p.add_argument("store", type=Path, nargs="?")
    p.add_argument("--dump", type=Path, default=None)
    a = p.parse_args(argv)
    data = a.data.resolve()
    if a.step != "pandas" and a.store is None:
        p.error(f"{a.step} needs STORE_DIR")
    if a.step == "setup":
        result = run_setup(data, a.store.resolve())
    elif a.step == "livebase":
        result = run_livebase(data, a.store.resolve(), a.dump)
    else:
        result = run_pandas(data, a.dump)
    result["step"] = a.step
    result["python"] = sys.version.split()[0]
    result["total_s"] = round(sum(result["phases"].values()), 4)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
