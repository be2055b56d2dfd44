"""run_monitors picks the waves of a period and takes its thresholds from the config."""

from __future__ import annotations

import pytest

from livebase.config import MonitorSettings
from livebase.errors import InputError
from livebase.monitors import alerts, run_monitors
from tests.monitors.monitor_rows import D, T, put_messages, put_wave, sent

START, END = D(2025, 3, 1), D(2025, 4, 1)
WAVE_KEYS = ("overlap_active", "complaints", "unsubscribes")


@pytest.fixture
def period(ws):
    put_wave(ws, "A", D(2025, 2, 20), 14)  # 02-20 … 03-05: runs in March
    put_wave(ws, "w-b", D(2025, 3, 10), 7)
    put_wave(ws, "w-a", D(2025, 3, 10), 7)  # same start: by wave id
    put_wave(ws, "F", D(2025, 3, 31), 1, "aa_reactivation_r180")  # the last day, an AA wave
    put_wave(ws, "up", D(2025, 3, 20), 7, "upsell_555")  # addresses active buyers
    put_wave(ws, "gone", D(2025, 3, 25), 7, "no_such_playbook")
    put_wave(ws, "C", D(2025, 4, 1), 14)  # starts on the (exclusive) end
    put_wave(ws, "D", D(2025, 2, 1), 14)  # over on 02-14
    put_wave(ws, "E", D(2025, 2, 15), 14)  # 02-15 … 02-28: over the day before the start
    # w-a: 2 complaints of 1 000 sent (0.2 %); w-b: 7 unsubscribes of 1 000 (0.7 %)
    rows = sent("w-a", 1000, T(2025, 3, 10, 9))
    rows += [("w-a", f"c{i}", "complained", T(2025, 3, 11)) for i in range(2)]
    rows += sent("w-b", 1000, T(2025, 3, 10, 9), prefix="b")
    rows += [("w-b", f"b{i}", "unsubscribed", T(2025, 3, 11)) for i in range(7)]
    put_messages(ws, rows)
    return ws


def test_waves_of_the_period_in_order_then_the_base(period):
    results = run_monitors(period, start=START, end=END)
    assert [(r.scope, r.key) for r in results] == [
        *[(w, k) for w in ("A", "w-a", "w-b") for k in WAVE_KEYS],
        # an upsell wave: no overlap monitor; a wave of an unknown playbook: checked
        ("up", "complaints"),
        ("up", "unsubscribes"),
        *[(w, k) for w in ("gone", "F") for k in WAVE_KEYS],
        ("base", "active_aov"),
        ("base", "coupon_only"),
        ("base", "coupon_wait"),
    ]
    aov = results[-3]
    assert aov.detail["waves"] == ["A", "w-a", "w-b", "up", "gone", "F"]
    assert aov.reason == "too_few_purchases"
    # defaults: complaints 0.2 % ≥ 0.1 % alerts; unsubscribes 0.7 % > 0.5 % alerts
    assert [(r.scope, r.key) for r in alerts(results)] == [
        ("w-a", "complaints"),
        ("w-b", "unsubscribes"),
    ]


def test_thresholds_come_from_the_config(period):
    period.config = period.config.model_copy(
        update={
            "monitors": MonitorSettings(
                complaint_rate=0.003, unsubscribe_rate=0.01, coupon_only_share=0.2, min_sample=5
            ),
            "guardrails": period.config.guardrails.model_copy(update={"active_buyer_days": 10}),
        }
    )
    results = run_monitors(period, start=START, end=END)
    assert alerts(results) == ()  # 0.2 % < 0.3 %; 0.7 % ≤ 1 %
    by = {(r.scope, r.key): r for r in results}
    assert by["w-a", "complaints"].threshold == 0.003
    assert by["w-b", "unsubscribes"].threshold == 0.01
    assert by["w-a", "overlap_active"].detail["active_days"] == 10
    assert by["base", "coupon_only"].threshold == 0.2


def test_a_period_without_waves_still_reads_the_base(ws):
    results = run_monitors(ws, start=START, end=END)
    assert [(r.scope, r.key, r.reason) for r in results] == [
        ("base", "active_aov", "no_waves"),
        ("base", "coupon_only", "too_few_buyers"),
        ("base", "coupon_wait", "too_few_purchases"),
    ]


def test_an_empty_period_is_an_input_error(ws):
    with pytest.raises(InputError, match="empty"):
        run_monitors(ws, start=START, end=START)
