"""The data behind every dashboard page, as plain JSON-ready dicts (SPEC F6.2).

One function per page; the HTML page and its ``.json`` twin are both built from the same
dict, so every number a page shows is in it. Values are ``str``, ``int``, ``float``,
``bool``, ``None``, lists and dicts only.

The rules, one sentence each:

* Money is a string with two decimals (``"1234.50"``) and, where a chart or a sum needs
  it, a float twin named ``<field>_value``.
* Dates are ISO days (``2025-05-05``), timestamps ISO without a zone and in UTC, as the
  store keeps them (the page shows them in ``timezone``, the school's zone).
* A fraction is a float between 0 and 1 (a share, a rate), an uplift in percentage points
  is named ``*_pp``; an undefined number is ``None`` with a ``status`` and a ``reason``
  code beside it, never a made-up 0.
* ``as_of`` defaults to the latest date with monetary segments in the store (the risk
  list: the latest date of the risk mart); a page without the data it needs raises
  :class:`~livebase.errors.InsufficientData`, an unknown id, date, segment, level or
  version :class:`~livebase.errors.InputError`.
* Dates may be given as ``datetime.date`` or as ISO text (``2025-05-05``).
* Revenue of the last 30 days is the net amount of the counted purchases
  (:func:`livebase.metrics.purchases.purchases`, ``is_purchase``) paid in the 30 days
  ending on ``as_of``, orders their number (as in the weekly report).
* The active base is the customers scored on ``as_of`` whose last counted purchase is
  less than 90 days before it (``recency_days < 90``: not in a sleep tier).
* 555 is the segment ``champions`` (R = F = M = 5, seed 001): its share of the scored
  customers and its share of their revenue (the window's ``monetary``).
* Churn 180 is the share of the scored customers without a counted purchase for 180 days
  or more (``recency_days ≥ 180``: sleep tiers R180 and R270); beside it, seed 000's
  cohort churn 180 of the latest first-purchase-month cohort whose members all reached
  the 180 days.
* Alerts are the monitors (:func:`livebase.monitors.run_monitors`) of the 90 days ending
  on ``as_of`` whose status is ``alert``, with their numbers.
* The RFM grid counts the customers of each R × F cell of the ``rfm`` mart of ``as_of``
  and the mean M of the cell (exact, rounded half up to 0.01); every cell of the scale is
  listed, an empty one with 0 customers and no mean.
* The segment filter narrows the grid and the risk list to the customers of one segment
  on that date; segment sizes are always those of the whole base.
* Segment sizes over time read every stored snapshot
  (:func:`livebase.segments.movement.sizes_over_time`); migration counts who moved
  between two snapshots (:func:`livebase.segments.movement.migration_matrix`), ``new``
  being customers not scored on the first date and ``gone`` those not scored on the
  second.
* Cohort retention is :func:`livebase.metrics.cohorts.workspace_cohorts` (D7/D30/D60 and
  churn 180 with their statuses and reached members).
* A wave's calendar row counts assigned customers per arm (planned order, holdout
  included), planned touches (rows of ``touches``), and customers left out per reason
  (``exclusions`` with ``touch_no`` 0); ``ends_on`` is its last day
  (``starts_on + days − 1``).
* The wave calendar's date filter keeps the waves running on at least one day of
  ``[date_from, date_to]``; its segment filter the waves planned for that segment.
* A wave's audiences list its assigned customers (the holdout included) by pseudonymous
  id with arm, stratum and the channels of their planned touches, a page at a time
  (``offset``, ``limit`` ≤ 1000) — no contact details, which only the channel exports carry.
* The events page reads ``webhook_events`` (ids, sources, kinds, statuses and reason
  codes, never a payload), newest first; the overview counts every stored and rejected
  event.
* A wave's page is :func:`livebase.reports.wave_review.wave_review`: the readout per arm
  (rate, uplift with its interval, p-values), the whole wave against its holdout, the
  decision, attributed against incremental revenue and the credits of every attribution
  model per channel.
* A customer's card reads the customer by id, e-mail or phone
  (:func:`livebase.playbooks.why.resolve_customer`), shows only ids and behaviour (no
  e-mail, phone or name), the segment with its rule on ``as_of`` and on every snapshot,
  the RFM values, the risk of the latest scored date up to ``as_of``, every wave decision
  (:func:`livebase.playbooks.why.explain`), the newest messages (at most
  ``messages_limit``), the consents (current state: the newest record of each channel ×
  purpose, history oldest first) and every order, flagged ``counted`` when it is a counted
  purchase.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import ibis
import numpy as np
import pandas as pd

from livebase.errors import InputError, InsufficientData
from livebase.experiments.status import INSUFFICIENT, OK
from livebase.i18n import check_lang
from livebase.metrics.cohorts import KINDS as COHORT_KINDS
from livebase.metrics.cohorts import RETENTION_METRICS, workspace_cohorts
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import VERSIONS
from livebase.metrics.risk import (
    LEVELS,
    RiskRow,
    parse_reasons,
    risk_summary,
)
from livebase.monitors import run_monitors
from livebase.monitors.result import ALERT
from livebase.playbooks.consents import consent_history, consent_state
from livebase.playbooks.why import explain, resolve_customer
from livebase.reports.period import period_sales
from livebase.reports.wave_review import wave_review
from livebase.segments.build import last_data_date, rfm_scale_notes, segment_summary
from livebase.segments.movement import GONE, NEW, migration_matrix, sizes_over_time
from livebase.segments.segment_map import default_map
from livebase.store.workspace import Workspace

CHAMPIONS = "champions"  # the 555 segment of the default map (seed 001)
ACTIVE_DAYS = 90  # the active base: a counted purchase in the last 90 days
REVENUE_DAYS = 30
CHURN_DAYS = 180
ALERT_DAYS = 90
MAX_LIMIT = 1000
_CENT = Decimal("0.01")
_FAR = dt.datetime(9999, 1, 1)  # "every record": consent state as it is now


# ------------------------------------------------------------------- plain values


def money(value: Decimal | float | int | None) -> str | None:
    """Money as a string with two decimals, rounded half up.

    >>> money(Decimal("1234.5")), money(None), money(Decimal("0.005"))
    ('1234.50', None, '0.01')
    """
    if value is None:
        return None
    return str(Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP))


def money_value(value: Decimal | float | int | None) -> float | None:
    """Money as a float, for charts (the string of :func:`money` is the exact one)."""
    return None if value is None else float(Decimal(value).quantize(_CENT, ROUND_HALF_UP))


def plain(value: Any) -> Any:
    """JSON-ready: dataclasses and mappings as dicts, Decimal as money strings, dates and
    timestamps in ISO, tuples as lists, NaN / NaT as ``None``, numpy scalars as Python.

    >>> plain({"a": (Decimal("2.5"), dt.date(2025, 5, 5), float("nan"), np.int64(3))})
    {'a': ['2.50', '2025-05-05', None, 3]}
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Decimal):
        return money(value)
    if value is pd.NaT:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    raise TypeError(f"not a plain value: {type(value).__name__}")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [plain(row) for row in frame.to_dict("records")]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def as_date(value: dt.date | str | None, name: str = "as_of") -> dt.date | None:
    """A day from a ``date`` or ISO text; :class:`InputError` for anything else.

    >>> as_date("2025-05-05"), as_date(None)
    (datetime.date(2025, 5, 5), None)
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"{name}: not a date {value!r} (use YYYY-MM-DD)")


# ------------------------------------------------------------------ shared lookups


def segment_dates(ws: Workspace, version: str = "monetary") -> list[dt.date]:
    """The as-of dates that have segments of ``version``, ascending."""
    s = ws.table("segments")
    s = s.filter(s.version == version)
    return list(s.select("as_of").distinct().order_by("as_of").to_pyarrow().column(0).to_pylist())


def _segments_day(ws: Workspace, as_of: dt.date | str | None, version: str = "monetary") -> dt.date:
    """``as_of`` checked against the stored snapshots, or the latest one."""
    day = as_date(as_of)
    days = segment_dates(ws, version)
    flag = "" if version == "monetary" else f" --version {version}"
    if not days:
        raise InsufficientData(
            f"no {version} segments built yet: run `livebase segment --as-of YYYY-MM-DD{flag}`"
        )
    if day is None:
        return days[-1]
    if day not in days:
        listed = ", ".join(d.isoformat() for d in days[-5:])
        raise InsufficientData(
            f"no {version} segments for {day}: run `livebase segment --as-of {day}{flag}` "
            f"(built dates, latest: {listed})"
        )
    return day


def _check_version(version: str) -> str:
    if version not in VERSIONS:
        raise InputError(f"unknown RFM version {version!r} (one of {', '.join(VERSIONS)})")
    return version


def _check_segment(ws: Workspace, segment: str | None, as_of: dt.date, version: str) -> None:
    """An unknown segment id (neither in the map nor on the date) is an input error."""
    if segment is None:
        return
    known = {s.id for s in default_map().segments}
    if segment in known:
        return
    s = ws.table("segments")
    hit = s.filter((s.as_of == as_of) & (s.version == version) & (s.segment == segment))
    if hit.count().to_pyarrow().as_py() == 0:
        raise InputError(f"unknown segment {segment!r} (one of {', '.join(sorted(known))})")


def _check_limit(limit: int, name: str = "limit") -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"{name} must be a whole number from 1 to {MAX_LIMIT}, got {limit!r}")
    return limit


def _rfm(ws: Workspace, as_of: dt.date, version: str) -> ibis.Table:
    r = ws.table("rfm")
    return r.filter((r.as_of == as_of) & (r.version == version))


def _segments(ws: Workspace, as_of: dt.date, version: str) -> ibis.Table:
    s = ws.table("segments")
    return s.filter((s.as_of == as_of) & (s.version == version))


def _segment_rows(ws: Workspace, as_of: dt.date, version: str) -> list[dict[str, Any]]:
    return [
        {
            "segment": row.segment,
            "customers": row.customers,
            "share": row.share,
            "revenue": money(row.revenue),
            "revenue_value": money_value(row.revenue),
            "revenue_share": row.revenue_share,
            "mean_recency": plain(row.mean_recency),
            "mean_frequency": plain(row.mean_frequency),
            "mean_monetary": money(row.mean_monetary),
        }
        for row in segment_summary(ws, as_of, version=version)
    ]


# ------------------------------------------------------------------------ overview


def _revenue(ws: Workspace, as_of: dt.date, days: int) -> dict[str, Any]:
    start = as_of - dt.timedelta(days=days - 1)
    sales = period_sales(ws.con, ws.config.purchase_rules, start, as_of + dt.timedelta(days=1))
    return {
        "start": start.isoformat(),
        "end": as_of.isoformat(),
        "days": days,
        "orders": sales.orders,
        "revenue": money(sales.revenue),
        "revenue_value": money_value(sales.revenue),
    }


def _cohort_churn(ws: Workspace, as_of: dt.date) -> dict[str, Any] | None:
    """Churn 180 of the latest first-purchase-month cohort whose every member reached
    the 180 days (status ``ok``)."""
    table = workspace_cohorts(ws, "first_purchase_month", as_of=as_of)
    for cohort in reversed(table.cohorts):
        row = table.get(cohort, f"churn_{CHURN_DAYS}")
        if row.status == OK and row.value is not None:
            return {
                "kind": table.kind,
                "cohort": cohort,
                "value": float(row.value),
                "status": row.status,
                "members": row.members,
                "members_reached": row.members_reached,
                "churned": plain(row.numerator),
            }
    return None


def _alert_row(r) -> dict[str, Any]:
    return {
        "key": r.key,
        "scope": r.scope,
        "status": r.status,
        "value": plain(r.value),
        "threshold": r.threshold,
        "numerator": plain(r.numerator),
        "denominator": plain(r.denominator),
        "interval": plain(r.interval),
        "reason": r.reason,
        "detail": plain(r.detail),
    }


def _webhook_summary(ws: Workspace) -> dict[str, Any]:
    e = ws.table("webhook_events")
    row = (
        e.aggregate(
            stored=(e.status == "stored").sum(),
            rejected=(e.status == "rejected").sum(),
            last=e.received_at.max(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    return {
        "stored": int(row["stored"] or 0),
        "rejected": int(row["rejected"] or 0),
        "last_received_at": plain(row["last"]),
    }


def overview(ws: Workspace, *, as_of: dt.date | str | None = None) -> dict[str, Any]:
    """The head of school's KPIs on ``as_of`` (see the module for each definition).

    Shape: ``as_of``, ``data_end``, ``currency``, ``revenue_30d`` {start, end, days,
    orders, revenue, revenue_value}, ``active_base`` {customers, scored, share, days},
    ``champions`` {segment, customers, share, revenue, revenue_value, revenue_share},
    ``churn_180`` {customers, scored, share, days, cohort {kind, cohort, value, status,
    members, members_reached, churned} | None}, ``webhook`` {stored, rejected,
    last_received_at} (every webhook event so far), ``alerts`` {start, end, checked,
    alerting, insufficient, items [{key, scope, status, value, threshold, numerator,
    denominator, interval, reason, detail}]}.
    """
    day = _segments_day(ws, as_of)
    r = _rfm(ws, day, "monetary")
    row = (
        r.aggregate(
            scored=r.count(),
            active=(r.recency_days < ACTIVE_DAYS).sum(),
            r180=(r.recency_days >= CHURN_DAYS).sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    scored, active, r180 = (int(row[k] or 0) for k in ("scored", "active", "r180"))
    seg = {s["segment"]: s for s in _segment_rows(ws, day, "monetary")}
    champ = seg.get(CHAMPIONS)
    start = day - dt.timedelta(days=ALERT_DAYS - 1)
    results = run_monitors(ws, start=start, end=day + dt.timedelta(days=1))
    return {
        "as_of": day.isoformat(),
        "data_end": last_data_date(ws).isoformat(),
        "currency": ws.config.currency,
        "revenue_30d": _revenue(ws, day, REVENUE_DAYS),
        "active_base": {
            "customers": active,
            "scored": scored,
            "share": _share(active, scored),
            "days": ACTIVE_DAYS,
        },
        "champions": {
            "segment": CHAMPIONS,
            "customers": champ["customers"] if champ else 0,
            "share": champ["share"] if champ else 0.0,
            "revenue": champ["revenue"] if champ else money(0),
            "revenue_value": champ["revenue_value"] if champ else 0.0,
            "revenue_share": champ["revenue_share"] if champ else None,
        },
        "churn_180": {
            "customers": r180,
            "scored": scored,
            "share": _share(r180, scored),
            "days": CHURN_DAYS,
            "cohort": _cohort_churn(ws, day),
        },
        "webhook": _webhook_summary(ws),
        "alerts": {
            "start": start.isoformat(),
            "end": day.isoformat(),
            "checked": len(results),
            "alerting": sum(x.status == ALERT for x in results),
            "insufficient": sum(x.status == INSUFFICIENT for x in results),
            "items": [_alert_row(x) for x in results if x.status == ALERT],
        },
    }


# ------------------------------------------------------------------------ segments


def rfm_grid(
    ws: Workspace,
    *,
    as_of: dt.date | str | None = None,
    version: str = "monetary",
    segment: str | None = None,
) -> dict[str, Any]:
    """R × F cells of ``as_of`` with customer counts and mean M, and the segment sizes.

    Shape: ``as_of``, ``version``, ``segment`` (the filter), ``bins``, ``m_unit``
    (``money`` or ``units``), ``customers`` (in the cells), ``cells`` [{r, f, customers,
    mean_m, mean_m_value}] (R from the highest score down, F ascending), ``segments``
    [{segment, customers, share, revenue, revenue_value, revenue_share, mean_recency,
    mean_frequency, mean_monetary}], ``scale_notes`` [{axis, bins, customers,
    distinct_values, scores_used, largest_tie_share, message}].
    """
    _check_version(version)
    day = _segments_day(ws, as_of, version)
    _check_segment(ws, segment, day, version)
    r = _rfm(ws, day, version)
    if segment is not None:
        s = _segments(ws, day, version)
        r = r.semi_join(s.filter(s.segment == segment), "customer_id")
    got = {
        (int(a["r"]), int(a["f"])): a
        for a in r.group_by(["r", "f"])
        .aggregate(customers=r.count(), m_sum=r.monetary.sum())
        .to_pyarrow()
        .to_pylist()
    }
    bins = max([ws.config.rfm.bins, *(max(k) for k in got)])
    cells = []
    for rs in range(bins, 0, -1):
        for fs in range(1, bins + 1):
            a = got.get((rs, fs))
            n = int(a["customers"]) if a else 0
            mean = Decimal(a["m_sum"]) / n if n else None
            cells.append(
                {
                    "r": rs,
                    "f": fs,
                    "customers": n,
                    "mean_m": money(mean),
                    "mean_m_value": money_value(mean),
                }
            )
    return {
        "as_of": day.isoformat(),
        "version": version,
        "segment": segment,
        "bins": bins,
        "m_unit": "money" if version == "monetary" else "units",
        "currency": ws.config.currency,
        "customers": sum(c["customers"] for c in cells),
        "cells": cells,
        "segments": _segment_rows(ws, day, version),
        "scale_notes": [plain(n) for n in rfm_scale_notes(ws, day, version)],
    }


def segment_trend(ws: Workspace, *, segment: str | None = None) -> dict[str, Any]:
    """Customers and revenue share per segment over every stored snapshot.

    Shape: ``dates`` (ascending), ``segments``, ``currency``, ``series`` [{segment,
    customers [..], share [..], revenue [..], revenue_value [..], revenue_share [..]}],
    each list aligned with ``dates`` (``None`` where a share is undefined).
    """
    frame = sizes_over_time(ws)
    days = sorted(set(frame["as_of"]))
    segments = list(dict.fromkeys(frame["segment"]))
    if segment is not None:
        if segment not in segments:
            raise InputError(
                f"unknown segment {segment!r} (in the snapshots: {', '.join(segments)})"
            )
        segments = [segment]
    series = []
    for seg in segments:
        part = frame[frame["segment"] == seg].set_index("as_of").reindex(days)
        series.append(
            {
                "segment": seg,
                "customers": [int(x) for x in part["customers"]],
                "share": [plain(x) for x in part["share"]],
                "revenue": [money(x) for x in part["revenue"]],
                "revenue_value": [money_value(x) for x in part["revenue"]],
                "revenue_share": [plain(x) for x in part["revenue_share"]],
            }
        )
    return {
        "dates": [d.isoformat() for d in days],
        "segments": segments,
        "currency": ws.config.currency,
        "series": series,
    }


def migration(
    ws: Workspace,
    *,
    date_from: dt.date | str | None = None,
    date_to: dt.date | str | None = None,
) -> dict[str, Any]:
    """Who moved between the segments of two snapshots (default: the last two).

    Shape: ``date_from``, ``date_to``, ``nodes`` [{id, side (from|to), segment,
    customers}], ``links`` [{source, target (indexes into nodes), from, to, customers,
    share (of the from node)}], ``matrix`` {rows, columns, counts [[..]]}, ``stayed``,
    ``moved``, ``new``, ``gone``.
    """
    start, end = as_date(date_from, "date_from"), as_date(date_to, "date_to")
    if start is None or end is None:
        days = segment_dates(ws)
        if end is None:
            if not days:
                raise InsufficientData(
                    "no segments built yet: run `livebase segment --as-of YYYY-MM-DD` first"
                )
            end = days[-1]
        if start is None:
            earlier = [d for d in days if d < end]
            if not earlier:
                raise InsufficientData(
                    f"migration needs a snapshot before {end}: build one with "
                    "`livebase segment --as-of YYYY-MM-DD` (or a monthly history)"
                )
            start = earlier[-1]
    if start >= end:
        raise InputError(f"date_from ({start}) must be before date_to ({end})")
    m = migration_matrix(ws, start, end)
    counts = m.counts
    nodes = [
        {"id": f"from:{seg}", "side": "from", "segment": str(seg), "customers": int(n)}
        for seg, n in counts.sum(axis=1).items()
    ] + [
        {"id": f"to:{seg}", "side": "to", "segment": str(seg), "customers": int(n)}
        for seg, n in counts.sum(axis=0).items()
    ]
    index = {node["id"]: i for i, node in enumerate(nodes)}
    links = [
        {
            "source": index[f"from:{a}"],
            "target": index[f"to:{b}"],
            "from": a,
            "to": b,
            "customers": n,
            "share": plain(m.row_shares.loc[a, b]),
        }
        for a, b, n in m.flows()
    ]
    stayed = sum(n for a, b, n in m.flows() if a == b)
    new = int(counts.loc[NEW].sum())
    gone = int(counts[GONE].sum())
    moved = int(counts.to_numpy().sum()) - stayed - new - gone
    return {
        "date_from": start.isoformat(),
        "date_to": end.isoformat(),
        "nodes": nodes,
        "links": links,
        "matrix": {
            "rows": [str(x) for x in counts.index],
            "columns": [str(x) for x in counts.columns],
            "counts": [[int(x) for x in row] for row in counts.to_numpy()],
        },
        "stayed": stayed,
        "moved": moved,
        "new": new,
        "gone": gone,
    }


# ------------------------------------------------------------------------- cohorts


def _cohort_cell(row) -> dict[str, Any]:
    return {
        "metric": row.metric,
        "value": plain(row.value),
        "status": row.status,
        "reason": row.reason,
        "numerator": plain(row.numerator),
        "base": row.base,
        "members_reached": row.members_reached,
    }


def cohorts(
    ws: Workspace,
    *,
    kind: str = "first_purchase_month",
    as_of: dt.date | str | None = None,
    cohort: str | None = None,
) -> dict[str, Any]:
    """The retention heatmap: one row per cohort, D7/D30/D60 and churn 180.

    ``as_of`` defaults to the latest segments date, or the day of the latest order when
    no segments are built. Shape: ``kind``, ``kinds`` (every kind), ``anchor``,
    ``as_of``, ``cohort`` (the filter), ``cohorts`` (every cohort of the kind), ``metrics``,
    ``without_anchor``, ``rows`` [{cohort, members, cells [{metric, value, status,
    reason, numerator, base, members_reached}] (in ``metrics`` order), churn_180 {same}}].
    """
    day = as_date(as_of)
    if day is None:
        days = segment_dates(ws)
        day = days[-1] if days else last_data_date(ws)
    table = workspace_cohorts(ws, kind, as_of=day)
    names = list(table.cohorts)
    if cohort is not None:
        if cohort not in names:
            raise InputError(f"no {kind} cohort {cohort!r} on {day}")
        names = [cohort]
    if not names:
        raise InsufficientData(f"no {kind} cohort has members on {day}")
    rows = [
        {
            "cohort": name,
            "members": table.members[name],
            "cells": [_cohort_cell(table.get(name, m)) for m in RETENTION_METRICS],
            "churn_180": _cohort_cell(table.get(name, f"churn_{CHURN_DAYS}")),
        }
        for name in names
    ]
    return {
        "kind": table.kind,
        "kinds": list(COHORT_KINDS),
        "anchor": table.anchor,
        "as_of": day.isoformat(),
        "cohort": cohort,
        "cohorts": list(table.cohorts),
        "metrics": list(RETENTION_METRICS),
        "without_anchor": table.without_anchor,
        "rows": rows,
    }


# ---------------------------------------------------------------------------- risk


def risk_dates(ws: Workspace) -> list[dt.date]:
    r = ws.table("risk")
    return list(r.select("as_of").distinct().order_by("as_of").to_pyarrow().column(0).to_pylist())


def _reason_params(row: RiskRow, code: str) -> dict[str, Any]:
    """The numbers behind one fired reason (what the template writes next to it)."""
    if code.startswith("rhythm"):
        return {"gap_days": row.gap_days, "median_interval_days": row.median_interval_days}
    if code == "activity_drop":
        return {
            "activity_recent": row.activity_recent,
            "activity_baseline": row.activity_baseline,
            "activity_z": row.activity_z,
            "baseline_weeks": row.baseline_weeks,
        }
    if code == "recency_top_segment":
        return {"gap_days": row.gap_days, "segment": row.segment}
    if code.startswith("no_lessons"):
        return {"days_without_lessons": row.days_without_lessons}
    if code == "nps_negative":
        return {"nps_score": row.nps_score}
    return {"on": plain(getattr(row, f"{code}_on", None))}


def _risk_row(row: RiskRow) -> dict[str, Any]:
    return {
        "customer_id": row.customer_id,
        "score": row.points,
        "level": row.level,
        "segment": row.segment,
        "reasons": [
            {"code": r.code, "points": r.points, "params": plain(_reason_params(row, r.code))}
            for r in row.reasons
        ],
        "gap_days": row.gap_days,
        "median_interval_days": plain(row.median_interval_days),
        "interval_source": row.interval_source,
    }


def _risk_rows(table: ibis.Table) -> list[RiskRow]:
    fields = [f for f in RiskRow.__dataclass_fields__ if f != "reasons"]
    return [
        RiskRow(**{f: row[f] for f in fields}, reasons=parse_reasons(row["reasons"]))
        for row in table.to_pyarrow().to_pylist()
    ]


def risk_list(
    ws: Workspace,
    *,
    as_of: dt.date | str | None = None,
    level: str | None = None,
    segment: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """The riskiest customers (most points first, ties by id), filtered by level and
    segment, with the level counts and the reasons that fired on the date.

    Shape: ``as_of``, ``level``, ``segment``, ``limit``, ``customers`` (scored),
    ``matching`` (after the filters), ``medium_from``, ``high_from``, ``levels``
    [{level, customers, share}], ``reasons`` [{code, points, customers, share}], ``rows``
    [{customer_id, score, level, segment, reasons [{code, points, params}], gap_days,
    median_interval_days, interval_source}].
    """
    _check_limit(limit)
    if level is not None and level not in LEVELS:
        raise InputError(f"unknown risk level {level!r} (one of {', '.join(LEVELS)})")
    days = risk_dates(ws)
    day = as_date(as_of)
    if not days:
        raise InsufficientData("no churn-risk scores yet: run `livebase risk` first")
    if day is None:
        day = days[-1]
    elif day not in days:
        raise InsufficientData(
            f"no churn-risk scores for {day}: run `livebase risk --as-of {day}` first"
        )
    _check_segment(ws, segment, day, "monetary")
    summary = risk_summary(ws, day)
    r = ws.table("risk")
    r = r.filter(r.as_of == day)
    if level is not None:
        r = r.filter(r.level == level)
    if segment is not None:
        r = r.filter(r.segment == segment)
    matching = int(r.count().to_pyarrow().as_py())
    top = r.order_by([ibis.desc(r.points), r.customer_id]).limit(limit)
    return {
        "as_of": day.isoformat(),
        "level": level,
        "segment": segment,
        "limit": limit,
        "customers": summary.customers,
        "matching": matching,
        "medium_from": summary.medium_from,
        "high_from": summary.high_from,
        "levels": [plain(x) for x in summary.levels],
        "reasons": [plain(x) for x in summary.reasons],
        "rows": [_risk_row(x) for x in _risk_rows(top)],
    }


# --------------------------------------------------------------------------- waves


def _counts(table: ibis.Table, keys: list[str], **aggs) -> list[dict[str, Any]]:
    return table.group_by(keys).aggregate(**aggs).to_pyarrow().to_pylist()


def _wave_rows(ws: Workspace, wave_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Calendar rows of the waves (every wave when ``wave_ids`` is None)."""
    w = ws.table("waves")
    a, t, e = ws.table("assignments"), ws.table("touches"), ws.table("exclusions")
    if wave_ids is not None:
        ids = list(wave_ids)
        w, a = w.filter(w.wave_id.isin(ids)), a.filter(a.wave_id.isin(ids))
        t, e = t.filter(t.wave_id.isin(ids)), e.filter(e.wave_id.isin(ids))
    waves = w.order_by(["starts_on", "wave_id"]).to_pyarrow().to_pylist()
    assigned: dict[str, dict[str, int]] = {}
    for row in _counts(a, ["wave_id", "arm"], n=a.count()):
        assigned.setdefault(row["wave_id"], {})[row["arm"]] = int(row["n"])
    touches: dict[str, dict[str, int]] = {}
    for row in _counts(t, ["wave_id", "channel"], n=t.count()):
        touches.setdefault(row["wave_id"], {})[row["channel"] or ""] = int(row["n"])
    left = e.filter(e.touch_no == 0)
    excluded: dict[str, dict[str, int]] = {}
    for row in _counts(left, ["wave_id", "reason_code"], n=left.customer_id.nunique()):
        excluded.setdefault(row["wave_id"], {})[row["reason_code"]] = int(row["n"])
    excluded_total = {
        row["wave_id"]: int(row["n"])
        for row in _counts(left, ["wave_id"], n=left.customer_id.nunique())
    }
    out = []
    for row in waves:
        wid = row["wave_id"]
        arms = [x.strip() for x in (row["arms"] or "").split(",") if x.strip()]
        got = assigned.get(wid, {})
        per_arm = {arm: got.get(arm, 0) for arm in arms} | {
            arm: n for arm, n in sorted(got.items()) if arm not in arms
        }
        days = row["days"]
        start = row["starts_on"]
        by_channel = dict(sorted(touches.get(wid, {}).items()))
        out.append(
            {
                "wave_id": wid,
                "playbook": row["playbook"],
                "segment": row["segment"],
                "starts_on": plain(start),
                "ends_on": plain(start + dt.timedelta(days=days - 1))
                if start is not None and days
                else None,
                "days": days,
                "status": row["status"],
                "as_of": plain(row["as_of"]),
                "arms": arms,
                "weights": json.loads(row["weights"]) if row["weights"] else {},
                "assigned": per_arm,
                "assigned_total": sum(per_arm.values()),
                "touches_planned": sum(by_channel.values()),
                "touches_by_channel": by_channel,
                "excluded": dict(sorted(excluded.get(wid, {}).items(), key=lambda x: -x[1])),
                "excluded_total": excluded_total.get(wid, 0),
            }
        )
    return out


