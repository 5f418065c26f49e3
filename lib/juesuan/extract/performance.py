"""Performance self-evaluation tables (绩效自评表) → `projects`, `department_goals`, `indicators`.

The heart of the parser. Cells wrap over lines, pages and stray page numbers, so rows are not found by
counting lines but by recognising what a complete indicator row looks like: label cells, then a target
cell, an actual cell and a score, read from the right:

    [一级指标] [二级指标] 三级指标  年初目标值  实际完成值  得分
A target/actual cell is an [operator] number [unit] quantity (possibly broken as "25.29 万 / 人" or
"≤ / 1785.88 / 万元") or one qualitative word (明显提高, 长期). Header labels (项目名称, 主管部门,
预算执行情况, 总分, 偏差大或目标未完成原因分析 …) are the template's own vocabulary and delimit the fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..config import SCORING, TEXT
from ..read.lines import Line, Warn
from ..segment import Passage, compact, source_chars
from ..types import Stage
from ..values import DASHES, is_unit, norm, parse_quantity, to_number
from ..vocab import LEVEL1, LEVEL2

_LEVEL1_RE = re.compile("^(" + "|".join(sorted(LEVEL1, key=len, reverse=True)) + ")")
_LEVEL2_RE = re.compile("^(" + "|".join(sorted(LEVEL2, key=len, reverse=True)) + ")")
# fragments a wrapped header or level-1 cell leaves at the start of the next row ("分)", "指标", "度指标")
_DEBRIS = re.compile(r"^(?:\(?\d*分\)|年度|绩效|度?指?标|目标)+(?=" + "|".join(LEVEL1 + LEVEL2) + ")")
# a level-1 cell cut short by a layout-preserving extractor: "产出" on the row's line, "指标" below it
_LEVEL1_STEM = re.compile(r"^(产出|效益|满意度?|成本|过程|决策)(?:度|指|标)*(?=" + "|".join(LEVEL2) + ")")
_STEM_LABEL = {
    "产出": "产出指标",
    "效益": "效益指标",
    "满意": "满意度指标",
    "满意度": "满意度指标",
    "成本": "成本指标",
    "过程": "过程指标",
    "决策": "决策指标",
}
_OP_ONLY = re.compile(r"^(?:≥|≤|>|<|=|>=|<=)$")
_CHECKED = re.compile(r"(?:\d[、.])?\s*([^\d、.√✓☑■□☐]+?)\s*[√✓☑■]")
_CELL = re.compile(r"\S+")
_VALUE_START = re.compile(r"[\d≥≤<>=+-]")
_YEAR_START = re.compile(r"^\s*20\d\d\s*年")

PROJECT_FIELDS = {
    "项目名称": "project_name",
    "主管部门": "competent_dept",
    "项目实施单位": "implementing_unit",
    "实施单位": "implementing_unit",
    "项目类别": "category",
    "项目属性": "attribute",
    "项目类型": "project_type",
}
_FIELD_STOPS = list(PROJECT_FIELDS) + [
    "预算执行情况",
    "项目资金",
    "年度财政资金总额",
    "年度资金总额",
    "年度绩效目标",
    "年度总体目标",
    "一级指标",
]
_BUDGET_HEADERS = ["年初预算数", "全年预算数", "预算数", "全年执行数", "执行数", "分值", "执行率", "得分"]
_BUDGET_FIELDS = [
    "initial_budget_wan",
    "budget_wan",
    "executed_wan",
    "exec_rate_pct",
    "exec_weight",
    "exec_score",
]
_DEVIATION = "偏差大或目标未完成原因分析"
_IMPROVEMENT = "改进措施及结果应用方案"


@dataclass
class Token:
    text: str  # normalised, whitespace-free
    line: Line
    raw: str  # the document's own characters of the same cell


def _tokens(line: Line) -> list[Token]:
    """Whitespace-separated cells of one line; "100 例" (a number set apart from its unit) is one cell."""
    normalised = norm(line.text)
    same = len(normalised) == len(line.text)
    out: list[Token] = []
    for m in _CELL.finditer(normalised):
        part = m.group()
        raw = (
            line.text[m.start() : m.end()] if same else "".join(source_chars(line.text, m.start(), len(part)))
        )
        prev = out[-1] if out else None
        if prev is not None and (
            _OP_ONLY.match(prev.text) or (to_number(prev.text) is not None and not _VALUE_START.match(part))
        ):
            out[-1] = Token(prev.text + part, line, prev.raw + raw)
        else:
            out.append(Token(part, line, raw))
    return out


def _take_cell(tokens: list[Token], end: int) -> int | None:
    """Start index of the target/actual cell that ends at tokens[end-1], or None if none fits."""
    if end <= 0:
        return None
    start = end - 1
    text = tokens[start].text
    # a bare unit ("元", "人") or a number left without its unit belongs with the token(s) before it
    while start > 0 and (
        is_unit(text)
        or (
            to_number(text) is None
            and not parse_quantity(text).value
            and _continues_number(tokens[start - 1].text, text)
        )
    ):
        start -= 1
        text = tokens[start].text + text
        if parse_quantity(text).value is not None:
            break
    if start > 0 and _OP_ONLY.match(tokens[start - 1].text):
        start -= 1
    return start


def _continues_number(prev: str, text: str) -> bool:
    return is_unit(text) and parse_quantity(prev + text).value is not None


MAX_SCORE = 100.0  # every score is a share of a 100-point table: a bigger number is a value cell


def _split_row(tokens: list[Token], weighted: bool = False) -> tuple[int, int, int] | None:
    """(target_start, actual_start, score_index) if tokens end with a complete indicator row; `weighted`:
    a 分值 cell stands between the actual and the score (national form)."""
    score = to_number(tokens[-1].text) if tokens else None
    if len(tokens) < 4 + weighted or score is None or not 0 <= score <= MAX_SCORE:
        return None
    score_i = len(tokens) - 1
    if weighted:
        weight = to_number(tokens[-2].text)
        if weight is None or not 0 <= weight <= MAX_SCORE:
            return None
    actual = _take_cell(tokens, score_i - weighted)
    if actual is None:
        return None
    target = _take_cell(tokens, actual)
    if target is None or target == 0:
        return None
    if is_unit(tokens[actual].text) or is_unit(tokens[target].text):
        return None
    return target, actual, score_i


def _levels(prefix: str) -> tuple[str | None, str | None, str]:
    prefix = _DEBRIS.sub("", prefix)
    level1 = level2 = None
    m = _LEVEL1_RE.match(prefix)
    # 成本指标 is 一级 in newer templates and 二级 in older ones: 一级 only when a 二级 label follows it
    if m and len(prefix) > m.end() and (m.group(1) not in LEVEL2 or _LEVEL2_RE.match(prefix[m.end() :])):
        level1, prefix = m.group(1), prefix[m.end() :]
    elif not m and (stem := _LEVEL1_STEM.match(prefix)):
        level1, prefix = _STEM_LABEL[stem.group(1)], prefix[stem.end() :]
    m = _LEVEL2_RE.match(prefix)
    if m and len(prefix) > m.end():
        level2, prefix = m.group(1), prefix[m.end() :]
    return level1, level2, prefix


@dataclass(frozen=True)
class Layout:
    """Which optional columns an indicator table prints (read off its header, never assumed)."""

    weighted: bool = False  # 分值 before 得分 (national form)
    deviation: bool = False  # 偏差原因分析及改进措施 after 得分 (national form)
    nature: bool = False  # 指标性质 and 度量单位 columns (Sichuan form): "定性", "/" are cells of their own


def _row_end(
    buffer: list[Token], new: int, layout: Layout
) -> tuple[tuple[int, int, int], int, list[Token]] | None:
    """A complete row in `buffer`, where it ends and the tokens it was read from: the row ends the buffer,
    or — with a 偏差原因 column — text follows the score on the row's last line (the `new` tokens)."""
    split = _split_row(buffer, layout.weighted)
    if split is not None:
        return split, len(buffer), buffer
    if not layout.deviation or not buffer:
        return None
    unglued = buffer[:-1] + _unglue(buffer[-1])
    for tokens in (buffer, unglued) if len(unglued) > len(buffer) else (buffer,):
        line_tokens = new + len(tokens) - len(buffer)
        for j in range(len(tokens) - 1, max(len(tokens) - line_tokens, 0) - 1, -1):
            if (
                _VALUE_START.match(tokens[j].text)
                and not _WORDY.search(tokens[j].text)
                and tokens[j].text not in _PLACEHOLDERS
            ):
                continue  # the 偏差原因 cell is words ("2023年汛期较长", "—"), not a number
            split = _split_row(tokens[:j], layout.weighted)
            if split is not None:
                return split, j, tokens
    return None


