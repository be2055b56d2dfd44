"""Reports: one function per report returning plain data, and renderers (HTML, terminal).

The wave readout: ``wave_report(con, wave_id)`` → :class:`WaveReport`, then
``render_html`` / ``write_html`` for a self-contained page or ``render_table`` for the CLI.
"""

from livebase.reports.html import render_html, write_html
from livebase.reports.terminal import render_table
from livebase.reports.wave import WaveReport, arm_verdict, make_wave_report, wave_report

__all__ = [
    "WaveReport",
    "arm_verdict",
    "make_wave_report",
    "render_html",
    "render_table",
    "wave_report",
    "write_html",
]
