"""The per-wave report as a page (:mod:`livebase.reports.pages`): the verdict per arm, money
and margin, the whole wave against its holdout, channels and offers (attribution next to
the holdout's increment), refunds and upsells, costs, and the wave's monitors."""

from __future__ import annotations

from collections.abc import Sequence

from livebase.attribution import MODELS
from livebase.i18n import check_lang, format_date, format_money, format_number, format_percent, t
from livebase.reports.base_views import BCell, Block, BRow
from livebase.reports.cells import Cell, arm_cells, column_titles, report_sections, window_text
from livebase.reports.cells import Section as CellSection
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
from livebase.reports.wave import arm_verdict
from livebase.reports.wave_review import WaveReview


def _bcell(c: Cell) -> BCell:
    return BCell(c.text, c.kind, c.reason)


def _block_of(section: CellSection, lang: str) -> Block:
    # the readout's sections title their value columns only; the arm is the row label
    return Block(
        section.key,
        section.title,
        (t("wave_review.col.arm", lang), *section.columns),
        tuple(BRow(r.arm, r.arm, tuple(_bcell(c) for c in r.cells)) for r in section.rows),
        caption=section.caption,
        notes=section.notes,
        explanations=section.explanations,
    )


def _arms_block(review: WaveReview, lang: str) -> Block:
    rep = review.readout
    res = rep.readout
    rows = tuple(
        BRow(arm.arm, arm.arm, tuple(_bcell(c) for c in arm_cells(arm, lang, rep.currency).cells()))
        for arm in res.arms
    )
    chart = Bars(
        t("wave_review.arms.chart", lang),
        tuple(
            Bar(arm.arm, arm.rate, format_percent(arm.rate, lang))
            for arm in res.arms
            if arm.rate is not None
        ),
    )
    return Block(
        "arms",
        t("wave_review.arms.title", lang),
        (t("wave_review.col.arm", lang), *column_titles(lang, res.alpha)),
        rows,
        caption=window_text(rep, lang),
        explanations=tuple(arm_verdict(arm, lang, alpha=res.alpha) for arm in res.arms),
        chart=chart,
    )


def _attributed_block(review: WaveReview, lang: str) -> Block:
    cur = review.currency
    a = review.attribution
    inc = review.incremental_revenue
    ratio = review.over_credit
    rows = (
        BRow(
            "paid",
            t("wave_review.attr.paid", lang),
            (count_cell(a.orders_paid, lang), money_cell(a.revenue_paid, cur, lang)),
        ),
        BRow(
            "attributed",
            t("wave_review.attr.attributed", lang),
            (count_cell(a.orders_attributed, lang), money_cell(a.revenue_attributed, cur, lang)),
        ),
        BRow(
            "incremental",
            t("wave_review.attr.incremental", lang),
            (
                BCell(format_number(review.whole.increment.incremental_orders, lang, 1))
                if review.whole.increment and review.whole.increment.incremental_orders is not None
                else na(lang),
                money_cell(inc, cur, lang, t("wave_review.reason.no_increment", lang)),
            ),
        ),
        BRow(
            "ratio",
            t("wave_review.attr.ratio", lang),
            (
                BCell("—", "na"),
                BCell(f"{format_number(ratio, lang, 2)}×", value=ratio, number_format="0.00")
                if ratio is not None
                else na(lang, t("wave_review.reason.no_ratio", lang)),
            ),
        ),
    )
    return Block(
        "attributed",
        t("wave_review.attr.title", lang),
        (
            t("weekly.col.metric", lang),
            t("wave_review.col.orders", lang),
            t("wave_review.col.revenue", lang),
        ),
        rows,
        explanations=(t("wave_review.attr.explain", lang, days=a.window_days),),
    )


def _channels_block(review: WaveReview, lang: str) -> Block:
    a = review.attribution
    channels = sorted({c.channel for c in a.credits})
    by = {(c.model, c.channel): c for c in a.credits}
    rows = []
    for ch in channels:
        cells = []
        for model in MODELS:
            c = by.get((model, ch))
            cells.append(
                money_cell(c.revenue, review.currency, lang) if c is not None else na(lang)
            )
        assisted = next((x for x in a.assisted if x.channel == ch), None)
        cells.append(pct_cell(assisted.share_of_paid if assisted else None, lang))
        rows.append(BRow(ch, ch, tuple(cells)))
    chart = Bars(
        t("wave_review.channels.chart", lang),
        tuple(
            Bar(c.channel, float(c.revenue), format_money(c.revenue, review.currency, lang))
            for c in a.by_model("position_based")
        ),
    )
    views = ", ".join(a.view_through) if a.view_through else t("wave_review.none", lang)
    return Block(
        "channels",
        t("wave_review.channels.title", lang),
        (
            t("weekly.col.channel", lang),
            *(t(f"attribution.model.{m}", lang) for m in MODELS),
            t("wave_review.col.assisted", lang),
        ),
        tuple(rows),
        explanations=(t("wave_review.channels.explain", lang, views=views),),
        empty=t("wave_review.channels.none", lang),
        chart=chart,
    )


def _offers_block(review: WaveReview, lang: str) -> Block:
    rows = tuple(
        BRow(
            f"{ch}:{offer or '-'}",
            ch,
            (
                BCell(offer or t("wave_review.no_offer", lang)),
                BCell(format_number(orders, lang, 1), value=orders, number_format="0.0"),
                money_cell(revenue, review.currency, lang),
            ),
        )
        for ch, offer, orders, revenue in review.offers
    )
    return Block(
        "offers",
        t("wave_review.offers.title", lang),
        (
            t("weekly.col.channel", lang),
            t("wave_review.col.offer", lang),
            t("wave_review.col.orders", lang),
            t("wave_review.col.revenue", lang),
        ),
        rows,
        left=(0, 1),
        explanations=(t("wave_review.offers.explain", lang),),
        empty=t("wave_review.channels.none", lang),
    )


