"""Excel audit workbook (openpyxl): findings first, then the checks, the rule catalogue and every tidy table.

Auditors work in Excel; each sheet has Chinese headers, a frozen header row, filters and 0.00 number
formats so that the workbook is usable without any reformatting. Written atomically (temp file + rename).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import config, labels, outdir
from .analysis import budget, scoring, targets, yoy
from .batch import each, say
from .checks import findings, run_checks, summary
from .checks.catalogue import RULES
from .checks.schema import HEADERS as CHECK_HEADERS
from .checks.schema import SEVERITY_LABELS, STATUS_LABELS
from .highlights import approximate
from .model import with_doc_id
from .normalize import display_width
from .report.index import write_index
from .safe import formula_like, xml_text

HEADERS: dict[str, str] = {**CHECK_HEADERS, **labels.COLUMNS}
SHEETS = labels.SHEETS


_INT_COLUMNS = {
    "source_line",
    "page",
    "unit_no",
    "project_no",
    "goal_no",
    "year",
    "n_lines",
    "n_pages",
    "n_warnings",
    "group_size",
}
_FILLS = {"error": "F8D7DA", "warning": "FFF3CD", "info": "DDEBF7"}
_MAX_WIDTH = 60


def _cell(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, float) and v != v:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):  # numpy scalar → Python
        return v.item()
    return v


_WRAP = {
    "finding",
    "evidence",
    "also",
    "description",
    "subject",
    "formula",
    "tolerance_text",
    "message",
    "goal_text",
    "outputs",
    "problems",
    "next_steps",
    "deviation_reason",
    "improvement",
    "deviation",
    "row_deviation",
    "rule",
    "target_raw",
    "actual_raw",
    "level3",
    "project_name",
    "item",
    "原文",
}  # long text: wrapped, not cut


def _write_sheet(
    wb: Workbook,
    title: str,
    df: pd.DataFrame,
    severity_col: str | None = None,
    removed: list[int] | None = None,
    headers: dict[str, str] | None = None,
):
    ws = wb.create_sheet(title)
    cols = list(df.columns)
    names = {**HEADERS, **(headers or {})}
    ws.append([names.get(c, c) for c in cols])
    for row in df.itertuples(index=False):
        _append_row(ws, [_cell(v) for v in row], removed)
    bold = Font(bold=True)
    for c in ws[1]:
        c.font = bold
        c.alignment = Alignment(vertical="center")
    for j, col in enumerate(cols, start=1):
        letter = get_column_letter(j)
        numeric = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
        fmt = "0" if col in _INT_COLUMNS else "#,##0.00" if numeric else None
        if fmt:
            for (c,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                c.number_format = fmt
        texts = [names.get(col, col)] + [
            (f"{v:,.2f}" if isinstance(v, float) else str(v))
            for v in df[col].head(500)
            if _cell(v) is not None
        ]
        widest = max(map(display_width, texts)) + 2
        ws.column_dimensions[letter].width = min(_MAX_WIDTH, max(8, widest))
        if widest > _MAX_WIDTH or col in _WRAP:  # evidence and sentences wrap inside their column
            for (c,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                c.alignment = Alignment(wrap_text=True, vertical="top")
    if severity_col is not None and severity_col in cols:
        j = cols.index(severity_col)
        codes = {v: k for k, v in SEVERITY_LABELS.items()}
        for row in ws.iter_rows(min_row=2):
            fill = _FILLS.get(codes.get(row[j].value, ""))
            if fill:
                for c in row:
                    c.fill = PatternFill("solid", fgColor=fill)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    return ws


def _append_row(ws, values: list[object], removed: list[int] | None) -> None:
    """One row; disclosure text is always a string cell, never a formula (openpyxl makes "=…" a formula), and
    text a spreadsheet would evaluate on editing (= + - @ tab CR) is marked as text (quotePrefix), shown as
    printed. Characters XML cannot hold are removed and counted in `removed`."""
    marks = []
    for j, v in enumerate(values):
        if isinstance(v, str):
            v, n = xml_text(v)
            if n and removed is not None:
                removed.append(n)
            values[j] = v
            if formula_like(v):
                marks.append(j)
    ws.append(values)
    if marks:
        row = ws[ws.max_row]
        for j in marks:
            row[j].data_type = "s"
            row[j].quotePrefix = True


# 发现汇总 opens with the findings in plain Chinese, the largest problem first; a fact stated in several
# places is one row (its other places in 同类另见). The ranking and grouping are `checks.findings`.
FINDING_COLUMNS = [
    "finding",
    "severity",
    "amount_at_stake_wan",
    "rule_id",
    "subject",
    "expected",
    "actual",
    "difference",
    "evidence",
    "group_size",
    "also",
]


def findings_sheet(checks: pd.DataFrame) -> pd.DataFrame:
    out = findings(checks).reindex(columns=FINDING_COLUMNS)
    out["severity"] = out["severity"].map(SEVERITY_LABELS)
    return out


def _labelled(checks: pd.DataFrame) -> pd.DataFrame:
    """Statuses and severities in Chinese; a rule that passed (or could not be judged) shows no severity, so
    it never reads as a failure of that level."""
    out = checks.copy()
    out["severity"] = out["severity"].map(SEVERITY_LABELS).where(out["status"].eq("fail"), "")
    out["status"] = out["status"].map(STATUS_LABELS)
    out["subject"] = out["subject"].map(labels.plain)
    return out


def _catalogue(checks: pd.DataFrame) -> pd.DataFrame:
    s = summary(checks).set_index("rule_id") if len(checks) else pd.DataFrame()
    rows = []
    for r in RULES.values():
        counts = s.loc[r.id] if r.id in s.index else {}
        rows.append(
            {
                "rule_id": r.id,
                "description": r.description,
                "formula": r.formula,
                "severity": SEVERITY_LABELS[r.severity],
                "tolerance_text": r.tolerance,
                "tables": "、".join(r.tables),
                "pass": int(counts.get("pass", 0)),
                "fail": int(counts.get("fail", 0)),
                "not_assessable": int(counts.get("not_assessable", 0)),
                "worst": SEVERITY_LABELS.get(counts.get("worst", ""), ""),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------- analysis sheets

ANALYSIS_HEADERS = {
    "basis": "比较基准",
    "stated_change": "增减额(万元)",
    "implied_base": "推算基准数(万元)",
    "stated_pct": "文本比例(%)",
    "recomputed_pct": "重算比例(%)",
    "pct_diff": "比例差(百分点)",
    "pct_ok": "比例一致",
    "class": "分类",
    "budget": "年初预算(万元)",
    "budget_source": "预算数来源",
    "actual": "决算(万元)",
    "approx": "预算为近似值",
    "recomputed_change": "决算−预算(万元)",
    "performance": "完成/目标(倍,按方向)",
    "rule_score": "规则得分",
    "score_gap": "自评−规则(分)",
    "rule": "计分规则",
    "direction": "方向",
    "finding": "发现",
    "project_name": "项目名称",
    "weight": "分值(推断或印有)",
    "weight_source": "分值来源",
}


def yoy_sheet(disclosure) -> pd.DataFrame:
    """同比: every stated change with its implied base, the rate recomputed, and its 分类 (一致 /
    与金额不符)."""
    t = yoy.stated_changes(disclosure.figures)
    t["class"] = t["pct_ok"].map({True: "一致", False: "比例与金额不符"})
    return t[
        [
            "section",
            "item",
            "basis",
            "actual",
            "stated_change",
            "implied_base",
            "stated_pct",
            "recomputed_pct",
            "pct_diff",
            "class",
            "source_line",
            "page",
        ]
    ]


def budget_sheet(disclosure) -> pd.DataFrame:
    """预决算对比: every item with a budget, 决算/预算 recomputed, and its 分类 (超预算, 持平, …); a budget
    worked back from a rounded 完成% is marked approximate."""
    t = budget.budget_vs_actual(disclosure.figures)
    t["approx"] = t["budget_source"].map(approximate)
    t["class"] = t["status"]
    return t[
        [
            "section",
            "item",
            "budget",
            "budget_source",
            "approx",
            "actual",
            "stated_pct",
            "recomputed_pct",
            "recomputed_change",
            "class",
            "pct_ok",
            "source_line",
            "page",
        ]
    ]


def targets_sheet(disclosure) -> pd.DataFrame:
    """绩效偏差: every indicator with its direction, actual/target ratio, 分类 and 规则得分 beside the
    self-score."""
    if disclosure.indicators.empty:
        return pd.DataFrame(
            columns=[
                "scope",
                "project_name",
                "level3",
                "target_raw",
                "actual_raw",
                "performance",
                "class",
                "weight",
                "score",
                "rule_score",
                "score_gap",
                "rule",
                "source_line",
                "page",
            ]
        )
    scored = scoring.score_indicators(disclosure.indicators, disclosure.projects, disclosure.department_goals)
    t = targets.indicator_table(scored, disclosure.projects)
    t["class"] = [
        labels.deviation_class(c, d)
        for c, d in zip(scored["classification"], scored["deviation_level"], strict=True)
    ]
    t["scope"] = t["scope"].map(labels.SCOPES)
    t["direction"] = t["direction"].map(labels.DIRECTIONS)
    t["performance"] = pd.to_numeric(t["performance"], errors="coerce").where(
        lambda v: v.abs() != float("inf")
    )
    return t[
        [
            "scope",
            "project_name",
            "level1",
            "level2",
            "level3",
            "target_raw",
            "actual_raw",
            "direction",
            "performance",
            "class",
            "weight",
            "score",
            "rule_score",
            "score_gap",
            "rule",
            "finding",
            "source_line",
            "page",
        ]
    ]


def printed_tables(statements: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The nine tables laid out as printed: one frame per table, a row per printed row (cells read from one
    line of the document), panels side by side (收入 | 支出), columns in the order the table prints them. A
    table whose cells share a line and a column (the 三公 table prints its categories across) is turned so
    each category is a column."""
    out: dict[str, pd.DataFrame] = {}
    if statements.empty:
        return out
    for code, t in statements.groupby("table_code", sort=False):
        t = t.reset_index(drop=True)
        t["panel"] = t["panel"].fillna("")
        if t.duplicated(["source_line", "panel", "column"]).any() and t["panel"].eq("").all():
            wide = t.pivot_table(
                index=["column"], columns="row_label", values="value", aggfunc="first", sort=False
            )
            wide = wide.reset_index().rename(columns={"column": "栏次"})
            where = t.groupby("column", sort=False)[["page", "source_line"]].min().reset_index(drop=True)
        else:
            blocks = []
            for panel, part in t.groupby("panel", sort=False):
                prefix = f"{panel}·" if panel else ""
                labels_ = part.drop_duplicates("source_line").set_index("source_line")
                head = pd.DataFrame(
                    {f"{prefix}科目编码": labels_["subject_code"], f"{prefix}项目": labels_["row_label"]}
                )
                if head[f"{prefix}科目编码"].isna().all():
                    head = head.drop(columns=f"{prefix}科目编码")
                vals = part.pivot_table(
                    index="source_line", columns="column", values="value", aggfunc="first", sort=False
                )
                vals.columns = [f"{prefix}{c}" for c in vals.columns]
                blocks.append(head.join(vals))
            wide = pd.concat(blocks, axis=1).sort_index()
            where = t.groupby("source_line")[["page"]].min().reindex(wide.index)
            where["source_line"] = wide.index
            wide = wide.reset_index(drop=True)
            where = where.reset_index(drop=True)
        wide["page"] = where["page"].to_numpy()
        wide["source_line"] = where["source_line"].to_numpy()
        out[code] = wide
    return out


