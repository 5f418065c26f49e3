"""Read a PDF disclosure: visual text lines per page, image-only pages, and ruled table grids.

Everything comes from pypdfium2 (fast): character boxes for the text lines, path objects for the
table rulings. Lines are rebuilt from character positions because the content-stream order of these
PDFs puts numbers drawn in a second font on a separate "line" (pdfminer/pdfplumber do the same);
clustering on the baseline puts them back into their sentence.
"""

from __future__ import annotations

import bisect
import ctypes
import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import InputError
from .lines import Line, Source, Warn
from .text import page_number

_SPACES = {" ", "\u00a0", "\u3000", "\t", "\u2002", "\u2003", "\u2009", "\u200b", "\ufeff"}
_LINE_TOL = 0.35  # baselines closer than this × font size are one visual line
_CJK_GAP = 0.6  # a gap between two CJK glyphs wider than this × font size is a real space
_LATIN_GAP = 0.25  # … between a digit/latin glyph and anything else
_SNAP = 2.5  # rulings closer than this (pt) are the same line
_THIN = 3.0  # a path thinner than this is a ruling, not a box
# An image page: images cover ≥ 25% of it and at most a few glyphs (a page number), or they cover half
# of it with only a caption (a table title and 单位 line over a pasted picture of the table).
_IMAGE_PAGE_RULES = ((20, 0.25), (80, 0.5))


@dataclass
class Glyph:
    """One drawn character, in top-down page coordinates (y grows downwards)."""

    ch: str
    x0: float
    x1: float
    top: float  # tight ink box
    bottom: float
    base: float  # baseline
    size: float
    line_no: int = 0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Edge:
    """A ruling: horizontal (pos = y, lo..hi = x) or vertical (pos = x, lo..hi = y)."""

    pos: float
    lo: float
    hi: float


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

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def read_pdf(path: str | Path) -> Source:
    """Read every page of a PDF into numbered visual lines plus table grids (kind="pdf")."""
    path = Path(path)
    data = _read_bytes(path)
    doc = _open(path, data)
    try:
        return _read_doc(path, data, doc)
    except (pdfium.PdfiumError, OSError, RuntimeError) as exc:  # a damaged page: no traceback for the user
        raise InputError(path, f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
    finally:
        doc.close()


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror or exc})") from exc
    if not data.strip():
        raise InputError(path, "empty file")
    if b"%PDF" not in data[:1024]:
        raise InputError(path, "not a PDF file")
    if b"%%EOF" not in data[-4096:]:
        raise InputError(path, "truncated PDF (no end-of-file marker)")
    return data


def _open(path: Path, data: bytes) -> pdfium.PdfDocument:
    """Open with pdfium; a password, a broken xref or anything else becomes an InputError."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg or "security" in msg:
            raise InputError(path, "encrypted PDF (password required)") from exc
        detail = str(exc).rsplit("PDFium:", 1)[-1].strip(" .)").lower()
        raise InputError(path, f"corrupt PDF ({detail})") from exc
    except Exception as exc:
        raise InputError(path, f"corrupt PDF ({type(exc).__name__})") from exc
    if len(doc) == 0:
        doc.close()
        raise InputError(path, "PDF has no pages")
    return doc


def _read_doc(path: Path, data: bytes, doc: pdfium.PdfDocument) -> Source:
    lines: list[Line] = []
    tables: list[TableGrid] = []
    warnings: list[Warn] = []
    image_pages: list[int] = []
    n_glyphs = 0
    for index in range(len(doc)):
        page_no = index + 1
        page = doc[index]
        try:
            glyphs, hedges, vedges, image_share, height = _page_content(page)
        finally:
            page.close()
        n_glyphs += len(glyphs)
        if any(len(glyphs) <= most and image_share >= least for most, least in _IMAGE_PAGE_RULES):
            image_pages.append(page_no)
            msg = "page is an image without a text layer (tables or text on it are not read)"
            warnings.append(Warn("read", msg, None, page_no))
        elif _garbled(glyphs):
            msg = "page text is garbled (fonts without a Unicode map); its figures cannot be trusted"
            warnings.append(Warn("read", msg, None, page_no))
        page_lines = _build_lines(glyphs, vedges, page_no, len(lines) + 1, height)
        lines.extend(page_lines)
        tables.extend(_grids(glyphs, hedges, vedges, page_lines, page_no))
    if n_glyphs == 0:
        raise InputError(path, "PDF has no text layer (scanned images only; OCR needed)")
    return Source(
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        lines=lines,
        n_pages=len(doc),
        kind="pdf",
        image_pages=image_pages,
        tables=tables,
        warnings=warnings,
    )


# ---------------------------------------------------------------- page content


@dataclass(frozen=True)
class _View:
    """PDF user space → the page as displayed: x to the right, y downwards, /Rotate applied."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int

    @property
    def height(self) -> float:
        return self.right - self.left if self.rotation in (90, 270) else self.top - self.bottom

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:
            return y - self.bottom, x - self.left
        if self.rotation == 180:
            return self.right - x, y - self.bottom
        if self.rotation == 270:
            return self.top - y, self.right - x
        return x - self.left, self.top - y

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        """(x0, top, x1, bottom) of a user-space rectangle, in display coordinates."""
        (ua, va), (ub, vb) = self.point(left, bottom), self.point(right, top)
        return min(ua, ub), min(va, vb), max(ua, ub), max(va, vb)


