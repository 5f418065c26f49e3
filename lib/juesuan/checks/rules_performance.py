"""Rules P01–P12: the performance self-evaluation tables (项目/部门整体绩效自评表).

Indicator scoring (direction, weight, rule score) comes from `analysis.scoring`; these rules only judge
its output, so there is one scoring engine in the project.
"""

from __future__ import annotations

import math

from ..analysis.targets import has_explanation
from ..config import CHECKS
from ..types import Status
from . import catalogue as cat
from .rules_common import (
    Ctx,
    Operand,
    Outcome,
    as_int,
    as_records,
    at_row,
    compare_amount,
    compare_pct,
    compare_same,
    compare_sum,
    from_ocr,
    na,
    norm_name,
    present,
    rule,
    show,
)

_TOL = CHECKS.score_tolerance  # points
_POINTS = CHECKS.total_points


def _num(x: object) -> float | None:
    """A cell as a float (None when empty or not a number)."""
    if not present(x):
        return None
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _proj_op(r: dict, col: str, label: str) -> Operand:
    money = col in ("budget_wan", "executed_wan", "initial_budget_wan")
    return Operand(
        f"项目{r['project_no']}.{label}",
        float(r[col]),
        "自评表",
        as_int(r.get("source_line")),
        as_int(r.get("page")),
        to_wan=1.0 if money else None,
        ocr=from_ocr(r),
    )


def _ind_op(r: dict, value: float, label: str) -> Operand:
    where = f"项目{r['project_no']}" if r["scope"] == "project" else f"部门整体目标{r['goal_no']}"
    return Operand(
        f"{where}.{r['level3']}.{label}",
        float(value),
        "自评表",
        as_int(r.get("source_line")),
        as_int(r.get("page")),
        ocr=from_ocr(r),
    )


def project_budgets(pr: list[dict]) -> list[Operand]:
    """Each project table's 预算数 as an operand (for sums against a stated total)."""
    return [_proj_op(r, "budget_wan", "预算数") for r in pr if present(r["budget_wan"])]


def _projects(ctx: Ctx) -> list[dict]:
    return ctx.records("projects")


def _indicators(ctx: Ctx, scope: str) -> dict[object, list[dict]]:
    """Indicator rows of one scope by project_no (project) or goal_no (department), built once."""

    def make() -> dict[object, list[dict]]:
        key = "project_no" if scope == "project" else "goal_no"
        out: dict[object, list[dict]] = {}
        for r in ctx.records("indicators"):
            if r["scope"] == scope:
                out.setdefault(r[key], []).append(r)
        return out

    return ctx.memo(("indicators", scope), make)  # type: ignore[return-value]


def _score_sum(rows: list[dict]) -> float:
    return float(sum(v for v in (_num(x["score"]) for x in rows) if v is not None))


@rule("P01")
def p01(ctx: Ctx) -> list[Outcome]:
    out = []
    for r in _projects(ctx):
        if not (present(r["budget_wan"]) and present(r["executed_wan"]) and present(r["exec_rate_pct"])):
            continue
        if float(r["budget_wan"]) == 0:
            continue
        stated = _proj_op(r, "exec_rate_pct", "执行率%")
        out.append(
            compare_pct(
                f"项目{r['project_no']} 执行率",
                stated,
                lambda b, a: a / b * 100,
                [_proj_op(r, "budget_wan", "预算数A"), _proj_op(r, "executed_wan", "执行数B")],
                2,
            )
        )
    return out or [na("执行率", "没有含预算数、执行数与执行率的项目")]


def exec_score_outcome(
    subject: str, score: Operand, budget: Operand, executed: Operand, weight: float | None = None
) -> Outcome:
    """得分 = w × min(B/A, 1), with w the printed 分值 (national form), else the template's 执行率 weight
    (10 or 20) closest to the printed score."""
    rate = min(executed.value / budget.value, 1.0)
    if weight is not None:
        return compare_amount(
            subject,
            round(weight * rate, 4),
            score.value,
            _TOL,
            [score, budget, executed],
            f"分值 {weight:g}（表列）",
        )
    best = min(CHECKS.exec_weights, key=lambda w: abs(w * rate - score.value))
    return compare_amount(
        subject, round(best * rate, 4), score.value, _TOL, [score, budget, executed], f"分值取 {best:g}"
    )