_EVIDENCE_LINE = re.compile(r"行\s*(\d+)")


def _link_targets(wb: Workbook, disclosure) -> dict[int, str]:
    """Source line → the first row that holds it in a tidy sheet ("说明数字!A12"), for links from findings."""
    where: dict[int, str] = {}
    for name in ["figures", "statements", "projects", "indicators", "line_items", "project_outputs", "units"]:
        df = getattr(disclosure, name)
        title = SHEETS[name]
        if df.empty or "source_line" not in df.columns or title not in wb.sheetnames:
            continue
        for i, line in enumerate(df["source_line"].tolist(), start=2):
            if not labels.missing(line):
                where.setdefault(int(line), f"'{title}'!A{i}")
    return where


def _add_links(ws, found: pd.DataFrame, targets: dict[int, str]) -> None:
    """Two link columns on 发现汇总: the check's row in 检查结果, and the first evidence line's row in its
    table."""
    from openpyxl.styles import Font as _Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    col = ws.max_column + 1
    for j, header in enumerate(["检查结果所在行", "证据所在行"]):
        ws.cell(1, col + j, header).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col + j)].width = 18
    link = _Font(color="0563C1", underline="single")
    for i, (index, evidence) in enumerate(zip(found.index, found["evidence"], strict=True), start=2):
        c = ws.cell(i, col, f"检查结果 第 {int(index) + 2} 行")
        c.hyperlink = Hyperlink(ref=c.coordinate, location=f"'检查结果'!A{int(index) + 2}")
        c.font = link
        lines = [int(m) for m in _EVIDENCE_LINE.findall(str(evidence))]
        target = next((targets[n] for n in lines if n in targets), None)
        if target:
            sheet, cell = target.rsplit("!", 1)
            e = ws.cell(i, col + 1, f"{sheet.strip(chr(39))} 第 {cell[1:]} 行（原文行 {lines[0]}）")
            e.hyperlink = Hyperlink(ref=e.coordinate, location=target)
            e.font = link
    ws.auto_filter.ref = ws.dimensions


