"""How well the churn-risk levels predict churn: a backtest on the school's history
(SPEC F3.1; seed 001: "несколько вариантов … тестируют и выбирают тот, что лучше
предсказывает").

For every past date ``d`` the scorecard of :mod:`livebase.metrics.risk` is computed as of
``d`` (only data up to the end of ``d``: the marts of ``d`` and the canonical tables
filtered to ``d``), then compared with what happened next. Definitions:

- *Churned within N days*: no counted purchase (``metrics.purchases``, ``is_purchase``)
  dated in the N days after ``d`` (``d + 1 … d + N``).
- A horizon N is *reached* for ``d`` when the store's data (the latest ``paid_at`` or
  ``created_at`` of any order) reach ``d + N``; otherwise its counts are ``None`` with
  status ``insufficient_data`` and reason ``horizon_not_reached``.
- *Base rate*: churned customers / scored customers of ``d``.
- Per level: *churn rate* = churned / customers of the level; *lift* = churn rate / base
  rate; *precision* of "level ≥ X" = churned / customers at level X or above; *recall* of
  "level ≥ X" = churned customers at level X or above / all churned customers.
- *Pooled* rows (``as_of = None``) add the counts of every date whose horizon is reached
  (a customer scored on several dates counts once per date).
- Per reason (pooled only): customer-dates whose reason list holds the code, their churn
  rate and its lift over the pooled base rate — the evidence for tuning that reason's
  points.
- A row's status is ``ok`` when its churn rate is defined; ``empty_level`` when no customer
  has the level (``never_fired`` for a reason); ``no_churn`` (status ``ok``) when nobody
  churned, so lift and recall are ``None``.

Known limit: an order's status and refunded amount are stored as they are now, so an
order refunded after ``d`` is not a purchase on ``d`` either (the store keeps no refund
date); everything else is cut at ``d``.

>>> rows = level_rows(None, 30, {"low": (4, 2), "medium": (6, 5), "high": (1, 1)})
>>> [(r.level, r.churned, round(r.lift, 4), round(r.precision, 4), r.recall) for r in rows]
... # doctest: +NORMALIZE_WHITESPACE
[('low', 2, 0.6875, 0.7273, 1.0), ('medium', 5, 1.1458, 0.8571, 0.75),
 ('high', 1, 1.375, 1.0, 0.125)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ibis

from livebase.config import RiskSettings
from livebase.errors import InputError
from livebase.experiments.horizon import data_until, horizon_reached
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import day_end
from livebase.metrics.risk import LEVELS, REASONS, VERSION, risk_scores
from livebase.segments.build import build_segments, last_data_date
from livebase.segments.segment_map import SegmentMap
from livebase.segments.thresholds import cutoff_dates
from livebase.store.workspace import Workspace

OK = "ok"
INSUFFICIENT = "insufficient_data"
HORIZONS = (30, 60, 90)


@dataclass(frozen=True)
class BaseRate:
    """Churn of every scored customer of one date (``as_of = None``: pooled)."""

    as_of: dt.date | None
    horizon_days: int
    customers: int
    churned: int | None
    base_rate: float | None
    status: str
    reason: str | None = None


@dataclass(frozen=True)
class LevelBacktest:
    """One level at one horizon on one date (``as_of = None``: pooled)."""

    as_of: dt.date | None
    horizon_days: int
    level: str
    customers: int
    churned: int | None
    churn_rate: float | None
    lift: float | None
    at_or_above: int  # customers at this level or higher
    churned_at_or_above: int | None
    precision: float | None  # of "level >= this one"
    recall: float | None  # of "level >= this one"
    status: str
    reason: str | None = None


@dataclass(frozen=True)
class ReasonBacktest:
    """One reason at one horizon, pooled over the dates whose horizon is reached:
    customer-dates whose list holds it, how many churned, and the lift over the pooled
    base rate (what a reason's points can be tuned by)."""

    horizon_days: int
    code: str
    customers: int
    churned: int | None
    churn_rate: float | None
    lift: float | None
    status: str
    reason: str | None = None


@dataclass(frozen=True)
class RiskBacktest:
    """The backtest table: base rates and level rows, per date and pooled; reason rows
    pooled."""

    as_ofs: tuple[dt.date, ...]
    horizons: tuple[int, ...]
    data_until: dt.datetime | None
    bases: tuple[BaseRate, ...]
    rows: tuple[LevelBacktest, ...]
    reasons: tuple[ReasonBacktest, ...] = ()

    def reason(self, code: str, horizon: int) -> ReasonBacktest:
        for r in self.reasons:
            if r.code == code and r.horizon_days == horizon:
                return r
        raise KeyError((code, horizon))

    def get(self, level: str, horizon: int, as_of: dt.date | None = None) -> LevelBacktest:
        for r in self.rows:
            if r.level == level and r.horizon_days == horizon and r.as_of == as_of:
                return r
        raise KeyError((level, horizon, as_of))

    def base(self, horizon: int, as_of: dt.date | None = None) -> BaseRate:
        for b in self.bases:
            if b.horizon_days == horizon and b.as_of == as_of:
                return b
        raise KeyError((horizon, as_of))


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def level_rows(
    as_of: dt.date | None, horizon: int, counts: dict[str, tuple[int, int]]
) -> tuple[LevelBacktest, ...]:
    """Rows of one date and horizon from ``{level: (customers, churned)}``."""
    total = sum(n for n, _ in counts.values())
    churned_total = sum(c for _, c in counts.values())
    base = _ratio(churned_total, total)
    out = []
    for i, level in enumerate(LEVELS):
        n, churned = counts.get(level, (0, 0))
        above = [counts.get(lv, (0, 0)) for lv in LEVELS[i:]]
        n_above = sum(x for x, _ in above)
        c_above = sum(c for _, c in above)
        rate = _ratio(churned, n)
        lift = rate / base if rate is not None and base else None
        if rate is None:
            status, reason = INSUFFICIENT, "empty_level"
        else:
            status, reason = OK, (None if churned_total else "no_churn")
        out.append(
            LevelBacktest(
                as_of=as_of,
                horizon_days=horizon,
                level=level,
                customers=n,
                churned=churned,
                churn_rate=rate,
                lift=lift,
                at_or_above=n_above,
                churned_at_or_above=c_above,
                precision=_ratio(c_above, n_above),
                recall=_ratio(c_above, churned_total),
                status=status,
                reason=reason,
            )
        )
    return tuple(out)


def _not_reached(as_of: dt.date | None, horizon: int, sizes: dict[str, int]):
    total = sum(sizes.values())
    base = BaseRate(as_of, horizon, total, None, None, INSUFFICIENT, "horizon_not_reached")
    rows = []
    for i, level in enumerate(LEVELS):
        rows.append(
            LevelBacktest(
                as_of=as_of,
                horizon_days=horizon,
                level=level,
                customers=sizes.get(level, 0),
                churned=None,
                churn_rate=None,
                lift=None,
                at_or_above=sum(sizes.get(lv, 0) for lv in LEVELS[i:]),
                churned_at_or_above=None,
                precision=None,
                recall=None,
                status=INSUFFICIENT,
                reason="horizon_not_reached",
            )
        )
    return base, tuple(rows)


def _reached(as_of: dt.date | None, horizon: int, counts: dict[str, tuple[int, int]]):
    total = sum(n for n, _ in counts.values())
    churned = sum(c for _, c in counts.values())
    reason = None if churned else "no_churn"
    base = BaseRate(as_of, horizon, total, churned, _ratio(churned, total), OK, reason)
    return base, level_rows(as_of, horizon, counts)


def _has_snapshot(ws: Workspace, as_of: dt.date) -> bool:
    for name in ("rfm", "segments"):
        t = ws.table(name)
        t = t.filter((t.as_of == as_of) & (t.version == VERSION))
        if t.count().to_pyarrow().as_py() == 0:
            return False
    return True


def outcome_counts(
    ws: Workspace, as_of: dt.date, horizons: Sequence[int], settings: RiskSettings
) -> dict[str, dict]:
    """Per level of the scores of ``as_of``: ``customers``, ``(h, None)`` churned within
    ``h`` days, ``(None, code)`` customers with a reason and ``(h, code)`` of them churned.
    One query; only these counts leave the engine."""
    scores = risk_scores(ws, as_of, settings=settings)
    scores = scores.select("customer_id", "level", "reasons")
    longest = max(horizons)
    p = purchases(ws.con, ws.config.purchase_rules, until=day_end(as_of + dt.timedelta(longest)))
    p = p.filter(p.is_purchase & (p.ts >= day_end(as_of)))
    nxt = p.group_by(p_customer=p.customer_id).aggregate(next_ts=p.ts.min())
    nxt = nxt.select("p_customer", wait=nxt.next_ts.date().delta(ibis.literal(as_of), unit="day"))
    j = scores.left_join(nxt, scores.customer_id == nxt.p_customer)
    listed = ibis.literal(",") + j.reasons.fill_null("")
    has = {c: listed.contains(f",{c}:") for c in REASONS}
    churned = {h: j.wait.isnull() | (j.wait > h) for h in horizons}
    metrics = {f"churned_{h}": churned[h].sum().cast("int64") for h in horizons}
    for c in REASONS:
        metrics[f"n_{c}"] = has[c].sum().cast("int64")
        for h in horizons:
            metrics[f"c_{c}_{h}"] = (has[c] & churned[h]).sum().cast("int64")
    rows = j.group_by("level").aggregate(customers=j.count(), **metrics).to_pyarrow().to_pylist()
    out = {}
    for r in rows:
        counts: dict = {"customers": r["customers"]}
        counts |= {(h, None): r[f"churned_{h}"] for h in horizons}
        counts |= {(None, c): r[f"n_{c}"] for c in REASONS}
        counts |= {(h, c): r[f"c_{c}_{h}"] for c in REASONS for h in horizons}
        out[r["level"]] = counts
    return out


def _check(as_ofs: Iterable[dt.date], horizons: Iterable[int]):
    days = tuple(sorted(set(as_ofs)))
    hs = tuple(sorted(set(horizons)))
    if not days:
        raise InputError("the risk backtest needs at least one as-of date")
    if not hs or any(not isinstance(h, int) or h < 1 for h in hs):
        raise InputError(f"horizons must be whole days of at least 1, got {tuple(horizons)}")
    return days, hs


def risk_backtest(
    ws: Workspace,
    as_ofs: Sequence[dt.date],
    horizons: Sequence[int] = HORIZONS,
    *,
    settings: RiskSettings | None = None,
    smap: SegmentMap | None = None,
    build_missing: bool = True,
) -> RiskBacktest:
    """Score the customers as of each date in ``as_ofs`` and read their churn in the next
    ``horizons`` days (see the module docstring for every definition).

    The scores need the monetary ``rfm`` and ``segments`` marts of each date; a date
    without them is built with :func:`livebase.segments.build.build_segments` (``smap``,
    the default map when ``None``) when ``build_missing``, which writes those marts;
    otherwise :class:`~livebase.errors.InsufficientData` is raised. The ``risk`` mart is
    not written.
    """
    days, hs = _check(as_ofs, horizons)
    settings = settings or ws.config.risk
    until = data_until(ws.con)
    bases: list[BaseRate] = []
    rows: list[LevelBacktest] = []
    pooled: dict[int, dict[str, list[int]]] = {h: {} for h in hs}
    by_reason: dict[int, dict[str, list[int]]] = {h: {} for h in hs}
    for day in days:
        if build_missing and not _has_snapshot(ws, day):
            build_segments(ws, day, smap=smap)
        counts = outcome_counts(ws, day, hs, settings)
        sizes = {lv: c["customers"] for lv, c in counts.items()}
        for h in hs:
            if not horizon_reached(day, h, until):
                base, level = _not_reached(day, h, sizes)
            else:
                per = {lv: (c["customers"], c[(h, None)]) for lv, c in counts.items()}
                for code in REASONS:
                    acc = by_reason[h].setdefault(code, [0, 0])
                    acc[0] += sum(c[(None, code)] for c in counts.values())
                    acc[1] += sum(c[(h, code)] for c in counts.values())
                base, level = _reached(day, h, per)
                for lv, (n, churned) in per.items():
                    acc = pooled[h].setdefault(lv, [0, 0])
                    acc[0] += n
                    acc[1] += churned
            bases.append(base)
            rows.extend(level)
    for h in hs:
        if pooled[h]:
            base, level = _reached(None, h, {lv: (a, b) for lv, (a, b) in pooled[h].items()})
        else:
            base, level = _not_reached(None, h, {})
        bases.append(base)
        rows.extend(level)
    reasons = tuple(
        reason_row(h, code, *by_reason[h].get(code, (0, 0)), base=_pooled_base(bases, h))
        for h in hs
        for code in REASONS
    )
    return RiskBacktest(days, hs, until, tuple(bases), tuple(rows), reasons)


def _pooled_base(bases: Sequence[BaseRate], h: int) -> BaseRate:
    return next(b for b in bases if b.as_of is None and b.horizon_days == h)


def reason_row(
    horizon: int, code: str, customers: int, churned: int, *, base: BaseRate
) -> ReasonBacktest:
    """One reason at one horizon, pooled over the dates whose horizon is reached."""
    if base.status != OK:
        return ReasonBacktest(
            horizon, code, customers, None, None, None, INSUFFICIENT, "horizon_not_reached"
        )
    if customers == 0:
        return ReasonBacktest(horizon, code, 0, 0, None, None, INSUFFICIENT, "never_fired")
    rate = churned / customers
    lift = rate / base.base_rate if base.base_rate else None
    return ReasonBacktest(
        horizon, code, customers, churned, rate, lift, OK, None if lift is not None else "no_churn"
    )


def backtest_dates(ws: Workspace, *, horizon: int = 90, count: int = 6) -> tuple[dt.date, ...]:
    """``count`` monthly dates, the last one ``horizon`` days before the store's last
    order day, so that every date reaches the horizon (oldest first)."""
    if count < 1 or horizon < 1:
        raise InputError("count and horizon must be at least 1")
    return cutoff_dates(last_data_date(ws), horizon, count)
