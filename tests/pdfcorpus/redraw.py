"""Re-draw a PDF's text and rulings with another technique: the weasyprint forms as WPS would write them.

The layout (every glyph's origin and effective size, every ruling) is read with pdfium from a PDF made by a
producer that lays out forms well (weasyprint); `draw` then writes the same page with its own operators. Text
runs are cut where the baseline changes or the next glyph does not follow on, so a run is what one Tj chain of
a real producer would hold; each glyph keeps its own x.
"""

from __future__ import annotations

import ctypes
import math
from functools import cache
from pathlib import Path

from . import draw


def _size(obj) -> float:
    """Effective size: the nominal size times the scale of the object's matrix (text matrix and CTM)."""
    import pypdfium2.raw as raw

    a, b, c, d, _, _ = obj.get_matrix().get()
    nominal = ctypes.c_float()
    raw.FPDFTextObj_GetFontSize(obj, nominal)
    return nominal.value * math.sqrt(abs(a * d - b * c))


def extract(
    path: Path,
) -> list[tuple[float, float, list[draw.Placed], list[tuple[float, float, float, float]]]]:
    """Per page: (width, height, text runs with each glyph's x, rulings as segments from the top)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(path)
    pages = []
    for page in pdf:
        width, height = page.get_size()
        textpage = page.get_textpage()
        sizes: dict[int, float] = {}
        runs: list[list[tuple[str, float, float, float]]] = []
        x, y = ctypes.c_double(), ctypes.c_double()
        for i in range(textpage.count_chars()):
            ch = chr(raw.FPDFText_GetUnicode(textpage, i))
            if ch in "\r\n\x00\ufffe":
                continue
            obj = raw.FPDFText_GetTextObject(textpage, i)
            key = ctypes.cast(obj, ctypes.c_void_p).value or 0
            if key not in sizes:
                sizes[key] = _size(pdfium.PdfObject(obj, page=page, pdf=pdf)) if key else draw.SIZE
            raw.FPDFText_GetCharOrigin(textpage, i, x, y)
            glyph = (ch, x.value, height - y.value, sizes[key])
            last = runs[-1][-1] if runs else None
            follows = last and abs(last[2] - glyph[2]) < 0.5 and 0 <= glyph[1] - last[1] < 2.5 * glyph[3]
            if follows:
                runs[-1].append(glyph)
            else:
                runs.append([glyph])
        placed = [
            draw.Placed("".join(g[0] for g in run), run[0][1], run[0][2], run[0][3], tuple(g[1] for g in run))
            for run in runs
        ]
        rules = []
        for obj in page.get_objects():
            if obj.type != raw.FPDF_PAGEOBJ_PATH:
                continue
            left, bottom, right, top = obj.get_bounds()
            if right - left >= top - bottom:
                mid = height - (top + bottom) / 2
                rules.append((left, mid, right, mid))
            else:
                mid = (left + right) / 2
                rules.append((mid, height - top, mid, height - bottom))
        pages.append((width, height, placed, rules))
        textpage.close()
        page.close()
    pdf.close()
    return pages


@cache
def seed_forms_layout():
    """The layout of the seed's weasyprint forms (rendered once per process)."""
    import tempfile

    from .html import seed_forms

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "forms.pdf"
        seed_forms(path)  # cached bytes: the seed-html-forms variant's own PDF
        return extract(path)


def seed_forms(technique: draw.Technique, setup: str = draw.PORTRAIT):
    """A builder: the seed's forms re-drawn with `technique`, every page set up as `setup`."""

    def build(out: Path) -> None:
        sheets = [draw.Sheet(setup, placed, rules, (w, h)) for w, h, placed, rules in seed_forms_layout()]
        draw.render_sheets(sheets, technique, out)

    return build
