"""Rules L01–L06 and T01–T04: basic-expenditure line items, 三公 and 机关运行经费 against each other.

Line items come from the narrative list (`line_items`) or, for a PDF, from table 6 (`statements`);
whichever the disclosure has.
"""

from __future__ import annotations

import re

import pandas as pd

from ..values import norm
from . import catalogue as cat
from .rules_common import (
    Ctx,
    Operand,
    Outcome,
    _int,
    compare_amount,
    compare_sum,
    fig_operand,
    na,
    norm_name,
    row_operand,
    rule,
)
from .rules_narrative import budget_of

_GROUPS = {"人员经费": "personnel", "公用经费": "public_funds"}


def line_items(ctx: Ctx) -> pd.DataFrame:
    """Basic-expenditure items as (group, item, amount, is_total, source_line, page, where), from either source."""
    li = ctx.table("line_items")
    if not li.empty:
        df = li.rename(columns={"amount_wan": "amount"}).copy()
        df["where"] = "基本支出明细"
    else:
        st = ctx.table("statements")
        if st.empty:
            return pd.DataFrame()
        st = st[st["table_code"] == "general_budget_basic"]
        if st.empty:
            return pd.DataFrame()
        # 款 rows are the items; the panel totals are the "合计" rows (类 rows are sub-totals, left to S07/S10).
        keep = st[(st["level"] == "款") | st["row_label"].astype(str).str.contains("合计")]
        df = pd.DataFrame({
            "group": keep["panel"].map(lambda p: "人员经费" if "人员" in str(p) else "公用经费"),
            "item": keep["row_label"], "amount": keep["value"],
            "is_total": keep["row_label"].astype(str).str.contains("合计"),
            "source_line": pd.NA, "page": keep["page"], "where": "表6",
        })
    df["_item"] = df["item"].map(norm_name)
    return df


def _group_total(ctx: Ctx, items: pd.DataFrame, group: str) -> Operand | None:
    tot = items[(items["group"] == group) & items["is_total"]]
    if not tot.empty:
        r = tot.iloc[0]
        return row_operand(r, f"{group}合计", "amount", r["where"])
    return ctx.fig(_GROUPS[group])


def _sum_group(ctx: Ctx, group: str) -> list[Outcome]:
    items = line_items(ctx)
    if items.empty:
        return [na(group, "没有基本支出明细")]
    total = _group_total(ctx, items, group)
    parts = items[(items["group"] == group) & ~items["is_total"]]
    if total is None or parts.empty:
        return [na(group, f"未找到{group}合计或明细")]
    ops = [row_operand(r, str(r["item"]), "amount", r["where"]) for _, r in parts.iterrows()]
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
    if items.empty:
        return [na("经济分类", "没有基本支出明细")]
    parts = items[~items["is_total"]].copy()
    parts["econ"] = [_econ_class(g, i) for g, i in zip(parts["group"], parts["_item"], strict=True)]
    out = []
    for key, grp in parts.groupby("econ"):
        total = ctx.fig(key, sections=cat.SCOPE_GENERAL_BUDGET)
        if total is None:
            continue
        s = round(float(grp["amount"].sum()), 6)
        basic = Operand(f"基本支出明细中{cat.ITEMS[key][0]}({len(grp)}项)", s, "基本支出明细")
        o = compare_amount(f"{cat.ITEMS[key][0]}: 基本支出 ≤ 全部", total.value, s, 0.0, [basic, total])
        tol = max(0.01, 0.005 * len(grp))
        o.status = "pass" if s <= total.value + tol else "fail"
        o.tolerance, o.severity = tol, None
        if o.status == "pass":
            o.note = ""
        out.append(o)
    return out or [na("经济分类", "情况说明未列经济分类合计")]


def _basic_line(ctx: Ctx, key: str) -> tuple[Operand | None, str]:
    """The basic-expenditure line matching a 三公 item; an absent line counts as 0 only if the list is complete."""
    items = line_items(ctx)
    if items.empty:
        return None, "没有基本支出明细"
    names = {norm_name(n) for n in cat.THREE_PUBLIC_LINES[key]}
    hit = items[items["_item"].isin(names) & ~items["is_total"]]
    if not hit.empty:
        r = hit.iloc[0]
        return row_operand(r, f"基本支出.{r['item']}", "amount", r["where"]), ""
    group = "公用经费"
    total = _group_total(ctx, items, group)
    parts = items[(items["group"] == group) & ~items["is_total"]]
    if total is not None and abs(total.value - parts["amount"].sum()) <= max(0.01, 0.005 * len(parts)) + 1e-6:
        return Operand(f"基本支出.{cat.THREE_PUBLIC_LINES[key][0]}(未列, 明细完整 ⇒ 0)", 0.0, "基本支出明细"), ""
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
        ok = tp.value >= line.value - 0.01
        out.append(Outcome(f"三公.{name} ≥ 基本支出同名科目", "pass" if ok else "fail", line.value, tp.value,
                           round(tp.value - line.value, 6), 0.01, [tp, line],
                           "" if ok else "三公决算低于基本支出同名科目: 三公少报或科目错列"))
    return out or [na("三公 vs 基本支出", "未找到三公分项")]


