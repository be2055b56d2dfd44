"""Build a whole school: every export, the planted truth and the private state.

People are generated chunk by chunk (each chunk with its own random streams, ids
continuing across chunks) and appended to the files, so memory stays bounded by the
chunk size.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     files = simulate_school(SchoolSpec(customers=300, seed=1), Path(tmp))
...     truth = PlantedTruth.load(files.truth)
>>> truth.counts["persons"], truth.counts["user_profiles"] >= 300
(300, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from livebase.simulate import exports
from livebase.simulate import formats as fm
from livebase.simulate.activity import generate_activity, render_activity
from livebase.simulate.clock import midnight
from livebase.simulate.consents import generate_consents, render_consents
from livebase.simulate.esp import BOUNCE_TYPES, EVENTS
from livebase.simulate.names import ZONES
from livebase.simulate.newsletters import simulate_newsletters
from livebase.simulate.orders import Counters, build_ledger, number_ledger
from livebase.simulate.population import (
    CITY_LIST,
    Duplicates,
    People,
    generate_people,
    generate_profiles,
    plan_duplicates,
)
from livebase.simulate.purchases import generate_purchases
from livebase.simulate.rows import orders_frame, payments_frame, users_frame
from livebase.simulate.spec import SchoolSpec
from livebase.simulate.tally import Tally
from livebase.simulate.truth import PlantedTruth

PAYMENT_NUMBER_BASE = 700_000
HUNTER_STREAM = 1_000  # the random stream that picks coupon hunters (apart from the others)
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class SchoolFiles:
    """Where a simulated school was written."""

    users: Path
    orders: Path
    payments: Path
    lms_events: Path
    consents: Path
    esp_events: Path
    truth: Path
    state: Path

    @classmethod
    def in_dir(cls, folder: Path) -> SchoolFiles:
        folder = Path(folder)
        return cls(
            users=folder / "users.csv",
            orders=folder / "orders.csv",
            payments=folder / "payments.csv",
            lms_events=folder / "lms_events.csv",
            consents=folder / "consents.csv",
            esp_events=folder / "esp_events.csv",
            truth=folder / "truth.json",
            state=folder / "state.parquet",
        )


STATE_SCHEMA = pa.schema(
    [
        ("user_id", pa.int64()),
        ("person", pa.int64()),
        ("duplicate", pa.string()),
        ("email", pa.string()),
        ("email_raw", pa.string()),
        ("phone_raw", pa.string()),
        ("name", pa.string()),
        ("city", pa.string()),
        ("timezone", pa.string()),
        ("price_sensitivity", pa.float64()),
        ("engagement", pa.float64()),
    ]
)
"""Private state for :func:`~livebase.simulate.outcomes.wave_outcomes`: one row per user
profile; ``email`` is the person's ESP address (the first profile's, clean)."""


def _streams(seed: int, chunk: int, n: int) -> list[np.random.Generator]:
    return [np.random.default_rng([seed, chunk + 1, k]) for k in range(n)]


def simulate_school(
    spec: SchoolSpec, out_dir: Path, progress: Progress | None = None
) -> SchoolFiles:
    """Write the exports of a simulated school into ``out_dir`` and return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = SchoolFiles.in_dir(out_dir)
    tz = spec.timezone
    end = midnight(spec.end, tz)
    dups = plan_duplicates(spec)
    counters = Counters()
    tally = Tally()
    chunks = spec.chunks()
    hunted = np.zeros(3, dtype=np.int64)  # repeat buyers, coupon-only ones, hunters among them
    with pq.ParquetWriter(files.state, STATE_SCHEMA) as state:
        for k, (lo, hi) in enumerate(chunks):
            step = _Step(progress, k, len(chunks))
            append = k > 0
            c = generate_chunk(spec, k, lo, hi, dups, counters, step)
            tally.add_people(c.people, c.profiles)
            if c.hunters is not None:
                hunted += _coupon_only(c.ledger, c.hunters)
            tally.add_orders(c.ledger, c.people, end, tz)
            tally.add_consents(c.consents)
            tally.add_esp(c.esp)
            tally.add_activity(c.events)
            tally.add_payments(c.payments)

            step("writing", 0.7)
            last_active = last_active_of(c.profiles, c.events, c.ledger)
            exports.write_users(
                files.users, users_frame(c.people, c.profiles, last_active), tz, append=append
            )
            exports.write_orders(files.orders, c.orders, tz, c.write_rng, append=append)
            exports.write_payments(files.payments, c.payments, tz, c.write_rng, append=append)
            exports.write_lms(files.lms_events, c.lms, append=append)
            exports.write_consents(files.consents, c.consents, append=append)
            exports.write_esp(files.esp_events, _esp_rows(c.esp, c.people), append=append)
            state.write_table(_state_rows(c.people, c.profiles))
            step("writing", 1.0)

    counts, tiers = tally.result()
    extra = {}
    if spec.coupon_hunters > 0:
        extra["coupon_hunters"] = spec.coupon_hunters
        counts = counts | dict(
            zip(
                ("repeat_buyers", "coupon_only_repeat_buyers", "coupon_hunter_repeat_buyers"),
                hunted.tolist(),
                strict=True,
            )
        )
    truth = PlantedTruth.planted(
        seed=spec.seed,
        end=spec.end,
        timezone=tz,
        customers=spec.customers,
        history_days=spec.history_days,
        counts=counts,
        sleep_tiers=tiers,
        last_order_id=counters.last_order_id,
        last_order_number=counters.last_order_number,
        **extra,
    )
    truth.save(files.truth)
    if progress is not None:
        progress("done", 1.0)
    return files


