"""Movement of the base over time: snapshots, sizes, migration and 555 retention
(SPEC F2.6; seed 001).

A *snapshot* is the ``rfm`` + ``segments`` marts of one as-of date (version
``monetary``). :func:`build_history` fills them for every month end of a period;
:func:`sizes_over_time` reads customers and revenue per segment and date;
:func:`migration_matrix` counts who moved from which segment to which between two
snapshots; :func:`retention_555` follows the champions of one date.

Snapshots are recomputed from the store as it is now: a refund recorded later changes an
earlier snapshot when it is rebuilt. The engine aggregates; only small tables (one row
per date and segment, or per pair of segments) come back to Python.

>>> [d.isoformat() for d in month_ends(dt.date(2025, 1, 15), dt.date(2025, 4, 30))]
['2025-01-31', '2025-02-28', '2025-03-31', '2025-04-30']
>>> nearest_month_end(dt.date(2025, 3, 28)), nearest_month_end(dt.date(2025, 3, 10))
(datetime.date(2025, 3, 31), datetime.date(2025, 2, 28))
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import ibis
import pandas as pd

from livebase.errors import InputError, InsufficientData
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import day_end, months_before
from livebase.segments.build import build_segments, last_data_date
from livebase.segments.segment_map import SegmentMap, default_map
from livebase.store.workspace import Workspace

VERSION = "monetary"  # snapshots, sizes and migration read the monetary RFM version
NEW = "new"  # migration row: customers not scored on the first date
GONE = "gone"  # migration column: customers not scored on the second date
OK = "ok"
INSUFFICIENT = "insufficient_data"
Status = Literal["ok", "insufficient_data"]
Progress = Callable[[str, float], None]  # (what is being done, fraction done)
FREQUENCIES = ("monthly", "quarterly")

SIZE_COLUMNS = ["as_of", "segment", "customers", "share", "revenue", "revenue_share"]


# ---------------------------------------------------------------------------- dates


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month.

    >>> month_end(dt.date(2024, 2, 10))
    datetime.date(2024, 2, 29)
    """
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, the day clamped to the month's length.

    >>> add_months(dt.date(2025, 1, 31), 1), add_months(dt.date(2025, 1, 31), 6)
    (datetime.date(2025, 2, 28), datetime.date(2025, 7, 31))
    """
    return months_before(day, -months)


def months_later(day: dt.date, months: int) -> dt.date:
    """``day`` + ``months``; a month end stays a month end.

    >>> months_later(dt.date(2024, 11, 30), 1), months_later(dt.date(2024, 11, 15), 1)
    (datetime.date(2024, 12, 31), datetime.date(2024, 12, 15))
    """
    later = add_months(day, months)
    return month_end(later) if day == month_end(day) else later


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every last day of a month in ``[start, end]``, ascending."""
    if start > end:
        raise InputError(f"the period starts ({start}) after it ends ({end})")
    out = []
    day = month_end(start)
    while day <= end:
        out.append(day)
        day = month_end(day + dt.timedelta(days=1))
    return out


def nearest_month_end(day: dt.date) -> dt.date:
    """The month end closest to ``day`` (the later one on a tie)."""
    this = month_end(day)
    previous = day.replace(day=1) - dt.timedelta(days=1)
    return this if (this - day) <= (day - previous) else previous


def snapshot_dates(start: dt.date, end: dt.date, freq: str = "monthly") -> list[dt.date]:
    """The as-of dates of a history: month (or quarter) ends in ``[start, end]`` and
    ``end`` itself.

    >>> snapshot_dates(dt.date(2024, 11, 1), dt.date(2025, 5, 5), "quarterly")
    [datetime.date(2024, 12, 31), datetime.date(2025, 3, 31), datetime.date(2025, 5, 5)]
    """
    if freq not in FREQUENCIES:
        raise InputError(f"unknown frequency {freq!r} ({' or '.join(FREQUENCIES)})")
    days = month_ends(start, end)
    if freq == "quarterly":
        days = [d for d in days if d.month % 3 == 0]
    if not days or days[-1] != end:
        days.append(end)
    return days


# ------------------------------------------------------------------------ snapshots


@dataclass(frozen=True)
class SnapshotBuild:
    """What :func:`build_history` did for one date."""

    as_of: dt.date
    status: Status  # "ok": built; "insufficient_data": skipped, see reason
    customers: int | None  # scored customers on the date (None when skipped)
    reason: str | None


