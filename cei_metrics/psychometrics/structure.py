"""Exploratory structure: parallel analysis for the number of factors, and EFA."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._results import ResultMixin
from ..errors import CEIError, EstimationError
from ._common import NanPolicy, as_items, check_nan_policy, cov_to_cor, moments

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["EFAResult", "ParallelResult", "efa", "parallel_analysis"]


def _smc_reduced(r: np.ndarray) -> np.ndarray:
    """Correlation matrix with squared multiple correlations on the diagonal."""
    rr = r.copy()
    inv = np.linalg.inv(r)
    smc = 1.0 - 1.0 / np.diagonal(inv, axis1=-2, axis2=-1)
    idx = np.arange(r.shape[-1])
    rr[..., idx, idx] = smc
    return rr


@dataclass(frozen=True)
class ParallelResult(ResultMixin):
    """Observed and simulated eigenvalues and the number of factors they suggest."""

    n_factors: int
    n_components: int
    table: pd.DataFrame  # index, observed_pc, simulated_pc, observed_fa, simulated_fa
    n_iter: int
    n: int
    quantile: float | None
    seed: int | None

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        q = "mean" if self.quantile is None else f"{self.quantile:.0%} quantile"
        return (
            f"Parallel analysis suggests {self.n_factors} factor(s) and "
            f"{self.n_components} component(s)\n"
            f"{self.n_iter} simulated normal data sets of {self.n} x {len(self.table)} "
            f"(compared with their {q}); seed={self.seed}"
        )


def parallel_analysis(
    items: pd.DataFrame,
    *,
    n_iter: int = 100,
    seed: int | None = None,
    quantile: float | None = None,
    nan_policy: NanPolicy = "pairwise",
) -> ParallelResult:
    r"""Horn's (1965) parallel analysis, as R ``psych::fa.parallel``.

    Observed eigenvalues of the correlation matrix (components) and of the reduced
    correlation matrix with squared multiple correlations on the diagonal (factors) are
    compared with those of ``n_iter`` correlation matrices of uncorrelated normal data of
    the same size. The suggested number is the count of leading observed eigenvalues that
    exceed the simulated ones (their mean, or ``quantile``). The simulated matrices are
    drawn directly from the Wishart distribution of a normal sample's cross-product matrix
    (Bartlett decomposition), so the cost does not grow with the number of respondents.

    Parameters
    ----------
    items : wide respondents x items frame.
    n_iter : simulated data sets.
    seed : seed of the random generator (results are reproducible bit for bit).
    quantile : compare with this quantile of the simulated eigenvalues (e.g. 0.95)
        instead of their mean.
    nan_policy : rule for the observed correlations; with "pairwise" the simulated
        data sets have the smallest pairwise count as their size.

    References
    ----------
    Horn (1965), Psychometrika 30:179-185. Revelle, psych ``fa.parallel``.

    Examples
    --------
    >>> parallel_analysis(items, seed=2019).n_factors
    """
    import pandas as pd

    check_nan_policy(nan_policy)
    if int(n_iter) < 1:
        raise CEIError(f"n_iter={n_iter!r} must be at least 1", fix="use e.g. n_iter=100")
    x, _ = as_items(items, min_items=3)
    m = moments(x, nan_policy=nan_policy)
    r = cov_to_cor(m.cov)
    k = r.shape[0]
    n = int(m.n_pair.min())
    obs_pc = np.linalg.eigvalsh(r)[::-1]
    obs_fa = np.linalg.eigvalsh(_smc_reduced(r))[::-1]
    rng = np.random.default_rng(seed)
    # Bartlett decomposition of Wishart(n - 1, I): A lower-triangular with
    # sqrt(chi2(n - 1 - i)) on the diagonal and N(0, 1) below it; W = A A'.
    a = np.zeros((n_iter, k, k))
    il = np.tril_indices(k, -1)
    a[:, il[0], il[1]] = rng.standard_normal((n_iter, len(il[0])))
    dfs = (n - 1) - np.arange(k)
    a[:, np.arange(k), np.arange(k)] = np.sqrt(rng.chisquare(dfs, size=(n_iter, k)))
    w = a @ np.swapaxes(a, 1, 2)
    d = np.sqrt(np.diagonal(w, axis1=1, axis2=2))
    sim_r = w / (d[:, :, None] * d[:, None, :])
    sim_pc = np.linalg.eigvalsh(sim_r)[:, ::-1]
    sim_fa = np.linalg.eigvalsh(_smc_reduced(sim_r))[:, ::-1]
    if quantile is None:
        ref_pc, ref_fa = sim_pc.mean(axis=0), sim_fa.mean(axis=0)
    else:
        ref_pc = np.quantile(sim_pc, quantile, axis=0)
        ref_fa = np.quantile(sim_fa, quantile, axis=0)

    def count(obs: np.ndarray, ref: np.ndarray) -> int:
        above = obs > ref
        return int(np.argmin(above)) if not above.all() else len(obs)

    table = pd.DataFrame(
        {
            "index": np.arange(1, k + 1),
            "observed_pc": obs_pc,
            "simulated_pc": ref_pc,
            "observed_fa": obs_fa,
            "simulated_fa": ref_fa,
        }
    )
    return ParallelResult(
        n_factors=count(obs_fa, ref_fa),
        n_components=count(obs_pc, ref_pc),
        table=table,
        n_iter=int(n_iter),
        n=n,
        quantile=quantile,
        seed=seed,
    )


def _fa_corr(
    r: np.ndarray, n_factors: int, *, rotation: str | None, method: str, n_obs: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Factor a correlation matrix with factor_analyzer: pattern, factor correlations,
    uniquenesses. Factors are ordered by variance and signed to load positively."""
    import warnings

    from factor_analyzer import FactorAnalyzer
    from factor_analyzer.rotator import Rotator

    if method not in ("minres", "ml"):
        raise CEIError(f"method={method!r} is not available", fix='use "minres" or "ml"')
    fa = FactorAnalyzer(n_factors=n_factors, rotation=None, method=method, is_corr_matrix=True)
    # FactorAnalyzer.fit's input check breaks with recent scikit-learn; the extraction
    # step it wraps is called directly on the correlation matrix.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load = np.asarray(fa._fit_factor_analysis(np.array(r, dtype=float)), dtype=float)
    phi = np.eye(n_factors)
    if rotation is not None and n_factors > 1:
        rot = Rotator(method=rotation)
        load = np.asarray(rot.fit_transform(load), dtype=float)
        if getattr(rot, "phi_", None) is not None:
            phi = np.asarray(rot.phi_, dtype=float)
    sign = np.sign(load.sum(axis=0))
    sign[sign == 0] = 1
    load = load * sign
    phi = phi * np.outer(sign, sign)
    order = np.argsort(-(load**2).sum(axis=0))
    load = load[:, order]
    phi = phi[np.ix_(order, order)]
    h2 = np.einsum("ij,jk,ik->i", load, phi, load)
    return load, phi, 1.0 - h2


