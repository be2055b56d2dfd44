"""GetCourse exports: users, orders and payments (Russian headers, found by name).

An orders export must have at least one of the customer's columns (user id, email,
phone); a row with none of them filled is rejected on the first of those the file has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

import pandas as pd

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.ingest.fields import Field, Reject, extract
from livebase.ingest.normalize import (
    REFUND_PENDING,
    known_timezone,
    normalize_email,
    normalize_id,
    normalize_phone,
    parse_date,
    parse_datetime,
    parse_money,
    parse_status,
)
from livebase.ingest.presets.base import (
    EMAIL,
    LINES,
    PHONE,
    SRC,
    Batch,
    Context,
    Converted,
    one_line_each,
)
from livebase.ingest.readers import RawTable

NS = "gc"


def _src(user_id: str | None) -> str | None:
    return f"{NS}:{user_id}" if user_id else None


def _non_negative(text: str) -> Decimal:
    value = parse_money(text)
    if value < 0:
        raise ValueError(f"negative amount: {text!r}")
    return value


def _timezone(text: str) -> str:
    value = text.strip()
    if not known_timezone(value):
        raise ValueError(f"unknown time zone: {text[:60]!r}")
    return value


def category_of(title: str | None, rules: PurchaseRules) -> str:
    """The product category by the workspace's title rules.

    >>> category_of("Бесплатный вебинар «Старт»", PurchaseRules())
    'webinar'
    >>> category_of("Курс «Акварель»", PurchaseRules())
    'course'
    """
    for rule in rules.category_rules:
        if title and re.search(rule.pattern, title):
            return rule.category
    return rules.default_category


def _has_tag(tags: str | None, wanted: list[str]) -> bool:
    if not tags:
        return False
    items = {t.strip().casefold() for t in re.split(r"[,;]", tags)}
    return any(w.casefold() in items for w in wanted)


@dataclass
class GetCourseUsers:
    name: str = "getcourse-users"
    target: str = "customers"
    read_options: dict = field(default_factory=dict)

    def convert(self, raw: RawTable, ctx: Context) -> Converted:
        tz = ctx.config.timezone
        when = partial(parse_datetime, tz=tz)
        ex = extract(
            raw,
            [
                Field("user_id", ("id", "ID пользователя", "ID"), normalize_id, True, True),
                Field("email", ("Email", "E-mail", "Почта"), normalize_email),
                Field("phone", ("Телефон", "Phone"), normalize_phone),
                Field("first_name", ("Имя",)),
                Field("last_name", ("Фамилия",)),
                Field("created_at", ("Создан", "Дата регистрации"), when),
                Field("last_seen_at", ("Последняя активность",), when),
                Field("region", ("Город",)),
                Field("first_channel", ("utm_source", "Откуда пришел")),
                Field(
                    "child_birth_date",
                    ("Дата рождения ребенка", "Дата рождения ребёнка"),
                    parse_date,
                ),
                Field("timezone", ("Часовой пояс", "Timezone"), _timezone),
            ],
        )
        c = ex.columns
        n = len(ex.lines)
        if not n:  # no row passed: nothing to write (an empty batch is not a batch)
            return Converted([], ex.rejects)
        names = [
            " ".join(p for p in (c["first_name"][i], c["last_name"][i]) if p) or None
            for i in range(n)
        ]
        frame = pd.DataFrame(
            {
                "email": c["email"],
                "phone": c["phone"],
                "name": names,
                "created_at": c["created_at"],
                "last_seen_at": c["last_seen_at"],
                "region": c["region"],
                "first_channel": c["first_channel"],
                "child_birth_date": c["child_birth_date"],
                "timezone": c["timezone"],
                SRC: [_src(u) for u in c["user_id"]],
                EMAIL: c["email"],
                PHONE: c["phone"],
                LINES: one_line_each(ex.lines),
            }
        )
        return Converted([Batch("customers", frame, mode="authoritative")], ex.rejects)


@dataclass
class GetCourseOrders:
    name: str = "getcourse-orders"
    target: str = "orders"
    read_options: dict = field(default_factory=dict)

    def convert(self, raw: RawTable, ctx: Context) -> Converted:
        cfg = ctx.config
        rules = cfg.purchase_rules
        when = partial(parse_datetime, tz=cfg.timezone)
        ex = extract(
            raw,
            [
                Field("order_id", ("ID заказа", "Номер"), normalize_id, True, True),
                Field("user_id", ("ID пользователя",), normalize_id),
                Field("user_name", ("Пользователь",)),
                Field("email", ("Email", "E-mail"), normalize_email),
                Field("phone", ("Телефон",), normalize_phone),
                Field("created_at", ("Дата создания",), when, True, True),
                Field("paid_at", ("Дата оплаты",), when),
                Field("title", ("Title", "Состав заказа", "Предложение")),
                Field("status_text", ("Статус",), None, True, True),
                Field("price", ("Стоимость, RUB", "Стоимость"), _non_negative),
                Field("paid", ("Оплачено", "Получено"), _non_negative),
                Field("currency", ("Валюта",)),
                Field("payment_system", ("Платежная система", "Платёжная система")),
                Field("plan_id", ("ID рассрочки", "Рассрочка")),
                Field("discount", ("Скидка",), _non_negative),
                Field("promo_code", ("Использован промокод", "Промокод")),
                Field("offer_id", ("Промоакция",)),
                Field("utm_source", ("utm_source",)),
                Field("utm_medium", ("utm_medium",)),
                Field("utm_campaign", ("utm_campaign",)),
                Field("tags", ("Теги",)),
            ],
        )
        who = [ex.present[k] for k in ("user_id", "email", "phone") if k in ex.present]
        if not who:
            raise InputError(
                "no customer column: an orders export needs 'ID пользователя', 'Email' or "
                f"'Телефон' ({raw.header_note()})",
                file=raw.file,
                line=1,
            )
        c = ex.columns
        n = len(ex.lines)
        col = c.__getitem__
        rows, lines, rejects = [], [], list(ex.rejects)
        for i in range(n):
            try:
                status = parse_status(c["status_text"][i])
            except ValueError as exc:
                rejects.append(
                    Reject(ex.lines[i], ex.present["status_text"], c["status_text"][i], str(exc))
                )
                continue
            if not (col("email")[i] or col("phone")[i] or col("user_id")[i]):
                rejects.append(
                    Reject(
                        ex.lines[i],
                        who[0],
                        "",
                        "no customer: neither user id, email nor phone",
                    )
                )
                continue
            paid = col("paid")[i]
            price = col("price")[i]
            if status in ("paid", "partially_paid"):
                amount = paid if paid not in (None, Decimal(0)) else price
                if status == "partially_paid" and paid is not None:
                    amount = paid
            else:
                amount = paid if paid is not None else Decimal(0)
            if amount is None:
                amount = Decimal(0)
            tags = col("tags")[i]
            title = col("title")[i]
            status_text = " ".join(c["status_text"][i].split())
            offer = col("offer_id")[i] or None
            rows.append(
                {
                    "order_id": f"{NS}:{c['order_id'][i]}",
                    "created_at": c["created_at"][i],
                    "paid_at": col("paid_at")[i] if status in ("paid", "partially_paid") else None,
                    "amount": amount,
                    "currency": (col("currency")[i] or cfg.currency).upper(),
                    "status": status,
                    "refunded_amount": Decimal(0),
                    "product_id": title,
                    "product_title": title,
                    "category": category_of(title, rules),
                    "plan_id": col("plan_id")[i],
                    "is_gift": _has_tag(tags, rules.gift_tags),
                    "is_corporate": _has_tag(tags, rules.corporate_tags)
                    or (col("payment_system")[i] or "") in rules.corporate_payment_systems,
                    "discount_amount": col("discount")[i],
                    "offer_id": offer or col("promo_code")[i],
                    "utm_source": col("utm_source")[i],
                    "utm_medium": col("utm_medium")[i],
                    "utm_campaign": col("utm_campaign")[i],
                    "variable_cost": None,
                    "source_status": status_text,
                    "refund_pending": status_text.casefold() in REFUND_PENDING,
                    "name": col("user_name")[i],
                    SRC: _src(col("user_id")[i]),
                    EMAIL: col("email")[i],
                    PHONE: col("phone")[i],
                }
            )
            lines.append([ex.lines[i]])
        frame = pd.DataFrame(rows)
        if frame.empty:
            return Converted([], rejects)
        frame[LINES] = lines
        customers = frame[[SRC, EMAIL, PHONE, LINES, "name"]].copy()
        customers["email"] = frame[EMAIL]
        customers["phone"] = frame[PHONE]
        customers["created_at"] = frame["created_at"]
        customers["is_corporate"] = None
        return Converted(
            [Batch("orders", frame.drop(columns=["name"])), Batch("customers", customers)],
            rejects,
        )


RECEIVED = {"получен", "received", "paid", "оплачен", "завершен"}
RETURNED = {"возвращен", "возвращён", "возврат", "returned", "refund", "refunded"}


def payment_status(text: str) -> str:
    """>>> payment_status("Возвращен"), payment_status("Получен"), payment_status("Отменен")
    ('returned', 'received', 'other')
    """
    key = " ".join(text.strip().casefold().split())
    if key in RETURNED:
        return "returned"
    if key in RECEIVED:
        return "received"
    return "other"


@dataclass
class GetCoursePayments:
    name: str = "getcourse-payments"
    target: str = "payments"
    read_options: dict = field(default_factory=dict)

    def convert(self, raw: RawTable, ctx: Context) -> Converted:
        when = partial(parse_datetime, tz=ctx.config.timezone)
        ex = extract(
            raw,
            [
                Field("payment_id", ("Номер", "ID платежа"), normalize_id, True, True),
                Field("order_id", ("Заказ", "ID заказа"), normalize_id, True, True),
                Field("ts", ("Дата создания", "Дата"), when, True, True),
                Field("status", ("Статус",), payment_status, True, True),
                Field("amount", ("Сумма",), _non_negative, True, True),
            ],
        )
        rows, lines, rejects = [], [], list(ex.rejects)
        c = ex.columns
        for i in range(len(ex.lines)):
            order_id = f"{NS}:{c['order_id'][i]}"
            if order_id not in ctx.known_orders:
                rejects.append(
                    Reject(
                        ex.lines[i],
                        ex.present["order_id"],
                        c["order_id"][i],
                        "unknown order: import the orders export first",
                    )
                )
                continue
            rows.append(
                {
                    "payment_id": f"{NS}:{c['payment_id'][i]}",
                    "order_id": order_id,
                    "customer_id": None,  # filled from the order by the pipeline
                    "ts": c["ts"][i],
                    "status": c["status"][i],
                    "amount": c["amount"][i],
                }
            )
            lines.append([ex.lines[i]])
        frame = pd.DataFrame(rows)
        if frame.empty:
            return Converted([], rejects)
        frame[LINES] = lines
        return Converted([Batch("payments", frame)], rejects)
