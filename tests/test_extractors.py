"""The bundled PDFs as pdftotext, pdftotext -layout, pypdf and pdfplumber write them (tests/fixtures/extracted/)
parse to what the PDF itself gives: same figures on the same physical pages, same units and line items.
Where a tool's own artefact destroys information, the parser reports it instead of guessing."""

from collections import Counter

import pandas as pd
import pytest

import juesuan
from juesuan.config import DATA_RAW, FIXTURES

EXTRACTED = FIXTURES / "extracted"
SAMPLES = {"2024-shanghai-putuo-caizhengju": "putuo_caizhengju_2024", "2024-shanghai-putuo-guihuaziyuanju": "putuo_guihuaziyuanju_2024"}
TOOLS = ["pdftotext", "pypdf", "pdfplumber", "layout"]


def _figures(d) -> Counter:
    f = d.figures
    return Counter(zip(f.measure, f.value.round(2), f.unit, f.page, strict=True))


@pytest.fixture(scope="module")
def from_pdf():
    return {stem: juesuan.load(DATA_RAW / f"{stem}.pdf") for stem in SAMPLES}


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("stem", list(SAMPLES))
def test_units_line_items_and_pages_match(from_pdf, stem, tool):
    d = juesuan.load(EXTRACTED / f"{stem}.{tool}.txt")
    expected = pd.read_csv(FIXTURES / SAMPLES[stem] / "units.csv")
    assert list(d.units.unit_name) == list(expected.unit_name)
    items = pd.read_csv(FIXTURES / SAMPLES[stem] / "line_items.csv")
    assert sorted(zip(d.line_items.item, d.line_items.amount_wan, strict=True)) == sorted(zip(items.item, items.amount_wan, strict=True))
    assert d.document.n_pages[0] == from_pdf[stem].document.n_pages[0]  # form feeds: the PDF's own pages


EXACT = [(stem, tool) for stem in SAMPLES for tool in TOOLS
         if (stem, tool) not in {("2024-shanghai-putuo-caizhengju", "pdfplumber"), ("2024-shanghai-putuo-caizhengju", "layout")}]


@pytest.mark.parametrize("stem,tool", EXACT)
def test_every_figure_on_its_physical_page(from_pdf, stem, tool):
    d = juesuan.load(EXTRACTED / f"{stem}.{tool}.txt")
    assert _figures(d) == _figures(from_pdf[stem])
    assert len(d.figures) == len(pd.read_csv(FIXTURES / SAMPLES[stem] / "figures.csv"))


def test_numbers_printed_after_their_sentence_are_rejoined_or_reported(from_pdf):
    # pdfplumber prints this PDF's numbers (another font, another baseline) on the line after their sentence
    stem = "2024-shanghai-putuo-caizhengju"
    d = juesuan.load(EXTRACTED / f"{stem}.pdfplumber.txt")
    got, truth = _figures(d), _figures(from_pdf[stem])
    assert not got - truth  # nothing invented or misplaced
    missing = truth - got
    assert sum(got.values()) == 98 and sorted(v for _, v, _, _ in missing) == [60.99, 62.29]
    w = d.warnings
    assert w.message.str.contains("rejoined in order").sum() == 1
    left_out = w[w.message.str.contains("not placeable")]
    # "…医疗保险费 。年初预算为 万元，支出决算为 万元" has three gaps for two numbers: not guessed
    assert [m.split(": ", 1)[1] for m in left_out.message] == ["“62.29 60.99” left out"]
    # the sentence that lost its amounts says so, on its line
    assert w[w.message.str.startswith("amount missing")].source_line.tolist() == [574, 574]


def test_layout_mode_keeps_values_and_pages(from_pdf):
    # pdftotext -layout moves three sentence starts below their ends: the values, units and pages stay
    # right; only the measure read from the (moved) cue word differs
    stem = "2024-shanghai-putuo-caizhengju"
    d = juesuan.load(EXTRACTED / f"{stem}.layout.txt")
    drop_measure = lambda c: Counter(k[1:] for k in c.elements())  # noqa: E731
    assert drop_measure(_figures(d)) == drop_measure(_figures(from_pdf[stem]))
    assert sum((_figures(d) & _figures(from_pdf[stem])).values()) == 97
