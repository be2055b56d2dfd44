"""Formatted cells of the readout tables, shared by the HTML and terminal renderers.

A missing number is never rendered as 0: it becomes "not enough data" when it is
undefined for lack of data (the cell's ``reason`` says why) and "—" when the quantity
does not apply (the uplift of the control arm, the AOV of an arm without orders). A
long-horizon metric whose horizon is not reached yet reads "available from <date>".

The arm (conversion) table is one :class:`ArmCells` per arm (:func:`arm_cells`); the
other tables are :class:`Section` s (:func:`report_sections`): money, incremental
economics, NPS and the long horizon, each with notes on its missing numbers and one
sentence per number a marketer can follow (i18n keys ``explain.*``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal

from livebase.experiments import ArmResult, Readout, SrmResult
from livebase.experiments.horizon import LtvMetric, ShareMetric
from livebase.experiments.status import INSUFFICIENT
from livebase.i18n import (
    NBSP,
    format_alpha,
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

_CENT = Decimal("0.01")
# arm-level reasons that explain every missing number of the arm's row
_ARM_REASONS = ("empty_arm", "empty_control")
_NOT_REACHED = "horizon_not_reached"
Number = Decimal | float | int


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, whether it holds a value, n/a or "not enough data", and
    (translated) why a number is missing, when it is."""

    text: str
    kind: CellKind = "value"
    reason: str | None = None


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
    p_holm: Cell
    p_bh: Cell
    detectable: Cell
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
        "p_holm",
        "p_bh",
        "detectable",
    )  # revenue per assigned and AOV are formatted here too but shown in the money table

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
    Cell(text='not enough data', kind='insufficient', reason=None)
    >>> arm_cells(res.arm("control"), "en").uplift
    Cell(text='—', kind='na', reason=None)
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
        p_holm=cell(arm.p_holm, format_p_value, no_comparison),
        p_bh=cell(arm.p_bh, format_p_value, no_comparison),
        detectable=cell(arm.detectable_pp, format_pp, no_comparison),
        revenue_per_assigned=cell(arm.revenue_per_assigned, money, missing),
        aov=cell(arm.aov, money, no_orders),
    )


def column_titles(lang: str, alpha: float = 0.05) -> list[str]:
    """Headers of :attr:`ArmCells.COLUMNS`, in ``lang``."""
    level = format_level(alpha, lang)
    return [t(f"col.{name}", lang, level=level) for name in ArmCells.COLUMNS]


def arm_explanations(report: WaveReport, lang: str) -> tuple[str, ...]:
    """One sentence per number of the arm table, in ``lang``."""
    res = report.readout
    level = format_level(res.alpha, lang)
    family = t(f"explain.family_{res.adjust_across}", lang)
    return (
        t("explain.rate", lang, level=level),
        t("explain.uplift", lang, level=level),
        t("explain.p_value", lang, alpha=format_alpha(res.alpha, lang)),
        t("explain.p_holm", lang, family=family),
        t("explain.p_bh", lang),
        t("explain.detectable", lang, power=_as_typed(res.power, lang)),
    )


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


def aa_line(res: Readout, lang: str) -> tuple[str, str] | None:
    """``(outcome, sentence)`` of an A/A readout, ``None`` for an ordinary wave.

    ``outcome`` is ``"passed"``, ``"failed"`` or ``"insufficient"``.

    >>> from decimal import Decimal
    >>> from livebase.experiments import ArmAggregate, readout
    >>> aa = readout([ArmAggregate("control_a", 500, 40, 40, Decimal("0"), 0.0),
    ...               ArmAggregate("control_b", 500, 41, 41, Decimal("0"), 0.0)],
    ...              control="control_a", aa=True)
    >>> aa_line(aa, "en")[1].split(":")[0]
    'A/A check'
    >>> aa_line(aa, "en")[0]
    'passed'
    """
    if not res.aa:
        return None
    passed = res.aa_passed()
    head = t("report.aa", lang)
    alpha = format_alpha(res.alpha, lang)
    if passed is None:
        return "insufficient", f"{head}: {t('aa.insufficient', lang)}"
    if passed:
        return "passed", f"{head}: {t('aa.passed', lang, alpha=alpha)}"
    why = []
    differing = [a.arm for a in res.arms if a.p_holm is not None and a.p_holm < res.alpha]
    if differing:
        why.append(t("aa.failed_arms", lang, arms=", ".join(differing), alpha=alpha))
    if res.srm is not None and res.srm.mismatch:
        why.append(t("aa.failed_srm", lang))
    return "failed", f"{head}: {t('aa.failed', lang, why='; '.join(why))}"


