"""Wave outcomes: planted conversion rates, orders and ESP events of a wave."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from livebase.errors import InputError
from livebase.simulate import ARMS, TIERS, PlantedTruth, SchoolFiles
from livebase.simulate.outcomes import wave_outcomes
from livebase.simulate.school import STATE_SCHEMA
from tests.simulate import exportfiles as ef

PER_CELL = 12_000  # members per (tier, arm): 48 000 per arm
ZONES = ("Europe/Moscow", "Asia/Vladivostok", "Europe/Kaliningrad", "Asia/Yekaterinburg")
STARTS = date(2025, 5, 12)
DAYS = 14
HISTORY_LAST_ORDER = 180_500_000


def _synthetic_school(folder: Path) -> pd.DataFrame:
    """A school of 144 000 people written straight into truth.json and state.parquet,
    with a (tier, arm) assignment of all of them: no importer involved."""
    n = PER_CELL * len(TIERS) * len(ARMS)
    folder.mkdir(parents=True)
    PlantedTruth.planted(
        seed=1,
        end=date(2025, 5, 5),
        customers=n,
        last_order_id=HISTORY_LAST_ORDER,
        last_order_number=60_000,
    ).save(folder / "truth.json")
    user = 200_000 + 3 * np.arange(n)
    emails = [f"p{i}@test.ru" for i in range(n)]
    table = pa.table(
        {
            "user_id": user,
            "person": np.arange(n),
            "duplicate": [""] * n,
            "email": emails,
            "email_raw": emails,
            "phone_raw": [""] * n,
            "name": ["Анна Иванова"] * n,
            "city": ["Москва"] * n,
            "timezone": [ZONES[i % len(ZONES)] for i in range(n)],
            "price_sensitivity": np.full(n, 0.5),
            "engagement": np.full(n, 0.5),
        },
        schema=STATE_SCHEMA,
    )
    pq.write_table(table, folder / "state.parquet")
    cell = np.arange(n) % (len(TIERS) * len(ARMS))
    return pd.DataFrame(
        {
            "customer_id": [f"gc:{u}" for u in user],
            "arm": [ARMS[c % len(ARMS)] for c in cell],
            "sleep_tier": [TIERS[c // len(ARMS)] for c in cell],
            "email": emails,
        }
    )


@pytest.fixture(scope="module")
def wave(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("wave")
    members = _synthetic_school(root / "school")
    files = wave_outcomes(
        root / "school",
        members[["customer_id", "arm", "sleep_tier"]],
        wave_id="W-R-1",
        starts_on=STARTS,
        days=DAYS,
        seed=42,
        out_dir=root / "out",
    )
    orders = ef.orders(files.orders)
    orders["email_key"] = orders["Email"]
    orders = orders.merge(members, left_on="email_key", right_on="email", how="left")
    esp = ef.esp_table(files.esp_events)
    truth = PlantedTruth.load(root / "school" / "truth.json")
    return members, orders, esp, truth


def _four_sigma(p: float, n: int) -> float:
    return 4 * math.sqrt(p * (1 - p) / n)


def test_conversion_rates_are_the_planted_ones(wave) -> None:
    members, orders, _, truth = wave
    bought = members["customer_id"].isin("gc:" + orders["ID пользователя"])
    assert orders["ID пользователя"].is_unique, "one order per converter"
    rates = (
        members.assign(bought=bought).groupby(["sleep_tier", "arm"])["bought"].agg(["mean", "size"])
    )
    for (tier, arm), row in rates.iterrows():
        planted = truth.rate(tier, arm)
        assert row["size"] == PER_CELL
        assert abs(row["mean"] - planted) <= _four_sigma(planted, PER_CELL), (tier, arm)
    per_arm = members.assign(bought=bought).groupby("arm")["bought"].mean()
    assert per_arm["holdout"] < per_arm["control"] < per_arm["value"] < per_arm["discount"]


def test_order_amounts_follow_the_tier_aov(wave) -> None:
    _, orders, _, truth = wave
    amount = orders["Стоимость, RUB"].map(ef.kopecks) / 100
    assert (amount == orders["Оплачено"].map(ef.kopecks) / 100).all()
    for (tier, arm), paid in amount.groupby([orders["sleep_tier"], orders["arm"]]):
        expected = truth.expected_aov(tier, arm)
        spread = 0.45 * truth.list_aov(tier)  # the three price points are ±44 % of the mean
        assert abs(paid.mean() - expected) <= 4 * spread / math.sqrt(len(paid)), (tier, arm)
    discount = orders["arm"] == "discount"
    assert (orders.loc[discount, "Использован промокод"] == "BACK15").all()
    assert (orders.loc[~discount, "Использован промокод"] == "").all()
    list_price = amount + orders["Скидка"].replace("", "0").map(ef.kopecks) / 100
    share = (list_price - amount) / list_price
    assert np.allclose(share[discount], 0.15)
    assert (orders.loc[~discount, "Скидка"] == "").all()


def test_orders_are_new_paid_and_inside_the_window(wave) -> None:
    _, orders, _, truth = wave
    ids = orders["ID заказа"].astype(int)
    assert ids.is_unique
    assert ids.min() > truth.last_order_id
    assert orders["Номер"].astype(int).min() > truth.last_order_number
    assert set(orders["Статус"]) == {"Завершен"}
    start = datetime.combine(STARTS, datetime.min.time())
    for col in ("Дата создания", "Дата оплаты"):
        at = pd.to_datetime(orders[col], format="%d.%m.%Y %H:%M")
        assert at.min() >= start
        assert at.max() < start + timedelta(days=DAYS)
    contacted = orders["arm"] != "holdout"
    offer = "lb:W-R-1:" + orders["arm"]
    assert (orders.loc[contacted, "Промоакция"] == offer[contacted]).all()
    assert (orders.loc[~contacted, "Промоакция"] == "").all()
    assert orders.loc[contacted, "utm_campaign"].str.fullmatch(r"lb:W-R-1:\w+:[1-6]").all()


def test_holdout_gets_no_messages_and_others_six_emails(wave) -> None:
    members, _, esp, _ = wave
    reached = set(esp["email"].unique().to_pylist())
    holdout = set(members.loc[members["arm"] == "holdout", "email"])
    assert not reached & holdout
    sent = esp.filter(pc.equal(esp["event"], "sent"))
    first = sent.filter(pc.ends_with(sent["campaign"], ":1"))
    assert first.num_rows == (members["arm"] != "holdout").sum()
    campaigns = set(sent["campaign"].unique().to_pylist())
    assert campaigns == {f"lb:W-R-1:{a}:{n}" for a in ARMS[1:] for n in range(1, 7)}


def test_esp_funnel_rates(wave) -> None:
    _, _, esp, _ = wave
    counts = dict(
        zip(*(v.to_pylist() for v in pc.value_counts(esp["event"]).flatten()), strict=True)
    )
    sent = counts["sent"]
    assert counts["delivered"] / sent == pytest.approx(0.98, abs=0.003)
    assert counts["open"] / sent == pytest.approx(0.25, abs=0.01)
    assert counts["click"] / sent == pytest.approx(0.04 + 0.004, abs=0.004)  # plus buyers' clicks
    assert counts["unsubscribe"] / sent == pytest.approx(0.003, abs=0.001)
    assert counts["spam"] / sent == pytest.approx(0.0005, abs=0.0003)
    assert counts["bounce"] + counts["delivered"] == sent


def test_contacted_buyers_clicked_before_buying(wave) -> None:
    _, orders, esp, _ = wave
    clicks = esp.filter(pc.equal(esp["event"], "click")).to_pandas()
    clicks["at"] = pd.to_datetime(clicks["timestamp"], format="%Y-%m-%dT%H:%M:%SZ")
    buyers = orders[orders["arm"] != "holdout"].copy()
    buyers["at"] = (
        pd.to_datetime(buyers["Дата оплаты"], format="%d.%m.%Y %H:%M")
        .dt.tz_localize("Europe/Moscow")
        .dt.tz_convert("UTC")
        .dt.tz_localize(None)
    )
    joined = buyers.merge(
        clicks, left_on=["email", "utm_campaign"], right_on=["email", "campaign"], how="left"
    )
    before = joined["at_y"] <= joined["at_x"]
    assert before.groupby(joined["ID заказа"]).any().all()


def _assign(school_dir: Path, arms=ARMS) -> pd.DataFrame:
    users = ef.users(school_dir / "users.csv")
    first = users[users["Часовой пояс"] != ""]["id"].to_numpy()
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "customer_id": "gc:" + first,
            "arm": rng.choice(arms, len(first)),
            "sleep_tier": rng.choice([*TIERS, None, "active"], len(first)),
        }
    )


def _run(school_dir: Path, members: pd.DataFrame, out: Path, **kw) -> dict[str, bytes]:
    args = {"wave_id": "W1", "starts_on": STARTS, "days": 14, "seed": 3} | kw
    files = wave_outcomes(school_dir, members, out_dir=out, **args)
    return {"orders": files.orders.read_bytes(), "esp": files.esp_events.read_bytes()}


def test_wave_on_a_simulated_school(school: SchoolFiles, school_dir: Path, tmp_path: Path) -> None:
    members = _assign(school_dir)
    _run(school_dir, members, tmp_path)
    orders = ef.orders(tmp_path / "orders.csv")
    history = ef.orders(school.orders)
    assert len(orders) > 0
    assert not set(orders["ID заказа"]) & set(history["ID заказа"])
    assert not set(orders["Номер"]) & set(history["Номер"])
    assert orders["ID заказа"].astype(int).min() > history["ID заказа"].astype(int).max()
    users = ef.users(school.users).set_index("id")
    assert set(orders["ID пользователя"]) <= set(users.index)
    assert (orders["Email"] == users.loc[orders["ID пользователя"], "Email"].to_numpy()).all()
    # the wave's emails go to the addresses the school's newsletters use
    esp = ef.esp_table(tmp_path / "esp_events.csv")
    wave_emails = set(esp["email"].unique().to_pylist())
    known = {e.strip().lower() for e in users["Email"]}
    assert wave_emails <= known
    history_emails = set(ef.esp_table(school.esp_events)["email"].unique().to_pylist())
    assert wave_emails & history_emails


def test_same_inputs_same_bytes_in_any_row_order(school_dir: Path, tmp_path: Path) -> None:
    members = _assign(school_dir)
    first = _run(school_dir, members, tmp_path / "a")
    shuffled = members.sample(frac=1.0, random_state=1)
    assert _run(school_dir, shuffled, tmp_path / "b") == first
    other = _run(school_dir, members, tmp_path / "c", wave_id="W2")
    assert other["orders"] != first["orders"]
    assert other["esp"] != first["esp"]


def test_outside_the_tiers_the_baseline_rate_holds_in_every_arm(
    school_dir: Path, tmp_path: Path
) -> None:
    members = _assign(school_dir).assign(sleep_tier=None)
    _run(school_dir, members, tmp_path, seed=9)
    orders = ef.orders(tmp_path / "orders.csv")
    rate = len(orders) / len(members)
    assert abs(rate - 0.01) <= _four_sigma(0.01, len(members))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"arm": "treatment"}, "unknown arm"),
        ({"customer_id": "12345"}, "gc:<user id>"),
        ({"customer_id": "gc:1"}, "not in the school"),
    ],
)
def test_bad_assignments_are_input_errors(
    school_dir: Path, tmp_path: Path, change: dict, message: str
) -> None:
    members = _assign(school_dir).head(5)
    for column, value in change.items():
        members.loc[members.index[0], column] = value
    with pytest.raises(InputError, match=message):
        _run(school_dir, members, tmp_path)


def test_duplicate_members_and_missing_columns_are_input_errors(
    school_dir: Path, tmp_path: Path
) -> None:
    members = _assign(school_dir).head(5)
    with pytest.raises(InputError, match="duplicate"):
        _run(school_dir, pd.concat([members, members.head(1)]), tmp_path)
    with pytest.raises(InputError, match="arm"):
        _run(school_dir, members.drop(columns="arm"), tmp_path)
    with pytest.raises(InputError, match="not a simulated school"):
        _run(tmp_path, members, tmp_path / "out")
