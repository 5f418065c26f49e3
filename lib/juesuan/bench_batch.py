"""`make bench` rows for many documents: the batch of 100, report time per document with one kernel, and the
scaling curve on the process pool and on a Dask LocalCluster (1, 10, 100, 1000 documents, projected to
100,000).

Measured as the commands a user runs (`juesuan parse …`), wall time and the peak memory of the whole process
tree (sampled), on copies of the seed text. Options: --scale 1,10,100 (the sizes), --no-batch (skip these
rows).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .batch import load_bounded
from .bench_timing import median_seconds, papermill_floor
from .checks import run_checks
from .config import DATA_RAW
from .limits import Limits, using
from .pipeline import disclosure, read_document
from .report import notebooks, run_reports
from .schemas import MODELS, validate
from .write import write_document

SIZES = (1, 10, 100, 1000)
BATCH = 100
BATCH_GOAL_S = 15.0
PROJECT_TO = 100_000


def _copies(n: int, folder: Path) -> list[Path]:
    """n seed-sized text disclosures: the seed under n file names (each its own doc_id)."""
    seed = sorted(DATA_RAW.glob("*.txt"))[0]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"bench-{i:05d}.txt"
        if not p.exists():
            shutil.copyfile(seed, p)
        out.append(p)
    return out


def timed(cmd: list[str]) -> tuple[float, float, int, float]:
    """Wall seconds, peak resident memory (MB) of the process and all its children, exit status, and CPU
    seconds of the whole process tree (each process's last sample, so also the readers a forkserver starts,
    which this process never reaps; a fair measure on a busy machine)."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, cpu = 0, {}
    try:
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                tree = []
            rss = 0
            for p in tree:
                try:
                    with p.oneshot():
                        rss += p.memory_info().rss
                        t = p.cpu_times()
                        cpu[(p.pid, p.create_time())] = t.user + t.system
                except psutil.Error:
                    pass
            peak = max(peak, rss)
            time.sleep(0.05)
    finally:
        proc.wait()
    return time.perf_counter() - start, peak / 2**20, proc.returncode, sum(cpu.values())


def _parse_cmd(paths: list[Path], out: Path, dask: bool) -> list[str]:
    return [
        sys.executable,
        "-m",
        "juesuan",
        "parse",
        *map(str, paths),
        "--out",
        str(out),
        *(["--dask"] if dask else []),
    ]


def per_document() -> list[tuple]:
    """Where one document's time goes, in process: the read as a pool worker does it (in its own process,
    within the bounds), the same through the single-document path's reader process, checks, the validation
    before writing (fast path, and pandera itself for comparison), write (median of 5)."""
    seed = sorted(DATA_RAW.glob("*.txt"))[0]
    d = load_bounded(seed)
    tables = d.tables()

    def in_worker():
        with using(Limits()):
            return disclosure(read_document(seed))

    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            (
                seed.name,
                "  per doc: read into tables, as a pool worker",
                median_seconds(in_worker, 5),
                "via the reader process",
                median_seconds(lambda: load_bounded(seed), 5),
                "",
            ),
            (seed.name, "  per doc: checks", median_seconds(lambda: run_checks(d), 5), "", None, ""),
            (
                seed.name,
                "  per doc: validate (fast path)",
                median_seconds(lambda: [validate(n, df) for n, df in tables.items()], 5),
                "pandera",
                median_seconds(lambda: [MODELS[n].validate(df) for n, df in tables.items()], 5),
                "",
            ),
            (
                seed.name,
                "  per doc: write CSV+Parquet, no checks",
                median_seconds(lambda: write_document(seed, d, Path(tmp), with_checks=False), 5),
                "",
                None,
                "",
            ),
        ]
    return rows


def batch_rows() -> list[tuple]:
    """100 seed-sized disclosures, parse + check + write on the pool (all cores), with 10 for the memory."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = _copies(BATCH, tmp / "in")
        _, small_mb, _, _ = timed(_parse_cmd(paths[:10], tmp / "out10", dask=False))
        load = os.getloadavg()[0]  # the wall time depends on what else runs: CPU seconds do not
        secs, mb, status, cpu = timed(_parse_cmd(paths, tmp / "out", dask=False))
        verdict = (
            ("ok" if secs <= BATCH_GOAL_S else "over goal")
            + f"; cpu {cpu:.1f} s ({cpu / BATCH:.3f} s a doc); load {load:.2f} before; peak {mb:.0f} MB "
            f"(10 docs: {small_mb:.0f} MB)"
        )
        rows.append(
            (
                f"{BATCH} × seed text",
                "parse+check+write, pool",
                secs,
                f"goal ≤ {BATCH_GOAL_S:g} s",
                None,
                verdict if status in (0, 1) else f"exit {status}",
            )
        )
    return rows + per_document()


def report_rows(n_docs: int = 4) -> list[tuple]:
    """`run_reports` over n documents (one kernel): seconds per document against the papermill floor."""
    n = len(notebooks())
    with tempfile.TemporaryDirectory() as tmp:
        paths = _copies(n_docs, Path(tmp) / "in")
        t = time.perf_counter()
        run_reports([str(p) for p in paths], prior=[], out=Path(tmp) / "out")
        per_doc = (time.perf_counter() - t) / n_docs
    floor = papermill_floor(n, cli=True)
    return [
        (
            f"{n_docs} × seed text",
            f"  report per doc, one kernel ({n} nb)",
            per_doc,
            f"`papermill` command × {n} (empty nb)",
            floor,
            f"ratio {per_doc / floor:.2f} (goal ≤ 1.0)",
        )
    ]


def scaling_rows(sizes=SIZES) -> list[tuple]:
    """Wall time of `juesuan parse` (with checks) over n copies, on the pool and on a Dask LocalCluster."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = _copies(max(sizes), tmp / "in")
        for dask in (False, True):
            label = "Dask LocalCluster" if dask else "process pool"
            runs = []
            for n in sizes:
                out = tmp / f"out-{label[:4]}-{n}"
                secs, mb, status, cpu = timed(_parse_cmd(paths[:n], out, dask))
                shutil.rmtree(out, ignore_errors=True)
                rows.append(
                    (
                        f"{n} × seed text",
                        f"  {label}",
                        secs,
                        "",
                        None,
                        f"{n / secs:.1f} docs/s, cpu {cpu:.0f} s, peak {mb:.0f} MB"
                        + ("" if status in (0, 1) else f", exit {status}"),
                    )
                )
                runs.append((n, secs))
            (n0, t0), (n1, t1) = ([(0, 0.0)] + runs)[-2:]
            per_doc = (t1 - t0) / (n1 - n0)  # the marginal cost: start-up counted once, in the largest run
            projected = t1 + (PROJECT_TO - n1) * per_doc
            rows.append(
                (
                    f"{PROJECT_TO:,} (projected)",
                    f"  {label}",
                    projected,
                    f"{n0}→{n1} docs: {per_doc:.3f} s/doc",
                    None,
                    f"{projected / 3600:.1f} h on this machine",
                )
            )
    return rows


def rows(argv: list[str]) -> list[tuple]:
    """The rows `juesuan.bench` prints for many documents (none with --no-batch)."""
    if "--no-batch" in argv:
        return []
    sizes = SIZES
    if "--scale" in argv:
        sizes = tuple(int(x) for x in argv[argv.index("--scale") + 1].split(","))
    out = batch_rows()
    if "--no-report" not in argv:
        out += report_rows()
    return out + scaling_rows(sizes)
