"""Template vocabulary as data: units, quote and dash marks, the words the performance forms print; shared by
the reader, the grammars and the checks (display labels live in labels.py)."""

from __future__ import annotations

import re

LEVEL1 = ["产出指标", "效益指标", "满意度指标", "成本指标", "过程指标", "决策指标", "管理指标"]
LEVEL2 = [
    "数量指标", "质量指标", "时效指标", "成本指标", "经济成本指标", "社会成本指标", "生态环境成本指标",
    "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标", "可持续性影响指标",
    "服务对象满意度指标", "满意度指标", "服务对象满意度",
]  # fmt: skip
# Header words of a performance form. A ruled grid holding one (or an indicator label: a form continued
# from the previous page prints no header) is read row by row.
FORM_WORDS = [
    "三级指标",
    "一级指标",
    "项目名称",
    "年度目标",
    "年度绩效目标",
    "绩效指标",
    "偏差大或目标未完成原因",
    "偏差原因分析",
    *LEVEL1,
    *LEVEL2,
]

QUOTES = "“”\"'‘’「」『』"  # quotation marks of any width, dropped when names or titles are matched

# What an empty cell prints (after whitespace is squeezed): a dash of any length, a slash, an ellipsis, a
# cross.
EMPTY_MARKS = frozenset({"", "-", "—", "——", "–", "－", "--", "—-", "/", "…", "……", "*", "x", "X", "×"})

# Money units with their factor to 万元, the unit every amount is stored in. "万": a truncated 万元.
MONEY_FACTORS = {"万元": 1.0, "万": 1.0, "元": 1e-4, "千元": 0.1, "亿元": 1e4}
MONEY_UNITS = ["亿元", "万元", "元", "万"]  # as a narrative figure prints them (千元 only heads a table)
# The note an empty table carries (本表无数据), looked for on its title's page: by the inventory and by
# C02/C03.
EMPTY_NOTE = re.compile(r"本表无数据|故本表无|无.{0,20}(收入|支出|收支).{0,6}(故|,|，)?本表")
# Units of counted things in a narrative figure.
COUNT_UNITS = [
    "台(套)", "万人次", "人次", "批次", "万人", "万份", "个", "辆", "台", "套", "人", "例",
    "份", "家", "户", "批", "次", "项", "场", "件", "笔", "期", "名", "所", "座", "条", "张", "篇",
]  # fmt: skip
# Units a quantity may carry in a target/actual cell (measure words of the template), longest first.
QUANTITY_UNITS = sorted(
    """万元 亿元 元 % ‰ 个 人次 人 万人 万人次 例 份 万份 家 户 批 次 项 场 件 笔 期 名 辆 台(套)
    台 套 座 所 条 张 篇 本 册 分 天 日 工作日 个工作日 小时 个月 月 年 周 万 亿 亩 万亩 公里 千米 米
    平方米 万平方米 立方米 吨 万吨 株 棵 只 头 kg 公斤 km m2 m³
    班次 课时 学时 期次 人/次 单 宗 起 处 间 套/个""".split(),
    key=len,
    reverse=True,
)