@rule("P02")
def p02(ctx: Ctx) -> list[Outcome]:
    out = []
    for r in _projects(ctx):
        if not (present(r["budget_wan"]) and present(r["executed_wan"]) and present(r["exec_score"])):
            continue
        if float(r["budget_wan"]) <= 0:
            continue
        weight = _num(r.get("exec_weight"))
        o = exec_score_outcome(
            f"项目{r['project_no']} 执行率得分",
            _proj_op(r, "exec_score", "执行率得分"),
            _proj_op(r, "budget_wan", "A"),
            _proj_op(r, "executed_wan", "B"),
            weight,
        )
        o.severity = None
        out.append(o)
    return out or [na("执行率得分", "没有执行率得分")]


@rule("P03")
def p03(ctx: Ctx) -> list[Outcome]:
    pr, by_project = _projects(ctx), _indicators(ctx, "project")
    if not pr or not ctx.records("indicators"):
        return [na("总分", "缺少项目表或指标表")]
    out = []
    for r in pr:
        rows = by_project.get(r["project_no"], [])
        if not rows or not present(r["total_score"]) or not present(r["exec_score"]):
            continue
        s = _score_sum(rows)
        o = compare_amount(
            f"项目{r['project_no']} 总分",
            round(float(r["exec_score"]) + s, 4),
            float(r["total_score"]),
            _TOL,
            [
                _proj_op(r, "total_score", "总分"),
                _proj_op(r, "exec_score", "执行率得分"),
                Operand(
                    f"项目{r['project_no']}.Σ指标得分({len(rows)}项)",
                    s,
                    "自评表",
                    ocr=any(map(from_ocr, rows)),
                ),
            ],
        )
        o.severity = None
        out.append(o)
    return out or [na("总分", "没有可对应指标的项目")]


@rule("P04")
def p04(ctx: Ctx) -> list[Outcome]:
    out = []
    for r in _projects(ctx):
        if present(r["total_score"]):
            ok = float(r["total_score"]) <= _POINTS + _TOL
            out.append(
                Outcome(
                    f"项目{r['project_no']} 总分 ≤ {_POINTS:g}",
                    Status.PASS if ok else Status.FAIL,
                    _POINTS,
                    float(r["total_score"]),
                    None,
                    _TOL,
                    [_proj_op(r, "total_score", "总分")],
                    sentence=f"项目{r['project_no']}“{r['project_name']}”自评总分 "
                    f"{show(float(r['total_score']))} "
                    f"超过 {_POINTS:g} 分",
                )
            )
    for r in _scored_rows(ctx):
        if r["weight_source"] == "table" and present(r["score"]) and present(r["weight"]):
            ok = float(r["score"]) <= float(r["weight"]) + _TOL
            out.append(
                Outcome(
                    f"{r['level3']} 得分 ≤ 分值",
                    Status.PASS if ok else Status.FAIL,
                    float(r["weight"]),
                    float(r["score"]),
                    None,
                    _TOL,
                    [_ind_op(r, r["score"], "得分"), _ind_op(r, r["weight"], "分值")],
                    sentence=f"{_who(r)}指标“{r['level3']}”得分 {show(float(r['score']))} 超过其分值 "
                    f"{show(float(r['weight']))}",
                )
            )
    return out or [na("得分上限", "没有总分或印刷的分值")]


@rule("P05")
def p05(ctx: Ctx) -> list[Outcome]:
    goals, by_goal = ctx.records("department_goals"), _indicators(ctx, "department")
    if not goals or not ctx.records("indicators"):
        return [na("部门整体目标分值", "缺少部门整体目标或指标")]
    out = []
    for g in goals:
        rows = by_goal.get(g["goal_no"], [])
        if not rows or not present(g["goal_points"]):
            continue
        s = _score_sum(rows)
        pts = float(g["goal_points"])
        ops = [
            Operand(
                f"目标{g['goal_no']}.分值",
                pts,
                "部门整体自评表",
                as_int(g.get("source_line")),
                as_int(g.get("page")),
                ocr=from_ocr(g),
            ),
            Operand(
                f"目标{g['goal_no']}.Σ指标得分({len(rows)}项)",
                s,
                "部门整体自评表",
                ocr=any(map(from_ocr, rows)),
            ),
        ]
        ok = s <= pts + _TOL
        out.append(
            Outcome(
                f"部门整体目标{g['goal_no']} Σ得分 ≤ 分值",
                Status.PASS if ok else Status.FAIL,
                pts,
                s,
                round(s - pts, 4),
                _TOL,
                ops,
                "全部满分" if abs(s - pts) <= _TOL else "",
                sentence=f"部门整体目标{g['goal_no']}的 {len(rows)} 个指标得分合计 {show(s)}，超过该目标分值 "
                f"{show(pts)}",
            )
        )
    return out or [na("部门整体目标分值", "目标没有对应指标")]


