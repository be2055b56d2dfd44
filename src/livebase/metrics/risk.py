"""Churn-risk scorecard with reasons (SPEC F3.1; seeds 001 and 004).

Seed 001: "Деградацию удобно отслеживать на уровне индивидуального «нормального» ритма";
"верхние 20% по давности в своём сегменте", "z‑баллы относительно личной базы ученика",
"лёгкие скоринговые карты, где ключевые события имеют баллы"; operational signals "отмена
автоплатежа, запросы на возврат, «зависание» выставленного счёта, попытки понизить тариф".
Seed 004: "7/14/21 дней без занятий, отмена автоплатежа, негативный NPS".

Who is scored: every customer of the monetary ``rfm`` mart of ``as_of`` (with their
segment from the ``segments`` mart of that date); both marts must exist (``livebase
segment``). Only data up to the end of ``as_of`` are read. "The last N days" are the N
calendar days ending on ``as_of``. Each reason below adds its configured points
(``[risk.points]``); a reason with 0 points is off and not listed.

Definitions (one sentence each):

- *Purchase days* are the distinct days with a counted payment (``metrics.purchases``,
  ``is_purchase``), as in the sleep-window intervals; ``gap_days`` = ``as_of`` − the last
  purchase day (the RFM recency).
- *Median interval*: the median (interpolated) of the days between a customer's
  consecutive purchase days (``interval_source = own``); a one-purchase-day customer
  borrows the median of every interval of all repeat customers (``all``) or, with
  ``interval_fallback = "segment"``, of the repeat customers of their segment
  (``segment``; ``all`` when that segment has none); NULL when nobody has two purchase days.
- ``rhythm_2x``: ``gap_days ≥ 2 ×`` the median interval; ``rhythm_1_5x``: ``≥ 1.5 ×`` and
  below 2 × (a step replaces the one below it).
- *Weekly learning activity*: learning events (``LEARNING_KINDS``) per 7-day week counted
  back from ``as_of`` (week 0 = the 7 days ending on ``as_of``); ``activity_recent`` = mean
  of weeks ``0 … R−1``, ``activity_baseline`` = mean of the *full* baseline weeks
  ``R … R+B−1`` that start on or after the customer's first learning day
  (``baseline_weeks`` of them).
- ``activity_z`` = (recent − baseline mean) / max(sample sd of the baseline weeks,
  ``activity_sd_floor``), NULL with fewer than ``activity_min_baseline_weeks`` baseline
  weeks or no learning event ever; ``activity_drop`` fires when ``activity_z ≤ activity_drop_z``.
- ``recency_top_segment``: among the customers of the same monetary segment, the number
  with a strictly greater ``gap_days`` plus one is ≤ ``recency_top_share ×`` the segment's
  size (ties share the better position); NULL (cannot fire) in a segment smaller than
  ``recency_min_segment``.
- ``autopay_cancelled``, ``refund_requested``, ``downgrade_requested``: an ``activities``
  event of that kind in the last ``event_lookback_days`` days (``*_on`` = its latest day).
- ``invoice_pending``: an ``invoice_pending`` event in the last ``event_lookback_days``
  days after the last purchase day (a payment on or after the invoice day settles it).
- ``nps_negative``: the latest NPS answer of the last ``nps_lookback_days`` days is 0–6.
- ``no_lessons_21`` / ``_14`` / ``_7``: a *learning* customer (a learning event in the last
  ``learning_lookback_days`` days) whose last learning event is ≥ 21 / 14 / 7 days before
  ``as_of`` (``days_without_lessons``; the highest step only).
- ``points`` = the sum of the points of the reasons that fire; ``level`` = ``high`` from
  ``levels.high`` points, ``medium`` from ``levels.medium``, ``low`` below.
- ``reasons`` = ``code:points`` of every reason that fired, comma-separated, most points
  first (ties in the order of :data:`REASONS`); an empty string when none fired.

>>> parse_reasons("rhythm_2x:25,nps_negative:15")
(Reason(code='rhythm_2x', points=25), Reason(code='nps_negative', points=15))
>>> level_of(25, RiskLevels(medium=20, high=40)), level_of(40, RiskLevels(medium=20, high=40))
('medium', 'high')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from livebase.config import PurchaseRules, RiskLevels, RiskSettings
from livebase.engine import transaction
from livebase.errors import InputError, InsufficientData
from livebase.metrics.rfm import LEARNING_KINDS, day_end
from livebase.segments.thresholds import spells
from livebase.store.workspace import Workspace
from livebase.store.write import replace_where

VERSION = "monetary"  # risk scores the customers of the monetary RFM
LEVELS = ("low", "medium", "high")
OPERATIONAL = ("autopay_cancelled", "refund_requested", "invoice_pending", "downgrade_requested")
# every reason code, in the order that breaks ties of points in a customer's list
REASONS = (
    "rhythm_2x",
    "rhythm_1_5x",
    "activity_drop",
    "recency_top_segment",
    *OPERATIONAL,
    "nps_negative",
    "no_lessons_21",
    "no_lessons_14",
    "no_lessons_7",
)
INTERVAL_SOURCES = ("own", "segment", "all")
NEGATIVE_NPS = 6  # scores 0–6 are detractors
RHYTHM_STEPS = (("rhythm_2x", 2.0), ("rhythm_1_5x", 1.5))
LESSON_STEPS = (("no_lessons_21", 21), ("no_lessons_14", 14), ("no_lessons_7", 7))


@dataclass(frozen=True)
class Reason:
    code: str
    points: int


@dataclass(frozen=True)
class LevelCount:
    level: str
    customers: int
    share: float


@dataclass(frozen=True)
class ReasonCount:
    code: str
    points: int  # the points the stored lists give it (the largest, if they differ)
    customers: int  # customers whose list holds it
    share: float


@dataclass(frozen=True)
class RiskSummary:
    """The ``risk`` mart of one date in numbers: levels, reasons, what could not be read.

    ``reasons`` holds every reason that fired, most customers first; ``interval_sources``
    counts customers per ``interval_source`` (``none``: no median interval at all);
    ``without_z``: customers whose activity z-score is NULL.
    """

    as_of: dt.date
    customers: int
    levels: tuple[LevelCount, ...]
    reasons: tuple[ReasonCount, ...]
    interval_sources: tuple[tuple[str, int], ...]
    without_z: int
    medium_from: int
    high_from: int

    def level(self, level: str) -> LevelCount:
        for row in self.levels:
            if row.level == level:
                return row
        raise KeyError(level)


@dataclass(frozen=True)
class RiskRow:
    """One customer's row of the ``risk`` mart, reasons parsed."""

    customer_id: str
    points: int
    level: str
    reasons: tuple[Reason, ...]
    segment: str
    gap_days: int
    median_interval_days: float | None
    interval_source: str | None
    recency_top: bool | None
    activity_recent: float | None
    activity_baseline: float | None
    baseline_weeks: int
    activity_z: float | None
    days_without_lessons: int | None
    nps_score: int | None
    autopay_cancelled_on: dt.date | None
    refund_requested_on: dt.date | None
    invoice_pending_on: dt.date | None
    downgrade_requested_on: dt.date | None


