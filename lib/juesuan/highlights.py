"""What each report opens with: its 3–7 most material findings (主要发现), in plain Chinese, with amounts and
pages.

Why here and not in each notebook: the reports must rank and word their summaries the same way, and the
ranking and sentences of failed checks already exist (`checks.findings`, issue 11) — a report's summary takes
the failed checks of its own subject first (rules listed in `REPORT_RULES`), then the analysis' own
observations, each citing the pages of the numbers it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from . import config
from . import labels as L
from .analysis.departments import departments_of

MAX_ITEMS = 7

# The failed checks each report leads with (the consistency report takes every rule).
REPORT_RULES: dict[str, set[str]] = {
    "yoy": {"N14", "D02", "Y01", "K01"},
    "budget": {
        "N06",
        "N07",
        "N08",
        "N09",
        "N15",
        "N16",
        "N17",
        "N18",
        "D01",
        "T01",
        "L04",
        "L05",
        "L06",
        "P01",
        "P11",
        "X03",
        "X05",
        "X06",
    },
    "targets": {
        "P02",
        "P03",
        "P04",
        "P05",
        "P06",
        "P07",
        "P08",
        "P09",
        "P10",
        "P12",
        "P13",
        "P14",
        "P15",
        "P16",
        "P17",
        "X04",
        "X07",
        "X08",
        "X10",
    },
}


@dataclass
class Finding:
    """One line of a summary box: the sentence (with its page citation), and its severity when it is a failed
    check (None for an observation)."""

    text: str
    severity: str | None = None
    amount: float = 0.0
    pages: list[int] = field(default_factory=list)


def _with_cite(text: str, page_values) -> str:
    where = L.cite(page_values)
    body = text.rstrip("。；; ")
    return f"{body}（{where}）。" if where else f"{body}。"


_CITED = re.compile(r"第\s*[\d、，,–\-\s]+\s*页")


def cited(text: str, rule_id: str, disclosure=None) -> str:
    """A finding's sentence with its pages: when the rule's sentence names none (a finding about a whole
    table), the pages of the tables the rule reads."""
    if disclosure is None or _CITED.search(text):
        return text
    # lazy: juesuan.checks imports pandera's typing (about 0.4 s), paid only by callers that check
    from .checks.catalogue import RULES

    rule = RULES.get(str(rule_id))
    pages: list = []
    for name in rule.tables if rule else ():
        df = getattr(disclosure, name.split("|")[0], None)
        if isinstance(df, pd.DataFrame) and "page" in df.columns and len(df) and name != "document":
            pages += df["page"].dropna().tolist()
    return _with_cite(text, pages) if pages else text


def from_checks(
    checks: pd.DataFrame, rules: set[str] | None = None, n: int = MAX_ITEMS, disclosure=None
) -> list[Finding]:
    """Failed checks (of `rules`, or all), ranked and grouped as `checks.findings` does, as summary lines."""
    # lazy: juesuan.checks imports pandera's typing (about 0.4 s), paid only by callers that check
    from .checks import findings

    if checks is None or checks.empty:
        return []
    f = findings(checks)
    if rules is not None:
        f = f[f["rule_id"].isin(rules)]
    out = []
    for r in f.head(n).itertuples(index=False):
        more = f"（同一事实另有 {int(r.group_size) - 1} 处）" if getattr(r, "group_size", 1) > 1 else ""
        text = cited(str(r.finding), r.rule_id, disclosure)
        out.append(Finding(f"{text}{more}", r.severity, float(r.amount_at_stake_wan or 0.0)))
    return out


def top(findings: list[Finding], n: int = MAX_ITEMS) -> list[Finding]:
    """Failed checks (already ranked) first, then observations; at most `n`."""
    return findings[:n]


# ---------------------------------------------------------------------------------------------- 01 同比


def yoy(
    changes: pd.DataFrame,
    checks: pd.DataFrame,
    consistency: pd.DataFrame | None = None,
    comparison: pd.DataFrame | None = None,
) -> list[Finding]:
    """Misprinted growth rates and cross-year mismatches (checks), then the largest stated changes."""
    out = from_checks(checks, REPORT_RULES["yoy"], n=4)
    if consistency is not None and len(consistency):
        fails = consistency[consistency["status"].eq("fail")]
        for r in fails.head(3).itertuples(index=False):
            out.append(
                Finding(
                    f"{r.subject}：本年公开所述上年数 {L.amount(r.expected)} 万元，上年公开为 "
                    f"{L.amount(r.actual)} 万元，相差 {float(r.difference):+,.2f} 万元；{r.evidence}。",
                    "warning",
                    abs(float(r.difference or 0)),
                )
            )
    if len(changes):
        bad = int(changes["flag"].sum())
        out.append(
            Finding(
                f"公开文本中共 {L.count(len(changes), '处')}同比或比预算表述，"
                + (
                    f"其中 {L.count(bad, '处')}增长率与金额不符（见下表）。"
                    if bad
                    else "增长率均与金额一致（按印刷精度）。"
                )
            )
        )
    c = (
        changes[changes["basis"].eq("上年") & changes["stated_change"].abs().gt(0.005)]
        if len(changes)
        else changes
    )
    if len(c):
        biggest = c.reindex(c["stated_change"].abs().sort_values(ascending=False).index)
        biggest = biggest.drop_duplicates("item").drop_duplicates(
            ["actual", "stated_change"]
        )  # 收支总计 = 收入合计
        for r in biggest.head(3).itertuples(index=False):
            word = "增加" if r.stated_change >= 0 else "减少"
            rate = f"，增长率重算为 {L.pct(r.recomputed_pct, 2)}" if not L.missing(r.recomputed_pct) else ""
            out.append(
                Finding(
                    _with_cite(
                        f"{r.item}：本年 {L.amount(r.actual)} 万元，比上年{word} "
                        f"{L.amount(abs(r.stated_change))} 万元，"
                        f"推算上年 {L.amount(r.implied_base)} 万元{rate}",
                        [r.page],
                    ),
                    None,
                    abs(float(r.stated_change)),
                )
            )
    if comparison is not None and len(comparison):
        projects = comparison[comparison["kind"].eq("project")]
        new, dropped = projects["status"].eq("new").sum(), projects["status"].eq("dropped").sum()
        if new or dropped:
            out.append(
                Finding(
                    f"与往年公开相比，新增项目 {L.count(new, '个')}，取消项目 {L.count(dropped, '个')}"
                    f"（名单见下文跨年度对比）。"
                )
            )
    elif comparison is not None:
        out.append(Finding("未提供往年公开：上年数均由本年公开中的增减额推算，跨年度逐项对比从略。"))
    return top(out)


# ---------------------------------------------------------------------------------------------- 02 预决算


def budget(
    general: pd.DataFrame,
    three_public: pd.DataFrame,
    operating: pd.DataFrame,
    execution: pd.DataFrame,
    checks: pd.DataFrame,
    disclosure=None,
) -> list[Finding]:
    """Misstated percentages and over-runs (checks), then the totals, 三公 and 机关运行经费 against budget."""
    out = from_checks(checks, REPORT_RULES["budget"], n=3, disclosure=disclosure)
    for df, n in ((general, 1), (three_public.head(1), 1), (operating, 1)):
        for r in df.head(n).itertuples(index=False):
            line = budget_sentence(r)
            if line:
                out.append(Finding(_with_cite(line, [r.page]), None, abs(float(r.recomputed_change or 0))))
    if len(execution):
        full = execution["recomputed_pct"].eq(100).sum()
        total_b, total_e = execution["budget_wan"].sum(), execution["executed_wan"].sum()
        line = (
            f"{L.count(len(execution), '个')}项目预算合计 {L.amount(total_b)} 万元，执行 "
            f"{L.amount(total_e)} 万元"
            f"（执行率 {L.ratio(total_e, total_b)}），其中执行率恰为 100% 的 {L.count(full, '个')}"
        )
        out.append(Finding(_with_cite(line, execution["page"]), None, float(total_b)))
    return top(out)


def approximate(source: object) -> bool:
    """A budget worked back from a rounded 完成% (决算 ÷ 完成%) is approximate, never exact."""
    return str(source or "") == "决算 ÷ 完成%"


def budget_sentence(r) -> str:
    """决算 vs 预算 of one row of `analysis.budget.budget_vs_actual`, with 0/0 as "—" and implied budgets as
    ≈."""
    if L.missing(r.budget):
        return ""
    approx = approximate(r.budget_source)
    budget_txt = L.amount(r.budget, approx=approx) + (
        " 万元（由“完成预算 %”倒推，近似）" if approx else " 万元"
    )
    s = f"{r.item}：年初预算 {budget_txt}，决算 {L.amount(r.actual)} 万元"
    rate = L.ratio(r.actual, r.budget)
    if rate != L.DASH:
        s += f"，为预算的 {'约 ' if approx else ''}{rate}"
    elif float(r.budget) == 0 and float(r.actual or 0) == 0:
        s += "，无预算也无支出（完成比例为 —）"
    if not L.missing(r.stated_pct):
        s += f"（公开文本写 {L.score(r.stated_pct)}%）"
    if not L.missing(r.recomputed_change) and abs(r.recomputed_change) > 0.005 and not approx:
        s += f"，{'超出' if r.recomputed_change > 0 else '结余'} {L.amount(abs(r.recomputed_change))} 万元"
    return s


# ---------------------------------------------------------------------------------------------- 03 绩效


def targets(
    indicators: pd.DataFrame,
    summary: pd.DataFrame,
    projects: pd.DataFrame,
    checks: pd.DataFrame,
    disclosure=None,
) -> list[Finding]:
    """Scores the rules do not give, targets far exceeded with full marks (checks), then the indicator classes
    and the indicators furthest above their targets."""
    out = from_checks(checks, REPORT_RULES["targets"], n=4, disclosure=disclosure)
    if len(indicators):
        n = indicators["classification"].value_counts()
        line = (
            f"{L.count(len(summary), '个')}项目、{L.count(len(indicators), '条')}绩效指标：达成 "
            f"{L.count(n.get('met', 0))} 条，"
            f"超出目标（≥{config.DEVIATION_WARN:g} 倍）{L.count(n.get('exceeded', 0))} 条，"
            f"未完成 {L.count(n.get('missed', 0))} 条，定性或不可衡量 {L.count(n.get('qualitative', 0))} 条"
        )
        out.append(Finding(_with_cite(line, indicators["page"])))
        finite = pd.to_numeric(indicators["performance"], errors="coerce").map(
            lambda v: pd.notna(v) and abs(v) != float("inf")
        )
        strong = indicators[indicators["deviation_level"].isin(["explain", "strong"]) & finite]
        strong = strong.sort_values("performance", ascending=False)
        strong = strong.drop_duplicates(
            ["target_raw", "actual_raw"]
        )  # one fact in the department and a project table
        for r in strong.head(2).itertuples(index=False):
            full = (
                "，仍自评满分"
                if not L.missing(r.weight) and not L.missing(r.score) and r.score >= r.weight
                else ""
            )
            whose = "部门整体绩效指标" if r.scope == "department" else f"项目“{r.project_name}”的指标"
            out.append(
                Finding(
                    _with_cite(
                        f"{whose}“{r.level3}”：目标 {r.target_raw}，完成 {r.actual_raw}，"
                        f"为目标的 {r.performance:,.1f} 倍{full}",
                        [r.page],
                    )
                )
            )
        if len(summary):
            out.append(
                Finding(
                    _with_cite(
                        f"按计分规则重算，项目平均 {L.score(round(summary['rule_total'].mean(), 2))} 分，"
                        f"自评平均 {L.score(round(summary['self_total'].mean(), 2))} 分",
                        projects["page"],
                    )
                )
            )
    return top(out)


def narrative_performance(figures: pd.DataFrame) -> pd.DataFrame:
    """What the narrative says about 预算绩效 when the disclosure has no performance tables: the figures of
    the sections that speak of 绩效 (项目 counts, funds, scores), one row per figure."""
    if figures.empty:
        return figures
    about = figures["item"].astype(str).str.contains("绩效") & ~figures["item"].astype(str).str.contains(
        "绩效工资"
    )
    sections = set(figures.loc[about, "section"])
    return figures[figures["section"].isin(sections)].reset_index(drop=True)


def narrative_sentences(perf: pd.DataFrame, n: int = 3) -> list[Finding]:
    """The narrative's own sentences on 自评 (quoted, with their page)."""
    if perf.empty:
        return []
    out, seen = [], set()
    first = perf["evidence"].astype(str).str.contains("自评")  # the self-evaluation's own sentence first
    for r in pd.concat([perf[first], perf[~first]]).itertuples(index=False):
        text = str(r.evidence).strip().rstrip("；;。")
        if text in seen or not any(k in text for k in ("自评", "得分", "评价")):
            continue
        seen.add(text)
        out.append(Finding(_with_cite(f"情况说明{r.section}：“{text}”", [r.page])))
        if len(out) >= n:
            break
    return out


