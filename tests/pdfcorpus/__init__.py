"""A corpus of PDFs drawn from the project's own samples by several producers and settings.

Each `Variant` is one way of writing the same content; its `expect` says what the PDF must parse to:
- SEED_TEXT: the tidy tables of the seed parsed as text (`juesuan.load(data/raw/…txt)`);
- SEED_FORMS: the hand-checked performance fixtures (tests/fixtures/tongcheng_2023) for the forms, the
  seed text for the narrative tables;
- TEXT_TWIN: the same forms written as text lines (the variant's `twin`), read by the text path;
- SHANGHAI_LINES / SHANGHAI_TABLES: the fixtures of the Shanghai sample (tests/fixtures/putuo_*), the
  nine tables' cells (statements) only where the tables are drawn as ruled grids.

`python -m tests.pdfcorpus DIR` writes every variant to DIR/<name>.pdf and DIR/INDEX.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path

from . import content, draw, html, layouts, redraw, ttf

logging.getLogger("fontTools").setLevel(logging.ERROR)  # fpdf2's subsetter is chatty about the font


class Expect(StrEnum):
    SEED_TEXT = "seed_text"
    SEED_FORMS = "seed_forms"
    TEXT_TWIN = "text_twin"
    SHANGHAI_LINES = "shanghai_lines"
    SHANGHAI_TABLES = "shanghai_tables"


@dataclass(frozen=True)
class Variant:
    name: str
    build: Callable[[Path], None]
    expect: Expect
    description: str
    sample: str = "seed"  # seed | caizhengju | guihuaziyuanju
    twin: Callable[[], list[str]] | None = None  # TEXT_TWIN: the text lines whose parse is expected

    def write(self, directory: Path) -> Path:
        out = directory / f"{self.name}.pdf"
        tmp = out.with_suffix(".pdf.part")
        self.build(tmp)
        tmp.replace(out)
        return out


LANDSCAPE_LINES = 30  # lines of a landscape (or turned) page


def _seed(technique: draw.Technique, setup: str = draw.PORTRAIT) -> Callable[[Path], None]:
    per_page = content.LINES_PER_PAGE if setup == draw.PORTRAIT else LANDSCAPE_LINES
    return lambda out: draw.render(content.paginate(content.seed_lines(), per_page), technique, out, setup)


def _shanghai(sample: str, technique: draw.Technique) -> Callable[[Path], None]:
    """The sample's lines on pages of the original size, so page numbers agree with the original."""

    def build(out: Path) -> None:
        pages = content.shanghai_pages(sample)
        setups = [draw.LANDSCAPE if p.width > p.height else draw.PORTRAIT for p in pages]
        draw.render(content.shanghai_line_pages(sample), technique, out, setups)

    return build


def _shanghai_grids(
    sample: str, technique: draw.Technique, turn: str = draw.LANDSCAPE
) -> Callable[[Path], None]:
    """The sample's pages with their table grids ruled as in the original; landscape pages set up as `turn`."""

    def build(out: Path) -> None:
        pages = content.shanghai_pages(sample)
        sheets = [
            draw.grid_sheet(p, no, turn if p.width > p.height else draw.PORTRAIT)
            for no, p in enumerate(pages, 1)
        ]
        draw.render_sheets(sheets, technique, out)

    return build


def _seed_ttf(out: Path) -> None:
    ttf.render(content.seed_pages(), out)


