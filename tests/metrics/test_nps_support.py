import datetime as dt

import pandas as pd
import pytest
from tests.store_rows import put_orders

from livebase.errors import InputError, InsufficientData
from livebase.experiments.nps import nps_from_counts
from livebase.metrics.nps_support import (
    latest_answers,
    nps_by_cohort,
    nps_by_segment,
    support_load,
)
from livebase.store.write import upsert

AS_OF = dt.date(2025, 6, 30)


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _answers(ws, rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "ts", "score"])
    frame["ts"] = frame["ts"].map(_ts)
    upsert(ws.con, "nps_responses", frame)


def _segments(ws, seg: dict[str, str], as_of=AS_OF):
    upsert(
        ws.con,
        "segments",
        pd.DataFrame(
            {
                "as_of": [as_of] * len(seg),
                "version": ["monetary"] * len(seg),
                "customer_id": list(seg),
                "segment": list(seg.values()),
                "rule": ["x"] * len(seg),
            }
        ),
    )


def _segment_school(ws):
    """Champions: 40 answers (30 promoters, 5 passives, 5 detractors); loyal: 10 (5, 2,
    3); two answering customers without a segment (one promoter, one detractor)."""
    champions = [f"c{i:02d}" for i in range(40)]
    loyal = [f"l{i}" for i in range(10)]
    _segments(ws, {**dict.fromkeys(champions, "champions"), **dict.fromkeys(loyal, "loyal")})
    _segments(ws, dict.fromkeys(champions, "lost"), as_of=dt.date(2025, 3, 31))  # other date
    scores = [10] * 30 + [8] * 5 + [3] * 5
    rows = [(c, "2025-05-01T10:00", s) for c, s in zip(champions, scores, strict=True)]
    rows += [
        (c, "2025-04-01T10:00", s) for c, s in zip(loyal, [9] * 5 + [7] * 2 + [6] * 3, strict=True)
    ]
    rows += [
        ("c00", "2025-02-01T10:00", 0),  # an older answer: the May 10 counts
        ("c01", "2025-07-01T10:00", 0),  # after as_of: ignored
        ("l9", "2024-12-31T10:00", 10),  # before the window (2 Jan – 30 Jun): ignored
        ("x1", "2025-06-30T23:00", 10),  # the last hour of as_of counts
        ("x2", "2025-01-02T00:00", 2),  # the first instant of the window counts
        ("x3", "2025-01-01T23:59", 10),  # the day before the window: ignored
    ]
    _answers(ws, rows)


def test_latest_answer_per_customer_in_the_window(ws):
    _segment_school(ws)
    t = latest_answers(ws, AS_OF, 180).to_pandas().set_index("customer_id")
    # 180 days ending on 30 June start on 2 January
    assert len(t) == 52  # 40 + 10 + x1 + x2; x3 answered on 1 January
    assert t.loc["c00", "score"] == 10
    assert t.loc["c01", "score"] == 10
    assert t.loc["l9", "score"] == 6
    with pytest.raises(InputError, match="lookback"):
        latest_answers(ws, AS_OF, 0)


def test_nps_per_segment(ws):
    _segment_school(ws)
    res = nps_by_segment(ws, AS_OF)
    assert res.since == dt.date(2025, 1, 2)
    assert [g.group for g in res.groups] == ["champions", "loyal", None]  # map order
    champions, loyal, none = (g.result for g in res.groups)
    # (30 − 5) / 40 = 62.5; the interval is nps_from_counts' (Wald, ≥ 30 answers)
    assert (champions.status, champions.n, champions.nps) == ("ok", 40, 62.5)
    assert champions.ci == nps_from_counts(30, 5, 5).ci
    # (5 − 3) / 10 = 20, too few answers for an interval
    assert (loyal.status, loyal.reason, loyal.nps, loyal.ci) == (
        "insufficient_data",
        "too_few_answers",
        20.0,
        None,
    )
    # x1 promoter, x2 detractor: 0
    assert (none.n, none.nps) == (2, 0.0)
    # all 52: promoters 30 + 5 + 1 = 36, detractors 5 + 3 + 1 = 9: 27 / 52 = 51.92
    assert (res.total.n, res.total.promoters, res.total.detractors) == (52, 36, 9)
    assert res.total.nps == pytest.approx(2700 / 52)


def test_nps_per_segment_needs_the_mart(ws):
    _segment_school(ws)
    with pytest.raises(InsufficientData, match="livebase segment"):
        nps_by_segment(ws, dt.date(2025, 5, 31))


