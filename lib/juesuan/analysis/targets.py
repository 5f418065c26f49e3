"""Target deviation (domain.md §4.5): per-indicator scoring rolled up to projects and the department.

Why: auditors read the self-evaluation top-down — which projects claim full marks while targets were missed
or set far too low, and whether the department explained the deviation it had to explain.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from .. import config
from .. import labels as L
from .scoring import Thresholds, exec_rule_score, exec_weight, grade, score_indicators

_NO_EXPLANATION = {"", "无", "无。", "不适用", "/", "—", "-", "nan", "none", "<na>"}


def has_explanation(text: object) -> bool:
    """A deviation reason counts only if it says something: not blank, not 无 (quoted or not), not a dash.
    The one definition: report 03 and rule P09 must agree."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return False
    folded = re.sub(r"[\s“”\"'‘’「」]", "", unicodedata.normalize("NFKC", str(text)))
    return folded.lower() not in _NO_EXPLANATION


def indicator_table(scored: pd.DataFrame, projects: pd.DataFrame | None = None) -> pd.DataFrame:
    """Display-ready per-indicator table: project name, target vs actual, class, self-score vs rule score,
    finding."""
    names = _project_names(projects)
    t = scored.assign(
        project_name=scored["project_no"]
        .astype("Int64")
        .map(names)
        .where(scored["scope"].eq("project"), "部门整体"),
        class_label=[
            L.deviation_class(c, d)
            for c, d in zip(scored["classification"], scored["deviation_level"], strict=True)
        ],
    )
    return t[
        [
            "scope",
            "project_no",
            "project_name",
            "goal_no",
            "level1",
            "level2",
            "level3",
            "target_raw",
            "actual_raw",
            "target_value",
            "actual_value",
            "direction",
            "ratio",
            "performance",
            "class_label",
            "deviation_level",
            "weight",
            "score",
            "rule_score",
            "rule",
            "score_gap",
            "finding",
            "flagged",
            "source_line",
            "page",
        ]
    ].assign(row_deviation=scored["deviation"] if "deviation" in scored else None)


def _project_names(projects: pd.DataFrame | None) -> pd.Series:
    if projects is None or projects.empty:
        return pd.Series(dtype=object)
    return projects.set_index(projects["project_no"].astype("Int64"))["project_name"]


