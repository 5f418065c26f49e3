"""Read a PDF disclosure with pypdfium2: positioned characters, rulings and images per page.

pdfium gives each character's box, origin and text matrix; `read.layout` turns them into lines and grids.
Sizes are effective sizes (nominal × the scale of the text matrix and CTM): WPS writes nominal sizes of
200–700 pt inside a text matrix scaled by 0.05, and a line tolerance from the nominal size collapses a
page into a few lines. Real space characters are kept: producers that draw a table row as one string
with the font's own spaces mark cell boundaries only that way. Pages whose text runs at 90°/270° are read
upright; a page whose lines still look implausible falls back to pdfium's own text order, with a warning.
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .. import collector
from ..config import LAYOUT, OCR, LayoutSettings
from ..errors import InputError
from .layout import Edge, Glyph, GridCell, PageLayout, TableGrid, layout_page
from .lines import Line, Source, Warn

__all__ = ["GridCell", "TableGrid", "read_pdf"]

_SPACES = {" ", "\u00a0", "\u3000", "\t", "\u2002", "\u2003", "\u2009"}
_INVISIBLE = {"\u200b", "\ufeff"}


def read_pdf(path: str | Path, settings: LayoutSettings = LAYOUT, ocr: str | None = None) -> Source:
    """Read every page of a PDF into numbered visual lines plus table grids (kind="pdf"). `ocr` (auto, off,
    force; default: the current limits' mode) says which pages are recognised from their picture."""
    from .ocr import OcrMode

    path = Path(path)
    mode = OcrMode(ocr if ocr is not None else _current_ocr())
    data = _read_bytes(path)
    with collector.paused():
        doc = _open(path, data)
        try:
            return _read_doc(path, data, doc, settings, mode)
        except (pdfium.PdfiumError, OSError, RuntimeError) as exc:  # a damaged page: no traceback for users
            raise InputError(path, f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
        finally:
            doc.close()


def _read_bytes(path: Path) -> bytes:
    from . import guard

    data = guard.read_input(path)  # a regular file within the size bound, else InputError
    if not data.strip():
        raise InputError(path, "empty file")
    if b"%PDF" not in data[:1024]:
        raise InputError(path, "not a PDF file")
    return (
        data  # junk after %%EOF is common and pdfium reads it: truncation is judged only when opening fails
    )


def _open(path: Path, data: bytes) -> pdfium.PdfDocument:
    """Open with pdfium; a password, a broken xref or anything else becomes an InputError; bounds are checked
    (read.guard) before any page is loaded."""
    from .. import limits
    from . import guard

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg or "security" in msg:
            raise InputError(path, "encrypted PDF (password required)") from exc
        if b"%%EOF" not in data[-65536:]:
            raise InputError(path, "truncated PDF (no end-of-file marker)") from exc
        detail = str(exc).rsplit("PDFium:", 1)[-1].strip(" .)").lower()
        if detail == "success":  # pdfium found no error to name: what it lacks is the page tree
            raise InputError(path, "PDF has no pages (no readable page tree)") from exc
        raise InputError(path, f"corrupt PDF ({detail})") from exc
    except Exception as exc:
        raise InputError(path, f"corrupt PDF ({type(exc).__name__})") from exc
    if len(doc) == 0:
        doc.close()
        raise InputError(path, "PDF has no pages")
    try:
        guard.check_pdf(path, data, len(doc))
    except InputError:
        doc.close()
        raise
    limits.announce_pages(len(doc))
    return doc


def _current_ocr() -> str:
    from .. import limits

    return getattr(limits.current(), "ocr", None) or OCR.mode


@dataclass
class _Pages:
    """What reading a document gathers, page by page (so that each step of a page is a helper of its own)."""

    lines: list[Line] = field(default_factory=list)
    tables: list[TableGrid] = field(default_factory=list)
    warnings: list[Warn] = field(default_factory=list)
    image_pages: list[int] = field(default_factory=list)
    recognised: list[int] = field(default_factory=list)  # pages read (in part) from their picture
    turned: dict[int, list[int]] = field(default_factory=dict)  # pages whose text runs sideways as displayed
    n_glyphs: int = 0
    sha: str = ""
    line_conf: dict[int, float] = field(default_factory=dict)  # OCR: Line.no → its lowest confidence


def _read_doc(
    path: Path, data: bytes, doc: pdfium.PdfDocument, settings: LayoutSettings, ocr_mode: str = OCR.mode
) -> Source:
    got = _Pages()
    for index in range(len(doc)):
        page = doc[index]
        try:
            laid = _read_page(page, index + 1, len(doc), data, settings, ocr_mode, got)
        finally:
            page.close()
        got.lines.extend(laid.lines)
        got.tables.extend(laid.grids)
    if got.n_glyphs == 0:
        why = (
            "OCR found no text either" if got.recognised else "run with --ocr auto to recognise the pictures"
        )
        raise InputError(path, f"PDF has no text layer (scanned images only; {why})")
    _document_warnings(got)
    return Source(
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        lines=got.lines,
        n_pages=len(doc),
        kind="pdf",
        image_pages=got.image_pages,
        tables=got.tables,
        warnings=got.warnings,
        line_conf=got.line_conf,
    )


def _read_page(
    page: pdfium.PdfPage,
    page_no: int,
    n_pages: int,
    data: bytes,
    settings: LayoutSettings,
    ocr_mode: str,
    got: _Pages,
) -> PageLayout:
    """One page: its content (its pictures recognised where the OCR mode says so), laid out."""
    content = _read_pictures(
        page, _page_content(page, settings), page_no, n_pages, data, settings, ocr_mode, got
    )
    got.n_glyphs += len(content.glyphs) - [g.ch for g in content.glyphs].count(" ")
    if content.rotation != content.page_rotation:
        got.turned.setdefault((content.rotation - content.page_rotation) % 360, []).append(page_no)
    return _lay_out(page, content, page_no, settings, got)


def _read_pictures(
    page: pdfium.PdfPage,
    content: _Content,
    page_no: int,
    n_pages: int,
    data: bytes,
    settings: LayoutSettings,
    ocr_mode: str,
    got: _Pages,
) -> _Content:
    """The page's content, its pictures (or all of it) recognised where `_ocr_regions` says; an image page or
    a garbled text layer left unread is warned."""
    from . import ocr

    glyphs = [g for g in content.glyphs if g.ch != " "]
    image_page = any(
        len(glyphs) <= most and content.image_share >= least for most, least in settings.image_page_rules
    )
    if image_page:
        got.image_pages.append(page_no)
    garbled = not image_page and ocr.garbled(glyphs)  # fonts without a usable Unicode map
    regions = _ocr_regions(page, content, image_page, ocr_mode, garbled)
    if regions is None:
        if image_page:
            msg = (
                "page is an image without a text layer (tables or text on it are not read; "
                "--ocr auto reads them)"
            )
            got.warnings.append(Warn("read", msg, None, page_no))
        elif garbled:
            msg = "page text is garbled (fonts without a Unicode map); its figures cannot be trusted"
            got.warnings.append(Warn("read", msg, None, page_no))
        return content
    if garbled:
        msg = "garbled text layer (fonts without a Unicode map): page read by OCR from its picture instead"
        got.warnings.append(Warn("read:ocr", msg, None, page_no))
    got.recognised.append(page_no)
    got.sha = got.sha or hashlib.sha256(data).hexdigest()
    return _recognise(page, content, page_no, n_pages, regions, len(got.recognised), got.warnings, got.sha)


def _lay_out(
    page: pdfium.PdfPage, content: _Content, page_no: int, settings: LayoutSettings, got: _Pages
) -> PageLayout:
    """Lines and grids of the page. Implausible lines fall back to pdfium's text order, except on a page
    read by OCR (it has no text order of its own): there they are warned, as is each unsure line."""
    laid = layout_page(
        content.glyphs,
        content.hedges,
        content.vedges,
        page_no,
        len(got.lines) + 1,
        content.height,
        settings,
    )
    recognised = page_no in got.recognised
    if laid.implausible and recognised:
        msg = f"page lines read by OCR look implausible ({laid.implausible}): check the page"
        got.warnings.append(Warn("read:ocr", msg, None, page_no))
    elif laid.implausible:
        why = laid.implausible
        laid = _pdfium_order(page, page_no, len(got.lines) + 1)
        msg = f"page lines look implausible ({why}): read in pdfium's text order instead"
        got.warnings.append(Warn("read", msg, None, page_no))
    if recognised:
        got.warnings += _unsure_lines(laid, content.glyphs, page_no)
        _line_confidence(laid, content.glyphs, got.line_conf)
    return laid


def _line_confidence(laid: PageLayout, glyphs: list[Glyph], line_conf: dict[int, float]) -> None:
    """Each line's lowest recogniser probability (spaces aside, as a grid cell's), for Source.line_conf: what
    the narrative's figures read from the line carry."""
    own = {ln.no for ln in laid.lines}
    for g in glyphs:
        if g.conf is not None and g.ch != " " and g.line_no in own:
            line_conf[g.line_no] = min(line_conf.get(g.line_no, 1.0), g.conf)


def _document_warnings(got: _Pages) -> None:
    """One warning for the pages read by OCR, one per direction of sideways text, each naming its pages."""
    if got.recognised:
        msg = (
            f"page(s) {_page_list(got.recognised)} read by OCR from their picture: "
            "each value carries its confidence"
        )
        got.warnings.append(Warn("read:ocr", msg, None, got.recognised[0]))
    for angle, pages in got.turned.items():
        msg = f"text printed sideways ({angle}°) on page(s) {_page_list(pages)}: read turned upright"
        got.warnings.append(Warn("read", msg, None, pages[0]))


# ---------------------------------------------------------------- OCR of image pages (read.ocr)


_WHOLE: list = []  # _ocr_regions: recognise the whole page, text layer ignored


def _ocr_regions(
    page: pdfium.PdfPage, content: _Content, image_page: bool, mode: str, garbled: bool = False
) -> list | None:
    """What to recognise on a page: None (nothing), _WHOLE, or the display boxes of its pictures. auto reads
    image-only pages, pages whose text layer is garbled and, on other pages, pictures big enough to hold a
    table that no text is drawn over; force reads every page whole."""
    from .ocr import OcrMode

    if mode == OcrMode.FORCE or (mode == OcrMode.AUTO and garbled):
        return _WHOLE
    if mode != OcrMode.AUTO or not (image_page or content.image_share >= OCR.min_region):
        return None
    if content.rotation != content.page_rotation:
        return _WHOLE if image_page else None
    boxes = [b for b in _image_regions(page, content) if image_page or _bare(b, content.glyphs)]
    return boxes or (_WHOLE if image_page else None)


def _bare(box: tuple[float, float, float, float], glyphs: list[Glyph]) -> bool:
    """A picture with (almost) no text drawn over it: not a background or a scan under its own text layer."""
    return sum(1 for g in glyphs if g.ch != " " and _inside(g, box)) <= OCR.max_glyphs_over_picture


def _recognise(
    page: pdfium.PdfPage,
    content: _Content,
    page_no: int,
    n_pages: int,
    regions: list,
    n_done: int,
    warnings: list[Warn],
    sha: str,
) -> _Content:
    """The page's content with its pictures read by OCR: the given regions (or the whole page) recognised,
    the text layer kept outside them, rulings from both."""
    from . import ocr

    _extend_time_bound(n_pages, n_done)
    whole = regions is _WHOLE
    key = ocr.cache_key(sha, page_no, None if whole else regions, OCR)
    try:
        found = ocr.load_cached(key)
        if found is None:
            gray, scale = ocr.render(page, OCR)
            found = [ocr.read_picture(gray, scale, None if whole else r, OCR) for r in (regions or [None])]
            ocr.store_cached(key, found)
    except ocr.OcrUnavailable as exc:
        warnings.append(
            Warn("read:ocr", f"page is an image and OCR is unavailable ({exc}): not read", None, page_no)
        )
        return content
    done = ocr.Recognised(skew=max((f.skew for f in found), key=abs), seconds=sum(f.seconds for f in found))
    done.glyphs = [g for f in found for g in f.glyphs]
    ocr.progress(page_no, n_pages, done)
    if whole:
        keep, hedges, vedges = [], [], []
        height = _View(*page.get_bbox(), content.page_rotation).height  # the page as rendered
    else:
        keep = [g for g in content.glyphs if not any(_inside(g, r) for r in regions)]
        hedges, vedges, height = list(content.hedges), list(content.vedges), content.height
    for f in found:
        hedges += f.hedges
        vedges += f.vedges
    return _Content(
        keep + done.glyphs,
        hedges,
        vedges,
        content.image_share,
        height,
        content.page_rotation,
        content.page_rotation,
    )


def _image_regions(page: pdfium.PdfPage, content: _Content) -> list[tuple[float, float, float, float]]:
    """Display boxes of the page's pictures big enough to hold a table (overlapping ones merged)."""
    left, bottom, right, top = page.get_bbox()
    view = _View(left, bottom, right, top, content.page_rotation)
    area = max((right - left) * (top - bottom), 1.0)
    boxes: list[list[float]] = []
    for obj in _drawings(page):
        if obj.type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
            continue
        ol, ob, orr, ot = obj.get_bounds()
        ol, ob, orr, ot = max(ol, left), max(ob, bottom), min(orr, right), min(ot, top)
        if orr <= ol or ot <= ob or (orr - ol) * (ot - ob) < OCR.min_region * area:
            continue
        box = list(view.box(ol, ob, orr, ot))
        for other in [
            b for b in boxes if b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3]
        ]:
            boxes.remove(other)
            box = [min(box[0], other[0]), min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3])]
        boxes.append(box)
    return [tuple(b) for b in boxes]


