from collections import Counter

import pytest

from livebase.errors import ConfigError
from livebase.playbooks.assignment import (
    _phase,
    arm_weights,
    assign_arm,
    assign_stratified,
    check_weights,
    dealt_arm,
    split_weights,
    stratum_counts,
    unit_hash,
)

WEIGHTS = arm_weights(["control", "value", "discount"], 0.15)


def test_deterministic_and_stable():
    ids = [f"gc:{i}" for i in range(2000)]
    first = [assign_arm(c, wave_id="W", seed=3, weights=WEIGHTS) for c in ids]
    again = [assign_arm(c, wave_id="W", seed=3, weights=WEIGHTS) for c in ids]
    assert first == again
    # a bigger audience leaves everyone already assigned where they were
    more = [
        assign_arm(c, wave_id="W", seed=3, weights=WEIGHTS)
        for c in ids + [f"gc:new{i}" for i in range(500)]
    ]
    assert more[:2000] == first
    # another seed or wave shuffles
    other = [assign_arm(c, wave_id="W", seed=4, weights=WEIGHTS) for c in ids]
    assert other != first


def test_shares_follow_the_weights():
    n = 40_000
    counts = Counter(assign_arm(f"c{i}", wave_id="W", seed=1, weights=WEIGHTS) for i in range(n))
    for arm, w in WEIGHTS.items():
        sd = (n * w * (1 - w)) ** 0.5
        assert abs(counts[arm] - n * w) < 4 * sd, (arm, counts[arm])


def test_unit_hash_is_uniform_in_unit_interval():
    values = [unit_hash(str(i), wave_id="w", seed=0) for i in range(1000)]
    assert min(values) >= 0
    assert max(values) < 1
    # pinned: SHA-256 of "0:w:0", first 8 bytes as a fraction of 2**64
    assert unit_hash("0", wave_id="w", seed=0) == pytest.approx(
        int.from_bytes(__import__("hashlib").sha256(b"0:w:0").digest()[:8], "big") / 2**64
    )


def test_bad_weights():
    with pytest.raises(ConfigError):
        check_weights({"a": 0.5, "b": 0.4})
    with pytest.raises(ConfigError):
        arm_weights(["a"], 1.2)


def _lag_ok(counts: Counter, weights: dict, n: int) -> bool:
    return all(abs(counts[arm] - w * n) < 1 + 1e-9 for arm, w in weights.items())


@pytest.mark.parametrize("holdout", [0.0, 0.10, 0.12, 0.15, 0.175, 0.2])
@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_dealing_is_within_one_of_the_share_for_every_prefix(holdout, k):
    # the guarantee of dealt_arm: among the first n positions of any stratum each arm has
    # floor or ceil of w·n, for any random start (intercept, offset)
    arms = tuple(f"a{i}" for i in range(k))
    weights = arm_weights(list(arms), holdout)
    h, names = split_weights(weights)
    assert names == arms
    for stratum in range(40):
        intercept, offset = _phase(wave_id="W", seed=stratum, stratum=f"s{stratum}")
        counts: Counter = Counter()
        for n in range(1, 301):
            counts[dealt_arm(n - 1, holdout=h, arms=arms, intercept=intercept, offset=offset)] += 1
            assert _lag_ok(counts, weights, n), (stratum, n, counts)


def test_each_position_gets_each_arm_with_its_weight():
    # over many strata (random starts) the arm of position p is a draw with the weights:
    # 20,000 strata, binomial SE of a share ≤ √(0.25 / 20,000) = 0.35 p.p.; allow 4 SE
    weights = arm_weights(["control", "value", "discount"], 0.15)
    h, arms = split_weights(weights)
    strata = 20_000
    for position in (0, 1, 6, 13):
        counts = Counter(
            dealt_arm(position, holdout=h, arms=arms, intercept=i, offset=o)
            for i, o in (_phase(wave_id="W", seed=1, stratum=str(s)) for s in range(strata))
        )
        for arm, w in weights.items():
            assert abs(counts[arm] / strata - w) < 4 * (w * (1 - w) / strata) ** 0.5, (
                position,
                arm,
                counts,
            )


def test_stratified_assignment_is_balanced_deterministic_and_stable():
    weights = arm_weights(["control", "value", "discount"], 0.15)
    strata = {f"gc:{i}": f"d{1 + i % 10}|{('email', 'vk', 'unknown')[i % 3]}" for i in range(900)}
    first = assign_stratified(strata, wave_id="W", seed=3, weights=weights)
    assert first == assign_stratified(
        dict(reversed(strata.items())), wave_id="W", seed=3, weights=weights
    )
    assert first != assign_stratified(strata, wave_id="W", seed=4, weights=weights)
    for stratum, counts in stratum_counts((strata[c], arm) for c, arm in first.items()).items():
        assert _lag_ok(counts, weights, sum(counts.values())), stratum
    # newcomers: the old keep their arms, the new continue each stratum's dealing after
    # its existing members, and the grown strata stay balanced
    more = {**strata, **{f"gc:new{i}": f"d{1 + i % 10}|email" for i in range(300)}}
    existing = {c: strata[c] for c in strata}
    added = assign_stratified(more, wave_id="W", seed=3, weights=weights, existing=existing)
    assert set(added) == {c for c in more if c not in strata}
    grown = {**first, **added}
    for stratum, counts in stratum_counts((more[c], arm) for c, arm in grown.items()).items():
        assert _lag_ok(counts, weights, sum(counts.values())), stratum


def test_stratified_dealing_needs_equal_arms():
    with pytest.raises(ConfigError, match="equal arms"):
        split_weights({"holdout": 0.1, "control": 0.5, "value": 0.4})
    with pytest.raises(ConfigError, match="besides the holdout"):
        split_weights({"holdout": 1.0})
    assert split_weights({"a": 0.5, "b": 0.5}) == (0, ("a", "b"))
