"""Rules X01–X08: the narrative's project list (十三) against the attached self-evaluation tables, scope of
self-evaluated funds, and the same indicator stated in the department table and in a project table."""

from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher

from ..config import CHECKS
from ..types import Severity, Status
from ..values import UNITS, norm
from . import catalogue as cat
from .rules_common import (
    Ctx,
    Operand,
    Outcome,
    at_row,
    compare_pct,
    compare_same,
    compare_sum,
    flagged,
    from_ocr,
    na,
    norm_name,
    present,
    printed_decimals,
    row_operand,
    rule,
    show,
)
from .rules_performance import project_budgets


def _pairs(ctx: Ctx) -> list[tuple[dict, dict]]:
    po, pr = ctx.records("project_outputs"), ctx.records("projects")
    by_no = {int(r["project_no"]): r for r in pr}
    return [(r, by_no[int(r["project_no"])]) for r in po if int(r["project_no"]) in by_no]


@rule("X01")
def x01(ctx: Ctx) -> list[Outcome]:
    out = []
    for o, p in _pairs(ctx):
        for col, label in (("budget_wan", "预算数"), ("executed_wan", "执行数")):
            if present(o[col]) and present(p[col]):
                out.append(
                    compare_same(
                        f"项目{o['project_no']} {label}",
                        row_operand(o, f"说明十三.项目{o['project_no']}.{label}", col, "情况说明"),
                        row_operand(p, f"自评表.项目{p['project_no']}.{label}", col, "自评表"),
                    )
                )
    return out or [na("项目金额", "缺少说明项目列表或自评表")]


@rule("X02")
def x02(ctx: Ctx) -> list[Outcome]:
    out = []
    for o, p in _pairs(ctx):
        a, b = norm_name(o["project_name"]), norm_name(p["project_name"])
        ok = a == b
        sim = SequenceMatcher(None, a, b).ratio()
        out.append(
            Outcome(
                f"项目{o['project_no']} 名称",
                Status.PASS if ok else Status.FAIL,
                None,
                None,
                None,
                None,
                [
                    at_row(o, f"说明十三: {o['project_name']}", "情况说明"),
                    at_row(p, f"自评表: {p['project_name']}", "自评表"),
                ],
                "" if ok else f"名称不一致(相似度 {sim:.2f})",
                sentence=f"项目{o['project_no']}的名称在情况说明十三中为“{o['project_name']}”，自评表中为"
                f"“{p['project_name']}”",
            )
        )
    return out or [na("项目名称", "缺少说明项目列表或自评表")]


@rule("X03")
def x03(ctx: Ctx) -> list[Outcome]:
    out = []
    for r in ctx.records("project_outputs"):
        if not (present(r["budget_wan"]) and present(r["executed_wan"]) and present(r["exec_pct"])):
            continue
        if float(r["budget_wan"]) == 0:
            continue
        stated = row_operand(r, f"项目{r['project_no']}.完成预算%", "exec_pct", "情况说明", money=False)
        out.append(
            compare_pct(
                f"项目{r['project_no']} 完成预算%",
                stated,
                lambda b, e: e / b * 100,
                [
                    row_operand(r, "预算数", "budget_wan", "情况说明"),
                    row_operand(r, "执行数", "executed_wan", "情况说明"),
                ],
                printed_decimals(stated.value, None),
            )
        )
    return out or [na("项目完成预算%", "说明未列项目完成预算百分比")]


def _evaluated_count(ctx: Ctx) -> Operand | None:
    sel = ctx.figs("evaluated_projects", "count") or [
        r
        for r in ctx.by_measure("count")
        if r["unit"] == "个" and str(r["section"]).startswith("十三") and "项目" in r["_item"]
    ]
    if not sel:
        return None
    r = sel[0]
    return row_operand(r, f"说明.{r['item']}", "value", f"说明{r['section']}", money=False)