def waves(
    ws: Workspace,
    *,
    date_from: dt.date | str | None = None,
    date_to: dt.date | str | None = None,
    segment: str | None = None,
) -> dict[str, Any]:
    """The wave calendar, by start then id: the waves running on any day of
    ``[date_from, date_to]`` (open ends when not given) and of ``segment``.

    Shape: ``date_from``, ``date_to``, ``segment`` (the filters), ``segments`` (every
    wave's segment, for the filter), ``waves`` [{wave_id, playbook, segment, starts_on,
    ends_on, days, status, as_of, arms, weights, assigned {arm: n}, assigned_total,
    touches_planned, touches_by_channel {channel: n}, excluded {reason: customers},
    excluded_total}], ``first_day``, ``last_day`` (the span of the listed waves).
    """
    start, end = as_date(date_from, "date_from"), as_date(date_to, "date_to")
    if start is not None and end is not None and start > end:
        raise InputError(f"date_from ({start}) must not be after date_to ({end})")
    w = ws.table("waves")
    every = w.select("wave_id", "segment", "starts_on", "days").to_pyarrow().to_pylist()
    if not every:
        raise InsufficientData("no waves planned yet: run `livebase plan` first")
    segments = sorted({x["segment"] for x in every if x["segment"]})
    if segment is not None and segment not in segments:
        raise InputError(f"no wave of segment {segment!r} (waves of: {', '.join(segments)})")

    def keep(x: dict[str, Any]) -> bool:
        first = x["starts_on"]
        last = first + dt.timedelta(days=max((x["days"] or 1) - 1, 0)) if first else None
        return (
            (segment is None or x["segment"] == segment)
            and (start is None or (last is not None and last >= start))
            and (end is None or (first is not None and first <= end))
        )

    rows = _wave_rows(ws, [x["wave_id"] for x in every if keep(x)])
    starts = [r["starts_on"] for r in rows if r["starts_on"]]
    ends = [r["ends_on"] for r in rows if r["ends_on"]]
    return {
        "date_from": plain(start),
        "date_to": plain(end),
        "segment": segment,
        "segments": segments,
        "waves": rows,
        "first_day": min(starts) if starts else None,
        "last_day": max(ends) if ends else None,
    }


