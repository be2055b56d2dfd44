"""The webhook over HTTP: tokens and signatures, replays, refusals in the envelope."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from livebase.web.app import create_app
from livebase.web.webhook import sign
from livebase.web.webhook_routes import getcourse_token, json_key

T0 = dt.datetime(2025, 5, 20, 12)
PARAMS = {
    "event": "dealPaid",
    "id": "901",
    "user_id": "55",
    "email": "anna@mail.ru",
    "cost": "9900",
    "status": "payed",
}


@pytest.fixture
def client(ws):
    root = ws.root
    ws.close()
    app = create_app(root, clock=lambda: T0)
    with TestClient(app, base_url="https://testserver") as c:
        c.store = app.state.store
        yield c
    app.state.store.close()


def _rows(client, table):
    with client.store.use() as ws:
        return ws.table(table).to_pandas()


def test_a_getcourse_deal_is_stored_once(client):
    token = getcourse_token(client.store.secret)
    r = client.get("/webhook/getcourse", params={"token": token, **PARAMS})
    assert r.status_code == 200
    assert r.json()["status"] == "stored"
    # the same paid deal again, and as dealStatusChanged: replays, one order
    for event in ("dealPaid", "dealStatusChanged"):
        r = client.post(
            "/webhook/getcourse", params={"token": token}, data={**PARAMS, "event": event}
        )
        assert (r.status_code, r.json()["status"]) == (200, "replay")
    orders = _rows(client, "orders")
    assert list(orders["order_id"]) == ["gc:901"]
    assert list(orders["status"]) == ["paid"]


def test_refusals_use_the_envelope_and_never_store_the_secret(client):
    r = client.get("/webhook/getcourse", params={"token": "wrong", **PARAMS})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "bad_token"
    token = getcourse_token(client.store.secret)
    r = client.get("/webhook/getcourse", params={"token": token, **PARAMS, "id": "{object.id}"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "unfilled_placeholder"
    body = json.dumps({"event_id": "e1", "type": "order", "data": {}}).encode()
    r = client.post("/webhook/events", content=body, headers={"X-Livebase-Signature": "sha256=00"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "bad_signature"
    events = _rows(client, "webhook_events")
    assert list(events["status"]) == ["rejected"] * 3
    text = events.to_csv()
    assert token not in text
    assert "wrong" not in text
    assert _rows(client, "orders").empty


def test_a_signed_json_event_is_stored_and_replayed(client):
    body = json.dumps(
        {
            "event_id": "m-1",
            "type": "message",
            "data": {
                "email": "anna@mail.ru",
                "ts": "2025-05-20T09:00:00",
                "channel": "email",
                "event": "opened",
            },
        }
    ).encode()
    headers = {"X-Livebase-Signature": sign(body, json_key(client.store.secret).encode())}
    r = client.post("/webhook/events", content=body, headers=headers)
    assert (r.status_code, r.json()["status"]) == (200, "stored")
    r = client.post("/webhook/events", content=body, headers=headers)
    assert (r.status_code, r.json()["status"]) == (200, "replay")
    assert len(_rows(client, "messages")) == 1


def test_an_oversized_event_is_refused(client):
    r = client.post("/webhook/events", content=b"x" * (64 * 1024 + 1))
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"


def test_events_show_on_the_dashboard(client):
    from livebase.web import auth

    with client.store.use(write=True) as ws:  # the pages' own reads are read-only
        auth.add_user(ws, "head", "events-test-1")
    token = getcourse_token(client.store.secret)
    assert client.get("/webhook/getcourse", params={"token": token, **PARAMS}).status_code == 200
    client.get("/webhook/getcourse", params={"token": token, **PARAMS})  # a replay
    client.get("/webhook/getcourse", params={"token": "wrong", **PARAMS})
    assert client.get("/events.json").status_code == 401  # behind the login too
    client.post("/login", data={"username": "head", "password": "events-test-1"})
    page = client.get("/events.json").json()
    # both at the same clock: newest first, then by id ("getcourse:…" < "rejected:…")
    assert [(r["status"], r["reason"]) for r in page["rows"]] == [
        ("stored", None),
        ("rejected", "bad_token"),
    ]
    assert page["total"] == 2
    html = client.get("/events", params={"lang": "en", "status": "rejected"}).text
    assert "bad_token" in html
    assert "getcourse:901:paid" not in html  # filtered out
    assert token not in html
    assert "anna@mail.ru" not in client.get("/events").text


def test_a_new_event_shows_at_once(client):
    """The pages' data is cached until the store changes: a webhook write empties it."""
    from livebase.web import auth

    with client.store.use(write=True) as ws:  # the pages' own reads are read-only
        auth.add_user(ws, "head", "events-test-1")
    client.post("/login", data={"username": "head", "password": "events-test-1"})
    assert client.get("/events.json").json()["total"] == 0
    token = getcourse_token(client.store.secret)
    client.get("/webhook/getcourse", params={"token": token, **PARAMS})
    assert client.get("/events.json").json()["total"] == 1
    client.get("/webhook/getcourse", params={"token": "wrong", **PARAMS})
    assert client.get("/events.json").json()["total"] == 2
