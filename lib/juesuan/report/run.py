"""Run every analysis notebook with papermill and export self-contained, offline HTML.

Why one shared kernel: starting a kernel costs more than running our notebooks, so all notebooks of a run
execute in one `python3` kernel (a hidden first cell resets the namespace; imports and the parsed disclosure
stay cached), while HTML export of the previous notebook overlaps with execution of the next.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .. import config, labels, outdir
from ..batch import each, say
from ..limits import Limits
from ..outdir import atomic_write
from ..safe import terminal
from ..write import source_text
from .display import CSS, PLOTLY_MIME, TEMPLATES
from .index import (
    SUMMARY_FILE,
    TEXT_FILE,
    document_page,
    findings_summary,
    notebook_nav,
    summary,
    warning_rows,
    write_index,
)

TEMPLATE_NAME = "juesuan_offline"


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
    """Remove socket folders of runs that were killed (named juesuan-kernel-<pid>-…, the pid no longer
    alive)."""
    for d in Path(tempfile.gettempdir()).glob(f"{KERNEL_PREFIX}*"):
        pid = d.name[len(KERNEL_PREFIX) :].split("-", 1)[0]
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
        self.km = AsyncKernelManager(
            kernel_name="python3", transport="ipc", ip=os.path.join(self._sockets, "k")
        )
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
    worker, not once per document. Closed by a multiprocessing finalizer, which also runs when a worker
    process exits (atexit handlers do not run there)."""
    _KEEP.setdefault("kernel", None)


def _process_kernel() -> _Kernel | None:
    """The kept kernel (started on first use, restarted if it died), or None when keep_kernel() was not
    called."""
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
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            client = PapermillNotebookClient(
                nb_man,
                km=kwargs["km"],
                kernel_name=kernel_name,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
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

        # Number the cell as the author sees it (1-based, in the source notebook without papermill's injected
        # cell).
        cells = nbformat.read(nb, as_version=4).cells
        position = next((i + 1 for i, c in enumerate(cells) if c.source == exc.source), exc.cell_index)
        first = next((ln.strip() for ln in exc.source.splitlines() if ln.strip()), "")
        evalue = (exc.evalue or "").splitlines()[0] if exc.evalue else ""
        return f"juesuan: report failed: {nb.name}: cell {position} (`{first[:60]}`): {exc.ename}: {evalue}"
    return (
        f"juesuan: report failed: {nb.name}: {type(exc).__name__}: "
        f"{str(exc).splitlines()[0] if str(exc) else ''}"
    )


PLOTLY_JS = (
    TEMPLATES / "vendor" / "plotly-cartesian.min.js"
)  # plotly.js's cartesian bundle: bar, box, scatter


def draws_chart(nb) -> bool:
    """Whether an executed notebook shows a plotly chart (only such a page carries plotly.js)."""
    return any(
        PLOTLY_MIME in o.get("data", {})
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )


class _Exporter:
    """nbconvert HTML export with the offline template: code hidden, title set, plotly.js inlined where
    drawn."""

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
        atomic_write(executed, nbformat.writes(nb))  # the copy kept for review: as the author wrote it, run
        for cell in nb.cells:  # kernel warnings are for the developer, not the memo
            if cell.cell_type == "code":
                cell.outputs = [
                    o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
                ]
        resources = {
            "plotly_js": self.plotly_js if draws_chart(nb) else "",
            "juesuan_css": self.css,
            "juesuan_nav": nav,
            "metadata": {"name": title},
        }
        body, _ = self.exporter.from_notebook_node(nb, resources=resources)
        out = executed.with_suffix(".html")
        atomic_write(out, body)
        return out


def write_text(path: str | Path, target: Path, disclosure=None) -> Path | None:
    """`source_text` written to `target` (None for text input)."""
    text = source_text(path, disclosure)
    if text is None:
        return None
    atomic_write(target, text)
    return target


def run_reports(
    paths: Sequence[str],
    prior: Sequence[str],
    out: Path,
    limits=None,
    parameters: dict[str, Any] | None = None,
) -> int:
    """Run every notebook on every disclosure into out/<doc_id>/ (executed .ipynb + .html) plus an index.html.

    Each disclosure's report set is built in a staging folder and swapped in whole (juesuan.outdir), under the
    output folder's lock: a killed run leaves the previous reports, never a mixture. Returns 0 on success, 1
    when a notebook failed (one line per failure on stderr), 2 for unusable input.
    """
    import nbformat

    _register_engine()
    from dataclasses import asdict

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
            doc = summary(disclosure)
            found = findings_summary(disclosure)
            with outdir.claim(out, disclosure.doc_id, str(doc["sha256"])) as place:
                doc["doc_id"] = place.doc_id
                stage = outdir.staging(place.out, place.doc_id)
                try:
                    text = write_text(path, stage / TEXT_FILE, disclosure)
                    entries: list[tuple[str, str, str]] = []
                    status = _run_books(
                        path,
                        prior,
                        doc,
                        stage,
                        books,
                        titles,
                        kernel,
                        pool,
                        exporter_future,
                        parameters,
                        entries,
                    )
                    sizes = {href: (stage / href).stat().st_size for href, _, _ in entries}
                    (stage / "index.html").write_text(
                        document_page(
                            doc, entries, found, warning_rows(disclosure), sizes, text.name if text else ""
                        ),
                        encoding="utf-8",
                    )
                    atomic_write(
                        stage / SUMMARY_FILE,
                        json.dumps(
                            {
                                "department": doc.get("department"),
                                "year": _int(doc.get("year")),
                                **found,
                                "reports": [
                                    (href, title.split(" — ")[0]) for href, title, ok in entries if ok == "ok"
                                ],
                            },
                            ensure_ascii=False,
                            indent=1,
                        ),
                    )
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
    return None if labels.missing(value) else int(value)


def _progress(total: int, label: str):
    """One line per document on a terminal (stderr), advanced per notebook; None elsewhere (a pipe, a pool
    worker, a test)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=label,
        unit="份报告",
        file=sys.stderr,
        leave=True,
        dynamic_ncols=True,
        bar_format="{desc}: {n}/{total} {bar} [{elapsed}]{postfix}",
    )


def _run_books(
    path: str,
    prior: Sequence[str],
    doc: dict[str, Any],
    doc_dir: Path,
    books: list[Path],
    titles: dict[Path, str],
    kernel: _Kernel,
    pool: ThreadPoolExecutor,
    exporter_future: Future,
    parameters: dict[str, Any] | None = None,
    entries: list | None = None,
) -> int:
    """Execute and export every notebook for one disclosure into doc_dir; appends (href, title, ok) per
    report to `entries`; returns the status (0, or 1 when a notebook failed)."""
    import papermill as pm

    status = 0
    label = " ".join(
        str(x) for x in [doc.get("department") or "", f"{doc['year']} 年度" if doc.get("year") else ""]
    ).strip()
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
                _with_reset(nb),
                str(executed),
                parameters=params,
                kernel_name="python3",
                km=kernel.km,
                engine_name=ENGINE,
                execution_timeout=CELL_TIMEOUT,
                progress_bar=False,
            )
        except Exception as exc:  # papermill keeps the partial notebook; report one line and go on
            say(_failure_line(nb, exc), err=True)
            status = max(status, 1)
            ok = "failed"
            kernel.ensure_alive()
            if not executed.exists():
                continue
        nav = notebook_nav(doc)
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
