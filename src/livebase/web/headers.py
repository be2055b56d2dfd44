"""The security headers every answer of the web app carries (SPEC F6.2).

* The content security policy allows only the app's own scripts (no inline script, no
  other origin) and the app's own stylesheets plus inline styles (plotly.js inserts its
  styles and sets ``style`` attributes when it draws, and breaks without them;
  plotly/plotly.js#7543).
* No answer is sniffed for another type, framed, cached or sent with a referrer to
  other sites.
* :func:`secured` adds every header an answer does not set itself.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi.responses import Response

R = TypeVar("R", bound=Response)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def secured(response: R) -> R:
    """``response`` with every header of ``SECURITY_HEADERS`` it does not set itself."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
