"""The pre-read guard (read.guard) decodes content streams itself when their filters are ASCII85 and Flate
(what reportlab and WPS write): the bytes must be pdfminer's, and the bounds must hold on such streams too."""

from __future__ import annotations

import base64
import io
import random
import zlib

import pytest
from pdfminer.ascii85 import ascii85decode

from juesuan.errors import InputError
from juesuan.limits import Limits, using
from juesuan.read import guard
from security.hostile import pdf, stream


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


def _forms_page(content: bytes, forms: list[bytes], inherited: bool = False) -> bytes:
    """One page drawing `content` with XObjects X1… = objects 5… (`forms`, each a whole stream object), its
    resources its own or `inherited` from the page tree."""
    xobjects = b" ".join(b"/X%d %d 0 R" % (k, 4 + k) for k in range(1, len(forms) + 1))
    resources = b"/Resources << /XObject << %s >> >>" % xobjects
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 %s >>" % (resources if inherited else b""),
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R %s >>"
                % (b"" if inherited else resources),
                stream(content), *forms])


def _form(body: bytes, resources: bytes = b"") -> bytes:
    return stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 9 9] " + resources)


def _check(tmp_path, data: bytes, **bounds) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    with using(Limits(**bounds)):
        guard.check_pdf(path, data, 1)


def test_forms_that_draw_each_other_are_refused(tmp_path):
    cycle = _forms_page(b"/X1 Do", [_form(b"/X2 Do", b"/Resources << /XObject << /X2 6 0 R >> >>"),
                                         _form(b"/X1 Do", b"/Resources << /XObject << /X1 5 0 R >> >>")])
    with pytest.raises(InputError, match="page 1: form XObjects draw each other in a cycle"):
        _check(tmp_path, cycle)


@pytest.mark.parametrize("depth", [30, 31])
def test_forms_nested_too_deep_are_refused(tmp_path, depth):
    """Each form draws the next once (no bomb, only depth): 30 nested forms pass, 31 are refused."""
    forms = [_form(b"/X%d Do" % (k + 1), b"/Resources << /XObject << /X%d %d 0 R >> >>" % (k + 1, 5 + k))
             for k in range(1, depth)] + [_form(b"0 0 1 1 re f")]
    if depth > 30:
        with pytest.raises(InputError, match="page 1: form XObjects are nested more than 30 deep"):
            _check(tmp_path, _forms_page(b"/X1 Do", forms))
    else:
        _check(tmp_path, _forms_page(b"/X1 Do", forms), max_page_objects=100)


@pytest.mark.parametrize("how", ["page", "inherited", "escaped", "encrypted", "predictor"])
def test_a_form_bomb_is_counted_however_it_is_written(tmp_path, how):
    """Ten boxes drawn by a form that the page draws 20 times: 200 operations, over a bound of 100 and
    within one of 1,000 — with resources inherited from the page tree, a name written with # escapes, an
    encrypted file (empty user password: pdfium opens it) and a stream the fast decoder leaves to qpdf."""
    name = b"X#31" if how == "escaped" else b"X1"
    content = b"q /%s Do Q\n" % name * 20
    data = _forms_page(content, [_form(b"0 0 1 1 re f\n" * 10)], how == "inherited")
    if how == "predictor":  # Flate with a PNG predictor: qpdf decodes it
        import pikepdf
        with pikepdf.open(io.BytesIO(data)) as doc:
            doc.pages[0].obj.Contents.write(content)
            out = io.BytesIO()
            doc.save(out, compress_streams=True, stream_decode_level=pikepdf.StreamDecodeLevel.none)
            data = out.getvalue()
        with pikepdf.open(io.BytesIO(data)) as doc:
            raw = zlib.compress(_png_up(content))
            doc.pages[0].obj.Contents.write(raw, filter=pikepdf.Name.FlateDecode,
                                            decode_parms=pikepdf.Dictionary(Predictor=12, Columns=len(content)))
            assert doc.pages[0].obj.Contents.read_bytes() == content
            assert guard._decoded(doc.pages[0].obj.Contents, 10**6, pikepdf) is None  # not the fast path
            out = io.BytesIO()
            doc.save(out)
            data = out.getvalue()
    if how == "encrypted":
        import pikepdf
        with pikepdf.open(io.BytesIO(data)) as doc:
            out = io.BytesIO()
            doc.save(out, encryption=pikepdf.Encryption(owner="o", user="", aes=True))
            data = out.getvalue()
        assert b"0 0 1 1 re f" not in data
    with pytest.raises(InputError, match="page 1 draws more than 100 objects"):
        _check(tmp_path, data, max_page_objects=100)
    _check(tmp_path, data, max_page_objects=1_000)


def _png_up(row: bytes) -> bytes:
    """One row under PNG predictor 'Up' (type 2) above a zero row: the row itself, tagged."""
    return b"\x02" + row


def test_a_pdf_the_walker_cannot_read_is_left_to_pdfium(tmp_path):
    _check(tmp_path, b"%PDF-1.7\nnot a PDF at all\n%%EOF\n", max_page_objects=1)


def _damaged(body: bytes, keep: int) -> bytes:
    """`body` compressed, one byte past the first `keep` compressed bytes flipped until zlib refuses it."""
    comp = zlib.compress(body)
    for at in range(keep, len(comp)):
        bad = comp[:at] + bytes([comp[at] ^ 0x55]) + comp[at + 1 :]
        try:
            zlib.decompress(bad)
        except zlib.error:
            return bad
    raise AssertionError("no damaging byte found")


def _two_pages(first: bytes, second: bytes) -> bytes:
    """Two pages drawing X1 (ten boxes); each content is a whole stream object."""
    resources = b"/Resources << /XObject << /X1 7 0 R >> >>"
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R %s >>" % resources,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R %s >>" % resources,
                first, second, _form(b"0 0 1 1 re f\n" * 10)])


def test_a_damaged_stream_does_not_end_the_check(tmp_path):
    """A content stream zlib refuses counts for what decodes before the damage (pdfium draws that much), and
    the pages after it are still checked."""
    rnd = random.Random(3)
    body = b"".join(b"q %d 0 0 1 0 0 cm /X1 Do Q\n" % rnd.randrange(10**6) for _ in range(3000))
    damaged = _damaged(body, 4000)
    got, intact = guard._inflate(damaged, 10**7), zlib.decompressobj().decompress(damaged[:4000])
    assert len(intact) > 10_000 and got.startswith(intact) and len(got) < len(body)  # up to the damage
    flate = b"<< /Length %d /Filter /FlateDecode >>\nstream\n"
    bomb = stream(b"q /X1 Do Q\n" * 20)  # 200 boxes
    early = flate % 40 + _damaged(body, 0)[:40] + b"\nendstream"  # damaged from its start: nothing drawn
    with pytest.raises(InputError, match="page 2 draws more than 100 objects"):
        _check_pages(tmp_path, _two_pages(early, bomb), max_page_objects=100)
    late = flate % len(damaged) + damaged + b"\nendstream"  # its Do before the damage: thousands of boxes
    with pytest.raises(InputError, match="page 1 draws more than 1,000 objects"):
        _check_pages(tmp_path, _two_pages(late, stream(b"")), max_page_objects=1_000)


def _check_pages(tmp_path, data: bytes, **bounds) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    with using(Limits(**bounds)):
        guard.check_pdf(path, data, 2)
