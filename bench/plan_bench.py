"""Planning a wave with all guardrails: livebase against plain pandas, in one run.

    python bench/plan_bench.py --sizes 100k,1M --repeat 3
    python bench/plan_bench.py --check          # 20k customers: do both plan the same?

For each size (customers; 20 message events per customer), the tables of a school
(bench/plan_data.py, cached in bench/data/plan-<size>/) are loaded once into a livebase
store (``plan_contenders.py setup``: timed and reported apart, it is not part of the
plan). Then, ``--repeat`` times, in turn, each contender plans the default playbook
``reactivation_r90`` for the same as-of date in a process of its own:

- **livebase**: ``plan_playbook(ws, playbook, as_of, seed=1)`` on a fresh copy of the
  store (the copy is made before the process starts), its marts written;
- **pandas**: bench/plan_pandas.py, reading the Parquet files and writing its three
  outputs to Parquet.

Time excludes interpreter start-up and imports (reported apart); peak memory is the
child's ``ru_maxrss``. Both contenders' counts (arms, touches per channel and arm,
decisions per reason and action) are compared in every run. A contender whose first run
at a size takes more than ``--once-after`` seconds is not repeated at that size; one
that takes more than ``--timeout`` is killed. After the runs of the first size,
bench/plan_profile.py times the stages of ``plan_playbook`` (``--no-profile`` skips it).

The results go to the section "Planning with guardrails" of bench/RESULTS.md (between
the markers below, after the RFM section's notes; text after the end marker is kept)
and to bench/RESULTS-plan.json (every run). ``--check`` writes nothing: it plans a
20k-customer school with both contenders, compares their outputs row by row and exits
with 1 when they differ.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from report import fmt_mib, fmt_s, log, machine, median, ratio  # noqa: E402

# The parent imports nothing heavy and generates nothing itself: on Linux a child's
# ru_maxrss starts at its parent's high-water mark (fork + exec keep it), so a big parent
# would raise every child's peak.

CONTENDERS = ("livebase", "pandas")
BEGIN = "<!-- plan_bench: begin (rewritten by bench/plan_bench.py) -->"
END = "<!-- plan_bench: end (text below is kept) -->"
COUNT_KEYS = ("assigned", "touches", "touches_per_channel", "touches_per_arm", "decisions")


@dataclass(frozen=True)
class PlanData:
    """A size's inputs (bench/plan_data.py's meta)."""

    label: str
    folder: Path
    customers: int
    rows: dict
    as_of: date
    generated_in_s: float
    meta: dict

    @classmethod
    def of(cls, meta: dict) -> PlanData:
        return cls(
            meta["label"],
            Path(meta["folder"]),
            meta["customers"],
            meta["rows"],
            date.fromisoformat(meta["as_of"]),
            meta["generated_in_s"],
            meta,
        )


def ensure_data(python: str, label: str, data_dir: Path) -> PlanData:
    """The inputs of ``label``, generated in a child process when missing."""
    cmd = [python, str(HERE / "plan_data.py"), label, "--data-dir", str(data_dir)]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return PlanData.of(json.loads(out.strip().splitlines()[-1]))


@dataclass
class Run:
    size: str
    contender: str
    repeat: int
    status: str  # ok, timeout, failed
    process_s: float
    process_peak_mib: float
    result: dict = field(default_factory=dict)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def run_child(python: str, args: list[str], *, timeout: float):
    """Run ``python bench/<args>``; status, wall seconds, peak MiB (wait4), JSON, error."""
    cmd = [python, str(HERE / args[0]), *args[1:]]
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
        proc.returncode = os.waitstatus_to_exitcode(status)
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


def counts(result: dict) -> dict:
    return {k: result.get(k) for k in COUNT_KEYS}


def differences(a: dict, b: dict) -> list[str]:
    """Where two contenders' counts differ (empty: the same)."""
    out = []
    for key in COUNT_KEYS:
        x, y = a.get(key), b.get(key)
        if isinstance(x, dict):
            for k in sorted(set(x) | set(y or {})):
                if x.get(k) != (y or {}).get(k):
                    out.append(f"{key}[{k}]: livebase {x.get(k)}, pandas {(y or {}).get(k)}")
        elif x != y:
            out.append(f"{key}: livebase {x}, pandas {y}")
    return out


