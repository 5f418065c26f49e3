"""OCR of image-only pages and pictures (read.ocr): the bundled text PDFs turned into pictures (tests/ocrgen)
must parse to the same statements as their text layer, and every cell that does not is reported as unsure,
never silently wrong. OCR takes seconds a page: each picture PDF is made and parsed once per session, on a
few pages chosen to cover the table layouts (landscape and portrait, two-panel tables over a page break,
三公, the 基本支出 table with its two panels, the performance forms)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import juesuan
from juesuan.config import DATA_RAW, FIXTURES, OCR
from juesuan.extract import ocr_identities
from juesuan.read import ocr
from juesuan.read.layout import Edge, Glyph, layout_page
from juesuan.read.lines import Line, Warn
from juesuan.read.pdf import read_pdf
from juesuan.segment import Passage
from ocrgen import Scan, garbled, pasted, scanned
from pdfcorpus.compare import compare, normalise

CAIZHENGJU = DATA_RAW / "2024-shanghai-putuo-caizhengju.pdf"
GUIHUA = DATA_RAW / "2024-shanghai-putuo-guihuaziyuanju.pdf"
STATEMENT_COLUMNS = ["table_code", "panel", "row_label", "subject_code", "level", "column", "value", "page"]


# ---------------------------------------------------------------- picture PDFs, parsed once per session


@pytest.fixture(scope="module", autouse=True)
def _own_cache(tmp_path_factory):
    """Recognised pages are cached within this run only: every run exercises the engine."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUESUAN_OCR_CACHE", str(tmp_path_factory.mktemp("ocr-cache")))
        yield


@pytest.fixture(scope="session")
def parsed(tmp_path_factory):
    directory = tmp_path_factory.mktemp("ocr")
    done: dict[str, juesuan.Disclosure] = {}

    def get(name: str) -> juesuan.Disclosure:
        if name not in done:
            path = directory / f"{name}.pdf"
            _BUILD[name](path)
            done[name] = juesuan.load(path)
        return done[name]

    return get


# caizhengju: income (landscape, 类/款/项 codes), 财政拨款收入支出决算总表 over two pages, 三公;
# guihuaziyuanju: 财政拨款收入支出决算总表 and the 基本支出 table (two panels, 67 cells, portrait)
SCANNED_PAGES = [8, 12, 13, 18]
PASTED_PAGES = [12, 13, 16]
_BUILD = {
    # a scan: no text layer at all, pages turned by 0.8° and JPEG-compressed
    "scanned": lambda out: _only(CAIZHENGJU, out, SCANNED_PAGES, Scan(dpi=150, turn=0.8, jpeg=70)),
    # the tables pasted as pictures into the text PDF, titles and 单位 lines left as text
    "pasted": lambda out: pasted(GUIHUA, out, Scan(dpi=200, turn=-0.5, jpeg=85), PASTED_PAGES),
    # one page of 情况说明 scanned (its figures and the 基本支出 line items), the rest of the PDF text
    "narrative": lambda out: scanned(GUIHUA, out, Scan(dpi=200, turn=0.5, jpeg=85), [NARRATIVE_PAGE]),
}
NARRATIVE_PAGE = 24


def _only(source, out, pages, scan):
    """The chosen pages of a PDF, scanned: a document with no text layer at all."""
    import pypdfium2 as pdfium

    part = out.with_suffix(".part.pdf")
    src = pdfium.PdfDocument(source)
    pdf = pdfium.PdfDocument.new()
    pdf.import_pages(src, [p - 1 for p in pages])
    pdf.save(part)
    scanned(part, out, scan)
    part.unlink()
    return out


def _fixture(sample: str, pages: list[int], renumber: list[int] | None = None) -> pd.DataFrame:
    want = pd.read_csv(FIXTURES / f"putuo_{sample}_2024" / "statements.csv", dtype=str, keep_default_na=False)
    want = want[want.page.astype(int).isin(pages)].copy()
    if renumber:
        want["page"] = want.page.astype(int).map({p: i for i, p in enumerate(renumber, 1)}).astype(str)
    return want


def _unsure_cells(d: juesuan.Disclosure) -> pd.DataFrame:
    w = d.warnings
    return w[(w.stage == "extract:statements") & w.message.str.contains("OCR")]