_WORDY = re.compile(r"[\u4e00-\u9fff]{3,}")
_PLACEHOLDERS = DASHES | {"无"}  # an empty cell, however printed
_GLUED = re.compile(r"^(\d[\d,]*(?:\.\d+)?)(?=[^\d.,%])")


def _unglue(tok: Token) -> list[Token]:
    """A score and the 偏差原因 text after it, glued by `_tokens` like "100 例" ("18.95 部分未达标")."""
    m = _GLUED.match(tok.text)
    if not m or is_unit(tok.text[m.end() :]) or len(tok.raw) != len(tok.text):
        return [tok]
    k = m.end()
    return [Token(tok.text[:k], tok.line, tok.raw[:k]), Token(tok.text[k:], tok.line, tok.raw[k:])]


_LABEL = re.compile("|".join(sorted(LEVEL1 + LEVEL2, key=len, reverse=True)))
_LEVEL_START = re.compile("(?:" + _LABEL.pattern + ")")


def parse_indicator_rows(lines: list[Line], warns: list[Warn], layout: Layout = Layout()) -> list[dict]:
    """Indicator rows from the lines between the table header (…得分) and 总分 / the next goal."""
    rows: list[dict] = []
    buffer: list[Token] = []
    levels: tuple[str | None, str | None] = (None, None)  # the 一级/二级 labels in force (rowspan cells)
    content = [
        _cells(ln, layout)
        for ln in lines
        if ln.text.strip() and not _REPEATED_HEADER.search(compact(ln.text))
    ]
    for k, tokens in enumerate(content):
        if layout.weighted and not buffer and len(tokens) == 1 and re.fullmatch(r"\d{1,3}", tokens[0].text):
            line = tokens[
                0
            ].line  # between two rows a bare number is no 偏差原因: a page number left by the reader
            warns.append(
                Warn(
                    Stage.INDICATORS,
                    f"lone number between indicator rows ignored: {tokens[0].text}",
                    line.no,
                    line.page,
                )
            )
            continue
        buffer += tokens
        found = _row_end(buffer, len(tokens), layout)
        if found is None:
            continue
        (t, a, s), end, buffer = found
        following = content[k + 1] if k + 1 < len(content) else []
        if end == len(buffer) and following and is_unit(following[0].text) and not layout.weighted:
            continue  # "1785.88" then "万元" on the next line: the cell goes on (a 分值 would stand between)
        if layout.deviation and rows:
            cut = _deviation_tail(buffer, t, rows[-1], warns)
            buffer, t, a, s, end = buffer[cut:], t - cut, a - cut, s - cut, end - cut
        row, levels = _indicator_row(buffer, (t, a, s, end), layout, levels)
        rows.append(row)
        _check_row(row, warns)
        buffer = []
    if (
        layout.deviation and rows and buffer and _WORDY.search(_joined(buffer))
    ):  # the last 偏差原因 wrapped below it
        rows[-1]["deviation"] = (rows[-1]["deviation"] or "") + _raw(buffer)
        buffer = []
    leftover = "".join(tok.text for tok in buffer)
    if (
        leftover
        and _DEBRIS.sub("", leftover) not in ("", "分)")
        and not re.fullmatch(r"[\d()分度指标年绩效目]*", leftover)
    ):
        line = buffer[0].line
        warns.append(
            Warn(
                Stage.INDICATORS,
                f"text not part of any complete indicator row: {leftover[:60]}",
                line.no,
                line.page,
            )
        )
    return rows


