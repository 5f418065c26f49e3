"""What the corpus draws: the project's own samples, as pages of lines and as performance forms.

Narrative content is the seed's lines (as the text reader returns them) and the Shanghai PDFs' lines and
table grids (as the current PDF reader returns them; only their public shape is used). The performance forms
are built from the hand-checked fixtures, so the expected result of a form is the fixture itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

ROOT = (
    Path(__file__).resolve().parents[2]
)  # the checkout (not juesuan.config: a snapshot may use another lib)
DATA_RAW = ROOT / "data" / "raw"
FIXTURES = ROOT / "tests" / "fixtures"
SEED = DATA_RAW / "2023-tongcheng-renshe.txt"
SEED_FIXTURES = FIXTURES / "tongcheng_2023"
SHANGHAI = {
    "caizhengju": DATA_RAW / "2024-shanghai-putuo-caizhengju.pdf",
    "guihuaziyuanju": DATA_RAW / "2024-shanghai-putuo-guihuaziyuanju.pdf",
}
LINES_PER_PAGE = 48  # seed lines are at most 55 CJK characters: 9 pt on A4 fits them


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fixture(pattern: str, directory: Path = SEED_FIXTURES) -> pd.DataFrame:
    files = sorted(directory.glob(pattern))
    assert files, f"no fixture {pattern} in {directory}"
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


@cache
def seed_lines() -> tuple[str, ...]:
    from juesuan.read import read_source

    return tuple(ln.text for ln in read_source(SEED).lines)


def paginate(lines: list[str] | tuple[str, ...], per_page: int = LINES_PER_PAGE) -> list[list[str]]:
    return [list(lines[i : i + per_page]) for i in range(0, len(lines), per_page)]


def seed_pages() -> list[list[str]]:
    """The seed's lines, a fixed number per page (its own page breaks are inferred, not physical)."""
    return paginate(seed_lines())


# ---------------------------------------------------------------- Shanghai: pages of lines and grids


@dataclass
class Cell:
    row: int
    row_end: int
    col: int
    col_end: int
    lines: list[str]


@dataclass
class Grid:
    """A ruled table as the reader saw it: column and row rulings (points from the top) and spanning cells."""

    xs: list[float]
    ys: list[float]
    cells: list[Cell]
    line_nos: set[int]  # reader lines the grid's cells came from (not drawn again as free text)


@dataclass
class Page:
    width: float
    height: float
    lines: list[tuple[int, str]]  # (reader line number, text), in reading order
    grids: list[Grid] = field(default_factory=list)


SNAPSHOTS = Path(__file__).parent / "data"


def snapshot_shanghai(sample: str) -> Path:
    """Write what the reader returns for a Shanghai sample (pages, lines, grids) to data/<sample>.json.

    The corpus draws from this snapshot, not from the reader under test: a change to the reader must not
    change the PDFs it is measured on. Regenerate only with a reader that matches the sample's fixtures.
    """
    import pypdfium2 as pdfium

    from juesuan.read import read_source

    path = SHANGHAI[sample]
    source = read_source(path)
    pdf = pdfium.PdfDocument(path)
    pages = [{"width": w, "height": h, "lines": [], "grids": []} for w, h in (p.get_size() for p in pdf)]
    pdf.close()
    for ln in source.lines:
        pages[ln.page - 1]["lines"].append([ln.no, ln.text])
    for t in source.tables:
        pages[t.page - 1]["grids"].append(
            {
                "xs": list(t.xs),
                "ys": list(t.ys),
                "cells": [[c.row, c.row_end, c.col, c.col_end, list(c.lines)] for c in t.cells],
                "line_nos": sorted({n for c in t.cells for n in (c.line_nos or [])}),
            }
        )
    out = SNAPSHOTS / f"{sample}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"source": path.name, "pages": pages}, ensure_ascii=False, indent=0), "utf-8")
    return out