# --- the further tables ---------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One arm's row of a :class:`Section`."""

    arm: str
    is_control: bool
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Section:
    """A table of the report after the arm table, as formatted text.

    ``key`` names it (``money``, ``economics``, ``nps``, ``horizon``); ``notes`` say why
    numbers are missing; ``explanations`` are one sentence per number.
    """

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    caption: str | None = None
    notes: tuple[str, ...] = ()
    explanations: tuple[str, ...] = ()


def _signed(value: Number, lang: str, digits: int = 1) -> str:
    """A number carrying the sign of its unrounded value (``+0,0`` is a little above 0)."""
    number = format_number(abs(value), lang, digits)
    if value > 0:
        return "+" + number
    return "-" + number if value < 0 else number


def _bracket(low: str, high: str, lang: str) -> str:
    return f"[{low}; {high}]" if lang == "ru" else f"[{low}, {high}]"


def _signed_bracket(ci: tuple[Number, Number], lang: str, digits: int = 1) -> str:
    return _bracket(_signed(ci[0], lang, digits), _signed(ci[1], lang, digits), lang)


def _cents(value: Number) -> Decimal:
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def _money_digits(*values: Number) -> int:
    """Kopecks are shown when any of ``values`` has them (both bounds of an interval alike)."""
    return 0 if all(v == v.to_integral_value() for v in map(_cents, values)) else 2


def _money_unit(currency: str, lang: str) -> str:
    return format_money(Decimal(0), currency, lang).rpartition(NBSP)[2]


def _as_typed(fraction: float, lang: str) -> str:
    """A fraction as a percent with only the decimals it needs (0.8 → 80 %, 0.635 →
    63,5 %): the confidence-level rule applied to ``fraction`` itself."""
    return format_level(1 - fraction, lang)


@dataclass(frozen=True)
class _Fmt:
    """Cell builders for one language and currency."""

    lang: str
    currency: str
    alpha: float

    @property
    def level(self) -> str:
        return format_level(self.alpha, self.lang)

    def na(self) -> Cell:
        return Cell(t("value.not_available", self.lang), "na")

    def missing(self, reason: str | None) -> Cell:
        why = None if reason is None else t(f"reason.{reason}", self.lang)
        return Cell(t("status.insufficient_data", self.lang), "insufficient", why)

    def with_ci(self, value: str, ci: str | None, reason: str | None = None) -> Cell:
        """``value [ci]``; with an undefined interval ``value [n/a]`` and its reason."""
        if ci is not None:
            return Cell(f"{value} {ci}")
        short = t("value.insufficient_short", self.lang)
        why = None if reason is None else t(f"reason.{reason}", self.lang)
        return Cell(f"{value} [{short}]", "value", why)

    def money(self, amount: Number) -> str:
        return format_money(_cents(amount), self.currency, self.lang)

    def _signed_amount(self, amount: Number, digits: int) -> str:
        """An amount without its unit, carrying the sign of the unrounded value."""
        number = format_number(abs(_cents(amount)), self.lang, digits)
        if amount > 0:
            return "+" + number
        return "-" + number if amount < 0 else number

    def signed_money(self, amount: Number) -> str:
        number = self._signed_amount(amount, _money_digits(amount))
        return f"{number}{NBSP}{_money_unit(self.currency, self.lang)}"

    def money_bounds(self, ci: tuple[Number, Number], *, signed: bool) -> str:
        """An interval of amounts, both bounds with the same decimals, without the unit."""
        digits = _money_digits(*ci)
        if signed:
            low, high = (self._signed_amount(v, digits) for v in ci)
        else:
            low, high = (format_number(_cents(v), self.lang, digits) for v in ci)
        return _bracket(low, high, self.lang)

    def p(self, value: float) -> str:
        return format_p_value(value, self.lang)


