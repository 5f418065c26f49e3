"""HTML → PDF with weasyprint: performance tables as real ruled forms, the nine tables as ruled grids.

Layouts follow the templates (see /work/shared/domain.md §4 and the seed text): seven columns
(form label | 一级 | 二级 | 三级 | 年初目标值 | 实际完成值 | 得分), narrow enough that labels wrap, cells
vertically centred, 一级 (and repeated 二级) labels merged over the rows they cover, and the indicator
table's column header in <thead> so a table continued on the next page repeats it.
"""

from __future__ import annotations

from functools import cache
from html import escape
from itertools import groupby
from pathlib import Path

from .content import (
    ATTRIBUTES,
    CATEGORIES,
    TYPES,
    DepartmentForm,
    Indicator,
    Page,
    ProjectForm,
    options,
    seed_layout,
    shanghai_pages,
)
from .fonts import CJK_FAMILY

CSS = f"""
@page {{ size: A4; margin: 18mm 16mm 18mm 16mm;
        @bottom-center {{ content: counter(page); font: 9pt '{CJK_FAMILY}'; }} }}
body {{ font-family: '{CJK_FAMILY}'; font-size: 9pt; line-height: 1.5; }}
.ln {{ white-space: pre; margin: 0; }}
h3 {{ font-size: 12pt; text-align: center; margin: 8pt 0 4pt 0; break-after: avoid; }}
.hd {{ margin: 0 0 2pt 0; break-after: avoid; }}
table {{ border-collapse: collapse; table-layout: fixed; width: 100%; font-size: 9pt; line-height: 1.35; }}
table + table {{ margin-top: -0.5pt; }}
td, th {{ border: 0.75pt solid #000; padding: 1.5pt 2pt; vertical-align: middle; text-align: center;
         font-weight: normal; overflow-wrap: anywhere; }}
td.l {{ text-align: left; }}
td.open-top {{ border-top: none; }} th.open-bottom {{ border-bottom: none; }}
tr {{ break-inside: avoid; }}
.grid td {{ font-size: 8pt; padding: 1pt 2pt; }}
"""

# form label | 一级 | 二级 | 三级 | 年初目标值 | 实际完成值 | 得分 (percent of the width)
COLS = (6, 6, 11, 35, 16, 16, 10)


def _colgroup() -> str:
    return "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in COLS) + "</colgroup>"


def td(text: str, colspan: int = 1, rowspan: int = 1, cls: str = "") -> str:
    attrs = (f' colspan="{colspan}"' if colspan > 1 else "") + (
        f' rowspan="{rowspan}"' if rowspan > 1 else ""
    )
    attrs += f' class="{cls}"' if cls else ""
    return f"<td{attrs}>{escape(text)}</td>"


def tr(*cells: str) -> str:
    return "<tr>" + "".join(cells) + "</tr>"


def _budget_rows(total_label: str, budget: str, executed: str, rate: str, score: str) -> list[str]:
    return [
        tr(
            td("预算执行情况（万元）", colspan=2, rowspan=2),
            td(""),
            td("预算数（A)"),
            td("执行数(B)"),
            td("执行率(B/A)"),
            td("得分（20分*执行率）（20分）"),
        ),
        tr(td(total_label), td(budget), td(executed), td(rate), td(score)),
    ]


def _indicator_rows(indicators: list[Indicator]) -> list[str]:
    """Indicator rows with 一级 merged over its run and 二级 merged where the same label repeats."""
    rows: list[list[str]] = [[] for _ in indicators]
    i = 0
    for _, run1 in groupby(indicators, key=lambda x: x.level1):
        run1 = list(run1)
        rows[i].append(td(run1[0].level1, rowspan=len(run1)))
        j = i
        for _, run2 in groupby(run1, key=lambda x: x.level2):
            run2 = list(run2)
            rows[j].append(td(run2[0].level2, rowspan=len(run2)))
            j += len(run2)
        i += len(run1)
    for cells, ind in zip(rows, indicators, strict=True):
        cells += [td(ind.level3, cls="l"), td(ind.target), td(ind.actual), td(ind.score)]
    return [tr(*cells) for cells in rows]


def _tail_rows(total: str, deviation: str, improvement: str) -> list[str]:
    return [
        tr(td("总分", colspan=6), td(total)),
        tr(td("偏差大或目标未完成原因分析", colspan=2), td(deviation, colspan=5, cls="l")),
        tr(td("改进措施及结果应用方案", colspan=2), td(improvement, colspan=5, cls="l")),
    ]


INDICATOR_HEAD = ("一级指标", "二级指标", "三级指标", "年初目标值（A)", "实际完成值(B)", "得分")