def _check_statements(d: juesuan.Disclosure, want: pd.DataFrame, pages: list[int]) -> float:
    """No row read that the text layer does not have (never silently wrong); every row missed is warned on its
    page; the share of rows identical."""
    got = d.statements[d.statements.page.isin(pages)]
    result = compare(want, got, STATEMENT_COLUMNS, "statements")
    assert not result.extra, result.summary(10)  # a value or label read wrong and used
    unsure = _unsure_cells(d)
    for row in result.missing:
        here = unsure[unsure.page == int(row["page"])]
        label = re.escape(str(row["row_label"])[-4:])
        assert here.message.str.contains(label).any(), (row, here.message.tolist())
    assert (got.source == "ocr").all() and got.confidence.between(0, 1).all()
    return result.identical / result.expected


def test_a_scanned_document_reads_like_its_text_layer(parsed):
    d = parsed("scanned")
    want = _fixture("caizhengju", SCANNED_PAGES, renumber=SCANNED_PAGES)
    pages = list(range(1, len(SCANNED_PAGES) + 1))
    assert len(want) == 56
    share = _check_statements(d, want, pages)
    assert share >= 0.95, share
    found = set(d.document.tables_found.iloc[0].split("；"))
    assert found == {"income", "fiscal_income_expenditure", "three_public"}
    assert d.document.image_pages.iloc[0] == "1；2；3；4"
    read = d.warnings[d.warnings.stage == "read:ocr"]
    assert read.message.str.contains("page\\(s\\) 1–4 read by OCR").any()


def test_checks_say_an_operand_came_from_ocr(parsed):
    from juesuan.checks import run_checks

    checks = run_checks(parsed("scanned"))
    t4 = checks[checks.evidence.str.contains("表4.(?:收入|支出)", na=False)]  # operands that are cells of 表4
    assert not t4.empty and t4.evidence.str.contains(r"\(OCR, 第\d页\)").all()


def test_pictures_pasted_into_a_text_pdf(parsed):
    d = parsed("pasted")
    want = _fixture("guihuaziyuanju", PASTED_PAGES)
    assert len(want) == 84
    share = _check_statements(d, want, PASTED_PAGES)
    assert share >= 0.95, share
    text = d.statements[~d.statements.page.isin(PASTED_PAGES)]  # the other pages: the text layer, untouched
    rest = _fixture("guihuaziyuanju", sorted(set(range(1, 31)) - set(PASTED_PAGES)))
    assert compare(rest, text, STATEMENT_COLUMNS).ok
    assert (text.source == "text").all() and text.confidence.isna().all()


def test_a_text_pdf_is_not_recognised(tmp_path):
    d = juesuan.load(GUIHUA)
    assert (d.statements.source == "text").all()
    assert not d.warnings.stage.str.startswith("read:ocr").any()


def test_ocr_off_reports_image_pages_and_refuses_a_scan(tmp_path):
    scan = scanned(CAIZHENGJU, tmp_path / "scan.pdf", Scan(dpi=50), pages=[21])
    source = read_pdf(scan, ocr="off")
    assert source.image_pages == [21]
    assert [(w.stage, w.page) for w in source.warnings] == [("read", 21)]
    assert "--ocr auto" in source.warnings[0].message
    only = _only(CAIZHENGJU, tmp_path / "only.pdf", [21], Scan(dpi=50))
    with pytest.raises(juesuan.InputError, match="no text layer.*--ocr auto"):
        read_pdf(only, ocr="off")


def test_force_reads_the_page_picture_not_the_text_layer(tmp_path):
    import pypdfium2 as pdfium

    one = tmp_path / "three-public.pdf"
    pdf = pdfium.PdfDocument.new()
    pdf.import_pages(pdfium.PdfDocument(CAIZHENGJU), [17])
    pdf.save(one)
    source = read_pdf(one, ocr="force")
    texts = "".join(ln.text for ln in source.lines)
    assert "三公" in texts and "0.95" in texts
    cells = [c for g in source.tables for c in g.cells if c.text]
    assert cells and all(c.conf is not None for c in cells)


