"""Power and sample size: statsmodels cross-checks, round trips, a simulation, seed 003."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from livebase.errors import InputError, InsufficientData
from livebase.experiments.power import (
    _n_exact,
    achieved_power,
    detectable_effect,
    effect_size,
    prelaunch_check,
    sample_size,
)
from livebase.experiments.proportions import two_proportion_ztest
from livebase.experiments.status import REASONS
from livebase.i18n import t

CASES = [
    # baseline, mde, alpha, power, ratio
    (0.093, 0.04, 0.05, 0.8, 1.0),
    (0.03, 0.015, 0.05, 0.8, 1.0),
    (0.032, 0.02, 0.05, 0.9, 1.0),
    (0.093, 0.04, 0.05, 0.8, 368 / 492),
    (0.2, 0.05, 0.01, 0.8, 0.5),
    (0.05, 0.01, 0.1, 0.7, 3.0),
]


@pytest.mark.parametrize(("baseline", "mde", "alpha", "power", "ratio"), CASES)
def test_sample_size_equals_statsmodels_before_rounding(baseline, mde, alpha, power, ratio):
    h = proportion_effectsize(baseline + mde, baseline)
    expected = NormalIndPower().solve_power(h, alpha=alpha, power=power, ratio=ratio)
    exact = _n_exact(effect_size(baseline, mde), alpha=alpha, power=power, ratio=ratio)
    assert exact == pytest.approx(expected, rel=1e-9)
    assert sample_size(baseline, mde, alpha=alpha, power=power, ratio=ratio) == math.ceil(expected)


@pytest.mark.parametrize(("baseline", "mde", "alpha", "power", "ratio"), CASES)
def test_textbook_formula_is_a_hair_above(baseline, mde, alpha, power, ratio):
    # n = (z_{1-α/2} + z_power)² (1 + 1/ratio) / h² ignores the far tail of the two-sided
    # test, so it asks for slightly more than the exact solution (0.002 more for seed
    # 003, 0.6 more at α = 0.1 and power 0.7, where the far tail is fattest)
    h = effect_size(baseline, mde)
    z = stats.norm.isf(alpha / 2) + stats.norm.isf(1 - power)
    textbook = z * z * (1 + 1 / ratio) / h**2
    exact = _n_exact(h, alpha=alpha, power=power, ratio=ratio)
    assert 0 <= textbook - exact < 1
    # and the exact n has the power asked for
    assert NormalIndPower().power(h, exact, alpha, ratio=ratio) == pytest.approx(power, abs=1e-8)


@pytest.mark.parametrize(("baseline", "mde", "alpha", "power", "ratio"), CASES)
def test_achieved_and_detectable_equal_statsmodels(baseline, mde, alpha, power, ratio):
    h = proportion_effectsize(baseline + mde, baseline)
    n = 800
    n_control = round(ratio * n)
    expected = NormalIndPower().power(h, n, alpha, ratio=n_control / n)
    assert achieved_power(baseline, mde, n, n_control, alpha=alpha) == pytest.approx(
        expected, rel=1e-9
    )
    detectable = detectable_effect(baseline, n, alpha=alpha, power=power, ratio=ratio)
    h_n = proportion_effectsize(baseline + detectable, baseline)
    # the effect solves statsmodels' power equation to machine precision ...
    assert NormalIndPower().power(h_n, n, alpha, ratio=ratio) == pytest.approx(power, abs=1e-12)
    # ... and agrees with statsmodels' own solver to the tolerance that solver stops at
    # (its effect-size search ends about 5e-6 relative from the root)
    h_sm = NormalIndPower().solve_power(None, nobs1=n, alpha=alpha, power=power, ratio=ratio)
    assert h_n == pytest.approx(h_sm, rel=1e-5)
    inverted = math.sin(math.asin(math.sqrt(baseline)) + h_sm / 2) ** 2 - baseline
    assert detectable == pytest.approx(inverted, rel=1e-4)


@pytest.mark.parametrize(("baseline", "mde", "alpha", "power", "ratio"), CASES)
def test_round_trip_sample_size_and_detectable_effect(baseline, mde, alpha, power, ratio):
    kw = {"alpha": alpha, "power": power, "ratio": ratio}
    exact = _n_exact(effect_size(baseline, mde), alpha=alpha, power=power, ratio=ratio)
    # unrounded: the effect detectable at exactly the required n is the MDE itself, to
    # the precision of statsmodels' n (its root finder stops about 1e-9 relative from it)
    assert detectable_effect(baseline, exact, **kw) == pytest.approx(mde, rel=1e-7)
    # rounded up: the required n detects at least the MDE, one fewer does not
    n = sample_size(baseline, mde, **kw)
    assert detectable_effect(baseline, n, **kw) <= mde
    assert detectable_effect(baseline, n - 1, **kw) > mde
    assert achieved_power(baseline, mde, n, n * ratio, alpha=alpha) >= power
    assert achieved_power(baseline, mde, n - 1, (n - 1) * ratio, alpha=alpha) < power


def test_seed_003_claim():
    # Seed 003: "MDE 4 p.p., α 5 %, power 80 % → at least 450 per variant", control 9.3 %.
    # h = 2·asin(√0.133) − 2·asin(√0.093) = 0.126812;
    # n = (1.959964 + 0.841621)² · 2 / 0.126812² = 976.14 (976.1414 with the far tail)
    assert effect_size(0.093, 0.04) == pytest.approx(0.1268125, abs=1e-7)
    assert _n_exact(0.12681246450255323, alpha=0.05, power=0.8, ratio=1) == pytest.approx(
        976.14137, abs=1e-5
    )
    assert sample_size(0.093, 0.04) == 977
    # 450 per arm detects only +6.1 p.p.
    assert detectable_effect(0.093, 450) == pytest.approx(0.06101, abs=1e-5)
    # the seed's arms, 492 (A) vs 368 (control): n_eff = 1/(1/492 + 1/368) = 210.53,
    # h·√n_eff = 0.126812 · 14.5097 = 1.84002, power = Φ(1.84002 − 1.95996) = 0.45233
    assert achieved_power(0.093, 0.04, 492, 368) == pytest.approx(0.45233, abs=1e-5)
    # ... and the MDE with 80 % power at those sizes is +6.3 p.p.
    assert detectable_effect(0.093, 492, ratio=368 / 492) == pytest.approx(0.06329, abs=1e-5)
    # at the seed's control ratio 4 p.p. needs 1,141 per test arm
    assert sample_size(0.093, 0.04, ratio=368 / 492) == 1141


def _simulated_power(rng, baseline, mde, n_test, n_control, experiments, alpha=0.05):
    test = rng.binomial(n_test, baseline + mde, size=experiments)
    control = rng.binomial(n_control, baseline, size=experiments)
    rejected = 0
    for x1, x2 in zip(test.tolist(), control.tolist(), strict=True):
        try:
            _, p = two_proportion_ztest(x1, n_test, x2, n_control)
        except InsufficientData:  # no conversions anywhere: the test cannot reject
            continue
        rejected += p < alpha
    return rejected / experiments


@pytest.mark.slow
@pytest.mark.parametrize(
    ("baseline", "mde", "n_test", "n_control"),
    [
        (0.093, 0.04, 977, 977),  # seed 003 at the computed n: predicted 0.8003
        (0.03, 0.015, 2494, 2494),  # a small rate at the computed n: predicted 0.8001
        (0.093, 0.04, 492, 368),  # seed 003's actual arms: predicted 0.4523
    ],
)
def test_predicted_power_matches_simulation(baseline, mde, n_test, n_control):
    # 10,000 simulated experiments: the simulated power's binomial SE is
    # √(0.8 · 0.2 / 10,000) = 0.4 p.p. (0.5 p.p. at 0.45), so ±3 p.p. is ≥ 6 SE of room
    # for the arcsine approximation itself
    experiments = 10_000
    rng = np.random.default_rng(20250701)
    predicted = achieved_power(baseline, mde, n_test, n_control)
    simulated = _simulated_power(rng, baseline, mde, n_test, n_control, experiments)
    assert abs(simulated - predicted) <= 0.03, (predicted, simulated)


def test_prelaunch_check_flags_small_arms():
    check = prelaunch_check(
        {"holdout": 300, "control": 1000, "value": 1000, "discount": 990},
        baseline=0.093,
        mde=0.04,
    )
    assert check.status == "underpowered"
    assert check.underpowered == ("holdout",)
    value = check.arm("value")
    assert value.status == "ok"
    # equal arms: 977 needed (seed 003 above), 1,000 is enough
    assert value.required_n == 977
    assert value.achieved_power > 0.8
    assert value.detectable < 0.04
    assert "enough" in value.message
    holdout = check.arm("holdout")
    assert holdout.status == "underpowered"
    assert holdout.achieved_power < 0.8
    assert holdout.detectable > 0.04
    assert "underpowered" in holdout.message
    # a test arm of 990 against 1,000 in control: required at that ratio, 972 ≤ 990
    discount = check.arm("discount")
    assert discount.required_n == sample_size(0.093, 0.04, ratio=1000 / 990) == 972
    assert discount.status == "ok"
    # the holdout (300 vs 1,000): at ratio 1000/300, 634.49 → 635 and 3.333 · 634.49 → 2,115
    assert (holdout.required_n, holdout.required_control) == (635, 2115)
    assert check.message.count("\n") == 2
    assert "недостаточная мощность" in check.describe("ru")


def test_prelaunch_check_statuses():
    ok = prelaunch_check({"control": 5000, "value": 5000}, baseline=0.093, mde=0.04)
    assert ok.status == "ok"
    assert ok.underpowered == ()
    empty = prelaunch_check({"control": 500, "value": 0}, baseline=0.093, mde=0.04)
    assert empty.status == "underpowered"
    assert (empty.arm("value").status, empty.arm("value").reason) == (
        "insufficient_data",
        "empty_arm",
    )
    assert empty.arm("value").achieved_power is None
    no_control = prelaunch_check({"control": 0, "value": 500}, baseline=0.093, mde=0.04)
    assert (no_control.status, no_control.reason, no_control.arms) == (
        "insufficient_data",
        "empty_control",
        (),
    )
    assert t("reason.empty_control", "en") in no_control.message
    alone = prelaunch_check({"control": 500}, baseline=0.093, mde=0.04)
    assert (alone.status, alone.reason) == ("insufficient_data", "single_arm")
    for res in (empty.arm("value"), no_control, alone):
        assert res.reason in REASONS


def test_tiny_arm_detects_nothing():
    check = prelaunch_check({"control": 3, "value": 3}, baseline=0.5, mde=0.1)
    arm = check.arm("value")
    assert arm.status == "underpowered"
    assert arm.detectable is None
    assert "not even a 100% rate" in arm.message


@pytest.mark.parametrize(
    ("baseline", "mde", "match"),
    [
        (0.0, 0.02, "strictly between 0 and 1"),
        (1.0, 0.02, "strictly between 0 and 1"),
        (-0.1, 0.02, "strictly between 0 and 1"),
        (0.093, 0.0, "must be a positive fraction"),
        (0.093, -0.01, "must be a positive fraction"),
        (0.093, 4.0, "not a rate below 1"),
        (0.98, 0.02, "not a rate below 1"),
        (float("nan"), 0.02, "strictly between 0 and 1"),
    ],
)
def test_impossible_rates_are_input_errors(baseline, mde, match):
    with pytest.raises(InputError, match=match):
        sample_size(baseline, mde)
    with pytest.raises(InputError, match=match):
        prelaunch_check({"control": 100, "value": 100}, baseline=baseline, mde=mde)


def test_other_impossible_inputs():
    with pytest.raises(InputError, match="alpha"):
        sample_size(0.1, 0.02, alpha=1.5)
    with pytest.raises(InputError, match="power"):
        sample_size(0.1, 0.02, power=0.01)
    with pytest.raises(InputError, match="ratio"):
        sample_size(0.1, 0.02, ratio=0)
    with pytest.raises(InputError, match="n_per_arm"):
        detectable_effect(0.1, 0)
    with pytest.raises(InputError, match="strictly between"):
        detectable_effect(1.0, 100)
    with pytest.raises(InputError, match="negative"):
        achieved_power(0.1, 0.02, -1, 10)
    with pytest.raises(InsufficientData):
        achieved_power(0.1, 0.02, 0, 10)
    with pytest.raises(InputError, match="no control arm"):
        prelaunch_check({"a": 1, "b": 2}, baseline=0.1, mde=0.02)
    with pytest.raises(InputError, match="negative"):
        prelaunch_check({"control": 10, "b": -2}, baseline=0.1, mde=0.02)


def test_huge_effect_needs_the_minimum():
    # 0.1 % → 99.9 %: h = 2·(asin(√0.999) − asin(√0.001)) = 3.0153; two per arm (n_eff = 1)
    # already give Φ(3.0153 − 1.96) = 0.854 ≥ 80 %, below the solver's search range
    assert sample_size(0.001, 0.998) == 2
    # 1 % → 99 %: h = 2.7408, Φ(2.7408 − 1.96) = 0.782 at two per arm: three are needed
    assert sample_size(0.01, 0.98) == 3
