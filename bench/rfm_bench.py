"""RFM + segments: livebase against the SQL floor, pymc-marketing and pandas, in one run.

    python bench/rfm_bench.py --sizes 1M,20M,100M --repeat 3

For each size, payments made by the simulator (bench/payments.py, cached in bench/data/,
generated in a child process) are given to the contenders, each in a process of its own
(bench/contenders.py), in turn, ``--repeat`` times. A contender's time covers reading the
payments from the same Parquet file and computing RFM scores and segments for the same
as-of date; interpreter start-up and imports are outside it (imports are reported apart).
Peak memory is the child's own ``ru_maxrss``. The parent watches each child's resident
memory (``VmRSS`` in /proc) and kills a child that goes above ``--max-rss``: the run is
recorded as stopped, with the memory it reached. The results go to bench/RESULTS.md (text
after the notes marker is kept), bench/RESULTS.json (every run) and the plot
bench/cost-vs-size.svg.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
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

from payments import Dataset, cached_payments, describe, parse_size  # noqa: E402
from report import fmt_mib, fmt_s, log, loglog_svg, machine, median, ratio  # noqa: E402

CONTENDERS = (
    "livebase",
    "livebase-1gb",
    "livebase-4gb",
    "sql-floor",
    "sql-floor-4gb",
    "pymc",
    "pandas",
)
LABELS = {
    "livebase": "livebase",
    "livebase-1gb": "livebase, memory_limit=1GB",
    "livebase-4gb": "livebase, memory_limit=4GB",
    "sql-floor": "SQL floor",
    "sql-floor-4gb": "SQL floor, memory_limit=4GB",
    "pymc": "pymc-marketing",
    "pandas": "pandas",
}
LIVEBASE = ("livebase", "livebase-1gb", "livebase-4gb")
FLOORS = ("sql-floor", "sql-floor-4gb")
# the floor each livebase contender is held against: the same memory limit when it ran
FLOOR_OF = {"livebase": "sql-floor", "livebase-1gb": "sql-floor", "livebase-4gb": "sql-floor-4gb"}
NOTES_MARKER = (
    "<!-- notes: everything below this line is kept when rfm_bench.py rewrites the file -->"
)
GOAL_SIZE = "20M"  # the speed goals are stated at 20M payments
GOAL_SPEEDUP = 5.0
GOAL_MEMORY = 1 / 3
GOAL_FLOOR = 1.2  # livebase's time ÷ the SQL floor's
GOAL_PEAK_MIB = 8 * 1024  # at the largest size (100M payments): peak RSS under 8 GB
PLOT = "cost-vs-size.svg"


@dataclass
class Run:
    size: str
    contender: str
    repeat: int
    status: str  # ok, timeout, memory (stopped by --max-rss), failed
    process_s: float
    process_peak_mib: float  # ru_maxrss of the whole child, from wait4
    result: dict = field(default_factory=dict)
    error: str = ""
    rss_seen_mib: float = 0.0  # the largest VmRSS the parent saw while watching

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def rss_mib(pid: int) -> float:
    """The resident memory of process ``pid`` now (``VmRSS``), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024  # kB
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


@dataclass
class Child:
    status: str  # ok, timeout, memory, failed
    wall: float
    peak_mib: float  # ru_maxrss from wait4
    result: dict
    error: str
    rss_seen_mib: float