@dataclass(frozen=True)
class EFAResult(ResultMixin):
    """Exploratory factor analysis: rotated pattern loadings and factor correlations."""

    loadings: pd.DataFrame  # item x factor pattern loadings
    communality: pd.Series
    uniqueness: pd.Series
    factor_corr: pd.DataFrame
    n_factors: int
    rotation: str | None
    method: str
    n: int
    n_dropped: int

    def to_frame(self) -> pd.DataFrame:
        out = self.loadings.copy()
        out["communality"] = self.communality
        out["uniqueness"] = self.uniqueness
        return out.reset_index(names="item")

    def primary_factor(self) -> pd.Series:
        """The factor each item loads on most strongly."""
        return self.loadings.abs().idxmax(axis=1)

    def summary(self) -> str:
        return (
            f"EFA: {self.n_factors} factor(s), {self.method} extraction, "
            f"{self.rotation or 'no'} rotation\n"
            f"{len(self.loadings)} items, {self.n} respondents ({self.n_dropped} dropped)"
        )


def efa(
    items: pd.DataFrame,
    n_factors: int,
    *,
    rotation: str | None = "oblimin",
    method: str = "minres",
    nan_policy: NanPolicy = "pairwise",
) -> EFAResult:
    r"""Exploratory factor analysis of the item correlation matrix (factor_analyzer).

    The common factor model :math:`R = \Lambda\Phi\Lambda^\top + \Psi` is extracted by
    ``method`` ("minres" as R ``psych::fa``, "ml", "principal") and rotated by
    ``rotation`` ("oblimin" = quartimin, "promax", "varimax", ... or None).

    Parameters
    ----------
    items : wide respondents x items frame.
    n_factors : number of factors (see :func:`parallel_analysis`).
    rotation, method : factor_analyzer names.
    nan_policy : rule for the correlation matrix.

    References
    ----------
    Fabrigar et al. (1999), Psychological Methods 4:272-299. Jennrich (2002),
    Psychometrika 67:7-19 (oblimin).

    Examples
    --------
    >>> efa(items, 3).primary_factor()
    """
    import pandas as pd

    check_nan_policy(nan_policy)
    if int(n_factors) != n_factors or n_factors < 1:
        raise EstimationError(f"n_factors={n_factors!r} must be a positive whole number")
    x, cols = as_items(items, min_items=max(3, 2 * n_factors))
    m = moments(x, nan_policy=nan_policy)
    r = cov_to_cor(m.cov)
    load, phi, u2 = _fa_corr(r, int(n_factors), rotation=rotation, method=method, n_obs=m.n)
    names = [f"F{j + 1}" for j in range(load.shape[1])]
    return EFAResult(
        loadings=pd.DataFrame(load, index=cols, columns=names),
        communality=pd.Series(1.0 - u2, index=cols, name="communality"),
        uniqueness=pd.Series(u2, index=cols, name="uniqueness"),
        factor_corr=pd.DataFrame(phi, index=names, columns=names),
        n_factors=int(n_factors),
        rotation=rotation,
        method=method,
        n=m.n,
        n_dropped=m.n_dropped,
    )
