"""The disclosure's own text, for the rules that read words rather than tables (contents page, headings,
years, names, placeholders, direction words, free-text restatements).

The text is read once per document through `read.read_source` (the only place that knows encodings and PDFs)
and segmented with the parser's own `segment`, so a rule sees the same parts and sections as the extractors.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from .. import config
from ..config import TEXT
from ..read.lines import Line
from ..segment import Passage, Segments, compact, segment
from .rules_common import Ctx, Operand


@dataclass
class Text:
    """Content lines, their parts and sections, and the whole text joined without whitespace."""

    path: Path
    kind: str
    lines: list[Line]
    image_pages: set[int] = field(default_factory=set)
    ocr_lines: frozenset[int] = frozenset()  # Line.no of the lines OCR read (Disclosure.line_conf)
    _segs: Segments | None = None
    _flat: tuple[str, list[int], list[tuple[int, int]]] | None = None
    _compact: list[str] | None = None
    _lined: tuple[str, list[int]] | None = None
    _headings: list[Heading] | None = None

    @property
    def segs(self) -> Segments:
        if self._segs is None:
            self._segs = segment(self.lines)
        return self._segs

    @property
    def compact_lines(self) -> list[str]:
        """Each line normalised (NFKC) with its whitespace removed: the form heading patterns match
        against."""
        if self._compact is None:
            self._compact = [compact(ln.text).replace(" ", "") for ln in self.lines]
        return self._compact

    def flat(self) -> tuple[str, list[int], list[tuple[int, int]]]:
        """The text joined without line breaks or spaces, each line's start offset, and each line's (no,
        page)."""
        if self._flat is None:
            starts, where, parts, pos = [], [], [], 0
            for line, t in zip(self.lines, self.compact_lines, strict=True):  # NFKC, without whitespace
                if not t:
                    continue
                starts.append(pos)
                where.append((line.no, line.page))
                parts.append(t)
                pos += len(t)
            self._flat = ("".join(parts), starts, where)
        return self._flat

    def locate(self, offset: int) -> tuple[int, int]:
        """(line number, page) of a character of the flat text."""
        _, starts, where = self.flat()
        return where[max(0, bisect_right(starts, offset) - 1)]

    def joined(self, start: int, end: int) -> tuple[str, list[int]]:
        """compact_lines[start:end] as one string (a sentence may wrap) and the offset each line starts at."""
        lines = self.compact_lines[start:end]
        return "".join(lines), [0, *accumulate(map(len, lines[:-1]))] if lines else []

    def line_matches(self, pattern: re.Pattern) -> Iterator[tuple[int, re.Match]]:
        """(line index, match) of a pattern searched in every compact line, in one pass over the lines joined
        by newlines. Only for patterns that cannot match a newline (no \\s, no negated class, no DOTALL): a
        compact line holds no whitespace, so such a pattern finds what it would line by line."""
        text, starts = self._by_lines()
        for m in pattern.finditer(text):
            yield bisect_right(starts, m.start()) - 1, m

    def line_start(self, index: int) -> int:
        """Where line `index` starts in the text `line_matches` searches (a match's offset in its line is
        m.start() − line_start)."""
        return self._by_lines()[1][index]

    def _by_lines(self) -> tuple[str, list[int]]:
        if self._lined is None:
            lines = self.compact_lines
            starts = [0, *accumulate(len(c) + 1 for c in lines[:-1])] if lines else []
            self._lined = ("\n".join(lines), starts)
        return self._lined

    def part(self, key: str) -> tuple[int, int] | None:
        return self.segs.parts.get(key)

    def cite(self, label: str, value: float | None, where: str, line: Line, **kw) -> Operand:
        """An operand read from a line of the text: its line and page, and whether OCR read it."""
        return Operand(label, value, where, line.no, line.page, ocr=line.no in self.ocr_lines, **kw)

    def passage(self, start: int, end: int) -> Passage:
        return Passage(self.lines[start:end])


def _resolve(path: str) -> Path | None:
    p = Path(path)
    for candidate in (p, config.ROOT / p):
        if candidate.is_file():
            return candidate
    return None


def source(ctx: Ctx) -> Text | None:
    """The document's text (None when the Disclosure was not parsed from a file that is still there)."""

    def make() -> Text | None:
        doc = ctx.records("document")
        if not doc or not doc[0].get("source_path"):
            return None
        pages = {int(p) for p in re.findall(r"\d+", str(doc[0].get("image_pages") or ""))}
        lines = getattr(ctx.d, "lines", None)
        if lines:  # what the reader produced, within its bounds: the file is not read again
            kind = str(doc[0].get("source_kind"))
            segs = getattr(ctx.d, "segments", None)  # the parser's own, when it came with the lines
            return Text(Path(str(doc[0]["source_path"])), kind, lines, pages, ctx.ocr_lines, segs)
        path = _resolve(str(doc[0]["source_path"]))
        if path is None:
            return None
        from ..read import read_source

        src = read_source(path)
        return Text(path, src.kind, src.lines, pages | set(src.image_pages))

    return ctx.memo("source", make)  # type: ignore[return-value]


# ── headings: the ordinals a reader sees (一、 （一） 1、/1.) with where they sit ─────────────────────

_ORDINAL_PATTERNS = (
    (1, re.compile(r"^([一二三四五六七八九十]{1,3})、(.*)$")),
    (2, re.compile(r"^\(([一二三四五六七八九十]{1,3})\)(.*)$")),
    (3, re.compile(r"^(\d{1,2})[、.](?![\d.])(.*)$")),
)
_SENTENCE_PUNCT = re.compile(r"[，,；;。]")


@dataclass(frozen=True)
class Heading:
    level: int  # 1: 一、 2: （一） 3: 1、 or 1.
    n: int
    label: str  # as printed: "五", "三", "12"
    title: str
    index: int  # into Text.lines
    no: int
    page: int


def headings(text: Text, start: int, end: int) -> list[Heading]:
    """Numbered lines in lines[start:end]. A level-1 or level-2 ordinal counts as a heading only on a short
    line without sentence punctuation inside (a wrapped sentence that happens to start with "二、" is body
    text). Found once per text: the rules ask for several ranges."""
    if text._headings is None:
        text._headings = _headings(text)
    found = text._headings
    keys = [h.index for h in found]
    return found[bisect_left(keys, start) : bisect_left(keys, end)]


def _headings(text: Text) -> list[Heading]:
    from ..values import cn_ordinal

    out = []
    for i, c in enumerate(text.compact_lines):
        if not c or not (c[0] in "一二三四五六七八九十(" or c[0].isdigit()):
            continue
        for level, pattern in _ORDINAL_PATTERNS:
            m = pattern.match(c)
            if not m:
                continue
            title = m.group(2)
            if level < 3 and (len(title) > TEXT.heading_chars or _SENTENCE_PUNCT.search(title.rstrip("。"))):
                break
            n = int(m.group(1)) if level == 3 else cn_ordinal(m.group(1))
            if n:
                line = text.lines[i]
                out.append(Heading(level, n, m.group(1), title, i, line.no, line.page))
            break
    return out
