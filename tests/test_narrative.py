"""Narrative of the seed (情况说明, 机构设置, 十三（二）) against hand-checked fixtures, cell by cell."""

import pytest

from juesuan.extract.narrative import extract_units
from juesuan.read.lines import Line
from juesuan.segment import Section
from support import mismatches, read_fixture


@pytest.mark.parametrize("table,rows", [("figures", 295), ("units", 6), ("line_items", 40), ("project_outputs", 26)])
def test_matches_fixture_cell_by_cell(seed, table, rows):
    expected = read_fixture(f"{table}.csv")
    assert len(expected) == rows
    assert mismatches(expected, getattr(seed, table)) == []


def test_figure_measures_are_signed_and_typed(seed):
    f = seed.figures.set_index(["section", "item", "measure"]).value
    assert f[("一", "收支总计", "actual")] == 2820.06
    assert f[("一", "收支总计", "prior_change")] == 216.99
    assert f[("九（一）", "三公经费", "budget_change")] == -13.21  # 比年初预算减少
    assert f[("五（三）", "一般公共预算财政拨款支出", "exec_pct")] == 119
    assert f[("十二", "车辆", "count")] == 4


def test_thresholds_years_and_dates_are_not_facts(seed):
    f = seed.figures
    assert not ((f.value == 100) & (f.unit == "万元")).any()  # 单位价值100万元以上 is a qualifier
    assert not f.value.isin([2022, 2023, 31]).any()


def test_missing_amount_is_a_warning_not_a_zero(seed):
    w = seed.warnings[seed.warnings.stage == "extract:figures"]
    assert w.message.str.contains("年初结转和结余").any()
    assert w.source_line.iloc[0] == 322
    seven = seed.figures[seed.figures.section == "七"]
    assert "年初结转和结余" not in set(seven["item"])


def test_evidence_keeps_the_original_characters(seed):
    row = seed.figures[(seed.figures.item == "公务接待费") & (seed.figures.section == "九（二）")].iloc[0]
    assert "公务接待费支出决算为15.29万元" in row.evidence and "，" in row.evidence


@pytest.mark.parametrize("texts", [
    ["公务接待费　15.29 万元，", "ab 12 cd"],  # NFKC keeps every length: original() slices one string
    ["㎡ 与 ﬁ 变长", "①２"],  # NFKC lengthens some characters: the run-by-run path
])
def test_original_characters_of_any_span(texts):
    from juesuan.segment import Passage

    p = Passage([Line(i + 1, 1, t) for i, t in enumerate(texts)])
    assert (p._same is not None) == ("㎡" not in texts[0])  # which path is under test
    for a in range(-2, len(p.text) + 2):
        for b in range(a - 2, len(p.text) + 3):
            got = p.original(a, b)
            fast, p._same = p._same, None  # the run-by-run reading, the reference
            assert got == p.original(a, b), (a, b)
            p._same = fast
    assert p.original(0, len(p.text)).replace(" ", "") == "".join("".join(t.split()) for t in texts)


def test_document_metadata(seed):
    doc = seed.document.iloc[0]
    assert (doc.department, doc.year, doc.source_kind) == ("通城县人力资源和社会保障局", 2023, "text")
    assert doc.parts_missing == ""
    # the nine tables were images in the source PDF: absent, never zero
    assert len(doc.tables_absent.split("；")) == 9 and doc.tables_found == ""
    assert len(seed.statements) == 0
    # the 部门整体绩效自评表's own totals (lines 992–1011 and its 总分)
    dept = seed.document.filter(regex="^dept_.*(wan|pct|score)$").iloc[0].tolist()
    assert dept == [1807.08, 21468.3, 21468.3, 21468.3, 100.0, 20.0, 100.0]
    assert (doc.dept_grade, doc.dept_grade_line) == ("优", 469)  # "…整体支出绩效评价结果级别为“优”"


UNIT_TABLES = {
    "numbered list": ("纳入本部门决算编制范围的单位包括：\n1、上海市某某局（本级）\n2、上海市某某事务中心\n以上 2 个单位均为行政单位。",
                      ["上海市某某局（本级）", "上海市某某事务中心"]),
    "序号 after the name": ("序号\n单位名称\n通城县第一中学\n1\n通城县第二中学\n2\n通城县实验小学\n3",
                           ["通城县第一中学", "通城县第二中学", "通城县实验小学"]),
    "序号 before the name, 备注 cells": ("序号\n单位名称\n备注\n1\n上海市某某局（本级）\n行政单位\n2\n上海市某某事务中心\n事业单位",
                                      ["上海市某某局（本级）", "上海市某某事务中心"]),
    "备注 with a comma on the row": ("序号 单位名称 备注\n1 上海市某某局（本级）\n2 上海市某某财政所 预算不单列，并入本级",
                                   ["上海市某某局（本级）", "上海市某某财政所"]),
    "a count set apart in the prose": ("本部门下属单位共\n2\n个，即：\n1、上海市某某局（本级）\n2、上海市某某事务中心",
                                      ["上海市某某局（本级）", "上海市某某事务中心"]),
    "a number without a name, then prose": ("1、上海市某某局（本级）\n2\n注：本部门无其他下属单位。", ["上海市某某局（本级）"]),
}


@pytest.mark.parametrize("case", list(UNIT_TABLES))
def test_unit_tables_in_any_cell_order(case):
    body, expected = UNIT_TABLES[case]
    lines = [Line(i + 1, 1, t) for i, t in enumerate(["二、部门决算单位构成", *body.split("\n")])]
    rows = extract_units(lines, [Section(2, "二", "部门决算单位构成", 0, len(lines))], "d")
    assert [r["unit_name"] for r in rows] == expected
