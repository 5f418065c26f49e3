"""Many documents at once: a process pool on this machine (`--jobs`), or tasks on a Dask cluster (`--dask`).

Why a pool of whole commands: each document runs through exactly the code a single-document command runs (its
loading bounds, its one-line errors, its output), in a worker process; the parent only prints each document's
output in input order, shows progress, and returns the worst exit status. A document whose worker dies gets
one line and the others go on. In `report`, each worker keeps one kernel for all the documents it is given.

Why Dask for a province: the same per-document pipeline (parse, check) runs as tasks of `config.BATCH_CHUNK`
documents each, on as many machines as the scheduler has; each task writes one Parquet file per table and year
(`<out>/_panel/<table>/year=<year>/<part>.parquet`, read by `juesuan.panel`), so memory stays flat and no
single machine holds the sweep. Inputs and `--out` must be on storage every worker can read and write.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import itertools
import multiprocessing
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import config, schemas
from .batch import load_bounded
from .errors import InputError
from .identity import check_prior, identity
from .limits import Limits, using
from .panel import PANEL_DIR
from .pipeline import parse
from .safe import terminal
from .worker import Board, init_pool_worker, pool_slot, stopped_text, timeout_text

LOCAL = "local"  # `--dask` without an address: a LocalCluster on this machine


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _positive(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def add_options(parser: argparse.ArgumentParser, command: str) -> None:
    """The options of a subcommand that runs over many documents."""
    parser.add_argument(
        "--jobs",
        "-j",
        type=_positive,
        default=None,
        metavar="N",
        help=f"documents processed at once (default: one per core, here {default_jobs()})",
    )
    if command == "parse":
        parser.add_argument(
            "--dask",
            nargs="?",
            const=LOCAL,
            default=None,
            metavar="tcp://SCHEDULER",
            help="run on a Dask cluster (a LocalCluster when no address is given) and write the "
            "year-partitioned Parquet panel into --out/_panel",
        )
        parser.add_argument(
            "--no-checks",
            action="store_true",
            help="do not run the consistency checks (stored as checks.parquet for the panel)",
        )
    if command == "report":
        parser.add_argument(
            "--allow-other-department",
            action="store_true",
            help="compare with a --prior of another department on purpose (a warning, not a refusal)",
        )


def dispatch(args: argparse.Namespace) -> int:
    """Run a parsed command line: refuse a wrong --prior first, then one process, a pool, or Dask."""
    paths = list(getattr(args, "paths", None) or [])
    if args.command == "report" and getattr(args, "prior", None):
        status = check_priors(paths, args.prior, getattr(args, "allow_other_department", False))
        if status:
            return status
    if getattr(args, "dask", None):
        return run_dask(args)
    jobs = min(getattr(args, "jobs", None) or default_jobs(), len(paths))
    if jobs <= 1:
        return args.func(args)
    return run_pool(args, jobs)


# ---------------------------------------------------------------- the prior years given on the command line


def check_priors(paths: Sequence[str], priors: Sequence[str], allow_other_department: bool = False) -> int:
    """Every --prior must be an earlier year of the same department as at least one input: otherwise one line
    each and exit status 2, before anything runs. With `allow_other_department` another department is a
    warning."""

    def ident(path):
        try:
            return identity(load_bounded(path))
        except (InputError, OSError):
            return None  # an unusable input gets its one line from the command itself

    inputs = [i for i in (ident(p) for p in paths) if i is not None]
    status = 0
    for p in priors:
        prior = ident(p)
        if prior is None:
            try:
                load_bounded(p)
            except InputError as exc:
                print(terminal(f"juesuan: error: --prior {exc.path}: {exc.reason}"), file=sys.stderr)
            except OSError as exc:
                print(terminal(f"juesuan: error: --prior {p}: {exc.strerror or exc}"), file=sys.stderr)
            status = 2
            continue
        verdicts = [check_prior(cur, prior, allow_other_department) for cur in inputs]
        good = [v for v in verdicts if v.ok]
        if verdicts and not good:
            print(
                terminal(
                    f"juesuan: error: --prior {p}: not a prior year of the input: {verdicts[0].reason()}"
                    + (
                        ""
                        if allow_other_department
                        else "; --allow-other-department compares another department on purpose"
                    )
                ),
                file=sys.stderr,
            )
            status = 2
        for v in good:
            if v.warning:
                print(terminal(f"juesuan: warning: --prior {p}: {v.warning}"), file=sys.stderr)
    return status


# ---------------------------------------------------------------- progress


class Progress:
    """A progress bar on a terminal (stderr), nothing elsewhere; the documents' own lines are the log."""

    def __init__(self, total: int, label: str, stream=None):
        self.stream = stream or sys.stderr
        self.total, self.done, self.failed, self.start = total, 0, 0, time.monotonic()
        self.bar = None
        if self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                desc=f"juesuan {label}",
                unit="doc",
                file=self.stream,
                leave=False,
                dynamic_ncols=True,
            )

    def emit(self, out: str, err: str) -> None:
        """A finished document's own output, without breaking the bar."""
        ctx = self.bar.external_write_mode(file=self.stream) if self.bar else contextlib.nullcontext()
        with ctx:
            if out:
                sys.stdout.write(out)
                sys.stdout.flush()
            if err:
                sys.stderr.write(err)
                sys.stderr.flush()

    def advance(self, n: int, failed: int = 0) -> None:
        self.done += n
        self.failed += failed
        if self.bar:
            self.bar.update(n)
            if self.failed:
                self.bar.set_postfix(failed=self.failed)

    def close(self) -> None:
        if self.bar:
            self.bar.close()
            secs = time.monotonic() - self.start
            print(f"juesuan: {self.done} documents in {secs:.1f} s, {self.failed} failed", file=self.stream)


