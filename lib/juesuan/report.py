"""Reports: run every analysis notebook with papermill and export self-contained, offline HTML.

Why one shared kernel: starting a kernel costs more than running our notebooks, so all notebooks of a run execute
in one `python3` kernel (a hidden first cell resets the namespace; imports and the parsed disclosure stay cached), while
HTML export of the previous notebook overlaps with execution of the next.

The first half of this module is what notebooks import to display things: every string that can come from a
disclosure goes through `esc` here, so escaping never depends on nbconvert's sanitiser.
"""

from __future__ import annotations

import html
import json
import logging
import math
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import config, labels

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "juesuan_offline"
FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
PLOTLY_MIME = "application/vnd.plotly.v1+json"

# --------------------------------------------------------------------------------------------------------------
# Display helpers (used inside notebooks)
# --------------------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------------------
# Running the notebooks
# --------------------------------------------------------------------------------------------------------------


def notebooks() -> list[Path]:
    """Every notebook in notebooks/, in name order (so a helper's new notebook is picked up automatically)."""
    return sorted(p for p in config.NOTEBOOKS.glob("*.ipynb") if not p.name.startswith("."))


RESET_TAG = "juesuan-reset"


def _with_reset(path: Path):
    """The notebook with a first cell that clears the shared kernel's namespace (kept out of the saved copy).

    Run by papermill's own client, so no second client talks to the kernel while notebooks execute.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cell = nbformat.v4.new_code_cell("%reset -f")
    cell.metadata["tags"] = [RESET_TAG]
    cell.pop("id", None)
    nb.cells.insert(0, cell)
    return nb


def _drop_reset(nb) -> None:
    nb.cells = [c for c in nb.cells if RESET_TAG not in c.get("metadata", {}).get("tags", [])]


def notebook_title(nb) -> str:
    """The first Markdown heading of a notebook, else its file name."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return nb.metadata.get("title", "")


KERNEL_PREFIX = "juesuan-kernel-"


def _clean_kernel_dirs() -> None:
    """Remove socket folders of runs that were killed (named juesuan-kernel-<pid>-…, the pid no longer alive)."""
    for d in Path(tempfile.gettempdir()).glob(f"{KERNEL_PREFIX}*"):
        pid = d.name[len(KERNEL_PREFIX):].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except PermissionError:  # another user's live process
            pass


class _Kernel:
    """One python3 kernel (the project environment's) shared by all notebooks of a run."""

    def __init__(self):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        _clean_kernel_dirs()
        self._run = run_sync
        # IPC sockets in a fresh directory: no TCP port reuse between kernels of one process (a reused port
        # left the next kernel unreachable), and no unencrypted-TCP warning. The kernel's log goes there too,
        # so nothing is written into --out before a disclosure has been read.
        self._sockets = tempfile.mkdtemp(prefix=f"{KERNEL_PREFIX}{os.getpid()}-")
        self.km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(self._sockets, "k"))
        self._log = open(os.path.join(self._sockets, "kernel.log"), "w")  # noqa: SIM115 - closed in close()
        # Started first so the kernel boots while this process parses the disclosure. Only papermill's client
        # talks to it (a second, warm-up client made start-up flaky).
        run_sync(self.km.start_kernel)(cwd=str(config.NOTEBOOKS), stderr=self._log)

    def ensure_alive(self) -> None:
        """After a notebook killed the kernel, start a fresh one so the remaining notebooks still run."""
        if not self._run(self.km.is_alive)():
            self._run(self.km.restart_kernel)(now=True)

    def close(self) -> None:
        try:
            self._run(self.km.shutdown_kernel)(now=True)
        finally:
            self._log.close()
            shutil.rmtree(self._sockets, ignore_errors=True)


_KEEP: dict[str, _Kernel | None] = {}  # set by keep_kernel(): the one kernel of this process


def keep_kernel() -> None:
    """From now on, every run_reports in this process uses one kernel, closed when the process ends.

    For a pool worker that reports many documents one at a time (juesuan.parallel): the kernel starts once per
    worker, not once per document. Closed by a multiprocessing finalizer, which also runs when a worker process
    exits (atexit handlers do not run there)."""
    _KEEP.setdefault("kernel", None)


def _process_kernel() -> _Kernel | None:
    """The kept kernel (started on first use, restarted if it died), or None when keep_kernel() was not called."""
    if "kernel" not in _KEEP:
        return None
    kernel = _KEEP["kernel"]
    if kernel is None:
        from multiprocessing import util

        kernel = _KEEP["kernel"] = _Kernel()
        util.Finalize(kernel, kernel.close, exitpriority=10)
    else:
        kernel.ensure_alive()
    return kernel


