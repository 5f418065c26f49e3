"""Across departments: the documents of one year side by side, and each department over the years.

Why: a reviewer of a county reads its departments together — which spent far more than the others, whose 三公
grew, whose projects all score 100, who has the most errors. The data come from the panel (`juesuan.panel`),
so a report on one document shows it among the others parsed into the same directory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from .. import labels as L
from ..identity import normalise_department
from ..panel import cached

SEVERITIES = list(L.SEVERITIES)  # the table's severity columns, in ranking order

# column → (label, the item names the templates print for it, measure). Matched after removing spaces and
# quotes.
HEADLINE: dict[str, tuple[str, tuple[str, ...], str]] = {
    "total": ("收支总计", ("收支总计", "收入支出总计"), "actual"),
    "income": ("收入合计", ("收入合计", "本年收入合计"), "actual"),
    "expenditure": ("支出合计", ("支出合计", "本年支出合计"), "actual"),
    "basic": ("基本支出", ("基本支出",), "actual"),
    "project": ("项目支出", ("项目支出",), "actual"),
    "general_budget": ("一般公共预算财政拨款支出·预算", ("一般公共预算财政拨款支出",), "budget"),
    "general_actual": ("一般公共预算财政拨款支出·决算", ("一般公共预算财政拨款支出",), "actual"),
    "three_public_budget": ("“三公”经费·预算", ("三公经费",), "budget"),
    "three_public": ("“三公”经费·决算", ("三公经费",), "actual"),
    "operating": ("机关运行经费", ("机关运行经费",), "actual"),
}
# A budget and its actual are taken from the same section (五（三）'s 决算 beside its 预算, not 五（一）'s).
PAIRS = {"general_actual": "general_budget", "three_public": "three_public_budget"}
_STRIP = re.compile(r"[\s“”\"'‘’]")


def _item_key(item: object) -> str:
    return _STRIP.sub("", str(item))


@dataclass
class Gathered:
    """The rows the cross-department report needs, for every document of the panel (and the current one)."""

    documents: pd.DataFrame  # doc_id, department, department_key, year, sha256, file, current (bool)
    figures: pd.DataFrame  # doc_id, section, item, measure, value, unit, source_line, page
    projects: (
        pd.DataFrame
    )  # doc_id, project_name, budget_wan, executed_wan, exec_rate_pct, total_score, page, …
    checks: pd.DataFrame  # doc_id, severity, status, n


_FIGURE_COLUMNS = ["doc_id", "section", "item", "measure", "value", "unit", "source_line", "page"]
_DOC_COLUMNS = ["doc_id", "department", "year", "sha256", "source_path"]
_PROJECT_COLUMNS = [
    "doc_id",
    "project_name",
    "budget_wan",
    "executed_wan",
    "exec_rate_pct",
    "total_score",
    "page",
    "source_line",
]


def gather(processed_dir: str | Path | None, current=None) -> Gathered:
    """Read the panel at `processed_dir` (only the columns and items used here) and add `current` (a
    Disclosure) when the panel does not hold it as it is now (absent, or parsed from another version)."""
    frames = {
        "documents": pd.DataFrame(columns=_DOC_COLUMNS),
        "figures": pd.DataFrame(columns=_FIGURE_COLUMNS),
        "projects": pd.DataFrame(columns=_PROJECT_COLUMNS),
        "checks": pd.DataFrame(columns=["doc_id", "severity", "status", "n"]),
    }
    root = Path(processed_dir) if processed_dir else None
    if root is not None and root.is_dir():
        panel = cached(root)
        if "document" in panel.tables:
            frames["documents"] = panel.sql(f"SELECT {', '.join(_DOC_COLUMNS)} FROM document")
            frames["figures"] = panel.sql(f"SELECT {', '.join(_FIGURE_COLUMNS)} FROM figures")
            frames["projects"] = panel.sql(f"SELECT {', '.join(_PROJECT_COLUMNS)} FROM projects")
            if "checks" in panel.tables:
                frames["checks"] = _check_counts(
                    panel.sql(f"SELECT {', '.join(_FAIL_COLUMNS)} FROM checks WHERE status = 'fail'"),
                    panel.sql(
                        "SELECT doc_id, severity, status, count(*) AS n FROM checks WHERE status <> 'fail' "
                        "GROUP BY ALL"
                    ),
                )
    docs = frames["documents"]
    if current is not None:
        sha = str(current.document["sha256"].iloc[0])
        stale = docs["doc_id"].eq(current.doc_id) & docs["sha256"].ne(sha)
        if stale.any() or not docs["doc_id"].eq(current.doc_id).any():
            # lazy: juesuan.checks imports pandera's typing (about 0.4 s), paid only by callers that check
            from ..checks import run_checks

            for key in frames:
                frames[key] = frames[key][frames[key]["doc_id"].ne(current.doc_id)]
            checks = run_checks(current)
            extra = {
                "documents": current.document[_DOC_COLUMNS],
                "figures": current.figures[_FIGURE_COLUMNS],
                "projects": current.projects[frames["projects"].columns],
                "checks": _check_counts(
                    checks[checks["status"].eq("fail")],
                    checks[checks["status"].ne("fail")]
                    .groupby(["doc_id", "severity", "status"])
                    .size()
                    .rename("n")
                    .reset_index(),
                ),
            }
            frames = {
                k: pd.concat([v, extra[k]], ignore_index=True) if len(v) else extra[k].reset_index(drop=True)
                for k, v in frames.items()
            }
    docs = frames["documents"].copy()
    docs["year"] = pd.to_numeric(docs["year"], errors="coerce").astype("Int64")
    docs["department_key"] = docs["department"].map(normalise_department)
    docs["file"] = [
        Path(str(p)).name if not L.missing(p) and str(p) else d
        for p, d in zip(docs["source_path"], docs["doc_id"], strict=True)
    ]
    docs["current"] = docs["doc_id"].eq(current.doc_id) if current is not None else False
    frames["documents"] = docs.sort_values(["year", "department_key", "doc_id"]).reset_index(drop=True)
    return Gathered(**frames)


_FAIL_COLUMNS = ["doc_id", "rule_id", "subject", "status", "severity", "amount_at_stake_wan", "fact"]


def _check_counts(failed: pd.DataFrame, others: pd.DataFrame) -> pd.DataFrame:
    """doc_id, severity, status, n: failures counted as the index pages and report 04 count them (a fact
    stated in several places once, `checks.findings`), the other statuses per instance."""
    # lazy: juesuan.checks imports pandera's typing (about 0.4 s), paid only by callers that check
    from ..checks import findings

    rows = [
        findings(part).groupby("severity").size().rename("n").reset_index().assign(doc_id=doc, status="fail")
        for doc, part in failed.groupby("doc_id")
    ]
    parts = [x for x in [*rows, others] if len(x)]
    if not parts:
        return pd.DataFrame(columns=["doc_id", "severity", "status", "n"])
    return pd.concat(parts, ignore_index=True)[["doc_id", "severity", "status", "n"]]


def headline(figures: pd.DataFrame) -> pd.DataFrame:
    """One row per doc_id, one column per HEADLINE item (the first the document states), in 万元, each with
    the page and line it is printed on (`<column>_page`, `<column>_line`)."""
    f = figures.assign(key=figures["item"].map(_item_key)).sort_values(
        ["doc_id", "source_line"], kind="stable"
    )
    out = {}
    for col, (_, names, measure) in HEADLINE.items():
        part = f[f["key"].isin(names) & f["measure"].eq(measure)]
        if col in PAIRS:  # the actual printed in the budget's section
            budget = f[f["key"].isin(HEADLINE[PAIRS[col]][1]) & f["measure"].eq("budget")]
            where = budget.drop_duplicates("doc_id").set_index("doc_id")["section"]
            same = part[part["section"].eq(part["doc_id"].map(where))]
            part = pd.concat([same, part]).drop_duplicates("doc_id")
        first = part.drop_duplicates("doc_id").set_index("doc_id")
        out[col] = first["value"]
        out[f"{col}_page"] = first["page"]
        out[f"{col}_line"] = first["source_line"]
    columns = [c for col in HEADLINE for c in (col, f"{col}_page", f"{col}_line")]
    return pd.DataFrame(out, columns=columns)


def _share(values: pd.Series, of: pd.Series) -> pd.Series:
    return (values / of * 100).where(of > 0).round(1)


def _cite(pairs) -> str:
    """Where the numbers of a cell are printed: "第 5 页，第 120 行", "第 18 页，第 342、344 行" (one page),
    "第 7 页，第 130 行；第 9 页，第 150 行" (several). Pairs without a page are left out."""
    pairs = [(int(p), None if L.missing(n) else int(n)) for p, n in pairs if not L.missing(p)]
    if not pairs:
        return ""
    by_page: dict[int, list[int]] = {}
    for p, n in pairs:
        by_page.setdefault(p, [])
        if n is not None and n not in by_page[p]:
            by_page[p].append(n)
    parts = []
    for p, lines in sorted(by_page.items()):
        text = f"第 {p} 页"
        parts.append(f"{text}，第 {'、'.join(map(str, sorted(lines)))} 行" if lines else text)
    return "；".join(parts)


def source_column(column: str) -> str:
    """The column that holds the citation of `column`'s cells (display: `report.cited_table`)."""
    return f"src_{column}"


