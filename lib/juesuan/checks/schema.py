"""Pandera model of the `checks` table: one row per evaluated rule instance."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from .catalogue import SEVERITIES

STATUSES = ("pass", "fail", "not_assessable")


class Checks(pa.DataFrameModel):
    doc_id: Series[str]
    rule_id: Series[str]
    description: Series[str]
    subject: Series[str]
    status: Series[str] = pa.Field(isin=list(STATUSES))
    severity: Series[str] = pa.Field(isin=list(SEVERITIES))
    expected: Series[float] = pa.Field(nullable=True)
    actual: Series[float] = pa.Field(nullable=True)
    difference: Series[float] = pa.Field(nullable=True)
    tolerance: Series[float] = pa.Field(nullable=True)
    evidence: Series[str]

    class Config:
        strict = True
        coerce = True


COLUMNS = list(Checks.to_schema().columns)

# Chinese headers for printing and the workbook.
HEADERS = {
    "doc_id": "文档", "rule_id": "规则", "description": "规则说明", "subject": "对象", "status": "结果",
    "severity": "级别", "expected": "应为", "actual": "实际", "difference": "差额", "tolerance": "容差",
    "evidence": "证据(数值与行/页)",
}
STATUS_LABELS = {"pass": "通过", "fail": "不符", "not_assessable": "无法判断"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


def empty() -> pd.DataFrame:
    return Checks.validate(pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS}))