def project_form(f: ProjectForm) -> str:
    """Two tables that read as one form: the project block, then the indicators with a repeating header."""
    info = [
        tr(td("项目名称", colspan=2), td(f.name, colspan=5)),
        tr(
            td("主管部门", colspan=2),
            td(f.competent_dept, colspan=2),
            td("项目实施单位"),
            td(f.implementing_unit, colspan=2),
        ),
        tr(td("项目类别", colspan=2), td(options(CATEGORIES, f.category), colspan=5, cls="l")),
        tr(td("项目属性", colspan=2), td(options(ATTRIBUTES, f.attribute), colspan=5, cls="l")),
        tr(td("项目类型", colspan=2), td(options(TYPES, f.project_type), colspan=5, cls="l")),
        *_budget_rows("年度财政资金总额", f.budget, f.executed, f.exec_rate, f.exec_score),
    ]
    head = '<th class="open-bottom"></th>' + "".join(f"<th>{escape(h)}</th>" for h in INDICATOR_HEAD)
    rows = _indicator_rows(f.indicators)
    rows[0] = rows[0].replace(
        "<tr>", "<tr>" + td("年度绩效目标（80分）", rowspan=len(rows), cls="open-top"), 1
    )
    return (
        f"<h3>{escape(f.title)}</h3><p class='hd'>{escape(f.header_line)}</p>"
        f"<table>{_colgroup()}<tbody>{''.join(info)}</tbody></table>"
        f"<table>{_colgroup()}<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows + _tail_rows(f.total_score, f.deviation, f.improvement))}</tbody></table>"
    )


def department_form(f: DepartmentForm) -> str:
    rows = [
        tr(td("单位名称", colspan=2), td(f.unit_name, colspan=5)),
        tr(
            td("基本支出总额", colspan=2),
            td(f.basic, colspan=2),
            td("项目支出总额"),
            td(f.project, colspan=2),
        ),
        *_budget_rows("部门整体支出总额", f.budget, f.executed, f.exec_rate, f.exec_score),
    ]
    for g in f.goals:
        rows.append(tr(td(f"年度目标{g.no}：（{g.points}分）", colspan=2), td(g.text, colspan=5, cls="l")))
        body = _indicator_rows(g.indicators)
        rows.append(tr(td("年度绩效指标", rowspan=len(body) + 1), *(td(h) for h in INDICATOR_HEAD)))
        rows += body
    rows += _tail_rows(f.total_score, f.deviation, f.improvement)
    return f"<h3>{escape(f.title)}</h3><table>{_colgroup()}<tbody>{''.join(rows)}</tbody></table>"


def _lines(lines: list[str]) -> str:
    return "".join(f"<p class='ln'>{escape(t)}</p>" for t in lines)


def render(body: str, out: Path | None = None, css: str = CSS) -> bytes | None:
    """The HTML body as PDF, written to `out` (or returned as bytes)."""
    from weasyprint import CSS as WCSS
    from weasyprint import HTML

    return HTML(string=f"<html><body>{body}</body></html>").write_pdf(out, stylesheets=[WCSS(string=css)])


def seed_forms(out: Path) -> None:
    """8a: the whole seed, narrative line for line, its 27 performance tables as ruled forms."""
    out.write_bytes(_seed_forms_pdf())


@cache
def _seed_forms_pdf() -> bytes:
    """Rendered once per process (the re-drawn variants start from it too)."""
    parts = []
    for block in seed_layout().blocks:
        if isinstance(block, ProjectForm):
            parts.append(project_form(block))
        elif isinstance(block, DepartmentForm):
            parts.append(department_form(block))
        else:
            parts.append(_lines(block))
    return render("".join(parts))


def layout_forms(layout: str, out: Path) -> None:
    """The seed's parts 一–五 line for line, then project tables in another template layout as ruled forms."""
    from . import layouts

    parts = [_lines(layouts.narrative())]
    parts += [layouts.html_form(title, widths, rows) for title, widths, rows in layouts.forms(layout)]
    render("".join(parts), out)


def _grid_table(grid, page: Page) -> str:
    """A reader grid re-drawn as an HTML table with the same column proportions and spans."""
    widths = [b - a for a, b in zip(grid.xs, grid.xs[1:], strict=False)]
    total = sum(widths)
    cols = "".join(f'<col style="width:{100 * w / total:.2f}%">' for w in widths)
    by_row: dict[int, list] = {}
    for c in grid.cells:
        by_row.setdefault(c.row, []).append(c)
    rows = []
    for r in range(len(grid.ys) - 1):
        cells = sorted(by_row.get(r, []), key=lambda c: c.col)
        rows.append(tr(*(td("".join(c.lines), c.col_end - c.col, c.row_end - c.row) for c in cells)))
    width = 100 * total / (page.width - 2 * 16 * 72 / 25.4)
    return (
        f"<table class='grid' style='width:{min(width, 100):.1f}%'><colgroup>{cols}</colgroup>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def shanghai_tables(sample: str, out: Path) -> None:
    """8b: a Shanghai sample page by page, its lines as text and its table grids as ruled HTML tables."""
    parts = []
    for page in shanghai_pages(sample):
        owner = {no: g for g in page.grids for no in g.line_nos}
        body, drawn = [], set()
        for no, text in page.lines:
            grid = owner.get(no)
            if grid is None:
                body.append(_lines([text]))
            elif id(grid) not in drawn:
                drawn.add(id(grid))
                body.append(_grid_table(grid, page))
        body += [_grid_table(g, page) for g in page.grids if id(g) not in drawn]
        size = "landscape" if page.width > page.height else "portrait"
        parts.append(f"<div class='{size}' style='break-after: page'>{''.join(body)}</div>")
    css = CSS + "@page wide { size: A4 landscape; } .landscape { page: wide; }"
    render("".join(parts), out, css)
