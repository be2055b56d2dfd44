"""Touch paths on tiny literal stores: window, strictness, views, ties and waves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from livebase.attribution import PATH_COLUMNS, touch_paths
from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.store.write import upsert
from tests.store_rows import put_orders

RULES = PurchaseRules()
START = dt.datetime(2025, 3, 1)
END = dt.datetime(2025, 4, 1)
PERIOD = {"start": START, "end": END, "rules": RULES}


def put_messages(ws, rows: list[tuple]) -> None:
    """Rows (event_id, customer_id, ts, channel, event[, campaign_id, wave_id, offer_type])."""
    frame = []
    for row in rows:
        event_id, customer, ts, channel, event, *rest = row
        campaign, wave, offer = ([*rest, None, None, None])[:3]
        frame.append(
            {
                "event_id": event_id,
                "customer_id": customer,
                "ts": dt.datetime.fromisoformat(ts),
                "channel": channel,
                "event": event,
                "campaign_id": campaign,
                "wave_id": wave,
                "arm": None if wave is None else "value",
                "offer_type": offer,
            }
        )
    upsert(ws.con, "messages", pd.DataFrame(frame))


def order(order_id: str, customer: str, paid_at: str, amount: float, **extra) -> dict:
    """An order row for ``put_orders``; each order its own product (no duplicate payments)."""
    row = {"order_id": order_id, "customer_id": customer, "paid_at": paid_at, "amount": amount}
    return {"product_id": f"p-{order_id}", **row, **extra}


def _path(paths: pd.DataFrame, order_id: str) -> list[tuple]:
    rows = paths[paths["order_id"] == order_id]
    cols = [rows[c] for c in ("event_id", "kind", "position", "path_length")]
    return list(zip(*cols, strict=True))


def test_window_is_inclusive_at_the_start_and_strict_at_the_payment(ws):
    # paid 10 Mar 12:00, window 14 days: touchpoints in [24 Feb 12:00, 10 Mar 12:00)
    put_orders(ws, [order("o1", "c1", "2025-03-10 12:00", 1000)])
    put_messages(
        ws,
        [
            ("e1", "c1", "2025-03-01 10:00", "email", "clicked"),  # inside
            ("e2", "c1", "2025-02-24 11:59", "sms", "clicked"),  # a minute too early
            ("e3", "c1", "2025-02-24 12:00", "push", "clicked"),  # exactly 14 days: counts
            ("e4", "c1", "2025-03-10 12:00", "messenger", "clicked"),  # at payment: no
            ("e5", "c1", "2025-03-11 09:00", "email", "clicked"),  # after payment
            ("e6", "c1", "2025-03-05 09:00", "email", "opened"),  # not a click
            ("e7", "c2", "2025-03-05 09:00", "email", "clicked"),  # someone else
        ],
    )
    paths = touch_paths(ws.con, **PERIOD)
    assert list(paths.columns) == list(PATH_COLUMNS)
    # e3 (24 Feb) before e1 (1 Mar); n = 2
    assert _path(paths, "o1") == [("e3", "click", 0, 2), ("e1", "click", 1, 2)]
    assert paths["channel"].tolist() == ["push", "email"]
    assert paths["revenue"].tolist() == [Decimal("1000.00")] * 2
    assert isinstance(paths["revenue"].iloc[0], Decimal)
    assert paths["paid_at"].iloc[0] == pd.Timestamp("2025-03-10 12:00")
    # 10 days back is 28 Feb 12:00: e1 (1 Mar) stays, e3 (24 Feb) drops out
    assert touch_paths(ws.con, **PERIOD, window_days=10)["event_id"].tolist() == ["e1"]
    # 3 days back is 7 Mar 12:00: nothing is left
    assert touch_paths(ws.con, **PERIOD, window_days=3).empty


def test_ties_in_time_are_broken_by_event_id(ws):
    put_orders(ws, [order("o1", "c1", "2025-03-10 12:00", 10)])
    put_messages(
        ws,
        [
            ("m-b", "c1", "2025-03-09 08:00", "sms", "clicked"),
            ("m-a", "c1", "2025-03-09 08:00", "email", "clicked"),
            ("m-0", "c1", "2025-03-09 07:00", "push", "clicked"),
        ],
    )
    paths = touch_paths(ws.con, **PERIOD)
    # 07:00 first; the two at 08:00 ordered m-a < m-b
    assert paths["event_id"].tolist() == ["m-0", "m-a", "m-b"]
    assert paths["position"].tolist() == [0, 1, 2]


def test_only_paid_counted_orders_of_the_period_have_paths(ws):
    put_orders(
        ws,
        [
            order("in", "c1", "2025-03-01 00:00", 10),
            order("at_end", "c1", "2025-04-01 00:00", 10),
            order("before", "c1", "2025-02-28 23:59", 10),
            order("refunded", "c1", "2025-03-05 00:00", 10, status="refunded", refunded_amount=10),
            order("cancelled", "c1", "2025-03-05 00:00", 10, status="cancelled"),
            order("webinar", "c1", "2025-03-06 00:00", 10, category="webinar"),
            order("free", "c1", "2025-03-07 00:00", 0),
        ],
    )
    put_messages(ws, [("e1", "c1", "2025-02-27 10:00", "email", "clicked")])
    paths = touch_paths(ws.con, **PERIOD)
    # the click (27 Feb) is in the window of every order of the period, but only "in" is a
    # paid order of [1 Mar, 1 Apr): "before" is outside, "at_end" at the excluded end,
    # refunded, cancelled, webinar (not a purchase category) and zero orders do not count
    assert paths["order_id"].tolist() == ["in"]


def test_impressions_count_only_on_view_through_channels_one_per_campaign_and_day(ws):
    # paid 10 Mar 12:00; window starts 24 Feb 12:00
    put_orders(ws, [order("o1", "c1", "2025-03-10 12:00", 500)])
    put_messages(
        ws,
        [
            ("i1", "c1", "2025-03-08 09:00", "retargeting", "impression", "k1"),
            ("i2", "c1", "2025-03-08 15:00", "retargeting", "impression", "k1"),  # same day
            ("i3", "c1", "2025-03-08 10:00", "retargeting", "impression", "k2"),  # campaign k2
            ("i4", "c1", "2025-03-09 09:00", "retargeting", "impression", "k1"),  # next day
            ("i5", "c1", "2025-02-24 10:00", "retargeting", "impression", "k3"),  # too early
            ("i6", "c1", "2025-02-24 13:00", "retargeting", "impression", "k3"),  # same day, in
            ("i7", "c1", "2025-03-09 10:00", "email", "impression", "k1"),  # not view-through
        ],
    )
    # by default impressions are no touchpoints: the order is unattributed
    assert touch_paths(ws.con, **PERIOD).empty
    paths = touch_paths(ws.con, **PERIOD, view_through=("retargeting",))
    # views: i6 (24 Feb, first of k3's day inside the window), i1 (k1, 8 Mar, i2 collapsed
    # into it), i3 (k2, 8 Mar), i4 (k1, 9 Mar); the email impression i7 does not count
    assert _path(paths, "o1") == [
        ("i6", "view", 0, 4),
        ("i1", "view", 1, 4),
        ("i3", "view", 2, 4),
        ("i4", "view", 3, 4),
    ]


def test_clicks_and_views_mix_in_one_path(ws):
    put_orders(ws, [order("o1", "c1", "2025-03-10 12:00", 500)])
    put_messages(
        ws,
        [
            ("c1", "c1", "2025-03-08 09:00", "retargeting", "clicked", "k1"),
            ("v1", "c1", "2025-03-08 08:00", "retargeting", "impression", "k1"),
            ("v2", "c1", "2025-03-08 10:00", "retargeting", "impression", "k1"),
        ],
    )
    paths = touch_paths(ws.con, **PERIOD, view_through=["retargeting"])
    # the click stays whole; the two impressions of k1 on 8 Mar are one view at 08:00
    assert _path(paths, "o1") == [("v1", "view", 0, 2), ("c1", "click", 1, 2)]


def test_wave_filter_keeps_only_that_waves_messages(ws):
    put_orders(
        ws,
        [
            order("o1", "c1", "2025-03-10 12:00", 100),
            order("o2", "c2", "2025-03-12 12:00", 100),
        ],
    )
    put_messages(
        ws,
        [
            ("e1", "c1", "2025-03-05 09:00", "email", "clicked", "k", "w1", "discount"),
            ("e2", "c1", "2025-03-08 09:00", "sms", "clicked", "k", "w2", "value"),
            ("e3", "c2", "2025-03-11 09:00", "push", "clicked", "k", "w2", "value"),
        ],
    )
    paths = touch_paths(ws.con, **PERIOD, wave_id="w1")
    assert _path(paths, "o1") == [("e1", "click", 0, 1)]
    assert paths[["wave_id", "arm", "offer_type"]].iloc[0].tolist() == ["w1", "value", "discount"]
    assert paths["order_id"].tolist() == ["o1"]
    everything = touch_paths(ws.con, **PERIOD)
    assert everything["event_id"].tolist() == ["e1", "e2", "e3"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start": END, "end": START}, "at or after it ends"),
        ({"window_days": 0}, "window_days"),
        ({"view_through": ("tv",)}, "unknown channel 'tv'"),
        ({"view_through": "retargeting"}, "not be the string"),
    ],
)
def test_impossible_arguments_are_input_errors(ws, kwargs, match):
    with pytest.raises(InputError, match=match):
        touch_paths(ws.con, **{**PERIOD, **kwargs})


def test_aware_bounds_are_taken_in_utc(ws):
    put_orders(ws, [order("o1", "c1", "2025-03-01 01:00", 10)])
    put_messages(ws, [("e1", "c1", "2025-02-28 10:00", "email", "clicked")])
    msk = dt.timezone(dt.timedelta(hours=3))
    # 1 Mar 03:00 Moscow is 1 Mar 00:00 UTC: the 01:00 UTC payment is in; 1 Mar 05:00
    # Moscow (02:00 UTC) as the start leaves it out
    inside = touch_paths(ws.con, start=dt.datetime(2025, 3, 1, 3, tzinfo=msk), end=END, rules=RULES)
    assert inside["order_id"].tolist() == ["o1"]
    later = dt.datetime(2025, 3, 1, 5, tzinfo=msk)
    assert touch_paths(ws.con, start=later, end=END, rules=RULES).empty
