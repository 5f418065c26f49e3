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
from functools import lru_cache
from itertools import product

import pandas as pd

from ..config import CHECKS
from ..records import as_records  # noqa: F401  (rules import it from here)
from ..types import Severity, Status
from ..vocab import MONEY_FACTORS
from .catalogue import ITEMS


@dataclass(frozen=True)
class Operand:
    """One value a rule used, with where it was printed (for the evidence column)."""

    label: str
    value: float | None  # None: a textual operand (a name), shown without "=value"
    where: str = ""
    line: int | None = None
    page: int | None = None
    eps: float = (
        CHECKS.amount_eps
    )  # rounding half-width of the value (derived values carry their operands' error)
    to_wan: float | None = None  # factor to 万元 when the value is money (None: a count, rate, score or name)
    ocr: bool = False  # read from a picture (the row's `source` is "ocr"): the evidence says so

    @classmethod
    def derived(cls, label: str, value: float, *ops: Operand, **kw) -> Operand:
        """A value computed from others (e.g. 决算 − 增减额): cited where the last was printed, read by OCR
        when any of them was."""
        last = ops[-1]
        return cls(label, value, last.where, last.line, last.page, ocr=any(o.ocr for o in ops), **kw)

    @property
    def wan(self) -> float | None:
        """The value in 万元, or None when it is not money."""
        return None if self.to_wan is None or self.value is None else self.value * self.to_wan

    def describe(self) -> str:
        loc = [w for w in (self.where, "OCR" if self.ocr else "") if w]
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
    status: Status
    expected: float | None = None
    actual: float | None = None
    difference: float | None = None
    tolerance: float | None = None
    operands: Sequence[Operand] = field(default_factory=tuple)
    note: str = ""
    severity: Severity | None = None  # None → the rule's severity
    stake: float | None = (
        None  # money affected, 万元 (None → derived from the operands when the outcome fails)
    )
    sentence: str = ""  # the finding in plain Chinese (empty → composed from subject, operands and note)
    group: str | None = None  # outcomes of one rule with the same group state one fact: listed once

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
    return _norm_name(str(text))


_NAME_NOISE = re.compile(r"[\s“”\"'‘’「」]")


@lru_cache(maxsize=1 << 14)
def _norm_name(text: str) -> str:  # the rules compare the same few hundred names many times
    return _NAME_NOISE.sub("", unicodedata.normalize("NFKC", text))


ALIASES: dict[str, set[str]] = {k: {norm_name(v) for v in vs} for k, vs in ITEMS.items()}
THREE_PUBLIC_KEYS = {
    "three_public",
    "abroad",
    "vehicle",
    "vehicle_purchase",
    "vehicle_running",
    "reception",
    "reception_foreign",
    "reception_domestic",
}


def amount_tol(k: int) -> float:
    """A sum of k items rounded to 0.01 may differ from its rounded total by 0.005·k (domain.md §3)."""
    return max(CHECKS.amount_tolerance, CHECKS.amount_eps * k)


def na(subject: str, why: str) -> Outcome:
    return Outcome(subject, Status.NOT_ASSESSABLE, note=why)


def flagged(
    subject: str, actual: float | None, operands: Sequence[Operand], note: str, **kw: object
) -> Outcome:
    """A failure with nothing to hold it against (no expected value, no tolerance): what was found, where,
    and why it is wrong; `kw`: severity, sentence, stake, group as for Outcome."""
    return Outcome(subject, Status.FAIL, None, actual, None, None, operands, note, **kw)  # type: ignore[arg-type]


def compare_bound(
    subject: str,
    actual: Operand,
    bound: Operand,
    tol: float,
    note: str,
    sentence: str,
    at_most: bool = True,
) -> Outcome:
    """`actual` at most (else at least) `bound`, within `tol`: expected is the bound, the difference actual −
    bound; `note` says what a failure means."""
    ok = actual.value <= bound.value + tol if at_most else actual.value >= bound.value - tol
    return Outcome(
        subject,
        Status.PASS if ok else Status.FAIL,
        bound.value,
        actual.value,
        round(actual.value - bound.value, 6),
        tol,
        [actual, bound],
        "" if ok else note,
        sentence=sentence,
    )


