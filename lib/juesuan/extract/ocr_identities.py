"""A table's own identities, used to decide whether a number read by OCR can be trusted.

A recogniser can be sure and still wrong (8 read as 6, a dropped digit). The nine tables say most of their
numbers twice: a row's 合计 is the sum of its columns, a 类 is the sum of its 款, a 款 of its 项, the 合计 row
of the 类 rows, 本年收入合计 of the numbered items, 总计 of 本年合计 and the carry-overs, and the two panels'
总计 agree. An OCR number that fails an identity and is confirmed by none is reported as unsure (a warning
naming its page, line and cell), not used: it is a misreading or a misprint, and OCR cannot tell which.
A number read below the confidence threshold is used only when an identity confirms it (an exact sum is far
stronger evidence than the recogniser's probability); otherwise it is reported the same way. A number read
with confidence that is part of no identity keeps its value and its confidence. Text-layer numbers are never
judged here; the consistency checks (juesuan.checks) report on them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from ..config import OCR
from ..read.lines import Warn

STAGE = "extract:statements"
UNSURE = "_unsure"  # a record OCR was unsure of: reported already; identities it is part of are not judged
# a number read below the confidence threshold (its text): used only when an identity confirms it
DOUBT = "_doubt"

_TOTAL_COLUMN = re.compile(r"(?:合计|总计)$")
_ORDINAL = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_THIS_YEAR_TOTAL = re.compile(r"^本年(?:收入|支出)合计$")
_THREE_PUBLIC = {
    "合计": ("因公出国（境）费", "公务用车购置及运行费", "公务接待费"),
    "公务用车购置及运行费": ("公务用车购置费", "公务用车运行费"),
}


@dataclass(frozen=True)
class Identity:
    """rows[total] = Σ rows[parts] (indices into one table's records)."""

    name: str
    total: int
    parts: tuple[int, ...]


def verify(title: str, rows: list[dict], warns: list[Warn], to_wan: float = 1.0) -> list[dict]:
    """The table's records without those OCR was unsure of and those failing an identity that no other
    identity confirms; a warning for each of the latter. Tables read from the text layer pass unchanged."""
    if not any(r.get("source") == "ocr" for r in rows):
        return rows
    unsure = {i for i, r in enumerate(rows) if r.get(UNSURE)}
    passed: dict[int, int] = defaultdict(int)
    failed: dict[int, tuple[Identity, float, float]] = {}
    for ident in identities(rows):
        members = (ident.total, *ident.parts)
        if unsure.intersection(members):
            continue
        total = rows[ident.total]["value"]
        parts = sum(rows[i]["value"] for i in ident.parts)
        ok = abs(total - parts) <= _tolerance(len(ident.parts)) * to_wan
        for i in members:
            if ok:
                passed[i] += 1
            else:
                failed.setdefault(i, (ident, total, parts))
    out = []
    for i, r in enumerate(rows):
        if i in unsure:
            continue
        if r.get(DOUBT) and (i in failed or not passed[i]):
            why = f"fails {failed[i][0].name}" if i in failed else "no identity of the table confirms it"
            warns.append(
                Warn(
                    STAGE,
                    f"{title}: OCR unsure of {r[DOUBT]!r} (confidence {r['confidence']:.2f}) in row "
                    f"{_row_name(r)!r}, column {r['column']!r}, and {why}: value not used",
                    r.get("source_line"),
                    r.get("page"),
                )
            )
            continue
        if r.get("source") == "ocr" and i in failed and not passed[i]:
            ident, total, parts = failed[i]
            warns.append(
                Warn(
                    STAGE,
                    f"{title}: OCR read {_fmt(r['value'])} in row {_row_name(r)!r}, column "
                    f"{r['column']!r}, and it fails {ident.name} ({_fmt(total)} ≠ {_fmt(parts)}) with no "
                    "other identity confirming it: a misreading or a misprint, value not used",
                    r.get("source_line"),
                    r.get("page"),
                )
            )
            continue
        r.pop(DOUBT, None)
        out.append(r)
    return out


def _tolerance(k: int) -> float:
    """A sum of k amounts rounded to 0.01 may differ from its rounded total by 0.005·k (config tolerance)."""
    return max(0.01, 0.005 * k) + 1e-6 if k > 1 else 1e-6


def _fmt(value: float) -> str:
    return f"{value:,.2f}"


def _row_name(r: dict) -> str:
    return f"{r.get('subject_code') or ''} {r['row_label']}".strip()


def identities(rows: list[dict]) -> list[Identity]:
    """Every identity the table's records state (blank cells count as 0, so absent parts are no parts)."""
    valid = [
        i
        for i, r in enumerate(rows)
        if not (isinstance(r["value"], float) and math.isnan(r["value"])) or r.get(UNSURE)
    ]
    return [
        *_row_sums(rows, valid),
        *_hierarchy(rows, valid),
        *_item_totals(rows, valid),
        *_panel_totals(rows, valid),
        *_three_public(rows, valid),
    ]


def _panel(r: dict) -> str:
    return r.get("panel") or ""


def _row_sums(rows: list[dict], idx: list[int]) -> list[Identity]:
    """A row's 合计 column = Σ its other columns (no 其中 column, no column that is another's parent)."""
    by_row: dict[tuple, list[int]] = defaultdict(list)
    for i in idx:
        r = rows[i]
        by_row[
            (_panel(r), r["row_label"], r.get("subject_code"), r.get("source_line"), r.get("page"))
        ].append(i)
    out = []
    for members in by_row.values():
        totals = [i for i in members if _TOTAL_COLUMN.search(rows[i]["column"] or "")]
        parts = [i for i in members if i not in totals and "其中" not in (rows[i]["column"] or "")]
        names = [rows[i]["column"] for i in parts]
        nested = any(a != b and b.startswith(a + "/") for a in names for b in names)
        if len(totals) == 1 and parts and not nested and len(set(names)) == len(names):
            out.append(Identity(f"{rows[totals[0]]['column']} = Σ其余栏", totals[0], tuple(parts)))
    return out


def _hierarchy(rows: list[dict], idx: list[int]) -> list[Identity]:
    """类 = Σ 款, 款 = Σ 项 (by subject code), and the 合计 row = Σ 类, in each panel and column."""
    by_col: dict[tuple, list[int]] = defaultdict(list)
    for i in idx:
        by_col[(_panel(rows[i]), rows[i]["column"])].append(i)
    out = []
    for members in by_col.values():
        coded: dict[str, list[int]] = defaultdict(list)
        for i in members:
            code = rows[i].get("subject_code")
            if code:
                coded[code].append(i)
        for code, at in coded.items():
            if len(code) not in (3, 5) or len(at) != 1:
                continue
            kids = [
                k for c, ks in coded.items() if len(c) == len(code) + 2 and c.startswith(code) for k in ks
            ]
            if kids:
                out.append(Identity(f"{code} = Σ下级科目", at[0], tuple(kids)))
        classes = [i for i in members if rows[i].get("level") == "类"]
        totals = [
            i for i in members if not rows[i].get("subject_code") and rows[i]["row_label"].endswith("合计")
        ]
        if classes and len(totals) == 1:
            out.append(Identity(f"{rows[totals[0]]['row_label']} = Σ类", totals[0], tuple(classes)))
    return out


def _item_totals(rows: list[dict], idx: list[int]) -> list[Identity]:
    """Tables without codes (收入支出决算总表, 财政拨款收入支出决算总表): 本年收入/支出合计 = Σ the numbered
    items above it; 总计 = 本年合计 + the rows between them (结转和结余, 结余分配 …)."""
    by_col: dict[tuple, list[int]] = defaultdict(list)
    for i in idx:
        if not rows[i].get("subject_code"):
            by_col[(_panel(rows[i]), rows[i]["column"])].append(i)
    out = []
    for members in by_col.values():
        year = [i for i in members if _THIS_YEAR_TOTAL.match(rows[i]["row_label"])]
        grand = [i for i in members if rows[i]["row_label"] == "总计"]
        if len(year) != 1:
            continue
        items = [i for i in members if i < year[0] and _ORDINAL.match(rows[i]["row_label"])]
        if items:
            out.append(Identity(f"{rows[year[0]]['row_label']} = Σ分项", year[0], tuple(items)))
        if len(grand) == 1 and grand[0] > year[0]:
            between = [
                i for i in members if year[0] < i < grand[0] and not rows[i]["row_label"].startswith("其中")
            ]
            heads = [i for i in between if not _ORDINAL.match(rows[i]["row_label"])]
            out.append(
                Identity(f"总计 = {rows[year[0]]['row_label']} + 结转结余", grand[0], (year[0], *heads))
            )
            for head, nxt in zip(
                heads, [*heads[1:], grand[0]][: len(heads)], strict=True
            ):  # 年初结转 = Σ 一、二…
                subs = [i for i in between if head < i < nxt]
                if subs:
                    out.append(Identity(f"{rows[head]['row_label']} = Σ分项", head, tuple(subs)))
    return out


def _panel_totals(rows: list[dict], idx: list[int]) -> list[Identity]:
    """收入总计 = 支出总计 (the 合计 column where the 支出 side has several)."""
    grand = [i for i in idx if rows[i]["row_label"] == "总计" and not rows[i].get("subject_code")]
    income = [i for i in grand if _panel(rows[i]) == "收入"]
    spend = [i for i in grand if _panel(rows[i]) == "支出"]
    if len(spend) > 1:
        spend = [i for i in spend if _TOTAL_COLUMN.search(rows[i]["column"] or "")]
    if len(income) == 1 and len(spend) == 1:
        return [Identity("收入总计 = 支出总计", income[0], (spend[0],))]
    return []


def _three_public(rows: list[dict], idx: list[int]) -> list[Identity]:
    """三公: 合计 = 出国 + 车 + 接待; 公务用车购置及运行费 = 购置费 + 运行费, per column."""
    if not idx or rows[idx[0]].get("table_code") != "three_public":
        return []
    at: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in idx:
        at[(rows[i]["row_label"], rows[i]["column"])].append(i)
    out = []
    for (label, column), totals in list(at.items()):
        if label not in _THREE_PUBLIC or len(totals) != 1:
            continue
        parts = [k for name in _THREE_PUBLIC[label] for k in at.get((name, column), [])]
        if parts:
            out.append(Identity(f"三公 {label} = Σ分项", totals[0], tuple(parts)))
    return out


# ---------------------------------------------------------------- the names of the subject codes


# 政府收支分类科目: the 类 of the functional classification and the 类/款 of the economic classification
# (支出经济分类, the rows of the 基本支出 tables), national standards every disclosure prints the same way.
SUBJECT_NAMES = """
201 一般公共服务支出；202 外交支出；203 国防支出；204 公共安全支出；205 教育支出；206 科学技术支出；
207 文化旅游体育与传媒支出；208 社会保障和就业支出；210 卫生健康支出；211 节能环保支出；212 城乡社区支出；
213 农林水支出；214 交通运输支出；215 资源勘探工业信息等支出；216 商业服务业等支出；217 金融支出；
219 援助其他地区支出；220 自然资源海洋气象等支出；221 住房保障支出；222 粮油物资储备支出；
224 灾害防治及应急管理支出；227 预备费；229 其他支出；230 转移性支出；231 债务还本支出；232 债务付息支出；
233 债务发行费用支出；
301 工资福利支出；30101 基本工资；30102 津贴补贴；30103 奖金；30106 伙食补助费；30107 绩效工资；
30108 机关事业单位基本养老保险缴费；30109 职业年金缴费；30110 职工基本医疗保险缴费；
30111 公务员医疗补助缴费；30112 其他社会保障缴费；30113 住房公积金；30114 医疗费；30199 其他工资福利支出；
302 商品和服务支出；30201 办公费；30202 印刷费；30203 咨询费；30204 手续费；30205 水费；30206 电费；
30207 邮电费；30208 取暖费；30209 物业管理费；30211 差旅费；30212 因公出国（境）费用；30213 维修（护）费；
30214 租赁费；30215 会议费；30216 培训费；30217 公务接待费；30218 专用材料费；30224 被装购置费；
30225 专用燃料费；30226 劳务费；30227 委托业务费；30228 工会经费；30229 福利费；30231 公务用车运行维护费；
30239 其他交通费用；30240 税金及附加费用；30299 其他商品和服务支出；
303 对个人和家庭的补助；30301 离休费；30302 退休费；30303 退职（役）费；30304 抚恤金；30305 生活补助；
30306 救济费；30307 医疗费补助；30308 助学金；30309 奖励金；30310 个人农业生产补贴；30311 代缴社会保险费；
30399 其他对个人和家庭的补助；
307 债务利息及费用支出；30701 国内债务付息；30702 国外债务付息；30703 国内债务发行费用；
30704 国外债务发行费用；
309 资本性支出（基本建设）；30901 房屋建筑物购建；30902 办公设备购置；30903 专用设备购置；
30905 基础设施建设；30906 大型修缮；30907 信息网络及软件购置更新；30908 物资储备；30913 公务用车购置；
30919 其他交通工具购置；30921 文物和陈列品购置；30922 无形资产购置；30999 其他基本建设支出；
310 资本性支出；31001 房屋建筑物购建；31002 办公设备购置；31003 专用设备购置；31005 基础设施建设；
31006 大型修缮；31007 信息网络及软件购置更新；31008 物资储备；31009 土地补偿；31010 安置补助；
31011 地上附着物和青苗补偿；31012 拆迁补偿；31013 公务用车购置；31019 其他交通工具购置；
31021 文物和陈列品购置；31022 无形资产购置；31099 其他资本性支出；
399 其他支出；39906 赠与；39907 国家赔偿费用支出；39908 对民间非营利组织和群众性自治组织补贴；
39909 经常性赠与；39910 资本性赠与；39999 其他支出
"""


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@cache
def _subject_names() -> dict[str, str]:
    pairs = (item.split(maxsplit=1) for item in re.split(r"；", SUBJECT_NAMES.strip()) if item.strip())
    return {code: _fold(name) for code, name in pairs}


def names_its_code(code: str, label: str, conf: float | None) -> bool:
    """A row whose label OCR read below the confidence threshold is sure after all when its code and label are
    a subject code and that code's standard name, read at OCR.min_named_confidence or above: a misreading
    that turns both into another matching pair is not a plausible error."""
    return (
        conf is not None and conf >= OCR.min_named_confidence and _subject_names().get(code) == _fold(label)
    )
