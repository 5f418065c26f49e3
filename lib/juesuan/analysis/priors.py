"""Which earlier disclosures are the prior years of a disclosure: the same department, an earlier year.

Why: a comparison with another department's disclosure, or with a later one, computes changes in the wrong
direction between things that are not the same and presents them as real changes. What makes two
disclosures the same department (`check_prior`) is in `juesuan.identity`, shared with the panel.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..identity import (
    DepartmentMatch,
    Identity,
    Problem,
    Verdict,
    check_prior,
    department_match,
    identity,
    normalise_department,
    unit_overlap,
)
from ..panel import cached
from . import load_disclosure
from . import resolve as resolve_path

__all__ = [
    "DepartmentMatch",
    "Identity",
    "Problem",
    "Verdict",
    "check_prior",
    "department_match",
    "identity",
    "normalise_department",
    "resolve",
    "select",
    "unit_overlap",
]


def select(current, priors: Sequence, allow_other_department: bool = False) -> tuple[list, list[str]]:
    """The priors that pass `check_prior` (Disclosures), and one note (Chinese, for the report) per other
    one."""
    cur = identity(current)
    kept, notes = [], []
    for p in priors:
        v = check_prior(cur, identity(p), allow_other_department)
        if v.ok:
            kept.append(p)
            if v.warning:
                notes.append(f"注意：{v.prior.label()} 与本年部门名称不同（{v.warning}）。")
        else:
            notes.append(
                f"往年公开 {v.prior.label()}（{Path(v.prior.source).name}）未用于比较："
                f"{'、'.join(_PROBLEM_LABEL[p] for p in v.problems)}。"
            )
    return kept, notes


_PROBLEM_LABEL = {
    Problem.SAME_DOCUMENT: "即本年公开本身",
    Problem.OTHER_DEPARTMENT: "不是同一部门（名称和二级单位均不同）",
    Problem.UNKNOWN_DEPARTMENT: "无法确认是同一部门",
    Problem.UNKNOWN_YEAR: "年度未识别",
    Problem.SAME_YEAR: "与本年同一年度",
    Problem.LATER_YEAR: "年度晚于本年",
}


def resolve(
    current,
    prior: Sequence[str],
    processed_dir: str | Path | None,
    allow_other_department: bool = False,
    limits: dict | None = None,
) -> tuple[list, list[str]]:
    """The prior years for a report: the `prior` files when given (each checked; read from `processed_dir`
    when parsed there, else parsed within `limits`), else the same department's earlier years found in the
    panel at `processed_dir`. Returns (Disclosures oldest first, notes for the reader)."""
    if prior:
        kept, notes = select(
            current, [load_disclosure(p, processed_dir, limits) for p in prior], allow_other_department
        )
    else:
        kept, notes = [], []
        root = resolve_path(processed_dir) if processed_dir else None
        if root is not None and root.is_dir():
            panel = cached(root)
            ids = panel.priors(identity(current))
            kept = [panel.disclosure(i) for i in ids]
            if ids:
                notes.append(
                    f"往年数据取自数据目录 {root.name}/ 中同一部门以前年度的公开：{'、'.join(ids)}。"
                )
    return sorted(kept, key=lambda d: (d.year or 0, d.doc_id)), notes
