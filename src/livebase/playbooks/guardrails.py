"""The touch-level guardrails of a plan (SPEC F4.3), on plain frames.

The planner (:mod:`livebase.playbooks.planner`) reads the store and calls
:func:`apply_guardrails` with the wave's scheduled touches and what else the customers
already hear; the rules run in this order, each writing a reason code
(:mod:`livebase.playbooks.reasons`) for every touch it removes, moves or changes:

1. **Consent per channel and purpose** (``blocked``): a touch on a channel the customer
   may not be contacted on for the touch's purpose is removed with the consent reason.
2. **Within the wave**: a cascade that would fall after the deadline (a promo) or after
   the wave's last day is removed (``past_deadline``).
3. **Frequency caps**: marketing touches (not retargeting) count; at most ``per_day`` a
   local day, ``per_week`` in any seven consecutive local days and
   ``channel_per_week[channel]`` for one channel — counting the messages already sent
   (``busy``) and the touches other waves plan. A touch that does not fit moves to the
   next day that fits (same local time), not past the wave's last day (a promo touch not
   past the deadline); if none fits it is removed. Conditional touches (a call after
   interest, a cascade) hold their slot as if they were sent. A cascade keeps its
   distance from its e-mail: it moves with it (logged as moved) and is removed if its
   own day or channel is full. Every customer's schedule is checked against the caps
   that apply to them (the playbook's, the workspace's or their segment's).
4. **Retargeting**: impressions a day of all waves together at most
   ``retargeting_per_day``; otherwise the retargeting touch is removed.
5. **Silence after a purchase**: a promo touch within ``silence_days`` after a purchase
   is removed (seed 000: 14 days of silence from promo for those who bought).
6. **One beneficial offer in 30 days**: a touch carrying an offer is removed if another
   wave's offer reached (or is planned to reach) the customer less than
   ``offer_cooldown_days`` before or after it.
7. **One discount window in 60 days**: likewise for discounts with
   ``discount_cooldown_days``.
8. **Discount budget**: coupons are issued to the discount arm in a fixed pseudo-random
   order (SHA-256 of seed, wave and customer) while the sum of their possible cost
   (percent × the customer's average order) stays within the budget; the rest lose the
   coupon touches.

A cascade (``parent`` set) goes when its e-mail goes: if the e-mail is removed, so is
the cascade, with the same reason.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from livebase.config import Caps
from livebase.playbooks import reasons as R
from livebase.playbooks.assignment import unit_hash

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Rules:
    caps: Caps
    last_day: dt.date  # the wave's last local day
    deadline_day: dt.date  # promo touches stay on or before it
    silence_days: int = 14
    offer_cooldown_days: int = 30
    discount_cooldown_days: int = 60
    discount_budget: float | None = None
    wave_id: str = ""
    seed: int = 1
    # per segment caps (segment id → caps), replacing ``caps``
    segment_caps: dict[str, Caps] = field(default_factory=dict)

    def caps_for(self, segment: object) -> Caps:
        return self.segment_caps.get(segment if isinstance(segment, str) else "", self.caps)


# the columns of the touches frame apply_guardrails takes (its input contract)
TOUCH_COLUMNS = (
    "customer_id",
    "arm",
    "touch_no",
    "channel",
    "pattern",
    "is_promo",
    "offer",
    "offer_kind",
    "purpose",
    "condition",
    "local_at",  # naive local datetime
    "ends_day",  # retargeting: last local day of the span (else None)
    "frequency",  # retargeting impressions a day
    "parent",  # a cascade's e-mail touch_no (else 0)
    "segment",
)

LOG_COLUMNS = (
    "customer_id",
    "touch_no",
    "reason_code",
    "action",
    "channel",
    "local_at",
    "moved_local",
    "detail",
)


def log_frame(rows: pd.DataFrame, reason, action: str, detail, moved=None) -> pd.DataFrame:
    """Decision rows for the touches ``rows`` (``reason`` and ``detail``: one value or
    one per row; ``moved``: the new local times of moved touches)."""
    n = len(rows)
    return pd.DataFrame(
        {
            "customer_id": rows["customer_id"].to_numpy(),
            "touch_no": rows["touch_no"].to_numpy(dtype="int64"),
            "reason_code": np.asarray(reason, dtype=object)
            if not isinstance(reason, str)
            else np.full(n, reason, dtype=object),
            "action": np.full(n, action, dtype=object),
            "channel": rows["channel"].to_numpy(),
            "local_at": pd.to_datetime(rows["local_at"]).to_numpy(),
            "moved_local": pd.to_datetime(
                pd.Series(moved if moved is not None else [pd.NaT] * n)
            ).to_numpy(),
            "detail": np.asarray(detail, dtype=object)
            if not isinstance(detail, str)
            else np.full(n, detail, dtype=object),
        },
        columns=list(LOG_COLUMNS),
    )


def _drop(
    touches: pd.DataFrame, mask: np.ndarray, reason, log: list[pd.DataFrame], detail
) -> pd.DataFrame:
    """Remove the touches under ``mask`` (and their cascades), logging ``reason`` (a code
    or an array of codes, one per removed touch) and ``detail`` (text or an array)."""
    if not mask.any():
        return touches
    gone = touches[mask]
    reasons = (
        np.full(len(gone), reason, dtype=object)
        if isinstance(reason, str)
        else np.asarray(reason, dtype=object)
    )
    log.append(log_frame(gone, reasons, R.REMOVED, detail))
    rest = touches[~mask]
    cascades = rest["parent"].to_numpy() > 0
    if cascades.any():
        key = pd.Series(
            reasons,
            index=pd.MultiIndex.from_arrays(
                [gone["customer_id"].to_numpy(), gone["touch_no"].to_numpy(dtype="int64")]
            ),
        )
        key = key[~key.index.duplicated()]
        probe = pd.MultiIndex.from_arrays(
            [rest["customer_id"].to_numpy(), rest["parent"].to_numpy(dtype="int64")]
        )
        found = key.reindex(probe)
        orphan = cascades & found.notna().to_numpy()
        if orphan.any():
            orphans = rest[orphan]
            log.append(
                log_frame(
                    orphans,
                    found.to_numpy()[orphan],
                    R.REMOVED,
                    [f"its e-mail (touch {p}) was removed" for p in orphans["parent"]],
                )
            )
            rest = rest[~orphan]
    return rest


# ---- caps ---------------------------------------------------------------------------
def _week_over(occ: Counter, day: dt.date, cap: int) -> bool:
    """Whether one more touch on ``day`` puts any 7 consecutive days over ``cap``."""
    counts = [occ.get(day + dt.timedelta(days=i), 0) for i in range(-6, 7)]
    if sum(counts) + 1 <= cap:
        return False
    n = sum(counts[:7])  # the window ending on ``day``
    if n + 1 > cap:
        return True
    for k in range(1, 7):  # slide to the window starting on ``day``
        n += counts[6 + k] - counts[k - 1]
        if n + 1 > cap:
            return True
    return False


def _violation(day: dt.date, channel: str, occ: Counter, by_channel: dict, caps: Caps):
    if occ[day] + 1 > caps.per_day:
        return R.CAP_DAY, f"{caps.per_day} touch(es) a day"
    if _week_over(occ, day, caps.per_week):
        return R.CAP_WEEK, f"{caps.per_week} touches in 7 days"
    cap = caps.channel_per_week.get(channel)
    if cap is not None and _week_over(by_channel[channel], day, cap):
        return R.CAP_CHANNEL, f"{cap} {channel} touch(es) in 7 days"
    return None


def place_customer(
    rows: list[dict], busy: list[tuple[dt.date, str]], caps: Caps, rules: Rules
) -> tuple[list[dict], list[tuple[dict, str, str, str, dt.datetime | None]]]:
    """Greedy placement of one customer's counted touches (sorted by time) around the
    ``busy`` (local day, channel) slots; returns the placed rows (``local_at`` updated)
    and (row, reason, action, detail, new local time) decisions."""
    occ: Counter = Counter()
    by_channel: dict[str, Counter] = defaultdict(Counter)
    for day, channel in busy:
        occ[day] += 1
        by_channel[channel][day] += 1
    placed, decisions = [], []
    shift: dict[int, dt.timedelta] = {}
    gone: dict[int, str] = {}
    for row in rows:
        parent = int(row.get("parent") or 0)
        end = rules.deadline_day if row["is_promo"] else rules.last_day
        carried = None
        if parent:
            # a cascade follows its e-mail: removed with it, moved with it, never alone
            if parent in gone:
                decisions.append(
                    (row, gone[parent], R.REMOVED, f"its e-mail (touch {parent}) was removed", None)
                )
                continue
            if parent in shift:
                carried = row
                row = {**row, "local_at": row["local_at"] + shift[parent][0]}
                if row["local_at"].date() > end:
                    decisions.append(
                        (
                            carried,
                            R.PAST_DEADLINE,
                            R.REMOVED,
                            f"moved with its e-mail (touch {parent}) past {end}",
                            None,
                        )
                    )
                    continue
        day = row["local_at"].date()
        limit = day if parent else end
        first = None
        d = day
        while d <= limit:
            hit = _violation(d, row["channel"], occ, by_channel, caps)
            if hit is None:
                break
            first = first or hit
            d += DAY
        if d > limit:
            code, why = first
            decisions.append((carried or row, code, R.REMOVED, f"no day left within {why}", None))
            gone[int(row["touch_no"])] = code
            continue
        if carried is not None:
            # logged against its planned time, like every other move
            code, why = shift[parent][1]
            decisions.append(
                (
                    carried,
                    code,
                    R.MOVED,
                    f"with its e-mail (touch {parent}), over {why}",
                    row["local_at"],
                )
            )
        elif d != day:
            new = row["local_at"] + (d - day)
            code, why = first
            decisions.append((row, code, R.MOVED, f"over {why}", new))
            row = {**row, "local_at": new}
            shift[int(row["touch_no"])] = (d - day, first)
        occ[d] += 1
        by_channel[row["channel"]][d] += 1
        placed.append(row)
    return placed, decisions


def _unfit_schedules(counted: pd.DataFrame, rules: Rules) -> set:
    """Customers whose counted touches alone break their caps. Customers with the same
    schedule (touch numbers, channels, local times, segment) fare alike, so one of each
    kind is placed and the rest follow it; a plan's customers share a few schedules."""
    if counted.empty:
        return set()
    cols = ["touch_no", "channel", "local_at", "is_promo", "parent", "segment"]
    rows = pd.util.hash_pandas_object(counted[cols], index=False).to_numpy()
    customers = counted["customer_id"].to_numpy()
    # a schedule's key: the sum of its rows' hashes (wrapping) and their number
    key = (
        pd.DataFrame({"c": customers, "h": rows, "n": 1})
        .groupby("c", sort=False)
        .agg(h=("h", "sum"), n=("n", "sum"))
    )
    unfit: set = set()
    for (_, _), kind in key.groupby(["h", "n"], sort=False):
        who = kind.index[0]
        one = counted[customers == who].sort_values(["local_at", "touch_no"])
        caps = rules.caps_for(one["segment"].iloc[0])
        _, decisions = place_customer(one.to_dict("records"), [], caps, rules)
        if decisions:
            unfit |= set(kind.index)
    return unfit