CELL_TIMEOUT = 600  # seconds; a cell that hangs becomes a reported failure instead of a stuck report
ENGINE = "juesuan-shared-kernel"


def _register_engine() -> None:
    """A papermill engine for a kernel we own: like papermill's nbclient engine, but it closes its client's
    channels after each notebook (papermill leaves them open when it does not own the kernel)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class SharedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            client = PapermillNotebookClient(
                nb_man, km=kwargs["km"], kernel_name=kernel_name, timeout=execution_timeout,
                startup_timeout=start_timeout, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file,
            )
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()
                    client.kc = None

    papermill_engines.register(ENGINE, SharedKernelEngine)


def _failure_line(nb: Path, exc: BaseException) -> str:
    """One line naming the notebook and the failing cell."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        import nbformat

        # Number the cell as the author sees it (1-based, in the source notebook without papermill's injected cell).
        cells = nbformat.read(nb, as_version=4).cells
        position = next((i + 1 for i, c in enumerate(cells) if c.source == exc.source), exc.cell_index)
        first = next((ln.strip() for ln in exc.source.splitlines() if ln.strip()), "")
        evalue = (exc.evalue or "").splitlines()[0] if exc.evalue else ""
        return (f"juesuan: report failed: {nb.name}: cell {position} ("
                f"`{first[:60]}`): {exc.ename}: {evalue}")
    return f"juesuan: report failed: {nb.name}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


PLOTLY_JS = TEMPLATES / "vendor" / "plotly-cartesian.min.js"  # plotly.js's cartesian bundle: bar, box, scatter
CSS = TEMPLATES / "report.css"


def draws_chart(nb) -> bool:
    """Whether an executed notebook shows a plotly chart (only such a page carries plotly.js)."""
    return any(PLOTLY_MIME in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


class _Exporter:
    """nbconvert HTML export with the offline template: code hidden, title set, plotly.js inlined where drawn."""

    def __init__(self):
        from nbconvert import HTMLExporter

        self.exporter = HTMLExporter(
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            language_code="zh",
        )
        self.plotly_js = PLOTLY_JS.read_text(encoding="utf-8")
        self.css = CSS.read_text(encoding="utf-8")

    def export(self, executed: Path, title: str, nav: str) -> Path:
        import nbformat

        nb = nbformat.read(executed, as_version=4)
        _drop_reset(nb)
        nb.metadata["title"] = title
        _atomic_write(executed, nbformat.writes(nb))  # the copy kept for review: as the author wrote it, run
        for cell in nb.cells:  # kernel warnings are for the developer, not the memo
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
        resources = {"plotly_js": self.plotly_js if draws_chart(nb) else "", "juesuan_css": self.css,
                     "juesuan_nav": nav, "metadata": {"name": title}}
        body, _ = self.exporter.from_notebook_node(nb, resources=resources)
        out = executed.with_suffix(".html")
        _atomic_write(out, body)
        return out


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _nav(doc: dict[str, Any]) -> str:
    """A line above the notebook: back to the index, which disclosure this is (all escaped)."""
    where = " ".join(x for x in [esc(doc.get("department")), esc(doc.get("year")) and f"{esc(doc.get('year'))} 年度"] if x)
    return (f'<nav class="juesuan-nav"><a href="index.html">← 报告目录</a> · {where} · '
            f'<span class="src">{esc(Path(str(doc.get("source_path", ""))).name)}</span></nav>')


# --------------------------------------------------------------------------------------------------------------
# Index pages: one per disclosure, one across the disclosures of an output folder
# --------------------------------------------------------------------------------------------------------------

SUMMARY_FILE = "summary.json"  # what the cross-department index reads from each report folder
TEXT_FILE = "text.txt"  # the text the PDF reader produced, numbered as reports cite it
INDEX_FINDINGS = 5

REPORT_BLURBS = {  # what each report answers, shown beside its link
    "01_yoy_change": "文本中的同比表述重算；有往年公开时逐项跨年度对比",
    "02_budget_vs_actual": "决算与年初预算、“三公”经费、机关运行经费、项目执行率",
    "03_target_deviation": "绩效指标的完成值与目标值、按规则重算的得分",
    "04_consistency_checks": "勾稽关系：错误、警告、提示，均附证据页码",
    "05_departments": "同一年度各部门并列比较",
}


def _page(html_: str, title: str, body: str) -> str:
    css = CSS.read_text(encoding="utf-8")
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
            f"<style>{css}</style></head><body>{html_}<main>{body}</main></body></html>\n")


