"""Every numeric fact of 第三部分 情况说明 → `figures` (section, item, measure, value, unit, evidence).

A grammar of the template's sentences, not of one department's wording: each number with a unit gets
 - a measure from the cue words just before it (预算为 → budget, 比…预算减少 → budget_change, 占 → share_pct,
   完成…预算的 → exec_pct, 增长/下降 x% → change_pct, 增加/减少 x 万元 → prior_change, counts by unit);
 - an item from the noun phrase before it (year prefixes, fillers and cue words stripped), or, when the
   clause has none (",占100%"), the item of the previous figure in the same list entry.
Years, dates, list ordinals and thresholds ("100万元以上") are not facts and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from ..normalize import unquote
from ..read.lines import Warn
from ..segment import Passage, Section
from ..types import Stage
from ..vocab import COUNT_UNITS, MONEY_UNITS

MONEY = MONEY_UNITS
OTHER_UNITS = ["%", "分"]
_UNITS = sorted(MONEY + COUNT_UNITS + OTHER_UNITS, key=len, reverse=True)
_NUMBER = re.compile(
    r"(?<![\d.])(?<!\d,)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"(?P<unit>{'|'.join(re.escape(u) for u in _UNITS)})?"
)
_THRESHOLD = re.compile(r"^(?:\(含\))?(?:及)?以[上下]")
_MISSING = re.compile(r"(?<![\d%])(?:为|和结余|余额|支出|收入)(?=万元)")
_BOUNDARY = set(",;:。、()!?")
_SENTENCE_END = set("。;!?")
_LIST_MARK = re.compile(r"(?:^|(?<=[。;:]))(?:\d{1,2}[.、](?!\d)|\(\d{1,2}\)|[一二三四五六七八九十]是)")

_BUDGET_CHANGE = re.compile(
    r"(?:比|较)(?:年初)?(?:全年)?预算(?:数)?.*?(增加|减少|增长|下降|节约|超支)(?:\(减少\)|\(增加\))?$"
)
_CHANGE = re.compile(r"(增加|减少|增长|下降|增减|减)(?:\((?:减少|增加|增长|下降)\))?$")
_AMBIGUOUS = re.compile(r"(增加|减少|增长|下降)\((增加|减少|增长|下降)\)$")
_UNITLESS_CUE = re.compile(r"(增加|减少|增长|下降|占|占.*的|为|完成.*的)$")
_EXEC = re.compile(r"完成.*(?:预算|计划)|执行率|执行进度|较年初完成")
_BUDGET_CUES = re.compile(r"(?:年初预算|全年预算|调整预算|预算)(?:数)?(?:为|是)?$")
# A sentence that states a 全年 or 调整(后) budget beside the 年初 one keeps the bases apart (budget_full,
# budget_adjusted), so that "完成年初预算的 X%" can be checked against the basis it really used; where it
# is the only budget of its sentence it is the item's budget.
_BUDGET_BASIS = re.compile(r"(全年预算|调整后?预算)(?:数)?(?:为|是)?$")
_BASIS_MEASURES = ("budget_full", "budget_adjusted")
_TRAILING_CUES = [
    "支出决算为", "支出决算数", "支出决算", "决算数为", "决算为", "执行数为",
    "年初预算数为", "年初预算为", "全年预算数为", "全年预算为",
    "调整后预算数为", "调整后预算为", "调整预算数为", "调整预算为", "预算数为", "预算为",
    "增加(减少)", "减少(增加)", "增加", "减少", "增长", "下降",
    "均为", "各为", "总计为", "合计为", "为", "是", "各",
    "达到", "达", "约", "共计", "累计",
]  # fmt: skip
_LEADING_FILLERS = [
    "其中",
    "本部门",
    "本单位",
    "我单位",
    "我局",
    "本年度",
    "全年",
    "累计",
    "共有",
    "不含",
    "含",
    "列明",
    "在",
]
_OWN_ORG = re.compile(r"^.{2,30}?(?:局|委员会|委|办公室|中心)(?=所属|下属)")  # "××局所属各预算单位…"
_GENERIC_NOUNS = {"采购金额", "金额", "合同金额"}  # too bare to name a fact: the sentence's lead-in names it
_LIST_PREFIX = re.compile(r"^(?:\d{1,2}[.、]|\(\d{1,2}\)|[一二三四五六七八九十]是)")
_GENERIC = {"项目", "其中"}  # an "item" that only points back at the entry's topic
_REMARK = re.compile(r"\([^()]{3,}\)")  # (不含下属事业单位), (以合同签订为准): remarks, not names
_ALIASES = {
    "收、支总计": "收支总计",
    "财政拨款收、支总计": "财政拨款收支总计",
    "三公经费财政拨款支出": "三公经费",
    "三公经费财政拨款": "三公经费",
    "机关运行经费支出": "机关运行经费",
}
# the report-year phrase that opens a clause: "2023年度…", "本部门2023年度…", "上海市××局2024年度…",
# "2023年…", "23年…"
_ORG = r"(?:局|委员会|委|办公室|办|院|中心|站|所|部门|单位|政府|厅|会)"
_YEAR_PREFIX = re.compile(rf"^(?:(?:.{{0,24}}?{_ORG})?\d{{4}}年度|\d{{2}}(?:\d{{2}})?年(?![前后以]))")
_AFTER_FIGURE = re.compile(r"\d(?:" + "|".join(re.escape(u) for u in _UNITS) + r")?$")


@lru_cache(maxsize=4096)
def _clean_item(prefix: str) -> str:
    """The noun phrase of a clause: remarks, list markers, year phrases, fillers and cue words peeled off."""
    item = _REMARK.sub("", prefix)
    if "共有" in item:
        item = item.split("共有", 1)[1]
    item = _OWN_ORG.sub("", item)
    previous = None
    while item and item != previous:
        previous = item
        item = _LIST_PREFIX.sub("", item)
        item = _YEAR_PREFIX.sub("", item) or item
        for cue in _TRAILING_CUES:
            if item.endswith(cue) and not (cue == "为" and item[-2:-1] in "行作认成"):
                item = item[: -len(cue)]
        for filler in _LEADING_FILLERS:
            if item.startswith(filler) and len(item) > len(filler):
                item = item[len(filler) :]
    item = item.strip(":,、")
    if item.endswith("费支出"):  # 公务接待费支出 names the same thing as 公务接待费
        item = item[:-2]
    item = _ALIASES.get(unquote(item), item)
    return "" if item in _GENERIC else item


def _mask_plain_parentheticals(text: str) -> str:
    """Parentheses without a figure ((境), (类), (以合同签订为准)) do not end a clause: mask them for the
    boundary search only."""
    return re.sub(r"\([^()\d]*\)", lambda m: "\x01" * len(m.group()), text)


def _clause_start(masked: str, pos: int, stop: set[str]) -> int:
    """Start of the clause ending at pos. A 、 separates figures (基本工资564.84万元、津贴补贴…) but joins
    words (收、支总计; 及时纠正、查处…), so it ends a clause only right after a figure."""
    i = pos - 1
    while i >= 0:
        if masked[i] in stop and (masked[i] != "、" or _AFTER_FIGURE.search(masked, max(0, i - 12), i)):
            return i + 1
        i -= 1
    return 0


def _measure(unit: str, cue: str) -> tuple[str, int | None]:
    """(measure, sign) from the unit and the clause text before the number; sign None = ambiguous."""
    sign = (
        None if _AMBIGUOUS.search(cue) else (-1 if re.search(r"(减少|下降|节约|减)(\(增加\))?$", cue) else 1)
    )
    if unit == "%":
        if "占" in cue:
            return "share_pct", 1
        if _EXEC.search(cue):
            return "exec_pct", 1
        if _CHANGE.search(cue):
            return "change_pct", sign
        return "actual", 1
    if unit in COUNT_UNITS:
        return "count", 1
    if unit in MONEY:
        if _BUDGET_CHANGE.search(cue):
            return "budget_change", sign
        if _CHANGE.search(cue):
            return "prior_change", sign
        basis = _BUDGET_BASIS.search(cue)
        if basis:
            return ("budget_full" if basis.group(1) == "全年预算" else "budget_adjusted"), 1
        if _BUDGET_CUES.search(cue):
            return "budget", 1
    return "actual", 1


def extract_section(passage: Passage, label: str, doc_id: str, warns: list[Warn]) -> list[dict]:
    """Every figure of one narrative section: a number with its unit, the item it belongs to and its
    measure."""
    text = passage.text
    masked = _mask_plain_parentheticals(text)
    list_starts = [m.start() for m in _LIST_MARK.finditer(masked)]
    rows: list[dict] = []
    current = ""  # item of the last figure in this list entry
    last_measure = "actual"
    next_list = 0
    for m in _NUMBER.finditer(text):
        start, end = m.span()
        while next_list < len(list_starts) and list_starts[next_list] <= start:
            current = _list_topic(text, list_starts[next_list])
            next_list += 1
        if not _is_figure(passage, masked, m, warns):
            continue
        clause_start = _clause_start(masked, start, _BOUNDARY)
        sentence_start = _clause_start(masked, start, _SENTENCE_END)
        cue = text[clause_start:start]
        measure, sign = _measure(m["unit"], cue)
        line = passage.line_at(start)
        if sign is None:
            if float(m["num"].replace(",", "")) != 0:
                warns.append(
                    Warn(
                        Stage.FIGURES,
                        f"direction of change unclear (增加/减少 both printed): {cue}{m.group()}",
                        line.no,
                        line.page,
                    )
                )
                continue
            sign = 1
        in_paren = masked.rfind("(", sentence_start, start) > masked.rfind(")", sentence_start, start)
        aside = in_paren and cue.startswith(
            ("不含", "含")
        )  # (不含…万元): the same measure as the figure before
        if aside:
            measure = last_measure
        measure, item = _item_of(text, masked, cue, measure, m["unit"], aside, sentence_start, clause_start)
        item = item or current
        if not in_paren and measure in ("actual", "budget", "count", *_BASIS_MEASURES):
            current = item or current
        last_measure = measure
        sentence_end = next((i for i in range(end, len(text)) if text[i] in _SENTENCE_END), len(text))
        rows.append(
            {
                "doc_id": doc_id,
                "source_line": line.no,
                "page": line.page,
                "section": label,
                "item": item,
                "measure": measure,
                "value": sign * float(m["num"].replace(",", "")),
                "unit": m["unit"],
                "evidence": passage.original(sentence_start, sentence_end + 1).strip(),
                **passage.provenance(start, end),
                "_sentence": sentence_start,
            }
        )
    _single_basis_is_the_budget(rows)
    for m in _MISSING.finditer(text):
        line = passage.line_at(m.start())
        warns.append(
            Warn(
                Stage.FIGURES,
                f"amount missing before 万元: …{text[max(0, m.start() - 12) : m.end() + 2]}…",
                line.no,
                line.page,
            )
        )
    return rows


def _is_figure(passage: Passage, masked: str, m: re.Match[str], warns: list[Warn]) -> bool:
    """A number with a unit that is not a threshold, a date or a year; a number whose clause expects a unit
    but prints none is a warning, never a guess."""
    text, (start, end) = passage.text, m.span()
    if m["unit"] is None:
        cue = text[_clause_start(masked, start, _BOUNDARY) : start]
        if _UNITLESS_CUE.search(cue) and not re.match(r"[\d.、]", text[end : end + 1]):
            line = passage.line_at(start)
            warns.append(
                Warn(
                    Stage.FIGURES,
                    f"figure printed without a unit, not recorded: {text[max(0, start - 15) : end + 2]}",
                    line.no,
                    line.page,
                )
            )
        return False
    return not (_THRESHOLD.match(text[end : end + 6]) or _is_date_or_year(text, end))


_RELATIVE_MEASURES = ("share_pct", "exec_pct", "change_pct", "prior_change", "budget_change")


def _item_of(
    text: str,
    masked: str,
    cue: str,
    measure: str,
    unit: str,
    aside: bool,
    sentence_start: int,
    clause_start: int,
) -> tuple[str, str]:
    """(measure, item) of a figure from its clause: '' when the clause names no item (the list entry's
    then)."""
    item = _clean_item(cue)
    if aside:
        pass
    elif "占" in cue and item.find("占") > 0:
        item = item[: item.find("占")]
    elif measure in _RELATIVE_MEASURES or not item:
        item = _clean_item(_strip_relation(cue))
    if item.endswith("预算金额") and unit in MONEY:  # 涉及预算金额…万元: a budget of the entry's subject
        measure, item = "budget", item[: -len("预算金额")].removeprefix("涉及")
    if item in _GENERIC_NOUNS:
        item = _lead_in(text, masked, sentence_start, clause_start) + item
    if not item and measure in ("prior_change", "change_pct"):
        item = _changed_subject(text, masked, sentence_start, clause_start)
    return measure, item


def _single_basis_is_the_budget(rows: list[dict]) -> None:
    """A 全年/调整 budget with no 年初 budget in its sentence is simply the budget
    (项目全年预算数为 10 万元)."""
    initial = {r["_sentence"] for r in rows if r["measure"] == "budget"}
    for r in rows:
        if r["measure"] in _BASIS_MEASURES and r["_sentence"] not in initial:
            r["measure"] = "budget"
        del r["_sentence"]


def _lead_in(text: str, masked: str, sentence_start: int, clause_start: int) -> str:
    """Figure-free clauses that open the sentence ("在其他政府采购项目中,由中小企业供应商中标或成交的,")."""
    lead = text[sentence_start:clause_start]
    if _NUMBER.search(lead) and any(m["unit"] for m in _NUMBER.finditer(lead)):
        return ""
    return _clean_item(re.sub(r"[,:、]", "", lead))


def _changed_subject(text: str, masked: str, sentence_start: int, clause_start: int) -> str:
    """ "项目支出增加,较上一度增加1133.95万元": the clause before names what changed."""
    previous_start = _clause_start(masked, max(clause_start - 1, 0), _BOUNDARY)
    previous = text[previous_start : clause_start - 1]
    if (
        previous_start < sentence_start
        or not re.search(r"(增加|减少|增长|下降)$", previous)
        or re.search(r"\d", previous)
    ):
        return ""
    return _clean_item(previous)


def _strip_relation(cue: str) -> str:
    """`比2022年度决算数增加` / `与2022年度相比,收入合计增加` → the noun phrase, if any, before the
    relation."""
    cue = re.sub(r"(?:比|较|与)(?:上年|\d{4}年度?)?.*?(?:相比)?(?=(增加|减少|增长|下降)|$)", "", cue)
    cue = re.sub(r"^(?:完成|占).*$", "", cue)
    return cue


def _list_topic(text: str, pos: int) -> str:
    """The heading of a numbered entry ("1.社会保障和就业(类)…(款)。") names what its figures are about."""
    m = re.match(r"(?:\d{1,2}[.、]|\(\d{1,2}\)|[一二三四五六七八九十]是)", text[pos:])
    body = text[pos + (m.end() if m else 0) :]
    head = re.split(r"[。:;,]", body, maxsplit=1)[0]
    number = _NUMBER.search(head)
    if number and number["unit"]:
        return ""
    return _clean_item(head)


def _is_date_or_year(text: str, end: int) -> bool:
    return bool(re.match(r"(?:年|月|日|号)", text[end : end + 1]))


def extract_figures(
    lines, sections: list[Section], doc_id: str, line_conf: Mapping[int, float] | None = None
) -> tuple[list[dict], list[Warn]]:
    """Every figure of the sections; `line_conf` (Source.line_conf) marks the lines OCR read."""
    warns: list[Warn] = []
    rows: list[dict] = []
    for sec in sections:
        pieces = [(sec.label, sec.start, sec.subsections[0].start if sec.subsections else sec.end)]
        pieces += [(sub.label, sub.start, sub.end) for sub in sec.subsections]
        for label, a, b in pieces:
            # the heading line names the section; it holds a figure only when body text runs on after it
            if a < b and not re.search(
                r"\d", lines[a].text.split("、", 1)[-1].split(")", 1)[-1].split("）", 1)[-1]
            ):
                a += 1
            if a < b:
                rows += extract_section(Passage(lines[a:b], line_conf), label, doc_id, warns)
    return rows, warns
