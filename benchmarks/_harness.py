"""One timing harness for every benchmark: the same rules for cei_metrics and its anchors.

Rules (both sides alike)
------------------------
- **Warm-up**: ``warmups`` untimed calls of each side (imports, caches, first-touch of
  the data) before any timed call.
- **Repetitions**: ``reps`` timed calls of each side, interleaved (ours, anchor, ours,
  anchor, ...) so that a change of load on a shared machine falls on both sides. The
  median and the minimum of the wall times are reported.
- **Threads**: every comparison runs under each thread setting asked for: ``1`` (BLAS
  and OpenMP limited to one thread with threadpoolctl, pyarrow's pool to one CPU, our
  own block threads to one, anchors' worker options to one) and ``None``, the default
  (each library as it comes on this machine; anchors' worker options set to the number
  of CPUs). The thread count in force is a column of every row.
- **Same job**: each side is a callable taking the thread count and running the whole
  job a user would run on the same data with the same options; its return value is
  compared with ours by the benchmark's ``diff`` and the maximum absolute difference is
  a column of the row.
- **Memory**: measured in a separate call after the timings (never while timing): the
  peak resident set of the process (``VmHWM`` after resetting it; plus the resident
  sets of child processes, sampled) above the resident set before the call, in MB.

A benchmark module builds :class:`Side` objects and calls :func:`compare` (or
:func:`alone` for a row of ours without an anchor); both return rows (dicts with the
keys :data:`COLUMNS` minus the run-level ones), which ``python -m benchmarks`` writes to
``benchmarks/results/<date>-<host>.csv``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

#: untimed calls of each side before timing, and timed calls of each side
WARMUPS = 1
REPS = 5
#: the same in ``--quick`` mode (smoke runs: the numbers are not for citing)
QUICK_WARMUPS = 1
QUICK_REPS = 2
#: thread settings of a benchmark where threads matter: one thread, then the default
THREADS: tuple[int | None, ...] = (1, None)

#: columns of the results CSV, in order
COLUMNS = (
    "date",
    "host",
    "module",
    "benchmark",
    "size",
    "side",
    "library",
    "version",
    "call",
    "thread_setting",
    "threads",
    "warmups",
    "reps",
    "median_s",
    "min_s",
    "ratio",
    "ratio_min",
    "peak_mb",
    "max_abs_diff",
    "compared",
    "load_1m",
    "note",
)


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def version_of(library: str) -> str:
    """Installed version of a distribution ('' when absent)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(library)
    except PackageNotFoundError:
        return ""


@dataclass
class Side:
    """One side of a comparison.

    ``call(threads)`` runs the whole job with ``threads`` threads (an int: 1, or the
    number of CPUs under the default setting) and returns what is compared.
    """

    library: str
    call: Callable[[int], Any]
    label: str = ""
    version: str = ""

    def __post_init__(self) -> None:
        if not self.version:
            self.version = version_of(self.library)


