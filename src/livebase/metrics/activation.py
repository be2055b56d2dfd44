"""Newcomer activation (SPEC F3.2; seed 001 "Перспективные новички").

Definitions (times in UTC; "counted purchase" = a row of
:func:`livebase.metrics.purchases.purchases` with ``is_purchase``, i.e. by the
workspace's purchase rules):

- **Newcomer**: a customer whose first counted purchase falls on a day from
  ``first_from`` to ``first_to`` inclusive; that purchase is the anchor, its calendar day
  is day 0 and its month is the customer's cohort.
- **Window of H days**: events at or after the first purchase and before the end of day
  H − 1 (days 0 … H − 1); only learning activities count (kinds
  :data:`livebase.metrics.rfm.LEARNING_KINDS`).
- **Activated at H days**: within the H-day window the newcomer reached the configured
  definition (:class:`livebase.config.ActivationSettings`: at least N ``lesson_finish``
  events, N distinct active days, N ``homework_reviewed`` events; all or any of those
  switched on).
- **Time to first confirmed result**: calendar days from day 0 to the first
  ``homework_reviewed`` event at or after the first purchase; the share reached within
  ``result_days`` is over newcomers whose window is complete, the median over those who
  reached it within ``result_days`` (a median of an even count is the mean of the two
  middle values).
- **Next purchase in the first cycle**: another counted purchase (a different purchase
  key, so an installment of the first plan is not one) on day 1 to day
  ``cycle_days + grace_days − 1``; a second product bought on day 0 is a bundle, not a
  conversion.
- **Early markers**: within ``marker_days`` the number of ``lesson_finish`` events, the
  number of distinct active learning days and the days from day 0 to the first
  ``lesson_start`` or ``lesson_finish`` (none within the window counts as
  ``marker_days`` for the median and the comparison), each compared with the median of the
  newcomers of the same cohort whose marker window is complete: fewer lessons or active
  days than the median is *below*, more days to the first lesson is *slower*.
- **Honest horizons**: the activity data end at the latest ``activities.ts`` up to the end
  of ``as_of``, the order data at the latest ``paid_at`` or ``created_at`` of any order up
  to then; an H-day window counts only when that end date is on or after day H (the data
  reach the day after the window, as
  :func:`livebase.experiments.horizon.horizon_reached`); a newcomer whose window is not
  complete is excluded from that metric and counted in ``excluded``, never counted as not
  activated; with no newcomer whose window is complete the share is ``None`` with reason
  ``horizon_not_reached`` (``no_activity_data`` when the store holds no activity event up
  to ``as_of``, ``no_newcomers`` when the period has none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
from ibis import _

from livebase.config import ActivationSettings, PurchaseRules
from livebase.errors import InputError
from livebase.experiments.proportions import wilson_interval
from livebase.experiments.status import INSUFFICIENT, OK
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import LEARNING_KINDS, day_end
from livebase.store.workspace import Workspace

LESSON_KINDS = ("lesson_start", "lesson_finish")
RESULT_KIND = "homework_reviewed"
CRITERIA = ("lessons_finished", "active_days", "reviewed_homework")


@dataclass(frozen=True)
class ShareResult:
    """A newcomer share over the newcomers whose window is complete.

    ``metric``: ``activated_<H>d``, ``result_<H>d`` or ``next_purchase_<H>d``; ``days``
    the window; ``eligible`` newcomers whose window is complete, ``reached`` of them the
    event; ``share`` and its Wilson ``ci`` are ``None`` unless ``status`` is ``"ok"``.
    """

    metric: str
    days: int
    newcomers: int
    eligible: int
    reached: int
    share: float | None
    ci: tuple[float, float] | None
    status: str
    reason: str | None

    @property
    def excluded(self) -> int:
        """Newcomers left out because the data do not reach the end of their window."""
        return self.newcomers - self.eligible


@dataclass(frozen=True)
class ActivationSummary:
    """Activation of the newcomers of a period (``cohort`` None) or of one cohort month.

    ``criteria``: the activation definition as (criterion, minimum) pairs that are on,
    joined by ``combine`` ("all" or "any"); ``activity_until`` / ``orders_until``: where
    the activity and order data end (``None``: no data up to ``as_of``).
    """

    cohort: dt.date | None
    first_from: dt.date
    first_to: dt.date
    as_of: dt.date
    activity_until: dt.datetime | None
    orders_until: dt.datetime | None
    newcomers: int
    criteria: tuple[tuple[str, int], ...]
    combine: str
    activated: tuple[ShareResult, ...]
    result: ShareResult
    median_days_to_result: float | None
    next_purchase: ShareResult


@dataclass(frozen=True)
class MarkerCohort:
    """Early markers of one cohort: medians over the newcomers whose marker window is
    complete (``complete``) and how many of them are below or slower than the median."""

    cohort: dt.date
    newcomers: int
    complete: int
    median_lessons: float | None
    median_active_days: float | None
    median_days_to_first_lesson: float | None
    below_lessons: int
    below_active_days: int
    slower_first_lesson: int
    any_flag: int


def _check_period(first_from: dt.date, first_to: dt.date, as_of: dt.date) -> None:
    if first_from > first_to:
        raise InputError(f"the period starts ({first_from}) after it ends ({first_to})")
    if first_to > as_of:
        raise InputError(
            f"the period ends ({first_to}) after the as-of date ({as_of}): newcomers after "
            "the as-of date are not in the data yet"
        )


def data_ends(ws: Workspace, as_of: dt.date) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(activity data end, order data end) up to the end of ``as_of`` (``None``: no data)."""
    end = day_end(as_of)
    a = ws.table("activities")
    act = a.filter(a.ts < end).ts.max().to_pyarrow().as_py()
    o = ws.table("orders")
    ts = ibis.coalesce(o.paid_at, o.created_at)
    orders = o.filter(ts < end).aggregate(last=ts.max()).to_pyarrow().to_pylist()[0]["last"]
    return act, orders