def test_a_garbled_text_layer_is_read_from_its_picture(tmp_path):
    """A page whose fonts map to private-use characters (no usable ToUnicode) is recognised in auto mode,
    with a warning naming it; the other pages keep their text layer; off mode only warns."""
    pdf = garbled(GUIHUA, tmp_path / "garbled.pdf", [10])
    d = juesuan.load(pdf)
    want = _fixture("guihuaziyuanju", [10])
    assert len(want) == 36
    assert _check_statements(d, want, [10]) >= 0.95
    said = d.warnings[(d.warnings.stage == "read:ocr") & (d.warnings.page == 10)]
    assert said.message.str.startswith("garbled text layer (fonts without a Unicode map)").any()
    rest = d.statements[d.statements.page != 10]
    rest_want = _fixture("guihuaziyuanju", [p for p in range(1, 31) if p != 10])
    assert compare(rest_want, rest, STATEMENT_COLUMNS).ok
    assert (rest.source == "text").all()
    off = read_pdf(pdf, ocr="off")
    assert [(w.stage, w.page) for w in off.warnings if "garbled" in w.message] == [("read", 10)]


def test_garbled_share_counts_what_no_disclosure_prints():
    assert ocr.garbled_share("212 城乡社区支出 3,832.36（万元）≥95%，①■ μg Ω") == 0.0
    assert ocr.garbled_share("\ue82a\ue7e3\ufffd\uf4a4") == 1.0  # private use, replacement character
    assert ocr.garbled_share("᭟ᵜ亩ⴞЖ") == pytest.approx(0.8)  # glyph numbers taken as code points
    glyph = lambda ch: Glyph(ch, 0, 1, 0, 1, 1, 1)  # noqa: E731
    assert ocr.garbled([glyph("\ue000")] * (OCR.garbled_min_chars - 1)) is False  # too few to judge
    assert ocr.garbled([glyph("\ue000")] * 8 + [glyph("支")] * 12) is (8 / 20 >= OCR.garbled_share)


def test_figures_read_from_a_scanned_narrative_page_say_ocr(parsed):
    """Figures and line items read from a scanned page carry source "ocr" and a confidence; those of the text
    pages carry "text" and none, with the values of the text-layer parse."""
    d, text = parsed("narrative"), juesuan.load(GUIHUA)
    keys = {"figures": ["section", "item", "measure", "value"], "line_items": ["item", "amount_wan"]}
    for table, key in keys.items():
        got, want = getattr(d, table), getattr(text, table)
        read = got[got.page == NARRATIVE_PAGE]
        assert len(read) >= len(want[want.page == NARRATIVE_PAGE]) // 2 > 0, (table, len(read))
        assert (read.source == "ocr").all() and read.confidence.between(0, 1).all(), table
        assert read.confidence.notna().all() and (read.confidence < 1).any(), table
        rest, rest_want = got[got.page != NARRATIVE_PAGE], want[want.page != NARRATIVE_PAGE]
        assert (rest.source == "text").all() and rest.confidence.isna().all(), table
        assert rest[key].reset_index(drop=True).equals(rest_want[key].reset_index(drop=True)), table


def test_narrative_tables_read_from_text_say_text():
    seed = juesuan.load(DATA_RAW / "2023-tongcheng-renshe.txt")
    for table in ("figures", "line_items", "project_outputs"):
        df = getattr(seed, table)
        assert len(df) > 0 and (df.source == "text").all() and df.confidence.isna().all(), table
    pdf = juesuan.load(GUIHUA)
    for table in ("figures", "line_items"):
        df = getattr(pdf, table)
        assert len(df) > 0 and (df.source == "text").all() and df.confidence.isna().all(), table


def test_a_value_carries_the_lowest_confidence_of_the_lines_it_was_read_from():
    lines = [Line(1, 1, "收入合计"), Line(2, 1, "100万元，"), Line(3, 2, "支出合计200万元。")]
    p = Passage(lines, {1: 0.97, 2: 0.91})  # Source.line_conf: lines 1 and 2 read by OCR
    first, second = p.text.index("100"), p.text.index("200")
    assert p.provenance(first, first + 5) == {"source": "ocr", "confidence": 0.91}
    assert p.provenance(0, 4) == {"source": "ocr", "confidence": 0.97}
    assert p.provenance(0, first + 5) == {"source": "ocr", "confidence": 0.91}
    assert p.provenance(second, second + 5) == {"source": "text", "confidence": None}
    assert Passage(lines).provenance(0, len(p.text)) == {"source": "text", "confidence": None}


