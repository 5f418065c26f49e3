"""Rules Y01–Y03: the identity of the document — its year, its department's name, and nothing left over from
the template.

A disclosure copied from last year's file keeps last year's title; one copied from another department keeps
its name; one filled in from the template keeps "XX局". These rules read the text (`checks.source`) and judge
each statement against the document's own year (the year most of its titles state) and its own name (the
cover's, else the one the unit list gives).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ..types import Severity, Status
from . import catalogue as cat
from .rules_common import Ctx, Outcome, flagged, na, rule
from .rules_structure import PART, body_start, toc_range, unnumbered_part
from .source import Text, headings, source

_YEAR = re.compile(r"(?<!\d)(\d{4})年(度?)")
_AS_OF = re.compile(r"截[至止](\d{4})年12月31日")
_PRIOR_CUE = re.compile(r"(?:与|比|较|同|和)$")
_RANGE_AFTER = re.compile(r"^(?:至|到|-|—|～|~|和|、|及)")
_RANGE_BEFORE = re.compile(r"(?:至|到|-|—|～|~|和|、|及)$")
_FORM_TITLE = re.compile(r"^(\d{4})年度?.{2,40}?(?:自评表|自评报告|评价报告)$")
_DECL = re.compile(r"(\d{4})年度?(?:部门)?决算")
# what may stand before the year of a sentence that speaks of the disclosure year: a sentence or heading end,
# the department speaking of itself ("本部门20XX年度…", "某市某区某局20XX年度…"); elsewhere a year is any year
_OPENS = re.compile(r"(?:^|[。;:)]|说明|情况|本部门|本单位|我局|我单位|[局委办院厅站所会心])$")


def _year(ctx: Ctx) -> int | None:
    doc = ctx.records("document")
    y = doc[0].get("year") if doc else None
    return int(y) if y is not None else None


def _cover_end(text: Text) -> int:
    rng = toc_range(text)
    if rng:
        return rng[0] - 1
    return min((a for a, _ in text.segs.parts.values()), default=0)


_Mention = tuple[str, int, int, str, int]  # where, line index, stated year, the phrase, the year it must be


def _year_mentions(text: Text, year: int) -> list[_Mention]:
    """(where, line index, stated year, the phrase, the year it must be) for every year the identity depends
    on, place by place in reading order: cover, titles, headings, form titles, the 情况说明, as-of dates."""
    return [
        *_cover_years(text, year),
        *_title_years(text, year),
        *_heading_years(text, year),
        *_form_title_years(text, year),
        *_explanation_years(text, year),
        *_as_of_years(text, year),
    ]


def _cover_years(text: Text, year: int) -> list[_Mention]:
    """The "20XX年度部门决算" of the cover (before the contents page or the first part)."""
    lines = text.compact_lines
    return [
        ("封面", i, int(m.group(1)), m.group(0), year)
        for i in range(_cover_end(text))
        for m in _DECL.finditer(lines[i])
    ]


def _title_years(text: Text, year: int) -> list[_Mention]:
    """The years of the contents page and the part titles (a short next line may carry the rest of a
    title)."""
    out: list[_Mention] = []
    lines = text.compact_lines
    rng = toc_range(text)
    titles = list(range(*rng)) if rng else []
    body = body_start(text)
    titles += [i for i in range(body, len(lines)) if PART.match(lines[i])]
    unnumbered = unnumbered_part(text, "tables")
    titles += [unnumbered] if unnumbered is not None else []
    for i in titles:
        where = "目录" if rng and rng[0] <= i < rng[1] else "部分标题"
        for m in _YEAR.finditer(
            lines[i] + (lines[i + 1] if i + 1 < len(lines) and len(lines[i + 1]) <= 8 else "")
        ):
            if m.group(2):
                out.append((where, i, int(m.group(1)), m.group(0), year))
    return out


def _heading_years(text: Text, year: int) -> list[_Mention]:
    """The years of level-1/2 headings of the text parts, unless one names a year compared with."""
    out: list[_Mention] = []
    for key, (a, b) in text.segs.parts.items():
        if key in ("tables", "glossary"):
            continue
        for h in headings(text, a + 1, b):
            if h.level <= 2:
                for m in _YEAR.finditer(h.title):
                    if m.group(2) and not _PRIOR_CUE.search(h.title[: m.start()]):
                        out.append(("标题", h.index, int(m.group(1)), m.group(0), year))
    return out


def _form_title_years(text: Text, year: int) -> list[_Mention]:
    """The year a self-evaluation form or report of the attachments is titled with."""
    out: list[_Mention] = []
    lines = text.compact_lines
    attachments = text.segs.parts.get("attachments")
    if attachments:
        for i in range(*attachments):
            m = _FORM_TITLE.match(lines[i]) if lines[i][:1].isdigit() else None
            if m:
                out.append(("自评表标题", i, int(m.group(1)), lines[i][:30], year))
    return out


def _explanation_years(text: Text, year: int) -> list[_Mention]:
    """Years of the 情况说明's sentences: one compared with must be the year before; one a sentence opens
    with is the disclosure year; a range of years is neither."""
    out: list[_Mention] = []
    explanation = text.segs.parts.get("explanation")
    if not explanation:
        return out
    joined, starts = text.joined(*explanation)
    for m in _YEAR.finditer(joined):
        before, after = joined[max(0, m.start() - 2) : m.start()], joined[m.end() : m.end() + 6]
        if not m.group(2) or _RANGE_AFTER.match(after) or _RANGE_BEFORE.search(before):
            continue
        i = explanation[0] + bisect_right(starts, m.start()) - 1
        if _PRIOR_CUE.search(before):
            out.append(("比较年度", i, int(m.group(1)), before[-1:] + m.group(0) + after[:4], year - 1))
        # a sentence about the year ("2023年度收入合计")
        elif _OPENS.search(joined[max(0, m.start() - 4) : m.start()]):
            out.append(("情况说明", i, int(m.group(1)), m.group(0) + after, year))
    return out


def _as_of_years(text: Text, year: int) -> list[_Mention]:
    """Every "截至20XX年12月31日" of the text: the end of the disclosure year."""
    return [("截至日期", i, int(m.group(1)), m.group(0), year) for i, m in text.line_matches(_AS_OF)]


@rule("Y01")
def y01(ctx: Ctx) -> list[Outcome]:
    text, year = source(ctx), _year(ctx)
    if text is None or year is None:
        return [na("年度", "找不到源文件或公开年度")]
    mentions = _year_mentions(text, year)
    out = []
    for where, i, stated, phrase, expected in mentions:
        if stated == expected:
            continue
        line = text.lines[i]
        what = "上年" if expected == year - 1 else f"公开年度 {year}"
        out.append(
            Outcome(
                f"{where}: {phrase}",
                Status.FAIL,
                float(expected),
                float(stated),
                float(stated - expected),
                0.0,
                [text.cite(f"{where}“{phrase}”", None, "原文", line)],
                f"应为{expected}年({what})",
                group=f"{where}|{stated}",
                sentence=f"{where}写作“{phrase}”，应为 {expected} 年（{what}）",
            )
        )
    n_ok = len(mentions) - len(out)
    if n_ok:
        out.append(Outcome(f"{n_ok} 处年度与公开年度 {year} 一致", Status.PASS, float(year), float(year)))
    return out or [na("年度", "没有可核对的年度表述")]


# ── Y02: the department's name ───────────────────────────────────────────────────────────────────────

_REGION_END = "省市区县州旗盟镇乡"
_ORG_END = (
    "局",
    "委员会",
    "委",
    "办公室",
    "办",
    "中心",
    "院",
    "厅",
    "部",
    "站",
    "所",
    "馆",
    "会",
    "处",
    "队",
)
_NAME_CONTEXT = re.compile(r"(?=\d{4}年度?|所属|部门决算|\(本级\)|概况|本级决算|共有车辆|部门\(单位\))")


def _reference(ctx: Ctx, text: Text) -> tuple[str, str] | None:
    """The department's name (and where it comes from): the cover's title, else the parsed department."""
    cover = "".join(text.compact_lines[: _cover_end(text)])
    m = re.match(r"^(.+?)\d{4}年度?(?:部门)?决算", cover)
    if m and m.group(1).endswith(_ORG_END):
        return m.group(1), "封面"
    doc = ctx.records("document")
    if doc and doc[0].get("department"):
        return str(doc[0]["department"]), "单位名称"
    return None


def _region(name: str) -> str:
    """The first region token of a name ("某市", "某县"): where a mention of the department starts."""
    m = re.match(rf"^.{{1,6}}?[{_REGION_END}]", name)
    return m.group() if m else name[:2]


def _candidates(text: Text, start_token: str) -> list[tuple[str, int]]:
    """Names printed where the document names itself: before a year, 所属, 部门决算, （本级）, 概况."""
    out = []
    for i, c in enumerate(text.compact_lines):
        pos = c.find(start_token)
        while pos >= 0:
            m = re.match(
                rf"{re.escape(start_token)}[\u4e00-\u9fff]{{1,24}}?(?:{'|'.join(_ORG_END)})", c[pos:]
            )
            if m and _NAME_CONTEXT.match(c, pos + m.end()):
                out.append((m.group(), i))
            pos = c.find(start_token, pos + 1)
    return out


def _abbreviation(short: str, full: str) -> bool:
    """某区市场局 for 某区市场监督管理局: the same first and last characters, every character of the
    short name in order in the full one, and no whole region token (某区) left out."""
    if not short or short[0] != full[0] or short[-1] != full[-1] or len(short) >= len(full):
        return False
    matched, k = [], 0
    for ch in short:
        k = full.find(ch, k)
        if k < 0:
            return False
        matched.append(k)
        k += 1
    kept = set(matched)
    runs = re.findall(r"[^\x00]+", "".join("\x00" if j in kept else ch for j, ch in enumerate(full)))
    return not any(r[-1] in _REGION_END for r in runs)


@rule("Y02")
def y02(ctx: Ctx) -> list[Outcome]:
    text = source(ctx)
    if text is None:
        return [na("部门名称", "找不到源文件")]
    ref = _reference(ctx, text)
    if ref is None:
        return [na("部门名称", "未识别部门名称")]
    name, origin = ref
    seen: dict[str, list[int]] = {}
    for cand, i in _candidates(text, _region(name)):
        seen.setdefault(cand, []).append(i)
    out = []
    for cand, idx in seen.items():
        if cand == name or cat.PLACEHOLDER.search(cand):
            continue  # placeholders are Y03's
        lines = [text.lines[i] for i in idx]
        ops = [text.cite(f"“{cand}”", None, "原文", ln) for ln in lines[:5]]
        if _abbreviation(cand, name):
            out.append(
                flagged(
                    f"简称“{cand}”",
                    None,
                    ops,
                    f"{origin}为“{name}”",
                    severity=Severity.INFO,
                    sentence=f"部门名称有 {len(idx)} 处用简称“{cand}”，{origin}为“{name}”",
                )
            )
        else:
            out.append(
                flagged(
                    f"名称“{cand}”",
                    None,
                    ops,
                    f"{origin}为“{name}”",
                    sentence=f"部门名称有 {len(idx)} 处写作“{cand}”，与{origin}的“{name}”不一致",
                )
            )
    n = sum(len(v) for k, v in seen.items() if k == name)
    if n:
        out.append(Outcome(f"“{name}”出现 {n} 处", Status.PASS, note=f"{origin}的名称"))
    return out or [na("部门名称", "正文未以部门名称自称")]


# ── Y03: leftovers from the template ───────────────────────────────────────────────────────────────────


_INSTRUCTIONS = re.compile("|".join(re.escape(p) for p in cat.TEMPLATE_INSTRUCTIONS))


@rule("Y03")
def y03(ctx: Ctx) -> list[Outcome]:
    text = source(ctx)
    if text is None:
        return [na("模板占位符", "找不到源文件")]
    found = []  # (line index, placeholder before instruction, position, outcome): the order line by line
    for i, m in text.line_matches(cat.PLACEHOLDER):
        line, c, at = text.lines[i], text.compact_lines[i], m.start() - text.line_start(i)
        ctx_text = c[max(0, at - 8) : at + len(m.group()) + 8]
        outcome = Outcome(
            f"第{line.page}页 占位符“{m.group()}”",
            Status.FAIL,
            operands=[text.cite(f"“{ctx_text}”", None, "原文", line)],
            note="模板占位符未替换",
            group=f"placeholder|{m.group()[0]}",
            sentence=f"留有模板占位符“{ctx_text}”",
        )
        found.append((i, 0, m.start(), outcome))
    for i, m in text.line_matches(_INSTRUCTIONS):
        line, phrase = text.lines[i], m.group()
        outcome = Outcome(
            f"第{line.page}页 模板说明“{phrase}”",
            Status.FAIL,
            operands=[text.cite(f"“{phrase}”", None, "原文", line)],
            note="模板中的填写说明未删除",
            severity=Severity.WARNING,
            group=f"instruction|{phrase}",
            sentence=f"留有模板的填写说明“{phrase}”",
        )
        found.append((i, 1, m.start(), outcome))
    out = [f[3] for f in sorted(found, key=lambda f: f[:3])]
    return out or [Outcome("未见模板占位符或填写说明", Status.PASS)]
