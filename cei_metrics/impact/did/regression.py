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

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from ..._api import check_choice, check_ci, estimator
from ..._results import ResultMixin
from ...errors import EstimationError, OptionError, SchemaError
from ...schemas import C
from .._common import check_columns, drop_years, time_to_int, years_note

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DiDResult", "demean_two_way", "did_2x2", "twfe"]

Vcov = Literal["cluster", "hc1", "classical"]
#: the inference choices of :meth:`DiDResult.with_inference`
INFERENCE = ("classical", "hc1", "cluster", "wild", "randomization")
_LABEL = {"hc1": "heteroskedasticity-robust (HC1)", "classical": "classical OLS"}


@dataclass(frozen=True)
class _Fit:
    """What inference after the fit needs: the (within-transformed) design, residuals,
    weights and the rows used, and how to rebuild the regression on other data."""

    x: np.ndarray  # n x k regressors (two-way demeaned for twfe)
    y: np.ndarray  # n outcome (demeaned for twfe)
    e: np.ndarray  # residuals
    w: np.ndarray  # weights (ones when none)
    names: tuple[str, ...]
    k_absorbed: int  # parameters absorbed by the within transformation (0 for did_2x2)
    index: Any  # row labels of df used
    data: Any = field(repr=False)  # the caller's frame (not copied)
    unit: str | None = None
    time: str | None = None
    weighted: bool = False
    unit_codes: np.ndarray | None = None
    time_codes: np.ndarray | None = None


@dataclass(frozen=True, repr=False)
class DiDResult(ResultMixin):
    """A difference-in-differences coefficient with its inference.

    ``estimate, std_error, ci_low, ci_high, p_val`` refer to the treatment term;
    ``coefficients`` holds every estimated coefficient (fixed effects absorbed) with the
    protocol's columns. ``vcov`` says how the standard errors were computed; change it
    with :meth:`with_inference`.
    """

    term: str
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_val: float
    n: int
    n_clusters: int | None
    n_dropped: int
    vcov: str
    design: str
    ci_level: float
    coefficients: pd.DataFrame
    excluded_years: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    seed: int | None = None
    _fit: _Fit | None = field(default=None, repr=False, compare=False)

    _aliases: ClassVar = {"ci": "ci_level"}

    def to_frame(self) -> pd.DataFrame:
        return self.coefficients.copy()

    def summary(self) -> str:
        cl = f", {self.n_clusters} clusters" if self.n_clusters else ""
        lines = [
            f"{self.design}: {self.term} = {self.estimate:.4g} (SE {self.std_error:.4g}, "
            f"{self.ci_level:.0%} CI {self.ci_low:.4g} to {self.ci_high:.4g}, "
            f"p = {self.p_val:.3g})",
            f"n = {self.n}{cl}, {self.n_dropped} rows dropped; standard errors: {self.vcov}",
        ]
        note = years_note(self.excluded_years)
        if note:
            lines.append(note)
        lines.extend(self.notes)
        return "\n".join(lines)

    def with_inference(
        self,
        vcov: str,
        *,
        cluster: str | None = None,
        ci: float | None = None,
        n_boot: int = 9999,
        bootstrap_weights: str = "rademacher",
        impose_null: bool = True,
        n_perm: int = 999,
        seed: int | None = None,
    ) -> DiDResult:
        r"""The same estimate with other standard errors, intervals and p-values.

        Parameters
        ----------
        vcov : ``"classical"`` (textbook OLS), ``"hc1"`` (heteroskedasticity-robust),
            ``"cluster"`` (cluster-robust CR1 by ``cluster``; t with G - 1 df),
            ``"wild"`` (wild cluster bootstrap of the treatment term by ``cluster``:
            ``p_val`` from the bootstrap, the interval by test inversion, ``std_error``
            the cluster-robust one) or ``"randomization"`` (the treatment re-assigned
            across units -- ``cluster`` units for :func:`did_2x2`, the panel's units with
            their adoption times for :func:`twfe` -- ``p_val`` the share of assignments
            with an estimate at least as large; no standard error or interval).
        cluster : column of the data to cluster on (default: the result's clusters; the
            unit for twfe).
        ci : confidence level (default the result's).
        n_boot, bootstrap_weights, impose_null : as :func:`wild_cluster_bootstrap`.
        n_perm : assignments drawn for randomization inference (all when fewer).
        seed : seed of the bootstrap draws or assignments (stored in the result).

        Returns
        -------
        A new :class:`DiDResult`; ``call`` records the original call and this one.

        Agrees with statsmodels ``OLS.fit(cov_type="HC1" | "cluster")`` (tests, 1e-10),
        :func:`wild_cluster_bootstrap` with dummies and
        :func:`randomization_inference` (same draws, same p-values).
        """
        check_choice("vcov", vcov, INFERENCE)
        level = self.ci_level if ci is None else check_ci(ci)
        f = self._fit
        if f is None:  # pragma: no cover - results are always built with their fit
            raise OptionError("this result carries no fit", fix="re-estimate it")
        before = self.call.get("with_inference", {}).get("cluster")
        cluster = cluster or before or self.call.get("cluster") or f.unit
        notes = tuple(n for n in self.notes if not n.startswith("Inference after the fit"))
        extra: dict[str, Any] = {}
        if vcov in ("classical", "hc1", "cluster"):
            if vcov == "cluster" and cluster is None:
                raise OptionError("vcov='cluster' needs cluster=", fix="name the cluster column")
            out = _classic(self, f, vcov, cluster, level)
        elif vcov == "wild":
            if cluster is None:
                raise OptionError("vcov='wild' needs cluster=", fix="name the cluster column")
            out = _wild(self, f, cluster, level, n_boot, bootstrap_weights, impose_null, seed)
            extra["seed"] = seed
        else:
            out = _randomization(self, f, cluster, n_perm, seed)
            extra["seed"] = seed
        res = replace(self, ci_level=level, notes=notes + out.pop("notes", ()), **out, **extra)
        res._record_call(
            {
                **dict(self.call),
                "with_inference": {
                    "vcov": vcov,
                    "cluster": cluster,
                    "ci": level,
                    **(
                        {"n_boot": n_boot, "bootstrap_weights": bootstrap_weights}
                        if vcov == "wild"
                        else {}
                    ),
                    **({"n_perm": n_perm} if vcov == "randomization" else {}),
                    **({"seed": seed} if vcov in ("wild", "randomization") else {}),
                },
            }
        )
        return res


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


