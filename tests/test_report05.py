"""Report 05 (departments side by side): every number cites where its department's disclosure prints it, one
department is said to be alone (no charts that compare nothing), several years show only departments seen twice.

Runs on the county `gen_years` generates (the seed's department in 2022 and 2023, two other departments in 2023)
and on the seed alone."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

import nbformat
import pandas as pd
import pytest

import gen_years as g
import juesuan
from juesuan import config, highlights
from juesuan import report as r
from juesuan.analysis import departments as dep

CITE = re.compile(r"第 \d+(–\d+)? 页")
AMOUNT = re.compile(r"^-?\d[\d,]*\.\d\d$")  # an amount as the reports print it (2,820.06)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("county05")
    paths = g.write_county(tmp)
    out = tmp / "processed"
    done = subprocess.run([sys.executable, "-m", "juesuan", "parse", *map(str, paths.values()), "--out", str(out),
                           "--jobs", "2"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return paths, out


@pytest.fixture(scope="module")
def gathered(county):
    paths, out = county
    return dep.gather(out, juesuan.load(paths["current"]))


@pytest.fixture(scope="module")
def alone(seed, tmp_path_factory):
    """The seed with nothing else in its panel."""
    return dep.gather(tmp_path_factory.mktemp("empty-panel"), seed)


def test_every_headline_cell_cites_the_page_and_line_it_is_printed_on(gathered, county):
    t = dep.department_table(gathered, 2023).set_index("department")
    seed = t.loc[g.DEPARTMENT]
    assert seed.src_department == "2023-tongcheng-renshe.txt"
    assert (seed.expenditure, seed.src_expenditure) == (2820.06, "第 14 页，第 174 行")
    assert (seed.three_public, seed.src_three_public) == (21.75, "第 18 页，第 344 行")
    assert seed.src_three_public_exec_pct == "第 18 页，第 342、344 行"  # 决算 ÷ 预算: both lines
    assert seed.src_operating == "第 20 页，第 412 行"
    assert seed.src_n_projects == "第 49–83 页，26 张项目自评表"
    lines = g.current_year().splitlines()
    for col in dep.HEADLINE:  # each cited line holds the number it cites
        value = seed[col]
        assert f"{value:g}" in lines[int(seed[f"{col}_line"]) - 1].replace(" ", ""), col
    other = t.loc["通城县教育局"]
    assert (other.expenditure, other.src_department) == (8841.37, "2023-tongcheng-jiaoyu.txt")
    assert other.src_expenditure == "第 14 页，第 174 行"


def test_a_number_the_document_does_not_state_cites_nothing(gathered):
    f = gathered.figures
    without = f[~(f["doc_id"].eq("2023-tongcheng-jiaoyu") & f["item"].eq("支出合计"))]
    t = dep.department_table(dep.Gathered(gathered.documents, without, gathered.projects, gathered.checks), 2023)
    jiaoyu = t.set_index("department").loc["通城县教育局"]
    assert pd.isna(jiaoyu.expenditure) and jiaoyu.src_expenditure == ""
    rows = _cells(r.cited_table(t, {"department": "部门", "expenditure": "支出合计"}))[0]
    assert [row[1] for row in rows[1:]] == ["2,820.06\n第 14 页，第 174 行", "—", "1,534.20\n第 14 页，第 174 行"]


def test_score_bands_count_each_departments_projects_with_their_pages(gathered):
    t = dep.department_table(gathered, 2023)
    bands = dep.score_bands(gathered, t)
    minzheng = bands[bands["department"].eq("通城县民政局")].set_index("band")
    assert minzheng["n"].to_dict() == {"100 分": 23, "95–100 分（不含 100）": 1, "90–95 分（不含 95）": 1,
                                       "80–90 分（不含 90）": 1}  # the generator scored three tables 95, 92, 88
    assert minzheng["n"].sum() == t.set_index("department").loc["通城县民政局", "n_projects"] == 26
    assert minzheng.loc["95–100 分（不含 100）", "share_pct"] == round(100 / 26, 1)
    assert all(len(p) == n for p, n in zip(minzheng["page"], minzheng["n"], strict=True))
    assert list(bands["department"].drop_duplicates()) == list(t["department"])  # the table's order
    renshe = bands[bands["department"].eq(g.DEPARTMENT)]
    assert renshe[["band", "n"]].values.tolist() == [["100 分", 26]] and renshe["current"].all()


def test_years_only_for_departments_seen_twice(gathered):
    years = dep.several_years(dep.by_year(gathered))
    assert years[["department", "year"]].values.tolist() == [[g.DEPARTMENT, 2022], [g.DEPARTMENT, 2023]]
    assert years["src_expenditure"].tolist() == ["第 14 页，第 174 行"] * 2
    assert years["src_department"].tolist() == ["2022-tongcheng-renshe.txt", "2023-tongcheng-renshe.txt"]
    assert dep.multi_year(gathered)
    assert dep.coverage(gathered) == "数据目录中共 4 份公开、3 个部门：2022 年度 1 个部门；2023 年度 3 个部门。"


def test_several_years_in_the_panel_but_no_department_twice(gathered):
    docs = gathered.documents
    one_each = dep.Gathered(docs[docs["doc_id"].ne("2022-tongcheng-renshe")].assign(
        year=lambda d: d["year"].where(~d["doc_id"].eq("2023-tongcheng-jiaoyu"), 2022)), gathered.figures,
        gathered.projects, gathered.checks)
    assert one_each.documents["year"].nunique() == 2
    assert not dep.multi_year(one_each) and dep.several_years(dep.by_year(one_each)).empty


def test_summary_of_several_departments_cites_its_amounts(gathered):
    t = dep.department_table(gathered, 2023)
    items = highlights.departments(t, gathered)
    texts = [f.text for f in items]
    assert texts[0] == "支出合计最高的是通城县教育局：8,841.37 万元，占 3 份公开合计的 67.0%（第 14 页）。"
    assert texts[1] == "“三公”经费决算占预算：3 个部门均为 62.2%（第 18 页）。"  # the generator left 三公 alone
    assert "通城县教育局：全部 26 个项目自评满分，自评未区分绩效高低（第 49–83 页，26 张项目自评表）。" in texts
    assert not any("通城县民政局：全部" in x for x in texts)
    assert all(CITE.search(x) for x in texts if re.search(r"\d[\d,.]*\s*(万元|%)", x))


def test_one_department_is_said_to_be_alone_with_its_own_figures(alone, seed):
    t = dep.department_table(alone, seed.year)
    assert dep.departments_of(t) == 1 and len(t) == 1
    texts = [f.text for f in highlights.departments(t, alone)]
    assert texts[0].startswith("数据目录中 2023 年度只有通城县人力资源和社会保障局一个部门的公开，无从与其他部门比较")
    assert texts[1] == ("支出合计 2,820.06 万元，其中基本支出 2,544.29 万元（90.2%），项目支出 275.77 万元（9.8%）"
                        "（第 14 页）。")
    assert texts[2] == "“三公”经费决算 21.75 万元，为预算 34.96 万元的 62.2%（第 18 页）。"
    assert texts[3] == "机关运行经费 169.84 万元（第 20 页）。"
    assert dep.coverage(alone) == "数据目录中共 1 份公开、1 个部门：2023 年度 1 个部门。"


def test_two_documents_of_one_department_are_one_department(gathered):
    docs = gathered.documents.assign(year=2023)
    t = dep.department_table(dep.Gathered(docs, gathered.figures, gathered.projects, gathered.checks), 2023)
    assert len(t) == 4 and dep.departments_of(t) == 3


class _Cells(HTMLParser):
    """The rows of the tables in an HTML fragment: each cell's text (a <br> as a newline)."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _cells(html: str) -> list[list[list[str]]]:
    p = _Cells()
    p.feed(html)
    return p.tables


