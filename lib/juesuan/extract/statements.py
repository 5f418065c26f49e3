"""The nine standard 决算 tables, from the ruled grids the PDF reader found, as one tidy frame.

Tables are recognised by their printed title (never by position: Shanghai and Hubei order them
differently), columns by their printed headers, and numbers are placed by cell geometry. Anything
that cannot be placed with confidence becomes a warning rather than a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..config import LAYOUT, OCR, TEXT
from ..normalize import squeeze, unquote
from ..read.layout import GridCell, TableGrid
from ..read.lines import Source, Warn
from ..types import SourceKind, Stage
from ..vocab import EMPTY_MARKS, MONEY_FACTORS
from . import ocr_identities

STAGE = Stage.STATEMENTS

_UNIT_RE = re.compile(r"单位\s*[:：]\s*(万元|千元|亿元|元)")
_AMOUNT_RE = re.compile(r"^[-−－]?(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?$")
_DECIMAL_OR_COMMA_RE = re.compile(r"^[-−－]?(?:\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+\.\d+)$")
_AMOUNT_IN_TEXT_RE = re.compile(r"\d\.\d\d")
_CODE_RE = re.compile(r"^[1-9]\d{2}(?:\d{2}){0,2}$")  # a whole 类/款/项 code
_CODE_PART_RE = re.compile(r"^\d{1,7}$")  # what a code cell holds: 类, 款 or 项 digits, or a whole code
_SUBHEADER_RE = re.compile(r"^(?:小计|合计|基本支出|项目支出|人员经费|公用经费)$")
_LEADING_CODE_RE = re.compile(r"^(\d{2,7})(?=\D)")
_ORDINAL_RE = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[、.．])")
_SECTION_RE = re.compile(r"^第[一二三四五六七八九十]+部分")
# What may follow a title on its line: 单位/编制单位 clauses, "(续)", "(2024年度)"
_TITLE_TAIL_RE = re.compile(r"(?:(?:编制|金额)?单位[:：].*|续表?|[(（][^()（）]*[)）])+$")
_LEVELS = {3: "类", 5: "款", 7: "项"}
_LABEL_WARN = (
    "_label_warning"  # the warning of a row label read unsure, given unless another table confirms it
)
_TORN_LABEL_RE = re.compile(r"^[、，,.．:：;；)）]")
_TWO_PANEL = {"income_expenditure": ("收入", "支出"), "fiscal_income_expenditure": ("收入", "支出")}
_PERSONNEL = ("301", "303")
_PUBLIC = ("302", "307", "310", "399")
_THREE_PUBLIC_ITEMS = [
    ("接待", "公务接待费"),
    ("出国", "因公出国（境）费"),
    ("购置及运行", "公务用车购置及运行费"),
    ("购置费", "公务用车购置费"),
    ("运行", "公务用车运行费"),
    ("合计", "合计"),
]


@dataclass
class _Column:
    """A logical column: atomic grid columns that the body never separates."""

    x0: float
    x1: float
    path: list[str] = field(default_factory=list)  # header texts, top to bottom
    role: str = "value"  # code | label | value | skip
    name: str = ""


@dataclass
class _Table:
    code: str
    title: str
    title_line: int | None
    unit: str
    grids: list[TableGrid]


# ---------------------------------------------------------------- public entry


def extract_statements(source: Source, doc_id: str) -> tuple[list[dict], list[Warn], list[str]]:
    """One row per non-empty numeric cell of the nine tables (text input has none: tables were images),
    the warnings, and the codes of tables whose ruled grid is printed without a single value."""
    warns: list[Warn] = []
    if source.kind != SourceKind.PDF:
        return [], warns, []
    records: list[dict] = []
    blank: list[str] = []
    read = [(table, _table_records(table, warns)) for table in _assemble(source, warns)]
    # OCR: a row label read unsure in one table is confirmed when another table reads the same code and label
    # with confidence (the subject rows repeat across the tables); otherwise its values are reported unsure
    sure = {
        (r.get("subject_code"), r["row_label"])
        for _, rows in read
        for r in rows
        if not r.get(ocr_identities.UNSURE)
    }
    for table, rows in read:
        for r in rows:
            pending = r.pop(_LABEL_WARN, None)
            if pending is not None and (r.get("subject_code"), r["row_label"]) in sure:
                del r[ocr_identities.UNSURE]
            elif pending is not None:
                warns.append(pending)
        rows = ocr_identities.verify(table.title, rows, warns, MONEY_FACTORS[table.unit])
        if not rows and not any(
            _DECIMAL_OR_COMMA_RE.match(_clean(c.text)) for g in table.grids for c in g.cells
        ):
            blank.append(table.code)
        records += [{"doc_id": doc_id, **rec} for rec in rows]
    return records, warns, blank


# ---------------------------------------------------------------- titles and table assembly


def normalize_title(text: str) -> str:
    """Title text without spaces, quotes and width differences (for matching only)."""
    return unquote(squeeze(unicodedata.normalize("NFKC", text)))


def table_code(title: str) -> str | None:
    """Which of the nine tables a printed title names (None for anything else, e.g. a TOC entry)."""
    t = _TITLE_TAIL_RE.sub("", normalize_title(title))
    if not t or len(t) > TEXT.title_chars or _ORDINAL_RE.match(t) or "说明" in t or "情况" in t:
        return None
    if not (t.endswith("表") and "决算" in t):
        return None
    rules = [
        ("三公", "three_public"),
        ("政府性基金", "gov_fund"),
        ("国有资本经营", "state_capital"),
        ("基本支出", "general_budget_basic"),
    ]
    for word, code in rules:
        if word in t:
            return code
    if "一般公共预算" in t and "支出决算" in t:
        return "general_budget_expenditure"
    if "财政拨款收入支出决算总表" in t or "财政拨款收支决算总表" in t:
        return "fiscal_income_expenditure"
    if "收入支出决算总表" in t or "收支决算总表" in t:
        return "income_expenditure"
    if t.endswith("收入决算表"):
        return "income"
    if t.endswith("支出决算表"):
        return "expenditure"
    return None


def _title_of(grid: TableGrid) -> tuple[str, str, int | None] | None:
    """The nearest table title printed above the grid, else wrapped over two lines, else in its first row."""
    above = grid.lines_above
    singles = [(ln.text, ln.no) for ln in reversed(above)]
    pairs = [(a.text + b.text, a.no) for a, b in reversed(list(zip(above, above[1:], strict=False)))]
    width = len(grid.xs) - 1
    inside = [
        (text, c.line_no) for c in grid.cells if c.row == 0 and c.col_end - c.col == width for text in c.lines
    ]
    for text, no in [*singles, *pairs, *inside]:
        code = table_code(text)
        if code:
            return code, _printed_title(text), no
    return None


def _printed_title(text: str) -> str:
    """The title as printed, without spaces or a 单位 clause sharing its line."""
    return re.sub(r"(?:编制|金额)?单位[:：].*$", "", re.sub(r"\s+", "", text))


def _orphan_title(source: Source, page: int) -> tuple[str, str, int | None] | None:
    """A title (and 单位 line) printed at the foot of a page whose table starts on the next page."""
    tail = [ln for ln in source.lines if ln.page == page][-3:]
    for ln in reversed(tail):
        code = table_code(ln.text)
        if code:
            return code, _printed_title(ln.text), ln.no
    return None


def _unit_of(grid: TableGrid) -> str | None:
    """The printed 单位 above the grid or in its first rows."""
    top_cells = [text for c in grid.cells if c.row < 2 for text in c.lines]
    return _unit_in([*(ln.text for ln in grid.lines_above), *top_cells])


def _unit_in(texts: list[str]) -> str | None:
    for text in texts:
        m = _UNIT_RE.search(re.sub(r"\s+", "", text))
        if m:
            return m.group(1)
    return None


def _assemble(source: Source, warns: list[Warn]) -> list[_Table]:
    """Group grids into tables: a titled grid starts one, untitled grids on following pages continue it."""
    tables: list[_Table] = []
    used: set[int | None] = set()
    current: _Table | None = None
    first_on_page = {}
    for grid in source.tables:
        first_on_page.setdefault(grid.page, grid)
    for grid in source.tables:
        found = _title_of(grid)
        orphan_tail: list[str] = []
        if found is None and first_on_page[grid.page] is grid and grid.page - 1 not in first_on_page:
            orphan_tail = [ln.text for ln in source.lines if ln.page == grid.page - 1][-3:]
            found = _orphan_title(source, grid.page - 1)
        if (
            found
            and current is not None
            and found[0] == current.code
            and grid.page == current.grids[-1].page + 1
        ):
            current.grids.append(grid)  # the title repeated on the next page: "（续）"
            used.add(found[2])
        elif found:
            code, title, line_no = found
            unit = _unit_of(grid) or _unit_in(orphan_tail)
            if unit is None:
                warns.append(Warn(STAGE, f"{title}: no 单位 line found, assuming 万元", line_no, grid.page))
                unit = "万元"
            current = _Table(code, title, line_no, unit, [grid])
            tables.append(current)
        elif current is not None and _continues(current, grid):
            current.grids.append(grid)
        else:
            current = None
    used |= {t.title_line for t in tables}
    _warn_untabled_titles(source, used, warns)
    seen: dict[str, _Table] = {}
    for t in tables:
        if t.code in seen:
            warns.append(
                Warn(STAGE, f"table {t.title} appears twice; both read", t.title_line, t.grids[0].page)
            )
        seen[t.code] = t
    return tables


def _continues(table: _Table, grid: TableGrid) -> bool:
    """A grid with no title continues the previous table if it is on the next page and as wide."""
    last = table.grids[-1]
    if grid.page - last.page not in (0, 1):
        return False
    if any(
        _SECTION_RE.match(ln.text.strip()) or _ORDINAL_RE.match(ln.text.strip()) for ln in grid.lines_above
    ):
        return False
    first = table.grids[0]
    lo, hi = max(first.xs[0], grid.xs[0]), min(first.xs[-1], grid.xs[-1])
    return hi - lo >= LAYOUT.continued_span * max(first.xs[-1] - first.xs[0], grid.xs[-1] - grid.xs[0])


def _warn_untabled_titles(source: Source, used: set[int | None], warns: list[Warn]) -> None:
    """A table title with no ruled grid under it: the table is there but unread (image or unruled)."""
    for ln in source.lines:
        if "表" not in ln.text:  # every title of the nine ends so (no other character NFKC-folds to it)
            continue
        if ln.no not in used and table_code(ln.text) and len(normalize_title(ln.text)) <= TEXT.heading_chars:
            msg = f"table title without a ruled grid, not read: {ln.text.strip()}"
            warns.append(Warn(STAGE, msg, ln.no, ln.page))


# ---------------------------------------------------------------- one table


def _table_records(table: _Table, warns: list[Warn]) -> list[dict]:
    first = table.grids[0]
    start = _body_start(first)
    columns = _columns(first, start)
    if not any(c.role == "value" for c in columns):
        warns.append(Warn(STAGE, f"{table.title}: no value columns recognised", table.title_line, first.page))
        return []
    if any(_AMOUNT_IN_TEXT_RE.search(c.name) for c in columns if c.role == "value"):
        warns.append(
            Warn(
                STAGE,
                f"{table.title}: header and data cells run together, not read",
                table.title_line,
                first.page,
            )
        )
        return []
    panels = _panels(columns)
    records: list[dict] = []
    cover = _Cover(columns)
    for index, grid in enumerate(table.grids):
        body = start if index == 0 else _body_start(grid)
        by_row: dict[int, list[GridCell]] = {}
        for c in grid.cells:
            if c.row >= body:
                by_row.setdefault(c.row, [])
                if _clean(c.text):
                    by_row[c.row].append(c)
        for row in sorted(by_row):
            cells = by_row[row]
            for p_index, panel in enumerate(panels):
                for part in _split_unruled_rows(cells, cover, panel):
                    records += _row_records(table, grid, cover, panel, p_index, part, warns)
    return records


def _split_unruled_rows(cells: list[GridCell], cover: _Cover, panel: list[int]) -> list[list[GridCell]]:
    """A ruled cell holding several rows (the row rulings are missing): split it on the subject codes.

    Each line of the first code column (or a 合计/总计 line) starts a row; every other text line belongs
    to the last row that started above it (within half a line). Only panels with a code column are split:
    without codes, row starts cannot be told from wrapped labels, and the cell is left whole (warned).
    """
    columns = cover.columns
    mine = [c for c in cells if c.bases and set(cover(c)) & set(panel)]
    roles = {id(c): {columns[i].role for i in cover(c)} for c in mine}
    stacked = any(
        roles[id(c)] == {"value"} and sum(_amount(t) is not None for t in c.lines) >= 2 for c in mine
    )
    if not stacked or not any(roles[id(c)] == {"code"} for c in mine):
        return [cells]
    first_code = min(c.x0 for c in mine if roles[id(c)] == {"code"})
    starts = _row_starts(
        base
        for c in mine
        for text, base in zip(c.lines, c.bases, strict=True)
        if (roles[id(c)] == {"code"} and c.x0 == first_code and _CODE_PART_RE.match(_clean(text)))
        or _is_total(_clean(text))
    )
    if len(starts) < 2:
        return [cells]
    step = min(b - a for a, b in zip(starts[:-1], starts[1:], strict=True))
    parts: list[list[GridCell]] = [[] for _ in starts]
    for c in mine:
        groups: dict[int, list[int]] = {}
        for k, base in enumerate(c.bases):
            row = max(
                (i for i, start in enumerate(starts) if start <= base + LAYOUT.row_snap * step), default=0
            )
            groups.setdefault(row, []).append(k)
        for row, idx in groups.items():
            parts[row].append(_subcell(c, idx))
    return [p for p in parts if p]


def _row_starts(bases) -> list[float]:
    """Baselines that start a row, with near-equal ones (类|款|项 cells of one row) merged."""
    out: list[float] = []
    for base in sorted(bases):
        if not out or base - out[-1] > 2.0:
            out.append(base)
    return out


def _subcell(cell: GridCell, idx: list[int]) -> GridCell:
    return replace(
        cell,
        lines=[cell.lines[k] for k in idx],
        bases=[cell.bases[k] for k in idx],
        line_nos=[cell.line_nos[k] for k in idx],
        line_no=cell.line_nos[idx[0]],
    )


def _body_start(grid: TableGrid) -> int:
    """First grid row holding an amount or a subject code; everything above it is header."""
    rows = [
        c.row
        for c in grid.cells
        if any(_DECIMAL_OR_COMMA_RE.match(_clean(t)) or _CODE_RE.match(_clean(t)) for t in c.lines)
        or (c.col == 0 and _is_total(_clean(c.text)) and _blank_row(grid, c))
    ]
    return min(rows) if rows else len(grid.ys) - 1


def _blank_row(grid: TableGrid, label: GridCell) -> bool:
    """A 合计 label whose row is otherwise empty starts the body (a table printed without values); a 合计
    among other header words is a column header (三公: 合计 | 因公出国（境）费 | …)."""
    return all(not _clean(c.text) for c in grid.cells if c.row == label.row and c is not label)


@lru_cache(maxsize=8192)
def _clean(text: str) -> str:
    """The text without whitespace (str.split's whitespace is exactly re's \\s); cells are asked often."""
    return "".join(text.split())


def _columns(grid: TableGrid, body: int) -> list[_Column]:
    """Logical columns with their header path and role (code, label, value, skip)."""
    bounds = {c.col for c in grid.cells if c.row >= body} | {c.col_end for c in grid.cells if c.row >= body}
    if body >= len(grid.ys) - 1:
        bounds = {c.col for c in grid.cells} | {c.col_end for c in grid.cells}
    cuts = sorted(b for b in bounds if 0 < b < len(grid.xs) - 1)
    edges = [grid.xs[0], *(grid.xs[b] for b in cuts), grid.xs[-1]]
    columns = [_Column(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    header = sorted(
        (c for c in grid.cells if c.row < body and _is_header_text(c.text)), key=lambda c: (c.row, c.x0)
    )
    header += _subheaders_in_body(grid, body)
    covers: list[tuple[GridCell, list[int]]] = []
    for cell in header:
        idx = [
            i
            for i, col in enumerate(columns)
            if _overlap(cell.x0, cell.x1, col.x0, col.x1) >= LAYOUT.column_cover * (col.x1 - col.x0)
        ]
        covers.append((cell, idx))
        for i in idx:
            columns[i].path.append(_clean(cell.text))
    body_cells = [(c.x0, c.x1, t) for c in grid.cells if c.row >= body and (t := _clean(c.text))]
    for col in columns:
        col.role = _role(col, _body_texts(body_cells, col))
    values = [i for i, c in enumerate(columns) if c.role == "value"]
    for i in values:
        parts = [
            _clean(cell.text)
            for cell, idx in covers
            if i in idx
            and not any(columns[j].role in ("code", "label") for j in idx)
            and not (len(values) > 1 and set(values) <= set(idx))
        ]
        columns[i].name = "/".join(parts)
    return columns


def _is_header_text(text: str) -> bool:
    """Header words; 栏次 rows ("栏次", 1, 2, 3 …) only number the columns."""
    t = _clean(text)
    return bool(t) and t != "栏次" and not t.isdigit()


def _subheaders_in_body(grid: TableGrid, body: int) -> list[GridCell]:
    """Some templates print sub-headers (合计 | 基本支出 | 项目支出) in the first 合计 row."""
    row = [c for c in grid.cells if c.row == body and c.col > 0 and _clean(c.text)]
    words = [c for c in row if _SUBHEADER_RE.match(_clean(c.text))]
    return words if len(words) >= 2 else []


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _body_texts(cells: list[tuple[float, float, str]], col: _Column) -> list[str]:
    """The texts of the body cells (x0, x1, text) that lie mostly inside the column."""
    share = LAYOUT.cell_in_column
    return [t for x0, x1, t in cells if _overlap(x0, x1, col.x0, col.x1) >= share * (x1 - x0)]


def _role(col: _Column, texts: list[str]) -> str:
    """Header words first; the body content decides when the header says nothing."""
    leaf = col.path[-1] if col.path else ""
    if "行次" in leaf or "栏次" in leaf:
        return "skip"
    if any("编码" in p or "代码" in p for p in col.path) or leaf in ("类", "款", "项"):
        return "code"
    if "科目名称" in leaf or leaf in ("项目", "科目", "名称", "项目名称", "支出项目", "收入项目"):
        return "label"
    if "率" in leaf or "%" in leaf or "％" in leaf:
        return "skip"
    if not col.path and texts:
        codes = sum(bool(_CODE_RE.match(t) or re.fullmatch(r"\d{2}", t)) for t in texts)
        amounts = sum(bool(_DECIMAL_OR_COMMA_RE.match(t)) for t in texts)
        if codes > len(texts) / 2:
            return "code"
        if amounts <= len(texts) / 2:
            return "label"
    return "value"


def _panels(columns: list[_Column]) -> list[list[int]]:
    """Side-by-side panels: a new one starts where a code/label column follows a value column."""
    panels: list[list[int]] = [[]]
    prev = ""
    for i, col in enumerate(columns):
        if col.role == "skip":
            continue
        if col.role in ("code", "label") and prev == "value":
            panels.append([])
        panels[-1].append(i)
        prev = col.role
    panels = [p for p in panels if p]
    labelled = [p for p in panels if any(columns[i].role in ("code", "label") for i in p)]
    return labelled or panels  # value-only strips beside a labelled panel are page-frame margins


# ---------------------------------------------------------------- one row of one panel


@dataclass
class _Row:
    """One row of one panel: its label, subject code and value cells."""

    label: str
    code: str
    values: list[tuple[_Column, GridCell]]
    source_line: int | None
    conf: float | None = None  # OCR: the lowest confidence of its label and code cells
    unsure: str = ""  # OCR: the label or code text read below the confidence threshold


def _row_records(
    table: _Table,
    grid: TableGrid,
    cover: _Cover,
    panel: list[int],
    p_index: int,
    cells: list[GridCell],
    warns: list[Warn],
) -> list[dict]:
    columns = cover.columns
    row = _read_row(table, grid, cover, panel, cells, warns)
    if row is None:
        return []
    out = []
    for col, cell in row.values:
        value = _amount(cell.text)
        if value is None:
            text = _clean(cell.text)
            # sub-header words in the first row are no numbers either (see _subheaders_in_body)
            if text not in EMPTY_MARKS and not _SUBHEADER_RE.match(text):
                _warn_cell(table, grid, cell, f"not a number: {text!r}", warns)
                if cell.conf is not None:  # OCR: the identities this cell is part of cannot be judged
                    out.append(_placeholder(table, grid, row, col))
            continue
        if not row.label and not row.code and table.code != "three_public":
            _warn_cell(table, grid, cell, "number without a row label, not placed", warns)
            continue
        conf = _min_conf(cell.conf, row.conf)
        unsure = bool(row.unsure)  # a label or code OCR was unsure of: the identities cannot confirm it
        pending: list[Warn] = []
        if unsure:  # reported unless another table confirms the label; kept aside from the identities
            _warn_cell(
                table,
                grid,
                cell,
                f"OCR unsure of the label {row.unsure!r} (confidence {row.conf:.2f}) of "
                f"row {row.code or ''}{row.label!r}, not confirmed by another table: its value in column "
                f"{col.name or '/'.join(col.path)!r} not used",
                pending,
            )
        doubt = not unsure and cell.conf is not None and cell.conf < OCR.min_confidence
        row_label, column = row.label, col.name
        if table.code == "three_public":
            placed = _three_public_item(row.label, col.path)
            if placed is None:
                _warn_cell(table, grid, cell, f"三公 cell under {'/'.join(col.path)!r} not placed", warns)
                continue
            row_label, column = placed
        out.append(
            {
                "source_line": row.source_line or cell.line_no,
                "page": grid.page,
                "table_code": table.code,
                "table_title": table.title,
                "panel": _panel_name(table.code, p_index, row.code, row.label, columns, panel),
                "row_label": row_label,
                "subject_code": _subject_code(row.code, row.label),
                "level": _level(row.code, row.label),
                "column": column,
                "value": round(value * MONEY_FACTORS[table.unit], 6),
                "unit_printed": table.unit,
                "source": "text" if conf is None else "ocr",
                "confidence": conf,
                **({ocr_identities.UNSURE: True, _LABEL_WARN: pending[0]} if unsure else {}),
                **({ocr_identities.DOUBT: _clean(cell.text)} if doubt else {}),
            }
        )
    return out


def _placeholder(table: _Table, grid: TableGrid, row: _Row, col: _Column) -> dict:
    return {
        "source_line": row.source_line,
        "page": grid.page,
        "table_code": table.code,
        "panel": None,
        "row_label": row.label,
        "subject_code": _subject_code(row.code, row.label),
        "level": _level(row.code, row.label),
        "column": col.name,
        "value": float("nan"),
        "source": "ocr",
        ocr_identities.UNSURE: True,
    }


def _min_conf(*confs: float | None) -> float | None:
    known = [c for c in confs if c is not None]
    return min(known) if known else None


def _read_row(
    table: _Table,
    grid: TableGrid,
    cover: _Cover,
    panel: list[int],
    cells: list[GridCell],
    warns: list[Warn],
) -> _Row | None:
    """Sort a panel's cells into label, code parts and value cells by the role of the columns they cover."""
    codes: list[tuple[float, str]] = []
    labels: list[GridCell] = []
    values: list[tuple[_Column, GridCell]] = []
    columns = cover.columns
    for cell in cells:
        covered = cover(cell)
        if not set(covered) & set(panel):
            continue
        roles = {columns[i].role for i in covered}
        text = _clean(cell.text)
        value_cols = [i for i in covered if columns[i].role == "value"]
        if roles == {"code"} and re.fullmatch(r"[类款项]+", text):
            continue  # the 类/款/项 sub-header sometimes shares the first body row
        if not value_cols and _DECIMAL_OR_COMMA_RE.match(text):
            _warn_cell(table, grid, cell, f"number {text} in a code or name column, not placed", warns)
            continue
        if "label" in roles or ("code" in roles and not _CODE_PART_RE.match(text)):
            labels.append(cell)
        elif "code" in roles:
            codes.append((cell.x0, text))
        elif len(value_cols) == 1:
            values.append((columns[value_cols[0]], cell))
        else:
            _warn_cell(table, grid, cell, "number spans several columns, not placed", warns)
    label = "".join(_clean(c.text) for c in sorted(labels, key=lambda c: c.x0))
    code = "".join(t for _, t in sorted(codes))
    named = [c for c in cells if c in labels or (c.x0, _clean(c.text)) in codes]
    conf = _min_conf(*(c.conf for c in named))
    unsure = "".join(_clean(c.text) for c in named if c.conf is not None and c.conf < OCR.min_confidence)
    if not unsure and conf is not None and _TORN_LABEL_RE.match(label):
        unsure = label  # OCR dropped the start of the label (一 of "一、…" reads as a ruling)
    m = _LEADING_CODE_RE.match(label)
    if m and (not code or len(code) + len(m.group(1)) in (5, 7)):
        code, label = code + m.group(1), label[m.end() :].strip()  # "25 专用燃料费" beside its 类 "302"
    if label in ("栏次", "行次"):
        return None
    if unsure and ocr_identities.names_its_code(code, label, conf):
        unsure = ""  # OCR: a subject code and its standard name confirm each other
    return _Row(label, code, values, labels[0].line_no if labels else None, conf, unsure)