# ---- one size -----------------------------------------------------------------------
def setup_store(python: str, data: PlanData, *, timeout: float) -> tuple[Path, dict]:
    master = data.folder / "store"
    shutil.rmtree(master, ignore_errors=True)
    log(f"{data.label}: livebase store setup")
    status, wall, peak, result, error = run_child(
        python, ["plan_contenders.py", "setup", str(data.folder), str(master)], timeout=timeout
    )
    if status != "ok":
        raise RuntimeError(f"store setup failed: {status}: {error}")
    log(f"  {result['total_s']:.1f} s, store {result['store_mib']:,.0f} MiB")
    return master, {**result, "process_s": round(wall, 2), "process_peak_mib": round(peak, 1)}


def run_contender(
    python: str, name: str, data: PlanData, master: Path, *, timeout: float, dump: Path | None
):
    args = ["plan_contenders.py", name, str(data.folder)]
    copy = None
    if name == "livebase":
        copy = Path(tempfile.mkdtemp(prefix="run-", dir=data.folder)) / "school"
        shutil.copytree(master, copy)
        args.append(str(copy))
    if dump is not None:
        args += ["--dump", str(dump)]
    try:
        return run_child(python, args, timeout=timeout)
    finally:
        if copy is not None:
            shutil.rmtree(copy.parent, ignore_errors=True)


def run_profile(python: str, data: PlanData, master: Path, *, timeout: float) -> dict:
    log(f"{data.label}: livebase stage profile")
    tmp = Path(tempfile.mkdtemp(prefix="profile-", dir=data.folder))
    try:
        shutil.copytree(master, tmp / "a")
        shutil.copytree(master, tmp / "b")
        status, _, _, result, error = run_child(
            python,
            ["plan_profile.py", str(data.folder), str(tmp / "a"), "--cprofile", str(tmp / "b")],
            timeout=timeout,
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result if status == "ok" else {"error": f"{status}: {error[:300]}"}


# ---- summaries ----------------------------------------------------------------------
@dataclass
class Summary:
    contender: str
    runs: int
    status: str
    total_median: float | None = None
    total_min: float | None = None
    phases: dict[str, float] = field(default_factory=dict)
    import_s: float | None = None
    peak_median: float | None = None
    peak_max: float | None = None
    rss_after_import: float | None = None
    touches: int | None = None
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
            error=first.error,
        )
    res = [r.result for r in ok]
    return Summary(
        contender=first.contender,
        runs=len(ok),
        status="ok" if len(ok) == len(runs) else f"{len(runs) - len(ok)} of {len(runs)} failed",
        total_median=median([x["total_s"] for x in res]),
        total_min=min(x["total_s"] for x in res),
        phases={k: median([x["phases"][k] for x in res]) for k in res[0]["phases"]},
        import_s=median([x["import_s"] for x in res]),
        peak_median=median([x["peak_rss_mib"] for x in res]),
        peak_max=max(x["peak_rss_mib"] for x in res),
        rss_after_import=median([x["rss_after_import_mib"] for x in res]),
        touches=res[0]["touches"],
    )


