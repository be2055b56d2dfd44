"""Security of the web app and the CLI's files (SPEC F7.3, F6.2): secrets, passwords,
headers, SQL.

* Secrets never land in logs, answers or files: the workspace secret, the GetCourse token,
  the JSON events key, API tokens and their hashes, dashboard passwords and their hashes,
  session cookies. The app is driven through logins (right, wrong, unknown user), API
  tokens (right, wrong), GetCourse callbacks (right and wrong token, a bad event), JSON
  events (signed, badly signed, unsigned, signed but invalid), a forced 500 on a path
  holding an e-mail; then ``livebase webhook``, ``export`` and ``report`` run; every log
  record (every logger at DEBUG), every answer and every file of the workspace but
  ``.secret`` and the store is searched. A real ``livebase serve`` is searched too
  (its output, where uvicorn's access log would go).
* Dashboard passwords are scrypt with n >= 2**14 and r >= 8, salted, and a login takes
  the same time whether the user exists or not.
* Every answer of every route carries the headers of ``SECURITY_HEADERS``: pages, twins,
  static files, login, logout, the OpenAPI document, the webhook, redirects, and 400,
  401, 404, 405, 413, 422 and 500 errors.
* No module builds SQL from strings: an f-string, ``%``, ``.format``, ``.join`` or a
  ``+`` with a non-literal as the SQL of ``raw_sql`` / ``sql`` / ``execute`` /
  ``executemany`` / ``_execute`` / a cursor's ``copy`` fails, except the allow-listed
  places that quote identifiers through sqlglot.
"""

from __future__ import annotations

import ast
import base64
import datetime as dt
import hashlib
import json
import logging
import re
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from livebase.metrics.risk import build_risk
from livebase.playbooks.planner import plan_playbook
from livebase.playbooks.spec import default_playbooks, load_playbook
from livebase.segments.build import build_segments
from livebase.simulate import SchoolSpec
from livebase.store.workspace import Workspace
from livebase.web import auth
from livebase.web import data as web_data
from livebase.web.app import COOKIE, create_app
from livebase.web.headers import SECURITY_HEADERS
from livebase.web.webhook import record_rejection, sign
from livebase.web.webhook_routes import getcourse_token, json_key
from tests.conftest import simulated_workspace
from tests.test_cli import run
from tests.web.serving import serving

SRC = Path(__file__).resolve().parents[2] / "src" / "livebase"
END = dt.date(2025, 5, 5)
T0 = dt.datetime(2025, 5, 20, 12)
PASSWORD = "Correct-Horse-Battery-7"
WRONG = "Wrong-Horse-Battery-8"
# a customer's e-mail typed into an address (the 500 and the unknown-customer lookups)
TYPED_EMAIL = "typed.person@example.net"
# the client side of the tests (the HTTP client standing in for GetCourse and the
# browser) logs the URLs it requests, the GetCourse token among them: not the server's log
CLIENT_LOGGERS = ("httpx", "httpcore", "httpx2")


@dataclass(frozen=True)
class School:
    root: Path
    wave: str
    customer: str
    token: str  # an API token, shown once when added


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> School:
    """A simulated school of 400 users with one planned wave, a login and an API token."""
    base = tmp_path_factory.mktemp("security")
    spec = SchoolSpec(customers=400, seed=5, end=END)
    exports = ("users", "orders", "payments", "consents")
    ws = simulated_workspace(base, spec, *exports, school="Security")
    try:
        build_segments(ws, END)
        build_risk(ws, END)
        book = load_playbook(default_playbooks()["reactivation_r90"])
        wave = plan_playbook(ws, book, END, seed=5).wave_id
        customer = ws.table("assignments").customer_id.min().execute()
        auth.workspace_secret(ws)  # created once, as `livebase serve` would
        auth.add_user(ws, "head", PASSWORD)
        token = auth.add_token(ws, "bi")
    finally:
        ws.close()
    return School(base / "school", wave, customer, token)


