"""Read a text disclosure: decode, split into lines, infer page numbers, drop page-number lines."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..errors import InputError
from .lines import Line, Source

# A printed page number alone on a line: "52", "- 12 -", "— 3 —", "第 3 页", "3/98", "第3页 共98页".
_PAGE_NO = re.compile(
    r"^\s*(?:[-—–－]\s*(?P<a>\d{1,4})\s*[-—–－]|(?P<b>\d{1,4})|第\s*(?P<c>\d{1,4})\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
    r"|(?P<d>\d{1,4})\s*/\s*\d{1,4})\s*$"
)
_PAGE_JOIN = re.compile(r" \S")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def decode(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030; binary files are refused."""
    if not data.strip():
        raise InputError(path, "empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise InputError(path, "binary file, not a text disclosure")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(path, "cannot decode text (unknown encoding)")
    return str(best)


_PAGE_NO_START = set("0123456789０１２３４５６７８９-—–－第")


def page_number(text: str) -> int | None:
    if text.lstrip()[:1] not in _PAGE_NO_START:
        return None
    m = _PAGE_NO.match(text.translate(_FULLWIDTH_DIGITS).replace("\u00a0", " "))
    if not m:
        return None
    return int(next(g for g in m.groups() if g))


def split_pages(text: str) -> tuple[list[tuple[int, str, bool]], int]:
    """Lines as (line_no, text, starts_page). A form feed starts a page; lacking any, so does a line
    indented by exactly one space (how some extractors mark a page join) when such lines are rare."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    has_ff = "\f" in text
    out: list[tuple[int, str, bool]] = []
    for no, line in enumerate(raw, 1):
        starts = False
        if has_ff and "\f" in line:
            starts = True
            line = line.replace("\f", "")
        out.append((no, line, starts))
    if not has_ff:
        nonblank = [ln for ln in out if ln[1].strip()]
        marked = [ln for ln in nonblank if _PAGE_JOIN.match(ln[1])]
        if marked and len(marked) <= 0.1 * len(nonblank):
            out = [(no, t, bool(_PAGE_JOIN.match(t))) for no, t, _ in out]
    return out, len(raw) - (1 if raw and raw[-1] == "" else 0)


def assign_pages(rows: list[tuple[int, str, bool]]) -> tuple[list[Line], int]:
    """Content lines with their page, anchored on printed page numbers where they are plausible; blank
    lines and the page-number lines themselves are dropped (every kept line keeps its number in the file).

    A lone number is a page number only if it keeps the printed sequence increasing and close to the
    page count so far; otherwise it is data (a table score alone on its line) and stays a line.
    """
    page, last_printed, content_since_break = 1, None, False
    kept: list[list] = []  # [no, page, text], pages fixed up when a footer names the page
    on_page: list[list] = []  # kept lines of the current page
    for no, text, starts in rows:
        if starts and content_since_break:
            page += 1
            on_page = []
            content_since_break = False
        if not text or text.isspace():
            continue
        num = page_number(text) if len(text) < 24 else None
        if num is not None and (last_printed or 0) + 1 <= num <= page + 12:
            for row in on_page:
                row[1] = num
            last_printed, page = num, num + 1
            on_page, content_since_break = [], False
            continue
        row = [no, page, text]
        kept.append(row)
        on_page.append(row)
        content_since_break = True
    n_pages = max(page - 1 if not content_since_break else page, kept[-1][1] if kept else 0)
    return [Line(*row) for row in kept], n_pages


def read_text(path: str | Path) -> Source:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read file ({exc.strerror or exc})") from None
    text = decode(data, path)
    rows, n_lines = split_pages(text)
    lines, n_pages = assign_pages(rows)
    return Source(
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        lines=lines,
        n_lines=n_lines,
        n_pages=n_pages,
        kind="text",
        warnings=[],
    )