def department_table(g: Gathered, year: int | None) -> pd.DataFrame:
    """Per document of `year` (every document when None): department, the headline amounts, execution rates
    (一般公共预算 and 三公 决算/预算), projects (count, median 执行率, share scoring 100, mean score) and
    findings by severity (failed checks). `current` marks the report's own document. Every cell taken from
    the document cites where it is printed in `src_<column>` (the department cell: the document's file)."""
    docs = g.documents if year is None else g.documents[g.documents["year"].eq(year)]
    t = docs[["doc_id", "department", "department_key", "year", "file", "current"]].set_index("doc_id")
    t = t.join(headline(g.figures))
    t["general_exec_pct"] = _share(t["general_actual"], t["general_budget"])
    t["three_public_exec_pct"] = _share(t["three_public"], t["three_public_budget"])
    p = g.projects.groupby("doc_id")
    t["n_projects"] = p.size().reindex(t.index).fillna(0).astype(int)
    t["median_exec_pct"] = p["exec_rate_pct"].median().reindex(t.index).round(1)
    t["score_100_pct"] = (
        p["total_score"]
        .agg(lambda s: (s.dropna() >= 100).mean() * 100 if s.notna().any() else np.nan)
        .reindex(t.index)
        .round(1)
    )
    t["mean_score"] = p["total_score"].mean().reindex(t.index).round(1)
    fails = g.checks[g.checks["status"].eq("fail")].pivot_table(
        index="doc_id", columns="severity", values="n", aggfunc="sum"
    )
    checked = set(g.checks["doc_id"])
    for sev in SEVERITIES:
        col = fails[sev] if sev in fails else pd.Series(dtype=float)
        t[sev] = col.reindex(t.index).where(t.index.isin(checked)).fillna(0).where(t.index.isin(checked))
    t["cross_year"] = cross_year(g).reindex(t.index)
    _add_sources(t, g.projects)
    return t.reset_index()


