"""Rule catalogue: every rule passes on a consistent synthetic case and fails on a broken one; then the real
samples, with the defects the rules find in them named and pinned."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

import juesuan
from juesuan import schemas
from juesuan.checks import RULES, findings, format_failures, main, run_checks
from juesuan.checks.catalogue import SEVERITIES
from juesuan.checks.rules_common import EVALUATORS
from juesuan.checks.schema import Checks
from juesuan.config import DATA_RAW, FIXTURES
from juesuan.model import Disclosure

# ── synthetic disclosures ────────────────────────────────────────────────────────


def F(section: str, item: str, measure: str, value: float, unit: str = "万元", evidence: str | None = None) -> dict:
    return {"section": section, "item": item, "measure": measure, "value": value, "unit": unit,
            "evidence": evidence or f"{item}{value}{unit}"}


def LI(group: str, item: str, amount: float, is_total: bool = False) -> dict:
    return {"group": group, "item": item, "amount_wan": amount, "is_total": is_total}


def PR(no: int, budget: float = 10, executed: float = 10, rate: float = 100.0, exec_score: float = 20,
       total: float = 100, reason: str = "无", name: str | None = None) -> dict:
    return {"project_no": no, "project_name": name or f"项目{no}", "competent_dept": None, "implementing_unit": None,
            "category": None, "attribute": None, "project_type": None, "budget_wan": budget,
            "executed_wan": executed, "exec_rate_pct": rate, "exec_score": exec_score, "total_score": total,
            "deviation_reason": reason, "improvement": "无"}


def PO(no: int, budget: float = 10, executed: float = 10, pct: float = 100.0, outputs: str = "",
       name: str | None = None) -> dict:
    return {"project_no": no, "project_name": name or f"项目{no}", "budget_wan": budget, "executed_wan": executed,
            "exec_pct": pct, "outputs": outputs, "problems": None, "next_steps": None}


def IND(level3: str, target: str, actual: str, score: float, project_no: int | None = 1, goal_no: int | None = None,
        level2: str = "数量指标") -> dict:
    from juesuan.values import parse_quantity

    t, a = parse_quantity(target), parse_quantity(actual)
    return {"scope": "project" if project_no else "department", "project_no": project_no, "goal_no": goal_no,
            "level1": "产出指标", "level2": level2, "level3": level3, "target_raw": target, "target_op": t.op,
            "target_value": t.value, "target_unit": t.unit, "actual_raw": actual, "actual_op": a.op,
            "actual_value": a.value, "actual_unit": a.unit, "score": score}


def GOAL(no: int, points: float) -> dict:
    return {"goal_no": no, "goal_points": points, "goal_text": f"目标{no}"}


def _frame(name: str, rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        df = rows.copy()
    elif not rows:
        return schemas.empty(name)
    else:
        df = pd.DataFrame(rows)
    df.insert(0, "doc_id", "t")
    if "source_line" not in df:
        df["source_line"] = range(1, len(df) + 1)
    if "page" not in df:
        df["page"] = 1
    return schemas.MODELS[name].validate(df.reindex(columns=schemas.columns(name)))


def D(**tables: list[dict] | pd.DataFrame) -> Disclosure:
    """A Disclosure from row dicts; tables not given are empty (with the right columns)."""
    frames = {name: _frame(name, tables.get(name, [])) for name in schemas.MODELS if name not in ("document", "warnings")}
    return Disclosure(doc_id="t", document=schemas.empty("document"), warnings=schemas.empty("warnings"), **frames)


def rows(d: Disclosure, rule_id: str) -> pd.DataFrame:
    c = run_checks(d)
    return c[c["rule_id"] == rule_id]


def assert_pass(d: Disclosure, rule_id: str) -> None:
    r = rows(d, rule_id)
    assert (r["status"] == "pass").any() and not (r["status"] == "fail").any(), r.to_string()


def assert_fail(d: Disclosure, rule_id: str, severity: str | None = None) -> pd.DataFrame:
    r = rows(d, rule_id)
    bad = r[r["status"] == "fail"]
    assert not bad.empty, r.to_string()
    if severity:
        assert set(bad["severity"]) == {severity}, bad.to_string()
    return bad


# ── statements fixture (real 普陀财政局 2024 tables) ─────────────────────────────

def putuo_statements(edit: Callable[[pd.DataFrame], None] | None = None) -> pd.DataFrame:
    st = pd.read_csv(FIXTURES / "putuo_caizhengju_2024" / "statements.csv", dtype={"subject_code": str})
    st["table_title"] = st["table_code"].map(schemas.TABLE_CODES)
    st["unit_printed"] = "万元"
    st["subject_code"] = st["subject_code"].where(st["subject_code"].notna(), None)
    st["level"] = st["level"].where(st["level"].notna(), None)
    st["panel"] = st["panel"].where(st["panel"].notna(), None)
    st["source_line"] = pd.NA
    if edit:
        edit(st)
    return st


def set_cell(st: pd.DataFrame, code: str, label: str, column: str, value: float, panel: str | None = None) -> None:
    m = (st["table_code"] == code) & (st["row_label"] == label) & (st["column"] == column)
    if panel:
        m &= st["panel"] == panel
    assert m.sum() >= 1, (code, label, column)
    st.loc[m, "value"] = value


def STMT(edit: Callable[[pd.DataFrame], None] | None = None, **more) -> Disclosure:
    return D(statements=putuo_statements(edit), **more)


# ── the catalogue itself ─────────────────────────────────────────────────────────

def test_catalogue_complete_and_every_rule_has_an_evaluator():
    assert set(RULES) == set(EVALUATORS)
    for r in RULES.values():
        assert r.severity in SEVERITIES and r.description and r.formula and r.tolerance and r.tables


def test_empty_disclosure_is_not_assessable_never_pass():
    c = run_checks(D())
    Checks.validate(c)
    assert set(c["rule_id"]) == set(RULES)
    assert set(c["status"]) <= {"not_assessable", "pass"}
    # the only "pass" allowed on empty input is none at all
    assert (c["status"] == "not_assessable").all(), c[c["status"] != "not_assessable"].to_string()


def test_a_rule_missing_a_table_it_needs_is_not_assessable(monkeypatch):
    """The runner enforces `Rule.tables`: whatever an evaluator makes of the rest, a rule one of whose tables is
    missing is not_assessable, naming the table (`a|b`: either will do)."""
    from juesuan.checks import rules_common
    from juesuan.types import Status

    judged = rules_common.Outcome("总是通过", Status.PASS)
    monkeypatch.setitem(rules_common.EVALUATORS, "X06", lambda ctx: [judged])  # needs figures and projects
    monkeypatch.setitem(rules_common.EVALUATORS, "L01", lambda ctx: [judged])  # figures, line_items|statements
    figures = [F("二", "收入合计", "actual", 100)]
    x06 = rows(D(figures=figures), "X06")
    assert x06[["status", "evidence"]].values.tolist() == [["not_assessable", "缺少输入: projects"]]
    assert rows(D(figures=figures, projects=[PR(1)]), "X06")["status"].tolist() == ["pass"]
    assert rows(D(figures=figures), "L01")["evidence"].tolist() == ["缺少输入: line_items|statements"]
    assert rows(D(figures=figures, line_items=[LI("人员经费", "基本工资", 1.0)]), "L01")["status"].tolist() == ["pass"]


def test_status_and_severity_are_enums_stored_as_their_values(seed):
    from juesuan.checks.catalogue import SEVERITIES
    from juesuan.types import Severity, Status

    c = run_checks(seed)
    assert set(c["status"]) <= {s.value for s in Status} and set(SEVERITIES) == {s.value for s in Severity}
    assert all(type(v) is str for v in c["status"].tolist() + c["severity"].tolist())  # plain strings in the table


# ── narrative sums ──────────────────────────────────────────────────────────────

def test_n01():
    ok = D(figures=[F("二", "收入合计", "actual", 100), F("二", "财政拨款收入", "actual", 60), F("二", "其他收入", "actual", 40)])
    bad = D(figures=[F("二", "收入合计", "actual", 100), F("二", "财政拨款收入", "actual", 60), F("二", "其他收入", "actual", 30)])
    assert_pass(ok, "N01")
    assert assert_fail(bad, "N01", "error")["difference"].iloc[0] == 10


def test_n02():
    base = [F("三", "支出合计", "actual", 100), F("三", "基本支出", "actual", 70)]
    assert_pass(D(figures=base + [F("三", "项目支出", "actual", 30)]), "N02")
    assert_fail(D(figures=base + [F("三", "项目支出", "actual", 20)]), "N02", "error")


def test_n03():
    base = [F("六", "一般公共预算财政拨款基本支出", "actual", 100), F("六", "人员经费", "actual", 80)]
    assert_pass(D(figures=base + [F("六", "公用经费", "actual", 20)]), "N03")
    assert_fail(D(figures=base + [F("六", "公用经费", "actual", 10)]), "N03", "error")


def test_n04():
    base = [F("五（一）", "一般公共预算财政拨款支出", "actual", 100), F("五（三）", "工资福利支出", "actual", 50),
            F("五（三）", "商品和服务支出", "actual", 30)]
    assert_pass(D(figures=base + [F("五（三）", "对个人和家庭的补助支出", "actual", 20)]), "N04")
    assert_fail(D(figures=base + [F("五（三）", "对个人和家庭的补助支出", "actual", 10)]), "N04", "error")


def test_n05():
    base = [F("五（一）", "一般公共预算财政拨款支出", "actual", 100), F("五（二）", "基本支出", "actual", 70)]
    assert_pass(D(figures=base + [F("五（二）", "项目支出", "actual", 30)]), "N05")
    assert_fail(D(figures=base + [F("五（二）", "项目支出", "actual", 40)]), "N05", "error")


def _n06(line_budget: float) -> Disclosure:
    return D(figures=[F("五（三）", "一般公共预算财政拨款支出", "budget", 90), F("五（三）", "一般公共预算财政拨款支出", "actual", 100),
                      F("五（三）", "社会保障和就业(类)人力资源和社会保障管理事务(款)", "budget", line_budget),
                      F("五（三）", "社会保障和就业(类)人力资源和社会保障管理事务(款)", "actual", 100)])


def test_n06_a_single_subject_line_must_repeat_the_total_exactly():
    assert_pass(_n06(90), "N06")
    small = assert_fail(_n06(89.99), "N06", "info")  # one cent: same fact printed twice, rounding-size → info
    assert small["difference"].round(2).tolist() == [0.01]
    assert_fail(_n06(80), "N06", "error")


def _three_public(total_actual: float = 30, running: float = 10) -> list[dict]:
    return [F("九（一）", "三公经费", "budget", 40), F("九（一）", "三公经费", "actual", total_actual),
            F("九（二）", "因公出国(境)费", "budget", 0), F("九（二）", "因公出国(境)费", "actual", 0),
            F("九（二）", "公务用车购置及运行费", "actual", 10), F("九（二）", "公务用车购置费", "actual", 0),
            F("九（二）", "公务用车购置费", "budget_change", 0), F("九（二）", "公务用车运行费", "actual", running),
            F("九（二）", "公务用车运行费", "budget_change", -5), F("九（二）", "公务接待费", "actual", 20),
            F("九（二）", "公务接待费", "budget_change", -5)]


def test_n07_budget_parts_derived_from_stated_changes():
    ok = rows(D(figures=_three_public()), "N07")
    assert ok["status"].tolist() == ["pass", "pass"]  # 决算 30 = 0+10+20; 预算 40 = 0 + (0+15) + 25
    assert ok["actual"].tolist() == [30, 40]
    assert_fail(D(figures=_three_public(total_actual=31)), "N07", "error")


def test_n08():
    assert_pass(D(figures=_three_public()), "N08")
    assert_fail(D(figures=_three_public(running=9)), "N08", "error")


def test_n09():
    base = [F("九（一）", "三公经费", "actual", 20), F("九（二）", "公务接待费", "actual", 20),
            F("九（二）", "外宾接待支出", "actual", 0)]
    assert_pass(D(figures=base + [F("九（二）", "国内公务接待支出", "actual", 20)]), "N09")
    assert_fail(D(figures=base + [F("九（二）", "国内公务接待支出", "actual", 19)]), "N09", "error")


def test_n10():
    base = [F("十一", "政府采购支出总额", "actual", 10), F("十一", "政府采购货物支出", "actual", 5),
            F("十一", "政府采购工程支出", "actual", 0)]
    assert_pass(D(figures=base + [F("十一", "政府采购服务支出", "actual", 5)]), "N10")
    assert_fail(D(figures=base + [F("十一", "政府采购服务支出", "actual", 4)]), "N10", "error")


def test_n11():
    base = [F("十二", "车辆", "count", 4, "辆"), F("十二", "执法执勤用车", "count", 1, "辆")]
    assert_pass(D(figures=base + [F("十二", "其他用车", "count", 3, "辆")]), "N11")
    assert_fail(D(figures=base + [F("十二", "其他用车", "count", 2, "辆")]), "N11", "error")


def test_n12():
    a = F("五（一）", "一般公共预算财政拨款支出", "actual", 100)
    assert_pass(D(figures=[a, F("五（二）", "一般公共预算财政拨款支出", "actual", 100)]), "N12")
    assert_fail(D(figures=[a, F("五（二）", "一般公共预算财政拨款支出", "actual", 101)]), "N12", "warning")


def test_n13_share_tolerance_follows_printed_precision():
    base = [F("二", "收入合计", "actual", 2820.06), F("二", "财政拨款收入", "actual", 235.0)]  # 8.333 %
    assert_pass(D(figures=base + [F("二", "财政拨款收入", "share_pct", 8, "%", "占本年收入 8 %")]), "N13")
    assert_fail(D(figures=base + [F("二", "财政拨款收入", "share_pct", 8, "%", "占本年收入 8.00 %")]), "N13", "error")
    assert_fail(D(figures=base + [F("二", "财政拨款收入", "share_pct", 12, "%", "占本年收入 12 %")]), "N13", "error")


def _growth(pct: float, text: str) -> Disclosure:
    return D(figures=[F("一", "收支总计", "actual", 2820.06), F("一", "收支总计", "prior_change", 216.99),
                      F("一", "收支总计", "change_pct", pct, "%", text)])


def test_n14_integer_percent_has_half_point_tolerance():
    ok = rows(_growth(8, "增长 8 %"), "N14")  # 216.99 / 2603.07 = 8.34 % printed as 8
    assert ok["status"].tolist() == ["pass"] and round(ok["expected"].iloc[0], 2) == 8.34
    assert_fail(_growth(8.0, "增长 8.0 %"), "N14", "error")  # printed with one decimal: 8.0 ≠ 8.3
    assert_fail(_growth(9, "增长 9 %"), "N14", "info")  # one printed unit off: rounding slip
    assert_fail(_growth(12, "增长 12 %"), "N14", "error")


def _exec(pct: float) -> Disclosure:
    return D(figures=[F("五（三）", "一般公共预算财政拨款支出", "budget", 2366.08),
                      F("五（三）", "一般公共预算财政拨款支出", "actual", 2820.06),
                      F("五（三）", "一般公共预算财政拨款支出", "exec_pct", pct, "%", f"完成年初预算的 {pct:g} %")])


def test_n15():
    assert_pass(_exec(119), "N15")
    assert_fail(_exec(125), "N15", "error")


def test_n16():
    base = [F("九（一）", "三公经费", "budget", 34.96), F("九（一）", "三公经费", "actual", 21.75)]
    assert_pass(D(figures=base + [F("九（一）", "三公经费", "budget_change", -13.21)]), "N16")
    assert_fail(D(figures=base + [F("九（一）", "三公经费", "budget_change", -13.5)]), "N16", "error")


def test_n17():
    def d(budget: float) -> Disclosure:
        return D(figures=[F("九（一）", "三公经费", "actual", 0), F("九（二）", "因公出国(境)费", "budget", budget),
                          F("九（二）", "因公出国(境)费", "actual", 0),
                          F("九（二）", "因公出国(境)费", "exec_pct", 0, "%", "完成预算的 0 %")])
    assert_pass(d(10), "N17")
    assert_fail(d(0), "N17", "warning")


def test_n18():
    assert_pass(_exec(119), "N18")
    bad = D(figures=[F("五（三）", "一般公共预算财政拨款支出", "budget", 100),
                     F("五（三）", "一般公共预算财政拨款支出", "actual", 130),
                     F("五（三）", "一般公共预算财政拨款支出", "exec_pct", 130, "%", "完成年初预算的 130 %")])
    assert_fail(bad, "N18", "info")


# ── line items, 三公, 机关运行经费 ───────────────────────────────────────────────

def _items(extra: float = 0) -> list[dict]:
    return [LI("人员经费", "人员经费", 100, True), LI("人员经费", "基本工资", 60), LI("人员经费", "退休费", 40 + extra),
            LI("公用经费", "公用经费", 50, True), LI("公用经费", "办公费", 30), LI("公用经费", "公务接待费", 12.09),
            LI("公用经费", "办公设备购置", 7.91 + extra)]


def test_l01_l02():
    assert_pass(D(line_items=_items()), "L01")
    assert_pass(D(line_items=_items()), "L02")
    assert_fail(D(line_items=_items(extra=1)), "L01", "error")
    assert_fail(D(line_items=_items(extra=1)), "L02", "error")


def test_l03_basic_items_within_economic_class_totals():
    ok = D(line_items=_items(), figures=[F("五（三）", "商品和服务支出", "actual", 50),
                                         F("五（三）", "对个人和家庭的补助支出", "actual", 40)])
    assert_pass(ok, "L03")
    bad = D(line_items=_items(), figures=[F("五（三）", "商品和服务支出", "actual", 30)])  # 302 items 42.09 > 30
    assert_fail(bad, "L03", "warning")


def _tp(reception: float) -> list[dict]:
    return [F("九（一）", "三公经费", "actual", reception), F("九（二）", "公务接待费", "actual", reception)]


def test_l04_three_public_not_below_basic_line():
    assert_pass(D(line_items=_items(), figures=_tp(15.29)), "L04")
    assert_fail(D(line_items=_items(), figures=_tp(10)), "L04", "error")


def test_l05_three_public_above_basic_line_is_a_warning_to_explain():
    assert_pass(D(line_items=_items(), figures=_tp(12.09)), "L05")
    bad = assert_fail(D(line_items=_items(), figures=_tp(15.29)), "L05", "warning")
    assert bad[["expected", "actual"]].values.tolist() == [[12.09, 15.29]]


def test_l06():
    assert_pass(D(line_items=_items(), figures=[F("十", "机关运行经费", "actual", 45)]), "L06")
    assert_fail(D(line_items=_items(), figures=[F("十", "机关运行经费", "actual", 60)]), "L06", "error")


def test_t01():
    assert_pass(D(figures=_three_public()), "T01")
    assert_fail(D(figures=_three_public(total_actual=45)), "T01", "warning")


def test_t02_reception_needs_batches_and_persons():
    rec = [F("九（一）", "三公经费", "actual", 15.29), F("九（二）", "国内公务接待支出", "actual", 15.29)]
    ok = rec + [F("九（二）", "共接待国内来访团组", "count", 202, "个", "共接待国内来访团组 202 个， 1984 人次（不包括陪同人员）。")]
    assert_pass(D(figures=ok), "T02")
    assert_fail(D(figures=rec), "T02", "warning")


def test_t03():
    held = F("九（二）", "开支财政拨款的公务用车保有量", "count", 4, "辆")
    assert_pass(D(figures=[held, F("十二", "车辆", "count", 4, "辆")]), "T03")
    assert_fail(D(figures=[held, F("十二", "车辆", "count", 5, "辆")]), "T03", "warning")


def test_t04():
    buy = [F("九（一）", "三公经费", "actual", 20), F("九（二）", "公务用车购置费", "actual", 20)]
    assert_pass(D(figures=buy + [F("九（二）", "购置(更新)公务用车", "count", 1, "辆")]), "T04")
    assert_fail(D(figures=buy + [F("九（二）", "购置(更新)公务用车", "count", 0, "辆")]), "T04", "warning")


# ── statements ──────────────────────────────────────────────────────────────────

def _fix_class_rounding(st: pd.DataFrame) -> None:
    """The fixture's one real defect (326.71 vs 326.72, see test_putuo_*) corrected, for the passing cases."""
    st.loc[st["row_label"] == "八、社会保障和就业支出", "value"] = 326.72


