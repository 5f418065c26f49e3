"""Text-layer producers on reportlab, one function per drawing technique.

Each page is a `Sheet`: placed lines (text, x, distance of the baseline from the top, size) and rulings. A
technique turns a placed line into content-stream operators; the operators are written directly (canvas._code) so that the
text matrix, the CTM, the font and the order of the glyphs are exactly what the variant says.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .fonts import CID_FONT, LATIN_FONT, register_reportlab

register_reportlab()  # widths of the CID font are needed before any canvas exists

SIZE = 10.5  # effective font size of every variant
LEADING = 15.0
MARGIN_X = 50.0
MARGIN_TOP = 60.0
GAP_EM = 0.5  # geometric gap standing for one space where no space character is drawn
SHUFFLE_SEED = 20240229


@dataclass(frozen=True)
class Placed:
    text: str
    x: float
    top: float  # baseline, points from the top of the (upright) page
    size: float = SIZE
    xs: tuple[float, ...] | None = (
        None  # each character's own x (a re-drawn layout); else from the font widths
    )


@dataclass
class Sheet:
    """One page: its setup (size, rotation), its text and its rulings ((x0, top0, x1, top1) segments)."""

    setup: str
    placed: list[Placed]
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)
    upright: tuple[float, float] | None = (
        None  # page size as displayed; default: A4 in the setup's orientation
    )


def footer(page_no: int, width: float, height: float) -> Placed:
    number = str(page_no)
    return Placed(number, (width - stringWidth(number, CID_FONT, SIZE)) / 2, height - 30)


def place(lines: list[str], page_no: int, width: float, height: float) -> list[Placed]:
    """Lines top to bottom at a fixed leading (tighter if a page holds more), and the page number below."""
    leading = min(LEADING, (height - 2 * MARGIN_TOP) / max(len(lines), 1))
    placed = [Placed(t, MARGIN_X, MARGIN_TOP + (i + 1) * leading) for i, t in enumerate(lines)]
    return placed + [footer(page_no, width, height)]


def glyphs(
    text: str, x: float, size: float = SIZE, xs: tuple[float, ...] | None = None
) -> Iterable[tuple[str, float]]:
    """(character, x) of each non-space character, a space advancing by GAP_EM (or at the given xs)."""
    if xs is not None:
        yield from ((ch, at) for ch, at in zip(text, xs, strict=True) if ch != " ")
        return
    for ch in text:
        if ch == " ":
            x += GAP_EM * size
            continue
        yield ch, x
        x += stringWidth(ch, CID_FONT, size)


def cid(text: str) -> str:
    """A string for the UniGB-UCS2-H encoding: UTF-16BE code units in hex."""
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


class Ops:
    """The page's content stream as written, plus the page size in user space."""

    def __init__(self, canvas: Canvas, width: float, height: float):
        self.canvas, self.width, self.height = canvas, width, height
        canvas.setFont(CID_FONT, SIZE)  # registers the font resources on the page
        canvas.setFont(LATIN_FONT, SIZE)
        self.cid = canvas._doc.getInternalFontName(CID_FONT)
        self.latin = canvas._doc.getInternalFontName(LATIN_FONT)
        self.ops: list[str] = []

    def text(self, font: str, size: float, x: float, top: float, string: str, rise: float = 0.0) -> str:
        y = self.height - top + rise
        return f"BT {font} {size:g} Tf 1 0 0 1 {x:.3f} {y:.3f} Tm {string} Tj ET"

    def flush(self) -> None:
        self.canvas._code.extend(self.ops)


Technique = Callable[[Ops, list[Placed]], None]


def line_strings(ops: Ops, page: list[Placed]) -> None:
    """1: one string per line, with the line's own spaces (the font's space glyph); positions from the
    font's widths (a re-drawn layout's own xs are for the glyph techniques)."""
    ops.ops += [ops.text(ops.cid, p.size, p.x, p.top, cid(p.text)) for p in page]


def token_strings(ops: Ops, page: list[Placed]) -> None:
    """2: each space-separated token drawn alone; a geometric gap instead of the space."""
    for p in page:
        x = p.x
        for token in re.split(r"( +)", p.text):
            if token.startswith(" ") or not token:
                x += GAP_EM * p.size * len(token)
                continue
            ops.ops.append(ops.text(ops.cid, p.size, x, p.top, cid(token)))
            x += stringWidth(token, CID_FONT, p.size)