# ---------------------------------------------------------------- the process pool


@dataclass
class Outcome:
    """What one unit of work (a document, or a share of them for `report`) printed and returned."""

    status: int
    out: str
    err: str
    failed: int = 0  # documents of the unit that gave an error line


def _run_command(
    func: Callable[[argparse.Namespace], int], args: argparse.Namespace, slot: int = -1
) -> Outcome:
    """In a worker: the command on its paths, its stdout and stderr captured (the parent prints them in
    order); `slot` is the unit's place on the pool's reading board."""
    pool_slot(slot)
    if args.command == "report":  # one kernel for every document this worker reports
        # lazy: the report machinery (Jinja, notebooks) only where reports run
        from .report import keep_kernel

        keep_kernel()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = func(args) or 0
        except Exception as exc:  # the command's own loop reports per document; this is a bug in it
            print(
                terminal(
                    f"juesuan: error: {' '.join(map(str, args.paths))}: internal error "
                    f"({type(exc).__name__}: {exc})"
                ),
                file=sys.stderr,
            )
            status = 2
    text = err.getvalue()
    return Outcome(status, out.getvalue(), text, failed=text.count("juesuan: error:"))


# What a command's workers import, imported once here before the pool forks them (else every worker pays it).
PRELOAD = {
    "parse": ("juesuan.write", "juesuan.checks"),
    "check": ("juesuan.checks",),
    "export": ("juesuan.export",),
}


def _preload(command: str) -> None:
    """Import what the command's workers need, first switching Arrow to the system allocator. Why: mimalloc,
    Arrow's default, reserves 1 GiB of address space at its first use (pandera's dask typing triggers it);
    reserved here, every worker would inherit it inside its RLIMIT_AS, leaving that much less for the read."""
    import importlib

    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    for name in PRELOAD.get(command, ()):
        importlib.import_module(name)
    if command in PRELOAD:
        schemas.warm()


def run_pool(args: argparse.Namespace, jobs: int) -> int:
    """The command over its paths in a pool of `jobs` worker processes; the worst exit status.

    Each worker reads its documents itself within the bounds (juesuan.worker.init_pool_worker: RLIMIT_AS;
    the time bound is enforced here, from the board the workers mark, by stopping the worker of a read that
    overran). `report` keeps a separate reader per worker: its kernel, a child of the worker, would inherit
    the rlimit."""
    units = [[p] for p in args.paths]
    limits = Limits.from_args(args)
    board = Board(len(units))
    _preload(args.command)
    # what the workers inherit is never scanned by their collector (full collections: ~20 ms a document)
    gc.freeze()
    try:
        return _pool_loop(args, jobs, units, limits, board)
    finally:
        gc.unfreeze()  # this process (a test, a library caller) collects as before


