"""Where livebase's ``build_segments`` spends its time (a diagnostic, not a contender).

    python bench/profile_livebase.py PAYMENTS.parquet AS_OF [--workdir DIR]

Loads the payments as the benchmark does, then times the stages of ``build_segments`` one
by one with the functions it calls, each materialised as a temporary table:

- ``purchases``: the counted payments (the duplicate-payment rule is a window over
  customer, product and amount: every payment is sorted), computed once per build;
- ``rfm_values``: counted purchases → R, F, M per customer;
- ``score``: the three quantile scores over the values;
- ``top: checks and aggregates``: the top flag's checks of the window and their
  per-customer aggregates (both materialised, as ``build_segments`` does);
- ``top: cut-offs and flags``: the P75/P80 cut-offs and the flags;
- ``build_segments``: the whole thing, as the benchmark times it, including writing the
  ``rfm`` and ``segments`` marts and the summary.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("payments", type=Path)
    p.add_argument("as_of", type=date.fromisoformat)
    p.add_argument("--workdir", type=Path, default=None)
    a = p.parse_args(argv)
    path = a.payments.resolve()

    from livebase.metrics.purchases import purchases
    from livebase.metrics.rfm import day_end, rfm_values, score
    from livebase.segments.build import build_segments
    from livebase.segments.top import TopRule, _cutoffs, _per_customer
    from livebase.store.workspace import Workspace

    root = Path(tempfile.mkdtemp(prefix="livebase-profile-", dir=a.workdir or path.parent))
    stages: dict[str, float] = {}

    def timed(name: str, fn):
        t = time.perf_counter()
        out = fn()
        stages[name] = round(time.perf_counter() - t, 2)
        return out

    try:
        ws = Workspace.init(root / "school")
        con, rules, as_of = ws.con, ws.config.purchase_rules, a.as_of
        timed(
            "load: INSERT … read_parquet",
            lambda: con.raw_sql(
                "INSERT INTO orders (customer_id, order_id, paid_at, amount, status, category) "
                "SELECT customer_id, order_id, paid_at, amount, status, category "
                f"FROM read_parquet('{path}')"
            ),
        )
        source = timed(
            "purchases (counted payments, once)",
            lambda: purchases(con, rules, until=day_end(as_of)).cache(),
        )
        values = timed(
            "rfm_values (purchases → R, F, M)",
            lambda: rfm_values(con, as_of, rules=rules, source=source).cache(),
        )
        timed("score (3 quantile scores of the values)", lambda: score(values).cache())
        rule = TopRule()
        checks, agg, per = timed(
            "top: checks and per-customer aggregates",
            lambda: _per_customer(con, as_of, rules, rule, source),
        )
        timed(
            "top: cut-offs and flags",
            lambda: (_cutoffs(checks, agg, rule), per.cache()),
        )
        source = values = checks = agg = per = None  # drop the temporary tables
        timed("build_segments (whole, marts written)", lambda: build_segments(ws, as_of))
        ws.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"stages": stages, "peak_rss_mib": round(peak, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
