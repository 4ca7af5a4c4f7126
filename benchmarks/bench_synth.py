"""Synthetic control with in-space placebos, and the wild cluster bootstrap.

**Synthetic control vs pysyncon**: the whole job a user runs for inference, the
treated unit's fit plus the in-space placebo for every donor (each donor treated in
turn, the other donors as its pool, the treated unit left out), at 10 donors x 10
pre-periods x 5 post-periods, 2 predictors averaged over the pre-period plus the
outcome in 3 pre-periods. Ours: ``synthetic_control(..., placebos=True, n_starts=0)``
(Nelder-Mead over V from two starts, equal and regression-based; exact NNLS inner
problem; our Nelder-Mead stops at ``maxiter = 400 K``, ``xatol = 1e-6``,
``fatol = 1e-8``). pysyncon: ``PlaceboTest().fit(dataprep, Synth(), ...)`` and nothing
else (it fits the treated unit too), Nelder-Mead from equal V with its own defaults
(``maxiter = 1000``, scipy's tolerances: looser than ours, so fewer iterations; with our
tolerances a placebo loop at 5 donors ran for minutes), SLSQP inner problem; its
worker processes (``max_workers``) equal the thread count. The gaps (treated minus
synthetic) of every unit in every period are compared: two optimisers of a non-convex
outer problem need not land on the same V, so the difference is reported, not required
to be zero (at 10 donors ours had the lower pre-period RMSPE in 8 of 11 units; the
largest gap differences are in units where pysyncon stopped at a worse V).

The size is 10 donors, not 20: on a shared 2-core machine (load average about 10) one
pysyncon placebo loop at 10 donors x 10 pre-periods takes 20-40 s, and the harness runs
it 7 times per thread setting; at 20 donors a single pysyncon fit (with our
tolerances) had not finished after 4 minutes.

Larger rows of ours alone (no ratio): 50 donors x 20 pre-periods; the wild cluster
bootstrap (no anchor in the bench extra).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks._harness import Settings, Side, alone, compare

MODULE = "bench_synth"
POST = 5


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


def _special(t_pre: int) -> list[tuple[str, list[int], str]]:
    return [("y", [0], "mean"), ("y", [t_pre // 2], "mean"), ("y", [t_pre - 1], "mean")]


def _ours(df: pd.DataFrame, t_pre: int) -> pd.DataFrame:
    """Gaps of the treated unit and every placebo: time x unit."""
    from cei_metrics.impact import synthetic_control

    r = synthetic_control(df, "y", "unit", "time", treated_units="u000", start=t_pre, predictors=["x1", "x2"],
                          special_predictors=_special(t_pre), n_starts=0, seed=1)  # fmt: skip
    g = r.placebos.pivot(index="time", columns="unit", values="gap")
    g["u000"] = r.gap.to_numpy()
    return g.sort_index(axis=1)


def _pysyncon(df: pd.DataFrame, t_pre: int, threads: int) -> pd.DataFrame:
    import contextlib
    import io

    from pysyncon import Dataprep, Synth
    from pysyncon.utils import PlaceboTest

    units = sorted(df["unit"].unique())
    dp = Dataprep(
        foo=df,
        predictors=["x1", "x2"],
        predictors_op="mean",
        time_predictors_prior=range(t_pre),
        special_predictors=_special(t_pre),
        dependent="y",
        unit_variable="unit",
        time_variable="time",
        treatment_identifier="u000",
        controls_identifier=[u for u in units if u != "u000"],
        time_optimize_ssr=range(t_pre),
    )
    opts = {"optim_method": "Nelder-Mead", "optim_initial": "equal"}  # its defaults
    pt = PlaceboTest()
    with contextlib.redirect_stdout(io.StringIO()):  # it prints "Done." whatever verbose
        pt.fit(dp, Synth(), scm_options=opts, max_workers=threads, verbose=False)
    g = pt.gaps.copy()
    g["u000"] = pt.treated_gap
    g = g.groupby(level=0).first() if g.index.has_duplicates else g
    g.index.name = "time"
    return g.sort_index().sort_index(axis=1)


def _gap_diff(a: pd.DataFrame, b: pd.DataFrame) -> float:
    if set(a.columns) != set(b.columns):
        return float("inf")
    b = b.reindex(index=a.index, columns=a.columns)
    return float(np.nanmax(np.abs(a.to_numpy(float) - b.to_numpy(float))))


def bench_synth(settings: Settings) -> list[dict]:
    n_donors, t_pre = (3, 4) if settings.quick else (10, 10)
    df = _panel(n_donors, t_pre, POST)
    rows = compare(
        MODULE,
        "synthetic_control, treated fit + every in-space placebo",
        f"{n_donors} donors x {t_pre} pre-periods x {POST} post, 5 predictors",
        Side("cei_metrics", lambda th: _ours(df, t_pre),
             "impact.synthetic_control(..., placebos=True, n_starts=0)"),
        [Side("pysyncon", lambda th: _pysyncon(df, t_pre, th),
              "PlaceboTest().fit(dataprep, Synth(), max_workers=threads)")],
        settings=settings,
        compared="gaps of every unit and period",
        diff=_gap_diff,
    )  # fmt: skip
    if not settings.quick:
        big_donors, big_pre = 50, 20
        big = _panel(big_donors, big_pre, POST)
        rows += alone(
            MODULE,
            "synthetic_control, treated fit + every in-space placebo",
            f"{big_donors} donors x {big_pre} pre-periods x {POST} post, 5 predictors",
            Side("cei_metrics", lambda th: _ours(big, big_pre),
                 "impact.synthetic_control(..., placebos=True, n_starts=0)"),
            settings=settings,
            threads=(settings.threads[-1],),
            note="ours alone at a size the anchor's placebo loop does not finish in "
            "minutes: no ratio",
        )  # fmt: skip
    return rows


def bench_wild_bootstrap(settings: Settings) -> list[dict]:
    from cei_metrics.impact.inference import wild_cluster_bootstrap

    G, n, B = (20, 20, 999) if settings.quick else (50, 40, 9999)
    rng = np.random.default_rng(0)
    cl = np.repeat(np.arange(G), n)
    x = rng.normal(size=G * n) + rng.normal(size=G)[cl]
    y = 0.1 * x + rng.normal(size=G * n) + rng.normal(size=G)[cl]
    df = pd.DataFrame({"y": y, "x": x, "cl": cl})
    return alone(
        MODULE,
        "wild_cluster_bootstrap, p-value and test-inversion CI",
        f"{G} clusters x {n}, {B} Rademacher draws",
        Side("cei_metrics", lambda th: wild_cluster_bootstrap(df, "y", "x", "cl", n_boot=B,
                                                              seed=1),
             "impact.inference.wild_cluster_bootstrap"),
        settings=settings,
        note="ours alone: no wild bootstrap library in the bench extra",
    )  # fmt: skip


def run(quick: bool = False, settings: Settings | None = None) -> list[dict]:
    settings = settings or Settings(quick=quick)
    return [*bench_synth(settings), *bench_wild_bootstrap(settings)]


if __name__ == "__main__":  # pragma: no cover
    import sys

    for row in run(quick="--quick" in sys.argv):
        print(row)
