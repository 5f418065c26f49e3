"""The `Disclosure` object and `load()`: the library's front door."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

TABLES = [
    "document",
    "units",
    "figures",
    "line_items",
    "projects",
    "project_outputs",
    "department_goals",
    "indicators",
    "statements",
    "warnings",
]


@dataclass
class Disclosure:
    """Every tidy table of one disclosure, validated. `warnings` lists what the parser was unsure of."""

    doc_id: str
    document: pd.DataFrame
    units: pd.DataFrame
    figures: pd.DataFrame
    line_items: pd.DataFrame
    projects: pd.DataFrame
    project_outputs: pd.DataFrame
    department_goals: pd.DataFrame
    indicators: pd.DataFrame
    statements: pd.DataFrame
    warnings: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "doc_id"}

    @property
    def department(self) -> str | None:
        return self.document["department"].iloc[0]

    @property
    def year(self) -> int | None:
        y = self.document["year"].iloc[0]
        return None if pd.isna(y) else int(y)


def load(path: str | Path) -> Disclosure:
    """Parse a disclosure (text or PDF) into validated tidy tables. Raises `InputError` on unusable input."""
    from .pipeline import parse

    return parse(path)


def load_or_report(path: str | Path) -> Disclosure | None:
    """For the CLI: the Disclosure, or None after printing one line naming the file and the problem."""
    import sys

    from .errors import InputError

    try:
        return load(path)
    except InputError as exc:
        print(f"juesuan: error: {exc}", file=sys.stderr)
        return None
