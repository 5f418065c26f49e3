"""OCR of a page picture: recognised characters and drawn rulings, as the Glyphs and Edges of read.layout.

Many disclosures paste their tables into the PDF as pictures, and county disclosures are often scans. The
picture is read into the same objects as a text layer, so the layout model and the grammars downstream work
unchanged; each glyph carries the recogniser's confidence, which the grammars turn into warnings.

- Engine: rapidocr-onnxruntime, whose wheel ships the PP-OCRv4 Chinese detection and recognition models;
  onnxruntime runs them on the CPU. Nothing is fetched at run time: `engine()` refuses models that are not
  files inside the installed package.
- A scan turned by a fraction of a degree is turned back first (the angle whose row profile is sharpest),
  so that its rulings are straight lines.
- Rulings: OpenCV morphology keeps long, thin runs of dark pixels (pdfplumber's "lines" strategy, on pixels).
- Characters: the recogniser's per-character boxes and probabilities, in PDF points of the displayed page.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

import numpy as np

from ..config import OCR, OcrSettings
from .layout import Edge, Glyph


class OcrMode(StrEnum):
    """When pages are recognised: auto (image-only pages and regions), off, force (every page, whole)."""

    AUTO = "auto"
    OFF = "off"
    FORCE = "force"


Box = tuple[float, float, float, float]  # x0, top, x1, bottom in display points (y downwards)


@dataclass
class Recognised:
    """What the picture of one page region holds."""

    glyphs: list[Glyph] = field(default_factory=list)
    hedges: list[Edge] = field(default_factory=list)
    vedges: list[Edge] = field(default_factory=list)
    skew: float = 0.0  # degrees the picture was turned back
    seconds: float = 0.0


class OcrUnavailable(RuntimeError):
    """The engine or its models are not installed: said once, the page stays unread (with a warning)."""


@cache
def engine():
    """The recogniser, built once per process from the models inside the installed package."""
    try:
        import rapidocr_onnxruntime as pkg
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise OcrUnavailable(f"rapidocr-onnxruntime is not installed ({exc})") from exc
    root = Path(pkg.__file__).resolve().parent
    models = {k: root / "models" / n for k, n in _MODELS.items()}
    missing = [str(p) for p in models.values() if not p.is_file()]
    if missing:
        raise OcrUnavailable(
            f"OCR models missing from the rapidocr-onnxruntime install: {', '.join(missing)}"
        )
    return RapidOCR(
        text_score=0.0,  # keep every reading: a doubtful one must become a warning, not vanish
        max_side_len=OCR.max_side,
        det_model_path=str(models["det"]),
        rec_model_path=str(models["rec"]),
        cls_model_path=str(models["cls"]),
    )


_MODELS = {
    "det": "ch_PP-OCRv4_det_infer.onnx",
    "rec": "ch_PP-OCRv4_rec_infer.onnx",
    "cls": "ch_ppocr_mobile_v2.0_cls_infer.onnx",
}


def render(page, settings: OcrSettings = OCR) -> tuple[np.ndarray, float]:
    """The displayed page as a grey picture, and its scale (pixels per point)."""
    scale = settings.dpi / 72.0
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        gray = np.array(bitmap.to_numpy(), copy=True)
    finally:
        bitmap.close()
    if gray.ndim == 3:
        gray = gray[..., 0]
    return gray, scale


def read_picture(
    gray: np.ndarray, scale: float, region: Box | None = None, settings: OcrSettings = OCR
) -> Recognised:
    """Glyphs and rulings of a region of a rendered page (the whole page when region is None)."""
    start = time.perf_counter()
    ox = oy = 0.0
    if region is not None:
        h, w = gray.shape
        x0, top, x1, bottom = region
        c0, r0 = max(int(x0 * scale), 0), max(int(top * scale), 0)
        c1, r1 = min(int(np.ceil(x1 * scale)), w), min(int(np.ceil(bottom * scale)), h)
        gray = gray[r0:r1, c0:c1]
        ox, oy = c0 / scale, r0 / scale
    out = Recognised()
    if gray.size == 0 or gray.min() > 200:  # blank
        return out
    gray, out.skew = deskew(gray, settings)
    out.hedges, out.vedges, lines = rulings(gray, scale, (ox, oy), settings)
    import cv2

    if (
        settings.erase_rulings
    ):  # a ruling touching a digit reads as 1 or |: the recogniser sees the cells only
        gray = np.where(cv2.dilate(lines, np.ones((3, 3), np.uint8)) > 0, 255, gray).astype(np.uint8)
    result, _ = engine()(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), return_word_box=True)
    out.glyphs = glyphs(result or [], scale, (ox, oy), settings)
    out.seconds = time.perf_counter() - start
    return out


# ---------------------------------------------------------------- the picture


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark pixels as 255 (Otsu's threshold: scans and JPEGs have no fixed black)."""
    import cv2

    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def skew_angle(gray: np.ndarray, settings: OcrSettings = OCR) -> float:
    """The small rotation (degrees, counter-clockwise) that makes the picture's rows of ink horizontal: the
    angle whose row profile changes most sharply (text lines and rulings line up with the pixel rows)."""
    import cv2

    ink = _ink(gray)
    h, w = ink.shape
    f = min(1.0, 1200.0 / max(h, w))
    small = cv2.resize(ink, (max(int(w * f), 1), max(int(h * f), 1)), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape
    centre = (sw / 2.0, sh / 2.0)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        turned = cv2.warpAffine(small, m, (sw, sh), flags=cv2.INTER_LINEAR, borderValue=0)
        profile = turned.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    limit = settings.max_skew
    best = max(np.arange(-limit, limit + 1e-9, 0.25), key=sharpness)
    best = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=sharpness)
    return round(float(best), 2)


