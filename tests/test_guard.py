"""The pre-read guard (read.guard) decodes content streams itself when their filters are ASCII85 and Flate
(what reportlab and WPS write): the bytes must be pdfminer's, and the bounds must hold on such streams too."""

from __future__ import annotations

import base64
import random
import zlib

import pytest
from pdfminer.ascii85 import ascii85decode

from juesuan.errors import InputError
from juesuan.limits import Limits, using
from juesuan.read import guard
from security.hostile import pdf


def _pdfminer(encoded: bytes) -> bytes | None:
    try:
        return ascii85decode(encoded)
    except ValueError:
        return None


def test_ascii85_decodes_as_pdfminer_does():
    rnd = random.Random(7)
    for _ in range(2000):
        raw = bytes(rnd.randrange(256) for _ in range(rnd.randrange(120)))
        if rnd.random() < 0.3:
            raw = b"\0" * rnd.randrange(12) + raw  # "z" groups
        enc = base64.a85encode(raw, wrapcol=rnd.choice([0, 9, 75]), foldspaces=False)
        enc = rnd.choice([enc, b"<~" + enc + b"~>", enc + b"~", b"~" + enc + b"~>", b" \n" + enc + b"\r\n"])
        assert guard._a85(enc) == _pdfminer(enc) == raw


def test_text_that_is_not_ascii85_is_left_to_pdfminer():
    rnd = random.Random(8)
    for _ in range(2000):
        junk = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 30)))
        got = guard._a85(junk)
        assert got is None or got == _pdfminer(junk), junk  # never other bytes than pdfminer's
    assert guard._a85(b"s8W*~>") == b"\xff\xff\xff"  # a short last group
    assert guard._a85(b"s8W-!") == b"\xff\xff\xff\xff"  # 2^32 - 1
    assert guard._a85(b"s8W-\"") is None and _pdfminer(b"s8W-\"") is None  # 2^32: over four bytes
    assert guard._a85(b"ab{de") is None  # "{" is no digit


def _page(content: bytes, filters: bytes) -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                b"<< /Length %d /Filter %s >>\nstream\n" % (len(content), filters) + content + b"\nendstream"])


@pytest.mark.parametrize("a85_first", [True, False])
def test_the_content_bound_holds_through_ascii85_and_flate(tmp_path, a85_first):
    body = b"0 0 1 1 re f\n" * 400_000  # 5.2 MB of painting: over a 1 MB content bound, a few KB compressed
    if a85_first:
        content, filters = base64.a85encode(zlib.compress(body)) + b"~>", b"[/ASCII85Decode /FlateDecode]"
    else:
        content, filters = zlib.compress(body), b"/FlateDecode"
    path = tmp_path / "big.pdf"
    path.write_bytes(_page(content, filters))
    with using(Limits(max_page_content=1_000_000)), pytest.raises(InputError, match="expands to more than"):
        guard.check_pdf(path, path.read_bytes(), 1)
    with using(Limits(max_page_content=10_000_000, max_page_objects=10**7)):
        guard.check_pdf(path, path.read_bytes(), 1)  # within the bounds: accepted
    with using(Limits(max_page_content=10_000_000, max_page_objects=100_000)), \
            pytest.raises(InputError, match="draws more than 100,000 objects"):
        guard.check_pdf(path, path.read_bytes(), 1)  # 400,000 fills counted from the decoded stream
