"""RFM + segments: livebase against pymc-marketing and plain pandas, in one run.

    python bench/rfm_bench.py --sizes 1M,20M --repeat 3

For each size, payments made by the simulator (bench/payments.py, cached in bench/data/)
are given to three contenders, each in a process of its own (bench/contenders.py), in
turn, ``--repeat`` times. A contender's time covers reading the payments from the same
Parquet file and computing RFM scores and segments for the same as-of date; interpreter
start-up and imports are outside it (imports are reported apart). Peak memory is the
child's own ``ru_maxrss``. The results go to bench/RESULTS.md (text after the notes
marker is kept) and bench/RESULTS.json (every run).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from payments import Dataset, describe, ensure_payments  # noqa: E402
from report import fmt_mib, fmt_s, log, machine, median, ratio  # noqa: E402

CONTENDERS = ("livebase", "livebase-1gb", "pymc", "pandas")
LABELS = {
    "livebase": "livebase",
    "livebase-1gb": "livebase, memory_limit=1GB",
    "pymc": "pymc-marketing",
    "pandas": "pandas",
}
NOTES_MARKER = (
    "<!-- notes: everything below this line is kept when rfm_bench.py rewrites the file -->"
)
GOAL_SPEEDUP = 5.0
GOAL_MEMORY = 1 / 3


@dataclass
class Run:
    size: str
    contender: str
    repeat: int
    status: str  # ok, timeout, failed
    process_s: float
    process_peak_mib: float  # ru_maxrss of the whole child, from wait4
    result: dict = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def run_child(
    python: str, args: list[str], ds: Dataset, *, timeout: float
) -> tuple[str, float, float, dict, str]:
    """Run ``python bench/<args> FILE AS_OF``; return status, wall seconds, peak MiB (from
    wait4: the whole child), its JSON result and an error text."""
    cmd = [python, str(HERE / args[0]), *args[1:], str(ds.path), ds.as_of.isoformat()]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        status, rusage, timed_out = None, None, False
        while status is None:
            pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status, rusage = st, ru
                break
            if time.perf_counter() - started > timeout:
                timed_out = True
                proc.kill()
                _, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.2)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        wall = time.perf_counter() - started
        peak = rusage.ru_maxrss / 1024
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if timed_out:
        return "timeout", wall, peak, {}, f"killed after {timeout:.0f} s"
    if proc.returncode != 0:
        code = proc.returncode
        why = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        if code == -signal.SIGKILL:
            why += " (out of memory?)"
        return "failed", wall, peak, {}, f"{why}: {stderr.strip()[-800:]}"
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    return "ok", wall, peak, json.loads(lines[-1]), ""


@dataclass
class Summary:
    contender: str
    runs: int
    status: str
    total_median: float | None = None
    total_min: float | None = None
    phases: dict[str, float] = field(default_factory=dict)  # medians
    import_s: float | None = None
    peak_median: float | None = None
    peak_max: float | None = None
    rss_after_import: float | None = None
    customers: int | None = None
    rows_in: int | None = None
    extra: dict = field(default_factory=dict)
    error: str = ""


def summarise(runs: list[Run]) -> Summary:
    ok = [r for r in runs if r.ok]
    first = runs[0]
    if not ok:
        return Summary(
            first.contender,
            len(runs),
            first.status,
            peak_max=max(r.process_peak_mib for r in runs),
            total_min=min(r.process_s for r in runs),
            error=first.error,
        )
    res = [r.result for r in ok]
    phases = {k: median([x["phases"][k] for x in res]) for k in res[0]["phases"]}
    extra = {}
    for key in res[0].get("extra", {}):
        vals = [x["extra"][key] for x in res]
        extra[key] = median(vals) if isinstance(vals[0], float) else vals[0]
    return Summary(
        contender=first.contender,
        runs=len(ok),
        status="ok" if len(ok) == len(runs) else f"{len(runs) - len(ok)} of {len(runs)} failed",
        total_median=median([x["total_s"] for x in res]),
        total_min=min(x["total_s"] for x in res),
        phases=phases,
        import_s=median([x["import_s"] for x in res]),
        peak_median=median([x["peak_rss_mib"] for x in res]),
        peak_max=max(x["peak_rss_mib"] for x in res),
        rss_after_import=median([x["rss_after_import_mib"] for x in res]),
        customers=res[0]["customers"],
        rows_in=res[0]["rows_in"],
        extra=extra,
    )


def size_table(summaries: dict[str, Summary]) -> list[str]:
    base = summaries.get("livebase")
    lines = [
        "| contender | time, median s | time, min s | phases (median s) | import s "
        "| peak RSS MiB (max) | RSS after imports MiB | time vs livebase "
        "| peak vs livebase | customers |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in CONTENDERS:
        s = summaries.get(name)
        if s is None:
            continue
        if s.total_median is None:
            lines.append(
                f"| {LABELS[name]} | {s.status} | — | {s.error[:120]} | — | "
                f"{fmt_mib(s.peak_max)} (whole process) | — | — | — | — |"
            )
            continue
        phases = ", ".join(f"{k} {v:,.2f}" for k, v in s.phases.items())
        t_ratio = ratio(s.total_median, base.total_median) if base else "—"
        m_ratio = ratio(s.peak_median, base.peak_median) if base else "—"
        lines.append(
            f"| {LABELS[name]} | {fmt_s(s.total_median)} | {fmt_s(s.total_min)} | {phases} | "
            f"{fmt_s(s.import_s)} | {fmt_mib(s.peak_median)} ({fmt_mib(s.peak_max)}) | "
            f"{fmt_mib(s.rss_after_import)} | {t_ratio} | {m_ratio} | {s.customers:,} |"
        )
    return lines


def goal_lines(label: str, summaries: dict[str, Summary]) -> list[str]:
    pm = summaries.get("pymc")
    if pm is None:
        return [f"Not measured at {label}: pymc-marketing did not run."]
    out: list[str] = []
    for name in ("livebase", "livebase-1gb"):
        lb = summaries.get(name)
        if lb is None:
            continue
        who = LABELS[name]
        if lb.total_median is None:
            out.append(f"- {who} did not finish at {label}: {lb.status} ({lb.error[:200]}).")
            continue
        if pm.total_median is None:
            out.append(
                f"- pymc-marketing did not finish at {label} ({pm.status}: {pm.error[:200]}); "
                f"{who} took {lb.total_median:,.1f} s with a peak of {lb.peak_median:,.0f} MiB."
            )
            continue
        speedup = pm.total_median / lb.total_median
        compute = pm.total_median / lb.phases["compute"]
        mem = lb.peak_median / pm.peak_median
        bare = (lb.peak_median - lb.rss_after_import) / (pm.peak_median - pm.rss_after_import)
        with_summary = pm.total_median + pm.extra.get("rfm_summary_s", 0.0)
        out += [
            f"- **{who}: speed-up vs pymc-marketing {speedup:.2f}×** (pymc-marketing "
            f"{pm.total_median:,.1f} s / {who} {lb.total_median:,.1f} s, medians). "
            f"Goal ≥ {GOAL_SPEEDUP:.0f}×: **{'met' if speedup >= GOAL_SPEEDUP else 'not met'}**.",
            f"  - on a store that already holds the payments (livebase's `compute` phase "
            f"alone, {lb.phases['compute']:,.1f} s, against pymc-marketing's read + compute): "
            f"{compute:.2f}×; with pymc-marketing's separate `rfm_summary` call counted too "
            f"({with_summary:,.1f} s): {with_summary / lb.total_median:.2f}×.",
            f"- **{who}: peak memory / pymc-marketing's {mem:.2f}** "
            f"({lb.peak_median:,.0f} MiB / {pm.peak_median:,.0f} MiB). Goal ≤ 1/3 (0.33): "
            f"**{'met' if mem <= GOAL_MEMORY else 'not met'}**; without imports in either "
            f"process {bare:.2f}.",
        ]
    return out


def profile_lines(label: str, profile: dict) -> list[str]:
    head = [
        f"## Where livebase's time goes ({label}, one extra run: bench/profile_livebase.py)",
        "",
    ]
    if "error" in profile:
        return [*head, f"The profile run did not finish: {profile['error']}"]
    lines = [
        *head,
        "Stages of `build_segments` timed one by one with the functions it calls, each "
        "materialised as a temporary table (the counted purchases are computed once and "
        "read by the later stages, as `build_segments` does); the last line is the whole "
        "build again, marts written.",
        "",
        "| stage | s |",
        "|---|---:|",
        *(f"| {k} | {v:,.2f} |" for k, v in profile["stages"].items()),
    ]
    return lines


def write_results(
    path: Path,
    *,
    args: argparse.Namespace,
    info: dict,
    datasets: dict[str, Dataset],
    summaries: dict[str, dict[str, Summary]],
    runs: list[Run],
    profile: dict | None,
    started: datetime,
    finished: datetime,
) -> None:
    versions: dict[str, str] = {}
    for r in runs:
        if r.ok:
            for k, v in r.result.get("versions", {}).items():
                versions.setdefault(f"{k} ({LABELS[r.contender]} side)", v)
    notes = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if NOTES_MARKER in old:
            notes = old.split(NOTES_MARKER, 1)[1]
    largest = list(datasets)[-1]
    out = [
        "# RFM + segments benchmark: results",
        "",
        f"Run {started:%Y-%m-%d %H:%M}–{finished:%H:%M} UTC with "
        f"`python bench/rfm_bench.py {' '.join(args.argv)}` (written by the script; "
        "see bench/README.md).",
        "",
        "## Machine",
        "",
        f"- CPU: {info['cpu']}, `nproc` = {info['nproc']}; memory {info['memory']} "
        "(shared with other work: see the load average)",
        f"- load average at start {', '.join(f'{x:.2f}' for x in info['load_average'])}; "
        f"at the end {', '.join(f'{x:.2f}' for x in info['load_average_end'])}",
        f"- {info['os']}, Python {info['python']}",
        "- " + "; ".join(f"{k} {v}" for k, v in sorted(versions.items())),
        "",
        "## What is compared",
        "",
        "The same payments (one Parquet file per size, made by the simulator's purchase "
        "process: bench/payments.py) and the same as-of date (the day of the last payment) "
        "go to three contenders, each in a process of its own, in turn, "
        f"{args.repeat} time(s) per size. Time = reading the payments from the Parquet "
        "file + computing; interpreter start-up and imports are outside it (imports are "
        "the `import s` column). Peak RSS is the child process's own `ru_maxrss` (imports "
        "included; RSS after imports is shown next to it).",
        "",
        "- **livebase**: `Workspace.init` (a DuckDB file), one `INSERT INTO orders SELECT "
        "… FROM read_parquet(…)` (phase `load`), then `build_segments(ws, as_of)` (phase "
        "`compute`): counted purchases (duplicate-payment rule), RFM quintiles, the "
        "default segment map, the top flag, written to the `rfm` and `segments` marts, "
        "and the segment summary.",
        "- **pymc-marketing**: `pandas.read_parquet` (phase `read`), then `rfm_segments(…, "
        "observation_period_end=as_of)` (phase `compute`), which computes `rfm_summary("
        "include_first_transaction=True)` itself and scores quartiles. The CLV "
        "`rfm_summary(…)` call is timed apart (not in the total, see the goal lines).",
        "- **pandas**: the obvious code: `pandas.read_parquet`, one groupby per customer "
        "(last payment, payments and revenue in 12 months), `qcut` of `rank(method="
        "'first')` into 5 scores, the default map's rules with `np.select`.",
        "",
        "The pandas-based contenders read with `dtype_backend='pyarrow'` and cast the "
        "decimal amount to float64 in Arrow (the default read turns DECIMAL into Python "
        "`Decimal` objects: many times slower and larger), and filter `status == 'paid'` "
        "while reading.",
        "",
        "**The three compute different definitions.** livebase: R = days since the last "
        "counted purchase, F = purchases in the 12 months to as-of, M = net revenue in "
        "those 12 months, quintiles ordered by value and customer_id, plus the top flag "
        "(seed 003). pymc-marketing `rfm_segments`: quartiles with dropped duplicate "
        "edges, frequency = purchase days, M = mean spend per purchase day, its own five "
        "segments (its `rfm_summary` uses the CLV definitions: frequency = repeat "
        "purchase days, recency = age at the last purchase, T = age). pandas: livebase's "
        "R/F/M definitions without the duplicate rule and the top flag, float money. "
        'See ARCHITECTURE.md, "Peers define RFM differently". The comparison is of the '
        "work each does to get the RFM segments of a customer base, not of identical "
        "numbers.",
        "",
        "## Data",
        "",
        "| size | payments | buyers (customers scored) | simulated people | as-of | file MiB "
        "| generated in s |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for label, ds in datasets.items():
        out.append(
            f"| {label} | {ds.rows:,} | {ds.buyers:,} | {ds.customers:,} | {ds.as_of} | "
            f"{ds.path.stat().st_size / 2**20:,.0f} | {ds.generated_in_s} |"
        )
    for label in datasets:
        out += ["", f"## {label} payments", "", *size_table(summaries[label])]
    out += [
        "",
        "Ratios: contender ÷ livebase (above 1 means livebase is faster or smaller). Phase "
        "times are medians taken phase by phase, so they need not add up to the median time.",
        "",
        f"## The goal at {largest} payments",
        "",
        *goal_lines(largest, summaries[largest]),
    ]
    if profile:
        out += ["", *profile_lines(largest, profile)]
    out += ["", NOTES_MARKER]
    text = "\n".join(out) + (notes if notes else "\n")
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description="RFM + segments benchmark (see bench/README.md)")
    p.add_argument("--sizes", default="1M,20M", help="comma-separated payments per file")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--contenders", default=",".join(CONTENDERS))
    p.add_argument("--python", default=sys.executable, help="livebase and pandas side")
    p.add_argument("--pymc-python", default=str(HERE / ".venv-pymc" / "bin" / "python"))
    p.add_argument("--data-dir", type=Path, default=HERE / "data")
    p.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per contender run")
    p.add_argument(
        "--no-profile", action="store_true", help="skip livebase's stage profile (largest size)"
    )
    args = p.parse_args(argv)
    args.argv = argv
    contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    unknown = set(contenders) - set(CONTENDERS)
    if unknown:
        p.error(f"unknown contenders {sorted(unknown)} (choose from {', '.join(CONTENDERS)})")
    started = datetime.now(UTC)
    info = machine()
    datasets = {
        label: ensure_payments(label, args.data_dir, log=log)
        for label in (s.strip() for s in args.sizes.split(","))
    }
    pythons = {
        "livebase": args.python,
        "livebase-1gb": args.python,
        "pandas": args.python,
        "pymc": args.pymc_python,
    }
    runs: list[Run] = []
    summaries: dict[str, dict[str, Summary]] = {}
    for label, ds in datasets.items():
        given_up: set[str] = set()
        for k in range(args.repeat):
            for name in contenders:
                if name in given_up:
                    continue
                log(f"{label} run {k + 1}/{args.repeat}: {LABELS[name]}")
                status, wall, peak, result, error = run_child(
                    pythons[name], ["contenders.py", name], ds, timeout=args.timeout
                )
                run = Run(label, name, k, status, round(wall, 2), round(peak, 1), result, error)
                runs.append(run)
                if run.ok:
                    log(f"  {result['total_s']:.2f} s, peak {result['peak_rss_mib']:,.0f} MiB")
                else:
                    log(f"  {status}: {error[:300]}")
                    given_up.add(name)
        summaries[label] = {
            name: summarise([r for r in runs if r.size == label and r.contender == name])
            for name in contenders
        }
    profile = None
    largest = list(datasets.values())[-1]
    if "livebase" in contenders and not args.no_profile:
        log(f"{largest.label}: livebase stage profile")
        status, _, _, result, error = run_child(
            args.python, ["profile_livebase.py"], largest, timeout=args.timeout * 3
        )
        profile = result if status == "ok" else {"error": f"{status}: {error[:300]}"}
    info["load_average_end"] = os.getloadavg()
    finished = datetime.now(UTC)
    write_results(
        args.results,
        args=args,
        info=info,
        datasets=datasets,
        summaries=summaries,
        runs=runs,
        profile=profile,
        started=started,
        finished=finished,
    )
    raw = {
        "started": started.isoformat(),
        "finished": finished.isoformat(),
        "argv": argv,
        "machine": info,
        "datasets": {k: describe(v) for k, v in datasets.items()},
        "runs": [r.__dict__ for r in runs],
        "profile": profile,
    }
    args.results.with_suffix(".json").write_text(json.dumps(raw, indent=1) + "\n", "utf-8")
    log(f"wrote {args.results} and {args.results.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
