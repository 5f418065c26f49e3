"""The three analyses — year-over-year, budget vs actual, target deviation — as pure DataFrame functions.

`load_disclosure` memoises `juesuan.load` per file version, so the report notebooks (which share one kernel) parse
a disclosure once, not once per notebook.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from . import budget, scoring, targets, yoy
from .scoring import score_indicators

__all__ = ["budget", "load_disclosure", "resolve", "score_indicators", "scoring", "targets", "yoy"]


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int):
    from ..pipeline import parse as load

    return load(path)


def load_disclosure(path: str | os.PathLike):
    """`juesuan.load(path)`, cached while the file is unchanged (same path, mtime and size)."""
    p = resolve(path).resolve()
    st = p.stat()
    return _load(str(p), st.st_mtime_ns, st.st_size)


def resolve(path: str | os.PathLike) -> Path:
    """Notebook parameters give paths relative to the repository root, so they work from any working directory."""
    from .. import config

    p = Path(path)
    return p if p.is_absolute() else config.ROOT / p
