r"""Exploratory structure: parallel analysis for the number of factors, and EFA.

Both follow R ``psych`` (``fa.parallel``, ``fa``) and ``stats::factanal``: the same
bounds on the uniquenesses (:math:`0.005 \le \psi_i \le 1`), the same rotation
conventions (R ``stats::varimax``/``stats::promax``, GPArotation's quartimin for
"oblimin"), factors signed to load positively and ordered by their sum of squared
loadings. The factor extraction uses factor_analyzer's minres and ML objectives;
``FactorAnalyzer.fit`` itself is not called because its input check breaks with
scikit-learn >= 1.6.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from .._api import estimator
from .._results import ResultMixin, tidy
from ..errors import CEIError, EstimationError
from ..schemas import C
from ._common import NanPolicy, as_items, check_nan_policy, cov_to_cor, moments

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["EFAResult", "ParallelResult", "efa", "parallel_analysis"]

# Uniquenesses are kept within [0.005, 1], as psych::fa and stats::factanal do.
_PSI_LOW = 0.005
_METHODS = ("minres", "ml")
_ORTHOGONAL = ("varimax", "quartimax", "equamax", "oblimax", "geomin_ort")
_OBLIQUE = ("oblimin", "quartimin", "promax", "geomin_obl")


def _smc(r: np.ndarray) -> np.ndarray:
    r"""Squared multiple correlations :math:`1 - 1/(R^{-1})_{ii}` (psych ``smc``);
    works on one matrix or a stack."""
    return 1.0 - 1.0 / np.diagonal(np.linalg.inv(r), axis1=-2, axis2=-1)


def _with_diagonal(r: np.ndarray, diag: np.ndarray) -> np.ndarray:
    out = np.array(r, dtype=float, copy=True)
    idx = np.arange(out.shape[-1])
    out[..., idx, idx] = diag
    return out


def _smc_reduced(r: np.ndarray) -> np.ndarray:
    """Correlation matrix with squared multiple correlations on the diagonal."""
    return _with_diagonal(r, _smc(r))


# --------------------------------------------------------------------------------------
# One-factor minres fits of a stack of correlation matrices (parallel analysis)
# --------------------------------------------------------------------------------------


def _principal_axis_step(r: np.ndarray, psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One principal-axis step of a one-factor model for every matrix of the stack:
    loadings from the leading eigenpair of R with 1 - psi on the diagonal, and the
    uniquenesses they imply, kept within the psych bounds."""
    w, v = np.linalg.eigh(_with_diagonal(r, 1.0 - psi))
    load = v[..., -1] * np.sqrt(np.maximum(w[..., -1], 0.0))[..., None]
    return np.clip(1.0 - load**2, _PSI_LOW, 1.0), load


def _off_diagonal_ss(r: np.ndarray, load: np.ndarray) -> np.ndarray:
    resid = r - load[..., :, None] * load[..., None, :]
    idx = np.arange(r.shape[-1])
    resid[..., idx, idx] = 0.0
    return np.einsum("...ij,...ij->...", resid, resid)