def _table(names, beta, cov, term, n, ncl, ci, df_resid) -> tuple[pd.DataFrame, dict]:
    """The coefficient table (protocol columns) and the treatment term's numbers."""
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
            C.TERM: list(names),
            C.ESTIMATE: beta,
            C.STD_ERROR: se,
            C.CI_LOW: beta - tq * se,
            C.CI_HIGH: beta + tq * se,
            C.P_VAL: pv,
            C.N: n,
        }
    )
    i = list(names).index(term)
    row = {
        C.ESTIMATE: float(beta[i]),
        C.STD_ERROR: float(se[i]),
        C.CI_LOW: float(beta[i] - tq * se[i]),
        C.CI_HIGH: float(beta[i] + tq * se[i]),
        C.P_VAL: float(pv[i]),
    }
    return tab, row


def _result(names, beta, cov, term, design, vcov, n, ncl, ndrop, ci, excluded, df_resid, fit):
    tab, row = _table(names, beta, cov, term, n, ncl, ci, df_resid)
    return DiDResult(
        term=term,
        **row,
        n=int(n),
        n_clusters=ncl,
        n_dropped=int(ndrop),
        vcov=vcov,
        design=design,
        ci_level=ci,
        coefficients=tab,
        excluded_years=excluded,
        _fit=fit,
    )


def _clusters(d, cluster):
    import pandas as pd

    if cluster is None:
        return None
    codes, _ = pd.factorize(d[cluster])
    return codes


def _cluster_codes(f: _Fit, cluster: str) -> np.ndarray:
    import pandas as pd

    check_columns(f.data, [cluster])
    col = f.data.loc[f.index, cluster]
    if col.isna().any():
        raise SchemaError(
            "the cluster column is missing for rows used in the fit",
            column=cluster,
            fix="fill the cluster identifier for every row",
        )
    return pd.factorize(col)[0]


