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


def test_printed_page_numbers_anchor_pages_and_are_dropped(tmp_path):
    text = "cover\n\fintro\n- 3 -\n\fbody\n\n4\n\fmore\n第 5 页\n"
    src = read_source(write(tmp_path, text.encode()))
    pages = {ln.text: ln.page for ln in src.lines if ln.text}
    assert pages == {"cover": 1, "intro": 3, "body": 4, "more": 5}


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