# ---------------------------------------------------------------- the performance forms as pictures


@pytest.fixture(scope="session")
def forms(tmp_path_factory):
    """seed-html-forms (the seed's performance tables as ruled forms), and the same PDF with two form pages
    scanned: the 部门整体 table and a project table."""
    pytest.importorskip("weasyprint")
    from pdfcorpus import html

    directory = tmp_path_factory.mktemp("ocrforms")
    text = directory / "seed-html-forms.pdf"
    html.seed_forms(text)
    original = juesuan.load(text)
    pages = _form_pages(original)
    picture = scanned(text, directory / "forms-scanned.pdf", Scan(dpi=200, turn=0.6, jpeg=80), pages)
    return original, juesuan.load(picture), pages


def _form_pages(d: juesuan.Disclosure) -> list[int]:
    ind = d.indicators
    dept = int(ind[ind.scope == "department"].page.min())
    project = int(ind[ind.scope == "project"].page.median())
    return sorted({dept, project})


INDICATOR_COLUMNS = ["scope", "level1", "level2", "level3", "target_raw", "actual_raw", "score"]


def test_performance_forms_from_pictures(forms):
    original, picture, pages = forms
    want = original.indicators[original.indicators.page.isin(pages)]
    got = picture.indicators[picture.indicators.page.isin(pages)]
    assert len(want) >= 20
    columns = [c for c in INDICATOR_COLUMNS if c in want.columns]
    result = compare(want, got, columns, "indicators")
    assert result.identical >= 0.98 * len(want), result.summary(10)
    warned = picture.warnings[picture.warnings.stage.str.contains("ocr|performance")]
    named = set(zip(warned.page.fillna(0).astype(int), warned.source_line.fillna(0).astype(int), strict=True))
    read = {tuple(normalise(v) for v in r[columns]): (int(r.page), int(r.source_line)) for _, r in got.iterrows()}
    for row in result.extra:  # a row that differs is warned on its own page and line, never silently wrong
        assert read[tuple(row.values())] in named, row


def test_form_rows_read_from_pictures_say_ocr_and_so_do_the_checks(forms):
    """Indicators, projects and goals on the scanned pages carry source "ocr" with a confidence, the others
    "text"; a check citing an indicator from a scanned page says OCR."""
    from juesuan.checks import run_checks

    _, picture, pages = forms
    for table in ("indicators", "projects", "department_goals"):
        df = getattr(picture, table)
        on, off = df[df.page.isin(pages)], df[~df.page.isin(pages)]
        assert len(on) > 0 and len(off) > 0, table
        assert (on.source == "ocr").all() and on.confidence.notna().all(), table
        assert on.confidence.between(0, 1).all() and (on.confidence < 1).any(), table
        assert (off.source == "text").all() and off.confidence.isna().all(), table
    evidence = run_checks(picture).evidence
    for page in pages:
        cited = evidence[evidence.str.contains(rf"\((?:部门整体)?自评表[^()]*第{page}页\)")]
        marked = cited.str.contains(rf"\((?:部门整体)?自评表, OCR, 行\d+, 第{page}页\)")
        assert len(cited) > 0 and marked.all(), (page, cited[~marked].head(2).tolist())
    assert evidence.str.contains(r"\(自评表, 行\d+, 第\d+页\)").any()  # text pages: no mark


def test_a_large_bold_heading_is_read_whole(tmp_path):
    """A part heading in a large bold face: its upright strokes are no rulings to cut the line at (cut there,
    第三部分 read as 第三音分 and the forced OCR of a text PDF found no structure)."""
    import pypdfium2 as pdfium

    from juesuan.limits import Limits, using
    from juesuan.read import read_source
    from juesuan.segment import compact

    src, pdf = pdfium.PdfDocument(CAIZHENGJU), pdfium.PdfDocument.new()
    pdf.import_pages(src, [20])  # the first page of 第三部分 情况说明
    pdf.save(tmp_path / "heading.pdf")
    with using(Limits(ocr="force")):
        lines = read_source(tmp_path / "heading.pdf").lines
    text = "".join(compact(ln.text).replace(" ", "") for ln in lines[:3])
    assert text.startswith("第三部分上海市普陀区财政局2024年度部门决算情况说明"), text


