"""The defect classes reviewers report first (issue 11), injected into copies of the bundled samples: each copy
must raise the finding pinned here, and the untouched samples none of them where the identity holds.

The seed is edited as text. For the Shanghai PDFs the text the reader produced is edited where a class concerns
words (the checks that read words read it through the document's source path); where it concerns the nine tables
the sample is drawn again as a PDF with the defect (tests/pdfcorpus/defects.py) and parsed end to end, and the
defect drawing must raise exactly the pinned findings beyond those of the undefected drawing."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

import juesuan
from juesuan.checks import findings, headlines, main, run_checks
from juesuan.config import DATA_RAW
from juesuan.extract.figures import extract_section
from juesuan.read import read_source
from juesuan.read.lines import Line
from juesuan.segment import Passage
from pdfcorpus import BY_NAME
from pdfcorpus.defects import DEFECTS_BY_NAME, THREE_PUBLIC

SEED = DATA_RAW / "2023-tongcheng-renshe.txt"
CAIZHENGJU = DATA_RAW / "2024-shanghai-putuo-caizhengju.pdf"
GUIHUA = DATA_RAW / "2024-shanghai-putuo-guihuaziyuanju.pdf"


def seed_edited(tmp_path, *edits: tuple[str, str]) -> pd.DataFrame:
    """The checks of a copy of the seed with each `old` (printed once) replaced by `new`."""
    text = SEED.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / SEED.name
    path.write_text(text, encoding="utf-8")
    return run_checks(juesuan.load(path))


@pytest.fixture(scope="module")
def pdfs() -> dict[str, juesuan.Disclosure]:
    return {p.name: juesuan.load(p) for p in (CAIZHENGJU, GUIHUA)}


def pdf_text_edited(tmp_path, d: juesuan.Disclosure, pdf, *edits: tuple[str, str]) -> pd.DataFrame:
    """The checks of a Shanghai PDF whose text (as the reader produced it, one page per form feed) was edited:
    each `old` is replaced by `new` in the last line that holds it (the body comes after the contents page),
    compared without spaces (how a reader spaces a line is not the point)."""
    lines = read_source(pdf).lines
    texts = [ln.text for ln in lines]
    for old, new in edits:
        hits = [i for i, t in enumerate(texts) if old in t.replace(" ", "")]
        assert hits, old
        texts[hits[-1]] = texts[hits[-1]].replace(" ", "").replace(old, new)
    pages: dict[int, list[str]] = {}
    for ln, t in zip(lines, texts, strict=True):
        pages.setdefault(ln.page, []).extend([t] if t else [])
    path = tmp_path / f"{pdf.stem}.txt"
    path.write_text("\f".join("\n".join(pages.get(p, [])) for p in range(1, max(pages) + 1)), encoding="utf-8")
    edited = juesuan.Disclosure(**{"doc_id": d.doc_id, **d.tables()})
    edited.document = d.document.assign(source_path=str(path))
    return run_checks(edited)


def failed(c: pd.DataFrame, rule_id: str) -> pd.DataFrame:
    return c[(c["rule_id"] == rule_id) & (c["status"] == "fail")]


def one(c: pd.DataFrame, rule_id: str, part: str) -> pd.Series:
    f = failed(c, rule_id)
    hit = f[f["subject"].str.contains(part, regex=False)]
    assert len(hit) == 1, f"{rule_id} {part}: {f[['subject', 'severity']].to_string()}"
    return hit.iloc[0]


@pytest.fixture(scope="module")
def seed_checks(seed) -> pd.DataFrame:
    return run_checks(seed)


# ── 1. completeness against the document's own contents ─────────────────────────────────────────────


def test_contents_page_entries_missing_from_the_body(tmp_path, pdfs):
    d = pdfs[CAIZHENGJU.name]
    assert failed(run_checks(d), "C01").empty  # untouched: all 27 entries of the 目录 are in the body
    c = pdf_text_edited(tmp_path, d, CAIZHENGJU, ("财政拨款“三公”经费支出决算表", ""), ("十、预算绩效管理情况", ""))
    table = one(c, "C01", "七、财政拨款“三公”经费支出决算表")
    assert table["severity"] == "error" and table["finding"].endswith("正文中却没有（第2页）。")  # the 目录's page
    assert one(c, "C01", "十、预算绩效管理情况")["severity"] == "error"
    assert len(failed(c, "C01")) == 2


def test_contents_page_part_printed_without_its_ordinal_is_present(pdfs):
    # the 2024 Shanghai template heads the tables "上海市××局2024年度部门决算表" without 第二部分 (page 7 here)
    c = run_checks(pdfs[GUIHUA.name])
    part = c[(c["rule_id"] == "C01") & c["subject"].str.contains("第二部分")].iloc[0]
    assert part["status"] == "pass" and "第7页" in part["evidence"]


def test_required_table_missing(tmp_path, seed_checks):
    assert (seed_checks[seed_checks["rule_id"] == "C02"]["status"] == "pass").all()  # 9 titles (images)
    c = seed_edited(tmp_path, ("九、财政拨款“三公”经费支出决算表", ""))
    r = one(c, "C02", "财政拨款“三公”经费支出决算表")
    assert r["severity"] == "error" and "没有" in r["finding"]


# ── the classes that concern the nine tables: drawn as PDFs (tests/pdfcorpus/defects.py), parsed end to end ──

TEMPLATE = Path("/work/shared/samples/2024-shanghai-template.pdf")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """The checks of a corpus drawing (a defect, or the undefected `caizhengju-grids`), each drawn and parsed once."""
    directory = tmp_path_factory.mktemp("defects")

    @cache
    def checks(name: str) -> pd.DataFrame:
        return run_checks(juesuan.load((DEFECTS_BY_NAME.get(name) or BY_NAME[name]).write(directory)))

    return checks


def _failures(c: pd.DataFrame) -> dict[tuple[str, str, str], pd.Series]:
    f = c[c["status"] == "fail"]
    return {(r["rule_id"], r["subject"], r["severity"]): r for _, r in f.iterrows()}


def defect_findings(drawn, name: str) -> dict[tuple[str, str, str], pd.Series]:
    """What the defect drawing raises beyond the undefected drawing; it must lose none of the latter's findings."""
    base, got = _failures(drawn("caizhengju-grids")), _failures(drawn(name))
    assert set(base) <= set(got), sorted(set(base) - set(got))
    return {k: v for k, v in got.items() if k not in base}


