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
    tables: tuple[str, ...] | None = None  # the tables compared (default: by `expect`, see expected.TABLES)

    def write(self, directory: Path) -> Path:
        out = directory / f"{self.name}.pdf"
        tmp = out.with_suffix(".pdf.part")
        self.build(tmp)
        tmp.replace(out)
        return out


LANDSCAPE_LINES = 30  # lines of a landscape (or turned) page
SEED_TABLES = (
    "projects",
    "indicators_project",
    "indicators_department",
    "department_goals",
    "figures",
    "units",
    "line_items",
)
LAYOUT_TABLES = ("projects", "indicators_project", "figures", "units", "line_items")  # no 部门整体 table


def _seed(technique: draw.Technique, setup: str, lines: Callable[[], list[str]]) -> Callable[[Path], None]:
    per_page = content.LINES_PER_PAGE if setup == draw.PORTRAIT else LANDSCAPE_LINES
    return lambda out: draw.render(content.paginate(lines(), per_page), technique, out, setup)


def _shanghai(sample: str, technique: draw.Technique) -> Callable[[Path], None]:
    """The sample's lines on pages of the original size, so page numbers agree with the original."""

    def build(out: Path) -> None:
        pages = content.shanghai_pages(sample)
        setups = [draw.LANDSCAPE if p.width > p.height else draw.PORTRAIT for p in pages]
        draw.render(content.shanghai_line_pages(sample), technique, out, setups)

    return build


def _shanghai_grids(sample: str, technique: draw.Technique, turn: str) -> Callable[[Path], None]:
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
    ttf.render(content.paginate(content.seed_excerpt()), out)


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
    *(
        Variant(
            f"seed-html-{layout}",
            partial(html.layout_forms, layout),
            Expect.TEXT_TWIN,
            f"weasyprint HTML: the seed's parts 一–五, then {layouts.N_PROJECTS} of its projects as ruled {what}",
            twin=partial(layouts.twin, layout),
            tables=LAYOUT_TABLES,
        )
        for layout, what in (
            (
                "national",
                "财预〔2020〕10号 forms (年初/全年预算数, 分值 per row, 偏差原因 per row, wrapped cells)",
            ),
            ("sichuan", "Sichuan forms (指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分)"),
        )
    ),
    Variant(
        "seed-lines",
        _seed(draw.line_strings, draw.PORTRAIT, content.seed_lines),
        Expect.SEED_TEXT,
        f"the whole seed text, {content.LINES_PER_PAGE} lines a page; reportlab, built-in CID font "
        "STSong-Light (not embedded), one string per line with its spaces",
    ),
]

EXCERPT = f"the seed text up to its project {content.EXCERPT_PROJECTS}"
PORTRAIT_PAGES = f"{content.LINES_PER_PAGE} lines a page"
TURNED_PAGES = f"{LANDSCAPE_LINES} lines a page"
for _name, _technique, _setup, _what in (
    ("wps-tm720", draw.wps_text_matrix(720), draw.PORTRAIT,
     "WPS style: y-flipped CTM, Tf 720 in a Tm scaled by 10.5/720, glyphs advanced by TD"),
    ("wps-tm210", draw.wps_text_matrix(210), draw.PORTRAIT,
     "WPS style: y-flipped CTM, Tf 210 in a Tm scaled by 0.05, glyphs advanced by TD"),
    ("ctm210", draw.scaled_ctm(210), draw.PORTRAIT,
     "CTM scaled by 0.05 (cm), Tf 210, one string per line with its spaces"),
    ("tokens", draw.token_strings, draw.PORTRAIT,
     f"each space-separated token drawn alone, a {draw.GAP_EM} em gap per space, no space characters"),
    ("glyphs", draw.glyph_by_glyph, draw.PORTRAIT,
     f"glyph by glyph, each with its own Tm, no space characters ({draw.GAP_EM} em gaps)"),
    ("glyphs-shuffled", draw.glyphs_shuffled, draw.PORTRAIT,
     "glyph by glyph, content-stream order shuffled (seeded), positions unchanged"),
    ("numbers-font2", draw.numbers_in_second_font, draw.PORTRAIT,
     "digits . % in Helvetica on a baseline 1 pt lower, the rest STSong-Light"),
    ("landscape", draw.line_strings, draw.LANDSCAPE, "landscape A4 pages, one string per line"),
    ("rotate90", draw.line_strings, draw.ROTATE90,
     "portrait media with /Rotate 90, drawn in the rotated space (displays as upright landscape)"),
    ("sideways90", draw.line_strings, draw.SIDEWAYS90,
     "landscape pages turned 90° on portrait media without /Rotate (text runs upward)"),
    ("sideways270", draw.line_strings, draw.SIDEWAYS270,
     "landscape pages turned 270° on portrait media without /Rotate (text runs downward)"),
):  # fmt: skip
    VARIANTS.append(
        Variant(
            f"seed-{_name}",
            _seed(_technique, _setup, content.seed_excerpt),
            Expect.TEXT_TWIN,
            f"{EXCERPT}, {PORTRAIT_PAGES if _setup == draw.PORTRAIT else TURNED_PAGES}; {_what}",
            twin=content.seed_excerpt_text,
            tables=SEED_TABLES,
        )
    )
