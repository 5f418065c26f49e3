"""fpdf2 with an embedded (subset) TrueType CJK font, one text call per line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from .draw import LEADING, MARGIN_TOP, MARGIN_X, SIZE
from .fonts import cjk_ttf


def render(pages: list[list[str]], out: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))  # deterministic output
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", fname=str(cjk_ttf()))
    pdf.set_font("cjk", size=SIZE)
    for no, lines in enumerate(pages, 1):
        pdf.add_page()
        for i, text in enumerate(lines):
            pdf.text(MARGIN_X, MARGIN_TOP + (i + 1) * LEADING, text)
        pdf.text((pdf.w - pdf.get_string_width(str(no))) / 2, pdf.h - 30, str(no))
    pdf.output(str(out))
