"""The ``cei-metrics`` command.

::

    cei-metrics demo   [--raw data/raw] [--seed 2019]      write the demo world's raw files
    cei-metrics ingest [RAW] [PROCESSED]                    raw files -> validated parquet
    cei-metrics report [--demo | --data RAW] [...]          the whole pipeline
    cei-metrics audit  [figures reports]                    privacy audit of exported files
    cei-metrics fetch-cde FAMILY... --years Y... --dest DIR  download public CDE files

Each sub-command has ``--help``. Errors about the user's input print the message of the
:class:`~cei_metrics.errors.CEIError` (file, row, column and fix) and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import CEIError


def _cmd_demo(args: argparse.Namespace) -> int:
    from .datasets import write_demo_raw

    paths = write_demo_raw(args.raw, seed=args.seed)
    print(f"Wrote {len(paths)} synthetic demo file(s) to {args.raw} (seed {args.seed}).")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from .io import ingest

    report = ingest(
        args.raw,
        args.processed,
        strict=args.strict,
        replace=args.replace,
        progress=not args.quiet,
        lock_timeout=args.wait,
    )
    print(report.summary())
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import run_report

    run_report(
        raw_dir=args.data or args.raw,
        demo=args.data is None,
        processed_dir=args.processed,
        figures_dir=args.figures,
        reports_dir=args.reports,
        notebooks_dir=args.notebooks,
        seed=args.seed,
        min_cell=args.min_cell,
        only=args.only,
    )
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from .privacy import audit

    result = audit(*args.folders, threshold=args.threshold)
    print(result.summary())
    return 0 if result.ok else 1


def _cmd_fetch_cde(args: argparse.Namespace) -> int:
    from .io.fetch import fetch_cde

    res = fetch_cde(
        args.families,
        args.years,
        args.dest,
        refresh=args.refresh,
        base_url=args.base_url,
        progress=args.progress,
    )
    print(res.summary())
    return 0 if res.ok else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cei-metrics",
        description="Engagement metrics and impact analyses for California's Community "
        "Engagement Initiative.",
    )
    p.add_argument("--version", action="version", version=f"cei-metrics {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="write the synthetic demo world's raw files")
    d.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder to write to")
    d.add_argument("--seed", type=int, default=2019, help="seed of the demo world")
    d.set_defaults(func=_cmd_demo)

    i = sub.add_parser("ingest", help="validate raw files and write the canonical tables")
    i.add_argument("raw", nargs="?", type=Path, default=Path("data/raw"))
    i.add_argument("processed", nargs="?", type=Path, default=Path("data/processed"))
    i.add_argument("--strict", action="store_true", help="stop at the first bad file")
    i.add_argument("--quiet", action="store_true", help="no progress bar")
    i.add_argument(
        "--replace",
        action="store_true",
        help="rebuild a table even when one of its files was rejected (by default the "
        "previous version of that table is kept)",
    )
    i.add_argument(
        "--wait",
        type=float,
        default=60.0,
        help="seconds to wait for another ingest into the same folder (default 60)",
    )
    i.set_defaults(func=_cmd_ingest)

    r = sub.add_parser(
        "report",
        help="run the whole pipeline: (demo data ->) ingest -> notebooks -> figures and reports",
    )
    g = r.add_mutually_exclusive_group()
    g.add_argument("--demo", action="store_true", help="use the synthetic demo world (default)")
    g.add_argument("--data", type=Path, help="your own raw data folder instead of the demo")
    r.add_argument("--raw", type=Path, default=Path("data/raw"), help="where demo raw files go")
    r.add_argument("--processed", type=Path, default=Path("data/processed"))
    r.add_argument("--figures", type=Path, default=Path("figures"))
    r.add_argument("--reports", type=Path, default=Path("reports"))
    r.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    r.add_argument("--seed", type=int, default=2019)
    r.add_argument("--min-cell", type=int, default=11, help="small-cell threshold")
    r.add_argument("--only", nargs="*", help="run only these notebooks (file names)")
    r.set_defaults(func=_cmd_report)

    a = sub.add_parser(
        "audit",
        help="fail if any exported file (figures/, reports/, hidden files included) shows a "
        "small cell or personal data",
    )
    a.add_argument(
        "folders",
        nargs="*",
        type=Path,
        default=[Path("figures"), Path("reports")],
        help="folders or files to read (default: figures reports)",
    )
    a.add_argument("--threshold", type=int, default=11)
    a.set_defaults(func=_cmd_audit)

    from .io.fetch import ENV_BASE, FAMILIES

    f = sub.add_parser(
        "fetch-cde",
        help="download public CDE files by family and year (verified, cached)",
        description="Download public CDE files into DEST with their SHA-256 hashes recorded "
        "on first download (DEST/cde_registry.txt). Families: "
        + ", ".join(sorted(FAMILIES))
        + f". The base address is {ENV_BASE} when set.",
    )
    f.add_argument("families", nargs="+", help="file families, or 'all'")
    f.add_argument("--years", nargs="*", default=[],
                   help='school years "2018-19", end years "2019" or ranges "2017:2019"')  # fmt: skip
    f.add_argument("--dest", type=Path, default=Path("data/raw/cde"), help="folder to fill")
    f.add_argument("--refresh", action="store_true",
                   help="accept files whose content changed since their hash was recorded")  # fmt: skip
    f.add_argument("--base-url", default=None, help=f"override {ENV_BASE}")
    f.add_argument("--progress", action="store_true", help="show progress bars")
    f.set_defaults(func=_cmd_fetch_cde)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CEIError as err:
        print(f"cei-metrics: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
