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
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import config

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


def _missing(value: Any) -> bool:
    """None, NaN, NaT and pandas.NA (whose truth value raises TypeError: `NA == NA` is NA, not False)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value)) if pd.api.types.is_scalar(value) else False
    except (TypeError, ValueError):
        return False


def _fmt(value: Any, spec: str | None) -> str:
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if spec and isinstance(value, int | float):
        return format(value, spec)
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def table(df, columns: dict[str, str] | None = None, formats: dict[str, str] | None = None,
          highlight: str | None = None, max_rows: int = 500) -> Html:
    """A DataFrame as an escaped HTML table; `columns` maps column → Chinese header (and picks/orders them).

    `highlight` names a boolean (or non-empty string) column: its true rows are marked for the reader.
    """
    columns = columns or {c: c for c in df.columns}
    formats = formats or {}
    if df is None or len(df) == 0:
        return Html('<p class="juesuan-empty">（无数据）</p>')
    head = "".join(f"<th>{esc(label)}</th>" for label in columns.values())
    rows = []
    for _, r in df.head(max_rows).iterrows():
        mark = bool(r[highlight]) if highlight and highlight in r and not _missing(r[highlight]) else False
        cells = "".join(
            f'<td class="{"num" if isinstance(r[c], int | float) and not isinstance(r[c], bool) else "txt"}">'
            f"{esc(_fmt(r[c], formats.get(c)))}</td>"
            for c in columns
        )
        rows.append(f'<tr class="flag">{cells}</tr>' if mark else f"<tr>{cells}</tr>")
    more = f'<p class="juesuan-note">仅显示前 {max_rows} 行，共 {len(df)} 行。</p>' if len(df) > max_rows else ""
    return Html(f'<table class="juesuan-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}')


def findings(sentences: Iterable[str], title: str = "主要发现") -> Html:
    """Plain sentences as an escaped bullet list."""
    items = "".join(f"<li>{esc(s)}</li>" for s in sentences)
    return Html(f'<div class="juesuan-findings"><h3>{esc(title)}</h3><ul>{items or "<li>无</li>"}</ul></div>')


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
    `Plotly.newPlot` call whose plotly.js the report template embeds once per page."""

    def __init__(self, data: list[dict], layout: dict, height: int = 420):
        layout = {"font": {"family": FONT}, "height": height, "margin": {"l": 60, "r": 30, "t": 50, "b": 60}} | layout
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
    """Bridge of a total's change (columns label, measure, value from `analysis.yoy.total_bridge`)."""
    if len(bridge) == 0:
        return _no_chart(title)
    vals = [float(v) for v in bridge["value"]]
    trace = {
        "type": "waterfall", "orientation": "v", "x": _labels(bridge["label"]), "y": vals,
        "measure": list(bridge["measure"]), "text": [f"{v:+.2f}" if m == "relative" else f"{v:.2f}"
                                                     for v, m in zip(vals, bridge["measure"], strict=True)],
        "textposition": "outside", "connector": {"line": {"color": "#999"}},
        "increasing": {"marker": {"color": "#c0392b"}}, "decreasing": {"marker": {"color": "#27ae60"}},
        "totals": {"marker": {"color": "#2c3e50"}},
    }
    return Figure([trace], {"title": {"text": esc(title)}, "yaxis": {"title": {"text": "万元"}}, "showlegend": False})


