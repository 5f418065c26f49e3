"""The national 财预〔2020〕10号 and Sichuan project forms drawn as ruled tables (weasyprint): read from their
grid, they give the rows the text grammar gives for the same form written as text (tests/test_grammar.py),
and a 偏差原因 that wraps inside its own cell is that row's, with no guess to warn about."""

from __future__ import annotations

from html import escape

from juesuan.extract.performance import extract_performance
from juesuan.read.pdf import read_pdf
from pdfcorpus.html import render

CSS = """@page { size: A4; margin: 15mm; } body { font-family: 'AR PL SungtiL GB', 'Droid Sans Fallback'; font-size: 9pt; }
table { border-collapse: collapse; table-layout: fixed; width: 100%; }
td { border: 0.75pt solid #000; padding: 1.5pt; vertical-align: middle; text-align: center; overflow-wrap: anywhere; }"""


def _row(*cells: str | tuple[str, int, int]) -> str:
    out = []
    for c in cells:
        text, colspan, rowspan = (c, 1, 1) if isinstance(c, str) else c
        out.append(f'<td colspan="{colspan}" rowspan="{rowspan}">{escape(text)}</td>')
    return "<tr>" + "".join(out) + "</tr>"


NATIONAL_ROWS = [  # 一级, 二级, 三级, 指标值, 完成值, 分值, 得分, 偏差原因
    ("产出指标", "数量指标", "养护里程", "≥200公里", "180公里", "20", "18", "部分路段因汛期推迟施工，下年度优先安排"),
    ("产出指标", "质量指标", "路面合格率", "≥90%", "95%", "15", "15", ""),
    ("产出指标", "时效指标", "完成时限", "12月底前", "12月底前", "5", "5", ""),
    ("成本指标", "经济成本指标", "每公里养护成本", "≤1万元", "1万元", "10", "10", ""),
    ("效益指标", "社会效益指标", "群众出行条件", "明显改善", "明显改善", "30", "30", ""),
    ("满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥90%", "93%", "10", "8.5", "个别路段施工扰民"),
]


def _national_html() -> str:
    cols = "".join(f'<col style="width:{w}%">' for w in (7, 9, 11, 16, 11, 11, 7, 7, 21))
    rows = [
        _row(("项目名称", 2, 1), ("农村公路养护", 7, 1)),
        _row(("主管部门", 2, 1), ("某县交通运输局", 3, 1), "实施单位", ("某县公路事务中心", 3, 1)),
        _row(("项目资金（万元）", 2, 1), "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", ("得分", 2, 1)),
        _row(("年度资金总额", 2, 1), "200", "200", "180", "10", "90%", ("9", 2, 1)),
    ]
    rows.append(_row(("年度总体目标", 1, 2), ("预期目标", 4, 1), ("实际完成情况", 4, 1)))
    rows.append(_row(("完成农村公路养护200公里", 4, 1), ("完成养护180公里", 4, 1)))
    head = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    rows.append(_row(("绩效指标", 1, len(NATIONAL_ROWS) + 1), *head))
    level1 = [r[0] for r in NATIONAL_ROWS]
    for i, r in enumerate(NATIONAL_ROWS):
        first = i == 0 or level1[i - 1] != r[0]
        span = sum(1 for _ in filter(lambda x: x == r[0], level1)) if first else 0
        cells = ([(r[0], 1, span)] if first else []) + list(r[1:])
        rows.append(_row(*cells))
    rows.append(_row(("总分", 6, 1), "100", "95.5", ""))
    return f"<p>项目支出绩效自评表</p><p>（2023年度）</p><table><colgroup>{cols}</colgroup>{''.join(rows)}</table>"


def test_national_form_from_its_grid(tmp_path):
    path = tmp_path / "national.pdf"
    render(_national_html(), path, CSS)
    source = read_pdf(path)
    tables, _, warns = extract_performance(source.lines, 0, len(source.lines), "x")
    project = tables["projects"][0]
    assert {k: project[k] for k in ("project_name", "competent_dept", "implementing_unit", "initial_budget_wan", "budget_wan",
                                    "executed_wan", "exec_rate_pct", "exec_weight", "exec_score", "total_score")} == {
        "project_name": "农村公路养护", "competent_dept": "某县交通运输局", "implementing_unit": "某县公路事务中心",
        "initial_budget_wan": 200, "budget_wan": 200, "executed_wan": 180, "exec_rate_pct": 90, "exec_weight": 10,
        "exec_score": 9, "total_score": 95.5}
    got = [(r["level1"], r["level2"], r["level3"], r["target_raw"], r["actual_raw"], r["weight"], r["score"], r["deviation"])
           for r in tables["indicators"]]
    assert got == [(a, b, c, d, e, float(f), float(g), h or None) for a, b, c, d, e, f, g, h in NATIONAL_ROWS]
    assert all(r["page"] == 1 for r in tables["indicators"])
    assert warns == []  # the 偏差原因 wrapped inside its own cell: no assignment by position to warn about


SICHUAN_ROWS = [  # 一级, 二级, 三级, 指标性质, 指标值, 度量单位, 完成值, 权重, 得分
    ("产出指标", "数量指标", "救助人次", "≥", "3000", "人次", "3200", "40", "40"),
    ("成本指标", "经济成本指标", "人均救助标准", "≤", "1500", "元", "1450", "30", "30"),
    ("满意度指标", "服务对象满意度指标", "救助对象满意度", "≥", "90", "%", "88", "20", "19.6"),
]


def _sichuan_html() -> str:
    cols = "".join(f'<col style="width:{w}%">' for w in (10, 12, 18, 8, 10, 9, 11, 10, 12))
    head = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分"]
    rows = [
        _row(("项目名称", 2, 1), ("城乡居民医疗救助", 7, 1)),
        _row(("预算执行情况（万元）（10分）", 3, 1), ("预算数", 2, 1), "执行数", ("执行率", 2, 1), "得分"),
        _row(("年度资金总额", 3, 1), ("500", 2, 1), "480", ("96%", 2, 1), "9.6"),
        _row(*head),
        *(_row(*r) for r in SICHUAN_ROWS),
        _row(("总分", 8, 1), "99.2"),
    ]
    return f"<table><colgroup>{cols}</colgroup>{''.join(rows)}</table>"


def test_sichuan_form_from_its_grid(tmp_path):
    path = tmp_path / "sichuan.pdf"
    render(_sichuan_html(), path, CSS)
    source = read_pdf(path)
    tables, _, warns = extract_performance(source.lines, 0, len(source.lines), "x")
    project = tables["projects"][0]
    assert (project["budget_wan"], project["executed_wan"], project["exec_weight"], project["exec_score"],
            project["total_score"]) == (500, 480, 10, 9.6, 99.2)
    got = [(r["level3"], r["target_op"], r["target_value"], r["target_unit"], r["actual_value"], r["weight"], r["score"])
           for r in tables["indicators"]]
    assert got == [(c, op, float(v), u, float(a), float(w), float(s)) for _, _, c, op, v, u, a, w, s in SICHUAN_ROWS]
    assert warns == []
