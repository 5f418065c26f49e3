"""Command line: argument parsing only; every subcommand calls one library function."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import config
from .limits import Limits


def _warm() -> None:
    """The reader's forkserver imports the parser while this process imports pandas (in this process, so that
    a pool worker starts its own)."""
    from .worker import warm

    warm()


def _parse(args: argparse.Namespace) -> int:
    _warm()
    from .batch import each, say
    from .write import write_document

    out_dir = Path(args.out)

    def write(path: str, disclosure) -> int:
        # tables, checks and a PDF's text (text.txt) replaced as one unit
        out = write_document(path, disclosure, out_dir, with_checks=not getattr(args, "no_checks", False))
        counts = ", ".join(
            f"{name} {len(df)}" for name, df in disclosure.tables().items() if name != "document"
        )
        say(f"{path} → {out}: {counts}")
        for w in disclosure.warnings.itertuples():
            say(f"  warning [{w.stage}]{_where(w.source_line, w.page)}: {w.message}")
        return 0

    return each(args.paths, write, Limits.from_args(args))


def _where(line: object, page: object) -> str:
    """' (line 12, page 3)', ' (page 3)' or '': warnings without a line (an image page) or a page print
    too."""
    known = [f"{label} {int(v)}" for label, v in (("line", line), ("page", page)) if _known(v)]
    return f" ({', '.join(known)})" if known else ""


def _known(value: object) -> bool:
    import pandas as pd

    return not pd.isna(value) and bool(value)  # None, NaN and pandas.NA alike (NA has no truth value)


def _report(args: argparse.Namespace) -> int:
    _warm()
    from .report import run_reports

    return run_reports(
        args.paths,
        prior=args.prior or [],
        out=Path(args.out),
        limits=Limits.from_args(args),
        parameters={"allow_other_department": bool(getattr(args, "allow_other_department", False))},
    )


def _check(args: argparse.Namespace) -> int:
    _warm()
    from .checks import main as check_main

    return check_main(args.paths, limits=Limits.from_args(args))


def _export(args: argparse.Namespace) -> int:
    _warm()
    from .export import main as export_main

    return export_main(args.paths, out=Path(args.out) if args.out else None, limits=Limits.from_args(args))


def _bounds() -> argparse.ArgumentParser:
    """Options every subcommand takes: the bounds on one input (README "Untrusted input")."""
    b = argparse.ArgumentParser(add_help=False)
    g = b.add_argument_group("bounds on each input (an input over one is refused with one line)")
    g.add_argument("--max-size", type=float, metavar="MB", help=f"file size (default {config.MAX_INPUT_MB})")
    g.add_argument("--max-pages", type=int, metavar="N", help=f"PDF pages (default {config.MAX_PAGES})")
    g.add_argument(
        "--max-objects",
        type=int,
        metavar="N",
        help=f"drawing operations on one PDF page, forms expanded (default {config.MAX_PAGE_OBJECTS})",
    )
    g.add_argument(
        "--max-memory",
        type=float,
        metavar="MB",
        help=f"memory of the process reading one input (default {config.MAX_MEMORY_MB})",
    )
    g.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help=f"seconds to read one input (default {config.TIME_BASE_S:g} + {config.TIME_PER_PAGE_S:g} "
        "per page)",
    )
    b.add_argument(
        "--ocr",
        choices=["auto", "off", "force"],
        default=None,
        help=f"recognise pictures: auto (image-only pages and pictured tables only), off, or force (every "
        f"page, text layer ignored); default {config.OCR.mode}",
    )
    return b


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"juesuan {version('juesuan')} (parser {config.PARSER_VERSION})"
    except PackageNotFoundError:
        return f"juesuan (parser {config.PARSER_VERSION})"


EPILOG = """examples:
  juesuan parse data/raw/*.txt data/raw/*.pdf        tidy tables into data/processed/<doc_id>/
  juesuan report data/raw/2023-tongcheng-renshe.txt  HTML reports into reports/<doc_id>/
  juesuan check data/raw/2024-*.pdf                  failed consistency rules, exit 1 on an error
  juesuan export data/raw/*.pdf                      the audit workbook beside the reports
exit status: 0 done, 1 findings (check) or a failed notebook (report), 2 unusable input."""


class _Help(argparse.HelpFormatter):
    """Every option's help ends with its default, unless it already names it or has none."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, argparse.SUPPRESS):
            return text
        return f"{text} (default: %(default)s)"


def main(argv: list[str] | None = None) -> int:
    fmt = _Help
    parser = argparse.ArgumentParser(
        prog="juesuan",
        description="Parse and audit 部门决算公开 disclosures (PDF with a text layer, or text).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version(), help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    bounds = _bounds()
    paths_help = "disclosures to read: PDF (with a text layer, or scanned with --ocr) or text (.txt)"

    p = sub.add_parser(
        "parse",
        help="parse disclosures into tidy CSV/Parquet tables",
        parents=[bounds],
        formatter_class=fmt,
        description="Parse each disclosure into data/processed/<doc_id>/: one "
        "CSV (UTF-8 with BOM) and Parquet file per table, the consistency checks, and for a PDF the "
        "text the reader produced (text.txt, numbered as the reports cite lines).",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help=paths_help)
    p.add_argument("--out", default=str(config.DATA_PROCESSED), metavar="DIR", help="output folder")
    p.set_defaults(func=_parse)

    r = sub.add_parser(
        "report",
        help="run the analysis notebooks and export HTML reports",
        parents=[bounds],
        formatter_class=fmt,
        description="Run every notebook in notebooks/ on each disclosure and "
        "write self-contained HTML reports into OUT/<doc_id>/, with OUT/index.html across them. A "
        "progress line per document shows on a terminal.",
    )
    r.add_argument("paths", nargs="+", metavar="PATH", help=paths_help)
    r.add_argument(
        "--prior",
        nargs="+",
        metavar="PATH",
        help="earlier years' disclosures of the same department "
        "(default: its earlier years in data/processed)",
    )
    r.add_argument("--out", default=str(config.REPORTS), metavar="DIR", help="output folder")
    r.set_defaults(func=_report)

    c = sub.add_parser(
        "check",
        help="run the consistency checks; exit 1 when an error-level rule fails",
        parents=[bounds],
        formatter_class=fmt,
        description="Evaluate the rule catalogue on each "
        "disclosure and print the main findings and every failed rule with its evidence.",
    )
    c.add_argument("paths", nargs="+", metavar="PATH", help=paths_help)
    c.set_defaults(func=_check)

    e = sub.add_parser(
        "export",
        help="write an Excel audit workbook",
        parents=[bounds],
        formatter_class=fmt,
        description="Write OUT/<doc_id>/<doc_id>-audit.xlsx per disclosure: findings linked to their "
        "evidence, the checks, the analyses (同比, 预决算对比, 绩效偏差), the nine tables as printed "
        "and every tidy table.",
    )
    e.add_argument("paths", nargs="+", metavar="PATH", help=paths_help)
    e.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help=f"output folder (default: {config.REPORTS}, beside the HTML reports)",
    )
    e.set_defaults(func=_export)

    from .parallel import add_options, dispatch

    for name, subparser in sub.choices.items():
        add_options(subparser, name)
    n = sub.add_parser(
        "panel",
        help="what the panel of parsed documents holds: departments × years",
        formatter_class=fmt,
        description="Print the departments × years grid and the rows per table "
        "of the documents parsed into DIR.",
    )
    n.add_argument(
        "dir", nargs="?", default=str(config.DATA_PROCESSED), metavar="DIR", help="the panel's folder"
    )
    n.set_defaults(func=_panel)

    args = parser.parse_args(argv)
    return dispatch(args)


def _panel(args: argparse.Namespace) -> int:
    from .panel import main as panel_main

    return panel_main(args.dir)
