"""Retargeting audiences: hashed e-mails and phones per arm (SPEC F4.5, F7.3).

The rules, one sentence each:

* There is one file ``<wave_id>/retargeting-<arm>.csv`` for each arm with retargeting
  touches, one row per customer with a retargeting touch going out now, and nothing else
  about the person: no name, no id.
* ``email_sha256`` is the SHA-256 hex digest of the e-mail stripped of surrounding spaces
  and lower-cased; ``phone_sha256`` that of the phone's E.164 digits without the leading
  ``+`` (``79161234567``), the forms Meta custom audiences and Yandex Audiences match
  against; a missing address leaves its cell empty.
* Rows are sorted by their hashes, so the order says nothing about the customers.
* The span (first ``planned_at``, last ``ends_at``) and the impressions a day (the
  highest ``frequency`` of the arm's touches) go into the manifest, not the file.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from livebase.exports.files import as_datetime, as_value, utc_iso

HEADER = ["email_sha256", "phone_sha256"]


def normalise_email(email: str) -> str:
    """>>> normalise_email("  Anna.K@Mail.RU ")
    'anna.k@mail.ru'
    """
    return email.strip().lower()


def normalise_phone(phone: str) -> str:
    """E.164 digits without the ``+``.

    >>> normalise_phone("+7 916 123-45-67")
    '79161234567'
    """
    return "".join(ch for ch in phone if ch.isdigit())


def sha256_hex(text: str) -> str:
    """>>> sha256_hex("anna@mail.ru")[:16]
    'b7264db90dbe4bad'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hashed(email: object, phone: object) -> list[str]:
    """The row of one customer: [email_sha256, phone_sha256], empty where unknown."""
    e, p = as_value(email), as_value(phone)
    e = normalise_email(str(e)) if e is not None else ""
    p = normalise_phone(str(p)) if p is not None else ""
    return [sha256_hex(e) if e else "", sha256_hex(p) if p else ""]


def retargeting_rows(touches: pd.DataFrame) -> list[list[str]]:
    """One row per customer among an arm's exported retargeting touches."""
    people = touches.drop_duplicates("customer_id")
    rows = [hashed(e, p) for e, p in zip(people["email"], people["phone"], strict=True)]
    return sorted(rows)


def span(touches: pd.DataFrame) -> dict[str, object]:
    """The manifest entry of an arm: starts_at, ends_at (UTC), frequency, customers."""
    if touches.empty:
        return {"starts_at": None, "ends_at": None, "frequency": None, "customers": 0}
    ends = touches["ends_at"].where(touches["ends_at"].notna(), touches["planned_at"])
    freq = touches["frequency"].dropna()
    return {
        "starts_at": utc_iso(as_datetime(touches["planned_at"].min())),
        "ends_at": utc_iso(as_datetime(ends.max())),
        "frequency": int(freq.max()) if len(freq) else None,
        "customers": int(touches["customer_id"].nunique()),
    }
