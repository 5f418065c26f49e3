"""Parse one cell or phrase (`≥90%`, `25.29万人`, `2,940.05`, `—`, full-width digits) and normalise text.

Everything here is pure and small; the extractors build their grammars out of these pieces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# CJK radical look-alikes some PDFs emit instead of the ordinary characters (domain.md §6.11).
_RADICALS = str.maketrans({"\u2ed4": "门", "\u2ecb": "车", "\u2ea0": "民", "\u2f08": "人", "\u2fa4": "长"})
_OPS = {"≥": "≥", ">=": "≥", "≧": "≥", "≤": "≤", "<=": "≤", "≦": "≤", ">": ">", "<": "<", "=": "="}
DASHES = {"", "-", "—", "——", "–", "— —", "－", "/"}

# Units a quantity may carry in a target/actual cell or a narrative figure (measure words of the template).
UNITS = sorted(
    """万元 亿元 元 % ‰ 个 人次 人 万人 万人次 例 份 万份 家 户 批 次 项 场 件 笔 期 名 辆 台(套) 台 套 座 所 条 张 篇 本 册 分 天
    日 工作日 个工作日 小时 个月 月 年 周 万 亿 亩 万亩 公里 千米 米 平方米 万平方米 立方米 吨 万吨 株 棵 只 头 kg 公斤 km m2
    m³ 班次 课时 学时 期次 人/次 单 宗 起 处 间 套/个""".split(),
    key=len,
    reverse=True,
)
_NUM = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NUM_RE = re.compile(_NUM)
_SPACE = re.compile(r"\s+")
_QUANTITY = re.compile(
    rf"^(?P<op>≥|≤|>=|<=|>|<|=|≧|≦)?(?P<num>{_NUM})(?P<unit>{'|'.join(re.escape(u) for u in UNITS)})?$"
)


@lru_cache(maxsize=1 << 16)
def norm(text: str) -> str:
    """NFKC + radical fix-up: the form every pattern matches against (originals stay in *_raw/evidence)."""
    return unicodedata.normalize("NFKC", text).translate(_RADICALS)


def squeeze(text: str) -> str:
    """Remove every whitespace character: CJK cell text has no meaningful spaces, only extraction artefacts."""
    return _SPACE.sub("", text)


def to_number(text: str) -> float | None:
    """A plain amount cell: `2,940.05`, `１２.５`, `-`, blank. Returns None for blanks/dashes or non-numbers."""
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
    """`≥96%` → (≥, 96, %); `25.29万人` → (None, 25.29, 万人); anything else (明显提高, 12月底前) is qualitative."""
    t = squeeze(norm(raw))
    m = _QUANTITY.match(t)
    if not m:
        return QUALITATIVE
    op = _OPS[m["op"]] if m["op"] else None
    return Quantity(op, float(m["num"].replace(",", "")), m["unit"])


def is_unit(raw: str) -> bool:
    return squeeze(norm(raw)) in UNITS


CN_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


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


_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"\u00a0": " ", "\u3000": " "})


def fold(text: str | None) -> str | None:
    """Full-width digits → ASCII in names and labels, so the same cell reads the same from any extractor.
    Punctuation stays as printed; *_raw and evidence keep the original characters untouched."""
    return text.translate(_FULLWIDTH) if isinstance(text, str) else text