def run_command(cmd: list[str], *, timeout: float, max_rss_mib: float | None) -> Child:
    """Run ``cmd``, watching its time and resident memory: a child that runs longer than
    ``timeout`` seconds or whose VmRSS goes above ``max_rss_mib`` is killed (SIGKILL)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        status, rusage, stopped, seen = None, None, "", 0.0
        while status is None:
            pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status, rusage = st, ru
                break
            rss = rss_mib(proc.pid)
            seen = max(seen, rss)
            if max_rss_mib and rss > max_rss_mib:
                stopped = "memory"
            elif time.perf_counter() - started > timeout:
                stopped = "timeout"
            if stopped:
                proc.kill()
                _, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        wall = time.perf_counter() - started
        peak = rusage.ru_maxrss / 1024
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if stopped == "timeout":
        return Child("timeout", wall, peak, {}, f"killed after {timeout:.0f} s", seen)
    if stopped == "memory":
        why = f"stopped at {seen / 1024:,.1f} GiB (--max-rss {max_rss_mib / 1024:,.1f} GiB)"
        return Child("memory", wall, peak, {}, f"{why} after {wall:,.0f} s", seen)
    if proc.returncode != 0:
        code = proc.returncode
        why = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        if code == -signal.SIGKILL:
            why += " (out of memory?)"
        return Child("failed", wall, peak, {}, f"{why}: {stderr.strip()[-800:]}", seen)
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    return Child("ok", wall, peak, json.loads(lines[-1]), "", seen)


def run_child(
    python: str, args: list[str], ds: Dataset, *, timeout: float, max_rss_mib: float | None
) -> Child:
    """Run ``python bench/<args> FILE AS_OF --workdir DIR`` (see :func:`run_command`) with a
    scratch folder beside the data for its stores, removed afterwards (a child that is
    stopped cannot remove its own)."""
    work = Path(tempfile.mkdtemp(prefix="run-", dir=ds.path.parent))
    cmd = [python, str(HERE / args[0]), *args[1:], str(ds.path), ds.as_of.isoformat()]
    try:
        return run_command([*cmd, "--workdir", str(work)], timeout=timeout, max_rss_mib=max_rss_mib)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ensure_dataset(python: str, label: str, data_dir: Path, memory_limit: str) -> Dataset:
    """The payments of ``label``, generated in a child process when missing (a large
    parent would raise every child's ``ru_maxrss``: on Linux it starts at the parent's)."""
    cached = cached_payments(label, data_dir)
    if cached is not None:
        return cached
    log(f"{label}: generating the payments (bench/payments.py, a child process)")
    cmd = [python, str(HERE / "payments.py"), label, "--data-dir", str(data_dir)]
    child = run_command([*cmd, "--memory-limit", memory_limit], timeout=6 * 3600, max_rss_mib=None)
    if child.status != "ok":
        raise SystemExit(f"generating {label} payments failed: {child.status} {child.error}")
    log(f"  generated in {child.wall:,.0f} s, peak {child.peak_mib:,.0f} MiB")
    return cached_payments(label, data_dir)


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
            peak_max=max(max(r.process_peak_mib, r.rss_seen_mib) for r in runs),
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
                f"| {LABELS[name]} | {stopped_text(s)} | — | {s.error[:120]} | — | "
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


def met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def goal_lines(label: str, summaries: dict[str, Summary]) -> list[str]:
    """Speed against pymc-marketing and the SQL floor, memory against pymc-marketing."""
    pm = summaries.get("pymc")
    out: list[str] = []
    for name in LIVEBASE:
        lb = summaries.get(name)
        if lb is None:
            continue
        who = LABELS[name]
        if lb.total_median is None:
            out.append(f"- {who} did not finish at {label}: {lb.status} ({lb.error[:200]}).")
            continue
        out += floor_goal(label, who, lb, summaries, name)
        if pm is None or pm.total_median is None:
            continue
        speedup = pm.total_median / lb.total_median
        compute = pm.total_median / lb.phases["compute"]
        mem = lb.peak_median / pm.peak_median
        bare = (lb.peak_median - lb.rss_after_import) / (pm.peak_median - pm.rss_after_import)
        with_summary = pm.total_median + pm.extra.get("rfm_summary_s", 0.0)
        out += [
            f"- **{who}: speed-up vs pymc-marketing {speedup:.2f}×** (pymc-marketing "
            f"{pm.total_median:,.1f} s / {who} {lb.total_median:,.1f} s, medians). "
            f"Goal ≥ {GOAL_SPEEDUP:.0f}×: {met(speedup >= GOAL_SPEEDUP)}.",
            f"  - on a store that already holds the payments (livebase's `compute` phase "
            f"alone, {lb.phases['compute']:,.1f} s, against pymc-marketing's read + compute): "
            f"{compute:.2f}×; with pymc-marketing's separate `rfm_summary` call counted too "
            f"({with_summary:,.1f} s): {with_summary / lb.total_median:.2f}×.",
            f"- **{who}: peak memory / pymc-marketing's {mem:.2f}** "
            f"({lb.peak_median:,.0f} MiB / {pm.peak_median:,.0f} MiB). Goal ≤ 1/3 (0.33): "
            f"{met(mem <= GOAL_MEMORY)}; without imports in either process {bare:.2f}.",
        ]
    if pm is None:
        out.append(f"- pymc-marketing did not run at {label}: no speed-up to report.")
    elif pm.total_median is None:
        out.append(
            f"- pymc-marketing did not finish at {label} ({stopped_text(pm)}: "
            f"{pm.error[:200]}): no speed-up to report."
        )
    return out


def floor_goal(
    label: str, who: str, lb: Summary, summaries: dict[str, Summary], name: str
) -> list[str]:
    """livebase's time ÷ the SQL floor's (the floor with the same memory limit if it ran)."""
    floor_name = FLOOR_OF[name] if FLOOR_OF[name] in summaries else "sql-floor"
    fl = summaries.get(floor_name)
    if fl is None:
        return []
    if fl.total_median is None:
        return [f"- the {LABELS[floor_name]} did not finish at {label}: {fl.status}."]
    x = lb.total_median / fl.total_median
    compute = lb.phases["compute"] / fl.phases["compute"]
    load = lb.phases["load"] / fl.phases["load"]
    return [
        f"- **{who} / {LABELS[floor_name]}: {x:.2f}×** ({lb.total_median:,.1f} s / "
        f"{fl.total_median:,.1f} s, medians). Goal ≤ {GOAL_FLOOR}×: {met(x <= GOAL_FLOOR)}.",
        f"  - phase by phase: load {load:.2f}× ({lb.phases['load']:,.1f} s / "
        f"{fl.phases['load']:,.1f} s), compute {compute:.2f}× ({lb.phases['compute']:,.1f} s / "
        f"{fl.phases['compute']:,.1f} s); peak {lb.peak_median:,.0f} MiB / "
        f"{fl.peak_median:,.0f} MiB.",
    ]


def peak_goal_lines(label: str, summaries: dict[str, Summary]) -> list[str]:
    """At the largest size: does each contender finish, and livebase under 8 GB?"""
    out = []
    for name in CONTENDERS:
        s = summaries.get(name)
        if s is None:
            continue
        goal = name in LIVEBASE
        if s.total_median is None:
            line = f"- {LABELS[name]}: did not finish ({stopped_text(s)}: {s.error[:160]})"
            out.append(line + (f"; goal {met(False)}." if goal else "."))
            continue
        line = (
            f"- {LABELS[name]}: finished in {s.total_median:,.1f} s, peak "
            f"{s.peak_median:,.0f} MiB ({s.peak_median / 1024:,.2f} GiB)"
        )
        if goal:
            line += f"; goal < 8 GB ({GOAL_PEAK_MIB:,} MiB): {met(s.peak_max < GOAL_PEAK_MIB)}"
        out.append(line + ".")
    return out


def stopped_text(s: Summary) -> str:
    if s.status == "memory":
        return f"stopped at {s.peak_max / 1024:,.1f} GiB"
    return s.status


def agreement_lines(label: str, runs: list[Run]) -> list[str]:
    """livebase's marts against the floor's: segment counts and checksums, every run."""
    seen: dict[str, tuple] = {}
    for r in runs:
        if r.ok and r.size == label and "marts" in r.result:
            key = (tuple(sorted(r.result["segments"].items())), tuple(r.result["marts"].items()))
            seen.setdefault(key, []).append(f"{LABELS[r.contender]} #{r.repeat + 1}")
    names = {r.contender for r in runs if r.ok and r.size == label and "marts" in r.result}
    if not names & set(LIVEBASE) or not names & set(FLOORS):
        return [f"- {label}: not compared (livebase or the SQL floor did not finish)."]
    if len(seen) == 1:
        (segments, marts), who = next(iter(seen.items()))
        m = dict(marts)
        counts = ", ".join(f"{k} {v:,}" for k, v in segments)
        return [
            f"- {label}: **the same marts** in all {len(who)} runs of "
            f"{'; '.join(LABELS[n] for n in CONTENDERS if n in names)}: {m['rows']:,} "
            f"customers, top {m['top']:,}; checksum of (customer_id, r, f, m, segment) "
            f"`{m['checksum']}`, of every mart column `{m['checksum_all_columns']}`. "
            f"Segments: {counts}."
        ]
    out = [f"- {label}: **the marts differ**:"]
    for (segments, marts), who in seen.items():
        out.append(f"  - {', '.join(who)}: {dict(marts)}; segments {dict(segments)}")
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


def slope(points: list[tuple[float, float]]) -> float | None:
    """The least-squares exponent b of y ∝ x^b (the slope on log-log axes).

    >>> round(slope([(1e6, 2.0), (2e7, 40.0), (1e8, 200.0)]), 3)
    1.0
    """
    if len(points) < 2:
        return None
    xs = [math.log10(x) for x, _ in points]
    ys = [math.log10(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else None


def cost_lines(
    datasets: dict[str, Dataset], summaries: dict[str, dict[str, Summary]], plot: str
) -> list[str]:
    """Time and peak of every contender at every size, and how they grow."""
    labels = list(datasets)
    names = [n for n in CONTENDERS if any(n in summaries[x] for x in labels)]
    head = " | ".join(f"{x}: s | {x}: peak MiB" for x in labels)
    out = [
        f"| contender | {head} | time ∝ payments^b | peak ∝ payments^b |",
        "|---|" + "---:|" * (2 * len(labels) + 2),
    ]
    for name in names:
        cells, times, peaks = [], [], []
        for x in labels:
            s = summaries[x].get(name)
            if s is None:
                cells += ["—", "—"]
            elif s.total_median is None:
                cells += [stopped_text(s), f"> {fmt_mib(s.peak_max)}" if s.peak_max else "—"]
            else:
                cells += [fmt_s(s.total_median), fmt_mib(s.peak_median)]
                times.append((datasets[x].rows, s.total_median))
                peaks.append((datasets[x].rows, s.peak_median))
        b_t, b_p = slope(times), slope(peaks)
        fit = [f"{b:.2f}" if b is not None else "—" for b in (b_t, b_p)]
        out.append(f"| {LABELS[name]} | {' | '.join(cells)} | {' | '.join(fit)} |")
    out += [
        "",
        "Medians; b is the slope of a least-squares line through the sizes a contender "
        "finished (b = 1: cost grows in proportion to the payments). A stopped run's peak "
        "is the resident memory it had reached when it was killed (a lower bound).",
        "",
        f"![Time and peak memory against payments, log-log]({plot})",
    ]
    return out


def plot_svg(datasets: dict[str, Dataset], summaries: dict[str, dict[str, Summary]]) -> str:
    time_series: dict[str, list] = {}
    peak_series: dict[str, list] = {}
    for name in CONTENDERS:
        for label, ds in datasets.items():
            s = summaries[label].get(name)
            if s is None:
                continue
            ok = s.total_median is not None
            t = s.total_median if ok else s.total_min
            m = s.peak_median if ok else s.peak_max
            time_series.setdefault(LABELS[name], []).append((ds.rows, t or 0, ok))
            peak_series.setdefault(LABELS[name], []).append((ds.rows, m or 0, ok))
    return loglog_svg(
        [
            {
                "title": "time (median)",
                "x_label": "payments",
                "y_label": "seconds",
                "series": time_series,
            },
            {
                "title": "peak memory (median)",
                "x_label": "payments",
                "y_label": "peak RSS, MiB",
                "series": peak_series,
            },
        ],
        title="RFM + segments: cost against size (bench/rfm_bench.py)",
        note="× = stopped (memory guard or timeout) at that time / memory: a lower bound",
    )


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
    goal = goal_size(datasets)
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
        "go to every contender, each in a process of its own, in turn, "
        f"{args.repeat} time(s) per size (a contender whose first run at a size took "
        f"longer than {args.once_after:,.0f} s is not repeated there). Time = reading the "
        "payments from the Parquet file + computing; interpreter start-up and imports are "
        "outside it (imports are the `import s` column). Peak RSS is the child process's "
        "own `ru_maxrss` (imports included; RSS after imports is shown next to it). The "
        "parent watches each child's resident memory (`VmRSS`, every 0.1 s) and kills a "
        f"child above {args.max_rss:,.1f} GiB (`--max-rss`), so that a contender that "
        "cannot fit does not take the machine down: such a run shows *stopped at N GiB*.",
        "",
        "- **livebase**: `Workspace.init` (a DuckDB file), one `INSERT INTO orders SELECT "
        "… FROM read_parquet(…)` (phase `load`), then `build_segments(ws, as_of)` (phase "
        "`compute`): counted purchases (duplicate-payment rule), RFM quintiles, the "
        "default segment map, the top flag, written to the `rfm` and `segments` marts, "
        "and the segment summary. `memory_limit=1GB` / `4GB`: the same with DuckDB's "
        "memory limit in the workspace's engine URL (`duckdb://store.duckdb?memory_limit="
        "4GB`).",
        "- **SQL floor**: the best hand-written DuckDB SQL for the same work "
        "(bench/contenders.py, `floor_compute_sql`): a DuckDB file, one `INSERT … FROM "
        "read_parquet(…)` into an `orders` table of the columns the purchase rules read "
        "(phase `load`), then `CREATE TABLE … AS` statements (phase `compute`): counted "
        "purchases (one `lag` window for the duplicate rule), R/F/M, `ntile(5)` over "
        "(value, customer_id), the top flag's checks, cut-offs and second check, the default "
        "segment map as one `CASE`, both marts written as tables, and the same segment "
        "summary. It hard-codes the default settings that livebase reads from the "
        "workspace; its marts must be identical to livebase's (Agreement below).",
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
        "**livebase, pymc-marketing and pandas compute different definitions** (the SQL floor "
        "computes livebase's). livebase: R = days since the last "
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
        "| generated in s | generation peak RSS MiB |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for label, ds in datasets.items():
        out.append(
            f"| {label} | {ds.rows:,} | {ds.buyers:,} | {ds.customers:,} | {ds.as_of} | "
            f"{ds.path.stat().st_size / 2**20:,.0f} | {ds.generated_in_s} | "
            f"{fmt_mib(ds.generated_peak_rss_mib)} |"
        )
    for label in datasets:
        out += ["", f"## {label} payments", "", *size_table(summaries[label])]
    out += [
        "",
        "Ratios: contender ÷ livebase (above 1 means livebase is faster or smaller). Phase "
        "times are medians taken phase by phase, so they need not add up to the median time.",
        "",
        "## Agreement",
        "",
        "livebase's marts against the SQL floor's, every run: the segment counts, the "
        "checksum of (customer_id, r, f, m, segment) and of every column of both marts "
        "(a sum of DuckDB row hashes: independent of row order), the top count.",
        "",
        *(line for label in datasets for line in agreement_lines(label, runs)),
        "",
        "## Cost against size",
        "",
        *cost_lines(datasets, summaries, args.plot.name),
        "",
        f"## The goal at {goal} payments",
        "",
        *goal_lines(goal, summaries[goal]),
    ]
    if largest != goal:
        out += [
            "",
            f"## The goal at {largest} payments: completes with peak memory under 8 GB",
            "",
            *peak_goal_lines(largest, summaries[largest]),
        ]
    if profile:
        out += ["", *profile_lines(goal, profile)]
    out += ["", NOTES_MARKER]
    text = "\n".join(out) + (notes if notes else "\n")
    path.write_text(text, encoding="utf-8")


def goal_size(datasets: dict[str, Dataset]) -> str:
    """The size the speed goals are read at: 20M when it ran, else the largest."""
    return GOAL_SIZE if GOAL_SIZE in datasets else list(datasets)[-1]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description="RFM + segments benchmark (see bench/README.md)")
    p.add_argument("--sizes", default="1M,20M", help="comma-separated payments per file")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--contenders", default=",".join(CONTENDERS))
    p.add_argument("--python", default=sys.executable, help="livebase, floor and pandas side")
    p.add_argument("--pymc-python", default=str(HERE / ".venv-pymc" / "bin" / "python"))
    p.add_argument("--data-dir", type=Path, default=HERE / "data")
    p.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per contender run")
    p.add_argument(
        "--once-after",
        type=float,
        default=600,
        help="a contender whose first run at a size takes longer is not repeated there",
    )
    p.add_argument(
        "--max-rss",
        type=float,
        default=16.0,
        help="GiB of resident memory at which a contender's process is stopped",
    )
    p.add_argument(
        "--generate-memory-limit",
        default="4GB",
        help="DuckDB's memory limit for sorting newly generated payments",
    )
    p.add_argument(
        "--no-profile", action="store_true", help="skip livebase's stage profile (goal size)"
    )
    args = p.parse_args(argv)
    args.argv = argv
    args.plot = args.results.with_name(PLOT)
    contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    unknown = set(contenders) - set(CONTENDERS)
    if unknown:
        p.error(f"unknown contenders {sorted(unknown)} (choose from {', '.join(CONTENDERS)})")
    contenders = [c for c in CONTENDERS if c in contenders]
    labels = [x.strip() for x in args.sizes.split(",") if x.strip()]
    labels.sort(key=parse_size)
    max_rss = args.max_rss * 1024
    started = datetime.now(UTC)
    info = machine()
    datasets = {
        label: ensure_dataset(args.python, label, args.data_dir, args.generate_memory_limit)
        for label in labels
    }
    pythons = dict.fromkeys(CONTENDERS, args.python) | {"pymc": args.pymc_python}
    runs: list[Run] = []
    summaries: dict[str, dict[str, Summary]] = {}
    for label, ds in datasets.items():
        given_up: set[str] = set()
        for k in range(args.repeat):
            for name in contenders:
                if name in given_up:
                    continue
                log(f"{label} run {k + 1}/{args.repeat}: {LABELS[name]}")
                c = run_child(
                    pythons[name],
                    ["contenders.py", name],
                    ds,
                    timeout=args.timeout,
                    max_rss_mib=max_rss,
                )
                run = Run(
                    label,
                    name,
                    k,
                    c.status,
                    round(c.wall, 2),
                    round(c.peak_mib, 1),
                    c.result,
                    c.error,
                    round(c.rss_seen_mib, 1),
                )
                runs.append(run)
                if run.ok:
                    res = c.result
                    log(f"  {res['total_s']:.2f} s, peak {res['peak_rss_mib']:,.0f} MiB")
                    if res["total_s"] > args.once_after:
                        given_up.add(name)
                else:
                    log(f"  {c.status}: {c.error[:300]}")
                    given_up.add(name)
        summaries[label] = {
            name: summarise([r for r in runs if r.size == label and r.contender == name])
            for name in contenders
        }
    profile = None
    goal = datasets[goal_size(datasets)]
    if "livebase" in contenders and not args.no_profile:
        log(f"{goal.label}: livebase stage profile")
        c = run_child(
            args.python,
            ["profile_livebase.py"],
            goal,
            timeout=args.timeout * 3,
            max_rss_mib=max_rss,
        )
        profile = c.result if c.status == "ok" else {"error": f"{c.status}: {c.error[:300]}"}
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
    args.plot.write_text(plot_svg(datasets, summaries), encoding="utf-8")
    raw = {
        "started": started.isoformat(),
        "finished": finished.isoformat(),
        "argv": argv,
        "machine": info,
        "max_rss_gib": args.max_rss,
        "datasets": {k: describe(v) for k, v in datasets.items()},
        "runs": [r.__dict__ for r in runs],
        "profile": profile,
    }
    args.results.with_suffix(".json").write_text(json.dumps(raw, indent=1) + "\n", "utf-8")
    log(f"wrote {args.results}, {args.results.with_suffix('.json')} and {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
