"""Unit tests for juesuan.analysis: synthetic rows with the sample's real values, passing and failing cases."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from juesuan import config
from juesuan.analysis import budget, scoring, targets, yoy
from juesuan.analysis.scoring import Thresholds, direction, score_indicators

SAMPLE = config.DATA_RAW / "2023-tongcheng-renshe.txt"
FIXTURES = config.FIXTURES / "tongcheng_2023"


# ---------------------------------------------------------------- helpers


def ind(target_raw, t_op, t_val, actual_raw, a_val, score, unit="%", scope="department", project_no=None,
        goal_no=None, level3="指标", a_unit=None):
    return {
        "doc_id": "t", "source_line": 1, "page": 1, "scope": scope, "project_no": project_no, "goal_no": goal_no,
        "level1": "产出指标", "level2": "数量指标", "level3": level3, "target_raw": target_raw, "target_op": t_op,
        "target_value": t_val, "target_unit": unit if t_val is not None else None, "actual_raw": actual_raw,
        "actual_op": None, "actual_value": a_val, "actual_unit": (a_unit or unit) if a_val is not None else None,
        "score": score,
    }


def frame(*rows) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    for c in ["project_no", "goal_no"]:
        df[c] = df[c].astype("Int64")
    for c in ["target_value", "actual_value", "score"]:
        df[c] = df[c].astype(float)
    return df


def fig(section, item, measure, value, line=1):
    return {"doc_id": "t", "source_line": line, "page": 1, "section": section, "item": item, "measure": measure,
            "value": float(value), "unit": "%" if measure.endswith("pct") else "万元", "evidence": ""}


def figs(*rows) -> pd.DataFrame:
    return pd.DataFrame([fig(*r) for r in rows])


def one(df: pd.DataFrame) -> pd.Series:
    assert len(df) == 1, df
    return df.iloc[0]


# ---------------------------------------------------------------- scoring: direction and classification


@pytest.mark.parametrize("op,expected", [("≥", "higher"), (">", "higher"), ("≤", "lower"), ("<", "lower"),
                                         ("=", "equal"), (None, "equal"), (float("nan"), "equal")])
def test_direction_from_operator(op, expected):
    assert direction(op) == expected


def test_higher_is_better_met_keeps_full_score():
    r = one(score_indicators(frame(ind("≥90%", "≥", 90, "≥96%", 96, 20))))
    assert r.direction == "higher" and r.classification == "met"
    assert r.ratio == pytest.approx(96 / 90)
    assert r.rule_score == 20 and not r.flagged


def test_higher_is_better_missed_with_full_self_score_is_flagged():
    r = one(score_indicators(frame(ind("≥90%", "≥", 90, "81%", 81, 10))))
    assert r.classification == "missed"
    assert r.rule_score == pytest.approx(9.0)
    assert "未完成目标却得满分" in r.finding
    assert r.score_gap == pytest.approx(1.0) and "不符" in r.finding  # 1 point is beyond the 0.5 tolerance


def test_score_gap_beyond_tolerance_names_rule_score():
    r = one(score_indicators(frame(ind("≥90%", "≥", 90, "60%", 60, 10))))
    assert r.rule_score == pytest.approx(6.67, abs=0.01)
    assert "与计分规则得分 6.67 不符" in r.finding


def test_cost_indicator_within_target_is_met():
    r = one(score_indicators(frame(ind("≤5万元", "≤", 5, "5万元", 5, 10, unit="万元"))))
    assert (r.direction, r.classification, r.rule_score) == ("lower", "met", 10)


def test_cost_indicator_overrun_scores_target_over_actual():
    r = one(score_indicators(frame(ind("≤5万元", "≤", 5, "6万元", 6, 10, unit="万元"))))
    assert r.classification == "missed"
    assert r.rule_score == pytest.approx(10 * 5 / 6, abs=0.01)


def test_cost_far_below_target_means_target_set_too_high():
    r = one(score_indicators(frame(ind("≤30万元", "≤", 30, "5万元", 5, 5, unit="万元"))))
    assert r.classification == "exceeded" and r.deviation_level == "strong"
    assert "仅为目标值的 17%" in r.finding


def test_no_operator_means_equal_and_overshoot_is_deviation():
    # Sample: 受理工伤病残等级鉴定例数 100例 → 126例, self-score 5.
    r = one(score_indicators(frame(ind("100例", None, 100, "126例", 126, 5, unit="例"))))
    assert r.direction == "equal" and r.classification == "exceeded" and r.deviation_level == "warn"
    assert r.rule_score == pytest.approx(5 / 1.26, abs=0.01)
    assert r.flagged and "1.26 倍" in r.finding


def test_far_beyond_target_with_full_score_is_not_reduced_by_deviation():
    # Sample: 2023年鉴证劳动合同份数 500份 → 4824份, self-score 10.
    r = one(score_indicators(frame(ind("500份", None, 500, "4824份", 4824, 10, unit="份"))))
    assert r.deviation_level == "strong"
    assert r.rule_score == pytest.approx(1.04, abs=0.01)
    assert "未按偏离度调减" in r.finding


def test_equal_met_within_rounding():
    r = one(score_indicators(frame(ind("100%", None, 100, "100%", 100, 4))))
    assert (r.classification, r.rule_score, r.flagged) == ("met", 4, False)


def test_equal_small_overshoot_is_met_not_far_beyond():
    r = one(score_indicators(frame(ind("14000人", None, 14000, "14081人", 14081, 10, unit="人"))))
    assert r.classification == "met" and not r.flagged


@pytest.mark.parametrize("actual,expected", [(0, 10.0), (2, 0.0)])
def test_equal_zero_target(actual, expected):
    r = one(score_indicators(frame(ind("0起", "=", 0, f"{actual}起", actual, 10, unit="起"))))
    assert r.rule_score == expected


def test_qualitative_tier_one_keeps_self_score():
    r = one(score_indicators(frame(ind("明显提高", None, None, "明显提高", None, 10))))
    assert r.classification == "qualitative"
    assert (r.rule_low, r.rule_high, r.rule_score) == (8.0, 10.0, 10.0)
    assert not r.flagged


def test_qualitative_not_achieved_caps_score_at_half():
    r = one(score_indicators(frame(ind("达成年度目标", None, None, "未达成", None, 10))))
    assert r.rule_high == 5.0 and r.rule_score == 5.0
    assert "不符" in r.finding


def test_qualitative_without_an_actual_text_has_no_tier():
    # a missing 实际完成值 is no claim of completion: the rule allows the whole range, it does not pass tier 1
    df = frame(ind("明显提高", None, None, "明显提高", None, 10), ind("明显提高", None, None, None, None, 10))
    assert str(df["actual_raw"].dtype) == "str"  # as the parser's tables hold it: missing is NaN, not None
    stated, missing = score_indicators(df).itertuples()
    assert "第1档" in stated.rule and (stated.rule_low, stated.rule_high) == (8.0, 10.0)
    assert missing.classification == "qualitative" and "档次无法判断" in missing.rule
    assert (missing.rule_low, missing.rule_high) == (0.0, 10.0)


def test_goal_points_that_disagree_are_not_a_pool():
    # the same 目标 printed twice with other points: the group's pool is unknown, so weights are not inferred
    df = frame(ind("≥90%", "≥", 90, "80%", 80, 6, goal_no=1), ind("≥90%", "≥", 90, "96%", 96, 2, goal_no=1))
    goals = pd.DataFrame({"goal_no": pd.array([1, 1], dtype="Int64"), "goal_points": [10.0, 20.0]})
    out = score_indicators(df, None, goals)
    assert out["weight"].tolist() == [6, 2] and set(out["weight_source"]) == {"self_score"}
    agreed = score_indicators(df, None, goals.assign(goal_points=10.0))
    assert agreed["weight_source"].tolist() == ["self_score+shortfall"] * 2


def test_text_actual_for_numeric_target_is_not_measurable():
    r = one(score_indicators(frame(ind("≥90%", "≥", 90, "较好", None, 10))))
    assert r.classification == "qualitative" and "不可衡量" in r.rule


def test_unit_mismatch_is_not_compared():
    r = one(score_indicators(frame(ind("100人", None, 100, "1万人", 1, 10, unit="人", a_unit="万人"))))
    assert r.classification == "qualitative" and "单位不一致" in r.rule


def test_thresholds_are_configurable():
    df = frame(ind("100例", None, 100, "126例", 126, 5, unit="例"))
    assert one(score_indicators(df, thresholds=Thresholds(warn=1.5, explain=1.6, strong=3))).classification == "met"


# ---------------------------------------------------------------- scoring: weights


def _project(no=1, rate=100.0, exec_score=20.0, total=100.0, budget_wan=10.0, executed=10.0, reason="无"):
    return {"project_no": no, "project_name": f"项目{no}", "budget_wan": budget_wan, "executed_wan": executed,
            "exec_rate_pct": rate, "exec_score": exec_score, "total_score": total, "deviation_reason": reason,
            "improvement": "无", "source_line": 1, "page": 1}


def test_weights_equal_self_scores_when_group_claims_full_marks():
    df = frame(ind("≥90%", "≥", 90, "96%", 96, 60, scope="project", project_no=1),
               ind("≥90%", "≥", 90, "80%", 80, 20, scope="project", project_no=1))
    out = score_indicators(df, pd.DataFrame([_project()]))
    assert list(out["weight"]) == [60, 20] and set(out["weight_source"]) == {"self_score"}
    assert out["rule_score"].tolist() == pytest.approx([60, 20 * 80 / 90], abs=0.01)


def test_shortfall_goes_to_the_indicator_that_lost_points():
    df = frame(ind("≥90%", "≥", 90, "96%", 96, 60, scope="project", project_no=1),
               ind("≥90%", "≥", 90, "72%", 72, 16, scope="project", project_no=1))
    out = score_indicators(df, pd.DataFrame([_project(total=96)]))
    assert out["weight"].tolist() == [60, 20]
    assert out["weight_source"].tolist() == ["self_score+shortfall"] * 2
    assert out["rule_score"].iloc[1] == pytest.approx(16.0)
    assert not out["flagged"].iloc[1]


def test_exec_weight_read_from_score_and_rate():
    p = pd.DataFrame([_project(rate=50.0, exec_score=5.0, budget_wan=10, executed=5)])
    assert scoring.exec_weight(p).iloc[0] == 10
    assert scoring.exec_rule_score(p).iloc[0] == 5


def test_over_full_group_is_scaled_to_pool():
    df = frame(ind("≥1", "≥", 1, "1", 1, 50, scope="project", project_no=1, unit="个"),
               ind("≥1", "≥", 1, "1", 1, 50, scope="project", project_no=1, unit="个"))
    out = score_indicators(df, pd.DataFrame([_project()]))
    assert out["weight"].tolist() == [40, 40] and set(out["weight_source"]) == {"scaled"}


def test_department_goal_points_are_the_pool():
    df = frame(ind("≥90%", "≥", 90, "96%", 96, 2, goal_no=1), ind("100%", None, 100, "100%", 100, 2, goal_no=1))
    goals = pd.DataFrame({"goal_no": pd.array([1], dtype="Int64"), "goal_points": [10.0], "goal_text": ["g"]})
    out = score_indicators(df, department_goals=goals)
    assert out["weight"].sum() == pytest.approx(10)


def test_printed_weight_column_wins():
    df = frame(ind("≥90%", "≥", 90, "81%", 81, 9)).assign(weight=[10.0])
    r = one(score_indicators(df))
    assert (r.weight, r.weight_source, r.rule_score, r.flagged) == (10, "table", 9.0, False)


def test_printed_weights_and_inferred_ones_side_by_side():
    # a national-form project (分值 printed) next to a Hubei-form department goal (inferred from its points)
    df = frame(ind("≥90%", "≥", 90, "81%", 81, 9, scope="project", project_no=1),
               ind("≥90%", "≥", 90, "96%", 96, 5, goal_no=1), ind("100%", None, 100, "100%", 100, 5, goal_no=1))
    df["weight"] = [10.0, None, None]
    goals = pd.DataFrame({"goal_no": pd.array([1], dtype="Int64"), "goal_points": [10.0], "goal_text": ["g"]})
    out = score_indicators(df, pd.DataFrame([_project()]), goals)
    assert out["weight_source"].tolist() == ["table", "self_score", "self_score"]
    assert out["weight"].tolist() == [10, 5, 5]


def test_empty_indicators():
    out = score_indicators(frame(ind("1", None, 1, "1", 1, 1)).iloc[:0])
    assert set(scoring.SCORED_COLUMNS) <= set(out.columns) and out.empty


@pytest.mark.parametrize("points,g", [(95, "优"), (90, "优"), (85, "良"), (60, "中"), (59.9, "差")])
def test_grade_bands(points, g):
    assert scoring.grade(points) == g


# ---------------------------------------------------------------- targets on the real fixture


@pytest.fixture(scope="module")
def fixture_tables():
    ind_ = pd.read_csv(FIXTURES / "indicators_projects_a.csv")
    ind_["scope"], ind_["goal_no"] = "project", pd.NA
    ind_["page"] = 1
    proj = pd.read_csv(FIXTURES / "projects_a.csv")
    proj["page"] = 1
    return ind_, proj


def test_fixture_project_rule_totals(fixture_tables):
    ind_, proj = fixture_tables
    scored, summary, sentences = targets.run(ind_, proj)
    row = summary.set_index("project_no").loc[1]
    assert row["self_total"] == 100 and row["rule_total"] == pytest.approx(97.94, abs=0.01)
    assert row["needs_explanation"] and not row["explained"]  # 偏差原因 “无” despite 126 vs 100
    five = scored[(scored["project_no"] == 5) & scored["level3"].str.contains("鉴证劳动合同份数")].iloc[0]
    assert five["rule_score"] == pytest.approx(1.04, abs=0.01)
    assert any("满分 100 分" in s for s in sentences)


def test_flagged_with_reasons_puts_explanation_beside(fixture_tables):
    ind_, proj = fixture_tables
    scored = score_indicators(ind_, proj)
    table = targets.indicator_table(scored, proj)
    flagged = targets.flagged_with_reasons(table, proj)
    row = flagged[flagged["project_no"] == 2].iloc[0]
    assert "往年数据测算" in row["deviation_reason"] and row["explained"]


def test_a_rows_own_deviation_reason_comes_first():
    # national form: each indicator row has its 偏差原因; the project's is the fallback
    df = frame(ind("≥90%", "≥", 90, "60%", 60, 20, scope="project", project_no=1),
               ind("≥90%", "≥", 90, "50%", 50, 20, scope="project", project_no=1))
    df["deviation"] = ["汛期推迟施工", None]
    proj = pd.DataFrame([_project(reason="资金下达较晚")])
    flagged = targets.flagged_with_reasons(targets.indicator_table(score_indicators(df, proj), proj), proj)
    assert flagged["deviation_reason"].tolist() == ["汛期推迟施工", "资金下达较晚"]


def test_has_explanation():
    assert not targets.has_explanation("无") and not targets.has_explanation(None)
    assert targets.has_explanation("年初预算数为往年数据测算")


# ---------------------------------------------------------------- budget vs actual


def test_printed_tolerance():
    assert budget.printed_tolerance(119.0) == pytest.approx(0.6)
    assert budget.printed_tolerance(80.8) == pytest.approx(0.15)


def general_figures(stated_pct=119):
    return figs(("五（三）", "一般公共预算财政拨款支出", "budget", 2366.08, 256),
                ("五（三）", "一般公共预算财政拨款支出", "actual", 2820.06, 258),
                ("五（三）", "一般公共预算财政拨款支出", "exec_pct", stated_pct, 258))


def test_budget_vs_actual_recomputes_completion():
    r = one(budget.budget_vs_actual(general_figures()))
    assert r.recomputed_pct == pytest.approx(119.19) and r.pct_ok
    assert r.status == "超预算" and r.recomputed_change == pytest.approx(453.98)


def test_budget_misprinted_percentage_is_flagged():
    r = one(budget.budget_vs_actual(general_figures(stated_pct=91)))
    assert not r.pct_ok and r.flag


def test_over_run_threshold_is_configurable():
    r = one(budget.budget_vs_actual(general_figures(), budget.BudgetThresholds(over_run_pct=110)))
    assert r.status == "大幅超预算" and r.flag


def test_three_public_budget_implied_and_ordered():
    f = figs(("九（二）", "公务接待费", "actual", 15.29, 387), ("九（二）", "公务接待费", "exec_pct", 74, 389),
             ("九（二）", "公务接待费", "budget_change", -5.51, 389),
             ("九（一）", "三公经费", "budget", 34.96, 342), ("九（一）", "三公经费", "actual", 21.75, 344),
             ("九（一）", "三公经费", "exec_pct", 62, 344), ("九（一）", "三公经费", "budget_change", -13.21, 346),
             ("九（二）", "公务用车运行费", "actual", 6.46, 377), ("九（二）", "公务用车运行费", "exec_pct", 46, 377),
             ("九（二）", "公务用车运行费", "budget_change", -7.7, 379))
    t = budget.three_public(budget.budget_vs_actual(f))
    assert t["item"].tolist() == ["三公经费", "公务用车运行费", "公务接待费"]
    assert t["budget"].tolist() == pytest.approx([34.96, 14.16, 20.80])
    assert t["recomputed_pct"].tolist() == pytest.approx([62.21, 45.62, 73.51])
    assert t["pct_ok"].all()
    assert t.loc[0, "budget_source"] == "文本所列" and t.loc[2, "budget_source"] == "决算 − 增减额"


def test_percentage_with_zero_budget_is_wrong():
    f = figs(("九（二）", "公务用车购置费", "budget", 0, 1), ("九（二）", "公务用车购置费", "actual", 3, 1),
             ("九（二）", "公务用车购置费", "exec_pct", 100, 1))
    assert not one(budget.budget_vs_actual(f)).pct_ok


def test_unknown_budget_is_not_judged():
    f = figs(("七（二）", "因公出国(境)费", "actual", 0, 1), ("七（二）", "因公出国(境)费", "exec_pct", 0, 1))
    r = one(budget.budget_vs_actual(f))
    assert pd.isna(r.budget) and r.pct_ok and r.status == "预算数未披露" and not r.flag


def test_project_execution_flags_uniform_100_percent():
    p = pd.DataFrame([_project(no=i) | {"page": 1} for i in (1, 2)])
    e = budget.project_execution(p)
    assert (e["status"] == "执行率 100%").all()
    assert any("全部 2 个项目执行率均为 100.00%" in s for s in budget.project_findings(e))


def test_project_execution_low_and_over():
    p = pd.DataFrame([_project(1, rate=80, budget_wan=10, executed=8), _project(2, rate=110, budget_wan=10, executed=11)])
    e = budget.project_execution(p)
    assert e["status"].tolist() == ["执行率偏低", "超预算执行"]
    text = " ".join(budget.project_findings(e))
    assert "项目1" in text and "执行数超过预算数" in text


# ---------------------------------------------------------------- year over year


def test_stated_change_implies_prior_and_recomputes_rate():
    f = figs(("一", "收支总计", "actual", 2820.06, 133), ("一", "收支总计", "prior_change", 216.99, 135),
             ("一", "收支总计", "change_pct", 8, 135))
    r = one(yoy.stated_changes(f))
    assert r.implied_base == pytest.approx(2603.07) and r.recomputed_pct == pytest.approx(8.34)
    assert r.pct_ok and not r.flag


def test_stated_rate_mismatch_is_flagged():
    f = figs(("一", "收支总计", "actual", 2820.06), ("一", "收支总计", "prior_change", 216.99),
             ("一", "收支总计", "change_pct", 12))
    r = one(yoy.stated_changes(f))
    assert not r.pct_ok and r.flag
    assert "与金额不符" in yoy.change_findings(yoy.stated_changes(f))[0]


def test_split_item_names_are_merged_within_section():
    f = figs(("一", "支总计", "actual", 2820.06), ("一", "收支总计", "prior_change", 216.99),
             ("一", "支总计", "change_pct", 8))
    r = one(yoy.stated_changes(f))
    assert r["item"] == "收支总计" and r.stated_pct == 8


def test_change_against_budget_has_its_own_basis():
    f = figs(("十", "机关运行经费", "actual", 169.84), ("十", "机关运行经费", "budget_change", 23.64),
             ("十", "机关运行经费", "change_pct", 16))
    r = one(yoy.stated_changes(f))
    assert r.basis == "年初预算" and r.implied_base == pytest.approx(146.20) and r.pct_ok


def test_total_bridge_adds_up_and_shows_residual():
    f = figs(("一", "收支总计", "actual", 2820.06), ("一", "收支总计", "prior_change", 216.99),
             ("四", "一般公共预算财政拨款收入", "actual", 2800.06), ("四", "一般公共预算财政拨款收入", "prior_change", 196.99))
    b = yoy.total_bridge(f)
    assert b["measure"].tolist() == ["absolute", "relative", "relative", "total"]
    assert b["label"].iloc[2] == "其他（未说明）" and b["value"].iloc[2] == pytest.approx(20.0)
    assert b["value"].iloc[0] + b["value"].iloc[1:3].sum() == pytest.approx(b["value"].iloc[-1])


def test_normalise_name():
    assert yoy.normalise_name("2023年 “三支一扶”高校生 生活补助") == yoy.normalise_name("三支一扶高校生生活补助")


# ---------------------------------------------------------------- the real sample


@pytest.fixture(scope="module")
def sample():
    from juesuan.analysis import load_disclosure

    return load_disclosure(SAMPLE)


def test_sample_budget_and_three_public(sample):
    t = budget.budget_vs_actual(sample.figures)
    g = budget.general_budget(t)
    total = g[g["item"].eq("一般公共预算财政拨款支出")].iloc[0]
    assert (total.budget, total.actual, total.stated_pct) == (2366.08, 2820.06, 119)
    tp = budget.three_public(t).iloc[0]
    assert (tp.budget, tp.actual, tp.stated_pct, tp.stated_change) == (34.96, 21.75, 62, -13.21)
    ops = one(budget.operating_costs(t))
    assert ops.actual == 169.84 and ops.budget == pytest.approx(146.20)
    assert t["pct_ok"].all()


def test_sample_yoy_bridge(sample):
    b = yoy.total_bridge(sample.figures)
    assert b["value"].iloc[0] == pytest.approx(2603.07) and b["value"].iloc[-1] == pytest.approx(2820.06)
    assert yoy.stated_changes(sample.figures)["pct_ok"].all()


def test_sample_target_deviation(sample):
    scored, summary, _ = targets.run(sample.indicators, sample.projects, sample.department_goals)
    assert len(summary) == 26 and (summary["self_total"] == 100).all()
    assert (summary["rule_total"] < 100).sum() >= 10
    assert scored["flagged"].sum() >= 15
    assert set(scored["classification"]) == {"met", "exceeded", "missed", "qualitative"}


def test_compare_years_matches_by_normalised_name(sample):
    prev = dataclasses.replace(
        sample,
        doc_id="2022-x",
        document=sample.document.assign(year=2022),
        projects=sample.projects.iloc[1:].assign(executed_wan=sample.projects["executed_wan"].iloc[1:] * 0.5),
    )
    new_name = sample.projects.assign(project_name=lambda p: p["project_name"].where(p["project_no"] != 2, "新项目"))
    cur = dataclasses.replace(sample, projects=new_name)
    cmp_ = yoy.compare_years(cur, [prev])
    projects = cmp_[cmp_["kind"].eq("project")].set_index("name")
    assert projects.loc["新项目", "status"] == "new"
    assert projects.loc[sample.projects["project_name"].iloc[1], "status"] == "dropped"
    assert projects.loc[sample.projects["project_name"].iloc[0], "status"] == "new"
    assert projects.loc[sample.projects["project_name"].iloc[2], "change_pct"] == pytest.approx(100)
    assert any("新增项目" in s for s in yoy.comparison_findings(cmp_))
    assert yoy.comparison_findings(yoy.compare_years(cur, []))[0].startswith("未提供往年公开")


def test_one_has_explanation_for_report_and_rule():
    """Report 03 and rule P09 read a 偏差原因 the same way: “无” in quotes says nothing."""
    from juesuan.analysis.targets import has_explanation
    from juesuan.checks import rules_performance

    assert rules_performance.has_explanation is has_explanation
    assert [has_explanation(t) for t in ["“无”", "无。", " — ", None, float("nan"), "汛期推迟施工"]] == \
        [False, False, False, False, False, True]


def test_budget_analysis_of_figures_without_any_budget(seed):
    """Issue 10's notebook-02 TypeError on a 2000-page document: a copy cut short at page 2000 left only the
    情况说明 sections 一–四, figures without one budget. The empty comparison kept pandas' str dtype, and `~`
    over an empty str Series then `&` with a bool one raised "operation 'and_' not supported for dtype 'str'
    with dtype 'bool'" in general_budget (and a KeyError in three_public when no figure was left at all)."""
    budgets = ["budget", "exec_pct", "budget_change", "budget_full", "budget_adjusted"]
    figures = seed.figures[~seed.figures["measure"].isin(budgets)]
    assert len(figures) > 100 and str(figures["item"].dtype) == "str"  # validated tables: pandas' str dtype
    for f in (figures, figures.iloc[0:0]):
        table = budget.budget_vs_actual(f)
        assert table.empty
        assert budget.general_budget(table).empty and budget.three_public(table).empty
        assert budget.budget_findings(table) == []