def test_cited_table_puts_each_citation_under_its_number_and_escapes(gathered):
    t = dep.department_table(gathered, 2023)
    t.loc[0, "department"] = "<script>alert(1)</script>局"
    t.loc[0, "src_department"] = "a<b>.txt"
    html = r.cited_table(t, {"department": "部门", "expenditure": "支出合计", "error": "错误"},
                         formats={"error": "count"}, highlight="current")
    assert "<script>" not in html and "&lt;script&gt;" in html and "a&lt;b&gt;.txt" in html
    rows = _cells(html)[0]
    assert rows[0] == ["部门", "支出合计", "错误"]
    for row in rows[1:]:
        value, where = row[1].split("\n")
        assert AMOUNT.match(value) and where == "第 14 页，第 174 行"
        assert "\n" not in row[2]  # a count of failed checks is not printed in the document: no page
    assert html.count('class="flag"') == int(t["current"].sum()) == 1


def _run_notebook(tmp, disclosure, processed) -> nbformat.NotebookNode:
    import papermill as pm

    out = tmp / "05.ipynb"
    pm.execute_notebook(str(config.NOTEBOOKS / "05_departments.ipynb"), str(out), kernel_name="python3",
                        parameters={"disclosure": str(disclosure), "processed_dir": str(processed)},
                        progress_bar=False, cwd=str(config.NOTEBOOKS))
    return nbformat.read(out, as_version=4)


