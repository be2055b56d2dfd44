"""The HTML wave readout: content, languages, "not enough data", self-containment."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from livebase.experiments import ArmAggregate, WaveInfo, readout
from livebase.i18n import NBSP
from livebase.reports import make_wave_report, render_html, write_html

VOID = {"meta", "link", "br", "img", "input", "hr", "col", "area", "base", "source", "wbr"}


class _Checker(HTMLParser):
    """Parses the page, checks that every element is closed in order, collects facts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.rows: dict[str, list[str]] = {}
        self._row: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag == "tr" and dict(attrs).get("data-arm"):
            self._row = dict(attrs)["data-arm"]
            self.rows[self._row] = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_endtag(self, tag):
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1]}>"
        self.stack.pop()
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        self.text.append(data)
        if self._row is not None and data.strip():
            self.rows[self._row].append(data.strip())


def parse(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    return checker


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_page_is_well_formed_and_self_contained(report, lang):
    page = render_html(report, lang)
    assert page.startswith("<!DOCTYPE html>")
    parsed = parse(page)
    assert "http" not in page
    assert "script" not in parsed.tags
    assert "link" not in parsed.tags
    assert not [name for name, _ in parsed.attrs if name in ("src", "href")]
    assert "url(" not in page
    assert "@import" not in page
    assert f'<html lang="{lang}">' in page


def test_every_arm_is_shown(report):
    parsed = parse(render_html(report))
    assert list(parsed.rows) == ["control", "value", "discount"]
    assert "svg" in parsed.tags
    # a point with its interval per arm that has a rate; the empty arm gets none
    assert parsed.tags.count("circle") == 2


def test_russian_numbers(report):
    page = render_html(report, "ru").replace(NBSP, " ")
    for text in (
        "Итоги волны r90-2025-03",
        "01.03.2025 — 14.03.2025",
        "1 000",  # assigned
        "3,2 %",  # control rate
        "4,9 %",
        "[3,7 %; 6,4 %]",  # Wilson interval of 49/1000
        "+1,7 п.п.",
        "[-0,0; +3,5] п.п.",  # Newcombe interval
        "0,054",  # p-value
        "156 ₽",  # revenue per assigned: 156 000 / 1000
        "3 000 ₽",  # AOV of value
        "2 900 ₽",  # AOV of control
        "НЕ соответствует плану",  # the empty discount arm breaks the planned split
    ):
        assert text in page, text


def test_english_numbers(report):
    page = render_html(report, "en").replace(NBSP, " ")
    for text in (
        "Wave r90-2025-03 readout",
        "2025-03-01 to 2025-03-14",
        "1,000",
        "3.2%",
        "[3.7%, 6.4%]",
        "+1.7 pp",
        "[-0.0, +3.5] pp",
        "0.054",
        "156 RUB",
        "3,000 RUB",
        "does NOT match the plan",
    ):
        assert text in page, text
    assert "п.п." not in page
    assert "недостаточно" not in page


@pytest.mark.parametrize(
    ("lang", "phrase"), [("ru", "недостаточно данных"), ("en", "not enough data")]
)
def test_insufficient_arm_shows_words_not_numbers(report, lang, phrase):
    parsed = parse(render_html(report, lang))
    cells = parsed.rows["discount"]
    # arm name, its status, then n and conversions (0 are true counts), then the rest
    assert cells[0] == "discount"
    assert cells[1] == phrase
    assert cells[2:4] == ["0", "0"]
    assert cells[4:] == [phrase] * 7
    assert not any(re.search(r"%|₽|RUB|п\.п\.|pp", cell) for cell in cells)


def test_control_has_dashes_where_a_comparison_does_not_apply(report):
    cells = parse(render_html(report, "en")).rows["control"]
    assert cells.count("—") == 3  # uplift, its interval, p-value


def test_arm_names_are_escaped():
    wave = WaveInfo("w<1>", "r90", None, dt.date(2025, 3, 1), 14, None, ())
    res = readout(
        [
            ArmAggregate("control", 100, 5, 5, Decimal("500"), 5e4),
            ArmAggregate("<script>x</script>", 100, 9, 9, Decimal("900"), 9e4),
        ]
    )
    page = render_html(make_wave_report(wave, res), "en")
    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    parse(page)


def test_no_chart_when_no_arm_has_a_rate():
    wave = WaveInfo("w", None, None, dt.date(2025, 3, 1), 7, None, ())
    res = readout([ArmAggregate("control", 0, 0, 0, Decimal("0"), 0.0)])
    parsed = parse(render_html(make_wave_report(wave, res), "ru"))
    assert "svg" not in parsed.tags
    assert parsed.rows["control"][1] == "недостаточно данных"


def test_write_html(report, tmp_path):
    path = write_html(report, tmp_path / "out" / "wave.html", "en")
    assert path.read_text(encoding="utf-8") == render_html(report, "en")


def test_language_defaults_to_the_report_language(report):
    assert render_html(report) == render_html(report, "ru")
