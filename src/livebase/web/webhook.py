"""Near-real-time ingestion of single events (SPEC F1.5): parse, check and store them.

Two ways in, both pure functions over a :class:`~livebase.store.workspace.Workspace`
(the HTTP side is :mod:`livebase.web.webhook_routes`):

* **GetCourse callback** (:func:`parse_getcourse`): GetCourse's process action "call
  URL" fills placeholders into a URL such as ``…/webhook/getcourse?token=SECRET&
  event=dealPaid&id={object.id}&user_id={object.user.id}&email={object.user.email}&
  cost={object.cost_money_value}&paid={object.payed_money_value}&status={object.status}&
  created={object.created_at}&title={object.positions}``.
  Accepted parameters: ``id`` (deal id), ``status`` and ``cost`` are required, and
  ``email`` or ``user_id`` (at least one); optional are ``event`` (informational),
  ``paid``, ``currency``, ``phone``, ``name``, ``created``, ``paid_at``, ``title``,
  ``offer``, ``utm_source``, ``utm_medium``, ``utm_campaign``; any other parameter
  (``token`` included) is ignored and never stored.
* **Signed JSON** (:func:`verify_signature`, :func:`parse_json_event`): one event
  ``{"event_id": str, "type": "order" | "message" | "activity" | "consent", "data":
  {…}}`` whose ``data`` holds the canonical columns of that table plus the person
  (``customer_id``, ``email`` or ``phone``), signed ``sha256=<hex HMAC-SHA256(secret,
  body)>``.

The rules, one sentence each:

* GetCourse does not sign its calls, so the callback is authenticated only by its secret
  token (the route compares it in constant time); a JSON event only by its signature,
  compared with :func:`hmac.compare_digest`.
* A placeholder GetCourse left unfilled (``{object.id}`` arriving literally) in a
  required parameter refuses the event (``unfilled_placeholder``); in an optional one
  the parameter counts as absent.
* A GetCourse deal status is read as its API code (``payed``, ``part_payed``, ``new``,
  ``in_work``, ``payment_waiting``, ``not_confirmed``, ``pending``, ``cancelled``,
  ``false``, ``waiting_for_return``), its Russian title as in the orders export, or a
  canonical status; the ``event`` name never changes what is stored.
* The order is the one the GetCourse orders export writes (``gc:<deal id>``, customer
  source id ``gc:<user id>``), with the export's money rule: a paid deal's amount is
  the paid sum (the cost when nothing paid is given), an unpaid or cancelled deal's the
  paid sum or 0, and a refunded deal carries its whole amount as ``refunded_amount``.
* The GetCourse event id is ``getcourse:<deal id>:<canonical status>`` (a deal waiting
  for a refund ``…:refund_pending``, a partly paid one ``…:partially_paid:<paid sum>``),
  so a payment announced by both ``dealPaid`` and ``dealStatusChanged`` is one event and
  every later status is a new event that updates the order.
* A JSON event's ``data`` may hold only the columns of its table and the person's keys;
  timestamps are ISO 8601 (UTC unless they carry an offset), money is a JSON number or a
  decimal string, flags are JSON booleans, and closed lists (statuses, channels, message
  events, activity kinds, consent purposes) are checked.
* A control character (other than tab, line feed and carriage return) anywhere in a
  parameter, a JSON key or a JSON string refuses the event (``bad_value``): it is never
  data, and the store's text columns never hold one.
* A refused event raises :class:`WebhookError` with a reason code (``bad_json``,
  ``unknown_type``, ``unknown_field``, ``missing_field``, ``bad_value``,
  ``unfilled_placeholder``, ``bad_signature``) and a message that never holds a token,
  a secret or the raw payload.
* :func:`store_event` writes the ``webhook_events`` row and the canonical rows in one
  transaction; an event id already in ``webhook_events`` is a replay and changes nothing.
* :func:`store_events` stores many events in one transaction with the rows and answers
  that storing them one by one, in their order, gives: events that share an id, an
  order, a person's key or a customer go in that order, the others together.
* An event of an erased person (its source id, e-mail or phone in ``erased_keys``) is
  answered ``"erased"``, stores nothing and is logged as rejected with the reason
  ``erased`` (:mod:`livebase.privacy.suppression`).
* The person is resolved by the importers' identity machinery (source id, email, phone →
  customer id, merges logged), and a new person becomes a new customer.
* An order event updates the stored order: what the event leaves empty keeps its stored
  value; created time and (for paid statuses) paid time default to the time the event
  was parsed; currency and category default to the workspace's currency and title rules;
  payments already recorded as returned keep the order refunded, as on import.
* Message, activity and consent rows are events: a row whose key is already stored is
  left as it is; a message or activity row's ``event_id`` is the event's id.
* :func:`record_rejection` writes a ``webhook_events`` row with status ``rejected`` and
  the reason code only, under a fresh id ``rejected:<uuid4>`` (or
  ``rejected:<first 16 hex digits of the SHA-256 of the event id>:<uuid4>``: the client's
  id may hold a person's e-mail, so only its hash is kept), so that a refused event never
  blocks a corrected delivery with the same id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

import pandas as pd

from livebase.config import WorkspaceConfig
from livebase.engine import delete_rows, insert, isin, transaction
from livebase.errors import ConfigError, InputError
from livebase.ingest.identity import KINDS, _hash_id
from livebase.ingest.normalize import (
    CENT,
    GETCOURSE_STATUSES,
    REFUND_PENDING,
    normalize_email,
    normalize_id,
    normalize_phone,
    parse_datetime,
    parse_money,
    parse_status,
)
from livebase.ingest.pipeline import (
    _apply_refunds,
    _resolve_identities,
    _write_customers,
    write_identities,
)
from livebase.ingest.presets.base import EMAIL, PHONE, SRC, Batch
from livebase.ingest.presets.getcourse import NS, category_of
from livebase.privacy.suppression import erased_people
from livebase.store.schema import ALL_TABLES, ENUMS, ORDER_STATUSES
from livebase.store.workspace import Workspace
from livebase.store.write import _comparable, append, to_arrow, upsert

SOURCE_GETCOURSE = "getcourse"
SOURCE_JSON = "json"
TYPES = ("order", "message", "activity", "consent")
TABLE_OF = {
    "order": "orders",
    "message": "messages",
    "activity": "activities",
    "consent": "consents",
}
PAID = ("paid", "partially_paid")
MAX_TEXT = 500
MAX_ID = 200

# GetCourse deal status codes ({object.status}) -> (canonical status, refund pending)
GETCOURSE_CODES: dict[str, tuple[str, bool]] = {
    "payed": ("paid", False),
    "part_payed": ("partially_paid", False),
    "new": ("pending", False),
    "in_work": ("pending", False),
    "payment_waiting": ("pending", False),
    "not_confirmed": ("pending", False),
    "pending": ("pending", False),
    "cancelled": ("cancelled", False),
    "false": ("cancelled", False),
    "waiting_for_return": ("paid", True),
}

_PLACEHOLDER = re.compile(r"\{\s*[A-Za-z_][\w.]*\s*\}|\{object\.")
_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_CURRENCY = re.compile(r"[A-Za-z]{3}")


class WebhookError(InputError):
    """A refused event: ``reason`` is a short code, the message one sentence.

    >>> err = WebhookError("missing_field", "no 'id' parameter")
    >>> err.reason, str(err)
    ('missing_field', "no 'id' parameter")
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class WebhookEvent:
    """One accepted event: its id, where it came from, the canonical row of ``kind``'s
    table (without ``customer_id``) and the keys of the person it belongs to.

    ``source_id`` is a source key as the importers write it (``gc:<user id>``) or a
    customer id of the store; ``defaults`` fill columns the event and the store leave
    empty (orders only).
    """

    event_id: str
    source: str
    kind: str
    row: Mapping[str, Any]
    email: str | None = None
    phone: str | None = None
    source_id: str | None = None
    name: str | None = None
    defaults: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def table(self) -> str:
        return TABLE_OF[self.kind]