def _summary_pass(subject: str, n: int) -> Outcome:
    return Outcome(subject, Status.PASS, None, float(n), None, None, (), f"{n} 个指标无此问题")


def _scored_rows(ctx: Ctx) -> list[dict]:
    def make() -> list[dict]:
        scored = ctx.scored()
        return [] if scored is None else as_records(scored)

    return ctx.memo("scored_records", make)  # type: ignore[return-value]


def _scored_or_na(ctx: Ctx, subject: str) -> tuple[list[dict] | None, list[Outcome]]:
    rows = _scored_rows(ctx)
    if not rows:
        return None, [na(subject, ctx.scoring_error or "无指标")]
    return rows, []


def _full(r: dict) -> bool:
    return present(r["score"]) and present(r["weight"]) and float(r["score"]) >= float(r["weight"]) - _TOL


def _finite(x: object) -> bool:
    v = _num(x)
    return v is not None and math.isfinite(v)


def _who(r: dict) -> str:
    return f"项目{r['project_no']}" if r["scope"] == "project" else "部门整体自评表"


def _indicator_group(r: dict) -> str:
    """The same indicator in the department and a project table (same target and actual) is one fact."""
    return f"{norm_name(r['target_raw'])}→{norm_name(r['actual_raw'])}"


@rule("P06")
def p06(ctx: Ctx) -> list[Outcome]:
    scored, na_ = _scored_or_na(ctx, "自评得分 vs 规则得分")
    if scored is None:
        return na_
    # Over-achievement is P07's business (≥130% threshold); here: missed targets, qualitative tiers, caps.
    rows = [
        r
        for r in scored
        if r["classification"] != "exceeded" and not ((_num(r["performance"]) or 0) > 1 + CHECKS.zero)
    ]
    gaps = [(r, _num(r["score_gap"])) for r in rows]
    bad = [r for r, g in gaps if g is not None and abs(g) > _TOL]
    out = [
        Outcome(
            f"{r['level3']}",
            Status.FAIL,
            float(r["rule_score"]),
            float(r["score"]),
            float(r["score_gap"]),
            _TOL,
            [_ind_op(r, r["score"], "自评得分"), _ind_op(r, r["rule_score"], "规则得分")],
            str(r["rule"]),
            group=_indicator_group(r),
            sentence=f"{_who(r)}指标“{r['level3']}”（目标 {r['target_raw']}，完成 {r['actual_raw']}）自评 "
            f"{show(float(r['score']))} 分，按计分规则应得 {show(float(r['rule_score']))} 分",
        )
        for r in bad
    ]
    assessed = sum(1 for _, g in gaps if g is not None)
    return (
        out + [_summary_pass("其余指标自评得分与规则一致", assessed - len(bad))]
        if assessed
        else (out or [na("自评得分 vs 规则得分", "没有可计分的指标")])
    )


@rule("P07")
def p07(ctx: Ctx) -> list[Outcome]:
    scored, na_ = _scored_or_na(ctx, "超额完成仍满分")
    if scored is None:
        return na_
    quantitative = [r for r in scored if _finite(r["performance"])]
    out = []
    for r in quantitative:
        p = float(r["performance"])
        if p >= CHECKS.overachieve_ratio and _full(r):
            out.append(
                _full_despite(
                    r,
                    "目标值",
                    round(p, 4),
                    CHECKS.overachieve_ratio,
                    f"完成值为目标值的 {p:.2f} 倍仍得满分: 目标设置偏低, 未按偏离度调减",
                    f"{_who(r)}指标“{r['level3']}”完成 {r['actual_raw']}，"
                    f"是目标 {r['target_raw']} 的 {p:.2f} 倍，仍得满分：目标设置偏低，未按偏离度调减",
                )
            )
    return (
        out + [_summary_pass("其余定量指标", len(quantitative) - len(out))]
        if quantitative
        else ([na("超额完成仍满分", "没有定量指标")])
    )


