"""Find the parts (第一部分…) and numbered sections (一、 （一） 1.) of a disclosure.

Parts are recognised by their title keywords, not their ordinal, because templates number them differently
(Hubei: 六 parts with 附件; Shanghai: 四 parts). A table of contents repeats every heading, so the body
is the last increasing run of part headings.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field

from .normalize import compact, norm
from .read.lines import Line, provenance
from .values import cn_ordinal

PART_KEYS = {
    "概况": "overview",
    "决算表": "tables",
    "情况说明": "explanation",
    "其他需要说明": "other",
    "名词解释": "glossary",
    "附件": "attachments",
}
PART_NAMES = {v: k for k, v in PART_KEYS.items()}
REQUIRED_PARTS = ["overview", "tables", "explanation"]

_PART_RE = re.compile(r"^第([一二三四五六七八九十])部分(.*)$")
_SECTION_RE = re.compile(r"^([一二三四五六七八九十]{1,3})[、.]")
_HEADING_START = set("一二三四五六七八九十(（")
_SUB_RE = re.compile(r"^\(([一二三四五六七八九十]{1,3})\)")


@dataclass
class Section:
    ordinal: int
    label: str  # as printed: "五" or "五（三）"
    title: str
    start: int  # index into lines, inclusive (the heading line)
    end: int  # exclusive
    subsections: list[Section] = field(default_factory=list)


@dataclass
class Segments:
    parts: dict[str, tuple[int, int]]  # part key → (start, end) line indices
    sections: dict[str, list[Section]]  # part key → its top-level sections


class Passage:
    """Lines joined into one normalised, space-free string, remembering which line each character came from.

    Soft wraps split words and numbers' units across lines, so regexes run on the joined text; the
    offset map turns a match back into a source line.
    """

    def __init__(self, lines: list[Line], line_conf: Mapping[int, float] | None = None):
        parts: list[str] = []
        starts: list[int] = []  # offset in text where each run starts
        owners: list[int] = []  # the line each run came from
        sources: list[str | list[str]] = []  # the run's original characters, one per normalised char
        pos, last = 0, ""
        for i, line in enumerate(lines):
            text = line.text
            normalised = norm(text)
            same_length = len(normalised) == len(text)
            for m in _RUN.finditer(normalised):
                run = m.group()
                if (
                    last in _ASCII_ALNUM and run[0] in _ASCII_ALNUM
                ):  # keep a gap between two ASCII words/numbers
                    parts.append(" ")
                    starts.append(pos)
                    owners.append(i)
                    sources.append(" ")
                    pos += 1
                parts.append(run)
                starts.append(pos)
                owners.append(i)
                sources.append(
                    text[m.start() : m.end()] if same_length else source_chars(text, m.start(), len(run))
                )
                pos += len(run)
                last = run[-1]
        self.text = "".join(parts)
        self.lines = lines
        self.line_conf = line_conf or {}  # Source.line_conf: which lines OCR read, how sure it was
        self._starts, self._owners, self._sources = starts, owners, sources
        # one original character per character of `text` (NFKC kept every length): `original` is a slice
        self._same = "".join(sources) if all(type(x) is str for x in sources) else None

    def _run(self, pos: int) -> int:
        return max(bisect_right(self._starts, pos) - 1, 0)

    def line_at(self, pos: int) -> Line:
        pos = min(max(pos, 0), len(self.text) - 1)
        return self.lines[self._owners[self._run(pos)]]

    def provenance(self, start: int, end: int) -> dict[str, str | float | None]:
        """`source` and `confidence` of a value read from text[start:end]: OCR (how sure) or a text layer."""
        first, last = self._owners[self._run(start)], self._owners[self._run(max(end - 1, start))]
        return provenance(self.lines[first : last + 1], self.line_conf)

    def original(self, start: int, end: int) -> str:
        """The document's own characters behind text[start:end] (evidence keeps them, not the NFKC form)."""
        if self._same is not None:
            return self._same[max(start, 0) : max(end, 0)]
        out: list[str] = []
        k = self._run(start)
        while k < len(self._starts) and self._starts[k] < end:
            lo = max(start - self._starts[k], 0)
            hi = end - self._starts[k]
            out.append("".join(self._sources[k][lo:hi]))
            k += 1
        return "".join(out)


_ALNUM = re.compile(r"[0-9A-Za-z]")
_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_RUN = re.compile(r"\S+")


