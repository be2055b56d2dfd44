"""Monitors and alerts as page sections (SPEC F5.5, F5.6): every monitor with its value,
threshold, interval and status, and the alerts — each monitor past its threshold with the
numbers behind it. The weekly, wave and quarterly pages end with these sections and
``livebase report alerts`` shows them alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from livebase.i18n import (
    check_lang,
    format_date,
    format_money,
    format_number,
    format_percent,
    t,
)
from livebase.monitors import ALERT, BASE, MonitorResult, alerts, run_monitors
from livebase.reports.base_views import BCell, Block, BRow
from livebase.reports.page_cells import na
from livebase.reports.pages import Page, Section
from livebase.store.workspace import Workspace

# the relative AOV change is signed; every other monitor is a share
SIGNED = {"active_aov"}


def _value_text(r: MonitorResult, value: float, lang: str) -> str:
    text = format_percent(value, lang, 2)
    if r.key in SIGNED and value > 0:
        text = "+" + text
    return text


def _threshold_text(r: MonitorResult, lang: str) -> str:
    text = format_percent(r.threshold, lang, 2)
    return f"±{text}" if r.key in SIGNED else text


def _scope(r: MonitorResult, lang: str) -> str:
    return t("monitor.base", lang) if r.scope == BASE else r.scope


def _plain(x: float, lang: str) -> str:
    return format_number(x, lang, 0 if float(x).is_integer() else 2)


def _detail_value(key: str, value: object, lang: str, currency: str) -> str:
    if isinstance(value, str):
        try:
            return format_date(dt.date.fromisoformat(value), lang)
        except ValueError:
            return value
    if key.startswith("aov_") and isinstance(value, int | float):
        return format_money(Decimal(str(round(value, 2))), currency, lang)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return _plain(value, lang)


def _numbers(r: MonitorResult, lang: str, currency: str = "RUB") -> str:
    """The numbers behind a monitor, as one sentence of ``monitor.numbers.<key>`` filled
    from its detail; without the detail it needs (an insufficient result), the fraction."""
    values = {k: _detail_value(k, v, lang, currency) for k, v in r.detail.items()}
    try:
        return t(f"monitor.numbers.{r.key}", lang, **values)
    except KeyError:
        if r.numerator is not None and r.denominator is not None:
            return f"{_plain(r.numerator, lang)} / {_plain(r.denominator, lang)}"
        return "—"


def monitor_rows(
    results: Sequence[MonitorResult], lang: str, currency: str = "RUB"
) -> tuple[BRow, ...]:
    rows = []
    for r in results:
        reason = t(f"monitor.reason.{r.reason}", lang) if r.reason else None
        status = t(f"monitor.status.{r.status}", lang)
        rows.append(
            BRow(
                f"{r.scope}:{r.key}",
                t(f"monitor.{r.key}", lang),
                (
                    BCell(_scope(r, lang)),
                    BCell(_value_text(r, r.value, lang), value=r.value, number_format="0.00%")
                    if r.value is not None
                    else na(lang, reason),
                    BCell(_threshold_text(r, lang), value=r.threshold, number_format="0.00%"),
                    BCell(
                        f"[{_value_text(r, r.interval[0], lang)}; "
                        f"{_value_text(r, r.interval[1], lang)}]"
                    )
                    if r.interval
                    else BCell("—", "na"),
                    BCell(status, "insufficient" if r.value is None else "value", reason),
                    BCell(_numbers(r, lang, currency), "list"),
                ),
            )
        )
    return tuple(rows)


def _columns(lang: str) -> tuple[str, ...]:
    return (
        t("monitors.col.monitor", lang),
        t("monitors.col.scope", lang),
        t("monitors.col.value", lang),
        t("monitors.col.threshold", lang),
        t("monitors.col.ci", lang),
        t("monitors.col.status", lang),
        t("monitors.col.numbers", lang),
    )


def _explanations(results: Sequence[MonitorResult], lang: str) -> tuple[str, ...]:
    seen: dict[str, MonitorResult] = {}
    for r in results:
        seen.setdefault(r.key, r)
    return tuple(
        f"{t(f'monitor.{k}', lang)}: "
        + t(f"monitor.{k}.explain", lang, threshold=_threshold_text(r, lang))
        for k, r in seen.items()
    )


def monitor_sections(
    results: Sequence[MonitorResult], lang: str, currency: str = "RUB"
) -> tuple[Section, ...]:
    """The alerts section (first: what needs attention) and the monitors section."""
    firing = alerts(results)
    alert_block = Block(
        "alerts",
        t("monitors.alerts.title", lang),
        _columns(lang),
        monitor_rows(firing, lang, currency),
        left=(0, 1, 6),
        empty=t("monitors.alerts.none", lang),
    )
    all_block = Block(
        "monitors",
        t("monitors.all.title", lang),
        _columns(lang),
        monitor_rows(results, lang, currency),
        left=(0, 1, 6),
        explanations=_explanations(results, lang),
        empty=t("monitors.all.none", lang),
    )
    return (
        Section("alerts", t("monitors.section.alerts", lang), (alert_block,)),
        Section("monitors", t("monitors.section.monitors", lang), (all_block,)),
    )


def workspace_monitor_sections(
    ws: Workspace, start: dt.date, end: dt.date, lang: str
) -> tuple[Section, ...]:
    return monitor_sections(run_monitors(ws, start=start, end=end), lang, ws.config.currency)


def alerts_page(ws: Workspace, start: dt.date, end: dt.date, lang: str) -> Page:
    """``livebase report alerts``: every monitor of ``[start, end)``, alerts first."""
    lang = check_lang(lang)
    results = run_monitors(ws, start=start, end=end)
    period = t(
        "monitors.period",
        lang,
        start=format_date(start, lang),
        end=format_date(end - dt.timedelta(days=1), lang),
    )
    n = sum(r.status == ALERT for r in results)
    return Page(
        "alerts",
        lang,
        t("monitors.title", lang, school=ws.config.school),
        (
            (t("weekly.fact.school", lang), ws.config.school),
            (t("monitors.fact.period", lang), period),
            (t("monitors.fact.alerts", lang), format_number(n, lang)),
        ),
        monitor_sections(results, lang, ws.config.currency),
        legend=t("monitors.legend", lang),
        meta={"start": start, "end": end},
    )