def flagged_with_reasons(table: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Flagged indicators with the department's own 偏差原因 and 改进措施 beside them."""
    flagged = table[table["flagged"]].copy()
    if projects is None or projects.empty:
        flagged["deviation_reason"] = flagged["improvement"] = None
        return flagged
    p = projects.set_index(projects["project_no"].astype("Int64"))
    no = flagged["project_no"].astype("Int64")
    # the row's own 偏差原因 (national form) before the project's (Hubei form: one per table)
    row = flagged.get("row_deviation", pd.Series(None, index=flagged.index, dtype=object))
    flagged["deviation_reason"] = row.where(row.map(has_explanation), no.map(p["deviation_reason"]))
    flagged["improvement"] = no.map(p["improvement"])
    flagged["explained"] = flagged["deviation_reason"].map(has_explanation)
    return flagged


def project_summary(scored: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """One row per project: class counts, self vs rule totals and grades, and the department's own
    explanation."""
    ind = scored[scored["scope"].eq("project")].copy()
    ind["project_no"] = ind["project_no"].astype("Int64")
    counts = pd.crosstab(ind["project_no"], ind["classification"]).reindex(
        columns=list(L.CLASSES), fill_value=0
    )
    sums = ind.groupby("project_no").agg(
        n_indicators=("level3", "size"),
        indicator_score=("score", "sum"),
        indicator_rule_score=("rule_score", "sum"),
        n_flagged=("flagged", "sum"),
    )
    p = projects.copy()
    p["project_no"] = p["project_no"].astype("Int64")
    p = p.set_index("project_no")
    p["exec_weight"] = exec_weight(projects).to_numpy()
    p["exec_rule_score"] = exec_rule_score(projects).to_numpy()
    out = (
        p[
            [
                "project_name",
                "budget_wan",
                "executed_wan",
                "exec_rate_pct",
                "exec_weight",
                "exec_score",
                "exec_rule_score",
                "total_score",
                "deviation_reason",
                "improvement",
            ]
        ]
        .join(sums)
        .join(counts)
    )
    out[list(L.CLASSES)] = out[list(L.CLASSES)].fillna(0).astype(int)
    out["rule_total"] = (out["exec_rule_score"].fillna(0) + out["indicator_rule_score"].fillna(0)).round(2)
    out["self_total"] = out["total_score"]
    out["total_gap"] = (out["self_total"] - out["rule_total"]).round(2)
    out["self_grade"] = out["self_total"].map(grade)
    out["rule_grade"] = out["rule_total"].map(grade)
    out["explained"] = out["deviation_reason"].map(has_explanation)
    out["needs_explanation"] = out["n_flagged"].fillna(0).gt(0) | out["missed"].gt(0)
    return out.reset_index()


def department_summary(scored: pd.DataFrame, summary: pd.DataFrame) -> dict[str, float | int]:
    """Headline numbers for the findings sentences (domain.md §5 items 7–10)."""
    ind = scored
    quant = ind[ind["classification"].ne("qualitative")]
    copied = (ind["actual_raw"].astype(str).str.strip() == ind["target_raw"].astype(str).str.strip()).mean()
    return {
        "n_projects": len(summary),
        "n_indicators": len(ind),
        "n_quantitative": len(quant),
        "n_qualitative": int(ind["classification"].eq("qualitative").sum()),
        "n_met": int(ind["classification"].eq("met").sum()),
        "n_exceeded": int(ind["classification"].eq("exceeded").sum()),
        "n_missed": int(ind["classification"].eq("missed").sum()),
        "n_flagged": int(ind["flagged"].sum()),
        "n_full_score_projects": int(summary["self_total"].ge(100 - 1e-9).sum()),
        "n_exec_100": int(pd.to_numeric(summary["exec_rate_pct"], errors="coerce").eq(100).sum()),
        "share_copied": float(copied) if len(ind) else 0.0,
        "self_total_mean": float(summary["self_total"].mean()) if len(summary) else float("nan"),
        "rule_total_mean": float(summary["rule_total"].mean()) if len(summary) else float("nan"),
        "n_unexplained": int((summary["needs_explanation"] & ~summary["explained"]).sum()),
        "n_rule_grade_lower": int((summary["rule_grade"] != summary["self_grade"]).sum()),
    }


def findings(scored: pd.DataFrame, summary: pd.DataFrame, thresholds: Thresholds | None = None) -> list[str]:
    """Plain Chinese sentences an auditor can paste into a memo."""
    th = thresholds or Thresholds()
    s = department_summary(scored, summary)
    out = [
        f"共 {s['n_projects']} 个项目、{s['n_indicators']} 条绩效指标：达成 {s['n_met']} 条，"
        "远超目标（完成值≥目标值的 "
        f"{th.warn:g} 倍）{s['n_exceeded']} 条，未完成 {s['n_missed']} 条，定性或不可衡量 "
        f"{s['n_qualitative']} 条。"
    ]
    if s["n_projects"] and s["n_full_score_projects"] == s["n_projects"]:
        out.append(f"全部 {s['n_projects']} 个项目自评均为满分 100 分。")
    if s["n_projects"] and s["n_exec_100"] == s["n_projects"]:
        out.append(f"全部 {s['n_projects']} 个项目执行率均为 100%，需关注预算是否按执行数调整。")
    if s["share_copied"] >= config.SCORING.copied_share:
        out.append(f"{s['share_copied']:.0%} 的指标完成值与目标值文字完全相同。")
    if (
        s["n_qualitative"]
        and s["n_qualitative"] / max(s["n_indicators"], 1) >= config.SCORING.qualitative_share
    ):
        out.append(f"{s['n_qualitative']} 条指标为定性或文字描述，无法量化衡量。")
    strong = scored[scored["deviation_level"].eq("strong")]
    if len(strong):
        out.append(f"{len(strong)} 条指标完成值达到目标值的 {th.strong:g} 倍以上，目标设置明显偏低。")
    if len(summary):
        out.append(
            f"按计分规则重算，项目平均得分 {s['rule_total_mean']:.2f} 分，自评平均 "
            f"{s['self_total_mean']:.2f} 分；"
            f"{s['n_rule_grade_lower']} 个项目重算后等级不同。"
        )
    if s["n_unexplained"]:
        out.append(f"{s['n_unexplained']} 个项目存在偏差但“偏差原因”为空或为“无”。")
    return out


def run(
    indicators: pd.DataFrame,
    projects: pd.DataFrame,
    department_goals: pd.DataFrame | None = None,
    thresholds: Thresholds | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Scored indicators, project summary and findings in one call (what the notebook needs)."""
    scored = score_indicators(indicators, projects, department_goals, thresholds)
    summary = project_summary(scored, projects)
    return scored, summary, findings(scored, summary, thresholds)
