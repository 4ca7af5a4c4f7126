"""Run the benchmarks: ``python -m benchmarks [--quick] [--out PATH] [NAME ...]``.

A full run writes ``benchmarks/results/<YYYY-MM-DD>-<host>.csv`` (one row per benchmark x
side x thread setting) and a sidecar ``.json`` with the machine (CPU, cores, load average
at the start and the end), Python and library versions and the BLAS in use. ``--quick``
uses small sizes and writes nothing unless ``--out`` is given. ``python -m
benchmarks.readme`` then rewrites the README's speed table from the newest results.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib
import json
import os
import pkgutil
import platform
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path

from benchmarks._harness import COLUMNS, THREADS, Settings, blas_info, cpu_count, version_of

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
#: libraries whose versions go into the sidecar
LIBRARIES = ("cei_metrics", "numpy", "pandas", "scipy", "statsmodels", "pyarrow",
             "threadpoolctl", "psutil", "pingouin", "semopy", "csdid", "differences",
             "moderndid", "pysyncon")  # fmt: skip


def discover() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover
        pass
    return platform.processor() or platform.machine()


def host_name() -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in socket.gethostname()) or "host"


def machine_info() -> dict:
    import numpy  # noqa: F401  (loads the BLAS that threadpoolctl reports)
    import psutil

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True
        ).stdout.strip()
    except OSError:  # pragma: no cover
        commit = ""
    return {
        "host": host_name(),
        "cpu_model": cpu_model(),
        "cpus_usable": cpu_count(),
        "cores_physical": psutil.cpu_count(logical=False),
        "cores_logical": psutil.cpu_count(logical=True),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            lib: version_of(lib.replace("_", "-")) or version_of(lib) for lib in LIBRARIES
        },
        "blas": blas_info(),
        "git_commit": commit,
    }


def run(names: list[str], settings: Settings, failed: list[str] | None = None) -> list[dict]:
    """Rows of every module; the names of modules that raised go to ``failed``."""
    failed = [] if failed is None else failed
    rows = []
    for name in names:
        t0 = time.perf_counter()
        try:
            mod = importlib.import_module(f"benchmarks.{name}")
            got = mod.run(quick=settings.quick, settings=settings)
        except Exception:  # one failing benchmark does not lose the others' rows
            traceback.print_exc()
            print(f"{name}: FAILED after {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            failed.append(name)
            continue
        rows.extend({**row, "module": name} for row in got)
        print(f"{name}: done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return rows


def write_results(rows: list[dict], meta: dict, path: Path) -> None:
    """The rows as CSV (columns :data:`COLUMNS`) and ``meta`` as the sidecar JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def cell(v):
        if v is None:
            return ""
        if isinstance(v, float):
            return f"{v:.6g}"
        return v

    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: cell(r.get(c)) for c in COLUMNS})
    path.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")


def print_table(rows: list[dict], quick: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="cei_metrics benchmarks" + (" (quick: not for citing)" if quick else ""))
    for c in ("benchmark", "side", "library", "threads", "median s", "min s", "ratio",
              "peak MB", "max |diff|"):  # fmt: skip
        t.add_column(c)

    def f(v, fmt):
        return "" if v is None else format(v, fmt)

    for r in rows:
        t.add_row(r["benchmark"], r["side"], r["library"], str(r["threads"]),
                  f(r["median_s"], ".4f"), f(r["min_s"], ".4f"), f(r["ratio"], ".2f"),
                  f(r["peak_mb"], ".0f"), f(r["max_abs_diff"], ".1e"))  # fmt: skip
    Console(width=200).print(t)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks")
    p.add_argument("names", nargs="*", help="bench modules (default: all)")
    p.add_argument("--quick", action="store_true", help="small sizes, seconds in all")
    p.add_argument("--out", type=Path, help="results CSV (default for a full run: "
                   "benchmarks/results/<date>-<host>.csv; a quick run writes only with --out)")  # fmt: skip
    p.add_argument("--threads", choices=["both", "single", "default"], default="both",
                   help="thread settings to run (default: one thread, then the default)")  # fmt: skip
    args = p.parse_args(argv)
    names = [n if n.startswith("bench_") else f"bench_{n}" for n in args.names] or discover()
    threads = {"both": THREADS, "single": (1,), "default": (None,)}[args.threads]
    settings = Settings(quick=args.quick, threads=threads)
    started = dt.datetime.now().astimezone()
    meta = machine_info()
    meta.update(
        date=started.date().isoformat(),
        started=started.isoformat(timespec="seconds"),
        load_average_start=list(os.getloadavg()),
        quick=args.quick,
        modules=names,
        warmups=settings.warmups,
        reps=settings.reps,
        command="python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
    )
    failed: list[str] = []
    rows = run(names, settings, failed)
    ended = dt.datetime.now().astimezone()
    meta.update(
        finished=ended.isoformat(timespec="seconds"),
        duration_s=round((ended - started).total_seconds(), 1),
        load_average_end=list(os.getloadavg()),
        failed=failed,
    )
    for r in rows:
        r.update(date=meta["date"], host=meta["host"])
    print_table(rows, args.quick)
    out = args.out
    if out is None and not args.quick:
        out = RESULTS / f"{meta['date']}-{meta['host']}.csv"
        if out.exists():  # a second run that day keeps the first: named by its start time
            out = RESULTS / f"{meta['date']}-{meta['host']}-{started:%H%M}.csv"
    if out is not None:
        write_results(rows, meta, out)
        print(f"wrote {out} and {out.with_suffix('.json').name}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
