"""A report page as sections of blocks, and its three renderings: HTML, XLSX and terminal.

The weekly, wave, quarterly and alerts reports (SPEC F5.6) turn their plain data into a
:class:`Page` (sections of :class:`~livebase.reports.base_views.Block` tables, each with
an optional bar chart); this module lays the page out:

* **HTML**: one self-contained page (inline CSS and SVG, no script, nothing loaded),
  the base report's template (``base.html``);
* **XLSX**: one sheet per section, its blocks one under another (title, header row, rows,
  then notes); a cell with a raw number (:attr:`BCell.value`) is written as a number with
  its format, any other cell as its text; a text starting with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return (a channel, a label or a reason that came from an imported
  file) gets a leading ``'`` (:func:`livebase.exports.files.safe_text`), so the workbook
  never holds a formula; the first column is frozen; the workbook is stamped with the
  end (else the start) of the page's period, never the wall clock, so the same page
  gives the same bytes;
* **terminal**: the blocks as Rich tables (:func:`livebase.reports.base_views.render_blocks`).

All three show the same text: the cells are formatted once, in the page's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from rich.console import RenderableType
from rich.text import Text

from livebase.exports.files import safe_text, workbook_bytes, write_bytes
from livebase.i18n import t
from livebase.reports.base_html import heat_style
from livebase.reports.base_views import Block, render_blocks
from livebase.reports.chart import bars_layout
from livebase.reports.html import TEMPLATE_ENV

_SHEET_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blocks: tuple[Block, ...]
    notes: tuple[str, ...] = ()  # shown above the blocks
    missing: tuple[str, ...] = ()  # why a part could not be computed


@dataclass(frozen=True)
class Page:
    key: str  # weekly | wave | quarterly | alerts (the file name's stem)
    lang: str
    title: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    legend: str | None = None
    meta: dict = field(default_factory=dict)


def render_page_html(page: Page) -> str:
    template = TEMPLATE_ENV.get_template("base.html")
    return template.render(
        lang=page.lang,
        title=page.title,
        facts=list(page.facts),
        sections=[
            {
                "key": s.key,
                "title": s.title,
                "blocks": list(s.blocks),
                "notes": list(s.notes),
                "missing": list(s.missing),
            }
            for s in page.sections
        ],
        legend=page.legend,
        bars_layout=bars_layout,
        heat_style=heat_style,
        t=lambda key, **kw: t(key, page.lang, **kw),
    )


def write_page_html(page: Page, path: str | Path) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_page_html(page), encoding="utf-8")
    return target


def _sheet_title(title: str, taken: set[str]) -> str:
    base = title.translate(_SHEET_CHARS).strip()[:28] or "sheet"
    name, k = base, 2
    while name.lower() in taken:
        name = f"{base[:26]} {k}"
        k += 1
    taken.add(name.lower())
    return name


def write_page_xlsx(page: Page, path: str | Path) -> Path:
    """The page as a workbook (see the module); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="F5F7FA")
    muted = Font(italic=True, color="6B7280")
    taken: set[str] = set()
    first = wb.create_sheet(_sheet_title(page.title, taken))
    first.append([safe_text(page.title)])
    first["A1"].font = Font(bold=True, size=14)
    for label, value in page.facts:
        first.append([safe_text(label), safe_text(value)])
    first.column_dimensions["A"].width = 28
    first.column_dimensions["B"].width = 60
    for section in page.sections:
        ws = wb.create_sheet(_sheet_title(section.title, taken))
        ws.append([safe_text(section.title)])
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        for line in (*section.missing, *section.notes):
            ws.append([safe_text(line)])
            ws.cell(row=ws.max_row, column=1).font = muted
        widths: dict[int, int] = {}
        for block in section.blocks:
            ws.append([])
            ws.append([safe_text(block.title)])
            ws.cell(row=ws.max_row, column=1).font = bold
            if not block.rows:
                ws.append([safe_text(block.empty)])
                continue
            ws.append([safe_text(c) for c in block.columns])
            header = ws.max_row
            for col in range(1, len(block.columns) + 1):
                cell = ws.cell(row=header, column=col)
                cell.font = bold
                cell.fill = head_fill
                cell.alignment = Alignment(wrap_text=True, vertical="bottom")
            for row in block.rows:
                values: list[object] = [safe_text(row.label)]
                formats: list[str | None] = [None]
                for cell in row.cells:
                    if cell.value is not None:
                        v = cell.value
                        values.append(float(v) if isinstance(v, Decimal) else v)
                        formats.append(cell.number_format)
                    else:
                        values.append(safe_text(cell.text))
                        formats.append(None)
                ws.append(values)
                r = ws.max_row
                for col, fmt in enumerate(formats, start=1):
                    if fmt:
                        ws.cell(row=r, column=col).number_format = fmt
                    if row.total:
                        ws.cell(row=r, column=col).font = bold
                for col, v in enumerate(values, start=1):
                    widths[col] = max(widths.get(col, 8), min(len(str(v)) + 2, 60))
            for line in (*block.footnotes, *block.notes, *block.explanations):
                ws.append([safe_text(line)])
                ws.cell(row=ws.max_row, column=1).font = muted
            if block.caption:
                ws.append([safe_text(block.caption)])
                ws.cell(row=ws.max_row, column=1).font = muted
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = max(width, 12)
        ws.freeze_panes = "B1"
    # stamped with the page's period, not the wall clock: the same data, the same bytes
    return write_bytes(target, workbook_bytes(wb, now=_stamp(page)))


def _stamp(page: Page) -> dt.datetime:
    """The end (else the start) of the page's period, as the workbook's creation time."""
    day = page.meta.get("end") or page.meta.get("start")
    if isinstance(day, dt.date):
        return dt.datetime.combine(day, dt.time())
    return dt.datetime(1980, 1, 1)


def page_views(page: Page) -> list[RenderableType]:
    """The page for the terminal: its title, facts, and each section's blocks."""
    out: list[RenderableType] = [Text(page.title, style="bold")]
    out += [Text(f"{label}: {value}") for label, value in page.facts]
    for section in page.sections:
        out.append(Text(""))
        out.append(Text(section.title, style="bold underline"))
        out += [Text(line, style="yellow") for line in (*section.missing, *section.notes)]
        out += render_blocks(section.blocks)
    return out


def page_files(page: Page, folder: Path, stem: str) -> tuple[Path, Path]:
    """Write ``<stem>.html`` and ``<stem>.xlsx`` into ``folder``."""
    return (
        write_page_html(page, folder / f"{stem}.html"),
        write_page_xlsx(page, folder / f"{stem}.xlsx"),
    )


def all_blocks(page: Page) -> Sequence[Block]:
    return [b for s in page.sections for b in s.blocks]