def _caps(
    touches: pd.DataFrame, busy: pd.DataFrame, rules: Rules, log: list[dict], must_check: set
) -> pd.DataFrame:
    counted = (touches["purpose"] == "marketing") & (touches["channel"] != "retargeting")
    # customers with anything else in the window, whose schedule left the template, or
    # whose schedule does not fit their caps on its own
    busy_ids = set(busy["customer_id"]) if len(busy) else set()
    check_ids = (busy_ids | must_check) & set(touches.loc[counted, "customer_id"])
    check_ids |= _unfit_schedules(touches[counted & ~touches["customer_id"].isin(check_ids)], rules)
    if not check_ids:
        return touches
    sel = counted & touches["customer_id"].isin(check_ids)
    todo = touches[sel].sort_values(["customer_id", "local_at", "touch_no"])
    keep_rest = touches[~sel]
    busy_map: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    if len(busy):
        b = busy[busy["customer_id"].isin(check_ids)]
        for c, d, ch in zip(b["customer_id"], b["local_day"], b["channel"], strict=True):
            busy_map[c].append((d, ch))
    placed_all: list[dict] = []
    decided: list[dict] = []
    records = todo.to_dict("records")
    i = 0
    while i < len(records):
        j = i
        cid = records[i]["customer_id"]
        while j < len(records) and records[j]["customer_id"] == cid:
            j += 1
        rows = records[i:j]
        placed, decisions = place_customer(
            rows, busy_map.get(cid, []), rules.caps_for(rows[0]["segment"]), rules
        )
        placed_all += placed
        for row, code, action, detail, new in decisions:
            decided.append(
                {**row, "reason_code": code, "action": action, "detail": detail, "moved_local": new}
            )
        i = j
    out = (
        pd.concat(
            [keep_rest, pd.DataFrame.from_records(placed_all, columns=todo.columns)],
            ignore_index=True,
        )
        if placed_all
        else keep_rest.reset_index(drop=True)
    )
    if decided:
        d = pd.DataFrame.from_records(decided)
        log.append(
            log_frame(
                d,
                d["reason_code"].to_numpy(),
                "",
                d["detail"].to_numpy(),
                d["moved_local"].tolist(),
            ).assign(action=d["action"].to_numpy())
        )
    return out