def _inside(g: Glyph, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= g.cx <= box[2] and box[1] <= g.cy <= box[3]


def _unsure_lines(laid: PageLayout, glyphs: list[Glyph], page_no: int) -> list[Warn]:
    """A warning for each text line holding a character OCR was unsure of. Cells of the nine tables are left
    to extract.statements, which withholds their numbers (the performance forms' rows are lines)."""
    grids = [g.bbox for g in laid.grids if not g.form]
    by_no = {ln.no: ln for ln in laid.lines}
    worst: dict[int, float] = {}
    unsure: dict[int, list[str]] = {}
    for g in glyphs:
        if g.conf is None or g.line_no not in by_no:
            continue
        if g.conf >= OCR.min_confidence and g.ch not in OCR.confusable:
            continue
        if unicodedata.category(g.ch)[0] in "PZ" and g.ch not in ".%":
            continue  # punctuation (“”；、) changes no figure and no name
        if any(b[0] <= g.cx <= b[2] and b[1] <= g.cy <= b[3] for b in grids):
            continue
        worst[g.line_no] = min(worst.get(g.line_no, 1.0), g.conf)
        unsure.setdefault(g.line_no, []).append(g.ch)
    out = []
    for no, chars in unsure.items():
        text = by_no[no].text
        msg = (
            f"OCR unsure of {''.join(chars)!r} (confidence {worst[no]:.2f}) in: "
            f"{text[:80]}{'…' if len(text) > 80 else ''}"
        )
        out.append(Warn("read:ocr", msg, no, page_no))
    return out


def _extend_time_bound(n_pages: int, n_done: int) -> None:
    """OCR takes seconds a page: the worker's time bound grows by OCR.time_per_page_s for each page read so,
    announced as the equivalent number of ordinary pages."""
    from .. import config, limits

    limits.announce_pages(n_pages + math.ceil(n_done * OCR.time_per_page_s / config.TIME_PER_PAGE_S))


def _page_list(pages: list[int]) -> str:
    """ "1–3, 7": runs of consecutive pages."""
    runs: list[list[int]] = []
    for p in pages:
        if runs and p == runs[-1][-1] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _pdfium_order(page: pdfium.PdfPage, page_no: int, first_no: int) -> PageLayout:
    """The fallback: pdfium's own reading order of the page, one Line per text line, no grids."""
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_bounded()
    finally:
        textpage.close()
    rows = [" ".join(t.split()) for t in text.splitlines()]
    rows = [t for t in rows if t]
    return PageLayout([Line(first_no + i, page_no, t) for i, t in enumerate(rows)], [], None)


# ---------------------------------------------------------------- page content


@dataclass(frozen=True)
class _View:
    """PDF user space → the page as displayed: x to the right, y downwards, rotation applied."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int

    @property
    def height(self) -> float:
        return self.right - self.left if self.rotation in (90, 270) else self.top - self.bottom

    @property
    def affine(self) -> tuple[float, float, float, float, float, float]:
        """(a, b, c, d, e, f): display x = a·x + b·y + e, display y = c·x + d·y + f."""
        if self.rotation == 90:
            return 0.0, 1.0, 1.0, 0.0, -self.bottom, -self.left
        if self.rotation == 180:
            return -1.0, 0.0, 0.0, 1.0, self.right, -self.bottom
        if self.rotation == 270:
            return 0.0, -1.0, -1.0, 0.0, self.top, self.right
        return 1.0, 0.0, 0.0, -1.0, -self.left, self.top

    def point(self, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = self.affine
        return a * x + b * y + e, c * x + d * y + f

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        """(x0, top, x1, bottom) of a user-space rectangle, in display coordinates."""
        (ua, va), (ub, vb) = self.point(left, bottom), self.point(right, top)
        return min(ua, ub), min(va, vb), max(ua, ub), max(va, vb)


@dataclass
class _Content:
    glyphs: list[Glyph]
    hedges: list[Edge]
    vedges: list[Edge]
    image_share: float
    height: float
    rotation: int
    page_rotation: int


def _page_content(page: pdfium.PdfPage, settings: LayoutSettings) -> _Content:
    """Glyphs (turned upright), rulings, the image share of the page and the displayed page height."""
    left, bottom, right, top = page.get_bbox()
    page_rotation = page.get_rotation() % 360
    area = max((right - left) * (top - bottom), 1.0)
    helper = _helper()
    textpage = page.get_textpage()
    try:
        if helper is not None:  # the same characters, in one call
            chars, angles = helper.chars(
                ctypes.cast(textpage.raw, ctypes.c_void_p).value, settings.size_confirm
            )
        else:
            chars, angles = _chars(textpage, settings)
    finally:
        textpage.close()
    rotation = _text_rotation(angles, page_rotation, settings)
    view = _View(left, bottom, right, top, rotation)
    glyphs = helper.glyphs(chars, *view.affine) if helper is not None else _glyphs(chars, view.affine)
    drawn = None
    if helper is not None:  # None also when a pdfium call failed: the Python path raises as it should
        address = ctypes.cast(page.raw, ctypes.c_void_p).value
        drawn = helper.drawings(address, view.affine, settings.thin, (left, bottom, right, top))
    hedges, vedges, image_area = drawn or _drawn(page, view, (left, bottom, right, top), settings)
    return _Content(glyphs, hedges, vedges, min(image_area / area, 1.0), view.height, rotation, page_rotation)


def _drawn(
    page: pdfium.PdfPage, view: _View, bbox: tuple[float, float, float, float], settings: LayoutSettings
) -> tuple[list[Edge], list[Edge], float]:
    """The page's rulings and the area its pictures cover (in the page box)."""
    left, bottom, right, top = bbox
    hedges: list[Edge] = []
    vedges: list[Edge] = []
    image_area = 0.0
    for raw, kind in _raw_drawings(page.raw):
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            ol, ob, orr, ot = _bounds(raw)
            image_area += max(0.0, min(orr, right) - max(ol, left)) * max(0.0, min(ot, top) - max(ob, bottom))
            continue
        _path_edges(raw, view, hedges, vedges, settings)
    return hedges, vedges, image_area


# A character as pdfium reports it, in user space (before the page is turned upright): a plain tuple, since
# this is built once per glyph of the document —
# (ch, box: left, bottom, right, top (tight), loose box: left, bottom, right, top, origin x, y,
#  effective size, generated: a space pdfium inserted (where a lone space object was, or by its own guess)).
_Char = tuple

# pdfium's FPDFText_GetTextObject, returning the object's address (an int) instead of a pointer object: the
# size and matrix are read once per text object, and comparing addresses needs no ctypes.cast per glyph.
_text_object_address = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
)


