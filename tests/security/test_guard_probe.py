"""Regressions from an attacker's probe of the pre-read guard (read.guard): each test is one way a crafted PDF
got past the guard's count or bound before it was fixed (the reader then ran to gigabytes and was stopped by
the worker's memory bound, or parsed millions of operations the guard had counted as none)."""

from __future__ import annotations

import zlib

import pytest

from juesuan.errors import InputError
from juesuan.limits import MB, Limits, using
from juesuan.read import guard
from security.hostile import SEED, pdf, run, stream

_FILLS = b"0 0 1 1 re f\n"


def _page(content_object: bytes, resources: bytes = b"", more: tuple[bytes, ...] = ()) -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R %s >>" % resources,
                content_object, *more])


def _raw(data: bytes, attrs: bytes) -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), attrs) + data + b"\nendstream"


def _check(tmp_path, data: bytes, **bounds) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    with using(Limits(**bounds)):
        guard.check_pdf(path, data, 1)


def _run_length(data: bytes) -> bytes:
    """RunLengthDecode input of literal runs (no compression of its own)."""
    return b"".join(bytes([len(data[i:i + 128]) - 1]) + data[i:i + 128] for i in range(0, len(data), 128)) + b"\x80"


def _lzw(data: bytes) -> bytes:
    """LZWDecode input (early change 1, codes of 9 to 12 bits), written here: no library in use encodes it.
    The width of the k-th code after a clear follows the decoder's table: 258 + (k - 2) entries."""
    codes: list[tuple[int, int]] = []
    since = 0

    def emit(code: int) -> None:
        nonlocal since
        size = 258 + max(0, since - 1)
        codes.append((code, 9 if size < 511 else 10 if size < 1023 else 11 if size < 2047 else 12))
        since += 1

    emit(256)
    since = 0
    table, current = {bytes([i]): i for i in range(256)}, b""
    for byte in data:
        if current + bytes([byte]) in table:
            current += bytes([byte])
            continue
        emit(table[current])
        table[current + bytes([byte])] = 258 + len(table) - 256
        current = bytes([byte])
        if len(table) - 256 >= 3000:  # well before the 4,096 codes of 12 bits
            emit(table[current])
            emit(256)
            since, table, current = 0, {bytes([i]): i for i in range(256)}, b""
    if current:
        emit(table[current])
    emit(257)
    acc, n = 0, 0
    for code, width in codes:
        acc, n = (acc << width) | code, n + width
    return (acc << (-n % 8)).to_bytes((n + 7) // 8, "big")


def test_lzw_helper_writes_what_qpdf_reads():
    import pikepdf

    data = _FILLS * 500 + bytes(range(256)) * 30
    doc = pikepdf.new()
    s = pikepdf.Stream(doc, _lzw(data))
    s.Filter = pikepdf.Name.LZWDecode
    assert s.read_bytes() == data


@pytest.mark.parametrize("how", ["predictor", "hex over flate", "runlength", "lzw"])
def test_a_chain_the_fast_path_leaves_is_decoded_within_the_bound(tmp_path, how):
    """Flate with a predictor, ASCIIHex over Flate, RunLength, LZW: qpdf decoded these with no bound (a 6 GB
    predictor stream took the reader to 3.5 GB before it was stopped). 2 MB of content, a 1 MB bound."""
    content = b" " * (2 * MB)
    if how == "predictor":
        rows = b"".join(b"\x02" + content[i:i + 99] for i in range(0, len(content), 99))
        obj = _raw(zlib.compress(rows), b"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 99 >>")
    elif how == "hex over flate":
        obj = _raw(zlib.compress(content).hex().encode() + b">", b"/Filter [/ASCIIHexDecode /FlateDecode]")
    elif how == "runlength":
        obj = _raw(zlib.compress(b"\x81 " * (len(content) // 128) + b"\x80"), b"/Filter [/FlateDecode /RL]")
    else:
        obj = _raw(_lzw(content), b"/Filter /LZWDecode")
    with pytest.raises(InputError, match="page 1: a content stream expands to more than 1.0 MB"):
        _check(tmp_path, _page(obj), max_page_content=MB)
    _check(tmp_path, _page(obj), max_page_content=3 * MB)  # within the bound: accepted


@pytest.mark.parametrize("how", ["runlength", "lzw", "lzw with predictor"])
def test_operations_behind_runlength_and_lzw_are_counted(tmp_path, how):
    """qpdf's default decoding leaves RunLength alone and the guard counted such a stream as empty: 3.5 M
    fills passed a bound of 200,000. 300 fills here, bounds of 100 and 1,000."""
    content = _FILLS * 300
    if how == "runlength":
        obj = _raw(zlib.compress(_run_length(content)), b"/Filter [/FlateDecode /RunLengthDecode]")
    elif how == "lzw":
        obj = _raw(_lzw(content), b"/Filter [/LZW]")
    else:
        obj = _raw(_lzw(b"\x02" + content), b"/Filter /LZWDecode /DecodeParms << /Predictor 12 /Columns %d >>"
                   % len(content))
    with pytest.raises(InputError, match="page 1 draws more than 100 objects"):
        _check(tmp_path, _page(obj), max_page_objects=100)
    _check(tmp_path, _page(obj), max_page_objects=1_000)


def test_a_form_named_with_a_nul_byte_is_refused(tmp_path):
    """qpdf renames a key holding #00 (/QPDFFake1), so the form was never found and a bomb of 10⁷ boxes
    behind /X#001 passed; pdfium still draws it. PDF allows no NUL in a name: refused."""
    form = stream(_FILLS, b"/Type /XObject /Subtype /Form /BBox [0 0 9 9]")
    data = _page(stream(b"/X#001 Do\n", compress=False), b"/Resources << /XObject << /X#001 5 0 R >> >>", (form,))
    with pytest.raises(InputError, match=r"page 1: a content stream names an XObject with a NUL byte \(#00\)"):
        _check(tmp_path, data)
    _check(tmp_path, data.replace(b"X#001", b"X#311"))  # another escape is read and accepted


def test_a_form_bomb_inside_a_type3_glyph_is_counted(tmp_path):
    """A Type3 glyph's procedure is content pdfium parses, forms included (a 10⁶-box glyph took the reader to
    1.6 GB past the guard). A glyph drawing a form 20 times, the form 10 boxes: 200 operations."""
    font = (b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] "
            b"/CharProcs << /a 6 0 R >> /Encoding << /Type /Encoding /Differences [97 /a] >> /FirstChar 97 "
            b"/LastChar 97 /Widths [1000] /Resources << /XObject << /X1 7 0 R >> >> >>")
    glyph = stream(b"1000 0 d0\n" + b"/X1 Do\n" * 20)
    form = stream(_FILLS * 10, b"/Type /XObject /Subtype /Form /BBox [0 0 9 9]")
    data = _page(stream(b"BT /F1 12 Tf 10 10 Td (aaa) Tj ET\n"), b"/Resources << /Font << /F1 5 0 R >> >>",
                 (font, glyph, form))
    with pytest.raises(InputError, match="page 1 draws more than 100 objects"):
        _check(tmp_path, data, max_page_objects=100)
    _check(tmp_path, data, max_page_objects=1_000)


def test_a_glyph_that_uses_its_own_font_is_counted_once(tmp_path):
    """A Type3 font among the resources its glyphs inherit: no endless count, no refusal."""
    font = (b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1 1] /FontMatrix [0.001 0 0 0.001 0 0] "
            b"/CharProcs << /a 6 0 R >> /Encoding << /Type /Encoding /Differences [97 /a] >> /FirstChar 97 "
            b"/LastChar 97 /Widths [1000] >>")
    glyph = stream(b"1000 0 d0 BT /F1 1 Tf (a) Tj ET 0 0 1 1 re f\n")
    data = _page(stream(b"BT /F1 12 Tf (a) Tj ET\n"), b"/Resources << /Font << /F1 5 0 R >> >>", (font, glyph))
    _check(tmp_path, data, max_page_objects=3)
    with pytest.raises(InputError, match="page 1 draws more than 2 objects"):
        _check(tmp_path, data, max_page_objects=2)  # the page's Tj, the glyph's Tj and its fill


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_command_refuses_a_predictor_bomb_in_one_line_and_reads_the_rest(tmp_path, jobs):
    """Through `juesuan parse`: 3 GB behind a 10 MB predictor stream (1 MB deflate blocks, each flushed, so
    the same compressed block repeats). Before, qpdf decoded it whole and the reader was stopped by its 2 GB
    bound (SIGABRT at 1.6 GB); now the guard stops at the 64 MB content bound."""
    deflate = zlib.compressobj(9)
    rows = (b"\x02" + b"\x00" * 99) * 10486
    first = deflate.compress(rows) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(rows) + deflate.flush(zlib.Z_FULL_FLUSH)
    body = first + block * 3000 + deflate.flush()
    bad = tmp_path / "bomb.pdf"
    bad.write_bytes(_page(_raw(body, b"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 99 >>")))
    got = run("parse", bad, SEED, "--out", tmp_path / "out", "--jobs", jobs, "--max-memory", "2048")
    assert got.returncode == 2
    assert got.stderr.splitlines() == [
        f"juesuan: error: {bad}: page 1: a content stream expands to more than 64 MB, the bound per page"]
    assert (tmp_path / "out" / SEED.stem).is_dir() and not (tmp_path / "out" / "bomb").exists()


def test_graphics_states_left_open_are_counted(tmp_path):
    """20 M q never closed, nothing painted, took the reader to 3.3 GB past the guard (pdfium keeps each
    saved state). The deepest nesting counts: 300 open q over a bound of 100; 300 closed ones are depth 1."""
    with pytest.raises(InputError, match="page 1 draws more than 100 objects"):
        _check(tmp_path, _page(stream(b"Q Q " + b"q " * 300)), max_page_objects=100)
    _check(tmp_path, _page(stream(b"q Q " * 300)), max_page_objects=100)
    _check(tmp_path, _page(stream(b"q " * 90 + b"0 0 1 1 re f\n" * 9)), max_page_objects=100)
    with pytest.raises(InputError, match="page 1 draws more than 100 objects"):
        _check(tmp_path, _page(stream(b"q " * 90 + b"0 0 1 1 re f\n" * 11)), max_page_objects=100)


def _boxes_form(first: int) -> tuple[bytes, ...]:
    """A form drawing 10 boxes (object `first`)."""
    return (stream(_FILLS * 10, b"/Type /XObject /Subtype /Form /BBox [0 0 9 9]"),)


@pytest.mark.parametrize("how", ["pattern", "soft mask"])
def test_a_form_bomb_in_a_pattern_cell_or_a_soft_mask_is_counted(tmp_path, how):
    """A tiling pattern's cell and a soft mask's group are content pdfium parses when it renders the page (an
    image-only page is rendered for OCR): a 10⁶-box cell took the reader to 1.7 GB past the guard. A cell or
    group drawing a form 20 times, the form 10 boxes: 200 operations."""
    if how == "pattern":
        carrier = stream(b"/X1 Do\n" * 20, b"/PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 1 1] /XStep 1 "
                         b"/YStep 1 /Resources << /XObject << /X1 6 0 R >> >>")
        page = b"/Pattern cs /P1 scn 0 0 595 842 re f\n"
        resources = b"/Resources << /Pattern << /P1 5 0 R >> >>"
    else:
        carrier = b"<< /Type /ExtGState /SMask << /Type /Mask /S /Luminosity /G 7 0 R >> >>"
        page = b"/G1 gs 0 0 595 842 re f\n"
        resources = b"/Resources << /ExtGState << /G1 5 0 R >> >>"
    group = stream(b"/X1 Do\n" * 20, b"/Type /XObject /Subtype /Form /BBox [0 0 9 9] "
                   b"/Group << /S /Transparency >> /Resources << /XObject << /X1 6 0 R >> >>")
    more = (carrier, *_boxes_form(6)) + ((group,) if how == "soft mask" else ())
    data = _page(stream(page, compress=False), resources, more)
    with pytest.raises(InputError, match="page 1 draws more than 100 objects"):
        _check(tmp_path, data, max_page_objects=100)
    _check(tmp_path, data, max_page_objects=1_000)
    _check(tmp_path, data.replace(b" scn", b" cs ").replace(b" gs", b" w "), max_page_objects=100)  # unused


def test_a_content_array_that_pages_share_is_decoded_once(tmp_path, monkeypatch):
    """200 pages sharing one array of 10⁵ tiny streams kept the guard decoding past the time bound (2·10⁷
    stream reads). Here 20 pages share an array of 50 streams: 50 reads, not 1,000, and the same count."""
    n_pages, n_streams = 20, 50
    arr = 3 + n_pages
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(n_pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n_pages)]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] /Contents %d 0 R >>" % arr] * n_pages
    objects.append(b"[" + b" ".join(b"%d 0 R" % (arr + 1 + i) for i in range(n_streams)) + b"]")
    objects += [stream(_FILLS * 3)] * n_streams
    data = pdf(objects)
    reads = []
    decoded = guard._decoded
    monkeypatch.setattr(guard, "_decoded", lambda *a: reads.append(1) or decoded(*a))
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    with using(Limits(max_page_objects=150)):
        guard.check_pdf(path, data, n_pages)  # 150 fills a page: within the bound
    assert len(reads) == n_streams
    with using(Limits(max_page_objects=149)), pytest.raises(InputError, match="page 1 draws more than 149"):
        guard.check_pdf(path, data, n_pages)


