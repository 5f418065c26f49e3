"""Display labels and number formats: the one place where the code's vocabulary becomes the reader's Chinese.

Why one module: a report, the workbook and the index pages must call a table, a measure, a scope or a rule by
the same Chinese name, and never show the English identifiers the code uses (`income_expenditure`, `actual`,
`department`). Parser warnings are written in English for developers; `warning_text` gives each a Chinese
sentence at display time (the English stays in the data). Numbers are formatted as an auditor expects:
thousands separators, counts without decimals, percentages with their basis, 0/0 as "—".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from . import config
from .schemas import TABLE_CODES

DASH = "—"  # a value that is not there, or a ratio of nothing to nothing

# ---------------------------------------------------------------------------------------------- vocabulary

TABLES: dict[str, str] = {  # tidy tables (juesuan.model.TABLES)
    "document": "文档信息",
    "units": "预算单位",
    "figures": "情况说明数字",
    "line_items": "基本支出明细",
    "projects": "项目自评表",
    "project_outputs": "项目产出",
    "department_goals": "部门整体目标",
    "indicators": "绩效指标",
    "statements": "决算表单元格",
    "warnings": "解析警告",
    "checks": "检查结果",
}

SHEETS: dict[str, str] = {  # tidy table → workbook sheet name (Excel allows ≤ 31 characters)
    "document": "文档信息",
    "units": "预算单位",
    "figures": "说明数字",
    "line_items": "基本支出明细",
    "projects": "项目自评",
    "project_outputs": "项目产出",
    "department_goals": "部门整体目标",
    "indicators": "绩效指标",
    "statements": "决算表",
    "warnings": "解析警告",
}

COLUMNS: dict[str, str] = {  # tidy column → workbook/CSV header (the checks' own: checks.schema.HEADERS)
    "source_line": "行号",
    "page": "页码",
    "department": "部门",
    "year": "年度",
    "source_path": "源文件",
    "source_kind": "文件类型",
    "sha256": "SHA-256",
    "n_lines": "行数",
    "n_pages": "页数",
    "parser_version": "解析器版本",
    "parts_found": "已识别部分",
    "parts_missing": "缺失部分",
    "sections_found": "已识别节",
    "sections_missing": "缺失节",
    "tables_found": "已识别决算表",
    "tables_absent": "缺失决算表",
    "tables_empty": "无数据决算表(空表说明)",
    "image_pages": "图片页",
    "n_warnings": "警告数",
    "dept_basic_wan": "部门整体自评表基本支出总额(万元)",
    "dept_project_wan": "部门整体自评表项目支出总额(万元)",
    "dept_budget_wan": "部门整体预算数(万元)",
    "dept_executed_wan": "部门整体执行数(万元)",
    "dept_exec_rate_pct": "部门整体执行率(%)",
    "dept_exec_score": "部门整体执行得分",
    "dept_total_score": "部门整体自评总分",
    "dept_grade": "说明所述部门整体评价等级",
    "dept_grade_line": "等级所在行",
    "unit_no": "序号",
    "unit_name": "单位名称",
    "section": "节",
    "item": "事项",
    "measure": "口径",
    "value": "数值",
    "unit": "单位",
    "group": "类别",
    "amount_wan": "金额(万元)",
    "is_total": "是否合计",
    "project_no": "项目序号",
    "project_name": "项目名称",
    "competent_dept": "主管部门",
    "implementing_unit": "实施单位",
    "category": "项目类别",
    "attribute": "项目属性",
    "project_type": "项目类型",
    "budget_wan": "预算数(万元)",
    "initial_budget_wan": "年初预算数(万元)",
    "exec_weight": "执行率分值",
    "executed_wan": "执行数(万元)",
    "exec_rate_pct": "执行率(%)",
    "exec_score": "执行率得分",
    "total_score": "总分",
    "deviation_reason": "偏差原因",
    "improvement": "改进措施",
    "exec_pct": "完成预算(%)",
    "outputs": "主要产出和效益",
    "problems": "问题及原因",
    "next_steps": "下一步措施",
    "goal_no": "目标序号",
    "goal_points": "目标分值",
    "goal_text": "目标内容",
    "scope": "范围",
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "target_raw": "目标值(原文)",
    "target_op": "目标运算符",
    "target_value": "目标值",
    "target_unit": "目标单位",
    "actual_raw": "完成值(原文)",
    "actual_op": "完成运算符",
    "actual_value": "完成值",
    "actual_unit": "完成单位",
    "score": "得分",
    "weight": "分值",
    "deviation": "偏差原因分析及改进措施",
    "table_code": "表代码",
    "table_title": "表名",
    "panel": "栏",
    "row_label": "行",
    "subject_code": "科目编码",
    "level": "科目级次",
    "column": "列",
    "unit_printed": "印刷单位",
    "stage": "阶段",
    "message": "内容",
    "source": "读取方式",
    "confidence": "识别置信度",
    "formula": "公式",
    "tables": "所需表",
    "pass": "通过",
    "fail": "不符",
    "not_assessable": "无法判断",
    "worst": "最严重级别",
    "tolerance_text": "容差",
}

STATEMENTS: dict[
    str, str
] = {  # the nine standard tables (schemas.TABLE_CODES), numbered as the template prints them
    "income_expenditure": "表1 收入支出决算总表",
    "income": "表2 收入决算表",
    "expenditure": "表3 支出决算表",
    "fiscal_income_expenditure": "表4 财政拨款收入支出决算总表",
    "general_budget_expenditure": "表5 一般公共预算财政拨款支出决算表",
    "general_budget_basic": "表6 一般公共预算财政拨款基本支出决算表",
    "gov_fund": "表7 政府性基金预算财政拨款收入支出决算表",
    "state_capital": "表8 国有资本经营预算财政拨款支出决算表",
    "three_public": "表9 财政拨款“三公”经费支出决算表",
}

MEASURES: dict[str, str] = {  # figures.measure
    "actual": "决算数",
    "prior_change": "比上年增减",
    "change_pct": "增减幅度",
    "share_pct": "占比",
    "budget": "年初预算数",
    "exec_pct": "完成预算比例",
    "budget_change": "比年初预算增减",
    "count": "数量",
    "budget_full": "全年预算数",
    "budget_adjusted": "调整预算数",
}

SCOPES: dict[str, str] = {"department": "部门整体", "project": "项目"}

CLASSES: dict[str, str] = {
    "met": "达成",
    "exceeded": "超出目标",
    "missed": "未完成",
    "qualitative": "定性/不可衡量",
}

DIRECTIONS: dict[str, str] = {
    "higher": "正向（越高越好）",
    "lower": "反向（越低越好）",
    "equal": "等于目标值",
}

STATUSES: dict[str, str] = {"pass": "通过", "fail": "不符", "not_assessable": "无法判断"}

SEVERITIES: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}

SOURCE_KINDS: dict[str, str] = {"text": "文本", "pdf": "PDF"}

WEIGHT_SOURCES: dict[str, str] = {
    "table": "表中印有",
    "self_score": "取自评得分",
    "self_score+shortfall": "自评得分加分摊扣分",
    "scaled": "按比例缩放",
}

MATCHES: dict[str, str] = {"matched": "匹配", "renamed": "更名", "new": "新增", "dropped": "取消"}

STAGES: dict[str, str] = {  # warnings.stage
    "read": "读取",
    "read:ocr": "文字识别",
    "segment": "分段",
    "validate": "校验",
    "export": "导出",
    "extract:figures": "情况说明数字",
    "extract:statements": "决算表",
    "extract:projects": "项目自评表",
    "extract:indicators": "绩效指标",
    "extract:department_goals": "部门整体目标",
    "extract:units": "预算单位",
    "extract:line_items": "基本支出明细",
    "extract:project_outputs": "项目产出",
}

PARTS: dict[str, str] = {  # segment.PART_KEYS, the other way round
    "overview": "概况",
    "tables": "决算表",
    "explanation": "情况说明",
    "other": "其他需要说明",
    "glossary": "名词解释",
    "attachments": "附件",
}


def deviation_class(classification: object, level: object) -> str:
    """The class an indicator is shown under: 超出目标 from `DEVIATION_WARN`, 远超目标 from
    `DEVIATION_EXPLAIN` (the threshold rule P07 and the 偏差原因 requirement use), 目标明显偏低 from
    `DEVIATION_STRONG`."""
    if classification == "exceeded":
        if level == "strong":
            return f"远超目标（≥{config.DEVIATION_STRONG:g} 倍）"
        if level == "explain":
            return f"远超目标（≥{config.DEVIATION_EXPLAIN:g} 倍）"
        return f"超出目标（≥{config.DEVIATION_WARN:g} 倍）"
    return CLASSES.get(str(classification), str(classification or ""))


def rule(rule_id: object) -> str:
    """A rule's Chinese description from the catalogue (its id when unknown)."""
    # lazy: juesuan.checks imports pandera's typing (about 0.4 s), paid only by callers that check
    from .checks.catalogue import RULES

    r = RULES.get(str(rule_id))
    return r.description if r else str(rule_id)