def _summary(disclosure) -> dict[str, Any]:
    """What the index page shows about a disclosure."""
    doc = disclosure.document.iloc[0].to_dict()
    doc["counts"] = {name: len(df) for name, df in disclosure.tables().items() if name != "document"}
    doc["doc_id"] = disclosure.doc_id
    return doc


def _findings_summary(disclosure) -> dict[str, Any]:
    """Failed checks by severity and the top findings (sentences with pages), for the index pages."""
    from .checks import findings, run_checks
    from .highlights import cited

    checks = run_checks(disclosure)
    f = findings(checks)
    return {
        "severity": {s: int((f["severity"] == s).sum()) for s in labels.SEVERITIES},
        "top": [{"text": cited(str(r.finding), r.rule_id, disclosure), "severity": r.severity}
                for r in f.head(INDEX_FINDINGS).itertuples(index=False)],
        "n_checks": len(checks),
        "n_pass": int((checks["status"] == "pass").sum()),
        "n_not_assessable": int((checks["status"] == "not_assessable").sum()),
    }


def _warning_rows(disclosure) -> str:
    """The parser's warnings in Chinese with their page and line (the English message in a tooltip)."""
    w = disclosure.warnings
    if w.empty:
        return "<p>解析器没有提出警告。</p>"
    rows = "".join(
        f'<tr><td>{esc(labels.STAGES.get(r.stage, "解析"))}</td><td title="{esc(r.message)}">'
        f"{esc(labels.warning_text(r.message))}</td><td class=\"src\">{esc(labels.cite(r.page, r.source_line))}</td></tr>"
        for r in w.itertuples(index=False))
    return (f'<table class="juesuan-table"><thead><tr><th>环节</th><th>内容</th><th>出处</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _index_html(doc: dict[str, Any], entries: list[tuple[str, str, str]], found: dict[str, Any] | None = None,
                warnings_html: str = "", sizes: dict[str, int] | None = None, text_file: str = "") -> str:
    """The per-disclosure landing page: top findings, links to every report, parser warnings, document summary
    (all text escaped). The SHA-256 row is how `outdir.owner` knows whose folder this is."""
    found = found or {"severity": {}, "top": []}
    sizes = sizes or {}
    sev = found.get("severity", {})
    items = [f'<li><span class="sev sev-{esc(t["severity"])}">{esc(labels.SEVERITIES.get(t["severity"], ""))}</span>'
             f'{esc(t["text"])}</li>' for t in found.get("top", [])]
    counts_line = "、".join(f"{labels.SEVERITIES[s]} {labels.count(sev.get(s, 0))} 条" for s in labels.SEVERITIES)
    box = (f'<section class="juesuan-summary"><h2>主要发现</h2><ul>{"".join(items) or "<li>勾稽关系检查未发现不符。</li>"}</ul>'
           f'<p class="juesuan-note">勾稽关系不符（同一事实合并后）：{esc(counts_line)}；全部见“勾稽关系检查”报告与审计工作簿。</p></section>')
    links = "".join(
        f'<li class="{esc(status)}"><a href="{esc(href)}">{esc(title.split(" — ")[0])}</a>'
        f'{"" if status == "ok" else " <strong>（执行失败，见 .ipynb）</strong>"}'
        f' — {esc(REPORT_BLURBS.get(Path(href).stem, ""))}'
        f' <span class="juesuan-note">（{esc(labels.size(sizes.get(href, 0)))}）</span></li>'
        for href, title, status in entries
    )
    workbook = f"{doc.get('doc_id')}-audit.xlsx"
    extra = (f'<li><a href="{esc(workbook)}">审计工作簿（Excel，由 juesuan export 写入）</a> — 发现汇总（链接到证据行）、检查结果、同比、预决算对比、'
             f"绩效偏差、九张决算表（按原表排列）及全部明细表</li>")
    if text_file:
        extra += (f'<li><a href="{esc(text_file)}">读取的原文文本</a> — PDF 读出的文字，每行带报告所引的行号，'
                  f"按页分隔</li>")
    rows = [
        ("部门", doc.get("department")), ("年度", doc.get("year")), ("文件", Path(str(doc.get("source_path", ""))).name),
        ("类型", labels.SOURCE_KINDS.get(str(doc.get("source_kind")), doc.get("source_kind"))),
        ("SHA-256", doc.get("sha256")), ("行数", labels.count(doc.get("n_lines"))), ("页数", labels.count(doc.get("n_pages"))),
        ("已识别部分", labels.codes(doc.get("parts_found"), labels.PARTS)),
        ("缺少部分", labels.codes(doc.get("parts_missing"), labels.PARTS) or "无"),
        ("已识别决算表", labels.codes(doc.get("tables_found"), labels.STATEMENTS) or "无"),
        ("未读取决算表（图片或缺失）", labels.codes(doc.get("tables_absent"), labels.STATEMENTS) or "无"),
        ("空表（无数据）", labels.codes(doc.get("tables_empty"), labels.STATEMENTS) or "无"),
        ("解析器版本", doc.get("parser_version")),
    ]
    summary = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    counts = "".join(f"<tr><th>{esc(labels.TABLES.get(k, k))}</th><td class=\"num\">{esc(labels.count(v))}</td></tr>"
                     for k, v in doc.get("counts", {}).items())
    name = f"{esc(doc.get('department') or '')} {esc(doc.get('year') or '')} 年度部门决算 · 审计分析报告"
    n_warn = int(doc.get("n_warnings") or 0)
    body = f"""<h1>{name}</h1>
{box}
<h2>报告</h2><ul>{links}{extra}</ul>
<h2>解析警告（{labels.count(n_warn)} 条）</h2>{warnings_html}
<h2>文件概要</h2><table class="juesuan-table">{summary}</table>
<details class="juesuan-appendix"><summary>附录：各表解析行数</summary><table class="juesuan-table">{counts}</table></details>
<p class="juesuan-note">由 juesuan {esc(config.PARSER_VERSION)} 生成；离线文件，无需网络。
页码为原文件的页码；行号为{"PDF 读出的文本（见上）" if text_file else "原文本文件"}的行号。</p>"""
    nav = '<nav class="juesuan-nav"><a href="../index.html">← 全部部门</a></nav>'
    return _page(nav, name, body)


