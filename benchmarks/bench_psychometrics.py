"""Speed and memory of metric testing, side by side with the anchor libraries.

- reliability: alpha + omega + item statistics on respondents x 40 items with 5% of cells
  missing (pairwise), against ``pingouin.cronbach_alpha`` (pairwise pandas covariance)
  and against ``numpy.cov`` of the complete matrix (the floor for any covariance-based
  statistic); peak memory relative to the input array;
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


def _timed(fn, memory: bool = False):
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


def bench_reliability(quick: bool = False) -> list[dict]:
    from cei_metrics.psychometrics import cronbach_alpha, item_stats, omega

    n, k = (20_000, 40) if quick else (1_000_000, 40)
    x = _items(n, k, 0.05)
    df = pd.DataFrame(x, columns=[f"q{j}" for j in range(k)])
    in_mb = x.nbytes / 2**20
    ours_warm = df.iloc[:1000]
    cronbach_alpha(ours_warm), omega(ours_warm), item_stats(ours_warm)  # imports

    def ours_all():
        cronbach_alpha(df)
        omega(df)
        item_stats(df)

    _, t_alpha, peak_alpha = _timed(lambda: cronbach_alpha(df), memory=True)
    _, t_all, _ = _timed(ours_all)
    complete = np.nan_to_num(x, nan=3.0)
    _, t_cov, _ = _timed(lambda: np.cov(complete, rowvar=False))
    rows = [
        {
            "benchmark": f"alpha pairwise, {n:,} x {k}, 5% missing vs numpy.cov (complete)",
            "ours_s": t_alpha,
            "anchor": "numpy.cov",
            "anchor_s": t_cov,
            "ratio": t_cov / t_alpha,
            "peak_mb": peak_alpha,
            "note": f"input {in_mb:.0f} MB; peak/input = {peak_alpha / in_mb:.2f}",
        },
        {
            "benchmark": f"alpha + omega + item_stats, {n:,} x {k}, 5% missing vs numpy.cov",
            "ours_s": t_all,
            "anchor": "numpy.cov",
            "anchor_s": t_cov,
            "ratio": t_cov / t_all,
            "peak_mb": None,
            "note": "three calls, each builds its own pairwise covariance",
        },
    ]
    try:
        import pingouin as pg
    except ImportError:
        return rows
    _, t_pg, _ = _timed(lambda: pg.cronbach_alpha(data=df, nan_policy="pairwise"))
    ours_a = cronbach_alpha(df).alpha
    pg_a = pg.cronbach_alpha(data=df, nan_policy="pairwise")[0] if quick else np.nan
    rows.append(
        {
            "benchmark": f"alpha pairwise, {n:,} x {k}, 5% missing vs pingouin",
            "ours_s": t_alpha,
            "anchor": "pingouin.cronbach_alpha",
            "anchor_s": t_pg,
            "ratio": t_pg / t_alpha,
            "peak_mb": peak_alpha,
            "note": f"alpha {ours_a:.6f}" + ("" if np.isnan(pg_a) else f" vs pingouin {pg_a:.6f}"),
        }
    )
    rows.append(
        {
            "benchmark": f"alpha + omega + item_stats, {n:,} x {k} vs pingouin alpha alone",
            "ours_s": t_all,
            "anchor": "pingouin.cronbach_alpha",
            "anchor_s": t_pg,
            "ratio": t_pg / t_all,
            "peak_mb": None,
            "note": "",
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
