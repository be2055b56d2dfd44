"""The wave report as plain data, built from the store."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from livebase.errors import InputError
from livebase.i18n import NBSP
from livebase.reports import wave_report

WAVE_ID = "r90-2025-03"  # the wave of conftest.py


def test_report_reads_the_wave_and_its_arms(report):
    assert report.wave.wave_id == WAVE_ID
    assert (report.wave.playbook, report.wave.segment) == ("r90", "sleeping_warm")
    assert (report.window_start, report.window_end, report.window_days) == (
        dt.date(2025, 3, 1),
        dt.date(2025, 3, 14),
        14,
    )
    control, value, discount = report.readout.arms
    assert (control.n, control.conversions, control.orders) == (1000, 32, 32)
    assert (value.n, value.conversions, value.orders) == (1000, 49, 52)
    assert value.revenue == Decimal("156000.00")  # 52 × 3 000
    assert value.revenue_per_assigned == Decimal("156.00")
    assert value.aov == Decimal("3000.00")
    assert value.uplift_pp == pytest.approx(1.7)
    assert discount.status == "insufficient_data"


def test_srm_flags_the_empty_planned_arm(report):
    assert report.readout.srm.status == "mismatch"
    assert report.readout.srm.observed == (1000, 1000, 0)


def test_verdicts_in_russian(report):
    control, value, discount = (v.replace(NBSP, " ") for v in report.verdicts)
    assert control == "control: контроль, конверсия 3,2 %, 95 % ДИ [2,3 %; 4,5 %]"
    assert value == (
        "value: +1,7 п.п. к контролю, 95 % ДИ [-0,0; +3,5] п.п.; p = 0,054, не значимо при α = 0,05"
    )
    assert discount == "discount: недостаточно данных: в группу никто не назначен"


def test_english_report(store):
    rep = wave_report(store, WAVE_ID, lang="en", window_days=7)
    assert rep.lang == "en"
    assert rep.window_end == dt.date(2025, 3, 7)
    assert rep.readout.srm is None
    assert rep.verdicts[2] == "discount: not enough data: no customers assigned to this arm"


def test_to_dict_is_json_ready(report):
    data = json.loads(json.dumps(report.to_dict()))
    assert data["wave"]["starts_on"] == "2025-03-01"
    assert data["window"] == {"days": 14, "start": "2025-03-01", "end_inclusive": "2025-03-14"}
    assert [arm["arm"] for arm in data["arms"]] == ["control", "value", "discount"]
    value = data["arms"][1]
    assert value["revenue_per_assigned"] == "156.00"
    assert value["status"] == "ok"
    assert data["arms"][2]["rate"] is None
    assert data["srm"]["status"] == "mismatch"


def test_bad_arguments(store):
    with pytest.raises(InputError, match="unsupported language"):
        wave_report(store, WAVE_ID, lang="fr")
    with pytest.raises(InputError, match="no wave"):
        wave_report(store, "missing")
