"""Compare two tidy tables on their content columns: which rows are identical, which are not.

Rows are matched as a multiset (order and provenance columns aside), so a producer that changes line
numbering or row order is judged on content alone. Cells are normalised before comparing: numbers as numbers,
missing as empty, whitespace removed from text (a PDF may or may not keep the spaces a text extraction had
between CJK and digits; no value differs by whitespace alone).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

PROVENANCE = ("doc_id", "source_line", "page")


@dataclass
class Comparison:
    table: str
    expected: int
    actual: int
    identical: int
    missing: list[dict] = field(default_factory=list)  # expected rows not found in the actual table
    extra: list[dict] = field(default_factory=list)  # actual rows not in the expected table

    @property
    def share(self) -> float:
        """Identical rows over the larger of the two tables (extra rows count against the result)."""
        return self.identical / max(self.expected, self.actual) if max(self.expected, self.actual) else 1.0

    @property
    def ok(self) -> bool:
        return self.identical == self.expected == self.actual

    def summary(self, limit: int = 5) -> str:
        head = f"{self.table}: {self.identical}/{self.expected} identical ({self.actual} read)"
        rows = [f"  missing {r}" for r in self.missing[:limit]] + [
            f"  extra   {r}" for r in self.extra[:limit]
        ]
        more = len(self.missing) + len(self.extra) - len(rows)
        return "\n".join([head, *rows] + ([f"  … {more} more"] if more > 0 else []))


def normalise(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return round(float(value), 6)
    text = re.sub(r"\s+", "", str(value))
    if text in ("True", "False"):
        return text
    try:
        return round(float(text), 6)
    except ValueError:
        return text


def content_columns(expected: pd.DataFrame, actual: pd.DataFrame, keep: tuple[str, ...] = ()) -> list[str]:
    """Columns of `expected` that `actual` has too, without provenance unless kept."""
    return [c for c in expected.columns if c in actual.columns and (c not in PROVENANCE or c in keep)]


def _rows(df: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(normalise(v) for v in row) for row in df[columns].itertuples(index=False, name=None)]


def compare(expected: pd.DataFrame, actual: pd.DataFrame, columns: list[str], table: str = "") -> Comparison:
    """Share of `expected` rows found identical in `actual` on `columns`, and the rows that differ."""
    missing_cols = [c for c in columns if c not in actual.columns]
    assert not missing_cols, f"{table}: actual table lacks {missing_cols}"
    want, got = Counter(_rows(expected, columns)), Counter(_rows(actual, columns))
    same = want & got
    as_dict = lambda rows: [dict(zip(columns, r, strict=True)) for r in rows.elements()]  # noqa: E731
    return Comparison(
        table=table,
        expected=len(expected),
        actual=len(actual),
        identical=sum(same.values()),
        missing=as_dict(want - got),
        extra=as_dict(got - want),
    )
