"""The panel: every document parsed into a processed directory, each tidy table across documents, via DuckDB.

Why DuckDB: an embedded engine (no server) that reads the Parquet files where they lie, so a county's or a
province's outputs are queried together without loading them all into memory. Two layouts are read:
  - per document, as `juesuan parse` writes it: `<dir>/<doc_id>/<table>.parquet`;
  - partitioned by year, as the Dask sweep writes it: `<dir>/_panel/<table>/year=<year>/<part>.parquet`, one
    file per table, year and task. A document written more than once keeps its latest part (parts sort by
    time).
Every table view carries doc_id, department and year (joined from `document`). `checks` holds the consistency
checks stored with each document (checks.parquet, written with its tables by `juesuan.write`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import config, outdir
from .extract.meta import doc_id
from .identity import Identity, check_prior, normalise_department
from .model import TABLES, Disclosure
from .normalize import display_width
from .safe import terminal
from .schemas import MODELS, columns, empty, validate

PANEL_DIR = "_panel"
CHECKS = "checks"
PANEL_TABLES = [*TABLES, CHECKS]


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))  # temp folders of atomic writes, the partitioned layout


def _sql_list(paths: Sequence[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _columns(table: str) -> list[str]:
    if table == CHECKS:
        # lazy: juesuan.checks imports pandera's typing (about 0.4 s), paid only by callers that check
        from .checks.schema import COLUMNS

        return list(COLUMNS)

    return columns(table)


class Panel:
    """The tidy tables of every document under `root`, as DuckDB views (`con`) and as DataFrames (`table`)."""

    def __init__(self, root: str | os.PathLike):
        import duckdb

        self.root = Path(root)
        self.con = duckdb.connect(":memory:")
        self._doc_dirs = (
            sorted(p.parent for p in self.root.glob("*/document.parquet") if not _hidden(p.parent.name))
            if self.root.is_dir()
            else []
        )
        self.tables: list[str] = []
        for table in PANEL_TABLES:
            if self._create_view(table):
                self.tables.append(table)

    # ---------------------------------------------------------------- views

    def _parts(self, table: str) -> list[Path]:
        base = self.root / PANEL_DIR / table
        return (
            sorted(p for p in base.glob("year=*/*.parquet") if not _hidden(p.name)) if base.is_dir() else []
        )

    def _source(self, table: str) -> str | None:
        """SQL for every row of `table` in both layouts, with `_part` ('' for the per-document layout)."""
        per_doc = [d / f"{table}.parquet" for d in self._doc_dirs if (d / f"{table}.parquet").exists()]
        parts = self._parts(table)
        selects = []
        if per_doc:
            selects.append(
                f"SELECT *, '' AS _part FROM read_parquet({_sql_list(per_doc)}, union_by_name=true, "
                "hive_partitioning=false)"
            )
        if parts:
            selects.append(
                f"SELECT * EXCLUDE (filename), regexp_extract(filename, '([^/]+)\\.parquet$', 1) AS _part "
                f"FROM read_parquet({_sql_list(parts)}, union_by_name=true, hive_partitioning=false, "
                "filename=true)"
            )
        return " UNION ALL BY NAME ".join(selects) if selects else None

    def _create_view(self, table: str) -> bool:
        source = self._source(table)
        if table == "document":
            if source is None:
                return False
            # The document table is small and joined by every view: kept as a table, one row per doc_id.
            self.con.execute(
                f"CREATE TABLE _document AS SELECT * FROM (SELECT *, row_number() OVER "
                f"(PARTITION BY doc_id ORDER BY _part DESC) AS _rank FROM ({source})) WHERE _rank = 1"
            )
            self.con.execute(
                "CREATE VIEW document AS SELECT * EXCLUDE (_part, _rank) FROM _document ORDER BY year, doc_id"
            )
            return True
        if source is None or "document" not in self.tables:
            return False
        self.con.execute(f"CREATE VIEW _{table} AS {source}")
        self.con.execute(
            f"CREATE VIEW {table} AS SELECT t.doc_id, d.department, d.year, t.* EXCLUDE (doc_id, _part) "
            f"FROM _{table} t JOIN _document d ON t.doc_id = d.doc_id AND t._part = d._part"
        )
        return True

    # ---------------------------------------------------------------- reading

    def sql(self, query: str, params: Sequence | None = None) -> pd.DataFrame:
        """Any SQL over the views (one per table name)."""
        return self.con.execute(query, params or []).df()

    def table(self, name: str, where: str | None = None, params: Sequence | None = None) -> pd.DataFrame:
        """One tidy table across documents (doc_id, department, year first); empty with its columns when no
        document has it. `where` is an SQL condition on the view's columns."""
        if name not in PANEL_TABLES:
            raise KeyError(f"no table {name!r} in a panel (tables: {', '.join(PANEL_TABLES)})")
        if name not in self.tables:
            cols = _columns(name)
            extra = [] if name == "document" else ["department", "year"]
            return pd.DataFrame(columns=["doc_id", *extra, *[c for c in cols if c != "doc_id"]])
        return self.sql(f"SELECT * FROM {name}" + (f" WHERE {where}" if where else ""), params)

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name in PANEL_TABLES:
            return self.table(name)
        raise AttributeError(name)

    def __len__(self) -> int:
        return (
            int(self.sql("SELECT count(*) AS n FROM document")["n"].iloc[0])
            if "document" in self.tables
            else 0
        )

    def documents(self) -> pd.DataFrame:
        """doc_id, department, department_key (normalised), year, source_path of every document."""
        d = self.table("document")[["doc_id", "department", "year", "source_path"]]
        return d.assign(department_key=d["department"].map(normalise_department))

    def coverage(self) -> pd.DataFrame:
        """Departments × years: the number of documents of each department in each year (department names
        normalised; the label is the latest name)."""
        d = self.documents()
        if d.empty:
            return pd.DataFrame()
        d = d.assign(year=d["year"].astype("Int64").astype(str).replace("<NA>", "?"))
        labels = d.sort_values("year").groupby("department_key")["department"].last().fillna("（未识别）")
        grid = d.pivot_table(
            index="department_key", columns="year", values="doc_id", aggfunc="count", fill_value=0
        )
        grid.index = grid.index.map(labels)
        grid.index.name, grid.columns.name = "department", "year"
        return grid.sort_index()

    def identities(self, doc_ids: Sequence[str] | None = None) -> list:
        """`identity.Identity` of each document (all when doc_ids is None)."""
        docs = self.table("document")
        units = self.table("units")
        if doc_ids is not None:
            docs = docs[docs["doc_id"].isin(doc_ids)]
        by_doc = units.groupby("doc_id")["unit_name"].agg(
            lambda s: frozenset(normalise_department(u) for u in s)
        )
        return [
            Identity(
                doc_id=r.doc_id,
                department=None if pd.isna(r.department) else r.department,
                year=None if pd.isna(r.year) else int(r.year),
                units=by_doc.get(r.doc_id, frozenset()),
                source=str(r.source_path),
            )
            for r in docs.itertuples(index=False)
        ]

    def priors(self, current) -> list[str]:
        """doc_ids of the earlier years of `current`'s department (an `Identity`), one per year, oldest
        first."""
        ok = [i for i in self.identities() if check_prior(current, i).ok]
        per_year: dict[int, str] = {}
        for i in sorted(ok, key=lambda i: i.doc_id):
            per_year.setdefault(i.year, i.doc_id)
        return [per_year[y] for y in sorted(per_year)]

    def disclosure(self, doc_id: str) -> Disclosure:
        """One document's tables as a `Disclosure` (typed and validated as `juesuan.load` returns them)."""
        folder = self.root / doc_id
        tables = {}
        for name in TABLES:
            if (folder / "document.parquet").exists() and not _hidden(doc_id):
                df = (
                    pd.read_parquet(folder / f"{name}.parquet")
                    if (folder / f"{name}.parquet").exists()
                    else None
                )
            elif name in self.tables:
                df = (
                    self.sql(
                        f"SELECT t.* EXCLUDE (_part) FROM _{name} t JOIN _document d ON t.doc_id = d.doc_id "
                        "AND t._part = d._part WHERE t.doc_id = ?",
                        [doc_id],
                    )
                    if name != "document"
                    else self.sql("SELECT * EXCLUDE (_part, _rank) FROM _document WHERE doc_id = ?", [doc_id])
                )
            else:
                df = None
            if df is None:
                df = empty(name)
            tables[name] = MODELS[name].validate(df[_columns(name)])
        if tables["document"].empty:
            raise KeyError(f"no document {doc_id!r} in the panel at {self.root}")
        return Disclosure(doc_id=doc_id, **tables)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Panel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _signature(root: Path) -> tuple:
    """Changes whenever a document folder or a partition file is added or replaced (folder mtimes)."""
    dirs = [root, *sorted((root / PANEL_DIR / "document").glob("year=*"))]
    return tuple((str(d), d.stat().st_mtime_ns) for d in dirs if d.exists())


