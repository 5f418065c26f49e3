"""Timing helpers every bench module uses (`bench`, `bench_batch`, `bench_ocr`): medians of repeated runs, and
papermill's own floor. A module of its own so that the bench modules import it and not each other."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up: imports, caches
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def paired_medians(fn: Callable[[], object], ref: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Medians of fn and ref run in turn: a load that comes and goes on a shared machine weighs on both
    alike, so their ratio holds better than with one measured after the other."""
    fn(), ref()  # warm-up: imports, caches
    runs: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for f, out in ((fn, runs[0]), (ref, runs[1])):
            t = time.perf_counter()
            f()
            out.append(time.perf_counter() - t)
    return statistics.median(runs[0]), statistics.median(runs[1])


def papermill_floor(n: int, cli: bool) -> float:
    """Wall time papermill needs for n empty notebooks: the floor any notebook report stands on.
    `cli`: as n `papermill` commands (what a user runs); else n calls in this process."""
    import nbformat

    with tempfile.TemporaryDirectory() as tmp:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        src = Path(tmp) / "empty.ipynb"
        nbformat.write(nb, src)
        t = time.perf_counter()
        for i in range(n):
            out = str(Path(tmp) / f"out{i}.ipynb")
            if cli:
                subprocess.run(
                    [sys.executable, "-m", "papermill", str(src), out, "-k", "python3", "--no-progress-bar"],
                    check=True,
                    capture_output=True,
                )
            else:
                import papermill

                papermill.execute_notebook(str(src), out, kernel_name="python3", progress_bar=False)
        return time.perf_counter() - t
