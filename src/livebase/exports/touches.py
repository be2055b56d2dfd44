"""The touches of a wave as the export sees them: which go out now, which wait, which not.

The rules, one sentence each:

* Only a wave in ``waves`` with planned touches can be exported, and a touch of the
  holdout (by its arm or by the customer's assignment) is an error, never a row.
* A touch that an earlier decision already removed (an ``exclusions`` row of the wave with
  action ``removed`` or ``excluded`` for the touch or, with ``touch_no`` 0, for the whole
  customer) stays out with that decision's reason.
* Then its condition (:mod:`livebase.exports.conditions`), then consent and contact
  (:mod:`livebase.exports.consent`) decide; each touch gets one state: exported (null),
  ``pending``, ``condition_not_met`` or the reason code that left it out.
* A touch left out at export by consent or contact is written to ``exclusions`` (action
  ``removed``, ``decided_at`` = now); the table's key (wave, customer, touch, reason)
  keeps a re-run from doubling it.
* Local times are in the customer's time zone, or the workspace's when the customer has
  none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ibis
import pandas as pd

from livebase.engine import transaction
from livebase.errors import InputError
from livebase.exports import conditions as cond
from livebase.exports.consent import PURPOSES, suppressed
from livebase.playbooks import reasons
from livebase.playbooks.assignment import HOLDOUT
from livebase.playbooks.eligibility import NEEDS, has_contact
from livebase.store.workspace import Workspace
from livebase.store.write import upsert

PENDING = cond.PENDING
NOT_MET = cond.NOT_MET
CHANNELS = tuple(NEEDS)

TOUCH_COLUMNS = [
    "customer_id",
    "touch_no",
    "planned_at",
    "channel",
    "pattern",
    "is_promo",
    "offer",
    "deadline",
    "arm",
    "purpose",
    "condition",
    "ends_at",
    "frequency",
]
CUSTOMER_COLUMNS = ["email", "phone", "name", "timezone"]


@dataclass(frozen=True)
class Wave:
    wave_id: str
    as_of: dt.date
    arms: tuple[str, ...]  # in planned order, without the holdout


@dataclass(frozen=True)
class Prepared:
    wave: Wave
    # one row per touch of the wave: TOUCH_COLUMNS, CUSTOMER_COLUMNS, parent_at, zone, local_at,
    # click_at, click_channel, registered_at and state (null = exported now)
    touches: pd.DataFrame
    exclusions: pd.DataFrame  # the decisions of this run, as rows of ``exclusions``


def load_wave(ws: Workspace, wave_id: str) -> Wave:
    w = ws.table("waves")
    rows = w.filter(w.wave_id == wave_id).select("as_of", "arms").to_pyarrow().to_pylist()
    if not rows:
        raise InputError(f"no wave {wave_id!r} in the store (plan it first)")
    arms = tuple(a for a in (rows[0]["arms"] or "").split(",") if a and a != HOLDOUT)
    return Wave(wave_id, rows[0]["as_of"], arms)


def prepare(ws: Workspace, wave_id: str, *, now: dt.datetime, webinar_id: str | None) -> Prepared:
    """Load the wave's touches and decide, as of ``now``, what each one becomes."""
    wave = load_wave(ws, wave_id)
    t = ws.table("touches")
    t = t.filter(t.wave_id == wave_id)
    cu = ws.table("customers").select("customer_id", *CUSTOMER_COLUMNS)
    frame = (
        t.select(*TOUCH_COLUMNS)
        .left_join(cu, "customer_id")
        .select(*TOUCH_COLUMNS, *CUSTOMER_COLUMNS)
        .to_pandas()
    )
    if frame.empty:
        raise InputError(f"wave {wave_id!r} has no planned touches (plan it with a playbook)")
    frame = frame.sort_values(["arm", "planned_at", "customer_id", "touch_no"], kind="stable")
    frame = frame.reset_index(drop=True)
    _check(ws, wave_id, frame, webinar_id)
    parents = frame.set_index(["customer_id", "touch_no"])["planned_at"]
    parent_key = pd.MultiIndex.from_arrays(
        [frame["customer_id"], frame["touch_no"] - cond.CASCADE_OFFSET]
    )
    frame["parent_at"] = parents.reindex(parent_key).to_numpy()
    frame["zone"] = _zones(frame, ws.config.timezone)
    frame["local_at"] = _local_times(frame)
    state = _prior_decisions(ws, wave_id, frame)
    frame = pd.concat([frame, _conditions(ws, wave_id, frame, state, now, webinar_id)], axis=1)
    state = state.where(state.notna(), frame.pop("_cond_state"))
    exclusions = []
    for (channel, purpose), part in frame[state.isna()].groupby(["channel", "purpose"]):
        audience = t.filter((t.channel == channel) & (t.purpose == purpose)).select("customer_id")
        reason = suppressed(
            ws.con, audience.distinct(), channel=channel, purpose=purpose, as_of=now
        )
        codes = dict(zip(reason["customer_id"], reason["reason_code"], strict=True))
        why = part["customer_id"].map(codes)
        contact = has_contact(channel, part["email"], part["phone"])
        why = why.where(why.notna() | contact, reasons.NO_CONTACT)
        state.loc[why.index] = why
        exclusions.append(why.dropna())
    frame["state"] = state.astype(object).where(state.notna(), None)
    return Prepared(wave, frame, _exclusion_rows(wave_id, frame, exclusions, now))


