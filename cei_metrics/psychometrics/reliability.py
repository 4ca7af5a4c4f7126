"""Reliability of a scale: Cronbach's alpha, McDonald's omega and item statistics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._results import ResultMixin
from ..errors import EstimationError
from ._common import NanPolicy, as_items, as_weights, check_ci, check_nan_policy, moments

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "AlphaResult",
    "OmegaResult",
    "alpha_from_cov",
    "cronbach_alpha",
    "feldt_ci",
    "item_stats",
    "omega",
]


def alpha_from_cov(cov: np.ndarray) -> float:
    r"""Cronbach's alpha of a k x k covariance matrix:
    :math:`\frac{k}{k-1}(1 - \operatorname{tr}S / \mathbf 1^\top S \mathbf 1)`."""
    k = cov.shape[0]
    total = float(cov.sum())
    if total <= 0:
        raise EstimationError(
            "the scale total has no variance",
            fix="check the items vary and that reverse-keyed items are recoded",
        )
    return k / (k - 1) * (1.0 - float(np.trace(cov)) / total)


def feldt_ci(alpha: float, n: float, k: int, ci: float = 0.95) -> tuple[float, float]:
    r"""Feldt, Woodruff & Salih (1987) interval for alpha.

    :math:`1-(1-\hat\alpha)F_{1-a/2}` and :math:`1-(1-\hat\alpha)F_{a/2}` with
    :math:`F` on :math:`(n-1, (n-1)(k-1))` degrees of freedom.
    """
    from scipy.special import fdtri  # F quantile; lighter to import than scipy.stats

    a = 1.0 - ci
    df1 = n - 1.0
    df2 = df1 * (k - 1)
    lo = 1.0 - (1.0 - alpha) * fdtri(df1, df2, 1 - a / 2)
    hi = 1.0 - (1.0 - alpha) * fdtri(df1, df2, a / 2)
    return float(lo), float(hi)


@dataclass(frozen=True)
class AlphaResult(ResultMixin):
    """Cronbach's alpha with its Feldt interval."""

    alpha: float
    ci: tuple[float, float]
    n: int
    n_items: int
    n_dropped: int
    ci_level: float = 0.95
    nan_policy: str = "pairwise"
    weighted: bool = False
    n_eff: float | None = None

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                "statistic": ["cronbach_alpha"],
                "estimate": [self.alpha],
                "ci_low": [self.ci[0]],
                "ci_high": [self.ci[1]],
                "n": [self.n],
                "n_items": [self.n_items],
                "n_dropped": [self.n_dropped],
            }
        )

    def summary(self) -> str:
        w = ", weighted" if self.weighted else ""
        return (
            f"Cronbach's alpha = {self.alpha:.3f} "
            f"({self.ci_level:.0%} CI {self.ci[0]:.3f} to {self.ci[1]:.3f})\n"
            f"{self.n_items} items, {self.n} respondents ({self.n_dropped} dropped), "
            f"nan_policy={self.nan_policy}{w}; Feldt (1987) interval"
        )


