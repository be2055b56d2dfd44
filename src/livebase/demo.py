"""The demo: a realistic school through every step, from exports to a readout.

simulate exports → init → import (users, orders, payments, LMS, consents, ESP) →
segments (and the month ends of the year before, so the dashboard shows sizes over time and
migration) → churn risk → an R90 wave with a holdout, then every other default playbook
(555 upsell, onboarding, churn prevention, top segment, webinar, R180, R270) under the
same guardrails, and the channel exports of each wave → the school's response (simulated
from the planted truth, again as exports: orders, email events, NPS answers, the wave's
costs; the other channels' events of the planned touches; the active customers' own
purchases) → import → readout in the terminal, as HTML and JSON → the base report of the
planning day (risk list, cohort retention, LTV, activation, NPS) as HTML → the weekly,
wave, quarterly and alerts reports in Russian and English (HTML and XLSX).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from livebase.exports.wave import export_wave
from livebase.i18n import t
from livebase.ingest.pipeline import ImportResult, import_file
from livebase.metrics.rfm import day_end
from livebase.metrics.risk import build_risk, top_risks
from livebase.playbooks.planner import plan_playbook, webinar_info
from livebase.playbooks.spec import default_playbooks, load_playbook
from livebase.playbooks.wave import plan_wave, wave_assignments, wave_touches
from livebase.reports.base import base_report
from livebase.reports.base_html import write_base_html
from livebase.reports.base_views import risk_views
from livebase.reports.files import workspace_wave_report, write_wave_files
from livebase.reports.recurring import write_report
from livebase.reports.terminal import render_tables
from livebase.segments.build import build_segments
from livebase.segments.movement import build_history
from livebase.simulate import Behaviour, SchoolSpec, simulate_school, wave_outcomes
from livebase.store.workspace import Workspace
from livebase.terminal import print_import, print_plan, print_segments

DEMO_END = dt.date(2025, 5, 5)  # the day before the seed's pilot waves started
DEMO_MARKER = ".livebase-demo"  # `livebase demo` only ever replaces a folder carrying it
DEMO_USER = "demo"


def demo_login(folder: Path) -> str:
    """Give the demo workspace its dashboard login ``demo`` with a new random password
    (returned once, stored only as its hash)."""
    import secrets

    from livebase.web.auth import add_user

    password = secrets.token_urlsafe(9)
    ws = Workspace.open(folder)
    try:
        add_user(ws, DEMO_USER, password)
    finally:
        ws.close()
    return password


def history_span(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the twelve whole months before ``day``'s month.

    >>> history_span(dt.date(2025, 5, 5))
    (datetime.date(2024, 5, 1), datetime.date(2025, 4, 30))
    """
    return dt.date(day.year - 1, day.month, 1), day.replace(day=1) - dt.timedelta(days=1)


