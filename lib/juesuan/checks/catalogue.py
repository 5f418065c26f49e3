"""The rule catalogue in one place: id, Chinese description, formula, severity, tolerance, tables needed.

Also the small lookups the evaluators use to find narrative items by name (`ITEMS`), so that a parser
that names an item differently is fixed here, not in the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..config import CHECKS
from ..model import TABLES
from ..types import Severity

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)

# Tolerance texts shared by many rules (domain.md §3), and the thresholds the texts name: all from
# config.CHECKS.
_C = CHECKS
TOL_SUM = f"max({_C.amount_tolerance:g}, {_C.amount_eps:g}·k) 万元 (k = 分项个数)"
TOL_SAME = f"0 (同一数字重述); ≤{_C.rounding_band:g} 万元的差额降为 info"
TOL_PCT = "按印刷精度: 0.5×10^-d 个百分点 + 金额舍入传递误差"
TOL_SCORE = f"{_C.score_tolerance:g} 分"
TOL_NONE = "—"
_LO, _HI = _C.budget_band_pct
_OVER = f"≥{_C.overachieve_ratio:.0%}"
_POINTS = f"{_C.total_points:g}"
_FLAT = f"{_C.direction_rounding:g}"


@dataclass(frozen=True)
class Rule:
    """One 勾稽 rule. `tables` names the Disclosure tables it needs (`a|b`: either), enforced by the runner:
    one missing makes the rule not_assessable. A table a rule reads only when present is not listed."""

    id: str
    description: str
    formula: str
    severity: Severity
    tolerance: str
    tables: tuple[str, ...]


def _r(id_: str, description: str, formula: str, severity: Severity, tolerance: str, *tables: str) -> Rule:
    assert severity in SEVERITIES, severity
    return Rule(id_, description, formula, severity, tolerance, tables)


RULES_LIST: list[Rule] = [
    # ── narrative sums (情况说明 internal) ─────────────────────────────────────────────
    _r(
        "N01",
        "收入合计等于各收入来源之和",
        "收入合计 = Σ(财政拨款收入, 上级补助收入, 事业收入, 经营收入, 附属单位上缴收入, 其他收入)",
        Severity.ERROR,
        TOL_SUM,
        "figures",
    ),
    _r(
        "N02",
        "支出合计等于各支出构成之和",
        "支出合计 = 基本支出 + 项目支出 + 上缴上级支出 + 经营支出 + 对附属单位补助支出",
        Severity.ERROR,
        TOL_SUM,
        "figures",
    ),
    _r(
        "N03",
        "基本支出等于人员经费与公用经费之和",
        "一般公共预算基本支出 = 人员经费 + 公用经费",
        Severity.ERROR,
        TOL_SUM,
        "figures",
    ),
    _r(
        "N04",
        "一般公共预算支出等于经济分类各类之和",
        "一般公共预算财政拨款支出 = 工资福利 + 商品和服务 + 对个人和家庭的补助 + 资本性支出 (+其他)",
        Severity.ERROR,
        TOL_SUM,
        "figures",
    ),
    _r(
        "N05",
        "一般公共预算支出等于其基本支出与项目支出之和",
        "一般公共预算财政拨款支出 = 基本支出 + 项目支出 (五)",
        Severity.ERROR,
        TOL_SUM,
        "figures",
    ),
    _r(
        "N06",
        "分科目年初预算、决算之和等于总数",
        "Σ 科目(款/项)年初预算 = 年初预算合计; Σ 科目决算 = 决算合计 (五（三）)",
        Severity.ERROR,
        TOL_SUM,
        "figures",
    ),
    _r(
        "N07",
        "“三公”经费合计等于三项之和",
        "三公经费 = 因公出国(境)费 + 公务用车购置及运行费 + 公务接待费 (决算、预算)",
        Severity.ERROR,
        TOL_SUM,
        "figures",
    ),
    _r(
        "N08",
        "公务用车购置及运行费等于购置费与运行费之和",
        "公务用车购置及运行费 = 购置费 + 运行费 (决算、预算)",
        Severity.ERROR,
        TOL_SUM,
        "figures",
    ),
    _r(
        "N09",
        "公务接待费等于外宾接待与国内接待之和",
        "公务接待费 = 外宾接待费 + 国内公务接待费",
        Severity.ERROR,
        TOL_SUM,
        "figures",
    ),
    _r(
        "N10",
        "政府采购总额等于货物、工程、服务之和",
        "政府采购支出总额 = 货物 + 工程 + 服务",
        Severity.ERROR,
        TOL_SUM,
        "figures",
    ),
    _r("N11", "车辆总数等于按用途分类之和", "车辆 = Σ 各用途车辆数", Severity.ERROR, "0 辆", "figures"),
    _r(
        "N12",
        "同一数字多处表述一致",
        "同一事项同一口径在不同段落的数值相等",
        Severity.WARNING,
        TOL_SAME,
        "figures",
    ),
    _r("N13", "占比与金额重算一致", "占比 = 部分 / 合计 × 100", Severity.ERROR, TOL_PCT, "figures"),
    _r(
        "N14",
        "增长率与隐含上年数(或预算数)重算一致",
        "增长率 = 增减额 / (本年 − 增减额) × 100",
        Severity.ERROR,
        TOL_PCT,
        "figures",
    ),
    _r(
        "N15",
        "完成预算百分比与决算/预算重算一致",
        "完成预算% = 决算 / 预算 × 100 (预算缺失时 = 决算 − 比预算增减额)",
        Severity.ERROR,
        TOL_PCT,
        "figures",
    ),
    _r(
        "N16",
        "比预算增减额与决算、预算一致",
        "比预算增减额 = 决算 − 预算",
        Severity.ERROR,
        TOL_SUM,
        "figures",
    ),
    _r(
        "N17",
        "预算为 0 时不应表述“完成预算 X%”",
        "预算 = 0 ⇒ 不出现完成预算百分比",
        Severity.WARNING,
        TOL_NONE,
        "figures",
    ),
    _r(
        "N18",
        f"决算偏离年初预算超过 {_HI - 100:g}% 需说明原因",
        f"决算 / 年初预算 ∉ [{_LO:g}%, {_HI:g}%] ⇒ 需解释",
        Severity.INFO,
        f"±{_HI - 100:g}%",
        "figures",
    ),
    # ── basic-expenditure line items and 三公 / 机关运行经费 links ─────────────────────────
    _r(
        "L01",
        "人员经费等于其明细之和",
        "人员经费 = Σ 人员经费明细科目",
        Severity.ERROR,
        TOL_SUM,
        "line_items|statements",
    ),
    _r(
        "L02",
        "公用经费等于其明细之和",
        "公用经费 = Σ 公用经费明细科目",
        Severity.ERROR,
        TOL_SUM,
        "line_items|statements",
    ),
    _r(
        "L03",
        "基本支出明细不超过经济分类总数",
        "Σ 基本支出明细(经济分类 类) ≤ 一般公共预算支出该类合计 (五（三）)",
        Severity.WARNING,
        TOL_SUM,
        "figures",
        "line_items|statements",
    ),
    _r(
        "L04",
        "“三公”各项决算不低于基本支出同名科目",
        "三公.因公出国 ≥ 30212; 三公.公务接待 ≥ 30217; 三公.运行费 ≥ 30231; 三公.购置费 ≥ 31013",
        Severity.ERROR,
        TOL_SUM,
        "figures",
        "line_items|statements",
    ),
    _r(
        "L05",
        "“三公”各项与基本支出同名科目不等需说明(项目支出列支等)",
        "三公各项 = 基本支出同名科目, 否则应说明差额来源",
        Severity.WARNING,
        TOL_SUM,
        "figures",
        "line_items|statements",
    ),
    _r(
        "L06",
        "机关运行经费不超过公用经费合计",
        "机关运行经费 ≤ 公用经费合计",
        Severity.ERROR,
        TOL_SUM,
        "figures",
    ),
    _r("T01", "“三公”经费决算不超预算", "三公各项决算 ≤ 预算", Severity.WARNING, TOL_SUM, "figures"),
    _r(
        "T02",
        "有公务接待支出时应说明接待批次与人次",
        "公务接待费 > 0 ⇒ 接待批次 > 0 且 人次 > 0",
        Severity.WARNING,
        TOL_NONE,
        "figures",
    ),
    _r(
        "T03",
        "公务用车保有量与国有资产车辆数一致",
        "三公说明中的保有量 = 国有资产占用说明中的车辆数",
        Severity.WARNING,
        "0 辆",
        "figures",
    ),
    _r(
        "T04",
        "有公务用车购置费时应说明购置数量",
        "购置费 > 0 ⇒ 购置车辆数 > 0",
        Severity.WARNING,
        TOL_NONE,
        "figures",
    ),
    # ── the nine statements (PDF tables) ─────────────────────────────────────────────
    _r(
        "S01",
        "收支总表本年收入合计等于各收入项之和",
        "T1 本年收入合计 = Σ 收入行(一…八)",
        Severity.ERROR,
        TOL_SUM,
        "statements",
    ),
    _r(
        "S02",
        "收支总表收入总计等于本年收入、使用结余与年初结转之和",
        "T1 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余",
        Severity.ERROR,
        TOL_SUM,
        "statements",
    ),
    _r(
        "S03",
        "收支总表本年支出合计等于各功能分类之和",
        "T1 本年支出合计 = Σ 支出功能分类类级行",
        Severity.ERROR,
        TOL_SUM,
        "statements",
    ),
    _r(
        "S04",
        "收支总表支出总计等于本年支出、结余分配与年末结转之和",
        "T1 支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余",
        Severity.ERROR,
        TOL_SUM,
        "statements",
    ),
    _r("S05", "收入总计等于支出总计", "T1/T4 收入总计 = 支出总计", Severity.ERROR, TOL_SUM, "statements"),
    _r(
        "S06",
        "表内各行栏次关系成立",
        "T2 本年收入合计 = Σ来源栏; T3 本年支出合计 = Σ构成栏; "
        "T4 合计 = Σ资金栏; T5/T7/T8 合计 = 基本 + 项目",
        Severity.ERROR,
        TOL_SUM,
        "statements",
    ),
    _r(
        "S07",
        "科目层级汇总关系成立",
        "类 = Σ款, 款 = Σ项, 合计 = Σ类 (T2/T3/T5/T6/T7/T8)",
        Severity.ERROR,
        TOL_SUM,
        "statements",
    ),
    _r(
        "S08",
        "表间总数一致",
        "T2合计 = T1本年收入合计; T3合计 = T1本年支出合计; "
        "T4一般公共预算本年支出 = T5合计; T4本年收入 = T1财政拨款收入",
        Severity.ERROR,
        TOL_SUM,
        "statements",
    ),
    _r(
        "S09",
        "表间同一功能分类类级数一致",
        "T3 类 = T1 支出类; T5 类 = T4 一般公共预算类; T2 类 = T3 类 (无结转时不必相等,仅T3/T1,T5/T4)",
        Severity.ERROR,
        TOL_SAME,
        "statements",
    ),
    _r(
        "S10",
        "基本支出表人员经费、公用经费合计等于其类级之和",
        "人员经费合计 = Σ(301, 303); 公用经费合计 = Σ(302, 307, 310, 399)",
        Severity.ERROR,
        TOL_SUM,
        "statements",
    ),
    _r(
        "S11",
        "一般公共预算基本支出等于人员经费与公用经费合计之和",
        "T5 合计.基本支出 = T6 人员经费合计 + 公用经费合计",
        Severity.ERROR,
        TOL_SUM,
        "statements",
    ),
    _r(
        "S12",
        "“三公”表合计等于各项之和",
        "T9 合计 = 出国 + 车辆购置及运行 + 接待; 购置及运行 = 购置 + 运行 (预算、决算)",
        Severity.ERROR,
        TOL_SUM,
        "statements",
    ),
    _r(
        "S13",
        "情况说明数字与决算表一致",
        "情况说明 收支总计/本年收支/基本项目/一般公共预算/人员公用/三公 = 对应表格数",
        Severity.ERROR,
        TOL_SAME,
        "figures",
        "statements",
    ),
    _r("S14", "决算表金额不为负", "所有金额 ≥ 0", Severity.ERROR, TOL_NONE, "statements"),
    _r(
        "S15",
        "无政府性基金/国有资本经营收支时表7/表8为空表并有说明, 有收支时应有数据",
        "表4 基金(国资)栏 = 0 ⇔ 表7(表8) 空表说明; 表4 该栏 > 0 ⇒ 表7(表8) 有数据",
        Severity.ERROR,
        TOL_NONE,
        "document",
        "statements",
    ),
    # ── performance self-evaluation tables ────────────────────────────────────────────
    _r("P01", "项目执行率等于执行数/预算数", "执行率 = B / A × 100", Severity.ERROR, TOL_PCT, "projects"),
    _r(
        "P02",
        "执行率得分等于分值×执行率",
        "执行率得分 = w × min(B/A, 1), w = 表列分值, "
        f"未列时 ∈ {{{', '.join(f'{w:g}' for w in _C.exec_weights)}}}",
        Severity.ERROR,
        TOL_SCORE,
        "projects",
    ),
    _r(
        "P03",
        "项目总分等于执行率得分与指标得分之和",
        "总分 = 执行率得分 + Σ 指标得分",
        Severity.ERROR,
        TOL_SCORE,
        "projects",
        "indicators",
    ),
    _r(
        "P04",
        f"指标得分不超过分值、总分不超过 {_POINTS}",
        f"得分 ≤ 分值; 总分 ≤ {_POINTS}",
        Severity.ERROR,
        TOL_SCORE,
        "projects|indicators",
    ),
    _r(
        "P05",
        "部门整体各目标指标得分之和等于目标分值",
        "Σ 目标下指标得分 ≤ 目标分值 (等于即全部满分)",
        Severity.ERROR,
        TOL_SCORE,
        "department_goals",
        "indicators",
    ),
    _r(
        "P06",
        "自评得分与计分规则得分一致",
        f"|自评得分 − 规则得分| ≤ {_C.score_tolerance:g}",
        Severity.WARNING,
        TOL_SCORE,
        "indicators",
    ),
    _r(
        "P07",
        f"目标大幅超额完成({_OVER})仍得满分",
        f"完成值/目标值 ≥ {_C.overachieve_ratio:g} 且 得分 = 分值 ⇒ 目标设置偏低、未按偏离度调减",
        Severity.WARNING,
        _OVER,
        "indicators",
    ),
    _r(
        "P08",
        "成本/上限类指标超出上限仍得满分",
        "≤ 指标 完成值 > 目标值 且 得分 = 分值",
        Severity.WARNING,
        TOL_NONE,
        "indicators",
    ),
    _r(
        "P09",
        f"指标偏差(超额{_OVER}或未完成)应说明原因",
        "存在偏差 ⇒ 偏差原因非空且不为“无”",
        Severity.WARNING,
        f"{_OVER} 或 <100%",
        "projects",
        "indicators",
    ),
    _r(
        "P10",
        "全部项目自评满分(红旗)",
        f"所有项目总分 ≥ {_C.full_score_red_flag:g} ⇒ 自评区分度不足",
        Severity.WARNING,
        f"≥{_C.full_score_red_flag:g} 分",
        "projects",
    ),
    _r(
        "P11",
        "全部项目执行率 100%、预算数等于执行数(红旗)",
        "所有项目 执行数 = 预算数",
        Severity.WARNING,
        TOL_NONE,
        "projects",
    ),
    _r(
        "P12",
        "完成值照抄目标值",
        f"完成值原文 = 目标值原文 的指标占比 ≥ {_C.copied_share:.0%}",
        Severity.INFO,
        f"{_C.copied_share:.0%}",
        "indicators",
    ),
    _r(
        "P13",
        "部门整体自评表项目支出总额等于各项目预算之和",
        "部门整体表 项目支出总额 = Σ 项目自评表预算数",
        Severity.ERROR,
        TOL_SUM,
        "document",
        "projects",
    ),
    _r(
        "P14",
        "部门整体自评表基本支出总额与情况说明基本支出一致",
        "部门整体表 基本支出总额 = 说明 基本支出 (三)",
        Severity.WARNING,
        TOL_SAME,
        "document",
        "figures",
    ),
    _r(
        "P15",
        "部门整体执行率与得分重算一致",
        "执行率 = 执行数/预算数 × 100; 得分 = 20 × min(执行率, 1)",
        Severity.ERROR,
        TOL_PCT,
        "document",
    ),
    _r(
        "P16",
        "说明所述部门整体评价等级与自评总分所在等级一致",
        "优 ≥90, 良 80–<90, 中 60–<80, 差 <60 (财预〔2020〕10号)",
        Severity.ERROR,
        "0 (等级)",
        "document",
    ),
    _r(
        "P17",
        f"项目自评表分值合计等于 {_POINTS}",
        f"执行率分值 + Σ 指标分值 = {_POINTS} (表列分值时)",
        Severity.ERROR,
        TOL_SCORE,
        "projects",
        "indicators",
    ),
    # ── narrative ↔ attachments and scope ─────────────────────────────────────────────
    _r(
        "X01",
        "情况说明所列项目金额与项目自评表一致",
        "十三 项目预算数/执行数 = 自评表 A/B",
        Severity.ERROR,
        TOL_SAME,
        "project_outputs",
        "projects",
    ),
    _r(
        "X02",
        "情况说明所列项目名称与项目自评表一致",
        "十三 项目名称 = 自评表项目名称",
        Severity.INFO,
        TOL_NONE,
        "project_outputs",
        "projects",
    ),
    _r(
        "X03",
        "情况说明项目完成预算百分比重算一致",
        "完成预算% = 执行数 / 预算数 × 100",
        Severity.ERROR,
        TOL_PCT,
        "project_outputs",
    ),
    _r(
        "X04",
        "绩效自评项目个数与附表个数一致",
        "说明的项目个数 = 项目自评表个数 = 列示项目个数",
        Severity.ERROR,
        "0 个",
        "figures",
        "projects",
    ),
    _r(
        "X05",
        "各项目预算之和等于说明的自评资金总额",
        "Σ 项目预算数 = 自评项目资金",
        Severity.ERROR,
        TOL_SUM,
        "figures",
        "projects",
    ),
    _r(
        "X06",
        "自评项目资金不超过项目支出(口径)",
        "自评项目资金 ≤ 项目支出 (否则含基金/结转等其他口径, 应说明)",
        Severity.WARNING,
        TOL_SUM,
        "figures",
        "projects",
    ),
    _r(
        "X07",
        "情况说明所列产出数量可在该项目指标中找到",
        "十三 主要产出的数量 ∈ 该项目指标完成值 (按单位换算、印刷精度)",
        Severity.WARNING,
        "按印刷精度",
        "project_outputs",
        "indicators",
    ),
    _r(
        "X09",
        "“共 N（a，b，c）”式分项之和等于总数",
        "共 N (a, b, c…) ⇒ a + b + c… = N (同一计量单位, 全文含自评报告)",
        Severity.WARNING,
        "0 (个数); 0.005·k (万元)",
        "document",
    ),
    _r(
        "X08",
        "部门整体表与项目表同一指标的目标值、完成值、单位一致",
        "同名指标: 目标值、完成值、单位相同",
        Severity.WARNING,
        TOL_SAME,
        "indicators",
    ),
    # ── completeness, order and identity of the document (its text) ───────────────────────────────
    _r(
        "X10",
        "自评报告、部门整体报告、十三项目说明中的指标值与金额与表格一致",
        "自由文本“指标名/项目名 + 数值” = 表中完成值/预算数 (10ⁿ 倍差 ⇒ 小数点错位, 错误)",
        Severity.WARNING,
        "按印刷精度",
        "indicators",
        "projects",
    ),
    _r(
        "X11",
        "“（不含/含 X 万元）”与其所列分项及别处表述一致",
        "括号内金额 = Σ所列分项在别处的金额; 同一排除项两处金额相同",
        Severity.WARNING,
        TOL_SUM,
        "document",
        "figures",
    ),
    _r(
        "C01",
        "目录所列部分、节、表在正文中均存在",
        "目录条目 ⇒ 正文有同序号、标题相近的标题(表按表名)",
        Severity.ERROR,
        f"标题相似度 ≥{_C.toc_title_similarity:g}",
        "document",
    ),
    _r(
        "C02",
        "模板要求的九张决算表均有(或有“本表无数据”说明)",
        "九张表 ∈ 有数据 ∪ 空表说明 ∪ 有标题",
        Severity.ERROR,
        TOL_NONE,
        "document",
    ),
    _r(
        "C03",
        "决算表不能只有表头没有数值",
        "表格无数值且无空表说明: 说明列有金额 ⇒ 错误, 否则警告",
        Severity.ERROR,
        TOL_NONE,
        "document",
    ),
    _r(
        "O01",
        "部分、节、条目序号连续且不颠倒",
        "各级序号在其上级内为 1, 2, 3…: 无重复、无缺号、无倒序",
        Severity.WARNING,
        "0",
        "document",
    ),
    _r(
        "D01",
        "“决算数大于/小于/持平于预算数”与金额一致",
        f"大于 ⇔ 决算 − 预算 > {_FLAT}; 小于 ⇔ < −{_FLAT}; "
        f"持平 ⇔ |差| ≤ {_FLAT} (基本持平 ≤ {_C.direction_flat_share:.0%}); "
        "比预算增加/减少 与 完成预算% 同向",
        Severity.ERROR,
        f"{_FLAT} 万元; 基本持平 {_C.direction_flat_share:.0%}",
        "document",
        "figures",
    ),
    _r(
        "D02",
        "“增加/减少/持平”与同一句的增减额一致",
        "称持平 ⇒ 同句无非零增减额; 增减额为 0 ⇒ 应称持平",
        Severity.ERROR,
        "0",
        "document",
    ),
    _r(
        "Y01",
        "封面、标题、截至日期的年度等于公开年度, “与X年度相比”为上年",
        "标题/截至日期年度 = 公开年度; 比较年度 = 公开年度 − 1",
        Severity.ERROR,
        "0 年",
        "document",
    ),
    _r(
        "Y02",
        "部门名称在封面、部分标题与正文中一致",
        "以部门自称之处的名称 = 封面名称 (简称为提示)",
        Severity.WARNING,
        TOL_NONE,
        "document",
    ),
    _r(
        "Y03",
        "不得留有模板占位符(XX局、XXX、。。。)或填写说明",
        "原文不含占位符; 模板填写说明为警告",
        Severity.ERROR,
        TOL_NONE,
        "document",
    ),
]

RULES: dict[str, Rule] = {r.id: r for r in RULES_LIST}
assert len(RULES) == len(RULES_LIST), "duplicate rule id"
assert {t for r in RULES_LIST for need in r.tables for t in need.split("|")} <= set(TABLES), "unknown table"


# ── item lookups: canonical key → names the parser may use (compared after NFKC + removing spaces/quotes) ──
ITEMS: dict[str, tuple[str, ...]] = {
    "grand_total": ("收支总计", "收入支出总计", "收、支总计"),
    "income_total": ("收入合计", "本年收入合计", "本年收入"),
    "expenditure_total": ("支出合计", "本年支出合计", "本年支出"),
    "fiscal_grand_total": ("财政拨款收支总计", "财政拨款收、支总计", "财政拨款收入支出总计"),
    "fiscal_income": ("财政拨款收入",),
    "gb_income": ("一般公共预算财政拨款收入",),
    "superior_subsidy": ("上级补助收入",),
    "business_income": ("事业收入",),
    "operating_income": ("经营收入",),
    "affiliate_income": ("附属单位上缴收入",),
    "other_income": ("其他收入",),
    "basic": ("基本支出",),
    "project": ("项目支出",),
    "to_superior": ("上缴上级支出",),
    "operating_exp": ("经营支出",),
    "to_affiliate": ("对附属单位补助支出",),
    "gb_expenditure": ("一般公共预算财政拨款支出",),
    "gb_basic": ("一般公共预算财政拨款基本支出",),
    "personnel": ("人员经费", "人员经费合计"),
    "public_funds": ("公用经费", "公用经费合计"),
    "econ_301": ("工资福利支出",),
    "econ_302": ("商品和服务支出",),
    "econ_303": ("对个人和家庭的补助", "对个人和家庭的补助支出"),
    "econ_310": ("资本性支出",),
    "econ_307": ("债务利息及费用支出",),
    "econ_399": ("其他支出",),
    "three_public": ("三公经费", "“三公”经费", "三公经费财政拨款支出"),
    "abroad": ("因公出国(境)费", "因公出国(境)费用", "因公出国（境）费"),
    "vehicle": ("公务用车购置及运行费", "公务用车购置及运行维护费"),
    "vehicle_purchase": ("公务用车购置费",),
    "vehicle_running": ("公务用车运行费", "公务用车运行维护费"),
    "reception": ("公务接待费",),
    "reception_foreign": ("外宾接待费", "外宾接待支出"),
    "reception_domestic": ("国内公务接待费", "国内公务接待支出"),
    "reception_batches": ("国内公务接待批次", "接待国内来访团组", "国内来访团组", "公务接待批次"),
    "reception_persons": ("国内公务接待人次", "接待国内来访人次", "公务接待人次"),
    "vehicles_held": ("公务用车保有量",),
    "vehicles_bought": ("购置公务用车", "购置(更新)公务用车", "公务用车购置数量"),
    "office_running": ("机关运行经费",),
    "procurement_total": ("政府采购支出总额",),
    "procurement_goods": ("政府采购货物支出",),
    "procurement_works": ("政府采购工程支出",),
    "procurement_services": ("政府采购服务支出",),
    "vehicles": ("车辆", "车辆总数"),
    "sme_contracts": ("授予中小企业合同金额",),
    "small_micro_contracts": ("授予小微企业合同金额",),
    "evaluated_projects": (
        "绩效自评项目",
        "自评项目",
        "项目个数",
        "绩效自评项目个数",
        "共涉及项目",
        "涉及项目",
    ),
    "evaluated_funds": ("绩效自评项目资金", "自评项目资金", "绩效自评资金"),
}

# Leftovers of the template (Y03): placeholders, and its instructions to the drafter.
PLACEHOLDER = re.compile(r"[X×Ｘ]{2,}|。{3,}|待填|待补充")
TEMPLATE_INSTRUCTIONS = (
    "如持平作持平表述",
    "不涉及的不列",
    "按上述格式依次说明",
    "作下述说明",
    "（制度名称）",
    "(制度名称)",
    "仍保留该表格式",
    "根据三定方案等相关规定中有关主要职能填写",
    "预决算持平的不用说明变动原因",
)

# The heading of a contents page, and the parts whose headings are numbered 一、（一）1. (O01).
TOC_HEADINGS = ("目录", "目次")
NUMBERED_PARTS = ("overview", "explanation", "other")

# Vehicle-use categories listed under 车辆 in 国有资产占用 (summed by N11).
VEHICLE_USES = (
    "副省级及以上领导干部用车",
    "主要领导干部用车",
    "主要负责人用车",
    "机要通信用车",
    "应急保障用车",
    "执法执勤用车",
    "特种专业技术用车",
    "离退休干部服务用车",
    "离退休干部用车",
    "其他用车",
)

# Income sources / expenditure components summed by N01 / N02.
INCOME_PARTS = (
    "fiscal_income",
    "superior_subsidy",
    "business_income",
    "operating_income",
    "affiliate_income",
    "other_income",
)
EXPENDITURE_PARTS = ("basic", "project", "to_superior", "operating_exp", "to_affiliate")
ECON_CLASSES = ("econ_301", "econ_302", "econ_303", "econ_310", "econ_307", "econ_399")

# Denominator of a stated 占比, by the numerator's canonical key.
SHARE_DENOMINATOR: dict[str, str] = {
    **{k: "income_total" for k in INCOME_PARTS},
    **{k: "expenditure_total" for k in EXPENDITURE_PARTS},
    "gb_expenditure": "expenditure_total",
    **{k: "gb_expenditure" for k in ECON_CLASSES},
    "sme_contracts": "procurement_total",
    "small_micro_contracts": "procurement_total",
}

# Basic-expenditure line items by economic class (domain.md §1.2), for L03 and the 三公 links (L04/L05).
ECON_LINE_ITEMS: dict[str, tuple[str, ...]] = {
    "econ_301": (
        "基本工资",
        "津贴补贴",
        "奖金",
        "伙食补助费",
        "绩效工资",
        "机关事业单位基本养老保险缴费",
        "职业年金缴费",
        "职工基本医疗保险缴费",
        "公务员医疗补助缴费",
        "其他社会保障缴费",
        "住房公积金",
        "医疗费",
        "其他工资福利支出",
    ),
    "econ_303": (
        "离休费",
        "退休费",
        "退职(役)费",
        "抚恤金",
        "生活补助",
        "救济费",
        "医疗费补助",
        "助学金",
        "奖励金",
        "个人农业生产补贴",
        "代缴社会保险费",
        "其他对个人和家庭的补助",
        "其他对个人和家庭的补助支出",
    ),
    "econ_310": (
        "房屋建筑物购建",
        "办公设备购置",
        "专用设备购置",
        "基础设施建设",
        "大型修缮",
        "信息网络及软件购置更新",
        "公务用车购置",
        "其他交通工具购置",
        "文物和陈列品购置",
        "无形资产购置",
        "其他资本性支出",
    ),
}
# Everything in the 公用经费 group not listed under 310 is taken as 302 商品和服务支出.

# 三公 item ↔ basic-expenditure line item (T9 ≥ T6, domain.md §3.7.3).
THREE_PUBLIC_LINES: dict[str, tuple[str, ...]] = {
    "abroad": ("因公出国(境)费用", "因公出国(境)费"),
    "reception": ("公务接待费",),
    "vehicle_running": ("公务用车运行维护费", "公务用车运行费"),
    "vehicle_purchase": ("公务用车购置", "公务用车购置费"),
}

# Section prefixes (Hubei numbering) that say which scope an amount has; used only to disambiguate items that
# occur in several sections (e.g. 基本支出 in 三 = all funds, in 五/六 = 一般公共预算 only).
SCOPE_ALL_FUNDS = ("三",)
SCOPE_GENERAL_BUDGET = ("五", "六")
SCOPE_PERFORMANCE = ("十三",)

# Words that make a bare 万 an amount of money (X10: "弥补…基金缺口 73 万").
MONEY_WORDS = re.compile(r"资金|经费|缺口|补贴|补助|金额|费|款")

# One threshold for rule P07 and report 03's 远超目标 (config.CHECKS.overachieve_ratio; tests/test_report.py
# pins it).
OVERACHIEVE_RATIO = CHECKS.overachieve_ratio