STATEMENT_FAILS: dict[str, Callable[[pd.DataFrame], None]] = {
    "S01": lambda st: set_cell(st, "income_expenditure", "本年收入合计", "决算数", 2950.00),
    "S02": lambda st: set_cell(st, "income_expenditure", "年初结转和结余", "决算数", 59.14),
    "S03": lambda st: set_cell(st, "income_expenditure", "九、卫生健康支出", "决算数", 70.99),
    "S04": lambda st: set_cell(st, "income_expenditure", "年末结转和结余", "决算数", 65.34),
    "S05": lambda st: set_cell(st, "fiscal_income_expenditure", "总计", "决算数", 2971.68),
    "S06": lambda st: set_cell(st, "expenditure", "行政运行", "项目支出", 18.37),
    "S07": lambda st: set_cell(st, "general_budget_expenditure", "住房公积金", "基本支出", 197.19),
    "S08": lambda st: set_cell(st, "expenditure", "合计", "本年支出合计", 2950.05),
    "S09": lambda st: None,  # the fixture as published
    "S10": lambda st: set_cell(st, "general_budget_basic", "人员经费合计", "决算数", 2162.26),
    "S11": lambda st: set_cell(st, "general_budget_expenditure", "合计", "基本支出", 2346.91),
    "S12": lambda st: set_cell(st, "three_public", "合计", "预算数", 1.95),
    "S14": lambda st: set_cell(st, "income", "合计", "其他收入", -6.20),
}


