"""Issue 10: report's notebook 02 on a long document (the pages of both Shanghai samples repeated, so every
section and table occurs several times), read from the processed store that `parse` filled with a raised
--max-pages, and parsed again within the bounds a report passes when the store does not hold it."""

from __future__ import annotations

import papermill as pm
import pypdfium2 as pdfium
import pytest

from juesuan import config
from juesuan.config import DATA_RAW
from security.hostile import run

SAMPLES = ["2024-shanghai-putuo-guihuaziyuanju.pdf", "2024-shanghai-putuo-caizhengju.pdf"]


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory):
    """110 pages: the two samples alternating, twice each."""
    out = tmp_path_factory.mktemp("long") / "long-repeated.pdf"
    sources = [pdfium.PdfDocument(DATA_RAW / s) for s in SAMPLES]
    dst = pdfium.PdfDocument.new()
    for src in sources * 2:
        dst.import_pages(src)
    dst.save(out)
    assert len(dst) == 110
    return out


def _notebook_02(pdf, store, limits, out):
    pm.execute_notebook(str(config.NOTEBOOKS / "02_budget_vs_actual.ipynb"), str(out), kernel_name="python3",
                        parameters={"disclosure": str(pdf), "processed_dir": str(store), "limits": limits},
                        progress_bar=False)
    return out.read_text(encoding="utf-8")


def test_notebook_02_on_a_long_repeated_document_reads_the_store(long_pdf, tmp_path):
    store = tmp_path / "processed"
    r = run("parse", long_pdf, "--out", store, "--max-pages", "120")
    assert r.returncode == 0, r.stderr
    text = _notebook_02(long_pdf, store, {"max_pages": 100}, tmp_path / "02.ipynb")  # stored: the bound is not met
    assert "Traceback" not in text and "TypeError" not in text
    assert "“三公”经费" in text and "决算与年初预算" in text


def test_notebook_02_parses_within_the_bounds_it_is_given(long_pdf, tmp_path):
    text = _notebook_02(long_pdf, tmp_path / "none", {"max_pages": 120}, tmp_path / "02.ipynb")
    assert "Traceback" not in text and "“三公”经费" in text
    with pytest.raises(pm.PapermillExecutionError, match="max-pages"):
        _notebook_02(long_pdf, tmp_path / "none", {"max_pages": 100}, tmp_path / "02b.ipynb")