def test_a_ruling_cuts_a_line_only_where_it_runs_on_beyond_it():
    lines = np.zeros((60, 40), np.uint8)
    lines[20:40, 10] = 255  # a stroke within the line's box (rows 20–39)
    lines[5:55, 30] = 255  # a ruling through it
    runs_on = ocr._runs_on(lines, 0, 39, 20, 39)
    assert not runs_on[10] and runs_on[30] and runs_on.sum() == 1
    assert not ocr._runs_on(lines, 0, 39, 0, 59).any()  # nothing beyond a box as tall as the picture


# ---------------------------------------------------------------- pieces, without the engine


def test_rulings_and_skew_from_a_drawn_table():
    scale = 2.0
    img = np.full((400, 600), 255, np.uint8)
    for y in (50, 150, 250, 350):
        img[y : y + 2, 40:560] = 0
    for x in (40, 300, 558):
        img[50:352, x : x + 2] = 0
    hedges, vedges, mask = ocr.rulings(img, scale, (10.0, 20.0))
    assert sorted(e.pos for e in hedges) == [45.5, 95.5, 145.5, 195.5]  # 20 + (y + 1) / 2, in points
    assert sorted(e.pos for e in vedges) == [30.5, 160.5, 289.5]
    assert all(round(e.lo) == 30 and round(e.hi) == 290 for e in hedges)
    assert mask.max() == 255
    import cv2

    turned = cv2.warpAffine(img, cv2.getRotationMatrix2D((300, 200), 0.8, 1.0), (600, 400), borderValue=255)
    assert ocr.skew_angle(turned) == pytest.approx(-0.8, abs=0.1)
    straight, angle = ocr.deskew(turned)
    assert angle == pytest.approx(-0.8, abs=0.1)
    hedges, _, _ = ocr.rulings(straight, scale, (0.0, 0.0))
    assert len(ocr_rows := sorted({round(e.pos) for e in hedges if e.hi - e.lo > 200})) == 4, ocr_rows


def test_recognised_words_become_glyphs_with_their_confidence():
    box = [[100, 200], [180, 200], [180, 230], [100, 230]]
    chars = [
        [[100 + 20 * i, 200], [120 + 20 * i, 200], [120 + 20 * i, 230], [100 + 20 * i, 230]] for i in range(4)
    ]
    result = [[box, "12.5", 0.9, chars, ["1", "2", ".", "5"], [0.99, 0.98, 0.6, 0.97]]]
    gs = ocr.glyphs(result, 2.0, (0.0, 0.0))
    assert [g.ch for g in gs] == ["1", "2", ".", "5"]
    assert [g.conf for g in gs] == [0.99, 0.98, 0.6, 0.97]
    assert gs[0].x0 == 50 and gs[3].x1 == 90 and gs[0].top == 100 and gs[0].bottom == 115
    # no character boxes: split evenly
    spaced = ocr.glyphs([[box, "合 计", 0.8, [], [], []]], 2.0, (0.0, 0.0))
    assert [(g.ch, g.x0, g.conf) for g in spaced] == [("合", 50, 0.8), ("计", 70, 0.8)]


def _line(chars: str, lefts: list[int], top: int = 5, bottom: int = 35) -> list:
    """A recognised line as the engine returns it: its box, text, score, character boxes, characters and
    probabilities (each character box 20 px wide from its left)."""
    boxes = [[[x, top], [x + 20, top], [x + 20, bottom], [x, bottom]] for x in lefts]
    box = [[lefts[0] - 4, top], [lefts[-1] + 24, top], [lefts[-1] + 24, bottom], [lefts[0] - 4, bottom]]
    return [box, chars, 0.99, boxes, list(chars), [0.99] * len(chars)]