@pytest.mark.parametrize("rule_id", sorted(STATEMENT_FAILS))
def test_statement_rules_pass_on_consistent_tables(rule_id):
    assert_pass(STMT(_fix_class_rounding), rule_id)


@pytest.mark.parametrize("rule_id", sorted(STATEMENT_FAILS))
def test_statement_rules_fail_on_broken_tables(rule_id):
    def edit(st: pd.DataFrame) -> None:
        if rule_id != "S09":
            _fix_class_rounding(st)
        STATEMENT_FAILS[rule_id](st)

    bad = assert_fail(STMT(edit), rule_id)
    if rule_id == "S09":
        assert set(bad["severity"]) == {"info"}  # one cent between two tables: rounding-size
    elif rule_id != "S05":
        assert "error" in set(bad["severity"])


def _document(**cols: str) -> pd.DataFrame:
    row = {c: (None if c.startswith("dept_") else "") for c in schemas.columns("document")} | {
        "doc_id": "t", "department": None, "year": 2024, "source_path": "x.pdf", "source_kind": "pdf",
        "sha256": "0" * 64, "n_lines": 1, "n_pages": 1, "n_warnings": 0} | cols
    return schemas.MODELS["document"].validate(pd.DataFrame([row]))


def test_s15_empty_fund_tables_need_a_note_and_no_money():
    ok = STMT()
    ok.document = _document(tables_found="income_expenditure；fiscal_income_expenditure", tables_empty="gov_fund；state_capital")
    assert_pass(ok, "S15")

    def fund_money(st: pd.DataFrame) -> None:
        row = st[(st["table_code"] == "fiscal_income_expenditure") & (st["row_label"] == "本年支出合计")].iloc[[0]].copy()
        row["column"], row["value"] = "政府性基金预算财政拨款", 10.0
        st.loc[len(st)] = row.iloc[0]

    bad = STMT(fund_money)
    bad.document = _document(tables_empty="gov_fund；state_capital")
    assert_fail(bad, "S15", "error")
    missing = STMT()
    missing.document = _document(tables_empty="state_capital")
    assert_fail(missing, "S15", "warning")


