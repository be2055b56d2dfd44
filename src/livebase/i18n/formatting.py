"""Locale formatting of numbers, money, dates, percents and percentage points.

The rules, one per quantity (``ru`` is the default language):

======================  =====================  ==================
quantity                ru                     en
======================  =====================  ==================
integer                 ``27 400``             ``27,400``
money, whole            ``27 400 ₽``           ``27,400 RUB``
money, with kopecks     ``27 400,50 ₽``        ``27,400.50 RUB``
date                    ``01.03.2025``         ``2025-03-01``
percent                 ``3,2 %``              ``3.2%``
percentage points       ``+1,7 п.п.``          ``+1.7 pp``
rate interval           ``[2,3 %; 4,5 %]``     ``[2.3%, 4.5%]``
uplift interval         ``[-0,0; +3,5] п.п.``  ``[-0.0, +3.5] pp``
p-value                 ``0,031``              ``0.031``
p-value below 0.001     ``< 0,001``            ``< 0.001``
======================  =====================  ==================

* Thousands are grouped with a NO-BREAK SPACE (U+00A0) in Russian and a comma in
  English; the decimal separator is a comma in Russian and a point in English.
* A number and its unit (``₽``, ``RUB``, ``%`` in Russian, ``п.п.``, ``pp``) are joined
  by a NO-BREAK SPACE, so a line never breaks between them.
* Money is rounded half-up to kopecks (cents); the decimals are shown only when they are
  not zero, and then always both of them. In Russian the rouble is written ``₽``; every
  other currency, and every currency in English, by its ISO code after the number.
* Negative numbers start with an ASCII hyphen-minus; a plain number that rounds to zero
  is never shown as ``-0``. Percentage points (and their interval bounds) carry the sign
  of the unrounded value: ``+0,0 п.п.`` is a little above zero, ``-0,0 п.п.`` a little
  below, ``0,0 п.п.`` exactly zero.
* Intervals are written ``[low; high]`` in Russian and ``[low, high]`` in English.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from livebase.i18n.translate import DEFAULT_LANG, check_lang

NBSP = "\u00a0"
_CENT = Decimal("0.01")
_SYMBOLS_RU = {"RUB": "₽"}
_RU_SEPARATORS = str.maketrans({",": NBSP, ".": ","})

Number = Decimal | float | int


def _localise(text: str, lang: str) -> str:
    """Turn a Python ``f"{x:,.2f}"`` rendering into the conventions of ``lang``."""
    return text.translate(_RU_SEPARATORS) if check_lang(lang) == "ru" else text


def _fixed(value: Number, digits: int) -> str:
    """``value`` with ``digits`` decimals and ``,`` grouping, never ``-0``."""
    text = f"{value:,.{digits}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]
    return text


def format_number(value: Number, lang: str = DEFAULT_LANG, digits: int = 0) -> str:
    """A plain number with grouped thousands.

    >>> format_number(27400, "ru") == "27\u00a0400"
    True
    >>> format_number(1234.567, "en", digits=2)
    '1,234.57'
    >>> format_number(-0.0001, "en", digits=2)
    '0.00'
    """
    return _localise(_fixed(value, digits), lang)


def format_money(amount: Number, currency: str = "RUB", lang: str = DEFAULT_LANG) -> str:
    """An amount of money, rounded half-up to kopecks (cents).

    >>> format_money(Decimal("27400"), "RUB", "ru") == "27\u00a0400\u00a0₽"
    True
    >>> format_money(Decimal("27400.5"), "RUB", "ru") == "27\u00a0400,50\u00a0₽"
    True
    >>> format_money(Decimal("27400.50"), "RUB", "en") == "27,400.50\u00a0RUB"
    True
    >>> format_money(Decimal("99.999"), "USD", "ru") == "100\u00a0USD"
    True
    """
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    value = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    digits = 0 if value == value.to_integral_value() else 2
    number = _localise(_fixed(value, digits), lang)
    code = currency.upper()
    unit = _SYMBOLS_RU.get(code, code) if lang == "ru" else code
    return f"{number}{NBSP}{unit}"


def format_date(day: dt.date, lang: str = DEFAULT_LANG) -> str:
    """A calendar date: ``DD.MM.YYYY`` in Russian, ISO ``YYYY-MM-DD`` in English.

    A :class:`datetime.datetime` is shown by its date only.

    >>> format_date(dt.date(2025, 3, 1), "ru")
    '01.03.2025'
    >>> format_date(dt.date(2025, 3, 1), "en")
    '2025-03-01'
    """
    pattern = "%d.%m.%Y" if check_lang(lang) == "ru" else "%Y-%m-%d"
    return day.strftime(pattern)


def format_percent(fraction: Number, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A fraction shown as a percent (``0.0321`` → 3.2 %).

    >>> format_percent(0.0321, "ru") == "3,2\u00a0%"
    True
    >>> format_percent(0.0321, "en")
    '3.2%'
    >>> format_percent(0.95, "en", digits=0)
    '95%'
    """
    number = format_number(float(fraction) * 100, lang, digits)
    return f"{number}{NBSP}%" if lang == "ru" else f"{number}%"


