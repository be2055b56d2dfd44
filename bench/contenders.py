"""One contender of the RFM benchmark, run in a process of its own.

    python bench/contenders.py {livebase|livebase-1gb|pymc|pandas} PAYMENTS.parquet AS_OF

(``--workdir DIR`` for livebase's store; ``livebase-1gb`` is livebase with the workspace
engine setting ``memory_limit=1GB``.)

Prints one JSON line: the import time, the time of each phase (reading the payments from
the Parquet file is part of every contender's time), the peak resident memory of this
process (``ru_maxrss``) and what came out (customers, segment sizes). Interpreter start-up
is outside every figure; imports are timed apart. ``--read default`` gives the pandas-based
contenders the plain ``pd.read_parquet`` (see :func:`read_payments`).

The three contenders compute different definitions of RFM (see bench/RESULTS.md): the
comparison is of the work each does to get the RFM segments of a customer base.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

# the columns the pandas-based contenders read; status is filtered at read time
COLUMNS = ["customer_id", "paid_at", "amount"]
PAID = [("status", "==", "paid")]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Clock:
    """Wall time of named phases."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(now - self._t, 4)
        self._t = now


def run_livebase(path: Path, as_of: date, workdir: Path, memory_limit: str | None = None) -> dict:
    t = time.perf_counter()
    import duckdb

    from livebase.segments.build import build_segments
    from livebase.store.workspace import Workspace

    imports = time.perf_counter() - t
    after_import = peak_mib()
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="livebase-", dir=workdir))
    clock = Clock()
    ws = Workspace.init(root / "school")
    if memory_limit:  # the workspace's engine setting, as a school would write it
        ws.close()
        cfg = root / "school" / "livebase.toml"
        text = cfg.read_text(encoding="utf-8")
        engine = 'engine = "duckdb://store.duckdb"'
        assert engine in text, text
        limited = f'engine = "duckdb://store.duckdb?memory_limit={memory_limit}"'
        cfg.write_text(text.replace(engine, limited), encoding="utf-8")
        ws = Workspace.open(root / "school")
    ws.con.raw_sql(
        "INSERT INTO orders (customer_id, order_id, paid_at, amount, status, category) "
        "SELECT customer_id, order_id, paid_at, amount, status, category "
        f"FROM read_parquet('{path}')"
    )
    clock.lap("load")
    summary = build_segments(ws, as_of)
    clock.lap("compute")
    peak = peak_mib()
    out = {
        "import_s": round(imports, 3),
        "rss_after_import_mib": round(after_import, 1),
        "phases": clock.phases,
        "peak_rss_mib": round(peak, 1),
        "rows_in": _scalar(ws, "SELECT count(*) FROM orders"),
        "customers": sum(s.customers for s in summary),
        "segments": {s.segment: s.customers for s in summary},
        "top": _scalar(ws, f"SELECT count(*) FROM segments WHERE is_top AND as_of = '{as_of}'"),
        "versions": {"duckdb": duckdb.__version__, **_versions("ibis-framework", "pandas")},
        "threads": _scalar(ws, "SELECT current_setting('threads')"),
        "memory_limit": _scalar(ws, "SELECT current_setting('memory_limit')"),
    }
    ws.close()
    _remove(root)
    return out


def _scalar(ws, sql: str):
    return ws.con.raw_sql(sql).fetchone()[0]


def _remove(root: Path) -> None:
    import shutil

    shutil.rmtree(root, ignore_errors=True)


def read_payments(pd, path: Path, how: str):
    """Paid payments as a frame of customer_id, paid_at (datetime64) and amount (float64).

    ``arrow`` (the default) reads into Arrow-backed columns and casts the decimal amount to
    float64 in Arrow; ``default`` is ``pd.read_parquet`` as is, whose decimal column comes
    back as Python ``Decimal`` objects that are then converted one by one (slow, and
    several GiB at 20M rows): the benchmark gives the baselines the fast read.
    """
    if how == "default":
        df = pd.read_parquet(path, columns=COLUMNS, filters=PAID)
        df["amount"] = df["amount"].astype("float64")
        return df
    df = pd.read_parquet(path, columns=COLUMNS, filters=PAID, dtype_backend="pyarrow")
    df["paid_at"] = df["paid_at"].astype("datetime64[us]")
    df["amount"] = df["amount"].astype("float64[pyarrow]").astype("float64")
    return df


