"""Invariants of the store as queries that must return no rows (sqlmesh-style audits).

>>> from livebase.engine import connect
>>> import tempfile, pathlib
>>> from livebase.store.workspace import Workspace
>>> ws = Workspace.init(pathlib.Path(tempfile.mkdtemp()) / "s")
>>> check(ws)
{}
"""

from __future__ import annotations

from collections.abc import Callable

import ibis

from livebase.store.workspace import Workspace


def _segments_one_each(ws: Workspace) -> ibis.Table:
    """Every customer scored in ``rfm`` has exactly one segment for that date and
    version, and every segment row belongs to a scored customer."""
    r = ws.table("rfm").select("as_of", "version", "customer_id")
    s = ws.table("segments")
    keys = ["as_of", "version", "customer_id"]
    counts = s.group_by(keys).aggregate(n=s.count())
    j = r.outer_join(counts, keys)
    bad = j.filter(j.as_of.isnull() | j.n.isnull() | (j.n != 1))
    return bad.select(
        as_of=ibis.coalesce(bad.as_of, bad.as_of_right),
        customer_id=ibis.coalesce(bad.customer_id, bad.customer_id_right),
        n=bad.n,
    )


def _imports_balance(ws: Workspace) -> ibis.Table:
    """rows_in = rows_loaded + rows_rejected, and the rejects table holds them all."""
    i = ws.table("imports")
    r = ws.table("rejects").group_by("import_id").aggregate(stored=ibis._.count())
    j = i.left_join(r, "import_id")
    stored = j.stored.fill_null(0)
    bad = (j.rows_in != j.rows_loaded + j.rows_rejected) | (stored != j.rows_rejected)
    return j.filter(bad).select("import_id", "rows_in", "rows_loaded", "rows_rejected", stored)


def _orders_have_customers(ws: Workspace) -> ibis.Table:
    o = ws.table("orders")
    c = ws.table("customers")
    return o.anti_join(c, "customer_id").select("order_id", "customer_id")


def _unique_keys(table: str, key: tuple[str, ...]) -> Callable[[Workspace], ibis.Table]:
    def audit(ws: Workspace) -> ibis.Table:
        t = ws.table(table)
        g = t.group_by(list(key)).aggregate(n=t.count())
        return g.filter(g.n > 1)

    audit.__doc__ = f"{table}: one row per {', '.join(key)}"
    return audit


def _assigned_once(ws: Workspace) -> ibis.Table:
    a = ws.table("assignments")
    g = a.group_by(["wave_id", "customer_id"]).aggregate(n=a.count())
    return g.filter(g.n > 1)


AUDITS: dict[str, Callable[[Workspace], ibis.Table]] = {
    "segments_one_per_customer": _segments_one_each,
    "imports_balance": _imports_balance,
    "orders_have_customers": _orders_have_customers,
    "orders_unique": _unique_keys("orders", ("order_id",)),
    "customers_unique": _unique_keys("customers", ("customer_id",)),
    "messages_unique": _unique_keys("messages", ("event_id",)),
    "activities_unique": _unique_keys("activities", ("event_id",)),
    "assignments_once": _assigned_once,
}


def check(ws: Workspace) -> dict[str, int]:
    """Run every audit; returns {audit: number of bad rows} for the failing ones."""
    failures = {}
    for name, audit in AUDITS.items():
        n = int(audit(ws).count().execute())
        if n:
            failures[name] = n
    return failures
