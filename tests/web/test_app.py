"""The web app's gate: login, sessions, tokens, the error envelope and security headers."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from livebase.web import auth
from livebase.web.app import COOKIE, create_app

T0 = dt.datetime(2025, 5, 20, 12)


@pytest.fixture
def client(ws):
    auth.add_user(ws, "head", "correct horse")
    token = auth.add_token(ws, "bi")
    root = ws.root
    ws.close()
    clock = {"now": T0}
    app = create_app(root, secure_cookies=True, clock=lambda: clock["now"])
    with TestClient(app, base_url="https://testserver") as c:
        c.token = token
        c.clock = clock
        yield c
    app.state.store.close()


def _login(client, password="correct horse", next_="/"):
    return client.post(
        "/login",
        data={"username": "head", "password": password, "next": next_},
        follow_redirects=False,
    )


def test_nothing_but_the_login_page_without_a_login(client):
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2F"
    # the filters of the page asked for survive the login, and its language
    r = client.get("/risk", params={"level": "high", "lang": "en"}, follow_redirects=False)
    assert r.headers["location"] == "/login?next=%2Frisk%3Flevel%3Dhigh%26lang%3Den&lang=en"
    for path in ("/openapi.json", "/segments.json", "/anything.json"):
        r = client.get(path)
        assert r.status_code == 401, path
        assert r.json()["error"]["code"] == "unauthorized"
    r = client.get("/login")
    assert r.status_code == 200
    assert 'name="password"' in r.text


def test_login_sets_a_signed_session_cookie_and_logout_clears_it(client):
    r = _login(client, next_="/waves")
    assert (r.status_code, r.headers["location"]) == (303, "/waves")
    cookie = r.headers["set-cookie"]
    for flag in ("HttpOnly", "Secure", "SameSite=strict", "Max-Age=43200"):
        assert flag.lower() in cookie.lower(), flag
    assert client.get("/openapi.json").status_code == 200
    r = client.post("/logout", follow_redirects=False)
    assert r.status_code == 303
    client.cookies.clear()
    assert client.get("/openapi.json").status_code == 401


def test_a_wrong_password_and_an_open_redirect_are_refused(client):
    r = _login(client, password="wrong horse")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?failed=1")
    assert COOKIE not in r.headers.get("set-cookie", "")
    r = _login(client, next_="//evil.example/")
    assert r.headers["location"] == "/"


def test_sessions_expire_and_forged_cookies_fail(client):
    _login(client)
    assert client.get("/openapi.json").status_code == 200
    client.clock["now"] = T0 + dt.timedelta(hours=13)
    assert client.get("/openapi.json").status_code == 401
    client.cookies.set(COOKIE, "eyJ1IjoiaGVhZCJ9.forged")
    assert client.get("/openapi.json").status_code == 401


def test_api_tokens_open_the_json_api_only(client):
    headers = {"Authorization": f"Bearer {client.token}"}
    assert client.get("/openapi.json", headers=headers).status_code == 200
    r = client.get("/openapi.json", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    # a token is not a login for the HTML pages
    r = client.get("/", headers=headers, follow_redirects=False)
    assert r.status_code == 303


def test_security_headers_everywhere(client):
    for path in ("/login", "/openapi.json", "/static/app.css"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"


def test_plotly_is_served_locally(client):
    _login(client)
    r = client.get("/static/plotly.min.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert b"plotly.js" in r.content[:300]


def test_unknown_paths_use_the_envelope(client):
    _login(client)
    r = client.get("/nope.json")
    assert r.status_code == 404
    assert set(r.json()["error"]) == {"code", "message"}