def _minres_one_factor(
    r: np.ndarray, *, tol: float = 1e-9, max_iter: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    r"""Minres (unweighted least squares) one-factor fits of a stack of correlation
    matrices, all at once.

    The minres solution is the fixed point of principal-axis iteration
    :math:`\psi \leftarrow 1 - \operatorname{diag}(\lambda\lambda^\top)`, with
    :math:`\lambda` the leading eigenvector of :math:`R - \Psi` scaled by the root of
    its eigenvalue (Harman 1976, ch. 8). Plain iteration converges slowly when one item
    dominates the factor, as often happens in random data; each step here is
    accelerated by SQUAREM extrapolation (Varadhan & Roland 2008), safeguarded so the
    off-diagonal residual sum of squares never increases. Uniquenesses start at
    :math:`1 - \text{SMC}` and stay within :math:`[0.005, 1]`, as in ``psych::fa``.

    Returns the loadings (draws x items) and a boolean per matrix: converged within
    ``max_iter`` accelerated steps to ``tol`` in the uniquenesses.
    """
    r = np.asarray(r, dtype=float)
    psi = np.clip(1.0 - _smc(r), _PSI_LOW, 1.0)
    active = np.ones(r.shape[0], dtype=bool)
    for _ in range(max_iter):
        ra, p0 = r[active], psi[active]
        p1, _l1 = _principal_axis_step(ra, p0)
        p2, l2 = _principal_axis_step(ra, p1)
        step, curv = p1 - p0, p2 - 2.0 * p1 + p0
        alpha = -np.sqrt(
            np.einsum("ij,ij->i", step, step)
            / np.maximum(np.einsum("ij,ij->i", curv, curv), 1e-300)
        )
        alpha = np.minimum(alpha, -1.0)
        p_ext = np.clip(
            p0 - 2.0 * alpha[:, None] * step + alpha[:, None] ** 2 * curv, _PSI_LOW, 1.0
        )
        p_new, l_new = _principal_axis_step(ra, p_ext)
        p_safe, _l3 = _principal_axis_step(ra, p2)
        worse = _off_diagonal_ss(ra, l_new) > _off_diagonal_ss(ra, l2)
        p_new = np.where(worse[:, None], p_safe, p_new)
        done = np.abs(p_new - p0).max(axis=1) < tol
        psi[active] = p_new
        rows = np.flatnonzero(active)
        active[rows[done]] = False
        if not active.any():
            break
    _, load = _principal_axis_step(r, psi)
    return load, ~active


def _factor_eigenvalues(r: np.ndarray, *, smc: bool) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) of the reduced correlation matrices of a stack, with
    SMCs or one-factor minres communalities on the diagonal; and convergence flags."""
    if smc:
        return np.linalg.eigvalsh(_smc_reduced(r))[..., ::-1], np.ones(r.shape[0], dtype=bool)
    load, ok = _minres_one_factor(r)
    return np.linalg.eigvalsh(_with_diagonal(r, load**2))[..., ::-1], ok


def _random_correlations(n: int, k: int, n_iter: int, rng: np.random.Generator) -> np.ndarray:
    """Correlation matrices of ``n_iter`` samples of n independent standard normal
    k-vectors, drawn through the Wishart distribution of the cross-product matrix
    (Bartlett decomposition: A lower-triangular with sqrt(chi2(n - 1 - i)) on the
    diagonal and N(0, 1) below it; W = A A' ~ Wishart(n - 1, I))."""
    a = np.zeros((n_iter, k, k))
    il = np.tril_indices(k, -1)
    a[:, il[0], il[1]] = rng.standard_normal((n_iter, len(il[0])))
    dfs = (n - 1) - np.arange(k)
    a[:, np.arange(k), np.arange(k)] = np.sqrt(rng.chisquare(dfs, size=(n_iter, k)))
    w = a @ np.swapaxes(a, 1, 2)
    d = np.sqrt(np.diagonal(w, axis1=1, axis2=2))
    return w / (d[:, :, None] * d[:, None, :])


@dataclass(frozen=True, repr=False)
class ParallelResult(ResultMixin):
    """Observed and simulated eigenvalues and the number of factors they suggest."""

    n_factors: int
    n_components: int
    # index, observed_pc, simulated_pc, simulated_pc_se, observed_fa, simulated_fa,
    # simulated_fa_se
    table: pd.DataFrame
    n_iter: int
    n: int
    quantile: float | None
    smc: bool
    seed: int | None
    converged: bool = True
    message: str = ""
    n_dropped: int = 0
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per eigenvalue, ``term`` = ``"factor k"``."""
        t = self.table
        return tidy(t, term=[f"factor {i}" for i in range(1, len(t) + 1)])

    def summary(self) -> str:
        q = "mean" if self.quantile is None else f"{self.quantile:.0%} quantile"
        diag = "squared multiple correlations" if self.smc else "one-factor minres communalities"
        text = (
            f"Parallel analysis suggests {self.n_factors} factor(s) and "
            f"{self.n_components} component(s)\n"
            f"{self.n_iter} simulated normal data sets of {self.n} x {len(self.table)} "
            f"(compared with their {q}); factor eigenvalues with {diag} on the "
            f"diagonal; seed={self.seed}"
        )
        return text if self.converged else f"{text}\n{self.message}"


@estimator()
def parallel_analysis(
    items: pd.DataFrame,
    *,
    n_iter: int = 100,
    seed: int | None = None,
    quantile: float | None = None,
    smc: bool = False,
    nan_policy: NanPolicy = "pairwise",
) -> ParallelResult:
    r"""Horn's (1965) parallel analysis, as R ``psych::fa.parallel``.

    Observed eigenvalues are compared with those of ``n_iter`` correlation matrices of
    uncorrelated normal data of the same size (n respondents x k items):

    - components: eigenvalues :math:`\lambda_j(R)` of the correlation matrix;
    - factors: eigenvalues of the reduced matrix :math:`R - I + \operatorname{diag}(h^2)`.
      By default (``smc=False``, psych's default ``SMC = FALSE``) the communalities
      :math:`h^2` are those of a one-factor minres fit of the matrix (psych
      ``fa(r, 1, fm = "minres")$values``); with ``smc=True`` they are the squared
      multiple correlations :math:`1 - 1/(R^{-1})_{ii}` (psych ``SMC = TRUE``).

    The suggested number is the count of leading observed eigenvalues that exceed the
    benchmark: the mean of the simulated ones (psych's default when ``quant`` is not
    given) or, with ``quantile`` (e.g. 0.95), that quantile (Glorfeld 1995). The
    benchmark's Monte-Carlo standard error is reported as ``*_se`` = SD / sqrt(n_iter).

    The simulated matrices are drawn directly from the Wishart distribution of a normal
    sample's cross-product matrix (Bartlett decomposition), which is the distribution of
    psych's ``cor(matrix(rnorm(n * k), n))``; their eigenvalues and one-factor fits are
    computed for all draws at once (stacked ``eigvalsh`` / ``eigh``), so the cost does not
    grow with the number of respondents. psych's default is 20 draws; 100 here.

    Parameters
    ----------
    items : wide respondents x items frame.
    n_iter : simulated data sets.
    seed : seed of the random generator (results are reproducible bit for bit); stored
        in the result.
    quantile : compare with this quantile of the simulated eigenvalues instead of
        their mean.
    smc : squared multiple correlations (True) or one-factor minres communalities
        (False, psych's default) on the diagonal of the factor matrix.
    nan_policy : rule for the observed correlations; with "pairwise" the simulated
        data sets have the smallest pairwise count as their size.

    Returns
    -------
    ParallelResult with ``n_factors``, ``n_components``, ``table`` (index,
    observed_pc, simulated_pc, simulated_pc_se, observed_fa, simulated_fa,
    simulated_fa_se), ``n_iter``, ``n``, ``seed``, ``converged``.

    References
    ----------
    Horn (1965), Psychometrika 30:179-185. Glorfeld (1995), Educational and
    Psychological Measurement 55:377-393. Revelle, R psych ``fa.parallel``.
    Varadhan & Roland (2008), Scandinavian Journal of Statistics 35:335-353 (SQUAREM).

    Examples
    --------
    >>> res = parallel_analysis(items, seed=2019)
    >>> res.n_factors, res.n_components
    """
    import pandas as pd

    check_nan_policy(nan_policy)
    if int(n_iter) != n_iter or n_iter < 2:
        raise CEIError(
            f"n_iter={n_iter!r} must be a whole number of at least 2", fix="use e.g. n_iter=100"
        )
    if quantile is not None and not (isinstance(quantile, (int, float)) and 0 < quantile < 1):
        raise CEIError(
            f"quantile={quantile!r} is not a probability", fix="use e.g. 0.95, or None for the mean"
        )
    n_iter = int(n_iter)
    x, _ = as_items(items, min_items=3)
    m = moments(x, nan_policy=nan_policy)
    r = cov_to_cor(m.cov)
    k = r.shape[0]
    n = int(m.n_pair.min())
    if n <= k:
        raise EstimationError(
            f"{n} respondents for {k} items: the simulated correlation matrices would be singular",
            fix="parallel analysis needs more respondents than items",
        )
    obs_pc = np.linalg.eigvalsh(r)[::-1]
    obs_fa, obs_ok = _factor_eigenvalues(r[None], smc=smc)
    rng = np.random.default_rng(seed)
    sim_r = _random_correlations(n, k, n_iter, rng)
    sim_pc = np.linalg.eigvalsh(sim_r)[:, ::-1]
    sim_fa, sim_ok = _factor_eigenvalues(sim_r, smc=smc)
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
            "simulated_pc_se": sim_pc.std(axis=0, ddof=1) / np.sqrt(n_iter),
            "observed_fa": obs_fa[0],
            "simulated_fa": ref_fa,
            "simulated_fa_se": sim_fa.std(axis=0, ddof=1) / np.sqrt(n_iter),
        }
    )
    n_bad = int((~sim_ok).sum()) + int((~obs_ok).sum())
    message = (
        ""
        if n_bad == 0
        else f"{n_bad} of {n_iter + 1} one-factor minres fits stopped at the iteration limit"
    )
    return ParallelResult(
        n_factors=count(obs_fa[0], ref_fa),
        n_components=count(obs_pc, ref_pc),
        table=table,
        n_iter=n_iter,
        n=n,
        quantile=quantile,
        smc=bool(smc),
        seed=seed,
        converged=n_bad == 0,
        message=message,
    )


# --------------------------------------------------------------------------------------
# Exploratory factor analysis
# --------------------------------------------------------------------------------------


def _extract(r: np.ndarray, n_factors: int, method: str) -> tuple[np.ndarray, bool, str]:
    """Unrotated loadings from factor_analyzer's minres or ML objective, minimized over
    the uniquenesses by L-BFGS-B within [0.005, 1].

    ML starts where ``stats::factanal`` does, :math:`(1 - f/2p)/(R^{-1})_{ii}`; minres
    where ``psych::fa`` does, 1 - SMC. Tolerances are tighter than scipy's defaults so
    the solution is not left at the optimizer's stopping noise."""
    from factor_analyzer import FactorAnalyzer
    from scipy.optimize import minimize

    p = r.shape[0]
    inv_diag = np.diag(np.linalg.inv(r))
    if method == "ml":
        objective, normalize = FactorAnalyzer._fit_ml_objective, FactorAnalyzer._normalize_ml
        start = (1.0 - 0.5 * n_factors / p) / inv_diag
    else:
        objective, normalize = FactorAnalyzer._fit_uls_objective, FactorAnalyzer._normalize_uls
        start = 1.0 / inv_diag
    start = np.clip(start, _PSI_LOW, 1.0)
    work = np.array(r, dtype=float)  # the minres objective writes its diagonal
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = minimize(
            objective,
            start,
            args=(work, n_factors),
            method="L-BFGS-B",
            bounds=[(_PSI_LOW, 1.0)] * p,
            options={"maxiter": 5000, "ftol": 1e-14, "gtol": 1e-9},
        )
        load = np.asarray(normalize(res.x, np.array(r, dtype=float), n_factors), dtype=float)
    return load, bool(res.success), str(res.message)


def _promax(load: np.ndarray, power: int = 4) -> tuple[np.ndarray, np.ndarray]:
    r"""Promax as R ``stats::promax(x, m = 4)``: Kaiser-normalized varimax, then the
    Procrustes fit of the unnormalized varimax loadings to their signed powers
    :math:`Q = X\,|X|^{m-1}`, columns rescaled so the factors have unit variance.
    Returns the pattern and the factor correlations :math:`(U^\top U)^{-1}`.
    (factor_analyzer's promax normalizes the Procrustes step too, as ``psych::kaiser``.)"""
    from factor_analyzer.rotator import Rotator

    x = np.asarray(Rotator(method="varimax").fit_transform(load), dtype=float)
    q = x * np.abs(x) ** (power - 1)
    u = np.linalg.lstsq(x, q, rcond=None)[0]
    u = u * np.sqrt(np.diag(np.linalg.inv(u.T @ u)))
    u_inv = np.linalg.inv(u)
    return x @ u, u_inv @ u_inv.T


def _rotate(load: np.ndarray, rotation: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Rotated pattern and factor correlations."""
    from factor_analyzer.rotator import Rotator

    nf = load.shape[1]
    if rotation is None or rotation == "none" or nf == 1:
        return load, np.eye(nf)
    if rotation == "promax":
        return _promax(load)
    rot = Rotator(method=rotation)
    out = np.asarray(rot.fit_transform(load), dtype=float)
    phi = getattr(rot, "phi_", None)
    return out, np.eye(nf) if phi is None else np.asarray(phi, dtype=float)


def _check_rotation(rotation: str | None) -> None:
    if rotation is not None and rotation != "none" and rotation not in _ORTHOGONAL + _OBLIQUE:
        raise CEIError(
            f"rotation={rotation!r} is not available",
            fix=f"use one of {list(_ORTHOGONAL + _OBLIQUE)} or None",
        )


def _fa_corr(
    r: np.ndarray, n_factors: int, *, rotation: str | None, method: str, n_obs: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Factor a correlation matrix: pattern, factor correlations, uniquenesses.
    Factors are signed to load positively and ordered by variance (psych, factanal)."""
    load, phi, u2, _ok, _msg = _fit(r, n_factors, rotation=rotation, method=method)
    return load, phi, u2


def _fit(
    r: np.ndarray, n_factors: int, *, rotation: str | None, method: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool, str]:
    if method not in _METHODS:
        raise CEIError(f"method={method!r} is not available", fix='use "minres" or "ml"')
    _check_rotation(rotation)
    load, ok, msg = _extract(r, n_factors, method)
    load, phi = _rotate(load, rotation)
    # sortLoadings (factanal) / fa: columns in decreasing sum of squares, signed so
    # that each column sums to a positive number
    sign = np.sign(load.sum(axis=0))
    sign[sign == 0] = 1
    load = load * sign
    phi = phi * np.outer(sign, sign)
    order = np.argsort(-(load**2).sum(axis=0), kind="stable")
    load = load[:, order]
    phi = phi[np.ix_(order, order)]
    h2 = np.einsum("ij,jk,ik->i", load, phi, load)
    return load, phi, 1.0 - h2, ok, msg


def _ml_discrepancy(r: np.ndarray, load: np.ndarray, phi: np.ndarray, u2: np.ndarray) -> float:
    r"""Normal-theory discrepancy :math:`F = \operatorname{tr}(\Sigma^{-1}R) -
    \log|\Sigma^{-1}R| - p` of the fitted :math:`\Sigma = \Lambda\Phi\Lambda^\top + \Psi`
    (the criterion factanal minimizes and psych's ``objective``)."""
    sigma = load @ phi @ load.T + np.diag(u2)
    a = np.linalg.solve(sigma, r)
    sign, logdet = np.linalg.slogdet(a)
    return float(np.trace(a) - logdet - r.shape[0]) if sign > 0 else float("nan")


@dataclass(frozen=True, repr=False)
class EFAResult(ResultMixin):
    """Exploratory factor analysis: rotated pattern loadings, factor correlations and
    the likelihood-ratio test of the number of factors."""

    loadings: pd.DataFrame  # item x factor pattern loadings
    communality: pd.Series
    uniqueness: pd.Series
    factor_corr: pd.DataFrame
    n_factors: int
    rotation: str | None
    method: str
    n: int
    n_dropped: int
    objective: float = float("nan")  # ML discrepancy of the fitted model
    chi2: float | None = None  # Bartlett-corrected likelihood-ratio statistic
    df: int = 0
    p_val: float | None = None
    converged: bool = True
    message: str = ""
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"pvalue": C.P_VAL}

    def to_frame(self) -> pd.DataFrame:
        """One row per item (``term``): pattern loadings, communality, uniqueness."""
        out = self.loadings.copy()
        out["communality"] = self.communality
        out["uniqueness"] = self.uniqueness
        out = out.reset_index(names="item")
        return tidy(out, term="item")

    def primary_factor(self) -> pd.Series:
        """The factor each item loads on most strongly."""
        return self.loadings.abs().idxmax(axis=1)

    def summary(self) -> str:
        text = (
            f"EFA: {self.n_factors} factor(s), {self.method} extraction, "
            f"{self.rotation or 'no'} rotation\n"
            f"{len(self.loadings)} items, {self.n} respondents ({self.n_dropped} dropped)"
        )
        if self.chi2 is not None:
            text += f"\nchi2 = {self.chi2:.2f} on {self.df} df, p = {self.p_val:.3g}"
        else:
            text += f"\n{self.df} degrees of freedom; discrepancy {self.objective:.4f}"
        if not self.converged:
            text += f"\nnot converged: {self.message}"
        return text


@estimator()
def efa(
    items: pd.DataFrame,
    n_factors: int,
    *,
    rotation: str | None = "oblimin",
    method: str = "minres",
    nan_policy: NanPolicy = "pairwise",
) -> EFAResult:
    r"""Exploratory factor analysis of the item correlation matrix, as R ``psych::fa``
    and ``stats::factanal``.

    The common factor model :math:`R = \Lambda\Phi\Lambda^\top + \Psi` is extracted by
    ``method``: "minres" (unweighted least squares on the off-diagonal correlations,
    psych's default) or "ml" (maximum likelihood, factanal), with the uniquenesses kept
    within :math:`[0.005, 1]`. The loadings are then rotated:

    - "varimax": R ``stats::varimax`` (Kaiser normalization, tolerance 1e-5);
    - "promax": R ``stats::promax(m = 4)`` (the Procrustes step on unnormalized loadings);
    - "oblimin" (default, as psych) = quartimin, GPArotation's ``oblimin`` without
      normalization; also "quartimin", "geomin_obl", "quartimax", "equamax",
      "oblimax", "geomin_ort" (factor_analyzer); None for the unrotated solution.

    Factors are signed so each column of the pattern sums to a positive number and
    ordered by their sum of squared pattern loadings. Uniqueness is
    :math:`1 - h^2` with :math:`h^2 = \operatorname{diag}(\Lambda\Phi\Lambda^\top)`.
    The test of :math:`f` factors (for either method, as psych reports it) uses the
    normal-theory discrepancy :math:`F` of the fitted model and Bartlett's correction,

    .. math:: \chi^2 = \Big(n - 1 - \frac{2p + 5}{6} - \frac{2f}{3}\Big) F, \qquad
              df = \frac{(p - f)^2 - p - f}{2},

    reported when :math:`df > 0`.

    Parameters
    ----------
    items : wide respondents x items frame.
    n_factors : number of factors (see :func:`parallel_analysis`).
    rotation : see above.
    method : "minres" or "ml".
    nan_policy : rule for the correlation matrix; n for the test is the number of
        respondents used.

    Returns
    -------
    EFAResult with ``loadings``, ``communality``, ``uniqueness``, ``factor_corr``,
    ``objective``, ``chi2``, ``df``, ``p_val`` (formerly ``pvalue``), ``converged``.

    References
    ----------
    Lawley & Maxwell (1971), Factor Analysis as a Statistical Method, p. 36 (test).
    Kaiser (1958), Psychometrika 23:187-200 (varimax). Hendrickson & White (1964),
    British Journal of Statistical Psychology 17:65-70 (promax). Jennrich (2002),
    Psychometrika 67:7-19 (oblimin). Revelle, R ``psych::fa``; R ``stats::factanal``.

    Examples
    --------
    >>> res = efa(items, 3, method="ml", rotation="promax")
    >>> res.primary_factor(), res.chi2, res.p_val
    """
    import pandas as pd
    from scipy.stats import chi2 as chi2_dist

    check_nan_policy(nan_policy)
    if int(n_factors) != n_factors or n_factors < 1:
        raise EstimationError(
            f"n_factors={n_factors!r} must be a positive whole number", fix="use 1, 2, 3, ..."
        )
    if method not in _METHODS:
        raise CEIError(f"method={method!r} is not available", fix='use "minres" or "ml"')
    _check_rotation(rotation)
    n_factors = int(n_factors)
    x, cols = as_items(items, min_items=max(3, 2 * n_factors))
    m = moments(x, nan_policy=nan_policy)
    r = cov_to_cor(m.cov)
    p = r.shape[0]
    load, phi, u2, ok, msg = _fit(r, n_factors, rotation=rotation, method=method)
    objective = _ml_discrepancy(r, load, phi, u2)
    df = ((p - n_factors) ** 2 - p - n_factors) // 2
    stat = pval = None
    if df > 0 and np.isfinite(objective):
        stat = float((m.n - 1 - (2 * p + 5) / 6 - 2 * n_factors / 3) * objective)
        pval = float(chi2_dist.sf(stat, df))
    names = [f"F{j + 1}" for j in range(load.shape[1])]
    return EFAResult(
        loadings=pd.DataFrame(load, index=cols, columns=names),
        communality=pd.Series(1.0 - u2, index=cols, name="communality"),
        uniqueness=pd.Series(u2, index=cols, name="uniqueness"),
        factor_corr=pd.DataFrame(phi, index=names, columns=names),
        n_factors=n_factors,
        rotation=rotation,
        method=method,
        n=m.n,
        n_dropped=m.n_dropped,
        objective=objective,
        chi2=stat,
        df=int(df),
        p_val=pval,
        converged=ok,
        message="" if ok else msg,
    )