def deskew(gray: np.ndarray, settings: OcrSettings = OCR) -> tuple[np.ndarray, float]:
    """The picture turned back by its skew (unchanged when it is straight)."""
    import cv2

    angle = skew_angle(gray, settings)
    if abs(angle) < 0.05:
        return gray, 0.0
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255), angle


def rulings(
    gray: np.ndarray, scale: float, origin: tuple[float, float], settings: OcrSettings = OCR
) -> tuple[list[Edge], list[Edge], np.ndarray]:
    """Horizontal and vertical rulings: runs of ink at least min_ruling long and at most max_ruling_width
    thick, in display points, and the mask of their pixels. Small breaks (JPEG, a faint scan) are closed
    first."""
    import cv2

    ink = _ink(gray)
    run = max(int(settings.min_ruling * scale), 8) | 1  # odd kernels: centred, no shift of the lines
    thick = settings.max_ruling_width * scale
    ox, oy = origin
    hedges: list[Edge] = []
    vedges: list[Edge] = []
    lines = np.zeros_like(ink)
    for horizontal in (True, False):
        shape = (run, 1) if horizontal else (1, run)
        gap = max(int(scale), 2) | 1
        bridge = (gap, 1) if horizontal else (1, gap)
        mask = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge))
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        keep = np.zeros(n, dtype=bool)
        for k, (x, y, w, h, _area) in enumerate(stats[1:n].tolist(), 1):
            if horizontal and h <= thick:
                hedges.append(Edge(oy + (y + h / 2) / scale, ox + x / scale, ox + (x + w) / scale))
                keep[k] = True
            elif not horizontal and w <= thick:
                vedges.append(Edge(ox + (x + w / 2) / scale, oy + y / scale, oy + (y + h) / scale))
                keep[k] = True
        lines[keep[labels] & (ink > 0)] = 255
    return hedges, vedges, lines


def glyphs(
    result: list, scale: float, origin: tuple[float, float], settings: OcrSettings = OCR
) -> list[Glyph]:
    """One Glyph per recognised character: its box from the recogniser (else the line's box split evenly),
    the line box's height for its vertical extent, and its own probability as confidence."""
    ox, oy = origin
    out: list[Glyph] = []
    for item in result:
        box, text, score = item[0], item[1], float(item[2])
        boxes, chars, confs = (item[3], item[4], item[5]) if len(item) >= 6 else ([], [], [])
        pts = np.asarray(box, dtype=float)
        top, bottom = oy + pts[:, 1].min() / scale, oy + pts[:, 1].max() / scale
        if not (len(boxes) == len(chars) == len(confs)) or not chars:
            chars = [c for c in text if not c.isspace()]
            x0, x1 = pts[:, 0].min(), pts[:, 0].max()
            step = (x1 - x0) / max(len(chars), 1)
            boxes = [[[x0 + i * step, 0], [x0 + (i + 1) * step, 0]] for i in range(len(chars))]
            confs = [score] * len(chars)
        height = bottom - top
        size = max(height * settings.size_of_box, 1.0)
        base = bottom - 0.15 * height
        for ch, cbox, conf in zip(chars, boxes, confs, strict=True):
            if not ch or ch.isspace():
                continue
            xs = [p[0] for p in cbox]
            out.append(
                Glyph(
                    ch,
                    ox + min(xs) / scale,
                    ox + max(xs) / scale,
                    top,
                    bottom,
                    base,
                    size,
                    conf=round(float(conf), 4),
                )
            )
    return out