def source_text(path: str | Path) -> str | None:
    """The text the PDF reader produced, one numbered line each as reports cite them (第 N 行), a marker line at
    each page: so that a line number of a PDF can be looked up. None for text input (its own lines are cited)."""
    from .read import read_source
    from .safe import xml_text

    src = read_source(path)
    if src.kind != "pdf":
        return None
    out, page = [f"# {Path(str(path)).name}: 由 juesuan {config.PARSER_VERSION} 读出的文字；每行：行号、制表符、文字。"], None
    for line in src.lines:
        if line.page != page:
            page = line.page
            out.append(f"==== 第 {page} 页 ====")
        out.append(f"{line.no}\t{xml_text(line.text)[0]}")
    return "\n".join(out) + "\n"


def write_text(path: str | Path, target: Path) -> Path | None:
    """`source_text` written to `target` (None for text input)."""
    text = source_text(path)
    if text is None:
        return None
    _atomic_write(target, text)
    return target


def store_text(path: str | Path, disclosure, doc_dir: Path) -> Path | None:
    """A PDF's text beside its tables in data/processed/<doc_id>/, written under the output folder's lock (as
    `panel.store_checks` writes checks.parquet): no other run swaps the folder or cleans its temporary files
    meanwhile. None for text input, or when the folder holds another document by then."""
    from . import outdir

    text = source_text(path)  # the slow part, outside the lock
    if text is None:
        return None
    doc_dir = Path(doc_dir)
    with outdir.locked(doc_dir.parent):
        if outdir.owner(doc_dir) != str(disclosure.document["sha256"].iloc[0]):
            return None
        target = doc_dir / TEXT_FILE
        _atomic_write(target, text)
    return target


