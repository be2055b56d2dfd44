"""Incremental economics of a test arm against control (SPEC F5.3, seed 000's table).

Seed 000 measures a reactivation wave by four lines, all from per-arm counts and sums:

========================  ======================================================
uplift, p.p.              CR(test) − CR(control), CR = conversions / n
incremental orders        orders(test) − CR(control) × n(test)
incremental revenue       incremental orders × AOV(test)
incremental gross margin  incremental revenue × GM% − marketing cost
========================  ======================================================

**Orders are paying customers.** The seeds count "оплаты" (payments) as payers: seed 003
reports 34 payments out of 368 assigned as a 9.3 % conversion, and seed 000's "4.8 %
(554 orders)" of 11 540 contacts is the same reading. So ``orders(test)`` here is the
number of unique payers of the test arm (:attr:`ArmAggregate.conversions`) and the
control baseline ``CR(control) × n(test)`` is how many of the test arm would have paid
anyway. Incremental orders = ``n(test) × (CR(test) − CR(control))``; its interval is the
Newcombe hybrid score interval of the rate difference times ``n(test)``.

``AOV(test)`` = revenue / paying customers of the test arm (revenue net of refunds): the
value of one incremental "order" in the same unit as the orders above. In the seeds the
two readings coincide (seed 003: "средний чек" = ARPPU, one purchase per payer in 14
days); when payers buy twice, revenue per order would understate the increment.

Money is exact ``Decimal``: incremental revenue is the exact product rounded half-up to
kopecks once; incremental gross margin is computed from that rounded revenue (so a
reader can redo the line from the report) and rounded half-up again. ``gross_margin`` is
a fraction (0.63 for 63 %).

Marketing costs are recorded per wave, not per arm (table ``costs``);
:func:`wave_costs` allocates them to arms (see there).

Worked example — control 32 of 1000 paid; test 49 of 1000 paid 150 000 ₽ in 52 orders;
GM 63 %, marketing 10 000 ₽: uplift = 4.9 % − 3.2 % = 1.7 p.p.; incremental orders =
49 − 0.032 × 1000 = 17; AOV = 150 000 / 49 payers = 3061.2244…; incremental revenue =
17 × 3061.2244… = 52 040.8163… → 52 040.82 ₽; incremental margin =
52 040.82 × 0.63 − 10 000 = 22 785.7166 → 22 785.72 ₽.

>>> ctrl = ArmAggregate("control", 1000, 32, 33, Decimal("95000.00"), 0.0)
>>> test = ArmAggregate("value", 1000, 49, 52, Decimal("150000.00"), 0.0)
>>> inc = incremental(test, ctrl, gross_margin=0.63, marketing_cost=Decimal("10000"))
>>> inc.status, round(inc.uplift_pp, 6), round(inc.incremental_orders, 6)
('ok', 1.7, 17.0)
>>> inc.incremental_revenue, inc.incremental_gross_margin
(Decimal('52040.82'), Decimal('22785.72'))
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from ibis import _
from ibis.backends import BaseBackend

from livebase.errors import InputError
from livebase.experiments.aggregates import ArmAggregate
from livebase.experiments.proportions import newcombe_interval
from livebase.experiments.status import INSUFFICIENT, OK
from livebase.experiments.waves import load_wave

_CENT = Decimal("0.01")
HOLDOUT = "holdout"

METHOD_DESCRIPTION = (
    "orders = unique payers; incremental orders = payers(test) − CR(control) × n(test), "
    "CI: Newcombe hybrid score interval of the rate difference × n(test); incremental "
    "revenue = incremental orders × AOV(test) (revenue per paying customer); incremental "
    "gross margin = incremental revenue × GM% − marketing cost"
)


@dataclass(frozen=True)
class Increment:
    """Seed 000's incremental economics of one test arm against control.

    Rates are fractions, the uplift is in percentage points; money is ``Decimal`` rounded
    half-up to kopecks. Undefined quantities are ``None`` and ``status`` /``reason`` say
    why; the quantities that are defined stay (with no order in the test arm the uplift
    and the incremental orders are known, the revenue lines are not).
    """

    arm: str
    control: str
    status: str
    n_test: int
    n_control: int
    payers_test: int
    payers_control: int
    rate_test: float | None
    rate_control: float | None
    uplift_pp: float | None
    uplift_ci_pp: tuple[float, float] | None
    baseline_orders: float | None  # CR(control) × n(test): payers expected without the wave
    incremental_orders: float | None
    incremental_orders_ci: tuple[float, float] | None
    aov: Decimal | None  # revenue / paying customers of the test arm, rounded for display
    incremental_revenue: Decimal | None
    gross_margin: float
    marketing_cost: Decimal
    incremental_gross_margin: Decimal | None
    alpha: float = 0.05
    reason: str | None = None
    method: str = METHOD_DESCRIPTION


def _to_money(value: Fraction) -> Decimal:
    """An exact amount rounded half-up to kopecks."""
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(_CENT, rounding=ROUND_HALF_UP)


def _as_decimal(amount: Decimal | int, what: str) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise InputError(f"{what} must be a Decimal amount, got {amount!r}")
    value = Decimal(amount)
    if not value.is_finite() or value < 0:
        raise InputError(f"{what} must be a non-negative amount, got {amount}")
    return value


def incremental(
    test: ArmAggregate,
    control: ArmAggregate,
    *,
    gross_margin: float,
    marketing_cost: Decimal,
    alpha: float = 0.05,
) -> Increment:
    """Seed 000's incremental orders, revenue and gross margin of ``test`` vs ``control``.

    ``gross_margin``: a fraction in [0, 1] (GM% / 100); ``marketing_cost``: what the test
    arm cost (e.g. its share from :func:`wave_costs`), ``Decimal`` ≥ 0. Statuses:
    ``empty_arm`` (nobody assigned to the test arm), ``empty_control``, ``no_orders``
    (the test arm has no order, so its AOV and every money line are undefined).
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, got {alpha}")
    gm = float(gross_margin)
    if not 0 <= gm <= 1:
        raise InputError(f"gross_margin is a fraction in [0, 1] (0.63 for 63 %), got {gm}")
    cost = _as_decimal(marketing_cost, "marketing_cost")
    empty = {
        "rate_test": test.rate,
        "rate_control": control.rate,
        "uplift_pp": None,
        "uplift_ci_pp": None,
        "baseline_orders": None,
        "incremental_orders": None,
        "incremental_orders_ci": None,
        "aov": None,
        "incremental_revenue": None,
        "incremental_gross_margin": None,
    }
    base = {
        "arm": test.arm,
        "control": control.arm,
        "n_test": test.n,
        "n_control": control.n,
        "payers_test": test.conversions,
        "payers_control": control.conversions,
        "gross_margin": gm,
        "marketing_cost": cost.quantize(_CENT, rounding=ROUND_HALF_UP),
        "alpha": alpha,
    }
    if test.n == 0:
        return Increment(**base, **empty, status=INSUFFICIENT, reason="empty_arm")
    if control.n == 0:
        return Increment(**base, **empty, status=INSUFFICIENT, reason="empty_control")
    rate_c = Fraction(control.conversions, control.n)
    baseline = rate_c * test.n
    inc_orders = test.conversions - baseline
    low, high = newcombe_interval(
        test.conversions, test.n, control.conversions, control.n, alpha=alpha
    )
    counts = {
        "rate_test": test.conversions / test.n,
        "rate_control": control.conversions / control.n,
        "uplift_pp": (test.conversions / test.n - control.conversions / control.n) * 100,
        "uplift_ci_pp": (low * 100, high * 100),
        "baseline_orders": float(baseline),
        "incremental_orders": float(inc_orders),
        "incremental_orders_ci": (low * test.n, high * test.n),
    }
    if test.conversions == 0:
        money = {"aov": None, "incremental_revenue": None, "incremental_gross_margin": None}
        return Increment(**base, **counts, **money, status=INSUFFICIENT, reason="no_orders")
    aov = Fraction(test.revenue) / test.conversions
    revenue = _to_money(inc_orders * aov)
    margin = _to_money(Fraction(revenue) * Fraction(Decimal(repr(gm))) - Fraction(cost))
    return Increment(
        **base,
        **counts,
        aov=_to_money(aov),
        incremental_revenue=revenue,
        incremental_gross_margin=margin,
        status=OK,
    )


