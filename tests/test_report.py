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
PDF = config.DATA_RAW / "2024-shanghai-putuo-caizhengju.pdf"
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"
PLOTLY_HEADER = "* plotly.js (cartesian - minified) v"
KB, MB = 1000, 1000 * 1000
# Identifiers of the code's vocabulary that must never reach a reader (tables, measures, scopes, classes,
# statuses, severities, stages, columns). The browser test reads the same list.
VOCABULARY = [
    "income_expenditure", "fiscal_income_expenditure", "general_budget_expenditure", "general_budget_basic",
    "three_public", "gov_fund", "state_capital", "line_items", "project_outputs", "department_goals", "figures",
    "indicators", "statements", "actual", "budget", "prior_change", "change_pct", "share_pct", "exec_pct",
    "budget_change", "budget_full", "budget_adjusted", "department", "project", "met", "exceeded", "missed",
    "qualitative", "higher", "lower", "not_assessable", "pass", "fail", "error", "warning", "info", "extract",
    "segment", "source_line", "doc_id", "amount_at_stake_wan", "self_score", "matched", "renamed", "dropped",
    "table", "reported absent", "not zero", "not recorded", "nan", "None", "NaN", "True", "False",
]
VOCAB_RE = re.compile(r"(?<![A-Za-z_])(" + "|".join(map(re.escape, VOCABULARY)) + r")(?![A-Za-z_])")


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
    status = run_reports([str(SAMPLE), str(xss), str(PDF)], prior=[], out=tmp / "out")
    return status, tmp / "out"


def _html(out: Path, doc_id: str) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((out / doc_id).glob("*.html"))}


