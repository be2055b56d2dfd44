"""The ``livebase`` command: one thin command per step, and ``demo`` that runs them all.

Errors a user can cause print one red line and exit 1; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from livebase import __version__
from livebase.errors import InputError, InsufficientData, LivebaseError
from livebase.terminal import (
    print_crosstab,
    print_history,
    print_import,
    print_migration,
    print_plan,
    print_retention,
    print_scale_notes,
    print_segments,
    print_temperature,
    print_thresholds,
    print_top,
)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="livebase: RFM segments, guarded campaign waves and honest readouts for online schools.",
)
# piped output (CI logs, files) gets room for the readout table instead of 80 columns
console = Console(width=None if sys.stdout.isatty() else 150)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 150)

_state: dict = {"debug": False, "engine": None}

WorkspaceOpt = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        envvar="LIVEBASE_WORKSPACE",
        help="Workspace folder (with livebase.toml).",
    ),
]
LangOpt = Annotated[str | None, typer.Option(help="ru or en.")]
AsOfOpt = Annotated[str | None, typer.Option(help="YYYY-MM-DD; default: the last data date.")]


def _open(workspace: Path):
    from livebase.store.workspace import Workspace

    return Workspace.open(workspace, engine=_state["engine"])


def _date(value: str | None, name: str = "--as-of") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"{name}: not a date {value!r} (use YYYY-MM-DD)") from exc


def _int_list(text: str, name: str) -> tuple[int, ...]:
    """``"1,3,6"`` → (1, 3, 6)."""
    try:
        return tuple(int(x) for x in text.split(","))
    except ValueError as exc:
        raise InputError(f"{name}: not a comma-separated list of whole numbers {text!r}") from exc


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            envvar="LIVEBASE_ENGINE",
            help="Engine URL for this run (duckdb:///path, postgres://…, pyspark://local[2]); "
            "default: the workspace's `engine`.",
        ),
    ] = None,
) -> None:
    _state["debug"] = debug
    _state["engine"] = engine
    if version:
        console.print(f"livebase {__version__}")
        raise typer.Exit()


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Folder for the new workspace.")],
    school: Annotated[str, typer.Option(help="School name.")] = "Online school",
    force: Annotated[bool, typer.Option(help="Overwrite an existing livebase.toml.")] = False,
) -> None:
    """Create a workspace: livebase.toml and a store with every canonical table (a DuckDB
    file, or the engine of `livebase --engine URL init`)."""
    from livebase.store.workspace import Workspace

    ws = Workspace.init(folder, school=school, overwrite=force, engine=_state["engine"])
    console.print(f"[green]workspace ready:[/] {ws.root / 'livebase.toml'}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or Parquet file.")],
    preset: Annotated[
        str,
        typer.Option(
            help="getcourse-users, getcourse-orders, "
            "getcourse-payments, esp-events, mapping, or a "
            "shipped mapping (lms-events, consents, "
            "online-retail, cdnow)."
        ),
    ],
    mapping: Annotated[Path | None, typer.Option(help="YAML mapping for --preset mapping.")] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Import a file; every row is loaded or lands in rejects with its line and reason."""
    from livebase.ingest.pipeline import import_file

    ws = _open(workspace)
    with console.status(f"importing {file.name}"):
        result = import_file(ws, file, preset, mapping=mapping)
    print_import(console, result, ws.config.locale)
    if result.rows_rejected and result.import_id is not None:
        _show_rejects(ws, result.import_id, limit=5)


