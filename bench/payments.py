"""Canonical payments for the benchmark, made by the simulator's own purchase process.

People are generated chunk by chunk exactly as :func:`livebase.simulate.school.simulate_school`
does (same ``SchoolSpec``, random streams and duplicate plan), and each chunk's purchases
(:func:`livebase.simulate.purchases.generate_purchases`) become payments at the list price
of their product (:data:`livebase.simulate.catalogue.PRODUCTS`). Memory stays bounded by
the chunk: chunks are appended to a scratch Parquet file, which DuckDB then sorts by
payment time (as a school's export is ordered) into a scratch DuckDB table under a memory
limit (``--memory-limit``, 4GB by default: the sort spills to a temporary folder beside the
data) and copies into the final file in that order, numbering the orders by position.

    python bench/payments.py 100M [--data-dir bench/data] [--memory-limit 4GB]

generates one size (when missing) and prints its description as one JSON line, with the
generating process's peak RSS; the benchmarks call it in a child process, so that their
own processes stay small (on Linux a child's ``ru_maxrss`` starts at its parent's).

Columns of ``payments-<size>.parquet``: ``customer_id`` (``gc:<user id>``), ``order_id``,
``paid_at`` (timestamp, UTC), ``amount`` (decimal(18,2)), ``status`` (``paid``),
``category`` (``course``). The other columns of the canonical ``orders`` contract are
left NULL when livebase loads the file. A JSON file next to it records the number of
rows and customers, the seed and the as-of date (the day of the last payment).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the heavy imports are made where they are used: the benchmarks'
    # parent processes import this module and must stay small (see main)
    import numpy as np
    import pyarrow as pa

    from livebase.simulate.spec import SchoolSpec

SEED = 7
PILOT_CUSTOMERS = 200_000
FORMAT_VERSION = 1  # bump when the file layout changes: cached files are then rebuilt
DEFAULT_MEMORY_LIMIT = "4GB"  # DuckDB's, for the final sort (it spills beyond it)


def _scratch_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
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
    generated_peak_rss_mib: float | None = None  # the generating process's ru_maxrss


def parse_size(label: str) -> int:
    """``1M`` → 1 000 000, ``250k`` → 250 000, ``5000`` → 5000."""
    text = label.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    return int(float(number) * scale)


def _chunks(spec: SchoolSpec):
    """Purchases of each chunk of people, as the simulator makes them."""
    from livebase.simulate.clock import midnight
    from livebase.simulate.population import generate_people, plan_duplicates
    from livebase.simulate.purchases import generate_purchases
    from livebase.simulate.school import _streams

    end = midnight(spec.end, spec.timezone)
    dups = plan_duplicates(spec)
    for k, (lo, hi) in enumerate(spec.chunks()):
        rng = _streams(spec.seed, k, 10)  # rng[0]: people, rng[2]: purchases (as in school.py)
        people = generate_people(spec, lo, hi, dups, rng[0])
        yield people, generate_purchases(people, end, spec.timezone, rng[2])


def payments_per_customer(customers: int = PILOT_CUSTOMERS, seed: int = SEED) -> float:
    """Payments per simulated person, measured on a small school."""
    from livebase.simulate.spec import SchoolSpec

    spec = SchoolSpec(customers=customers, seed=seed)
    return sum(len(p) for _, p in _chunks(spec)) / customers


def _money(kopecks: np.ndarray) -> pa.Array:
    """Exact decimal(18,2) from integer kopecks (the unscaled value of the decimal)."""
    import numpy as np
    import pyarrow as pa

    kopecks = np.ascontiguousarray(kopecks, dtype=np.int64)
    words = np.zeros((len(kopecks), 2), dtype=np.int64)  # little-endian int128
    words[:, 0] = kopecks
    words[:, 1] = np.where(kopecks < 0, -1, 0)
    return pa.Array.from_buffers(
        pa.decimal128(18, 2), len(kopecks), [None, pa.py_buffer(words.tobytes())]
    )


def _write_scratch(spec: SchoolSpec, path: Path) -> tuple[int, int]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from livebase.simulate.catalogue import PRICES
    from livebase.simulate.population import USER_ID_BASE

    rows = buyers = 0
    with pq.ParquetWriter(path, _scratch_schema()) as out:
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
                schema=out.schema,
            )
            out.write_table(table)
            rows += n
            buyers += len(np.unique(p.person))
    return rows, buyers


def cached_payments(label: str, data_dir: Path, *, seed: int = SEED) -> Dataset | None:
    """The payments file of ``label`` when it is already made (same format and seed)."""
    path = Path(data_dir) / f"payments-{label}.parquet"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") == FORMAT_VERSION and meta.get("seed") == seed:
            return _dataset(meta, path)
    return None


def ensure_payments(
    label: str,
    data_dir: Path,
    *,
    seed: int = SEED,
    log=print,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
) -> Dataset:
    """The cached payments file of ``label`` (e.g. ``1M``), generated when missing."""
    data_dir = Path(data_dir)
    cached = cached_payments(label, data_dir, seed=seed)
    if cached is not None:
        return cached
    path = data_dir / f"payments-{label}.parquet"
    meta_path = path.with_suffix(".json")
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    ratio = payments_per_customer(seed=seed)
    customers = math.ceil(parse_size(label) / ratio)
    log(f"generating {label} payments: {customers:,} simulated people ({ratio:.4f} per person)")
    from livebase.simulate.spec import SchoolSpec

    spec = SchoolSpec(customers=customers, seed=seed)
    scratch = data_dir / f".scratch-{label}.parquet"
    rows, buyers = _write_scratch(spec, scratch)
    tmp = path.with_suffix(".parquet.tmp")
    last = _sort(scratch, tmp, data_dir, label, memory_limit)
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
        "generated_peak_rss_mib": round(_peak_mib(), 1),
        "generated_memory_limit": memory_limit,
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
        generated_peak_rss_mib=meta.get("generated_peak_rss_mib"),
    )


def _sort(scratch: Path, out: Path, data_dir: Path, label: str, memory_limit: str):
    """Sort the scratch payments by time into ``out``; return the last payment time.

    The sort goes into a table of a scratch DuckDB file (an ``ORDER BY`` insert keeps its
    order when insertion order is preserved), so that numbering the orders by position is
    the table's ``rowid`` rather than a window over every row: both spill to disk under
    the memory limit, the table without holding one window partition of all payments.
    """
    import duckdb

    db = data_dir / f".sort-{label}.duckdb"
    tmp_dir = data_dir / f".duckdb-tmp-{label}"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute(f"SET temp_directory = '{tmp_dir}'")
        con.execute(
            f"""
            CREATE TABLE sorted AS
            SELECT customer_id, paid_at, amount FROM read_parquet('{scratch}')
            ORDER BY paid_at, seq
            """
        )
        con.execute(
            f"""
            COPY (
                SELECT customer_id, CAST(700001 + rowid AS VARCHAR) AS order_id,
                       paid_at, amount, 'paid' AS status, 'course' AS category
                FROM sorted
            ) TO '{out}' (FORMAT parquet)
            """
        )
        (last,) = con.execute("SELECT max(paid_at) FROM sorted").fetchone()
    finally:
        con.close()
    db.unlink(missing_ok=True)
    shutil.rmtree(tmp_dir, ignore_errors=True)
    return last


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def describe(ds: Dataset) -> dict:
    d = asdict(ds)
    d["path"] = str(ds.path)
    d["as_of"] = ds.as_of.isoformat()
    return d


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Make the benchmark's payments of one size.")
    p.add_argument("size", help="payments, with a k/M suffix: 1M, 20M, 100M")
    p.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parent / "data")
    p.add_argument("--memory-limit", default=DEFAULT_MEMORY_LIMIT, help="DuckDB's, for the sort")
    a = p.parse_args(argv)
    ds = ensure_payments(
        a.size,
        a.data_dir,
        memory_limit=a.memory_limit,
        log=lambda m: print(m, file=sys.stderr, flush=True),
    )
    print(json.dumps(describe(ds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