def _reached(first_day: ibis.ir.DateValue, days: int, until: dt.datetime | None):
    """Whether an H-day window from ``first_day`` is complete: ``until``'s date ≥ day H."""
    if until is None:
        return ibis.literal(False)
    return first_day <= ibis.literal(until.date() - dt.timedelta(days=days))


def _counted(ws: Workspace, rules: PurchaseRules, as_of: dt.date) -> ibis.Table:
    p = purchases(ws.con, rules, until=day_end(as_of))
    return p.filter(p.is_purchase)


def _newcomers(p: ibis.Table, first_from: dt.date, first_to: dt.date) -> ibis.Table:
    w = ibis.window(group_by="customer_id", order_by=["ts", "order_id"])
    first = p.mutate(_k=ibis.row_number().over(w)).filter(_._k == 0)
    first = first.filter(first.ts.date().between(first_from, first_to))
    return first.select(
        "customer_id",
        first_ts="ts",
        first_day=first.ts.date(),
        first_key="purchase_key",
        cohort=first.ts.date().truncate("M"),
    )


def newcomers(
    ws: Workspace,
    *,
    first_from: dt.date,
    first_to: dt.date,
    as_of: dt.date,
    rules: PurchaseRules | None = None,
) -> ibis.Table:
    """The newcomers of the period: customer_id, first_ts, first_day, first_key (the
    purchase key of the first purchase), cohort (first day of the first purchase's month)."""
    _check_period(first_from, first_to, as_of)
    rules = rules or ws.config.purchase_rules
    return _newcomers(_counted(ws, rules, as_of), first_from, first_to)


def _criteria(s: ActivationSettings) -> tuple[tuple[str, int], ...]:
    return tuple((name, getattr(s, name)) for name in CRITERIA if getattr(s, name) > 0)


