"""The shared shape every reader produces."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from ..types import SourceKind, Stage


class Warn(NamedTuple):
    """Something the parser was unsure of; always names where, so an auditor can look."""

    stage: Stage
    message: str
    source_line: int | None = None
    page: int | None = None


class Line(NamedTuple):
    no: int  # 1-based line number in the input text (for a PDF: in the text the reader produced)
    page: int  # page number (PDF: the real page; text: inferred from page breaks and printed page numbers)
    text: str  # the line as read, original characters kept


def provenance(lines: Iterable[Line], line_conf: Mapping[int, float]) -> dict[str, str | float | None]:
    """The `source` and `confidence` columns of a value read from these lines (`line_conf`: Source.line_conf),
    as statements carry them: "ocr" with the lowest confidence when any line was recognised from a picture,
    else "text" with none."""
    confs = [line_conf[ln.no] for ln in lines if ln.no in line_conf]
    return {"source": "ocr", "confidence": min(confs)} if confs else {"source": "text", "confidence": None}


def mark_rows(tables: Iterable[list[dict]], lines: Iterable[Line], line_conf: Mapping[int, float]) -> None:
    """Give rows read from lines (the performance forms) their `source` and `confidence`: a row's lines are
    its own and those up to the next row of any of `tables`, on its page (a wrapped cell continues below)."""
    rows = [r for t in tables for r in t]
    if not line_conf:
        for r in rows:
            r.update(source="text", confidence=None)
        return
    starts = sorted({r["source_line"] for r in rows if r.get("source_line") is not None})
    by_page: dict[int, list[Line]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(ln)
    for r in rows:
        first = r.get("source_line")
        if first is None:
            r.update(source="text", confidence=None)
            continue
        i = bisect_right(starts, first)
        end = starts[i] if i < len(starts) else None
        own = [ln for ln in by_page.get(r.get("page"), []) if first <= ln.no and (end is None or ln.no < end)]
        r.update(provenance(own, line_conf))


@dataclass
class Source:
    path: str
    sha256: str
    lines: list[Line]
    n_pages: int
    kind: SourceKind
    image_pages: list[int] = field(default_factory=list)  # pages whose content is an image (no text layer)
    tables: list = field(default_factory=list)  # raw table grids from a PDF, for extract.statements
    warnings: list[Warn] = field(default_factory=list)
    n_lines: int = 0  # lines in the input (text), before blank and page-number lines are dropped
    # OCR: Line.no → the lowest recogniser probability of the line's characters (a line absent: a text layer)
    line_conf: dict[int, float] = field(default_factory=dict)
