"""Seed 003's campaign table, reproduced from its counts.

Seed 003 (top-segment campaign, 14-day window): control 34 of 368 paid 931 600 ₽,
A 73 of 492 paid 2 241 100 ₽, B 63 of 491 paid 1 883 700 ₽, C 51 of 491 paid
1 443 300 ₽; "Покупок" (purchases) equals the payers, and the average check equals
ARPPU (one purchase per payer). What the seed prints and what the counts give:

==========  ===============  ==================  ==================================
quantity    seed             from the counts     note
==========  ===============  ==================  ==================================
CR control  9,3 %            9.24 %              34 / 368 = 0.092391: the seed rounds up
CR B        12,9 %           12.83 %             63 / 491 = 0.128310
A − control +5,5 p.p.        +5.60 p.p.          from the unrounded rates
p A         0,012            0.0139              pooled two-proportion z-test
p B         0,071            0.0998              the same test; 0.071 is not reproducible
Holm A      "significant"    0.0416 < 0.05       A stays significant after Holm
B per user  3 835 ₽          3 836.46 ₽          1 883 700 / 491 = 3 836.456…
==========  ===============  ==================  ==================================

The seed's power claim (450 per arm for 4 p.p. from 9.3 % at α 5 %, power 80 %) is
checked in test_power.py: 977 per arm are needed; see docs/experiments.md.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from livebase.experiments import ArmAggregate, readout
from livebase.experiments.economics import incremental

D = Decimal
ARMS = {  # arm: (n, payers, revenue)
    "control": (368, 34, "931600"),
    "A": (492, 73, "2241100"),
    "B": (491, 63, "1883700"),
    "C": (491, 51, "1443300"),
}


def _agg(arm: str) -> ArmAggregate:
    n, payers, revenue = ARMS[arm]
    aov = float(D(revenue)) / payers
    # one purchase per payer at the arm's average check (the seed's AOV = ARPPU): the
    # sum of squares of revenue per assigned user is payers × AOV²
    return ArmAggregate(arm, n, payers, payers, D(revenue), payers * aov**2)


@pytest.fixture(scope="module")
def res():
    return readout([_agg(a) for a in ARMS], control="control")


def test_rates_and_their_standard_errors(res):
    rates = {a.arm: a.rate for a in res.arms}
    assert rates["control"] == pytest.approx(0.092391, abs=1e-6)
    assert rates["A"] == pytest.approx(0.148374, abs=1e-6)
    assert rates["B"] == pytest.approx(0.128310, abs=1e-6)
    assert rates["C"] == pytest.approx(0.103870, abs=1e-6)
    # the seed's SE column: sqrt(p(1 − p)/n) = 1.5, 1.6, 1.5, 1.4 p.p.
    se = {a: (r * (1 - r) / ARMS[a][0]) ** 0.5 * 100 for a, r in rates.items()}
    assert [round(se[a], 1) for a in ARMS] == [1.5, 1.6, 1.5, 1.4]


def test_uplifts_and_p_values_match_statsmodels(res):
    expected_p = {"A": 0.013854, "B": 0.099777, "C": 0.577172}
    for arm in ("A", "B", "C"):
        result = res.arm(arm)
        n, x, _ = ARMS[arm]
        _, p = proportions_ztest([x, 34], [n, 368])
        assert result.p_value == pytest.approx(p, rel=1e-9)
        assert result.p_value == pytest.approx(expected_p[arm], abs=1e-6)
    # A − control = 73/492 − 34/368 = 0.148374 − 0.092391 = 5.5983 p.p.
    assert res.arm("A").uplift_pp == pytest.approx(5.5983, abs=1e-4)
    assert res.arm("B").uplift_pp == pytest.approx(3.5919, abs=1e-4)
    assert res.arm("C").uplift_pp == pytest.approx(1.1479, abs=1e-4)
    # the Newcombe interval of A excludes 0; B's and C's do not
    assert res.arm("A").uplift_ci_pp[0] > 0
    assert res.arm("B").uplift_ci_pp[0] < 0 < res.arm("B").uplift_ci_pp[1]


def test_holm_keeps_a_significant(res):
    raw = [res.arm(a).p_value for a in ("A", "B", "C")]
    holm = multipletests(raw, method="holm")[1]
    bh = multipletests(raw, method="fdr_bh")[1]
    for arm, h, b in zip(("A", "B", "C"), holm, bh, strict=True):
        assert res.arm(arm).p_holm == pytest.approx(h, rel=1e-12)
        assert res.arm(arm).p_bh == pytest.approx(b, rel=1e-12)
    # Holm: 3 × 0.013854 = 0.041562; then max(0.041562, 2 × 0.099777) = 0.199553; 0.577172
    assert [round(res.arm(a).p_holm, 4) for a in ("A", "B", "C")] == [0.0416, 0.1996, 0.5772]
    assert res.arm("A").p_holm < 0.05 < res.arm("B").p_holm


def test_revenue_per_assigned_user_and_checks(res):
    per_user = {a.arm: a.revenue_per_assigned for a in res.arms}
    # 931 600 / 368, 2 241 100 / 492, 1 883 700 / 491, 1 443 300 / 491, half-up to kopecks
    assert per_user == {
        "control": D("2531.52"),
        "A": D("4555.08"),
        "B": D("3836.46"),  # the seed prints 3 835
        "C": D("2939.51"),
    }
    # the seed's average check and ARPPU: 27 400, 30 700, 29 900, 28 300
    assert [res.arm(a).arppu for a in ARMS] == [
        D("27400.00"),
        D("30700.00"),
        D("29900.00"),
        D("28300.00"),
    ]
    assert [res.arm(a).aov for a in ARMS] == [res.arm(a).arppu for a in ARMS]


def test_welch_on_revenue_per_assigned_matches_scipy(res):
    c = _agg("control")
    for arm in ("A", "B", "C"):
        a = _agg(arm)
        mean = [float(x.revenue) / x.n for x in (a, c)]
        sd = [((x.revenue_sumsq - float(x.revenue) ** 2 / x.n) / (x.n - 1)) ** 0.5 for x in (a, c)]
        t, p = stats.ttest_ind_from_stats(mean[0], sd[0], a.n, mean[1], sd[1], c.n, equal_var=False)
        test = res.arm(arm).revenue_test
        assert test.status == "ok"
        assert test.t == pytest.approx(t, rel=1e-9)
        assert test.p_value == pytest.approx(p, rel=1e-9)
        assert test.diff == pytest.approx(mean[0] - mean[1], rel=1e-12)


def test_incremental_economics_of_a():
    # incremental payers = 73 − (34/368) × 492 = 73 − 45.456522 = 27.543478;
    # incremental revenue = 27.543478 × 30 700 = 845 584.7826 → 845 584.78 ₽;
    # margin at 63 % without costs = 845 584.78 × 0.63 = 532 718.4114 → 532 718.41 ₽
    inc = incremental(_agg("A"), _agg("control"), gross_margin=0.63, marketing_cost=D(0))
    assert inc.incremental_orders == pytest.approx(73 - 34 / 368 * 492)
    assert inc.incremental_revenue == D("845584.78")
    assert inc.incremental_gross_margin == D("532718.41")