def show(value: float | None, money: bool = False) -> str:
    """A number as an auditor reads it: 21,468.30 万元 for money, 4,824 for a whole count, else as printed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if money:
        return f"{value:,.2f} 万元"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _is_money(ops: Sequence[Operand]) -> bool:
    return bool(ops) and all(op.to_wan is not None for op in ops if op.value is not None)


def decimal_slip(a: float, b: float) -> str:
    """Two statements of one amount a factor 10, 100 or 1000 apart: a slipped decimal point, worth a word."""
    lo, hi = sorted((abs(a), abs(b)))
    if lo <= 0:
        return ""
    ratio = hi / lo
    for k in (1, 2, 3):
        if abs(ratio - 10**k) <= 10**k * CHECKS.slip_ratio:
            return f"，两者相差正好 {10**k} 倍，疑为小数点错位"
    return f"，后者是前者的 {b / a:.1f} 倍" if a and abs(b / a) >= 2 else ""


def compare_amount(
    subject: str, expected: float, actual: float, tol: float, operands: Sequence[Operand], note: str = ""
) -> Outcome:
    """pass when |actual − expected| ≤ tol; a failure no larger than the rounding band is reported as info.
    When the operands are money, the difference is the amount at stake."""
    diff = actual - expected
    ok = abs(diff) <= tol + CHECKS.float_slack
    out = Outcome(
        subject, Status.PASS if ok else Status.FAIL, expected, actual, round(diff, 6), tol, operands, note
    )
    if not ok:
        money = _is_money(operands)
        if money:
            out.stake = abs(diff) * (operands[0].to_wan or 1.0)
        out.sentence = (
            f"{subject}：应为 {show(expected, money)}，实为 {show(actual, money)}，"
            f"相差 {show(abs(diff), money)}"
        )
    if not ok and abs(diff) <= CHECKS.rounding_band + CHECKS.float_slack:
        out.severity = Severity.INFO
        out.note = (out.note + "; " if out.note else "") + f"差额在舍入量级内(≤{CHECKS.rounding_band:g})"
    return out


def compare_sum(subject: str, total: Operand, parts: Sequence[Operand], note: str = "") -> Outcome:
    expected = sum(p.value for p in parts)
    tol = amount_tol(len(parts)) if len(parts) > 1 else CHECKS.float_slack
    out = compare_amount(subject, round(expected, 6), total.value, tol, [total, *parts], note)
    if out.status == Status.FAIL:
        money = _is_money([total, *parts])
        out.sentence = (
            f"{total.label} {show(total.value, money)}，而 {len(parts)} 个分项之和为 "
            f"{show(expected, money)}，相差 {show(abs(out.difference or 0), money)}"
        )
    return out


def compare_same(subject: str, a: Operand, b: Operand, note: str = "") -> Outcome:
    """The same fact printed twice must be the same number."""
    out = compare_amount(subject, a.value, b.value, 0.0, [a, b], note)
    if out.status == Status.FAIL:
        money = _is_money([a, b])
        out.sentence = (
            f"{a.label} {show(a.value, money)}与{b.label} {show(b.value, money)}不一致，"
            f"相差 {show(abs(out.difference or 0), money)}{decimal_slip(a.value, b.value)}"
        )
    return out


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
    """Decimals of the percentage as printed in its sentence ("8 %" → 0, "80.8 %" → 1); else from the
    value."""
    for m in _NUM_PCT.finditer(unicodedata.normalize("NFKC", evidence or "")):
        if abs(float(m.group(1)) - abs(value)) < CHECKS.zero:
            s = m.group(1)
            return len(s.split(".")[1]) if "." in s else 0
    s = f"{abs(value):.6f}".rstrip("0").rstrip(".")
    return min(2, len(s.split(".")[1])) if "." in s else 0


def compare_pct(
    subject: str,
    stated: Operand,
    f: Callable[..., float],
    inputs: Sequence[Operand],
    decimals: int,
    eps: Sequence[float] | None = None,
    note: str = "",
) -> Outcome:
    """A printed percentage vs its recomputation. Tolerance = half a printed unit + propagated rounding of
    the amounts; a miss by at most one printed unit (truncation instead of rounding) is info."""
    eps = eps if eps is not None else [op.eps for op in inputs]
    vals = [op.value for op in inputs]
    try:
        expected = f(*vals)
        lo, hi = bounds(f, vals, eps)
    except (
        ZeroDivisionError
    ):  # template boilerplate ("占 0%") over an empty total: worth a note, not an error
        return flagged(
            subject,
            stated.value,
            [stated, *inputs],
            (note + "; " if note else "") + "分母为 0, 不应表述百分比",
            severity=Severity.INFO,
        )
    half = 0.5 * 10 ** (-decimals)
    tol = half + max(hi - expected, expected - lo)
    ok = lo - half - CHECKS.float_slack <= stated.value <= hi + half + CHECKS.float_slack
    diff = stated.value - expected
    out = Outcome(
        subject,
        Status.PASS if ok else Status.FAIL,
        round(expected, 4),
        stated.value,
        round(diff, 4),
        round(tol, 4),
        [stated, *inputs],
        (note + "; " if note else "") + f"印刷精度 {decimals} 位小数",
    )
    if not ok:
        base = [abs(op.wan) for op in inputs if op.wan is not None]
        out.stake = abs(diff) / 100 * max(base) if base else None  # the money the wrong percentage misstates
        out.sentence = (
            f"{stated.label.removesuffix('%')} 印为 {show(stated.value)}%，按 "
            f"{'、'.join(f'{op.label} {show(op.value, op.wan is not None)}' for op in inputs)} "
            f"重算为 {expected:.2f}%"
        )
    if not ok and abs(diff) <= tol + 10 ** (-decimals):
        out.severity = Severity.INFO
        out.note += "; 仅差一个印刷单位(截断/进位)"
    return out


class Ctx:
    """The disclosure's tables with lookup helpers the evaluators share.

    Figures are indexed once by (item, measure) and by measure: rules look facts up by key instead of
    filtering the DataFrame, which made the checks cost more than the parse (issue 13)."""

    def __init__(self, disclosure) -> None:
        self.d = disclosure
        self.ocr_lines = frozenset(getattr(disclosure, "line_conf", None) or ())  # Line.no of lines OCR read
        fig = getattr(disclosure, "figures", None)
        rows: list[dict] = []
        if isinstance(fig, pd.DataFrame) and not fig.empty:
            fig = fig.sort_values("source_line", kind="stable", na_position="last")
            rows = as_records(fig)
        self.figures: list[dict] = rows
        self._by_item: dict[tuple[str, str], list[dict]] = {}
        self._by_name: dict[str, list[dict]] = {}
        self._by_measure: dict[str, list[dict]] = {}
        for i, r in enumerate(rows):
            r["_i"], r["_item"], r["_head"] = i, norm_name(r["item"]), head(r["section"])
            r["source_line"], r["page"] = as_int(r.get("source_line")), as_int(r.get("page"))
            self._by_item.setdefault((r["_item"], r["measure"]), []).append(r)
            self._by_name.setdefault(r["_item"], []).append(r)
            self._by_measure.setdefault(r["measure"], []).append(r)
        self._tables: dict[str, pd.DataFrame] = {}
        self._memo: dict[object, object] = {}
        self._scored: pd.DataFrame | None = None
        self._scoring_error: str | None = None

    def table(self, name: str) -> pd.DataFrame:
        df = getattr(self.d, name, None)
        return df if isinstance(df, pd.DataFrame) else pd.DataFrame()

    def records(self, name: str) -> list[dict]:
        """A table's rows as dicts (missing values as None), built once: rules loop over these, not
        `iterrows`."""
        return self.memo(("records", name), lambda: as_records(self.table(name)))  # type: ignore[return-value]

    def memo(self, key: object, make: Callable[[], object]) -> object:
        """A value computed once per document (statements sub-tables, the source text, line items…)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    # ── figures ──
    def by_measure(self, measure: str) -> list[dict]:
        return self._by_measure.get(measure, [])

    def named(self, item_norm: str, measure: str | None = None) -> list[dict]:
        """Figures of one normalised item name (all measures when `measure` is None), in document order."""
        if measure is None:
            return self._by_name.get(item_norm, [])
        return self._by_item.get((item_norm, measure), [])

    def figs(
        self, key: str | Iterable[str], measure: str | None = None, sections: Sequence[str] | None = None
    ) -> list[dict]:
        """Figures whose item is one of the aliases of `key` (or a literal name), optionally by
        measure/section."""
        if not self.figures:
            return []
        keys = [key] if isinstance(key, str) else list(key)
        names: set[str] = set()
        for k in keys:
            names |= ALIASES.get(k, {norm_name(k)})
        if sections is None and set(keys) <= THREE_PUBLIC_KEYS and set(keys) != {"three_public"}:
            home = self.three_public_sections()
            if (
                home
            ):  # 公务接待费 etc. also name basic-expenditure lines (六): read them where 三公 is explained
                sections = home
        hits = [r for n in names for r in self.named(n, measure)]
        if len(names) > 1:
            hits.sort(key=lambda r: r["_i"])
        if sections is not None:
            sections = tuple(sections)
            hits = [r for r in hits if section_in(r["section"], sections)]
        return hits

    def fig(
        self,
        key: str,
        measure: str = "actual",
        sections: Sequence[str] | None = None,
        label: str | None = None,
    ) -> Operand | None:
        sel = self.figs(key, measure, sections)
        return fig_operand(sel[0], label) if sel else None

    def three_public_sections(self) -> tuple[str, ...]:
        def make() -> tuple[str, ...]:
            rows = sorted((r for n in ALIASES["three_public"] for r in self.named(n)), key=lambda r: r["_i"])
            return tuple(dict.fromkeys(r["_head"] or r["section"] for r in rows))

        return self.memo("three_public_sections", make)  # type: ignore[return-value]

    # ── scoring (reused from analysis.scoring; never re-implemented here) ──
    @property
    def scoring_error(self) -> str | None:
        """Why `scored()` gave None (no indicators, or the scoring module missing), for a rule's note."""
        return self._scoring_error

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


