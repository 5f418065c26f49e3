"""List-shaped narrative: the unit list (机构设置), the 基本支出 breakdown (六) and the project list
(十三（二）)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..config import TEXT
from ..read.lines import Line, Warn
from ..segment import Passage, Section
from ..values import norm

_UNIT_ITEM = re.compile(r"^(\d{1,2})(?:\s*[、.．]\s*|\s+|$)(.*)$")
_ORG_SUFFIX = re.compile(
    r"(局|委员会|委|办公室|办|院|中心|站|所|队|馆|校|学|厅|部|会|处|社|园|场|室|组|科|股|厂|司|团|\)|）)$"
)


def extract_units(lines: list[Line], sections: list[Section], doc_id: str) -> list[dict]:
    """The numbered units of the overview section on 机构设置 / 决算单位构成, as a list ("1、名称") or as a
    table however an extractor ordered its cells: 序号 before the name, after it, or between the wrapped
    lines of the name; a 备注 cell naming the unit's type (行政单位, 事业单位 …) is no name."""
    rows: list[dict] = []
    for sec in sections:
        if not re.search(r"机构设置|单位构成|决算单位|预算单位", sec.title):
            continue
        expected, pending, current = 1, [], None  # pending: name lines seen before their number
        for line in lines[sec.start + 1 : sec.end]:
            text = norm(line.text).strip()
            if not text or set(text.split()) <= _HEADER_CELLS or _UNIT_TYPE.match(text):
                continue
            m = _UNIT_ITEM.match(text)
            if m and int(m.group(1)) == expected:
                own = _first_cell(_LEADING_NO.sub("", line.text))
                if (
                    not rows
                    and not own
                    and pending
                    and not _ORG_SUFFIX.search(norm("".join(_first_cell(p.text) for p in pending)))
                ):
                    # "…下属单位共 / 1 / 个，即：": a number in a sentence, no unit's name before it
                    pending = []
                    continue
                current = {
                    "line": line if own or not pending else pending[0],
                    "parts": [own] if own else [_first_cell(p.text) for p in pending],
                }
                rows.append(current)  # no name yet: the 序号 came first, the name follows
                pending, expected = [], expected + 1
                continue
            if _is_prose(text):
                if current is not None and not current["parts"]:  # a number in a sentence, not a 序号
                    rows.pop()
                    expected -= 1
                if rows:
                    break
                pending, current = [], None
                continue
            cell = _first_cell(text)
            if current is not None and (
                not current["parts"]
                or cell[0] in "（("
                or not _ORG_SUFFIX.search(norm("".join(current["parts"])))
            ):
                current["parts"].append(_first_cell(line.text))
                continue
            pending.append(line)
            current = None
    return [
        {
            "doc_id": doc_id,
            "source_line": r["line"].no,
            "page": r["line"].page,
            "unit_no": k,
            "unit_name": "".join(r["parts"]),
        }
        for k, r in enumerate(rows, 1)
        if r["parts"]
    ]


def _is_prose(text: str) -> bool:
    """A sentence, not a table row — a row may carry a 备注 cell with a comma after the unit's name."""
    cells = text.split()
    if len(cells) > 1 and _ORG_SUFFIX.search(cells[0]) and not _PUNCT.search(cells[0]):
        return False
    return len(text) > TEXT.heading_chars or bool(_PUNCT.search(text))


_PUNCT = re.compile(r"[。，,:：;；]")
_UNIT_TYPE = re.compile(
    r"^(?:行政|事业|参公|参照公务员法管理|全额拨款|差额拨款|自收自支|公益[一二]类)(?:单位|事业单位)?$"
)
_HEADER_CELLS = {"序号", "单位名称", "备注", "单位性质", "单位类型", "单位代码"}
_LEADING_NO = re.compile(r"^\s*[\d０-９]{1,2}(?:\s*[、.．]\s*|\s+|$)")


def _first_cell(text: str) -> str:
    """The 单位名称 cell of a table row: its first whitespace-separated run (备注 follows after a gap)."""
    parts = text.split()
    return parts[0] if parts else ""


_GROUP = re.compile(r"(人员经费|公用经费)(?:合计)?(?:支出)?(?:为)?(\d[\d,]*(?:\.\d+)?)(万元|元)")
_ITEM = re.compile(r"^(.+?)(\d[\d,]*(?:\.\d+)?)(万元|元)$")


