"""Budget versus actual (domain.md §3.9 五(三), §3.7, §3.8, §5 items 2, 6, 8).

Why: 决算 far above or below 年初预算, 三公 over budget, and 执行率 of exactly 100 % on every project are the
first things a reviewer looks for; every stated 完成% is recomputed from the amounts so a misprint cannot
hide.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import config
from ..config import BudgetThresholds

THREE_PUBLIC_ORDER = ["合计", "因公出国", "公务用车购置及运行", "公务用车购置费", "公务用车运行", "公务接待"]


def printed_tolerance(value: float) -> float:
    """Half a unit of the last printed digit plus the percent tolerance: '119 %' may be anything in [118.4,
    119.6]."""
    if pd.isna(value):
        return math.nan
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals + config.PERCENT_TOLERANCE


def merge_items(f: pd.DataFrame) -> pd.Series:
    """Within a section, an item whose name ends another's is the same item ('支总计' of '收、支总计' ≡
    '收支总计')."""
    names = f["item"].astype(str)
    out = names.copy()
    for _, idx in f.groupby("section", sort=False).groups.items():
        items = sorted(set(names[idx]), key=len, reverse=True)
        canon = {
            i: next((j for j in items if len(i) >= 3 and len(j) > len(i) and j.endswith(i)), i) for i in items
        }
        out[idx] = names[idx].map(canon)
    return out


def wide_by_item(figures: pd.DataFrame) -> pd.DataFrame:
    """One row per (section, item) with one column per measure, keeping the first source line and page."""
    if figures.empty:
        return pd.DataFrame(columns=["section", "item", "source_line", "page"])
    f = figures.copy()
    f["item"] = merge_items(f)
    wide = f.pivot_table(
        index=["section", "item"], columns="measure", values="value", aggfunc="first", sort=False
    )
    where = f.groupby(["section", "item"], sort=False)[["source_line", "page"]].min()
    return wide.join(where).reset_index()


def budget_vs_actual(figures: pd.DataFrame, thresholds: BudgetThresholds | None = None) -> pd.DataFrame:
    """Every narrative item with a budget (stated, or implied by 比预算增减 or 完成%) next to its actual.

    Columns: section, item, budget, budget_source, actual, stated_pct, recomputed_pct, pct_diff, pct_ok,
    stated_change, recomputed_change, status (over-run / under-run / on budget), source_line, page.
    """
    th = thresholds or config.BUDGET
    cols = [
        "section",
        "item",
        "budget",
        "budget_source",
        "actual",
        "stated_pct",
        "recomputed_pct",
        "pct_diff",
        "pct_ok",
        "stated_change",
        "recomputed_change",
        "status",
        "flag",
        "source_line",
        "page",
    ]
    if figures.empty:  # a disclosure without narrative figures (an empty template): nothing to compare
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    w = wide_by_item(figures)
    for m in ["budget", "actual", "exec_pct", "budget_change"]:
        if m not in w:
            w[m] = np.nan
    w = w[w["budget"].notna() | w["exec_pct"].notna() | w["budget_change"].notna()].copy()
    w = w[w["actual"].notna()]
    implied_change = w["actual"] - w["budget_change"]
    implied_pct = (w["actual"] / (w["exec_pct"] / 100)).where(w["exec_pct"] > 0).round(2)
    w["budget_source"] = np.select(
        [w["budget"].notna(), w["budget_change"].notna(), implied_pct.notna()],
        ["文本所列", "决算 − 增减额", "决算 ÷ 完成%"],
        default="",
    )
    w["budget"] = w["budget"].fillna(implied_change).fillna(implied_pct)
    w["recomputed_pct"] = (w["actual"] / w["budget"] * 100).where(w["budget"] > 0).round(2)
    w["stated_pct"] = w["exec_pct"]
    w["pct_diff"] = (w["stated_pct"] - w["recomputed_pct"]).round(2)
    tol = w["stated_pct"].map(printed_tolerance)
    stated_zero_budget = w["budget"].eq(0) & w["stated_pct"].gt(0)
    unknown = w["budget"].isna()  # e.g. "决算 0 万元，完成预算的 0%": any budget fits, nothing to check
    w["pct_ok"] = (
        (w["pct_diff"].abs() <= tol)
        | w["stated_pct"].isna()
        | (w["budget"].eq(0) & w["stated_pct"].eq(0))
        | unknown
    )
    w.loc[stated_zero_budget, "pct_ok"] = False
    w["stated_change"] = w["budget_change"]
    w["recomputed_change"] = (w["actual"] - w["budget"]).round(2)
    pct = w["recomputed_pct"].fillna(w["stated_pct"])
    w["status"] = np.select(
        [
            pct >= th.over_run_pct,
            pct > 100 + th.on_budget_pct,
            pct <= th.under_run_pct,
            pct < 100 - th.on_budget_pct,
        ],
        ["大幅超预算", "超预算", "大幅低于预算", "低于预算"],
        default="持平",
    )
    w.loc[w["budget"].eq(0) & w["actual"].eq(0), "status"] = "无预算无支出"
    w.loc[unknown, "status"] = "预算数未披露"
    w["flag"] = w["status"].isin(["大幅超预算", "大幅低于预算"]) | ~w["pct_ok"]
    return w[cols].reset_index(drop=True)


def is_three_public(item: str) -> bool:
    return any(k in str(item) for k in ["三公", "因公出国", "公务用车", "公务接待"])


def three_public(table: pd.DataFrame) -> pd.DataFrame:
    """The 三公 rows of `budget_vs_actual`, in the template's order (合计 first)."""
    t = table[table["item"].map(is_three_public).astype(bool)].copy()

    def rank(item: str) -> int:
        if "三公" in item:
            return 0
        return next((i for i, k in enumerate(THREE_PUBLIC_ORDER) if k in item), len(THREE_PUBLIC_ORDER))

    t["_rank"] = t["item"].map(rank)
    return t.sort_values(["_rank", "source_line"]).drop(columns="_rank").reset_index(drop=True)


