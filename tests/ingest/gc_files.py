"""Builders of small GetCourse-style exports for tests (headers by name, any order)."""

from __future__ import annotations

from pathlib import Path

ORDER_HEADERS = [
    "ID заказа",
    "Номер",
    "ID пользователя",
    "Пользователь",
    "Email",
    "Телефон",
    "Дата создания",
    "Дата оплаты",
    "Title",
    "Статус",
    "Стоимость, RUB",
    "Оплачено",
    "Валюта",
    "Менеджер",
    "Город",
    "Платежная система",
    "Использован промокод",
    "Промоакция",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "Теги",
]


def order(
    order_id,
    user_id,
    email="",
    *,
    status="Завершен",
    amount="12 000,00",
    created="05.03.2025 14:30",
    paid="05.03.2025 14:35",
    title="Курс «Акварель»",
    phone="",
    tags="",
    payment_system="",
    **extra,
) -> dict:
    row = {
        "ID заказа": str(order_id),
        "Номер": str(1000 + int(order_id)),
        "ID пользователя": str(user_id),
        "Пользователь": f"User {user_id}",
        "Email": email,
        "Телефон": phone,
        "Дата создания": created,
        "Дата оплаты": paid if status in ("Завершен", "Частично оплачен") else "",
        "Title": title,
        "Статус": status,
        "Стоимость, RUB": amount,
        "Оплачено": amount if status in ("Завершен", "Частично оплачен") else "0",
        "Валюта": "RUB",
        "Менеджер": "",
        "Город": "Москва",
        "Платежная система": payment_system,
        "Использован промокод": "",
        "Промоакция": "",
        "utm_source": "vk",
        "utm_medium": "",
        "utm_campaign": "",
        "Теги": tags,
    }
    row.update(extra)
    return row


def _quote(value: str, delim: str) -> str:
    if delim in value or '"' in value or "\n" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def write_orders(
    path: Path,
    rows: list[dict],
    *,
    delim=";",
    encoding="utf-8",
    bom=True,
    headers: list[str] | None = None,
) -> Path:
    headers = headers or list(dict.fromkeys(ORDER_HEADERS + [k for r in rows for k in r]))
    lines = [delim.join(_quote(h, delim) for h in headers)]
    for r in rows:
        lines.append(delim.join(_quote(r.get(h, ""), delim) for h in headers))
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path
