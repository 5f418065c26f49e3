"""The PDF reader's compiled helper (read/native.c): it is built, and it gives exactly what the pure-Python
path gives (the fallback when it is not built) — the same glyphs, float for float, and the same lines and
grids — on producers that exercise each branch: upright pages, /Rotate and sideways text (the affine turn),
WPS's scaled text matrix, glyph-by-glyph and shuffled content, an embedded TTF, ruled HTML forms, and the
bundled samples."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from juesuan.config import DATA_RAW, FIXTURES, LAYOUT
from juesuan.read import layout, pdf
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
    from juesuan.read import native  # noqa: F401 - ImportError here means it is not built

    assert pdf._NATIVE is not None and layout._NATIVE is not None


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> list[Path]:
    directory = tmp_path_factory.mktemp("compiled")
    by_name = {v.name: v for v in VARIANTS}
    built = [by_name[name].write(directory) for name in CORPUS]
    return [*built, *sorted(DATA_RAW.glob("*.pdf")), FIXTURES / "wps" / "2024-shanghai-template.pdf"]


def _glyph_rows(path: Path) -> list[tuple]:
    """Every page's glyphs, all fields, with the page's rotation, rulings and picture share."""
    rows = []
    doc = pdfium.PdfDocument(path)
    try:
        for index in range(len(doc)):
            page = doc[index]
            content = pdf._page_content(page, LAYOUT)
            page.close()
            rows.append((index, content.rotation, content.page_rotation, content.height, content.image_share))
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
    monkeypatch.setattr(pdf, "_NATIVE", None)
    monkeypatch.setattr(layout, "_NATIVE", None)
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


def test_the_helper_reads_char_by_char_when_the_text_is_not_one_to_one():
    """As the Python path (tests/test_pdf.py): when pdfium's text index does not follow the char index, the
    helper reads each code on its own, and the glyphs are the same. (It is set up with stand-ins for two
    pdfium functions, then with the real ones again.)"""
    import ctypes

    import pypdfium2.raw as pdfium_c

    from juesuan.read import native

    sample = DATA_RAW / "2024-shanghai-putuo-caizhengju.pdf"
    before = _glyph_rows(sample)
    real = [ctypes.cast(getattr(pdfium_c, n), ctypes.c_void_p).value for n in pdf._HELPER_FUNCTIONS]
    calls: list[int] = []

    def unicode(raw, i):
        calls.append(i)
        return pdfium_c.FPDFText_GetUnicode(ctypes.cast(raw, pdfium_c.FPDF_TEXTPAGE), i)

    shifted = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int)(lambda raw, i: i - 1)
    counted = ctypes.CFUNCTYPE(ctypes.c_uint, ctypes.c_void_p, ctypes.c_int)(unicode)
    stand_ins = list(real)
    stand_ins[pdf._HELPER_FUNCTIONS.index("FPDFText_GetTextIndexFromCharIndex")] = ctypes.cast(
        shifted, ctypes.c_void_p
    ).value
    stand_ins[pdf._HELPER_FUNCTIONS.index("FPDFText_GetUnicode")] = ctypes.cast(
        counted, ctypes.c_void_p
    ).value
    native.setup(pdf._char_kind, tuple(stand_ins))
    try:
        after = _glyph_rows(sample)
    finally:
        native.setup(pdf._char_kind, tuple(real))
    assert len(calls) > 1000
    assert after == before
