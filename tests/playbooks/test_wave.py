"""Planning a wave: stratified, deterministic and stable arms, holdout rule, A/A, power."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError
from tests.store_rows import put_orders

from livebase.config import ExperimentSettings, WorkspaceConfig
from livebase.errors import ConfigError
from livebase.experiments.power import prelaunch_check
from livebase.playbooks.wave import plan_wave, tier_baseline, wave_arms
from livebase.segments.build import build_segments
from livebase.store.workspace import Workspace
from livebase.store.write import upsert

AS_OF = dt.date(2025, 6, 30)
SINCE = AS_OF - dt.timedelta(days=14)  # R90 waves last 14 days
CHANNELS = ("email", "vk", "ads", None, "webinar")


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12))


def add_school(ws: Workspace, first: int, count: int) -> None:
    """Customers ``c{first}`` … with e-mail addresses, orders, first channels and email
    consents.

    Every eighth is a *returner*: in R90 on SINCE (last purchase 100 days before it) and
    buying again within the 14 days after it, so the tier's baseline is not degenerate;
    the others last bought 90–179 days before AS_OF (all in R90 then). Every tenth never
    gave consent (excluded from the wave).
    """
    orders, customers, consents = [], [], []
    for i in range(first, first + count):
        cid = f"c{i:04d}"
        customers.append(
            {
                "customer_id": cid,
                "email": f"{cid}@example.test",
                "first_channel": CHANNELS[i % len(CHANNELS)],
            }
        )
        if i % 10:
            consents.append(
                {
                    "customer_id": cid,
                    "channel": "email",
                    "purpose": "marketing",
                    "granted": True,
                    "ts": dt.datetime(2024, 1, 1),
                }
            )
        if i % 8 == 0:
            days = [SINCE - dt.timedelta(days=100), SINCE + dt.timedelta(days=1 + i % 14)]
        else:
            last = AS_OF - dt.timedelta(days=90 + (i * 37) % 90)
            days = [last - dt.timedelta(days=45 * k) for k in range(1 + i % 3)]
        for k, day in enumerate(days):
            orders.append(
                {
                    "order_id": f"{cid}-{k}",
                    "customer_id": cid,
                    "paid_at": _noon(day),
                    "amount": 1000 + (i * 131) % 9000,
                }
            )
    put_orders(ws, orders)
    upsert(ws.con, "customers", pd.DataFrame(customers))
    upsert(ws.con, "consents", pd.DataFrame(consents))


def new_school(folder: Path, count: int = 400) -> Workspace:
    ws = Workspace.init(folder, school="Test school")
    add_school(ws, 0, count)
    build_segments(ws, AS_OF)
    return ws


@pytest.fixture(scope="module")
def school_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template") / "school"
    new_school(folder).close()
    return folder


@pytest.fixture
def school(school_dir: Path, tmp_path: Path) -> Workspace:
    folder = tmp_path / "school"
    shutil.copytree(school_dir, folder)
    ws = Workspace.open(folder)
    yield ws
    ws.close()


def assignments(ws: Workspace, wave_id: str) -> pd.DataFrame:
    a = ws.table("assignments")
    frame = a.filter(a.wave_id == wave_id).to_pandas()
    return frame.sort_values("customer_id").reset_index(drop=True)


def assert_balanced(frame: pd.DataFrame, weights: dict[str, float]) -> None:
    """The dealing's guarantee: in every stratum |count − w·n| < 1 for every arm."""
    for stratum, group in frame.groupby("stratum"):
        counts = group["arm"].value_counts()
        for arm, w in weights.items():
            assert abs(counts.get(arm, 0) - w * len(group)) < 1 + 1e-9, (stratum, arm, counts)


def test_plan_is_stratified_and_balanced(school):
    plan = plan_wave(school, AS_OF, seed=5)
    assert plan.wave_id == "W-R90-20250701"
    assert list(plan.weights) == ["holdout", "control", "value", "discount"]
    assert plan.weights["holdout"] == pytest.approx(0.15)  # the workspace default
    frame = assignments(school, plan.wave_id)
    # 350 non-returners (i mod 8 ≠ 0) in R90; without consent: i mod 10 = 0 but
    # i mod 8 ≠ 0, i.e. 40 multiples of 10 minus 10 multiples of 40 = 30; 320 assigned
    assert len(frame) == sum(plan.assigned.values()) == 320
    assert plan.excluded == {"no_consent": 30}
    assert plan.kept == 0
    assert all(
        re.fullmatch(r"d([1-9]|10)\|(email|vk|ads|webinar|unknown)", s) for s in frame.stratum
    )
    assert plan.strata == frame.stratum.nunique()
    # ten deciles of the contactable audience, 32 customers each (ntile of 320)
    deciles = frame.stratum.str.extract(r"^d(\d+)\|")[0].astype(int).value_counts()
    assert sorted(deciles.index) == list(range(1, 11))
    assert set(deciles) == {32}
    # customers without a first channel are in the "unknown" strata
    assert frame.stratum.str.endswith("|unknown").any()
    assert_balanced(frame, plan.weights)
    # every arm of the wave as a whole is within one customer per stratum of its share
    for arm, w in plan.weights.items():
        assert abs(plan.assigned[arm] - w * len(frame)) < plan.strata


