"""DataFrames as plain Python values, column by column.

Why: pandas' str dtype is Arrow-backed, so `itertuples`, `iterrows` and `to_dict` cost a Python call per cell;
converting a whole column at once is one call. The checks and the scoring loop over these lists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def column(df: pd.DataFrame, name: str) -> list:
    """One column's values as Python objects, missing ones as None (all None when the column is absent)."""
    if name not in df.columns:
        return [None] * len(df)
    s = df[name]
    if s.dtype.kind == "f" and isinstance(s.dtype, np.dtype):  # numpy floats: NaN is the only missing value
        values = s.to_numpy()
        out = values.tolist()
        for k in np.flatnonzero(np.isnan(values)).tolist():
            out[k] = None
        return out
    if isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        return s.to_numpy(dtype=object, na_value=None).tolist()  # str, Int64, boolean: one call
    return [None if _missing(v) else v for v in s.tolist()]


def as_records(df: pd.DataFrame) -> list[dict]:
    """A DataFrame as dicts, missing values as None."""
    if df.empty:
        return []
    names = list(df.columns)  # once: iterating an Arrow-backed Index costs a Python call a name
    cols = [column(df, c) for c in names]
    return [dict(zip(names, vals, strict=True)) for vals in zip(*cols, strict=True)]


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)
