"""Cells of the nine tables that OCR read but the parser did not use (extract.ocr_identities,
extract.statements).

A withheld cell is not in `statements`, like a blank one; but a blank cell is 0 and a withheld one is unknown.
An identity that has a withheld cell among its members cannot be judged: its instance is not_assessable,
naming the cell, never a failure or a pass computed with 0 in its place. The parser says which cells it
withheld only in its warnings (the one record of them that outlives the parse, in Parquet too), each naming
its table, row, column, page and line; they are read back here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..extract import ocr_identities
from ..extract.statements import table_code
from .rules_common import Ctx, as_int

_QUOTED = r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
# "<title>: OCR unsure of '8.5O' (confidence 0.41) in row '2010601 行政运行', column '基本支出', and …:
#  value not used"
# "<title>: OCR read 16.00 in row '2010601 行政运行', column '基本支出', and it fails … value not used"
_VALUE = re.compile(
    rf"^(?P<title>[^:：]+): OCR (?:unsure of .*? \(confidence [\d.]+\)|read \S+) in row {_QUOTED}, "
    rf"column {_QUOTED}, and .*value not used$"
)
# "<title>: OCR unsure of the label '行攻运行' (confidence 0.62) of row 2010601'行攻运行', not confirmed by
# another table: its value in column '基本支出' not used"
_LABEL = re.compile(
    rf"^(?P<title>[^:：]+): OCR unsure of the label .*? of row (?P<code>\d*){_QUOTED}, not confirmed "
    rf"by another table: its value in column {_QUOTED} not used$"
)
# "<title>: not a number: '1,2O4.5'" (an OCR cell: its row is found by page and line among the cells read)
_NOT_A_NUMBER = re.compile(r"^(?P<title>[^:：]+): not a number: ")
_ROW = re.compile(r"^(\d{3,7})\s+(.*)$")


@dataclass(frozen=True)
class Withheld:
    """One cell OCR read and the parser withheld. `row`/`column` None: not known (matches any)."""

    table: str
    code: str  # subject code digits, "" when the row has none (or is not known)
    row: str | None
    column: str | None
    page: int | None
    line: int | None

    def describe(self, short: dict[str, str]) -> str:
        cell = f"{self.row or '某行'}.{self.column or '某栏'}"
        where = ", ".join(
            x for x in (f"行{self.line}" if self.line else "", f"第{self.page}页" if self.page else "") if x
        )
        return f"{short.get(self.table, self.table)} {cell}" + (f" ({where})" if where else "")


def _unquote(s: str) -> str:
    return s[1:-1].replace("\\'", "'").replace('\\"', '"').replace("\\\\", "\\")


def cells(ctx: Ctx) -> list[Withheld]:
    """Every withheld cell of the document, from the statements stage's warnings; computed once."""
    return ctx.memo("withheld", lambda: _read(ctx))  # type: ignore[return-value]


def _read(ctx: Ctx) -> list[Withheld]:
    out: list[Withheld] = []
    statements = ctx.records("statements")
    ocr_pages = {r.get("page") for r in statements if r.get("source") == "ocr"}
    for w in ctx.records("warnings"):
        if w.get("stage") != ocr_identities.STAGE:
            continue
        msg, page, line = str(w.get("message") or ""), as_int(w.get("page")), as_int(w.get("source_line"))
        m = _VALUE.match(msg) or _LABEL.match(msg)
        if m:
            code = table_code(m.group("title"))
            if code is None:
                continue
            groups = [g for g in m.groups()[1:] if g is not None and g[:1] in "'\""]
            row, column = _unquote(groups[0]), _unquote(groups[1])
            digits = m.groupdict().get("code") or ""
            if not digits:
                rm = _ROW.match(row)
                digits, row = (rm.group(1), rm.group(2)) if rm else ("", row)
            out.append(Withheld(code, digits, row, column, page, line))
            continue
        m = _NOT_A_NUMBER.match(msg)
        code = table_code(m.group("title")) if m else None
        if code is None or page not in ocr_pages:  # a text-layer cell that is no number: there is no value
            continue
        same = [
            r
            for r in statements
            if r.get("table_code") == code and r.get("page") == page and as_int(r.get("source_line")) == line
        ]
        if same:
            out.append(
                Withheld(
                    code, str(same[0].get("subject_code") or ""), str(same[0]["row_label"]), None, page, line
                )
            )
        else:
            out.append(Withheld(code, "", None, None, page, line))
    return out
