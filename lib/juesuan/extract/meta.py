"""Document metadata: is it a disclosure, whose and which year, its doc_id, and the inventory of the nine
tables (found, printed empty, absent) that the `document` row records. Everything here reads whole-document
text; the extractors read one part each."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .. import schemas
from ..config import DOC_ID_MAX, PARSER_VERSION, TEXT
from ..read import Source, Warn
from ..segment import PART_NAMES, REQUIRED_PARTS, Passage, Segments, compact
from ..types import SourceKind, Stage
from ..values import fold
from ..vocab import EMPTY_NOTE
from .statements import table_code as title_code


def table_code(line_text: str) -> str | None:
    """Which of the nine tables a heading line names ("一、收入支出决算总表" in 第二部分's list counts
    too)."""
    return title_code(re.sub(r"^\s*(?:[一二三四五六七八九十]+[、.．]|\d+[、.．])", "", line_text))


def department(source: Source, units: list[dict], segs: Segments) -> str | None:
    if units:
        own = [u["unit_name"] for u in units if re.search(r"[（(]本级[)）]", u["unit_name"])]
        if own:
            return re.sub(r"[（(]本级[)）]", "", own[0])
    for line in source.lines:
        m = re.match(r"^单位名称[:：](\S+?)(?:填报日期|$)", compact(line.text))
        if m:
            return m.group(1)
    if "overview" in segs.parts:
        m = re.match(r"^第.部分(.+?)概况", compact(source.lines[segs.parts["overview"][0]].text))
        if m:
            return m.group(1)
    return None


def year(source: Source) -> int | None:
    years = Counter()
    for line in source.lines:
        if "算" not in line.text or "部门决算" not in compact(line.text).replace(" ", ""):
            continue
        for m in re.finditer(r"(20\d\d)年度?部门决算", compact(line.text)):
            years[int(m.group(1))] += 1
    if not years:
        for line in source.lines[:400]:
            for m in re.finditer(r"(20\d\d)年度", compact(line.text)):
                years[int(m.group(1))] += 1
    return years.most_common(1)[0][0] if years else None


def doc_id(path: Path, year: int | None, sha: str) -> str:
    """The file stem as a slug (the bundled samples keep their names), bounded so that every output name fits
    in a file name; a stem without letters gives year-sha. Two documents whose stems give one slug are told
    apart where they are written: a folder held by another document's outputs makes it slug-<sha256 prefix>
    (juesuan.outdir)."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    if len(re.sub(r"[^a-z]", "", slug)) < 3:
        return f"{year or 'unknown'}-{sha[:10]}"
    if len(slug) > DOC_ID_MAX:
        slug = f"{slug[: DOC_ID_MAX - 9].rstrip('-')}-{sha[:8]}"
    return slug


def looks_like_disclosure(source: Source, segs: Segments) -> bool:
    if segs.parts.get("explanation") or segs.parts.get("tables"):
        return True
    text = "".join(compact(ln.text) for ln in source.lines[:2000])
    return "决算" in text and bool(re.search(r"项目名称|年度目标\d|收入支出决算总表", text))


_GRADE = re.compile(r"(?:整体|部门).{0,24}?(?:级别|等级|评级)为[“\"']?(优秀|良好|优|良|中|差|合格|不合格)")


def stated_grade(lines, sections) -> dict:
    """The department's self-evaluation grade as the narrative states it
    ("…整体支出绩效评价结果级别为“优”")."""
    for sec in sections:
        for i in range(sec.start, sec.end):
            if not re.search(r"级|评", lines[i].text):
                continue
            p = Passage(lines[max(sec.start, i - 2) : i + 2])  # a window: the sentence may wrap
            m = _GRADE.search(p.text)
            if m:
                return {"dept_grade": m.group(1), "dept_grade_line": p.line_at(m.start(1)).no}
    return {"dept_grade": None, "dept_grade_line": None}


def stated_empty(lines, title) -> bool:
    """An empty table must say so (本表无数据); a title with that note on its page is empty, not absent."""
    i, w = lines.index(title), TEXT.note_window
    return any(
        ln.page == title.page and EMPTY_NOTE.search(compact(ln.text)) for ln in lines[max(0, i - w) : i + w]
    )


def table_titles(lines, segs: Segments) -> dict:
    """The line naming each of the nine tables in 第二部分; when that heading is missing, in the text
    before 情况说明 (a title must be its own short line there, not a sentence mentioning it)."""
    start, end = segs.parts.get("tables", (0, segs.parts.get("explanation", (len(lines), 0))[0]))
    titles: dict = {}
    for line in lines[start:end]:
        if len(compact(line.text)) > TEXT.heading_chars:
            continue
        code = table_code(line.text)
        if code:
            titles[code] = line  # the last mention: a table of contents comes before the tables
    return titles


@dataclass
class Inventory:
    """The nine tables and the parts as found: `empty` tables are printed without values, `absent` ones have a
    title and no cells (an image, or a table only the PDF reader can align)."""

    found: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    parts_missing: list[str] = field(default_factory=list)


