"""Rules C01–C03 and O01: is everything there that the document's own contents page and the template promise,
and do the ordinals run in order.

A reviewer opens the 目录 first: a table it lists but the body lacks, a required table missing or printed as a
bare header beside a narrative that states its amounts, a section numbered out of order. These rules read the
document's text (`checks.source`), not the tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from .. import schemas
from ..config import CHECKS, TEXT
from ..segment import PART_KEYS
from ..types import Severity, Status
from ..values import cn_ordinal
from ..vocab import EMPTY_NOTE
from . import catalogue as cat
from .rules_common import Ctx, Operand, Outcome, fig_operand, flagged, na, rule
from .source import Heading, Text, headings, source

PART = re.compile(r"^第([一二三四五六七八九十]{1,2})部分(.*)$")
_SECTION = re.compile(r"^([一二三四五六七八九十]{1,3})、(.+)$")
_LEADER = re.compile(
    r"(?:PAGEREF_?Toc\d+\\?h?)?[.·…_\-—]*\d{0,3}$"
)  # dot leaders, page numbers, Word field codes
_TABLE_PART = "tables"
_UNNUMBERED_PARTS = ("tables",)  # a template may print this part's title without its 第N部分 (Shanghai 2024)


@dataclass(frozen=True)
class TocEntry:
    kind: str  # part | section
    part: str | None  # part key (overview, tables, explanation…)
    n: int
    label: str
    title: str
    no: int
    page: int


def toc_range(text: Text) -> tuple[int, int] | None:
    """Lines of the contents page: after a line reading 目录, before the first part of the body."""
    body = min((a for a, _ in text.segs.parts.values()), default=len(text.lines))
    for i, c in enumerate(text.compact_lines[:body]):
        if c in cat.TOC_HEADINGS:
            return (i + 1, body) if body > i + 1 else None
    return None


def toc(text: Text) -> list[TocEntry]:
    """The contents page as entries: parts (第N部分 …) and the numbered sections or tables under each."""
    rng = toc_range(text)
    if rng is None:
        return []
    entries: list[TocEntry] = []
    part: str | None = None
    for i in range(*rng):
        c = _LEADER.sub("", text.compact_lines[i])
        if not c:
            continue
        line = text.lines[i]
        m = PART.match(c)
        if m:
            part = _part_key(m.group(2))
            entries.append(
                TocEntry(
                    "part", part, cn_ordinal(m.group(1)) or 0, m.group(1), m.group(2), line.no, line.page
                )
            )
            continue
        m = _SECTION.match(c)
        if m and cn_ordinal(m.group(1)):
            entries.append(
                TocEntry(
                    "section", part, cn_ordinal(m.group(1)) or 0, m.group(1), m.group(2), line.no, line.page
                )
            )
        elif entries and len(c) <= TEXT.title_tail_chars:  # a wrapped title ("…2024 年度部门决算" / "表")
            e = entries[-1]
            entries[-1] = TocEntry(
                e.kind,
                _part_key(e.title + c) if e.kind == "part" else e.part,
                e.n,
                e.label,
                e.title + c,
                e.no,
                e.page,
            )
            if e.kind == "part":
                part = entries[-1].part
    return entries


def _part_key(title: str) -> str | None:
    return next((v for k, v in PART_KEYS.items() if k in title), None)


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def _table_titles(text: Text, start: int, end: int) -> dict[str, int]:
    """Table code → index of its title line, in lines[start:end] (a title is a short line of its own)."""
    from ..pipeline import table_code

    found: dict[str, int] = {}
    for i in range(start, end):
        c = text.compact_lines[i]
        if TEXT.min_title_chars <= len(c) <= TEXT.heading_chars and "表" in c:
            code = table_code(c)
            if code and code not in found:
                found[code] = i
    return found


def body_start(text: Text) -> int:
    rng = toc_range(text)
    return rng[1] if rng else 0


def _tables_region(text: Text) -> tuple[int, int]:
    """Where the nine tables are printed: the 决算表 part, else from the first table title to 情况说明."""
    if _TABLE_PART in text.segs.parts:
        return text.segs.parts[_TABLE_PART]
    end = text.segs.parts.get("explanation", (len(text.lines), 0))[0]
    titles = _table_titles(text, body_start(text), end)
    return (min(titles.values()), end) if titles else (end, end)


def unnumbered_part(text: Text, key: str) -> int | None:
    """A part title printed without 第N部分 ("上海市××局2024年度部门决算表" heads the tables in the 2024
    template)."""
    if key != _TABLE_PART:
        return None
    from ..pipeline import table_code

    start, end = body_start(text), text.segs.parts.get("explanation", (len(text.lines), 0))[0]
    for i in range(start, end):
        c = text.compact_lines[i]
        if len(c) <= TEXT.part_title_chars and c.endswith(PART_NAMES_BY_KEY[key]) and table_code(c) is None:
            return i
    return None


PART_NAMES_BY_KEY = {v: k for k, v in PART_KEYS.items()}


def _where(text: Text, i: int, label: str) -> Operand:
    return text.cite(label, None, "原文", text.lines[i])


def _entry_op(text: Text, e: TocEntry) -> Operand:
    label = f"目录: {'第' + e.label + '部分' if e.kind == 'part' else e.label + '、'}{e.title}"
    return Operand(label, None, "目录", e.no, e.page, ocr=e.no in text.ocr_lines)


@rule("C01")
def c01(ctx: Ctx) -> list[Outcome]:
    text = source(ctx)
    if text is None:
        return [na("目录", "找不到源文件")]
    entries = toc(text)
    if not entries:
        return [na("目录", "文档没有目录页")]
    body = body_start(text)
    titles = _table_titles(text, body, text.segs.parts.get("explanation", (len(text.lines), 0))[0])
    out = []
    for e in entries:
        what = f"第{e.label}部分{e.title}" if e.kind == "part" else f"{e.label}、{e.title}"
        hit: int | None = None
        note = ""
        if e.kind == "part":
            if e.part in text.segs.parts and text.segs.parts[e.part][0] >= body:
                hit = text.segs.parts[e.part][0]
            elif e.part is not None:
                hit = unnumbered_part(text, e.part)
                note = "正文标题未印“第…部分”" if hit is not None else ""
        elif e.part == _TABLE_PART:
            from ..pipeline import table_code

            code = table_code(e.title)
            hit = titles.get(code) if code else None
        else:
            hit = _find_section(text, e, body)
        if hit is not None:
            out.append(
                Outcome(
                    f"目录所列 {what}",
                    Status.PASS,
                    operands=[_entry_op(text, e), _where(text, hit, "正文")],
                    note=note,
                )
            )
        else:
            out.append(
                Outcome(
                    f"目录所列 {what}",
                    Status.FAIL,
                    operands=[_entry_op(text, e)],
                    sentence=f"目录列有“{what}”，正文中却没有",
                    note="目录所列内容在正文中缺失",
                )
            )
    return out


def _find_section(text: Text, e: TocEntry, body: int) -> int | None:
    """The body heading of a contents entry: same ordinal and a similar title inside its part, else the same
    title anywhere in the body under another number."""
    start, end = text.segs.parts.get(e.part or "", (body, len(text.lines)))
    prefix = f"{e.label}、"
    for i in range(
        max(start + 1, body), end
    ):  # a heading may run on into a remark ("…构成（仅有一个单位的…）")
        c = text.compact_lines[i]
        if (
            c.startswith(prefix)
            and _similar(c[len(prefix) : len(prefix) + len(e.title)], e.title) >= CHECKS.toc_title_similarity
        ):
            return i
    moved = [
        h
        for h in headings(text, body, len(text.lines))
        if h.level == 1 and _similar(h.title, e.title) >= CHECKS.moved_title_similarity
    ]
    return moved[0].index if moved else None


# ── C02/C03: the nine tables of the template ───────────────────────────────────────────────────────────


def _listed(ctx: Ctx, column: str) -> set[str]:
    doc = ctx.records("document")
    if not doc:
        return set()
    return {x for x in re.split(r"[；;,，\s]+", str(doc[0].get(column) or "")) if x}


def _bare(ctx: Ctx, text: Text | None) -> set[str]:
    """Tables reported empty (a grid without values) that carry no 无数据 note on their title's page: printed
    with headers only. The parser's `tables_empty` holds both kinds; the note is what tells them apart."""
    empty = _listed(ctx, "tables_empty")
    if not empty or text is None:
        return set()
    titles = _table_titles(text, body_start(text), len(text.lines))
    return {code for code in empty if code in titles and not _noted(text, titles[code])}


