"""One contender of the RFM benchmark, run in a process of its own.

    python bench/contenders.py {livebase|livebase-1gb|livebase-4gb|sql-floor|sql-floor-4gb|
                                pymc|pandas} PAYMENTS.parquet AS_OF

(``--workdir DIR`` for the DuckDB stores; ``livebase-1gb`` and ``livebase-4gb`` are
livebase with the workspace engine setting ``memory_limit=1GB`` / ``4GB``; ``sql-floor``
is hand-written DuckDB SQL for the same work as livebase, ``sql-floor-4gb`` the same with
``memory_limit=4GB``.)

Prints one JSON line: the import time, the time of each phase (reading the payments from
the Parquet file is part of every contender's time), the peak resident memory of this
process (``ru_maxrss``) and what came out (customers, segment sizes). Interpreter start-up
is outside every figure; imports are timed apart. ``--read default`` gives the pandas-based
contenders the plain ``pd.read_parquet`` (see :func:`read_payments`).

livebase, pymc-marketing and pandas compute different definitions of RFM (see
bench/RESULTS.md): the comparison is of the work each does to get the RFM segments of a
customer base. The SQL floor computes livebase's definitions (default settings, default
segment map, top flag) and its marts must be the same: both print the segment counts and
checksums of the marts (:data:`CHECKSUMS`, computed after the timed phases).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

NAMES = ("livebase", "livebase-1gb", "livebase-4gb", "sql-floor", "sql-floor-4gb", "pymc", "pandas")
# DuckDB's memory_limit of the contenders that set one (livebase: in the engine URL)
MEMORY_LIMITS = {"livebase-1gb": "1GB", "livebase-4gb": "4GB", "sql-floor-4gb": "4GB"}
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


# checksums of the marts of one as-of date, the same query on livebase's store and the
# floor's: a sum of row hashes is independent of row order (DuckDB's hash, same version)
CHECKSUMS = """
SELECT count(*),
       CAST(sum(hash(r.customer_id, r.r, r.f, r.m, s.segment)) AS VARCHAR),
       CAST(sum(hash(r.customer_id, r.recency_days, r.frequency, r.monetary, r.r, r.f, r.m,
                     s.segment, s.rule, s.sleep_tier, s.is_top)) AS VARCHAR),
       count(*) FILTER (WHERE s.is_top)
FROM rfm AS r JOIN segments AS s USING (as_of, version, customer_id)
WHERE r.as_of = DATE '{as_of}' AND r.version = 'monetary'
"""


def checksums(fetchone, as_of: date) -> dict:
    """Rows, checksum of (customer_id, r, f, m, segment), checksum of every mart column
    (values, scores, segment, rule, sleep tier, top flag) and the top count."""
    rows, key, every, top = fetchone(CHECKSUMS.format(as_of=as_of.isoformat()))
    return {"rows": rows, "checksum": key, "checksum_all_columns": every, "top": top}


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
        "marts": checksums(lambda sql: ws.con.raw_sql(sql).fetchone(), as_of),
        "versions": {"duckdb": duckdb.__version__, **_versions("ibis-framework", "pandas")},
        "threads": _scalar(ws, "SELECT current_setting('threads')"),
        "memory_limit": _scalar(ws, "SELECT current_setting('memory_limit')"),
    }
    ws.close()
    _remove(root)
    return out


# ---- the SQL floor ---------------------------------------------------------------------
# livebase's default purchase rules (PurchaseRules) and RFM settings (RfmSettings), the
# default segment map (segments/default_map.yaml) and the top rule (segments/top.py),
# written out by hand
FLOOR_CATEGORIES = ("course", "module", "consultation", "certification", "subscription")
FLOOR_DUPLICATE_DAYS = 7


def floor_load_sql(path: Path) -> list[str]:
    """The floor's store: an ``orders`` table with the columns the purchase rules read."""
    return [
        "CREATE TABLE orders (order_id VARCHAR, customer_id VARCHAR, created_at TIMESTAMP, "
        "paid_at TIMESTAMP, amount DECIMAL(18,2), status VARCHAR, "
        "refunded_amount DECIMAL(18,2), product_id VARCHAR, product_title VARCHAR, "
        "category VARCHAR, plan_id VARCHAR)",
        "INSERT INTO orders (customer_id, order_id, paid_at, amount, status, category) "
        "SELECT customer_id, order_id, paid_at, amount, status, category "
        f"FROM read_parquet('{path}')",
    ]


