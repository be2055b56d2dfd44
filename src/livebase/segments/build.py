"""Fill the ``rfm`` and ``segments`` marts for an as-of date and summarise them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import ibis

from livebase.engine import transaction
from livebase.errors import InsufficientData
from livebase.faults import fault
from livebase.metrics.purchases import purchases
from livebase.metrics.rfm import ScaleNote, compute_rfm, day_end, scale_notes
from livebase.segments.segment_map import SegmentMap, assign_segments, default_map
from livebase.segments.top import top_flags
from livebase.store.workspace import Workspace
from livebase.store.write import replace_where


@dataclass(frozen=True)
class SegmentRow:
    segment: str
    customers: int
    share: float
    revenue: Decimal
    revenue_share: float | None
    mean_recency: float
    mean_frequency: float
    mean_monetary: Decimal


def last_data_date(ws: Workspace) -> dt.date:
    """The day of the latest order in the store: the default as-of date, never the clock."""
    o = ws.table("orders")
    last = ibis.coalesce(o.paid_at, o.created_at).max().to_pyarrow().as_py()
    if last is None:
        raise InsufficientData("no orders in the store: import an orders export first")
    return last.date()


def _flags(
    ws: Workspace,
    rfm: ibis.Table,
    as_of: dt.date,
    version: str,
    source: ibis.Table | None = None,
) -> ibis.Table:
    """``rfm`` with the flag columns segment maps may use (``source``: the counted
    purchases, when already computed)."""
    c = ws.table("customers").select(
        "customer_id",
        is_corporate=ibis._.is_corporate.fill_null(False),
        has_child=ibis._.child_birth_date.notnull(),
    )
    cols = list(rfm.columns)
    out = rfm.left_join(c, "customer_id").select(*cols, "is_corporate", "has_child")
    if version == "monetary":
        top = top_flags(ws.con, as_of, rules=ws.config.purchase_rules, source=source)
        out = out.left_join(top, "customer_id").select(
            *out.columns, is_top=ibis.coalesce(top.is_top, False)
        )
    else:
        out = out.mutate(is_top=ibis.null("boolean"))
    return out


def build_segments(
    ws: Workspace,
    as_of: dt.date,
    *,
    smap: SegmentMap | None = None,
    version: str = "monetary",
    window: tuple[int, str] | None = None,
) -> list[SegmentRow]:
    """Compute RFM (scored by the workspace's settings) and segments for ``as_of``,
    replacing that date's rows of the version, and return the summary."""
    smap = smap or default_map()
    cfg = ws.config.rfm
    rules = ws.config.purchase_rules
    # the counted purchases feed RFM and the top flag: computed once per build (the
    # duplicate-payment rule sorts every payment) and dropped at the end
    source = (
        purchases(ws.con, rules, until=day_end(as_of)).cache() if version == "monetary" else None
    )
    try:
        rfm = compute_rfm(
            ws.con,
            as_of,
            rules=rules,
            window=window or (cfg.window_months, "m"),
            bins=cfg.bins,
            version=version,
            tie_policy=cfg.tie_policy,
            frequency=cfg.frequency,
            thresholds=cfg.thresholds,
            source=source,
        )
        what = "purchase" if version == "monetary" else "learning event"
        with transaction(ws.con):
            n = replace_where(ws.con, "rfm", {"as_of": as_of, "version": version}, rfm)
            if n == 0:
                raise InsufficientData(f"no customer has a {what} on or before {as_of}")
            fault("segment.write")
            stored = _stored_rfm(ws, as_of, version)
            segments = assign_segments(_flags(ws, stored, as_of, version, source), smap)
            replace_where(ws.con, "segments", {"as_of": as_of, "version": version}, segments)
    finally:
        if source is not None:
            source.release()
    return segment_summary(ws, as_of, smap, version=version)


def _stored_rfm(ws: Workspace, as_of: dt.date, version: str) -> ibis.Table:
    r = ws.table("rfm")
    return r.filter((r.as_of == as_of) & (r.version == version))


def rfm_scale_notes(ws: Workspace, as_of: dt.date, version: str = "monetary") -> list[ScaleNote]:
    """What the stored scores of ``as_of`` say about their own scales."""
    cfg = ws.config.rfm
    policy = "fixed" if cfg.thresholds else cfg.tie_policy
    return scale_notes(_stored_rfm(ws, as_of, version), bins=cfg.bins, tie_policy=policy)


def segment_summary(
    ws: Workspace, as_of: dt.date, smap: SegmentMap | None = None, *, version: str = "monetary"
) -> list[SegmentRow]:
    smap = smap or default_map()
    r = _stored_rfm(ws, as_of, version)
    s = ws.table("segments")
    s = s.filter((s.as_of == as_of) & (s.version == version))
    j = s.join(r, ["customer_id"])
    agg = (
        j.group_by("segment")
        .aggregate(
            customers=j.customer_id.count(),
            revenue=j.monetary.sum(),
            # AVG as float on every engine (Ibis maps a PostgreSQL AVG of integers or
            # decimals to float but reads back NUMERIC: ibis-project/ibis#11947)
            mean_recency=j.recency_days.cast("float64").mean(),
            mean_frequency=j.frequency.cast("float64").mean(),
            mean_monetary=j.monetary.cast("float64").mean(),
        )
        .to_pyarrow()
        .to_pylist()
    )
    total = sum(a["customers"] for a in agg)
    revenue = sum((a["revenue"] for a in agg), Decimal(0))
    order = {seg.id: i for i, seg in enumerate(smap.segments)}
    rows = [
        SegmentRow(
            a["segment"],
            a["customers"],
            a["customers"] / total if total else 0.0,
            a["revenue"],
            float(a["revenue"] / revenue) if revenue else None,
            a["mean_recency"],
            a["mean_frequency"],
            Decimal(a["mean_monetary"]).quantize(Decimal("0.01")),
        )
        for a in agg
    ]
    return sorted(rows, key=lambda x: order.get(x.segment, len(order)))


@dataclass(frozen=True)
class TopSummary:
    customers: int
    share: float
    revenue_share: float | None


def top_summary(ws: Workspace, as_of: dt.date) -> TopSummary:
    """How many customers carry the top flag on ``as_of`` and their share of revenue."""
    r = _stored_rfm(ws, as_of, "monetary")
    s = ws.table("segments")
    s = s.filter((s.as_of == as_of) & (s.version == "monetary"))
    j = s.join(r, ["customer_id"])
    row = (
        j.aggregate(
            n=j.count(),
            top=j.count(where=j.is_top.fill_null(False)),
            revenue=j.monetary.sum(),
            top_revenue=j.monetary.sum(where=j.is_top.fill_null(False)),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    n, top = row["n"] or 0, row["top"] or 0
    revenue, top_revenue = row["revenue"], row["top_revenue"] or Decimal(0)
    return TopSummary(top, top / n if n else 0.0, float(top_revenue / revenue) if revenue else None)


def crosstab(ws: Workspace, as_of: dt.date):
    """Customers by monetary segment (rows) and behavioural segment (columns) on
    ``as_of``; ``none`` where a customer has no purchase or no learning activity."""
    s = ws.table("segments").filter(ibis._.as_of == as_of)
    mon = s.filter(s.version == "monetary").select("customer_id", monetary=s.segment)
    beh = s.filter(s.version == "behavioural").select("customer_id", behavioural=s.segment)
    if beh.count().execute() == 0 or mon.count().execute() == 0:
        raise InsufficientData(
            f"both versions are needed on {as_of}: run `livebase segment --as-of {as_of}` "
            f"and `livebase segment --as-of {as_of} --version behavioural`"
        )
    j = mon.outer_join(beh, "customer_id")
    counts = (
        j.select(
            monetary=ibis.coalesce(j.monetary, ibis.literal("none")),
            behavioural=ibis.coalesce(j.behavioural, ibis.literal("none")),
        )
        .group_by(["monetary", "behavioural"])
        .aggregate(customers=ibis._.count())
        .to_pandas()
    )
    return counts.pivot_table(
        index="monetary", columns="behavioural", values="customers", fill_value=0
    ).astype(int)
