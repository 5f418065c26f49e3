"""One pandera model per tidy table: the column contract every stage and notebook relies on."""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

MEASURES = [
    "actual",
    "prior_change",
    "change_pct",
    "share_pct",
    "budget",
    "exec_pct",
    "budget_change",
    "count",
    "budget_full",
    "budget_adjusted",
]  # 全年预算 / 调整预算 where a sentence states them beside 年初预算
OPS = ["≥", "≤", ">", "<", "="]


def read_from():
    """The `source` column: "text" (a text layer) or "ocr" (read from a picture)."""
    return pa.Field(nullable=True, isin=["text", "ocr"])


def read_confidence():
    """The `confidence` column: OCR's lowest recogniser probability of the lines a row was read from."""
    return pa.Field(nullable=True, ge=0, le=1)


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
    source: Series[str] = read_from()
    confidence: Series[float] = read_confidence()


class LineItems(_Provenance):
    group: Series[str] = pa.Field(isin=["人员经费", "公用经费"])
    item: Series[str]
    amount_wan: Series[float]
    is_total: Series[bool]
    source: Series[str] = read_from()
    confidence: Series[float] = read_confidence()


class Projects(_Provenance):
    project_no: Series[pd.Int64Dtype] = pa.Field(ge=1, unique=True)
    project_name: Series[str]
    competent_dept: Series[str] = pa.Field(nullable=True)
    implementing_unit: Series[str] = pa.Field(nullable=True)
    category: Series[str] = pa.Field(nullable=True)
    attribute: Series[str] = pa.Field(nullable=True)
    project_type: Series[str] = pa.Field(nullable=True)
    initial_budget_wan: Series[float] = pa.Field(
        nullable=True
    )  # 年初预算数 (national form; Hubei prints none)
    budget_wan: Series[float] = pa.Field(nullable=True)
    executed_wan: Series[float] = pa.Field(nullable=True)
    exec_rate_pct: Series[float] = pa.Field(nullable=True)
    exec_weight: Series[float] = pa.Field(
        nullable=True, ge=0, le=100
    )  # 执行率 分值 as printed (national form)
    exec_score: Series[float] = pa.Field(nullable=True)
    total_score: Series[float] = pa.Field(nullable=True)
    deviation_reason: Series[str] = pa.Field(nullable=True)
    improvement: Series[str] = pa.Field(nullable=True)
    source: Series[str] = read_from()
    confidence: Series[float] = read_confidence()


class ProjectOutputs(_Provenance):
    project_no: Series[pd.Int64Dtype] = pa.Field(ge=1)
    project_name: Series[str]
    budget_wan: Series[float] = pa.Field(nullable=True)
    executed_wan: Series[float] = pa.Field(nullable=True)
    exec_pct: Series[float] = pa.Field(nullable=True)
    outputs: Series[str] = pa.Field(nullable=True)
    problems: Series[str] = pa.Field(nullable=True)
    next_steps: Series[str] = pa.Field(nullable=True)
    source: Series[str] = read_from()
    confidence: Series[float] = read_confidence()


class DepartmentGoals(_Provenance):
    goal_no: Series[pd.Int64Dtype] = pa.Field(ge=1)
    goal_points: Series[float] = pa.Field(nullable=True)
    goal_text: Series[str]
    source: Series[str] = read_from()
    confidence: Series[float] = read_confidence()


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
    weight: Series[float] = pa.Field(
        nullable=True, ge=0, le=100
    )  # 分值 as printed (national form; Hubei prints none)
    score: Series[float] = pa.Field(nullable=True)
    deviation: Series[str] = pa.Field(nullable=True)  # the row's 偏差原因分析及改进措施 (national form)
    source: Series[str] = read_from()
    confidence: Series[float] = read_confidence()


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
    source: Series[str] = pa.Field(
        nullable=True, isin=["text", "ocr"]
    )  # text layer, or recognised from a picture
    confidence: Series[float] = pa.Field(
        nullable=True, ge=0, le=1
    )  # OCR: lowest recogniser probability of the row's cells


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


def warm() -> None:
    """Every model's schema, fast-path plan and empty table built now. Why: pandera's first schema imports
    its dask typing (about 0.4 s) and each empty table is a pandera validation; a pool's parent does this once
    before forking its workers, instead of every worker."""
    for table in MODELS:
        _plan(table)
        _empty(table)


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
# Extractors yield plain rows (dicts). pandera's per-column machinery on a DataFrame costs ~0.5 ms a column,
# more than the whole rest of a parse; so `frame` reads the same contract off the models above, checks each
# value in Python and builds every column once with its final dtype. A check it does not know sends the
# table to pandera itself; `write` re-validates with pandera before anything reaches disk, and
# tests/test_schemas.py keeps the two in agreement on every sample table and on broken ones.

_FAST_CHECKS = {"isin", "greater_than_or_equal_to", "less_than_or_equal_to", "str_length"}


class _Column(NamedTuple):
    name: str
    dtype: object
    kind: str  # str | Int64 | int | float | bool
    nullable: bool
    unique: bool
    checks: tuple  # (check name, statistics)


def _kind(dtype) -> str:
    if isinstance(dtype, pd.StringDtype):
        return "str"
    if isinstance(dtype, pd.Int64Dtype):
        return "Int64"
    return {"int64": "int", "float64": "float", "bool": "bool"}[str(dtype)]


