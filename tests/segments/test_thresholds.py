import datetime as dt
from fractions import Fraction as Fr

import numpy as np
import pandas as pd
import pytest
from tests.conftest import SHARED_DATA
from tests.store_rows import put_orders

from livebase.ingest.pipeline import import_file
from livebase.segments.thresholds import (
    INSUFFICIENT,
    OK,
    cutoff_dates,
    recommend,
    score_row,
    threshold_report,
)

AS_OF = dt.date(2025, 3, 31)


def _at(days_before: int, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(AS_OF - dt.timedelta(days=days_before), dt.time(hour))


def _literal(ws):
    """Purchase days (days before AS_OF) and what must not count.

    a: 100, 90, 70, 30  -> intervals 10, 20, 40; open spell 30
    b: 80, 50           -> interval 30; open 50
    c: 200              -> open 200
    d: 60, 55           -> interval 5; open 55
    """
    rows = []
    for cust, days in {"a": [100, 90, 70, 30], "b": [80, 50], "c": [200], "d": [60, 55]}.items():
        for k, day in enumerate(days):
            rows.append(
                {"customer_id": cust, "amount": 1000, "product_id": f"p{k}", "paid_at": _at(day)}
            )
    rows += [
        # a second payment on a purchase day: the same day counts once
        {"customer_id": "a", "amount": 500, "product_id": "x", "paid_at": _at(90, 18)},
        # a refunded order, a zero order and a webinar are not purchase days
        {"customer_id": "b", "amount": 900, "status": "refunded", "paid_at": _at(65)},
        {"customer_id": "c", "amount": 0, "product_id": "free", "paid_at": _at(150)},
        {"customer_id": "c", "amount": 10, "category": "webinar", "paid_at": _at(120)},
        # after as_of: invisible
        {"customer_id": "c", "amount": 1000, "paid_at": _at(-1)},
    ]
    put_orders(ws, rows)


def test_intervals_and_curve_by_hand(ws):
    _literal(ws)
    rep = threshold_report(
        ws, AS_OF, bin_days=15, max_days=60, horizon_days=30, min_intervals=3, cutoff_count=1
    )
    iv = rep.intervals
    # intervals 5, 10, 20, 30, 40: median 20; P75 at position 3 -> 30; P90 at 3.6 -> 36
    assert (iv.customers, iv.intervals, iv.median, iv.p75, iv.p90) == (4, 5, 20.0, 30.0, 36.0)
    assert rep.suggested_window == (30.0, 40.0)

    # Kaplan–Meier over 9 spells: events at 5, 10, 20, 30, 40; censored at 30, 50, 55, 200.
    # S(5)=8/9, S(10)=7/9, S(20)=6/9, S(30)=6/9*5/6=5/9 (9 at risk less 3 events = 6,
    # then 5 left after the event at 30 and the censoring at 30: 4), S(40)=5/9*3/4=5/12.
    s = {0: Fr(1), 15: Fr(7, 9), 30: Fr(5, 9), 45: Fr(5, 12), 60: Fr(5, 12)}
    expected = [
        # day, silent, returned in (d, d+15], censored in [d, d+15), S(d),
        # 1 - S(d+15)/S(d), 1 - S(d+30)/S(d)
        (0, 9, 2, 0, s[0], 1 - s[15] / s[0], 1 - s[30] / s[0]),
        (15, 7, 2, 0, s[15], 1 - s[30] / s[15], 1 - s[45] / s[15]),
        (30, 5, 1, 1, s[30], 1 - s[45] / s[30], 1 - s[60] / s[30]),
        (45, 3, 0, 2, s[45], 0, 0),
        (60, 1, 0, 0, s[60], 0, 0),
    ]
    got = [
        (
            p.day,
            p.silent,
            p.returned,
            p.censored,
            p.survival,
            p.return_rate,
            p.return_within_horizon,
        )
        for p in rep.curve
    ]
    assert [g[:4] for g in got] == [e[:4] for e in expected]
    for g, e in zip(got, expected, strict=True):
        assert g[4:] == pytest.approx([float(x) for x in e[4:]])
    assert float(1 - s[30] / s[15]) == pytest.approx(2 / 7)

    # natural level: 5 returns over 5+10+20+30+40 + 30+50+55+200 = 440 silent days
    level = 1 - (1 - 5 / 440) ** 15
    assert rep.natural_level == pytest.approx(level)
    assert level == pytest.approx(0.158, abs=1e-3)
    # return rates 2/9, 2/7 (the peak), 1/4 stay above it; day 45 (3 silent spells) drops to 0
    assert rep.curve_sleep_day == 45


def test_backtest_by_hand(ws):
    _literal(ws)
    rep = threshold_report(
        ws, AS_OF, candidates=(45, 20), horizon_days=35, min_intervals=3, cutoff_count=1
    )
    # one cut-off, 35 days before AS_OF. Last purchase on or before it (days before the
    # cut-off): a 35 (buys again 5 days after it), b 15, c 165, d 20 -> positives b, c, d
    assert rep.cutoffs == (AS_OF - dt.timedelta(days=35),)
    w20, w45 = rep.backtest
    # W=20 flags a, c, d: right on c and d, wrong on a (who came back)
    assert (w20.base, w20.flagged, w20.positives, w20.true_positives) == (4, 3, 3, 2)
    assert (w20.precision, w20.recall, w20.share_flagged) == (2 / 3, 2 / 3, 0.75)
    assert w20.f1 == pytest.approx(2 / 3)
    assert (w20.specificity, w20.balanced_accuracy) == (0.0, 1 / 3)
    # W=45 flags c only
    assert (w45.flagged, w45.true_positives, w45.precision) == (1, 1, 1.0)
    assert w45.recall == pytest.approx(1 / 3)
    assert w45.f1 == pytest.approx(0.5)
    assert (w45.specificity, w45.balanced_accuracy) == (1.0, pytest.approx(2 / 3))
    # balanced accuracy 2/3 beats 1/3: W=45 (F1 alone would have picked 20)
    assert rep.recommended_window == 45
    assert [r.cutoff for r in rep.backtest_by_cutoff] == [rep.cutoffs[0]] * 2
    assert rep.status == OK


def test_by_first_purchase_category(ws):
    rows = []
    for i in range(4):
        cust = f"k{i}"
        first = "module" if i < 2 else "course"
        for k, day in enumerate([100, 100 - 10 * (i + 1), 20]):
            cat = first if k == 0 else "course"
            rows.append(
                {
                    "customer_id": cust,
                    "amount": 100 + k,
                    "category": cat,
                    "product_id": f"p{k}",
                    "paid_at": _at(day),
                }
            )
    put_orders(ws, rows)
    rep = threshold_report(ws, AS_OF, by_category=True, min_intervals=4)
    # k0, k1 first bought a module: intervals 10, 70 and 20, 60
    cats = {c.group: c for c in rep.by_category}
    assert set(cats) == {"course", "module"}
    assert (cats["module"].customers, cats["module"].intervals) == (2, 4)
    assert cats["module"].median == 40.0
    # k2, k3: intervals 30, 50 and 40, 40
    assert cats["course"].median == 40.0
    assert cats["course"].p90 == pytest.approx(40 + 0.7 * 10)  # position 2.7 of 30, 40, 40, 50


def test_insufficient_history(ws):
    rep = threshold_report(ws, AS_OF)
    assert rep.status == INSUFFICIENT
    assert "0 intervals" in rep.reason
    assert "no cut-off date" in rep.reason
    assert rep.intervals.median is None
    assert rep.suggested_window is None
    assert rep.natural_level is None
    assert rep.backtest == ()
    assert rep.recommended_window is None

    _literal(ws)
    rep = threshold_report(ws, AS_OF)  # 5 intervals < 30
    assert rep.status == INSUFFICIENT
    assert rep.reason == "5 intervals between purchase days (need at least 30)"
    assert rep.intervals.status == INSUFFICIENT
    assert rep.backtest  # the backtest still has cut-offs with customers


def test_no_cutoff_with_a_full_horizon(ws):
    put_orders(
        ws,
        [
            {"customer_id": f"n{i}", "amount": 100 + k, "product_id": f"p{k}", "paid_at": _at(d)}
            for i in range(20)
            for k, d in enumerate([40, 25, 10])
        ],
    )
    rep = threshold_report(ws, AS_OF)
    assert rep.intervals.intervals == 40
    assert rep.intervals.median == 15.0
    assert rep.status == INSUFFICIENT
    assert rep.reason.startswith("no cut-off date with a full 90-day horizon")
    assert rep.cutoffs == ()


def test_bad_arguments(ws):
    with pytest.raises(ValueError, match="candidate"):
        threshold_report(ws, AS_OF, candidates=())
    with pytest.raises(ValueError, match="positive"):
        threshold_report(ws, AS_OF, horizon_days=0)


def test_scoring_helpers():
    # nothing flagged: precision undefined, not 0
    row = score_row(60, None, base=10, flagged=0, positives=4, tp=0)
    assert (row.precision, row.f1, row.recall, row.share_flagged) == (None, None, 0.0, 0.0)
    # flagged but none right: a real F1 of 0
    assert score_row(60, None, 10, 3, 4, 0).f1 == 0.0
    a = score_row(90, None, 10, 4, 4, 3)
    b = score_row(60, None, 10, 4, 4, 3)
    assert recommend([a, b]) == 60
    assert recommend([row]) is None


def _reference_backtest(orders: pd.DataFrame, as_of, windows, horizon, count):
    """The backtest written plainly in pandas, from the same orders."""
    days = orders.loc[(orders.amount > 0) & (orders.day <= as_of), ["customer_id", "day"]]
    days = days.drop_duplicates()
    out = {}
    for cut in cutoff_dates(as_of, horizon, count):
        before = days[days.day <= cut].groupby("customer_id").day.max()
        after = days[(days.day > cut) & (days.day <= cut + dt.timedelta(days=horizon))]
        returned = before.index.isin(after.customer_id)
        recency = np.array([(cut - d).days for d in before])
        for w in windows:
            flag = recency >= w
            out[(cut, w)] = (
                len(before),
                int(flag.sum()),
                int((~returned).sum()),
                int((flag & ~returned).sum()),
            )
    return out


def test_backtest_matches_pandas(ws):
    rng = np.random.default_rng(7)
    rows = []
    for i in range(300):
        first = int(rng.integers(0, 700))
        n = int(rng.integers(1, 8))
        gaps = rng.geometric(1 / rng.choice([20, 60, 200]), size=n - 1)
        days = [first, *(first + np.cumsum(gaps)).tolist()]
        for k, d in enumerate(days):
            if d > 760:
                break
            rows.append(
                {
                    "customer_id": f"r{i:03d}",
                    "amount": 0 if rng.random() < 0.03 else 100 + k,
                    "product_id": f"p{k}",
                    "paid_at": dt.datetime(2023, 1, 1, 10) + dt.timedelta(days=int(d)),
                }
            )
    put_orders(ws, rows)
    as_of = dt.date(2025, 1, 15)
    windows = (30, 60, 90, 180)
    rep = threshold_report(ws, as_of, candidates=windows, horizon_days=60, cutoff_count=12)
    frame = pd.DataFrame(rows)
    frame["day"] = frame.paid_at.dt.date
    ref = _reference_backtest(frame, as_of, windows, 60, 12)
    got = {
        (r.cutoff, r.window_days): (r.base, r.flagged, r.positives, r.true_positives)
        for r in rep.backtest_by_cutoff
    }
    assert got == ref
    pooled = {r.window_days: r for r in rep.backtest}
    for w in windows:
        tp = sum(v[3] for (_, ww), v in ref.items() if ww == w)
        flagged = sum(v[1] for (_, ww), v in ref.items() if ww == w)
        assert pooled[w].precision == pytest.approx(tp / flagged)
    # the interval median equals pandas' median of the day gaps
    d = frame[(frame.amount > 0) & (frame.day <= as_of)][["customer_id", "day"]]
    d = d.drop_duplicates().sort_values(["customer_id", "day"])
    gaps = d.groupby("customer_id").day.diff().dropna().map(lambda x: x.days)
    assert rep.intervals.intervals == len(gaps)
    assert rep.intervals.median == gaps.median()
    assert rep.intervals.p90 == pytest.approx(gaps.quantile(0.9))


@pytest.mark.slow
def test_cdnow_master(ws):
    path = SHARED_DATA / "cdnow" / "CDNOW_master.txt"
    import_file(ws, path, "cdnow")
    # CDNOW records are purchases, not payments: nothing to collapse as a repeat payment
    rules = ws.config.purchase_rules.model_copy(update={"duplicate_payment_days": 0})
    as_of = dt.date(1998, 6, 30)
    rep = threshold_report(ws, as_of, rules=rules)

    raw = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str})
    raw = raw[raw.dollar_value > 0]
    raw["day"] = pd.to_datetime(raw.date, format="%Y%m%d")
    days = raw[["customer_id", "day"]].drop_duplicates().sort_values(["customer_id", "day"])
    gaps = days.groupby("customer_id").day.diff().dropna().dt.days
    assert rep.intervals.intervals == len(gaps) == 44_009
    assert rep.intervals.customers == days.customer_id.nunique()
    assert rep.intervals.median == gaps.median() == 34.0
    assert (rep.intervals.p75, rep.intervals.p90) == (gaps.quantile(0.75), gaps.quantile(0.9))
    assert 7 <= rep.intervals.median <= 180
    assert rep.suggested_window == (51.0, 68.0)

    assert rep.status == OK
    assert len(rep.cutoffs) == 12
    assert rep.cutoffs[-1] == as_of - dt.timedelta(days=90)
    shares = [r.share_flagged for r in rep.backtest]
    assert shares == sorted(shares, reverse=True)
    for r in (*rep.backtest, *rep.backtest_by_cutoff):
        assert r.base >= r.flagged >= r.true_positives
        assert 0 <= r.recall <= 1
        # early cut-offs: no one can be 270 days silent yet (the data start in 1997-01)
        assert (r.precision is None) == (r.flagged == 0)
        assert r.precision is None or 0 <= r.precision <= 1
    assert all(r.precision is not None for r in rep.backtest)
    assert rep.recommended_window in (60, 90, 120, 180, 270)

    survival = [p.survival for p in rep.curve if p.survival is not None]
    assert survival == sorted(survival, reverse=True)
    assert all(0 <= p.return_rate <= 1 for p in rep.curve if p.return_rate is not None)
    # the chance to come back fades with silence; the curve crosses the natural level
    assert rep.curve[0].return_rate > rep.natural_level > rep.curve[-2].return_rate
    assert rep.curve_sleep_day is not None
    assert 30 <= rep.curve_sleep_day <= 270