def audiences(
    ws: Workspace,
    wave_id: str,
    *,
    arm: str | None = None,
    channel: str | None = None,
    offset: int = 0,
    limit: int = MAX_LIMIT,
) -> dict[str, Any]:
    """Who is in a wave, per arm (the holdout too): pseudonymous ids only, with the
    channels of the customer's planned touches, for an integration to pick up.

    Rows come by customer id, ``limit`` at a time from ``offset``; ``channel`` keeps the
    customers with a planned touch on that channel. Shape: ``wave_id``, ``arm``,
    ``channel`` (the filters), ``arms`` [{arm, customers}] (the whole wave, planned
    order), ``total`` (customers matching the filters), ``offset``, ``limit``, ``rows``
    [{customer_id, arm, stratum, channels [..]}].
    """
    _check_limit(limit)
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InputError(f"offset must be a whole number from 0, got {offset!r}")
    rows = _wave_rows(ws, [wave_id])
    if not rows:
        raise InputError(f"no wave {wave_id!r} (see `livebase plan`)")
    per_arm = rows[0]["assigned"]
    if arm is not None and arm not in per_arm:
        raise InputError(f"wave {wave_id} has no arm {arm!r} (arms: {', '.join(per_arm)})")
    a = ws.table("assignments")
    a = a.filter(a.wave_id == wave_id)
    if arm is not None:
        a = a.filter(a.arm == arm)
    t = ws.table("touches")
    t = t.filter(t.wave_id == wave_id)
    if channel is not None:
        known = set(_touch_counts(ws, wave_id, "channel"))
        if channel not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise InputError(f"wave {wave_id} plans no touch on {channel!r} (channels: {listed})")
        a = a.semi_join(t.filter(t.channel == channel), "customer_id")
    total = int(a.count().to_pyarrow().as_py())
    page = (
        a.order_by("customer_id")
        .limit(limit, offset=offset)
        .select("customer_id", "arm", "stratum")
        .to_pyarrow()
        .to_pylist()
    )
    ids = [r["customer_id"] for r in page]
    channels: dict[str, list[str]] = {}
    if ids:
        c = t.filter(t.customer_id.isin(ids)).select("customer_id", "channel").distinct()
        for r in c.order_by(["customer_id", "channel"]).to_pyarrow().to_pylist():
            channels.setdefault(r["customer_id"], []).append(r["channel"])
    return {
        "wave_id": wave_id,
        "arm": arm,
        "channel": channel,
        "arms": [{"arm": k, "customers": v} for k, v in per_arm.items()],
        "total": total,
        "offset": offset,
        "limit": limit,
        "rows": [{**r, "channels": channels.get(r["customer_id"], [])} for r in page],
    }


