"""Plan a wave from a playbook (SPEC F4.2–F4.4): audience, arms, dated touches, guardrails.

``plan_playbook(ws, playbook, as_of)`` turns a playbook and the segments of ``as_of``
into the ``waves``, ``assignments``, ``touches`` and ``exclusions`` rows of the wave that
starts the day after ``as_of``:

1. **Audience**: the playbook's conditions on the marts of ``as_of`` (segments, top flag,
   sleep tier, risk level, a recent activity, a recent first purchase).
2. **Who is left out** (``touch_no`` 0, action ``excluded``, not assigned): no consent or
   suppressed on the primary channel (e-mail) for the playbook's purpose, or no address
   for it (``no_contact``); for reactivation, active buyers (a counted purchase in the
   last ``active_buyer_days``); for playbooks with promo, open deals (an order still
   pending, created in the last ``open_deal_days``) and hot leads (an invoice or a click
   on a promo in the last ``hot_lead_days``).
3. **Arms**: stratified deterministic assignment (:mod:`livebase.playbooks.assignment`),
   holdout 10–20 %; customers assigned by an earlier run keep their arm.
4. **Schedule**: each arm's touches of the playbook at the segment's send time
   (``[guardrails.send_times]``: Champions 09:00, Loyal 13:00 on working days, At Risk
   and the sleeping 19:00, others 11:00) in the customer's time zone (the workspace's if
   unknown); a working-days segment's weekend touch moves to Monday (to Friday if Monday
   is past the wave), logged as ``send_time_weekday``; one deadline for all channels;
   webinar reminders at their hours before the start; a cascade 12–24 h after its
   e-mail on the first channel the customer consented to for the e-mail's purpose.
5. **Personalisation**: a personalised pattern without personalisation consent, or a
   child-data pattern without a parent's consent, is sent as its fallback pattern
   (action ``changed``).
6. **Guardrails** of :mod:`livebase.playbooks.guardrails` (consent per channel and
   purpose, within the wave, caps, retargeting, silence, offer and discount cooldowns,
   discount budget).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import ibis
import numpy as np
import pandas as pd

from livebase.engine import transaction
from livebase.errors import ConfigError, InsufficientData
from livebase.experiments.power import prelaunch_check
from livebase.faults import fault
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import day_end
from livebase.playbooks import reasons as R
from livebase.playbooks.assignment import HOLDOUT, assign_stratified
from livebase.playbooks.consents import personalisation_allowed
from livebase.playbooks.eligibility import contact_status, has_contact
from livebase.playbooks.guardrails import Rules, apply_guardrails, log_frame
from livebase.playbooks.spec import Playbook, default_patterns
from livebase.store.workspace import Workspace
from livebase.store.write import delete_where, replace_where, upsert


@dataclass(frozen=True)
class TouchSummary:
    """What the plan sends: touches per channel and arm, and the guardrails' decisions
    per (reason code, action)."""

    per_channel: dict[str, int] = field(default_factory=dict)
    per_arm: dict[str, int] = field(default_factory=dict)
    decisions: dict[tuple[str, str], int] = field(default_factory=dict)
    deadline_local: dt.datetime | None = None


def wave_id_for_playbook(playbook: Playbook, starts_on: dt.date, *, aa: bool = False) -> str:
    return f"W-{'AA-' if aa else ''}{playbook.code}-{starts_on:%Y%m%d}"


# ---- audience -----------------------------------------------------------------------
def audience(ws: Workspace, playbook: Playbook, as_of: dt.date) -> ibis.Table:
    """customer_id, segment, sleep_tier of the playbook's audience on ``as_of``."""
    a = playbook.audience
    seg = ws.table("segments")
    seg = seg.filter((seg.as_of == as_of) & (seg.version == "monetary"))
    if seg.count().execute() == 0:
        raise InsufficientData(
            f"no segments on {as_of}: run `livebase segment --as-of {as_of}` first"
        )
    t = seg.select("customer_id", "segment", "sleep_tier", "is_top")
    if a.sleep_tier is not None:
        t = t.filter(t.sleep_tier == a.sleep_tier)
    if a.segments is not None:
        t = t.filter(t.segment.isin(a.segments))
    if a.is_top is not None:
        t = t.filter(t.is_top == a.is_top)
    end = day_end(as_of)
    if a.risk_levels is not None:
        risk = ws.table("risk")
        risk = risk.filter(risk.as_of == as_of)
        if risk.count().execute() == 0:
            raise InsufficientData(
                f"no churn-risk scores on {as_of}: run `livebase risk --as-of {as_of}` first"
            )
        hit = risk.filter(risk.level.isin(a.risk_levels)).select("customer_id")
        t = t.filter(t.customer_id.isin(hit.customer_id))
    if a.trigger is not None:
        act = ws.table("activities")
        since = end - dt.timedelta(days=a.trigger.within_days)
        act = act.filter((act.kind == a.trigger.activity) & (act.ts >= since) & (act.ts < end))
        t = t.filter(t.customer_id.isin(act.customer_id))
    if a.first_purchase_within_days is not None:
        p = purchases(ws.con, ws.config.purchase_rules, until=end)
        p = p.filter(p.is_purchase)
        first = p.group_by("customer_id").aggregate(first_ts=p.ts.min())
        since = end - dt.timedelta(days=a.first_purchase_within_days)
        t = t.filter(t.customer_id.isin(first.filter(first.first_ts >= since).customer_id))
    return t.select("customer_id", "segment", "sleep_tier")


