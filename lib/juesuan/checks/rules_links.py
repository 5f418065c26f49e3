"""Rules L01–L06 and T01–T04: basic-expenditure line items, 三公 and 机关运行经费 against each other.

Line items come from the narrative list (`line_items`) or, for a PDF, from table 6 (`statements`);
whichever the disclosure has.
"""

from __future__ import annotations

import re

from ..config import CHECKS
from ..types import Status
from ..values import norm
from . import catalogue as cat
from .rules_common import (
    Ctx,
    Operand,
    Outcome,
    amount_tol,
    as_int,
    compare_amount,
    compare_bound,
    compare_sum,
    fig_operand,
    from_ocr,
    na,
    norm_name,
    row_operand,
    rule,
    show,
)
from .rules_narrative import budget_of
from .rules_statements import T6, unread, withheld
from .withheld import Withheld

_GROUPS = {"人员经费": "personnel", "公用经费": "public_funds"}
_TOL = CHECKS.amount_tolerance  # 万元


def line_items(ctx: Ctx) -> list[dict]:
    """Basic-expenditure items as dicts (group, item, amount, is_total, source_line, page, where, _item), from
    the narrative list or, for a PDF, from table 6; built once per document."""

    def make() -> list[dict]:
        li = ctx.records("line_items")
        if li:
            rows = [dict(r, amount=r["amount_wan"], where="基本支出明细") for r in li]
        else:
            # 款 rows are the items; the panel totals are the "合计" rows (类 rows are sub-totals, left to
            # S07/S10).
            rows = [
                {
                    "group": "人员经费" if "人员" in str(r["panel"]) else "公用经费",
                    "item": r["row_label"],
                    "amount": r["value"],
                    "is_total": "合计" in str(r["row_label"]),
                    "source_line": None,
                    "page": r["page"],
                    "where": "表6",
                    "source": r.get("source"),
                }
                for r in ctx.records("statements")
                if r["table_code"] == "general_budget_basic"
                and (r["level"] == "款" or "合计" in str(r["row_label"]))
            ]
        for r in rows:
            r["_item"] = norm_name(r["item"])
        return rows

    return ctx.memo("line_items", make)  # type: ignore[return-value]


def _group_total(ctx: Ctx, items: list[dict], group: str) -> Operand | None:
    tot = [r for r in items if r["group"] == group and r["is_total"]]
    if tot:
        return row_operand(tot[0], f"{group}合计", "amount", tot[0]["where"])
    return ctx.fig(_GROUPS[group])


def _parts(items: list[dict], group: str | None = None) -> list[dict]:
    return [r for r in items if not r["is_total"] and (group is None or r["group"] == group)]


def _withheld(ctx: Ctx, items: list[dict]) -> list[Withheld]:
    """Cells of table 6 OCR read but the parser withheld, when the items are read from it: unknown, not 0."""
    return withheld(ctx, T6) if items and items[0]["where"] == "表6" else []


def _sum_group(ctx: Ctx, group: str) -> list[Outcome]:
    items = line_items(ctx)
    if not items:
        return [na(group, "没有基本支出明细")]
    hits = _withheld(ctx, items)
    if hits:
        return [unread(f"{group} = Σ明细", hits)]
    total = _group_total(ctx, items, group)
    parts = _parts(items, group)
    if total is None or not parts:
        return [na(group, f"未找到{group}合计或明细")]
    ops = [row_operand(r, str(r["item"]), "amount", r["where"]) for r in parts]
    return [compare_sum(f"{group} = Σ明细({len(ops)}项)", total, ops)]


@rule("L01")
def l01(ctx: Ctx) -> list[Outcome]:
    return _sum_group(ctx, "人员经费")


@rule("L02")
def l02(ctx: Ctx) -> list[Outcome]:
    return _sum_group(ctx, "公用经费")


def _econ_class(group: str, item_norm: str) -> str:
    for key, names in cat.ECON_LINE_ITEMS.items():
        if item_norm in {norm_name(n) for n in names}:
            return key
    return "econ_301" if group == "人员经费" else "econ_302"


