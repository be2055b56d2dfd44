"""Passwords, users, API tokens, the workspace secret and session cookies."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import stat

import pytest

from livebase.errors import ConfigError, InputError
from livebase.store.workspace import Workspace
from livebase.web import auth

NOW = dt.datetime(2024, 5, 1, 9, 0)
SECRET = bytes(range(32))


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the calls of hashlib.scrypt (each call appends its n)."""
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(password, **kwargs):
        calls.append(kwargs["n"])
        return real(password, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


# ---------------------------------------------------------------- passwords


def test_hash_format_and_round_trip():
    stored = auth.hash_password("s3cret pass")
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16
    assert len(base64.b64decode(key)) == 32
    # the key is scrypt(password, salt) with the stated parameters, nothing else
    expected = hashlib.scrypt(
        b"s3cret pass", salt=base64.b64decode(salt), n=16384, r=8, p=1, dklen=32
    )
    assert base64.b64decode(key) == expected
    assert "s3cret" not in stored
    assert auth.verify_password("s3cret pass", stored)


def test_same_password_gets_a_fresh_salt():
    one, two = auth.hash_password("same password"), auth.hash_password("same password")
    assert one != two
    assert auth.verify_password("same password", one)
    assert auth.verify_password("same password", two)


def test_wrong_password():
    stored = auth.hash_password("s3cret pass")
    assert not auth.verify_password("s3cret pasS", stored)
    assert not auth.verify_password("", stored)


def test_non_ascii_password_round_trip():
    stored = auth.hash_password("пароль-длинный")
    assert auth.verify_password("пароль-длинный", stored)
    assert not auth.verify_password("пароль-длинныи", stored)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "garbage",
        "scrypt$16384$8$1$c2FsdA==",  # five fields
        "bcrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # another scheme
        "scrypt$abc$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # n not a number
        "scrypt$1000$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # n not a power of two
        "scrypt$1073741824$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # 128 GiB of memory
        "scrypt$16384$8$1$not base64!$" + "A" * 44,  # salt not base64
        "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$",  # empty key
        "scrypt$16384$8$1$$" + "A" * 44,  # empty salt
    ],
)
def test_malformed_stored_hash_never_matches(stored):
    assert auth.verify_password("anything at all", stored) is False


def test_stored_hash_of_another_type_never_matches():
    assert auth.verify_password("anything at all", None) is False  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short7!", "at least 8 characters"),  # 7 characters
        ("", "at least 8 characters"),
        ("        ", "only whitespace"),  # 8 spaces: long enough, but blank
        ("\t\n  \t\n  ", "only whitespace"),
    ],
)
def test_password_policy_states_the_rule_without_the_password(password, rule):
    with pytest.raises(InputError, match=rule) as caught:
        auth.check_password_policy(password)
    if password.strip():
        assert password not in str(caught.value)


def test_password_policy_accepts_eight_characters():
    auth.check_password_policy("12345678")  # exactly 8: allowed
    auth.check_password_policy("  pass  ")  # spaces inside are fine


# ---------------------------------------------------------------- users


def test_add_user_and_login(ws: Workspace):
    auth.add_user(ws, "anna@school.ru", "correct horse", now=NOW)
    assert auth.users(ws) == ["anna@school.ru"]
    assert auth.check_login(ws, "anna@school.ru", "correct horse")
    assert not auth.check_login(ws, "anna@school.ru", "wrong horse")
    assert not auth.check_login(ws, "ANNA@school.ru", "correct horse")  # names are exact
    row = ws.table("users").to_pandas().iloc[0]
    assert row["password_hash"].startswith("scrypt$16384$8$1$")
    assert "correct horse" not in row.astype(str).tolist()
    assert row["created_at"] == NOW


def test_add_user_again_replaces_the_password_and_keeps_created_at(ws: Workspace):
    auth.add_user(ws, "anna", "first password", now=NOW)
    auth.add_user(ws, "anna", "second password", now=NOW + dt.timedelta(days=3))
    assert auth.users(ws) == ["anna"]  # one row, not two
    assert not auth.check_login(ws, "anna", "first password")
    assert auth.check_login(ws, "anna", "second password")
    assert ws.table("users").to_pandas()["created_at"].tolist() == [NOW]


def test_users_are_sorted(ws: Workspace):
    for name in ["zoe", "anna", "boris"]:
        auth.add_user(ws, name, "password-1", now=NOW)
    assert auth.users(ws) == ["anna", "boris", "zoe"]


