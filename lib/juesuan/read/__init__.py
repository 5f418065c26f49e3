"""Turn a file into `Source`: lines with page numbers. Nothing else knows about encodings or PDFs."""

from __future__ import annotations

from pathlib import Path

from .lines import Line, Source, Warn
from .text import read_text

__all__ = ["Line", "Source", "Warn", "read_source"]


def read_source(path: str | Path) -> Source:
    from .guard import read_input

    path = Path(path)
    head = read_input(path, head=5)  # a regular file within the size bound (a FIFO would block an open)
    if head.startswith(b"%PDF"):
        from .pdf import read_pdf

        return read_pdf(path)
    return read_text(path)
