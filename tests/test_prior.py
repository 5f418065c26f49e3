"""The prior-year flow: the guard on the prior document, matching across years (empty rows, new, dropped,
renamed projects), the year bridge, and the prior year as this year states it against the prior disclosure."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pandas as pd
import pytest

import gen_years as g
import juesuan
from juesuan.analysis import crossyear, priors, yoy
from juesuan.analysis.priors import DepartmentMatch, Identity, Problem, check_prior, identity


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return g.write_county(tmp_path_factory.mktemp("county"))


@pytest.fixture(scope="module")
def docs(county):
    return {k: juesuan.load(p) for k, p in county.items()}


@pytest.fixture(scope="module")
def comparison(docs):
    return yoy.compare_years(docs["current"], [docs["prior"]])


# ---------------------------------------------------------------- the generated prior year


def test_generated_prior_is_the_same_department_a_year_earlier(docs):
    cur, pri = docs["current"], docs["prior"]
    assert (cur.department, cur.year) == (g.DEPARTMENT, 2023)
    assert (pri.department, pri.year) == (g.DEPARTMENT, 2022)
    f = pri.figures.set_index(["section", "item", "measure"])["value"]
    assert f[("一", "收支总计", "actual")] == 2603.07 and f[("五（一）", "一般公共预算财政拨款支出", "actual")] == 2613.07
    names = set(pri.projects["project_name"])
    assert g.NEW_IN_CURRENT not in names and g.DROPPED_IN_CURRENT in names and set(g.RENAMED) <= names


# ---------------------------------------------------------------- matching across years


def test_year_bridge_runs_from_the_prior_year_to_this_year(comparison):
    assert yoy.year_columns(comparison) == ["2022", "2023"]
    b = yoy.year_bridge(comparison, "line_item")
    assert b["label"].iloc[0] == "2022 年合计" and b["label"].iloc[-1] == "2023 年合计"
    assert not b["label"].str.contains("large").any()
    items = comparison[comparison["kind"].eq("line_item")]
    assert b["value"].iloc[0] == pytest.approx(items["2022"].sum()) == pytest.approx(2499.57)
    assert b["value"].iloc[-1] == pytest.approx(items["2023"].sum()) == pytest.approx(2544.30)
    # the one perturbed item (基本工资 564.84 → 520.11 in the prior year) is the one step
    assert b["label"].iloc[1:-1].tolist() == ["人员经费·基本工资"] and b["value"].iloc[1] == pytest.approx(44.73)
    assert b["value"].iloc[0] + b["value"].iloc[1:-1].sum() == pytest.approx(b["value"].iloc[-1])


def test_rows_empty_in_both_years_are_not_matches(docs):
    cur = docs["current"]
    same = dataclasses.replace(cur, doc_id="2022-copy", document=cur.document.assign(year=2022))
    cmp_ = yoy.compare_years(cur, [same])
    ind = cmp_[cmp_["kind"].eq("indicator")]
    assert not (ind["2022"].isna() & ind["2023"].isna()).any()
    numeric = cur.indicators[cur.indicators["scope"].eq("project") & cur.indicators["actual_value"].notna()]
    qualitative = cur.indicators[cur.indicators["scope"].eq("project") & cur.indicators["actual_value"].isna()]
    assert len(qualitative) > 20  # the sample has many (明显提高, 长期 …): these were counted as matches
    assert len(ind) == len(numeric.drop_duplicates(["project_no", "level3"]))
    assert ind["status"].eq("matched").all()
    sentence = next(s for s in yoy.comparison_findings(cmp_) if s.startswith("绩效指标"))
    assert f"匹配 {len(ind)} 项" in sentence


def test_new_dropped_and_renamed_projects(comparison):
    p = comparison[comparison["kind"].eq("project")].set_index("name")
    assert p.loc[g.NEW_IN_CURRENT, "status"] == "new" and p.loc[g.DROPPED_IN_CURRENT, "status"] == "dropped"
    renamed = p[p["status"].eq("renamed")]
    expected = {**{new: old for old, new in g.RENAMED.items()},
                "城乡居民养老保险2022年提高缴费年限养老金、丧抚费增加县级配套资金":  # the year in the name moved
                    "城乡居民养老保险2021年提高缴费年限养老金、丧抚费增加县级配套资金"}
    assert renamed["prior_name"].to_dict() == expected
    assert (p["status"] == "matched").sum() == 22
    rebudget = p.loc[g.REBUDGETED[0]]
    assert (rebudget["2022"], rebudget["2023"], rebudget["change_pct"], rebudget["large"]) == (100, 124, 24.0, True)
    text = " ".join(yoy.comparison_findings(comparison))
    assert "项目：匹配 25 项（其中更名 3 项），新增 1 项，取消 1 项" in text
    assert "企业退休干部生活补贴 → 企业退休干部津补贴" in text


def test_indicators_follow_a_renamed_project(comparison):
    ind = comparison[comparison["kind"].eq("indicator")]
    of_renamed = ind[ind["name"].str.startswith("企业退休干部津补贴·")]
    assert len(of_renamed) >= 2 and of_renamed["status"].eq("matched").all()


def test_rename_needs_similar_names_and_equal_budgets_or_very_similar_names():
    old = pd.DataFrame({"key": ["劳动监察执法专项经费", "企业退休干部生活补贴", "职业技能提升补贴"], "budget": [10.0, 15.0, 40.0]})
    new = pd.DataFrame({"key": ["劳动保障监察执法办案经费", "企业退休干部津补贴", "就业专项资金县级配套"], "budget": [10.0, 99.0, 40.0]})
    # 0.73 alike with equal budgets: renamed; 0.84 alike: renamed whatever the budgets; 0.2 alike, equal budgets: not
    assert yoy.match_renames(old, new) == {"劳动监察执法专项经费": "劳动保障监察执法办案经费",
                                           "企业退休干部生活补贴": "企业退休干部津补贴"}
    assert yoy.match_renames(old.assign(budget=[11.0, 15.0, 40.0]), new) == {"企业退休干部生活补贴": "企业退休干部津补贴"}


# ---------------------------------------------------------------- the guard on the prior document


def _id(dept, year, units=(), doc="x"):
    return Identity(doc_id=doc, department=dept, year=year, units=frozenset(units))


def test_prior_must_be_the_same_department_and_an_earlier_year(docs):
    cur, pri, other = (identity(docs[k]) for k in ("current", "prior", "2023-tongcheng-minzheng"))
    assert check_prior(cur, pri).ok
    v = check_prior(cur, other)
    assert not v.ok and v.problems == (Problem.OTHER_DEPARTMENT, Problem.SAME_YEAR)
    assert "通城县民政局 2023" in v.reason() and "another department" in v.reason()
    assert check_prior(pri, cur).problems == (Problem.LATER_YEAR,)
    assert check_prior(cur, cur).problems == (Problem.SAME_DOCUMENT, Problem.SAME_YEAR)
    assert check_prior(cur, dataclasses.replace(pri, year=None)).problems == (Problem.UNKNOWN_YEAR,)


def test_other_department_on_request_is_a_warning():
    a, b = _id("通城县人力资源和社会保障局", 2023, doc="a"), _id("通城县民政局", 2022, doc="b")
    assert not check_prior(a, b).ok
    v = check_prior(a, b, allow_other_department=True)
    assert v.ok and "another department on request" in v.warning
    assert not check_prior(a, dataclasses.replace(b, year=2024), allow_other_department=True).ok  # years never


def test_department_names_normalised_and_units_as_second_signal():
    units = ["通城县机关事业单位养老保险局", "通城县社会劳动保险事业管理局", "通城县公共就业和人才服务局"]
    a = _id("通城县人力资源和社会保障局", 2023, units, doc="a")
    assert priors.normalise_department("通城县 人力资源和社会保障局（本级）") == a.key
    assert check_prior(a, _id("通城县 人力资源和社会保障局", 2022, doc="b")).match is DepartmentMatch.NAME
    renamed = check_prior(a, _id("通城县人社局", 2022, [*units[:2], "通城县人社局本级"], doc="b"))
    assert renamed.ok and renamed.match is DepartmentMatch.UNITS and "same units" in renamed.warning
    assert check_prior(a, _id("通城县人社局", 2022, units[:1] + ["甲", "乙"], doc="b")).match is DepartmentMatch.OTHER
    assert check_prior(a, _id(None, 2022, doc="b")).problems == (Problem.UNKNOWN_DEPARTMENT,)


def test_select_keeps_good_priors_and_says_why_others_are_not_used(docs):
    kept, notes = priors.select(docs["current"], [docs["prior"], docs["2023-tongcheng-jiaoyu"]])
    assert [d.doc_id for d in kept] == ["2022-tongcheng-renshe"]
    assert len(notes) == 1 and "通城县教育局 2023" in notes[0] and "不是同一部门" in notes[0]


def run(*args):
    return subprocess.run([sys.executable, "-m", "juesuan", *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize("which,reason", [("2023-tongcheng-minzheng", "another department"),
                                          ("current", "it is the document itself")])
def test_report_refuses_a_wrong_prior_with_one_line_and_writes_nothing(county, tmp_path, which, reason):
    out = tmp_path / "reports"
    r = run("report", county["current"], "--prior", county[which], "--out", out)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and str(county[which]) in lines[0] and reason in lines[0], r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


def test_report_refuses_a_later_year_and_a_prior_without_path(county, tmp_path):
    r = run("report", county["prior"], "--prior", county["current"], "--out", tmp_path / "r")
    assert r.returncode == 2 and "later year" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run("report", county["current"], "--prior", "--out", tmp_path / "r")
    assert r.returncode == 2 and "--prior" in r.stderr and not (tmp_path / "r").exists()


def test_check_priors_warns_for_another_department_on_request(county, capsys):
    from juesuan.parallel import check_priors

    assert check_priors([str(county["current"])], [str(county["2023-tongcheng-minzheng"])]) == 2
    capsys.readouterr()
    older = g.write(county["current"].parent, "2021-tongcheng-minzheng", g.shift_years(
        g.other_department(*g.OTHERS["2023-tongcheng-minzheng"]), -2))
    assert check_priors([str(county["current"])], [str(older)], allow_other_department=True) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("juesuan: warning:") and "通城县民政局 2021" in err[0]


# ---------------------------------------------------------------- cross-year consistency


def test_prior_year_as_stated_against_the_prior_disclosure(docs):
    c = crossyear.check(docs["current"], [docs["prior"]])
    assert len(c) == 10 and set(c["rule_id"]) == {"K01"}
    fails = c[c["status"].eq("fail")]
    section, item, implied, printed = g.MISMATCH
    assert fails["subject"].tolist() == [f"{section} {item}"]
    f = fails.iloc[0]
    assert (f.expected, f.actual, f.difference, f.severity) == (implied, printed, 10.0, "warning")
    assert "2023-tongcheng-renshe 第 229 行（第 15 页）" in f.evidence and "2022-tongcheng-renshe 第 229 行（第 15 页）" in f.evidence
    passed = c[c["status"].eq("pass")].set_index("subject")
    assert passed.loc["一 收支总计", "actual"] == 2603.07
    assert passed.loc["九（一） 三公经费", "expected"] == 25.40 and passed.loc["十 机关运行经费", "expected"] == 158.20
    text = crossyear.findings(c)
    assert "相差 +10.00 万元" in text[0] and text[-1] == "共核对 10 项：一致 9，不一致 1，上年公开未列 0。"


def test_consistent_prior_gives_no_finding_and_missing_items_are_not_assessable(docs, tmp_path):
    clean = juesuan.load(g.write(tmp_path, "2022-clean", g.prior_year(mismatch=False)))
    c = crossyear.check(docs["current"], [clean])
    assert c["status"].eq("pass").all() and len(c) == 10
    cut = dataclasses.replace(clean, figures=clean.figures[~clean.figures["item"].eq("机关运行经费")])
    c = crossyear.check(docs["current"], [cut])
    assert c.set_index("subject").loc["十 机关运行经费", "status"] == "not_assessable"


def test_cross_year_needs_the_year_just_before(docs):
    older = dataclasses.replace(docs["prior"], document=docs["prior"].document.assign(year=2021))
    assert crossyear.check(docs["current"], [older]).empty
    assert crossyear.findings(crossyear.check(docs["current"], []))[0].startswith("没有上一年度的公开")


def test_report_with_prior_end_to_end(county, tmp_path):
    import html
    import re

    out = tmp_path / "reports"
    r = run("report", county["current"], "--prior", county["prior"], "--out", out)
    assert r.returncode == 0, r.stderr
    pages = {p.name: p.read_text(encoding="utf-8") for p in (out / "2023-tongcheng-renshe").glob("*.html")}
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ",
                                                                              pages["01_yoy_change.html"], flags=re.S))))
    mismatch = text[text.index("跨年度一致性"):]
    assert "2022 年公开 2022-tongcheng-renshe 第 229 行（第 15 页）（五（一））：2613.07" in mismatch
    assert "更名项目（按名称相似和预算数匹配）：企业退休干部生活补贴 → 企业退休干部津补贴" in text
    assert "新增项目：城乡居民养老保险运行经费。" in text and "取消项目：职业技能提升补贴。" in text
    labels = re.findall(r'"x":\[([^]]*)\]', pages["01_yoy_change.html"])  # the waterfalls' bars
    assert any(x.startswith('"2022 年合计"') and x.endswith('"2023 年合计"') for x in labels), labels
    assert not any("large" in x for x in labels)
    assert "05_departments.html" in pages and "部门间对比" in pages["05_departments.html"]
