"""`python -m tests.pdfcorpus DIR [NAME…]`: write the corpus (or the named variants) and DIR/INDEX.md.

`python -m tests.pdfcorpus --snapshot` re-takes the Shanghai samples' lines and grids (data/*.json) with the
juesuan on the path; run it only with a reader that matches the fixtures, e.g. a checked-out release:
`PYTHONPATH=/tmp/release/lib python -m tests.pdfcorpus --snapshot`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from . import BY_NAME, VARIANTS, content, index
from .defects import DEFECTS_BY_NAME


def main(argv: list[str]) -> int:
    if argv == ["--snapshot"]:
        for sample in content.SHANGHAI:
            print(content.snapshot_shanghai(sample))
        return 0
    if argv[:1] == ["--score"] and len(argv) >= 2:
        return score(Path(argv[1]), argv[2:])
    if not argv:
        print(
            "usage: python -m tests.pdfcorpus DIR [VARIANT…] | --score DIR [VARIANT…] | --snapshot",
            file=sys.stderr,
        )
        return 2
    directory = Path(argv[0])
    directory.mkdir(parents=True, exist_ok=True)
    known = {**BY_NAME, **DEFECTS_BY_NAME}  # defect drawings (defects.py) only when named
    unknown = [n for n in argv[1:] if n not in known]
    if unknown:
        print(f"unknown variant(s): {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    chosen = [known[n] for n in argv[1:]] or VARIANTS
    (directory / "INDEX.md").write_text(index(), encoding="utf-8")
    for variant in chosen:
        start = time.perf_counter()
        out = variant.write(directory)
        print(f"{out}  {time.perf_counter() - start:.1f} s", flush=True)
    return 0


def score(directory: Path, names: list[str]) -> int:
    """Parse DIR/<variant>.pdf and print, table by table, the rows identical to the expected ones."""
    from juesuan import load

    from .expected import score as score_of

    for variant in [BY_NAME[n] for n in names] or VARIANTS:
        path = directory / f"{variant.name}.pdf"
        try:
            d = load(path)
        except Exception as exc:  # noqa: BLE001 - a crash is a result here
            print(f"{variant.name}: CRASH {type(exc).__name__}: {exc}")
            continue
        cells = [
            f"{c.table} {c.identical}/{c.expected}"
            + ("" if c.actual == c.expected else f" (read {c.actual})")
            for c in score_of(variant, d)
        ]
        print(
            f"{variant.name}: "
            + ", ".join(cells)
            + f"; warnings without page {int(d.warnings.page.isna().sum())}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