@rule("P08")
def p08(ctx: Ctx) -> list[Outcome]:
    scored, na_ = _scored_or_na(ctx, "上限类指标超限")
    if scored is None:
        return na_
    capped = [r for r in scored if r["direction"] == "lower" and _num(r["performance"]) is not None]
    out = []
    for r in capped:
        if float(r["actual_value"]) > float(r["target_value"]) + CHECKS.zero and _full(r):
            out.append(
                _full_despite(
                    r,
                    "上限",
                    round(float(r["actual_value"]) - float(r["target_value"]), 4),
                    0.0,
                    "超过上限仍得满分",
                    f"{_who(r)}指标“{r['level3']}”上限 {r['target_raw']}，实际 {r['actual_raw']}，"
                    "超过上限仍得满分",
                )
            )
    return (
        out + [_summary_pass("其余上限类指标", len(capped) - len(out))]
        if capped
        else ([na("上限类指标超限", "没有 ≤ 类定量指标")])
    )


def _full_despite(
    r: dict, target_label: str, difference: float, tol: float, note: str, sentence: str
) -> Outcome:
    """An indicator scored in full although its actual is far off the target's sense (over-achieved P07, over
    a cap P08): target, actual and score as operands."""
    return Outcome(
        f"{r['level3']}",
        Status.FAIL,
        float(r["target_value"]),
        float(r["actual_value"]),
        difference,
        tol,
        [
            _ind_op(r, r["target_value"], f"{target_label}({r['target_raw']})"),
            _ind_op(r, r["actual_value"], f"完成值({r['actual_raw']})"),
            _ind_op(r, r["score"], "得分"),
        ],
        note,
        group=_indicator_group(r),
        sentence=sentence,
    )


@rule("P09")
def p09(ctx: Ctx) -> list[Outcome]:
    scored, na_ = _scored_or_na(ctx, "偏差原因")
    pr = _projects(ctx)
    if scored is None or not pr:
        return na_ or [na("偏差原因", "无项目表")]
    by_no = {r["project_no"]: r for r in pr}
    dev: dict[object, list[dict]] = {}
    for x in scored:
        if (
            x["scope"] == "project"
            and _finite(x["performance"])
            and (float(x["performance"]) >= CHECKS.overachieve_ratio or x["classification"] == "missed")
        ):
            dev.setdefault(x["project_no"], []).append(x)
    out = []
    for no in sorted(dev, key=lambda n: (n is None, n)):
        rows, r = dev[no], by_no.get(no)
        if r is None:
            continue
        # the project's own 偏差原因, or (national form) one beside every deviating row
        per_row = all("deviation" in x for x in rows) and all(
            has_explanation(x.get("deviation")) for x in rows
        )
        ok = has_explanation(r.get("deviation_reason")) or per_row
        names = "、".join(f"{x['level3']}({x['target_raw']}→{x['actual_raw']})" for x in rows)
        out.append(
            Outcome(
                f"项目{no} 偏差原因",
                Status.PASS if ok else Status.FAIL,
                None,
                None,
                None,
                None,
                [at_row(r, f"项目{no}.偏差指标数", "自评表", float(len(rows)))],
                f"偏差指标: {names}; "
                "偏差原因: "
                f"{(r.get('deviation_reason') if not per_row else '见各指标行') if ok else '空/无'}",
                sentence=f"项目{no}“{r['project_name']}”有 {len(rows)} 个指标偏离目标（{names}），"
                "却没有说明偏差原因",
            )
        )
    return out or [Outcome("偏差原因", Status.PASS, note="没有需说明偏差的指标")]


