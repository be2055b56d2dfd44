"""HTML pages of the dashboard: Jinja2 templates with the UI strings, formats and the
page's data embedded as JSON for its charts (read by ``static/app.js``; no inline script,
so the content security policy forbids every script but the app's own). A rendered page
carries the app's security headers itself, so that an error page answered outside the
app's middleware (a 500) has them too."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from livebase.i18n import LANGS, format_date, format_money, format_number, format_percent, t
from livebase.web.headers import secured

TEMPLATES = Path(__file__).parent / "templates"
ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _day(value: Any) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def page_lang(value: str | None) -> str:
    return value if value in LANGS else "ru"


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    lang: str | None,
    status: int = 200,
    data: Any = None,
) -> HTMLResponse:
    """Render ``template`` in ``lang`` (``ru`` unless ``en``); ``data`` is embedded as JSON
    in ``<script type="application/json" id="page-data">``."""
    lang = page_lang(lang)
    html = ENV.get_template(template).render(
        **context,
        lang=lang,
        path=request.url.path,
        query_with=lambda **kw: urlencode({**dict(request.query_params), **kw}),
        user=getattr(request.state, "user", None),
        data_json=json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        if data is not None
        else None,
        t=lambda key, **kw: t(key, lang, **kw),
        money=lambda v, cur="RUB": format_money(v, cur, lang),
        number=lambda v, digits=0: format_number(v, lang, digits),
        percent=lambda v, digits=1: format_percent(v, lang, digits),
        date=lambda v: format_date(_day(v), lang) if v else "—",
    )
    return secured(HTMLResponse(html, status_code=status))
