"""Formatted cells and blocks shared by the report pages (weekly, wave, quarterly, alerts):
a cell keeps its raw number and spreadsheet format beside its text, so the XLSX holds
numbers; a number that cannot be computed reads "not enough data" with its reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from livebase.i18n import format_date, format_money, format_number, format_percent, t
from livebase.reports.base_views import BCell, Block, BRow
from livebase.reports.period import WaveIncrement

PERCENT = "0.0%"
INTEGER = "#,##0"


def money_format(currency: str, lang: str) -> str:
    unit = "₽" if (currency.upper() == "RUB" and lang == "ru") else currency.upper()
    return f'#,##0.00 "{unit}"'


def na(lang: str, reason: str | None = None) -> BCell:
    return BCell(t("value.insufficient_short", lang), "insufficient", reason)


def count_cell(n: int | float, lang: str, digits: int = 0) -> BCell:
    return BCell(format_number(n, lang, digits), value=n, number_format=INTEGER)


def pct_cell(x: float | None, lang: str, reason: str | None = None, digits: int = 1) -> BCell:
    if x is None:
        return na(lang, reason)
    fmt = "0." + "0" * digits + "%" if digits else "0%"
    return BCell(format_percent(x, lang, digits), value=x, number_format=fmt)


def money_cell(x: Decimal | None, currency: str, lang: str, reason: str | None = None) -> BCell:
    if x is None:
        return na(lang, reason)
    return BCell(
        format_money(x, currency, lang), value=x, number_format=money_format(currency, lang)
    )


def interval_text(low: float, high: float, lang: str, *, percent: bool = True, digits=1) -> str:
    f = (
        (lambda v: format_percent(v, lang))
        if percent
        else (lambda v: format_number(v, lang, digits))
    )
    return f"[{f(low)}; {f(high)}]" if lang == "ru" else f"[{f(low)}, {f(high)}]"


def last_day(until: dt.datetime) -> dt.date:
    """The last day whose orders count before ``until`` (midnight → the day before)."""
    return (until - dt.timedelta(microseconds=1)).date()


def wave_increment_rows(waves: tuple[WaveIncrement, ...], lang: str) -> tuple[BRow, ...]:
    rows = []
    for w in waves:
        inc = w.increment
        reason = t(f"weekly.reason.{w.reason}", lang) if w.reason else None
        until = BCell(format_date(last_day(w.until), lang))
        if inc is None:
            cells = (until, *(na(lang, reason) for _ in range(5)))
        else:
            orders = (
                BCell(
                    format_number(inc.incremental_orders, lang, 1),
                    value=inc.incremental_orders,
                    number_format="0.0",
                )
                if inc.incremental_orders is not None
                else na(lang, reason)
            )
            ci = (
                BCell(interval_text(*inc.incremental_orders_ci, lang, percent=False))
                if inc.incremental_orders_ci
                else na(lang, reason)
            )
            cells = (
                until,
                count_cell(inc.n_test, lang),
                BCell(
                    format_number(inc.payers_test, lang)
                    + " / "
                    + format_number(inc.payers_control, lang)
                ),
                pct_cell(inc.rate_control, lang),
                orders,
                ci,
            )
        rows.append(BRow(w.wave.wave_id, w.wave.wave_id, cells))
    return tuple(rows)


def increment_block(
    waves: tuple[WaveIncrement, ...],
    total: float | None,
    lang: str,
    *,
    explain: str = "weekly.inc.explain",
) -> Block:
    rows = wave_increment_rows(waves, lang)
    if rows and total is not None:
        rows = (
            *rows,
            BRow(
                "total",
                t("weekly.total", lang),
                (
                    BCell(""),
                    BCell(""),
                    BCell(""),
                    BCell(""),
                    BCell(format_number(total, lang, 1), value=total, number_format="0.0"),
                    BCell("—", "na"),
                ),
                total=True,
            ),
        )
    return Block(
        "increment",
        t("weekly.inc.title", lang),
        (
            t("weekly.col.wave", lang),
            t("weekly.col.until", lang),
            t("weekly.col.contacted", lang),
            t("weekly.col.payers", lang),
            t("weekly.col.holdout_rate", lang),
            t("weekly.col.incremental", lang),
            t("weekly.col.ci95", lang),
        ),
        rows,
        left=(0,),
        explanations=(t(explain, lang),),
        empty=t("weekly.inc.none", lang),
    )
