"""The filters above each dashboard page: which query parameters it takes and their choices.

The rules, one sentence each:

* A filter is a query parameter of the page and of its JSON twin, so a filtered page and
  its twin show the same numbers and a filtered address can be bookmarked or shared.
* A filter with choices (stored snapshot dates, segments of the map, risk levels, cohort
  kinds, the cohorts of a kind, wave segments, event statuses and sources) is a list; a free
  date is a date field.
* The current value is the one the page was built with (the data's own ``as_of`` when
  none was asked for), so the form always shows what the page shows.
* The choices are read from the store, never made up: a date without segments is not
  offered.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from livebase.i18n import t
from livebase.metrics.risk import LEVELS
from livebase.segments.segment_map import default_map
from livebase.store.workspace import Workspace


@dataclasses.dataclass(frozen=True)
class Filter:
    """One field of a page's filter form: ``options`` None means a free date."""

    name: str
    label: str
    value: str | None
    options: tuple[tuple[str, str], ...] | None = None
    blank: bool = True  # "—" (no filter) is a choice


def _dates(days) -> tuple[tuple[str, str], ...]:
    return tuple((d.isoformat(), d.isoformat()) for d in sorted(days, reverse=True))


def segment_choices(lang: str) -> tuple[tuple[str, str], ...]:
    return tuple((s.id, s.label(lang)) for s in default_map().segments)


def _as_of(
    ws: Workspace, value: str | None, lang: str, days: tuple[tuple[str, str], ...] | None = None
) -> Filter:
    from livebase.web.data import segment_dates

    days = _dates(segment_dates(ws)) if days is None else days
    return Filter("as_of", t("web.filter.as_of", lang), value, days, False)


def overview(ws: Workspace, page: dict[str, Any], lang: str) -> list[Filter]:
    return [_as_of(ws, page["as_of"], lang)]


def segments(ws: Workspace, page: dict[str, Any], lang: str) -> list[Filter]:
    from livebase.web.data import segment_dates

    days = _dates(segment_dates(ws))
    moved = page["migration"]
    return [
        _as_of(ws, page["grid"]["as_of"], lang, days),
        Filter(
            "segment", t("web.filter.segment", lang), page["grid"]["segment"], segment_choices(lang)
        ),
        Filter("from", t("web.filter.from", lang), moved.get("date_from"), days, False),
        Filter("to", t("web.filter.to", lang), moved.get("date_to"), days, False),
    ]


def cohorts(ws: Workspace, page: dict[str, Any], lang: str) -> list[Filter]:
    kinds = tuple((k, t(f"cohort.kind.{k}", lang)) for k in page["kinds"])
    names = tuple((c, c) for c in page["cohorts"])
    return [
        Filter("kind", t("web.filter.kind", lang), page["kind"], kinds, False),
        Filter("cohort", t("web.filter.cohort", lang), page["cohort"], names),
        Filter("as_of", t("web.filter.as_of", lang), page["as_of"]),
    ]


def risk(ws: Workspace, page: dict[str, Any], lang: str) -> list[Filter]:
    from livebase.web.data import risk_dates

    levels = tuple((lv, t(f"risk.level.{lv}", lang)) for lv in LEVELS)
    return [
        Filter("as_of", t("web.filter.as_of", lang), page["as_of"], _dates(risk_dates(ws)), False),
        Filter("level", t("web.filter.level", lang), page["level"], levels),
        Filter("segment", t("web.filter.segment", lang), page["segment"], segment_choices(lang)),
    ]


def waves(ws: Workspace, page: dict[str, Any], lang: str) -> list[Filter]:
    return [
        Filter("from", t("web.filter.from", lang), page["date_from"]),
        Filter("to", t("web.filter.to", lang), page["date_to"]),
        Filter(
            "segment",
            t("web.filter.segment", lang),
            page["segment"],
            tuple((s, s) for s in page["segments"]),
        ),
    ]


def events(ws: Workspace, page: dict[str, Any], lang: str) -> list[Filter]:
    from livebase.web.data import EVENT_STATUSES

    statuses = tuple((s, t(f"web.events.status.{s}", lang)) for s in EVENT_STATUSES)
    sources = tuple(dict.fromkeys((x["source"], x["source"]) for x in page["by_source"]))
    return [
        Filter("status", t("web.filter.status", lang), page["status"], statuses),
        Filter("source", t("web.filter.source", lang), page["source"], sources),
    ]


def customer(ws: Workspace, page: dict[str, Any], lang: str) -> list[Filter]:
    return [_as_of(ws, page["as_of"], lang)]