@lru_cache(maxsize=4)
def _cached(root: str, signature: tuple) -> Panel:
    return Panel(root)


def cached(root: str | os.PathLike) -> Panel:
    """The Panel of `root`, reused while nothing was added to it (the report kernel runs many notebooks)."""
    root = Path(root).resolve()
    return _cached(str(root), _signature(root))


def open_panel(root: str | os.PathLike = config.DATA_PROCESSED) -> Panel:
    """`juesuan.panel(dir)`: the panel of every document parsed into `dir` (data/processed by default)."""
    return Panel(root)


# ---------------------------------------------------------------- one document's stored tables


def read_folder(folder: Path) -> Disclosure:
    """The tables `juesuan parse` wrote into one document's folder, as a `Disclosure` typed as `juesuan.load`
    returns it (a table missing from the folder is empty)."""
    tables = {}
    for name in TABLES:
        f = folder / f"{name}.parquet"
        df = pd.read_parquet(f) if f.exists() else empty(name)
        tables[name] = validate(name, df[_columns(name)])
    return Disclosure(doc_id=folder.name, **tables)


def _sha256(path: Path) -> str:
    import hashlib

    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def stored(path: str | os.PathLike, root: str | os.PathLike) -> Disclosure | None:
    """The document at `path` as already parsed into the store `root`: its folder holds the same content
    (sha256) read by this parser version. None when it is not there (then parse it). Why: the reports then
    show the tables `juesuan parse` made within the bounds it was given (a raised --max-pages), instead of
    parsing again. A folder of this version whose tables lack a column this parser writes (written before
    the column was added) is not used either."""
    root, path = Path(root), Path(path)
    if not root.is_dir() or not path.is_file():
        return None
    sha = _sha256(path)
    base = doc_id(path, None, sha)
    names = {base, *(f"{base}-{sha[:n]}" for n in (8, 16, 64)), *(p.name for p in root.glob(f"*{sha[:8]}*"))}
    for name in sorted(names):
        folder = root / name
        if _hidden(name) or not (folder / "document.parquet").is_file() or outdir.owner(folder) != sha:
            continue
        version = pd.read_parquet(folder / "document.parquet", columns=["parser_version"])["parser_version"]
        if len(version) and version.iloc[0] == config.PARSER_VERSION and _same_layout(folder):
            return read_folder(folder)
    return None


