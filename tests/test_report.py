"""`juesuan report`: every notebook runs through papermill on the sample; the HTML has real content, is offline,
embeds plotly.js once, and shows hostile disclosure text as text."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

from juesuan import config
from juesuan.report import esc, notebooks, run_reports, script_json

SAMPLE = config.DATA_RAW / "2023-tongcheng-renshe.txt"
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"
PLOTLY_HEADER = "* plotly.js v"


def _xss_copy(tmp: Path) -> Path:
    """The sample with a hostile 项目名称 (the first project's header line)."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(i for i, ln in enumerate(lines) if ln.strip().startswith("项目名称 工伤病残等级鉴定费"))
    lines[i] = lines[i].replace("工伤病残等级鉴定费", "工伤病残等级鉴定费" + XSS, 1)
    path = tmp / "2023-xss-probe.txt"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports")
    xss = _xss_copy(tmp)
    status = run_reports([str(SAMPLE), str(xss)], prior=[], out=tmp / "out")
    return status, tmp / "out"


def _html(out: Path, doc_id: str) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((out / doc_id).glob("*.html"))}


def _text(page: str) -> str:
    """Visible text: scripts and styles removed, tags stripped, entities decoded, whitespace squeezed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_report_succeeds_and_keeps_executed_notebooks(reports):
    status, out = reports
    assert status == 0
    doc = out / "2023-tongcheng-renshe"
    for nb in notebooks():
        assert (doc / nb.name).exists() and (doc / f"{nb.stem}.html").exists()
        executed = nbformat.read(doc / nb.name, as_version=4)
        assert any(c.get("outputs") for c in executed.cells if c.cell_type == "code")
    assert (doc / "index.html").exists()


def test_every_page_is_offline_with_plotly_once(reports):
    _, out = reports
    pages = _html(out, "2023-tongcheng-renshe")
    assert len(pages) == len(notebooks()) + 1
    for name, page in pages.items():
        assert 'src="http' not in page and "src='http" not in page, name
        assert not re.search(r"<script[^>]+src=", page), name  # nothing loaded: no require.js, MathJax, CDN
        assert "cdnjs.cloudflare.com" not in page and "unpkg.com" not in page, name
        if name == "index.html":
            continue
        assert page.count(PLOTLY_HEADER) == 1, name
        assert page.count('class="plotly-graph-div') == page.count("Plotly.newPlot("), name


def test_titles_and_hidden_code(reports):
    _, out = reports
    pages = _html(out, "2023-tongcheng-renshe")
    title = re.search(r"<title>(.*?)</title>", pages["02_budget_vs_actual.html"]).group(1)
    assert "预算与决算对比" in title and "通城县人力资源和社会保障局" in title and "2023" in title
    for name, page in pages.items():
        assert "load_disclosure(" not in _text(page), name  # code cells are hidden


def test_yoy_report_content(reports):
    _, out = reports
    page = _html(out, "2023-tongcheng-renshe")["01_yoy_change.html"]
    text = _text(page)
    assert "收支总计" in text and "2820.06" in text and "216.99" in text
    assert "2603.07" in text and "8.34" in text  # implied prior year and recomputed growth rate
    assert page.count("Plotly.newPlot(") >= 1 and '"waterfall"' in page


def test_budget_report_content(reports):
    _, out = reports
    page = _html(out, "2023-tongcheng-renshe")["02_budget_vs_actual.html"]
    text = _text(page)
    assert "2366.08" in text and "2820.06" in text and "119.00" in text and "119.19" in text
    assert "三公经费：预算 34.96 万元，决算 21.75 万元，完成预算的 62.2%（公开文本写 62%）" in text
    assert "公务接待费" in text and "15.29" in text and "公务用车运行费" in text and "6.46" in text
    assert "机关运行经费" in text and "169.84" in text and "146.20" in text
    assert "全部 26 个项目执行率均为 100.00%" in text
    assert page.count("Plotly.newPlot(") >= 3


def test_target_report_flags_indicators(reports):
    _, out = reports
    page = _html(out, "2023-tongcheng-renshe")["03_target_deviation.html"]
    text = _text(page)
    assert "2023年鉴证劳动合同份数" in text and "4824份" in text and "未按偏离度调减" in text
    assert "全部 26 个项目自评均为满分 100 分" in text
    assert "年初预算数为往年数据测算" in text  # the department's own explanation beside the flag
    assert '"xaxis":{"type":"log"' in page


def test_index_links_reports_with_summary(reports):
    _, out = reports
    index = (out / "2023-tongcheng-renshe" / "index.html").read_text(encoding="utf-8")
    for nb in notebooks():
        assert f'href="{nb.stem}.html"' in index
    assert "通城县人力资源和社会保障局" in index and "2023-tongcheng-renshe.txt" in index


def test_hostile_project_name_is_shown_as_text(reports):
    _, out = reports
    pages = _html(out, "2023-xss-probe")
    assert pages, "the probe disclosure produced no report"
    shown = 0
    for name, page in pages.items():
        assert "<script>alert(1)" not in page, name
        assert "<img" not in page.lower() and "<imgsrc" not in page.lower(), name
        assert "onerror=alert(1)>" not in page, name
        shown += "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert shown >= 2  # budget and target reports list the project by name
    assert "<script>alert(1)</script>" in _text(pages["02_budget_vs_actual.html"])


def test_escape_helpers():
    assert esc("<b>&'\"") == "&lt;b&gt;&amp;&#x27;&quot;"
    assert esc(float("nan")) == "" and esc(None) == ""
    assert "</script>" not in script_json({"a": "</script><b>"})


FAILING = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# 故障演示"},
        {"cell_type": "code", "execution_count": None, "metadata": {"tags": ["parameters"]}, "outputs": [],
         "source": "disclosure = ''\nprior = []\nprocessed_dir = ''"},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": "x = 1"},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": "raise ValueError('boom')"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 4,
}


def test_failing_notebook_names_notebook_and_cell(tmp_path, monkeypatch, capsys):
    books = tmp_path / "notebooks"
    books.mkdir()
    nbformat.write(nbformat.from_dict(FAILING), books / "99_broken.ipynb")
    monkeypatch.setattr(config, "NOTEBOOKS", books)
    from juesuan.cli import main

    status = main(["report", str(SAMPLE), "--out", str(tmp_path / "out")])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("juesuan:")]
    assert status != 0
    assert len(err) == 1
    assert "99_broken.ipynb" in err[0] and "cell 4" in err[0] and "ValueError: boom" in err[0]
    assert (tmp_path / "out" / "2023-tongcheng-renshe" / "99_broken.ipynb").exists()


def test_unusable_input_exits_2(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert run_reports([str(empty)], prior=[], out=tmp_path / "out") == 2
    assert "juesuan: error:" in capsys.readouterr().err