def test_plan_is_deterministic_across_runs_and_stores(school, tmp_path):
    first = plan_wave(school, AS_OF, seed=5)
    before = assignments(school, first.wave_id)
    again = plan_wave(school, AS_OF, seed=5)
    assert again.kept == len(before)
    pd.testing.assert_frame_equal(assignments(school, first.wave_id), before)
    other = new_school(tmp_path / "other")
    try:
        fresh = plan_wave(other, AS_OF, seed=5)
        assert fresh.assigned == first.assigned
        pd.testing.assert_frame_equal(assignments(other, fresh.wave_id), before)
    finally:
        other.close()


def test_replanning_keeps_arms_and_deals_newcomers(school):
    plan = plan_wave(school, AS_OF, seed=5)
    before = assignments(school, plan.wave_id)
    # 200 more customers: the audience grows, RFM quantiles and deciles move
    add_school(school, 400, 200)
    build_segments(school, AS_OF)
    again = plan_wave(school, AS_OF, seed=5)
    after = assignments(school, plan.wave_id)
    assert again.kept == len(before)
    old = after[after.customer_id.isin(before.customer_id)].reset_index(drop=True)
    # everyone already assigned keeps arm and stratum
    pd.testing.assert_frame_equal(old, before)
    newcomers = after[~after.customer_id.isin(before.customer_id)]
    # 175 new non-returners, 20 − 5 = 15 of them without consent
    assert len(newcomers) == 160
    assert newcomers.arm.notna().all()
    assert set(newcomers.arm) == set(plan.weights)
    # newcomers continue their stratum's dealing after the members it already has, so
    # the balance holds for the stored strata of the grown wave too
    assert_balanced(after, plan.weights)


def test_replanning_with_other_settings_is_rejected(school):
    plan_wave(school, AS_OF, seed=5)
    with pytest.raises(ConfigError, match="already planned with seed 5"):
        plan_wave(school, AS_OF, seed=6)
    with pytest.raises(ConfigError, match="must stay the same"):
        plan_wave(school, AS_OF, seed=5, holdout=0.2)


@pytest.mark.parametrize("holdout", [0.0, 0.05, 0.099, 0.201, 0.3])
def test_holdout_outside_ten_to_twenty_percent_is_rejected(school, holdout):
    with pytest.raises(ConfigError, match=r"holdout must be 10–20 % of the wave"):
        plan_wave(school, AS_OF, holdout=holdout)


@pytest.mark.parametrize("holdout", [0.10, 0.2])
def test_holdout_bounds_are_allowed(holdout):
    weights = wave_arms(None, holdout, aa=False, default_holdout=0.15)
    assert weights["holdout"] == holdout
    assert weights["control"] == pytest.approx((1 - holdout) / 3)


def test_holdout_default_comes_from_the_workspace(school):
    school.config = school.config.model_copy(
        update={"experiments": ExperimentSettings(holdout=0.12)}
    )
    plan = plan_wave(school, AS_OF)
    assert plan.weights["holdout"] == 0.12
    assert_balanced(assignments(school, plan.wave_id), plan.weights)


def test_aa_wave(school):
    plan = plan_wave(school, AS_OF, aa=True)
    assert plan.aa
    assert plan.wave_id == "W-AA-R90-20250701"
    assert plan.weights == {"control_a": 0.5, "control_b": 0.5}
    frame = assignments(school, plan.wave_id)
    assert set(frame.arm) == {"control_a", "control_b"}
    assert abs(plan.assigned["control_a"] - plan.assigned["control_b"]) <= plan.strata
    assert_balanced(frame, plan.weights)
    assert plan.power is not None
    assert plan.power.control == "control_a"
    assert [a.arm for a in plan.power.arms] == ["control_b"]
    waves = school.table("waves").to_pandas().set_index("wave_id")
    assert waves.loc[plan.wave_id, "playbook"] == "aa_reactivation_r90"
    # the A/A wave does not collide with the real wave of the same day
    real = plan_wave(school, AS_OF)
    assert real.wave_id != plan.wave_id
    with pytest.raises(ConfigError, match="A/A wave has no holdout"):
        plan_wave(school, AS_OF, aa=True, holdout=0.15)


