"""Hostile inputs built in the tests (raw PDFs written object by object, edited copies of the seed) and a CLI runner."""

from __future__ import annotations

import subprocess
import sys
import zlib
from pathlib import Path

from juesuan.config import DATA_RAW


def pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF whose object k+1 is objects[k]; object 1 must be the catalog. A correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref)
    return bytes(out)


def stream(data: bytes, attrs: bytes = b"", compress: bool = True) -> bytes:
    if compress:
        data = zlib.compress(data)
        attrs += b" /Filter /FlateDecode"
    return b"<< /Length %d %s >>\nstream\n" % (len(data), attrs) + data + b"\nendstream"


def form_bomb(fanout: int = 10, levels: int = 8) -> bytes:
    """Nested form XObjects: the page draws X1 `fanout` times, X1 draws X2 `fanout` times, … (fanout^levels boxes)."""
    first_form = 5  # 1 catalog, 2 pages, 3 page, 4 page content
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /XObject << /X1 %d 0 R >> >> >>" % first_form,
               stream(b"q 0.5 0 0 0.5 10 10 cm /X1 Do Q\n" * fanout)]
    for level in range(1, levels + 1):
        if level < levels:
            body = b"q 0.9 0 0 0.9 1 1 cm /X%d Do Q\n" % (level + 1) * fanout
            res = b"/Resources << /XObject << /X%d %d 0 R >> >>" % (level + 1, first_form + level)
        else:
            body, res = b"0 0 1 1 re f\n", b""
        objects.append(stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 100 100] " + res))
    return pdf(objects)


def zero_pages() -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


SEED = DATA_RAW / "2023-tongcheng-renshe.txt"


def run(*args, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "juesuan", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, **kw)


def seed_with(tmp: Path, name: str, replacements: dict[str, str]) -> Path:
    """The seed text with each (first) occurrence of a key replaced, written to tmp/name."""
    text = SEED.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
