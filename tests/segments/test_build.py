import datetime as dt

from tests.store_rows import put_orders

from livebase.segments.build import build_segments, last_data_date
from livebase.segments.segment_map import SegmentMap
from livebase.store.invariants import check

AS_OF = dt.date(2025, 5, 5)


def _base(ws):
    rows = []
    # recency 0..400 days for 40 customers, one to four purchases each
    for i in range(40):
        day = AS_OF - dt.timedelta(days=10 * i)
        for k in range(1 + i % 4):
            rows.append(
                {
                    "customer_id": f"c{i:02d}",
                    "amount": 1000 * (1 + k),
                    "product_id": f"p{k}",
                    "paid_at": dt.datetime.combine(day - dt.timedelta(days=k * 40), dt.time(12)),
                }
            )
    put_orders(ws, rows)


def test_every_customer_gets_exactly_one_segment(ws):
    _base(ws)
    assert last_data_date(ws) == AS_OF
    rows = build_segments(ws, AS_OF)
    assert sum(r.customers for r in rows) == 40
    assert check(ws) == {}
    seg = ws.table("segments").to_pandas().set_index("customer_id")
    # c09: 90 days → warm; c18: 180 → cooled; c27: 270 → long sleep; c00: 0 days
    assert seg.loc["c09", "segment"] == "sleeping_warm"
    assert seg.loc["c09", "sleep_tier"] == "R90"
    assert seg.loc["c18", "segment"] == "sleeping_cooled"
    assert seg.loc["c27", "segment"] == "sleeping_long"
    assert seg.loc["c27", "sleep_tier"] == "R270"
    assert seg["sleep_tier"].isna()["c08"]
    assert seg.loc["c09", "rule"] == "sleeping_warm: 90≤recency_days≤179"
    # rebuilding the same date replaces, never doubles
    build_segments(ws, AS_OF)
    assert ws.table("segments").count().execute() == 40
    assert ws.table("rfm").count().execute() == 40


def test_invariant_catches_a_customer_without_segment(ws):
    _base(ws)
    build_segments(ws, AS_OF)
    ws.con.raw_sql("DELETE FROM segments WHERE customer_id = 'c01'")
    assert check(ws) == {"segments_one_per_customer": 1}


def test_map_without_catch_all_shows_unmatched(ws):
    _base(ws)
    smap = SegmentMap.model_validate(
        {
            "segments": [
                {"id": "recent", "name": {"en": "Recent"}, "when": {"recency_days": {"max": 89}}}
            ]
        }
    )
    build_segments(ws, AS_OF, smap=smap)
    s = ws.table("segments")
    got = s.group_by("segment").aggregate(n=s.count()).to_pandas().set_index("segment").n
    assert got.to_dict() == {"recent": 9, "unmatched": 31}