def newcomer_features(
    ws: Workspace,
    *,
    first_from: dt.date,
    first_to: dt.date,
    as_of: dt.date,
    settings: ActivationSettings | None = None,
    rules: PurchaseRules | None = None,
    ends: tuple[dt.datetime | None, dt.datetime | None] | None = None,
) -> ibis.Table:
    """One row per newcomer with everything the activation metrics read.

    Columns: customer_id, cohort, first_ts, first_day; per activation window H:
    ``lessons_<H>d``, ``active_days_<H>d``, ``reviewed_<H>d`` (counts so far) and
    ``activated_<H>d`` (NULL when the window is not complete); ``days_to_result`` (NULL:
    no reviewed homework yet), ``result_<R>d`` (reached within ``result_days``, NULL when
    not complete); ``next_purchase_<C>d`` (C = cycle + grace; NULL when not complete);
    ``marker_lessons``, ``marker_active_days``, ``days_to_first_lesson`` (NULL: no lesson
    within ``marker_days``), ``marker_complete``. ``ends``: :func:`data_ends` when the
    caller has them.
    """
    _check_period(first_from, first_to, as_of)
    s = settings or ws.config.activation
    rules = rules or ws.config.purchase_rules
    act_end, ord_end = ends if ends is not None else data_ends(ws, as_of)
    p = _counted(ws, rules, as_of)
    nc = _newcomers(p, first_from, first_to)

    a = ws.table("activities")
    a = a.filter(a.kind.isin(LEARNING_KINDS) & (a.ts < day_end(as_of)))
    j = nc.join(a.select("customer_id", "ts", "kind"), "customer_id")
    j = j.filter(j.ts >= j.first_ts)
    j = j.mutate(day=j.ts.date().delta(j.first_day, unit="day"), d=j.ts.date())
    lesson = j.kind == "lesson_finish"
    review = j.kind == RESULT_KIND
    aggs: dict[str, ibis.Expr] = {}
    for h in s.windows_days:
        aggs[f"lessons_{h}d"] = (lesson & (j.day < h)).sum()
        aggs[f"active_days_{h}d"] = j.d.nunique(where=j.day < h)
        aggs[f"reviewed_{h}d"] = (review & (j.day < h)).sum()
    m = s.marker_days
    aggs["marker_lessons"] = (lesson & (j.day < m)).sum()
    aggs["marker_active_days"] = j.d.nunique(where=j.day < m)
    aggs["first_lesson_day"] = j.day.min(where=j.kind.isin(LESSON_KINDS))
    aggs["days_to_result"] = j.day.min(where=review)
    f = j.group_by("customer_id").aggregate(**aggs).rename(f_id="customer_id")

    cycle = s.cycle_days + s.grace_days
    q = nc.select("customer_id", "first_day", "first_key").join(
        p.select("customer_id", "ts", "purchase_key"), "customer_id"
    )
    qd = q.ts.date().delta(q.first_day, unit="day")
    q = q.filter((qd >= 1) & (qd < cycle) & (q.purchase_key != q.first_key))
    nxt = q.select(n_id="customer_id").distinct()

    t = nc.left_join(f, nc.customer_id == f.f_id)
    t = t.left_join(nxt, t.customer_id == nxt.n_id)
    cols: dict[str, ibis.Expr] = {
        "customer_id": t.customer_id,
        "cohort": t.cohort,
        "first_ts": t.first_ts,
        "first_day": t.first_day,
    }
    null = ibis.null("boolean")
    for h in s.windows_days:
        counts = {
            "lessons_finished": t[f"lessons_{h}d"].fill_null(0),
            "active_days": t[f"active_days_{h}d"].fill_null(0),
            "reviewed_homework": t[f"reviewed_{h}d"].fill_null(0),
        }
        tests = [counts[name] >= n for name, n in _criteria(s)]
        done = tests[0]
        for test in tests[1:]:
            done = (done & test) if s.combine == "all" else (done | test)
        cols[f"lessons_{h}d"] = counts["lessons_finished"].cast("int64")
        cols[f"active_days_{h}d"] = counts["active_days"].cast("int64")
        cols[f"reviewed_{h}d"] = counts["reviewed_homework"].cast("int64")
        cols[f"activated_{h}d"] = ibis.ifelse(_reached(t.first_day, h, act_end), done, null)
    r = s.result_days
    cols["days_to_result"] = t.days_to_result.cast("int64")
    cols[f"result_{r}d"] = ibis.ifelse(
        _reached(t.first_day, r, act_end), t.days_to_result.fill_null(r) < r, null
    )
    cols[f"next_purchase_{cycle}d"] = ibis.ifelse(
        _reached(t.first_day, cycle, ord_end), t.n_id.notnull(), null
    )
    cols["marker_lessons"] = t.marker_lessons.fill_null(0).cast("int64")
    cols["marker_active_days"] = t.marker_active_days.fill_null(0).cast("int64")
    cols["days_to_first_lesson"] = ibis.ifelse(
        t.first_lesson_day < m, t.first_lesson_day, ibis.null("int64")
    ).cast("int64")
    cols["marker_complete"] = _reached(t.first_day, m, act_end)
    return t.select(**cols)


