"""The same disclosure as other PDF-to-text tools write it must parse to the same tables."""

import re

import pytest

import juesuan
from support import SEED

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
FOOTERS = re.compile(r"(?m)^(5|8|13|52)$(?=\n\n(?:总分|的通城|四、|三、))")  # the seed's printed page numbers


def _form_feeds(t: str) -> str:
    return re.sub(r"\n (?=\S)", "\n\f", t)


VARIANTS = {
    "crlf": lambda t: t.replace("\n", "\r\n").encode(),
    "gb18030": lambda t: t.encode("gb18030"),
    "utf8-bom": lambda t: b"\xef\xbb\xbf" + t.encode(),
    "form-feeds": lambda t: _form_feeds(t).encode(),
    "dash-page-numbers": lambda t: FOOTERS.sub(r"- \1 -", t).encode(),
    "no-blank-lines": lambda t: re.sub(r"\n\s*\n+", "\n", t).encode(),
    "fullwidth-digits": lambda t: t.translate(FULLWIDTH).encode(),
    "nbsp": lambda t: t.replace(" ", "\u00a0").encode(),
    "trailing-space": lambda t: re.sub(r"(?m)$", "  ", t).encode(),
    "all-at-once": lambda t: re.sub(r"\n\s*\n+", "\n", FOOTERS.sub(r"- \1 -", _form_feeds(t))).replace("\n", "\r\n").encode("gb18030"),
}
COMPARED = {
    "projects": ["project_name", "implementing_unit", "category", "budget_wan", "executed_wan", "exec_rate_pct", "exec_score", "total_score"],
    "indicators": ["scope", "project_no", "goal_no", "level1", "level2", "level3", "target_op", "target_value", "target_unit",
                   "actual_op", "actual_value", "actual_unit", "score"],
    "department_goals": ["goal_no", "goal_points", "goal_text"],
    "figures": ["section", "item", "measure", "value", "unit"],
    "line_items": ["group", "item", "amount_wan", "is_total"],
    "units": ["unit_no", "unit_name"],
    "project_outputs": ["project_no", "project_name", "budget_wan", "executed_wan", "exec_pct"],
}


def _frame(d, table):
    return getattr(d, table)[COMPARED[table]].astype(object).fillna("").astype(str).reset_index(drop=True)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_variant_parses_to_the_same_tables(tmp_path, seed, variant):
    path = tmp_path / "2023-variant.txt"
    path.write_bytes(VARIANTS[variant](SEED.read_text(encoding="utf-8")))
    other = juesuan.load(path)
    for table in COMPARED:
        a, b = _frame(seed, table), _frame(other, table)
        assert a.shape == b.shape, table
        diff = (a != b).any(axis=1)
        assert not diff.any(), f"{table}: {a[diff].head(3).to_dict('records')} vs {b[diff].head(3).to_dict('records')}"
