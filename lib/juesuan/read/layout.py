"""Page geometry → text: chars → lines, rulings → grids → cells. Knows nothing about PDF libraries.

The model follows pdfplumber (page → chars → words → lines; edges → table cells), on plain objects so that
any source of positioned characters can feed it: the PDF text layer today, OCR words later. Every
tolerance is a field of `config.LayoutSettings`, in units of the glyphs' effective size or of points.

Performance tables (绩效自评表) drawn as ruled forms are read from their grid: each grid row becomes one
text line whose cells are separated by a space, each cell's wrapped lines joined in reading order, and a
merged (rowspan) cell printed on the first row it spans. The text-path grammar then reads these lines as
it reads a well-extracted text file, instead of lines that interleave vertically centred cells.
"""

from __future__ import annotations

import bisect
import operator
import re
from dataclasses import dataclass, field

from .. import vocab
from ..config import LAYOUT, LayoutSettings
from .lines import Line
from .text import page_number

try:  # the compiled helper (read/native.c): baseline_rows and join_glyphs in C, with the same results
    from . import native as _NATIVE
except ImportError:  # not built: the pure-Python code below
    _NATIVE = None


@dataclass(slots=True)
class Glyph:
    """One drawn character, in top-down page coordinates (y grows downwards). A real space has ch " ".
    Slots: there is one per glyph of the document."""

    ch: str
    x0: float
    x1: float
    top: float  # tight ink box
    bottom: float
    base: float  # baseline
    size: float  # effective size: nominal size × the scale of the text matrix and CTM
    line_no: int = 0
    generated: bool = False  # a space the PDF library inferred: it counts only over a visible gap
    conf: float | None = None  # the recogniser's confidence in an OCR glyph; None: from the text layer

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class Edge:
    """A ruling: horizontal (pos = y, lo..hi = x) or vertical (pos = x, lo..hi = y)."""

    pos: float
    lo: float
    hi: float


if _NATIVE is not None:
    _NATIVE.types(Glyph, Edge)  # it reads and makes them through their slots


@dataclass
class GridCell:
    """One (possibly merged) table cell; rows/cols are atomic grid indices, end exclusive."""

    row: int
    row_end: int
    col: int
    col_end: int
    x0: float
    x1: float
    top: float
    bottom: float
    lines: list[str] = field(default_factory=list)  # text lines inside the cell, top to bottom
    line_no: int | None = None  # Line.no of the cell's first text line
    bases: list[float] = field(default_factory=list)  # baseline of each text line
    line_nos: list[int | None] = field(default_factory=list)  # Line.no of each text line
    conf: float | None = None  # OCR: the lowest confidence of its glyphs; None: read from the text layer

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass
class TableGrid:
    """A ruled table block on one page, with the page text lines printed just above it (title, unit)."""

    page: int
    xs: list[float]
    ys: list[float]
    cells: list[GridCell]
    lines_above: list[Line]
    form: bool = False  # a performance form: its rows are the page's text lines

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


@dataclass
class PageLayout:
    """One page read: its numbered text lines, its ruled grids, and whether the lines looked wrong."""

    lines: list[Line]
    grids: list[TableGrid]
    implausible: str | None = None  # why the baseline lines cannot be trusted (the caller falls back)


FORM_WORDS = re.compile("|".join(sorted(set(vocab.FORM_WORDS), key=len, reverse=True)))


def layout_page(
    glyphs: list[Glyph],
    hedges: list[Edge],
    vedges: list[Edge],
    page_no: int,
    first_no: int,
    height: float,
    settings: LayoutSettings = LAYOUT,
) -> PageLayout:
    """Lines and grids of one page. Glyphs inside a performance form's grid become that grid's row lines."""
    hedges, vedges = merge_edges(hedges, settings), merge_edges(vedges, settings)
    text_glyphs = [g for g in glyphs if g.ch != " "]
    grids = [
        g for ys in _blocks(hedges, vedges, settings) if (g := _grid(ys, hedges, vedges, settings, page_no))
    ]
    inside: set[int] = set()
    form_rows: list[tuple[float, list[Glyph], str]] = []
    for grid in grids:
        members = _fill_cells(grid, glyphs, settings)
        if FORM_WORDS.search(_compact("".join(c.text for c in grid.cells))):
            grid.form = True
            for gs in members.values():
                inside.update(map(id, gs))
            form_rows += _form_rows(grid, members)
    free = [g for g in glyphs if id(g) not in inside] if inside else glyphs
    rows = baseline_rows(free, settings)  # every row holds a visible glyph (spaces never start one)
    entries = [(row[0].base, row, join_glyphs(row, vedges, settings)) for row in rows]
    implausible = _implausible(entries, text_glyphs, settings)
    entries += form_rows
    entries.sort(key=lambda e: e[0])
    texts = [e[2] for e in entries]
    lines: list[Line] = []
    for i, (_, row, text) in enumerate(entries):
        if not text or _is_page_number(i, texts, row, height, settings):
            continue
        no = first_no + len(lines)
        for g in row:
            g.line_no = no
        lines.append(Line(no, page_no, text))
    if grids:
        for grid in grids:
            _number_cells(grid)
        _attach_lines_above(grids, lines, glyphs)
    return PageLayout(lines, grids, implausible)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- text lines


