"""The non-email touches of a played-out wave as ESP-style events, and assisting clicks.

The rules, one sentence each:

* Only contacted members' touches on channels other than e-mail make events here (the
  wave's e-mails are simulated as before); a touch of a customer outside the wave or in
  the holdout is an input error.
* Campaign names are ``lb:<wave_id>:<arm>:<touch_no>`` with the member's arm.
* Messenger and push: ``sent`` within 10 minutes of ``planned_at``, ``delivered`` 97 %,
  ``open`` 60 %, ``click`` 8 % of sent (no seed gives push rates: messenger's are used).
* SMS (and the ``service`` channel): ``sent``, ``delivered`` 98 %, ``click`` 3 % of sent.
* Call: ``sent`` within an hour of ``planned_at`` and ``delivered`` (an answered call),
  never a click.
* Retargeting: ``frequency`` (1 if missing) ``impression`` rows on each UTC day of the
  span ``planned_at`` … ``ends_at`` (to the end of the first day if ``ends_at`` is
  missing), at random moments inside the span, and a ``click`` after the day's first
  impression on 1 % of the days.
* Conditions see exactly the member's events before the touch's ``planned_at``
  (unconditional touches are simulated first, then each member's conditional touches
  in time order): ``interest`` holds if the member clicked anything of the wave
  before, ``no_interest`` if not, ``email_unopened`` (a cascade, ``touch_no`` = 100 +
  its e-mail's) if no e-mail of the wave was opened or clicked between the parent
  touch's ``planned_at`` (the wave's start if the parent is not given) and this one's;
  ``registered`` never holds (the simulator knows no webinar registrations), so such
  touches are not sent.
* A contacted converter's only non-email clicks before the order are the planted
  assists, so the e-mail click 2–60 minutes before the order stays the last click.
* Assist: for messenger and for retargeting independently, a contacted converter who was
  sent a touch of the channel that could be clicked between 14 days and 2 hours before
  the order clicks one such touch with probability ``assist_click``, at a uniform
  moment between the touch (its delivery; for retargeting the start of the span inside
  the 14 days) and 2 hours before the order; the retargeting click follows an
  impression of the same day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from livebase.errors import InputError
from livebase.simulate.clock import DAY, HOUR, MINUTE
from livebase.simulate.esp import CLICK as EMAIL_CLICK
from livebase.simulate.esp import OPEN as EMAIL_OPEN
from livebase.simulate.truth import ARMS

EVENTS = ("sent", "delivered", "open", "click", "impression")  # as in esp_events.csv
SENT, DELIVERED, OPEN, CLICK, IMPRESSION = range(5)
CHANNELS = ("email", "messenger", "sms", "push", "retargeting", "call", "service")
CONDITIONS = ("interest", "no_interest", "email_unopened", "registered")
CASCADE_OFFSET = 100
ASSIST_CHANNELS = ("messenger", "retargeting")
ASSIST_WINDOW = 14 * DAY  # the attribution window (AttributionSettings.window_days)
ASSIST_GAP = 2 * HOUR  # an assisting click comes at least this long before the order
RETARGETING_CLICK = 0.01  # share of a retargeting touch's days with a click
MAX_SPAN = 366 * DAY  # a longer retargeting span is an input error
_NEVER = np.iinfo(np.int64).max


@dataclass(frozen=True)
class ChannelRates:
    """Shares of sent messages (``opened`` 0: the channel has no open event)."""

    delivered: float
    opened: float
    clicked: float


CHANNEL_RATES = {
    "messenger": ChannelRates(0.97, 0.60, 0.08),
    "push": ChannelRates(0.97, 0.60, 0.08),
    "sms": ChannelRates(0.98, 0.0, 0.03),
    "service": ChannelRates(0.98, 0.0, 0.03),
    "call": ChannelRates(1.0, 0.0, 0.0),
}


@dataclass(frozen=True)
class TouchEvents:
    """``events``: one row per event with ``member`` (index into the wave's members),
    ``channel`` (index into :data:`CHANNELS`), ``touch_no``, ``event`` (index into
    :data:`EVENTS`) and ``ts`` (UTC seconds), sorted by time; ``planted``: what was sent
    and the assists, JSON-ready."""

    events: pd.DataFrame
    planted: dict


def _seconds(values: pd.Series, name: str, required: bool) -> np.ndarray:
    """Naive UTC timestamps as epoch seconds (-1 where missing)."""
    try:
        at = pd.to_datetime(values)
    except (ValueError, TypeError) as exc:
        raise InputError(f"touches: {name} must be timestamps ({exc})") from exc
    if getattr(at.dt, "tz", None) is not None:
        at = at.dt.tz_convert("UTC").dt.tz_localize(None)
    missing = at.isna().to_numpy()
    if required and missing.any():
        raise InputError(f"touches: {name} is missing on {int(missing.sum())} row(s)")
    out = np.full(len(at), -1, dtype=np.int64)
    out[~missing] = at[~missing].to_numpy().astype("datetime64[s]").astype(np.int64)
    return out


def _table(touches: pd.DataFrame, wave_id: str, user: np.ndarray, arm: np.ndarray):
    """Validated touches: member, touch_no, channel, planned, ends, frequency, condition."""
    if not isinstance(touches, pd.DataFrame):
        raise InputError("touches must be a DataFrame")
    missing = [c for c in ("customer_id", "touch_no", "planned_at", "channel") if c not in touches]
    if missing:
        raise InputError(f"touches lack column(s): {', '.join(missing)}")
    if "wave_id" in touches:
        other = sorted(set(touches["wave_id"].astype("str")) - {wave_id})
        if other:
            raise InputError(f"touches of another wave: {other[:3]} (this is {wave_id})")
    ids = touches["customer_id"].astype("str")
    parsed = ids.str.fullmatch(r"gc:\d+")
    if not parsed.all():
        raise InputError(
            f"touches: customer_id must look like gc:<user id>, got {ids[~parsed].head(3).tolist()}"
        )
    uid = ids.str.slice(3).astype(np.int64).to_numpy()
    pos = np.minimum(np.searchsorted(user, uid), max(len(user) - 1, 0))
    found = (user[pos] == uid) if len(user) else np.zeros(len(uid), dtype=bool)
    if not found.all():
        raise InputError(f"touches of customers not in the wave: {ids[~found].head(3).tolist()}")
    holdout = arm[pos] == ARMS.index("holdout")
    if holdout.any():
        raise InputError(f"touches of holdout members: {ids[holdout].head(3).tolist()}")
    channel = touches["channel"].astype("str").str.strip().str.casefold()
    unknown = sorted(set(channel) - set(CHANNELS))
    if unknown:
        raise InputError(f"touches: unknown channel(s) {unknown}; expected {', '.join(CHANNELS)}")
    condition = (
        (
            touches["condition"].astype("object").where(touches["condition"].notna(), "")
            if "condition" in touches
            else pd.Series([""] * len(touches), index=touches.index)
        )
        .astype("str")
        .str.strip()
    )
    unknown = sorted(set(condition) - {"", *CONDITIONS})
    if unknown:
        raise InputError(f"touches: unknown condition(s) {unknown}")
    frequency = (
        pd.to_numeric(touches["frequency"], errors="coerce").fillna(1).to_numpy()
        if "frequency" in touches
        else np.ones(len(touches))
    )
    table = pd.DataFrame(
        {
            "member": pos.astype(np.int64),
            "touch_no": pd.to_numeric(touches["touch_no"]).to_numpy().astype(np.int64),
            "channel": np.array([CHANNELS.index(c) for c in channel], dtype=np.int64),
            "planned": _seconds(touches["planned_at"], "planned_at", True),
            "ends": _seconds(touches["ends_at"], "ends_at", False)
            if "ends_at" in touches
            else np.full(len(touches), -1, dtype=np.int64),
            "frequency": np.maximum(frequency.astype(np.int64), 1),
            "condition": condition.to_numpy(),
        }
    )
    ends, planned = table["ends"].to_numpy(), table["planned"].to_numpy()
    if ((ends - planned > MAX_SPAN) & (ends >= 0)).any():
        raise InputError(
            f"touches: a span from planned_at to ends_at exceeds {MAX_SPAN // DAY} days"
        )
    if table.duplicated(["member", "touch_no"]).any():
        raise InputError("touches: a customer has the same touch_no twice")
    # the rows' order must not matter
    return table.sort_values(["member", "touch_no"], kind="stable", ignore_index=True)


def _keys(member: np.ndarray, ts: np.ndarray) -> np.ndarray:
    return (member.astype(np.int64) << 32) | np.maximum(ts, 0).astype(np.int64)


class _Assists:
    """Who wants an assisting click per channel, who was eligible and who got one."""

    def __init__(self, rng, buyer: np.ndarray, order_at: np.ndarray, rate: float) -> None:
        n = len(buyer)
        self.rng, self.buyer, self.order_at = rng, buyer, order_at
        self.wants = {ch: (rng.random(n) < rate) & buyer for ch in ASSIST_CHANNELS}
        self.eligible = {ch: np.zeros(n, dtype=bool) for ch in ASSIST_CHANNELS}
        self.done = {ch: np.zeros(n, dtype=bool) for ch in ASSIST_CHANNELS}

    def window(self, member: np.ndarray, lo: np.ndarray, hi: np.ndarray):
        """The part of [lo, hi) inside [order - 14 days, order - 2 h) of a converter."""
        order = self.order_at[member]
        a = np.maximum(lo, order - ASSIST_WINDOW)
        b = np.minimum(hi, order - ASSIST_GAP)
        ok = self.buyer[member] & (b - a >= MINUTE)
        return ok, a, b

    def pick(self, channel: str, member: np.ndarray, ok: np.ndarray) -> np.ndarray:
        """Rows that get the channel's assist: one eligible touch (at random among those
        of this batch) of each converter who wants one and has none yet."""
        self.eligible[channel][member[ok]] = True
        rows = np.flatnonzero(ok & self.wants[channel][member] & ~self.done[channel][member])
        rows = self.rng.permutation(rows)
        rows = rows[np.unique(member[rows], return_index=True)[1]]
        self.done[channel][member[rows]] = True
        take = np.zeros(len(member), dtype=bool)
        take[rows] = True
        return take


def _messages(rng, rows: pd.DataFrame, rates: ChannelRates, assists: _Assists | None):
    """Sent / delivered / open / click of one batch of a messaging channel."""
    m = len(rows)
    member = rows["member"].to_numpy()
    call = rates.clicked == 0 and rates.opened == 0
    t_sent = rows["planned"].to_numpy() + rng.integers(0, HOUR if call else 10 * MINUTE, m)
    delivered = rng.random(m) < rates.delivered
    t_del = t_sent + rng.integers(2, 60 if call else 90, m)
    wait = np.minimum(rng.lognormal(np.log(30 * MINUTE), 1.2, m), 2 * DAY).astype(np.int64)
    if rates.opened > 0:
        opened = delivered & (rng.random(m) < rates.opened / rates.delivered)
        t_open = t_del + wait
        clicked = opened & (rng.random(m) < rates.clicked / rates.opened)
        t_click = t_open + rng.integers(5, 10 * MINUTE, m)
    else:
        opened = np.zeros(m, dtype=bool)
        t_open = t_del
        clicked = delivered & (rng.random(m) < rates.clicked / rates.delivered)
        t_click = t_del + wait
    forced = np.zeros(m, dtype=bool)
    u_click, u_open = rng.random(m), rng.random(m)
    if assists is not None:
        ok, lo, hi = assists.window(member, t_del + MINUTE, np.full(m, _NEVER))
        forced = assists.pick("messenger", member, ok)
        at = lo + (u_click * (hi - lo)).astype(np.int64)
        t_click = np.where(forced, at, t_click)
        t_open = np.where(forced, t_del + (u_open * (at - t_del)).astype(np.int64), t_open)
        delivered |= forced
        opened |= forced & (rates.opened > 0)
    return (
        member,
        [
            (SENT, np.ones(m, dtype=bool), t_sent),
            (DELIVERED, delivered, t_del),
            (OPEN, opened, t_open),
            (CLICK, clicked | forced, t_click),
        ],
        forced,
    )


def _retargeting(rng, rows: pd.DataFrame, assists: _Assists):
    """Impressions on each UTC day of the span, clicks on 1 % of the days, assists."""
    member = rows["member"].to_numpy()
    lo = rows["planned"].to_numpy()
    ends = rows["ends"].to_numpy()
    hi = np.where(ends > lo, ends, (lo // DAY + 1) * DAY)
    freq = rows["frequency"].to_numpy()
    first_day = lo // DAY
    n_days = (hi - 1) // DAY - first_day + 1
    # one entry per (touch, day)
    touch = np.repeat(np.arange(len(rows)), n_days)
    day_no = np.arange(len(touch)) - np.repeat(np.cumsum(n_days) - n_days, n_days)
    day = first_day[touch] + day_no
    day_lo = np.maximum(lo[touch], day * DAY)
    day_hi = np.minimum(hi[touch], (day + 1) * DAY)
    # impressions: freq per (touch, day), the first one of each day at index `head`
    per_day = freq[touch]
    imp_of = np.repeat(np.arange(len(touch)), per_day)
    head = np.cumsum(per_day) - per_day
    imp_ts = day_lo[imp_of] + (rng.random(len(imp_of)) * (day_hi - day_lo)[imp_of]).astype(np.int64)
    first_ts = np.minimum.reduceat(imp_ts, head) if len(head) else imp_ts[:0]
    clicked = rng.random(len(touch)) < RETARGETING_CLICK
    click_ts = np.minimum(first_ts + rng.integers(10, 5 * MINUTE, len(touch)), day_hi - 1)
    # assists: one click inside the span, within 14 days to 2 hours before the order
    ok, a, b = assists.window(member, lo, hi)
    forced = assists.pick("retargeting", member, ok)
    at = a + (rng.random(len(rows)) * (b - a)).astype(np.int64)
    lead = rng.integers(10, 5 * MINUTE, len(rows))
    forced_day = np.zeros(len(touch), dtype=bool)
    where = np.flatnonzero(forced)
    if len(where):
        starts = np.cumsum(n_days) - n_days
        entry = starts[where] + (at[where] // DAY - first_day[where])
        forced_day[entry] = True
        click_ts[entry] = at[where]
        imp_ts[head[entry]] = np.maximum(day_lo[entry], at[where] - lead[where])
    # rows (of ``rows``) of each impression and of each day, with the days' clicks
    return touch[imp_of], imp_ts, touch, clicked | forced_day, click_ts, forced_day


def touch_events(
    touches: pd.DataFrame,
    *,
    wave_id: str,
    start: int,
    user: np.ndarray,
    arm: np.ndarray,
    email: pd.DataFrame,
    buyer: np.ndarray,
    order_at: np.ndarray,
    assist_click: float,
    rng: np.random.Generator,
) -> TouchEvents:
    """Events of the non-email touches of the wave's members.

    ``user`` (sorted) and ``arm`` (index into :data:`~livebase.simulate.truth.ARMS`) describe the
    members; ``email`` holds the wave's e-mail events (``recipient`` = member, ``event``
    index into :data:`livebase.simulate.esp.EVENTS`, ``ts``); ``buyer`` marks the
    contacted converters and ``order_at`` their order times; ``start`` is the wave's
    first moment (UTC seconds).
    """
    table = _table(touches, wave_id, user, arm)
    n = len(user)
    first_click = np.full(n, _NEVER, dtype=np.int64)
    rec, ev, ts = (email[c].to_numpy() for c in ("recipient", "event", "ts"))
    clicks = ev == EMAIL_CLICK
    np.minimum.at(first_click, rec[clicks], ts[clicks])
    seen = np.sort(_keys(rec[(ev == EMAIL_OPEN) | clicks], ts[(ev == EMAIL_OPEN) | clicks]))
    parent_at = dict(
        zip(
            zip(table["member"].tolist(), table["touch_no"].tolist(), strict=True),
            table["planned"].tolist(),
            strict=True,
        )
    )
    rows = table[table["channel"] != CHANNELS.index("email")]
    # every unconditional touch first (nothing they send depends on a condition), then
    # each member's conditional touches in time order (batch k: every member's k-th)
    plain = rows[rows["condition"] == ""]
    conditional = rows[rows["condition"] != ""].sort_values(
        ["member", "planned", "touch_no"], kind="stable"
    )
    rank = conditional.groupby("member").cumcount().to_numpy()
    batches = [plain] + [conditional[rank == r] for r in range(rank.max() + 1 if len(rank) else 0)]
    assists = _Assists(rng, buyer, order_at, assist_click)
    stats = {ch: {"planned": 0, "sent": 0} for ch in CHANNELS[1:]}
    parts: list[pd.DataFrame] = []
    for batch in batches:
        hold = _holds(batch, first_click, seen, parent_at, start)
        for code in np.unique(batch["channel"].to_numpy()):
            name = CHANNELS[code]
            mine = (batch["channel"] == code).to_numpy()
            stats[name]["planned"] += int(mine.sum())
            sent = batch[mine & hold]
            stats[name]["sent"] += len(sent)
            if sent.empty:
                continue
            part = _channel_events(rng, name, sent, assists)
            parts.append(part)
            click = part[part["event"] == CLICK]
            np.minimum.at(first_click, click["member"].to_numpy(), click["ts"].to_numpy())
    columns = ["member", "channel", "touch_no", "event", "ts"]
    events = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    ).astype(np.int64)
    events = events.iloc[np.argsort(events["ts"].to_numpy(), kind="stable")]
    planted = {
        "channels": {ch: v for ch, v in stats.items() if v["planned"]},
        "assist": {
            "rate": assist_click,
            "window_days": ASSIST_WINDOW // DAY,
            **{
                ch: {
                    "eligible": _ids(user, assists.eligible[ch]),
                    "assisted": _ids(user, assists.done[ch]),
                }
                for ch in ASSIST_CHANNELS
            },
        },
    }
    return TouchEvents(events.reset_index(drop=True), planted)


def _ids(user: np.ndarray, mask: np.ndarray) -> list[str]:
    return [f"gc:{u}" for u in user[mask].tolist()]


def _holds(batch, first_click, seen, parent_at, start) -> np.ndarray:
    member = batch["member"].to_numpy()
    planned = batch["planned"].to_numpy()
    condition = batch["condition"].to_numpy()
    hold = condition == ""
    clicked = first_click[member] < planned
    hold |= (condition == "interest") & clicked
    hold |= (condition == "no_interest") & ~clicked
    cascade = np.flatnonzero(condition == "email_unopened")
    if len(cascade):
        touch_no = batch["touch_no"].to_numpy()[cascade]
        parent = np.array(
            [
                parent_at.get((int(m), int(t) - CASCADE_OFFSET), start)
                for m, t in zip(member[cascade], touch_no, strict=True)
            ],
            dtype=np.int64,
        )
        lo = np.searchsorted(seen, _keys(member[cascade], parent))
        hi = np.searchsorted(seen, _keys(member[cascade], planned[cascade]))
        hold[cascade] = hi == lo
    return hold  # "registered" never holds


def _channel_events(rng, name: str, sent: pd.DataFrame, assists: _Assists) -> pd.DataFrame:
    code = CHANNELS.index(name)
    touch_no = sent["touch_no"].to_numpy()
    order_at, buyer = assists.order_at, assists.buyer
    parts = []

    def add(member, kind, mask, ts, touch, keep_click=None):
        if kind == CLICK:  # a converter's clicks before the order are only the assists
            mine = member[mask]
            early = buyer[mine] & (ts[mask] < order_at[mine])
            if keep_click is not None:
                early &= ~keep_click[mask]
            mask = mask.copy()
            mask[np.flatnonzero(mask)[early]] = False
        rows = np.flatnonzero(mask)
        parts.append(
            pd.DataFrame(
                {
                    "member": member[rows],
                    "channel": code,
                    "touch_no": touch[rows],
                    "event": kind,
                    "ts": ts[rows],
                }
            )
        )

    if name == "retargeting":
        imp_row, imp_ts, day_row, clicked, click_ts, forced = _retargeting(rng, sent, assists)
        member = sent["member"].to_numpy()
        every = np.ones(len(imp_ts), dtype=bool)
        add(member[imp_row], IMPRESSION, every, imp_ts, touch_no[imp_row])
        add(member[day_row], CLICK, clicked, click_ts, touch_no[day_row], forced)
    else:
        assisted = name == "messenger"
        member, kinds, forced = _messages(
            rng, sent, CHANNEL_RATES[name], assists if assisted else None
        )
        for kind, mask, ts in kinds:
            add(member, kind, mask, ts, touch_no, forced)
    return pd.concat(parts, ignore_index=True)
