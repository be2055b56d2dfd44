"""The planted truth: the pilot's rates, saved and loaded unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from livebase.simulate import ARMS, TIERS, PlantedTruth


def test_rates_follow_the_pilot() -> None:
    truth = PlantedTruth.planted(seed=3, end=date(2025, 5, 5))
    assert set(truth.response_rates) == set(TIERS)
    assert truth.response_rates["R90"] == {
        "holdout": pytest.approx(0.0192),
        "control": 0.032,
        "value": 0.049,
        "discount": 0.056,
    }
    for tier in TIERS:
        rates = [truth.rate(tier, arm) for arm in ARMS]
        assert rates == sorted(rates), "holdout < control < value < discount"
    assert truth.rate("active", "discount") == truth.baseline_rate
    assert truth.aov == {"R90": 12_300.0, "R180": 11_400.0, "R270": 10_800.0}
    with pytest.raises(ValueError, match="arm"):
        truth.rate("R90", "coupon")


def test_save_and_load(tmp_path: Path) -> None:
    truth = PlantedTruth.planted(
        seed=3, end=date(2025, 5, 5), counts={"orders_by_status": {"Завершен": 5}, "refunds": 1}
    )
    truth.save(tmp_path / "truth.json")
    assert PlantedTruth.load(tmp_path / "truth.json") == truth
    assert "Завершен" in (tmp_path / "truth.json").read_text(encoding="utf-8")