def _signed(value: Number, lang: str, digits: int) -> str:
    """A number carrying the sign of its unrounded value (``+0,0`` is a little above 0)."""
    number = format_number(abs(value), lang, digits)
    if value > 0:
        return "+" + number
    return "-" + number if value < 0 else number


def _pp_unit(lang: str) -> str:
    return "п.п." if check_lang(lang) == "ru" else "pp"


def _interval(low: str, high: str, lang: str) -> str:
    return f"[{low}; {high}]" if check_lang(lang) == "ru" else f"[{low}, {high}]"


def format_pp(points: Number, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """Percentage points (already in points, not a fraction), signed.

    >>> format_pp(1.7, "ru") == "+1,7\u00a0п.п."
    True
    >>> format_pp(-0.25, "en", digits=2) == "-0.25\u00a0pp"
    True
    >>> format_pp(0.04, "en") == "+0.0\u00a0pp"
    True
    >>> format_pp(0, "en") == "0.0\u00a0pp"
    True
    """
    return f"{_signed(points, lang, digits)}{NBSP}{_pp_unit(lang)}"


def format_pp_interval(low: Number, high: Number, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """An interval in percentage points: signed bounds, one unit after the bracket.

    >>> format_pp_interval(-0.84, 3.48, "ru") == "[-0,8; +3,5]\u00a0п.п."
    True
    >>> format_pp_interval(-0.04, 3.48, "ru") == "[-0,0; +3,5]\u00a0п.п."
    True
    >>> format_pp_interval(-0.84, 3.48, "en") == "[-0.8, +3.5]\u00a0pp"
    True
    """
    bounds = _interval(_signed(low, lang, digits), _signed(high, lang, digits), lang)
    return f"{bounds}{NBSP}{_pp_unit(lang)}"


def format_percent_interval(
    low: Number, high: Number, lang: str = DEFAULT_LANG, digits: int = 1
) -> str:
    """An interval of fractions shown as percents.

    >>> format_percent_interval(0.0228, 0.0448, "ru") == "[2,3\u00a0%; 4,5\u00a0%]"
    True
    >>> format_percent_interval(0.0228, 0.0448, "en")
    '[2.3%, 4.5%]'
    """
    return _interval(format_percent(low, lang, digits), format_percent(high, lang, digits), lang)


def format_level(alpha: float, lang: str = DEFAULT_LANG) -> str:
    """The confidence level ``1 - alpha`` as a percent, decimals only when needed.

    >>> format_level(0.05, "en"), format_level(0.005, "en")
    ('95%', '99.5%')
    """
    percent = round((1 - alpha) * 100, 6)
    digits = 0 if percent == int(percent) else len(f"{percent:g}".partition(".")[2])
    return format_percent(1 - alpha, lang, digits)


def format_alpha(alpha: float, lang: str = DEFAULT_LANG) -> str:
    """A significance level as written by hand (no trailing zeros).

    >>> format_alpha(0.05, "ru"), format_alpha(0.001, "en")
    ('0,05', '0.001')
    """
    text = f"{alpha:.6f}".rstrip("0").rstrip(".")
    return _localise(text, lang)


def format_p_value(p: float, lang: str = DEFAULT_LANG, *, prefix: bool = False) -> str:
    """A p-value with three decimals, or ``< 0.001`` below that.

    With ``prefix`` the text reads ``p = 0.031`` / ``p < 0.001``.

    >>> format_p_value(0.0312, "ru")
    '0,031'
    >>> format_p_value(0.00001, "en", prefix=True)
    'p < 0.001'
    >>> format_p_value(0.5, "en", prefix=True)
    'p = 0.500'
    """
    if p < 0.001:
        text = "< " + format_number(0.001, lang, 3)
        return f"p {text}" if prefix else text
    text = format_number(p, lang, 3)
    return f"p = {text}" if prefix else text
