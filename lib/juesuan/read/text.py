"""Read a text disclosure: decode, split into lines, infer page numbers, drop page-number lines."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from ..errors import InputError
from ..types import SourceKind, Stage
from ..vocab import QUOTES
from .lines import Line, Source, Warn

# A printed page number alone on a line: "52", "- 12 -", "— 3 —", "第 3 页", "3/98", "第3页 共98页".
_PAGE_NO = re.compile(
    r"^\s*(?:[-—–－]\s*(?P<a>[1-9]\d{0,3})\s*[-—–－]|(?P<b>[1-9]\d{0,3})|第\s*(?P<c>[1-9]\d{0,3})\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
    r"|(?P<d>[1-9]\d{0,3})\s*/\s*\d{1,4})\s*$"
)
_PAGE_JOIN = re.compile(r" \S")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def decode(data: bytes, path: Path) -> str:
    """Text of the file; see `decode_as` for the encodings tried."""
    return decode_as(data, path)[0]


def decode_as(data: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with or without BOM, GB18030, Big5; binary files
    are refused.

    GB18030 decodes almost any byte string, Big5 included, so it is accepted only when nearly every hanzi it
    yields is a common (GB2312) one; Big5 read as GB18030 gives rare characters for about half of them.
    """
    if not data.strip():
        raise InputError(path, "empty file")
    found = _utf16_text(data, path)
    if found is not None:
        return found
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    found = _chinese_codepage(data)
    if found is not None:
        return found
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(path, "cannot decode text (unknown encoding)")
    return str(best), best.encoding


def _utf16_text(data: bytes, path: Path) -> tuple[str, str] | None:
    """UTF-16 by its BOM, or without one by its NUL bytes; NUL bytes that are no UTF-16 make a binary file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    head = data[:4096]
    if b"\x00" not in head:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        text = _utf16(data, encoding)
        if text is not None:
            return text, encoding
    if sum(1 for b in head if b < 9 or 13 < b < 27) > _BINARY_SHARE * len(head):
        raise InputError(path, "binary file, not a text disclosure")
    return None


def _chinese_codepage(data: bytes) -> tuple[str, str] | None:
    """GB18030 when its hanzi are common ones, else Big5, else GB18030 anyway; None when neither decodes."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _common_share(text) >= _GB_COMMON:
        return text, "gb18030"
    try:
        return data.decode("big5hkscs"), "big5"
    except UnicodeDecodeError:
        pass
    return None if text is None else (text, "gb18030")


_BINARY_SHARE = 0.02  # control bytes in the first 4 KB: binary data has ~10%, text a stray NUL at most
_GB_COMMON = 0.9  # share of hanzi in GB2312 for GB18030 text (simplified prose: > 0.99)
_TEXT_CONTROLS = set("\t\n\r\f")


def _common_share(text: str) -> float:
    hanzi = [ch for ch in text[:20000] if "\u4e00" <= ch <= "\u9fff"]
    if not hanzi:
        return 1.0
    common = 0
    for ch in hanzi:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(hanzi)