def _notes(
    columns: Sequence[str], rows: Sequence[Row], lang: str, *, skip: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Why numbers are missing: one line per arm and reason (cells with a ``reason``)."""
    notes = []
    for row in rows:
        by_reason: dict[str, list[str]] = {}
        for title, cell in zip(columns, row.cells, strict=True):
            if cell.reason is not None and cell.reason not in skip:
                by_reason.setdefault(cell.reason, []).append(title)
        for reason, titles in by_reason.items():
            if len(titles) == len(columns):
                notes.append(t("verdict.insufficient", lang, arm=row.arm, reason=reason))
            else:
                notes.append(
                    t("report.note", lang, arm=row.arm, columns=", ".join(titles), reason=reason)
                )
    return tuple(notes)


def _section(
    key: str,
    title: str,
    columns: Sequence[str],
    rows: Sequence[Row],
    lang: str,
    *,
    caption: str | None = None,
    explanations: Sequence[str] = (),
    extra_notes: Sequence[str] = (),
    skip: tuple[str, ...] = (),
) -> Section:
    return Section(
        key=key,
        title=title,
        columns=tuple(columns),
        rows=tuple(rows),
        caption=caption,
        notes=(*extra_notes, *_notes(columns, rows, lang, skip=skip)),
        explanations=tuple(explanations),
    )


def _money_row(arm: ArmResult, f: _Fmt, *, adjusted: bool) -> Row:
    whole = arm.reason if arm.reason in _ARM_REASONS else None

    def missing(reason: str | None) -> Cell:
        return f.missing(whole or reason)

    no_arm = f.na() if arm.n else missing("empty_arm")
    per_assigned = (
        missing("empty_arm")
        if arm.revenue_per_assigned is None
        else Cell(f.money(arm.revenue_per_assigned))
    )
    test = arm.revenue_test
    comparison: list[Cell]
    if arm.is_control or test is None:
        comparison = [f.na()] * (4 if adjusted else 2)
    else:
        if test.diff is None:
            diff = missing(test.reason)
        else:
            ci = None if test.ci is None else f.money_bounds(test.ci, signed=True)
            diff = f.with_ci(f.signed_money(test.diff), ci, whole or test.reason)
        comparison = [diff]
        p_values = [test.p_value]
        if adjusted:
            p_values += [arm.revenue_p_holm, arm.revenue_p_bh]
        comparison += [missing(test.reason) if p is None else Cell(f.p(p)) for p in p_values]
    aov = no_arm if arm.aov is None else Cell(f.money(arm.aov))
    if arm.arppu is None:
        arppu = no_arm
    else:
        boot = arm.arppu_ci
        text = f.money(arm.arppu)
        if boot is None:  # no payers' revenues were given: no interval asked for
            arppu = Cell(text)
        else:
            ci = None if boot.ci is None else f.money_bounds(boot.ci, signed=False)
            arppu = f.with_ci(text, ci, boot.reason)
    return Row(arm.arm, arm.is_control, (per_assigned, *comparison, aov, arppu))


def money_section(report: WaveReport, lang: str) -> Section:
    """Revenue per assigned, its Welch difference vs control, AOV and ARPPU per arm."""
    res = report.readout
    f = _Fmt(lang, report.currency, res.alpha)
    adjusted = res.adjust_across == "arms_and_metrics"
    columns = [
        t("col.revenue_per_assigned", lang),
        t("col.diff_ci", lang, level=f.level),
        t("col.p_value", lang),
    ]
    if adjusted:
        columns += [t("col.p_holm", lang), t("col.p_bh", lang)]
    columns += [t("col.aov", lang), t("col.arppu_ci", lang, level=f.level)]
    explanations = [
        t("explain.revenue_per_assigned", lang),
        t("explain.revenue_diff", lang, level=f.level),
    ]
    if adjusted:
        explanations.append(t("explain.revenue_adjusted", lang))
    explanations += [t("explain.aov", lang), t("explain.arppu", lang, level=f.level)]
    rows = [_money_row(arm, f, adjusted=adjusted) for arm in res.arms]
    return _section(
        "money", t("report.money", lang), columns, rows, lang, explanations=explanations
    )


def economics_section(report: WaveReport, lang: str) -> Section | None:
    """Seed 000's incremental economics of every test arm; ``None`` without a gross margin."""
    res = report.readout
    arms = [arm for arm in res.arms if arm.increment is not None]
    if not arms:
        return None
    f = _Fmt(lang, report.currency, res.alpha)
    first = arms[0].increment
    assert first is not None
    gm = _as_typed(first.gross_margin, lang)
    rows = []
    for arm in arms:
        inc = arm.increment
        assert inc is not None
        whole = inc.reason if inc.reason in _ARM_REASONS else None
        missing = f.missing(whole or inc.reason)
        if inc.incremental_orders is None:
            orders = missing
        else:
            ci = None
            if inc.incremental_orders_ci is not None:
                ci = _signed_bracket(inc.incremental_orders_ci, lang)
            orders = f.with_ci(_signed(inc.incremental_orders, lang), ci, inc.reason)
        cells = (
            Cell(format_number(inc.payers_test, lang)),
            missing
            if inc.baseline_orders is None
            else Cell(format_number(inc.baseline_orders, lang, 1)),
            orders,
            missing if inc.aov is None else Cell(f.money(inc.aov)),
            missing
            if inc.incremental_revenue is None
            else Cell(f.signed_money(inc.incremental_revenue)),
            Cell(f.money(inc.marketing_cost)),
            missing
            if inc.incremental_gross_margin is None
            else Cell(f.signed_money(inc.incremental_gross_margin)),
        )
        rows.append(Row(arm.arm, arm.is_control, cells))
    columns = [
        t("col.payers", lang),
        t("col.baseline_orders", lang),
        t("col.incremental_orders", lang, level=f.level),
        t("col.aov_per_payer", lang),
        t("col.incremental_revenue", lang),
        t("col.marketing_cost", lang),
        t("col.incremental_margin", lang),
    ]
    explanations = [
        t("explain.payers", lang),
        t("explain.baseline_orders", lang),
        t("explain.incremental_orders", lang, level=f.level),
        t("explain.aov_per_payer", lang),
        t("explain.incremental_revenue", lang),
        t("explain.marketing_cost", lang),
        t("explain.incremental_margin", lang, gm=gm),
    ]
    return _section(
        "economics",
        t("report.economics", lang, gm=gm),
        columns,
        rows,
        lang,
        caption=t("report.economics_caption", lang),
        explanations=explanations,
    )


def nps_section(report: WaveReport, lang: str) -> Section | None:
    """Answers, NPS and its difference from control per arm; ``None`` without answers."""
    if not report.nps:
        return None
    res = report.readout
    f = _Fmt(lang, report.currency, res.alpha)
    rows = []
    for arm in report.nps:
        r = arm.result
        if r.nps is None:
            score = f.missing(r.reason)
        else:
            ci = (
                None if r.ci is None else _bracket(*(format_number(v, lang, 1) for v in r.ci), lang)
            )
            score = f.with_ci(format_number(r.nps, lang, 1), ci, r.reason)
        is_control = arm.arm == res.control
        d = arm.vs_control
        if is_control or d is None:
            diff, p = f.na(), f.na()
        else:
            if d.diff is None:
                diff = f.missing(d.reason)
            else:
                ci = None if d.ci is None else _signed_bracket(d.ci, lang)
                diff = f.with_ci(_signed(d.diff, lang), ci, d.reason)
            p = f.missing(d.reason) if d.p_value is None else Cell(f.p(d.p_value))
        rows.append(Row(arm.arm, is_control, (Cell(format_number(r.n, lang)), score, diff, p)))
    columns = [
        t("col.nps_answers", lang),
        t("col.nps_ci", lang, level=f.level),
        t("col.diff_ci", lang, level=f.level),
        t("col.p_value", lang),
    ]
    explanations = [
        t("explain.nps_answers", lang),
        t("explain.nps", lang, level=f.level),
        t("explain.nps_diff", lang, level=f.level),
    ]
    return _section("nps", t("report.nps", lang), columns, rows, lang, explanations=explanations)


def _pending(starts_on: dt.date, days: int, lang: str) -> Cell:
    """The cell of a metric whose horizon is not reached: when it will be available."""
    date = format_date(starts_on + dt.timedelta(days=days), lang)
    why = t(f"reason.{_NOT_REACHED}", lang)
    return Cell(t("value.available_from", lang, date=date), "insufficient", why)


def _share_cells(m: ShareMetric, f: _Fmt, starts_on: dt.date) -> tuple[Cell, Cell]:
    lang = f.lang
    if m.reason == _NOT_REACHED:
        pending = _pending(starts_on, m.horizon_days, lang)
        return pending, f.na() if m.is_control else pending
    whole = m.reason if m.reason in _ARM_REASONS else None
    rate = f.missing(m.reason) if m.rate is None else Cell(format_percent(m.rate, lang))
    if m.is_control:
        return rate, f.na()
    if m.diff_pp is None:
        return rate, f.missing(whole or m.reason)
    ci = None if m.diff_ci_pp is None else _signed_bracket(m.diff_ci_pp, lang)
    return rate, f.with_ci(format_pp(m.diff_pp, lang), ci, m.reason)


def _ltv_cells(m: LtvMetric, f: _Fmt, starts_on: dt.date) -> tuple[Cell, Cell]:
    lang = f.lang
    if m.reason == _NOT_REACHED:
        pending = _pending(starts_on, m.horizon_days, lang)
        return pending, f.na() if m.is_control else pending
    ltv = f.missing(m.reason) if m.ltv is None else Cell(f.money(m.ltv))
    if m.is_control:
        return ltv, f.na()
    if m.uplift_pct is None:
        return ltv, f.missing(m.reason)
    number = _signed(m.uplift_pct, lang)
    uplift = f"{number}{NBSP}%" if lang == "ru" else f"{number}%"
    if m.welch is not None and m.welch.p_value is not None:
        uplift = f"{uplift}; {format_p_value(m.welch.p_value, lang, prefix=True)}"
    return ltv, Cell(uplift)


def horizon_section(report: WaveReport, lang: str) -> Section | None:
    """Repeat 90, refunds 90, churn 180 and LTV 180 per arm; ``None`` without a horizon."""
    h = report.horizon
    if h is None:
        return None
    f = _Fmt(lang, report.currency, h.alpha)
    shares = (("repeat_90", h.repeat_90), ("refund_90", h.refund_90), ("churn_180", h.churn_180))
    titles = {name: t(f"col.{name}", lang) for name in ("repeat_90", "refund_90", "churn_180")}
    titles["ltv_180"] = t("col.ltv_180", lang)
    vs = t("col.vs_control_ci", lang, level=f.level)
    columns = []
    for name, _ in shares:
        columns += [titles[name], vs]
    columns += [titles["ltv_180"], t("col.ltv_uplift", lang)]
    by_arm = [{m.arm: m for m in metrics} for _, metrics in shares]
    ltv = {m.arm: m for m in h.ltv_180}
    rows = []
    for first in h.repeat_90:
        cells: list[Cell] = []
        for metrics in by_arm:
            cells += _share_cells(metrics[first.arm], f, h.starts_on)
        cells += _ltv_cells(ltv[first.arm], f, h.starts_on)
        rows.append(Row(first.arm, first.is_control, tuple(cells)))
    # one line per horizon not reached (90 and 180 days), not one per arm
    pending: dict[int, list[str]] = {}
    for name, metrics in (*shares, ("ltv_180", h.ltv_180)):
        days = [m.horizon_days for m in metrics if m.reason == _NOT_REACHED]
        if days:
            pending.setdefault(days[0], []).append(titles[name])
    extra = []
    for days, names in pending.items():
        key = "horizon.not_reached" if h.data_until else "horizon.not_reached_no_data"
        until = "" if h.data_until is None else format_date(h.data_until, lang)
        date = format_date(h.starts_on + dt.timedelta(days=days), lang)
        extra.append(t(key, lang, metrics=", ".join(names), until=until, date=date))
    start = format_date(h.starts_on, lang)
    if h.data_until is None:
        caption = t("report.horizon_caption_no_data", lang, start=start)
    else:
        caption = t(
            "report.horizon_caption", lang, start=start, until=format_date(h.data_until, lang)
        )
    explanations = [
        t("explain.repeat_90", lang),
        t("explain.refund_90", lang),
        t("explain.churn_180", lang),
        t("explain.vs_control", lang, level=f.level),
        t("explain.ltv_180", lang),
        t("explain.ltv_uplift", lang),
    ]
    return _section(
        "horizon",
        t("report.horizon", lang),
        columns,
        rows,
        lang,
        caption=caption,
        explanations=explanations,
        extra_notes=extra,
        skip=(t(f"reason.{_NOT_REACHED}", lang),),
    )


def report_sections(report: WaveReport, lang: str) -> list[Section]:
    """The tables after the arm table, in print order; a table without data is left out."""
    sections = [
        money_section(report, lang),
        economics_section(report, lang),
        nps_section(report, lang),
        horizon_section(report, lang),
    ]
    return [s for s in sections if s is not None]
