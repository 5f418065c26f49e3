"""What the notebooks import to show things: escaped HTML tables, summary boxes, sections, appendices and
plotly charts. Every string that can come from a disclosure goes through `esc` here, so escaping never depends
on nbconvert's sanitiser."""

from __future__ import annotations

import html
import json
import math
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import config, labels

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
PLOTLY_MIME = "application/vnd.plotly.v1+json"
CSS = TEMPLATES / "report.css"


class Html(str):
    """Already-escaped HTML that Jupyter displays as such."""

    def _repr_html_(self) -> str:
        return str(self)


def esc(value: Any) -> str:
    """HTML-escape any value for text or attribute context; NaN/None become empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        if value is not None and value != value:  # pandas NA / NaT
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


_missing = labels.missing

# Column formats: a format spec ("0.1f") or a kind. Without one, floats are amounts (16,800.00) and integers counts.
KINDS = {"amount", "count", "pct", "score", "value", "text"}
SOURCE = "出处"  # the column `table` adds from page and source_line


_PLAIN = {"year", "project_no", "goal_no", "unit_no", "source_line", "page", "subject_code"}  # numbers, not amounts


def _fmt(value: Any, spec: str | None) -> str:
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar → Python
        value = value.item()
    if spec == "plain":
        return "" if _missing(value) else str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if _missing(value):
        return labels.DASH if spec in KINDS - {"text"} or isinstance(value, float) else ""
    if spec == "text" or isinstance(value, str):
        return labels.plain(str(value))
    if spec == "count" or (spec is None and isinstance(value, int)):
        return labels.count(value)
    if spec == "pct":
        return labels.pct(value, 2)
    if spec == "score":
        return labels.score(value)
    if spec == "value":
        return labels.value(value)
    if spec and spec != "amount" and isinstance(value, int | float):
        return format(value, spec) if labels.shown(value) else labels.DASH
    if isinstance(value, int | float):
        return labels.amount(value)
    return str(value)


def _numeric(value: Any) -> bool:
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    return isinstance(value, int | float) and not isinstance(value, bool) and not _missing(value)


def table(df, columns: dict[str, str] | None = None, formats: dict[str, str] | None = None,
          highlight: str | None = None, max_rows: int = 500, source: bool = True,
          approx: dict[str, str] | None = None) -> Html:
    """A DataFrame as an escaped HTML table; `columns` maps column → Chinese header (and picks/orders them).

    `formats` gives a column a format spec or a kind (amount, count, pct, score, text). `highlight` names a
    boolean (or non-empty string) column: its true rows are marked. With `source`, a last column 出处 cites
    each row's page and line. `approx` maps a column to a boolean column: its true rows show the value as
    approximate (≈).
    """
    if df is None or len(df) == 0:
        return Html('<p class="juesuan-empty">（无）</p>')
    columns = dict(columns or {c: c for c in df.columns})
    formats = formats or {}
    approx = approx or {}
    cite = source and "page" in df.columns and SOURCE not in columns.values()
    head = "".join(f"<th>{esc(label)}</th>" for label in columns.values()) + (f"<th>{SOURCE}</th>" if cite else "")
    rows = []
    for _, r in df.head(max_rows).iterrows():
        mark = bool(r[highlight]) if highlight and highlight in r and not _missing(r[highlight]) else False
        cells = []
        for c in columns:
            v = r[c] if c in r else None
            text = _fmt(v, formats.get(c, "plain" if c in _PLAIN else None))
            if c in approx and approx[c] in r and r[approx[c]] is True and _numeric(v):
                text = "≈" + text
            cells.append(f'<td class="{"num" if _numeric(v) else "txt"}">{esc(text)}</td>')
        if cite:
            cells.append(f'<td class="src">{esc(labels.cite(r["page"], r.get("source_line")))}</td>')
        rows.append(f'<tr class="flag">{"".join(cells)}</tr>' if mark else f"<tr>{''.join(cells)}</tr>")
    more = (f'<p class="juesuan-note">仅显示前 {labels.count(max_rows)} 行，共 {labels.count(len(df))} 行'
            f'（全部见审计工作簿）。</p>' if len(df) > max_rows else "")
    return Html(f'<table class="juesuan-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}')


def findings(sentences: Iterable[str], title: str = "发现") -> Html:
    """Plain sentences as an escaped bullet list."""
    items = "".join(f"<li>{esc(s)}</li>" for s in sentences)
    return Html(f'<div class="juesuan-findings"><h3>{esc(title)}</h3><ul>{items or "<li>无</li>"}</ul></div>')


def summary(items: Iterable[Any], title: str = "主要发现", note: str = "") -> Html:
    """The box a report opens with: its most material findings (`highlights.Finding` or plain sentences), each
    with a severity tag when it is a failed check."""
    lines = []
    for item in items:
        text, severity = (item, None) if isinstance(item, str) else (item.text, item.severity)
        tag = (f'<span class="sev sev-{esc(severity)}">{esc(labels.SEVERITIES[severity])}</span>'
               if severity in labels.SEVERITIES else "")
        lines.append(f"<li>{tag}{esc(text)}</li>")
    body = "".join(lines) or "<li>未发现需要关注的问题。</li>"
    foot = f'<p class="juesuan-note">{esc(note)}</p>' if note else ""
    return Html(f'<section class="juesuan-summary"><h2>{esc(title)}</h2><ul>{body}</ul>{foot}</section>')


def note(text: str) -> Html:
    """One line saying what is not there (no table, no prior year), instead of an empty table."""
    return Html(f'<p class="juesuan-absent">{esc(text)}</p>')


def section(title: str, *parts: Any, intro: str = "") -> Html:
    """A heading with its content, for a section a notebook shows only when it has something to show."""
    inner = "".join(p._repr_html_() if hasattr(p, "_repr_html_") else f"<p>{esc(p)}</p>" for p in parts)
    lead = f"<p>{esc(intro)}</p>" if intro else ""
    return Html(f"<h2>{esc(title)}</h2>{lead}{inner}")


def rule_label(rule_id: Any) -> str:
    """A rule by its Chinese description, with its id for the catalogue: 占比与金额重算一致（N13）."""
    return f"{labels.rule(rule_id)}（{rule_id}）"


def appendix(title: str, *parts: Any, count: int | None = None) -> Html:
    """A collapsed `<details>` section for full tables and passing checks: printed and read only on demand."""
    inner = "".join(p._repr_html_() if hasattr(p, "_repr_html_") else f"<p>{esc(p)}</p>" for p in parts)
    n = f"（{labels.count(count)} 行）" if count is not None else ""
    return Html(f'<details class="juesuan-appendix"><summary>附录：{esc(title)}{esc(n)}</summary>{inner}</details>')


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf → None, numpy scalars → Python."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def script_json(obj: Any) -> str:
    """JSON that is safe inside a <script> element (no '<', '>', '&', line separators)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(a, b)
    return text


