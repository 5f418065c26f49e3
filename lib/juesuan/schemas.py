"""One pandera model per tidy table: the column contract every stage and notebook relies on."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

MEASURES = ["actual", "prior_change", "change_pct", "share_pct", "budget", "exec_pct", "budget_change", "count"]
OPS = ["≥", "≤", ">", "<", "="]


class _Provenance(pa.DataFrameModel):
    doc_id: Series[str]
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    class Config:
        strict = True
        coerce = True


class Document(pa.DataFrameModel):
    doc_id: Series[str]
    department: Series[str] = pa.Field(nullable=True)
    year: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1990, le=2100)
    source_path: Series[str]
    source_kind: Series[str] = pa.Field(isin=["text", "pdf"])
    sha256: Series[str] = pa.Field(str_length={"min_value": 64, "max_value": 64})
    n_lines: Series[int] = pa.Field(ge=0)
    n_pages: Series[int] = pa.Field(ge=0)
    parser_version: Series[str]
    parts_found: Series[str]
    parts_missing: Series[str]
    sections_found: Series[str]
    sections_missing: Series[str]
    tables_found: Series[str]
    tables_empty: Series[str]  # present and stated empty (本表无数据)
    tables_absent: Series[str]  # title seen but no data in the text layer (image) — never reported as zero
    image_pages: Series[str]
    n_warnings: Series[int] = pa.Field(ge=0)
    # the 部门整体绩效自评表's own totals (empty when the disclosure has none)
    dept_basic_wan: Series[float] = pa.Field(nullable=True)
    dept_project_wan: Series[float] = pa.Field(nullable=True)
    dept_budget_wan: Series[float] = pa.Field(nullable=True)
    dept_executed_wan: Series[float] = pa.Field(nullable=True)
    dept_exec_rate_pct: Series[float] = pa.Field(nullable=True)
    dept_exec_score: Series[float] = pa.Field(nullable=True)
    dept_total_score: Series[float] = pa.Field(nullable=True)
    dept_grade: Series[str] = pa.Field(nullable=True)  # the 等级 the narrative states (优/良/中/差 …)
    dept_grade_line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    class Config:
        strict = True
        coerce = True


class Units(_Provenance):
    unit_no: Series[pd.Int64Dtype] = pa.Field(ge=1)
    unit_name: Series[str]


class Figures(_Provenance):
    section: Series[str]
    item: Series[str]
    measure: Series[str] = pa.Field(isin=MEASURES)
    value: Series[float]
    unit: Series[str]
    evidence: Series[str]


class LineItems(_Provenance):
    group: Series[str] = pa.Field(isin=["人员经费", "公用经费"])
    item: Series[str]
    amount_wan: Series[float]
    is_total: Series[bool]


class Projects(_Provenance):
    project_no: Series[pd.Int64Dtype] = pa.Field(ge=1, unique=True)
    project_name: Series[str]
    competent_dept: Series[str] = pa.Field(nullable=True)
    implementing_unit: Series[str] = pa.Field(nullable=True)
    category: Series[str] = pa.Field(nullable=True)
    attribute: Series[str] = pa.Field(nullable=True)
    project_type: Series[str] = pa.Field(nullable=True)
    budget_wan: Series[float] = pa.Field(nullable=True)
    executed_wan: Series[float] = pa.Field(nullable=True)
    exec_rate_pct: Series[float] = pa.Field(nullable=True)
    exec_score: Series[float] = pa.Field(nullable=True)
    total_score: Series[float] = pa.Field(nullable=True)
    deviation_reason: Series[str] = pa.Field(nullable=True)
    improvement: Series[str] = pa.Field(nullable=True)


class ProjectOutputs(_Provenance):
    project_no: Series[pd.Int64Dtype] = pa.Field(ge=1)
    project_name: Series[str]
    budget_wan: Series[float] = pa.Field(nullable=True)
    executed_wan: Series[float] = pa.Field(nullable=True)
    exec_pct: Series[float] = pa.Field(nullable=True)
    outputs: Series[str] = pa.Field(nullable=True)
    problems: Series[str] = pa.Field(nullable=True)
    next_steps: Series[str] = pa.Field(nullable=True)


class DepartmentGoals(_Provenance):
    goal_no: Series[pd.Int64Dtype] = pa.Field(ge=1)
    goal_points: Series[float] = pa.Field(nullable=True)
    goal_text: Series[str]


class Indicators(_Provenance):
    scope: Series[str] = pa.Field(isin=["department", "project"])
    project_no: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    goal_no: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    level1: Series[str] = pa.Field(nullable=True)
    level2: Series[str] = pa.Field(nullable=True)
    level3: Series[str]
    target_raw: Series[str]
    target_op: Series[str] = pa.Field(nullable=True, isin=OPS)
    target_value: Series[float] = pa.Field(nullable=True)
    target_unit: Series[str] = pa.Field(nullable=True)
    actual_raw: Series[str]
    actual_op: Series[str] = pa.Field(nullable=True, isin=OPS)
    actual_value: Series[float] = pa.Field(nullable=True)
    actual_unit: Series[str] = pa.Field(nullable=True)
    score: Series[float] = pa.Field(nullable=True)


class Statements(_Provenance):
    table_code: Series[str]
    table_title: Series[str]
    panel: Series[str] = pa.Field(nullable=True)
    row_label: Series[str]
    subject_code: Series[str] = pa.Field(nullable=True)
    level: Series[str] = pa.Field(nullable=True, isin=["类", "款", "项"])
    column: Series[str]
    value: Series[float]
    unit_printed: Series[str]


class Warnings(pa.DataFrameModel):
    doc_id: Series[str]
    stage: Series[str]
    message: Series[str]
    source_line: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    page: Series[pd.Int64Dtype] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "document": Document,
    "units": Units,
    "figures": Figures,
    "line_items": LineItems,
    "projects": Projects,
    "project_outputs": ProjectOutputs,
    "department_goals": DepartmentGoals,
    "indicators": Indicators,
    "statements": Statements,
    "warnings": Warnings,
}


def columns(table: str) -> list[str]:
    """Column order of a tidy table, from its model (so empty tables still have the right header)."""
    return list(MODELS[table].to_schema().columns)


@cache
def _empty(table: str) -> pd.DataFrame:
    return MODELS[table].validate(pd.DataFrame({c: pd.Series(dtype="object") for c in columns(table)}))


def empty(table: str) -> pd.DataFrame:
    """A validated, correctly typed table with no rows (a missing part still has the full header)."""
    return _empty(table).copy()

# Canonical keys of the nine standard tables → the canonical (Shanghai/Hubei-neutral) title.
TABLE_CODES: dict[str, str] = {
    "income_expenditure": "收入支出决算总表",
    "income": "收入决算表",
    "expenditure": "支出决算表",
    "fiscal_income_expenditure": "财政拨款收入支出决算总表",
    "general_budget_expenditure": "一般公共预算财政拨款支出决算表",
    "general_budget_basic": "一般公共预算财政拨款基本支出决算表",
    "gov_fund": "政府性基金预算财政拨款收入支出决算表",
    "state_capital": "国有资本经营预算财政拨款支出决算表",
    "three_public": "财政拨款“三公”经费支出决算表",
}


# ------------------------------------------------------------------------------------------------ fast path
# pandera's per-column machinery costs ~0.5 ms a column, which alone is twice the parse budget of a whole
# disclosure. The same contract, read off the pandera models above, checked with one vectorised pass per
# column; a check it does not know sends the table to pandera itself. tests/test_schemas.py keeps the two
# in agreement on every sample table and on broken ones.

_FAST_CHECKS = {"isin", "greater_than_or_equal_to", "less_than_or_equal_to", "str_length"}


@cache
def _schema(table: str):
    return MODELS[table].to_schema()


def _check_fails(name: str, stats: dict, s: pd.Series) -> pd.Series:
    v = s.dropna()
    if name == "isin":
        return ~v.isin(stats["allowed_values"])
    if name == "greater_than_or_equal_to":
        return v < stats["min_value"]
    if name == "less_than_or_equal_to":
        return v > stats["max_value"]
    lengths = v.str.len()
    bad = pd.Series(False, index=v.index)
    if stats.get("min_value") is not None:
        bad |= lengths < stats["min_value"]
    if stats.get("max_value") is not None:
        bad |= lengths > stats["max_value"]
    return bad


def validate_fast(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Coerce and check `df` against the table's pandera model; raises `pandera.errors.SchemaError`-compatible
    `ValueError` naming the table, column and first failing value."""
    schema = _schema(table)
    if any(ch.name not in _FAST_CHECKS for col in schema.columns.values() for ch in col.checks) or schema.checks:
        return MODELS[table].validate(df)
    if list(df.columns) != list(schema.columns):
        raise ValueError(f"{table}: columns {list(df.columns)} != {list(schema.columns)}")
    try:
        todo = {name: col.dtype.type for name, col in schema.columns.items() if df[name].dtype != col.dtype.type}
        out = df.astype(todo) if todo else df
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{table}: cannot coerce: {exc}") from None
    for name, col in schema.columns.items():
        s = out[name]
        if not col.nullable and s.isna().any():
            raise ValueError(f"{table}.{name}: missing value in row {int(s.isna().to_numpy().argmax())}")
        if col.unique and s.dropna().duplicated().any():
            raise ValueError(f"{table}.{name}: duplicate values")
        for ch in col.checks:
            bad = _check_fails(ch.name, ch.statistics, s)
            if bad.any():
                raise ValueError(f"{table}.{name}: {ch.name} {ch.statistics} fails on {s.dropna()[bad].iloc[0]!r}")
    return out
