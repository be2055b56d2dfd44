"""Playbooks as data: the defaults reproduce the seeds, mistakes point at their line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from livebase.errors import ConfigError, InputError
from livebase.playbooks.spec import (
    default_patterns,
    default_playbooks,
    find_playbook,
    load_playbook,
)

DEFAULTS = default_playbooks()


def counts(book, arm: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, t in book.arm_touches(arm):
        out[t.channel] = out.get(t.channel, 0) + 1
    return out


def test_every_default_loads_without_problems():
    assert set(DEFAULTS) == {
        "reactivation_r90",
        "reactivation_r180",
        "reactivation_r270",
        "upsell_555",
        "onboarding_newcomers",
        "prevention_at_risk",
        "top_value_offer",
        "webinar_invitation",
    }
    for path in DEFAULTS.values():
        book = load_playbook(path)
        assert book.problems() == [], path
    assert 6 <= len(default_patterns().patterns) <= 10  # seed 000: 6–10 patterns


@pytest.mark.parametrize(
    ("name", "days", "email", "messenger", "calls"),
    [
        # seed 000: R90 14 days, 5–6 e-mails, 2–3 messenger, 1 call on a hot signal
        ("reactivation_r90", 14, (5, 6), (2, 3), (1, 1)),
        # R180 21 days, 7–8 e-mails, 3–4 messenger, 1–2 calls
        ("reactivation_r180", 21, (7, 8), (3, 4), (1, 2)),
        # R270+ 28 days, 8–10 e-mails, 4–5 messenger, 1–2 calls
        ("reactivation_r270", 28, (8, 10), (4, 5), (1, 2)),
    ],
)
def test_reactivation_waves_follow_seed_000(name, days, email, messenger, calls):
    book = load_playbook(DEFAULTS[name])
    assert book.days == days
    assert set(book.arms) == {"control", "value", "discount"}  # the pilot's three baskets
    for arm in book.arms:  # the same pace in every arm
        c = counts(book, arm)
        assert email[0] <= c["email"] <= email[1]
        assert messenger[0] <= c["messenger"] <= messenger[1]
        assert calls[0] <= c["call"] <= calls[1]
        assert c["retargeting"] == 1
    # calls only on a hot signal; promo only for the arms with an offer
    assert all(t.when == "interest" for t in book.touches if t.channel == "call")
    assert not any(t.promo for _, t in book.arm_touches("control"))


def test_r180_discount_is_a_last_24_hours_drop_for_the_silent():
    book = load_playbook(DEFAULTS["reactivation_r180"])
    last = [t for _, t in book.arm_touches("discount") if t.offer == "arm"][-1]
    assert last.day == book.days - 1
    assert last.when == "no_interest"


def test_r270_coupon_only_for_the_interested_and_retargeting_in_the_first_10_days():
    book = load_playbook(DEFAULTS["reactivation_r270"])
    offers = [t for _, t in book.arm_touches("discount") if t.offer == "arm"]
    assert offers
    assert all(t.when == "interest" for t in offers)
    assert min(t.day for t in offers) >= 21  # the finale
    rt = next(t for t in book.touches if t.channel == "retargeting")
    assert rt.until_day <= 9


def test_top_segment_follows_seed_003():
    book = load_playbook(DEFAULTS["top_value_offer"])
    assert book.no_discount
    assert all(o.kind == "value" for o in book.offers.values())
    caps = book.effective_caps()
    assert (caps.per_day, caps.per_week) == (1, 3)
    assert caps.channel_per_week == {"email": 2, "messenger": 1}
    assert caps.retargeting_per_day == 2
    assert all(t.when == "interest" for t in book.touches if t.channel == "call")


def test_onboarding_is_seed_004s_week_and_webinar_reminders_seed_002():
    onb = load_playbook(DEFAULTS["onboarding_newcomers"])
    assert onb.days == 8
    assert {t.day for t in onb.touches} >= {0, 1, 3, 5, 7}
    assert all(t.purpose == "service" for t in onb.touches)
    web = load_playbook(DEFAULTS["webinar_invitation"])
    hours = [t.before_start_hours for t in web.touches if t.before_start_hours]
    assert len(hours) <= 3
    assert all(2 <= h <= 48 for h in hours)
    assert any(t.cascade and 12 <= t.cascade.after_hours <= 24 for t in web.touches)


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULTS["reactivation_r90"].read_text("utf-8")
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for no, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if needle in line:
            return no
    raise AssertionError(needle)


def test_an_unknown_pattern_points_at_its_line(tmp_path):
    path = _broken(tmp_path, "pattern: short_format}", "pattern: nonsense}")
    with pytest.raises(ConfigError, match=rf"broken.yaml:{_line_of(path, 'nonsense')}: "):
        load_playbook(path)


def test_too_many_promo_touches_are_refused(tmp_path):
    # a third promo touch (day 9) leaves 5 value touches for 3 promo: 5 < 2 × 3
    path = _broken(
        tmp_path,
        "{day: 9, channel: messenger, pattern: support}",
        "{day: 9, channel: messenger, pattern: support, promo: true, offer: arm}",
    )
    with pytest.raises(ConfigError, match="at least twice the promo"):
        load_playbook(path)


def test_a_day_plan_over_its_own_caps_is_refused_at_the_touch(tmp_path):
    # two touches on day 4 break per_day 1; the error names the second one's line
    path = _broken(tmp_path, "{day: 6, channel: email", "{day: 4, channel: email")
    line = [n for n, t in enumerate(path.read_text("utf-8").splitlines(), 1) if "day: 4," in t]
    with pytest.raises(ConfigError, match=rf"broken.yaml:({'|'.join(map(str, line))}): "):
        load_playbook(path)


def test_a_discount_where_none_is_allowed(tmp_path):
    text = DEFAULTS["top_value_offer"].read_text("utf-8")
    path = tmp_path / "top.yaml"
    path.write_text(
        text.replace("    kind: value\n", "    kind: discount\n    percent: 10\n", 1), "utf-8"
    )
    with pytest.raises(ConfigError, match="allows no discount"):
        load_playbook(path)


def test_find_by_id_prefers_the_workspace_folder(tmp_path):
    folder = tmp_path / "playbooks"
    folder.mkdir()
    text = DEFAULTS["reactivation_r90"].read_text("utf-8").replace("days: 14", "days: 15")
    (folder / "reactivation_r90.yaml").write_text(text, "utf-8")
    assert find_playbook("reactivation_r90", folder).days == 15
    assert find_playbook("reactivation-r180").days == 21
    with pytest.raises(InputError, match=re.escape("no playbook 'nope'")):
        find_playbook("nope", folder)