class Figure:
    """A plotly figure as a plain dict: JupyterLab renders the plotly mimetype; exported HTML gets a div and a
    `Plotly.newPlot` call, and the report template embeds plotly.js once in a page that draws a chart."""

    def __init__(self, data: list[dict], layout: dict, height: int = 420):
        layout = {"font": {"family": FONT}, "height": height, "margin": {"l": 60, "r": 30, "t": 50, "b": 60},
                  "separators": ".,"} | layout
        self.spec = _clean({"data": data, "layout": layout})

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        div_id = f"juesuan-fig-{uuid.uuid4().hex[:12]}"
        config_ = {"displaylogo": False, "responsive": True}
        height = self.spec["layout"].get("height", 420)
        html_ = (
            f'<div id="{div_id}" class="plotly-graph-div juesuan-figure" style="height:{height}px;width:100%;"></div>'
            f'<script type="text/javascript">Plotly.newPlot("{div_id}",{script_json(self.spec["data"])},'
            f'{script_json(self.spec["layout"])},{script_json(config_)});</script>'
        )
        return {PLOTLY_MIME: self.spec, "text/html": html_}


def _labels(values: Iterable[Any]) -> list[str]:
    """Chart labels from disclosure text: escaped, because plotly renders a subset of HTML in labels."""
    return [esc(v) for v in values]


def _no_chart(title: str) -> Html:
    return Html(f'<p class="juesuan-empty">{esc(title)}：无可绘制的数据。</p>')


