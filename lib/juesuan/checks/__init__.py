"""Consistency checks (勾稽关系): evaluate the rule catalogue against a Disclosure → tidy `checks` table.

`run_checks(disclosure)` is the library entry point; `main(paths)` backs `juesuan check PATH`
(exit 1 when an error-level rule fails, 2 on unusable input, else 0).
"""

from __future__ import annotations

import pandas as pd

from ..normalize import display_width
from ..types import Severity, Status
from . import (  # noqa: F401  (each module registers its rules)
    ranking,
    rules_cross,
    rules_direction,
    rules_identity,
    rules_links,
    rules_narrative,
    rules_performance,
    rules_restated,
    rules_statements,
    rules_structure,
    rules_text,
)
from .catalogue import RULES, RULES_LIST, Rule
from .rules_common import EVALUATORS, Ctx, Outcome, fmt
from .schema import HEADERS, SEVERITY_LABELS, STATUS_LABELS, frame

__all__ = ["RULES", "run_checks", "findings", "headlines", "main", "format_failures"]


def _rows(rule: Rule, outcomes: list[Outcome], doc_id: str) -> list[dict]:
    rows = []
    for o in outcomes:
        failed = o.status == Status.FAIL
        rows.append(
            {
                "doc_id": doc_id,
                "rule_id": rule.id,
                "description": rule.description,
                "subject": o.subject,
                "status": o.status,
                "severity": o.severity or rule.severity,
                "expected": o.expected,
                "actual": o.actual,
                "difference": o.difference,
                "tolerance": o.tolerance,
                "evidence": o.evidence,
                "amount_at_stake_wan": ranking.stake(o) if failed else None,
                "finding": ranking.sentence(rule, o) if failed else "",
                "fact": ranking.group_key(rule.id, o) if failed else "",
            }
        )
    return rows


def missing_inputs(rule: Rule, ctx: Ctx) -> list[str]:
    """The tables `rule.tables` names that the disclosure lacks (`a|b`: either will do)."""
    return [need for need in rule.tables if all(ctx.table(name).empty for name in need.split("|"))]


def run_checks(disclosure) -> pd.DataFrame:
    """Every catalogue rule, one row per evaluated instance; a rule with no inputs yields not_assessable, and
    so does a rule a table it needs (`Rule.tables`) is missing for, whatever its evaluator made of the
    rest."""
    ctx = Ctx(disclosure)
    doc_id = str(getattr(disclosure, "doc_id", "") or "")
    rows: list[dict] = []
    for rule in RULES_LIST:
        try:
            outcomes = EVALUATORS[rule.id](ctx)
        except Exception as exc:  # one broken rule must not hide the others' findings
            outcomes = [
                Outcome(
                    rule.description, Status.NOT_ASSESSABLE, note=f"规则执行出错: {type(exc).__name__}: {exc}"
                )
            ]
        missing = missing_inputs(rule, ctx)
        if missing and any(o.status != Status.NOT_ASSESSABLE for o in outcomes):
            outcomes = [
                Outcome(rule.description, Status.NOT_ASSESSABLE, note=f"缺少输入: {'、'.join(missing)}")
            ]
        if not outcomes:
            outcomes = [Outcome(rule.description, Status.NOT_ASSESSABLE, note="缺少输入")]
        rows += _rows(rule, outcomes, doc_id)
    return frame(rows)


def findings(checks: pd.DataFrame, grouped: bool = True) -> pd.DataFrame:
    """Failed instances, errors first, then warnings, then info; inside each by amount at stake (largest
    first), then rule order. `grouped`: a fact stated in several places is one row (`group_size`, `also`)."""
    f = ranking.order(checks[checks["status"] == Status.FAIL])
    return ranking.group(f) if grouped else f


def headlines(checks: pd.DataFrame, n: int = 7) -> list[str]:
    """The top findings in plain Chinese, with amounts and pages: what `juesuan check`, report 04 and the
    workbook open with."""
    return ranking.headlines(findings(checks), n)


def summary(checks: pd.DataFrame) -> pd.DataFrame:
    """Per rule: instance counts by status and the worst failing severity."""
    g = checks.groupby("rule_id", sort=False)
    out = pd.DataFrame(
        {
            "description": g["description"].first(),
            Status.PASS.value: g["status"].apply(lambda s: int((s == Status.PASS).sum())),
            Status.FAIL.value: g["status"].apply(lambda s: int((s == Status.FAIL).sum())),
            Status.NOT_ASSESSABLE.value: g["status"].apply(lambda s: int((s == Status.NOT_ASSESSABLE).sum())),
        }
    )
    worst = (
        checks[checks["status"] == Status.FAIL]
        .groupby("rule_id")["severity"]
        .agg(lambda s: min(s, key=ranking.SEVERITY_ORDER.get))
    )
    out["worst"] = worst.reindex(out.index).fillna("")
    return out.reset_index()


def _cut(s: str, n: int) -> str:
    out, w = "", 0
    for ch in s:
        cw = display_width(ch)
        if w + cw > n - 1:
            return out + "…"
        out, w = out + ch, w + cw
    return out


def format_failures(checks: pd.DataFrame, evidence_width: int = 90) -> str:
    """Failed rules as a plain-text table (East-Asian-width aware)."""
    f = findings(checks)
    cols = [
        "rule_id",
        "severity",
        "amount_at_stake_wan",
        "subject",
        "expected",
        "actual",
        "difference",
        "evidence",
    ]
    header = [HEADERS[c] for c in cols]
    body = [
        [
            str(r.rule_id),
            SEVERITY_LABELS[r.severity],
            f"{r.amount_at_stake_wan:,.2f}",
            _cut(str(r.subject) + (f" (+{r.group_size - 1})" if r.group_size > 1 else ""), 40),
            fmt(r.expected),
            fmt(r.actual),
            fmt(r.difference),
            _cut(str(r.evidence), evidence_width),
        ]
        for r in f.itertuples()
    ]
    widths = [max(display_width(x) for x in col) for col in zip(header, *body, strict=False)]
    lines = []
    for row in [header, *body]:
        lines.append(
            "  ".join(x + " " * (w - display_width(x)) for x, w in zip(row, widths, strict=True)).rstrip()
        )
    return "\n".join(lines)


def _counts(checks: pd.DataFrame) -> str:
    s = checks["status"].value_counts()
    f = checks[checks["status"] == Status.FAIL]["severity"].value_counts()
    return (
        f"{checks['rule_id'].nunique()} 条规则 {len(checks)} 项: {STATUS_LABELS['pass']} {s.get('pass', 0)}, "
        f"{STATUS_LABELS['fail']} {s.get('fail', 0)} (错误 {f.get('error', 0)}, 警告 {f.get('warning', 0)}, "
        f"提示 {f.get('info', 0)}), {STATUS_LABELS['not_assessable']} {s.get('not_assessable', 0)}"
    )


def main(paths: list[str], limits=None) -> int:
    """`juesuan check PATH…`: print failed rules; exit 1 on an error-level failure, 2 on unusable input."""
    from ..batch import each, say

    def check(path: str, disclosure) -> int:
        checks = run_checks(disclosure)
        say(f"{path}: {_counts(checks)}")
        if (checks["status"] == Status.FAIL).any():
            top = headlines(checks)
            say(
                "主要发现（按严重程度与涉及金额排序）：\n"
                + "\n".join(f"  {i}. {t}" for i, t in enumerate(top, 1))
            )
            say(format_failures(checks))  # disclosure text: control characters escaped
        return int(((checks["status"] == Status.FAIL) & (checks["severity"] == Severity.ERROR)).any())

    return each(paths, check, limits)