def _char_kind(ch: str) -> str | None:
    """The character kept for a character pdfium reports: itself, " " for any space, None for what is
    dropped."""
    code = ord(ch)
    if code < 32 or 0xD800 <= code <= 0xDFFF:
        return None  # pdfium's own line breaks (generated), control codes
    if ch in _SPACES or unicodedata.category(ch) == "Zs":
        return " "
    if ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf"):
        return None
    return ch


_KINDS: dict[str, str | None] = {}  # _char_kind by character, filled as characters are met
_SURROGATE = re.compile("[\ud800-\udfff]")


def _page_text(raw, n: int) -> str:
    """Each character's code point, as one string. One FPDFText_GetText call for the page when its text maps
    one to one onto the character list (same length, last character at the last text index, no surrogate
    halves); else one FPDFText_GetUnicode call a character."""
    if n > 0:
        buf = ctypes.create_string_buffer(2 * (n + 1))
        written = pdfium_c.FPDFText_GetText(raw, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
        if written == n + 1 and pdfium_c.FPDFText_GetTextIndexFromCharIndex(raw, n - 1) == n - 1:
            text = buf.raw[: 2 * n].decode("utf-16-le", errors="surrogatepass")
            if len(text) == n and not _SURROGATE.search(text):
                return text
    return "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(n))


def _chars(textpage: pdfium.PdfTextPage, settings: LayoutSettings) -> tuple[list[_Char], dict[int, int]]:
    """Every drawn character (real spaces included) with its boxes, origin and effective size, and how many
    visible characters run in each direction (0/90/180/270) in user space."""
    raw = textpage.raw
    address = ctypes.cast(raw, ctypes.c_void_p).value
    out: list[_Char] = []
    angles: dict[int, int] = {}
    cl, cr, cb, ct = (ctypes.c_double() for _ in range(4))
    ox, oy = ctypes.c_double(), ctypes.c_double()
    loose = pdfium_c.FS_RECTF()
    matrix = pdfium_c.FS_MATRIX()
    get_box, get_loose, get_origin = (
        pdfium_c.FPDFText_GetCharBox,
        pdfium_c.FPDFText_GetLooseCharBox,
        pdfium_c.FPDFText_GetCharOrigin,
    )
    text_object, is_generated, effective_size = (
        _text_object_address,
        pdfium_c.FPDFText_IsGenerated,
        _effective_size,
    )
    kinds = _KINDS
    last_obj: object = False  # no object yet (None is a char without one)
    nominal = scale = 1.0
    angle = 0
    for i, drawn in enumerate(_page_text(raw, textpage.count_chars())):
        ch = kinds.get(drawn, False)
        if ch is False:
            ch = kinds[drawn] = _char_kind(drawn)
        if ch is None:
            continue
        # a generated space stays, weakly: pdfium replaces a text object that is a lone space with one
        generated = drawn == " " and bool(is_generated(raw, i))
        get_box(raw, i, cl, cr, cb, ct)
        get_loose(raw, i, loose)
        get_origin(raw, i, ox, oy)
        obj = text_object(address, i)
        if obj is None or obj != last_obj:  # size and matrix are per object
            last_obj = obj
            nominal = pdfium_c.FPDFText_GetFontSize(raw, i)
            if pdfium_c.FPDFText_GetMatrix(raw, i, matrix):
                a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
            else:
                a, b, c, d = 1.0, 0.0, 0.0, 1.0
            scale = math.sqrt(abs(a * d - b * c)) or 1.0
            angle = round(math.degrees(math.atan2(b, a)) / 90) % 4 * 90
        lbox = (loose.left, loose.bottom, loose.right, loose.top)
        if ch != " ":
            angles[angle] = angles.get(angle, 0) + 1
        out.append(
            (
                ch,
                cl.value,
                cb.value,
                cr.value,
                ct.value,
                *lbox,
                ox.value,
                oy.value,
                effective_size(nominal * scale, lbox, angle, settings),
                generated,
            )
        )
    return out, angles


def _effective_size(
    size: float, loose: tuple[float, float, float, float], angle: int, s: LayoutSettings
) -> float:
    """The size the glyph is drawn at; the loose box (ascent to descent) confirms it or replaces it."""
    extent = (loose[2] - loose[0]) if angle in (90, 270) else (loose[3] - loose[1])
    if extent <= 0.5:
        return max(size, 1.0)
    if size <= 1.0 or not extent / s.size_confirm <= size <= extent * s.size_confirm:
        return extent
    return size


def _text_rotation(angles: dict[int, int], page_rotation: int, s: LayoutSettings) -> int:
    """The rotation that shows the page's text upright: its dominant direction when most glyphs share one,
    else the page's /Rotate. (Text drawn at 90° in user space reads upright on a page turned by 90°.)"""
    if not angles:
        return page_rotation
    angle, n = Counter(angles).most_common(1)[0]
    return angle if n > s.rotated_share * sum(angles.values()) else page_rotation


def _glyphs(chars: list[_Char], affine: tuple[float, ...]) -> list[Glyph]:
    """The characters in display coordinates, fake-bold duplicates dropped (the same glyph drawn twice, a
    fraction of a point apart). One pass, inlined: this runs once per glyph of the document."""
    a, b, c, d, e, f = affine
    if (a, b, c, d) == (1.0, 0.0, 0.0, -1.0):
        return _upright_glyphs(chars, e, f)
    return _affine_glyphs(chars, affine)


def _affine_glyphs(chars: list[_Char], affine: tuple[float, ...]) -> list[Glyph]:
    """`_glyphs` through the general affine turn."""
    a, b, c, d, e, f = affine
    seen: set[tuple[str, int, int]] = set()
    out: list[Glyph] = []
    for ch, bl, bb, br, bt, ll, lb, lr, lt, ox, oy, size, generated in chars:
        xa, xb = a * ll + b * lb + e, a * lr + b * lt + e  # the loose box
        ya, yb = c * ll + d * lb + f, c * lr + d * lt + f
        if xa <= xb and ya <= yb:
            lx0, ltop, lx1, lbottom = xa, ya, xb, yb
        else:
            lx0, ltop, lx1, lbottom = min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)
        x_origin, base = a * ox + b * oy + e, c * ox + d * oy + f
        if ch == " ":  # a space may have no ink: its loose box is its advance
            g = Glyph(
                " ", min(lx0, x_origin), max(lx1, x_origin), ltop, lbottom, base, size, generated=generated
            )
        else:
            xa, xb = a * bl + b * bb + e, a * br + b * bt + e  # the tight (ink) box
            ya, yb = c * bl + d * bb + f, c * br + d * bt + f
            if xa <= xb and ya <= yb:
                x0, ink_top, x1, ink_bottom = xa, ya, xb, yb
            else:
                x0, ink_top, x1, ink_bottom = min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)
            if ink_bottom - ink_top < 0.5:  # flat glyphs (一, —): give them a nominal height for cell lookup
                ink_top, ink_bottom = ink_top - size * 0.3, ink_bottom + size * 0.3
            g = Glyph(ch, min(lx0, x0), max(lx1, x1), ink_top, ink_bottom, base, size)
        key = (ch, round(g.x0), round(g.base))
        if key not in seen:
            seen.add(key)
            out.append(g)
    return out


