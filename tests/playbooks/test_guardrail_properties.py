"""Property-based proof of the guardrails (SPEC F4.3): random worlds, an independent checker.

The pure layer feeds random touch frames to ``apply_guardrails``; the store layer plans
random small schools with ``plan_playbook`` and reads the wave back. The checker lives in
``tests/playbooks/guardrail_world.py`` and shares no code with the rules it checks.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from tests.playbooks.guardrail_world import (
    AS_OF,
    PureWorld,
    playbooks,
    pure_violations,
    pure_worlds,
    schools,
    store_violations,
)

from livebase.config import Caps
from livebase.errors import ConfigError, InsufficientData
from livebase.exports.wave import export_wave
from livebase.metrics.rfm import day_end
from livebase.playbooks import reasons as R
from livebase.playbooks.guardrails import Rules, apply_guardrails
from livebase.playbooks.planner import plan_playbook
from livebase.playbooks.spec import Playbook, find_playbook
from livebase.playbooks.throttle import check_throttle
from livebase.store.workspace import Workspace
from livebase.store.write import upsert

PURE = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def _run(world: PureWorld) -> tuple[pd.DataFrame, pd.DataFrame]:
    return apply_guardrails(world.touch_frame(), world.rules, **world.kwargs())


@PURE
@given(pure_worlds())
def test_guardrails_hold_on_random_touches(world):
    kept, log = _run(world)
    assert pure_violations(world, kept, log) == []


@PURE
@given(pure_worlds())
def test_guardrails_are_deterministic(world):
    kept, log = _run(world)
    again, log_again = _run(world)
    pd.testing.assert_frame_equal(kept, again)
    pd.testing.assert_frame_equal(log, log_again)


# ---- the store layer -----------------------------------------------------------------
# no shrinking: a failing school is reported as drawn (the messages name the customers);
# shrinking a store example takes minutes
STORE = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _wave_rows(ws, table: str, wave_id: str, keys: list[str]) -> pd.DataFrame:
    t = ws.table(table)
    frame = t.filter(t.wave_id == wave_id).to_pandas()
    return frame.sort_values(keys).reset_index(drop=True)


@STORE
@given(
    as_of=st.integers(0, 6).map(lambda k: AS_OF + dt.timedelta(days=k)),
    data=st.data(),
)
def test_planned_waves_obey_the_guardrails(as_of, data):
    school = data.draw(schools(as_of, 0, st.integers(10, 60)), label="school")
    playbook = data.draw(playbooks("PT"), label="playbook")
    other = data.draw(st.none() | playbooks("OT"), label="an earlier wave")
    more = data.draw(schools(as_of, 100, st.integers(1, 15)), label="newcomers")
    assume(not playbook.problems())
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.init(Path(tmp) / "school", school="t")
        try:
            school.write(ws)
            if other is not None:
                assume(not other.problems())
                try:
                    first = plan_playbook(ws, other, as_of, seed=3)
                except InsufficientData:
                    pass
                else:
                    assert store_violations(ws, other, first.wave_id, as_of, first_run=True) == []
            try:
                plan = plan_playbook(ws, playbook, as_of, seed=7)
            except InsufficientData:
                assume(False)
            wid = plan.wave_id
            assert store_violations(ws, playbook, wid, as_of, first_run=True) == []
            arms = _wave_rows(ws, "assignments", wid, ["customer_id"])
            touches = _wave_rows(ws, "touches", wid, ["customer_id", "touch_no"])
            # planning again changes nothing
            plan_playbook(ws, playbook, as_of, seed=7)
            pd.testing.assert_frame_equal(_wave_rows(ws, "assignments", wid, ["customer_id"]), arms)
            pd.testing.assert_frame_equal(
                _wave_rows(ws, "touches", wid, ["customer_id", "touch_no"]), touches
            )
            # newcomers join; everyone assigned before keeps arm and stratum
            more.write(ws)
            plan_playbook(ws, playbook, as_of, seed=7)
            after = _wave_rows(ws, "assignments", wid, ["customer_id"])
            merged = arms.merge(after, on="customer_id", how="left", suffixes=("", "_now"))
            assert (merged["arm"] == merged["arm_now"]).all()
            assert (merged["stratum"] == merged["stratum_now"]).all()
            assert store_violations(ws, playbook, wid, as_of, first_run=False) == []
        finally:
            ws.close()


# ---- minimal cases of the rules the properties found broken ----------------------------
D = dt.date
T = dt.datetime


def _touch(customer: str, no: int, channel: str, at: dt.datetime, **extra) -> dict:
    return {
        "customer_id": customer,
        "arm": "control",
        "touch_no": no,
        "channel": channel,
        "pattern": "support",
        "is_promo": False,
        "offer": None,
        "offer_kind": None,
        "purpose": "marketing",
        "condition": None,
        "local_at": at,
        "ends_day": None,
        "frequency": None,
        "parent": 0,
        "segment": None,
        **extra,
    }


def test_a_cascade_stays_within_the_deadline_and_the_wave():
    # wave 1–14 July, deadline 10 July. a: a promo e-mail on the deadline day at 19:00,
    # its cascade 18 h later on 11 July (past the deadline); b: an e-mail on the last
    # day, its cascade on 15 July (past the wave). Neither cascade may be kept.
    rules = Rules(caps=Caps(), last_day=D(2025, 7, 14), deadline_day=D(2025, 7, 10))
    world = PureWorld(
        rules=rules,
        segment={"a": None, "b": None},
        touches=[
            _touch("a", 1, "email", T(2025, 7, 10, 19), is_promo=True),
            _touch(
                "a",
                101,
                "messenger",
                T(2025, 7, 11, 13),
                is_promo=True,
                parent=1,
                condition="email_unopened",
            ),
            _touch("b", 1, "email", T(2025, 7, 14, 19)),
            _touch("b", 101, "messenger", T(2025, 7, 15, 13), parent=1, condition="email_unopened"),
        ],
    )
    kept, log = _run(world)
    assert sorted(zip(kept["customer_id"], kept["touch_no"], strict=True)) == [("a", 1), ("b", 1)]
    assert pure_violations(world, kept, log) == []


def test_a_cascade_moved_with_its_email_is_logged_as_moved():
    # per_day 1; a was sent a message on 3 July, so the e-mail of 3 July 19:00 moves to
    # 4 July 19:00 and its cascade (4 July 13:00) with it to 5 July 13:00: both moves
    # belong in the log (action moved, moved_local the new time).
    rules = Rules(caps=Caps(), last_day=D(2025, 7, 14), deadline_day=D(2025, 7, 14))
    world = PureWorld(
        rules=rules,
        segment={"a": None},
        touches=[
            _touch("a", 1, "email", T(2025, 7, 3, 19)),
            _touch("a", 101, "sms", T(2025, 7, 4, 13), parent=1, condition="email_unopened"),
        ],
        busy=[("a", D(2025, 7, 3), "email")],
    )
    kept, log = _run(world)
    at = dict(zip(kept["touch_no"], kept["local_at"], strict=True))
    assert at == {1: pd.Timestamp(2025, 7, 4, 19), 101: pd.Timestamp(2025, 7, 5, 13)}
    moved = log[log["action"] == R.MOVED]
    assert dict(zip(moved["touch_no"], moved["moved_local"], strict=True)) == {
        1: pd.Timestamp(2025, 7, 4, 19),
        101: pd.Timestamp(2025, 7, 5, 13),
    }


def _tiny_school(ws, customers: list[tuple[str, str]], consents, messages=()) -> None:
    """Customers (id, segment) of the R90 tier on AS_OF with an e-mail and a phone (Moscow
    time), consents (id, channel, purpose) granted on 1 Jan 2024, messages (id, channel,
    event) on 1 June 2025."""
    upsert(
        ws.con,
        "customers",
        pd.DataFrame(
            [
                {"customer_id": c, "email": f"{c}@x.test", "phone": "+79160000000"}
                for c, _ in customers
            ]
        ),
    )
    upsert(
        ws.con,
        "segments",
        pd.DataFrame(
            [
                {
                    "as_of": AS_OF,
                    "version": "monetary",
                    "customer_id": c,
                    "segment": s,
                    "rule": s,
                    "sleep_tier": "R90",
                    "is_top": False,
                }
                for c, s in customers
            ]
        ),
    )
    upsert(
        ws.con,
        "rfm",
        pd.DataFrame(
            [
                {
                    "as_of": AS_OF,
                    "version": "monetary",
                    "customer_id": c,
                    "recency_days": 100,
                    "frequency": 1,
                    "monetary": Decimal(1000),
                    "r": 1,
                    "f": 1,
                    "m": 1,
                }
                for c, _ in customers
            ]
        ),
    )
    upsert(
        ws.con,
        "consents",
        pd.DataFrame(
            [
                {
                    "customer_id": c,
                    "channel": ch,
                    "purpose": p,
                    "granted": True,
                    "ts": T(2024, 1, 1),
                }
                for c, ch, p in consents
            ]
        ),
    )
    if messages:
        upsert(
            ws.con,
            "messages",
            pd.DataFrame(
                [
                    {
                        "event_id": f"{c}-{ch}-{e}",
                        "customer_id": c,
                        "ts": T(2025, 6, 1),
                        "channel": ch,
                        "event": e,
                    }
                    for c, ch, e in messages
                ]
            ),
        )


def _playbook(touches: list[dict], **extra) -> Playbook:
    base = find_playbook("reactivation_r90").model_dump(mode="python", exclude_none=True)
    spec = {
        **base,
        "id": "tiny",
        "code": "TINY",
        "days": 14,
        "discount_budget": None,
        "deadline": None,
        "touches": touches,
        **extra,
    }
    playbook = Playbook.model_validate(spec)
    assert playbook.problems() == []
    return playbook


def _touches_of(ws, wave_id: str) -> pd.DataFrame:
    t = ws.table("touches")
    return t.filter(t.wave_id == wave_id).to_pandas().sort_values(["customer_id", "touch_no"])


def _moves(ws, wave_id: str) -> pd.DataFrame:
    e = ws.table("exclusions")
    return e.filter((e.wave_id == wave_id) & (e.action == R.MOVED)).to_pandas()


TEN = [f"k{i}" for i in range(10)]  # ten customers: the holdout (15 %) leaves most in


def test_a_service_cascade_respects_a_complaint_on_its_channel(ws):
    # a service e-mail cascading to sms; everyone complained about sms on 1 June: a
    # complaint stops service messages on the channel (eligibility), so no sms touch
    # may be planned (the cascade is removed: no other channel in its list).
    _tiny_school(
        ws,
        [(c, "at_risk") for c in TEN],
        [(c, "email", "marketing") for c in TEN],
        [(c, "sms", "complained") for c in TEN],
    )
    playbook = _playbook(
        [
            {"day": 0, "channel": "email", "pattern": "support"},
            {
                "day": 2,
                "channel": "email",
                "pattern": "support",
                "purpose": "service",
                "cascade": {"channels": ["sms"], "after_hours": 18},
            },
        ]
    )
    plan = plan_playbook(ws, playbook, AS_OF)
    touches = _touches_of(ws, plan.wave_id)
    assert len(touches) > 0
    assert "sms" not in set(touches["channel"])
    assert store_violations(ws, playbook, plan.wave_id, AS_OF, first_run=True) == []


def test_a_cascade_on_the_day_of_its_email_counts_against_the_daily_cap(ws):
    # champions hear at 09:00; an e-mail on day 0 cascades 12 h later, at 21:00 the same
    # local day: two touches on 1 July with a cap of 1 a day. (problems() counts the
    # cascade on the next day, so the plan passes its own check.)
    _tiny_school(
        ws,
        [(c, "champions") for c in TEN],
        [(c, ch, "marketing") for c in TEN for ch in ("email", "messenger")],
    )
    playbook = _playbook(
        [
            {
                "day": 0,
                "channel": "email",
                "pattern": "support",
                "cascade": {"channels": ["messenger"], "after_hours": 12},
            },
            {"day": 4, "channel": "email", "pattern": "support"},
        ]
    )
    plan = plan_playbook(ws, playbook, AS_OF)
    touches = _touches_of(ws, plan.wave_id)
    local_day = (touches["planned_at"] + pd.Timedelta(hours=3)).dt.date  # Moscow, UTC+3
    per_day = Counter(zip(touches["customer_id"], local_day, strict=True))
    assert len(per_day) > 0
    assert max(per_day.values()) == 1, per_day
    assert store_violations(ws, playbook, plan.wave_id, AS_OF, first_run=True) == []


def test_a_cascade_on_its_second_channel_counts_against_that_channels_cap(ws):
    # messenger at most 1 a week; the e-mail of day 0 cascades to sms, else messenger;
    # nobody consented to sms, so the cascade goes to messenger on day 1 and, with the
    # messenger touch of day 3, would make 2 messenger touches in 7 days (problems()
    # counts the cascade on its first channel, sms): the day-3 touch moves to day 8.
    _tiny_school(
        ws,
        [(c, "at_risk") for c in TEN],
        [(c, ch, "marketing") for c in TEN for ch in ("email", "messenger")],
    )
    playbook = _playbook(
        [
            {
                "day": 0,
                "channel": "email",
                "pattern": "support",
                "cascade": {"channels": ["sms", "messenger"], "after_hours": 18},
            },
            {"day": 3, "channel": "messenger", "pattern": "support"},
        ]
    )
    plan = plan_playbook(ws, playbook, AS_OF)
    touches = _touches_of(ws, plan.wave_id)
    messenger = touches[touches["channel"] == "messenger"]
    assert len(messenger) > 0
    for _, at in messenger.groupby("customer_id")["planned_at"]:
        days = sorted(at)
        assert all(b - a >= dt.timedelta(days=7) for a, b in itertools.pairwise(days))
    moved = _moves(ws, plan.wave_id)
    assert set(moved["touch_no"]) == {2}
    assert (moved["moved_to"] - moved["planned_at"] == dt.timedelta(days=5)).all()
    assert set(moved["reason_code"]) == {R.CAP_CHANNEL}
    assert store_violations(ws, playbook, plan.wave_id, AS_OF, first_run=True) == []


@pytest.mark.parametrize(
    "setting",
    [{"caps": Caps(per_week=2)}, {"segment_caps": {"at_risk": Caps(per_week=2)}}],
    ids=["caps", "segment_caps"],
)
def test_the_workspace_caps_bind_a_playbook_without_its_own(ws, setting):
    # the workspace allows 2 touches a week (to everyone, or to at_risk); the playbook
    # has no caps of its own and e-mails on days 0, 2 and 4 (fine for the default 3 a
    # week, so problems() passes): the plan must keep at most 2 of them in any 7 days.
    _tiny_school(ws, [(c, "at_risk") for c in TEN], [(c, "email", "marketing") for c in TEN])
    guardrails = ws.config.guardrails.model_copy(update=setting)
    strict = ws.config.model_copy(update={"guardrails": guardrails})
    ws.close()
    ws = Workspace(ws.root, strict)
    try:
        playbook = _playbook(
            [{"day": d, "channel": "email", "pattern": "support"} for d in (0, 2, 4)],
            caps=None,
        )
        plan = plan_playbook(ws, playbook, AS_OF)
        touches = _touches_of(ws, plan.wave_id)
        assert len(touches) > 0
        for _, at in touches.groupby("customer_id")["planned_at"]:
            days = sorted(at)
            # any three touches of one customer span at least 7 days
            assert all(
                c - a >= dt.timedelta(days=7) for a, c in zip(days, days[2:], strict=False)
            ), days
        assert store_violations(ws, playbook, plan.wave_id, AS_OF, first_run=True) == []
    finally:
        ws.close()


def test_replanning_keeps_later_decisions_and_a_throttled_wave_stays_silent(ws, tmp_path):
    # a plan of e-mails on days 0 and 4; k0 withdraws e-mail consent on 1 July 06:00 and
    # the export at 08:00 leaves k0's touches out; planning the wave again (the same
    # as-of) must keep that decision. Then k1 complains on 2 July: the throttle silences
    # the wave, and planning it again must not bring its touches back.
    _tiny_school(ws, [(c, "at_risk") for c in TEN], [(c, "email", "marketing") for c in TEN])
    playbook = _playbook([{"day": d, "channel": "email", "pattern": "support"} for d in (0, 4)])
    plan = plan_playbook(ws, playbook, AS_OF)
    wid = plan.wave_id
    a = ws.table("assignments")
    members = a.filter((a.wave_id == wid) & (a.arm != "holdout")).to_pandas()
    first, second = sorted(members["customer_id"])[:2]
    withdrawn = {"channel": "email", "purpose": "marketing", "granted": False}
    upsert(
        ws.con,
        "consents",
        pd.DataFrame([{"customer_id": first, "ts": T(2025, 7, 1, 6), **withdrawn}]),
    )
    export_wave(ws, wid, tmp_path / "out", now=T(2025, 7, 1, 8))

    def decided_later() -> pd.DataFrame:
        e = ws.table("exclusions")
        return e.filter((e.wave_id == wid) & (e.decided_at > day_end(AS_OF))).to_pandas()

    later = decided_later()
    assert set(later["customer_id"]) == {first}
    assert set(later["reason_code"]) == {R.WITHDRAWN}
    plan_playbook(ws, playbook, AS_OF)
    pd.testing.assert_frame_equal(
        decided_later().sort_values("touch_no").reset_index(drop=True),
        later.sort_values("touch_no").reset_index(drop=True),
    )

    upsert(
        ws.con,
        "messages",
        pd.DataFrame(
            [
                {
                    "event_id": f"t-{c}-{e}",
                    "customer_id": c,
                    "ts": T(2025, 7, 1, 9),
                    "channel": "email",
                    "event": e,
                    "wave_id": wid,
                }
                for c in members["customer_id"]
                for e in ("sent", *(["complained"] if c == second else []))
            ]
        ),
    )
    result = check_throttle(ws, wid, now=T(2025, 7, 2, 12))
    assert result.status == "throttled"
    left = _touches_of(ws, wid)
    assert (left["planned_at"] < T(2025, 7, 2, 12)).all()
    with pytest.raises(ConfigError, match="throttled"):
        plan_playbook(ws, playbook, AS_OF)
    pd.testing.assert_frame_equal(_touches_of(ws, wid), left)


# ---- the checker itself sees broken rules ----------------------------------------------
def test_the_pure_checker_sees_broken_rules():
    # an "output" that keeps everything as given: two touches on 2 July (cap 1 a day, a
    # is checked), an sms the customer is blocked on, a promo the day after a purchase,
    # a touch after the last day; and a touch dropped without a log row
    world = PureWorld(
        rules=Rules(caps=Caps(), last_day=D(2025, 7, 7), deadline_day=D(2025, 7, 7)),
        segment={"a": None},
        touches=[
            _touch("a", 1, "email", T(2025, 7, 2, 9)),
            _touch("a", 2, "sms", T(2025, 7, 2, 19), is_promo=True),
            _touch("a", 3, "email", T(2025, 7, 8, 9)),
            _touch("a", 4, "email", T(2025, 7, 5, 9)),
        ],
        purchases=[("a", T(2025, 7, 1, 12))],
        blocked={("a", "sms", "marketing"): R.NO_CONSENT},
        must_check=frozenset({"a"}),
    )
    frame = world.touch_frame()
    kept = frame[frame["touch_no"] < 4]
    log = pd.DataFrame(columns=["customer_id", "touch_no", "reason_code", "action"])
    found = pure_violations(world, kept, log)
    assert found == [
        "('a', 4) dropped without a 'removed' log row",
        "a/2 kept on a blocked channel (no_consent)",
        "a: 2 touches on 2025-07-02 (cap 1)",
        "a/2 promo less than 14 days after a purchase",
        "a/3 on 2025-07-08, after the last day 2025-07-07",
    ]


def test_the_store_checker_sees_broken_rules(ws):
    # a clean plan of e-mails on days 0 and 4, then a forged second e-mail on day 0 for
    # one member and a touch for a customer left out (k9 has no consent)
    _tiny_school(
        ws,
        [(c, "at_risk") for c in TEN],
        [(c, "email", "marketing") for c in TEN[:9]],
    )
    playbook = _playbook([{"day": d, "channel": "email", "pattern": "support"} for d in (0, 4)])
    plan = plan_playbook(ws, playbook, AS_OF)
    assert store_violations(ws, playbook, plan.wave_id, AS_OF, first_run=True) == []
    touches = _touches_of(ws, plan.wave_id)
    first = touches.iloc[0]
    forged = pd.DataFrame(
        [
            {**first.to_dict(), "touch_no": 3},
            {**first.to_dict(), "customer_id": "k9"},
        ]
    )
    upsert(ws.con, "touches", forged)
    found = store_violations(ws, playbook, plan.wave_id, AS_OF, first_run=True)
    c = first["customer_id"]
    assert f"{c}: 2 touches on 2025-07-01 (cap 1)" in found
    assert f"{c}: touches [3] not in the playbook" in found
    assert "k9/1: a touch for a customer left out" in found
    assert "k9/1: email marketing without consent or contact" in found