def parse_reasons(text: str | None) -> tuple[Reason, ...]:
    """The ``reasons`` column as :class:`Reason` values (an empty string: none)."""
    if not text:
        return ()
    out = []
    for part in text.split(","):
        code, _, points = part.partition(":")
        out.append(Reason(code, int(points)))
    return tuple(out)


def level_of(points: int, levels: RiskLevels) -> str:
    """The level of ``points`` under the cut-offs (Python twin of the engine's rule)."""
    if points >= levels.high:
        return "high"
    if points >= levels.medium:
        return "medium"
    return "low"


def reason_order(settings: RiskSettings) -> tuple[Reason, ...]:
    """The reasons that can score (points > 0), most points first, ties by :data:`REASONS`."""
    scored = [Reason(code, getattr(settings.points, code)) for code in REASONS]
    ranked = sorted(enumerate(scored), key=lambda x: (-x[1].points, x[0]))
    return tuple(r for _, r in ranked if r.points > 0)


# ---------------------------------------------------------------- engine side


def _start_of_last(as_of: dt.date, days: int) -> dt.datetime:
    """The first instant of the last ``days`` calendar days ending on ``as_of``."""
    return dt.datetime.combine(as_of - dt.timedelta(days=days - 1), dt.time())


def _days_before(as_of: dt.date, day: ir.DateValue) -> ir.IntegerValue:
    return ibis.literal(as_of).delta(day, unit="day").cast("int64")