def _add_sources(t: pd.DataFrame, projects: pd.DataFrame) -> None:
    """The `src_<column>` citations of `department_table` (in place)."""
    t[source_column("department")] = t["file"]
    for col in HEADLINE:
        t[source_column(col)] = [
            _cite([(p, n)]) if not L.missing(v) else ""
            for v, p, n in zip(t[col], t[f"{col}_page"], t[f"{col}_line"], strict=True)
        ]
    for rate, (actual, budget) in {
        "general_exec_pct": ("general_actual", "general_budget"),
        "three_public_exec_pct": ("three_public", "three_public_budget"),
    }.items():
        t[source_column(rate)] = [
            _cite([(r[f"{actual}_page"], r[f"{actual}_line"]), (r[f"{budget}_page"], r[f"{budget}_line"])])
            if not L.missing(r[rate])
            else ""
            for _, r in t.iterrows()
        ]
    pages = projects.dropna(subset=["page"]).groupby("doc_id")["page"].agg(list)
    n = projects.groupby("doc_id").size()
    cited = pd.Series(
        {d: f"{L.cite(v)}，{L.count(n[d], '张')}项目自评表" for d, v in pages.items()}, dtype=object
    )
    t[source_column("n_projects")] = cited.reindex(t.index).fillna(
        ""
    )  # the row's other project columns: the same