def test_baseline_on_a_hand_built_store(ws):
    # as of 2025-06-30 an R90 wave lasts 14 days: the cohort is who was in R90 (recency
    # 90–179 days) on 2025-06-16, a conversion a counted purchase on 06-17 … 06-30
    put_orders(
        ws,
        [
            # a: recency 107 on 06-16, buys 06-20: in the cohort, converted
            {"customer_id": "a", "paid_at": "2025-03-01 10:00", "amount": 1000},
            {"customer_id": "a", "paid_at": "2025-06-20 10:00", "amount": 1000},
            # b: recency 135, no purchase after: in, not converted
            {"customer_id": "b", "paid_at": "2025-02-01 10:00", "amount": 1000},
            # c: recency 157, buys on the last day of the window: in, converted
            {"customer_id": "c", "paid_at": "2025-01-10 10:00", "amount": 1000},
            {"customer_id": "c", "paid_at": "2025-06-30 23:00", "amount": 1000},
            # d: recency 15 on 06-16: not in R90 (buys later all the same)
            {"customer_id": "d", "paid_at": "2025-06-01 10:00", "amount": 1000},
            {"customer_id": "d", "paid_at": "2025-06-25 10:00", "amount": 1000},
            # e: recency 227: R180, not R90
            {"customer_id": "e", "paid_at": "2024-11-01 10:00", "amount": 1000},
            {"customer_id": "e", "paid_at": "2025-06-25 10:00", "amount": 1000},
            # f: recency 98, buys on 07-01, after the as-of date: in, not converted
            {"customer_id": "f", "paid_at": "2025-03-10 10:00", "amount": 1000},
            {"customer_id": "f", "paid_at": "2025-07-01 10:00", "amount": 1000},
            # h: recency exactly 90, a cancelled order in the window: in, not converted
            {"customer_id": "h", "paid_at": "2025-03-18 10:00", "amount": 1000},
            {
                "customer_id": "h",
                "paid_at": "2025-06-20 10:00",
                "amount": 1000,
                "status": "cancelled",
            },
            # i: recency exactly 180 on 06-16: R180, not R90
            {"customer_id": "i", "paid_at": "2024-12-18 10:00", "amount": 1000},
            {"customer_id": "i", "paid_at": "2025-06-20 10:00", "amount": 1000},
        ],
    )
    est = tier_baseline(ws, AS_OF, "R90")
    # cohort {a, b, c, f, h}, converted {a, c}: 2 / 5 = 0.4
    assert (est.status, est.since, est.days, est.customers, est.converted) == (
        "ok",
        dt.date(2025, 6, 16),
        14,
        5,
        2,
    )
    assert est.rate == pytest.approx(0.4)


def test_baseline_and_power_of_the_school(school):
    est = tier_baseline(school, AS_OF, "R90")
    # returners are every 8th of c0000…c0399: 50, all converted; the others were in R90
    # on 06-16 when their last purchase was 90–179 days before it, i.e. 104–193 days
    # before AS_OF: (i·37) mod 90 ≥ 14 for the non-returners
    others = sum(1 for i in range(400) if i % 8 and (i * 37) % 90 >= 14)
    assert (est.customers, est.converted) == (50 + others, 50)
    plan = plan_wave(school, AS_OF, seed=5)
    assert plan.baseline == est
    check = plan.power
    assert check is not None
    expected = prelaunch_check(
        plan.assigned, baseline=est.rate, mde=0.02, alpha=0.05, power=0.8, control="control"
    )
    assert check == expected
    # ~50–90 customers per arm cannot detect 2 p.p.: the check says so
    assert check.status == "underpowered"
    assert set(check.underpowered) == {"holdout", "value", "discount"}
    assert all("underpowered" in arm.message for arm in check.arms)
    assert "недостаточная мощность" in check.describe("ru")


def test_no_history_means_no_power_check(ws):
    # everyone bought 100 days before AS_OF: on 06-16 the recency was 86, below R90
    day = _noon(AS_OF - dt.timedelta(days=100))
    put_orders(ws, [{"customer_id": f"c{i}", "paid_at": day, "amount": 500} for i in range(30)])
    upsert(
        ws.con,
        "customers",
        pd.DataFrame({"customer_id": [f"c{i}" for i in range(30)], "email": "c@example.test"}),
    )
    upsert(
        ws.con,
        "consents",
        pd.DataFrame(
            {
                "customer_id": [f"c{i}" for i in range(30)],
                "channel": "email",
                "purpose": "marketing",
                "granted": True,
                "ts": dt.datetime(2025, 1, 1),
            }
        ),
    )
    build_segments(ws, AS_OF)
    plan = plan_wave(ws, AS_OF)
    assert plan.baseline is not None
    assert (plan.baseline.status, plan.baseline.reason, plan.baseline.rate) == (
        "insufficient_data",
        "no_history",
        None,
    )
    assert plan.power is None
    assert sum(plan.assigned.values()) == 30


def test_experiment_settings_are_validated(tmp_path):
    assert WorkspaceConfig().experiments == ExperimentSettings(
        alpha=0.05, power=0.8, mde_pp=2.0, holdout=0.15, gross_margin=0.63
    )
    for bad in (
        {"holdout": 0.05},
        {"holdout": 0.25},
        {"alpha": 0},
        {"power": 1.2},
        {"mde_pp": 0},
        {"gross_margin": 1.5},
        {"alpha": 0.5, "power": 0.4},
    ):
        with pytest.raises(ValidationError):
            ExperimentSettings(**bad)
    path = tmp_path / "livebase.toml"
    path.write_text("[experiments]\nholdout = 0.3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"experiments\.holdout"):
        WorkspaceConfig.load(path)
    text = WorkspaceConfig().to_toml()
    assert "[experiments]" in text
    path.write_text(text, encoding="utf-8")
    assert WorkspaceConfig.load(path).experiments.mde_pp == 2.0
