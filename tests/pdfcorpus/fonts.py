"""Fonts the producers use: Adobe's built-in CID font (never embedded) and a CJK TrueType from a package."""

from __future__ import annotations

from functools import cache
from pathlib import Path

CID_FONT = "STSong-Light"  # reportlab's built-in Adobe-GB1 font, encoding UniGB-UCS2-H: codes are UTF-16BE
LATIN_FONT = "Helvetica"  # the second font of the numbers-in-another-font variant
CJK_FAMILY = "AR PL SungtiL GB"  # what fontconfig calls the TTF below (weasyprint finds it by family)
CJK_TTF_CANDIDATES = (
    # Debian fonts-arphic-gbsn00lp: a plain TrueType with Latin digits. Installed, it is also what pdfium
    # substitutes for the non-embedded STSong-Light (without such a font pdfium drops text objects made of
    # one half-width glyph: their boxes have no height).
    Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"),
)


def cjk_ttf() -> Path:
    for path in CJK_TTF_CANDIDATES:
        if path.exists():
            return path
    raise FileNotFoundError("no CJK TrueType font: run `bash tests/pdfcorpus/install.sh`")


@cache
def register_reportlab() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