@cache
def _plan(table: str) -> tuple[_Column, ...] | None:
    schema = MODELS[table].to_schema()
    if schema.checks or any(
        ch.name not in _FAST_CHECKS for col in schema.columns.values() for ch in col.checks
    ):
        return None
    return tuple(
        _Column(
            name,
            col.dtype.type,
            _kind(col.dtype.type),
            col.nullable,
            col.unique,
            tuple((ch.name, ch.statistics) for ch in col.checks),
        )
        for name, col in schema.columns.items()
    )


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, (float, np.floating)) and v != v)


def _as_int(v):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or v != int(v):
        raise ValueError(f"not an integer: {v!r}")
    return int(v)


def _coerce(col: _Column, values: list) -> list:
    if col.kind == "str":
        return [v if type(v) is str else None if _missing(v) else str(v) for v in values]
    if col.kind == "float":
        return [v if type(v) is float else np.nan if _missing(v) else float(v) for v in values]
    if col.kind == "bool":
        if not all(isinstance(v, (bool, np.bool_)) for v in values):
            raise ValueError("not a boolean")
        return values
    return [v if type(v) is int else None if _missing(v) else _as_int(v) for v in values]


def _fails(check: str, stats: dict, v) -> bool:
    if check == "isin":
        return v not in stats["allowed_values"]
    if check == "greater_than_or_equal_to":
        return v < stats["min_value"]
    if check == "less_than_or_equal_to":
        return v > stats["max_value"]
    lo, hi = stats.get("min_value"), stats.get("max_value")
    return (lo is not None and len(v) < lo) or (hi is not None and len(v) > hi)


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """The validated, typed table of `rows` (dicts keyed by column; a missing key is a null). Raises
    `ValueError` naming the table, column and first failing value, where pandera would fail."""
    if not rows:
        return empty(table)
    plan = _plan(table)
    if plan is None:
        return MODELS[table].validate(pd.DataFrame(rows, columns=columns(table)))
    names = {col.name for col in plan}
    for row in rows:
        if not row.keys() <= names:
            raise ValueError(f"{table}: unknown columns {sorted(set(row) - names)}")
    data = {}
    for col in plan:
        try:
            values = _coerce(col, [row.get(col.name) for row in rows])
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"{table}.{col.name}: cannot coerce: {exc}") from None
        present = [v for v in values if v is not None and v == v]  # v == v: not NaN
        if not col.nullable and len(present) < len(values):
            first = next(i for i, v in enumerate(values) if _missing(v))
            raise ValueError(f"{table}.{col.name}: missing value in row {first}")
        if col.unique and len(set(present)) < len(present):
            raise ValueError(f"{table}.{col.name}: duplicate values")
        for check, stats in col.checks:
            bad = next((v for v in present if _fails(check, stats, v)), None)
            if bad is not None:
                raise ValueError(f"{table}.{col.name}: {check} {stats} fails on {bad!r}")
        try:
            data[col.name] = (
                pd.array(values, dtype=col.dtype)
                if col.kind in ("str", "Int64")
                else np.array(values, dtype=col.dtype)
            )
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"{table}.{col.name}: cannot coerce: {exc}") from None
    return pd.DataFrame(data, copy=False)


def _arrow_fails(check: str, stats: dict, a):
    """`_fails` over a whole Arrow column without nulls."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if check == "isin":
        return pc.invert(pc.is_in(a, value_set=pa.array(list(stats["allowed_values"]), type=a.type)))
    if check == "greater_than_or_equal_to":
        return pc.less(a, stats["min_value"])
    if check == "less_than_or_equal_to":
        return pc.greater(a, stats["max_value"])
    n = pc.utf8_length(a)
    lo, hi = stats.get("min_value"), stats.get("max_value")
    lo_bad = pc.less(n, lo if lo is not None else 0)
    return pc.or_(lo_bad, pc.greater(n, hi)) if hi is not None else lo_bad


def arrow(df: pd.DataFrame):
    """The table as Arrow, as `DataFrame.to_parquet(index=False)` converts it (so one conversion serves
    both)."""
    import pyarrow as pa

    return pa.Table.from_pandas(df, preserve_index=False)


def validate(table: str, df: pd.DataFrame, as_arrow=None) -> pd.DataFrame:
    """pandera's verdict on a finished table, cheaply: a table whose columns already have the model's dtypes
    (as `frame` builds them) is checked column by column from the same plan on its Arrow form (`as_arrow`, or
    converted here), with no coercion to do; anything else goes to pandera itself. Returns the table; raises
    ValueError (fast path) or a pandera error where pandera fails. tests/test_schemas.py keeps the two in
    agreement."""
    import pyarrow.compute as pc

    plan = _plan(table)
    dtypes = dict(zip(df.columns, df.dtypes, strict=True))  # not df[name] per column: a Series each
    if (
        plan is None
        or len(df.columns) != len(plan)
        or dtypes.keys() != {c.name for c in plan}
        or any(dtypes[c.name] != c.dtype for c in plan)
    ):
        return MODELS[table].validate(df)
    at = arrow(df) if as_arrow is None else as_arrow
    for col in plan:
        a = at.column(col.name)  # NaN of a float column is null here, as pandera counts it
        if not col.nullable and a.null_count:
            raise ValueError(
                f"{table}.{col.name}: missing value in row {pc.index(pc.is_null(a), True).as_py()}"
            )
        if col.unique and pc.count_distinct(a).as_py() < len(a) - a.null_count:
            raise ValueError(f"{table}.{col.name}: duplicate values")
        present = pc.drop_null(a) if a.null_count else a  # nulls never fail a check, as in pandera
        for check, stats in col.checks:
            bad = _arrow_fails(check, stats, present)
            if pc.any(bad).as_py():
                raise ValueError(
                    f"{table}.{col.name}: {check} {stats} fails on {pc.filter(present, bad)[0].as_py()!r}"
                )
    return df
