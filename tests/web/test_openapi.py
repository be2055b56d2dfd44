"""The JSON twins against their schemas (livebase.web.schemas), and schemathesis over the
app's OpenAPI document: generated inputs for every operation never get a 5xx, and a 200
conforms to the schema the document declares."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import shutil
import string

import httpx2
import jsonschema_rs
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from livebase.store.workspace import Workspace
from livebase.web import auth
from livebase.web.app import create_app
from livebase.web.schemas import TWIN_SCHEMAS, ok_response
from livebase.web.webhook_routes import getcourse_token, json_key

WAVE = "W-R90-20250506"
BOUNDED = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def _errors(name: str, payload) -> list[str]:
    validator = jsonschema_rs.Draft202012Validator(TWIN_SCHEMAS[name])
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(payload)]


def _declared(answer: dict) -> dict | None:
    """The JSON schema of a response in the OpenAPI document (FastAPI may add a title)."""
    got = answer.get("content", {}).get("application/json", {}).get("schema")
    return None if got is None else {k: v for k, v in got.items() if k != "title"}


# ----------------------------------------------------------------- the app (a copy)


@pytest.fixture(scope="module")
def api(demo_root, tmp_path_factory):
    """The app over a copy of the demo school (the webhook may write to it), an API token,
    and the webhook's secrets."""
    root = tmp_path_factory.mktemp("openapi") / "school"
    shutil.copytree(demo_root, root)
    ws = Workspace.open(root)
    token = auth.add_token(ws, "schemathesis")
    secret = auth.workspace_secret(ws)
    ws.close()
    app = create_app(root)
    app.state.headers = {"Authorization": f"Bearer {token}"}
    app.state.getcourse_token = getcourse_token(secret)
    app.state.json_key = json_key(secret).encode()
    with TestClient(app, base_url="https://testserver") as client:
        client.headers.update(app.state.headers)
        client.app_ref = app
        yield client
    app.state.store.close()


def _get(api, path: str, **params):
    r = api.get(path, params=params)
    assert r.status_code == 200, (path, params, r.text[:300])
    return r.json()


# ------------------------------------------------------------ the schemas themselves


@pytest.mark.parametrize("name", sorted(TWIN_SCHEMAS))
def test_every_schema_is_a_valid_draft_2020_12_schema(name):
    assert jsonschema_rs.meta.is_valid(TWIN_SCHEMAS[name])
    assert TWIN_SCHEMAS[name]["type"] == "object"
    assert TWIN_SCHEMAS[name]["additionalProperties"] is True


def test_ok_response_is_a_fastapi_responses_entry_and_a_fresh_copy():
    app = FastAPI()

    @app.get("/waves.json", responses=ok_response("waves_json"))
    def waves_json() -> JSONResponse:
        return JSONResponse({})

    doc = app.openapi()
    got = doc["paths"]["/waves.json"]["get"]["responses"]["200"]
    assert _declared(got) == TWIN_SCHEMAS["waves_json"]
    assert got["description"].startswith("The wave calendar")
    entry = ok_response("waves_json")
    entry[200]["content"]["application/json"]["schema"]["required"].append("bogus")
    assert "bogus" not in TWIN_SCHEMAS["waves_json"]["required"]
    with pytest.raises(KeyError, match="no schema 'nope_json'"):
        ok_response("nope_json")


def test_the_audiences_schema():
    good = {
        "wave_id": WAVE,
        "arm": None,
        "channel": "email",
        "arms": [{"arm": "holdout", "customers": 2}, {"arm": "value", "customers": 1}],
        "total": 3,
        "offset": 0,
        "limit": 2,
        "rows": [
            {"customer_id": "gc:1", "arm": "holdout", "stratum": None, "channels": []},
            {"customer_id": "gc:2", "arm": "value", "stratum": "R90", "channels": ["email"]},
        ],
    }
    assert _errors("wave_audiences_json", good) == []
    bad = copy.deepcopy(good)
    bad["rows"][1]["channels"] = "email"  # a list of channels, not a string
    del bad["total"]
    errors = _errors("wave_audiences_json", bad)
    assert len(errors) == 2, errors


