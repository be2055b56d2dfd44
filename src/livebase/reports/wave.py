"""The wave readout report as plain data: the wave, its window, the readout and verdicts.

One function builds the report (:func:`wave_report`); the renderers
(:mod:`livebase.reports.html`, :mod:`livebase.reports.terminal`) and a JSON twin
(:meth:`WaveReport.to_dict`) only lay it out. Tables are read through
:mod:`livebase.experiments` only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ibis.backends import BaseBackend

from livebase.config import PurchaseRules
from livebase.experiments import (
    ArmResult,
    Readout,
    WaveInfo,
    arm_aggregates,
    arm_nps_counts,
    load_wave,
    payer_revenues,
    readout,
)
from livebase.experiments.economics import wave_costs
from livebase.experiments.horizon import HorizonReadout, horizon_metrics
from livebase.experiments.nps import NpsDifference, NpsResult, nps_difference, nps_from_counts
from livebase.experiments.status import CONTROL, INSUFFICIENT
from livebase.i18n import (
    DEFAULT_LANG,
    check_lang,
    format_alpha,
    format_level,
    format_p_value,
    format_percent,
    format_percent_interval,
    format_pp,
    format_pp_interval,
    t,
)
from livebase.playbooks.assignment import HOLDOUT

AA_CONTROL = "control_a"


def is_aa(wave: WaveInfo) -> bool:
    """An A/A wave (planned with ``livebase plan --aa``): every arm got the same treatment.

    >>> arms = ("control_a", "control_b")
    >>> is_aa(WaveInfo("w", "aa_r90", "R90", dt.date(2025, 3, 1), 14, "planned", arms))
    True
    """
    return (wave.playbook or "").startswith("aa_") or AA_CONTROL in wave.arms


@dataclass(frozen=True)
class NpsArm:
    """NPS of one arm's answers and, for a test arm, its difference from control."""

    arm: str
    result: NpsResult
    vs_control: NpsDifference | None = None


