"""Rule X09: "共 N（a，b，c）" breakdowns anywhere in the text (incl. 自评报告) must add up.

Such sentences are not tabulated by the parser, so this rule reads the document's text (`checks.source`).
"""

from __future__ import annotations

import re

from ..config import CHECKS
from ..types import Status
from .rules_common import Ctx, Operand, Outcome, compare_amount, na, rule
from .source import source

_UNIT = r"万元|万人次|万人|人次|亿元|[人个项件家期名户份例辆台套批所场笔]"
_BREAKDOWN = re.compile(
    rf"共(?:计|有)?(?P<n>\d+(?:\.\d+)?)(?P<u>{_UNIT})[(（](?P<inner>[^()（）]{{3,160}})[)）]"
)
_QTY = re.compile(rf"(\d+(?:\.\d+)?)({_UNIT}|%|元|年|月|日|天)")
_PARTIAL = re.compile(r"^(?:其中|含|包括)|等$")


@rule("X09")
def x09(ctx: Ctx) -> list[Outcome]:
    src = source(ctx)
    if src is None:
        return [na("共N(分项)", "找不到源文件")]
    text, _, _ = src.flat()
    out = []
    for m in _BREAKDOWN.finditer(text):
        n, unit, inner = float(m["n"]), m["u"], m["inner"]
        qty = _QTY.findall(inner)
        if len(qty) < 2 or any(u != unit for _, u in qty):
            continue  # not a breakdown of the same quantity
        parts = [float(v) for v, _ in qty]
        s = round(sum(parts), 6)
        if s < n and _PARTIAL.search(inner.strip("，,;；。")):
            continue  # "其中…" may list only part of the total
        line, page = src.locate(m.start())
        ocr = line in src.ocr_lines
        total = Operand(f"共{m['n']}{unit}", n, "原文", line, page, ocr=ocr)
        ops = [total, *(Operand(f"{v}{u}", float(v), "原文", ocr=ocr) for v, u in qty)]
        o = compare_amount(
            f"{m.group(0)[:40]}",
            s,
            n,
            0.0 if unit not in ("万元", "亿元") else CHECKS.amount_eps * len(parts),
            ops,
            f"括号内分项之和 {s:g}{unit}",
        )
        o.severity = None
        if o.status == Status.FAIL:
            o.sentence = (
                f"原文“{m.group(0)[:40]}”中括号内各项之和为 {s:g}{unit}，与所说的共 {m['n']}{unit} 不符"
            )
        out.append(o)
    return out or [na("共N(分项)", "原文没有“共N（分项）”式的表述")]