def floor_compute_sql(as_of: date) -> list[str]:
    """RFM, scores, top flag and segments of ``as_of`` as livebase defines them, the two
    marts written as tables, then the segment summary (the last statement's rows)."""
    # data up to and including as_of; the 12-month window starts the day after
    end = datetime.combine(as_of + timedelta(days=1), time_of_day())
    start = datetime.combine(_months_before(as_of, 12) + timedelta(days=1), time_of_day())
    cats = ", ".join(f"'{c}'" for c in FLOOR_CATEGORIES)
    day = f"DATE '{as_of.isoformat()}'"
    return [
        # counted purchases: money statuses, purchase categories, before the end of as_of;
        # a repeat payment of the same product and amount within 7 days is a duplicate
        f"""
        CREATE TEMP TABLE p AS
        WITH base AS (
            SELECT customer_id, order_id, coalesce(paid_at, created_at) AS ts, amount,
                   refunded_amount, status, plan_id,
                   coalesce(product_id, product_title, '') AS product
            FROM orders
            WHERE status IN ('paid', 'partially_paid', 'refunded')
              AND coalesce(paid_at, created_at) < TIMESTAMP '{end}'
              AND category IN ({cats})
        ), marked AS (
            SELECT *, lag(ts) OVER (PARTITION BY customer_id, product, amount
                                    ORDER BY ts, order_id) AS prev
            FROM base
        )
        SELECT customer_id, order_id, ts,
               coalesce(plan_id, order_id) AS pkey,
               CAST(amount - coalesce(refunded_amount, 0) AS DECIMAL(18,2)) AS net,
               amount > 0 AND status <> 'refunded' AS is_purchase
        FROM marked
        WHERE NOT (prev IS NOT NULL
                   AND epoch(ts) - epoch(prev) <= {FLOOR_DUPLICATE_DAYS * 86400}
                   AND amount > 0)
        """,
        # R, F, M per customer with a purchase
        f"""
        CREATE TEMP TABLE v AS
        SELECT customer_id,
               date_diff('day', CAST(max(ts) FILTER (WHERE is_purchase) AS DATE), {day})
                   AS recency_days,
               count(*) FILTER (WHERE ts >= TIMESTAMP '{start}' AND is_purchase
                                  AND pkey = order_id)
               + count(DISTINCT pkey) FILTER (WHERE ts >= TIMESTAMP '{start}' AND is_purchase
                                                AND NOT (pkey = order_id)) AS frequency,
               CAST(coalesce(sum(net) FILTER (WHERE ts >= TIMESTAMP '{start}'), 0)
                    AS DECIMAL(18,2)) AS monetary
        FROM p
        GROUP BY customer_id
        HAVING max(ts) FILTER (WHERE is_purchase) IS NOT NULL
        """,
        # quintile scores: ntile over (value, customer_id)
        f"""
        CREATE TABLE rfm AS
        SELECT {day} AS as_of, 'monetary' AS version, customer_id,
               CAST(recency_days AS BIGINT) AS recency_days,
               CAST(frequency AS BIGINT) AS frequency, monetary,
               CAST(ntile(5) OVER (ORDER BY recency_days DESC, customer_id) AS TINYINT) AS r,
               CAST(ntile(5) OVER (ORDER BY frequency, customer_id) AS TINYINT) AS f,
               CAST(ntile(5) OVER (ORDER BY monetary, customer_id) AS TINYINT) AS m
        FROM v
        """,
        # the top flag: checks of the 12-month window (a plan is one check) and their
        # per-customer aggregates
        f"""
        CREATE TEMP TABLE checks AS
        SELECT customer_id, pkey, CAST(sum(net) AS DOUBLE) AS amount, min(ts) AS ts
        FROM p
        WHERE is_purchase AND ts >= TIMESTAMP '{start}'
        GROUP BY customer_id, pkey
        """,
        """
        CREATE TEMP TABLE agg AS
        SELECT customer_id, count(*) AS frequency, sum(amount) AS revenue,
               max(ts) AS last_ts, sum(amount) / count(*) AS average_check
        FROM checks
        GROUP BY customer_id
        """,
        f"""
        CREATE TEMP TABLE top AS
        WITH cut AS (
            SELECT (SELECT quantile_cont(amount, 0.75) FROM checks) AS check_p75,
                   quantile_cont(revenue, 0.80) AS revenue_p80,
                   quantile_cont(average_check, 0.75) AS average_check_p75
            FROM agg
        ), undecided AS (
            SELECT customer_id FROM agg
            WHERE frequency = 2 AND date_diff('day', CAST(last_ts AS DATE), {day}) <= 45
        ), second AS (
            SELECT customer_id, amount AS second
            FROM checks SEMI JOIN undecided USING (customer_id)
            QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY ts, pkey) = 2
        )
        SELECT a.customer_id,
               date_diff('day', CAST(a.last_ts AS DATE), {day}) <= 45
               AND (a.frequency >= 3
                    OR (a.frequency >= 2 AND coalesce(s.second, 0) >= cut.check_p75))
               AND (a.revenue >= cut.revenue_p80
                    OR a.average_check >= cut.average_check_p75) AS is_top
        FROM agg AS a LEFT JOIN second AS s USING (customer_id), cut
        """,
        # the default segment map, first match wins; sleep tiers; the top flag
        """
        CREATE TABLE segments AS
        SELECT r.as_of, r.version, r.customer_id,
               CASE
                   WHEN recency_days >= 540 THEN 'lost'
                   WHEN recency_days >= 270 THEN 'sleeping_long'
                   WHEN recency_days BETWEEN 180 AND 269 THEN 'sleeping_cooled'
                   WHEN recency_days BETWEEN 90 AND 179 THEN 'sleeping_warm'
                   WHEN r = 5 AND f = 5 AND m = 5 THEN 'champions'
                   WHEN r IN (4, 5) AND f IN (4, 5) THEN 'loyal'
                   WHEN r = 5 AND f IN (1, 2) AND m IN (1, 2) THEN 'promising'
                   WHEN r IN (1, 2, 3) AND f IN (3, 4, 5) THEN 'at_risk'
                   ELSE 'need_attention'
               END AS segment,
               CASE
                   WHEN recency_days >= 540 THEN 'lost: 540≤recency_days'
                   WHEN recency_days >= 270 THEN 'sleeping_long: 270≤recency_days'
                   WHEN recency_days BETWEEN 180 AND 269
                       THEN 'sleeping_cooled: 180≤recency_days≤269'
                   WHEN recency_days BETWEEN 90 AND 179
                       THEN 'sleeping_warm: 90≤recency_days≤179'
                   WHEN r = 5 AND f = 5 AND m = 5 THEN 'champions: R=5 & F=5 & M=5'
                   WHEN r IN (4, 5) AND f IN (4, 5) THEN 'loyal: R=4-5 & F=4-5'
                   WHEN r = 5 AND f IN (1, 2) AND m IN (1, 2)
                       THEN 'promising: R=5 & F=1-2 & M=1-2'
                   WHEN r IN (1, 2, 3) AND f IN (3, 4, 5) THEN 'at_risk: R=1-3 & F=3-5'
                   ELSE 'need_attention: otherwise'
               END AS rule,
               CASE
                   WHEN recency_days BETWEEN 90 AND 179 THEN 'R90'
                   WHEN recency_days BETWEEN 180 AND 269 THEN 'R180'
                   WHEN recency_days >= 270 THEN 'R270'
               END AS sleep_tier,
               coalesce(t.is_top, false) AS is_top
        FROM rfm AS r LEFT JOIN top AS t USING (customer_id)
        """,
        # the summary livebase returns: per segment customers, revenue and means
        f"""
        SELECT s.segment, count(*) AS customers, sum(r.monetary) AS revenue,
               avg(r.recency_days) AS mean_recency, avg(r.frequency) AS mean_frequency,
               avg(r.monetary) AS mean_monetary
        FROM segments AS s JOIN rfm AS r USING (as_of, version, customer_id)
        WHERE s.as_of = {day} AND s.version = 'monetary'
        GROUP BY s.segment
        """,
    ]


