"""Speed and memory of metric testing, side by side with the anchor libraries.

- **alpha vs pingouin**: ``cronbach_alpha(df, nan_policy="pairwise")`` against
  ``pingouin.cronbach_alpha(data=df, nan_policy="pairwise")`` (pandas' pairwise
  covariance) on 1,000,000 respondents x 40 items with 5% of cells missing; the alphas
  are compared.
- **covariance vs numpy.cov**: ``moments(x).cov`` against ``numpy.cov(x, rowvar=False)``
  on the same items with no missing cell (numpy.cov has no pairwise rule); the
  covariance matrices are compared. numpy.cov is one BLAS product, so threads matter:
  both thread settings are reported.
- **reliability** (alpha + omega + item statistics from one pass) on the data with
  missing cells: ours alone (no library computes the three together).
- **CFA vs semopy**: 3 factors x 12 items, 100,000 respondents, maximum likelihood;
  the unstandardized loadings are compared.

``quick=True`` uses 20,000 respondents (5,000 for the CFA).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks._harness import Settings, Side, alone, compare

MODULE = "bench_psychometrics"


def _items(n: int, k: int, missing: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 1)) + rng.standard_normal((n, k))
    x = np.clip(np.round(x + 3), 1, 5)
    if missing:
        x[rng.random((n, k)) < missing] = np.nan
    return x


def bench_reliability(settings: Settings) -> list[dict]:
    import pingouin as pg

    from cei_metrics.psychometrics import cronbach_alpha, moments, reliability

    n, k = (20_000, 40) if settings.quick else (1_000_000, 40)
    x = _items(n, k, 0.05)
    df = pd.DataFrame(x, columns=[f"q{j}" for j in range(k)])
    complete = _items(n, k, 0.0)
    size = f"{n:,} x {k}"
    rows = compare(
        MODULE,
        "Cronbach's alpha, pairwise",
        size + ", 5% missing",
        Side("cei_metrics", lambda th: cronbach_alpha(df, nan_policy="pairwise").alpha,
             "psychometrics.cronbach_alpha(df, nan_policy='pairwise')"),
        [Side("pingouin", lambda th: pg.cronbach_alpha(data=df, nan_policy="pairwise")[0],
              "pingouin.cronbach_alpha(data=df, nan_policy='pairwise')")],
        settings=settings,
        compared="alpha",
    )  # fmt: skip
    rows += compare(
        MODULE,
        "item covariance matrix, complete data",
        size + ", no missing",
        Side("cei_metrics", lambda th: moments(complete, extremes=False).cov,
             "psychometrics.moments(x, extremes=False).cov"),
        [Side("numpy", lambda th: np.cov(complete, rowvar=False),
              "numpy.cov(x, rowvar=False)")],
        settings=settings,
        compared="covariance matrix",
    )  # fmt: skip
    rows += alone(
        MODULE,
        "reliability (alpha + omega + item statistics, one pass)",
        size + ", 5% missing",
        Side("cei_metrics", lambda th: reliability(df),
             "psychometrics.reliability(df)"),
        settings=settings,
        note="ours alone: no library computes the three together",
    )  # fmt: skip
    return rows


def _cfa_data(n: int) -> tuple[pd.DataFrame, str]:
    rng = np.random.default_rng(1)
    phi = np.array([[1, 0.4, 0.3], [0.4, 1, 0.5], [0.3, 0.5, 1]])
    f = rng.multivariate_normal(np.zeros(3), phi, size=n)
    lam = np.zeros((12, 3))
    for j in range(3):
        lam[4 * j : 4 * j + 4, j] = [0.8, 0.7, 0.75, 0.6]
    x = f @ lam.T + rng.normal(size=(n, 12)) * np.sqrt(1 - (lam**2).sum(axis=1))
    cols = [f"i{j}" for j in range(12)]
    model = "\n".join(f"F{j} =~ " + " + ".join(cols[4 * j : 4 * j + 4]) for j in range(3))
    return pd.DataFrame(x, columns=cols), model


def bench_cfa(settings: Settings) -> list[dict]:
    import semopy

    from cei_metrics.psychometrics import cfa

    n = 5_000 if settings.quick else 100_000
    df, model = _cfa_data(n)
    markers = {f"i{4 * j}" for j in range(3)}

    def ours(th: int) -> pd.Series:
        res = cfa(df, model)
        lo = res.loadings.set_index("item")["unstd_estimate"]
        return lo.drop(sorted(markers)).sort_index()

    def theirs(th: int) -> pd.Series:
        m = semopy.Model(model)
        m.fit(df)
        semopy.calc_stats(m)  # the fit indices, as ours reports them
        est = m.inspect()
        lo = est[(est["op"] == "~") & est["rval"].str.startswith("F")]
        return lo.set_index("lval")["Estimate"].drop(sorted(markers)).sort_index()

    return compare(
        MODULE,
        "CFA, maximum likelihood, with fit indices",
        f"3 factors x 12 items, {n:,} respondents",
        Side("cei_metrics", ours, "psychometrics.cfa(df, model)"),
        [Side("semopy", theirs, "semopy.Model(model).fit(df); calc_stats; inspect")],
        settings=settings,
        compared="unstandardized loadings",
        diff=lambda a, b: float(np.max(np.abs(a.to_numpy() - b.reindex(a.index).to_numpy()))),
    )


def run(quick: bool = False, settings: Settings | None = None) -> list[dict]:
    settings = settings or Settings(quick=quick)
    return [*bench_reliability(settings), *bench_cfa(settings)]


if __name__ == "__main__":  # pragma: no cover
    import sys

    for r in run(quick="--quick" in sys.argv):
        print(r)
