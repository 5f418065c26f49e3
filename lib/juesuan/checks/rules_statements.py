"""Rules S01–S14: identities inside and across the nine statements, and narrative ↔ statements.

A blank cell is not in `statements`; inside a table that is present it counts as 0 (domain.md §6.8). A cell
OCR read but the parser withheld (`withheld`) is not in it either, and is unknown: an identity it belongs to
is not_assessable, naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from ..records import as_records
from ..records import column as column_values
from ..types import Severity, Status
from .rules_common import (
    Ctx,
    Operand,
    Outcome,
    compare_same,
    compare_sum,
    decimal_slip,
    flagged,
    from_ocr,
    na,
    norm_name,
    rule,
)
from .withheld import Withheld, cells

T1, T2, T3, T4 = "income_expenditure", "income", "expenditure", "fiscal_income_expenditure"
T5, T6, T7, T8, T9 = (
    "general_budget_expenditure",
    "general_budget_basic",
    "gov_fund",
    "state_capital",
    "three_public",
)
SHORT = {T1: "表1", T2: "表2", T3: "表3", T4: "表4", T5: "表5", T6: "表6", T7: "表7", T8: "表8", T9: "表9"}
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+[.、]|其中:)")
_ORDINAL_ROW = re.compile(r"^[一二三四五六七八九十]+、")


def lab(text: object) -> str:
    """Row label without ordinal ("八、") or spaces, NFKC."""
    return _ORDINAL.sub("", norm_name(text))


def _row_keys(row_label: object) -> tuple[str, bool]:
    """(`_lab`, `_ordinal`) of a row label: the label without its ordinal, and whether it opens with 一、…"""
    name = norm_name(row_label)
    return _ORDINAL.sub("", name), bool(_ORDINAL_ROW.match(name))


def table(ctx: Ctx, code: str) -> pd.DataFrame:
    """One statement's cells with the normalised row label (`_lab`) and whether it carries an ordinal; split
    once per document (a copy each call: some rules add columns)."""

    def make() -> dict[str, pd.DataFrame]:
        st = ctx.table("statements")
        if st.empty:
            return {}
        keys = [_row_keys(v) for v in column_values(st, "row_label")]
        st = st.assign(_lab=[k[0] for k in keys], _ordinal=[k[1] for k in keys])
        return {str(c): g for c, g in st.groupby("table_code", sort=False)}

    parts = ctx.memo("statement_tables", make)
    t = parts.get(code)  # type: ignore[union-attr]
    return t.copy() if t is not None else ctx.table("statements").iloc[0:0]


def op(r, code: str, label: str | None = None) -> Operand:
    panel = f"{r['panel']}." if isinstance(r.get("panel"), str) and r.get("panel") else ""
    page = r.get("page")
    return Operand(
        label or f"{SHORT[code]}.{panel}{r['row_label']}.{r['column']}",
        float(r["value"]),
        "",
        None,
        int(page) if pd.notna(page) else None,
        to_wan=1.0,
        ocr=from_ocr(r),
    )


def cell(
    t: pd.DataFrame,
    code: str,
    label: str | Callable[[str], bool],
    column: str | None = None,
    panel: str | None = None,
    occurrence: int = 0,
) -> Operand | None:
    want = None if callable(label) else lab(label)
    pred = label if callable(label) else (lambda s: s == want)
    hits = [k for k, s in enumerate(t["_lab"].tolist()) if pred(s)]
    if panel is not None:
        panels = _texts(t, "panel")
        hits = [k for k in hits if re.search(panel, panels[k])]
    if column is not None:
        columns = _texts(t, "column")
        hits = [k for k in hits if column in columns[k]]
    if len(hits) <= occurrence:
        return None
    return op(t.iloc[hits[occurrence]], code)


def _texts(t: pd.DataFrame, name: str) -> list[str]:
    """A column as the strings `astype(str)` gives: one list, not a filtered copy of the table per condition,
    which made a cell lookup cost a millisecond."""
    return [_text(v) for v in column_values(t, name)]


def _text(v: object) -> str:
    return "nan" if v is None else str(v)  # as `astype(str)` reads a missing value


def in_panel(cells: list[dict], panel: str) -> list[dict]:
    """The cells whose panel matches the pattern `panel` (收入/支出 of a two-sided table)."""
    return [r for r in cells if re.search(panel, _text(r.get("panel")))]


def _zero(label: str) -> Operand:
    return Operand(f"{label}(空白=0)", 0.0, to_wan=1.0)


# ── cells OCR read and the parser withheld: unknown, not 0 ──

RowPred = Callable[
    [str, str], bool
]  # (row label as printed, NFKC, no spaces; subject code digits) → a member row


def withheld(
    ctx: Ctx,
    code: str,
    row: RowPred | None = None,
    column: Callable[[str], bool] | None = None,
    label: str | None = None,
) -> list[Withheld]:
    """The withheld cells of table `code` that may be members of an identity: in a row `row` accepts (or
    labelled `label`) and a column `column` accepts (normalised). A cell whose row or column is not known may
    be anywhere."""
    want = lab(label) if label is not None else None
    out = []
    for w in cells(ctx):
        if w.table != code:
            continue
        if w.row is not None and want is not None and lab(w.row) != want:
            continue
        if w.row is not None and row is not None and not row(norm_name(w.row), w.code):
            continue
        if w.column is not None and column is not None and not column(norm_name(w.column)):
            continue
        out.append(w)
    return out


def unread(subject: str, hits: list[Withheld]) -> Outcome:
    """The instance of an identity one of whose members OCR read but the parser withheld."""
    shown = "; ".join(dict.fromkeys(w.describe(SHORT) for w in hits[:3])) + ("…" if len(hits) > 3 else "")
    return na(subject, f"含 OCR 识别后未采用的数 ({shown}), 不按 0 计")


# ── table 1 ──


def _t1_sum(ctx: Ctx, panel: str, total: str, subject: str) -> list[Outcome]:
    t = table(ctx, T1)
    if t.empty:
        return [na(subject, "无表1")]
    hits = withheld(ctx, T1, lambda s, _c: lab(s) == lab(total) or bool(_ORDINAL_ROW.match(s)))
    if hits:
        return [unread(subject, hits)]
    tot = cell(t, T1, total, panel=panel)
    members = [r for r in in_panel(rows(ctx, T1), panel) if r["_ordinal"]]
    if tot is None or not members:
        return [na(subject, f"表1未找到{total}或分项")]
    return [compare_sum(subject, tot, [op(r, T1) for r in members])]


@rule("S01")
def s01(ctx: Ctx) -> list[Outcome]:
    return _t1_sum(ctx, "收入", "本年收入合计", "表1 本年收入合计 = Σ收入")


@rule("S03")
def s03(ctx: Ctx) -> list[Outcome]:
    return _t1_sum(ctx, "支出", "本年支出合计", "表1 本年支出合计 = Σ类")


def _t1_total(ctx: Ctx, panel: str, first: str, others: tuple[str, ...], subject: str) -> list[Outcome]:
    t = table(ctx, T1)
    if t.empty:
        return [na(subject, "无表1")]
    members = {lab(x) for x in ("总计", first, *others)}
    hits = withheld(ctx, T1, lambda s, _c: lab(s) in members)
    if hits:
        return [unread(subject, hits)]
    tot, base = cell(t, T1, "总计", panel=panel), cell(t, T1, first, panel=panel)
    if tot is None or base is None:
        return [na(subject, f"表1未找到总计或{first}")]
    parts = [base] + [cell(t, T1, o, panel=panel) or _zero(o) for o in others]
    return [compare_sum(subject, tot, parts)]


@rule("S02")
def s02(ctx: Ctx) -> list[Outcome]:
    return _t1_total(ctx, "收入", "本年收入合计", ("使用非财政拨款结余", "年初结转和结余"), "表1 收入总计")


@rule("S04")
def s04(ctx: Ctx) -> list[Outcome]:
    return _t1_total(ctx, "支出", "本年支出合计", ("结余分配", "年末结转和结余"), "表1 支出总计")


@rule("S05")
def s05(ctx: Ctx) -> list[Outcome]:
    out = []
    for code in (T1, T4):
        t = table(ctx, code)
        if t.empty:
            continue
        hits = withheld(ctx, code, label="总计")
        if hits:
            out.append(unread(f"{SHORT[code]} 收入总计 = 支出总计", hits))
            continue
        a = cell(t, code, "总计", panel="收入")
        b = cell(t, code, "总计", "合计", panel="支出") or cell(t, code, "总计", panel="支出")
        if a is None or b is None:
            out.append(na(f"{SHORT[code]} 收入总计 = 支出总计", "未找到两侧总计"))
        else:
            out.append(compare_same(f"{SHORT[code]} 收入总计 = 支出总计", a, b))
    return out or [na("收入总计 = 支出总计", "无表1/表4")]


# ── per-row column identities ──


def rows(ctx: Ctx, code: str) -> list[dict]:
    """One statement's cells as dicts (missing values None) with `_lab` and `_ordinal` as `table` has them;
    every table's built once per document."""

    def make() -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for r in as_records(ctx.table("statements")):
            if r["table_code"] is None:
                continue
            r["_lab"], r["_ordinal"] = _row_keys(r["row_label"])
            out.setdefault(str(r["table_code"]), []).append(r)
        return out

    return ctx.memo("statement_rows", make).get(code, [])  # type: ignore[union-attr]


