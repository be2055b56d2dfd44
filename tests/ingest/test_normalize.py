import datetime as dt
from decimal import Decimal

import pytest

from livebase.ingest.normalize import (
    normalize_email,
    normalize_id,
    normalize_phone,
    parse_bool,
    parse_datetime,
    parse_money,
    parse_status,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 000,00", "12000.00"),
        ("27 400 ₽", "27400.00"),
        ("27\u00a0400,00\u00a0₽", "27400.00"),  # no-break spaces, as GetCourse writes them
        ("27\u202f400,5", "27400.50"),  # narrow no-break space
        ("300 руб.", "300.00"),
        ("300 руб", "300.00"),
        ("0", "0.00"),
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("12,000", "12000.00"),
        ("0,125", "0.13"),  # half-up to kopecks
        ("-15,5", "-15.50"),
    ],
)
def test_money(text, expected):
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "12 руб 50 коп", "1e5", "--5", "₽"])
def test_money_rejects_junk(text):
    with pytest.raises(ValueError, match="not an amount"):
        parse_money(text)


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        # Moscow is UTC+3 all year
        ("05.03.2025 14:30", "Europe/Moscow", dt.datetime(2025, 3, 5, 11, 30)),
        ("05.03.2025 14:30:15", "Europe/Moscow", dt.datetime(2025, 3, 5, 11, 30, 15)),
        ("5.3.2025", "Europe/Moscow", dt.datetime(2025, 3, 4, 21, 0)),
        ("2025-03-05 14:30:00", "UTC", dt.datetime(2025, 3, 5, 14, 30)),
        ("2025-03-05T14:30:00Z", "Europe/Moscow", dt.datetime(2025, 3, 5, 14, 30)),
        ("2025-03-05T14:30:00+05:00", "UTC", dt.datetime(2025, 3, 5, 9, 30)),
        # London: GMT in winter, BST (UTC+1) in summer
        ("2011-06-01 10:00:00", "Europe/London", dt.datetime(2011, 6, 1, 9, 0)),
        ("19970101", "UTC", dt.datetime(1997, 1, 1)),
    ],
)
def test_dates_to_utc(text, tz, expected):
    assert parse_datetime(text, tz) == expected


@pytest.mark.parametrize(
    "text",
    ["junk", "32.01.2025", "01.13.2025 10:00", "00.00.0000", "05.03.1812 10:00", "2025-02-30"],
)
def test_junk_dates(text):
    with pytest.raises(ValueError, match="date"):
        parse_datetime(text, "Europe/Moscow")


def test_date_format_is_enforced_when_given():
    with pytest.raises(ValueError, match="not a date"):
        parse_datetime("2025-03-05", fmt="dmy")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Завершен", "paid"),
        ("Частично оплачен", "partially_paid"),
        ("Отменен", "cancelled"),
        ("Ложный", "cancelled"),
        ("Новый", "pending"),
        ("В работе", "pending"),
        ("Ожидаем оплаты", "pending"),
        ("Не подтвержден", "pending"),
        ("Отложен", "pending"),
        ("Ожидаем возврата", "paid"),
        ("  завершен ", "paid"),
    ],
)
def test_getcourse_statuses(text, status):
    assert parse_status(text) == status


def test_unknown_status():
    with pytest.raises(ValueError, match="unknown order status"):
        parse_status("Что-то новое")


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("8 (916) 123-45-67", "+79161234567"),
        ("89161234567", "+79161234567"),
        ("79161234567", "+79161234567"),
        ("+7 916 123-45-67", "+79161234567"),
        ("9161234567", "+79161234567"),
        ("", None),
    ],
)
def test_phones(text, phone):
    assert normalize_phone(text) == phone


@pytest.mark.parametrize("text", ["12345", "+7 abc", "телефон"])
def test_bad_phones(text):
    with pytest.raises(ValueError, match="not a phone number"):
        normalize_phone(text)


def test_emails():
    assert normalize_email("  Anna@Mail.RU\t") == "anna@mail.ru"
    assert normalize_email("") is None
    with pytest.raises(ValueError, match="not an email"):
        normalize_email("anna at mail")


def test_ids_and_bools():
    assert normalize_id("17850.0") == "17850"
    assert normalize_id("A-1.0") == "A-1.0"
    assert parse_bool("Да") is True
    with pytest.raises(ValueError, match="yes/no"):
        parse_bool("maybe")
