"""Write a Disclosure's outputs to data/processed/<doc_id>/ atomically: all files appear at once or none do.

One unit per document: the tables (CSV and Parquet), its checks (checks.parquet) and a PDF's text (text.txt)
are built in one staging folder and swapped in whole, under the output folder's lock (juesuan.outdir); so a
killed or failing run leaves the earlier outputs, never tables of one run beside checks of another. CSV cells
that a spreadsheet would evaluate (= + - @ tab CR at the start) get a leading apostrophe; Parquet keeps the
document's text as it is. A doc_id whose folder holds another document's outputs becomes doc_id-<sha256
prefix>.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from . import config, outdir, schemas
from .model import Disclosure, with_doc_id
from .panel import CHECKS
from .read import read_source
from .safe import FORMULA_START, csv_cell, formula_like, xml_text
from .types import SourceKind

CHECKS_FILE = f"{CHECKS}.parquet"  # what the panel reads
TEXT_FILE = "text.txt"  # a PDF's text as read, numbered as the reports cite lines (juesuan.report.TEXT_FILE)


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell neutralised for spreadsheets (numbers untouched). A column is copied
    only when one of its cells starts like a formula (most tables have none)."""
    out = None
    for col in df.columns:
        s = df[col]
        if not (isinstance(s.dtype, pd.StringDtype) or s.dtype == object):
            continue
        values = s.to_numpy(dtype=object)
        if not any(isinstance(v, str) and formula_like(v) for v in values):
            continue
        if out is None:
            out = df.copy()
        out[col] = pd.Series([csv_cell(v) for v in values], index=s.index, dtype=object)
    return df if out is None else out


_FORMULA_START = "^[" + "".join("\\" + c if c in "-\\^]" else c for c in FORMULA_START) + "]"


def _csv_cells(col) -> list | None:
    """One Arrow column's CSV cells exactly as `DataFrame.to_csv` renders its pandas column (nulls empty,
    floats as numpy prints them, ints as digits, True/False), text neutralised as `csv_safe` does; None for a
    type it does not know. Why: pandas' per-block formatting cost more than the rest of the write."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = col.type
    if pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        values = col.to_numpy(zero_copy_only=False)
        cells = values.astype(str).astype(object)
        cells[np.asarray(pc.is_null(col, nan_is_null=True))] = ""
        return cells.tolist()
    if pa.types.is_integer(kind):
        return pc.fill_null(pc.cast(col, pa.string()), "").to_pylist()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = pc.fill_null(col, "")
        cells = text.to_pylist()
        if pc.any(pc.match_substring_regex(text, _FORMULA_START)).as_py():
            cells = [csv_cell(v) for v in cells]
        return cells
    return None


def csv_text(df: pd.DataFrame, table) -> str:
    """The CSV of `df` (its Arrow form `table`) as `csv_safe(df).to_csv(index=False)` writes it: the same
    csv module and dialect, the cells built from Arrow; pandas itself for a column type `_csv_cells` does
    not know."""
    import csv
    import io

    columns = [_csv_cells(col) for col in table.columns]
    if any(c is None for c in columns) or list(table.column_names) != list(df.columns):
        return csv_safe(df).to_csv(index=False)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")  # pandas' dialect: QUOTE_MINIMAL, '"', doubled quotes
    writer.writerow(table.column_names)
    writer.writerows(zip(*columns, strict=True))
    return buf.getvalue()


def write_tables(
    disclosure: Disclosure, out_dir: Path, checks: pd.DataFrame | None = None, text: str | None = None
) -> Path:
    """Write every table as CSV and Parquet into out_dir/<doc_id>/, with `checks` (checks.parquet) and `text`
    (text.txt) when given, replacing this document's earlier outputs as one unit. Returns the folder."""
    import pyarrow.parquet as pq

    tables = disclosure.tables()
    arrow = {name: schemas.arrow(df) for name, df in tables.items()}  # one conversion: checked, then written
    for name, df in tables.items():  # pandera's verdict before anything reaches disk
        schemas.validate(name, df, arrow[name])
    sha = str(disclosure.document["sha256"].iloc[0])
    with outdir.claim(Path(out_dir), disclosure.doc_id, sha) as place:
        if place.doc_id != disclosure.doc_id:
            tables = with_doc_id(disclosure, place.doc_id).tables()
            arrow = {name: schemas.arrow(df) for name, df in tables.items()}
        tmp = outdir.staging(place.out, place.doc_id)
        try:
            for name, df in tables.items():
                (tmp / f"{name}.csv").write_text(csv_text(df, arrow[name]), encoding="utf-8-sig", newline="")
                pq.write_table(
                    arrow[name], tmp / f"{name}.parquet"
                )  # as df.to_parquet(index=False) writes it
            if checks is not None:
                checks = checks.assign(
                    doc_id=place.doc_id
                )  # the folder's doc_id (a colliding stem gets a suffix)
                checks.to_parquet(tmp / CHECKS_FILE, index=False)
            if text is not None:
                (tmp / TEXT_FILE).write_text(text, encoding="utf-8")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        outdir.swap(tmp, place.target)
        return place.target


def write_document(path: str | Path, disclosure: Disclosure, out_dir: Path, with_checks: bool = True) -> Path:
    """`juesuan parse` for one document: its checks and a PDF's text computed first (outside the lock), then
    every output written as one unit by `write_tables`."""
    checks = None
    if with_checks:
        # lazy: juesuan.checks imports pandera's typing (about 0.4 s), paid only by callers that check
        from .checks import run_checks

        checks = run_checks(disclosure)
    text = None
    if str(path).lower().endswith(".pdf"):  # the text the reader produced, so that a cited line can be found
        text = source_text(path, disclosure)
    return write_tables(disclosure, out_dir, checks=checks, text=text)


def source_text(path: str | Path, disclosure: Disclosure | None = None) -> str | None:
    """The text the PDF reader produced, one numbered line each as reports cite them (第 N 行), a marker line
    at each page: so that a line number of a PDF can be looked up. None for text input (its own lines are
    cited). The lines come with `disclosure` when it was just parsed: the PDF is not read a second time, and
    never outside the reader's bounds."""
    lines = getattr(disclosure, "lines", None)
    if lines is not None:
        kind = str(disclosure.document["source_kind"].iloc[0]) if len(disclosure.document) else ""
    else:
        src = read_source(path)
        kind, lines = src.kind, src.lines
    if kind != SourceKind.PDF:
        return None
    out, page = (
        [
            f"# {Path(str(path)).name}: 由 juesuan {config.PARSER_VERSION} 读出的文字；每行：行号、制表符"
            "、文字。"
        ],
        None,
    )
    for line in lines:
        if line.page != page:
            page = line.page
            out.append(f"==== 第 {page} 页 ====")
        out.append(f"{line.no}\t{xml_text(line.text)[0]}")
    return "\n".join(out) + "\n"