_ROW_IDENTITIES: dict[str, tuple[Callable[[str], bool], Callable[[str], bool]]] = {
    T2: (lambda c: c == "本年收入合计", lambda c: c != "本年收入合计"),
    T3: (lambda c: c == "本年支出合计", lambda c: c != "本年支出合计"),
    T4: (lambda c: c == "合计", lambda c: c != "合计" and c != "决算数"),
    T5: (lambda c: c == "合计", lambda c: c in ("基本支出", "项目支出")),
    T7: (lambda c: "支出" in c and "合计" in c, lambda c: c in ("基本支出", "项目支出")),
    T8: (lambda c: "合计" in c and "收入" not in c, lambda c: c in ("基本支出", "项目支出")),
}


@rule("S06")
def s06(ctx: Ctx) -> list[Outcome]:
    out = []
    for code, (is_total, is_part) in _ROW_IDENTITIES.items():
        groups: dict[tuple, list[dict]] = {}
        for r in rows(ctx, code):
            key = (
                r["panel"] if isinstance(r.get("panel"), str) else "",
                r["_lab"],
                r.get("subject_code") or "",
            )
            groups.setdefault(key, []).append(dict(r, column=norm_name(r["column"])))
        for g in groups.values():
            tot = [r for r in g if is_total(r["column"])]
            parts = [r for r in g if is_part(r["column"])]
            r = (tot or g)[0]
            subject = f"{SHORT[code]} {r['row_label']}: {r['column'] if tot else '合计'} = Σ栏"
            hits = withheld(ctx, code, _same_row(r), lambda c, t=is_total, p=is_part: t(c) or p(c))
            if hits:
                out.append(unread(subject, hits))
            elif tot and parts:
                out.append(compare_sum(subject, op(r, code), [op(p, code) for p in parts]))
    return out or [na("表内栏次", "无可核对的表")]


