"""The base report's tables (churn risk, risk backtest, cohorts, activation, NPS, support
load) as formatted blocks, and those blocks as Rich renderables for the terminal.

Each ``*_blocks`` function turns one engine result into :class:`Block` s: a table of
formatted :class:`BCell` s with its caption, footnotes, notes on missing numbers and one
sentence per number (``explain.*``). The terminal (``*_views``) and the HTML page
(:mod:`livebase.reports.base_html`) lay out the same blocks, so both show the same text.

Cell conventions (as in the wave readout): a number that cannot be computed reads
"н/д" / "n/a" (``value.insufficient_short``) and a note under the table says why, never
0; "—" is a quantity that does not apply; a number computed over only some of its
members (status ``partial``) ends with ``*`` and a footnote says over how many.

>>> import datetime as dt, io
>>> from rich.console import Console
>>> from livebase.metrics.nps_support import SupportMonth
>>> months = (SupportMonth(dt.date(2025, 4, 1), 12, 480, 25.0, False, "ok", None),)
>>> console = Console(record=True, width=120, file=io.StringIO())
>>> for part in support_views(months, "en"):
...     console.print(part)
>>> "25.0" in console.export_text()
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from livebase.experiments.nps import NpsResult
from livebase.i18n import (
    check_lang,
    format_date,
    format_level,
    format_money,
    format_number,
    format_percent,
    format_percent_interval,
    t,
)
from livebase.metrics.activation import ActivationSummary, ShareResult
from livebase.metrics.cohorts import (
    LTV_METRICS,
    OTHER,
    PARTIAL,
    RETENTION_METRICS,
    UNKNOWN,
    CohortMetric,
    CohortTable,
)
from livebase.metrics.nps_support import NpsBreakdown, SupportMonth
from livebase.metrics.risk import LEVELS, RiskRow, RiskSummary
from livebase.metrics.risk_backtest import RiskBacktest
from livebase.segments.segment_map import SegmentMap, default_map

if TYPE_CHECKING:
    from livebase.reports.chart import Bars

CellKind = Literal["value", "na", "insufficient", "partial", "list"]

ALPHA = 0.05  # the engines' default interval level (activation's Wilson, NPS's Wald)
REPEAT_METRICS = ("repeat_90", "repeat_180", "refund_30", "refund_60", "refund_90", "churn_180")
MONEY_METRICS = ("arpu_90", "arppu_90", "aov_90", "cac", "cac_payback")
_MONTH_KINDS = ("signup_month", "first_purchase_month")
# terminal heatmap: light to dark blue
_HEAT = ("#eff6ff", "#dbeafe", "#bfdbfe", "#93c5fd", "#60a5fa")
_STYLES = {"value": "", "na": "dim", "insufficient": "yellow italic", "partial": "", "list": ""}


@dataclass(frozen=True)
class BCell:
    """A formatted cell: its text, its kind, why a number is missing (translated) and,
    in a heatmap, how dark it is (0 … 1)."""

    text: str
    kind: CellKind = "value"
    reason: str | None = None
    shade: float | None = None
    # the raw number behind ``text`` and its spreadsheet format (XLSX writes numbers)
    value: float | int | Decimal | None = None
    number_format: str | None = None


@dataclass(frozen=True)
class BRow:
    """A table row: ``key`` identifies it (customer id, cohort, level…), ``label`` is what
    the first column shows; ``total`` rows are set apart."""

    key: str
    label: str
    cells: tuple[BCell, ...]
    total: bool = False


@dataclass(frozen=True)
class Block:
    """One table of the base report as text, ready for the terminal or the HTML page.

    ``columns`` includes the first (label) column; ``left`` are the indexes of the columns
    aligned left; ``empty`` is shown instead of the table when there are no rows;
    ``footnotes`` explain the ``*`` marks, ``notes`` the missing numbers, and
    ``explanations`` are one sentence per number.
    """

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[BRow, ...]
    caption: str | None = None
    footnotes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    explanations: tuple[str, ...] = ()
    left: tuple[int, ...] = (0,)
    heat: bool = False
    empty: str | None = None
    chart: Bars | None = None  # drawn above the table on the HTML page


# ------------------------------------------------------------------- formatting


def month_label(value: dt.date | str, lang: str) -> str:
    """A month: ``MM.YYYY`` in Russian, ``YYYY-MM`` in English.

    >>> month_label("2025-03", "ru"), month_label(dt.date(2025, 3, 1), "en")
    ('03.2025', '2025-03')
    """
    text = value.strftime("%Y-%m") if isinstance(value, dt.date) else value
    year, _, month = text.partition("-")
    return f"{month}.{year}" if lang == "ru" else text


def cohort_label(kind: str, cohort: str, lang: str) -> str:
    """A cohort as a reader sees it: months per language, ``unknown`` / ``other`` in words.

    >>> cohort_label("age_band", "unknown", "en"), cohort_label("signup_month", "2025-01", "ru")
    ('not given', '01.2025')
    """
    if kind in _MONTH_KINDS:
        return month_label(cohort, lang)
    if cohort == UNKNOWN:
        return t("cohort.unknown", lang)
    if cohort == OTHER and kind == "age_band":
        return t("cohort.other", lang)
    return cohort


def _na(lang: str) -> BCell:
    return BCell(t("value.not_available", lang), "na")


def _missing(reason: str | None, lang: str) -> BCell:
    why = None if reason is None else t(f"reason.{reason}", lang)
    return BCell(t("value.insufficient_short", lang), "insufficient", why)


def _num(value: float | int, lang: str, digits: int = 0) -> str:
    return format_number(value, lang, digits)


def _pct(value: float, lang: str) -> str:
    return format_percent(value, lang)


def _lift(value: float, lang: str) -> str:
    return f"{format_number(value, lang, 2)}×"


def _short_number(value: float, lang: str) -> str:
    """Whole numbers without decimals, others with one."""
    return _num(value, lang, 0 if float(value).is_integer() else 1)


def _bracket(low: str, high: str, lang: str) -> str:
    return f"[{low}; {high}]" if lang == "ru" else f"[{low}, {high}]"


def _notes(block_rows: Sequence[BRow], columns: Sequence[str], lang: str) -> tuple[str, ...]:
    """Why numbers are missing: one line per column and reason, naming the rows (or none
    when it is every row)."""
    found: dict[tuple[int, str], list[str]] = {}
    for row in block_rows:
        for i, cell in enumerate(row.cells, start=1):
            if cell.reason is not None:
                found.setdefault((i, cell.reason), []).append(row.label)
    lines = []
    for (i, reason), labels in sorted(found.items(), key=lambda x: x[0][0]):
        if len(labels) == len(block_rows) and len(block_rows) > 1:
            lines.append(t("base.note_everywhere", lang, column=columns[i], reason=reason))
        else:
            rows = ", ".join(labels)
            lines.append(t("base.note", lang, column=columns[i], reason=reason, rows=rows))
    return tuple(lines)


def _block(
    key: str,
    title: str,
    columns: Sequence[str],
    rows: Iterable[BRow],
    lang: str,
    **kw,
) -> Block:
    rows = tuple(rows)
    notes = (*kw.pop("notes", ()), *_notes(rows, columns, lang))
    return Block(key, title, tuple(columns), rows, notes=notes, **kw)


# ------------------------------------------------------------------- churn risk


def _level_name(level: str, lang: str) -> str:
    return t(f"risk.level.{level}", lang)


def _reason_detail(row: RiskRow, code: str, lang: str) -> str | None:
    """The numbers behind a fired reason of a customer, when the mart has them."""
    if code.startswith("rhythm") and row.median_interval_days is not None:
        median = _short_number(row.median_interval_days, lang)
        return t("risk.detail.gap", lang, gap=_num(row.gap_days, lang), median=median)
    if code == "activity_drop" and row.activity_baseline is not None:
        recent = _num(row.activity_recent or 0, lang, 1)
        baseline = _num(row.activity_baseline, lang, 1)
        return t("risk.detail.activity", lang, recent=recent, baseline=baseline)
    if code.startswith("no_lessons") and row.days_without_lessons is not None:
        return t("risk.detail.days", lang, days=_num(row.days_without_lessons, lang))
    if code == "nps_negative" and row.nps_score is not None:
        return t("risk.detail.score", lang, score=row.nps_score)
    day = getattr(row, f"{code}_on", None)
    if isinstance(day, dt.date):
        return t("risk.detail.on", lang, date=format_date(day, lang))
    return None


def reason_text(row: RiskRow, lang: str, sep: str = "\n") -> str:
    """A customer's reasons in words with their points, most points first, e.g.
    ``has not bought for twice their usual interval: 66 days without a purchase, usually
    24 (25)``."""
    parts = []
    for r in row.reasons:
        text = t(f"risk.reason.{r.code}", lang)
        detail = _reason_detail(row, r.code, lang)
        if detail:
            text = f"{text}: {detail}"
        parts.append(f"{text} ({r.points})")
    return sep.join(parts) if parts else t("risk.none_fired", lang)


def _range(level: str, summary: RiskSummary) -> str:
    if level == "low":
        return f"< {summary.medium_from}"
    if level == "medium":
        return f"{summary.medium_from}–{summary.high_from - 1}"
    return f"≥ {summary.high_from}"


def risk_blocks(
    summary: RiskSummary,
    top: Sequence[RiskRow],
    lang: str,
    *,
    smap: SegmentMap | None = None,
) -> list[Block]:
    """Customers per risk level, the reasons that fired, and the riskiest customers."""
    lang = check_lang(lang)
    smap = smap or default_map()
    levels = _block(
        "risk-levels",
        t("risk.title", lang, date=format_date(summary.as_of, lang)),
        [
            t("risk.col.level", lang),
            t("risk.col.points_range", lang),
            t("risk.col.customers", lang),
            t("risk.col.share", lang),
        ],
        [
            BRow(
                lv.level,
                _level_name(lv.level, lang),
                (
                    BCell(_range(lv.level, summary)),
                    BCell(_num(lv.customers, lang)),
                    BCell(_pct(lv.share, lang)),
                ),
            )
            for lv in summary.levels
        ],
        lang,
        caption=t("risk.scored", lang, customers=_num(summary.customers, lang)),
        explanations=(
            t("explain.risk_points", lang),
            t("explain.risk_level", lang, medium=summary.medium_from, high=summary.high_from),
            t("explain.risk_share", lang),
        ),
    )
    sources = dict(summary.interval_sources)
    reasons = _block(
        "risk-reasons",
        t("risk.reasons", lang),
        [
            t("risk.col.reason", lang),
            t("risk.col.points", lang),
            t("risk.col.customers", lang),
            t("risk.col.share", lang),
        ],
        [
            BRow(
                r.code,
                t(f"risk.reason.{r.code}", lang),
                (
                    BCell(_num(r.points, lang)),
                    BCell(_num(r.customers, lang)),
                    BCell(_pct(r.share, lang)),
                ),
            )
            for r in summary.reasons
        ],
        lang,
        caption=t(
            "risk.sources",
            lang,
            **{k: _num(sources.get(k, 0), lang) for k in ("own", "segment", "all", "none")},
            without_z=_num(summary.without_z, lang),
        ),
        empty=t("risk.no_reasons", lang),
        explanations=(t("explain.risk_reason_count", lang),),
    )
    top_rows = [
        BRow(
            row.customer_id,
            row.customer_id,
            (
                BCell(smap.label(row.segment, lang)),
                BCell(_num(row.points, lang)),
                BCell(_level_name(row.level, lang)),
                BCell(reason_text(row, lang), "list"),
            ),
        )
        for row in top
    ]
    top_block = _block(
        "risk-top",
        t("risk.top", lang, n=len(top)),
        [
            t("risk.col.customer", lang),
            t("risk.col.segment", lang),
            t("risk.col.points", lang),
            t("risk.col.level", lang),
            t("risk.col.reasons", lang),
        ],
        top_rows,
        lang,
        left=(0, 1, 3, 4),
        empty=t("risk.no_customers", lang),
        explanations=(t("explain.risk_top", lang),),
    )
    return [levels, reasons, top_block]


def backtest_blocks(bt: RiskBacktest, lang: str) -> list[Block]:
    """Base churn per date and horizon; per horizon the levels' churn, lift, precision
    and recall; per reason its churn and lift (all dates pooled)."""
    lang = check_lang(lang)
    dates = ", ".join(format_date(d, lang) for d in bt.as_ofs)
    if bt.data_until is None:
        caption = t("risk.bt.caption_no_data", lang, dates=dates)
    else:
        caption = t("risk.bt.caption", lang, dates=dates, until=format_date(bt.data_until, lang))

    def rate(value: float | None, reason: str | None) -> BCell:
        return _missing(reason, lang) if value is None else BCell(_pct(value, lang))

    base_rows = []
    for day in (*bt.as_ofs, None):
        label = t("risk.bt.pooled", lang) if day is None else format_date(day, lang)
        cells = [BCell(_num(bt.base(bt.horizons[0], day).customers, lang))]
        for h in bt.horizons:
            b = bt.base(h, day)
            cells.append(rate(b.base_rate, b.reason or "horizon_not_reached"))
        key = "pooled" if day is None else day.isoformat()
        base_rows.append(BRow(key, label, tuple(cells), total=day is None))
    blocks = [
        _block(
            "backtest-base",
            t("risk.bt.title", lang),
            [
                t("risk.bt.date", lang),
                t("risk.col.customers", lang),
                *(t("risk.bt.churn_within", lang, days=h) for h in bt.horizons),
            ],
            base_rows,
            lang,
            caption=caption,
            explanations=(t("explain.bt_base", lang),),
        )
    ]
    for h in bt.horizons:
        base = bt.base(h)
        rows = []
        for level in LEVELS:
            r = bt.get(level, h)
            why = r.reason
            count = _missing(why, lang) if r.churned is None else BCell(_num(r.churned, lang))
            cells = (
                BCell(_num(r.customers, lang)),
                count,
                rate(r.churn_rate, why),
                _missing(why, lang) if r.lift is None else BCell(_lift(r.lift, lang)),
                rate(r.precision, why),
                rate(r.recall, why),
            )
            rows.append(BRow(level, _level_name(level, lang), cells))
        level_caption = None
        if base.base_rate is not None:
            level_caption = t(
                "risk.bt.levels_caption", lang, days=h, rate=_pct(base.base_rate, lang)
            )
        blocks.append(
            _block(
                f"backtest-{h}",
                t("risk.bt.levels", lang, days=h),
                [
                    t("risk.col.level", lang),
                    t("risk.col.customers", lang),
                    t("risk.bt.col.churned", lang),
                    t("risk.bt.col.churn_rate", lang),
                    t("risk.bt.col.lift", lang),
                    t("risk.bt.col.precision", lang),
                    t("risk.bt.col.recall", lang),
                ],
                rows,
                lang,
                caption=level_caption,
                explanations=(
                    t("explain.bt_churn_rate", lang),
                    t("explain.bt_lift", lang),
                    t("explain.bt_precision", lang),
                    t("explain.bt_recall", lang),
                ),
            )
        )
    codes = list(dict.fromkeys(r.code for r in bt.reasons))
    fired = [c for c in codes if any(r.customers for r in bt.reasons if r.code == c)]
    never = [c for c in codes if c not in fired]
    reason_rows = []
    for code in fired:
        cells = []
        for h in bt.horizons:
            r = bt.reason(code, h)
            churn = rate(r.churn_rate, r.reason)
            if r.churn_rate is not None:  # over how many customer-dates
                churn = BCell(f"{churn.text} ({_num(r.customers, lang)})")
            cells.append(churn)
            cells.append(_missing(r.reason, lang) if r.lift is None else BCell(_lift(r.lift, lang)))
        reason_rows.append(BRow(code, t(f"risk.reason.{code}", lang), tuple(cells)))
    columns = [t("risk.col.reason", lang)]
    for h in bt.horizons:
        columns += [
            t("risk.bt.churn_within", lang, days=h),
            t("risk.bt.col.lift_within", lang, days=h),
        ]
    never_note = ()
    if never:
        names = ", ".join(t(f"risk.reason.{c}", lang) for c in never)
        never_note = (t("risk.bt.never_fired", lang, reasons=names),)
    blocks.append(
        _block(
            "backtest-reasons",
            t("risk.bt.reasons", lang),
            columns,
            reason_rows,
            lang,
            notes=never_note,
            empty=t("risk.no_reasons", lang),
            explanations=(t("explain.bt_reason", lang),),
        )
    )
    return blocks


# ---------------------------------------------------------------------- cohorts


def _metric_cell(m: CohortMetric, lang: str, currency: str) -> BCell:
    if m.value is None:
        return _missing(m.reason or "horizon_not_reached", lang)
    if m.unit == "share":
        text = _pct(m.value, lang)
    elif m.unit == "money":
        text = format_money(Decimal(m.value), currency, lang)
    else:
        text = t("cohort.months_value", lang, n=_num(m.value, lang))
    if m.status == PARTIAL:
        return BCell(f"{text}*", "partial")
    return BCell(text)


def _partial_lines(table: CohortTable, metrics: Sequence[str], lang: str) -> tuple[str, ...]:
    lines = []
    for cohort in table.cohorts:
        cells = [
            t(
                "cohort.partial_cell",
                lang,
                metric=t(f"cohort.metric.{m.metric}", lang),
                reached=_num(m.members_reached, lang),
                members=_num(m.members, lang),
            )
            for m in (table.get(cohort, name) for name in metrics)
            if m.status == PARTIAL
        ]
        if cells:
            label = cohort_label(table.kind, cohort, lang)
            lines.append(t("cohort.partial_line", lang, cohort=label, cells="; ".join(cells)))
    return tuple(lines)


def _cohort_block(
    table: CohortTable,
    key: str,
    title: str,
    metrics: Sequence[str],
    lang: str,
    currency: str,
    *,
    heat: bool = False,
    explanations: Sequence[str] = (),
    caption: str | None = None,
) -> Block:
    top = 0.0
    if heat:
        values = [table.get(c, m).value for c in table.cohorts for m in metrics]
        top = max((float(v) for v in values if v is not None), default=0.0)
    rows = []
    for cohort in table.cohorts:
        cells = []
        for name in metrics:
            m = table.get(cohort, name)
            cell = _metric_cell(m, lang, currency)
            if heat and m.value is not None:
                shade = float(m.value) / top if top > 0 else 0.0
                cell = BCell(cell.text, cell.kind, cell.reason, shade)
            cells.append(cell)
        members = BCell(_num(table.members[cohort], lang))
        rows.append(BRow(cohort, cohort_label(table.kind, cohort, lang), (members, *cells)))
    return _block(
        key,
        title,
        [
            t("cohort.cohort", lang),
            t("cohort.members", lang),
            *(t(f"cohort.metric.{m}", lang) for m in metrics),
        ],
        rows,
        lang,
        caption=caption,
        footnotes=_partial_lines(table, metrics, lang),
        explanations=(*explanations, t("explain.cohort_partial", lang)),
        heat=heat,
        empty=t("cohort.none", lang),
    )


def cohort_blocks(table: CohortTable, lang: str, *, currency: str = "RUB") -> list[Block]:
    """The retention triangle (a heatmap), LTV, repeat purchases / refunds / churn, and
    money per customer with CAC and its payback, one table each."""
    lang = check_lang(lang)
    kind = t(f"cohort.kind.{table.kind}", lang)
    anchor = t(f"cohort.anchor.{table.anchor}", lang)
    caption = " ".join(
        (
            t("cohort.caption", lang, date=format_date(table.as_of, lang), anchor=anchor),
            t(f"cohort.without_anchor.{table.anchor}", lang, n=_num(table.without_anchor, lang)),
        )
    )
    members = t("explain.cohort_members", lang, kind=kind)
    gm = format_level(1 - table.gross_margin, lang)  # a fraction with only the decimals it needs
    return [
        _cohort_block(
            table,
            "cohort-retention",
            t("cohort.title", lang, kind=kind) + ": " + t("cohort.retention", lang),
            RETENTION_METRICS,
            lang,
            currency,
            heat=True,
            caption=caption,
            explanations=(
                members,
                t("explain.cohort_retention", lang),
                t("explain.cohort_heat", lang),
            ),
        ),
        _cohort_block(
            table,
            "cohort-ltv",
            t("cohort.ltv", lang),
            LTV_METRICS,
            lang,
            currency,
            explanations=(t("explain.cohort_ltv", lang),),
        ),
        _cohort_block(
            table,
            "cohort-repeat",
            t("cohort.repeat", lang),
            REPEAT_METRICS,
            lang,
            currency,
            explanations=(
                t("explain.cohort_repeat", lang),
                t("explain.cohort_refund", lang),
                t("explain.cohort_churn", lang),
            ),
        ),
        _cohort_block(
            table,
            "cohort-money",
            t("cohort.money", lang),
            MONEY_METRICS,
            lang,
            currency,
            caption=t("cohort.margin", lang, gm=gm),
            explanations=(
                t("explain.cohort_arpu", lang),
                t("explain.cohort_arppu", lang),
                t("explain.cohort_aov", lang),
                t("explain.cohort_cac", lang),
                t("explain.cohort_payback", lang),
            ),
        ),
    ]


# ------------------------------------------------------------------- activation


def _share_name(s: ShareResult, lang: str) -> str:
    kind = s.metric.split("_")[0]
    name = {"activated": "activated", "result": "result", "next": "next_purchase"}[kind]
    return t(f"activation.metric.{name}", lang, days=s.days)


def _share_cell(s: ShareResult, lang: str, *, mark_partial: bool = False) -> BCell:
    if s.share is None:
        return _missing(s.reason, lang)
    text = _pct(s.share, lang)
    if mark_partial and s.eligible < s.newcomers:
        return BCell(f"{text}*", "partial")
    return BCell(text)


def _criteria_text(summary: ActivationSummary, lang: str) -> str:
    parts = [t(f"activation.criterion.{name}", lang, n=n) for name, n in summary.criteria]
    return t(f"activation.combine.{summary.combine}", lang).join(parts)


def activation_blocks(
    summary: ActivationSummary, by_cohort: Sequence[ActivationSummary], lang: str
) -> list[Block]:
    """Activation of the period's newcomers (counts, share, Wilson interval per metric)
    and the shares per first-purchase month."""
    lang = check_lang(lang)
    level = format_level(ALPHA, lang)
    none = t("activation.no_data", lang)

    def until(ts: dt.datetime | None) -> str:
        return none if ts is None else format_date(ts, lang)

    caption = " ".join(
        (
            t("activation.criteria", lang, criteria=_criteria_text(summary, lang)),
            t(
                "activation.data_until",
                lang,
                activity=until(summary.activity_until),
                orders=until(summary.orders_until),
            ),
        )
    )
    shares = (*summary.activated, summary.result, summary.next_purchase)
    rows = []
    for s in shares:
        ci = (
            _missing(s.reason, lang)
            if s.ci is None
            else BCell(format_percent_interval(*s.ci, lang))
        )
        cells = (
            BCell(_num(s.newcomers, lang)),
            BCell(_num(s.eligible, lang)),
            BCell(_num(s.reached, lang)),
            _share_cell(s, lang),
            ci,
        )
        rows.append(BRow(s.metric, _share_name(s, lang), cells))
    if summary.median_days_to_result is None:
        median = t("activation.median_none", lang)
    else:
        median = t(
            "activation.median", lang, days=_short_number(summary.median_days_to_result, lang)
        )
    period = {
        "start": format_date(summary.first_from, lang),
        "end": format_date(summary.first_to, lang),
    }
    main = _block(
        "activation",
        t("activation.title", lang, **period),
        [
            t("activation.col.metric", lang),
            t("activation.col.newcomers", lang),
            t("activation.col.eligible", lang),
            t("activation.col.reached", lang),
            t("activation.col.share", lang),
            t("activation.col.ci", lang, level=level),
        ],
        rows,
        lang,
        caption=caption,
        footnotes=(median,),
        explanations=(
            t("explain.activation_newcomers", lang),
            t("explain.activation_eligible", lang),
            t("explain.activation_share", lang, level=level),
            t("explain.activation_activated", lang),
            t("explain.activation_result", lang),
            t("explain.activation_next", lang),
        ),
    )
    cohort_rows = []
    partial = False
    for c in by_cohort:
        cells = [BCell(_num(c.newcomers, lang))]
        for s in (*c.activated, c.result, c.next_purchase):
            cell = _share_cell(s, lang, mark_partial=True)
            partial |= cell.kind == "partial"
            cells.append(cell)
        assert c.cohort is not None
        cohort_rows.append(BRow(c.cohort.isoformat(), month_label(c.cohort, lang), tuple(cells)))
    by_month = _block(
        "activation-cohorts",
        t("activation.by_cohort", lang),
        [
            t("activation.col.cohort", lang),
            t("activation.col.newcomers", lang),
            *(_share_name(s, lang) for s in shares),
        ],
        cohort_rows,
        lang,
        footnotes=(t("activation.partial", lang),) if partial else (),
        empty=t("reason.no_newcomers", lang),
        explanations=(t("explain.activation_by_cohort", lang),),
    )
    return [main, by_month]


# ---------------------------------------------------------------------- NPS


def _nps_cells(r: NpsResult, lang: str) -> tuple[BCell, ...]:
    score = _missing(r.reason, lang) if r.nps is None else BCell(_num(r.nps, lang, 1))
    if r.ci is None:
        ci = _missing(r.reason, lang) if r.nps is not None else _na(lang)
    else:
        ci = BCell(_bracket(_num(r.ci[0], lang, 1), _num(r.ci[1], lang, 1), lang))
    counts = (r.n, r.promoters, r.passives, r.detractors)
    return (*(BCell(_num(c, lang)) for c in counts), score, ci)


def nps_blocks(
    breakdown: NpsBreakdown, lang: str, *, smap: SegmentMap | None = None
) -> list[Block]:
    """NPS with its interval per segment (or per first-purchase month) and in total."""
    lang = check_lang(lang)
    smap = smap or default_map()
    level = format_level(ALPHA, lang)
    by = breakdown.by

    def label(group: str | dt.date | None) -> str:
        if group is None:
            return t(f"nps.no_{by}", lang)
        if isinstance(group, dt.date):
            return month_label(group, lang)
        return smap.label(group, lang)

    rows = [
        BRow(
            "none" if g.group is None else str(g.group),
            label(g.group),
            _nps_cells(g.result, lang),
        )
        for g in breakdown.groups
    ]
    if rows:
        rows.append(BRow("total", t("nps.total", lang), _nps_cells(breakdown.total, lang), True))
    window = {
        "since": format_date(breakdown.since, lang),
        "until": format_date(breakdown.as_of, lang),
    }
    return [
        _block(
            f"nps-{by}",
            t(f"nps.title.{by}", lang, **window),
            [
                t(f"nps.col.{by}", lang),
                t("nps.col.answers", lang),
                t("nps.col.promoters", lang),
                t("nps.col.passives", lang),
                t("nps.col.detractors", lang),
                t("nps.col.nps", lang),
                t("nps.col.ci", lang, level=level),
            ],
            rows,
            lang,
            empty=t("nps.no_answers", lang),
            explanations=(
                t("explain.nps_answers_counted", lang),
                t("explain.nps_score", lang),
                t("explain.nps_ci", lang, level=level),
            ),
        )
    ]


# ------------------------------------------------------------------ support load


def support_blocks(months: Sequence[SupportMonth], lang: str) -> list[Block]:
    """Tickets, active customers and tickets per 1,000 active customers per month."""
    lang = check_lang(lang)
    rows = []
    partial = False
    for m in months:
        no_tickets = m.reason == "no_ticket_data"
        tickets = _missing(m.reason, lang) if no_tickets else BCell(_num(m.tickets, lang))
        if m.per_1000 is None:
            rate = _missing(m.reason, lang)
        else:
            rate = BCell(_num(m.per_1000, lang, 1))
            if m.partial:
                rate = BCell(f"{rate.text}*", "partial")
        partial |= m.partial
        label = month_label(m.month, lang)
        rows.append(BRow(m.month.isoformat(), label, (tickets, BCell(_num(m.active, lang)), rate)))
    return [
        _block(
            "support",
            t("support.title", lang),
            [
                t("support.col.month", lang),
                t("support.col.tickets", lang),
                t("support.col.active", lang),
                t("support.col.per_1000", lang),
            ],
            rows,
            lang,
            footnotes=(t("support.partial", lang),) if partial else (),
            empty=t("support.none", lang),
            explanations=(
                t("explain.support_active", lang),
                t("explain.support_rate", lang),
                t("explain.support_coverage", lang),
            ),
        )
    ]


# ---------------------------------------------------------------------- terminal


def _cell_text(cell: BCell) -> Text:
    style = _STYLES[cell.kind]
    if cell.shade is not None:
        step = _HEAT[min(len(_HEAT) - 1, int(cell.shade * len(_HEAT)))]
        style = f"{style} black on {step}".strip()
    return Text(cell.text, style=style)


def block_table(block: Block) -> Table:
    """One block as a Rich table (title above, caption below)."""
    table = Table(
        title=Text(block.title, style="bold"),
        caption=None if block.caption is None else Text(block.caption),
        caption_style="dim",
    )
    for i, title in enumerate(block.columns):
        left = i in block.left
        table.add_column(title, justify="left" if left else "right", no_wrap=i == 0)
    for row in block.rows:
        table.add_row(
            Text(row.label, style="bold" if row.total else ""),
            *(_cell_text(c) for c in row.cells),
        )
    return table


def _read_me(block: Block) -> Text:
    """Footnotes, then why numbers are missing (yellow), then one sentence per number."""
    text = Text()
    for line in block.footnotes:
        text.append(f"{line}\n")
    for line in block.notes:
        text.append(f"{line}\n", style="yellow")
    for line in block.explanations:
        text.append(f"• {line}\n", style="dim")
    return text


def render_blocks(blocks: Iterable[Block]) -> list[RenderableType]:
    """Each block as a table (or its title and "empty" line) followed by its notes."""
    parts: list[RenderableType] = []
    for block in blocks:
        if block.rows:
            parts.append(block_table(block))
        else:
            head = Text(f"{block.title}\n", style="bold")
            head.append(block.empty or "", style="yellow")
            parts.append(head)
        parts.append(_read_me(block))
    return parts


def risk_views(
    summary: RiskSummary,
    top: tuple[RiskRow, ...],
    lang: str,
    *,
    smap: SegmentMap | None = None,
) -> list[RenderableType]:
    """Risk levels, the reasons that fired and the riskiest customers, for the terminal."""
    return render_blocks(risk_blocks(summary, top, lang, smap=smap))


def backtest_views(bt: RiskBacktest, lang: str) -> list[RenderableType]:
    """The risk backtest (base churn, levels per horizon, reasons) for the terminal."""
    return render_blocks(backtest_blocks(bt, lang))


def cohort_views(table: CohortTable, lang: str, *, currency: str = "RUB") -> list[RenderableType]:
    """Retention triangle, LTV and the other cohort metrics for the terminal."""
    return render_blocks(cohort_blocks(table, lang, currency=currency))


def activation_views(
    summary: ActivationSummary, by_cohort: tuple[ActivationSummary, ...], lang: str
) -> list[RenderableType]:
    """Newcomer activation, in total and per first-purchase month, for the terminal."""
    return render_blocks(activation_blocks(summary, by_cohort, lang))


def nps_views(
    breakdown: NpsBreakdown, lang: str, *, smap: SegmentMap | None = None
) -> list[RenderableType]:
    """NPS per segment or cohort with intervals, for the terminal."""
    return render_blocks(nps_blocks(breakdown, lang, smap=smap))


def support_views(months: tuple[SupportMonth, ...], lang: str) -> list[RenderableType]:
    """Support load per month, for the terminal."""
    return render_blocks(support_blocks(months, lang))
