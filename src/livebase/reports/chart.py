"""Horizontal bar charts of the report pages, as data the templates draw in inline SVG.

A :class:`Bars` chart is a title, a unit and labelled values (negative values are drawn to
the left of a zero line); :func:`bars_layout` turns it into the geometry the template
draws (SVG user units, no script, no external asset). The same bars are the rows of the
chart's table in the terminal and the spreadsheet, so a chart never shows a number the
tables do not.

>>> lay = bars_layout(Bars("t", (Bar("a", 0.5, "50 %"), Bar("b", -0.25, "-25 %"))))
>>> lay["zero"] > lay["left"], len(lay["rows"])
(True, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from livebase.reports.html import nice_axis

# geometry in SVG user units
LEFT, WIDTH, RIGHT, TOP, ROW, BOTTOM = 190, 460, 110, 10, 26, 14


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the formatted value shown at the bar's end
    marked: bool = False  # drawn in the warning colour (over a threshold)


@dataclass(frozen=True)
class Bars:
    title: str
    bars: tuple[Bar, ...]
    # a reference line (a threshold) and its label, in the bars' unit
    line: float | None = None
    line_label: str | None = None


def bars_layout(chart: Bars) -> dict[str, Any]:
    """The chart's geometry: ``zero`` (x of the zero line), ``scale`` (units per value),
    one row per bar (x, width, y, text) and the reference line's x."""
    values = [b.value for b in chart.bars] + ([chart.line] if chart.line is not None else [])
    high = max([0.0, *values])
    low = min([0.0, *values])
    top, _ = nice_axis(high) if high > 0 else (0.0, [])
    bottom, _ = nice_axis(-low) if low < 0 else (0.0, [])
    span = (top + bottom) or 1.0
    scale = WIDTH / span
    zero = LEFT + bottom * scale
    rows = []
    for i, bar in enumerate(chart.bars):
        x = zero + min(bar.value, 0.0) * scale
        rows.append(
            {
                "label": bar.label,
                "text": bar.text,
                "x": round(x, 2),
                "width": round(abs(bar.value) * scale, 2),
                "y": TOP + i * ROW,
                "marked": bar.marked,
            }
        )
    return {
        "title": chart.title,
        "left": LEFT,
        "zero": round(zero, 2),
        "row": ROW,
        "bar": ROW - 8,
        "view_width": LEFT + WIDTH + RIGHT,
        "view_height": TOP + ROW * len(chart.bars) + BOTTOM,
        "rows": rows,
        "line": None if chart.line is None else round(zero + chart.line * scale, 2),
        "line_label": chart.line_label,
    }
