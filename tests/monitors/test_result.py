"""The monitor result type, its reason codes and their translations."""

from __future__ import annotations

import string
from fractions import Fraction

import pytest
from statsmodels.stats.proportion import proportion_confint

from livebase.errors import InputError
from livebase.i18n import LANGS, t
from livebase.monitors.result import (
    KEYS,
    REASONS,
    MonitorResult,
    alerts,
    check_min_sample,
    insufficient,
    share_interval,
    share_threshold,
)


def _result(status: str, scope: str = "w1") -> MonitorResult:
    return MonitorResult("complaints", scope, status, 0.002, 0.001, 2, 1000, None, None, {})


def test_alerting_follows_the_status():
    assert _result("alert").alerting
    assert not _result("ok").alerting
    assert not _result("insufficient_data").alerting


def test_alerts_keep_order_and_only_alerts():
    results = (_result("alert", "a"), _result("ok", "b"), _result("alert", "c"))
    assert [r.scope for r in alerts(results)] == ["a", "c"]
    assert alerts(()) == ()


def test_result_is_frozen():
    with pytest.raises(AttributeError):
        _result("ok").status = "alert"


def test_insufficient_has_no_value_and_a_known_reason():
    r = insufficient("complaints", "w1", 0.001, "nothing_sent", {"sent": 0}, denominator=0)
    assert (r.status, r.value, r.interval, r.reason, r.denominator) == (
        "insufficient_data",
        None,
        None,
        "nothing_sent",
        0,
    )
    with pytest.raises(KeyError):
        insufficient("complaints", "w1", 0.001, "made_up", {})


def test_thresholds_are_exact_fractions():
    assert share_threshold(0.001, "x") == Fraction(1, 1000)
    assert share_threshold(0.15, "x") == Fraction(3, 20)
    for bad in (0, 1, -0.1, 2):
        with pytest.raises(InputError, match="between 0 and 1"):
            share_threshold(bad, "x")


@pytest.mark.parametrize(("k", "n"), [(0, 1000), (1, 1000), (2, 1000), (3, 5), (5, 5)])
def test_share_interval_is_wilson(k, n):
    assert share_interval(k, n) == pytest.approx(
        proportion_confint(k, n, method="wilson"), abs=1e-15
    )


def test_share_interval_undefined():
    assert share_interval(0, 0) is None
    assert share_interval(3, 2) is None


def test_min_sample_is_a_positive_integer():
    assert check_min_sample(30) == 30
    for bad in (0, -1, 2.5, True):
        with pytest.raises(InputError, match="min_sample"):
            check_min_sample(bad)


@pytest.mark.parametrize("lang", LANGS)
def test_every_monitor_and_reason_is_translated(lang):
    for key in KEYS:
        assert t(f"monitor.{key}", lang)
        explain = t(f"monitor.{key}.explain", lang, threshold="0,1 %")
        assert "0,1 %" in explain
    for reason in REASONS:
        assert t(f"monitor.reason.{reason}", lang)
    for status in ("ok", "alert", "insufficient_data"):
        assert t(f"monitor.status.{status}", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_explanations_only_take_the_threshold(lang):
    for key in KEYS:
        text = t(f"monitor.{key}.explain", lang, threshold="{threshold}")
        names = {n for _, n, _, _ in string.Formatter().parse(text) if n}
        assert names == {"threshold"}