def write_index(out: Path) -> Path:
    """reports/index.html: every disclosure with a report set in `out`: department, year, findings by severity,
    the top finding, links. Rebuilt from each folder's summary.json (under the output folder's lock)."""
    rows = []
    for f in sorted(Path(out).glob(f"*/{SUMMARY_FILE}")):
        try:
            s = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        rows.append((f.parent.name, s))
    rows.sort(key=lambda r: (str(r[1].get("department") or ""), -(r[1].get("year") or 0), r[0]))
    total = {s: sum(int(r[1].get("severity", {}).get(s, 0)) for r in rows) for s in labels.SEVERITIES}
    body_rows = []
    for doc_id, s in rows:
        sev = s.get("severity", {})
        top = (s.get("top") or [{}])[0]
        tag = (f'<span class="sev sev-{esc(top.get("severity"))}">{esc(labels.SEVERITIES.get(top.get("severity"), ""))}</span>'
               if top.get("severity") else "")
        links = " · ".join(f'<a href="{esc(doc_id)}/{esc(h)}">{esc(t)}</a>' for h, t in s.get("reports", []))
        workbook = Path(out) / doc_id / f"{doc_id}-audit.xlsx"
        if workbook.exists():
            links += f' · <a href="{esc(doc_id)}/{esc(workbook.name)}">审计工作簿</a>'
        body_rows.append(
            f'<tr><td><a href="{esc(doc_id)}/index.html">{esc(s.get("department") or doc_id)}</a></td>'
            f'<td class="num">{esc(s.get("year") or "")}</td>'
            + "".join(f'<td class="num">{esc(labels.count(sev.get(k, 0)))}</td>' for k in labels.SEVERITIES)
            + f'<td class="txt">{tag}{esc(top.get("text", "未发现不符"))}</td><td class="txt">{links}</td></tr>')
    n_docs = len(rows)
    summary_items = [f"共 {labels.count(n_docs)} 份公开（{labels.count(len({r[1].get('department') for r in rows}))} 个部门）；"
                     f"勾稽关系不符合计：" + "、".join(f"{labels.SEVERITIES[k]} {labels.count(v)} 条" for k, v in total.items()) + "。"]
    worst = [r for r in rows if r[1].get("top")]
    worst.sort(key=lambda r: ["error", "warning", "info"].index(r[1]["top"][0].get("severity", "info"))
               if r[1]["top"][0].get("severity") in labels.SEVERITIES else 3)
    summary_items += [f"{r[1].get('department') or r[0]}：{r[1]['top'][0]['text']}" for r in worst[:5]]
    box = ('<section class="juesuan-summary"><h2>主要发现</h2><ul>'
           + "".join(f"<li>{esc(t)}</li>" for t in summary_items) + "</ul></section>")
    head = "".join(f"<th>{esc(h)}</th>" for h in ["部门", "年度", "错误", "警告", "提示", "最重要的发现", "报告"])
    body = (f"<h1>部门决算审计分析报告 · 目录</h1>{box}<h2>全部公开</h2>"
            f'<table class="juesuan-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body_rows)}</tbody></table>'
            f'<p class="juesuan-note">由 juesuan {esc(config.PARSER_VERSION)} 生成；离线文件，无需网络。</p>')
    target = Path(out) / "index.html"
    _atomic_write(target, _page("", "部门决算审计分析报告 · 目录", body))
    return target


def run_reports(paths: Sequence[str], prior: Sequence[str], out: Path, limits=None,
                parameters: dict[str, Any] | None = None) -> int:
    """Run every notebook on every disclosure into out/<doc_id>/ (executed .ipynb + .html) plus an index.html.

    Each disclosure's report set is built in a staging folder and swapped in whole (juesuan.outdir), under the
    output folder's lock: a killed run leaves the previous reports, never a mixture. Returns 0 on success, 1 when
    a notebook failed (one line per failure on stderr), 2 for unusable input.
    """
    import nbformat

    from . import outdir
    from .batch import each, say

    _register_engine()
    from dataclasses import asdict

    from .limits import Limits

    # the bounds reach a notebook that must parse (when processed_dir does not hold the document's tables)
    parameters = {"limits": asdict(limits or Limits()), **(parameters or {})}
    # Failures are reported as one line each below; papermill's own log lines would only repeat them.
    pm_log = logging.getLogger("papermill")
    pm_level, pm_log.level = pm_log.level, logging.CRITICAL
    out = Path(out)
    books = notebooks()
    titles = {nb: notebook_title(nbformat.read(nb, as_version=4)) or nb.stem for nb in books}
    kernel = _process_kernel() or _Kernel()
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        exporter_future: Future = pool.submit(_Exporter)

        def report(path: str, disclosure) -> int:
            doc = _summary(disclosure)
            found = _findings_summary(disclosure)
            with outdir.claim(out, disclosure.doc_id, str(doc["sha256"])) as place:
                doc["doc_id"] = place.doc_id
                stage = outdir.staging(place.out, place.doc_id)
                try:
                    text = write_text(path, stage / TEXT_FILE)
                    entries: list[tuple[str, str, str]] = []
                    status = _run_books(path, prior, doc, stage, books, titles, kernel, pool, exporter_future,
                                        parameters, entries)
                    sizes = {href: (stage / href).stat().st_size for href, _, _ in entries}
                    (stage / "index.html").write_text(
                        _index_html(doc, entries, found, _warning_rows(disclosure), sizes, text.name if text else ""),
                        encoding="utf-8")
                    _atomic_write(stage / SUMMARY_FILE, json.dumps(
                        {"department": doc.get("department"), "year": _int(doc.get("year")), **found,
                         "reports": [(href, title.split(" — ")[0]) for href, title, ok in entries if ok == "ok"]},
                        ensure_ascii=False, indent=1))
                    _carry_over(place.target, stage, place.doc_id)
                except BaseException:
                    shutil.rmtree(stage, ignore_errors=True)
                    raise
                outdir.swap(stage, place.target)
                write_index(place.out)
            say(f"{path} → {place.target / 'index.html'}")
            return status

        return each(paths, report, limits)
    finally:
        pool.shutdown(wait=True)
        if kernel is not _KEEP.get("kernel"):
            kernel.close()
        pm_log.setLevel(pm_level)