def write_exclusions(ws: Workspace, prepared: Prepared) -> None:
    """Record the export's decisions, all or none (an upsert is a delete and an insert)."""
    with transaction(ws.con):
        upsert(ws.con, "exclusions", prepared.exclusions)


def _check(ws: Workspace, wave_id: str, frame: pd.DataFrame, webinar_id: str | None) -> None:
    bad_channel = sorted({str(c) for c in frame["channel"]} - set(CHANNELS))
    if bad_channel:
        raise InputError(
            f"wave {wave_id!r}: touches on an unknown channel {bad_channel[0]!r} "
            f"(one of {', '.join(CHANNELS)})"
        )
    bad_purpose = sorted({str(p) for p in frame["purpose"]} - set(PURPOSES))
    if bad_purpose:
        raise InputError(
            f"wave {wave_id!r}: touch purpose {bad_purpose[0]!r} (one of {', '.join(PURPOSES)})"
        )
    if (frame["arm"] == HOLDOUT).any():
        raise InputError(f"wave {wave_id!r} has touches for its holdout; re-plan the wave")
    a = ws.table("assignments")
    held = a.filter((a.wave_id == wave_id) & (a.arm == HOLDOUT)).customer_id.to_pandas()
    if frame["customer_id"].isin(held).any():
        raise InputError(f"wave {wave_id!r} has touches for holdout customers; re-plan the wave")
    if webinar_id is None and (frame["condition"] == cond.REGISTERED).any():
        raise InputError(
            f"wave {wave_id!r} has touches on condition 'registered': give the webinar"
        )


def _zones(frame: pd.DataFrame, default_tz: str) -> pd.Series:
    """The customer's time zone, or the workspace's when it is blank."""
    given = frame["timezone"].astype(object).where(frame["timezone"].notna(), "")
    given = given.astype(str).str.strip()
    return given.where(given != "", default_tz)


def _local_times(frame: pd.DataFrame) -> pd.Series:
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
    for name, part in frame.groupby("zone"):
        try:
            zone = ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            who = part["customer_id"].iloc[0]
            raise InputError(f"customer {who!r}: unknown time zone {name!r}") from exc
        at = pd.to_datetime(part["planned_at"]).dt.tz_localize("UTC").dt.tz_convert(zone)
        out.loc[part.index] = at.dt.tz_localize(None).astype("datetime64[us]")
    return out


def _prior_decisions(ws: Workspace, wave_id: str, frame: pd.DataFrame) -> pd.Series:
    e = ws.table("exclusions")
    e = e.filter(
        (e.wave_id == wave_id) & e.action.isin([reasons.REMOVED, reasons.EXCLUDED])
    ).select("customer_id", "touch_no", "reason_code")
    prior = e.to_pandas().sort_values(["customer_id", "touch_no", "reason_code"])
    prior = prior.drop_duplicates(["customer_id", "touch_no"])
    by_touch = prior.set_index(["customer_id", "touch_no"])["reason_code"]
    whole = prior[prior["touch_no"] == 0].set_index("customer_id")["reason_code"]
    key = pd.MultiIndex.from_arrays([frame["customer_id"], frame["touch_no"]])
    state = pd.Series(by_touch.reindex(key).to_numpy(), index=frame.index, dtype=object)
    return state.where(state.notna(), frame["customer_id"].map(whole))


def _conditions(
    ws: Workspace,
    wave_id: str,
    frame: pd.DataFrame,
    state: pd.Series,
    now: dt.datetime,
    webinar_id: str | None,
) -> pd.DataFrame:
    todo = frame[frame["condition"].notna() & state.isna()]
    events = pd.DataFrame(columns=cond.EVENT_COLUMNS)
    if len(todo):
        ids = ibis.memtable(pd.DataFrame({"customer_id": sorted(set(todo["customer_id"]))}))
        events = cond.load_events(
            ws.con, wave_id=wave_id, customers=ids, webinar_id=webinar_id, until=now
        )
    got = cond.evaluate(todo, events, now=now).reindex(frame.index)
    got_state = got.pop("state")
    got["_cond_state"] = got_state.where(got_state != cond.HOLDS, None)
    return got


def _exclusion_rows(
    wave_id: str, frame: pd.DataFrame, parts: list[pd.Series], now: dt.datetime
) -> pd.DataFrame:
    columns = ["wave_id", "customer_id", "touch_no", "reason_code", "detail", "action"]
    columns += ["channel", "planned_at", "decided_at"]
    if not parts or not sum(len(p) for p in parts):
        return pd.DataFrame(columns=columns)
    why = pd.concat([p for p in parts if len(p)])
    rows = frame.loc[why.index]
    return pd.DataFrame(
        {
            "wave_id": wave_id,
            "customer_id": rows["customer_id"],
            "touch_no": rows["touch_no"],
            "reason_code": why,
            "detail": "export: " + rows["channel"] + " " + rows["purpose"],
            "action": reasons.REMOVED,
            "channel": rows["channel"],
            "planned_at": rows["planned_at"],
            "decided_at": now,
        }
    ).reset_index(drop=True)
