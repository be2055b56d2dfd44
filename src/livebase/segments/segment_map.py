"""Segment maps as data: YAML rules on RFM scores and raw values, first match wins.

>>> smap = default_map()
>>> [s.id for s in smap.segments][:3]
['lost', 'sleeping_long', 'sleeping_cooled']
"""

from __future__ import annotations

import re
from pathlib import Path

import ibis
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from livebase.yamlfile import load_yaml

DEFAULT_MAP = Path(__file__).with_name("default_map.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Score = int | str | list[int]


def score_set(value: Score, bins: int = 10) -> set[int]:
    """>>> sorted(score_set("4-5")), sorted(score_set([1, 2])), sorted(score_set(5))
    ([4, 5], [1, 2], [5])
    """
    if isinstance(value, int):
        return {value}
    if isinstance(value, list):
        return set(value)
    m = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", value)
    if not m:
        raise ValueError(f"not a score or range: {value!r}")
    lo, hi = int(m.group(1)), int(m.group(2))
    if lo > hi:
        raise ValueError(f"empty range: {value!r}")
    return set(range(lo, hi + 1))


class Bounds(_Strict):
    min: int | None = None
    max: int | None = None


class When(_Strict):
    r: Score | None = None
    f: Score | None = None
    m: Score | None = None
    recency_days: Bounds | None = None

    @field_validator("r", "f", "m")
    @classmethod
    def _valid(cls, value: Score | None) -> Score | None:
        if value is not None:
            score_set(value)
        return value


class Segment(_Strict):
    id: str
    name: dict[str, str]
    when: When = Field(default_factory=When)

    def label(self, lang: str) -> str:
        return self.name.get(lang) or self.name.get("en") or self.id

    def rule_text(self) -> str:
        parts = []
        for axis in ("r", "f", "m"):
            v = getattr(self.when, axis)
            if v is not None:
                parts.append(f"{axis.upper()}={v}")
        b = self.when.recency_days
        if b:
            lo = "" if b.min is None else f"{b.min}≤"
            hi = "" if b.max is None else f"≤{b.max}"
            parts.append(f"{lo}recency_days{hi}")
        return f"{self.id}: " + (" & ".join(parts) or "otherwise")


class Tier(_Strict):
    tier: str
    min: int
    max: int | None = None


class SegmentMap(_Strict):
    segments: list[Segment]
    sleep_tiers: list[Tier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> SegmentMap:
        ids = [s.id for s in self.segments]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ValueError(f"segment ids repeat: {', '.join(sorted(dupes))}")
        if not self.segments:
            raise ValueError("a segment map needs at least one segment")
        return self

    def by_id(self, segment_id: str) -> Segment:
        for s in self.segments:
            if s.id == segment_id:
                return s
        raise KeyError(segment_id)


def load_map(path: Path) -> SegmentMap:
    return load_yaml(path, SegmentMap)


def default_map() -> SegmentMap:
    return load_map(DEFAULT_MAP)


def _condition(t: ibis.Table, when: When) -> ibis.ir.BooleanValue:
    cond = ibis.literal(True)
    for axis in ("r", "f", "m"):
        v = getattr(when, axis)
        if v is not None:
            cond &= t[axis].isin(sorted(score_set(v)))
    if when.recency_days:
        if when.recency_days.min is not None:
            cond &= t.recency_days >= when.recency_days.min
        if when.recency_days.max is not None:
            cond &= t.recency_days <= when.recency_days.max
    return cond


def assign_segments(rfm: ibis.Table, smap: SegmentMap) -> ibis.Table:
    """The ``segments`` mart: one segment per customer, with the rule that chose it.

    A customer no rule matches gets the segment ``unmatched`` (a map without a
    catch-all rule shows it instead of dropping the customer).
    """
    seg_cases = [(_condition(rfm, s.when), s.id) for s in smap.segments]
    rule_cases = [(_condition(rfm, s.when), s.rule_text()) for s in smap.segments]
    tier_cases = []
    for tier in smap.sleep_tiers:
        c = rfm.recency_days >= tier.min
        if tier.max is not None:
            c &= rfm.recency_days <= tier.max
        tier_cases.append((c, tier.tier))
    sleep = (
        ibis.cases(*tier_cases, else_=ibis.null("string")) if tier_cases else ibis.null("string")
    )
    return rfm.select(
        as_of="as_of",
        customer_id="customer_id",
        segment=ibis.cases(*seg_cases, else_="unmatched"),
        rule=ibis.cases(*rule_cases, else_="no rule matched"),
        sleep_tier=sleep,
        is_top=ibis.null("boolean"),
    )