@pytest.mark.parametrize("states", [False, True])
def test_a_form_bomb_in_an_annotation_appearance_is_counted(tmp_path, states):
    """pdfium draws annotation appearances when it renders a page (an image-only page, for OCR): a 10⁶-box
    appearance took the reader to 1.7 GB past the guard. An appearance (or one of its states) drawing a form
    20 times (20 Do), the form 10 boxes: 220 operations, twice with two states (both counted), and one for
    the annotation (the page's own fill is too short to be counted)."""
    normal = b"<< /Off 6 0 R /On 6 0 R >>" if states else b"6 0 R"
    annot = b"<< /Type /Annot /Subtype /Square /Rect [0 0 9 9] /AP << /N %s >> >>" % normal
    appearance = stream(b"/X1 Do\n" * 20, b"/Type /XObject /Subtype /Form /BBox [0 0 9 9] "
                        b"/Resources << /XObject << /X1 7 0 R >> >>")
    data = _page(stream(_FILLS), b"/Annots [5 0 R]", (annot, appearance, *_boxes_form(7)))
    total = 1 + 220 * (2 if states else 1)
    with pytest.raises(InputError, match=f"page 1 draws more than {total - 1} objects"):
        _check(tmp_path, data, max_page_objects=total - 1)
    _check(tmp_path, data, max_page_objects=total)


def test_an_lzw_stream_the_bounded_decoder_cannot_read_is_refused(tmp_path):
    """pdfminer's decoder (used where qpdf's output could pass the bound: over 1 MB / 3,412 bytes of input
    here) reads early change 1 only: a longer LZW stream with EarlyChange 0 is refused, not decoded blind."""
    obj = _raw(_lzw(_FILLS * 300), b"/Filter /LZWDecode /DecodeParms << /EarlyChange 0 >>")
    with pytest.raises(InputError, match="page 1: an LZW content stream with EarlyChange 0 is too long to check"):
        _check(tmp_path, _page(obj), max_page_content=MB)
    _check(tmp_path, _page(obj.replace(b"/EarlyChange 0", b"/EarlyChange 1")), max_page_content=MB)