SEED = f"the seed (2023 通城县人社局) text, {content.LINES_PER_PAGE} lines a page"
VARIANTS: list[Variant] = [
    Variant(
        "seed-html-forms",
        html.seed_forms,
        Expect.SEED_FORMS,
        "weasyprint HTML: seed narrative line for line; the 部门整体 and 26 project tables as ruled Hubei "
        "forms (rowspans for 一级/二级, wrapped labels, vertically centred cells, repeated <thead>)",
    ),
    Variant(
        "seed-forms-wps",
        redraw.seed_forms(draw.wps_text_matrix(210)),
        Expect.SEED_FORMS,
        "seed-html-forms re-drawn as WPS writes: rulings kept, each text run glyph by glyph in a y-flipped CTM "
        "with Tf 210 in a scaled Tm (TD advances), no space characters",
    ),
    Variant(
        "seed-forms-sideways",
        redraw.seed_forms(draw.glyph_by_glyph, draw.SIDEWAYS90),
        Expect.SEED_FORMS,
        "seed-html-forms re-drawn glyph by glyph, every page turned 90° on landscape media without /Rotate",
    ),
    Variant(
        "seed-forms-rotate90",
        redraw.seed_forms(draw.glyph_by_glyph, draw.ROTATE90),
        Expect.SEED_FORMS,
        "seed-html-forms re-drawn glyph by glyph on landscape media with /Rotate 90 (displays upright)",
    ),
    Variant(
        "seed-html-national",
        partial(html.layout_forms, "national"),
        Expect.TEXT_TWIN,
        f"weasyprint HTML: the seed's parts 一–五, then {layouts.N_PROJECTS} of its projects as ruled "
        "财预〔2020〕10号 forms (年初/全年预算数, 分值 per row, 偏差原因 per row, wrapped cells)",
        twin=partial(layouts.twin, "national"),
    ),
    Variant(
        "seed-html-sichuan",
        partial(html.layout_forms, "sichuan"),
        Expect.TEXT_TWIN,
        f"weasyprint HTML: the seed's parts 一–五, then {layouts.N_PROJECTS} of its projects as ruled "
        "Sichuan forms (指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分)",
        twin=partial(layouts.twin, "sichuan"),
    ),
    Variant(
        "seed-wps-tm720",
        _seed(draw.wps_text_matrix(720)),
        Expect.SEED_TEXT,
        f"{SEED}; WPS style: y-flipped CTM, Tf 720 in a Tm scaled by 10.5/720, glyphs advanced by TD",
    ),
    Variant(
        "seed-wps-tm210",
        _seed(draw.wps_text_matrix(210)),
        Expect.SEED_TEXT,
        f"{SEED}; WPS style: y-flipped CTM, Tf 210 in a Tm scaled by 0.05, glyphs advanced by TD",
    ),
    Variant(
        "seed-ctm210",
        _seed(draw.scaled_ctm(210)),
        Expect.SEED_TEXT,
        f"{SEED}; CTM scaled by 0.05 (cm), Tf 210, one string per line with its spaces",
    ),
    Variant(
        "seed-lines",
        _seed(draw.line_strings),
        Expect.SEED_TEXT,
        f"{SEED}; reportlab, built-in CID font STSong-Light (not embedded), one string per line with spaces",
    ),
    Variant(
        "seed-tokens",
        _seed(draw.token_strings),
        Expect.SEED_TEXT,
        f"{SEED}; each space-separated token drawn alone, a {draw.GAP_EM} em gap per space, no space chars",
    ),
    Variant(
        "seed-glyphs",
        _seed(draw.glyph_by_glyph),
        Expect.SEED_TEXT,
        f"{SEED}; glyph by glyph, each with its own Tm, no space chars ({draw.GAP_EM} em gaps)",
    ),
    Variant(
        "seed-glyphs-shuffled",
        _seed(draw.glyphs_shuffled),
        Expect.SEED_TEXT,
        f"{SEED}; glyph by glyph, content-stream order shuffled (seeded), positions unchanged",
    ),
    Variant(
        "seed-numbers-font2",
        _seed(draw.numbers_in_second_font),
        Expect.SEED_TEXT,
        f"{SEED}; digits . % in Helvetica on a baseline 1 pt lower, the rest STSong-Light",
    ),
    Variant(
        "seed-landscape",
        _seed(draw.line_strings, draw.LANDSCAPE),
        Expect.SEED_TEXT,
        f"the seed text on landscape A4 pages, {LANDSCAPE_LINES} lines a page, one string per line",
    ),
    Variant(
        "seed-rotate90",
        _seed(draw.line_strings, draw.ROTATE90),
        Expect.SEED_TEXT,
        "the seed text on portrait media with /Rotate 90, drawn in the rotated space (displays upright)",
    ),
    Variant(
        "seed-sideways90",
        _seed(draw.line_strings, draw.SIDEWAYS90),
        Expect.SEED_TEXT,
        "the seed text as landscape pages turned 90° on portrait media without /Rotate (text runs upward)",
    ),
    Variant(
        "seed-sideways270",
        _seed(draw.line_strings, draw.SIDEWAYS270),
        Expect.SEED_TEXT,
        "the seed text as landscape pages turned 270° on portrait media without /Rotate (text runs down)",
    ),
    Variant(
        "seed-fpdf2-ttf",
        _seed_ttf,
        Expect.SEED_TEXT,
        f"{SEED}; fpdf2, embedded subset TrueType (AR PL SungtiL GB), one text call per line",
    ),
]
for _sample in content.SHANGHAI:
    VARIANTS += [
        Variant(
            f"{_sample}-html-tables",
            partial(html.shanghai_tables, _sample),
            Expect.SHANGHAI_TABLES,
            f"weasyprint HTML: the Shanghai {_sample} sample page by page, its lines as text and its "
            "table grids (as today's reader sees them) re-drawn as ruled HTML tables",
            _sample,
        ),
        Variant(
            f"{_sample}-grids",
            _shanghai_grids(_sample, draw.line_strings),
            Expect.SHANGHAI_TABLES,
            f"the Shanghai {_sample} sample re-drawn with reportlab: table grids ruled where the original has "
            "them, each cell's lines centred in it (STSong-Light), free lines above and below",
            _sample,
        ),
        Variant(
            f"{_sample}-grids-wps",
            _shanghai_grids(_sample, draw.wps_text_matrix(210)),
            Expect.SHANGHAI_TABLES,
            f"as {_sample}-grids, the text WPS style (Tf 210 in a Tm scaled by 0.05, glyph by glyph)",
            _sample,
        ),
        Variant(
            f"{_sample}-grids-sideways",
            _shanghai_grids(_sample, draw.line_strings, draw.SIDEWAYS90),
            Expect.SHANGHAI_TABLES,
            f"as {_sample}-grids, each landscape page printed sideways on portrait media (no /Rotate)",
            _sample,
        ),
        Variant(
            f"{_sample}-grids-rotate90",
            _shanghai_grids(_sample, draw.line_strings, draw.ROTATE90),
            Expect.SHANGHAI_TABLES,
            f"as {_sample}-grids, each landscape page as portrait media with /Rotate 90 (displays upright)",
            _sample,
        ),
        Variant(
            f"{_sample}-lines",
            _shanghai(_sample, draw.line_strings),
            Expect.SHANGHAI_LINES,
            f"the Shanghai {_sample} sample's lines (table rows as joined text) on pages of the original "
            "size, STSong-Light, one string per line",
            _sample,
        ),
        Variant(
            f"{_sample}-wps-tm210",
            _shanghai(_sample, draw.wps_text_matrix(210)),
            Expect.SHANGHAI_LINES,
            f"as {_sample}-lines, WPS style (Tf 210 in a Tm scaled by 0.05, glyph by glyph)",
            _sample,
        ),
    ]
BY_NAME = {v.name: v for v in VARIANTS}

EXPECTED = {
    Expect.SEED_TEXT: "same projects, indicators, department_goals, figures, units, line_items as the seed text",
    Expect.SEED_FORMS: "projects, indicators, department_goals = tests/fixtures/tongcheng_2023; figures, units, "
    "line_items as the seed text",
    Expect.TEXT_TWIN: "same projects, indicators, figures, units, line_items as the same forms written as text "
    "lines (one line per row) and read by the text path",
    Expect.SHANGHAI_LINES: "figures, units, line_items = tests/fixtures/putuo_<sample>_2024 (pages agree)",
    Expect.SHANGHAI_TABLES: "statements, figures, units, line_items = tests/fixtures/putuo_<sample>_2024 "
    "(pages agree)",
}


def index(variants: list[Variant] = VARIANTS) -> str:
    rows = ["# PDF corpus", "", "| variant | what it is | expected result |", "|---|---|---|"]
    rows += [f"| {v.name}.pdf | {v.description} | {EXPECTED[v.expect]} |" for v in variants]
    return "\n".join(rows) + "\n"
