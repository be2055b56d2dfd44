"""The filter forms of the pages: choices read from the store, current values as shown."""

from __future__ import annotations

import pytest

from livebase.segments.segment_map import default_map
from livebase.store.workspace import Workspace
from livebase.web import data, filters


@pytest.fixture(scope="module")
def demo(demo_root) -> Workspace:
    ws = Workspace.open(demo_root)
    yield ws
    ws.close()


def _by_name(fields):
    return {f.name: f for f in fields}


def test_dates_offered_are_the_stored_snapshots_newest_first(demo):
    page = data.overview(demo, as_of="2025-03-31")
    (as_of,) = filters.overview(demo, page, "en")
    days = [d.isoformat() for d in data.segment_dates(demo)]
    assert [v for v, _ in as_of.options] == days[::-1]
    assert (as_of.value, as_of.blank) == ("2025-03-31", False)  # what the page shows


def test_segments_form_shows_the_migration_dates_the_page_used(demo):
    page = {
        "grid": data.rfm_grid(demo, segment="loyal"),
        "migration": {"status": "ok", **data.migration(demo)},
    }
    f = _by_name(filters.segments(demo, page, "ru"))
    assert f["segment"].value == "loyal"
    # every segment of the map, by its Russian name
    assert dict(f["segment"].options)["loyal"] == default_map().label("loyal", "ru")
    assert (f["from"].value, f["to"].value) == ("2025-04-30", "2025-05-05")
    no_migration = {**page, "migration": {"status": "insufficient_data", "reason": "…"}}
    f = _by_name(filters.segments(demo, no_migration, "ru"))
    assert (f["from"].value, f["to"].value) == (None, None)


def test_lists_are_translated_and_read_from_the_data(demo):
    risk = _by_name(filters.risk(demo, data.risk_list(demo, level="high"), "ru"))
    assert risk["level"].options == (("low", "низкий"), ("medium", "средний"), ("high", "высокий"))
    assert risk["level"].value == "high"
    assert [v for v, _ in risk["as_of"].options] == ["2025-05-05"]  # the one risk date
    page = data.cohorts(demo, kind="first_channel")
    cohorts = _by_name(filters.cohorts(demo, page, "en"))
    assert [v for v, _ in cohorts["cohort"].options] == page["cohorts"]
    assert cohorts["kind"].value == "first_channel"
    assert cohorts["as_of"].options is None  # a free date
    waves = _by_name(filters.waves(demo, data.waves(demo), "en"))
    assert [v for v, _ in waves["segment"].options] == data.waves(demo)["segments"]
