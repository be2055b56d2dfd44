"""Where ``plan_playbook`` spends its time (a diagnostic, not a contender).

    python bench/plan_profile.py DATA_DIR STORE_DIR [--cprofile STORE_DIR2]

``STORE_DIR`` is a fresh copy of the store that ``plan_contenders.py setup`` made. The
functions the planner calls that do the work (they run queries or loop in Python) are
wrapped with timers, and so are the queries that run inline (``to_pandas`` / ``execute``
/ ``to_pyarrow`` of an Ibis expression, labelled with the line of the planner or
guardrails module that runs them); each timing is recorded under the path of the wrapped
calls around it (``_schedule_and_guard > apply_guardrails > _caps``), so a parent's time
includes its children's. Functions that only build Ibis expressions (``audience``,
``contact_status``, ``purchases``) are not timed: their cost is in the queries that run
them. ``--cprofile`` plans once more on a second fresh copy under cProfile and adds the
functions with the most own time (cProfile slows Python code down, so its seconds are
larger than the timers').

Prints one JSON line: ``stages`` (path → seconds, calls) and ``cprofile`` (top functions).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

WRAP = {
    "livebase.playbooks.planner": [
        "_left_out",
        "assign_stratified",
        "_customer_frame",
        "_schedule_and_guard",
        "_busy",
        "_history",
        "_liability",
        "apply_guardrails",
        "_touch_rows",
        "_log_rows",
        "upsert",
        "replace_where",
        "prelaunch_check",
    ],
    "livebase.playbooks.wave": ["tier_baseline", "_strata", "_stored_wave"],
    "livebase.playbooks.guardrails": ["_caps", "_retargeting", "_near", "_drop"],
}
SOURCES = ("planner.py", "guardrails.py", "wave.py")


def instrument() -> tuple[dict, dict]:
    import importlib

    import ibis.expr.types as ir

    seconds: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    stack: list[str] = []

    def timed(label: str, fn, *a, **k):
        path = " > ".join([*stack, label])
        stack.append(label)
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            seconds[path] += time.perf_counter() - t
            calls[path] += 1
            stack.pop()

    for module, names in WRAP.items():
        mod = importlib.import_module(module)
        for name in names:
            fn = getattr(mod, name)

            def wrapper(*a, _fn=fn, _name=name, **k):
                return timed(_name, _fn, *a, **k)

            setattr(mod, name, wrapper)

    def query_wrapper(cls, method: str):
        original = cls.__dict__[method]

        def run(self, *a, **k):
            frame = sys._getframe(1)
            while frame is not None and not frame.f_code.co_filename.endswith(SOURCES):
                frame = frame.f_back
            if frame is None or (stack and stack[-1].startswith("query ")):
                return original(self, *a, **k)
            where = f"query {Path(frame.f_code.co_filename).name}:{frame.f_lineno}"
            return timed(where, original, self, *a, **k)

        setattr(cls, method, run)

    for cls in (ir.Expr, ir.Table, ir.Value, ir.Column, ir.Scalar):
        for method in ("to_pandas", "execute", "to_pyarrow"):
            if method in cls.__dict__:
                query_wrapper(cls, method)
    return seconds, calls


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", type=Path)
    p.add_argument("store", type=Path)
    p.add_argument("--cprofile", type=Path, default=None, help="a second fresh store copy")
    p.add_argument("--top", type=int, default=25)
    a = p.parse_args(argv)
    meta = json.loads((a.data / "meta.json").read_text(encoding="utf-8"))
    as_of = date.fromisoformat(meta["as_of"])

    from livebase.playbooks import planner
    from livebase.playbooks.spec import find_playbook
    from livebase.store.workspace import Workspace

    profile = None
    if a.cprofile is not None:  # first, before the timers are in place
        ws = Workspace.open(a.cprofile)
        pb = find_playbook("reactivation_r90")
        prof = cProfile.Profile()
        t = time.perf_counter()
        prof.runcall(planner.plan_playbook, ws, pb, as_of, seed=1)
        wall = time.perf_counter() - t
        ws.close()
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        rows = []
        for (file, line, fn), (_cc, nc, tt, ct, _) in sorted(
            stats.stats.items(), key=lambda kv: kv[1][2], reverse=True
        )[: a.top]:
            short = "/".join(Path(file).parts[-2:]) if file != "~" else ""
            rows.append(
                {
                    "function": f"{short}:{line}({fn})",
                    "calls": nc,
                    "tottime": round(tt, 3),
                    "cumtime": round(ct, 3),
                }
            )
        profile = {"wall_s": round(wall, 2), "top_tottime": rows}

    seconds, calls = instrument()
    ws = Workspace.open(a.store)
    pb = find_playbook("reactivation_r90")
    t = time.perf_counter()
    plan = planner.plan_playbook(ws, pb, as_of, seed=1)
    total = time.perf_counter() - t
    ws.close()
    stages = {"plan_playbook (whole)": {"s": round(total, 3), "calls": 1}}
    stages.update({k: {"s": round(v, 3), "calls": calls[k]} for k, v in seconds.items()})
    print(
        json.dumps(
            {
                "stages": stages,
                "assigned": plan.assigned,
                "cprofile": profile,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