def inventory(
    source: Source, segs: Segments, statements: list[dict], blank: list[str], warns: list[Warn]
) -> Inventory:
    """What is there and what is not, each gap a warning naming its line and page (appended to `warns`)."""
    lines = source.lines
    titles = table_titles(lines, segs)
    found = sorted({row["table_code"] for row in statements})
    stated = {code for code, line in titles.items() if code not in found and stated_empty(lines, line)}
    empty = [code for code in titles if code not in found and (code in blank or code in stated)]
    for code in empty:
        if code not in stated:
            warns.append(
                Warn(
                    Stage.STATEMENTS,
                    f"table {schemas.TABLE_CODES[code]} is printed with its headers "
                    "but no values and no 无数据 note: reported empty",
                    titles[code].no,
                    titles[code].page,
                )
            )
    absent = [code for code in titles if code not in found and code not in empty]
    parts_missing = [
        k for k in REQUIRED_PARTS if k not in segs.parts and not (k == "tables" and (found or titles))
    ]
    for key in parts_missing:
        warns.append(
            Warn(Stage.SEGMENT, f"part missing: {PART_NAMES[key]} (truncated or partial disclosure?)")
        )
    for code in absent:
        why = (
            "no data in the text layer (image or missing)"
            if source.kind == SourceKind.PDF
            else "its cells are not read from text input (an image in the source, or rows only the PDF "
            "reader can align)"
        )
        warns.append(
            Warn(
                Stage.STATEMENTS,
                f"table {schemas.TABLE_CODES[code]} has a title but {why}: reported absent, not zero",
                titles[code].no,
                titles[code].page,
            )
        )
    if source.kind == SourceKind.TEXT and not found and not titles:
        warns.append(Warn(Stage.STATEMENTS, "none of the nine standard tables found"))
    return Inventory(found, empty, absent, parts_missing)


_EXPECTED_SECTIONS = [f"情况说明:{label}" for label in ("一", "二", "三", "四", "五", "六", "七", "八", "九")]


def document_row(
    path: Path,
    source: Source,
    segs: Segments,
    inv: Inventory,
    *,
    doc_id: str,
    year: int | None,
    department: str | None,
    n_warnings: int,
    dept_summary: dict,
    grade: dict,
) -> dict:
    """The one row of the `document` table: identity, provenance and inventory (lists joined with "；")."""
    sections_found = [f"{PART_NAMES.get(k, k)}:{s.label}" for k in segs.sections for s in segs.sections[k]]
    return {
        "doc_id": doc_id,
        "department": department,
        "year": year,
        "source_path": str(path),
        "source_kind": source.kind,
        "sha256": source.sha256,
        "n_lines": source.n_lines or len(source.lines),
        "n_pages": source.n_pages,
        "parser_version": PARSER_VERSION,
        "parts_found": "；".join(PART_NAMES[k] for k in segs.parts),
        "parts_missing": "；".join(PART_NAMES[k] for k in inv.parts_missing),
        "sections_found": "；".join(sections_found),
        "sections_missing": "；".join(s for s in _EXPECTED_SECTIONS if s not in sections_found),
        "tables_found": "；".join(inv.found),
        "tables_empty": "；".join(inv.empty),
        "tables_absent": "；".join(inv.absent),
        "image_pages": "；".join(str(p) for p in source.image_pages),
        "n_warnings": n_warnings,
        **{
            key: float("nan") if dept_summary.get(key) is None else float(dept_summary[key])
            for key in DEPARTMENT_SUMMARY
        },
        **grade,
    }


DEPARTMENT_SUMMARY = [
    "dept_basic_wan",
    "dept_project_wan",
    "dept_budget_wan",
    "dept_executed_wan",
    "dept_exec_rate_pct",
    "dept_exec_score",
    "dept_total_score",
]
_FULLWIDTH = re.compile("[０-９\u00a0\u3000]")
LABEL_COLUMNS = {
    "units": ["unit_name"],
    "figures": ["item"],
    "line_items": ["item"],
    "projects": ["project_name", "competent_dept", "implementing_unit", "deviation_reason", "improvement"],
    "project_outputs": ["project_name", "outputs", "problems", "next_steps"],
    "department_goals": ["goal_text"],
    "indicators": ["level1", "level2", "level3"],
}


def _fold(rows: list[dict], cols: list[str]) -> None:
    """Labels compared across documents get full-width digits and odd spaces folded (evidence keeps them)."""
    for row in rows:
        for col in cols:
            if isinstance(row.get(col), str):
                row[col] = fold(row[col])


def fold_labels(tables: dict[str, list[dict]], lines) -> None:
    """Fold the label columns in place when the text has full-width digits or odd spaces (rare: look once)."""
    if any(_FULLWIDTH.search(ln.text) for ln in lines):
        for name, cols in LABEL_COLUMNS.items():
            _fold(tables[name], cols)
