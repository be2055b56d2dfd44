"""Terminal summaries of each step (import, segments, plan), shared by the CLI and demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.table import Table

from livebase.i18n import format_money, format_number, format_percent
from livebase.ingest.pipeline import ImportResult
from livebase.playbooks.wave import WavePlan
from livebase.segments.build import SegmentRow
from livebase.segments.segment_map import default_map


def print_import(console: Console, result: ImportResult) -> None:
    if result.already_imported_as is not None:
        console.print(
            f"[yellow]{Path(result.file).name}: already imported as import "
            f"#{result.already_imported_as}; nothing changed[/]"
        )
        return
    color = "green" if result.rows_rejected == 0 else "yellow"
    console.print(
        f"[{color}]{Path(result.file).name}[/] ({result.preset} → {result.target}): "
        f"{result.rows_in} rows in = {result.rows_loaded} loaded + "
        f"{result.rows_rejected} rejected; {result.rows_new} new, {result.rows_updated} "
        f"updated" + (f"; {result.merges} profiles merged" if result.merges else "")
    )


def print_segments(console: Console, rows: list[SegmentRow], day: dt.date, lang: str) -> None:
    smap = default_map()
    table = Table(title=f"segments as of {day.isoformat()}")
    for col in (
        "segment",
        "customers",
        "share",
        "revenue share",
        "mean R, days",
        "mean F",
        "mean M",
    ):
        table.add_column(col, justify="left" if col == "segment" else "right")
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


def print_plan(console: Console, result: WavePlan) -> None:
    console.print(
        f"[green]wave {result.wave_id}[/]: starts {result.starts_on.isoformat()}, "
        f"{result.days} days; assigned "
        + ", ".join(f"{arm} {n}" for arm, n in result.assigned.items())
    )
    if result.excluded:
        console.print("excluded: " + ", ".join(f"{k} {v}" for k, v in result.excluded.items()))
