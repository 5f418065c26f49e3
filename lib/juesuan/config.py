"""Every path and default threshold in one place, so notebooks, CLI and tests agree."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_RAW = ROOT / "data" / "raw"
DATA_PROCESSED = ROOT / "data" / "processed"
REPORTS = ROOT / "reports"
NOTEBOOKS = ROOT / "notebooks"
FIXTURES = ROOT / "tests" / "fixtures"


def workbook_path(doc_id: str, out: Path | None = None) -> Path:
    """out/<doc_id>/<doc_id>-audit.xlsx (out defaults to reports/): the workbook sits beside the HTML
    reports."""
    return Path(out if out is not None else REPORTS) / doc_id / f"{doc_id}-audit.xlsx"


PARSER_VERSION = "0.2.0"

# Rounding tolerance for amounts printed to 0.01 万元 (domain.md §3): a sum of k items may be off by 0.005·k.
AMOUNT_TOLERANCE = 0.01
PERCENT_TOLERANCE = 0.1  # percentage points

# Target deviation thresholds (domain.md §4.5): ratio actual/target for a "higher is better" indicator.
DEVIATION_WARN = 1.2
DEVIATION_EXPLAIN = 1.3
DEVIATION_STRONG = 2.0


@dataclass(frozen=True)
class BudgetThresholds:
    """完成% bands of budget versus actual (domain.md §5 item 2; report 02): ≥ over_run is a large over-run,
    ≤ under_run a large under-run, and within 100 ± on_budget it is 持平."""

    over_run_pct: float = 120.0
    under_run_pct: float = 80.0
    project_under_run_pct: float = 90.0
    on_budget_pct: float = 0.5


BUDGET = BudgetThresholds()


@dataclass(frozen=True)
class ScoringSettings:
    """Self-score recomputation (domain.md §4.2–4.4; analysis.scoring)."""

    total_points: float = 100.0
    default_exec_weight: float = 20.0  # Hubei form: 得分（20 分*执行率）
    score_tolerance: float = 0.5  # a reported score off every rule by more than this is a finding
    equal_tolerance: float = 0.005  # relative: an "equal" target counts as met within rounding
    weight_snap: float = 0.05  # a derived weight this close to a whole point is that whole point
    # Qualitative tiers (§4.2): the share of the weight each tier allows, as (low, high).
    qualitative_tiers: tuple[tuple[int, float, float], ...] = ((1, 0.8, 1.0), (2, 0.5, 0.8), (3, 0.0, 0.5))
    grades: tuple[tuple[float, str], ...] = ((90, "优"), (80, "良"), (60, "中"))  # below the last: 差
    copied_share: float = 0.5  # report 03 says so when this share of 完成值 repeat their 目标值 verbatim
    qualitative_share: float = 0.2  # … and when this share of the indicators is qualitative


SCORING = ScoringSettings()


@dataclass(frozen=True)
class CheckSettings:
    """Tolerances and thresholds of the consistency checks (juesuan.checks, domain.md §3–§4.5). Where a rule
    and an analysis judge the same thing they share the analysis's setting (score tolerance, budget bands,
    远超目标), so rule and report cannot disagree."""

    amount_tolerance: float = AMOUNT_TOLERANCE  # 万元: the least tolerance of an amount identity
    amount_eps: float = (
        0.005  # 万元: half the printed 0.01; a sum of k rounded amounts may be off by k × this
    )
    rounding_band: float = (
        0.05  # 万元: a failed amount identity off by no more than this is a rounding gap → info
    )
    float_slack: float = 1e-6  # slack of a float comparison of amounts
    zero: float = 1e-9  # a value this close to 0 is 0 (a budget, a prior year, a gap)
    slip_ratio: float = (
        0.005  # two amounts within this share of a factor 10, 100 or 1000: a slipped decimal point
    )
    direction_rounding: float = 0.01  # 万元: a gap within this is 持平 (D01)
    direction_flat_share: float = 0.01  # 基本持平: within this share of the budget (D01)
    overachieve_ratio: float = DEVIATION_EXPLAIN  # P07/P09: the 远超目标 of report 03
    score_tolerance: float = SCORING.score_tolerance  # points (P02–P06, P17)
    total_points: float = SCORING.total_points  # a project's points (P04, P17)
    exec_weights: tuple[float, ...] = (10.0, 20.0)  # 执行率 weights a form may use when it prints none (P02)
    full_score_red_flag: float = 95.0  # P10: every project self-scored at least this
    copied_share: float = 0.8  # P12: this share of 完成值 copied from their 目标值
    budget_band_pct: tuple[float, float] = (
        BUDGET.under_run_pct,
        BUDGET.over_run_pct,
    )  # N18: 决算/年初预算 outside
    empty_note_reach: int = 40  # lines around a table's title searched for its 本表无数据 note (C02/C03)
    toc_title_similarity: float = 0.5  # C01: a body heading with the entry's ordinal and a title this similar
    moved_title_similarity: float = 0.85  # C01: … or under another ordinal, a title this similar
    name_containment: float = 0.7  # X08: an indicator name inside another, at least this share of it …
    name_min_chars: int = 8  # … and this long, is the same indicator


CHECKS = CheckSettings()


@dataclass(frozen=True)
class TextShapes:
    """The shapes of the template's text that the grammars rely on, in characters or lines."""

    heading_chars: int = 40  # a heading, table title, contents entry or unit name is a line this short
    min_title_chars: int = 4  # … and a table title at least this long
    title_chars: int = 60  # a printed table title, its tail (单位, 续表) cut off
    part_title_chars: int = 50  # a part title (第N部分 …)
    title_tail_chars: int = 12  # the wrapped end of a contents title ("…年度部门决算" / "表")
    note_window: int = 40  # lines either side of a table title searched for its 本表无数据 note
    title_block_lines: int = 6  # lines above 单位名称 that belong to a table's title block
    form_head_lines: int = 40  # lines above a 部门整体 form's goals searched for its title