VARIANTS.append(
    Variant(
        "seed-fpdf2-ttf",
        _seed_ttf,
        Expect.TEXT_TWIN,
        f"{EXCERPT}, {PORTRAIT_PAGES}; fpdf2, embedded subset TrueType (AR PL SungtiL GB), one text call a line",
        twin=content.seed_excerpt_text,
        tables=SEED_TABLES,
    )
)
for _sample in content.SHANGHAI:
    VARIANTS += [
        Variant(
            f"{_sample}-html-tables",
            partial(html.shanghai_tables, _sample),
            Expect.SHANGHAI_TABLES,
            f"weasyprint HTML: the Shanghai {_sample} sample page by page, its lines as text and its "
            "table grids re-drawn as ruled HTML tables",
            _sample,
        ),
        Variant(
            f"{_sample}-grids",
            _shanghai_grids(_sample, draw.line_strings, draw.LANDSCAPE),
            Expect.SHANGHAI_TABLES,
            f"the Shanghai {_sample} sample re-drawn with reportlab: table grids ruled where the original has "
            "them, each cell's lines centred in it (STSong-Light), free lines above and below",
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
            f"{_sample}-lines",
            _shanghai(_sample, draw.line_strings),
            Expect.SHANGHAI_LINES,
            f"the Shanghai {_sample} sample's lines (table rows as joined text) on pages of the original "
            "size, STSong-Light, one string per line",
            _sample,
        ),
    ]
_cz = "caizhengju"
VARIANTS += [
    Variant(
        f"{_cz}-grids-wps",
        _shanghai_grids(_cz, draw.wps_text_matrix(210), draw.LANDSCAPE),
        Expect.SHANGHAI_TABLES,
        f"as {_cz}-grids, the text WPS style (Tf 210 in a Tm scaled by 0.05, glyph by glyph)",
        _cz,
    ),
    Variant(
        f"{_cz}-grids-rotate90",
        _shanghai_grids(_cz, draw.line_strings, draw.ROTATE90),
        Expect.SHANGHAI_TABLES,
        f"as {_cz}-grids, each landscape page as portrait media with /Rotate 90 (displays upright)",
        _cz,
    ),
]
BY_NAME = {v.name: v for v in VARIANTS}

EXPECTED = {
    Expect.SEED_TEXT: "same projects, indicators, department_goals, figures, units, line_items as the seed text",
    Expect.SEED_FORMS: "projects, indicators, department_goals = tests/fixtures/tongcheng_2023; figures, units, "
    "line_items as the seed text",
    Expect.TEXT_TWIN: "same tidy rows as the same content as text lines (the seed excerpt; for forms, one line "
    "per row) read by the text path",
    Expect.SHANGHAI_LINES: "figures, units, line_items = tests/fixtures/putuo_<sample>_2024 (pages agree)",
    Expect.SHANGHAI_TABLES: "statements, figures, units, line_items = tests/fixtures/putuo_<sample>_2024 "
    "(pages agree)",
}


def index(variants: list[Variant] = VARIANTS) -> str:
    rows = ["# PDF corpus", "", "| variant | what it is | expected result |", "|---|---|---|"]
    rows += [f"| {v.name}.pdf | {v.description} | {EXPECTED[v.expect]} |" for v in variants]
    return "\n".join(rows) + "\n"
