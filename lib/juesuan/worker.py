"""Read one untrusted input in a child process with a memory rlimit and a time bound.

Why a process: the guards in read.guard refuse the hostile files we know; whatever they miss (a pathological
page, a decoder bug) must still not take the machine down. The child gets RLIMIT_AS and is killed at the time
bound, and either way the input is refused with one line naming the bound. The children fork from a forkserver
that has imported the parser once, so each input costs a fork, not an interpreter start.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from multiprocessing.connection import Connection
from pathlib import Path

from .errors import InputError
from .limits import MB, Limits, on_pages, using

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
    """Start the forkserver now, so that it imports the parser while this process imports the rest."""
    ctx = _ctx()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        try:
            forkserver.ensure_running()
        except OSError:  # the first read reports it
            pass


class WorkerError(RuntimeError):
    """The parser raised something other than InputError: a bug, reported as one line naming the file."""


def _work(conn: Connection, path: str, limits: Limits) -> None:
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = limits.max_memory if hard == resource.RLIM_INFINITY else min(limits.max_memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    from .pipeline import extract_rows

    try:
        with using(limits), on_pages(lambda n: conn.send(("pages", n))):
            result = extract_rows(path)
        conn.send(("ok", result))
    except InputError as exc:
        conn.send(("input", exc.reason))
    except MemoryError:
        conn.send(("memory", None))
    except RecursionError:
        conn.send(("input", "too deeply nested to read (recursion limit)"))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def extract_rows_isolated(path: str | Path, limits: Limits) -> tuple[str, dict[str, list[dict]]]:
    """`pipeline.extract_rows` in a bounded child process; InputError when the input breaks a bound."""
    ctx = _ctx()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_work, args=(send, str(path), limits), daemon=True)
    start = time.monotonic()
    try:
        proc.start()
    except OSError as exc:  # not the input's fault: the machine cannot start a process
        raise WorkerError(f"cannot start the reader process ({exc.strerror or exc})") from None
    finally:
        send.close()
    pages = 1
    memory = f"its memory bound of {limits.max_memory // MB:,} MB (--max-memory)"
    try:
        while True:
            left = start + limits.time_bound(pages) - time.monotonic()
            if left <= 0 or not receive.poll(left):
                if receive.poll(0):
                    pass  # the answer came just at the bound: take it
                else:
                    proc.kill()
                    raise InputError(path, f"reading took longer than the time bound of {limits.time_text(pages)}")
            try:
                kind, value = receive.recv()
            except EOFError:
                proc.join(5)
                code = proc.exitcode
                how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit status {code}"
                raise InputError(path, f"the reader stopped ({how}): over {memory}, or a damaged file") from None
            if kind == "pages":
                pages = value
                continue
            if kind == "ok":
                return value
            if kind == "input":
                raise InputError(path, value)
            if kind == "memory":
                raise InputError(path, f"reading needs more than {memory}")
            raise WorkerError(value)
    finally:
        receive.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
