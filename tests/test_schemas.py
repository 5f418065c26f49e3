"""The fast validator agrees with pandera: same coerced tables on real data, a failure wherever pandera fails."""

import pandas as pd
import pandera.errors
import pytest

from juesuan import schemas
from juesuan.config import DATA_RAW
from juesuan.pipeline import parse


def _raw(sample: str) -> dict[str, pd.DataFrame]:
    d = parse(DATA_RAW / sample, validate_tables=False)
    return {name: df.reindex(columns=schemas.columns(name)) for name, df in d.tables().items() if df is not None and len(df)}


@pytest.fixture(scope="module")
def raw_tables():
    return _raw("2023-tongcheng-renshe.txt")


@pytest.mark.parametrize("sample", ["2023-tongcheng-renshe.txt", "2024-shanghai-putuo-caizhengju.pdf"])
def test_fast_path_equals_pandera_on_sample_tables(sample):
    tables = _raw(sample)
    assert len(tables) >= 5
    for name, df in tables.items():
        expected = schemas.MODELS[name].validate(df.copy())
        pd.testing.assert_frame_equal(schemas.validate_fast(name, df.copy()), expected)


BREAKAGES = [
    ("indicators", "scope", "both"),  # isin
    ("indicators", "level3", None),  # not nullable
    ("indicators", "source_line", 0),  # ge 1
    ("document", "sha256", "abc"),  # str_length 64
    ("document", "year", 1800),  # ge 1990
    ("projects", "project_no", 1),  # unique (every row gets 1)
    ("indicators", "score", "high"),  # cannot coerce to float
]


@pytest.mark.parametrize("table,column,value", BREAKAGES)
def test_both_reject_the_same_broken_tables(raw_tables, table, column, value):
    df = raw_tables[table].copy()
    df[column] = pd.Series([value] * len(df), dtype=object)
    with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors)):
        schemas.MODELS[table].validate(df.copy())
    with pytest.raises((ValueError, pandera.errors.SchemaError, pandera.errors.SchemaErrors)):
        schemas.validate_fast(table, df.copy())


def test_wrong_columns_are_refused(raw_tables):
    df = raw_tables["figures"].drop(columns=["evidence"])
    with pytest.raises(ValueError, match="columns"):
        schemas.validate_fast("figures", df)
