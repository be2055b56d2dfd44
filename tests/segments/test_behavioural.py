import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from tests.store_rows import put_orders

from livebase.errors import InsufficientData
from livebase.metrics.rfm import behavioural_values
from livebase.segments.build import build_segments, crosstab
from livebase.store.invariants import check
from livebase.store.write import upsert

AS_OF = dt.date(2025, 5, 5)


def _events(ws, rows):
    frame = pd.DataFrame(
        [
            {"event_id": f"e{i}", "customer_id": c, "kind": k, "ts": dt.datetime.fromisoformat(ts)}
            for i, (c, k, ts) in enumerate(rows)
        ]
    )
    upsert(ws.con, "activities", frame)
    upsert(ws.con, "customers", pd.DataFrame({"customer_id": sorted(frame.customer_id.unique())}))


def test_behavioural_values(ws):
    _events(
        ws,
        [
            ("a", "lesson_start", "2025-05-05 09:00"),
            ("a", "lesson_finish", "2025-05-05 09:40"),  # same day: one active day
            ("a", "module_finish", "2025-04-01 10:00"),
            ("a", "login", "2025-05-05 12:00"),  # a login is not learning
            ("b", "webinar_attended", "2024-01-10 19:00"),  # outside the 12-month window
            ("c", "login", "2025-05-01 10:00"),  # logins only: not in the behavioural RFM
        ],
    )
    v = behavioural_values(ws.con, AS_OF).order_by("customer_id").to_pandas()
    assert v.values.tolist() == [
        # R = 0 days; 2 learning days; 2 completed units (lesson_finish, module_finish)
        ["a", 0, 2, Decimal("2.00")],
        # 2024-01-10 → 2025-05-05 = 481 days; nothing inside the window
        ["b", 481, 0, Decimal("0.00")],
    ]


def test_both_versions_and_the_crosstab(ws):
    put_orders(
        ws,
        [
            {"customer_id": c, "amount": 1000, "paid_at": f"2025-0{m}-01 10:00"}
            for c, m in (("a", 5), ("b", 1), ("d", 4))
        ],
    )
    _events(
        ws,
        [
            ("a", "lesson_finish", "2025-05-03 10:00"),
            ("b", "lesson_finish", "2025-05-04 10:00"),
            ("c", "lesson_finish", "2024-09-01 10:00"),
        ],
    )
    with pytest.raises(InsufficientData, match="both versions"):
        crosstab(ws, AS_OF)
    build_segments(ws, AS_OF)
    build_segments(ws, AS_OF, version="behavioural")
    assert check(ws) == {}
    s = ws.table("segments").to_pandas()
    assert sorted(s[s.version == "behavioural"].customer_id) == ["a", "b", "c"]
    mon = s[s.version == "monetary"].set_index("customer_id")
    assert mon.segment["b"] == "sleeping_warm"  # bought 124 days ago
    beh = s[s.version == "behavioural"].set_index("customer_id")
    assert beh.segment["c"] == "sleeping_cooled"  # learnt 246 days ago (180–269)
    assert beh.is_top.isna().all()  # the top flag is a monetary notion
    table = crosstab(ws, AS_OF)
    assert int(table.to_numpy().sum()) == 4  # a, b, c, d once each
    assert table.loc["sleeping_warm"].sum() == 1
    assert table.loc["none"].sum() == 1  # c learns but never bought
    assert table["none"].sum() == 1  # d bought but never learnt