def _printed(advances: list[float], marks: set[int], width: int = 400) -> tuple[np.ndarray, list[int]]:
    """Ink (255) of a line of ideographs (22 px high blocks, 1 em = 24 px) with a comma-like mark at the
    indices in marks, each character advancing by its em share; and the characters' left edges."""
    ink = np.zeros((40, width), np.uint8)
    lefts, x = [], 10.0
    for i, adv in enumerate(advances):
        left = int(x)
        if i in marks:
            ink[27:32, left + 3 : left + 6] = 255
        else:
            ink[9:31, left + 2 : left + 22] = 255
        lefts.append(left)
        x += 24 * adv
    return ink, lefts


def test_a_punctuation_marks_width_is_read_from_its_neighbours_spacing():
    half, lefts = _printed([1, 1, 0.5, 1, 1], {2})
    item = _line("统筹，提高", lefts)
    ocr.settle_widths(item, half)
    assert item[4] == list("统筹,提高") and item[1] == "统筹,提高"
    full, lefts = _printed([1, 1, 1, 1, 1], {2})
    item = _line("统筹,提高", lefts)
    ocr.settle_widths(item, full)
    assert item[1] == "统筹，提高"
    full[20:22, lefts[2] + 12 : lefts[2] + 14] = 255  # a JPEG speck in the blank after it is no neighbour
    item = _line("统筹,提高", lefts)
    ocr.settle_widths(item, full)
    assert item[1] == "统筹，提高"
    wide, lefts = _printed([1, 1, 1, 1, 1], {0, 4})  # a mark with no neighbour on one side: not settled
    for read in ("，筹提高,", ",筹提高，"):
        item = _line(read, lefts)
        ocr.settle_widths(item, wide)
        assert item[1] == read
    stroke, lefts = _printed([1, 1, 1, 1, 1], {2})
    stroke[9:31, lefts[2] - 1 : lefts[2] + 1] = 255  # the character before ends in a detached stroke
    for read in ("统筹，提高", "统筹,提高"):  # the stroke or the mark: the two spacings disagree, not settled
        item = _line(read, lefts)
        ocr.settle_widths(item, stroke)
        assert item[1] == read
    between, lefts = _printed([1, 1, 0.75, 1, 1], {2})  # neither spacing: the recogniser's form stands
    for read in ("统筹，提高", "统筹,提高"):
        item = _line(read, lefts)
        ocr.settle_widths(item, between)
        assert item[1] == read


def _operator(kind: str) -> np.ndarray:
    """Ink of one comparison operator, 18 px wide, at x 20–38: <, ≤ with a level bar, ⩽ with a slanted one,
    or >; then two digits (20 px high blocks)."""
    import cv2

    ink = np.zeros((40, 80), np.uint8)
    ink[10:30, 44:51] = ink[10:30, 56:63] = 255
    if kind == ">":
        cv2.polylines(ink, [np.array([[20, 6], [37, 15], [20, 24]])], False, 255, 2)
    elif kind == "<":
        cv2.polylines(ink, [np.array([[37, 8], [20, 18], [37, 28]])], False, 255, 2)
    else:
        cv2.polylines(ink, [np.array([[37, 5], [20, 14], [37, 23]])], False, 255, 2)
        bar = [[20, 30], [37, 30]] if kind == "≤" else [[20, 21], [37, 30]]
        cv2.polylines(ink, [np.array(bar)], False, 255, 2)
    return ink


def test_an_operators_bar_is_read_from_the_picture():
    for printed, read, settled in [("≤", "<", "≤"), ("⩽", "<", "≤"), ("<", "≤", "<"), ("<", "<", "<")]:
        item = _line(read + "60", [19, 40, 52])
        ocr.settle_operators(item, _operator(printed))
        assert item[4][0] == settled and item[5][0] == 0.99, (printed, read)
    item = _line("<60", [19, 40, 52])  # the point is on the other side: reported, not used
    ocr.settle_operators(item, _operator(">"))
    assert item[4][0] == "<" and item[5][0] == OCR.unsettled_confidence < OCR.min_confidence
    touching = _operator("<")
    touching[10:30, 36:38] = 255  # the next character (an E) touches it: its shape is not its own
    touching[[10, 11, 19, 20, 28, 29], 36:54] = 255
    item = _line("<60", [19, 40, 52])
    ocr.settle_operators(item, touching)
    assert item[4][0] == "<" and item[5][0] == OCR.unsettled_confidence


