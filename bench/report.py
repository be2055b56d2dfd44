"""What both benchmarks report the same way: the log line, the machine, number formats."""

from __future__ import annotations

import math
import os
import platform
import statistics
import sys
from datetime import datetime


def log(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def machine() -> dict:
    mem = cpu = ""
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "memory": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "load_average": os.getloadavg(),
    }


def fmt_s(x: float | None) -> str:
    return "—" if x is None else f"{x:,.2f}"


def fmt_mib(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


# ---- a log-log line plot as a hand-written SVG (no plotting dependency) ---------------
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def _decades(lo: float, hi: float) -> tuple[int, int]:
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    return a, max(b, a + 1)


def _tick(x: float) -> str:
    """An axis label: ``1e6`` → ``1M``.

    >>> _tick(1e6), _tick(1e8), _tick(0.1), _tick(100.0), _tick(1e3)
    ('1M', '100M', '0.1', '100', '1k')
    """
    for scale, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if x >= scale:
            return f"{x / scale:g}{unit}"
    return f"{x:g}"


def loglog_svg(
    panels: list[dict],
    *,
    title: str,
    note: str = "",
    dashed: tuple[str, ...] = (),
    width: int = 460,
    height: int = 340,
) -> str:
    """Side-by-side log-log panels, one line per series, as an SVG document.

    A panel is ``{"title", "x_label", "y_label", "series": {name: [(x, y, ok), ...]}}``;
    points with ``ok`` false (a run stopped before the end: its figure is a lower bound)
    are drawn as crosses and not joined to the line. A series keeps its colour in every
    panel (the order of first appearance); one legend under the panels names them all.
    Series named in ``dashed`` (e.g. the parts of a whole) are drawn dashed.
    """
    left, right, top, bottom = 64, 16, 52, 50
    names = list(dict.fromkeys(name for p in panels for name in p["series"]))
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    legend_h = 18 * math.ceil(len(names) / len(panels)) + 10
    total_w = width * len(panels)
    total_h = height + legend_h + 24
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" '
        f'viewBox="0 0 {total_w} {total_h}" font-family="sans-serif" font-size="12">',
        f'<rect width="{total_w}" height="{total_h}" fill="white"/>',
        f'<text x="{total_w / 2}" y="20" text-anchor="middle" font-size="15" '
        f'font-weight="bold">{_esc(title)}</text>',
    ]
    for k, panel in enumerate(panels):
        x0 = k * width
        pts = [(x, y) for s in panel["series"].values() for x, y, _ in s if x > 0 and y > 0]
        if not pts:
            continue
        xa, xb = _decades(min(p[0] for p in pts), max(p[0] for p in pts))
        ya, yb = _decades(min(p[1] for p in pts), max(p[1] for p in pts))
        pw, ph = width - left - right, height - top - bottom

        def px(x, xa=xa, xb=xb, x0=x0, pw=pw):
            return x0 + left + (math.log10(x) - xa) / (xb - xa) * pw

        def py(y, ya=ya, yb=yb, ph=ph):
            return top + ph - (math.log10(y) - ya) / (yb - ya) * ph

        out.append(
            f'<text x="{x0 + left + pw / 2}" y="{top - 12}" text-anchor="middle" '
            f'font-weight="bold">{_esc(panel["title"])}</text>'
        )
        out.append(
            f'<rect x="{x0 + left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
            'stroke="#999"/>'
        )
        for e in range(xa, xb + 1):
            for m in (1, 2, 5) if xb - xa <= 3 else (1,):
                v = m * 10.0**e
                if v > 10.0**xb:
                    break
                x = px(v)
                out.append(
                    f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" '
                    f'stroke="#ddd" stroke-width="{1 if m == 1 else 0.5}"/>'
                )
                out.append(
                    f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle">{_tick(v)}</text>'
                )
        for e in range(ya, yb + 1):
            for m in (1, 2, 5) if yb - ya <= 3 else (1,):
                v = m * 10.0**e
                if v > 10.0**yb:
                    break
                y = py(v)
                out.append(
                    f'<line x1="{x0 + left}" y1="{y:.1f}" x2="{x0 + left + pw}" y2="{y:.1f}" '
                    f'stroke="#ddd" stroke-width="{1 if m == 1 else 0.5}"/>'
                )
                out.append(
                    f'<text x="{x0 + left - 6}" y="{y + 4:.1f}" text-anchor="end">{_tick(v)}</text>'
                )
        out.append(
            f'<text x="{x0 + left + pw / 2}" y="{top + ph + 36}" text-anchor="middle">'
            f"{_esc(panel['x_label'])}</text>"
        )
        cy = top + ph / 2
        out.append(
            f'<text x="{x0 + 16}" y="{cy}" text-anchor="middle" '
            f'transform="rotate(-90 {x0 + 16} {cy})">{_esc(panel["y_label"])}</text>'
        )
        for name, series in panel["series"].items():
            colour = colours[name]
            line = [(px(x), py(y)) for x, y, ok in sorted(series) if ok and x > 0 and y > 0]
            if len(line) > 1:
                path = " ".join(f"{a:.1f},{b:.1f}" for a, b in line)
                dash = ' stroke-dasharray="6,4"' if name in dashed else ""
                out.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash}/>'
                )
            for a, b in line:
                out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.5" fill="{colour}"/>')
            for x, y, ok in series:
                if ok or x <= 0 or y <= 0:
                    continue
                a, b = px(x), py(y)
                out.append(
                    f'<path d="M{a - 5:.1f},{b - 5:.1f} L{a + 5:.1f},{b + 5:.1f} '
                    f'M{a - 5:.1f},{b + 5:.1f} L{a + 5:.1f},{b - 5:.1f}" stroke="{colour}" '
                    'stroke-width="2"/>'
                )
    for i, name in enumerate(names):  # the legend, as many columns as panels
        lx = (i % len(panels)) * width + left
        dash = ' stroke-dasharray="6,4"' if name in dashed else ""
        ly = height + 8 + 18 * (i // len(panels))
        out.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" '
            f'stroke="{colours[name]}" stroke-width="2"{dash}/>'
        )
        out.append(f'<text x="{lx + 30}" y="{ly + 4}">{_esc(name)}</text>')
    if note:
        out.append(
            f'<text x="{total_w / 2}" y="{total_h - 8}" text-anchor="middle" font-size="11" '
            f'fill="#555">{_esc(note)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
