"""The dashboard's pages and their JSON twins (SPEC F6.2, F6.3).

Every page is one function of :mod:`livebase.web.data` returning plain data; the page
``/x`` renders that data with its template and draws its charts from it, and ``/x.json``
returns the same data, so a number on a page is always the number in its twin. Pages
take ``lang`` (``ru`` or ``en``) and their filters as query parameters (dates as ISO text,
checked by :mod:`livebase.web.data`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse

from livebase.web.errors import ERROR_SCHEMA
from livebase.web.render import page_lang, render

ERRORS = {400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA}


def _optional(build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A part of a page that may lack data: its dict, or its status and why."""
    from livebase.errors import InsufficientData

    try:
        return {"status": "ok", **build()}
    except InsufficientData as exc:
        return {"status": "insufficient_data", "reason": str(exc)}


def register_pages(app: FastAPI) -> None:
    from livebase.web import charts
    from livebase.web import data as d

    store = app.state.store

    def page(
        name: str,
        path: str,
        build: Callable[..., dict[str, Any]],
        template: str,
        chart_builder: Callable[[dict[str, Any], str], dict[str, Any]] | None = None,
    ) -> None:
        def html_route(request: Request, lang: str | None = Query(None)) -> Any:
            lang = page_lang(lang)
            with store.use() as ws:
                payload = build(ws, request, lang)
            figures = chart_builder(payload, lang) if chart_builder else {}
            return render(
                request,
                template,
                {"page": payload, "name": name},
                lang=lang,
                data={"charts": figures},
            )

        def json_route(request: Request, lang: str | None = Query(None)) -> JSONResponse:
            with store.use() as ws:
                payload = build(ws, request, page_lang(lang))
            return JSONResponse(payload)

        app.add_api_route(path, html_route, include_in_schema=False, name=name)
        json_path = "/index.json" if path == "/" else f"{path}.json"
        app.add_api_route(json_path, json_route, name=f"{name}_json", responses=ERRORS)

    def arg(request: Request, key: str) -> str | None:
        return request.query_params.get(key) or None

    page(
        "overview",
        "/",
        lambda ws, r, lang: d.overview(ws, as_of=arg(r, "as_of")),
        "overview.html",
        charts.overview,
    )
    page(
        "segments",
        "/segments",
        lambda ws, r, lang: {
            "grid": d.rfm_grid(ws, as_of=arg(r, "as_of"), segment=arg(r, "segment")),
            "trend": d.segment_trend(ws),
            "migration": _optional(
                lambda: d.migration(ws, date_from=arg(r, "from"), date_to=arg(r, "to"))
            ),
        },
        "segments.html",
        charts.segments,
    )
    page(
        "cohorts",
        "/cohorts",
        lambda ws, r, lang: d.cohorts(ws, kind=arg(r, "kind") or "first_purchase_month"),
        "cohorts.html",
        charts.cohorts,
    )
    page(
        "risk",
        "/risk",
        lambda ws, r, lang: d.risk_list(
            ws,
            as_of=arg(r, "as_of"),
            level=arg(r, "level"),
            segment=arg(r, "segment"),
        ),
        "risk.html",
    )
    page("waves", "/waves", lambda ws, r, lang: d.waves(ws), "waves.html", charts.waves)

    def wave_html(request: Request, wave_id: str, lang: str | None = Query(None)) -> Any:
        lang = page_lang(lang)
        with store.use() as ws:
            payload = d.wave(ws, wave_id, lang=lang)
        return render(
            request,
            "wave.html",
            {"page": payload, "name": "wave"},
            lang=lang,
            data={"charts": charts.wave(payload, lang)},
        )

    def wave_json(wave_id: str, lang: str | None = Query(None)) -> JSONResponse:
        with store.use() as ws:
            return JSONResponse(d.wave(ws, wave_id, lang=page_lang(lang)))

    # the twin first: "/waves/{wave_id}" would also match "W1.json"
    app.add_api_route("/waves/{wave_id}.json", wave_json, responses=ERRORS)
    app.add_api_route("/waves/{wave_id}", wave_html, include_in_schema=False)

    def customer_html(request: Request, customer_id: str, lang: str | None = Query(None)):
        lang = page_lang(lang)
        with store.use() as ws:
            payload = d.customer(ws, customer_id, lang=lang)
        return render(request, "customer.html", {"page": payload, "name": "customer"}, lang=lang)

    def customer_json(customer_id: str, lang: str | None = Query(None)) -> JSONResponse:
        with store.use() as ws:
            return JSONResponse(d.customer(ws, customer_id, lang=page_lang(lang)))

    app.add_api_route("/customers/{customer_id}.json", customer_json, responses=ERRORS)
    app.add_api_route("/customers/{customer_id}", customer_html, include_in_schema=False)