def _upright_glyphs(chars: list[_Char], e: float, f: float) -> list[Glyph]:
    """`_glyphs` on a page shown as drawn (no rotation): display x = x + e, y = f - y. The same values as
    the general affine (x·1 + y·0 + e), without its products; min/max as comparisons."""
    seen: set[tuple[str, int, int]] = set()
    add = seen.add
    out: list[Glyph] = []
    append = out.append
    for ch, bl, bb, br, bt, ll, lb, lr, lt, ox, oy, size, generated in chars:
        lx0, lx1 = ll + e, lr + e  # the loose box
        if lx1 < lx0:
            lx0, lx1 = lx1, lx0
        ltop, lbottom = f - lt, f - lb
        if lbottom < ltop:
            ltop, lbottom = lbottom, ltop
        x_origin, base = ox + e, f - oy
        if ch == " ":  # a space may have no ink: its loose box is its advance
            g = Glyph(
                " ",
                x_origin if x_origin < lx0 else lx0,
                x_origin if x_origin > lx1 else lx1,
                ltop,
                lbottom,
                base,
                size,
                0,
                generated,
            )
        else:
            x0, x1 = bl + e, br + e  # the tight (ink) box
            if x1 < x0:
                x0, x1 = x1, x0
            ink_top, ink_bottom = f - bt, f - bb
            if ink_bottom < ink_top:
                ink_top, ink_bottom = ink_bottom, ink_top
            if ink_bottom - ink_top < 0.5:  # flat glyphs (一, —): give them a nominal height for cell lookup
                ink_top, ink_bottom = ink_top - size * 0.3, ink_bottom + size * 0.3
            g = Glyph(ch, x0 if x0 < lx0 else lx0, x1 if x1 > lx1 else lx1, ink_top, ink_bottom, base, size)
        key = (ch, round(g.x0), round(base))
        if key not in seen:
            add(key)
            append(g)
    return out