@cache
def shanghai_pages(sample: str) -> tuple[Page, ...]:
    """One Page per page of the sample: its lines and table grids, from the committed snapshot."""
    data = json.loads((SNAPSHOTS / f"{sample}.json").read_text("utf-8"))
    return tuple(
        Page(
            p["width"],
            p["height"],
            [(no, text) for no, text in p["lines"]],
            [Grid(g["xs"], g["ys"], [Cell(*c) for c in g["cells"]], set(g["line_nos"])) for g in p["grids"]],
        )
        for p in data["pages"]
    )


def shanghai_line_pages(sample: str) -> list[list[str]]:
    """The sample's lines on their own pages (table rows as the reader joined them)."""
    return [[text for _, text in p.lines] for p in shanghai_pages(sample)]


# ---------------------------------------------------------------- performance forms from the fixtures


@dataclass
class Indicator:
    level1: str
    level2: str
    level3: str
    target: str
    actual: str
    score: str
    target_op: str = ""  # the target as (operator, value, unit), for forms that print them apart (Sichuan)
    target_value: str = ""
    target_unit: str = ""
    actual_value: str = ""


@dataclass
class ProjectForm:
    title: str
    header_line: str  # 单位名称：… 填报日期：…
    name: str
    competent_dept: str
    implementing_unit: str
    category: str
    attribute: str
    project_type: str
    budget: str
    executed: str
    exec_rate: str
    exec_score: str
    total_score: str
    deviation: str
    improvement: str
    indicators: list[Indicator]


@dataclass
class Goal:
    no: str
    points: str
    text: str
    indicators: list[Indicator]


@dataclass
class DepartmentForm:
    title: str
    unit_name: str
    basic: str
    project: str
    budget: str
    executed: str
    exec_rate: str
    exec_score: str
    total_score: str
    deviation: str
    improvement: str
    goals: list[Goal]


CATEGORIES = ("一般公共预算", "政府性基金预算项目", "国有资本经营预算项目", "社会保险基金预算项目")
ATTRIBUTES = ("持续性项目", "新增性项目")
TYPES = ("常年性项目", "延续性项目", "一次性项目")


def options(choices: tuple[str, ...], chosen: str) -> str:
    """A checkbox row as the form prints it: '1、一般公共预算 √ 2、政府性基金预算项目 □ …'."""
    assert chosen in choices, chosen
    return " ".join(f"{i}、{c} {'√' if c == chosen else '□'}" for i, c in enumerate(choices, 1))


def _indicators(df: pd.DataFrame) -> list[Indicator]:
    return [
        Indicator(
            r.level1,
            r.level2,
            r.level3,
            r.target_raw,
            r.actual_raw,
            r.score,
            r.target_op,
            r.target_value,
            r.target_unit,
            r.actual_value,
        )
        for r in df.itertuples()
    ]


def _num(text: str, decimals: int | None = None) -> str:
    value = float(text)
    return f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"


@dataclass
class SeedLayout:
    """The seed cut into runs of narrative lines and the performance forms between them."""

    blocks: list[list[str] | ProjectForm | DepartmentForm]
    ends: list[int]  # index in seed_lines() after each block


def _title_start(lines: tuple[str, ...], before: int) -> int:
    """Index of the table title above line index `before` ('2023 年度…自评表', possibly wrapped)."""
    return max(
        k
        for k in range(before)
        if re.match(r"^\d{4}年度", squash(lines[k])) and "自评表" in squash(lines[k] + lines[k + 1])
    )


def _title(lines: tuple[str, ...], start: int) -> str:
    return lines[start].strip() + ("" if "自评表" in lines[start] else lines[start + 1].strip())


def _end_after(lines: tuple[str, ...], start: int, label: str, text: str | None) -> int:
    """Index after the form's last cell: the `label` lines (a wrapped label), then the lines of `text`
    (or one line when `text` is None)."""
    i = next(k for k in range(start, len(lines)) if squash(lines[k]) and label.startswith(squash(lines[k])))
    seen = ""
    while seen != label:
        seen += squash(lines[i])
        assert label.startswith(seen), (lines[i], label)
        i += 1
    if text is None:
        return i + 1
    joined = ""
    while squash(joined) != squash(text):
        joined += lines[i]
        i += 1
        assert squash(text).startswith(squash(joined)), (lines[i - 1], text)
    return i


