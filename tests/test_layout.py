"""The layout model (read.layout) on hand-built pages, and the reader's self-check on a real WPS export."""

from __future__ import annotations

import juesuan
import juesuan.read.pdf as pdf
from juesuan.config import FIXTURES
from juesuan.read.layout import Edge, Glyph, join_glyphs, layout_page

TEMPLATE = FIXTURES / "wps" / "2024-shanghai-template.pdf"
SIZE = 10.0


def _word(text: str, x: float, base: float, size: float = SIZE, gap: float = 0.0) -> list[Glyph]:
    """Glyphs of `text` from x on one baseline, each `gap` points after the previous ("  " = a real space)."""
    out = []
    for ch in text:
        out.append(Glyph(ch, x, x + (0 if ch == " " else size), base - 0.8 * size, base + 0.1 * size, base, size))
        x += (0.25 * size if ch == " " else size) + gap
    return out


def test_real_space_separates_cells_without_a_gap():
    row = _word("数量指标 受理例数", 10, 100)  # the space advances a quarter em: the gap alone says nothing
    assert join_glyphs(row, []) == "数量指标 受理例数"


def test_letter_spaced_line_is_one_word_but_a_wider_gap_is_a_space():
    spaced = _word("因公出国", 10, 100, gap=4.0)  # every glyph 0.4 em apart: letter spacing, not spaces
    assert join_glyphs(spaced, []) == "因公出国"
    tokens = _word("产出指标", 10, 100) + _word("数量指标", 10 + 4 * SIZE + 6, 100)  # a 0.6 em gap
    assert join_glyphs(tokens, []) == "产出指标 数量指标"


def test_generated_space_counts_only_over_a_visible_gap():
    a, b = _word("伙食", 10, 100), _word("补助", 30, 100)  # touching: a library's guessed space is no space
    guessed = Glyph(" ", 30, 30, 92, 101, 100, SIZE, generated=True)
    assert join_glyphs([*a, guessed, *b], []) == "伙食补助"
    far = _word("20", 60, 100)  # "5 20" drawn as two objects with a lone space object between them
    five = _word("5", 10, 100)
    assert join_glyphs([*five, Glyph(" ", 20, 20, 92, 101, 100, SIZE, generated=True), *far], []) == "5 20"


def _box(x0: float, top: float, x1: float, bottom: float) -> tuple[list[Edge], list[Edge]]:
    return [Edge(top, x0, x1), Edge(bottom, x0, x1)], [Edge(x0, top, bottom), Edge(x1, top, bottom)]


def test_ruled_form_rows_become_lines_with_rowspan_on_its_first_row():
    """A 一级 label merged over two rows and vertically centred, a 三级 label wrapped over two lines: each grid
    row is one line of cells, the merged label on the first row it spans."""
    xs, ys = [0, 60, 200, 260, 320, 360], [0, 20, 60, 100]
    hedges = [Edge(y, xs[0], xs[-1]) for y in ys[:2]] + [Edge(ys[3], xs[0], xs[-1]), Edge(ys[2], xs[1], xs[-1])]
    vedges = [Edge(x, ys[0], ys[-1]) for x in xs]
    glyphs = _word("一级指标", 62, 15) + _word("三级指标", 202, 15) + _word("目标值", 262, 15) + _word("得分", 322, 15)
    glyphs += _word("产出", 5, 82)  # centred over rows 2 and 3
    glyphs += _word("受理工伤病残", 62, 35) + _word("鉴定例数", 62, 50)  # wrapped inside its cell
    glyphs += _word("100例", 202, 44) + _word("5", 322, 44)
    glyphs += _word("结案例数", 62, 84) + _word("90例", 202, 84) + _word("4", 322, 84)
    page = layout_page(glyphs, hedges, vedges, page_no=3, first_no=1, height=800)
    assert [ln.text for ln in page.lines] == [
        "一级指标 三级指标 目标值 得分",
        "产出 受理工伤病残鉴定例数 100例 5",
        "结案例数 90例 4",
    ]
    assert {ln.page for ln in page.lines} == {3} and page.grids[0].form


def test_wrong_size_is_caught_and_the_page_read_in_pdfium_order(monkeypatch):
    """The bug this model replaces: sizes taken from the nominal font size (×20 in a WPS export) collapse a
    page into a few tall lines. The self-check says so and falls back; the document is still read."""
    monkeypatch.setattr(pdf, "_effective_size", lambda size, loose, angle, s: size * 20)
    doc = juesuan.load(TEMPLATE)
    fallbacks = doc.warnings[doc.warnings.message.str.contains("implausible")]
    assert len(fallbacks) >= 15 and fallbacks.page.notna().all()
    assert "情况说明" in doc.document.iloc[0].parts_found
