import datetime as dt

import pandas as pd
import pytest
from tests.store_rows import put_orders

from livebase.config import ActivationSettings, WorkspaceConfig
from livebase.errors import InputError
from livebase.metrics.activation import (
    activation_by_cohort,
    activation_summary,
    data_ends,
    early_marker_summary,
    early_markers,
    newcomer_features,
    newcomers,
)
from livebase.store.write import upsert

AS_OF = dt.date(2025, 3, 31)
PERIOD = {"first_from": dt.date(2025, 1, 1), "first_to": dt.date(2025, 3, 31), "as_of": AS_OF}


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _activities(ws, rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "ts", "kind"])
    frame["ts"] = frame["ts"].map(_ts)
    frame["event_id"] = [f"a{i}" for i in range(len(frame))]
    upsert(ws.con, "activities", frame)


def _school(ws):
    """Six newcomers (a, b, d, e, f, g) and an old customer (c); see the derivations."""
    put_orders(
        ws,
        [
            # a: first purchase 10 Jan (day 0), another product on 5 Feb (day 26)
            {"customer_id": "a", "paid_at": "2025-01-10T10:00", "amount": 1000},
            {
                "customer_id": "a",
                "paid_at": "2025-02-05T10:00",
                "amount": 2000,
                "product_id": "course-b",
            },
            # b: one purchase on 20 Jan
            {"customer_id": "b", "paid_at": "2025-01-20T09:00", "amount": 1000},
            # c: a customer since December, not a newcomer; the last order of the data
            {"customer_id": "c", "paid_at": "2024-12-01T09:00", "amount": 1000},
            {"customer_id": "c", "paid_at": "2025-01-15T09:00", "amount": 1000},
            {"customer_id": "c", "paid_at": "2025-03-30T09:00", "amount": 700},
            {"customer_id": "c", "paid_at": "2025-04-10T09:00", "amount": 700},  # after as_of
            # d: a refunded order in January is not a purchase: first purchase 1 Feb
            # (plan p1); a repeat payment 3 days later is a duplicate, the installment of
            # the same plan on 20 Feb is not a next purchase
            {
                "customer_id": "d",
                "paid_at": "2025-01-05T09:00",
                "amount": 1000,
                "status": "refunded",
                "refunded_amount": 1000,
            },
            {"customer_id": "d", "paid_at": "2025-02-01T09:00", "amount": 1000, "plan_id": "p1"},
            {"customer_id": "d", "paid_at": "2025-02-04T09:00", "amount": 1000},
            {"customer_id": "d", "paid_at": "2025-02-20T09:00", "amount": 500, "plan_id": "p1"},
            # e, f: March newcomers
            {"customer_id": "e", "paid_at": "2025-03-10T09:00", "amount": 1000},
            {"customer_id": "f", "paid_at": "2025-03-28T09:00", "amount": 1000},
            # g: a second product the same day is a bundle; the next one is on day 43
            {"customer_id": "g", "paid_at": "2025-02-10T09:00", "amount": 1000},
            {
                "customer_id": "g",
                "paid_at": "2025-02-10T15:00",
                "amount": 2000,
                "product_id": "course-b",
            },
            {
                "customer_id": "g",
                "paid_at": "2025-03-25T09:00",
                "amount": 3000,
                "product_id": "course-c",
            },
        ],
    )
    _activities(
        ws,
        [
            ("a", "2025-01-10T11:00", "lesson_start"),  # day 0
            ("a", "2025-01-10T12:00", "lesson_finish"),  # day 0
            ("a", "2025-01-12T12:00", "lesson_finish"),  # day 2
            ("a", "2025-01-20T12:00", "homework_reviewed"),  # day 10
            ("b", "2025-01-19T12:00", "lesson_finish"),  # before the purchase: not counted
            ("b", "2025-01-20T08:00", "lesson_finish"),  # same day, before it: not counted
            ("b", "2025-01-25T12:00", "lesson_finish"),  # day 5
            ("b", "2025-02-10T12:00", "lesson_finish"),  # day 21
            ("d", "2025-02-01T10:00", "lesson_finish"),  # days 0, 1, 2
            ("d", "2025-02-02T10:00", "lesson_finish"),
            ("d", "2025-02-03T10:00", "lesson_finish"),
            ("d", "2025-02-20T10:00", "homework_reviewed"),  # day 19
            ("e", "2025-03-10T10:00", "lesson_finish"),  # days 0, 1
            ("e", "2025-03-11T10:00", "lesson_finish"),
            ("c", "2025-03-31T12:00", "login"),  # the activity data end here
            ("c", "2025-04-05T12:00", "login"),  # after as_of: ignored
        ],
    )


