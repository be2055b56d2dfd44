"""The nightly pipeline: segments + risk + cohorts + one wave's plan, at 1M and 10M customers.

    python bench/nightly_bench.py --sizes 1M,10M --repeat 3

For each size, the simulated school is written once as canonical Parquet
(``write_canonical``, bench/data/nightly-<size>/canonical, cached) and loaded once into a
workspace (``load_canonical`` + ``CHECKPOINT``: setup, timed apart). Then each contender
runs in a process of its own (bench/nightly_stages.py), in turn, ``--repeat`` times, on a
fresh copy of that store:

- ``livebase``: the whole night, stage by stage (segments, risk, cohorts, plan);
- ``livebase-4gb``: the same with ``memory_limit=4GB`` in the engine URL;
- ``floor``: the baseline of the segments stage, the RFM benchmark's hand-written DuckDB
  SQL on the same store (its marts must equal livebase's: checksums compared);
- ``pandas-plan``: the baseline of the plan stage, the planning benchmark's pandas code
  (bench/plan_pandas.py) on the planner's tables exported as Parquet from the store after
  the segments stage (the export is setup; its counts must equal livebase's).

Risk and cohorts have no baseline: no peer computes livebase's risk points or its
honest-horizon cohort metrics, and a second implementation written only for the benchmark
would measure the bench, not the product. The section says so.

Time excludes interpreter start-up and imports; peak memory is the child's ``ru_maxrss``
(and the peak reached by the end of each stage). The parent watches each child's resident
memory and stops one above ``--max-rss`` (recorded as *stopped at N GiB*). The parent
imports nothing heavy (a child's ``ru_maxrss`` starts at its parent's). Results: the
section "Nightly pipeline" of bench/RESULTS.md (between its markers; the rest of the file
is kept), bench/RESULTS-nightly.json (every run) and bench/nightly-cost-vs-size.svg.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from payments import parse_size  # noqa: E402
from plan_bench import counts, differences, write_section  # noqa: E402
from report import fmt_mib, fmt_s, log, loglog_svg, machine, median, ratio  # noqa: E402
from rfm_bench import met, run_command, slope, stopped_text  # noqa: E402

CONTENDERS = ("livebase", "livebase-4gb", "floor", "pandas-plan")
LABELS = {
    "livebase": "livebase",
    "livebase-4gb": "livebase, memory_limit=4GB",
    "floor": "SQL floor (segments stage)",
    "pandas-plan": "pandas (plan stage)",
}
LIVEBASE = ("livebase", "livebase-4gb")
MEMORY_LIMITS = {"livebase-4gb": "4GB"}
STAGES = ("segments", "risk", "cohorts", "plan")
BEGIN = "<!-- nightly_bench: begin (rewritten by bench/nightly_bench.py) -->"
END = "<!-- nightly_bench: end (text below is kept) -->"
GOAL_SIZE = "10M"
GOAL_S = 15 * 60
GOAL_PEAK_MIB = 8 * 1024
PLOT = "nightly-cost-vs-size.svg"


@dataclass
class Run:
    size: str
    contender: str
    repeat: int
    status: str  # ok, timeout, memory, failed
    process_s: float
    process_peak_mib: float
    result: dict = field(default_factory=dict)
    error: str = ""
    rss_seen_mib: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class Size:
    """One size's data and store setup."""

    label: str
    customers: int
    folder: Path  # bench/data/nightly-<size>
    data: dict  # the canonical meta (rows per table, as_of, seconds) and the child's figures
    setup: dict = field(default_factory=dict)
    export: dict = field(default_factory=dict)

    @property
    def canonical(self) -> Path:
        return self.folder / "canonical"

    @property
    def store(self) -> Path:
        return self.folder / "store"

    @property
    def pandas_dir(self) -> Path:
        return self.folder / "pandas"


def child(python: str, args: list[str], *, timeout: float, max_rss_mib: float | None):
    return run_command(
        [python, str(HERE / args[0]), *args[1:]], timeout=timeout, max_rss_mib=max_rss_mib
    )