def _k_extra(f: _Fit, vcov: str, cluster: str | None) -> int:
    """Absorbed parameters counted in the small-sample factor (see :func:`twfe`)."""
    if f.unit is None:
        return 0
    n_units = int(f.unit_codes.max()) + 1
    n_times = int(f.time_codes.max()) + 1
    if vcov != "cluster":
        return n_units + n_times - 1
    d = f.data.loc[f.index]
    nested = (
        cluster is None or cluster == f.unit or (d.groupby(f.unit)[cluster].nunique() == 1).all()
    )
    return (n_times - 1) + (0 if nested else n_units)


def _classic(res: DiDResult, f: _Fit, vcov: str, cluster: str | None, level: float) -> dict:
    cl = _cluster_codes(f, cluster) if vcov == "cluster" else None
    cov, ncl = _sandwich(f.x, f.e, f.w, cl, vcov, _k_extra(f, vcov, cluster))
    beta = res.coefficients[C.ESTIMATE].to_numpy()
    df_resid = len(f.y) - f.x.shape[1] - f.k_absorbed
    tab, row = _table(f.names, beta, cov, res.term, res.n, ncl, level, df_resid)
    label = f"cluster-robust by {cluster}" if vcov == "cluster" else _LABEL[vcov]
    return {**row, "coefficients": tab, "n_clusters": ncl, "vcov": label}


def _wild(res, f, cluster, level, n_boot, bootstrap_weights, impose_null, seed) -> dict:
    from ..inference.wild import wild_core

    if f.weighted:
        raise OptionError(
            "the wild cluster bootstrap here does not take weights",
            fix="use vcov='cluster', or estimate without weights",
        )
    g = _cluster_codes(f, cluster)
    G = int(g.max()) + 1
    if G < 3:
        raise EstimationError(
            f"only {G} clusters in {cluster!r}", column=cluster, fix="need at least 3 clusters"
        )
    j = list(f.names).index(res.term)
    xv = f.x[:, j]
    Z = np.delete(f.x, j, axis=1)
    within = _within(f)

    def resid_z(v):
        v = within(v)
        return v if Z.shape[1] == 0 else _lstsq_resid(Z, v)

    def resid_x(v):
        return _lstsq_resid(f.x, within(v))

    out = wild_core(
        f.y,
        xv,
        resid_z,
        resid_x,
        g,
        G,
        k=f.x.shape[1] + f.k_absorbed,
        null=0.0,
        impose_null=impose_null,
        bootstrap_weights=bootstrap_weights,
        n_boot=n_boot,
        ci=level,
        seed=seed,
        name=res.term,
    )
    cov_cl = _classic(res, f, "cluster", cluster, level)
    how = "all sign patterns" if out.enumerated else f"{out.n_boot} draws"
    return {
        C.STD_ERROR: cov_cl[C.STD_ERROR],
        C.CI_LOW: out.ci_low,
        C.CI_HIGH: out.ci_high,
        C.P_VAL: out.p_val,
        "coefficients": _replace_row(
            cov_cl["coefficients"], res.term, out.ci_low, out.ci_high, out.p_val
        ),
        "n_clusters": G,
        "vcov": f"wild cluster {'restricted' if impose_null else 'unrestricted'} bootstrap "
        f"by {cluster} ({bootstrap_weights} weights, {how}); standard error cluster-robust",
        "notes": (
            "Inference after the fit: only the treatment term has bootstrap p-value and "
            "interval; the other terms keep cluster-robust ones.",
        ),
    }


def _replace_row(tab, term, lo, hi, p):
    tab = tab.copy()
    i = tab.index[tab[C.TERM] == term][0]
    tab.loc[i, [C.CI_LOW, C.CI_HIGH, C.P_VAL]] = [lo, hi, p]
    return tab


def _lstsq_resid(M: np.ndarray, v: np.ndarray) -> np.ndarray:
    coef, *_ = np.linalg.lstsq(M, v, rcond=None)
    return v - M @ coef


def _within(f: _Fit):
    """The within transformation of the fit (identity for did_2x2)."""
    if f.unit_codes is None:
        return lambda v: v
    return lambda v: demean_two_way(v, f.unit_codes, f.time_codes, f.w)


