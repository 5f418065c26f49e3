"""`make bench`: parse speed of the samples, next to the reference each issue names, as a printed table.

Speed is measured here, never in timed tests: in-process medians of repeated runs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import bench_batch, bench_ocr
from .bench_timing import median_seconds, paired_medians, papermill_floor
from .checks import run_checks
from .config import DATA_RAW, FIXTURES
from .pipeline import extract_rows, parse
from .read.pdf import read_pdf
from .report import notebooks, run_reports


def _pdfplumber_reference(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()


def main(argv: list[str] | None = None) -> int:

    rows: list[tuple[str, str, float, str, float | None, str]] = []
    for path in sorted(DATA_RAW.glob("*.txt")):
        t = median_seconds(lambda p=path: parse(p), repeat=15)
        rows.append(
            (
                path.name,
                "juesuan parse (median of 15)",
                t,
                "goal ≤ 0.050 s",
                None,
                "ok" if t <= 0.05 else "over goal",
            )
        )
        t = median_seconds(lambda p=path: extract_rows(p), repeat=15)
        rows.append(
            (path.name, "  of which extraction (unvalidated)", t, "", None, "(validation = the rest)")
        )
    rows += _checks_rows()
    extra = [Path(a) for a in (argv if argv is not None else sys.argv[1:]) if a.endswith(".pdf")]
    rows += _pdf_rows([*sorted(DATA_RAW.glob("*.pdf")), *sorted(FIXTURES.glob("wps/*.pdf")), *extra])
    if "--no-ocr" not in (argv or sys.argv[1:]):
        # OCR seconds a page; --ocr auto against off on text PDFs
        rows += bench_ocr.rows(
            [*sorted(DATA_RAW.glob("*.pdf")), *extra], DATA_RAW / "2024-shanghai-putuo-caizhengju.pdf"
        )
    if "--no-report" not in (argv or sys.argv[1:]):
        rows += _report_rows()
    # many documents: batch, reports per document, scaling
    rows += bench_batch.rows(list(argv if argv is not None else sys.argv[1:]))
    width = max(len(r[0]) for r in rows)
    print(f"{'input':<{width}}  {'measured':<32} {'seconds':>8}  {'reference':<38} {'seconds':>8}  verdict")
    for name, what, secs, ref_what, ref, verdict in rows:
        ref_s = f"{ref:8.3f}" if ref is not None else " " * 8
        print(f"{name:<{width}}  {what:<32} {secs:8.3f}  {ref_what:<38} {ref_s}  {verdict}")
    return 0


def _pdfium_floor(path: Path) -> None:
    """pypdfium2's raw text of every page: no layout, no tables — the floor any PDF reader stands on."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    for page in doc:
        page.get_textpage().get_text_bounded()
    doc.close()


def _pdf_rows(paths: list[Path]) -> list[tuple]:
    """Per-page parse time of each PDF against pdfplumber's extract_text + extract_tables (goal ≤ 0.25×)
    and against pypdfium2's raw text extraction (the floor, goal ≤ 3×)."""
    import pypdfium2 as pdfium

    rows = []
    for path in paths:
        doc = pdfium.PdfDocument(path)
        n = len(doc)
        doc.close()
        ours, floor = (
            t / n for t in paired_medians(lambda p=path: parse(p), lambda p=path: _pdfium_floor(p), repeat=5)
        )
        # paired too: measured one after the other, a machine that slows between them moved this ratio by 40%
        ours_p, ref = (
            t / n
            for t in paired_medians(
                lambda p=path: parse(p), lambda p=path: _pdfplumber_reference(p), repeat=3 if n > 40 else 5
            )
        )
        rows.append(
            (
                f"{path.name} ({n} p.)",
                "juesuan parse, per page",
                ours_p,
                "pdfplumber text+tables, per page",
                ref,
                f"ratio {ours_p / ref:.2f} (goal ≤ 0.25)",
            )
        )
        rows.append(
            (
                "",
                "",
                ours,
                "pypdfium2 raw text (floor), per page",
                floor,
                f"ratio {ours / floor:.2f} (goal ≤ 3)",
            )
        )
        # the reader alone (the rest of the parse is segmentation, extraction and validation)
        read, floor = (
            t / n
            for t in paired_medians(lambda p=path: read_pdf(p), lambda p=path: _pdfium_floor(p), repeat=5)
        )
        rows.append(
            (
                "",
                "  of which read_pdf, per page",
                read,
                "pypdfium2 raw text (floor), per page",
                floor,
                f"ratio {read / floor:.2f}",
            )
        )
    return rows


def _checks_rows() -> list[tuple]:
    """`run_checks` on each bundled sample, parsed once (issue 13: the seed's checks ≤ 0.1 s). The checks that
    read words use the lines the reader produced (Disclosure.lines): the file is not read again."""
    out = []
    for path in [*sorted(DATA_RAW.glob("*.txt")), *sorted(DATA_RAW.glob("*.pdf"))]:
        d = parse(path)
        t = median_seconds(lambda d=d: run_checks(d), repeat=15 if path.suffix == ".txt" else 3)
        if path.suffix == ".txt":
            rows = (
                path.name,
                "juesuan checks (median of 15)",
                t,
                "goal ≤ 0.100 s",
                None,
                "ok" if t <= 0.1 else "over goal",
            )
        else:
            rows = (path.name, "juesuan checks (median of 3)", t, "", None, "")
        out.append(rows)
    return out


def _report_rows() -> list[tuple]:
    """`juesuan report` on the text sample vs papermill running as many empty notebooks (the floor),
    both as the commands a user runs, and both in-process."""
    seed = sorted(DATA_RAW.glob("*.txt"))
    if not seed:
        return []
    n = len(notebooks())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "juesuan", "report", str(seed[0]), "--out", tmp],
            check=True,
            capture_output=True,
        )
        ours = time.perf_counter() - t
        floor = papermill_floor(n, cli=True)
        rows.append(
            (
                seed[0].name,
                f"`juesuan report` command ({n} nb)",
                ours,
                f"`papermill` command × {n} (empty nb)",
                floor,
                f"ratio {ours / floor:.2f} (goal ≤ 1.3)",
            )
        )
        t = time.perf_counter()
        run_reports([str(seed[0])], prior=[], out=Path(tmp) / "again")
        ours = time.perf_counter() - t
    floor = papermill_floor(n, cli=False)
    rows.append(
        (
            seed[0].name,
            f"  in-process run_reports ({n} nb)",
            ours,
            f"  in-process execute_notebook × {n}",
            floor,
            f"ratio {ours / floor:.2f}",
        )
    )
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