def test_nps_per_cohort(ws):
    put_orders(
        ws,
        [
            {"customer_id": "p1", "paid_at": "2025-01-10T10:00", "amount": 1000},
            {"customer_id": "p1", "paid_at": "2025-03-10T10:00", "amount": 900},
            {"customer_id": "p2", "paid_at": "2025-01-20T10:00", "amount": 1000},
            {"customer_id": "p3", "paid_at": "2025-01-31T23:00", "amount": 1000},
            {"customer_id": "q1", "paid_at": "2025-03-01T00:00", "amount": 1000},
            # a refunded order is not a purchase: q2's cohort is April
            {
                "customer_id": "q2",
                "paid_at": "2025-02-10T10:00",
                "amount": 1000,
                "status": "refunded",
                "refunded_amount": 1000,
            },
            {"customer_id": "q2", "paid_at": "2025-04-10T10:00", "amount": 1000},
        ],
    )
    _answers(
        ws,
        [
            ("p1", "2025-06-01T10:00", 10),
            ("p2", "2025-06-01T10:00", 9),
            ("p3", "2025-06-01T10:00", 5),
            ("q1", "2025-06-01T10:00", 7),
            ("q2", "2025-06-01T10:00", 0),
            ("z", "2025-06-01T10:00", 10),  # no purchase
        ],
    )
    res = nps_by_cohort(ws, AS_OF)
    got = [(g.group, g.result.n, g.result.nps) for g in res.groups]
    assert got == [
        (dt.date(2025, 1, 1), 3, pytest.approx(100 / 3)),  # (2 − 1) / 3
        (dt.date(2025, 3, 1), 1, 0.0),
        (dt.date(2025, 4, 1), 1, -100.0),
        (None, 1, 100.0),
    ]
    assert all(g.result.reason == "too_few_answers" for g in res.groups)
    # 3 promoters, 1 passive, 2 detractors of 6
    assert res.total.nps == pytest.approx(100 / 6)


def test_support_load_per_month(ws):
    put_orders(
        ws,
        [
            {"customer_id": "g", "paid_at": "2024-12-15T10:00", "amount": 1000},
            {"customer_id": "a", "paid_at": "2025-01-10T10:00", "amount": 1000},
            {
                "customer_id": "d",
                "paid_at": "2025-02-10T10:00",
                "amount": 1000,
                "status": "refunded",
                "refunded_amount": 1000,
            },
            {"customer_id": "b", "paid_at": "2025-03-01T10:00", "amount": 1000},
        ],
    )
    acts = pd.DataFrame(
        [
            ("b", "2025-01-05T10:00", "lesson_finish"),
            ("a", "2025-01-20T10:00", "lesson_finish"),  # a bought in January too
            ("c", "2025-01-21T10:00", "login"),  # not learning: not active
            ("a", "2025-02-03T10:00", "lesson_start"),
            ("e", "2025-03-10T10:00", "lesson_finish"),
            ("f", "2025-03-20T10:00", "lesson_finish"),  # after as_of
        ],
        columns=["customer_id", "ts", "kind"],
    )
    acts["ts"] = acts["ts"].map(_ts)
    acts["event_id"] = [f"a{i}" for i in range(len(acts))]
    upsert(ws.con, "activities", acts)
    tickets = pd.DataFrame(
        [
            ("n", "2024-11-20T10:00", "question"),  # the first ticket in the store
            ("a", "2025-01-11T10:00", "access"),
            ("a", "2025-01-12T10:00", "payment"),
            ("z", "2025-01-13T10:00", "question"),  # not an active customer: counts
            ("b", "2025-03-02T10:00", "access"),
            ("e", "2025-03-11T10:00", "question"),
            ("f", "2025-03-20T10:00", "question"),  # after as_of
        ],
        columns=["customer_id", "ts", "kind"],
    )
    tickets["ts"] = tickets["ts"].map(_ts)
    upsert(ws.con, "tickets", tickets)

    rows = support_load(ws, as_of=dt.date(2025, 3, 15), months=6)
    got = [
        (r.month.isoformat()[:7], r.tickets, r.active, r.per_1000, r.partial, r.reason)
        for r in rows
    ]
    assert got == [
        # before the first ticket: not covered
        ("2024-10", 0, 0, None, False, "no_ticket_data"),
        # one ticket, nobody active
        ("2024-11", 1, 0, None, False, "no_active_customers"),
        # g bought, no ticket: a real 0
        ("2024-12", 0, 1, 0.0, False, None),
        # a (purchase, lesson) and b (lesson); 3 tickets: 3 / 2 × 1000
        ("2025-01", 3, 2, 1500.0, False, None),
        # a learned; d's refunded order is not a purchase: 0 / 1
        ("2025-02", 0, 1, 0.0, False, None),
        # b bought, e learned, up to 15 March: 2 / 2 × 1000
        ("2025-03", 2, 2, 1000.0, True, None),
    ]
    # later: March is complete (f's ticket and lesson count), April and May have no tickets
    later = support_load(ws, as_of=dt.date(2025, 5, 31), months=3)
    assert [(r.tickets, r.active, r.per_1000, r.partial, r.reason) for r in later] == [
        (3, 3, 1000.0, False, None),
        (0, 0, None, False, "no_ticket_data"),
        (0, 0, None, False, "no_ticket_data"),
    ]
    with pytest.raises(InputError, match="at least one month"):
        support_load(ws, as_of=dt.date(2025, 3, 15), months=0)


def test_support_load_without_tickets(ws):
    put_orders(ws, [{"customer_id": "a", "paid_at": "2025-01-10T10:00", "amount": 1000}])
    (jan,) = support_load(ws, as_of=dt.date(2025, 1, 31), months=1)
    assert (jan.tickets, jan.active, jan.per_1000, jan.status, jan.reason) == (
        0,
        1,
        None,
        "insufficient_data",
        "no_ticket_data",
    )
