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
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from livebase.web.errors import ERROR_SCHEMA, envelope

MAX_BODY = 64 * 1024


def getcourse_token(secret: bytes) -> str:
    return hmac.new(secret, b"livebase:getcourse-webhook", hashlib.sha256).hexdigest()[:40]


def json_key(secret: bytes) -> str:
    return hmac.new(secret, b"livebase:json-webhook", hashlib.sha256).hexdigest()


def register_webhook(app: FastAPI) -> None:
    from livebase.web import webhook as wh

    store = app.state.store
    clock = app.state.clock
    responses = {400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 413: ERROR_SCHEMA}

    def refuse(status: int, source: str, kind: str, err: Exception) -> JSONResponse:
        reason = getattr(err, "reason", "bad_event")
        with store.use(write=True) as ws:
            wh.record_rejection(ws, source=source, kind=kind, reason=reason, now=clock())
        return envelope(status, str(err), reason)

    async def getcourse(request: Request) -> JSONResponse:
        params = dict(request.query_params)
        if request.method == "POST":
            body = await request.body()
            if len(body) > MAX_BODY:
                return envelope(413, "the callback is larger than 64 KiB")
            form = await request.form()
            params.update({k: str(v) for k, v in form.items()})
        token = params.pop("token", "")
        if not hmac.compare_digest(token.encode(), getcourse_token(store.secret).encode()):
            err = wh.WebhookError("bad_token", "unknown or missing token")
            return refuse(401, "getcourse", "order", err)
        try:
            event = wh.parse_getcourse(params, now=clock(), tz=store.ws.config.timezone)
        except wh.WebhookError as err:
            return refuse(400, "getcourse", "order", err)
        with store.use(write=True) as ws:
            status = wh.store_event(ws, event, now=clock())
        return JSONResponse({"status": status, "event_id": event.event_id})

    for method in ("GET", "POST"):
        app.add_api_route(
            "/webhook/getcourse",
            getcourse,
            methods=[method],
            operation_id=f"getcourse_callback_{method.lower()}",
            summary="GetCourse callback (token in the query)",
            responses=responses,
        )

    @app.post(
        "/webhook/events",
        summary="One JSON event signed with HMAC-SHA256",
        responses=responses,
    )
    async def events(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > MAX_BODY:
            return envelope(413, "the event is larger than 64 KiB")
        try:
            wh.verify_signature(
                body,
                request.headers.get("x-livebase-signature"),
                json_key(store.secret).encode(),
            )
        except wh.WebhookError as err:
            return refuse(401, "json", "event", err)
        try:
            event = wh.parse_json_event(body, now=clock())
        except wh.WebhookError as err:
            return refuse(400, "json", "event", err)
        with store.use(write=True) as ws:
            status = wh.store_event(ws, event, now=clock())
        return JSONResponse({"status": status, "event_id": event.event_id})
