"""``livebase why CUSTOMER --wave W``: every decision the plan made for one customer.

The customer is found by id, e-mail or phone (through the identity keys of the import).
A key that finds no one is refused with "no such customer", never repeating what was typed
(it may be someone's e-mail or phone), and so is a key holding a control character.
The explanation reads only what the plan stored: the wave, the customer's segment and
the rule that put them there on the planning day, the arm (or why they were left out),
every planned touch, and every touch removed, moved or changed with its reason code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from livebase.errors import InputError
from livebase.ingest.normalize import CONTROL, lookup_keys
from livebase.store.workspace import Workspace


@dataclass(frozen=True)
class Why:
    customer_id: str
    wave_id: str
    playbook: str
    as_of: dt.date
    segment: str | None
    rule: str | None
    arm: str | None
    stratum: str | None
    excluded: pd.DataFrame  # touch_no 0: reason_code, detail
    touches: pd.DataFrame  # planned touches, by time
    decisions: pd.DataFrame  # touch_no > 0: removed / moved / changed


def resolve_customer(ws: Workspace, key: str) -> str:
    """A customer id from an id, an e-mail or a phone number."""
    if not isinstance(key, str) or CONTROL.search(key):
        raise InputError("a customer id, e-mail or phone must not hold control characters")
    c = ws.table("customers")
    ids = ws.table("identities")
    for kind, value in lookup_keys(key):
        if kind == "id":
            if c.filter(c.customer_id == value).count().execute():
                return value
            continue
        hit = ids.filter((ids.kind == kind) & (ids.value == value)).customer_id.to_pyarrow()
        if len(hit):
            return str(hit[0])
        found = c.filter(c[kind] == value).customer_id.to_pyarrow()
        if len(found):
            return str(found[0])
    raise InputError("no such customer (give an id, an e-mail or a phone number)")


def explain(ws: Workspace, customer: str, wave_id: str) -> Why:
    cid = resolve_customer(ws, customer)
    w = ws.table("waves")
    wave = w.filter(w.wave_id == wave_id).to_pandas()
    if wave.empty:
        raise InputError(f"no wave {wave_id!r} (see `livebase plan`)")
    row = wave.iloc[0]
    as_of = row["as_of"]
    as_of = as_of.date() if hasattr(as_of, "date") else as_of
    s = ws.table("segments")
    seg = s.filter(
        (s.as_of == as_of) & (s.version == "monetary") & (s.customer_id == cid)
    ).to_pandas()
    a = ws.table("assignments")
    arm = a.filter((a.wave_id == wave_id) & (a.customer_id == cid)).to_pandas()
    t = ws.table("touches")
    touches = (
        t.filter((t.wave_id == wave_id) & (t.customer_id == cid))
        .to_pandas()
        .sort_values(["planned_at", "touch_no"])
        .reset_index(drop=True)
    )
    e = ws.table("exclusions")
    ex = (
        e.filter((e.wave_id == wave_id) & (e.customer_id == cid))
        .to_pandas()
        .sort_values(["touch_no", "reason_code"])
        .reset_index(drop=True)
    )
    return Why(
        customer_id=cid,
        wave_id=wave_id,
        playbook=str(row["playbook"]),
        as_of=as_of,
        segment=None if seg.empty else str(seg.iloc[0]["segment"]),
        rule=None if seg.empty else str(seg.iloc[0]["rule"]),
        arm=None if arm.empty else str(arm.iloc[0]["arm"]),
        stratum=None if arm.empty else str(arm.iloc[0]["stratum"]),
        excluded=ex[ex["touch_no"] == 0].reset_index(drop=True),
        touches=touches,
        decisions=ex[ex["touch_no"] > 0].reset_index(drop=True),
    )
