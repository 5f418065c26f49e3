"""extract.statements: the nine tables cell by cell against hand-checked fixtures, plus layout variants."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from juesuan import schemas
from juesuan.extract import statements
from juesuan.extract.statements import table_code
from juesuan.read.lines import Line, Source
from juesuan.read.pdf import GridCell, TableGrid, read_pdf

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = {
    "putuo_caizhengju_2024": RAW / "2024-shanghai-putuo-caizhengju.pdf",
    "putuo_guihuaziyuanju_2024": RAW / "2024-shanghai-putuo-guihuaziyuanju.pdf",
}
KEY = ["table_code", "panel", "row_label", "subject_code", "level", "column", "value", "page"]



def extract_statements(source: Source, doc_id: str) -> tuple[pd.DataFrame, list]:
    """The extractor's rows as the validated table the pipeline makes of them."""
    rows, warns, _ = statements.extract_statements(source, doc_id)
    return schemas.frame("statements", rows), warns

@pytest.fixture(scope="module")
def parsed():
    out = {}
    for doc_id, path in SAMPLES.items():
        source = read_pdf(path)
        frame, warns = extract_statements(source, doc_id)
        out[doc_id] = (source, frame, warns)
    return out


def _cells(frame: pd.DataFrame) -> Counter:
    """Rows as comparable tuples (values to 2 decimals, blanks as '')."""
    frame = frame.copy()
    for col in KEY:
        if col == "value":
            frame[col] = frame[col].map(lambda v: f"{float(v):.2f}")
        else:
            frame[col] = frame[col].astype("string").fillna("").astype(str)
    return Counter(map(tuple, frame[KEY].values.tolist()))


@pytest.mark.parametrize("doc_id", list(SAMPLES))
def test_matches_hand_checked_fixture(parsed, doc_id):
    fixture = FIXTURES / doc_id / "statements.csv"
    if not fixture.exists():
        pytest.skip(f"{fixture} not written yet")
    expected = _cells(pd.read_csv(fixture, dtype=str, keep_default_na=False))
    got = _cells(parsed[doc_id][1])
    matched = sum((expected & got).values())
    print(f"{doc_id}: matched {matched}/{sum(expected.values())}, extra {sum((got - expected).values())}")
    assert expected - got == Counter(), "cells missing"
    assert got - expected == Counter(), "cells not in the fixture"


@pytest.mark.parametrize("doc_id", list(SAMPLES))
def test_all_nine_tables_and_no_warnings(parsed, doc_id):
    _, frame, warns = parsed[doc_id]
    schemas.Statements.validate(frame)
    with_data = set(frame["table_code"])
    # gov_fund and state_capital are published empty ("本表无数据") in both samples
    assert with_data == set(schemas.TABLE_CODES) - {"gov_fund", "state_capital"}
    assert set(frame["unit_printed"]) == {"万元"}
    assert warns == []


@pytest.mark.parametrize("doc_id", list(SAMPLES))
def test_source_line_points_at_the_row_label(parsed, doc_id):
    source, frame, _ = parsed[doc_id]
    lines = {ln.no: ln for ln in source.lines}
    for row in frame.itertuples():
        line = lines[row.source_line]
        assert line.page == row.page
        if row.table_code != "three_public":
            assert row.row_label[:2] in line.text.replace(" ", ""), (row.row_label, line)


def test_titles_as_printed(parsed):
    _, frame, _ = parsed["putuo_caizhengju_2024"]
    titles = frame.drop_duplicates("table_code").set_index("table_code")["table_title"]
    assert titles["three_public"] == "财政拨款“三公”经费支出决算表"
    assert titles["general_budget_basic"] == "一般公共预算财政拨款基本支出决算表"