@dataclass(frozen=True)
class WaveReport:
    """Everything the wave readout page shows, as data (no formatting but the verdicts).

    ``window_start`` is the first day of the order window and ``window_end`` its last
    day, inclusive (orders are counted up to ``window_end`` 24:00 UTC). ``verdicts`` are
    in ``lang`` and aligned with ``readout.arms``.
    """

    wave: WaveInfo
    window_days: int
    window_start: dt.date
    window_end: dt.date
    readout: Readout
    verdicts: tuple[str, ...]
    lang: str = DEFAULT_LANG
    currency: str = "RUB"
    nps: tuple[NpsArm, ...] = ()
    horizon: HorizonReadout | None = None
    gross_margin: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready plain data: dates in ISO, money as decimal strings."""
        res = self.readout
        return {
            "wave": {
                "wave_id": self.wave.wave_id,
                "playbook": self.wave.playbook,
                "segment": self.wave.segment,
                "starts_on": self.wave.starts_on.isoformat(),
                "days": self.wave.days,
                "status": self.wave.status,
                "arms": list(self.wave.arms),
            },
            "window": {
                "days": self.window_days,
                "start": self.window_start.isoformat(),
                "end_inclusive": self.window_end.isoformat(),
            },
            "control": res.control,
            "alpha": res.alpha,
            "test": res.test,
            "currency": self.currency,
            "lang": self.lang,
            "arms": [
                {**_plain(vars(arm)), "verdict": verdict}
                for arm, verdict in zip(res.arms, self.verdicts, strict=True)
            ],
            "srm": None if res.srm is None else _plain(vars(res.srm)),
            "adjust_across": res.adjust_across,
            "power": res.power,
            "aa": res.aa,
            "aa_passed": res.aa_passed() if res.aa else None,
            "gross_margin": self.gross_margin,
            "nps": [_conv(arm) for arm in self.nps],
            "horizon": None if self.horizon is None else _conv(self.horizon),
        }


def _conv(value: Any) -> Any:
    """JSON-ready: dataclasses as dicts, Decimal as strings, dates in ISO, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _conv(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_conv(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _conv(v) for k, v in value.items()}
    return value


def _plain(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _conv(value) for key, value in fields.items()}


def arm_verdict(arm: ArmResult, lang: str = DEFAULT_LANG, *, alpha: float = 0.05) -> str:
    r"""One line on what ``arm`` shows, in ``lang`` (numbers and units joined by U+00A0).

    >>> from decimal import Decimal
    >>> from livebase.experiments import ArmAggregate
    >>> res = readout([
    ...     ArmAggregate("control", 1000, 32, 32, Decimal("0"), 0.0),
    ...     ArmAggregate("value", 1000, 49, 49, Decimal("0"), 0.0),
    ...     ArmAggregate("discount", 0, 0, 0, Decimal("0"), 0.0),
    ... ])
    >>> print(arm_verdict(res.arm("value"), "en").replace("\xa0", " "))
    value: +1.7 pp vs control, 95% CI [-0.0, +3.5] pp; p = 0.054, not significant at α = 0.05
    >>> print(arm_verdict(res.arm("discount"), "en"))
    discount: not enough data: no customers assigned to this arm
    """
    level = format_level(alpha, lang)
    if arm.status == INSUFFICIENT:
        return t("verdict.insufficient", lang, arm=arm.arm, reason=t(f"reason.{arm.reason}", lang))
    if arm.status == CONTROL:
        assert arm.rate is not None
        assert arm.rate_ci is not None
        return t(
            "verdict.control",
            lang,
            arm=arm.arm,
            rate=format_percent(arm.rate, lang),
            level=level,
            ci=format_percent_interval(*arm.rate_ci, lang),
        )
    assert arm.uplift_pp is not None
    assert arm.uplift_ci_pp is not None
    assert arm.p_value is not None
    significance = "verdict.significant" if arm.p_value < alpha else "verdict.not_significant"
    return t(
        "verdict.test",
        lang,
        arm=arm.arm,
        uplift=format_pp(arm.uplift_pp, lang),
        level=level,
        ci=format_pp_interval(*arm.uplift_ci_pp, lang),
        p=format_p_value(arm.p_value, lang, prefix=True),
        significance=t(significance, lang, alpha=format_alpha(alpha, lang)),
    )


def make_wave_report(
    wave: WaveInfo,
    result: Readout,
    *,
    window_days: int | None = None,
    lang: str = DEFAULT_LANG,
    currency: str = "RUB",
    nps: tuple[NpsArm, ...] = (),
    horizon: HorizonReadout | None = None,
    gross_margin: float | None = None,
) -> WaveReport:
    """Assemble a report from a wave and its readout (no engine access)."""
    start, end = wave.window(window_days)
    days = (end - start).days
    verdicts = tuple(arm_verdict(arm, check_lang(lang), alpha=result.alpha) for arm in result.arms)
    return WaveReport(
        wave=wave,
        window_days=days,
        window_start=start.date(),
        window_end=(end - dt.timedelta(days=1)).date(),
        readout=result,
        verdicts=verdicts,
        lang=lang,
        currency=currency,
        nps=nps,
        horizon=horizon,
        gross_margin=gross_margin,
    )


def nps_by_arm(
    counts: Mapping[str, tuple[int, int, int]],
    arms: tuple[str, ...],
    *,
    control: str,
    alpha: float = 0.05,
) -> tuple[NpsArm, ...]:
    """NPS per arm (arms in order, answers or not) and each test arm's difference from
    control; empty when nobody answered at all."""
    if not counts:
        return ()
    results = {arm: nps_from_counts(*counts.get(arm, (0, 0, 0)), alpha=alpha) for arm in arms}
    ctrl = results.get(control)
    return tuple(
        NpsArm(
            arm,
            res,
            None if arm == control or ctrl is None else nps_difference(res, ctrl, alpha=alpha),
        )
        for arm, res in results.items()
    )


def wave_report(
    con: BaseBackend,
    wave_id: str,
    *,
    planned_weights: Mapping[str, float] | None = None,
    lang: str = DEFAULT_LANG,
    control: str | None = None,
    alpha: float = 0.05,
    window_days: int | None = None,
    currency: str = "RUB",
    rules: PurchaseRules | None = None,
    gross_margin: float | None = None,
    power: float = 0.8,
    adjust_across: str = "arms",
) -> WaveReport:
    """Read wave ``wave_id`` from the store and build its readout report.

    ``planned_weights`` (arm → weight) enables the sample ratio mismatch check;
    ``window_days`` defaults to the wave's duration; ``currency`` is only a label (the
    store's amounts are summed as they are); ``rules``: the workspace's purchase rules;
    ``gross_margin`` (a fraction) adds the incremental economics, with the wave's
    marketing costs from the ``costs`` table. ``control`` defaults to ``control`` (to
    ``control_a`` in an A/A wave, to ``holdout`` in a wave without a control arm).
    """
    check_lang(lang)
    wave = load_wave(con, wave_id)
    aa = is_aa(wave)
    if control is None:
        # the seeds' control arm; a playbook without one (onboarding, webinar) is read
        # against its holdout
        control = AA_CONTROL if aa else ("control" if "control" in wave.arms else HOLDOUT)
    aggregates = arm_aggregates(con, wave_id, window_days=window_days, rules=rules)
    payers = payer_revenues(con, wave_id, window_days=window_days, rules=rules)
    costs = wave_costs(con, wave_id) if gross_margin is not None else None
    result = readout(
        aggregates,
        control=control,
        alpha=alpha,
        planned_weights=planned_weights,
        payers=payers,
        gross_margin=gross_margin,
        costs=costs,
        power=power,
        adjust_across=adjust_across,
        aa=aa,
    )
    arms = tuple(a.arm for a in result.arms)
    nps = nps_by_arm(
        arm_nps_counts(con, wave_id, window_days=window_days), arms, control=control, alpha=alpha
    )
    horizon = horizon_metrics(con, wave_id, rules=rules, control=control, alpha=alpha)
    return make_wave_report(
        wave,
        result,
        window_days=window_days,
        lang=lang,
        currency=currency,
        nps=nps,
        horizon=horizon,
        gross_margin=gross_margin,
    )