# ---------------------------------------------------------------- garbled text layers


# What a disclosure's text layer is made of: ASCII and Latin-1, punctuation and symbols (≥ ≤ ① ■ …), Greek
# letters of units (μ Ω), the CJK blocks and full-width forms. A font without a usable Unicode map yields
# private-use codes, U+FFFD, or its glyph numbers taken as code points: characters of unrelated scripts.
_EXPECTED = (
    "\u0020-\u007e\u00a0-\u00ff\u0370-\u03ff\u2000-\u2bff\u2e80-\u2fdf\u3000-\u303f\u3200-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe6f\uff00-\uffef"
)
_UNEXPECTED = re.compile(f"[^{_EXPECTED}]|\ufffd")


def garbled_share(text: str) -> float:
    """Share of the characters (whitespace aside) that no disclosure prints: the mark of a font whose
    ToUnicode map is missing or wrong."""
    text = "".join(text.split())
    return len(_UNEXPECTED.findall(text)) / len(text) if text else 0.0


def garbled(glyphs: list[Glyph], settings: OcrSettings = OCR) -> bool:
    """A text layer that cannot be trusted: enough characters to judge, and too many of them unusable. In
    auto mode such a page is read from its picture instead."""
    text = "".join(g.ch for g in glyphs)
    return len(text) >= settings.garbled_min_chars and garbled_share(text) >= settings.garbled_share


# ---------------------------------------------------------------- cache


def cache_dir() -> Path | None:
    """Where recognised pages are kept ($JUESUAN_OCR_CACHE, else ~/.cache/juesuan/ocr; "off" disables): parse,
    the checks' source text, report and export each read the document, and OCR takes seconds a page."""
    where = os.environ.get("JUESUAN_OCR_CACHE")
    if where == "off":
        return None
    base = (
        Path(where)
        if where
        else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "juesuan" / "ocr"
    )
    return base


def cache_key(document_sha: str, page_no: int, regions: object, settings: OcrSettings = OCR) -> str:
    """The document, the page, what of it is read, the settings and the engine's version."""
    from importlib.metadata import version

    try:
        engine_version = version("rapidocr-onnxruntime")
    except Exception:  # noqa: BLE001 - not installed: nothing will be cached anyway
        engine_version = "?"
    reading = {k: v for k, v in asdict(settings).items() if k not in _DOWNSTREAM}
    text = json.dumps([document_sha, page_no, regions, reading, engine_version, _FORMAT], default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# Settings that judge what was recognised, not how: a change to them keeps the cached pages.
_DOWNSTREAM = {
    "mode",
    "min_confidence",
    "min_named_confidence",
    "confusable",
    "min_region",
    "max_glyphs_over_picture",
    "time_per_page_s",
    "garbled_share",
    "garbled_min_chars",
}


_FORMAT = 1  # of the cached JSON


def load_cached(key: str) -> list[Recognised] | None:
    """Recognised regions of a page read before, or None (JSON: a cache file is data, never code)."""
    base = cache_dir()
    path = base / f"{key}.json" if base else None
    if path is None or not path.is_file():
        return None
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        return [
            Recognised(
                [Glyph(**g) for g in f["glyphs"]],
                [Edge(*e) for e in f["hedges"]],
                [Edge(*e) for e in f["vedges"]],
                f["skew"],
                0.0,
            )
            for f in found
        ]
    except (OSError, ValueError, TypeError, KeyError):
        return None  # unreadable or from another version: read the page again


def store_cached(key: str, found: list[Recognised]) -> None:
    base = cache_dir()
    if base is None:
        return
    data = [
        {
            "glyphs": [asdict(g) for g in f.glyphs],
            "hedges": [[e.pos, e.lo, e.hi] for e in f.hedges],
            "vedges": [[e.pos, e.lo, e.hi] for e in f.vedges],
            "skew": f.skew,
        }
        for f in found
    ]
    try:
        base.mkdir(parents=True, exist_ok=True)
        tmp = base / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(base / f"{key}.json")
    except OSError:
        pass  # a read-only home: the cache is an optimisation only


def progress(page_no: int, n_pages: int, done: Recognised) -> None:
    """One line per recognised page on a terminal (OCR takes seconds a page)."""
    if sys.stderr.isatty():
        turned = f", turned back {done.skew:+.2f}°" if done.skew else ""
        took = f"in {done.seconds:.1f} s" if done.seconds else "(read before, from the cache)"
        print(
            f"  OCR page {page_no}/{n_pages}: {len(done.glyphs)} characters {took}{turned}",
            file=sys.stderr,
            flush=True,
        )
