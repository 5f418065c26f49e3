"""The PDF reader's compiled helper (read/_pdfchars.c): it is built, and it gives exactly what the pure-Python
path gives (the fallback when it is not built) — the same glyphs, float for float, and the same lines and
grids — on producers that exercise each branch: upright pages, /Rotate and sideways text (the affine turn),
WPS's scaled text matrix, glyph-by-glyph and shuffled content, an embedded TTF, ruled HTML forms, and the
bundled samples."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from juesuan.config import DATA_RAW, FIXTURES, LAYOUT
from juesuan.read import pdf
from pdfcorpus import VARIANTS

CORPUS = (
    "seed-wps-tm720",
    "seed-rotate90",
    "seed-sideways90",
    "seed-sideways270",
    "seed-glyphs-shuffled",
    "seed-fpdf2-ttf",
    "seed-html-forms",
    "caizhengju-grids-rotate90",
)


def test_the_compiled_helper_is_built():
    """Fails when the C extension was not compiled at install (`pip install -e .` builds it in place): the
    reader would silently fall back to the slower pure-Python path."""
    from juesuan.read import _pdfchars  # noqa: F401 - ImportError here means it is not built

    assert pdf._PDFCHARS is not None


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> list[Path]:
    directory = tmp_path_factory.mktemp("compiled")
    by_name = {v.name: v for v in VARIANTS}
    built = [by_name[name].write(directory) for name in CORPUS]
    return [*built, *sorted(DATA_RAW.glob("*.pdf")), FIXTURES / "wps" / "2024-shanghai-template.pdf"]


def _glyph_rows(path: Path) -> list[tuple]:
    """Every page's glyphs, all fields, with the page's rotation and rulings."""
    rows = []
    doc = pdfium.PdfDocument(path)
    try:
        for index in range(len(doc)):
            page = doc[index]
            content = pdf._page_content(page, LAYOUT)
            page.close()
            rows.append((index, content.rotation, content.page_rotation, content.height))
            rows += [
                (g.ch, g.x0, g.x1, g.top, g.bottom, g.base, g.size, g.line_no, g.generated, g.conf)
                for g in content.glyphs
            ]
            rows += [("h", e.pos, e.lo, e.hi) for e in content.hedges]
            rows += [("v", e.pos, e.lo, e.hi) for e in content.vedges]
    finally:
        doc.close()
    return rows


def _read(path: Path) -> tuple:
    src = pdf.read_pdf(path, ocr="off")
    return (
        [(ln.no, ln.page, ln.text) for ln in src.lines],
        [(t.page, t.xs, t.ys, t.form, [repr(c) for c in t.cells]) for t in src.tables],
        [repr(w) for w in src.warnings],
    )


def test_both_paths_give_the_same_glyphs_and_lines(pdfs, monkeypatch):
    compiled = {p.name: (_glyph_rows(p), _read(p)) for p in pdfs}
    monkeypatch.setattr(pdf, "_PDFCHARS", None)
    for p in pdfs:
        glyphs, read = compiled[p.name]
        python_glyphs = _glyph_rows(p)
        assert len(glyphs) > 100, p.name
        assert glyphs == python_glyphs, p.name
        assert read == _read(p), p.name


def test_rotated_and_scaled_pages_take_both_turns(pdfs):
    """The corpus above reaches the affine branch (sideways text) and the upright one."""
    rotations = {row[1] for p in pdfs[:4] for row in _glyph_rows(p) if isinstance(row[0], int)}
    assert 0 in rotations and rotations & {90, 270}