def _noted(text: Text, i: int) -> bool:
    page = text.lines[i].page
    reach = CHECKS.empty_note_reach
    near = range(max(0, i - reach), min(len(text.lines), i + reach))
    return any(text.lines[k].page == page and EMPTY_NOTE.search(text.compact_lines[k]) for k in near)


@rule("C02")
def c02(ctx: Ctx) -> list[Outcome]:
    if not ctx.records("document"):
        return [na("九张决算表", "缺少文档信息")]
    found, empty, absent = (_listed(ctx, c) for c in ("tables_found", "tables_empty", "tables_absent"))
    text = source(ctx)
    bare = _bare(ctx, text)
    out = []
    for code, title in schemas.TABLE_CODES.items():
        if code in bare:
            out.append(Outcome(title, Status.PASS, note="有标题与表头, 无数值, 见 C03"))
        elif code in found or code in empty:
            out.append(
                Outcome(title, Status.PASS, note="有数据" if code in found else "空表并有“本表无数据”说明")
            )
        elif code in absent:
            out.append(Outcome(title, Status.PASS, note="有标题; 单元格未读出(图片或文本输入), 见 C03"))
        else:
            ops = [Operand("文档", None, "原文")] if text is None else []
            out.append(
                Outcome(
                    title,
                    Status.FAIL,
                    operands=ops,
                    sentence=f"模板要求的“{title}”在文档中没有（既无表也无“本表无数据”说明）",
                    note="缺少模板要求的决算表",
                )
            )
    return out