def _carry_over(target: Path, stage: Path, doc_id: str) -> None:
    """The audit workbook `export` wrote beside this document's reports stays with the new report set."""
    workbook = config.workbook_path(doc_id, target.parent)
    if workbook.exists():
        try:
            os.link(workbook, stage / workbook.name)
        except OSError:
            shutil.copy2(workbook, stage / workbook.name)


def _int(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def _progress(total: int, label: str):
    """One line per document on a terminal (stderr), advanced per notebook; None elsewhere (a pipe, a pool
    worker, a test)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="份报告", file=sys.stderr, leave=True, dynamic_ncols=True,
                bar_format="{desc}: {n}/{total} {bar} [{elapsed}]{postfix}")


def _run_books(path: str, prior: Sequence[str], doc: dict[str, Any], doc_dir: Path, books: list[Path],
               titles: dict[Path, str], kernel: _Kernel, pool: ThreadPoolExecutor, exporter_future: Future,
               parameters: dict[str, Any] | None = None, entries: list | None = None) -> int:
    """Execute and export every notebook for one disclosure into doc_dir; appends (href, title, ok) per report to
    `entries`; returns the status (0, or 1 when a notebook failed)."""
    import papermill as pm

    from .batch import say
    from .safe import terminal

    status = 0
    label = " ".join(str(x) for x in [doc.get("department") or "", f"{doc['year']} 年度" if doc.get("year") else ""]).strip()
    params = {
        "disclosure": str(Path(path).resolve()),
        "prior": [str(Path(p).resolve()) for p in prior if Path(p).resolve() != Path(path).resolve()],
        "processed_dir": str(config.DATA_PROCESSED),
        **(parameters or {}),  # more notebook parameters (allow_other_department, …)
    }
    exports: list[tuple[Future, str, str]] = []
    bar = _progress(len(books), terminal(doc.get("doc_id") or Path(path).name))
    for nb in books:
        if bar is not None:
            bar.set_postfix_str(nb.stem)
        executed = doc_dir / nb.name
        title = f"{titles[nb]} — {label}" if label else titles[nb]
        ok = "ok"
        try:
            pm.execute_notebook(
                _with_reset(nb), str(executed), parameters=params, kernel_name="python3", km=kernel.km,
                engine_name=ENGINE, execution_timeout=CELL_TIMEOUT, progress_bar=False,
            )
        except Exception as exc:  # papermill keeps the partial notebook; report one line and go on
            say(_failure_line(nb, exc), err=True)
            status = max(status, 1)
            ok = "failed"
            kernel.ensure_alive()
            if not executed.exists():
                continue
        nav = _nav(doc)
        fut = pool.submit(lambda e=executed, t=title, n=nav: exporter_future.result().export(e, t, n))
        exports.append((fut, title, ok))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.set_postfix_str("完成")
        bar.close()
    entries = entries if entries is not None else []
    for fut, title, ok in exports:
        try:
            entries.append((fut.result().name, title, ok))
        except Exception as exc:  # an export failure is one line too, never a traceback
            say(f"juesuan: report failed: HTML export of {title}: {type(exc).__name__}: {exc}", err=True)
            status = max(status, 1)
    return status


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