def glyph_by_glyph(ops: Ops, page: list[Placed]) -> None:
    """3: every glyph positioned alone, no space characters."""
    ops.ops += [
        ops.text(ops.cid, p.size, x, p.top, cid(ch))
        for p in page
        for ch, x in glyphs(p.text, p.x, p.size, p.xs)
    ]


def glyphs_shuffled(ops: Ops, page: list[Placed]) -> None:
    """3b: as glyph_by_glyph, the content stream in a random (seeded) order; positions unchanged."""
    glyph_by_glyph(ops, page)
    random.Random(SHUFFLE_SEED + len(ops.ops)).shuffle(ops.ops)


def wps_text_matrix(nominal: float) -> Technique:
    """4: as WPS writes: a y-flipping CTM, Tm scaled to nominal × scale = SIZE, glyphs advanced by TD."""

    def draw(ops: Ops, page: list[Placed]) -> None:
        ops.ops.append(f"q 1 0 0 -1 0 {ops.height:.3f} cm")
        for p in page:
            scale = p.size / nominal
            parts = [f"BT {ops.cid} {nominal:g} Tf {scale:g} 0 0 {-scale:g} {p.x:.3f} {p.top:.3f} Tm"]
            prev = p.x
            for i, (ch, x) in enumerate(glyphs(p.text, p.x, p.size, p.xs)):
                if i:
                    parts.append(f"{(x - prev) / scale:.3f} -0 TD")
                parts.append(f"{cid(ch)} Tj")
                prev = x
            ops.ops.append(" ".join(parts) + " ET")
        ops.ops.append("Q")

    return draw


def scaled_ctm(nominal: float) -> Technique:
    """4b: the CTM scaled (cm) instead of the text matrix; Tm in the scaled units, one string per line."""
    scale = SIZE / nominal

    def draw(ops: Ops, page: list[Placed]) -> None:
        ops.ops.append(f"q {scale:g} 0 0 {scale:g} 0 0 cm")
        for p in page:
            nominal_here = nominal * p.size / SIZE
            y = (ops.height - p.top) / scale
            ops.ops.append(
                f"BT {ops.cid} {nominal_here:g} Tf 1 0 0 1 {p.x / scale:.3f} {y:.3f} Tm {cid(p.text)} Tj ET"
            )
        ops.ops.append("Q")

    return draw


NUMBER = re.compile(r"[0-9.%]+")


def numbers_in_second_font(ops: Ops, page: list[Placed], shift: float = -1.0) -> None:
    """5: digits, '.' and '%' in Helvetica on a baseline shifted by a point; the rest in the CID font."""
    for p in page:
        x, pos = p.x, 0
        for m in [*NUMBER.finditer(p.text), None]:
            end = m.start() if m else len(p.text)
            if end > pos:
                run = p.text[pos:end]
                ops.ops.append(ops.text(ops.cid, p.size, x, p.top, cid(run)))
                x += stringWidth(run, CID_FONT, p.size)
            if m:
                ops.ops.append(ops.text(ops.latin, p.size, x, p.top, f"({m.group()})", rise=shift))
                x += stringWidth(m.group(), LATIN_FONT, p.size)
                pos = m.end()


# Page setups: (page size as stored, /Rotate, CTM taking the upright user space onto the page)
PORTRAIT = "portrait"
LANDSCAPE = "landscape"
ROTATE90 = "rotate90"  # portrait media, /Rotate 90, content drawn in the rotated space: displays upright
SIDEWAYS90 = "sideways90"  # portrait media, no /Rotate, landscape content turned 90° (text runs upward)
SIDEWAYS270 = "sideways270"  # the same turned the other way (text runs downward)


def upright_size(setup: str) -> tuple[float, float]:
    return A4 if setup == PORTRAIT else landscape(A4)


def sheets(pages: list[list[str]], setup: str | list[str] = PORTRAIT) -> list[Sheet]:
    """Pages of lines as sheets; `setup` is one page setup for all pages or one per page."""
    setups = [setup] * len(pages) if isinstance(setup, str) else setup
    return [
        Sheet(s, place(lines, no, *upright_size(s)))
        for no, (lines, s) in enumerate(zip(pages, setups, strict=True), 1)
    ]