def _left_out(ws: Workspace, playbook: Playbook, as_of: dt.date, aud: ibis.Table) -> pd.DataFrame:
    """customer_id, reason_code, detail of the audience members the wave leaves out."""
    g = ws.config.guardrails
    end = day_end(as_of)
    purpose = _primary_purpose(playbook)
    status = contact_status(
        ws.con,
        aud.select("customer_id"),
        channel=playbook.primary_channel,
        purpose=purpose,
        as_of=end,
    )
    out = status.filter(status.reason_code.notnull()).to_pandas()
    out["detail"] = f"{playbook.primary_channel} {purpose}"
    frames = [out[["customer_id", "reason_code", "detail"]]]
    # no address for the primary channel (an e-mail wave to a customer without an e-mail)
    c = ws.table("customers")
    who = (
        aud.select("customer_id")
        .left_join(c, "customer_id")
        .select("customer_id", "email", "phone")
    )
    who = who.to_pandas()
    missing = who[~has_contact(playbook.primary_channel, who["email"], who["phone"]).to_numpy()]
    frames.append(
        pd.DataFrame(
            {
                "customer_id": missing["customer_id"],
                "reason_code": R.NO_CONTACT,
                "detail": f"no address for {playbook.primary_channel}",
            }
        )
    )
    ids = aud.select("customer_id")
    if playbook.audience.exclude_active_buyers and g.active_buyer_days > 0:
        p = purchases(ws.con, ws.config.purchase_rules, until=end)
        since = end - dt.timedelta(days=g.active_buyer_days)
        recent = p.filter(p.is_purchase & (p.ts >= since)).select("customer_id").distinct()
        hit = ids.filter(ids.customer_id.isin(recent.customer_id)).to_pandas()
        hit["reason_code"] = R.ACTIVE_BUYER
        hit["detail"] = f"a purchase in the last {g.active_buyer_days} days"
        frames.append(hit)
    if any(t.promo for t in playbook.touches):
        if g.open_deal_days > 0:
            o = ws.table("orders")
            since = end - dt.timedelta(days=g.open_deal_days)
            deals = o.filter(
                (o.status == "pending") & (o.created_at >= since) & (o.created_at < end)
            )
            hit = ids.filter(ids.customer_id.isin(deals.customer_id)).to_pandas()
            hit["reason_code"] = R.OPEN_DEAL
            hit["detail"] = f"an order pending since the last {g.open_deal_days} days"
            frames.append(hit)
        if g.hot_lead_days > 0:
            since = end - dt.timedelta(days=g.hot_lead_days)
            act = ws.table("activities")
            inv = act.filter((act.kind == "invoice_pending") & (act.ts >= since) & (act.ts < end))
            m = ws.table("messages")
            clicks = m.filter(
                (m.event == "clicked")
                & m.is_promo.fill_null(False)
                & (m.ts >= since)
                & (m.ts < end)
            )
            hot = inv.select("customer_id").union(clicks.select("customer_id"))
            hit = ids.filter(ids.customer_id.isin(hot.customer_id)).to_pandas()
            hit["reason_code"] = R.HOT_LEAD
            hit["detail"] = f"an invoice or a promo click in the last {g.hot_lead_days} days"
            frames.append(hit)
    all_out = pd.concat(frames, ignore_index=True)
    # one reason per customer: consent first, then the order above
    return all_out.drop_duplicates("customer_id", keep="first").sort_values("customer_id")


def _primary_purpose(playbook: Playbook) -> str:
    on_primary = [t for t in playbook.touches if t.channel == playbook.primary_channel]
    if on_primary and all(t.purpose == "service" for t in on_primary):
        return "service"
    return "marketing"


