"""The simulated school as canonical store tables in Parquet, for benchmarks and engines.

``write_canonical`` writes ``FOLDER/<table>/part-<k:05d>.parquet`` (one part per chunk of
people) for ``customers``, ``orders``, ``payments``, ``activities``, ``messages`` and
``consents``, and ``FOLDER/meta.json`` (format version, the spec, the as-of date, rows
per table, seconds taken). Load a table with
``INSERT INTO t SELECT * FROM read_parquet('FOLDER/t/*.parquet')``.

Rules:

- The school is the one :func:`~livebase.simulate.school.simulate_school` writes for the
  same spec: every chunk comes from :func:`~livebase.simulate.school.generate_chunk`.
- Every part's Arrow schema is exactly the table's contract
  (``ALL_TABLES[table].schema.to_pyarrow()``): money ``decimal(18,2)``, naive UTC
  timestamps.
- Values are what importing the exports through their presets gives (GetCourse users,
  orders and payments, ``lms-events``, ``consents``, ``esp-events``, with the workspace's
  default purchase rules); the tests check it table by table.
- A customer id is ``gc:<user id of the person's first profile>``: a second profile
  shares its email or phone with the first, so the importer merges it into the first,
  and so does this writer (merges are not logged: ``identities`` stays empty).
- Times of the GetCourse exports (users, orders, payments) are cut to the minute, as
  those exports write them; LMS, consent and ESP times keep their seconds.
- ``customers.is_corporate`` is NULL, as after an import (no export carries it per
  person).
- ``nps_responses``, ``tickets`` and ``costs`` are not written: the school itself has
  none (NPS answers and costs come from a wave's outcomes, tickets are not simulated).
- Memory is bounded by the chunk: one chunk's tables are held at a time.
- The same spec gives byte-identical parts; ``meta.json`` also records the seconds
  taken, so it differs from run to run.
- ``as_of`` is the last data date: the UTC day of the latest order's payment (or
  creation), the default as-of date of ``livebase segment`` (the day before ``end``
  when there are no orders).
- A folder that exists must be empty or hold an earlier output (its parts and
  ``meta.json`` are replaced); anything else is refused.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     out = write_canonical(SchoolSpec(customers=200, seed=1), Path(tmp))
...     parts = [p.name for p in out.parts("orders")]
>>> out.rows["customers"], parts, out.as_of < date(2025, 5, 5)
(200, ['part-00000.parquet'], True)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.ingest.normalize import REFUND_PENDING, parse_status
from livebase.ingest.presets.esp import esp_event
from livebase.ingest.presets.getcourse import _has_tag, category_of, payment_status
from livebase.simulate import formats as fm
from livebase.simulate.clock import MINUTE
from livebase.simulate.esp import BOUNCE, EVENTS
from livebase.simulate.names import ZONES
from livebase.simulate.orders import STATUSES, Counters
from livebase.simulate.population import CITY_LIST, SOURCES, plan_duplicates
from livebase.simulate.school import Chunk, generate_chunk, last_active_of
from livebase.simulate.spec import SchoolSpec
from livebase.store.schema import ALL_TABLES

FORMAT_VERSION = 1
TABLES = ("customers", "orders", "payments", "activities", "messages", "consents")
NOT_WRITTEN = ("nps_responses", "tickets", "costs")
SCHEMAS = {name: ALL_TABLES[name].schema.to_pyarrow() for name in TABLES}
HASH_BATCH = 32_768  # rows per batch DuckDB hashes (batches spread over the threads)
NS = "gc:"  # the GetCourse presets' namespace
LMS_NS, ESP_NS = "lms:", "esp:"  # event ids of the lms-events mapping and the ESP preset
# ESP event codes (esp.EVENTS) as the esp-events preset names them; bounces by type
ESP_EVENTS = tuple(esp_event(e) for e in EVENTS[:BOUNCE])
# GetCourse order statuses (orders.STATUSES) as the orders preset reads them
ORDER_STATUS = tuple(parse_status(s) for s in STATUSES)
PAID_LIKE = np.array([s in ("paid", "partially_paid") for s in ORDER_STATUS])


@dataclass(frozen=True)
class CanonicalFiles:
    """Where the canonical tables were written and what they hold."""

    folder: Path
    rows: dict[str, int]
    customers: int
    as_of: date
    seconds: float

    @property
    def meta(self) -> Path:
        return self.folder / "meta.json"

    def parts(self, table: str) -> list[Path]:
        """The Parquet parts of ``table``, in chunk order."""
        return sorted((self.folder / table).glob("part-*.parquet"))

    def pattern(self, table: str) -> str:
        """A glob for ``read_parquet`` (every part of ``table``)."""
        return (self.folder / table / "*.parquet").as_posix()


def write_canonical(
    spec: SchoolSpec, folder: Path, *, log: Callable[[str], None] | None = None
) -> CanonicalFiles:
    """Write the school of ``spec`` as canonical Parquet tables into ``folder``."""
    folder = Path(folder)
    say = log or (lambda _message: None)
    started = time.perf_counter()
    _prepare(folder)
    rules = PurchaseRules()
    dups = plan_duplicates(spec)
    counters = Counters()
    rows = dict.fromkeys(TABLES, 0)
    latest = -1  # the latest order moment (payment, else creation), UTC microseconds
    chunks = spec.chunks()
    con = duckdb.connect()
    try:
        for k, (lo, hi) in enumerate(chunks):
            chunk = generate_chunk(spec, k, lo, hi, dups, counters)
            tables = chunk_tables(chunk, rules, con)
            del chunk
            for name in TABLES:
                pq.write_table(
                    tables[name], folder / name / f"part-{k:05d}.parquet", compression="zstd"
                )
                rows[name] += tables[name].num_rows
            orders = tables["orders"]
            moment = pc.max(pc.coalesce(orders["paid_at"], orders["created_at"]))
            if moment.is_valid:
                latest = max(latest, moment.value)
            del tables, orders
            say(f"chunk {k + 1}/{len(chunks)}: {hi:,} of {spec.customers:,} customers")
    finally:
        con.close()
    if latest >= 0:
        as_of = (datetime(1970, 1, 1) + timedelta(microseconds=latest)).date()
    else:
        as_of = spec.end - timedelta(days=1)
    seconds = round(time.perf_counter() - started, 1)
    out = CanonicalFiles(folder, rows, spec.customers, as_of, seconds)
    meta = {
        "format": FORMAT_VERSION,
        "spec": {
            "customers": spec.customers,
            "seed": spec.seed,
            "end": spec.end.isoformat(),
            "history_days": spec.history_days,
            "timezone": spec.timezone,
            "chunk_size": spec.chunk_size,
            "coupon_hunters": spec.coupon_hunters,
        },
        "as_of": as_of.isoformat(),
        "rows": rows,
        "not_written": list(NOT_WRITTEN),
        "seconds": seconds,
    }
    out.meta.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return out


def _prepare(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file, not a folder")
    if folder.exists() and any(folder.iterdir()):
        if not (folder / "meta.json").exists():
            raise InputError(
                f"{folder} is not empty and holds no earlier canonical tables; pick an empty folder"
            )
        for name in TABLES:
            for part in (folder / name).glob("part-*.parquet"):
                part.unlink()
        (folder / "meta.json").unlink()
    for name in TABLES:
        (folder / name).mkdir(parents=True, exist_ok=True)


def chunk_tables(
    chunk: Chunk, rules: PurchaseRules, con: duckdb.DuckDBPyConnection
) -> dict[str, pa.Table]:
    """The canonical rows of one chunk, per table (``con`` hashes the ESP event ids)."""
    customer = _CustomerOf(chunk)
    orders = _orders(chunk, customer, rules)
    return {
        "customers": _customers(chunk),
        "orders": orders,
        "payments": _payments(chunk, orders),
        "activities": _activities(chunk, customer),
        "messages": _messages(chunk, con),
        "consents": _consents(chunk),
    }


# ---- values ---------------------------------------------------------------------------


def _table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    schema = SCHEMAS[name]
    return pa.Table.from_arrays([pc.cast(columns[f.name], f.type) for f in schema], schema=schema)


def _ids(prefix: str, numbers: np.ndarray | pa.Array) -> pa.Array:
    if isinstance(numbers, np.ndarray):
        numbers = fm.integers(numbers)
    return fm.concat(prefix, numbers)


def _or_null(text: pa.Array) -> pa.Array:
    """Empty strings as NULL (the importers read an empty cell as no value)."""
    text = pc.cast(text, pa.large_string())
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.large_string()), text)


def _nulls(typ: pa.DataType, n: int) -> pa.Array:
    return pa.nulls(n, type=typ)


def _constant(text: str, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(text, pa.string()), n)


def _ts(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    micros = np.asarray(seconds, dtype=np.int64) * 1_000_000
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(micros, type=pa.timestamp("us"), mask=mask)


def _minute(seconds: np.ndarray) -> np.ndarray:
    """Cut to the minute, as ``DD.MM.YYYY HH:MM`` in the GetCourse exports keeps it."""
    seconds = np.asarray(seconds, dtype=np.int64)
    return seconds - seconds % MINUTE


def _money(kopecks: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Exact decimal(18,2) from integer kopecks (the unscaled value of the decimal)."""
    kopecks = np.ascontiguousarray(kopecks, dtype=np.int64)
    words = np.zeros((len(kopecks), 2), dtype=np.int64)  # little-endian int128
    words[:, 0] = kopecks
    words[:, 1] = np.where(kopecks < 0, -1, 0)
    data = pa.Array.from_buffers(
        pa.decimal128(18, 2), len(kopecks), [None, pa.py_buffer(words.tobytes())]
    )
    if valid is None:
        return data
    return pc.if_else(pa.array(np.asarray(valid, dtype=bool)), data, None)