def test_data_ends_stop_at_as_of(ws):
    _school(ws)
    assert data_ends(ws, AS_OF) == (_ts("2025-03-31T12:00"), _ts("2025-03-30T09:00"))


def test_newcomers_are_first_counted_purchases_in_the_period(ws):
    _school(ws)
    nc = {r["customer_id"]: r for r in newcomers(ws, **PERIOD).to_pyarrow().to_pylist()}
    # c bought in December; d's January order was refunded: first purchase in February
    assert sorted(nc) == ["a", "b", "d", "e", "f", "g"]
    assert nc["d"]["first_day"] == dt.date(2025, 2, 1)
    assert nc["d"]["first_key"] == "p1"
    assert nc["d"]["cohort"] == dt.date(2025, 2, 1)


def test_features_per_newcomer(ws):
    _school(ws)
    t = newcomer_features(ws, **PERIOD).to_pandas().set_index("customer_id")

    def flag(c, col):
        v = t.loc[c, col]
        return None if pd.isna(v) else bool(v)

    # windows are complete when the data end date (31 Mar for activities, 30 Mar for
    # orders) is on or after day H: D7 needs a first day on or before 24 Mar (f, 28 Mar,
    # is excluded), D30 and result 30 on or before 1 Mar (e and f are excluded), the next
    # purchase (30 + 7 = 37 days) on or before 21 Feb by the orders (e and f excluded).
    assert [flag(c, "activated_7d") for c in "abdefg"] == [True, False, True, True, None, False]
    assert [flag(c, "activated_30d") for c in "abdefg"] == [True, True, True, None, None, False]
    assert [flag(c, "result_30d") for c in "abdefg"] == [True, False, True, None, None, False]
    assert [flag(c, "next_purchase_37d") for c in "abdefg"] == [
        True,  # a: another product on day 26
        False,
        False,  # d: a duplicate payment and an installment of the same plan
        None,
        None,
        False,  # g: a same-day bundle and a purchase on day 43
    ]
    # b: the two lessons before the purchase do not count; day 5 in D7, day 21 in D30
    assert t.loc[
        "b", ["lessons_7d", "active_days_7d", "lessons_30d", "active_days_30d"]
    ].tolist() == [1, 1, 2, 2]
    assert t.loc["a", "days_to_result"] == 10
    assert t.loc["d", "days_to_result"] == 19
    assert pd.isna(t.loc["b", "days_to_result"])


def test_summary_of_the_period(ws):
    _school(ws)
    s = activation_summary(ws, **PERIOD)
    assert s.newcomers == 6
    assert s.criteria == (("lessons_finished", 2), ("active_days", 2))
    d7, d30 = s.activated
    # D7: a (2 lessons on 2 days), d (3 on 3), e (2 on 2) of a, b, d, e, g; f excluded
    assert (d7.metric, d7.eligible, d7.reached, d7.excluded, d7.share) == (
        "activated_7d",
        5,
        3,
        1,
        0.6,
    )
    # D30: a, b (day 5 and day 21), d of a, b, d, g; e and f excluded
    assert (d30.eligible, d30.reached, d30.excluded, d30.share) == (4, 3, 2, 0.75)
    assert d30.ci is not None
    assert d30.ci[0] < 0.75 < d30.ci[1]
    # a reviewed homework on day 10, d on day 19, of a, b, d, g: 2 / 4, median 14.5
    assert (s.result.eligible, s.result.reached, s.result.share) == (4, 2, 0.5)
    assert s.median_days_to_result == 14.5
    # only a bought again within 37 days (day 26)
    np_ = s.next_purchase
    assert (np_.metric, np_.days, np_.eligible, np_.reached, np_.share) == (
        "next_purchase_37d",
        37,
        4,
        1,
        0.25,
    )


def test_by_cohort(ws):
    _school(ws)
    rows = activation_by_cohort(ws, **PERIOD)
    assert [(r.cohort, r.newcomers) for r in rows] == [
        (dt.date(2025, 1, 1), 2),  # a, b
        (dt.date(2025, 2, 1), 2),  # d, g
        (dt.date(2025, 3, 1), 2),  # e, f
    ]
    jan, feb, mar = rows
    assert (jan.activated[0].reached, jan.activated[0].eligible) == (1, 2)  # a
    assert (feb.activated[1].reached, feb.activated[1].eligible) == (1, 2)  # d
    # March: nobody's 30-day window is complete: no number, a reason
    assert mar.activated[1].share is None
    assert mar.activated[1].reason == "horizon_not_reached"
    assert mar.activated[1].excluded == 2
    assert mar.median_days_to_result is None
    assert (mar.activated[0].eligible, mar.activated[0].reached) == (1, 1)  # e


