"""Rules N01–N18: identities and recomputed percentages inside the narrative (第三部分 情况说明)."""

from __future__ import annotations

from ..config import CHECKS
from ..types import Severity, Status
from . import catalogue as cat
from .rules_common import (
    ALIASES,
    THREE_PUBLIC_KEYS,
    Ctx,
    Operand,
    Outcome,
    compare_amount,
    compare_pct,
    compare_sum,
    fig_operand,
    flagged,
    head,
    na,
    norm_name,
    printed_decimals,
    rule,
    show,
)

_KEY_OF: dict[str, str] = {name: key for key, names in ALIASES.items() for name in names}


def key_of(item: str) -> str | None:
    """Canonical key of a parser item name (None when the lookup does not know it)."""
    return _KEY_OF.get(norm_name(item))


def _pick(
    ctx: Ctx, key: str, measure: str, near: Operand | None = None, sections: tuple[str, ...] | None = None
) -> Operand | None:
    """The figure of `key`, preferring the section of `near` (same top-level numeral)."""
    sel = ctx.figs(key, measure, sections)
    if not sel:
        return None
    if near is not None and near.where:
        home = head(near.where.removeprefix("说明"))
        sel = [r for r in sel if r["_head"] == home] or sel
    return fig_operand(sel[0])


def _sum_rule(
    ctx: Ctx,
    subject: str,
    total_key: str,
    part_keys: tuple[str, ...],
    measure: str = "actual",
    total_sections: tuple[str, ...] | None = None,
    part_sections: tuple[str, ...] | None = None,
    require_all: bool = False,
) -> list[Outcome]:
    """total = Σ parts. Income/expenditure lists may omit zero parts; a fixed breakdown (三公, 采购) may
    not."""
    total = _pick(ctx, total_key, measure, sections=total_sections)
    if total is None:
        return [na(subject, f"情况说明中未找到{cat.ITEMS[total_key][0]}")]
    found = {k: _pick(ctx, k, measure, total, part_sections) for k in part_keys}
    parts = [p for p in found.values() if p is not None]
    missing = [cat.ITEMS[k][0] for k, p in found.items() if p is None]
    if not parts or (require_all and missing):
        return [na(subject, "情况说明中未找到分项: " + "、".join(missing))]
    return [compare_sum(subject, total, parts)]


@rule("N01")
def n01(ctx: Ctx) -> list[Outcome]:
    return _sum_rule(ctx, "收入合计", "income_total", cat.INCOME_PARTS)


@rule("N02")
def n02(ctx: Ctx) -> list[Outcome]:
    return _sum_rule(
        ctx, "支出合计", "expenditure_total", cat.EXPENDITURE_PARTS, part_sections=cat.SCOPE_ALL_FUNDS
    )


@rule("N03")
def n03(ctx: Ctx) -> list[Outcome]:
    total = ctx.fig("gb_basic") or ctx.fig("basic", sections=("六",))
    if total is None:
        return [na("一般公共预算基本支出", "情况说明中未找到一般公共预算财政拨款基本支出")]
    parts = [p for k in ("personnel", "public_funds") if (p := _pick(ctx, k, "actual", total)) is not None]
    if len(parts) < 2:
        return [na("一般公共预算基本支出", "未同时找到人员经费与公用经费")]
    return [compare_sum("基本支出 = 人员经费 + 公用经费", total, parts)]


def _gb_total(ctx: Ctx, measure: str = "actual") -> Operand | None:
    return _pick(ctx, "gb_expenditure", measure, sections=cat.SCOPE_GENERAL_BUDGET) or ctx.fig(
        "gb_expenditure", measure
    )


@rule("N04")
def n04(ctx: Ctx) -> list[Outcome]:
    total = _gb_total(ctx)
    if total is None:
        return [na("经济分类", "情况说明中未找到一般公共预算财政拨款支出")]
    parts = [
        p
        for k in cat.ECON_CLASSES
        if (p := _pick(ctx, k, "actual", sections=cat.SCOPE_GENERAL_BUDGET)) is not None
    ]
    if not parts:
        return [na("经济分类", "情况说明中未列经济分类")]
    return [compare_sum("一般公共预算支出 = Σ经济分类", total, parts)]


