"""Fill the ``rfm`` and ``segments`` marts for an as-of date and summarise them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import ibis

from livebase.engine import transaction
from livebase.errors import InsufficientData
from livebase.metrics.rfm import compute_rfm
from livebase.segments.segment_map import SegmentMap, assign_segments, default_map
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


def build_segments(
    ws: Workspace, as_of: dt.date, *, smap: SegmentMap | None = None
) -> list[SegmentRow]:
    smap = smap or default_map()
    cfg = ws.config
    rfm = compute_rfm(
        ws.con,
        as_of,
        rules=cfg.purchase_rules,
        window_months=cfg.rfm.window_months,
        bins=cfg.rfm.bins,
    )
    with transaction(ws.con):
        n = replace_where(ws.con, "rfm", {"as_of": as_of, "version": "monetary"}, rfm)
        if n == 0:
            raise InsufficientData(f"no customer has a purchase on or before {as_of}")
        stored = ws.table("rfm")
        stored = stored.filter((stored.as_of == as_of) & (stored.version == "monetary"))
        replace_where(ws.con, "segments", {"as_of": as_of}, assign_segments(stored, smap))
    return segment_summary(ws, as_of, smap)


def segment_summary(ws: Workspace, as_of: dt.date, smap: SegmentMap | None = None):
    smap = smap or default_map()
    r = ws.table("rfm")
    s = ws.table("segments")
    r = r.filter((r.as_of == as_of) & (r.version == "monetary"))
    s = s.filter(s.as_of == as_of)
    j = s.join(r, "customer_id")
    agg = (
        j.group_by("segment")
        .aggregate(
            customers=j.customer_id.count(),
            revenue=j.monetary.sum(),
            mean_recency=j.recency_days.mean(),
            mean_frequency=j.frequency.mean(),
            mean_monetary=j.monetary.mean(),
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
