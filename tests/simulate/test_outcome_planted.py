"""A wave's multi-channel touch paths and the behaviour the monitors watch, planted.

Two schools: a synthetic one (truth.json and state.parquet only, a planted conversion of
25 % in every arm, so there are many converters) for touch paths, assists, the ESP
rates and coupon waiters; the simulated school of conftest (3 000 people with a
history) for the knobs that read the history (leak, active orders) and the imports.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from livebase.errors import InputError
from livebase.ingest.pipeline import import_file
from livebase.simulate import ARMS, TIERS, PlantedTruth, SchoolSpec, simulate_school
from livebase.simulate.outcomes import EXTRA_IDS, first_wave_order_id, wave_outcomes
from livebase.simulate.school import STATE_SCHEMA
from livebase.simulate.truth import Behaviour
from livebase.store.workspace import Workspace
from tests.simulate import exportfiles as ef
from tests.simulate.test_outcomes import STARTS, _assign

TZ = "Europe/Moscow"
DAYS = 14
RATE = 0.25  # the synthetic school's conversion in every arm
N_SYNTH = 6_000
# the plan of every contacted member: touch_no, day, channel, condition, until_day, per_day
PLAN = (
    (1, 0, "email", None, None, None),
    (2, 0, "retargeting", None, 13, 2),
    (3, 2, "messenger", None, None, None),
    (4, 4, "email", None, None, None),
    (5, 3, "push", None, None, None),
    (6, 8, "sms", "registered", None, None),
    (9, 9, "messenger", None, None, None),
    (13, 13, "call", "interest", None, None),
    (104, 5, "sms", "email_unopened", None, None),
)
FIRST_TOUCH = datetime(2025, 5, 12, 7)  # naive UTC: 10:00 in Moscow on the first day
START_UTC = datetime(2025, 5, 11, 21)  # 00:00 of STARTS in Moscow
RETARGETING_DAYS = 14  # 07:00 UTC of day 0 to 21:00 UTC of day 13: fourteen UTC days
# sha256 of the files of the conftest school and of its default wave (W1, seed 3), made
# by the simulator before touches and behaviour existed: with the new arguments at their
# defaults nothing may change (an intended change of the simulator updates these)
PINNED_SCHOOL = {
    "consents.csv": "bf3466e3c200ccefcefb15d3f20475539cd32fa9f8c1ef91e589da6805436d17",
    "esp_events.csv": "7a9d41a695fbe40525a60fccb1cd521294c9ea19fa5e18af42f76e62e72548bd",
    "lms_events.csv": "ddc65ad14022d4dbcdc2472de3e4d8d833f6ab6c220909df7346fe7cc276e1e1",
    "orders.csv": "7ea7940742e4634a7280d3ca63e221fa0c536252e64ed3f0238c3f86d7c1f77b",
    "payments.csv": "875019a6ab665491dbad3fcd0690c6b26a0b65889fdffc231a0cb13698b62bd5",
    "state.parquet": "0a3e534283317a100f80b638c5104c5f4965f5153bede5bf8b88b46a54a1165b",
    "truth.json": "3fb9b6b9e304643d4452189bbc83887d8498be1e81265e84adbaf71769e2c9d8",
    "users.csv": "8e35ab443aa4819786e54c94a77464e3e744235753064f9beb83a32cd2117432",
}
PINNED_WAVE = {
    "costs.csv": "d25e1e49ef4c296ed081b726ba6dcd0aee57ca74b036e0e04308b32293e143d3",
    "esp_events.csv": "8ff4aa244612aa8edc2ef829cd2d23fb2e883285a907429be57058f23e8fc898",
    "nps.csv": "f779b95efd151b853e2f5ea026a20ff43ac8ea4f14b37256c372ee84ec16d0a6",
    "orders.csv": "c9ab35fc9cde56a50f3b409da62c86500fd42d548669baa60e6d6701d61963db",
}
PAID_STATUSES = {"Завершен", "Частично оплачен", "Ожидаем возврата"}
WEBINARS = "Вебинар"  # webinar recordings are orders, not purchases


def _sha(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _four_sigma(p: float, n: int) -> float:
    return 4 * math.sqrt(p * (1 - p) / n)


def _plan(customers) -> pd.DataFrame:
    rows = []
    for c in customers:
        for no, day, channel, condition, until, per_day in PLAN:
            rows.append(
                {
                    "wave_id": "W1",
                    "customer_id": c,
                    "touch_no": no,
                    "planned_at": FIRST_TOUCH + timedelta(days=day),
                    "channel": channel,
                    "condition": condition,
                    "ends_at": FIRST_TOUCH + timedelta(days=until, hours=14) if until else pd.NaT,
                    "frequency": per_day,
                }
            )
    return pd.DataFrame(rows)


def _synthetic_school(folder: Path) -> pd.DataFrame:
    folder.mkdir(parents=True)
    rates = {tier: dict.fromkeys(ARMS, RATE) for tier in TIERS}
    PlantedTruth.planted(
        seed=1,
        end=date(2025, 5, 5),
        customers=N_SYNTH,
        last_order_id=180_500_000,
        last_order_number=60_000,
        response_rates=rates,
    ).save(folder / "truth.json")
    user = 300_000 + 3 * np.arange(N_SYNTH)
    emails = [f"p{i}@test.ru" for i in range(N_SYNTH)]
    table = pa.table(
        {
            "user_id": user,
            "person": np.arange(N_SYNTH),
            "duplicate": [""] * N_SYNTH,
            "email": emails,
            "email_raw": emails,
            "phone_raw": [""] * N_SYNTH,
            "name": ["Анна Иванова"] * N_SYNTH,
            "city": ["Москва"] * N_SYNTH,
            "timezone": [TZ] * N_SYNTH,
            "price_sensitivity": np.full(N_SYNTH, 0.5),
            "engagement": np.full(N_SYNTH, 0.5),
        },
        schema=STATE_SCHEMA,
    )
    pq.write_table(table, folder / "state.parquet")
    return pd.DataFrame(
        {
            "customer_id": [f"gc:{u}" for u in user],
            "arm": [ARMS[i % len(ARMS)] for i in range(N_SYNTH)],
            "sleep_tier": "R90",
            "email": emails,
        }
    )


def _esp(path: Path) -> pd.DataFrame:
    esp = ef.read(path, sep=",")
    esp["at"] = pd.to_datetime(esp["timestamp"], format="%Y-%m-%dT%H:%M:%SZ")
    return esp


def _paid_utc(orders: pd.DataFrame, column: str = "Дата оплаты") -> pd.Series:
    return (
        pd.to_datetime(orders[column], format="%d.%m.%Y %H:%M")
        .dt.tz_localize(TZ)
        .dt.tz_convert("UTC")
        .dt.tz_localize(None)
    )


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory):
    """The synthetic wave with touches and coupon waiters (and its files)."""
    root = tmp_path_factory.mktemp("synthetic")
    members = _synthetic_school(root / "school")
    contacted = members.loc[members["arm"] != "holdout", "customer_id"]
    files = wave_outcomes(
        root / "school",
        members[["customer_id", "arm", "sleep_tier"]],
        wave_id="W1",
        starts_on=STARTS,
        days=DAYS,
        seed=5,
        out_dir=root / "out",
        touches=_plan(contacted),
        behaviour=Behaviour(coupon_wait=0.5),
    )
    orders = ef.orders(files.orders).merge(members, left_on="Email", right_on="email", how="left")
    planted = json.loads(files.planted.read_text(encoding="utf-8"))
    return root, members, files, orders, _esp(files.esp_events), planted


# ---------------------------------------------------------------- defaults stay as they were


def test_defaults_give_the_pinned_bytes(school, school_dir: Path, tmp_path: Path) -> None:
    assert _sha(school_dir) == PINNED_SCHOOL
    members = _assign(school_dir)
    args = {"wave_id": "W1", "starts_on": STARTS, "days": 14, "seed": 3}
    files = wave_outcomes(school_dir, members, out_dir=tmp_path / "a", **args)
    assert files.planted is None
    assert _sha(tmp_path / "a") == PINNED_WAVE
    # a behaviour at its defaults changes no byte either; it only adds planted.json
    files = wave_outcomes(
        school_dir, members, out_dir=tmp_path / "b", behaviour=Behaviour(), **args
    )
    assert _sha(tmp_path / "b") == PINNED_WAVE | {
        "planted.json": _sha(tmp_path / "b")["planted.json"]
    }
    planted = json.loads(files.planted.read_text(encoding="utf-8"))
    assert planted["behaviour"] == {
        "spam_rate": 0.0005,
        "unsubscribe_rate": 0.003,
        "leak_active": 0.0,
        "active_orders": False,
        "active_aov_shift": 0.0,
        "coupon_wait": 0.0,
        "assist_click": 0.35,
    }
    assert not {"leak", "active_orders", "coupon_wait", "assist"} & set(planted)


# ---------------------------------------------------------------- touch paths


def test_non_email_touches_make_events_with_their_campaigns(synthetic) -> None:
    _, members, _, orders, esp, planted = synthetic
    contacted = (members["arm"] != "holdout").sum()
    assert set(esp["channel"]) == {"email", "messenger", "push", "sms", "retargeting", "call"}
    other = esp[esp["channel"] != "email"]
    arm_of = dict(zip(members["email"], members["arm"], strict=True))
    touch_no = other["campaign"].str.extract(r"^lb:W1:(\w+):(\d+)$")
    assert touch_no.notna().all().all()
    assert (touch_no[0] == other["email"].map(arm_of)).all(), "campaign carries the arm"
    by_channel = {
        "retargeting": {"2"},
        "messenger": {"3", "9"},
        "push": {"5"},
        "sms": {"104"},
        "call": {"13"},
    }
    for channel, numbers in by_channel.items():
        assert set(touch_no[1][other["channel"] == channel]) == numbers, channel
    assert not set(other["email"]) & set(members.loc[members["arm"] == "holdout", "email"])
    # e-mails are as without touches: six sends to every contacted member
    first = esp[(esp["channel"] == "email") & (esp["event"] == "sent")]
    assert first["campaign"].str.endswith(":1").sum() == contacted
    # rates, on the members who did not buy (a converter's clicks are planted)
    quiet = other[~other["email"].isin(orders["email"])]
    counts = quiet.groupby(["channel", "event"]).size()
    for channel, event, share in (
        ("messenger", "delivered", 0.97),
        ("messenger", "open", 0.60),
        ("messenger", "click", 0.08),
        ("push", "delivered", 0.97),
        ("push", "click", 0.08),
        ("sms", "delivered", 0.98),
        ("sms", "click", 0.03),
    ):
        sent = counts[(channel, "sent")]
        assert abs(counts[(channel, event)] / sent - share) <= _four_sigma(share, sent), (
            channel,
            event,
        )
    assert ("sms", "open") not in counts
    calls = other[other["channel"] == "call"]
    assert set(calls["event"]) == {"sent", "delivered"}
    assert (calls["event"] == "sent").sum() == (calls["event"] == "delivered").sum()
    # retargeting: two impressions on each of the fourteen UTC days of the span
    shown = other[(other["channel"] == "retargeting") & (other["event"] == "impression")]
    assert (shown.groupby("email").size() == 2 * RETARGETING_DAYS).all()
    assert shown["email"].nunique() == contacted
    assert shown["at"].min() >= FIRST_TOUCH
    assert shown["at"].max() < FIRST_TOUCH + timedelta(days=13, hours=14)
    days = (other["channel"] == "retargeting") & (other["event"] == "click")
    quiet_days = quiet[(quiet["channel"] == "retargeting") & (quiet["event"] == "click")]
    n_days = shown["email"].isin(quiet["email"]).sum() // 2
    assert abs(len(quiet_days) / n_days - 0.01) <= _four_sigma(0.01, n_days)
    assert days.sum() >= len(quiet_days)
    assert planted["channels"]["sms"] == {
        "planned": 2 * contacted,  # the cascade and the "registered" sms
        "sent": int((other["channel"] == "sms").mul(other["event"] == "sent").sum()),
    }


def test_conditions_read_the_events_before_the_touch(synthetic) -> None:
    _, members, _, _, esp, _ = synthetic
    contacted = set(members.loc[members["arm"] != "holdout", "email"])
    clicks = esp[esp["event"] == "click"]
    call_at = FIRST_TOUCH + timedelta(days=13)
    interested = set(clicks.loc[clicks["at"] < call_at, "email"])
    called = esp[(esp["channel"] == "call") & (esp["event"] == "sent")]
    # interest: exactly the members with a click of any channel before the call
    assert set(called["email"]) == interested & contacted
    assert 0 < len(interested) < len(contacted)
    # email_unopened (touch 104, after e-mail 4 of day 4): no e-mail opened or clicked
    # between the e-mail's and the cascade's planned times; "registered" never holds
    parent, cascade = FIRST_TOUCH + timedelta(days=4), FIRST_TOUCH + timedelta(days=5)
    email = esp[(esp["channel"] == "email") & esp["event"].isin(["open", "click"])]
    seen = set(email.loc[(email["at"] >= parent) & (email["at"] < cascade), "email"])
    sms = esp[(esp["channel"] == "sms") & (esp["event"] == "sent")]
    assert set(sms["email"]) == contacted - seen
    assert seen
    assert not sms["campaign"].str.endswith(":6").any()


def test_assist_clicks_recover_the_planted_rate(synthetic) -> None:
    _, _, _, orders, esp, planted = synthetic
    buyers = orders[orders["Промоакция"] != ""].copy()
    buyers["paid_at"] = _paid_utc(buyers)
    assist = planted["assist"]
    assert assist["rate"] == 0.35
    assert assist["window_days"] == 14
    by_customer = dict(zip(buyers["customer_id"], buyers["email"], strict=True))
    assert len(buyers) > 800
    clicks = esp[esp["event"] == "click"].merge(
        buyers[["email", "paid_at"]], on="email", how="inner"
    )
    # minutes are truncated in orders.csv: a click in the order's minute is "before" it
    before = clicks[clicks["at"] < clicks["paid_at"] + timedelta(minutes=1)]
    for channel in ("messenger", "retargeting"):
        eligible = assist[channel]["eligible"]
        assisted = assist[channel]["assisted"]
        mine = before[before["channel"] == channel]
        assert set(mine["email"]) == {by_customer[c] for c in assisted}, channel
        assert (mine["at"] <= mine["paid_at"] - timedelta(hours=2) + timedelta(minutes=1)).all()
        assert (mine["at"] >= mine["paid_at"] - timedelta(days=14)).all()
        assert mine["email"].is_unique, "one assisting click per channel and converter"
        share = len(assisted) / len(eligible)
        assert abs(share - 0.35) <= _four_sigma(0.35, len(eligible)), (channel, share)
        assert len(eligible) > 400
    # no other channel clicks before the order, and the e-mail click stays the last one
    assert set(before["channel"]) == {"email", "messenger", "retargeting"}
    last = before.sort_values("at").groupby("email").tail(1)
    assert (last["channel"] == "email").all()
    assert set(last["email"]) == set(buyers["email"])
    # every assisting retargeting click follows an impression of the same day
    shown = esp[(esp["channel"] == "retargeting") & (esp["event"] == "impression")]
    rt = before[before["channel"] == "retargeting"]
    first_shown = shown.groupby([shown["email"], shown["at"].dt.date])["at"].min()
    day_of = pd.MultiIndex.from_arrays([rt["email"], rt["at"].dt.date])
    assert (first_shown.reindex(day_of).to_numpy() <= rt["at"].to_numpy()).all()


def test_the_same_touches_give_the_same_bytes(tmp_path: Path) -> None:
    members = _synthetic_school(tmp_path / "school").head(400)
    touches = _plan(members.loc[members["arm"] != "holdout", "customer_id"])
    runs = []
    for name, frame in (("a", touches), ("b", touches.sample(frac=1.0, random_state=3))):
        files = wave_outcomes(
            tmp_path / "school",
            members[["customer_id", "arm", "sleep_tier"]],
            wave_id="W1",
            starts_on=STARTS,
            days=DAYS,
            seed=5,
            out_dir=tmp_path / name,
            touches=frame,
        )
        runs.append({k: getattr(files, k).read_bytes() for k in ("orders", "esp_events")})
    assert runs[0] == runs[1]


# ---------------------------------------------------------------- knobs


def test_coupon_waiters_leave_an_unpaid_order_before_the_start(synthetic) -> None:
    _, _, files, orders, _, planted = synthetic
    info = planted["coupon_wait"]
    pending = orders[orders["Статус"] == "Новый"]
    paid = orders[orders["Статус"] == "Завершен"]
    discount = paid[paid["arm"] == "discount"]
    assert info["converters"] == len(discount) > 200
    assert set(pending["customer_id"]) == set(info["customer_ids"])
    assert set(pending["customer_id"]) <= set(discount["customer_id"])
    share = len(pending) / len(discount)
    assert abs(share - 0.5) <= _four_sigma(0.5, len(discount))
    assert (pending["Оплачено"] == "0").all()
    assert (pending["Дата оплаты"] == "").all()
    assert (pending["Скидка"] == "").all()
    # the same title as the paid coupon order, at its list price
    coupon = discount.set_index("customer_id")
    for _, row in pending.iterrows():
        bought = coupon.loc[row["customer_id"]]
        assert row["Title"] == bought["Title"]
        list_price = ef.kopecks(bought["Стоимость, RUB"]) + ef.kopecks(bought["Скидка"])
        assert ef.kopecks(row["Стоимость, RUB"]) == list_price
    created = pd.to_datetime(pending["Дата создания"], format="%d.%m.%Y %H:%M")
    start = datetime.combine(STARTS, datetime.min.time())
    assert created.min() >= start - timedelta(days=10)
    assert created.max() <= start - timedelta(days=1)
    # new ids from the upper half of the wave's block; the wave's own orders come first
    truth = PlantedTruth.load(files.orders.parent.parent / "school" / "truth.json")
    first_id, _ = first_wave_order_id(truth, "W1")
    ids = pending["ID заказа"].astype(int)
    assert ids.min() == first_id + EXTRA_IDS
    assert sorted(ids.tolist()) == info["order_ids"]
    assert (paid["ID заказа"].astype(int) < first_id + EXTRA_IDS).all()
    assert (
        orders.index[orders["Статус"] == "Новый"].min()
        > orders.index[orders["Статус"] == "Завершен"].max()
    )


def test_spam_and_unsubscribe_rates_are_knobs(tmp_path: Path) -> None:
    members = _synthetic_school(tmp_path / "school")[["customer_id", "arm", "sleep_tier"]]
    args = {"wave_id": "W1", "starts_on": STARTS, "days": DAYS, "seed": 5}
    loud = Behaviour(spam_rate=0.01, unsubscribe_rate=0.02)
    quiet = wave_outcomes(tmp_path / "school", members, out_dir=tmp_path / "q", **args)
    files = wave_outcomes(
        tmp_path / "school", members, out_dir=tmp_path / "l", behaviour=loud, **args
    )
    for path, spam, unsubscribe in (
        (quiet.esp_events, 0.0005, 0.003),
        (files.esp_events, 0.01, 0.02),
    ):
        counts = _esp(path)["event"].value_counts()
        sent = counts["sent"]
        assert abs(counts["spam"] / sent - spam) <= _four_sigma(spam, sent), path
        assert abs(counts["unsubscribe"] / sent - unsubscribe) <= _four_sigma(unsubscribe, sent)
    # only the e-mails move: who bought stays the same
    assert ef.orders(quiet.orders)["ID пользователя"].tolist() == (
        ef.orders(files.orders)["ID пользователя"].tolist()
    )


def _persons(school_dir: Path) -> tuple[dict[str, int], dict[str, int]]:
    """User id → person, and ESP address → person."""
    users = ef.users(school_dir / "users.csv")
    person = ef.person_of_profiles(users)
    email = {e.strip().lower(): person[u] for u, e in zip(users["id"], users["Email"], strict=True)}
    return person, email


def _recent_orders(school_dir: Path, days: int, outside: set[int], person) -> pd.DataFrame:
    """Purchases of the history in the ``days`` before the start, of persons outside."""
    history = ef.orders(school_dir / "orders.csv")
    history = history[
        history["Статус"].isin(PAID_STATUSES)
        & (history["Оплачено"].map(ef.kopecks) > 0)
        & (history["Дата оплаты"] != "")
        & ~history["Title"].str.startswith(WEBINARS)
    ].copy()
    paid = pd.to_datetime(history["Дата оплаты"], format="%d.%m.%Y %H:%M")
    start = datetime.combine(STARTS, datetime.min.time())
    history = history[(paid >= start - timedelta(days=days)) & (paid < start)]
    history["person"] = history["ID пользователя"].map(person)
    return history[history["person"].isin(outside)]


def test_leaked_emails_reach_the_planted_share_of_active_customers(
    school, school_dir: Path, tmp_path: Path
) -> None:
    members = _assign(school_dir).iloc[::2]
    person, by_email = _persons(school_dir)
    assigned = {person[c[3:]] for c in members["customer_id"]}
    outside = set(person.values()) - assigned
    active = set(_recent_orders(school_dir, 30, outside, person)["person"])
    files = wave_outcomes(
        school_dir,
        members,
        wave_id="W1",
        starts_on=STARTS,
        days=14,
        seed=3,
        out_dir=tmp_path,
        behaviour=Behaviour(leak_active=0.3),
    )
    planted = json.loads(files.planted.read_text(encoding="utf-8"))["leak"]
    assert planted["active_customers"] == len(active) > 60
    esp = _esp(files.esp_events)
    esp["person"] = esp["email"].map(by_email)
    reached = esp[~esp["person"].isin(assigned)]
    leaked = set(reached["person"])
    assert leaked <= active
    assert leaked == {person[c[3:]] for c in planted["customer_ids"]}
    share = len(leaked) / len(active)
    assert abs(share - 0.3) <= _four_sigma(0.3, len(active)), share
    # the wave's six e-mails as the control arm, after the members' rows
    assert set(reached["campaign"]) == {f"lb:W1:control:{n}" for n in range(1, 7)}
    sent = reached[reached["event"] == "sent"]
    assert sent["campaign"].str.endswith(":1").sum() == len(leaked)
    assert reached.index.min() > esp.index[~esp["person"].isin(leaked)].max()
    # the ESP cost counts the leaked e-mails too
    costs = ef.read(files.costs, sep=",")
    esp_cost = costs.loc[costs["kind"] == "esp", "amount"].astype(float).sum()
    assert esp_cost == pytest.approx(0.75 * (esp["event"] == "sent").sum())


@pytest.mark.parametrize("days", [90, 14])
def test_active_customers_buy_at_their_pace_with_the_planted_aov_shift(
    school, school_dir: Path, tmp_path: Path, days: int
) -> None:
    members = _assign(school_dir).iloc[::2]
    person, _ = _persons(school_dir)
    assigned = {person[c[3:]] for c in members["customer_id"]}
    base = _recent_orders(school_dir, 90, set(person.values()) - assigned, person)
    files = wave_outcomes(
        school_dir,
        members,
        wave_id="W1",
        starts_on=STARTS,
        days=days,
        seed=3,
        out_dir=tmp_path,
        behaviour=Behaviour(active_orders=True, active_aov_shift=-0.05),
    )
    planted = json.loads(files.planted.read_text(encoding="utf-8"))["active_orders"]
    orders = ef.orders(files.orders)
    new = orders[orders["ID заказа"].astype(int).isin(planted["order_ids"])].copy()
    assert len(new) == planted["orders"] > 0
    assert (new["Статус"] == "Завершен").all()
    assert (new["utm_source"] == "").all()
    new["person"] = new["ID пользователя"].map(person)
    assert set(new["person"]) <= set(base["person"]), "only recent buyers outside the wave"
    paid = _paid_utc(new)
    start = START_UTC
    assert paid.min() >= start
    assert paid.max() < start + timedelta(days=days)
    amount = new["Оплачено"].map(ef.kopecks)
    before = base["Оплачено"].map(ef.kopecks)
    assert planted["orders_before"] == len(base)
    assert planted["aov_before"] == pytest.approx(before.mean() / 100, abs=0.01)
    if days == 90:
        # every order of the 90 days recurs once: per person the same amounts × 0.95
        expected = (
            (before * 0.95 / 100).round().mul(100).astype(int).groupby(base["person"]).apply(sorted)
        )
        got = amount.groupby(new["person"]).apply(sorted)
        assert got.to_dict() == expected.to_dict()
        assert amount.mean() / before.mean() == pytest.approx(0.95, abs=0.001)
    else:
        # a fourteen-ninetieth of the orders, spread evenly over the amounts
        assert abs(len(new) - len(base) * days / 90) <= 1
        assert amount.mean() / before.mean() == pytest.approx(0.95, abs=0.1)


def test_coupon_hunters_only_buy_with_a_discount(tmp_path: Path) -> None:
    spec = SchoolSpec(customers=2_000, seed=3, chunk_size=900)
    plain = simulate_school(spec, tmp_path / "plain")
    hunted = simulate_school(
        SchoolSpec(customers=2_000, seed=3, chunk_size=900, coupon_hunters=0.3), tmp_path / "h"
    )
    assert "coupon_hunters" not in json.loads(plain.truth.read_text(encoding="utf-8"))
    truth = PlantedTruth.load(hunted.truth)
    assert truth.coupon_hunters == 0.3
    counts = truth.counts
    repeat = counts["repeat_buyers"]
    share = counts["coupon_hunter_repeat_buyers"] / repeat
    assert abs(share - 0.3) <= _four_sigma(0.3, repeat)
    # from the file: repeat buyers (two or more paid orders) whose every paid order has
    # a discount
    shares = {}
    for name, files in (("plain", plain), ("hunted", hunted)):
        orders = ef.orders(files.orders)
        paid = orders[
            orders["Статус"].isin(PAID_STATUSES)
            & (orders["Оплачено"].map(ef.kopecks) > 0)
            & (orders["ID рассрочки"] == "")
        ]
        person = ef.person_of_profiles(ef.users(files.users))
        per = paid.assign(
            person=paid["ID пользователя"].map(person), discounted=paid["Скидка"] != ""
        ).groupby("person")["discounted"]
        repeat_buyers = per.size() >= 2
        shares[name] = per.all()[repeat_buyers].mean()
    assert shares["plain"] < 0.1
    assert shares["hunted"] > shares["plain"] + 0.2
    assert shares["hunted"] == pytest.approx(counts["coupon_only_repeat_buyers"] / repeat, abs=0.05)


# ---------------------------------------------------------------- imports and errors


def test_a_wave_with_every_knob_imports_through_the_presets(
    school, school_dir: Path, tmp_path: Path
) -> None:
    members = _assign(school_dir).iloc[::2]
    contacted = members.loc[members["arm"] != "holdout", "customer_id"]
    files = wave_outcomes(
        school_dir,
        members,
        wave_id="W1",
        starts_on=STARTS,
        days=14,
        seed=3,
        out_dir=tmp_path / "wave",
        touches=_plan(contacted),
        behaviour=Behaviour(leak_active=0.2, active_orders=True, coupon_wait=1.0, spam_rate=0.002),
    )
    planted = json.loads(files.planted.read_text(encoding="utf-8"))
    ws = Workspace.init(tmp_path / "ws", school="Test school")
    try:
        results = {
            preset: import_file(ws, path, preset)
            for path, preset in (
                (school_dir / "users.csv", "getcourse-users"),
                (files.orders, "getcourse-orders"),
                (files.esp_events, "esp-events"),
            )
        }
        for preset, result in results.items():
            assert result.rows_rejected == 0, (preset, result)
            assert result.rows_loaded == result.rows_in, preset
        messages = ws.table("messages").to_pandas()
        assert set(messages["channel"]) == {
            "email",
            "messenger",
            "push",
            "sms",
            "retargeting",
            "call",
        }
        assert set(messages["event"]) >= {"impression", "clicked", "opened", "complained"}
        touch = messages[messages["channel"] == "messenger"]
        assert set(touch["wave_id"]) == {"W1"}
        assert set(touch["touch_id"]) == {"3", "9"}
        orders = ws.table("orders").to_pandas()
        pending = orders[orders["status"] == "pending"]
        assert len(pending) == len(planted["coupon_wait"]["order_ids"]) > 0
        assert len(orders) == len(ef.orders(files.orders))
    finally:
        ws.close()


def test_bad_touches_and_knobs_are_input_errors(school_dir: Path, tmp_path: Path) -> None:
    members = _assign(school_dir).head(40)
    contacted = members.loc[members["arm"] != "holdout", "customer_id"]
    holdout = members.loc[members["arm"] == "holdout", "customer_id"]
    good = _plan(contacted.head(2))
    args = {"wave_id": "W1", "starts_on": STARTS, "days": 14, "seed": 3, "out_dir": tmp_path}
    for touches, message in (
        (_plan(holdout.head(1)), "holdout"),
        (_plan(["gc:1"]), "not in the wave"),
        (good.assign(channel="pigeon"), "unknown channel"),
        (good.assign(condition="sunny"), "unknown condition"),
        (good.assign(wave_id="W2"), "another wave"),
        (good.drop(columns="planned_at"), "planned_at"),
        (good.assign(planned_at=pd.NaT), "missing"),
        (pd.concat([good, good.head(1)]), "same touch_no"),
        (good.assign(ends_at=datetime(2030, 1, 1)), "exceeds"),
    ):
        with pytest.raises(InputError, match=message):
            wave_outcomes(school_dir, members, touches=touches, **args)
    with pytest.raises(InputError, match="leak_active"):
        Behaviour(leak_active=-0.1)
    with pytest.raises(InputError, match="active_aov_shift"):
        Behaviour(active_aov_shift=-1.0)
    with pytest.raises(InputError, match="spam_rate"):
        Behaviour(spam_rate=0.7)
    with pytest.raises(InputError, match="coupon_hunters"):
        SchoolSpec(customers=100, coupon_hunters=2.0)
    with pytest.raises(InputError, match="Behaviour"):
        wave_outcomes(school_dir, members, behaviour={"leak_active": 0.1}, **args)


def test_assist_rate_zero_leaves_no_converter_click_but_the_email(tmp_path: Path) -> None:
    members = _synthetic_school(tmp_path / "school").head(2_000)
    files = wave_outcomes(
        tmp_path / "school",
        members[["customer_id", "arm", "sleep_tier"]],
        wave_id="W1",
        starts_on=STARTS,
        days=DAYS,
        seed=5,
        out_dir=tmp_path / "out",
        touches=_plan(members.loc[members["arm"] != "holdout", "customer_id"]),
        behaviour=Behaviour(assist_click=0.0),
    )
    planted = json.loads(files.planted.read_text(encoding="utf-8"))["assist"]
    assert planted["messenger"]["assisted"] == planted["retargeting"]["assisted"] == []
    assert len(planted["messenger"]["eligible"]) > 100
    orders = ef.orders(files.orders)
    buyers = orders[orders["Промоакция"] != ""].assign(paid_at=lambda o: _paid_utc(o))
    esp = _esp(files.esp_events)
    clicks = esp[esp["event"] == "click"].merge(
        buyers[["Email", "paid_at"]], left_on="email", right_on="Email"
    )
    before = clicks[clicks["at"] < clicks["paid_at"] + timedelta(minutes=1)]
    assert set(before["channel"]) == {"email"}