@rule("N05")
def n05(ctx: Ctx) -> list[Outcome]:
    total = _gb_total(ctx)
    sel = ctx.figs(["basic", "project"], "actual", ("五",))
    if total is None or not sel:
        return [na("一般公共预算支出 = 基本 + 项目", "五 中未找到总数或基本/项目支出")]
    parts = [fig_operand(r) for r in sel]
    return [compare_sum("一般公共预算支出 = 基本 + 项目", total, parts)]


_LEVEL_MARK = {"项": "(项)", "款": "(款)", "类": "(类)"}


def subject_lines(ctx: Ctx, measure: str) -> list[dict]:
    """五（三）'s per-subject lines ("…(类)…(款)。年初预算为…") at their lowest printed level."""
    sel = [r for r in ctx.by_measure(measure) if r["_head"] == "五"]
    for mark in _LEVEL_MARK.values():
        lvl = [r for r in sel if mark in r["_item"]]
        if lvl:
            return lvl
    return []


@rule("N06")
def n06(ctx: Ctx) -> list[Outcome]:
    out = []
    for measure, label in (("budget", "年初预算"), ("actual", "支出决算")):
        total = _gb_total(ctx, measure)
        lines = subject_lines(ctx, measure)
        if total is None or not lines:
            out.append(na(f"分科目{label}之和", "五（三）中未找到总数或分科目数"))
            continue
        parts = [fig_operand(r) for r in lines]
        out.append(compare_sum(f"分科目{label}之和 = {label}合计", total, parts))
    return out


def budget_of(ctx: Ctx, key: str, near: Operand | None = None, _depth: int = 0) -> Operand | None:
    """Stated budget, else actual − 比预算增减额, else (三公 groups) the sum of the parts' budgets."""
    b = _pick(ctx, key, "budget", near)
    if b is not None:
        return b
    actual = _pick(ctx, key, "actual", near)
    change = _pick(ctx, key, "budget_change", near)
    if actual is not None and change is not None:
        return Operand.derived(
            f"{actual.label}预算(=决算−增减额)",
            round(actual.value - change.value, 6),
            actual,
            change,
            eps=actual.eps + change.eps,
        )
    parts = {
        "vehicle": ("vehicle_purchase", "vehicle_running"),
        "three_public": ("abroad", "vehicle", "reception"),
    }.get(key)
    if parts and _depth < 2:
        got = [budget_of(ctx, p, near, _depth + 1) for p in parts]
        if all(g is not None for g in got):
            return Operand(
                f"{cat.ITEMS[key][0]}预算(=Σ分项)",
                round(sum(g.value for g in got), 6),
                eps=sum(g.eps for g in got),
                ocr=any(g.ocr for g in got),
            )
    return None


@rule("N07")
def n07(ctx: Ctx) -> list[Outcome]:
    out = _sum_rule(ctx, "三公经费决算", "three_public", ("abroad", "vehicle", "reception"), require_all=True)
    total_b = _pick(ctx, "three_public", "budget")
    parts_b = [budget_of(ctx, k) for k in ("abroad", "vehicle", "reception")]
    if total_b is None or any(p is None for p in parts_b):
        out.append(na("三公经费预算", "未找到三公预算总数或某项预算(含由增减额推算)"))
    else:
        out.append(compare_sum("三公经费预算", total_b, parts_b))
    return out


@rule("N08")
def n08(ctx: Ctx) -> list[Outcome]:
    out = _sum_rule(
        ctx, "公务用车购置及运行费决算", "vehicle", ("vehicle_purchase", "vehicle_running"), require_all=True
    )
    own = _pick(ctx, "vehicle", "budget")
    if own is None:
        actual, change = _pick(ctx, "vehicle", "actual"), _pick(ctx, "vehicle", "budget_change")
        if actual is not None and change is not None:
            label = "公务用车购置及运行费预算(=决算−增减额)"
            own = Operand.derived(label, actual.value - change.value, actual, change)
    parts = [budget_of(ctx, k) for k in ("vehicle_purchase", "vehicle_running")]
    if own is not None and all(p is not None for p in parts):
        out.append(compare_sum("公务用车购置及运行费预算", own, parts))
    return out


@rule("N09")
def n09(ctx: Ctx) -> list[Outcome]:
    return _sum_rule(
        ctx, "公务接待费", "reception", ("reception_foreign", "reception_domestic"), require_all=True
    )


@rule("N10")
def n10(ctx: Ctx) -> list[Outcome]:
    return _sum_rule(
        ctx,
        "政府采购支出总额",
        "procurement_total",
        ("procurement_goods", "procurement_works", "procurement_services"),
        require_all=True,
    )


