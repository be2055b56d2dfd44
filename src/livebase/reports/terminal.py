"""Terminal rendering of the wave readout: a Rich table for the CLI.

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

from rich.table import Table
from rich.text import Text

from livebase.i18n import check_lang, t
from livebase.reports.cells import Cell, arm_cells, column_titles, srm_text, window_text
from livebase.reports.wave import WaveReport

_STYLES = {"value": "", "na": "dim", "insufficient": "yellow italic"}


def _cell_text(cell: Cell, lang: str) -> Text:
    # "not enough data" is spelled out once, in the status column; cells stay narrow
    text = t("value.insufficient_short", lang) if cell.kind == "insufficient" else cell.text
    return Text(text, style=_STYLES[cell.kind])


def render_table(report: WaveReport, lang: str | None = None) -> Table:
    """The arm table with the window as title and the SRM check as caption."""
    lang = check_lang(lang or report.lang)
    res = report.readout
    table = Table(
        title=f"{t('report.title', lang, wave_id=report.wave.wave_id)}\n"
        f"{t('report.window', lang)}: {window_text(report, lang)}",
        caption=f"{t('srm.title', lang)}: {srm_text(res.srm, lang)}",
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