# ------------------------------------------------------------- the twins on the demo


def _twins(api, lang: str) -> list[tuple[str, dict]]:
    risk = _get(api, "/risk.json", lang=lang)
    top = risk["rows"][0]["customer_id"]
    with api.app_ref.state.store.use() as ws:
        t = ws.table("touches")
        touched = t.filter(t.wave_id == WAVE).customer_id.min().to_pyarrow().as_py()
    return [
        ("overview_json", _get(api, "/index.json", lang=lang)),
        ("segments_json", _get(api, "/segments.json", lang=lang)),
        # no snapshot before the first one: the migration is insufficient_data
        ("segments_json", _get(api, "/segments.json", lang=lang, to="2024-05-31")),
        ("segments_json", _get(api, "/segments.json", lang=lang, segment="champions")),
        ("cohorts_json", _get(api, "/cohorts.json", lang=lang)),
        ("risk_json", risk),
        ("risk_json", _get(api, "/risk.json", lang=lang, level="high")),
        ("waves_json", _get(api, "/waves.json", lang=lang)),
        ("waves_json", _get(api, "/waves.json", lang=lang, segment="R90")),
        ("wave_json", _get(api, f"/waves/{WAVE}.json", lang=lang)),
        ("wave_audiences_json", _get(api, f"/waves/{WAVE}/audiences.json", limit=5)),
        ("wave_audiences_json", _get(api, f"/waves/{WAVE}/audiences.json", arm="holdout")),
        ("events_json", _refused_then_events(api, lang)),
        ("customer_json", _get(api, f"/customers/{top}.json", lang=lang)),
        ("customer_json", _get(api, f"/customers/{touched}.json", lang=lang)),
    ]


def _refused_then_events(api, lang: str) -> dict:
    # a callback with a wrong token is refused and recorded: the list has a row
    assert api.get("/webhook/getcourse", params={"token": "wrong"}).status_code == 401
    events = _get(api, "/events.json", lang=lang)
    assert events["rows"], events
    return events


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_twin_on_the_demo_matches_its_schema(api, lang):
    twins = _twins(api, lang)
    migration = [p["migration"]["status"] for n, p in twins if n == "segments_json"]
    assert migration == ["ok", "insufficient_data", "ok"]  # both shapes are checked
    for name, payload in twins:
        assert _errors(name, payload) == [], name


def test_a_schema_rejects_a_twin_that_breaks_it(api):
    overview = _get(api, "/index.json")
    assert _errors("overview_json", overview) == []
    no_as_of = {k: v for k, v in overview.items() if k != "as_of"}
    assert any("as_of" in e for e in _errors("overview_json", no_as_of))
    # money is a string with two decimals: a float in its place is rejected
    float_money = copy.deepcopy(overview)
    float_money["revenue_30d"]["revenue"] = float_money["revenue_30d"]["revenue_value"]
    assert len(_errors("overview_json", float_money)) == 1
    # an "ok" migration without its counts is neither of the two allowed shapes
    segments = _get(api, "/segments.json")
    del segments["migration"]["links"]
    assert _errors("segments_json", segments)
    # a new key is fine (additionalProperties open)
    assert _errors("overview_json", {**overview, "later": [1, 2]}) == []


def test_the_openapi_document_carries_the_twin_schemas(api):
    """Every schema sits on the route of its name as the 200 answer (pages.py wires them
    with ``responses={**ok_response(name), **ERRORS}``)."""
    doc = api.get("/openapi.json").json()
    routes = {getattr(r, "name", None): r for r in api.app_ref.routes}
    missing, unwired = [], []
    for name, schema in TWIN_SCHEMAS.items():
        route = routes.get(name)
        if route is None:
            missing.append(name)
            continue
        if _declared(doc["paths"][route.path]["get"]["responses"]["200"]) != schema:
            unwired.append(name)
    assert (missing, unwired) == ([], [])


