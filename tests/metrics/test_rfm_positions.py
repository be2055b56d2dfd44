"""``score`` without a global window equals pandas ranks → ntile buckets on random data."""

from decimal import Decimal

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livebase.metrics.rfm import ntile, score

SCHEMA = ibis.schema(
    {
        "customer_id": "string",
        "recency_days": "int64",
        "frequency": "int64",
        "monetary": "decimal(18,2)",
    }
)
AXES = (("r", "recency_days", True), ("f", "frequency", False), ("m", "monetary", False))


def _bucket_of_position(n: int, bins: int) -> list[int]:
    """1-based ntile bucket of each 0-based position among n: numpy's array_split gives
    the first n % bins buckets one row more, as SQL ntile does."""
    out = [0] * n
    for b, chunk in enumerate(np.array_split(np.arange(n), bins), start=1):
        for p in chunk:
            out[p] = b
    return out


def _reference(frame: pd.DataFrame, bins: int, policy: str) -> pd.DataFrame:
    """The scores from pandas ranks: rows sorted by customer_id first, so that
    ``rank(method="first")`` breaks ties by customer_id."""
    f = frame.sort_values("customer_id").reset_index(drop=True)
    out = pd.DataFrame({"customer_id": f.customer_id})
    for axis, col, desc in AXES:
        values = f[col].astype(float)  # exact: small integers and cents below 2**53
        if policy == "dense":
            rank = values.rank(method="dense", ascending=not desc).astype(int)
            buckets = _bucket_of_position(int(rank.max()) if len(f) else 0, bins)
        else:
            rank = values.rank(method=policy, ascending=not desc)  # first or average, 1-based
            buckets = _bucket_of_position(len(f), bins)
        # 0-based position; average: the tie group's mean position, floored
        out[axis] = [buckets[int(np.floor(r - 1))] for r in rank]
    return out


@st.composite
def values(draw):
    n = draw(st.integers(0, 40))
    # few distinct values → heavy ties; many → almost none
    spread = draw(st.sampled_from([1, 2, 3, 7, 1000]))
    ints = st.integers(0, spread - 1)
    ids = draw(st.permutations([f"c{i:03d}" for i in range(n)]))
    return pd.DataFrame(
        {
            "customer_id": pd.Series(ids, dtype=object),
            "recency_days": pd.Series(draw(st.lists(ints, min_size=n, max_size=n)), dtype="int64"),
            "frequency": pd.Series(draw(st.lists(ints, min_size=n, max_size=n)), dtype="int64"),
            "monetary": pd.Series(
                [Decimal(v).scaleb(-2) for v in draw(st.lists(ints, min_size=n, max_size=n))],
                dtype=object,
            ),
        },
        columns=list(SCHEMA.names),
    )


@pytest.mark.parametrize("policy", ["first", "average", "dense"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=values(), bins=st.integers(2, 10), given_n=st.booleans())
def test_scores_equal_pandas_ranks(policy, frame, bins, given_n):
    # n ranges over 0..40 and bins over 2..10, so n < bins happens; spread 1 makes every
    # customer tie on every axis; the row count is counted by the engine or given
    table = ibis.memtable(frame, schema=SCHEMA)
    expected = _reference(frame, bins, policy)
    n = len(frame) if given_n else None
    got = score(table, bins=bins, tie_policy=policy, n=n).to_pandas()
    got = got.sort_values("customer_id").reset_index(drop=True)
    for axis, _, _ in AXES:
        assert got[axis].tolist() == expected[axis].tolist(), (policy, axis, n)


def test_reference_on_a_worked_example():
    # 7 customers, frequency 1,1,1,1,1,2,3 (ids in that order), 3 bins: ntile sizes 3,2,2,
    # positions 0-2 → 1, 3-4 → 2, 5-6 → 3.
    # first: by position → 1,1,1,2,2,3,3;
    # average: value 1 has mean position 2 → 1, value 2 position 5 → 3, value 3 → 3;
    # dense: 3 distinct values in 3 bins → 1, 2, 3
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(7)],
            "recency_days": [0] * 7,
            "frequency": [1, 1, 1, 1, 1, 2, 3],
            "monetary": [Decimal("1.00")] * 7,
        }
    )
    table = ibis.memtable(frame, schema=SCHEMA)
    got = {
        p: score(table, bins=3, tie_policy=p).order_by("customer_id").to_pandas().f.tolist()
        for p in ("first", "average", "dense")
    }
    assert got == {
        "first": [1, 1, 1, 2, 2, 3, 3],
        "average": [1, 1, 1, 1, 1, 3, 3],
        "dense": [1, 1, 1, 1, 1, 2, 3],
    }
    assert {p: _reference(frame, 3, p).f.tolist() for p in got} == got


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    keys=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["0.00", "10.50", "99.99"])), max_size=40
    ),
    bins=st.integers(2, 10),
)
def test_ntile_over_several_keys_is_sqls_ntile(keys, bins):
    """``ntile`` (the wave's strata) equals pandas: sort by the keys then customer_id,
    and bucket the positions as SQL ntile does."""
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i:03d}" for i in reversed(range(len(keys)))],
            "a": [k[0] for k in keys],
            "b": [Decimal(k[1]) for k in keys],
        }
    )
    schema = ibis.schema({"customer_id": "string", "a": "int64", "b": "decimal(18,2)"})
    rows = pa.Table.from_pylist(frame.to_dict("records"), schema=schema.to_pyarrow())
    t = ibis.duckdb.connect().create_table("t", rows)
    got = ntile(t, ["a", "b"], bins).order_by("customer_id").to_pandas()
    ordered = frame.assign(b=frame.b.astype(float)).sort_values(["a", "b", "customer_id"])
    want = dict(zip(ordered.customer_id, _bucket_of_position(len(frame), bins), strict=True))
    assert got.ntile.tolist() == [want[c] for c in got.customer_id]