def size_table(summaries: dict[str, Summary]) -> list[str]:
    base = summaries.get("livebase")
    lines = [
        "| contender | runs | time, median s | time, min s | phases (median s) | import s "
        "| peak RSS MiB (max) | RSS after imports MiB | time vs livebase | peak vs livebase "
        "| touches kept |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in CONTENDERS:
        s = summaries.get(name)
        if s is None:
            continue
        if s.total_median is None:
            lines.append(
                f"| {name} | 0 | {s.status} | — | {s.error[:120]} | — | "
                f"{fmt_mib(s.peak_max)} (whole process) | — | — | — | — |"
            )
            continue
        phases = ", ".join(f"{k} {v:,.2f}" for k, v in s.phases.items())
        ok = base is not None and base.total_median is not None
        lines.append(
            f"| {name} | {s.runs} | {fmt_s(s.total_median)} | {fmt_s(s.total_min)} | {phases} | "
            f"{fmt_s(s.import_s)} | {fmt_mib(s.peak_median)} ({fmt_mib(s.peak_max)}) | "
            f"{fmt_mib(s.rss_after_import)} | "
            f"{ratio(s.total_median, base.total_median) if ok else '—'} | "
            f"{ratio(s.peak_median, base.peak_median) if ok else '—'} | {s.touches:,} |"
        )
    return lines


def agreement_lines(label: str, runs: list[Run]) -> list[str]:
    by = {}
    for r in runs:
        if r.ok and r.size == label:
            by.setdefault(r.contender, counts(r.result))
    if len(by) < 2:
        return [f"- {label}: not compared (a contender did not finish)."]
    diff = differences(by["livebase"], by["pandas"])
    if not diff:
        lb = next(r.result for r in runs if r.ok and r.size == label and r.contender == "livebase")
        dec = ", ".join(f"{k} {v:,}" for k, v in lb["decisions"].items())
        arms = ", ".join(f"{k} {v:,}" for k, v in sorted(lb["assigned"].items()))
        return [
            f"- {label}: **the same counts** (arms, touches per channel and arm, decisions per "
            f"reason and action). Arms: {arms}; touches kept {lb['touches']:,}; decisions: "
            f"{dec}."
        ]
    return [f"- {label}: **the counts differ**:", *(f"  - {d}" for d in diff[:30])]


def profile_lines(label: str, profile: dict) -> list[str]:
    head = [f"### Where livebase's time goes ({label}, one extra run: bench/plan_profile.py)", ""]
    if "error" in profile:
        return [*head, f"The profile run did not finish: {profile['error']}"]
    lines = [
        *head,
        "Timers around the functions of `plan_playbook` that run queries or loop in Python, "
        "and around the queries it runs inline (labelled with the line of the module); a "
        "row's time includes the rows nested under it (`>`). Rows under 1 % of the whole "
        "are left out.",
        "",
        "| stage | calls | s | share |",
        "|---|---:|---:|---:|",
    ]
    whole = profile["stages"]["plan_playbook (whole)"]["s"]
    for k, v in profile["stages"].items():
        if v["s"] >= 0.01 * whole:
            lines.append(f"| {k} | {v['calls']} | {v['s']:,.2f} | {v['s'] / whole:.0%} |")
    cp = profile.get("cprofile")
    if cp:
        lines += [
            "",
            f"cProfile of a second run (whole plan {cp['wall_s']:,.1f} s under the profiler), "
            "functions with the most own time:",
            "",
            "| function | calls | own s | cumulative s |",
            "|---|---:|---:|---:|",
            *(
                f"| `{r['function']}` | {r['calls']:,} | {r['tottime']:,.2f} | "
                f"{r['cumtime']:,.2f} |"
                for r in cp["top_tottime"][:15]
            ),
        ]
    return lines


def section(
    *, args, info, datasets, setups, summaries, runs, profile, started, finished
) -> list[str]:
    versions: dict[str, str] = {}
    for r in runs:
        if r.ok:
            for k, v in r.result.get("versions", {}).items():
                versions.setdefault(f"{k} ({r.contender} side)", v)
    out = [
        "## Planning with guardrails",
        "",
        f"Run {started:%Y-%m-%d %H:%M}–{finished:%H:%M} UTC with "
        f"`python bench/plan_bench.py {' '.join(args.argv)}` (written by the script; see "
        "bench/README.md).",
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
        "The default playbook `reactivation_r90` (14 days; arms control / value / discount "
        "and a 15 % holdout; 5 e-mails, 2 messenger messages, retargeting and a call on "
        "interest; caps 1 a day, 4 in 7 days, 1 messenger message in 7 days; a discount "
        "budget) planned for the same school and as-of date by two contenders, each in a "
        f"process of its own, in turn, {args.repeat} time(s) per size:",
        "",
        "- **livebase**: `plan_playbook(ws, playbook, as_of, seed=1)` on a store that holds "
        "the tables (a fresh copy of it for every run): audience from the segments mart, "
        "who is left out (e-mail consent and suppression, active buyers, open deals, hot "
        "leads), stratified arms, the schedule in each customer's time zone, consent per "
        "channel, personalisation consent, the guardrails (caps around the messages sent "
        "in the last days, retargeting, silence after a purchase, offer and discount "
        "cooldowns, discount budget), and the `waves`, `assignments`, `touches` and "
        "`exclusions` marts written. Loading the store (`Workspace.init` and one `INSERT "
        "… SELECT … FROM read_parquet(…)` per table) is setup: timed apart (Data table).",
        "- **pandas**: bench/plan_pandas.py, the obvious pandas code for the same rules: "
        "read the Parquet files (phase `read`), audience and who is left out (`audience`: "
        "latest consent per customer × channel × purpose by sort + `drop_duplicates`, "
        "suppressions by `groupby`, counted purchases with the duplicate-payment rule), "
        "strata and arms (`assign`: livebase's own `assign_stratified`, so both deal the "
        "same arms), template `merge`, time zones, consent per channel and personalisation "
        "(`schedule`), the caps in a per-customer Python loop over `groupby` (`caps`), "
        "retargeting, silence and cooldowns with merges and the budget with a `cumsum` "
        "(`guardrails`), UTC touches and the decision log (`output`), and the three "
        "outputs written to Parquet (`write`).",
        "",
        "Time excludes interpreter start-up and imports (`import s`); peak RSS is the "
        "child's own `ru_maxrss` (imports included; RSS after imports next to it). Both "
        "contenders' counts are compared in every run (Agreement below); "
        "`plan_bench.py --check` compares them row by row on a 20k-customer school.",
        "",
        "### Data",
        "",
        "| size | customers | R90 audience (left out) | orders | consents | message events | "
        "generated in s | store setup s | store MiB | setup peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, d in datasets.items():
        st = setups.get(label, {})
        audience = sum(
            next((r.result["assigned"] for r in runs if r.ok and r.size == label), {}).values()
        )
        left_out = _excluded(runs, label)
        out.append(
            f"| {label} | {d.rows['customers']:,} | {audience + left_out:,} ({left_out:,} "
            f"left out) | {d.rows['orders']:,} | {d.rows['consents']:,} | "
            f"{d.rows['messages']:,} | {d.generated_in_s} | {fmt_s(st.get('total_s'))} | "
            f"{fmt_mib(st.get('store_mib'))} | {fmt_mib(st.get('peak_rss_mib'))} |"
        )
    out += [
        "",
        f"As-of date {next(iter(datasets.values())).as_of}, wave starting the day after. "
        "Store setup = `Workspace.init` + loading the seven tables + `CHECKPOINT`.",
    ]
    for label in datasets:
        out += ["", f"### {label} customers", "", *size_table(summaries[label])]
    out += [
        "",
        "Ratios: contender ÷ livebase (above 1 means livebase is faster or smaller). Phase "
        "times are medians taken phase by phase.",
        "",
        "### Agreement",
        "",
        *(line for label in datasets for line in agreement_lines(label, runs)),
    ]
    if profile:
        out += ["", *profile_lines(args.profile_label, profile)]
    return out


def _excluded(runs: list[Run], label: str) -> int:
    r = next((r for r in runs if r.ok and r.size == label and r.contender == "livebase"), None)
    return r.result["excluded_customers"] if r else 0


def write_section(path: Path, lines: list[str], begin: str = BEGIN, end: str = END) -> None:
    """Replace the text between the markers ``begin`` and ``end`` (append when absent)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = "\n".join([begin, *lines, end])
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


# ---- check --------------------------------------------------------------------------
def check(args) -> int:
    data = ensure_data(args.python, args.check_size, args.data_dir)
    master, _ = setup_store(args.python, data, timeout=args.timeout)
    dumps = {}
    results = {}
    with tempfile.TemporaryDirectory(prefix="check-", dir=data.folder) as tmp:
        for name in CONTENDERS:
            dumps[name] = Path(tmp) / name
            log(f"check {data.label}: {name}")
            status, _, _, result, error = run_contender(
                args.python, name, data, master, timeout=args.timeout, dump=dumps[name]
            )
            if status != "ok":
                print(f"{name} did not finish: {status}: {error}")
                return 1
            results[name] = result
            log(f"  {result['total_s']:.2f} s")
        diff = differences(counts(results["livebase"]), counts(results["pandas"]))
        import pandas as pd  # after the children: see the note at the imports

        keys = {
            "assignments": ["customer_id", "arm", "stratum"],
            "touches": [
                "customer_id",
                "touch_no",
                "planned_at",
                "channel",
                "pattern",
                "is_promo",
                "offer",
                "offer_kind",
                "deadline",
                "arm",
                "purpose",
                "condition",
                "ends_at",
                "frequency",
            ],
            "exclusions": [
                "customer_id",
                "touch_no",
                "reason_code",
                "action",
                "channel",
                "planned_at",
                "moved_to",
            ],
        }
        rows = {}
        for table, cols in keys.items():
            a = pd.read_parquet(dumps["livebase"] / f"{table}.parquet")[cols]
            b = pd.read_parquet(dumps["pandas"] / f"{table}.parquet")[cols]
            norm = [x.astype(object).where(x.notna(), None).astype(str) for x in (a, b)]
            if "frequency" in cols:  # Int32 on both sides, printed alike
                for x, src in zip(norm, (a, b), strict=True):
                    x["frequency"] = src["frequency"].astype("Float64").astype(str)
            m = norm[0].merge(norm[1], how="outer", indicator=True)
            only = m[m["_merge"] != "both"]
            rows[table] = (len(a), len(b), only)
    shutil.rmtree(master, ignore_errors=True)
    print(f"check at {data.label} customers ({data.rows['messages']:,} message events):")
    for name in CONTENDERS:
        print(f"  {name}: {results[name]['total_s']:.2f} s, {results[name]['touches']:,} touches")
    same = not diff
    for d in diff:
        print(f"  counts differ: {d}")
    for table, (na, nb, only) in rows.items():
        if only.empty:
            print(f"  {table}: {na:,} rows each, identical row by row")
            continue
        same = False
        print(f"  {table}: livebase {na:,} rows, pandas {nb:,}; {len(only):,} rows on one side:")
        print(only.head(20).to_string(index=False))
    if same:
        print("  decisions per reason and action:")
        for k, v in results["livebase"]["decisions"].items():
            print(f"    {k}: {v:,}")
    print("SAME" if same else "DIFFERENT")
    return 0 if same else 1


# ---- main ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description="planning benchmark (see bench/README.md)")
    p.add_argument("--sizes", default="100k,1M", help="customers per school (k/M suffixes)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--contenders", default=",".join(CONTENDERS))
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--data-dir", type=Path, default=HERE / "data")
    p.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    p.add_argument("--timeout", type=float, default=3600, help="seconds per run")
    p.add_argument(
        "--once-after",
        type=float,
        default=600,
        help="a contender whose first run at a size takes longer is not repeated there",
    )
    p.add_argument("--no-profile", action="store_true", help="skip the stage profile")
    p.add_argument("--check", action="store_true", help="compare both contenders at 20k")
    p.add_argument("--check-size", default="20k")
    args = p.parse_args(argv)
    args.argv = argv
    if args.check:
        return check(args)
    contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    unknown = set(contenders) - set(CONTENDERS)
    if unknown:
        p.error(f"unknown contenders {sorted(unknown)} (choose from {', '.join(CONTENDERS)})")
    started = datetime.now(UTC)
    info = machine()
    labels = [s.strip() for s in args.sizes.split(",") if s.strip()]
    args.profile_label = labels[0]
    datasets = {label: ensure_data(args.python, label, args.data_dir) for label in labels}
    runs: list[Run] = []
    setups: dict[str, dict] = {}
    summaries: dict[str, dict[str, Summary]] = {}
    profile = None
    for label, data in datasets.items():
        master, setups[label] = setup_store(args.python, data, timeout=args.timeout)
        stop: set[str] = set()
        for k in range(args.repeat):
            for name in contenders:
                if name in stop:
                    continue
                log(f"{label} run {k + 1}/{args.repeat}: {name}")
                status, wall, peak, result, error = run_contender(
                    args.python, name, data, master, timeout=args.timeout, dump=None
                )
                run = Run(label, name, k, status, round(wall, 2), round(peak, 1), result, error)
                runs.append(run)
                if not run.ok:
                    log(f"  {status}: {error[:300]}")
                    stop.add(name)
                    continue
                log(f"  {result['total_s']:.2f} s, peak {result['peak_rss_mib']:,.0f} MiB")
                if k == 0 and result["total_s"] > args.once_after:
                    log(f"  over {args.once_after:.0f} s: {name} is not repeated at {label}")
                    stop.add(name)
        summaries[label] = {
            n: summarise([r for r in runs if r.size == label and r.contender == n])
            for n in contenders
        }
        if label == args.profile_label and "livebase" in contenders and not args.no_profile:
            profile = run_profile(args.python, data, master, timeout=args.timeout * 3)
        shutil.rmtree(master, ignore_errors=True)
    info["load_average_end"] = os.getloadavg()
    finished = datetime.now(UTC)
    lines = section(
        args=args,
        info=info,
        datasets=datasets,
        setups=setups,
        summaries=summaries,
        runs=runs,
        profile=profile,
        started=started,
        finished=finished,
    )
    write_section(args.results, lines)
    raw = {
        "started": started.isoformat(),
        "finished": finished.isoformat(),
        "argv": argv,
        "machine": info,
        "datasets": {k: v.meta for k, v in datasets.items()},
        "setups": setups,
        "runs": [r.__dict__ for r in runs],
        "profile": profile,
    }
    json_path = args.results.with_name("RESULTS-plan.json")
    json_path.write_text(json.dumps(raw, indent=1) + "\n", "utf-8")
    log(f"wrote {args.results} (section 'Planning with guardrails') and {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