@rule("N11")
def n11(ctx: Ctx) -> list[Outcome]:
    total = _pick(ctx, "vehicles", "count")
    uses = ctx.figs(list(cat.VEHICLE_USES), "count")
    if total is None or not uses:
        return [na("车辆总数", "未找到车辆总数或按用途分类数")]
    parts = [fig_operand(r) for r in uses]
    out = compare_sum("车辆总数 = Σ按用途", total, parts)
    out.tolerance = 0.0
    if out.status == Status.FAIL:
        out.severity = None  # counts have no rounding
    return [out]


# Document-level totals that must read the same wherever they are restated, per scope group of sections.
_RESTATED = (
    "grand_total",
    "income_total",
    "expenditure_total",
    "fiscal_grand_total",
    "gb_expenditure",
    "gb_basic",
    "personnel",
    "public_funds",
    "three_public",
    "office_running",
    "evaluated_funds",
)
_SCOPE_GROUPS = (("一", "二", "三"), ("四",), ("五", "六"), ("七",), ("八",), ("九",), ("十",), ("十三",))


@rule("N12")
def n12(ctx: Ctx) -> list[Outcome]:
    out: list[Outcome] = []
    for key in _RESTATED:
        for measure in ("actual", "budget"):
            sel = ctx.figs(key, measure)
            for group in _SCOPE_GROUPS:
                g = [r for r in sel if r["_head"] in group]
                if len(g) < 2:
                    continue
                first = fig_operand(g[0])
                for r in g[1:]:
                    out.append(
                        compare_amount(
                            f"{cat.ITEMS[key][0]}({measure})重述",
                            first.value,
                            float(r["value"]),
                            0.0,
                            [first, fig_operand(r)],
                        )
                    )
    # Σ 基本支出 by 类 in 五（二） vs the 一般公共预算基本支出 of 六 (same 口径).
    basic5 = ctx.figs("basic", "actual", ("五",))
    gb_basic = ctx.fig("gb_basic") or ctx.fig("basic", sections=("六",))
    if basic5 and gb_basic is not None:
        parts = [fig_operand(r) for r in basic5]
        out.append(compare_sum("五 Σ基本支出 = 六 基本支出", gb_basic, parts))
    return out or [na("重述", "没有在多处出现的总数")]


_SECTION_DENOMINATOR = {"二": "income_total", "三": "expenditure_total", "五": "gb_expenditure"}


def _nearest(ctx: Ctx, item_norm: str, measure: str, section: str, line: int | None) -> Operand | None:
    """The figure of an item and measure stated closest before `line` in the same (else the same top)
    section."""
    rows = ctx.named(item_norm, measure)
    sel = [r for r in rows if r["section"] == section] or [r for r in rows if r["_head"] == head(section)]
    if not sel:
        return None
    if line is not None:
        before = [r for r in sel if r["source_line"] is not None and r["source_line"] <= line]
        if before:
            return fig_operand(before[-1])
    return fig_operand(sel[0])


@rule("N13")
def n13(ctx: Ctx) -> list[Outcome]:
    shares = ctx.by_measure("share_pct")
    if not shares:
        return [na("占比", "情况说明中没有占比")]
    out = []
    for r in shares:
        stated = fig_operand(r, f"{r['item']}占比%")
        subject = f"{r['item']} 占比 ({r['section']})"
        part = _nearest(ctx, r["_item"], "actual", r["section"], r["source_line"])
        key = key_of(r["item"])
        den_key = cat.SHARE_DENOMINATOR.get(key or "") or _SECTION_DENOMINATOR.get(r["_head"])
        if part is None or den_key is None:
            out.append(na(subject, "找不到分子或分母口径"))
            continue
        scope = cat.SCOPE_GENERAL_BUDGET if den_key == "gb_expenditure" else None
        den = _pick(ctx, den_key, "actual", part, scope) or _pick(ctx, den_key, "actual", part)
        if den is None:
            out.append(na(subject, f"情况说明中未找到分母{cat.ITEMS[den_key][0]}"))
            continue
        out.append(
            compare_pct(
                subject,
                stated,
                lambda a, b: a / b * 100,
                [part, den],
                printed_decimals(stated.value, r["evidence"]),
            )
        )
    return out


