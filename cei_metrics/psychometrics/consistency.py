"""Reliability of a scale: Cronbach's alpha, McDonald's omega and item statistics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from .._api import check_ci, estimator
from .._results import ResultMixin
from ..errors import CEIError, EstimationError
from ..schemas import C
from ._common import (
    Moments,
    NanPolicy,
    as_items,
    as_weights,
    check_nan_policy,
    moments,
    one_blas_thread,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "AlphaResult",
    "Moments",
    "OmegaResult",
    "ReliabilityResult",
    "alpha_from_cov",
    "cronbach_alpha",
    "feldt_ci",
    "item_stats",
    "moments",
    "omega",
    "reliability",
]


def _moments_of(
    items: object,
    nan_policy: str,
    weights: object,
    *,
    min_items: int,
    extremes: bool,
) -> tuple[Moments, np.ndarray | None, np.ndarray | None]:
    """The item moments (computed, or the precomputed ones checked against the options),
    with the item matrix and weights when they were given."""
    if isinstance(items, Moments):
        if weights is not None:
            raise CEIError(
                "weights were given with precomputed moments",
                fix="pass the weights to moments(items, weights=...) and not here",
            )
        if items.any_missing and nan_policy != items.nan_policy:
            raise CEIError(
                f"nan_policy={nan_policy!r} but the moments were computed with "
                f"nan_policy={items.nan_policy!r}",
                fix=f"call with nan_policy={items.nan_policy!r}, or recompute the moments",
            )
        k = len(items.items)
        if k < min_items:
            raise EstimationError(
                f"items has {k} item(s); this statistic needs at least {min_items}",
                fix="pass every item of the scale as a column",
            )
        return items, None, None
    x, cols = as_items(items, min_items=min_items, check_finite=False)
    w = as_weights(weights, x.shape[0])
    m = moments(x, nan_policy=nan_policy, weights=w, extremes=extremes, columns=cols)
    return m, x, w


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


@dataclass(frozen=True, repr=False)
class AlphaResult(ResultMixin):
    """Cronbach's alpha with its Feldt interval ``ci_low, ci_high`` (formerly the tuple
    ``ci``, still readable with a warning); ``estimate`` is ``alpha``."""

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    n_items: int
    n_dropped: int
    ci_level: float = 0.95
    nan_policy: str = "pairwise"
    weighted: bool = False
    n_eff: float | None = None
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"ci": (C.CI_LOW, C.CI_HIGH)}

    @property
    def estimate(self) -> float:
        return self.alpha

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                C.TERM: ["cronbach_alpha"],
                C.ESTIMATE: [self.alpha],
                C.CI_LOW: [self.ci_low],
                C.CI_HIGH: [self.ci_high],
                C.N: [self.n],
                C.N_ITEMS: [self.n_items],
                C.N_DROPPED: [self.n_dropped],
            }
        )

    def summary(self) -> str:
        w = ", weighted" if self.weighted else ""
        return (
            f"Cronbach's alpha = {self.alpha:.3f} "
            f"({self.ci_level:.0%} CI {self.ci_low:.3f} to {self.ci_high:.3f})\n"
            f"{self.n_items} items, {self.n} respondents ({self.n_dropped} dropped), "
            f"nan_policy={self.nan_policy}{w}; Feldt (1987) interval"
        )


@estimator()
def cronbach_alpha(
    items: pd.DataFrame | Moments,
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
        reverse-keyed items already recoded; or the :class:`Moments` of one
        (:func:`moments`), so that several statistics share one pass over the data.
    nan_policy : "pairwise" uses pairwise-complete covariances (R psych ``use="pairwise"``);
        "listwise" drops respondents missing any item; "raise" refuses missing values.
        Respondents who answered no item are dropped under every rule.
    ci : confidence level of the Feldt (1987) interval.
    weights : optional sampling weights, one per respondent. The covariance is the
        weighted one; the interval uses Kish's effective sample size.

    Returns
    -------
    AlphaResult with ``alpha``, ``ci_low``, ``ci_high``, ``n``, ``n_items``,
    ``n_dropped`` (``ci``, the (low, high) tuple, is a deprecated alias).

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
    m, _, _ = _moments_of(items, nan_policy, weights, min_items=2, extremes=False)
    return _alpha(m, level, nan_policy)


def _alpha(m: Moments, level: float, nan_policy: str) -> AlphaResult:
    k = m.cov.shape[0]
    a = alpha_from_cov(m.cov)
    lo, hi = feldt_ci(a, m.n_eff, k, level)
    return AlphaResult(
        alpha=a,
        ci_low=lo,
        ci_high=hi,
        n=m.n,
        n_items=k,
        n_dropped=m.n_dropped,
        ci_level=level,
        nan_policy=nan_policy,
        weighted=m.weighted,
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


@estimator()
def item_stats(
    items: pd.DataFrame | Moments,
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
    items : wide respondents x items frame, reverse-keyed items recoded, or its
        :class:`Moments`.
    nan_policy : rule for the covariance, as in :func:`cronbach_alpha`; n, mean, sd and
        the shares always use each item's own answered cells.
    weights : optional sampling weights (means, sds and shares are weighted).
    floor, ceiling : the lowest and highest response codes; default the observed
        minimum and maximum over all items. With precomputed moments, a code strictly
        between the observed minimum and maximum needs the item frame instead.

    Examples
    --------
    >>> item_stats(sf)[["item", "r_drop", "alpha_if_deleted"]]
    """
    check_nan_policy(nan_policy)
    m, x, w = _moments_of(items, nan_policy, weights, min_items=2, extremes=True)
    return _item_frame(m, x, w, floor, ceiling)


