"""Per-wave monitors on tiny literal stores; expected counts derived in the comments."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint

from livebase.config import PurchaseRules
from livebase.errors import InputError
from livebase.monitors.waves import complaints, overlap_active, unsubscribes
from tests.monitors.monitor_rows import D, T, put_messages, put_paid, put_touches, put_wave, sent

W = "R90-2025-03-01"
OTHER = "R180-2025-03-01"
RULES = PurchaseRules()
SENT_AT = T(2025, 3, 2, 9)


@pytest.fixture
def wave(ws):
    put_wave(ws, W, D(2025, 3, 1), 14)
    put_wave(ws, OTHER, D(2025, 3, 1), 14)
    return ws


# ---- overlap with active buyers -------------------------------------------------------


def _buyers(ws, *, at_since: bool = False) -> None:
    # the wave starts 2025-03-01 00:00 UTC; 30 days before is 2025-01-30 00:00
    rows = [
        ("c0", T(2025, 2, 10, 12), 1000),  # active, contacted
        ("c1", T(2025, 1, 29, 23), 1000),  # just before the 30 days: not active
        ("c2", T(2025, 3, 1, 0), 1000),  # at the wave's start: not before it
        ("c99", T(2025, 2, 20), 1000),  # active, never contacted
        # refunded: not a counted purchase
        ("c3", T(2025, 2, 15), 1000, 0, {"status": "refunded", "refunded_amount": 1000}),
    ]
    if at_since:
        rows.append(("c4", T(2025, 1, 30, 0), 1000))  # exactly 30 days before: active
    put_paid(ws, rows)


def test_overlap_at_the_threshold_is_ok(wave):
    # 50 contacted c0..c49, only c0 active: 1 / 50 = 2 % is not above 2 %
    put_messages(wave, sent(W, 50, SENT_AT) + sent(OTHER, 50, SENT_AT, prefix="x"))
    _buyers(wave)
    r = overlap_active(wave.con, W, rules=RULES, threshold=0.02)
    assert (r.status, r.numerator, r.denominator, r.value) == ("ok", 1, 50, 0.02)
    assert r.key == "overlap_active"
    assert r.scope == W
    assert r.detail["contacted_from"] == "messages"
    assert r.detail["active_since"] == "2025-01-30"
    assert not r.alerting


def test_overlap_over_the_threshold_alerts(wave):
    # c0 and c4 (bought exactly 30 days before the start) of 50: 4 % > 2 %
    put_messages(wave, sent(W, 50, SENT_AT))
    _buyers(wave, at_since=True)
    r = overlap_active(wave.con, W, rules=RULES, threshold=0.02)
    assert (r.status, r.numerator, r.denominator) == ("alert", 2, 50)
    assert r.alerting
    assert r.interval == pytest.approx(proportion_confint(2, 50, method="wilson"))


def test_overlap_counts_a_customer_sent_twice_once(wave):
    # c0 gets two e-mails: still 1 of 50 contacted
    put_messages(wave, [*sent(W, 50, SENT_AT), (W, "c0", "sent", T(2025, 3, 3))])
    _buyers(wave)
    r = overlap_active(wave.con, W, rules=RULES, threshold=0.02)
    assert (r.numerator, r.denominator) == (1, 50)


def test_overlap_shorter_active_window(wave):
    # active_days 10: since 2025-02-19; c0 bought 02-10, too early → 0 of 50
    put_messages(wave, sent(W, 50, SENT_AT))
    _buyers(wave)
    r = overlap_active(wave.con, W, rules=RULES, active_days=10, threshold=0.02)
    assert (r.status, r.numerator) == ("ok", 0)


def test_overlap_uses_planned_marketing_touches_before_anything_is_sent(wave):
    # nothing sent; marketing touches to c0..c9 (c10 only a service touch): 1 / 10 > 2 %
    put_touches(wave, W, [(f"c{i}", "marketing") for i in range(10)] + [("c99", "service")])
    _buyers(wave)
    r = overlap_active(wave.con, W, rules=RULES, threshold=0.02)
    assert (r.status, r.numerator, r.denominator) == ("alert", 1, 10)
    assert r.detail["contacted_from"] == "touches"


def test_overlap_without_contacts_is_insufficient(wave):
    _buyers(wave)
    put_messages(wave, sent(OTHER, 10, SENT_AT))
    r = overlap_active(wave.con, W, rules=RULES)
    assert (r.status, r.reason, r.value, r.interval) == (
        "insufficient_data",
        "nobody_contacted",
        None,
        None,
    )


def test_overlap_of_an_unknown_wave_is_an_input_error(wave):
    with pytest.raises(InputError, match="no wave"):
        overlap_active(wave.con, "nope", rules=RULES)


# ---- complaints -----------------------------------------------------------------------


def _complaints(ws, n_sent: int, who: list[str], **kw):
    put_messages(ws, sent(W, n_sent, SENT_AT) + [(W, c, "complained", T(2025, 3, 5)) for c in who])
    return complaints(ws.con, W, threshold=0.001, **kw)


@pytest.mark.parametrize(
    ("n_sent", "who", "status"),
    [
        (1000, ["c1", "c2"], "alert"),  # 2 / 1000 = 0.2 % ≥ 0.1 %
        (1000, ["c1"], "alert"),  # 1 / 1000 = 0.1 %: at the threshold alerts (≥)
        (1001, ["c1"], "ok"),  # 1 / 1001 = 0.0999 % < 0.1 %
        (1000, [], "ok"),  # 0 %
        (1000, ["c1", "c1"], "alert"),  # complaining twice counts once: 1 / 1000
    ],
)
def test_complaint_rate_against_the_threshold(wave, n_sent, who, status):
    r = _complaints(wave, n_sent, who)
    assert r.status == status
    assert (r.numerator, r.denominator) == (len(set(who)), n_sent)
    assert r.value == len(set(who)) / n_sent
    assert r.interval == pytest.approx(
        proportion_confint(len(set(who)), n_sent, method="wilson"), abs=1e-15
    )


def test_complaints_only_count_the_window(wave):
    # window [03-01, 03-15): the complaint of 03-15 and the e-mails of 03-20 fall outside
    put_messages(
        wave,
        sent(W, 1000, SENT_AT)
        + sent(W, 500, T(2025, 3, 20), prefix="late")
        + [(W, "c1", "complained", T(2025, 3, 15, 0))]
        + [(W, "c2", "complained", T(2025, 3, 14, 23, 59))]
        + [(OTHER, "c3", "complained", T(2025, 3, 5))],
    )
    r = complaints(wave.con, W, threshold=0.001)
    assert (r.numerator, r.denominator, r.status) == (1, 1000, "alert")
    assert r.detail["window_until"] == "2025-03-15"
    r = complaints(wave.con, W, window_days=30, threshold=0.001)
    # 30 days: 1500 sent, 2 complaints = 0.133 % ≥ 0.1 %
    assert (r.numerator, r.denominator) == (2, 1500)


def test_complaints_with_nothing_sent_are_insufficient(wave):
    put_messages(wave, [(W, "c1", "complained", T(2025, 3, 5))])
    r = complaints(wave.con, W)
    assert (r.status, r.reason, r.value) == ("insufficient_data", "nothing_sent", None)
    assert (r.numerator, r.denominator) == (1, 0)


def test_complaint_threshold_must_be_a_fraction(wave):
    with pytest.raises(InputError, match="between 0 and 1"):
        complaints(wave.con, W, threshold=1.5)
    with pytest.raises(InputError, match="window_days"):
        complaints(wave.con, W, window_days=0)


# ---- unsubscribes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_unsub", "status"),
    [(5, "ok"), (6, "alert"), (0, "ok")],  # 5 / 1000 = 0.5 % is not above 0.5 %; 6 is
)
def test_unsubscribe_rate_against_the_threshold(wave, n_unsub, status):
    # unsubscribes are not windowed: one a month after the start still counts
    rows = sent(W, 1000, SENT_AT)
    rows += [(W, f"c{i}", "unsubscribed", T(2025, 4, 1)) for i in range(n_unsub)]
    put_messages(wave, rows)
    r = unsubscribes(wave.con, W, threshold=0.005)
    assert (r.status, r.numerator, r.denominator) == (status, n_unsub, 1000)


def test_unsubscribes_with_nothing_sent_are_insufficient(wave):
    put_messages(wave, sent(OTHER, 100, SENT_AT))
    r = unsubscribes(wave.con, W)
    assert (r.status, r.reason) == ("insufficient_data", "nothing_sent")