def _segments(ws: Workspace) -> ibis.Table:
    s = ws.table("segments")
    return s.filter(s.version == VERSION)


def _rfm(ws: Workspace) -> ibis.Table:
    r = ws.table("rfm")
    return r.filter(r.version == VERSION)


def built_dates(ws: Workspace) -> list[dt.date]:
    """The as-of dates that have segments (monetary version), ascending."""
    s = _segments(ws)
    days = s.select("as_of").distinct().order_by("as_of").to_pyarrow().column(0).to_pylist()
    return list(days)


def _hint(day: dt.date) -> str:
    return f"run `livebase segment --as-of {day.isoformat()}`"


def _require_built(ws: Workspace, days: Iterable[dt.date]) -> None:
    have = set(built_dates(ws))
    missing = sorted(set(days) - have)
    if missing:
        listed = ", ".join(d.isoformat() for d in missing)
        hints = "; ".join(_hint(d) for d in missing)
        raise InsufficientData(f"no segments built for {listed}: {hints}")


def first_purchase_date(ws: Workspace, until: dt.date) -> dt.date | None:
    """The day of the first counted purchase on or before ``until`` (None: none)."""
    p = purchases(ws.con, ws.config.purchase_rules, until=day_end(until))
    first = p.ts.min(where=p.is_purchase).to_pyarrow().as_py()
    return None if first is None else first.date()


def build_history(
    ws: Workspace,
    start: dt.date,
    end: dt.date,
    *,
    freq: str = "monthly",
    progress: Progress | None = None,
    smap: SegmentMap | None = None,
) -> list[SnapshotBuild]:
    """Build the segments of every month end in ``[start, end]`` and of ``end``.

    Each date goes through :func:`livebase.segments.build.build_segments`, which replaces
    that date's rows: rerunning never doubles. Dates before the first counted purchase
    are skipped with a reason, not an error. ``freq="quarterly"`` keeps the quarter ends
    only; ``progress(text, fraction_done)`` is called after each date.
    """
    days = snapshot_dates(start, end, freq)
    first = first_purchase_date(ws, end)
    out = []
    for i, day in enumerate(days):
        if first is None:
            out.append(
                SnapshotBuild(day, INSUFFICIENT, None, f"no counted purchase on or before {end}")
            )
        elif day < first:
            reason = f"before the first counted purchase ({first.isoformat()})"
            out.append(SnapshotBuild(day, INSUFFICIENT, None, reason))
        else:
            try:
                rows = build_segments(ws, day, smap=smap)
            except InsufficientData as exc:
                out.append(SnapshotBuild(day, INSUFFICIENT, None, str(exc)))
            else:
                out.append(SnapshotBuild(day, OK, sum(r.customers for r in rows), None))
        if progress is not None:
            progress(f"segments as of {day.isoformat()}", (i + 1) / len(days))
    return out


# ---------------------------------------------------------------------------- sizes


def _order(ids: Iterable[str], smap: SegmentMap | None = None) -> list[str]:
    """Segment ids in the map's order; ids the map does not know follow, sorted."""
    rank = {s.id: i for i, s in enumerate((smap or default_map()).segments)}
    return sorted(set(ids), key=lambda x: (rank.get(x, len(rank)), x))


