"""Year-over-year change (domain.md §3.10): stated comparisons recomputed, and items matched across years.

Why: a disclosure states "增加 X 万元，增长 Y%" without the prior-year value; deriving 上年 = 本年 − X and recomputing Y
catches misprinted rates, and matching names across several years shows what was added or dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .budget import _wide, printed_tolerance

_YEAR_PREFIX = re.compile(r"^(19|20)\d{2}\s*年(度)?")
_NOISE = re.compile(r"[\s“”\"'‘’（）()、，,。.:：;；·\-—_/]+")
_FISCAL_PARTS = ["一般公共预算", "政府性基金", "国有资本经营"]


def normalise_name(name: object) -> str:
    """NFKC, drop a leading year, spaces, quotes and punctuation: '2023年 “三支一扶”面试' ≡ '“三支一扶”面试'."""
    s = unicodedata.normalize("NFKC", str(name or "")).strip()
    s = _YEAR_PREFIX.sub("", s)
    return _NOISE.sub("", s)


def stated_changes(figures: pd.DataFrame) -> pd.DataFrame:
    """Every stated change with its implied base and the rate recomputed.

    basis is 上年 for 比上年增减 (prior_change) and 年初预算 for 比年初预算增减 (budget_change) stated with a rate.
    Columns: section, item, basis, actual, stated_change, implied_base, stated_pct, recomputed_pct, pct_diff, pct_ok,
    source_line, page.
    """
    w = _wide(figures)
    for m in ["actual", "prior_change", "change_pct", "budget_change", "budget"]:
        if m not in w:
            w[m] = np.nan
    prior = w["prior_change"].notna()
    vs_budget = ~prior & w["budget_change"].notna() & w["change_pct"].notna()
    w = w[(prior | vs_budget) & w["actual"].notna()].copy()
    w["basis"] = np.where(w["prior_change"].notna(), "上年", "年初预算")
    w["stated_change"] = w["prior_change"].fillna(w["budget_change"])
    w["implied_base"] = (w["actual"] - w["stated_change"]).round(2)
    w["stated_pct"] = w["change_pct"]
    w["recomputed_pct"] = (w["stated_change"] / w["implied_base"] * 100).where(w["implied_base"] > 0).round(2)
    w["pct_diff"] = (w["stated_pct"] - w["recomputed_pct"]).round(2)
    tol = w["stated_pct"].map(printed_tolerance)
    w["pct_ok"] = (w["pct_diff"].abs() <= tol) | w["stated_pct"].isna()
    w["flag"] = ~w["pct_ok"] | (w["stated_pct"].notna() & w["implied_base"].le(0))
    cols = ["section", "item", "basis", "actual", "stated_change", "implied_base", "stated_pct", "recomputed_pct",
            "pct_diff", "pct_ok", "flag", "source_line", "page"]
    return w[cols].reset_index(drop=True)


def change_findings(changes: pd.DataFrame) -> list[str]:
    """One sentence per stated change; mismatching rates are called out."""
    out = []
    for r in changes.itertuples(index=False):
        word = "增加" if r.stated_change >= 0 else "减少"
        s = (f"{r.item}：本年 {r.actual:.2f} 万元，比{r.basis}{word} {abs(r.stated_change):.2f} 万元，"
             f"推算{r.basis}数 {r.implied_base:.2f} 万元")
        if pd.notna(r.recomputed_pct):
            s += f"，重算增长率 {r.recomputed_pct:.2f}%"
        if pd.notna(r.stated_pct):
            s += f"，公开文本写 {r.stated_pct:g}%"
            s += "，一致" if r.pct_ok else "，与金额不符"
        out.append(s + "。")
    return out


def total_bridge(figures: pd.DataFrame) -> pd.DataFrame:
    """Waterfall steps from the implied prior-year 收支总计 to this year's, via the stated fiscal components.

    Columns: label, measure (absolute / relative / total, as plotly's waterfall wants), value.
    A residual step "其他（未说明）" appears when the components do not add up to the total's change.
    """
    changes = stated_changes(figures)
    changes = changes[changes["basis"].eq("上年")]
    if changes.empty:
        return pd.DataFrame(columns=["label", "measure", "value"])
    totals = changes[changes["item"].str.contains("总计", na=False)]
    total = (totals if len(totals) else changes.sort_values("actual", ascending=False)).iloc[0]
    parts = changes[
        changes["item"].str.contains("财政拨款收入", na=False)
        & changes["item"].map(lambda s: any(k in s for k in _FISCAL_PARTS))
    ].drop_duplicates("item")
    rows = [(f"上年{total['item']}（推算）", "absolute", total["implied_base"])]
    rows += [(r.item, "relative", r.stated_change) for r in parts.itertuples(index=False)]
    residual = round(total["stated_change"] - parts["stated_change"].sum(), 2)
    if abs(residual) > 0.01 or parts.empty:
        rows.append(("其他（未说明）" if len(parts) else "本年变动", "relative", residual))
    rows.append((f"本年{total['item']}", "total", total["actual"]))
    return pd.DataFrame(rows, columns=["label", "measure", "value"])


def _year(d) -> str:
    return str(d.year) if d.year is not None else d.doc_id


def _series(d, kind: str) -> pd.Series:
    """name → value for one kind of item in one disclosure (names normalised, duplicates summed)."""
    if kind == "figure":
        f = d.figures[d.figures["measure"].eq("actual")]
        s = pd.Series(f["value"].to_numpy(), index=(f["section"].astype(str) + "·" + f["item"]).to_numpy())
    elif kind == "line_item":
        li = d.line_items
        s = pd.Series(li["amount_wan"].to_numpy(), index=(li["group"] + "·" + li["item"]).to_numpy())
    elif kind == "project":
        p = d.projects
        s = pd.Series(p["executed_wan"].to_numpy(), index=p["project_name"].to_numpy())
    else:
        ind = d.indicators[d.indicators["scope"].eq("project")]
        names = ind["project_no"].map(d.projects.set_index("project_no")["project_name"])
        s = pd.Series(ind["actual_value"].to_numpy(), index=(names.astype(str) + "·" + ind["level3"]).to_numpy())
    s = s[~s.index.duplicated()]
    return s


def compare_years(current, priors: Sequence, large_change_pct: float = 20.0) -> pd.DataFrame:
    """Figures, line items, projects and indicators matched across disclosures by normalised name.

    Columns: kind, name, one column per year (oldest first), change, change_pct (latest vs previous), status
    (matched / new / dropped), large (|change_pct| ≥ large_change_pct, or new/dropped).
    `current` and `priors` are `Disclosure`s of the same department; without priors the result is empty.
    """
    if not priors:
        return pd.DataFrame(columns=["kind", "name", "change", "change_pct", "status", "large"])
    docs = sorted([*priors, current], key=_year)
    years = [_year(d) for d in docs]
    if len(set(years)) < len(years):  # same year twice (e.g. a corrected re-publication): label by document
        docs = [*priors, current]
        years = [d.doc_id for d in docs]
    frames = []
    for kind in ["figure", "line_item", "project", "indicator"]:
        cols = {}
        labels: dict[str, str] = {}
        for d, y in zip(docs, years, strict=True):
            s = _series(d, kind)
            keys = [normalise_name(n) for n in s.index]
            labels.update({k: n for k, n in zip(keys, s.index, strict=True) if k not in labels})
            cols[y] = pd.Series(s.to_numpy(), index=keys).groupby(level=0).sum(min_count=1)
        t = pd.DataFrame(cols)
        t.insert(0, "name", [labels[k] for k in t.index])
        t.insert(0, "kind", kind)
        frames.append(t)
    out = pd.concat(frames).reset_index(drop=True) if frames else pd.DataFrame()
    if len(years) >= 2:
        last, prev = years[-1], years[-2]
        out["change"] = (out[last] - out[prev]).round(2)
        out["change_pct"] = (out["change"] / out[prev] * 100).where(out[prev] > 0).round(2)
        out["status"] = np.select(
            [out[prev].isna() & out[last].notna(), out[prev].notna() & out[last].isna()],
            ["new", "dropped"], default="matched",
        )
        out["large"] = out["change_pct"].abs().ge(large_change_pct) | out["status"].ne("matched")
    return out


KIND_LABEL = {"figure": "情况说明金额", "line_item": "基本支出明细", "project": "项目", "indicator": "绩效指标"}


def comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """The comparison with Chinese headers and kind labels, for display."""
    names = {"kind": "类别", "name": "名称", "change": "变动", "change_pct": "变动%", "status": "匹配", "large": "标注"}
    status = {"matched": "匹配", "new": "新增", "dropped": "取消"}
    out = comparison.assign(kind=comparison["kind"].map(KIND_LABEL).fillna(comparison["kind"]))
    if "status" in out:
        out["status"] = out["status"].map(status)
    return out.rename(columns=names)


def comparison_findings(comparison: pd.DataFrame, large_change_pct: float = 20.0) -> list[str]:
    """Sentences on the cross-year match: counts per kind, new and dropped projects, large changes."""
    if comparison.empty:
        return ["未提供往年公开（prior 为空），跨年度比较从略；上表的上年数均由本年公开中的增减额推算。"]
    out = []
    for kind, label in KIND_LABEL.items():
        part = comparison[comparison["kind"].eq(kind)]
        if len(part):
            n = part["status"].value_counts()
            out.append(f"{label}：匹配 {n.get('matched', 0)} 项，新增 {n.get('new', 0)} 项，取消 {n.get('dropped', 0)} 项；"
                       f"变动超过 ±{large_change_pct:g}% 的 {int((part['status'].eq('matched') & part['large']).sum())} 项。")
    projects = comparison[comparison["kind"].eq("project")]
    for status, word in [("new", "新增项目"), ("dropped", "取消项目")]:
        names = projects.loc[projects["status"].eq(status), "name"].tolist()
        if names:
            out.append(f"{word}：" + "、".join(names) + "。")
    return out


def year_bridge(comparison: pd.DataFrame, kind: str = "line_item") -> pd.DataFrame:
    """Waterfall from the previous year's sum of `kind` items to the latest year's, one step per changed item."""
    years = [c for c in comparison.columns if c not in {"kind", "name", "change", "change_pct", "status"}]
    if len(years) < 2:
        return pd.DataFrame(columns=["label", "measure", "value"])
    prev, last = years[-2], years[-1]
    t = comparison[comparison["kind"].eq(kind)].fillna({prev: 0, last: 0})
    steps = (t[last] - t[prev]).round(2)
    t = t.assign(step=steps)[steps.abs() > 0.005].sort_values("step", key=abs, ascending=False)
    rows = [(f"{prev} 年合计", "absolute", round(comparison.loc[comparison["kind"].eq(kind), prev].sum(), 2))]
    rows += [(r.name, "relative", r.step) for r in t.itertuples(index=False)]
    rows.append((f"{last} 年合计", "total", round(comparison.loc[comparison["kind"].eq(kind), last].sum(), 2)))
    return pd.DataFrame(rows, columns=["label", "measure", "value"])