class _Cover:
    """The logical columns a cell covers, computed once per cell extent (a table asks for every cell of every
    row and panel)."""

    def __init__(self, columns: list[_Column]):
        self.columns = columns
        self._memo: dict[tuple[float, float], list[int]] = {}

    def __call__(self, cell: GridCell) -> list[int]:
        key = (cell.x0, cell.x1)
        if key not in self._memo:
            self._memo[key] = _covered_columns(cell, self.columns)
        return self._memo[key]


def _covered_columns(cell: GridCell, columns: list[_Column]) -> list[int]:
    """Logical columns a cell covers (at least half of the column, or the one it overlaps most)."""
    hits = [
        i
        for i, c in enumerate(columns)
        if _overlap(cell.x0, cell.x1, c.x0, c.x1) >= LAYOUT.column_cover * (c.x1 - c.x0)
    ]
    if hits:
        return hits
    best = max(range(len(columns)), key=lambda i: _overlap(cell.x0, cell.x1, columns[i].x0, columns[i].x1))
    return [best] if _overlap(cell.x0, cell.x1, columns[best].x0, columns[best].x1) > 0 else []


def _amount(text: str) -> float | None:
    t = _clean(text).replace("，", ",").replace("−", "-").replace("－", "-")
    t = unicodedata.normalize("NFKC", t)
    if not _AMOUNT_RE.match(t):
        return None
    return float(t.replace(",", ""))