def _same_layout(folder: Path) -> bool:
    """Every table stored in `folder` has the columns this parser writes (read from the Parquet footers)."""
    import pyarrow.parquet as pq

    for name in TABLES:
        f = folder / f"{name}.parquet"
        if f.exists() and not set(_columns(name)) <= set(pq.read_schema(f).names):
            return False
    return True


# ---------------------------------------------------------------- `juesuan panel`


def printable(text: object) -> str:
    """Text from a disclosure, safe for a terminal: control characters shown as escapes, never obeyed."""
    return terminal(text)


def _pad(s: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - display_width(s))
    return gap + s if right else s + gap


def describe(panel: Panel) -> str:
    """What a panel holds: a departments × years grid and each table's row count."""
    n = len(panel)
    if n == 0:
        return (
            f"{printable(panel.root)}: no parsed documents (run `juesuan parse … --out "
            f"{printable(panel.root)}`)"
        )
    grid = panel.coverage()
    years = [str(y) for y in grid.columns]
    head = f"{printable(panel.root)}: {n} documents, {len(grid)} departments, years {', '.join(years)}"
    labels = [printable(d) for d in grid.index]
    w = max(display_width("department"), *(display_width(s) for s in labels))
    lines = [head, "", "  ".join([_pad("department", w), *(_pad(y, max(4, len(y)), True) for y in years)])]
    for label, (_, row) in zip(labels, grid.iterrows(), strict=True):
        cells = [
            _pad(str(int(v)) if v else "·", max(4, len(y)), True) for y, v in zip(years, row, strict=True)
        ]
        lines.append("  ".join([_pad(label, w), *cells]))
    counts = panel.sql(" UNION ALL ".join(f"SELECT '{t}' AS t, count(*) AS n FROM {t}" for t in panel.tables))
    lines += ["", "rows: " + ", ".join(f"{r.t} {r.n}" for r in counts.itertuples(index=False))]
    return "\n".join(lines)


def main(root: str | os.PathLike) -> int:
    """`juesuan panel [DIR]`: print what the panel holds; exit 2 when DIR is not a directory."""
    root = Path(root)
    if not root.is_dir():
        print(f"juesuan: error: {printable(root)}: not a directory", file=sys.stderr)
        return 2
    with Panel(root) as panel:
        print(describe(panel))
    return 0
