"""What an auditor reads first: failures ranked by severity and money at stake, restatements of one fact
grouped, each said in one plain Chinese sentence with its amounts and pages.

Amount at stake (万元): the money a failure misstates — the difference of an amount identity, the money a
wrong percentage misstates, else the largest amount the failure names. A failure about scores, counts, names,
years or wording names no amount and carries 0: it ranks after the money findings of its severity.
"""

from __future__ import annotations

import math

import pandas as pd

from ..types import Severity
from .catalogue import RULES_LIST, Rule
from .rules_common import Outcome
from .schema import SEVERITY_LABELS

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_RULE_ORDER = {r.id: i for i, r in enumerate(RULES_LIST)}


def stake(o: Outcome) -> float:
    """Money affected by a failed outcome, in 万元 (0 when it names no money)."""
    if o.stake is not None and math.isfinite(o.stake):
        return round(abs(o.stake), 4)
    money = [op for op in o.operands if op.value is not None]
    if (
        money
        and all(op.wan is not None for op in money)
        and o.difference is not None
        and math.isfinite(o.difference)
    ):
        return round(abs(o.difference) * (money[0].to_wan or 1.0), 4)
    amounts = [abs(op.wan) for op in money if op.wan is not None and math.isfinite(op.wan)]
    return round(max(amounts), 4) if amounts else 0.0


def pages(o: Outcome) -> list[int]:
    return sorted({op.page for op in o.operands if op.page is not None})


def sentence(rule: Rule, o: Outcome) -> str:
    """The failure as one sentence: what is wrong, with the amounts, and the pages to look at."""
    body = o.sentence or f"{o.subject}：{o.note or rule.description}"
    where = pages(o)
    cite = f"（第{'、'.join(map(str, where))}页）" if where else ""
    return body.rstrip("。；;，, ") + cite + "。"


def group_key(rule_id: str, o: Outcome) -> str:
    """Outcomes that state one fact (the same indicator in the department and a project table; one cell
    printed in two tables and compared twice) share a key and are listed once."""
    if o.group:
        return f"{rule_id}|{o.group}"
    if (
        o.expected is not None
        and o.actual is not None
        and not (isinstance(o.expected, float) and math.isnan(o.expected))
        and o.expected != o.actual
    ):
        return f"{rule_id}|{round(float(o.expected), 4)}|{round(float(o.actual), 4)}"
    return ""


def order(checks: pd.DataFrame) -> pd.DataFrame:
    """Severity first, then amount at stake (largest first), then catalogue order; stable otherwise."""
    keys = pd.DataFrame(
        {
            "s": checks["severity"].map(SEVERITY_ORDER),
            "a": -checks["amount_at_stake_wan"].fillna(0.0),
            "r": checks["rule_id"].map(_RULE_ORDER),
        },
        index=checks.index,
    )
    return checks.loc[keys.sort_values(["s", "a", "r"], kind="stable").index]


def group(failed: pd.DataFrame) -> pd.DataFrame:
    """One row per fact: the first of each group, with how many rows it stands for and their subjects."""
    if failed.empty:
        return failed.assign(group_size=pd.Series(dtype="int64"), also=pd.Series(dtype="str"))
    keys = [k if k else f"#{i}" for i, k in zip(range(len(failed)), failed["fact"], strict=True)]
    first: dict[str, int] = {}
    members: dict[str, list[str]] = {}
    for pos, (k, subject) in enumerate(zip(keys, failed["subject"], strict=True)):
        first.setdefault(k, pos)
        members.setdefault(k, []).append(str(subject))
    keep = sorted(first.values())
    out = failed.iloc[keep].copy()
    kept_keys = [keys[p] for p in keep]
    out["group_size"] = [len(members[k]) for k in kept_keys]
    out["also"] = ["；".join(dict.fromkeys(members[k][1:])) for k in kept_keys]
    return out


def headlines(findings: pd.DataFrame, n: int = 7) -> list[str]:
    """The top findings as sentences, each led by its severity ("错误：…")."""
    lines = []
    for r in findings.head(n).itertuples():
        others = r.also.split("；") if r.group_size > 1 else []
        more = (
            f"（同一事实另有 {r.group_size - 1} 处："
            f"{'；'.join(others[:3])}{'等' if len(others) > 3 else ''}）"
            if others
            else ""
        )
        lines.append(f"{SEVERITY_LABELS[r.severity]}：{r.finding}{more}")
    return lines
