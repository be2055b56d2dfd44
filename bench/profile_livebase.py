"""Where livebase's ``build_segments`` spends its time (a diagnostic, not a contender).

    python bench/profile_livebase.py PAYMENTS.parquet AS_OF [--workdir DIR]

Loads the payments as the benchmark does, then times the stages of ``build_segments`` one
by one with its public functions, each materialised as a temporary table:

- ``purchases``: the counted payments (the duplicate-payment rule is a window over
  customer, product and amount: every payment is sorted);
- ``rfm_values``: purchases → R, F (distinct purchases), M per customer;
- ``score``: the three quantile scores over the already computed values;
- ``top_cutoffs``: the school's P75/P80 cut-offs of the top flag (two queries);
- ``top_flags``: the flags with the cut-offs given;
- ``build_segments``: the whole thing, as the benchmark times it.

``build_segments`` evaluates the counted purchases four times (``compute_rfm``, the two
``top_cutoffs`` queries and ``top_flags``). The what-if run materialises them once and
points those functions at the table (patched in this process only; livebase's source is
not changed) to measure what computing them once would save.

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

    import livebase.metrics.rfm as rfm_module
    import livebase.segments.top as top_module
    from livebase.metrics.purchases import purchases
    from livebase.metrics.rfm import day_end, rfm_values, score
    from livebase.segments.build import build_segments
    from livebase.segments.top import top_cutoffs, top_flags
    from livebase.store.workspace import Workspace

    root = Path(tempfile.mkdtemp(prefix="livebase-profile-", dir=a.workdir or path.parent))
    stages: dict[str, float] = {}
    whatif: dict[str, float] = {}

    def timed(into: dict, name: str, fn):
        t = time.perf_counter()
        out = fn()
        into[name] = round(time.perf_counter() - t, 2)
        return out

    try:
        ws = Workspace.init(root / "school")
        con, rules, as_of = ws.con, ws.config.purchase_rules, a.as_of
        until = day_end(as_of)
        timed(
            stages,
            "load: INSERT … read_parquet",
            lambda: con.raw_sql(
                "INSERT INTO orders (customer_id, order_id, paid_at, amount, status, category) "
                "SELECT customer_id, order_id, paid_at, amount, status, category "
                f"FROM read_parquet('{path}')"
            ),
        )

        def keep(name, expr):
            con.create_table(name, expr, temp=True, overwrite=True)

        timed(
            stages,
            "purchases (counted payments)",
            lambda: keep("_p", purchases(con, rules, until=until)),
        )
        timed(
            stages,
            "rfm_values (purchases → R, F, M)",
            lambda: keep("_v", rfm_values(con, as_of, rules=rules)),
        )
        timed(
            stages,
            "score (3 quantile scores of the values)",
            lambda: keep("_s", score(con.table("_v"))),
        )
        cut = timed(stages, "top_cutoffs (2 queries)", lambda: top_cutoffs(con, as_of, rules=rules))
        timed(
            stages,
            "top_flags (cut-offs given)",
            lambda: keep("_t", top_flags(con, as_of, rules=rules, cutoffs=cut)),
        )
        timed(stages, "build_segments (whole)", lambda: build_segments(ws, as_of))

        # what if the counted purchases were computed once per build?
        def cached(con, rules, *, until):
            t = con.table("_p")
            return t.filter(t.ts < until)

        rfm_module.purchases = cached
        top_module.purchases = cached
        timed(
            whatif,
            "purchases materialised once",
            lambda: keep("_p", purchases(con, rules, until=until)),
        )
        timed(whatif, "build_segments reading them", lambda: build_segments(ws, as_of))
        whatif["total"] = round(sum(whatif.values()), 2)
        ws.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"stages": stages, "whatif": whatif, "peak_rss_mib": round(peak, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