def test_basic_expenditure_totals_go_to_their_panel(parsed):
    _, frame, _ = parsed["putuo_caizhengju_2024"]
    basic = frame[frame["table_code"] == "general_budget_basic"].set_index("row_label")
    assert basic.loc["人员经费合计", "panel"] == "人员经费" and basic.loc["人员经费合计", "value"] == 2152.26
    assert basic.loc["公用经费合计", "panel"] == "公用经费" and basic.loc["公用经费合计", "page"] == 17
    assert basic.loc["资本性支出", "level"] == "类" and basic.loc["办公设备购置", "subject_code"] == "31002"


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("收入支出决算总表", "income_expenditure"),
        ("收 入 决 算 表", "income"),
        ("支出决算表", "expenditure"),
        ("财政拨款收入支出决算总表", "fiscal_income_expenditure"),
        ("一般公共预算财政拨款支出决算表", "general_budget_expenditure"),
        ("一般公共预算财政拨款基本支出决算表", "general_budget_basic"),
        ("一般公共预算财政拨款基本支出决算明细表", "general_budget_basic"),
        ("政府性基金预算财政拨款收入支出决算表", "gov_fund"),
        ("国有资本经营预算财政拨款支出决算表", "state_capital"),
        ("国有资本经营预算财政拨款收入支出决算表", "state_capital"),
        ("财政拨款“三公”经费支出决算表", "three_public"),
        ('财政拨款"三公"经费支出决算表', "three_public"),
        ("财政拨款三公经费支出决算表", "three_public"),
        ("一般公共预算财政拨款‘三公’经费支出决算表", "three_public"),
        ("公开01表 收入支出决算总表", "income_expenditure"),
        ("收入决算表（续）", "income"),
        ("一、收入支出决算总表", None),  # table of contents
        ("第二部分 上海市普陀区财政局2024年度部门决算表", None),
        ("二、收入决算情况说明", None),
    ],
)
def test_table_code_from_title(title, code):
    assert table_code(title) == code


def test_text_input_has_no_statements():
    source = Source("x.txt", "0" * 64, [Line(1, 1, "收入支出决算总表")], 1, "text")
    frame, warns = extract_statements(source, "x")
    assert frame.empty and list(frame.columns) == schemas.columns("statements") and warns == []


# ---------------------------------------------------------------- layout variants on hand-built grids

_W, _H = 60.0, 20.0


def _grid(
    rows: list[list], above: list[str], page: int = 1, first_no: int = 1, widths: list[float] | None = None
) -> TableGrid:
    """A ruled grid from rows of cell texts; a (text, n) tuple spans n columns."""
    ncols = sum(c[1] if isinstance(c, tuple) else 1 for c in rows[0])
    xs = [0.0]
    for w in widths or [_W] * ncols:
        xs.append(xs[-1] + w)
    no = first_no
    lines_above = []
    for text in above:
        lines_above.append(Line(no, page, text))
        no += 1
    cells = []
    for r, row in enumerate(rows):
        col = 0
        for item in row:
            text, span = item if isinstance(item, tuple) else (item, 1)
            cell = GridCell(r, r + 1, col, col + span, xs[col], xs[col + span], r * _H, (r + 1) * _H)
            if text:
                cell.lines, cell.line_no = [text], no
            cells.append(cell)
            col += span
        no += 1
    ys = [i * _H for i in range(len(rows) + 1)]
    return TableGrid(page, xs, ys, cells, lines_above)


def _source(*grids: TableGrid) -> Source:
    lines = [ln for g in grids for ln in g.lines_above]
    return Source("t.pdf", "0" * 64, lines, max(g.page for g in grids), "pdf", tables=list(grids))


def test_yuan_table_with_row_numbers_and_dashes():
    """Hubei-style 公开01表: 行次 and 栏次 are not amounts, 元 becomes 万元, dashes mean no row."""
    grid = _grid(
        [
            [("收入", 3), ("支出", 3)],
            ["项目", "行次", "金额", "项目", "行次", "金额"],
            ["栏次", "", "1", "栏次", "", "2"],
            [
                "一、一般公共预算财政拨款收入",
                "1",
                "12,345,678.00",
                "一、一般公共服务支出",
                "32",
                "1,000,000.00",
            ],
            ["二、政府性基金预算财政拨款收入", "2", "—", "二、外交支出", "33", "-"],
        ],
        ["公开01表", "收入支出决算总表", "金额单位：元"],
    )
    frame, warns = extract_statements(_source(grid), "hb")
    assert warns == []
    rows = frame[["panel", "row_label", "column", "value", "unit_printed"]].values.tolist()
    assert rows == [
        ["收入", "一、一般公共预算财政拨款收入", "金额", 1234.5678, "元"],
        ["支出", "一、一般公共服务支出", "金额", 100.0, "元"],
    ]


