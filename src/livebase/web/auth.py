"""Dashboard logins, API tokens and signed session cookies (SPEC F6.2, F6.3).

The rules, one sentence each:

* A password has at least 8 characters and is not all whitespace; an error states the
  rule and never repeats the password.
* A username or token name is 1 to 64 characters of ``A-Z a-z 0-9 . _ @ -``; adding a user
  that exists replaces its password (it keeps its ``created_at``).
* A password is stored only as ``scrypt$16384$8$1$<salt>$<hash>``: ``hashlib.scrypt`` with
  n = 2**14, r = 8, p = 1, a fresh 16-byte random salt and a 32-byte key, both in
  standard base64, compared in constant time; a malformed stored hash never matches.
* A login runs exactly one scrypt whether or not the user exists, so the answer time does
  not tell which usernames exist.
* An API token is ``secrets.token_urlsafe(32)``, shown once when it is added; only its
  SHA-256 (hex) is stored, checked with a constant-time comparison, and adding a token
  under an existing name replaces the old one.
* The workspace secret is 32 random bytes in ``<workspace>/.secret``, created once with
  mode 0600 and reused afterwards; it signs the session cookies and is the default
  webhook secret.
* A session cookie is ``<payload>.<signature>``: the base64url (unpadded) JSON
  ``{"u": username, "exp": epoch seconds}`` and the base64url HMAC-SHA256 of that text
  under the workspace secret; it is valid for 12 hours by default.
* A missing, malformed, wrongly signed or expired cookie (``now >= exp``) reads as no
  session.

>>> stored = hash_password("correct horse")
>>> stored.startswith("scrypt$16384$8$1$"), verify_password("correct horse", stored)
(True, True)
>>> verify_password("wrong horse", stored)
False
>>> now = dt.datetime(2024, 5, 1, 9, 0)
>>> cookie = make_session(b"k" * 32, "anna", now=now)
>>> read_session(b"k" * 32, cookie, now=now + dt.timedelta(hours=11))
'anna'
>>> read_session(b"k" * 32, cookie, now=now + dt.timedelta(hours=12)) is None
True
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from livebase.errors import ConfigError, InputError
from livebase.store.write import upsert

if TYPE_CHECKING:
    from livebase.store.workspace import Workspace

SCHEME = "scrypt"
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSWORD = 8
NAME_RULE = re.compile(r"[A-Za-z0-9._@-]{1,64}")
SECRET_FILE = ".secret"
SECRET_BYTES = 32
SESSION_AGE = dt.timedelta(hours=12)
MAX_COOKIE = 4096
_EPOCH = dt.datetime(1970, 1, 1)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _scrypt(password: bytes, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # 128 * r * n bytes of work memory (16 MiB for the defaults) plus headroom
    return hashlib.scrypt(
        password, salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=256 * r * n + 2**20
    )


# ---------------------------------------------------------------- passwords


def hash_password(password: str) -> str:
    """The stored form of ``password``: scheme, parameters, salt and key, ``$``-separated."""
    salt = os.urandom(SALT_BYTES)
    key = _scrypt(_bytes(password), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return _format(salt, key)


def _format(salt: bytes, key: bytes) -> str:
    b64 = base64.b64encode
    return f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(key).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` hashes to ``stored``; a malformed ``stored`` is ``False``."""
    try:
        scheme, n_text, r_text, p_text, salt_text, key_text = stored.split("$")
        if scheme != SCHEME:
            return False
        n, r, p = int(n_text), int(r_text), int(p_text)
        # only sane parameters: a damaged row must not make a login burn gigabytes
        power_of_two = n >= 2 and n & (n - 1) == 0
        if not (power_of_two and r >= 1 and 1 <= p <= 4 and 128 * n * r <= 2**26):
            return False
        salt = base64.b64decode(salt_text, validate=True)
        key = base64.b64decode(key_text, validate=True)
        if not salt or not 16 <= len(key) <= 64:
            return False
        candidate = _scrypt(_bytes(password), salt, n, r, p, len(key))
    except (AttributeError, TypeError, ValueError, binascii.Error, MemoryError):
        return False
    return hmac.compare_digest(candidate, key)


def check_password_policy(password: str) -> None:
    """Raise :class:`InputError` for a password shorter than 8 or only whitespace."""
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters")
    if not password.strip():
        raise InputError("a password must not be only whitespace")


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or NAME_RULE.fullmatch(name) is None:
        raise InputError(f"a {what} is 1 to 64 characters of letters A-Z, a-z, digits and . _ @ -")


# ---------------------------------------------------------------- users


def add_user(
    ws: Workspace, username: str, password: str, *, now: dt.datetime | None = None
) -> None:
    """Add ``username`` or replace its password; the password only as its scrypt hash."""
    _check_name(username, "username")
    check_password_policy(password)
    stamp = now if now is not None else _utc_now()
    table = ws.table("users")
    old = table.filter(table.username == username).select("created_at").to_pandas()
    if not old.empty and pd.notna(old["created_at"].iloc[0]):
        stamp = old["created_at"].iloc[0].to_pydatetime()
    row = {"username": username, "password_hash": hash_password(password), "created_at": stamp}
    upsert(ws.con, "users", pd.DataFrame([row]))


