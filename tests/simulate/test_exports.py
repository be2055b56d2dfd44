"""The export files look exactly like the exports the importers read."""

from __future__ import annotations

import csv
import io
import re

import pytest

from livebase.simulate import SchoolFiles
from tests.simulate import exportfiles as ef

USERS = (
    "id;Email;Тип регистрации;Создан;Последняя активность;Имя;Фамилия;Телефон;Дата рождения;"
    "Город;utm_source;utm_medium;utm_campaign;Дата рождения ребенка;Часовой пояс"
)
ORDERS = (
    "ID заказа;Номер;ID пользователя;Пользователь;Email;Телефон;Дата создания;Дата оплаты;"
    "Title;Статус;Стоимость, RUB;Оплачено;Валюта;Менеджер;Город;Платежная система;"
    "ID рассрочки;Скидка;Использован промокод;Промоакция;utm_source;utm_medium;utm_campaign;Теги"
)
PAYMENTS = (
    "Номер;Пользователь;Email;Заказ;Дата создания;Тип;Статус;Сумма;Комиссии;Получено;"
    "Код платежа;Название"
)
LAYOUT = {  # file: (header, encoding, BOM, delimiter, line end)
    "users": (USERS, "cp1251", False, ";", b"\r\n"),
    "orders": (ORDERS, "utf-8", True, ";", b"\r\n"),
    "payments": (PAYMENTS, "utf-8", False, ";", b"\r\n"),
    "lms_events": (
        "event_id,user_id,email,event,ts,course_id,lesson_id",
        "utf-8",
        False,
        ",",
        b"\n",
    ),
    "consents": (
        "user_id,email,phone,channel,purpose,granted,ts,offer_version,source,given_by",
        "utf-8",
        False,
        ",",
        b"\n",
    ),
    "esp_events": ("email,event,timestamp,campaign,bounce_type", "utf-8", False, ",", b"\n"),
}
DMY_HM = re.compile(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}")
DMY = re.compile(r"\d{2}\.\d{2}\.\d{4}")
ISO_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
MONEY = re.compile(r"\d{1,3}([ \u00a0]\d{3})*,\d{2}")