# ---------------------------------------------------------------------------------------------- 05 部门间


def _pages(r, *columns: str) -> list:
    """The pages of those of `columns` the row states (`<column>_page`), for a finding's citation."""
    return [getattr(r, f"{c}_page") for c in columns if not L.missing(getattr(r, c))]


def _one_department(r) -> list[Finding]:
    """The year's only department: nothing to compare, so it says so and gives the department's own figures,
    each with its page."""
    out = [
        Finding(
            f"数据目录中 {r.year} 年度只有{r.department}一个部门的公开，无从与其他部门比较；"
            "下文列出该部门的数字及其出处。要比较，请把其他部门的公开解析到同一数据目录。"
        )
    ]
    if not L.missing(r.expenditure):
        parts = [
            f"{name} {L.amount(v)} 万元（{L.ratio(v, r.expenditure)}）"
            for name, v in (("基本支出", r.basic), ("项目支出", r.project))
            if not L.missing(v)
        ]
        out.append(
            Finding(
                _with_cite(
                    f"支出合计 {L.amount(r.expenditure)} 万元"
                    + ("，其中" + "，".join(parts) if parts else ""),
                    _pages(r, "expenditure", "basic", "project"),
                )
            )
        )
    if not L.missing(r.three_public):
        rate = (
            f"，为预算 {L.amount(r.three_public_budget)} 万元的 {L.pct(r.three_public_exec_pct)}"
            if not L.missing(r.three_public_exec_pct)
            else ""
        )
        out.append(
            Finding(
                _with_cite(
                    f"“三公”经费决算 {L.amount(r.three_public)} 万元{rate}",
                    _pages(r, "three_public", "three_public_budget"),
                ),
                "warning" if r.three_public_exec_pct > 100 else None,
            )
        )
    if not L.missing(r.operating):
        out.append(Finding(_with_cite(f"机关运行经费 {L.amount(r.operating)} 万元", _pages(r, "operating"))))
    return out