def _interval(pair) -> tuple[float | None, float | None]:
    return (None, None) if pair is None else (float(pair[0]), float(pair[1]))


def _arm_row(arm, verdict: str) -> dict[str, Any]:
    rate_low, rate_high = _interval(arm.rate_ci)
    low, high = _interval(arm.uplift_ci_pp)
    return {
        "arm": arm.arm,
        "status": arm.status,
        "reason": arm.reason,
        "is_control": arm.is_control,
        "n": arm.n,
        "conversions": arm.conversions,
        "orders": arm.orders,
        "revenue": money(arm.revenue),
        "revenue_value": money_value(arm.revenue),
        "rate": arm.rate,
        "rate_ci_low": rate_low,
        "rate_ci_high": rate_high,
        "uplift_pp": arm.uplift_pp,
        "ci_low": low,
        "ci_high": high,
        "p_value": arm.p_value,
        "p_holm": arm.p_holm,
        "p_bh": arm.p_bh,
        "revenue_per_assigned": money(arm.revenue_per_assigned),
        "aov": money(arm.aov),
        "arppu": money(arm.arppu),
        "detectable_pp": arm.detectable_pp,
        "revenue_test": plain(arm.revenue_test),
        "increment": plain(arm.increment),
        "verdict": verdict,
    }


