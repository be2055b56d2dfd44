"""Terminal summaries of each step (import, segments, plan), shared by the CLI and demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.table import Table

from livebase.i18n import format_date, format_money, format_number, format_percent, t
from livebase.ingest.pipeline import ImportResult
from livebase.playbooks.wave import WavePlan
from livebase.segments.build import SegmentRow
from livebase.segments.segment_map import SegmentMap, default_map


def print_import(console: Console, result: ImportResult, lang: str = "ru") -> None:
    name = Path(result.file).name
    if result.already_imported_as is not None:
        text = t("import.again", lang, file=name, import_id=result.already_imported_as)
        console.print(f"[yellow]{text}[/]")
        return
    color = "green" if result.rows_rejected == 0 else "yellow"
    text = t(
        "import.summary",
        lang,
        file=name,
        preset=result.preset,
        target=result.target,
        rows_in=format_number(result.rows_in, lang),
        loaded=format_number(result.rows_loaded, lang),
        rejected=format_number(result.rows_rejected, lang),
        new=format_number(result.rows_new, lang),
        updated=format_number(result.rows_updated, lang),
    )
    if result.merges:
        text += t("import.merged", lang, merges=format_number(result.merges, lang))
    console.print(f"[{color}]{text}[/]")


def print_segments(
    console: Console,
    rows: list[SegmentRow],
    day: dt.date,
    lang: str,
    *,
    smap: SegmentMap | None = None,
    version: str = "monetary",
) -> None:
    smap = smap or default_map()
    title = t("seg.title", lang, date=format_date(day, lang))
    if version != "monetary":
        title += f" ({t('seg.' + version, lang)})"
    table = Table(title=title)
    keys = (
        "seg.segment",
        "seg.customers",
        "seg.share",
        "seg.revenue_share",
        "seg.mean_r",
        "seg.mean_f",
        "seg.mean_m",
    )
    for key in keys:
        table.add_column(t(key, lang), justify="left" if key == "seg.segment" else "right")
    for r in rows:
        table.add_row(
            smap.label(r.segment, lang),
            format_number(r.customers, lang),
            format_percent(r.share, lang),
            format_percent(r.revenue_share, lang) if r.revenue_share is not None else "—",
            format_number(r.mean_recency, lang),
            format_number(r.mean_frequency, lang, digits=2),
            # behavioural M counts completed learning units, not money
            format_money(r.mean_monetary, "RUB", lang)
            if version == "monetary"
            else format_number(float(r.mean_monetary), lang, digits=1),
        )
    console.print(table)


def print_plan(console: Console, result: WavePlan, lang: str = "ru") -> None:
    arms = ", ".join(f"{arm} {format_number(n, lang)}" for arm, n in result.assigned.items())
    console.print(
        "[green]"
        + t(
            "plan.summary",
            lang,
            wave_id=result.wave_id,
            date=format_date(result.starts_on, lang),
            days=result.days,
            arms=arms,
        )
        + "[/]"
    )
    if result.excluded:
        reasons = ", ".join(f"{k} {format_number(v, lang)}" for k, v in result.excluded.items())
        console.print(t("plan.excluded", lang, reasons=reasons))
    if result.kept:
        console.print(t("plan.kept", lang, n=format_number(result.kept, lang)))
    if result.strata:
        console.print(t("plan.strata", lang, n=format_number(result.strata, lang)))
    base = result.baseline
    if base is not None and base.rate is not None:
        console.print(
            t(
                "plan.baseline",
                lang,
                tier=result.tier,
                rate=format_percent(base.rate, lang),
                converted=format_number(base.converted, lang),
                customers=format_number(base.customers, lang),
                since=format_date(base.since, lang),
                days=base.days,
            )
        )
    elif base is not None:
        reason = t(f"reason.{base.reason}", lang)
        console.print(
            f"[yellow]{t('plan.baseline_missing', lang, tier=result.tier, reason=reason)}[/]"
        )
    touches = result.touches
    if touches is not None:
        channels = ", ".join(
            f"{ch} {format_number(n, lang)}" for ch, n in touches.per_channel.items()
        )
        deadline = (
            f"{format_date(touches.deadline_local.date(), lang)} {touches.deadline_local:%H:%M}"
            if touches.deadline_local
            else "—"
        )
        console.print(
            t(
                "plan.playbook",
                lang,
                playbook=result.playbook,
                n=format_number(sum(touches.per_channel.values()), lang),
                channels=channels or "—",
                deadline=deadline,
            )
        )
        if touches.decisions:
            parts = ", ".join(
                f"{t(f'guard.{code}', lang)} ({t(f'action.{action}', lang)}) "
                f"{format_number(n, lang)}"
                for (code, action), n in sorted(touches.decisions.items())
            )
            console.print(f"[dim]{t('plan.decisions', lang, decisions=parts)}[/]")
    if result.power is not None:
        style = "yellow" if result.power.underpowered else "dim"
        for line in result.power.describe(lang).splitlines():
            console.print(f"[{style}]{line}[/]")
        if result.power.underpowered:
            console.print(f"[yellow bold]{t('plan.underpowered', lang)}[/]")


def print_top(console: Console, ws, day: dt.date, lang: str) -> None:
    from livebase.segments.build import top_summary

    top = top_summary(ws, day)
    revenue = "—" if top.revenue_share is None else format_percent(top.revenue_share, lang)
    console.print(
        t(
            "seg.top",
            lang,
            n=format_number(top.customers, lang),
            share=format_percent(top.share, lang),
            revenue=revenue,
        )
    )


def print_scale_notes(console: Console, ws, day: dt.date, version: str, lang: str) -> None:
    from livebase.segments.build import rfm_scale_notes

    for note in rfm_scale_notes(ws, day, version):
        if note.message:
            console.print(f"[yellow]{t('seg.scale_note', lang)}: {note.message}[/]")


def print_crosstab(console: Console, table_frame, lang: str) -> None:
    label = _labeller(None, lang)
    table = Table(title=t("seg.crosstab", lang))
    table.add_column(t("seg.crosstab_corner", lang))
    for col in table_frame.columns:
        table.add_column(label(col), justify="right")
    for idx, row in table_frame.iterrows():
        table.add_row(label(idx), *[format_number(int(v), lang) for v in row])
    console.print(table)


def _pct(x: float | None, lang: str) -> str:
    return "—" if x is None else format_percent(x, lang)


def print_thresholds(console: Console, rep, lang: str) -> None:
    """The evidence for the sleep window (``livebase thresholds``)."""
    console.print(f"[bold]{t('thr.title', lang, date=format_date(rep.as_of, lang))}[/]")
    if rep.status != "ok":
        console.print(f"[yellow]{t('status.insufficient_data', lang)}: {rep.reason}[/]")
    iv = rep.intervals
    if iv.median is not None:
        console.print(
            t(
                "thr.intervals",
                lang,
                n=format_number(iv.intervals, lang),
                median=format_number(iv.median, lang),
                p75=format_number(iv.p75, lang),
                p90=format_number(iv.p90, lang),
            )
        )
    if rep.suggested_window:
        lo, hi = rep.suggested_window
        console.print(
            t("thr.suggested", lang, lo=format_number(lo, lang), hi=format_number(hi, lang))
        )
    if rep.curve_sleep_day is not None:
        console.print(
            t(
                "thr.curve_day",
                lang,
                day=rep.curve_sleep_day,
                level=_pct(rep.natural_level, lang),
                bin=rep.bin_days,
            )
        )
    if rep.curve:
        curve = Table(title=t("thr.curve", lang, horizon=rep.horizon_days))
        for key in ("thr.day", "thr.silent", "thr.return_bin", "thr.return_horizon"):
            curve.add_column(
                t(key, lang, bin=rep.bin_days, horizon=rep.horizon_days), justify="right"
            )
        step = max(1, len(rep.curve) // 12)
        for point in rep.curve[::step]:
            curve.add_row(
                str(point.day),
                format_number(point.silent, lang),
                _pct(point.return_rate, lang),
                _pct(point.return_within_horizon, lang),
            )
        console.print(curve)
    if rep.backtest:
        table = Table(
            title=t("thr.backtest", lang, horizon=rep.horizon_days, cutoffs=len(rep.cutoffs))
        )
        for key in (
            "thr.window",
            "thr.flagged",
            "thr.precision",
            "thr.recall",
            "thr.f1",
            "thr.specificity",
            "thr.balanced",
        ):
            table.add_column(t(key, lang), justify="right")
        for row in rep.backtest:
            mark = " ◀" if row.window_days == rep.recommended_window else ""
            table.add_row(
                f"{row.window_days}{mark}",
                _pct(row.share_flagged, lang),
                _pct(row.precision, lang),
                _pct(row.recall, lang),
                _pct(row.f1, lang),
                _pct(row.specificity, lang),
                _pct(row.balanced_accuracy, lang),
            )
        console.print(table)
    if rep.recommended_window is not None:
        console.print("[green]" + t("thr.recommended", lang, days=rep.recommended_window) + "[/]")


def print_temperature(console: Console, rows, day: dt.date, lang: str) -> None:
    table = Table(title=t("temp.title", lang, date=format_date(day, lang)))
    for key in ("temp.tier", "temp.temperature", "seg.customers", "temp.share", "temp.incomplete"):
        table.add_column(t(key, lang), justify="left" if key.startswith("temp.t") else "right")
    for r in rows:
        table.add_row(
            r.sleep_tier,
            t(f"temp.{r.temperature}", lang),
            format_number(r.customers, lang),
            format_percent(r.share_of_tier, lang),
            format_number(r.incomplete, lang),
        )
    console.print(table)


def _labeller(smap: SegmentMap | None, lang: str):
    smap = smap or default_map()

    def label(seg: str) -> str:
        # "new" and "gone" are the migration matrix's own row and column
        return t(f"move.{seg}", lang) if seg in ("new", "gone") else smap.label(seg, lang)

    return label


def print_history(console: Console, sizes, lang: str, *, smap: SegmentMap | None = None):
    """Segment shares of the base and of revenue at each snapshot."""
    label = _labeller(smap, lang)
    dates = sorted(sizes.as_of.unique())
    for key, column in (("move.share_title", "share"), ("move.revenue_title", "revenue_share")):
        table = Table(title=t(key, lang))
        table.add_column(t("seg.segment", lang))
        for d in dates:
            table.add_column(format_date(d, lang), justify="right")
        for seg, rows in sizes.groupby("segment", sort=False):
            by_date = dict(zip(rows.as_of, rows[column], strict=True))
            cells = [
                "—"
                if by_date.get(d) is None or by_date[d] != by_date[d]
                else format_percent(float(by_date[d]), lang, digits=0)
                for d in dates
            ]
            table.add_row(label(seg), *cells)
        console.print(table)


def print_migration(console: Console, m, lang: str) -> None:
    label = _labeller(None, lang)
    table = Table(
        title=t(
            "move.matrix",
            lang,
            start=format_date(m.from_date, lang),
            end=format_date(m.to_date, lang),
        )
    )
    table.add_column(t("move.corner", lang))
    for col in m.counts.columns:
        table.add_column(label(col), justify="right")
    for idx, row in m.counts.iterrows():
        table.add_row(label(idx), *[format_number(int(v), lang) for v in row])
    console.print(table)


def print_retention(console: Console, rows, lang: str) -> None:
    table = Table(title=t("move.retention", lang))
    for key in ("move.horizon", "move.cohort", "move.still", "move.bought"):
        table.add_column(t(key, lang), justify="right")
    for r in rows:
        still = (
            format_percent(r.still_in_segment_share, lang)
            if r.still_in_segment_share is not None
            else f"{t('status.insufficient_data', lang)}: {r.snapshot_reason}"
        )
        bought = (
            format_percent(r.bought_again_share, lang)
            if r.bought_again_share is not None
            else f"{t('status.insufficient_data', lang)}: {r.purchase_reason}"
        )
        table.add_row(str(r.horizon_months), format_number(r.cohort, lang), still, bought)
    console.print(table)
