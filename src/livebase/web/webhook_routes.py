"""The webhook's HTTP side (SPEC F1.5): a GetCourse-style callback and a signed JSON
endpoint, both idempotent by event id (:mod:`livebase.web.webhook` parses and stores).

The rules, one sentence each:

* ``GET`` or ``POST /webhook/getcourse?token=…&…`` is GetCourse's callback: GetCourse
  does not sign, so the ``token`` parameter must equal the workspace's GetCourse token
  (:func:`getcourse_token`, compared in constant time); the other parameters are the
  filled placeholders.
* ``POST /webhook/events`` takes one JSON event signed with
  ``X-Livebase-Signature: sha256=<hex HMAC-SHA256 of the body>`` under the workspace's
  JSON key (:func:`json_key`).
* Both keys are derived from the workspace's secret, so they never travel with the data;
  ``livebase webhook`` prints the callback URL and the key.
* An accepted event answers 200 ``{"status": "stored"}``, a replayed one 200
  ``{"status": "replay"}`` and changes nothing; a refused one answers 401 (bad token or
  signature) or 400 (bad event) in the error envelope and is recorded in
  ``webhook_events`` with its reason, never with the token, the key or the body.
* A body over 64 KiB is refused (413).
* Events arriving together are stored together (:class:`GroupCommit`): one transaction
  per group, each event with the rows and the answer it would have had alone, in order
  of arrival; a group that fails is stored again one event at a time, so only the bad
  event's sender gets the error.
* The store is opened for a burst of events and closed after a second without one
  (:class:`~livebase.web.app.Store`).
* When another process (an import, segment) holds the DuckDB store for more than
  ``WRITE_WAIT_S`` seconds, an accepted event (token or signature checked, parsed) is
  appended to the spool ``<workspace>/.serve/spool/`` (one JSON line, fsynced before
  the answer) and answers 202 ``{"status": "queued"}``; a refusal's row may be spooled
  too (its answer does not wait).
* While the spool holds events, new ones are spooled too, so events are stored in the
  order they arrived; the store's keeper drains the spool, oldest file first, ``BATCH``
  lines per transaction, as soon as the store frees, and on start-up and shutdown.
* A spooled event is stored as if it had arrived when it was spooled; a replay is found
  by its event id as usual, so an event spooled twice (or drained again after a crash)
  is stored once, and a spooled refusal carries its row's id, so it is recorded once.
* A spool line that cannot be read (a crash in mid-write, before the answer) is skipped;
  a spooled event the store refuses goes to ``failed.jsonl`` beside it, for a person.
* Tokens, keys and bodies are never logged; the spool holds parsed events only
  (personal data, as the store does: files 0600 in a 0700 folder).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from livebase.diskfile import flocked, fsync_path, write_atomic
from livebase.privacy.serve import APPEND_LOCK, DRAIN_LOCK, spool_dir
from livebase.store.workspace import Workspace
from livebase.web.errors import ERROR_SCHEMA, envelope

MAX_BODY = 64 * 1024
WRITE_WAIT_S = 1.0  # how long an event waits for a store another process holds
QUEUED = "queued"
log = logging.getLogger("livebase.web")
QUEUED_SCHEMA = {
    "description": "Accepted and spooled: stored once the store is free",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["status", "event_id"],
                "properties": {
                    "status": {"const": QUEUED},
                    "event_id": {"type": "string"},
                },
            }
        }
    },
}


def getcourse_token(secret: bytes) -> str:
    return hmac.new(secret, b"livebase:getcourse-webhook", hashlib.sha256).hexdigest()[:40]


def json_key(secret: bytes) -> str:
    return hmac.new(secret, b"livebase:json-webhook", hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- spool records


def _encode(value: Any) -> Any:
    """A JSON value for an event's field; times and money tagged.

    >>> _encode({"amount": Decimal("9.90"), "ts": dt.datetime(2025, 5, 1, 9, 30)})
    {'amount': {'$dec': '9.90'}, 'ts': {'$ts': '2025-05-01T09:30:00'}}
    """
    if isinstance(value, dt.datetime):
        return {"$ts": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if value is None or isinstance(value, str | bool | int | float):
        return value
    raise TypeError(f"cannot spool a {type(value).__name__}")


_TAGS: dict[str, Callable[[str], Any]] = {
    "$ts": dt.datetime.fromisoformat,
    "$date": dt.date.fromisoformat,
    "$dec": Decimal,
}


def _decode(value: Any) -> Any:
    """The inverse of :func:`_encode`.

    >>> _decode(_encode({"a": Decimal("1.50"), "b": dt.date(2025, 5, 1), "c": None}))
    {'a': Decimal('1.50'), 'b': datetime.date(2025, 5, 1), 'c': None}
    """
    if isinstance(value, dict):
        if len(value) == 1:
            ((tag, text),) = value.items()
            if tag in _TAGS:
                return _TAGS[tag](text)
        return {k: _decode(v) for k, v in value.items()}
    return value


def event_record(event: Any, now: dt.datetime) -> dict[str, Any]:
    """The spool line of an accepted event received at ``now``."""
    fields = {f.name: _encode(getattr(event, f.name)) for f in dataclasses.fields(event)}
    return {"type": "event", "received_at": _encode(now), "event": fields}


def rejection_record(source: str, kind: str, reason: str, now: dt.datetime) -> dict[str, Any]:
    """The spool line of a refused event: its reason code and the id of its row."""
    return {
        "type": "rejection",
        "received_at": _encode(now),
        "event_id": f"rejected:{uuid.uuid4().hex}",
        "source": source,
        "kind": kind,
        "reason": reason,
    }


def _event_of(record: Mapping[str, Any]) -> Any:
    """The parsed event of a spool line."""
    from livebase.web import webhook as wh

    data = {
        k: MappingProxyType(v) if isinstance(v, dict) else v
        for k, v in _decode(record["event"]).items()
    }
    return wh.WebhookEvent(**data)


def apply_records(ws: Workspace, records: list[Mapping[str, Any]]) -> list[str]:
    """Store spool lines together: their events in one transaction (as one by one, in
    order: :func:`~livebase.web.webhook.store_events`), then the refusals' rows."""
    from livebase.web import webhook as wh

    events = [r for r in records if r["type"] == "event"]
    stored = iter(
        wh.store_events(
            ws,
            [_event_of(r) for r in events],
            now=[_decode(r["received_at"]) for r in events],
        )
        if events
        else []
    )
    return [next(stored) if r["type"] == "event" else apply_record(ws, r) for r in records]


