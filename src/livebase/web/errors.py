"""One error envelope for every error the web app returns (SPEC F6.3).

Every 4xx and 5xx answer of the JSON API and the webhook is
``{"error": {"code": <short code>, "message": <one sentence>}}``:

* a request that fails validation is 422 ``invalid_request`` (the first problem named);
* a missing or unknown page or id is 404 ``not_found``;
* a missing or bad login, session or token is 401 ``unauthorized``;
* bad input (:class:`~livebase.errors.InputError`) is 400 ``bad_input``;
* a question the data cannot answer yet (:class:`~livebase.errors.InsufficientData`) is
  409 ``insufficient_data``;
* anything else is 500 ``internal``, with a message that reveals nothing of the server
  (the traceback goes to the server's log only).

Every envelope carries the app's security headers itself
(:func:`~livebase.web.headers.secured`): a 500 is answered outside the app's middleware,
which adds them to every other answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.responses import JSONResponse

from livebase.web.headers import secured

CODES = {
    400: "bad_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "insufficient_data",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal",
}


@dataclass
class ApiError(Exception):
    """An answer with ``status`` and the envelope ``code`` / ``message``."""

    status: int
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def envelope(status: int, message: str, code: str | None = None) -> JSONResponse:
    code = code or CODES.get(status, "error")
    body = {"error": {"code": code, "message": message}}
    return secured(JSONResponse(body, status_code=status))


# the schema of the envelope, for the OpenAPI document
ERROR_SCHEMA = {
    "description": "An error",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    }
                },
            }
        }
    },
}
