"""schemas.frame agrees with pandera: same typed tables on real data, a failure wherever pandera fails."""

import pandas as pd
import pandera.errors
import pytest

from juesuan import schemas
from juesuan.config import DATA_RAW
from juesuan.pipeline import extract_rows


def _raw(sample: str) -> dict[str, list[dict]]:
    return {name: rows for name, rows in extract_rows(DATA_RAW / sample)[1].items() if rows}


@pytest.fixture(scope="module")
def raw_tables():
    return _raw("2023-tongcheng-renshe.txt")


@pytest.mark.parametrize("sample", ["2023-tongcheng-renshe.txt", "2024-shanghai-putuo-caizhengju.pdf"])
def test_fast_path_equals_pandera_on_sample_tables(sample):
    tables = _raw(sample)
    assert len(tables) >= 5
    for name, rows in tables.items():
        expected = schemas.MODELS[name].validate(pd.DataFrame(rows, columns=schemas.columns(name)))
        pd.testing.assert_frame_equal(schemas.frame(name, rows), expected)


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
    rows = [{**row, column: value} for row in raw_tables[table]]
    with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors)):
        schemas.MODELS[table].validate(pd.DataFrame(rows, columns=schemas.columns(table)))
    with pytest.raises(ValueError, match=f"{table}.{column}"):
        schemas.frame(table, rows)


def test_unknown_columns_are_refused(raw_tables):
    rows = [{**row, "note": "x"} for row in raw_tables["figures"]]
    with pytest.raises(ValueError, match="unknown columns"):
        schemas.frame("figures", rows)


def test_no_rows_give_the_typed_header():
    df = schemas.frame("indicators", [])
    assert list(df.columns) == schemas.columns("indicators") and len(df) == 0
    assert str(df["score"].dtype) == "float64" and str(df["project_no"].dtype) == "Int64"


# ---------------------------------------------------------------- schemas.validate: pandera's verdict on typed frames


@pytest.fixture(scope="module")
def typed_tables(raw_tables):
    return {name: schemas.frame(name, rows) for name, rows in raw_tables.items()}


def test_validate_takes_the_fast_path_on_typed_tables(typed_tables, monkeypatch):
    for name, df in typed_tables.items():
        schemas.MODELS[name].validate(df)  # pandera accepts them
    calls = []
    for model in schemas.MODELS.values():
        monkeypatch.setattr(model, "validate", classmethod(lambda cls, df, **k: calls.append(cls) or df))
    for name, df in typed_tables.items():
        assert schemas.validate(name, df) is df
    assert calls == []  # no coercion to do: pandera itself is not needed


FRAME_BREAKAGES = [
    ("indicators", "scope", "both"),  # isin
    ("indicators", "level3", pd.NA),  # not nullable
    ("indicators", "source_line", 0),  # ge 1
    ("indicators", "weight", 101.0),  # le 100
    ("document", "sha256", "abc"),  # str_length 64
    ("document", "year", 1800),  # ge 1990
    ("projects", "project_no", 1),  # unique (every row gets 1)
    ("figures", "value", float("nan")),  # not nullable (a float column)
]


@pytest.mark.parametrize("table,column,value", FRAME_BREAKAGES)
def test_validate_rejects_what_pandera_rejects(typed_tables, table, column, value):
    df = typed_tables[table].copy()
    df[column] = pd.Series([value] * len(df), index=df.index, dtype=df[column].dtype)
    with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors)):
        schemas.MODELS[table].validate(df)
    with pytest.raises(ValueError, match=f"{table}.{column}"):
        schemas.validate(table, df)


def test_validate_hands_untyped_or_odd_tables_to_pandera(typed_tables):
    df = typed_tables["indicators"].assign(score=typed_tables["indicators"]["score"].astype(object))
    pd.testing.assert_frame_equal(schemas.validate("indicators", df), schemas.MODELS["indicators"].validate(df))
    with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors)):
        schemas.validate("figures", typed_tables["figures"].assign(note="x"))  # strict: an unknown column
    with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors)):
        schemas.validate("figures", typed_tables["figures"].drop(columns="unit"))
    bad = typed_tables["indicators"].assign(score=pd.Series(["high"] * len(typed_tables["indicators"]), dtype=object))
    with pytest.raises((pandera.errors.SchemaError, pandera.errors.SchemaErrors)):
        schemas.validate("indicators", bad)


# ---------------------------------------------------------------- write.csv_text: pandas' CSV, from the Arrow form


def test_csv_from_arrow_is_pandas_csv_on_every_sample_table(typed_tables):
    from juesuan.write import csv_safe, csv_text

    for sample in ["2024-shanghai-putuo-caizhengju.pdf", "2024-shanghai-putuo-guihuaziyuanju.pdf"]:
        typed_tables = {**typed_tables, **{f"{sample}:{n}": schemas.frame(n, rows) for n, rows in _raw(sample).items()}}
    typed_tables["empty"] = schemas.empty("indicators")
    assert len(typed_tables) > 15
    for name, df in typed_tables.items():
        assert csv_text(df, schemas.arrow(df)) == csv_safe(df).to_csv(index=False), name


def test_csv_from_arrow_renders_awkward_values_as_pandas_does(monkeypatch):
    from juesuan import write

    df = pd.DataFrame({
        "text": pd.array(["=1+1", "-3.5", "+2%", "@SUM(A1)", "\tx", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "",
                          None, "普通", "-", " lead"], dtype="str"),
        "num": [0.1, 1e16, 1e-5, -0.0, float("nan"), float("inf"), -float("inf"), 123456789.125, 2547.2077, 16800.0,
                3.0, 1 / 3, 5e-324, 1.7976931348623157e308],
        "count": pd.array([1, None, -5, 0, 2**53, None, 7, 8, 9, 10, 11, 12, 13, 14], dtype="Int64"),
        "n": list(range(14)),
        "flag": [True, False] * 7,
    })
    expected = write.csv_safe(df).to_csv(index=False)
    monkeypatch.setattr(write, "csv_safe", None)  # built from Arrow, not handed to pandas
    text = write.csv_text(df, schemas.arrow(df))
    assert text == expected
    assert "'=1+1," in text and "\n-3.5," in text and '"say ""hi"""' in text and "'@SUM(A1)" in text


def test_csv_falls_back_to_pandas_for_a_type_it_does_not_know():
    import datetime

    from juesuan.write import csv_safe, csv_text

    df = pd.DataFrame({"day": [datetime.date(2024, 1, 2)], "text": pd.array(["=x"], dtype="str")})
    assert csv_text(df, schemas.arrow(df)) == csv_safe(df).to_csv(index=False) == "day,text\n2024-01-02,'=x\n"
