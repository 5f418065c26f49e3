"""The shared shape every reader produces."""

from __future__ import annotations

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