def waterfall(bridge, title: str) -> Figure | Html:
    """Bridge of a total's change (columns label, measure, value from `analysis.yoy.total_bridge`), drawn as
    floating bars (a bar's base is the running total), so that the small plotly bundle draws it."""
    bridge = bridge[~(bridge["measure"].eq("relative") & bridge["value"].astype(float).abs().lt(0.005))]  # no step
    if len(bridge) == 0:
        return _no_chart(title)
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
    trace = {"type": "bar", "x": _labels(bridge["label"]), "y": heights, "base": bases, "text": text,
             "textposition": "outside", "marker": {"color": colors}, "hoverinfo": "x+text", "cliponaxis": False}
    lo = min(bases)
    hi = max(b + h for b, h in zip(bases, heights, strict=True))
    pad = (hi - lo) * 0.15 or 1.0
    layout = {"title": {"text": esc(title)}, "yaxis": {"title": {"text": "万元"}, "range": [max(0.0, lo - pad), hi + pad]},
              "showlegend": False}
    return Figure([trace], layout)


def budget_bars(df, label: str, budget: str, actual: str, title: str, pct: str | None = None) -> Figure | Html:
    """Bullet-style horizontal bars: a wide pale 预算 bar with the 决算/执行 bar inside it. When the amounts span
    more than two orders of magnitude the axis is logarithmic, so that small items stay readable."""
    if len(df) == 0:
        return _no_chart(title)
    labels_ = _labels(df[label])
    text = [labels.pct(p) if not _missing(p) else "" for p in df[pct]] if pct else None
    values = [v for v in _numbers(df[budget]) + _numbers(df[actual]) if v and v > 0]
    log = bool(values) and max(values) / min(values) > 100
    data = [
        {"type": "bar", "orientation": "h", "name": "预算", "y": labels_, "x": _numbers(df[budget]),
         "marker": {"color": "#d5dbe3"}, "width": 0.8},
        {"type": "bar", "orientation": "h", "name": "决算/执行", "y": labels_, "x": _numbers(df[actual]),
         "marker": {"color": "#2c6fbb"}, "width": 0.4, "text": text, "textposition": "outside"},
    ]
    xaxis = {"title": {"text": "万元（对数坐标）" if log else "万元"}} | ({"type": "log"} if log else {})
    layout = {"title": {"text": esc(title)}, "barmode": "overlay", "xaxis": xaxis,
              "yaxis": {"autorange": "reversed", "automargin": True}, "legend": {"orientation": "h", "y": -0.15}}
    return Figure(data, layout, height=max(260, 60 + 26 * len(df)))


def execution_rates(df, label: str, rate: str, budget: str, actual: str, title: str,
                    threshold: float | None = None) -> Figure | Html:
    """Each project's 执行率 (%) as a bar, the amounts in the hover text, with the 100% line and the threshold
    below which a project must explain itself: readable whatever the projects' sizes (16,800 beside 5)."""
    df = df[df[rate].notna()] if len(df) else df
    if len(df) == 0:
        return _no_chart(title)
    rates = _numbers(df[rate])
    hover = [f"{esc(n)}<br>预算 {labels.amount(b)} 万元，执行 {labels.amount(a)} 万元" for n, b, a in
             zip(df[label], df[budget], df[actual], strict=True)]
    colors = ["#c0392b" if r > 100.5 else "#e67e22" if threshold is not None and r < threshold else "#2c6fbb"
              for r in rates]
    data = [{"type": "bar", "orientation": "h", "y": _labels(df[label]), "x": rates, "marker": {"color": colors},
             "text": [labels.pct(r) for r in rates], "textposition": "outside", "hovertext": hover,
             "hoverinfo": "text", "cliponaxis": False}]
    lines = [(100.0, "solid")] + ([(threshold, "dot")] if threshold is not None else [])
    shapes = [{"type": "line", "x0": x, "x1": x, "yref": "paper", "y0": 0, "y1": 1,
               "line": {"color": "#888", "dash": dash, "width": 1}} for x, dash in lines]
    layout = {"title": {"text": esc(title)}, "xaxis": {"title": {"text": "执行率（%）"},
                                                        "range": [0, max(110.0, max(rates) * 1.12)]},
              "yaxis": {"autorange": "reversed", "automargin": True}, "shapes": shapes, "showlegend": False}
    return Figure(data, layout, height=max(260, 70 + 22 * len(df)))


