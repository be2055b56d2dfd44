"""The webhook under load (issue 10, item 4): many senders, duplicates, bad signatures.

    python bench/webhook_bench.py                       # 20,000 events, 8 then 32 senders
    python bench/webhook_bench.py --events 5000 --senders 8,32 --out /tmp/webhook.md

A fresh workspace (``livebase init``) is served by ``livebase serve`` on 127.0.0.1 (a
process of its own, as in production); the senders use its GetCourse token and JSON
signing key (what ``livebase webhook`` prints). Then ``--senders`` threads of this process
send the load over keep-alive HTTP connections (``http.client``), each taking the next
job of one shared list:

* the valid events: signed JSON orders (25 %), messages (25 %), activities (20 %) and
  consents (10 %), and GetCourse callbacks (20 %, half ``GET`` with the query, half
  ``POST`` with a form), each of one of ``events / 10`` people (every event names the
  person's e-mail; some also a phone, a callback the GetCourse user id);
* 10 % exact duplicates of valid events: half sent at the same moment as their original
  on a second connection (both requests written before either answer is read), half
  later in the list;
* 1 % refused ones: JSON bodies altered after signing (a valid event's id with another
  amount) or signed with a wrong key, and callbacks with a wrong token (a deal sent by no
  valid event); each carries a marker that must appear nowhere afterwards.

Afterwards the server is stopped (Ctrl+C) and :func:`check` reads the store: every valid
event stored exactly once (one ``stored`` row in ``webhook_events``, one row in its
table, the amounts and statuses it was sent with), every duplicate answered ``replay``
(or ``queued``) and nothing changed by it, every refused event answered 401 and recorded
as ``rejected`` with its reason (``bad_signature`` / ``bad_token``) and nothing else, no
marker, token or key in the store or the server's output, no answer 5xx, and the
store's audits clean. ``tests/web/test_webhook_load.py`` runs the same at a CI size.

The figures (the rate of requests and of stored events over the whole run, latency
percentiles per request, refusals, 5xx answers, the machine and its load average at start
and end) go to the section "Webhook under load" of bench/RESULTS.md, between the markers
below (after the RFM section's notes marker; text outside them is kept), or to ``--out``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from plan_bench import write_section  # noqa: E402
from report import log, machine  # noqa: E402
from rfm_bench import NOTES_MARKER  # noqa: E402

RESULTS = HERE / "RESULTS.md"
BEGIN = "<!-- webhook_bench: begin (rewritten by bench/webhook_bench.py) -->"
END = "<!-- webhook_bench: end (text below is kept) -->"
HOST = "127.0.0.1"
START_TIMEOUT_S = 90.0
REQUEST_TIMEOUT_S = 120.0
IDLE_RECONNECT_S = 2.0  # uvicorn closes a keep-alive connection idle for 5 s
T0 = datetime(2025, 6, 2, 9, 0)  # the events' own times (UTC)
TABLES = ("orders", "messages", "activities", "consents")
# share of the valid events per type (getcourse: callbacks, the rest signed JSON)
MIX = (("order", 25), ("message", 25), ("activity", 20), ("consent", 10), ("getcourse", 20))
ACTIVITY_KINDS = ("lesson_start", "lesson_finish", "login", "homework_submitted")
MESSAGE_EVENTS = ("sent", "delivered", "opened", "clicked")
JSON_STATUSES = ("paid", "paid", "pending", "cancelled")
GC_STATUSES = (("payed", "paid"), ("payed", "paid"), ("new", "pending"))


# ------------------------------------------------------------------------ the load


@dataclass(frozen=True)
class Request:
    """One HTTP request of the load and what it stands for."""

    method: str
    path: str
    body: bytes
    headers: dict[str, str]
    event_id: str  # the id the server gives the event ("" for a refused one)
    valid: bool
    table: str = ""  # the canonical table of a valid event
    marker: str = ""  # a refused event's text that must appear nowhere


@dataclass
class Plan:
    """The jobs (one request, or two sent at the same moment) and what the store must
    hold afterwards."""

    jobs: list[tuple[Request, ...]]
    valid: dict[str, Request]  # event id -> its first request
    expected_rows: dict[str, int]  # canonical table -> rows
    people: int  # distinct people of the valid events
    identity_keys: int  # distinct (kind, value) of the valid events
    orders: dict[str, tuple[str, str]]  # order id -> (status, amount) as sent
    refused: list[Request]
    copies: int  # duplicate requests

    @property
    def requests(self) -> int:
        return sum(len(job) for job in self.jobs)


def sign(body: bytes, key: str) -> str:
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def _json_request(event: dict, key: str, *, table: str) -> Request:
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "X-Livebase-Signature": sign(body, key)}
    return Request("POST", "/webhook/events", body, headers, event["event_id"], True, table)


def _callback(params: dict[str, str], token: str, *, post: bool) -> tuple[str, bytes, dict]:
    if post:
        form = urlencode(params).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return f"/webhook/getcourse?{urlencode({'token': token})}", form, headers
    return f"/webhook/getcourse?{urlencode({'token': token, **params})}", b"", {}


def plan_load(events: int, *, key: str, token: str, seed: int = 10) -> Plan:
    """``events`` requests: 10 % duplicates, 1 % refused, the rest distinct valid events.

    >>> p = plan_load(1000, key="k", token="t")
    >>> p.requests, len(p.valid), p.copies, len(p.refused)
    (1000, 890, 100, 10)
    >>> sum(p.expected_rows.values()) == len(p.valid)
    True
    """
    if events < 100:
        raise ValueError("at least 100 events (1 % of them are refused)")
    rng = random.Random(seed)
    n_bad = events // 100
    n_copies = events // 10
    n_valid = events - n_bad - n_copies
    n_people = max(10, events // 10)
    kinds = [k for k, share in MIX for _ in range(share)]
    valid: list[Request] = []
    rows: Counter[str] = Counter()
    people: set[int] = set()
    keys: set[tuple[str, str]] = set()
    orders: dict[str, tuple[str, str]] = {}
    for n in range(n_valid):
        kind = kinds[n % len(kinds)]
        j = rng.randrange(n_people)
        email = f"load{j}@example.test"
        person: dict[str, str] = {"email": email.upper() if n % 7 == 0 else email}
        people.add(j)
        keys.add(("email", email))
        if rng.random() < 0.3:
            phone = f"+7999{j:07d}"
            person["phone"] = f"+7 (999) {j:07d}" if n % 2 else phone
            keys.add(("phone", phone))
        ts = (T0 + timedelta(seconds=n)).isoformat() + "Z"
        if kind == "getcourse":
            deal = 700_000 + n
            code, status = GC_STATUSES[n % len(GC_STATUSES)]
            cost = f"{rng.randrange(10, 500) * 100}"
            params = {
                "event": "dealStatusChanged",
                "id": str(deal),
                "user_id": str(50_000 + j),
                "email": person["email"],
                "cost": cost,
                "status": code,
                "title": f"Курс {n % 13}",
            }
            if "phone" in person:
                params["phone"] = person["phone"]
            keys.add(("src", f"gc:{50_000 + j}"))
            path, body, headers = _callback(params, token, post=n % 2 == 1)
            event_id = f"getcourse:{deal}:{status}"
            amount = f"{cost}.00" if status == "paid" else "0.00"
            orders[f"gc:{deal}"] = (status, amount)
            valid.append(
                Request(
                    "GET" if not body else "POST", path, body, headers, event_id, True, "orders"
                )
            )
            rows["orders"] += 1
            continue
        if kind == "order":
            status = JSON_STATUSES[n % len(JSON_STATUSES)]
            amount = f"{rng.randrange(100, 99_999)}.{n % 100:02d}"
            data = {**person, "order_id": f"lo-{n}", "status": status, "amount": amount}
            data["created_at"] = ts
            data["product_title"] = f"Курс {n % 11}"
            orders[f"lo-{n}"] = (status, amount)
            table = "orders"
        elif kind == "message":
            event = MESSAGE_EVENTS[n % len(MESSAGE_EVENTS)]
            data = {**person, "ts": ts, "channel": "email", "event": event}
            data["campaign_id"] = f"spring-{n % 5}"
            table = "messages"
        elif kind == "activity":
            data = {**person, "ts": ts, "kind": ACTIVITY_KINDS[n % len(ACTIVITY_KINDS)]}
            data["course_id"] = f"c{n % 9}"
            table = "activities"
        else:
            granted = n % 5 != 0
            data = {**person, "ts": ts, "channel": "email", "purpose": "marketing"}
            data["granted"] = granted
            table = "consents"
        event = {"event_id": f"{kind}-{n}", "type": kind, "data": data}
        valid.append(_json_request(event, key, table=table))
        rows[table] += 1

    # duplicates: half sent together with the original, half later; refused ones anywhere
    originals = rng.sample(range(n_valid), n_copies)
    twins = set(originals[: n_copies // 2])
    jobs: list[tuple[Request, ...]] = [(r, r) if i in twins else (r,) for i, r in enumerate(valid)]
    for i in originals[n_copies // 2 :]:
        jobs.insert(rng.randrange(i + 1, len(jobs) + 1), (valid[i],))
    refused: list[Request] = []
    for b in range(n_bad):
        marker = f"refused{b}x{rng.randrange(10**9)}"
        if b % 3 == 0:  # a valid order's id, another amount: the original signature
            target = next(
                r
                for r in rng.sample(valid, len(valid))
                if r.table == "orders" and r.method == "POST" and r.path == "/webhook/events"
            )
            doc = json.loads(target.body)
            doc["data"]["amount"] = "1.00"
            doc["data"]["product_title"] = marker
            body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
            headers = dict(target.headers)
            refused.append(
                Request("POST", "/webhook/events", body, headers, "", False, marker=marker)
            )
        elif b % 3 == 1:  # a new event signed with another key
            doc = {
                "event_id": f"bad-{b}",
                "type": "message",
                "data": {
                    "email": f"{marker}@example.test",
                    "ts": T0.isoformat() + "Z",
                    "channel": "email",
                    "event": "opened",
                },
            }
            body = json.dumps(doc, separators=(",", ":")).encode()
            headers = {
                "Content-Type": "application/json",
                "X-Livebase-Signature": sign(body, key + "-wrong"),
            }
            refused.append(
                Request("POST", "/webhook/events", body, headers, "", False, marker=marker)
            )
        else:  # a callback with a wrong token, for a deal no valid event names
            params = {
                "id": str(900_000 + b),
                "email": f"{marker}@example.test",
                "cost": "100",
                "status": "payed",
            }
            path, body, headers = _callback(params, f"wrong-{marker}", post=b % 2 == 0)
            method = "POST" if body else "GET"
            refused.append(Request(method, path, body, headers, "", False, marker=marker))
    for r in refused:
        jobs.insert(rng.randrange(len(jobs) + 1), (r,))
    return Plan(
        jobs=jobs,
        valid={r.event_id: r for r in valid},
        expected_rows={t: rows[t] for t in TABLES},
        people=len(people),
        identity_keys=len(keys),
        orders=orders,
        refused=refused,
        copies=n_copies,
    )


# ------------------------------------------------------------------------ the senders


@dataclass
class Answer:
    request: Request
    status: int  # HTTP status; 0: no answer (the error is in ``error``)
    result: str  # "stored" / "replay" / "queued", or the error code of the envelope
    seconds: float
    error: str = ""


class _Connection:
    """A keep-alive connection, opened again when it has been idle for a while."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.used = 0.0

    def get(self) -> http.client.HTTPConnection:
        if self.conn is not None and time.monotonic() - self.used > IDLE_RECONNECT_S:
            self.close()
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_S)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _send(conn: _Connection, r: Request) -> http.client.HTTPConnection:
    c = conn.get()
    headers = {**r.headers, "Connection": "keep-alive"}
    c.request(r.method, r.path, body=r.body or None, headers=headers)
    return c


