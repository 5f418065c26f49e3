"""Rule X10: an indicator or a project's money restated in free text — the 部门整体 report, the project
自评报告 paragraphs, the 十三 project list — must read as the table states it.

"弥补工伤保险基金缺口73万" in a report whose table says 730 万 is the kind of slip a reviewer finds by
reading; a factor of exactly 10, 100 or 1000 is called a slipped decimal point and is an error. Free text is
what the parser does not tabulate: prose lines (with sentence punctuation) of the attachments and of the
情况说明's 预算绩效 section. A statement counts when the indicator's own name (or the project's name) is
followed directly by a number with its unit.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right

from ..config import CHECKS
from ..read.lines import Line
from ..types import Severity, Status
from ..values import UNITS
from ..vocab import MONEY_FACTORS
from . import catalogue as cat
from .rules_common import (
    Ctx,
    Operand,
    Outcome,
    as_int,
    at_row,
    compare_sum,
    decimal_slip,
    fig_operand,
    from_ocr,
    na,
    norm_name,
    present,
    rule,
    show,
)
from .rules_cross import indicator_key, to_base
from .source import Text, source

_PROSE = re.compile(r"[,。;]")
_UNIT = "|".join(re.escape(u) for u in UNITS if u not in ("年", "月", "日", "天", "周", "小时", "分"))
_VALUE = re.compile(
    rf"^(?:为|达|达到|是|了|:)?(?P<v>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<u>{_UNIT})"
)
_BUDGET_WORDS = re.compile(
    r"^(?:项目)?(?:财政)?(?:部门)?(?:全年)?(?P<kind>预算|执行数|实际执行数|资金)?(?:数)?"
)
_MIN_NAME = 4


def _blocks(text: Text) -> list[tuple[str, int, int]]:
    """(label, start, end) of the free text: the attachments and the 情况说明's 绩效 sections."""
    out = []
    for sec in text.segs.sections.get("explanation", []):
        if "绩效" in sec.title:
            out.append(("情况说明" + sec.label, sec.start, sec.end))
    if "attachments" in text.segs.parts:
        out.append(("自评报告", *text.segs.parts["attachments"]))
    return out


def _paragraphs(text: Text, start: int, end: int) -> list[tuple[str, list[int], int]]:
    """Runs of prose lines joined (a statement may wrap): (text, offset of each line, first line index). A
    line without punctuation between two prose lines is a wrapped part of the prose, not a table row."""
    prose = [bool(_PROSE.search(text.compact_lines[i])) for i in range(start, end)]
    out, run = [], []
    for i in range(start, end):
        k = i - start
        if prose[k] or (0 < k < len(prose) - 1 and prose[k - 1] and prose[k + 1]):
            run.append(i)
            continue
        if run:
            out.append(run)
            run = []
    if run:
        out.append(run)
    paragraphs = []
    for idx in out:
        joined, starts = text.joined(idx[0], idx[-1] + 1)
        paragraphs.append((joined, starts, idx[0]))
    return paragraphs


def _scopes(text: Text, start: int, end: int, projects: list[dict]) -> list[object]:
    """The project each line speaks about: a line that opens with a project's name
    ("3、农民工工资清欠专项工作经费：", "2023年度工伤保险基金缺口县级配套资金") starts that project's part;
    before any, the department's."""
    numbers = {norm_name(r["project_name"]): r["project_no"] for r in projects}
    names = sorted((n for n in numbers if len(n) >= _MIN_NAME), key=len, reverse=True)
    scope: object = None
    out: list[object] = []
    if not names:
        return [None] * (end - start)
    opener = re.compile(
        r"(?:\d{1,2}[、.]|\([一二三四五六七八九十\d]{1,2}\))?(?:\d{4}年度?|上年)?("
        + "|".join(map(re.escape, names))
        + ")"
    )
    for i in range(start, end):
        m = opener.match(text.compact_lines[i])
        if m:
            scope = numbers[m.group(1)]
        out.append(scope)
    return out


def _money_unit(unit: str, name: str) -> bool:
    return unit in ("万元", "元", "亿元") or (unit == "万" and bool(cat.MONEY_WORDS.search(name)))


def _agree(v: float, unit: str, printed: str, value: float, other_unit: str, other_raw: str) -> bool:
    if unit == "万" and other_unit.startswith("万"):
        unit = other_unit
    if other_unit == "万" and unit.startswith("万"):
        other_unit = unit
    a, base_a, fa = to_base(v, unit)
    b, base_b, fb = to_base(value, other_unit)
    if base_a != base_b:
        return False
    tol = max(_half_unit(printed) * fa, _half_unit(other_raw) * fb) + CHECKS.zero
    return abs(a - b) <= tol