def _digits(code: object) -> str:
    return re.sub(r"\D", "", str(code or ""))


def _same_row(r: dict) -> RowPred:
    """A withheld cell is in row `r` when their subject codes agree (else their labels)."""
    digits = _digits(r.get("subject_code"))
    return lambda label, code: code == digits if code and digits else lab(label) == r["_lab"]


# ── hierarchy ──

_HIER_TABLES = (T2, T3, T5, T6, T7, T8)
_CHILD_LEN = {3: 5, 5: 7}


@rule("S07")
def s07(ctx: Ctx) -> list[Outcome]:
    out = []
    for code in _HIER_TABLES:
        cells = rows(ctx, code)
        if not cells:
            continue
        coded = [
            dict(r, subject_code=re.sub(r"\D", "", str(r["subject_code"])))
            for r in cells
            if r.get("subject_code") is not None and re.sub(r"\D", "", str(r["subject_code"]))
        ]
        any_child = {
            sc[:n] for sc in {r["subject_code"] for r in coded} for n in (3, 5) if len(sc) == _CHILD_LEN[n]
        }
        by_column: dict[str, list[dict]] = {}
        for r in coded:
            by_column.setdefault(r["column"], []).append(r)
        for column, tc in by_column.items():
            col = norm_name(column)
            in_column = withheld(ctx, code, column=lambda c, col=col: c == col)
            for parent in tc:
                pc = parent["subject_code"]
                if len(pc) not in _CHILD_LEN or pc not in any_child:
                    continue
                subject = f"{SHORT[code]} {pc} {parent['row_label']}.{column} = Σ下级"
                hits = [
                    w
                    for w in in_column
                    if w.row is None
                    or (w.code == pc or (w.code.startswith(pc) and len(w.code) == _CHILD_LEN[len(pc)]))
                ]
                if hits:
                    out.append(unread(subject, hits))
                    continue
                kids = [
                    k
                    for k in tc
                    if len(k["subject_code"]) == _CHILD_LEN[len(pc)] and k["subject_code"].startswith(pc)
                ]
                parts = [op(k, code) for k in kids] or [_zero("下级")]
                out.append(compare_sum(subject, op(parent, code), parts))
            out += _withheld_parents(code, column, tc, in_column)
            total = [r for r in cells if r["_lab"] == "合计" and r["column"] == column]
            classes = [r for r in tc if len(r["subject_code"]) == 3]
            if total and classes and code != T6:
                subject = f"{SHORT[code]} 合计.{column} = Σ类"
                hits = [w for w in in_column if w.row is None or len(w.code) == 3 or lab(w.row) == "合计"]
                out.append(
                    unread(subject, hits)
                    if hits
                    else compare_sum(subject, op(total[0], code), [op(c, code) for c in classes])
                )
    return out or [na("科目层级", "无带科目编码的表")]