def _drawings(
    page: pdfium.PdfPage, form: pdfium.PdfObject | None = None, level: int = 0
) -> Iterable[pdfium.PdfObject]:
    """Path and image objects, in Form XObjects too. Text objects are skipped before any wrapper is made:
    a glyph-by-glyph export has one per character."""
    count, get = (
        (pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject)
        if form
        else (pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject)
    )
    parent = form.raw if form else page.raw
    for i in range(max(count(parent), 0)):
        raw = get(parent, i)
        kind = pdfium_c.FPDFPageObj_GetType(raw) if raw else None
        if kind in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE):
            yield pdfium.PdfObject(raw, page=page, pdf=page.pdf, container=form, level=level)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < _MAX_FORM_DEPTH:
            yield from _drawings(
                page, pdfium.PdfObject(raw, page=page, pdf=page.pdf, container=form, level=level), level + 1
            )


_MAX_FORM_DEPTH = 15


def _raw_drawings(parent, form: bool = False, level: int = 0) -> Iterable[tuple[object, int]]:
    """`_drawings` as raw pdfium handles with their type: the page's rulings need no object wrapper (a ruled
    form has thousands of paths)."""
    count, get = (
        (pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject)
        if form
        else (pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject)
    )
    get_type, path, image = (
        pdfium_c.FPDFPageObj_GetType,
        pdfium_c.FPDF_PAGEOBJ_PATH,
        pdfium_c.FPDF_PAGEOBJ_IMAGE,
    )
    for i in range(max(count(parent), 0)):
        raw = get(parent, i)
        kind = get_type(raw) if raw else None
        if kind == path or kind == image:
            yield raw, kind
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < _MAX_FORM_DEPTH:
            yield from _raw_drawings(raw, True, level + 1)


