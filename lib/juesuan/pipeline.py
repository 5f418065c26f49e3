"""read → segment → extract → validate: one disclosure file in, one validated `Disclosure` out (orchestration
only: the grammar of each part lives in its extractor, document metadata in extract.meta)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from . import collector, schemas
from .errors import InputError
from .extract import meta
from .extract.figures import extract_figures
from .extract.meta import table_code  # noqa: F401  (a heading line's table, for the checks)
from .extract.narrative import extract_line_items, extract_project_outputs, extract_units
from .extract.performance import extract_performance
from .extract.statements import extract_statements
from .model import Disclosure
from .read import Source, Warn, read_source
from .read.lines import Line, mark_rows
from .segment import Segments, segment
from .types import SourceKind


def parse(path: str | Path) -> Disclosure:
    """The whole pipeline: one disclosure file in, validated tables out (`juesuan.load`). Raises `InputError`
    on unusable input.

    In this process, with the pre-read bounds (juesuan.limits); the command line reads each input in a bounded
    worker process instead (juesuan.batch)."""
    return disclosure(read_document(path))


class Extracted(NamedTuple):
    """One read: the doc_id, each tidy table as plain rows (not yet validated), and the text lines the rules
    that read words need (so that the checks never read the file again, outside the reader's bounds)."""

    doc_id: str
    rows: dict[str, list[dict]]
    lines: list[Line]
    line_conf: dict[int, float] | None = None  # Source.line_conf: the lines OCR read
    segments: Segments | None = None  # the parts and sections of `lines`, for the checks


def disclosure(extracted: Extracted) -> Disclosure:
    """Validate the rows of one read into a Disclosure."""
    frames = {name: schemas.frame(name, table) for name, table in extracted.rows.items()}
    return Disclosure(
        doc_id=extracted.doc_id,
        lines=extracted.lines,
        line_conf=extracted.line_conf,
        segments=extracted.segments,
        **frames,
    )


def extract_rows(path: str | Path) -> tuple[str, dict[str, list[dict]]]:
    """read → segment → extract: the doc_id and each tidy table as plain rows, not yet validated."""
    extracted = read_document(path)
    return extracted.doc_id, extracted.rows


def read_document(path: str | Path) -> Extracted:
    """read → segment → extract, for `extract_rows` and the bounded reader process (the cyclic collector
    paused: juesuan.collector)."""
    with collector.paused():
        return _read_document(Path(path))


def _read_document(path: Path) -> Extracted:
    source, segs = _read(path)
    lines = source.lines
    warns: list[Warn] = list(source.warnings)
    year = meta.year(source)
    doc_id = meta.doc_id(path, year, source.sha256)
    overview = segs.sections.get("overview", [])
    explanation = segs.sections.get("explanation", [])
    performance_sections = [s for s in explanation if "绩效" in s.title]
    units = extract_units(lines, overview, doc_id)
    ocr = source.line_conf  # the lines read by OCR: figures, line items and outputs say so, with a confidence
    figures, fw = extract_figures(lines, explanation, doc_id, ocr)
    line_items = extract_line_items(lines, explanation, doc_id, ocr)
    project_outputs, pw = extract_project_outputs(lines, performance_sections, doc_id, ocr)
    start, end = segs.parts.get("attachments", (segs.parts.get("explanation", (0, 0))[1], len(lines)))
    perf, dept_summary, perf_w = extract_performance(lines, start, end, doc_id)
    mark_rows((perf[t] for t in ("projects", "department_goals", "indicators")), lines, ocr)
    statements, sw, blank = _statements(source, doc_id)
    warns += fw + pw + perf_w + sw
    inv = meta.inventory(source, segs, statements, blank, warns)
    document = meta.document_row(
        path,
        source,
        segs,
        inv,
        doc_id=doc_id,
        year=year,
        department=meta.department(source, units, segs),
        n_warnings=len(warns),
        dept_summary=dept_summary,
        grade=meta.stated_grade(lines, performance_sections),
    )
    warnings = [
        {
            "doc_id": doc_id,
            "stage": w.stage,
            "message": w.message,
            "source_line": w.source_line,
            "page": w.page,
        }
        for w in warns
    ]
    tables = {
        "document": [document],
        "units": units,
        "figures": figures,
        "line_items": line_items,
        "projects": perf["projects"],
        "project_outputs": project_outputs,
        "department_goals": perf["department_goals"],
        "indicators": perf["indicators"],
        "statements": statements,
        "warnings": warnings,
    }
    meta.fold_labels(tables, lines)
    return Extracted(doc_id, tables, source.lines, source.line_conf, segs)


def _read(path: Path) -> tuple[Source, Segments]:
    """The source and its parts, or InputError when the file is no disclosure at all."""
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a directory, not a disclosure file")
    source = read_source(path)
    if not any(ln.text.strip() for ln in source.lines):
        raise InputError(path, "no text found")
    segs = segment(source.lines)
    if not meta.looks_like_disclosure(source, segs):
        raise InputError(
            path, "not a 部门决算 disclosure (no 第…部分 structure, no 决算 tables or 情况说明 found)"
        )
    return source, segs


def _statements(source: Source, doc_id: str) -> tuple[list[dict], list[Warn], list[str]]:
    """The nine tables' cells: only a PDF's layout aligns them (text input gives none)."""
    if source.kind != SourceKind.PDF:
        return [], [], []
    return extract_statements(source, doc_id)