def _per_value(values: pa.Array, fn: Callable[[str | None], object], typ) -> pa.Array:
    """``fn`` of every value, computed once per distinct value."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    mapped = pa.array([fn(v) for v in encoded.dictionary.to_pylist()], type=typ)
    return mapped.take(encoded.indices)


class _CustomerOf:
    """Customer id of a profile's user id: ``gc:`` and the user id of the person's first
    profile (profiles are sorted by user id)."""

    def __init__(self, chunk: Chunk) -> None:
        self.user_id = chunk.profiles["user_id"].to_numpy()
        self.first = chunk.first_user[chunk.profiles["person"].to_numpy()]

    def user(self, user_id: np.ndarray) -> np.ndarray:
        return self.first[np.searchsorted(self.user_id, np.asarray(user_id, dtype=np.int64))]

    def __call__(self, user_id: np.ndarray) -> pa.Array:
        return _ids(NS, self.user(user_id))


# ---- tables ---------------------------------------------------------------------------


def _customers(chunk: Chunk) -> pa.Table:
    people, profiles, ledger = chunk.people, chunk.profiles, chunk.ledger
    n = len(people)
    person = profiles["person"].to_numpy()
    primary = (profiles["duplicate"] == "").to_numpy()
    first_row = np.empty(n, dtype=np.int64)  # each person's first profile
    first_row[person[primary]] = np.flatnonzero(primary)
    # created: the earliest of the person's profiles and orders (the importer's rule)
    created = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(created, person, profiles["created"].to_numpy())
    np.minimum.at(created, ledger["person"].to_numpy(), ledger["created"].to_numpy())
    # last seen: the first profile's "last activity" (the users export is authoritative)
    last_active = last_active_of(profiles, chunk.events, ledger)[first_row]
    child = people.child_birth_day
    return _table(
        "customers",
        {
            "customer_id": _ids(NS, chunk.first_user),
            "email": people.email,
            "phone": _or_null(people.phone),
            "name": people.name,
            "created_at": _ts(_minute(created)),
            "timezone": fm.labels(ZONES, people.zone),
            "region": _or_null(fm.labels(CITY_LIST, people.city)),
            "child_birth_date": pa.array(
                np.maximum(child, 0).astype(np.int32), type=pa.date32(), mask=child < 0
            ),
            "first_channel": _or_null(fm.labels(SOURCES, people.source)),
            "is_corporate": _nulls(pa.bool_(), n),
            "last_seen_at": _ts(_minute(last_active)),
        },
    )


def _orders(chunk: Chunk, customer: _CustomerOf, rules: PurchaseRules) -> pa.Table:
    o, ledger = chunk.orders, chunk.ledger
    n = len(ledger)
    code = ledger["status"].to_numpy()
    paid_like = PAID_LIKE[code]
    paid_amount = np.asarray(o["paid_amount"], dtype=np.int64)
    price = np.asarray(o["amount"], dtype=np.int64)
    # the orders preset: a paid order's amount is what was paid (its price if nothing
    # was, as for free webinars); any other order's amount is what was paid (0)
    amount = np.where(paid_like & (paid_amount == 0), price, paid_amount)
    refunded = np.where(ledger["refund_ts"].to_numpy() >= 0, ledger["refund_amount"], 0)
    refunded = refunded.astype(np.int64)
    # the payments import: a full refund of a non-zero order makes it refunded
    status = pa.array(np.array(ORDER_STATUS, dtype=object)[code], type=pa.large_string())
    status = pc.if_else(
        pa.array((refunded > 0) & (amount > 0) & (refunded >= amount)), "refunded", status
    )
    paid = np.asarray(o["paid"], dtype=np.int64)
    title = pc.cast(o["title"], pa.large_string())
    tags = pc.cast(o["tags"], pa.large_string())
    gift = _per_value(tags, lambda t: _has_tag(t, rules.gift_tags), pa.bool_())
    corporate_tag = _per_value(tags, lambda t: _has_tag(t, rules.corporate_tags), pa.bool_())
    cashless = _per_value(
        o["pay_system"], lambda s: s in rules.corporate_payment_systems, pa.bool_()
    )
    status_text = fm.labels(STATUSES, code)
    discount = np.asarray(o["discount"], dtype=np.int64)
    offer = pc.coalesce(_or_null(o["promo_action"]), _or_null(o["promo_code"]))
    return _table(
        "orders",
        {
            "order_id": _ids(NS, np.asarray(o["order_id"], dtype=np.int64)),
            "customer_id": customer(o["user_id"]),
            "created_at": _ts(_minute(o["created"])),
            "paid_at": _ts(_minute(np.maximum(paid, 0)), paid_like & (paid >= 0)),
            "amount": _money(amount),
            "currency": _constant("RUB", n),
            "status": status,
            "refunded_amount": _money(refunded),
            "product_id": title,
            "product_title": title,
            "category": _per_value(title, lambda t: category_of(t, rules), pa.string()),
            "plan_id": _or_null(o["plan_id"]),
            "is_gift": gift,
            "is_corporate": pc.or_(corporate_tag, cashless),
            "discount_amount": _money(np.maximum(discount, 0), discount >= 0),
            "offer_id": offer,
            "utm_source": _or_null(o["utm_source"]),
            "utm_medium": _or_null(o["utm_medium"]),
            "utm_campaign": _or_null(o["utm_campaign"]),
            "variable_cost": _nulls(pa.decimal128(18, 2), n),
            "source_status": status_text,
            "refund_pending": _per_value(
                status_text, lambda s: s.casefold() in REFUND_PENDING, pa.bool_()
            ),
        },
    )


def _payments(chunk: Chunk, orders: pa.Table) -> pa.Table:
    p = chunk.payments
    order_number = np.asarray(chunk.orders["order_id"], dtype=np.int64)
    by_number = np.argsort(order_number, kind="stable")
    number = np.asarray(p["order_id"], dtype=np.int64)
    row = by_number[np.searchsorted(order_number[by_number], number)]
    status = _per_value(p["status"], payment_status, pa.string())
    return _table(
        "payments",
        {
            "payment_id": _ids(NS, np.asarray(p["number"], dtype=np.int64)),
            "order_id": _ids(NS, number),
            "customer_id": orders["customer_id"].take(pa.array(row)),
            "ts": _ts(_minute(p["created"])),
            "status": status,
            "amount": _money(p["amount"]),
        },
    )


def _activities(chunk: Chunk, customer: _CustomerOf) -> pa.Table:
    lms = chunk.lms
    return _table(
        "activities",
        {
            "event_id": fm.concat(LMS_NS, lms["event_id"]),
            "customer_id": customer(lms["user_id"]),
            "ts": _ts(lms["ts"]),
            "kind": lms["event"],
            "course_id": _or_null(lms["course_id"]),
            "lesson_id": _or_null(lms["lesson_id"]),
        },
    )


def _messages(chunk: Chunk, con: duckdb.DuckDBPyConnection) -> pa.Table:
    esp = chunk.esp
    order = np.argsort(esp["ts"].to_numpy(), kind="stable")  # the export's row order
    recipient = esp["recipient"].to_numpy()[order]
    code = esp["event"].to_numpy()[order]
    bounce = esp["bounce"].to_numpy()[order]
    ts = esp["ts"].to_numpy()[order].astype(np.int64)
    campaign = pc.cast(pa.array(esp["campaign"].to_numpy()[order]), pa.large_string())
    n = len(order)
    # bounces by type (bounce 0 is hard), every other event by its preset name
    event = np.where(code == BOUNCE, np.where(bounce == 0, 6, 7), code)
    event = fm.labels((*ESP_EVENTS, "bounced_hard", "bounced_soft"), event)
    email = pc.cast(chunk.people.email.take(pa.array(recipient)), pa.large_string())
    iso = pc.utf8_slice_codeunits(fm.iso_utc(ts), 0, 19)  # datetime.isoformat()
    key = fm.concat(email, "|email|", event, "|", iso, "|", campaign)
    return _table(
        "messages",
        {
            "event_id": fm.concat(ESP_NS, _sha1_20(con, key)),
            "customer_id": _ids(NS, chunk.first_user[recipient]),
            "ts": _ts(ts),
            "channel": _constant("email", n),
            "event": event,
            "campaign_id": _or_null(campaign),
            "wave_id": _nulls(pa.string(), n),
            "arm": _nulls(pa.string(), n),
            "touch_id": _nulls(pa.string(), n),
            "is_promo": _nulls(pa.bool_(), n),
            "offer_type": _nulls(pa.string(), n),
        },
    )


def _sha1_20(con: duckdb.DuckDBPyConnection, key: pa.Array) -> pa.Array:
    """The first 20 hex digits of the SHA-1 of each key (the ESP preset's event id),
    hashed by DuckDB in batches on every thread, then put back in row order."""
    keys = pa.table({"i": np.arange(len(key), dtype=np.int64), "k": key})
    batches = keys.to_batches(max_chunksize=HASH_BATCH)
    con.register("esp_keys", pa.Table.from_batches(batches, schema=keys.schema))
    try:
        result = con.execute(
            "SELECT left(sha1(k), 20) AS h FROM esp_keys ORDER BY i"
        ).to_arrow_table()
    finally:
        con.unregister("esp_keys")
    return result.column("h").combine_chunks()


def _consents(chunk: Chunk) -> pa.Table:
    c = chunk.consents
    user = np.asarray(c["user_id"], dtype=np.int64)
    ts = np.asarray(c["ts"], dtype=np.int64)
    channel = pc.cast(c["channel"], pa.large_string())
    purpose = pc.cast(c["purpose"], pa.large_string())
    # a repeated key (customer, channel, purpose, ts) is a duplicate line to the importer
    key = pd.DataFrame(
        {
            "u": user,
            "c": pc.dictionary_encode(channel).indices.to_numpy(),
            "p": pc.dictionary_encode(purpose).indices.to_numpy(),
            "t": ts,
        }
    )
    keep = pa.array(np.flatnonzero(~key.duplicated(keep="first").to_numpy()))
    table = _table(
        "consents",
        {
            "customer_id": _ids(NS, user),
            "channel": channel,
            "purpose": purpose,
            "granted": pa.array(np.asarray(c["granted"], dtype=bool)),
            "ts": _ts(ts),
            "offer_version": _or_null(c["offer_version"]),
            "source": _or_null(c["source"]),
            "given_by": _or_null(c["given_by"]),
        },
    )
    return table.take(keep)