def test_the_undefected_drawing_raises_what_the_original_raises(drawn, pdfs):
    assert set(_failures(drawn("caizhengju-grids"))) == set(_failures(run_checks(pdfs[CAIZHENGJU.name])))


def test_table_printed_with_headers_only_beside_narrative_amounts(drawn):
    new = defect_findings(drawn, "caizhengju-three-public-bare")
    assert list(new) == [("C03", THREE_PUBLIC, "error")]
    r = new[("C03", THREE_PUBLIC, "error")]
    # 七（一）: “三公”经费财政拨款支出年初预算为 0.95 万元 (p. 23); the headers on p. 18
    assert (r["actual"], r["amount_at_stake_wan"]) == (0.95, 0.95)
    assert f"{THREE_PUBLIC}(表头) (原文, 行320, 第18页)" in r["evidence"] and "第23页" in r["evidence"]
    assert "只印了表头" in r["finding"] and r["finding"].endswith("（第18、23页）。")
    c02 = drawn("caizhengju-three-public-bare").query("rule_id == 'C02' and subject == @THREE_PUBLIC").iloc[0]
    assert (c02["status"], c02["evidence"]) == ("pass", "有标题与表头, 无数值, 见 C03")  # not "空表并有说明"


def test_headers_only_without_narrative_amounts_is_a_warning():
    c = run_checks(juesuan.load(TEMPLATE))  # the empty template: seven bare tables, 表7/表8 with their notes
    c03 = failed(c, "C03")
    assert set(c03["severity"]) == {"warning"} and len(c03) == 7
    assert not c03["subject"].isin(["政府性基金预算财政拨款收入支出决算表", "国有资本经营预算财政拨款收入支出决算表"]).any()
    assert one(c, "C03", THREE_PUBLIC)["finding"].endswith("没有数值，也没有“本表无数据”的说明（第12页）。")


