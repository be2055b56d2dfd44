"""The web app (SPEC F6.2, F6.3, F1.5): dashboard pages, their JSON twins, the webhook.

The rules, one sentence each:

* One app serves one workspace; every store access holds one lock (DuckDB has a single
  writer), so the webhook's writes and the pages' reads never interleave.
* Nothing but the login page, the static assets (stylesheet and scripts, no data) and the
  webhook (which checks its own token or signature) answers without a login: a page asks
  for the session cookie, a JSON endpoint for the session cookie or an API token
  (``Authorization: Bearer <token>``, see ``livebase token add``).
* Without them a page redirects to ``/login?next=<page>`` and a JSON endpoint answers 401
  in the error envelope (:mod:`livebase.web.errors`).
* The session cookie is signed with the workspace's secret, expires after 12 hours, is
  ``HttpOnly`` and ``SameSite=Strict``, and ``Secure`` unless the app serves plain HTTP
  on the loopback address; logging out clears it.
* An address whose path or query holds a control character (``%00`` …) is refused with
  400 before any page or endpoint reads it.
* Every answer carries security headers: a content security policy that allows only the
  app's own scripts (no inline script, no other origin), the app's own stylesheets plus
  inline styles (plotly.js inserts its styles and sets ``style`` attributes when it draws,
  and breaks without them; plotly/plotly.js#7543), ``nosniff``, no framing, and no
  referrer to other sites.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from livebase.errors import InputError, InsufficientData
from livebase.store.workspace import Workspace
from livebase.web import auth
from livebase.web.errors import CODES, ApiError, envelope

COOKIE = "livebase_session"
STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
PUBLIC_PREFIXES = ("/static/", "/webhook/")
PUBLIC_PATHS = ("/login",)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# the errors an HTML page names in the reader's language (others: a generic title)
PAGE_CODES = ("bad_input", "not_found", "insufficient_data", "invalid_request", "internal")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # never in an id, a date or a filter
log = logging.getLogger("livebase.web")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Store:
    """The app's workspace behind one lock, and the pages' data cached until it changes.

    While the app serves, DuckDB lets no other process write the store, so the app's own
    writes (``use(write=True)``: the webhook) are the only changes; each one empties the
    cache. A server engine (PostgreSQL, Spark) may be written by other processes, so there
    an entry is also rebuilt once it is ``SHARED_TTL`` seconds old."""

    CACHE_SIZE = 256
    SHARED_TTL = 60.0

    def __init__(self, root: Path, *, engine: str | None = None) -> None:
        self.root = Path(root)
        self.ws = Workspace.open(self.root, engine=engine)
        self.ttl = None if self.ws.con.name == "duckdb" else self.SHARED_TTL
        self.secret = auth.workspace_secret(self.ws)
        self._lock = threading.RLock()
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()

    @contextmanager
    def use(self, *, write: bool = False) -> Iterator[Workspace]:
        with self._lock:
            try:
                yield self.ws
            finally:
                if write:
                    self._cache.clear()

    def cached(self, key: Hashable, build: Callable[[Workspace], Any]) -> Any:
        """``build(ws)``, or what it returned for ``key`` since the last write."""
        with self._lock:
            if key in self._cache:
                built, value = self._cache[key]
                if self.ttl is None or time.monotonic() - built < self.ttl:
                    self._cache.move_to_end(key)
                    return value
            value = build(self.ws)
            self._cache[key] = (time.monotonic(), value)
            self._cache.move_to_end(key)
            if len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
            return value

    def close(self) -> None:
        with self._lock:
            self._cache.clear()
            self.ws.close()


def plotly_bundle() -> Path:
    """plotly.js as shipped inside the plotly package."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.endswith(".json") or path.startswith(("/api/", "/webhook/"))


