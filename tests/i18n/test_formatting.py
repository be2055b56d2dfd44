"""Locale formatting: the rules of livebase.i18n.formatting, pinned and checked."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livebase.i18n import (
    NBSP,
    format_alpha,
    format_date,
    format_level,
    format_money,
    format_number,
    format_p_value,
    format_percent,
    format_percent_interval,
    format_pp,
    format_pp_interval,
)


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "expected"),
    [
        (Decimal("27400"), "RUB", "ru", "27 400 ₽"),
        (Decimal("27400.00"), "RUB", "ru", "27 400 ₽"),
        (Decimal("27400.5"), "RUB", "ru", "27 400,50 ₽"),
        (Decimal("27400.505"), "RUB", "ru", "27 400,51 ₽"),  # half-up to kopecks
        (Decimal("27400.004"), "RUB", "ru", "27 400 ₽"),  # rounds to whole roubles
        (Decimal("999"), "RUB", "ru", "999 ₽"),
        (Decimal("1234567.89"), "RUB", "ru", "1 234 567,89 ₽"),
        (Decimal("-1500"), "RUB", "ru", "-1 500 ₽"),
        (Decimal("-0.001"), "RUB", "ru", "0 ₽"),
        (Decimal("1200"), "USD", "ru", "1 200 USD"),
        (Decimal("27400"), "RUB", "en", "27,400 RUB"),
        (Decimal("27400.5"), "RUB", "en", "27,400.50 RUB"),
        (Decimal("1200"), "eur", "en", "1,200 EUR"),
        (27400, "RUB", "ru", "27 400 ₽"),
        (0.1 + 0.2, "RUB", "en", "0.30 RUB"),
    ],
)
def test_format_money(amount, currency, lang, expected):
    # the expected strings are written with plain spaces; the output uses U+00A0
    result = format_money(amount, currency, lang)
    assert result == expected.replace(" ", NBSP)
    assert " " not in result


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False)
)
def test_money_in_russian_reads_back_as_the_rounded_amount(amount):
    text = format_money(amount, "RUB", "ru")
    assert text.endswith(NBSP + "₽")
    number = text.removesuffix(NBSP + "₽").replace(NBSP, "").replace(",", ".")
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal(number) == rounded
    # decimals only when there are kopecks, and then both digits
    assert ("," in text) == (rounded != rounded.to_integral_value())
    if "," in text:
        assert len(number.partition(".")[2]) == 2


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)
)
def test_money_in_english_reads_back(amount):
    text = format_money(amount, "RUB", "en")
    assert Decimal(text.removesuffix(NBSP + "RUB").replace(",", "")) == amount


def test_format_date():
    day = dt.date(2025, 3, 1)
    assert format_date(day, "ru") == "01.03.2025"
    assert format_date(day, "en") == "2025-03-01"
    assert format_date(dt.datetime(2025, 12, 31, 23, 59), "ru") == "31.12.2025"


@pytest.mark.parametrize(
    ("value", "lang", "digits", "expected"),
    [
        (0.0321, "ru", 1, "3,2 %"),
        (0.0321, "en", 1, "3.2%"),
        (0.0321, "ru", 2, "3,21 %"),
        (0.0, "ru", 1, "0,0 %"),
        (1.0, "en", 0, "100%"),
        (12.345, "ru", 1, "1 234,5 %"),
        (-0.017, "en", 1, "-1.7%"),
    ],
)
def test_format_percent(value, lang, digits, expected):
    assert format_percent(value, lang, digits=digits) == expected.replace(" ", NBSP)


@pytest.mark.parametrize(
    ("points", "lang", "expected"),
    [
        (1.7, "ru", "+1,7 п.п."),
        (1.7, "en", "+1.7 pp"),
        (-2.04, "ru", "-2,0 п.п."),
        (0.0, "ru", "0,0 п.п."),
        (0.03, "en", "+0.0 pp"),  # the sign of the unrounded value is kept
        (-0.03, "en", "-0.0 pp"),
    ],
)
def test_format_pp(points, lang, expected):
    assert format_pp(points, lang) == expected.replace(" ", NBSP)


def test_intervals():
    assert format_pp_interval(-0.0386, 3.478, "ru") == f"[-0,0; +3,5]{NBSP}п.п."
    assert format_pp_interval(-0.0386, 3.478, "en") == f"[-0.0, +3.5]{NBSP}pp"
    assert format_percent_interval(0.02276, 0.04482, "ru") == f"[2,3{NBSP}%; 4,5{NBSP}%]"
    assert format_percent_interval(0.02276, 0.04482, "en") == "[2.3%, 4.5%]"


@pytest.mark.parametrize(
    ("p", "lang", "prefix", "expected"),
    [
        (0.0312, "ru", False, "0,031"),
        (0.0312, "ru", True, "p = 0,031"),
        (0.05381, "en", True, "p = 0.054"),
        (0.001, "en", False, "0.001"),
        (0.00099, "en", False, "< 0.001"),
        (1e-12, "ru", True, "p < 0,001"),
        (1.0, "en", False, "1.000"),
    ],
)
def test_format_p_value(p, lang, prefix, expected):
    assert format_p_value(p, lang, prefix=prefix) == expected


def test_levels_and_alphas():
    assert format_level(0.05, "ru") == f"95{NBSP}%"
    assert format_level(0.1, "en") == "90%"
    assert format_level(0.005, "ru") == f"99,5{NBSP}%"
    assert format_alpha(0.05, "ru") == "0,05"
    assert format_alpha(0.1, "en") == "0.1"


def test_numbers():
    assert format_number(1234567, "ru") == f"1{NBSP}234{NBSP}567"
    assert format_number(1234567, "en") == "1,234,567"
    assert format_number(-0.04, "ru", 1) == "0,0"