def _bounds(raw) -> tuple[float, float, float, float]:
    """Left, bottom, right, top of a page object (as PdfObject.get_bounds)."""
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    if not pdfium_c.FPDFPageObj_GetBounds(raw, left, bottom, right, top):
        raise pdfium.PdfiumError("Failed to locate pageobject.")
    return left.value, bottom.value, right.value, top.value


def _path_edges(obj, view: _View, hedges: list[Edge], vedges: list[Edge], s: LayoutSettings) -> None:
    """Turn a path object (a raw handle) into rulings: thin paths by their bounds, boxes and polylines by
    segment."""
    x0, top, x1, bottom = view.box(*_bounds(obj))
    width, height = x1 - x0, bottom - top
    if width <= s.thin and height <= s.thin:
        return
    if width <= s.thin:
        vedges.append(Edge((x0 + x1) / 2, top, bottom))
        return
    if height <= s.thin:
        hedges.append(Edge((top + bottom) / 2, x0, x1))
        return
    if not _stroked(obj):
        return  # a filled box is a background or shading, not a ruling (its own borders are drawn apart)
    for a, b in _segments(obj):
        (xa, ya), (xb, yb) = view.point(*a), view.point(*b)
        if abs(xa - xb) < 1.0 and abs(ya - yb) > s.thin:
            vedges.append(Edge((xa + xb) / 2, min(ya, yb), max(ya, yb)))
        elif abs(ya - yb) < 1.0 and abs(xa - xb) > s.thin:
            hedges.append(Edge((ya + yb) / 2, min(xa, xb), max(xa, xb)))