def sizes_over_time(
    ws: Workspace, dates: Sequence[dt.date] | None = None, *, smap: SegmentMap | None = None
) -> pd.DataFrame:
    """Customers and revenue per segment and date.

    Columns: ``as_of``, ``segment``, ``customers``, ``share`` (of the date's scored
    customers), ``revenue`` (Decimal: the sum of ``rfm.monetary``, i.e. the window's net
    revenue of the segment's customers), ``revenue_share`` (NaN when the date's revenue
    is not positive). Every segment seen on any of the dates has a row on each date (0
    customers where it is empty). ``dates=None`` reads every built date.
    """
    if dates is None:
        days = built_dates(ws)
        if not days:
            raise InsufficientData(
                "no segments built yet: run `livebase segment --as-of YYYY-MM-DD` "
                "for each date (or build a monthly history)"
            )
    else:
        days = sorted(set(dates))
        if not days:
            raise InputError("no dates given")
        _require_built(ws, days)
    s = _segments(ws)
    s = s.filter(s.as_of.isin(days))
    r = _rfm(ws)
    r = r.select(r_as_of=r.as_of, r_customer=r.customer_id, monetary=r.monetary)
    j = s.left_join(r, [s.as_of == r.r_as_of, s.customer_id == r.r_customer])
    agg = (
        j.group_by(["as_of", "segment"])
        .aggregate(customers=j.customer_id.count(), revenue=j.monetary.sum())
        .to_pyarrow()
        .to_pylist()
    )
    got = {(a["as_of"], a["segment"]): a for a in agg}
    segments = _order((a["segment"] for a in agg), smap)
    rows = []
    for day in days:
        total = sum(a["customers"] for (d, _), a in got.items() if d == day)
        revenue = sum(
            (a["revenue"] for (d, _), a in got.items() if d == day and a["revenue"] is not None),
            Decimal(0),
        )
        for seg in segments:
            a = got.get((day, seg), {"customers": 0, "revenue": Decimal("0.00")})
            rev = a["revenue"]
            rows.append(
                {
                    "as_of": day,
                    "segment": seg,
                    "customers": int(a["customers"]),
                    "share": a["customers"] / total if total else float("nan"),
                    "revenue": rev,
                    "revenue_share": float(rev / revenue)
                    if rev is not None and revenue > 0
                    else float("nan"),
                }
            )
    frame = pd.DataFrame(rows, columns=SIZE_COLUMNS)
    return frame.astype({"customers": "int64", "share": "float64", "revenue_share": "float64"})


# ------------------------------------------------------------------------ migration


@dataclass(frozen=True, eq=False)
class Migration:
    """Who moved from which segment to which between two snapshots.

    ``counts``: rows = segment on ``from_date`` plus ``new`` (not scored then), columns =
    segment on ``to_date`` plus ``gone`` (not scored then). Row sums of the segment rows
    are the sizes on ``from_date``; column sums of the segment columns are the sizes on
    ``to_date``. ``row_shares``: each row divided by its sum (NaN for an empty row).
    """

    from_date: dt.date
    to_date: dt.date
    counts: pd.DataFrame
    row_shares: pd.DataFrame

    def sizes_from(self) -> pd.Series:
        """Customers per segment on ``from_date`` (the row sums without ``new``)."""
        return self.counts.drop(index=NEW).sum(axis=1)

    def sizes_to(self) -> pd.Series:
        """Customers per segment on ``to_date`` (the column sums without ``gone``)."""
        return self.counts.drop(columns=GONE).sum(axis=0)

    def flows(self) -> list[tuple[str, str, int]]:
        """The non-empty cells as (from, to, customers), e.g. for a Sankey chart."""
        return [
            (str(a), str(b), int(n))
            for a, row in self.counts.iterrows()
            for b, n in row.items()
            if n
        ]


def migration_matrix(
    ws: Workspace, from_date: dt.date, to_date: dt.date, *, smap: SegmentMap | None = None
) -> Migration:
    """Count customers by segment on ``from_date`` × segment on ``to_date``."""
    if from_date > to_date:
        raise InputError(f"from_date ({from_date}) is after to_date ({to_date})")
    _require_built(ws, [from_date, to_date])
    s = _segments(ws)
    a = s.filter(s.as_of == from_date).select(a_customer=s.customer_id, seg_from=s.segment)
    b = s.filter(s.as_of == to_date).select(b_customer=s.customer_id, seg_to=s.segment)
    j = a.outer_join(b, a.a_customer == b.b_customer)
    pairs = (
        j.select(
            seg_from=ibis.coalesce(j.seg_from, ibis.literal(NEW)),
            seg_to=ibis.coalesce(j.seg_to, ibis.literal(GONE)),
        )
        .group_by(["seg_from", "seg_to"])
        .aggregate(customers=ibis._.count())
        .to_pyarrow()
        .to_pylist()
    )
    seen = {p["seg_from"] for p in pairs} | {p["seg_to"] for p in pairs}
    named = _order(seen - {NEW, GONE}, smap)
    counts = pd.DataFrame(0, index=[*named, NEW], columns=[*named, GONE], dtype="int64")
    for p in pairs:
        counts.loc[p["seg_from"], p["seg_to"]] = int(p["customers"])
    counts.index.name = "from"
    counts.columns.name = "to"
    sums = counts.sum(axis=1)
    shares = counts.astype("float64").div(sums.where(sums > 0), axis=0)
    return Migration(from_date, to_date, counts, shares)


