"""Cross-year consistency: the prior year as this year's disclosure states it, against the prior year's own.

Why: every "比上年增加 X 万元" states the prior year's figure implicitly (本年 − X). With the prior
disclosure at hand, that figure must be the one the prior disclosure printed for the same item — totals,
income, expenditure, 基本/项目, 三公 items, 机关运行经费. A difference is a misprint in one of the two, or a
restatement nobody explained. The result has the columns of the `checks` table (rule K01), so it joins the
other findings.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import config
from ..checks.schema import COLUMNS, STATUS_LABELS
from .budget import merge_items
from .yoy import normalise_name, stated_changes

RULE_ID = "K01"  # K: 跨年度 (the catalogue's ids are per document; this one needs two)
DESCRIPTION = "本年公开所述上年数（本年数 − 比上年增减额）与上年公开所列数一致"
SEVERITY = "warning"  # a restatement may have a reason; the department must give it


def _half_unit(value: float) -> float:
    """Half a unit of the last digit a value was printed with (12.34 → 0.005, 567 → 0.5)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0.0
    text = f"{abs(value):.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals


def prior_actuals(figures: pd.DataFrame) -> pd.DataFrame:
    """The amounts a disclosure prints for its own year: section, item (merged as `stated_changes` merges
    them), key (normalised item), value, source_line, page — the first of each (section, item)."""
    if figures.empty:
        return pd.DataFrame(columns=["section", "item", "key", "value", "source_line", "page"])
    f = figures.assign(item=merge_items(figures))
    f = f[f["measure"].eq("actual") & f["unit"].eq("万元")].sort_values("source_line", kind="stable")
    f = f.drop_duplicates(["section", "item"])
    return f.assign(key=f["item"].map(normalise_name))[
        ["section", "item", "key", "value", "source_line", "page"]
    ]


def compare(current_figures: pd.DataFrame, prior_figures: pd.DataFrame) -> pd.DataFrame:
    """Each stated change against the prior year, next to what the prior disclosure printed for that item.

    The item is looked up in the same section of the prior disclosure, else anywhere in it when the item's
    name is printed with one value only. Columns: section, item, actual, stated_change, stated_prior,
    prior_section, prior_value, difference, tolerance, consistent (True/False, NaN when not found),
    source_line, page, prior_line, prior_page.
    """
    changes = stated_changes(current_figures)
    changes = changes[changes["basis"].eq("上年")].reset_index(drop=True)
    actual = prior_actuals(prior_figures)
    by_section = actual.set_index(["section", "item"])
    by_key = (
        actual.groupby("key")
        .filter(lambda g: g["value"].nunique() == 1)
        .drop_duplicates("key")
        .set_index("key")
    )
    rows = []
    for r in changes.itertuples(index=False):
        hit = None
        if (r.section, r.item) in by_section.index:
            hit = by_section.loc[(r.section, r.item)]
            hit_section = r.section
        elif normalise_name(r.item) in by_key.index:
            hit = by_key.loc[normalise_name(r.item)]
            hit_section = hit["section"]
        row = {
            "section": r.section,
            "item": r.item,
            "actual": r.actual,
            "stated_change": r.stated_change,
            "stated_prior": r.implied_base,
            "source_line": r.source_line,
            "page": r.page,
        }
        if hit is not None:
            tol = max(
                config.AMOUNT_TOLERANCE,
                _half_unit(r.actual) + _half_unit(r.stated_change) + _half_unit(hit["value"]),
            )
            diff = round(float(hit["value"]) - float(r.implied_base), 2)
            row |= {
                "prior_section": hit_section,
                "prior_value": float(hit["value"]),
                "difference": diff,
                "tolerance": round(tol, 3),
                "consistent": abs(diff) <= tol + 1e-9,
                "prior_line": hit["source_line"],
                "prior_page": hit["page"],
            }
        rows.append(row)
    cols = [
        "section",
        "item",
        "actual",
        "stated_change",
        "stated_prior",
        "prior_section",
        "prior_value",
        "difference",
        "tolerance",
        "consistent",
        "source_line",
        "page",
        "prior_line",
        "prior_page",
    ]
    return pd.DataFrame(rows, columns=cols)


