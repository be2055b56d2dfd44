"""Fixtures of the browser tests: the demo school, the app served by a real uvicorn server
on the loopback address, Debian's headless Chromium driven by Playwright, and a browser
context that logged in through the login form.

The rules, one sentence each:

* The browser is the system's Chromium (``chromium`` on the path, else
  ``/usr/bin/chromium``); the tests never download one, and fail when it is missing.
* The server listens on a free port of 127.0.0.1 in a daemon thread, serves plain HTTP
  (so the session cookie is not ``Secure``), and is stopped and its store closed after
  the tests.
* Browser, contexts and server are closed at the end, so no resource warning leaks.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from livebase.demo import run_demo
from livebase.store.workspace import Workspace
from livebase.web import auth
from livebase.web.app import create_app

USER = "head"
PASSWORD = "e2e-browser-8"
START_TIMEOUT_S = 30.0


@pytest.fixture(scope="package")
def school(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("e2e-demo") / "school"
    run_demo(folder, customers=3000, seed=11, lang="en")
    ws = Workspace.open(folder)  # the demo built monthly snapshots: trend and migration
    try:
        auth.add_user(ws, USER, PASSWORD)
    finally:
        ws.close()
    return folder


@pytest.fixture(scope="package")
def base_url(school) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of the app, served by uvicorn in a daemon thread."""
    app = create_app(school, secure_cookies=False)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="e2e-uvicorn", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive():
                pytest.fail("the uvicorn server stopped before it started (see its log)")
            if time.monotonic() > deadline:
                pytest.fail(f"the uvicorn server did not start within {START_TIMEOUT_S} s")
            time.sleep(0.02)  # bounded by the deadline above
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_S)
        app.state.store.close()
    assert not thread.is_alive(), "the uvicorn server did not stop"


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).is_file():
        pytest.fail(
            "Chromium not found (neither `chromium` on the PATH nor /usr/bin/chromium): "
            "install Debian's package (apt-get install -y chromium); the end-to-end tests "
            "never download a browser (no `playwright install`)"
        )
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="package")
def new_context(browser, base_url) -> Iterator[Callable[[], BrowserContext]]:
    """A factory of fresh (logged-out) browser contexts on the app, closed at the end."""
    made: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture(scope="package")
def log_in() -> Callable[[Page, str], None]:
    """Fill and submit the login form on ``page`` (already on /login) with ``password``."""

    def fill(page: Page, password: str = PASSWORD) -> None:
        page.fill("input[name=username]", USER)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("form[action='/login'] button[type=submit]")

    return fill


@pytest.fixture(scope="package")
def logged_in(new_context, log_in) -> BrowserContext:
    """A browser context holding the session cookie, got through the real login form."""
    context = new_context()
    page = context.new_page()
    try:
        page.goto("/login?lang=en")
        log_in(page)
        assert page.url.endswith("/"), page.url
    finally:
        page.close()
    return context
