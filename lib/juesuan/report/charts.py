"""The plotly charts the reports draw, as plain figure dicts (no plotly import): bridges, budget against
actual, execution rates, target deviations, and the comparisons across departments of report 05. Labels from
the disclosure are escaped, because plotly renders a subset of HTML in them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .. import config, labels
from .display import FONT, PLOTLY_MIME, Html, esc, json_safe, script_json


class Figure:
    """A plotly figure as a plain dict: JupyterLab renders the plotly mimetype; exported HTML gets a div and a
    `Plotly.newPlot` call, and the report template embeds plotly.js once in a page that draws a chart."""

    def __init__(self, data: list[dict], layout: dict, height: int = 420):
        layout = {
            "font": {"family": FONT},
            "height": height,
            "margin": {"l": 60, "r": 30, "t": 50, "b": 60},
            "separators": ".,",
        } | layout
        self.spec = json_safe({"data": data, "layout": layout})

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        div_id = f"juesuan-fig-{uuid.uuid4().hex[:12]}"
        config_ = {"displaylogo": False, "responsive": True}
        height = self.spec["layout"].get("height", 420)
        html_ = (
            f'<div id="{div_id}" class="plotly-graph-div juesuan-figure" style="height:{height}px;width:1'
            '00%;"></div>'
            f'<script type="text/javascript">Plotly.newPlot("{div_id}",{script_json(self.spec["data"])},'
            f"{script_json(self.spec['layout'])},{script_json(config_)});</script>"
        )
        return {PLOTLY_MIME: self.spec, "text/html": html_}


def chart_labels(values: Iterable[Any]) -> list[str]:
    """Chart labels from disclosure text: escaped, because plotly renders a subset of HTML in labels."""
    return [esc(v) for v in values]


def no_chart(title: str) -> Html:
    return Html(f'<p class="juesuan-empty">{esc(title)}：无可绘制的数据。</p>')


def waterfall(bridge, title: str) -> Figure | Html:
    """Bridge of a total's change (columns label, measure, value from `analysis.yoy.total_bridge`), drawn as
    floating bars (a bar's base is the running total), so that the small plotly bundle draws it."""
    bridge = bridge[
        ~(bridge["measure"].eq("relative") & bridge["value"].astype(float).abs().lt(0.005))
    ]  # no step
    if len(bridge) == 0:
        return no_chart(title)
    bases, heights, colors, text, running = [], [], [], [], 0.0
    for v, m in zip((float(v) for v in bridge["value"]), bridge["measure"], strict=True):
        if m == "relative":
            bases.append(running if v >= 0 else running + v)
            heights.append(abs(v))
            colors.append("#c0392b" if v >= 0 else "#27ae60")
            text.append(f"{v:+,.2f}")
            running += v
        else:
            running = v
            bases.append(0.0)
            heights.append(v)
            colors.append("#2c3e50")
            text.append(f"{v:,.2f}")
    trace = {
        "type": "bar",
        "x": chart_labels(bridge["label"]),
        "y": heights,
        "base": bases,
        "text": text,
        "textposition": "outside",
        "marker": {"color": colors},
        "hoverinfo": "x+text",
        "cliponaxis": False,
    }
    lo = min(bases)
    hi = max(b + h for b, h in zip(bases, heights, strict=True))
    pad = (hi - lo) * 0.15 or 1.0
    layout = {
        "title": {"text": esc(title)},
        "yaxis": {"title": {"text": "万元"}, "range": [max(0.0, lo - pad), hi + pad]},
        "showlegend": False,
    }
    return Figure([trace], layout)


def budget_bars(
    df, label: str, budget: str, actual: str, title: str, pct: str | None = None
) -> Figure | Html:
    """Bullet-style horizontal bars: a wide pale 预算 bar with the 决算/执行 bar inside it. When the amounts
    span more than two orders of magnitude the axis is logarithmic, so that small items stay readable."""
    if len(df) == 0:
        return no_chart(title)
    labels_ = chart_labels(df[label])
    text = [labels.pct(p) if not labels.missing(p) else "" for p in df[pct]] if pct else None
    values = [v for v in _numbers(df[budget]) + _numbers(df[actual]) if v and v > 0]
    log = bool(values) and max(values) / min(values) > 100
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": "预算",
            "y": labels_,
            "x": _numbers(df[budget]),
            "marker": {"color": "#d5dbe3"},
            "width": 0.8,
        },
        {
            "type": "bar",
            "orientation": "h",
            "name": "决算/执行",
            "y": labels_,
            "x": _numbers(df[actual]),
            "marker": {"color": "#2c6fbb"},
            "width": 0.4,
            "text": text,
            "textposition": "outside",
        },
    ]
    xaxis = {"title": {"text": "万元（对数坐标）" if log else "万元"}} | ({"type": "log"} if log else {})
    layout = {
        "title": {"text": esc(title)},
        "barmode": "overlay",
        "xaxis": xaxis,
        "yaxis": {"autorange": "reversed", "automargin": True},
        "legend": {"orientation": "h", "y": -0.15},
    }
    return Figure(data, layout, height=max(260, 60 + 26 * len(df)))