def _withheld_parents(code: str, column: str, tc: list[dict], in_column: list[Withheld]) -> list[Outcome]:
    """A 类 or 款 withheld itself: no instance above stands for its identity, which cannot be judged
    either."""
    out = []
    present = {r["subject_code"] for r in tc}
    for w in in_column:
        pc = w.code
        if w.row is None or len(pc) not in _CHILD_LEN or pc in present:
            continue
        if any(len(k) == _CHILD_LEN[len(pc)] and k.startswith(pc) for k in present):
            out.append(unread(f"{SHORT[code]} {pc} {w.row}.{column} = Σ下级", [w]))
    return out


# ── across tables ──


def _t_total(ctx: Ctx, code: str, column: str) -> Operand | None:
    t = table(ctx, code)
    return None if t.empty else cell(t, code, "合计", column)


def _withheld_total(ctx: Ctx, code: str, column: str) -> list[Withheld]:
    """The withheld cells that may be what `_t_total` reads (the 合计 row, a column containing `column`)."""
    return withheld(ctx, code, label="合计", column=lambda c: column in c)


@rule("S08")
def s08(ctx: Ctx) -> list[Outcome]:
    t1, t4 = table(ctx, T1), table(ctx, T4)
    pairs: list[tuple[str, Operand | None, Operand | None, list[Withheld]]] = []
    if not t1.empty:
        for kind, code in (("收入", T2), ("支出", T3)):
            total = f"本年{kind}合计"
            pairs.append(
                (
                    f"{SHORT[code]}合计 = 表1{total}",
                    cell(t1, T1, total, panel=kind),
                    _t_total(ctx, code, total),
                    withheld(ctx, T1, label=total) + _withheld_total(ctx, code, total),
                )
            )
    if not t4.empty:
        pairs.append(
            (
                "表5合计 = 表4一般公共预算本年支出",
                cell(t4, T4, "本年支出合计", "一般公共预算", panel="支出"),
                _t_total(ctx, T5, "合计"),
                withheld(ctx, T4, label="本年支出合计", column=lambda c: "一般公共预算" in c)
                + _withheld_total(ctx, T5, "合计"),
            )
        )
    out = []
    for subject, a, b, hits in pairs:
        if hits:
            out.append(unread(subject, hits))
        elif a is None or b is None:
            out.append(na(subject, "缺少一侧"))
        else:
            out.append(compare_same(subject, a, b))
    if not t1.empty and not t4.empty:
        fiscal = [r for r in in_panel(rows(ctx, T1), "收入") if r["_ordinal"] and "财政拨款" in r["_lab"]]
        t4in = cell(t4, T4, "本年收入合计", panel="收入")
        subject = "表4本年收入合计 = 表1财政拨款收入(一+二+三)"
        hits = withheld(ctx, T4, label="本年收入合计") + withheld(
            ctx, T1, lambda s, _c: bool(_ORDINAL_ROW.match(s)) and "财政拨款" in s
        )
        if hits and (t4in is not None or fiscal):
            out.append(unread(subject, hits))
        elif t4in is not None and fiscal:
            out.append(compare_sum(subject, t4in, [op(r, T1) for r in fiscal]))
    return out or [na("表间总数", "缺少所需的表")]