def _pool_loop(args: argparse.Namespace, jobs: int, units: list, limits: Limits, board: Board) -> int:
    """`run_pool` once the parent is ready to fork: schedule, watch the time bounds, print in order."""
    from concurrent.futures import FIRST_COMPLETED, wait

    from pebble import ProcessPool

    own_reader = args.command != "report"
    progress = Progress(len(args.paths), args.command)
    status, next_out, done, overdue = 0, 0, {}, {}
    with ProcessPool(
        max_workers=jobs,
        max_tasks=config.READER_DOCS,  # a fresh worker now and then: memory stays flat
        initializer=init_pool_worker if own_reader else None,
        initargs=(limits, board) if own_reader else (),
        context=multiprocessing.get_context("fork"),  # workers inherit the imports, schemas and board
    ) as pool:
        todo = iter(enumerate(units))
        futures: dict = {}  # scheduled, not yet finished → unit index

        def schedule() -> None:  # jobs × POOL_AHEAD units at a time: flat in the number of documents
            for i, unit in itertools.islice(todo, jobs * config.POOL_AHEAD - len(futures)):
                one = argparse.Namespace(**{**vars(args), "paths": unit, "jobs": 1})
                futures[pool.schedule(_run_command, args=(args.func, one, i))] = i

        schedule()
        while futures:
            finished, _ = wait(futures, timeout=config.POOL_WATCH_S, return_when=FIRST_COMPLETED)
            _stop_overdue(futures, board, limits, overdue)
            for fut in finished:
                i = futures.pop(fut)
                done[i] = _outcome(fut, units[i], board.reading(i), overdue.get(i), limits)
            schedule()
            while next_out in done:  # printed in input order
                outcome = done.pop(next_out)
                progress.emit(outcome.out, outcome.err)
                progress.advance(len(units[next_out]), outcome.failed)
                status = max(status, outcome.status)
                next_out += 1
    progress.close()
    return status


def _stop_overdue(futures: dict, board: Board, limits: Limits, overdue: dict) -> None:
    """Cancel each unit whose read has run past its time bound: pebble stops its worker (SIGTERM, then
    SIGKILL) and starts a fresh one; `overdue` keeps the line the unit gets."""
    now = time.monotonic()
    for fut, i in futures.items():
        pages = board.overdue(i, limits, now)
        if pages is not None and i not in overdue and fut.cancel():
            overdue[i] = timeout_text(pages, limits)


def _outcome(fut, unit, reading, overdue: str | None, limits: Limits) -> Outcome:
    """A finished unit's outcome; a unit whose worker was stopped at the time bound or died gets one line
    per document: why the read stopped if it died reading, else that the worker died."""
    from concurrent.futures import CancelledError

    from pebble import ProcessExpired

    try:
        return fut.result()
    except CancelledError:
        return _lost(unit, overdue or "stopped")
    except ProcessExpired as exc:  # the worker died (killed, out of memory): its documents only
        if reading is not None:
            return _lost(unit, stopped_text(exc.exitcode, limits))
        return _lost(unit, f"the worker process died ({exc})")
    except Exception as exc:  # noqa: BLE001 - one line per document, the others go on
        return _lost(unit, f"internal error ({type(exc).__name__}: {exc})")


def _lost(unit: Sequence[str], reason: str) -> Outcome:

    lines = "".join(terminal(f"juesuan: error: {p}: {reason}") + "\n" for p in unit)
    return Outcome(2, "", lines, failed=len(unit))


# ---------------------------------------------------------------- Dask


@dataclass
class DocResult:
    path: str
    status: int
    out: str = ""
    err: str = ""


def _tables(path: str, with_checks: bool, limits=None):
    """The per-document pipeline of a sweep: parse (within the input bounds), then check; (Disclosure, its
    tables incl. checks). In the worker's own process: a Dask worker's memory is bounded by its nanny."""
    with using(limits or Limits()):
        d = parse(path)
    tables = dict(d.tables())
    if with_checks:
        # lazy: juesuan.checks imports pandera's typing (about 0.4 s), paid only by callers that check
        from .checks import run_checks

        tables["checks"] = run_checks(d)
    return d, tables


def sweep_chunk(
    paths: Sequence[tuple[str, str]], out: str, part: str, with_checks: bool = True, limits=None
) -> list[DocResult]:
    """A Dask task: parse (and check) each document, then write one Parquet file per table and year.
    `paths` are (as the user gave it, as the worker reads it)."""
    import pandas as pd

    results: list[DocResult] = []
    frames: dict[object, dict[str, list[pd.DataFrame]]] = defaultdict(lambda: defaultdict(list))
    written: list[tuple[int, object, str]] = []
    for path, readable in paths:
        try:
            d, tables = _tables(readable, with_checks, limits)
        except InputError as exc:
            results.append(DocResult(path, 2, err=terminal(f"juesuan: error: {path}: {exc.reason}") + "\n"))
            continue
        except Exception as exc:  # noqa: BLE001 - a bug: one line, the other documents go on
            results.append(
                DocResult(
                    path,
                    2,
                    err=terminal(f"juesuan: error: {path}: internal error ({type(exc).__name__}: {exc})")
                    + "\n",
                )
            )
            continue
        for name, df in tables.items():
            frames[d.year][name].append(df)
        counts = ", ".join(f"{n} {len(df)}" for n, df in tables.items() if n != "document")
        written.append(
            (
                len(results),
                d.year,
                f"{path} → {d.doc_id} (year={_year_dir(d.year)}): {counts}; "
                f"{len(d.warnings)} warnings in the panel's warnings table",
            )
        )
        results.append(DocResult(path, 0))
    try:
        write_parts(Path(out), part, frames)
    except OSError as exc:
        for i, _, _ in written:
            results[i] = DocResult(
                results[i].path,
                2,
                err=terminal(
                    f"juesuan: error: {results[i].path}: cannot write the panel ({exc.strerror or exc})"
                )
                + "\n",
            )
        return results
    for i, _, line in written:
        results[i].out = terminal(line) + "\n"
    return results