def write_workbook(disclosure, checks: pd.DataFrame, path: Path, notes: list[str] | None = None) -> Path:
    """One sheet per tidy table plus 发现汇总 (findings), 检查结果 (all checks) and 规则目录 (catalogue).

    Characters a workbook cannot hold (control characters) are removed; a row in 解析警告 and `notes` say
    so."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    removed: list[int] = []
    found = findings_sheet(checks)
    summary_ws = _write_sheet(wb, "发现汇总", found, severity_col="severity", removed=removed)
    _write_sheet(wb, "检查结果", _labelled(checks), severity_col="severity", removed=removed)
    for title, make in (("同比", yoy_sheet), ("预决算对比", budget_sheet), ("绩效偏差", targets_sheet)):
        _write_sheet(wb, title, make(disclosure), removed=removed, headers=ANALYSIS_HEADERS)
    _write_sheet(wb, "规则目录", _catalogue(checks))
    for code, df in printed_tables(disclosure.statements).items():
        _write_sheet(wb, labels.STATEMENTS.get(code, code)[:31], df, removed=removed)
    for name, df in disclosure.tables().items():
        if (
            name == "warnings"
        ):  # the English message is the developer's; the reader gets a Chinese one beside it
            df = df.assign(message_zh=df["message"].map(labels.warning_text))
        _write_sheet(
            wb,
            SHEETS.get(name, name[:31]),
            df,
            removed=removed,
            headers={"message": "内容(英文,开发者用)", "message_zh": "说明"},
        )
    _add_links(summary_ws, found, _link_targets(wb, disclosure))
    if removed:
        message = (
            f"{sum(removed)} control characters in {len(removed)} cells cannot be stored in a workbook and "
            "were removed here (the CSV and Parquet tables keep them)"
        )
        ws = wb[SHEETS["warnings"]]
        cols = list(disclosure.warnings.columns)
        ws.append([{"doc_id": disclosure.doc_id, "stage": "export", "message": message}.get(c) for c in cols])
        if notes is not None:
            notes.append(message)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx.tmp", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; the workbook is a normal report file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def main(paths: list[str], out: Path | None, limits=None) -> int:
    """`juesuan export PATH… [--out DIR]`: write one audit workbook per disclosure; 2 on unusable input."""
    root = Path(out if out is not None else config.REPORTS)

    def export(path: str, disclosure) -> int:
        checks = run_checks(disclosure)
        sha = str(disclosure.document["sha256"].iloc[0])
        with outdir.claim(
            root, disclosure.doc_id, sha
        ) as place:  # beside this document's reports, never another's
            if place.doc_id != disclosure.doc_id:
                disclosure = with_doc_id(disclosure, place.doc_id)
                checks = checks.assign(doc_id=place.doc_id) if "doc_id" in checks.columns else checks
            notes: list[str] = []
            target = write_workbook(disclosure, checks, config.workbook_path(place.doc_id, root), notes)
            if (target.parent / "summary.json").exists():  # reports are there: their index links the workbook
                write_index(place.out)
        n_fail = int((checks["status"] == "fail").sum())
        say(f"{path} → {target}: {len(checks)} checks, {n_fail} findings")
        for note in notes:
            say(f"  warning [export]: {note}")
        return 0

    return each(paths, export, limits)