def _share(
    metric: str, days: int, newcomers: int, eligible: int, reached: int, *, no_data: bool
) -> ShareResult:
    if newcomers == 0 or eligible == 0:
        reason = "no_newcomers" if newcomers == 0 else "horizon_not_reached"
        if newcomers and no_data:
            reason = "no_activity_data"
        return ShareResult(metric, days, newcomers, 0, 0, None, None, INSUFFICIENT, reason)
    ci = wilson_interval(reached, eligible)
    return ShareResult(metric, days, newcomers, eligible, reached, reached / eligible, ci, OK, None)


def _summary_aggs(t: ibis.Table, s: ActivationSettings) -> dict[str, ibis.Expr]:
    cycle = s.cycle_days + s.grace_days
    flags = [f"activated_{h}d" for h in s.windows_days]
    flags += [f"result_{s.result_days}d", f"next_purchase_{cycle}d"]
    aggs: dict[str, ibis.Expr] = {"newcomers": t.count()}
    for flag in flags:
        aggs[f"e_{flag}"] = t[flag].notnull().sum()
        aggs[f"r_{flag}"] = t[flag].fill_null(False).sum()
    aggs["median_days_to_result"] = t.days_to_result.median(
        where=t[f"result_{s.result_days}d"].fill_null(False)
    )
    return aggs


def _summaries(
    rows: list[dict],
    s: ActivationSettings,
    *,
    first_from: dt.date,
    first_to: dt.date,
    as_of: dt.date,
    ends: tuple[dt.datetime | None, dt.datetime | None],
) -> tuple[ActivationSummary, ...]:
    act_end, ord_end = ends
    cycle = s.cycle_days + s.grace_days
    out = []
    for row in rows:
        n = int(row["newcomers"])

        def share(flag: str, days: int, *, orders: bool = False, row=row, n=n) -> ShareResult:
            return _share(
                flag,
                days,
                n,
                int(row[f"e_{flag}"] or 0),
                int(row[f"r_{flag}"] or 0),
                no_data=(ord_end if orders else act_end) is None,
            )

        median = row["median_days_to_result"]
        out.append(
            ActivationSummary(
                cohort=row.get("cohort"),
                first_from=first_from,
                first_to=first_to,
                as_of=as_of,
                activity_until=act_end,
                orders_until=ord_end,
                newcomers=n,
                criteria=_criteria(s),
                combine=s.combine,
                activated=tuple(share(f"activated_{h}d", h) for h in s.windows_days),
                result=share(f"result_{s.result_days}d", s.result_days),
                median_days_to_result=None if median is None else float(median),
                next_purchase=share(f"next_purchase_{cycle}d", cycle, orders=True),
            )
        )
    return tuple(out)


def _activation(
    ws: Workspace,
    *,
    by_cohort: bool,
    first_from: dt.date,
    first_to: dt.date,
    as_of: dt.date,
    settings: ActivationSettings | None,
    rules: PurchaseRules | None,
) -> tuple[ActivationSummary, ...]:
    s = settings or ws.config.activation
    ends = data_ends(ws, as_of)
    period = {"first_from": first_from, "first_to": first_to, "as_of": as_of}
    t = newcomer_features(ws, **period, settings=s, rules=rules, ends=ends)
    aggs = _summary_aggs(t, s)
    grouped = t.group_by("cohort").aggregate(**aggs).order_by("cohort") if by_cohort else None
    rows = (grouped if by_cohort else t.aggregate(**aggs)).to_pyarrow().to_pylist()
    return _summaries(rows, s, **period, ends=ends)


def activation_summary(
    ws: Workspace,
    *,
    first_from: dt.date,
    first_to: dt.date,
    as_of: dt.date,
    settings: ActivationSettings | None = None,
    rules: PurchaseRules | None = None,
) -> ActivationSummary:
    """Activation of every newcomer of the period (``cohort`` is ``None``)."""
    period = {"first_from": first_from, "first_to": first_to, "as_of": as_of}
    return _activation(ws, by_cohort=False, **period, settings=settings, rules=rules)[0]


def activation_by_cohort(
    ws: Workspace,
    *,
    first_from: dt.date,
    first_to: dt.date,
    as_of: dt.date,
    settings: ActivationSettings | None = None,
    rules: PurchaseRules | None = None,
) -> tuple[ActivationSummary, ...]:
    """Activation per first-purchase month of the period, oldest first (no newcomers: ())."""
    period = {"first_from": first_from, "first_to": first_to, "as_of": as_of}
    return _activation(ws, by_cohort=True, **period, settings=settings, rules=rules)


