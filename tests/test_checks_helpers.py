"""The shared pieces the rules are built from (rules_common), pinned where a fold of duplicated code could
change a boundary: a bound with its tolerance, a failure without an expected value, a row's line and page."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from juesuan.checks import rules_common as rc
from juesuan.types import Status


def _op(value: float) -> rc.Operand:
    return rc.Operand("x", value, "表", to_wan=1.0)


@pytest.mark.parametrize(
    ("actual", "bound", "at_most", "status"),
    [
        (10.0, 10.0, True, Status.PASS),
        (10.005, 10.0, True, Status.PASS),  # within the tolerance
        (10.02, 10.0, True, Status.FAIL),
        (9.995, 10.0, False, Status.PASS),
        (9.98, 10.0, False, Status.FAIL),
        (12.0, 10.0, False, Status.PASS),
    ],
)
def test_compare_bound_at_most_and_at_least(actual, bound, at_most, status):
    o = rc.compare_bound("s", _op(actual), _op(bound), 0.01, "超了", "句子", at_most=at_most)
    assert o.status == status
    assert (o.expected, o.actual, o.tolerance) == (bound, actual, 0.01)
    assert o.difference == round(actual - bound, 6)
    assert o.note == ("" if status == Status.PASS else "超了")
    assert o.sentence == "句子"


def test_flagged_is_a_failure_with_nothing_to_compare():
    ops = [_op(3.0)]
    o = rc.flagged("s", 3.0, ops, "为什么错", sentence="一句话", stake=3.0)
    assert (o.status, o.expected, o.actual, o.difference, o.tolerance) == (Status.FAIL, None, 3.0, None, None)
    assert (list(o.operands), o.note, o.sentence, o.stake) == (ops, "为什么错", "一句话", 3.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), (float("nan"), None), (pd.NA, None), (7, 7), (7.0, 7), ("12", 12), ("x", None)],
)
def test_as_int_reads_a_line_or_page_number(value, expected):
    assert rc.as_int(value) == expected


def test_row_operand_and_at_row_keep_the_rows_line_and_page():
    row = {"v": 1.5, "source_line": 12.0, "page": math.nan}
    money = rc.row_operand(row, "金额", "v", "表")
    pct = rc.row_operand(row, "完成%", "v", "表", money=False)
    assert (money.value, money.line, money.page, money.to_wan) == (1.5, 12, None, 1.0)
    assert pct.to_wan is None
    words = rc.at_row(row, "名称", "自评表")
    assert (words.value, words.line, words.page) == (None, 12, None)


def test_one_empty_note_pattern_for_the_parser_and_the_checks():
    from juesuan import vocab
    from juesuan.checks import rules_structure
    from juesuan.extract import meta

    assert meta.EMPTY_NOTE is vocab.EMPTY_NOTE is rules_structure.EMPTY_NOTE
    assert vocab.EMPTY_NOTE.search(
        "注：本单位无政府性基金预算收入，也没有使用政府性基金预算财政拨款安排的支出，故本表无数据。"
    )
