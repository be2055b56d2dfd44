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
