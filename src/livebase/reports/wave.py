"""The wave readout report as plain data: the wave, its window, the readout and verdicts.

One function builds the report (:func:`wave_report`); the renderers
(:mod:`livebase.reports.html`, :mod:`livebase.reports.terminal`) and a JSON twin
(:meth:`WaveReport.to_dict`) only lay it out. Tables are read through
:mod:`livebase.experiments` only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ibis.backends import BaseBackend

from livebase.experiments import (
    ArmResult,
    Readout,
    WaveInfo,
    arm_aggregates,
    load_wave,
    readout,
)
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
        }


def _plain(fields: Mapping[str, Any]) -> dict[str, Any]:
    def conv(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, tuple):
            return [conv(item) for item in value]
        return value

    return {key: conv(value) for key, value in fields.items()}


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
    )


def wave_report(
    con: BaseBackend,
    wave_id: str,
    *,
    planned_weights: Mapping[str, float] | None = None,
    lang: str = DEFAULT_LANG,
    control: str = "control",
    alpha: float = 0.05,
    window_days: int | None = None,
    currency: str = "RUB",
) -> WaveReport:
    """Read wave ``wave_id`` from the store and build its readout report.

    ``planned_weights`` (arm → weight) enables the sample ratio mismatch check;
    ``window_days`` defaults to the wave's duration; ``currency`` is only a label (the
    store's amounts are summed as they are).
    """
    check_lang(lang)
    wave = load_wave(con, wave_id)
    aggregates = arm_aggregates(con, wave_id, window_days=window_days)
    result = readout(aggregates, control=control, alpha=alpha, planned_weights=planned_weights)
    return make_wave_report(wave, result, window_days=window_days, lang=lang, currency=currency)
