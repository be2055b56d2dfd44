"""NPS per segment and per cohort, and the support load (SPEC F3.4; seeds 003, 004).

Definitions (days and months are UTC calendar days and months):

- **Answer counted**: each customer's latest ``nps_responses`` answer dated in the
  lookback window, the ``lookback_days`` days ending on ``as_of``.
- **NPS**: % promoters (9–10) − % detractors (0–6) of the counted answers, with the
  interval and statuses of :func:`livebase.experiments.nps.nps_from_counts` (Wald; fewer
  than 30 answers: the score without an interval).
- **NPS per segment**: answers grouped by the customer's segment in the ``segments`` mart
  of ``as_of`` (monetary RFM by default); an answering customer without a segment row is in
  group ``None``.
- **NPS per cohort**: answers grouped by the month of the customer's first counted
  purchase (:func:`livebase.metrics.purchases.purchases`) up to ``as_of``; an answering
  customer without a counted purchase is in group ``None``.
- **Active customer of a month**: made a counted purchase or had a learning activity
  (:data:`livebase.metrics.rfm.LEARNING_KINDS`) in that month.
- **Tickets per 1,000 active customers**: all ``tickets`` rows dated in the month (by any
  customer) / active customers of the month × 1,000.
- **Ticket coverage**: the store's tickets cover the months from the first to the last
  month with a ticket up to ``as_of``; outside them the rate is ``None`` with reason
  ``no_ticket_data`` (a school that does not import tickets has no support load of 0); a
  month without an active customer has reason ``no_active_customers``; the month of
  ``as_of`` counts up to the end of ``as_of`` and is marked ``partial``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis

from livebase.config import PurchaseRules
from livebase.errors import InputError, InsufficientData
from livebase.experiments.nps import NpsResult, nps_from_counts
from livebase.experiments.status import INSUFFICIENT, OK
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import LEARNING_KINDS, day_end, months_before
from livebase.segments.segment_map import SegmentMap, default_map
from livebase.store.workspace import Workspace

NPS_LOOKBACK_DAYS = 180


@dataclass(frozen=True)
class NpsGroup:
    """NPS of one group: a segment id or a cohort month (``None``: not in any)."""

    group: str | dt.date | None
    result: NpsResult


@dataclass(frozen=True)
class NpsBreakdown:
    """NPS of all counted answers (``total``) and per group (``by``: segment or cohort)."""

    by: str
    as_of: dt.date
    since: dt.date  # first day of the lookback window
    lookback_days: int
    total: NpsResult
    groups: tuple[NpsGroup, ...]


@dataclass(frozen=True)
class SupportMonth:
    """Support load of one month: the counts always, the rate when it is defined."""

    month: dt.date  # first day of the month
    tickets: int
    active: int
    per_1000: float | None
    partial: bool  # the month runs past as_of
    status: str
    reason: str | None


def latest_answers(ws: Workspace, as_of: dt.date, lookback_days: int) -> ibis.Table:
    """Each customer's latest answer in the lookback window: customer_id, ts, score."""
    if lookback_days < 1:
        raise InputError(f"the NPS lookback must be at least one day, not {lookback_days}")
    since = as_of - dt.timedelta(days=lookback_days - 1)
    r = ws.table("nps_responses")
    r = r.filter((r.ts >= dt.datetime.combine(since, dt.time())) & (r.ts < day_end(as_of)))
    w = ibis.window(group_by="customer_id", order_by=ibis.desc("ts"))
    r = r.mutate(_k=ibis.row_number().over(w))
    return r.filter(r._k == 0).select("customer_id", "ts", "score")


def _grouped(t: ibis.Table, key: str) -> list[dict]:
    rows = (
        t.group_by(key)
        .aggregate(
            promoters=(t.score >= 9).sum(),
            passives=((t.score >= 7) & (t.score <= 8)).sum(),
            detractors=(t.score <= 6).sum(),
            invalid=((t.score < 0) | (t.score > 10)).sum(),
        )
        .to_pyarrow()
        .to_pylist()
    )
    bad = sum(int(r["invalid"] or 0) for r in rows)
    if bad:
        raise InputError(f"{bad} stored NPS answers are not whole numbers from 0 to 10")
    return rows


def _breakdown(
    rows: list[dict], key: str, by: str, as_of: dt.date, lookback: int, order, alpha: float
) -> NpsBreakdown:
    def counts(r: dict) -> tuple[int, int, int]:
        return int(r["promoters"] or 0), int(r["passives"] or 0), int(r["detractors"] or 0)

    total = [sum(c) for c in zip(*(counts(r) for r in rows), strict=True)] or [0, 0, 0]
    groups = tuple(
        NpsGroup(r[key], nps_from_counts(*counts(r), alpha=alpha))
        for r in sorted(rows, key=lambda r: order(r[key]))
    )
    return NpsBreakdown(
        by=by,
        as_of=as_of,
        since=as_of - dt.timedelta(days=lookback - 1),
        lookback_days=lookback,
        total=nps_from_counts(*total, alpha=alpha),
        groups=groups,
    )


