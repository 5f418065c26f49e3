"""Indicator scoring engine (domain.md §4.4): recompute each indicator's score under the rules, next to the
self-score.

Why: a self-evaluation is only as good as its arithmetic. Recomputing every score under the published rules
shows where the department was generous (full marks for a missed target, or for a target set far too low).

Weights. The Hubei project form (domain.md §4.3 B) prints no 分值 column, only 得分; the indicator block is
worth 80 points (100 − the 20-point 执行率 line) and a department goal states its own points (年度目标
1：（10 分）). `infer_weights` therefore derives each indicator's weight from its group's pool:

1. a `weight` column in the input (national / Sichuan forms) is used as printed (`weight_source` = "table");
2. if the group's self-scores add up to its pool (±0.5), every indicator claimed full marks, so weight =
   self-score ("self_score") — the only reading consistent with the printed total;
3. if they add up to less, met indicators keep weight = self-score and the shortfall is spread over the
   indicators that lost points under the rules (missed, off-target, qualitative) in proportion to their
   self-scores ("self_score+shortfall");
4. if they add up to more (or nothing lost points), weights are scaled to the pool ("scaled");
5. with no known pool (a department indicator without goal points) weight = self-score ("self_score").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import config
from .. import labels as L
from ..records import column

DIRECTION_BY_OP = {"≥": "higher", ">": "higher", "≤": "lower", "<": "lower", "=": "equal"}
# The display labels live in labels.py (one vocabulary for every report); these names are kept for callers.
DIRECTION_LABEL = L.DIRECTIONS
CLASS_LABEL = L.CLASSES

SETTINGS = config.SCORING
QUALITATIVE_TIERS = {tier: (low, high) for tier, low, high in SETTINGS.qualitative_tiers}
_TIER3 = re.compile(r"未(达成|完成|达到|实现)|较差|无效|没有")
_TIER2 = re.compile(r"部分|基本|一定")


@dataclass(frozen=True)
class Thresholds:
    """Ratios (actual/target, oriented so that > 1 means better than target) that mark a target as set too
    low."""

    warn: float = config.DEVIATION_WARN
    explain: float = config.DEVIATION_EXPLAIN
    strong: float = config.DEVIATION_STRONG


SCORED_COLUMNS = [
    "direction",
    "ratio",
    "performance",
    "classification",
    "deviation_level",
    "weight",
    "weight_source",
    "rule_score",
    "rule_low",
    "rule_high",
    "rule",
    "score_gap",
    "finding",
    "flagged",
]


def direction(op: object) -> str:
    """≥/> → higher is better; ≤/< → lower is better (cost); no operator or = → equal to the target."""
    return DIRECTION_BY_OP.get(op, "equal") if isinstance(op, str) else "equal"


def qualitative_tier(target_raw: object, actual_raw: object) -> int | None:
    """Tier 1 (达成) when the actual text repeats the target or claims completion; None when unreadable."""
    actual = str(actual_raw or "").strip()
    if not actual:
        return None
    if _TIER3.search(actual):
        return 3
    if _TIER2.search(actual):
        return 2
    return 1


def _quantitative(d: str, a: float, t: float, th: Thresholds) -> tuple[float, float, str, str, float, str]:
    """(ratio, performance, classification, level, rule share of weight, rule text) for numeric target and
    actual."""
    ratio = a / t if t else (math.nan if a else 1.0)
    if d == "higher":
        perf = a / t if t > 0 else (math.inf if a > 0 else 1.0)
        share = 1.0 if perf >= 1 else max(perf, 0.0)
        rule = "正向：完成值≥目标值得满分，否则 分值×完成值/目标值"
    elif d == "lower":
        perf = t / a if a > 0 else (math.inf if t > 0 else 1.0)
        share = 1.0 if perf >= 1 else max(perf, 0.0)
        rule = "反向：完成值≤目标值得满分，否则 分值×目标值/完成值"
    else:
        if t == 0:
            perf = 1.0 if a <= 0 else 0.0
            share = perf
        else:
            perf = ratio
            share = 1.0 if abs(ratio - 1) <= SETTINGS.equal_tolerance else (ratio if ratio < 1 else 1 / ratio)
        rule = "等于：完成值=目标值得满分，否则按比例（低于：完成/目标；高于：目标/完成）"
    level = _level(perf, th)
    tol = SETTINGS.equal_tolerance if d == "equal" else 1e-9
    cls = "missed" if perf < 1 - tol else ("exceeded" if perf >= th.warn else "met")
    return ratio, perf, cls, level, share, rule


def _level(perf: float, th: Thresholds) -> str:
    if perf >= th.strong:
        return "strong"
    if perf >= th.explain:
        return "explain"
    if perf >= th.warn:
        return "warn"
    return ""


def classify(indicators: pd.DataFrame, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Direction, ratio, oriented performance, classification and the rule's share of the weight, per row."""
    th = thresholds or Thresholds()
    rows = []
    cols = (column(indicators, c) for c in _CLASSIFY_INPUTS)
    for op, t, a, tu, au, target_raw, actual_raw in zip(*cols, strict=True):
        d = direction(op)
        numeric = t is not None and a is not None
        same_unit = tu is None or au is None or str(tu) == str(au)
        if numeric and same_unit:
            ratio, perf, cls, level, share, rule = _quantitative(d, float(a), float(t), th)
            low = high = share
        else:
            ratio = perf = math.nan
            cls, level = "qualitative", ""
            tier = qualitative_tier(target_raw, actual_raw)
            if numeric and not same_unit:
                tier, why = None, "单位不一致，无法比较"
            elif t is None and a is None:
                why = "定性指标"
            else:
                why = "目标或完成值为文字，不可衡量"
            low, high = QUALITATIVE_TIERS.get(tier, (0.0, 1.0))
            share = high
            rule = f"{why}：" + (
                f"第{tier}档，得分应在分值的 {low:.0%}–{high:.0%}" if tier else "档次无法判断"
            )
        rows.append((d, ratio, perf, cls, level, share, low, high, rule))
    return pd.DataFrame(rows, columns=_CLASSIFY_OUTPUTS, index=indicators.index)


