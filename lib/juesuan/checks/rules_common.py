"""Shared machinery of the evaluators: operands with provenance, tolerances, comparisons, the rule registry.

Every comparison goes through `compare_amount` / `compare_pct` so that tolerance and the
"rounding gap → info" downgrade are decided in one place (domain.md §3).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import product

import pandas as pd

from .catalogue import ITEMS

ROUNDING_BAND = 0.05  # 万元: a failed amount identity off by no more than this is a rounding-size gap → info
AMOUNT_EPS = 0.005  # half a unit of the printed 0.01 万元
FLOAT_SLACK = 1e-6


@dataclass(frozen=True)
class Operand:
    """One value a rule used, with where it was printed (for the evidence column)."""

    label: str
    value: float | None  # None: a textual operand (a name), shown without "=value"
    where: str = ""
    line: int | None = None
    page: int | None = None
    eps: float = AMOUNT_EPS  # rounding half-width of the value (derived values carry their operands' error)

    def describe(self) -> str:
        loc = [self.where] if self.where else []
        if self.line is not None:
            loc.append(f"行{self.line}")
        if self.page is not None:
            loc.append(f"第{self.page}页")
        head = self.label if self.value is None else f"{self.label}={fmt(self.value)}"
        return head + (f" ({', '.join(loc)})" if loc else "")


@dataclass
class Outcome:
    """One evaluated instance of a rule (a rule may yield several: one per item, project, row…)."""

    subject: str
    status: str  # pass | fail | not_assessable
    expected: float | None = None
    actual: float | None = None
    difference: float | None = None
    tolerance: float | None = None
    operands: Sequence[Operand] = field(default_factory=tuple)
    note: str = ""
    severity: str | None = None  # None → the rule's severity

    @property
    def evidence(self) -> str:
        parts = [op.describe() for op in self.operands]
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


Evaluator = Callable[["Ctx"], list[Outcome]]
EVALUATORS: dict[str, Evaluator] = {}


def rule(rule_id: str) -> Callable[[Evaluator], Evaluator]:
    """Register an evaluator for a catalogue rule id."""

    def deco(fn: Evaluator) -> Evaluator:
        assert rule_id not in EVALUATORS, rule_id
        EVALUATORS[rule_id] = fn
        return fn

    return deco


def fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.4f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def norm_name(text: object) -> str:
    """Compare names after NFKC, without spaces, quotes and brackets' width differences."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    t = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"[\s“”\"'‘’「」]", "", t)


ALIASES: dict[str, set[str]] = {k: {norm_name(v) for v in vs} for k, vs in ITEMS.items()}
THREE_PUBLIC_KEYS = {"three_public", "abroad", "vehicle", "vehicle_purchase", "vehicle_running", "reception",
                     "reception_foreign", "reception_domestic"}


def amount_tol(k: int) -> float:
    """A sum of k items rounded to 0.01 may differ from its rounded total by 0.005·k (domain.md §3)."""
    return max(0.01, AMOUNT_EPS * k)


def na(subject: str, why: str) -> Outcome:
    return Outcome(subject, "not_assessable", note=why)


def compare_amount(subject: str, expected: float, actual: float, tol: float, operands: Sequence[Operand],
                   note: str = "") -> Outcome:
    """pass when |actual − expected| ≤ tol; a failure no larger than ROUNDING_BAND is reported as info."""
    diff = actual - expected
    ok = abs(diff) <= tol + FLOAT_SLACK
    out = Outcome(subject, "pass" if ok else "fail", expected, actual, round(diff, 6), tol, operands, note)
    if not ok and abs(diff) <= ROUNDING_BAND + FLOAT_SLACK:
        out.severity = "info"
        out.note = (out.note + "; " if out.note else "") + "差额在舍入量级内(≤0.05)"
    return out


def compare_sum(subject: str, total: Operand, parts: Sequence[Operand], note: str = "") -> Outcome:
    expected = sum(p.value for p in parts)
    tol = amount_tol(len(parts)) if len(parts) > 1 else FLOAT_SLACK
    return compare_amount(subject, round(expected, 6), total.value, tol, [total, *parts], note)


def compare_same(subject: str, a: Operand, b: Operand, note: str = "") -> Outcome:
    """The same fact printed twice must be the same number."""
    return compare_amount(subject, a.value, b.value, 0.0, [a, b], note)


def bounds(f: Callable[..., float], values: Sequence[float], eps: Sequence[float]) -> tuple[float, float]:
    """Range of f over the rounding box of its operands (each ± eps): rounding error propagated exactly."""
    results = []
    for signs in product((-1, 1), repeat=len(values)):
        try:
            results.append(f(*(v + s * e for v, s, e in zip(values, signs, eps, strict=True))))
        except ZeroDivisionError:
            continue
    results = [r for r in results if math.isfinite(r)]
    if not results:
        raise ZeroDivisionError
    return min(results), max(results)


_NUM_PCT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")


def printed_decimals(value: float, evidence: str | None) -> int:
    """Decimals of the percentage as printed in its sentence ("8 %" → 0, "80.8 %" → 1); else from the value."""
    for m in _NUM_PCT.finditer(unicodedata.normalize("NFKC", evidence or "")):
        if abs(float(m.group(1)) - abs(value)) < 1e-9:
            s = m.group(1)
            return len(s.split(".")[1]) if "." in s else 0
    s = f"{abs(value):.6f}".rstrip("0").rstrip(".")
    return min(2, len(s.split(".")[1])) if "." in s else 0