def allocate(total: Decimal, weights: dict[str, int]) -> dict[str, Decimal]:
    """Split ``total`` into kopecks in proportion to ``weights`` (largest remainders).

    Each arm gets the floor of its exact share in kopecks; the kopecks left go one by one
    to the largest remainders (ties: the order of ``weights``), so the parts add up to the
    total exactly. 100.00 over 1 : 1 : 1 → 33.33 each plus one kopeck to the first.

    >>> allocate(Decimal("100.00"), {"a": 1, "b": 1, "c": 1})
    {'a': Decimal('33.34'), 'b': Decimal('33.33'), 'c': Decimal('33.33')}
    """
    if total < 0:
        raise InputError(f"cannot allocate a negative amount {total}")
    whole = sum(weights.values())
    if whole <= 0 or any(w < 0 for w in weights.values()):
        raise InputError(f"allocation weights must be non-negative and not all 0: {weights}")
    kopecks = int((total / _CENT).to_integral_value(rounding=ROUND_HALF_UP))
    exact = {arm: Fraction(kopecks * w, whole) for arm, w in weights.items()}
    parts = {arm: math.floor(share) for arm, share in exact.items()}
    left = kopecks - sum(parts.values())
    order = sorted(exact, key=lambda arm: exact[arm] - parts[arm], reverse=True)
    for arm in order[:left]:
        parts[arm] += 1
    return {arm: (Decimal(k) * _CENT).quantize(_CENT) for arm, k in parts.items()}