_CLASSIFY_INPUTS = (
    "target_op",
    "target_value",
    "actual_value",
    "target_unit",
    "actual_unit",
    "target_raw",
    "actual_raw",
)
_CLASSIFY_OUTPUTS = [
    "direction",
    "ratio",
    "performance",
    "classification",
    "deviation_level",
    "share",
    "low",
    "high",
    "rule",
]


def exec_weight(projects: pd.DataFrame) -> pd.Series:
    """Points of the 执行率 line per project: as printed (national form), else exec_score / min(rate, 1) when
    readable, else the Hubei 20."""
    rate, score = _floats(projects, "exec_rate_pct") / 100, _floats(projects, "exec_score")
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(rate > 0, score / np.minimum(rate, 1), np.nan)
    w = np.where(np.abs(w - np.round(w)) < SETTINGS.weight_snap, np.round(w), np.nan)
    printed = _floats(projects, "exec_weight")
    w = np.where(np.isnan(printed), w, printed)
    w = np.where(np.isnan(w), SETTINGS.default_exec_weight, w)
    return pd.Series(w, index=pd.Index(projects["project_no"].astype("Int64"), name="project_no"))


def _floats(df: pd.DataFrame, name: str) -> np.ndarray:
    """A column as floats (unreadable or missing → NaN; all NaN when the column is absent)."""
    if name not in df.columns:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _pools(rows: list[tuple], projects: pd.DataFrame | None, goals: pd.DataFrame | None) -> np.ndarray:
    """The points each indicator's group shares: 100 − 执行率 points for a project, goal points for a goal
    (NaN where unknown, or where two rows of the same project or goal disagree: never guessed). `rows`: each
    indicator's (scope, project_no, goal_no)."""
    exec_points: dict = {}
    if projects is not None and len(projects):
        exec_points = _lookup(column(projects, "project_no"), exec_weight(projects).tolist())
    goal_points: dict = {}
    if goals is not None and len(goals):
        goal_points = _lookup(column(goals, "goal_no"), column(goals, "goal_points"))
    total, default = SETTINGS.total_points, SETTINGS.default_exec_weight
    return np.array(
        [
            total - exec_points.get(pno, default) if scope == "project" else goal_points.get(gno, math.nan)
            for scope, pno, gno in rows
        ],
        dtype=float,
    )


def _lookup(keys: list, values: list) -> dict:
    """key → value as a float; a key whose rows disagree maps to NaN."""
    out: dict = {}
    for k, v in zip(keys, values, strict=True):
        v = math.nan if v is None else float(v)
        if k is None:
            continue
        if k in out and not (out[k] == v or (math.isnan(out[k]) and math.isnan(v))):
            v = math.nan
        out[k] = v
    return out