# narrative facts that a table states: an absent table beside these nonzero amounts was printed without values
_TABLE_FACTS: dict[str, tuple[str, ...]] = {
    "income_expenditure": ("grand_total", "income_total", "expenditure_total"),
    "income": ("income_total",),
    "expenditure": ("expenditure_total", "basic", "project"),
    "fiscal_income_expenditure": ("fiscal_grand_total",),
    "general_budget_expenditure": ("gb_expenditure",),
    "general_budget_basic": ("personnel", "public_funds", "gb_basic"),
    "three_public": ("three_public", "abroad", "vehicle", "reception"),
}
_FUND_SECTIONS = {"gov_fund": "政府性基金", "state_capital": "国有资本经营"}


def _stated_amounts(ctx: Ctx, code: str) -> list[Operand]:
    """Nonzero amounts the narrative states for what a table shows."""
    ops: list[Operand] = []
    for key in _TABLE_FACTS.get(code, ()):
        for measure in ("actual", "budget"):
            op = ctx.fig(key, measure)
            if op is not None and op.wan:
                ops.append(op)
    word = _FUND_SECTIONS.get(code)
    if word:
        text = source(ctx)
        heads = set()
        if text is not None and "explanation" in text.segs.parts:
            heads = {s.label for s in text.segs.sections.get("explanation", []) if word in s.title}
        ops += [
            fig_operand(r)
            for r in ctx.figures
            if r["_head"] in heads
            and r["unit"] in ("万元", "万")
            and r["value"]
            and r["measure"] != "share_pct"
        ]
    return ops


@rule("C03")
def c03(ctx: Ctx) -> list[Outcome]:
    doc = ctx.records("document")
    if not doc:
        return [na("表格有表头无数值", "缺少文档信息")]
    if doc[0].get("source_kind") != "pdf":
        return [na("表格有表头无数值", "文本输入不读表格单元格")]
    text = source(ctx)
    absent = _listed(ctx, "tables_absent") | _bare(ctx, text)
    if not absent:
        return [Outcome("九张决算表均有数值或空表说明", Status.PASS)]
    titles = _table_titles(text, body_start(text), len(text.lines)) if text is not None else {}
    out = []
    for code in schemas.TABLE_CODES:
        if code not in absent:
            continue
        title = schemas.TABLE_CODES[code]
        where = [] if code not in titles else [_where(text, titles[code], f"{title}(表头)")]
        page = where[0].page if where else None
        if text is not None and page in text.image_pages:
            out.append(na(title, f"第{page}页为图片, 表格数值无法读取"))
            continue
        stated = _stated_amounts(ctx, code)
        if stated:
            top = max(stated, key=lambda op: abs(op.wan or 0))
            out.append(
                flagged(
                    title,
                    top.value,
                    [*where, *stated],
                    "表格只有表头没有数值, 而情况说明写明了金额",
                    stake=abs(top.wan or 0),
                    sentence=f"“{title}”只印了表头、没有数值，而情况说明写明{top.label} "
                    f"{top.value:,.2f} 万元",
                )
            )
        else:
            out.append(
                flagged(
                    title,
                    None,
                    where,
                    "表格没有数值, 也没有“本表无数据”的说明",
                    severity=Severity.WARNING,
                    sentence=f"“{title}”没有数值，也没有“本表无数据”的说明",
                )
            )
    return out


# ── O01: ordinals run in order ────────────────────────────────────────────────────────────────────────────