def score_bands(g: Gathered, t: pd.DataFrame) -> pd.DataFrame:
    """How the project self-scores (总分) of each document of `t` are spread over `config.SCORE_BANDS`: one
    row per department and band that holds projects, with the count and the pages of those projects'
    tables."""
    p = g.projects[g.projects["doc_id"].isin(t["doc_id"])]
    if p.empty:
        return pd.DataFrame(columns=["doc_id", "department", "band", "n", "share_pct", "page", "current"])
    bounds = sorted(config.SCORE_BANDS, reverse=True)
    labels_ = [
        f"{b:g} 分" if i == 0 else f"{b:g}–{bounds[i - 1]:g} 分（不含 {bounds[i - 1]:g}）"
        for i, b in enumerate(bounds)
    ] + [f"低于 {bounds[-1]:g} 分", "未印总分"]

    def band(score) -> str:
        if L.missing(score):
            return labels_[-1]
        return next((labels_[i] for i, b in enumerate(bounds) if score >= b), labels_[-2])

    p = p.assign(band=p["total_score"].map(band))
    rows = []
    info = t.set_index("doc_id")
    for doc in t["doc_id"]:
        part = p[p["doc_id"].eq(doc)]
        for label in labels_:
            hit = part[part["band"].eq(label)]
            if len(hit):
                rows.append(
                    {
                        "doc_id": doc,
                        "department": info.loc[doc, "department"],
                        "band": label,
                        "n": len(hit),
                        "share_pct": round(len(hit) / len(part) * 100, 1),
                        "page": list(hit["page"].dropna()),
                        "current": bool(info.loc[doc, "current"]),
                    }
                )
    return pd.DataFrame(rows)


def departments_of(t: pd.DataFrame) -> int:
    """How many departments a department table holds (by normalised name; two documents of one department
    count once)."""
    return int(t["department_key"].nunique()) if len(t) else 0


def cross_year(g: Gathered) -> pd.Series:
    """Per doc_id with the same department's previous year in the panel: how many prior-year figures this year
    states differently from that year's own disclosure (rule K01, `analysis.crossyear`); NaN without it."""
    # lazy: crossyear imports juesuan.checks (pandera's typing, about 0.4 s)
    from .crossyear import compare

    docs = g.documents.dropna(subset=["year"]).sort_values("doc_id")
    first = docs.drop_duplicates(["department_key", "year"]).set_index(["department_key", "year"])["doc_id"]
    by_doc = dict(tuple(g.figures.groupby("doc_id")))
    out = {}
    for r in docs.itertuples(index=False):
        prev = first.get((r.department_key, int(r.year) - 1)) if r.department_key else None
        if prev is not None and r.doc_id in by_doc and prev in by_doc:
            t = compare(by_doc[r.doc_id], by_doc[prev])
            out[r.doc_id] = int(t["consistent"].eq(False).sum())
    return pd.Series(out, dtype=float)


COLUMNS = {
    "department": "部门",
    "year": "年度",
    "total": "收支总计",
    "expenditure": "支出合计",
    "basic": "基本支出",
    "project": "项目支出",
    "general_budget": "一般公共预算财政拨款支出·预算",
    "general_actual": "一般公共预算财政拨款支出·决算",
    "general_exec_pct": "一般公共预算执行率（%）",
    "three_public_budget": "“三公”预算",
    "three_public": "“三公”决算",
    "three_public_exec_pct": "“三公”执行率（%）",
    "operating": "机关运行经费",
    "n_projects": "项目数",
    "median_exec_pct": "项目执行率中位数（%）",
    "score_100_pct": "自评满分项目占比（%）",
    "mean_score": "平均自评分",
    "error": "错误",
    "warning": "警告",
    "info": "提示",
    "cross_year": "与上年公开不一致（项）",
}


