"""The export files, byte for byte: headers, encodings, delimiters and value layouts.

| file | encoding | delimiter | line end | dates |
|---|---|---|---|---|
| ``users.csv`` | Windows-1251 | ``;`` | CRLF | ``DD.MM.YYYY HH:MM`` local |
| ``orders.csv`` | UTF-8 with BOM | ``;`` | CRLF | ``DD.MM.YYYY HH:MM`` local |
| ``payments.csv`` | UTF-8 | ``;`` | CRLF | ``DD.MM.YYYY HH:MM`` local |
| ``lms_events.csv``, ``consents.csv``, ``esp_events.csv`` | UTF-8 | ``,`` | LF | ISO UTC ``Z`` |
| ``nps.csv`` (a wave's) | UTF-8 | ``,`` | LF | ISO UTC ``Z`` |
| ``costs.csv`` (a wave's) | UTF-8 | ``,`` | LF | ``YYYY-MM-DD``; amounts ``1234.50`` |

Money is ``27 400,00`` with a space or a no-break space between thousands (chosen per
row); ``Стоимость, RUB`` sometimes ends in `` ₽`` or `` руб.``; ``Оплачено`` is ``0``
for unpaid orders.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from livebase.simulate import formats as fm
from livebase.simulate.clock import DAY, to_local
from livebase.simulate.csvfile import write_file
from livebase.simulate.names import words

USERS_HEADER = words(
    "id;Email;Тип регистрации;Создан;Последняя активность;Имя;Фамилия;Телефон;"
    "Дата рождения;Город;utm_source;utm_medium;utm_campaign;Дата рождения ребенка;"
    "Часовой пояс",
    ";",
)
ORDERS_HEADER = words(
    "ID заказа;Номер;ID пользователя;Пользователь;Email;Телефон;Дата создания;"
    "Дата оплаты;Title;Статус;Стоимость, RUB;Оплачено;Валюта;Менеджер;Город;"
    "Платежная система;ID рассрочки;Скидка;Использован промокод;Промоакция;"
    "utm_source;utm_medium;utm_campaign;Теги",
    ";",
)
PAYMENTS_HEADER = words(
    "Номер;Пользователь;Email;Заказ;Дата создания;Тип;Статус;Сумма;Комиссии;Получено;"
    "Код платежа;Название",
    ";",
)
LMS_HEADER = words("event_id,user_id,email,event,ts,course_id,lesson_id", ",")
CONSENTS_HEADER = words(
    "user_id,email,phone,channel,purpose,granted,ts,offer_version,source,given_by", ","
)
ESP_HEADER = words("email,event,timestamp,campaign,bounce_type", ",")
NPS_HEADER = words("user_id,email,ts,score", ",")  # the ``nps`` mapping preset
COSTS_HEADER = words("date,wave_id,channel,kind,amount", ",")  # the ``costs`` mapping preset

# columns of an orders frame (one row per order, before rendering)
ORDER_COLUMNS = words(
    "order_id number user_id user_name email phone created paid title status amount "
    "paid_amount manager city pay_system plan_id discount promo_code promo_action "
    "utm_source utm_medium utm_campaign tags"
)

Columns = dict[str, "np.ndarray | pa.Array"]
"""Rows of an export before rendering: column name -> numpy array (numbers, UTC seconds,
kopecks) or Arrow string array (text)."""


def take_rows(columns: Columns, rows: np.ndarray) -> Columns:
    """The given rows (in that order) of every column."""
    idx = pa.array(np.asarray(rows, dtype=np.int64))
    return {
        k: v.take(idx) if isinstance(v, pa.Array | pa.ChunkedArray) else np.asarray(v)[rows]
        for k, v in columns.items()
    }


def text(values) -> pa.Array:
    """Any sequence of strings as an Arrow string array."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object)
    return pa.array(values, type=pa.large_string())