def _count_code(
    m: Moments, x: np.ndarray | None, w: np.ndarray | None, code: float, side: str
) -> np.ndarray:
    """(Weighted) cells per item equal to ``code``, from the moments when they hold it."""
    k = len(m.items)
    if m.minimum is not None and m.maximum is not None:
        if code == m.minimum:
            return m.n_floor
        if code == m.maximum:
            return m.n_ceiling
        if code < m.minimum or code > m.maximum:
            return np.zeros(k)
    if x is None:
        raise CEIError(
            f"{side}={code!r} lies inside the observed codes; the precomputed moments "
            "only count the cells at the observed minimum and maximum",
            fix=f"pass the item frame instead of the moments, or leave {side}=None",
        )
    out = np.zeros(k)
    for r0 in range(0, x.shape[0], 65_536):
        eq = x[r0 : r0 + 65_536] == code
        out += eq.sum(axis=0) if w is None else w[r0 : r0 + 65_536] @ eq
    return out


def _item_frame(
    m: Moments,
    x: np.ndarray | None,
    w: np.ndarray | None,
    floor: float | None,
    ceiling: float | None,
) -> pd.DataFrame:
    import pandas as pd

    if m.item_mean is None or (m.minimum is None and x is None and None in (floor, ceiling)):
        raise CEIError(
            "these moments hold no response codes (they were built from a covariance "
            "matrix), so item statistics cannot be computed from them",
            fix="pass the item frame, or moments(items) computed from it",
        )
    lo = m.minimum if floor is None else floor
    hi = m.maximum if ceiling is None else ceiling
    wsum = m.item_weight
    with np.errstate(invalid="ignore", divide="ignore"):
        floor_share = _count_code(m, x, w, lo, "floor") / wsum
        ceiling_share = _count_code(m, x, w, hi, "ceiling") / wsum
    r_drop, a_del = _item_table(m.cov)
    return pd.DataFrame(
        {
            "item": list(m.items),
            "n": m.item_n.astype(int),
            "mean": m.item_mean,
            "sd": np.sqrt(m.item_var),
            "missing_share": 1.0 - wsum / m.weight_total,
            "floor_share": floor_share,
            "ceiling_share": ceiling_share,
            "r_drop": r_drop,
            "alpha_if_deleted": a_del,
        }
    )