def _year_dir(year) -> str:
    return "unknown" if year is None else str(int(year))


def write_parts(root: Path, part: str, frames: dict) -> None:
    """One Parquet file per table and year for one task, each written whole (temp file, then rename); the
    `document` table last, so a killed task never shows half a document in the panel."""
    import pandas as pd

    for year, tables in frames.items():
        for name in sorted(tables, key=lambda n: n == "document"):
            df = pd.concat(tables[name], ignore_index=True)
            if df.empty and name != "document":
                continue
            folder = root / PANEL_DIR / name / f"year={_year_dir(year)}"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{part}.parquet"
            tmp = folder / f".{part}.{os.getpid()}.tmp"
            try:
                df.to_parquet(tmp, index=False)
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)


def run_id() -> str:
    """A name that sorts after every earlier run's (the panel keeps a document's latest part)."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"{time.time_ns() % 1_000_000_000:09d}"


def sweep(
    client,
    paths: Sequence[str],
    out: Path,
    with_checks: bool = True,
    chunk: int = config.BATCH_CHUNK,
    progress: Progress | None = None,
    limits=None,
) -> int:
    """Every path through `sweep_chunk` on the cluster of `client`; prints each document's line in input
    order, returns the worst exit status."""
    from dask.distributed import as_completed

    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    paths = [(str(p), str(Path(p).resolve())) for p in paths]
    chunks = [paths[i : i + chunk] for i in range(0, len(paths), chunk)]
    run = run_id()
    progress = progress or Progress(len(paths), "parse --dask")
    futures = {
        client.submit(
            sweep_chunk, c, str(out), f"{run}-{i:06d}", with_checks, limits, pure=False, retries=1
        ): i
        for i, c in enumerate(chunks)
    }
    done: dict[int, list[DocResult]] = {}
    next_out, status = 0, 0
    for fut in as_completed(futures):
        i = futures[fut]
        try:
            done[i] = fut.result()
        except Exception as exc:  # noqa: BLE001 - the task's worker was lost: its documents only
            done[i] = [
                DocResult(
                    p,
                    2,
                    err=terminal(f"juesuan: error: {p}: the Dask task failed ({type(exc).__name__}: {exc})")
                    + "\n",
                )
                for p, _ in chunks[i]
            ]
        fut.release()
        while next_out in done:
            for r in done.pop(next_out):
                progress.emit(r.out, r.err)
                progress.advance(1, int(r.status == 2))
                status = max(status, r.status)
            next_out += 1
    progress.close()
    return status


@contextlib.contextmanager
def dask_client(address: str | None, jobs: int, processes: bool = True):
    """A client of the scheduler at `address`, or of a LocalCluster of `jobs` single-threaded workers."""
    import logging

    import dask
    from dask.distributed import Client, LocalCluster

    if address in (None, LOCAL):
        with (
            dask.config.set({"distributed.worker.daemon": False}),
            LocalCluster(
                n_workers=jobs,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
    else:
        with Client(address, timeout=config.DASK_CONNECT_TIMEOUT) as client:
            yield client


def run_dask(args: argparse.Namespace) -> int:
    """`juesuan parse --dask [ADDRESS]`."""
    address = None if args.dask == LOCAL else args.dask
    jobs = getattr(args, "jobs", None) or default_jobs()
    try:
        with dask_client(address, jobs) as client:
            return sweep(
                client,
                args.paths,
                Path(args.out),
                with_checks=not getattr(args, "no_checks", False),
                limits=Limits.from_args(args),
            )
    except (OSError, TimeoutError) as exc:
        print(
            terminal(
                f"juesuan: error: cannot use the Dask scheduler at {args.dask}: {type(exc).__name__}: {exc}"
            ),
            file=sys.stderr,
        )
        return 2