def _secrets(root: Path, token: str, cookies: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every secret of the workspace in every form it could be written in."""
    secret = (root / auth.SECRET_FILE).read_bytes()
    ws = Workspace.open(root)
    try:
        stored = ws.table("users").password_hash.to_pyarrow().to_pylist()
        token_hashes = ws.table("api_tokens").token_hash.to_pyarrow().to_pylist()
    finally:
        ws.close()
    found = {
        "secret hex": secret.hex().encode(),
        "secret base64": base64.b64encode(secret),
        "secret base64url": base64.urlsafe_b64encode(secret).rstrip(b"="),
        "getcourse token": getcourse_token(secret).encode(),
        "json key": json_key(secret).encode(),
        "api token": token.encode(),
        "api token hash": hashlib.sha256(token.encode()).hexdigest().encode(),
        "password": PASSWORD.encode(),
        "wrong password": WRONG.encode(),
    }
    for n, h in enumerate(token_hashes):
        found[f"stored token hash {n}"] = h.encode()
    for n, h in enumerate(stored):
        found[f"password hash {n}"] = h.encode()
        _, _, _, _, salt, key = h.split("$")
        found[f"password salt {n}"] = salt.encode()
        found[f"password key {n}"] = key.encode()
    for n, c in enumerate(cookies):
        found[f"session cookie {n}"] = c.encode()
        found[f"session signature {n}"] = c.rsplit(".", 1)[1].encode()
    return found


def _found(blob: bytes | str, secrets: dict[str, bytes], *, raw: bytes = b"") -> list[str]:
    """The names of the secrets that occur in ``blob`` (and the raw secret bytes)."""
    data = blob.encode("utf-8", "surrogatepass") if isinstance(blob, str) else blob
    hits = [name for name, value in secrets.items() if value in data]
    if raw and raw in data:
        hits.append("secret bytes")
    return hits


def _log_text(records: list[logging.LogRecord]) -> str:
    """What the server's log handlers would write: every message and traceback."""
    fmt = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(fmt.format(r) for r in records if not r.name.startswith(CLIENT_LOGGERS))


def _debug_everywhere(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


def _login(client, password=PASSWORD, username="head"):
    return client.post(
        "/login",
        data={"username": username, "password": password, "next": "/"},
        follow_redirects=False,
    )


def _gc(token: str, **over: str) -> dict[str, str]:
    params = {
        "token": token,
        "event": "dealPaid",
        "id": "7701",
        "user_id": "880001",
        "email": "webhook.buyer@example.org",
        "cost": "4900",
        "status": "payed",
    }
    return params | over


# ------------------------------------------------------------------------------ secrets


@pytest.mark.slow  # drives the app, then three CLI commands (~35 s)
def test_secrets_never_reach_logs_answers_or_files(school, caplog, monkeypatch):
    root = school.root
    secret = (root / auth.SECRET_FILE).read_bytes()
    gc_token, key = getcourse_token(secret), json_key(secret).encode()
    _debug_everywhere(caplog)
    answers = []
    app = create_app(root, secure_cookies=True, clock=lambda: T0)
    client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    try:
        with client:
            # logins: right, wrong password, unknown user, a name that breaks the rule
            r = _login(client)
            assert r.status_code == 303
            cookie = client.cookies.get(COOKIE)
            assert cookie
            for password, username in ((WRONG, "head"), (PASSWORD, "nobody"), (WRONG, "a b")):
                answers.append(_login(client, password, username))
                assert answers[-1].headers["location"].startswith("/login?failed=1")
            # pages and twins with the session
            for path in ("/", "/waves.json", f"/customers/{school.customer}.json", "/events"):
                answers.append(client.get(path))
                assert answers[-1].status_code == 200, path
            # an unknown customer typed into the address is not repeated
            answers.append(client.get(f"/customers/{TYPED_EMAIL}.json"))
            assert answers[-1].status_code == 400
            assert "no such customer" in answers[-1].text
            assert "typed.person" not in answers[-1].text
            # API tokens: right, wrong (the password as a guess)
            bare = TestClient(app, base_url="https://testserver")
            right = bare.get("/openapi.json", headers={"Authorization": f"Bearer {school.token}"})
            wrong = bare.get("/segments.json", headers={"Authorization": f"Bearer {PASSWORD}"})
            assert (right.status_code, wrong.status_code) == (200, 401)
            answers += [right, wrong]
            # GetCourse: right token (stored, then a bad event), wrong token, in a form too
            r = bare.get("/webhook/getcourse", params=_gc(gc_token))
            assert r.json()["status"] == "stored"
            r2 = bare.get("/webhook/getcourse", params=_gc(gc_token, id="{object.id}"))
            r3 = bare.get("/webhook/getcourse", params=_gc(key.decode()))
            form = {k: v for k, v in _gc("").items() if k != "token"}
            r4 = bare.post("/webhook/getcourse", params={"token": gc_token[:-1]}, data=form)
            assert [x.status_code for x in (r2, r3, r4)] == [400, 401, 401]
            answers += [r, r2, r3, r4]
            # JSON events: signed, badly signed (the GetCourse token as the key), unsigned,
            # signed but invalid with an e-mail in its id
            body = json.dumps(
                {
                    "event_id": "m-security-1",
                    "type": "message",
                    "data": {
                        "customer_id": school.customer,
                        "ts": "2025-05-07T10:00:00Z",
                        "channel": "email",
                        "event": "opened",
                    },
                }
            ).encode()
            bad = json.dumps({"event_id": f"order-{TYPED_EMAIL}", "type": "nope"}).encode()
            sent = [
                (body, sign(body, key)),
                (body, sign(body, gc_token.encode())),
                (body, None),
                (bad, sign(bad, key)),
            ]
            for payload, signature in sent:
                headers = {"X-Livebase-Signature": signature} if signature else {}
                answers.append(bare.post("/webhook/events", content=payload, headers=headers))
            assert [a.status_code for a in answers[-4:]] == [200, 401, 401, 400]
            answers.append(client.get("/events.json"))

            # a 500 on a path that holds an e-mail: the log names the route, not the path
            def boom(*args, **kwargs):
                raise RuntimeError("the data function failed")

            monkeypatch.setattr(web_data, "customer", boom)
            for path in (f"/customers/{TYPED_EMAIL}.json", f"/customers/{TYPED_EMAIL}"):
                answers.append(client.get(path))
                assert answers[-1].status_code == 500
            monkeypatch.undo()
    finally:
        app.state.store.close()

    records = list(caplog.records)
    log = _log_text(records)
    # not vacuous: the 500 was logged with its route, and the client's log holds the token
    assert "unhandled error on /customers/{customer_id}" in log
    client_log = "\n".join(r.getMessage() for r in records if r.name.startswith(CLIENT_LOGGERS))
    assert gc_token in client_log
    assert "typed.person" not in log
    # the webhook's refusals are logged nowhere but in webhook_events, as reason codes
    ws = Workspace.open(root)
    try:
        events = ws.table("webhook_events").to_pandas()
    finally:
        ws.close()
    assert sorted(events["status"]) == ["rejected"] * 6 + ["stored"] * 2
    assert "typed.person" not in events.to_csv()

    # the CLI commands that write files, and the one that shows the keys (on the terminal)
    w = ("-w", str(root))
    shown = run("webhook", *w, cwd=root.parent)
    assert gc_token in shown.stdout  # the operator's copy: printed, never written
    outputs = []
    for args in (("export", school.wave, "--as-of", "2025-05-06"), ("report", "base")):
        r = run(*args, *w, cwd=root.parent)
        assert r.returncode == 0, r.stderr
        outputs.append(r.stdout + r.stderr)

    secrets = _secrets(root, school.token, (cookie,))
    assert _found(log, secrets, raw=secret) == []
    for answer in answers:
        head = {k: v for k, v in answer.headers.items() if k.lower() != "set-cookie"}
        assert _found(answer.content + json.dumps(head).encode(), secrets) == [], answer.url
    for text in outputs:
        assert _found(text, secrets) == []
    files = [
        p
        for p in root.rglob("*")
        if p.is_file() and p.name != auth.SECRET_FILE and not p.name.startswith("store.duckdb")
    ]
    assert {p.suffix for p in files} >= {".toml", ".csv", ".json", ".html"}
    assert {
        str(p.relative_to(root)): _found(p.read_bytes(), secrets, raw=secret) for p in files
    } == {str(p.relative_to(root)): [] for p in files}
    # control: the same search finds each kind of secret planted in a file or a log line
    planted = b"x" + secret + gc_token.encode() + b" " + PASSWORD.encode()
    assert _found(planted, secrets, raw=secret) == [
        "getcourse token",
        "password",
        "secret bytes",
    ]
    assert _found(f"Bearer {school.token}", secrets) == ["api token"]


@pytest.mark.slow  # starts a real server (~10 s)
def test_a_real_server_logs_no_token_or_password(school):
    secret = (school.root / auth.SECRET_FILE).read_bytes()
    gc_token = getcourse_token(secret)
    with serving(school.root) as (proc, url):
        query = urllib.parse.urlencode(_gc(gc_token, id="7702"))
        with urllib.request.urlopen(f"{url}/webhook/getcourse?{query}", timeout=30) as r:
            assert json.loads(r.read())["status"] == "stored"
        form = urllib.parse.urlencode({"username": "head", "password": WRONG}).encode()
        # the redirect to the login form is followed: 401 with the form again
        for address, data in ((f"{url}/login", form), (f"{url}/webhook/getcourse?token=x", None)):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(address, data=data, timeout=30)
            assert refused.value.code == 401
            refused.value.close()
    text = "".join(proc.output + proc.errors)  # whole: the server has stopped
    assert "webhook" not in text  # no access log line at all
    assert _found(text, _secrets(school.root, school.token), raw=secret) == []


# ---------------------------------------------------------------------------- passwords


def test_passwords_are_salted_scrypt_with_a_high_cost(ws):
    auth.add_user(ws, "anna", PASSWORD)
    auth.add_user(ws, "boris", PASSWORD)
    rows = ws.table("users").to_pandas().set_index("username")["password_hash"]
    parts = {user: h.split("$") for user, h in rows.items()}
    salts = set()
    for user, (scheme, n, r, p, salt, key) in parts.items():
        assert scheme == "scrypt", user
        assert int(n) >= 2**14, user
        assert int(r) >= 8, user
        assert int(p) >= 1, user
        salt_b, key_b = base64.b64decode(salt), base64.b64decode(key)
        assert len(salt_b) >= 16, user
        # the stored key is scrypt(password, salt) with the stored cost: recomputed here
        again = hashlib.scrypt(
            PASSWORD.encode(),
            salt=salt_b,
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(key_b),
            maxmem=2**26,
        )
        assert again == key_b, user
        assert PASSWORD not in rows[user]
        salts.add(salt)
    # the same password, two users: different salts, different hashes
    assert len(salts) == 2
    assert rows["anna"] != rows["boris"]


def test_a_login_takes_as_long_for_an_unknown_user(ws):
    auth.add_user(ws, "anna", PASSWORD)
    cases = {
        "right": ("anna", PASSWORD),
        "wrong password": ("anna", WRONG),
        "unknown user": ("nobody", PASSWORD),
        "malformed name": ("not a name!", PASSWORD),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    lookups = []
    for _ in range(5):  # round robin, so that a busy moment hits every case alike
        for name, (user, password) in cases.items():
            start = time.perf_counter()
            ok = auth.check_login(ws, user, password)
            times[name].append(time.perf_counter() - start)
            assert ok == (name == "right")
        start = time.perf_counter()
        auth.users(ws)  # the store lookup alone: what an early exit would cost
        lookups.append(time.perf_counter() - start)
    median = {name: statistics.median(t) for name, t in times.items()}
    ratios = {name: median[name] / median["right"] for name in cases}
    # one scrypt each (~30-100 ms): within a factor 2.5 of the right login
    assert all(0.4 < r < 2.5 for r in ratios.values()), ratios
    # control: a login that skipped the scrypt would cost about the lookup, far below
    assert statistics.median(lookups) < median["right"] * 0.4, (lookups, median)


# ------------------------------------------------------------------------------ headers


def _every_answer(app, school: School) -> list[tuple[str, object]]:
    """(what, response) for every route and method of the app, plus the error answers."""
    samples = {"wave_id": school.wave, "customer_id": school.customer}
    out = []
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        anonymous = TestClient(app, base_url="https://testserver")
        out.append(("redirect to login", anonymous.get("/", follow_redirects=False)))
        out.append(("401 json", anonymous.get("/segments.json")))
        assert _login(c).status_code == 303
        for route in app.routes:
            if isinstance(route, Mount):
                out.append((f"{route.path}/app.css", c.get(f"{route.path}/app.css")))
                out.append((f"{route.path} 404", c.get(f"{route.path}/missing.css")))
                continue
            assert isinstance(route, APIRoute), route
            path = route.path.format(**{p: samples[p] for p in route.param_convertors})
            for method in sorted(route.methods):
                if path == "/login" and method == "POST":
                    response = _login(c, WRONG)
                elif path == "/logout":
                    response = c.post(path, follow_redirects=False)
                    assert _login(c).status_code == 303
                else:
                    response = c.request(method, path, follow_redirects=False)
                out.append((f"{method} {route.path}", response))
        out += [
            ("404 page", c.get("/no-such-page")),
            ("404 json", c.get("/no-such-page.json")),
            ("400 control character", c.get("/customers/a%00b.json")),
            ("400 bad input", c.get(f"/customers/{TYPED_EMAIL}.json")),
            ("422", c.get("/risk.json", params={"limit": "many"})),
            ("405", c.get("/logout")),
            ("413", c.post("/webhook/events", content=b"x" * (65 * 1024))),
        ]
        original = web_data.customer

        def boom(*args, **kwargs):
            raise RuntimeError("forced")

        web_data.customer = boom
        try:
            out.append(("500 json", c.get(f"/customers/{school.customer}.json")))
            out.append(("500 page", c.get(f"/customers/{school.customer}")))
        finally:
            web_data.customer = original
    return out


@pytest.mark.slow  # every route once, plotly.js among them (~6 s)
def test_every_answer_carries_the_security_headers(school):
    app = create_app(school.root, secure_cookies=True, clock=lambda: T0)
    try:
        answers = _every_answer(app, school)
    finally:
        app.state.store.close()
    statuses = {what: r.status_code for what, r in answers}
    # not vacuous: every kind of answer is among them
    assert {200, 303, 400, 401, 404, 405, 413, 422, 500} <= set(statuses.values()), statuses
    missing = {
        what: [name for name, value in SECURITY_HEADERS.items() if r.headers.get(name) != value]
        for what, r in answers
    }
    assert {what: names for what, names in missing.items() if names} == {}


# ---------------------------------------------------------------------- webhook records


def test_a_refused_event_keeps_only_a_hash_of_its_id(ws):
    client_id = f"order-{TYPED_EMAIL}"
    key = record_rejection(
        ws, source="json", kind="event", reason="bad_value", now=T0, event_id=client_id
    )
    digest = hashlib.sha256(client_id.encode()).hexdigest()[:16]
    assert re.fullmatch(rf"rejected:{digest}:[0-9a-f]{{32}}", key)
    stored = ws.table("webhook_events").to_pandas().to_csv()
    assert "typed.person" not in stored
    assert "example.net" not in stored


# -------------------------------------------------------------------------- SQL strings

SQL_CALLS = ("raw_sql", "sql", "execute", "executemany", "_execute")
# places that build SQL text from identifiers quoted by sqlglot (``engine._q``,
# ``sge.to_table``/``to_identifier``): (module, function, called name) -> reason
ALLOWED = {
    ("engine.py", "_connect_spark", "sql"): (
        "CREATE DATABASE with the database name quoted by sqlglot (_q); Spark's session.sql "
        "takes no parameters"
    ),
    ("engine.py", "add_column", "sql"): (
        "ALTER TABLE … ADD COLUMNS on Spark: table and column quoted by _q, the type "
        "written by ibis' PySparkType"
    ),
    ("engine.py", "truncate", "sql"): "TRUNCATE TABLE on Spark with the table quoted by _q",
    ("engine.py", "compact", "_execute"): (
        "rewriting the store file: ATTACH with the path as a sqlglot string literal, COPY FROM "
        "DATABASE with the name quoted by _q, VACUUM with the table quoted by sqlglot; these "
        "statements take no parameters"
    ),
    ("engine.py", "_copy_postgres", "copy"): (
        "COPY … FROM STDIN: table and columns quoted by sqlglot, the rows travel as CSV data"
    ),
}


def _built(node: ast.AST) -> bool:
    """Whether ``node`` builds a string at run time from something not a literal."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_text(node.left)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = _addends(node)
        return any(_is_text(p) for p in parts) and not all(
            isinstance(p, ast.Constant) for p in parts
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("format", "join") and _is_text(node.func.value)
    return False


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _addends(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _addends(node.left) + _addends(node.right)
    return [node]


def _own_nodes(scope: ast.AST):
    """The nodes of ``scope`` outside the functions and classes nested in it."""
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            todo.extend(ast.iter_child_nodes(node))


def _sql_calls(tree: ast.AST) -> list[tuple[str, str, int]]:
    """(function, called name, line) of every SQL call whose text is built from strings;
    a variable counts as built when its function assigns it a built string anywhere."""
    found = []
    scopes = [(tree, "<module>")] + [
        (n, n.name)
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]
    for scope, name in scopes:
        nodes = list(_own_nodes(scope))
        built_names = set()
        for node in nodes:
            if isinstance(node, ast.Assign) and _built(node.value):
                built_names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                built_names.add(node.target.id)  # text += more: built
        for node in nodes:
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            receiver = func.value if isinstance(func, ast.Attribute) else None
            cursor_copy = (
                called == "copy"
                and isinstance(receiver, ast.Name)
                and "cursor" in receiver.id.lower()
            )
            if called not in SQL_CALLS and not cursor_copy:
                continue
            args = list(node.args) + [k.value for k in node.keywords]
            if any(_built(a) or (isinstance(a, ast.Name) and a.id in built_names) for a in args):
                found.append((name, called, node.lineno))
    return sorted(found)


def test_no_module_builds_sql_from_strings():
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for function, called, line in _sql_calls(tree):
            found[(str(path.relative_to(SRC)), function, called)] = line
    flagged = sorted(k for k in found if k not in ALLOWED)
    assert flagged == [], "SQL built from strings: " + ", ".join(
        f"{m}:{found[(m, f, c)]} {f} → {c}" for m, f, c in flagged
    )
    # every allowed place still exists (a stale entry would hide nothing, but lies)
    assert sorted(ALLOWED) == sorted(k for k in found if k in ALLOWED)


@pytest.mark.parametrize(
    ("snippet", "flagged"),
    [
        ('def f(con, t):\n    con.raw_sql(f"SELECT * FROM {t}")\n', True),
        ('def f(con, v):\n    con.execute("SELECT %s" % v)\n', True),
        ('def f(con, v):\n    con.sql("SELECT {}".format(v))\n', True),
        ('def f(con, v):\n    con.executemany("DELETE FROM t WHERE id = " + v)\n', True),
        ('def f(con, v):\n    q = f"DROP {v}"\n    _execute(con, q)\n', True),
        ('def f(cursor, t):\n    cursor.copy(f"COPY {t} FROM STDIN")\n', True),
        ('def f(con, v):\n    con.raw_sql("SELECT ?", parameters=[v])\n', False),
        ('def f(con):\n    con.execute("SELECT " + "1")\n', False),
        ("def f(t):\n    return t.count().execute()\n", False),
        ('def f(e):\n    return e.sql("duckdb", identify=True)\n', False),
    ],
)
def test_the_sql_check_flags_strings_and_passes_parameters(snippet, flagged):
    assert bool(_sql_calls(ast.parse(snippet))) is flagged


def _customers(root: Path) -> int:
    ws = Workspace.open(root)
    try:
        return int(ws.table("customers").count().execute())
    finally:
        ws.close()


def test_an_injection_attempt_finds_no_customer(school):
    before = _customers(school.root)
    app = create_app(school.root, secure_cookies=True, clock=lambda: T0)
    try:
        with TestClient(app, base_url="https://testserver") as c:
            assert _login(c).status_code == 303
            for attempt in ("x' OR '1'='1", 'x" OR 1=1 --', "x'; DROP TABLE customers; --"):
                r = c.get(f"/customers/{urllib.parse.quote(attempt)}.json")
                assert r.status_code == 400, attempt
                assert "no such customer" in r.json()["error"]["message"]
            assert c.get(f"/customers/{school.customer}.json").status_code == 200
    finally:
        app.state.store.close()
    assert _customers(school.root) == before > 0
