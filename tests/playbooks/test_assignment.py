from collections import Counter

import pytest

from livebase.errors import ConfigError
from livebase.playbooks.assignment import arm_weights, assign_arm, check_weights, unit_hash

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