def test_table_listed_in_the_contents_but_missing_from_the_body(drawn):
    new = defect_findings(drawn, "caizhengju-three-public-dropped")
    entry = f"目录所列 七、{THREE_PUBLIC}"
    assert sorted(new) == [("C01", entry, "error"), ("C02", THREE_PUBLIC, "error")]
    r = new[("C01", entry, "error")]
    assert r["evidence"].startswith(f"目录: 七、{THREE_PUBLIC} (目录, 行14, 第2页)")
    assert r["finding"].endswith("正文中却没有（第2页）。")
    assert "既无表也无“本表无数据”说明" in new[("C02", THREE_PUBLIC, "error")]["finding"]


def test_required_table_missing_from_the_body_and_the_contents(drawn):
    new = defect_findings(drawn, "caizhengju-three-public-unlisted")
    assert list(new) == [("C02", THREE_PUBLIC, "error")]
    c01 = drawn("caizhengju-three-public-unlisted").query("rule_id == 'C01'")
    assert (c01["status"] == "pass").all() and c01["subject"].str.startswith("目录所列 八、国有资本经营").any()
    assert len(c01) == len(drawn("caizhengju-grids").query("rule_id == 'C01'")) - 1


def test_table_amount_restated_with_a_slipped_decimal_point(drawn):
    new = defect_findings(drawn, "caizhengju-three-public-slipped")
    assert list(new) == [("S13", "说明.三公经费预算 = 表9", "error")]  # the table adds up: S12 holds
    r = new[("S13", "说明.三公经费预算 = 表9", "error")]
    assert (r["expected"], r["actual"], r["amount_at_stake_wan"]) == (9.5, 0.95, 8.55)
    assert r["evidence"].startswith("表9.合计.预算数=9.5 (第18页); 三公经费预算=0.95 (说明七（一）, 行428, 第23页)")
    assert "相差正好 10 倍，疑为小数点错位" in r["finding"] and r["finding"].endswith("（第18、23页）。")


def test_table_cell_with_two_digits_swapped(drawn):
    new = defect_findings(drawn, "caizhengju-expenditure-transposed")
    row, kuan = ("S06", "表3 信息化建设: 本年支出合计 = Σ栏", "error"), ("S07", "表3 20106 财政事务.项目支出 = Σ下级", "error")
    assert sorted(new) == [row, kuan]
    assert [(new[k]["difference"], new[k]["amount_at_stake_wan"]) for k in (row, kuan)] == [(-18.0, 18.0), (-18.0, 18.0)]
    assert "表3.信息化建设.项目支出=153.25 (第10页)" in new[row]["evidence"]
    assert new[kuan]["evidence"].startswith("表3.财政事务.项目支出=603.14 (第10页)")
    assert new[kuan]["finding"].endswith("相差 18.00 万元（第10页）。")


# ── 2. direction words against the amounts ───────────────────────────────────────────────────────────


def test_direction_words_hold_on_the_samples(seed_checks, pdfs):
    for c in (seed_checks, *(run_checks(d) for d in pdfs.values())):
        assert failed(c, "D01").empty and failed(c, "D02").empty
        assert (c["rule_id"] == "D01").sum() >= 5  # every numbered item of 五（三） and the 三公 items are read


def test_smaller_than_the_budget_while_larger(tmp_path):
    c = seed_edited(tmp_path, ("支出决算数大于年初预算数", "支出决算数小于年初预算数"))
    r = one(c, "D01", "决算数小于年初预算数")
    assert (r["severity"], r["difference"], r["amount_at_stake_wan"]) == ("error", 453.99, 453.99)
    assert "2,820.06 万元" in r["finding"] and "多于预算 453.99 万元" in r["finding"]


