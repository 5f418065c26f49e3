"""`python -m tests.pdfcorpus DIR [NAME…]`: write the corpus (or the named variants) and DIR/INDEX.md."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from . import BY_NAME, VARIANTS, index


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m tests.pdfcorpus DIR [VARIANT…]", file=sys.stderr)
        return 2
    directory = Path(argv[0])
    directory.mkdir(parents=True, exist_ok=True)
    unknown = [n for n in argv[1:] if n not in BY_NAME]
    if unknown:
        print(f"unknown variant(s): {', '.join(unknown)}; known: {', '.join(BY_NAME)}", file=sys.stderr)
        return 2
    chosen = [BY_NAME[n] for n in argv[1:]] or VARIANTS
    (directory / "INDEX.md").write_text(index(), encoding="utf-8")
    for variant in chosen:
        start = time.perf_counter()
        out = variant.write(directory)
        print(f"{out}  {time.perf_counter() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