def test_configurable_definition(ws):
    _school(ws)
    # activated = a reviewed homework: a (day 10) and d (day 19) only within 30 days
    review = ActivationSettings(lessons_finished=0, active_days=0, reviewed_homework=1)
    s = activation_summary(ws, **PERIOD, settings=review)
    assert [(r.reached, r.eligible) for r in s.activated] == [(0, 5), (2, 4)]
    # any of 3 lessons / 2 active days in 7 days: a (2 days), d (3 and 3), e (2 days)
    either = ActivationSettings(lessons_finished=3, active_days=2, combine="any")
    s = activation_summary(ws, **PERIOD, settings=either)
    assert (s.activated[0].reached, s.activated[0].eligible) == (3, 5)
    # both: only d has 3 lessons in 7 days
    both = ActivationSettings(lessons_finished=3, active_days=2, combine="all")
    s = activation_summary(ws, **PERIOD, settings=both)
    assert (s.activated[0].reached, s.activated[0].eligible) == (1, 5)


def test_settings_live_in_the_workspace_config():
    assert WorkspaceConfig().activation.windows_days == [7, 30]
    with pytest.raises(ValueError, match="at least one"):
        ActivationSettings(lessons_finished=0, active_days=0)
    with pytest.raises(ValueError, match="ascending"):
        ActivationSettings(windows_days=[30, 7])


def test_early_markers_against_the_cohort_median(ws):
    _school(ws)
    t = early_markers(ws, **PERIOD).to_pandas().set_index("customer_id")
    # January: a (2 lessons, 2 days, first lesson day 0) and b (1, 1, day 5): medians
    # 1.5, 1.5 and 2.5; b is below on all three
    assert t.loc[
        "a", ["median_lessons", "median_active_days", "median_days_to_first_lesson"]
    ].tolist() == [1.5, 1.5, 2.5]
    assert t.loc["b", "flags"] == 3
    assert t.loc["a", "flags"] == 0
    # February: d (3, 3, day 0) and g (nothing: no lesson counts as 7 days): medians 1.5,
    # 1.5, 3.5; g is flagged three times
    assert t.loc["g", ["lessons", "active_days"]].tolist() == [0, 0]
    assert pd.isna(t.loc["g", "days_to_first_lesson"])
    assert t.loc["g", "median_days_to_first_lesson"] == 3.5
    assert t.loc["g", "flags"] == 3
    # March: f's 7 days are not over: no flags and no part in the median (e's values)
    assert not t.loc["f", "complete"]
    assert pd.isna(t.loc["f", "below_lessons"])
    assert t.loc["e", ["median_lessons", "median_active_days"]].tolist() == [2.0, 2.0]
    assert t.loc["e", "flags"] == 0
    s = early_marker_summary(ws, **PERIOD)
    assert [(r.cohort.month, r.newcomers, r.complete, r.any_flag) for r in s] == [
        (1, 2, 2, 1),
        (2, 2, 2, 1),
        (3, 2, 1, 0),
    ]
    assert (s[0].below_lessons, s[0].below_active_days, s[0].slower_first_lesson) == (1, 1, 1)


def test_without_activity_data_activation_is_not_zero(ws):
    put_orders(ws, [{"customer_id": "x", "paid_at": "2025-01-10T10:00", "amount": 1000}])
    s = activation_summary(ws, **PERIOD)
    assert s.newcomers == 1
    assert all(r.share is None and r.reason == "no_activity_data" for r in s.activated)
    assert s.result.reason == "no_activity_data"
    # orders end on 10 Jan: the 37 days are not over
    assert s.next_purchase.reason == "horizon_not_reached"


def test_no_newcomers_and_bad_periods(ws):
    _school(ws)
    s = activation_summary(
        ws, first_from=dt.date(2024, 6, 1), first_to=dt.date(2024, 6, 30), as_of=AS_OF
    )
    assert s.newcomers == 0
    assert s.activated[0].reason == "no_newcomers"
    assert (
        activation_by_cohort(
            ws, first_from=dt.date(2024, 6, 1), first_to=dt.date(2024, 6, 30), as_of=AS_OF
        )
        == ()
    )
    with pytest.raises(InputError, match="after the as-of date"):
        activation_summary(
            ws, first_from=dt.date(2025, 1, 1), first_to=dt.date(2025, 4, 30), as_of=AS_OF
        )
    with pytest.raises(InputError, match="starts"):
        activation_summary(
            ws, first_from=dt.date(2025, 2, 1), first_to=dt.date(2025, 1, 1), as_of=AS_OF
        )
