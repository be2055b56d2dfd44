"""The suppression list of erased people: a later import or webhook event of someone who
was erased does not bring them back (SPEC F7.2).

The rules, one sentence each:

* An erased key is the hex HMAC-SHA256 of one normalised identity value (a source id such
  as ``gc:123``, an e-mail lower-cased, a phone in E.164) under a key derived from the
  workspace secret (``HMAC(secret, "livebase:erased-keys")``), so ``erased_keys`` names
  no one and a list of known e-mails cannot be matched against it without the secret.
* ``erased_keys`` holds one ``check`` row (the HMAC of a fixed text) from the first
  erasure on; when the workspace secret no longer matches it (``.secret`` deleted or
  replaced), every check raises a :class:`ConfigError` instead of letting erased people
  back silently.
* While ``erased_keys`` is empty nothing is hashed and the secret is not read.
* An import moves every row carrying an erased key, and every row sharing a source line
  with one, to ``rejects`` with the reason ``erased person``, the kind of key as the column
  and no value, so the import still balances (``rows_in = rows_loaded + rows_rejected``).
* A webhook event whose source id, e-mail or phone is erased is refused: nothing is
  stored and ``webhook_events`` logs it as rejected with the reason ``erased``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

import ibis
import pandas as pd

from livebase.errors import ConfigError
from livebase.ingest.fields import Reject
from livebase.ingest.normalize import normalize_email, normalize_phone
from livebase.ingest.presets.base import EMAIL, LINES, PHONE, SRC
from livebase.store.workspace import Workspace

KEY_CONTEXT = b"livebase:erased-keys"
CHECK_TEXT = "livebase:erased-keys-check"
CHECK_KIND = "check"
REASON = "erased person"
EVENT_REASON = "erased"
_COLUMNS = (("src", SRC), ("email", EMAIL), ("phone", PHONE))
_SHOWN = {"src": "id", "email": "email", "phone": "phone"}


def derive_key(secret: bytes) -> bytes:
    """The key of the suppression hashes, derived from the workspace secret.

    >>> len(derive_key(b"s" * 32))
    32
    """
    return hmac.new(secret, KEY_CONTEXT, hashlib.sha256).digest()


def key_hash(key: bytes, value: str) -> str:
    """>>> key_hash(derive_key(b"s" * 32), "anna@mail.ru")[:12]
    'b5f463ad08ba'
    """
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def check_hash(key: bytes) -> str:
    return key_hash(key, CHECK_TEXT)


def suppression_key(ws: Workspace, *, create: bool = False) -> bytes | None:
    """The derived key, or ``None`` while nothing was erased (unless ``create``); a
    :class:`ConfigError` when the workspace secret changed since the erasures."""
    from livebase.web.auth import workspace_secret

    t = ws.table("erased_keys")
    checks = t.filter(t.kind == CHECK_KIND).key_hash.to_pyarrow().to_pylist()
    if not checks and not create:
        return None  # the check row comes with the first erasure: nothing was erased
    key = derive_key(workspace_secret(ws))
    if checks and check_hash(key) not in checks:
        raise ConfigError(
            "the workspace secret (.secret) changed since people were erased: the erased "
            "people can no longer be recognised, so nothing is imported; restore the "
            ".secret file from a backup"
        )
    return key


def erased(ws: Workspace, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The ``(kind, value)`` identity keys among ``keys`` that belong to an erased person."""
    key = suppression_key(ws)
    if key is None:
        return set()
    hashes = {key_hash(key, value): (kind, value) for kind, value in keys if value}
    if not hashes:
        return set()
    probe = ibis.memtable(pd.DataFrame({"key_hash": sorted(hashes)}))
    t = ws.table("erased_keys")
    found = t.semi_join(probe, "key_hash").key_hash.to_pyarrow().to_pylist()
    return {hashes[h] for h in found}


def _normal(kind: str, value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    parse = {"email": normalize_email, "phone": normalize_phone}.get(kind)
    if parse is None:
        return value.strip()
    try:
        return parse(value)
    except ValueError:
        return value.strip()


def erased_people(
    ws: Workspace, people: Sequence[tuple[str | None, str | None, str | None]]
) -> list[bool]:
    """For each ``(source id, e-mail, phone)`` (normalised here), whether one of its keys
    belongs to an erased person (one query for all; none while nothing was erased)."""
    if not people or suppression_key(ws) is None:
        return [False] * len(people)
    keyed = [
        [
            (kind, v)
            for kind, raw in zip(("src", "email", "phone"), person, strict=True)
            if (v := _normal(kind, raw)) is not None
        ]
        for person in people
    ]
    hit = erased(ws, {k for keys in keyed for k in keys})
    return [any(k in hit for k in keys) for keys in keyed]


def is_erased(
    ws: Workspace,
    *,
    source_id: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> bool:
    """Whether any of a person's keys (normalised here) belongs to an erased person."""
    return erased_people(ws, [(source_id, email, phone)])[0]


def drop_erased_rows(ws: Workspace, conv) -> int:
    """Move the rows of erased people out of a preset's converted batches into its
    rejects (reason ``erased person``, no value); returns the number of lines moved."""
    with_ids = [b for b in conv.batches if SRC in b.frame.columns and not b.frame.empty]
    if not with_ids or suppression_key(ws) is None:
        return 0  # nobody was erased: nothing to look up
    keys: set[tuple[str, str]] = set()
    for b in with_ids:
        for kind, column in _COLUMNS:
            keys.update((kind, v) for v in b.frame[column].unique() if isinstance(v, str) and v)
    hit = erased(ws, keys) if keys else set()
    if not hit:
        return 0
    lines: dict[int, str] = {}  # line -> the kind of key that erased it
    for b in with_ids:
        for kind, column in _COLUMNS:
            mask = b.frame[column].map(lambda v, kind=kind: (kind, v) in hit)
            for row_lines in b.frame.loc[mask.astype(bool), LINES]:
                for line in row_lines:
                    lines.setdefault(int(line), _SHOWN[kind])
    # a row sharing a source line with an erased row goes too (an order and its customer)
    grew = True
    while grew:
        grew = False
        for b in conv.batches:
            if b.frame.empty or LINES not in b.frame.columns:
                continue
            mask = b.frame[LINES].map(lambda ls: any(int(x) in lines for x in ls)).astype(bool)
            if not mask.any():
                continue
            for row_lines in b.frame.loc[mask, LINES]:
                shown = next(lines[int(x)] for x in row_lines if int(x) in lines)
                for line in row_lines:
                    if int(line) not in lines:
                        lines[int(line)] = shown
                        grew = True
            b.frame = b.frame[~mask].reset_index(drop=True)
    # a batch left without rows goes (the writers expect rows in every batch)
    conv.batches = [b for b in conv.batches if not b.frame.empty]
    conv.rejects.extend(Reject(line, col, None, REASON) for line, col in sorted(lines.items()))
    return len(lines)