@pytest.mark.parametrize("username", ["", "a" * 65, "anna smith", "anna/..", "анна", "a\nb"])
def test_bad_username(ws: Workspace, username):
    with pytest.raises(InputError, match="1 to 64 characters"):
        auth.add_user(ws, username, "good password")
    assert auth.users(ws) == []


def test_username_of_64_characters_is_fine(ws: Workspace):
    name = "a._@-" + "b" * 59  # 64 characters, every allowed punctuation mark
    auth.add_user(ws, name, "good password", now=NOW)
    assert auth.users(ws) == [name]


def test_add_user_checks_the_password_policy(ws: Workspace):
    with pytest.raises(InputError, match="at least 8"):
        auth.add_user(ws, "anna", "short")
    assert auth.users(ws) == []


def test_login_costs_one_scrypt_for_known_and_unknown_users(ws: Workspace, scrypt_calls):
    auth.add_user(ws, "anna", "correct horse", now=NOW)
    scrypt_calls.clear()
    assert auth.check_login(ws, "anna", "correct horse")
    assert auth.check_login(ws, "anna", "wrong horse") is False
    assert auth.check_login(ws, "nobody", "correct horse") is False
    assert auth.check_login(ws, "not a valid name!", "correct horse") is False
    # four logins, one full-strength scrypt each
    assert scrypt_calls == [16384] * 4


# ---------------------------------------------------------------- API tokens


def test_token_round_trip_and_only_its_hash_is_stored(ws: Workspace):
    token = auth.add_token(ws, "getcourse", now=NOW)
    assert len(token) >= 43  # token_urlsafe(32): 32 random bytes in base64url
    assert auth.check_token(ws, token) == "getcourse"
    frame = ws.table("api_tokens").to_pandas()
    assert frame["name"].tolist() == ["getcourse"]
    assert frame["token_hash"].tolist() == [hashlib.sha256(token.encode()).hexdigest()]
    cells = [str(v) for v in frame.to_numpy().ravel()]
    assert not any(token in cell for cell in cells)


def test_wrong_or_missing_token(ws: Workspace):
    token = auth.add_token(ws, "ci", now=NOW)
    assert auth.check_token(ws, token[:-1]) is None
    assert auth.check_token(ws, token + "x") is None
    assert auth.check_token(ws, "") is None
    assert auth.check_token(ws, None) is None  # type: ignore[arg-type]
    assert auth.check_token(ws, "токен") is None
    # the stored hash itself is not a token
    stored = ws.table("api_tokens").to_pandas()["token_hash"].iloc[0]
    assert auth.check_token(ws, stored) is None


def test_same_name_replaces_the_token(ws: Workspace):
    old = auth.add_token(ws, "ci", now=NOW)
    other = auth.add_token(ws, "bot", now=NOW)
    new = auth.add_token(ws, "ci", now=NOW)
    assert old != new
    assert auth.check_token(ws, old) is None
    assert auth.check_token(ws, new) == "ci"
    assert auth.check_token(ws, other) == "bot"
    assert sorted(ws.table("api_tokens").to_pandas()["name"]) == ["bot", "ci"]


def test_bad_token_name(ws: Workspace):
    with pytest.raises(InputError, match="token name"):
        auth.add_token(ws, "has space")


# ---------------------------------------------------------------- workspace secret


def test_secret_is_private_and_reused(ws: Workspace):
    first = auth.workspace_secret(ws)
    path = ws.root / ".secret"
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert auth.workspace_secret(ws) == first
    reopened = Workspace.open(ws.root)
    try:
        assert auth.workspace_secret(reopened) == first
    finally:
        reopened.close()
    # no temporary files left behind
    assert sorted(p.name for p in ws.root.iterdir() if p.name.startswith(".secret")) == [".secret"]


def test_two_workspaces_get_different_secrets(tmp_path):
    one = Workspace.init(tmp_path / "one")
    two = Workspace.init(tmp_path / "two")
    try:
        assert auth.workspace_secret(one) != auth.workspace_secret(two)
    finally:
        one.close()
        two.close()


def test_damaged_secret_is_a_config_error_without_its_content(ws: Workspace):
    (ws.root / ".secret").write_bytes(b"tiny-leak")
    with pytest.raises(ConfigError, match="damaged") as caught:
        auth.workspace_secret(ws)
    assert "tiny-leak" not in str(caught.value)


# ---------------------------------------------------------------- session cookies


