"""Cohorts and unit economics (SPEC F3.3; seeds 000 and 004).

A *cohort kind* groups customers and fixes each member's *anchor*, the moment every
horizon is counted from:

* ``signup_month`` — the UTC month (``YYYY-MM``) of ``customers.created_at``; anchor =
  signup; customers without ``created_at`` belong to no cohort of this kind;
* ``first_channel`` — ``customers.first_channel`` (``unknown`` when empty); anchor =
  signup;
* ``first_purchase_month`` — the UTC month of the first purchase; anchor = first
  purchase; members are the customers who have one;
* ``age_band`` — the child's age in full years on the day of the first purchase, from
  ``customers.child_birth_date``: ``0-2``, ``3-5``, ``6-8``, ``9-12``, ``13-16``,
  ``other`` (below 0 or above 16) or ``unknown`` (no birth date); anchor = first purchase.

Vocabulary. Days are UTC calendar days; *day k* of a member is the anchor's day + k, and
*within N days* means days 0 … N − 1. A *payment* is a row of the counted purchases
(:func:`livebase.metrics.purchases.purchases`: purchase categories, refunds netted, a
repeat payment within the duplicate window dropped) with a positive amount; its *net* is
``amount − refunded_amount``. A *purchase* is a purchase key (a plan's installments are
one purchase) dated by its first payment; it is *counted* unless all its payments are
refunded orders, and *refunded* when any of its orders has status ``refunded`` or a
``refunded_amount`` (as recorded now: the store has no refund dates). The *first
purchase* is a customer's earliest purchase, a later refunded one included, so that its
refund stays in the cohort's refund rate and LTV. A *learning activity* is an
``activities`` event of :data:`livebase.metrics.rfm.LEARNING_KINDS`. Nothing after the
``as_of`` day is read.

Definitions (per cohort):

* **retention Dn** (n = 7, 30, 60) — the share of members active on days n … n + 6 after
  the anchor (a payment of a counted purchase, installments included, or a learning
  activity).
* **repeat purchase N** (90, 180) — the share of members with a first purchase who made
  at least two counted purchases within N days of the first purchase's day.
* **refund rate N** (30, 60, 90) — refunded purchases / purchases made within N days of
  the anchor.
* **LTV N** (30, 90, 180 days; ``6m`` = six calendar months, day 0 up to the same day six
  months later, exclusive) — net revenue of the payments within N days of the anchor per
  member (members without payments count as 0), undiscounted.
* **ARPU 90** — net revenue within 90 days of the anchor / members active within those
  90 days (a counted purchase or a learning activity; seed 004: revenue of the period /
  active users of the period).
* **ARPPU 90** — net revenue within 90 days / members with a counted purchase within
  those 90 days.
* **AOV 90** — net revenue within 90 days / counted purchases within those 90 days.
* **churn 180** (seed 000) — 1 − the share of members who, within 180 days of the
  anchor, made at least one counted purchase (other than the anchoring first purchase
  when the anchor is the first purchase) and/or had at least two learning activities.
* **CAC** — acquisition costs / members: ``costs`` rows up to ``as_of`` whose ``kind`` is
  one of the acquisition kinds (``cohorts.acquisition_kinds``, default
  ``acquisition``), by the month of ``costs.date`` for month cohorts and by
  ``costs.channel`` = the first-lead channel for channel cohorts (costs without a
  channel go to no channel); age bands have no CAC (costs carry no age).
* **CAC payback** (seed 004) — the first whole month m (1, 2, …) at whose end the
  cumulative gross margin per member (net revenue of the payments in the first m
  calendar months after the anchor × ``experiments.gross_margin``) reaches CAC.

Honest horizons: a metric whose window ends after ``as_of`` for some members is computed
over the members whose window is complete (``members_reached``; for a repeat purchase,
the members whose first purchase is at least N − 1 days before ``as_of``) and says so:
``status`` is ``ok`` when every eligible member reached it, ``partial`` when only some
did, and ``insufficient_data`` with reason ``horizon_not_reached`` when none did — a
window cut short is never averaged with complete ones. CAC payback at month m uses the
members who have m complete months. An undefined ratio (no purchases, no payers, no
costs) is ``None`` with a reason code (:mod:`livebase.experiments.status`).

>>> age_band_of(dt.date(2019, 6, 1), dt.date(2025, 5, 31)), age_band_of(None, dt.date(2025, 1, 1))
('3-5', 'unknown')
>>> month_index(dt.date(2025, 1, 31), dt.date(2025, 2, 28))
1
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Final, Literal

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis import _
from ibis.backends import BaseBackend

from livebase.config import CohortSettings, PurchaseRules
from livebase.errors import InputError, InsufficientData
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import LEARNING_KINDS, day_end

if TYPE_CHECKING:
    from livebase.store.workspace import Workspace

KINDS: Final = ("signup_month", "first_purchase_month", "first_channel", "age_band")
SIGNUP: Final = "signup"
FIRST_PURCHASE: Final = "first_purchase"
ANCHORS: Final = {
    "signup_month": SIGNUP,
    "first_channel": SIGNUP,
    "first_purchase_month": FIRST_PURCHASE,
    "age_band": FIRST_PURCHASE,
}
AGE_BANDS: Final = ((0, 2), (3, 5), (6, 8), (9, 12), (13, 16))
OTHER: Final = "other"
UNKNOWN: Final = "unknown"
BAND_ORDER: Final = (*(f"{lo}-{hi}" for lo, hi in AGE_BANDS), OTHER, UNKNOWN)

RETENTION_DAYS: Final = (7, 30, 60)
RETENTION_WIDTH: Final = 7  # day n … n + 6
REPEAT_DAYS: Final = (90, 180)
REFUND_DAYS: Final = (30, 60, 90)
LTV_DAYS: Final = (30, 90, 180)
LTV_MONTHS: Final = 6
SPEND_DAYS: Final = 90  # the window of ARPU, ARPPU and AOV
CHURN_DAYS: Final = 180
MIN_LEARNING_ACTIVITIES: Final = 2

RETENTION_METRICS: Final = tuple(f"retention_d{n}" for n in RETENTION_DAYS)
LTV_METRICS: Final = (*(f"ltv_{n}" for n in LTV_DAYS), f"ltv_{LTV_MONTHS}m")
METRICS: Final = (
    *RETENTION_METRICS,
    *(f"repeat_{n}" for n in REPEAT_DAYS),
    *(f"refund_{n}" for n in REFUND_DAYS),
    *LTV_METRICS,
    f"arpu_{SPEND_DAYS}",
    f"arppu_{SPEND_DAYS}",
    f"aov_{SPEND_DAYS}",
    f"churn_{CHURN_DAYS}",
    "cac",
    "cac_payback",
)

OK: Final = "ok"
PARTIAL: Final = "partial"
INSUFFICIENT: Final = "insufficient_data"
Status = Literal["ok", "partial", "insufficient_data"]
Unit = Literal["share", "money", "months"]
_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")


# ------------------------------------------------------------------ plain Python twins


def month_index(anchor: dt.date, day: dt.date) -> int:
    """The calendar month after ``anchor`` that ``day`` falls in: month m runs from the
    anchor's day m months later (clamped to the month's length) up to month m + 1.

    >>> month_index(dt.date(2025, 1, 31), dt.date(2025, 2, 27))
    0
    >>> month_index(dt.date(2025, 1, 15), dt.date(2025, 7, 15))
    6
    """
    months = (day.year - anchor.year) * 12 + day.month - anchor.month
    last = (dt.date(day.year + day.month // 12, day.month % 12 + 1, 1) - dt.timedelta(1)).day
    return months - (day.day < min(anchor.day, last))


def age_band_of(birth: dt.date | None, on: dt.date) -> str:
    """The age band of a child born on ``birth`` on the day ``on`` (full years).

    >>> age_band_of(dt.date(2016, 2, 29), dt.date(2019, 2, 28))
    '0-2'
    >>> age_band_of(dt.date(2005, 1, 1), dt.date(2025, 1, 1))
    'other'
    """
    if birth is None:
        return UNKNOWN
    diff = (on.year - birth.year) * 10000 + (on.month - birth.month) * 100 + on.day - birth.day
    if diff < 0:
        return OTHER
    age = diff // 10000
    return next((f"{lo}-{hi}" for lo, hi in AGE_BANDS if age <= hi), OTHER)


# ------------------------------------------------------------------------ results


@dataclass(frozen=True)
class CohortMetric:
    """One metric of one cohort (a row of the long table).

    ``value`` is a fraction (``unit`` ``share``), roubles rounded half up to kopecks
    (``money``) or whole months (``months``); ``numerator`` / ``base`` are what it was
    computed from (counts, or exact money sums for a money numerator); ``members`` is the
    cohort's size and ``members_reached`` the members the value is about (see the module:
    honest horizons). ``value`` is ``None`` whenever ``status`` is ``insufficient_data``.
    """

    kind: str
    cohort: str
    metric: str
    unit: Unit
    value: float | Decimal | int | None
    numerator: int | Decimal | None
    base: int | None
    members: int
    members_reached: int
    status: Status
    reason: str | None = None


FRAME_COLUMNS = [
    "kind",
    "cohort",
    "metric",
    "unit",
    "value",
    "numerator",
    "base",
    "members",
    "members_reached",
    "status",
    "reason",
]


@dataclass(frozen=True)
class CohortTable:
    """Every metric of every cohort of one kind, as of a day.

    ``cohorts`` in display order (months ascending, channels by name with ``unknown``
    last, age bands in band order), ``members`` their sizes; ``rows`` cohort by cohort in
    the order of :data:`METRICS`. ``without_anchor``: customers in no cohort of this kind
    (no signup date, or no purchase for the first-purchase kinds).
    """

    kind: str
    anchor: str
    as_of: dt.date
    gross_margin: float
    cohorts: tuple[str, ...]
    members: dict[str, int]
    without_anchor: int
    rows: tuple[CohortMetric, ...]

    def get(self, cohort: str, metric: str) -> CohortMetric:
        for row in self.rows:
            if row.cohort == cohort and row.metric == metric:
                return row
        raise KeyError((cohort, metric))

    def frame(self) -> pd.DataFrame:
        """The long table: one row per cohort and metric (:data:`FRAME_COLUMNS`);
        ``value``, ``numerator`` and ``base`` keep their Python types (``None`` stays)."""
        out = pd.DataFrame(
            [[getattr(r, c) for c in FRAME_COLUMNS] for r in self.rows],
            columns=FRAME_COLUMNS,
            dtype=object,
        )
        return out.astype({"members": "int64", "members_reached": "int64"})

    def wide(self, metrics: Sequence[str], field: str = "value") -> pd.DataFrame:
        """Cohort × metric: ``field`` (``value``, ``status``, ``members_reached``…) of
        each; index = cohorts in display order, columns = ``metrics``."""
        unknown = [m for m in metrics if m not in METRICS]
        if unknown:
            raise InputError(f"unknown cohort metric(s): {', '.join(unknown)}")
        if field not in FRAME_COLUMNS:
            raise InputError(f"unknown field {field!r} (one of {', '.join(FRAME_COLUMNS)})")
        data = {m: [getattr(self.get(c, m), field) for c in self.cohorts] for m in metrics}
        out = pd.DataFrame(data, index=pd.Index(self.cohorts, name="cohort"), dtype=object)
        out.columns.name = "metric"
        return out

    def retention_triangle(self, field: str = "value") -> pd.DataFrame:
        """Cohort × D7/D30/D60 retention (the triangle and the heatmap)."""
        return self.wide(RETENTION_METRICS, field)

    def ltv_table(self, field: str = "value") -> pd.DataFrame:
        """Cohort × LTV 30/90/180/6M."""
        return self.wide(LTV_METRICS, field)


# --------------------------------------------------------------- engine expressions


def _month_index_expr(anchor: ir.DateValue, day: ir.DateValue) -> ir.IntegerValue:
    """:func:`month_index` as an Ibis expression."""
    months = (day.year() - anchor.year()) * 12 + (day.month() - anchor.month())
    last = (day.truncate("M") + ibis.interval(months=1) - ibis.interval(days=1)).day()
    return months - ibis.ifelse(day.day() < ibis.least(anchor.day(), last), 1, 0)


def _age_band_expr(birth: ir.DateValue, on: ir.DateValue) -> ir.StringValue:
    """:func:`age_band_of` as an Ibis expression."""

    def ymd(d: ir.DateValue) -> ir.IntegerValue:
        return d.year().cast("int64") * 10000 + d.month() * 100 + d.day()

    diff = ymd(on) - ymd(birth)
    age = diff // 10000
    branches = [(birth.isnull(), UNKNOWN), (diff < 0, OTHER)]
    branches += [(age <= hi, f"{lo}-{hi}") for lo, hi in AGE_BANDS]
    return ibis.cases(*branches, else_=OTHER)


def _channel_expr(channel: ir.StringValue) -> ir.StringValue:
    return ibis.coalesce(channel.strip().nullif(""), ibis.literal(UNKNOWN))


def payments_expr(con: BaseBackend, rules: PurchaseRules, as_of: dt.date) -> ir.Table:
    """Payments up to ``as_of``: the counted-purchase rows with a positive amount, with
    ``customer_id, purchase_key, ts, net, is_purchase, refunded``."""
    p = purchases(con, rules, until=day_end(as_of))
    o = con.table("orders")
    o = o.select(
        "order_id",
        o_paid=o.amount > 0,
        o_refunded=(o.status == "refunded") | (o.refunded_amount.fill_null(0) > 0),
    )
    j = p.join(o, "order_id")
    return j.filter(j.o_paid).select(
        "customer_id", "purchase_key", "ts", "net", "is_purchase", refunded=j.o_refunded
    )


def purchase_keys_expr(payments: ir.Table) -> ir.Table:
    """One row per purchase: ``customer_id, purchase_key, ts`` (first payment),
    ``counted``, ``refunded``."""
    return payments.group_by(["customer_id", "purchase_key"]).aggregate(
        ts=payments.ts.min(), counted=payments.is_purchase.any(), refunded=payments.refunded.any()
    )


def cohort_members(
    con: BaseBackend, kind: str, *, as_of: dt.date, rules: PurchaseRules | None = None
) -> ir.Table:
    """One row per member of a cohort of ``kind``: ``customer_id, cohort, anchor_date,
    first_key, first_date, days_observed`` (days from the anchor to ``as_of``) and
    ``months_observed`` (complete calendar months after the anchor up to ``as_of``)."""
    _check_kind(kind)
    rules = rules or PurchaseRules()
    keys = purchase_keys_expr(payments_expr(con, rules, as_of))
    w = ibis.window(group_by="customer_id", order_by=[keys.ts, keys.purchase_key])
    first = keys.mutate(rn=ibis.row_number().over(w))
    first = first.filter(first.rn == 0).select(
        "customer_id", first_key=first.purchase_key, first_ts=first.ts
    )
    c = con.table("customers")
    if ANCHORS[kind] == SIGNUP:
        c = c.filter(c.created_at.notnull(), c.created_at < day_end(as_of))
        m = c.select("customer_id", "first_channel", anchor_ts=c.created_at)
        m = m.left_join(first, "customer_id").select(
            "customer_id", "first_channel", "anchor_ts", "first_key", "first_ts"
        )
        cohort = (
            _channel_expr(m.first_channel)
            if kind == "first_channel"
            else m.anchor_ts.strftime("%Y-%m")
        )
    else:
        births = c.select("customer_id", "child_birth_date")
        m = first.left_join(births, "customer_id").select(
            "customer_id", "first_key", "first_ts", "child_birth_date", anchor_ts=first.first_ts
        )
        cohort = (
            _age_band_expr(m.child_birth_date, m.first_ts.date())
            if kind == "age_band"
            else m.anchor_ts.strftime("%Y-%m")
        )
    anchor = m.anchor_ts.date()
    end = ibis.literal(as_of, type="date")
    return m.select(
        "customer_id",
        "first_key",
        cohort=cohort,
        anchor_date=anchor,
        first_date=m.first_ts.date(),
        days_observed=end.delta(anchor, unit="day").cast("int64"),
        months_observed=_month_index_expr(anchor, end + ibis.interval(days=1)).cast("int64"),
    )


def _member_features(
    con: BaseBackend, kind: str, members: ir.Table, payments: ir.Table, as_of: dt.date
) -> ir.Table:
    """``members`` with per-member counts and sums (zeros, not NULL) of the windows."""
    anchor_cols = members.select("customer_id", "anchor_date", "first_key", "first_date")
    zero = ibis.literal(0).cast("decimal(18,2)")

    # payments: retention (paying) and money
    pay = payments.join(anchor_cols, "customer_id")
    day = pay.ts.date().delta(pay.anchor_date, unit="day")
    month = _month_index_expr(pay.anchor_date, pay.ts.date())
    after = day >= 0
    pay_aggs: dict[str, ir.Value] = {
        f"pay_d{n}": (pay.is_purchase & day.between(n, n + RETENTION_WIDTH - 1)).sum()
        for n in RETENTION_DAYS
    }
    for n in sorted({*LTV_DAYS, SPEND_DAYS}):
        pay_aggs[f"net_{n}"] = pay.net.sum(where=after & (day < n))
    pay_aggs[f"net_{LTV_MONTHS}m"] = pay.net.sum(where=after & (month < LTV_MONTHS))
    per_pay = pay.group_by("customer_id").aggregate(**pay_aggs)

    # purchases: refunds, repeat, churn, payers, AOV
    keys = purchase_keys_expr(payments).join(anchor_cols, "customer_id")
    day = keys.ts.date().delta(keys.anchor_date, unit="day")
    since_first = keys.ts.date().delta(keys.first_date, unit="day")
    after = day >= 0
    other = keys.counted
    if ANCHORS[kind] == FIRST_PURCHASE:
        other &= keys.purchase_key != keys.first_key
    key_aggs: dict[str, ir.Value] = {}
    for n in REFUND_DAYS:
        key_aggs[f"bought_{n}"] = (after & (day < n)).sum()
        key_aggs[f"refunded_{n}"] = (keys.refunded & after & (day < n)).sum()
    for n in REPEAT_DAYS:
        key_aggs[f"repeat_{n}"] = (keys.counted & (since_first >= 0) & (since_first < n)).sum()
    key_aggs[f"counted_{SPEND_DAYS}"] = (keys.counted & after & (day < SPEND_DAYS)).sum()
    key_aggs[f"other_{CHURN_DAYS}"] = (other & after & (day < CHURN_DAYS)).sum()
    per_key = keys.group_by("customer_id").aggregate(**key_aggs)

    # learning activities: retention (learning), ARPU activity, churn
    a = con.table("activities")
    a = a.filter(a.kind.isin(LEARNING_KINDS), a.ts < day_end(as_of))
    a = a.join(anchor_cols.select("customer_id", "anchor_date"), "customer_id")
    day = a.ts.date().delta(a.anchor_date, unit="day")
    learn_aggs: dict[str, ir.Value] = {
        f"learn_d{n}": day.between(n, n + RETENTION_WIDTH - 1).sum() for n in RETENTION_DAYS
    }
    learn_aggs[f"learn_{SPEND_DAYS}"] = ((day >= 0) & (day < SPEND_DAYS)).sum()
    learn_aggs[f"learn_{CHURN_DAYS}"] = ((day >= 0) & (day < CHURN_DAYS)).sum()
    per_learn = a.group_by("customer_id").aggregate(**learn_aggs)

    out = members
    for part in (per_pay, per_key, per_learn):
        cols = [c for c in part.columns if c != "customer_id"]
        out = out.left_join(part, "customer_id").select(*out.columns, *cols)
    fill = {
        col: (ibis.coalesce(out[col], zero) if col.startswith("net_") else out[col].fill_null(0))
        for col in out.columns
        if col not in members.columns
    }
    return out.mutate(**fill)


def cohort_aggregates_expr(
    con: BaseBackend, kind: str, *, as_of: dt.date, rules: PurchaseRules | None = None
) -> ir.Table:
    """One row per cohort: ``members``, ``buyers`` and, per metric, the counts and sums of
    the members who reached its horizon (``<metric>_reached`` and the numerators)."""
    rules = rules or PurchaseRules()
    members = cohort_members(con, kind, as_of=as_of, rules=rules)
    f = _member_features(con, kind, members, payments_expr(con, rules, as_of), as_of)
    since_first = ibis.literal(as_of, type="date").delta(f.first_date, unit="day")

    def within(n: int) -> ir.BooleanValue:
        return f.days_observed >= n - 1

    aggs: dict[str, ir.Value] = {"members": f.count(), "buyers": f.first_date.notnull().sum()}
    for n in RETENTION_DAYS:
        reached = f.days_observed >= n + RETENTION_WIDTH - 1
        aggs[f"retention_d{n}_reached"] = reached.sum()
        aggs[f"retention_d{n}_active"] = (
            reached & ((f[f"pay_d{n}"] > 0) | (f[f"learn_d{n}"] > 0))
        ).sum()
    for n in REPEAT_DAYS:
        reached = f.first_date.notnull() & (since_first >= n - 1)
        aggs[f"repeat_{n}_reached"] = reached.sum()
        aggs[f"repeat_{n}_yes"] = (reached & (f[f"repeat_{n}"] >= 2)).sum()
    for n in REFUND_DAYS:
        aggs[f"refund_{n}_reached"] = within(n).sum()
        aggs[f"refund_{n}_bought"] = f[f"bought_{n}"].sum(where=within(n))
        aggs[f"refund_{n}_refunded"] = f[f"refunded_{n}"].sum(where=within(n))
    for n in LTV_DAYS:
        aggs[f"ltv_{n}_reached"] = within(n).sum()
        aggs[f"ltv_{n}_sum"] = f[f"net_{n}"].sum(where=within(n))
    six = f.months_observed >= LTV_MONTHS
    aggs[f"ltv_{LTV_MONTHS}m_reached"] = six.sum()
    aggs[f"ltv_{LTV_MONTHS}m_sum"] = f[f"net_{LTV_MONTHS}m"].sum(where=six)
    spend = within(SPEND_DAYS)
    payer = f[f"counted_{SPEND_DAYS}"] > 0
    aggs["spend_reached"] = spend.sum()
    aggs["spend_sum"] = f[f"net_{SPEND_DAYS}"].sum(where=spend)
    aggs["spend_active"] = (spend & (payer | (f[f"learn_{SPEND_DAYS}"] > 0))).sum()
    aggs["spend_payers"] = (spend & payer).sum()
    aggs["spend_purchases"] = f[f"counted_{SPEND_DAYS}"].sum(where=spend)
    churn = within(CHURN_DAYS)
    active = (f[f"other_{CHURN_DAYS}"] >= 1) | (f[f"learn_{CHURN_DAYS}"] >= MIN_LEARNING_ACTIVITIES)
    aggs["churn_reached"] = churn.sum()
    aggs["churn_active"] = (churn & active).sum()
    return f.group_by("cohort").aggregate(**aggs)


def payback_grid_expr(
    con: BaseBackend, kind: str, *, as_of: dt.date, rules: PurchaseRules | None = None
) -> tuple[ir.Table, ir.Table]:
    """The inputs of CAC payback: net revenue per ``(cohort, months_observed, month)``
    (``month`` = the calendar month after the anchor of the payment) and members per
    ``(cohort, months_observed)``."""
    rules = rules or PurchaseRules()
    members = cohort_members(con, kind, as_of=as_of, rules=rules)
    pay = payments_expr(con, rules, as_of).join(
        members.select("customer_id", "cohort", "anchor_date", "months_observed"), "customer_id"
    )
    pay = pay.filter(pay.ts.date() >= pay.anchor_date)
    pay = pay.mutate(month=_month_index_expr(pay.anchor_date, pay.ts.date()).cast("int64"))
    revenue = pay.group_by(["cohort", "months_observed", "month"]).aggregate(net=pay.net.sum())
    sizes = members.group_by(["cohort", "months_observed"]).aggregate(n=_.count())
    return revenue, sizes


def acquisition_costs_expr(
    con: BaseBackend, kind: str, *, as_of: dt.date, acquisition_kinds: Sequence[str]
) -> ir.Table | None:
    """Acquisition costs per cohort (``cohort, amount``), ``None`` for a kind the costs
    are not recorded by (age bands)."""
    c = con.table("costs")
    c = c.filter(c.kind.isin(list(acquisition_kinds)), c.date <= as_of)
    if kind in ("signup_month", "first_purchase_month"):
        cohort = c.date.strftime("%Y-%m")
    elif kind == "first_channel":
        c = c.filter(c.channel.strip().nullif("").notnull())
        cohort = c.channel.strip()
    else:
        return None
    c = c.mutate(cohort=cohort)
    return c.group_by("cohort").aggregate(amount=c.amount.sum())


# ------------------------------------------------------------------------- Python


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InputError(f"unknown cohort kind {kind!r} (one of {', '.join(KINDS)})")


def _order(kind: str, cohorts: set[str]) -> tuple[str, ...]:
    if kind == "age_band":
        return tuple(b for b in BAND_ORDER if b in cohorts)
    if kind == "first_channel":
        return tuple(sorted(cohorts - {UNKNOWN})) + ((UNKNOWN,) if UNKNOWN in cohorts else ())
    return tuple(sorted(cohorts))


def _money(value: object) -> Decimal:
    return Decimal(value or 0).quantize(_CENT)


def _status(reached: int, eligible: int) -> Status:
    return OK if reached == eligible else PARTIAL


class _Builder:
    """The rows of one cohort."""

    def __init__(self, kind: str, cohort: str, members: int) -> None:
        self.kind, self.cohort, self.members = kind, cohort, members
        self.rows: list[CohortMetric] = []

    def put(
        self,
        metric: str,
        unit: Unit,
        value=None,
        numerator=None,
        base=None,
        *,
        reached: int = 0,
        status: Status = INSUFFICIENT,
        reason: str | None = None,
    ) -> None:
        self.rows.append(
            CohortMetric(
                self.kind,
                self.cohort,
                metric,
                unit,
                value,
                numerator,
                base,
                self.members,
                reached,
                status,
                reason,
            )
        )

    def add(
        self,
        metric: str,
        unit: Unit,
        reached: int,
        eligible: int,
        numerator: int | Decimal,
        base: int,
        empty: str,
    ) -> None:
        """``numerator / base`` over ``reached`` of ``eligible`` members; ``empty``: the
        reason when nobody is eligible or the base is 0."""
        if eligible == 0:
            self.put(metric, unit, reason=empty)
        elif reached == 0:
            self.put(metric, unit, reason="horizon_not_reached")
        elif base == 0:
            self.put(metric, unit, None, numerator, 0, reached=reached, reason=empty)
        else:
            value = (
                (Decimal(numerator) / base).quantize(_CENT, rounding=ROUND_HALF_UP)
                if unit == "money"
                else numerator / base
            )
            status = _status(reached, eligible)
            self.put(metric, unit, value, numerator, base, reached=reached, status=status)


def _metric_rows(b: _Builder, row: dict) -> None:
    """Every metric but CAC and its payback, from one aggregate row."""
    n = b.members

    def count(name: str) -> int:
        return int(row[name] or 0)

    for d in RETENTION_DAYS:
        reached = count(f"retention_d{d}_reached")
        active = count(f"retention_d{d}_active")
        b.add(f"retention_d{d}", "share", reached, n, active, reached, "no_members")
    for d in REPEAT_DAYS:
        reached = count(f"repeat_{d}_reached")
        yes = count(f"repeat_{d}_yes")
        b.add(f"repeat_{d}", "share", reached, count("buyers"), yes, reached, "no_buyers")
    for d in REFUND_DAYS:
        reached, bought = count(f"refund_{d}_reached"), count(f"refund_{d}_bought")
        refunded = count(f"refund_{d}_refunded")
        b.add(f"refund_{d}", "share", reached, n, refunded, bought, "no_purchases")
    for d in (*LTV_DAYS, f"{LTV_MONTHS}m"):
        reached, total = count(f"ltv_{d}_reached"), _money(row[f"ltv_{d}_sum"])
        b.add(f"ltv_{d}", "money", reached, n, total, reached, "no_members")
    reached, revenue = count("spend_reached"), _money(row["spend_sum"])
    for metric, base, reason in (
        (f"arpu_{SPEND_DAYS}", "spend_active", "no_active_members"),
        (f"arppu_{SPEND_DAYS}", "spend_payers", "no_payers"),
        (f"aov_{SPEND_DAYS}", "spend_purchases", "no_purchases"),
    ):
        b.add(metric, "money", reached, n, revenue, count(base), reason)
    reached = count("churn_reached")
    churned = reached - count("churn_active")
    b.add(f"churn_{CHURN_DAYS}", "share", reached, n, churned, reached, "no_members")


def payback_month(
    cac: Fraction,
    gross_margin: float,
    revenue: dict[tuple[int, int], Decimal],
    sizes: dict[int, int],
) -> tuple[int | None, int]:
    """``(m, members)``: the first whole month m at whose end the cumulative gross margin
    per member reaches ``cac``, over the members with at least m complete months, and how
    many they are; ``(None, members with the most months)`` when it is never reached.

    ``revenue[(months_observed, month)]``: net revenue of the members with that many
    complete months in that calendar month after the anchor; ``sizes[months_observed]``:
    how many members have that many complete months.

    >>> payback_month(Fraction(100), 0.5, {(2, 0): Decimal(150), (2, 1): Decimal(60)}, {2: 1})
    (2, 1)
    """
    gm = Fraction(str(gross_margin))
    last_members = 0
    for m in range(1, max(sizes, default=0) + 1):
        members = sum(k for r, k in sizes.items() if r >= m)
        if members == 0:
            continue
        last_members = members
        total = sum(
            (Fraction(v) for (r, month), v in revenue.items() if r >= m and 0 <= month < m),
            Fraction(0),
        )
        if total * gm / members >= cac:
            return m, members
    return None, last_members


def cohort_table(
    con: BaseBackend,
    kind: str,
    *,
    as_of: dt.date,
    rules: PurchaseRules | None = None,
    gross_margin: float = 0.63,
    acquisition_kinds: Sequence[str] = ("acquisition",),
) -> CohortTable:
    """Every metric of every cohort of ``kind`` as of ``as_of`` (see the module)."""
    _check_kind(kind)
    if not 0 < gross_margin <= 1:
        raise InputError(f"gross margin must be in (0, 1], got {gross_margin}")
    if not acquisition_kinds:
        raise InputError("at least one acquisition cost kind is needed")
    rules = rules or PurchaseRules()
    aggs = {
        r["cohort"]: r
        for r in cohort_aggregates_expr(con, kind, as_of=as_of, rules=rules)
        .to_pyarrow()
        .to_pylist()
    }
    customers = con.table("customers").count().to_pyarrow().as_py()
    costs_expr = acquisition_costs_expr(con, kind, as_of=as_of, acquisition_kinds=acquisition_kinds)
    costs: dict[str, Decimal] | None = None
    revenue: dict[str, dict[tuple[int, int], Decimal]] = {}
    sizes: dict[str, dict[int, int]] = {}
    if costs_expr is not None:
        costs = {
            r["cohort"]: Decimal(r["amount"] or 0)
            for r in costs_expr.to_pyarrow().to_pylist()
            if r["cohort"] in aggs
        }
        if any(costs.values()):
            rev_expr, size_expr = payback_grid_expr(con, kind, as_of=as_of, rules=rules)
            for r in rev_expr.to_pyarrow().to_pylist():
                key = (int(r["months_observed"]), int(r["month"]))
                revenue.setdefault(r["cohort"], {})[key] = Decimal(r["net"] or 0)
            for r in size_expr.to_pyarrow().to_pylist():
                sizes.setdefault(r["cohort"], {})[int(r["months_observed"])] = int(r["n"])
    order = _order(kind, set(aggs))
    rows: list[CohortMetric] = []
    for cohort in order:
        row = aggs[cohort]
        b = _Builder(kind, cohort, int(row["members"]))
        _metric_rows(b, row)
        _cac_rows(b, costs, revenue.get(cohort, {}), sizes.get(cohort, {}), gross_margin)
        rows.extend(b.rows)
    members = {c: int(aggs[c]["members"]) for c in order}
    return CohortTable(
        kind=kind,
        anchor=ANCHORS[kind],
        as_of=as_of,
        gross_margin=gross_margin,
        cohorts=order,
        members=members,
        without_anchor=int(customers) - sum(members.values()),
        rows=tuple(rows),
    )


def _cac_rows(
    b: _Builder,
    costs: dict[str, Decimal] | None,
    revenue: dict[tuple[int, int], Decimal],
    sizes: dict[int, int],
    gross_margin: float,
) -> None:
    total = None if costs is None else costs.get(b.cohort, _ZERO)
    if total is None or total <= 0:
        reason = "costs_not_attributable" if costs is None else "no_acquisition_costs"
        b.put("cac", "money", reason=reason)
        b.put("cac_payback", "months", reason=reason)
        return
    b.add("cac", "money", b.members, b.members, total.quantize(_CENT), b.members, "no_members")
    months, reached = payback_month(Fraction(total) / b.members, gross_margin, revenue, sizes)
    if months is None:
        reason = "payback_not_reached" if reached else "horizon_not_reached"
        b.put("cac_payback", "months", reached=reached, reason=reason)
    else:
        status = _status(reached, b.members)
        b.put("cac_payback", "months", months, reached=reached, status=status)


def data_end(con: BaseBackend) -> dt.date | None:
    """The day of the latest order in the store (the default ``as_of``), ``None`` without
    orders."""
    o = con.table("orders")
    last = ibis.coalesce(o.paid_at, o.created_at).max().to_pyarrow().as_py()
    return None if last is None else last.date()


def workspace_cohorts(ws: Workspace, kind: str, *, as_of: dt.date | None = None) -> CohortTable:
    """:func:`cohort_table` with the workspace's purchase rules, gross margin and
    acquisition cost kinds; ``as_of`` defaults to the day of the latest order."""
    if as_of is None:
        as_of = data_end(ws.con)
        if as_of is None:
            raise InsufficientData("no orders in the store: import an orders export first")
    settings: CohortSettings = ws.config.cohorts
    return cohort_table(
        ws.con,
        kind,
        as_of=as_of,
        rules=ws.config.purchase_rules,
        gross_margin=ws.config.experiments.gross_margin,
        acquisition_kinds=settings.acquisition_kinds,
    )