def test_split_codes_three_panels_and_continuation():
    """类 and 款 in separate cells (款 with its name), three panels, and a second page without headers."""
    header = [
        "科目编码", "科目名称", "决算数", "科目编码", "科目名称", "决算数", "科目编码", "科目名称", "决算数",
    ]  # fmt: skip
    first = _grid(
        [
            header,
            ["301", "工资福利支出", "10.00", "302", "商品和服务支出", "5.00", "310", "资本性支出", "1.00"],
            ["301", "01 基本工资", "10.00", "302", "25 专用燃料费", "5.00", "310", "02 办公设备购置", "1.00"],
        ],
        ["一般公共预算财政拨款基本支出决算明细表", "单位：万元"],
    )
    second = _grid(
        [
            ["", "", "", "", "", "", "", "", ""],
            [("人员经费合计", 2), "10.00", ("公用经费合计", 5), "6.00"],
        ],
        [],
        page=2,
        first_no=20,
    )
    frame, warns = extract_statements(_source(first, second), "hb")
    assert warns == []
    got = frame.set_index("row_label")
    assert got.loc["专用燃料费", "subject_code"] == "30225" and got.loc["专用燃料费", "level"] == "款"
    assert got.loc["办公设备购置", "panel"] == "公用经费" and got.loc["基本工资", "panel"] == "人员经费"
    assert got.loc["公用经费合计", "panel"] == "公用经费" and got.loc["公用经费合计", "page"] == 2
    assert pd.isna(got.loc["人员经费合计", "subject_code"]) and pd.isna(got.loc["人员经费合计", "level"])
    assert set(frame["column"]) == {"决算数"}


def test_nested_headers_and_unplaceable_number():
    grid = _grid(
        [
            [("项目", 2), "年初结转和结余", ("本年支出", 3), "年末结转和结余"],
            ["科目编码", "科目名称", "", "小计", "基本支出", "项目支出", ""],
            [("合计", 2), "1.00", "3.00", "2.00", "1.00", "0.00"],
            ["2120801", "征地和拆迁补偿支出", "1.00", "3.00", "2.00", "1.00", "0.00"],
            ["", "", "", "7.00", "", "", ""],
        ],
        ["政府性基金预算财政拨款收入支出决算表", "单位：万元"],
    )
    frame, warns = extract_statements(_source(grid), "x")
    assert sorted(set(frame["column"])) == sorted(
        ["年初结转和结余", "本年支出/小计", "本年支出/基本支出", "本年支出/项目支出", "年末结转和结余"]
    )
    item = frame[frame["subject_code"] == "2120801"]
    assert set(item["level"]) == {"项"} and len(item) == 5
    assert len(frame) == 10
    assert [w.message for w in warns] == [
        "政府性基金预算财政拨款收入支出决算表: number without a row label, not placed"
    ]
    assert warns[0].page == 1 and warns[0].source_line is not None


def test_three_public_grouped_header():
    """三公 with 预算数 and 决算数 as the top header group (6 + 6) instead of interleaved."""
    items = ["合计", "因公出国（境）费", "小计", "公务用车购置费", "公务用车运行维护费", "公务接待费"]
    grid = _grid(
        [
            [("预算数", 6), ("决算数", 6)],
            [*items, *items],
            ["3.00", "1.00", "1.50", "1.00", "0.50", "0.50", "2.00", "", "1.00", "0.00", "1.00", "1.00"],
        ],
        ['财政拨款"三公"经费支出决算表', "单位：万元"],
    )
    frame, warns = extract_statements(_source(grid), "x")
    assert warns == []
    got = {(r.row_label, r.column): r.value for r in frame.itertuples()}
    assert got[("公务用车购置及运行费", "预算数")] == 1.5
    assert got[("公务用车运行费", "决算数")] == 1.0
    assert got[("公务接待费", "决算数")] == 1.0
    assert ("因公出国（境）费", "决算数") not in got  # blank cell: no row
    assert len(got) == 11