@dataclass(frozen=True)
class Chunk:
    """One chunk of the school, as :func:`simulate_school` writes it: the people and
    their profiles, the ledger and the activity still in codes, and the rows of the
    exports before rendering (``orders``, ``payments``, ``lms``, ``consents``)."""

    people: People
    profiles: pd.DataFrame
    first_user: np.ndarray  # per person of the chunk: the user id of the first profile
    hunters: np.ndarray | None  # per person: a coupon hunter (None without the knob)
    ledger: pd.DataFrame
    esp: pd.DataFrame  # newsletter events before the export (recipient = person row)
    consents: exports.Columns
    events: pd.DataFrame
    orders: exports.Columns
    payments: exports.Columns
    lms: exports.Columns
    write_rng: np.random.Generator  # the stream the writers draw their layouts from


def generate_chunk(
    spec: SchoolSpec,
    k: int,
    lo: int,
    hi: int,
    dups: Duplicates,
    counters: Counters,
    step: Callable[[str, float], None] | None = None,
) -> Chunk:
    """People ``lo … hi-1`` (chunk ``k``) with everything they did; ``counters`` carry
    the running ids on to the next chunk."""
    step = step or (lambda _stage, _fraction: None)
    tz = spec.timezone
    end = midnight(spec.end, tz)
    rng = _streams(spec.seed, k, 10)

    step("people", 0.0)
    people = generate_people(spec, lo, hi, dups, rng[0])
    profiles = generate_profiles(spec, people, dups, rng[1])
    primary = (profiles["duplicate"] == "").to_numpy()
    first_user = np.empty(len(people), dtype=np.int64)
    first_user[profiles["person"].to_numpy()[primary]] = profiles["user_id"].to_numpy()[primary]

    step("purchases", 0.15)
    purchases = generate_purchases(people, end, tz, rng[2])
    hunters = None
    if spec.coupon_hunters > 0:
        stream = np.random.default_rng([spec.seed, k + 1, HUNTER_STREAM])
        hunters = stream.random(len(people)) < spec.coupon_hunters
    ledger = number_ledger(
        build_ledger(people, profiles, purchases, end, tz, rng[3], hunters),
        counters,
        rng[3],
    )

    step("messages", 0.35)
    consent_rows, email_consent = generate_consents(people, end, rng[4])
    paid = ledger["purchase"].to_numpy() & (ledger["paid_amount"].to_numpy() > 0)
    letters = simulate_newsletters(
        people.signup,
        email_consent,
        ledger["person"].to_numpy()[paid],
        ledger["paid"].to_numpy()[paid],
        people.engagement,
        spec.end,
        tz,
        rng[5],
    )
    esp = letters.events[letters.events["ts"] < end]
    withdrawals = email_consent.unsubscribes(letters.unsubscribed_at, end)
    consents = render_consents(
        pd.concat([consent_rows, withdrawals], ignore_index=True), people, first_user
    )

    step("activity", 0.55)
    events = generate_activity(people, profiles, ledger, end, tz, rng[6])
    orders = orders_frame(ledger, people, profiles, tz)
    payments = payments_frame(ledger, orders, PAYMENT_NUMBER_BASE + 1 + counters.payments, rng[7])
    counters.payments += exports.row_count(payments)
    lms = render_activity(events, profiles, counters.events + 1)
    counters.events += exports.row_count(lms)
    return Chunk(
        people=people,
        profiles=profiles,
        first_user=first_user,
        hunters=hunters,
        ledger=ledger,
        esp=esp,
        consents=consents,
        events=events,
        orders=orders,
        payments=payments,
        lms=lms,
        write_rng=rng[8],
    )