def prepare(python: str, label: str, args: argparse.Namespace, contenders: list[str]) -> Size:
    """The canonical Parquet (cached), the loaded store and, for pandas, its export."""
    folder = args.data_dir / f"nightly-{label}"
    folder.mkdir(parents=True, exist_ok=True)
    size = Size(label, parse_size(label), folder, {})
    log(f"{label}: canonical Parquet (write_canonical, cached)")
    c = child(
        python,
        ["nightly_stages.py", "data", label, str(size.canonical)],
        timeout=6 * 3600,
        max_rss_mib=args.max_rss * 1024,
    )
    if c.status != "ok":
        raise SystemExit(f"{label}: writing the school failed: {c.status}: {c.error}")
    size.data = {**c.result, "process_s": round(c.wall, 1)}
    if not c.result["cached"]:
        log(f"  written in {c.wall:,.0f} s, peak {c.result['peak_rss_mib']:,.0f} MiB")
    shutil.rmtree(size.store, ignore_errors=True)
    log(f"{label}: store setup (Workspace.init + load_canonical + CHECKPOINT)")
    setup_args = ["nightly_stages.py", "setup", str(size.canonical), str(size.store)]
    if args.setup_memory_limit:
        setup_args += ["--memory-limit", args.setup_memory_limit]
    if args.max_temp:
        setup_args += ["--max-temp", args.max_temp]
    c = child(python, setup_args, timeout=args.timeout, max_rss_mib=args.max_rss * 1024)
    if c.status != "ok":
        raise SystemExit(f"{label}: store setup failed: {c.status}: {c.error}")
    size.setup = c.result
    log(f"  {c.result['total_s']:,.1f} s, store {c.result['store_mib']:,.0f} MiB")
    if "pandas-plan" in contenders:
        log(f"{label}: segments and export of the planner's tables for pandas")
        shutil.rmtree(size.pandas_dir, ignore_errors=True)
        with store_copy(size) as copy:
            c = child(
                python,
                [
                    "nightly_stages.py",
                    "export",
                    str(size.canonical),
                    str(copy),
                    str(size.pandas_dir),
                ],
                timeout=args.timeout,
                max_rss_mib=args.max_rss * 1024,
            )
        if c.status != "ok":
            raise SystemExit(f"{label}: export failed: {c.status}: {c.error}")
        size.export = c.result
    return size