def _evaluated_funds(ctx: Ctx) -> Operand | None:
    sel = ctx.figs("evaluated_funds", "actual") or [
        r
        for r in ctx.by_measure("actual")
        if r["unit"] == "万元" and str(r["section"]).startswith("十三") and "自评" in str(r["evidence"])
    ]
    if not sel:
        return None
    r = sel[0]
    return row_operand(r, f"说明.{r['item']}(自评项目资金)", "value", f"说明{r['section']}")


@rule("X04")
def x04(ctx: Ctx) -> list[Outcome]:
    stated = _evaluated_count(ctx)
    pr, po = ctx.records("projects"), ctx.records("project_outputs")
    if stated is None and (not pr or not po):
        return [na("项目个数", "说明未给出自评项目个数")]
    out = []
    ref = stated or Operand("说明十三列示项目数", float(len(po)))
    for name, df in (("项目自评表个数", pr), ("说明十三列示项目数", po)):
        if not df or (stated is None and name == "说明十三列示项目数"):
            continue
        o = compare_same(f"{ref.label} = {name}", ref, Operand(name, float(len(df))))
        o.severity = None
        out.append(o)
    return out or [na("项目个数", "缺少自评表")]


@rule("X05")
def x05(ctx: Ctx) -> list[Outcome]:
    funds, pr = _evaluated_funds(ctx), ctx.records("projects")
    if funds is None or not any(present(r["budget_wan"]) for r in pr):
        return [na("自评资金合计", "缺少说明的自评资金或项目预算数")]
    parts = project_budgets(pr)
    return [compare_sum(f"Σ{len(parts)}个项目预算数 = 自评资金", funds, parts)]


@rule("X06")
def x06(ctx: Ctx) -> list[Outcome]:
    funds = _evaluated_funds(ctx)
    known = [r for r in ctx.records("projects") if present(r["budget_wan"])]
    if funds is None and known:
        budgets = sum(float(r["budget_wan"]) for r in known)
        funds = Operand("Σ项目预算数", budgets, "自评表", to_wan=1.0, ocr=any(map(from_ocr, known)))
    out: list[Outcome] = []
    for sections, label in (
        (cat.SCOPE_GENERAL_BUDGET, "一般公共预算项目支出"),
        (cat.SCOPE_ALL_FUNDS, "项目支出(全部资金)"),
    ):
        proj = ctx.fig("project", sections=sections)
        if funds is None or proj is None or out:
            continue
        proj = replace(proj, label=label)
        ok = funds.value <= proj.value + CHECKS.amount_tolerance
        times = (
            f"是{label} {show(proj.value, True)}的 {funds.value / proj.value:.1f} 倍"
            if proj.value
            else f"而{label}为 0"
        )
        out.append(
            Outcome(
                f"自评项目资金 ≤ {label}",
                Status.PASS if ok else Status.FAIL,
                proj.value,
                funds.value,
                round(funds.value - proj.value, 4),
                CHECKS.amount_tolerance,
                [funds, proj],
                ""
                if ok
                else f"自评资金{times}: 含社保基金等其他口径, 且与“占一般公共预算项目支出总额”的表述不符",
                sentence=f"项目自评资金 {show(funds.value, True)}，{times}：自评范围含社保基金等其他口径，"
                "与“占一般公共预算项目支出总额”的说法不符",
            )
        )
    return out or [na("自评资金口径", "缺少自评资金或项目支出")]


_QTY = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)\s*("
    + "|".join(re.escape(u) for u in UNITS if u not in ("年", "月", "日"))
    + r")(?![\u4e00-\u9fff]?\d)"
)


def to_base(value: float, unit: str) -> tuple[float, str, float]:
    """(value in base unit, base unit, factor) — 万人 → 人 ×10⁴; 亿元 → 元 ×10⁸; 万元 → 元 ×10⁴."""
    if unit.startswith("亿") and len(unit) > 1:
        return value * 1e8, unit[1:], 1e8
    if unit.startswith("万") and len(unit) > 1:
        return value * 1e4, unit[1:], 1e4
    return value, unit, 1.0


