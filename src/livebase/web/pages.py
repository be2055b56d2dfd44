"""The dashboard's pages and their JSON twins (SPEC F6.2, F6.3).

Every page is one function of :mod:`livebase.web.data` returning plain data; the page
``/x`` renders that data with its template and draws its charts from it, and ``/x.json``
returns the same data, so a number on a page is always the number in its twin. Both take
the same query parameters — ``lang`` (``ru`` or ``en``) and the page's filters
(:mod:`livebase.web.filters`) — declared once per page, so the OpenAPI document lists
them. Beside the pages, ``/waves/{id}/audiences.json`` lists who is in a wave, for
integrations. A page's data is built once per filters and language and kept until the
store changes (:meth:`livebase.web.app.Store.cached`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse

from livebase.web.errors import ERROR_SCHEMA
from livebase.web.render import page_lang, render

ERRORS = {
    400: ERROR_SCHEMA,
    401: ERROR_SCHEMA,
    404: ERROR_SCHEMA,
    409: ERROR_SCHEMA,
    422: ERROR_SCHEMA,
}
Lang = Annotated[str | None, Query(description="ru or en (ru by default)")]
Day = Annotated[dt.date | None, Query(description="A day, YYYY-MM-DD")]
Segment = Annotated[str | None, Query(description="A segment id of the map, e.g. champions")]


def _optional(build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A part of a page that may lack data: its dict, or its status and why."""
    from livebase.errors import InsufficientData

    try:
        return {"status": "ok", **build()}
    except InsufficientData as exc:
        return {"status": "insufficient_data", "reason": str(exc)}


# the query parameters of each page (the page and its twin take the same)


@dataclasses.dataclass
class OverviewQuery:
    as_of: Day = None


@dataclasses.dataclass
class SegmentsQuery:
    as_of: Day = None
    segment: Segment = None
    date_from: Annotated[
        dt.date | None, Query(alias="from", description="Migration from this snapshot")
    ] = None
    date_to: Annotated[
        dt.date | None, Query(alias="to", description="Migration to this snapshot")
    ] = None


@dataclasses.dataclass
class CohortsQuery:
    kind: Annotated[
        str,
        Query(description="signup_month, first_purchase_month, first_channel or age_band"),
    ] = "first_purchase_month"
    cohort: Annotated[str | None, Query(description="One cohort of the kind")] = None
    as_of: Day = None


@dataclasses.dataclass
class RiskQuery:
    as_of: Day = None
    level: Annotated[str | None, Query(description="low, medium or high")] = None
    segment: Segment = None
    limit: Annotated[int, Query(ge=1, le=1000, description="Rows to list")] = 50


@dataclasses.dataclass
class WavesQuery:
    date_from: Annotated[
        dt.date | None, Query(alias="from", description="Waves running on or after")
    ] = None
    date_to: Annotated[
        dt.date | None, Query(alias="to", description="Waves running on or before")
    ] = None
    segment: Annotated[str | None, Query(description="The waves of this segment")] = None


@dataclasses.dataclass
class EventsQuery:
    status: Annotated[str | None, Query(description="stored or rejected")] = None
    source: Annotated[str | None, Query(description="getcourse or json")] = None
    limit: Annotated[int, Query(ge=1, le=1000, description="Rows to list")] = 100


@dataclasses.dataclass
class WaveQuery:
    wave_id: Annotated[str, Path(description="A wave id, e.g. W-R90-20250506")]


@dataclasses.dataclass
class CustomerQuery:
    customer_id: Annotated[str, Path(description="A customer id, e-mail or phone")]
    as_of: Day = None


@dataclasses.dataclass
class AudienceQuery:
    arm: Annotated[str | None, Query(description="One arm, the holdout included")] = None
    channel: Annotated[
        str | None, Query(description="Customers with a planned touch on this channel")
    ] = None
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip")] = 0
    limit: Annotated[int, Query(ge=1, le=1000, description="Rows to return")] = 1000


