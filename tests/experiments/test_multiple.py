"""Holm and Benjamini–Hochberg: pinned seed-003 family, statsmodels, None pass-through."""

from __future__ import annotations

import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from livebase.errors import InputError
from livebase.experiments import adjust, benjamini_hochberg, holm, two_proportion_ztest


def test_seed_003_campaign_family():
    # seed 003: control 34/368; A 73/492, B 63/491, C 51/491; pooled z-test p-values
    # p_A = 0.0138532, p_B = 0.0997767, p_C = 0.5771719 (z = 2.4610, 1.6459, 0.5575)
    # Holm: 3·p_A = 0.0415596, 2·p_B = 0.1995534, 1·p_C = 0.5771719 (already increasing)
    # BH:   3/1·p_A = 0.0415596, 3/2·p_B = 0.1496650, 3/3·p_C = 0.5771719
    arms = {"A": (73, 492), "B": (63, 491), "C": (51, 491)}
    p = {arm: two_proportion_ztest(k, n, 34, 368)[1] for arm, (k, n) in arms.items()}
    assert list(p.values()) == pytest.approx([0.0138532, 0.0997767, 0.5771719], abs=1e-7)
    assert adjust(p, "holm") == pytest.approx(
        {"A": 0.0415596, "B": 0.1995534, "C": 0.5771719}, abs=1e-7
    )
    assert adjust(p, "bh") == pytest.approx(
        {"A": 0.0415596, "B": 0.1496650, "C": 0.5771719}, abs=1e-7
    )
    # only A survives at 5 % after Holm; unadjusted it was significant too, B never
    assert [arm for arm, q in adjust(p, "holm").items() if q <= 0.05] == ["A"]


def test_step_down_running_maximum():
    # sorted 0.01, 0.03, 0.04 times 3, 2, 1 -> 0.03, 0.06, 0.04 -> running max 0.03, 0.06, 0.06
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06], abs=1e-15)
    # 0.01·3 = 0.03, 0.03·3/2 = 0.045, 0.04·3/3 = 0.04 -> running min from the top
    assert benjamini_hochberg([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.04, 0.04], abs=1e-15)


def _statsmodels(p, method: str) -> list[float]:
    """``multipletests(p, method)[1]``; its Holm branch runs ``gc.collect()`` on every call
    (~0.1 s inside pytest, pure housekeeping), skipped here to keep the suite fast."""
    with mock.patch("gc.collect", return_value=0):
        return list(multipletests(p, method=method)[1])


def _vectors():
    rng = np.random.default_rng(2024)
    for m in (1, 2, 3, 4, 7, 20, 100):
        for _ in range(30):
            p = rng.uniform(0, 1, m) ** rng.uniform(1, 6)  # skewed towards 0 like real families
            if m > 1:
                # ties, exact 1s and 0s
                p[rng.integers(m)] = 1.0
                p[rng.integers(m)] = p[rng.integers(m)]
                if m > 3:
                    p[rng.integers(m)] = 0.0
            yield p


@pytest.mark.parametrize(("ours", "theirs"), [(holm, "holm"), (benjamini_hochberg, "fdr_bh")])
def test_matches_statsmodels(ours, theirs):
    for p in _vectors():
        assert ours(list(p)) == pytest.approx(_statsmodels(p, theirs), abs=1e-12, rel=1e-12)


@given(
    st.lists(
        st.one_of(
            st.floats(min_value=0, max_value=1),
            st.sampled_from([0.0, 0.01, 0.05, 0.5, 1.0]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_properties_and_statsmodels_on_generated_families(p):
    for ours, theirs in [(holm, "holm"), (benjamini_hochberg, "fdr_bh")]:
        adjusted = ours(p)
        assert adjusted == pytest.approx(_statsmodels(p, theirs), abs=1e-12)
        assert all(raw <= adj <= 1 for raw, adj in zip(p, adjusted, strict=True))
        # the adjustment keeps the order of the raw p-values; ties stay tied
        for i in range(len(p)):
            for j in range(len(p)):
                if p[i] <= p[j]:
                    assert adjusted[i] <= adjusted[j]


def test_none_is_not_part_of_the_family():
    p = {"A": 0.012, "B": None, "C": 0.02, "D": None}
    # family {A, C}, m = 2: Holm 0.024, max(0.024, 0.02) = 0.024
    assert adjust(p, "holm") == {"A": 0.024, "B": None, "C": 0.024, "D": None}
    assert list(adjust(p, "holm")) == ["A", "B", "C", "D"]
    assert adjust(p, "bh") == {"A": 0.02, "B": None, "C": 0.02, "D": None}
    assert adjust({"A": None}, "holm") == {"A": None}
    assert adjust({}, "bh") == {}
    assert holm([]) == []
    assert benjamini_hochberg([]) == []


@pytest.mark.parametrize("bad", [math.nan, -0.01, 1.5, math.inf])
def test_bad_p_values(bad):
    with pytest.raises(InputError, match="between 0 and 1"):
        holm([0.01, bad])
    with pytest.raises(InputError, match="between 0 and 1"):
        benjamini_hochberg([bad])
    with pytest.raises(InputError, match="between 0 and 1"):
        adjust({"A": bad, "B": None}, "holm")


def test_unknown_method():
    with pytest.raises(InputError, match="'holm' or 'bh'"):
        adjust({"A": 0.01}, "bonferroni")  # type: ignore[arg-type]
