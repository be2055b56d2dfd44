"""A campaign wave: its audience from the segments mart, consent checks, arms and power.

One wave for a sleep tier (R90, R180 or R270), arms control / value / discount plus a
holdout of 10–20 % (SPEC F4.4), email as the channel whose marketing consent decides who
may be in the experiment. Customers who may not be contacted are recorded in
``exclusions`` with a reason code and are not assigned.

Assignment is stratified (:func:`livebase.playbooks.assignment.assign_stratified`):
stratum = RFM decile × first-lead channel, the decile being ``ntile(10)`` of the total
RFM score ``r + f + m`` (ties by monetary, then customer id) among the wave's contactable
audience, from the ``rfm`` mart of ``as_of`` (version ``monetary``) and
``customers.first_channel``. Planning the same wave again (same tier and date) keeps
everyone already assigned in their arm and stratum; only newcomers are dealt, after them.

Before launch the wave's arm sizes are checked against the minimum detectable effect of
the workspace (``[experiments]``): the baseline is the tier's conversion in the history
(:func:`tier_baseline`) and :func:`livebase.experiments.power.prelaunch_check` says which
arms are underpowered.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Literal

import ibis
import pandas as pd

from livebase.errors import ConfigError, InputError
from livebase.experiments.power import PowerCheck
from livebase.experiments.status import INSUFFICIENT, OK
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import day_end, ntile
from livebase.playbooks.assignment import (
    HOLDOUT,
    arm_weights,
    check_weights,
    stratum_label,
)
from livebase.segments.segment_map import default_map
from livebase.store.workspace import Workspace

TIER_DAYS = {"R90": 14, "R180": 21, "R270": 28}  # wave lengths of seed 000
ARMS = ("control", "value", "discount")
AA_ARMS = ("control_a", "control_b")
HOLDOUT_RANGE = (0.10, 0.20)  # SPEC F4.4
_EPS = 1e-9


@dataclass(frozen=True)
class BaselineEstimate:
    """The tier's conversion in the history: who was in the tier on ``since`` and bought
    within the ``days`` after it (``since`` = as-of date − wave length)."""

    status: Literal["ok", "insufficient_data"]
    tier: str
    since: dt.date
    days: int
    customers: int
    converted: int
    rate: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class WavePlan:
    wave_id: str
    tier: str
    starts_on: dt.date
    days: int
    weights: dict[str, float]
    assigned: dict[str, int]
    excluded: dict[str, int]
    kept: int = 0  # assigned by an earlier run of the same wave, arm unchanged
    strata: int = 0
    aa: bool = False
    baseline: BaselineEstimate | None = None
    # None when the baseline could not be estimated (see ``baseline.reason``)
    power: PowerCheck | None = None
    playbook: str | None = None
    touches: object | None = None  # livebase.playbooks.planner.TouchSummary


def wave_id_for(tier: str, starts_on: dt.date, *, aa: bool = False) -> str:
    """>>> wave_id_for("R90", dt.date(2025, 7, 1)), wave_id_for("R90", dt.date(2025, 7, 1), aa=True)
    ('W-R90-20250701', 'W-AA-R90-20250701')
    """
    return f"W-{'AA-' if aa else ''}{tier}-{starts_on:%Y%m%d}"


def wave_arms(
    arms: tuple[str, ...] | None, holdout: float | None, *, aa: bool, default_holdout: float
) -> dict[str, float]:
    """The weights of a wave, after the holdout rule of SPEC F4.4.

    A holdout of 10–20 % for a real wave; none for an A/A wave.

    >>> wave_arms(None, None, aa=True, default_holdout=0.15)
    {'control_a': 0.5, 'control_b': 0.5}
    >>> wave_arms(None, 0.05, aa=False, default_holdout=0.15)
    Traceback (most recent call last):
    ...
    livebase.errors.ConfigError: the holdout must be 10–20 % of the wave ... not 5 %; ...
    """
    if aa:
        if holdout not in (None, 0):
            raise ConfigError(
                "an A/A wave has no holdout (every arm gets the same treatment), "
                f"not {holdout * 100:g} %"
            )
        arms = arms or AA_ARMS
        holdout = 0.0
        if len(arms) < 2:
            raise ConfigError("an A/A wave needs at least two arms")
    else:
        holdout = default_holdout if holdout is None else holdout
        low, high = HOLDOUT_RANGE
        if not low - _EPS <= holdout <= high + _EPS:
            raise ConfigError(
                f"the holdout must be {low * 100:g}–{high * 100:g} % of the wave (SPEC F4.4: "
                "less cannot measure the wave's effect, more withholds too many customers "
                f"from it), not {holdout * 100:g} %; a wave without a holdout is only an A/A "
                "test (aa=True)"
            )
        arms = arms or ARMS
    if HOLDOUT in arms:
        raise ConfigError(f"{HOLDOUT!r} is the name of the holdout, not of an arm")
    if len(set(arms)) != len(arms):
        raise ConfigError(f"arm names must differ: {', '.join(arms)}")
    weights = arm_weights(list(arms), holdout)
    check_weights(weights)
    return weights


def tier_range(tier: str) -> tuple[int, int | None]:
    """Recency days of a sleep tier in the default segment map (R90: 90–179).

    >>> tier_range("R90"), tier_range("R270")
    ((90, 179), (270, None))
    """
    for t in default_map().sleep_tiers:
        if t.tier == tier:
            return t.min, t.max
    raise InputError(f"unknown tier {tier!r} (one of {', '.join(TIER_DAYS)})")


def tier_baseline(ws: Workspace, as_of: dt.date, tier: str) -> BaselineEstimate:
    """The tier's conversion within a wave length, from the history before ``as_of``.

    The cohort: customers whose recency on ``since = as_of − days`` (days from their last
    counted purchase up to that day, as in RFM) was in the tier's range; a conversion:
    a counted purchase in the ``days`` days after ``since`` (up to and including
    ``as_of``), the same definition as a wave's readout. ``days`` is the tier's wave
    length. The cohort was not necessarily left alone: earlier campaigns count in.
    """
    days = TIER_DAYS[tier]
    low, high = tier_range(tier)
    since = as_of - dt.timedelta(days=days)
    cut = day_end(since)
    p = purchases(ws.con, ws.config.purchase_rules, until=day_end(as_of))
    p = p.filter(p.is_purchase)
    before = p.filter(p.ts < cut).group_by("customer_id").aggregate(last_ts=ibis._.ts.max())
    recency = ibis.literal(since).delta(before.last_ts.date(), unit="day")
    in_tier = recency >= low
    if high is not None:
        in_tier &= recency <= high
    cohort = before.filter(in_tier).select("customer_id")
    after = p.filter(p.ts >= cut).select("customer_id").distinct()
    flagged = cohort.mutate(converted=cohort.customer_id.isin(after.customer_id))
    row = (
        flagged.aggregate(customers=flagged.count(), converted=flagged.converted.sum())
        .to_pyarrow()
        .to_pylist()[0]
    )
    customers, converted = int(row["customers"]), int(row["converted"] or 0)
    base = {"tier": tier, "since": since, "days": days, "customers": customers}
    if customers == 0:
        return BaselineEstimate(INSUFFICIENT, **base, converted=0, reason="no_history")
    if converted in (0, customers):
        return BaselineEstimate(
            INSUFFICIENT, **base, converted=converted, reason="baseline_degenerate"
        )
    return BaselineEstimate(OK, **base, converted=converted, rate=converted / customers)


def _strata(ws: Workspace, as_of: dt.date, members: ibis.Table) -> pd.DataFrame:
    """customer_id, stratum for ``members`` (customer_id): RFM decile × first channel."""
    r = ws.table("rfm")
    r = r.filter((r.as_of == as_of) & (r.version == "monetary")).select(
        "customer_id",
        total=(r.r.cast("int64") + r.f.cast("int64") + r.m.cast("int64")),
        monetary="monetary",
    )
    c = ws.table("customers").select("customer_id", "first_channel")
    m = members.select("customer_id").distinct()
    j = m.left_join(r, "customer_id").select("customer_id", "total", "monetary")
    j = j.left_join(c, "customer_id").select("customer_id", "total", "monetary", "first_channel")
    # a member without an RFM row (not possible for an audience read from segments) ranks
    # lowest
    # (ntile over total, monetary, customer_id without a window over every member)
    j = j.mutate(
        _total=ibis.coalesce(j.total, 0),
        _money=ibis.coalesce(j.monetary, ibis.literal(0).cast("decimal(18,2)")),
    )
    ranked = ntile(j, ["_total", "_money"], 10, name="decile")
    frame = ranked.select("customer_id", "decile", "first_channel").to_pandas()
    frame["stratum"] = [
        stratum_label(int(d), ch if isinstance(ch, str) else None)
        for d, ch in zip(frame["decile"], frame["first_channel"], strict=True)
    ]
    return frame[["customer_id", "stratum"]]


def _stored_wave(ws: Workspace, wave_id: str) -> dict | None:
    w = ws.table("waves")
    rows = (
        w.filter(w.wave_id == wave_id).select("seed", "weights", "status").to_pyarrow().to_pylist()
    )
    return rows[0] if rows else None


def _check_replan(stored: dict | None, wave_id: str, seed: int, weights: dict[str, float]) -> None:
    if stored is None:
        return
    if stored["status"] == "throttled":
        # planning again would bring back the touches the throttle silenced (F4.6)
        raise ConfigError(
            f"wave {wave_id} was throttled (complaints or unsubscribes over the threshold): "
            "it stays silent and cannot be planned again; plan another date for a new wave"
        )
    before = json.loads(stored["weights"] or "{}")
    same = list(before) == list(weights) and all(
        abs(before[a] - weights[a]) <= _EPS for a in weights
    )
    if stored["seed"] != seed or not same:
        shares = ", ".join(f"{a} {w:.4g}" for a, w in before.items())
        raise ConfigError(
            f"wave {wave_id} is already planned with seed {stored['seed']} and arms {shares}; "
            "planning it again keeps everyone already assigned, so the seed, the arms and "
            "the holdout must stay the same (plan another date or tier for a new experiment)"
        )


def plan_wave(
    ws: Workspace,
    as_of: dt.date,
    *,
    tier: str = "R90",
    holdout: float | None = None,
    seed: int = 1,
    aa: bool = False,
) -> WavePlan:
    """Plan (or extend) the reactivation wave of ``tier`` starting the day after
    ``as_of``: the default playbook ``reactivation_<tier>`` (arms control / value /
    discount; ``control_a`` / ``control_b`` for an A/A wave, no holdout, its own wave id;
    ``holdout``: default ``[experiments] holdout`` of the workspace, 10–20 %). Planning
    the same wave again keeps every assigned customer's arm."""
    from livebase.playbooks.planner import plan_playbook
    from livebase.playbooks.spec import find_playbook

    if tier not in TIER_DAYS:
        raise InputError(f"unknown tier {tier!r} (one of {', '.join(TIER_DAYS)})")
    playbook = find_playbook(f"reactivation_{tier.lower()}", ws.root / "playbooks")
    settings = ws.config.experiments
    baseline = tier_baseline(ws, as_of, tier)
    if baseline.rate is not None and baseline.rate + settings.mde_pp / 100 >= 1:
        raise ConfigError(
            f"the tier's baseline conversion {baseline.rate:.1%} plus the minimum detectable "
            f"effect {settings.mde_pp:g} p.p. is 100 % or more: set a smaller "
            "[experiments] mde_pp"
        )
    return plan_playbook(ws, playbook, as_of, seed=seed, holdout=holdout, aa=aa)


def planned_weights(ws: Workspace, wave_id: str) -> dict[str, float]:
    w = ws.table("waves")
    rows = w.filter(w.wave_id == wave_id).select("weights").to_pyarrow().to_pylist()
    if not rows:
        raise InputError(f"no wave {wave_id!r} (see `livebase plan`)")
    return json.loads(rows[0]["weights"])


def wave_assignments(ws: Workspace, wave_id: str) -> pd.DataFrame:
    a = ws.table("assignments")
    s = ws.table("waves")
    rows = a.filter(a.wave_id == wave_id).to_pandas()
    if rows.empty:
        raise InputError(f"no wave {wave_id!r} (see `livebase plan`)")
    tier = s.filter(s.wave_id == wave_id).segment.to_pyarrow().to_pylist()[0]
    rows["sleep_tier"] = tier
    return rows[["customer_id", "arm", "sleep_tier"]]


def wave_touches(ws: Workspace, wave_id: str) -> pd.DataFrame:
    """The planned touches of ``wave_id`` (the ``touches`` table's rows), by customer and
    touch number."""
    t = ws.table("touches")
    rows = t.filter(t.wave_id == wave_id).to_pandas()
    return rows.sort_values(["customer_id", "touch_no"]).reset_index(drop=True)
