"""Workspace configuration (``livebase.toml``) as validated pydantic models.

No global state: callers load a :class:`WorkspaceConfig` and pass it along. A bad
setting (such as a ``timezone`` that is no IANA zone: ``Europe`` is a folder of zones) is
a :class:`~livebase.errors.ConfigError` naming the file, the key and the value.
"""

from __future__ import annotations

import tomllib
from itertools import pairwise
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from livebase.errors import ConfigError

CONFIG_NAME = "livebase.toml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CategoryRule(_Model):
    """Products whose title matches ``pattern`` (a regular expression) get ``category``."""

    pattern: str
    category: str


class PurchaseRules(_Model):
    """What counts as a purchase (SPEC F1.6, seed 001)."""

    purchase_categories: list[str] = Field(
        default_factory=lambda: [
            "course",
            "module",
            "consultation",
            "certification",
            "subscription",
        ]
    )
    category_rules: list[CategoryRule] = Field(
        default_factory=lambda: [
            CategoryRule(pattern=r"(?i)вебинар|webinar|эфир", category="webinar"),
            CategoryRule(pattern=r"(?i)модул|module", category="module"),
            CategoryRule(pattern=r"(?i)консультац|разбор|consult", category="consultation"),
            CategoryRule(pattern=r"(?i)сертифика|экзамен|certif", category="certification"),
            CategoryRule(pattern=r"(?i)подписк|клуб|subscri", category="subscription"),
        ]
    )
    default_category: str = "course"
    gift_tags: list[str] = Field(default_factory=lambda: ["подарок", "gift"])
    corporate_tags: list[str] = Field(default_factory=lambda: ["корпоратив", "юрлицо", "corporate"])
    corporate_payment_systems: list[str] = Field(
        default_factory=lambda: ["Безналичный расчёт", "Безналичный расчет", "Счёт юрлица"]
    )
    include_gifts: bool = True
    include_corporate: bool = True
    duplicate_payment_days: int = Field(7, ge=0)
    installments_count_once: bool = True


class FixedThresholds(_Model):
    """Fixed score edges instead of quantiles (``bins - 1`` ascending numbers per axis).

    ``r``: upper bounds of recency days for the scores bins, bins-1, … 2 (a recency above
    the last edge scores 1); ``f`` and ``m``: lower bounds for the scores 2 … bins.
    """

    r: list[float] | None = None
    f: list[float] | None = None
    m: list[float] | None = None


class RfmSettings(_Model):
    """How RFM is scored (SPEC F2.1, F2.2; seed 001)."""

    window_months: int = Field(12, ge=1, le=120)
    bins: int = Field(5, ge=2, le=10)
    # how ties on a metric are scored: "first" (broken by customer_id, as pandas
    # rank(method="first")), "average" (a tie group shares the score of its mean
    # position) or "dense" (quantiles of the distinct values)
    tie_policy: Literal["first", "average", "dense"] = "first"
    # what Frequency counts: "orders" (installments of one plan once) or "days"
    # (distinct purchase days)
    frequency: Literal["orders", "days"] = "orders"
    thresholds: FixedThresholds | None = None

    @model_validator(mode="after")
    def _edges(self) -> RfmSettings:
        if self.thresholds is None:
            return self
        for axis in ("r", "f", "m"):
            edges = getattr(self.thresholds, axis)
            if edges is None:
                continue
            if len(edges) != self.bins - 1:
                raise ValueError(
                    f"thresholds.{axis}: {self.bins - 1} edges for {self.bins} bins, "
                    f"not {len(edges)}"
                )
            if any(b <= a for a, b in pairwise(edges)):
                raise ValueError(f"thresholds.{axis}: edges must be strictly ascending")
        return self


class ExperimentSettings(_Model):
    """Experiment defaults: the test, the power check and the economics (SPEC F4.4, F5.2,
    F5.3; seeds 000 and 003)."""

    alpha: float = Field(0.05, gt=0, lt=1)
    power: float = Field(0.8, gt=0, lt=1)
    # minimum detectable effect in percentage points, absolute (2.0: 3.2 % → 5.2 %)
    mde_pp: float = Field(2.0, gt=0, lt=100)
    # holdout share of a wave: 10–20 % (SPEC F4.4)
    holdout: float = Field(0.15, ge=0.10, le=0.20)
    # average gross margin of a sale (seed 000: 63 %)
    gross_margin: float = Field(0.63, gt=0, le=1)

    @model_validator(mode="after")
    def _power_above_alpha(self) -> ExperimentSettings:
        if self.power <= self.alpha:
            raise ValueError(f"power ({self.power}) must be above alpha ({self.alpha})")
        return self