@app.command()
def load(
    folder: Annotated[
        Path, typer.Argument(help="Folder of <table>.parquet or <table>/*.parquet files.")
    ],
    replace: Annotated[
        bool, typer.Option(help="Empty the tables found in the folder before loading.")
    ] = False,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Bulk-load canonical tables from Parquet (a warehouse export, or
    `livebase simulate --format parquet`) into the store, on any engine."""
    from livebase.store.load import find_tables, load_canonical

    find_tables(folder)  # a wrong folder fails before an engine starts
    ws = _open(workspace)
    with console.status(f"loading {folder}"):
        loaded = load_canonical(ws, folder, replace=replace)
    table = Table(title=f"loaded into {ws.con.name}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in loaded.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


def _show_rejects(ws, import_id: int, limit: int) -> None:
    from livebase.ingest.rejects import list_rejects

    rows, total = list_rejects(ws, import_id, limit=limit)
    table = Table(title=f"rejects of import #{import_id} ({total})")
    for col in ("file", "line", "column", "value", "reason"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            Path(r["source"]).name,
            str(r["line"]),
            r["column"] or "",
            (r["value"] or "")[:40],
            r["reason"],
        )
    console.print(table)
    if total > len(rows):
        console.print(f"… and {total - len(rows)} more: `livebase rejects --import {import_id}`")


@app.command()
def rejects(
    import_id: Annotated[int | None, typer.Option("--import", help="Import number.")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 50,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Show rejected rows (file, line, column, value, reason) of an import (default: last)."""
    ws = _open(workspace)
    if import_id is None:
        last = ws.table("imports").import_id.max().to_pyarrow().as_py()
        if last is None:
            raise InputError("no imports yet")
        import_id = int(last)
    _show_rejects(ws, import_id, limit)


@app.command()
def segment(
    as_of: Annotated[
        str | None,
        typer.Option(help="YYYY-MM-DD; default: the last data date (never the wall clock)."),
    ] = None,
    version: Annotated[
        str, typer.Option(help="monetary (payments), behavioural (learning) or both.")
    ] = "monetary",
    window: Annotated[
        str | None, typer.Option(help="F and M window, e.g. 12m or 365d (default: config).")
    ] = None,
    map_file: Annotated[
        Path | None, typer.Option("--map", help="A segment map YAML (default: shipped map).")
    ] = None,
    history: Annotated[
        str | None,
        typer.Option(help="monthly or quarterly: build snapshots from --from to --as-of."),
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option("--from", help="First snapshot date (default: 12 months back)."),
    ] = None,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Compute RFM and segments as of a date; print sizes, revenue share and mean R/F/M.

    With --history, build month-end (or quarter-end) snapshots and print how segment
    sizes and revenue shares moved."""
    from livebase.metrics.rfm import parse_window
    from livebase.segments.build import build_segments, crosstab, last_data_date
    from livebase.segments.segment_map import default_map, load_map

    if version not in ("monetary", "behavioural", "both"):
        raise InputError(f"--version: {version!r} is not monetary, behavioural or both")
    ws = _open(workspace)
    lang = lang or ws.config.locale
    day = _date(as_of) or last_data_date(ws)
    smap = load_map(map_file) if map_file else default_map()
    win = parse_window(window) if window else None
    if history is not None:
        from livebase.metrics.rfm import months_before
        from livebase.segments.movement import build_history, sizes_over_time

        if history not in ("monthly", "quarterly"):
            raise InputError(f"--history: {history!r} is not monthly or quarterly")
        start = _date(from_, "--from") or months_before(day, 12)
        with console.status("building snapshots"):
            built = build_history(ws, start, day, freq=history, smap=smap)
        for b in built:
            if b.status != "ok":
                console.print(f"[yellow]{b.as_of}: {b.reason}[/]")
        done = [b.as_of for b in built if b.status == "ok"]
        if not done:
            raise InsufficientData("no snapshot could be built in that period")
        print_history(console, sizes_over_time(ws, done, smap=smap), lang, smap=smap)
        return
    versions = ("monetary", "behavioural") if version == "both" else (version,)
    for v in versions:
        rows = build_segments(ws, day, smap=smap, version=v, window=win)
        print_segments(console, rows, day, lang, smap=smap, version=v)
        if v == "monetary":
            print_top(console, ws, day, lang)
        print_scale_notes(console, ws, day, v, lang)
    if version == "both":
        print_crosstab(console, crosstab(ws, day), lang)


@app.command()
def check(
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Audit the store and the export folders: each check and its offending rows; exit 1
    when any fails (after a crash, run this, then the interrupted command again)."""
    from livebase.i18n import t
    from livebase.store.invariants import audit

    ws = _open(workspace)
    lang = lang or ws.config.locale
    counts = audit(ws)
    table = Table(title=t("check.title", lang, path=ws.root.resolve()))
    table.add_column(t("check.col.audit", lang))
    table.add_column(t("check.col.rows", lang), justify="right")
    table.add_column(t("check.col.state", lang))
    for name, n in counts.items():
        state = f"[red]{t('check.fail', lang)}[/]" if n else f"[green]{t('check.pass', lang)}[/]"
        table.add_row(name, f"{n:,}", state)
    console.print(table)
    failed = [name for name, n in counts.items() if n]
    if failed:
        raise LivebaseError(
            t("check.failed", lang, n=len(failed), total=len(counts), names=", ".join(failed))
        )
    console.print(f"[green]{t('check.ok', lang, n=len(counts))}[/]")


@app.command()
def migration(
    from_: Annotated[str, typer.Option("--from", help="Earlier snapshot (YYYY-MM-DD).")],
    to: Annotated[str, typer.Option(help="Later snapshot (YYYY-MM-DD).")],
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Who moved from which segment to which between two snapshots."""
    from livebase.segments.movement import migration_matrix

    ws = _open(workspace)
    m = migration_matrix(ws, _date(from_, "--from"), _date(to, "--to"))
    print_migration(console, m, lang or ws.config.locale)


@app.command()
def retention(
    as_of: Annotated[str, typer.Option(help="Snapshot whose champions are followed.")],
    horizons: Annotated[str, typer.Option(help="Months to follow them.")] = "1,3,6",
    segment_id: Annotated[str, typer.Option("--segment", help="Segment id.")] = "champions",
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Retention inside 555 (or another segment) at 1/3/6 months (seed 001)."""
    from livebase.segments.movement import retention_555

    hs = _int_list(horizons, "--horizons")
    ws = _open(workspace)
    rows = retention_555(ws, _date(as_of), hs, segment=segment_id)
    print_retention(console, rows, lang or ws.config.locale)


@app.command()
def thresholds(
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default: last data date.")] = None,
    candidates: Annotated[
        str, typer.Option(help="Windows to backtest, days.")
    ] = "60,90,120,180,270",
    horizon: Annotated[int, typer.Option(help="'No purchase within N days'.")] = 90,
    cutoffs: Annotated[int, typer.Option(help="Monthly cut-off dates to test on.")] = 12,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Defend the sleep window: intervals, repurchase curve, backtest of windows."""
    from livebase.segments.build import last_data_date
    from livebase.segments.thresholds import threshold_report

    windows = _int_list(candidates, "--candidates")
    ws = _open(workspace)
    day = _date(as_of) or last_data_date(ws)
    rep = threshold_report(ws, day, candidates=windows, horizon_days=horizon, cutoff_count=cutoffs)
    print_thresholds(console, rep, lang or ws.config.locale)


@app.command()
def temperature(
    as_of: Annotated[str | None, typer.Option(help="Segments date (YYYY-MM-DD).")] = None,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """How cold the sleeping customers are: no login 30+ days, last 5 emails unopened,
    no replies in messengers (seed 000)."""
    from livebase.segments.build import last_data_date
    from livebase.segments.temperature import temperature_summary

    ws = _open(workspace)
    day = _date(as_of) or last_data_date(ws)
    print_temperature(console, temperature_summary(ws, day), day, lang or ws.config.locale)


@app.command()
def plan(
    playbook: Annotated[
        str | None,
        typer.Option(help="Playbook id or YAML file (see `livebase playbooks`)."),
    ] = None,
    tier: Annotated[
        str, typer.Option(help="Sleep tier R90, R180 or R270 (without --playbook).")
    ] = "R90",
    as_of: Annotated[str | None, typer.Option(help="Segments date (YYYY-MM-DD).")] = None,
    holdout: Annotated[
        float | None,
        typer.Option(help="Holdout share, 0.10–0.20 (default: [experiments] holdout)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Assignment seed.")] = 1,
    aa: Annotated[
        bool, typer.Option("--aa", help="An A/A wave: two identical arms, no holdout.")
    ] = False,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Plan a wave from a playbook: audience, consent and guardrails, holdout, stratified
    arms, dated touches and a pre-launch power check (default: the reactivation playbook
    of --tier)."""
    from livebase.playbooks.planner import plan_playbook
    from livebase.playbooks.spec import find_playbook
    from livebase.playbooks.wave import plan_wave
    from livebase.segments.build import last_data_date

    ws = _open(workspace)
    day = _date(as_of) or last_data_date(ws)
    if playbook:
        book = find_playbook(playbook, ws.root / "playbooks")
        result = plan_playbook(ws, book, day, seed=seed, holdout=holdout, aa=aa)
    else:
        result = plan_wave(ws, day, tier=tier, holdout=holdout, seed=seed, aa=aa)
    print_plan(console, result, lang or ws.config.locale)


@app.command()
def playbooks(
    check: Annotated[
        Path | None, typer.Option(help="Validate a playbook YAML file and stop.")
    ] = None,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """List the playbooks (the defaults and the workspace's playbooks/ folder), or check
    one file: every mistake is reported with its line."""
    from livebase.i18n import t
    from livebase.playbooks.spec import default_playbooks, load_playbook

    if check is not None:
        book = load_playbook(check)
        console.print(t("playbooks.valid", lang or "ru", path=check, id=book.id))
        return
    ws = _open(workspace)
    lang = lang or ws.config.locale
    files = dict(default_playbooks())
    own = ws.root / "playbooks"
    if own.is_dir():
        files.update({p.stem: p for p in sorted(own.glob("*.yaml"))})
    table = Table(title=t("playbooks.title", lang))
    for key in ("id", "kind", "days", "arms", "touches"):
        table.add_column(t(f"playbooks.col.{key}", lang))
    for _, path in sorted(files.items()):
        book = load_playbook(path)
        counts: dict[str, int] = {}
        for touch in book.touches:
            counts[touch.channel] = counts.get(touch.channel, 0) + 1
        table.add_row(
            f"{book.id}\n[dim]{book.name.get(lang)}[/]",
            book.kind,
            str(book.days),
            ", ".join(book.arms),
            ", ".join(f"{ch} {n}" for ch, n in counts.items()),
        )
    console.print(table)


@app.command()
def why(
    customer: Annotated[str, typer.Argument(help="Customer id, e-mail or phone.")],
    wave: Annotated[str | None, typer.Option(help="Wave id (default: the latest).")] = None,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Explain every decision of a wave's plan for one customer: segment, arm, touches,
    and each touch removed, moved or changed with its reason."""
    from livebase.playbooks.why import explain

    ws = _open(workspace)
    lang = lang or ws.config.locale
    _print_why(explain(ws, customer, wave or _latest_wave(ws)), lang)


def _print_why(w, lang: str) -> None:
    from livebase.i18n import t

    console.print(
        "[bold]"
        + t(
            "why.title",
            lang,
            customer=w.customer_id,
            wave=w.wave_id,
            playbook=w.playbook,
            date=w.as_of.strftime("%d.%m.%Y"),
        )
        + "[/]"
    )
    if w.segment:
        console.print(t("why.segment", lang, segment=w.segment, rule=w.rule))
    else:
        console.print(t("why.no_segment", lang))
    if w.arm:
        console.print(t("why.arm", lang, arm=w.arm, stratum=w.stratum))
    elif len(w.excluded):
        row = w.excluded.iloc[0]
        console.print(
            "[yellow]"
            + t(
                "why.not_in_wave",
                lang,
                reason=t(f"guard.{row['reason_code']}", lang),
                detail=row["detail"],
            )
            + "[/]"
        )
    else:
        console.print(t("why.not_in_audience", lang))

    def when(value) -> str:
        return "—" if value is None or value != value else f"{value:%d.%m.%Y %H:%M}"

    if len(w.touches):
        table = Table(title=t("why.touches", lang))
        for key in ("no", "when", "channel", "pattern", "offer", "condition"):
            table.add_column(t(f"why.col.{key}", lang))
        for _, r in w.touches.iterrows():
            table.add_row(
                str(r["touch_no"]),
                when(r["planned_at"]),
                r["channel"],
                r["pattern"],
                r["offer"] or "—",
                r["condition"] or "—",
            )
        console.print(table)
    if len(w.decisions):
        table = Table(title=t("why.decisions", lang))
        for key in ("no", "when", "channel", "action", "reason", "detail", "moved_to"):
            table.add_column(t(f"why.col.{key}", lang))
        for _, r in w.decisions.iterrows():
            table.add_row(
                str(r["touch_no"]),
                when(r["planned_at"]),
                r["channel"] or "—",
                t(f"action.{r['action']}", lang),
                t(f"guard.{r['reason_code']}", lang),
                str(r["detail"] or ""),
                when(r["moved_to"]),
            )
        console.print(table)


@app.command()
def export(
    wave: Annotated[str | None, typer.Argument(help="Wave id (default: the latest).")] = None,
    as_of: Annotated[
        str | None,
        typer.Option(help="Export moment (YYYY-MM-DD, end of day UTC; default: now)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Folder (default: <workspace>/exports).")] = None,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Export a wave for the channels: ESP lists per channel and arm, hashed retargeting
    audiences, call lists (CSV, XLSX), webinar invitations with an .ics file. Consent is
    checked again and the wave is throttled first if its complaints passed the limit."""
    from livebase.exports.wave import export_wave
    from livebase.i18n import t
    from livebase.playbooks.planner import webinar_info

    ws = _open(workspace)
    lang = lang or ws.config.locale
    wave_id = wave or _latest_wave(ws)
    now = _moment(as_of)
    _print_throttle(ws, wave_id, now, lang)
    folder = out or ws.root / "exports"
    result = export_wave(ws, wave_id, folder, now=now, webinar=webinar_info(ws, wave_id))
    console.print(
        "[green]"
        + t(
            "export.done",
            lang,
            wave=wave_id,
            n=len(result.files),
            folder=(folder / wave_id).resolve(),
        )
        + "[/]"
    )
    table = Table()
    for col in ("file", "channel", "arm", "rows"):
        table.add_column(col)
    for f in result.files:
        table.add_row(f.path.name, f.channel or "—", f.arm or "—", str(f.rows))
    console.print(table)
    if result.left_out:
        reasons = ", ".join(f"{t(f'guard.{k}', lang)}: {v}" for k, v in result.left_out.items())
        console.print(t("export.left_out", lang, reasons=reasons))
    if result.pending:
        console.print(f"[dim]{t('export.pending', lang, n=result.pending)}[/]")


def _moment(as_of: str | None) -> dt.datetime:
    """The end of ``--as-of`` (UTC), or now."""
    from livebase.metrics.rfm import day_end

    day = _date(as_of)
    return day_end(day) if day else dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _print_throttle(ws, wave_id: str, now: dt.datetime, lang: str) -> None:
    from livebase.i18n import t
    from livebase.playbooks.throttle import check_throttle
    from livebase.reports.cells import format_percent

    r = check_throttle(ws, wave_id, now=now)
    if r.status == "insufficient_data":
        console.print(f"[dim]{t('throttle.insufficient', lang, wave=wave_id)}[/]")
    elif r.triggered or r.status == "throttled":
        detail = ", ".join(r.reasons) or "—"
        console.print(
            "[red bold]"
            + t("throttle.throttled", lang, wave=wave_id, detail=detail, n=r.silenced)
            + "[/]"
        )
    else:
        console.print(
            t(
                "throttle.ok",
                lang,
                wave=wave_id,
                sent=r.sent,
                complaints=r.complaints,
                crate=format_percent(r.complaint_rate, lang, digits=2),
                unsubs=r.unsubscribes,
                urate=format_percent(r.unsubscribe_rate, lang, digits=2),
            )
        )


@app.command()
def throttle(
    wave: Annotated[str | None, typer.Argument(help="Wave id (default: the latest).")] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Moment (YYYY-MM-DD, end of day UTC; default: now).")
    ] = None,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Check a running wave's complaints and unsubscribes; past the threshold its
    remaining marketing touches drop to silence (logged as auto_throttle)."""

    ws = _open(workspace)
    now = _moment(as_of)
    _print_throttle(ws, wave or _latest_wave(ws), now, lang or ws.config.locale)


@app.command()
def consents(
    customer: Annotated[
        str | None, typer.Argument(help="Customer id, e-mail or phone: their history.")
    ] = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """The consent log: current state per channel and purpose, or one customer's history
    (who gave it, when, offer version, source)."""
    from livebase.i18n import t
    from livebase.metrics.rfm import day_end
    from livebase.playbooks.consents import consent_history, consent_summary
    from livebase.playbooks.why import resolve_customer

    ws = _open(workspace)
    lang = lang or ws.config.locale
    if customer:
        cid = resolve_customer(ws, customer)
        frame = consent_history(ws.con, cid)
        table = Table(title=t("consents.history", lang, customer=cid))
        cols = ("ts", "channel", "purpose", "state", "given_by", "offer_version", "source")
        for key in cols:
            table.add_column(t(f"consents.col.{key}", lang))
        for _, r in frame.iterrows():
            state = t("consents.col.granted" if r["granted"] else "consents.col.withdrawn", lang)
            table.add_row(
                f"{r['ts']:%d.%m.%Y %H:%M}",
                r["channel"],
                r["purpose"],
                state,
                str(r["given_by"] or "—"),
                str(r["offer_version"] or "—"),
                str(r["source"] or "—"),
            )
        console.print(table)
        return
    day = _day_or_last(ws, as_of)
    frame = consent_summary(ws.con, as_of=day_end(day))
    table = Table(title=t("consents.title", lang, date=day.strftime("%d.%m.%Y")))
    for key in ("channel", "purpose", "granted", "withdrawn", "customers", "parental"):
        table.add_column(t(f"consents.col.{key}", lang), justify="right")
    for _, r in frame.iterrows():
        table.add_row(
            r["channel"],
            r["purpose"],
            str(r["granted"]),
            str(r["withdrawn"]),
            str(r["customers"]),
            str(r["parental"]),
        )
    console.print(table)


@app.command()
def analyze(
    wave: Annotated[
        str | None, typer.Argument(help="Wave id (default: the latest wave).", show_default=False)
    ] = None,
    lang: LangOpt = None,
    html: Annotated[Path | None, typer.Option(help="Where to write the HTML report.")] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Where to write the JSON readout.")
    ] = None,
    window_days: Annotated[
        int | None, typer.Option(help="Order window in days (default: the wave's length).")
    ] = None,
    alpha: Annotated[
        float | None, typer.Option(help="Significance level (default: [experiments] alpha).")
    ] = None,
    adjust: Annotated[
        str, typer.Option(help="Multiple comparisons across 'arms' or 'arms-and-metrics'.")
    ] = "arms",
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Readout of a wave per arm: conversion, uplift, p-values (raw, Holm, BH), revenue per
    assigned, ARPPU, incremental economics, NPS and the long horizon; HTML and JSON."""
    ws = _open(workspace)
    if adjust not in ("arms", "arms-and-metrics"):
        raise InputError(f"--adjust: {adjust!r} (use arms or arms-and-metrics)")
    html_path, json_file = _readout(
        ws,
        wave,
        lang or ws.config.locale,
        html,
        json_path=json_path,
        window_days=window_days,
        alpha=alpha,
        adjust_across=adjust.replace("-", "_"),
    )
    console.print(f"report: [bold]{html_path}[/]\njson: [bold]{json_file}[/]")


@app.command()
def power(
    baseline: Annotated[
        float, typer.Option(help="Control conversion, % (e.g. 9.3).", show_default=False)
    ],
    mde: Annotated[
        float | None, typer.Option(help="Uplift to detect, p.p. (e.g. 4): gives n per arm.")
    ] = None,
    n: Annotated[
        int | None, typer.Option(help="Customers per arm: gives the detectable uplift.")
    ] = None,
    alpha: Annotated[float, typer.Option(help="Significance level.")] = 0.05,
    target: Annotated[float, typer.Option("--power", help="Power (0–1).")] = 0.8,
    lang: LangOpt = None,
) -> None:
    """Sample size per arm for a baseline and an uplift, or the uplift a given size can
    detect (two-sided test of two proportions)."""
    from livebase.experiments.power import achieved_power, detectable_effect, sample_size
    from livebase.i18n import format_number, format_percent, format_pp, t

    lang = lang or "ru"
    if (mde is None) == (n is None):
        raise InputError("give either --mde (to get n per arm) or --n (to get the uplift)")
    rate = baseline / 100
    if mde is not None:
        need = sample_size(rate, mde / 100, alpha=alpha, power=target)
        console.print(
            t(
                "power.cli_n",
                lang,
                n=format_number(need, lang),
                mde=format_pp(mde, lang),
                baseline=format_percent(rate, lang),
                alpha=format_percent(alpha, lang, digits=0),
                power=format_percent(target, lang, digits=0),
                total=format_number(2 * need, lang),
            )
        )
        return
    assert n is not None
    effect = detectable_effect(rate, n, alpha=alpha, power=target)
    console.print(
        t(
            "power.cli_mde",
            lang,
            n=format_number(n, lang),
            mde=format_pp(effect * 100, lang),
            baseline=format_percent(rate, lang),
            alpha=format_percent(alpha, lang, digits=0),
            power=format_percent(achieved_power(rate, effect, n, n, alpha=alpha), lang, digits=0),
        )
    )


def _print_all(parts) -> None:
    for part in parts:
        console.print(part)


def _day_or_last(ws, as_of: str | None) -> dt.date:
    from livebase.segments.build import last_data_date

    return _date(as_of) or last_data_date(ws)


@app.command()
def risk(
    as_of: AsOfOpt = None,
    top: Annotated[int, typer.Option(help="How many of the riskiest customers to list.")] = 20,
    level: Annotated[
        str | None, typer.Option(help="Only customers of this level: low, medium or high.")
    ] = None,
    backtest: Annotated[
        bool,
        typer.Option("--backtest", help="Also score past month-ends and read their churn."),
    ] = False,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Churn risk per customer with its reasons (the `risk` mart), the riskiest customers
    and, with --backtest, how well each level predicted churn in 30/60/90 days."""
    from livebase.metrics.risk import LEVELS, build_risk, top_risks
    from livebase.reports.base_views import backtest_views, risk_views

    ws = _open(workspace)
    lang = lang or ws.config.locale
    if level is not None and level not in LEVELS:
        raise InputError(f"--level: {level!r} (one of {', '.join(LEVELS)})")
    if top < 0:
        raise InputError("--top must not be negative")
    day = _day_or_last(ws, as_of)
    with console.status("scoring"):
        summary = build_risk(ws, day)
    riskiest = top_risks(ws, day, top, level=level) if top else ()
    _print_all(risk_views(summary, riskiest, lang))
    if backtest:
        from livebase.metrics.risk_backtest import backtest_dates, risk_backtest

        with console.status("backtesting"):
            result = risk_backtest(ws, backtest_dates(ws))
        _print_all(backtest_views(result, lang))


@app.command()
def cohorts(
    by: Annotated[
        str,
        typer.Option(help="signup-month, first-purchase-month, first-channel or age-band."),
    ] = "first-purchase-month",
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Cohorts: retention D7/D30/D60, repeat purchases, refunds, LTV, ARPU/ARPPU/AOV,
    churn 180, CAC and its payback."""
    from livebase.metrics.cohorts import KINDS, workspace_cohorts
    from livebase.reports.base_views import cohort_views

    kind = by.replace("-", "_")
    if kind not in KINDS:
        raise InputError(f"--by: {by!r} (one of {', '.join(k.replace('_', '-') for k in KINDS)})")
    ws = _open(workspace)
    with console.status("computing cohorts"):
        table = workspace_cohorts(ws, kind, as_of=_date(as_of))
    _print_all(cohort_views(table, lang or ws.config.locale, currency=ws.config.currency))


@app.command()
def activation(
    from_: Annotated[
        str | None,
        typer.Option("--from", help="First purchases from this day (default: 3 months back)."),
    ] = None,
    to: Annotated[
        str | None, typer.Option(help="First purchases up to this day (default: as-of).")
    ] = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Newcomer activation at 7 and 30 days, time to the first confirmed result, next
    purchase within the first cycle, by first-purchase month."""
    from livebase.metrics.activation import activation_by_cohort, activation_summary
    from livebase.metrics.rfm import months_before
    from livebase.reports.base_views import activation_views

    ws = _open(workspace)
    day = _day_or_last(ws, as_of)
    first_to = _date(to, "--to") or day
    first_from = _date(from_, "--from") or months_before(first_to, 3)
    if first_from > first_to:
        raise InputError(f"--from {first_from} is after --to {first_to}")
    period = {"first_from": first_from, "first_to": first_to, "as_of": day}
    summary = activation_summary(ws, **period)
    _print_all(
        activation_views(summary, activation_by_cohort(ws, **period), lang or ws.config.locale)
    )


@app.command()
def nps(
    by: Annotated[str, typer.Option(help="segment or cohort (first-purchase month).")] = "segment",
    as_of: AsOfOpt = None,
    lookback: Annotated[int, typer.Option(help="Answers of the last N days.")] = 180,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """NPS (% promoters − % detractors) with a 95 % CI per segment or per cohort."""
    from livebase.metrics.nps_support import nps_by_cohort, nps_by_segment
    from livebase.reports.base_views import nps_views

    if by not in ("segment", "cohort"):
        raise InputError(f"--by: {by!r} (segment or cohort)")
    if lookback < 1:
        raise InputError("--lookback must be at least 1 day")
    ws = _open(workspace)
    day = _day_or_last(ws, as_of)
    if by == "segment":
        result = nps_by_segment(ws, day, lookback_days=lookback)
    else:
        result = nps_by_cohort(ws, day, lookback_days=lookback, rules=ws.config.purchase_rules)
    _print_all(nps_views(result, lang or ws.config.locale))


@app.command()
def support(
    as_of: AsOfOpt = None,
    months: Annotated[int, typer.Option(help="How many months back.")] = 12,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Support load: tickets per 1,000 active customers per month."""
    from livebase.metrics.nps_support import support_load
    from livebase.reports.base_views import support_views

    if months < 1:
        raise InputError("--months must be at least 1")
    ws = _open(workspace)
    day = _day_or_last(ws, as_of)
    rows = support_load(ws, as_of=day, months=months, rules=ws.config.purchase_rules)
    _print_all(support_views(rows, lang or ws.config.locale))


@app.command()
def report(
    kind: Annotated[
        str,
        typer.Argument(help="base (default), weekly, wave, quarterly or alerts."),
    ] = "base",
    wave: Annotated[
        str | None, typer.Argument(help="The wave of `report wave` (default: the latest).")
    ] = None,
    as_of: AsOfOpt = None,
    html: Annotated[
        Path | None, typer.Option(help="Where to write the HTML page (base report).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for the HTML and XLSX files (default: reports/).")
    ] = None,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Reports. base: churn risk and the riskiest customers, cohort retention, LTV,
    activation, NPS and support load (HTML). weekly: conversion by R tier, AOV, gross
    margin, cost of touches, complaints and unsubscribes, incremental orders of the waves
    (the week of --as-of, Monday to Sunday). wave W: the verdict per arm, money and margin,
    the whole wave against its holdout, channels and offers (attribution next to the
    increment), refunds, upsells and costs. quarterly: sales against the quarter before,
    LTV 180 and churn 180 by cohort, the waves' increments and the monitors. alerts: every
    monitor of the 90 days up to --as-of past its threshold. HTML and XLSX, printed too."""
    ws = _open(workspace)
    lang = lang or ws.config.locale
    day = _day_or_last(ws, as_of)
    if kind == "base":
        from livebase.reports.base import base_report
        from livebase.reports.base_html import write_base_html

        with console.status("building the report"):
            page = base_report(ws, day, lang)
        path = write_base_html(page, html or ws.reports_dir / f"base-{day.isoformat()}.html", lang)
        console.print(f"report: [bold]{path}[/]")
        return
    from livebase.reports.pages import page_views
    from livebase.reports.recurring import write_report

    with console.status("building the report"):
        built, html_path, xlsx_path = write_report(
            ws,
            kind,
            day=day,
            lang=lang,
            folder=out,
            wave_id=(wave or _latest_wave(ws)) if kind == "wave" else None,
        )
    _print_all(page_views(built))
    console.print(f"report: [bold]{html_path}[/]\nxlsx: [bold]{xlsx_path}[/]")


def _latest_wave(ws) -> str:
    w = ws.table("waves")
    rows = w.order_by([w.starts_on.desc(), w.wave_id.desc()]).limit(1).to_pyarrow().to_pylist()
    if not rows:
        raise InputError("no waves yet: run `livebase plan` first")
    return rows[0]["wave_id"]


def _readout(
    ws,
    wave: str | None,
    lang: str,
    html: Path | None,
    *,
    json_path: Path | None = None,
    window_days: int | None = None,
    alpha: float | None = None,
    adjust_across: str = "arms",
) -> tuple[Path, Path]:
    """Print the readout of ``wave`` (default: the latest) and write its HTML and JSON."""
    from livebase.reports.files import workspace_wave_report, write_wave_files
    from livebase.reports.terminal import render_tables

    report = workspace_wave_report(
        ws,
        wave or _latest_wave(ws),
        lang=lang,
        window_days=window_days,
        alpha=alpha,
        adjust_across=adjust_across,
    )
    for part in render_tables(report, lang):
        console.print(part)
    return write_wave_files(ws, report, html=html, json_path=json_path)


@app.command()
def simulate(
    folder: Annotated[Path, typer.Argument(help="Where to write the exports (or tables).")],
    customers: Annotated[int, typer.Option(help="Number of users.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    end: Annotated[str, typer.Option(help="Last day of history (YYYY-MM-DD).")] = "2025-05-05",
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="exports (GetCourse/ESP/LMS files) or parquet (canonical tables, chunked).",
        ),
    ] = "exports",
    lang: LangOpt = None,
) -> None:
    """Write a synthetic school as GetCourse/ESP/LMS exports plus its planted truth, or
    (--format parquet) as canonical store tables in Parquet for benchmarks and engines."""
    from livebase.simulate import SchoolSpec, simulate_school

    if fmt not in ("exports", "parquet"):
        raise InputError(f"unknown --format {fmt!r}: use exports or parquet")
    spec = SchoolSpec(customers=customers, seed=seed, end=_date(end, "--end"))
    if fmt == "parquet":
        from livebase.i18n import format_number, t
        from livebase.simulate import write_canonical

        lang = lang or "en"
        with console.status("simulating") as status:
            out = write_canonical(spec, folder, log=status.update)
        written = t("simulate.parquet.written", lang, folder=out.folder, as_of=out.as_of)
        console.print(written, style="green", markup=False, soft_wrap=True)
        for table, n in out.rows.items():
            rows = format_number(n, lang)
            console.print(t("simulate.parquet.rows", lang, table=table, rows=rows), markup=False)
        return
    with console.status("simulating"):
        files = simulate_school(spec, folder)
    console.print(f"[green]school written to {folder}[/] (truth: {files.truth})")


@app.command()
def demo(
    folder: Annotated[Path, typer.Option(help="Workspace folder for the demo school.")] = Path(
        "demo-school"
    ),
    customers: Annotated[int, typer.Option(help="Number of users.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    lang: Annotated[str, typer.Option(help="ru or en.")] = "ru",
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard at the end.")
    ] = True,
    port: Annotated[int, typer.Option(help="Dashboard port (a free one if taken).")] = 8765,
) -> None:
    """Build a realistic school and run every step: import, segments, wave, readout; then
    serve the dashboard on 127.0.0.1 with a demo login (Ctrl+C stops it)."""
    from livebase.demo import DEMO_MARKER, DEMO_USER, demo_login, run_demo

    if folder.exists() and any(folder.iterdir()):
        if not (folder / DEMO_MARKER).exists():
            raise InputError(f"{folder} exists and is not a demo workspace; pick another --folder")
        shutil.rmtree(folder)  # a previous demo: start afresh
    report = run_demo(
        folder, customers=customers, seed=seed, lang=lang, console=console, progress=_progress()
    )
    from livebase.i18n import t

    console.print("\n[bold green]" + t("demo.done", lang, path=report.resolve()) + "[/]")
    if serve:
        password = demo_login(folder)
        serve_dashboard(folder, "127.0.0.1", port, lang, login=(DEMO_USER, password), any_port=True)


user_app = typer.Typer(no_args_is_help=True, help="Dashboard logins.")
token_app = typer.Typer(no_args_is_help=True, help="API tokens for the JSON API.")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="The login.", show_default=False)],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Add a dashboard login (or set a new password); the password is stored as a slow
    salted hash only."""
    from livebase.i18n import t
    from livebase.web.auth import add_user

    ws = _open(workspace)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    add_user(ws, username, password)
    console.print(t("web.user.added", lang or ws.config.locale, user=username))


@token_app.command("add")
def token_add(
    name: Annotated[str, typer.Argument(help="A name for the token.", show_default=False)],
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Create an API token (printed once; only its hash is kept)."""
    from livebase.i18n import t
    from livebase.web.auth import add_token

    ws = _open(workspace)
    token = add_token(ws, name)
    console.print(t("web.token.added", lang or ws.config.locale, name=name, token=token))


@app.command()
def webhook(
    base_url: Annotated[
        str, typer.Option(help="Where the dashboard is reachable from GetCourse.")
    ] = "https://livebase.example.ru",
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """The GetCourse callback URL (with the workspace's token) and the key that signs JSON
    events; both derive from the workspace's secret."""
    from livebase.web.auth import workspace_secret
    from livebase.web.webhook_routes import getcourse_token, json_key

    ws = _open(workspace)
    secret = workspace_secret(ws)
    url = (
        f"{base_url.rstrip('/')}/webhook/getcourse?token={getcourse_token(secret)}"
        "&event=dealStatusChanged&id={object.id}&email={object.user.email}"
        "&user_id={object.user.id}&cost={object.cost_money_value}&status={object.status}"
        "&title={object.positions}"
    )
    console.print(f"GetCourse: {url}", markup=False, soft_wrap=True)
    console.print(f"JSON (X-Livebase-Signature: sha256=HMAC): key {json_key(secret)}", markup=False)


@app.command()
def erase(
    customer: Annotated[
        str,
        typer.Option(
            "--customer",
            help="Customer id (gc:123), e-mail or phone; '-' reads it from standard input "
            "(kept out of the shell history).",
            show_default=False,
        ),
    ],
    by: Annotated[
        str | None, typer.Option(help="Who erases (recorded; default: the system user).")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Erase a person (right to erasure): their contacts go from the store and the
    workspace's files, their rows keep counting under a random anonymous id, and the
    erasure is recorded without personal data. Never prints the person's data."""
    from livebase.i18n import t
    from livebase.privacy.erase import erase_person, erased_by, finish_compaction, plan_erasure

    if customer == "-":
        customer = sys.stdin.readline().strip()
    ws = _open(workspace)
    lang = lang or ws.config.locale
    resumed = finish_compaction(ws)  # an erasure cut off before its compaction
    if resumed is not None:
        console.print(t("erase.resumed", lang, erasure_id=resumed), markup=False)
    try:
        plan = plan_erasure(ws, customer)
    except InputError:
        done = erased_by(ws, customer)
        if done is None:
            raise
        console.print(t("erase.already", lang, erasure_id=done), markup=False)
        return
    table = Table(title=t("erase.plan", lang))
    table.add_column(t("erase.col.where", lang))
    table.add_column(t("erase.col.rows", lang), justify="right")
    for name, n in plan.tables.items():
        table.add_row(name, str(n))
    for kind, counts in plan.files.items():
        table.add_row(t("erase.files", lang, kind=kind, files=counts["files"]), str(counts["rows"]))
    console.print(table)
    if not yes and not typer.confirm(t("erase.confirm", lang), default=False):
        raise typer.Abort()
    result = erase_person(ws, plan, by=by)
    files = sum(c["files"] for c in result.files.values())
    console.print(
        "[green]"
        + t(
            "erase.done",
            lang,
            erasure_id=result.erasure_id,
            anon_id=result.anon_id,
            rows=sum(result.tables.values()),
            tables=len(result.tables),
            files=files,
        )
        + "[/]"
    )
    if result.unhandled:
        paths = ", ".join(result.unhandled)
        console.print(t("erase.unhandled", lang, paths=paths), style="yellow", markup=False)


@contextmanager
def _term_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt meanwhile (in the main thread; elsewhere no change)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def listening_socket(host: str, port: int, *, any_port: bool = False) -> socket.socket:
    """A socket bound to ``host:port`` and listening (visits queue until the server
    accepts them); with ``any_port``, a free port the system picks when ``port`` is taken.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        try:
            sock.bind((host, port))
        except OSError:
            if not any_port:
                raise
            sock.bind((host, 0))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def serve_dashboard(
    root: Path,
    host: str,
    port: int,
    lang: str,
    *,
    login: tuple[str, str] | None = None,
    any_port: bool = False,
) -> None:
    """Serve the workspace at ``root`` until interrupted (plain HTTP: secure cookies off
    only on the loopback address); the address (and ``login``) is printed once the port
    listens, so it answers at once."""
    import contextlib
    import ipaddress
    import threading

    import uvicorn

    from livebase.i18n import t
    from livebase.web.app import create_app
    from livebase.web.pages import warm

    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    sock = listening_socket(host, port, any_port=any_port)
    # from here Ctrl+C and SIGTERM (a service manager) stop the server and the command
    # alike: the store closed, this server's snapshot deleted (uvicorn shuts down on
    # either, then re-raises the signal under the handler it found: KeyboardInterrupt)
    try:
        with contextlib.suppress(KeyboardInterrupt), _term_as_interrupt():
            web = create_app(root, secure_cookies=not loopback, engine=_state["engine"])
            try:
                # the pages' data, so that the first visits are quick: the pages without
                # an id now, every wave's page in the background (a visit waits for one
                # build at most)
                warm(web, lang)

                def warm_waves() -> None:
                    # the server may stop meanwhile (the store closes): nothing is lost
                    with contextlib.suppress(Exception):
                        warm(web, lang, waves=True)

                threading.Thread(target=warm_waves, daemon=True).start()
                shown = f"[{host}]" if ":" in host else host
                url = f"http://{shown}:{sock.getsockname()[1]}/?lang={lang}"
                console.print("[bold]" + t("web.serve.url", lang, url=url) + "[/]", soft_wrap=True)
                if login is not None:
                    console.print(
                        t("web.serve.login", lang, user=login[0], password=login[1]),
                        markup=False,
                    )
                console.print(t("web.serve.stop", lang))
                console.file.flush()  # the address must show now, also into a pipe
                # no lifespan events (the app has none)
                config = uvicorn.Config(web, log_level="warning", lifespan="off")
                uvicorn.Server(config).run(sockets=[sock])
            finally:
                web.state.store.close()
    finally:
        sock.close()
    console.print(t("web.serve.stopped", lang))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8765,
    lang: LangOpt = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Serve the dashboard, its JSON API and the event webhook (login required)."""
    ws = _open(workspace)
    lang = lang or ws.config.locale
    root = ws.root
    ws.close()
    serve_dashboard(root, host, port, lang)


def main() -> None:
    debug = "--debug" in sys.argv[1:] or os.environ.get("LIVEBASE_DEBUG") == "1"
    try:
        app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("[red]aborted[/]")
        sys.exit(130)
    except LivebaseError as exc:
        if debug:
            traceback.print_exc()
        err_console.print(f"[red]error:[/] {exc}")
        sys.exit(1)
    except typer.TyperException as exc:  # usage errors: unknown option, missing value
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            err_console.print(f"[red]error:[/] {exc}")
        sys.exit(getattr(exc, "exit_code", 2))
    except Exception as exc:  # anything unexpected: one line, the traceback on --debug
        if debug:
            traceback.print_exc()
        err_console.print(
            f"[red]internal error:[/] {type(exc).__name__}: {exc} "
            "(run with --debug for the traceback)"
        )
        sys.exit(2)