# ---------------------------------------------------------------- helpers


# control characters (tab, line feed and carriage return aside) are never data
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control(name: str, text: str) -> str:
    if _CONTROL.search(text):
        raise WebhookError("bad_value", f"{name} contains a control character")
    return text


def _check_strings(value: Any, where: str = "the event") -> None:
    """Refuse a JSON document with a control character in any key or string."""
    if isinstance(value, str):
        _no_control(where, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_control(f"a field name in {where}", key)
            _check_strings(item, repr(key) if len(key) <= 40 else "a field")
    elif isinstance(value, list):
        for item in value:
            _check_strings(item, where)


def _utc(now: dt.datetime) -> dt.datetime:
    """Naive UTC (an aware time is converted)."""
    if now.tzinfo is not None:
        return now.astimezone(dt.UTC).replace(tzinfo=None)
    return now


def _show(value: object) -> str:
    """A value for a message: short, one line."""
    text = " ".join(str(value).split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _bad(name: str, value: object, why: str) -> WebhookError:
    return WebhookError("bad_value", f"{name} {_show(value)}: {why}")


def _parse(name: str, value: str, parse: Callable[[str], Any]) -> Any:
    try:
        return parse(value)
    except ValueError as exc:
        raise _bad(name, value, str(exc).split(":", 1)[0]) from None


def _identifier(name: str, value: str) -> str:
    ident = normalize_id(value)
    if ident is None or not _ID.fullmatch(ident):
        raise _bad(name, value, "not an identifier (letters, digits, '_', '.', '-')")
    return ident


def _non_negative_money(name: str, value: str) -> Decimal:
    amount = _parse(name, value, parse_money)
    if amount < 0:
        raise _bad(name, value, "negative amount")
    return amount


def _currency(name: str, value: str) -> str:
    if not _CURRENCY.fullmatch(value.strip()):
        raise _bad(name, value, "not a three-letter currency code")
    return value.strip().upper()


# ---------------------------------------------------------------- GetCourse


def _getcourse_status(text: str) -> tuple[str, bool]:
    key = " ".join(text.strip().casefold().split())
    if key in GETCOURSE_CODES:
        return GETCOURSE_CODES[key]
    if key in GETCOURSE_STATUSES or key in ORDER_STATUSES:
        return parse_status(text), key in REFUND_PENDING
    raise _bad("status", text, "unknown deal status")


def parse_getcourse(
    params: Mapping[str, str], *, now: dt.datetime, tz: str | None = None
) -> WebhookEvent:
    """The order event of one GetCourse callback (``params``: the query and form values).

    Local times (``created``, ``paid_at``) are in ``tz``, the school's zone (default: the
    workspace default zone); a time with an offset is converted as it is.

    >>> ev = parse_getcourse(
    ...     {"event": "dealPaid", "id": "901", "email": "A@B.ru", "cost": "9 900",
    ...      "status": "payed"},
    ...     now=dt.datetime(2025, 3, 5, 12, 0),
    ... )
    >>> ev.event_id, ev.row["order_id"], ev.row["amount"], ev.email
    ('getcourse:901:paid', 'gc:901', Decimal('9900.00'), 'a@b.ru')
    """
    now = _utc(now)
    zone = tz or WorkspaceConfig().timezone
    values: dict[str, str] = {}
    for name, raw in params.items():
        text = _no_control(f"parameter {name!r}" if len(name) <= 40 else "a parameter", str(raw))
        text = text.strip()
        if not text:
            continue
        if len(text) > MAX_TEXT:
            raise _bad(name, text, f"longer than {MAX_TEXT} characters")
        values[name] = text

    def optional(name: str) -> str | None:
        text = values.get(name)
        if text is None or _PLACEHOLDER.search(text):
            return None
        return text

    def required(name: str) -> str:
        text = values.get(name)
        if text is None:
            raise WebhookError("missing_field", f"no {name!r} parameter")
        if _PLACEHOLDER.search(text):
            raise WebhookError(
                "unfilled_placeholder",
                f"parameter {name!r} is the unfilled placeholder {_show(text)}: "
                "check the variable name in the GetCourse process",
            )
        return text

    deal_id = _identifier("id", required("id"))
    status_text = required("status")
    status, refund_pending = _getcourse_status(status_text)
    cost = _non_negative_money("cost", required("cost"))
    raw_paid = optional("paid")
    paid = _non_negative_money("paid", raw_paid) if raw_paid else None

    raw_email, raw_user = optional("email"), optional("user_id")
    if raw_email is None and raw_user is None:
        for name in ("email", "user_id"):
            if name in values:  # present, but an unfilled placeholder
                required(name)
        raise WebhookError("missing_field", "no 'email' or 'user_id' parameter")
    email = _parse("email", raw_email, normalize_email) if raw_email else None
    user_id = _identifier("user_id", raw_user) if raw_user else None
    raw_phone = optional("phone")
    phone = _parse("phone", raw_phone, normalize_phone) if raw_phone else None

    def when(name: str) -> dt.datetime | None:
        text = optional(name)
        return _parse(name, text, lambda t: parse_datetime(t, zone)) if text else None

    created_at, paid_at = when("created"), when("paid_at")
    currency = optional("currency")

    # the orders export's money rule (presets/getcourse.py)
    if status in PAID:
        amount = paid if paid not in (None, Decimal(0)) else cost
        if status == "partially_paid" and paid is not None:
            amount = paid
    elif status == "refunded":
        amount = paid if paid not in (None, Decimal(0)) else cost
    else:
        amount = paid if paid is not None else Decimal(0)
    title = optional("title")
    row = {
        "order_id": f"{NS}:{deal_id}",
        "created_at": created_at,
        "paid_at": paid_at if status in PAID else None,
        "amount": amount,
        "currency": _currency("currency", currency) if currency else None,
        "status": status,
        "refunded_amount": amount if status == "refunded" else Decimal(0),
        "product_id": title,
        "product_title": title,
        "offer_id": optional("offer"),
        "utm_source": optional("utm_source"),
        "utm_medium": optional("utm_medium"),
        "utm_campaign": optional("utm_campaign"),
        "source_status": " ".join(status_text.split()),
        "refund_pending": refund_pending,
    }
    token = "refund_pending" if refund_pending else status
    if status == "partially_paid":
        token = f"{status}:{amount}"
    return WebhookEvent(
        event_id=f"{SOURCE_GETCOURSE}:{deal_id}:{token}",
        source=SOURCE_GETCOURSE,
        kind="order",
        row=MappingProxyType(row),
        email=email,
        phone=phone,
        source_id=f"{NS}:{user_id}" if user_id else None,
        name=optional("name"),
        defaults=_order_defaults(status, now),
    )


def _order_defaults(status: str, now: dt.datetime) -> Mapping[str, Any]:
    defaults: dict[str, Any] = {
        "created_at": now,
        "refunded_amount": Decimal(0),
        "is_gift": False,
        "is_corporate": False,
        "refund_pending": False,
    }
    if status in PAID:
        defaults["paid_at"] = now
    return MappingProxyType(defaults)


# ---------------------------------------------------------------- signed JSON


def sign(body: bytes, secret: bytes) -> str:
    """The signature header value of ``body`` (what a sender puts in the header).

    >>> sign(b'{"a": 1}', b"k")[:15]
    'sha256=3af007ed'
    """
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: bytes) -> None:
    """Check ``header`` (``sha256=<hex HMAC-SHA256(secret, body)>``) in constant time.

    >>> verify_signature(b"{}", sign(b"{}", b"k"), b"k")
    >>> verify_signature(b"{}", sign(b"{}", b"other"), b"k")
    Traceback (most recent call last):
    livebase.web.webhook.WebhookError: the signature does not match the body
    """
    if not secret:
        raise ConfigError("the webhook secret is empty: no event can be authenticated")
    if not header:
        raise WebhookError("bad_signature", "no signature header")
    scheme, _, digest = header.strip().partition("=")
    if scheme.strip().lower() != "sha256" or not digest:
        raise WebhookError("bad_signature", "the signature must be 'sha256=<hex digest>'")
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
    given = digest.strip().lower().encode("utf-8", "replace")
    if not hmac.compare_digest(expected, given):
        raise WebhookError("bad_signature", "the signature does not match the body")


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _bad(name, value, "must be a string")
    text = value.strip()
    if not text:
        raise WebhookError("missing_field", f"{name!r} is empty")
    if len(text) > MAX_TEXT:
        raise _bad(name, text, f"longer than {MAX_TEXT} characters")
    return text


def _json_ts(name: str, value: Any) -> dt.datetime:
    return _parse(name, _text(name, value), lambda t: parse_datetime(t, "UTC", "iso"))


def _json_money(name: str, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _bad(name, value, "not an amount")
    if isinstance(value, int | Decimal):
        try:
            amount = Decimal(value).quantize(CENT)
        except InvalidOperation:
            raise _bad(name, value, "not an amount") from None
    else:
        amount = _parse(name, _text(name, value), parse_money)
    if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 16:
        raise _bad(name, value, "not an amount between 0 and 10^16")
    return amount


def _json_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _bad(name, value, "must be true or false")
    return value


def _enum(table: str, column: str) -> Callable[[str, Any], str]:
    allowed = ENUMS[(table, column)]

    def parse(name: str, value: Any) -> str:
        text = _text(name, value)
        if text not in allowed:
            raise _bad(name, text, "not one of " + ", ".join(allowed))
        return text

    return parse


def _json_currency(name: str, value: Any) -> str:
    return _currency(name, _text(name, value))


Parser = Callable[[str, Any], Any]

# per type: column -> (parser, required); the person's keys come on top
FIELDS: dict[str, dict[str, tuple[Parser, bool]]] = {
    "order": {
        "order_id": (_text, True),
        "status": (_enum("orders", "status"), True),
        "amount": (_json_money, True),
        "created_at": (_json_ts, False),
        "paid_at": (_json_ts, False),
        "currency": (_json_currency, False),
        "refunded_amount": (_json_money, False),
        "product_id": (_text, False),
        "product_title": (_text, False),
        "category": (_text, False),
        "plan_id": (_text, False),
        "is_gift": (_json_bool, False),
        "is_corporate": (_json_bool, False),
        "discount_amount": (_json_money, False),
        "offer_id": (_text, False),
        "utm_source": (_text, False),
        "utm_medium": (_text, False),
        "utm_campaign": (_text, False),
        "variable_cost": (_json_money, False),
        "source_status": (_text, False),
        "refund_pending": (_json_bool, False),
    },
    "message": {
        "ts": (_json_ts, True),
        "channel": (_enum("messages", "channel"), True),
        "event": (_enum("messages", "event"), True),
        "campaign_id": (_text, False),
        "wave_id": (_text, False),
        "arm": (_text, False),
        "touch_id": (_text, False),
        "is_promo": (_json_bool, False),
        "offer_type": (_text, False),
    },
    "activity": {
        "ts": (_json_ts, True),
        "kind": (_enum("activities", "kind"), True),
        "course_id": (_text, False),
        "lesson_id": (_text, False),
    },
    "consent": {
        "channel": (_enum("consents", "channel"), True),
        "purpose": (_enum("consents", "purpose"), True),
        "granted": (_json_bool, True),
        "ts": (_json_ts, True),
        "offer_version": (_text, False),
        "source": (_text, False),
        "given_by": (_text, False),
    },
}
PERSON: dict[str, Parser] = {
    "customer_id": _text,
    "email": lambda n, v: _parse(n, _text(n, v), normalize_email),
    "phone": lambda n, v: _parse(n, _text(n, v), normalize_phone),
}


def parse_json_event(body: bytes, *, now: dt.datetime) -> WebhookEvent:
    """The event of one signed JSON body (check the signature first).

    >>> ev = parse_json_event(
    ...     b'{"event_id": "m-1", "type": "message", "data": {"email": "a@b.ru",'
    ...     b' "ts": "2025-03-05T09:00:00Z", "channel": "email", "event": "opened"}}',
    ...     now=dt.datetime(2025, 3, 5, 12, 0),
    ... )
    >>> ev.event_id, ev.table, ev.row["event_id"], ev.row["ts"]
    ('m-1', 'messages', 'm-1', datetime.datetime(2025, 3, 5, 9, 0))
    """
    now = _utc(now)
    try:
        doc = json.loads(body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WebhookError("bad_json", "the body is not UTF-8 JSON") from None
    except RecursionError:
        raise WebhookError("bad_json", "the body is nested too deeply") from None
    if not isinstance(doc, dict):
        raise WebhookError("bad_json", "the body must be a JSON object")
    _check_strings(doc)
    extra = sorted(set(doc) - {"event_id", "type", "data"})
    if extra:
        raise WebhookError("unknown_field", f"unknown field {_show(extra[0])} in the event")
    for name in ("event_id", "type", "data"):
        if doc.get(name) is None:
            raise WebhookError("missing_field", f"no {name!r} in the event")
    event_id = _text("event_id", doc["event_id"])
    if len(event_id) > MAX_ID or any(c.isspace() or not c.isprintable() for c in event_id):
        raise _bad("event_id", event_id, f"at most {MAX_ID} printable characters, no spaces")
    kind = doc["type"]
    if kind not in TYPES:
        raise WebhookError("unknown_type", f"unknown type {_show(kind)}: one of {', '.join(TYPES)}")
    data = doc["data"]
    if not isinstance(data, dict):
        raise WebhookError("bad_value", "'data' must be a JSON object")
    fields = FIELDS[kind]
    unknown = sorted(set(data) - set(fields) - set(PERSON))
    if unknown:
        raise WebhookError("unknown_field", f"unknown field {_show(unknown[0])} in a {kind} event")
    row: dict[str, Any] = {}
    for name, (parse, needed) in fields.items():
        value = data.get(name)
        if value is None:
            if needed:
                raise WebhookError("missing_field", f"no {name!r} in the {kind} data")
            continue
        row[name] = parse(name, value)
    person = {n: p(n, data[n]) for n, p in PERSON.items() if data.get(n) is not None}
    if not person:
        raise WebhookError(
            "missing_field", "no person: give 'customer_id', 'email' or 'phone' in the data"
        )
    defaults: Mapping[str, Any] = MappingProxyType({})
    if kind == "order":
        refunded = row.get("refunded_amount")
        if refunded is not None and refunded > row["amount"]:
            raise _bad("refunded_amount", refunded, "larger than the amount")
        if row["status"] == "refunded" and refunded is None:
            row["refunded_amount"] = row["amount"]
        defaults = _order_defaults(row["status"], now)
    elif kind in ("message", "activity"):
        row["event_id"] = event_id
    return WebhookEvent(
        event_id=event_id,
        source=SOURCE_JSON,
        kind=kind,
        row=MappingProxyType(row),
        email=person.get("email"),
        phone=person.get("phone"),
        source_id=person.get("customer_id"),
        defaults=defaults,
    )


# ---------------------------------------------------------------- storing


def _keys(event: WebhookEvent) -> list[tuple[str, str]]:
    """The person's identity keys as the identities table names them."""
    values = (event.source_id, event.email, event.phone)
    return [(k, v) for k, v in zip(KINDS, values, strict=True) if isinstance(v, str) and v]


def _known_ids(ws: Workspace, event_ids: Sequence[str]) -> set[str]:
    """The ids among ``event_ids`` already in ``webhook_events``."""
    t = ws.table("webhook_events")
    found = t.filter(t.event_id.isin(sorted(set(event_ids)))).select("event_id")
    return set(found.to_pyarrow().column("event_id").to_pylist())


def _owners(ws: Workspace, events: Sequence[WebhookEvent]) -> dict[tuple[str, str], str]:
    """The stored customer of each identity key of ``events``."""
    wanted = {key for event in events for key in _keys(event)}
    if not wanted:
        return {}
    t = ws.table("identities")
    rows = t.filter(t.value.isin(sorted({v for _, v in wanted}))).to_pyarrow().to_pylist()
    pairs = ((r["kind"], r["value"], r["customer_id"]) for r in rows)
    return {(kind, value): cid for kind, value, cid in pairs if (kind, value) in wanted}


def _footprint(event: WebhookEvent, owners: Mapping[tuple[str, str], str]) -> set[tuple[str, str]]:
    """What storing ``event`` reads or writes: its id, its order, its person's keys, the
    customers who own them and the id a new person would get (``identity.resolve``)."""
    marks = {("event", event.event_id)}
    if event.kind == "order":
        marks.add(("order", event.row["order_id"]))
    for kind, value in _keys(event):
        marks.add((kind, value))
        if (kind, value) in owners:
            marks.add(("customer", owners[(kind, value)]))
        new_id = value if kind == "src" else _hash_id("em" if kind == "email" else "ph", value)
        marks.add(("customer", new_id))
    return marks


Timed = tuple[WebhookEvent, dt.datetime]  # an event and when it was received


def _rounds(items: Sequence[Timed], owners: Mapping[tuple[str, str], str]) -> list[list[Timed]]:
    """``items`` in rounds whose events share nothing; an event comes in a later round
    than every earlier event it shares something with, so storing the rounds in turn,
    each at once, gives what storing the events one by one gives.

    Sharing is transitive: once an event has joined keys and customers (a merge, a new
    key of a known customer), they are one thing for every later event."""
    rounds: list[list[Timed]] = []
    parent: dict[tuple[str, str], tuple[str, str]] = {}
    last: dict[tuple[str, str], int] = {}  # a group's root -> round of its latest event

    def find(mark: tuple[str, str]) -> tuple[str, str]:
        root = parent.setdefault(mark, mark)
        while root != parent[root]:
            root = parent[root]
        while parent[mark] != root:
            parent[mark], mark = root, parent[mark]
        return root

    for item in items:
        roots = {find(m) for m in _footprint(item[0], owners)}
        n = max((last[r] + 1 for r in roots if r in last), default=0)
        root = min(roots)
        for r in roots:
            parent[r] = root
        last[root] = n
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(item)
    return rounds


def _stored_orders(ws: Workspace, order_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    if not order_ids:
        return {}
    t = ws.table("orders")
    rows = t.filter(t.order_id.isin(sorted(set(order_ids)))).to_pyarrow().to_pylist()
    return {r["order_id"]: r for r in rows}


def _order_row(ws: Workspace, event: WebhookEvent, stored: Mapping[str, Any]) -> dict[str, Any]:
    """The event's order over the stored one; defaults where both are empty."""
    row = {k: v for k, v in stored.items() if v is not None}
    row.update({k: v for k, v in event.row.items() if v is not None})
    for name, value in event.defaults.items():
        if row.get(name) is None:
            row[name] = value
    if row.get("currency") is None:
        row["currency"] = ws.config.currency
    if row.get("category") is None:
        title = row.get("product_title") or row.get("product_id")
        row["category"] = category_of(title, ws.config.purchase_rules)
    return row


def _add_new(ws: Workspace, table: str, frame: pd.DataFrame) -> None:
    """:func:`~livebase.store.write.upsert` for a table whose stored rows never change
    (``replace`` off): the rows whose key is not stored yet are inserted, the others left
    as they are; one lookup and one insert instead of a staging table."""
    spec = ALL_TABLES[table]
    key = list(spec.key)
    rows = to_arrow(spec, frame.drop_duplicates(subset=key, keep="last"))
    keys = list(zip(*(rows.column(k).to_pylist() for k in key), strict=True))
    firsts = sorted({k[0] for k in keys if k[0] is not None})
    stored: set[tuple] = set()
    if firsts:
        t = ws.table(table)
        found = t.filter(t[key[0]].isin(firsts)).select(*key).to_pyarrow()
        stored = set(zip(*(found.column(k).to_pylist() for k in key), strict=True))
    # a key with a NULL never equals a stored one (as in SQL)
    new = [i for i, k in enumerate(keys) if None in k or k not in stored]
    if new:
        insert(ws.con, table, rows.take(new))


def _replace_rows(ws: Workspace, table: str, frame: pd.DataFrame) -> None:
    """:func:`~livebase.store.write.upsert` for a few rows of a table keyed by one column
    whose rows change (``replace`` on): a stored row that differs is deleted and the new
    version inserted, a new key inserted, an equal row left; one lookup and one insert
    instead of a staging table."""
    spec = ALL_TABLES[table]
    (key,) = spec.key
    rows = to_arrow(spec, frame.drop_duplicates(subset=[key], keep="last"))
    ids = sorted({v for v in rows.column(key).to_pylist() if v is not None})
    t = ws.table(table)
    stored = {r[key]: r for r in t.filter(t[key].isin(ids)).to_pyarrow().to_pylist()} if ids else {}
    changed, write = [], []
    for i, row in enumerate(rows.to_pylist()):
        old = stored.get(row[key])
        if old is None:
            write.append(i)
        elif any(_comparable(row[c]) != _comparable(old[c]) for c in spec.columns):
            changed.append(row[key])
            write.append(i)
    if changed:
        delete_rows(ws.con, table, isin(key, changed))
    if write:
        insert(ws.con, table, rows.take(write))


class _Tables:
    """A workspace that keeps its table expressions for one transaction (each
    ``Workspace.table`` asks the engine for the table's schema again)."""

    def __init__(self, ws: Workspace) -> None:
        self._ws = ws
        self._tables: dict[str, Any] = {}

    def table(self, name: str) -> Any:
        if name not in self._tables:
            self._tables[name] = self._ws.table(name)
        return self._tables[name]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)


def _store_round(ws: Workspace, items: Sequence[Timed]) -> None:
    """Store events that share nothing (one round of :func:`_rounds`) at once."""
    con = ws.con
    events = [event for event, _ in items]
    stored = _stored_orders(ws, [e.row["order_id"] for e in events if e.kind == "order"])
    rows: dict[str, list[dict[str, Any]]] = {}
    people: list[dict[str, Any]] = []
    for event in events:
        keys = {SRC: event.source_id, EMAIL: event.email, PHONE: event.phone}
        if event.kind == "order":
            row = _order_row(ws, event, stored.get(event.row["order_id"], {}))
        else:
            row = dict(event.row)
        rows.setdefault(event.table, []).append({**row, **keys})
        person: dict[str, Any] = {
            **keys,
            "email": event.email,
            "phone": event.phone,
            "name": event.name,
        }
        if event.kind == "order":
            person["created_at"] = row["created_at"]
        people.append(person)
    mains = [Batch(table, pd.DataFrame(found)) for table, found in rows.items()]
    crowd = Batch("customers", pd.DataFrame(people))
    merges, absorbed, new_keys = _resolve_identities(ws, [*mains, crowd])
    write_identities(con, [], absorbed, new_keys, items[0][1])
    # a merge is logged at the time of the event that made it (its customer's; the
    # events of a round have distinct customers)
    when = dict(zip(crowd.frame["customer_id"], (now for _, now in items), strict=True))
    for now in dict.fromkeys(when[m.into_id] for m in merges):
        write_identities(con, [m for m in merges if when[m.into_id] == now], {}, {}, now)
    _write_customers(ws, [crowd], absorbed)
    for main in mains:
        frame = main.frame.drop(columns=[SRC, EMAIL, PHONE])
        if main.table == "orders":
            _replace_rows(ws, "orders", _apply_refunds(ws, frame))
        else:
            _add_new(ws, main.table, frame)
    log = [
        {
            "event_id": e.event_id,
            "source": e.source,
            "kind": e.kind,
            "received_at": now,
            "status": "stored",
            "reason": None,
        }
        for e, now in items
    ]
    append(con, "webhook_events", pd.DataFrame(log))  # ids checked absent in this transaction


def store_events(
    ws: Workspace,
    events: Sequence[WebhookEvent],
    *,
    now: dt.datetime | Sequence[dt.datetime],
) -> list[str]:
    """Store ``events`` (received at ``now``: one time, or one per event) in one
    transaction, each with the answer and the rows it would have had stored alone, in
    this order: ``"stored"``, or ``"replay"`` when its id is already in ``webhook_events``
    or earlier in ``events`` (then it changes nothing), or ``"erased"`` for a person who
    was erased (refused and logged)."""
    times = [now] * len(events) if isinstance(now, dt.datetime) else list(now)
    if len(times) != len(events):
        raise ValueError(f"{len(times)} times for {len(events)} events")
    statuses = ["replay"] * len(events)
    if not events:
        return statuses
    with transaction(ws.con):
        ws = _Tables(ws)  # type: ignore[assignment]
        seen = _known_ids(ws, [e.event_id for e in events])
        todo: list[Timed] = []
        gone = erased_people(ws, [(e.source_id, e.email, e.phone) for e in events])
        for i, (event, when) in enumerate(zip(events, times, strict=True)):
            if gone[i]:  # an erased person stays erased (docs/privacy.md): refused, logged
                statuses[i] = "erased"
                record_rejection(
                    ws, source=event.source, kind=event.kind, reason="erased", now=_utc(when)
                )
            elif event.event_id not in seen:
                seen.add(event.event_id)
                todo.append((event, _utc(when)))
                statuses[i] = "stored"
        # one event is one round: its footprint needs no look-up
        owners = _owners(ws, [event for event, _ in todo]) if len(todo) > 1 else {}
        for group in _rounds(todo, owners):
            _store_round(ws, group)
    return statuses


def store_event(ws: Workspace, event: WebhookEvent, *, now: dt.datetime) -> str:
    """Store ``event`` and its rows in one transaction: ``"stored"``, or ``"replay"`` when
    its id is already in ``webhook_events`` (then nothing changes)."""
    return store_events(ws, [event], now=now)[0]


def record_rejection(
    ws: Workspace,
    *,
    source: str,
    kind: str,
    reason: str,
    now: dt.datetime,
    event_id: str | None = None,
    row_id: str | None = None,
) -> str:
    """Log a refused event (reason code only, never a token, a secret or the payload);
    returns the id of the ``rejected`` row: ``row_id`` when given (a spooled refusal,
    written once however often its line is stored), else a fresh one."""
    for name, value in (("source", source), ("kind", kind), ("reason", reason)):
        if not _CODE.fullmatch(value):
            raise InputError(f"{name} must be a short code (a-z, 0-9, _), not {_show(value)}")
    key = row_id or f"rejected:{uuid.uuid4().hex}"
    if event_id and not row_id:
        digest = hashlib.sha256(event_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        key = f"rejected:{digest}:{uuid.uuid4().hex}"
    row = {
        "event_id": key,
        "source": source,
        "kind": kind,
        "received_at": _utc(now),
        "status": "rejected",
        "reason": reason,
    }
    # a fresh id needs no look-up; a given one may be stored already
    (upsert if row_id else append)(ws.con, "webhook_events", pd.DataFrame([row]))
    return key
