"""The one loop over input paths that parse, check, export and report share.

Each path is read in a bounded worker process (juesuan.worker); a bad input is one line on stderr naming the
file and the problem, status 2, and the loop goes on with the next path. The exit status is the worst of all
paths.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import InputError
from .limits import Limits, using
from .model import Disclosure
from .pipeline import disclosure, read_document
from .safe import terminal
from .worker import read_isolated


def say(text: object, err: bool = False) -> None:
    """Print one line (or block) with every control character escaped: disclosure text never drives the
    terminal."""
    stream = sys.stderr if err else sys.stdout
    try:
        print(terminal(text, newlines=True), file=stream, flush=err)
    except BrokenPipeError:  # `juesuan … | head`: the reader left; the exit status still counts
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def error_line(path: object, reason: str) -> None:
    say(f"juesuan: error: {path}: {reason}", err=True)


def load_bounded(path: str | Path, limits: Limits | None = None, isolate: bool = True) -> Disclosure:
    """Parse one input within the bounds (in a worker process unless `isolate` is False); InputError if
    unusable."""
    limits = limits or Limits()
    if isolate:
        return disclosure(read_isolated(path, limits))
    with using(limits):
        return disclosure(read_document(path))


Action = Callable[[str, Disclosure], int | None]


def each(
    paths: Iterable[str | Path], action: Action, limits: Limits | None = None, isolate: bool = True
) -> int:
    """Load every path and run `action(path, disclosure)` on the usable ones; returns the worst status (an
    action returns its own: 0, or 1 for findings/failures)."""
    status = 0
    for path in paths:
        try:
            disclosure = load_bounded(path, limits, isolate)
            status = max(status, action(str(path), disclosure) or 0)
        except InputError as exc:  # includes OutputError
            error_line(exc.path, exc.reason)
            status = max(status, 2)
        except OSError as exc:  # writing the outputs failed (disk full, name too long…): nothing half written
            where = f" {exc.filename}" if exc.filename else ""
            error_line(path, f"cannot write outputs ({exc.strerror or exc}){where}")
            status = max(status, 2)
        except Exception as exc:  # a bug: one line, and the other files still run
            if os.environ.get("JUESUAN_DEBUG"):
                raise
            error_line(
                path, f"internal error ({type(exc).__name__}: {exc}); JUESUAN_DEBUG=1 shows the traceback"
            )
            status = max(status, 2)
    return status