class RiskPoints(_Model):
    """Points of each churn-risk reason (SPEC F3.1; seeds 001, 004). The defaults are a
    starting point, not a finding of the seeds: tune them with the risk backtest. A reason
    with 0 points is switched off (it is not listed). Seed 001 puts the top 20 % by
    recency of a segment into high risk: with the defaults it is high together with a
    broken rhythm (15 + 25 = 40)."""

    rhythm_1_5x: int = Field(15, ge=0)
    rhythm_2x: int = Field(25, ge=0)
    activity_drop: int = Field(15, ge=0)
    recency_top_segment: int = Field(15, ge=0)
    autopay_cancelled: int = Field(20, ge=0)
    refund_requested: int = Field(20, ge=0)
    invoice_pending: int = Field(10, ge=0)
    downgrade_requested: int = Field(15, ge=0)
    nps_negative: int = Field(15, ge=0)
    no_lessons_7: int = Field(5, ge=0)
    no_lessons_14: int = Field(10, ge=0)
    no_lessons_21: int = Field(15, ge=0)

    @model_validator(mode="after")
    def _steps_grow(self) -> RiskPoints:
        for steps in (
            ("rhythm_1_5x", "rhythm_2x"),
            ("no_lessons_7", "no_lessons_14", "no_lessons_21"),
        ):
            for low, high in pairwise(steps):
                if getattr(self, high) < getattr(self, low):
                    raise ValueError(
                        f"{high} ({getattr(self, high)}) must not score fewer points than "
                        f"{low} ({getattr(self, low)}): a later step replaces the earlier one"
                    )
        return self


class RiskLevels(_Model):
    """Level cut-offs: ``medium`` from this many points, ``high`` from this many; below
    ``medium`` the level is ``low``."""

    medium: int = Field(20, ge=1)
    high: int = Field(40, ge=1)

    @model_validator(mode="after")
    def _ascending(self) -> RiskLevels:
        if self.high <= self.medium:
            raise ValueError(f"levels: high ({self.high}) must be above medium ({self.medium})")
        return self


class RiskSettings(_Model):
    """The churn-risk scorecard (SPEC F3.1): points, level cut-offs and windows."""

    points: RiskPoints = Field(default_factory=RiskPoints)
    levels: RiskLevels = Field(default_factory=RiskLevels)
    # one-purchase customers borrow a median interval: of every repeat customer ("all")
    # or of the repeat customers of their segment ("segment", "all" when it has none)
    interval_fallback: Literal["all", "segment"] = "all"
    # weekly learning activity: the last recent_weeks vs the baseline_weeks before them
    activity_recent_weeks: int = Field(2, ge=1, le=26)
    activity_baseline_weeks: int = Field(8, ge=2, le=52)
    activity_min_baseline_weeks: int = Field(4, ge=2, le=52)
    # the activity reason fires when the z-score is at most this (a drop)
    activity_drop_z: float = Field(-1.5, lt=0)
    # the smallest standard deviation a baseline is given (events per week)
    activity_sd_floor: float = Field(1.0, gt=0)
    recency_top_share: float = Field(0.2, gt=0, lt=1)
    recency_min_segment: int = Field(5, ge=1)
    event_lookback_days: int = Field(30, ge=1)
    nps_lookback_days: int = Field(180, ge=1)
    learning_lookback_days: int = Field(60, ge=22)

    @model_validator(mode="after")
    def _enough_baseline(self) -> RiskSettings:
        if self.activity_min_baseline_weeks > self.activity_baseline_weeks:
            raise ValueError(
                f"activity_min_baseline_weeks ({self.activity_min_baseline_weeks}) must not "
                f"exceed activity_baseline_weeks ({self.activity_baseline_weeks})"
            )
        return self


class CohortSettings(_Model):
    """Cohorts and unit economics (SPEC F3.3, seed 004)."""

    # rows of the ``costs`` table whose ``kind`` is one of these are acquisition costs:
    # the numerator of CAC (the gross margin is ``experiments.gross_margin``)
    acquisition_kinds: list[str] = Field(default_factory=lambda: ["acquisition"], min_length=1)