def _exclusions(ws: Workspace, wave_id: str) -> list[dict[str, Any]]:
    e = ws.table("exclusions")
    e = e.filter(e.wave_id == wave_id)
    rows = (
        e.group_by(["reason_code", "action"])
        .aggregate(rows=e.count(), customers=e.customer_id.nunique())
        .order_by([ibis.desc("rows"), "reason_code", "action"])
        .to_pyarrow()
        .to_pylist()
    )
    return [{k: plain(v) for k, v in r.items()} for r in rows]


def _touch_counts(ws: Workspace, wave_id: str, key: str) -> dict[str, int]:
    t = ws.table("touches")
    t = t.filter(t.wave_id == wave_id)
    rows = t.group_by(key).aggregate(n=t.count()).order_by(key).to_pyarrow().to_pylist()
    return {r[key] or "": int(r["n"]) for r in rows}


def wave(ws: Workspace, wave_id: str, *, lang: str) -> dict[str, Any]:
    """One wave: plan, exclusions, readout per arm (for a forest plot), the decision,
    attributed against incremental revenue and the attribution credits.

    Shape: ``wave`` (its calendar row), ``lang``, ``currency``, ``window`` {days, start,
    end_inclusive}, ``plan`` {assigned, touches_planned, touches_by_channel,
    touches_by_arm, touches_by_purpose}, ``exclusions`` [{reason_code, action, rows,
    customers}], ``readout`` {control, alpha, test, adjust_across, power, srm, arms
    [{arm, status, reason, is_control, n, conversions, orders, revenue, rate,
    rate_ci_low, rate_ci_high, uplift_pp, ci_low, ci_high, p_value, p_holm, p_bh,
    revenue_per_assigned, aov, arppu, detectable_pp, revenue_test, increment,
    verdict}]}, ``decision``, ``whole`` {status, reason, until, incremental_orders,
    incremental_orders_low, incremental_orders_high, incremental_revenue, increment},
    ``money`` {incremental_revenue, cost_total, gross_margin, margin_after_costs},
    ``attributed_vs_incremental`` {orders_paid, revenue_paid, orders_attributed,
    revenue_attributed, incremental_orders, incremental_revenue, over_credit},
    ``attribution`` (:meth:`~livebase.attribution.Attribution.to_dict` plus ``models``
    and ``revenue_value`` per credit), ``offers`` [{channel, offer_type, orders,
    revenue}], ``extras`` [{arm, assigned, payers, purchases, refunds, refund_rate,
    refunded_amount, upsell_buyers, upsell_share, upsells, upsell_revenue}], ``costs``
    [{channel, amount, amount_value}].
    """
    rows = _wave_rows(ws, [wave_id])
    if not rows:
        raise InputError(f"no wave {wave_id!r} (see `livebase plan`)")
    review = wave_review(ws, wave_id, lang=lang)
    rep = review.readout
    res = rep.readout
    inc = review.whole.increment
    inc_low, inc_high = _interval(inc.incremental_orders_ci if inc else None)
    attr = review.attribution
    credits = attr.to_dict()
    for c, raw in zip(credits["credits"], attr.credits, strict=True):
        c["revenue_value"] = money_value(raw.revenue)
    credits["models"] = list(dict.fromkeys(c.model for c in attr.credits))
    gm = inc.gross_margin if inc else ws.config.experiments.gross_margin
    return {
        "wave": rows[0],
        "lang": rep.lang,
        "currency": review.currency,
        "window": {
            "days": rep.window_days,
            "start": rep.window_start.isoformat(),
            "end_inclusive": rep.window_end.isoformat(),
        },
        "plan": {
            "assigned": rows[0]["assigned"],
            "touches_planned": rows[0]["touches_planned"],
            "touches_by_channel": rows[0]["touches_by_channel"],
            "touches_by_arm": _touch_counts(ws, wave_id, "arm"),
            "touches_by_purpose": _touch_counts(ws, wave_id, "purpose"),
        },
        "exclusions": _exclusions(ws, wave_id),
        "readout": {
            "control": res.control,
            "alpha": res.alpha,
            "test": res.test,
            "adjust_across": res.adjust_across,
            "power": res.power,
            "aa": res.aa,
            "srm": plain(res.srm),
            "arms": [_arm_row(a, v) for a, v in zip(res.arms, rep.verdicts, strict=True)],
        },
        "decision": review.decision,
        "whole": {
            "status": review.whole.status,
            "reason": review.whole.reason,
            "until": plain(review.whole.until),
            "incremental_orders": inc.incremental_orders if inc else None,
            "incremental_orders_low": inc_low,
            "incremental_orders_high": inc_high,
            "incremental_revenue": money(review.incremental_revenue),
            "increment": plain(inc),
        },
        "money": {
            "incremental_revenue": money(review.incremental_revenue),
            "incremental_revenue_value": money_value(review.incremental_revenue),
            "cost_total": money(review.cost_total),
            "cost_total_value": money_value(review.cost_total),
            "gross_margin": gm,
            "margin_after_costs": money(review.margin_after_costs),
            "margin_after_costs_value": money_value(review.margin_after_costs),
        },
        "attributed_vs_incremental": {
            "orders_paid": attr.orders_paid,
            "revenue_paid": money(attr.revenue_paid),
            "orders_attributed": attr.orders_attributed,
            "revenue_attributed": money(attr.revenue_attributed),
            "revenue_attributed_value": money_value(attr.revenue_attributed),
            "incremental_orders": inc.incremental_orders if inc else None,
            "incremental_revenue": money(review.incremental_revenue),
            "incremental_revenue_value": money_value(review.incremental_revenue),
            "over_credit": review.over_credit,
        },
        "attribution": credits,
        "offers": [
            {
                "channel": ch,
                "offer_type": offer,
                "orders": orders,
                "revenue": money(revenue),
                "revenue_value": money_value(revenue),
            }
            for ch, offer, orders, revenue in review.offers
        ],
        "extras": [
            {
                **plain(x),
                "refund_rate": x.refund_rate,
                "upsell_share": x.upsell_share,
            }
            for x in review.extras
        ],
        "costs": [
            {"channel": ch, "amount": money(v), "amount_value": money_value(v)}
            for ch, v in review.costs
        ],
    }