def extract_line_items(
    lines: list[Line], sections: list[Section], doc_id: str, line_conf: Mapping[int, float] | None = None
) -> list[dict]:
    """人员经费 / 公用经费 totals and their itemised 主要包括 lists (items without an amount are skipped);
    `line_conf` (Source.line_conf) marks the lines OCR read."""
    rows = []
    for sec in sections:
        if "基本支出" not in sec.title:
            continue
        p = Passage(lines[sec.start : sec.end], line_conf)
        groups = list(_GROUP.finditer(p.text))
        for k, g in enumerate(groups):
            line = p.line_at(g.start())
            read = p.provenance(*g.span())
            rows.append(_line_item(doc_id, line, g.group(1), g.group(1), g.group(2), g.group(3), True, read))
            stop = groups[k + 1].start() if k + 1 < len(groups) else len(p.text)
            body = p.text[g.end() : stop]
            m = re.search(r"主要包括[::]", body)
            if not m:
                continue
            offset = g.end() + m.end()
            listing = re.split(r"[。;]", body[m.end() :], maxsplit=1)[0]
            pos = offset
            for piece in listing.split("、"):
                im = _ITEM.match(piece.strip(",，"))
                if im:
                    rows.append(
                        _line_item(
                            doc_id,
                            p.line_at(pos),
                            g.group(1),
                            p.original(pos, pos + len(im.group(1))),
                            im.group(2),
                            im.group(3),
                            False,
                            p.provenance(pos, pos + len(piece)),
                        )
                    )
                pos += len(piece) + 1
    return rows


def _line_item(
    doc_id: str,
    line: Line,
    group: str,
    item: str,
    amount: str,
    unit: str,
    total: bool,
    read: dict,
) -> dict:
    """One row; `read`: where its amount was read from (Passage.provenance: OCR or a text layer)."""
    value = float(amount.replace(",", ""))
    return {
        "doc_id": doc_id,
        "source_line": line.no,
        "page": line.page,
        "group": group,
        "item": item.replace(" ", ""),
        "amount_wan": value / 10000 if unit == "元" else value,
        "is_total": total,
        **read,
    }


_ENTRY = re.compile(r"(?:^|(?<=[。;]))(\d{1,2})[、.](?!\d)")
_PROJECT_HEAD = re.compile(r"^(.+?)[::]项目(?:全年)?预算(?:数)?为")


def extract_project_outputs(
    lines: list[Line], sections: list[Section], doc_id: str, line_conf: Mapping[int, float] | None = None
) -> tuple[list[dict], list[Warn]]:
    """十三（二）: "N、项目名：项目全年预算数为A万元，执行数为B万元，完成预算C%。
    主要产出和效益：…发现的问题及原因：…下一步改进措施：…"."""
    rows: list[dict] = []
    warns: list[Warn] = []
    for sec in sections:
        for part in sec.subsections or [sec]:
            p = Passage(lines[part.start : part.end], line_conf)
            entries = [m for m in _ENTRY.finditer(p.text) if _PROJECT_HEAD.match(p.text[m.end() :])]
            for k, m in enumerate(entries):
                a = m.end()
                b = entries[k + 1].start() if k + 1 < len(entries) else len(p.text)
                body = p.text[a:b]
                head = _PROJECT_HEAD.match(body)
                line = p.line_at(a)
                rows.append(
                    {
                        "doc_id": doc_id,
                        "source_line": line.no,
                        "page": line.page,
                        "project_no": int(m.group(1)),
                        "project_name": p.original(a, a + len(head.group(1))).replace(" ", ""),
                        "budget_wan": _amount(body, r"预算(?:数)?为(\d[\d,]*(?:\.\d+)?)万元"),
                        "executed_wan": _amount(body, r"执行数为(\d[\d,]*(?:\.\d+)?)万元"),
                        "exec_pct": _amount(body, r"完成(?:年初)?(?:预算)?(?:的)?(\d[\d,]*(?:\.\d+)?)%"),
                        "outputs": _labelled(p, a, body, "主要产出和效益", "发现的问题及原因"),
                        "problems": _labelled(p, a, body, "发现的问题及原因", "下一步改进措施"),
                        "next_steps": _labelled(p, a, body, "下一步改进措施", None),
                        **p.provenance(m.start(), b),
                    }
                )
    return rows, warns


def _amount(body: str, pattern: str) -> float | None:
    m = re.search(pattern, body)
    return float(m.group(1).replace(",", "")) if m else None


def _labelled(p: Passage, offset: int, body: str, label: str, next_label: str | None) -> str | None:
    a = body.find(label)
    if a < 0:
        return None
    a += len(label)
    if body[a : a + 1] in (":", "："):
        a += 1
    b = body.find(next_label, a) if next_label else len(body)
    b = len(body) if b < 0 else b
    return p.original(offset + a, offset + b).replace(" ", "").strip() or None