# ----------------------------------------------------------------------- schemathesis


def _one_of(values) -> dict:
    return {"anyOf": [{"type": "string", "enum": sorted(values)}, {"type": "string"}]}


GETCOURSE_FIELDS = ("event", "id", "user_id", "email", "cost", "paid", "status", "created")


def _declare(operation: dict, name: str, schema: dict, where: str = "query", required=False):
    params = operation.setdefault("parameters", [])
    if not any(p.get("name") == name and p.get("in") == where for p in params):
        params.append({"name": name, "in": where, "required": required, "schema": schema})


def _callback_fields(token: str) -> dict:
    fields = {name: {"type": "string"} for name in GETCOURSE_FIELDS}
    fields["status"] = _one_of(["payed", "new", "cancelled", "part_payed", "оплачен"])
    fields["cost"] = {"anyOf": [{"type": "number"}, {"type": "string"}]}
    return fields


def _ids(api) -> dict[str, list[str]]:
    """Real wave and customer ids, so generated paths also reach a wave or a card."""
    with api.app_ref.state.store.use() as ws:
        waves = ws.table("waves").wave_id.to_pyarrow().to_pylist()
        a = ws.table("assignments")
        customers = a.filter(a.wave_id == WAVE).customer_id.to_pyarrow().to_pylist()[:3]
    return {"wave_id": waves, "customer_id": customers}


@pytest.fixture(scope="module")
def api_schema(api):
    """The app's own OpenAPI document with the webhook's inputs, which its routes read from
    the raw request and so do not declare (the callback's placeholders, the event), and
    real ids beside any text for the path parameters."""
    app = api.app_ref
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=app.state.headers)
    fields = _callback_fields(app.state.getcourse_token)
    # the right token in positive cases, so that garbage reaches the parser
    token = {"type": "string", "enum": [app.state.getcourse_token]}
    ids = _ids(api)

    @schema.hook
    def before_process_path(context, path, methods):
        for operation in methods.values():
            for param in operation.get("parameters", []):
                if param.get("in") == "path" and param.get("name") in ids:
                    param["schema"] = _one_of(ids[param["name"]])
        if path == "/webhook/getcourse":
            _declare(methods["get"], "token", token, required=True)
            for name, spec in fields.items():
                _declare(methods["get"], name, spec)
            form = {
                "type": "object",
                "properties": {"token": token, **fields},
                "required": ["token"],
            }
            methods["post"].setdefault(
                "requestBody",
                {"content": {"application/x-www-form-urlencoded": {"schema": form}}},
            )
        if path == "/webhook/events":
            _declare(methods["post"], "X-Livebase-Signature", {"type": "string"}, "header")
            methods["post"].setdefault(
                "requestBody", {"content": {"application/json": {"schema": {"type": "object"}}}}
            )

    return schema


def test_the_conformance_check_rejects_an_answer_that_breaks_the_declared_schema(api_schema, api):
    # the check the fuzzing below relies on: a wired twin's 200 is held to its schema
    operation = api_schema.find_operation_by_label("GET /waves.json")
    case = operation.Case()
    good = api.get("/waves.json")
    case.validate_response(good, checks=[response_schema_conformance])
    broken = {k: v for k, v in good.json().items() if k != "waves"}
    bad = httpx2.Response(200, json=broken, request=good.request)
    bad.elapsed = good.elapsed
    with pytest.raises(FailureGroup, match="Response violates schema") as failed:
        case.validate_response(bad, checks=[response_schema_conformance])
    assert '"waves" is a required property' in str(failed.value.exceptions[0])


