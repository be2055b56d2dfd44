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
    min: float | None = None
    max: float | None = None


FLAGS = ("is_top", "is_corporate", "has_child")

_PATTERN_ITEM = re.compile(r"\[(\d)-(\d)\]|\[(\d+)\]|(\d)|([.*?])")


def parse_pattern(pattern: str) -> list[set[int] | None]:
    """An RFM code pattern → one score set per axis (``None`` = any), r then f then m.

    >>> parse_pattern("5[1-2][1-2]")
    [{5}, {1, 2}, {1, 2}]
    >>> parse_pattern("[4-5][2-3]")
    [{4, 5}, {2, 3}]
    >>> parse_pattern(".[45]")
    [None, {4, 5}]
    """
    items: list[set[int] | None] = []
    pos = 0
    while pos < len(pattern):
        m = _PATTERN_ITEM.match(pattern, pos)
        if not m:
            raise ValueError(f"bad RFM pattern {pattern!r} at position {pos + 1}")
        lo, hi, listed, digit, _any = m.groups()
        if lo is not None:
            if int(lo) > int(hi):
                raise ValueError(f"bad RFM pattern {pattern!r}: empty range [{lo}-{hi}]")
            items.append(set(range(int(lo), int(hi) + 1)))
        elif listed is not None:
            items.append({int(c) for c in listed})
        elif digit is not None:
            items.append({int(digit)})
        else:
            items.append(None)
        pos = m.end()
    if not 1 <= len(items) <= 3:
        raise ValueError(f"bad RFM pattern {pattern!r}: one to three positions (r, f, m)")
    return items


class When(_Strict):
    """Conditions that must all hold. Scores: ``r``, ``f``, ``m`` (a score, a range
    ``"4-5"`` or a list) or ``pattern`` on the code (``"5[1-2][1-2]"``); raw values:
    ``recency_days``, ``frequency``, ``monetary`` ({min, max}, inclusive); flags:
    ``{is_top: true}`` (also ``is_corporate``, ``has_child``)."""

    r: Score | None = None
    f: Score | None = None
    m: Score | None = None
    pattern: str | None = None
    recency_days: Bounds | None = None
    frequency: Bounds | None = None
    monetary: Bounds | None = None
    flags: dict[str, bool] | None = None

    @field_validator("r", "f", "m")
    @classmethod
    def _valid(cls, value: Score | None) -> Score | None:
        if value is not None:
            score_set(value)
        return value

    @field_validator("pattern")
    @classmethod
    def _valid_pattern(cls, value: str | None) -> str | None:
        if value is not None:
            parse_pattern(value)
        return value

    @field_validator("flags")
    @classmethod
    def _known_flags(cls, value: dict[str, bool] | None) -> dict[str, bool] | None:
        for name in value or {}:
            if name not in FLAGS:
                raise ValueError(f"unknown flag {name!r} (one of {', '.join(FLAGS)})")
        return value

    def axis_sets(self) -> dict[str, set[int]]:
        """The score sets per axis, the explicit ones and the pattern's, intersected."""
        sets: dict[str, set[int]] = {}
        for axis in ("r", "f", "m"):
            v = getattr(self, axis)
            if v is not None:
                sets[axis] = score_set(v)
        if self.pattern:
            for axis, allowed in zip(("r", "f", "m"), parse_pattern(self.pattern), strict=False):
                if allowed is not None:
                    sets[axis] = sets[axis] & allowed if axis in sets else allowed
        return sets


class Segment(_Strict):
    id: str
    name: dict[str, str]
    when: When = Field(default_factory=When)

    def label(self, lang: str) -> str:
        return self.name.get(lang) or self.name.get("en") or self.id

    def rule_text(self) -> str:
        """The rule as a reader sees it: ``promising: R=5 & F=1-2 & M=1-2``."""
        w = self.when
        parts = []
        if w.pattern:
            parts.append(f"RFM~{w.pattern}")
        for axis in ("r", "f", "m"):
            v = getattr(w, axis)
            if v is not None:
                parts.append(f"{axis.upper()}={v}")
        for name in ("recency_days", "frequency", "monetary"):
            b = getattr(w, name)
            if b:
                lo = "" if b.min is None else f"{_num(b.min)}≤"
                hi = "" if b.max is None else f"≤{_num(b.max)}"
                parts.append(f"{lo}{name}{hi}")
        for flag, value in (w.flags or {}).items():
            parts.append(flag if value else f"not {flag}")
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

    def label(self, segment_id: str, lang: str) -> str:
        """The segment's name in ``lang``; an id the map does not know is shown as is."""
        for s in self.segments:
            if s.id == segment_id:
                return s.label(lang)
        return segment_id

    def by_id(self, segment_id: str) -> Segment:
        for s in self.segments:
            if s.id == segment_id:
                return s
        raise KeyError(segment_id)


def load_map(path: Path) -> SegmentMap:
    return load_yaml(path, SegmentMap)


def default_map() -> SegmentMap:
    return load_map(DEFAULT_MAP)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _condition(t: ibis.Table, when: When) -> ibis.ir.BooleanValue:
    cond = ibis.literal(True)
    for axis, allowed in when.axis_sets().items():
        cond &= t[axis].isin(sorted(allowed))
    for name in ("recency_days", "frequency", "monetary"):
        b = getattr(when, name)
        if b is None:
            continue
        if b.min is not None:
            cond &= t[name] >= b.min
        if b.max is not None:
            cond &= t[name] <= b.max
    for flag, value in (when.flags or {}).items():
        cond &= t[flag].fill_null(False) == value
    return cond


def assign_segments(rfm: ibis.Table, smap: SegmentMap) -> ibis.Table:
    """The ``segments`` mart: one segment per customer, with the rule that chose it.

    ``rfm`` carries the scores and raw values, and the flag columns a map uses
    (``is_top``, ``is_corporate``, ``has_child``; NULL counts as false). A customer no
    rule matches gets the segment ``unmatched`` (a map without a catch-all rule shows
    it instead of dropping the customer).
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
    is_top = rfm.is_top if "is_top" in rfm.columns else ibis.null("boolean")
    version = rfm.version if "version" in rfm.columns else ibis.literal("monetary")
    return rfm.select(
        as_of="as_of",
        version=version,
        customer_id="customer_id",
        segment=ibis.cases(*seg_cases, else_="unmatched"),
        rule=ibis.cases(*rule_cases, else_="no rule matched"),
        sleep_tier=sleep,
        is_top=is_top,
    )