TEXT = TextShapes()


@dataclass(frozen=True)
class LayoutSettings:
    """Tolerances of the PDF layout model (read.layout), in units of a glyph's effective size or in points."""

    line_tol: float = 0.35  # baselines closer than this × size are one visual line
    # a gap between two CJK glyphs wider than this × size over the line's usual is a space
    cjk_gap: float = 0.35
    latin_gap: float = 0.25  # … between a digit/latin glyph and anything else
    generated_space: float = 0.15  # a space pdfium inferred counts where the glyphs are this × size apart
    snap: float = 2.5  # rulings closer than this (pt) are the same line
    thin: float = 3.0  # a path thinner than this (pt) is a ruling, not a box
    min_ruling: float = 20.0  # a horizontal ruling shorter than this (pt) bounds no table row
    ruling_cover: float = 0.6  # a ruling separates two cells when it covers this share of their border
    # An image page: images cover ≥ 25% of it and at most a few glyphs (a page number), or they cover half
    # of it with only a caption (a table title and 单位 line over a pasted picture of the table).
    image_page_rules: tuple[tuple[int, float], ...] = ((20, 0.25), (80, 0.5))
    # The effective size (nominal × text matrix × CTM) is trusted when the glyph box height confirms it
    # within this factor; otherwise the box height is the size.
    size_confirm: float = 3.0
    header_margin: float = 0.1  # a lone number this share of the page height from the top or the bottom
    footer_margin: float = 0.15  # … is a printed page number (as the page's first or last line)
    rotated_share: float = 0.5  # glyphs running at 90°/180°/270° on more than this share turn the page
    # Self-check: lines whose glyph centres spread over more than tall_line × the glyph height are
    # implausible; when more than implausible_share of a page's lines are, pdfium's text order is used.
    tall_line: float = 2.5
    implausible_share: float = 0.3
    min_glyphs_to_judge: int = 40
    # The nine tables from their grids (extract.statements), as shares of a width:
    column_cover: float = 0.5  # a header cell covers a logical column it overlaps this share of
    cell_in_column: float = 0.9  # a body cell belongs to a column when this share of it lies inside
    continued_span: float = 0.8  # a grid continues the table above when their spans overlap this share
    row_snap: float = 0.5  # a wrapped line belongs to the row its baseline is within this × the row step of


LAYOUT = LayoutSettings()