def _outputs(nb) -> tuple[str, int]:
    html, charts = [], 0
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            charts += r.PLOTLY_MIME in data
            if r.PLOTLY_MIME not in data and "text/html" in data:
                html.append(data["text/html"])
    return "".join(html), charts


def _uncited_amounts(html: str) -> list[list[str]]:
    """Rows of the report's tables with an amount that cites no page, and rows that cite no source at all."""
    bad = []
    for rows in _cells(html):
        for row in rows[1:]:
            if any(AMOUNT.match(c.split("\n")[0]) and not CITE.search(c) for c in row):
                bad.append(row)
            elif not any(CITE.search(c) or re.search(r"\.(txt|pdf)$", c) for c in row):
                bad.append(row)
    return bad


def test_notebook_on_a_county_cites_every_row_and_draws_its_comparisons(county, tmp_path):
    paths, out = county
    html, charts = _outputs(_run_notebook(tmp_path, paths["current"], out))
    tables = _cells(html)
    assert len(tables) == 6  # 收支, 三公, 自评 (per department and by band), 勾稽, 逐年
    assert not _uncited_amounts(html)
    assert sum(len(t) - 1 for t in tables) == 3 + 3 + 3 + 6 + 3 + 2
    assert charts == 6  # 基本/项目, 三公, 机关运行经费, 自评分, 不符项, 逐年
    assert "只有" not in html.split("</section>")[0]
    years = tables[-1]
    assert [row[1] for row in years[1:]] == ["2022", "2023"] and years[2][3] == "8.3"


def test_notebook_on_one_department_says_so_and_draws_no_comparison(tmp_path):
    nb = _run_notebook(tmp_path, g.SEED, tmp_path / "no-panel")
    html, charts = _outputs(nb)
    assert charts == 0  # a chart of one bar compares nothing; the page then carries no plotly.js
    summary = html.split("</section>")[0]
    assert "只有通城县人力资源和社会保障局一个部门的公开，无从与其他部门比较" in summary
    assert "支出合计 2,820.06 万元" in summary and "（第 14 页）" in summary
    assert not _uncited_amounts(html)
    assert "没有哪个部门有两个以上年度的公开" in html
    bands = _cells(html)[3]
    assert bands[1][:4] == ["通城县人力资源和社会保障局", "100 分", "26", "100.0"] and CITE.search(bands[1][4])


def test_failed_checks_are_counted_as_the_index_and_report_04_count_them(gathered, county):
    from juesuan.checks import findings

    t = dep.department_table(gathered, 2023).set_index("doc_id")
    for doc in ["2023-tongcheng-minzheng", "2023-tongcheng-jiaoyu"]:
        stored = pd.read_parquet(county[1] / doc / "checks.parquet")
        grouped = findings(stored)["severity"].value_counts()
        assert t.loc[doc, ["error", "warning", "info"]].tolist() == [grouped.get(s, 0) for s in dep.SEVERITIES]
        assert t.loc[doc, "warning"] < (stored["status"].eq("fail") & stored["severity"].eq("warning")).sum()
    current = t.loc["2023-tongcheng-renshe"]  # stored when parsed: the same as checking it now
    grouped = findings(juesuan.checks.run_checks(juesuan.load(county[0]["current"])))["severity"].value_counts()
    assert current[["error", "warning", "info"]].tolist() == [grouped.get(s, 0) for s in dep.SEVERITIES]
