"""The text reader: encodings, line endings, page breaks and printed page numbers."""

import pytest

from juesuan.errors import InputError
from juesuan.read import read_source
from juesuan.read.text import page_number


def write(tmp_path, data: bytes, name="doc.txt"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("encode", [lambda t: t.encode("utf-8"), lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
                                    lambda t: t.encode("gb18030"), lambda t: t.encode("utf-16")])
def test_encodings_decode_to_the_same_lines(tmp_path, encode):
    text = "第一部分 概况\n一、部门主要职责\n收入合计 2820.06 万元\n"
    src = read_source(write(tmp_path, encode(text)))
    assert [ln.text for ln in src.lines if ln.text] == ["第一部分 概况", "一、部门主要职责", "收入合计 2820.06 万元"]


def test_form_feeds_start_pages_and_crlf_is_one_break(tmp_path):
    src = read_source(write(tmp_path, b"a\r\nb\r\n\fc\r\nd\r\n\fe"))
    assert [(ln.text, ln.page) for ln in src.lines if ln.text] == [("a", 1), ("b", 1), ("c", 2), ("d", 2), ("e", 3)]
    assert src.n_pages == 3


def test_form_feeds_give_physical_pages_and_footers_are_dropped(tmp_path):
    # printed numbers run one ahead of the physical pages; the pages stay those of the PDF
    text = "cover\n\fintro\n- 3 -\n\fbody\n\n4\n\fmore\n第 5 页\n\f"
    src = read_source(write(tmp_path, text.encode()))
    assert [(ln.text, ln.page) for ln in src.lines] == [("cover", 1), ("intro", 2), ("body", 3), ("more", 4)]
    assert src.n_pages == 4


def test_a_form_feed_inside_a_line_breaks_the_page_there(tmp_path):
    src = read_source(write(tmp_path, b"a\nb\fc\n\f\fd"))
    assert [tuple(ln) for ln in src.lines] == [(1, 1, "a"), (2, 1, "b"), (2, 2, "c"), (3, 4, "d")]
    assert src.n_pages == 4


def test_a_bare_number_ending_a_page_is_data_unless_pages_agree(tmp_path):
    # "7" ends page 1 and "3" ends page 2, but no two pages agree on an offset: both are table cells
    src = read_source(write(tmp_path, "得分\n7\n\f序号\n3\n\f".encode()))
    assert [ln.text for ln in src.lines] == ["得分", "7", "序号", "3"]
    # footers 11, 12, 13 on physical pages 1, 2, 3 agree: dropped
    src = read_source(write(tmp_path, b"a\n11\n\fb\n12\n\fc\n13\n"))
    assert [(ln.text, ln.page) for ln in src.lines] == [("a", 1), ("b", 2), ("c", 3)]


def test_printed_page_numbers_anchor_pages_without_form_feeds(tmp_path):
    body = "\n".join(f"第{k}行" for k in range(8))
    text = f"cover\n{body}\n3\n{body}\n4\nmore\n"
    src = read_source(write(tmp_path, text.encode()))
    assert [ln.page for ln in src.lines] == [3] * 9 + [4] * 8 + [5]
    assert "3" not in [ln.text for ln in src.lines]


def test_a_numbered_column_is_not_a_run_of_page_numbers(tmp_path):
    text = "序号 单位名称\n1 本级\n甲单位\n2\n（下属）\n乙单位\n3\n（下属）\n"
    src = read_source(write(tmp_path, text.encode()))
    assert [ln.text for ln in src.lines if ln.text in {"2", "3"}] == ["2", "3"]


def test_a_lone_number_out_of_sequence_is_data_not_a_page(tmp_path):
    text = "intro\n- 12 -\n\fscore line\n5\nnext\n"
    src = read_source(write(tmp_path, text.encode()))
    assert "5" in [ln.text for ln in src.lines]


@pytest.mark.parametrize("text,expected", [("52", 52), ("- 12 -", 12), ("— 3 —", 3), ("第 7 页", 7), ("8/98", 8),
                                           ("１２", 12), ("12 月", None), ("2820.06", None)])
def test_page_number_shapes(text, expected):
    assert page_number(text) == expected


def test_empty_and_binary_files_are_refused(tmp_path):
    with pytest.raises(InputError, match="empty file"):
        read_source(write(tmp_path, b"  \n\n"))
    with pytest.raises(InputError, match="binary"):
        read_source(write(tmp_path, bytes(range(256)) * 4, "x.bin"))


def test_a_long_text_without_page_marks_says_pages_are_unknown(tmp_path):
    src = read_source(write(tmp_path, "\n".join(f"第{k}行文字" for k in range(200)).encode()))
    assert {ln.page for ln in src.lines} == {1}
    assert [w.message for w in src.warnings] == ["no page breaks or printed page numbers found: every line is reported on page 1"]


def _rejoined(tmp_path, text: str):
    src = read_source(write(tmp_path, text.encode()))
    return [ln.text for ln in src.lines], [w.message for w in src.warnings]


def test_numbers_printed_after_their_sentence_go_back_into_its_gaps(tmp_path):
    lines, warns = _rejoined(tmp_path, "上海市某局 年度收入支出总计 万元。与 年度相比，收入\n2024 2995.39 2023\n"
                                       "人员经费 万元，涉及在职人员 名，主要\n2152.26 45\n")
    assert lines == ["上海市某局2024年度收入支出总计2995.39万元。与2023年度相比，收入", "人员经费2152.26万元，涉及在职人员45名，主要"]
    assert "2 lines had their numbers printed on the next line" in warns[0]


@pytest.mark.parametrize("text", [
    "质量指标 人员招聘、录用率\n100%\n",  # a table row wrapped: 人员 is a word, not the unit 人
    "单位： 万元\n2820.06\n",  # a label, no number missing
    "收入合计\n2820.06\n万元，占本年收入\n100\n%；\n",  # numbers on lines of their own, sentence intact
])
def test_lines_that_only_look_like_gaps_are_left_alone(tmp_path, text):
    lines, warns = _rejoined(tmp_path, text)
    assert lines == [t for t in text.split("\n") if t] and warns == []


def test_numbers_that_do_not_fit_the_gaps_are_left_out_and_reported(tmp_path):
    lines, warns = _rejoined(tmp_path, "保险费 。年初预算为 万元，支出决算为 万元。\n62.29 60.99\n")
    assert lines == ["保险费 。年初预算为 万元，支出决算为 万元。"]
    assert warns == ["numbers printed apart from their sentence and not placeable (2 numbers, 3 gaps before a unit, "
                     "0 other gaps): “62.29 60.99” left out"]


def test_short_pages_in_a_row_keep_their_printed_numbers(tmp_path):
    # empty tables one per page: footers 7, 8, 9 a few lines apart are pages, not a 序号 column
    body = "\n".join(f"{'x' * 3}第{k}行" for k in range(10))
    text = f"{body}\n6\n表七\n本表无数据\n7\n表八\n本表无数据\n8\n表九\n本表无数据\n9\n"
    src = read_source(write(tmp_path, text.encode()))
    assert [(ln.text, ln.page) for ln in src.lines if ln.text.startswith("表")] == [("表七", 7), ("表八", 8), ("表九", 9)]


def test_a_code_with_a_leading_zero_is_no_page_number():
    assert page_number("06") is None and page_number("6") == 6