def _retargeting(touches: pd.DataFrame, other: pd.DataFrame, rules: Rules, log) -> pd.DataFrame:
    rt = touches["channel"] == "retargeting"
    if not rt.any():
        return touches
    bad = np.zeros(len(touches), dtype=bool)
    cap_of = {
        c: rules.caps_for(s).retargeting_per_day
        for c, s in zip(touches["customer_id"], touches["segment"], strict=True)
    }
    per_day: dict[tuple[str, dt.date], int] = Counter()
    if len(other):
        for c, d, f in zip(
            other["customer_id"], other["local_day"], other["frequency"], strict=True
        ):
            per_day[(c, d)] += int(f)
    idx = np.flatnonzero(rt.to_numpy())
    spans = zip(
        idx,
        touches["customer_id"].to_numpy()[idx],
        pd.to_datetime(touches["local_at"].to_numpy()[idx]).date,
        touches["ends_day"].to_numpy()[idx],
        touches["frequency"].to_numpy()[idx],
        strict=True,
    )
    for k, c, first, last, freq in spans:
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        if any(per_day[(c, d)] + int(freq) > cap_of[c] for d in days):
            bad[k] = True
            continue
        for d in days:
            per_day[(c, d)] += int(freq)
    return _drop(
        touches,
        bad,
        R.CAP_RETARGETING,
        log,
        "impressions a day over the retargeting cap with other waves",
    )


