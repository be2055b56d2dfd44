"""The Rich tables of the wave readout render in both languages."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from rich.console import Console
from rich.table import Table

from livebase.experiments import ArmAggregate, WaveInfo, readout
from livebase.i18n import NBSP
from livebase.reports import make_wave_report, render_table
from livebase.reports.terminal import render_tables


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


def _all_text(parts) -> str:
    console = Console(record=True, width=260, file=io.StringIO())
    for part in parts:
        console.print(part)
    return console.export_text().replace(NBSP, " ")


def test_arm_table_shows_holm_and_detectable_uplift(report):
    text = _text(render_table(report, "en"))
    for expected in ("p (Holm)", "p (BH)", "Detectable uplift", "+2.6 pp"):
        assert expected in text, expected


def test_render_tables_of_the_store_wave(report):
    parts = render_tables(report, "ru")
    tables = [part for part in parts if isinstance(part, Table)]
    assert tables[0].row_count == 3  # the arm table first
    # no gross margin, nobody answered NPS: money and the long horizon only
    assert [str(table.title) for table in tables[1:]] == [
        "Выручка и средний чек",
        "Долгосрочные метрики",
    ]
    text = _all_text(parts)
    for expected in (
        "Итоги волны r90-2025-03",
        "+63,20 ₽",  # 156 − 92.80 per assigned customer
        "Разница с контролем — на сколько процентных пунктов больше",
        "будет с 30.05.2025",  # 1 March + 90 days; the data end on 14 March
        "будет с 28.08.2025",
        "горизонт ещё не пройден (данные есть по 14.03.2025)",
        "discount: недостаточно данных: в группу никто не назначен",
    ):
        assert expected in text, expected
    assert "NPS" not in text
    assert "Инкрементальная" not in text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "ru",
            (
                "Выручка и средний чек",
                "+55 ₽ [+1,93; +108,07]",
                "3 061,22 ₽ [2 904,08; 3 218,37]",
                "Инкрементальная экономика (валовая маржа 63 %)",
                "+22 785,72 ₽",
                "NPS по группам",
                "+18,0 [-1,2; +37,2]",
                "Долгосрочные метрики",
                "+4,0 п.п. [-1,1; +9,3]",
                "будет с 28.08.2025",
                "Доп. валовая маржа — доп. выручка × валовая маржа 63 %",
            ),
        ),
        (
            "en",
            (
                "Revenue and order value",
                "+55 RUB [+1.93, +108.07]",
                "Incremental economics (gross margin 63%)",
                "+52,040.82 RUB",
                "NPS per arm",
                "58.0 [45.2, 70.8]",
                "Long-horizon metrics",
                "-4.0 pp [-17.6, +7.9]",
                "available from 2025-08-28",
                "NPS: the share of promoters",
            ),
        ),
    ],
)
def test_render_tables_shows_every_section(full_report, lang, expected):
    parts = render_tables(full_report, lang)
    assert sum(isinstance(part, Table) for part in parts) == 5
    text = _all_text(parts)
    for item in expected:
        assert item in text, item


def test_missing_numbers_are_short_words_in_cells(full_report):
    parts = render_tables(full_report, "en")
    economics = next(p for p in parts if isinstance(p, Table) and "Incremental" in str(p.title))
    text = _all_text([economics])
    discount = next(line for line in text.splitlines() if "discount" in line)
    # 0 paid and the marketing cost are numbers; the money of an arm without orders is not
    assert discount.count("n/a") == 3
    assert "0 RUB" not in discount.replace("5,000 RUB", "")


def test_aa_line_in_the_terminal():
    aa = readout(
        [
            ArmAggregate("control_a", 1000, 40, 40, Decimal("0"), 0.0),
            ArmAggregate("control_b", 1000, 42, 42, Decimal("0"), 0.0),
        ],
        control="control_a",
        aa=True,
    )
    wave = WaveInfo("aa", "aa_r90", None, dt.date(2025, 3, 1), 14, "done", ("control_a",))
    text = _all_text(render_tables(make_wave_report(wave, aa), "en"))
    assert "A/A check: passed" in text


def test_arm_names_are_not_rich_markup():
    res = readout(
        [
            ArmAggregate("control", 100, 5, 5, Decimal("500"), 5e4),
            ArmAggregate("[red]x[/red]", 100, 9, 9, Decimal("900"), 9e4),
        ]
    )
    wave = WaveInfo("[bold]w[/bold]", None, None, dt.date(2025, 3, 1), 7, None, ())
    text = _all_text(render_tables(make_wave_report(wave, res), "en"))
    assert "[red]x[/red]" in text
    assert "[bold]w[/bold]" in text