def test_roughly_equal_while_17_percent_apart(tmp_path, pdfs):
    c = pdf_text_edited(tmp_path, pdfs[CAIZHENGJU.name], CAIZHENGJU,
                        ("年初预算为10.00万元，支出决算为10.00万元。", "年初预算为12.00万元，支出决算为10.00万元。"))
    r = one(c, "D01", "一般行政管理事务")
    assert (r["severity"], r["difference"]) == ("error", -2.0) and "基本持平" in r["subject"]


def test_change_word_against_the_completion_percent(tmp_path):
    c = seed_edited(tmp_path, ("比年初预算减少 7.7 万元", "比年初预算增加 7.7 万元"))
    r = one(c, "D01", "公务用车运行费")  # 完成年初预算的 46 % yet 比年初预算增加
    assert r["severity"] == "error" and "方向相反" in r["finding"]


def test_level_words_against_the_change(tmp_path):
    c = seed_edited(tmp_path, ("万元，比 2022 年度决算数增加 216.99 万元。增", "万元，比 2022 年度决算数增加 0 万元。增"))
    assert one(c, "D02", "增加0万元")["severity"] == "warning"
    c = seed_edited(tmp_path, ("支出合计增加 216.99 万元，增长 8 %", "支出合计持平，增加 216.99 万元，增长 8 %"))
    r = one(c, "D02", "支出合计持平”")
    assert r["severity"] == "error" and "持平" in r["finding"]


# ── 3. identity of the document ──────────────────────────────────────────────────────────────────────


def test_wrong_years(tmp_path, seed_checks):
    assert failed(seed_checks, "Y01").empty
    c = seed_edited(tmp_path, ("第三部分 2023 年度部门决算情况说明", "第三部分 2022 年度部门决算情况说明"),
                    ("均为 2820.06 万元。与 2022 年度", "均为 2820.06 万元。与 2021 年度"),
                    ("截至 2023 年 12 月 31 日，部门共有车辆", "截至 2022 年 12 月 31 日，部门共有车辆"))
    f = failed(c, "Y01")
    assert set(f["severity"]) == {"error"}
    assert {(s.split(":")[0], e, a) for s, e, a in zip(f["subject"], f["expected"], f["actual"], strict=True)} >= {
        ("部分标题", 2023, 2022), ("比较年度", 2022, 2021), ("截至日期", 2023, 2022)}


def test_department_name(tmp_path, seed_checks, pdfs):
    abbr = failed(seed_checks, "Y02")  # 通城县人社局 for 通城县人力资源和社会保障局: an abbreviation, info
    assert abbr[["subject", "severity"]].values.tolist() == [["简称“通城县人社局”", "info"]]
    assert failed(run_checks(pdfs[CAIZHENGJU.name]), "Y02").empty
    # the real sample: 规划与 (p. 26) and the city bureau's name without 普陀区 over its tables (p. 7)
    real = failed(run_checks(pdfs[GUIHUA.name]), "Y02")
    assert sorted(real["subject"]) == ["名称“上海市普陀区规划与自然资源局”", "名称“上海市规划和自然资源局”"]
    assert set(real["severity"]) == {"warning"}
    c = pdf_text_edited(tmp_path, pdfs[CAIZHENGJU.name], CAIZHENGJU,
                        ("上海市普陀区财政局2024年度无政府性基金", "上海市普陀区税务局2024年度无政府性基金"))
    assert one(c, "Y02", "上海市普陀区税务局")["severity"] == "warning"


def test_template_placeholders(tmp_path, seed_checks):
    assert failed(seed_checks, "Y03").empty
    c = seed_edited(tmp_path, ("6、通城县劳动保障监察局", "6、XX局"), ("7、劳动保障监察执法办案经费", "7、。。。"),
                    ("一是增加劳务派遣及公益性岗位人员工资经费；二是补发\n", "一是增加劳务派遣及公益性岗位人员工资经费（如持平作持平表述）；二是补发\n"))
    f = failed(c, "Y03")
    assert set(zip(f["subject"].str.split(" ").str[1], f["severity"], strict=True)) == {
        ("占位符“XX”", "error"), ("占位符“。。。”", "error"), ("模板说明“如持平作持平表述”", "warning")}


