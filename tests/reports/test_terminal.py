"""The Rich table of the wave readout renders in both languages."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from livebase.i18n import NBSP
from livebase.reports import render_table


def _text(table: Table) -> str:
    console = Console(record=True, width=260, file=io.StringIO())
    console.print(table)
    return console.export_text().replace(NBSP, " ")


def test_russian_table(report):
    table = render_table(report, "ru")
    assert isinstance(table, Table)
    assert table.row_count == 3
    text = _text(table)
    for expected in (
        "Итоги волны r90-2025-03",
        "control",
        "value",
        "discount",
        "1 000",
        "3,2 %",
        "+1,7 п.п.",
        "0,054",
        "3 000 ₽",
        "н/д",
        "недостаточно данных: в группу никто не назначен",
        "НЕ соответствует плану",
    ):
        assert expected in text, expected


def test_english_table(report):
    text = _text(render_table(report, "en"))
    for expected in (
        "Wave r90-2025-03 readout",
        "1,000",
        "3.2%",
        "+1.7 pp",
        "n/a",
        "not enough data",
    ):
        assert expected in text, expected