@cache
def seed_layout() -> SeedLayout:
    """Locate each form of the seed by its fixture rows; everything else stays narrative, line for line."""
    from juesuan import load

    lines = seed_lines()
    src = load(SEED)
    by_no = {ln.no: k for k, ln in enumerate(_seed_source_lines())}
    projects = fixture("projects_*.csv")
    inds = fixture("indicators_projects_*.csv")
    goals = fixture("department_goals.csv")
    dept_inds = fixture("indicators_department.csv")
    doc = src.document.iloc[0]

    forms: list[tuple[int, int, ProjectForm | DepartmentForm]] = []
    first = by_no[int(dept_inds.source_line.astype(int).min())]
    start = _title_start(lines, first)
    end = _end_after(lines, first, "改进措施及结果应用方案", None)
    dev_at = _end_after(lines, first, "偏差大或目标未完成原因分析", None) - 1
    dept = DepartmentForm(
        title=_title(lines, start),
        unit_name=str(doc.department),
        basic=_num(doc.dept_basic_wan),
        project=_num(doc.dept_project_wan),
        budget=_num(doc.dept_budget_wan),
        executed=_num(doc.dept_executed_wan),
        exec_rate=_num(doc.dept_exec_rate_pct, 2),
        exec_score=_num(doc.dept_exec_score),
        total_score=_num(doc.dept_total_score),
        deviation=lines[dev_at],
        improvement=lines[end - 1],
        goals=[
            Goal(
                g.goal_no, g.goal_points, g.goal_text, _indicators(dept_inds[dept_inds.goal_no == g.goal_no])
            )
            for g in goals.itertuples()
        ],
    )
    forms.append((start, end, dept))
    for p in projects.itertuples():
        at = by_no[int(p.source_line)]
        start = _title_start(lines, at)
        end = _end_after(lines, at, "改进措施及结果应用方案", p.improvement)
        header = next(t for t in lines[start:at] if t.lstrip().startswith("单位名称"))
        form = ProjectForm(
            title=_title(lines, start),
            header_line=header.strip(),
            name=p.project_name,
            competent_dept=p.competent_dept,
            implementing_unit=p.implementing_unit,
            category=p.category,
            attribute=p.attribute,
            project_type=p.project_type,
            budget=p.budget_wan,
            executed=p.executed_wan,
            exec_rate=_num(p.exec_rate_pct, 2),
            exec_score=p.exec_score,
            total_score=p.total_score,
            deviation=p.deviation_reason,
            improvement=p.improvement,
            indicators=_indicators(inds[inds.project_no == p.project_no]),
        )
        forms.append((start, end, form))

    blocks: list = []
    ends: list[int] = []
    pos = 0
    for start, end, form in sorted(forms, key=lambda f: f[0]):
        assert start >= pos, "forms overlap"
        if start > pos:
            blocks.append(list(lines[pos:start]))
            ends.append(start)
        blocks.append(form)
        ends.append(end)
        pos = end
    blocks.append(list(lines[pos:]))
    ends.append(len(lines))
    return SeedLayout(blocks, ends)


EXCERPT_PROJECTS = 6


def seed_excerpt() -> list[str]:
    """The seed up to its sixth project table (parts 一–五, the 部门整体 table and report, six projects):
    every table the seed has, at a third of its pages, for the variants that vary only the drawing."""
    layout = seed_layout()
    at = [i for i, b in enumerate(layout.blocks) if isinstance(b, ProjectForm)][EXCERPT_PROJECTS - 1]
    return list(seed_lines()[: layout.ends[at]])


def seed_excerpt_text() -> list[str]:
    """The same excerpt as the seed file has it (blank lines and printed page numbers included), which is
    what its text parse must be measured on: the reader's lines alone lose the blank lines the grammar uses."""
    last = _seed_source_lines()[len(seed_excerpt()) - 1].no
    return SEED.read_text("utf-8").split("\n")[:last]


@cache
def _seed_source_lines():
    from juesuan.read import read_source

    return tuple(read_source(SEED).lines)
