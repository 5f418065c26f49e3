"""The cyclic garbage collector, paused while one document is read and extracted.

Why: reading and extracting allocate hundreds of thousands of glyphs, lines, tuples and dicts, which set off
the collector's full passes over every object of the process (pandas and all): 15–25% of a PDF's read and
about a tenth of a parse, for objects that refcounting frees anyway (they form no cycles). The collector is
restored as it was afterwards, and then collects whatever cycles remain.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
