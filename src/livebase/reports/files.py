"""The wave readout of a workspace, as the CLI and the demo produce it: the report built
with the workspace's settings, written as HTML and JSON next to each other."""

from __future__ import annotations

import json
from pathlib import Path

from livebase.playbooks.wave import planned_weights
from livebase.reports.html import write_html
from livebase.reports.wave import WaveReport, wave_report
from livebase.store.workspace import Workspace


def workspace_wave_report(
    ws: Workspace,
    wave_id: str,
    *,
    lang: str,
    window_days: int | None = None,
    alpha: float | None = None,
    adjust_across: str = "arms",
) -> WaveReport:
    """:func:`~livebase.reports.wave.wave_report` with the workspace's purchase rules,
    currency and ``[experiments]`` settings (alpha, power, gross margin)."""
    cfg = ws.config.experiments
    return wave_report(
        ws.con,
        wave_id,
        planned_weights=planned_weights(ws, wave_id),
        lang=lang,
        alpha=cfg.alpha if alpha is None else alpha,
        window_days=window_days,
        currency=ws.config.currency,
        rules=ws.config.purchase_rules,
        gross_margin=cfg.gross_margin,
        power=cfg.power,
        adjust_across=adjust_across,
    )


def write_wave_files(
    ws: Workspace,
    report: WaveReport,
    *,
    html: Path | None = None,
    json_path: Path | None = None,
) -> tuple[Path, Path]:
    """Write the report as HTML and JSON (default: ``reports/wave-<id>.html|json``)."""
    wave_id = report.wave.wave_id
    html_path = write_html(report, html or ws.reports_dir / f"wave-{wave_id}.html", report.lang)
    json_file = json_path or ws.reports_dir / f"wave-{wave_id}.json"
    json_file.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report.to_dict(), ensure_ascii=False, indent=1)
    json_file.write_text(text + "\n", encoding="utf-8")
    return html_path, json_file
