"""Plotly figures of the dashboard pages, built from the pages' data (never from the store),
so a chart shows exactly the numbers of the page's JSON twin. Each function returns
``{chart id: {"data": [...traces], "layout": {...}}}``; ``static/app.js`` draws them."""

from __future__ import annotations

from typing import Any

from livebase.i18n import t

Figures = dict[str, dict[str, Any]]


def overview(page: dict[str, Any], lang: str) -> Figures:
    return {}


def segments(page: dict[str, Any], lang: str) -> Figures:
    grid = page["grid"]
    bins = grid["bins"]
    rs = sorted({c["r"] for c in grid["cells"]}, reverse=True)
    fs = sorted({c["f"] for c in grid["cells"]})
    by = {(c["r"], c["f"]): c for c in grid["cells"]}
    z = [[by[(r, f)]["customers"] for f in fs] for r in rs]
    text = [
        [f"{by[(r, f)]['customers']} · M {by[(r, f)]['mean_m'] or '—'}" for f in fs] for r in rs
    ]
    figures: Figures = {
        "rfm": {
            "data": [
                {
                    "type": "heatmap",
                    "x": [f"F{f}" for f in fs],
                    "y": [f"R{r}" for r in rs],
                    "z": z,
                    "text": text,
                    "texttemplate": "%{text}",
                    "colorscale": "Blues",
                    "hovertemplate": "%{y} %{x}: %{text}<extra></extra>",
                }
            ],
            "layout": {"title": {"text": t("web.chart.rfm", lang, bins=bins)}, "height": 420},
        }
    }
    trend = page["trend"]
    if trend["dates"]:
        figures["trend"] = {
            "data": [
                {
                    "type": "scatter",
                    "mode": "lines",
                    "stackgroup": "one",
                    "name": s["segment"],
                    "x": trend["dates"],
                    "y": s["share"],
                }
                for s in trend["series"]
            ],
            "layout": {
                "title": {"text": t("web.chart.trend", lang)},
                "yaxis": {"tickformat": ".0%"},
                "height": 380,
            },
        }
    mig = page.get("migration") or {}
    if mig.get("status") == "ok" and mig.get("links"):
        figures["migration"] = {
            "data": [
                {
                    "type": "sankey",
                    "node": {
                        "label": [f"{n['segment']} ({n['side']})" for n in mig["nodes"]],
                    },
                    "link": {
                        "source": [link["source"] for link in mig["links"]],
                        "target": [link["target"] for link in mig["links"]],
                        "value": [link["customers"] for link in mig["links"]],
                    },
                }
            ],
            "layout": {"title": {"text": t("web.chart.migration", lang)}, "height": 520},
        }
    return figures


def cohorts(page: dict[str, Any], lang: str) -> Figures:
    rows = page["rows"]
    if not rows:
        return {}
    metrics = [c["metric"] for c in rows[0]["cells"]]
    return {
        "retention": {
            "data": [
                {
                    "type": "heatmap",
                    "x": [m.replace("retention_", "").upper() for m in metrics],
                    "y": [r["cohort"] for r in rows],
                    "z": [[c["value"] for c in r["cells"]] for r in rows],
                    "colorscale": "Blues",
                    "zmin": 0,
                    "hovertemplate": "%{y} %{x}: %{z:.1%}<extra></extra>",
                }
            ],
            "layout": {
                "title": {"text": t("web.chart.retention", lang)},
                "yaxis": {"autorange": "reversed", "type": "category"},
                "height": max(320, 22 * len(rows) + 120),
            },
        }
    }


def waves(page: dict[str, Any], lang: str) -> Figures:
    rows = page["waves"]
    if not rows:
        return {}
    return {
        "calendar": {
            "data": [
                {
                    "type": "bar",
                    "orientation": "h",
                    "y": [w["wave_id"] for w in rows],
                    "base": [w["starts_on"] for w in rows],
                    "x": [w["days"] * 86_400_000 for w in rows],
                    "hovertemplate": "%{y}: %{base|%d.%m.%Y} + %{x}<extra></extra>",
                }
            ],
            "layout": {
                "title": {"text": t("web.chart.calendar", lang)},
                "xaxis": {"type": "date"},
                "yaxis": {"autorange": "reversed", "type": "category"},
                "height": max(260, 28 * len(rows) + 120),
            },
        }
    }


def wave(page: dict[str, Any], lang: str) -> Figures:
    arms = [a for a in page["readout"]["arms"] if a.get("uplift_pp") is not None]
    if not arms:
        return {}
    return {
        "forest": {
            "data": [
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": [a["uplift_pp"] for a in arms],
                    "y": [a["arm"] for a in arms],
                    "error_x": {
                        "type": "data",
                        "symmetric": False,
                        "array": [a["ci_high"] - a["uplift_pp"] for a in arms],
                        "arrayminus": [a["uplift_pp"] - a["ci_low"] for a in arms],
                    },
                    "hovertemplate": "%{y}: %{x:+.1f} pp<extra></extra>",
                }
            ],
            "layout": {
                "title": {"text": t("web.chart.forest", lang, control=page["readout"]["control"])},
                "xaxis": {"zeroline": True, "ticksuffix": " pp"},
                "yaxis": {"type": "category"},
                "height": max(240, 40 * len(arms) + 120),
            },
        }
    }
