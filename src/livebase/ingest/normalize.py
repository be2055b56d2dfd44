"""Parsers for the values of real exports. Each raises ``ValueError`` with a reason.

Money like ``27 400,00 ₽`` (normal or no-break spaces, comma decimals; below 10^16 in
absolute value, what the store's ``DECIMAL(18,2)`` holds), dates like
``05.03.2025 14:30`` in the school's zone (stored as UTC), GetCourse statuses, emails
and phones (E.164, Russian ``8…`` → ``+7…``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal(10) ** 16  # DECIMAL(18, 2): 16 digits before the point

_CURRENCY = re.compile(r"(₽|руб\.?|р\.|rub|usd|eur|\$|€|£)", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


@lru_cache(maxsize=65536)
def parse_money(text: str) -> Decimal:
    """Parse an amount of money into a Decimal with two places.

    >>> parse_money("27 400,00 ₽"), parse_money("12\\u00a0000,5"), parse_money("300 руб.")
    (Decimal('27400.00'), Decimal('12000.50'), Decimal('300.00'))
    >>> parse_money("1,234.56"), parse_money("-15")
    (Decimal('1234.56'), Decimal('-15.00'))
    >>> parse_money("9" * 25)
    Traceback (most recent call last):
    ValueError: amount out of range: '9999999999999999999999999'
    """
    raw = text
    text = _CURRENCY.sub("", text)
    text = _SPACES.sub("", text)
    if not text:
        raise ValueError(f"not an amount: {raw!r}")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        if re.fullmatch(r"[+-]?[1-9]\d{0,2}(,\d{3})+", text):
            text = text.replace(",", "")  # "12,000": thousands separators
        else:
            head, _, tail = text.rpartition(",")
            text = head.replace(",", "") + "." + tail  # a decimal comma
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
        raise ValueError(f"not an amount: {raw!r}")
    if len(text.lstrip("+-").split(".")[0].lstrip("0")) > 16:
        raise ValueError(f"amount out of range: {raw[:40]!r}")
    try:
        value = Decimal(text).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {raw[:40]!r}") from exc
    if abs(value) >= MONEY_LIMIT:
        raise ValueError(f"amount out of range: {raw[:40]!r}")
    return value


_DMY = re.compile(
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[ T](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,6}))?)?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_US = re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})(?: (?P<H>\d{1,2}):(?P<M>\d{2}))?")

MIN_YEAR, MAX_YEAR = 1970, 2100


@lru_cache(maxsize=262144)
def parse_datetime(text: str, tz: str = "UTC", fmt: str | None = None) -> dt.datetime:
    """Parse a timestamp and return it in UTC (naive). Local times are in ``tz``.

    ``fmt`` restricts the accepted layout: ``dmy`` (``DD.MM.YYYY HH:MM[:SS]``), ``iso``,
    ``ymd`` (``YYYYMMDD``), ``mdy`` (``M/D/YYYY H:MM``); by default any of them.

    >>> parse_datetime("05.03.2025 14:30", "Europe/Moscow")
    datetime.datetime(2025, 3, 5, 11, 30)
    >>> parse_datetime("2025-03-01T09:15:00Z")
    datetime.datetime(2025, 3, 1, 9, 15)
    >>> parse_datetime("19970101")
    datetime.datetime(1997, 1, 1, 0, 0)
    """
    raw = text
    text = text.strip()
    patterns = {"dmy": _DMY, "iso": _ISO, "ymd": _COMPACT, "mdy": _US}
    candidates = [patterns[fmt]] if fmt else [_DMY, _ISO, _COMPACT, _US]
    match = None
    for pattern in candidates:
        match = pattern.fullmatch(text)
        if match:
            break
    if not match:
        raise ValueError(f"not a date: {raw!r}")
    g = match.groupdict()
    try:
        micro = int((g.get("f") or "0").ljust(6, "0"))
        value = dt.datetime(
            int(g["y"]),
            int(g["m"]),
            int(g["d"]),
            int(g.get("H") or 0),
            int(g.get("M") or 0),
            int(g.get("S") or 0),
            micro,
        )
    except ValueError as exc:
        raise ValueError(f"not a date: {raw!r} ({exc})") from exc
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"implausible date: {raw!r}")
    offset = g.get("tz")
    if offset:
        if offset == "Z":
            return value
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return value - sign * delta
    if tz == "UTC":
        return value
    local = value.replace(tzinfo=ZoneInfo(tz))
    return local.astimezone(dt.UTC).replace(tzinfo=None)


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones()) | {"UTC"}


def known_timezone(name: str) -> bool:
    """An IANA zone name the system knows (never a path: ``Europe`` is a folder).

    >>> known_timezone("Europe/Moscow"), known_timezone("Europe"), known_timezone("a" * 300)
    (True, False, False)
    """
    return name in _zones()


def parse_date(text: str) -> dt.date:
    """A calendar date without a zone (birth dates).

    >>> parse_date("14.02.2017")
    datetime.date(2017, 2, 14)
    """
    return parse_datetime(text).date()


GETCOURSE_STATUSES: dict[str, str] = {
    "завершен": "paid",
    "завершён": "paid",
    "оплачен": "paid",
    "частично оплачен": "partially_paid",
    "отменен": "cancelled",
    "отменён": "cancelled",
    "ложный": "cancelled",
    "новый": "pending",
    "в работе": "pending",
    "ожидаем оплаты": "pending",
    "не подтвержден": "pending",
    "не подтверждён": "pending",
    "отложен": "pending",
    "ожидаем возврата": "paid",  # kept, and flagged refund_pending
    "возврат": "refunded",
    "возвращен": "refunded",
}
REFUND_PENDING = {"ожидаем возврата"}


def parse_status(text: str) -> str:
    """GetCourse order status → canonical status.

    >>> parse_status("Завершен"), parse_status("Ложный"), parse_status("Отложен")
    ('paid', 'cancelled', 'pending')
    """
    key = " ".join(text.strip().casefold().split())
    if key in GETCOURSE_STATUSES:
        return GETCOURSE_STATUSES[key]
    if key in ("paid", "partially_paid", "refunded", "cancelled", "pending"):
        return key
    raise ValueError(f"unknown order status: {text!r}")


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalize_email(text: str) -> str | None:
    """Trim and lower-case; ``None`` for empty. Raises for something that is not an email.

    >>> normalize_email("  Anna.Petrova@Mail.RU ")
    'anna.petrova@mail.ru'
    """
    value = text.strip().strip("<>").strip().lower()
    if not value:
        return None
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"not an email: {text!r}")
    return value


def normalize_phone(text: str) -> str | None:
    """E.164; Russian ``8XXXXXXXXXX``, ``7XXXXXXXXXX`` and ten-digit ``9XXXXXXXXX`` → ``+7…``.

    >>> normalize_phone("8 (916) 123-45-67"), normalize_phone("+7 916 123 45 67")
    ('+79161234567', '+79161234567')
    >>> normalize_phone("9161234567"), normalize_phone("+44 20 7946 0958")
    ('+79161234567', '+442079460958')
    """
    raw = text.strip()
    if not raw:
        return None
    if re.search(r"[^\d\s()+\-.]", raw):
        raise ValueError(f"not a phone number: {text!r}")
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        if not 8 <= len(digits) <= 15:
            raise ValueError(f"not a phone number: {text!r}")
        return "+" + digits
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and digits[0] == "9":
        return "+7" + digits
    if 11 <= len(digits) <= 15 and digits[0] != "0":
        return "+" + digits
    raise ValueError(f"not a phone number: {text!r}")


CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # never in an id, an e-mail, a phone, a date


def lookup_keys(text: str) -> list[tuple[str, str]]:
    """What a customer key typed by a person may be, in the order to look: the id as
    typed, then the e-mail or the phone it normalises to (the identity keys' kinds).

    >>> lookup_keys("Anna@Mail.RU"), lookup_keys("8 (916) 123-45-67")
    ([('id', 'Anna@Mail.RU'), ('email', 'anna@mail.ru')], [('id', '8 (916) 123-45-67'), \
('phone', '+79161234567')])
    """
    keys = [("id", text)]
    for kind, normalise in (("email", normalize_email), ("phone", normalize_phone)):
        try:
            value = normalise(text)
        except ValueError:
            continue
        if value is not None:
            keys.append((kind, value))
    return keys


def normalize_id(text: str) -> str | None:
    """An identifier as text; ``17850.0`` (a float-formatted integer) becomes ``17850``.

    >>> normalize_id(" 17850.0 "), normalize_id("00042"), normalize_id("")
    ('17850', '00042', None)
    """
    value = text.strip()
    if not value:
        return None
    if re.fullmatch(r"\d+\.0+", value):
        value = value.split(".", 1)[0]
    return value


def parse_bool(text: str) -> bool:
    """>>> parse_bool("да"), parse_bool("false")
    (True, False)
    """
    key = text.strip().casefold()
    if key in ("1", "true", "yes", "y", "да", "t", "granted", "on"):
        return True
    if key in ("0", "false", "no", "n", "нет", "f", "withdrawn", "off"):
        return False
    raise ValueError(f"not a yes/no value: {text!r}")