_BY_BASE = operator.attrgetter("base")
_BY_X0 = operator.attrgetter("x0")
_BY_POS = operator.attrgetter("pos")


def baseline_rows(glyphs: list[Glyph], settings: LayoutSettings = LAYOUT) -> list[list[Glyph]]:
    """Cluster glyphs on their baseline (tolerance relative to the effective size), each row ordered by x
    (a space after the glyph it shares its x with)."""
    if _NATIVE is not None and type(glyphs) is list:
        rows = _NATIVE.baseline_rows(glyphs, settings.line_tol)
        if rows is not None:  # None: a glyph the helper does not take (not plain numbers): Python decides
            return rows
    return _baseline_rows(glyphs, settings)


def _baseline_rows(glyphs: list[Glyph], settings: LayoutSettings) -> list[list[Glyph]]:
    """`baseline_rows` in Python (the helper's reference, and its fallback)."""
    rows: list[list[Glyph]] = []
    anchors: list[float] = []
    tol = settings.line_tol
    spaces = [g for g in glyphs if g.ch == " "]
    row: list[Glyph] = []
    anchor = first_size = 0.0
    for g in sorted((g for g in glyphs if g.ch != " "), key=_BY_BASE):
        size = g.size
        if row and g.base - anchor <= tol * (first_size if first_size > size else size):
            row.append(g)
        else:
            row = [g]
            rows.append(row)
            anchor, first_size = g.base, size
            anchors.append(anchor)
    if rows:
        last = len(rows) - 1
        for g in spaces:  # spaces join the line they sit on; they never start or split one
            base = g.base
            k = bisect.bisect_left(anchors, base)
            if k > last:
                near = last
            elif k == 0:
                near = 0
            else:
                near = k if abs(anchors[k] - base) < abs(anchors[k - 1] - base) else k - 1
            row, anchor = rows[near], anchors[near]
            if abs(anchor - base) <= tol * row[0].size + (row[-1].base - anchor):
                row.append(g)
    # each row holds its glyphs before its spaces: a stable sort on x alone puts a space after its glyph
    return [sorted(row, key=_BY_X0) for row in rows]


def join_glyphs(row: list[Glyph], vedges: list[Edge], settings: LayoutSettings = LAYOUT) -> str:
    """Join a line's glyphs: a space where the document drew one, where there is a real gap, or where a
    ruling stands between two glyphs. (Inlined: this runs once per glyph of the document.)"""
    if _NATIVE is not None and type(row) is list and type(vedges) is list:
        s = settings
        text = _NATIVE.join_glyphs(row, vedges, s.generated_space, s.cjk_gap, s.latin_gap)
        if text is not None:
            return text
    return _join_glyphs(row, vedges, settings)


def _join_glyphs(row: list[Glyph], vedges: list[Edge], settings: LayoutSettings) -> str:
    """`join_glyphs` in Python (the helper's reference, and its fallback)."""
    parts: list[str] = []
    append = parts.append
    prev: Glyph | None = None
    prev_cjk = spaced = False
    usual = _usual_gap(row)
    weak_gap = settings.generated_space + usual
    cjk_gap, latin_gap = settings.cjk_gap + usual, settings.latin_gap
    positions: list[float] | None = (
        None  # of the rulings (sorted by pos: merge_edges), made when first needed
    )
    weak = False
    for g in row:
        ch = g.ch
        if ch == " ":
            if g.generated:
                weak = True
            else:
                spaced = prev is not None
            continue
        cjk = ord(ch) >= 0x2E80
        if prev is not None:
            gap = g.x0 - prev.x1
            size = prev.size if prev.size > g.size else g.size
            if weak and gap > weak_gap * size:
                spaced = True
            if spaced or gap > (cjk_gap if cjk and prev_cjk else latin_gap) * size:
                append(" ")
            elif not gap <= -1.0 and vedges:  # a ruling between the two glyphs
                if positions is None:
                    positions = [e.pos for e in vedges]
                lo, hi = bisect.bisect_right(positions, prev.cx), bisect.bisect_left(positions, g.cx)
                if any(vedges[k].lo - 1 <= prev.base <= vedges[k].hi + 1 for k in range(lo, hi)):
                    append(" ")
        weak = False
        append(ch)
        prev, prev_cjk, spaced = g, cjk, False
    return "".join(parts)