def _deviation_tail(buffer: list[Token], t: int, above: dict, warns: list[Warn]) -> int:
    """How many leading tokens of this row are the 偏差原因 of the row above, wrapped below it (added to it).

    The text before this row's first 一级/二级 label is that tail; when the row has no label and the cell
    above is unfinished, either may own the text, which is a warning."""
    label = _joined(buffer[:t])
    m = _LABEL.search(label)
    if m and m.start() > 0 and not _DEBRIS.match(label):
        cut = _token_index(buffer[:t], m.start())
        if cut is not None:
            tail = _raw(buffer[:cut])
            above["deviation"] = (above["deviation"] or "") + tail
            warns.append(
                Warn(
                    Stage.INDICATORS,
                    f"text between rows read as the 偏差原因 above it: {tail[:40]}",
                    buffer[cut].line.no,
                    buffer[cut].line.page,
                )
            )
            return cut
    elif (
        above["deviation"]
        and not _LEVEL_START.match(label)
        and not above["deviation"].endswith(("。", ".", "；", ";"))
    ):
        line = buffer[0].line
        warns.append(
            Warn(
                Stage.INDICATORS,
                f"indicator label may begin with the 偏差原因 above it: {label[:40]}",
                line.no,
                line.page,
            )
        )
    return 0