def _half_unit(printed: str) -> float:
    m = re.search(r"\d+(?:\.(\d+))?", printed)
    return 0.5 * 10 ** (-(len(m.group(1)) if m and m.group(1) else 0))


@rule("X10")
def x10(ctx: Ctx) -> list[Outcome]:
    text = source(ctx)
    indicators = [r for r in ctx.records("indicators") if present(r.get("actual_value"))]
    projects = [r for r in ctx.records("projects") if present(r.get("budget_wan"))]
    if text is None or (not indicators and not projects):
        return [na("自由文本重述", "缺少源文件或指标/项目表")]
    by_name: dict[str, list[tuple[str, dict]]] = {}
    for r in indicators:
        key = indicator_key(r["level3"])
        if len(key) >= _MIN_NAME:
            by_name.setdefault(key, []).append(("indicator", r))
    for r in projects:
        key = norm_name(r["project_name"])
        if len(key) >= _MIN_NAME:
            by_name.setdefault(key, []).append(("project", r))
    if not by_name:
        return [na("自由文本重述", "没有可对应的指标或项目名称")]
    names = re.compile("|".join(re.escape(k) for k in sorted(by_name, key=len, reverse=True)))
    out = []
    for label, a, b in _blocks(text):
        scopes = _scopes(text, a, b, projects)
        for joined, starts, first in _paragraphs(text, a, b):
            for m in names.finditer(joined):
                rest = joined[m.end() :]
                kind = _BUDGET_WORDS.match(rest)
                value = _VALUE.match(rest[kind.end() :] if kind else rest)
                if value is None:
                    continue
                i = first + bisect_right(starts, m.start()) - 1
                targets = [t for t in by_name[m.group()] if _in_scope(t, scopes[i - a])]
                if not targets:
                    continue
                line = text.lines[i]
                printed = value.group("v") + value.group("u")
                out.append(
                    _compare(
                        label,
                        m.group(),
                        printed,
                        value,
                        kind.group("kind") if kind else None,
                        targets,
                        text,
                        line,
                    )
                )
    return [o for o in out if o is not None] or [na("自由文本重述", "自由文本没有以指标或项目名称引出的数字")]


def _in_scope(target: tuple[str, dict], scope: object) -> bool:
    """A project's part speaks of that project's indicators and money; the department's part of the department
    table's indicators and of any project's money (named by the project)."""
    what, r = target
    if scope is None:
        return what == "project" or r["scope"] == "department"
    return r["project_no"] == scope and (what == "project" or r["scope"] == "project")


def _compare(
    label: str,
    name: str,
    printed: str,
    m: re.Match,
    kind: str | None,
    targets: list[tuple[str, dict]],
    text: Text,
    line: Line,
) -> Outcome | None:
    v, unit = float(m.group("v").replace(",", "")), m.group("u")
    said = text.cite(
        f"{label}“{name}{printed}”", v, label, line, to_wan=1.0 if _money_unit(unit, name) else None
    )
    candidates = []
    for what, r in targets:
        if what == "indicator":
            other_unit = str(r.get("actual_unit") or "")
            if not _comparable(unit, other_unit) and not _same_kind(unit, other_unit):
                continue  # "创业担保贷款 6951 笔" and "47367 万元": two facts about one indicator
            candidates.append((what, r, float(r["actual_value"]), other_unit, str(r["actual_raw"])))
        elif unit in ("万元", "万"):
            col = "executed_wan" if kind in ("执行数", "实际执行数") else "budget_wan"
            if present(r.get(col)):
                candidates.append((what, r, float(r[col]), "万元", f"{float(r[col]):g}万元"))
    if not candidates:
        return None
    subject = f"{label}: {name}{printed}"
    for what, r, value, other_unit, raw in candidates:
        if _agree(v, unit, printed, value, other_unit, raw):
            if what == "indicator" and r.get("actual_op"):  # "≥90%" in the table, "100%" in the text
                continue
            return Outcome(subject, Status.PASS, value, v, None, None, [said, _table_op(what, r, value, raw)])
    what, r, value, other_unit, raw = candidates[0]
    table = _table_op(what, r, value, raw)
    if not _comparable(unit, other_unit):  # 126 例 and 126 人: one count in two measure words
        if abs(v - value) > CHECKS.zero:
            return None
        return Outcome(
            subject,
            Status.FAIL,
            value,
            v,
            0.0,
            None,
            [said, table],
            "计量单位写法不同",
            severity=Severity.INFO,
            sentence=f"{label}写“{name}{printed}”，表中为 {raw}：数值相同，计量单位写法不同",
        )
    slip = decimal_slip(value, v) if _comparable(unit, other_unit) else ""
    where = (
        "部门整体自评表"
        if what == "indicator" and r["scope"] == "department"
        else (f"项目{r['project_no']}自评表")
    )
    field = "完成值" if what == "indicator" else ("执行数" if kind in ("执行数", "实际执行数") else "预算数")
    loose = what == "indicator" and r.get("actual_op")
    note = "表中完成值只写了区间" if loose else "与表中数字不符"
    money = said.to_wan is not None
    stake = (
        abs(v * MONEY_FACTORS.get(unit, 1.0) - value * MONEY_FACTORS.get(other_unit or unit, 1.0))
        if money and not loose
        else 0.0
    )
    severity = Severity.ERROR if "小数点" in slip and money else None
    return Outcome(
        subject,
        Status.FAIL,
        value,
        v,
        None if loose else round(v - value, 6),
        None,
        [said, table],
        note + slip.replace("，", "; "),
        severity=severity,
        stake=stake if math.isfinite(stake) else 0.0,
        sentence=f"{label}写“{name}{printed}”，{where}{field}为 {raw}{slip}",
    )