# ------------------------------------------------------------------------ customer


def _customer_waves(ws: Workspace, cid: str) -> list[str]:
    ids: set[str] = set()
    for name in ("assignments", "touches", "exclusions"):
        t = ws.table(name)
        ids |= set(
            t.filter(t.customer_id == cid)
            .select("wave_id")
            .distinct()
            .to_pyarrow()
            .column(0)
            .to_pylist()
        )
    if not ids:
        return []
    w = ws.table("waves")
    order = (
        w.filter(w.wave_id.isin(sorted(ids)))
        .order_by(["starts_on", "wave_id"])
        .select("wave_id")
        .to_pyarrow()
        .column(0)
        .to_pylist()
    )
    return order + sorted(ids - set(order))


def _orders(ws: Workspace, cid: str) -> list[dict[str, Any]]:
    o = ws.table("orders")
    o = o.filter(o.customer_id == cid)
    p = purchases(ws.con, ws.config.purchase_rules, until=_FAR)
    counted = p.filter((p.customer_id == cid) & p.is_purchase).select(counted_id="order_id")
    j = o.left_join(counted, o.order_id == counted.counted_id)
    rows = (
        j.select(
            "order_id",
            "created_at",
            "paid_at",
            "status",
            "amount",
            "refunded_amount",
            "currency",
            "product_id",
            "product_title",
            "category",
            "plan_id",
            "offer_id",
            "discount_amount",
            "utm_campaign",
            counted=j.counted_id.notnull(),
        )
        .order_by([ibis.coalesce(ibis._.paid_at, ibis._.created_at), "order_id"])
        .to_pyarrow()
        .to_pylist()
    )
    out = []
    for r in rows:
        row = plain(r)
        row["amount_value"] = money_value(r["amount"])
        out.append(row)
    return out