def infer_weights(
    indicators: pd.DataFrame,
    classes: pd.DataFrame,
    projects: pd.DataFrame | None = None,
    goals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Weight and weight_source per indicator (see the module docstring for the reasoning)."""
    printed = _floats(indicators, "weight")
    has = ~np.isnan(printed)  # a table that prints its 分值 (national form) is read, never inferred
    if has.all():
        return pd.DataFrame({"weight": printed, "weight_source": "table"}, index=indicators.index)
    rows = list(zip(*(column(indicators, c) for c in ("scope", "project_no", "goal_no")), strict=True))
    pool = _pools(rows, projects, goals)
    groups: dict[tuple, list[int]] = {}
    for k, (scope, pno, gno) in enumerate(rows):
        groups.setdefault((scope, pno if scope == "project" else gno), []).append(k)
    # positional arrays, one assignment at the end: a .loc write per group cost more than the whole scoring
    scores, share = _floats(indicators, "score"), classes["share"].to_numpy(dtype=float)
    qualitative = classes["classification"].eq("qualitative").to_numpy()
    weight, source = np.full(len(scores), np.nan), np.full(len(scores), "", dtype=object)
    for members in groups.values():
        idx = np.array(members)
        s, p = scores[idx], pool[idx[0]]
        total = np.nan if np.isnan(s).all() else np.nansum(s)
        if np.isnan(p) or np.isnan(total) or abs(total - p) <= SETTINGS.score_tolerance:
            weight[idx], source[idx] = s, "self_score"
            continue
        lost = (share[idx] < 1 - 1e-9) | qualitative[idx]
        if total < p and lost.any():
            base = s[lost] if np.nansum(s[lost]) > 0 else np.ones(int(lost.sum()))
            w = s.copy()
            w[lost] = s[lost] + (p - total) * base / np.nansum(base)
            weight[idx], source[idx] = w, "self_score+shortfall"
        else:
            weight[idx], source[idx] = (s * p / total if total else np.nan), "scaled"
    weight[has], source[has] = printed[has], "table"
    return pd.DataFrame({"weight": weight, "weight_source": source}, index=indicators.index)


def _finding(
    cls: str, perf: float, d: str, score: float, weight: float, rule_score: float, gap: float, th: Thresholds
) -> str:
    """One plain Chinese sentence per problem, or "" when the indicator is unremarkable."""
    notes = []
    full = not (math.isnan(score) or math.isnan(weight)) and score >= weight - SETTINGS.score_tolerance
    if cls == "exceeded":
        if not np.isfinite(perf):
            times = "完成值为 0"
        elif d == "lower":
            times = f"完成值仅为目标值的 {1 / perf:.0%}"
        else:
            times = f"完成值为目标值的 {perf:.2f} 倍"
        if perf >= th.explain and full:
            notes.append(f"{times}，目标设置偏低，仍得满分，未按偏离度调减")
        else:
            notes.append(f"{times}，目标可能设置偏低")
    if cls == "missed" and full:
        notes.append("未完成目标却得满分")
    if not math.isnan(gap) and abs(gap) > SETTINGS.score_tolerance:
        notes.append(f"自评得分 {score:g} 与计分规则得分 {rule_score:.2f} 不符")
    return "；".join(notes)


def score_indicators(
    indicators: pd.DataFrame,
    projects: pd.DataFrame | None = None,
    department_goals: pd.DataFrame | None = None,
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """Return `indicators` with direction, ratio, performance, classification, deviation_level, weight,
    weight_source, rule_score (and the rule's allowed range rule_low..rule_high), rule, score_gap, finding,
    flagged.

    `projects` and `department_goals` (optional) supply the point pools used to infer weights.
    """
    th = thresholds or Thresholds()
    out = indicators.copy()
    if out.empty:
        for c in SCORED_COLUMNS:
            out[c] = pd.Series(dtype="object")
        return out
    classes = classify(out, th)
    weights = infer_weights(out, classes, projects, department_goals)
    new = {
        c: classes[c]
        for c in ["direction", "ratio", "performance", "classification", "deviation_level", "rule"]
    }
    new["weight"] = weights["weight"].astype(float)
    new["weight_source"] = weights["weight_source"]
    new["rule_low"] = (new["weight"] * classes["low"]).round(2)
    new["rule_high"] = (new["weight"] * classes["high"]).round(2)
    score = pd.to_numeric(out["score"], errors="coerce").astype(float)
    # Qualitative: the rule allows a band, so a self-score inside it is the rule score; outside, the nearest
    # bound.
    within = score.clip(lower=new["rule_low"], upper=new["rule_high"])
    qual = new["classification"].eq("qualitative")
    new["rule_score"] = (
        (new["weight"] * classes["share"]).round(2).where(~qual, within.fillna(new["rule_high"]))
    )
    new["score_gap"] = (score - new["rule_score"]).round(2)
    added = pd.DataFrame(
        new, index=out.index
    )  # one concat: inserting columns one by one cost more than the scoring
    inputs = [
        classes["classification"].tolist(),
        *(x.to_numpy(dtype=float) for x in (classes["performance"], score, new["weight"])),
        classes["direction"].tolist(),
        *(new[c].to_numpy(dtype=float) for c in ("rule_score", "score_gap")),
    ]
    added["finding"] = [
        _finding(cls, perf, d, s, w, rs, gap, th) for cls, perf, s, w, d, rs, gap in zip(*inputs, strict=True)
    ]
    added["flagged"] = added["finding"].ne("")
    existing = [c for c in added.columns if c in out.columns]  # a printed weight column keeps its place
    for c in existing:
        out[c] = added[c]
    return pd.concat([out, added.drop(columns=existing)], axis=1)


def grade(points: float) -> str:
    """优 ≥90, 良 80–<90, 中 60–<80, 差 <60 (domain.md §4.2)."""
    if pd.isna(points):
        return ""
    return next((label for floor, label in SETTINGS.grades if points >= floor), "差")


def exec_rule_score(projects: pd.DataFrame) -> pd.Series:
    """执行率 points under the rule: weight × min(执行数/预算数, 1), recomputed from the amounts."""
    budget = pd.to_numeric(projects["budget_wan"], errors="coerce")
    executed = pd.to_numeric(projects["executed_wan"], errors="coerce")
    rate = (executed / budget).where(budget > 0)
    return (exec_weight(projects).to_numpy() * rate.clip(upper=1)).round(2)