def _where(line, page) -> str:
    line_s = f"第 {int(line)} 行" if pd.notna(line) else "行号未知"
    page_s = f"第 {int(page)} 页" if pd.notna(page) else "页码未知"
    return f"{line_s}（{page_s}）"


def as_checks(
    table: pd.DataFrame, current_doc: str, prior_doc: str, current_year=None, prior_year=None
) -> pd.DataFrame:
    """`compare`'s rows as rows of the `checks` table: fail when the two differ beyond rounding,
    not_assessable when the prior disclosure does not print the item; the evidence names both documents,
    lines and pages."""
    cy = f"{current_year} 年" if current_year else "本年"
    py = f"{prior_year} 年" if prior_year else "上年"
    rows = []
    for r in table.itertuples(index=False):
        stated = (
            f"{cy}公开 {current_doc} {_where(r.source_line, r.page)}：{r.actual:.2f} − 比上年增减 "
            f"{r.stated_change:.2f} = {r.stated_prior:.2f}"
        )
        if pd.isna(r.consistent):
            status, evidence = "not_assessable", f"{stated}；{py}公开 {prior_doc} 中未找到该项"
        else:
            status = "pass" if r.consistent else "fail"
            evidence = (
                f"{stated}；{py}公开 {prior_doc} {_where(r.prior_line, r.prior_page)}（"
                f"{r.prior_section}）：{r.prior_value:.2f}"
            )
        rows.append(
            {
                "doc_id": current_doc,
                "rule_id": RULE_ID,
                "description": DESCRIPTION,
                "subject": f"{r.section} {r.item}",
                "status": status,
                "severity": SEVERITY,
                "expected": r.stated_prior,
                "actual": r.prior_value,
                "difference": r.difference,
                "tolerance": r.tolerance,
                "evidence": evidence,
            }
        )
    out = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("expected", "actual", "difference", "tolerance"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out


def previous_year(current, priors):
    """The prior that is the year just before `current` (the one the stated changes refer to), else None."""
    if current.year is None:
        return None
    return next((p for p in sorted(priors, key=lambda d: d.doc_id) if p.year == current.year - 1), None)


def check(current, priors) -> pd.DataFrame:
    """Rule K01 for a Disclosure against the disclosure of the year before among `priors` (empty without
    it)."""
    prior = previous_year(current, priors)
    if prior is None:
        return pd.DataFrame(columns=COLUMNS)
    return as_checks(
        compare(current.figures, prior.figures), current.doc_id, prior.doc_id, current.year, prior.year
    )


def findings(checks: pd.DataFrame) -> list[str]:
    """One sentence per mismatch, then the count of consistent items."""
    if checks.empty:
        return ["没有上一年度的公开可供核对（prior 未给出，数据目录中也没有），跨年度一致性从略。"]
    fails = checks[checks["status"].eq("fail")]
    out = [
        f"{r.subject}：本年公开所述上年数 {r.expected:.2f} 万元，上年公开为 {r.actual:.2f} 万元，相差 "
        f"{r.difference:+.2f} 万元。"
        f"证据：{r.evidence}。"
        for r in fails.itertuples(index=False)
    ]
    n = checks["status"].value_counts()
    out.append(
        f"共核对 {len(checks)} 项：一致 {n.get('pass', 0)}，不一致 {n.get('fail', 0)}，"
        f"上年公开未列 {n.get('not_assessable', 0)}。"
    )
    return out


def display_table(checks: pd.DataFrame) -> pd.DataFrame:
    """For the report: the status in Chinese, and a flag on the mismatches."""
    return checks.assign(
        flag=np.where(checks["status"].eq("fail"), True, False), status=checks["status"].map(STATUS_LABELS)
    )
