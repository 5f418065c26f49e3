"""read.pdf: visual lines in reading order, image pages, and unusable input refused cleanly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from juesuan.errors import InputError
from juesuan.read import read_source
from juesuan.read.pdf import read_pdf
from juesuan.schemas import TABLE_CODES

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
CAIZHENGJU = RAW / "2024-shanghai-putuo-caizhengju.pdf"
GUIHUA = RAW / "2024-shanghai-putuo-guihuaziyuanju.pdf"
SAMPLES = [CAIZHENGJU, GUIHUA]
TEMPLATE = Path(__file__).resolve().parent / "fixtures" / "wps" / "2024-shanghai-template.pdf"


@pytest.fixture(scope="module")
def sources():
    return {p.name: read_pdf(p) for p in SAMPLES}


def _texts(source, page=None):
    return [ln.text for ln in source.lines if page is None or ln.page == page]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_numbers_sit_in_their_sentence(sources):
    """The figures are drawn in another font; they must come back inside the sentence, in order."""
    cz = _texts(sources[CAIZHENGJU.name])
    assert "上海市普陀区财政局2024年度收入支出总计2995.39万元。与2023年度相比，收入" in cz
    gh = [_squash(t) for t in _texts(sources[GUIHUA.name])]
    assert "9859.38万元。与2023年度相比，收入支出总计增加1062.85" in gh
    assert "本年支出合计9759.38万元，其中：基本支出5377.64万元，" in gh


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_no_number_only_lines_in_narrative(sources, sample):
    """On the 情况说明 pages no line is made of numbers alone (they would have left their sentence)."""
    source = sources[sample.name]
    start = next(ln.page for ln in source.lines if re.match(r"^第三部分", _squash(ln.text)) and ln.page > 3)
    narrative = [ln for ln in source.lines if ln.page >= start]
    assert len(narrative) > 50
    lonely = [ln for ln in narrative if re.fullmatch(r"[\d.,%％\s]+", ln.text)]
    assert lonely == []


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_lines_numbered_and_paged(sources, sample):
    source = sources[sample.name]
    assert source.kind == "pdf"
    assert [ln.no for ln in source.lines] == list(range(1, len(source.lines) + 1))
    pages = [ln.page for ln in source.lines]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == source.n_pages
    assert len(source.sha256) == 64


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_titles_and_headings_are_own_lines(sources, sample):
    """The segmenter finds the nine table titles and the part/section headings as whole lines."""
    source = sources[sample.name]
    texts = {_squash(t).replace("“", "").replace("”", "") for t in _texts(source)}
    for title in TABLE_CODES.values():
        if title.startswith("国有资本经营"):
            title = "国有资本经营预算财政拨款收入支出决算表"  # the Shanghai variant
        assert title.replace("“", "").replace("”", "") in texts, title
    heads = [_squash(t) for t in _texts(source)]
    for part in ("第一部分", "第三部分", "第四部分"):
        assert sum(h.startswith(part) for h in heads) >= 2, part  # table of contents + body
    assert any(h.startswith("第二部分") for h in heads)  # 规划资源局 omits it above its first table
    assert "一、收入支出决算总体情况说明" in heads
    assert "七、财政拨款“三公”经费支出决算情况说明" in heads


def test_letter_spaced_glyphs_are_joined(sources):
    texts = _texts(sources[CAIZHENGJU.name], page=16)
    assert any(t.endswith(" 因公出国（境）费") for t in texts)  # printed 因 公 出 国 （ 境 ） 费


def test_table_cells_are_separated(sources):
    """Cells on one visual line are separated by a space (a ruling lies between them)."""
    texts = _texts(sources[CAIZHENGJU.name], page=8)
    assert "201 06 01 行政运行 1,511.90 1,511.89 0.01" in texts


def test_read_source_dispatches_pdf():
    source = read_source(GUIHUA)
    assert source.kind == "pdf" and source.n_pages == 30 and source.image_pages == []


def test_tables_have_grids(sources):
    grids = sources[CAIZHENGJU.name].tables
    pages = {g.page for g in grids}
    assert {6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20} <= pages


# ---------------------------------------------------------------- image pages and bad input


def _image_pdf(path: Path) -> Path:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 840), "white")
    ImageDraw.Draw(img).rectangle((50, 50, 550, 300), outline="black", width=3)
    img.save(path, "PDF")
    return path


def test_image_page_detected(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.append(str(CAIZHENGJU), pages=[20])  # a narrative page with text
    writer.append(str(_image_pdf(tmp_path / "scan.pdf")))
    mixed = tmp_path / "mixed.pdf"
    writer.write(mixed)
    source = read_pdf(mixed, ocr="off")  # without OCR (tests/test_ocr.py reads such pages)
    assert source.n_pages == 2
    assert source.image_pages == [2]
    assert [(w.stage, w.page) for w in source.warnings] == [("read", 2)]
    assert all(ln.page == 1 for ln in source.lines)


def test_only_images_is_refused(tmp_path):
    with pytest.raises(InputError, match="no text layer"):
        read_pdf(_image_pdf(tmp_path / "scan.pdf"))


def test_empty_file_is_refused(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_pdf(empty)


def test_truncated_file_is_refused(tmp_path):
    data = CAIZHENGJU.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated"):
        read_pdf(cut)


def test_corrupt_file_is_refused(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00 not a pdf body " * 300 + b"\n%%EOF\n")
    with pytest.raises(InputError, match="corrupt"):
        read_pdf(bad)


def test_encrypted_file_is_refused(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=str(CAIZHENGJU))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    writer.write(locked)
    with pytest.raises(InputError, match="encrypted"):
        read_pdf(locked)


def test_owner_password_only_is_read(tmp_path):
    """Copy-protected (no open password) PDFs are common for government files and readable."""
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=str(CAIZHENGJU))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    protected = tmp_path / "protected.pdf"
    writer.write(protected)
    assert len(read_pdf(protected).lines) == len(read_pdf(CAIZHENGJU).lines)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_pages_read_as_displayed(tmp_path, rotation):
    """Pages stored sideways with /Rotate give the same lines and tables as the upright original."""
    pypdf = pytest.importorskip("pypdf")
    from pypdf.generic import RectangleObject

    upright, turned = pypdf.PdfWriter(), pypdf.PdfWriter()
    upright.append(str(GUIHUA), pages=[15, 16])
    turned.append(str(GUIHUA), pages=[15, 16])
    for page in turned.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        shift = {90: (h, 0), 180: (w, h), 270: (0, w)}[rotation]
        page.add_transformation(pypdf.Transformation().rotate(rotation).translate(*shift))
        box = RectangleObject([0, 0, h, w] if rotation in (90, 270) else [0, 0, w, h])
        page.mediabox = page.cropbox = box
        page.rotation = rotation
    upright.write(tmp_path / "upright.pdf")
    turned.write(tmp_path / "turned.pdf")
    a, b = read_pdf(tmp_path / "upright.pdf"), read_pdf(tmp_path / "turned.pdf")
    assert [ln.text for ln in b.lines] == [ln.text for ln in a.lines]
    assert [[c.text for c in g.cells] for g in b.tables] == [[c.text for c in g.cells] for g in a.tables]


# ---------------------------------------------------------------- the fast paths give the slow paths' answers


def _per_char_text(raw, n: int) -> str:
    import pypdfium2.raw as pdfium_c

    return "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(n))


@pytest.mark.parametrize("sample", [CAIZHENGJU, TEMPLATE], ids=lambda p: p.stem)
def test_page_text_in_one_call_is_each_characters_code(sample):
    """The page's text read in one FPDFText_GetText call is, character for character, what FPDFText_GetUnicode
    gives for each char index (the reader pairs it with each char's box by index)."""
    import pypdfium2 as pdfium

    from juesuan.read import pdf

    doc = pdfium.PdfDocument(sample)
    total = 0
    try:
        for page in doc:
            textpage = page.get_textpage()
            n = textpage.count_chars()
            assert pdf._page_text(textpage.raw, n) == _per_char_text(textpage.raw, n)
            total += n
    finally:
        doc.close()
    assert total > 5000


def test_page_text_not_one_to_one_is_read_char_by_char(monkeypatch):
    """When pdfium's text index does not follow the char index, each code is read on its own, and the
    document reads the same."""
    from juesuan.read import pdf

    before = read_pdf(CAIZHENGJU, ocr="off")
    monkeypatch.setattr(pdf.pdfium_c, "FPDFText_GetTextIndexFromCharIndex", lambda raw, i: i - 1)
    calls = []
    per_char = pdf.pdfium_c.FPDFText_GetUnicode
    monkeypatch.setattr(pdf.pdfium_c, "FPDFText_GetUnicode", lambda raw, i: calls.append(i) or per_char(raw, i))
    after = read_pdf(CAIZHENGJU, ocr="off")
    assert len(calls) > 1000
    assert after.lines == before.lines and after.warnings == before.warnings
    assert [[c.lines for c in t.cells] for t in after.tables] == [[c.lines for c in t.cells] for t in before.tables]


@pytest.mark.parametrize("sample", [CAIZHENGJU, TEMPLATE], ids=lambda p: p.stem)
def test_upright_glyphs_are_the_general_turn(sample):
    """A page shown as drawn is turned upright without the affine products: the glyphs (boxes, baselines,
    sizes, dropped duplicates) are exactly those of the general turn."""
    import pypdfium2 as pdfium

    from juesuan.config import LAYOUT
    from juesuan.read import pdf

    doc = pdfium.PdfDocument(sample)
    total = 0
    try:
        for page in doc:
            textpage = page.get_textpage()
            chars, _ = pdf._chars(textpage, LAYOUT)
            affine = pdf._View(*page.get_bbox(), 0).affine
            fast = pdf._upright_glyphs(chars, affine[4], affine[5])
            assert repr(fast) == repr(pdf._affine_glyphs(chars, affine))
            total += len(fast)
    finally:
        doc.close()
    assert total > 5000