# ---- schedule -----------------------------------------------------------------------
def _to_utc(local: pd.Series, zones: pd.Series) -> pd.Series:
    """Naive local datetimes in per-row IANA zones → naive UTC."""
    out = pd.Series(pd.NaT, index=local.index, dtype="datetime64[ns]")
    for zone, idx in zones.groupby(zones).groups.items():
        part = pd.DatetimeIndex(local.loc[idx].astype("datetime64[ns]"))
        utc = (
            part.tz_localize(
                zone, ambiguous=np.zeros(len(part), dtype=bool), nonexistent="shift_forward"
            )
            .tz_convert("UTC")
            .tz_localize(None)
        )
        out.loc[idx] = utc
    return out


def _to_local(utc: pd.Series, zones: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=utc.index, dtype="datetime64[ns]")
    for zone, idx in zones.groupby(zones).groups.items():
        part = pd.DatetimeIndex(utc.loc[idx].astype("datetime64[ns]"))
        out.loc[idx] = part.tz_localize("UTC").tz_convert(zone).tz_localize(None)
    return out


def _template(playbook: Playbook, arms: list[str], control: str | None) -> pd.DataFrame:
    rows = []
    for arm in arms:
        source = arm if arm in playbook.arms else control
        offer_id = playbook.arms[source].offer if source in playbook.arms else None
        offer = playbook.offers.get(offer_id) if offer_id else None
        for no, t in playbook.arm_touches(source):
            rows.append(
                {
                    "arm": arm,
                    "touch_no": no,
                    "day": t.day,
                    "before_start_hours": t.before_start_hours,
                    "channel": t.channel,
                    "pattern": t.pattern,
                    "is_promo": bool(t.promo),
                    "offer": offer_id if t.offer == "arm" else None,
                    "offer_kind": offer.kind if (t.offer == "arm" and offer) else None,
                    "purpose": t.purpose,
                    "condition": t.when,
                    "until_day": t.until_day,
                    "frequency": t.per_day,
                    "cascade": t.cascade,
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class _Wave:
    wave_id: str
    start: dt.date
    last_day: dt.date
    deadline_day: dt.date
    deadline_time: dt.time


def plan_playbook(
    ws: Workspace,
    playbook: Playbook,
    as_of: dt.date,
    *,
    seed: int = 1,
    holdout: float | None = None,
    aa: bool = False,
):
    """Plan (or extend) the wave of ``playbook`` starting the day after ``as_of``."""
    from livebase.playbooks.wave import (
        WavePlan,
        _check_replan,
        _stored_wave,
        _strata,
        tier_baseline,
        wave_arms,
    )

    cfg = ws.config
    problems = playbook.problems()
    if problems:
        loc, msg = problems[0]
        raise ConfigError(f"playbook {playbook.id}: {'.'.join(map(str, loc))}: {msg}")
    arms_in = None if aa else tuple(playbook.arms)
    weights = wave_arms(
        arms_in,
        holdout if holdout is not None else playbook.holdout,
        aa=aa,
        default_holdout=cfg.experiments.holdout,
    )
    starts_on = as_of + dt.timedelta(days=1)
    wave_id = wave_id_for_playbook(playbook, starts_on, aa=aa)
    _check_replan(_stored_wave(ws, wave_id), wave_id, seed, weights)
    deadline = playbook.deadline
    w = _Wave(
        wave_id,
        starts_on,
        starts_on + dt.timedelta(days=playbook.days - 1),
        starts_on + dt.timedelta(days=(deadline.day if deadline else playbook.days - 1)),
        dt.time(deadline.hour, deadline.minute) if deadline else dt.time(23, 59),
    )

    aud = audience(ws, playbook, as_of)
    if aud.count().execute() == 0:
        raise InsufficientData(
            f"no customers for playbook {playbook.id} on {as_of} (audience: "
            f"{playbook.audience.model_dump(exclude_none=True, exclude_defaults=True)})"
        )
    tier = playbook.audience.sleep_tier
    baseline = tier_baseline(ws, as_of, tier) if tier else None
    mde = cfg.experiments.mde_pp / 100
    out = _left_out(ws, playbook, as_of, aud)

    a = ws.table("assignments")
    old = (
        a.filter(a.wave_id == wave_id)
        .select("customer_id", "arm", "stratum")
        .to_pandas()
        .sort_values("customer_id")
    )
    existing = dict(zip(old["customer_id"], old["stratum"], strict=True))
    eligible = (
        aud.anti_join(ibis.memtable(out[["customer_id"]]), "customer_id") if len(out) else aud
    )
    strata = _strata(ws, as_of, eligible)
    dealt = assign_stratified(
        dict(zip(strata["customer_id"], strata["stratum"], strict=True)),
        wave_id=wave_id,
        seed=seed,
        weights=weights,
        existing=existing,
    )
    new = strata[strata["customer_id"].isin(list(dealt))].sort_values("customer_id")
    records = [{"wave_id": wave_id, **row} for row in old.to_dict("records")] + [
        {"wave_id": wave_id, "customer_id": c, "arm": dealt[c], "stratum": st}
        for c, st in zip(new["customer_id"], new["stratum"], strict=True)
    ]
    assignments = pd.DataFrame.from_records(
        records, columns=["wave_id", "customer_id", "arm", "stratum"]
    )
    out = out[~out["customer_id"].isin(list(existing))]
    decided = day_end(as_of)
    customer_rows = pd.DataFrame(
        {
            "wave_id": wave_id,
            "customer_id": out["customer_id"].tolist(),
            "touch_no": 0,
            "reason_code": out["reason_code"].tolist(),
            "detail": out["detail"].tolist(),
            "action": R.EXCLUDED,
            "channel": playbook.primary_channel,
            "planned_at": pd.NaT,
            "moved_to": pd.NaT,
            "decided_at": decided,
        }
    )

    control = "control" if "control" in playbook.arms else None
    touches, touch_log = _schedule_and_guard(
        ws, playbook, w, assignments, as_of, seed=seed, aa=aa, control=control
    )
    touch_rows = touch_log

    wave = pd.DataFrame(
        [
            {
                "wave_id": wave_id,
                "playbook": ("aa_" if aa else "") + playbook.id,
                "segment": tier or ",".join(playbook.audience.segments or []) or playbook.kind,
                "starts_on": starts_on,
                "days": playbook.days,
                "status": "planned",
                "seed": seed,
                "as_of": as_of,
                "arms": ",".join(weights),
                "weights": json.dumps(weights),
            }
        ]
    )
    excl = customer_rows
    if touch_rows is not None:
        touch_rows["wave_id"] = wave_id
        touch_rows["decided_at"] = decided
        excl = pd.concat([customer_rows, touch_rows], ignore_index=True)
    excl = excl.drop_duplicates(["wave_id", "customer_id", "touch_no", "reason_code"])
    with transaction(ws.con):
        upsert(ws.con, "waves", wave)
        replace_where(ws.con, "assignments", {"wave_id": wave_id}, assignments)
        replace_where(ws.con, "touches", {"wave_id": wave_id}, touches)
        fault("plan.write")
        # the planner's own decisions are replaced; those of exports and the throttle
        # (decided at their own moment) stay
        delete_where(ws.con, "exclusions", {"wave_id": wave_id, "decided_at": decided})
        upsert(ws.con, "exclusions", excl)

    assigned = assignments["arm"].value_counts().reindex(list(weights), fill_value=0)
    assigned = {arm: int(n) for arm, n in assigned.items()}
    power = None
    if baseline is not None and baseline.rate is not None and baseline.rate + mde < 1:
        ctrl = "control" if "control" in weights else next(x for x in weights if x != HOLDOUT)
        power = prelaunch_check(
            assigned,
            baseline=baseline.rate,
            mde=mde,
            alpha=cfg.experiments.alpha,
            power=cfg.experiments.power,
            control=ctrl,
        )
    decisions = (
        excl[excl["touch_no"] > 0].groupby(["reason_code", "action"]).size()
        if len(excl)
        else pd.Series(dtype=int)
    )
    summary = TouchSummary(
        per_channel={
            str(k): int(v) for k, v in touches["channel"].value_counts().sort_index().items()
        },
        per_arm={str(k): int(v) for k, v in touches["arm"].value_counts().sort_index().items()},
        decisions={(str(r), str(act)): int(n) for (r, act), n in decisions.items()},
        deadline_local=dt.datetime.combine(w.deadline_day, w.deadline_time),
    )
    return WavePlan(
        wave_id,
        tier or playbook.code,
        starts_on,
        playbook.days,
        weights,
        assigned,
        {str(k): int(v) for k, v in out["reason_code"].value_counts().items()},
        kept=len(old),
        strata=int(assignments["stratum"].nunique()),
        aa=aa,
        baseline=baseline,
        power=power,
        playbook=playbook.id,
        touches=summary,
    )


def _customer_frame(ws: Workspace, assigned: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """customer_id, arm, segment, tz, email, phone, has_child of the assigned members."""
    ids = ibis.memtable(assigned[["customer_id", "arm"]])
    c = ws.table("customers").select(
        "customer_id", "timezone", "email", "phone", "child_birth_date"
    )
    seg = ws.table("segments")
    seg = seg.filter((seg.as_of == as_of) & (seg.version == "monetary")).select(
        "customer_id", "segment"
    )
    j = ids.left_join(c, "customer_id").select(
        ids, c.timezone, c.email, c.phone, c.child_birth_date
    )
    j = j.left_join(seg, "customer_id").select(j, seg.segment)
    frame = j.to_pandas()
    zone = ws.config.timezone
    known = {z: _known_zone(z) for z in frame["timezone"].dropna().unique()}
    valid = frame["timezone"].map(known).eq(True)
    frame["tz"] = frame["timezone"].where(valid, zone)
    frame["has_child"] = frame["child_birth_date"].notna()
    return frame.drop(columns=["timezone", "child_birth_date"]).sort_values("customer_id")


def _known_zone(value: object) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(value, str) or not value:
        return False
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _schedule_and_guard(
    ws: Workspace,
    playbook: Playbook,
    w: _Wave,
    assignments: pd.DataFrame,
    as_of: dt.date,
    *,
    seed: int,
    aa: bool,
    control: str | None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    g = ws.config.guardrails
    members = assignments[assignments["arm"] != HOLDOUT]
    arms = sorted(set(members["arm"]))
    cust = _customer_frame(ws, members, as_of)
    columns = list(_touch_columns())
    if cust.empty:
        return pd.DataFrame(columns=columns), None
    tpl = _template(playbook, arms, control if aa or control else next(iter(playbook.arms)))
    t = cust.merge(tpl, on="arm", how="inner")
    log: list[pd.DataFrame] = []

    # send time by segment
    times = g.send_times
    seg_key = t["segment"].where(t["segment"].isin(list(times)), "default")
    hour = seg_key.map(lambda s: times[s].hour)
    minute = seg_key.map(lambda s: times[s].minute)
    weekdays = seg_key.map(lambda s: times[s].weekdays_only).astype(bool)
    start = pd.Timestamp(w.start)
    day_plan = t["day"].notna()
    local = pd.Series(pd.NaT, index=t.index, dtype="datetime64[ns]")
    local[day_plan] = (
        start
        + pd.to_timedelta(t.loc[day_plan, "day"].astype("int64"), unit="D")
        + pd.to_timedelta(hour[day_plan] * 60 + minute[day_plan], unit="min")
    )
    # webinar reminders: hours before the start (one moment for everyone)
    if (~day_plan).any():
        assert playbook.webinar is not None
        begins = playbook.webinar.start(w.start)
        begins_utc = _to_utc(pd.Series([begins]), pd.Series([ws.config.timezone])).iloc[0]
        rem = ~day_plan
        utc = begins_utc - pd.to_timedelta(t.loc[rem, "before_start_hours"].astype(float), unit="h")
        local[rem] = _to_local(pd.Series(utc, index=t.index[rem]), t.loc[rem, "tz"])
    t["local_at"] = local
    # working-days segments: a weekend touch moves to Monday (Friday if Monday is too late)
    must_check: set = set()
    wk = (weekdays & day_plan & (t["local_at"].dt.dayofweek >= 5)).to_numpy()
    if wk.any():
        dow = t.loc[wk, "local_at"].dt.dayofweek
        fwd = t.loc[wk, "local_at"] + pd.to_timedelta(7 - dow, unit="D")
        back = t.loc[wk, "local_at"] - pd.to_timedelta(dow - 4, unit="D")
        limit = np.where(
            t.loc[wk, "is_promo"].to_numpy(dtype=bool),
            np.datetime64(pd.Timestamp(w.deadline_day) + pd.Timedelta(days=1)),
            np.datetime64(pd.Timestamp(w.last_day) + pd.Timedelta(days=1)),
        )
        new = np.where(fwd.to_numpy() < limit, fwd.to_numpy(), back.to_numpy())
        new = np.where(new < np.datetime64(start), t.loc[wk, "local_at"].to_numpy(), new)
        moved = t.loc[wk]
        changed = new != moved["local_at"].to_numpy()
        log.append(log_frame(moved[changed], R.WEEKDAY, R.MOVED, "working days only", new[changed]))
        t.loc[wk, "local_at"] = new
        must_check |= set(moved["customer_id"])
    t["ends_day"] = [
        (w.start + dt.timedelta(days=int(u))) if pd.notna(u) else None for u in t["until_day"]
    ]
    t["parent"] = 0

    # consent per channel and purpose (every channel the plan may use)
    channels = set(t["channel"]) | {ch for c in t["cascade"].dropna() for ch in c.channels}
    end = day_end(as_of)
    ids = ibis.memtable(cust[["customer_id"]])
    blocked_parts = []
    # every purpose on every channel: a cascade takes its e-mail's purpose to its channel
    purposes = sorted(set(t["purpose"]) | {"marketing"})
    for channel in sorted(channels):
        for purpose in purposes:
            st = contact_status(ws.con, ids, channel=channel, purpose=purpose, as_of=end)
            b = st.filter(st.reason_code.notnull()).to_pandas()
            b["channel"], b["purpose"] = channel, purpose
            blocked_parts.append(b)
        miss = cust[~has_contact(channel, cust["email"], cust["phone"])]
        for purpose in ("marketing", "service"):
            blocked_parts.append(
                pd.DataFrame(
                    {
                        "customer_id": miss["customer_id"],
                        "reason_code": R.NO_CONTACT,
                        "channel": channel,
                        "purpose": purpose,
                    }
                )
            )
    blocked = pd.concat(blocked_parts, ignore_index=True).drop_duplicates(
        ["customer_id", "channel", "purpose"]
    )[["customer_id", "channel", "purpose", "reason_code"]]

    # cascades: the first consented channel of the list
    has_cascade = t["cascade"].notna()
    if has_cascade.any():
        blocked_keys = pd.MultiIndex.from_frame(blocked[["customer_id", "channel", "purpose"]])
        added = []
        for no in sorted(set(t.loc[has_cascade, "touch_no"])):
            src = t[has_cascade & (t["touch_no"] == no)]
            spec = src["cascade"].iloc[0]
            base = src.assign(
                touch_no=100 + int(no),
                parent=int(no),
                condition="email_unopened",
                cascade=None,
                local_at=src["local_at"] + pd.Timedelta(hours=spec.after_hours),
            )
            chosen = pd.Series(None, index=base.index, dtype=object)
            for ch in spec.channels:
                probe = pd.MultiIndex.from_arrays(
                    [base["customer_id"].to_numpy(), np.full(len(base), ch), base["purpose"]]
                )
                free = ~probe.isin(blocked_keys)
                chosen[chosen.isna() & free] = ch
            none = chosen.isna().to_numpy()
            log.append(
                log_frame(
                    base[none].assign(channel=spec.channels[0]),
                    R.CASCADE_NO_CHANNEL,
                    R.REMOVED,
                    "no consent on " + ", ".join(spec.channels),
                )
            )
            added.append(base[~none].assign(channel=chosen[~none]))
        t = pd.concat([t, *added], ignore_index=True)

    # personalisation and a parent's consent for the child's data
    lib = default_patterns().patterns
    pers_patterns = [p for p, spec in lib.items() if spec.personalised or spec.child_data]
    if t["pattern"].isin(pers_patterns).any():
        flags = personalisation_allowed(ws.con, ids, as_of=end).to_pandas().set_index("customer_id")
        t = t.join(
            flags[["personalised", "parental", "has_child"]].add_prefix("p_"), on="customer_id"
        )
        for pid in pers_patterns:
            spec = lib[pid]
            rows = t["pattern"] == pid
            if not rows.any():
                continue
            personalised = t["p_personalised"].fillna(False).astype(bool)
            parental = t["p_parental"].fillna(False).astype(bool)
            child = t["p_has_child"].fillna(False).astype(bool)
            reason = pd.Series(None, index=t.index, dtype=object)
            reason[rows & ~personalised] = R.NO_PERSONALISATION
            if spec.child_data:
                reason[rows & personalised & ~(parental & child)] = R.NO_PARENTAL
            swap = reason.notna()
            log.append(
                log_frame(t[swap], reason[swap].to_numpy(), R.CHANGED, f"{pid} → {spec.fallback}")
            )
            t.loc[swap, "pattern"] = spec.fallback
        t = t.drop(columns=["p_personalised", "p_parental", "p_has_child"])

    zones = dict(zip(cust["customer_id"], cust["tz"], strict=True))
    busy, rt_busy = _busy(ws, cust, zones, w)
    purch, offers_seen = _history(ws, cust, zones, w, as_of)
    liability = _liability(ws, cust, playbook, as_of)
    rules = Rules(
        caps=playbook.effective_caps(g.caps),
        last_day=w.last_day,
        deadline_day=w.deadline_day,
        silence_days=g.silence_days,
        offer_cooldown_days=g.offer_cooldown_days,
        discount_cooldown_days=g.discount_cooldown_days,
        discount_budget=playbook.discount_budget,
        wave_id=w.wave_id,
        seed=seed,
        segment_caps={} if playbook.caps is not None else dict(g.segment_caps),
    )
    kept, glog = apply_guardrails(
        t[[c for c in t.columns if c != "cascade"]],
        rules,
        blocked=blocked,
        busy=busy,
        retargeting_busy=rt_busy,
        purchases=purch,
        offers_seen=offers_seen,
        liability=liability,
        must_check=must_check,
    )
    log.append(glog)
    return _touch_rows(kept, w, zones), _log_rows(log, zones)


def _touch_columns():
    from livebase.store.schema import MARTS

    return MARTS["touches"].columns


def _touch_rows(kept: pd.DataFrame, w: _Wave, zones: dict[str, str]) -> pd.DataFrame:
    columns = list(_touch_columns())
    if kept.empty:
        return pd.DataFrame(columns=columns)
    tz = kept["customer_id"].map(zones)
    deadline_local = pd.Series(
        pd.Timestamp(dt.datetime.combine(w.deadline_day, w.deadline_time)), index=kept.index
    )
    ends_local = pd.Series(
        [
            pd.Timestamp(dt.datetime.combine(d, dt.time(23, 59, 59)))
            if d is not None and d == d
            else pd.NaT
            for d in kept["ends_day"]
        ],
        index=kept.index,
        dtype="datetime64[ns]",
    )
    out = pd.DataFrame(
        {
            "wave_id": w.wave_id,
            "customer_id": kept["customer_id"],
            "touch_no": kept["touch_no"].astype("int32"),
            "planned_at": _to_utc(kept["local_at"], tz),
            "channel": kept["channel"],
            "pattern": kept["pattern"],
            "is_promo": kept["is_promo"].astype(bool),
            "offer": kept["offer"],
            "deadline": _to_utc(deadline_local, tz),
            "arm": kept["arm"],
            "offer_kind": kept["offer_kind"],
            "purpose": kept["purpose"],
            "condition": kept["condition"],
            "ends_at": _to_utc(ends_local, tz) if ends_local.notna().any() else ends_local,
            "frequency": kept["frequency"].astype("Int32"),
        }
    )
    return out[columns].sort_values(["customer_id", "touch_no"]).reset_index(drop=True)


def _log_rows(log: list[pd.DataFrame], zones: dict[str, str]) -> pd.DataFrame | None:
    frames = [f for f in log if len(f)]
    if not frames:
        return None
    f = pd.concat(frames, ignore_index=True)
    tz = f["customer_id"].map(zones)
    f["planned_at"] = _to_utc(pd.to_datetime(f["local_at"]), tz)
    moved = pd.to_datetime(f["moved_local"])
    f["moved_to"] = _to_utc(moved, tz) if moved.notna().any() else moved
    f["touch_no"] = f["touch_no"].astype("int32")
    return f[
        [
            "customer_id",
            "touch_no",
            "reason_code",
            "detail",
            "action",
            "channel",
            "planned_at",
            "moved_to",
        ]
    ]


# ---- what else the customers hear -----------------------------------------------------
def _local_days(frame: pd.DataFrame, zones: dict[str, str], column: str = "ts") -> pd.Series:
    tz = frame["customer_id"].map(zones)
    return _to_local(frame[column], tz)


def _busy(ws: Workspace, cust: pd.DataFrame, zones: dict[str, str], w: _Wave):
    """Counted touches sent (``messages`` sent) or planned by other waves near this
    wave, and other waves' retargeting, as local days."""
    lo = dt.datetime.combine(w.start - dt.timedelta(days=8), dt.time())
    hi = dt.datetime.combine(w.last_day + dt.timedelta(days=8), dt.time())
    ids = ibis.memtable(cust[["customer_id"]])
    m = ws.table("messages")
    m = m.filter(
        (m.event == "sent")
        & ~m.channel.isin(["retargeting", "service"])
        & (m.ts >= lo)
        & (m.ts < hi)
    )
    m = m.filter(m.customer_id.isin(ids.customer_id)).select("customer_id", "ts", "channel")
    sent = m.to_pandas()
    tch = ws.table("touches")
    wv = ws.table("waves")
    live = wv.filter(wv.status != "throttled").select("wave_id")
    tch = tch.filter(
        (tch.wave_id != w.wave_id)
        & tch.wave_id.isin(live.wave_id)
        & (tch.planned_at >= lo)
        & (tch.planned_at < hi)
        & tch.customer_id.isin(ids.customer_id)
    )
    counted = tch.filter((tch.purpose == "marketing") & (tch.channel != "retargeting"))
    planned = counted.select(
        "customer_id", ts=counted.planned_at, channel=counted.channel
    ).to_pandas()
    both = pd.concat([sent, planned], ignore_index=True)
    busy = pd.DataFrame(
        {
            "customer_id": both["customer_id"],
            "local_day": _local_days(both, zones).dt.date,
            "channel": both["channel"],
        }
    )
    rt = (
        tch.filter(tch.channel == "retargeting")
        .select("customer_id", "planned_at", "ends_at", "frequency")
        .to_pandas()
    )
    rows = []
    if len(rt):
        first = _local_days(rt, zones, "planned_at").dt.date
        last = _local_days(rt, zones, "ends_at").dt.date
        for c, a, b, f in zip(rt["customer_id"], first, last, rt["frequency"], strict=True):
            d = a
            while d <= b:
                rows.append((c, d, int(f)))
                d += dt.timedelta(days=1)
    rt_busy = pd.DataFrame(rows, columns=["customer_id", "local_day", "frequency"])
    return busy, rt_busy


def _history(ws: Workspace, cust: pd.DataFrame, zones: dict[str, str], w: _Wave, as_of: dt.date):
    """Recent counted purchases and the beneficial offers of other waves, local times."""
    g = ws.config.guardrails
    ids = ibis.memtable(cust[["customer_id"]])
    end = day_end(as_of)
    p = purchases(ws.con, ws.config.purchase_rules, until=end)
    since = end - dt.timedelta(days=g.silence_days + 1)
    p = p.filter(p.is_purchase & (p.ts >= since) & p.customer_id.isin(ids.customer_id))
    purch = p.select("customer_id", "ts").to_pandas()
    purch = pd.DataFrame(
        {"customer_id": purch["customer_id"], "local_at": _local_days(purch, zones)}
    )
    reach = max(g.offer_cooldown_days, g.discount_cooldown_days) + 1
    lo = dt.datetime.combine(w.start - dt.timedelta(days=reach), dt.time())
    hi = dt.datetime.combine(w.last_day + dt.timedelta(days=reach), dt.time())
    m = ws.table("messages")
    m = m.filter(
        (m.event == "sent")
        & m.offer_type.notnull()
        & (m.offer_type != "")
        & (m.offer_type != "none")
        & (m.ts >= lo)
        & (m.ts < hi)
        & m.customer_id.isin(ids.customer_id)
        & (m.wave_id.isnull() | (m.wave_id != w.wave_id))
    )
    sent = m.select("customer_id", "ts", kind=m.offer_type).to_pandas()
    tch = ws.table("touches")
    wv = ws.table("waves")
    live = wv.filter(wv.status != "throttled").select("wave_id")
    tch = tch.filter(
        (tch.wave_id != w.wave_id)
        & tch.wave_id.isin(live.wave_id)
        & tch.offer.notnull()
        & (tch.planned_at >= lo)
        & (tch.planned_at < hi)
        & tch.customer_id.isin(ids.customer_id)
    )
    planned = tch.select("customer_id", ts=tch.planned_at, kind=tch.offer_kind).to_pandas()
    both = pd.concat([sent, planned], ignore_index=True)
    kind = both["kind"].where(both["kind"] == "discount", "value")
    offers = pd.DataFrame(
        {"customer_id": both["customer_id"], "local_at": _local_days(both, zones), "kind": kind}
    )
    return purch, offers


def _liability(ws: Workspace, cust: pd.DataFrame, playbook: Playbook, as_of: dt.date):
    """The most a coupon can cost: percent × the customer's average counted order."""
    if playbook.discount_budget is None:
        return None
    r = ws.table("rfm")
    r = r.filter((r.as_of == as_of) & (r.version == "monetary")).select(
        "customer_id", "monetary", "frequency"
    )
    ids = ibis.memtable(cust[["customer_id", "arm"]])
    j = ids.left_join(r, "customer_id").select(ids.customer_id, ids.arm, r.monetary, r.frequency)
    f = j.to_pandas()
    avg = f["monetary"].astype(float) / f["frequency"].where(f["frequency"] > 0)
    avg = avg.fillna(avg.median() if avg.notna().any() else 0.0)
    pct = f["arm"].map(
        lambda a: (
            (playbook.offer_of(a).percent or 0) / 100
            if a in playbook.arms
            and playbook.offer_of(a)
            and playbook.offer_of(a).kind == "discount"
            else 0.0
        )
    )
    return pd.Series((avg * pct).to_numpy(), index=f["customer_id"])


def wave_playbook(ws: Workspace, wave_id: str) -> Playbook | None:
    """The playbook a stored wave was planned from (None if it is gone)."""
    from livebase.errors import InputError
    from livebase.playbooks.spec import find_playbook

    w = ws.table("waves")
    rows = w.filter(w.wave_id == wave_id).select("playbook").to_pyarrow().to_pylist()
    if not rows:
        raise InputError(f"no wave {wave_id!r} (see `livebase plan`)")
    name = str(rows[0]["playbook"] or "")
    name = name.removeprefix("aa_")
    try:
        return find_playbook(name, ws.root / "playbooks")
    except InputError:
        return None


def webinar_info(ws: Workspace, wave_id: str):
    """The webinar of a wave for its exports (``starts_at`` in UTC), or None."""
    from livebase.exports.webinar import WebinarInfo

    playbook = wave_playbook(ws, wave_id)
    if playbook is None or playbook.webinar is None:
        return None
    w = ws.table("waves")
    starts_on = w.filter(w.wave_id == wave_id).starts_on.to_pyarrow().to_pylist()[0]
    web = playbook.webinar
    local = web.start(starts_on)
    utc = _to_utc(pd.Series([local]), pd.Series([ws.config.timezone])).iloc[0]
    lang = ws.config.locale
    return WebinarInfo(
        id=web.id,
        title=web.title.get(lang),
        starts_at=utc.to_pydatetime(),
        minutes=web.minutes,
        url=web.url,
    )
