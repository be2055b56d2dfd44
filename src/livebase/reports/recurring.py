"""The recurring reports of a workspace (SPEC F5.6): build a report's page with the
workspace's settings and write it as HTML and XLSX; the CLI (``livebase report``) and the
demo call this.

Kinds: ``weekly`` (the week of a day), ``wave`` (one wave), ``quarterly`` (the quarter
of a day) and ``alerts`` (the monitors of the 90 days up to a day). The weekly, wave and
quarterly pages end with the alerts and the monitors of their period (the wave's: its own
monitors and the base's over its window). File names:
``<kind>-report-<first day>-<lang>.html`` and ``.xlsx`` (``wave-report-<wave id>-<lang>``) in the
workspace's ``reports/`` folder (or the given folder).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from livebase.errors import InputError
from livebase.i18n import check_lang
from livebase.monitors import BASE, run_monitors
from livebase.reports.monitor_views import alerts_page, monitor_sections
from livebase.reports.pages import Page, page_files
from livebase.store.workspace import Workspace

KINDS = ("weekly", "wave", "quarterly", "alerts")
ALERT_DAYS = 90  # the alerts report looks at the 90 days up to its day


def build_page(
    ws: Workspace, kind: str, *, day: dt.date, lang: str, wave_id: str | None = None
) -> Page:
    """The page of report ``kind`` for the period containing ``day`` (``wave``: of wave
    ``wave_id``), in ``lang``."""
    lang = check_lang(lang)
    if kind == "wave":
        from livebase.reports.wave_review import wave_review
        from livebase.reports.wave_review_views import wave_review_page

        if not wave_id:
            raise InputError("report wave needs a wave id: livebase report wave W-…")
        review = wave_review(ws, wave_id, lang=lang)
        start, end = review.readout.window_start, review.readout.window_end
        results = [
            r
            for r in run_monitors(ws, start=start, end=end + dt.timedelta(days=1))
            if r.scope in (wave_id, BASE)
        ]
        return wave_review_page(
            review,
            lang,
            school=ws.config.school,
            extra=monitor_sections(results, lang, ws.config.currency),
        )
    if kind == "quarterly":
        from livebase.reports.quarterly import quarterly_report
        from livebase.reports.quarterly_views import quarterly_page

        return quarterly_page(quarterly_report(ws, day), lang, school=ws.config.school)
    if kind == "alerts":
        end = day + dt.timedelta(days=1)
        return alerts_page(ws, end - dt.timedelta(days=ALERT_DAYS), end, lang)
    if kind == "weekly":
        from livebase.reports.weekly import weekly_report
        from livebase.reports.weekly_views import weekly_page

        g = ws.config.monitors
        week = weekly_report(ws, day)
        return weekly_page(
            week,
            lang,
            school=ws.config.school,
            limits={"complaints": g.complaint_rate, "unsubscribes": g.unsubscribe_rate},
            alerts=monitor_sections(
                run_monitors(ws, start=week.start, end=week.end), lang, ws.config.currency
            ),
        )
    raise InputError(f"unknown report {kind!r} (one of base, {', '.join(KINDS)})")


def write_report(
    ws: Workspace,
    kind: str,
    *,
    day: dt.date,
    lang: str,
    folder: Path | None = None,
    wave_id: str | None = None,
) -> tuple[Page, Path, Path]:
    """Build the page and write ``<kind>-report-<period start or wave id>-<lang>.html`` and
    ``.xlsx``."""
    page = build_page(ws, kind, day=day, lang=lang, wave_id=wave_id)
    tag = page.meta.get("wave_id") or page.meta.get("start", day).isoformat()
    html, xlsx = page_files(page, folder or ws.reports_dir, f"{kind}-report-{tag}-{lang}")
    return page, html, xlsx
