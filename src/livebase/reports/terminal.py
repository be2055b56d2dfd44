"""Terminal rendering of the wave readout: Rich tables for the CLI.

:func:`render_tables` gives everything the report shows, in print order: the arm table,
the A/A line (A/A waves), then the money, incremental economics, NPS and long-horizon
tables, each followed by why numbers are missing and one sentence per number.
:func:`render_table` is the arm table alone.

>>> import datetime as dt
>>> import io
>>> from decimal import Decimal
>>> from rich.console import Console
>>> from livebase.experiments import ArmAggregate, WaveInfo, readout
>>> from livebase.reports.wave import make_wave_report
>>> wave = WaveInfo("w1", "r90", None, dt.date(2025, 3, 1), 14, "done", ("control", "value"))
>>> res = readout([ArmAggregate("control", 1000, 32, 32, Decimal("0"), 0.0),
...                ArmAggregate("value", 1000, 49, 49, Decimal("0"), 0.0)])
>>> console = Console(record=True, width=200, file=io.StringIO())
>>> console.print(render_table(make_wave_report(wave, res), "en"))
>>> "+1.7" in console.export_text()
True
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from livebase.i18n import check_lang, t
from livebase.reports.cells import (
    Cell,
    Section,
    aa_line,
    arm_cells,
    arm_explanations,
    column_titles,
    report_sections,
    srm_text,
    window_text,
)
from livebase.reports.wave import WaveReport

_STYLES = {"value": "", "na": "dim", "insufficient": "yellow italic"}
_AA_STYLES = {"passed": "green", "failed": "red bold", "insufficient": "yellow"}


def _cell_text(cell: Cell, lang: str) -> Text:
    # "not enough data" is spelled out once (status column, notes); cells stay narrow.
    # Other texts of missing numbers ("available from <date>") are shown as they are.
    text = cell.text
    if cell.kind == "insufficient" and text == t("status.insufficient_data", lang):
        text = t("value.insufficient_short", lang)
    return Text(text, style=_STYLES[cell.kind])


def render_table(report: WaveReport, lang: str | None = None) -> Table:
    """The arm table with the window as title and the SRM check as caption."""
    lang = check_lang(lang or report.lang)
    res = report.readout
    table = Table(
        title=Text(
            f"{t('report.title', lang, wave_id=report.wave.wave_id)}\n"
            f"{t('report.window', lang)}: {window_text(report, lang)}",
            style="bold",
        ),
        caption=Text(f"{t('srm.title', lang)}: {srm_text(res.srm, lang)}"),
        caption_style="red bold" if res.srm is not None and res.srm.mismatch else "dim",
    )
    table.add_column(t("col.arm", lang), no_wrap=True)
    for title in column_titles(lang, res.alpha):
        table.add_column(title, justify="right")
    table.add_column(t("col.status", lang))
    for arm in res.arms:
        row = arm_cells(arm, lang, report.currency)
        status = row.status if row.reason is None else f"{row.status}: {row.reason}"
        table.add_row(
            Text(row.arm, style="bold" if row.is_control else ""),
            *(_cell_text(cell, lang) for cell in row.cells()),
            Text(status, style="yellow" if row.insufficient else "dim"),
        )
    return table


def section_table(section: Section, lang: str) -> Table:
    """One of the further tables (money, economics, NPS, long horizon) as a Rich table."""
    table = Table(
        title=Text(section.title, style="bold"),
        caption=None if section.caption is None else Text(section.caption),
        caption_style="dim",
    )
    table.add_column(t("col.arm", lang), no_wrap=True)
    for title in section.columns:
        table.add_column(title, justify="right")
    for row in section.rows:
        table.add_row(
            Text(row.arm, style="bold" if row.is_control else ""),
            *(_cell_text(cell, lang) for cell in row.cells),
        )
    return table


def _read_me(notes: Sequence[str], explanations: Sequence[str]) -> Text:
    """Why numbers are missing (yellow), then one sentence per number (dim)."""
    text = Text()
    for note in notes:
        text.append(f"{note}\n", style="yellow")
    for line in explanations:
        text.append(f"• {line}\n", style="dim")
    return text


def render_tables(report: WaveReport, lang: str | None = None) -> list[RenderableType]:
    """Everything the readout shows, as Rich renderables in print order.

    The arm table and its explanations; the A/A line for an A/A wave; then each further
    table (:func:`~livebase.reports.cells.report_sections`: money, incremental economics
    when a gross margin was given, NPS when anyone answered, the long horizon) followed
    by its notes and explanations. Print each with ``console.print``.
    """
    lang = check_lang(lang or report.lang)
    parts: list[RenderableType] = [
        render_table(report, lang),
        _read_me((), arm_explanations(report, lang)),
    ]
    aa = aa_line(report.readout, lang)
    if aa is not None:
        outcome, sentence = aa
        parts.append(Text(f"{sentence}\n", style=_AA_STYLES[outcome]))
    for section in report_sections(report, lang):
        parts.append(section_table(section, lang))
        parts.append(_read_me(section.notes, section.explanations))
    return parts
