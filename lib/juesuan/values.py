"""Parse one cell or phrase (`≥90%`, `25.29万人`, `2,940.05`, `—`, full-width digits) and normalise text.

Everything here is pure and small; the extractors build their grammars out of these pieces.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .normalize import fold, norm, squeeze  # noqa: F401
from .vocab import EMPTY_MARKS, QUANTITY_UNITS  # noqa: F401  (fold: the values every extractor imports from here)

_OPS = {"≥": "≥", ">=": "≥", "≧": "≥", "≤": "≤", "<=": "≤", "≦": "≤", ">": ">", "<": "<", "=": "="}
DASHES = EMPTY_MARKS
UNITS = QUANTITY_UNITS
_NUM = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NUM_RE = re.compile(_NUM)
_SPACE = re.compile(r"\s+")
_QUANTITY = re.compile(
    rf"^(?P<op>≥|≤|>=|<=|>|<|=|≧|≦)?(?P<num>{_NUM})(?P<unit>{'|'.join(re.escape(u) for u in UNITS)})?$"
)


def to_number(text: str) -> float | None:
    """A plain amount cell: `2,940.05`, `１２.５`, `-`, blank. Returns None for blanks/dashes or
    non-numbers."""
    t = squeeze(norm(text))
    if t in DASHES:
        return None
    if _NUM_RE.fullmatch(t):
        return float(t.replace(",", ""))
    return None


class Quantity(NamedTuple):
    op: str | None
    value: float | None
    unit: str | None


QUALITATIVE = Quantity(None, None, None)


def parse_quantity(raw: str) -> Quantity:
    """`≥96%` → (≥, 96, %); `25.29万人` → (None, 25.29, 万人); anything else (明显提高, 12月底前) is
    qualitative."""
    t = squeeze(norm(raw))
    m = _QUANTITY.match(t)
    if not m:
        return QUALITATIVE
    op = _OPS[m["op"]] if m["op"] else None
    return Quantity(op, float(m["num"].replace(",", "")), m["unit"])


def is_unit(raw: str) -> bool:
    return squeeze(norm(raw)) in UNITS


CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


def cn_ordinal(text: str) -> int | None:
    """一 → 1, 十四 → 14, 二十六 → 26 (section numbers); None if not a Chinese numeral."""
    if not text or any(c not in CN_DIGITS for c in text):
        return None
    if len(text) == 1:
        return CN_DIGITS[text]
    if text[0] == "十":
        return 10 + CN_DIGITS[text[1]] if len(text) == 2 else None
    if len(text) == 2 and text[1] == "十":
        return CN_DIGITS[text[0]] * 10
    if len(text) == 3 and text[1] == "十":
        return CN_DIGITS[text[0]] * 10 + CN_DIGITS[text[2]]
    return None