def _page_content(page: pdfium.PdfPage) -> tuple[list[Glyph], list[Edge], list[Edge], float, float]:
    """Glyphs, horizontal and vertical rulings, image share of the page, and the displayed page height."""
    left, bottom, right, top = page.get_bbox()
    view = _View(left, bottom, right, top, page.get_rotation() % 360)
    area = max((right - left) * (top - bottom), 1.0)
    textpage = page.get_textpage()
    try:
        glyphs = _glyphs(textpage, view)
    finally:
        textpage.close()
    hedges: list[Edge] = []
    vedges: list[Edge] = []
    image_area = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            ol, ob, orr, ot = obj.get_bounds()
            image_area += max(0.0, min(orr, right) - max(ol, left)) * max(0.0, min(ot, top) - max(ob, bottom))
            continue
        _path_edges(obj, view, hedges, vedges)
    return glyphs, _merge_edges(hedges), _merge_edges(vedges), min(image_area / area, 1.0), view.height


def _glyphs(textpage: pdfium.PdfTextPage, view: _View) -> list[Glyph]:
    """Every visible, non-space character with its tight box and baseline (top-down coordinates)."""
    raw = textpage.raw
    out: list[Glyph] = []
    cl, cr, cb, ct = (ctypes.c_double() for _ in range(4))
    ox, oy = ctypes.c_double(), ctypes.c_double()
    loose = pdfium_c.FS_RECTF()
    for i in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(raw, i):
            continue
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code < 32 or 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        if ch in _SPACES or unicodedata.category(ch) in ("Cc", "Cf", "Zs"):
            continue
        pdfium_c.FPDFText_GetCharBox(raw, i, cl, cr, cb, ct)
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, loose)
        pdfium_c.FPDFText_GetCharOrigin(raw, i, ox, oy)
        size = pdfium_c.FPDFText_GetFontSize(raw, i)
        if size <= 1.0:
            size = max(loose.top - loose.bottom, ct.value - cb.value, 1.0)
        lx0, _, lx1, _ = view.box(loose.left, loose.bottom, loose.right, loose.top)
        x0, ink_top, x1, ink_bottom = view.box(cl.value, cb.value, cr.value, ct.value)
        x0, x1 = min(lx0, x0), max(lx1, x1)
        if ink_bottom - ink_top < 0.5:  # flat glyphs (一, —): give them a nominal height for cell lookup
            ink_top, ink_bottom = ink_top - size * 0.3, ink_bottom + size * 0.3
        out.append(Glyph(ch, x0, x1, ink_top, ink_bottom, view.point(ox.value, oy.value)[1], size))
    return _dedupe(out)