def run_demo(
    folder: Path,
    *,
    customers: int = 20_000,
    seed: int = 7,
    lang: str = "ru",
    console: Console | None = None,
    progress: Progress | None = None,
    behaviour: Behaviour | None = None,
    coupon_hunters: float = 0.0,
) -> Path:
    """Run every step on a simulated school in ``folder``; returns the readout's path.

    ``behaviour`` and ``coupon_hunters`` plant what the monitors watch (tests use them);
    by default the school is quiet: every monitor stays below its threshold."""
    console = console or Console(quiet=True)
    progress = progress or Progress(console=console, disable=True)
    exports = folder / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DEMO_MARKER).write_text("made by `livebase demo`\n", encoding="utf-8")
    steps = 13
    with progress:
        task = progress.add_task("simulating the school", total=steps)

        def step(text: str) -> None:
            progress.update(task, advance=1, description=text)

        spec = SchoolSpec(
            customers=customers, seed=seed, end=DEMO_END, coupon_hunters=coupon_hunters
        )
        files = simulate_school(spec, exports)
        step("creating the workspace")
        ws = Workspace.init(folder, school="Демо-школа")
        results: list[ImportResult] = []
        for path, preset in (
            (files.users, "getcourse-users"),
            (files.orders, "getcourse-orders"),
            (files.payments, "getcourse-payments"),
            (files.lms_events, "lms-events"),
            (files.consents, "consents"),
            (files.esp_events, "esp-events"),
        ):
            progress.update(task, description=f"importing {Path(path).name}")
            results.append(import_file(ws, Path(path), preset))
        step("importing exports")
        rows = build_segments(ws, DEMO_END)
        # the twelve month ends before the planning day: sizes over time and migration
        build_history(ws, *history_span(DEMO_END))
        step("segmenting")
        risk = build_risk(ws, DEMO_END)
        step("scoring churn risk")
        wave = plan_wave(ws, DEMO_END, tier="R90", seed=seed)
        step(f"planning wave {wave.wave_id}")
        # every other default playbook, under the same guardrails (the R90 wave's touches
        # count against their caps), and the channel files of every wave at launch
        others = []
        for name, file in default_playbooks().items():
            if name == "reactivation_r90":
                continue
            others.append(plan_playbook(ws, load_playbook(file), DEMO_END, seed=seed))
        launch = day_end(DEMO_END)
        for planned in (wave, *others):
            export_wave(
                ws,
                planned.wave_id,
                ws.root / "exports",
                now=launch,
                webinar=webinar_info(ws, planned.wave_id),
            )
        step("planning every playbook and exporting the waves")
        outcome = wave_outcomes(
            exports,
            wave_assignments(ws, wave.wave_id),
            wave_id=wave.wave_id,
            starts_on=wave.starts_on,
            days=wave.days,
            seed=seed,
            out_dir=exports / f"wave-{wave.wave_id}",
            # the planned touches on every channel, and the active customers keep buying
            touches=wave_touches(ws, wave.wave_id),
            behaviour=behaviour or Behaviour(active_orders=True),
        )
        step("the school responds")
        for path, preset in (
            (outcome.orders, "getcourse-orders"),
            (outcome.esp_events, "esp-events"),
            (outcome.nps, "nps"),
            (outcome.costs, "costs"),
        ):
            results.append(import_file(ws, Path(path), preset))
        step("importing the wave's results")
        report = workspace_wave_report(ws, wave.wave_id, lang=lang)
        path, _ = write_wave_files(ws, report)
        step("readout written")
        # the base as it was when the wave was planned (segments and risk of that day)
        base = write_base_html(
            base_report(ws, DEMO_END, lang),
            ws.reports_dir / f"base-{DEMO_END.isoformat()}.html",
            lang,
        )
        step("base report written")
        # the head of school's reports, in both languages: the week in the middle of the
        # wave, the wave, the quarter and the alerts of the 90 days up to the wave's end
        wave_end = wave.starts_on + dt.timedelta(days=wave.days - 1)
        written = []
        for page_lang in (lang, *(x for x in ("ru", "en") if x != lang)):
            for kind, day, wave_id in (
                ("weekly", wave.starts_on + dt.timedelta(days=7), None),
                ("wave", wave_end, wave.wave_id),
                ("quarterly", wave_end, None),
                ("alerts", wave_end, None),
            ):
                written.append(write_report(ws, kind, day=day, lang=page_lang, wave_id=wave_id))
        step("reports written")
        progress.update(task, completed=steps, description="done")
    for r in results:
        print_import(console, r, lang)
    print_segments(console, rows, DEMO_END, lang)
    for part in risk_views(risk, top_risks(ws, DEMO_END, 10), lang):
        console.print(part)
    print_plan(console, wave, lang)
    for planned in others:
        print_plan(console, planned, lang)
    for part in render_tables(report, lang):
        console.print(part)
    console.print(t("demo.base_report", lang, path=base.resolve()))
    for _, html, xlsx in written:
        console.print(t("demo.report", lang, html=html.resolve(), xlsx=xlsx.name))
    return path