def test_a_line_read_across_a_ruling_is_read_again_cell_by_cell(monkeypatch):
    gray = np.full((50, 300), 255, np.uint8)
    lines = np.zeros_like(gray)
    lines[:, 100:102] = 255  # a vertical ruling
    gray[lines > 0] = 0
    gray[20:40, 85:97] = 0  # the last character of the cell on the left
    gray[20:40, 110:180] = 0  # the text of the cell on the right
    ink = np.where(lines > 0, 0, 255 - gray).astype(np.uint8)
    left = [[[30, 15], [98, 15], [98, 45], [30, 45]], "满意度指标", 0.99, [], [], []]
    across = [[[80, 15], [200, 15], [200, 45], [80, 45]], "示服务对象", 0.97, [], [], []]
    inside = [[[105, 15], [190, 15], [190, 45], [105, 45]], "服务对象", 0.99, [], [], []]
    crops = []

    def recognise(img):
        crops.append(img)
        return [[[[30, 30], [100, 30], [100, 50], [30, 50]], "服务对象", 0.99, [], ["服"], [0.99]]]

    monkeypatch.setattr(ocr, "recognise", recognise)
    out = ocr.read_again([left, across], gray, lines, ink)
    assert len(crops) == 1  # the left side is inside the left line's box: dropped, not read again
    crop = crops[0]
    assert crop.shape[1] == (200 - 102 + 1) + 2 * 30 and crop.min() == 0 and crop[:, :30].min() == 255
    assert out[0] is left and len(out) == 2
    assert out[1][1] == "服务对象" and out[1][0][0] == [102 - 30 + 30, 15 - 30 + 30]  # in the page's pixels
    assert ocr.read_again([left, inside], gray, lines, ink) == [left, inside] and len(crops) == 1
    crops.clear()
    ocr.read_again([across], gray, lines, ink)  # both sides unclaimed: each read alone
    assert len(crops) == 2
    crops.clear()
    stray = [[[94, 15], [104, 15], [104, 45], [94, 45]], "1", 0.1, [], ["1"], [0.1]]  # ruling + left's ink
    assert ocr.read_again([left, stray], gray, lines, ink) == [left] and not crops
    sure = [stray[0], "1", 0.95, [], ["1"], [0.95]]  # read with confidence: kept
    assert ocr.read_again([left, sure], gray, lines, ink) == [left, sure]
    empty = [inside[0], "", 0.0, [], [], []]  # read as nothing over ink: read alone
    assert ocr.read_again([empty], gray, lines, ink)[0][1] == "服务对象" and len(crops) == 1


def test_a_cell_carries_the_lowest_confidence_of_its_glyphs():
    def glyph(ch, x, conf):
        return Glyph(ch, x, x + 8, 12, 20, 19, 9, conf=conf)

    edges_h = [Edge(10, 0, 100), Edge(30, 0, 100)]
    edges_v = [Edge(0, 10, 30), Edge(50, 10, 30), Edge(100, 10, 30)]
    gs = [glyph("合", 5, 0.99), glyph("计", 14, 0.95), glyph("1", 60, 0.7), glyph("2", 68, None)]
    laid = layout_page(gs, edges_h, edges_v, 1, 1, 800)
    cells = sorted(laid.grids[0].cells, key=lambda c: c.col)
    assert [(c.text, c.conf) for c in cells] == [("合计", 0.95), ("12", 0.7)]


def _rec(row_label, column, value, code=None, conf=0.99, **extra):
    level = {3: "类", 5: "款", 7: "项"}.get(len(code or ""))
    return {"source_line": 1, "page": 3, "table_code": "expenditure", "panel": None, "row_label": row_label,
            "subject_code": code, "level": level, "column": column, "value": value, "source": "ocr",
            "confidence": conf, **extra}


def _expenditure(**change) -> list[dict]:
    cells = {("合计", None): (30.0, 20.0, 10.0), ("一般公共服务支出", "201"): (30.0, 20.0, 10.0),
             ("财政事务", "20106"): (30.0, 20.0, 10.0), ("行政运行", "2010601"): (18.0, 18.0, None),
             ("信息化建设", "2010607"): (12.0, 2.0, 10.0)}
    rows = []
    for (label, code), values in cells.items():
        for column, value in zip(("本年支出合计", "基本支出", "项目支出"), values, strict=True):
            if value is not None:
                rows.append(_rec(label, column, change.get(f"{label}.{column}", value), code))
    return rows