@dataclass
class Timing:
    """Wall times of the timed calls of one side under one thread setting."""

    times: list[float]
    warmups: int
    result: Any = field(default=None, repr=False)

    @property
    def reps(self) -> int:
        return len(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def minimum(self) -> float:
        return min(self.times)


# -- threads ---------------------------------------------------------------------------


@contextlib.contextmanager
def thread_limit(threads: int | None) -> Iterator[int]:
    """Run the block with ``threads`` threads (None: the default of each library).

    Limits BLAS and OpenMP pools (threadpoolctl), pyarrow's CPU pool and the block
    threads of ``cei_metrics.psychometrics`` (its one thread option). Yields the thread
    count in force (the number of CPUs under the default).
    """
    if threads is None:
        yield cpu_count()
        return
    from threadpoolctl import threadpool_limits

    import cei_metrics.psychometrics._common as common

    saved_workers = common._MAX_WORKERS
    pa = None
    with contextlib.suppress(ImportError):
        import pyarrow as pa
    saved_pa = pa.cpu_count() if pa is not None else None
    try:
        common._MAX_WORKERS = threads
        if pa is not None:
            pa.set_cpu_count(threads)
        with threadpool_limits(limits=threads):
            yield threads
    finally:
        common._MAX_WORKERS = saved_workers
        if pa is not None:
            pa.set_cpu_count(saved_pa)


def thread_setting(threads: int | None) -> str:
    return "default" if threads is None else "single" if threads == 1 else f"{threads}"


def blas_info() -> list[dict]:
    """threadpoolctl's view of the loaded BLAS / OpenMP libraries."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover
        return []
    keep = ("user_api", "internal_api", "version", "num_threads", "threading_layer")
    return [{k: d.get(k) for k in keep} for d in threadpool_info()]


# -- timing ----------------------------------------------------------------------------


def time_sides(
    sides: Sequence[Side],
    *,
    threads: int | None = None,
    warmups: int = WARMUPS,
    reps: int = REPS,
    clock: Callable[[], float] = time.perf_counter,
) -> list[Timing]:
    """Warm up each side ``warmups`` times, then time ``reps`` interleaved calls of each.

    Every side gets the same number of warm-ups and timed calls, under the same thread
    setting. The result kept is the one of the last timed call.
    """
    if warmups < 1 or reps < 1:
        raise ValueError("at least one warm-up and one timed call per side")
    with thread_limit(threads) as n:
        results: list[Any] = [None] * len(sides)
        for i, s in enumerate(sides):
            for _ in range(warmups):
                results[i] = s.call(n)
        times: list[list[float]] = [[] for _ in sides]
        for _ in range(reps):
            for i, s in enumerate(sides):
                t0 = clock()
                results[i] = s.call(n)
                times[i].append(clock() - t0)
    return [Timing(t, warmups, r) for t, r in zip(times, results)]


# -- memory ----------------------------------------------------------------------------


def _status_kb(field_name: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:  # pragma: no cover - not Linux
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's resident high-water mark of this process (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:  # pragma: no cover
        return False


def _release_free_memory() -> None:
    """Hand freed heap back to the system so that the baseline is what is in use."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    with contextlib.suppress(ImportError, AttributeError):
        import pyarrow as pa

        pa.default_memory_pool().release_unused()


def peak_memory_mb(call: Callable[[], Any], *, interval: float = 0.005) -> float:
    """Peak resident memory (MB) of one call above the resident set before it.

    The process's own peak comes from the kernel (``VmHWM`` after a reset), exact
    whatever allocates (numpy, pandas, pyarrow, C extensions); the resident sets of
    child processes (pysyncon's worker pool) are sampled every ``interval`` seconds
    and added to the process's sampled resident set, both above their sum before the
    call (so that worker pools left alive by earlier calls are not counted). The larger
    of the two increases is returned. Falls back to sampling alone where ``/proc`` is missing.
    """
    import psutil

    _release_free_memory()
    me = psutil.Process()

    def tree_rss() -> int:
        rss = me.memory_info().rss
        for ch in me.children(recursive=True):  # worker pools left by earlier calls count
            with contextlib.suppress(psutil.Error):  # in the baseline, not in the peak
                rss += ch.memory_info().rss
        return rss

    base_tree = tree_rss()
    base = me.memory_info().rss
    exact = _reset_peak()
    peak_tree = base_tree
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not stop.is_set():
            peak_tree = max(peak_tree, tree_rss())
            stop.wait(interval)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        call()
    finally:
        stop.set()
        th.join()
    hwm = _status_kb("VmHWM")
    own = (hwm * 1024 - base) if (exact and hwm is not None) else 0
    return max(own, peak_tree - base_tree, 0) / 2**20


# -- rows ------------------------------------------------------------------------------


def load_1m() -> float | None:
    with contextlib.suppress(OSError, AttributeError):
        return os.getloadavg()[0]
    return None  # pragma: no cover


def max_abs_diff(a: Any, b: Any) -> float:
    """Largest absolute difference of two results of the same shape (NaN where both
    are NaN counts as equal; a NaN on one side only, or a shape mismatch, gives inf)."""
    import numpy as np

    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.shape != y.shape:
        return float("inf")
    both = np.isnan(x) & np.isnan(y)
    one = np.isnan(x) ^ np.isnan(y)
    if one.any():
        return float("inf")
    d = np.abs(np.where(both, 0.0, x - y))
    return float(d.max()) if d.size else 0.0


@dataclass
class Settings:
    """Run-wide settings: quick mode and its repetitions, thread settings."""

    quick: bool = False
    threads: tuple[int | None, ...] = THREADS
    memory: bool = True

    @property
    def warmups(self) -> int:
        return QUICK_WARMUPS if self.quick else WARMUPS

    @property
    def reps(self) -> int:
        return QUICK_REPS if self.quick else REPS


def compare(
    module: str,
    benchmark: str,
    size: str,
    ours: Side,
    anchors: Sequence[Side],
    *,
    settings: Settings,
    diff: Callable[[Any, Any], float] = max_abs_diff,
    compared: str = "",
    threads: Sequence[int | None] | None = None,
    note: str = "",
    anchor_notes: dict[str, str] | None = None,
) -> list[dict]:
    """Time ``ours`` beside the anchors under each thread setting; one row per side.

    All sides are timed in one interleaved pass (same warm-ups, same repetitions, same
    load). Anchor rows carry ``ratio`` (anchor median / our median) and ``ratio_min``
    (anchor minimum / our minimum) at the same thread setting, and the maximum absolute
    difference of the anchor's result from ours.
    """
    rows: list[dict] = []
    for th in settings.threads if threads is None else threads:
        load = load_1m()
        sides = [ours, *anchors]
        t = time_sides(sides, threads=th, warmups=settings.warmups, reps=settings.reps)
        mem: list[float | None] = [None] * len(sides)
        if settings.memory:
            with thread_limit(th) as n:
                mem = [peak_memory_mb(lambda s=s, n=n: s.call(n)) for s in sides]
        rows.append(_row(module, benchmark, size, "ours", ours, th, t[0], load, mem[0], note=note))
        for anchor, ta, m in zip(anchors, t[1:], mem[1:]):
            rows.append(
                _row(
                    module,
                    benchmark,
                    size,
                    "anchor",
                    anchor,
                    th,
                    ta,
                    load,
                    m,
                    ratio=ta.median / t[0].median,
                    ratio_min=ta.minimum / t[0].minimum,
                    diff=diff(t[0].result, ta.result),
                    compared=compared,
                    note=(anchor_notes or {}).get(anchor.library, ""),
                )
            )
    return rows


def alone(
    module: str,
    benchmark: str,
    size: str,
    ours: Side,
    *,
    settings: Settings,
    threads: Sequence[int | None] | None = None,
    note: str = "",
) -> list[dict]:
    """Rows of ours without an anchor (a size no anchor finishes, or no anchor exists):
    the same warm-up, repetitions and memory rule, and no ratio."""
    return compare(module, benchmark, size, ours, [], settings=settings, threads=threads,
                   note=note or "ours alone: no ratio")  # fmt: skip


def _row(
    module: str,
    benchmark: str,
    size: str,
    side: str,
    s: Side,
    threads: int | None,
    t: Timing,
    load: float | None,
    mem: float | None,
    *,
    ratio: float | None = None,
    ratio_min: float | None = None,
    diff: float | None = None,
    compared: str = "",
    note: str = "",
) -> dict:
    return {
        "module": module,
        "benchmark": benchmark,
        "size": size,
        "side": side,
        "library": s.library,
        "version": s.version,
        "call": s.label,
        "thread_setting": thread_setting(threads),
        "threads": cpu_count() if threads is None else threads,
        "warmups": t.warmups,
        "reps": t.reps,
        "median_s": t.median,
        "min_s": t.minimum,
        "ratio": ratio,
        "ratio_min": ratio_min,
        "peak_mb": mem,
        "max_abs_diff": diff,
        "compared": compared,
        "load_1m": load,
        "note": note,
    }