def cronbach_alpha(
    items: pd.DataFrame,
    *,
    nan_policy: NanPolicy = "pairwise",
    ci: float = 0.95,
    weights: object = None,
) -> AlphaResult:
    r"""Cronbach's alpha: internal consistency of one scale.

    .. math:: \alpha = \frac{k}{k-1}\left(1 - \frac{\sum_i \sigma^2_i}{\sigma^2_X}\right)

    computed from the item covariance matrix :math:`S` as
    :math:`\frac{k}{k-1}(1 - \operatorname{tr} S / \mathbf 1^\top S \mathbf 1)`.

    Parameters
    ----------
    items : DataFrame, one row per respondent, one numeric column per item,
        reverse-keyed items already recoded.
    nan_policy : "pairwise" uses pairwise-complete covariances (R psych ``use="pairwise"``);
        "listwise" drops respondents missing any item; "raise" refuses missing values.
        Respondents who answered no item are dropped under every rule.
    ci : confidence level of the Feldt (1987) interval.
    weights : optional sampling weights, one per respondent. The covariance is the
        weighted one; the interval uses Kish's effective sample size.

    Returns
    -------
    AlphaResult with ``alpha``, ``ci`` (low, high), ``n``, ``n_items``, ``n_dropped``.

    References
    ----------
    Cronbach (1951), Psychometrika 16:297-334. Feldt, Woodruff & Salih (1987),
    Applied Psychological Measurement 11:93-103. Agrees with R ``psych::alpha``
    (raw_alpha) and ``pingouin.cronbach_alpha``.

    Examples
    --------
    >>> sf = pd.DataFrame({"J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2],
    ...                    "J3": [5, 3, 6, 2, 6, 4], "J4": [8, 2, 8, 6, 9, 7]})
    >>> round(cronbach_alpha(sf).alpha, 3)
    0.909
    """
    check_nan_policy(nan_policy)
    level = check_ci(ci)
    x, _ = as_items(items)
    w = as_weights(weights, x.shape[0])
    m = moments(x, nan_policy=nan_policy, weights=w)
    a = alpha_from_cov(m.cov)
    lo, hi = feldt_ci(a, m.n_eff, x.shape[1], level)
    return AlphaResult(
        alpha=a,
        ci=(lo, hi),
        n=m.n,
        n_items=x.shape[1],
        n_dropped=m.n_dropped,
        ci_level=level,
        nan_policy=nan_policy,
        weighted=w is not None,
        n_eff=m.n_eff,
    )