def customer(
    ws: Workspace,
    customer_id: str,
    *,
    lang: str,
    as_of: dt.date | str | None = None,
    messages_limit: int = 200,
) -> dict[str, Any]:
    """A customer's card: why this segment, what we sent, what they consented to.

    Shape: ``customer_id``, ``as_of``, ``lang``, ``currency``, ``timezone``, ``profile``
    {created_at, region, timezone, first_channel, is_corporate, has_child,
    last_seen_at}, ``segment`` {segment, name, rule, sleep_tier, is_top} | None,
    ``segment_history`` [{as_of, segment, rule}], ``rfm`` {recency_days, frequency,
    monetary, monetary_value, r, f, m} | None, ``risk`` {as_of, score, level, reasons
    [{code, points, params}], ...} | None, ``waves`` [{wave_id, playbook, planned_on,
    segment, rule, arm, stratum, excluded [{reason_code, detail}], decisions
    [{touch_no, reason_code, action, detail, channel, planned_at, moved_to}], touches
    [...]}], ``touches_planned`` (every planned touch, by time), ``messages`` (newest
    first) with ``messages_total`` and ``messages_sent``, ``consents`` {state, history},
    ``orders`` [...] with ``orders_total`` and ``orders_counted``.
    """
    lang = check_lang(lang)
    _check_limit(messages_limit, "messages_limit")
    cid = resolve_customer(ws, str(customer_id))
    days = segment_dates(ws)
    day = as_date(as_of)
    if day is None:
        day = days[-1] if days else None
    elif day not in days:
        day = _segments_day(ws, day)  # raises with the built dates
    smap = default_map()

    c = ws.table("customers")
    found = c.filter(c.customer_id == cid).to_pyarrow().to_pylist()
    profile = None
    if found:
        prof = found[0]
        profile = {
            "created_at": plain(prof["created_at"]),
            "region": prof["region"],
            "timezone": prof["timezone"],
            "first_channel": prof["first_channel"],
            "is_corporate": prof["is_corporate"],
            "has_child": prof["child_birth_date"] is not None,
            "last_seen_at": plain(prof["last_seen_at"]),
        }

    s = ws.table("segments")
    s = s.filter((s.version == "monetary") & (s.customer_id == cid))
    history = s.order_by("as_of").to_pyarrow().to_pylist()
    seg = next((h for h in history if h["as_of"] == day), None)
    segment = (
        None
        if seg is None
        else {
            "as_of": plain(seg["as_of"]),
            "segment": seg["segment"],
            "name": smap.label(seg["segment"], lang),
            "rule": seg["rule"],
            "sleep_tier": seg["sleep_tier"],
            "is_top": seg["is_top"],
        }
    )
    rfm_row = None
    if day is not None:
        r = _rfm(ws, day, "monetary")
        got = r.filter(r.customer_id == cid).to_pyarrow().to_pylist()
        if got:
            g = got[0]
            rfm_row = {
                "recency_days": g["recency_days"],
                "frequency": g["frequency"],
                "monetary": money(g["monetary"]),
                "monetary_value": money_value(g["monetary"]),
                "r": g["r"],
                "f": g["f"],
                "m": g["m"],
            }

    risk = None
    rk = ws.table("risk")
    rk = rk.filter(rk.customer_id == cid)
    if day is not None:
        rk = rk.filter(rk.as_of <= day)
    newest = rk.as_of.max().to_pyarrow().as_py()
    if newest is not None:
        got_risk = _risk_rows(rk.filter(rk.as_of == newest))
        risk = {"as_of": plain(newest), **_risk_row(got_risk[0])}
        risk.pop("customer_id")

    wave_cards = []
    planned = []
    for wid in _customer_waves(ws, cid):
        why = explain(ws, cid, wid)
        touches = _records(why.touches.drop(columns=["customer_id"], errors="ignore"))
        planned += touches
        wave_cards.append(
            {
                "wave_id": wid,
                "playbook": why.playbook,
                "planned_on": plain(why.as_of),
                "segment": why.segment,
                "rule": why.rule,
                "arm": why.arm,
                "stratum": why.stratum,
                "excluded": _records(why.excluded[["reason_code", "detail"]]),
                "decisions": _records(
                    why.decisions[
                        [
                            "touch_no",
                            "reason_code",
                            "action",
                            "detail",
                            "channel",
                            "planned_at",
                            "moved_to",
                        ]
                    ]
                ),
                "touches": touches,
            }
        )
    planned.sort(key=lambda x: (x["planned_at"] or "", x["wave_id"], x["touch_no"]))

    m = ws.table("messages")
    m = m.filter(m.customer_id == cid)
    counts = m.aggregate(n=m.count(), sent=(m.event == "sent").sum()).to_pyarrow().to_pylist()[0]
    messages = (
        m.drop("customer_id")
        .order_by([ibis.desc("ts"), "event_id"])
        .limit(messages_limit)
        .to_pyarrow()
        .to_pylist()
    )
    state = consent_state(ws.con, as_of=_FAR)
    state = state.filter(state.customer_id == cid).order_by(["channel", "purpose"])
    orders = _orders(ws, cid)
    return {
        "customer_id": cid,
        "as_of": plain(day),
        "lang": lang,
        "currency": ws.config.currency,
        "timezone": ws.config.timezone,
        "profile": profile,
        "segment": segment,
        "segment_history": [
            {"as_of": plain(h["as_of"]), "segment": h["segment"], "rule": h["rule"]}
            for h in history
        ],
        "rfm": rfm_row,
        "risk": risk,
        "waves": wave_cards,
        "touches_planned": planned,
        "messages": [plain(x) for x in messages],
        "messages_total": int(counts["n"] or 0),
        "messages_sent": int(counts["sent"] or 0),
        "consents": {
            "state": [plain(x) for x in state.drop("customer_id").to_pyarrow().to_pylist()],
            "history": _records(consent_history(ws.con, cid)),
        },
        "orders": orders,
        "orders_total": len(orders),
        "orders_counted": sum(o["counted"] for o in orders),
    }