def findings(t: pd.DataFrame) -> list[str]:
    """Sentences a reviewer reads first: spread of spending, 三公 over budget, all-100 self-scores, errors."""
    if t.empty:
        return ["数据目录中没有该年度的解析结果。"]
    out = [f"共 {len(t)} 份公开（{t['department'].nunique()} 个部门）。"]
    spend = t.dropna(subset=["expenditure"]).sort_values("expenditure", ascending=False)
    if len(spend) >= 2:
        top = spend.iloc[0]
        out.append(
            f"支出合计最高：{top.department} {top.expenditure:.2f} 万元，占全部 "
            f"{top.expenditure / spend['expenditure'].sum() * 100:.1f}%。"
        )
    over = t[t["three_public_exec_pct"] > 100]
    if len(over):
        out.append(
            "“三公”经费决算超过预算："
            + "、".join(
                f"{r.department}（{r.three_public_exec_pct:.1f}%）" for r in over.itertuples(index=False)
            )
            + "。"
        )
    full = t[t["score_100_pct"].ge(100) & t["n_projects"].gt(1)]
    if len(full):
        out.append(
            "所有项目自评均为满分：" + "、".join(full["department"].astype(str)) + "（自评未区分绩效高低）。"
        )
    unchecked = t[t["error"].isna()]
    crossed = t[t["cross_year"].gt(0)]
    if len(crossed):
        out.append(
            "本年所述上年数与上年公开不一致："
            + "、".join(f"{r.department} {int(r.cross_year)} 项" for r in crossed.itertuples(index=False))
            + "（见各自的同比变化报告）。"
        )
    errs = t[t["error"].gt(0)].sort_values("error", ascending=False)
    if len(errs):
        out.append(
            "勾稽关系错误最多："
            + "、".join(f"{r.department} {int(r.error)} 项" for r in errs.head(5).itertuples(index=False))
            + "。"
        )
    if len(unchecked):
        out.append(f"{len(unchecked)} 份公开未存检查结果（解析时用了 --no-checks），其错误数从略。")
    return out


YEAR_COLUMNS = ["total", "expenditure", "three_public", "operating"]


def by_year(g: Gathered) -> pd.DataFrame:
    """Each department × year: the headline amounts and their change against the department's previous year,
    each amount citing its page and line (`src_<column>`; the department cell: the document's file).
    Departments are matched by normalised name; one document per department and year (the first by doc_id)."""
    docs = g.documents.dropna(subset=["year"]).drop_duplicates(["department_key", "year"])
    t = docs[["doc_id", "department_key", "department", "year", "file", "current"]].set_index("doc_id")
    t = t.join(headline(g.figures)).sort_values(["department_key", "year"]).reset_index()
    t["department"] = t.groupby("department_key")["department"].transform("last")
    t[source_column("department")] = t["file"]
    for col in YEAR_COLUMNS:
        prev = t.groupby("department_key")[col].shift()
        t[f"{col}_change_pct"] = ((t[col] - prev) / prev * 100).where(prev > 0).round(1)
        t[source_column(col)] = [
            _cite([(p, n)]) if not L.missing(v) else ""
            for v, p, n in zip(t[col], t[f"{col}_page"], t[f"{col}_line"], strict=True)
        ]
    return t


def several_years(years: pd.DataFrame) -> pd.DataFrame:
    """The rows of `by_year` of departments with two years or more (a department seen in one year has no
    change)."""
    n = years.groupby("department_key")["year"].transform("nunique")
    return years[n.ge(2)].reset_index(drop=True)


def multi_year(g: Gathered) -> bool:
    """Whether some department has documents of two years or more in the panel."""
    docs = g.documents.dropna(subset=["year"])
    return bool(len(docs)) and int(docs.groupby("department_key")["year"].nunique().max()) >= 2


def coverage(g: Gathered) -> str:
    """Which departments and years the panel holds, as one sentence (what the report can compare)."""
    docs = g.documents.dropna(subset=["year"])
    if docs.empty:
        return "数据目录中没有可比较的公开。"
    years = sorted(int(y) for y in docs["year"].unique())
    per = docs.groupby("year")["department_key"].nunique()
    parts = "；".join(f"{y} 年度 {L.count(per[y], '个')}部门" for y in years)
    return (
        f"数据目录中共 {L.count(len(docs), '份')}公开、"
        f"{L.count(docs['department_key'].nunique(), '个')}部门：{parts}。"
    )
