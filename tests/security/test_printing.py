"""Warnings without a line or page print (issue 9's crash), and report tables and charts take pandas.NA."""

from __future__ import annotations

import pandas as pd

from juesuan import report
from juesuan.cli import _where
from security.hostile import SEED, run


def test_parse_prints_warnings_without_a_line(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    cut = tmp_path / "2023-truncated.txt"
    cut.write_text(text[: text.index("第三部分")] + text[text.index("九、财政拨款“三公”经费支出决算情况说明"):][:1500],
                   encoding="utf-8")
    result = run("parse", cut, SEED, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "  warning [segment]: part missing: 情况说明" in result.stdout  # no line, no page: printed plainly
    assert str(SEED) in result.stdout  # and the next file still ran


def test_where_names_what_is_known():
    assert _where(12, 3) == " (line 12, page 3)"
    assert _where(pd.NA, 3) == " (page 3)"
    assert _where(None, float("nan")) == "" and _where(pd.NA, pd.NA) == ""


def test_report_table_and_bars_take_pandas_na():
    """bool(pandas.NA) raises TypeError; nullable columns (Float64, boolean) reach the notebooks' tables."""
    df = pd.DataFrame({"item": ["a", "b"], "budget": pd.array([1.0, None], dtype="Float64"),
                       "actual": pd.array([None, 2.0], dtype="Float64"),
                       "flag": pd.array([True, None], dtype="boolean"), "pct": pd.array([None, 5.0], dtype="Float64")})
    html = report.table(df, highlight="flag")
    assert html.count('<tr class="flag">') == 1 and "&lt;NA&gt;" not in html and "<NA>" not in html
    fig = report.budget_bars(df, "item", "budget", "actual", "t", pct="pct")
    assert fig.spec["data"][0]["x"] == [1.0, None] and fig.spec["data"][1]["text"] == ["", "5.0%"]