class _Step:
    def __init__(self, progress: Progress | None, chunk: int, chunks: int) -> None:
        self.progress, self.chunk, self.chunks = progress, chunk, chunks

    def __call__(self, stage: str, fraction: float) -> None:
        if self.progress is not None:
            self.progress(stage, (self.chunk + fraction) / self.chunks)


def _coupon_only(ledger: pd.DataFrame, hunters: np.ndarray) -> np.ndarray:
    """Repeat buyers (two or more paid purchases), those whose every purchase carries a
    discount, and the hunters among the repeat buyers."""
    paid = ledger["purchase"].to_numpy() & (ledger["paid_amount"].to_numpy() > 0)
    person = ledger["person"].to_numpy()[paid]
    n = len(hunters)
    bought = np.bincount(person, minlength=n)
    plain = np.bincount(person, weights=ledger["discount"].to_numpy()[paid] < 0, minlength=n)
    repeat = bought >= 2
    return np.array(
        [repeat.sum(), (repeat & (plain == 0)).sum(), (repeat & hunters).sum()], dtype=np.int64
    )


def last_active_of(profiles: pd.DataFrame, events: pd.DataFrame, ledger: pd.DataFrame):
    """Per profile: its last sign of life (creation, a learning event or an order), UTC
    seconds (the users export's ``Последняя активность``)."""
    last = profiles["created"].to_numpy().copy()
    np.maximum.at(last, events["profile"].to_numpy(), events["ts"].to_numpy())
    np.maximum.at(last, ledger["profile"].to_numpy(), ledger["created"].to_numpy())
    return last


def _esp_rows(events: pd.DataFrame, people) -> exports.Columns:
    order = np.argsort(events["ts"].to_numpy(), kind="stable")
    return {
        "email": people.email.take(pa.array(events["recipient"].to_numpy()[order])),
        "event": fm.labels(EVENTS, events["event"].to_numpy()[order]),
        "ts": events["ts"].to_numpy()[order],
        "campaign": exports.text(events["campaign"].to_numpy()[order]),
        "bounce_type": fm.labels(BOUNCE_TYPES, events["bounce"].to_numpy()[order]),
    }


def _state_rows(people, profiles: pd.DataFrame) -> pa.Table:
    person = profiles["person"].to_numpy()
    take = pa.array(person)

    def text(values: pa.Array) -> pa.Array:
        return pc.cast(values, pa.string())

    return pa.table(
        {
            "user_id": profiles["user_id"].to_numpy(),
            "person": people.person[person],
            "duplicate": pa.array(profiles["duplicate"], type=pa.string()),
            "email": text(people.email.take(take)),
            "email_raw": pa.array(profiles["email_raw"], type=pa.string()),
            "phone_raw": pa.array(profiles["phone_raw"], type=pa.string()),
            "name": text(people.name.take(take)),
            "city": text(fm.labels(CITY_LIST, people.city[person])),
            "timezone": text(fm.labels(ZONES, people.zone[person])),
            "price_sensitivity": people.sensitivity[person],
            "engagement": people.engagement[person],
        },
        schema=STATE_SCHEMA,
    )
