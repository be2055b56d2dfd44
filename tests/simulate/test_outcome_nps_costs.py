"""A wave's NPS answers and costs: planted NPS per arm, exact costs, clean imports."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow.compute as pc
import pytest

from livebase.experiments.nps import nps_from_scores
from livebase.ingest.pipeline import import_file
from livebase.simulate import ARMS, PlantedTruth, WaveOutcomeFiles, wave_outcomes
from livebase.store.workspace import Workspace
from tests.simulate import exportfiles as ef
from tests.simulate.test_outcomes import DAYS, STARTS, _assign, _synthetic_school

PLANTED_NPS = {"holdout": 58.0, "control": 58.0, "value": 67.0, "discount": 60.0}


def _read(path: Path) -> pd.DataFrame:
    return ef.read(path, sep=",")


@pytest.fixture(scope="module")
def big_wave(tmp_path_factory: pytest.TempPathFactory):
    """144 000 members, 36 000 per arm (another seed and wave than test_outcomes' wave)."""
    root = tmp_path_factory.mktemp("big")
    members = _synthetic_school(root / "school")
    files = wave_outcomes(
        root / "school",
        members[["customer_id", "arm", "sleep_tier"]],
        wave_id="W-NPS-1",
        starts_on=STARTS,
        days=DAYS,
        seed=2025,
        out_dir=root / "out",
    )
    truth = PlantedTruth.load(root / "school" / "truth.json")
    arm_of = dict(zip(members["customer_id"].str.slice(3), members["arm"], strict=True))
    return members, files, truth, arm_of


def test_the_truth_records_the_planted_nps_and_costs(big_wave) -> None:
    _, _, truth, _ = big_wave
    assert {arm: truth.nps(arm) for arm in ARMS} == PLANTED_NPS
    for groups in truth.nps_groups.values():
        assert sum(groups.values()) == pytest.approx(1.0)
    assert truth.nps_response_rate == 0.41
    assert truth.nps_delay_days == [7, 10]
    assert (truth.esp_cost_per_message, truth.bonus_cost_per_value_member) == (0.75, 5.0)


def test_nps_of_a_large_wave_recovers_the_planted_nps(big_wave) -> None:
    _, files, truth, arm_of = big_wave
    answers = _read(files.nps)
    assert list(answers.columns) == ["user_id", "email", "ts", "score"]
    answers["arm"] = answers["user_id"].map(arm_of)
    assert answers["arm"].notna().all()
    for arm in ARMS:
        scores = answers.loc[answers["arm"] == arm, "score"].astype(int).tolist()
        # the 95 % interval; answers are hashes of (seed, wave, user), so this holds for
        # this seed whatever else draws from the wave's generator
        result = nps_from_scores(scores)
        assert result.status == "ok", arm
        assert result.n > 200, arm
        low, high = result.ci
        assert low <= truth.nps(arm) <= high, (arm, result.nps, result.ci)
    assert set(answers["score"].astype(int)) == set(range(11))


def test_a_share_of_the_payers_answers_once_7_to_10_days_after_paying(big_wave) -> None:
    _, files, truth, arm_of = big_wave
    orders = ef.orders(files.orders)
    answers = _read(files.nps)
    assert answers["user_id"].is_unique, "one answer per buyer"
    assert set(answers["user_id"]) <= set(orders["ID пользователя"])
    rate = len(answers) / len(orders)
    p = truth.nps_response_rate
    assert abs(rate - p) <= 4 * math.sqrt(p * (1 - p) / len(orders))
    paid = orders.set_index("ID пользователя")["Дата оплаты"]
    for row in answers.itertuples(index=False):
        bought = ef.local_time(paid[row.user_id], truth.timezone)  # minutes, truncated
        delay = ef.utc_time(row.ts) - bought
        assert timedelta(days=7) <= delay < timedelta(days=10, minutes=1), row
    # the survey goes to the ESP address the wave's emails went to
    reached = set(ef.esp_table(files.esp_events)["email"].unique().to_pylist())
    contacted = answers["user_id"].map(arm_of) != "holdout"
    assert set(answers.loc[contacted, "email"]) <= reached


def _expected_costs(files: WaveOutcomeFiles, members: pd.DataFrame, tz: str) -> dict:
    """ESP: 0.75 ₽ per sent event per school-local day; bonuses: 5 ₽ per value member."""
    esp = ef.esp_table(files.esp_events)
    sent = esp.filter(pc.equal(esp["event"], "sent"))["timestamp"].to_pylist()
    days = pd.Series([ef.utc_time(t).astimezone(ZoneInfo(tz)).date() for t in sent])
    expected = {
        (day.isoformat(), "email", "esp"): Decimal("0.75") * n
        for day, n in days.value_counts().items()
    }
    value = int((members["arm"] == "value").sum())
    if value:
        expected[(STARTS.isoformat(), "production", "bonuses")] = Decimal(5) * value
    return expected


def test_costs_are_the_sent_emails_and_the_value_arms_bonuses(big_wave) -> None:
    members, files, truth, _ = big_wave
    costs = _read(files.costs)
    assert list(costs.columns) == ["date", "wave_id", "channel", "kind", "amount"]
    assert set(costs["wave_id"]) == {"W-NPS-1"}
    got = {(r.date, r.channel, r.kind): Decimal(r.amount) for r in costs.itertuples(index=False)}
    assert got == _expected_costs(files, members, truth.timezone)
    # 36 000 value members x 5 = 180 000 ₽ of bonuses; no discount line (it is in the orders)
    assert got[(STARTS.isoformat(), "production", "bonuses")] == Decimal("180000")
    assert set(costs["kind"]) == {"esp", "bonuses"}
    # every email of 108 000 contacted members: six sends each, fewer after leaving the list
    sends = sum(v for (_, channel, _), v in got.items() if channel == "email") / Decimal("0.75")
    assert 0.98 * 6 * 108_000 < sends <= 6 * 108_000
    # the six emails go out on six days (10:00 local is the same date in school time)
    sending_days = sorted(d for d, channel, _ in got if channel == "email")
    assert len(sending_days) == truth.emails_per_wave
    assert (sending_days[0], sending_days[-1]) == (
        STARTS.isoformat(),
        (STARTS + timedelta(days=DAYS - 1)).isoformat(),
    )


def _workspace(folder: Path) -> Workspace:
    return Workspace.init(folder, school="Test school")


def test_large_wave_files_import_without_rejects(big_wave, tmp_path: Path) -> None:
    members, files, _, _ = big_wave
    ws = _workspace(tmp_path / "ws")
    try:
        nps = import_file(ws, files.nps, "nps")
        costs = import_file(ws, files.costs, "costs")
        for result, path in ((nps, files.nps), (costs, files.costs)):
            assert result.rows_rejected == 0, path
            assert result.rows_loaded == result.rows_in == len(_read(path)), path
        answers = ws.table("nps_responses").to_pandas()
        assert set(answers["customer_id"]) <= set(members["customer_id"])
        total = ws.table("costs").amount.sum().to_pyarrow().as_py()
        assert total == sum(_expected_costs(files, members, "Europe/Moscow").values())
    finally:
        ws.close()


def test_a_real_schools_wave_imports_through_the_presets(school_dir: Path, tmp_path: Path) -> None:
    members = _assign(school_dir)
    files = wave_outcomes(
        school_dir, members, wave_id="W1", starts_on=STARTS, days=14, seed=3, out_dir=tmp_path
    )
    ws = _workspace(tmp_path / "ws")
    try:
        results = {
            preset: import_file(ws, path, preset)
            for path, preset in (
                (school_dir / "users.csv", "getcourse-users"),
                (files.orders, "getcourse-orders"),
                (files.esp_events, "esp-events"),
                (files.nps, "nps"),
                (files.costs, "costs"),
            )
        }
        for preset in ("nps", "costs"):
            assert results[preset].rows_rejected == 0, preset
            assert results[preset].rows_loaded > 0, preset
        # every answer belongs to a customer who paid in the wave
        answered = set(ws.table("nps_responses").customer_id.to_pyarrow().to_pylist())
        orders = ws.table("orders").to_pandas()
        wave_ids = set(ef.orders(files.orders)["ID заказа"])
        paid = orders.loc[orders["order_id"].str.extract(r"(\d+)$")[0].isin(wave_ids)]
        assert len(paid) == len(wave_ids)
        assert answered <= set(paid["customer_id"])
    finally:
        ws.close()


def _bytes(files: WaveOutcomeFiles) -> dict[str, bytes]:
    return {name: getattr(files, name).read_bytes() for name in ("nps", "costs")}


def test_same_inputs_same_nps_and_costs_in_any_row_order(school_dir: Path, tmp_path: Path) -> None:
    members = _assign(school_dir)
    args = {"wave_id": "W1", "starts_on": STARTS, "days": 14, "seed": 3}
    first = _bytes(wave_outcomes(school_dir, members, out_dir=tmp_path / "a", **args))
    shuffled = members.sample(frac=1.0, random_state=1)
    assert _bytes(wave_outcomes(school_dir, shuffled, out_dir=tmp_path / "b", **args)) == first
    other = _bytes(wave_outcomes(school_dir, members, out_dir=tmp_path / "c", **args | {"seed": 4}))
    assert other["nps"] != first["nps"]


def test_no_value_arm_no_bonuses_and_an_all_holdout_wave_costs_nothing(
    school_dir: Path, tmp_path: Path
) -> None:
    members = _assign(school_dir, arms=("holdout", "control"))
    files = wave_outcomes(
        school_dir, members, wave_id="W1", starts_on=STARTS, days=14, seed=3, out_dir=tmp_path
    )
    costs = _read(files.costs)
    assert set(costs["kind"]) == {"esp"}
    holdout = members.assign(arm="holdout")
    files = wave_outcomes(
        school_dir, holdout, wave_id="W2", starts_on=STARTS, days=14, seed=3, out_dir=tmp_path
    )
    assert _read(files.costs).empty, "the holdout gets no messages and no bonuses"
    # holdout buyers are paying customers too: they are surveyed
    assert 0 < len(_read(files.nps)) < len(ef.orders(files.orders))


def test_nps_answers_are_sorted_utc_times_after_the_window_opens(big_wave) -> None:
    _, files, _, _ = big_wave
    ts = pd.to_datetime(_read(files.nps)["ts"], format="%Y-%m-%dT%H:%M:%SZ")
    # the first order comes after 09:00 Moscow (06:00 UTC) of the first day
    opens = datetime.combine(STARTS, datetime.min.time()) + timedelta(hours=6)
    assert ts.min() >= opens + timedelta(days=7)
    assert ts.max() < opens + timedelta(days=DAYS + 10)
    assert ts.is_monotonic_increasing
    assert date.fromisoformat(_read(files.costs)["date"].min()) == STARTS