def _utf16(data: bytes, encoding: str) -> str | None:
    """UTF-16 without a BOM: the text, if it decodes and reads as text (hanzi, ASCII, punctuation, line
    breaks)."""
    try:
        text = data[: len(data) // 2 * 2].decode(encoding)
    except UnicodeDecodeError:
        return None
    sample = text[:4000]
    plain = sum(
        1
        for ch in sample
        if " " <= ch <= "~"
        or ch in _TEXT_CONTROLS
        or "\u4e00" <= ch <= "\u9fff"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or "\u2010" <= ch <= "\u2027"
    )
    return text if "\n" in sample and plain >= 0.97 * len(sample) else None


_PAGE_NO_START = set("0123456789０１２３４５６７８９-—–－第")


def page_number(text: str) -> int | None:
    if text.lstrip()[:1] not in _PAGE_NO_START:
        return None
    m = _PAGE_NO.match(text.translate(_FULLWIDTH_DIGITS).replace("\u00a0", " "))
    if not m:
        return None
    return int(next(g for g in m.groups() if g))


def _bare(text: str) -> bool:
    """A page number printed as a bare number ("52") — the shape a table cell can have too."""
    return text.strip().translate(_FULLWIDTH_DIGITS).isdigit()


Row = tuple[int, str, int]  # (line number in the file, text, page breaks just before it)


def split_pages(text: str) -> tuple[list[Row], int, bool]:
    """Lines as (line_no, text, breaks), the file's line count, and whether form feeds mark the pages.

    Every form feed is a page break, also inside a line (its two halves keep the line's number). Lacking
    any, a line indented by exactly one space (how some extractors mark a page join) starts a page when
    such lines are rare.
    """
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    n_lines = len(raw) - (1 if raw and raw[-1] == "" else 0)
    if "\f" in text:
        out: list[Row] = []
        for no, line in enumerate(raw, 1):
            first, *rest = line.split("\f")
            out.append((no, first, 0))
            out += [(no, piece, 1) for piece in rest]
        return out, n_lines, True
    rows = [(no, line, 0) for no, line in enumerate(raw, 1)]
    nonblank = [t for _, t, _ in rows if t.strip()]
    marked = sum(1 for t in nonblank if _PAGE_JOIN.match(t))
    if marked and marked <= 0.1 * len(nonblank):
        rows = [(no, t, 1 if _PAGE_JOIN.match(t) else 0) for no, t, _ in rows]
    return rows, n_lines, False


def physical_pages(rows: list[Row]) -> tuple[list[Line], int]:
    """Pages counted by form feeds, as in the PDF the text came from (so both cite the same page).

    A page's first or last line that is a printed page number is dropped: a decorated one ("- 3 -",
    "第 3 页") always; a bare number only when its offset from the physical page is the one most pages
    agree on — otherwise it is data (a score or 序号 that happens to end a page).
    """
    pages: list[list[tuple[int, str]]] = [[]]
    for no, text, breaks in rows:
        pages += [[] for _ in range(breaks)]
        if text and not text.isspace():
            pages[-1].append((no, text))
    if len(pages) > 1 and not pages[-1]:  # a trailing form feed ends the last page, it starts none
        pages.pop()
    candidates = {}  # (page index, position in page) → printed number
    for k, content in enumerate(pages):
        for pos in {0, len(content) - 1} if content else ():
            text = content[pos][1]
            num = page_number(text) if len(text) < 24 else None
            if num is not None:
                candidates[(k, pos)] = (num, _bare(text))
    offsets = Counter(k + 1 - num for (k, _), (num, bare) in candidates.items())
    agreed = {off for off, n in offsets.items() if n >= 2}
    drop = {key for key, (num, bare) in candidates.items() if not bare or key[0] + 1 - num in agreed}
    lines = [
        Line(no, k + 1, text)
        for k, content in enumerate(pages)
        for pos, (no, text) in enumerate(content)
        if (k, pos) not in drop
    ]
    return lines, len(pages)


def assign_pages(rows: list[Row]) -> tuple[list[Line], int]:
    """Content lines with their page when no form feeds mark pages: anchored on printed page numbers where
    they are plausible; blank lines and the page-number lines themselves are dropped (every kept line
    keeps its number in the file).

    A lone number is a page number only if it keeps the printed sequence increasing and close to the
    page count so far, is not one of a run of consecutive numbers a few lines apart (a 序号 column), and
    does not follow a sentence with a number missing; otherwise it is data and stays a line.
    """
    content = [(no, text, breaks) for no, text, breaks in rows if text and not text.isspace()]
    texts = [text for _, text, _ in content]
    numbers = [page_number(text) if len(text) < 24 else None for text in texts]
    for i in range(1, len(numbers)):  # "、社会保障…支出" then "5": the item number an extractor set apart
        if numbers[i] is not None and _gaps(texts[i - 1], texts[i - 2] if i > 1 else "")[0]:
            numbers[i] = None
    listed = _numbered_lists(numbers, texts)
    page, last_printed, content_since_break = 1, None, False
    kept: list[list] = []  # [no, page, text], pages fixed up when a footer names the page
    on_page: list[list] = []  # kept lines of the current page
    for i, (no, text, breaks) in enumerate(content):
        if breaks and content_since_break:
            page += 1
            on_page = []
            content_since_break = False
        num = numbers[i]
        if num is not None and i not in listed and (last_printed or 0) + 1 <= num <= page + 12:
            for row in on_page:
                row[1] = num
            last_printed, page = num, num + 1
            on_page, content_since_break = [], False
            continue
        row = [no, page, text]
        kept.append(row)
        on_page.append(row)
        content_since_break = True
    n_pages = max(page - 1 if not content_since_break else page, kept[-1][1] if kept else 0)
    return [Line(*row) for row in kept], n_pages


_ONE_PAGE_MAX = 120  # content lines one printed page can hold
_LIST_GAP = 6  # content lines: pages are longer than this, table rows are not


def _numbered_lists(numbers: list[int | None], texts: list[str]) -> set[int]:
    """Positions of lone numbers forming a 序号 column: a run n, n+1, … at most _LIST_GAP lines apart that
    starts at 1 or 2 or just below a 序号 header (short pages in a row — empty tables — also give close
    page numbers, but from further in)."""
    listed: set[int] = set()
    runs: dict[int, list[int]] = {}  # last number of a run → positions of the run
    for i, num in enumerate(numbers):
        if num is None:
            continue
        run = runs.pop(num - 1, None)
        run = run + [i] if run is not None and i - run[-1] <= _LIST_GAP else [i]
        runs[num] = run
        start = run[0]
        if len(run) > 1 and (
            numbers[start] <= 2 or any("序号" in t for t in texts[max(0, start - 3) : start])
        ):
            listed.update(run)
    return listed


# Some extractors print a sentence's numbers on the next line ("收入支出总计 万元。与 年度相比" /
# "1234.56 20XX"), leaving a gap where each stood: after a character, before a unit, a 年/月/日 or
# punctuation. Quote marks printed in another font can travel with them ("“ ” 0.95 0.00").
_NUMBER = r"\d[\d,]*(?:\.\d+)?[%％]?"
_NUMBER_START = set("0123456789" + QUOTES)
_NUMBERS_ONLY = re.compile(rf"^(?:[\s{QUOTES}]*{_NUMBER})+[\s{QUOTES}]*$")
# a one-character unit only as a word of its own: "共有车辆 辆，" is a gap, "在职 人员" is not
_UNIT = (
    r"(?:万元|亿元|[%％]|年度|年末|年初|人次"
    r"|(?:万|元|年|月|日|个|人|名|辆|台|套|次|分|项|家|户|件)(?=[\s，。；、,;:：）)（(”]|$))"
)
_AFTER_NUMBER = rf"(?:{_UNIT}|[。，,；;、）)])"
_AFTER_WORD = (
    r"(?<=[\u4e00-\u9fff）)“”。，；、])"  # "单位： 万元" has no number missing: a label, not a sentence
)
_GAP = re.compile(rf"{_AFTER_WORD}[ \u3000\u00a0]+(?={_AFTER_NUMBER})|^\s*(?={_AFTER_NUMBER})")
_ANY_GAP = re.compile(rf"{_AFTER_WORD}[ \u3000\u00a0]+(?=[^\sA-Za-z0-9])")
_SENTENCE = re.compile(r"[，。；：、,;:]")
_ENDS_WITH_AMOUNT = re.compile(r"(?:\d|[%％万亿])\s*$")
_ENDS_WITH_ITEM_NO = re.compile(r"(?<![\d.])\d{1,2}\s*$")


def _gaps(text: str, previous: str) -> tuple[list[re.Match], int]:
    """Where numbers are missing from a sentence, and how many other gaps it has (a table cell is no
    sentence: it has no ，。；：、)."""
    if not _SENTENCE.search(text):
        return [], 0
    gaps = list(_GAP.finditer(text))
    wrap = _ENDS_WITH_ITEM_NO if text.lstrip().startswith("、") else _ENDS_WITH_AMOUNT
    if gaps and gaps[0].start() == 0 and wrap.search(previous):
        gaps = gaps[1:]  # "…12.34" / "万元，…" or "…为 万" / "元，…" or "…3" / "、…": a plain wrap
    starts = {g.start() for g in gaps}
    return gaps, sum(1 for g in _ANY_GAP.finditer(text) if g.start() not in starts)


def rejoin_numbers(lines: list[Line]) -> tuple[list[Line], list[Warn]]:
    """Put numbers printed on the line after their sentence back into its gaps, in order, when the gaps
    and the numbers are equally many; when they are not, the numbers cannot be placed: that line is left
    out of the text and named in a warning, never guessed into a sentence."""
    out: list[Line] = []
    warns: list[Warn] = []
    rejoined: list[Line] = []
    numeric = [
        ln.text.lstrip()[:1] in _NUMBER_START and bool(_NUMBERS_ONLY.match(ln.text)) for ln in lines
    ] + [False]
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if numeric[i + 1] else None
        gaps, others = _gaps(line.text, out[-1].text if out else "") if nxt is not None else ([], 0)
        if not gaps:
            out.append(line)
            i += 1
            continue
        numbers = re.findall(_NUMBER, nxt.text)
        quotes = sum(nxt.text.count(q) for q in QUOTES)
        if len(numbers) == len(gaps) and others <= quotes:  # each other gap is where a travelling quote stood
            text, last = [], 0
            for gap, number in zip(gaps, numbers, strict=True):
                text += [line.text[last : gap.start()], number]
                last = gap.end()
            out.append(line._replace(text="".join(text) + line.text[last:]))
            rejoined.append(line)
        else:
            out.append(line)
            warns.append(
                Warn(
                    Stage.READ,
                    f"numbers printed apart from their sentence and not placeable ({len(numbers)} numbers, "
                    f"{len(gaps)} gaps before a unit, {others} other gaps): “{nxt.text.strip()}” left out",
                    nxt.no,
                    nxt.page,
                )
            )
        i += 2
    if rejoined:
        warns.insert(
            0,
            Warn(
                Stage.READ,
                f"{len(rejoined)} lines had their numbers printed on the next line (an extraction "
                "artifact) and were rejoined in order",
                rejoined[0].no,
                rejoined[0].page,
            ),
        )
    return out, warns


def read_text(path: str | Path) -> Source:
    from .guard import read_input

    path = Path(path)
    data = read_input(path)
    text, encoding = decode_as(data, path)
    warns: list[Warn] = []
    if encoding == "big5":
        text = _simplified(text)
        warns.append(
            Warn(
                Stage.READ,
                "text is Big5 (traditional characters): converted to simplified characters (OpenCC "
                "t2s) for reading; quoted evidence is the converted text",
            )
        )
    rows, n_lines, form_feeds = split_pages(text)
    lines, n_pages = physical_pages(rows) if form_feeds else assign_pages(rows)
    lines, rejoin_warns = rejoin_numbers(lines)
    warns += rejoin_warns
    if n_pages == 1 and len(lines) > _ONE_PAGE_MAX:
        warns.insert(
            0,
            Warn(
                Stage.READ, "no page breaks or printed page numbers found: every line is reported on page 1"
            ),
        )
    return Source(
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        lines=lines,
        n_lines=n_lines,
        n_pages=n_pages,
        kind=SourceKind.TEXT,
        warnings=warns,
    )


def _simplified(text: str) -> str:
    """Traditional → simplified characters, so that the template's vocabulary (部门, 决算) matches."""
    import opencc

    return opencc.OpenCC("t2s").convert(text)