def _randomization(res: DiDResult, f: _Fit, cluster: str | None, n_perm: int, seed) -> dict:
    import pandas as pd

    from ..inference.randomization import assignments, permutation_p_value

    if f.unit is None:  # did_2x2: the treated group re-assigned across clusters
        if cluster is None:
            raise OptionError(
                "randomization inference for did_2x2 needs cluster=, the units whose "
                "treated status is re-assigned",
                fix="name the unit column (e.g. district_id)",
            )
        d = f.data.loc[f.index]
        treated, post = res.call["treated"], res.call["post"]
        per = d.groupby(cluster, sort=True)[treated].agg(["min", "max"])
        if (per["min"] != per["max"]).any():
            raise SchemaError(
                f"{treated!r} varies within {cluster!r}",
                column=treated,
                fix="randomization needs the treated status fixed within each unit",
            )
        codes = pd.Categorical(d[cluster], categories=per.index).codes
        g = np.where(per["max"].to_numpy(float) > 0, 1.0, np.inf)
        gp, exact = assignments(g, n_perm, seed)
        p_ = d[post].to_numpy(float)
        x = f.x.copy()
        ig = list(f.names).index(treated)
        iy = list(f.names).index(res.term)
        sw = np.sqrt(f.w)
        null = np.empty(len(gp))
        for b, row in enumerate(gp):
            gv = np.isfinite(row)[codes].astype(float)
            x[:, ig] = gv
            x[:, iy] = gv * p_
            null[b] = np.linalg.lstsq(x * sw[:, None], f.y * sw, rcond=None)[0][iy]
        units, what = len(g), f"{treated!r} re-assigned across {cluster!r}"
    else:  # twfe: adoption times re-assigned across units
        d = f.data.loc[f.index]
        uc, tc = f.unit_codes, f.time_codes
        nu, nt = int(uc.max()) + 1, int(tc.max()) + 1
        if len(uc) != nu * nt:
            raise EstimationError(
                "randomization inference needs a balanced panel",
                fix="drop units with missing periods",
            )
        times = np.sort(np.unique(time_to_int(d[f.time], column=f.time)))
        dmat = np.zeros((nu, nt))
        dmat[uc, tc] = f.data.loc[f.index, res.term].to_numpy(float)
        if (np.diff(dmat, axis=1) < 0).any():
            raise EstimationError(
                "the treatment switches off for some unit",
                column=res.term,
                fix="randomization over adoption times needs an absorbing treatment",
            )
        first = np.where(dmat.any(axis=1), dmat.argmax(axis=1), -1)
        tint = np.array(times)
        # cohort per unit, units in sorted label order (as randomization_inference)
        labels = pd.Series(d[f.unit].to_numpy()).groupby(uc).first()
        order = np.argsort(labels.to_numpy(), kind="stable")
        g = np.where(first >= 0, tint[np.maximum(first, 0)], np.inf)[order]
        gp, exact = assignments(g, n_perm, seed)
        inv = np.empty_like(order)
        inv[order] = np.arange(nu)
        tcol = tint[tc]
        others = [i for i, nm in enumerate(f.names) if nm != res.term]
        zt = f.x[:, others]
        yt = f.y if not others else _lstsq_resid(zt * np.sqrt(f.w)[:, None], f.y)
        null = np.empty(len(gp))
        for lo in range(0, len(gp), 200):
            blk = gp[lo : lo + 200]
            dp = (tcol[None, :] >= blk[:, inv[uc]]).astype(float).T  # n x B
            dt = demean_two_way(dp, uc, tc, f.w)
            if others:
                dt = _lstsq_resid(zt, dt)
            null[lo : lo + len(blk)] = (f.w @ (dt * yt[:, None])) / (f.w @ (dt * dt))
        units, what = nu, f"adoption times re-assigned across {f.unit!r}"
    est = float(res.estimate)
    p = permutation_p_value(est, null, exact)
    how = "all assignments" if exact else f"{len(null)} random assignments"
    tab = _replace_row(res.coefficients, res.term, np.nan, np.nan, p)
    i = tab.index[tab[C.TERM] == res.term][0]
    tab.loc[i, C.STD_ERROR] = np.nan
    return {
        C.STD_ERROR: float("nan"),
        C.CI_LOW: float("nan"),
        C.CI_HIGH: float("nan"),
        C.P_VAL: p,
        "coefficients": tab,
        "vcov": f"randomization inference ({what}; {how} of {units} units)",
        "notes": (
            "Inference after the fit: randomization inference gives the treatment term a "
            "p-value under the sharp null of no effect, not a standard error or interval.",
        ),
    }


