"""Other years and other departments, made from the seed text (data/raw is never written; tests write to tmp).

Deterministic edits of the seed's own sentences. The prior year (2022) holds the values the seed's stated changes
imply ("比上年增加 216.99 万元" on 2820.06 → 2603.07) except in one place (五（一）, `MISMATCH`), and other values
perturbed; its projects differ from the seed's: one the seed has is absent (`NEW_IN_CURRENT`), one the seed lacks
is added (`DROPPED_IN_CURRENT`), two are renamed with the same budget (`RENAMED`), and one has another budget.
`current_year` is the seed with 三公 and 机关运行经费 also stating their change against the prior year.
"""

from __future__ import annotations

import re
from pathlib import Path

from support import SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")
DEPARTMENT = "通城县人力资源和社会保障局"

# The prior year's totals as the seed states them (2820.06 − 216.99), and the one the prior disclosure misstates.
PRIOR_TOTAL = "2603.07"
MISMATCH = ("五（一）", "一般公共预算财政拨款支出", 2603.07, 2613.07)  # section, item, as implied, as printed
NEW_IN_CURRENT = "城乡居民养老保险运行经费"  # in the seed, not in the prior year
DROPPED_IN_CURRENT = "职业技能提升补贴"  # in the prior year only (budget 40)
RENAMED = {"企业退休干部生活补贴": "企业退休干部津补贴", "劳动监察执法专项经费": "劳动保障监察执法办案经费"}  # prior → seed
REBUDGETED = ("“三支一扶”高校生生活补助", "124 124 100.00", "100 100 100.00")  # seed 124 万元, prior 100

# What the seed states against the prior year for 三公 and 机关运行经费 in `current_year` (consistent with the prior).
CURRENT_EXTRA = [
    ("完成预算的 62 %，比年初预", "完成预算的 62 %，比上年减少 3.65 万元，下降 14 %，比年初预"),
    ("比年初预算数增加 23.64 万元，增长 16%。", "比上年增加 11.64 万元，增长 7.4%。"),
]

# seed value → prior-year value (perturbed where the seed states no change against the prior year).
PRIOR_VALUES = [
    ("216.99", "150.00"), ("增长 8 %", "增长 6 %"),  # the prior year's own change against 2021
    ("2544.29", "2499.55"), ("275.77", "103.52"), ("占本年支出 90 %", "占本年支出 96 %"),
    ("占本年支出 10 %", "占本年支出 4 %"), ("2316.61", "2271.88"), ("564.84", "520.11"),
    ("完成年初预算的 119 %", "完成年初预算的 110 %"),
    ("21.75", "25.40"), ("完成预算的 62 %", "完成预算的 73 %"), ("13.21", "9.56"), ("15.29", "18.94"),
    ("169.84", "158.20"),
]


def shift_years(text: str, by: int) -> str:
    """Every year 2010–2029 moved by `by` (amounts such as 2023.45 or 2547 are not years)."""
    return re.sub(r"(?<![\d.])(20[12]\d)(?![\d.])", lambda m: str(int(m.group(1)) + by), text)


def _header_start(text: str, before: int) -> int:
    """Start of the "20xx 年度…项目自评表" heading of the project table whose 单位名称 line is just before `before`."""
    unit = text.rindex("单位名称：", 0, before)
    heads = list(re.finditer(r"(?m)^\s*20\d\d 年度", text[:unit]))
    return heads[-1].start()


def project_span(text: str, name: str) -> tuple[int, int]:
    """Where the 项目支出绩效自评表 of `name` starts and ends (its heading up to the next table's heading)."""
    at = text.index(f"项目名称 {name}\n")
    nxt = text.find("\n项目名称 ", at + 1)
    end = _header_start(text, nxt) if nxt > 0 else re.compile(r"(?m)^\s*[一二三四五六七八九十]+、").search(text, at).start()
    return _header_start(text, at), end


def rename_project(text: str, old: str, new: str) -> str:
    start, end = project_span(text, old)
    return text[:start] + text[start:end].replace(old, new) + text[end:]