def _three_public_range(table: pd.DataFrame) -> list[Finding]:
    """The highest and lowest 三公 决算/预算 among the departments (one sentence when they are all equal)."""
    rates = table.dropna(subset=["three_public_exec_pct"]).sort_values("three_public_exec_pct")
    if len(rates) < 2:
        return []
    hi, lo = rates.iloc[-1], rates.iloc[0]
    if L.pct(hi.three_public_exec_pct) == L.pct(lo.three_public_exec_pct):
        return [
            Finding(
                _with_cite(
                    f"“三公”经费决算占预算：{L.count(len(rates), '个')}部门均为 "
                    f"{L.pct(hi.three_public_exec_pct)}",
                    list(rates["three_public_page"]) + list(rates["three_public_budget_page"]),
                )
            )
        ]
    return [
        Finding(
            f"“三公”经费决算占预算：最高{hi.department} {L.pct(hi.three_public_exec_pct)}"
            f"（{L.cite([hi.three_public_page, hi.three_public_budget_page])}），最低{lo.department} "
            f"{L.pct(lo.three_public_exec_pct)}（"
            f"{L.cite([lo.three_public_page, lo.three_public_budget_page])}）。"
        )
    ]


def _compared_departments(table: pd.DataFrame) -> list[Finding]:
    """Several departments: the largest spender and its share, the 三公 range, every 三公 over budget."""
    out = []
    spend = table.dropna(subset=["expenditure"]).sort_values("expenditure", ascending=False)
    if len(spend) >= 2:
        t = spend.iloc[0]
        share = L.ratio(t.expenditure, spend["expenditure"].sum())
        line = (
            f"支出合计最高的是{t.department}：{L.amount(t.expenditure)} 万元，"
            f"占 {L.count(len(spend), '份')}公开合计的 {share}"
        )
        out.append(Finding(_with_cite(line, [t.expenditure_page])))
    out += _three_public_range(table)
    for r in table[table["three_public_exec_pct"] > 100].itertuples(index=False):
        out.append(
            Finding(
                _with_cite(
                    f"{r.department}“三公”经费决算 {L.amount(r.three_public)} 万元，超过预算 "
                    f"{L.amount(r.three_public_budget)} 万元",
                    _pages(r, "three_public", "three_public_budget"),
                ),
                "warning",
            )
        )
    return out


