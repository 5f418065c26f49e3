"""Checks before reading an untrusted input: what kind of file it is, its size, and what a PDF would make
pdfium do.

Why before: pdfium parses a page's whole content, form XObjects included, as soon as the page is loaded; a few
kilobytes of nested forms that each draw the next ten times expand to 10⁸ drawing operations (minutes,
gigabytes). Counting the expanded operations from the object graph (pikepdf: qpdf reads objects lazily, in
C++) costs a fraction of a millisecond a page and refuses such a file with one line naming the bound. The
worker process's rlimit and timeout (juesuan.worker) stay the backstop for whatever this estimate misses.
"""

from __future__ import annotations

import io
import os
import re
import stat
import zlib
from pathlib import Path

from .. import limits
from ..errors import InputError

_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def _mb(n: int) -> str:
    return f"{n / limits.MB:,.1f} MB" if n < 10 * limits.MB else f"{n / limits.MB:,.0f} MB"


def read_input(path: Path, head: int | None = None) -> bytes:
    """The file's bytes (or its first `head` bytes) once it is known to be a regular file within the size
    bound.

    Opened non-blocking and checked on the open descriptor: a FIFO never blocks the open, and /dev/zero or a
    file swapped in after a check is still refused.
    """
    bound = limits.current().max_bytes
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
            raise InputError(path, f"is {kind}, not a disclosure file")
        if st.st_size > bound:
            raise InputError(
                path, f"file is {_mb(st.st_size)}, over the size bound of {_mb(bound)} (--max-size)"
            )
        try:
            data = fh.read(head if head is not None else bound + 1)
        except OSError as exc:
            raise InputError(path, f"cannot read file ({exc.strerror or exc})") from None
    if len(data) > bound:  # grew while being read
        raise InputError(path, f"file is over the size bound of {_mb(bound)} (--max-size)")
    return data


# ---------------------------------------------------------------- PDF object graph

# A painting operator (text shown, path painted, XObject or inline image placed): each becomes a pdfium
# object.
_PAINT = re.compile(rb"(?<![^\s\])>])(?:Tj|TJ|'|\"|S|s|f\*?|F|B\*?|b\*?|Do|EI|sh)(?=[\s\[\]()<>/%]|$)")
_DO = re.compile(rb"/([^\s/\[\]<>(){}%]+)\s*Do(?=[\s\[\]()<>/%]|$)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")  # #xx in a name
_MAX_DEPTH = 30  # pdfium's own limit on nested forms is about this
_MAX_PARENTS = 64  # page tree levels searched for inherited /Resources
_FLATE = ("/FlateDecode", "/Fl")
_ASCII85 = ("/ASCII85Decode", "/A85")