def _indicator_row(
    buffer: list[Token],
    bounds: tuple[int, int, int, int],
    layout: Layout,
    levels: tuple[str | None, str | None],
) -> tuple[dict, tuple[str | None, str | None]]:
    """One indicator row from its tokens: bounds are where the target, actual, score and 偏差原因 cells start.
    Returns the row and the 一级/二级 labels in force after it."""
    t, a, s, end = bounds
    prefix_tokens = buffer[:t]
    if layout.nature and prefix_tokens and prefix_tokens[-1].text in _NATURE:
        prefix_tokens = prefix_tokens[:-1]  # the 指标性质 cell
    prefix = "".join(tok.text for tok in prefix_tokens)
    l1, l2, l3 = _levels(prefix)
    level1, level2 = (l1, None) if l1 else levels
    level2 = l2 or level2
    offset = len(prefix) - len(l3)
    first = _token_at(prefix_tokens, offset)
    target_raw = _raw(buffer[t:a])
    actual_raw = _raw(buffer[a : s - layout.weighted])
    tq, aq = parse_quantity(target_raw), parse_quantity(actual_raw)
    row = {
        "source_line": first.line.no,
        "page": first.line.page,
        "level1": level1,
        "level2": level2,
        "level3": _raw_text(prefix_tokens, offset),
        "target_raw": target_raw,
        "target_op": tq.op,
        "target_value": tq.value,
        "target_unit": tq.unit,
        "actual_raw": actual_raw,
        "actual_op": aq.op,
        "actual_value": aq.value,
        "actual_unit": aq.unit,
        "weight": to_number(buffer[s - 1].text) if layout.weighted else None,
        "score": to_number(buffer[s].text),
        "deviation": _deviation(_raw(buffer[end:])),
    }
    return row, (level1, level2)


_REPEATED_HEADER = re.compile(r"三级指标|^偏差原因分析及?$|^改进措施$")
_COLUMN_HEADER = re.compile(r"(?:一\s*级\s*指\s*标.*?)?三\s*级\s*指\s*标.*?得\s*分")
_NATURE = {"定性", "定量"}


def _cells(line: Line, layout: Layout) -> list[Token]:
    """A line's cells; in the Sichuan form the 度量单位 placeholder "/" is no cell."""
    tokens = _tokens(line)
    return [t for t in tokens if t.text not in ("/", "／")] if layout.nature else tokens


def _deviation(text: str) -> str | None:
    return None if not text or text in _PLACEHOLDERS else text


_CELL_IN_LABEL = re.compile(
    r"[≥≤><]|\d+(?:\.\d+)?(?:%|万元|元|人次|人|个|次|件|份|公里|户|家)(?![\u4e00-\u9fff])|一级指标|二级指标|得分"
)


def _check_row(row: dict, warns: list[Warn]) -> None:
    """A 三级指标 that holds an operator, a quantity or a header word is a sign two rows or cells ran
    together: say so, an auditor should look (values are kept as read)."""
    label = row["level3"] or ""
    if _CELL_IN_LABEL.search(norm(label)) or label in LEVEL1 or (label in LEVEL2 and label.endswith("指标")):
        warns.append(
            Warn(
                Stage.INDICATORS,
                f"indicator label looks like it holds other cells: {label[:40]}",
                row["source_line"],
                row["page"],
            )
        )


