"""Random worlds for the guardrail properties and an independent checker of the rules.

The checker restates SPEC F4.3 on plain Python values (lists of dicts, dates): it does
not reuse :mod:`livebase.playbooks.guardrails` or the planner, so a shared mistake
cannot hide. Two layers:

* the pure layer: a :class:`PureWorld` is the input of
  :func:`livebase.playbooks.guardrails.apply_guardrails`; :func:`pure_violations` lists
  every broken rule of its output;
* the store layer: :func:`store_violations` checks a planned wave read back from the
  store against the store's own rows (customers, consents, messages, orders).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pandas as pd
from hypothesis import strategies as st

from livebase.config import Caps
from livebase.playbooks import reasons as R
from livebase.playbooks.guardrails import TOUCH_COLUMNS, Rules

DAY = dt.timedelta(days=1)
START = dt.date(2025, 7, 1)
COUNTED_CHANNELS = ("email", "messenger", "sms", "push", "call")
CHANNELS = (*COUNTED_CHANNELS, "retargeting")
CONSENT_CODES = (R.NO_CONSENT, R.WITHDRAWN, R.UNSUBSCRIBED, R.COMPLAINED, R.HARD_BOUNCE)
ARM_OFFER = {
    "control": (None, None),
    "value": ("audit", "value"),
    "discount": ("coupon", "discount"),
}


# ---- the rules, restated ----------------------------------------------------------
def counted(touch: dict) -> bool:
    """A touch counts against the per-person caps: marketing, not retargeting."""
    return touch["purpose"] == "marketing" and touch["channel"] != "retargeting"


def cap_breaks(
    mine: list[tuple[dt.date, str]], other: list[tuple[dt.date, str]], caps: Caps
) -> list[str]:
    """Broken caps in the days of ``mine`` (kept touches: local day, channel), counting
    ``other`` (messages sent, other waves) too: per local day, in every 7 consecutive
    local days, and per channel in every 7 consecutive local days. Only windows with a
    touch of ``mine`` are judged (what was sent before is not this wave's doing)."""
    out = []
    both = mine + other
    per_day = Counter(d for d, _ in both)
    for d in sorted({d for d, _ in mine}):
        if per_day[d] > caps.per_day:
            out.append(f"{per_day[d]} touches on {d} (cap {caps.per_day})")
    for d0 in sorted({d - k * DAY for d, _ in mine for k in range(7)}):
        window = [(d, c) for d, c in both if d0 <= d <= d0 + 6 * DAY]
        if not any(d0 <= d <= d0 + 6 * DAY for d, _ in mine):
            continue
        if len(window) > caps.per_week:
            out.append(f"{len(window)} touches in the week from {d0} (cap {caps.per_week})")
        for channel, cap in caps.channel_per_week.items():
            if not any(c == channel and d0 <= d <= d0 + 6 * DAY for d, c in mine):
                continue
            n = sum(1 for _, c in window if c == channel)
            if n > cap:
                out.append(f"{n} {channel} touches in the week from {d0} (cap {cap})")
    return out


def retargeting_breaks(
    mine: list[tuple[dt.date, dt.date, int]], other: list[tuple[dt.date, int]], cap: int
) -> list[str]:
    """Days of the kept retargeting spans (first day, last day, impressions a day) with
    more impressions than ``cap``, counting ``other`` (local day, impressions)."""
    load: Counter = Counter()
    days = set()
    for first, last, f in mine:
        d = first
        while d <= last:
            load[d] += f
            days.add(d)
            d += DAY
    for d, f in other:
        load[d] += f
    return [f"{load[d]} impressions on {d} (cap {cap})" for d in sorted(days) if load[d] > cap]


def near(at: dt.datetime, events: list[dt.datetime], days: int) -> bool:
    """An event less than ``days`` days before or after ``at``."""
    return days > 0 and any(abs(at - e) < dt.timedelta(days=days) for e in events)


def just_after(at: dt.datetime, events: list[dt.datetime], days: int) -> bool:
    """An event at most ``at`` and less than ``days`` days before it."""
    return days > 0 and any(dt.timedelta(0) <= at - e < dt.timedelta(days=days) for e in events)


# ---- the pure layer ---------------------------------------------------------------
@dataclass(frozen=True)
class PureWorld:
    """One input of ``apply_guardrails`` as plain values: touches (dicts of
    ``TOUCH_COLUMNS``), busy (customer, local day, channel), other waves' retargeting
    (customer, local day, impressions), purchases and offers seen (customer, local time
    [, kind]), blocked (customer, channel, purpose) → reason, liabilities, must_check."""

    rules: Rules
    segment: dict[str, str | None]
    touches: list[dict]
    busy: list[tuple[str, dt.date, str]] = field(default_factory=list)
    rt_busy: list[tuple[str, dt.date, int]] = field(default_factory=list)
    purchases: list[tuple[str, dt.datetime]] = field(default_factory=list)
    offers: list[tuple[str, dt.datetime, str]] = field(default_factory=list)
    blocked: dict[tuple[str, str, str], str] = field(default_factory=dict)
    liability: dict[str, float] = field(default_factory=dict)
    must_check: frozenset = frozenset()

    def caps(self, customer: str) -> Caps:
        seg = self.segment.get(customer)
        return self.rules.segment_caps.get(seg or "", self.rules.caps)

    def touch_frame(self) -> pd.DataFrame:
        rows = [
            {
                **t,
                "local_at": pd.Timestamp(t["local_at"]),
                "frequency": float(t["frequency"]) if t["frequency"] else math.nan,
            }
            for t in self.touches
        ]
        return pd.DataFrame(rows, columns=list(TOUCH_COLUMNS))

    def kwargs(self) -> dict:
        """The keyword arguments of ``apply_guardrails`` (frames as the planner makes them)."""
        return {
            "blocked": pd.DataFrame(
                [
                    {"customer_id": c, "channel": ch, "purpose": p, "reason_code": code}
                    for (c, ch, p), code in self.blocked.items()
                ],
                columns=["customer_id", "channel", "purpose", "reason_code"],
            ),
            "busy": pd.DataFrame(self.busy, columns=["customer_id", "local_day", "channel"]),
            "retargeting_busy": pd.DataFrame(
                self.rt_busy, columns=["customer_id", "local_day", "frequency"]
            ),
            "purchases": pd.DataFrame(
                {
                    "customer_id": [c for c, _ in self.purchases],
                    "local_at": pd.to_datetime(pd.Series([t for _, t in self.purchases])),
                }
            ),
            "offers_seen": pd.DataFrame(
                {
                    "customer_id": [c for c, _, _ in self.offers],
                    "local_at": pd.to_datetime(pd.Series([t for _, t, _ in self.offers])),
                    "kind": [k for _, _, k in self.offers],
                }
            ),
            "liability": pd.Series(self.liability, dtype=float),
            "must_check": set(self.must_check),
        }


def _caps_strategy():
    return st.builds(
        lambda day, extra, channel, rt: Caps(
            per_day=day,
            per_week=max(day, 2 + extra),
            channel_per_week=channel,
            retargeting_per_day=rt,
        ),
        st.integers(1, 2),
        st.integers(0, 3),
        st.dictionaries(st.sampled_from(COUNTED_CHANNELS), st.integers(0, 2), max_size=2),
        st.integers(1, 3),
    )


@st.composite
def pure_worlds(draw, cascades: bool = True) -> PureWorld:
    days = draw(st.integers(7, 28), label="days")
    start = START + draw(st.integers(0, 6)) * DAY
    last_day = start + (days - 1) * DAY
    deadline_day = start + draw(st.integers(0, days - 1)) * DAY
    budget = draw(st.none() | st.floats(0, 2000, allow_nan=False), label="budget")
    offer_days = draw(st.sampled_from([0, 3, 10, 30]))
    rules = Rules(
        caps=draw(_caps_strategy()),
        last_day=last_day,
        deadline_day=deadline_day,
        silence_days=draw(st.integers(0, 20)),
        offer_cooldown_days=offer_days,
        discount_cooldown_days=offer_days + draw(st.sampled_from([0, 10, 30])),
        discount_budget=budget,
        wave_id=f"W-T-{start:%Y%m%d}",
        seed=draw(st.integers(1, 5)),
        segment_caps=draw(
            st.dictionaries(st.sampled_from(["a", "b"]), _caps_strategy(), max_size=2)
        ),
    )
    customers = [f"c{i}" for i in range(draw(st.integers(1, 4)))]
    segment = {c: draw(st.sampled_from(["a", "b", None])) for c in customers}
    touches: list[dict] = []
    for c in customers:
        arm = draw(st.sampled_from(["control", "value", "discount", "discount"]))
        offer, kind = ARM_OFFER[arm]
        for no in range(1, draw(st.integers(0, 8)) + 1):
            channel = draw(st.sampled_from(CHANNELS))
            purpose = draw(st.sampled_from(["marketing", "marketing", "marketing", "service"]))
            promo = purpose == "marketing" and draw(st.booleans())
            carries = promo and offer is not None and draw(st.booleans())
            last = deadline_day if promo else last_day
            day = start + draw(st.integers(0, (last - start).days)) * DAY
            at = dt.datetime.combine(
                day, dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30])))
            )
            rt = channel == "retargeting"
            touch = {
                "customer_id": c,
                "arm": arm,
                "touch_no": no,
                "channel": channel,
                "pattern": "support",
                "is_promo": promo,
                "offer": offer if carries else None,
                "offer_kind": kind if carries else None,
                "purpose": purpose,
                "condition": None
                if rt
                else draw(st.sampled_from([None, "interest", "no_interest"])),
                "local_at": at,
                "ends_day": day + draw(st.integers(0, (last_day - day).days)) * DAY if rt else None,
                "frequency": draw(st.integers(1, 3)) if rt else None,
                "parent": 0,
                "segment": segment[c],
            }
            touches.append(touch)
            if cascades and channel == "email" and draw(st.booleans()):
                # a cascade: 12–24 h after its e-mail on another channel, same content
                touches.append(
                    {
                        **touch,
                        "touch_no": 100 + no,
                        "channel": draw(st.sampled_from(["messenger", "sms", "push"])),
                        "condition": "email_unopened",
                        "local_at": at + dt.timedelta(hours=draw(st.integers(12, 24))),
                        "parent": no,
                    }
                )
    lo, hi = start - 70 * DAY, last_day + 70 * DAY

    def local_day(a: dt.date, b: dt.date):
        return st.integers(0, (b - a).days).map(lambda k: a + k * DAY)

    def moment(a: dt.date, b: dt.date):
        return st.tuples(local_day(a, b), st.integers(0, 23)).map(
            lambda x: dt.datetime.combine(x[0], dt.time(x[1]))
        )

    who = st.sampled_from(customers)
    busy = draw(
        st.lists(
            st.tuples(
                who,
                local_day(start - 8 * DAY, last_day + 8 * DAY),
                st.sampled_from(COUNTED_CHANNELS),
            ),
            max_size=8,
        )
    )
    rt_busy = draw(
        st.lists(st.tuples(who, local_day(start, last_day), st.integers(1, 2)), max_size=6)
    )
    purchases = draw(st.lists(st.tuples(who, moment(start - 25 * DAY, last_day)), max_size=4))
    offers = draw(
        st.lists(st.tuples(who, moment(lo, hi), st.sampled_from(["value", "discount"])), max_size=6)
    )
    blocked = draw(
        st.dictionaries(
            st.tuples(who, st.sampled_from(CHANNELS), st.sampled_from(["marketing", "service"])),
            st.sampled_from(CONSENT_CODES),
            max_size=4,
        )
    )
    liability = {
        c: draw(st.floats(0, 1500, allow_nan=False)) for c in customers if draw(st.booleans())
    }
    everyone = draw(st.booleans())
    must_check = frozenset(customers) if everyone else frozenset(draw(st.sets(who)))
    return PureWorld(
        rules=rules,
        segment=segment,
        touches=touches,
        busy=busy,
        rt_busy=rt_busy,
        purchases=purchases,
        offers=offers,
        blocked=blocked,
        liability=liability,
        must_check=must_check,
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    out = []
    for row in frame.to_dict("records"):
        row = {k: (None if _missing(v) else v) for k, v in row.items()}
        for key, value in row.items():
            if isinstance(value, pd.Timestamp):
                row[key] = value.to_pydatetime()
        out.append(row)
    return out


def _missing(value: object) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def pure_violations(world: PureWorld, kept: pd.DataFrame, log: pd.DataFrame) -> list[str]:
    """Every rule the output ``kept`` / ``log`` of ``apply_guardrails`` breaks."""
    rules = world.rules
    out: list[str] = []
    given = {(t["customer_id"], t["touch_no"]): t for t in world.touches}
    rows = _records(kept)
    logs = _records(log)
    got: dict[tuple[str, int], dict] = {}
    for r in rows:
        key = (r["customer_id"], int(r["touch_no"]))
        if key in got:
            out.append(f"{key} kept twice")
        if key not in given:
            out.append(f"{key} kept but not given")
            continue
        got[key] = r
    by_key = defaultdict(list)
    for entry in logs:
        by_key[(entry["customer_id"], int(entry["touch_no"]))].append(entry)
        if entry["action"] not in R.ACTIONS:
            out.append(f"log action {entry['action']!r}")
        if entry["reason_code"] not in R.CODES:
            out.append(f"log reason {entry['reason_code']!r}")
    # every touch is kept (never earlier, same content) or removed with a reason
    for key, t in given.items():
        r = got.get(key)
        entries = by_key.get(key, [])
        removed = [e for e in entries if e["action"] == R.REMOVED]
        if r is None:
            if not removed:
                out.append(f"{key} dropped without a 'removed' log row")
            continue
        if removed:
            out.append(f"{key} kept but logged as removed ({removed[0]['reason_code']})")
        for col in TOUCH_COLUMNS:
            if col == "local_at":
                continue
            want, have = t[col], r[col]
            if col == "frequency":
                want, have = (int(want) if want else None), (int(have) if have else None)
            if col == "touch_no" or col == "parent":
                have = int(have)
            if want != have:
                out.append(f"{key} {col} changed: {want!r} → {have!r}")
        if r["local_at"] < t["local_at"]:
            out.append(f"{key} moved earlier: {t['local_at']} → {r['local_at']}")
        if (r["local_at"] - t["local_at"]) % DAY:
            out.append(f"{key} moved to another time of day: {t['local_at']} → {r['local_at']}")
        if r["local_at"] != t["local_at"] and not any(
            e["action"] == R.MOVED and e["moved_local"] == r["local_at"] for e in entries
        ):
            out.append(f"{key} moved {t['local_at']} → {r['local_at']} without a 'moved' log row")
    kept_rows = list(got.values())
    # consent per channel and purpose
    for r in kept_rows:
        code = world.blocked.get((r["customer_id"], r["channel"], r["purpose"]))
        if code is not None:
            out.append(f"{r['customer_id']}/{r['touch_no']} kept on a blocked channel ({code})")
    # caps: every customer, whether or not the guardrails were told to check them
    for c in sorted({r["customer_id"] for r in kept_rows}):
        caps = world.caps(c)
        busy = [(d, ch) for cc, d, ch in world.busy if cc == c]
        mine = [
            (r["local_at"].date(), r["channel"])
            for r in kept_rows
            if r["customer_id"] == c and counted(r)
        ]
        out += [f"{c}: {msg}" for msg in cap_breaks(mine, busy, caps)]
        rt = [
            (r["local_at"].date(), r["ends_day"], int(r["frequency"]))
            for r in kept_rows
            if r["customer_id"] == c and r["channel"] == "retargeting"
        ]
        other = [(d, f) for cc, d, f in world.rt_busy if cc == c]
        out += [f"{c}: {msg}" for msg in retargeting_breaks(rt, other, caps.retargeting_per_day)]
    # silence, cooldowns, deadline, last day
    for r in kept_rows:
        c, at, name = r["customer_id"], r["local_at"], f"{r['customer_id']}/{r['touch_no']}"
        bought = [t for cc, t in world.purchases if cc == c]
        if r["is_promo"] and just_after(at, bought, rules.silence_days):
            out.append(f"{name} promo less than {rules.silence_days} days after a purchase")
        seen = [t for cc, t, _ in world.offers if cc == c]
        if r["offer"] is not None and near(at, seen, rules.offer_cooldown_days):
            out.append(f"{name} offer within {rules.offer_cooldown_days} days of another")
        disc = [t for cc, t, k in world.offers if cc == c and k == "discount"]
        if r["offer_kind"] == "discount" and near(at, disc, rules.discount_cooldown_days):
            out.append(f"{name} discount within {rules.discount_cooldown_days} days of another")
        if r["is_promo"] and at.date() > rules.deadline_day:
            out.append(f"{name} promo on {at.date()}, after the deadline {rules.deadline_day}")
        if at.date() > rules.last_day:
            out.append(f"{name} on {at.date()}, after the last day {rules.last_day}")
        if r["parent"]:
            parent = got.get((c, int(r["parent"])))
            if parent is None:
                out.append(f"{name} cascade kept without its e-mail")
            else:
                src = (
                    given[(c, int(r["touch_no"]))]["local_at"]
                    - given[(c, int(r["parent"]))]["local_at"]
                )
                if at - parent["local_at"] != src:
                    out.append(
                        f"{name} cascade {at - parent['local_at']} after its e-mail, not {src}"
                    )
    # discount budget
    if rules.discount_budget is not None:
        holders = {r["customer_id"] for r in kept_rows if r["offer_kind"] == "discount"}
        cost = sum(world.liability.get(c, 0.0) for c in holders)
        if cost > rules.discount_budget + 1e-6:
            out.append(f"coupons cost {cost} over the budget {rules.discount_budget}")
    return out


# ---- the store layer --------------------------------------------------------------
AS_OF = dt.date(2025, 6, 30)
ZONES = (None, "Europe/Moscow", "Asia/Vladivostok", "America/New_York", "Europe/London", "No/Zone")
SEGMENTS = ("champions", "loyal", "at_risk", "sleeping_warm", "promising", "need_attention")
PATTERNS = ("goal_result", "support", "course_updates", "short_format", "back_to_flow", "age_tips")
CONSENT_CHANNELS = ("email", "messenger", "sms", "call", "retargeting", "push")
PHONE_CHANNELS = ("messenger", "sms", "call")


@dataclass(frozen=True)
class School:
    """The rows of a small random school (one batch of customers)."""

    customers: list[dict]
    segments: list[dict]
    rfm: list[dict]
    consents: list[dict]
    messages: list[dict]
    orders: list[dict]
    activities: list[dict]

    def write(self, ws) -> None:
        from livebase.store.write import upsert

        for table in (
            "customers",
            "segments",
            "rfm",
            "consents",
            "messages",
            "orders",
            "activities",
        ):
            rows = getattr(self, table)
            if rows:
                upsert(ws.con, table, pd.DataFrame(rows))


@st.composite
def schools(draw, as_of: dt.date, first: int, count) -> School:
    """``count`` customers ``s{first}`` … with segments and RFM rows of ``as_of``, consents,
    messages around the wave start, paid and pending orders, a few hot-lead invoices."""
    from decimal import Decimal

    n = draw(count, label="customers")
    end = dt.datetime.combine(as_of + DAY, dt.time())
    customers, segments, rfm, consents, messages, orders, acts = [], [], [], [], [], [], []

    def moment(lo_days: float, hi_days: float):
        lo = end + dt.timedelta(days=lo_days)
        span = int((hi_days - lo_days) * 24 * 4)
        return st.integers(0, span).map(lambda k: lo + dt.timedelta(minutes=15 * k))

    for i in range(first, first + n):
        cid = f"s{i:03d}"
        customers.append(
            {
                "customer_id": cid,
                "email": None if draw(st.integers(0, 9)) == 0 else f"{cid}@mail.test",
                "phone": None if draw(st.integers(0, 4)) == 0 else f"+7916{i:07d}",
                "timezone": draw(st.sampled_from(ZONES)),
                "first_channel": draw(st.sampled_from(["vk", "ads", None])),
                "child_birth_date": draw(st.sampled_from([None, dt.date(2015, 5, 1)])),
            }
        )
        segment = draw(st.sampled_from(SEGMENTS))
        segments.append(
            {
                "as_of": as_of,
                "version": "monetary",
                "customer_id": cid,
                "segment": segment,
                "rule": segment,
                "sleep_tier": "R90" if draw(st.integers(0, 7)) else "R180",
                "is_top": draw(st.booleans()),
            }
        )
        freq = draw(st.integers(1, 5))
        rfm.append(
            {
                "as_of": as_of,
                "version": "monetary",
                "customer_id": cid,
                "recency_days": 100,
                "frequency": freq,
                "monetary": Decimal(draw(st.integers(1, 40)) * 500),
                "r": draw(st.integers(1, 5)),
                "f": min(freq, 5),
                "m": draw(st.integers(1, 5)),
            }
        )
        # consents: a log per channel and purpose, some after the as-of day (not yet)
        for _ in range(draw(st.integers(0, 6))):
            consents.append(
                {
                    "customer_id": cid,
                    "channel": draw(st.sampled_from(CONSENT_CHANNELS)),
                    "purpose": draw(
                        st.sampled_from(["marketing", "marketing", "personalisation", "service"])
                    ),
                    "granted": draw(st.integers(0, 3)) > 0,
                    "ts": draw(moment(-400, 2)),
                    "given_by": draw(st.sampled_from([None, "self", "parent"])),
                }
            )
        if draw(st.integers(0, 3)):  # most have e-mail marketing consent
            consents.append(
                {
                    "customer_id": cid,
                    "channel": "email",
                    "purpose": "marketing",
                    "granted": True,
                    "ts": dt.datetime(2024, 1, 1),
                }
            )
        # messages: sends (with offers), suppressions, clicks
        for k in range(draw(st.integers(0, 5))):
            event = draw(
                st.sampled_from(
                    [
                        "sent",
                        "sent",
                        "sent",
                        "clicked",
                        "opened",
                        "unsubscribed",
                        "complained",
                        "bounced_hard",
                    ]
                )
            )
            messages.append(
                {
                    "event_id": f"{cid}-m{k}",
                    "customer_id": cid,
                    "ts": draw(moment(-70, 3) if event == "sent" else moment(-20, 2)),
                    "channel": draw(st.sampled_from([*CONSENT_CHANNELS, "service"])),
                    "event": event,
                    "wave_id": draw(st.sampled_from([None, "W-OLD-20250501"])),
                    "is_promo": draw(st.booleans()),
                    "offer_type": draw(
                        st.sampled_from([None, "", "none", "value", "discount", "bonus"])
                    ),
                }
            )
        # orders: paid ones (silence, active buyers) and pending ones (open deals)
        for k in range(draw(st.integers(0, 2))):
            paid = draw(st.booleans())
            at = draw(moment(-45, 0).filter(lambda t: t < end))
            orders.append(
                {
                    "order_id": f"{cid}-o{k}",
                    "customer_id": cid,
                    "created_at": at,
                    "paid_at": at if paid else None,
                    "amount": Decimal(1000 + k),
                    "refunded_amount": Decimal(0),
                    "currency": "RUB",
                    "status": "paid" if paid else "pending",
                    "category": "course",
                    "product_id": f"p-{cid}-{k}",
                }
            )
        if draw(st.integers(0, 9)) == 0:
            acts.append(
                {
                    "event_id": f"{cid}-a0",
                    "customer_id": cid,
                    "ts": draw(moment(-5, 0).filter(lambda t: t < end)),
                    "kind": "invoice_pending",
                }
            )
    return School(customers, segments, rfm, consents, messages, orders, acts)


@st.composite
def playbooks(draw, code: str = "PT", cascades: bool = True):
    """A reactivation playbook like ``reactivation_r90`` with random caps and a random
    day plan that passes ``Playbook.problems()`` (the plan is built to fit the caps, then
    the promo touches are trimmed to at most half the value touches)."""
    from livebase.playbooks.spec import Playbook, cap_violation, find_playbook

    base = find_playbook("reactivation_r90").model_dump(mode="python", exclude_none=True)
    days = draw(st.integers(7, 21), label="wave days")
    deadline = draw(st.integers(days // 2, days - 1))
    messenger = draw(st.integers(1, 2))
    caps = Caps(
        per_day=draw(st.integers(1, 2)),
        per_week=draw(st.integers(2, 5)),
        channel_per_week={"messenger": messenger, **draw(st.sampled_from([{}, {"email": 2}]))},
        retargeting_per_day=draw(st.integers(1, 3)),
    )
    if caps.per_week < caps.per_day:
        caps = caps.model_copy(update={"per_week": caps.per_day})
    touches: list[dict] = []
    slots: list[tuple[int, str, int]] = []
    for day in range(days):
        for _ in range(draw(st.integers(0, 2))):
            channel = draw(st.sampled_from(["email", "email", "messenger", "sms", "push", "call"]))
            touch: dict = {
                "day": day,
                "channel": channel,
                "pattern": draw(st.sampled_from(PATTERNS)),
            }
            if draw(st.integers(0, 7)) == 0:
                touch["purpose"] = "service"
            elif day <= deadline and draw(st.integers(0, 2)) == 0:
                touch["promo"] = True
                if draw(st.booleans()):
                    touch["offer"] = "arm"
            if channel == "call":
                touch["when"] = "interest"
            if cascades and channel == "email" and draw(st.integers(0, 3)) == 0:
                touch["cascade"] = {
                    "channels": draw(
                        st.lists(
                            st.sampled_from(["messenger", "sms", "push"]),
                            min_size=1,
                            max_size=2,
                            unique=True,
                        )
                    ),
                    "after_hours": draw(st.integers(12, 24)),
                }
            new = []
            if touch.get("purpose") != "service":
                no = len(touches) + 1
                new = [(day, channel, no)]
                if "cascade" in touch:
                    new.append((day + 1, touch["cascade"]["channels"][0], no))
            if cap_violation(slots + new, caps) is None:
                slots += new
                touches.append(touch)
    marketing = [t for t in touches if t.get("purpose") != "service"]
    promo = [t for t in marketing if t.get("promo")]
    while promo and len(marketing) - len(promo) < 2 * len(promo):
        t = promo.pop()
        t.pop("promo")
        t.pop("offer", None)
    if draw(st.booleans()):
        until = draw(st.integers(0, days - 1))
        touches.append(
            {
                "day": draw(st.integers(0, until)),
                "channel": "retargeting",
                "pattern": "short_format",
                "until_day": until,
                "per_day": draw(st.integers(1, caps.retargeting_per_day)),
            }
        )
    if not touches:
        touches.append({"day": 0, "channel": "email", "pattern": "support"})
    spec = {
        **base,
        "id": f"prop_{code.lower()}",
        "code": code,
        "days": days,
        "deadline": {"day": deadline, "hour": draw(st.sampled_from([21, 23])), "minute": 0},
        "caps": caps.model_dump(),
        "discount_budget": draw(st.sampled_from([1500000.0, 3000.0, 800.0])),
        "audience": {"sleep_tier": "R90", "exclude_active_buyers": draw(st.booleans())},
        "touches": touches,
    }
    return Playbook.model_validate(spec)


def _table(ws, name: str) -> list[dict]:
    return _records(ws.table(name).to_pandas())


def _local(utc: dt.datetime, zone: str) -> dt.datetime:
    return utc.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def _known_zone(zone: object) -> bool:
    if not isinstance(zone, str) or not zone:
        return False
    try:
        ZoneInfo(zone)
    except (KeyError, ValueError):
        return False
    return True


class StoreFacts:
    """The store's rows as of the end of ``as_of``, restated as plain lookups."""

    def __init__(self, ws, as_of: dt.date) -> None:
        self.end = dt.datetime.combine(as_of + DAY, dt.time())
        customers = _table(ws, "customers")
        self.customer = {c["customer_id"]: c for c in customers}
        self.zone = {
            c["customer_id"]: c["timezone"] if _known_zone(c["timezone"]) else ws.config.timezone
            for c in customers
        }
        self.consents = _table(ws, "consents")
        self.messages = _table(ws, "messages")
        self.orders = _table(ws, "orders")
        self.activities = _table(ws, "activities")
        self.waves = {w["wave_id"]: w for w in _table(ws, "waves")}
        self.touches = _table(ws, "touches")
        self.exclusions = _table(ws, "exclusions")
        self.assignments = _table(ws, "assignments")
        self.segments = [s for s in _table(ws, "segments") if s["as_of"].date() == as_of]
        self.rfm = {r["customer_id"]: r for r in _table(ws, "rfm") if r["as_of"].date() == as_of}

    def local(self, customer: str, utc: dt.datetime) -> dt.datetime:
        return _local(utc, self.zone[customer])

    def consent(self, customer: str, channel: str, purpose: str) -> bool | None:
        """The newest record before the end of the as-of day (a withdrawal wins a tie)."""
        recs = [
            r
            for r in self.consents
            if (r["customer_id"], r["channel"], r["purpose"]) == (customer, channel, purpose)
            and r["ts"] < self.end
        ]
        if not recs:
            return None
        newest = max(r["ts"] for r in recs)
        return all(r["granted"] for r in recs if r["ts"] == newest)

    def suppressed(self, customer: str, channel: str, events: tuple[str, ...]) -> bool:
        return any(
            m["customer_id"] == customer
            and m["channel"] == channel
            and m["event"] in events
            and m["ts"] < self.end
            for m in self.messages
        )

    def contactable(self, customer: str, channel: str, purpose: str, *, address=True) -> bool:
        """Consent and no suppression on the channel for the purpose (and, with
        ``address``, the e-mail address or phone number the channel needs)."""
        c = self.customer.get(customer, {}) if address else {"email": "@", "phone": "+"}
        if channel == "email" and not c.get("email"):
            return False
        if channel in PHONE_CHANNELS and not c.get("phone"):
            return False
        if channel == "retargeting" and not (c.get("email") or c.get("phone")):
            return False
        if purpose == "service":
            return (
                not self.suppressed(customer, channel, ("complained", "bounced_hard"))
                and self.consent(customer, channel, "service") is not False
            )
        return (
            not self.suppressed(customer, channel, ("unsubscribed", "complained", "bounced_hard"))
            and self.consent(customer, channel, "marketing") is True
        )

    def paid(self, customer: str) -> list[dt.datetime]:
        """Local times of the counted purchases (paid course orders) before the end."""
        return [
            self.local(customer, o["paid_at"])
            for o in self.orders
            if o["customer_id"] == customer and o["status"] == "paid" and o["paid_at"] < self.end
        ]


def store_violations(ws, playbook, wave_id: str, as_of: dt.date, *, first_run: bool) -> list[str]:
    """Every rule the stored wave ``wave_id`` breaks, judged from the store's own rows."""
    facts = StoreFacts(ws, as_of)
    g = ws.config.guardrails
    out: list[str] = []
    start = as_of + DAY
    last_day = start + (playbook.days - 1) * DAY
    deadline = playbook.deadline
    deadline_day = start + (deadline.day if deadline else playbook.days - 1) * DAY
    deadline_at = dt.datetime.combine(
        deadline_day, dt.time(deadline.hour, deadline.minute) if deadline else dt.time(23, 59)
    )
    caps = playbook.effective_caps(g.caps)
    mine = [t for t in facts.touches if t["wave_id"] == wave_id]
    live = {w for w, row in facts.waves.items() if row["status"] != "throttled" and w != wave_id}
    others = [t for t in facts.touches if t["wave_id"] in live]
    arm_of = {a["customer_id"]: a["arm"] for a in facts.assignments if a["wave_id"] == wave_id}
    excl = [e for e in facts.exclusions if e["wave_id"] == wave_id]
    left_out = {e["customer_id"]: e["reason_code"] for e in excl if e["touch_no"] == 0}

    # who: the audience is assigned or left out, for a reason that holds
    audience = {s["customer_id"] for s in facts.segments if s["sleep_tier"] == "R90"}
    on_primary = [t for t in playbook.touches if t.channel == playbook.primary_channel]
    purpose = (
        "service" if on_primary and all(t.purpose == "service" for t in on_primary) else "marketing"
    )
    has_promo = any(t.promo for t in playbook.touches)

    def active_buyer(c: str) -> bool:
        since = facts.end - dt.timedelta(days=g.active_buyer_days)
        return playbook.audience.exclude_active_buyers and any(
            o["customer_id"] == c and o["status"] == "paid" and since <= o["paid_at"] < facts.end
            for o in facts.orders
        )

    def open_deal(c: str) -> bool:
        return has_promo and any(
            o["customer_id"] == c
            and o["status"] == "pending"
            and facts.end - dt.timedelta(days=g.open_deal_days) <= o["created_at"] < facts.end
            for o in facts.orders
        )

    def hot_lead(c: str) -> bool:
        since = facts.end - dt.timedelta(days=g.hot_lead_days)
        return has_promo and (
            any(
                a["customer_id"] == c
                and a["kind"] == "invoice_pending"
                and since <= a["ts"] < facts.end
                for a in facts.activities
            )
            or any(
                m["customer_id"] == c
                and m["event"] == "clicked"
                and m["is_promo"]
                and since <= m["ts"] < facts.end
                for m in facts.messages
            )
        )

    for c in sorted(audience):
        if c in arm_of and c in left_out:
            out.append(f"{c} both assigned and left out ({left_out[c]})")
        if c not in arm_of and c not in left_out:
            out.append(f"{c} in the audience but neither assigned nor left out")
    for c in sorted(set(arm_of) | set(left_out)):
        if c not in audience:
            out.append(f"{c} is not in the audience")
    for c, code in sorted(left_out.items()):
        holds = {
            R.ACTIVE_BUYER: active_buyer(c),
            R.OPEN_DEAL: open_deal(c),
            R.HOT_LEAD: hot_lead(c),
            # the address is missing, consent is no reason
            R.NO_CONTACT: facts.contactable(c, playbook.primary_channel, purpose, address=False)
            and not facts.contactable(c, playbook.primary_channel, purpose),
        }.get(code, not facts.contactable(c, playbook.primary_channel, purpose, address=False))
        if not holds:
            out.append(f"{c} left out as {code}, which does not hold")
    if first_run:
        for c in sorted(arm_of):
            if not facts.contactable(c, playbook.primary_channel, purpose):
                out.append(f"{c} assigned without {playbook.primary_channel} {purpose} contact")
            for name, hit in (
                ("active buyer", active_buyer),
                ("open deal", open_deal),
                ("hot lead", hot_lead),
            ):
                if hit(c):
                    out.append(f"{c} assigned though an {name}")

    # the touches, one by one
    kept: dict[tuple[str, int], dict] = {}
    for t in mine:
        c, no = t["customer_id"], int(t["touch_no"])
        name = f"{c}/{no}"
        kept[(c, no)] = t
        if c in left_out:
            out.append(f"{name}: a touch for a customer left out")
        if arm_of.get(c) in (None, "holdout") or arm_of.get(c) != t["arm"]:
            out.append(f"{name}: arm {t['arm']!r}, assigned {arm_of.get(c)!r}")
        at = facts.local(c, t["planned_at"])
        t["local"] = at
        if not start <= at.date() <= last_day:
            out.append(f"{name}: local {at} outside the wave {start}..{last_day}")
        if t["is_promo"] and at.date() > deadline_day:
            out.append(f"{name}: promo on {at.date()}, after the deadline day {deadline_day}")
        if facts.local(c, t["deadline"]) != deadline_at:
            out.append(f"{name}: deadline {facts.local(c, t['deadline'])}, not {deadline_at}")
        if not facts.contactable(c, t["channel"], t["purpose"]):
            out.append(f"{name}: {t['channel']} {t['purpose']} without consent or contact")
        if t["is_promo"] and just_after(at, facts.paid(c), g.silence_days):
            out.append(f"{name}: promo less than {g.silence_days} days after a purchase")
        offers, discounts = [], []
        for m in facts.messages:
            if (
                m["customer_id"] == c
                and m["event"] == "sent"
                and m["offer_type"] not in (None, "", "none")
                and m["wave_id"] != wave_id
            ):
                offers.append(facts.local(c, m["ts"]))
                if m["offer_type"] == "discount":
                    discounts.append(facts.local(c, m["ts"]))
        for o in others:
            if o["customer_id"] == c and o["offer"] is not None:
                offers.append(facts.local(c, o["planned_at"]))
                if o["offer_kind"] == "discount":
                    discounts.append(facts.local(c, o["planned_at"]))
        if t["offer"] is not None and near(at, offers, g.offer_cooldown_days):
            out.append(f"{name}: offer within {g.offer_cooldown_days} days of another")
        if t["offer_kind"] == "discount" and near(at, discounts, g.discount_cooldown_days):
            out.append(f"{name}: discount within {g.discount_cooldown_days} days of another")
        if no > 100:
            parent = next(
                (p for p in mine if p["customer_id"] == c and p["touch_no"] == no - 100), None
            )
            if parent is None or t["condition"] != "email_unopened":
                out.append(f"{name}: a cascade without its e-mail")
            else:
                spec = dict(playbook.arm_touches(t["arm"]))[no - 100].cascade
                gap = at - facts.local(c, parent["planned_at"])
                if spec is None or gap != dt.timedelta(hours=spec.after_hours):
                    out.append(f"{name}: a cascade {gap} after its e-mail")
                elif t["channel"] not in spec.channels:
                    out.append(f"{name}: a cascade on {t['channel']}, not in {spec.channels}")
                else:
                    skipped = spec.channels[: spec.channels.index(t["channel"])]
                    if any(facts.contactable(c, ch, t["purpose"]) for ch in skipped):
                        out.append(
                            f"{name}: a cascade on {t['channel']}, not the first of {spec.channels}"
                        )
    # caps and retargeting, per customer, with what was sent and what other waves plan
    for c in sorted({t["customer_id"] for t in mine}):
        days = [
            (t["local"].date(), t["channel"]) for t in mine if t["customer_id"] == c and counted(t)
        ]
        busy = [
            (facts.local(c, m["ts"]).date(), m["channel"])
            for m in facts.messages
            if m["customer_id"] == c
            and m["event"] == "sent"
            and m["channel"] not in ("retargeting", "service")
        ] + [
            (facts.local(c, o["planned_at"]).date(), o["channel"])
            for o in others
            if o["customer_id"] == c and counted(o)
        ]
        out += [f"{c}: {msg}" for msg in cap_breaks(days, busy, caps)]
        spans = [
            (t["local"].date(), facts.local(c, t["ends_at"]).date(), int(t["frequency"]))
            for t in mine
            if t["customer_id"] == c and t["channel"] == "retargeting"
        ]
        other_rt = []
        for o in others:
            if o["customer_id"] == c and o["channel"] == "retargeting":
                d, stop = (
                    facts.local(c, o["planned_at"]).date(),
                    facts.local(c, o["ends_at"]).date(),
                )
                while d <= stop:
                    other_rt.append((d, int(o["frequency"])))
                    d += DAY
        out += [
            f"{c}: {msg}" for msg in retargeting_breaks(spans, other_rt, caps.retargeting_per_day)
        ]
    # the discount budget: percent × average order of every coupon holder
    if playbook.discount_budget is not None:
        cost = 0.0
        for c in sorted({t["customer_id"] for t in mine if t["offer_kind"] == "discount"}):
            offer = playbook.offer_of(arm_of[c])
            r = facts.rfm[c]
            cost += (offer.percent / 100) * float(r["monetary"]) / r["frequency"]
        if cost > playbook.discount_budget + 1e-6:
            out.append(f"coupons may cost {cost:.2f}, over the budget {playbook.discount_budget}")
    # every template touch of every member is planned or removed with a reason
    removed = {(e["customer_id"], int(e["touch_no"])) for e in excl if e["action"] == R.REMOVED}
    for e in excl:
        if e["reason_code"] not in R.CODES or e["action"] not in R.ACTIONS:
            out.append(
                f"exclusion {e['customer_id']}/{e['touch_no']}: {e['reason_code']} {e['action']}"
            )
    for c, arm in sorted(arm_of.items()):
        if arm == "holdout":
            if any(t["customer_id"] == c for t in mine):
                out.append(f"{c}: a holdout customer has touches")
            continue
        expected = set()
        for no, t in playbook.arm_touches(arm):
            expected.add(no)
            if t.cascade is not None:
                expected.add(100 + no)
        for no in sorted(expected):
            if (c, no) not in kept and (c, no) not in removed:
                out.append(f"{c}/{no}: neither planned nor removed")
            if (c, no) in kept and (c, no) in removed:
                out.append(f"{c}/{no}: planned and removed")
        extra = {no for cc, no in kept if cc == c} - expected
        if extra:
            out.append(f"{c}: touches {sorted(extra)} not in the playbook")
    return out
