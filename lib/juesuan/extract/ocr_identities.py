"""A table's own identities, used to decide whether a number read by OCR can be trusted.

A recogniser can be sure and still wrong (8 read as 6, a dropped digit). The nine tables say most of their
numbers twice: a row's 合计 is the sum of its columns, a 类 is the sum of its 款, a 款 of its 项, the 合计 row of
the 类 rows, 本年收入合计 of the numbered items, 总计 of 本年合计 and the carry-overs, and the two panels'
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
from collections import defaultdict
from dataclasses import dataclass

from ..read.lines import Warn

STAGE = "extract:statements"
UNSURE = "_unsure"  # a record OCR was unsure of: reported already; identities it is part of are not judged
DOUBT = "_doubt"  # a number read below the confidence threshold (its text): used only when an identity confirms it

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
            warns.append(Warn(STAGE, f"{title}: OCR unsure of {r[DOUBT]!r} (confidence {r['confidence']:.2f}) in row "
                              f"{_row_name(r)!r}, column {r['column']!r}, and {why}: value not used",
                              r.get("source_line"), r.get("page")))
            continue
        if r.get("source") == "ocr" and i in failed and not passed[i]:
            ident, total, parts = failed[i]
            warns.append(Warn(STAGE, f"{title}: OCR read {_fmt(r['value'])} in row {_row_name(r)!r}, column "
                              f"{r['column']!r}, and it fails {ident.name} ({_fmt(total)} ≠ {_fmt(parts)}) with no "
                              "other identity confirming it: a misreading or a misprint, value not used",
                              r.get("source_line"), r.get("page")))
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
    valid = [i for i, r in enumerate(rows) if not (isinstance(r["value"], float) and math.isnan(r["value"]))
             or r.get(UNSURE)]
    return [*_row_sums(rows, valid), *_hierarchy(rows, valid), *_item_totals(rows, valid), *_panel_totals(rows, valid),
            *_three_public(rows, valid)]


def _panel(r: dict) -> str:
    return r.get("panel") or ""


def _row_sums(rows: list[dict], idx: list[int]) -> list[Identity]:
    """A row's 合计 column = Σ its other columns (no 其中 column, no column that is another's parent)."""
    by_row: dict[tuple, list[int]] = defaultdict(list)
    for i in idx:
        r = rows[i]
        by_row[(_panel(r), r["row_label"], r.get("subject_code"), r.get("source_line"), r.get("page"))].append(i)
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
            kids = [k for c, ks in coded.items() if len(c) == len(code) + 2 and c.startswith(code) for k in ks]
            if kids:
                out.append(Identity(f"{code} = Σ下级科目", at[0], tuple(kids)))
        classes = [i for i in members if rows[i].get("level") == "类"]
        totals = [i for i in members if not rows[i].get("subject_code") and rows[i]["row_label"].endswith("合计")]
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
            between = [i for i in members if year[0] < i < grand[0] and not rows[i]["row_label"].startswith("其中")]
            heads = [i for i in between if not _ORDINAL.match(rows[i]["row_label"])]
            out.append(Identity(f"总计 = {rows[year[0]]['row_label']} + 结转结余", grand[0], (year[0], *heads)))
            for head, nxt in zip(heads, [*heads[1:], grand[0]][: len(heads)], strict=True):  # 年初结转 = Σ 一、二…
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