def _joined(tokens: list[Token]) -> str:
    return "".join(tok.text for tok in tokens)


def _token_index(tokens: list[Token], offset: int) -> int | None:
    """Index of the token that starts exactly at character `offset` of the joined text, else None."""
    pos = 0
    for i, tok in enumerate(tokens):
        if pos == offset:
            return i
        pos += len(tok.text)
    return None


def _token_at(tokens: list[Token], offset: int) -> Token:
    pos = 0
    for tok in tokens:
        pos += len(tok.text)
        if pos > offset:
            return tok
    return tokens[-1]


def _raw(tokens: list[Token]) -> str:
    """The document's own characters of a cell, whitespace removed (NFKC is for matching only)."""
    return "".join(tok.raw for tok in tokens)


def _raw_text(tokens: list[Token], offset: int) -> str:
    raw = _raw(tokens)
    normalised = "".join(tok.text for tok in tokens)
    # offsets agree unless NFKC changed a character's length, which label text does not do
    return raw[offset:] if len(raw) == len(normalised) else normalised[offset:]


# ----------------------------------------------------------------------------------------------- tables


_DEVIATION_HEADER = "偏差原因分析及改进措施"


def _header_end(lines: list[Line], start: int, stop: int) -> int | None:
    """Index just after the indicator header (一级指标 … 得分 [偏差原因分析及改进措施]), or None."""
    seen_level3 = False
    for i in range(start, stop):
        c = compact(lines[i].text)
        if "三级指标" in c:
            seen_level3 = True
        if seen_level3 and c.endswith("得分"):
            # the last header cell centred over two lines: "偏差原因分析及" above, "改进措施" below
            return i + 2 if i + 1 < stop and _REPEATED_HEADER.search(compact(lines[i + 1].text)) else i + 1
        if seen_level3 and "得分偏差" in c:  # the national form's last header cell, possibly wrapped
            tail, j = c[c.rindex("得分偏差") + 2 :], i
            while tail != _DEVIATION_HEADER and _DEVIATION_HEADER.startswith(tail) and j + 1 < stop:
                j += 1
                tail += compact(lines[j].text)
            return j + 1
    return None


def _layout(lines: list[Line], start: int, head_end: int) -> Layout:
    """The indicator header's own columns: its line, with the line above and below (centred cells)."""
    at = next((i for i in range(head_end - 1, start - 1, -1) if "三级指标" in compact(lines[i].text)), None)
    if at is None:
        return Layout()
    header = "".join(compact(ln.text) for ln in lines[max(at - 1, start) : head_end])
    header = (
        header[max(header.find("三级指标") - 12, 0) :]
        if "偏差" not in header[: header.find("三级指标")]
        else header
    )
    return Layout(
        weighted="分值" in header or "权重" in header, deviation="偏差" in header, nature="指标性质" in header
    )


def _field_values(text: str) -> dict[str, str]:
    stops = "|".join(sorted((re.escape(s) for s in _FIELD_STOPS), key=len, reverse=True))
    out: dict[str, str] = {}
    for m in re.finditer(rf"({stops})(.*?)(?=(?:{stops})|$)", text):
        key = PROJECT_FIELDS.get(m.group(1))
        if key and key not in out:
            out[key] = m.group(2)
    return out


def _budget_row(text: str) -> dict[str, float | None]:
    """预算数/执行数/执行率/得分 of the 年度(财政)资金总额 row, mapped by the header's own column order."""
    m = re.search(
        r"(?:预算执行情况|项目资金)(.*?)(?:年度财政资金总额|年度资金总额|部门整体支出总额)([\d.,% ]+)", text
    )
    if not m:
        return {}
    printed_weight = re.search(r"\((\d+(?:\.\d+)?)分", m.group(1))  # "(10分)", "得分(20分*执行率)"
    header = re.sub(r"\([^)]*\)", "", m.group(1))
    order = []
    pos = 0
    while pos < len(header):
        hit = next((h for h in _BUDGET_HEADERS if header.startswith(h, pos)), None)
        if hit:
            order.append(hit)
            pos += len(hit)
        else:
            pos += 1
    cells = [c for c in re.split(r"\s+|(?<=%)", m.group(2)) if c]  # "100.00%20": % ends a cell
    numbers = [to_number(c.rstrip("%")) for c in cells]
    if None in numbers:  # "1000.00100.00": cells glued without a separator cannot be told apart
        return {}
    if len(numbers) != len(order):
        return {}
    values = dict(zip(order, numbers, strict=True))
    return {
        "initial_budget_wan": values.get("年初预算数"),
        "budget_wan": values.get("全年预算数", values.get("预算数")),
        "executed_wan": values.get("全年执行数", values.get("执行数")),
        "exec_rate_pct": values.get("执行率"),
        "exec_weight": values.get("分值", to_number(printed_weight.group(1)) if printed_weight else None),
        "exec_score": values.get("得分"),
    }


