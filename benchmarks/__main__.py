"""Run the benchmarks and print one table: ``python -m benchmarks [--quick] [NAME ...]``."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))


def run(names: list[str], quick: bool) -> list[dict]:
    rows = []
    for name in names:
        mod = importlib.import_module(f"benchmarks.{name}")
        t0 = time.perf_counter()
        for row in mod.run(quick=quick):
            rows.append({"module": name, **row})
        print(f"{name}: done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks")
    p.add_argument("names", nargs="*", help="bench modules (default: all)")
    p.add_argument("--quick", action="store_true", help="small sizes, seconds in all")
    p.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = p.parse_args(argv)
    names = [n if n.startswith("bench_") else f"bench_{n}" for n in args.names] or discover()
    rows = run(names, args.quick)
    from rich.console import Console
    from rich.table import Table

    t = Table(title="cei_metrics benchmarks" + (" (quick)" if args.quick else ""))
    for c in ("benchmark", "ours (s)", "anchor", "anchor (s)", "ratio", "peak MB", "note"):
        t.add_column(c)

    def f(v, fmt):
        return "" if v is None else format(v, fmt)

    for r in rows:
        t.add_row(
            r["benchmark"],
            f(r.get("ours_s"), ".3f"),
            r.get("anchor") or "",
            f(r.get("anchor_s"), ".3f"),
            f(r.get("ratio"), ".1f"),
            f(r.get("peak_mb"), ".0f"),
            r.get("note") or "",
        )
    Console().print(t)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
