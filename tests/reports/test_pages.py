"""Report workbooks never hold a formula that came in with an imported file."""

from __future__ import annotations

import datetime as dt

import openpyxl
from tests.conftest import write_csv

from livebase.ingest.pipeline import import_file
from livebase.reports.base_views import Block, BRow
from livebase.reports.page_cells import count_cell
from livebase.reports.pages import Page, Section, all_blocks, write_page_xlsx
from livebase.reports.weekly import weekly_report
from livebase.reports.weekly_views import weekly_page

LIMITS = {"complaints": 0.001, "unsubscribes": 0.005}
EVIL = '=HYPERLINK("http://evil","x")'


def _cells(path, needle: str) -> list[openpyxl.cell.Cell]:
    wb = openpyxl.load_workbook(path)
    return [
        c
        for sheet in wb.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and needle in c.value
    ]


def test_an_imported_formula_is_written_as_text(ws, tmp_path):
    # a costs file whose channel someone typed as a formula (the week of 5-11 May 2025)
    costs = (
        "date;wave_id;channel;kind;amount\n"
        '06.05.2025;W1;"=HYPERLINK(""http://evil"",""x"")";ads;100\n'
    )
    import_file(ws, write_csv(tmp_path / "costs.csv", costs), "costs")
    # the store keeps the text as it came
    assert ws.table("costs").channel.execute().tolist() == [EVIL]
    page = weekly_page(weekly_report(ws, dt.date(2025, 5, 8)), "en", school="S", limits=LIMITS)
    # control: the page carries the raw text, which starts with "=" ...
    labels = [row.label for block in all_blocks(page) for row in block.rows]
    assert EVIL in labels
    # ... and that openpyxl itself would store as a formula
    probe = openpyxl.Workbook().active
    probe["A1"] = EVIL
    assert probe["A1"].data_type == "f"
    cells = _cells(write_page_xlsx(page, tmp_path / "weekly.xlsx"), "evil")
    assert [c.value for c in cells] == ["'" + EVIL]
    assert [c.data_type for c in cells] == ["s"]


def test_every_text_of_a_page_is_escaped(tmp_path):
    # each place a text lands in the workbook: title, facts, section, notes, block title,
    # column, row label, cell text, footnote and caption; numbers stay numbers
    dangerous = ("=", "+", "-", "@", "\t", "\r")  # what a formula-like text starts with
    block = Block(
        "b",
        "=title",
        ("=col", "n"),
        (BRow("k", "+label", (count_cell(-5, "en"),)),),
        caption="@caption",
        footnotes=("-footnote",),
    )
    page = Page(
        "weekly",
        "en",
        "=page",
        (("+fact", "-value"),),
        (Section("s", "@section", (block,), notes=("=note",)),),
    )
    path = write_page_xlsx(page, tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    texts = [
        c.value
        for sheet in wb.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    expected = {"=page", "+fact", "-value", "@section", "=note", "=title", "=col", "+label"}
    expected |= {"@caption", "-footnote"}
    assert {v for v in texts if v[1:] in expected} == {"'" + v for v in expected}
    assert not [v for v in texts if v.startswith(dangerous)]
    numbers = [c.value for s in wb.worksheets for r in s.iter_rows() for c in r]
    assert -5 in numbers  # a negative number is a number, not an escaped text