def run_pymc(path: Path, as_of: date, how: str) -> dict:
    t = time.perf_counter()
    import pandas as pd
    from pymc_marketing.clv import rfm_segments, rfm_summary

    imports = time.perf_counter() - t
    after_import = peak_mib()
    clock = Clock()
    df = read_payments(pd, path, how)
    clock.lap("read")
    seg = rfm_segments(
        df,
        customer_id_col="customer_id",
        datetime_col="paid_at",
        monetary_value_col="amount",
        observation_period_end=as_of.isoformat(),
    )
    clock.lap("compute")
    peak = peak_mib()
    # the CLV summary (frequency = repeat purchase days, recency = age at the last one, T)
    # that the modelling side of pymc-marketing starts from: timed apart, not in the total
    t = time.perf_counter()
    summary = rfm_summary(
        df,
        customer_id_col="customer_id",
        datetime_col="paid_at",
        monetary_value_col="amount",
        observation_period_end=as_of.isoformat(),
    )
    summary_s = time.perf_counter() - t
    return {
        "import_s": round(imports, 3),
        "rss_after_import_mib": round(after_import, 1),
        "phases": clock.phases,
        "peak_rss_mib": round(peak, 1),
        "rows_in": len(df),
        "customers": len(seg),
        "segments": {str(k): int(v) for k, v in seg["segment"].value_counts().items()},
        "extra": {
            "rfm_summary_s": round(summary_s, 3),
            "rfm_summary_customers": len(summary),
            "peak_rss_with_rfm_summary_mib": round(peak_mib(), 1),
        },
        "read": how,
        "versions": _versions("pymc-marketing", "pymc", "pandas", "numpy", "pyarrow"),
    }


def run_pandas(path: Path, as_of: date, how: str) -> dict:
    t = time.perf_counter()
    import numpy as np
    import pandas as pd

    imports = time.perf_counter() - t
    after_import = peak_mib()
    clock = Clock()
    df = read_payments(pd, path, how)
    clock.lap("read")
    # R: days since the last payment; F, M: payments and revenue in the 12 months to as_of
    day = pd.Timestamp(as_of)
    start = pd.Timestamp(_months_before(as_of, 12) + timedelta(days=1))
    recent = df["paid_at"] >= start
    df["f"] = recent
    df["m"] = df["amount"].where(recent, 0.0)
    rfm = df.groupby("customer_id", sort=False).agg(
        last=("paid_at", "max"), frequency=("f", "sum"), monetary=("m", "sum")
    )
    rfm["recency_days"] = (day - rfm["last"].dt.normalize()).dt.days
    labels = [1, 2, 3, 4, 5]
    rfm["r"] = pd.qcut(rfm["recency_days"].rank(method="first", ascending=False), 5, labels)
    rfm["f_score"] = pd.qcut(rfm["frequency"].rank(method="first"), 5, labels)
    rfm["m_score"] = pd.qcut(rfm["monetary"].rank(method="first"), 5, labels)
    r, f, m = (rfm[c].astype(int) for c in ("r", "f_score", "m_score"))
    days = rfm["recency_days"]
    rfm["segment"] = np.select(
        [
            days >= 540,
            days >= 270,
            days >= 180,
            days >= 90,
            (r == 5) & (f == 5) & (m == 5),
            (r >= 4) & (f >= 4),
            (r == 5) & (f <= 2) & (m <= 2),
            (r <= 3) & (f >= 3),
        ],
        [
            "lost",
            "sleeping_long",
            "sleeping_cooled",
            "sleeping_warm",
            "champions",
            "loyal",
            "promising",
            "at_risk",
        ],
        default="need_attention",
    )
    clock.lap("compute")
    return {
        "import_s": round(imports, 3),
        "rss_after_import_mib": round(after_import, 1),
        "phases": clock.phases,
        "peak_rss_mib": round(peak_mib(), 1),
        "rows_in": len(df),
        "customers": len(rfm),
        "segments": {str(k): int(v) for k, v in rfm["segment"].value_counts().items()},
        "read": how,
        "versions": _versions("pandas", "numpy", "pyarrow"),
    }


def _months_before(day: date, months: int) -> date:
    import calendar

    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    return date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def _versions(*names: str) -> dict[str, str]:
    from importlib.metadata import version

    return {n: version(n) for n in names}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("contender", choices=["livebase", "livebase-1gb", "pymc", "pandas"])
    p.add_argument("payments", type=Path)
    p.add_argument("as_of", type=date.fromisoformat)
    p.add_argument("--workdir", type=Path, default=None)
    p.add_argument("--read", choices=["arrow", "default"], default="arrow")
    a = p.parse_args(argv)
    path = a.payments.resolve()
    if a.contender == "livebase":
        result = run_livebase(path, a.as_of, a.workdir or path.parent)
    elif a.contender == "livebase-1gb":
        result = run_livebase(path, a.as_of, a.workdir or path.parent, memory_limit="1GB")
    elif a.contender == "pymc":
        result = run_pymc(path, a.as_of, a.read)
    else:
        result = run_pandas(path, a.as_of, a.read)
    result["contender"] = a.contender
    result["python"] = sys.version.split()[0]
    result["total_s"] = round(sum(result["phases"].values()), 4)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
