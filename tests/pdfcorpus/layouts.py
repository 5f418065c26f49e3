"""The seed's projects in two other template layouts, as one row model drawn twice: as a ruled HTML form
(for weasyprint) and as the text lines an extraction of that form gives (its "text twin", which the text
path reads and whose result is the expected one).

- national 财预〔2020〕10号: 年初/全年预算数, 分值 per row, 偏差原因分析及改进措施 per row, 总分 with 分值 and 得分;
- Sichuan: 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分, the 执行率 weight in the budget header.
The 执行率 weight is 20 and each indicator's weight is its score, so the seed's full-mark scores add up to 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from itertools import groupby

from .content import Indicator, ProjectForm, fixture, seed_layout

EXEC_WEIGHT = "20"
DASH = "—"


@dataclass
class C:
    """A cell: text and its span."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    left: bool = False


Row = list[C]


def _spans(indicators: list[Indicator]) -> list[Row]:
    """一级 merged over its run, 二级 over a run of the same label; the rest filled in by the layout."""
    rows: list[Row] = [[] for _ in indicators]
    i = 0
    for _, run1 in groupby(indicators, key=lambda x: x.level1):
        run1 = list(run1)
        rows[i].append(C(run1[0].level1, rowspan=len(run1)))
        j = i
        for _, run2 in groupby(run1, key=lambda x: x.level2):
            run2 = list(run2)
            rows[j].append(C(run2[0].level2, rowspan=len(run2)))
            j += len(run2)
        i += len(run1)
    return rows


def _rate(p: ProjectForm) -> str:
    return f"{float(p.exec_rate):g}%"


def national(p: ProjectForm, outputs: str) -> tuple[str, list[int], list[Row]]:
    """Title, column widths (percent) and rows of the 财预〔2020〕10号 project form."""
    rows: list[Row] = [
        [C("项目名称", 2), C(p.name, 7)],
        [C("主管部门", 2), C(p.competent_dept, 3), C("实施单位"), C(p.implementing_unit, 3)],
        [
            C("项目资金（万元）", 2, 5),
            C(""),
            *map(C, ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")),
        ],
        [
            C("年度资金总额"),
            C(p.budget),
            C(p.budget),
            C(p.executed),
            C(EXEC_WEIGHT),
            C(_rate(p)),
            C(p.exec_score),
        ],
        [C("其中：当年财政拨款"), C(p.budget), C(p.budget), C(p.executed), C(DASH), C(DASH), C(DASH)],
        [C("上年结转资金"), *(C(DASH) for _ in range(6))],
        [C("其他资金"), *(C(DASH) for _ in range(6))],
        [C("年度总体目标", 2, 2), C("预期目标", 3), C("实际完成情况", 4)],
        [C(outputs, 3, left=True), C(outputs, 4, left=True)],
    ]
    head = (
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    )
    rows.append([C("绩效指标", 1, len(p.indicators) + 1), *map(C, head)])
    reason = "" if p.deviation == "无" else p.deviation
    for k, (cells, ind) in enumerate(zip(_spans(p.indicators), p.indicators, strict=True)):
        cells += [C(ind.level3, left=True), C(ind.target), C(ind.actual), C(ind.score), C(ind.score)]
        rows.append(cells + [C(reason if k == 0 else "", left=True)])
    rows.append([C("总分", 6), C("100"), C(p.total_score), C("")])
    return "项目支出绩效自评表", [6, 6, 10, 16, 10, 10, 6, 6, 30], rows


def sichuan(p: ProjectForm, outputs: str) -> tuple[str, list[int], list[Row]]:
    """Title, column widths (percent) and rows of the Sichuan project form."""
    rows: list[Row] = [
        [C("项目名称", 2), C(p.name, 8)],
        [C("主管部门", 2), C(p.competent_dept, 3), C("实施单位", 2), C(p.implementing_unit, 3)],
        [
            C(f"预算执行情况（万元）（{EXEC_WEIGHT}分）", 2, 2),
            C("", 2),
            C("预算数", 2),
            C("执行数", 2),
            C("执行率"),
            C("得分"),
        ],
        [C("年度资金总额", 2), C(p.budget, 2), C(p.executed, 2), C(_rate(p)), C(p.exec_score)],
    ]
    head = ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分")
    rows.append([C("绩效指标", 1, len(p.indicators) + 1), *map(C, head)])
    for cells, ind in zip(_spans(p.indicators), p.indicators, strict=True):
        if ind.target_value:
            nature, value, unit = ind.target_op or "=", ind.target_value, ind.target_unit
            done = ind.actual_value or ind.actual
        else:
            nature, value, unit, done = "定性", ind.target, "", ind.actual
        cells += [C(ind.level3, left=True), C(nature), C(value), C(unit), C(done), C(ind.score), C(ind.score)]
        rows.append(cells)
    rows.append([C("总分", 9), C(p.total_score)])
    return f"{p.name}项目支出绩效自评表", [5, 7, 11, 24, 7, 11, 7, 12, 8, 8], rows


LAYOUTS = {"national": national, "sichuan": sichuan}


def html_form(title: str, widths: list[int], rows: list[Row]) -> str:
    cols = "".join(f'<col style="width:{w}%">' for w in widths)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{f' colspan={c.colspan}' if c.colspan > 1 else ''}{f' rowspan={c.rowspan}' if c.rowspan > 1 else ''}"
            f"{' class=l' if c.left else ''}>{escape(c.text)}</td>"
            for c in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<h3>{escape(title)}</h3><table><colgroup>{cols}</colgroup><tbody>{body}</tbody></table>"


def text_lines(title: str, rows: list[Row]) -> list[str]:
    """The form as a text extraction gives it: one line per row, its cells' text in order, spaces between."""
    return [title] + [" ".join(c.text for c in row if c.text) for row in rows]


N_PROJECTS = 6  # enough for every indicator shape; keeps the render short


def forms(layout: str) -> list[tuple[str, list[int], list[Row]]]:
    outputs = dict(zip(*fixture("project_outputs.csv")[["project_no", "outputs"]].T.values, strict=True))
    projects = [b for b in seed_layout().blocks if isinstance(b, ProjectForm)][:N_PROJECTS]
    numbers = fixture("projects_*.csv").project_no[:N_PROJECTS]
    return [LAYOUTS[layout](p, outputs[no]) for p, no in zip(projects, numbers, strict=True)]


def narrative() -> list[str]:
    """The seed's parts 一 to 五 (before the performance tables): what makes the document a disclosure."""
    first = seed_layout().blocks[0]
    assert isinstance(first, list)
    return first


def twin(layout: str) -> list[str]:
    """The text twin: the narrative, then each form as text lines."""
    lines = list(narrative())
    for title, _, rows in forms(layout):
        lines += text_lines(title, rows)
    return lines