def render(
    pages: list[list[str]], technique: Technique, out: Path, setup: str | list[str] = PORTRAIT
) -> None:
    """Draw pages of lines with `technique`."""
    render_sheets(sheets(pages, setup), technique, out)


def render_sheets(pages: list[Sheet], technique: Technique, out: Path) -> None:
    canvas = Canvas(str(out), pagesize=A4, invariant=1, pageCompression=1)
    for sheet in pages:
        width, height = sheet.upright or upright_size(sheet.setup)
        turned = sheet.setup in (ROTATE90, SIDEWAYS90, SIDEWAYS270)
        media = (height, width) if turned else (width, height)
        # reportlab stores the MediaBox swapped on a /Rotate 90 page (its page size is the displayed one)
        canvas.setPageSize((width, height) if sheet.setup == ROTATE90 else media)
        ops = Ops(canvas, width, height)
        if sheet.setup in (ROTATE90, SIDEWAYS90):
            ops.ops.append(f"q 0 1 -1 0 {media[0]:.3f} 0 cm")
        elif sheet.setup == SIDEWAYS270:
            ops.ops.append(f"q 0 -1 1 0 0 {media[1]:.3f} cm")
        if sheet.rules:
            segments = " ".join(
                f"{x0:.2f} {height - t0:.2f} m {x1:.2f} {height - t1:.2f} l" for x0, t0, x1, t1 in sheet.rules
            )
            ops.ops.append(f"q 0.6 w 0 J {segments} S Q")
        technique(ops, sheet.placed)
        if turned:
            ops.ops.append("Q")
        ops.flush()
        if sheet.setup == ROTATE90:
            canvas.setPageRotation(90)
        canvas.showPage()
    canvas.save()


CELL_SIZE = 8.0  # largest font size in a grid cell; smaller where the text would not fit


def grid_sheet(page, page_no: int, setup: str) -> Sheet:
    """A Shanghai page re-drawn: its grids ruled at their original place, each cell's lines centred in it,
    the free lines above and below the grid at a leading that fits."""
    width, height = upright_size(setup)
    placed: list[Placed] = []
    rules: list[tuple[float, float, float, float]] = []
    top_of = [g.ys[0] for g in page.grids]
    for g in page.grids:
        for c in g.cells:
            x0, x1, t0, t1 = g.xs[c.col], g.xs[c.col_end], g.ys[c.row], g.ys[c.row_end]
            rules += [(x0, t0, x1, t0), (x0, t1, x1, t1), (x0, t0, x0, t1), (x1, t0, x1, t1)]
            if not c.lines:
                continue
            size = min(CELL_SIZE, (t1 - t0) / (1.25 * len(c.lines)))
            size = min([size] + [(x1 - x0 - 3) / max(stringWidth(t, CID_FONT, 1), 0.1) for t in c.lines])
            first = (t0 + t1) / 2 - 1.25 * size * (len(c.lines) - 1) / 2 + 0.35 * size
            for i, text in enumerate(c.lines):
                w = stringWidth(text, CID_FONT, size)
                placed.append(Placed(text, (x0 + x1 - w) / 2, first + i * 1.25 * size, size))
    used = set().union(*(g.line_nos for g in page.grids))
    free = [(no, t) for no, t in page.lines if no not in used]
    if page.grids:
        first_grid = min(min(g.line_nos, default=10**9) for g in page.grids)
        above = [t for no, t in free if no < first_grid]
        below = [t for no, t in free if no > first_grid]
        top, bottom = min(top_of), max(g.ys[-1] for g in page.grids)
    else:
        above, below, top, bottom = [t for _, t in free], [], height - MARGIN_TOP, height - MARGIN_TOP
    if above:
        leading = min(LEADING, (top - 40) / len(above))
        placed += [Placed(t, MARGIN_X, top - 4 - (len(above) - 1 - i) * leading) for i, t in enumerate(above)]
    if below:
        leading = min(LEADING, (height - 45 - bottom) / len(below))
        placed += [Placed(t, MARGIN_X, bottom + (i + 1) * leading) for i, t in enumerate(below)]
    return Sheet(setup, placed + [footer(page_no, width, height)], sorted(set(rules)))