class ActivationSettings(_Model):
    """Newcomer activation (SPEC F3.2, seed 001: "завершили первые уроки, вернулись к
    обучению N раз, получили обратную связь"). Activated = within a window after the first
    purchase, at least ``lessons_finished`` ``lesson_finish`` events, ``active_days``
    distinct days with learning activity and ``reviewed_homework`` ``homework_reviewed``
    events; 0 switches a criterion off; ``combine`` needs all criteria that are on or any
    of them."""

    lessons_finished: int = Field(2, ge=0)
    active_days: int = Field(2, ge=0)
    reviewed_homework: int = Field(0, ge=0)
    combine: Literal["all", "any"] = "all"
    # activation windows in days after the first purchase (SPEC: 7 and 30)
    windows_days: list[int] = Field(default_factory=lambda: [7, 30], min_length=1)
    # the first confirmed result (homework_reviewed) counts within this many days
    result_days: int = Field(30, ge=1, le=730)
    # early markers (lessons, active days, days to the first lesson) over this many days
    marker_days: int = Field(7, ge=1, le=730)
    # the first cycle: a next purchase (renewal or another product) counts within
    # cycle_days + grace_days (a monthly renewal falls on day 30 or a little later)
    cycle_days: int = Field(30, ge=1, le=730)
    grace_days: int = Field(7, ge=0, le=365)

    @model_validator(mode="after")
    def _sensible(self) -> ActivationSettings:
        if not (self.lessons_finished or self.active_days or self.reviewed_homework):
            raise ValueError(
                "activation: switch on at least one of lessons_finished, active_days, "
                "reviewed_homework (all are 0)"
            )
        days = self.windows_days
        if any(d < 1 or d > 730 for d in days) or any(b <= a for a, b in pairwise(days)):
            raise ValueError(
                f"activation.windows_days: whole days from 1 to 730, ascending, not {days}"
            )
        return self


class Caps(_Model):
    """Frequency caps per person (SPEC F4.3; seeds 003 and 002). ``per_day`` and
    ``per_week`` count marketing touches on every channel but retargeting (a 7-day window
    is any seven consecutive local days); ``channel_per_week`` caps one channel;
    ``retargeting_per_day`` caps ad impressions a day (retargeting is shown, not sent, so
    it is kept out of the touch counts, as in seed 003: "ретаргет с cap 2/сутки. Не более
    одного касания в день")."""

    per_day: int = Field(1, ge=1, le=10)
    per_week: int = Field(3, ge=1, le=30)
    channel_per_week: dict[str, int] = Field(default_factory=lambda: {"messenger": 1})
    retargeting_per_day: int = Field(2, ge=1, le=20)

    @model_validator(mode="after")
    def _consistent(self) -> Caps:
        if self.per_week < self.per_day:
            raise ValueError(f"per_week ({self.per_week}) is below per_day ({self.per_day})")
        from livebase.store.schema import CHANNELS

        for channel, n in self.channel_per_week.items():
            if channel not in CHANNELS or channel == "retargeting":
                raise ValueError(f"channel_per_week: unknown channel {channel!r}")
            if n < 0:
                raise ValueError(f"channel_per_week.{channel}: must not be negative")
        return self


class SendTime(_Model):
    """When a segment hears from the school, in the customer's time zone (seed 002)."""

    hour: int = Field(..., ge=0, le=23)
    minute: int = Field(0, ge=0, le=59)
    weekdays_only: bool = False  # a touch falling on Saturday or Sunday moves to Monday


def _send_times() -> dict[str, SendTime]:
    # seed 002: Champions early morning; Loyal midday on working days; At Risk in the
    # evening or at the weekend (sleeping and lost customers are treated like At Risk);
    # seed 000: educational letters in the morning of a working day for the rest
    return {
        "champions": SendTime(hour=9),
        "loyal": SendTime(hour=13, weekdays_only=True),
        "at_risk": SendTime(hour=19),
        "sleeping_warm": SendTime(hour=19),
        "sleeping_cooled": SendTime(hour=19),
        "sleeping_long": SendTime(hour=19),
        "lost": SendTime(hour=19),
        "promising": SendTime(hour=10),
        "default": SendTime(hour=11),
    }


class GuardrailSettings(_Model):
    """The hard rules every plan obeys (SPEC F4.3, F4.6; seeds 000, 002, 003, 004)."""

    caps: Caps = Field(default_factory=Caps)
    # caps per segment id, replacing ``caps`` for the customers of that segment
    segment_caps: dict[str, Caps] = Field(default_factory=dict)
    # seed 000: who bought in the last 30 days gets 14 days of silence from promo
    silence_days: int = Field(14, ge=0, le=365)
    # seed 000: one beneficial offer per customer in 30 days, one discount window in 60
    offer_cooldown_days: int = Field(30, ge=0, le=365)
    discount_cooldown_days: int = Field(60, ge=0, le=730)
    # reactivation leaves out who bought in the last ``active_buyer_days`` days
    active_buyer_days: int = Field(30, ge=0, le=365)
    # an order still pending (an open deal) created within this many days
    open_deal_days: int = Field(30, ge=0, le=365)
    # a hot lead: an invoice or a click on a promo in the last ``hot_lead_days`` days
    hot_lead_days: int = Field(3, ge=0, le=60)
    # auto-throttle (F4.6): complaints / sent at or above, unsubscribes / sent above
    complaint_rate: float = Field(0.001, gt=0, lt=1)
    unsubscribe_rate: float = Field(0.005, gt=0, lt=1)
    send_times: dict[str, SendTime] = Field(default_factory=_send_times)

    @model_validator(mode="after")
    def _default_time(self) -> GuardrailSettings:
        if "default" not in self.send_times:
            raise ValueError("send_times needs a 'default' entry")
        return self

    def caps_for(self, segment: str | None) -> Caps:
        return self.segment_caps.get(segment or "", self.caps)