def _class_rows(cells: list[dict], panel: str | None, column: str | None) -> dict[str, dict]:
    sel = in_panel(cells, panel) if panel is not None else cells
    if column is not None:
        sel = [r for r in sel if column in _text(r.get("column"))]
    if any(r.get("level") == "类" for r in sel):
        sel = [r for r in sel if r.get("level") == "类"]
    else:
        sel = [r for r in sel if r["_ordinal"]]
    return {r["_lab"]: r for r in sel}


@rule("S09")
def s09(ctx: Ctx) -> list[Outcome]:
    out = []
    for (ca, pa, cola), (cb, pb, colb) in (
        ((T1, "支出", None), (T3, None, "本年支出合计")),
        ((T4, "支出", "一般公共预算"), (T5, None, "合计")),
    ):
        ta, tb = rows(ctx, ca), rows(ctx, cb)
        if not ta or not tb:
            continue
        a, b = _class_rows(ta, pa, cola), _class_rows(tb, pb, colb)
        for name in [n for n in a if n in b]:
            out.append(compare_same(f"{name}: {SHORT[cb]} = {SHORT[ca]}", op(a[name], ca), op(b[name], cb)))
        for name in [n for n in a if n not in b] + [n for n in b if n not in a]:
            src = (ca, a[name]) if name in a else (cb, b[name])
            other = cb if name in a else ca
            col = colb if name in a else cola
            hits = withheld(
                ctx, other, label=name, column=None if col is None else lambda c, col=col: col in c
            )
            if hits:
                out.append(unread(f"{name}: 仅见于{SHORT[src[0]]}", hits))
            elif abs(float(src[1]["value"])) > 0.005:
                out.append(
                    Outcome(
                        f"{name}: 仅见于{SHORT[src[0]]}",
                        Status.FAIL,
                        None,
                        float(src[1]["value"]),
                        None,
                        0.0,
                        [op(src[1], src[0])],
                        "另一表缺少该类级科目",
                        sentence=f"{SHORT[src[0]]}列有“{name}” {float(src[1]['value']):,.2f} 万元，"
                        f"{SHORT[other]}却没有这一类级科目",
                    )
                )
    return out or [na("类级对照", "缺少表1/表3或表4/表5")]