def _dummy_hash() -> str:
    # random salt and key with the real parameters: verifying against it costs one scrypt
    # and can never succeed
    return _format(os.urandom(SALT_BYTES), os.urandom(KEY_BYTES))


def check_login(ws: Workspace, username: str, password: str) -> bool:
    """Whether ``username`` exists and ``password`` is its password (one scrypt either way)."""
    stored = None
    if isinstance(username, str) and NAME_RULE.fullmatch(username):
        table = ws.table("users")
        found = table.filter(table.username == username).select("password_hash").to_pandas()
        if not found.empty and isinstance(found["password_hash"].iloc[0], str):
            stored = found["password_hash"].iloc[0]
    if stored is None:
        verify_password(password, _dummy_hash())
        return False
    return verify_password(password, stored)


def users(ws: Workspace) -> list[str]:
    """Usernames in alphabetical order."""
    frame = ws.table("users").select("username").to_pandas()
    return sorted(frame["username"].tolist())


# ---------------------------------------------------------------- API tokens


def _token_hash(token: str) -> str:
    return hashlib.sha256(_bytes(token)).hexdigest()


def add_token(ws: Workspace, name: str, *, now: dt.datetime | None = None) -> str:
    """A new API token under ``name`` (replacing an older one); returned once, stored hashed."""
    _check_name(name, "token name")
    token = secrets.token_urlsafe(32)
    row = {
        "name": name,
        "token_hash": _token_hash(token),
        "created_at": now if now is not None else _utc_now(),
    }
    upsert(ws.con, "api_tokens", pd.DataFrame([row]))
    return token


def check_token(ws: Workspace, token: str | None) -> str | None:
    """The name of the API token ``token``, or ``None`` if it is not one."""
    if not token or not isinstance(token, str):
        return None
    try:
        digest = _token_hash(token).encode("ascii")
    except UnicodeEncodeError:
        return None
    frame = ws.table("api_tokens").select("name", "token_hash").to_pandas()
    found = None
    # compare with every stored hash: the time does not depend on where a match is
    for name, stored in zip(frame["name"], frame["token_hash"], strict=True):
        if not isinstance(stored, str):
            continue
        if hmac.compare_digest(digest, _bytes(stored)) and found is None:
            found = name
    return found


# ---------------------------------------------------------------- workspace secret


def workspace_secret(ws: Workspace) -> bytes:
    """The workspace's 32 secret bytes from ``<root>/.secret``, created (mode 0600) once."""
    path = Path(ws.root) / SECRET_FILE
    if not path.exists():
        _create_secret(path)
    data = path.read_bytes()
    if len(data) != SECRET_BYTES:
        raise ConfigError(
            f"{path} is damaged (expected {SECRET_BYTES} bytes); delete it to make a new one "
            "(everyone will have to log in again)"
        )
    return data


def _create_secret(path: Path) -> None:
    # write a private temporary file whole, then link it into place: a concurrent reader
    # never sees a half-written secret, and a concurrent creator's secret wins untouched
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, secrets.token_bytes(SECRET_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------- session cookies


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _epoch(moment: dt.datetime) -> float:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return (moment - _EPOCH).total_seconds()


def _sign(secret: bytes, payload: str) -> str:
    return _b64url(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())


def make_session(
    secret: bytes, username: str, *, now: dt.datetime, max_age: dt.timedelta = SESSION_AGE
) -> str:
    """A signed session cookie for ``username`` that expires ``max_age`` after ``now``."""
    if max_age <= dt.timedelta(0):
        raise InputError("a session must last a positive time")
    exp = int(_epoch(now + max_age))
    body = json.dumps({"u": username, "exp": exp}, separators=(",", ":"), ensure_ascii=True)
    payload = _b64url(body.encode("ascii"))
    return f"{payload}.{_sign(secret, payload)}"


def read_session(secret: bytes, cookie: str | None, *, now: dt.datetime) -> str | None:
    """The username of a valid, unexpired session cookie, otherwise ``None``."""
    if not cookie or not isinstance(cookie, str) or len(cookie) > MAX_COOKIE:
        return None
    payload, dot, signature = cookie.partition(".")
    if not dot or not payload or not signature:
        return None
    try:
        # compare the canonical text of the signature, so that no second spelling of the
        # same bytes is accepted
        if not hmac.compare_digest(_sign(secret, payload), signature.encode("ascii").decode()):
            return None
        data = json.loads(_unb64url(payload))
    except (UnicodeError, ValueError, binascii.Error):
        return None
    if not isinstance(data, dict):
        return None
    user, exp = data.get("u"), data.get("exp")
    if not isinstance(user, str) or not user or isinstance(exp, bool):
        return None
    if not isinstance(exp, int) or _epoch(now) >= exp:
        return None
    return user
