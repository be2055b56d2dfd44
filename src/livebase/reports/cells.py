"""Formatted cells of the arm table, shared by the HTML and terminal renderers.

A missing number is never rendered as 0: it becomes "not enough data" when the arm's
status is ``insufficient_data`` and "—" when the quantity does not apply (the uplift of
the control arm, the AOV of an arm without orders).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from livebase.experiments import ArmResult, SrmResult
from livebase.experiments.status import INSUFFICIENT
from livebase.i18n import (
    format_date,
    format_level,
    format_money,
    format_number,
    format_p_value,
    format_percent,
    format_percent_interval,
    format_pp,
    format_pp_interval,
    t,
)

if TYPE_CHECKING:
    from livebase.reports.wave import WaveReport

CellKind = Literal["value", "na", "insufficient"]


@dataclass(frozen=True)
class Cell:
    """A table cell: its text and whether it holds a value, n/a or "not enough data"."""

    text: str
    kind: CellKind = "value"


@dataclass(frozen=True)
class ArmCells:
    """One row of the arm table, formatted for ``lang``."""

    arm: str
    is_control: bool
    insufficient: bool
    status: str
    reason: str | None
    n: Cell
    conversions: Cell
    rate: Cell
    rate_ci: Cell
    uplift: Cell
    uplift_ci: Cell
    p_value: Cell
    revenue_per_assigned: Cell
    aov: Cell

    COLUMNS = (
        "n",
        "conversions",
        "rate",
        "rate_ci",
        "uplift",
        "uplift_ci",
        "p_value",
        "revenue_per_assigned",
        "aov",
    )

    def cells(self) -> list[Cell]:
        """The cells in :attr:`COLUMNS` order."""
        return [getattr(self, name) for name in self.COLUMNS]


def arm_cells(arm: ArmResult, lang: str, currency: str = "RUB") -> ArmCells:
    """Format one arm of a readout.

    >>> from decimal import Decimal
    >>> from livebase.experiments import ArmAggregate, readout
    >>> res = readout([ArmAggregate("control", 10, 1, 1, Decimal("500"), 2.5e5),
    ...                ArmAggregate("value", 0, 0, 0, Decimal("0"), 0.0)])
    >>> arm_cells(res.arm("value"), "en").rate
    Cell(text='not enough data', kind='insufficient')
    >>> arm_cells(res.arm("control"), "en").uplift
    Cell(text='—', kind='na')
    """
    insufficient = arm.status == INSUFFICIENT
    not_applicable = Cell(t("value.not_available", lang), "na")
    missing = Cell(t("status.insufficient_data", lang), "insufficient")
    if not insufficient:
        missing = not_applicable
    # the control has no uplift nor p-value by definition, whatever its status
    no_comparison = not_applicable if arm.is_control else missing
    # an arm with customers but no orders has no AOV: not applicable, not unknown
    no_orders = not_applicable if arm.n else missing

    def cell(value: Any, fmt: Callable[..., str], if_none: Cell) -> Cell:
        if value is None:
            return if_none
        return Cell(fmt(*value, lang) if isinstance(value, tuple) else fmt(value, lang))

    def money(value: Any, _lang: str) -> str:
        return format_money(value, currency, lang)

    return ArmCells(
        arm=arm.arm,
        is_control=arm.is_control,
        insufficient=insufficient,
        status=t(f"status.{arm.status}", lang),
        reason=None if arm.reason is None else t(f"reason.{arm.reason}", lang),
        n=Cell(format_number(arm.n, lang)),
        conversions=Cell(format_number(arm.conversions, lang)),
        rate=cell(arm.rate, format_percent, missing),
        rate_ci=cell(arm.rate_ci, format_percent_interval, missing),
        uplift=cell(arm.uplift_pp, format_pp, no_comparison),
        uplift_ci=cell(arm.uplift_ci_pp, format_pp_interval, no_comparison),
        p_value=cell(arm.p_value, format_p_value, no_comparison),
        revenue_per_assigned=cell(arm.revenue_per_assigned, money, missing),
        aov=cell(arm.aov, money, no_orders),
    )


def column_titles(lang: str, alpha: float = 0.05) -> list[str]:
    """Headers of :attr:`ArmCells.COLUMNS`, in ``lang``."""
    level = format_level(alpha, lang)
    return [t(f"col.{name}", lang, level=level) for name in ArmCells.COLUMNS]


def srm_text(srm: SrmResult | None, lang: str) -> str:
    """One sentence on the sample ratio check.

    >>> from livebase.experiments import srm_check
    >>> srm_text(srm_check({"control": 150, "value": 850}, {"control": 1, "value": 9}), "en")
    'does NOT match the plan (χ² = 27.8, p < 0.001): check the assignment, results are unreliable'
    >>> srm_text(None, "en")
    'not checked: planned arm weights were not given'
    """
    if srm is None:
        return t("srm.not_checked", lang)
    if srm.status == INSUFFICIENT:
        return t("srm.insufficient_data", lang, reason=t(f"reason.{srm.reason}", lang))
    assert srm.chi2 is not None
    assert srm.p_value is not None
    p = format_p_value(srm.p_value, lang, prefix=True)
    return t(f"srm.{srm.status}", lang, chi2=format_number(srm.chi2, lang, 1), p=p)


def srm_rows(srm: SrmResult, lang: str) -> list[tuple[str, str, str]]:
    """``(arm, expected count, observed count)`` per arm, formatted."""
    return [
        (arm, format_number(expected, lang, 1), format_number(observed, lang))
        for arm, expected, observed in zip(srm.arms, srm.expected, srm.observed, strict=True)
    ]


def window_text(report: WaveReport, lang: str) -> str:
    """The order window, e.g. ``01.03.2025 — 14.03.2025 включительно (14 дн.)``."""
    return t(
        "report.window_value",
        lang,
        start=format_date(report.window_start, lang),
        end=format_date(report.window_end, lang),
        days=report.window_days,
    )
