"""Every dashboard page and its JSON twin on the demo school, in both languages: the page
renders (strict HTML), and the numbers it shows are the numbers of its twin."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from livebase.store.workspace import Workspace
from livebase.web import auth
from livebase.web.app import create_app
from tests.reports.html_page import parse


@pytest.fixture(scope="module")
def client(demo_root):
    ws = Workspace.open(demo_root)
    auth.add_user(ws, "head", "pages-test-1")
    ws.close()
    app = create_app(demo_root)
    with TestClient(app, base_url="https://testserver") as c:
        r = c.post("/login", data={"username": "head", "password": "pages-test-1"})
        assert r.status_code == 200
        yield c
    app.state.store.close()


def _values(html: str) -> dict[str, str]:
    """The data-key → data-value pairs of a page."""
    page = parse(html)
    out, key = {}, None
    for name, value in page.attrs:
        if name == "data-key":
            key = value
        elif name == "data-value" and key is not None:
            out[key] = value
            key = None
    return out


def _dig(data: dict, dotted: str):
    for part in dotted.split("."):
        data = data[part]
    return data


PAGES = ["/", "/segments", "/cohorts", "/risk", "/waves", "/waves/W-R90-20250506"]


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_and_its_twin(client, path, lang):
    r = client.get(path, params={"lang": lang})
    assert r.status_code == 200, r.text[:300]
    assert f'<html lang="{lang}">' in r.text
    twin = client.get(("/index" if path == "/" else path) + ".json", params={"lang": lang})
    assert twin.status_code == 200
    data = twin.json()
    for key, shown in _values(r.text).items():
        assert str(_dig(data, key)) == shown, (path, key)


def test_the_customer_card(client):
    risk = client.get("/risk.json").json()
    cid = risk["rows"][0]["customer_id"]
    r = client.get(f"/customers/{cid}", params={"lang": "en"})
    assert r.status_code == 200
    card = client.get(f"/customers/{cid}.json").json()
    assert card["customer_id"] == cid
    assert str(card["risk"]["score"]) == _values(r.text)["risk.score"]
    assert client.get("/customers/nobody.json").status_code == 400


def test_unknown_wave(client):
    r = client.get("/waves/W-NOPE.json")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "bad_input"