def _usual_gap(row: list[Glyph]) -> float:
    """The line's own spacing between neighbouring CJK glyphs, in units of their size (0 unless the line is
    letter-spaced or justified): a space is a gap clearly wider than that."""
    gaps = []
    prev: Glyph | None = None
    for g in row:
        if g.ch == " ":
            continue
        if prev is not None and ord(g.ch) >= 0x2E80 and ord(prev.ch) >= 0x2E80:
            gap = g.x0 - prev.x1
            size = g.size if g.size > prev.size else prev.size
            gaps.append((0.0 if 0.0 > gap else gap) / (1.0 if 1.0 > size else size))
        prev = g
    if len(gaps) < 3:
        return 0.0
    gaps.sort()
    return gaps[len(gaps) // 2]


def _is_page_number(i: int, texts: list[str], row: list[Glyph], height: float, s: LayoutSettings) -> bool:
    """A lone printed page number as the first or last line, in the top or bottom margin of the page."""
    if not (i == 0 or i == len(texts) - 1) or len(texts) < 2 or page_number(texts[i]) is None:
        return False
    base = row[0].base
    return base < s.header_margin * height or base > (1 - s.footer_margin) * height


def _implausible(
    entries: list[tuple[float, list[Glyph], str]], glyphs: list[Glyph], s: LayoutSettings
) -> str | None:
    """Lines much taller than their glyphs mean the line tolerance was wrong (a size misread): say why."""
    if len(glyphs) < s.min_glyphs_to_judge or not entries:
        return None
    heights = sorted([g.bottom - g.top for g in glyphs])
    glyph_h = max(heights[len(heights) // 2], 0.5)  # the median of max(h, 0.5): max is monotone
    tall = sum(1 for _, row, _ in entries if _spread(row) > s.tall_line * glyph_h)
    if tall > s.implausible_share * len(entries):
        return f"{tall} of {len(entries)} lines span more than {s.tall_line:g}× their glyph height"
    return None


def _spread(row: list[Glyph]) -> float:
    """How far apart the glyph centres of a line lie (top + bottom, halved once: halving is exact)."""
    sums = [g.top + g.bottom for g in row if g.ch != " "]
    return (max(sums) - min(sums)) / 2 if sums else 0.0


# ---------------------------------------------------------------- rulings and grids


def clusters(items: list, key, tol: float) -> list[list]:
    """Split sorted items where consecutive keys differ by more than tol."""
    groups: list[list] = []
    for item in items:
        if groups and key(item) - key(groups[-1][-1]) <= tol:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def merge_edges(edges: list[Edge], settings: LayoutSettings = LAYOUT) -> list[Edge]:
    """Snap collinear rulings together and join pieces that touch, so a drawn line is one Edge: `clusters` on
    pos (each cluster at its mean), then each cluster's sorted intervals joined where they touch within the
    snap. One inlined pass: a ruled form has hundreds of pieces a page."""
    out: list[Edge] = []
    append = out.append
    snap = settings.snap
    ordered = sorted(edges, key=_BY_POS)
    n, i = len(ordered), 0
    while i < n:
        j, prev = i + 1, ordered[i].pos
        while j < n and ordered[j].pos - prev <= snap:
            prev = ordered[j].pos
            j += 1
        if j == i + 1:  # a lone piece: its own mean and interval
            e = ordered[i]
            append(Edge(e.pos + 0.0, e.lo, e.hi))
        else:
            group = ordered[i:j]
            pos = sum(e.pos for e in group) / len(group)
            spans = sorted([(e.lo, e.hi) for e in group])
            lo, hi = spans[0]
            for a, b in spans[1:]:
                if a <= hi + snap:
                    hi = max(hi, b)
                else:
                    append(Edge(pos, lo, hi))
                    lo, hi = a, b
            append(Edge(pos, lo, hi))
        i = j
    return out


def _blocks(hedges: list[Edge], vedges: list[Edge], s: LayoutSettings) -> list[list[float]]:
    """Row boundaries (y) of each vertically connected ruled block on the page."""
    ys = sorted({round(e.pos, 1) for e in hedges if e.hi - e.lo > s.min_ruling})
    ys = [grp[0] for grp in clusters(ys, key=lambda v: v, tol=s.snap)]
    blocks: list[list[float]] = []
    for y in ys:
        if blocks and any(e.lo <= blocks[-1][-1] + s.snap and e.hi >= y - s.snap for e in vedges):
            blocks[-1].append(y)
        else:
            blocks.append([y])
    return [b for b in blocks if len(b) >= 2]


def _grid(
    ys: list[float], hedges: list[Edge], vedges: list[Edge], s: LayoutSettings, page_no: int
) -> TableGrid | None:
    """Atomic grid from the rulings of one block, merged into cells where a ruling is missing."""
    top, bottom = ys[0], ys[-1]
    inside = [e for e in vedges if e.lo < bottom - s.snap and e.hi > top + s.snap]
    xs = sorted({round(e.pos, 1) for e in inside})
    xs = [sum(g) / len(g) for g in clusters(xs, key=lambda v: v, tol=s.snap)]
    if len(xs) < 2:
        return None
    spans = (
        _NATIVE.grid_spans(xs, ys, vedges, hedges, s.snap, s.ruling_cover) if _NATIVE is not None else None
    )
    if spans is None:  # not built, or rulings it does not take
        spans = _spans(xs, ys, hedges, vedges, s)
    cells = [GridCell(r0, r1, c0, c1, xs[c0], xs[c1], ys[r0], ys[r1]) for r0, r1, c0, c1 in spans]
    return TableGrid(page_no, xs, ys, sorted(cells, key=lambda c: (c.row, c.col)), [])


def _spans(
    xs: list[float], ys: list[float], hedges: list[Edge], vedges: list[Edge], s: LayoutSettings
) -> list[list[int]]:
    """[row, row_end, col, col_end] of each merged cell: atomic boxes joined where no ruling covers their
    border, in the order their first box comes (the compiled helper's reference, and its fallback)."""
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    vcover, hcover = _Rulings(vedges, s), _Rulings(hedges, s)
    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not vcover.covers(xs[c + 1], ys[r], ys[r + 1]):
                parent[find(r * cols + c)] = find(r * cols + c + 1)
            if r + 1 < rows and not hcover.covers(ys[r + 1], xs[c], xs[c + 1]):
                parent[find(r * cols + c)] = find((r + 1) * cols + c)
    spans: dict[int, list[int]] = {}
    for r in range(rows):
        for c in range(cols):
            box = spans.setdefault(find(r * cols + c), [r, r + 1, c, c + 1])
            box[0], box[1] = min(box[0], r), max(box[1], r + 1)
            box[2], box[3] = min(box[2], c), max(box[3], c + 1)
    return list(spans.values())


class _Rulings:
    """Rulings by position, to ask whether one covers a cell border without scanning them all."""

    def __init__(self, edges: list[Edge], s: LayoutSettings) -> None:
        self.edges = sorted(edges, key=lambda e: e.pos)  # already sorted when merged (merge_edges)
        self.positions = [e.pos for e in self.edges]
        self.snap, self.cover = s.snap, s.ruling_cover

    def covers(self, pos: float, lo: float, hi: float) -> bool:
        """Is there a ruling at pos covering most of lo..hi? (Only rulings near pos can: a margin of 1 pt
        around the snap keeps every one the exact test accepts.)"""
        need = (hi - lo) * self.cover
        snap, edges = self.snap, self.edges
        first = bisect.bisect_left(self.positions, pos - snap - 1.0)
        last = bisect.bisect_right(self.positions, pos + snap + 1.0)
        return any(
            abs(e.pos - pos) <= snap and min(e.hi, hi) - max(e.lo, lo) >= need for e in edges[first:last]
        )


def _fill_cells(grid: TableGrid, glyphs: list[Glyph], s: LayoutSettings) -> dict[int, list[Glyph]]:
    """Put each glyph into the cell under its centre and rebuild the cell's text lines."""
    xs, ys = grid.xs, grid.ys
    owner: list[list[int | None]] = [
        [None] * (len(xs) - 1) for _ in range(len(ys) - 1)
    ]  # the cell covering each atomic grid box
    for k, c in enumerate(grid.cells):
        for r in range(c.row, c.row_end):
            for col in range(c.col, c.col_end):
                owner[r][col] = k
    members = None
    if _NATIVE is not None and type(glyphs) is list:
        members = _NATIVE.cell_members(glyphs, xs, ys, [k for row in owner for k in row])
    if members is None:  # not built, or glyphs it does not take
        members = _members(glyphs, xs, ys, owner)
    recognised = set(map(_CONF, glyphs)) != {None}  # OCR glyphs on the page: cells carry a confidence
    for k, gs in members.items():
        cell = grid.cells[k]
        rows = _cell_rows(gs, s)  # each row holds a visible glyph
        cell.lines = [_cell_text(row, s) for row in rows]
        cell.bases = [row[0].base for row in rows]
        confs = [g.conf for g in gs if g.conf is not None and g.ch != " "] if recognised else None
        cell.conf = min(confs) if confs else None
        cell._rows = rows  # type: ignore[attr-defined]  # numbered once the page's lines are
    return members


_CONF = operator.attrgetter("conf")
_LINE_NO = operator.attrgetter("line_no")


def _cell_rows(glyphs: list[Glyph], s: LayoutSettings) -> list[list[Glyph]]:
    """`baseline_rows` without its checks: members are plain lists (once per cell of every grid)."""
    rows = _NATIVE.baseline_rows(glyphs, s.line_tol) if _NATIVE is not None else None
    return rows if rows is not None else _baseline_rows(glyphs, s)


def _cell_text(row: list[Glyph], s: LayoutSettings) -> str:
    """`join_glyphs` of a cell's row (no rulings inside a cell), without its checks."""
    native = _NATIVE
    text = native.join_glyphs(row, [], s.generated_space, s.cjk_gap, s.latin_gap) if native else None
    return text if text is not None else _join_glyphs(row, [], s)


def _members(
    glyphs: list[Glyph], xs: list[float], ys: list[float], owner: list[list[int | None]]
) -> dict[int, list[Glyph]]:
    """The glyphs of each cell: the cell under the glyph's centre, inside the grid (left ≤ cx < right,
    top ≤ cy < bottom, as bisect_right finds) — the compiled helper's reference, and its fallback."""
    members: dict[int, list[Glyph]] = {}
    left, right, top, bottom = xs[0], xs[-1], ys[0], ys[-1]
    for g in glyphs:
        cx, cy = (g.x0 + g.x1) / 2, (g.top + g.bottom) / 2
        if left <= cx < right and top <= cy < bottom:
            c = bisect.bisect_right(xs, cx) - 1
            r = bisect.bisect_right(ys, cy) - 1
            members.setdefault(owner[r][c], []).append(g)
    return members


def _number_cells(grid: TableGrid) -> None:
    for cell in grid.cells:
        rows = getattr(cell, "_rows", [])
        cell.line_nos = [min(filter(None, map(_LINE_NO, row)), default=None) for row in rows]
        cell.line_no = cell.line_nos[0] if cell.line_nos else None
        if hasattr(cell, "_rows"):
            del cell._rows  # type: ignore[attr-defined]


def _form_rows(grid: TableGrid, members: dict[int, list[Glyph]]) -> list[tuple[float, list[Glyph], str]]:
    """One text line per grid row of a performance form: the cells that start on that row, left to right,
    each cell's wrapped lines joined without a break and its own spaces removed (cells are tokens)."""
    starting: dict[int, list[int]] = {}  # row → the cells starting on it (grid.cells is in (row, col) order)
    for k, c in enumerate(grid.cells):
        if c.lines:
            starting.setdefault(c.row, []).append(k)
    out: list[tuple[float, list[Glyph], str]] = []
    for r, ks in starting.items():
        texts = [_compact("".join(grid.cells[k].lines)) for k in ks]
        glyphs = [g for k in ks for g in members.get(k, []) if g.ch != " "]
        out.append((grid.ys[r] + 0.01, glyphs, " ".join(t for t in texts if t)))
    return out


def _attach_lines_above(grids: list[TableGrid], lines: list[Line], glyphs: list[Glyph]) -> None:
    """Each grid gets the page lines between the previous grid and its top (its title and 单位 line)."""
    base: dict[int, float] = {}
    for g in glyphs:
        if g.line_no and g.line_no not in base:
            base[g.line_no] = g.base
    prev_bottom = float("-inf")
    for grid in sorted(grids, key=lambda g: g.ys[0]):
        top = grid.ys[0]
        grid.lines_above = [ln for ln in lines if prev_bottom - 1 < base.get(ln.no, -1) < top + 1]
        prev_bottom = grid.ys[-1]
