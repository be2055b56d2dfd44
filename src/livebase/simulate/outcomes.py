"""Play out a campaign wave on a simulated school: who bought, and what the ESP saw.

Each assigned customer converts with the planted probability of their (tier, arm) —
:meth:`PlantedTruth.rate`, the same whatever the wave's length; a customer whose
``sleep_tier`` is not ``R90``/``R180``/``R270`` (or is missing) converts at the small
``baseline_rate`` in every arm. The draw is a hash of ``(seed, wave_id, user id)``, so a
customer's outcome does not depend on who else is in the wave or on row order.

Converters get one paid order (status ``Завершен``) inside the window: holdout buyers
between 09:00 of the first day and 21:00 of the last day (school time) with no promotion
fields; contacted buyers after an email of the wave (its click comes 2–60 minutes
before the order, and the order's ``utm_campaign`` names that email). They buy one of
three price points whose mean is the tier's planted AOV; the discount arm pays 15 % less
(``Скидка``), with promo code ``BACK15``; ``Промоакция`` is ``lb:<wave_id>:<arm>``.

Every non-holdout member gets six emails at 10:00 in their own time zone on days spread
over the window, campaign ``lb:<wave_id>:<arm>:<n>``: sent, delivered (98 %), open
(25 %), click (4 % of sent), unsubscribe (0.3 %), spam (0.05 %), bounce (2 %); an
unsubscribe, complaint or hard bounce stops the later emails. The holdout gets nothing.

``nps.csv`` (the ``nps`` mapping preset: ``user_id``, ``email``, ``ts``, ``score``) holds
the NPS survey of the wave's paying customers (every arm, holdout included): each buyer
answers with probability ``nps_response_rate`` (41 %), 7–10 days after the purchase
(``ts`` in UTC, possibly after the window), one answer per buyer. The answer is a
promoter, a passive or a detractor with the arm's planted shares (``nps_groups``; NPS
control 58, value 67, discount 60, holdout 58 — :meth:`PlantedTruth.nps`), then a score
inside the group (:data:`~livebase.simulate.truth.NPS_SCORE_WEIGHTS`). ``user_id`` is
the buyer's GetCourse user id (as in ``orders.csv``), ``email`` their ESP address.

``costs.csv`` (the ``costs`` mapping preset: ``date``, ``wave_id``, ``channel``,
``kind``, ``amount``) holds the wave's marketing and production costs, exactly:

- ``email`` / ``esp``: ``esp_cost_per_message`` (0.75 ₽) × the ``sent`` events of
  ``esp_events.csv``, one row per school-local day of sending;
- ``production`` / ``bonuses``: ``bonus_cost_per_value_member`` (5 ₽) × the members of
  the value arm, one row on the wave's first day (none without a value arm).

So the file's total is ``0.75 × sent emails + 5 × value members`` roubles. The discount is
not a cost here: it is already off the discount arm's order amounts.

Responses and answers are hashes of ``(seed, wave_id, user id)`` like the conversions;
costs are counts: the same inputs give the same bytes in every file.

Optional inputs, each changing nothing when left out:

- ``touches`` (the wave's rows of the store's ``touches`` table) adds the events of the
  contacted members' non-email touches and the converters' assisting clicks
  (:mod:`~livebase.simulate.touchpaths`) to ``esp_events.csv``, which then has a
  ``channel`` column; the e-mails stay as above and the costs stay the e-mails'.
- ``behaviour`` (:class:`~livebase.simulate.truth.Behaviour`) sets the e-mails' spam
  and unsubscribe rates and plants what the monitors watch
  (:mod:`~livebase.simulate.behaviour`): e-mails leaked to active customers (costed
  like the others), active customers' wave-time orders, coupon waiters' open orders.
- New rows come after the rows of a wave without them, and every new random number
  comes from a random stream of its own (``[seed, wave key, n]``), so the rows a wave
  without them has are the same.
- ``planted.json`` (written only when either is given) records the knobs and what they
  planted: sends per channel, eligible and assisted converters, leaked customers,
  active orders and their AOV before and during the wave, coupon waiters, order ids.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from livebase.errors import InputError
from livebase.simulate import behaviour as planted_behaviour
from livebase.simulate import exports, touchpaths
from livebase.simulate import formats as fm
from livebase.simulate.catalogue import (
    PAY_SYSTEM_WEIGHTS,
    PAY_SYSTEMS,
    WAVE_OFFER,
    wave_prices,
)
from livebase.simulate.clock import DAY, HOUR, MINUTE, from_local_zones, midnight, to_local
from livebase.simulate.esp import BOUNCE_TYPES, EVENTS, Rates, send
from livebase.simulate.school import SchoolFiles
from livebase.simulate.truth import (
    ARMS,
    NPS_GROUP_NAMES,
    NPS_SCORE_WEIGHTS,
    TIERS,
    Behaviour,
    PlantedTruth,
)

WAVE_RATES = Rates()
ID_SLOTS = 10_000
ID_BLOCK = 1_000_000
EXTRA_IDS = ID_BLOCK // 2  # pending and active orders: the upper half of the wave's block
# random streams of what the knobs plant, apart from the wave's own generator
TOUCH_STREAM, LEAK_STREAM, ACTIVE_STREAM, WAIT_STREAM, WRITE_STREAM = range(1, 6)
_CUSTOMER = re.compile(r"gc:(\d+)")
_TIER = re.compile(r"\s*R(90|180|270)(?!\d)")


@dataclass(frozen=True)
class WaveOutcomeFiles:
    """The files of a played-out wave: ``orders`` (preset ``getcourse-orders``),
    ``esp_events`` (``esp-events``), ``nps`` (``nps``) and ``costs`` (``costs``);
    ``planted`` (``planted.json``, what the knobs planted) when touches or a behaviour
    were given."""

    orders: Path
    esp_events: Path
    nps: Path
    costs: Path
    planted: Path | None = None


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def _uniform(key: int, ids: np.ndarray) -> np.ndarray:
    """A uniform number in [0, 1) per id, fixed by ``key`` (splitmix64)."""
    with np.errstate(over="ignore"):
        z = ids.astype(np.uint64) + np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def first_wave_order_id(truth: PlantedTruth, wave_id: str) -> tuple[int, int]:
    """First order id and order number of a wave: above the history's, in a block of a
    million picked by the wave id (two waves share a block with probability 1/10 000).

    >>> t = PlantedTruth.planted(seed=1, end=date(2025, 5, 5), last_order_id=180_000_500,
    ...                          last_order_number=10_200)
    >>> first_wave_order_id(t, "w1")[0] > 180_000_500
    True
    """
    slot = _digest(wave_id) % ID_SLOTS
    return (
        truth.last_order_id + 1 + slot * ID_BLOCK,
        truth.last_order_number + 1 + slot * ID_BLOCK,
    )


def tier_of(label: object) -> str | None:
    """The planted tier a segment label names (``R90``, ``R90–179``, ``R270+`` …), or None.

    >>> tier_of("R90"), tier_of("R180-269"), tier_of("R270+"), tier_of("Champions"), tier_of(None)
    ('R90', 'R180', 'R270', None, None)
    """
    match = _TIER.match(label) if isinstance(label, str) else None
    return f"R{match.group(1)}" if match else None


def _members(assignments: pd.DataFrame, state: pa.Table) -> tuple[pd.DataFrame, np.ndarray]:
    """Validated members sorted by user id, and their rows in ``state``."""
    if not isinstance(assignments, pd.DataFrame):
        raise InputError("assignments must be a DataFrame")
    missing = [c for c in ("customer_id", "arm") if c not in assignments.columns]
    if missing:
        raise InputError(f"assignments lack column(s): {', '.join(missing)}")
    ids = assignments["customer_id"].astype("str")
    parsed = ids.str.fullmatch(_CUSTOMER.pattern)
    if not parsed.all():
        bad = ids[~parsed].head(3).tolist()
        raise InputError(f"customer_id must look like gc:<user id>, got {bad}")
    if ids.duplicated().any():
        raise InputError(f"duplicate customer_id: {ids[ids.duplicated()].head(3).tolist()}")
    arms = assignments["arm"].astype("str")
    unknown = sorted(set(arms) - set(ARMS))
    if unknown:
        raise InputError(f"unknown arm(s) {unknown}; expected {', '.join(ARMS)}")
    tiers = (
        assignments["sleep_tier"].map(tier_of)
        if "sleep_tier" in assignments.columns
        else pd.Series([None] * len(assignments))
    )
    members = pd.DataFrame(
        {
            "user_id": ids.str.slice(3).astype(np.int64).to_numpy(),
            "arm": np.array([ARMS.index(a) for a in arms], dtype=np.int64),
            "tier": np.array([TIERS.index(t) if t in TIERS else -1 for t in tiers], dtype=np.int64),
        }
    ).sort_values("user_id", ignore_index=True)
    known = state["user_id"].to_numpy()
    order = np.argsort(known)
    pos = np.searchsorted(known[order], members["user_id"].to_numpy())
    pos = np.minimum(pos, len(known) - 1)
    found = known[order][pos] == members["user_id"].to_numpy()
    if not found.all():
        lost = members["user_id"].to_numpy()[~found][:3].tolist()
        raise InputError(f"customers not in the school: {[f'gc:{u}' for u in lost]}")
    return members, order[pos]


def wave_outcomes(
    school_dir: Path,
    assignments: pd.DataFrame,
    *,
    wave_id: str,
    starts_on: date,
    days: int,
    seed: int,
    out_dir: Path,
    touches: pd.DataFrame | None = None,
    behaviour: Behaviour | None = None,
) -> WaveOutcomeFiles:
    """Write ``orders.csv``, ``esp_events.csv``, ``nps.csv`` and ``costs.csv`` of a wave
    into ``out_dir``.

    ``assignments`` has ``customer_id`` (``gc:<user id>``), ``arm`` (holdout, control,
    value, discount) and optionally ``sleep_tier`` (R90, R180, R270, also spelt like
    ``R90–179`` or ``R270+``; anything else, or nothing, means the baseline rate).

    ``touches`` (rows of the store's ``touches`` table for this wave) adds the events
    of the members' non-email touches and the converters' assisting clicks
    (:mod:`~livebase.simulate.touchpaths`) after the e-mail events, and a ``channel``
    column to ``esp_events.csv``. ``behaviour`` plants what the monitors watch
    (:class:`~livebase.simulate.truth.Behaviour`, :mod:`~livebase.simulate.behaviour`);
    new rows come after the rows a wave without them has, and every new random number
    comes from a stream of its own, so with neither given the files are byte for byte
    those of before. With either, ``planted.json`` records the knobs and what they
    planted.
    """
    if not wave_id:
        raise InputError("wave_id must not be empty")
    if days < 1:
        raise InputError(f"a wave lasts at least one day, got days={days}")
    knobs = Behaviour() if behaviour is None else behaviour
    if not isinstance(knobs, Behaviour):
        raise InputError("behaviour must be a Behaviour")
    school = SchoolFiles.in_dir(Path(school_dir))
    if not school.truth.exists() or not school.state.exists():
        raise InputError(f"{school_dir} is not a simulated school (no truth.json/state.parquet)")
    truth = PlantedTruth.load(school.truth)
    state = pq.read_table(school.state)
    members, rows = _members(assignments, state)
    key = _digest(f"{seed}:{wave_id}")
    rng = np.random.default_rng([seed, key])
    tz = truth.timezone

    n = len(members)
    user = members["user_id"].to_numpy()
    arm = members["arm"].to_numpy()
    tier = members["tier"].to_numpy()
    tier_names = np.array([*TIERS, None], dtype=object)[tier]
    rate = np.array([truth.rate(t, ARMS[a]) for t, a in zip(tier_names, arm, strict=True)])
    converts = _uniform(key, user) < rate
    contacted = arm != ARMS.index("holdout")

    zones = tuple(sorted(set(state["timezone"].to_pylist()) | {tz}))
    zone_of = pd.Index(zones).get_indexer(state["timezone"].to_numpy(zero_copy_only=False))
    zone = zone_of[rows]
    start = midnight(starts_on, tz)
    last_call = start + (days - 1) * DAY + 21 * HOUR  # 21:00 school time, last day
    offsets = np.round(np.linspace(0, days - 1, truth.emails_per_wave)).astype(np.int64)
    local_start = start + _offset_of(tz, start)
    sends = np.stack(
        [
            from_local_zones(
                np.full(n, local_start + d * DAY + 10 * HOUR) + rng.integers(0, HOUR, n),
                zone,
                zones,
            )
            for d in offsets
        ],
        axis=1,
    )

    # when converters buy, and which email they clicked
    order_at = start + 9 * HOUR + (rng.random(n) * (last_call - start - 9 * HOUR)).astype(np.int64)
    buyers_contacted = converts & contacted
    usable = sends <= last_call - 3 * HOUR
    count = usable.sum(axis=1)
    pick = np.floor(rng.random(n) * np.maximum(count, 1)).astype(np.int64)
    k = np.where(buyers_contacted, pick, -1)
    kk = np.maximum(k, 0)
    last = sends.shape[1] - 1
    sent_k = sends[np.arange(n), kk]
    nxt = np.where(kk < last, sends[np.arange(n), np.minimum(kk + 1, last)], last_call)
    upper = np.maximum(np.minimum(nxt, last_call), sent_k + 3 * HOUR)
    after = sent_k + 2 * HOUR + (rng.random(n) * (upper - sent_k - 2 * HOUR)).astype(np.int64)
    order_at = np.where(k >= 0, after, order_at)
    click_at = np.where(k >= 0, order_at - rng.integers(2 * MINUTE, 60 * MINUTE, n), -1)

    esp, email_events = _emails(rng, state, rows, arm, sends, k, click_at, wave_id, knobs.rates())
    orders, sold = _orders(rng, truth, state, rows, members, converts, order_at, k, wave_id)
    nps = _nps(truth, state, rows, members, converts, order_at, f"{seed}:{wave_id}")

    def stream(number: int) -> np.random.Generator:
        return np.random.default_rng([seed, key, number])

    planted: dict = {"wave_id": wave_id, "seed": seed, "behaviour": asdict(knobs)}
    paths = None
    if touches is not None:
        paths = touchpaths.touch_events(
            touches,
            wave_id=wave_id,
            start=start,
            user=user,
            arm=arm,
            email=email_events,
            buyer=buyers_contacted,
            order_at=order_at,
            assist_click=knobs.assist_click,
            rng=stream(TOUCH_STREAM),
        )
        planted |= paths.planted
    leak, extra = None, []
    if knobs.leak_active > 0 or knobs.active_orders:
        if not school.orders.exists():
            raise InputError(f"leak_active and active_orders read {school.orders}: not found")
        history = planted_behaviour.paid_history(school.orders, tz, state)
        people = _People(state, rows)
        if knobs.leak_active > 0:
            stamp = _digest(f"{seed}:{wave_id}:leak")
            to, planted["leak"] = _leaked(knobs.leak_active, history, people, stamp, start)
            if len(to):
                lrng = stream(LEAK_STREAM)
                sends_to = np.stack(  # the six e-mails' times, as the members'
                    [
                        from_local_zones(
                            np.full(len(to), local_start + d * DAY + 10 * HOUR)
                            + lrng.integers(0, HOUR, len(to)),
                            zone_of[to],
                            zones,
                        )
                        for d in offsets
                    ],
                    axis=1,
                )
                none = np.full(len(to), -1, dtype=np.int64)
                control = np.full(len(to), ARMS.index("control"), dtype=np.int64)
                leak, _ = _emails(
                    lrng, state, to, control, sends_to, none, none, wave_id, knobs.rates()
                )
        if knobs.active_orders:
            new, planted["active_orders"] = planted_behaviour.active_orders(
                history,
                start=start,
                days=days,
                exclude=people.assigned,
                shift=knobs.active_aov_shift,
                rng=stream(ACTIVE_STREAM),
            )
            planted["active_orders"]["customer_ids"] = people.ids(np.unique(new["person"]))
            row = people.primary[new["person"].to_numpy()]
            status = planted_behaviour.PAID_STATUSES[0]
            extra.append(
                new.assign(row=row, status=status, paid_amount=new["amount"], part="active_orders")
            )
    if knobs.coupon_wait > 0:
        waiting, planted["coupon_wait"] = _pending(
            knobs.coupon_wait, sold, members, rows, start, f"{seed}:{wave_id}", stream(WAIT_STREAM)
        )
        extra.insert(0, waiting)
    costs = _costs(truth, esp if leak is None else _concat(esp, leak), arm, wave_id, starts_on)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    given = touches is not None or behaviour is not None
    files = WaveOutcomeFiles(
        orders=out_dir / "orders.csv",
        esp_events=out_dir / "esp_events.csv",
        nps=out_dir / "nps.csv",
        costs=out_dir / "costs.csv",
        planted=out_dir / "planted.json" if given else None,
    )
    exports.write_orders(files.orders, orders, tz, rng)
    if extra:
        wrng = stream(WRITE_STREAM)
        more = _extra_orders(pd.concat(extra, ignore_index=True), state, truth, wave_id, wrng)
        for part, ids in more.pop("_ids").items():
            planted[part]["order_ids"] = ids
        exports.write_orders(files.orders, more, tz, wrng, append=True)
    parts = [esp] if leak is None else [esp, leak]
    if paths is not None:
        parts = [_with_channel(p, "email") for p in parts]
        parts.append(_channel_rows(paths.events, state, rows, arm, wave_id))
    exports.write_esp(files.esp_events, parts[0])
    for part in parts[1:]:
        exports.write_esp(files.esp_events, part, append=True)
    exports.write_nps(files.nps, nps)
    exports.write_costs(files.costs, costs)
    if files.planted is not None:
        text = json.dumps(planted, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        files.planted.write_text(text, encoding="utf-8")
    return files


def _leaked(share, history, people, stamp, start) -> tuple[np.ndarray, dict]:
    """State rows of the active customers who get the wave's e-mails, and what was
    planted."""
    active, _ = planted_behaviour.recent_buyers(
        history, start, planted_behaviour.ACTIVE_DAYS, people.assigned
    )
    leaked = active[_uniform(stamp, active) < share]
    planted = {
        "active_days": planted_behaviour.ACTIVE_DAYS,
        "active_customers": len(active),
        "customer_ids": people.ids(leaked),
    }
    return people.primary[leaked], planted


class _People:
    """Persons of the school's state: the first profile's row of each person, the
    persons of the wave, and their ``gc:<user id>`` names."""

    def __init__(self, state: pa.Table, rows: np.ndarray) -> None:
        person = state["person"].to_numpy()
        self.user = state["user_id"].to_numpy()
        primary = np.flatnonzero(pc.equal(state["duplicate"], "").to_numpy(zero_copy_only=False))
        self.primary = np.full(int(person.max()) + 1 if len(person) else 0, -1, dtype=np.int64)
        self.primary[person[primary]] = primary
        self.assigned = np.unique(person[rows])

    def ids(self, persons: np.ndarray) -> list[str]:
        return [f"gc:{u}" for u in self.user[self.primary[persons]].tolist()]


def _concat(a: exports.Columns, b: exports.Columns) -> exports.Columns:
    out = {}
    for name, value in a.items():
        other = b[name]
        if isinstance(value, pa.Array | pa.ChunkedArray):
            out[name] = pa.concat_arrays(
                [
                    pc.cast(v, pa.large_string()).combine_chunks()
                    if isinstance(v, pa.ChunkedArray)
                    else pc.cast(v, pa.large_string())
                    for v in (value, other)
                ]
            )
        else:
            out[name] = np.concatenate([np.asarray(value), np.asarray(other)])
    return out


def _with_channel(columns: exports.Columns, channel: str) -> exports.Columns:
    return columns | {"channel": fm.labels((channel,), np.zeros(exports.row_count(columns)))}


def _channel_rows(events: pd.DataFrame, state, rows, arm, wave_id) -> exports.Columns:
    """ESP rows of the non-email touch events (campaign ``lb:<wave>:<arm>:<touch_no>``)."""
    who = events["member"].to_numpy()
    n = len(who)
    return {
        "email": exports.text(state["email"]).take(pa.array(rows[who])),
        "event": fm.labels(touchpaths.EVENTS, events["event"].to_numpy()),
        "ts": events["ts"].to_numpy(),
        "campaign": fm.concat(
            f"lb:{wave_id}:",
            fm.labels(ARMS, arm[who]),
            ":",
            fm.integers(events["touch_no"].to_numpy()),
        ),
        "bounce_type": fm.labels((), np.full(n, -1)),
        "channel": fm.labels(touchpaths.CHANNELS, events["channel"].to_numpy()),
    }


def _pending(share, sold, members, rows, start, stream: str, rng) -> tuple[pd.DataFrame, dict]:
    """Unpaid orders of the discount arm's converters who waited for the coupon."""
    buyers, price, title = sold["buyers"], sold["price"], sold["title"]
    arm = members["arm"].to_numpy()[buyers]
    user = members["user_id"].to_numpy()[buyers]
    discount = arm == ARMS.index("discount")
    wait = discount & (_uniform(_digest(f"{stream}:coupon_wait"), user) < share)
    low, high = planted_behaviour.WAIT_DAYS
    n = int(wait.sum())
    created = start - low * DAY - (rng.random(n) * (high - low) * DAY).astype(np.int64)
    frame = pd.DataFrame(
        {
            "row": rows[buyers[wait]],
            "paid": -1,
            "created": created,
            "amount": price[wait],
            "paid_amount": 0,
            "discount": -1,
            "title": title[wait],
            "promo_code": "",
            "promo_action": "",
            "status": planted_behaviour.PENDING_STATUS,
        }
    ).sort_values(["created", "row"], kind="stable", ignore_index=True)
    info = {
        "share": share,
        "window_days": list(planted_behaviour.WAIT_DAYS),
        "converters": int(discount.sum()),
        "customer_ids": [f"gc:{u}" for u in np.sort(user[wait]).tolist()],
    }
    return frame.assign(part="coupon_wait"), info


def _extra_orders(frame: pd.DataFrame, state, truth, wave_id, rng) -> dict:
    """Order columns of the planted orders (ids from the upper half of the wave's block)
    and, under ``_ids``, the order ids of each part."""
    m = len(frame)
    first_id, first_number = first_wave_order_id(truth, wave_id)
    order_id = first_id + EXTRA_IDS + np.arange(m)
    take = pa.array(frame["row"].to_numpy())
    paid = frame["paid"].to_numpy().astype(np.int64)
    discount = frame["discount"].to_numpy().astype(np.int64)
    system = rng.choice(len(PAY_SYSTEM_WEIGHTS), size=m, p=PAY_SYSTEM_WEIGHTS)
    columns = {
        "order_id": order_id,
        "number": first_number + EXTRA_IDS + np.arange(m),
        "user_id": state["user_id"].to_numpy()[frame["row"].to_numpy()],
        "user_name": exports.text(state["name"]).take(take),
        "email": exports.text(state["email_raw"]).take(take),
        "phone": exports.text(state["phone_raw"]).take(take),
        "created": frame["created"].to_numpy().astype(np.int64),
        "paid": paid,
        "title": exports.text(frame["title"]),
        "status": exports.text(frame["status"]),
        "amount": frame["amount"].to_numpy().astype(np.int64),
        "paid_amount": frame["paid_amount"].to_numpy().astype(np.int64),
        "manager": fm.labels((), np.full(m, -1)),
        "city": exports.text(state["city"]).take(take),
        "pay_system": fm.where(paid >= 0, fm.labels(PAY_SYSTEMS, system)),
        "plan_id": fm.labels((), np.full(m, -1)),
        "discount": discount,
        "promo_code": exports.text(frame["promo_code"]),
        "promo_action": exports.text(frame["promo_action"]),
        "utm_source": fm.labels((), np.full(m, -1)),
        "utm_medium": fm.labels((), np.full(m, -1)),
        "utm_campaign": fm.labels((), np.full(m, -1)),
        "tags": fm.labels((), np.full(m, -1)),
    }
    parts = frame["part"].to_numpy()
    columns["_ids"] = {
        part: order_id[parts == part].tolist() for part in dict.fromkeys(parts.tolist())
    }
    return columns


def _offset_of(tz: str, utc: int) -> int:
    return int(to_local(np.array([utc]), tz)[0]) - utc


def _emails(rng, state, rows, arm, sends, k, click_at, wave_id, rates=WAVE_RATES):
    """The wave's e-mail rows for recipients ``rows`` (state rows) of arms ``arm``, and
    the raw events (``recipient`` indexes ``rows``, ``event``, ``ts``) sorted by time."""
    contacted = np.flatnonzero(arm != ARMS.index("holdout"))
    active = np.ones(len(contacted), dtype=bool)
    parts = []
    for n in range(sends.shape[1]):
        idx = contacted[active]
        forced = np.where(k[idx] == n, click_at[idx], -1)
        keep = k[idx] > n
        result = send(rng, idx, sends[idx, n], rates, click_at=forced, keep=keep)
        events = result.events
        events["campaign"] = (arm[events["recipient"].to_numpy()] * 100 + n + 1).astype(np.int64)
        parts.append(events)
        gone = result.unsubscribed | result.complained | result.hard_bounced
        active[np.flatnonzero(active)[gone]] = False
    events = pd.concat(parts, ignore_index=True)
    events = events.iloc[np.argsort(events["ts"].to_numpy(), kind="stable")]
    who = events["recipient"].to_numpy()
    code = events["campaign"].to_numpy()
    campaign = fm.concat(
        f"lb:{wave_id}:", fm.labels(ARMS, code // 100), ":", fm.integers(code % 100)
    )
    return {
        "email": exports.text(state["email"]).take(pa.array(rows[who])),
        "event": fm.labels(EVENTS, events["event"].to_numpy()),
        "ts": events["ts"].to_numpy(),
        "campaign": campaign,
        "bounce_type": fm.labels(BOUNCE_TYPES, events["bounce"].to_numpy()),
    }, events[["recipient", "event", "ts"]]


def _orders(rng, truth, state, rows, members, converts, order_at, k, wave_id):
    """The wave's order rows, and the buyers (members, by time) with list price and title."""
    buyers = np.flatnonzero(converts)
    buyers = buyers[np.argsort(order_at[buyers], kind="stable")]
    m = len(buyers)
    arm = members["arm"].to_numpy()[buyers]
    tier = members["tier"].to_numpy()[buyers]
    point = rng.integers(0, 3, m)
    prices = np.stack(
        [wave_prices(truth.list_aov(TIERS[t] if t >= 0 else None)) for t in range(-1, 3)]
    )
    price = prices[tier + 1, point]
    discounted = arm == ARMS.index("discount")
    discount = np.where(
        discounted, np.round(price * truth.discount / 100).astype(np.int64) * 100, 0
    )
    amount = price - discount
    contacted = arm != ARMS.index("holdout")
    paid = order_at[buyers]
    created = paid - rng.integers(MINUTE, 20 * MINUTE, m)
    first_id, first_number = first_wave_order_id(truth, wave_id)
    take = pa.array(rows[buyers])
    arm_name = fm.labels(ARMS, arm)
    offer = fm.where(contacted, fm.concat(f"lb:{wave_id}:", arm_name))
    email_no = fm.integers(k[buyers] + 1)
    system = rng.choice(len(PAY_SYSTEM_WEIGHTS), size=m, p=PAY_SYSTEM_WEIGHTS)
    return {
        "order_id": first_id + np.arange(m),
        "number": first_number + np.arange(m),
        "user_id": members["user_id"].to_numpy()[buyers],
        "user_name": exports.text(state["name"]).take(take),
        "email": exports.text(state["email_raw"]).take(take),
        "phone": exports.text(state["phone_raw"]).take(take),
        "created": created,
        "paid": paid,
        "title": fm.labels(WAVE_OFFER.titles, point),
        "status": fm.labels(("Завершен",), np.zeros(m)),
        "amount": amount,
        "paid_amount": amount,
        "manager": fm.labels((), np.full(m, -1)),
        "city": exports.text(state["city"]).take(take),
        "pay_system": fm.labels(PAY_SYSTEMS, system),
        "plan_id": fm.labels((), np.full(m, -1)),
        "discount": np.where(discounted, discount, -1),
        "promo_code": fm.where(discounted, truth.promo_code),
        "promo_action": offer,
        "utm_source": fm.where(contacted, "email"),
        "utm_medium": fm.where(contacted, "email"),
        "utm_campaign": fm.where(contacted, fm.concat(offer, ":", email_no)),
        "tags": fm.where(contacted, "реактивация"),
    }, {"buyers": buyers, "price": price, "title": np.array(WAVE_OFFER.titles)[point]}


def _pick(u: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Index into ``weights`` (rows: one set of weights per draw) for uniforms ``u``."""
    bounds = np.cumsum(weights, axis=-1)
    bounds = bounds[..., :-1] / bounds[..., -1:]  # the last bound is 1 whatever the rounding
    return (u[:, None] >= bounds).sum(axis=1)


def _nps(truth, state, rows, members, converts, order_at, stream: str) -> exports.Columns:
    """One answer from each responding buyer, sorted by time (then user id)."""
    buyers = np.flatnonzero(converts)
    user = members["user_id"].to_numpy()[buyers]
    respond, group_u, score_u, delay_u = (
        _uniform(_digest(f"{stream}:nps:{part}"), user)
        for part in ("respond", "group", "score", "delay")
    )
    answers = respond < truth.nps_response_rate
    buyers, user = buyers[answers], user[answers]
    group_u, score_u, delay_u = group_u[answers], score_u[answers], delay_u[answers]
    arm = members["arm"].to_numpy()[buyers]
    shares = np.array([[truth.nps_groups[a][g] for g in NPS_GROUP_NAMES] for a in ARMS])
    group = _pick(group_u, shares[arm])
    score = np.empty(len(buyers), dtype=np.int64)
    for g, name in enumerate(NPS_GROUP_NAMES):
        values, weights = NPS_SCORE_WEIGHTS[name]
        inside = group == g
        weights = np.broadcast_to(np.asarray(weights), (int(inside.sum()), len(weights)))
        score[inside] = np.asarray(values)[_pick(score_u[inside], weights)]
    low, high = truth.nps_delay_days
    ts = order_at[buyers] + low * DAY + (delay_u * (high - low) * DAY).astype(np.int64)
    order = np.lexsort((user, ts))
    return {
        "user_id": user[order],
        "email": exports.text(state["email"]).take(pa.array(rows[buyers[order]])),
        "ts": ts[order],
        "score": score[order],
    }


def _costs(truth, esp, arm, wave_id, starts_on) -> exports.Columns:
    """ESP cost per sending day (school time) and the value arm's bonus production."""
    sent = pc.equal(esp["event"], "sent").to_numpy(zero_copy_only=False)
    local_day = to_local(esp["ts"][sent], truth.timezone) // DAY
    days, messages = np.unique(local_day, return_counts=True)
    per_message = round(truth.esp_cost_per_message * 100)  # kopecks
    value_members = int((arm == ARMS.index("value")).sum())
    bonus_days = [(starts_on - date(1970, 1, 1)).days] if value_members else []
    bonus = round(truth.bonus_cost_per_value_member * 100) * value_members
    n_esp, n_bonus = len(days), len(bonus_days)
    return {
        "day": np.concatenate([days, bonus_days]).astype(np.int64),
        "wave_id": [wave_id] * (n_esp + n_bonus),
        "channel": ["email"] * n_esp + ["production"] * n_bonus,
        "kind": ["esp"] * n_esp + ["bonuses"] * n_bonus,
        "amount": np.array([*(messages * per_message), *[bonus] * n_bonus], dtype=np.int64),
    }