@rule("N14")
def n14(ctx: Ctx) -> list[Outcome]:
    rates = ctx.by_measure("change_pct")
    if not rates:
        return [na("增长率", "情况说明中没有增长率")]
    out = []
    for r in rates:
        stated = fig_operand(r, f"{r['item']}增长率%")
        subject = f"{r['item']} 增长率 ({r['section']})"
        actual = _nearest(ctx, r["_item"], "actual", r["section"], r["source_line"])
        change = _nearest(ctx, r["_item"], "prior_change", r["section"], r["source_line"])
        base = "上年"
        if change is None:
            change, base = _nearest(ctx, r["_item"], "budget_change", r["section"], r["source_line"]), "预算"
        if actual is None or change is None:
            out.append(na(subject, "找不到本年数或增减额"))
            continue
        zero = _zero_base(subject, stated, actual, change, base)
        out.append(
            zero
            or compare_pct(
                subject,
                stated,
                lambda a, c: c / (a - c) * 100,
                [actual, change],
                printed_decimals(stated.value, r["evidence"]),
                note=f"隐含{base}数 = {round(actual.value - change.value, 2)}",
            )
        )
    return out


def _zero_base(subject: str, stated: Operand, actual: Operand, change: Operand, base: str) -> Outcome | None:
    """A growth rate over an implied prior year (or budget) of 0 within rounding: any finite rate is wrong
    ("增长 100%" on nothing); both years 0 is template boilerplate."""
    prior = actual.value - change.value
    if abs(prior) > actual.eps + change.eps + CHECKS.float_slack:
        return None
    ops = [stated, actual, change]
    if abs(actual.value) <= actual.eps and abs(change.value) <= change.eps:
        return flagged(
            subject,
            stated.value,
            ops,
            f"本年与{base}均为 0, 不应表述增长率",
            severity=Severity.INFO,
            sentence=f"{stated.label.removesuffix('%')}：本年与{base}均为 0，不应表述增长率",
        )
    return Outcome(
        subject,
        Status.FAIL,
        0.0,
        stated.value,
        None,
        None,
        ops,
        f"隐含{base}数为 0 (本年 {actual.value:g} − 增减 {change.value:g}), 增长率无意义",
        severity=Severity.ERROR,
        stake=abs(change.wan or 0.0),
        sentence=f"{actual.label}{show(actual.value, actual.wan is not None)}，比{base}增加 "
        f"{show(change.value, change.wan is not None)}，隐含{base}数为 0，却表述增长 "
        f"{show(stated.value)}%：{base}为 0 时增长率无意义",
    )


def _exec_inputs(ctx: Ctx, r: dict) -> tuple[Operand | None, Operand | None]:
    actual = _nearest(ctx, r["_item"], "actual", r["section"], r["source_line"])
    key = key_of(r["item"])
    budget = _nearest(ctx, r["_item"], "budget", r["section"], r["source_line"])
    if budget is None and key is not None:
        budget = budget_of(ctx, key, actual)
    if budget is None and actual is not None:
        change = _nearest(ctx, r["_item"], "budget_change", r["section"], None)
        if change is not None:
            budget = Operand.derived(
                f"{r['item']}预算(=决算−增减额)",
                actual.value - change.value,
                actual,
                change,
                eps=actual.eps + change.eps,
            )
    return actual, budget


def _exec_rows(ctx: Ctx) -> list[dict]:
    return ctx.by_measure("exec_pct")


@rule("N15")
def n15(ctx: Ctx) -> list[Outcome]:
    rows = _exec_rows(ctx)
    if not rows:
        return [na("完成预算%", "情况说明中没有完成预算百分比")]
    out = []
    for r in rows:
        stated = fig_operand(r, f"{r['item']}完成预算%")
        subject = f"{r['item']} 完成预算% ({r['section']})"
        actual, budget = _exec_inputs(ctx, r)
        if actual is None or budget is None:
            out.append(na(subject, "找不到决算数或预算数"))
        elif abs(budget.value) < CHECKS.zero:
            continue  # N17's business
        else:
            o = compare_pct(
                subject,
                stated,
                lambda a, b: a / b * 100,
                [actual, budget],
                printed_decimals(stated.value, r["evidence"]),
            )
            used = _basis_used(ctx, r, stated, actual) if o.status == Status.FAIL else None
            if used is not None:
                o.operands = [*o.operands, used[1]]
                o.note += f"; 与{used[0]}相符"
                o.sentence += f"；该百分比实为决算占{used[0]} {show(used[1].value, True)}的比例"
            out.append(o)
    return out or [na("完成预算%", "全部预算为 0")]