__all__ = [
    "as_date",
    "cohorts",
    "customer",
    "migration",
    "money",
    "money_value",
    "overview",
    "plain",
    "rfm_grid",
    "risk_list",
    "segment_dates",
    "segment_trend",
    "wave",
    "waves",
]


# -------------------------------------------------------------------------- events


EVENT_STATUSES = ("stored", "rejected")


def events(
    ws: Workspace,
    *,
    status: str | None = None,
    source: str | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """The webhook's events, newest first: what arrived, when, and what became of it.

    ``webhook_events`` keeps ids, sources, kinds and reason codes only (never a payload),
    so nothing personal shows. Shape: ``status``, ``source``, ``limit`` (the filters),
    ``total`` (every event), ``matching``, ``last_received_at``, ``by_status``
    [{status, events}], ``by_source`` [{source, kind, stored, rejected}], ``rows``
    [{event_id, source, kind, received_at, status, reason}].
    """
    _check_limit(limit)
    if status is not None and status not in EVENT_STATUSES:
        raise InputError(f"unknown event status {status!r} (one of {', '.join(EVENT_STATUSES)})")
    e = ws.table("webhook_events")
    sources = sorted(e.select("source").distinct().to_pyarrow().column(0).to_pylist())
    if source is not None and source not in sources:
        listed = ", ".join(sources) or "none yet"
        raise InputError(f"no events from {source!r} (sources: {listed})")
    summary = (
        e.group_by(["source", "kind"])
        .aggregate(
            stored=(e.status == "stored").sum(),
            rejected=(e.status == "rejected").sum(),
            last=e.received_at.max(),
        )
        .order_by(["source", "kind"])
        .to_pyarrow()
        .to_pylist()
    )
    f = e
    if status is not None:
        f = f.filter(f.status == status)
    if source is not None:
        f = f.filter(f.source == source)
    rows = (
        f.order_by([ibis.desc(f.received_at), f.event_id])
        .limit(limit)
        .select("event_id", "source", "kind", "received_at", "status", "reason")
        .to_pyarrow()
        .to_pylist()
    )
    last = max((x["last"] for x in summary if x["last"] is not None), default=None)
    return {
        "status": status,
        "source": source,
        "limit": limit,
        "total": sum(int(x["stored"] or 0) + int(x["rejected"] or 0) for x in summary),
        "matching": int(f.count().to_pyarrow().as_py()),
        "last_received_at": plain(last),
        "by_status": [
            {"status": st, "events": sum(int(x[st] or 0) for x in summary)} for st in EVENT_STATUSES
        ],
        "by_source": [
            {
                "source": x["source"],
                "kind": x["kind"],
                "stored": int(x["stored"] or 0),
                "rejected": int(x["rejected"] or 0),
            }
            for x in summary
        ],
        "rows": [plain(r) for r in rows],
    }
