"""RFM per customer as of a date (SPEC F2.1, F2.2; seed 001).

Monetary version: R = days from the last counted purchase (ever) to ``as_of``; F =
purchases in the window (installments of one plan once) or distinct purchase days; M =
revenue in the window net of refunds. Behavioural version (learning events): R = days
since the last learning event, F = distinct learning days in the window, M = completed
learning units in the window (lessons, modules, homework, attended webinars).

Scores 1..bins by quantiles of the school's own customers, or by fixed edges. Tie
policies (how customers with equal values are scored):

- ``first``: ties broken by ``customer_id`` (pandas ``rank(method="first")``), the
  buckets of Ibis/SQL ``ntile``: every score is used, equal values may differ by one;
- ``average``: a tie group gets the score of its mean position;
- ``dense``: quantiles of the distinct values; equal values always share a score.

Every policy orders by the metric *and* ``customer_id``, so every run and every engine
agrees. No policy uses a window over all customers (Spark would run it in one task): a tie
group's offset comes from per-value counts, and ``first`` numbers customers by
``customer_id`` within their tie group only. When a scale cannot use all its scores (too
few distinct values) or ties decide many scores, :func:`scale_notes` says so: a scale never
shrinks silently.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import ibis
from ibis.backends import BaseBackend

from livebase.config import FixedThresholds, PurchaseRules
from livebase.errors import InputError
from livebase.metrics.purchases import purchases

LEARNING_KINDS = (
    "course_start",
    "lesson_start",
    "lesson_finish",
    "module_finish",
    "homework_submitted",
    "homework_reviewed",
    "webinar_attended",
)
COMPLETED_KINDS = ("lesson_finish", "module_finish", "homework_submitted", "webinar_attended")
VERSIONS = ("monetary", "behavioural")


def months_before(day: dt.date, months: int) -> dt.date:
    """>>> months_before(dt.date(2025, 3, 31), 1), months_before(dt.date(2025, 5, 5), 12)
    (datetime.date(2025, 2, 28), datetime.date(2024, 5, 5))
    """
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def day_end(day: dt.date) -> dt.datetime:
    """The exclusive end of ``day`` (data up to and including ``as_of``)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def utc_naive(moment: dt.datetime) -> dt.datetime:
    """A moment as the store keeps it: naive UTC (an aware moment is converted)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def parse_window(text: str) -> tuple[int, str]:
    """``12m`` → (12, "m"); ``365d`` → (365, "d"); a bare number means months.

    >>> parse_window("12m"), parse_window("90d"), parse_window("6")
    ((12, 'm'), (90, 'd'), (6, 'm'))
    """
    m = re.fullmatch(r"\s*(\d+)\s*([md]?)\s*", text.lower())
    if not m or int(m.group(1)) == 0:
        raise InputError(f"--window: not a window {text!r} (use e.g. 12m or 365d)")
    return int(m.group(1)), m.group(2) or "m"


def window_start(as_of: dt.date, window: tuple[int, str]) -> dt.datetime:
    """The inclusive start of the window that ends with ``as_of``."""
    n, unit = window
    first = months_before(as_of, n) if unit == "m" else as_of - dt.timedelta(days=n)
    return dt.datetime.combine(first + dt.timedelta(days=1), dt.time())


def rfm_values(
    con: BaseBackend,
    as_of: dt.date,
    *,
    rules: PurchaseRules,
    window_months: int = 12,
    frequency: str = "orders",
    window: tuple[int, str] | None = None,
    source: ibis.Table | None = None,
) -> ibis.Table:
    """Recency days, frequency and monetary per customer with at least one purchase.

    ``source``: the counted purchases (:func:`~livebase.metrics.purchases.purchases`)
    when the caller has already computed them, e.g. materialised once for several readers.
    """
    end = day_end(as_of)
    start = window_start(as_of, window or (window_months, "m"))
    p = purchases(con, rules, until=end) if source is None else source.filter(source.ts < end)
    in_window = (p.ts >= start) & p.is_purchase
    zero = ibis.literal(0).cast("decimal(18,2)")
    if frequency == "orders":
        # an order that is not part of a plan is one purchase: a plain count; only plans
        # (several installments under one key) need the distinct count, which is the
        # expensive part of the aggregation on a large base
        single = p.purchase_key == p.order_id
        freq = p.count(where=in_window & single) + p.purchase_key.nunique(where=in_window & ~single)
    else:
        freq = p.ts.date().nunique(where=in_window)
    per = p.group_by("customer_id").aggregate(
        last_ts=p.ts.max(where=p.is_purchase),
        frequency=freq,
        monetary=ibis.coalesce(p.net.sum(where=p.ts >= start), zero).cast("decimal(18,2)"),
    )
    per = per.filter(per.last_ts.notnull())
    return per.select(
        "customer_id",
        recency_days=ibis.literal(as_of).delta(per.last_ts.date(), unit="day").cast("int64"),
        frequency=per.frequency.cast("int64"),
        monetary="monetary",
    )


def behavioural_values(
    con: BaseBackend, as_of: dt.date, *, window: tuple[int, str] = (12, "m")
) -> ibis.Table:
    """The behavioural version: learning recency, active days, completed units."""
    a = con.table("activities")
    a = a.filter(a.kind.isin(LEARNING_KINDS) & (a.ts < day_end(as_of)))
    in_window = a.ts >= window_start(as_of, window)
    per = a.group_by("customer_id").aggregate(
        last_ts=a.ts.max(),
        frequency=a.ts.date().nunique(where=in_window),
        monetary=a.kind.isin(COMPLETED_KINDS).sum(where=in_window),
    )
    return per.select(
        "customer_id",
        recency_days=ibis.literal(as_of).delta(per.last_ts.date(), unit="day").cast("int64"),
        frequency=per.frequency.cast("int64"),
        monetary=ibis.coalesce(per.monetary, 0).cast("decimal(18,2)"),
    )


_AXES = (("r", "recency_days", True), ("f", "frequency", False), ("m", "monetary", False))
_PARTS = ("big", "long", "r", "short")  # what _ntile_constants returns


def _ntile_constants(n: ibis.ir.IntegerValue, bins: int) -> tuple[ibis.ir.IntegerValue, ...]:
    """For ``ntile(bins)`` over ``n`` rows (``n`` = q × bins + r): the first position of
    the short buckets r × (q + 1), the long bucket size q + 1, r, and the short bucket
    size q (1 when q = 0: then no position reaches the short buckets, and no engine
    divides by zero, e.g. Spark with ANSI on)."""
    q, r = n // bins, n % bins
    return r * (q + 1), q + 1, r, ibis.greatest(q, 1)


def _bucket(p, big, long, r, short) -> ibis.ir.IntegerValue:
    """The 0-based bucket of position ``p`` from the :func:`_ntile_constants`."""
    return ibis.cases((p < big, p // long), else_=r + (p - big) // short)


def _ntile_bucket(
    p: ibis.ir.IntegerValue, n: int | ibis.ir.IntegerValue, bins: int
) -> ibis.ir.IntegerValue:
    """The 0-based ``ntile(bins)`` bucket of 0-based position ``p`` among ``n`` rows
    (``n`` a number or an engine expression)."""
    if not isinstance(n, int):
        return _bucket(p, *_ntile_constants(n, bins))
    q, r = divmod(n, bins)
    big = r * (q + 1)  # the first r buckets hold q + 1 rows
    if q == 0:
        return p
    return ibis.cases((p < big, p // (q + 1)), else_=r + (p - big) // q)


def _tie_groups(t: ibis.Table, col: str, *, descending: bool) -> ibis.Table:
    """One row per distinct value of ``col``: ``_k`` customers share it, ``_before`` rank
    ahead of it in scoring order, ``_n`` customers in all (small: windows on it are cheap).
    """
    g = t.group_by(col).aggregate(_k=t.count())
    key = ibis.desc(g[col]) if descending else g[col]
    # summed as decimals and cast back: an integer sum is HUGEINT on DuckDB (and Ibis drops a
    # cast to int64 it takes for a no-op), which slows the per-customer arithmetic several-fold
    k = g._k.cast("decimal(38,0)")
    ahead = k.sum().over(order_by=key, rows=(None, -1))
    return g.mutate(_before=ibis.coalesce(ahead, 0).cast("int64"), _n=k.sum().over().cast("int64"))


def ntile(t: ibis.Table, keys: list[str], bins: int, *, name: str = "ntile") -> ibis.Table:
    """``t`` with ``name`` = SQL ``ntile(bins)`` (1-based) over ``keys`` ascending, then
    ``customer_id``, without a window over all rows: the rows ranked ahead of each group of
    equal keys come from per-group counts (a small table), the rest from the row number
    by ``customer_id`` inside the group. ``keys`` must not be NULL.

    >>> import ibis
    >>> rows = {"customer_id": ["a", "b", "c", "d", "e"], "v": [2, 1, 2, 1, 3]}
    >>> t = ibis.duckdb.connect().create_table("t", rows)
    >>> ntile(t, ["v"], 2).order_by("customer_id").ntile.to_list()  # b d a | c e
    [1, 1, 2, 1, 2]
    """
    g = t.group_by(keys).aggregate(_k=t.count())
    k = g._k.cast("decimal(38,0)")  # not an integer sum: HUGEINT on DuckDB (see _tie_groups)
    ahead = k.sum().over(order_by=[g[c] for c in keys], rows=(None, -1))
    g = g.select(*keys, _before=ibis.coalesce(ahead, 0).cast("int64"), _n=k.sum().over())
    g = g.mutate(_n=g._n.cast("int64"))
    parts = {f"_{c}": v for c, v in zip(_PARTS, _ntile_constants(g._n, bins), strict=True)}
    g = g.select(*keys, "_before", **parts)
    j = t.mutate(_p=ibis.row_number().over(group_by=[t[c] for c in keys], order_by=t.customer_id))
    j = j.join(g, keys)
    bucket = _bucket(j._before + j._p, *(j[f"_{c}"] for c in _PARTS)) + 1
    return j.select(*t.columns, **{name: bucket.cast("int64")})


def _fixed(metric: ibis.ir.Value, edges: list[float], *, recency: bool, bins: int):
    if recency:  # recency ≤ edge[0] → bins, ≤ edge[1] → bins-1, ...
        cases = [(metric <= e, bins - i) for i, e in enumerate(edges)]
        return ibis.cases(*cases, else_=1)
    cases = [(metric >= e, i + 2) for i, e in reversed(list(enumerate(edges)))]
    return ibis.cases(*cases, else_=1)


def score(
    values: ibis.Table,
    *,
    bins: int = 5,
    tie_policy: str = "first",
    thresholds: FixedThresholds | None = None,
    n: int | None = None,
) -> ibis.Table:
    """Scores r, f, m in 1..bins (see the module docstring for the policies).

    ``values`` has no NULL in the three metrics (a NULL has no tie group to join). ``n``:
    the number of rows of ``values`` when the caller knows it (else the engine sums the
    per-value counts).
    """
    if tie_policy not in ("first", "average", "dense"):
        raise InputError(f"unknown tie policy {tie_policy!r} (first, average or dense)")
    edges = {axis: getattr(thresholds, axis) if thresholds else None for axis, _, _ in _AXES}
    quantiles = [(axis, col, desc) for axis, col, desc in _AXES if edges[axis] is None]
    t = values
    if tie_policy == "first":
        # ntile over (value, customer_id) without a global window: the rank by customer_id
        # inside the tie group (here, over the bare values: the cheapest sort) plus the
        # customers ranked ahead of the group (joined below)
        t = t.mutate(
            **{
                f"_p{axis}": ibis.row_number().over(group_by=t[col], order_by=t.customer_id)
                for axis, col, _ in quantiles
            }
        )
    # one small table per axis (a row per distinct value), computed from the values and
    # joined back: the tie group's offset for `first`, its score for the other policies
    for axis, col, descending in quantiles:
        if tie_policy == "dense":  # quantiles of the distinct values
            d = values.select(col).distinct()
            dkey = ibis.desc(d[col]) if descending else d[col]
            g = d.select(col, **{f"_s{axis}": ibis.ntile(bins).over(order_by=dkey) + 1})
        else:
            g = _tie_groups(values, col, descending=descending)
            if tie_policy == "average":
                # the mean 0-based position of a tie group is before + (k - 1) / 2, floored
                mean = g._before + (g._k - 1) // 2
                size = g._n if n is None else n
                g = g.select(col, **{f"_s{axis}": _ntile_bucket(mean, size, bins) + 1})
            else:
                cols = {f"_b{axis}": g._before}
                if n is None:  # the ntile constants: computed per value, not per customer
                    parts = _ntile_constants(g._n, bins)
                    cols |= {f"_{c}{axis}": v for c, v in zip(_PARTS, parts, strict=True)}
                g = g.select(col, **cols)
        t = t.join(g, col)
    out = {}
    for axis, col, _ in _AXES:
        if edges[axis] is not None:
            value = _fixed(t[col], edges[axis], recency=axis == "r", bins=bins)
        elif tie_policy == "first":
            pos = t[f"_b{axis}"] + t[f"_p{axis}"]
            if n is not None:
                value = _ntile_bucket(pos, n, bins) + 1
            else:
                value = _bucket(pos, *(t[f"_{c}{axis}"] for c in _PARTS)) + 1
        else:
            value = t[f"_s{axis}"]
        out[axis] = value.cast("int8")
    return t.select("customer_id", "recency_days", "frequency", "monetary", **out)


@dataclass(frozen=True)
class ScaleNote:
    """How well an axis used its scale: distinct values, scores used, the largest tie."""

    axis: str
    bins: int
    customers: int
    distinct_values: int
    scores_used: int
    largest_tie_share: float
    message: str | None  # None when the scale is whole and ties decide little

    @property
    def shrunk(self) -> bool:
        return self.scores_used < self.bins


def scale_notes(rfm: ibis.Table, *, bins: int, tie_policy: str) -> list[ScaleNote]:
    """Report, per axis, whether the scale lost scores or ties decided many scores."""
    notes = []
    n = int(rfm.count().execute())
    for axis, col in (("r", "recency_days"), ("f", "frequency"), ("m", "monetary")):
        stats = rfm.aggregate(distinct=rfm[col].nunique(), used=rfm[axis].nunique()).execute()
        ties = rfm.group_by(col).aggregate(k=rfm.count()).k.max().execute()
        distinct, used = int(stats.distinct[0]), int(stats.used[0])
        share = float(ties) / n if n else 0.0
        message = None
        if used < bins:
            message = (
                f"{axis}: only {used} of {bins} scores used ({distinct} distinct values of "
                f"{col} among {n} customers)"
            )
        elif tie_policy == "first" and share > 1 / bins:
            message = (
                f"{axis}: {share:.0%} of customers share one value of {col}; with the "
                f"'first' tie policy customer_id decides which score they get"
            )
        notes.append(ScaleNote(axis, bins, n, distinct, used, share, message))
    return notes


def compute_rfm(
    con: BaseBackend,
    as_of: dt.date,
    *,
    rules: PurchaseRules,
    window_months: int = 12,
    bins: int = 5,
    version: str = "monetary",
    tie_policy: str = "first",
    frequency: str = "orders",
    thresholds: FixedThresholds | None = None,
    window: tuple[int, str] | None = None,
    source: ibis.Table | None = None,
) -> ibis.Table:
    """The ``rfm`` mart rows for ``as_of`` (``source``: see :func:`rfm_values`).

    The values are materialised first (``Table.cache``: a temporary table that lives as long
    as the returned expression) when a quantile score reads them once per axis and again
    per customer: an engine plans those joins from real row counts, and none recomputes
    the values.
    """
    window = window or (window_months, "m")
    if version == "monetary":
        values = rfm_values(
            con, as_of, rules=rules, frequency=frequency, window=window, source=source
        )
    elif version == "behavioural":
        values = behavioural_values(con, as_of, window=window)
    else:
        raise InputError(f"unknown RFM version {version!r} (monetary or behavioural)")
    if thresholds is None or None in (thresholds.r, thresholds.f, thresholds.m):
        values = values.cache()
    scored = score(values, bins=bins, tie_policy=tie_policy, thresholds=thresholds)
    return scored.select(
        as_of=ibis.literal(as_of),
        version=ibis.literal(version),
        customer_id="customer_id",
        recency_days="recency_days",
        frequency="frequency",
        monetary="monetary",
        r="r",
        f="f",
        m="m",
    )
