"""The benchmarks: every module runs in quick mode and returns rows of the results
schema; the shared harness treats both sides alike; the README's speed table is the one
generated from the committed results. Nothing here times anything for its own sake."""

from __future__ import annotations

import csv
import importlib
import itertools
import json
import math
import pkgutil
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
MODULES = sorted(m.name for m in pkgutil.iter_modules([str(BENCH)]) if m.name.startswith("bench_"))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _harness as h  # noqa: E402
from benchmarks import readme  # noqa: E402

ROW_KEYS = set(h.COLUMNS) - {"date", "host"}


# -- every module, quick mode ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_benchmark_quick_mode(name):
    mod = importlib.import_module(f"benchmarks.{name}")
    settings = h.Settings(quick=True, threads=(1,))
    rows = mod.run(quick=True, settings=settings)
    assert rows and all(set(r) == ROW_KEYS for r in rows)
    assert all(r["median_s"] > 0 and r["min_s"] <= r["median_s"] for r in rows)
    assert all(r["warmups"] == h.QUICK_WARMUPS and r["reps"] == h.QUICK_REPS for r in rows)
    assert all(r["threads"] == 1 and r["thread_setting"] == "single" for r in rows)
    anchors = [r for r in rows if r["side"] == "anchor"]
    assert anchors, "every module compares with at least one anchor"
    for r in anchors:
        assert math.isfinite(r["max_abs_diff"]), r  # both sides returned comparable results
        assert r["ratio"] > 0 and r["peak_mb"] is not None


# -- the harness -------------------------------------------------------------------------