# ── 4. order and numbering ───────────────────────────────────────────────────────────────────────────


def test_numbering_holds_on_the_samples(seed_checks, pdfs):
    for c in (seed_checks, *(run_checks(d) for d in pdfs.values())):
        assert failed(c, "O01").empty
        assert (c[c["rule_id"] == "O01"]["status"] == "pass").sum() >= 5


def test_sections_out_of_order_repeated_or_skipped(tmp_path):
    c = seed_edited(tmp_path, ("七、政府性基金预算财政拨款收入支出决算情况说明", "八、政府性基金预算财政拨款收入支出决算情况说明"),
                    ("八、国有资本经营预算财政拨款支出决算情况说明", "七、国有资本经营预算财政拨款支出决算情况说明"),
                    ("5、企业职工劳动合同鉴定费", "4、企业职工劳动合同鉴定费"))
    subjects = set(failed(c, "O01")["subject"])
    assert {"情况说明一级标题: 缺少序号七、（“八”前）", "情况说明一级标题: “七”出现在“八”之后，顺序颠倒",
            "情况说明十三（二）下的编号: 序号“4”重复"} <= subjects
    assert set(failed(c, "O01")["severity"]) == {"warning"}


# ── 5. zero bases and the basis of a percentage ──────────────────────────────────────────────────────


def test_growth_over_a_zero_prior_year_is_an_error(tmp_path):
    c = seed_edited(tmp_path, ("比年初预算数增加 23.64 万元，增长 16%", "比上年增加 169.84 万元，增长 100%"))
    r = one(c, "N14", "机关运行经费")
    assert (r["severity"], r["expected"], r["actual"], r["amount_at_stake_wan"]) == ("error", 0, 100, 169.84)
    assert "上年为 0 时增长率无意义" in r["finding"]


def test_full_year_and_adjusted_budgets_are_their_own_measures():
    text = "1.因公出国(境)费年初预算为0万元，全年预算为5万元，支出决算为4万元。2.公务接待费调整预算为3万元，支出决算为3万元。"
    rows = extract_section(Passage([Line(1, 1, text)]), "九（二）", "t", [])
    assert [(r["item"], r["measure"], r["value"]) for r in rows if "预算" in r["evidence"][:40] and r["value"]] == [
        ("因公出国(境)费", "budget_full", 5.0), ("因公出国(境)费", "actual", 4.0),
        ("公务接待费", "budget", 3.0), ("公务接待费", "actual", 3.0)]  # a lone 调整预算 is the item's budget


def test_percent_of_a_zero_initial_budget_names_the_basis_used(tmp_path, seed_checks):
    zero = failed(seed_checks, "N17")  # the seed: 0 budget, 0 actual, "完成预算的 0 %" — boilerplate, a warning
    assert set(zero["severity"]) == {"warning"} and len(zero) == 2
    c = seed_edited(tmp_path, ("1.因公出国(境)费预算为 0 万元，支出决算为 0 万", "1.因公出国(境)费年初预算为 0 万元，全年预算为 5 万元，支出决算为 4 万"),
                    ("元，完成预算的 0 %，比预算增加(减少) 0 万元，主要原", "元，完成年初预算的 80 %，主要原"))
    r = one(c, "N17", "因公出国(境)费")
    assert (r["severity"], r["actual"], r["amount_at_stake_wan"]) == ("error", 80, 4)
    assert "实为决算 4.00 万元占全年预算 5.00 万元的比例" in r["finding"]


# ── 6. the same fact stated twice ────────────────────────────────────────────────────────────────────


def test_fund_gap_restated_with_a_slipped_decimal_point(seed_checks):
    # p. 47: "弥补工伤保险基金缺口73万" — the 部门整体 table (p. 36) says 730 万, as project 20 does
    r = one(seed_checks, "X10", "弥补工伤保险基金缺口73万")
    assert (r["severity"], r["expected"], r["actual"], r["amount_at_stake_wan"]) == ("error", 730, 73, 657)
    assert "相差正好 10 倍，疑为小数点错位" in r["finding"] and "第36、47页" in r["finding"]