def scored_base(ws: Workspace, as_of: dt.date) -> ibis.Table:
    """``customer_id, gap_days, segment`` of the monetary marts of ``as_of``.

    Raises :class:`InsufficientData` when the ``rfm`` or ``segments`` mart lacks the date.
    """
    r = ws.table("rfm")
    r = r.filter((r.as_of == as_of) & (r.version == VERSION))
    s = ws.table("segments")
    s = s.filter((s.as_of == as_of) & (s.version == VERSION))
    if r.count().to_pyarrow().as_py() == 0 or s.count().to_pyarrow().as_py() == 0:
        raise InsufficientData(
            f"no monetary RFM segments for {as_of}: run `livebase segment --as-of {as_of}` "
            "first, then score the churn risk"
        )
    j = r.join(s.select("customer_id", "segment"), "customer_id")
    return j.select("customer_id", gap_days=j.recency_days.cast("int64"), segment=j.segment)


def _recency_top(base: ibis.Table, settings: RiskSettings) -> ibis.Table:
    # counted per (segment, gap_days), a small table, so that no window runs over the
    # customers (a segment is a huge partition on Spark): ahead = the segment's customers
    # with a greater gap (rank), size = all of the segment's customers. The join back is
    # on plain equality of non-NULL keys (a NULL-safe join made DuckDB pair rows on the
    # segment alone: a billion rows at 10M customers)
    keyed = base.mutate(_seg=base.segment.fill_null("~none~"), _gap=base.gap_days.fill_null(-1))
    g = keyed.group_by(["_seg", "_gap"]).aggregate(_k=keyed.count().cast("int64"))
    before = ibis.window(group_by=g._seg, order_by=ibis.desc(g._gap), rows=(None, -1))
    ahead = ibis.coalesce(g._k.sum().over(before), 0)
    size = g._k.sum().over(group_by=g._seg)
    top = (ahead + 1).cast("float64") <= size.cast("float64") * settings.recency_top_share + 1e-9
    flag = ibis.ifelse(size >= settings.recency_min_segment, top, ibis.null("boolean"))
    g = g.select("_seg", "_gap", recency_top=flag)
    return keyed.left_join(g, ["_seg", "_gap"]).select(*base.columns, "recency_top")


def _intervals(
    con: BaseBackend, rules: PurchaseRules, as_of: dt.date, base: ibis.Table, fallback: str
) -> ibis.Table:
    """``customer_id, median_interval_days, interval_source`` for every base customer."""
    sp = spells(con, rules, as_of)
    gaps = sp.filter(sp.next_day.notnull())
    gaps = gaps.select("customer_id", gap=gaps.next_day.delta(gaps.day, unit="day"))
    own = gaps.group_by("customer_id").aggregate(own=gaps.gap.median().cast("float64"))
    pooled = gaps.aggregate(pooled=gaps.gap.median().cast("float64"))
    j = base.select("customer_id", "segment").left_join(own, "customer_id")
    j = j.select("customer_id", "segment", "own").cross_join(pooled)
    if fallback == "segment":
        seg_gaps = gaps.join(base.select("customer_id", seg="segment"), "customer_id")
        per_seg = seg_gaps.group_by("seg").aggregate(seg_median=seg_gaps.gap.median())
        j = j.left_join(per_seg, j.segment == per_seg.seg)
        segment_median = j.seg_median.cast("float64")
    else:
        segment_median = ibis.null("float64")
    median = ibis.coalesce(j.own, segment_median, j.pooled)
    source = ibis.cases(
        (j.own.notnull(), "own"),
        (segment_median.notnull(), "segment"),
        (j.pooled.notnull(), "all"),
        else_=ibis.null("string"),
    )
    return j.select(i_customer="customer_id", median_interval_days=median, interval_source=source)


