"""The webhook's parsing and storing (SPEC F1.5): GetCourse callbacks, signed JSON events,
idempotence by event id, rejections without secrets."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pandas as pd
import pytest

from livebase.errors import InputError
from livebase.ingest.pipeline import import_file
from livebase.metrics.purchases import purchases
from livebase.store.schema import ALL_TABLES
from livebase.store.write import upsert
from livebase.web.webhook import (
    WebhookError,
    parse_getcourse,
    parse_json_event,
    record_rejection,
    sign,
    store_event,
    verify_signature,
)
from tests.ingest.gc_files import order, write_orders
from tests.store_rows import put_orders

T0 = dt.datetime(2025, 3, 5, 12, 0)  # UTC
SECRET = b"whsec-Zx81-never-logged"
TOKEN = "gc-token-Qw12-never-logged"


def gc_params(**over: str) -> dict[str, str]:
    params = {
        "token": TOKEN,
        "event": "dealPaid",
        "id": "901",
        "user_id": "55",
        "email": " Anna@Mail.RU ",
        "cost": "9 900 руб.",
        "status": "payed",
        "created": "2025-03-05 14:30:00",  # Moscow, UTC+3
        "title": "Курс «Акварель»",
    }
    params.update(over)
    return params


def counts(ws) -> dict[str, int]:
    return {name: int(ws.table(name).count().execute()) for name in ALL_TABLES}


def orders(ws) -> pd.DataFrame:
    return ws.table("orders").to_pandas().set_index("order_id")


def json_body(event_id: str, kind: str, data: dict) -> bytes:
    return json.dumps({"event_id": event_id, "type": kind, "data": data}).encode()


def test_a_paid_deal_is_one_event_although_announced_twice(ws):
    first = parse_getcourse(gc_params(), now=T0)
    second = parse_getcourse(gc_params(event="dealStatusChanged"), now=T0)
    assert first.event_id == second.event_id == "getcourse:901:paid"
    assert store_event(ws, first, now=T0) == "stored"
    assert store_event(ws, second, now=T0 + dt.timedelta(seconds=2)) == "replay"
    o = orders(ws)
    assert list(o.index) == ["gc:901"]  # the importer's order id for deal 901
    row = o.loc["gc:901"]
    assert row["customer_id"] == "gc:55"  # the importer's customer id for user 55
    assert row["status"] == "paid"
    assert row["amount"] == Decimal("9900.00")
    assert row["refunded_amount"] == Decimal("0.00")
    assert row["created_at"] == pd.Timestamp("2025-03-05 11:30")  # 14:30 Moscow
    assert row["paid_at"] == pd.Timestamp(T0)  # no paid time given: when it was announced
    assert (row["currency"], row["category"]) == ("RUB", "course")
    events = ws.table("webhook_events").to_pandas()
    assert events[["event_id", "source", "kind", "status"]].values.tolist() == [
        ["getcourse:901:paid", "getcourse", "order", "stored"]
    ]
    ids = ws.table("identities").to_pandas()
    assert sorted(zip(ids["kind"], ids["value"], ids["customer_id"], strict=True)) == [
        ("email", "anna@mail.ru", "gc:55"),
        ("src", "gc:55", "gc:55"),
    ]
    customers = ws.table("customers").to_pandas()
    assert customers[["customer_id", "email"]].values.tolist() == [["gc:55", "anna@mail.ru"]]


def test_a_replay_changes_nothing(ws):
    gc = parse_getcourse(gc_params(), now=T0)
    body = json_body(
        "msg-1",
        "message",
        {"email": "b@x.ru", "ts": "2025-03-05T09:00:00Z", "channel": "email", "event": "opened"},
    )
    msg = parse_json_event(body, now=T0)
    assert store_event(ws, gc, now=T0) == "stored"
    assert store_event(ws, msg, now=T0) == "stored"
    before = counts(ws)
    stored_orders = ws.table("orders").to_pandas()
    # the same ids again, even with other content, are replays
    later = parse_getcourse(gc_params(cost="1", created="2025-03-06 10:00:00"), now=T0)
    assert store_event(ws, later, now=T0 + dt.timedelta(hours=1)) == "replay"
    assert store_event(ws, msg, now=T0 + dt.timedelta(hours=1)) == "replay"
    assert counts(ws) == before
    pd.testing.assert_frame_equal(ws.table("orders").to_pandas(), stored_orders)
    assert before["webhook_events"] == 2


def test_the_same_deal_refunded_later_updates_the_order(ws):
    store_event(ws, parse_getcourse(gc_params(), now=T0), now=T0)
    later = T0 + dt.timedelta(days=10)
    refund = parse_getcourse(
        gc_params(event="dealStatusChanged", status="Возврат", created="{object.created_at}"),
        now=later,
    )
    assert refund.event_id == "getcourse:901:refunded"
    assert store_event(ws, refund, now=later) == "stored"
    o = orders(ws)
    assert list(o.index) == ["gc:901"]  # updated, not doubled
    row = o.loc["gc:901"]
    assert row["status"] == "refunded"
    # the whole 9 900 comes back; the times of the paid deal are kept
    assert row["refunded_amount"] == Decimal("9900.00")
    assert row["paid_at"] == pd.Timestamp(T0)
    assert row["created_at"] == pd.Timestamp("2025-03-05 11:30")
    assert row["source_status"] == "Возврат"
    # net revenue 9 900 − 9 900 = 0, and no longer a purchase
    p = purchases(ws.con, ws.config.purchase_rules, until=later).to_pandas()
    assert p[["net", "is_purchase"]].values.tolist() == [[Decimal("0.00"), False]]
    assert ws.table("webhook_events").count().execute() == 2


def test_a_webhook_deal_updates_the_order_of_an_earlier_export(ws, tmp_path):
    path = write_orders(
        tmp_path / "orders.csv",
        [order(901, 55, "anna@mail.ru", status="Новый", amount="9 900")],
    )
    import_file(ws, path, "getcourse-orders")
    assert orders(ws).loc["gc:901", "status"] == "pending"
    store_event(ws, parse_getcourse(gc_params(), now=T0), now=T0)
    o = orders(ws)
    assert list(o.index) == ["gc:901"]
    assert (o.loc["gc:901", "status"], o.loc["gc:901", "amount"]) == ("paid", Decimal("9900.00"))
    assert o.loc["gc:901", "utm_source"] == "vk"  # from the export, kept
    assert ws.table("customers").count().execute() == 1


def test_partial_payments_and_refund_pending_are_events_of_their_own(ws):
    part = parse_getcourse(gc_params(status="part_payed", paid="3 000"), now=T0)
    more = parse_getcourse(gc_params(status="part_payed", paid="6 000"), now=T0)
    pending = parse_getcourse(gc_params(status="waiting_for_return"), now=T0)
    assert [part.event_id, more.event_id, pending.event_id] == [
        "getcourse:901:partially_paid:3000.00",
        "getcourse:901:partially_paid:6000.00",
        "getcourse:901:refund_pending",
    ]
    assert part.row["amount"] == Decimal("3000.00")
    assert (pending.row["status"], pending.row["refund_pending"]) == ("paid", True)


def test_an_existing_customer_is_matched_by_email(ws):
    put_orders(ws, [{"customer_id": "c1", "amount": 500, "paid_at": "2025-01-10T10:00:00"}])
    upsert(ws.con, "customers", pd.DataFrame([{"customer_id": "c1", "email": "anna@mail.ru"}]))
    upsert(
        ws.con,
        "identities",
        pd.DataFrame([{"kind": "email", "value": "anna@mail.ru", "customer_id": "c1"}]),
    )
    store_event(ws, parse_getcourse(gc_params(user_id="77"), now=T0), now=T0)
    o = orders(ws)
    assert o.loc["gc:901", "customer_id"] == "c1"
    assert ws.table("customers").to_pandas()["customer_id"].tolist() == ["c1"]
    ids = ws.table("identities").to_pandas().set_index(["kind", "value"])["customer_id"]
    assert ids[("src", "gc:77")] == "c1"
    merges = ws.table("identity_merges").to_pandas()
    assert merges[["from_id", "into_id", "rule"]].values.tolist() == [["gc:77", "c1", "email"]]
    # a JSON event naming the customer id lands on the same person
    body = json_body(
        "c-1",
        "consent",
        {
            "customer_id": "c1",
            "channel": "email",
            "purpose": "marketing",
            "granted": False,
            "ts": "2025-03-06T08:00:00Z",
        },
    )
    store_event(ws, parse_json_event(body, now=T0), now=T0)
    assert ws.table("consents").to_pandas()["customer_id"].tolist() == ["c1"]
    assert ws.table("customers").count().execute() == 1


def test_json_order_message_and_consent_are_stored(ws):
    order_body = json_body(
        "shop-o-1",
        "order",
        {
            "order_id": "shop:1",
            "email": "B@X.ru",
            "status": "paid",
            "amount": 1500.5,
            "created_at": "2025-03-01T10:00:00+03:00",
            "product_title": "Бесплатный вебинар «Старт»",
        },
    )
    verify_signature(order_body, sign(order_body, SECRET), SECRET)
    ev = parse_json_event(order_body, now=T0)
    assert store_event(ws, ev, now=T0) == "stored"
    o = orders(ws).loc["shop:1"]
    assert o["amount"] == Decimal("1500.50")
    assert o["created_at"] == pd.Timestamp("2025-03-01 07:00")  # +03:00 → UTC
    assert o["paid_at"] == pd.Timestamp(T0)
    assert o["category"] == "webinar"  # the workspace's title rules
    customer = o["customer_id"]
    assert customer.startswith("em:")  # a new person known by email only
    message = json_body(
        "esp-77",
        "message",
        {"email": "b@x.ru", "ts": "2025-03-05T09:00:00", "channel": "email", "event": "clicked"},
    )
    consent = json_body(
        "cons-1",
        "consent",
        {
            "email": "b@x.ru",
            "channel": "sms",
            "purpose": "marketing",
            "granted": True,
            "ts": "2025-03-05T09:30:00Z",
            "source": "form",
        },
    )
    for body in (message, consent):
        assert store_event(ws, parse_json_event(body, now=T0), now=T0) == "stored"
    m = ws.table("messages").to_pandas()
    assert m[["event_id", "customer_id", "channel", "event"]].values.tolist() == [
        ["esp-77", customer, "email", "clicked"]
    ]
    c = ws.table("consents").to_pandas()
    assert c[["customer_id", "channel", "granted", "source"]].values.tolist() == [
        [customer, "sms", True, "form"]
    ]
    assert ws.table("customers").count().execute() == 1
    events = ws.table("webhook_events").to_pandas().sort_values("event_id")
    assert events[["event_id", "source", "kind"]].values.tolist() == [
        ["cons-1", "json", "consent"],
        ["esp-77", "json", "message"],
        ["shop-o-1", "json", "order"],
    ]


def test_a_json_activity_is_stored(ws):
    body = json_body(
        "act-1",
        "activity",
        {"phone": "8 916 123-45-67", "ts": "2025-03-04T18:00:00Z", "kind": "lesson_finish"},
    )
    store_event(ws, parse_json_event(body, now=T0), now=T0)
    a = ws.table("activities").to_pandas()
    assert a[["event_id", "kind"]].values.tolist() == [["act-1", "lesson_finish"]]
    ids = ws.table("identities").to_pandas()
    assert ids[["kind", "value"]].values.tolist() == [["phone", "+79161234567"]]


@pytest.mark.parametrize(
    ("header", "body"),
    [
        (None, b"{}"),
        ("", b"{}"),
        ("md5=abc", b"{}"),
        (sign(b"{}", b"another secret"), b"{}"),
        (sign(b'{"a": 1}', SECRET), b'{"a": 2}'),  # signed, then changed
        ("sha256=zz\u00e9", b"{}"),
    ],
)
def test_a_bad_signature_is_refused(header, body):
    with pytest.raises(WebhookError) as info:
        verify_signature(body, header, SECRET)
    assert info.value.reason == "bad_signature"
    assert SECRET.decode() not in str(info.value)


def test_a_good_signature_passes_in_any_hex_case():
    body = b'{"event_id": "x"}'
    verify_signature(body, sign(body, SECRET).upper().replace("SHA256", "sha256"), SECRET)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "bad_json"),
        (b"\xff\xfe", "bad_json"),
        (b"[1, 2]", "bad_json"),
        (b'{"event_id": "e", "type": "order"}', "missing_field"),
        (b'{"event_id": "e", "type": "refund", "data": {}}', "unknown_type"),
        (b'{"event_id": "e", "type": "order", "data": {}, "x": 1}', "unknown_field"),
        (
            b'{"event_id": "e", "type": "order", "data": {"order_id": "1", "email": "a@b.ru",'
            b' "status": "done", "amount": 5}}',
            "bad_value",
        ),
        (
            b'{"event_id": "e", "type": "order", "data": {"order_id": "1", "email": "a@b.ru",'
            b' "status": "paid", "amount": -5}}',
            "bad_value",
        ),
        (
            b'{"event_id": "e", "type": "order", "data": {"order_id": "1", "status": "paid",'
            b' "amount": 5}}',
            "missing_field",
        ),
        (
            b'{"event_id": "e", "type": "message", "data": {"email": "a@b.ru", "ts": "yesterday",'
            b' "channel": "email", "event": "opened"}}',
            "bad_value",
        ),
        (
            b'{"event_id": "e", "type": "consent", "data": {"email": "a@b.ru", "channel": "sms",'
            b' "purpose": "marketing", "granted": "yes", "ts": "2025-03-01T00:00:00Z"}}',
            "bad_value",
        ),
        (
            b'{"event_id": "e", "type": "activity", "data": {"email": "a@b.ru",'
            b' "ts": "2025-03-01T00:00:00Z", "kind": "lesson_finish", "score": 5}}',
            "unknown_field",
        ),
        (b'{"event_id": "has space", "type": "order", "data": {}}', "bad_value"),
    ],
)
def test_a_malformed_json_event_is_refused_with_its_reason(body, reason):
    with pytest.raises(WebhookError) as info:
        parse_json_event(body, now=T0)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({"id": "{object.id}"}, "unfilled_placeholder"),
        ({"cost": "{object.cost_money_value}"}, "unfilled_placeholder"),
        ({"email": "{object.user.email}", "user_id": "{object.user.id}"}, "unfilled_placeholder"),
        ({"id": ""}, "missing_field"),
        ({"email": "", "user_id": ""}, "missing_field"),
        ({"status": "archived"}, "bad_value"),
        ({"cost": "много"}, "bad_value"),
        ({"cost": "-100"}, "bad_value"),
        ({"email": "not-an-email"}, "bad_value"),
        ({"id": "1; DROP TABLE orders"}, "bad_value"),
        ({"created": "35.13.2025"}, "bad_value"),
    ],
)
def test_a_bad_getcourse_callback_is_refused_with_its_reason(over, reason):
    with pytest.raises(WebhookError) as info:
        parse_getcourse(gc_params(**over), now=T0)
    assert info.value.reason == reason
    assert TOKEN not in str(info.value)


def test_an_unfilled_optional_placeholder_counts_as_absent():
    ev = parse_getcourse(
        gc_params(phone="{object.user.phone}", email="{object.user.email}"), now=T0
    )
    assert (ev.phone, ev.email, ev.source_id) == (None, None, "gc:55")


def test_a_rejection_row_never_contains_the_secret(ws):
    try:
        verify_signature(b"{}", "sha256=" + "0" * 64, SECRET)
    except WebhookError as err:
        key = record_rejection(ws, source="json", kind="event", reason=err.reason, now=T0)
    try:
        parse_getcourse(gc_params(id="{object.id}"), now=T0)
    except WebhookError as err:
        record_rejection(
            ws,
            source="getcourse",
            kind="order",
            reason=err.reason,
            now=T0,
            event_id="getcourse:901:paid",
        )
    rows = ws.table("webhook_events").to_pandas().sort_values("reason")
    assert rows[["source", "status", "reason"]].values.tolist() == [
        ["json", "rejected", "bad_signature"],
        ["getcourse", "rejected", "unfilled_placeholder"],
    ]
    assert key.startswith("rejected:")
    assert rows["event_id"].str.startswith("rejected:").all()
    text = rows.to_csv()
    assert SECRET.decode() not in text
    assert TOKEN not in text
    # a reason is a code: free text (which could carry a secret) is refused
    with pytest.raises(InputError):
        record_rejection(ws, source="json", kind="event", reason=f"bad {TOKEN}", now=T0)
    # a rejected delivery does not block the corrected one with the same id
    assert store_event(ws, parse_getcourse(gc_params(), now=T0), now=T0) == "stored"


@pytest.mark.parametrize("bad", ["a\x00b", "x\x1by", "\x7f"])
def test_a_control_character_refuses_the_event(bad):
    with pytest.raises(WebhookError, match="control character") as exc:
        parse_getcourse(gc_params(email=f"{bad}@x.ru"), now=T0)
    assert exc.value.reason == "bad_value"
    for doc in (
        {"event_id": "e1", "type": "order", "data": {"order_id": f"o{bad}1"}},
        {"event_id": "e1", "type": "order", "data": {f"k{bad}": 1}},
        {"event_id": "e1", "type": "order", "data": {"tags": [bad]}},
    ):
        with pytest.raises(WebhookError, match="control character"):
            parse_json_event(json.dumps(doc).encode(), now=T0)
    # tab and line breaks are text, not control: the event is read (and fails elsewhere)
    assert parse_getcourse(gc_params(title="Курс\tA"), now=T0).row["order_id"] == "gc:901"
