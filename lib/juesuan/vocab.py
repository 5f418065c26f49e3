"""Template vocabulary as data: the words the performance forms print, shared by the reader and the grammar."""

from __future__ import annotations

LEVEL1 = ["产出指标", "效益指标", "满意度指标", "成本指标", "过程指标", "决策指标", "管理指标"]
LEVEL2 = [
    "数量指标", "质量指标", "时效指标", "成本指标", "经济成本指标", "社会成本指标", "生态环境成本指标",
    "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标", "可持续性影响指标",
    "服务对象满意度指标", "满意度指标", "服务对象满意度",
]  # fmt: skip
# Header words of a performance form. A ruled grid holding one (or an indicator label: a form continued
# from the previous page prints no header) is read row by row.
FORM_WORDS = ["三级指标", "一级指标", "项目名称", "年度目标", "年度绩效目标", "绩效指标", "偏差大或目标未完成原因",
              "偏差原因分析", *LEVEL1, *LEVEL2]