@contextmanager
def store_copy(size: Size) -> Iterator[Path]:
    """A fresh copy of the size's store, removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="run-", dir=size.folder))
    try:
        copy = tmp / "school"
        shutil.copytree(size.store, copy)
        yield copy
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_contender(python: str, name: str, size: Size, args: argparse.Namespace):
    limit = ["--memory-limit", MEMORY_LIMITS[name]] if name in MEMORY_LIMITS else []
    if args.max_temp:
        limit += ["--max-temp", args.max_temp]
    if name == "pandas-plan":
        return child(
            python,
            ["plan_contenders.py", "pandas", str(size.pandas_dir)],
            timeout=args.timeout,
            max_rss_mib=args.max_rss * 1024,
        )
    step = "floor" if name == "floor" else "livebase"
    with store_copy(size) as copy:
        return child(
            python,
            ["nightly_stages.py", step, str(size.canonical), str(copy), *limit],
            timeout=args.timeout,
            max_rss_mib=args.max_rss * 1024,
        )


# ---- summaries ---------------------------------------------------------------------------
@dataclass
class Summary:
    contender: str
    runs: int
    status: str
    total_median: float | None = None
    total_min: float | None = None
    phases: dict[str, float] = field(default_factory=dict)
    peaks: dict[str, float] = field(default_factory=dict)  # peak RSS at the end of a phase
    import_s: float | None = None
    peak_median: float | None = None
    peak_max: float | None = None
    rss_after_import: float | None = None
    error: str = ""


def summarise(runs: list[Run]) -> Summary:
    ok = [r for r in runs if r.ok]
    first = runs[0]
    if not ok:
        return Summary(
            first.contender,
            len(runs),
            first.status,
            total_min=min(r.process_s for r in runs),
            peak_max=max(max(r.process_peak_mib, r.rss_seen_mib) for r in runs),
            error=first.error,
        )
    res = [r.result for r in ok]
    peaks = res[0].get("peaks", {})
    return Summary(
        contender=first.contender,
        runs=len(ok),
        status="ok" if len(ok) == len(runs) else f"{len(runs) - len(ok)} of {len(runs)} failed",
        total_median=median([x["total_s"] for x in res]),
        total_min=min(x["total_s"] for x in res),
        phases={k: median([x["phases"][k] for x in res]) for k in res[0]["phases"]},
        peaks={k: median([x["peaks"][k] for x in res]) for k in peaks},
        import_s=median([x["import_s"] for x in res]),
        peak_median=median([x["peak_rss_mib"] for x in res]),
        peak_max=max(x["peak_rss_mib"] for x in res),
        rss_after_import=median([x["rss_after_import_mib"] for x in res]),
    )


def size_table(summaries: dict[str, Summary]) -> list[str]:
    lines = [
        "| contender | runs | time, median s | time, min s | phases (median s) | import s "
        "| peak RSS MiB (max) | peak at the end of each phase, MiB | RSS after imports MiB |",
        "|---|---:|---:|---:|---|---:|---:|---|---:|",
    ]
    for name in CONTENDERS:
        s = summaries.get(name)
        if s is None:
            continue
        if s.total_median is None:
            lines.append(
                f"| {LABELS[name]} | 0 | {stopped_text(s)} | — | {s.error[:120]} | — | "
                f"{fmt_mib(s.peak_max)} (whole process) | — | — |"
            )
            continue
        phases = ", ".join(f"{k} {v:,.2f}" for k, v in s.phases.items())
        peaks = ", ".join(f"{k} {fmt_mib(v)}" for k, v in s.peaks.items()) or "—"
        lines.append(
            f"| {LABELS[name]} | {s.runs} | {fmt_s(s.total_median)} | {fmt_s(s.total_min)} | "
            f"{phases} | {fmt_s(s.import_s)} | {fmt_mib(s.peak_median)} "
            f"({fmt_mib(s.peak_max)}) | {peaks} | {fmt_mib(s.rss_after_import)} |"
        )
    return lines


def baseline_lines(label: str, summaries: dict[str, Summary]) -> list[str]:
    """Each stage that has a baseline: livebase's stage time against the baseline's."""
    # the default-limit contender when it finished, else the memory-limited one
    finished = [n for n in LIVEBASE if n in summaries and summaries[n].total_median is not None]
    if not finished:
        return [f"- {label}: livebase did not finish; no stage to compare."]
    lb = summaries[finished[0]]
    label = f"{label} ({LABELS[finished[0]]})"
    out = []
    fl = summaries.get("floor")
    if fl is not None:
        if fl.total_median is None:
            out.append(f"- {label}, segments: the SQL floor did not finish ({stopped_text(fl)}).")
        else:
            a, b = lb.phases["segments"], fl.phases["segments"]
            out.append(
                f"- {label}, segments: livebase {a:,.1f} s / SQL floor {b:,.1f} s = "
                f"**{ratio(a, b)}**."
            )
    pp = summaries.get("pandas-plan")
    if pp is not None:
        if pp.total_median is None:
            out.append(
                f"- {label}, plan: pandas did not finish ({pp.error[:160] or stopped_text(pp)}); "
                f"livebase planned in {lb.phases['plan']:,.1f} s."
            )
        else:
            a, b = lb.phases["plan"], pp.total_median
            out.append(
                f"- {label}, plan: pandas {b:,.1f} s (read from Parquet included) / livebase "
                f"{a:,.1f} s = **{ratio(b, a)}** (above 1: livebase is faster); peak "
                f"{fmt_mib(pp.peak_median)} MiB (pandas process) against livebase's "
                f"{fmt_mib(lb.peak_median)} MiB (whole pipeline)."
            )
    return out


def agreement_lines(label: str, runs: list[Run]) -> list[str]:
    out = []
    mine = [r for r in runs if r.ok and r.size == label]
    marts = {}
    for r in mine:
        if "marts" in r.result:
            key = json.dumps([r.result["marts"], sorted(r.result["segments"].items())])
            marts.setdefault(key, []).append(f"{LABELS[r.contender]} #{r.repeat + 1}")
    names = {r.contender for r in mine}
    if "floor" in names and names & set(LIVEBASE):
        if len(marts) == 1:
            m, segs = json.loads(next(iter(marts)))
            out.append(
                f"- {label}, segments: **the same marts** in all "
                f"{sum(len(w) for w in marts.values())} runs of "
                f"livebase and the SQL floor: {m['rows']:,} customers, top {m['top']:,}, "
                f"checksum of every mart column `{m['checksum_all_columns']}`. Segments: "
                + ", ".join(f"{k} {v:,}" for k, v in segs)
                + "."
            )
        else:
            out.append(f"- {label}, segments: **the marts differ**:")
            out += [f"  - {', '.join(who)}: {key}" for key, who in marts.items()]
    else:
        out.append(f"- {label}, segments: not compared (livebase or the SQL floor did not finish).")
    lb = next((r for r in mine if r.contender in LIVEBASE), None)
    pp = next((r for r in mine if r.contender == "pandas-plan"), None)
    if lb is None or pp is None:
        out.append(f"- {label}, plan: not compared (livebase or pandas did not finish).")
        return out
    diff = differences(counts(lb.result), counts(pp.result))
    lb_counts = {json.dumps(counts(r.result)) for r in mine if r.contender in LIVEBASE}
    if len(lb_counts) > 1:
        diff.append("livebase's runs do not agree with one another")
    if diff:
        out.append(f"- {label}, plan: **the counts differ**:")
        out += [f"  - {d}" for d in diff[:30]]
    else:
        arms = ", ".join(f"{k} {v:,}" for k, v in sorted(lb.result["assigned"].items()))
        out.append(
            f"- {label}, plan: **the same counts** (arms, touches per channel and arm, "
            f"decisions per reason and action) for livebase and pandas. Arms: {arms}; touches "
            f"kept {lb.result['touches']:,}."
        )
    return out


def pipeline_s(s: Summary) -> float | None:
    """The night: open + the four stages (medians taken stage by stage)."""
    if s.total_median is None:
        return None
    return sum(s.phases.get(k, 0.0) for k in ("open", *STAGES))


def cost_lines(sizes: dict[str, Size], summaries: dict[str, dict[str, Summary]]) -> list[str]:
    labels = list(sizes)
    head = " | ".join(f"{x}: s | {x}: peak MiB" for x in labels)
    out = [
        f"| contender / stage | {head} | time ∝ customers^b |",
        "|---|" + "---:|" * (2 * len(labels) + 1),
    ]
    rows: list[tuple[str, list[str], list[tuple[float, float]]]] = []
    for name in CONTENDERS:
        if not any(name in summaries[x] for x in labels):
            continue
        cells, pts = [], []
        for x in labels:
            s = summaries[x].get(name)
            if s is None:
                cells += ["—", "—"]
            elif s.total_median is None:
                cells += [stopped_text(s), f"> {fmt_mib(s.peak_max)}"]
            else:
                cells += [fmt_s(s.total_median), fmt_mib(s.peak_median)]
                pts.append((sizes[x].customers, s.total_median))
        rows.append((LABELS[name], cells, pts))
        if name != "livebase":
            continue
        for stage in STAGES:
            cells, pts = [], []
            for x in labels:
                s = summaries[x].get(name)
                if s is None or s.total_median is None:
                    cells += ["—", "—"]
                    continue
                cells += [fmt_s(s.phases[stage]), fmt_mib(s.peaks.get(stage))]
                pts.append((sizes[x].customers, s.phases[stage]))
            rows.append((f"↳ livebase: {stage}", cells, pts))
    for who, cells, pts in rows:
        b = slope(pts)
        out.append(f"| {who} | {' | '.join(cells)} | {'—' if b is None else f'{b:.2f}'} |")
    out += [
        "",
        "Medians. A stage's peak is the process's peak RSS at the end of that stage (so it "
        "includes the stages before it). b: slope of a least-squares line on log-log axes "
        "through the sizes that finished (b = 1: in proportion to the customers). A stopped "
        "run's peak is the resident memory it had reached (a lower bound).",
        "",
        f"![Nightly pipeline: time and peak memory against customers, log-log]({PLOT})",
    ]
    return out


def plot_svg(sizes: dict[str, Size], summaries: dict[str, dict[str, Summary]]) -> str:
    times: dict[str, list] = {}
    peaks: dict[str, list] = {}
    for name in CONTENDERS:
        for label, size in sizes.items():
            s = summaries[label].get(name)
            if s is None:
                continue
            ok = s.total_median is not None
            t = s.total_median if ok else s.total_min
            m = s.peak_median if ok else s.peak_max
            times.setdefault(LABELS[name], []).append((size.customers, t or 0, ok))
            peaks.setdefault(LABELS[name], []).append((size.customers, m or 0, ok))
            if name == "livebase" and ok:
                for stage in STAGES:
                    times.setdefault(f"livebase: {stage}", []).append(
                        (size.customers, s.phases[stage], True)
                    )
    return loglog_svg(
        [
            {
                "title": "time (median)",
                "x_label": "customers",
                "y_label": "seconds",
                "series": times,
            },
            {
                "title": "peak memory (median)",
                "x_label": "customers",
                "y_label": "peak RSS, MiB",
                "series": peaks,
            },
        ],
        title="Nightly pipeline: cost against size (bench/nightly_bench.py)",
        dashed=tuple(f"livebase: {stage}" for stage in STAGES),
        note="× = stopped (memory guard or timeout) at that time / memory: a lower bound",
    )


def goal_lines(label: str, summaries: dict[str, Summary]) -> list[str]:
    out = []
    for name in LIVEBASE:
        s = summaries.get(name)
        if s is None:
            continue
        if s.total_median is None:
            out.append(f"- {LABELS[name]}: did not finish ({stopped_text(s)}: {s.error[:200]}).")
            continue
        night = pipeline_s(s)
        out.append(
            f"- **{LABELS[name]}: the night took {night / 60:,.1f} min** ({night:,.0f} s: "
            + ", ".join(f"{k} {s.phases[k]:,.0f} s" for k in STAGES)
            + f"). Goal < 15 min: {met(night < GOAL_S)}. Peak {fmt_mib(s.peak_max)} MiB "
            f"({s.peak_max / 1024:,.2f} GiB). Goal < 8 GB: {met(s.peak_max < GOAL_PEAK_MIB)}."
        )
    return out or [f"- livebase did not run at {label}."]


def section(
    args: argparse.Namespace,
    info: dict,
    sizes: dict[str, Size],
    summaries: dict[str, dict[str, Summary]],
    runs: list[Run],
    started: datetime,
    finished: datetime,
) -> list[str]:
    versions: dict[str, str] = {}
    for r in runs:
        if r.ok:
            for k, v in r.result.get("versions", {}).items():
                versions.setdefault(f"{k} ({LABELS[r.contender]} side)", v)
    goal = GOAL_SIZE if GOAL_SIZE in sizes else list(sizes)[-1]
    out = [
        "## Nightly pipeline",
        "",
        f"Run {started:%Y-%m-%d %H:%M}–{finished:%H:%M} UTC with "
        f"`python bench/nightly_bench.py {' '.join(args.argv)}` (written by the script; "
        "see bench/README.md).",
        "",
        "### Machine",
        "",
        f"- CPU: {info['cpu']}, `nproc` = {info['nproc']}; memory {info['memory']} "
        "(shared with other work: see the load average)",
        f"- load average at start {', '.join(f'{x:.2f}' for x in info['load_average'])}; "
        f"at the end {', '.join(f'{x:.2f}' for x in info['load_average_end'])}",
        f"- {info['os']}, Python {info['python']}",
        "- " + "; ".join(f"{k} {v}" for k, v in sorted(versions.items())),
        "",
        "### What is compared",
        "",
        "A night of a school's store: `build_segments` (RFM, scores, top flag, segments), "
        "`build_risk` (churn risk of every scored customer), `workspace_cohorts` by "
        "first-purchase month (every cohort metric, what the base report shows) and "
        "`plan_playbook` of the default playbook `reactivation_r90` with every guardrail "
        "(seed 1), for the last data date of a simulated school "
        "(`livebase.simulate.canonical.write_canonical(SchoolSpec(customers=N, seed=7))`), "
        "loaded once into a workspace with `livebase.store.load.load_canonical` (setup, "
        "timed apart in the Data table). Every run gets a fresh copy of that store and a "
        f"process of its own; contenders run in turn, {args.repeat} time(s) per size (a "
        f"contender whose first run at a size took longer than {args.once_after:,.0f} s is "
        "not repeated there). The parent stops a child whose resident memory goes above "
        f"{args.max_rss:,.1f} GiB (`--max-rss`)"
        + (
            f"; livebase and the floor may spill at most {args.max_temp} to disk "
            f"(`max_temp_directory_size={args.max_temp}` in the engine URL, `--max-temp`)."
            if args.max_temp
            else "."
        ),
        "",
        "- **livebase**: the four stages in one process, in that order; "
        "**memory_limit=4GB**: the same with DuckDB's memory limit in the engine URL.",
        "- Baselines, stage by stage (the house rule: a baseline in the same run). No peer "
        "runs this whole night, so each stage that has an honest peer is held against it: "
        "the **segments** stage against the **SQL floor** (the RFM benchmark's hand-written "
        "DuckDB SQL for the same marts, on a copy of the same store: its marts must be "
        "identical), and the **plan** stage against the planning benchmark's **pandas** "
        "code (bench/plan_pandas.py; it reads the seven tables the planner reads, exported "
        "as Parquet from the store after the segments stage — the export is setup — and "
        "its counts must equal livebase's). **Risk** and **cohorts** have no baseline: no "
        "peer computes livebase's risk points or its honest-horizon cohort metrics, and a "
        "second implementation written only for the benchmark would measure the bench, "
        "not the product; their times and growth are reported as they are.",
        "",
        "### Data",
        "",
        "| size | customers | rows per table | as-of | written in s | write peak RSS MiB "
        "| store setup s | store MiB | setup peak RSS MiB |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for label, size in sizes.items():
        rows = ", ".join(f"{k} {v:,}" for k, v in size.data.get("rows", {}).items())
        st = size.setup
        phases = ", ".join(f"{k} {v:,.1f}" for k, v in st.get("phases", {}).items())
        out.append(
            f"| {label} | {size.customers:,} | {rows} | {size.data.get('as_of')} | "
            f"{size.data.get('seconds')} | {fmt_mib(size.data.get('peak_rss_mib'))} | "
            f"{fmt_s(st.get('total_s'))} ({phases}) | {fmt_mib(st.get('store_mib'))} | "
            f"{fmt_mib(st.get('peak_rss_mib'))} |"
        )
    out += [
        "",
        "Store setup = `Workspace.init` + `load_canonical` (an `INSERT … SELECT … FROM "
        "read_parquet(…)` per table and a check of every table's key) + `CHECKPOINT`"
        + (
            f", with `memory_limit={args.setup_memory_limit}` in the engine URL."
            if args.setup_memory_limit
            else "."
        ),
    ]
    for label in sizes:
        out += ["", f"### {label} customers", "", *size_table(summaries[label])]
    out += [
        "",
        "Phase times are medians taken phase by phase; `open` is `Workspace.open`.",
        "",
        "### Stages against their baselines",
        "",
        *(line for label in sizes for line in baseline_lines(label, summaries[label])),
        "",
        "### Agreement",
        "",
        *(line for label in sizes for line in agreement_lines(label, runs)),
        "",
        "### Cost against size",
        "",
        *cost_lines(sizes, summaries),
        "",
        f"### The goal at {goal} customers: the night in under 15 minutes, peak under 8 GB",
        "",
        *goal_lines(goal, summaries[goal]),
    ]
    return out


def summarise_size(runs: list[Run], label: str, contenders: list[str]) -> dict[str, Summary]:
    return {
        name: summarise([r for r in runs if r.size == label and r.contender == name])
        for name in contenders
    }


def write_report(
    args: argparse.Namespace,
    info: dict,
    sizes: dict[str, Size],
    summaries: dict[str, dict[str, Summary]],
    runs: list[Run],
    started: datetime,
    finished: datetime,
) -> None:
    """The section of ``args.results`` and the plot beside it."""
    lines = section(args, info, sizes, summaries, runs, started, finished)
    write_section(args.results, lines, BEGIN, END)
    plot = args.results.with_name(PLOT)
    plot.write_text(plot_svg(sizes, summaries), encoding="utf-8")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Nightly pipeline benchmark (see bench/README.md)")
    p.add_argument("--sizes", default="1M,10M", help="customers, comma-separated (k/M)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--contenders", default=",".join(CONTENDERS))
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--data-dir", type=Path, default=HERE / "data")
    p.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    p.add_argument("--timeout", type=float, default=3 * 3600, help="seconds per run")
    p.add_argument("--once-after", type=float, default=600)
    p.add_argument("--max-rss", type=float, default=16.0, help="GiB; a child above is stopped")
    p.add_argument(
        "--max-temp",
        default="20GB",
        help="DuckDB's max_temp_directory_size for livebase and the floor ('' for DuckDB's own)",
    )
    p.add_argument(
        "--setup-memory-limit",
        default="4GB",
        help="DuckDB's memory limit while loading the store ('' for none)",
    )
    p.add_argument(
        "--from-json",
        type=Path,
        help="re-render the section and the plot from a RESULTS-nightly.json (no runs)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = parser()
    args = p.parse_args(argv)
    args.argv = argv
    if args.from_json:
        return rerender(args)
    contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    unknown = set(contenders) - set(CONTENDERS)
    if unknown:
        p.error(f"unknown contenders {sorted(unknown)} (choose from {', '.join(CONTENDERS)})")
    contenders = [c for c in CONTENDERS if c in contenders]
    labels = sorted((x.strip() for x in args.sizes.split(",") if x.strip()), key=parse_size)
    args.data_dir = args.data_dir.resolve()
    started = datetime.now(UTC)
    info = machine()
    sizes: dict[str, Size] = {}
    runs: list[Run] = []
    summaries: dict[str, dict[str, Summary]] = {}
    for label in labels:
        size = sizes[label] = prepare(args.python, label, args, contenders)
        given_up: set[str] = set()
        for k in range(args.repeat):
            for name in contenders:
                if name in given_up:
                    continue
                log(f"{label} run {k + 1}/{args.repeat}: {LABELS[name]}")
                c = run_contender(args.python, name, size, args)
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
                    phases = ", ".join(f"{k} {v:,.1f}" for k, v in res["phases"].items())
                    log(
                        f"  {res['total_s']:,.1f} s ({phases}), peak {res['peak_rss_mib']:,.0f} MiB"
                    )
                    if res["total_s"] > args.once_after:
                        given_up.add(name)
                else:
                    log(f"  {c.status}: {c.error[:300]}")
                    given_up.add(name)
        summaries[label] = summarise_size(runs, label, contenders)
    info["load_average_end"] = os.getloadavg()
    finished = datetime.now(UTC)
    write_report(args, info, sizes, summaries, runs, started, finished)
    raw = {
        "started": started.isoformat(),
        "finished": finished.isoformat(),
        "argv": argv,
        "machine": info,
        "max_rss_gib": args.max_rss,
        "sizes": {
            k: {"customers": v.customers, "data": v.data, "setup": v.setup, "export": v.export}
            for k, v in sizes.items()
        },
        "runs": [r.__dict__ for r in runs],
    }
    out = args.results.with_name("RESULTS-nightly.json")
    out.write_text(json.dumps(raw, indent=1, default=str) + "\n", encoding="utf-8")
    log(f"wrote the nightly section of {args.results}, {out} and {args.results.with_name(PLOT)}")
    return 0


def rerender(args: argparse.Namespace) -> int:
    """The section and the plot again from the runs a previous run recorded, with the
    settings it was run with (its argv), for a change in how results are reported."""
    raw = json.loads(args.from_json.read_text(encoding="utf-8"))
    recorded = parser().parse_args(raw["argv"])
    recorded.argv, recorded.results = raw["argv"], args.results
    runs = [Run(**r) for r in raw["runs"]]
    sizes = {
        label: Size(
            label,
            v["customers"],
            args.data_dir / f"nightly-{label}",
            v["data"],
            v["setup"],
            v["export"],
        )
        for label, v in raw["sizes"].items()
    }
    contenders = [c for c in CONTENDERS if any(r.contender == c for r in runs)]
    summaries = {label: summarise_size(runs, label, contenders) for label in sizes}
    started = datetime.fromisoformat(raw["started"])
    finished = datetime.fromisoformat(raw["finished"])
    write_report(recorded, raw["machine"], sizes, summaries, runs, started, finished)
    log(f"re-rendered the nightly section of {args.results} from {args.from_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
