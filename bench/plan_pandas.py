"""The pandas contender of the planning benchmark: the same wave, the obvious pandas code.

    plan_pandas(folder, as_of, seed=1, clock=clock) → dict of DataFrames

What a data analyst would write from the rules in the docstrings of
:mod:`livebase.playbooks.planner`, :mod:`livebase.playbooks.guardrails` and
:mod:`livebase.playbooks.eligibility`, for the default playbook ``reactivation_r90``:
read the tables from Parquet, filter the audience, take the latest consent per customer ×
channel × purpose with a sort and ``drop_duplicates`` (a withdrawal wins a tie), the
suppressions with a ``groupby``, leave out active buyers, open deals and hot leads, deal
the arms, expand the playbook's touches with a ``merge``, remove touches on blocked
channels with a ``merge``, place each customer's touches under the frequency caps in a
Python loop over ``groupby``, then the silence after a purchase and the offer and
discount cooldowns with merges, and the discount budget with a ``cumsum``.

Shared with livebase, on purpose: the playbook and the workspace's default settings (the
constants: touches, caps, send times, windows) and two pure functions of
:mod:`livebase.playbooks.assignment`, ``assign_stratified`` (the stratified deal, so that
both contenders put the same customers in the same arms and their outputs can be
compared touch by touch) and ``unit_hash`` (the SHA-256 order of the discount budget).
Everything that reads or computes on the tables is pandas.

Not covered (the playbook does not use them, and the code checks that it does not):
webinar reminders, cascades, working-days send times, child-data patterns, other waves'
planned touches (the benchmark's store has none; the messages already sent are counted).
The tables are read with pyarrow into pandas (strings as Python objects, timestamps as
``datetime64[ns]``), money cast to float64 in Arrow (as in the RFM benchmark).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

PLAYBOOK = "reactivation_r90"
MONEY_STATUSES = ("paid", "partially_paid", "refunded")
SUPPRESSING = ("unsubscribed", "complained", "bounced_hard")
CONTACT_FIELD = {"email": "email", "messenger": "phone", "sms": "phone", "call": "phone"}


def read(folder: Path, table: str, columns: list[str]) -> pd.DataFrame:
    t = pq.read_table(folder / f"{table}.parquet", columns=columns)
    for i, field in enumerate(t.schema):
        if pa.types.is_decimal(field.type):
            t = t.set_column(i, field.name, t.column(i).cast(pa.float64()))
    return t.to_pandas()


def to_local(utc: pd.Series, tz: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=utc.index, dtype="datetime64[ns]")
    for zone, idx in tz.groupby(tz).groups.items():
        part = pd.DatetimeIndex(utc.loc[idx])
        out.loc[idx] = part.tz_localize("UTC").tz_convert(zone).tz_localize(None)
    return out


def to_utc(local: pd.Series, tz: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=local.index, dtype="datetime64[ns]")
    for zone, idx in tz.groupby(tz).groups.items():
        part = pd.DatetimeIndex(local.loc[idx])
        out.loc[idx] = (
            part.tz_localize(
                zone, ambiguous=np.zeros(len(part), dtype=bool), nonexistent="shift_forward"
            )
            .tz_convert("UTC")
            .tz_localize(None)
        )
    return out


def valid_zone(name) -> bool:
    if not isinstance(name, str) or not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def ntile(n: int, buckets: int) -> np.ndarray:
    """SQL ``ntile(buckets)`` (1-based) of rows 0..n-1: the first n % buckets groups
    get one row more."""
    size, large = divmod(n, buckets)
    i = np.arange(n)
    cut = large * (size + 1)
    with np.errstate(divide="ignore"):
        return np.where(i < cut, 1 + i // (size + 1), 1 + large + (i - cut) // max(size, 1))


def log_rows(rows: pd.DataFrame, reason, action: str, moved=None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": rows["customer_id"].to_numpy(),
            "touch_no": rows["touch_no"].to_numpy(),
            "reason_code": reason if isinstance(reason, str) else np.asarray(reason),
            "action": action,
            "channel": rows["channel"].to_numpy(),
            "local_at": rows["local_at"].to_numpy(),
            "moved_local": moved if moved is not None else pd.NaT,
        }
    )


def plan_pandas(folder: Path, as_of: dt.date, *, seed: int = 1, clock=None) -> dict:
    from livebase.config import WorkspaceConfig
    from livebase.playbooks.assignment import arm_weights, assign_stratified, unit_hash
    from livebase.playbooks.spec import default_patterns, find_playbook

    lap = clock.lap if clock is not None else (lambda name: None)
    folder = Path(folder)
    cfg = WorkspaceConfig()
    g = cfg.guardrails
    pb = find_playbook(PLAYBOOK)
    assert pb.webinar is None
    assert not any(t.cascade for t in pb.touches)
    assert pb.primary_channel == "email"
    assert pb.caps is not None

    # ---- read
    segments = read(
        folder, "segments", ["as_of", "version", "customer_id", "segment", "sleep_tier"]
    )
    rfm = read(
        folder, "rfm", ["as_of", "version", "customer_id", "monetary", "frequency", "r", "f", "m"]
    )
    customers = read(
        folder, "customers", ["customer_id", "email", "phone", "timezone", "first_channel"]
    )
    orders = read(
        folder,
        "orders",
        [
            "order_id",
            "customer_id",
            "created_at",
            "paid_at",
            "amount",
            "refunded_amount",
            "status",
            "category",
            "product_id",
            "is_gift",
            "is_corporate",
        ],
    )
    consents = read(folder, "consents", ["customer_id", "channel", "purpose", "granted", "ts"])
    messages = read(
        folder,
        "messages",
        ["customer_id", "ts", "channel", "event", "is_promo", "offer_type", "wave_id"],
    )
    activities = read(folder, "activities", ["customer_id", "ts", "kind"])
    lap("read")

    end = pd.Timestamp(as_of + dt.timedelta(days=1))  # data up to and including as_of
    start = as_of + dt.timedelta(days=1)
    last_day = start + dt.timedelta(days=pb.days - 1)
    deadline_day = start + dt.timedelta(days=pb.deadline.day)
    wave_id = f"W-{pb.code}-{start:%Y%m%d}"

    # ---- audience
    seg = segments[(segments["as_of"] == as_of) & (segments["version"] == "monetary")]
    aud = seg[seg["sleep_tier"] == pb.audience.sleep_tier][["customer_id", "segment"]]

    # consent state: the newest record before `end`, a withdrawal first at equal ts
    c = consents[consents["ts"] < end].sort_values(
        ["customer_id", "channel", "purpose", "ts", "granted"],
        ascending=[True, True, True, False, True],
    )
    latest = c.drop_duplicates(["customer_id", "channel", "purpose"])
    # suppressions: any unsubscribe, complaint or hard bounce on the channel
    hist = messages[(messages["ts"] < end) & messages["event"].isin(SUPPRESSING)]
    sup = (
        hist.groupby(["customer_id", "channel", "event"]).size().unstack("event", fill_value=0) > 0
    ).reindex(columns=list(SUPPRESSING), fill_value=False)

    def contact_reason(ids: pd.DataFrame, channel: str, purpose: str) -> pd.DataFrame:
        state = latest[(latest["channel"] == channel) & (latest["purpose"] == purpose)]
        j = ids[["customer_id"]].merge(state[["customer_id", "granted"]], how="left")
        s = sup.xs(channel, level="channel") if channel in sup.index.get_level_values(1) else None
        if s is not None:
            j = j.merge(s, left_on="customer_id", right_index=True, how="left")
        else:
            j[list(SUPPRESSING)] = False
        flag = {k: j[k].astype("boolean").fillna(False).to_numpy(bool) for k in SUPPRESSING}
        granted = j["granted"]
        j["reason_code"] = np.select(
            [
                flag["complained"],
                flag["unsubscribed"],
                flag["bounced_hard"],
                granted.isna(),
                granted == False,  # noqa: E712
            ],
            ["complained", "unsubscribed", "hard_bounce", "no_consent", "consent_withdrawn"],
            default="",
        )
        return j.loc[j["reason_code"] != "", ["customer_id", "reason_code"]]

    out_consent = contact_reason(aud, "email", "marketing")
    out_consent["detail"] = "email marketing"
    # no e-mail address: left out too
    addr = aud[["customer_id"]].merge(customers[["customer_id", "email"]], how="left")
    blank = addr["email"].isna() | (addr["email"].astype(str).str.strip() == "")
    out_contact = addr.loc[blank, ["customer_id"]].assign(
        reason_code="no_contact", detail="no address for email"
    )

    # counted purchases: paid / refunded orders of the purchase categories, a repeat payment
    # of the same product and amount within 7 days dropped
    rules = cfg.purchase_rules
    o = orders.copy()
    o["ts"] = o["paid_at"].fillna(o["created_at"])
    o = o[
        o["status"].isin(MONEY_STATUSES)
        & (o["ts"] < end)
        & o["category"].isin(rules.purchase_categories)
    ]
    o["product"] = o["product_id"].fillna("")  # (the files have no product_title)
    o = o.sort_values(["customer_id", "product", "amount", "ts", "order_id"])
    prev = o.groupby(["customer_id", "product", "amount"])["ts"].shift()
    dup = prev.notna() & (o["ts"] - prev <= pd.Timedelta(days=rules.duplicate_payment_days))
    o = o[~(dup & (o["amount"] > 0))]
    o["is_purchase"] = (o["amount"] > 0) & (o["status"] != "refunded")
    bought = o[o["is_purchase"]]

    active = bought[bought["ts"] >= end - pd.Timedelta(days=g.active_buyer_days)]["customer_id"]
    out_active = aud[aud["customer_id"].isin(active)][["customer_id"]].assign(
        reason_code="active_buyer", detail=f"a purchase in the last {g.active_buyer_days} days"
    )
    since = end - pd.Timedelta(days=g.open_deal_days)
    deals = orders[
        (orders["status"] == "pending")
        & (orders["created_at"] >= since)
        & (orders["created_at"] < end)
    ]
    out_deal = aud[aud["customer_id"].isin(deals["customer_id"])][["customer_id"]].assign(
        reason_code="open_deal", detail=f"an order pending since the last {g.open_deal_days} days"
    )
    since = end - pd.Timedelta(days=g.hot_lead_days)
    inv = activities[
        (activities["kind"] == "invoice_pending")
        & (activities["ts"] >= since)
        & (activities["ts"] < end)
    ]
    clicks = messages[
        (messages["event"] == "clicked")
        & messages["is_promo"].fillna(False).astype(bool)
        & (messages["ts"] >= since)
        & (messages["ts"] < end)
    ]
    hot = set(inv["customer_id"]) | set(clicks["customer_id"])
    out_hot = aud[aud["customer_id"].isin(hot)][["customer_id"]].assign(
        reason_code="hot_lead",
        detail=f"an invoice or a promo click in the last {g.hot_lead_days} days",
    )
    out = pd.concat([out_consent, out_contact, out_active, out_deal, out_hot], ignore_index=True)
    out = out.drop_duplicates("customer_id").sort_values("customer_id")
    lap("audience")

    # ---- arms: RFM decile × first channel, stratified deal
    eligible = aud[~aud["customer_id"].isin(out["customer_id"])]
    r = rfm[(rfm["as_of"] == as_of) & (rfm["version"] == "monetary")]
    r = r.assign(total=r["r"].astype("int64") + r["f"].astype("int64") + r["m"].astype("int64"))
    st = eligible[["customer_id"]].merge(r[["customer_id", "total", "monetary"]], how="left")
    st = st.merge(customers[["customer_id", "first_channel"]], how="left")
    st["total"] = st["total"].fillna(0)
    st["monetary"] = st["monetary"].fillna(0.0)
    st = st.sort_values(["total", "monetary", "customer_id"]).reset_index(drop=True)
    st["decile"] = ntile(len(st), 10)
    ch = st["first_channel"].fillna("").str.strip().replace("", "unknown")
    st["stratum"] = "d" + st["decile"].astype(str) + "|" + ch
    weights = arm_weights(list(pb.arms), pb.holdout or cfg.experiments.holdout)
    dealt = assign_stratified(
        dict(zip(st["customer_id"], st["stratum"], strict=True)),
        wave_id=wave_id,
        seed=seed,
        weights=weights,
    )
    assignments = pd.DataFrame({"customer_id": list(dealt), "arm": list(dealt.values())})
    assignments = assignments.merge(st[["customer_id", "stratum"]]).sort_values("customer_id")
    lap("assign")

    # ---- schedule: the arms' touches at the segment's send time, local time
    members = assignments[assignments["arm"] != "holdout"][["customer_id", "arm"]]
    cust = members.merge(customers[["customer_id", "email", "phone", "timezone"]], how="left")
    cust = cust.merge(seg[["customer_id", "segment"]], how="left")
    zones = {z: valid_zone(z) for z in cust["timezone"].dropna().unique()}
    known = cust["timezone"].map(zones).astype("boolean").fillna(False)
    cust["tz"] = cust["timezone"].where(known.to_numpy(bool), cfg.timezone)
    tpl = []
    for arm in pb.arms:
        offer_id = pb.arms[arm].offer
        offer = pb.offers.get(offer_id) if offer_id else None
        for no, t in pb.arm_touches(arm):
            tpl.append(
                {
                    "arm": arm,
                    "touch_no": no,
                    "day": t.day,
                    "channel": t.channel,
                    "pattern": t.pattern,
                    "is_promo": bool(t.promo),
                    "offer": offer_id if t.offer == "arm" else None,
                    "offer_kind": offer.kind if (t.offer == "arm" and offer) else None,
                    "purpose": t.purpose,
                    "condition": t.when,
                    "until_day": t.until_day,
                    "frequency": t.per_day,
                }
            )
    t = cust.merge(pd.DataFrame(tpl), on="arm")
    times = g.send_times
    key = t["segment"].where(t["segment"].isin(list(times)), "default")
    assert not any(times[k].weekdays_only for k in key.unique())
    minutes = key.map(lambda s: times[s].hour * 60 + times[s].minute)
    t["local_at"] = (
        pd.Timestamp(start)
        + pd.to_timedelta(t["day"], unit="D")
        + pd.to_timedelta(minutes, unit="min")
    )
    t["ends_day"] = [
        start + dt.timedelta(days=int(u)) if pd.notna(u) else None for u in t["until_day"]
    ]
    log = []

    # who may be contacted on each channel the plan uses (consent, suppression, contact)
    blocked = []
    for channel in sorted(set(t["channel"])):
        purposes = sorted(set(t.loc[t["channel"] == channel, "purpose"]) | {"marketing"})
        for purpose in purposes:
            blocked.append(
                contact_reason(cust, channel, purpose).assign(channel=channel, purpose=purpose)
            )
        field = CONTACT_FIELD.get(channel)
        if channel == "retargeting":
            miss = cust[cust["email"].isna() & cust["phone"].isna()]
        elif field:
            miss = cust[cust[field].isna()]
        else:
            miss = cust.iloc[0:0]
        for purpose in ("marketing", "service"):
            blocked.append(
                pd.DataFrame(
                    {
                        "customer_id": miss["customer_id"],
                        "reason_code": "no_contact",
                        "channel": channel,
                        "purpose": purpose,
                    }
                )
            )
    blocked = pd.concat(blocked, ignore_index=True).drop_duplicates(
        ["customer_id", "channel", "purpose"]
    )

    # personalised patterns need a personalisation grant (newest record on any channel)
    lib = default_patterns().patterns
    pers = c[c["purpose"] == "personalisation"].sort_values(
        ["customer_id", "ts", "granted"], ascending=[True, False, True]
    )
    personalised = set(pers.drop_duplicates("customer_id").query("granted")["customer_id"])
    for pid in t["pattern"].unique():
        spec = lib[pid]
        assert not spec.child_data
        if not spec.personalised:
            continue
        swap = (t["pattern"] == pid) & ~t["customer_id"].isin(personalised)
        log.append(log_rows(t[swap], "no_personalisation_consent", "changed"))
        t.loc[swap, "pattern"] = spec.fallback
    lap("schedule")

    # ---- guardrails 1: consent per channel and purpose
    j = t.merge(blocked, on=["customer_id", "channel", "purpose"], how="left")
    gone = j["reason_code"].notna()
    log.append(log_rows(j[gone], j.loc[gone, "reason_code"], "removed"))
    t = j[~gone].drop(columns="reason_code").reset_index(drop=True)

    # ---- 2: frequency caps around what was sent, one customer at a time
    caps = pb.caps
    lo = pd.Timestamp(start - dt.timedelta(days=8))
    hi = pd.Timestamp(last_day + dt.timedelta(days=8))
    tz_of = cust.set_index("customer_id")["tz"]
    sent = messages[
        (messages["event"] == "sent")
        & ~messages["channel"].isin(["retargeting", "service"])
        & (messages["ts"] >= lo)
        & (messages["ts"] < hi)
        & messages["customer_id"].isin(cust["customer_id"])
    ][["customer_id", "ts", "channel"]]
    sent["day"] = to_local(sent["ts"], sent["customer_id"].map(tz_of)).dt.date
    counted = (t["purpose"] == "marketing") & (t["channel"] != "retargeting")
    todo = t[counted & t["customer_id"].isin(sent["customer_id"])]
    todo = todo.sort_values(["customer_id", "local_at", "touch_no"])
    busy = {
        cid: list(zip(b["day"], b["channel"], strict=True))
        for cid, b in sent.groupby("customer_id")
    }

    def over(day, channel, occ, occ_ch):
        if occ[day] + 1 > caps.per_day:
            return "cap_day", f"{caps.per_day} touch(es) a day"
        for k in range(7):
            first = day - dt.timedelta(days=k)
            if sum(occ[first + dt.timedelta(days=i)] for i in range(7)) + 1 > caps.per_week:
                return "cap_week", f"{caps.per_week} touches in 7 days"
        cap = caps.channel_per_week.get(channel)
        if cap is not None:
            for k in range(7):
                first = day - dt.timedelta(days=k)
                n = sum(occ_ch[(channel, first + dt.timedelta(days=i))] for i in range(7))
                if n + 1 > cap:
                    return "cap_channel_week", f"{cap} {channel} touch(es) in 7 days"
        return None

    placed_at, decisions = {}, []
    todo = todo[["customer_id", "local_at", "channel", "is_promo"]]
    for cid, rows in todo.groupby("customer_id", sort=False):
        occ, occ_ch = Counter(), Counter()
        for day, channel in busy[cid]:
            occ[day] += 1
            occ_ch[(channel, day)] += 1
        for i, at, channel, is_promo in zip(
            rows.index, rows["local_at"], rows["channel"], rows["is_promo"], strict=True
        ):
            day = at.date()
            limit = deadline_day if is_promo else last_day
            d, hit = day, over(day, channel, occ, occ_ch)
            while hit is not None and d <= limit:
                d += dt.timedelta(days=1)
                if d <= limit and over(d, channel, occ, occ_ch) is None:
                    break
            if hit is not None and d > limit:
                decisions.append((i, hit[0], "removed", None))
                continue
            if d != day:
                new = at + (d - day)
                decisions.append((i, hit[0], "moved", new))
                placed_at[i] = new
            occ[d] += 1
            occ_ch[(channel, d)] += 1
    if decisions:
        idx, code, action, new = zip(*decisions, strict=True)
        rows = t.loc[list(idx)]
        log.append(
            log_rows(
                rows, list(code), "", pd.to_datetime(pd.Series(new, dtype=object)).to_numpy()
            ).assign(action=list(action))
        )
        removed = [i for i, _, a, _ in decisions if a == "removed"]
        if placed_at:
            t.loc[list(placed_at), "local_at"] = pd.Series(placed_at)
        t = t.drop(index=removed).reset_index(drop=True)
    lap("caps")

    # ---- 3: retargeting impressions a day (no other wave's retargeting in this store)
    rt = t["channel"] == "retargeting"
    assert not t[rt]["customer_id"].duplicated().any()
    bad = rt & (t["frequency"].fillna(0) > caps.retargeting_per_day)
    log.append(log_rows(t[bad], "cap_retargeting_day", "removed"))
    t = t[~bad].reset_index(drop=True)

    # ---- 4: silence after a purchase (promo less than silence_days after one)
    recent = bought[
        (bought["ts"] >= end - pd.Timedelta(days=g.silence_days + 1))
        & bought["customer_id"].isin(cust["customer_id"])
    ][["customer_id", "ts"]]
    recent["bought_local"] = to_local(recent["ts"], recent["customer_id"].map(tz_of))
    promo = t[t["is_promo"]].reset_index()
    j = promo.merge(recent[["customer_id", "bought_local"]], on="customer_id")
    hit = j[
        (j["bought_local"] > j["local_at"] - pd.Timedelta(days=g.silence_days))
        & (j["bought_local"] <= j["local_at"])
    ]
    gone = t.index.isin(hit["index"])
    log.append(log_rows(t[gone], "silence_after_purchase", "removed"))
    t = t[~gone].reset_index(drop=True)

    # ---- 5-6: one offer in 30 days, one discount window in 60 (other waves' offers sent)
    reach = max(g.offer_cooldown_days, g.discount_cooldown_days) + 1
    lo = pd.Timestamp(start - dt.timedelta(days=reach))
    hi = pd.Timestamp(last_day + dt.timedelta(days=reach))
    seen = messages[
        (messages["event"] == "sent")
        & messages["offer_type"].notna()
        & ~messages["offer_type"].isin(["", "none"])
        & (messages["ts"] >= lo)
        & (messages["ts"] < hi)
        & messages["customer_id"].isin(cust["customer_id"])
        & (messages["wave_id"].isna() | (messages["wave_id"] != wave_id))
    ][["customer_id", "ts", "offer_type"]]
    seen["seen_local"] = to_local(seen["ts"], seen["customer_id"].map(tz_of))
    seen["kind"] = seen["offer_type"].where(seen["offer_type"] == "discount", "value")

    def near(mask: pd.Series, events: pd.DataFrame, days: int) -> np.ndarray:
        cand = t[mask].reset_index()
        j = cand.merge(events[["customer_id", "seen_local"]], on="customer_id")
        w = pd.Timedelta(days=days)
        j = j[(j["seen_local"] > j["local_at"] - w) & (j["seen_local"] < j["local_at"] + w)]
        return t.index.isin(j["index"])

    gone = near(t["offer"].notna(), seen, g.offer_cooldown_days)
    log.append(log_rows(t[gone], "offer_cooldown", "removed"))
    t = t[~gone].reset_index(drop=True)
    gone = near(
        t["offer_kind"] == "discount", seen[seen["kind"] == "discount"], g.discount_cooldown_days
    )
    log.append(log_rows(t[gone], "discount_cooldown", "removed"))
    t = t[~gone].reset_index(drop=True)

    # ---- 7: discount budget: coupons in hash order while their possible cost fits
    disc = t["offer_kind"] == "discount"
    if pb.discount_budget is not None and disc.any():
        f = cust[["customer_id", "arm"]].merge(
            r[["customer_id", "monetary", "frequency"]], how="left"
        )
        avg = f["monetary"] / f["frequency"].where(f["frequency"] > 0)
        avg = avg.fillna(avg.median())
        pct = f["arm"].map(
            {
                a: (pb.offer_of(a).percent or 0) / 100
                if pb.offer_of(a) and pb.offer_of(a).kind == "discount"
                else 0.0
                for a in pb.arms
            }
        )
        cost = pd.Series((avg * pct).to_numpy(), index=f["customer_id"])
        who = pd.DataFrame({"customer_id": t.loc[disc, "customer_id"].unique()})
        who["h"] = [unit_hash(x, wave_id=wave_id, seed=seed) for x in who["customer_id"]]
        who = who.sort_values(["h", "customer_id"])
        who["spent"] = cost.reindex(who["customer_id"]).fillna(0).cumsum().to_numpy()
        over_budget = who.loc[who["spent"] > pb.discount_budget + 1e-9, "customer_id"]
        gone = disc & t["customer_id"].isin(over_budget)
        log.append(log_rows(t[gone], "discount_budget", "removed"))
        t = t[~gone].reset_index(drop=True)
    lap("guardrails")

    # ---- output: touches in UTC, the decision log, the customers left out
    tz = t["customer_id"].map(tz_of)
    deadline_local = pd.Series(
        pd.Timestamp(
            dt.datetime.combine(deadline_day, dt.time(pb.deadline.hour, pb.deadline.minute))
        ),
        index=t.index,
    )
    ends = pd.to_datetime(pd.Series(t["ends_day"], dtype=object)) + pd.Timedelta(seconds=86399)
    touches = pd.DataFrame(
        {
            "wave_id": wave_id,
            "customer_id": t["customer_id"],
            "touch_no": t["touch_no"].astype("int32"),
            "planned_at": to_utc(t["local_at"], tz),
            "channel": t["channel"],
            "pattern": t["pattern"],
            "is_promo": t["is_promo"].astype(bool),
            "offer": t["offer"],
            "deadline": to_utc(deadline_local, tz),
            "arm": t["arm"],
            "offer_kind": t["offer_kind"],
            "purpose": t["purpose"],
            "condition": t["condition"],
            "ends_at": to_utc(ends, tz),
            "frequency": t["frequency"].astype("Int32"),
        }
    ).sort_values(["customer_id", "touch_no"], ignore_index=True)
    decided = pd.concat([x for x in log if len(x)], ignore_index=True)
    dtz = decided["customer_id"].map(tz_of)
    decided["planned_at"] = to_utc(pd.to_datetime(decided["local_at"]), dtz)
    decided["moved_to"] = to_utc(pd.to_datetime(decided["moved_local"]), dtz)
    left_out = out.assign(touch_no=0, action="excluded", channel=pb.primary_channel)
    exclusions = pd.concat(
        [
            left_out[["customer_id", "touch_no", "reason_code", "action", "channel"]],
            decided[
                [
                    "customer_id",
                    "touch_no",
                    "reason_code",
                    "action",
                    "channel",
                    "planned_at",
                    "moved_to",
                ]
            ],
        ],
        ignore_index=True,
    ).drop_duplicates(["customer_id", "touch_no", "reason_code"])
    exclusions.insert(0, "wave_id", wave_id)
    exclusions["touch_no"] = exclusions["touch_no"].astype("int32")
    assignments.insert(0, "wave_id", wave_id)
    lap("output")
    return {"assignments": assignments, "touches": touches, "exclusions": exclusions}