def _stroked(obj) -> bool:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke):
        return True
    return bool(stroke.value)


def _segments(obj) -> Iterable[tuple[tuple[float, float], tuple[float, float]]]:
    """Straight segments of a path (a raw handle), in page space (the object's matrix applied)."""
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        raise pdfium.PdfiumError("Failed to get matrix of pageobject.")
    ma, mb, mc, md, me, mf = m.a, m.b, m.c, m.d, m.e, m.f
    x, y = ctypes.c_float(), ctypes.c_float()
    start = prev = None
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        px, py = x.value, y.value
        pt = (ma * px + mc * py + me, mb * px + md * py + mf)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or prev is None:
            start = pt
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            yield prev, pt
        prev = pt
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None and start != pt:
            yield pt, start
            prev = start


# What the compiled helper calls (in this order) and mirrors: replacing one of them (tests do, to reach the
# pure-Python path's own fallbacks or to inject wrong sizes) sends the reader down the Python path.
_HELPER_FUNCTIONS = (
    "FPDFText_CountChars",
    "FPDFText_GetText",
    "FPDFText_GetTextIndexFromCharIndex",
    "FPDFText_GetUnicode",
    "FPDFText_IsGenerated",
    "FPDFText_GetCharBox",
    "FPDFText_GetLooseCharBox",
    "FPDFText_GetCharOrigin",
    "FPDFText_GetTextObject",
    "FPDFText_GetFontSize",
    "FPDFText_GetMatrix",
)