def _table_end(lines: list[Line], start: int, stop: int) -> int:
    """Where a table's text ends: before the next table's title block (a 20xx年… line, then 单位名称)."""
    for i in range(start, stop):
        if compact(lines[i].text).startswith("单位名称"):
            j, back = i, 0
            while j - 1 > start and back < TEXT.title_block_lines:
                j -= 1
                if lines[j].text.strip():
                    back += 1
                    if _YEAR_START.match(norm(lines[j].text)):
                        return j
            return i
    return stop


def parse_project(lines: list[Line], no: int, warns: list[Warn]) -> tuple[dict, list[dict]]:
    head_end = _header_end(lines, 0, len(lines)) or len(lines)
    head = Passage(lines[:head_end])
    fields = _field_values(head.text)
    project = {"project_no": no, "source_line": lines[0].no, "page": lines[0].page}
    for key in ("project_name", "competent_dept", "implementing_unit"):
        project[key] = _original(head, fields.get(key)) or None
    for key in ("category", "attribute", "project_type"):
        value = fields.get(key) or ""
        m = _CHECKED.search(value)
        project[key] = m.group(1) if m else None
    budget = _budget_row(head.text)
    if not budget:
        warns.append(
            Warn(
                Stage.PROJECTS,
                "budget execution row (预算数/执行数/执行率/得分) not found or not aligned",
                lines[0].no,
                lines[0].page,
            )
        )
    project.update(budget or dict.fromkeys(_BUDGET_FIELDS))
    layout = _layout(lines, 0, head_end)
    total_i = next(
        (i for i in range(head_end, len(lines)) if compact(lines[i].text).startswith("总分")), len(lines)
    )
    indicators = parse_indicator_rows(lines[head_end:total_i], warns, layout)
    # a table broken over a page after its 总分 row repeats its column header there: not part of the text
    tail = Passage([ln._replace(text=_COLUMN_HEADER.sub(" ", ln.text)) for ln in lines[total_i:]])
    # "总分 100" (Hubei), "总分 100 97.12" (national: the 分值 total, then the score)
    m = re.match(
        r"总分(\d+(?:\.\d+)?)(?: (\d+(?:\.\d+)?))?" if layout.weighted else r"总分(\d+(?:\.\d+)?)", tail.text
    )
    project["total_score"] = float(m.group(m.lastindex)) if m else None
    if m is None:
        warns.append(
            Warn(
                Stage.PROJECTS,
                f"project table {no}: 总分 not found (table cut short?)",
                lines[-1].no,
                lines[-1].page,
            )
        )
    if not indicators:
        warns.append(
            Warn(
                Stage.INDICATORS,
                f"project table {no}: no complete indicator row found",
                lines[0].no,
                lines[0].page,
            )
        )
    _check_totals(project, indicators, layout, lines, warns)
    _check_header_wrap(lines[:head_end], no, warns)
    project["deviation_reason"] = _between(tail, _DEVIATION, _IMPROVEMENT)
    project["improvement"] = _between(tail, _IMPROVEMENT, None)
    for row in indicators:
        row.update({"scope": "project", "project_no": no, "goal_no": None})
    return project, indicators