def execution_rates(
    df, label: str, rate: str, budget: str, actual: str, title: str, threshold: float | None = None
) -> Figure | Html:
    """Each project's 执行率 (%) as a bar, the amounts in the hover text, with the 100% line and the threshold
    below which a project must explain itself: readable whatever the projects' sizes (16,800 beside 5)."""
    df = df[df[rate].notna()] if len(df) else df
    if len(df) == 0:
        return no_chart(title)
    rates = _numbers(df[rate])
    hover = [
        f"{esc(n)}<br>预算 {labels.amount(b)} 万元，执行 {labels.amount(a)} 万元"
        for n, b, a in zip(df[label], df[budget], df[actual], strict=True)
    ]
    colors = [
        "#c0392b" if r > 100.5 else "#e67e22" if threshold is not None and r < threshold else "#2c6fbb"
        for r in rates
    ]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": chart_labels(df[label]),
            "x": rates,
            "marker": {"color": colors},
            "text": [labels.pct(r) for r in rates],
            "textposition": "outside",
            "hovertext": hover,
            "hoverinfo": "text",
            "cliponaxis": False,
        }
    ]
    lines = [(100.0, "solid")] + ([(threshold, "dot")] if threshold is not None else [])
    shapes = [
        {
            "type": "line",
            "x0": x,
            "x1": x,
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {"color": "#888", "dash": dash, "width": 1},
        }
        for x, dash in lines
    ]
    layout = {
        "title": {"text": esc(title)},
        "xaxis": {"title": {"text": "执行率（%）"}, "range": [0, max(110.0, max(rates) * 1.12)]},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "shapes": shapes,
        "showlegend": False,
    }
    return Figure(data, layout, height=max(260, 70 + 22 * len(df)))


def _numbers(values) -> list[float | None]:
    """Chart values as floats, missing ones as None (pandas.NA is not JSON)."""
    return [None if labels.missing(v) else float(v) for v in values]


CLASS_COLORS = {"达成": "#2c6fbb", "超出目标": "#e6a23c", "远超目标": "#d35400", "未完成": "#c0392b"}


def target_dots(
    df,
    title: str,
    warn: float = config.DEVIATION_WARN,
    strong: float = config.DEVIATION_STRONG,
    explain: float = config.DEVIATION_EXPLAIN,
) -> Figure | Html:
    """Target vs actual on log–log axes, one colour per class, with the y = x and the threshold lines."""
    df = df[(df["target_value"] > 0) & (df["actual_value"] > 0)]
    if len(df) == 0:
        return no_chart(title)
    data = []
    shown = df["class_label"].astype(str).str.replace(r"（.*", "", regex=True)
    for cls, color in CLASS_COLORS.items():
        part = df[shown.eq(cls)]
        if len(part):
            hover = [
                f"{esc(p)}<br>{esc(n)}<br>目标 {esc(t)} → 完成 {esc(a)}"
                for p, n, t, a in zip(
                    part["project_name"], part["level3"], part["target_raw"], part["actual_raw"], strict=True
                )
            ]
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": cls,
                    "x": list(part["target_value"]),
                    "y": list(part["actual_value"]),
                    "text": hover,
                    "hoverinfo": "text",
                    "marker": {"color": color, "size": 9, "opacity": 0.75},
                }
            )
    lo = float(min(df["target_value"].min(), df["actual_value"].min())) / 1.5
    hi = float(max(df["target_value"].max(), df["actual_value"].max())) * 1.5
    for k, name, dash in [
        (1.0, "完成值 = 目标值", "solid"),
        (warn, f"{warn:g} 倍（超出目标）", "dot"),
        (explain, f"{explain:g} 倍（远超目标）", "dashdot"),
        (strong, f"{strong:g} 倍", "dash"),
    ]:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": name,
                "x": [lo, hi],
                "y": [lo * k, hi * k],
                "line": {"color": "#888", "dash": dash, "width": 1},
                "hoverinfo": "skip",
            }
        )
    layout = {
        "title": {"text": esc(title)},
        "xaxis": {"type": "log", "title": {"text": "目标值（对数）"}},
        "yaxis": {"type": "log", "title": {"text": "完成值（对数）"}},
    }
    return Figure(data, layout, height=520)