def _department_flags(table: pd.DataFrame) -> list[Finding]:
    """Whatever the count of departments: all-100 self-scores, and the three with the most errors."""
    out = []
    full = table[table["score_100_pct"].ge(100) & table["n_projects"].gt(1)]
    for r in full.itertuples(index=False):
        out.append(
            Finding(
                f"{r.department}：全部 {L.count(r.n_projects, '个')}项目自评满分，自评未区分绩效高低"
                f"（{r.src_n_projects}）。",
                "warning",
            )
        )
    for r in (
        table[table["error"].gt(0)].sort_values("error", ascending=False).head(3).itertuples(index=False)
    ):
        out.append(
            Finding(
                f"{r.department}：勾稽关系不符有错误 {L.count(r.error, '条')}、警告 "
                f"{L.count(r.warning, '条')}"
                f"（同一事实合并后），逐条及其页码见该部门的勾稽关系检查报告。"
            )
        )
    return out


def departments(table: pd.DataFrame, gathered) -> list[Finding]:
    """Across the departments of a year: the largest spender, 三公 over budget, all-100 self-scores, errors —
    each amount with its page in the department's own disclosure (the pages `department_table` found it on).
    With one department there is nothing to compare: it says so, then gives that department's own figures."""
    if table.empty:
        return [Finding("数据目录中没有该年度的解析结果。")]
    if departments_of(table) == 1:
        out = _one_department(next(table.itertuples(index=False)))
    else:
        out = _compared_departments(table)
    out += _department_flags(table)
    if not out:
        out.append(Finding("各部门公开之间没有需要特别关注的差异。"))
    return top(out)