def _garbled(glyphs: list[Glyph]) -> bool:
    """Private-use or replacement characters: glyphs whose font maps to no Unicode text."""
    bad = sum(ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" for ch in (g.ch for g in glyphs))
    return len(glyphs) >= 20 and bad >= 0.3 * len(glyphs)


def _dedupe(glyphs: list[Glyph]) -> list[Glyph]:
    """Drop fake-bold duplicates (same glyph drawn twice, a fraction of a point apart)."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    for g in glyphs:
        key = (g.ch, round(g.x0), round(g.base))
        if key in seen:
            continue
        seen.add(key)
        out.append(g)
    return out


def _path_edges(obj: pdfium.PdfObject, view: _View, hedges: list[Edge], vedges: list[Edge]) -> None:
    """Turn a path object into rulings: thin paths by their bounds, boxes and polylines by segment."""
    x0, top, x1, bottom = view.box(*obj.get_bounds())
    width, height = x1 - x0, bottom - top
    if width <= _THIN and height <= _THIN:
        return
    if width <= _THIN:
        vedges.append(Edge((x0 + x1) / 2, top, bottom))
        return
    if height <= _THIN:
        hedges.append(Edge((top + bottom) / 2, x0, x1))
        return
    if not _stroked(obj):
        return  # a filled box is a background or shading, not a ruling (its own borders are drawn apart)
    for a, b in _segments(obj):
        (xa, ya), (xb, yb) = view.point(*a), view.point(*b)
        if abs(xa - xb) < 1.0 and abs(ya - yb) > _THIN:
            vedges.append(Edge((xa + xb) / 2, min(ya, yb), max(ya, yb)))
        elif abs(ya - yb) < 1.0 and abs(xa - xb) > _THIN:
            hedges.append(Edge((ya + yb) / 2, min(xa, xb), max(xa, xb)))


def _stroked(obj: pdfium.PdfObject) -> bool:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj.raw, fill, stroke):
        return True
    return bool(stroke.value)


def _segments(obj: pdfium.PdfObject) -> Iterable[tuple[tuple[float, float], tuple[float, float]]]:
    """Straight segments of a path, in page space (the object's matrix applied)."""
    m = obj.get_matrix()
    x, y = ctypes.c_float(), ctypes.c_float()
    start = prev = None
    for i in range(pdfium_c.FPDFPath_CountSegments(obj.raw)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj.raw, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        pt = (m.a * x.value + m.c * y.value + m.e, m.b * x.value + m.d * y.value + m.f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or prev is None:
            start = pt
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            yield prev, pt
        prev = pt
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None and start != pt:
            yield pt, start
            prev = start


def _merge_edges(edges: list[Edge]) -> list[Edge]:
    """Snap collinear rulings together and join pieces that touch, so a drawn line is one Edge."""
    out: list[Edge] = []
    for group in _clusters(sorted(edges, key=lambda e: e.pos), key=lambda e: e.pos, tol=_SNAP):
        pos = sum(e.pos for e in group) / len(group)
        for lo, hi in _join_intervals([(e.lo, e.hi) for e in group], gap=_SNAP):
            out.append(Edge(pos, lo, hi))
    return out


def _clusters(items: list, key, tol: float) -> list[list]:
    """Split sorted items where consecutive keys differ by more than tol."""
    groups: list[list] = []
    for item in items:
        if groups and key(item) - key(groups[-1][-1]) <= tol:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _join_intervals(spans: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1] + gap:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


# ---------------------------------------------------------------- text lines


def _build_lines(
    glyphs: list[Glyph], vedges: list[Edge], page_no: int, first_no: int, height: float
) -> list[Line]:
    """Cluster glyphs on their baseline, order by x, and number the visual lines of a page."""
    rows = _baseline_rows(glyphs)
    texts = [_join_glyphs(row, vedges) for row in rows]
    keep = [i for i, text in enumerate(texts) if text and not _is_page_number(i, texts, rows[i], height)]
    out: list[Line] = []
    for i in keep:
        no = first_no + len(out)
        for g in rows[i]:
            g.line_no = no
        out.append(Line(no, page_no, texts[i]))
    return out


def _baseline_rows(glyphs: list[Glyph]) -> list[list[Glyph]]:
    rows: list[list[Glyph]] = []
    anchors: list[float] = []
    for g in sorted(glyphs, key=lambda g: g.base):
        if rows and g.base - anchors[-1] <= _LINE_TOL * max(g.size, rows[-1][0].size):
            rows[-1].append(g)
        else:
            rows.append([g])
            anchors.append(g.base)
    return [sorted(row, key=lambda g: g.x0) for row in rows]


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def _join_glyphs(row: list[Glyph], vedges: list[Edge]) -> str:
    """Join a line's glyphs; a space only where there is a real gap (or a ruling between them)."""
    parts: list[str] = []
    for prev, g in zip([None, *row[:-1]], row, strict=True):
        if prev is not None and _needs_space(prev, g, vedges):
            parts.append(" ")
        parts.append(g.ch)
    return "".join(parts)


def _needs_space(a: Glyph, b: Glyph, vedges: list[Edge]) -> bool:
    gap = b.x0 - a.x1
    size = max(a.size, b.size)
    factor = _CJK_GAP if _is_cjk(a.ch) and _is_cjk(b.ch) else _LATIN_GAP
    if gap > factor * size:
        return True
    return gap > -1.0 and any(a.cx < e.pos < b.cx and e.lo - 1 <= a.base <= e.hi + 1 for e in vedges)


def _is_page_number(i: int, texts: list[str], row: list[Glyph], height: float) -> bool:
    """A lone printed page number as the first or last line, in the top or bottom margin of the page."""
    if not (i == 0 or i == len(texts) - 1) or len(texts) < 2 or page_number(texts[i]) is None:
        return False
    base = row[0].base
    return base < 0.1 * height or base > 0.85 * height


# ---------------------------------------------------------------- table grids


def _grids(
    glyphs: list[Glyph], hedges: list[Edge], vedges: list[Edge], lines: list[Line], page_no: int
) -> list[TableGrid]:
    """Every ruled block on the page as a grid of cells with their text.

    Tables drawn without rulings are not guessed at: the extractor warns about their titles instead.
    """
    out: list[TableGrid] = []
    for ys in _blocks(hedges, vedges):
        grid = _grid(ys, hedges, vedges, glyphs, page_no)
        if grid is not None:
            out.append(grid)
    prev_bottom = float("-inf")
    line_base = _line_positions(glyphs)
    for grid in out:
        top, bottom = grid.ys[0], grid.ys[-1]
        grid.lines_above = [ln for ln in lines if prev_bottom - 1 < line_base.get(ln.no, -1) < top + 1]
        prev_bottom = bottom
    return out


def _line_positions(glyphs: list[Glyph]) -> dict[int, float]:
    pos: dict[int, float] = {}
    for g in glyphs:
        if g.line_no and g.line_no not in pos:
            pos[g.line_no] = g.base
    return pos


def _blocks(hedges: list[Edge], vedges: list[Edge]) -> list[list[float]]:
    """Row boundaries (y) of each vertically connected ruled block on the page."""
    ys = sorted({round(e.pos, 1) for e in hedges if e.hi - e.lo > 20})
    ys = [grp[0] for grp in _clusters(ys, key=lambda v: v, tol=_SNAP)]
    blocks: list[list[float]] = []
    for y in ys:
        if blocks and any(e.lo <= blocks[-1][-1] + _SNAP and e.hi >= y - _SNAP for e in vedges):
            blocks[-1].append(y)
        else:
            blocks.append([y])
    return [b for b in blocks if len(b) >= 2]


def _grid(
    ys: list[float], hedges: list[Edge], vedges: list[Edge], glyphs: list[Glyph], page_no: int
) -> TableGrid | None:
    """Atomic grid from the rulings of one block, merged into cells where a ruling is missing."""
    top, bottom = ys[0], ys[-1]
    inside = [e for e in vedges if e.lo < bottom - _SNAP and e.hi > top + _SNAP]
    xs = sorted({round(e.pos, 1) for e in inside})
    xs = [sum(g) / len(g) for g in _clusters(xs, key=lambda v: v, tol=_SNAP)]
    if len(xs) < 2:
        return None
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not _covered(vedges, xs[c + 1], ys[r], ys[r + 1]):
                union(r * cols + c, r * cols + c + 1)
            if r + 1 < rows and not _covered(hedges, ys[r + 1], xs[c], xs[c + 1]):
                union(r * cols + c, (r + 1) * cols + c)
    spans: dict[int, list[int]] = {}
    for r in range(rows):
        for c in range(cols):
            box = spans.setdefault(find(r * cols + c), [r, r + 1, c, c + 1])
            box[0], box[1] = min(box[0], r), max(box[1], r + 1)
            box[2], box[3] = min(box[2], c), max(box[3], c + 1)
    cells = {
        root: GridCell(r0, r1, c0, c1, xs[c0], xs[c1], ys[r0], ys[r1])
        for root, (r0, r1, c0, c1) in spans.items()
    }
    _fill_cells(cells, find, glyphs, xs, ys, cols)
    ordered = sorted(cells.values(), key=lambda c: (c.row, c.col))
    return TableGrid(page_no, xs, ys, ordered, [])


def _covered(edges: list[Edge], pos: float, lo: float, hi: float) -> bool:
    """Is there a ruling at pos covering most of lo..hi?"""
    need = (hi - lo) * 0.6
    return any(abs(e.pos - pos) <= _SNAP and min(e.hi, hi) - max(e.lo, lo) >= need for e in edges)


def _fill_cells(
    cells: dict[int, GridCell], find, glyphs: list[Glyph], xs: list[float], ys: list[float], cols: int
) -> None:
    """Put each glyph into the cell under its centre and rebuild the cell's text lines."""
    members: dict[int, list[Glyph]] = {}
    for g in glyphs:
        c = bisect.bisect_right(xs, g.cx) - 1
        r = bisect.bisect_right(ys, g.cy) - 1
        if 0 <= c < len(xs) - 1 and 0 <= r < len(ys) - 1:
            members.setdefault(find(r * cols + c), []).append(g)
    for root, gs in members.items():
        cell = cells[root]
        rows = _baseline_rows(gs)
        cell.lines = [_join_glyphs(row, []) for row in rows]
        cell.bases = [row[0].base for row in rows]
        cell.line_nos = [min((g.line_no for g in row if g.line_no), default=None) for row in rows]
        cell.line_no = cell.line_nos[0]
