"""Notebooks are committed clean (no outputs, no execution counts) and papermill-ready (one literal parameters cell)."""

from __future__ import annotations

import ast

import nbformat
import pytest

from juesuan import config

NOTEBOOKS = sorted(config.NOTEBOOKS.glob("*.ipynb"))
OURS = ["01_yoy_change.ipynb", "02_budget_vs_actual.ipynb", "03_target_deviation.ipynb", "05_departments.ipynb"]


def test_analysis_notebooks_exist():
    assert set(OURS) <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_outputs_or_execution_counts(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs (run nbstripout)"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"
    assert "widgets" not in nb.metadata


@pytest.mark.parametrize("path", [config.NOTEBOOKS / n for n in OURS], ids=lambda p: p.name)
def test_one_parameters_cell_of_literals(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    names = set()
    for stmt in ast.parse(tagged[0].source).body:
        assert isinstance(stmt, ast.Assign) and len(stmt.targets) == 1, ast.dump(stmt)
        ast.literal_eval(stmt.value)  # only literals: derived values belong in the next cell
        names.add(stmt.targets[0].id)
    assert {"disclosure", "prior", "processed_dir"} <= names
    assert nb.metadata["kernelspec"]["name"] == "python3"
