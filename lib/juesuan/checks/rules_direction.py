"""Rules D01–D02: the words that say which way an amount went (大于/小于/持平, 增加/减少/持平) against the
amounts printed beside them.

"决算数小于预算数的主要原因…" under a budget of 2,366.07 万元 and an actual of 2,820.06 万元 is wrong whatever
the reason says. The words are read from the document's text, entry by entry (1、… (1)…), with the budget,
actual, change and completion percentage of the same entry; a gap within rounding (0.01 万元) is 持平.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ..config import CHECKS
from ..types import Severity, Status
from .rules_common import Ctx, Operand, Outcome, na, rule, show
from .source import Text, source

_NUM = r"(?P<v>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_BUDGET = re.compile(rf"(?:年初预算|预算)(?:数)?(?:为|是){_NUM}万元")
_ACTUAL = re.compile(rf"(?:支出决算|决算)(?:数)?(?:为|是)?{_NUM}万元")
_AMOUNT = re.compile(rf"{_NUM}万元")
_CHANGE = re.compile(
    rf"比(?:年初)?预算(?:数)?(?P<w>增加|减少|节约|超支|超出)(?P<amb>\((?:增加|减少)\))?{_NUM}万元"
)
_PCT = re.compile(rf"完成(?:年初)?(?:预算|计划)(?:数)?的{_NUM}%")
_COMPARE = re.compile(
    r"决算(?:数)?(?P<w>大于|小于|高于|低于|超过|多于|少于|等于|基本持平于|持平于|同|与|和)(?P<amb>\((?:大于|小于|高于|低于)\))?"
    r"(?:年初)?预算(?:数)?(?P<w2>基本持平|持平|相当|一致|相同|相等)?"
)
_ENTRY = re.compile(r"(?:^|(?<=[。;:]))(?:\d{1,2}[.、](?!\d)|\(\d{1,2}\))")
_SIGN = {
    "大于": 1,
    "高于": 1,
    "超过": 1,
    "多于": 1,
    "小于": -1,
    "低于": -1,
    "少于": -1,
    "等于": 0,
    "持平于": 0,
    "基本持平于": 0,
    "持平": 0,
    "基本持平": 0,
    "相当": 0,
    "一致": 0,
    "相同": 0,
    "相等": 0,
}
_CHANGE_SIGN = {"增加": 1, "超支": 1, "超出": 1, "减少": -1, "节约": -1}
_WORD = {1: "大于", -1: "小于", 0: "持平"}


def _num(m: re.Match) -> float:
    return float(m.group("v").replace(",", ""))


@dataclass
class Entry:
    """One numbered entry (or the text before the first) of a 情况说明 section, with where it lies."""

    section: str
    text: str
    start: int  # offset in the section's joined text
    starts: list[int]  # offset of each line in the section's joined text
    first: int  # line index where the section's joined text starts

    def where(
        self, pos: int, text: Text, label: str, value: float | None = None, money: bool = False
    ) -> Operand:
        i = self.first + bisect_right(self.starts, self.start + pos) - 1
        line = text.lines[i]
        return text.cite(label, value, f"说明{self.section}", line, to_wan=1.0 if money else None)

    @property
    def title(self) -> str:
        body = re.sub(r"^(?:\d{1,2}[.、]|\(\d{1,2}\))", "", self.text)
        head = re.split(r"[。:;,]|主要用于|年初预算|预算为|支出决算|\d[\d,.]*万元", body, maxsplit=1)[0]
        return head[:40]


def entries(text: Text) -> list[Entry]:
    """Every entry of every 情况说明 section and subsection."""
    out: list[Entry] = []
    for sec in text.segs.sections.get("explanation", []):
        pieces = [(sec.label, sec.start, sec.subsections[0].start if sec.subsections else sec.end)]
        pieces += [(sub.label, sub.start, sub.end) for sub in sec.subsections]
        for label, a, b in pieces:
            if a + 1 >= b:
                continue
            joined, starts = text.joined(a + 1, b)
            cuts = [0] + [m.start() for m in _ENTRY.finditer(joined) if m.start() > 0] + [len(joined)]
            for s, e in zip(cuts, cuts[1:], strict=False):
                if e > s:
                    out.append(Entry(label, joined[s:e], s, starts, a + 1))
    return out


def _amounts(
    e: Entry, text: Text
) -> tuple[Operand | None, Operand | None, Operand | None, tuple[int, Operand] | None]:
    """(actual, budget, completion %, (sign, change)) of an entry, each the first the entry states."""
    t = e.text
    b = _BUDGET.search(t)
    budget = e.where(b.start("v"), text, "年初预算", _num(b), True) if b else None
    a = _ACTUAL.search(t)
    if (
        a is None
    ):  # "(2)公务用车运行费 6.46 万元，完成年初预算的 46 %": the entry's first amount is its actual
        taken = {m.start("v") for rx in (_BUDGET, _CHANGE) for m in rx.finditer(t)}
        a = next((m for m in _AMOUNT.finditer(t) if m.start("v") not in taken), None)
    actual = e.where(a.start("v"), text, "支出决算", _num(a), True) if a else None
    p = _PCT.search(t)
    pct = e.where(p.start("v"), text, "完成预算%", _num(p)) if p else None
    c = _CHANGE.search(t)
    change = None
    if c and not c.group("amb"):
        change = (
            _CHANGE_SIGN[c.group("w")],
            e.where(c.start("v"), text, f"比预算{c.group('w')}", _num(c), True),
        )
    return actual, budget, pct, change


@rule("D01")
def d01(ctx: Ctx) -> list[Outcome]:
    text = source(ctx)
    if text is None:
        return [na("大于/小于/持平", "找不到源文件")]
    out = []
    for e in entries(text):
        actual, budget, pct, change = _amounts(e, text)
        for m in _COMPARE.finditer(e.text):
            word = m.group("w2") or m.group("w")
            if m.group("amb") or word not in _SIGN:
                continue  # "决算数大于（小于）预算数": the template's wording, no claim
            out.append(_judge(e, text, m, word, actual, budget, pct, change))
        if change is not None and pct is not None and change[1].value:
            out.append(_change_vs_pct(e, change, pct))
    return out or [na("大于/小于/持平", "情况说明没有决算与预算比较的表述")]


def _judge(
    e: Entry,
    text: Text,
    m: re.Match,
    word: str,
    actual: Operand | None,
    budget: Operand | None,
    pct: Operand | None,
    change: tuple[int, Operand] | None,
) -> Outcome:
    said = e.where(m.start(), text, f"“{m.group()}”")
    subject = f"{e.title}: {m.group()}"
    claim = _SIGN[word]
    approx = word.startswith("基本")
    if actual is not None and budget is not None:
        d, basis, ops = (
            actual.value - budget.value,
            f"决算 {show(actual.value, True)}、年初预算 {show(budget.value, True)}",
            [said, actual, budget],
        )
    elif actual is not None and change is not None:
        d = change[0] * change[1].value
        basis, ops = (
            f"决算 {show(actual.value, True)}、{change[1].label} {show(change[1].value, True)}",
            [said, actual, change[1]],
        )
    elif pct is not None:
        return _judge_pct(e, subject, said, claim, approx, pct, actual)
    else:
        return na(subject, "同一条目没有预算数与决算数")
    flat = CHECKS.direction_rounding
    tol = max(flat, CHECKS.direction_flat_share * abs(budget.value)) if approx and budget else flat
    actual_sign = 0 if abs(d) <= tol + CHECKS.zero else (1 if d > 0 else -1)
    if claim == actual_sign or (claim == 0 and actual_sign == 0):
        return Outcome(subject, Status.PASS, 0.0, round(d, 6), None, tol, ops)
    severity = Severity.INFO if claim != 0 and 0 < abs(d) <= flat + CHECKS.zero else None
    return Outcome(
        subject,
        Status.FAIL,
        None,
        round(d, 6),
        round(d, 6),
        tol,
        ops,
        f"按金额应为“{_WORD[actual_sign]}”",
        severity=severity,
        stake=abs(d),
        sentence=f"“{e.title}”{basis}，说明却称“{m.group()}”：按金额决算"
        + ("与预算持平" if actual_sign == 0 else f"{'多' if d > 0 else '少'}于预算 {show(abs(d), True)}"),
    )


def _judge_pct(
    e: Entry, subject: str, said: Operand, claim: int, approx: bool, pct: Operand, actual: Operand | None
) -> Outcome:
    half = 0.5 if float(pct.value).is_integer() else 0.005
    band = 100 * CHECKS.direction_flat_share if approx else half  # 基本持平: within that share, in points
    sign = 0 if abs(pct.value - 100) <= band else (1 if pct.value > 100 else -1)
    ops = [said, pct]
    if claim == sign:
        return Outcome(subject, Status.PASS, 100.0, pct.value, None, band, ops)
    stake = (
        abs(pct.value - 100) / 100 * abs(actual.value) / (pct.value / 100) if actual and pct.value else None
    )
    return Outcome(
        subject,
        Status.FAIL,
        100.0,
        pct.value,
        round(pct.value - 100, 4),
        band,
        ops,
        f"按完成预算百分比应为“{_WORD[sign]}”",
        stake=stake,
        sentence=f"“{e.title}”完成预算 {show(pct.value)}%，说明却称“{said.label.strip('“”')}”",
    )


def _change_vs_pct(e: Entry, change: tuple[int, Operand], pct: Operand) -> Outcome:
    sign, op = change
    half = 0.5 if float(pct.value).is_integer() else 0.005
    by_pct = 0 if abs(pct.value - 100) <= half else (1 if pct.value > 100 else -1)
    subject = f"{e.title}: {op.label} vs 完成 {show(pct.value)}%"
    if by_pct in (0, sign):
        return Outcome(subject, Status.PASS, 100.0, pct.value, None, half, [op, pct])
    return Outcome(
        subject,
        Status.FAIL,
        100.0,
        pct.value,
        round(pct.value - 100, 4),
        half,
        [op, pct],
        "增减方向与完成预算百分比相反",
        stake=op.value,
        sentence=f"“{e.title}”完成预算 {show(pct.value)}%，"
        f"同一句却说{op.label} {show(op.value, True)}：方向相反",
    )


# ── D02: 增加/减少/持平 against the change stated in the same clause ─────────────────────────────────

_MOVE = re.compile(rf"(?P<w>增加|减少|增长|下降)(?P<amb>\((?:增加|减少|增长|下降)\))?{_NUM}(?P<u>万元|%)")


@rule("D02")
def d02(ctx: Ctx) -> list[Outcome]:
    text = source(ctx)
    if text is None or "explanation" not in text.segs.parts:
        return [na("增加/减少/持平", "找不到情况说明")]
    a, b = text.segs.parts["explanation"]
    joined, starts = text.joined(a, b)
    out = []
    pos = 0
    for clause in re.split(r"(?<=[。;:])", joined):  # "其中:" opens items of their own
        moves = [m for m in _MOVE.finditer(clause) if not m.group("amb")]
        where = a + bisect_right(starts, pos) - 1
        line = text.lines[where]
        k = clause.find("持平")
        if k >= 0 and "基本持平" not in clause:
            nonzero = [m for m in moves if _num(m) and not re.search(r"比(?:年初)?预算", clause[: m.start()])]
            if nonzero:
                said = "、".join(f"“{m.group()}”" for m in nonzero)
                amount = next((m for m in nonzero if m.group("u") == "万元"), None)
                out.append(
                    Outcome(
                        f"“{clause[max(0, k - 12) : k + 2]}”",
                        Status.FAIL,
                        0.0,
                        _num(nonzero[0]),
                        None,
                        0.0,
                        [
                            text.cite(
                                f"“{m.group()}”",
                                _num(m),
                                "情况说明",
                                line,
                                to_wan=1.0 if m.group("u") == "万元" else None,
                            )
                            for m in nonzero
                        ],
                        "称持平, 同一句又有增减额",
                        stake=_num(amount) if amount else 0.0,
                        sentence=f"“{clause[max(0, k - 12) : k + 2]}”，同一句又说{said}",
                    )
                )
        for m in moves:
            if _num(m) == 0 and "持平" not in clause:
                out.append(
                    Outcome(
                        f"“{m.group()}”",
                        Status.FAIL,
                        0.0,
                        0.0,
                        0.0,
                        0.0,
                        [text.cite(f"“{clause[:30]}”", None, "情况说明", line)],
                        "增减为 0 应表述为持平",
                        severity=Severity.WARNING,
                        sentence=f"“{clause[:30]}…”中“{m.group()}”：增减为 0，应表述为持平",
                    )
                )
        pos += len(clause)
    return out or [Outcome("未见与增减额矛盾的“持平”或为 0 的“增加/减少”", Status.PASS)]
