"""Evidence for the sleep window (SPEC F2.5; seeds 000 and 001).

Seed 000: "смотрим, когда доля повторных покупок падает ниже естественного уровня, и
фиксируем границы". Seed 001: the sleep boundary is "1,5–2 медианных интервала"; "несколько
вариантов окна тестируют и выбирают тот, что лучше предсказывает возвраты". This module
measures all three on the school's own purchase history before an explicit ``as_of``.

Definitions (days are calendar days; ``as_of`` is included, as in RFM):

- A customer's *purchase days* are the distinct days with a counted purchase
  (``purchases(...)`` with ``is_purchase``).
- A *spell of silence* starts on a purchase day. It ends with an *interval* of ``g`` days
  when the next purchase day comes ``g ≥ 1`` days later, or it is *censored* at ``as_of``
  after ``c = as_of − last purchase day`` days (still open). Every purchase day starts one
  spell; a customer with k purchase days gives k − 1 intervals and one censored spell.
- *Interval distribution*: count, median, P75, P90 of the intervals (linear interpolation
  between order statistics, as ``pandas.Series.quantile``).
- *Repurchase curve*: ``T`` = days from a purchase to the next one. ``S(t) = P(T > t)`` is
  the Kaplan–Meier estimate over all spells, the open spells censored at ``as_of``
  (spells of one customer are treated as independent). At ``d = 0, bin, 2·bin, …`` the
  curve gives the share of spells still silent (``S(d)``), the conditional probability of
  buying in the next ``bin`` days after ``d`` silent days, ``1 − S(d+bin)/S(d)`` (the
  *marginal return*), and the same within the backtest horizon ``N``.
- *Natural level*: the base's average daily return rate, pooled over every observed day
  of silence (``returns / silent customer-days``, sleepers included), turned into a
  probability over one bin: ``1 − (1 − λ)^bin``. It is what a randomly picked silent day of
  the base leads to; the *curve sleep day* is the first ``d`` after the curve's peak whose
  marginal return falls below it (only points with at least ``min_intervals`` silent
  spells are read).
- *Suggested window*: ``[1.5 × median, 2 × median]`` interval days (seed 001).
- *Backtest*: at monthly cut-offs ending at ``as_of − N``, every customer with a purchase
  day on or before the cut-off is flagged "asleep" by window ``W`` when recency ≥ ``W``;
  the truth is "no purchase day in the next N days" (positive = did not return).
  Precision, recall, F1, specificity (returners left unflagged), balanced accuracy and the
  share flagged are pooled over the cut-offs (sums of counts). The recommendation is the
  best balanced accuracy (ties: better F1, then the shorter window): when most of the base
  does not return within N days (usual for a school), F1 of "did not return" alone
  rewards flagging nearly everyone and always picks the shortest window, while balanced
  accuracy weighs the returners wrongly put to sleep as much as the sleepers missed.

The engine returns only histograms (count per duration) and per-cut-off counts; Python
computes the quantiles, the Kaplan–Meier curve and the scores from them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import day_end, months_before
from livebase.store.workspace import Workspace

OK = "ok"
INSUFFICIENT = "insufficient_data"
ALL = "all"


@dataclass(frozen=True)
class IntervalStats:
    """Days between consecutive purchase days of a group of customers."""

    group: str  # "all" or the category of the customers' first purchase
    customers: int  # customers with at least one purchase day
    intervals: int
    median: float | None
    p75: float | None
    p90: float | None
    status: str = OK
    reason: str | None = None


@dataclass(frozen=True)
class CurvePoint:
    """The repurchase curve at ``day`` days of silence after a purchase."""

    day: int
    silent: int  # spells known to be silent for at least `day` days
    returned: int  # of them, the next purchase came within (day, day + bin]
    censored: int  # of them, still open at as_of before day + bin (outcome unknown)
    survival: float | None  # Kaplan–Meier S(day): share of spells still silent
    return_rate: float | None  # P(purchase within the next bin days | silent `day` days)
    return_within_horizon: float | None  # the same within the backtest horizon


@dataclass(frozen=True)
class BacktestRow:
    """Window ``window_days`` judged against "no purchase in the next N days"."""

    window_days: int
    cutoff: dt.date | None  # None: pooled over every cut-off
    base: int  # customers with a purchase day on or before the cut-off
    flagged: int  # recency >= window
    positives: int  # no purchase within the horizon after the cut-off
    true_positives: int  # flagged and did not return
    precision: float | None
    recall: float | None
    f1: float | None
    share_flagged: float | None
    # of the customers who did return, the share not flagged; with precision and recall
    # it shows what a window costs when most of the base does not return anyway
    specificity: float | None
    balanced_accuracy: float | None


@dataclass(frozen=True)
class ThresholdReport:
    as_of: dt.date
    status: str  # "ok" or "insufficient_data" (some parts could not be computed)
    reason: str | None
    horizon_days: int
    bin_days: int
    max_days: int
    intervals: IntervalStats
    by_category: tuple[IntervalStats, ...]
    curve: tuple[CurvePoint, ...]
    natural_level: float | None  # P(purchase within one bin) on an average silent day
    curve_sleep_day: int | None  # first day after the peak with return rate < natural level
    suggested_window: tuple[float, float] | None  # 1.5 and 2 medians
    cutoffs: tuple[dt.date, ...]
    backtest: tuple[BacktestRow, ...]  # pooled, one per candidate window
    backtest_by_cutoff: tuple[BacktestRow, ...]
    recommended_window: int | None


# ---------------------------------------------------------------- engine side


def purchase_days(con: BaseBackend, rules: PurchaseRules, as_of: dt.date) -> ibis.Table:
    """Distinct ``(customer_id, day)`` with a counted purchase on or before ``as_of``."""
    p = purchases(con, rules, until=day_end(as_of))
    p = p.filter(p.is_purchase)
    return p.select("customer_id", day=p.ts.date()).distinct()


def spells(con: BaseBackend, rules: PurchaseRules, as_of: dt.date) -> ibis.Table:
    """One row per purchase day: ``customer_id, day, next_day`` (NULL for the last one)."""
    days = purchase_days(con, rules, as_of)
    w = ibis.window(group_by="customer_id", order_by="day")
    return days.mutate(next_day=days.day.lead().over(w))


def _first_category(con: BaseBackend, rules: PurchaseRules, as_of: dt.date) -> ibis.Table:
    p = purchases(con, rules, until=day_end(as_of))
    p = p.filter(p.is_purchase)
    o = con.table("orders").select("order_id", category=ibis._.category)
    j = p.join(o, "order_id")
    w = ibis.window(group_by="customer_id", order_by=["ts", "order_id"])
    j = j.mutate(k=ibis.row_number().over(w))
    return j.filter(j.k == 0).select(
        "customer_id", category=j.category.fill_null("(none)").cast("string")
    )


def _histogram(
    con: BaseBackend, rules: PurchaseRules, as_of: dt.date, *, by_category: bool
) -> list[dict]:
    s = spells(con, rules, as_of)
    end = ibis.literal(as_of)
    s = s.mutate(
        duration=ibis.coalesce(s.next_day, end).delta(s.day, unit="day").cast("int64"),
        event=s.next_day.notnull(),
    )
    keys = ["duration", "event"]
    if by_category:
        s = s.join(_first_category(con, rules, as_of), "customer_id")
        keys.append("category")
    return (
        s.group_by(keys)
        .aggregate(n=s.count(), customers=(~s.event).sum().cast("int64"))
        .to_pyarrow()
        .to_pylist()
    )


def _backtest_counts(
    con: BaseBackend,
    rules: PurchaseRules,
    as_of: dt.date,
    cutoffs: Sequence[dt.date],
    windows: Sequence[int],
    horizon_days: int,
) -> list[dict]:
    s = spells(con, rules, as_of)
    cut = ibis.memtable(
        pa.table(
            {
                "cutoff": pa.array(cutoffs, pa.date32()),
                "horizon_end": pa.array(
                    [c + dt.timedelta(days=horizon_days) for c in cutoffs], pa.date32()
                ),
            }
        )
    )
    # the spell that is open at the end of each cut-off day: last purchase day <= cut-off
    j = s.join(
        cut,
        (s.day <= cut.cutoff) & (s.next_day.isnull() | (s.next_day > cut.cutoff)),
    )
    recency = j.cutoff.delta(j.day, unit="day")
    stayed_away = j.next_day.isnull() | (j.next_day > j.horizon_end)
    j = j.mutate(recency=recency, stayed_away=stayed_away)
    metrics = {
        "base": j.count(),
        "positives": j.stayed_away.sum().cast("int64"),
    }
    for w in windows:
        flag = j.recency >= w
        metrics[f"flagged_{w}"] = flag.sum().cast("int64")
        metrics[f"tp_{w}"] = (flag & j.stayed_away).sum().cast("int64")
    return j.group_by("cutoff").aggregate(**metrics).order_by("cutoff").to_pyarrow().to_pylist()


# ---------------------------------------------------------------- Python side


def weighted_quantile(hist: Iterable[tuple[int, int]], q: float) -> float | None:
    """Quantile of values given as ``(value, count)``; linear interpolation (pandas).

    >>> weighted_quantile([(10, 1), (20, 2), (40, 1)], 0.5)
    20.0
    >>> weighted_quantile([(10, 1), (40, 1)], 0.75)
    32.5
    """
    pairs = sorted((v, c) for v, c in hist if c > 0)
    n = sum(c for _, c in pairs)
    if n == 0:
        return None
    h = (n - 1) * q
    lo = math.floor(h)

    def at(k: int) -> float:
        seen = 0
        for v, c in pairs:
            seen += c
            if k < seen:
                return float(v)
        return float(pairs[-1][0])

    a = at(lo)
    return a + (h - lo) * (at(min(lo + 1, n - 1)) - a)


def interval_stats(
    group: str, events: dict[int, int], customers: int, *, min_intervals: int
) -> IntervalStats:
    n = sum(events.values())
    if n < min_intervals:
        return IntervalStats(
            group,
            customers,
            n,
            None,
            None,
            None,
            INSUFFICIENT,
            f"{n} intervals between purchase days (need at least {min_intervals})",
        )
    hist = list(events.items())
    return IntervalStats(
        group,
        customers,
        n,
        weighted_quantile(hist, 0.5),
        weighted_quantile(hist, 0.75),
        weighted_quantile(hist, 0.9),
    )


class KaplanMeier:
    """``S(t) = P(T > t)`` from event and censoring counts per duration (days).

    >>> km = KaplanMeier({2: 1, 4: 1}, {3: 1})
    >>> [round(km.survival(t), 4) for t in (0, 2, 3, 4)]
    [1.0, 0.6667, 0.6667, 0.0]
    >>> km.survival(5) is None, round(km.conditional_return(2, 2), 4)
    (False, 1.0)
    """

    def __init__(self, events: dict[int, int], censored: dict[int, int]) -> None:
        times = sorted(set(events) | set(censored))
        self.t_max = times[-1] if times else -1
        at_risk = sum(events.values()) + sum(censored.values())
        s = 1.0
        self._steps: list[tuple[int, float]] = []
        for t in times:
            d = events.get(t, 0)
            if d and at_risk:
                s *= 1 - d / at_risk
                self._steps.append((t, s))
            at_risk -= d + censored.get(t, 0)
        self._final = s

    def survival(self, t: int) -> float | None:
        """``S(t)``, or None beyond the longest observed spell (unknown)."""
        if t > self.t_max and self._final > 0:
            return None
        s = 1.0
        for when, value in self._steps:
            if when > t:
                break
            s = value
        return s

    def conditional_return(self, d: int, within: int) -> float | None:
        """``P(T ≤ d + within | T > d) = 1 − S(d + within) / S(d)``."""
        now, later = self.survival(d), self.survival(d + within)
        if now is None or later is None or now == 0:
            return None
        return 1 - later / now


def repurchase_curve(
    events: dict[int, int],
    censored: dict[int, int],
    *,
    bin_days: int,
    max_days: int,
    horizon_days: int,
) -> tuple[CurvePoint, ...]:
    km = KaplanMeier(events, censored)
    points = []
    for d in range(0, max_days + 1, bin_days):
        silent = sum(c for g, c in events.items() if g > d) + sum(
            c for t, c in censored.items() if t >= d
        )
        returned = sum(c for g, c in events.items() if d < g <= d + bin_days)
        cens = sum(c for t, c in censored.items() if d <= t < d + bin_days)
        points.append(
            CurvePoint(
                d,
                silent,
                returned,
                cens,
                km.survival(d),
                km.conditional_return(d, bin_days),
                km.conditional_return(d, horizon_days),
            )
        )
    return tuple(points)


def natural_level(events: dict[int, int], censored: dict[int, int], bin_days: int) -> float | None:
    """``1 − (1 − λ)^bin`` with ``λ`` = returns per silent customer-day over all spells.

    >>> round(natural_level({10: 1}, {30: 1}, 1), 6)  # one return in 10 + 30 silent days
    0.025
    """
    returns = sum(events.values())
    exposure = sum(g * c for g, c in events.items()) + sum(t * c for t, c in censored.items())
    if exposure == 0:
        return None
    rate = returns / exposure
    return 1 - (1 - rate) ** bin_days


def curve_sleep_day(curve: Sequence[CurvePoint], level: float, *, min_silent: int) -> int | None:
    """The first day after the curve's peak whose return rate is below ``level``.

    Right after a purchase few buy again (a course takes weeks), so the rate first rises;
    only its fall after the peak marks sleep. Points with fewer than ``min_silent`` silent
    spells are not read.

    >>> pts = [CurvePoint(d, 100, 0, 0, None, r, None) for d, r in
    ...        [(0, 0.01), (15, 0.2), (30, 0.1), (45, 0.04), (60, 0.06)]]
    >>> curve_sleep_day(pts, 0.05, min_silent=30)
    45
    """
    points = [p for p in curve if p.silent >= min_silent and p.return_rate is not None]
    if not points:
        return None
    peak = max(range(len(points)), key=lambda i: (points[i].return_rate, -i))
    return next((p.day for p in points[peak:] if p.return_rate < level), None)


def cutoff_dates(as_of: dt.date, horizon_days: int, count: int) -> tuple[dt.date, ...]:
    """Monthly cut-offs, the last one ``horizon_days`` before ``as_of`` (oldest first).

    >>> cutoff_dates(dt.date(1998, 6, 30), 91, 3)
    (datetime.date(1998, 1, 31), datetime.date(1998, 2, 28), datetime.date(1998, 3, 31))
    """
    last = as_of - dt.timedelta(days=horizon_days)
    return tuple(months_before(last, k) for k in reversed(range(count)))


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def score_row(
    window: int, cutoff: dt.date | None, base: int, flagged: int, positives: int, tp: int
) -> BacktestRow:
    precision = _ratio(tp, flagged)
    recall = _ratio(tp, positives)
    if precision is None or recall is None:
        f1 = None
    elif precision + recall == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)
    negatives = base - positives
    specificity = _ratio(negatives - (flagged - tp), negatives)
    balanced = (
        (recall + specificity) / 2 if recall is not None and specificity is not None else None
    )
    return BacktestRow(
        window,
        cutoff,
        base,
        flagged,
        positives,
        tp,
        precision,
        recall,
        f1,
        _ratio(flagged, base),
        specificity,
        balanced,
    )


def recommend(rows: Sequence[BacktestRow]) -> int | None:
    """The window with the best balanced accuracy (ties: better F1, then the shorter
    window). A window that flags nobody is never recommended."""
    scored = [r for r in rows if r.f1 is not None and r.balanced_accuracy is not None]
    if not scored:
        return None
    best = max(r.balanced_accuracy for r in scored)
    tied = [r for r in scored if math.isclose(r.balanced_accuracy, best, abs_tol=1e-12)]
    best_f1 = max(r.f1 for r in tied)
    return min(r.window_days for r in tied if math.isclose(r.f1, best_f1, abs_tol=1e-12))


# ---------------------------------------------------------------- the report


def threshold_report(
    ws: Workspace,
    as_of: dt.date,
    *,
    candidates: Sequence[int] = (60, 90, 120, 180, 270),
    horizon_days: int = 90,
    bin_days: int = 15,
    max_days: int = 540,
    cutoff_count: int = 12,
    min_intervals: int = 30,
    by_category: bool = False,
    rules: PurchaseRules | None = None,
) -> ThresholdReport:
    """Interval distribution, repurchase curve, suggested window and backtest as of a date.

    ``cutoff_count`` monthly cut-off dates end at ``as_of − horizon_days``; only those with at
    least one customer count. ``rules`` default to the workspace's purchase rules.
    """
    if not candidates or any(w <= 0 for w in candidates):
        raise InputError("candidate windows must be positive day counts")
    if horizon_days <= 0 or bin_days <= 0 or max_days < 0 or cutoff_count <= 0:
        raise InputError("horizon, bin and cut-off count must be positive")
    windows = sorted(set(candidates))
    rules = rules or ws.config.purchase_rules
    con = ws.con
    reasons: list[str] = []

    hist = _histogram(con, rules, as_of, by_category=by_category)
    events: dict[int, int] = {}
    censored: dict[int, int] = {}
    per_cat: dict[str, tuple[dict[int, int], int]] = {}
    for row in hist:
        target = events if row["event"] else censored
        target[row["duration"]] = target.get(row["duration"], 0) + row["n"]
        if by_category:
            cat_events, cat_customers = per_cat.setdefault(row["category"], ({}, 0))
            if row["event"]:
                cat_events[row["duration"]] = cat_events.get(row["duration"], 0) + row["n"]
            per_cat[row["category"]] = (cat_events, cat_customers + row["customers"])
    customers = sum(censored.values())  # one open spell per customer

    overall = interval_stats(ALL, events, customers, min_intervals=min_intervals)
    categories = tuple(
        interval_stats(cat, ev, n, min_intervals=min_intervals)
        for cat, (ev, n) in sorted(per_cat.items())
    )
    curve = repurchase_curve(
        events, censored, bin_days=bin_days, max_days=max_days, horizon_days=horizon_days
    )
    level = sleep_day = suggested = None
    if overall.status == OK:
        level = natural_level(events, censored, bin_days)
        suggested = (1.5 * overall.median, 2 * overall.median)
        if level is not None:
            sleep_day = curve_sleep_day(curve, level, min_silent=min_intervals)
    else:
        reasons.append(overall.reason)

    dates = cutoff_dates(as_of, horizon_days, cutoff_count)
    counts = _backtest_counts(con, rules, as_of, dates, windows, horizon_days)
    counts = [c for c in counts if c["base"] > 0]
    by_cutoff = tuple(
        score_row(w, c["cutoff"], c["base"], c[f"flagged_{w}"], c["positives"], c[f"tp_{w}"])
        for c in counts
        for w in windows
    )
    pooled = tuple(
        score_row(
            w,
            None,
            sum(c["base"] for c in counts),
            sum(c[f"flagged_{w}"] for c in counts),
            sum(c["positives"] for c in counts),
            sum(c[f"tp_{w}"] for c in counts),
        )
        for w in windows
    )
    if not counts:
        pooled = ()
        reasons.append(
            f"no cut-off date with a full {horizon_days}-day horizon has customers "
            f"(the last cut-off is {as_of - dt.timedelta(days=horizon_days)})"
        )
    return ThresholdReport(
        as_of=as_of,
        status=INSUFFICIENT if reasons else OK,
        reason="; ".join(reasons) or None,
        horizon_days=horizon_days,
        bin_days=bin_days,
        max_days=max_days,
        intervals=overall,
        by_category=categories,
        curve=curve,
        natural_level=level,
        curve_sleep_day=sleep_day,
        suggested_window=suggested,
        cutoffs=tuple(c["cutoff"] for c in counts),
        backtest=pooled,
        backtest_by_cutoff=by_cutoff,
        recommended_window=recommend(pooled),
    )