def drop_project(text: str, name: str) -> str:
    start, end = project_span(text, name)
    return text[:start] + text[end:]


def copy_project(text: str, name: str, new: str, budget_line: tuple[str, str]) -> str:
    """A new project table after the last one: `name`'s table renamed, its 资金总额 row replaced."""
    start, end = project_span(text, name)
    block = text[start:end].replace(name, new).replace(*budget_line, 1)
    last = text.rindex("\n项目名称 ")
    _, last_end = project_span(text, text[last + 6 : text.index("\n", last + 1)])
    return text[:last_end] + block + text[last_end:]


def current_year() -> str:
    """The seed, with 三公 and 机关运行经费 also stated against the prior year."""
    text = SEED_TEXT
    for old, new in CURRENT_EXTRA:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def prior_year(mismatch: bool = True) -> str:
    """The same department's 2022 disclosure, as described in the module docstring."""
    text = SEED_TEXT
    text = text.replace("2023 年度一般公共预算财政拨款支出 2820.06 万元",  # 五（一）: the first of the two
                        f"2023 年度一般公共预算财政拨款支出 {MISMATCH[3] if mismatch else PRIOR_TOTAL} 万元", 1)
    text = text.replace("2820.06", PRIOR_TOTAL)
    for old, new in PRIOR_VALUES:
        assert old in text, old
        text = text.replace(old, new)
    for old, new in RENAMED.items():
        text = rename_project(text, new, old)
    name, seed_line, prior_line = REBUDGETED
    start, end = project_span(text, name)
    text = text[:start] + text[start:end].replace(seed_line, prior_line, 1) + text[end:]
    text = drop_project(text, NEW_IN_CURRENT)
    text = copy_project(text, "扩面征缴工作经费", DROPPED_IN_CURRENT, ("30 30 100.00", "40 40 100.00"))
    return shift_years(text, -1)


def other_department(name: str, units: list[str], total: str, change: str, scores: dict[int, str] | None = None,
                     year_shift: int = 0) -> str:
    """The seed as another department's: its name and 二级预算单位 replaced, its totals and change replaced,
    and the 总分 of the n-th project tables (1-based) replaced by `scores`."""
    text = SEED_TEXT.replace("通城县人社局", name).replace(DEPARTMENT, name)
    seed_units = re.findall(r"(?m)^\d、(通城县\S+局)$", SEED_TEXT)
    assert len(seed_units) == 5, seed_units
    for old, new in zip(seed_units, units, strict=False):
        text = text.replace(old, new)
    text = text.replace("2820.06", total).replace("216.99", change)
    first = re.search(r"\n\s*项目名称 ", text).start()
    hits = [m.start() for m in re.finditer(r"(?m)^\s*总分 100$", text) if m.start() > first]
    for n, score in sorted((scores or {}).items(), reverse=True):  # from the end, so earlier offsets hold
        at = hits[n - 1]
        text = text[:at] + text[at:].replace("总分 100", f"总分 {score}", 1)
    return shift_years(text, year_shift) if year_shift else text


OTHERS = {  # file stem → (department, units, total, change, scores)
    "2023-tongcheng-minzheng": ("通城县民政局", ["通城县社会福利院", "通城县救助管理站"], "1534.20", "98.40",
                                {1: "92", 2: "88", 3: "95"}),
    "2023-tongcheng-jiaoyu": ("通城县教育局", ["通城县第一中学", "通城县实验小学", "通城县教研室"], "8841.37", "602.11",
                              {}),
}


def write(tmp: Path, stem: str, text: str) -> Path:
    path = tmp / f"{stem}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def write_county(tmp: Path) -> dict[str, Path]:
    """The seed's department in 2022 and 2023 and two other departments in 2023, as files in `tmp`."""
    paths = {
        "current": write(tmp, "2023-tongcheng-renshe", current_year()),
        "prior": write(tmp, "2022-tongcheng-renshe", prior_year()),
    }
    for stem, (name, units, total, change, scores) in OTHERS.items():
        paths[stem] = write(tmp, stem, other_department(name, units, total, change, scores))
    return paths
