"""Defect-injected copies of a Shanghai sample, drawn as PDFs like the `<sample>-grids` variant.

The consistency checks (juesuan.checks) must find a defect that concerns the tables where a reviewer finds it:
in the PDF, end to end through the reader. Each `Defect` edits the sample's snapshot (pages, lines, grids; see
content.py) before it is ruled and drawn, so the defect PDF differs from `<sample>-grids` by that edit alone;
tests/test_checks_classes.py pins what each must raise beyond what the undefected drawing raises. The 29
reader variants (`VARIANTS`) are not touched: these are not expected to parse like the fixtures.

`python -m tests.pdfcorpus DIR NAME…` writes them too (see __main__).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from . import content, draw
from .content import Cell, Grid, Page

_NUMBER = re.compile(r"^-?[\d,]+(?:\.\d+)?$")
_TOC_ITEM = re.compile(r"^([一二三四五六七八九十]+)、(.+)$")
_DIGITS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Defect:
    name: str
    sample: str
    edit: Callable[[list[Page]], list[Page]]
    description: str

    def pages(self) -> list[Page]:
        return self.edit([_copy(p) for p in content.shanghai_pages(self.sample)])

    def write(self, directory: Path) -> Path:
        out = directory / f"{self.name}.pdf"
        tmp = out.with_suffix(".pdf.part")
        render(self.pages(), tmp)
        tmp.replace(out)
        return out


def render(pages: list[Page], out: Path) -> None:
    """As the `<sample>-grids` variant draws a sample: grids ruled, landscape pages as landscape media."""
    sheets = [
        draw.grid_sheet(p, no, draw.LANDSCAPE if p.width > p.height else draw.PORTRAIT)
        for no, p in enumerate(pages, 1)
    ]
    draw.render_sheets(sheets, draw.line_strings, out)


def _copy(page: Page) -> Page:
    grids = [
        Grid(list(g.xs), list(g.ys), [replace(c, lines=list(c.lines)) for c in g.cells], set(g.line_nos))
        for g in page.grids
    ]
    return Page(page.width, page.height, list(page.lines), grids)


def _table_page(pages: list[Page], title: str) -> int:
    """Index of the page whose grid is the table titled `title` (its title is a line of its own)."""
    hits = [i for i, p in enumerate(pages) if p.grids and any(content.squash(t) == title for _, t in p.lines)]
    assert len(hits) == 1, (title, hits)
    return hits[0]


def _cells(page: Page, keep: Callable[[Cell], list[str]]) -> Page:
    for g in page.grids:
        g.cells = [replace(c, lines=keep(c)) for c in g.cells]
    return page


def values_removed(title: str) -> Callable[[list[Page]], list[Page]]:
    """The table printed with its headers and row labels, every amount cell left blank."""

    def edit(pages: list[Page]) -> list[Page]:
        i = _table_page(pages, title)
        _cells(pages[i], lambda c: [] if c.lines and all(_NUMBER.match(t.strip()) for t in c.lines) else c.lines)
        return pages

    return edit


def table_removed(title: str, from_contents: bool = False) -> Callable[[list[Page]], list[Page]]:
    """The table's page left blank (title, unit line, grid, note), so later pages keep their numbers; with
    `from_contents` its 目录 entry is struck too and the entries after it renumbered (the 目录 then agrees
    with the body, and only the template's list of nine tables is left to miss it)."""

    def edit(pages: list[Page]) -> list[Page]:
        i = _table_page(pages, title)
        pages[i] = Page(pages[i].width, pages[i].height, [], [])
        if from_contents:
            for p in pages[:i]:
                p.lines = _strike_entry(p.lines, title)
        return pages

    return edit


def _strike_entry(lines: list[tuple[int, str]], title: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    struck: int | None = None
    for no, text in lines:
        m = _TOC_ITEM.match(content.squash(text))
        if m and m.group(2) == title:
            struck = _DIGITS.index(m.group(1)) + 1
            continue
        if m and struck is not None and m.group(1) in _DIGITS and _DIGITS.index(m.group(1)) + 1 > struck:
            text = f"{_DIGITS[_DIGITS.index(m.group(1)) - 1]}、{m.group(2)}"
        elif struck is not None and not m:
            struck = None  # the numbered list under the struck entry's part has ended
        out.append((no, text))
    return out


def amounts_replaced(title: str, old: str, new: str) -> Callable[[list[Page]], list[Page]]:
    """Every cell of the table printed `old` printed `new` instead (the table stays internally consistent)."""

    def edit(pages: list[Page]) -> list[Page]:
        i = _table_page(pages, title)
        assert any(t.strip() == old for g in pages[i].grids for c in g.cells for t in c.lines), (title, old)
        _cells(pages[i], lambda c: [new if t.strip() == old else t for t in c.lines])
        return pages

    return edit


def cell_edited(title: str, label: str, old: str, new: str, nth: int = 0) -> Callable[[list[Page]], list[Page]]:
    """In the table's row labelled `label`, the `nth` cell (left to right) printed `old` printed `new` instead."""

    def edit(pages: list[Page]) -> list[Page]:
        i = _table_page(pages, title)
        for g in pages[i].grids:
            rows = {c.row for c in g.cells if "".join(c.lines) == label}
            hits = sorted((c for c in g.cells if c.row in rows and c.lines == [old]), key=lambda c: c.col)
            if len(hits) > nth:
                at = hits[nth]
                g.cells = [replace(c, lines=[new]) if c is at else c for c in g.cells]
                return pages
        raise AssertionError((title, label, old, nth))

    return edit


THREE_PUBLIC = "财政拨款“三公”经费支出决算表"
EXPENDITURE = "支出决算表"
_CZ = "caizhengju"

DEFECTS: list[Defect] = [
    Defect(
        f"{_CZ}-three-public-bare",
        _CZ,
        values_removed(THREE_PUBLIC),
        "caizhengju-grids with the 三公 table's amount cells blank (headers kept, no 本表无数据 note), "
        "while the narrative states its amounts",
    ),
    Defect(
        f"{_CZ}-three-public-dropped",
        _CZ,
        table_removed(THREE_PUBLIC),
        "caizhengju-grids with the 三公 table's page blank: the 目录 still lists it",
    ),
    Defect(
        f"{_CZ}-three-public-unlisted",
        _CZ,
        table_removed(THREE_PUBLIC, from_contents=True),
        "caizhengju-grids with the 三公 table gone from the body and from the 目录 (entries renumbered)",
    ),
    Defect(
        f"{_CZ}-three-public-slipped",
        _CZ,
        amounts_replaced(THREE_PUBLIC, "0.95", "9.50"),
        "caizhengju-grids with the 三公 table's 0.95 (合计 and 公务接待费 预算数) printed 9.50: the table adds up, "
        "the narrative's 0.95 万元 disagrees by a factor of 10",
    ),
]
DEFECTS.append(
    Defect(
        f"{_CZ}-expenditure-transposed",
        _CZ,
        cell_edited(EXPENDITURE, "信息化建设", "135.25", "153.25", nth=1),
        "caizhengju-grids with the 支出决算表's 信息化建设 项目支出 135.25 printed 153.25 (two digits swapped): "
        "its row and its 款 no longer add up",
    )
)
DEFECTS_BY_NAME = {d.name: d for d in DEFECTS}