def _check_totals(
    project: dict, rows: list[dict], layout: Layout, lines: list[Line], warns: list[Warn]
) -> None:
    """Rows that do not add up to the table's own totals were merged, split or lost: warn, never mend."""
    where = (lines[0].no, lines[0].page)
    scores = [r["score"] for r in rows]
    total, exec_score = project.get("total_score"), project.get("exec_score")
    if (
        rows
        and total is not None
        and exec_score is not None
        and None not in scores
        and abs(sum(scores) + exec_score - total) > SCORING.score_tolerance
    ):
        warns.append(
            Warn(
                Stage.INDICATORS,
                f"project table {project['project_no']}: 执行率得分 + indicator scores = "
                f"{sum(scores) + exec_score:g} but 总分 = {total:g} (a row merged, split or missing?)",
                *where,
            )
        )
    weights = [r["weight"] for r in rows]
    if (
        layout.weighted
        and rows
        and project.get("exec_weight") is not None
        and None not in weights
        and abs(sum(weights) + project["exec_weight"] - SCORING.total_points) > SCORING.score_tolerance
    ):
        warns.append(
            Warn(
                Stage.INDICATORS,
                f"project table {project['project_no']}: 分值 add up to "
                f"{sum(weights) + project['exec_weight']:g}, not 100 (a row merged, split or missing?)",
                *where,
            )
        )


def _check_header_wrap(head: list[Line], no: int, warns: list[Warn]) -> None:
    """主管部门 and 实施单位 both wrapped onto one line ("某县交通运 实施单位 某县公路" / "输局 养护中心"):
    the pieces cannot be told apart, say so."""
    content = [ln for ln in head if ln.text.strip()]
    for line, nxt in zip(content, content[1:], strict=False):
        text = compact(line.text)
        if (
            "主管部门" in text
            and "实施单位" in text
            and len(nxt.text.split()) >= 2
            and not any(stop in compact(nxt.text) for stop in _FIELD_STOPS + _HEAD_ROWS)
        ):
            warns.append(
                Warn(
                    Stage.PROJECTS,
                    f"project table {no}: 主管部门 and 实施单位 both wrapped onto the next line "
                    f"({compact(nxt.text)[:30]}): names may be cut",
                    nxt.no,
                    nxt.page,
                )
            )


_HEAD_ROWS = ["项目资金", "预算执行情况", "资金总额", "年度目标", "总体目标", "单位名称"]


def _original(passage: Passage, value: str | None) -> str | None:
    if not value:
        return None
    idx = passage.text.find(value)
    return passage.original(idx, idx + len(value)).replace(" ", "") if idx >= 0 else value


def _between(passage: Passage, start_label: str, end_label: str | None) -> str | None:
    text = passage.text
    a = text.find(start_label)
    if a < 0:
        return None
    a += len(start_label)
    b = text.find(end_label, a) if end_label else len(text)
    b = len(text) if b < 0 else b
    return passage.original(a, b).replace(" ", "") or None


def parse_department(lines: list[Line], warns: list[Warn]) -> tuple[list[dict], list[dict]]:
    """The 部门整体绩效自评表: 年度目标 N (points) + text, each followed by its indicator rows."""
    starts = [i for i, ln in enumerate(lines) if re.match(r"^年度目标\d+", compact(ln.text))]
    total_i = next((i for i, ln in enumerate(lines) if compact(ln.text).startswith("总分")), len(lines))
    goals: list[dict] = []
    indicators: list[dict] = []
    for k, i in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else total_i
        head_end = _header_end(lines, i, stop) or stop
        head = Passage(lines[i:head_end])
        m = re.match(
            r"年度目标(\d+)[::]?(?:\((\d+(?:\.\d+)?)分\))?(.*?)(?:(?:年度)?(?:绩效)?(?:指标)?一级指标|年度绩效指标|年度$)",
            head.text,
        )
        if not m:
            warns.append(
                Warn(Stage.DEPARTMENT_GOALS, "goal header not understood", lines[i].no, lines[i].page)
            )
            continue
        goal_no = int(m.group(1))
        text_start = m.start(3)
        goals.append(
            {
                "goal_no": goal_no,
                "goal_points": float(m.group(2)) if m.group(2) else None,
                "goal_text": head.original(text_start, m.end(3)).replace(" ", ""),
                "source_line": lines[i].no,
                "page": lines[i].page,
            }
        )
        for row in parse_indicator_rows(lines[head_end:stop], warns):
            row.update({"scope": "department", "project_no": None, "goal_no": goal_no})
            indicators.append(row)
    return goals, indicators