_BASES = (("budget_full", "全年预算"), ("budget_adjusted", "调整预算"))


def _basis_used(ctx: Ctx, r: dict, stated: Operand, actual: Operand) -> tuple[str, Operand] | None:
    """The 全年/调整 budget of the same item that the stated percentage was in fact computed on, if any."""
    for measure, name in _BASES:
        alt = _nearest(ctx, r["_item"], measure, r["section"], r["source_line"])
        if alt is None or abs(alt.value) < CHECKS.zero:
            continue
        o = compare_pct(
            "", stated, lambda a, b: a / b * 100, [actual, alt], printed_decimals(stated.value, r["evidence"])
        )
        if o.status == Status.PASS:
            return name, alt
    return None


@rule("N16")
def n16(ctx: Ctx) -> list[Outcome]:
    out = []
    for r in ctx.by_measure("budget_change"):
        change = fig_operand(r, f"{r['item']}比预算增减")
        actual = _nearest(ctx, r["_item"], "actual", r["section"], r["source_line"])
        budget = _nearest(ctx, r["_item"], "budget", r["section"], r["source_line"])
        if actual is None or budget is None:
            continue  # budget derived from this very figure elsewhere; nothing independent to compare
        out.append(
            compare_amount(
                f"{r['item']} 比预算增减额",
                round(actual.value - budget.value, 6),
                change.value,
                CHECKS.amount_tolerance,
                [change, actual, budget],
            )
        )
    return out or [na("比预算增减额", "没有同时列出决算、预算与增减额的事项")]


@rule("N17")
def n17(ctx: Ctx) -> list[Outcome]:
    rows = _exec_rows(ctx)
    out = []
    for r in rows:
        actual, budget = _exec_inputs(ctx, r)
        if budget is None:
            continue
        stated = fig_operand(r, f"{r['item']}完成预算%")
        subject = f"{r['item']} 完成预算% ({r['section']})"
        if abs(budget.value) >= CHECKS.zero:
            out.append(Outcome(subject, Status.PASS, None, stated.value, None, None, [stated, budget]))
            continue
        used = _basis_used(ctx, r, stated, actual) if actual is not None else None
        said = f"“{r['item']}”年初预算为 0，却表述“完成预算的 {show(stated.value)}%”"
        if used is not None:
            out.append(
                flagged(
                    subject,
                    stated.value,
                    [stated, budget, actual, used[1]],
                    f"年初预算为 0; 所述百分比实为决算/{used[0]}",
                    severity=Severity.ERROR,
                    stake=abs(actual.wan or 0.0) if actual is not None else None,
                    sentence=f"{said}：该百分比实为决算 {show(actual.value, True)}占{used[0]} "
                    f"{show(used[1].value, True)}的比例，应写明所用基数",
                )
            )
        elif abs(stated.value) < CHECKS.zero and (actual is None or abs(actual.value) < CHECKS.zero):
            out.append(
                flagged(
                    subject,
                    stated.value,
                    [stated, budget],
                    "预算为 0, 不应表述完成预算百分比",
                    sentence=f"{said}：预算与决算均为 0，不应表述百分比",
                )
            )
        else:
            out.append(
                flagged(
                    subject,
                    stated.value,
                    [stated, budget] + ([actual] if actual is not None else []),
                    "预算为 0, 所述百分比没有基数",
                    severity=Severity.ERROR,
                    stake=abs(actual.wan or 0.0) if actual is not None else None,
                    sentence=f"{said}：预算为 0 时百分比没有基数",
                )
            )
    return out or [na("预算为 0", "没有可判断的完成预算百分比")]


@rule("N18")
def n18(ctx: Ctx) -> list[Outcome]:
    rows = _exec_rows(ctx)
    lo, hi = CHECKS.budget_band_pct
    out = []
    for r in rows:
        if key_of(r["item"]) in THREE_PUBLIC_KEYS:
            continue  # under-spending 三公 is the policy goal, not a deviation to explain
        stated = fig_operand(r, f"{r['item']}完成预算%")
        ok = lo < stated.value < hi
        out.append(
            Outcome(
                f"{r['item']} 完成预算% ({r['section']})",
                Status.PASS if ok else Status.FAIL,
                None,
                stated.value,
                None,
                None,
                [stated],
                "" if ok else f"偏离年初预算超过 {hi - 100:g}%, 请核对原因说明",
            )
        )
    return out or [na("预算偏离", "没有完成预算百分比")]