def budget_bars(df, label: str, budget: str, actual: str, title: str, pct: str | None = None) -> Figure | Html:
    """Bullet-style horizontal bars: a wide pale 预算 bar with the 决算/执行 bar inside it."""
    if len(df) == 0:
        return _no_chart(title)
    labels = _labels(df[label])
    text = [f"{p:.1f}%" if not _missing(p) else "" for p in df[pct]] if pct else None
    data = [
        {"type": "bar", "orientation": "h", "name": "预算", "y": labels, "x": _numbers(df[budget]),
         "marker": {"color": "#d5dbe3"}, "width": 0.8},
        {"type": "bar", "orientation": "h", "name": "决算/执行", "y": labels, "x": _numbers(df[actual]),
         "marker": {"color": "#2c6fbb"}, "width": 0.4, "text": text, "textposition": "outside"},
    ]
    layout = {"title": {"text": esc(title)}, "barmode": "overlay", "xaxis": {"title": {"text": "万元"}},
              "yaxis": {"autorange": "reversed", "automargin": True}, "legend": {"orientation": "h", "y": -0.15}}
    return Figure(data, layout, height=max(260, 60 + 26 * len(df)))


def _numbers(values) -> list[float | None]:
    """Chart values as floats, missing ones as None (pandas.NA is not JSON)."""
    return [None if _missing(v) else float(v) for v in values]


CLASS_COLORS = {"达成": "#2c6fbb", "远超目标": "#e67e22", "未完成": "#c0392b"}


def target_dots(df, title: str, warn: float = config.DEVIATION_WARN,
                strong: float = config.DEVIATION_STRONG) -> Figure | Html:
    """Target vs actual on log–log axes, one colour per class, with the y = x, y = warn·x and y = strong·x lines."""
    df = df[(df["target_value"] > 0) & (df["actual_value"] > 0)]
    if len(df) == 0:
        return _no_chart(title)
    data = []
    for cls, color in CLASS_COLORS.items():
        part = df[df["class_label"].eq(cls)]
        if len(part):
            hover = [f"{esc(p)}<br>{esc(n)}<br>目标 {esc(t)} → 完成 {esc(a)}" for p, n, t, a in
                     zip(part["project_name"], part["level3"], part["target_raw"], part["actual_raw"], strict=True)]
            data.append({"type": "scatter", "mode": "markers", "name": cls, "x": list(part["target_value"]),
                         "y": list(part["actual_value"]), "text": hover, "hoverinfo": "text",
                         "marker": {"color": color, "size": 9, "opacity": 0.75}})
    if len(df):
        lo = float(min(df["target_value"].min(), df["actual_value"].min())) / 1.5
        hi = float(max(df["target_value"].max(), df["actual_value"].max())) * 1.5
        for k, name, dash in [(1.0, "完成值 = 目标值", "solid"), (warn, f"{warn:g} 倍", "dot"),
                              (strong, f"{strong:g} 倍", "dash")]:
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


def _summary(disclosure) -> dict[str, Any]:
    """What the index page shows about a disclosure."""
    doc = disclosure.document.iloc[0].to_dict()
    doc["counts"] = {name: len(df) for name, df in disclosure.tables().items() if name != "document"}
    doc["doc_id"] = disclosure.doc_id
    return doc


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


