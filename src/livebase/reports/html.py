"""HTML rendering of the wave readout: one self-contained page.

The page has inline CSS and an inline SVG chart drawn by the Jinja2 template itself; it
loads nothing (no CDN, no script, no external asset), so it can be mailed or opened
offline. Python only prepares formatted cells and the chart's scale. It shows the same
tables as the terminal (:func:`livebase.reports.terminal.render_tables`): the arm table,
the A/A line, then money, incremental economics, NPS and the long horizon, each with its
notes on missing numbers and one sentence per number.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import jinja2

from livebase.i18n import check_lang, format_date, format_level, format_percent, t
from livebase.reports.cells import (
    aa_line,
    arm_cells,
    arm_explanations,
    column_titles,
    report_sections,
    srm_rows,
    srm_text,
    window_text,
)
from livebase.reports.wave import WaveReport, arm_verdict

TEMPLATES = Path(__file__).parent / "templates"

# the templates of every report page (page.html is the layout they extend)
TEMPLATE_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

# chart geometry in SVG user units
_LEFT, _WIDTH, _RIGHT, _TOP, _ROW, _BOTTOM = 160, 480, 90, 12, 34, 34


def nice_axis(maximum: float, *, target_ticks: int = 5) -> tuple[float, list[float]]:
    """A rounded axis end and evenly spaced ticks covering ``[0, maximum]``.

    Steps are 1, 2, 2.5 or 5 times a power of ten.

    >>> nice_axis(0.0448)
    (0.05, [0.0, 0.01, 0.02, 0.03, 0.04, 0.05])
    >>> nice_axis(0.37)[0]
    0.4
    """
    maximum = max(maximum, 1e-6)
    raw = maximum / target_ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw - 1e-12)
    count = math.ceil(maximum / step - 1e-9)
    ticks = [round(i * step, 12) for i in range(count + 1)]
    return ticks[-1], ticks


def _tick_digits(ticks: list[float]) -> int:
    """Decimals needed to print every tick as a percent."""
    for digits in range(4):
        if all(abs(round(v * 100, digits) - v * 100) < 1e-9 for v in ticks):
            return digits
    return 4


def _chart(report: WaveReport, lang: str) -> dict[str, Any] | None:
    arms = report.readout.arms
    highs = [arm.rate_ci[1] for arm in arms if arm.rate_ci is not None]
    if not highs:
        return None
    xmax, ticks = nice_axis(max(highs))
    digits = _tick_digits(ticks)
    control = next((a for a in arms if a.is_control and a.rate is not None), None)
    return {
        "left": _LEFT,
        "width": _WIDTH,
        "top": _TOP,
        "row": _ROW,
        "view_width": _LEFT + _WIDTH + _RIGHT,
        "view_height": _TOP + _ROW * len(arms) + _BOTTOM,
        "xmax": xmax,
        "ticks": [{"value": v, "label": format_percent(v, lang, digits)} for v in ticks],
        "control_rate": None if control is None else control.rate,
        "rows": [
            {
                "arm": arm.arm,
                "is_control": arm.is_control,
                "rate": arm.rate,
                "low": None if arm.rate_ci is None else arm.rate_ci[0],
                "high": None if arm.rate_ci is None else arm.rate_ci[1],
                "label": "" if arm.rate is None else format_percent(arm.rate, lang),
            }
            for arm in arms
        ],
        "title": t("report.chart", lang, level=format_level(report.readout.alpha, lang)),
    }


def _context(report: WaveReport, lang: str) -> dict[str, Any]:
    res = report.readout
    wave = report.wave
    none = t("value.not_available", lang)
    return {
        "lang": lang,
        "title": t("report.title", lang, wave_id=wave.wave_id),
        "facts": [
            (t("report.wave", lang), wave.wave_id),
            (t("report.playbook", lang), wave.playbook or none),
            (t("report.segment", lang), wave.segment or none),
            (t("report.starts_on", lang), format_date(wave.starts_on, lang)),
            (t("report.days", lang), none if wave.days is None else str(wave.days)),
            (t("report.window", lang), window_text(report, lang)),
            (t("report.control", lang), res.control),
        ],
        "columns": column_titles(lang, res.alpha),
        "rows": [arm_cells(arm, lang, report.currency) for arm in res.arms],
        "verdicts": [arm_verdict(arm, lang, alpha=res.alpha) for arm in res.arms],
        "srm": res.srm,
        "srm_text": srm_text(res.srm, lang),
        "srm_rows": [] if res.srm is None else srm_rows(res.srm, lang),
        "chart": _chart(report, lang),
        "explanations": arm_explanations(report, lang),
        "aa": aa_line(res, lang),
        "sections": report_sections(report, lang),
    }


def render_html(report: WaveReport, lang: str | None = None) -> str:
    """The report as one self-contained HTML page in ``lang`` (default: the report's)."""
    lang = check_lang(lang or report.lang)
    template = TEMPLATE_ENV.get_template("wave.html")
    return template.render(**_context(report, lang), t=lambda key, **kw: t(key, lang, **kw))


def write_html(report: WaveReport, path: str | Path, lang: str | None = None) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(report, lang), encoding="utf-8")
    return target