def quantities(text: str) -> list[tuple[float, str, str]]:
    """Numbers with units in a sentence: (value, unit, as printed)."""
    return [(float(m.group(1)), m.group(2), m.group(0)) for m in _QTY.finditer(norm(str(text)))]


@rule("X07")
def x07(ctx: Ctx) -> list[Outcome]:
    po, ind = ctx.records("project_outputs"), ctx.records("indicators")
    if not po or not ind:
        return [na("产出数量", "缺少说明项目列表或指标表")]
    by_project: dict[object, list[dict]] = {}
    for x in ind:
        if x["scope"] == "project" and present(x["actual_value"]):
            by_project.setdefault(x["project_no"], []).append(x)
    out = []
    for r in po:
        rows = by_project.get(r["project_no"], [])
        if not rows or not present(r.get("outputs")):
            continue
        for value, unit, printed in quantities(r["outputs"]):
            if unit == "%" and value == 100:
                continue  # "完成率 100%" matches anything; not informative
            v, base, factor = to_base(value, unit)
            d = len(re.sub(r"\D", "", printed.split(".")[1])) if "." in printed else 0
            tol = 0.5 * 10 ** (-d) * factor + CHECKS.zero  # half the printed unit
            hit = None
            for x in rows:
                xu = str(x["actual_unit"]) if present(x["actual_unit"]) else ""
                xv, xbase, _ = to_base(float(x["actual_value"]), xu)
                if xbase == base and abs(xv - v) <= tol:
                    hit = x
                    break
            said = row_operand(
                r, f"说明十三.项目{r['project_no']}: {printed}", "project_no", "情况说明", money=False
            )
            said = replace(said, value=value)
            if hit is not None:
                out.append(
                    Outcome(
                        f"项目{r['project_no']} {printed}",
                        Status.PASS,
                        value,
                        float(hit["actual_value"]),
                        None,
                        None,
                        [
                            said,
                            at_row(
                                hit,
                                f"指标.{hit['level3']}({hit['actual_raw']})",
                                "自评表",
                                float(hit["actual_value"]),
                            ),
                        ],
                    )
                )
            else:
                out.append(
                    flagged(
                        f"项目{r['project_no']} {printed}",
                        value,
                        [said],
                        f"该项目 {len(rows)} 个指标的完成值中没有 {printed}",
                        sentence=f"情况说明十三称项目{r['project_no']}“{r['project_name']}”产出 {printed}，"
                        f"该项目自评表 {len(rows)} 个指标的完成值中没有这个数",
                    )
                )
    return out or [na("产出数量", "说明未列产出数量")]


_YEAR = re.compile(r"^\d{2,4}年度?")


def indicator_key(name: object) -> str:
    return _YEAR.sub("", norm_name(name))


