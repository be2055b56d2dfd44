"""A strict HTML reader for the report pages' tests: every element closed in order, and
the facts the tests look at (tags, attributes, text, table rows by ``data-arm`` and by
``data-row``)."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"meta", "link", "br", "img", "input", "hr", "col", "area", "base", "source", "wbr"}


class Page(HTMLParser):
    """Parses the page, checks that every element is closed in order, collects facts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.rows: dict[str, list[str]] = {}  # the arm table, by arm
        self.section_rows: dict[str, list[str]] = {}  # further tables, by "section:arm"
        self._row: str | None = None
        self._cells: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag == "tr" and dict(attrs).get("data-arm"):
            self._row = dict(attrs)["data-arm"]
            self._cells = self.rows[self._row] = []
        if tag == "tr" and dict(attrs).get("data-row"):
            self._row = dict(attrs)["data-row"]
            self._cells = self.section_rows[self._row] = []
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
            self._cells.append(data.strip())


def parse(page: str) -> Page:
    checker = Page()
    checker.feed(page)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    return checker


def assert_table_shapes(page) -> None:
    """Every block of a report page has one header per column: the row label plus each
    cell (a :class:`livebase.reports.pages.Page`)."""
    for section in page.sections:
        for block in section.blocks:
            for row in block.rows:
                assert len(block.columns) == 1 + len(row.cells), (block.key, row.key)