@rule("L03")
def l03(ctx: Ctx) -> list[Outcome]:
    items = line_items(ctx)
    if not items:
        return [na("经济分类", "没有基本支出明细")]
    hits = _withheld(ctx, items)
    if hits:
        return [unread("经济分类: 基本支出 ≤ 全部", hits)]
    groups: dict[str, list[dict]] = {}
    for r in _parts(items):
        groups.setdefault(_econ_class(r["group"], r["_item"]), []).append(r)
    out = []
    for key in sorted(groups):
        grp = groups[key]
        total = ctx.fig(key, sections=cat.SCOPE_GENERAL_BUDGET)
        if total is None:
            continue
        s = round(float(sum(r["amount"] for r in grp)), 6)
        label, ocr = f"基本支出明细中{cat.ITEMS[key][0]}({len(grp)}项)", any(map(from_ocr, grp))
        basic = Operand(label, s, "基本支出明细", to_wan=1.0, ocr=ocr)
        o = compare_amount(f"{cat.ITEMS[key][0]}: 基本支出 ≤ 全部", total.value, s, 0.0, [basic, total])
        tol = amount_tol(len(grp))
        o.status = Status.PASS if s <= total.value + tol else Status.FAIL
        o.tolerance, o.severity = tol, None
        if o.status == Status.PASS:
            o.note = ""
        out.append(o)
    return out or [na("经济分类", "情况说明未列经济分类合计")]


def _basic_line(ctx: Ctx, key: str) -> tuple[Operand | None, str]:
    """The basic-expenditure line matching a 三公 item; an absent line counts as 0 only if the list is
    complete."""
    items = line_items(ctx)
    if not items:
        return None, "没有基本支出明细"
    names = {norm_name(n) for n in cat.THREE_PUBLIC_LINES[key]}
    hit = [r for r in _parts(items) if r["_item"] in names]
    if hit:
        return row_operand(hit[0], f"基本支出.{hit[0]['item']}", "amount", hit[0]["where"]), ""
    group = "公用经费"
    total = _group_total(ctx, items, group)
    parts = _parts(items, group)
    if (
        total is not None
        and abs(total.value - sum(r["amount"] for r in parts)) <= amount_tol(len(parts)) + CHECKS.float_slack
    ):
        label = f"基本支出.{cat.THREE_PUBLIC_LINES[key][0]}(未列, 明细完整 ⇒ 0)"
        return Operand(label, 0.0, "基本支出明细", to_wan=1.0, ocr=any(map(from_ocr, parts))), ""
    return None, "明细中未列该科目且明细不完整"


def _three_public_pairs(ctx: Ctx) -> list[tuple[str, Operand, Operand | None, str]]:
    pairs = []
    for key in cat.THREE_PUBLIC_LINES:
        tp = ctx.fig(key)
        if tp is None:
            continue
        line, why = _basic_line(ctx, key)
        pairs.append((cat.ITEMS[key][0], tp, line, why))
    return pairs


@rule("L04")
def l04(ctx: Ctx) -> list[Outcome]:
    out = []
    for name, tp, line, why in _three_public_pairs(ctx):
        if line is None:
            out.append(na(name, why))
            continue
        out.append(
            compare_bound(
                f"三公.{name} ≥ 基本支出同名科目",
                tp,
                line,
                _TOL,
                "三公决算低于基本支出同名科目: 三公少报或科目错列",
                sentence=f"“三公”中的{name} {show(tp.value, True)}，低于基本支出中的同名科目 "
                f"{show(line.value, True)}：三公经费少报或科目错列",
                at_most=False,
            )
        )
    return out or [na("三公 vs 基本支出", "未找到三公分项")]


@rule("L05")
def l05(ctx: Ctx) -> list[Outcome]:
    out = []
    for name, tp, line, why in _three_public_pairs(ctx):
        if line is None:
            out.append(na(name, why))
            continue
        o = compare_amount(f"三公.{name} = 基本支出同名科目", line.value, tp.value, _TOL, [tp, line])
        if o.status == Status.FAIL:
            o.severity = None
            o.note = (
                "三公高于基本支出同名科目: 差额应来自项目支出或其他资金, 需说明"
                if tp.value > line.value
                else "三公低于基本支出同名科目"
            )
            o.sentence = (
                f"“三公”中的{name} {show(tp.value, True)}，与基本支出中的同名科目 {show(line.value, True)}"
                f"相差 {show(abs(tp.value - line.value), True)}"
                + ("，差额应来自项目支出或其他资金，需说明" if tp.value > line.value else "")
            )
        out.append(o)
    return out or [na("三公 vs 基本支出", "未找到三公分项")]


@rule("L06")
def l06(ctx: Ctx) -> list[Outcome]:
    office = ctx.fig("office_running")
    items = line_items(ctx)
    public = _group_total(ctx, items, "公用经费") if items else ctx.fig("public_funds")
    if office is None or public is None:
        return [na("机关运行经费", "未找到机关运行经费或公用经费合计")]
    return [
        compare_bound(
            "机关运行经费 ≤ 公用经费合计",
            office,
            public,
            _TOL,
            "机关运行经费超过公用经费合计",
            sentence=f"机关运行经费 {show(office.value, True)} 超过公用经费合计 {show(public.value, True)}",
        )
    ]