def _numbers(values) -> list[float | None]:
    """Chart values as floats, missing ones as None (pandas.NA is not JSON)."""
    return [None if _missing(v) else float(v) for v in values]


CLASS_COLORS = {"达成": "#2c6fbb", "超出目标": "#e6a23c", "远超目标": "#d35400", "未完成": "#c0392b"}


def target_dots(df, title: str, warn: float = config.DEVIATION_WARN,
                strong: float = config.DEVIATION_STRONG, explain: float = config.DEVIATION_EXPLAIN) -> Figure | Html:
    """Target vs actual on log–log axes, one colour per class, with the y = x and the threshold lines."""
    df = df[(df["target_value"] > 0) & (df["actual_value"] > 0)]
    if len(df) == 0:
        return _no_chart(title)
    data = []
    shown = df["class_label"].astype(str).str.replace(r"（.*", "", regex=True)
    for cls, color in CLASS_COLORS.items():
        part = df[shown.eq(cls)]
        if len(part):
            hover = [f"{esc(p)}<br>{esc(n)}<br>目标 {esc(t)} → 完成 {esc(a)}" for p, n, t, a in
                     zip(part["project_name"], part["level3"], part["target_raw"], part["actual_raw"], strict=True)]
            data.append({"type": "scatter", "mode": "markers", "name": cls, "x": list(part["target_value"]),
                         "y": list(part["actual_value"]), "text": hover, "hoverinfo": "text",
                         "marker": {"color": color, "size": 9, "opacity": 0.75}})
    lo = float(min(df["target_value"].min(), df["actual_value"].min())) / 1.5
    hi = float(max(df["target_value"].max(), df["actual_value"].max())) * 1.5
    for k, name, dash in [(1.0, "完成值 = 目标值", "solid"), (warn, f"{warn:g} 倍（超出目标）", "dot"),
                          (explain, f"{explain:g} 倍（远超目标）", "dashdot"), (strong, f"{strong:g} 倍", "dash")]:
        data.append({"type": "scatter", "mode": "lines", "name": name, "x": [lo, hi], "y": [lo * k, hi * k],
                     "line": {"color": "#888", "dash": dash, "width": 1}, "hoverinfo": "skip"})
    layout = {"title": {"text": esc(title)}, "xaxis": {"type": "log", "title": {"text": "目标值（对数）"}},
              "yaxis": {"type": "log", "title": {"text": "完成值（对数）"}}}
    return Figure(data, layout, height=520)


def cited_table(df, columns: dict[str, str], formats: dict[str, str] | None = None, highlight: str | None = None,
                max_rows: int = 500) -> Html:
    """A table whose rows gather numbers printed in different places (one department's totals, 三公 and projects
    side by side): each cell cites its own page and line, from the column `src_<column>` (a number without one
    is shown as is); the first column's citation names the document. Escaped as `table` is."""
    if df is None or len(df) == 0:
        return Html('<p class="juesuan-empty">（无）</p>')
    formats = formats or {}
    head = "".join(f"<th>{esc(label)}</th>" for label in columns.values())
    rows = []
    for _, r in df.head(max_rows).iterrows():
        mark = bool(r[highlight]) if highlight and highlight in r and not _missing(r[highlight]) else False
        cells = []
        for c in columns:
            v = r[c] if c in r else None
            text = esc(_fmt(v, formats.get(c, "plain" if c in _PLAIN else None)))
            where = r.get(f"src_{c}")
            if isinstance(where, str) and where:
                text += f'<br><span class="src" style="color:#555;font-size:0.75rem;white-space:nowrap">{esc(where)}</span>'
            cells.append(f'<td class="{"num" if _numeric(v) else "txt"}">{text}</td>')
        rows.append(f'<tr class="flag">{"".join(cells)}</tr>' if mark else f"<tr>{''.join(cells)}</tr>")
    more = (f'<p class="juesuan-note">仅显示前 {labels.count(max_rows)} 行，共 {labels.count(len(df))} 行。</p>'
            if len(df) > max_rows else "")
    return Html(f'<table class="juesuan-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}')