def extract_performance(
    lines: list[Line], start: int, end: int, doc_id: str
) -> tuple[dict[str, list[dict]], dict, list[Warn]]:
    """All performance tables in lines[start:end] (the attachments part, or the whole document): rows of
    projects, department_goals and indicators, the department table's own totals, and warnings."""
    warns: list[Warn] = []
    region = lines[start:end]
    project_starts = [i for i, ln in enumerate(region) if compact(ln.text).startswith("项目名称")]
    dept_start = next((i for i, ln in enumerate(region) if re.match(r"^年度目标\d+", compact(ln.text))), None)
    projects, goals, indicators = [], [], []
    summary: dict = {}
    if dept_start is None and (title := _department_title(region, project_starts)) is not None:
        # a department table without numbered 年度目标: its indicator rows belong to no goal
        stop = _section_end(region, title, next((i for i in project_starts if i > title), len(region)))
        head_end = _header_end(region, title, stop)
        if head_end is not None:
            total_i = next(
                (i for i in range(head_end, stop) if compact(region[i].text).startswith("总分")), stop
            )
            for row in parse_indicator_rows(region[head_end:total_i], warns):
                row.update({"scope": "department", "project_no": None, "goal_no": None})
                indicators.append(row)
            summary = department_summary(region, head_end, stop)
    if dept_start is not None:
        dept_end = next((i for i in project_starts if i > dept_start), len(region))
        dept_end = _section_end(region, dept_start, dept_end)
        goals, dept_rows = parse_department(region[dept_start:dept_end], warns)
        indicators += dept_rows
        summary = department_summary(region, dept_start, dept_end)
    for k, i in enumerate(project_starts):
        stop = project_starts[k + 1] if k + 1 < len(project_starts) else len(region)
        stop = min(_table_end(region, i + 1, stop), _section_end(region, i, stop))
        project, rows = parse_project(region[i:stop], k + 1, warns)
        projects.append(project)
        indicators += rows
    tables = {"projects": projects, "department_goals": goals, "indicators": indicators}
    for rows in tables.values():
        for row in rows:
            row["doc_id"] = doc_id
    return tables, summary, warns


def _department_title(region: list[Line], project_starts: list[int]) -> int | None:
    """The 部门整体(支出)绩效自评表 title, when it comes before the project tables."""
    first_project = project_starts[0] if project_starts else len(region)
    return next(
        (i for i in range(first_project) if re.search(r"整体.*(自评表|评价表)$", compact(region[i].text))),
        None,
    )


def department_summary(region: list[Line], goals_start: int, end: int) -> dict[str, float | None]:
    """The 部门整体绩效自评表's own totals: 基本/项目支出总额, the 部门整体支出总额 execution row and 总分."""
    start = goals_start
    while (
        start > 0
        and goals_start - start < TEXT.form_head_lines
        and not re.search(r"自评表$|单位名称", compact(region[start].text))
    ):
        start -= 1
    head = Passage(region[start:goals_start])
    budget = _budget_row(head.text)
    tail = Passage(region[goals_start:end])
    basic = re.search(r"基本支出总额(\d[\d,.]*)", head.text)
    project = re.search(r"项目支出总额(\d[\d,.]*)", head.text)
    total = re.findall(r"总分(\d+(?:\.\d+)?)", tail.text)
    return {
        "dept_basic_wan": to_number(basic.group(1)) if basic else None,
        "dept_project_wan": to_number(project.group(1)) if project else None,
        "dept_budget_wan": budget.get("budget_wan"),
        "dept_executed_wan": budget.get("executed_wan"),
        "dept_exec_rate_pct": budget.get("exec_rate_pct"),
        "dept_exec_score": budget.get("exec_score"),
        "dept_total_score": float(total[-1]) if total else None,
    }


def _section_end(region: list[Line], start: int, stop: int) -> int:
    """A table never runs past the next numbered heading of the attachments (二、…自评报告)."""
    for i in range(start + 1, stop):
        if re.match(r"^[一二三四五六七八九十]{1,3}、", compact(region[i].text)) and "总分" not in compact(
            region[i].text
        ):
            return i
    return stop