def _show(h: Heading) -> str:
    return {0: f"第{h.label}部分", 1: f"{h.label}、", 2: f"（{h.label}）"}.get(
        h.level, f"{h.label}."
    ) + h.title[:20]


def _sequence(text: Text, subject: str, hs: list[Heading]) -> list[Outcome]:
    """One outcome per break in 1, 2, 3… (a repeat, a gap, or a number before its predecessor)."""
    out = []
    prev: Heading | None = None
    for h in hs:
        expected = 1 if prev is None else prev.n + 1
        if h.n != expected:
            if prev is not None and h.n == prev.n:
                kind = f"序号“{h.label}”重复"
            elif prev is not None and h.n < prev.n:
                kind = f"“{h.label}”出现在“{prev.label}”之后，顺序颠倒"
            else:
                kind = f"缺少序号{_label(expected, h.level)}（“{h.label}”前）"
            ops = [text.cite(_show(h), None, "原文", text.lines[h.index])]
            if prev is not None:
                ops.insert(0, text.cite(_show(prev), None, "原文", text.lines[prev.index]))
            out.append(
                Outcome(
                    f"{subject}: {kind}",
                    Status.FAIL,
                    float(expected),
                    float(h.n),
                    None,
                    None,
                    ops,
                    kind,
                    sentence=f"{subject}{kind}",
                )
            )
        prev = h
    if hs and not out:
        out.append(Outcome(f"{subject}: {hs[0].label}…{hs[-1].label} 连续", Status.PASS))
    return out


def _label(n: int, level: int) -> str:
    digits = "一二三四五六七八九十"
    cn = digits[n - 1] if n <= 10 else ("十" + digits[n - 11] if n < 20 else str(n))
    return {0: f"第{cn}部分", 1: f"{cn}、", 2: f"（{cn}）"}.get(level, f"{n}.")


def _table_pages(ctx: Ctx, text: Text) -> set[int]:
    pages = {int(r["page"]) for r in ctx.records("statements") if r.get("page") is not None}
    t0, t1 = _tables_region(text)
    return pages | {text.lines[i].page for i in range(t0, t1)}


@rule("O01")
def o01(ctx: Ctx) -> list[Outcome]:
    text = source(ctx)
    if text is None:
        return [na("序号", "找不到源文件")]
    out = _part_order(text)
    skip = _table_pages(ctx, text)
    for key in cat.NUMBERED_PARTS:
        if key not in text.segs.parts:
            continue
        start, end = text.segs.parts[key]
        hs = [
            h
            for h in headings(text, start + 1, end)
            if text.lines[h.index].page not in skip or key == "explanation"
        ]
        top = [h for h in hs if h.level == 1]
        name = PART_NAMES_BY_KEY[key]
        out += _sequence(text, f"{name}一级标题", top)
        if key != "explanation":
            continue
        for k, h in enumerate(top):
            stop = top[k + 1].index if k + 1 < len(top) else end
            inside = [x for x in hs if h.index < x.index < stop]
            subs = [x for x in inside if x.level == 2]
            out += _sequence(text, f"{name}{h.label}、下的二级标题", subs) if subs else []
            groups = (
                [(f"{h.label}", h.index, stop)]
                if not subs
                else [
                    (f"{h.label}（{s.label}）", s.index, subs[j + 1].index if j + 1 < len(subs) else stop)
                    for j, s in enumerate(subs)
                ]
            )
            for label, a, b in groups:
                items = [x for x in inside if x.level == 3 and a < x.index < b]
                out += _sequence(text, f"{name}{label}下的编号", items) if items else []
    return out or [na("序号", "没有编号的标题")]


def _part_order(text: Text) -> list[Outcome]:
    body = body_start(text)
    seen: list[Heading] = []
    for i in range(body, len(text.lines)):
        m = PART.match(text.compact_lines[i])
        if m and cn_ordinal(m.group(1)):
            line = text.lines[i]
            seen.append(
                Heading(0, cn_ordinal(m.group(1)) or 0, m.group(1), m.group(2), i, line.no, line.page)
            )
    for e in toc(text):
        if e.kind == "part" and e.part in _UNNUMBERED_PARTS and not any(h.n == e.n for h in seen):
            i = unnumbered_part(text, e.part)
            if i is not None:
                line = text.lines[i]
                seen.append(Heading(0, e.n, e.label, text.compact_lines[i], i, line.no, line.page))
    seen.sort(key=lambda h: h.index)
    return _sequence(text, "各部分", seen) if seen else []