def _activity(con: BaseBackend, as_of: dt.date, settings: RiskSettings) -> ibis.Table:
    """Per customer with a learning event up to ``as_of``: the weekly activity, its
    baseline and z-score, and the days without lessons."""
    recent_w, base_w = settings.activity_recent_weeks, settings.activity_baseline_weeks
    weeks = recent_w + base_w
    a = con.table("activities")
    a = a.filter(a.kind.isin(LEARNING_KINDS) & (a.ts < day_end(as_of)))
    life = a.group_by("customer_id").aggregate(first_ts=a.ts.min(), last_ts=a.ts.max())
    life = life.select(
        a_customer="customer_id",
        # full weeks k (0-based, back from as_of) run from as_of - 7k - 6 to as_of - 7k: the
        # last one the customer was learning for its whole length
        kmax=(_days_before(as_of, life.first_ts.date()) - 6) // 7,
        since_last=_days_before(as_of, life.last_ts.date()),
    )
    win = a.filter(a.ts >= _start_of_last(as_of, 7 * weeks))
    win = win.mutate(k=_days_before(as_of, win.ts.date()) // 7)
    weekly = win.group_by(["customer_id", "k"]).aggregate(c=win.count())
    weekly = weekly.join(life, weekly.customer_id == life.a_customer)
    in_base = (weekly.k >= recent_w) & (weekly.k <= weekly.kmax)
    per = weekly.group_by("customer_id").aggregate(
        recent=weekly.c.sum(where=weekly.k < recent_w),
        s=weekly.c.sum(where=in_base),
        sq=(weekly.c * weekly.c).sum(where=in_base),
    )
    j = life.left_join(per, life.a_customer == per.customer_id)
    n = ibis.greatest(ibis.least(j.kmax, weeks - 1) - recent_w + 1, 0).cast("int64")
    recent = j.recent.fill_null(0).cast("float64") / recent_w
    s = j.s.fill_null(0).cast("float64")
    sq = j.sq.fill_null(0).cast("float64")
    mean = ibis.ifelse(n > 0, s / n.cast("float64"), ibis.null("float64"))
    nf = n.cast("float64")
    var = ibis.ifelse(n > 1, (sq - s * s / nf) / (nf - 1), ibis.null("float64"))
    sd = ibis.greatest(var, 0.0).sqrt()
    z = (recent - mean) / ibis.greatest(sd, settings.activity_sd_floor)
    learning = j.since_last < settings.learning_lookback_days
    return j.select(
        "a_customer",
        activity_recent=recent,
        activity_baseline=mean,
        baseline_weeks=n.cast("int32"),
        activity_z=ibis.ifelse(n >= settings.activity_min_baseline_weeks, z, ibis.null("float64")),
        days_without_lessons=ibis.ifelse(learning, j.since_last, ibis.null("int64")),
    )


def _events(con: BaseBackend, as_of: dt.date, days: int) -> ibis.Table:
    a = con.table("activities")
    a = a.filter(
        a.kind.isin(OPERATIONAL) & (a.ts >= _start_of_last(as_of, days)) & (a.ts < day_end(as_of))
    )
    return a.group_by(e_customer=a.customer_id).aggregate(
        **{f"{k}_on": a.ts.max(where=a.kind == k).date() for k in OPERATIONAL}
    )


def _nps(con: BaseBackend, as_of: dt.date, days: int) -> ibis.Table:
    n = con.table("nps_responses")
    n = n.filter((n.ts >= _start_of_last(as_of, days)) & (n.ts < day_end(as_of)))
    w = ibis.window(group_by="customer_id", order_by=ibis.desc(n.ts))
    n = n.mutate(k=ibis.row_number().over(w))
    n = n.filter(n.k == 0)
    return n.select(n_customer="customer_id", nps_score=n.score.cast("int16"))


def _fired(t: ibis.Table, as_of: dt.date, settings: RiskSettings) -> dict[str, ir.BooleanValue]:
    """Whether each reason fires (never NULL)."""
    median = t.median_interval_days
    gap = t.gap_days.cast("float64")
    out: dict[str, ir.BooleanValue] = {}
    higher = ibis.literal(False)
    for code, times in RHYTHM_STEPS:  # highest step first: a step replaces the lower ones
        hit = (gap >= median * times).fill_null(False)
        out[code] = hit & ~higher
        higher |= hit
    out["activity_drop"] = (t.activity_z <= settings.activity_drop_z).fill_null(False)
    out["recency_top_segment"] = t.recency_top.fill_null(False)
    for kind in ("autopay_cancelled", "refund_requested", "downgrade_requested"):
        out[kind] = t[f"{kind}_on"].notnull()
    # an invoice is still pending when no purchase day came on or after it
    out["invoice_pending"] = (_days_before(as_of, t.invoice_pending_on) < t.gap_days).fill_null(
        False
    )
    out["nps_negative"] = (t.nps_score <= NEGATIVE_NPS).fill_null(False)
    higher = ibis.literal(False)
    for code, days in LESSON_STEPS:
        hit = (t.days_without_lessons >= days).fill_null(False)
        out[code] = hit & ~higher
        higher |= hit
    return out


def risk_scores(
    ws: Workspace, as_of: dt.date, *, settings: RiskSettings | None = None
) -> ibis.Table:
    """The ``risk`` mart rows of ``as_of`` as an Ibis expression (nothing is written).

    Reads the monetary ``rfm`` and ``segments`` marts of ``as_of`` (see
    :func:`scored_base`) and the canonical tables up to the end of ``as_of``.
    """
    settings = settings or ws.config.risk
    con = ws.con
    base = _recency_top(scored_base(ws, as_of), settings)
    iv = _intervals(con, ws.config.purchase_rules, as_of, base, settings.interval_fallback)
    act = _activity(con, as_of, settings)
    ev = _events(con, as_of, settings.event_lookback_days)
    nps = _nps(con, as_of, settings.nps_lookback_days)
    t = base.left_join(iv, base.customer_id == iv.i_customer).drop("i_customer")
    t = t.left_join(act, t.customer_id == act.a_customer).drop("a_customer")
    t = t.left_join(ev, t.customer_id == ev.e_customer).drop("e_customer")
    t = t.left_join(nps, t.customer_id == nps.n_customer).drop("n_customer")
    t = t.mutate(baseline_weeks=t.baseline_weeks.fill_null(0))
    fired = _fired(t, as_of, settings)
    order = reason_order(settings)
    points = ibis.literal(0, "int32")
    listed = ibis.literal("")
    for r in order:
        points = points + ibis.ifelse(fired[r.code], r.points, 0)
        listed = listed + ibis.ifelse(fired[r.code], f",{r.code}:{r.points}", "")
    t = t.mutate(points=points.cast("int32"), reasons=listed.substr(1))
    levels = settings.levels
    level = ibis.cases(
        (t.points >= levels.high, "high"), (t.points >= levels.medium, "medium"), else_="low"
    )
    return t.select(
        as_of=ibis.literal(as_of),
        customer_id="customer_id",
        points="points",
        level=level,
        reasons="reasons",
        segment="segment",
        gap_days="gap_days",
        median_interval_days="median_interval_days",
        interval_source="interval_source",
        recency_top="recency_top",
        activity_recent="activity_recent",
        activity_baseline="activity_baseline",
        baseline_weeks="baseline_weeks",
        activity_z="activity_z",
        days_without_lessons="days_without_lessons",
        nps_score="nps_score",
        autopay_cancelled_on="autopay_cancelled_on",
        refund_requested_on="refund_requested_on",
        invoice_pending_on="invoice_pending_on",
        downgrade_requested_on="downgrade_requested_on",
    )


# ---------------------------------------------------------------- the mart


def build_risk(
    ws: Workspace, as_of: dt.date, *, settings: RiskSettings | None = None
) -> RiskSummary:
    """Score every customer of the monetary RFM of ``as_of``, replace that date's rows of
    the ``risk`` mart and return the summary."""
    settings = settings or ws.config.risk
    rows = risk_scores(ws, as_of, settings=settings)
    with transaction(ws.con):
        replace_where(ws.con, "risk", {"as_of": as_of}, rows)
    return risk_summary(ws, as_of, settings=settings)


def _stored(ws: Workspace, as_of: dt.date) -> ibis.Table:
    r = ws.table("risk")
    r = r.filter(r.as_of == as_of)
    if r.count().to_pyarrow().as_py() == 0:
        raise InsufficientData(
            f"no churn-risk scores for {as_of}: run `livebase risk --as-of {as_of}` first"
        )
    return r


def risk_summary(
    ws: Workspace, as_of: dt.date, *, settings: RiskSettings | None = None
) -> RiskSummary:
    """Customers per level, how often each reason fired (with the points the stored lists
    give it) and what could not be measured, from the stored ``risk`` mart of ``as_of``.

    The level cut-offs shown are those of ``settings`` (the workspace's by default): the
    mart does not store them.
    """
    settings = settings or ws.config.risk
    r = _stored(ws, as_of)
    listed = ibis.literal(",") + r.reasons.fill_null("")
    metrics = {f"level_{lv}": (r.level == lv).sum().cast("int64") for lv in LEVELS}
    for c in REASONS:
        has = listed.contains(f",{c}:")
        metrics[f"reason_{c}"] = has.sum().cast("int64")
        pts = listed.re_extract(f",{c}:([0-9]+)", 1).nullif("").cast("int64")
        metrics[f"points_{c}"] = pts.max(where=has)
    metrics |= {
        f"source_{s}": (r.interval_source == s).sum().cast("int64") for s in INTERVAL_SOURCES
    }
    row = (
        r.aggregate(
            n=r.count(),
            without_z=r.activity_z.isnull().sum().cast("int64"),
            source_none=r.interval_source.isnull().sum().cast("int64"),
            **metrics,
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    n = row["n"]
    levels = tuple(LevelCount(lv, row[f"level_{lv}"], row[f"level_{lv}"] / n) for lv in LEVELS)
    fired = [
        ReasonCount(c, row[f"points_{c}"], row[f"reason_{c}"], row[f"reason_{c}"] / n)
        for c in REASONS
        if row[f"reason_{c}"]
    ]
    fired.sort(key=lambda x: (-x.customers, REASONS.index(x.code)))
    sources = (
        *((s, row[f"source_{s}"]) for s in INTERVAL_SOURCES),
        ("none", row["source_none"]),
    )
    return RiskSummary(
        as_of=as_of,
        customers=n,
        levels=levels,
        reasons=tuple(fired),
        interval_sources=sources,
        without_z=row["without_z"],
        medium_from=settings.levels.medium,
        high_from=settings.levels.high,
    )


def top_risks(
    ws: Workspace, as_of: dt.date, n: int = 20, *, level: str | None = None
) -> tuple[RiskRow, ...]:
    """The ``n`` riskiest customers of ``as_of`` (most points first, ties by
    ``customer_id``), optionally of one ``level``, with their reasons."""
    if n < 1:
        raise InputError(f"n must be at least 1, got {n}")
    if level is not None and level not in LEVELS:
        raise InputError(f"unknown risk level {level!r} (one of {', '.join(LEVELS)})")
    r = _stored(ws, as_of)
    if level is not None:
        r = r.filter(r.level == level)
    rows = r.order_by([ibis.desc(r.points), r.customer_id]).limit(n).to_pyarrow().to_pylist()
    fields = [f for f in RiskRow.__dataclass_fields__ if f != "reasons"]
    return tuple(
        RiskRow(**{f: row[f] for f in fields}, reasons=parse_reasons(row["reasons"]))
        for row in rows
    )
