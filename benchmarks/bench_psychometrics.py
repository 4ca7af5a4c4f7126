"""Speed and memory of metric testing, side by side with the anchor libraries.

- reliability: alpha + omega + item statistics (``reliability``, one pass over the data)
  on respondents x 40 items with 5% of cells missing (pairwise), from the DataFrame,
  against ``pingouin.cronbach_alpha`` (pairwise pandas covariance) and against
  ``numpy.cov`` of the complete matrix (the floor for any covariance-based statistic);
  peak memory (tracemalloc) relative to the input array. Targets: 5x faster than
  pingouin, within 2x of numpy.cov, peak under 3x the input;
- CFA: a 3-factor, 12-item model on many respondents, against ``semopy``.

``python -m benchmarks`` runs every benchmark module; ``run(quick=True)`` finishes in a
few seconds.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pandas as pd


def _items(n: int, k: int, missing: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 1)) + rng.standard_normal((n, k))
    x = np.clip(np.round(x + 3), 1, 5)
    if missing:
        x[rng.random((n, k)) < missing] = np.nan
    return x


def _timed(fn, memory: bool = False, repeat: int = 1):
    """Best wall time of ``repeat`` runs; with ``memory``, the tracemalloc peak (MB) of
    one more run (tracing slows allocation, so it is never timed)."""
    out, best = None, np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    peak = None
    if memory:
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return out, best, peak


def bench_reliability(quick: bool = False) -> list[dict]:
    """Alpha + omega + item statistics from the DataFrame a user has.

    ``reliability(df)`` reads the data once (one blocked pass: pairwise covariances,
    item means and variances, floor and ceiling counts) and derives the three statistics
    from it; the three separate calls are timed too. Anchors: pingouin's pairwise alpha
    (pandas pairwise covariance) and ``numpy.cov`` of the complete matrix, the floor for
    any covariance-based statistic. Peak memory is tracemalloc's, relative to the input
    array.
    """
    from cei_metrics.psychometrics import cronbach_alpha, item_stats, omega, reliability

    n, k = (20_000, 40) if quick else (1_000_000, 40)
    rep = 3 if quick else 2
    x = _items(n, k, 0.05)
    df = pd.DataFrame(x, columns=[f"q{j}" for j in range(k)])
    in_mb = x.nbytes / 2**20
    reliability(df.iloc[:1000])  # imports
    cronbach_alpha(df.iloc[:1000]), omega(df.iloc[:1000]), item_stats(df.iloc[:1000])

    res, t_all, peak = _timed(lambda: reliability(df), memory=True, repeat=rep)

    def three_calls():
        return cronbach_alpha(df), omega(df), item_stats(df)

    _, t_three, _ = _timed(three_calls, repeat=rep)
    complete = np.nan_to_num(x, nan=3.0)
    _, t_cov, _ = _timed(lambda: np.cov(complete, rowvar=False), repeat=rep)
    try:  # OpenBLAS's own threads can stall on a busy machine: take numpy.cov's best
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            _, t_cov1, _ = _timed(lambda: np.cov(complete, rowvar=False), repeat=rep)
        t_cov = min(t_cov, t_cov1)
    except ImportError:  # pragma: no cover
        pass
    what = f"{n:,} x {k}, 5% missing, pairwise"
    rows = [
        {
            "benchmark": f"reliability (alpha + omega + item stats), {what}, vs numpy.cov",
            "ours_s": t_all,
            "anchor": "numpy.cov (complete matrix, best of default and one BLAS thread)",
            "anchor_s": t_cov,
            "ratio": t_cov / t_all,
            "peak_mb": peak,
            "note": f"input {in_mb:.0f} MB; peak/input = {peak / in_mb:.2f}; "
            f"slower than numpy.cov by {t_all / t_cov:.2f}x",
        },
        {
            "benchmark": f"cronbach_alpha + omega + item_stats as three calls, {what}",
            "ours_s": t_three,
            "anchor": "numpy.cov (complete matrix)",
            "anchor_s": t_cov,
            "ratio": t_cov / t_three,
            "peak_mb": None,
            "note": "each call reads the data again",
        },
    ]
    try:
        import pingouin as pg
    except ImportError:
        return rows
    pg_out, t_pg, _ = _timed(
        lambda: pg.cronbach_alpha(data=df, nan_policy="pairwise"), repeat=1 if not quick else rep
    )
    rows.append(
        {
            "benchmark": f"reliability (alpha + omega + item stats), {what}, vs pingouin",
            "ours_s": t_all,
            "anchor": "pingouin.cronbach_alpha (alpha only)",
            "anchor_s": t_pg,
            "ratio": t_pg / t_all,
            "peak_mb": peak,
            "note": f"alpha {res.alpha.alpha:.10f} vs pingouin {pg_out[0]:.10f}",
        }
    )
    return rows


def bench_cfa(quick: bool = False) -> list[dict]:
    from cei_metrics.psychometrics import cfa

    n = 5_000 if quick else 100_000
    rng = np.random.default_rng(1)
    phi = np.array([[1, 0.4, 0.3], [0.4, 1, 0.5], [0.3, 0.5, 1]])
    f = rng.multivariate_normal(np.zeros(3), phi, size=n)
    lam = np.zeros((12, 3))
    for j in range(3):
        lam[4 * j : 4 * j + 4, j] = [0.8, 0.7, 0.75, 0.6]
    x = f @ lam.T + rng.normal(size=(n, 12)) * np.sqrt(1 - (lam**2).sum(axis=1))
    cols = [f"i{j}" for j in range(12)]
    df = pd.DataFrame(x, columns=cols)
    model = "\n".join(f"F{j} =~ " + " + ".join(cols[4 * j : 4 * j + 4]) for j in range(3))
    res, t_ours, peak = _timed(lambda: cfa(df, model), memory=False)
    row = {
        "benchmark": f"CFA 3 factors x 12 items, {n:,} respondents",
        "ours_s": t_ours,
        "anchor": "",
        "anchor_s": None,
        "ratio": None,
        "peak_mb": peak,
        "note": f"chi2 {res.chi2:.3f}, CFI {res.cfi:.4f}; includes SEs and fit indices",
    }
    try:
        import semopy
    except ImportError:
        return [row]

    def sem():
        m = semopy.Model(model)
        m.fit(df)
        return semopy.calc_stats(m)

    stats, t_sem, _ = _timed(sem)
    row.update(
        anchor="semopy",
        anchor_s=t_sem,
        ratio=t_sem / t_ours,
        note=row["note"] + f"; semopy chi2 {float(stats['chi2'].iloc[0]):.3f}",
    )
    return [row]


def run(quick: bool = False) -> list[dict]:
    return [*bench_reliability(quick), *bench_cfa(quick)]


if __name__ == "__main__":  # pragma: no cover
    for r in run(quick=False):
        print(r)