def compare_pct(subject: str, stated: Operand, f: Callable[..., float], inputs: Sequence[Operand],
                decimals: int, eps: Sequence[float] | None = None, note: str = "") -> Outcome:
    """A printed percentage vs its recomputation. Tolerance = half a printed unit + propagated rounding of
    the amounts; a miss by at most one printed unit (truncation instead of rounding) is info."""
    eps = eps if eps is not None else [op.eps for op in inputs]
    vals = [op.value for op in inputs]
    try:
        expected = f(*vals)
        lo, hi = bounds(f, vals, eps)
    except ZeroDivisionError:  # template boilerplate ("占 0%") over an empty total: worth a note, not an error
        return Outcome(subject, "fail", None, stated.value, None, None, [stated, *inputs],
                       (note + "; " if note else "") + "分母为 0, 不应表述百分比", severity="info")
    half = 0.5 * 10 ** (-decimals)
    tol = half + max(hi - expected, expected - lo)
    ok = lo - half - FLOAT_SLACK <= stated.value <= hi + half + FLOAT_SLACK
    diff = stated.value - expected
    out = Outcome(subject, "pass" if ok else "fail", round(expected, 4), stated.value, round(diff, 4),
                  round(tol, 4), [stated, *inputs], (note + "; " if note else "") + f"印刷精度 {decimals} 位小数")
    if not ok and abs(diff) <= tol + 10 ** (-decimals):
        out.severity = "info"
        out.note += "; 仅差一个印刷单位(截断/进位)"
    return out


class Ctx:
    """The disclosure's tables with lookup helpers the evaluators share."""

    def __init__(self, disclosure) -> None:
        self.d = disclosure
        fig = getattr(disclosure, "figures", None)
        fig = fig.copy() if isinstance(fig, pd.DataFrame) else pd.DataFrame()
        if not fig.empty:
            fig["_item"] = fig["item"].map(norm_name)
            fig = fig.sort_values("source_line", kind="stable", na_position="last")
        self.figures = fig
        self._scored: pd.DataFrame | None = None
        self._scoring_error: str | None = None

    def table(self, name: str) -> pd.DataFrame:
        df = getattr(self.d, name, None)
        return df if isinstance(df, pd.DataFrame) else pd.DataFrame()

    # ── figures ──
    def figs(self, key: str | Iterable[str], measure: str | None = None,
             sections: Sequence[str] | None = None) -> pd.DataFrame:
        """Figures whose item is one of the aliases of `key` (or a literal name), optionally by measure/section."""
        f = self.figures
        if f.empty:
            return f
        keys = [key] if isinstance(key, str) else list(key)
        names: set[str] = set()
        for k in keys:
            names |= ALIASES.get(k, {norm_name(k)})
        sel = f[f["_item"].isin(names)]
        if sections is None and set(keys) <= THREE_PUBLIC_KEYS and set(keys) != {"three_public"}:
            home = self.three_public_sections()
            if home:  # 公务接待费 etc. also name basic-expenditure lines (六): read them where 三公 is explained
                sections = home
        if measure is not None:
            sel = sel[sel["measure"] == measure]
        if sections is not None:
            sel = sel[sel["section"].astype(str).map(lambda s: section_in(s, sections)).astype(bool)]
        return sel

    def fig(self, key: str, measure: str = "actual", sections: Sequence[str] | None = None,
            label: str | None = None) -> Operand | None:
        sel = self.figs(key, measure, sections)
        return None if sel.empty else fig_operand(sel.iloc[0], label)

    def three_public_sections(self) -> tuple[str, ...]:
        f = self.figures
        if f.empty:
            return ()
        heads = f.loc[f["_item"].isin(ALIASES["three_public"]), "section"].astype(str)
        return tuple(dict.fromkeys(re.match(r"[一二三四五六七八九十]*", h).group() or h for h in heads))

    # ── scoring (reused from analysis.scoring; never re-implemented here) ──
    def scored(self) -> pd.DataFrame | None:
        if self._scored is None and self._scoring_error is None:
            ind = self.table("indicators")
            try:
                from ..analysis.scoring import score_indicators
            except ImportError as exc:  # the analysis package may not be installed yet
                self._scoring_error = f"计分规则模块不可用: {exc}"
                return None
            if ind.empty:
                self._scoring_error = "无指标表"
                return None
            goals = self.table("department_goals")
            self._scored = score_indicators(ind, self.table("projects"), goals if not goals.empty else None)
        return self._scored


def section_in(section: str, prefixes: Sequence[str]) -> bool:
    """'五（三）' is in '五'; '十三' is not in '一' (sections compare by their leading numeral)."""
    s = unicodedata.normalize("NFKC", section)
    head = re.match(r"[一二三四五六七八九十]+", s)
    for p in prefixes:
        p = unicodedata.normalize("NFKC", p)
        if s == p or s.startswith(p + "("):
            return True
        if head and head.group() == p:
            return True
    return False


_MEASURE_LABEL = {"prior_change": "比上年增减", "budget": "预算", "budget_change": "比预算增减", "share_pct": "占比%",
                  "exec_pct": "完成预算%", "change_pct": "增长率%"}


def fig_operand(row: pd.Series, label: str | None = None) -> Operand:
    return Operand(label or f"{row['item']}{_MEASURE_LABEL.get(str(row['measure']), '')}", float(row["value"]), f"说明{row['section']}",
                   _int(row.get("source_line")), _int(row.get("page")))


def row_operand(row: pd.Series, label: str, value_col: str, where: str) -> Operand:
    return Operand(label, float(row[value_col]), where, _int(row.get("source_line")), _int(row.get("page")))


def _int(x: object) -> int | None:
    try:
        if x is None or pd.isna(x):
            return None
        return int(x)
    except (TypeError, ValueError):
        return None


def present(x: object) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and not pd.isna(x)
