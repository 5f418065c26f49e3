"""Pandera model of the `checks` table: one row per evaluated rule instance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ..types import Severity, Status
from .catalogue import SEVERITIES

STATUSES = (Status.PASS, Status.FAIL, Status.NOT_ASSESSABLE)


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
    amount_at_stake_wan: Series[float] = pa.Field(nullable=True, ge=0)  # money affected by a failure (万元)
    finding: Series[str]  # a failure in plain Chinese with amounts and pages ("" when not a failure)
    fact: Series[
        str
    ]  # failures of one rule sharing this key state one fact and are listed once ("" = own fact)

    class Config:
        strict = True
        coerce = True


COLUMNS = list(Checks.to_schema().columns)
_STR = Checks.to_schema().columns["doc_id"].dtype.type

# Chinese headers for printing and the workbook.
HEADERS = {
    "doc_id": "文档",
    "rule_id": "规则",
    "description": "规则说明",
    "subject": "对象",
    "status": "结果",
    "severity": "级别",
    "expected": "应为",
    "actual": "实际",
    "difference": "差额",
    "tolerance": "容差",
    "evidence": "证据(数值与行/页)",
    "amount_at_stake_wan": "涉及金额(万元)",
    "finding": "发现",
    "fact": "同一事实",
    "group_size": "同类条数",
    "also": "同类另见",
}
STATUS_LABELS = {Status.PASS: "通过", Status.FAIL: "不符", Status.NOT_ASSESSABLE: "无法判断"}
SEVERITY_LABELS = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}


_FLOATS = ("expected", "actual", "difference", "tolerance", "amount_at_stake_wan")


def frame(rows: list[dict]) -> pd.DataFrame:
    """The checks table from evaluated rows, typed as the model says. Built column by column (pandera costs
    more than all the rules together); the enumerations are checked here and tests validate the result with
    `Checks`."""
    if not rows:
        return empty()
    data = {}
    for c in COLUMNS:
        values = [r.get(c) for r in rows]
        if c in _FLOATS:
            data[c] = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
        else:
            data[c] = pd.array(["" if v is None else str(v) for v in values], dtype=_STR)
    bad = set(data["status"]) - set(STATUSES) | set(data["severity"]) - set(SEVERITIES)
    if bad:
        raise ValueError(f"checks: unknown status or severity {sorted(bad)}")
    return pd.DataFrame(data, copy=False)


def empty() -> pd.DataFrame:
    return Checks.validate(pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS}))
