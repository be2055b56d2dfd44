"""Canonical payments for the benchmark, made by the simulator's own purchase process.

People are generated chunk by chunk exactly as :func:`livebase.simulate.school.simulate_school`
does (same ``SchoolSpec``, random streams and duplicate plan), and each chunk's purchases
(:func:`livebase.simulate.purchases.generate_purchases`) become payments at the list price
of their product (:data:`livebase.simulate.catalogue.PRODUCTS`). Memory stays bounded by
the chunk: chunks are appended to a scratch Parquet file, which DuckDB then sorts by
payment time (as a school's export is ordered) into the final file.

Columns of ``payments-<size>.parquet``: ``customer_id`` (``gc:<user id>``), ``order_id``,
``paid_at`` (timestamp, UTC), ``amount`` (decimal(18,2)), ``status`` (``paid``),
``category`` (``course``). The other columns of the canonical ``orders`` contract are
left NULL when livebase loads the file. A JSON file next to it records the number of
rows and customers, the seed and the as-of date (the day of the last payment).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from livebase.simulate.catalogue import PRICES
from livebase.simulate.clock import midnight
from livebase.simulate.population import USER_ID_BASE, generate_people, plan_duplicates
from livebase.simulate.purchases import generate_purchases
from livebase.simulate.school import _streams
from livebase.simulate.spec import SchoolSpec

SEED = 7
PILOT_CUSTOMERS = 200_000
FORMAT_VERSION = 1  # bump when the file layout changes: cached files are then rebuilt
SIZES = {"1M": 1_000_000, "20M": 20_000_000}

SCRATCH_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("customer_id", pa.string()),
        ("paid_at", pa.timestamp("us")),
        ("amount", pa.decimal128(18, 2)),
    ]
)


@dataclass(frozen=True)
class Dataset:
    label: str
    path: Path
    rows: int
    customers: int
    buyers: int
    as_of: date
    seed: int
    payments_per_customer: float
    generated_in_s: float


def parse_size(label: str) -> int:
    """``1M`` → 1 000 000, ``250k`` → 250 000, ``5000`` → 5000."""
    text = label.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    return int(float(number) * scale)


def _chunks(spec: SchoolSpec):
    """Purchases of each chunk of people, as the simulator makes them."""
    end = midnight(spec.end, spec.timezone)
    dups = plan_duplicates(spec)
    for k, (lo, hi) in enumerate(spec.chunks()):
        rng = _streams(spec.seed, k, 10)  # rng[0]: people, rng[2]: purchases (as in school.py)
        people = generate_people(spec, lo, hi, dups, rng[0])
        yield people, generate_purchases(people, end, spec.timezone, rng[2])


def payments_per_customer(customers: int = PILOT_CUSTOMERS, seed: int = SEED) -> float:
    """Payments per simulated person, measured on a small school."""
    spec = SchoolSpec(customers=customers, seed=seed)
    return sum(len(p) for _, p in _chunks(spec)) / customers


def _money(kopecks: np.ndarray) -> pa.Array:
    """Exact decimal(18,2) from integer kopecks (the unscaled value of the decimal)."""
    kopecks = np.ascontiguousarray(kopecks, dtype=np.int64)
    words = np.zeros((len(kopecks), 2), dtype=np.int64)  # little-endian int128
    words[:, 0] = kopecks
    words[:, 1] = np.where(kopecks < 0, -1, 0)
    return pa.Array.from_buffers(
        pa.decimal128(18, 2), len(kopecks), [None, pa.py_buffer(words.tobytes())]
    )


def _write_scratch(spec: SchoolSpec, path: Path) -> tuple[int, int]:
    rows = buyers = 0
    with pq.ParquetWriter(path, SCRATCH_SCHEMA) as out:
        for people, p in _chunks(spec):
            n = len(p)
            user = USER_ID_BASE + 4 * people.person[p.person]
            table = pa.table(
                {
                    "seq": np.arange(rows, rows + n, dtype=np.int64),
                    "customer_id": pa.array(np.char.add("gc:", user.astype(str))),
                    "paid_at": pa.array(p.ts * 1_000_000, pa.timestamp("us")),
                    "amount": _money(PRICES[p.product]),
                },
                schema=SCRATCH_SCHEMA,
            )
            out.write_table(table)
            rows += n
            buyers += len(np.unique(p.person))
    return rows, buyers


def ensure_payments(label: str, data_dir: Path, *, seed: int = SEED, log=print) -> Dataset:
    """The cached payments file of ``label`` (e.g. ``1M``), generated when missing."""
    data_dir = Path(data_dir)
    path = data_dir / f"payments-{label}.parquet"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") == FORMAT_VERSION and meta.get("seed") == seed:
            return _dataset(meta, path)
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    ratio = payments_per_customer(seed=seed)
    customers = math.ceil(parse_size(label) / ratio)
    log(f"generating {label} payments: {customers:,} simulated people ({ratio:.4f} per person)")
    spec = SchoolSpec(customers=customers, seed=seed)
    scratch = data_dir / f".scratch-{label}.parquet"
    rows, buyers = _write_scratch(spec, scratch)
    tmp = path.with_suffix(".parquet.tmp")
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SET temp_directory = '{data_dir / '.duckdb-tmp'}'")
        con.execute(
            f"""
            COPY (
                SELECT customer_id,
                       CAST(700000 + row_number() OVER (ORDER BY paid_at, seq) AS VARCHAR)
                           AS order_id,
                       paid_at, amount, 'paid' AS status, 'course' AS category
                FROM read_parquet('{scratch}')
                ORDER BY paid_at, seq
            ) TO '{tmp}' (FORMAT parquet)
            """
        )
        (last,) = con.execute(f"SELECT max(paid_at) FROM read_parquet('{tmp}')").fetchone()
    finally:
        con.close()
    tmp.replace(path)
    scratch.unlink()
    meta = {
        "format": FORMAT_VERSION,
        "label": label,
        "rows": rows,
        "customers": customers,
        "buyers": buyers,
        "as_of": last.date().isoformat(),
        "seed": seed,
        "payments_per_customer": ratio,
        "generated_in_s": round(time.perf_counter() - started, 1),
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {path} ({rows:,} payments of {buyers:,} buyers) in {meta['generated_in_s']} s")
    return _dataset(meta, path)


def _dataset(meta: dict, path: Path) -> Dataset:
    return Dataset(
        label=meta["label"],
        path=path,
        rows=meta["rows"],
        customers=meta["customers"],
        buyers=meta["buyers"],
        as_of=date.fromisoformat(meta["as_of"]),
        seed=meta["seed"],
        payments_per_customer=meta["payments_per_customer"],
        generated_in_s=meta["generated_in_s"],
    )


def describe(ds: Dataset) -> dict:
    d = asdict(ds)
    d["path"] = str(ds.path)
    d["as_of"] = ds.as_of.isoformat()
    return d
