r"""Two-group difference-in-differences and two-way fixed effects regressions.

:func:`did_2x2` is the textbook regression

.. math:: y = \beta_0 + \delta_0\,post + \beta_1\,group + \delta_1\,group\times post + u

and :func:`twfe` the panel regression with unit and period fixed effects

.. math:: y_{it} = \alpha_i + \lambda_t + \beta D_{it} + X_{it}'\gamma + u_{it}

estimated by the within transformation (alternating projections; exact in one sweep
on a balanced panel) rather than thousands of dummies. With staggered adoption and
effects that change over time the TWFE coefficient is a weighted average of 2x2
comparisons, some of them "forbidden" (see :func:`bacon_decomposition`); use
:func:`att_gt` then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from .._results import ResultMixin
from ..errors import EstimationError, SchemaError
from ._did_common import check_ci, check_columns, drop_years, time_to_int, years_note

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DiDResult", "did_2x2", "twfe"]

Vcov = Literal["cluster", "hc1", "classical"]


@dataclass(frozen=True)
class DiDResult(ResultMixin):
    """A difference-in-differences coefficient with its inference.

    ``estimate, std_error, ci_low, ci_high, p_val`` refer to the treatment term;
    ``coefficients`` holds every estimated coefficient (fixed effects absorbed).
    """

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_val: float
    n: int
    n_clusters: int | None
    n_dropped: int
    vcov: str
    term: str
    design: str
    ci: float
    coefficients: pd.DataFrame
    excluded_years: tuple[int, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return self.coefficients.copy()

    def summary(self) -> str:
        cl = f", {self.n_clusters} clusters" if self.n_clusters else ""
        lines = [
            f"{self.design}: {self.term} = {self.estimate:.4g} (SE {self.std_error:.4g}, "
            f"{self.ci:.0%} CI {self.ci_low:.4g} to {self.ci_high:.4g}, p = {self.p_val:.3g})",
            f"n = {self.n}{cl}, {self.n_dropped} rows dropped; standard errors: {self.vcov}",
        ]
        note = years_note(self.excluded_years)
        if note:
            lines.append(note)
        return "\n".join(lines)


def _numeric(df, cols):
    import pandas as pd

    for c in cols:
        if not (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])):
            raise SchemaError(
                f"column {c!r} is not numeric",
                column=c,
                fix="convert it to numbers (0/1 for indicators) before estimating",
            )


def _sandwich(x, e, w, groups, vcov: str, k_extra: int = 0):
    """OLS/WLS covariance. ``k_extra`` counts absorbed parameters (fixed effects)."""
    n, k = x.shape
    xw = x * w[:, None]
    bread = np.linalg.inv(x.T @ xw)
    kk = k + k_extra
    if n - kk <= 0:
        raise EstimationError(
            "no residual degrees of freedom", fix="use more observations or fewer terms"
        )
    if vcov == "classical":
        s2 = np.sum(w * e**2) / (n - kk)
        return bread * s2, None
    if vcov == "hc1":
        sc = xw * e[:, None]
        return bread @ (sc.T @ sc) @ bread * n / (n - kk), None
    codes = groups
    g = int(codes.max()) + 1
    if g < 2:
        raise EstimationError(
            "cluster-robust standard errors need at least two clusters",
            fix="cluster on a coarser or different variable, or use vcov='hc1'",
        )
    sc = np.zeros((g, k))
    np.add.at(sc, codes, xw * e[:, None])
    corr = g / (g - 1) * (n - 1) / (n - kk)
    return bread @ (sc.T @ sc) @ bread * corr, g


def _result(names, beta, cov, term, design, vcov, n, ncl, ndrop, ci, excluded, df_resid):
    import pandas as pd
    from scipy import stats

    se = np.sqrt(np.diag(cov))
    # t reference: clusters - 1 df for cluster-robust, residual df otherwise (Stata-like)
    dof = (ncl - 1) if ncl else df_resid
    tq = stats.t.ppf(0.5 + ci / 2, dof)
    with np.errstate(divide="ignore", invalid="ignore"):
        pv = 2 * stats.t.sf(np.abs(beta / se), dof)
    tab = pd.DataFrame(
        {
            "term": names,
            "estimate": beta,
            "std_error": se,
            "ci_low": beta - tq * se,
            "ci_high": beta + tq * se,
            "p_val": pv,
            "n": n,
        }
    )
    i = names.index(term)
    return DiDResult(
        estimate=float(beta[i]),
        std_error=float(se[i]),
        ci_low=float(beta[i] - tq * se[i]),
        ci_high=float(beta[i] + tq * se[i]),
        p_val=float(pv[i]),
        n=int(n),
        n_clusters=ncl,
        n_dropped=int(ndrop),
        vcov=vcov,
        term=term,
        design=design,
        ci=ci,
        coefficients=tab,
        excluded_years=excluded,
    )


def _clusters(d, cluster):
    import pandas as pd

    if cluster is None:
        return None
    codes, _ = pd.factorize(d[cluster])
    return codes


def did_2x2(
    df: pd.DataFrame,
    y: str,
    group: str,
    post: str,
    *,
    cluster: str | None = None,
    weights: str | None = None,
    controls: list[str] | None = None,
    vcov: Vcov | None = None,
    ci: float = 0.95,
) -> DiDResult:
    r"""Two-group, two-period difference-in-differences by OLS.

    .. math:: y = \beta_0 + \delta_0 post + \beta_1 group + \delta_1 group \cdot post + X'\gamma + u

    :math:`\delta_1` is the DiD estimate: (treated after - before) - (comparison after -
    before) when there are no controls.

    Parameters
    ----------
    df : one row per observation (unit-period or person).
    y : outcome; group : 1 = treated group; post : 1 = after period (0/1 columns).
    cluster : column to cluster standard errors on (e.g. ``district_id``).
    weights : analytic weights (WLS, e.g. enrolment of a school's rate).
    controls : extra numeric regressors.
    vcov : ``"cluster"`` (default when ``cluster`` is given), ``"hc1"`` (default
        otherwise) or ``"classical"`` (textbook OLS).
    ci : confidence level (t with clusters - 1 or residual df).

    Returns
    -------
    DiDResult for the term ``"group:post"``; ``coefficients`` holds all four terms.

    Missing data: rows missing any used column are dropped (``n_dropped``).

    References
    ----------
    Wooldridge, *Introductory Econometrics*, section 13.2, Example 13.3 (reproduced in
    the tests: -11,863.9, SE 7,456.6).

    Examples
    --------
    >>> did_2x2(kielmc, "rprice", "nearinc", "y81", vcov="classical").estimate
    -11863.90...
    """
    check_ci(ci)
    controls = list(controls or [])
    check_columns(df, [y, group, post, cluster, weights, *controls])
    _numeric(df, [y, group, post, *controls] + ([weights] if weights else []))
    cols = list(dict.fromkeys([y, group, post, *controls, *(c for c in (cluster, weights) if c)]))
    d = df[cols].dropna()
    ndrop = len(df) - len(d)
    for c in (group, post):
        vals = set(np.unique(d[c].astype(float)))
        if not vals <= {0.0, 1.0} or len(vals) < 2:
            raise SchemaError(
                f"{c!r} must be a 0/1 indicator taking both values",
                column=c,
                fix="code the treated group and the after period as 0/1",
            )
    g = d[group].to_numpy(float)
    p = d[post].to_numpy(float)
    names = ["const", post, group, "group:post", *controls]
    x = np.column_stack([np.ones(len(d)), p, g, g * p, *(d[c].to_numpy(float) for c in controls)])
    yv = d[y].to_numpy(float)
    w = np.ones(len(d)) if weights is None else d[weights].to_numpy(float)
    if np.any(w <= 0):
        raise SchemaError("weights must be positive", column=weights, fix="drop zero weights")
    vc = vcov or ("cluster" if cluster else "hc1")
    if vc == "cluster" and cluster is None:
        raise EstimationError("vcov='cluster' needs cluster=", fix="name the cluster column")
    beta = np.linalg.lstsq(x * np.sqrt(w)[:, None], yv * np.sqrt(w), rcond=None)[0]
    e = yv - x @ beta
    cov, ncl = _sandwich(x, e, w, _clusters(d, cluster), vc)
    label = {"cluster": f"cluster-robust by {cluster}", "hc1": "heteroskedasticity-robust (HC1)"}
    return _result(
        names,
        beta,
        cov,
        "group:post",
        "2x2 difference-in-differences",
        label.get(vc, "classical OLS"),
        len(d),
        ncl,
        ndrop,
        ci,
        (),
        len(d) - x.shape[1],
    )


def demean_two_way(
    v: np.ndarray,
    unit_codes: np.ndarray,
    time_codes: np.ndarray,
    w: np.ndarray | None = None,
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> np.ndarray:
    """Remove unit and period means (weighted) by alternating projections.

    ``v`` is n or n x k. One sweep is exact on a balanced panel; unbalanced panels
    iterate until the largest change falls below ``tol`` (relative to the data scale).
    """
    v = np.asarray(v, dtype=float)
    one = v.ndim == 1
    m = v[:, None].copy() if one else v.copy()
    w = np.ones(len(m)) if w is None else w
    wu = np.bincount(unit_codes, weights=w)
    wt = np.bincount(time_codes, weights=w)
    wu[wu == 0] = 1.0  # codes without rows
    wt[wt == 0] = 1.0
    scale = max(np.abs(m).max(), 1.0)
    for _ in range(max_iter):
        mu = (
            np.stack(
                [np.bincount(unit_codes, weights=w * m[:, j]) for j in range(m.shape[1])], axis=1
            )
            / wu[:, None]
        )
        m -= mu[unit_codes]
        mt = (
            np.stack(
                [np.bincount(time_codes, weights=w * m[:, j]) for j in range(m.shape[1])], axis=1
            )
            / wt[:, None]
        )
        m -= mt[time_codes]
        if np.abs(mt).max() < tol * scale:
            break
    else:  # pragma: no cover - pathological designs only
        raise EstimationError(
            "the fixed-effects projection did not converge",
            fix="check for units observed in a single period or disconnected panels",
        )
    return m[:, 0] if one else m


def twfe(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    treat: str,
    *,
    cluster: str | None = None,
    controls: list[str] | None = None,
    weights: str | None = None,
    vcov: Vcov = "cluster",
    ci: float = 0.95,
    exclude_years: list | tuple | None = None,
) -> DiDResult:
    r"""Two-way fixed effects DiD: unit and period effects absorbed by demeaning.

    .. math:: \tilde y_{it} = \beta \tilde D_{it} + \tilde X_{it}'\gamma + \tilde u_{it}

    where a tilde marks the two-way within transformation (alternating projections).
    Equal to the regression with unit and period dummies (proved in the tests).

    Parameters
    ----------
    df : long panel, one row per unit and period.
    y : outcome; unit, time : identifiers (time may be a school year "2019-20");
    treat : 0/1 treatment indicator (1 from adoption on).
    cluster : cluster column for standard errors; default the unit itself.
    controls : time-varying numeric controls.
    weights : analytic weights.
    vcov : ``"cluster"`` (default), ``"hc1"`` or ``"classical"``. Cluster-robust SEs use
        the small-sample factor G/(G-1)(N-1)/(N-K) with K counting the period effects
        and regressors; unit effects nested within clusters are not counted (as Stata
        ``reghdfe``/``areg, vce(cluster)``).
    ci : confidence level; exclude_years : periods dropped before estimation.

    Returns
    -------
    DiDResult for ``treat``.

    Missing data: rows missing any used column are dropped (``n_dropped``); units seen
    in one period only carry no information and are dropped too.

    References
    ----------
    Wooldridge (2010), *Econometric Analysis of Cross Section and Panel Data*, ch. 10.
    Goodman-Bacon (2021), J. Econometrics 225:254-277 (what the coefficient averages).

    Examples
    --------
    >>> twfe(castle, "l_homicide", "sid", "year", "post").estimate
    0.0818...
    """
    import pandas as pd

    check_ci(ci)
    controls = list(controls or [])
    check_columns(df, [y, unit, time, treat, cluster, weights, *controls], what="panel")
    _numeric(df, [y, treat, *controls] + ([weights] if weights else []))
    d, excluded = drop_years(df, time, exclude_years)
    cols = list(
        dict.fromkeys([y, unit, time, treat, *controls, *(c for c in (cluster, weights) if c)])
    )
    d = d[cols].dropna()
    if d[[unit, time]].duplicated().any():
        raise SchemaError(
            "a unit appears twice in one period",
            column=time,
            fix="keep one row per unit and period",
        )
    counts = d.groupby(unit)[time].transform("size")
    d = d.loc[counts > 1]
    ndrop = len(df) - len(d) - (len(df) - len(drop_years(df, time, exclude_years)[0]))
    if len(d) == 0 or d[treat].nunique() < 2:
        raise EstimationError(
            "the treatment indicator does not vary",
            column=treat,
            fix="twfe needs treated and untreated unit-periods",
        )
    uc, _ = pd.factorize(d[unit])
    tc, tu = pd.factorize(time_to_int(d[time], column=time))
    w = np.ones(len(d)) if weights is None else d[weights].to_numpy(float)
    names = [treat, *controls]
    x = d[names].to_numpy(float)
    yv = d[y].to_numpy(float)
    z = demean_two_way(np.column_stack([yv, x]), uc, tc, w)
    yt, xt = z[:, 0], z[:, 1:]
    if np.allclose(xt[:, 0], 0):
        raise EstimationError(
            "the treatment is collinear with the unit and period effects",
            column=treat,
            fix="treatment must switch on at different times or for some units only",
        )
    sw = np.sqrt(w)
    beta = np.linalg.lstsq(xt * sw[:, None], yt * sw, rcond=None)[0]
    e = yt - xt @ beta
    n_units, n_times = uc.max() + 1, len(tu)
    if vcov == "cluster":
        cl = uc if cluster is None else pd.factorize(d[cluster])[0]
        nested = cluster is None or (d.groupby(unit)[cluster].nunique() == 1).all()
        k_extra = (n_times - 1) + (0 if nested else n_units)
    else:
        cl = None
        k_extra = n_units + n_times - 1
    cov, ncl = _sandwich(xt, e, w, cl, vcov, k_extra)
    label = {
        "cluster": f"cluster-robust by {cluster or unit}",
        "hc1": "heteroskedasticity-robust (HC1)",
    }
    return _result(
        names,
        beta,
        cov,
        treat,
        "Two-way fixed effects",
        label.get(vcov, "classical OLS"),
        len(d),
        ncl,
        ndrop,
        ci,
        excluded,
        len(d) - x.shape[1] - n_units - n_times + 1,
    )
