"""Disclosure text that attacks its readers: formulas for spreadsheets, escape sequences for terminals, control
characters a workbook cannot hold. Built from the seed, run through the CLI as a user would."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from juesuan.safe import csv_cell, formula_like, terminal
from juesuan.write import csv_safe
from security.hostile import run, seed_with

HYPERLINK = '=HYPERLINK("http://evil.example","x")'
UNIT_FORMULA = "+1+cmd|'/Ccalc'!A0"
AT_FORMULA = "@SUM(1+1)"
ESCAPES = "\x1b[2J\x1b[31m\x07\x9b"  # clear screen, red, bell, a C1 CSI


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("inject")
    path = seed_with(tmp, "2023-injection.txt", {
        "项目名称 工伤病残等级鉴定费": f"项目名称 {HYPERLINK}",
        "项目名称 劳动仲裁办案专项工作经费": "项目名称 -劳动仲裁办案专项工作经费",
        "2、通城县机关事业单位养老保险局": f"2、{UNIT_FORMULA}",
        "3、通城县社会劳动保险事业管理局": f"3、{AT_FORMULA}",
        "4、通城县公共就业和人才服务局": f"4、通城县公共就业{ESCAPES}和人才服务局\x00\x08",
    })
    parsed = run("parse", path, "--out", tmp / "processed")
    exported = run("export", path, "--out", tmp / "reports")
    return tmp, parsed, exported


def test_runs_succeed(hostile):
    _, parsed, exported = hostile
    assert parsed.returncode == 0, parsed.stderr
    assert exported.returncode == 0, exported.stderr


def _workbook(tmp: Path) -> Path:
    return tmp / "reports" / "2023-injection" / "2023-injection-audit.xlsx"


def test_workbook_has_no_formula_and_marks_formula_like_text(hostile):
    tmp, _, _ = hostile
    path = _workbook(tmp)
    with zipfile.ZipFile(path) as z:  # the file itself: no <f> element anywhere
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(re.search(rb"<f[ >]", z.read(n)) for n in sheets)
    wb = load_workbook(path)
    marked = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and formula_like(c.value):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate, c.value)
                    marked.append(c.value)
    # the display keeps the document's text: the hostile names are there, as text
    assert HYPERLINK in marked and UNIT_FORMULA in marked and AT_FORMULA in marked
    assert "-劳动仲裁办案专项工作经费" in marked


def test_workbook_numbers_stay_numbers_negative_too(hostile):
    tmp, _, _ = hostile
    ws = load_workbook(_workbook(tmp))["说明数字"]
    header = [c.value for c in ws[1]]
    values = [r[header.index("数值")] for r in ws.iter_rows(min_row=2, values_only=True)]
    negative = [v for v in values if isinstance(v, float) and v < 0]
    assert negative and all(isinstance(v, int | float) for v in values if v is not None)


def test_control_characters_removed_from_workbook_and_said(hostile):
    tmp, _, exported = hostile
    ws = load_workbook(_workbook(tmp))["预算单位"]
    names = [r[4] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert "通城县公共就业[2J[31m\x9b和人才服务局" in names  # only what XML cannot hold went (ESC, BEL)
    warnings = [r for r in load_workbook(_workbook(tmp))["解析警告"].iter_rows(min_row=2, values_only=True)]
    assert any(r[1] == "export" and "control characters" in r[2] for r in warnings)
    assert "warning [export]" in exported.stdout and "control characters" in exported.stdout


def _csv_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def test_csv_cells_never_start_a_formula_and_parquet_keeps_the_text(hostile):
    tmp, _, _ = hostile
    out = tmp / "processed" / "2023-injection"
    cells = [c for f in sorted(out.glob("*.csv")) for c in _csv_cells(f)]
    assert not [c for c in cells if formula_like(c)]
    assert "'" + HYPERLINK in _csv_cells(out / "projects.csv")
    assert "'" + UNIT_FORMULA in _csv_cells(out / "units.csv") and "'" + AT_FORMULA in _csv_cells(out / "units.csv")
    assert HYPERLINK in set(pd.read_parquet(out / "projects.parquet").project_name)
    assert UNIT_FORMULA in set(pd.read_parquet(out / "units.parquet").unit_name)
    figures = pd.read_csv(out / "figures.csv")
    assert pd.api.types.is_float_dtype(figures["value"]) and (figures["value"] < 0).any()  # numbers stay numbers


def test_terminal_output_has_no_control_characters(hostile):
    _, parsed, exported = hostile
    for text in (parsed.stdout, parsed.stderr, exported.stdout, exported.stderr):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)


def test_terminal_escapes_paths_and_messages(tmp_path):
    bad = tmp_path / "evil\x1b]0;owned\x07name.txt"
    bad.write_text("just a line\n", encoding="utf-8")
    result = run("parse", bad, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "evil\\x1b]0;owned\\x07name.txt" in result.stderr
    assert terminal("a\x1b[31mb\u202ec\n") == "a\\x1b[31mb\\u202ec\\x0a"
    assert terminal("two\nlines\x07", newlines=True) == "two\nlines\\x07"


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("-3.5", "-3.5"), ("+2%", "+2%"), ("工伤=1", "工伤=1"), (-3.5, -3.5), (None, None),
])
def test_csv_rule(value, written):
    assert csv_cell(value) == written


def test_csv_safe_leaves_numeric_columns_alone():
    df = pd.DataFrame({"name": ["=1+1", "ok", None], "value": [-1.5, 2.0, None]})
    out = csv_safe(df)
    assert out["name"].tolist()[:2] == ["'=1+1", "ok"] and pd.isna(out["name"].iloc[2])
    assert out["value"].tolist()[:2] == [-1.5, 2.0] and df["name"].iloc[0] == "=1+1"