# … and what it calls for the rulings and pictures (read.pdf._drawn)
_PATH_FUNCTIONS = (
    "FPDFPage_CountObjects",
    "FPDFPage_GetObject",
    "FPDFFormObj_CountObjects",
    "FPDFFormObj_GetObject",
    "FPDFPageObj_GetType",
    "FPDFPageObj_GetBounds",
    "FPDFPath_GetDrawMode",
    "FPDFPageObj_GetMatrix",
    "FPDFPath_CountSegments",
    "FPDFPath_GetPathSegment",
    "FPDFPathSegment_GetPoint",
    "FPDFPathSegment_GetType",
    "FPDFPathSegment_GetClose",
)


def _compiled_helper():
    """read/native.c, set up with pypdfium2's own pdfium functions (nothing links against pdfium), or None
    when it is not built: the pure-Python path above gives the same glyphs, slower."""
    try:
        from . import native
    except ImportError:
        return None
    native.setup(_char_kind, _addresses(_HELPER_FUNCTIONS))
    constants = (
        pdfium_c.FPDF_PAGEOBJ_PATH,
        pdfium_c.FPDF_PAGEOBJ_IMAGE,
        pdfium_c.FPDF_PAGEOBJ_FORM,
        pdfium_c.FPDF_SEGMENT_MOVETO,
        pdfium_c.FPDF_SEGMENT_LINETO,
        _MAX_FORM_DEPTH,
    )
    native.setup_paths(_addresses(_PATH_FUNCTIONS), constants)
    return native


def _addresses(names: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value for name in names)


def _helper():
    """The compiled helper, unless what it mirrors was replaced since it was set up."""
    if _NATIVE is None or _effective_size is not _MIRRORED[0]:
        return None
    names = _HELPER_FUNCTIONS + _PATH_FUNCTIONS
    if any(getattr(pdfium_c, name) is not f for name, f in zip(names, _MIRRORED[1], strict=True)):
        return None
    return _NATIVE


_NATIVE = _compiled_helper()
_MIRRORED = (_effective_size, [getattr(pdfium_c, name) for name in _HELPER_FUNCTIONS + _PATH_FUNCTIONS])
