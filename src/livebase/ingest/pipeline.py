"""One import: read → convert by preset → resolve identities → write, all or nothing.

Every input row ends up loaded or in ``rejects`` (``rows_in = rows_loaded +
rows_rejected``, checked before anything is written). Importing the same file again is
recognised by its SHA-256 and changes nothing; an overlapping later export only adds
what is new and replaces rows whose content changed (an order that got paid). A path that
is not a readable file (a folder, a pipe, no permission) is an ``InputError`` naming it,
raised before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import ibis
import pandas as pd

from livebase.diskfile import sha256_of
from livebase.engine import delete_rows, isin, transaction
from livebase.errors import LivebaseError
from livebase.faults import fault
from livebase.ingest.fields import Reject
from livebase.ingest.identity import resolve
from livebase.ingest.presets import get_preset
from livebase.ingest.presets.base import EMAIL, LINES, PHONE, SRC, Batch, Context, Preset
from livebase.ingest.readers import check_file, read_table, unreadable
from livebase.privacy.suppression import drop_erased_rows
from livebase.store.schema import ALL_TABLES
from livebase.store.workspace import Workspace
from livebase.store.write import WriteCounts, append, replace_customer_id, upsert

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ImportResult:
    file: str
    preset: str
    target: str
    import_id: int | None
    rows_in: int
    rows_loaded: int
    rows_rejected: int
    rows_new: int = 0
    rows_updated: int = 0
    merges: int = 0
    already_imported_as: int | None = None
    tables: dict[str, WriteCounts] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return self.rows_in == self.rows_loaded + self.rows_rejected


def _now() -> dt.datetime:
    # audit time of the import itself (not an input to any computation)
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def import_file(
    ws: Workspace,
    path: Path,
    preset: str | Preset,
    *,
    mapping: str | Path | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    path = Path(path)
    p = get_preset(preset, mapping) if isinstance(preset, str) else preset
    say = progress or (lambda _msg: None)
    con = ws.con
    check_file(path)  # a folder, a pipe: refused naming the path, before it is opened
    try:
        sha = sha256_of(path)
    except OSError as exc:  # no permission, a device error
        raise unreadable(path, exc) from exc
    imports = ws.table("imports")
    prev = (
        imports.filter((imports.sha256 == sha) & (imports.preset == p.name))
        .select("import_id", "rows_in", "rows_loaded", "rows_rejected")
        .order_by("import_id")
        .to_pyarrow()
        .to_pylist()
    )
    if prev:
        first = prev[0]
        return ImportResult(
            str(path),
            p.name,
            p.target,
            None,
            first["rows_in"],
            first["rows_loaded"],
            first["rows_rejected"],
            already_imported_as=first["import_id"],
        )
    started = _now()
    say(f"reading {path.name}")
    raw = read_table(path, **p.read_options)
    known_orders: frozenset[str] = frozenset()
    if p.target == "payments":
        known_orders = frozenset(ws.table("orders").order_id.to_pyarrow().to_pylist())
    say("converting rows")
    conv = p.convert(raw, Context(ws.config, known_orders))
    rows_in = len(raw.rows) + len(raw.broken)
    _reject_repeated_keys(conv, p.target)
    drop_erased_rows(ws, conv)  # erased people stay erased (docs/privacy.md)
    loaded_lines: set[int] = set()
    for b in conv.batches:
        for lines in b.frame[LINES]:
            loaded_lines.update(lines)
    reject_lines = {r.line for r in conv.rejects}
    if loaded_lines & reject_lines or len(loaded_lines) + len(conv.rejects) != rows_in:
        raise LivebaseError(
            f"internal accounting error in preset {p.name}: {rows_in} rows in, "
            f"{len(loaded_lines)} loaded, {len(conv.rejects)} rejected; nothing was written"
        )
    say("resolving identities")
    merges, absorbed, keys = _resolve_identities(ws, conv.batches)
    tables: dict[str, WriteCounts] = {}
    with transaction(con):
        import_id = _next_import_id(ws)
        write_identities(con, merges, absorbed, keys, started)
        customer_batches = [b for b in conv.batches if b.table == "customers"]
        if customer_batches or absorbed:
            say("writing customers")
            tables["customers"] = _write_customers(ws, customer_batches, absorbed)
        for b in conv.batches:
            if b.table == "customers":
                continue
            say(f"writing {b.table}")
            frame = b.frame
            if b.table == "payments":
                frame = _payment_customers(ws, frame)
            if b.table == "orders":
                frame = _apply_refunds(ws, frame)
            counts = upsert(con, b.table, frame)
            tables[b.table] = _add(tables.get(b.table), counts)
            if b.table == "payments":
                tables["orders"] = _refresh_refunds(ws, frame["order_id"].unique().tolist())
        main = tables.get(p.target, WriteCounts())
        rejected = len(conv.rejects)
        append(
            con,
            "rejects",
            pd.DataFrame(
                [
                    {
                        "import_id": import_id,
                        "line": r.line,
                        "column": r.column,
                        "value": r.value,
                        "reason": r.reason,
                    }
                    for r in conv.rejects
                ]
            ),
        )
        fault("import.write")
        append(
            con,
            "imports",
            pd.DataFrame(
                [
                    {
                        "import_id": import_id,
                        "source": str(path.resolve()),
                        "sha256": sha,
                        "preset": p.name,
                        "target": p.target,
                        "rows_in": rows_in,
                        "rows_loaded": rows_in - rejected,
                        "rows_rejected": rejected,
                        "rows_new": main.new,
                        "rows_updated": main.updated,
                        "started_at": started,
                        "finished_at": _now(),
                    }
                ]
            ),
        )
    return ImportResult(
        str(path),
        p.name,
        p.target,
        import_id,
        rows_in,
        rows_in - rejected,
        rejected,
        main.new,
        main.updated,
        len(merges),
        None,
        tables,
    )


def _reject_repeated_keys(conv, target: str) -> None:
    """A second row with the same natural key in one file is a duplicate, not a row."""
    key = list(ALL_TABLES[target].key)
    for b in conv.batches:
        if b.table != target or b.frame.empty or not set(key) <= set(b.frame.columns):
            continue
        dup = b.frame.duplicated(subset=key, keep="first")
        if not dup.any():
            continue
        first = b.frame[~dup].set_index(key)[LINES]
        for _, row in b.frame[dup].iterrows():
            k = tuple(row[c] for c in key)
            line0 = first.loc[k if len(key) > 1 else k[0]][0]
            conv.rejects.extend(
                Reject(line, key[0], str(k[0])[:200], f"duplicate of line {line0} (same key)")
                for line in row[LINES]
            )
        b.frame = b.frame[~dup].reset_index(drop=True)
        # the customer rows of the dropped lines go too
        kept = {line for lines in b.frame[LINES] for line in lines}
        for other in conv.batches:
            if other.table == "customers" and other is not b:
                mask = other.frame[LINES].map(lambda ls, kept=kept: any(x in kept for x in ls))
                other.frame = other.frame[mask].reset_index(drop=True)


def _add(a: WriteCounts | None, b: WriteCounts) -> WriteCounts:
    if a is None:
        return b
    return WriteCounts(a.new + b.new, a.updated + b.updated, a.unchanged + b.unchanged)


def _next_import_id(ws: Workspace) -> int:
    current = ws.table("imports").import_id.max().to_pyarrow().as_py()
    return (current or 0) + 1


def write_identities(con, merges, absorbed, keys, ts) -> None:
    """Inside the caller's transaction: the new identity keys, the customers absorbed by
    merges (their rows move to the winner, identities included) and the merge log."""
    if keys:
        upsert(
            con,
            "identities",
            pd.DataFrame([{"kind": k, "value": v, "customer_id": c} for (k, v), c in keys.items()]),
        )
    for loser, winner in absorbed.items():
        replace_customer_id(con, loser, winner)
    if merges:
        append(
            con,
            "identity_merges",
            pd.DataFrame(
                [
                    {"from_id": m.from_id, "into_id": m.into_id, "rule": m.rule, "ts": ts}
                    for m in merges
                ]
            ),
        )


def _resolve_identities(ws: Workspace, batches: list[Batch]):
    """Give every row with identity columns its customer_id (in place)."""
    with_ids = [b for b in batches if SRC in b.frame.columns]
    if not with_ids:
        return [], {}, {}
    records = []
    for b in with_ids:
        f = b.frame
        records.extend(zip(f[SRC].tolist(), f[EMAIL].tolist(), f[PHONE].tolist(), strict=True))
    records = [tuple(v if isinstance(v, str) and v else None for v in r) for r in records]
    # events repeat the same person many times: resolve each distinct key triple once
    distinct = list(dict.fromkeys(records))
    wanted = {
        (k, v) for r in distinct for k, v in zip(("src", "email", "phone"), r, strict=True) if v
    }
    known: dict[tuple[str, str], str] = {}
    if wanted:
        probe = ibis.memtable(pd.DataFrame(sorted(wanted), columns=["kind", "value"]))
        ids = ws.table("identities")
        for row in ids.semi_join(probe, ["kind", "value"]).to_pyarrow().to_pylist():
            known[(row["kind"], row["value"])] = row["customer_id"]
    res = resolve(distinct, known)
    of = dict(zip(distinct, res.customer_ids, strict=True))
    customer_ids = [of[r] for r in records]
    start = 0
    for b in with_ids:
        n = len(b.frame)
        b.frame["customer_id"] = customer_ids[start : start + n]
        start += n
    return res.merges, res.absorbed, res.new_keys


CUSTOMER_COLUMNS = list(ALL_TABLES["customers"].columns)


def _write_customers(ws: Workspace, batches: list[Batch], absorbed: dict[str, str]):
    con = ws.con
    frames = []
    for b in batches:
        attrs = [c for c in CUSTOMER_COLUMNS if c in b.frame.columns]
        f = b.frame.drop_duplicates(subset=[*attrs, SRC]).copy()
        f["_own"] = (f[SRC] == f["customer_id"]).astype(int)
        f["_auth"] = 1 if b.mode == "authoritative" else 0
        frames.append(f)
    new = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["customer_id"])
    new = new[new["customer_id"].notna()]
    ids = set(new["customer_id"]) | set(absorbed) | set(absorbed.values())
    stored = pd.DataFrame(columns=CUSTOMER_COLUMNS)
    if ids:
        probe = ibis.memtable(pd.DataFrame({"customer_id": sorted(ids)}))
        stored = ws.table("customers").semi_join(probe, "customer_id").to_pandas()
    cols = [c for c in CUSTOMER_COLUMNS if c != "customer_id"]
    for c in cols:
        if c not in new.columns:
            new[c] = None
    earliest: dict[str, object] = {}
    pairs = [
        *zip(new["customer_id"], new["created_at"], strict=True),
        *zip(stored["customer_id"], stored["created_at"], strict=True),
    ]
    for cid, ts in pairs:
        cid = absorbed.get(cid, cid)
        if ts is not None and not pd.isna(ts) and (cid not in earliest or ts < earliest[cid]):
            earliest[cid] = ts
    auth = new[new["_auth"] == 1].sort_values(["_own"], ascending=False, kind="stable")
    fill = new[new["_auth"] == 0].sort_values(["_own"], ascending=False, kind="stable")
    stored_main = stored[~stored["customer_id"].isin(absorbed)]
    stored_lost = stored[stored["customer_id"].isin(absorbed)].copy()
    stored_lost["customer_id"] = stored_lost["customer_id"].map(absorbed)
    # priority: an authoritative export, then what the store has, then other exports
    parts = [
        auth[["customer_id", *cols]],
        stored_main[["customer_id", *cols]],
        stored_lost[["customer_id", *cols]],
        fill[["customer_id", *cols]],
    ]
    parts = [p.astype(object) for p in parts if not p.empty]
    combined = pd.concat(parts, ignore_index=True).groupby("customer_id", sort=True).first()
    combined["created_at"] = [earliest.get(cid) for cid in combined.index]
    combined = combined.reset_index()
    if absorbed:
        delete_rows(con, "customers", isin("customer_id", sorted(absorbed)))
    return upsert(con, "customers", combined)


def _payment_customers(ws: Workspace, frame: pd.DataFrame) -> pd.DataFrame:
    probe = ibis.memtable(pd.DataFrame({"order_id": frame["order_id"].unique()}))
    owners = (
        ws.table("orders")
        .semi_join(probe, "order_id")
        .select("order_id", "customer_id")
        .to_pandas()
    )
    frame = frame.drop(columns=["customer_id"]).merge(owners, on="order_id", how="left")
    return frame


def _returned_totals(ws: Workspace, order_ids: list[str]) -> dict[str, Decimal]:
    if not order_ids:
        return {}
    probe = ibis.memtable(pd.DataFrame({"order_id": order_ids}))
    pay = ws.table("payments")
    rows = (
        pay.filter(pay.status == "returned")
        .semi_join(probe, "order_id")
        .group_by("order_id")
        .aggregate(total=pay.amount.sum())
        .to_pyarrow()
        .to_pylist()
    )
    return {r["order_id"]: r["total"] for r in rows}


def _apply_refunds(ws: Workspace, frame: pd.DataFrame) -> pd.DataFrame:
    totals = _returned_totals(ws, frame["order_id"].tolist())
    if not totals:
        return frame
    frame = frame.copy()
    for i, order_id in frame["order_id"].items():
        total = totals.get(order_id)
        if total is None:
            continue
        frame.at[i, "refunded_amount"] = total
        amount = frame.at[i, "amount"] or Decimal(0)
        if amount > 0 and total >= amount:
            frame.at[i, "status"] = "refunded"
    return frame


def _refresh_refunds(ws: Workspace, order_ids: list[str]) -> WriteCounts:
    probe = ibis.memtable(pd.DataFrame({"order_id": order_ids}))
    stored = ws.table("orders").semi_join(probe, "order_id").to_pandas()
    if stored.empty:
        return WriteCounts()
    return upsert(ws.con, "orders", _apply_refunds(ws, stored))
