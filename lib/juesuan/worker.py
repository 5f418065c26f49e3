"""Read untrusted inputs in a child process with a memory rlimit and a time bound.

Why a process: the guards in read.guard refuse the hostile files we know; whatever they miss (a pathological
page, a decoder bug) must still not take the machine down. The reader gets RLIMIT_AS and is killed at the time
bound, and either way the input is refused with one line naming the bound. The reader forks from a forkserver
that has imported the parser once, and stays for the inputs that follow (a fresh one after a kill, after
running out of memory, and every `config.READER_DOCS` inputs), so each input costs a message, not a process
start.
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

_PRELOAD = ["juesuan.pipeline", "juesuan.read.pdf", "juesuan.read.guard"]
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
    """Start the reader now, so that it imports the parser while this process imports the rest."""
    if not _reader.alive():
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
        try:
            with using(limits), on_pages(lambda n: conn.send(("pages", n))):
                result = read_document(path)
            conn.send(("ok", result))
        except InputError as exc:
            conn.send(("input", exc.reason))
        except MemoryError:  # the parent replaces this process
            conn.send(("memory", None))
            conn.close()
            return
        except RecursionError:
            conn.send(("input", "too deeply nested to read (recursion limit)"))
        except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


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
        memory = f"its memory bound of {limits.max_memory // MB:,} MB (--max-memory)"
        done = False
        try:
            while True:
                left = start + limits.time_bound(pages) - time.monotonic()
                if (left <= 0 or not conn.poll(left)) and not conn.poll(
                    0
                ):  # an answer just at the bound is taken
                    raise InputError(
                        path, f"reading took longer than the time bound of {limits.time_text(pages)}"
                    )
                try:
                    kind, value = conn.recv()
                except EOFError:
                    proc.join(5)
                    code = proc.exitcode
                    how = (
                        f"signal {signal.Signals(-code).name}"
                        if code is not None and code < 0
                        else f"exit status {code}"
                    )
                    raise InputError(
                        path, f"the reader stopped ({how}): over {memory}, or a damaged file"
                    ) from None
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


def read_isolated(path: str | Path, limits: Limits) -> Extracted:
    """`pipeline.read_document` in the bounded reader process; InputError when the input breaks a bound."""
    return _reader.read(path, limits)