class _Exporter:
    """nbconvert HTML export with the offline template: code hidden, title set, plotly.js inlined once."""

    def __init__(self):
        import plotly.offline
        from nbconvert import HTMLExporter

        self.exporter = HTMLExporter(
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        self.plotly_js = plotly.offline.get_plotlyjs()

    def export(self, executed: Path, title: str, nav: str) -> Path:
        import nbformat

        nb = nbformat.read(executed, as_version=4)
        _drop_reset(nb)
        nb.metadata["title"] = title
        _atomic_write(executed, nbformat.writes(nb))  # the copy kept for review: as the author wrote it, run
        for cell in nb.cells:  # kernel warnings are for the developer, not the memo
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
        body, _ = self.exporter.from_notebook_node(
            nb, resources={"plotly_js": self.plotly_js, "juesuan_nav": nav, "metadata": {"name": title}}
        )
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


def _index_html(doc: dict[str, Any], entries: list[tuple[str, str, str]]) -> str:
    """The per-disclosure landing page: document summary and links to every report (all text escaped)."""
    rows = [
        ("部门", doc.get("department")), ("年度", doc.get("year")), ("文件", doc.get("source_path")),
        ("类型", doc.get("source_kind")), ("SHA-256", doc.get("sha256")), ("行数", doc.get("n_lines")),
        ("页数", doc.get("n_pages")), ("已识别部分", doc.get("parts_found")), ("缺少部分", doc.get("parts_missing")),
        ("已识别表格", doc.get("tables_found")), ("无数据表格", doc.get("tables_absent")),
        ("解析警告", doc.get("n_warnings")), ("解析器版本", doc.get("parser_version")),
    ]
    summary = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    counts = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in doc.get("counts", {}).items())
    links = "".join(
        f'<li class="{esc(status)}"><a href="{esc(href)}">{esc(title)}</a>'
        f'{"" if status == "ok" else " <strong>（执行失败，见 .ipynb）</strong>"}'
        f' · <a href="{esc(Path(href).with_suffix(".ipynb").name)}">.ipynb</a></li>'
        for href, title, status in entries
    )
    name = f"{esc(doc.get('department') or '')} {esc(doc.get('year') or '')} 年度部门决算 · 审计分析报告"
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name}</title>
<style>body{{font-family:{FONT};max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}
table{{border-collapse:collapse;margin:1rem 0}}th,td{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;
vertical-align:top}}th{{background:#f3f5f8;white-space:nowrap}}td{{word-break:break-all}}li{{margin:.4rem 0}}
li.failed a:first-child{{color:#c0392b}}</style></head>
<body><h1>{name}</h1>
<h2>报告</h2><ul>{links}</ul>
<h2>文件概要</h2><table>{summary}</table>
<h2>解析结果（行数）</h2><table>{counts}</table>
<p>由 juesuan {esc(config.PARSER_VERSION)} 生成；离线文件，无需网络。</p>
</body></html>
"""


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
            with outdir.claim(out, disclosure.doc_id, str(doc["sha256"])) as place:
                doc["doc_id"] = place.doc_id
                stage = outdir.staging(place.out, place.doc_id)
                try:
                    status = _run_books(path, prior, doc, stage, books, titles, kernel, pool, exporter_future,
                                        parameters)
                    _carry_over(place.target, stage, place.doc_id)
                except BaseException:
                    shutil.rmtree(stage, ignore_errors=True)
                    raise
                outdir.swap(stage, place.target)
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
    from .export import workbook_path

    workbook = workbook_path(doc_id, target.parent)
    if workbook.exists():
        try:
            os.link(workbook, stage / workbook.name)
        except OSError:
            shutil.copy2(workbook, stage / workbook.name)


def _run_books(path: str, prior: Sequence[str], doc: dict[str, Any], doc_dir: Path, books: list[Path],
               titles: dict[Path, str], kernel: _Kernel, pool: ThreadPoolExecutor, exporter_future: Future,
               parameters: dict[str, Any] | None = None) -> int:
    """Execute and export every notebook for one disclosure into doc_dir, then write its index.html."""
    import papermill as pm

    from .batch import say

    status = 0
    label = " ".join(str(x) for x in [doc.get("department") or "", f"{doc['year']} 年度" if doc.get("year") else ""]).strip()
    params = {
        "disclosure": str(Path(path).resolve()),
        "prior": [str(Path(p).resolve()) for p in prior if Path(p).resolve() != Path(path).resolve()],
        "processed_dir": str(config.DATA_PROCESSED),
        **(parameters or {}),  # more notebook parameters (allow_other_department, …)
    }
    exports: list[tuple[Future, str, str]] = []
    for nb in books:
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
    entries = []
    for fut, title, ok in exports:
        try:
            entries.append((fut.result().name, title, ok))
        except Exception as exc:  # an export failure is one line too, never a traceback
            say(f"juesuan: report failed: HTML export of {title}: {type(exc).__name__}: {exc}", err=True)
            status = max(status, 1)
    (doc_dir / "index.html").write_text(_index_html(doc, entries), encoding="utf-8")
    return status