class _Over(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def check_pdf(path: Path, data: bytes, n_pages: int) -> None:
    """Refuse a PDF over the page bound, or one whose page would expand to more drawing operations (or
    content bytes) than the bounds allow. The object graph is read with pikepdf (qpdf, which reads objects
    lazily, in C++); a PDF it cannot walk is left to pdfium (and the worker's bounds)."""
    bound = limits.current()
    if n_pages > bound.max_pages:
        raise InputError(
            path, f"PDF has {n_pages} pages, over the page bound of {bound.max_pages} (--max-pages)"
        )
    try:
        import pikepdf

        with pikepdf.open(io.BytesIO(data)) as doc:
            walker = _Walker(bound, pikepdf)
            for page_no, page in enumerate(doc.pages, 1):
                if page_no > bound.max_pages:
                    break
                try:
                    ops = walker.page(page.obj)
                except _Over as over:
                    raise InputError(path, f"page {page_no}: {over.reason}") from None
                if ops > bound.max_page_objects:
                    raise InputError(
                        path,
                        f"page {page_no} draws more than {bound.max_page_objects:,} objects (forms, "
                        f"glyph procedures, patterns and annotations expanded), the bound per page "
                        f"(--max-objects)",
                    )
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - qpdf cannot walk it: pdfium decides, the worker bounds it
        return


class _Walker:
    """Drawing operations of a page with every form XObject expanded as often as it is drawn (memoised per
    form)."""

    def __init__(self, bound: limits.Limits, pikepdf):
        self.bound = bound
        self.pikepdf = pikepdf  # imported by check_pdf: only PDFs need it
        self.forms: dict[tuple[int, int], int] = {}  # (object, generation) → operations, forms expanded
        # an array of content streams that pages share, decoded once (10⁵ tiny streams shared by 200 pages
        # took the guard past the time bound), within one page's content bound in all
        self.contents: dict[tuple[int, int], bytes] = {}
        self.cached = 0

    def page(self, page) -> int:
        contents = page.get("/Contents")
        shared = isinstance(contents, self.pikepdf.Array) and contents.is_indirect
        data = self.contents.get(contents.objgen) if shared else None
        if data is None:
            streams = contents if isinstance(contents, self.pikepdf.Array) else [contents]
            data = b"".join(self._data(s) for s in streams if isinstance(s, self.pikepdf.Stream))
            if shared and self.cached + len(data) <= self.bound.max_page_content:
                self.contents[contents.objgen] = data
                self.cached += len(data)
        if len(data) > self.bound.max_page_content:
            raise _Over(
                f"its content is {_mb(len(data))}, "
                f"over the bound of {_mb(self.bound.max_page_content)} per page"
            )
        # content shorter than two bytes an operator cannot exceed the bound by itself: skip counting it
        resources = _resources(page)
        ops = self._cost(data, resources, (), count=len(data) > 2 * self.bound.max_page_objects)
        return ops + self._appearances(page, resources, ops)

    def _appearances(self, page, resources, ops: int) -> int:
        """Operations of the page's annotations: one each, and their normal appearances, forms that pdfium
        draws when it renders the page (for OCR): a 10⁶-box appearance took the reader to 1.7 GB past the
        guard. Every appearance state is counted, not only the one shown."""
        annots = page.get("/Annots")
        found = 0
        for annot in annots if isinstance(annots, self.pikepdf.Array) else ():
            found += 1
            if ops + found > self.bound.max_page_objects:
                break
            ap = annot.get("/AP") if isinstance(annot, self.pikepdf.Dictionary) else None
            normal = ap.get("/N") if isinstance(ap, self.pikepdf.Dictionary) else None
            states = normal.values() if isinstance(normal, self.pikepdf.Dictionary) else [normal]
            for form in states:
                if not isinstance(form, self.pikepdf.Stream):
                    continue
                key = form.objgen
                if key not in self.forms:
                    inner = _dictionary(form.get("/Resources"), self.pikepdf) or resources
                    self.forms[key] = self._cost(self._data(form), inner, (key,))
                found += self.forms[key]
        return found

    def _cost(self, data: bytes, resources, stack: tuple[tuple[int, int], ...], count: bool = True) -> int:
        ops = sum(1 for _ in _PAINT.finditer(data)) + _saved_states(data) if count else 0
        for operators, category in _CARRIERS:  # content the resources carry, which pdfium parses like forms
            carried = self._carried(resources, category, stack)  # memoised: first, the content scanned after
            if carried and any(operator in data for operator in operators):
                ops += carried
        names = [m.group(1) for m in _DO.finditer(data)] if b"Do" in data else []
        if not names:
            return ops
        xobjects = _dictionary(resources.get("/XObject") if resources is not None else None, self.pikepdf)
        for name in names:
            form = _entry(xobjects, name)
            ops += 0 if count else 1
            if not self._is_form(form):
                continue
            key = form.objgen
            if key in stack:
                raise _Over("form XObjects draw each other in a cycle")
            if len(stack) >= _MAX_DEPTH:
                raise _Over(f"form XObjects are nested more than {_MAX_DEPTH} deep")
            if key not in self.forms:
                inner = _dictionary(form.get("/Resources"), self.pikepdf) or resources
                self.forms[key] = self._cost(self._data(form), inner, (*stack, key))
            ops += self.forms[key]
            if ops > self.bound.max_page_objects:
                return ops  # already over: stop counting
        return ops

    def _carried(self, resources, category: str, stack: tuple[tuple[int, int], ...]) -> int:
        """Operations of the content streams that the `category` entries of `resources` carry (Type3 glyphs,
        tiling pattern cells, soft-mask groups: none is an XObject drawn by Do, and pdfium parses each
        once, forms expanded), memoised per entry; a stream already being counted adds nothing more (pdfium
        bounds such recursion itself)."""
        entries = _dictionary(resources.get(category) if resources is not None else None, self.pikepdf)
        ops = 0
        for carrier in entries.values() if entries is not None else ():
            key = carrier.objgen if carrier.is_indirect else None
            if key is not None and key in self.forms:
                ops += self.forms[key]
                continue
            cost = 0
            for content, own in _carried_streams(carrier, self.pikepdf):
                if content.objgen in stack or len(stack) >= _MAX_DEPTH:
                    continue
                inner = _dictionary(own, self.pikepdf) or resources
                cost += self._cost(self._data(content), inner, (*stack, content.objgen))
            if key is not None:
                self.forms[key] = cost
            ops += cost
        return ops

    def _is_form(self, obj) -> bool:
        return isinstance(obj, self.pikepdf.Stream) and obj.get("/Subtype") == "/Form"

    def _data(self, stream) -> bytes:
        """A content stream decoded, never beyond the per-page content bound (a compressed stream can expand
        1000×)."""
        budget = self.bound.max_page_content
        data = _decoded(stream, budget, self.pikepdf)
        if data is None:  # a filter chain the fast path does not take: decoded a filter at a time, bounded
            try:
                data = _bounded(stream, budget, self.pikepdf)
            except _Over:
                raise
            except Exception:  # noqa: BLE001 - undecodable (damaged, unknown filter): pdfium draws nothing of it
                data = b""  # and the other streams and pages are still counted
        if len(data) > budget:
            raise _Over(f"a content stream expands to more than {_mb(budget)}, the bound per page")
        return data


_SPACE = b" \t\n\r\x0b\x0c"
_SAVE_CHUNK = 1 << 20  # content bytes looked at a time: a few arrays of this size, however long the stream


def _saved_states(data: bytes) -> int:
    """The deepest nesting of q (save the graphics state): pdfium keeps a copy of the state for each one
    open, so 20 M unclosed q and nothing painted took the reader to 3.3 GB. A Q with none open does
    nothing. Read with numpy a chunk at a time: a match object per q cost the guard itself 1.8 GB."""
    if b"q" not in data:
        return 0
    import numpy as np

    before = np.zeros(256, dtype=bool)  # what may precede an operator, and what may follow it
    before[list(_SPACE + b"])>")] = True
    after = np.zeros(256, dtype=bool)
    after[list(_SPACE + b"[]()<>/%")] = True
    padded = np.frombuffer(b" " + data + b" ", dtype=np.uint8)
    total, lowest, deepest = 0, 0, 0
    for at in range(1, len(padded) - 1, _SAVE_CHUNK):
        window = padded[at - 1 : at + _SAVE_CHUNK + 1]
        mid = window[1:-1]
        ops = mid[((mid == ord("q")) | (mid == ord("Q"))) & before[window[:-2]] & after[window[2:]]]
        if not ops.size:
            continue
        depth = total + np.cumsum(np.where(ops == ord("q"), 1, -1))
        low = np.minimum(np.minimum.accumulate(depth), lowest)
        deepest = max(deepest, int((depth - np.minimum(low, 0)).max()))
        total, lowest = int(depth[-1]), int(low[-1])
    return deepest


# The operators that use a resource carrying content of its own, and the resource category.
_CARRIERS = (((b"Tf",), "/Font"), ((b"scn", b"SCN"), "/Pattern"), ((b"gs",), "/ExtGState"))


def _carried_streams(carrier, pikepdf) -> list:
    """(content stream, its own /Resources) that a font, pattern or graphics state carries."""
    if isinstance(carrier, pikepdf.Stream) and carrier.get("/PatternType") == 1:  # a tiling cell
        return [(carrier, carrier.get("/Resources"))]
    if not isinstance(carrier, pikepdf.Dictionary):
        return []
    if carrier.get("/Subtype") == "/Type3":
        procs = _dictionary(carrier.get("/CharProcs"), pikepdf)
        glyphs = procs.values() if procs is not None else ()
        return [(g, carrier.get("/Resources")) for g in glyphs if isinstance(g, pikepdf.Stream)]
    mask = carrier.get("/SMask")
    group = mask.get("/G") if isinstance(mask, pikepdf.Dictionary) else None
    return [(group, group.get("/Resources"))] if isinstance(group, pikepdf.Stream) else []


def _resources(page):
    """The page's /Resources, inherited from the page tree where the page has none."""
    node = page
    for _ in range(_MAX_PARENTS):
        found = node.get("/Resources")
        if found is not None:
            return found
        node = node.get("/Parent")
        if node is None:
            break
    return None


def _dictionary(obj, pikepdf):
    """obj when it is a non-empty dictionary, else None."""
    return obj if isinstance(obj, pikepdf.Dictionary) and len(obj) else None


def _entry(xobjects, name: bytes):
    """The XObject a content stream names (#xx escapes read; pikepdf's keys are the name's bytes as UTF-8
    with surrogate escapes)."""
    if xobjects is None:
        return None
    if name.isascii() and b"#" not in name:
        return xobjects.get("/" + name.decode("ascii"))
    wanted = b"/" + _ESCAPE.sub(lambda m: bytes.fromhex(m.group(1).decode()), name)
    if b"\0" in wanted:  # qpdf renames such a key (/QPDFFake1 …) while pdfium still finds it: not countable
        raise _Over("a content stream names an XObject with a NUL byte (#00), which PDF does not allow")
    return next((v for k, v in xobjects.items() if k.encode("utf-8", "surrogateescape") == wanted), None)


def _decoded(stream, budget: int, pikepdf) -> bytes | None:
    """The stream through its filters when they are ASCII85 and Flate without parameters (what most producers
    write), Flate stopped past `budget`; None for anything else, left to qpdf (whose decoding has no bound).
    The raw bytes are already decrypted."""
    filters = stream.get("/Filter")
    filters = [] if filters is None else filters if isinstance(filters, pikepdf.Array) else [filters]
    params = stream.get("/DecodeParms")
    if not all(_empty(p, pikepdf) for p in (params if isinstance(params, pikepdf.Array) else [params])):
        return None
    data = stream.read_raw_bytes()
    for f in filters:
        if f in _ASCII85:
            data = _a85(data)
        elif f in _FLATE:
            data = _inflate(data, budget)
        else:
            return None
        if data is None:
            return None
    return data


_RUN_LENGTH = ("/RunLengthDecode", "/RL")
_LZW = ("/LZWDecode", "/LZW")
_HEX = ("/ASCIIHexDecode", "/AHx")


def _bounded(stream, budget: int, pikepdf) -> bytes:
    """The stream through each of its filters in turn, never beyond `budget` (qpdf's own decoding has no
    bound, and leaves RunLength undecoded: a stream it calls unfilterable was counted as empty). Flate and LZW
    are decoded here with the bound; a predictor, which never lengthens its input, is then applied by qpdf
    to that one filter. A filter no content stream uses (an image codec, Crypt) draws nothing: empty."""
    filters = stream.get("/Filter")
    filters = [] if filters is None else list(filters) if isinstance(filters, pikepdf.Array) else [filters]
    params = stream.get("/DecodeParms")
    params = list(params) if isinstance(params, pikepdf.Array) else [params] * len(filters)
    data = stream.read_raw_bytes()
    params = (params + [None] * len(filters))[: len(filters)]
    for f, p in zip(filters, params, strict=True):
        raw = data
        if f in _FLATE:
            data = _inflate(raw, budget)
        elif f in _LZW:
            data = _unlzw(raw, budget, p, pikepdf)
        elif f in _RUN_LENGTH:  # by qpdf where its longest output (128 bytes for two) is within the bound
            data = _one_filter(raw, f, None, pikepdf) if len(raw) * 64 <= budget else _run_length(raw, budget)
        elif f in _ASCII85 or f in _HEX:  # shorter than its input, or at most 4× (a85 'z'): checked below
            data = _a85(raw) if f in _ASCII85 else None
            data = _one_filter(raw, f, None, pikepdf) if data is None else data
        else:
            return b""
        if (f in _FLATE or f in _LZW) and not _empty(p, pikepdf):
            data = _one_filter(raw, f, p, pikepdf)  # no longer than what was just decoded within the bound
        if len(data) > budget:
            raise _Over(f"a content stream expands to more than {_mb(budget)}, the bound per page")
    return data


def _one_filter(raw: bytes, name, params, pikepdf) -> bytes:
    """raw through one filter by qpdf: only for a filter whose output is known to be bounded."""
    scratch = pikepdf.new()
    stream = pikepdf.Stream(scratch, raw)
    stream.Filter = pikepdf.Name(str(name))
    if params is not None:
        stream.DecodeParms = pikepdf.Dictionary({k: params[k] for k in params.keys()})
    return stream.read_bytes(decode_level=pikepdf.StreamDecodeLevel.specialized)


def _run_length(raw: bytes, budget: int) -> bytes:
    """RunLengthDecode stopped past `budget` (a two-byte run is 128 bytes out); about 0.15 s a MB in."""
    out = bytearray()
    at = 0
    while at < len(raw) and raw[at] != 128 and len(out) <= budget:
        n = raw[at]
        if n < 128:
            out += raw[at + 1 : at + 2 + n]
            at += n + 2
        else:
            out += raw[at + 1 : at + 2] * (257 - n)
            at += 2
    if len(out) > budget:
        raise _Over(f"a content stream expands to more than {_mb(budget)}, the bound per page")
    return bytes(out)


_LZW_RATIO = 3412  # bytes out per byte in, at most: a 9-bit code stands for at most 3,839 bytes (4,096 codes)


def _unlzw(raw: bytes, budget: int, params, pikepdf) -> bytes:
    """LZWDecode stopped past `budget`: by qpdf where the longest output is within it, else by pdfminer's
    decoder, which yields as it goes (slower: about 0.7 s a MB out), and which reads early change 1 only."""
    if len(raw) * _LZW_RATIO <= budget:
        return _one_filter(raw, "/LZWDecode", None, pikepdf)
    if isinstance(params, pikepdf.Dictionary) and params.get("/EarlyChange", 1) == 0:
        raise _Over("an LZW content stream with EarlyChange 0 is too long to check within the bound")
    from pdfminer.lzw import LZWDecoder

    parts, n = [], 0
    for part in LZWDecoder(io.BytesIO(raw)).run():
        parts.append(part)
        n += len(part)
        if n > budget:
            raise _Over(f"a content stream expands to more than {_mb(budget)}, the bound per page")
    return b"".join(parts)


_INFLATE_STEP = 16384  # compressed bytes decoded at a time …
_DAMAGE_STEP = 64  # … and, from the piece where a stream is damaged, this many


def _inflate(raw: bytes, budget: int) -> bytes:
    """Flate decoded, stopped past `budget`. A damaged stream gives what decodes before the damage (to within
    _DAMAGE_STEP input bytes), as pdfium draws it: operations before the damage are counted."""
    inflater = zlib.decompressobj()
    parts: list[bytes] = []
    n, at, step = 0, 0, _INFLATE_STEP
    while at < len(raw) and not inflater.eof:
        saved = inflater.copy() if step > _DAMAGE_STEP else None
        try:
            part = inflater.decompress(raw[at : at + step], budget + 1 - n)
        except zlib.error:
            if saved is None:
                break
            inflater, step = saved, _DAMAGE_STEP  # the same piece again, in smaller steps
            continue
        parts.append(part)
        n += len(part)
        if n > budget:
            raise _Over(f"a content stream expands to more than {_mb(budget)}, the bound per page")
        at += step
    return b"".join(parts)


def _empty(obj, pikepdf) -> bool:
    """A /DecodeParms entry that changes nothing: null or an empty dictionary."""
    return obj is None or isinstance(obj, pikepdf.Dictionary) and not len(obj)


_A85_SPACE = b" \t\n\r\x0b"  # what base64.a85decode, which pdfminer calls, ignores


def _a85(raw: bytes) -> bytes | None:
    """ASCII85 decoded five digits at a time with numpy, as pdfminer's ascii85decode reads it (an optional
    leading <~ or ~, a trailing ~ or ~>, z for four zero bytes); None where the text is not plain ASCII85."""
    import numpy as np

    body = raw.translate(None, _A85_SPACE)
    body = body[2:] if body.startswith(b"<~") else body[1:] if body.startswith(b"~") else body
    body = body[:-2] if body.endswith(b"~>") else body[:-1] if body.endswith(b"~") else body
    body = body.replace(b"z", b"!!!!!")
    pad = -len(body) % 5
    if pad == 4:
        return None  # one lone digit: not ASCII85
    digits = np.frombuffer(body + b"u" * pad, dtype=np.uint8)
    if digits.size and (digits.min() < 33 or digits.max() > 117):
        return None
    words = (digits.reshape(-1, 5).astype(np.uint64) - 33) @ (85 ** np.arange(4, -1, -1, dtype=np.uint64))
    if words.size and words.max() > 0xFFFFFFFF:
        return None
    out = words.astype(">u4").tobytes()
    return out[: len(out) - pad] if pad else out
