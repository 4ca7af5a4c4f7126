"""att_gt on a school-level panel: 10,000 units x 12 years, 3 cohorts, one covariate,
doubly robust, never-treated comparison, varying base period, 999 multiplier-bootstrap
draws.

Anchors, same data and options, bootstrap on: ``moderndid``, ``csdid`` and
``differences``. Each side runs the whole estimation (group-time ATTs with bootstrap
standard errors); the ATT(g, t) point estimates are compared. Threads: one thread,
then the default; ``moderndid`` gets ``n_jobs`` equal to the thread count (``differences``
keeps ``n_jobs=1``: its parallel bootstrap fails in 0.3.0), ``csdid`` ``pl``/``cores`` (cei_metrics has no such option: it uses BLAS's
threads). Uniform (sup-t) bands on every side that computes them (csdid ``cband=True``).
``quick=True`` uses 1,000 units and 99 draws and only ``moderndid``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from benchmarks._harness import Settings, Side, compare

MODULE = "bench_att_gt"


def make_panel(n_units: int = 10_000, n_years: int = 12, seed: int = 1) -> pd.DataFrame:
    """Staggered panel: cohorts in years 5, 7, 9 (plus never treated), one covariate."""
    rng = np.random.default_rng(seed)
    years = np.arange(2010, 2010 + n_years)
    cohort = rng.choice([0, 2014, 2016, 2018], size=n_units, p=[0.4, 0.2, 0.2, 0.2])
    x = rng.normal(size=n_units) + 0.3 * (cohort > 0)
    unit_fe = rng.normal(size=n_units)
    t = np.tile(years, n_units)
    g = np.repeat(cohort, n_years)
    xr = np.repeat(x, n_years)
    e = np.where((g > 0) & (t >= g), t - g, -1)
    y = (
        np.repeat(unit_fe, n_years)
        + 0.1 * (t - 2010)
        + 0.2 * xr * (t - 2010) / n_years
        + np.where(e >= 0, 0.5 + 0.1 * e, 0.0)
        + rng.normal(0, 0.5, size=t.size)
    )
    return pd.DataFrame(
        {"unit": np.repeat(np.arange(n_units), n_years), "year": t, "g": g, "x": xr, "y": y}
    )


def _ours(df: pd.DataFrame, n_boot: int) -> np.ndarray:
    from cei_metrics.impact import att_gt

    r = att_gt(df, "y", "unit", "year", "g", covariates=["x"], method="dr", control="never",
               base_period="varying", n_boot=n_boot, seed=1)  # fmt: skip
    return r.table["estimate"].to_numpy()


def _moderndid(df: pd.DataFrame, n_boot: int, threads: int) -> np.ndarray:
    import moderndid as md

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = md.att_gt(
            df, yname="y", tname="year", idname="unit", gname="g", xformla="~x",
            est_method="dr", control_group="nevertreated", base_period="varying",
            boot=True, biters=n_boot, random_state=1, n_jobs=threads,
        )  # fmt: skip
    return np.asarray(r.att_gt)


def _csdid(df: pd.DataFrame, n_boot: int, threads: int) -> np.ndarray:
    from csdid.att_gt import ATTgt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = ATTgt(yname="y", gname="g", idname="unit", tname="year", xformla="y~x", data=df,
                  control_group="nevertreated", biters=n_boot, cband=True,
                  pl=threads > 1, cores=threads).fit(
            est_method="dr", base_period="varying", bstrap=True)  # fmt: skip
    return np.asarray(r.results["att"])


def _differences(df: pd.DataFrame, n_boot: int, threads: int) -> np.ndarray:
    """``n_jobs`` stays 1: differences 0.3.0's parallel bootstrap (``n_jobs > 1``) fails
    (its tqdm call gets an array for ``disable``); BLAS threads follow the setting."""
    from differences import ATTgt

    d = df.assign(g=df["g"].where(df["g"] > 0)).set_index(["unit", "year"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = ATTgt(data=d, cohort_column="g", base_period="varying")
        r = m.fit(formula="y ~ x", est_method="dr", control_group="never_treated",
                  boot_iterations=n_boot, random_state=1, n_jobs=1,
                  progress_bar=False)  # fmt: skip
    r = r.to_pandas() if hasattr(r, "to_pandas") else r
    return np.asarray(r.iloc[:, 0], dtype=float)  # rows: cohort, base period, time


def run(quick: bool = False, settings: Settings | None = None) -> list[dict]:
    settings = settings or Settings(quick=quick)
    n_units, n_boot = (1_000, 99) if settings.quick else (10_000, 999)
    df = make_panel(n_units)
    ours = Side("cei_metrics", lambda th: _ours(df, n_boot),
                "impact.att_gt(method='dr', control='never', base_period='varying')")  # fmt: skip
    anchors = [
        Side("moderndid", lambda th: _moderndid(df, n_boot, th),
             "att_gt(est_method='dr', control_group='nevertreated', n_jobs=threads)"),
        Side("csdid", lambda th: _csdid(df, n_boot, th),
             "ATTgt(control_group='nevertreated', cband=True, pl=threads > 1, cores=threads)"
             ".fit(est_method='dr', bstrap=True)"),
        Side("differences", lambda th: _differences(df, n_boot, th),
             "ATTgt(base_period='varying').fit(est_method='dr', n_jobs=1)"),
    ]  # fmt: skip
    if settings.quick:
        anchors = anchors[:1]
    return compare(
        MODULE,
        "att_gt, doubly robust, never treated, bootstrap",
        f"{n_units:,} units x 12 years, 1 covariate, {n_boot} draws",
        ours,
        anchors,
        settings=settings,
        compared="ATT(g,t) point estimates",
    )


if __name__ == "__main__":  # pragma: no cover
    import sys

    for r in run(quick="--quick" in sys.argv):
        print(r)
