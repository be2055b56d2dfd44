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


PAGES = ["/", "/segments", "/cohorts", "/risk", "/waves", "/events", "/waves/W-R90-20250506"]


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


def _form(html: str) -> dict[str, str]:
    """The filter form's current values: the selected option of each list, each date."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values, self.select = {}, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "select":
                self.select = a["name"]
                self.values[self.select] = ""
            elif tag == "option" and "selected" in a:
                self.values[self.select] = a["value"]
            elif tag == "input" and a.get("type") == "date":
                self.values[a["name"]] = a.get("value") or ""

    f = Form()
    f.feed(html)
    return f.values


FILTERED = [
    ("/", {"as_of": "2025-04-30"}),
    ("/segments", {"as_of": "2025-03-31", "segment": "loyal"}),
    ("/segments", {"from": "2024-12-31", "to": "2025-03-31"}),
    ("/cohorts", {"kind": "signup_month"}),
    ("/risk", {"level": "high", "segment": "at_risk", "limit": "5"}),
    ("/waves", {"from": "2025-05-20", "segment": "R180"}),
    ("/events", {"status": "rejected"}),
]


@pytest.mark.parametrize(("path", "params"), FILTERED)
def test_filters_narrow_the_page_and_its_twin_alike(client, path, params):
    r = client.get(path, params={**params, "lang": "en"})
    assert r.status_code == 200, r.text[:300]
    twin = client.get(("/index" if path == "/" else path) + ".json", params=params).json()
    for key, shown in _values(r.text).items():
        assert str(_dig(twin, key)) == shown, (path, key)
    form = _form(r.text)
    for name, value in params.items():
        if name != "limit":
            assert form[name] == value, (path, name, form)
    # the language switch keeps the filters
    page = parse(r.text)
    switch = [v for k, v in page.attrs if k == "href" and v and "lang=ru" in v and path in v]
    assert any(all(f"{k}={v}" in href for k, v in params.items()) for href in switch), switch


def test_filtered_numbers_change(client):
    whole = client.get("/risk.json").json()
    high = client.get("/risk.json", params={"level": "high"}).json()
    assert high["matching"] == next(x["customers"] for x in whole["levels"] if x["level"] == "high")
    assert {r["level"] for r in high["rows"]} == {"high"}
    grid = client.get("/segments.json", params={"segment": "loyal"}).json()["grid"]
    assert grid["customers"] == next(
        s["customers"] for s in grid["segments"] if s["segment"] == "loyal"
    )
    cohort = client.get("/cohorts.json").json()["cohorts"][0]
    one = client.get("/cohorts.json", params={"cohort": cohort}).json()
    assert [r["cohort"] for r in one["rows"]] == [cohort]


def test_empty_filter_fields_mean_no_filter(client):
    # what a form sends when a list is left at "—" and a date field empty
    empty = client.get("/risk.json", params={"level": "", "segment": "", "as_of": ""})
    assert empty.json() == client.get("/risk.json").json()
    assert client.get("/waves", params={"from": "", "to": "", "segment": ""}).status_code == 200


@pytest.mark.parametrize(
    ("path", "params", "status", "title"),
    [
        ("/segments", {"as_of": "2020-01-01"}, 409, "Not enough data"),
        ("/risk", {"level": "extreme"}, 400, "Bad request"),
        ("/risk", {"limit": "0"}, 422, "Bad request"),
        ("/waves/W-NOPE", {}, 400, "Bad request"),
        ("/no-such-page", {}, 404, "Page not found"),
    ],
)
def test_a_page_that_cannot_be_shown_is_an_html_page(client, path, params, status, title):
    r = client.get(path, params={**params, "lang": "en"})
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    page = parse(r.text)
    assert f"<title>{title} · livebase</title>" in r.text
    assert "Content-Security-Policy" in r.headers
    assert any(k == "href" and v == f"{path}?lang=en" for k, v in page.attrs)  # retry
    twin = path if path.startswith("/no-such") else path + ".json"
    j = client.get(twin, params=params)
    if twin.endswith(".json"):
        assert j.status_code == status
        assert set(j.json()["error"]) == {"code", "message"}


def test_the_wave_audiences_endpoint(client):
    r = client.get("/waves/W-R90-20250506/audiences.json", params={"arm": "holdout", "limit": 5})
    assert r.status_code == 200
    page = r.json()
    assert page["arm"] == "holdout"
    assert len(page["rows"]) == 5
    assert page["total"] == next(x["customers"] for x in page["arms"] if x["arm"] == "holdout")
    bad = client.get("/waves/W-R90-20250506/audiences.json", params={"limit": 5000})
    assert bad.status_code == 422
    wave = client.get("/waves/W-R90-20250506", params={"lang": "en"}).text
    assert 'href="/waves/W-R90-20250506/audiences.json"' in wave


def test_the_events_page_without_events(client):
    r = client.get("/events", params={"lang": "en"})
    assert r.status_code == 200
    assert "No events yet" in r.text
    overview = client.get("/", params={"lang": "en"}).text
    assert 'href="/events?lang=en"' in overview


def client_waves(app) -> list[str]:
    from livebase.web import data

    with app.state.store.use() as ws:
        return [w["wave_id"] for w in data.waves(ws)["waves"]]


def test_serve_builds_the_pages_before_the_first_visit(demo_root):
    from livebase.web.pages import warm

    app = create_app(demo_root)
    try:
        built = warm(app, "en")
        # every page without an id; the wave and customer pages need one
        assert built == ["overview", "segments", "cohorts", "risk", "waves", "events"]
        assert len(app.state.store._cache) == len(built)
        waves = warm(app, "en", waves=True)
        assert "wave:W-R90-20250506" in waves
        assert len(waves) == len(client_waves(app))
    finally:
        app.state.store.close()