def _same_kind(unit: str, other: str) -> bool:
    """Two measure words of a count (人/例/次…), neither money nor a rate."""
    special = {"%", "‰", "万元", "元", "亿元", "万"}
    return bool(unit) and bool(other) and unit not in special and other not in special


def _comparable(unit: str, other: str) -> bool:
    return unit == other or {unit, other} <= {"万", "万元"} or (unit.startswith("万") and other == "万")


def _table_op(what: str, r: dict, value: float, raw: str) -> Operand:
    where = "部门整体自评表" if what == "indicator" and r.get("scope") == "department" else "项目自评表"
    label = f"{r['level3']}完成值({raw})" if what == "indicator" else f"项目{r['project_no']}.{raw}"
    return at_row(r, label, where, value)


# ── X11: an amount said to be excluded ("不含 X 万元") against the parts it names ──────────────────────

_EXCLUDED = re.compile(
    r"\((?P<w>不含|含|其中)(?P<names>[^()\d]{2,40}?)(?P<v>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)万元\)"
)
_JOIN = re.compile(r"[、,]|以及|和|及|与")


def _part_amount(ctx: Ctx, name: str) -> Operand | None:
    """What the document states elsewhere for a named part: a narrative amount of that item, else a project's
    budget (both by exact name)."""
    from .rules_narrative import key_of

    for r in ctx.figs(key_of(name) or name, "actual"):
        if r["unit"] in ("万元", "万"):
            return fig_operand(r, f"{r['item']}")
    for r in ctx.records("projects"):
        if norm_name(r["project_name"]) == norm_name(name) and present(r.get("budget_wan")):
            return Operand(
                f"项目{r['project_no']}.预算数",
                float(r["budget_wan"]),
                "自评表",
                as_int(r.get("source_line")),
                as_int(r.get("page")),
                to_wan=1.0,
                ocr=from_ocr(r),
            )
    return None


@rule("X11")
def x11(ctx: Ctx) -> list[Outcome]:
    text = source(ctx)
    if text is None or "explanation" not in text.segs.parts:
        return [na("不含X万元", "找不到情况说明")]
    a, b = text.segs.parts["explanation"]
    joined, starts = text.joined(a, b)
    out: list[Outcome] = []
    seen: dict[str, Operand] = {}
    for m in _EXCLUDED.finditer(joined):
        line = text.lines[a + bisect_right(starts, m.start()) - 1]
        names = [
            n for n in _JOIN.split(re.sub(r"(?:两|三|四|五|\d)项$", "", m.group("names"))) if len(n) >= 2
        ]
        stated = text.cite(
            f"“{m.group()[1:-1]}”", float(m.group("v").replace(",", "")), "情况说明", line, to_wan=1.0
        )
        key = "、".join(names)
        if key in seen:  # the same exclusion stated twice must be the same amount
            o = compare_sum(f"{m.group('w')}{key} 两处表述", seen[key], [stated])
            if o.status == Status.FAIL:
                o.sentence = (
                    f"{m.group('w')}“{key}”的金额两处不一致：{show(seen[key].value, True)} 与 "
                    f"{show(stated.value, True)}{decimal_slip(seen[key].value, stated.value)}"
                )
            out.append(o)
        seen.setdefault(key, stated)
        parts = [_part_amount(ctx, n) for n in names]
        if not names or any(p is None for p in parts):
            continue
        o = compare_sum(f"{m.group('w')}{key} = Σ所列", stated, parts)  # type: ignore[arg-type]
        if o.status == Status.FAIL:
            o.sentence = (
                f"括号中{m.group('w')}“{key}” {show(stated.value, True)}，而说明所列这些项目合计 "
                f"{show(sum(p.value for p in parts), True)}"
                f"{decimal_slip(sum(p.value for p in parts), stated.value)}"
            )
        out.append(o)
    return out or [na("不含X万元", "没有能与所列分项对照的“（不含…万元）”")]
