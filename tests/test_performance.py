"""Performance tables of the seed against hand-checked fixtures, cell by cell."""

from support import mismatches, read_fixture


def test_projects_match_fixture_cell_by_cell(seed):
    expected = read_fixture("projects_*.csv")
    assert len(expected) == 26
    assert mismatches(expected, seed.projects) == []


def test_project_indicators_match_fixture_cell_by_cell(seed):
    expected = read_fixture("indicators_projects_*.csv")
    got = seed.indicators[seed.indicators.scope == "project"].reset_index(drop=True)
    assert len(expected) == 205
    assert mismatches(expected, got) == []


def test_department_goals_and_indicators_match_fixture(seed):
    assert mismatches(read_fixture("department_goals.csv"), seed.department_goals) == []
    expected = read_fixture("indicators_department.csv")
    got = seed.indicators[seed.indicators.scope == "department"].reset_index(drop=True)
    assert len(expected) == 54
    assert mismatches(expected, got) == []


def test_wrapped_cells_are_reassembled(seed):
    """A value split as '2547.2077 万 / 元' with its score alone on the next line is one cell."""
    row = seed.indicators.query("project_no == 3 and level3 == '解决农民工拖欠工资'").iloc[0]
    assert (row.target_value, row.target_unit, row.actual_raw, row.score) == (2547.2077, "万元", "2547.2077万元", 5)
    capped = seed.indicators.query("project_no == 23 and level2 == '成本指标'").iloc[0]
    assert (capped.target_op, capped.target_value, capped.actual_raw) == ("≤", 1785.88, "1785.88万")


def test_level_cells_spanning_rows_apply_to_each_row(seed):
    p3 = seed.indicators[seed.indicators.project_no == 3]
    assert list(p3.level2.iloc[:3]) == ["数量指标"] * 3
    assert p3.level1.iloc[:8].eq("产出指标").all()


def test_stray_page_number_is_not_data(seed):
    """'52' alone between the last indicator row and 总分 of project 3 is a page footer."""
    p3 = seed.indicators[seed.indicators.project_no == 3]
    assert 52 not in set(p3.score)
    assert p3.score.sum() == 80
