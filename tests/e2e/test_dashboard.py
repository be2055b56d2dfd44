"""The dashboard in a real browser (headless Chromium over a real server), in both languages.

The rules, one sentence each:

* Every page (overview, segments, cohorts, risk, waves, events, the R90 wave, a customer
  card), and every page a navigation link leads to when clicked, answers 200 with
  ``<html lang>`` of the language asked and language links to the same page.
* Every chart place (``[data-chart]``) is drawn (``data-rendered="true"``), and every chart
  of the page's data has a place.
* Every ``data-key``/``data-value`` pair on a page equals the value at that dotted key of
  the page's JSON twin (``/index.json`` for ``/``, ``<path>.json`` otherwise), fetched with
  the browser's own session.
* A table shows one body row per item of its list in the twin, and a table without a list
  in the twin shows at least one row.
* No page logs a console error or throws (a content security policy violation is a console
  error), no request of a page fails, and the page's icon is found.
* Each page is kept as a full-page screenshot ``test-artifacts/e2e/<page>-<lang>.png``.
* Without a session a page leads to the login form and back to the page after logging in;
  logging out leads to the login page and the session is gone; the language switch
  switches the page's language.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Response, expect

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "e2e"
LANGS = ("ru", "en")
PAGES = ("overview", "segments", "cohorts", "risk", "waves", "events", "wave-r90", "customer")
CHART_TIMEOUT_MS = 20_000

# table (by its class) → the dotted key of its list in the twin; None: no list, >= 1 row
TABLES: dict[str, str | None] = {
    "alerts": "alerts.items",
    "segments": "grid.segments",
    "cohorts": "rows",
    "risk": "rows",
    "waves": "waves",
    "arms": "readout.arms",
    "attributed": None,
    "exclusions": "exclusions",
    "orders": "orders",
    "consents": "consents.state",
    "customer-waves": "waves",
    "messages": "messages",
    "event-sources": "by_source",
    "events": "rows",
}


@dataclass
class Watched:
    """A page with everything that went wrong on it: console errors, uncaught exceptions,
    failed requests and answers >= 400."""

    page: Page
    problems: list[str] = field(default_factory=list)


@pytest.fixture
def watched(logged_in) -> Iterator[Watched]:
    with _watch(logged_in) as seen:
        yield seen


@contextmanager
def _watch(context: BrowserContext) -> Iterator[Watched]:
    page = context.new_page()
    seen = Watched(page)
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and seen.problems.append(f"console: {msg.text} ({msg.location.get('url')})")
        ),
    )
    page.on("pageerror", lambda exc: seen.problems.append(f"pageerror: {exc}"))
    page.on(
        "requestfailed",
        lambda req: seen.problems.append(f"request failed: {req.url} ({req.failure})"),
    )
    page.on(
        "response",
        lambda resp: resp.status >= 400 and seen.problems.append(f"{resp.status}: {resp.url}"),
    )
    try:
        yield seen
    finally:
        page.close()


@pytest.fixture(scope="module")
def paths(logged_in) -> dict[str, str]:
    """Page name → its path; the R90 wave and the customer (top of the risk list) are read
    from the twins."""
    waves = logged_in.request.get("/waves.json")
    assert waves.ok, waves.text()
    r90 = [
        w["wave_id"]
        for w in waves.json()["waves"]
        if w["playbook"] == "reactivation_r90" or w["wave_id"].startswith("W-R90")
    ]
    assert r90, "the demo school has no R90 wave"
    risk = logged_in.request.get("/risk.json")
    assert risk.ok, risk.text()
    rows = risk.json()["rows"]
    assert rows, "the demo school's risk list is empty"
    return {
        "overview": "/",
        "segments": "/segments",
        "cohorts": "/cohorts",
        "risk": "/risk",
        "waves": "/waves",
        "events": "/events",
        "wave-r90": f"/waves/{quote(r90[0], safe='')}",
        "customer": f"/customers/{quote(rows[0]['customer_id'], safe='')}",
    }


def _twin_url(path: str, query: str) -> str:
    return ("/index.json" if path == "/" else f"{path}.json") + f"?{query}"


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _local(href: str) -> str:
    """A link as path?query, percent-decoded (so ``gc%3A1`` and ``gc:1`` are one page)."""
    parts = urlsplit(href)
    return unquote(parts.path) + (f"?{parts.query}" if parts.query else "")


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def _wait_for_charts(page: Page) -> list[str]:
    """The chart ids of the page, once each is drawn."""
    places = page.locator("[data-chart]")
    ids = []
    for i in range(places.count()):
        place = places.nth(i)
        ids.append(place.get_attribute("data-chart"))
        expect(place).to_have_attribute("data-rendered", "true", timeout=CHART_TIMEOUT_MS)
    return ids


def _check_current(seen: Watched, response: Response | None, *, shot: str | None = None):
    """Check the page the browser shows (``response`` is its answer)."""
    page = seen.page
    assert response is not None
    assert response.status == 200, (page.url, response.status)
    parts = urlsplit(page.url)
    path, lang = unquote(parts.path), parse_qs(parts.query)["lang"][0]
    assert page.get_attribute("html", "lang") == lang, page.url
    try:
        chart_ids = _wait_for_charts(page)
    finally:
        if shot:
            _shot(page, shot)

    embedded = page.locator("#page-data")
    figures = json.loads(embedded.text_content())["charts"] if embedded.count() else {}
    assert sorted(chart_ids) == sorted(figures), "a chart without a place, or a place without"

    twin = page.request.get(_twin_url(parts.path, parts.query))
    assert twin.status == 200, twin.text()
    data = twin.json()
    pairs = page.eval_on_selector_all(
        "[data-key]", "els => els.map(e => [e.dataset.key, e.getAttribute('data-value')])"
    )
    for key, shown in pairs:
        assert str(_dig(data, key)) == shown, (page.url, key)

    tables = page.eval_on_selector_all(
        "table",
        "ts => ts.map(t => [t.className, t.tBodies.length ? t.tBodies[0].rows.length : 0])",
    )
    for cls, rows in tables:
        listed = TABLES.get(cls)
        if listed is None:
            assert rows >= 1, f"table {cls!r} of {page.url} has no rows"
        else:
            assert rows == len(_dig(data, listed)), f"table {cls!r} of {page.url} vs {listed}"

    switch = page.eval_on_selector_all(
        "header .langs a", "as => as.map(a => a.getAttribute('href'))"
    )
    assert [_local(href) for href in switch] == [f"{path}?lang={x}" for x in LANGS]
    assert seen.problems == [], page.url


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_in_the_browser(watched, paths, name, lang):
    response = watched.page.goto(f"{paths[name]}?lang={lang}")
    _check_current(watched, response, shot=f"{name}-{lang}")


@pytest.mark.parametrize("lang", LANGS)
def test_every_nav_link_opens_a_checked_page(watched, paths, lang):
    page = watched.page
    page.goto(f"/?lang={lang}")
    hrefs = page.eval_on_selector_all("header nav a", "as => as.map(a => a.getAttribute('href'))")
    top = [paths[name] for name in PAGES if paths[name].count("/") == 1]
    assert [_local(href) for href in hrefs] == [f"{p}?lang={lang}" for p in top], (
        "the navigation and the pages these tests know differ: add the new page to PAGES"
    )
    for href in hrefs:
        page.goto(f"/?lang={lang}")
        with page.expect_navigation() as nav:
            page.click(f'header nav a[href="{href}"]')
        assert _local(page.url) == _local(href)
        _check_current(watched, nav.value)


def test_the_page_icon_is_found(watched):
    # the browser asks for the icon by itself, after the page loaded: a missing icon is a
    # console error that may come after the page's checks, so it is checked here directly
    page = watched.page
    page.goto("/?lang=en")
    icons = page.eval_on_selector_all("link[rel~=icon]", "ls => ls.map(l => l.href)")
    for href in icons or ["/favicon.ico"]:
        if not href.startswith("data:"):
            answer = page.request.get(href)
            assert answer.status < 400, f"{href}: {answer.status}"


def test_a_page_without_a_session_goes_through_the_login_form(new_context, log_in):
    context = new_context()
    with _watch(context) as seen:
        page = seen.page
        page.goto("/segments?lang=en")
        assert urlsplit(page.url).path == "/login"
        assert "next=/segments" in unquote(page.url)
        assert page.get_attribute("html", "lang") == "en"  # the language asked is kept
        expect(page.locator("header nav")).to_have_count(0)  # no navigation before login
        _shot(page, "login-en")
        assert page.request.get("/segments.json").status == 401

        log_in(page, "not-the-password")
        assert urlsplit(page.url).path == "/login"
        expect(page.locator("[role=alert]")).to_be_visible()
        seen.problems.clear()  # the refused login answers 401, as it should

        log_in(page)
        assert urlsplit(page.url).path == "/segments"
        _wait_for_charts(page)
        assert seen.problems == []


def test_the_login_page_speaks_russian_by_default(new_context):
    context = new_context()
    with _watch(context) as seen:
        page = seen.page
        response = page.goto("/login")
        assert response is not None
        assert response.status == 200
        assert page.get_attribute("html", "lang") == "ru"
        _shot(page, "login-ru")
        assert seen.problems == []


def test_logout_returns_to_the_login_page_and_ends_the_session(new_context, log_in):
    context = new_context()
    with _watch(context) as seen:
        page = seen.page
        page.goto("/login?lang=en")
        log_in(page)
        assert urlsplit(page.url).path == "/"
        with page.expect_navigation():
            page.click("form.logout button[type=submit]")
        assert urlsplit(page.url).path == "/login"
        assert context.cookies() == []
        page.goto("/")
        assert urlsplit(page.url).path == "/login"
        assert page.request.get("/index.json").status == 401
        assert seen.problems == []


def test_the_language_switch(watched):
    page = watched.page
    page.goto("/segments?lang=ru")
    title_ru = page.locator("h1").text_content()
    expect(page.locator(".langs a[aria-current]")).to_have_text("RU")
    with page.expect_navigation():
        page.click(".langs a:text-is('EN')")
    assert _local(page.url) == "/segments?lang=en"
    assert page.get_attribute("html", "lang") == "en"
    expect(page.locator(".langs a[aria-current]")).to_have_text("EN")
    assert page.locator("h1").text_content() != title_ru
    _wait_for_charts(page)
    with page.expect_navigation():
        page.click(".langs a:text-is('RU')")
    assert page.get_attribute("html", "lang") == "ru"
    assert page.locator("h1").text_content() == title_ru
    assert watched.problems == []


def test_a_filter_form_narrows_the_page_and_the_switch_keeps_it(watched):
    page = watched.page
    page.goto("/risk?lang=en")
    page.select_option("form.filters select[name=level]", "high")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    query = parse_qs(urlsplit(page.url).query)
    assert query["level"] == ["high"]
    twin = page.request.get("/risk.json?level=high").json()
    assert page.get_attribute("[data-key=matching]", "data-value") == str(twin["matching"])
    levels = page.eval_on_selector_all(
        "table.risk tbody tr td:nth-child(3)", "tds => tds.map(t => t.textContent.trim())"
    )
    assert levels
    assert set(levels) == {"high"}
    assert page.locator("form.filters select[name=level]").input_value() == "high"
    with page.expect_navigation():
        page.click("header .langs a:has-text('RU')")
    query = parse_qs(urlsplit(page.url).query)
    assert (query["level"], query["lang"]) == (["high"], ["ru"])
    assert page.get_attribute("html", "lang") == "ru"
    assert watched.problems == [], watched.problems