def _read(conn: _Connection, c: http.client.HTTPConnection, r: Request, start: float) -> Answer:
    resp = c.getresponse()
    raw = resp.read()
    conn.used = time.monotonic()
    seconds = conn.used - start
    if resp.getheader("connection", "").lower() == "close":
        conn.close()
    try:
        doc = json.loads(raw)
    except ValueError:
        doc = {}
    result = doc.get("status") or (doc.get("error") or {}).get("code") or ""
    return Answer(r, resp.status, str(result), seconds)


def send_all(
    port: int, jobs: list[tuple[Request, ...]], senders: int
) -> tuple[list[Answer], float]:
    """Send every job from ``senders`` threads; the answers and the wall time."""
    answers: list[Answer] = []
    lock = threading.Lock()
    cursor = iter(range(len(jobs)))

    def work() -> None:
        main, second = _Connection(port), _Connection(port)
        mine: list[Answer] = []
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            job = jobs[i]
            conns = (main, second)[: len(job)]
            got: list[Answer | None] = [None] * len(job)
            started = [time.monotonic()] * len(job)
            try:
                opened = []
                for k, (conn, r) in enumerate(zip(conns, job, strict=True)):
                    started[k] = time.monotonic()  # every request written before any read
                    opened.append(_send(conn, r))
                for k, (conn, c, r) in enumerate(zip(conns, opened, job, strict=True)):
                    got[k] = _read(conn, c, r, started[k])
            except (OSError, http.client.HTTPException) as exc:
                for k, r in enumerate(job):
                    if got[k] is None:
                        seconds = time.monotonic() - started[k]
                        got[k] = Answer(r, 0, "", seconds, f"{type(exc).__name__}: {exc}")
                main.close()
                second.close()
            mine.extend(a for a in got if a is not None)
        main.close()
        second.close()
        with lock:
            answers.extend(mine)

    threads = [threading.Thread(target=work, name=f"sender-{k}") for k in range(senders)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers, time.monotonic() - start


# ------------------------------------------------------------------------ the server


def livebase(*args: str, python: str = sys.executable, timeout: float = 120) -> str:
    """Run ``python -m livebase *args``; its output (wide, so nothing wraps)."""
    env = {**os.environ, "COLUMNS": "400"}
    done = subprocess.run(
        [python, "-m", "livebase", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"livebase {args[0]} failed: {done.stdout}{done.stderr}")
    return done.stdout


def workspace(root: Path, python: str = sys.executable) -> tuple[str, str]:
    """``livebase init`` a workspace at ``root``; its GetCourse token and JSON key (what
    ``livebase webhook`` prints), derived from the workspace secret."""
    from livebase.store.workspace import Workspace
    from livebase.web.auth import workspace_secret
    from livebase.web.webhook_routes import getcourse_token, json_key

    livebase("init", str(root), "--school", "Load test", python=python)
    ws = Workspace.open(root)
    try:
        secret = workspace_secret(ws)
    finally:
        ws.close()
    return getcourse_token(secret), json_key(secret)


@dataclass
class Server:
    """``livebase serve`` in a process of its own; its output goes to ``log``."""

    root: Path
    log: Path
    python: str = sys.executable
    port: int = 0
    proc: subprocess.Popen | None = None
    _out: object = field(default=None, repr=False)

    def start(self) -> Server:
        """Serve on a free port (``--port 0``); ready once it prints its address (it
        listens from then on)."""
        self._out = self.log.open("w", encoding="utf-8")
        argv = ["serve", "--host", HOST, "--port", "0", "--lang", "en"]
        self.proc = subprocess.Popen(
            [self.python, "-m", "livebase", *argv, "-w", str(self.root)],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "COLUMNS": "400"},
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"livebase serve ended: {self.output()}")
            found = re.search(rf"http://{re.escape(HOST)}:(\d+)/", self.output())
            if found:
                self.port = int(found[1])
                return self
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"livebase serve did not answer in {START_TIMEOUT_S:.0f} s")
            time.sleep(0.2)  # bounded by the deadline

    def stop(self) -> int | None:
        """Ctrl+C, as a person stops it; killed after 60 s. Returns the exit code."""
        code = None
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)
            try:
                code = self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                code = self.proc.wait(timeout=30)
            self.proc = None
        if self._out is not None:
            self._out.close()
            self._out = None
        return code

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


