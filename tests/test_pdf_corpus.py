"""The PDF reader against a generated corpus: the project's own samples drawn by several producers
(tests/pdfcorpus, see its README). Every PDF must give the same tidy rows, on their content columns, as the
same content read as text or as the hand-checked fixtures; nothing may crash; every warning names its page."""

from __future__ import annotations

from functools import cache

import pytest

import juesuan
from pdfcorpus import VARIANTS, Variant
from pdfcorpus.compare import compare, content_columns
from pdfcorpus.expected import expected, table, tables


@pytest.fixture(scope="session")
def parsed(tmp_path_factory):
    """Each variant written and parsed once per session; a crash is kept and raised by every test of it."""
    directory = tmp_path_factory.mktemp("pdfcorpus")

    @cache
    def load(variant: Variant) -> juesuan.Disclosure | Exception:
        try:
            return juesuan.load(variant.write(directory))
        except Exception as exc:  # noqa: BLE001 - raised again by each test of the variant
            return exc

    def get(variant: Variant) -> juesuan.Disclosure:
        result = load(variant)
        if isinstance(result, Exception):
            raise result
        return result

    return get


CASES = [pytest.param(v, t, id=f"{v.name}-{t}") for v in VARIANTS for t in tables(v)]


@pytest.mark.parametrize("variant,name", CASES)
def test_same_rows_as_the_content_read_as_text(parsed, variant, name):
    want, keep = expected(variant, name)
    got = table(parsed(variant), name)
    result = compare(want, got, content_columns(want, got, keep), name)
    assert result.expected > 0
    assert result.ok, result.summary()


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_parses_and_every_warning_names_its_page(parsed, variant):
    d = parsed(variant)
    assert d.document.n_pages.iloc[0] > 0
    unplaced = d.warnings[d.warnings.page.isna()]
    assert unplaced.empty, unplaced.message.tolist()[:5]
