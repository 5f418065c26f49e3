"""Audit workbook: sheets, Chinese headers, frozen header row, number formats, filters, widths and values."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from juesuan import export
from juesuan.checks import run_checks
from juesuan.config import DATA_RAW

SEED = DATA_RAW / "2023-tongcheng-renshe.txt"


@pytest.fixture(scope="module")
def workbook(seed, tmp_path_factory):
    checks = run_checks(seed)
    path = export.write_workbook(seed, checks, tmp_path_factory.mktemp("xlsx") / "audit.xlsx")
    return load_workbook(path), checks, seed


def _header(ws) -> list[str]:
    return [c.value for c in ws[1]]


def _column(ws, header: str) -> int:
    return _header(ws).index(header) + 1


def test_every_schema_column_has_a_chinese_header():
    from juesuan import schemas

    missing = {c for name in schemas.MODELS for c in schemas.columns(name)} - set(export.HEADERS)
    assert not missing


def test_sheets_in_order(workbook):
    wb, _, _ = workbook
    assert wb.sheetnames == ["发现汇总", "检查结果", "同比", "预决算对比", "绩效偏差", "规则目录", "文档信息", "预算单位",
                             "说明数字", "基本支出明细", "项目自评", "项目产出", "部门整体目标", "绩效指标", "决算表", "解析警告"]


def test_every_sheet_frozen_filtered_with_chinese_headers(workbook):
    wb, _, _ = workbook
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == ws.dimensions, ws.title
        for h in _header(ws):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in h) or h == "SHA-256", (ws.title, h)
        for letter, dim in ws.column_dimensions.items():
            assert 8 <= dim.width <= 60, (ws.title, letter, dim.width)


def test_checks_sheet_values_and_formats(workbook):
    wb, checks, _ = workbook
    ws = wb["检查结果"]
    assert _header(ws) == ["文档", "规则", "规则说明", "对象", "结果", "级别", "应为", "实际", "差额", "容差", "证据(数值与行/页)",
                           "涉及金额(万元)", "发现", "同一事实"]
    assert ws.max_row == len(checks) + 1
    assert {ws.cell(i, 5).value for i in range(2, ws.max_row + 1)} == {"通过", "不符", "无法判断"}
    exp = _column(ws, "应为")
    assert ws.cell(2, exp).number_format == "#,##0.00"
    assert ws.cell(2, exp).value == pytest.approx(checks.iloc[0]["expected"])


def test_findings_sheet_opens_with_sentences_ranked_by_severity_then_amount(workbook):
    wb, checks, _ = workbook
    ws = wb["发现汇总"]
    assert _header(ws)[:4] == ["发现", "级别", "涉及金额(万元)", "规则"]
    failed = checks[checks["status"] == "fail"]
    n_groups = failed["fact"].where(failed["fact"] != "", failed.index.astype(str)).nunique()
    assert ws.max_row == n_groups + 1 < len(failed) + 1  # the same fact in several places is one row
    levels = [ws.cell(i, 2).value for i in range(2, ws.max_row + 1)]
    amounts = [ws.cell(i, 3).value for i in range(2, ws.max_row + 1)]
    order = {"错误": 0, "警告": 1, "提示": 2}
    keys = [(order[lv], -a) for lv, a in zip(levels, amounts, strict=True)]
    assert keys == sorted(keys)
    assert ws.cell(2, 1).value.startswith("自评报告写“弥补工伤保险基金缺口73万”")  # the seed's one error first
    top = ws.cell(levels.index("警告") + 2, 1).value  # then the largest warning, as a sentence with amounts and pages
    assert top.startswith("项目自评资金 21,468.30 万元，是一般公共预算项目支出 275.77 万元的 77.8 倍") and top.endswith("（第16、21页）。")
    rows = {(ws.cell(i, 4).value, ws.cell(i, 5).value): i for i in range(2, ws.max_row + 1)}
    i = rows[("L05", "三公.公务接待费 = 基本支出同名科目")]
    assert ws.cell(i, _column(ws, "应为")).value == 12.09 and ws.cell(i, _column(ws, "实际")).value == 15.29
    assert ws.cell(i, 3).value == pytest.approx(3.2) and ws.cell(i, 3).number_format == "#,##0.00"
    assert "行387" in ws.cell(i, _column(ws, "证据(数值与行/页)")).value
    assert ws.cell(i, 1).fill.fgColor.rgb.endswith("FFF3CD")  # warnings shaded


def test_catalogue_sheet_counts(workbook):
    wb, checks, _ = workbook
    ws = wb["规则目录"]
    assert _header(ws)[:6] == ["规则", "规则说明", "公式", "级别", "容差", "所需表"]
    by_id = {ws.cell(i, 1).value: i for i in range(2, ws.max_row + 1)}
    assert len(by_id) == checks["rule_id"].nunique()
    i = by_id["P11"]
    assert ws.cell(i, _column(ws, "不符")).value == 1 and ws.cell(i, _column(ws, "最严重级别")).value == "警告"


def test_table_sheets_match_frames(workbook):
    wb, _, d = workbook
    ws = wb["说明数字"]
    assert ws.max_row == len(d.figures) + 1
    value, line = _column(ws, "数值"), _column(ws, "行号")
    assert ws.cell(2, value).number_format == "#,##0.00" and ws.cell(2, line).number_format == "0"
    assert ws.cell(2, value).value == pytest.approx(float(d.figures.iloc[0]["value"]))
    li = wb["基本支出明细"]
    assert _header(li) == [
        "文档", "行号", "页码", "类别", "事项", "金额(万元)", "是否合计", "读取方式", "识别置信度"
    ]
    amounts = [li.cell(i, 6).value for i in range(2, li.max_row + 1)]
    assert amounts == pytest.approx(d.line_items["amount_wan"].tolist())
    pr = wb["项目自评"]
    assert pr.cell(2, _column(pr, "项目名称")).value == d.projects.iloc[0]["project_name"]
    assert pr.max_row == len(d.projects) + 1


def test_main_writes_beside_reports_atomically(tmp_path):
    assert export.main([str(SEED)], tmp_path) == 0
    target = tmp_path / "2023-tongcheng-renshe" / "2023-tongcheng-renshe-audit.xlsx"
    assert target.exists()
    first = target.stat().st_mtime_ns
    assert export.main([str(SEED)], tmp_path) == 0  # overwrite in place
    assert target.stat().st_mtime_ns >= first
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no temp files left behind
    assert load_workbook(target)["发现汇总"].max_row > 1


def test_main_unusable_input_exit_2(tmp_path, capsys):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    assert export.main([str(bad)], tmp_path) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_failed_write_leaves_previous_workbook(tmp_path, seed, monkeypatch):
    target = tmp_path / "a.xlsx"
    checks = run_checks(seed)
    export.write_workbook(seed, checks, target)
    before = target.read_bytes()

    def boom(self, filename):
        raise OSError("disk full")

    monkeypatch.setattr("openpyxl.workbook.workbook.Workbook.save", boom)
    with pytest.raises(OSError):
        export.write_workbook(seed, checks.iloc[:0], target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


def test_empty_checks_and_tables_still_valid(tmp_path, seed):
    empty = pd.DataFrame(columns=run_checks(seed).columns)
    path = export.write_workbook(seed, empty, tmp_path / "e.xlsx")
    wb = load_workbook(path)
    assert wb["发现汇总"].max_row == 1 and wb["决算表"].max_row == 1


def test_passing_checks_show_no_severity(workbook):
    wb, checks, _ = workbook
    ws = wb["检查结果"]
    status, level = _column(ws, "结果"), _column(ws, "级别")
    shown = {(ws.cell(i, status).value, ws.cell(i, level).value) for i in range(2, ws.max_row + 1)}
    assert {lv for st, lv in shown if st == "通过"} == {None}  # a pass never reads as a failure of its level
    assert {lv for st, lv in shown if st == "不符"} == {"错误", "警告", "提示"}
    assert not any("(actual)" in str(ws.cell(i, _column(ws, "对象")).value) for i in range(2, ws.max_row + 1))


def test_evidence_wraps(workbook):
    wb, _, _ = workbook
    for title, header in [("发现汇总", "发现"), ("发现汇总", "证据(数值与行/页)"), ("检查结果", "证据(数值与行/页)")]:
        ws = wb[title]
        assert ws.cell(2, _column(ws, header)).alignment.wrap_text, (title, header)


def test_analysis_sheets_with_class_and_rule_score(workbook):
    wb, _, d = workbook
    yoy = wb["同比"]
    assert {"分类", "重算比例(%)", "推算基准数(万元)"} <= set(_header(yoy))
    rows = [[c.value for c in r] for r in yoy.iter_rows(min_row=2)]
    item, base, cls = _column(yoy, "事项") - 1, _column(yoy, "推算基准数(万元)") - 1, _column(yoy, "分类") - 1
    total = next(r for r in rows if r[item] == "收支总计")
    assert total[base] == pytest.approx(2603.07) and total[cls] == "一致"
    budget = wb["预决算对比"]
    rows = [[c.value for c in r] for r in budget.iter_rows(min_row=2)]
    item, approx, cls = _column(budget, "事项") - 1, _column(budget, "预算为近似值") - 1, _column(budget, "分类") - 1
    car = next(r for r in rows if r[item] == "公务用车购置及运行费")
    assert car[approx] is True and car[cls] == "大幅低于预算"  # 14.04 worked back from "完成预算的 46%"
    perf = wb["绩效偏差"]
    assert {"分类", "规则得分", "自评得分" if "自评得分" in _header(perf) else "得分"} <= set(_header(perf))
    assert perf.max_row == len(d.indicators) + 1
    classes = {perf.cell(i, _column(perf, "分类")).value for i in range(2, perf.max_row + 1)}
    assert "达成" in classes and "远超目标（≥2 倍）" in classes and "超出目标（≥1.2 倍）" in classes


def test_findings_link_to_their_evidence(workbook):
    wb, checks, d = workbook
    ws = wb["发现汇总"]
    check_col, evidence_col = _column(ws, "检查结果所在行"), _column(ws, "证据所在行")
    first = ws.cell(2, check_col).hyperlink.location  # the seed's error: its row in 检查结果
    row = int(first.rsplit("A", 1)[1])
    assert first.startswith("'检查结果'!A")
    assert wb["检查结果"].cell(row, _column(wb["检查结果"], "发现")).value == ws.cell(2, 1).value
    target = ws.cell(2, evidence_col).hyperlink.location
    sheet, cell = target.rsplit("!", 1)
    evidence_ws = wb[sheet.strip("'")]
    line = evidence_ws.cell(int(cell[1:]), _column(evidence_ws, "行号")).value
    assert f"行{line}" in ws.cell(2, _column(ws, "证据(数值与行/页)")).value


def test_nine_tables_as_printed(tmp_path):
    import juesuan

    d = juesuan.load(DATA_RAW / "2024-shanghai-putuo-caizhengju.pdf")
    wb = load_workbook(export.write_workbook(d, run_checks(d), tmp_path / "sh.xlsx"))
    ws = wb["表1 收入支出决算总表"]
    assert _header(ws) == ["收入·项目", "收入·决算数", "支出·项目", "支出·决算数", "页码", "行号"]
    first = [c.value for c in ws[2]]
    assert first == ["一、一般公共预算财政拨款收入", 2940.05, "一、一般公共服务支出", 2106.66, 6, 87]  # one printed row
    ws = wb["表3 支出决算表"]
    assert _header(ws)[:5] == ["科目编码", "项目", "本年支出合计", "基本支出", "项目支出"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["行政运行"][:5] == ("2010601", "行政运行", 1511.89, 1503.52, 8.37)
    assert "表7 政府性基金预算财政拨款收入支出决算表" not in wb.sheetnames  # not printed with values
    assert wb["决算表"].max_row == len(d.statements) + 1  # the tidy cell list stays


def test_warnings_sheet_in_chinese(workbook):
    wb, _, d = workbook
    ws = wb["解析警告"]
    col = _column(ws, "说明")
    texts = [ws.cell(i, col).value for i in range(2, ws.max_row + 1)]
    assert len(texts) == len(d.warnings)
    assert "“万元”前缺少金额，未记录：…基金预算财政拨款年初结转和结余万元…" in texts
    assert "内容(英文,开发者用)" in _header(ws)