# ------------------------------------------------------------------------ the check


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank).

    >>> percentile([4.0, 1.0, 3.0, 2.0], 50), percentile([4.0, 1.0, 3.0, 2.0], 99)
    (2.0, 4.0)
    """
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def figures(plan: Plan, answers: list[Answer], seconds: float, settle: float = 0.0) -> dict:
    """Rates, latency percentiles and answer counts of one run (``settle``: seconds after
    the last answer until the spool was empty)."""
    ms = [a.seconds * 1000 for a in answers]
    return {
        "requests": len(answers),
        "valid_events": len(plan.valid),
        "duplicates": plan.copies,
        "refused_sent": len(plan.refused),
        "seconds": round(seconds, 2),
        "settle_s": round(settle, 2),
        "requests_per_s": round(len(answers) / seconds, 1),
        # every valid event stored (checked afterwards), spooled ones included
        "stored_per_s": round(len(plan.valid) / (seconds + settle), 1),
        "queued": sum(a.result == "queued" for a in answers),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1),
        "http": dict(sorted(Counter(a.status for a in answers).items())),
        "results": dict(sorted(Counter(a.result for a in answers).items())),
        "answered_5xx": sum(a.status >= 500 for a in answers),
        "no_answer": sum(a.status == 0 for a in answers),
    }


def check_answers(plan: Plan, answers: list[Answer]) -> list[str]:
    """What the answers must say: one ``stored`` per valid event and ``replay`` (or
    ``queued``) for its copies, 401 with the reason for a refused one, never 5xx."""
    problems: list[str] = []
    if len(answers) != plan.requests:
        problems.append(f"{len(answers)} answers to {plan.requests} requests")
    bad = [a for a in answers if a.status >= 500 or a.status == 0]
    if bad:
        problems.append(f"{len(bad)} answers 5xx or none, e.g. {bad[0].status} {bad[0].error}")
    per_event: dict[str, list[str]] = {}
    for a in answers:
        r = a.request
        if r.valid:
            ok = (a.status, a.result) in ((200, "stored"), (200, "replay"), (202, "queued"))
            if not ok:
                problems.append(f"{r.event_id}: answered {a.status} {a.result}")
            per_event.setdefault(r.event_id, []).append(a.result)
        else:
            reason = "bad_token" if r.path.startswith("/webhook/getcourse") else "bad_signature"
            if (a.status, a.result) != (401, reason):
                problems.append(f"a refused event ({r.marker}): answered {a.status} {a.result}")
    for event_id, results in per_event.items():
        stored = results.count("stored")
        if stored > 1 or (stored == 0 and "queued" not in results):
            problems.append(f"{event_id}: answers {results}")
    missing = set(plan.valid) - set(per_event)
    if missing:
        problems.append(f"{len(missing)} valid events without an answer")
    return problems


def check_store(
    root: Path, plan: Plan, *, secrets: tuple[str, ...], server_output: str
) -> tuple[list[str], dict]:
    """What the store must hold afterwards (see the module's docstring); the problems
    and the row counts."""
    from livebase.store.invariants import audit
    from livebase.store.schema import ALL_TABLES
    from livebase.store.workspace import Workspace

    problems: list[str] = []
    ws = Workspace.open(root)
    try:
        tables = {name: ws.table(name).to_pandas() for name in ALL_TABLES}
        audits = {name: n for name, n in audit(ws).items() if n}
    finally:
        ws.close()
    counts = {name: len(frame) for name, frame in tables.items() if len(frame)}
    if audits:
        problems.append(f"store audits failed: {audits}")
    events = tables["webhook_events"]
    stored = events[events["status"] == "stored"]
    rejected = events[events["status"] == "rejected"]
    if len(events) != len(stored) + len(rejected):
        problems.append(f"webhook_events: statuses {Counter(events['status'])}")
    if len(stored) != len(plan.valid) or set(stored["event_id"]) != set(plan.valid):
        extra = set(stored["event_id"]) - set(plan.valid)
        problems.append(
            f"webhook_events: {len(stored)} stored rows for {len(plan.valid)} valid events "
            f"({len(set(plan.valid) - set(stored['event_id']))} missing, {len(extra)} unknown)"
        )
    want = Counter(
        "bad_token" if r.path.startswith("/webhook/getcourse") else "bad_signature"
        for r in plan.refused
    )
    if Counter(rejected["reason"]) != want:
        problems.append(f"rejected reasons {dict(Counter(rejected['reason']))}, want {dict(want)}")
    for table, n in plan.expected_rows.items():
        if len(tables[table]) != n:
            problems.append(f"{table}: {len(tables[table])} rows, {n} distinct valid events")
    for table in ("messages", "activities"):
        ids = {i for i, r in plan.valid.items() if r.table == table}
        if set(tables[table]["event_id"]) != ids:
            problems.append(f"{table}: the event ids differ from the valid events'")
    orders = tables["orders"].set_index("order_id")
    wrong = [
        order_id
        for order_id, (status, amount) in plan.orders.items()
        if order_id not in orders.index
        or (orders.at[order_id, "status"], f"{orders.at[order_id, 'amount']:.2f}")
        != (status, amount)
    ]
    if wrong:
        problems.append(f"{len(wrong)} orders differ from what was sent, e.g. {wrong[0]}")
    if len(tables["customers"]) != plan.people:
        problems.append(f"customers: {len(tables['customers'])}, {plan.people} people sent")
    if len(tables["identities"]) != plan.identity_keys:
        problems.append(
            f"identities: {len(tables['identities'])}, {plan.identity_keys} distinct keys sent"
        )
    text = "\n".join(frame.to_csv(index=False) for frame in tables.values())
    for name, where in (("the store", text), ("the server's output", server_output)):
        leaks = [m for m in (*secrets, *(r.marker for r in plan.refused)) if m in where]
        if leaks:
            problems.append(f"{len(leaks)} secrets or refused payloads found in {name}")
    if "Traceback" in server_output or "ERROR" in server_output:
        problems.append("the server logged an error: " + server_output[-2000:])
    return problems, counts


# ------------------------------------------------------------------------ one run


@dataclass
class Run:
    senders: int
    figures: dict
    counts: dict
    problems: list[str]
    load_start: tuple[float, float, float]
    load_end: tuple[float, float, float]
    root: Path = Path()  # the workspace (kept while its folder is)
    token: str = field(default="", repr=False)
    key: str = field(default="", repr=False)

    def record(self) -> dict:
        """The figures to keep (never the token or the key)."""
        keep = ("senders", "figures", "counts", "problems", "load_start", "load_end")
        return {name: getattr(self, name) for name in keep}


def run_load(
    folder: Path,
    *,
    events: int,
    senders: int,
    seed: int = 10,
    python: str = sys.executable,
    drain_timeout: float = 900.0,
) -> Run:
    """One run: a fresh workspace in ``folder``, served, loaded, stopped and checked."""
    root = folder / "school"
    token, key = workspace(root, python)
    plan = plan_load(events, key=key, token=token, seed=seed)
    server = Server(root, folder / "server.log", python).start()
    load_start = os.getloadavg()
    problems: list[str] = []
    try:
        answers, seconds = send_all(server.port, plan.jobs, senders)
        queued = sum(a.result == "queued" for a in answers)
        settled = wait_for_spool(root, drain_timeout)
        if settled is None:
            left = spooled(root)
            problems.append(
                f"the spool still held {left:,} of {queued:,} queued events {drain_timeout:.0f} s "
                f"after the load: the server stored spooled events at "
                f"{(queued - left) / drain_timeout:.1f} events/s"
            )
    finally:
        load_end = os.getloadavg()
        code = server.stop()
    output = server.output()
    problems += check_answers(plan, answers)
    if code != 0:
        problems.append(f"livebase serve exited with {code}")
    failed = spool_dir(root) / "failed.jsonl"
    if failed.exists():
        problems.append(f"the store refused spooled events: {failed}")
    found, counts = check_store(root, plan, secrets=(token, key), server_output=output)
    result = figures(plan, answers, seconds, settled or 0.0)
    return Run(senders, result, counts, problems + found, load_start, load_end, root, token, key)


def spool_dir(root: Path) -> Path:
    """Where ``livebase serve`` spools events while another process holds the store."""
    return root / ".serve" / "spool"


def spooled(root: Path) -> int:
    """Lines waiting in the server's spool."""
    folder = spool_dir(root)
    names = os.listdir(folder) if folder.exists() else []
    lines = 0
    for name in names:
        if name == "events.jsonl" or name.startswith("draining-"):
            with contextlib.suppress(FileNotFoundError):  # drained (renamed) meanwhile
                lines += len((folder / name).read_bytes().splitlines())
    return lines


def wait_for_spool(root: Path, timeout: float) -> float | None:
    """Seconds until the server's spool holds no event (it drains on its own), or None
    after ``timeout``."""
    start = time.monotonic()
    folder = spool_dir(root)
    while True:
        names = os.listdir(folder) if folder.exists() else []
        if not any(n == "events.jsonl" or n.startswith("draining-") for n in names):
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            return None
        time.sleep(0.2)  # bounded by the timeout


# ------------------------------------------------------------------------ the report


def _load(avg: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in avg)


def section(
    runs: list[Run],
    *,
    events: int,
    info: dict,
    started: datetime,
    finished: datetime,
    argv: list[str],
) -> list[str]:
    """The markdown of the section (between the markers)."""
    out = [
        "## Webhook under load (issue 10, `webhook_bench.py`)",
        "",
        f"Run {started:%Y-%m-%d %H:%M}–{finished:%H:%M} UTC with "
        f"`python bench/webhook_bench.py {shlex.join(argv)}` (written by the script).",
        "",
        f"Machine: {info['cpu']}, `nproc` = {info['nproc']}, memory {info['memory']}, "
        f"Python {info['python']}; other processes were not stopped (the load average "
        "below shows what else ran).",
        "",
        f"Load: {events:,} requests per run to one `livebase serve` on 127.0.0.1 (a fresh "
        "workspace each run), from N sender threads over keep-alive connections: signed "
        "JSON orders, messages, activities and consents and GetCourse callbacks (GET and "
        "POST), 10 % exact duplicates (half sent at the same moment as the original on a "
        "second connection), 1 % refused (altered after signing, wrong key, wrong token).",
        "",
        "| senders | requests | sending s | spool empty after s | requests/s | stored/s | "
        "p50 ms | p95 ms | p99 ms | max ms | queued (202) | refused (401) | 5xx | no answer "
        "| load avg start | load avg end | check |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for r in runs:
        f = r.figures
        out.append(
            f"| {r.senders} | {f['requests']:,} | {f['seconds']:,.1f} | {f['settle_s']:,.1f} | "
            f"{f['requests_per_s']:,.1f} | {f['stored_per_s']:,.1f} | {f['p50_ms']:,.0f} | "
            f"{f['p95_ms']:,.0f} | {f['p99_ms']:,.0f} | {f['max_ms']:,.0f} | {f['queued']:,} | "
            f"{f['http'].get(401, 0)} | {f['answered_5xx']} | {f['no_answer']} | "
            f"{_load(r.load_start)} | {_load(r.load_end)} | "
            f"{'passed' if not r.problems else f'{len(r.problems)} problems'} |"
        )
    out += [
        "",
        "Answers per run (`result`: the `status` of the answer, or the error code):",
        "",
    ]
    for r in runs:
        out.append(
            f"- {r.senders} senders: HTTP {r.figures['http']}, {r.figures['results']}; "
            f"store rows {r.counts}"
        )
    problems = [(r.senders, p) for r in runs for p in r.problems]
    if problems:
        out += ["", "Problems:", ""] + [f"- {n} senders: {p}" for n, p in problems]
    out += [
        "",
        "Requests/s: all requests over the sending time (first request written to last "
        "answer read); stored/s: the distinct valid events (each found stored once "
        "afterwards) over the sending time plus the time the server's spool took to empty "
        "after it (events answered 202 `queued` are stored by the spool's drain). Latency "
        "is per request, from writing it to reading the whole answer.",
    ]
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--events", type=int, default=20_000, help="requests per run")
    p.add_argument("--senders", default="8,32", help="sender threads, one run each")
    p.add_argument("--seed", type=int, default=10)
    p.add_argument("--python", default=sys.executable, help="the interpreter of livebase")
    p.add_argument("--out", type=Path, default=RESULTS, help="markdown file of the section")
    p.add_argument("--keep", type=Path, help="keep the workspaces under this folder")
    p.add_argument("--note", default="", help="a line for the section (what differs)")
    args = p.parse_args(argv)
    senders = [int(x) for x in args.senders.split(",") if x.strip()]
    info = machine()
    started = datetime.now(UTC)
    # the raw figures of every run, written as each ends (never the token or the key)
    raw = HERE / "RESULTS-webhook.json" if args.out == RESULTS else args.out.with_suffix(".json")
    runs = []
    for n in senders:
        with tempfile.TemporaryDirectory(prefix="webhook-bench-") as tmp:
            folder = (args.keep / f"senders-{n}") if args.keep else Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            log(
                f"{args.events:,} requests from {n} senders (load average {_load(os.getloadavg())})"
            )
            run = run_load(
                folder, events=args.events, senders=n, seed=args.seed, python=args.python
            )
            f = run.figures
            log(
                f"{f['seconds']:,.1f} s: {f['requests_per_s']:,.1f} requests/s, "
                f"{f['stored_per_s']:,.1f} stored/s, p50 {f['p50_ms']:,.0f} ms, "
                f"p99 {f['p99_ms']:,.0f} ms; {len(run.problems)} problems"
            )
            for problem in run.problems:
                log(f"  problem: {problem}")
            runs.append(run)
            raw.write_text(json.dumps([r.record() for r in runs], indent=1, default=str) + "\n")
    finished = datetime.now(UTC)
    lines = section(
        runs, events=args.events, info=info, started=started, finished=finished, argv=argv
    )
    if args.note:
        lines[3:3] = ["", f"Note: {args.note}"]
    # the first time, the section goes after the RFM section's notes marker (the end of
    # the file), so rfm_bench.py keeps it
    text = RESULTS.read_text(encoding="utf-8") if args.out == RESULTS else ""
    if args.out == RESULTS and BEGIN not in text and NOTES_MARKER not in text:
        raise SystemExit(f"{RESULTS} has no notes marker: run bench/rfm_bench.py first")
    write_section(args.out, lines, BEGIN, END)
    log(f"written to {args.out} and {raw}")
    return 1 if any(r.problems for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
