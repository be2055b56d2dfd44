"""Sample ratio mismatch: pinned chi-square, scipy cross-check, statuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from livebase.errors import InputError
from livebase.experiments import SRM_THRESHOLD, srm_check


def test_pinned_holdout_example():
    # 10 % holdout, 1000 assigned: expected 100 / 900; observed 130 / 870
    # χ² = 30²/100 + 30²/900 = 9 + 1 = 10, 1 degree of freedom, p = 0.001565
    res = srm_check({"control": 130, "value": 870}, {"control": 0.1, "value": 0.9})
    assert res.expected == pytest.approx((100.0, 900.0))
    assert res.chi2 == pytest.approx(10.0)
    assert res.p_value == pytest.approx(0.0015654, abs=1e-7)
    assert res.status == "ok"  # 0.0016 is not below the 0.001 threshold
    assert res.mismatch is False


def test_mismatch_is_flagged_below_threshold():
    # 150 / 850 against 100 / 900: χ² = 25 + 2.78 = 27.78, p ≈ 1.4e-7
    res = srm_check({"control": 150, "value": 850}, {"control": 1, "value": 9})
    assert res.status == "mismatch"
    assert res.mismatch is True
    assert res.p_value < SRM_THRESHOLD


def test_planned_arm_without_anyone_counts_as_zero():
    res = srm_check({"control": 500}, {"control": 1, "value": 1})
    assert res.arms == ("control", "value")
    assert res.observed == (500, 0)
    assert res.status == "mismatch"


@pytest.mark.parametrize(
    ("observed", "weights", "reason"),
    [
        ({"control": 100}, {"control": 1}, "single_arm"),
        ({"control": 0, "value": 0}, {"control": 1, "value": 1}, "no_customers"),
        ({"control": 3, "value": 40}, {"control": 0.1, "value": 0.9}, "small_expected"),
    ],
)
def test_untestable_splits_are_insufficient_data(observed, weights, reason):
    res = srm_check(observed, weights)
    assert (res.status, res.reason, res.chi2, res.p_value, res.mismatch) == (
        "insufficient_data",
        reason,
        None,
        None,
        None,
    )


def test_bad_weights_are_input_errors():
    with pytest.raises(InputError, match="no planned weight"):
        srm_check({"control": 10, "ghost": 10}, {"control": 1})
    with pytest.raises(InputError, match="positive"):
        srm_check({"control": 10, "value": 10}, {"control": 0, "value": 1})


@given(
    st.lists(st.integers(min_value=5, max_value=100_000), min_size=2, max_size=6),
    st.data(),
)
def test_matches_scipy_chisquare(counts, data):
    weights = data.draw(
        st.lists(
            st.floats(min_value=0.05, max_value=5.0), min_size=len(counts), max_size=len(counts)
        )
    )
    observed = {f"arm{i}": c for i, c in enumerate(counts)}
    planned = {f"arm{i}": w for i, w in enumerate(weights)}
    res = srm_check(observed, planned)
    total = sum(counts)
    expected = [total * w / sum(weights) for w in weights]
    if min(expected) < 5:
        assert res.status == "insufficient_data"
        return
    chi2 = sum((o - e) ** 2 / e for o, e in zip(counts, expected, strict=True))
    assert res.chi2 == pytest.approx(chi2, rel=1e-9)
    assert res.p_value == pytest.approx(stats.chi2.sf(chi2, len(counts) - 1), rel=1e-6, abs=1e-300)
    assert res.mismatch == (res.p_value < SRM_THRESHOLD)