def _extras_block(review: WaveReview, lang: str) -> Block:
    cur = review.currency
    rows = tuple(
        BRow(
            x.arm,
            x.arm,
            (
                count_cell(x.payers, lang),
                count_cell(x.purchases, lang),
                count_cell(x.refunds, lang),
                pct_cell(x.refund_rate, lang, t("wave_review.reason.no_purchases", lang)),
                money_cell(x.refunded_amount, cur, lang),
                count_cell(x.upsell_buyers, lang),
                pct_cell(x.upsell_share, lang, t("wave_review.reason.no_purchases", lang)),
                money_cell(x.upsell_revenue, cur, lang),
            ),
        )
        for x in review.extras
    )
    return Block(
        "extras",
        t("wave_review.extras.title", lang),
        (
            t("wave_review.col.arm", lang),
            t("wave_review.col.payers", lang),
            t("wave_review.col.purchases", lang),
            t("wave_review.col.refunds", lang),
            t("wave_review.col.refund_rate", lang),
            t("wave_review.col.refunded", lang),
            t("wave_review.col.upsell_buyers", lang),
            t("wave_review.col.upsell_share", lang),
            t("wave_review.col.upsell_revenue", lang),
        ),
        rows,
        explanations=(t("wave_review.extras.explain", lang),),
    )


def _costs_block(review: WaveReview, lang: str) -> Block:
    rows = tuple(
        BRow(
            ch or "-",
            ch or t("weekly.costs.no_channel", lang),
            (money_cell(v, review.currency, lang),),
        )
        for ch, v in review.costs
    )
    return Block(
        "costs",
        t("wave_review.costs.title", lang),
        (t("weekly.col.channel", lang), t("weekly.col.amount", lang)),
        rows,
        empty=t("weekly.costs.none", lang),
    )


def _summary_block(review: WaveReview, lang: str) -> Block:
    cur = review.currency
    inc = review.whole.increment
    gm = inc.gross_margin if inc else None
    orders = (
        BCell(
            format_number(inc.incremental_orders, lang, 1)
            + " "
            + interval_text(*inc.incremental_orders_ci, lang, percent=False),
            value=inc.incremental_orders,
            number_format="0.0",
        )
        if inc and inc.incremental_orders is not None and inc.incremental_orders_ci
        else na(lang, t("wave_review.reason.no_increment", lang))
    )
    margin = review.margin_after_costs
    rows = (
        BRow("orders", t("wave_review.sum.orders", lang), (orders,)),
        BRow(
            "revenue",
            t("wave_review.sum.revenue", lang),
            (money_cell(review.incremental_revenue, cur, lang),),
        ),
        BRow(
            "costs", t("wave_review.sum.costs", lang), (money_cell(review.cost_total, cur, lang),)
        ),
        BRow(
            "margin",
            t("wave_review.sum.margin", lang, gm=format_percent(gm, lang) if gm else "—"),
            (money_cell(margin, cur, lang, t("wave_review.reason.no_increment", lang)),),
        ),
    )
    return Block(
        "summary",
        t("wave_review.sum.title", lang),
        (t("weekly.col.metric", lang), t("weekly.col.value", lang)),
        rows,
        caption=t(f"wave_review.decision.{review.decision}", lang),
        explanations=(t("wave_review.sum.explain", lang),),
    )


def wave_review_page(
    review: WaveReview, lang: str, *, school: str, extra: Sequence[Section] = ()
) -> Page:
    """The page of ``review`` in ``lang``; ``extra``: sections added at the end (monitors)."""
    lang = check_lang(lang)
    rep = review.readout
    wave = rep.wave
    none = t("value.not_available", lang)
    sections = [
        Section("summary", t("wave_review.section.summary", lang), (_summary_block(review, lang),)),
        Section("verdict", t("wave_review.section.verdict", lang), (_arms_block(review, lang),)),
        Section(
            "money",
            t("wave_review.section.money", lang),
            tuple(_block_of(s, lang) for s in report_sections(rep, lang)),
        ),
        Section(
            "whole",
            t("wave_review.section.whole", lang),
            (increment_block((review.whole,), None, lang, explain="wave_review.whole.explain"),),
        ),
        Section(
            "channels",
            t("wave_review.section.channels", lang),
            (
                _attributed_block(review, lang),
                _channels_block(review, lang),
                _offers_block(review, lang),
            ),
        ),
        Section(
            "extras",
            t("wave_review.section.extras", lang),
            (_extras_block(review, lang), _costs_block(review, lang)),
        ),
        *extra,
    ]
    return Page(
        "wave",
        lang,
        t("wave_review.title", lang, wave_id=wave.wave_id, school=school),
        (
            (t("report.wave", lang), wave.wave_id),
            (t("report.playbook", lang), wave.playbook or none),
            (t("report.segment", lang), wave.segment or none),
            (t("report.starts_on", lang), format_date(wave.starts_on, lang)),
            (t("report.window", lang), window_text(rep, lang)),
        ),
        tuple(sections),
        legend=t("wave_review.legend", lang),
        meta={"start": wave.starts_on, "wave_id": wave.wave_id},
    )