@rule("S10")
def s10(ctx: Ctx) -> list[Outcome]:
    t = table(ctx, T6)
    if t.empty:
        return [na("表6合计", "无表6")]
    out = []
    for panel in ("人员经费", "公用经费"):
        hits = withheld(ctx, T6, lambda s, c, p=panel: len(c) == 3 or (lab(s).startswith(p) and "合计" in s))
        if hits:
            out.append(unread(f"表6 {panel}合计 = Σ类", hits))
            continue
        tot = cell(t, T6, lambda s, p=panel: s.startswith(p) and "合计" in s)
        sel = [r for r in in_panel(rows(ctx, T6), panel[:2]) if r.get("level") == "类"]
        if tot is None or not sel:
            out.append(na(f"表6 {panel}合计", "未找到合计或类级行"))
            continue
        out.append(compare_sum(f"表6 {panel}合计 = Σ类", tot, [op(r, T6) for r in sel]))
    return out


@rule("S11")
def s11(ctx: Ctx) -> list[Outcome]:
    t6 = table(ctx, T6)
    basic = _t_total(ctx, T5, "基本支出")
    hits = _withheld_total(ctx, T5, "基本支出") + withheld(ctx, T6, lambda s, _c: "合计" in s)
    if hits:
        return [unread("表5合计.基本支出 = 表6人员经费合计 + 公用经费合计", hits)]
    if t6.empty or basic is None:
        return [na("表5基本支出 = 表6", "缺少表5或表6")]
    parts = [cell(t6, T6, lambda s, p=p: s.startswith(p) and "合计" in s) for p in ("人员经费", "公用经费")]
    if any(p is None for p in parts):
        return [na("表5基本支出 = 表6", "表6缺少人员经费合计或公用经费合计")]
    return [compare_sum("表5合计.基本支出 = 表6人员经费合计 + 公用经费合计", basic, parts)]


_T9_ROWS = {
    "total": lambda s: s in ("合计", "三公经费合计") or s.startswith("合计"),
    "abroad": lambda s: s.startswith("因公出国"),
    "vehicle": lambda s: "购置及运行" in s or s in ("小计", "公务用车购置及运行费小计"),
    "purchase": lambda s: s.startswith("公务用车购置费") or s == "购置费",
    "running": lambda s: s.startswith("公务用车运行") or s == "运行费" or s == "运行维护费",
    "reception": lambda s: s.startswith("公务接待"),
}


def t9_cell(t: pd.DataFrame, key: str, column: str) -> Operand | None:
    return cell(t, T9, _T9_ROWS[key], column)


@rule("S12")
def s12(ctx: Ctx) -> list[Outcome]:
    t = table(ctx, T9)
    if t.empty:
        return [na("表9", "无表9")]
    out = []
    for column in ("预算", "决算"):
        if not t["column"].astype(str).str.contains(column).any():
            continue
        hits = withheld(ctx, T9, column=lambda c, col=column: col in c)
        if hits:
            out.append(unread(f"表9 {column}: 合计 = 出国 + 用车 + 接待", hits))
            continue
        get = {k: t9_cell(t, k, column) for k in _T9_ROWS}
        total = get["total"] or _zero(f"表9合计.{column}")
        vehicle = get["vehicle"]
        if vehicle is None and (get["purchase"] or get["running"]):
            vehicle = None  # no subtotal printed: compare the total against the four leaves instead
        parts = [get["abroad"] or _zero("因公出国"), get["reception"] or _zero("公务接待")]
        parts += (
            [vehicle]
            if vehicle is not None
            else [get["purchase"] or _zero("购置"), get["running"] or _zero("运行")]
        )
        out.append(compare_sum(f"表9 {column}: 合计 = 出国 + 用车 + 接待", total, parts))
        if vehicle is not None:
            out.append(
                compare_sum(
                    f"表9 {column}: 用车 = 购置 + 运行",
                    vehicle,
                    [get["purchase"] or _zero("购置"), get["running"] or _zero("运行")],
                )
            )
    return out or [na("表9", "表9无预算/决算栏")]