@dataclass(frozen=True)
class OcrSettings:
    """OCR of image-only pages and regions (read.ocr): rendering, deskew, rulings found in the picture, and
    the confidence below which a recognised number is reported as unsure instead of used."""

    mode: str = (
        "auto"  # auto: image-only pages and regions only | off | force: every page, text layer ignored
    )
    dpi: float = 200.0  # rendering resolution of a page to recognise
    max_side: int = (
        2400  # the engine scales a larger picture down to this many pixels (speed against accuracy)
    )
    min_confidence: float = 0.9  # a number with a character recognised below this is a warning, not a value
    # … and a row label or code: unless the code and its standard name (extract.ocr_identities.SUBJECT_NAMES)
    # are what was read, at this confidence or above (measured: correct labels read at 0.86–0.89)
    min_named_confidence: float = 0.6
    min_region: float = 0.05  # an image covering less of the page than this is a logo or a stamp: not read
    max_glyphs_over_picture: int = (
        5  # a picture with more text-layer glyphs over it is a background: not read
    )
    max_skew: float = 2.0  # degrees: scans turned by up to this are turned back before reading
    min_ruling: float = 15.0  # pt: a straight dark run at least this long is a ruling
    max_ruling_width: float = 3.5  # pt: … and at most this thick (thicker is a filled box)
    # Characters always reported, whatever their confidence. Empty: < > (read from ≤ ≥ with high confidence)
    # are settled from the picture instead (read.ocr.settle_operators).
    confusable: str = ""
    # < ≤ > ≥ from the picture: the glyph's ink reaches this many times further below its point than above
    # (a bar under the chevron; measured 1.47–1.79 on the seed forms' ⩽ ⩾, 1.0 on a drawn <), or this share
    # of its columns crosses three strokes (measured 0.82–0.88); at most bare_reach with no such column is a
    # bare chevron. In between: reported, its confidence capped at unsettled_confidence.
    barred_reach: float = 1.3
    bare_reach: float = 1.15
    three_strokes: float = 0.25
    unsettled_confidence: float = 0.5
    ruling_cover: float = 0.8  # a column of a recognised line where ruling pixels cover this share: a ruling
    # Punctuation printed half-width or full-width (，and ,): the blank between its neighbours' ink, in
    # character heights, is at most half_width_span around a half-width mark (measured 0.70–0.78) and at
    # least full_width_span around a full-width one (1.17–1.35); in between the recogniser's form stands.
    width_forms: str = ",;:()!?"
    half_width_span: float = 0.9
    full_width_span: float = 1.05
    speck: float = 0.1  # ink smaller than (this × character height)² pixels is JPEG noise, not a stroke
    erase_rulings: bool = (
        False  # paint the rulings out before recognising (measured: loses 一 beside a ruling)
    )
    size_of_box: float = 0.8  # a recognised line's box height × this is the glyphs' effective size
    time_per_page_s: float = 20.0  # added to the read time bound for each page recognised
    # A text layer is garbled (a font without a usable ToUnicode map) when at least this share of a page's
    # characters are private-use, U+FFFD or of scripts no disclosure prints; auto then reads its picture.
    garbled_share: float = 0.3
    garbled_min_chars: int = 20  # fewer characters on a page are too few to judge


OCR = OcrSettings()

# Bounds on untrusted input (README "Untrusted input"). Each is a default a user can raise on the command line
# (`--max-size`, `--max-pages`, `--max-objects`, `--max-memory`, `--timeout`); an input over one is refused
# with one line naming it. Generous enough for a real 2000-page disclosure (about 25 s and 250 MB).
MAX_INPUT_MB = 512  # file size
MAX_PAGES = 5000  # PDF pages
MAX_PAGE_OBJECTS = 200_000  # drawing operations of one page, forms/glyphs/patterns/annotations expanded
MAX_PAGE_CONTENT_MB = 64  # decompressed content streams of one page (forms counted once)
MAX_MEMORY_MB = 4096  # address space of the worker process that reads one input (RLIMIT_AS)
TIME_BASE_S = 60.0  # time to read one input: this, plus TIME_PER_PAGE_S for each PDF page
TIME_PER_PAGE_S = 0.5
READER_DOCS = 200  # inputs a reader process or pool worker reads before a fresh one takes over (flat memory)
POOL_WATCH_S = 0.2  # how often a pool's parent looks for a read past its time bound
POOL_AHEAD = 4  # documents a pool keeps scheduled per worker (the rest wait in the parent's list)

# Years and departments (issue 13): how documents of several years and departments are matched.
LARGE_CHANGE_PCT = 20.0  # a matched item whose change exceeds ±this is marked
RENAME_SIMILARITY = (
    0.5  # project names at least this similar (difflib ratio) with equal budgets: one project renamed
)
RENAME_SIMILARITY_ALONE = 0.8  # names at least this similar are one project renamed whatever the budgets
UNIT_OVERLAP = (
    0.5  # share of 二级预算单位 in common for two names to be one department (renamed or abbreviated)
)
BATCH_CHUNK = 25  # documents per Dask task: one Parquet file per table, year and task
DASK_CONNECT_TIMEOUT = "20s"  # how long `parse --dask tcp://…` tries to reach the scheduler before giving up
LOCK_TIMEOUT_S = 900.0  # a run waits this long for another run writing into the same output folder
DOC_ID_MAX = (
    80  # characters of a doc_id taken from the file name (a folder and file name must fit in 255 bytes)
)

# Report 05: the bands a department's project self-scores (总分) are counted in, as lower bounds (100 = full
# marks).
SCORE_BANDS = (100, 95, 90, 80)
