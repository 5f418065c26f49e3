"""Write a Disclosure's tables to data/processed/<doc_id>/ atomically: all files appear at once or none do.

CSV cells that a spreadsheet would evaluate (= + - @ tab CR at the start) get a leading apostrophe; Parquet keeps
the document's text as it is. The folder is locked while it is written (juesuan.outdir), and a doc_id whose
folder holds another document's tables becomes doc_id-<sha256 prefix>.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import outdir
from .model import Disclosure, with_doc_id
from .safe import csv_cell
from .schemas import MODELS


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell neutralised for spreadsheets (numbers untouched)."""
    text = [c for c in df.columns if pd.api.types.is_string_dtype(df[c]) or df[c].dtype == object]
    if not text:
        return df
    out = df.copy()
    for col in text:
        out[col] = out[col].map(csv_cell, na_action="ignore")
    return out


def write_tables(disclosure: Disclosure, out_dir: Path) -> Path:
    """Write every table as CSV and Parquet into out_dir/<doc_id>/ (replacing this document's earlier tables)."""
    for name, df in disclosure.tables().items():  # pandera itself, before anything reaches disk
        MODELS[name].validate(df)
    sha = str(disclosure.document["sha256"].iloc[0])
    with outdir.claim(Path(out_dir), disclosure.doc_id, sha) as place:
        if place.doc_id != disclosure.doc_id:
            disclosure = with_doc_id(disclosure, place.doc_id)
        tmp = outdir.staging(place.out, place.doc_id)
        try:
            for name, df in disclosure.tables().items():
                csv_safe(df).to_csv(tmp / f"{name}.csv", index=False, encoding="utf-8-sig")
                df.to_parquet(tmp / f"{name}.parquet", index=False)
        except BaseException:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
            raise
        outdir.swap(tmp, place.target)
        return place.target