@dataclass(frozen=True, repr=False)
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
    notes: tuple[str, ...] = ()

    @property
    def estimate(self) -> float:
        return self.omega_total

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [("omega_total", self.omega_total), ("alpha", self.alpha)]
        if self.omega_hierarchical is not None:
            rows.insert(1, ("omega_hierarchical", self.omega_hierarchical))
        return pd.DataFrame(
            {
                C.TERM: [r[0] for r in rows],
                C.ESTIMATE: [r[1] for r in rows],
                C.N: self.n,
                C.N_ITEMS: self.n_items,
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


@estimator()
def omega(
    items: pd.DataFrame | Moments,
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
    items : wide respondents x items frame, reverse-keyed items recoded, or its
        :class:`Moments` (:meth:`Moments.from_cov` for a published matrix).
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
    check_nan_policy(nan_policy)
    min_items = 3 if n_factors == 1 else 3 * n_factors
    m, _, _ = _moments_of(items, nan_policy, weights, min_items=min_items, extremes=False)
    with one_blas_thread():
        return _omega(m, n_factors, rotation)


def _omega(m: Moments, n_factors: int, rotation: str) -> OmegaResult:
    import pandas as pd

    cols = list(m.items)
    a = alpha_from_cov(m.cov)
    if n_factors == 1:
        from .confirmatory import fit_cov

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


@dataclass(frozen=True, repr=False)
class ReliabilityResult(ResultMixin):
    """Alpha, omega and the item table of one scale, from one pass over the data."""

    alpha: AlphaResult
    omega: OmegaResult
    item_stats: pd.DataFrame  # as item_stats(): one row per item
    moments: Moments
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return self.alpha.n

    @property
    def n_dropped(self) -> int:
        return self.alpha.n_dropped

    @property
    def ci_level(self) -> float:
        return self.alpha.ci_level

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        om = self.omega
        rows = [
            {
                C.TERM: "cronbach_alpha",
                C.ESTIMATE: self.alpha.alpha,
                C.CI_LOW: self.alpha.ci_low,
                C.CI_HIGH: self.alpha.ci_high,
            },
            {C.TERM: "omega_total", C.ESTIMATE: om.omega_total},
        ]
        if om.omega_hierarchical is not None:
            rows.append({C.TERM: "omega_hierarchical", C.ESTIMATE: om.omega_hierarchical})
        out = pd.DataFrame(rows, columns=[C.TERM, C.ESTIMATE, C.CI_LOW, C.CI_HIGH])
        return out.assign(
            **{C.N: self.alpha.n, C.N_ITEMS: self.alpha.n_items, C.N_DROPPED: om.n_dropped}
        )

    def summary(self) -> str:
        tab = self.item_stats
        worst = tab.loc[tab["r_drop"].idxmin()] if tab["r_drop"].notna().any() else None
        line = (
            ""
            if worst is None
            else f"\nweakest item: {worst['item']} (corrected item-total r "
            f"{worst['r_drop']:.3f}, alpha without it {worst['alpha_if_deleted']:.3f})"
        )
        return self.alpha.summary() + "\n" + self.omega.summary().splitlines()[0] + line


@estimator()
def reliability(
    items: pd.DataFrame | Moments,
    *,
    nan_policy: NanPolicy = "pairwise",
    ci: float = 0.95,
    weights: object = None,
    n_factors: int = 1,
    rotation: str = "oblimin",
    floor: float | None = None,
    ceiling: float | None = None,
) -> ReliabilityResult:
    r"""Cronbach's alpha, McDonald's omega and item statistics of one scale in one pass.

    The same numbers as :func:`cronbach_alpha`, :func:`omega` and :func:`item_stats`
    called one by one, with the data read once: the covariance matrix, item means,
    variances and floor and ceiling counts all come from one blocked pass
    (:func:`moments`),

    .. math:: \alpha = \frac{k}{k-1}\left(1 - \frac{\operatorname{tr} S}
              {\mathbf 1^\top S \mathbf 1}\right),\qquad
              \omega_t = \frac{(\sum_i \lambda_i)^2}{(\sum_i \lambda_i)^2 + \sum_i \theta_i}

    Parameters
    ----------
    items : wide respondents x items frame (reverse-keyed items recoded), or its
        :class:`Moments`.
    nan_policy, ci, weights : as :func:`cronbach_alpha`.
    n_factors, rotation : as :func:`omega`.
    floor, ceiling : as :func:`item_stats`.

    Returns
    -------
    ReliabilityResult with ``alpha`` (AlphaResult), ``omega`` (OmegaResult),
    ``item_stats`` (DataFrame) and the shared ``moments``.

    References
    ----------
    Cronbach (1951), Psychometrika 16:297-334. McDonald (1999), Test Theory: A Unified
    Treatment. R ``psych::alpha`` and ``psych::omega``.

    Examples
    --------
    >>> res = reliability(items)
    >>> res.alpha.alpha, res.omega.omega_total, res.item_stats["r_drop"].min()
    """
    check_nan_policy(nan_policy)
    level = check_ci(ci)
    min_items = 3 if n_factors == 1 else 3 * n_factors
    m, x, w = _moments_of(items, nan_policy, weights, min_items=min_items, extremes=True)
    with one_blas_thread():
        om = _omega(m, n_factors, rotation)
    return ReliabilityResult(
        alpha=_alpha(m, level, nan_policy),
        omega=om,
        item_stats=_item_frame(m, x, w, floor, ceiling),
        moments=m,
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