def apply_record(ws: Workspace, record: Mapping[str, Any]) -> str:
    """Store one spool line in its own transaction: the event's status, or
    ``"rejected"`` for a refusal's row (written once by its id)."""
    from livebase.web import webhook as wh

    now = _decode(record["received_at"])
    if record["type"] == "event":
        return wh.store_event(ws, _event_of(record), now=now)
    if record["type"] != "rejection":
        raise ValueError(f"unknown spool record {record['type']!r}")
    wh.record_rejection(
        ws,
        source=record["source"],
        kind=record["kind"],
        reason=record["reason"],
        now=now,
        row_id=record["event_id"],
    )
    return "rejected"


# ---------------------------------------------------------------- the spool


def _append_synced(path: Path, data: bytes) -> None:
    """Add ``data`` at the end of ``path`` (0600) and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    """Events waiting for the store: ``events.jsonl`` takes new lines; a drain renames it
    to ``draining-<ns>.jsonl`` first, so appends never wait for a drain."""

    NEW = "events.jsonl"
    BATCH = 50  # lines per transaction while draining (pages wait for one batch at most)

    def __init__(self, folder: Path) -> None:
        self.dir = Path(folder)
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = threading.Lock()
        self._draining = threading.Lock()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """This spool's threads and other processes serving the workspace, one at a time."""
        with self._lock, flocked(self.dir / APPEND_LOCK):
            yield

    def _files(self) -> list[Path]:
        """The files to drain, oldest first."""
        names = sorted(n for n in os.listdir(self.dir) if n.startswith("draining-"))
        if os.path.exists(self.dir / self.NEW):
            names.append(self.NEW)
        return [self.dir / n for n in names]

    def pending(self) -> bool:
        return bool(self._files())

    def append(self, *records: Mapping[str, Any]) -> None:
        """Add one line per record and fsync them (the answers are sent after this)."""
        line = "".join(
            json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records
        )
        with self._locked():
            path = self.dir / self.NEW
            new = not path.exists()
            _append_synced(path, line.encode("utf-8"))
            if new:
                fsync_path(self.dir)

    def _claim(self) -> Path | None:
        with self._locked():
            files = self._files()
            if not files:
                return None
            if files[0].name != self.NEW:
                return files[0]
            target = self.dir / f"draining-{time.time_ns():020d}.jsonl"
            os.replace(files[0], target)
            fsync_path(self.dir)
            return target

    def _read(self, path: Path) -> list[dict[str, Any]]:
        records, skipped = [], 0
        for line in path.read_bytes().splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                skipped += 1
        if skipped:
            log.warning("%d unreadable line(s) skipped in the webhook spool", skipped)
        return records

    def _write(self, path: Path, records: list[dict[str, Any]]) -> None:
        """Replace ``path`` by ``records`` (atomically, fsynced)."""
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        write_atomic(
            path, text.encode("utf-8"), temp=path.with_name(path.name + ".tmp"), mode=0o600
        )

    def _apply_one(self, ws: Workspace, record: Mapping[str, Any]) -> None:
        try:
            apply_record(ws, record)
        except Exception as exc:  # kept for a person, never retried blindly
            ident = (record.get("event") or {}).get("event_id", "?")
            log.error("spooled webhook event %s not stored: %s", ident, type(exc).__name__)
            self._failed(record)

    def _failed(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        _append_synced(self.dir / "failed.jsonl", line.encode("utf-8"))

    def drain(self, store: Any) -> bool:
        """Store the spooled lines oldest first through ``store.try_write``; True when the
        spool is empty, False when the store was busy or another drain runs (the rest
        stays spooled)."""
        if not self._draining.acquire(blocking=False):
            return False
        try:
            with flocked(self.dir / DRAIN_LOCK, 0) as held:
                # not held: another server on this workspace (or an erasure) drains it
                return held and self._drain(store)
        finally:
            self._draining.release()

    def _drain(self, store: Any) -> bool:
        while True:
            path = self._claim()
            if path is None:
                return True
            records = self._read(path)
            done = 0
            while done < len(records):
                with store.try_write(0.0, local_wait=0.5) as ws:
                    if ws is None:
                        break
                    batch = records[done : done + self.BATCH]
                    try:
                        apply_records(ws, batch)
                    except Exception:  # one by one: only the bad line is set aside
                        for record in batch:
                            self._apply_one(ws, record)
                    done += len(batch)
                if store.burst_over():
                    break
            if done < len(records):
                if done:
                    self._write(path, records[done:])
                return False
            path.unlink()
            fsync_path(self.dir)
            if store.burst_over():  # events keep coming: let a waiting command in first
                return not self.pending()


# ---------------------------------------------------------------- group commit


class _Slot:
    def __init__(self, item: Any) -> None:
        self.item = item
        self.finished = False
        self.result: Any = None
        self.error: BaseException | None = None


class GroupCommit:
    """Concurrent callers' items written together: whoever finds no write running takes
    every waiting item (``MAX`` at most) and writes them in one call of ``write`` (one
    transaction), the others wait for their answer; a group that fails is written again
    one item at a time, so only the bad item's caller gets the error."""

    MAX = 256

    def __init__(self, write: Callable[[list[Any]], list[Any]]) -> None:
        self._write = write
        self._cond = threading.Condition()
        self._queue: list[_Slot] = []
        self._busy = False

    def store(self, item: Any) -> Any:
        slot = _Slot(item)
        with self._cond:
            self._queue.append(slot)
        while True:
            with self._cond:
                while not slot.finished and self._busy:
                    self._cond.wait()
                if slot.finished:
                    break
                self._busy = True
                group = self._queue[: self.MAX]
                del self._queue[: self.MAX]
            try:
                self._run(group)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.result

    def _run(self, group: list[_Slot]) -> None:
        try:
            results = self._write([s.item for s in group])
        except Exception as exc:
            if len(group) == 1:
                group[0].error, group[0].finished = exc, True
                return
            for slot in group:  # one at a time: the others still get their answer
                self._run([slot])
            return
        except BaseException as exc:  # interrupted: every caller hears it
            for slot in group:
                slot.error, slot.finished = exc, True
            raise
        for slot, result in zip(group, results, strict=True):
            slot.result, slot.finished = result, True


# ---------------------------------------------------------------- routes


def register_webhook(app: FastAPI) -> None:
    from livebase.web import webhook as wh

    store = app.state.store
    clock = app.state.clock
    responses = {202: QUEUED_SCHEMA, 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 413: ERROR_SCHEMA}
    spool = Spool(spool_dir(store.root)) if store.snapshots else None
    if spool is not None:
        store.attach_spool(spool)

    def deliver(
        apply: Callable[[Workspace], Any],
        records: Callable[[], list[dict[str, Any]]],
        wait: float,
        queued: Any,
    ) -> Any:
        """``apply`` to the store now, or spool ``records()`` and answer ``queued``."""
        if spool is None or not spool.pending():
            with store.try_write(wait) as ws:
                if ws is not None and (spool is None or not spool.pending()):
                    return apply(ws)
        assert spool is not None  # a held-open store always yields
        spool.append(*records())
        store.wake()
        return queued

    def refuse(status: int, source: str, kind: str, err: Exception) -> JSONResponse:
        reason = getattr(err, "reason", "bad_event")
        now = clock()
        deliver(
            lambda ws: wh.record_rejection(ws, source=source, kind=kind, reason=reason, now=now),
            lambda: [rejection_record(source, kind, reason, now)],
            0.0,  # the refusal does not wait for another process
            QUEUED,
        )
        return envelope(status, str(err), reason)

    def write_group(items: list[tuple[Any, dt.datetime]]) -> list[str]:
        """Concurrent requests' events in one transaction, or all to the spool."""
        events, times = [e for e, _ in items], [t for _, t in items]
        return deliver(
            lambda ws: wh.store_events(ws, events, now=times),
            lambda: [event_record(e, t) for e, t in items],
            WRITE_WAIT_S,
            [QUEUED] * len(items),
        )

    group = GroupCommit(write_group)

    def accept(event: Any) -> JSONResponse:
        status = group.store((event, clock()))
        code = 202 if status == QUEUED else 200
        return JSONResponse({"status": status, "event_id": event.event_id}, status_code=code)

    def getcourse_sync(params: dict[str, str]) -> JSONResponse:
        token = params.pop("token", "")
        if not hmac.compare_digest(token.encode(), getcourse_token(store.secret).encode()):
            err = wh.WebhookError("bad_token", "unknown or missing token")
            return refuse(401, "getcourse", "order", err)
        try:
            event = wh.parse_getcourse(params, now=clock(), tz=store.config.timezone)
        except wh.WebhookError as err:
            return refuse(400, "getcourse", "order", err)
        return accept(event)

    async def getcourse(request: Request) -> JSONResponse:
        params = dict(request.query_params)
        if request.method == "POST":
            body = await request.body()
            if len(body) > MAX_BODY:
                return envelope(413, "the callback is larger than 64 KiB")
            form = await request.form()
            params.update({k: str(v) for k, v in form.items()})
        # the store may wait for another process: never on the event loop
        return await run_in_threadpool(getcourse_sync, params)

    for method in ("GET", "POST"):
        app.add_api_route(
            "/webhook/getcourse",
            getcourse,
            methods=[method],
            operation_id=f"getcourse_callback_{method.lower()}",
            summary="GetCourse callback (token in the query)",
            responses=responses,
        )

    def events_sync(body: bytes, signature: str | None) -> JSONResponse:
        try:
            wh.verify_signature(body, signature, json_key(store.secret).encode())
        except wh.WebhookError as err:
            return refuse(401, "json", "event", err)
        try:
            event = wh.parse_json_event(body, now=clock())
        except wh.WebhookError as err:
            return refuse(400, "json", "event", err)
        return accept(event)

    @app.post(
        "/webhook/events",
        summary="One JSON event signed with HMAC-SHA256",
        responses=responses,
    )
    async def events(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > MAX_BODY:
            return envelope(413, "the event is larger than 64 KiB")
        signature = request.headers.get("x-livebase-signature")
        return await run_in_threadpool(events_sync, body, signature)