def early_markers(
    ws: Workspace,
    *,
    first_from: dt.date,
    first_to: dt.date,
    as_of: dt.date,
    settings: ActivationSettings | None = None,
    rules: PurchaseRules | None = None,
) -> ibis.Table:
    """Early markers per newcomer against the median of their cohort.

    Columns: customer_id, cohort, first_day, complete (the marker window is complete),
    lessons, active_days, days_to_first_lesson (NULL: no lesson within ``marker_days``),
    median_lessons, median_active_days, median_days_to_first_lesson (of the cohort's
    complete newcomers; no lesson counts as ``marker_days``), below_lessons,
    below_active_days, slower_first_lesson (NULL unless complete) and flags (how many of
    the three are true). Ordered by cohort, most flags first, then customer_id.
    """
    s = settings or ws.config.activation
    t = newcomer_features(
        ws, first_from=first_from, first_to=first_to, as_of=as_of, settings=s, rules=rules
    )
    m = s.marker_days
    t = t.select(
        "customer_id",
        "cohort",
        "first_day",
        complete=t.marker_complete,
        lessons=t.marker_lessons,
        active_days=t.marker_active_days,
        days_to_first_lesson=t.days_to_first_lesson,
        _capped=t.days_to_first_lesson.fill_null(m),
    )
    med = (
        t.group_by("cohort")
        .aggregate(
            median_lessons=t.lessons.median(where=t.complete),
            median_active_days=t.active_days.median(where=t.complete),
            median_days_to_first_lesson=t._capped.median(where=t.complete),
        )
        .rename(m_cohort="cohort")
    )
    j = t.join(med, t.cohort == med.m_cohort)
    null = ibis.null("boolean")
    below_l = ibis.ifelse(j.complete, j.lessons < j.median_lessons, null)
    below_d = ibis.ifelse(j.complete, j.active_days < j.median_active_days, null)
    slower = ibis.ifelse(j.complete, j._capped > j.median_days_to_first_lesson, null)
    flags = sum(
        (f.fill_null(False).cast("int8") for f in (below_l, below_d, slower)),
        ibis.literal(0, "int8"),
    )
    out = j.select(
        "customer_id",
        "cohort",
        "first_day",
        "complete",
        "lessons",
        "active_days",
        "days_to_first_lesson",
        "median_lessons",
        "median_active_days",
        "median_days_to_first_lesson",
        below_lessons=below_l,
        below_active_days=below_d,
        slower_first_lesson=slower,
        flags=flags.cast("int8"),
    )
    return out.order_by(["cohort", ibis.desc("flags"), "customer_id"])


def early_marker_summary(
    ws: Workspace,
    *,
    first_from: dt.date,
    first_to: dt.date,
    as_of: dt.date,
    settings: ActivationSettings | None = None,
    rules: PurchaseRules | None = None,
) -> tuple[MarkerCohort, ...]:
    """Per cohort: newcomers, complete ones, the medians and how many are flagged."""
    t = early_markers(
        ws, first_from=first_from, first_to=first_to, as_of=as_of, settings=settings, rules=rules
    )
    rows = (
        t.group_by("cohort")
        .aggregate(
            newcomers=t.count(),
            complete=t.complete.sum(),
            median_lessons=t.median_lessons.max(),
            median_active_days=t.median_active_days.max(),
            median_days_to_first_lesson=t.median_days_to_first_lesson.max(),
            below_lessons=t.below_lessons.fill_null(False).sum(),
            below_active_days=t.below_active_days.fill_null(False).sum(),
            slower_first_lesson=t.slower_first_lesson.fill_null(False).sum(),
            any_flag=(t.flags > 0).sum(),
        )
        .order_by("cohort")
        .to_pyarrow()
        .to_pylist()
    )
    return tuple(
        MarkerCohort(
            cohort=r["cohort"],
            newcomers=int(r["newcomers"]),
            complete=int(r["complete"] or 0),
            median_lessons=r["median_lessons"],
            median_active_days=r["median_active_days"],
            median_days_to_first_lesson=r["median_days_to_first_lesson"],
            below_lessons=int(r["below_lessons"] or 0),
            below_active_days=int(r["below_active_days"] or 0),
            slower_first_lesson=int(r["slower_first_lesson"] or 0),
            any_flag=int(r["any_flag"] or 0),
        )
        for r in rows
    )