# narrative key → (table, row label or predicate, column, panel)
_NARRATIVE_LINKS: list[tuple[str, str, str, object, str | None, str | None, tuple[str, ...] | None]] = [
    ("收支总计", "grand_total", T1, "总计", None, "收入", None),
    ("本年收入合计", "income_total", T1, "本年收入合计", None, "收入", None),
    ("本年支出合计", "expenditure_total", T1, "本年支出合计", None, "支出", None),
    ("财政拨款收支总计", "fiscal_grand_total", T4, "总计", None, "收入", None),
    ("基本支出", "basic", T3, "合计", "基本支出", None, ("三",)),
    ("项目支出", "project", T3, "合计", "项目支出", None, ("三",)),
    ("一般公共预算财政拨款支出", "gb_expenditure", T5, "合计", "合计", None, None),
    ("一般公共预算基本支出", "gb_basic", T5, "合计", "基本支出", None, None),
    ("人员经费", "personnel", T6, "人员经费合计", None, None, None),
    ("公用经费", "public_funds", T6, "公用经费合计", None, None, None),
]
_T9_LINKS = [
    ("三公经费", "three_public", "total"),
    ("因公出国(境)费", "abroad", "abroad"),
    ("公务用车购置及运行费", "vehicle", "vehicle"),
    ("公务用车购置费", "vehicle_purchase", "purchase"),
    ("公务用车运行费", "vehicle_running", "running"),
    ("公务接待费", "reception", "reception"),
]


@rule("S13")
def s13(ctx: Ctx) -> list[Outcome]:
    if ctx.table("statements").empty:
        return [na("说明 ↔ 表", "无决算表数据")]
    out = []
    for name, key, code, label, column, panel, sections in _NARRATIVE_LINKS:
        t = table(ctx, code)
        fig = ctx.fig(key, sections=sections)
        if t.empty or fig is None:
            continue
        c = cell(t, code, label, column, panel)
        hits = (
            []
            if c is not None
            else withheld(
                ctx, code, label=label, column=None if column is None else lambda x, col=column: col in x
            )
        )
        if hits:
            out.append(unread(f"说明.{name} = {SHORT[code]}", hits))
        elif c is not None:
            out.append(
                _said_vs_table(
                    compare_same(f"说明.{name} = {SHORT[code]}", c, fig), name, fig, c, SHORT[code]
                )
            )
    t9 = table(ctx, T9)
    if not t9.empty:
        for name, key, row in _T9_LINKS:
            for measure, column in (("actual", "决算"), ("budget", "预算")):
                fig = ctx.fig(key, measure)
                c = t9_cell(t9, row, column)
                hits = (
                    []
                    if c is not None or fig is None
                    else withheld(
                        ctx, T9, lambda s, _c, r=row: _T9_ROWS[r](lab(s)), lambda x, col=column: col in x
                    )
                )
                if hits:
                    out.append(unread(f"说明.{name}{column} = 表9", hits))
                elif fig is not None:
                    c = c or _zero(f"表9.{name}.{column}")
                    out.append(
                        _said_vs_table(
                            compare_same(f"说明.{name}{column} = 表9", c, fig),
                            f"{name}{column}数",
                            fig,
                            c,
                            "表9",
                        )
                    )
    return out or [na("说明 ↔ 表", "说明与表没有可对应的数字")]


