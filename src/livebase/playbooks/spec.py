"""Playbooks as data (SPEC F4.1, F4.2): who, for how long, which arms, which touches.

A playbook is a YAML file (see ``defaults/`` and docs/playbooks.md). Its touches are a
day plan relative to the wave's first day (day 0), or, for a webinar, hours before the
start; each touch names a channel, a content pattern from the pattern library
(``patterns.yaml``, 6–10 patterns, seed 000), whether it is promo, and optionally the
arm's offer, a condition (``interest``: the customer clicked a message of the wave;
``no_interest``; ``registered`` for the webinar) and a cascade to a second channel
12–24 h later if the e-mail stays unopened (seed 002).

Loading checks every rule that does not depend on the customers, with the line of the
offending entry: value touches at least twice the promo touches for every arm (seed
000), the day plan within the playbook's own frequency caps (conditional touches count:
the plan reserves their slot), a discount only where the playbook allows it, webinar
reminders 2–48 h before the start and at most three (seed 002).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from livebase.config import Caps
from livebase.yamlfile import load_yaml

DEFAULTS = Path(__file__).with_name("defaults")
PATTERNS = Path(__file__).with_name("patterns.yaml")

Channel = Literal["email", "messenger", "sms", "push", "retargeting", "call"]
Condition = Literal["interest", "no_interest", "registered"]
Kind = Literal["reactivation", "upsell", "onboarding", "prevention", "value_offer", "webinar"]
HOLDOUT = "holdout"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    ru: str = Field(..., min_length=1)
    en: str = Field(..., min_length=1)

    def get(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.en


class Pattern(_Strict):
    """A content pattern: its creatives are the school's; livebase names and routes it.

    ``personalised``: built from the customer's behaviour (needs personalisation
    consent); ``child_data``: uses the child's age (needs a parent's consent, seed 004);
    ``fallback``: the pattern sent instead when that consent is missing.
    """

    name: Text
    personalised: bool = False
    child_data: bool = False
    fallback: str | None = None


class PatternLibrary(_Strict):
    patterns: dict[str, Pattern]

    def problems(self) -> list[tuple[tuple, str]]:
        out: list[tuple[tuple, str]] = []
        if not 6 <= len(self.patterns) <= 10:
            out.append((("patterns",), f"keep 6–10 patterns (seed 000), not {len(self.patterns)}"))
        for pid, p in self.patterns.items():
            needs = p.personalised or p.child_data
            if needs and p.fallback is None:
                out.append((("patterns", pid, "personalised"), "needs a fallback pattern"))
            if p.fallback is not None:
                fb = self.patterns.get(p.fallback)
                if fb is None:
                    out.append((("patterns", pid, "fallback"), f"unknown pattern {p.fallback!r}"))
                elif fb.personalised or fb.child_data:
                    out.append(
                        (("patterns", pid, "fallback"), "a fallback must not be personalised")
                    )
        return out


class Offer(_Strict):
    """A beneficial offer: ``value`` (a bonus, ``cost`` per redemption) or ``discount``
    (``percent`` off, at most one discount window per 60 days)."""

    kind: Literal["value", "discount"]
    name: Text
    percent: float | None = Field(None, gt=0, lt=100)
    cost: float | None = Field(None, ge=0)

    def problems(self) -> list[tuple[tuple, str]]:
        if self.kind == "discount" and self.percent is None:
            return [(("percent",), "a discount needs its percent")]
        if self.kind == "value" and self.percent is not None:
            return [(("percent",), "a value offer has no percent (make it a discount)")]
        return []


class Arm(_Strict):
    offer: str | None = None


class Cascade(_Strict):
    """If the e-mail is not opened, the first of ``channels`` the customer consented to
    gets the same message ``after_hours`` later (seed 002: 12–24 h)."""

    channels: list[Channel] = Field(..., min_length=1)
    after_hours: int = Field(18, ge=12, le=24)


class Touch(_Strict):
    day: int | None = Field(None, ge=0)
    before_start_hours: float | None = Field(None, gt=0)
    channel: Channel
    pattern: str
    promo: bool = False
    offer: Literal["arm"] | None = None
    arms: list[str] | None = None
    when: Condition | None = None
    purpose: Literal["marketing", "service"] = "marketing"
    cascade: Cascade | None = None
    until_day: int | None = Field(None, ge=0)  # retargeting: last day of the span
    per_day: int | None = Field(None, ge=1)  # retargeting: impressions a day

    @property
    def counted(self) -> bool:
        """Counts against the per-person touch caps (marketing, not retargeting)."""
        return self.purpose == "marketing" and self.channel != "retargeting"


class Trigger(_Strict):
    activity: str
    within_days: int = Field(14, ge=1, le=365)


class Audience(_Strict):
    """Who the wave is for, from the marts of the planning day; conditions combine (and).

    ``sleep_tier``: R90 / R180 / R270; ``segments``: segment ids; ``is_top``: the top
    flag; ``risk_levels``: churn-risk levels; ``trigger``: an activity within the last
    days (a finished module); ``first_purchase_within_days``: newcomers.
    """

    sleep_tier: str | None = None
    segments: list[str] | None = None
    is_top: bool | None = None
    risk_levels: list[Literal["low", "medium", "high"]] | None = None
    trigger: Trigger | None = None
    first_purchase_within_days: int | None = Field(None, ge=1, le=365)
    exclude_active_buyers: bool = False


class DayTime(_Strict):
    day: int = Field(..., ge=0)
    hour: int = Field(23, ge=0, le=23)
    minute: int = Field(59, ge=0, le=59)


class Webinar(_Strict):
    id: str
    title: Text
    # local time of the workspace's time zone; ``starts_in_days`` instead plans it
    # that many days after the wave's first day at ``hour``
    starts_at: dt.datetime | None = None
    starts_in_days: int | None = Field(None, ge=1, le=60)
    hour: int = Field(19, ge=0, le=23)
    minutes: int = Field(90, ge=15, le=600)
    url: str | None = None

    def start(self, first_day: dt.date) -> dt.datetime:
        if self.starts_at is not None:
            return self.starts_at.replace(tzinfo=None)
        assert self.starts_in_days is not None
        day = first_day + dt.timedelta(days=self.starts_in_days)
        return dt.datetime.combine(day, dt.time(self.hour))


class Playbook(_Strict):
    id: str = Field(..., pattern=r"^[a-z][a-z0-9_]*$")
    code: str = Field(..., pattern=r"^[A-Z][A-Z0-9]{1,7}$")
    name: Text
    goal: Text
    kind: Kind
    audience: Audience
    days: int = Field(..., ge=1, le=60)
    arms: dict[str, Arm] = Field(..., min_length=1)
    holdout: float | None = Field(None, ge=0.10, le=0.20)
    offers: dict[str, Offer] = Field(default_factory=dict)
    no_discount: bool = False
    # the most the wave's coupons may cost if every one were used (money)
    discount_budget: float | None = Field(None, gt=0)
    deadline: DayTime | None = None
    caps: Caps | None = None
    primary_channel: Channel = "email"
    webinar: Webinar | None = None
    touches: list[Touch] = Field(..., min_length=1)

    @field_validator("arms")
    @classmethod
    def _no_holdout_arm(cls, value: dict[str, Arm]) -> dict[str, Arm]:
        if HOLDOUT in value:
            raise ValueError(f"{HOLDOUT!r} is the name of the holdout, not of an arm")
        return value

    # ---- derived -----------------------------------------------------------------
    def arm_touches(self, arm: str) -> list[tuple[int, Touch]]:
        """(touch number from 1, touch) of the touches ``arm`` receives; an arm without
        an offer (the control) gets the offer touches as value touches at the same pace
        (seed 000: "контроль получал только прогрев ... темпы совпадали")."""
        offer = self.arms[arm].offer if arm in self.arms else None
        out = []
        for i, t in enumerate(self.touches):
            if t.arms is not None and arm not in t.arms:
                continue
            if t.offer == "arm" and offer is None:
                t = t.model_copy(update={"offer": None, "promo": False})
            out.append((i + 1, t))
        return out

    def offer_of(self, arm: str) -> Offer | None:
        name = self.arms[arm].offer
        return self.offers[name] if name else None

    def touch_day(self, touch: Touch) -> int:
        """The day of a day-plan touch counted from the wave's first day (webinar
        reminders are service messages timed from the start, not from a day)."""
        if touch.day is None:
            raise ValueError("a webinar reminder has no day of the plan")
        return touch.day

    # ---- checks (reported with the line of the entry) -----------------------------
    def problems(self, patterns: PatternLibrary | None = None) -> list[tuple[tuple, str]]:
        patterns = patterns or default_patterns()
        out: list[tuple[tuple, str]] = []
        for name, offer in self.offers.items():
            out += [(("offers", name, *loc), msg) for loc, msg in offer.problems()]
            if offer.kind == "discount" and self.no_discount:
                out.append((("offers", name, "kind"), "this playbook allows no discount"))
        for arm, spec in self.arms.items():
            if spec.offer is not None and spec.offer not in self.offers:
                out.append((("arms", arm, "offer"), f"unknown offer {spec.offer!r}"))
        if self.discount_budget is not None and not any(
            o.kind == "discount" for o in self.offers.values()
        ):
            out.append((("discount_budget",), "a discount budget without a discount offer"))
        if self.kind == "webinar" and self.webinar is None:
            out.append((("webinar",), "a webinar playbook needs its webinar"))
        if self.webinar is not None and (self.webinar.starts_at is None) == (
            self.webinar.starts_in_days is None
        ):
            out.append((("webinar",), "give either starts_at or starts_in_days"))
        reminders = 0
        for i, t in enumerate(self.touches):
            loc = ("touches", i)
            if (t.day is None) == (t.before_start_hours is None):
                out.append((loc, "give either day or before_start_hours"))
                continue
            if t.before_start_hours is not None:
                if self.webinar is None:
                    out.append((loc, "before_start_hours needs a webinar"))
                    continue
                reminders += 1
                if t.purpose != "service" or t.promo or t.offer is not None:
                    out.append(
                        (
                            (*loc, "purpose"),
                            "a webinar reminder is a service message (purpose: service, "
                            "no promo, no offer)",
                        )
                    )
                if not 2 <= t.before_start_hours <= 48:
                    out.append(
                        (
                            (*loc, "before_start_hours"),
                            "webinar reminders go 48 to 2 hours before the start (seed 002)",
                        )
                    )
            elif t.day is not None and t.day >= self.days:
                out.append(((*loc, "day"), f"day {t.day} is past the wave ({self.days} days)"))
            if t.pattern not in patterns.patterns:
                out.append(((*loc, "pattern"), f"unknown pattern {t.pattern!r}"))
            for arm in t.arms or []:
                if arm not in self.arms:
                    out.append(((*loc, "arms"), f"unknown arm {arm!r}"))
            if t.offer == "arm" and not t.promo:
                out.append(((*loc, "offer"), "a touch carrying an offer is promo"))
            if t.channel == "retargeting":
                if t.until_day is None or t.per_day is None:
                    out.append((loc, "a retargeting touch needs until_day and per_day"))
                elif t.day is not None and t.until_day < t.day:
                    out.append(((*loc, "until_day"), "until_day is before day"))
                elif t.until_day >= self.days:
                    out.append(((*loc, "until_day"), "until_day is past the wave"))
                elif t.per_day > self.effective_caps().retargeting_per_day:
                    out.append(
                        (
                            (*loc, "per_day"),
                            f"{t.per_day} impressions a day is over the retargeting cap "
                            f"of {self.effective_caps().retargeting_per_day}",
                        )
                    )
                if t.cascade is not None or t.when is not None:
                    out.append((loc, "retargeting has no condition or cascade"))
            elif t.until_day is not None or t.per_day is not None:
                out.append((loc, "until_day and per_day are for retargeting only"))
            if t.cascade is not None and t.channel != "email":
                out.append(((*loc, "cascade"), "only an e-mail cascades"))
            if t.cascade is not None and "email" in t.cascade.channels:
                out.append(((*loc, "cascade"), "the cascade goes to another channel"))
            if t.purpose == "service" and t.promo:
                out.append(((*loc, "purpose"), "a service message cannot be promo"))
            if (
                self.deadline is not None
                and t.promo
                and t.day is not None
                and t.day > self.deadline.day
            ):
                out.append(((*loc, "day"), "a promo touch after the wave's deadline"))
        if reminders > 3:
            out.append((("touches",), f"{reminders} webinar reminders; at most 3 (seed 002)"))
        if self.deadline is not None and self.deadline.day >= self.days:
            out.append((("deadline", "day"), "the deadline is past the wave"))
        if not out:
            out += self._template_problems()
        return out

    def effective_caps(self, default: Caps | None = None) -> Caps:
        return self.caps or default or Caps()

    def _template_problems(self) -> list[tuple[tuple, str]]:
        out: list[tuple[tuple, str]] = []
        caps = self.effective_caps()
        for arm in self.arms:
            touches = self.arm_touches(arm)
            # messages sent (retargeting is shown, not sent: it is not in the ratio)
            marketing = [t for _, t in touches if t.counted]
            promo = sum(t.promo for t in marketing)
            value = len(marketing) - promo
            if promo and value < 2 * promo:
                out.append(
                    (
                        ("touches",),
                        f"arm {arm}: {value} value touches for {promo} promo; value touches "
                        "must be at least twice the promo (seed 000)",
                    )
                )
            days: list[tuple[int, str, int]] = []
            for no, t in touches:
                if not t.counted:
                    continue
                day = self.touch_day(t)
                days.append((day, t.channel, no))
                if t.cascade is not None:
                    days.append((day + 1, t.cascade.channels[0], no))
            problem = cap_violation(days, caps)
            if problem:
                no, msg = problem
                out.append((("touches", no - 1), f"arm {arm}: {msg}"))
        return out


def cap_violation(days: list[tuple[int, str, int]], caps: Caps) -> tuple[int, str] | None:
    """The first (touch number, message) breaking ``caps`` in a day plan of
    (day, channel, touch number); a cascade's slot is the day after its e-mail."""
    per_day: dict[int, int] = {}
    for day, _, no in sorted(days):
        per_day[day] = per_day.get(day, 0) + 1
        if per_day[day] > caps.per_day:
            return no, f"more than {caps.per_day} touch(es) on day {day}"
    for day, _, no in sorted(days):
        window = [d for d, _, _ in days if day - 6 <= d <= day]
        if len(window) > caps.per_week:
            return no, f"more than {caps.per_week} touches in the 7 days up to day {day}"
        for channel, cap in caps.channel_per_week.items():
            n = sum(1 for d, c, _ in days if c == channel and day - 6 <= d <= day)
            if n > cap:
                return no, f"more than {cap} {channel} touch(es) in the 7 days up to day {day}"
    return None


@cache
def default_patterns() -> PatternLibrary:
    return load_yaml(PATTERNS, PatternLibrary)


def load_playbook(path: Path) -> Playbook:
    return load_yaml(Path(path), Playbook)


def default_playbooks() -> dict[str, Path]:
    return {p.stem: p for p in sorted(DEFAULTS.glob("*.yaml"))}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]", "", text.lower().replace("-", "_"))


def find_playbook(name: str, folder: Path | None = None) -> Playbook:
    """A playbook by id (the workspace's ``playbooks/`` folder first, then the defaults)
    or by the path of a YAML file."""
    from livebase.errors import InputError

    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return load_playbook(path)
    candidates = {}
    if folder is not None and folder.is_dir():
        candidates.update({p.stem: p for p in sorted(folder.glob("*.yaml"))})
    for stem, p in default_playbooks().items():
        candidates.setdefault(stem, p)
    key = _slug(name)
    if key not in candidates:
        raise InputError(
            f"no playbook {name!r}; known: {', '.join(sorted(candidates))} "
            "(or give the path of a YAML file)"
        )
    return load_playbook(candidates[key])
