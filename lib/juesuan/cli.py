"""Command line: argument parsing only; every subcommand calls one library function."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import config


def _parse(args: argparse.Namespace) -> int:
    from .model import load_or_report
    from .write import write_tables

    status = 0
    for path in args.paths:
        disclosure = load_or_report(path)
        if disclosure is None:
            status = 2
            continue
        out = write_tables(disclosure, Path(args.out))
        counts = ", ".join(f"{name} {len(df)}" for name, df in disclosure.tables().items() if name != "document")
        print(f"{path} → {out}: {counts}")
        for w in disclosure.warnings.itertuples():
            where = f" (line {w.source_line}, page {w.page})" if w.source_line == w.source_line and w.source_line else ""
            print(f"  warning [{w.stage}]{where}: {w.message}")
    return status


def _report(args: argparse.Namespace) -> int:
    from .report import run_reports

    return run_reports(args.paths, prior=args.prior or [], out=Path(args.out))


def _check(args: argparse.Namespace) -> int:
    from .checks import main as check_main

    return check_main(args.paths)


def _export(args: argparse.Namespace) -> int:
    from .export import main as export_main

    return export_main(args.paths, out=Path(args.out) if args.out else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="juesuan", description="Parse and audit 部门决算公开 disclosures.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="parse disclosures into tidy CSV/Parquet tables")
    p.add_argument("paths", nargs="+")
    p.add_argument("--out", default=str(config.DATA_PROCESSED))
    p.set_defaults(func=_parse)

    r = sub.add_parser("report", help="run the analysis notebooks and export HTML reports")
    r.add_argument("paths", nargs="+")
    r.add_argument("--prior", nargs="*", help="earlier years' disclosures of the same department")
    r.add_argument("--out", default=str(config.REPORTS))
    r.set_defaults(func=_report)

    c = sub.add_parser("check", help="run the consistency checks; exit 1 when an error-level rule fails")
    c.add_argument("paths", nargs="+")
    c.set_defaults(func=_check)

    e = sub.add_parser("export", help="write an Excel audit workbook")
    e.add_argument("paths", nargs="+")
    e.add_argument("--xlsx", action="store_true", default=True)
    e.add_argument("--out", default=None)
    e.set_defaults(func=_export)

    args = parser.parse_args(argv)
    return args.func(args)
