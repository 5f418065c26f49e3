"""The `Disclosure` object: every tidy table of one document (`juesuan.load` builds it, pipeline.parse)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd

_NOT_TABLES = ("doc_id", "lines", "line_conf", "segments")


@dataclass(repr=False)
class Disclosure:
    """Every tidy table of one disclosure, validated. `warnings` lists what the parser was unsure of."""

    doc_id: str
    document: pd.DataFrame
    units: pd.DataFrame
    figures: pd.DataFrame
    line_items: pd.DataFrame
    projects: pd.DataFrame
    project_outputs: pd.DataFrame
    department_goals: pd.DataFrame
    indicators: pd.DataFrame
    statements: pd.DataFrame
    warnings: pd.DataFrame
    # The text lines the reader produced (not a table): the rules that read words use them, so the checks
    # never read the file again. None for a Disclosure loaded from the processed store.
    lines: list | None = field(default=None, repr=False, compare=False)
    # Line.no → OCR's confidence, for the lines read from a picture (Source.line_conf): the checks say so
    line_conf: dict[int, float] | None = field(default=None, repr=False, compare=False)
    # The parts and sections the parser found in `lines` (segment.Segments): the checks use the same ones
    segments: object | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        """Department, year, pages and rows per table: what a reader wants at the prompt, not the
        DataFrames."""
        doc = self.document.iloc[0] if len(self.document) else {}
        pages = doc.get("n_pages", None) if len(self.document) else None
        rows = ", ".join(f"{name} {len(df)}" for name, df in self.tables().items() if name != "document")
        return (
            f"<Disclosure {self.doc_id}: {self.department or '?'} {self.year or '?'}, "
            f"{'?' if pages is None or pd.isna(pages) else int(pages)} pages; {rows}>"
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_TABLES}

    @property
    def department(self) -> str | None:
        return self.document["department"].iloc[0]

    @property
    def year(self) -> int | None:
        y = self.document["year"].iloc[0]
        return None if pd.isna(y) else int(y)


# the tidy tables, in the order they print
TABLES = [f.name for f in fields(Disclosure) if f.name not in _NOT_TABLES]


def with_doc_id(disclosure: Disclosure, doc_id: str) -> Disclosure:
    """The same tables under another doc_id (its folder name was taken by another document)."""
    tables = {}
    for name, df in disclosure.tables().items():
        df = df.copy()
        if "doc_id" in df.columns:
            df["doc_id"] = pd.Series([doc_id] * len(df), index=df.index, dtype=df["doc_id"].dtype)
        tables[name] = df
    return Disclosure(
        doc_id=doc_id,
        lines=disclosure.lines,
        line_conf=disclosure.line_conf,
        segments=disclosure.segments,
        **tables,
    )
