"""The weekly report as a page (:mod:`livebase.reports.pages`): tier conversion with a
chart, sales and margin, the cost of touches, messages, and the waves' incremental
orders; every text in Russian or English, money as ``27 400 ₽``, dates ``DD.MM.YYYY``
(ISO in English)."""

from __future__ import annotations

import datetime as dt

from livebase.i18n import check_lang, format_date, format_percent, t
from livebase.reports.base_views import BCell, Block, BRow
from livebase.reports.chart import Bar, Bars
from livebase.reports.page_cells import (
    count_cell,
    increment_block,
    interval_text,
    money_cell,
    na,
    pct_cell,
)
from livebase.reports.pages import Page, Section
from livebase.reports.weekly import ACTIVE, WeeklyReport


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