def test_s13_narrative_vs_tables():
    ok = STMT(_fix_class_rounding, figures=[F("七（一）", "三公经费", "budget", 0.95), F("七（一）", "三公经费", "actual", 0)])
    assert_pass(ok, "S13")
    bad = STMT(_fix_class_rounding, figures=[F("七（一）", "三公经费", "budget", 1.95)])
    assert assert_fail(bad, "S13", "error")["difference"].iloc[0] == pytest.approx(1.0)


# ── performance tables ──────────────────────────────────────────────────────────

def _proj_inds(no: int = 1, total: float = 80) -> list[dict]:
    return [IND("数量", "100例", "100例", total / 2, no), IND("质量", "100%", "100%", total / 2, no)]


def test_p01():
    assert_pass(D(projects=[PR(1)]), "P01")
    assert_fail(D(projects=[PR(1, rate=90)]), "P01", "error")


def test_p02():
    assert_pass(D(projects=[PR(1)]), "P02")
    assert_fail(D(projects=[PR(1, exec_score=15)]), "P02", "error")


def test_p03():
    assert_pass(D(projects=[PR(1)], indicators=_proj_inds()), "P03")
    assert_fail(D(projects=[PR(1)], indicators=_proj_inds(total=70)), "P03", "error")


def test_p04():
    assert_pass(D(projects=[PR(1)]), "P04")
    assert_fail(D(projects=[PR(1, total=105)]), "P04", "error")


def test_p05():
    def d(s: float) -> Disclosure:
        return D(department_goals=[GOAL(1, 10)], indicators=[IND("a", "1人", "1人", s, None, 1),
                                                            IND("b", "1人", "1人", s, None, 1)])
    assert_pass(d(5), "P05")
    assert_fail(d(6), "P05", "error")


def test_p06_self_score_vs_rule_score():
    ok = D(projects=[PR(1)], indicators=[IND("合格率", "≥90%", "≥96%", 40), IND("数量", "100例", "100例", 40)])
    assert_pass(ok, "P06")
    # a missed "≥90%" target (80%) still at full marks: the rule gives 40 × 80/90
    bad = D(projects=[PR(1, total=90)], indicators=[IND("合格率", "≥90%", "80%", 40), IND("数量", "100例", "100例", 30)])
    assert_fail(bad, "P06", "warning")


def test_p07_far_exceeded_target_at_full_marks():
    ok = D(projects=[PR(1)], indicators=[IND("鉴证合同份数", "500份", "550份", 40), IND("质量", "100%", "100%", 40)])
    assert_pass(ok, "P07")
    bad = assert_fail(D(projects=[PR(1)], indicators=[IND("鉴证合同份数", "500份", "4824份", 40),
                                                       IND("质量", "100%", "100%", 40)]), "P07", "warning")
    assert bad[["expected", "actual"]].values.tolist() == [[500, 4824]]


def test_p08_cost_cap_overshot_at_full_marks():
    ok = D(projects=[PR(1)], indicators=[IND("补贴", "≤8万元", "7万元", 40, level2="成本指标"), IND("q", "100%", "100%", 40)])
    assert_pass(ok, "P08")
    bad = D(projects=[PR(1)], indicators=[IND("补贴", "≤8万元", "17.5万元", 40, level2="成本指标"),
                                          IND("q", "100%", "100%", 40)])
    assert_fail(bad, "P08", "warning")


