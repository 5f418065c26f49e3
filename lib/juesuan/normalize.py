"""The one text normalisation every stage matches against: NFKC with radical look-alikes fixed, whitespace
squeezed or compacted, full-width digits folded, quotes dropped, and the display width of CJK text.

Patterns match the normalised form; originals stay in *_raw columns and evidence."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .vocab import QUOTES

# CJK radical look-alikes some PDFs emit instead of the ordinary characters (domain.md §6.11).
_RADICALS = str.maketrans({"\u2ed4": "门", "\u2ecb": "车", "\u2ea0": "民", "\u2f08": "人", "\u2fa4": "长"})
_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"\u00a0": " ", "\u3000": " "})
_NO_QUOTES = str.maketrans("", "", QUOTES)
_SPACE = re.compile(r"\s+")
_ALNUM = re.compile(r"[0-9A-Za-z]")
_RUN = re.compile(r"\S+")


@lru_cache(maxsize=1 << 16)
def norm(text: str) -> str:
    """NFKC + radical fix-up: the form every pattern matches against (originals stay in *_raw/evidence)."""
    return unicodedata.normalize("NFKC", text).translate(_RADICALS)


def squeeze(text: str) -> str:
    """Remove every whitespace character: CJK cell text has no meaningful spaces, only extraction
    artefacts."""
    return _SPACE.sub("", text)


@lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """Normalised text without whitespace (one space kept between two ASCII words/numbers)."""
    runs = _RUN.findall(norm(text))
    out = runs[:1]
    for run in runs[1:]:
        out.append((" " + run) if _ALNUM.match(out[-1][-1]) and _ALNUM.match(run[0]) else run)
    return "".join(out)


def fold(text: str | None) -> str | None:
    """Full-width digits → ASCII in names and labels, so the same cell reads the same from any extractor.
    Punctuation stays as printed; *_raw and evidence keep the original characters untouched."""
    return text.translate(_FULLWIDTH) if isinstance(text, str) else text


def unquote(text: str) -> str:
    """Without quotation marks of any kind (a title or item may be printed “quoted” or not)."""
    return text.translate(_NO_QUOTES)


def display_width(text: str) -> int:
    """Columns a terminal or a spreadsheet gives the text: two for a wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