def source_chars(text: str, start: int, length: int) -> list[str]:
    """Original characters behind normalised[start:start+length] when NFKC changed lengths (rare:
    ligatures)."""
    out: list[str] = []
    pos = 0
    for c in text:
        n = norm(c)
        for k in range(len(n)):
            if start <= pos < start + length:
                out.append(c if k == 0 else "")
            pos += 1
    return out


def heading(line: Line) -> str:
    return compact(line.text).replace(" ", "")


def find_parts(lines: list[Line]) -> dict[str, tuple[int, int]]:
    hits: list[tuple[int, int, str]] = []  # (index, ordinal, key)
    for i, line in enumerate(lines):
        if line.text.lstrip()[:1] != "第":
            continue
        m = _PART_RE.match(heading(line))
        if not m:
            continue
        # a long title may wrap ("…部门决算情况 / 说明"), with a number set apart ("2024") in between
        title = m.group(2) + "".join(h for h in map(heading, lines[i + 1 : i + 3]) if not h.isdigit())
        key = next((v for k, v in PART_KEYS.items() if k in m.group(2)), None) or next(
            (v for k, v in PART_KEYS.items() if k in title), None
        )
        if key:
            hits.append((i, cn_ordinal(m.group(1)) or 0, key))
    if not hits:
        return {}
    # a table of contents lists every part first: the body starts at the last heading of the lowest part
    lowest = min(ordinal for _, ordinal, _ in hits)
    first = max(n for n, (_, ordinal, _) in enumerate(hits) if ordinal == lowest)
    body: list[tuple[int, int, str]] = []
    for i, ordinal, key in hits[first:]:
        if body and (ordinal <= body[-1][1] or key in {k for _, _, k in body}):
            continue
        body.append((i, ordinal, key))
    body = sorted(body + _unnumbered_parts(lines, hits[:first], body))
    parts: dict[str, tuple[int, int]] = {}
    for n, (i, _, key) in enumerate(body):
        end = body[n + 1][0] if n + 1 < len(body) else len(lines)
        parts[key] = (i, end)
    return parts


def _unnumbered_parts(
    lines: list[Line], toc: list[tuple[int, int, str]], body: list[tuple[int, int, str]]
) -> list:
    """Parts the contents list names but whose body heading drops "第N部分" (WPS template:
    "第二部分 XX局2024年度部门决算表" in the 目录, "XX局 2024年度部门决算表" over the tables): the first
    line after the previous part that reads exactly as the listed title."""
    found = {key for _, _, key in body}
    out: list[tuple[int, int, str]] = []
    for i, ordinal, key in toc:
        if key in found:
            continue
        title = _PART_RE.match(heading(lines[i])).group(2)
        before = [j for j, o, _ in body if o < ordinal]
        after = [j for j, o, _ in body if o > ordinal]
        lo, hi = (max(before) + 1 if before else toc[-1][0] + 1), (min(after) if after else len(lines))
        hit = next((j for j in range(lo, hi) if heading(lines[j]) == title), None)
        if title and hit is not None:
            out.append((hit, ordinal, key))
            found.add(key)
    return out


def find_sections(
    lines: list[Line], start: int, end: int, pattern: re.Pattern = _SECTION_RE
) -> list[Section]:
    """Numbered headings in [start, end) whose ordinals run 1, 2, 3…: a wrapped line that merely starts
    with "二、" out of sequence is body text, not a heading."""
    found: list[tuple[int, int, str, str]] = []
    expected = 1
    for i in range(start, end):
        first = lines[i].text.lstrip()[:1]
        if not first or first not in _HEADING_START:
            continue
        h = heading(lines[i])
        m = pattern.match(h)
        if not m:
            continue
        n = cn_ordinal(m.group(1))
        if n is None or n != expected:
            continue
        found.append((i, n, m.group(1), h[m.end() :]))
        expected = n + 1
    sections = []
    for k, (i, n, label, title) in enumerate(found):
        stop = found[k + 1][0] if k + 1 < len(found) else end
        sections.append(Section(n, label, title, i, stop))
    return sections


def segment(lines: list[Line]) -> Segments:
    parts = find_parts(lines)
    sections: dict[str, list[Section]] = {}
    for key, (start, end) in parts.items():
        secs = find_sections(lines, start + 1, end)
        for sec in secs:
            subs = find_sections(lines, sec.start + 1, sec.end, _SUB_RE)
            for sub in subs:
                sub.label = f"{sec.label}（{sub.label}）"
            sec.subsections = subs
        sections[key] = secs
    return Segments(parts, sections)
