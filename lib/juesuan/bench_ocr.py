"""`make bench` rows for OCR (read.ocr): seconds per recognised page, and what `--ocr auto` costs a PDF that
has a text layer (it must cost nothing: only pictures are recognised, and a text PDF has none)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def rows(text_pdfs: list[Path], sample: Path, pages: tuple[int, ...] = (8, 16, 21)) -> list[tuple]:
    """(input, measured, seconds, reference, seconds, verdict) rows, as bench.main prints them."""
    import pypdfium2 as pdfium

    from .bench_timing import median_seconds
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
        out.append(
            (
                f"{path.name} ({n} p.)",
                "parse --ocr auto, per page",
                auto,
                "parse --ocr off, per page",
                off,
                f"ratio {auto / off:.2f} (goal 1.00 within noise)",
            )
        )
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
    out.append(
        (
            f"{sample.name} p. {','.join(map(str, pages))}",
            "parse --ocr force, per page",
            secs,
            "the same pages from the text layer",
            text,
            f"OCR {secs:.1f} s a page on {os.cpu_count()} cores",
        )
    )
    return out


# ---------------------------------------------------------------- accuracy (python -m juesuan.bench_ocr)


def accuracy(work: Path) -> list[tuple]:
    """Cells read from pictures against the text-layer parse of the same pages: (variant, expected,
    identical, warned, silently wrong). The picture PDFs are made by the tests' generator (tests/ocrgen,
    tests/pdfcorpus), so this runs from a checkout; recognised pages are cached in `work` between runs (only
    the reading downstream of the recogniser is then measured again)."""
    import sys

    import pandas as pd

    from .config import DATA_RAW, FIXTURES, ROOT
    from .pipeline import parse

    sys.path.insert(0, str(ROOT / "tests"))
    from ocrgen import Scan, pasted, scanned
    from pdfcorpus import html
    from pdfcorpus.compare import compare

    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("JUESUAN_OCR_CACHE", str(work / "cache"))
    cai, gui = (
        DATA_RAW / "2024-shanghai-putuo-caizhengju.pdf",
        DATA_RAW / "2024-shanghai-putuo-guihuaziyuanju.pdf",
    )
    variants = {
        "财政局 scanned, 150 dpi, 0.8°, JPEG 70": (
            cai,
            "caizhengju",
            lambda s, o, p: scanned(s, o, Scan(150, 0.8, 70), p),
        ),
        "规划资源局 pasted, 150 dpi, 0.7°, JPEG 75": (
            gui,
            "guihuaziyuanju",
            lambda s, o, p: pasted(s, o, Scan(150, 0.7, 75), p),
        ),
        "财政局 pasted, 200 dpi": (cai, "caizhengju", lambda s, o, p: pasted(s, o, Scan(200), p)),
        "规划资源局 scanned, 200 dpi, -0.5°, JPEG 85": (
            gui,
            "guihuaziyuanju",
            lambda s, o, p: scanned(s, o, Scan(200, -0.5, 85), p),
        ),
    }
    columns = ["table_code", "panel", "row_label", "subject_code", "level", "column", "value", "page"]
    out = []
    for k, (name, (source, sample, make)) in enumerate(variants.items()):
        want = pd.read_csv(
            FIXTURES / f"putuo_{sample}_2024" / "statements.csv", dtype=str, keep_default_na=False
        )
        pages = sorted(want.page.astype(int).unique().tolist())
        pdf = work / f"tables{k}.pdf"
        if not pdf.is_file():
            make(source, pdf, pages)
        d = parse(pdf)
        result = compare(want, d.statements, columns, name)
        out.append((name, *_judged(result, d.warnings, "extract:statements")))
    forms = work / "forms.pdf"
    if not (work / "forms-text.pdf").is_file():
        html.seed_forms(work / "forms-text.pdf")
    original = parse(work / "forms-text.pdf")
    pages = [10, 11, 12, 18, 19, 20]  # the 部门整体 forms and three project forms: 89 indicator rows
    if not forms.is_file():
        scanned(work / "forms-text.pdf", forms, Scan(dpi=200, turn=0.6, jpeg=80), pages)
    picture = parse(forms)
    ind = ["scope", "level1", "level2", "level3", "target_raw", "actual_raw", "score"]
    want, got = (x.indicators[x.indicators.page.isin(pages)] for x in (original, picture))
    result = compare(want, got, ind, "forms")
    out.append(
        (
            f"performance forms, {len(pages)} pages, 200 dpi, 0.6°, JPEG 80",
            *_judged(result, picture.warnings, "ocr|performance", got),
        )
    )
    return out


def _judged(result, warnings, stages: str, got=None) -> tuple[int, int, int, int, list[str]]:
    """(expected, identical, warned, silently wrong, examples): a row that is not identical is warned when a
    warning of the stage names its page and row (a statement: its label; a form row: its line)."""
    warned = warnings[warnings.stage.str.contains(stages)]
    n_warned, wrong, examples = 0, 0, []
    for row in result.missing:
        if "row_label" in row:
            here = warned[warned.page == int(row["page"])]
            code = row["subject_code"]
            names = [
                str(row["row_label"])[-4:],
                *([str(int(code))] if code != "" else []),
            ]  # the label read wrong
            ok = any(here.message.str.contains(n, regex=False).any() for n in names)
        else:
            ok = True  # a form row missing: judged by its read counterpart below
        n_warned += ok
        examples.append(f"{'warned' if ok else 'SILENT'} missing {row}")
    for row in result.extra:
        if "row_label" in row:
            wrong += 1  # a statement read and used that the text layer does not have
            examples.append(f"SILENT extra {row}")
            continue
        match = got[(got.level3.astype(str).str.replace(r"\s+", "", regex=True) == row["level3"])]
        lines = {(int(p), int(s)) for p, s in zip(match.page, match.source_line, strict=True)}
        ok = any(
            (int(p), int(s)) in lines
            for p, s in zip(warned.page.fillna(0), warned.source_line.fillna(0), strict=True)
        )
        wrong += not ok
        examples.append(f"{'warned' if ok else 'SILENT'} read {row}")
    if got is not None:  # form rows: what differs is counted once, on the read side
        n_warned = sum(e.startswith("warned read") for e in examples)
        wrong = sum(e.startswith("SILENT read") for e in examples)
    return result.expected, result.identical, n_warned, wrong, examples


def main(argv: list[str] | None = None) -> int:
    """python -m juesuan.bench_ocr [WORK_DIR]: the accuracy table (and, with -v, what differs)."""
    import sys

    from .config import ROOT

    args = list(argv if argv is not None else sys.argv[1:])
    verbose = "-v" in args
    args = [a for a in args if a != "-v"]
    work = Path(args[0]) if args else ROOT / "build" / "ocrbench"
    rows_ = accuracy(work)
    print(f"{'variant':<44} {'identical':>16} {'warned':>7} {'silently wrong':>15}")
    for name, expected, identical, warned, wrong, examples in rows_:
        print(
            f"{name:<44} {identical:>5}/{expected:<4} "
            f"{100 * identical / expected:5.1f}% {warned:>7} {wrong:>15}"
        )
        if verbose:
            for e in examples:
                print("    ", e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
