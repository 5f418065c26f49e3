"""Property-based fuzzing (hypothesis) of the text reader and the value grammar: random mutations of the sample
text never raise anything but InputError, and never produce a number that is not in the input."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import juesuan
from juesuan.errors import InputError
from juesuan.values import norm, parse_quantity, to_number
from security.hostile import SEED

_TEXT = SEED.read_text(encoding="utf-8")
# the overview and the start of 情况说明 (about 200 figures): a disclosure, and fast enough per example
EXCERPT = _TEXT[: _TEXT.index("第三部分") + 6000].encode("utf-8")
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _numbers(text: str) -> set[float]:
    flat = unicodedata.normalize("NFKC", text).replace(",", "").replace("，", "")
    return {float(m) for m in _NUMBER.findall(flat)}


edit = st.tuples(st.floats(0, 1, exclude_max=True), st.sampled_from(["insert", "delete", "replace", "cut"]),
                 st.binary(min_size=0, max_size=12))


def _mutate(data: bytes, edits: list[tuple[float, str, bytes]]) -> bytes:
    for where, op, junk in edits:
        i = int(where * len(data)) if data else 0
        if op == "insert":
            data = data[:i] + junk + data[i:]
        elif op == "delete":
            data = data[:i] + data[i + len(junk) + 1 :]
        elif op == "replace":
            data = data[:i] + junk + data[i + len(junk) :]
        else:
            data = data[:i]
    return data


@FAST
@given(st.lists(edit, min_size=1, max_size=6))
def test_mutated_text_is_read_or_refused_and_invents_no_number(tmp_path_factory, edits):
    path = tmp_path_factory.mktemp("fuzz") / "2023-fuzz.txt"
    data = _mutate(EXCERPT, edits)
    path.write_bytes(data)
    try:
        d = juesuan.load(path)
    except InputError:
        return
    text = data.decode("utf-8", errors="replace") + data.decode("gb18030", errors="replace")
    present = _numbers(text)
    for table, column in [("figures", "value"), ("line_items", "amount_wan"), ("projects", "budget_wan"),
                          ("projects", "executed_wan"), ("indicators", "target_value"), ("indicators", "actual_value")]:
        values = getattr(d, table)[column].dropna()
        invented = [v for v in values if abs(float(v)) not in present]
        assert not invented, (table, column, invented)


def test_the_unmutated_excerpt_is_read(tmp_path):
    """The property above means something: without mutations the excerpt gives figures and line items."""
    path = tmp_path / "2023-excerpt.txt"
    path.write_bytes(EXCERPT)
    d = juesuan.load(path)
    assert len(d.figures) > 150 and len(d.line_items) > 20


@FAST
@given(st.text(alphabet=st.sampled_from(list("0123456789.,-+%≥≤<>=万元人次个 　，０１２３") + ["\u00a0", "约", "低", "于"]),
               max_size=16))
def test_value_grammar_reads_only_numbers_it_was_given(raw):
    present = _numbers(norm(raw))
    for value in (to_number(raw), parse_quantity(raw).value):
        assert value is None or pd.isna(value) or abs(float(value)) in present, (raw, value)


@FAST
@given(st.text(max_size=40))
def test_value_grammar_never_raises(raw):
    to_number(raw)
    parse_quantity(raw)
