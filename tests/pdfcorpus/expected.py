"""What each variant must parse to, table by table, and the score of a parsed PDF against it."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pandas as pd

from . import SEED_TABLES, Expect, Variant
from .compare import Comparison, compare, content_columns
from .content import FIXTURES, SEED, fixture

TABLES = {
    Expect.SEED_TEXT: SEED_TABLES,
    Expect.SEED_FORMS: SEED_TABLES,
    Expect.TEXT_TWIN: SEED_TABLES,
    Expect.SHANGHAI_LINES: ("figures", "units", "line_items"),
    Expect.SHANGHAI_TABLES: ("statements", "figures", "units", "line_items"),
}


def tables(variant: Variant) -> tuple[str, ...]:
    return variant.tables or TABLES[variant.expect]


SEED_FIXTURE = {
    "projects": "projects_*.csv",
    "indicators_project": "indicators_projects_*.csv",
    "indicators_department": "indicators_department.csv",
    "department_goals": "department_goals.csv",
}


def table(d, name: str) -> pd.DataFrame:
    """A tidy table of a Disclosure; indicators split by scope (project / department)."""
    if name.startswith("indicators_"):
        ind = d.indicators
        return ind[ind.scope == name.removeprefix("indicators_")].reset_index(drop=True)
    return getattr(d, name)


@cache
def seed_text():
    from juesuan import load

    return load(SEED)


def twin_text(variant: Variant):
    assert variant.twin is not None
    return _parse_lines(variant.twin)


@cache
def _parse_lines(lines: Callable[[], list[str]]):
    """Text lines parsed by the text path (via a temporary file); cached per source of lines."""
    from juesuan import load

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "twin.txt"
        path.write_text("\n".join(lines()) + "\n", encoding="utf-8")
        return load(path)


def expected(variant: Variant, name: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The expected table and the provenance columns that must agree too (page, where the variant keeps
    the original's pages and the fixture has them)."""
    if variant.expect == Expect.TEXT_TWIN:
        return table(twin_text(variant), name), ()
    if variant.expect in (Expect.SEED_TEXT, Expect.SEED_FORMS):
        if variant.expect == Expect.SEED_FORMS and name in SEED_FIXTURE:
            return fixture(SEED_FIXTURE[name]), ()
        return table(seed_text(), name), ()
    return fixture(f"{name}.csv", FIXTURES / f"putuo_{variant.sample}_2024"), ("page",)


def score(variant: Variant, d) -> list[Comparison]:
    results = []
    for name in tables(variant):
        want, keep = expected(variant, name)
        got = table(d, name)
        results.append(compare(want, got, content_columns(want, got, keep), name))
    return results