@rule("P10")
def p10(ctx: Ctx) -> list[Outcome]:
    scores = [v for v in (_num(r.get("total_score")) for r in _projects(ctx)) if v is not None]
    if len(scores) < 2:
        return [na("全部满分", "项目少于 2 个")]
    high = sum(1 for v in scores if v >= CHECKS.full_score_red_flag)
    ok = high < len(scores)
    return [
        Outcome(
            f"{len(scores)} 个项目自评总分",
            Status.PASS if ok else Status.FAIL,
            None,
            float(min(scores)),
            None,
            CHECKS.full_score_red_flag,
            [
                Operand("最低总分", float(min(scores))),
                Operand("最高总分", float(max(scores))),
                Operand(f"≥{CHECKS.full_score_red_flag:g}分项目数", float(high)),
            ],
            "" if ok else "全部项目自评 ≥95 分(含满分), 自评缺乏区分度",
            sentence=f"全部 {len(scores)} 个项目自评总分都在 {CHECKS.full_score_red_flag:g} 分以上（最低 "
            f"{show(float(min(scores)))} 分）：自评缺乏区分度",
        )
    ]


@rule("P11")
def p11(ctx: Ctx) -> list[Outcome]:
    pr = _projects(ctx)
    if len(pr) < 2:
        return [na("执行率全部 100%", "项目少于 2 个")]
    known = [
        (b, e)
        for b, e in ((_num(r["budget_wan"]), _num(r["executed_wan"])) for r in pr)
        if b is not None and e is not None
    ]
    if len(known) < 2:
        return [na("执行率全部 100%", "预算数/执行数缺失")]
    equal = sum(1 for b, e in known if abs(b - e) < CHECKS.amount_eps)
    ok = equal < len(known)
    total_b, total_e = sum(b for b, _ in known), sum(e for _, e in known)
    return [
        Outcome(
            f"{len(known)} 个项目 执行数 = 预算数",
            Status.PASS if ok else Status.FAIL,
            None,
            float(equal),
            None,
            None,
            [
                Operand("执行数=预算数的项目", float(equal)),
                Operand("项目数", float(len(known))),
                Operand("预算合计", float(total_b), to_wan=1.0),
                Operand("执行合计", float(total_e), to_wan=1.0),
            ],
            "" if ok else "每个项目执行率均为 100%, 预算数与执行数分毫不差: 预算可能按执行数倒填",
            stake=0.0,
            sentence=f"全部 {len(known)} 个项目的执行数都等于预算数（合计 {show(total_b, True)}），"
            "执行率均为 100%：预算可能按执行数倒填",
        )
    ]


@rule("P12")
def p12(ctx: Ctx) -> list[Outcome]:
    ind = ctx.records("indicators")
    if not ind:
        return [na("完成值照抄目标值", "无指标")]
    same = sum(1 for r in ind if norm_name(r["target_raw"]) == norm_name(r["actual_raw"]))
    share = same / len(ind)
    ok = share < CHECKS.copied_share
    return [
        Outcome(
            f"{len(ind)} 个指标",
            Status.PASS if ok else Status.FAIL,
            CHECKS.copied_share,
            round(share, 4),
            None,
            None,
            [Operand("完成值=目标值原文的指标", float(same)), Operand("指标数", float(len(ind)))],
            f"{share:.0%} 的指标完成值与目标值原文相同" + ("" if ok else ", 完成值疑似照抄"),
            sentence=f"{len(ind)} 个指标中 {same} 个（{share:.0%}）的完成值与目标值原文相同：完成值疑似照抄",
        )
    ]


# ── the 部门整体绩效自评表's own totals (document.dept_*) ─────────────────────────────────────────


def _dept(ctx: Ctx, col: str, label: str) -> Operand | None:
    doc = ctx.records("document")
    if not doc or not present(doc[0].get(col)):
        return None
    money = col.endswith("_wan")
    ocr = any(map(from_ocr, ctx.records("department_goals")))  # the totals are printed in the goals' form
    return Operand(
        f"部门整体自评表.{label}",
        float(doc[0][col]),
        "部门整体自评表",
        to_wan=1.0 if money else None,
        ocr=ocr,
    )