def test_free_text_restatements_injected(tmp_path):
    c = seed_edited(tmp_path, ("弥补\n\n社会养老保险基金缺口300万及", "弥补\n\n社会养老保险基金缺口30万及"),
                    ("受理劳动仲裁办案案例数201例，完成率100%；", "受理劳动仲裁办案案例数210例，完成率100%；"))
    assert one(c, "X10", "社会养老保险基金缺口30万")["severity"] == "error"
    case = one(c, "X10", "受理劳动仲裁办案案例数210例")
    assert (case["severity"], case["expected"], case["actual"]) == ("warning", 201, 210)


def test_coverage_rate_in_the_narrative_against_the_table(seed_checks):
    # 十三 item 6 says 扩面征缴参保覆盖率 100%; project 6's table gives the actual as "≥90%", the target's words
    r = one(seed_checks, "X10", "扩面征缴参保覆盖率100%")
    assert (r["severity"], r["expected"]) == ("warning", 90) and "≥90%" in r["finding"]


def test_excluded_amount_against_the_parts_it_names(tmp_path, seed_checks):
    same = seed_checks[seed_checks["rule_id"] == "X11"]  # "不含基金项目 37772.3 万元" twice, the same amount
    assert same["status"].tolist() == ["pass"]
    c = seed_edited(tmp_path, ("169.84 万元（不含\n\n下属事业单位）", "169.84 万元（不含公务接待费和公务用车运行费 20 万元）"))
    r = one(c, "X11", "公务接待费、公务用车运行费")  # 15.29 + 6.46 = 21.75
    assert (r["expected"], r["actual"], r["severity"]) == (21.75, 20, "warning")


# ── ranking, grouping and the sentences ──────────────────────────────────────────────────────────────


def test_every_failure_carries_its_amount_and_a_sentence(seed_checks):
    f = seed_checks[seed_checks["status"] == "fail"]
    assert f["amount_at_stake_wan"].notna().all() and (f["amount_at_stake_wan"] >= 0).all()
    assert f["finding"].str.endswith("。").all() and (f["finding"].str.len() > 10).all()
    assert (seed_checks[seed_checks["status"] != "fail"]["finding"] == "").all()


def test_findings_ordered_by_severity_then_amount(seed_checks):
    f = findings(seed_checks)
    order = {"error": 0, "warning": 1, "info": 2}
    keys = list(zip(f["severity"].map(order), -f["amount_at_stake_wan"], strict=True))
    assert keys == sorted(keys)
    warnings = f[f["severity"] == "warning"]
    assert warnings[["rule_id", "amount_at_stake_wan"]].head(2).values.tolist() == [["X06", 21192.53], ["P14", 737.21]]


def test_the_same_indicator_in_the_department_and_a_project_table_is_listed_once(seed_checks):
    p07 = findings(seed_checks).query("rule_id == 'P07'")
    contracts = p07[p07["subject"].str.contains("鉴证劳动合同份数")]
    assert contracts[["subject", "group_size", "also"]].values.tolist() == [
        ["为用人单位鉴证劳动合同份数", 2, "2023年鉴证劳动合同份数"]]
    assert len(p07) < len(failed(seed_checks, "P07")) == 13


def test_check_command_opens_with_the_top_findings(capsys):
    assert main([str(SEED)]) == 1  # the slipped decimal point is an error
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "主要发现（按严重程度与涉及金额排序）："
    assert out[2].startswith("  1. 错误：自评报告写“弥补工伤保险基金缺口73万”")
    assert out[3].startswith("  2. 警告：项目自评资金 21,468.30 万元，是一般公共预算项目支出 275.77 万元的 77.8 倍")


def test_headlines_of_the_shanghai_samples(pdfs):
    top = headlines(run_checks(pdfs[CAIZHENGJU.name]), 2)
    assert top[0].startswith("错误：情况说明四称财政拨款收入支出总计 0.30 万元，表4为 2,961.68 万元，相差 2,961.38 万元")
    assert top[1].startswith("错误：一般公共服务支出(类)占比 印为 71.73%")
