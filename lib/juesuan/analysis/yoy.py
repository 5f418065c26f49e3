"""Year-over-year change (domain.md §3.10): stated comparisons recomputed, and items matched across years.

Why: a disclosure states "增加 X 万元，增长 Y%" without the prior-year value; deriving 上年 = 本年 − X and
recomputing Y catches misprinted rates, and matching names across several years shows what was added or
dropped.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from enum import StrEnum

import numpy as np
import pandas as pd

from .. import config
from .budget import printed_tolerance, wide_by_item

_YEAR_PREFIX = re.compile(r"^(19|20)\d{2}\s*年(度)?")
_NOISE = re.compile(r"[\s“”\"'‘’（）()、，,。.:：;；·\-—_/]+")
_FISCAL_PARTS = ["一般公共预算", "政府性基金", "国有资本经营"]


def normalise_name(name: object) -> str:
    """NFKC, drop a leading year, spaces, quotes and punctuation: '2023年 “三支一扶”面试' ≡
    '“三支一扶”面试'."""
    s = unicodedata.normalize("NFKC", str(name or "")).strip()
    s = _YEAR_PREFIX.sub("", s)
    return _NOISE.sub("", s)


def stated_changes(figures: pd.DataFrame) -> pd.DataFrame:
    """Every stated change with its implied base and the rate recomputed.

    basis is 上年 for 比上年增减 (prior_change) and 年初预算 for 比年初预算增减 (budget_change) stated with a
    rate. Columns: section, item, basis, actual, stated_change, implied_base, stated_pct, recomputed_pct,
    pct_diff, pct_ok, source_line, page.
    """
    w = wide_by_item(figures)
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
    cols = [
        "section",
        "item",
        "basis",
        "actual",
        "stated_change",
        "implied_base",
        "stated_pct",
        "recomputed_pct",
        "pct_diff",
        "pct_ok",
        "flag",
        "source_line",
        "page",
    ]
    return w[cols].reset_index(drop=True)


def change_findings(changes: pd.DataFrame) -> list[str]:
    """One sentence per stated change; mismatching rates are called out."""
    out = []
    for r in changes.itertuples(index=False):
        word = "增加" if r.stated_change >= 0 else "减少"
        s = (
            f"{r.item}：本年 {r.actual:.2f} 万元，比{r.basis}{word} {abs(r.stated_change):.2f} 万元，"
            f"推算{r.basis}数 {r.implied_base:.2f} 万元"
        )
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
    if abs(residual) > config.AMOUNT_TOLERANCE or parts.empty:
        rows.append(("其他（未说明）" if len(parts) else "本年变动", "relative", residual))
    rows.append((f"本年{total['item']}", "total", total["actual"]))
    return pd.DataFrame(rows, columns=["label", "measure", "value"])


def _year(d) -> str:
    return str(d.year) if d.year is not None else d.doc_id


class Match(StrEnum):
    """How an item of the latest year relates to the year before it."""

    MATCHED = "matched"
    RENAMED = "renamed"
    NEW = "new"
    DROPPED = "dropped"


KINDS = ["figure", "line_item", "project", "indicator"]
# Columns of `compare_years` that are not years (every other column is one year's value).
META_COLUMNS = ["kind", "name", "prior_name", "change", "change_pct", "status", "large"]


def year_columns(comparison: pd.DataFrame) -> list[str]:
    """The year columns of a comparison, oldest first."""
    return [c for c in comparison.columns if c not in META_COLUMNS]


def _items(d, kind: str) -> pd.DataFrame:
    """One row per item of one kind in one disclosure: name, value (and budget for projects)."""
    if kind == "figure":
        f = d.figures[d.figures["measure"].eq("actual")]
        out = pd.DataFrame(
            {"name": (f["section"].astype(str) + "·" + f["item"]).to_numpy(), "value": f["value"].to_numpy()}
        )
    elif kind == "line_item":  # the group totals are figures too; here only the items, so that they add up
        li = d.line_items[~d.line_items["is_total"].astype(bool)]
        out = pd.DataFrame(
            {"name": (li["group"] + "·" + li["item"]).to_numpy(), "value": li["amount_wan"].to_numpy()}
        )
    elif kind == "project":
        p = d.projects
        out = pd.DataFrame(
            {
                "name": p["project_name"].to_numpy(),
                "value": p["executed_wan"].to_numpy(),
                "budget": p["budget_wan"].to_numpy(),
                "project_no": p["project_no"].to_numpy(),
            }
        )
    else:
        ind = d.indicators[d.indicators["scope"].eq("project")]
        out = pd.DataFrame(
            {
                "project_no": ind["project_no"].to_numpy(),
                "level3": ind["level3"].to_numpy(),
                "value": ind["actual_value"].to_numpy(),
            }
        )
    return out


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def match_renames(
    older: pd.DataFrame,
    newer: pd.DataFrame,
    tolerance: float = config.AMOUNT_TOLERANCE,
    similar: float = config.RENAME_SIMILARITY,
    similar_alone: float = config.RENAME_SIMILARITY_ALONE,
) -> dict[str, str]:
    """Projects of the older year with no namesake in the newer one, paired with newer projects likewise
    unmatched.

    Two are one project renamed when their normalised names are at least `similar_alone` alike, or at least
    `similar` alike with equal budgets. Pairs are taken best first, each project at most once. Columns of
    both:
    key, budget. Returns older key → newer key.
    """
    pairs = []
    for o in older.itertuples(index=False):
        for n in newer.itertuples(index=False):
            s = _similarity(o.key, n.key)
            same_budget = pd.notna(o.budget) and pd.notna(n.budget) and abs(o.budget - n.budget) <= tolerance
            if s >= similar_alone or (same_budget and s >= similar):
                pairs.append((s + (1.0 if same_budget else 0.0), o.key, n.key))
    out: dict[str, str] = {}
    taken: set[str] = set()
    for _, o, n in sorted(pairs, reverse=True):
        if o not in out and n not in taken:
            out[o] = n
            taken.add(n)
    return out


def _project_keys(docs: Sequence) -> tuple[list[pd.DataFrame], list[dict[str, str]]]:
    """Each year's projects with a key that follows renames to the latest year's name, and what was renamed.

    Returns per document (oldest first): its projects with columns key (canonical), name, value, budget,
    project_no; and per document the renames between it and the next year (canonical key → its own name
    there).
    """
    frames = []
    for d in docs:
        p = _items(d, "project")
        p["key"] = p["name"].map(normalise_name)
        frames.append(p.drop_duplicates("key"))
    renamed: list[dict[str, str]] = [{} for _ in docs]
    for i in range(len(docs) - 2, -1, -1):  # newest first: the newer year's keys are already canonical
        older, newer = frames[i], frames[i + 1]
        lone_old = older[~older["key"].isin(newer["key"])]
        lone_new = newer[~newer["key"].isin(older["key"])]
        pairs = match_renames(lone_old[["key", "budget"]], lone_new[["key", "budget"]])
        if pairs:
            renamed[i] = {
                pairs[k]: name for k, name in zip(older["key"], older["name"], strict=True) if k in pairs
            }
            frames[i] = older.assign(key=older["key"].map(lambda k, p=pairs: p.get(k, k)))
    return frames, renamed


def compare_years(
    current, priors: Sequence, large_change_pct: float = config.LARGE_CHANGE_PCT
) -> pd.DataFrame:
    """Figures, line items, projects and indicators matched across disclosures by normalised name.

    Columns: kind, name, prior_name (a renamed project's name the year before), one column per year (oldest
    first), change, change_pct (latest vs previous), status (`Match`), large (|change_pct| ≥
    large_change_pct, or not matched). Projects whose names differ are paired as renamed by `match_renames`;
    their indicators follow them. An item empty in every year (a qualitative indicator, say) is not an item
    of the comparison. `current` and `priors` are `Disclosure`s of the same department; without priors the
    result is empty.
    """
    if not priors:
        return pd.DataFrame(columns=META_COLUMNS)
    docs = sorted([*priors, current], key=_year)
    years = [_year(d) for d in docs]
    if len(set(years)) < len(years):  # same year twice (e.g. a corrected re-publication): label by document
        docs = [*priors, current]
        years = [d.doc_id for d in docs]
    projects, renamed = _project_keys(docs)
    frames = []
    for kind in KINDS:
        values, present = {}, {}
        labels: dict[str, str] = {}
        for d, y, p in zip(docs, years, projects, strict=True):
            if kind == "project":
                t = p[["key", "name", "value"]]
            else:
                t = _items(d, kind)
                if kind == "indicator":
                    project = t["project_no"].map(p.set_index("project_no")["key"])
                    names = t["project_no"].map(p.set_index("project_no")["name"])
                    t = pd.DataFrame(
                        {
                            "key": (project.astype(str) + "·" + t["level3"].map(normalise_name)).to_numpy(),
                            "name": (names.astype(str) + "·" + t["level3"]).to_numpy(),
                            "value": t["value"].to_numpy(),
                        }
                    )
                else:
                    t = t.assign(key=t["name"].map(normalise_name))
            labels.update(
                {k: n for k, n in zip(t["key"], t["name"], strict=True)}
            )  # the latest year's name wins
            values[y] = t.groupby("key", sort=False)["value"].sum(min_count=1)
            present[y] = pd.Series(True, index=pd.Index(t["key"].unique()))
        v = pd.DataFrame(values)
        v = v[v.notna().any(axis=1)]  # empty in every year: nothing to compare
        if v.empty:
            continue
        here = pd.DataFrame(present).reindex(v.index).fillna(False).astype(bool)
        v.insert(0, "name", [labels[k] for k in v.index])
        v.insert(0, "kind", kind)
        prior_names = renamed[-2] if kind == "project" and len(docs) >= 2 else {}
        v.insert(2, "prior_name", [prior_names.get(k, "") for k in v.index])
        v["_prev"], v["_last"] = here[years[-2]], here[years[-1]]
        frames.append(v)
    if not frames:
        return pd.DataFrame(columns=[*META_COLUMNS[:3], *years, *META_COLUMNS[3:]])
    out = pd.concat(frames).reset_index(drop=True)
    last, prev = years[-1], years[-2]
    out["change"] = (out[last] - out[prev]).round(2)
    out["change_pct"] = (out["change"] / out[prev] * 100).where(out[prev] > 0).round(2)
    out["status"] = np.select(
        [out["_prev"] & out["_last"] & out["prior_name"].ne(""), out["_prev"] & out["_last"], out["_last"]],
        [Match.RENAMED.value, Match.MATCHED.value, Match.NEW.value],
        default=Match.DROPPED.value,
    )
    out["large"] = out["change_pct"].abs().ge(large_change_pct) | ~out["status"].isin(
        [Match.MATCHED, Match.RENAMED]
    )
    return out.drop(columns=["_prev", "_last"])


KIND_LABEL = {
    "figure": "情况说明金额",
    "line_item": "基本支出明细",
    "project": "项目",
    "indicator": "绩效指标",
}
STATUS_LABEL = {Match.MATCHED: "匹配", Match.RENAMED: "更名", Match.NEW: "新增", Match.DROPPED: "取消"}


def comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """The comparison with Chinese headers and kind labels, for display."""
    names = {
        "kind": "类别",
        "name": "名称",
        "prior_name": "上年名称",
        "change": "变动",
        "change_pct": "变动%",
        "status": "匹配",
        "large": "标注",
    }
    out = comparison.assign(kind=comparison["kind"].map(KIND_LABEL).fillna(comparison["kind"]))
    if "status" in out:
        out["status"] = out["status"].map(STATUS_LABEL)
    return out.rename(columns=names)


def comparison_findings(
    comparison: pd.DataFrame, large_change_pct: float = config.LARGE_CHANGE_PCT
) -> list[str]:
    """Sentences on the cross-year match: counts per kind, new, dropped and renamed projects, large
    changes."""
    if comparison.empty:
        return [
            "未提供往年公开（prior 为空，数据目录中也没有同一部门以前年度的公开），跨年度比较从略；"
            "上表的上年数均由本年公开中的增减额推算。"
        ]
    out = []
    for kind, label in KIND_LABEL.items():
        part = comparison[comparison["kind"].eq(kind)]
        if len(part):
            n = part["status"].value_counts()
            both = part["status"].isin([Match.MATCHED, Match.RENAMED])
            renamed = f"（其中更名 {n.get(Match.RENAMED, 0)} 项）" if n.get(Match.RENAMED, 0) else ""
            out.append(
                f"{label}：匹配 {int(both.sum())} 项{renamed}，新增 {n.get(Match.NEW, 0)} 项，"
                f"取消 {n.get(Match.DROPPED, 0)} 项；变动超过 ±{large_change_pct:g}% 的 "
                f"{int((both & part['large']).sum())} 项。"
            )
    projects = comparison[comparison["kind"].eq("project")]
    for status, word in [(Match.NEW, "新增项目"), (Match.DROPPED, "取消项目")]:
        names = projects.loc[projects["status"].eq(status), "name"].tolist()
        if names:
            out.append(f"{word}：" + "、".join(names) + "。")
    renames = projects[projects["status"].eq(Match.RENAMED)]
    if len(renames):
        out.append(
            "更名项目（按名称相似和预算数匹配）："
            + "；".join(f"{r.prior_name} → {r.name}" for r in renames.itertuples(index=False))
            + "。"
        )
    return out


def year_bridge(comparison: pd.DataFrame, kind: str = "line_item") -> pd.DataFrame:
    """Waterfall from the previous year's sum of `kind` items to the latest year's, one step per changed
    item."""
    years = year_columns(comparison)
    if len(years) < 2:
        return pd.DataFrame(columns=["label", "measure", "value"])
    prev, last = years[-2], years[-1]
    part = comparison[comparison["kind"].eq(kind)]
    t = part.fillna({prev: 0, last: 0})
    steps = (t[last] - t[prev]).round(2)
    t = t.assign(step=steps)[steps.abs() > 0.005].sort_values("step", key=abs, ascending=False)
    rows = [(f"{prev} 年合计", "absolute", round(float(part[prev].sum()), 2))]
    rows += [(r.name, "relative", r.step) for r in t.itertuples(index=False)]
    rows.append((f"{last} 年合计", "total", round(float(part[last].sum()), 2)))
    return pd.DataFrame(rows, columns=["label", "measure", "value"])
