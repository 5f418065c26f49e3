"""What the notebooks import to show things: escaped HTML tables, summary boxes, sections, appendices and
plotly charts. Every string that can come from a disclosure goes through `esc` here, so escaping never depends
on nbconvert's sanitiser."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import labels

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

# Column formats: a format spec ("0.1f") or a kind. Without one, floats are amounts (16,800.00) and integers
# counts.
KINDS = {"amount", "count", "pct", "score", "value", "text"}
SOURCE = "出处"  # the column `table` adds from page and source_line


_PLAIN = {
    "year",
    "project_no",
    "goal_no",
    "unit_no",
    "source_line",
    "page",
    "subject_code",
}  # numbers, not amounts


def _fmt(value: Any, spec: str | None) -> str:
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar → Python
        value = value.item()
    if spec == "plain":
        return (
            ""
            if _missing(value)
            else str(int(value))
            if isinstance(value, float) and value.is_integer()
            else str(value)
        )
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


def table(
    df,
    columns: dict[str, str] | None = None,
    formats: dict[str, str] | None = None,
    highlight: str | None = None,
    max_rows: int = 500,
    source: bool = True,
    approx: dict[str, str] | None = None,
    cell_sources: bool = False,
) -> Html:
    """A DataFrame as an escaped HTML table; `columns` maps column → Chinese header (and picks/orders them).

    `formats` gives a column a format spec or a kind (amount, count, pct, score, text). `highlight` names a
    boolean (or non-empty string) column: its true rows are marked. With `source`, a last column 出处 cites
    each row's page and line. `approx` maps a column to a boolean column: its true rows show the value as
    approximate (≈). With `cell_sources`, each cell cites its own place instead, from the column
    `src_<column>` (see `cited_table`).
    """
    if df is None or len(df) == 0:
        return Html('<p class="juesuan-empty">（无）</p>')
    columns = dict(columns or {c: c for c in df.columns})
    formats = formats or {}
    approx = approx or {}
    cite = source and not cell_sources and "page" in df.columns and SOURCE not in columns.values()
    head = "".join(f"<th>{esc(label)}</th>" for label in columns.values()) + (
        f"<th>{SOURCE}</th>" if cite else ""
    )
    rows = []
    for _, r in df.head(max_rows).iterrows():
        mark = bool(r[highlight]) if highlight and highlight in r and not _missing(r[highlight]) else False
        cells = []
        for c in columns:
            v = r[c] if c in r else None
            text = _fmt(v, formats.get(c, "plain" if c in _PLAIN else None))
            if c in approx and approx[c] in r and r[approx[c]] is True and _numeric(v):
                text = "≈" + text
            shown = esc(text)
            where = r.get(f"src_{c}") if cell_sources else None
            if isinstance(where, str) and where:
                shown += (
                    '<br><span class="src" style="color:#555;font-size:0.75rem;white-space:nowrap">'
                    f"{esc(where)}</span>"
                )
            cells.append(f'<td class="{"num" if _numeric(v) else "txt"}">{shown}</td>')
        if cite:
            cells.append(f'<td class="src">{esc(labels.cite(r["page"], r.get("source_line")))}</td>')
        rows.append(f'<tr class="flag">{"".join(cells)}</tr>' if mark else f"<tr>{''.join(cells)}</tr>")
    more = (
        f'<p class="juesuan-note">仅显示前 {labels.count(max_rows)} 行，共 {labels.count(len(df))} 行'
        f"{'' if cell_sources else '（全部见审计工作簿）'}。</p>"
        if len(df) > max_rows
        else ""
    )
    return Html(
        f'<table class="juesuan-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></tabl'
        f"e>{more}"
    )


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
        tag = (
            f'<span class="sev sev-{esc(severity)}">{esc(labels.SEVERITIES[severity])}</span>'
            if severity in labels.SEVERITIES
            else ""
        )
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
    return Html(
        f'<details class="juesuan-appendix"><summary>附录：{esc(title)}{esc(n)}</summary>{inner}</details>'
    )


def json_safe(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf → None, numpy scalars → Python."""
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def script_json(obj: Any) -> str:
    """JSON that is safe inside a <script> element (no '<', '>', '&', line separators)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for a, b in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(a, b)
    return text


def cited_table(
    df,
    columns: dict[str, str],
    formats: dict[str, str] | None = None,
    highlight: str | None = None,
    max_rows: int = 500,
) -> Html:
    """A table whose rows gather numbers printed in different places (one department's totals, 三公 and
    projects side by side): each cell cites its own page and line, from the column `src_<column>` (a number
    without one is shown as is); the first column's citation names the document. Escaped as `table` is."""
    return table(df, columns, formats, highlight, max_rows, source=False, cell_sources=True)