def _item_table(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Corrected item-total correlation and alpha-if-deleted for every item at once."""
    k = cov.shape[0]
    total = cov.sum()
    row = cov.sum(axis=1)
    var = np.diag(cov)
    rest_var = total - 2 * row + var  # variance of the total without item i
    with np.errstate(invalid="ignore", divide="ignore"):
        r_drop = (row - var) / np.sqrt(var * rest_var)
        tr_del = np.trace(cov) - var
        a_del = (k - 1) / (k - 2) * (1 - tr_del / rest_var) if k > 2 else np.full(k, np.nan)
    return r_drop, a_del


def item_stats(
    items: pd.DataFrame,
    *,
    nan_policy: NanPolicy = "pairwise",
    weights: object = None,
    floor: float | None = None,
    ceiling: float | None = None,
) -> pd.DataFrame:
    r"""Per-item statistics of one scale.

    Columns: ``item, n, mean, sd, missing_share, floor_share, ceiling_share, r_drop,
    alpha_if_deleted``. ``r_drop`` is the corrected item-total correlation
    :math:`r(x_i, X - x_i) = (\sum_j s_{ij} - s_{ii}) / \sqrt{s_{ii}\,\sigma^2_{X-x_i}}`
    (R ``psych::alpha`` ``r.drop``); ``alpha_if_deleted`` is alpha of the other
    :math:`k-1` items (``psych`` ``alpha.drop``). Both come from the one covariance matrix,
    so every item is done in a single matrix step.

    Parameters
    ----------
    items : wide respondents x items frame, reverse-keyed items recoded.
    nan_policy : rule for the covariance, as in :func:`cronbach_alpha`; n, mean, sd and
        the shares always use each item's own answered cells.
    weights : optional sampling weights (means, sds and shares are weighted).
    floor, ceiling : the lowest and highest response codes; default the observed
        minimum and maximum over all items.

    Examples
    --------
    >>> item_stats(sf)[["item", "r_drop", "alpha_if_deleted"]]
    """
    import pandas as pd

    check_nan_policy(nan_policy)
    x, cols = as_items(items, min_items=2)
    w = as_weights(weights, x.shape[0])
    m = moments(x, nan_policy=nan_policy, weights=w)
    answered = ~np.isnan(x)
    lo = np.nanmin(x) if floor is None else floor
    hi = np.nanmax(x) if ceiling is None else ceiling
    ww = np.ones(x.shape[0]) if w is None else w
    wa = answered * ww[:, None]
    wsum = wa.sum(axis=0)
    x0 = np.where(answered, x, 0.0)
    mean = (x0 * ww[:, None]).sum(axis=0) / wsum
    dev = np.where(answered, x - mean, 0.0)
    nobs = answered.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (dev**2 * ww[:, None]).sum(axis=0) / wsum * nobs / (nobs - 1)
    r_drop, a_del = _item_table(m.cov)
    return pd.DataFrame(
        {
            "item": cols,
            "n": nobs.astype(int),
            "mean": mean,
            "sd": np.sqrt(var),
            "missing_share": 1.0 - wsum / ww.sum(),
            "floor_share": ((x == lo) * ww[:, None]).sum(axis=0) / wsum,
            "ceiling_share": ((x == hi) * ww[:, None]).sum(axis=0) / wsum,
            "r_drop": r_drop,
            "alpha_if_deleted": a_del,
        }
    )


@dataclass(frozen=True)
class OmegaResult(ResultMixin):
    """McDonald's omega (total, and hierarchical when group factors are modelled)."""

    omega_total: float
    omega_hierarchical: float | None
    n_factors: int
    loadings: pd.DataFrame  # item, general, [group factors...], uniqueness
    n: int
    n_items: int
    n_dropped: int
    method: str
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [("omega_total", self.omega_total), ("alpha", self.alpha)]
        if self.omega_hierarchical is not None:
            rows.insert(1, ("omega_hierarchical", self.omega_hierarchical))
        return pd.DataFrame(
            {
                "statistic": [r[0] for r in rows],
                "estimate": [r[1] for r in rows],
                "n": self.n,
                "n_items": self.n_items,
            }
        )

    def summary(self) -> str:
        h = (
            ""
            if self.omega_hierarchical is None
            else f", omega hierarchical = {self.omega_hierarchical:.3f}"
        )
        return (
            f"McDonald's omega total = {self.omega_total:.3f}{h} (alpha {self.alpha:.3f})\n"
            f"{self.n_items} items, {self.n} respondents; {self.method}"
        )


def omega(
    items: pd.DataFrame,
    *,
    n_factors: int = 1,
    nan_policy: NanPolicy = "pairwise",
    weights: object = None,
    rotation: str = "oblimin",
) -> OmegaResult:
    r"""McDonald's omega.

    With one factor (the default), a one-factor maximum-likelihood model is fitted to the
    item covariance matrix and

    .. math:: \omega_t = \frac{(\sum_i \lambda_i)^2}{(\sum_i \lambda_i)^2 + \sum_i \theta_i}

    (McDonald 1999; the ``omega`` of R ``semTools::compRelSEM``), and
    ``omega_hierarchical`` is None because no general factor is separated from group
    factors. With ``n_factors >= 2``, as R ``psych::omega``: a minres factor analysis of
    the correlation matrix, oblique rotation, a Schmid-Leiman transformation through a
    one-factor model of the factor correlations, and

    .. math:: \omega_h = \frac{(\sum_i g_i)^2}{\mathbf 1^\top R \mathbf 1},\qquad
              \omega_t = 1 - \frac{\sum_i u^2_i}{\mathbf 1^\top R \mathbf 1}

    Parameters
    ----------
    items : wide respondents x items frame, reverse-keyed items recoded.
    n_factors : group factors; 1 gives omega total from a one-factor model.
    nan_policy : rule for the covariance matrix (see :func:`cronbach_alpha`).
    weights : optional sampling weights (used in the covariance matrix).
    rotation : oblique rotation for ``n_factors >= 2`` (factor_analyzer names).

    References
    ----------
    McDonald (1999), Test Theory: A Unified Treatment. Schmid & Leiman (1957),
    Psychometrika 22:53-61. Revelle & Zinbarg (2009), Psychometrika 74:145-154.

    Examples
    --------
    >>> omega(items).omega_total
    """
    import pandas as pd

    check_nan_policy(nan_policy)
    x, cols = as_items(items, min_items=3 if n_factors == 1 else 3 * n_factors)
    w = as_weights(weights, x.shape[0])
    m = moments(x, nan_policy=nan_policy, weights=w)
    a = alpha_from_cov(m.cov)
    if n_factors == 1:
        from .cfa import fit_cov

        fit = fit_cov(m.cov, m.n_eff, {"F": list(cols)}, cols)
        lam = fit.lambda_[:, 0] * np.sqrt(fit.phi[0, 0])
        theta = np.diag(fit.theta)
        num = lam.sum() ** 2
        om_t = float(num / (num + theta.sum()))
        load = pd.DataFrame({"item": cols, "general": lam / np.sqrt(np.diag(m.cov))})
        load["uniqueness"] = theta / np.diag(m.cov)
        return OmegaResult(
            omega_total=om_t,
            omega_hierarchical=None,
            n_factors=1,
            loadings=load,
            n=m.n,
            n_items=len(cols),
            n_dropped=m.n_dropped,
            method="one-factor maximum likelihood model of the covariance matrix",
            alpha=a,
        )
    if n_factors < 1 or int(n_factors) != n_factors:
        raise EstimationError(
            f"n_factors={n_factors!r} is not a positive whole number", fix="use 1, 2, 3, ..."
        )
    from ._common import cov_to_cor
    from .structure import _fa_corr

    r = cov_to_cor(m.cov)
    pattern, phi, _ = _fa_corr(r, n_factors, rotation=rotation, method="minres", n_obs=m.n)
    g, group, u2 = schmid_leiman(pattern, phi)
    vt = float(r.sum())
    om_h = float(g.sum() ** 2 / vt)
    om_t = float(1.0 - u2.sum() / vt)
    load = pd.DataFrame({"item": cols, "general": g})
    for f in range(n_factors):
        load[f"F{f + 1}"] = group[:, f]
    load["uniqueness"] = u2
    return OmegaResult(
        omega_total=om_t,
        omega_hierarchical=om_h,
        n_factors=n_factors,
        loadings=load,
        n=m.n,
        n_items=len(cols),
        n_dropped=m.n_dropped,
        method=f"minres factor analysis, {rotation} rotation, Schmid-Leiman transformation",
        alpha=a,
    )


def schmid_leiman(
    pattern: np.ndarray, phi: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Schmid-Leiman transformation of an oblique solution.

    The factor correlations :math:`\Phi` are themselves fitted by one general factor with
    loadings :math:`\gamma` (minres; closed form for three factors). Then the general
    loadings are :math:`g = P\gamma`, the group loadings :math:`P\,\mathrm{diag}
    (\sqrt{1-\gamma^2})`, and uniquenesses :math:`1 - h^2` with :math:`h^2` the
    communalities of :math:`P\Phi P^\top`.
    """
    nf = phi.shape[0]
    if nf == 2:
        # two group factors: psych's default puts equal loadings sqrt(phi12) on both
        gam = np.full(2, np.sqrt(max(phi[0, 1], 0.0)))
    else:
        gam = _one_factor_minres(phi)
    g = pattern @ gam
    group = pattern * np.sqrt(np.clip(1 - gam**2, 0, None))
    h2 = g**2 + (group**2).sum(axis=1)
    return g, group, 1.0 - h2


def _one_factor_minres(r: np.ndarray) -> np.ndarray:
    """Loadings of one factor fitted to a correlation matrix by unweighted least squares."""
    from scipy.optimize import minimize

    k = r.shape[0]
    off = ~np.eye(k, dtype=bool)

    def f(lam: np.ndarray) -> tuple[float, np.ndarray]:
        resid = (r - np.outer(lam, lam)) * off
        return float((resid**2).sum()), -4.0 * resid @ lam

    start = np.sqrt(np.clip(np.abs(r[off].reshape(k, k - 1)).mean(axis=1), 0.01, 1))
    res = minimize(f, start, jac=True, method="BFGS")
    lam = res.x
    if lam.sum() < 0:
        lam = -lam
    return lam