def row_count(columns: Columns) -> int:
    """Number of rows (the length of the first column)."""
    return len(next(iter(columns.values()))) if columns else 0


def _num(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def _local_dt(utc: np.ndarray, tz: str, present: np.ndarray | None = None) -> pa.Array:
    text = fm.dmy_hm(to_local(utc, tz))
    return text if present is None else fm.where(present, text)


def _separators(rng: np.random.Generator, n: int) -> pa.Array:
    return fm.labels((" ", fm.NBSP), (rng.random(n) < 0.4).astype(np.int64))


def write_users(path: Path, users: Columns, tz: str, *, append: bool = False) -> None:
    """``users.csv``. ``users`` columns: ``user_id, email_raw, registration`` (text),
    ``created, last_active`` (UTC seconds), ``first_name, last_name, phone_raw``,
    ``birth_day, child_birth_day`` (epoch days, -1 if none), ``city, utm_source,
    utm_medium, utm_campaign, zone`` (text)."""
    birth = _num(users["birth_day"])
    child = _num(users["child_birth_day"])
    columns = [
        fm.integers(_num(users["user_id"])),
        text(users["email_raw"]),
        text(users["registration"]),
        _local_dt(_num(users["created"]), tz),
        _local_dt(_num(users["last_active"]), tz),
        text(users["first_name"]),
        text(users["last_name"]),
        text(users["phone_raw"]),
        fm.where(birth >= 0, fm.dmy(np.maximum(birth, 0))),
        text(users["city"]),
        text(users["utm_source"]),
        text(users["utm_medium"]),
        text(users["utm_campaign"]),
        fm.where(child >= 0, fm.dmy(np.maximum(child, 0))),
        text(users["zone"]),
    ]
    write_file(
        path, USERS_HEADER, columns, sep=";", newline="\r\n", encoding="cp1251", append=append
    )


def write_orders(
    path: Path, orders: Columns, tz: str, rng: np.random.Generator, *, append: bool = False
) -> None:
    """``orders.csv`` from a frame with :data:`ORDER_COLUMNS` (money in kopecks, times in
    UTC seconds, ``paid`` -1 and ``discount`` -1 when absent)."""
    n = row_count(orders)
    sep = _separators(rng, n)
    suffix = fm.labels(("", " ₽", " руб."), rng.choice(3, size=n, p=(0.8, 0.13, 0.07)))
    paid = _num(orders["paid"])
    paid_amount = _num(orders["paid_amount"])
    discount = _num(orders["discount"])
    columns = [
        fm.integers(_num(orders["order_id"])),
        fm.integers(_num(orders["number"])),
        fm.integers(_num(orders["user_id"])),
        text(orders["user_name"]),
        text(orders["email"]),
        text(orders["phone"]),
        _local_dt(_num(orders["created"]), tz),
        _local_dt(np.maximum(paid, 0), tz, paid >= 0),
        text(orders["title"]),
        text(orders["status"]),
        fm.money(_num(orders["amount"]), sep, suffix),
        fm.where(paid_amount > 0, fm.money(paid_amount, sep), "0"),
        fm.labels(("RUB",), np.zeros(n)),
        text(orders["manager"]),
        text(orders["city"]),
        text(orders["pay_system"]),
        text(orders["plan_id"]),
        fm.where(discount >= 0, fm.money(np.maximum(discount, 0), sep)),
        text(orders["promo_code"]),
        text(orders["promo_action"]),
        text(orders["utm_source"]),
        text(orders["utm_medium"]),
        text(orders["utm_campaign"]),
        text(orders["tags"]),
    ]
    write_file(
        path,
        ORDERS_HEADER,
        columns,
        sep=";",
        newline="\r\n",
        encoding="utf-8",
        bom=True,
        append=append,
    )


def write_payments(
    path: Path, payments: Columns, tz: str, rng: np.random.Generator, *, append: bool = False
) -> None:
    """``payments.csv``. Columns: ``number, user_name, email, order_id, created, kind,
    status, amount, fee, received, code, title`` (money in kopecks)."""
    sep = _separators(rng, row_count(payments))
    columns = [
        fm.integers(_num(payments["number"])),
        text(payments["user_name"]),
        text(payments["email"]),
        fm.integers(_num(payments["order_id"])),
        _local_dt(_num(payments["created"]), tz),
        text(payments["kind"]),
        text(payments["status"]),
        fm.money(_num(payments["amount"]), sep),
        fm.money(_num(payments["fee"]), sep),
        fm.money(_num(payments["received"]), sep),
        text(payments["code"]),
        text(payments["title"]),
    ]
    write_file(path, PAYMENTS_HEADER, columns, sep=";", newline="\r\n", append=append)


def write_lms(path: Path, events: Columns, *, append: bool = False) -> None:
    """``lms_events.csv``. Columns: ``event_id, user_id, email, event, ts`` (UTC seconds),
    ``course_id, lesson_id``."""
    columns = [
        text(events["event_id"]),
        fm.integers(_num(events["user_id"])),
        text(events["email"]),
        text(events["event"]),
        fm.iso_utc(_num(events["ts"])),
        text(events["course_id"]),
        text(events["lesson_id"]),
    ]
    write_file(path, LMS_HEADER, columns, sep=",", append=append)


def write_consents(path: Path, consents: Columns, *, append: bool = False) -> None:
    """``consents.csv``. Columns as the header; ``granted`` boolean, ``ts`` UTC seconds."""
    columns = [
        fm.integers(_num(consents["user_id"])),
        text(consents["email"]),
        text(consents["phone"]),
        text(consents["channel"]),
        text(consents["purpose"]),
        fm.labels(("false", "true"), _num(consents["granted"]).astype(np.int64)),
        fm.iso_utc(_num(consents["ts"])),
        text(consents["offer_version"]),
        text(consents["source"]),
        text(consents["given_by"]),
    ]
    write_file(path, CONSENTS_HEADER, columns, sep=",", append=append)


def write_esp(path: Path, events: Columns, *, append: bool = False) -> None:
    """``esp_events.csv``. Columns: ``email, event, ts`` (UTC seconds), ``campaign,
    bounce_type``, and ``channel`` when ``events`` has one (the ``esp-events`` preset
    reads it; without it every row is an e-mail)."""
    columns = [
        text(events["email"]),
        text(events["event"]),
        fm.iso_utc(_num(events["ts"])),
        text(events["campaign"]),
        text(events["bounce_type"]),
    ]
    header = ESP_HEADER
    if "channel" in events:
        columns.append(text(events["channel"]))
        header = [*ESP_HEADER, "channel"]
    write_file(path, header, columns, sep=",", append=append)


def write_nps(path: Path, answers: Columns) -> None:
    """``nps.csv``. Columns: ``user_id``, ``email``, ``ts`` (UTC seconds), ``score``
    (0–10)."""
    columns = [
        fm.integers(_num(answers["user_id"])),
        text(answers["email"]),
        fm.iso_utc(_num(answers["ts"])),
        fm.integers(_num(answers["score"])),
    ]
    write_file(path, NPS_HEADER, columns, sep=",")


def write_costs(path: Path, costs: Columns) -> None:
    """``costs.csv``. Columns: ``day`` (days since the epoch), ``wave_id``, ``channel``,
    ``kind`` (text), ``amount`` (kopecks, written as roubles with a decimal point)."""
    amount = _num(costs["amount"])
    columns = [
        pc.utf8_slice_codeunits(fm.iso_utc(_num(costs["day"]) * DAY), 0, 10),  # YYYY-MM-DD
        text(costs["wave_id"]),
        text(costs["channel"]),
        text(costs["kind"]),
        fm.concat(fm.integers(amount // 100), ".", fm.padded(amount % 100, 2)),
    ]
    write_file(path, COSTS_HEADER, columns, sep=",")
