"""The indicator-row grammar on small synthetic tables: each case is a way real extractors break rows."""

from juesuan import schemas
from juesuan.extract.performance import parse_indicator_rows, parse_project
from juesuan.read.lines import Line


def lines(text: str) -> list[Line]:
    return [Line(i, 1 + i // 50, t) for i, t in enumerate(text.split("\n"), 1)]


def rows(text: str) -> list[tuple]:
    warns: list = []
    out = parse_indicator_rows(lines(text), warns)
    return [(r["level1"], r["level2"], r["level3"], r["target_raw"], r["actual_raw"], r["score"]) for r in out]


def test_one_row_per_line():
    assert rows("产出指标 数量指标 鉴定例数 100 例 126 例 5") == [("产出指标", "数量指标", "鉴定例数", "100例", "126例", 5.0)]


def test_wrapped_labels_values_and_lonely_score():
    text = "满意\n度指\n标\n服务对象满\n意度\n参保人员满意\n度\n≥90% ≥97% 20\n解决欠薪 2547.2077 万元\n2547.2077 万\n元\n5"
    assert rows(text) == [
        ("满意度指标", "服务对象满意度", "参保人员满意度", "≥90%", "≥97%", 20.0),
        ("满意度指标", "服务对象满意度", "解决欠薪", "2547.2077万元", "2547.2077万元", 5.0),
    ]


def test_operator_and_number_on_their_own_lines():
    text = "产出指标\n成本指标 待遇及时足额发放\n≤\n1785.88\n万元\n1785.88 万 10"
    assert rows(text) == [("产出指标", "成本指标", "待遇及时足额发放", "≤1785.88万元", "1785.88万", 10.0)]


def test_number_above_100_is_a_value_not_a_score():
    text = "数量指标 保障到龄人员待遇\n1785.88\n万\n1785.88 万 1"
    assert rows(text)[0][3:] == ("1785.88万", "1785.88万", 1.0)


def test_qualitative_cells_and_a_date_like_target():
    assert rows("时效指标 完成时效 12 月底前 12 月底前 2\n效益指标 社会效益指标 群众获得感 明显提高 明显提高 10") == [
        (None, "时效指标", "完成时效", "12月底前", "12月底前", 2.0),
        ("效益指标", "社会效益指标", "群众获得感", "明显提高", "明显提高", 10.0),
    ]


def test_cost_indicator_is_level1_only_when_a_level2_follows():
    assert rows("成本指标 经济成本指标 单位成本 ≤5 万元 5 万元 10")[0][:3] == ("成本指标", "经济成本指标", "单位成本")
    assert rows("产出指标 数量指标 a 1 个 1 个 5\n成本指标 项目成本控制 ≤5 万元 5万元 10")[1][:3] == ("产出指标", "成本指标", "项目成本控制")


def test_header_debris_from_a_page_break_is_dropped():
    text = "产出指标 数量指标 a 1 个 1 个 5\n 分）\n质量指标 合格率 100% 100% 5"
    assert rows(text)[1][:3] == ("产出指标", "质量指标", "合格率")


def test_project_header_fields_and_budget_row():
    text = """项目名称 示例项目
主管部门 某某局 项目实施单位
某某
中心
项目类别
1、一般公共预算 □ 2、政府性基金预算项目 ☑
项目属性 1、持续性项目 □ 2、新增性项目 √
项目类型 1、常年性项目 □ 2、延续性项目 □ 3、一次性项目 √
预算执行情况（万元） 预算数（A) 执行数(B) 执行率(B/A) 得分（20 分*执行率）
年度财政资金总额 50 45 90.00 18
一级指标 二级指标 三级指标 年初目标值（A) 实际完成值(B) 得分
产出指标 数量指标 培训人数 100 人 80 人 12
总分 90
偏差大或目标未完成原因分析
培训人数未达目标。
改进措施及结果应用方案
无"""
    project, indicators = parse_project(lines(text), 1, [])
    assert project["project_name"] == "示例项目"
    assert (project["competent_dept"], project["implementing_unit"]) == ("某某局", "某某中心")
    assert (project["category"], project["attribute"], project["project_type"]) == ("政府性基金预算项目", "新增性项目", "一次性项目")
    assert (project["budget_wan"], project["executed_wan"], project["exec_rate_pct"], project["exec_score"]) == (50, 45, 90, 18)
    assert (project["total_score"], project["deviation_reason"], project["improvement"]) == (90, "培训人数未达目标。", "无")
    assert [(r["target_value"], r["actual_value"], r["score"]) for r in indicators] == [(100, 80, 12)]


def test_level1_cell_cut_by_a_layout_extractor():
    """pdftotext -layout style: "产出" on the row's line, the rest of the cell ("指标") before the next row."""
    text = "产出    数量指标    鉴定例数    100 例    126 例    5\n指标    质量指标    准确率    100%    100%    5\n满意    满意度指标    服务对象满意度    ≥90%    ≥96%    10\n度指\n标"
    assert [r[:3] for r in rows(text)] == [
        ("产出指标", "数量指标", "鉴定例数"),
        ("产出指标", "质量指标", "准确率"),
        ("满意度指标", "满意度指标", "服务对象满意度"),
    ]


def test_department_table_without_numbered_goals():
    from juesuan.extract.performance import extract_performance

    text = """一、部门整体支出绩效自评表
单位名称：某某局
基本支出总额 100 项目支出总额 50
预算执行情况（万元） 预算数（A) 执行数(B) 执行率(B/A) 得分（20 分*执行率）
部门整体支出总额 150 150 100.00 20
年度总体目标 完成各项工作
一级指标 二级指标 三级指标 年初目标值（A) 实际完成值(B) 得分
产出指标 数量指标 办理案件数 100 件 120 件 40
满意度指标 满意度指标 服务对象满意度 ≥90% ≥95% 40
总分 100"""
    frames, summary, warns = extract_performance(lines(text), 0, len(text.split("\n")), "t")
    ind = schemas.frame("indicators", frames["indicators"])
    assert list(ind.level3) == ["办理案件数", "服务对象满意度"]
    assert set(ind.scope) == {"department"} and ind.goal_no.isna().all()
    assert (summary["dept_basic_wan"], summary["dept_budget_wan"], summary["dept_total_score"]) == (100, 150, 100)


def test_execution_rate_printed_with_a_percent_sign():
    text = """项目名称 某某项目
主管部门 某某局 实施单位 某某中心
预算执行情况（万元） 预算数（A) 执行数(B) 执行率(B/A) 得分（20 分*执行率）
年度财政资金总额 30 27 90.00% 18
一级指标 二级指标 三级指标 年初目标值（A) 实际完成值(B) 得分
产出指标 数量指标 办理案件数 100 件 120 件 40
总分 98"""
    project, rows = parse_project(lines(text), 1, [])
    assert (project["budget_wan"], project["executed_wan"], project["exec_rate_pct"], project["exec_score"]) == (30, 27, 90, 18)
    assert project["total_score"] == 98 and len(rows) == 1


NATIONAL = """项目支出绩效自评表
（2023年度）
项目名称 农村公路养护
主管部门 某县交通运输局 实施单位 某县公路事务中心
项目资金（万元） 年初预算数 全年预算数 全年执行数 分值 执行率 得分
年度资金总额 200 200 180 10 90% 9
其中：当年财政拨款 200 200 180 — — —
上年结转资金 — — — — — —
年度总体目标 预期目标 实际完成情况
完成农村公路养护 200 公里 完成养护 180 公里
绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改
进措施
产出指标 数量指标 养护里程 ≥200 公里 180 公里 20 18 部分路段因汛期
推迟施工，下年度优先安排
质量指标 路面合格率 ≥90% 95% 15 15
时效指标 完成时限 12 月底前 12 月底前 5 5
成本指标 经济成本指标 每公里养护成本 ≤1 万元 1 万元 10 10
效益指标 社会效益指标 群众出行条件 明显改善 明显改善 30 30
满意度指标 服务对象满意度指标 沿线群众满意度 ≥90% 93% 10 8.5 个别路段施工扰民
总分 100 95.5"""


def test_national_form_project_table():
    """财预〔2020〕10号 layout: 年初/全年预算数, 分值 per line, 偏差原因 per indicator row (wrapped below it)."""
    warns: list = []
    project, rows = parse_project(lines(NATIONAL), 1, warns)
    # the wrapped 偏差原因 is read as the row's above, and said so; 分值 and scores add up (no other warning)
    assert [(w.message, w.source_line) for w in warns] == [("text between rows read as the 偏差原因 above it: 推迟施工，下年度优先安排", 15)]
    assert {k: project[k] for k in ("initial_budget_wan", "budget_wan", "executed_wan", "exec_rate_pct", "exec_weight",
                                    "exec_score", "total_score")} == {
        "initial_budget_wan": 200, "budget_wan": 200, "executed_wan": 180, "exec_rate_pct": 90, "exec_weight": 10,
        "exec_score": 9, "total_score": 95.5}
    got = [(r["level1"], r["level2"], r["level3"], r["target_raw"], r["actual_raw"], r["weight"], r["score"], r["deviation"])
           for r in rows]
    assert got == [
        ("产出指标", "数量指标", "养护里程", "≥200公里", "180公里", 20, 18, "部分路段因汛期推迟施工，下年度优先安排"),
        ("产出指标", "质量指标", "路面合格率", "≥90%", "95%", 15, 15, None),
        ("产出指标", "时效指标", "完成时限", "12月底前", "12月底前", 5, 5, None),
        ("成本指标", "经济成本指标", "每公里养护成本", "≤1万元", "1万元", 10, 10, None),
        ("效益指标", "社会效益指标", "群众出行条件", "明显改善", "明显改善", 30, 30, None),
        ("满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥90%", "93%", 10, 8.5, "个别路段施工扰民"),
    ]


def test_hubei_form_prints_no_weight_or_row_deviation():
    project, rows = parse_project(lines("""项目名称 某某项目
预算执行情况（万元） 预算数（A) 执行数(B) 执行率(B/A) 得分（20 分*执行率）
年度财政资金总额 30 30 100.00 20
一级指标 二级指标 三级指标 年初目标值（A) 实际完成值(B) 得分
产出指标 数量指标 办理案件数 100 件 120 件 40
总分 100"""), 1, [])
    assert (project["exec_weight"], project["initial_budget_wan"], project["total_score"]) == (20, None, 100)
    assert [(r["weight"], r["deviation"], r["score"]) for r in rows] == [(None, None, 40)]


def test_sichuan_form_weights_and_separate_operator_and_unit_cells():
    """指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分; the 执行率 weight printed in the header "(10分)"."""
    text = """项目名称 城乡居民医疗救助
预算执行情况（万元）（10分） 预算数 执行数 执行率 得分
年度资金总额 500 480 96% 9.6
一级指标 二级指标 三级指标 指标性质 指标值 度量单位 完成值 权重 得分
产出指标 数量指标 救助人次 ≥ 3000 人次 3200 20 20
成本指标 经济成本指标 人均救助标准 ≤ 1500 元 1450 10 10
满意度指标 服务对象满意度指标 救助对象满意度 ≥ 90 % 88 20 19.6
总分 99.2"""
    project, rows = parse_project(lines(text), 1, [])
    assert (project["budget_wan"], project["exec_weight"], project["exec_score"], project["total_score"]) == (500, 10, 9.6, 99.2)
    assert [(r["level3"], r["target_op"], r["target_value"], r["target_unit"], r["actual_value"], r["weight"], r["score"])
            for r in rows] == [("救助人次", "≥", 3000, "人次", 3200, 20, 20), ("人均救助标准", "≤", 1500, "元", 1450, 10, 10),
                               ("救助对象满意度", "≥", 90, "%", 88, 20, 19.6)]


def _national(rows: str, total: str = "总分 100 100") -> tuple[dict, list[dict], list[str]]:
    head = "\n".join(NATIONAL.split("\n")[:12])  # project header … indicator header
    warns: list = []
    project, parsed = parse_project(lines(f"{head}\n{rows}\n{total}"), 1, warns)
    return project, parsed, [w.message for w in warns]


def test_national_form_rows_that_do_not_add_up_are_reported():
    # a 偏差原因 starting with a number ran the two rows together: the totals give it away
    _, rows, warns = _national("产出指标 数量指标 养护里程 ≥200 公里 180 公里 60 54 2023年汛期较长\n"
                               "质量指标 路面合格率 ≥90% 95% 30 30", "总分 100 93")
    assert [(r["level3"], r["score"], r["deviation"]) for r in rows] == [("养护里程", 54, "2023年汛期较长"), ("路面合格率", 30, None)]
    assert warns == []
    _, rows, warns = _national("产出指标 数量指标 养护里程 ≥200 公里 180 公里 60 54\n质量指标 路面合格率 ≥90% 95% 20 20",
                               "总分 100 93")
    assert warns == ["project table 1: 执行率得分 + indicator scores = 83 but 总分 = 93 (a row merged, split or missing?)",
                     "project table 1: 分值 add up to 90, not 100 (a row merged, split or missing?)"]


def test_national_form_page_numbers_repeated_headers_and_placeholders():
    _, rows, warns = _national("产出指标 数量指标 养护里程 ≥200 公里 200 公里 60 60 —\n12\n"
                               "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施\n"
                               "质量指标 路面合格率 ≥90% 95% 30 30 /", "总分 100 99")
    assert [(r["level2"], r["level3"], r["score"], r["deviation"]) for r in rows] == [
        ("数量指标", "养护里程", 60, None), ("质量指标", "路面合格率", 30, None)]
    assert warns == ["lone number between indicator rows ignored: 12"]


def test_a_value_caught_in_a_label_is_reported():
    _, rows, warns = _national("产出指标 数量指标 养护里程 ≥200 公里\n12\n180 公里 60 54\n质量指标 路面合格率 ≥90% 95% 30 30",
                               "总分 100 93")
    assert rows[0]["level3"] == "养护里程≥200公里"  # as read; the warning tells the auditor to look
    assert "indicator label looks like it holds other cells: 养护里程≥200公里" in warns
