"""Speed of synthetic control with in-space placebos and of the wild cluster bootstrap.

Anchors: ``pysyncon`` (Synth with SLSQP inner / Nelder-Mead outer, placebos via its
PlaceboTest run serially here) and ``wildboottest`` when installed.
"""

from __future__ import annotations

import importlib.util
import multiprocessing as mp
import queue
import time
import tracemalloc

import numpy as np
import pandas as pd


def _panel(n_donors: int, t_pre: int, t_post: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_donors + 1
    t = t_pre + t_post
    f = np.cumsum(rng.normal(0, 1, (2, t)), axis=1)
    load = rng.uniform(0.5, 1.5, (n, 2))
    y = 50 + load @ f + rng.normal(0, 0.5, (n, t))
    x1 = load[:, 0] * 10 + rng.normal(0, 0.2, n)
    x2 = load[:, 1] * 5 + rng.normal(0, 0.2, n)
    units = [f"u{i:03d}" for i in range(n)]
    return pd.DataFrame(
        {
            "unit": np.repeat(units, t),
            "time": np.tile(np.arange(t), n),
            "y": y.ravel(),
            "x1": np.repeat(x1, t),
            "x2": np.repeat(x2, t),
        }
    )


def _timed(fn, memory: bool = False):
    """(result, seconds, peak MB or None); tracemalloc slows Python-level loops, so the
    peak is measured only when asked."""
    if memory:
        tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    peak = None
    if memory:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return out, dt, peak


ANCHOR_TIMEOUT_S = 300.0


def _pysyncon_fit(df: pd.DataFrame, special: list, t_pre: int, treated, q) -> None:
    """pysyncon Synth fits of each unit in ``treated`` (one name or a list) against the
    other donors; puts the mean seconds per fit."""
    if not isinstance(treated, str):
        times = []
        for tr in treated:
            _pysyncon_fit(df, special, t_pre, tr, q)
            times.append(q.get())
        q.put(sum(times) / len(times))
        return
    from pysyncon import Dataprep, Synth

    units = sorted(df.unit.unique())
    dp = Dataprep(
        foo=df,
        predictors=["x1", "x2"],
        predictors_op="mean",
        time_predictors_prior=range(t_pre),
        special_predictors=[(c, p, o) for c, p, o in special],
        dependent="y",
        unit_variable="unit",
        time_variable="time",
        treatment_identifier=treated,
        controls_identifier=[u for u in units if u not in (treated, "u000")],
        time_optimize_ssr=range(t_pre),
    )
    t0 = time.perf_counter()
    Synth().fit(dp)
    q.put(time.perf_counter() - t0)


def bench_synth_placebos(quick: bool = False, n_donors: int = 100, n_anchor_fits: int = 1) -> dict:
    """Our full placebo run against pysyncon's time per fit x (donors + 1), the fits
    timed on the first ``n_anchor_fits`` placebo units."""
    from cei_metrics.impact.synth import synthetic_control

    n_donors, t_pre = (8, 8) if quick else (n_donors, 20)
    df = _panel(n_donors, t_pre, 5)
    t_pre_last = t_pre - 1
    special = [("y", [0], "mean"), ("y", [t_pre // 2], "mean"), ("y", [t_pre_last], "mean")]
    kw = dict(predictors=["x1", "x2"], special_predictors=special, n_starts=2, seed=1)
    _, ours, peak = _timed(lambda: synthetic_control(df, "unit", "time", "y", "u000", t_pre, **kw))
    anchor_s = None
    ratio_note = ""
    note = f"{n_donors} donors x {t_pre} pre-periods, 5 predictors, all placebos"
    if not quick and importlib.util.find_spec("pysyncon") is not None:
        # pysyncon fits of the first placebo units, in a child process with a time
        # limit: a fit with 100 donors can take many minutes; the whole placebo run is
        # the time per fit x (donors + 1)
        ctx = mp.get_context("fork")
        q = ctx.Queue()
        first = [f"u{i:03d}" for i in range(1, 1 + n_anchor_fits)]
        proc = ctx.Process(target=_pysyncon_fit, args=(df, special, t_pre, first, q))
        t0 = time.perf_counter()
        proc.start()
        proc.join(ANCHOR_TIMEOUT_S)
        per_fit = time.perf_counter() - t0
        if proc.is_alive():
            proc.terminate()
            proc.join()
            ratio_note = (
                f"; pysyncon unfinished after {ANCHOR_TIMEOUT_S:.0f} s: ratio is a lower bound"
            )
            per_fit = per_fit / n_anchor_fits
        else:
            try:
                per_fit = q.get(timeout=5)
            except queue.Empty:
                pass
        anchor_s = per_fit * (n_donors + 1)
        note += f"; pysyncon time = mean of {n_anchor_fits} fit(s) x {n_donors + 1}" + ratio_note
    return {
        "benchmark": f"synthetic_control_placebos ({n_donors} donors)",
        "ours_s": ours,
        "anchor": "pysyncon" if anchor_s else "",
        "anchor_s": anchor_s,
        "ratio": anchor_s / ours if anchor_s else None,
        "peak_mb": peak,
        "note": note,
    }


def bench_wild_bootstrap(quick: bool = False) -> dict:
    from cei_metrics.impact.inference import wild_cluster_bootstrap

    G, n, B = (20, 20, 999) if quick else (50, 40, 9999)
    rng = np.random.default_rng(0)
    cl = np.repeat(np.arange(G), n)
    x = rng.normal(size=G * n) + rng.normal(size=G)[cl]
    y = 0.1 * x + rng.normal(size=G * n) + rng.normal(size=G)[cl]
    df = pd.DataFrame({"y": y, "x": x, "cl": cl})
    wild_cluster_bootstrap(df, "y", "x", "cl", n_boot=199, seed=1)  # warm imports
    _, ours, peak = _timed(
        lambda: wild_cluster_bootstrap(df, "y", "x", "cl", n_boot=B, seed=1), memory=True
    )
    anchor_s = None
    try:
        import statsmodels.formula.api as smf
        from wildboottest.wildboottest import wildboottest

        m = smf.ols("y ~ x", data=df)
        wildboottest(m, param="x", cluster=df.cl, B=199, seed=1)
        t0 = time.perf_counter()
        wildboottest(m, param="x", cluster=df.cl, B=B, seed=1)
        anchor_s = time.perf_counter() - t0
    except ImportError:
        pass
    return {
        "benchmark": "wild_cluster_bootstrap",
        "ours_s": ours,
        "anchor": "wildboottest" if anchor_s else "",
        "anchor_s": anchor_s,
        "ratio": anchor_s / ours if anchor_s else None,
        "peak_mb": peak,
        "note": f"{G} clusters x {n}, {B} Rademacher draws, p-value and test-inversion CI",
    }


def run(quick: bool = False) -> list[dict]:
    rows = [bench_synth_placebos(quick)]
    if not quick:  # a size where pysyncon finishes, for a measured ratio
        rows.append(bench_synth_placebos(n_donors=30, n_anchor_fits=5))
    return [*rows, bench_wild_bootstrap(quick)]


if __name__ == "__main__":  # pragma: no cover
    import sys

    for row in run(quick="--quick" in sys.argv):
        print(row)