def _safe_next(target: str | None) -> str:
    """Only a local path may be the target after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def create_app(
    root: Path,
    *,
    secure_cookies: bool = True,
    clock: Callable[[], dt.datetime] = utc_now,
    engine: str | None = None,
) -> FastAPI:
    """The app of the workspace at ``root``; ``secure_cookies=False`` only for plain HTTP
    on the loopback address (``livebase serve`` decides); ``engine`` overrides the
    workspace's engine URL."""
    store = Store(root, engine=engine)
    app = FastAPI(
        title="livebase",
        description="The dashboard's data as JSON, and the event webhook.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.store = store
    app.state.clock = clock
    app.state.templates = TEMPLATES

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        # the bundle of the installed plotly package: served locally, never from a CDN
        from fastapi.responses import FileResponse

        return FileResponse(plotly_bundle(), media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def current_user(request: Request) -> str | None:
        cookie = request.cookies.get(COOKIE)
        user = auth.read_session(store.secret, cookie, now=clock())
        if user is not None:
            return user
        header = request.headers.get("authorization", "")
        if wants_json(request) and header.lower().startswith("bearer "):
            with store.use() as ws:
                name = auth.check_token(ws, header[7:].strip())
            return None if name is None else f"token:{name}"
        return None

    @app.middleware("http")
    async def gate(request: Request, call_next):
        path = request.url.path
        texts = [path]
        if not path.startswith("/webhook/"):  # the webhook checks its own parameters
            texts += [k + v for k, v in request.query_params.multi_items()]
        if any(_CONTROL.search(x) for x in texts):
            response = problem(request, 400, "the address contains a control character")
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response
        if not path.startswith("/webhook/") and request.scope.get("query_string"):
            # an empty filter field of a page's form means "no filter"
            pairs = [(k, v) for k, v in request.query_params.multi_items() if v != ""]
            request.scope["query_string"] = urlencode(pairs).encode("latin-1")
            request = Request(request.scope, request.receive)
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            response = await call_next(request)
        else:
            user = current_user(request)
            if user is None:
                if wants_json(request):
                    response = envelope(
                        401, "log in, or send an API token: Authorization: Bearer <token>"
                    )
                else:
                    query = request.url.query
                    target = quote(path + (f"?{query}" if query else ""), safe="")
                    lang = request.query_params.get("lang")
                    extra = f"&lang={quote(lang)}" if lang in ("ru", "en") else ""
                    response = RedirectResponse(f"/login?next={target}{extra}", status_code=303)
            else:
                request.state.user = user
                response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def problem(request: Request, status: int, message: str, code: str | None = None):
        """The error envelope for the API and the webhook, an HTML page for a page."""
        code = code or CODES.get(status, "error")
        if wants_json(request) or request.method != "GET":
            return envelope(status, message, code)
        from livebase.web.render import page_lang, render

        lang = page_lang(request.query_params.get("lang"))
        context = {"code": code if code in PAGE_CODES else "error", "message": message}
        return render(request, "error.html", context, lang=lang, status=status)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return problem(request, exc.status, exc.message, exc.code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404:
            message = f"no such page: {request.url.path}"
        return problem(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
        return problem(request, 422, f"{where}: {first.get('msg', 'invalid')}".strip(": "))

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError):
        return problem(request, 400, str(exc))

    @app.exception_handler(InsufficientData)
    async def insufficient(request: Request, exc: InsufficientData):
        return problem(request, 409, str(exc))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return problem(request, 500, "internal error: see the server's log")

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str = "/", lang: str = "ru", failed: int = 0):
        from livebase.web.render import render

        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "failed": bool(failed)},
            lang=lang,
            status=401 if failed else 200,
        )

    @app.post("/login", include_in_schema=False)
    def login(
        username: str = Form(...),
        password: str = Form(...),
        next: str = Form("/"),
        lang: str = Form("ru"),
    ):
        with store.use() as ws:
            ok = auth.check_login(ws, username, password)
        if not ok:
            target = f"/login?failed=1&lang={quote(lang)}&next={quote(_safe_next(next))}"
            return RedirectResponse(target, status_code=303)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(
            COOKIE,
            auth.make_session(store.secret, username, now=clock()),
            max_age=12 * 3600,
            httponly=True,
            samesite="strict",
            secure=secure_cookies,
            path="/",
        )
        return response

    @app.post("/logout", include_in_schema=False)
    def logout():
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document() -> Response:
        from fastapi.responses import JSONResponse

        return JSONResponse(app.openapi())

    from livebase.web.pages import register_pages
    from livebase.web.webhook_routes import register_webhook

    register_pages(app)
    register_webhook(app)
    return app