def test_untitled_grid_after_a_section_heading_is_not_a_continuation():
    table = _grid([["项目", "决算数"], ["本年收入合计", "1.00"]], ["收入支出决算总表", "单位：万元"])
    other = _grid([["序号", "单位名称"], ["1", "本级"]], ["第三部分 情况说明"], page=2, first_no=10)
    frame, _ = extract_statements(_source(table, other), "x")
    assert frame["row_label"].tolist() == ["本年收入合计"]


def test_repeated_title_and_header_on_next_page_continue_the_table():
    header = ["科目编码", "科目名称", "本年支出合计", "基本支出", "项目支出"]
    first = _grid([header, ["201", "一般公共服务支出", "3.00", "2.00", "1.00"]], ["支出决算表", "单位：万元"])
    second = _grid(
        [header, ["2010101", "行政运行", "2.00", "2.00", ""]],
        ["支出决算表（续）", "单位：万元"],
        page=2,
        first_no=10,
    )
    frame, warns = extract_statements(_source(first, second), "x")
    assert warns == []
    assert frame["subject_code"].tolist() == ["201", "201", "201", "2010101", "2010101"]
    assert frame["page"].tolist() == [1, 1, 1, 2, 2]
    assert set(frame["table_title"]) == {"支出决算表"}


def test_tables_without_rulings_are_warned_not_guessed(tmp_path):
    """Strip every path from two table pages: no cell can be placed with confidence, so no rows, two warnings."""
    pypdf = pytest.importorskip("pypdf")
    from pypdf.generic import ContentStream

    path_ops = {b"m", b"l", b"c", b"v", b"y", b"h", b"re", b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b"}
    path_ops |= {b"b*", b"n", b"W", b"W*"}
    writer = pypdf.PdfWriter()
    writer.append(str(SAMPLES["putuo_guihuaziyuanju_2024"]), pages=[7, 16])  # 收入决算表, 三公
    for page in writer.pages:
        content = ContentStream(page.get_contents(), writer)
        content.operations = [(args, op) for args, op in content.operations if op not in path_ops]
        page.replace_contents(content)
    writer.write(tmp_path / "unruled.pdf")
    frame, warns = extract_statements(read_pdf(tmp_path / "unruled.pdf"), "x")
    assert frame.empty
    assert [(w.page, w.message) for w in warns] == [
        (1, "table title without a ruled grid, not read: 收入决算表"),
        (2, "table title without a ruled grid, not read: 财政拨款“三公”经费支出决算表"),
    ]


def test_page_frame_with_title_inside_the_grid():
    """A ruled page frame makes the title a full-width first row and adds empty margin columns."""
    grid = _grid(
        [
            [("收入支出决算总表", 6)],
            [("单位：万元", 6)],
            ["", ("收入", 2), ("支出", 2), ""],
            ["", "项目", "决算数", "项目", "决算数", ""],
            ["", "本年收入合计", "1.00", "本年支出合计", "2.00", ""],
        ],
        [],
    )
    frame, warns = extract_statements(_source(grid), "x")
    assert warns == []
    assert frame[["panel", "row_label", "column", "value"]].values.tolist() == [
        ["收入", "本年收入合计", "决算数", 1.0],
        ["支出", "本年支出合计", "决算数", 2.0],
    ]


def test_rows_without_rulings_are_split_on_subject_codes(tmp_path, parsed):
    """Drop the rulings between body rows (keep header and bottom): every cell still lands in its row."""
    pypdf = pytest.importorskip("pypdf")
    from pypdf.generic import ContentStream

    def is_hrule(args, op) -> bool:  # this producer draws rulings as thin filled rectangles
        return op == b"re" and abs(float(args[3])) < 3 and abs(float(args[2])) > 20

    writer = pypdf.PdfWriter()
    writer.append(str(SAMPLES["putuo_guihuaziyuanju_2024"]), pages=[7, 15])  # 收入决算表, 基本支出决算表
    for page, header_rules in zip(writer.pages, (5, 2), strict=True):
        content = ContentStream(page.get_contents(), writer)
        ys = sorted({round(float(a[1]), 1) for a, op in content.operations if is_hrule(a, op)})
        inner = set(ys[1:-header_rules])  # PDF y grows upwards: keep the bottom rule and the header rules
        content.operations = [
            (a, op)
            for a, op in content.operations
            if not (is_hrule(a, op) and round(float(a[1]), 1) in inner)
        ]
        page.replace_contents(content)
    writer.write(tmp_path / "rowless.pdf")
    frame, warns = extract_statements(read_pdf(tmp_path / "rowless.pdf"), "x")
    assert warns == []
    original = parsed["putuo_guihuaziyuanju_2024"][1]
    original = original[original["page"].isin([8, 16])].assign(page=lambda f: f["page"].map({8: 1, 16: 2}))
    assert _cells(frame) == _cells(original)
    assert len(frame) == 91


def test_title_at_the_foot_of_the_previous_page():
    grid = _grid([["项目", "决算数"], ["本年收入合计", "10000.00"]], [], page=2, first_no=5)
    source = _source(grid)
    source.lines = [Line(1, 1, "第二部分 部门决算表"), Line(2, 1, "收入支出决算总表"), Line(3, 1, "单位：元")]
    frame, warns = extract_statements(source, "x")
    assert warns == []
    assert frame[["table_code", "row_label", "value", "unit_printed", "page"]].values.tolist() == [
        ["income_expenditure", "本年收入合计", 1.0, "元", 2]
    ]


def test_three_public_with_budget_and_actual_as_rows():
    """三公 with items as columns and 预算数/决算数 as printed rows; the title shares its line with 单位."""
    grid = _grid(
        [
            ["项目", "合计", "因公出国(境)费", "公务用车购置及运行维护费", "公务接待费"],
            ["预算数", "3.00", "", "2.00", "1.00"],
            ["决算数", "2.50", "", "1.80", "0.70"],
        ],
        ["一般公共预算财政拨款“三公”经费支出决算表 单位：万元"],
    )
    frame, warns = extract_statements(_source(grid), "x")
    assert warns == []
    assert set(frame["table_title"]) == {"一般公共预算财政拨款“三公”经费支出决算表"}
    got = {(r.row_label, r.column): r.value for r in frame.itertuples()}
    assert got == {
        ("合计", "预算数"): 3.0,
        ("公务用车购置及运行费", "预算数"): 2.0,
        ("公务接待费", "预算数"): 1.0,
        ("合计", "决算数"): 2.5,
        ("公务用车购置及运行费", "决算数"): 1.8,
        ("公务接待费", "决算数"): 0.7,
    }


def test_title_wrapped_over_two_lines():
    grid = _grid(
        [["项目", "合计"], ["合计", "1.00"]], ["一般公共预算财政拨款基本支出决算", "表", "单位：万元"]
    )
    frame, _ = extract_statements(_source(grid), "x")
    assert frame["table_code"].tolist() == ["general_budget_basic"]


def test_continuation_with_drifting_columns_and_one_code_column():
    """Across the page break the 类|款|项 cells become one 7-digit column and the widths drift."""
    first = _grid(
        [
            [("科目编码", 3), "科目名称", "合计", "基本支出", "项目支出"],
            ["类", "款", "项", "", "", "", ""],
            ["201", "", "", "一般公共服务支出", "3.00", "2.00", "1.00"],
            ["201", "03", "", "政府办公厅（室）及相关机构事务", "3.00", "2.00", "1.00"],
        ],
        ["一般公共预算财政拨款支出决算表", "单位：万元"],
        widths=[30, 30, 30, 120, 60, 60, 60],
    )
    second = _grid(
        [["2010301", "行政运行", "2.00", "2.00", ""], ["2010302", "一般行政管理事务", "1.00", "", "1.00"]],
        [],
        page=2,
        first_no=20,
        widths=[84, 132, 56, 62, 60],
    )
    frame, warns = extract_statements(_source(first, second), "x")
    assert warns == []
    rows = frame[frame["page"] == 2][
        ["subject_code", "level", "row_label", "column", "value"]
    ].values.tolist()
    assert rows == [
        ["2010301", "项", "行政运行", "合计", 2.0],
        ["2010301", "项", "行政运行", "基本支出", 2.0],
        ["2010302", "项", "一般行政管理事务", "合计", 1.0],
        ["2010302", "项", "一般行政管理事务", "项目支出", 1.0],
    ]
