"""Narrative of the two Shanghai PDFs (a different template's wording) against hand-checked fixtures."""

import pytest

import juesuan
from juesuan.config import DATA_RAW, FIXTURES
from support import mismatches, read_fixture

SAMPLES = {
    "2024-shanghai-putuo-caizhengju.pdf": ("putuo_caizhengju_2024", "上海市普陀区财政局", 100),
    "2024-shanghai-putuo-guihuaziyuanju.pdf": ("putuo_guihuaziyuanju_2024", "上海市普陀区规划和自然资源局", 143),
}


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def sample(request):
    return request.param, juesuan.load(DATA_RAW / request.param)


@pytest.mark.parametrize("table", ["figures", "units", "line_items"])
def test_matches_fixture_cell_by_cell(sample, table):
    name, d = sample
    expected = read_fixture(f"{table}.csv", FIXTURES / SAMPLES[name][0])
    if table == "figures":
        assert len(expected) == SAMPLES[name][2]
    assert mismatches(expected, getattr(d, table)) == []


def test_document_metadata(sample):
    name, d = sample
    doc = d.document.iloc[0]
    assert (doc.department, doc.year, doc.source_kind, doc.parts_missing) == (SAMPLES[name][1], 2024, "pdf", "")
    assert set(doc.tables_empty.split("；")) == {"gov_fund", "state_capital"}  # printed with 本表无数据
    assert doc.tables_absent == ""


def test_unsure_figures_are_warnings_not_values():
    d = juesuan.load(DATA_RAW / "2024-shanghai-putuo-guihuaziyuanju.pdf")
    messages = " | ".join(d.warnings.message)
    assert "without a unit" in messages and "13.95" in messages  # "增长 13.95。"
    assert "direction of change unclear" in messages  # "下降（增长）27.78%"
    assert not ((d.figures.value.abs() == 27.78) & (d.figures.measure == "change_pct") & (d.figures.item == "三公经费")).any()