def codes(text: object, mapping: dict[str, str], sep: str = "；") -> str:
    """A `；`-joined list of codes (document.tables_found, parts_missing…) as Chinese labels."""
    if missing(text) or not str(text).strip():
        return ""
    parts = [p for p in re.split(r"[；;,，]\s*", str(text)) if p]
    return sep.join(mapping.get(p, p) for p in parts)


_CODE_IN_TEXT = re.compile(r"\((" + "|".join(sorted(MEASURES, key=len, reverse=True)) + r")\)")


def plain(text: str) -> str:
    """Text the code composed (a check's subject, say) with a measure code in brackets as its Chinese label:
    "支出(actual)重述" → "支出（决算数）重述"."""
    return _CODE_IN_TEXT.sub(lambda m: f"（{MEASURES[m.group(1)]}）", text) if "(" in text else text


# ---------------------------------------------------------------------------------------------- numbers


def missing(value: Any) -> bool:
    """None, NaN, NaT and pandas.NA alike (NA has no truth value)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        import pandas as pd

        return bool(pd.isna(value)) if pd.api.types.is_scalar(value) else False
    except (TypeError, ValueError):
        return False


def shown(value: Any) -> bool:
    """A number worth printing: not missing, not infinite (a ratio over a zero target)."""
    return not missing(value) and math.isfinite(float(value))


def amount(value: Any, digits: int = 2, approx: bool = False) -> str:
    """16,800.00 (万元 amounts are printed to 0.01); "—" when missing; "≈" before a value that is not
    exact."""
    if not shown(value):
        return DASH
    text = f"{float(value):,.{digits}f}"
    return f"≈{text}" if approx else text


def value(v: Any) -> str:
    """A number of a mixed column (a check's 应为 / 实际: amounts, counts, scores, percentages) as printed:
    4,824 for a whole number, 2,547.21 otherwise."""
    if not shown(v):
        return DASH
    f = float(v)
    return f"{int(round(f)):,}" if abs(f - round(f)) < 1e-9 else f"{f:,.2f}"


def count(value: Any, unit: str = "") -> str:
    """4,824 份: a count has no decimals."""
    if not shown(value):
        return DASH
    v = float(value)
    text = f"{int(round(v)):,}" if abs(v - round(v)) < 1e-9 else f"{v:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".rstrip() if unit else text


def pct(value: Any, digits: int = 1, basis: str = "") -> str:
    """62.2%, or 62.2%（占上年）with its basis; "—" when missing."""
    if not shown(value):
        return DASH
    text = f"{float(value):,.{digits}f}%"
    return f"{text}（{basis}）" if basis else text


def ratio(num: Any, den: Any, digits: int = 1, as_pct: bool = True) -> str:
    """num ÷ den as a percentage (or a multiple): 0/0 and x/0 are "—", never 0.0%."""
    if missing(num) or missing(den) or float(den) == 0:
        return DASH
    v = float(num) / float(den)
    return f"{v * 100:,.{digits}f}%" if as_pct else f"{v:,.{digits}f} 倍"


def score(value: Any) -> str:
    """Scores as printed: 20, 19.5, 18.25."""
    if not shown(value):
        return DASH
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def size(n_bytes: Any) -> str:
    """A file size as a reader says it: 212 KB, 1.6 MB."""
    n = 0 if missing(n_bytes) else float(n_bytes)
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} KB"


def pages(values: Iterable[Any]) -> str:
    """Page numbers as a reader cites them: "3、5–7、12" (missing ones dropped)."""
    ps = sorted({int(v) for v in values if not missing(v)})
    runs: list[str] = []
    i = 0
    while i < len(ps):
        j = i
        while j + 1 < len(ps) and ps[j + 1] == ps[j] + 1:
            j += 1
        runs.append(str(ps[i]) if i == j else f"{ps[i]}–{ps[j]}")
        i = j + 1
    return "、".join(runs)


def cite(page_values: Iterable[Any] | Any, line: Any = None) -> str:
    """ "第 12 页" (or "第 3、5–7 页"), with "第 322 行" when one line is given; "" when no page is known."""
    values = (
        page_values
        if isinstance(page_values, Iterable) and not isinstance(page_values, str)
        else [page_values]
    )
    values = [v for v in values if not missing(v)]
    where = pages(values)
    if where.count("、") >= 4:  # a whole table's pages: its span, not a list of runs
        where = f"{int(min(values))}–{int(max(values))}"
    if not where:
        return f"第 {int(line)} 行" if not missing(line) else ""
    text = f"第 {where} 页"
    return f"{text}，第 {int(line)} 行" if not missing(line) else text


# ------------------------------------------------------------------------------------- parser warnings

_Q = r"['\"]?(.*?)['\"]?"  # a value the message quotes with repr()

# English message pattern (as the parser writes it) → Chinese. Groups are reused in order ({0}, {1}, …); a
# message no pattern knows gets a general sentence (the English is kept for developers, never shown as text).
WARNINGS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.S), zh)
    for p, zh in [
        (r"^amount missing before 万元: (.*)$", "“万元”前缺少金额，未记录：{0}"),
        (r"^figure printed without a unit, not recorded: (.*)$", "数字未印单位，未记录：{0}"),
        (
            r"^direction of change unclear \(增加/减少 both printed\): (.*)$",
            "同时印有“增加”和“减少”，增减方向不明，未记录：{0}",
        ),
        (
            r"^table (.+?) has a title but its cells are not read from text input .*?: reported"
            r" absent, not zero$",
            "{0}有标题，但文本输入无法读取其单元格（原文可能为图片，或需按 PDF 版式对齐）：按“缺失”处理，"
            "不按零计",
        ),
        (
            r"^table (.+?) has a title but no data in the text layer .*?: reported absent, not zero$",
            "{0}有标题，但 PDF 文字层中没有数据（可能为图片或缺失）：按“缺失”处理，不按零计",
        ),
        (
            r"^table (.+?) is printed with its headers but no values and no 无数据 note: reported empty$",
            "{0}只印了表头，没有数值，也没有“本表无数据”说明：按空表处理",
        ),
        (r"^table (.+?) appears twice; both read$", "{0}出现两次，两次均已读取"),
        (r"^table title without a ruled grid, not read: (.*)$", "表格标题下没有表格线，未读取：{0}"),
        (r"^none of the nine standard tables found$", "未找到九张决算表中的任何一张"),
        (
            r"^part missing: (.+?) \(truncated or partial disclosure\?\)$",
            "缺少“{0}”部分（公开文本可能不完整）",
        ),
        (
            r"^no page breaks or printed page numbers found: every line is reported on page 1$",
            "文本没有分页符，也没有印刷页码：所有行均记为第 1 页",
        ),
        (r"^text is Big5 .*$", "文本为繁体（Big5）编码：已转换为简体读取，引用的证据为转换后的文字"),
        (
            r"^(\d+) lines had their numbers printed on the next line .*$",
            "{0} 行的数字被提取工具放到了下一行，已按顺序接回",
        ),
        (
            r"^numbers printed apart from their sentence and not placeable .*?: “(.*)” left out$",
            "一行数字与所属句子分离且无法确定位置，未使用：“{0}”",
        ),
        (
            r"^page is an image without a text layer .*$",
            "该页为图片、没有文字层：其上的表格和文字未读取（可用 --ocr auto 识别）",
        ),
        (r"^page text is garbled .*$", "该页文字为乱码（字体缺少 Unicode 映射），其数字不可信"),
        (
            r"^garbled text layer .*: page read by OCR from its picture instead$",
            "该页文字层为乱码（字体缺少 Unicode 映射）：已改由图片文字识别读取",
        ),
        (
            r"^page lines read by OCR look implausible \((.*)\): check the page$",
            "该页文字识别结果的行排列不合理，请核对原页",
        ),
        (
            r"^page lines look implausible \((.*)\): read in pdfium's text order instead$",
            "该页版面行排列不合理，已改按 PDF 自带的文字顺序读取",
        ),
        (
            r"^page\(s\) (.+?) read by OCR from their picture: .*$",
            "第 {0} 页由图片文字识别读取，每个数值附有置信度",
        ),
        (
            r"^text printed sideways \((\d+)°\) on page\(s\) (.+?): read turned upright$",
            "第 {1} 页文字旋转 {0}° 印刷，已转正读取",
        ),
        (r"^page is an image and OCR is unavailable .*$", "该页为图片，文字识别不可用：未读取"),
        (
            r"^OCR unsure of " + _Q + r" \(confidence ([\d.]+)\) in: (.*)$",
            "文字识别对“{0}”没有把握（置信度 {1}）：{2}",
        ),
        (
            r"^(.+?): OCR unsure of "
            + _Q
            + r" \(confidence ([\d.]+)\) in row "
            + _Q
            + r", column "
            + _Q
            + r", .*$",
            "{0}：文字识别对“{1}”没有把握（置信度 {2}，行“{3}”，列“{4}”），该值未使用",
        ),
        (
            r"^(.+?): OCR read (\S+) in row " + _Q + r", column " + _Q + r", and it fails .*$",
            "{0}：文字识别读出 {1}（行“{2}”，列“{3}”），与表内勾稽关系不符且无其他关系佐证，可能误读或"
            "误印，该值未使用",
        ),
        (
            r"^(.+?): OCR unsure of the label " + _Q + r" .*$",
            "{0}：文字识别对行名“{1}”没有把握，该行数值未使用",
        ),
        (r"^(.+?): no 单位 line found, assuming 万元$", "{0}：未找到“单位”行，按万元读取"),
        (r"^(.+?): no value columns recognised$", "{0}：未识别出数值列，未读取"),
        (r"^(.+?): header and data cells run together, not read$", "{0}：表头与数据连在一起，未读取"),
        (r"^(.+?): not a number: " + _Q + r"$", "{0}：“{1}”不是数字，未读取"),
        (r"^(.+?): number without a row label, not placed$", "{0}：数字没有对应的行名，未放入表中"),
        (r"^(.+?): 三公 cell under " + _Q + r" not placed$", "{0}：“三公”表“{1}”下的单元格无法定位，未放入"),
        (
            r"^(.+?): number (\S+) in a code or name column, not placed$",
            "{0}：数字 {1} 位于科目编码或名称列，未放入",
        ),
        (r"^(.+?): number spans several columns, not placed$", "{0}：数字跨越多列，无法定位，未放入"),
        (
            r"^lone number between indicator rows ignored: (.*)$",
            "绩效指标行之间的孤立数字（可能是页码）已忽略：{0}",
        ),
        (
            r"^text between rows read as the 偏差原因 above it: (.*)$",
            "指标行之间的文字按上一行的“偏差原因”读取：{0}",
        ),
        (
            r"^indicator label may begin with the 偏差原因 above it: (.*)$",
            "该指标名称可能以上一行“偏差原因”的文字开头：{0}",
        ),
        (r"^text not part of any complete indicator row: (.*)$", "不属于任何完整指标行的文字，未读取：{0}"),
        (r"^indicator label looks like it holds other cells: (.*)$", "指标名称中似乎混入了其他单元格：{0}"),
        (
            r"^budget execution row .* not found or not aligned$",
            "未找到预算执行行（预算数/执行数/执行率/得分），或其列未对齐",
        ),
        (r"^project table (\d+): 总分 not found .*$", "第 {0} 个项目自评表：未找到“总分”（表格可能不完整）"),
        (
            r"^project table (\d+): no complete indicator row found$",
            "第 {0} 个项目自评表：没有读到完整的指标行",
        ),
        (
            r"^project table (\d+): 执行率得分 \+ indicator scores = (\S+) but 总分 = (\S+) .*$",
            "第 {0} 个项目自评表：执行率得分加各指标得分为 {1}，但总分为 {2}（可能有行被合并、拆分或遗漏）",
        ),
        (
            r"^project table (\d+): 分值 add up to (\S+), not 100 .*$",
            "第 {0} 个项目自评表：分值合计为 {1}，不是 100（可能有行被合并、拆分或遗漏）",
        ),
        (
            r"^project table (\d+): 主管部门 and 实施单位 both wrapped onto the next line \((.*)\): names"
            r" may be cut$",
            "第 {0} 个项目自评表：主管部门和实施单位都折到下一行（{1}），名称可能不完整",
        ),
        (r"^goal header not understood$", "部门整体自评表的年度目标标题无法识别"),
        (
            r"^(\d+) control characters in (\d+) cells cannot be stored in a workbook .*$",
            "{1} 个单元格中的 {0} 个控制字符无法存入工作簿，已在工作簿中删除（CSV 与 Parquet 表保留原样）",
        ),
    ]
]

GENERIC_WARNING = "解析器对此处没有把握，请对照原文核对"


def warning_text(message: object) -> str:
    """A parser warning in Chinese (the English message is the developer's, kept in the data)."""
    text = "" if missing(message) else str(message)
    for pattern, zh in WARNINGS:
        m = pattern.match(text)
        if m:
            groups = [g if g is not None else "" for g in m.groups()]
            return zh.format(*[STATEMENTS.get(_table_code(g), g) for g in groups])
    return GENERIC_WARNING


def _table_code(title: str) -> str:
    """A canonical table title back to its code, so that a warning names the table by its number (表3 …)."""
    return next((code for code, t in TABLE_CODES.items() if t == title), title)
