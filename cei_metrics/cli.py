"""The ``cei-metrics`` command.

::

    cei-metrics demo   [--raw data/raw] [--seed 2019]      write the demo world's raw files
    cei-metrics init   DIR [--instrument F.yaml]            template input files + README
    cei-metrics check  RAW [--instrument F.yaml] [--json]   what each file is and which
                                                            analyses the data support
    cei-metrics ingest [RAW] [PROCESSED] [--strict]         raw files -> validated parquet
    cei-metrics report [--demo | --data RAW] [...]          the whole pipeline -> reports/report.html,
                                                            report.docx, findings.json
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


def _instrument(args: argparse.Namespace):
    """The instrument named by --instrument, validated (a clear error when malformed)."""
    from .instruments import load_instrument

    return load_instrument(args.instrument)


def _cmd_init(args: argparse.Namespace) -> int:
    from .io.templates import write_templates

    paths = write_templates(args.dir, _instrument(args), overwrite=args.force)
    print(f"Wrote {len(paths)} template file(s) to {args.dir}:")
    for p in paths:
        print(f"  {p}")
    if not paths:
        print("  (all exist already; --force replaces them)")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    import json

    from .io.checkfolder import check_folder

    res = check_folder(args.raw, _instrument(args), focal=args.focal, reference=args.reference)
    if args.json:
        print(json.dumps(res.to_dict(), indent=1, default=str))
    else:
        print(res.text())
    return 0 if res.ok else 1


def _file_table(report) -> str:
    from pathlib import Path as _P

    lines = ["Per file:"]
    for _, r in report.files.iterrows():
        name = _P(r["file"]).name
        what = r.get("recognised_as") or r["reader"] or "-"
        if r["status"] == "read":
            lines.append(
                f"  read     {name}: {what}; {r['rows_read']} rows, {r['rows_kept']} kept, "
                f"{r['rows_rejected']} rejected"
            )
        elif r["status"] == "failed":
            first, *rest = str(r["note"]).splitlines() or [""]
            lines.append(f"  REJECTED {name}: {first}")
            lines.extend(f"           {x.strip()}" for x in rest)
        else:
            lines.append(f"  skipped  {name}: {r['note']}")
    return "\n".join(lines)


def _cmd_ingest(args: argparse.Namespace) -> int:
    from .io import ingest

    report = ingest(
        args.raw,
        args.processed,
        strict=args.strict,
        replace=args.replace,
        progress=not args.quiet,
        lock_timeout=args.wait,
        instrument=_instrument(args),
    )
    print(report.summary())
    print(_file_table(report))
    failed = int((report.files["status"] == "failed").sum())
    if failed:
        print(f"{failed} file(s) rejected; the others were ingested.")
    return 1 if failed else 0


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
        instrument=args.instrument,
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

    inst_help = "the survey's instrument: a shipped name or your own YAML file"

    n = sub.add_parser("init", help="write template input files with a README of the columns")
    n.add_argument("dir", type=Path, help="folder to write the templates to")
    n.add_argument("--instrument", default="family_engagement", help=inst_help)
    n.add_argument("--force", action="store_true", help="replace existing template files")
    n.set_defaults(func=_cmd_init)

    c = sub.add_parser(
        "check",
        help="say what each raw file is and which analyses the data support; writes nothing",
    )
    c.add_argument("raw", type=Path, help="the raw data folder")
    c.add_argument("--instrument", default="family_engagement", help=inst_help)
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.add_argument("--focal", default="es", help="language compared in DIF/invariance (es)")
    c.add_argument("--reference", default="en", help="reference language (en)")
    c.set_defaults(func=_cmd_check)

    i = sub.add_parser("ingest", help="validate raw files and write the canonical tables")
    i.add_argument("raw", nargs="?", type=Path, default=Path("data/raw"))
    i.add_argument("processed", nargs="?", type=Path, default=Path("data/processed"))
    i.add_argument("--strict", action="store_true", help="stop at the first problem")
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
    i.add_argument("--instrument", default="family_engagement", help=inst_help)
    i.set_defaults(func=_cmd_ingest)

    r = sub.add_parser(
        "report",
        help="run the whole pipeline: (demo data ->) ingest -> notebooks -> figures and reports "
        "(report.html, report.docx, findings.json); an earlier run's outputs are moved to "
        "previous_runs/ first",
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
    r.add_argument("--instrument", default="family_engagement", help=inst_help)
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
    except Exception as err:  # never a traceback for the user; CEI_DEBUG=1 shows it
        import os

        if os.environ.get("CEI_DEBUG"):
            raise
        print(
            f"cei-metrics: unexpected error ({type(err).__name__}: {err}); "
            "run again with CEI_DEBUG=1 to see where, and report it",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