# ------------------------------------------------------------------------ retention


@dataclass(frozen=True)
class Retention:
    """The customers of ``segment`` on ``as_of``, followed ``horizon_months`` later.

    Two independent measures:

    - *snapshot*: the share still in the segment at the month-end snapshot nearest to
      ``as_of`` + h months (``snapshot_date``; it must have been built and lie within
      the data);
    - *purchase*: the share with a counted purchase after ``as_of`` up to and including
      ``purchase_until`` (``as_of`` + h months; the month end h months later when
      ``as_of`` is a month end), read from the orders, not from snapshots; it needs
      data up to that day.

    A measure that cannot be computed has status ``insufficient_data``, its numbers are
    ``None`` and its reason says why.
    """

    as_of: dt.date
    segment: str
    horizon_months: int
    cohort: int  # customers in the segment on as_of
    snapshot_date: dt.date
    still_in_segment: int | None
    still_in_segment_share: float | None
    snapshot_status: Status
    snapshot_reason: str | None
    purchase_until: dt.date
    bought_again: int | None
    bought_again_share: float | None
    purchase_status: Status
    purchase_reason: str | None


def retention_555(
    ws: Workspace,
    as_of: dt.date,
    horizons: Sequence[int] = (1, 3, 6),
    *,
    segment: str = "champions",
) -> list[Retention]:
    """Retention inside 555 (``champions``) at 1/3/6 months (seed 001), one result per
    horizon. ``as_of`` must have been built."""
    bad = [h for h in horizons if not isinstance(h, int) or isinstance(h, bool) or h < 1]
    if bad:
        raise InputError(f"horizons are whole months ≥ 1, not {bad}")
    _require_built(ws, [as_of])
    s = _segments(ws)
    cohort_t = s.filter((s.as_of == as_of) & (s.segment == segment)).select("customer_id")
    cohort = int(cohort_t.count().execute())
    have = set(built_dates(ws))
    data_end = last_data_date(ws)
    p = purchases(ws.con, ws.config.purchase_rules, until=day_end(data_end))
    out = []
    for h in horizons:
        until = months_later(as_of, h)
        snap = nearest_month_end(until)
        if cohort == 0:
            why = f"no customer is in {segment} on {as_of}"
            out.append(
                Retention(
                    as_of=as_of,
                    segment=segment,
                    horizon_months=h,
                    cohort=0,
                    snapshot_date=snap,
                    still_in_segment=None,
                    still_in_segment_share=None,
                    snapshot_status=INSUFFICIENT,
                    snapshot_reason=why,
                    purchase_until=until,
                    bought_again=None,
                    bought_again_share=None,
                    purchase_status=INSUFFICIENT,
                    purchase_reason=why,
                )
            )
            continue
        # snapshot measure
        kept = share = None
        if snap > data_end:
            status, reason = INSUFFICIENT, f"the data end on {data_end}, before {snap}"
        elif snap not in have:
            status, reason = INSUFFICIENT, f"no snapshot on {snap}: {_hint(snap)}"
        else:
            later = s.filter((s.as_of == snap) & (s.segment == segment)).select("customer_id")
            kept = int(cohort_t.semi_join(later, "customer_id").count().execute())
            share, status, reason = kept / cohort, OK, None
        # purchase measure
        bought = bshare = None
        if until > data_end:
            pstatus = INSUFFICIENT
            preason = f"the data end on {data_end}; the {h}-month window runs to {until}"
        else:
            window = p.filter(
                p.is_purchase & (p.ts >= day_end(as_of)) & (p.ts < day_end(until))
            ).select("customer_id")
            bought = int(cohort_t.semi_join(window, "customer_id").count().execute())
            bshare, pstatus, preason = bought / cohort, OK, None
        out.append(
            Retention(
                as_of=as_of,
                segment=segment,
                horizon_months=h,
                cohort=cohort,
                snapshot_date=snap,
                still_in_segment=kept,
                still_in_segment_share=share,
                snapshot_status=status,
                snapshot_reason=reason,
                purchase_until=until,
                bought_again=bought,
                bought_again_share=bshare,
                purchase_status=pstatus,
                purchase_reason=preason,
            )
        )
    return out
