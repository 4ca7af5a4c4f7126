"""Every benchmark module runs in quick mode and returns rows of the agreed shape.
This checks that the benchmarks work; it does not time anything."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
MODULES = sorted(m.name for m in pkgutil.iter_modules([str(BENCH)]) if m.name.startswith("bench_"))
KEYS = {"benchmark", "ours_s", "anchor", "anchor_s", "ratio", "peak_mb", "note"}


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_benchmark_quick_mode(name, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH.parent))
    mod = importlib.import_module(f"benchmarks.{name}")
    try:
        rows = mod.run(quick=True)
    except ImportError as err:  # an anchor library from the bench extra is absent
        pytest.skip(f"benchmark anchor not installed ({err}); install with .[bench]")
    assert rows and all(KEYS <= set(r) for r in rows)
    assert all(r["ours_s"] > 0 for r in rows)