def run_sql_floor(path: Path, as_of: date, workdir: Path, memory_limit: str | None = None) -> dict:
    """The best hand-written DuckDB SQL for livebase's work: load into a DuckDB file,
    then counted purchases → R, F, M → scores → top flag → segments, marts as tables."""
    t = time.perf_counter()
    import duckdb

    imports = time.perf_counter() - t
    after_import = peak_mib()
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="sql-floor-", dir=workdir))
    clock = Clock()
    config = {"memory_limit": memory_limit} if memory_limit else {}
    con = duckdb.connect(str(root / "store.duckdb"), config=config)
    con.execute("SET TimeZone = 'UTC'")
    for sql in floor_load_sql(path):
        con.execute(sql)
    clock.lap("load")
    *steps, summary_sql = floor_compute_sql(as_of)
    for sql in steps:
        con.execute(sql)
    summary = con.execute(summary_sql).fetchall()
    clock.lap("compute")
    peak = peak_mib()
    out = {
        "import_s": round(imports, 3),
        "rss_after_import_mib": round(after_import, 1),
        "phases": clock.phases,
        "peak_rss_mib": round(peak, 1),
        "rows_in": con.execute("SELECT count(*) FROM orders").fetchone()[0],
        "customers": sum(row[1] for row in summary),
        "segments": {row[0]: row[1] for row in summary},
        "top": con.execute("SELECT count(*) FROM segments WHERE is_top").fetchone()[0],
        "marts": checksums(lambda sql: con.execute(sql).fetchone(), as_of),
        "versions": {"duckdb": duckdb.__version__},
        "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
        "memory_limit": con.execute("SELECT current_setting('memory_limit')").fetchone()[0],
    }
    con.close()
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
    p.add_argument("contender", choices=NAMES)
    p.add_argument("payments", type=Path)
    p.add_argument("as_of", type=date.fromisoformat)
    p.add_argument("--workdir", type=Path, default=None)
    p.add_argument("--read", choices=["arrow", "default"], default="arrow")
    a = p.parse_args(argv)
    path = a.payments.resolve()
    workdir = a.workdir or path.parent
    limit = MEMORY_LIMITS.get(a.contender)
    if a.contender.startswith("livebase"):
        result = run_livebase(path, a.as_of, workdir, memory_limit=limit)
    elif a.contender.startswith("sql-floor"):
        result = run_sql_floor(path, a.as_of, workdir, memory_limit=limit)
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
