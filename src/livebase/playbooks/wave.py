"""A campaign wave: its audience from the segments mart, consent checks and arms.

The thin first version: one wave for a sleep tier (R90, R180 or R270), arms control /
value / discount plus a holdout, email as the channel whose marketing consent decides
who may be in the experiment. Customers who may not be contacted are recorded in
``exclusions`` with a reason code and are not assigned.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd

from livebase.engine import transaction
from livebase.errors import InputError, InsufficientData
from livebase.metrics.rfm import day_end
from livebase.playbooks.assignment import arm_weights, assign_arm, check_weights
from livebase.playbooks.eligibility import contact_status
from livebase.store.workspace import Workspace
from livebase.store.write import replace_where, upsert

TIER_DAYS = {"R90": 14, "R180": 21, "R270": 28}  # wave lengths of seed 000


@dataclass(frozen=True)
class WavePlan:
    wave_id: str
    tier: str
    starts_on: dt.date
    days: int
    weights: dict[str, float]
    assigned: dict[str, int]
    excluded: dict[str, int]


def wave_id_for(tier: str, starts_on: dt.date) -> str:
    return f"W-{tier}-{starts_on:%Y%m%d}"


def plan_wave(
    ws: Workspace,
    as_of: dt.date,
    *,
    tier: str = "R90",
    arms: tuple[str, ...] = ("control", "value", "discount"),
    holdout: float = 0.15,
    seed: int = 1,
    channel: str = "email",
) -> WavePlan:
    if tier not in TIER_DAYS:
        raise InputError(f"unknown tier {tier!r} (one of {', '.join(TIER_DAYS)})")
    weights = arm_weights(list(arms), holdout)
    check_weights(weights)
    seg = ws.table("segments")
    seg = seg.filter((seg.as_of == as_of) & (seg.version == "monetary"))
    audience = seg.filter(seg.sleep_tier == tier).select("customer_id", "segment")
    if audience.count().execute() == 0:
        raise InsufficientData(
            f"no customers in tier {tier} on {as_of}: run `livebase segment --as-of {as_of}`"
        )
    status = contact_status(
        ws.con, audience, channel=channel, purpose="marketing", as_of=day_end(as_of)
    ).to_pandas()
    starts_on = as_of + dt.timedelta(days=1)
    wave_id = wave_id_for(tier, starts_on)
    ok = status[status["reason_code"].isna()].sort_values("customer_id")
    out = status[status["reason_code"].notna()]
    assignments = pd.DataFrame(
        {
            "wave_id": wave_id,
            "customer_id": ok["customer_id"].tolist(),
            "arm": [
                assign_arm(c, wave_id=wave_id, seed=seed, weights=weights)
                for c in ok["customer_id"]
            ],
            "stratum": ok["segment"].tolist(),
        }
    )
    exclusions = pd.DataFrame(
        {
            "wave_id": wave_id,
            "customer_id": out["customer_id"].tolist(),
            "touch_no": 0,
            "reason_code": out["reason_code"].tolist(),
            "detail": f"{channel} marketing",
        }
    )
    wave = pd.DataFrame(
        [
            {
                "wave_id": wave_id,
                "playbook": f"reactivation_{tier.lower()}",
                "segment": tier,
                "starts_on": starts_on,
                "days": TIER_DAYS[tier],
                "status": "planned",
                "seed": seed,
                "as_of": as_of,
                "arms": ",".join(weights),
                "weights": json.dumps(weights),
            }
        ]
    )
    with transaction(ws.con):
        upsert(ws.con, "waves", wave)
        replace_where(ws.con, "assignments", {"wave_id": wave_id}, assignments)
        replace_where(ws.con, "exclusions", {"wave_id": wave_id}, exclusions)
    return WavePlan(
        wave_id,
        tier,
        starts_on,
        TIER_DAYS[tier],
        weights,
        assignments["arm"].value_counts().reindex(list(weights), fill_value=0).to_dict(),
        exclusions["reason_code"].value_counts().to_dict(),
    )


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