def test_p09_deviation_needs_a_reason():
    inds = [IND("受理案件数", "100例", "201例", 40), IND("q", "100%", "100%", 40)]
    assert_pass(D(projects=[PR(1, reason="年初按往年数据测算")], indicators=inds), "P09")
    assert_fail(D(projects=[PR(1, reason="无")], indicators=inds), "P09", "warning")


def test_p09_national_form_explains_each_row():
    dev = {**IND("受理案件数", "100例", "201例", 40), "deviation": "年初按往年数据测算"}
    ok = D(projects=[PR(1, reason=None)], indicators=[dev, IND("q", "100%", "100%", 40)])
    assert_pass(ok, "P09")
    assert_fail(D(projects=[PR(1, reason=None)], indicators=[{**dev, "deviation": None}, IND("q", "100%", "100%", 40)]),
                "P09", "warning")


def _national(weights: tuple[float, float], exec_weight: float = 10, exec_score: float = 10, scores=(40, 50)) -> Disclosure:
    inds = [{**IND("a", "100例", "100例", scores[0]), "weight": weights[0]},
            {**IND("b", "100%", "100%", scores[1]), "weight": weights[1]}]
    return D(projects=[{**PR(1, exec_score=exec_score), "exec_weight": exec_weight}], indicators=inds)


def test_p17_printed_weights_add_up_to_100():
    assert_pass(_national((40, 50)), "P17")
    bad = assert_fail(_national((40, 40), scores=(40, 40)), "P17", "error")
    assert bad[["expected", "actual"]].values.tolist() == [[100, 90]]
    assert rows(D(projects=[PR(1)], indicators=_proj_inds()), "P17").status.tolist() == ["not_assessable"]  # Hubei form


def test_national_form_scores_against_printed_weights():
    # P02 uses the printed 执行率 分值 (10), not the nearest of 10/20; P04 得分 ≤ 分值 on every row
    assert_pass(_national((40, 50)), "P02")
    assert_fail(_national((40, 50), exec_weight=20, exec_score=10), "P02", "error")
    assert_pass(_national((40, 50)), "P04")
    assert_fail(_national((40, 50), scores=(45, 50)), "P04", "error")


def test_p10_p11_red_flags():
    assert_pass(D(projects=[PR(1), PR(2, total=85, executed=9, rate=90, exec_score=18)]), "P10")
    assert_pass(D(projects=[PR(1), PR(2, executed=9, rate=90, exec_score=18)]), "P11")
    assert_fail(D(projects=[PR(1), PR(2)]), "P10", "warning")
    assert_fail(D(projects=[PR(1), PR(2)]), "P11", "warning")


def test_p12_copied_actuals():
    assert_pass(D(indicators=[IND("a", "100例", "120例", 40), IND("b", "100%", "100%", 40)]), "P12")
    assert_fail(D(indicators=[IND("a", "100例", "100例", 40), IND("b", "100%", "100%", 40)]), "P12", "info")


# ── narrative ↔ attachments, scope ─────────────────────────────────────────────

def test_x01():
    assert_pass(D(projects=[PR(1)], project_outputs=[PO(1)]), "X01")
    assert_fail(D(projects=[PR(1)], project_outputs=[PO(1, budget=12)]), "X01", "error")


def test_x02():
    assert_pass(D(projects=[PR(1, name="退休人员社会化管理服务经费")],
                  project_outputs=[PO(1, name="退休人员社会化管理服务经费")]), "X02")
    assert_fail(D(projects=[PR(1, name="退休人员社会代管理服务经费")],
                  project_outputs=[PO(1, name="退休人员社会化管理服务经费")]), "X02", "info")


def test_x03():
    assert_pass(D(project_outputs=[PO(1)]), "X03")
    assert_fail(D(project_outputs=[PO(1, pct=90)]), "X03", "error")


def test_x04():
    def d(n: float) -> Disclosure:
        return D(figures=[F("十三（一）", "共涉及项目", "count", n, "个")], projects=[PR(1), PR(2)])
    assert_pass(d(2), "X04")
    assert_fail(d(3), "X04", "error")


def test_x05_x06():
    def d(funds: float, project_exp: float) -> Disclosure:
        return D(figures=[F("五（二）", "项目支出", "actual", project_exp),
                          F("十三（一）", "资金", "actual", funds, evidence=f"全面开展绩效自评，资金 {funds} 万元")],
                 projects=[PR(1, budget=10), PR(2, budget=20)])
    assert_pass(d(30, 50), "X05")
    assert_pass(d(30, 50), "X06")
    assert_fail(d(31, 50), "X05", "error")
    assert_fail(d(30, 25), "X06", "warning")


def test_x07_output_quantities_found_in_indicators():
    inds = [IND("受理鉴定例数", "100例", "126例", 40), IND("管理退休人员人数", "14000人", "14081人", 40)]
    ok = D(project_outputs=[PO(1, outputs="一是受理工伤病残等级鉴定126例；二是管理退休人员1.4万人。")], indicators=inds)
    assert_pass(ok, "X07")  # 1.4万人 agrees with 14081人 at its printed precision
    bad = D(project_outputs=[PO(1, outputs="一是受理工伤病残等级鉴定127例。")], indicators=inds)
    assert_fail(bad, "X07", "warning")


def test_x08_same_indicator_in_department_and_project_tables():
    dep = IND("事业单位工作人员录取人数", "32人", "32人", 2, None, 1)
    assert_pass(D(indicators=[dep, IND("2023年事业单位工作人员录取人数", "32人", "32人", 8)]), "X08")
    bad = D(indicators=[IND("事业单位工作人员录取人数", "118人", "118人", 2, None, 1),
                        IND("2023年事业单位工作人员录取人数", "32人", "32人", 8)])
    assert_fail(bad, "X08", "warning")
    units = D(indicators=[IND("到龄人员享受待遇人数", "7.34万人", "7.34万人", 2, None, 1),
                          IND("到龄人员享受待遇人数", "73439人", "73439人", 10)])
    assert_fail(units, "X08", "info")  # the same quantity in different units, consistent after conversion


def _doc_with_text(tmp_path, text: str) -> Disclosure:
    src = tmp_path / "d.txt"
    src.write_text(text, encoding="utf-8")
    doc = {c: (None if c.startswith("dept_") else "") for c in schemas.columns("document")} | {
        "doc_id": "t", "department": None, "year": 2023, "source_path": str(src), "source_kind": "text",
        "sha256": "0" * 64, "n_lines": 1, "n_pages": 1, "n_warnings": 0}
    d = D()
    d.document = schemas.MODELS["document"].validate(pd.DataFrame([doc]))
    return d


