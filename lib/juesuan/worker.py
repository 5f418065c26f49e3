"""Read untrusted inputs in a child process with a memory rlimit and a time bound.

Why a process: the guards in read.guard refuse the hostile files we know; whatever they miss (a pathological
page, a decoder bug) must still not take the machine down. The reader gets RLIMIT_AS and is killed at the time
bound, and either way the input is refused with one line naming the bound. The reader forks from a forkserver
that has imported the parser once, and stays for the inputs that follow (a fresh one after a kill, after
running out of memory, and every `config.READER_DOCS` inputs), so each input costs a message, not a process
start.

In a pool (`--jobs`), the pool worker is its own reader: the pool's initializer sets its RLIMIT_AS
(`init_pool_worker`), and the pool's parent enforces the time bound from the `Board` the worker marks (when
each read began, its page count) by stopping the worker; so a pool costs no reader processes at all.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from multiprocessing.connection import Connection
from pathlib import Path

from . import config
from .errors import InputError
from .limits import MB, Limits, on_pages, using
from .pipeline import Extracted, read_document

_PRELOAD = ["juesuan.pipeline", "juesuan.read.pdf", "juesuan.read.guard", "pikepdf"]
_context = None
_owner: int | None = None  # the process that set the context up


def _ctx():
    """The forkserver context; in a process forked from one that started a forkserver (a pool worker), that
    server is not ours to use, so spawn instead (slower, same bounds)."""
    global _context, _owner
    if _context is None or _owner != os.getpid():
        if _owner is not None and _owner != os.getpid():
            _context = mp.get_context("spawn")
        else:
            _context = mp.get_context("forkserver")
            _context.set_forkserver_preload(_PRELOAD)
        _owner = os.getpid()
    return _context


def warm() -> None:
    """Start the reader now, so that it imports the parser while this process imports the rest (not in a
    pool worker that reads for itself)."""
    if _pool is None and not _reader.alive():
        try:
            _reader.start()
        except WorkerError:  # the first read reports it
            pass


class WorkerError(RuntimeError):
    """The parser raised something other than InputError: a bug, reported as one line naming the file."""


def _bound_memory(limits: Limits) -> None:
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = limits.max_memory if hard == resource.RLIM_INFINITY else min(limits.max_memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _read_here(path: str, limits: Limits, pages) -> tuple[str, object]:
    """One read in this (bounded) process: ("ok", Extracted), ("input", reason), ("memory", None) or ("error",
    text); `pages` hears the page count."""
    try:
        with using(limits), on_pages(pages):
            return "ok", read_document(path)
    except InputError as exc:
        return "input", exc.reason
    except MemoryError:
        return "memory", None
    except RecursionError:
        return "input", "too deeply nested to read (recursion limit)"
    except Exception as exc:  # noqa: BLE001 - reported as one line
        return "error", f"{type(exc).__name__}: {exc}"


def _serve(conn: Connection) -> None:
    """The reader process: read each (path, limits) it is sent, answer with the rows or the reason. Ends when
    its parent goes (the pipe closes), and after an input that ran out of memory (its state is suspect)."""
    import gc

    gc.freeze()  # the forkserver's imports: never scanned again by the collector (and never copied by it)
    while True:
        try:
            path, limits = conn.recv()
        except (EOFError, OSError):
            return
        _bound_memory(limits)
        answer = _read_here(path, limits, lambda n: conn.send(("pages", n)))
        conn.send(answer)
        if answer[0] == "memory":  # the parent replaces this process
            conn.close()
            return


class _Reader:
    """One bounded reader process, kept for the documents that follow (each input used to cost a fork and a
    cold start of the parser: more than the parse of a seed-sized text). A fresh one replaces it after
    `config.READER_DOCS` documents (memory stays flat), and whenever it was killed or gave up."""

    def __init__(self) -> None:
        self.proc = None
        self.conn: Connection | None = None
        self.served = 0
        self.owner = os.getpid()

    def alive(self) -> bool:
        return self.proc is not None and self.owner == os.getpid() and self.proc.is_alive()

    def start(self) -> None:
        ctx = _ctx()
        mine, theirs = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_serve, args=(theirs,), daemon=True)
        try:
            proc.start()
        except OSError as exc:  # not the input's fault: the machine cannot start a process
            mine.close()
            raise WorkerError(f"cannot start the reader process ({exc.strerror or exc})") from None
        finally:
            theirs.close()
        self.proc, self.conn, self.served, self.owner = proc, mine, 0, os.getpid()

    def stop(self) -> None:
        if self.conn is not None and self.owner == os.getpid():
            self.conn.close()
        if self.proc is not None and self.owner == os.getpid():
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join(5)
        self.proc, self.conn = None, None

    def read(self, path: str | Path, limits: Limits) -> Extracted:

        if not self.alive() or self.served >= config.READER_DOCS:
            self.stop()
            self.start()
        self.served += 1
        conn, proc = self.conn, self.proc
        start = time.monotonic()
        try:
            conn.send((str(path), limits))
        except OSError:
            self.stop()
            raise WorkerError("the reader process is gone") from None
        pages = 1
        memory = memory_text(limits)
        done = False
        try:
            while True:
                left = start + limits.time_bound(pages) - time.monotonic()
                if (left <= 0 or not conn.poll(left)) and not conn.poll(
                    0
                ):  # an answer just at the bound is taken
                    raise InputError(path, timeout_text(pages, limits))
                try:
                    kind, value = conn.recv()
                except EOFError:
                    proc.join(5)
                    raise InputError(path, stopped_text(proc.exitcode, limits)) from None
                if kind == "pages":
                    pages = value
                    continue
                done = kind != "memory"
                if kind == "ok":
                    return value
                if kind == "input":
                    raise InputError(path, value)
                if kind == "memory":
                    raise InputError(path, f"reading needs more than {memory}")
                raise WorkerError(value)
        finally:
            if (
                not done
            ):  # killed at the time bound, died, or out of memory: the next input gets a fresh reader
                self.stop()


_reader = _Reader()


def memory_text(limits: Limits) -> str:
    return f"its memory bound of {limits.max_memory // MB:,} MB (--max-memory)"


def stopped_text(code: int | None, limits: Limits) -> str:
    """Why a reader that died mid-read (`code`: its exit status, or minus the signal) gave no answer."""
    if code == MEMORY_EXIT:
        return f"reading needs more than {memory_text(limits)}"
    how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit status {code}"
    return f"the reader stopped ({how}): over {memory_text(limits)}, or a damaged file"


def timeout_text(pages: int, limits: Limits) -> str:
    return f"reading took longer than the time bound of {limits.time_text(pages)}"


def read_isolated(path: str | Path, limits: Limits) -> Extracted:
    """`pipeline.read_document` in the bounded reader process (in a pool worker: in this process, which is
    bounded itself); InputError when the input breaks a bound."""
    if _pool is not None:
        return _pool.read(path, limits)
    return _reader.read(path, limits)


# ---------------------------------------------------------------- a pool worker as its own reader

MEMORY_EXIT = 86  # a pool worker's exit status after a read ran out of memory (its state is suspect)


class Board:
    """What the pool's parent needs to enforce the time bound of reads it cannot see: per unit of work, when
    its current read began (`time.monotonic()`, the same clock in every process; 0 when not reading) and the
    page count the reader announced. Shared memory without a lock: each slot has one writer (the worker
    running that unit), and a torn read of an aligned double cannot happen."""

    def __init__(self, units: int):
        self.cells = mp.RawArray("d", 2 * units)

    def begin(self, slot: int) -> None:
        self.cells[2 * slot + 1] = 1
        self.cells[2 * slot] = time.monotonic()

    def pages(self, slot: int, n: int) -> None:
        self.cells[2 * slot + 1] = n

    def end(self, slot: int) -> None:
        self.cells[2 * slot] = 0.0

    def reading(self, slot: int) -> tuple[float, int] | None:
        """(when the read began, its pages) while unit `slot` is reading, else None."""
        start, pages = self.cells[2 * slot], self.cells[2 * slot + 1]
        return (start, int(pages)) if start else None

    def overdue(self, slot: int, limits: Limits, now: float) -> int | None:
        """The page count of a read of `slot` that has run past its time bound, else None."""
        read = self.reading(slot)
        if read is None or now - read[0] <= limits.time_bound(read[1]):
            return None
        return read[1]


class _PoolReader:
    """This pool worker reads its inputs itself, marking `board` for the parent's time bound."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.slot = -1

    def read(self, path: str | Path, limits: Limits) -> Extracted:
        slot = self.slot
        self.board.begin(slot)
        kind, value = _read_here(str(path), limits, lambda n: self.board.pages(slot, n))
        if kind == "memory":  # the parent names the bound (MEMORY_EXIT) and the pool starts a fresh worker
            os._exit(MEMORY_EXIT)
        self.board.end(slot)
        if kind == "ok":
            return value
        if kind == "input":
            raise InputError(path, value)
        raise WorkerError(value)


_pool: _PoolReader | None = None


def init_pool_worker(limits: Limits, board: Board) -> None:
    """The pool's initializer: this worker reads for itself, within `limits.max_memory` (RLIMIT_AS on the
    whole worker: its reads, checks and writes)."""
    global _pool
    _bound_memory(limits)
    _pool = _PoolReader(board)


def pool_slot(slot: int) -> None:
    """In a pool worker that reads for itself: the unit of work that follows is `slot` on the board."""
    if _pool is not None:
        _pool.slot = slot
