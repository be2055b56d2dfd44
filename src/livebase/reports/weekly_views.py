"""The weekly report as a page (:mod:`livebase.reports.pages`): tier conversion with a
chart, sales and margin, the cost of touches, messages, and the waves' incremental
orders; every text in Russian or English, money as ``27 400 ₽``, dates ``DD.MM.YYYY``
(ISO in English)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from livebase.i18n import check_lang, format_date, format_money, format_number, format_percent, t
from livebase.reports.base_views import BCell, Block, BRow
from livebase.reports.chart import Bar, Bars
from livebase.reports.pages import Page, Section
from livebase.reports.period import WaveIncrement
from livebase.reports.weekly import ACTIVE, WeeklyReport

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


def tier_label(tier: str, lang: str) -> str:
    return t("weekly.tier.active", lang) if tier == ACTIVE else tier


def _tier_block(r: WeeklyReport, lang: str) -> Block:
    rows = tuple(
        BRow(
            x.tier,
            tier_label(x.tier, lang),
            (
                count_cell(x.customers, lang),
                count_cell(x.buyers, lang),
                pct_cell(x.rate, lang),
                BCell(interval_text(*x.interval, lang)) if x.interval else na(lang),
            ),
        )
        for x in r.tiers
    )
    chart = Bars(
        t("weekly.tiers.chart", lang),
        tuple(
            Bar(tier_label(x.tier, lang), x.rate, format_percent(x.rate, lang))
            for x in r.tiers
            if x.rate is not None
        ),
    )
    caption = (
        t("weekly.tiers.caption", lang, date=format_date(r.segments_as_of, lang))
        if r.segments_as_of
        else None
    )
    return Block(
        "tiers",
        t("weekly.tiers.title", lang),
        (
            t("weekly.col.tier", lang),
            t("weekly.col.customers", lang),
            t("weekly.col.buyers", lang),
            t("weekly.col.conversion", lang),
            t("weekly.col.ci", lang),
        ),
        rows,
        caption=caption,
        explanations=(t("weekly.tiers.explain", lang),),
        empty=t("weekly.tiers.none", lang),
        chart=chart,
    )


def _sales_block(r: WeeklyReport, lang: str) -> Block:
    cur = r.currency
    rows = (
        ("orders", count_cell(r.orders, lang)),
        ("revenue", money_cell(r.revenue, cur, lang)),
        ("aov", money_cell(r.aov, cur, lang, t("weekly.reason.no_orders", lang))),
        (
            "gross_margin",
            money_cell(r.gross_margin, cur, lang),
        ),
        ("cost", money_cell(r.cost_total, cur, lang)),
        ("contribution", money_cell(r.contribution, cur, lang)),
    )
    return Block(
        "sales",
        t("weekly.sales.title", lang),
        (t("weekly.col.metric", lang), t("weekly.col.value", lang)),
        tuple(BRow(k, t(f"weekly.sales.{k}", lang), (cell,)) for k, cell in rows),
        explanations=(
            t("weekly.sales.explain", lang, margin=format_percent(r.gross_margin_rate, lang)),
        ),
    )


def _cost_block(r: WeeklyReport, lang: str) -> Block:
    rows = tuple(
        BRow(
            c.channel or "-",
            c.channel or t("weekly.costs.no_channel", lang),
            (money_cell(c.amount, r.currency, lang),),
        )
        for c in r.costs
    )
    if rows:
        rows = (
            *rows,
            BRow(
                "total",
                t("weekly.total", lang),
                (money_cell(r.cost_total, r.currency, lang),),
                total=True,
            ),
        )
    return Block(
        "costs",
        t("weekly.costs.title", lang),
        (t("weekly.col.channel", lang), t("weekly.col.amount", lang)),
        rows,
        empty=t("weekly.costs.none", lang),
    )


def _messages_block(r: WeeklyReport, lang: str, limits: dict[str, float]) -> Block:
    m = r.messages
    nothing = t("weekly.reason.nothing_sent", lang)
    rows = (
        BRow("sent", t("weekly.msg.sent", lang), (count_cell(m.sent, lang), BCell("—", "na"))),
        BRow(
            "complaints",
            t("weekly.msg.complaints", lang),
            (count_cell(m.complaints, lang), pct_cell(m.complaint_rate, lang, nothing, 2)),
        ),
        BRow(
            "unsubscribes",
            t("weekly.msg.unsubscribes", lang),
            (count_cell(m.unsubscribes, lang), pct_cell(m.unsubscribe_rate, lang, nothing, 2)),
        ),
    )
    return Block(
        "messages",
        t("weekly.msg.title", lang),
        (t("weekly.col.metric", lang), t("weekly.col.count", lang), t("weekly.col.rate", lang)),
        rows,
        explanations=(
            t(
                "weekly.msg.explain",
                lang,
                complaints=format_percent(limits["complaints"], lang, 2),
                unsubscribes=format_percent(limits["unsubscribes"], lang, 2),
            ),
        ),
    )


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


def weekly_page(
    r: WeeklyReport,
    lang: str,
    *,
    school: str,
    limits: dict[str, float],
    alerts: tuple[Section, ...] = (),
) -> Page:
    """The page of ``r``; ``limits``: the complaint and unsubscribe thresholds (fractions,
    keys ``complaints`` and ``unsubscribes``); ``alerts``: sections added at the end."""
    lang = check_lang(lang)
    week = t(
        "weekly.week",
        lang,
        start=format_date(r.start, lang),
        end=format_date(r.end - dt.timedelta(days=1), lang),
    )
    missing = () if r.segments_as_of else (t("weekly.missing.segments", lang),)
    sections = (
        Section("tiers", t("weekly.section.tiers", lang), (_tier_block(r, lang),), missing=missing),
        Section(
            "sales",
            t("weekly.section.sales", lang),
            (_sales_block(r, lang), _cost_block(r, lang)),
        ),
        Section(
            "messages", t("weekly.section.messages", lang), (_messages_block(r, lang, limits),)
        ),
        Section(
            "increment",
            t("weekly.section.increment", lang),
            (increment_block(r.waves, r.incremental_orders, lang),),
        ),
        *alerts,
    )
    return Page(
        "weekly",
        lang,
        t("weekly.title", lang, school=school),
        ((t("weekly.fact.school", lang), school), (t("weekly.fact.week", lang), week)),
        sections,
        legend=t("weekly.legend", lang),
        meta={"start": r.start, "end": r.end},
    )
