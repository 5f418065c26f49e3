"""`make bench` rows for OCR (read.ocr): seconds per recognised page, and what `--ocr auto` costs a PDF that
has a text layer (it must cost nothing: only pictures are recognised, and a text PDF has none)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def rows(text_pdfs: list[Path], sample: Path, pages: tuple[int, ...] = (8, 16, 21)) -> list[tuple]:
    """(input, measured, seconds, reference, seconds, verdict) rows, as bench.main prints them."""
    import pypdfium2 as pdfium

    from .bench import median_seconds
    from .limits import Limits, using
    from .pipeline import parse

    def parse_with(path: Path, mode: str) -> object:
        with using(Limits(ocr=mode)):
            return parse(path)

    out = []
    for path in text_pdfs:
        doc = pdfium.PdfDocument(path)
        n = len(doc)
        doc.close()
        auto = median_seconds(lambda p=path: parse_with(p, "auto"), repeat=7) / n
        off = median_seconds(lambda p=path: parse_with(p, "off"), repeat=7) / n
        out.append((f"{path.name} ({n} p.)", "parse --ocr auto, per page", auto, "parse --ocr off, per page", off,
                    f"ratio {auto / off:.2f} (goal 1.00 within noise)"))
    with tempfile.TemporaryDirectory() as tmp:
        excerpt = Path(tmp) / "excerpt.pdf"
        src = pdfium.PdfDocument(sample)
        pdf = pdfium.PdfDocument.new()
        pdf.import_pages(src, [p - 1 for p in pages])
        pdf.save(excerpt)
        saved = os.environ.get("JUESUAN_OCR_CACHE")
        os.environ["JUESUAN_OCR_CACHE"] = "off"  # every page recognised, none taken from the cache
        try:
            parse_with(excerpt, "force")  # engine and models loaded once, as in a real run of several pages
            secs = median_seconds(lambda: parse_with(excerpt, "force"), repeat=3) / len(pages)
        finally:
            if saved is None:
                os.environ.pop("JUESUAN_OCR_CACHE", None)
            else:
                os.environ["JUESUAN_OCR_CACHE"] = saved
        text = median_seconds(lambda: parse_with(excerpt, "off"), repeat=3) / len(pages)
    out.append((f"{sample.name} p. {','.join(map(str, pages))}", "parse --ocr force, per page", secs,
                "the same pages from the text layer", text, f"OCR {secs:.1f} s a page on {os.cpu_count()} cores"))
    return out