@pytest.mark.parametrize("name", sorted(LAYOUT))
def test_header_encoding_delimiter_and_line_ends(school: SchoolFiles, name: str) -> None:
    header, encoding, bom, sep, newline = LAYOUT[name]
    raw = getattr(school, name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    if bom:
        raw = raw[3:]
    assert raw.count(newline) == raw.count(b"\n"), "one kind of line end"
    text = raw.decode(encoding)
    assert text.split(newline.decode(), 1)[0] == header
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    assert len(rows) > 100
    assert {len(r) for r in rows} == {len(header.split(sep))}


def test_users_is_windows_1251_not_utf8(school: SchoolFiles) -> None:
    with pytest.raises(UnicodeDecodeError):
        school.users.read_bytes().decode("utf-8")


def test_user_values(school: SchoolFiles) -> None:
    users = ef.users(school.users)
    assert users["id"].str.fullmatch(r"\d{6,}").all()
    assert users["id"].is_unique
    for col in ("Создан", "Последняя активность"):
        assert users[col].str.fullmatch(DMY_HM).all()
    for col in ("Дата рождения", "Дата рождения ребенка"):
        filled = users[col][users[col] != ""]
        assert filled.str.fullmatch(DMY).all()
    emails = users["Email"]
    assert (emails != emails.str.strip()).any(), "stray spaces in some emails"
    assert (emails.str.strip() != emails.str.strip().str.lower()).any(), "mixed case"
    phones = users["Телефон"]
    assert phones.str.fullmatch(r"8 \(\d{3}\) \d{3}-\d{2}-\d{2}").any()
    assert phones.str.fullmatch(r"\+7\d{10}").any()
    assert phones.str.fullmatch(r"7\d{10}").any()
    assert 0.15 < (phones == "").mean() < 0.3
    zones = users.loc[users["Часовой пояс"] != "", "Часовой пояс"]
    assert {"Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Europe/Kaliningrad"} <= set(
        zones
    )
    assert (zones == "Europe/Moscow").mean() > 0.6
    sources = set(users["utm_source"])
    assert {"yandex", "vk", "telegram", "organic", "partner", "webinar"} <= sources
    assert {"Регистрация через форму", "Покупка"} <= set(users["Тип регистрации"])


def test_order_values(school: SchoolFiles) -> None:
    orders = ef.orders(school.orders)
    assert orders["ID заказа"].is_unique
    assert orders["Номер"].is_unique
    assert orders["Дата создания"].str.fullmatch(DMY_HM).all()
    paid = orders["Оплачено"] != "0"
    assert orders.loc[paid, "Дата оплаты"].str.fullmatch(DMY_HM).all()
    assert (orders.loc[~paid, "Дата оплаты"] == "").all()
    price = orders["Стоимость, RUB"]
    assert price.str.fullmatch(MONEY.pattern + r"( ₽| руб\.)?").all()
    assert price.str.endswith(" ₽").any()
    assert price.str.endswith(" руб.").any()
    assert price.str.contains("\u00a0").any()
    assert price.str.contains(r"\d \d").any()
    assert orders.loc[paid, "Оплачено"].str.fullmatch(MONEY).all()
    assert set(orders["Валюта"]) == {"RUB"}
    discount = orders.loc[orders["Скидка"] != "", "Скидка"]
    assert len(discount)
    assert discount.str.fullmatch(MONEY).all()
    assert (orders["Использован промокод"] != "").any()
    assert (orders["Менеджер"] != "").any()


def test_titles_with_a_delimiter_are_quoted(school: SchoolFiles) -> None:
    raw = school.orders.read_text(encoding="utf-8-sig")
    assert ';"Курс «Рисование; акварель»' in raw
    assert '"Мастер-класс ""Пасхальная открытка"""' in raw
    orders = ef.orders(school.orders)
    assert orders["Title"].str.contains(";").any()


def test_payment_values(school: SchoolFiles) -> None:
    payments = ef.payments(school.payments)
    assert set(payments["Статус"]) == {"Получен", "Возвращен"}
    assert payments["Дата создания"].str.fullmatch(DMY_HM).all()
    for col in ("Сумма", "Комиссии", "Получено"):
        assert payments[col].str.fullmatch(MONEY).all()
    assert payments["Номер"].is_unique
    assert payments["Код платежа"].str.fullmatch(r"[0-9a-f]{16}").all()


def test_event_files(school: SchoolFiles) -> None:
    lms = ef.read(school.lms_events, sep=",")
    assert lms["ts"].str.fullmatch(ISO_Z).all()
    assert lms["event_id"].is_unique
    lessons = lms[lms["lesson_id"] != ""]
    assert (lessons["lesson_id"].str.split("-l").str[0] == lessons["course_id"]).all()
    consents = ef.read(school.consents, sep=",")
    assert consents["ts"].str.fullmatch(ISO_Z).all()
    assert set(consents["granted"]) == {"true", "false"}
    assert set(consents["purpose"]) == {"marketing", "personalisation"}
    assert set(consents["channel"]) == {"email", "messenger", "sms", "call", "retargeting"}
    assert set(consents["given_by"]) == {"self", "parent"}
    assert consents["offer_version"].str.fullmatch(r"\d{4}-\d{2}").all()
    esp = ef.read(school.esp_events, sep=",")
    assert esp["timestamp"].str.fullmatch(ISO_Z).all()
    assert set(esp["event"]) == {
        "sent",
        "delivered",
        "open",
        "click",
        "unsubscribe",
        "spam",
        "bounce",
    }
    bounce = esp["event"] == "bounce"
    assert set(esp.loc[bounce, "bounce_type"]) == {"hard", "soft"}
    assert (esp.loc[~bounce, "bounce_type"] == "").all()