def operating_costs(table: pd.DataFrame) -> pd.DataFrame:
    """机关运行经费 vs its budget (domain.md §3.8)."""
    return table[table["item"].str.contains("机关运行经费", na=False)].reset_index(drop=True)


def general_budget(table: pd.DataFrame) -> pd.DataFrame:
    """决算 vs 年初预算 for the total and each level given (neither 三公, 机关运行经费 nor the 十三 project
    list)."""
    mask = (
        ~table["item"].map(is_three_public).astype(bool)
        & ~table["item"].str.contains("机关运行经费", na=False)
        & ~table["section"].astype(str).str.startswith("十三")
    )
    return table[mask].reset_index(drop=True)


def project_execution(projects: pd.DataFrame, thresholds: BudgetThresholds | None = None) -> pd.DataFrame:
    """Every project's 预算数 vs 执行数, stated and recomputed 执行率, and a flag."""
    th = thresholds or config.BUDGET
    p = projects[
        ["project_no", "project_name", "budget_wan", "executed_wan", "exec_rate_pct", "source_line", "page"]
    ].copy()
    p["recomputed_pct"] = (p["executed_wan"] / p["budget_wan"] * 100).where(p["budget_wan"] > 0).round(2)
    p["pct_diff"] = (p["exec_rate_pct"] - p["recomputed_pct"]).round(2)
    p["status"] = np.select(
        [
            p["executed_wan"] > p["budget_wan"] + config.AMOUNT_TOLERANCE,
            p["recomputed_pct"] < th.project_under_run_pct,
            p["recomputed_pct"].eq(100),
        ],
        ["超预算执行", "执行率偏低", "执行率 100%"],
        default="",
    )
    return p


def project_findings(execution: pd.DataFrame, thresholds: BudgetThresholds | None = None) -> list[str]:
    """Sentences on project execution, including the 'exactly 100 % everywhere' red flag (domain.md §5 item
    8)."""
    th = thresholds or config.BUDGET
    n = len(execution)
    if not n:
        return ["本公开未包含项目支出绩效自评表。"]
    out = []
    total_b, total_e = execution["budget_wan"].sum(), execution["executed_wan"].sum()
    out.append(f"{n} 个项目预算合计 {total_b:.2f} 万元，执行合计 {total_e:.2f} 万元。")
    full = execution["recomputed_pct"].eq(100).sum()
    if full == n:
        out.append(
            f"全部 {n} 个项目执行率均为 100.00%，预算数与执行数分毫不差，需关注预算是否按执行数倒推调整。"
        )
    elif full:
        out.append(f"{full} 个项目执行率恰为 100.00%。")
    low = execution[execution["recomputed_pct"] < th.project_under_run_pct]
    if len(low):
        out.append(
            f"{len(low)} 个项目执行率低于 {th.project_under_run_pct:g}%："
            + "、".join(low["project_name"])
            + "。"
        )
    over = execution[execution["status"].eq("超预算执行")]
    if len(over):
        out.append(f"{len(over)} 个项目执行数超过预算数：" + "、".join(over["project_name"]) + "。")
    bad = execution[execution["pct_diff"].abs() > config.PERCENT_TOLERANCE]
    if len(bad):
        out.append(f"{len(bad)} 个项目填报的执行率与执行数/预算数不符。")
    return out


def budget_findings(table: pd.DataFrame, thresholds: BudgetThresholds | None = None) -> list[str]:
    """Sentences on 决算 vs 预算 for each item: amount, 完成%, band, and misprinted percentages."""
    th = thresholds or config.BUDGET
    out = []
    for r in table.itertuples(index=False):
        pct = r.recomputed_pct if pd.notna(r.recomputed_pct) else r.stated_pct
        if pd.isna(r.budget):
            continue
        s = f"{r.item}：预算 {r.budget:.2f} 万元，决算 {r.actual:.2f} 万元"
        if pd.notna(pct):
            s += f"，完成预算的 {pct:.1f}%"
        if pd.notna(r.stated_pct):
            s += f"（公开文本写 {r.stated_pct:g}%）"
        if pd.notna(r.recomputed_change) and abs(r.recomputed_change) > 0.005:
            s += f"，{'超出' if r.recomputed_change > 0 else '结余'} {abs(r.recomputed_change):.2f} 万元"
        if r.status == "大幅超预算":
            s += f"，达到 {th.over_run_pct:g}% 的超预算阈值，需说明原因"
        elif r.status == "大幅低于预算":
            s += f"，低于 {th.under_run_pct:g}% 的阈值"
        if not r.pct_ok:
            s += "；所写完成比例与金额不符"
        out.append(s + "。")
    return out