class FakeClock:
    """A clock that advances by a set duration per side call."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_both_sides_get_the_same_warmups_and_repetitions_interleaved():
    calls: list[str] = []
    clock = FakeClock()
    durations = {
        "ours": itertools.cycle([1.0, 3.0, 2.0, 5.0, 4.0]),
        "theirs": itertools.cycle([10.0]),
    }

    def side(name):
        def call(threads):
            calls.append(name)
            clock.now += next(durations[name])
            return name

        return h.Side(name, call)

    t = h.time_sides([side("ours"), side("theirs")], threads=None, warmups=2, reps=5, clock=clock)
    # two warm-ups of each, then ours and theirs alternate
    assert calls[:4] == ["ours", "ours", "theirs", "theirs"]
    assert calls[4:] == ["ours", "theirs"] * 5
    assert [x.warmups for x in t] == [2, 2] and [x.reps for x in t] == [5, 5]
    # the warm-ups consumed 1.0 and 3.0 of the ours cycle; timed: 2, 5, 4, 1, 3
    assert t[0].times == [2.0, 5.0, 4.0, 1.0, 3.0]
    assert t[0].median == 3.0 and t[0].minimum == 1.0
    assert t[1].median == 10.0 and t[1].result == "theirs"


def test_compare_rows_ratio_difference_and_thread_settings():
    settings = h.Settings(quick=False, threads=(1, None), memory=False)
    seen = []

    def ours(threads):
        seen.append(("ours", threads))
        return np.array([1.0, 2.0])

    def theirs(threads):
        seen.append(("theirs", threads))
        return np.array([1.0, 2.5])

    rows = h.compare("m", "b", "s", h.Side("cei_metrics", ours), [h.Side("numpy", theirs)],
                     settings=settings, compared="x")  # fmt: skip
    assert [(r["side"], r["thread_setting"]) for r in rows] == [
        ("ours", "single"), ("anchor", "single"), ("ours", "default"), ("anchor", "default")
    ]  # fmt: skip
    assert {r["threads"] for r in rows if r["thread_setting"] == "single"} == {1}
    assert {r["threads"] for r in rows if r["thread_setting"] == "default"} == {h.cpu_count()}
    # each side was called with the thread count in force, as often as the other
    for th in (1, h.cpu_count()):
        assert seen.count(("ours", th)) == seen.count(("theirs", th)) == h.WARMUPS + h.REPS
    for o, a in ((rows[0], rows[1]), (rows[2], rows[3])):
        assert a["ratio"] == pytest.approx(a["median_s"] / o["median_s"])
        assert a["ratio_min"] == pytest.approx(a["min_s"] / o["min_s"])
        assert a["max_abs_diff"] == 0.5 and o["max_abs_diff"] is None and o["ratio"] is None
        assert o["reps"] == a["reps"] == h.REPS and o["warmups"] == a["warmups"] == h.WARMUPS
    assert all(set(r) == ROW_KEYS for r in rows)


def test_thread_limit_limits_blas_and_our_block_threads_then_restores():
    from threadpoolctl import threadpool_info

    import cei_metrics.psychometrics._common as common

    before = common._MAX_WORKERS
    with h.thread_limit(1) as n:
        assert n == 1
        assert common._MAX_WORKERS == 1
        assert all(d["num_threads"] == 1 for d in threadpool_info())
    assert common._MAX_WORKERS == before
    with h.thread_limit(None) as n:
        assert n == h.cpu_count()


def test_max_abs_diff_rules():
    assert h.max_abs_diff([1.0, np.nan], [1.5, np.nan]) == 0.5
    assert h.max_abs_diff([1.0, np.nan], [1.0, 2.0]) == math.inf
    assert h.max_abs_diff([1.0, 2.0], [1.0]) == math.inf
    assert h.max_abs_diff(3, 3) == 0.0


def test_peak_memory_sees_a_large_allocation():
    mb = h.peak_memory_mb(lambda: np.ones(25_000_000).sum())  # 200 MB, touched
    assert 150 < mb < 1000


def test_peak_memory_does_not_count_a_child_process_already_alive():
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    ready = ctx.Event()
    child = ctx.Process(target=_hold_memory, args=(ready,), daemon=True)
    child.start()
    try:
        assert ready.wait(60)
        assert h.peak_memory_mb(lambda: None) < 20
    finally:
        child.terminate()
        child.join()


def _hold_memory(ready) -> None:
    import time

    a = np.ones(20_000_000)  # 160 MB, touched
    ready.set()
    time.sleep(60 + 0 * a[0])


def test_results_csv_columns_and_sidecar(tmp_path):
    from benchmarks.__main__ import write_results

    settings = h.Settings(quick=True, threads=(1,), memory=False)
    rows = h.compare("m", "b", "s", h.Side("cei_metrics", lambda t: 1.0),
                     [h.Side("numpy", lambda t: 1.0)], settings=settings)  # fmt: skip
    for r in rows:
        r.update(date="2000-01-01", host="h")
    out = tmp_path / "2000-01-01-h.csv"
    write_results(rows, {"cpu_model": "x", "load_average_start": [1.0, 1.0, 1.0]}, out)
    with out.open() as fh:
        got = list(csv.DictReader(fh))
    assert list(got[0]) == list(h.COLUMNS)
    assert [g["side"] for g in got] == ["ours", "anchor"] and got[1]["ratio"] != ""
    assert json.loads(out.with_suffix(".json").read_text())["cpu_model"] == "x"


# -- the README table --------------------------------------------------------------------


def test_readme_speed_table_is_generated_from_the_newest_committed_results():
    newest = readme.newest_results()
    rows, meta = readme.read_results(newest)
    assert rows and set(rows[0]) == set(h.COLUMNS)
    for key in ("cpu_model", "load_average_start", "load_average_end", "versions", "python"):
        assert key in meta
    text = (ROOT / "README.md").read_text()
    assert readme.block(text) == readme.render(rows, meta, newest.name), (
        "README speed table is out of date: run python -m benchmarks.readme"
    )


def test_committed_results_follow_the_rules():
    rows, _ = readme.read_results(readme.newest_results())
    assert {int(r["reps"]) for r in rows} >= {h.REPS} and min(int(r["reps"]) for r in rows) >= 5
    assert min(int(r["warmups"]) for r in rows) >= 1
    for r in rows:
        if r["side"] == "anchor":
            mate = [o for o in rows if o["side"] == "ours" and o["benchmark"] == r["benchmark"]
                    and o["size"] == r["size"] and o["thread_setting"] == r["thread_setting"]]  # fmt: skip
            assert len(mate) == 1
            assert float(r["ratio"]) == pytest.approx(
                float(r["median_s"]) / float(mate[0]["median_s"]), rel=1e-4
            )
            assert r["reps"] == mate[0]["reps"] and r["warmups"] == mate[0]["warmups"]
            assert r["max_abs_diff"] != ""


def test_the_newest_of_two_runs_in_one_day_is_the_later_started(tmp_path):
    for name, started in (("2026-12-04-vm.csv", "2026-12-04T09:00:00+00:00"),
                          ("2026-12-04-vm-2335.csv", "2026-12-04T23:35:00+00:00"),
                          ("2026-12-03-vm.csv", "2026-12-03T23:59:00+00:00")):  # fmt: skip
        (tmp_path / name).write_text("benchmark\n")
        (tmp_path / name).with_suffix(".json").write_text(json.dumps({"started": started}))
    assert readme.newest_results(tmp_path).name == "2026-12-04-vm-2335.csv"