@rule("L05")
def l05(ctx: Ctx) -> list[Outcome]:
    out = []
    for name, tp, line, why in _three_public_pairs(ctx):
        if line is None:
            out.append(na(name, why))
            continue
        o = compare_amount(f"三公.{name} = 基本支出同名科目", line.value, tp.value, 0.01, [tp, line])
        if o.status == "fail":
            o.severity = None
            o.note = ("三公高于基本支出同名科目: 差额应来自项目支出或其他资金, 需说明" if tp.value > line.value
                      else "三公低于基本支出同名科目")
        out.append(o)
    return out or [na("三公 vs 基本支出", "未找到三公分项")]


@rule("L06")
def l06(ctx: Ctx) -> list[Outcome]:
    office = ctx.fig("office_running")
    items = line_items(ctx)
    public = _group_total(ctx, items, "公用经费") if not items.empty else ctx.fig("public_funds")
    if office is None or public is None:
        return [na("机关运行经费", "未找到机关运行经费或公用经费合计")]
    ok = office.value <= public.value + 0.01
    return [Outcome("机关运行经费 ≤ 公用经费合计", "pass" if ok else "fail", public.value, office.value,
                    round(office.value - public.value, 6), 0.01, [office, public],
                    "" if ok else "机关运行经费超过公用经费合计")]


@rule("T01")
def t01(ctx: Ctx) -> list[Outcome]:
    out = []
    for key in ("three_public", "abroad", "vehicle", "reception"):
        actual = ctx.fig(key)
        budget = budget_of(ctx, key, actual)
        if actual is None or budget is None:
            continue
        ok = actual.value <= budget.value + 0.01
        out.append(Outcome(f"{cat.ITEMS[key][0]} 决算 ≤ 预算", "pass" if ok else "fail", budget.value, actual.value,
                           round(actual.value - budget.value, 6), 0.01, [actual, budget],
                           "" if ok else "三公决算超预算"))
    return out or [na("三公预算", "未找到三公决算与预算")]


def _counts_like(ctx: Ctx, words: tuple[str, ...], units: tuple[str, ...]) -> pd.DataFrame:
    f = ctx.figures
    if f.empty:
        return f
    sel = f[(f["measure"] == "count") & f["unit"].isin(units)]
    return sel[sel["_item"].map(lambda s: any(w in s for w in words)).astype(bool)]


@rule("T02")
def t02(ctx: Ctx) -> list[Outcome]:
    rec = ctx.fig("reception_domestic") or ctx.fig("reception")
    if rec is None:
        return [na("公务接待", "未找到公务接待费")]
    if rec.value <= 0:
        return [Outcome("公务接待批次/人次", "pass", None, rec.value, operands=[rec], note="无接待支出")]
    batches = _counts_like(ctx, ("接待", "团组", "来访"), ("个", "批", "批次", "次"))
    persons = _counts_like(ctx, ("接待", "团组", "来访"), ("人次",))
    ops = [rec] + [fig_operand(r) for _, r in pd.concat([batches, persons]).iterrows() if r["value"] > 0]
    n_persons = [float(v) for v in persons["value"]]
    if not any(v > 0 for v in n_persons):  # the sentence that gives the batches usually gives the persons too ("202 个，1984 人次")
        for _, r in batches[batches["value"] > 0].iterrows():
            for m in re.finditer(r"(\d+)\s*人次", norm(str(r["evidence"]))):
                n_persons.append(float(m.group(1)))
                ops.append(Operand(f"{r['item']}人次(据原句)", float(m.group(1)), f"说明{r['section']}",
                                   _int(r["source_line"]), _int(r["page"])))
    ok = (batches["value"] > 0).any() and any(v > 0 for v in n_persons)
    return [Outcome("公务接待批次/人次", "pass" if ok else "fail", None, rec.value, operands=ops,
                    note="" if ok else "有接待支出但未说明批次或人次")]


@rule("T03")
def t03(ctx: Ctx) -> list[Outcome]:
    held = _counts_like(ctx, ("保有量",), ("辆",))
    f = ctx.figures
    total = ctx.figs("vehicles", "count") if not f.empty else f
    if total.empty and not f.empty:
        total = f[(f["measure"] == "count") & (f["unit"] == "辆") & f["_item"].str.contains("共有车辆|车辆总数|车辆$")]
    if held.empty or total.empty:
        return [na("公务用车保有量", "未找到保有量或国有资产车辆数")]
    a, b = fig_operand(held.iloc[0]), fig_operand(total.iloc[0])
    o = compare_amount("公务用车保有量 = 车辆数", b.value, a.value, 0.0, [a, b])
    o.severity = None
    if o.status == "fail" and a.value < b.value:
        o.note = "车辆数多于财政拨款保有量: 可能含非财政拨款开支车辆, 需说明"
    return [o]


@rule("T04")
def t04(ctx: Ctx) -> list[Outcome]:
    buy = ctx.fig("vehicle_purchase")
    if buy is None:
        return [na("公务用车购置", "未找到公务用车购置费")]
    if buy.value <= 0:
        return [Outcome("购置车辆数", "pass", None, buy.value, operands=[buy], note="无购置支出")]
    n = _counts_like(ctx, ("购置", "更新"), ("辆",))
    ok = (n["value"] > 0).any()
    ops = [buy] + [fig_operand(r) for _, r in n.iterrows()]
    return [Outcome("购置车辆数", "pass" if ok else "fail", None, buy.value, operands=ops,
                    note="" if ok else "有购置费但未说明购置数量")]