# schemathesis.pytest.from_fixture (the lazy loader) sets ``item._nodeid``, which pytest 9.2
# no longer has; the operations are driven with Hypothesis here instead
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
OPERATIONS = {
    "GET /index.json",
    "GET /segments.json",
    "GET /cohorts.json",
    "GET /risk.json",
    "GET /waves.json",
    "GET /waves/{wave_id}.json",
    "GET /customers/{customer_id}.json",
    "GET /waves/{wave_id}/audiences.json",
    "GET /events.json",
    "GET /webhook/getcourse",
    "POST /webhook/getcourse",
    "POST /webhook/events",
}


def _fuzz(operation, mode: GenerationMode, headers: dict) -> None:
    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        # response_schema_conformance checks a 200 against the declared twin schema (no
        # check while a route declares none) and a 4xx against the error envelope
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )

    run()


def test_no_operation_answers_a_server_error(api_schema, api):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.label for op in operations} >= OPERATIONS
    failures = []
    for operation in operations:
        for mode in MODES:
            try:
                _fuzz(operation, mode, api.app_ref.state.headers)
            except Exception as exc:  # every operation runs; all failures are reported
                notes = "\n".join(getattr(exc, "__notes__", []))
                failures.append(f"{operation.label} [{mode.value}]: {exc}\n{notes}")
    assert not failures, "\n\n".join(failures)


# ------------------------------------------------ signed JSON events with garbage data

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
_fields = st.sampled_from(
    [
        "customer_id",
        "email",
        "order_id",
        "amount",
        "status",
        "paid_at",
        "created_at",
        "ts",
        "channel",
        "event",
        "kind",
        "purpose",
        "granted",
        "currency",
        "refunded_amount",
        "x",
    ]
)
_events = st.fixed_dictionaries(
    {
        "event_id": st.text(alphabet=string.ascii_letters + ":-_", max_size=10) | _scalars,
        "type": st.sampled_from(["order", "message", "activity", "consent", "nope"]) | _scalars,
        "data": st.dictionaries(_fields, _scalars, max_size=6) | _scalars,
    }
) | st.recursive(_scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner))


@BOUNDED
@given(event=_events)
def test_a_signed_event_with_garbage_data_is_refused_not_a_crash(api, event):
    body = json.dumps(event).encode()
    signature = hmac.new(api.app_ref.state.json_key, body, hashlib.sha256).hexdigest()
    r = api.post(
        "/webhook/events", content=body, headers={"X-Livebase-Signature": f"sha256={signature}"}
    )
    assert r.status_code < 500, (event, r.text[:300])
    if r.status_code != 200:
        assert set(r.json()["error"]) == {"code", "message"}


# ------------------------------------------- a NUL character is bad input, not a crash

NUL_REQUESTS = [
    ("/segments.json", {"segment": "\x00"}),
    ("/risk.json", {"segment": "a\x00b"}),
    ("/waves/%00.json", {}),
    ("/waves/%00/audiences.json", {}),
    ("/customers/%00.json", {}),
]


@pytest.mark.parametrize(("path", "params"), NUL_REQUESTS)
def test_a_nul_character_in_a_filter_or_an_id_is_bad_input(api, path, params):
    # DuckDB's SQL parser refuses a NUL inside a string literal: checked before querying
    r = api.get(path, params=params)
    assert r.status_code == 400, r.text[:300]
    assert r.json()["error"]["code"] == "bad_input"


def test_a_signed_event_with_a_nul_in_an_id_is_refused(api):
    event = {
        "event_id": "nul-order",
        "type": "order",
        "data": {"order_id": "o\x001", "customer_id": "c1", "amount": 10, "status": "paid"},
    }
    body = json.dumps(event).encode()
    signature = hmac.new(api.app_ref.state.json_key, body, hashlib.sha256).hexdigest()
    r = api.post(
        "/webhook/events", content=body, headers={"X-Livebase-Signature": f"sha256={signature}"}
    )
    assert r.status_code == 400, r.text[:300]
