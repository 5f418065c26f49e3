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
- The reading checked against the picture, where the recogniser is known to err: a line drawn across a
  ruling is read again cell by cell, a doubtful line with no ink of its own dropped, the width of , and ，
  taken from the spacing, the bar of ≤ ≥ looked for under the chevron. What the picture does not settle
  keeps the recogniser's reading (an operator's with its confidence capped, so it is reported).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
import time
import unicodedata
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
    result = recognise(gray)
    # the characters' ink: rulings aside, with the pixels at their edges (a turned, JPEG-compressed ruling
    # leaves fragments under the text)
    ink = np.where(cv2.dilate(lines, np.ones((3, 3), np.uint8)) > 0, 0, _ink(gray)).astype(np.uint8)
    result = read_again(result, gray, lines, ink, settings)
    for item in result:
        settle_widths(item, ink, settings)
        settle_operators(item, ink, settings)
    out.glyphs = glyphs(result, scale, (ox, oy), settings)
    out.seconds = time.perf_counter() - start
    return out


def recognise(gray: np.ndarray) -> list[list]:
    """The engine's lines: [box, text, score, character boxes, characters, probabilities], as lists.
    text_score 0 again in the call (a call with keyword arguments resets it to 0.5): a doubtful line must
    become a warning, not vanish. No direction classifier: the picture is upright and turned back to
    straight, and the classifier turns short cells such as ≥90% upside down (read %06<)."""
    import cv2

    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    result, _ = engine()(bgr, use_cls=False, return_word_box=True, text_score=0.0)
    return [[list(item[0]), item[1], item[2], *(list(x) for x in item[3:6])] for item in result or []]


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


# ---------------------------------------------------------------- the reading checked against the picture


def _bounds(box) -> tuple[int, int, int, int]:
    """x0, top, x1, bottom (pixels, inclusive) of a recognised box of four points."""
    pts = np.asarray(box, dtype=float)
    return (
        int(np.floor(pts[:, 0].min())),
        int(np.floor(pts[:, 1].min())),
        int(np.ceil(pts[:, 0].max())),
        int(np.ceil(pts[:, 1].max())),
    )


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    return list(
        zip(np.flatnonzero(edges == 1).tolist(), (np.flatnonzero(edges == -1) - 1).tolist(), strict=True)
    )


def read_again(
    result: list[list], gray: np.ndarray, lines: np.ndarray, ink: np.ndarray, settings: OcrSettings = OCR
) -> list[list]:
    """The lines whose first reading the picture contradicts, read again or dropped:
    - a doubtful line (below settings.min_confidence) with no ink of its own, nothing in its box but rulings
      and other lines' text (a ruling's end read as 1): dropped;
    - a line read as nothing although its box holds ink: recognised alone;
    - a line the detector drew across a vertical ruling: its box holds two cells' ink (a neighbour's last
      character read as a stray 示 of 标, or two cells' words run together). Each side is recognised alone,
      the rulings painted out; a side whose ink lies inside another line's box is dropped (that line read
      it)."""
    out: list[list] = []
    boxes = [_bounds(item[0]) for item in result]
    h, w = ink.shape
    for k, item in enumerate(result):
        x0, top, x1, bottom = boxes[k]
        x0, x1, top, bottom = max(x0, 0), min(x1, w - 1), max(top, 0), min(bottom, h - 1)
        others = boxes[:k] + boxes[k + 1 :]
        if item[2] < settings.min_confidence and _claimed(ink, (x0, top, x1, bottom), others):
            continue
        rows = lines[top : bottom + 1, x0 : x1 + 1] > 0
        ruled = rows.mean(axis=0) >= settings.ruling_cover if rows.size else np.zeros(0, bool)
        ruled &= _runs_on(lines, x0, x1, top, bottom)
        pieces = [(x0 + a, x0 + b) for a, b in _runs(~ruled)]
        inked = [(a, b) for a, b in pieces if ink[top : bottom + 1, a : b + 1].any()]
        if len(inked) < 2:
            read_nothing = inked and not item[1].strip()
            out += (_read_alone(gray, lines, (x0, top, x1, bottom)) if read_nothing else []) or [item]
            continue
        again: list[list] = []
        for a, b in inked:
            if not _claimed(ink, (a, top, b, bottom), others):
                again += _read_alone(gray, lines, (a, top, b, bottom))
        out += again or [item]  # nothing read again: the first reading stands
    return out