def wave_costs(con: BaseBackend, wave_id: str) -> dict[str, Decimal]:
    """Marketing cost of each arm of ``wave_id``, from the ``costs`` table.

    Costs are recorded per wave (``costs.wave_id``), not per arm. The rule:

    * the wave's total (every ``costs`` row of the wave, any channel and kind) is split
      in proportion to the number of **touched customers** of each arm — distinct
      customers with at least one row in ``touches`` for the wave, matched to their arm
      through ``assignments`` (touches of customers not assigned in the wave are ignored);
    * when the wave has no touches of assigned customers (touches not planned yet, or
      planned elsewhere), in proportion
      to the **assigned customers of every arm except** ``holdout`` (the holdout gets no
      messages, so it causes no cost);
    * the split is in whole kopecks by largest remainders, so the parts add up to the
      total exactly (:func:`allocate`).

    Every arm of the wave (planned in ``waves.arms`` or found in ``assignments``) is a
    key; an arm without touches gets ``0.00``, and so does every arm when no cost is
    recorded for the wave (no ``costs`` rows means no recorded cost). Costs with nobody
    to allocate them to raise :class:`InputError`.
    """
    wave = load_wave(con, wave_id)
    assignments = con.table("assignments")
    assigned = assignments.filter(assignments.wave_id == wave_id).select("customer_id", "arm")
    sizes = {
        row["arm"]: int(row["n"])
        for row in assigned.group_by("arm").aggregate(n=_.count()).to_pyarrow().to_pylist()
    }
    arms = [*wave.arms, *sorted(set(sizes) - set(wave.arms))]
    costs = con.table("costs")
    total = costs.filter(costs.wave_id == wave_id).amount.sum().to_pyarrow().as_py()
    if total is None or Decimal(total) == 0:
        return dict.fromkeys(arms, Decimal("0.00"))
    total = Decimal(total)
    if total < 0:
        raise InputError(f"wave {wave_id!r}: the costs add up to a negative amount {total}")
    touched = _touched_per_arm(con, wave_id, assigned)
    # the holdout gets no messages: without touches it causes no cost
    weights = touched or {arm: n for arm, n in sizes.items() if arm != HOLDOUT}
    if sum(weights.values()) == 0:
        raise InputError(
            f"wave {wave_id!r} has {total} of costs but no touched or assigned customers "
            "to allocate them to"
        )
    shares = allocate(total, {arm: weights.get(arm, 0) for arm in arms})
    return {arm: shares[arm] for arm in arms}


def _touched_per_arm(con: BaseBackend, wave_id: str, assigned) -> dict[str, int]:
    touches = con.table("touches")
    touched = touches.filter(touches.wave_id == wave_id).select("customer_id").distinct()
    per_arm = touched.join(assigned, "customer_id").group_by("arm").aggregate(n=_.count())
    return {row["arm"]: int(row["n"]) for row in per_arm.to_pyarrow().to_pylist() if row["n"]}