@rule("T01")
def t01(ctx: Ctx) -> list[Outcome]:
    out = []
    for key in ("three_public", "abroad", "vehicle", "reception"):
        actual = ctx.fig(key)
        budget = budget_of(ctx, key, actual)
        if actual is None or budget is None:
            continue
        out.append(
            compare_bound(
                f"{cat.ITEMS[key][0]} 决算 ≤ 预算",
                actual,
                budget,
                _TOL,
                "三公决算超预算",
                sentence=f"{cat.ITEMS[key][0]}决算 {show(actual.value, True)} 超过预算 "
                f"{show(budget.value, True)}，超支 {show(actual.value - budget.value, True)}",
            )
        )
    return out or [na("三公预算", "未找到三公决算与预算")]


def _counts_like(ctx: Ctx, words: tuple[str, ...], units: tuple[str, ...]) -> list[dict]:
    return [r for r in ctx.by_measure("count") if r["unit"] in units and any(w in r["_item"] for w in words)]


@rule("T02")
def t02(ctx: Ctx) -> list[Outcome]:
    rec = ctx.fig("reception_domestic") or ctx.fig("reception")
    if rec is None:
        return [na("公务接待", "未找到公务接待费")]
    if rec.value <= 0:
        return [Outcome("公务接待批次/人次", Status.PASS, None, rec.value, operands=[rec], note="无接待支出")]
    batches = _counts_like(ctx, ("接待", "团组", "来访"), ("个", "批", "批次", "次"))
    persons = _counts_like(ctx, ("接待", "团组", "来访"), ("人次",))
    ops = [rec] + [fig_operand(r) for r in batches + persons if r["value"] > 0]
    n_persons = [float(r["value"]) for r in persons]
    if not any(
        v > 0 for v in n_persons
    ):  # the sentence that gives the batches usually gives the persons too ("202 个，1984 人次")
        for r in (b for b in batches if b["value"] > 0):
            for m in re.finditer(r"(\d+)\s*人次", norm(str(r["evidence"]))):
                n_persons.append(float(m.group(1)))
                ops.append(
                    Operand(
                        f"{r['item']}人次(据原句)",
                        float(m.group(1)),
                        f"说明{r['section']}",
                        as_int(r["source_line"]),
                        as_int(r["page"]),
                        ocr=from_ocr(r),
                    )
                )
    ok = any(r["value"] > 0 for r in batches) and any(v > 0 for v in n_persons)
    return [
        Outcome(
            "公务接待批次/人次",
            Status.PASS if ok else Status.FAIL,
            None,
            rec.value,
            operands=ops,
            note="" if ok else "有接待支出但未说明批次或人次",
            sentence=f"有公务接待费 {show(rec.value, True)}，却未说明接待批次或人次",
        )
    ]


@rule("T03")
def t03(ctx: Ctx) -> list[Outcome]:
    held = _counts_like(ctx, ("保有量",), ("辆",))
    total = ctx.figs("vehicles", "count") or [
        r
        for r in ctx.by_measure("count")
        if r["unit"] == "辆" and re.search("共有车辆|车辆总数|车辆$", r["_item"])
    ]
    if not held or not total:
        return [na("公务用车保有量", "未找到保有量或国有资产车辆数")]
    a, b = fig_operand(held[0]), fig_operand(total[0])
    o = compare_amount("公务用车保有量 = 车辆数", b.value, a.value, 0.0, [a, b])
    o.severity = None
    if o.status == Status.FAIL and a.value < b.value:
        o.note = "车辆数多于财政拨款保有量: 可能含非财政拨款开支车辆, 需说明"
    o.sentence = (
        f"“三公”说明中的公务用车保有量 {show(a.value)} 辆，与国有资产说明中的车辆 {show(b.value)} 辆不一致"
    )
    return [o]


@rule("T04")
def t04(ctx: Ctx) -> list[Outcome]:
    buy = ctx.fig("vehicle_purchase")
    if buy is None:
        return [na("公务用车购置", "未找到公务用车购置费")]
    if buy.value <= 0:
        return [Outcome("购置车辆数", Status.PASS, None, buy.value, operands=[buy], note="无购置支出")]
    n = _counts_like(ctx, ("购置", "更新"), ("辆",))
    ok = any(r["value"] > 0 for r in n)
    ops = [buy] + [fig_operand(r) for r in n]
    return [
        Outcome(
            "购置车辆数",
            Status.PASS if ok else Status.FAIL,
            None,
            buy.value,
            operands=ops,
            note="" if ok else "有购置费但未说明购置数量",
            sentence=f"有公务用车购置费 {show(buy.value, True)}，却未说明购置数量",
        )
    ]