_HEAD = re.compile(r"[一二三四五六七八九十]+")


def head(section: object) -> str:
    """The leading numeral of a section label ('五（三）' → '五'), or the label itself."""
    m = _HEAD.match(str(section))
    return m.group() if m else str(section)


def section_in(section: str, prefixes: Sequence[str]) -> bool:
    """'五（三）' is in '五'; '十三' is not in '一' (sections compare by their leading numeral)."""
    return _section_in(str(section), tuple(prefixes))


@lru_cache(maxsize=4096)
def _section_in(section: str, prefixes: tuple[str, ...]) -> bool:
    s = unicodedata.normalize("NFKC", section)
    lead = _HEAD.match(s)
    for p in prefixes:
        p = unicodedata.normalize("NFKC", p)
        if s == p or s.startswith(p + "("):
            return True
        if lead and lead.group() == p:
            return True
    return False


_MEASURE_LABEL = {
    "prior_change": "比上年增减",
    "budget": "预算",
    "budget_change": "比预算增减",
    "share_pct": "占比%",
    "exec_pct": "完成预算%",
    "change_pct": "增长率%",
}


def fig_operand(row, label: str | None = None) -> Operand:
    return Operand(
        label or f"{row['item']}{_MEASURE_LABEL.get(str(row['measure']), '')}",
        float(row["value"]),
        f"说明{row['section']}",
        as_int(row.get("source_line")),
        as_int(row.get("page")),
        to_wan=MONEY_FACTORS.get(str(row.get("unit"))),
        ocr=from_ocr(row),
    )


def row_operand(row, label: str, value_col: str, where: str, money: bool = True) -> Operand:
    """A value from a table row, with the row's line and page; `money`: an amount in 万元 (else a percentage,
    score or count)."""
    return Operand(
        label,
        float(row[value_col]),
        where,
        as_int(row.get("source_line")),
        as_int(row.get("page")),
        to_wan=1.0 if money else None,
        ocr=from_ocr(row),
    )


def at_row(row, label: str, where: str, value: float | None = None) -> Operand:
    """An operand that points at a row (its line and page): its words, or a value read from it."""
    line, page = as_int(row.get("source_line")), as_int(row.get("page"))
    return Operand(label, value, where, line, page, ocr=from_ocr(row))


def from_ocr(row) -> bool:
    """Whether a table row was read from a picture (figures, line items, statements… carry `source`)."""
    return row.get("source") == "ocr"


def as_int(x: object) -> int | None:
    try:
        if x is None or pd.isna(x):
            return None
        return int(x)
    except (TypeError, ValueError):
        return None


def present(x: object) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and not pd.isna(x)
