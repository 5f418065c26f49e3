"""Helpers shared by the tests: fixture loading and cell-by-cell comparison."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from juesuan.config import DATA_RAW, FIXTURES

SEED = DATA_RAW / "2023-tongcheng-renshe.txt"
SEED_FIXTURES = FIXTURES / "tongcheng_2023"


def read_fixture(pattern: str, directory: Path = SEED_FIXTURES) -> pd.DataFrame:
    files = sorted(directory.glob(pattern))
    assert files, f"no fixture {pattern} in {directory}"
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


def mismatches(expected: pd.DataFrame, got: pd.DataFrame) -> list[str]:
    """Cell-by-cell comparison of a hand-checked fixture with parser output (numbers compared as numbers)."""
    problems = []
    if len(expected) != len(got):
        problems.append(f"row count: expected {len(expected)}, got {len(got)}")
    for i in range(min(len(expected), len(got))):
        for col in expected.columns:
            e, g = expected.iloc[i][col], got.iloc[i][col]
            g = "" if g is None or (not isinstance(g, str) and pd.isna(g)) else g
            if not _same(e, g):
                problems.append(f"row {i + 1} {col}: expected {e!r}, got {g!r}")
    return problems


def _same(expected: str, got: object) -> bool:
    if expected == "" or got == "":
        return expected == "" and got == ""
    try:
        return abs(float(expected) - float(got)) < 1e-9
    except (TypeError, ValueError):
        return str(expected) == str(got)