def register_pages(app: FastAPI) -> None:
    from livebase.web import charts, filters
    from livebase.web import data as d
    from livebase.web.schemas import ok_response

    def documented(name: str) -> dict[int, Any]:
        return {**ok_response(name), **ERRORS}  # a twin without a schema fails here

    store = app.state.store
    app.state.page_data = {}

    def page(
        name: str,
        path: str,
        query: type,
        build: Callable[..., dict[str, Any]],
        template: str,
        chart_builder: Callable[[dict[str, Any], str], dict[str, Any]] | None = None,
        form: Callable[..., list[filters.Filter]] | None = None,
        summary: str = "",
    ) -> None:
        """``path`` (HTML) and its twin, both ``build(ws, q, lang)``."""

        def data(q: Any, lang: str) -> dict[str, Any]:
            # one build per page, filters and language until the store changes
            key = (name, dataclasses.astuple(q), lang)
            return store.cached(key, lambda ws: build(ws, q, lang))

        def html_route(
            request: Request, q: Annotated[Any, Depends(query)], lang: Lang = None
        ) -> Any:
            lang = page_lang(lang)
            payload = data(q, lang)
            with store.use() as ws:
                fields = form(ws, payload, lang) if form else []
            figures = chart_builder(payload, lang) if chart_builder else {}
            return render(
                request,
                template,
                {"page": payload, "name": name, "filters": fields},
                lang=lang,
                data={"charts": figures},
            )

        def json_route(q: Annotated[Any, Depends(query)], lang: Lang = None) -> JSONResponse:
            return JSONResponse(data(q, page_lang(lang)))

        app.state.page_data[name] = (query, data)
        html_route.__annotations__["q"] = Annotated[query, Depends(query)]
        json_route.__annotations__["q"] = Annotated[query, Depends(query)]
        json_path = "/index.json" if path == "/" else f"{path}.json"
        # the twin first: "/waves/{wave_id}" would also match "W1.json"
        app.add_api_route(
            json_path,
            json_route,
            name=f"{name}_json",
            summary=summary or None,
            responses=documented(f"{name}_json"),
        )
        app.add_api_route(path, html_route, include_in_schema=False, name=name)

    page(
        "overview",
        "/",
        OverviewQuery,
        lambda ws, q, lang: d.overview(ws, as_of=q.as_of),
        "overview.html",
        charts.overview,
        filters.overview,
        "KPIs of a day and the alerts of the 90 days before",
    )
    page(
        "segments",
        "/segments",
        SegmentsQuery,
        lambda ws, q, lang: {
            "grid": d.rfm_grid(ws, as_of=q.as_of, segment=q.segment),
            "trend": d.segment_trend(ws, segment=q.segment),
            "migration": _optional(
                lambda: d.migration(ws, date_from=q.date_from, date_to=q.date_to)
            ),
        },
        "segments.html",
        charts.segments,
        filters.segments,
        "The R × F grid, segment sizes over time and migration between two snapshots",
    )
    page(
        "cohorts",
        "/cohorts",
        CohortsQuery,
        lambda ws, q, lang: d.cohorts(ws, kind=q.kind, as_of=q.as_of, cohort=q.cohort),
        "cohorts.html",
        charts.cohorts,
        filters.cohorts,
        "Cohort retention (D7, D30, D60) and churn 180",
    )
    page(
        "risk",
        "/risk",
        RiskQuery,
        lambda ws, q, lang: d.risk_list(
            ws, as_of=q.as_of, level=q.level, segment=q.segment, limit=q.limit
        ),
        "risk.html",
        form=filters.risk,
        summary="The riskiest customers with the reasons",
    )
    page(
        "waves",
        "/waves",
        WavesQuery,
        lambda ws, q, lang: d.waves(
            ws, date_from=q.date_from, date_to=q.date_to, segment=q.segment
        ),
        "waves.html",
        charts.waves,
        filters.waves,
        "The wave calendar: plan, audiences and exclusions",
    )
    page(
        "events",
        "/events",
        EventsQuery,
        lambda ws, q, lang: d.events(ws, status=q.status, source=q.source, limit=q.limit),
        "events.html",
        form=filters.events,
        summary="Webhook events as they arrived, stored or rejected with the reason",
    )

    def audiences_json(
        wave_id: str, q: Annotated[AudienceQuery, Depends(AudienceQuery)]
    ) -> JSONResponse:
        with store.use() as ws:
            payload = d.audiences(
                ws, wave_id, arm=q.arm, channel=q.channel, offset=q.offset, limit=q.limit
            )
        return JSONResponse(payload)

    app.add_api_route(
        "/waves/{wave_id}/audiences.json",
        audiences_json,
        name="wave_audiences_json",
        summary="Who is in a wave, per arm, with the channels of their planned touches",
        responses=documented("wave_audiences_json"),
    )
    page(
        "wave",
        "/waves/{wave_id}",
        WaveQuery,
        lambda ws, q, lang: d.wave(ws, q.wave_id, lang=lang),
        "wave.html",
        charts.wave,
        summary="One wave: readout per arm, the decision, attribution",
    )
    page(
        "customer",
        "/customers/{customer_id}",
        CustomerQuery,
        lambda ws, q, lang: d.customer(ws, q.customer_id, lang=lang, as_of=q.as_of),
        "customer.html",
        form=filters.customer,
        summary="A customer's card: segment and rule, risk, touches, consents, orders",
    )


def warm(app: FastAPI, lang: str, *, waves: bool = False) -> list[str]:
    """Build the data of every page that needs no id, unfiltered, in ``lang``, and with
    ``waves`` the page of every wave (``livebase serve`` does the first before it answers
    and the second right after, so the first visits are as fast as the next); returns
    the pages built (a page the store cannot answer yet is skipped)."""
    from livebase.errors import LivebaseError
    from livebase.web.data import _wave_rows

    jobs: list[tuple[str, Any]] = []
    for name, (query, _) in app.state.page_data.items():
        if not any(f.default is dataclasses.MISSING for f in dataclasses.fields(query)):
            jobs.append((name, query()))
    if waves:
        with app.state.store.use() as ws:
            ids = [w["wave_id"] for w in _wave_rows(ws)]
        jobs = [(f"wave:{i}", WaveQuery(wave_id=i)) for i in ids]
    built = []
    for name, q in jobs:
        data = app.state.page_data[name.split(":")[0]][1]
        try:
            data(q, lang)
        except LivebaseError:
            continue
        built.append(name)
    return built