def _same_indicator(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return (
        len(short) >= CHECKS.name_min_chars
        and short in long_
        and len(short) / len(long_) >= CHECKS.name_containment
    )


def _unit(r: dict, side: str) -> str:
    return str(r[f"{side}_unit"]) if present(r[f"{side}_unit"]) else ""


def _quantity(r: dict, side: str, other: dict) -> tuple[float, str] | None:
    """Value in base units; a bare 万 in a cell (shorthand for 万元/万人) takes the other statement's
    万-unit."""
    if not present(r[f"{side}_value"]):
        return None
    unit, other_unit = _unit(r, side), _unit(other, side)
    if unit == "万" and other_unit.startswith("万"):
        unit = other_unit
    v, base, _ = to_base(float(r[f"{side}_value"]), unit)
    return v, base


@rule("X08")
def x08(ctx: Ctx) -> list[Outcome]:
    ind = ctx.records("indicators")
    if not ind:
        return [na("部门/项目同名指标", "无指标")]
    dep = [r for r in ind if r["scope"] == "department"]
    proj = [r for r in ind if r["scope"] == "project"]
    if not dep or not proj:
        return [na("部门/项目同名指标", "缺少部门整体或项目指标")]
    pk = [indicator_key(p["level3"]) for p in proj]
    out = []
    for d in dep:
        dk = indicator_key(d["level3"])
        matches = [i for i, k in enumerate(pk) if k == dk] or [
            i for i, k in enumerate(pk) if _same_indicator(dk, k)
        ]
        out += [_same_name_outcome(d, proj[i]) for i in matches]
    return out or [na("部门/项目同名指标", "部门整体表与项目表没有同名指标")]


def _differences(d: dict, p: dict) -> list[str]:
    """How a department indicator and a project indicator of the same name differ: target and actual (value,
    unit, or text where either is no number), and the target's operator."""
    issues = []
    for side, label in (("target", "目标值"), ("actual", "完成值")):
        qd, qp = _quantity(d, side, p), _quantity(p, side, d)
        if qd is None or qp is None:
            if norm_name(d[f"{side}_raw"]) != norm_name(p[f"{side}_raw"]):
                issues.append(f"{label}文字不同({d[f'{side}_raw']} vs {p[f'{side}_raw']})")
            continue
        if qd[1] != qp[1]:
            issues.append(f"{label}单位不同({d[f'{side}_raw']} vs {p[f'{side}_raw']})")
        elif abs(qd[0] - qp[0]) > _unit_tol(d, p, side):
            issues.append(f"{label}不同({d[f'{side}_raw']} vs {p[f'{side}_raw']})")
        elif str(d[f"{side}_unit"]) != str(p[f"{side}_unit"]):
            issues.append(f"{label}计量单位写法不同但换算一致({d[f'{side}_raw']} vs {p[f'{side}_raw']})")
    ops_differ = (d.get("target_op") if present(d.get("target_op")) else None) != (
        p.get("target_op") if present(p.get("target_op")) else None
    )
    if ops_differ and present(d["target_value"]) and present(p["target_value"]):
        issues.append(f"目标值运算符不同({d['target_raw']} vs {p['target_raw']})")
    return issues


def _same_name_outcome(d: dict, p: dict) -> Outcome:
    """One department/project pair: a failure when they differ, info only when every difference is one of
    wording (a unit written otherwise, text, an operator)."""
    issues = _differences(d, p)
    severity = None
    if issues and all(any(w in s for w in ("换算一致", "文字不同", "运算符不同")) for s in issues):
        severity = Severity.INFO
    ops = [
        at_row(
            d,
            f"部门整体目标{d['goal_no']}.{d['level3']}: {d['target_raw']} → {d['actual_raw']}",
            "部门整体自评表",
        ),
        at_row(
            p,
            f"项目{p['project_no']}.{p['level3']}: {p['target_raw']} → {p['actual_raw']}",
            "项目自评表",
        ),
    ]
    return Outcome(
        f"{d['level3']} ↔ 项目{p['project_no']}",
        Status.FAIL if issues else Status.PASS,
        _num(d["actual_value"]),
        _num(p["actual_value"]),
        None,
        None,
        ops,
        "; ".join(issues),
        severity,
        group=f"{d['goal_no']}|{indicator_key(d['level3'])}",
        sentence=f"部门整体自评表的“{d['level3']}”与项目{p['project_no']}自评表的同一指标"
        f"不一致：{'；'.join(issues)}",
    )


def _num(x: object) -> float | None:
    return float(x) if present(x) else None


def _unit_tol(d: dict, p: dict, side: str) -> float:
    """Half a printed unit of the coarser of the two statements, in base units (7.34万人 vs 73439人 agree)."""
    tols = []
    for r in (d, p):
        raw = norm(str(r[f"{side}_raw"]))
        m = re.search(r"\d+(?:\.(\d+))?", raw)
        dec = len(m.group(1)) if m and m.group(1) else 0
        _, _, factor = to_base(1.0, str(r[f"{side}_unit"]) if present(r[f"{side}_unit"]) else "")
        tols.append(0.5 * 10 ** (-dec) * factor)
    return max(tols) + CHECKS.zero
