"""The three analyses — year-over-year, budget vs actual, target deviation — as pure DataFrame functions.

`load_disclosure` reads a disclosure's tables from the processed store when `juesuan parse` put them there,
else parses it within the bounds given; memoised per file version, so the report notebooks (which share one
kernel) load it once, not once per notebook.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .. import config, pipeline
from ..limits import Limits, using
from ..panel import stored
from . import budget, scoring, targets, yoy
from .scoring import score_indicators

__all__ = ["budget", "load_disclosure", "resolve", "score_indicators", "scoring", "targets", "yoy"]


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int, processed_dir: str, limits: tuple):
    if processed_dir and (found := stored(path, processed_dir)) is not None:
        return found
    with using(Limits(**dict(limits))):
        return pipeline.parse(path)  # looked up at call time (a test stands in for it)


def load_disclosure(
    path: str | os.PathLike, processed_dir: str | os.PathLike | None = None, limits: dict | None = None
):
    """The disclosure at `path`: the tables already parsed into `processed_dir` when it holds them (same
    content, same parser version; `juesuan.panel.stored`), else `juesuan.load(path)` within `limits` (the
    command line's bounds, as `dataclasses.asdict(Limits)` gives them; defaults for the rest). Cached while
    the file is unchanged (same path, mtime and size), so the report notebooks, which share one kernel, load
    it once."""
    p = resolve(path).resolve()
    st = p.stat()
    store = str(resolve(processed_dir).resolve()) if processed_dir else ""
    return _load(str(p), st.st_mtime_ns, st.st_size, store, tuple(sorted((limits or {}).items())))


def resolve(path: str | os.PathLike) -> Path:
    """Notebook parameters give paths relative to the repository root, so they work from any working
    directory."""
    p = Path(path)
    return p if p.is_absolute() else config.ROOT / p