def _decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_session_format():
    cookie = auth.make_session(SECRET, "anna", now=NOW)
    payload, signature = cookie.split(".")
    # 2024-05-01 09:00 UTC = 1714554000; + 12 h = 1714597200
    assert json.loads(_decode(payload)) == {"u": "anna", "exp": 1714597200}
    expected = hmac.new(SECRET, payload.encode(), hashlib.sha256).digest()
    assert _decode(signature) == expected
    assert "=" not in cookie


def test_session_round_trip_and_expiry():
    cookie = auth.make_session(SECRET, "anna", now=NOW)
    assert auth.read_session(SECRET, cookie, now=NOW) == "anna"
    just_before = NOW + dt.timedelta(hours=12) - dt.timedelta(seconds=1)
    assert auth.read_session(SECRET, cookie, now=just_before) == "anna"
    assert auth.read_session(SECRET, cookie, now=NOW + dt.timedelta(hours=12)) is None
    assert auth.read_session(SECRET, cookie, now=NOW + dt.timedelta(days=2)) is None


def test_session_custom_max_age_and_aware_now():
    cookie = auth.make_session(SECRET, "anna", now=NOW, max_age=dt.timedelta(minutes=5))
    assert auth.read_session(SECRET, cookie, now=NOW + dt.timedelta(minutes=4)) == "anna"
    assert auth.read_session(SECRET, cookie, now=NOW + dt.timedelta(minutes=5)) is None
    # an aware clock means the same instant: 12:04 at UTC+3 is 09:04 UTC
    aware = dt.datetime(2024, 5, 1, 12, 4, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert auth.read_session(SECRET, cookie, now=aware) == "anna"


def test_session_needs_a_positive_age():
    with pytest.raises(InputError):
        auth.make_session(SECRET, "anna", now=NOW, max_age=dt.timedelta(0))


def _flip(text: str, i: int) -> str:
    replacement = "B" if text[i] != "B" else "C"
    return text[:i] + replacement + text[i + 1 :]


def test_session_tampering_with_any_character_is_rejected():
    cookie = auth.make_session(SECRET, "anna", now=NOW)
    payload, signature = cookie.split(".")
    for i in range(len(payload)):
        assert auth.read_session(SECRET, f"{_flip(payload, i)}.{signature}", now=NOW) is None
    # every position of the signature, the last one too (its low bits are padding in base64)
    for i in range(len(signature)):
        assert auth.read_session(SECRET, f"{payload}.{_flip(signature, i)}", now=NOW) is None


def test_session_with_a_forged_payload_is_rejected():
    cookie = auth.make_session(SECRET, "anna", now=NOW)
    _, signature = cookie.split(".")
    body = json.dumps({"u": "admin", "exp": 1714597200}, separators=(",", ":")).encode()
    forged = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
    assert auth.read_session(SECRET, f"{forged}.{signature}", now=NOW) is None


def test_session_under_another_secret_is_rejected():
    cookie = auth.make_session(SECRET, "anna", now=NOW)
    assert auth.read_session(bytes(32), cookie, now=NOW) is None


def _signed(body: bytes) -> str:
    payload = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
    signature = base64.urlsafe_b64encode(
        hmac.new(SECRET, payload.encode(), hashlib.sha256).digest()
    )
    return f"{payload}.{signature.rstrip(b'=').decode()}"


@pytest.mark.parametrize(
    "cookie",
    [
        None,
        "",
        "no-dot",
        ".",
        "abc.",
        ".abc",
        "a.b.c",
        "пэйлоад.подпись",
        "x" * 5000,
        _signed(b"not json"),
        _signed(b'["anna", 1714597200]'),  # JSON, but not an object
        _signed(b'{"u": "anna"}'),  # no expiry
        _signed(b'{"u": "anna", "exp": "1714597200"}'),  # expiry as text
        _signed(b'{"u": "anna", "exp": true}'),  # expiry as a boolean
        _signed(b'{"u": "", "exp": 1714597200}'),  # empty user
        _signed(b'{"u": 7, "exp": 1714597200}'),  # user not text
    ],
)
def test_malformed_session_is_none(cookie):
    assert auth.read_session(SECRET, cookie, now=NOW) is None


def test_signed_test_helper_makes_a_valid_cookie():
    # the helper above signs like the module: a well-formed body is accepted
    assert auth.read_session(SECRET, _signed(b'{"u":"anna","exp":1714597200}'), now=NOW) == "anna"