class AttributionSettings(_Model):
    """Attribution over touch paths (SPEC F5.4; seeds 000 and 003)."""

    # touches count within this many days before the payment
    window_days: int = Field(14, ge=1, le=90)
    # channels whose view-through (impressions without a click) counts: list a channel
    # only after a holdout confirmed its incrementality (seed 000); none by default
    view_through_channels: list[str] = Field(default_factory=list)

    @field_validator("view_through_channels")
    @classmethod
    def _known_channels(cls, value: list[str]) -> list[str]:
        from livebase.store.schema import CHANNELS

        for channel in value:
            if channel not in CHANNELS:
                raise ValueError(f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
        return value


class MonitorSettings(_Model):
    """Thresholds of the cannibalisation and discount-expectation monitors (SPEC F5.5;
    seed 000 gives the overlap, complaint and AOV thresholds; the others are ours)."""

    # reactivation audiences overlapping active buyers: at most 2 % (seed 000)
    overlap_active: float = Field(0.02, gt=0, lt=1)
    # complaints within the first 14 days of a wave: below 0.1 % of sent (seed 000)
    complaint_rate: float = Field(0.001, gt=0, lt=1)
    complaint_window_days: int = Field(14, ge=1, le=90)
    # AOV of active customers during waves vs before: within ±0.3 % (seed 000)
    active_aov_tolerance: float = Field(0.003, gt=0, lt=1)
    # unsubscribes per wave: at most 0.5 % of sent (ours, as the auto-throttle)
    unsubscribe_rate: float = Field(0.005, gt=0, lt=1)
    # repeat buyers who only ever bought with a discount: at most 15 % (ours)
    coupon_only_share: float = Field(0.15, gt=0, lt=1)
    # coupon purchases by customers who had an open order before the coupon: at most
    # 10 % (ours: purchases delayed until a coupon)
    coupon_wait_share: float = Field(0.10, gt=0, lt=1)
    # a monitor needs at least this many units (orders, messages, buyers) to judge
    min_sample: int = Field(30, ge=1)


class WorkspaceConfig(_Model):
    school: str = "Online school"
    currency: str = "RUB"
    timezone: str = "Europe/Moscow"
    locale: Literal["ru", "en"] = "ru"
    engine: str = "duckdb://store.duckdb"
    purchase_rules: PurchaseRules = Field(default_factory=PurchaseRules)
    rfm: RfmSettings = Field(default_factory=RfmSettings)
    experiments: ExperimentSettings = Field(default_factory=ExperimentSettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    cohorts: CohortSettings = Field(default_factory=CohortSettings)
    activation: ActivationSettings = Field(default_factory=ActivationSettings)
    guardrails: GuardrailSettings = Field(default_factory=GuardrailSettings)
    attribution: AttributionSettings = Field(default_factory=AttributionSettings)
    monitors: MonitorSettings = Field(default_factory=MonitorSettings)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        # a folder of zones ("Europe") or a name too long for the disk is an OSError
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @classmethod
    def load(cls, path: Path) -> WorkspaceConfig:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"{path}: no workspace here (run `livebase init`)") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            raise ConfigError(f"{path}: {problems}") from exc

    def to_toml(self) -> str:
        """The config as TOML text (what ``livebase init`` writes)."""
        return _to_toml(self.model_dump(exclude_none=True))


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list) and all(not isinstance(v, dict) for v in value):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _to_toml(data: dict, prefix: str = "") -> str:
    lines: list[str] = []
    tables: list[tuple[str, dict]] = []
    arrays: list[tuple[str, list[dict]]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            arrays.append((key, value))
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for key, value in tables:
        name = f"{prefix}{key}"
        lines.append(f"\n[{name}]")
        lines.append(_to_toml(value, prefix=f"{name}."))
    for key, items in arrays:
        name = f"{prefix}{key}"
        for item in items:
            lines.append(f"\n[[{name}]]")
            lines.append(_to_toml(item, prefix=f"{name}."))
    return "\n".join(line for line in lines if line != "")
