"""The quarterly report as a page (:mod:`livebase.reports.pages`): sales against the quarter
before, LTV 180 and churn 180 per first-purchase cohort (with a chart), the waves'
incremental orders, then alerts and every monitor (cannibalisation, the effect on
active customers, discount expectation)."""

from __future__ import annotations

import datetime as dt

from livebase.i18n import check_lang, format_date, format_money, format_percent, t
from livebase.metrics.cohorts import CohortMetric
from livebase.reports.base_views import BCell, Block, BRow, cohort_label
from livebase.reports.chart import Bar, Bars
from livebase.reports.monitor_views import monitor_sections
from livebase.reports.page_cells import count_cell, increment_block, money_cell, na, pct_cell
from livebase.reports.pages import Page, Section
from livebase.reports.period import quarter_label
from livebase.reports.quarterly import QuarterlyReport, Sales


def _change(now: Sales, before: Sales, attr: str) -> float | None:
    a, b = getattr(now, attr), getattr(before, attr)
    if a is None or b is None or not b:
        return None
    return float(a) / float(b) - 1


def _sales_block(r: QuarterlyReport, lang: str) -> Block:
    cur = r.currency
    none = t("quarterly.reason.no_previous", lang)

    def signed(x: float | None) -> BCell:
        if x is None:
            return na(lang, none)
        text = format_percent(x, lang)
        return BCell(("+" + text) if x > 0 else text, value=x, number_format="+0.0%;-0.0%")

    rows = (
        BRow(
            "orders",
            t("weekly.sales.orders", lang),
            (
                count_cell(r.sales.orders, lang),
                count_cell(r.previous.orders, lang),
                signed(_change(r.sales, r.previous, "orders")),
            ),
        ),
        BRow(
            "revenue",
            t("weekly.sales.revenue", lang),
            (
                money_cell(r.sales.revenue, cur, lang),
                money_cell(r.previous.revenue, cur, lang),
                signed(_change(r.sales, r.previous, "revenue")),
            ),
        ),
        BRow(
            "aov",
            t("weekly.sales.aov", lang),
            (
                money_cell(r.sales.aov, cur, lang, t("weekly.reason.no_orders", lang)),
                money_cell(r.previous.aov, cur, lang, t("weekly.reason.no_orders", lang)),
                signed(_change(r.sales, r.previous, "aov")),
            ),
        ),
    )
    return Block(
        "sales",
        t("quarterly.sales.title", lang),
        (
            t("weekly.col.metric", lang),
            quarter_label(r.start),
            quarter_label(r.previous.start),
            t("quarterly.col.change", lang),
        ),
        rows,
    )


def _metric_cell(m: CohortMetric, lang: str, currency: str | None) -> BCell:
    if m.value is None:
        return na(lang, t(f"reason.{m.reason or 'horizon_not_reached'}", lang))
    star = "*" if m.status == "partial" else ""
    cell = money_cell(m.value, currency, lang) if currency else pct_cell(float(m.value), lang)
    return BCell(
        cell.text + star, "partial" if star else "value", None, None, cell.value, cell.number_format
    )


def _cohort_block(r: QuarterlyReport, lang: str) -> Block:
    rows = tuple(
        BRow(
            c.cohort,
            cohort_label("first_purchase_month", c.cohort, lang),
            (
                count_cell(c.members, lang),
                _metric_cell(c.ltv_180, lang, r.currency),
                count_cell(c.ltv_180.members_reached, lang),
                _metric_cell(c.churn_180, lang, None),
            ),
        )
        for c in r.cohorts
    )
    chart = Bars(
        t("quarterly.cohorts.chart", lang),
        tuple(
            Bar(
                cohort_label("first_purchase_month", c.cohort, lang),
                float(c.ltv_180.value),
                format_money(c.ltv_180.value, r.currency, lang),
            )
            for c in r.cohorts
            if c.ltv_180.value is not None
        ),
    )
    as_of = format_date(r.as_of, lang) if r.as_of else t("value.not_available", lang)
    return Block(
        "cohorts",
        t("quarterly.cohorts.title", lang),
        (
            t("quarterly.col.cohort", lang),
            t("quarterly.col.members", lang),
            t("quarterly.col.ltv_180", lang),
            t("quarterly.col.reached", lang),
            t("quarterly.col.churn_180", lang),
        ),
        rows,
        caption=t("quarterly.cohorts.caption", lang, date=as_of),
        footnotes=(t("quarterly.cohorts.partial", lang),),
        explanations=(t("quarterly.cohorts.explain", lang),),
        empty=t("quarterly.cohorts.none", lang),
        chart=chart,
    )


def quarterly_page(r: QuarterlyReport, lang: str, *, school: str) -> Page:
    lang = check_lang(lang)
    period = t(
        "monitors.period",
        lang,
        start=format_date(r.start, lang),
        end=format_date(r.end - dt.timedelta(days=1), lang),
    )
    sections = (
        Section("sales", t("quarterly.section.sales", lang), (_sales_block(r, lang),)),
        Section("cohorts", t("quarterly.section.cohorts", lang), (_cohort_block(r, lang),)),
        Section(
            "increment",
            t("weekly.section.increment", lang),
            (increment_block(r.waves, None, lang, explain="quarterly.inc.explain"),),
        ),
        *monitor_sections(r.monitors, lang, r.currency),
    )
    return Page(
        "quarterly",
        lang,
        t("quarterly.title", lang, quarter=quarter_label(r.start), school=school),
        (
            (t("weekly.fact.school", lang), school),
            (t("quarterly.fact.quarter", lang), f"{quarter_label(r.start)}: {period}"),
        ),
        sections,
        legend=t("quarterly.legend", lang),
        meta={"start": r.start, "end": r.end},
    )
