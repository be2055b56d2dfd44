"""Terminal summaries of each step (import, segments, plan), shared by the CLI and demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.table import Table

from livebase.i18n import format_date, format_money, format_number, format_percent, t
from livebase.ingest.pipeline import ImportResult
from livebase.playbooks.wave import WavePlan
from livebase.segments.build import SegmentRow
from livebase.segments.segment_map import default_map


def print_import(console: Console, result: ImportResult, lang: str = "ru") -> None:
    name = Path(result.file).name
    if result.already_imported_as is not None:
        text = t("import.again", lang, file=name, import_id=result.already_imported_as)
        console.print(f"[yellow]{text}[/]")
        return
    color = "green" if result.rows_rejected == 0 else "yellow"
    text = t(
        "import.summary",
        lang,
        file=name,
        preset=result.preset,
        target=result.target,
        rows_in=format_number(result.rows_in, lang),
        loaded=format_number(result.rows_loaded, lang),
        rejected=format_number(result.rows_rejected, lang),
        new=format_number(result.rows_new, lang),
        updated=format_number(result.rows_updated, lang),
    )
    if result.merges:
        text += t("import.merged", lang, merges=format_number(result.merges, lang))
    console.print(f"[{color}]{text}[/]")


def print_segments(console: Console, rows: list[SegmentRow], day: dt.date, lang: str) -> None:
    smap = default_map()
    table = Table(title=t("seg.title", lang, date=format_date(day, lang)))
    keys = (
        "seg.segment",
        "seg.customers",
        "seg.share",
        "seg.revenue_share",
        "seg.mean_r",
        "seg.mean_f",
        "seg.mean_m",
    )
    for key in keys:
        table.add_column(t(key, lang), justify="left" if key == "seg.segment" else "right")
    for r in rows:
        try:
            label = smap.by_id(r.segment).label(lang)
        except KeyError:
            label = r.segment
        table.add_row(
            label,
            format_number(r.customers, lang),
            format_percent(r.share, lang),
            format_percent(r.revenue_share, lang) if r.revenue_share is not None else "—",
            format_number(r.mean_recency, lang),
            format_number(r.mean_frequency, lang, digits=2),
            format_money(r.mean_monetary, "RUB", lang),
        )
    console.print(table)


def print_plan(console: Console, result: WavePlan, lang: str = "ru") -> None:
    arms = ", ".join(f"{arm} {format_number(n, lang)}" for arm, n in result.assigned.items())
    console.print(
        "[green]"
        + t(
            "plan.summary",
            lang,
            wave_id=result.wave_id,
            date=format_date(result.starts_on, lang),
            days=result.days,
            arms=arms,
        )
        + "[/]"
    )
    if result.excluded:
        reasons = ", ".join(f"{k} {format_number(v, lang)}" for k, v in result.excluded.items())
        console.print(t("plan.excluded", lang, reasons=reasons))
