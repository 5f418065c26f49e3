"""The empty 2024 Shanghai template as WPS 文字 exports it: text in a text matrix scaled by 0.05 (nominal
sizes 209–720 pt). Structure only, no figures: every part, section and table title is found, every table is
reported empty, and no number is invented."""

from __future__ import annotations

import pytest

import juesuan
from juesuan.config import FIXTURES
from juesuan.read import read_source

TEMPLATE = FIXTURES / "wps" / "2024-shanghai-template.pdf"
NINE = ["income_expenditure", "income", "expenditure", "fiscal_income_expenditure", "general_budget_expenditure",
        "general_budget_basic", "three_public", "gov_fund", "state_capital"]


@pytest.fixture(scope="module")
def template():
    return juesuan.load(TEMPLATE)


def test_lines_are_lines_not_collapsed_pages():
    source = read_source(TEMPLATE)
    texts = [ln.text for ln in source.lines]
    assert "第一部分 上海市XX局概况" in texts
    assert "收入决算表" in texts and "单位：万元" in texts
    # a page of the template is tens of lines, not the handful a 250 pt line tolerance gives
    per_page = [sum(ln.page == p for ln in source.lines) for p in (2, 4, 5)]
    assert per_page[0] >= 20 and per_page[1] >= 15 and per_page[2] >= 30, per_page


def test_parts_sections_and_titles(template):
    doc = template.document.iloc[0]
    assert doc.department == "上海市XX局" and doc.year == 2024 and doc.n_pages == 23
    assert doc.parts_found.split("；") == ["概况", "决算表", "情况说明", "名词解释"]
    assert doc.parts_missing == "" and doc.sections_missing == ""
    assert [s for s in doc.sections_found.split("；") if s.startswith("情况说明")] == \
        [f"情况说明:{n}" for n in "一 二 三 四 五 六 七 八 九 十 十一".split()]


def test_every_table_empty_and_no_number_invented(template):
    doc = template.document.iloc[0]
    assert sorted(doc.tables_empty.split("；")) == sorted(NINE)
    assert doc.tables_found == "" and doc.tables_absent == ""
    assert template.statements.empty and template.figures.empty and template.line_items.empty
    # tables without a 无数据 note are named, with their title's page
    empty = template.warnings[template.warnings.message.str.contains("no values and no 无数据 note")]
    assert len(empty) == 7 and empty.page.notna().all()


def test_budget_analysis_of_a_document_without_figures(template):
    """Notebook 02's analysis on a disclosure with no narrative figures: empty tables, not a KeyError."""
    from juesuan.analysis import budget

    table = budget.budget_vs_actual(template.figures)
    assert table.empty and "item" in table.columns
    for part in (budget.three_public, budget.general_budget, budget.operating_costs):
        assert part(table).empty