def nps_by_segment(
    ws: Workspace,
    as_of: dt.date,
    *,
    lookback_days: int = NPS_LOOKBACK_DAYS,
    version: str = "monetary",
    smap: SegmentMap | None = None,
    alpha: float = 0.05,
) -> NpsBreakdown:
    """NPS per segment of the ``as_of`` segments mart, segments in the order of ``smap``
    (the default map), unknown ids after them by name, ``None`` last. Raises
    :class:`InsufficientData` without a segments mart for ``as_of``."""
    seg = ws.table("segments")
    seg = seg.filter((seg.as_of == as_of) & (seg.version == version))
    if seg.count().to_pyarrow().as_py() == 0:
        raise InsufficientData(
            f"no {version} segments for {as_of}: run `livebase segment --as-of {as_of}` "
            "first, then read NPS per segment"
        )
    seg = seg.select(s_id="customer_id", segment="segment")
    a = latest_answers(ws, as_of, lookback_days)
    j = a.left_join(seg, a.customer_id == seg.s_id)
    ids = [s.id for s in (smap or default_map()).segments]

    def order(segment: str | None) -> tuple:
        if segment is None:
            return (2, len(ids), "")
        return (0, ids.index(segment), "") if segment in ids else (1, 0, segment)

    rows = _grouped(j, "segment")
    return _breakdown(rows, "segment", "segment", as_of, lookback_days, order, alpha)


def first_purchase_months(ws: Workspace, as_of: dt.date, rules: PurchaseRules) -> ibis.Table:
    """customer_id and cohort (first day of the month of the first counted purchase)."""
    p = purchases(ws.con, rules, until=day_end(as_of))
    p = p.filter(p.is_purchase)
    first = p.group_by("customer_id").aggregate(first_ts=p.ts.min())
    return first.select("customer_id", cohort=first.first_ts.date().truncate("M"))


def nps_by_cohort(
    ws: Workspace,
    as_of: dt.date,
    *,
    lookback_days: int = NPS_LOOKBACK_DAYS,
    rules: PurchaseRules | None = None,
    alpha: float = 0.05,
) -> NpsBreakdown:
    """NPS per first-purchase month, oldest first, ``None`` (no counted purchase) last."""
    cohorts = first_purchase_months(ws, as_of, rules or ws.config.purchase_rules)
    cohorts = cohorts.rename(c_id="customer_id")
    a = latest_answers(ws, as_of, lookback_days)
    j = a.left_join(cohorts, a.customer_id == cohorts.c_id)

    def order(cohort: dt.date | None) -> tuple:
        return (1, dt.date.min) if cohort is None else (0, cohort)

    rows = _grouped(j, "cohort")
    return _breakdown(rows, "cohort", "cohort", as_of, lookback_days, order, alpha)


def _month_of(t: ibis.Table, ts: str = "ts") -> ibis.Expr:
    return t[ts].date().truncate("M")


def support_load(
    ws: Workspace,
    *,
    as_of: dt.date,
    months: int = 12,
    rules: PurchaseRules | None = None,
) -> tuple[SupportMonth, ...]:
    """Tickets per 1,000 active customers for the ``months`` months ending with the month
    of ``as_of``, oldest first."""
    if months < 1:
        raise InputError(f"support load: at least one month, not {months}")
    rules = rules or ws.config.purchase_rules
    last = as_of.replace(day=1)
    first = months_before(last, months - 1)
    start = dt.datetime.combine(first, dt.time())
    end = day_end(as_of)

    p = purchases(ws.con, rules, until=end)
    p = p.filter(p.is_purchase & (p.ts >= start))
    a = ws.table("activities")
    a = a.filter(a.kind.isin(LEARNING_KINDS) & (a.ts >= start) & (a.ts < end))
    active = (
        p.select("customer_id", month=_month_of(p))
        .union(a.select("customer_id", month=_month_of(a)))
        .distinct()
    )
    active_rows = active.group_by("month").aggregate(n=active.count()).to_pyarrow().to_pylist()
    per_active = {r["month"]: int(r["n"]) for r in active_rows}

    t = ws.table("tickets")
    t = t.filter(t.ts < end)
    span = t.aggregate(lo=t.ts.min(), hi=t.ts.max()).to_pyarrow().to_pylist()[0]
    t = t.filter(t.ts >= start)
    ticket_rows = t.group_by(month=_month_of(t)).aggregate(n=t.count()).to_pyarrow().to_pylist()
    per_tickets = {r["month"]: int(r["n"]) for r in ticket_rows}
    lo = span["lo"].date().replace(day=1) if span["lo"] is not None else None
    hi = span["hi"].date().replace(day=1) if span["hi"] is not None else None

    out = []
    for k in range(months - 1, -1, -1):
        month = months_before(last, k)
        tickets, n = per_tickets.get(month, 0), per_active.get(month, 0)
        if lo is None or not lo <= month <= hi:
            status, reason, rate = INSUFFICIENT, "no_ticket_data", None
        elif n == 0:
            status, reason, rate = INSUFFICIENT, "no_active_customers", None
        else:
            status, reason, rate = OK, None, tickets / n * 1000
        partial = month == last and as_of.day < _days_in(month)
        out.append(SupportMonth(month, tickets, n, rate, partial, status, reason))
    return tuple(out)


def _days_in(month: dt.date) -> int:
    """>>> _days_in(dt.date(2024, 2, 1)), _days_in(dt.date(2025, 12, 1))
    (29, 31)
    """
    nxt = months_before(month, -1)
    return (nxt - month).days
