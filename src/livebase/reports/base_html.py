"""The base report as one self-contained HTML page.

Inline CSS only: no script, no external asset, nothing loaded, so the page can be mailed
or opened offline. Every text comes from the blocks of :mod:`livebase.reports.base_views`
(the terminal shows the same); the template escapes everything (customer ids and segment
names included). The cohort retention table is a heatmap: each cell's background is as
dark as its retention relative to the highest retention of the table; partial cells
carry a ``*`` and a dashed outline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from livebase.i18n import check_lang, format_date, t
from livebase.reports.base import BaseReport, MissingPart
from livebase.reports.base_views import (
    Block,
    activation_blocks,
    cohort_blocks,
    nps_blocks,
    risk_blocks,
    support_blocks,
)
from livebase.reports.chart import bars_layout
from livebase.reports.html import TEMPLATE_ENV


def heat_style(shade: float | None) -> str:
    """The inline background of a heatmap cell (``""`` for a cell without a value).

    >>> heat_style(1.0), heat_style(None)
    ('background: rgba(37, 99, 235, 0.70); color: #fff', '')
    >>> heat_style(0.0)
    'background: rgba(37, 99, 235, 0.06)'
    """
    if shade is None:
        return ""
    alpha = 0.06 + 0.64 * min(max(shade, 0.0), 1.0)
    ink = "; color: #fff" if alpha >= 0.45 else ""
    return f"background: rgba(37, 99, 235, {alpha:.2f}){ink}"


def _missing_text(m: MissingPart, report: BaseReport, lang: str) -> str:
    if m.code == "no_segments":
        return t("base.missing.no_segments", lang, date=report.as_of.isoformat())
    return t("base.missing.other", lang, message=m.message)


def _sections(report: BaseReport, lang: str) -> list[dict[str, Any]]:
    """Each part of the report: its key, title, blocks and why it (or part of it) is
    missing."""
    risk: list[Block] = []
    risk_notes: list[str] = []
    if report.risk is not None:
        risk = risk_blocks(report.risk, report.top_risks, lang)
        if report.risk_built:
            risk_notes.append(t("base.risk_built", lang))
    cohorts = (
        []
        if report.cohorts is None
        else cohort_blocks(report.cohorts, lang, currency=report.currency)
    )
    activation = (
        []
        if report.activation is None
        else activation_blocks(report.activation, report.activation_cohorts, lang)
    )
    nps = [] if report.nps is None else nps_blocks(report.nps, lang)
    support = [] if report.support is None else support_blocks(report.support, lang)
    parts = {
        "risk": (risk, risk_notes),
        "cohorts": (cohorts, []),
        "activation": (activation, []),
        "nps": (nps, []),
        "support": (support, []),
    }
    out = []
    for key, (blocks, notes) in parts.items():
        missing = [_missing_text(m, report, lang) for m in report.missing if m.part == key]
        out.append(
            {
                "key": key,
                "title": t(f"base.section.{key}", lang),
                "blocks": blocks,
                "notes": notes,
                "missing": missing,
            }
        )
    return out


def render_base_html(report: BaseReport, lang: str | None = None) -> str:
    """The base report as one self-contained HTML page in ``lang`` (default: the
    report's)."""
    lang = check_lang(lang or report.lang)
    date = format_date(report.as_of, lang)
    title = f"{t('base.title', lang, school=report.school)}, {t('base.as_of', lang, date=date)}"
    template = TEMPLATE_ENV.get_template("base.html")
    return template.render(
        lang=lang,
        title=title,
        facts=[(t("base.school", lang), report.school), (t("base.date", lang), date)],
        sections=_sections(report, lang),
        legend=t("base.legend", lang),
        bars_layout=bars_layout,
        heat_style=heat_style,
        t=lambda key, **kw: t(key, lang, **kw),
    )


def write_base_html(report: BaseReport, path: str | Path, lang: str | None = None) -> Path:
    """Write :func:`render_base_html` to ``path`` (UTF-8, parent folders created);
    returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_base_html(report, lang), encoding="utf-8")
    return target
