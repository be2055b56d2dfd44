"""The planted counts of truth.json are what the files contain; the school is realistic."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from livebase.simulate import PlantedTruth, SchoolFiles, SchoolSpec, simulate_school
from tests.simulate import exportfiles as ef

STATUSES = {
    "Завершен",
    "Частично оплачен",
    "Отменен",
    "Ложный",
    "Новый",
    "В работе",
    "Ожидаем оплаты",
    "Не подтвержден",
    "Отложен",
    "Ожидаем возврата",
}
TZ = "Europe/Moscow"


@pytest.fixture(scope="module")
def users(school: SchoolFiles) -> pd.DataFrame:
    return ef.users(school.users)


@pytest.fixture(scope="module")
def orders(school: SchoolFiles, users: pd.DataFrame) -> pd.DataFrame:
    frame = ef.orders(school.orders)
    person = ef.person_of_profiles(users)
    frame["person"] = frame["ID пользователя"].map(person)
    frame["amount"] = frame["Стоимость, RUB"].map(ef.kopecks)
    frame["paid"] = frame["Оплачено"].map(ef.kopecks)
    return frame


@pytest.fixture(scope="module")
def payments(school: SchoolFiles) -> pd.DataFrame:
    return ef.payments(school.payments)


def _paid_at(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["Дата оплаты"], format="%d.%m.%Y %H:%M")


def _repeats(paid: pd.DataFrame) -> pd.Series:
    """Paid orders within 7 days after a paid order of the same person, title and amount."""
    keys = ["person", "Title", "amount"]
    frame = paid[keys].assign(at=_paid_at(paid)).sort_values([*keys, "at"])
    same = (frame[keys] == frame[keys].shift()).all(axis=1)
    close = same & (frame["at"].diff() <= timedelta(days=7))
    return close.reindex(paid.index)


def test_every_status_and_order_counts(orders: pd.DataFrame, truth: PlantedTruth) -> None:
    counts = truth.counts
    assert set(orders["Статус"]) == STATUSES
    assert orders["Статус"].value_counts().to_dict() == {
        k: v for k, v in counts["orders_by_status"].items() if v
    }
    assert len(orders) == counts["orders"]
    assert (orders["paid"] > 0).sum() == counts["paid_orders"]
    zero = (orders["amount"] == 0) & (orders["Статус"] == "Завершен")
    assert zero.sum() == counts["zero_amount_orders"] > 0
    assert (orders.loc[zero, "Дата оплаты"] == "").all()
    assert (orders["Теги"].str.contains("корпоратив")).sum() == counts["corporate_orders"]
    corporate_paid = orders["Теги"].str.contains("корпоратив") & (orders["paid"] > 0)
    assert (orders.loc[corporate_paid, "Платежная система"] == "Безналичный расчёт").all()
    assert orders["Теги"].str.contains("подарок").sum() == counts["gift_orders"] > 0
    assert (orders["Использован промокод"] != "").sum() == counts["promo_code_orders"]


def test_shares_are_realistic(orders: pd.DataFrame, truth: PlantedTruth) -> None:
    c = truth.counts
    assert 0.6 <= c["buyers"] / c["persons"] <= 0.75
    assert 0.035 <= c["refunds"] / c["paid_orders"] <= 0.065
    assert 0.01 <= c["corporate_paid_orders"] / c["paid_orders"] <= 0.03
    assert 0.01 <= c["gift_orders"] / c["paid_orders"] <= 0.03
    assert 0.002 <= c["repeat_payment_duplicates"] / c["paid_orders"] <= 0.009
    assert 0.005 <= c["duplicate_profiles"] / c["persons"] <= 0.015
    assert 0.4 <= c["persons_with_child"] / c["persons"] <= 0.5
    assert 10 <= c["lms_events"] / c["persons"] <= 30


def test_installments(orders: pd.DataFrame, truth: PlantedTruth) -> None:
    plans = orders[orders["ID рассрочки"] != ""]
    assert plans["ID рассрочки"].str.fullmatch(r"R-\d+").all()
    assert plans["ID рассрочки"].nunique() == truth.counts["installment_plans"] > 0
    assert len(plans) == truth.counts["installment_orders"]
    parts = plans["Title"].str.extract(r" \(платёж (\d) из (\d)\)$").astype(int)
    assert set(parts[1]) == {3, 4}
    assert (parts[0] <= parts[1]).all()
    plans = plans.assign(part=parts[0])
    for _, plan in plans.groupby("ID рассрочки"):
        assert plan["person"].nunique() == 1  # maybe from two profiles of one person
        assert sorted(plan["part"]) == list(range(1, len(plan) + 1))
    assert (plans["amount"] >= 2_000_000 // 4).all()


def test_refunds_are_payments_rows(
    orders: pd.DataFrame, payments: pd.DataFrame, truth: PlantedTruth
) -> None:
    received = payments[payments["Статус"] == "Получен"]
    refunds = payments[payments["Статус"] == "Возвращен"]
    assert len(received) == truth.counts["paid_orders"]
    assert len(refunds) == truth.counts["refunds"] > 0
    assert set(payments["Заказ"]) <= set(orders["ID заказа"])
    assert set(received["Заказ"]) == set(orders.loc[orders["paid"] > 0, "ID заказа"])
    pairs = refunds.merge(received, on="Заказ", suffixes=("", "_paid"))
    assert len(pairs) == len(refunds)
    days = pd.to_datetime(pairs["Дата создания"], format="%d.%m.%Y %H:%M") - pd.to_datetime(
        pairs["Дата создания_paid"], format="%d.%m.%Y %H:%M"
    )
    assert days.min() >= timedelta(days=3)
    assert days.max() <= timedelta(days=40, minutes=1)
    back = pairs["Сумма"].map(ef.kopecks)
    assert (back <= pairs["Сумма_paid"].map(ef.kopecks)).all()
    refunded = sum(back) / 100
    assert f"{refunded:.2f}" == truth.counts["refunded_total"]
    status = orders.set_index("ID заказа").loc[refunds["Заказ"], "Статус"]
    assert set(status) == {"Завершен"}


def test_repeat_payments_are_the_only_near_duplicates(
    orders: pd.DataFrame, truth: PlantedTruth
) -> None:
    paid = orders[(orders["paid"] > 0) & (orders["ID рассрочки"] == "")]
    assert _repeats(paid).sum() == truth.counts["repeat_payment_duplicates"] > 0


def test_duplicate_profiles_share_an_email_or_a_phone(
    users: pd.DataFrame, truth: PlantedTruth
) -> None:
    person = ef.person_of_profiles(users)
    assert len(users) == truth.counts["user_profiles"]
    assert len(set(person.values())) == truth.counts["persons"] == truth.customers
    assert len(users) - truth.customers == truth.counts["duplicate_profiles"] > 0
    users = users.assign(person=users["id"].map(person), uid=users["id"].astype(int))
    for _, group in users[users.duplicated("person", keep=False)].groupby("person"):
        assert len(group) == 2
        first, second = (row for _, row in group.sort_values("uid").iterrows())
        assert first["Email"] != second["Email"] or first["Телефон"] != second["Телефон"]
        assert first["Часовой пояс"] != ""
        assert second["Часовой пояс"] == ""


def test_purchases_buyers_and_sleeping_tiers(orders: pd.DataFrame, truth: PlantedTruth) -> None:
    paid = orders[orders["paid"] > 0]
    later_part = paid["Title"].str.contains(r"\(платёж [2-9] из \d\)$")
    paid = paid[~later_part]
    purchases = paid[~_repeats(paid)].assign(at=_paid_at)
    assert len(purchases) == truth.counts["purchases"]
    assert purchases["person"].nunique() == truth.counts["buyers"]
    last = purchases.groupby("person")["at"].max().dt.date
    days = last.map(lambda d: (truth.end - d).days)
    tiers = {
        "active": int((days < 90).sum()),
        "R90": int(((days >= 90) & (days < 180)).sum()),
        "R180": int(((days >= 180) & (days < 270)).sum()),
        "R270": int((days >= 270).sum()),
    }
    assert tiers == truth.sleep_tiers
    buyers = truth.counts["buyers"]
    assert tiers["R90"] >= 0.10 * buyers
    assert tiers["R180"] >= 0.05 * buyers
    assert tiers["R270"] >= 0.05 * buyers
    assert tiers["active"] >= 0.15 * buyers
    frequency = purchases.groupby("person").size()
    assert frequency.max() >= 5, "some champions"


def test_other_files_match_the_counts(school: SchoolFiles, truth: PlantedTruth) -> None:
    counts = truth.counts
    lms = ef.read(school.lms_events, sep=",")
    assert len(lms) == counts["lms_events"]
    assert lms["event"].value_counts().to_dict() == counts["lms_by_kind"]
    consents = ef.read(school.consents, sep=",")
    assert len(consents) == counts["consents"]
    assert (consents["granted"] == "false").sum() == counts["consent_withdrawals"]
    esp = ef.read(school.esp_events, sep=",")
    assert len(esp) == counts["esp_events"]
    assert esp["event"].value_counts().to_dict() == counts["esp_by_event"]
    assert len(ef.payments(school.payments)) == counts["payments"]


def test_consents(school: SchoolFiles, users: pd.DataFrame) -> None:
    consents = ef.read(school.consents, sep=",")
    people = users[users["Часовой пояс"] != ""]  # first profiles
    has_child = set(people.loc[people["Дата рождения ребенка"] != "", "id"])
    parent = consents[consents["given_by"] == "parent"]
    assert set(parent["user_id"]) <= has_child
    email = consents[(consents["channel"] == "email") & (consents["purpose"] == "marketing")]
    granted = email[email["granted"] == "true"]["user_id"].nunique()
    assert 0.8 <= granted / len(people) <= 0.9
    withdrawn = email[email["granted"] == "false"]
    assert len(withdrawn) > 0
    assert set(withdrawn["user_id"]) <= set(granted_ids(email))
    assert {"unsubscribe_link", "account_settings"} <= set(consents["source"])


def granted_ids(consents: pd.DataFrame) -> set[str]:
    return set(consents.loc[consents["granted"] == "true", "user_id"])


def test_children_are_0_to_16_at_signup(users: pd.DataFrame) -> None:
    kids = users[users["Дата рождения ребенка"] != ""]
    born = pd.to_datetime(kids["Дата рождения ребенка"], format="%d.%m.%Y")
    signup = pd.to_datetime(kids["Создан"], format="%d.%m.%Y %H:%M").dt.normalize()
    age = (signup - born).dt.days / 365.25
    assert age.min() >= 0
    assert age.max() < 17
    assert 0.4 <= len(kids) / (users["Часовой пояс"] != "").sum() <= 0.5


def test_signups_grow_and_nothing_happens_after_end(
    school: SchoolFiles, users: pd.DataFrame, truth: PlantedTruth
) -> None:
    created = pd.to_datetime(users["Создан"], format="%d.%m.%Y %H:%M")
    end = datetime.combine(truth.end, datetime.min.time())
    start = end - timedelta(days=truth.history_days)
    assert created.min() >= start
    assert created.max() < end
    third = timedelta(days=truth.history_days / 3)
    assert (created >= end - third).sum() > 1.5 * (created < start + third).sum()
    end_utc = end.replace(tzinfo=ZoneInfo(TZ)).astimezone(ZoneInfo("UTC"))
    for path, col in (
        (school.lms_events, "ts"),
        (school.consents, "ts"),
        (school.esp_events, "timestamp"),
    ):
        latest = max(ef.read(path, sep=",")[col])
        assert ef.utc_time(latest) < end_utc
    for frame, col in (
        (ef.orders(school.orders), "Дата создания"),
        (ef.payments(school.payments), "Дата создания"),
    ):
        latest = pd.to_datetime(frame[col], format="%d.%m.%Y %H:%M").max()
        assert latest < end


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_other_seed_other_school(tmp_path: Path) -> None:
    spec = SchoolSpec(customers=400, seed=5, end=date(2024, 12, 1), chunk_size=150)
    first = simulate_school(spec, tmp_path / "a").truth.parent
    again = simulate_school(spec, tmp_path / "b").truth.parent
    other = simulate_school(
        SchoolSpec(customers=400, seed=6, end=date(2024, 12, 1), chunk_size=150), tmp_path / "c"
    ).truth.parent
    assert len(_digest(first)) == 8
    assert _digest(first) == _digest(again)
    differ = {k for k, v in _digest(first).items() if _digest(other)[k] != v}
    assert differ == set(_digest(first))


def test_progress_is_reported(tmp_path: Path) -> None:
    seen: list[tuple[str, float]] = []
    simulate_school(SchoolSpec(customers=50, seed=1), tmp_path, lambda s, f: seen.append((s, f)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions)
    assert seen[-1] == ("done", 1.0)


def test_no_wall_clock_in_the_simulator() -> None:
    import livebase.simulate as package

    for path in Path(package.__file__).parent.glob("*.py"):
        code = path.read_text(encoding="utf-8")
        for banned in ("today(", "now(", "time.time(", "utcnow("):
            assert banned not in code, f"{path.name} uses {banned}"