def _runs_on(lines: np.ndarray, x0: int, x1: int, top: int, bottom: int) -> np.ndarray:
    """Per column of a line's box: whether the ruling there runs on above or below the box. A table's
    ruling does; the upright strokes of a large bold heading, which the ruling filter can take for short
    rulings, end inside it (cutting a heading at them read 第三部分 as 第三音分)."""
    margin = max((bottom - top) // 2, 1)
    above = lines[max(top - margin, 0) : top, x0 : x1 + 1] > 0
    below = lines[bottom + 1 : bottom + 1 + margin, x0 : x1 + 1] > 0
    return above.any(axis=0) | below.any(axis=0)


def _claimed(ink: np.ndarray, piece: tuple[int, int, int, int], others: list) -> bool:
    """Most of the piece's ink lies inside another recognised box."""
    a, top, b, bottom = piece
    ys, xs = np.nonzero(ink[top : bottom + 1, a : b + 1])
    ys, xs = ys + top, xs + a
    inside = np.zeros(len(xs), bool)
    for ox0, otop, ox1, obottom in others:
        inside |= (xs >= ox0) & (xs <= ox1) & (ys >= otop) & (ys <= obottom)
    return bool(inside.mean() > 0.5) if len(xs) else True


def _read_alone(gray: np.ndarray, lines: np.ndarray, piece: tuple[int, int, int, int]) -> list[list]:
    """One cell's part of a line recognised on its own, rulings painted out, on a white margin; its boxes in
    the picture's pixels."""
    a, top, b, bottom = piece
    crop = np.where(lines[top : bottom + 1, a : b + 1] > 0, 255, gray[top : bottom + 1, a : b + 1])
    pad = max(bottom - top, 8)
    found = recognise(np.pad(crop.astype(np.uint8), pad, constant_values=255))
    shift = np.array([a - pad, top - pad], dtype=float)

    def moved(box):
        return (np.asarray(box, dtype=float) + shift).tolist()

    return [[moved(it[0]), it[1], it[2], [moved(c) for c in it[3]], it[4], it[5]] for it in found]


def _char_columns(item: list, band: np.ndarray, i: int) -> tuple[int, int] | None:
    """The columns of character i's ink in the line's band: of its candidate runs, the one with the most ink;
    None when there is none."""
    runs = _candidates(item, band, i)
    mass = (band > 0).sum(axis=0)
    return max(runs, key=lambda r: mass[r[0] : r[1] + 1].sum()) if runs else None


def _candidates(item: list, band: np.ndarray, i: int) -> list[tuple[int, int]]:
    """The runs of inked columns that character i's box (± 3 px) overlaps and that do not reach a
    neighbour's centre (a glyph touching its neighbour has no shape of its own)."""
    if not len(item[3]) == len(item[4]) == len(item[5]):
        return []  # no character boxes
    centres = [sum(p[0] for p in box) / len(box) for box in item[3]]
    before, after = centres[i - 1] if i else -np.inf, centres[i + 1] if i + 1 < len(centres) else np.inf
    xs = [p[0] for p in item[3][i]]
    a, b = min(xs) - 3, max(xs) + 3
    return [(s, e) for s, e in _runs(band.any(axis=0)) if s <= b and e >= a and before < s and e < after]


def _band(item: list, ink: np.ndarray, em: float, settings: OcrSettings = OCR) -> np.ndarray:
    """The line's rows of ink without specks (JPEG noise: components under (settings.speck × em)² pixels)."""
    import cv2

    _, top, _, bottom = _bounds(item[0])
    band = ink[max(top, 0) : bottom + 1]
    n, labels, stats, _ = cv2.connectedComponentsWithStats(band, connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= (settings.speck * em) ** 2
    keep[0] = False
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def _em(item: list, ink: np.ndarray) -> float | None:
    """The line's character height in pixels: the median ink height of its letters, digits and ideographs."""
    x0, top, x1, bottom = _bounds(item[0])
    heights = []
    for box, ch in zip(item[3], item[4], strict=True):
        if not ch.strip() or unicodedata.category(ch)[0] not in "LN":
            continue
        xs = [p[0] for p in box]
        rows = np.flatnonzero(
            ink[max(top, 0) : bottom + 1, max(int(min(xs)), 0) : int(max(xs)) + 1].any(axis=1)
        )
        if len(rows):
            heights.append(rows[-1] - rows[0] + 1)
    return float(np.median(heights)) if heights else None


def _full(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0)


def settle_widths(item: list, ink: np.ndarray, settings: OcrSettings = OCR) -> None:
    """A punctuation mark printed in a half-width (,) and a full-width form (，) looks the same; only its
    advance differs. From the neighbours' ink: the blank from the character before to the character after
    spans about 0.7 character heights around a half-width mark and 1.2 around a full-width one. The reading
    is set to the form the picture shows; a mark with no neighbour on a side, or a span in between, keeps
    the recogniser's form (its width changes no figure, and names are matched width-folded)."""
    forms = {c: c for c in settings.width_forms} | {_full(c): c for c in settings.width_forms}
    chars = item[4]
    if not any(ch in forms for ch in chars) or len(item[3]) != len(chars):
        return
    em = _em(item, ink)
    if not em:
        return
    x0, top, x1, bottom = _bounds(item[0])
    band = _band(item, ink, em, settings)  # without specks (a comma is several times larger)
    solid = band.any(axis=0)
    x0 = max(x0, 0)
    shown = [k for k, ch in enumerate(chars) if ch.strip()]
    for at, i in enumerate(shown):
        if chars[i] not in forms or at == 0 or at + 1 == len(shown):
            continue  # a mark at either end of the line has no neighbour on one side
        prev = min(p[0] for p in item[3][shown[at - 1]]) - 3
        nxt = max(p[0] for p in item[3][shown[at + 1]]) + 3
        spans = []
        for own in _candidates(item, band, i):  # each run the mark may be: all must agree
            before = np.flatnonzero(solid[x0 : own[0]]) + x0
            after = np.flatnonzero(solid[own[1] + 1 : x1 + 1]) + own[1] + 1
            ok = len(before) and len(after) and before[-1] >= prev and after[0] <= nxt
            spans.append((after[0] - before[-1]) / em if ok else math.nan)
        if spans and all(x <= settings.half_width_span for x in spans):
            chars[i] = forms[chars[i]]
        elif spans and all(x >= settings.full_width_span for x in spans):
            chars[i] = _full(forms[chars[i]])
    item[1] = "".join(chars)


_OPERATORS = {"<": ("<", "≤"), "≤": ("<", "≤"), ">": (">", "≥"), "≥": (">", "≥")}


def settle_operators(item: list, ink: np.ndarray, settings: OcrSettings = OCR) -> None:
    """< and ≤ (> and ≥) differ by a bar under the chevron, which the recogniser often misses. From the
    glyph's ink: a chevron alone is symmetric about its point, a bar below makes its ink reach further down
    than up (and its far end crosses three strokes). The reading is set to what the picture shows; an
    operator the picture does not settle (or whose point is on the other side) keeps its reading with its
    confidence capped at settings.unsettled_confidence, so it is reported, not used."""
    for i, ch in enumerate(item[4]):
        if ch not in _OPERATORS:
            continue
        bare, barred = _OPERATORS[ch]
        shape = _operator_shape(item, ink, i, bare == "<", settings)
        if shape is None:
            item[5][i] = min(float(item[5][i]), settings.unsettled_confidence)
        else:
            item[4][i] = barred if shape else bare
    item[1] = "".join(item[4])


def _operator_shape(
    item: list, ink: np.ndarray, i: int, pointing_left: bool, settings: OcrSettings = OCR
) -> bool | None:
    """True: a chevron with a bar below; False: a bare chevron; None: the picture does not tell (or the
    chevron points the other way)."""
    em = _em(item, ink)
    if not em:
        return None
    band = _band(item, ink, em, settings)
    cols = _char_columns(item, band, i)
    if cols is None or cols[1] - cols[0] < 3:
        return None
    glyph = band[:, cols[0] : cols[1] + 1] > 0
    runs = [_runs(glyph[:, c]) for c in range(glyph.shape[1])]
    n = len(runs)
    end = max(n // 5, 1)
    near, far = (runs[:end], runs[-end:]) if pointing_left else (runs[-end:], runs[:end])
    if np.mean([len(r) for r in near]) >= np.mean([len(r) for r in far]):
        return None  # the point is not where the reading says
    rows = np.flatnonzero(glyph.any(axis=1))
    point = np.mean([(r[0][0] + r[0][1]) / 2 for r in near if r])
    up, down = point - rows[0], rows[-1] - point
    if up <= 0:
        return None
    three = sum(len(r) >= 3 for r in runs) / n
    if three >= settings.three_strokes or down / up >= settings.barred_reach:
        return True
    if three == 0 and down / up <= settings.bare_reach:
        return False
    return None


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
    text = "".join([g.ch for g in glyphs])
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


_FORMAT = 4  # of the cached JSON; 2: lines read again, widths and operators settled; 3: no cls; 4


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