def _text(page: str) -> str:
    """Visible text: scripts, styles and tooltips removed, tags stripped, entities decoded, whitespace squeezed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r"<title>.*?</title>", " ", body, flags=re.S)
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


def test_every_page_is_offline_with_plotly_only_where_drawn(reports):
    _, out = reports
    for doc_id in ["2023-tongcheng-renshe", "2024-shanghai-putuo-caizhengju"]:
        pages = _html(out, doc_id)
        assert len(pages) == len(notebooks()) + 1
        for name, page in pages.items():
            assert 'src="http' not in page and "src='http" not in page, name
            assert not re.search(r"<script[^>]+src=", page), name  # nothing loaded: no require.js, MathJax, CDN
            assert "cdnjs.cloudflare.com" not in page and "unpkg.com" not in page, name
            charts = page.count('class="plotly-graph-div')
            assert charts == page.count("Plotly.newPlot("), name
            assert page.count(PLOTLY_HEADER) == (1 if charts else 0), (doc_id, name)
    seed = _html(out, "2023-tongcheng-renshe")
    assert seed["04_consistency_checks.html"].count(PLOTLY_HEADER) == 0  # no chart, no plotly.js
    assert _html(out, "2024-shanghai-putuo-caizhengju")["03_target_deviation.html"].count(PLOTLY_HEADER) == 0


def test_sizes_stay_under_the_targets(reports):
    _, out = reports
    for doc in [out / "2023-tongcheng-renshe", out / "2024-shanghai-putuo-caizhengju"]:
        total = 0
        for f in doc.iterdir():
            total += f.stat().st_size
            if f.suffix == ".html" and PLOTLY_HEADER not in f.read_text(encoding="utf-8"):
                assert f.stat().st_size < 300 * KB, f
        assert total < 8 * MB, (doc, total)


def test_summary_first_and_appendix_collapsed(reports):
    _, out = reports
    for doc_id in ["2023-tongcheng-renshe", "2024-shanghai-putuo-caizhengju"]:
        for name, page in _html(out, doc_id).items():
            body = page[page.index("<main"):] if "<main" in page else page
            box = body.find('class="juesuan-summary"')
            assert box >= 0, (doc_id, name)
            first_table = body.find("<table")
            assert first_table == -1 or box < first_table, (doc_id, name)  # the summary comes before any table
            assert "<details open" not in page and "<details class=\"juesuan-appendix\" open" not in page
    seed = _html(out, "2023-tongcheng-renshe")
    for name in ["03_target_deviation.html", "04_consistency_checks.html"]:
        assert '<details class="juesuan-appendix"><summary>附录' in seed[name], name
    # the passing checks are in the appendix, not the body: outside the <details>, only the failures' rows
    page = seed["04_consistency_checks.html"]
    body = re.sub(r"<details\b.*?</details>", "", page, flags=re.S)
    assert "附录：通过的检查" in page and "附录：通过的检查" not in body
    assert body.count("<tr>") < 60 < page.count("<tr>") - 400  # 39 findings in the body, 532 passes in the appendix


def test_no_code_vocabulary_in_visible_text(reports):
    _, out = reports
    for doc_id in ["2023-tongcheng-renshe", "2024-shanghai-putuo-caizhengju"]:
        for name, page in _html(out, doc_id).items():
            text = _text(page)
            leaks = sorted(set(VOCAB_RE.findall(text)))
            assert not leaks, (doc_id, name, leaks)
    assert not VOCAB_RE.findall(_text((out / "index.html").read_text(encoding="utf-8")))


def test_every_amount_in_a_summary_cites_a_page(reports):
    _, out = reports
    for doc_id in ["2023-tongcheng-renshe", "2024-shanghai-putuo-caizhengju"]:
        for name, page in _html(out, doc_id).items():
            for box in re.findall(r'<section class="juesuan-summary">(.*?)</section>', page, flags=re.S):
                for item in re.findall(r"<li>(.*?)</li>", box, flags=re.S):
                    text = _text(item)
                    if AMOUNT_RE.search(text):
                        assert CITE_RE.search(text), (doc_id, name, text)


AMOUNT_RE = re.compile(r"\d[\d,.]*\s*(万元|%)")
CITE_RE = re.compile(r"第\s*[\d、，,–\-\s]+\s*页")


def test_yoy_report_content(reports):
    _, out = reports
    page = _html(out, "2023-tongcheng-renshe")["01_yoy_change.html"]
    text = _text(page)
    assert "收支总计" in text and "2,820.06" in text and "216.99" in text
    assert "2,603.07" in text and "8.34" in text  # implied prior year and recomputed growth rate
    assert "第 12 页" in text  # the page of the 收支总计 sentence
    assert page.count("Plotly.newPlot(") >= 1 and '"base":' in page  # the bridge as floating bars
    assert "未提供往年公开" in text


def test_budget_report_content(reports):
    _, out = reports
    page = _html(out, "2023-tongcheng-renshe")["02_budget_vs_actual.html"]
    text = _text(page)
    assert "2,366.08" in text and "2,820.06" in text and "119.19" in text
    assert "三公经费：年初预算 34.96 万元，决算 21.75 万元，为预算的 62.2%（公开文本写 62%）" in text
    assert "公务接待费" in text and "15.29" in text and "公务用车运行费" in text and "6.46" in text
    assert "机关运行经费" in text and "169.84" in text and "146.20" in text
    assert "≈14.04" in text  # 公务用车购置及运行费: budget worked back from "完成预算的 46%", approximate
    assert not re.search(r"(?<![\d.])0\.0%", text)  # 0/0 is "—", never 0.0%
    assert "26 个项目预算合计 21,468.30 万元，执行 21,468.30 万元（执行率 100.0%），其中执行率恰为 100% 的 26 个" in text
    assert page.count("Plotly.newPlot(") >= 3
    assert '"type":"log"' not in page.split("各项目执行率")[0][-3000:]  # execution rates, not a 16,800 vs 5 bar


def test_target_report_flags_indicators(reports):
    _, out = reports
    page = _html(out, "2023-tongcheng-renshe")["03_target_deviation.html"]
    text = _text(page)
    assert "2023年鉴证劳动合同份数" in text and "4824份" in text and "未按偏离度调减" in text
    assert "年初预算数为往年数据测算" in text  # the department's own explanation beside the flag
    assert f"远超目标（≥{config.DEVIATION_EXPLAIN:g} 倍" in text and f"超出目标（≥{config.DEVIATION_WARN:g} 倍）" in text
    assert "inf" not in text
    assert '"xaxis":{"type":"log"' in page


def test_target_report_without_performance_tables_says_so(reports):
    _, out = reports
    text = _text(_html(out, "2024-shanghai-putuo-caizhengju")["03_target_deviation.html"])
    assert "本公开未附绩效自评表" in text
    assert "平均得分99.43分" in text and "598.42" in text and "第 23 页" in text  # what the narrative says
    assert "（无" not in text and "湖北" not in text


def test_index_links_reports_with_summary(reports):
    _, out = reports
    index = (out / "2023-tongcheng-renshe" / "index.html").read_text(encoding="utf-8")
    for nb in notebooks():
        assert f'href="{nb.stem}.html"' in index
    text = _text(index)
    assert "通城县人力资源和社会保障局" in text and "2023-tongcheng-renshe.txt" in text
    assert "疑为小数点错位（第36、47页）" in text  # the top finding
    assert "表1 收入支出决算总表有标题，但文本输入无法读取其单元格" in text  # warnings in Chinese, with pages
    assert "第 7 页，第 111 行" in text
    assert "reported absent" in index  # the English stays for the developer, in a tooltip only
    assert "<th>SHA-256</th><td>382f8007" in index  # outdir.owner reads it


def test_pdf_text_saved_with_line_numbers(reports):
    _, out = reports
    text = (out / "2024-shanghai-putuo-caizhengju" / "text.txt").read_text(encoding="utf-8")
    assert "==== 第 6 页 ====" in text
    assert re.search(r"^87\t.*一般公共预算财政拨款收入", text, flags=re.M)  # the line the statements cite
    assert not (out / "2023-tongcheng-renshe" / "text.txt").exists()  # a text input cites its own lines
    assert 'href="text.txt"' in (out / "2024-shanghai-putuo-caizhengju" / "index.html").read_text(encoding="utf-8")


def test_cross_department_index(reports):
    _, out = reports
    page = (out / "index.html").read_text(encoding="utf-8")
    text = _text(page)
    for doc_id, name in [("2023-tongcheng-renshe", "通城县人力资源和社会保障局"),
                         ("2024-shanghai-putuo-caizhengju", "上海市普陀区财政局")]:
        assert f'href="{doc_id}/index.html"' in page and name in text
        assert f'href="{doc_id}/04_consistency_checks.html"' in page
    assert "共 3 份公开" in text
    assert "疑为小数点错位" in text and "相差 2,961.38 万元" in text  # each department's top finding


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
    assert "<script>alert(1)</script>" in _text(pages["03_target_deviation.html"])


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


# ---------------------------------------------------------------------------------------------- labels and formats


def test_number_formats():
    from juesuan import labels as L

    assert L.amount(16800) == "16,800.00" and L.amount(None) == "—" and L.amount(34.96, approx=True) == "≈34.96"
    assert L.count(4824.0, "份") == "4,824 份" and L.count(float("nan")) == "—"
    assert L.ratio(0, 0) == "—" and L.ratio(5, 0) == "—" and L.ratio(21.75, 34.96) == "62.2%"
    assert L.pct(8.344, 2) == "8.34%" and L.pct(float("inf")) == "—"
    assert L.score(100.0) == "100" and L.score(19.5) == "19.5"
    assert L.cite([5, 3, 6, 7, 12]) == "第 3、5–7、12 页" and L.cite(18, 322) == "第 18 页，第 322 行"
    assert L.cite([None]) == "" and L.size(212_000) == "212 KB" and L.size(1_518_697) == "1.5 MB"


def test_every_code_has_a_chinese_label():
    from juesuan import labels as L
    from juesuan import schemas
    from juesuan.analysis.scoring import CLASS_LABEL, DIRECTION_LABEL
    from juesuan.model import TABLES
    from juesuan.segment import PART_KEYS

    assert set(schemas.MEASURES) <= set(L.MEASURES)
    assert set(schemas.TABLE_CODES) == set(L.STATEMENTS)
    assert set(TABLES) <= set(L.TABLES)
    assert set(CLASS_LABEL) == set(L.CLASSES) and set(DIRECTION_LABEL) == set(L.DIRECTIONS)
    assert set(PART_KEYS.values()) == set(L.PARTS)
    assert L.plain("一般公共预算财政拨款支出(actual)重述") == "一般公共预算财政拨款支出（决算数）重述"
    assert L.deviation_class("exceeded", "warn") == f"超出目标（≥{config.DEVIATION_WARN:g} 倍）"
    assert L.deviation_class("exceeded", "explain") == f"远超目标（≥{config.DEVIATION_EXPLAIN:g} 倍）"


def test_far_exceeded_is_the_threshold_of_rule_p07():
    """03 calls a target 远超目标 from the same setting rule P07 (04) flags full marks at."""
    from juesuan.checks import catalogue

    assert catalogue.OVERACHIEVE_RATIO == config.DEVIATION_EXPLAIN


WARNING_EXAMPLES = [  # as the parser writes them (read, segment, extract), one per kind
    ("amount missing before 万元: …结转和结余万元…", "“万元”前缺少金额，未记录：…结转和结余万元…"),
    ("figure printed without a unit, not recorded: 增长13.95。", "数字未印单位，未记录：增长13.95。"),
    ("direction of change unclear (增加/减少 both printed): 下降(增长)27.78%", "增减方向不明"),
    ("table 收入决算表 has a title but its cells are not read from text input (an image in the source, or rows only "
     "the PDF reader can align): reported absent, not zero", "表2 收入决算表有标题"),
    ("table 支出决算表 has a title but no data in the text layer (image or missing): reported absent, not zero",
     "表3 支出决算表有标题，但 PDF 文字层中没有数据"),
    ("table 政府性基金预算财政拨款收入支出决算表 is printed with its headers but no values and no 无数据 note: "
     "reported empty", "表7 政府性基金预算财政拨款收入支出决算表只印了表头"),
    ("part missing: 情况说明 (truncated or partial disclosure?)", "缺少“情况说明”部分"),
    ("project table 2: 总分 not found (table cut short?)", "第 2 个项目自评表：未找到“总分”"),
    ("project table 3: 执行率得分 + indicator scores = 98 but 总分 = 100 (a row merged, split or missing?)",
     "执行率得分加各指标得分为 98，但总分为 100"),
    ("page is an image without a text layer (tables or text on it are not read; --ocr auto reads them)", "该页为图片"),
    ("text printed sideways (90°) on page(s) 3–4: read turned upright", "第 3–4 页文字旋转 90° 印刷"),
    ("收入决算表: not a number: '1,2x3'", "收入决算表：“1,2x3”不是数字"),
    ("3 control characters in 2 cells cannot be stored in a workbook and were removed here (the CSV and Parquet "
     "tables keep them)", "2 个单元格中的 3 个控制字符"),
]


@pytest.mark.parametrize(("message", "chinese"), WARNING_EXAMPLES)
def test_parser_warnings_in_chinese(message, chinese):
    from juesuan.labels import GENERIC_WARNING, warning_text

    text = warning_text(message)
    assert chinese in text and text != GENERIC_WARNING
    assert not re.search(r"[A-Za-z]{4,}", text.replace("PDF", "").replace("Unicode", "").replace("Big5", "")
                         .replace("ocr", "").replace("auto", "").replace("Parquet", ""))


def test_unknown_warning_gets_a_general_chinese_sentence():
    from juesuan.labels import GENERIC_WARNING, warning_text

    assert warning_text("something new the parser says") == GENERIC_WARNING


def test_sample_warnings_all_translated(seed):
    from juesuan.labels import GENERIC_WARNING, warning_text

    assert all(warning_text(m) != GENERIC_WARNING for m in seed.warnings["message"])


def test_disclosure_repr_is_short(seed):
    text = repr(seed)
    assert text.startswith("<Disclosure 2023-tongcheng-renshe: 通城县人力资源和社会保障局 2023, 104 pages;")
    assert "projects 26" in text and "indicators 259" in text and len(text) < 400


def test_cli_help_and_version(capsys):
    from juesuan.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and "juesuan" in capsys.readouterr().out
    for command in ["parse", "report", "check", "export", "panel"]:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = capsys.readouterr().out
        assert "default" in out, command
    with pytest.raises(SystemExit) as exc:
        main(["export", str(SAMPLE), "--xlsx"])  # gone: the workbook is what export writes
    assert exc.value.code == 2


def test_every_option_has_help():
    import argparse

    from juesuan import cli

    parsers = []
    real = argparse.ArgumentParser.parse_args

    def capture(self, args=None, namespace=None):
        parsers.append(self)
        raise SystemExit(0)

    argparse.ArgumentParser.parse_args = capture
    try:
        with pytest.raises(SystemExit):
            cli.main(["parse", "x"])
    finally:
        argparse.ArgumentParser.parse_args = real
    top = parsers[0]
    subs = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction)).choices
    for name, sub in subs.items():
        for action in sub._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, (name, action.dest)


def test_progress_line_on_a_terminal_only(monkeypatch):
    import io
    import sys

    from juesuan.report.run import _progress

    assert _progress(5, "x") is None  # pytest's stderr is not a terminal: quiet

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    bar = _progress(2, "2023-tongcheng-renshe")
    bar.set_postfix_str("01_yoy_change")
    bar.update(2)
    bar.close()
    assert "2023-tongcheng-renshe: 2/2" in tty.getvalue() and "01_yoy_change" in tty.getvalue()


def test_parse_keeps_a_pdfs_text_beside_its_tables(tmp_path):
    from juesuan.cli import main

    assert main(["parse", str(PDF), str(SAMPLE), "--out", str(tmp_path), "--jobs", "1", "--no-checks"]) == 0
    text = (tmp_path / "2024-shanghai-putuo-caizhengju" / "text.txt").read_text(encoding="utf-8")
    lines = dict(ln.split("\t", 1) for ln in text.splitlines() if "\t" in ln)
    import pandas as pd

    statements = pd.read_parquet(tmp_path / "2024-shanghai-putuo-caizhengju" / "statements.parquet")
    first = statements.iloc[0]
    assert first["row_label"] in lines[str(first["source_line"])]  # a cited line can be looked up
    assert not (tmp_path / "2023-tongcheng-renshe" / "text.txt").exists()


def test_a_pdfs_text_comes_from_the_lines_just_read(monkeypatch):
    # the text beside the tables is the reader's own lines: the PDF is not read again (outside the reader's
    # bounds), and the text is the same as a fresh read gives
    from juesuan import write
    from juesuan.pipeline import parse

    d = parse(PDF)
    fresh = write.source_text(PDF)
    monkeypatch.setattr(write, "read_source", lambda *_: pytest.fail("the PDF was read a second time"))
    assert write.source_text(PDF, d) == fresh and fresh.count("\n") > len(d.lines)
    assert write.source_text(SAMPLE, parse(SAMPLE)) is None


def test_counts_shown_as_counts(reports):
    _, out = reports
    text = _text(_html(out, "2023-tongcheng-renshe")["04_consistency_checks.html"])
    assert "4,824.00" not in text and "4824.00" not in text  # 为用人单位鉴证劳动合同份数 4824份
    assert "4,824" in text and "2,547.21" in text  # a count as a count, an amount to the cent
