import pytest

from livebase.errors import ConfigError
from livebase.segments.segment_map import default_map, load_map, score_set


def test_default_map_reproduces_the_seeds():
    smap = default_map()
    ids = [s.id for s in smap.segments]
    assert ids == [
        "lost",
        "sleeping_long",
        "sleeping_cooled",
        "sleeping_warm",
        "champions",
        "loyal",
        "promising",
        "at_risk",
        "need_attention",
    ]
    warm = smap.by_id("sleeping_warm").when.recency_days
    cooled = smap.by_id("sleeping_cooled").when.recency_days
    assert (warm.min, warm.max, cooled.min, cooled.max) == (90, 179, 180, 269)
    assert smap.by_id("sleeping_long").when.recency_days.min == 270
    assert [t.tier for t in smap.sleep_tiers] == ["R90", "R180", "R270"]
    promising = smap.by_id("promising").when
    # 5-1-1 and 5-2-2 of seed 001
    assert score_set(promising.r) == {5}
    assert score_set(promising.f) == {1, 2}
    assert score_set(promising.m) == {1, 2}
    assert smap.by_id("need_attention").when.model_dump(exclude_none=True) == {}
    assert smap.by_id("champions").label("ru") == "Чемпионы (555)"


def test_map_errors_name_the_line(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(
        "segments:\n  - id: a\n    name: {en: A}\n    when: {r: 5}\n"
        "  - id: b\n    name: {en: B}\n    when: {f: 'five'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"map.yaml:7: segments.1.when.f"):
        load_map(path)
    path.write_text(
        "segments:\n  - id: a\n    name: {en: A}\n  - id: a\n    name: {en: B}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="segment ids repeat: a"):
        load_map(path)


def test_patterns_bounds_and_flags(ws):
    import datetime as dt
    from decimal import Decimal

    import ibis
    import pandas as pd

    from livebase.segments.segment_map import SegmentMap, assign_segments

    smap = SegmentMap.model_validate(
        {
            "segments": [
                {"id": "top", "name": {"en": "Top"}, "when": {"flags": {"is_top": True}}},
                {"id": "newcomer", "name": {"en": "N"}, "when": {"pattern": "5[1-2][1-2]"}},
                {"id": "rich", "name": {"en": "R"}, "when": {"monetary": {"min": 50000}}},
                {
                    "id": "kids",
                    "name": {"en": "K"},
                    "when": {"flags": {"has_child": True}, "frequency": {"max": 1}},
                },
                {"id": "rest", "name": {"en": "Rest"}},
            ]
        }
    )
    day = dt.date(2025, 5, 5)
    rfm = pd.DataFrame(
        {
            "as_of": [day] * 5,
            "customer_id": ["a", "b", "c", "d", "e"],
            "recency_days": [3, 5, 40, 60, 70],
            "frequency": [4, 1, 2, 1, 3],
            "monetary": [Decimal(x) for x in (90000, 1000, 60000, 500, 700)],
            "r": [5, 5, 4, 3, 3],
            "f": [5, 1, 3, 1, 4],
            "m": [5, 2, 5, 1, 2],
            "is_top": [True, False, False, None, False],
            "has_child": [False, False, False, True, True],
            "is_corporate": [False] * 5,
        }
    )
    got = assign_segments(ibis.memtable(rfm), smap).to_pandas().set_index("customer_id")
    assert got.segment.to_dict() == {
        "a": "top",
        "b": "newcomer",
        "c": "rich",
        "d": "kids",
        "e": "rest",
    }
    assert got.rule["b"] == "newcomer: RFM~5[1-2][1-2]"
    assert got.rule["d"] == "kids: frequency≤1 & has_child"
    assert got.is_top.tolist() == [True, False, False, None, False]


def test_bad_patterns_and_flags_name_the_line(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(
        "segments:\n  - id: a\n    name: {en: A}\n    when: {pattern: '5[3-1]'}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"map.yaml:4: segments.0.when.pattern.*empty range"):
        load_map(path)
    path.write_text(
        "segments:\n  - id: a\n    name: {en: A}\n    when:\n      flags: {is_vip: true}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"map.yaml:5: .*unknown flag 'is_vip'"):
        load_map(path)