def test_identities_withhold_a_misread_number_and_keep_the_rest():
    warns: list[Warn] = []
    rows = _expenditure(**{"行政运行.基本支出": 16.0})  # OCR read 18.00 as 16.00
    kept = ocr_identities.verify("支出决算表", rows, warns)
    assert [(r["row_label"], r["column"]) for r in rows if r not in kept] == [("行政运行", "基本支出")]
    assert len(warns) == 1 and "16.00" in warns[0].message and "行政运行" in warns[0].message
    assert warns[0].page == 3 and warns[0].source_line == 1
    assert ocr_identities.verify("支出决算表", _expenditure(), warns) == _expenditure() and len(warns) == 1


def test_a_doubtful_number_is_used_only_when_an_identity_confirms_it():
    rows = _expenditure()
    rows[0] = dict(rows[0], confidence=0.5, **{ocr_identities.DOUBT: "30.00"})  # 合计.本年支出合计, confirmed
    lonely = _rec("其他收入", "本年支出合计", 5.0, conf=0.5, **{ocr_identities.DOUBT: "5.00"})
    warns: list[Warn] = []
    kept = ocr_identities.verify("支出决算表", [*rows, lonely], warns)
    assert len(kept) == len(rows) and kept[0]["value"] == 30.0 and ocr_identities.DOUBT not in kept[0]
    assert len(warns) == 1 and "'5.00' (confidence 0.50)" in warns[0].message


def test_a_code_and_its_standard_name_confirm_a_label_read_below_the_threshold():
    named = ocr_identities.names_its_code
    assert named("30108", "机关事业单位基本养老保险缴费", 0.89)
    assert named("30212", "因公出国(境)费用", 0.7)  # the width of the brackets aside
    assert not named("30108", "机关事业单位基本养老保险缴", 0.89)  # a character lost
    assert not named("30109", "机关事业单位基本养老保险缴费", 0.89)  # another code's name
    assert not named("30108", "机关事业单位基本养老保险缴费", OCR.min_named_confidence - 0.01)
    assert not named("2010101", "行政运行", 0.89)  # no standard name known: the threshold holds
    assert not named("30108", "机关事业单位基本养老保险缴费", None)  # the text layer is not judged here


def test_the_cache_key_changes_with_the_reading_not_with_its_judgement():
    from dataclasses import replace

    key = ocr.cache_key("sha", 3, None, OCR)
    assert ocr.cache_key("sha", 3, None, replace(OCR, min_confidence=0.5, min_named_confidence=0.1)) == key
    assert ocr.cache_key("sha", 3, None, replace(OCR, dpi=300.0)) != key
    assert ocr.cache_key("sha", 4, None, OCR) != key


def test_identities_hold_on_the_text_layer_of_both_samples():
    """The identities are the tables' own: on the text layer (read as if recognised) they withhold nothing."""
    from juesuan.extract import statements

    for path in (CAIZHENGJU, GUIHUA):
        rows, _, _ = statements.extract_statements(read_pdf(path, ocr="off"), "x")
        warns: list[Warn] = []
        by_table: dict[str, list[dict]] = {}
        for r in rows:
            by_table.setdefault(r["table_code"], []).append(dict(r, source="ocr"))
        covered = 0
        for table_rows in by_table.values():
            assert ocr_identities.verify("t", table_rows, warns) == table_rows
            idents = ocr_identities.identities(table_rows)
            covered += len({i for ident in idents for i in (ident.total, *ident.parts)})
        assert warns == [] and covered == len(rows)  # every cell is in at least one identity


def test_the_engine_loads_its_models_from_the_installed_package():
    import rapidocr_onnxruntime

    eng = ocr.engine()
    assert eng is ocr.engine()  # built once per process
    root = Path(rapidocr_onnxruntime.__file__).parent
    for name in ocr._MODELS.values():
        assert (root / "models" / name).is_file()
    assert OCR.min_confidence == 0.9