def test_x09_parenthetical_breakdowns(tmp_path):
    assert_pass(_doc_with_text(tmp_path, "评审职称共10人（正高级4人，\n高级6人）。"), "X09")
    bad = assert_fail(_doc_with_text(tmp_path, "评审职称共515人（正高级5人，高级120人，中级129人，初级234人）。"), "X09", "warning")
    assert bad[["expected", "actual"]].values.tolist() == [[488, 515]]
    partial = rows(_doc_with_text(tmp_path, "共10人（其中女4人）。共3项（2021年1项，2022年2项）"), "X09")
    assert partial["status"].tolist() == ["not_assessable"]  # a partial "其中" and mixed units are not breakdowns


# ── CLI ────────────────────────────────────────────────────────────────────────

def test_main_exit_codes(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert main([str(empty)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_format_failures_lists_only_failures():
    c = run_checks(D(figures=[F("二", "收入合计", "actual", 100), F("二", "财政拨款收入", "actual", 60)]))
    text = format_failures(c)
    assert text.splitlines()[0].split()[:4] == ["规则", "级别", "涉及金额(万元)", "对象"]
    assert "N01" in text and "N02" not in text


# ── the real samples ───────────────────────────────────────────────────────────

@pytest.fixture(scope="module")
def seed_checks(seed) -> pd.DataFrame:
    return run_checks(seed)


def _one(c: pd.DataFrame, rule_id: str, subject_part: str) -> pd.Series:
    r = c[(c["rule_id"] == rule_id) & c["subject"].str.contains(subject_part, regex=False)]
    assert len(r) >= 1, f"{rule_id} {subject_part}: {c[c['rule_id'] == rule_id].to_string()}"
    return r.iloc[0]


def test_seed_no_rule_crashes_and_its_only_error_is_the_slipped_decimal(seed_checks):
    """Every identity of the seed that holds passes; the one error-level failure is a real defect: the 部门整体
    report (p. 47) says 弥补工伤保险基金缺口 73 万 where its table (p. 36) and project 20 say 730."""
    assert not seed_checks["evidence"].str.contains("规则执行出错").any()
    errors = seed_checks[(seed_checks["status"] == "fail") & (seed_checks["severity"] == "error")]
    assert errors[["rule_id", "subject"]].values.tolist() == [["X10", "自评报告: 弥补工伤保险基金缺口73万"]], \
        format_failures(seed_checks)
    assert main([str(DATA_RAW / "2023-tongcheng-renshe.txt")]) == 1


def test_seed_identities_that_hold_pass(seed_checks):
    c = seed_checks
    for rid in ("N01", "N02", "N03", "N04", "N05", "N07", "N08", "N09", "N10", "N11", "L01", "L02", "L04", "L06",
                "T01", "T02", "T03", "X04", "X05"):
        r = c[c["rule_id"] == rid]
        assert (r["status"] == "pass").all(), r.to_string()
    budget = _one(c, "N07", "预算")  # 34.96 = 0 + (0 + 6.46 + 7.7) + (15.29 + 5.51)
    assert (budget["status"], budget["actual"], budget["expected"]) == ("pass", 34.96, 34.96)
    office = _one(c, "L06", "机关运行经费")  # 169.84 ≤ 227.67
    assert (office["actual"], office["expected"]) == (169.84, 227.67)


def test_seed_growth_8_percent_is_integer_rounded_not_wrong(seed_checks):
    r = _one(seed_checks, "N14", "收入合计")  # +216.99 on 2820.06 → prior 2603.07 → 8.34 %, printed "8 %"
    assert r["status"] == "pass" and r["actual"] == 8 and round(r["expected"], 2) == 8.34
    assert r["tolerance"] == pytest.approx(0.5, abs=0.001)


def test_seed_defect_budget_stated_as_2366_08_and_2366_07(seed_checks):
    r = _one(seed_checks, "N06", "年初预算")
    assert (r["status"], r["severity"], r["expected"], r["actual"]) == ("fail", "info", 2366.07, 2366.08)
    assert round(r["difference"], 2) == 0.01


def test_seed_defect_reception_15_29_vs_basic_line_12_09(seed_checks):
    assert _one(seed_checks, "L04", "公务接待费")["status"] == "pass"  # 三公 ≥ 基本支出: no under-reporting
    r = _one(seed_checks, "L05", "公务接待费")
    assert (r["status"], r["severity"], r["expected"], r["actual"]) == ("fail", "warning", 12.09, 15.29)
    car = _one(seed_checks, "L05", "公务用车运行费")
    assert (car["status"], car["expected"], car["actual"]) == ("fail", 2.52, 6.46)


def test_seed_defect_zero_budget_with_completion_percent(seed_checks):
    bad = seed_checks[(seed_checks["rule_id"] == "N17") & (seed_checks["status"] == "fail")]
    assert sorted(bad["subject"].str.split().str[0]) == ["公务用车购置费", "因公出国(境)费"]


def test_seed_red_flags_all_full_scores_all_100_percent(seed_checks):
    p10, p11 = _one(seed_checks, "P10", "项目"), _one(seed_checks, "P11", "项目")
    assert (p10["status"], p10["actual"]) == ("fail", 100)
    assert (p11["status"], p11["actual"]) == ("fail", 26)


def test_seed_defect_scope_self_evaluated_funds_vs_project_expenditure(seed_checks):
    r = _one(seed_checks, "X06", "自评项目资金")
    assert (r["status"], r["expected"], r["actual"]) == ("fail", 275.77, 21468.3)
    s = _one(seed_checks, "X05", "项目预算数")  # the 26 budgets do add up to the stated 21468.3
    assert (s["status"], s["actual"], s["expected"]) == ("pass", 21468.3, 21468.3)


def test_seed_defect_targets_far_exceeded_at_full_marks(seed_checks):
    f = seed_checks[(seed_checks["rule_id"] == "P07") & (seed_checks["status"] == "fail")]
    contracts = f[f["subject"].str.contains("鉴证劳动合同份数")]
    assert sorted(contracts[["expected", "actual"]].values.tolist()) == [[500, 4824], [500, 4824]]  # 部门 + 项目5
    assert len(f) == 13


def test_seed_defect_cost_cap_overshot(seed_checks):
    r = _one(seed_checks, "P08", "一次性创业补贴")  # ≤8万元 target, 17.5万元 actual, full 3 points
    assert (r["status"], r["expected"], r["actual"]) == ("fail", 8, 17.5)
    p06 = seed_checks[(seed_checks["rule_id"] == "P06") & (seed_checks["status"] == "fail")]
    assert p06["subject"].tolist() == ["2023年发放符合条件的返乡创业人员一次性创业补贴"]
    assert p06[["expected", "actual"]].values.tolist() == [[1.37, 3.0]]  # rule: 3 × 8/17.5


def test_seed_defect_breakdown_515_vs_488(seed_checks):
    r = _one(seed_checks, "X09", "共515人")  # 职称 共515人（正高级5，高级120，中级129，初级234）= 488 = 事业单位 only
    assert (r["status"], r["severity"], r["expected"], r["actual"]) == ("fail", "warning", 488, 515)
    assert "行1886" in r["evidence"]


def test_seed_defect_project_name_and_department_vs_project_indicators(seed_checks):
    assert _one(seed_checks, "X02", "项目12")["status"] == "fail"  # 社会化 vs 社会代
    c = seed_checks
    hire = _one(c, "X08", "事业单位工作人员录取人数")
    assert (hire["status"], hire["expected"], hire["actual"]) == ("fail", 118, 32)
    assert "≥90% vs ≥96%" in _one(c, "X08", "清欠率")["evidence"]
    assert "100人 vs 100例" in _one(c, "X08", "工伤病残等级鉴定例数")["evidence"]


PUTUO_FINDINGS = {
    "2024-shanghai-putuo-caizhengju.pdf": {
        # 表1 and 表4 print 326.71 for 社会保障和就业支出, 表3 and 表5 print 326.72
        ("S09", "info", "社会保障和就业支出: 表3 = 表1", 326.71, 326.72),
        ("S09", "info", "社会保障和就业支出: 表5 = 表4", 326.71, 326.72),
        # 五（二）: 一般公共服务支出 2106.66 "占 71.73%" of 2940.05 — recomputed 71.65 % (the four shares add to 100.07)
        ("N13", "error", "一般公共服务支出(类) 占比 (五（二）)", 71.6539, 71.73),
        # 四 (p. 21): "财政拨款收入支出总计0.3万元。与2023年度相比…持平" — table 4 (p. 13) totals 2961.68
        ("S13", "error", "说明.财政拨款收支总计 = 表4", 2961.68, 0.3),
    },
    "2024-shanghai-putuo-guihuaziyuanju.pdf": {
        ("S09", "info", "卫生健康支出: 表3 = 表1", 236.63, 236.64),
        ("S09", "info", "城乡社区支出: 表3 = 表1", 3845.25, 3845.24),
        ("S09", "info", "卫生健康支出: 表5 = 表4", 236.63, 236.64),
        # 六 states the all-funds 基本支出 (表3 5377.64) as 一般公共预算基本支出; 表5/表6 print 5364.75 / 4884.09
        ("S13", "error", "说明.一般公共预算基本支出 = 表5", 5364.75, 5377.64),
        ("S13", "error", "说明.人员经费 = 表6", 4884.09, 4896.98),
        # percentages truncated instead of rounded (99.868 → 99.86, 95.457 → 95.45): one printed unit → info
        ("N13", "info", "一般公共预算财政拨款支出 占比 (五（一）)", 99.868, 99.86),
        ("N15", "info", "一般公共预算财政拨款支出 完成预算% (五（三）)", 95.4572, 95.45),
    },
}


@pytest.mark.parametrize("name", sorted(PUTUO_FINDINGS))
def test_putuo_findings(name):
    c = run_checks(juesuan.load(DATA_RAW / name))
    assert not c["evidence"].str.contains("规则执行出错").any()
    f = findings(c, grouped=False)
    got = {(r.rule_id, r.severity, r.subject, round(r.expected, 4), r.actual) for r in f.itertuples()}
    expected = PUTUO_FINDINGS[name]
    assert expected <= got, sorted(got)
    assert {g for g in got if g[1] == "error"} == {e for e in expected if e[1] == "error"}, format_failures(c)
    for rid in ("S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S10", "S11", "S12", "S14", "S15"):
        r = c[c["rule_id"] == rid]
        assert (r["status"] == "pass").all(), r.to_string()


# ── P13–P15: the 部门整体绩效自评表's own totals ─────────────────────────────────────────────


def _with_dept(d: Disclosure, **values: float) -> Disclosure:
    d.document = _document(**values)
    return d


def _projects_5_and_20() -> list[dict]:
    return [PR(1, budget=5, executed=5), PR(2, budget=20, executed=20)]


def test_p13_department_project_total_equals_project_budgets():
    assert_pass(_with_dept(D(projects=_projects_5_and_20()), dept_project_wan=25.0), "P13")
    bad = assert_fail(_with_dept(D(projects=_projects_5_and_20()), dept_project_wan=30.0), "P13", "error")
    assert bad["difference"].iloc[0] == pytest.approx(5.0)


def test_p14_department_basic_total_matches_the_narrative():
    fig = [{"section": "三", "item": "基本支出", "measure": "actual", "value": 2544.29, "unit": "万元", "evidence": "基本支出2544.29万元"}]
    assert_pass(_with_dept(D(figures=fig), dept_basic_wan=2544.29), "P14")
    assert_fail(_with_dept(D(figures=fig), dept_basic_wan=1807.08), "P14", "warning")


def test_p15_department_execution_rate_and_score():
    ok = dict(dept_budget_wan=200.0, dept_executed_wan=180.0, dept_exec_rate_pct=90.0, dept_exec_score=18.0)
    assert_pass(_with_dept(D(), **ok), "P15")
    assert_fail(_with_dept(D(), **(ok | {"dept_exec_rate_pct": 100.0})), "P15", "error")
    assert_fail(_with_dept(D(), **(ok | {"dept_exec_score": 20.0})), "P15", "error")


def test_seed_department_table_basic_total_contradicts_the_narrative():
    c = run_checks(juesuan.load(DATA_RAW / "2023-tongcheng-renshe.txt"))
    p14 = c[c.rule_id == "P14"].iloc[0]
    assert (p14.status, p14.expected, p14.actual) == ("fail", 2544.29, 1807.08)
    assert c[c.rule_id == "P13"].status.tolist() == ["pass"]


def test_p16_stated_grade_matches_the_total_score_band():
    assert_pass(_with_dept(D(), dept_total_score=92.0, dept_grade="优", dept_grade_line=469), "P16")
    assert_fail(_with_dept(D(), dept_total_score=85.0, dept_grade="优", dept_grade_line=469), "P16", "error")
    # a 合格/不合格 scale is another template's vocabulary: not judged by the 优/良/中/差 bands
    assert rows(_with_dept(D(), dept_total_score=85.0, dept_grade="合格"), "P16").status.tolist() == ["not_assessable"]
    assert load_seed_grade() == ("优", 469)


def load_seed_grade() -> tuple:
    doc = juesuan.load(DATA_RAW / "2023-tongcheng-renshe.txt").document.iloc[0]
    return doc.dept_grade, doc.dept_grade_line


# ── cells OCR read and the parser withheld: unknown, never 0 ───────────────────────────────────────────


def _recognised(d: Disclosure, code: str, doubtful: bool = False, **misread: float) -> Disclosure:
    """`d` as if table `code` had been read by OCR with the cells `row.column` misread as given (`doubtful`: read
    below the confidence threshold): the parser's own identities (extract.ocr_identities) withhold what they
    cannot confirm and warn on it, as a parse does."""
    from juesuan.extract import ocr_identities
    from juesuan.read.lines import Warn

    st = d.statements
    rows = []
    for r in st[st["table_code"] == code].to_dict("records"):
        key = f"{r['row_label']}.{r['column']}"
        r = dict(r, source="ocr", confidence=0.99, value=misread.get(key, r["value"]))
        if doubtful and key in misread:
            r.update(confidence=0.5, **{ocr_identities.DOUBT: f"{misread[key]:.2f}"})
        rows.append({k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()})
    warns: list[Warn] = []
    kept = ocr_identities.verify(str(rows[0]["table_title"]), rows, warns)
    assert len(kept) == len(rows) - len(misread) and len(warns) == len(misread)
    new = pd.DataFrame([{"doc_id": d.doc_id, "stage": w.stage, "message": w.message, "source_line": w.source_line,
                         "page": w.page} for w in warns])
    statements = pd.concat([st[st["table_code"] != code], pd.DataFrame(kept)], ignore_index=True)
    return Disclosure(**{**d.tables(), "doc_id": d.doc_id, "statements": schemas.MODELS["statements"].validate(statements),
                         "warnings": schemas.MODELS["warnings"].validate(pd.concat([d.warnings, new], ignore_index=True))})


@pytest.fixture(scope="module")
def caizhengju() -> Disclosure:
    return juesuan.load(DATA_RAW / "2024-shanghai-putuo-caizhengju.pdf")


def test_a_withheld_cell_makes_its_identities_not_assessable(caizhengju):
    before = run_checks(caizhengju)
    # 表3 (p. 10): 信息化建设 项目支出 135.25 read as 153.25; no identity confirms it: withheld, warned on
    d = _recognised(caizhengju, "expenditure", **{"信息化建设.项目支出": 153.25})
    assert d.warnings["message"].str.contains("OCR read 153.25 in row '2010607 信息化建设'").any()
    after = run_checks(d)
    changed = _changed(before, after)
    assert changed[["rule_id", "subject", "status"]].values.tolist() == [
        ["S06", "表3 信息化建设: 本年支出合计 = Σ栏", "not_assessable"],
        ["S07", "表3 20106 财政事务.项目支出 = Σ下级", "not_assessable"],
        ["S14", "全部 194 个金额", "pass"]]  # the withheld cell is not one of the amounts read
    assert set(changed["status_before"]) == {"pass"}
    assert (changed["evidence"].iloc[:2] == "含 OCR 识别后未采用的数 (表3 信息化建设.项目支出 (行166, 第10页)), 不按 0 计").all()


def _changed(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The instances whose status or subject differ (the same rules give the same instances, in order; the
    evidence of a cell read by OCR says so, which is not a change)."""
    assert after["rule_id"].tolist() == before["rule_id"].tolist()
    diff = (after["status"] != before["status"]) | (after["subject"] != before["subject"])
    return after[diff].assign(status_before=before.loc[diff, "status"])


def test_a_withheld_class_total_is_not_counted_as_0(caizhengju):
    """A 类 total read unsure (326.72 as 362.72, below the confidence threshold) and confirmed by nothing: its
    类 = Σ款 identity, the 合计 = Σ类 above it, its row and the cross-table class comparison are not judged; none
    fails for the 0 it is not."""
    from juesuan.extract import ocr_identities

    d = _recognised(caizhengju, "expenditure", doubtful=True, **{"社会保障和就业支出.本年支出合计": 362.72})
    assert d.warnings["message"].str.contains(
        "OCR unsure of '362.72' (confidence 0.50) in row '208 社会保障和就业支出'", regex=False).any()
    before, after = run_checks(caizhengju), run_checks(d)
    unread = after[after["evidence"].str.contains("未采用", na=False)]
    assert set(unread["status"]) == {"not_assessable"}
    assert unread[["rule_id", "subject"]].values.tolist() == [
        ["S06", "表3 社会保障和就业支出: 合计 = Σ栏"],  # its total withheld: the row has no total to compare
        ["S07", "表3 208 社会保障和就业支出.本年支出合计 = Σ下级"],
        ["S07", "表3 合计.本年支出合计 = Σ类"],
        ["S09", "社会保障和就业支出: 仅见于表1"]]  # not "表3却没有这一类级科目": it has, unread
    assert (unread["evidence"] == "含 OCR 识别后未采用的数 (表3 社会保障和就业支出.本年支出合计 (行169, 第10页)), "
                                  "不按 0 计").all()

    def failures(c: pd.DataFrame) -> set:
        return set(map(tuple, c[c["status"] == "fail"][["rule_id", "subject", "severity"]].values))

    assert failures(after) == failures(before) - {("S09", "社会保障和就业支出: 表3 = 表1", "info")}
    assert ocr_identities.STAGE == "extract:statements"  # the stage whose warnings are read back


def test_withheld_cells_are_read_from_every_warning_the_parser_writes():
    """The four messages that withhold a cell (ocr_identities.verify, statements._read_row and _warn_cell), as they
    are formatted there; a text-layer cell that is no number withholds nothing."""
    from juesuan.checks.rules_common import Ctx
    from juesuan.checks.withheld import Withheld, cells

    msgs = [
        ("支出决算表: OCR unsure of '8.5O' (confidence 0.41) in row '2010601 行政运行', column '基本支出', and no "
         "identity of the table confirms it: value not used", 10, 3),
        ("支出决算表: OCR read 16.00 in row '合计', column '项目支出', and it fails 合计 = Σ类 (1.00 ≠ 2.00) with no "
         "other identity confirming it: a misreading or a misprint, value not used", 10, 4),
        ("收入决算表: OCR unsure of the label '行攻运行' (confidence 0.62) of row 2010601'行攻运行', not confirmed by "
         "another table: its value in column '财政拨款收入' not used", 8, 5),
        ("收入决算表: not a number: '1,2O4.5'", 8, 6),
        ("收入决算表: not a number: '见附件'", 9, 7),
    ]
    statements = [dict(table_code="income", row_label="行政运行", subject_code="2010601", page=8, source_line=6,
                       source="ocr"), dict(table_code="income", row_label="x", subject_code=None, page=9,
                                           source_line=1, source="text")]
    d = Disclosure(**{**{n: schemas.empty(n) for n in juesuan.model.TABLES}, "doc_id": "x",
                      "warnings": pd.DataFrame([{"stage": "extract:statements", "message": m, "page": p,
                                                 "source_line": ln} for m, p, ln in msgs]),
                      "statements": pd.DataFrame(statements)})
    assert cells(Ctx(d)) == [
        Withheld("expenditure", "2010601", "行政运行", "基本支出", 10, 3),
        Withheld("expenditure", "", "合计", "项目支出", 10, 4),
        Withheld("income", "2010601", "行攻运行", "财政拨款收入", 8, 5),
        Withheld("income", "2010601", "行政运行", None, 8, 6),
    ]