def _subject_code(code: str, label: str) -> str | None:
    if not code or _is_total(label):
        return None
    return code


def _level(code: str, label: str) -> str | None:
    if not code or _is_total(label):
        return None
    return _LEVELS.get(len(code))


def _is_total(label: str) -> bool:
    return label.endswith("合计") or label.endswith("总计")


def _panel_name(
    code: str, p_index: int, subject: str, label: str, columns: list[_Column], panel: list[int]
) -> str | None:
    if code in _TWO_PANEL:
        names = _TWO_PANEL[code]
        for i in panel:
            for part in columns[i].path:
                if part in names:
                    return part
        return names[p_index] if p_index < len(names) else None
    if code == "general_budget_basic":
        if subject.startswith(_PERSONNEL) or "人员经费" in label:
            return "人员经费"
        if subject.startswith(_PUBLIC) or "公用经费" in label:
            return "公用经费"
        return "人员经费" if p_index == 0 else "公用经费"
    return None


def _three_public_item(label: str, path: list[str]) -> tuple[str, str] | None:
    """三公 cells: the item and 预算数/决算数 come from the header path (or the row label)."""
    tokens = [t for t in [*path, label] if t]
    column = None
    for t in tokens:
        if "预算" in t:
            column = "预算数"
        elif "决算" in t and "三公" not in t:
            column = "决算数"
    items = [t for t in tokens if "三公" not in t and "预算" not in t and "决算" not in t]
    for t in reversed(items):
        if t == "小计":
            continue  # the parent header names the item; alone, 小计 can only be the car subtotal
        for word, name in _THREE_PUBLIC_ITEMS:
            if word in t:
                return (name, column) if column else None
    if "小计" in items and column:
        return "公务用车购置及运行费", column
    return None


def _warn_cell(table: _Table, grid: TableGrid, cell: GridCell, message: str, warns: list[Warn]) -> None:
    warns.append(Warn(STAGE, f"{table.title}: {message}", cell.line_no, grid.page))