# ---------------------------------------------------------------- charts across departments (report 05)


def _figure(data, layout, height=None):
    return Figure(data, layout, **({"height": height} if height else {}))


def grouped_bars(t: pd.DataFrame, columns: dict[str, str], title: str) -> Figure | Html:
    """Grouped horizontal bars, one group per department (万元)."""
    t = t.dropna(subset=list(columns), how="all")
    if t.empty:
        return no_chart(title)
    names = chart_labels(t["department"])
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": esc(label),
            "y": names,
            "x": list(t[col]),
            "text": [labels.amount(v) if not labels.missing(v) else "" for v in t[col]],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": "%{y}：%{x:,.2f} 万元<extra>" + esc(label) + "</extra>",
        }
        for col, label in columns.items()
    ]
    top = max((float(v) for col in columns for v in t[col] if not labels.missing(v)), default=0.0)
    layout = {
        "title": {"text": esc(title)},
        "barmode": "group",
        "xaxis": {"title": {"text": "万元"}, "tickformat": ",", "range": [0, top * 1.18 or 1]},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "legend": {"orientation": "h", "y": -0.15},
    }
    return _figure(data, layout, height=max(260, 80 + 30 * len(t) * max(1, len(columns) // 2)))


def score_boxes(projects: pd.DataFrame, t: pd.DataFrame, title: str) -> Figure | Html:
    """The self-scores (总分) of every project, one box per department: a box squeezed at 100 is a red
    flag."""
    p = projects[projects["doc_id"].isin(t["doc_id"])].dropna(subset=["total_score"])
    if p.empty:
        return no_chart(title)
    dup = t["department"].duplicated(keep=False)  # two documents of one department: tell their boxes apart
    names = pd.Series(
        np.where(dup, t["department"] + "（" + t["file"].astype(str) + "）", t["department"]),
        index=t["doc_id"],
    )
    parts = [
        (doc, p[p["doc_id"].eq(doc)]) for doc in t["doc_id"] if p["doc_id"].eq(doc).any()
    ]  # the table's order
    data = [
        {
            "type": "box",
            "orientation": "h",
            "name": esc(names[doc]),
            "x": list(part["total_score"]),
            "boxpoints": "all",
            "jitter": 0.4,
            "pointpos": 0,
            "text": chart_labels(part["project_name"]),
            "hoverinfo": "x+text",
        }
        for doc, part in parts
    ]
    low = float(p["total_score"].min())
    layout = {
        "title": {"text": esc(title)},
        "xaxis": {"title": {"text": "自评总分（分）"}, "range": [max(0.0, min(low, 80.0) - 5), 102]},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "showlegend": False,
    }
    return _figure(data, layout, height=max(260, 100 + 50 * len(parts)))


def severity_bars(t: pd.DataFrame, title: str) -> Figure | Html:
    """Failed checks per department, stacked by severity."""
    t = t.dropna(subset=["error"])
    if t.empty:
        return no_chart(title)
    colors = {"error": "#c0392b", "warning": "#e67e22", "info": "#95a5a6"}
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": labels.SEVERITIES[s],
            "y": chart_labels(t["department"]),
            "x": list(t[s]),
            "marker": {"color": colors[s]},
        }
        for s in labels.SEVERITIES
    ]
    layout = {
        "title": {"text": esc(title)},
        "barmode": "stack",
        "xaxis": {"title": {"text": "不符（条，同一事实合并）"}},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "legend": {"orientation": "h", "y": -0.15, "traceorder": "normal"},
    }
    return _figure(data, layout, height=max(260, 80 + 30 * len(t)))


def year_lines(y: pd.DataFrame, column: str, title: str) -> Figure | Html:
    """One line per department over the years."""
    y = y.dropna(subset=[column])
    if y["year"].nunique() < 2:
        return no_chart(title)
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": esc(part["department"].iloc[-1]),
            "x": [int(v) for v in part["year"]],
            "y": list(part[column]),
        }
        for _, part in y.groupby("department_key", sort=False)
    ]
    layout = {
        "title": {"text": esc(title)},
        "xaxis": {"title": {"text": "年度"}, "dtick": 1, "tickformat": "d"},
        "yaxis": {"title": {"text": "万元"}, "tickformat": ",", "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.2},
        "showlegend": True,
    }
    return _figure(data, layout)