def _said_vs_table(o: Outcome, name: str, fig: Operand, c: Operand, table_name: str) -> Outcome:
    if o.status == Status.FAIL:
        o.sentence = (
            f"情况说明{fig.where.removeprefix('说明')}称{fig.label or name} {fig.value:,.2f} 万元，"
            f"{table_name}为 "
            f"{c.value:,.2f} 万元，相差 {abs(fig.value - c.value):,.2f} 万元"
            f"{decimal_slip(c.value, fig.value)}"
        )
    return o


@rule("S14")
def s14(ctx: Ctx) -> list[Outcome]:
    st = ctx.table("statements")
    if st.empty:
        return [na("金额非负", "无决算表数据")]
    neg = st[st["value"] < 0]
    if neg.empty:
        return [Outcome(f"全部 {len(st)} 个金额", Status.PASS, 0.0, float(st["value"].min()), None, 0.0)]
    return [
        Outcome(
            f"{SHORT.get(r['table_code'], r['table_code'])} {r['row_label']}.{r['column']}",
            Status.FAIL,
            0.0,
            float(r["value"]),
            float(r["value"]),
            0.0,
            [
                op(r, r["table_code"])
                if r["table_code"] in SHORT
                else Operand(str(r["row_label"]), float(r["value"]), to_wan=1.0, ocr=from_ocr(r))
            ],
            sentence=f"{SHORT.get(r['table_code'], r['table_code'])}“{r['row_label']}”"
            f"的“{r['column']}”为负数 "
            f"{float(r['value']):,.2f} 万元",
        )
        for _, r in neg.iterrows()
    ]


_FUND_TABLES = ((T7, "政府性基金"), (T8, "国有资本经营"))


def _listed(doc: pd.DataFrame, column: str) -> set[str]:
    if doc.empty or column not in doc:
        return set()
    return {x for x in re.split(r"[；;,，\s]+", str(doc[column].iloc[0])) if x}


@rule("S15")
def s15(ctx: Ctx) -> list[Outcome]:
    doc, t4 = ctx.table("document"), table(ctx, T4)
    found, empty, absent = (_listed(doc, c) for c in ("tables_found", "tables_empty", "tables_absent"))
    if t4.empty:
        return [na("表7/表8 空表说明", "无表4数据")]
    out = []
    for code, fund in _FUND_TABLES:
        cells = t4[t4["column"].astype(str).str.contains(fund)]
        money = float(cells["value"].abs().sum()) if not cells.empty else 0.0
        ops = [Operand(f"表4.{fund}栏金额绝对值合计", money, to_wan=1.0)]
        subject = f"{SHORT[code]}({fund})"
        hits = withheld(ctx, T4, column=lambda c, f=fund: f in c)
        if hits and money <= 0.005:  # the column's money is not known to be 0
            out.append(unread(subject, hits))
        elif code in absent:
            out.append(na(subject, f"{SHORT[code]}有标题但无文字层数据"))
        elif money > 0.005 and code in empty:
            out.append(
                flagged(
                    subject,
                    money,
                    ops,
                    f"表4有{fund}收支, {SHORT[code]}却为空表",
                    sentence=f"表4有{fund}收支 {money:,.2f} 万元，{SHORT[code]}却是空表",
                )
            )
        elif money <= 0.005 and code in found and table(ctx, code)["value"].abs().sum() > 0.005:
            out.append(
                flagged(
                    subject,
                    money,
                    ops,
                    f"表4{fund}栏为 0, {SHORT[code]}却有数据",
                    sentence=f"表4的{fund}栏为 0，{SHORT[code]}却有数据",
                )
            )
        elif code not in found and code not in empty:
            o = Outcome(subject, Status.FAIL, None, money, None, None, ops, f"未见{SHORT[code]}及空表说明")
            o.severity = Severity.WARNING
            out.append(o)
        else:
            out.append(
                Outcome(
                    subject,
                    Status.PASS,
                    None,
                    money,
                    None,
                    None,
                    ops,
                    "空表并有说明" if code in empty else "有数据",
                )
            )
    return out
