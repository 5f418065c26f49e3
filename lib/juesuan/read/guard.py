"""Checks before reading an untrusted input: what kind of file it is, its size, and what a PDF would make
pdfium do.

Why before: pdfium parses a page's whole content, form XObjects included, as soon as the page is loaded; a few
kilobytes of nested forms that each draw the next ten times expand to 10⁸ drawing operations (minutes,
gigabytes). Counting the expanded operations from the object graph (pdfminer.six, which reads objects
lazily) costs milliseconds and refuses such a file with one line naming the bound. The worker process's
rlimit and timeout (juesuan.worker) stay the backstop for whatever this estimate misses.
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
_MAX_DEPTH = 30  # pdfium's own limit on nested forms is about this


class _Over(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def check_pdf(path: Path, data: bytes, n_pages: int) -> None:
    """Refuse a PDF over the page bound, or one whose page would expand to more drawing operations (or
    content bytes) than the bounds allow. A PDF that pdfminer cannot walk is left to pdfium (and the worker's
    bounds)."""
    bound = limits.current()
    if n_pages > bound.max_pages:
        raise InputError(
            path, f"PDF has {n_pages} pages, over the page bound of {bound.max_pages} (--max-pages)"
        )
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser

        doc = PDFDocument(PDFParser(io.BytesIO(data)))
        pages = PDFPage.create_pages(doc)
        walker = _Walker(bound)
        for page_no, page in enumerate(pages, 1):
            if page_no > bound.max_pages:
                break
            try:
                ops = walker.page(page)
            except _Over as over:
                raise InputError(path, f"page {page_no}: {over.reason}") from None
            if ops > bound.max_page_objects:
                raise InputError(
                    path,
                    f"page {page_no} draws more than {bound.max_page_objects:,} objects (form "
                    f"XObjects expanded), the bound per page (--max-objects)",
                )
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - pdfminer cannot walk it: pdfium decides, the worker bounds it
        return


class _Walker:
    """Drawing operations of a page with every form XObject expanded as often as it is drawn (memoised per
    form)."""

    def __init__(self, bound: limits.Limits):
        self.bound = bound
        self.forms: dict[int, int] = {}  # objid → drawing operations, nested forms expanded

    def page(self, page) -> int:
        data = b"".join(self._data(s) for s in _streams(page.contents))
        if len(data) > self.bound.max_page_content:
            raise _Over(
                f"its content is {_mb(len(data))}, "
                f"over the bound of {_mb(self.bound.max_page_content)} per page"
            )
        # content shorter than two bytes an operator cannot exceed the bound by itself: skip counting it
        return self._cost(data, page.resources or {}, (), count=len(data) > 2 * self.bound.max_page_objects)

    def _cost(self, data: bytes, resources: dict, stack: tuple[int, ...], count: bool = True) -> int:
        from pdfminer.pdftypes import resolve1

        ops = sum(1 for _ in _PAINT.finditer(data)) if count else 0
        names = [m.group(1) for m in _DO.finditer(data)] if b"Do" in data else []
        if not names:
            return ops
        xobjects = resolve1(resolve1(resources).get("XObject")) or {}
        for name in names:
            ref = xobjects.get(name.decode("latin-1"))
            form = resolve1(ref)
            ops += 0 if count else 1
            if not _is_form(form):
                continue
            key = getattr(ref, "objid", id(form))
            if key in stack:
                raise _Over("form XObjects draw each other in a cycle")
            if len(stack) >= _MAX_DEPTH:
                raise _Over(f"form XObjects are nested more than {_MAX_DEPTH} deep")
            if key not in self.forms:
                inner = resolve1(form.attrs.get("Resources")) or resources
                self.forms[key] = self._cost(self._data(form), inner, (*stack, key))
            ops += self.forms[key]
            if ops > self.bound.max_page_objects:
                return ops  # already over: stop counting
        return ops

    def _data(self, stream) -> bytes:
        """A content stream decoded, never beyond the per-page content bound (a compressed stream can expand
        1000×)."""
        budget = self.bound.max_page_content
        data = _decoded(stream, budget)
        if data is None:  # a filter chain the fast path does not take: pdfminer decodes it
            data = stream.get_data()
        if len(data) > budget:
            raise _Over(f"a content stream expands to more than {_mb(budget)}, the bound per page")
        return data


def _decoded(stream, budget: int) -> bytes | None:
    """The stream through its filters when they are ASCII85 and Flate without parameters (what most producers
    write), Flate stopped past `budget`; None for anything else, left to pdfminer. Pdfminer's ASCII85 is pure
    Python and cost a reportlab or WPS page more than the rest of the walk."""
    from pdfminer.pdftypes import LITERALS_ASCII85_DECODE, LITERALS_FLATE_DECODE

    data = getattr(stream, "rawdata", None)
    if data is None or stream.decipher is not None:
        return None
    for f, params in stream.get_filters():
        if params:
            return None
        if f in LITERALS_ASCII85_DECODE:
            data = _a85(data)
        elif f in LITERALS_FLATE_DECODE:
            try:
                data = zlib.decompressobj().decompress(data, budget + 1)
            except zlib.error:
                return None  # pdfminer's lenient inflate decides what a damaged stream holds
            if len(data) > budget:
                raise _Over(f"a content stream expands to more than {_mb(budget)}, the bound per page")
        else:
            return None
        if data is None:
            return None
    return data


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


def _streams(contents) -> list:
    from pdfminer.pdftypes import PDFStream, resolve1

    items = contents if isinstance(contents, list) else [contents]
    return [s for s in (resolve1(x) for x in items) if isinstance(s, PDFStream)]


def _is_form(obj) -> bool:
    from pdfminer.pdftypes import PDFStream

    return isinstance(obj, PDFStream) and getattr(obj.attrs.get("Subtype"), "name", None) == "Form"
