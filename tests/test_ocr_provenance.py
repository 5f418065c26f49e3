"""Where a value was read from travels with it: rows of the performance forms say "ocr" or "text" (and how sure
OCR was), and a check whose operand came from a picture says so in its evidence."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

import juesuan
from juesuan.checks import run_checks
from juesuan.config import DATA_RAW
from juesuan.read.lines import Line, mark_rows

SEED = DATA_RAW / "2023-tongcheng-renshe.txt"


def test_form_rows_take_the_lowest_confidence_of_their_own_lines_up_to_the_next_row():
    lines = [Line(10, 3, "项目1"), Line(11, 3, "指标A 100"), Line(12, 3, "（续）"), Line(13, 3, "指标B 90"),
             Line(14, 4, "下一页"), Line(20, 4, "指标C 80")]
    conf = {11: 0.97, 12: 0.61, 13: 0.88, 14: 0.42}  # line 10 and 20 from a text layer
    project = {"source_line": 10, "page": 3}
    a, b, c = ({"source_line": n, "page": p} for n, p in ((11, 3), (13, 3), (20, 4)))
    mark_rows([[project], [a, b, c]], lines, conf)
    assert project == {"source_line": 10, "page": 3, "source": "text", "confidence": None}  # its line only
    assert (a["source"], a["confidence"]) == ("ocr", 0.61)  # its wrapped continuation counts
    assert (b["source"], b["confidence"]) == ("ocr", 0.88)  # line 14 is on the next page: not b's
    assert (c["source"], c["confidence"]) == ("text", None)


def test_a_text_document_marks_every_form_row_text():
    seed = juesuan.load(SEED)
    for table in ("projects", "department_goals", "indicators"):
        df = getattr(seed, table)
        assert len(df) > 0 and (df.source == "text").all() and df.confidence.isna().all(), table


@pytest.fixture(scope="module")
def seed_checks():
    seed = juesuan.load(SEED)
    as_ocr = {}
    for table in ("figures", "line_items", "projects", "project_outputs", "indicators", "department_goals"):
        df = getattr(seed, table).copy()
        df["source"], df["confidence"] = "ocr", 0.93
        as_ocr[table] = df
    scanned = replace(seed, line_conf={ln.no: 0.93 for ln in seed.lines}, **as_ocr)  # as if all were a scan
    return run_checks(seed), run_checks(scanned)


def test_checks_say_when_an_operand_was_read_by_ocr(seed_checks):
    text, ocr = seed_checks
    assert not text.evidence.str.contains("OCR").any()
    # the same outcomes, the same statuses: only the evidence gains the mark
    assert text[["rule_id", "subject", "status"]].equals(ocr[["rule_id", "subject", "status"]])
    for where in ("说明", "自评表", "部门整体自评表", "基本支出明细", "原文", "情况说明"):
        cited = ocr.evidence.str.contains(rf"\({where}[^,()]*[,)]")
        assert cited.sum() >= 1, where
        unmarked = ocr.evidence[cited].map(lambda e, w=where: bool(re.search(rf"\({w}[^,()]*(\)|, 行)", e)))
        assert not unmarked.any(), ocr.evidence[cited][unmarked].head(3).tolist()
        assert ocr.evidence[cited].str.contains(rf"\({where}[^,()]*, OCR").all(), where


def test_a_value_derived_from_an_ocr_operand_is_marked_too(seed_checks):
    _, ocr = seed_checks
    derived = ocr[ocr.evidence.str.contains("=决算−增减额", regex=False)]
    assert len(derived) > 0
    assert derived.evidence.str.contains(r"=决算−增减额\)=[-\d.]+ \([^)]*OCR").all()