@estimator(renamed={"group": "treated", "controls": "covariates"})
def did_2x2(
    df: pd.DataFrame,
    y: str,
    treated: str,
    post: str,
    *,
    covariates: list[str] | None = None,
    cluster: str | None = None,
    weights: str | None = None,
    vcov: Vcov | None = None,
    ci: float = 0.95,
) -> DiDResult:
    r"""Two-group, two-period difference-in-differences by OLS.

    .. math:: y = \beta_0 + \delta_0 post + \beta_1 treated + \delta_1 treated \cdot post
              + X'\gamma + u

    :math:`\delta_1` is the DiD estimate: (treated after - before) - (comparison after -
    before) when there are no covariates.

    Parameters
    ----------
    df : one row per observation (unit-period or person).
    y : outcome; treated : 1 = a row of the treated group (formerly ``group``); post :
        1 = after period (0/1 columns).
    covariates : extra numeric regressors (formerly ``controls``).
    cluster : column to cluster standard errors on (e.g. ``district_id``).
    weights : sampling weights: the point estimate is weighted least squares and the
        robust and cluster-robust errors are those of Stata ``[pweight=]``; with
        ``vcov="classical"`` the error is statsmodels ``WLS``'s (weights read as
        inverse variances), which holds only for analytic weights.
    vcov : ``"cluster"`` (default when ``cluster`` is given), ``"hc1"`` (default
        otherwise) or ``"classical"`` (textbook OLS). Others after the fit:
        :meth:`DiDResult.with_inference`.
    ci : confidence level (t with clusters - 1 or residual df).

    Returns
    -------
    DiDResult for the term ``"treated:post"``; ``coefficients`` holds all four terms.

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
    level = check_ci(ci)
    if vcov is not None:
        check_choice("vcov", vcov, ("cluster", "hc1", "classical"))
    covariates = list(covariates or [])
    check_columns(df, [y, treated, post, cluster, weights, *covariates])
    _numeric(df, [y, treated, post, *covariates] + ([weights] if weights else []))
    cols = list(
        dict.fromkeys([y, treated, post, *covariates, *(c for c in (cluster, weights) if c)])
    )
    d = df[cols].dropna()
    ndrop = len(df) - len(d)
    for c in (treated, post):
        vals = set(np.unique(d[c].astype(float)))
        if not vals <= {0.0, 1.0} or len(vals) < 2:
            raise SchemaError(
                f"{c!r} must be a 0/1 indicator taking both values",
                column=c,
                fix="code the treated group and the after period as 0/1",
            )
    g = d[treated].to_numpy(float)
    p = d[post].to_numpy(float)
    term = "group:post"
    names = ("const", post, treated, term, *covariates)
    x = np.column_stack([np.ones(len(d)), p, g, g * p, *(d[c].to_numpy(float) for c in covariates)])
    yv = d[y].to_numpy(float)
    w = np.ones(len(d)) if weights is None else d[weights].to_numpy(float)
    if np.any(w <= 0):
        raise SchemaError("weights must be positive", column=weights, fix="drop zero weights")
    vc = vcov or ("cluster" if cluster else "hc1")
    if vc == "cluster" and cluster is None:
        raise OptionError("vcov='cluster' needs cluster=", fix="name the cluster column")
    beta = np.linalg.lstsq(x * np.sqrt(w)[:, None], yv * np.sqrt(w), rcond=None)[0]
    e = yv - x @ beta
    cov, ncl = _sandwich(x, e, w, _clusters(d, cluster), vc)
    fit = _Fit(
        x=x,
        y=yv,
        e=e,
        w=w,
        names=names,
        k_absorbed=0,
        index=d.index,
        data=df,
        weighted=weights is not None,
    )
    return _result(
        list(names),
        beta,
        cov,
        term,
        "2x2 difference-in-differences",
        f"cluster-robust by {cluster}" if vc == "cluster" else _LABEL[vc],
        len(d),
        ncl,
        ndrop,
        level,
        (),
        len(d) - x.shape[1],
        fit,
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


@estimator(renamed={"treat": "treatment", "controls": "covariates"})
def twfe(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    treatment: str,
    *,
    covariates: list[str] | None = None,
    cluster: str | None = None,
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
    treatment : 0/1 treatment status of each unit-period, 1 from adoption on (formerly
        ``treat``).
    covariates : time-varying numeric controls (formerly ``controls``).
    cluster : cluster column for standard errors; default the unit itself.
    weights : sampling weights (weighted least squares; see :func:`did_2x2` for what
        each ``vcov`` assumes of them).
    vcov : ``"cluster"`` (default), ``"hc1"`` or ``"classical"``. Cluster-robust SEs use
        the small-sample factor G/(G-1)(N-1)/(N-K) with K counting the period effects
        and regressors; unit effects nested within clusters are not counted (as Stata
        ``reghdfe``/``areg, vce(cluster)``). Others after the fit (wild cluster
        bootstrap, randomization inference): :meth:`DiDResult.with_inference`.
    ci : confidence level; exclude_years : periods dropped before estimation.

    Returns
    -------
    DiDResult for ``treatment``.

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

    level = check_ci(ci)
    check_choice("vcov", vcov, ("cluster", "hc1", "classical"))
    covariates = list(covariates or [])
    check_columns(df, [y, unit, time, treatment, cluster, weights, *covariates], what="panel")
    _numeric(df, [y, treatment, *covariates] + ([weights] if weights else []))
    d, excluded = drop_years(df, time, exclude_years)
    cols = list(
        dict.fromkeys(
            [y, unit, time, treatment, *covariates, *(c for c in (cluster, weights) if c)]
        )
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
    if len(d) == 0 or d[treatment].nunique() < 2:
        raise EstimationError(
            "the treatment indicator does not vary",
            column=treatment,
            fix="twfe needs treated and untreated unit-periods",
        )
    uc, _ = pd.factorize(d[unit])
    tc, tu = pd.factorize(time_to_int(d[time], column=time), sort=True)
    w = np.ones(len(d)) if weights is None else d[weights].to_numpy(float)
    names = [treatment, *covariates]
    x = d[names].to_numpy(float)
    yv = d[y].to_numpy(float)
    z = demean_two_way(np.column_stack([yv, x]), uc, tc, w)
    yt, xt = z[:, 0], z[:, 1:]
    if np.allclose(xt[:, 0], 0):
        raise EstimationError(
            "the treatment is collinear with the unit and period effects",
            column=treatment,
            fix="treatment must switch on at different times or for some units only",
        )
    sw = np.sqrt(w)
    beta = np.linalg.lstsq(xt * sw[:, None], yt * sw, rcond=None)[0]
    e = yt - xt @ beta
    n_units, n_times = uc.max() + 1, len(tu)
    fit = _Fit(
        x=xt,
        y=yt,
        e=e,
        w=w,
        names=tuple(names),
        k_absorbed=int(n_units + n_times - 1),
        index=d.index,
        data=df,
        unit=unit,
        time=time,
        weighted=weights is not None,
        unit_codes=uc.astype(np.int64),
        time_codes=tc.astype(np.int64),
    )
    if vcov == "cluster":
        cl = uc if cluster is None else pd.factorize(d[cluster])[0]
    else:
        cl = None
    cov, ncl = _sandwich(xt, e, w, cl, vcov, _k_extra(fit, vcov, cluster))
    label = f"cluster-robust by {cluster or unit}" if vcov == "cluster" else _LABEL[vcov]
    return _result(
        names,
        beta,
        cov,
        treatment,
        "Two-way fixed effects",
        label,
        len(d),
        ncl,
        ndrop,
        level,
        excluded,
        len(d) - x.shape[1] - n_units - n_times + 1,
        fit,
    )


def _numeric(df, cols):
    import pandas as pd

    for c in cols:
        if not (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])):
            raise SchemaError(
                f"column {c!r} is not numeric",
                column=c,
                fix="convert it to numbers (0/1 for indicators) before estimating",
            )