def _near(
    touches: pd.DataFrame,
    mask: np.ndarray,
    events: pd.DataFrame,
    days: int,
    *,
    after_only: bool = False,
) -> np.ndarray:
    """Touches under ``mask`` with an event of the same customer less than ``days`` days
    before or after their local time — or, ``after_only``, less than ``days`` days before
    it, the event at or before the touch (events: customer_id, local_at)."""
    out = np.zeros(len(touches), dtype=bool)
    if not mask.any() or events.empty or days <= 0:
        return out
    ev = events.groupby("customer_id")["local_at"].apply(lambda s: np.sort(s.to_numpy()))
    window = np.timedelta64(days, "D")
    idx = np.flatnonzero(mask)
    customers = touches["customer_id"].to_numpy()[idx]
    moments = pd.to_datetime(touches["local_at"].to_numpy()[idx]).to_numpy()
    for k, c, t in zip(idx, customers, moments, strict=True):
        if c not in ev.index:
            continue
        times = ev.loc[c]
        lo = np.searchsorted(times, t - window, side="right")
        if after_only:
            hi = np.searchsorted(times, t, side="right")
        else:
            hi = np.searchsorted(times, t + window, side="left")
        out[k] = hi > lo
    return out


def apply_guardrails(
    touches: pd.DataFrame,
    rules: Rules,
    *,
    blocked: pd.DataFrame | None = None,
    busy: pd.DataFrame | None = None,
    retargeting_busy: pd.DataFrame | None = None,
    purchases: pd.DataFrame | None = None,
    offers_seen: pd.DataFrame | None = None,
    liability: pd.Series | None = None,
    must_check: set | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the rules of this module; returns the kept touches and the decision log
    (:data:`LOG_COLUMNS`).

    ``blocked``: customer_id, channel, purpose, reason_code (consent/suppression);
    ``busy``: customer_id, local_day, channel (counted touches sent or planned elsewhere);
    ``retargeting_busy``: customer_id, local_day, frequency; ``purchases``: customer_id,
    local_at; ``offers_seen``: customer_id, local_at, kind (value|discount);
    ``liability``: customer_id → the possible cost of a coupon.
    """
    log: list[pd.DataFrame] = []
    t = touches.reset_index(drop=True)
    # 1. consent per channel and purpose
    if blocked is not None and len(blocked) and len(t):
        j = t[["customer_id", "channel", "purpose"]].merge(
            blocked, on=["customer_id", "channel", "purpose"], how="left"
        )
        mask = j["reason_code"].notna().to_numpy()
        t = _drop(
            t,
            mask,
            j.loc[mask, "reason_code"].to_numpy(),
            log,
            (j.loc[mask, "channel"] + " " + j.loc[mask, "purpose"]).to_numpy(),
        )
        t = t.reset_index(drop=True)
    # 2. within the wave: a cascade after the deadline (promo) or the wave's last day
    if len(t):
        day = pd.to_datetime(t["local_at"]).dt.date
        promo = t["is_promo"].to_numpy(dtype=bool)
        end = np.where(promo, rules.deadline_day, rules.last_day)
        late = (day.to_numpy() > end) & (t["parent"].to_numpy() > 0)
        t = _drop(
            t,
            late,
            R.PAST_DEADLINE,
            log,
            np.where(
                promo[late],
                f"after the deadline {rules.deadline_day}",
                f"after the wave's last day {rules.last_day}",
            ),
        ).reset_index(drop=True)
    # 3. frequency caps
    empty_busy = pd.DataFrame(columns=["customer_id", "local_day", "channel"])
    t = _caps(t, busy if busy is not None else empty_busy, rules, log, must_check or set())
    t = t.reset_index(drop=True)
    # 4. retargeting
    t = _retargeting(
        t,
        retargeting_busy
        if retargeting_busy is not None
        else pd.DataFrame(columns=["customer_id", "local_day", "frequency"]),
        rules,
        log,
    ).reset_index(drop=True)
    # 5. silence after a purchase
    if purchases is not None and len(purchases) and rules.silence_days > 0:
        promo = t["is_promo"].to_numpy(dtype=bool)
        after = _near(t, promo, purchases, rules.silence_days, after_only=True)
        t = _drop(
            t, after, R.SILENCE, log, f"a purchase less than {rules.silence_days} days before"
        ).reset_index(drop=True)
    # 6-7. offer and discount cooldowns
    if offers_seen is not None and len(offers_seen):
        has_offer = t["offer"].notna().to_numpy()
        near = _near(t, has_offer, offers_seen, rules.offer_cooldown_days)
        t = _drop(
            t, near, R.OFFER_COOLDOWN, log, f"another offer within {rules.offer_cooldown_days} days"
        ).reset_index(drop=True)
        disc = (t["offer_kind"] == "discount").to_numpy()
        near = _near(
            t, disc, offers_seen[offers_seen["kind"] == "discount"], rules.discount_cooldown_days
        )
        t = _drop(
            t,
            near,
            R.DISCOUNT_COOLDOWN,
            log,
            f"another discount within {rules.discount_cooldown_days} days",
        ).reset_index(drop=True)
    # 8. discount budget
    if rules.discount_budget is not None:
        disc = t["offer_kind"] == "discount"
        if disc.any():
            who = sorted(
                set(t.loc[disc, "customer_id"]),
                key=lambda c: (unit_hash(c, wave_id=rules.wave_id, seed=rules.seed), c),
            )
            cost = (
                liability.reindex(who).fillna(0).to_numpy()
                if liability is not None
                else np.zeros(len(who))
            )
            within = np.cumsum(cost) <= rules.discount_budget + 1e-9
            over = {c for c, ok in zip(who, within, strict=True) if not ok}
            mask = (disc & t["customer_id"].isin(over)).to_numpy()
            t = _drop(
                t,
                mask,
                R.DISCOUNT_BUDGET,
                log,
                f"the wave's discount budget of {rules.discount_budget:,.0f}",
            ).reset_index(drop=True)
    frames = [f for f in log if len(f)]
    decisions = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(LOG_COLUMNS))
    )
    return t, decisions