@rule("P13")
def p13(ctx: Ctx) -> list[Outcome]:
    total, pr = _dept(ctx, "dept_project_wan", "项目支出总额"), _projects(ctx)
    if total is None or not any(present(r["budget_wan"]) for r in pr):
        return [na("部门整体项目支出总额", "缺少部门整体自评表或项目预算数")]
    parts = project_budgets(pr)
    return [compare_sum(f"项目支出总额 = Σ{len(parts)}个项目预算数", total, parts)]


@rule("P14")
def p14(ctx: Ctx) -> list[Outcome]:
    dept = _dept(ctx, "dept_basic_wan", "基本支出总额")
    basic = ctx.fig("basic", sections=cat.SCOPE_ALL_FUNDS)
    if dept is None or basic is None:
        return [na("部门整体基本支出总额", "缺少部门整体自评表或说明中的基本支出")]
    o = compare_same("部门整体表基本支出总额 = 说明基本支出", basic, dept)
    if o.status == Status.FAIL:
        o.sentence = (
            f"情况说明的基本支出 {show(basic.value, True)}，部门整体自评表的基本支出总额却为 "
            f"{show(dept.value, True)}，相差 {show(abs(basic.value - dept.value), True)}"
        )
    return [o]


@rule("P15")
def p15(ctx: Ctx) -> list[Outcome]:
    a, b = _dept(ctx, "dept_budget_wan", "预算数A"), _dept(ctx, "dept_executed_wan", "执行数B")
    rate, score = _dept(ctx, "dept_exec_rate_pct", "执行率%"), _dept(ctx, "dept_exec_score", "执行率得分")
    if a is None or b is None or rate is None or not a.value:
        return [na("部门整体执行率", "缺少部门整体预算数、执行数或执行率")]
    out = [compare_pct("部门整体执行率", rate, lambda x, y: y / x * 100, [a, b], 2)]
    if score is not None:
        out.append(exec_score_outcome("部门整体执行率得分", score, a, b))
    return out


_GRADE_WORDS = {"优秀": "优", "良好": "良", "优": "优", "良": "良", "中": "中", "差": "差"}


@rule("P16")
def p16(ctx: Ctx) -> list[Outcome]:
    doc = ctx.table("document")
    total = _dept(ctx, "dept_total_score", "总分")
    stated = doc["dept_grade"].iloc[0] if not doc.empty and "dept_grade" in doc else None
    if total is None or not present(stated):
        return [na("部门整体评价等级", "缺少说明中的等级或部门整体自评表总分")]
    if stated not in _GRADE_WORDS:
        return [
            na(
                "部门整体评价等级",
                f"等级“{stated}”不属于 优/良/中/差 四档(如 合格/不合格 制), 不按分数段判断",
            )
        ]
    from ..analysis.scoring import grade

    expected = grade(total.value)
    line = doc["dept_grade_line"].iloc[0]
    line = int(line) if present(line) else None
    where = Operand(f"说明等级“{stated}”", None, "情况说明", line, ocr=line in ctx.ocr_lines)
    ok = _GRADE_WORDS[stated] == expected
    return [
        Outcome(
            f"等级“{stated}” vs 总分{total.value:g}",
            Status.PASS if ok else Status.FAIL,
            None,
            None,
            None,
            None,
            [total, where],
            f"按总分应为“{expected}”",
            sentence=f"情况说明称部门整体评价等级为“{stated}”，"
            f"而部门整体自评总分 {total.value:g} 分按分数段应为“{expected}”",
        )
    ]


@rule("P17")
def p17(ctx: Ctx) -> list[Outcome]:
    pr, by_project = _projects(ctx), _indicators(ctx, "project")
    if not pr or not ctx.records("indicators") or "exec_weight" not in pr[0]:
        return [na("分值合计", "缺少项目表或指标表")]
    out = []
    for r in pr:
        rows = [x for x in by_project.get(r["project_no"], []) if present(x.get("weight"))]
        if not rows or not present(r["exec_weight"]):
            continue
        ops = [_proj_op(r, "exec_weight", "执行率分值")] + [_ind_op(x, x["weight"], "分值") for x in rows]
        out.append(
            compare_amount(f"项目{r['project_no']} 分值合计", _POINTS, sum(o.value for o in ops), _TOL, ops)
        )
    return out or [na("分值合计", "自评表未列分值(湖北式样只列得分)")]
