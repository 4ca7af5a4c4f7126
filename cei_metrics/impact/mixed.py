r"""Multilevel (mixed) linear models: students or schools within districts.

A thin wrapper over ``statsmodels`` ``MixedLM`` (Lindstrom & Bates 1988) for the designs
an evaluator meets: repeated measures within people or schools, students within schools
within districts. For group :math:`j`

.. math:: y_j = X_j\beta + Z_j u_j + \sum_{\ell} W_{j\ell} v_{j\ell} + e_j, \quad
    u_j \sim N(0, \Sigma), \quad v_{j\ell} \sim N(0, \tau^2_\ell I), \quad
    e_j \sim N(0, \sigma^2 I)

where :math:`u_j` are the group's random intercept (and slopes, ``re_formula``) and
:math:`v_{j\ell}` the random intercepts of the units nested in it (``nested``, e.g.
schools within a district). What the wrapper adds: input checks with a fix, rows with a
missing value in any model column dropped and counted, more than one optimizer tried
before non-convergence is declared, boundary (singular) fits decided as R ``lme4``
decides them (the optimum over lme4's bounded parameter space, whichever optimizer
stopped, then ``isSingular``'s rule) and reported in words, variance components as SDs, variances and correlations, and
intraclass correlations per level.
"""

from __future__ import annotations

import ast
import io
import keyword
import tokenize
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .._api import estimator
from .._results import ResultMixin
from ..errors import EstimationError, OptionError, SchemaError
from ..schemas import RESULT_COLUMNS, C
from ._common import check_ci, check_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["MultilevelResult", "multilevel"]

#: Optimizers tried in turn (scipy.optimize names) until one converges.
DEFAULT_OPTIMIZERS: tuple[str, ...] = ("lbfgs", "bfgs", "cg", "powell")

#: A relative random-effect scale (Cholesky diagonal of the covariance divided by the
#: residual SD) below this counts as a boundary fit: the default of ``lme4::isSingular``.
SINGULAR_TOL = 1e-4

#: A fit with a relative random-effect scale held at zero (the edge of lme4's parameter
#: space) is preferred when its criterion is within this relative tolerance of the best
#: interior one: closer than that, the two cannot be told apart numerically.
EDGE_RTOL = 1e-9

#: Gradient tolerance of the BFGS refinement run after the first optimizer converges.
REFINE_GTOL = 1e-8

_OPTIMIZERS = frozenset({"lbfgs", "bfgs", "cg", "powell", "nm", "basinhopping", "minimize"})

_FIXED_COLUMNS = list(RESULT_COLUMNS)
# broom.mixed's layout with the protocol's term first: effect and group follow
_TIDY_COLUMNS = [*_FIXED_COLUMNS, "effect", C.GROUP]
_ICC_COLUMNS = ["level", "variance", "share", "icc"]


@dataclass(frozen=True, repr=False)
class MultilevelResult(ResultMixin):
    """A fitted linear mixed model.

    Attributes
    ----------
    fixed : fixed effects, one row per term: ``term, estimate, std_error, ci_low,
        ci_high, p_val, n`` (Wald z intervals and tests, as statsmodels reports them).
    variance_components : ``level, term, variance, sd``: one row per random effect
        (the grouping level's intercept and slopes, each nested level's intercept) and
        a last row ``Residual``.
    correlations : ``level, term1, term2, corr``: correlations among one level's random
        effects (random slopes only; empty otherwise).
    residual_sd : :math:`\\hat\\sigma`.
    icc : ``level, variance, share, icc`` for random-intercept models: ``share`` is the
        level's part of the total variance, ``icc`` the correlation of two observations
        in the same unit of that level (the level's share plus those of the levels
        above it). Empty when the model has random slopes (the ICC then depends on the
        covariates).
    loglik : log-likelihood at the estimate (the restricted one when ``reml``).
    aic, bic : information criteria; ``None`` for REML fits, whose likelihoods are not
        comparable across fixed-effect specifications.
    n, n_groups, n_dropped : rows used, groups of the top level, rows dropped for a
        missing value in any model column.
    n_units : level -> number of units (groups, then each nested level).
    reml : REML (True) or maximum likelihood.
    optimizer : the scipy optimizer whose fit is reported.
    converged : the optimizer converged and the curvature at the estimate is usable.
    singular : a boundary fit: a variance estimated at zero or a random-effect
        covariance matrix that is singular (``lme4::isSingular``).
    message : what happened, in words (optimizers tried, boundary fits, warnings).
    fit : the statsmodels ``MixedLMResults`` (random-effect predictions, covariance of
        the estimates, likelihood profiles). For a fit decided on the edge of the
        parameter space the tables come from lme4's criterion there and ``fit`` is
        statsmodels' own unbounded fit, the nearest it can reach; None when statsmodels
        produced no fit and lme4's criterion did.
    """

    fixed: pd.DataFrame
    variance_components: pd.DataFrame
    correlations: pd.DataFrame
    residual_sd: float
    icc: pd.DataFrame
    loglik: float
    aic: float | None
    bic: float | None
    n: int
    n_groups: int
    n_units: dict[str, int]
    n_dropped: int
    reml: bool
    optimizer: str
    converged: bool
    singular: bool
    message: str
    formula: str
    groups: str
    re_formula: str | None
    nested: tuple[str, ...]
    ci_level: float
    fit: Any = field(default=None, repr=False, compare=False)
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"ci": "ci_level"}

    @property
    def residual_variance(self) -> float:
        """:math:`\\hat\\sigma^2`."""
        return self.residual_sd**2

    @property
    def criterion(self) -> float:
        """-2 log-likelihood: R ``lme4``'s "REML criterion at convergence" for REML fits,
        its "deviance" for ML fits."""
        return -2.0 * self.loglik

    def to_frame(self) -> pd.DataFrame:
        """Tidy table in the layout of R ``broom.mixed::tidy``: fixed effects
        (``effect = "fixed"``) then random-effect SDs and correlations
        (``effect = "ran_pars"``, terms ``sd__X``, ``cor__X.Y``, ``sd__Observation``)."""
        import pandas as pd

        fixed = self.fixed.assign(effect="fixed", group="")
        rows = []
        for r in self.variance_components.itertuples(index=False):
            term = "sd__Observation" if r.level == "Residual" else f"sd__{r.term}"
            rows.append({"effect": "ran_pars", "group": r.level, "term": term, C.ESTIMATE: r.sd})
        for r in self.correlations.itertuples(index=False):
            rows.append(
                {
                    "effect": "ran_pars",
                    "group": r.level,
                    "term": f"cor__{r.term1}.{r.term2}",
                    C.ESTIMATE: r.corr,
                }
            )
        ran = pd.DataFrame(rows).assign(
            std_error=np.nan, ci_low=np.nan, ci_high=np.nan, p_val=np.nan, n=self.n
        )
        return pd.concat([fixed, ran], ignore_index=True)[_TIDY_COLUMNS]

    @property
    def n_clusters(self) -> int:
        """Groups of the top level (``n_groups``)."""
        return self.n_groups

    def summary(self) -> str:
        fit = "REML" if self.reml else "maximum likelihood"
        levels = ", ".join(f"{k} ({v:,})" for k, v in self.n_units.items())
        crit = "REML criterion" if self.reml else "deviance"
        ic = "" if self.aic is None else f", AIC {self.aic:.2f}, BIC {self.bic:.2f}"
        lines = [
            f"Linear mixed model ({fit}): {self.formula}",
            f"n = {self.n:,} rows ({self.n_dropped:,} dropped for missing values); "
            f"levels: {levels}",
            f"{self.message}",
            f"log-likelihood {self.loglik:.3f} ({crit} {self.criterion:.2f}){ic}",
            "",
            "Fixed effects (Wald z):",
            self.fixed.drop(columns="n").to_string(index=False, float_format=lambda v: f"{v:.4g}"),
            "",
            "Random effects:",
            self.variance_components.to_string(index=False, float_format=lambda v: f"{v:.4g}"),
        ]
        if len(self.correlations):
            lines += [
                "Correlations:",
                self.correlations.to_string(index=False, float_format=lambda v: f"{v:.3f}"),
            ]
        if len(self.icc):
            lines.append(
                "Intraclass correlation: "
                + ", ".join(f"{r.level} {r.icc:.3f}" for r in self.icc.itertuples(index=False))
            )
        else:
            lines.append("Intraclass correlation: not reported (random slopes)")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Input handling


def _as_tuple(nested: str | Sequence[str] | None) -> tuple[str, ...]:
    if nested is None:
        return ()
    if isinstance(nested, str):
        return (nested,)
    return tuple(nested)


def _formula_names(formula: str | None, columns: Iterable[str]) -> list[str]:
    """Data columns a patsy formula refers to (bare names and ``Q("...")`` strings)."""
    if not formula:
        return []
    cols = set(map(str, columns))
    found: list[str] = []
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(formula).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as e:
        raise SchemaError(
            f"the formula {formula!r} cannot be read ({e})",
            fix='write a patsy formula such as "score ~ treated + C(year)"',
        ) from None
    for t in toks:
        if t.type == tokenize.NAME and t.string in cols:
            found.append(t.string)
        elif t.type == tokenize.STRING:
            try:
                s = ast.literal_eval(t.string)
            except (ValueError, SyntaxError):
                continue
            if isinstance(s, str) and s in cols:
                found.append(s)
    return list(dict.fromkeys(found))


def _check_formula(data: pd.DataFrame, formula: str, re_formula: str | None) -> None:
    import pandas as pd

    if not isinstance(formula, str) or "~" not in formula:
        raise SchemaError(
            f"formula must be a string 'outcome ~ terms', got {formula!r}",
            fix='write e.g. "chronic_absenteeism ~ treated + C(year)"',
        )
    for f, what in ((formula, "formula"), (re_formula, "re_formula")):
        if f is not None and "|" in f:
            raise SchemaError(
                f"the {what} {f!r} uses lme4's '(term | group)' notation",
                fix="name the grouping column in groups= and the random slopes in "
                're_formula=; lme4 (1 + Days | Subject) is groups="Subject", '
                're_formula="~Days"; (1 | district/school) is groups="district", '
                'nested="school"',
            )
    lhs = formula.split("~", 1)[0].strip()
    if not lhs:
        raise SchemaError(
            f"the formula {formula!r} has no outcome", fix='put the outcome left of "~"'
        )
    if lhs.isidentifier() and not keyword.iskeyword(lhs):
        if lhs not in data.columns:
            raise SchemaError(
                f"the data have no outcome column {lhs!r}",
                column=lhs,
                fix=f"name an existing column; the frame has {list(data.columns)[:12]}",
            )
        s = data[lhs]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            raise SchemaError(
                f"the outcome {lhs!r} is not numeric (dtype {s.dtype})",
                column=lhs,
                fix="convert it to numbers before fitting (e.g. pd.to_numeric), or model "
                "a 0/1 outcome as a proportion at the group level",
            )


def _unit_codes(d: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Integer codes of the distinct combinations of ``keys`` (a unit nested in others)."""
    return d.groupby(keys, sort=True, observed=True, dropna=False).ngroup().to_numpy()


# ---------------------------------------------------------------------------------------
# Fitting


def _fit_attempt(model, reml: bool, method: str, start=None, **kw):
    """One call of ``MixedLM.fit``; returns the result (None on error) and the
    statsmodels convergence and singularity warnings it raised, as text."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, SingularMatrixWarning

    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            res = model.fit(reml=reml, method=method, start_params=start, **kw)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError) as e:
            return None, [f"{method} stopped with an error: {e}"]
    notes = []
    for w in rec:
        if issubclass(w.category, (ConvergenceWarning, SingularMatrixWarning)):
            text = str(w.message)
            # statsmodels flags variances below 0.01 in absolute terms (scale dependent);
            # boundary fits are judged below on the relative scale, as lme4 does
            if "boundary of the parameter space" in text:
                continue
            if text not in notes:
                notes.append(text)
    return res, notes


def _usable(res) -> bool:
    return (
        res is not None
        and bool(res.converged)
        and np.isfinite(res.llf)
        and bool(np.all(np.isfinite(np.asarray(res.bse_fe, dtype=float))))
    )


def _cholesky_diag(a: np.ndarray) -> np.ndarray:
    """Diagonal of the lower Cholesky factor of a positive semidefinite matrix, with
    zeros where it is rank deficient (numpy's ``cholesky`` refuses such matrices)."""
    k = a.shape[0]
    low = np.zeros((k, k))
    for j in range(k):  # k is the number of random effects per group: 1 to a few
        d = a[j, j] - low[j, :j] @ low[j, :j]
        low[j, j] = np.sqrt(d) if d > 0 else 0.0
        if low[j, j] > 0:
            low[j + 1 :, j] = (a[j + 1 :, j] - low[j + 1 :, :j] @ low[j, :j]) / low[j, j]
    return np.diag(low).copy()


def _psd_cholesky(a: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor of a positive semidefinite matrix with a nonnegative
    diagonal; a column below a zero pivot is zero (the rank-deficient direction)."""
    k = a.shape[0]
    low = np.zeros((k, k))
    for j in range(k):
        d = a[j, j] - low[j, :j] @ low[j, :j]
        low[j, j] = np.sqrt(d) if d > 0 else 0.0
        if low[j, j] > 0:
            low[j + 1 :, j] = (a[j + 1 :, j] - low[j + 1 :, :j] @ low[j, :j]) / low[j, j]
    return low


def _theta(res) -> tuple[np.ndarray, np.ndarray]:
    """lme4's ``theta`` of a statsmodels fit, in statsmodels' packed order: the lower
    triangle (row by row) of the Cholesky factor of the random-effect covariance over
    the residual variance, then each nested variance component's SD over the residual
    SD; and the positions of the elements bounded below by zero (the diagonal)."""
    k_re = int(res.k_re)
    rows, cols = np.tril_indices(k_re)
    low = _psd_cholesky(np.asarray(res.cov_re_unscaled, dtype=float).reshape(k_re, k_re))
    vc = np.sqrt(np.clip(np.asarray(res.vcomp, dtype=float) / float(res.scale), 0, None))
    theta = np.concatenate([low[rows, cols], vc[: int(res.k_vc)]])
    diag = np.concatenate([np.flatnonzero(rows == cols), len(rows) + np.arange(int(res.k_vc))])
    return theta, diag.astype(int)


class _Deviance:
    """lme4's profiled deviance of a statsmodels ``MixedLM`` model, as a function of
    ``theta`` (:func:`_theta`), computed as lme4 computes it (Bates et al. 2015, eqs.
    34 and 41): with :math:`\\Lambda_\\theta` the relative Cholesky factor of group
    :math:`j`'s random effects,

    .. math:: M_j = I + \\Lambda'Z_j'Z_j\\Lambda, \\qquad
        d(\\theta) = \\sum_j \\log|M_j| + \\log|X'V^{-1}X|_{REML}
        + \\nu\\left(1 + \\log\\frac{2\\pi r^2(\\theta)}{\\nu}\\right)

    with :math:`V^{-1} = I - Z\\Lambda M^{-1}\\Lambda'Z'` (the residual variance
    profiled out), :math:`r^2` the penalised residual sum of squares at the GLS
    estimate and :math:`\\nu = n - p` (REML) or :math:`n` (ML). Unlike statsmodels'
    criterion, which inverts the random-effect covariance, it is finite and exact on
    the edge of the parameter space (a zero variance, a correlation of one), which is
    where boundary fits are decided. The per-group cross-products are computed once.
    """

    def __init__(self, model, reml: bool) -> None:
        self.k_re = int(model.k_re)
        self.k_vc = int(model.k_vc)
        self.reml = bool(reml)
        self.p = int(model.k_fe)
        self.n = int(sum(len(y) for y in model.endog_li))
        self.rows, self.cols = np.tril_indices(self.k_re)
        self.stats = []
        for j in range(model.n_groups):
            x = np.asarray(model.exog_li[j], dtype=float)
            y = np.asarray(model.endog_li[j], dtype=float)
            zs = [np.asarray(model.exog_re_li[j], dtype=float).reshape(len(y), self.k_re)]
            owner = [np.arange(self.k_re)]  # which theta scales each column (-1: the L block)
            for c in range(self.k_vc):
                w = np.asarray(model.exog_vc.mats[c][j], dtype=float).reshape(len(y), -1)
                zs.append(w)
                owner.append(np.full(w.shape[1], c))
            z = np.hstack(zs)
            vc_of = np.concatenate(owner[1:]) if self.k_vc else np.zeros(0, int)
            self.stats.append((z.T @ z, z.T @ x, z.T @ y, x.T @ x, x.T @ y, float(y @ y), vc_of))

    def lam(self, theta: np.ndarray, vc_of: np.ndarray) -> np.ndarray:
        """Relative Cholesky factor of one group's random effects."""
        k = self.k_re
        q = k + len(vc_of)
        lam = np.zeros((q, q))
        lam[self.rows, self.cols] = theta[: len(self.rows)]
        if len(vc_of):
            idx = np.arange(k, q)
            lam[idx, idx] = theta[len(self.rows) + vc_of]
        return lam

    def solve(self, theta: np.ndarray):
        """(deviance, beta, X'V^-1 X, sigma^2, penalised RSS) at ``theta``."""
        p = self.p
        xvx = np.zeros((p, p))
        xvy = np.zeros(p)
        yvy = 0.0
        logdet = 0.0
        for ztz, ztx, zty, xtx, xty, yty, vc_of in self.stats:
            lam = self.lam(theta, vc_of)
            m = lam.T @ ztz @ lam
            m[np.diag_indices_from(m)] += 1.0
            r = np.linalg.cholesky(m)
            logdet += 2.0 * np.log(np.diag(r)).sum()
            a = np.linalg.solve(r, lam.T @ ztx)
            b = np.linalg.solve(r, lam.T @ zty)
            xvx += xtx - a.T @ a
            xvy += xty - a.T @ b
            yvy += yty - b @ b
        rx = np.linalg.cholesky(xvx)
        beta = np.linalg.solve(xvx, xvy)
        rss = max(yvy - beta @ xvy, 1e-300)
        nu = self.n - p if self.reml else self.n
        dev = logdet + nu * (1.0 + np.log(2.0 * np.pi * rss / nu))
        if self.reml:
            dev += 2.0 * np.log(np.diag(rx)).sum()
        return dev, beta, xvx, rss / nu, rss

    def __call__(self, theta: np.ndarray) -> float:
        try:
            return float(self.solve(np.asarray(theta, dtype=float))[0])
        except np.linalg.LinAlgError:
            return np.inf


def _diag_positions(k_re: int, k_vc: int) -> np.ndarray:
    """Positions in ``theta`` of the elements bounded below by zero."""
    rows, cols = np.tril_indices(k_re)
    return np.concatenate([np.flatnonzero(rows == cols), len(rows) + np.arange(k_vc)]).astype(int)


def _bounded_optimum(model, res, reml: bool, force: bool = False):
    """The optimum of the profiled (RE)ML criterion over lme4's parameter space, when
    the statsmodels fit ``res`` is near its edge.

    lme4 optimizes ``theta`` (:func:`_theta`) with its diagonal bounded below by zero
    and, when it stops at that edge, checks that moving back inside does not improve the
    fit (``lmerControl(restart_edge=TRUE)``). statsmodels optimizes the same parameters
    without the bound and evaluates its criterion through the inverse of the random-
    effect covariance, so near the edge a fit can stop short of it, or at the edge's
    saddle point where the criterion falls inside. When any diagonal element of the fit
    is below 0.05, the criterion of :class:`_Deviance` (exact on the edge) is minimised
    with the bound (L-BFGS-B) from the fit and from a point inside, and each element
    near the edge is also tried at zero with the others re-optimised: the edge wins when
    it fits as well (:data:`EDGE_RTOL`).

    With ``force`` (no statsmodels optimizer converged) it runs wherever the fit
    stopped, as one more optimizer.

    Returns ``(theta, deviance, crit, converged)`` when the bounded optimum is on the
    edge or better than ``res``, else None.
    """
    from scipy.optimize import minimize

    if res is None:  # lme4's start: identity relative covariance
        k_re, k_vc = int(model.k_re), int(model.k_vc)
        rows, cols = np.tril_indices(k_re)
        theta0 = np.concatenate([(rows == cols).astype(float), np.ones(k_vc)])
        diag = _diag_positions(k_re, k_vc)
    elif not np.isfinite(res.llf):
        return None
    else:
        theta0, diag = _theta(res)
    if len(theta0) == 0 or not (force or np.any(theta0[diag] < 0.05)):
        return None
    crit = _Deviance(model, reml)
    bounds = [(None, None)] * len(theta0)
    for i in diag:
        bounds[i] = (0.0, None)
    theta0 = theta0.copy()
    opts = {"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000}
    f0 = crit(theta0) if res is not None else np.inf
    starts = [theta0]
    inside = theta0.copy()
    inside[diag] = np.maximum(inside[diag], 0.5)  # half the residual SD: well inside
    starts.append(inside)
    best = None
    with np.errstate(all="ignore"):
        for x in starts:
            out = minimize(crit, x, method="L-BFGS-B", bounds=bounds, options=opts)
            if best is None or out.fun < best.fun:
                best = out
        # near the edge the criterion depends on an element only through its square, so
        # its gradient vanishes there and a gradient method stops short; lme4's
        # derivative-free bobyqa does not. Each element near the edge is also tried at
        # zero, the others re-optimised: the edge wins when it fits as well.
        for i in sorted((i for i in diag if best.x[i] < 0.05), key=lambda i: best.x[i]):
            if best.x[i] == 0.0:
                continue
            x = np.asarray(best.x, dtype=float).copy()
            x[i] = 0.0
            held = list(bounds)
            held[i] = (0.0, 0.0)
            out = minimize(crit, x, method="L-BFGS-B", bounds=held, options=opts)
            if out.fun <= best.fun + EDGE_RTOL * max(1.0, abs(best.fun)):
                best = out
    theta = np.asarray(best.x, dtype=float).copy()
    theta[diag] = np.where(theta[diag] < SINGULAR_TOL * 1e-3, 0.0, theta[diag])
    dev = crit(theta)
    on_edge = bool(np.any(theta[diag] < SINGULAR_TOL))
    better = not np.isfinite(f0) or dev < f0 - 1e-9 * max(1.0, abs(f0))
    if not np.isfinite(dev) or (not on_edge and not better):
        return None
    # converged: the optimizer's own test, or a projected gradient that vanishes
    step = 1e-6 * np.maximum(1.0, np.abs(theta))
    grad = np.array([(crit(theta + e) - dev) / h for e, h in zip(np.diag(step), step)])
    free = np.array([not (i in set(diag) and theta[i] == 0.0) for i in range(len(theta))])
    kkt = np.all(np.abs(grad[free]) < 1e-3 * max(1.0, abs(dev))) and np.all(grad[~free] > -1e-3)
    return theta, dev, crit, bool(best.success or kkt)


def _packed_start(theta: np.ndarray, res) -> np.ndarray:
    """statsmodels' packed start (fixed effects, then the Cholesky factor and variance
    component SDs in its square-root parametrisation) for ``theta``."""
    return np.concatenate([np.asarray(res.fe_params, dtype=float), theta])


class _EdgeFit:
    """A fit on the edge of lme4's parameter space, in the attributes of statsmodels'
    ``MixedLMResults`` that :func:`multilevel` reads: computed from ``theta`` by
    :class:`_Deviance` as lme4 computes them (fixed effects by GLS, their covariance
    :math:`\\hat\\sigma^2 (X'\\tilde V^{-1} X)^{-1}`, variances
    :math:`\\hat\\sigma^2\\Lambda\\Lambda'`), since statsmodels cannot evaluate the
    model there. Wald z intervals and tests, as statsmodels reports them."""

    def __init__(self, theta: np.ndarray, crit: _Deviance, model) -> None:
        import pandas as pd

        dev, beta, xvx, sigma2, _ = crit.solve(theta)
        k = crit.k_re
        low = np.zeros((k, k))
        low[crit.rows, crit.cols] = theta[: len(crit.rows)]
        self.k_fe, self.k_re, self.k_vc = crit.p, k, crit.k_vc
        self.fe_params = beta
        self.cov_params_fe = sigma2 * np.linalg.inv(xvx)
        self.bse_fe = np.sqrt(np.diag(self.cov_params_fe))
        z = beta / self.bse_fe
        from scipy.stats import norm

        self.pvalues = 2 * norm.sf(np.abs(z))
        self.scale = float(sigma2)
        self.cov_re_unscaled = low @ low.T
        names = list(model.data.exog_re_names)
        self.cov_re = pd.DataFrame(sigma2 * self.cov_re_unscaled, index=names, columns=names)
        self.vcomp = sigma2 * theta[len(crit.rows) :] ** 2
        self.llf = -0.5 * float(dev)
        n_par = crit.p + len(theta) + 1
        self.aic = float(dev) + 2 * n_par
        self.bic = float(dev) + np.log(crit.n) * n_par
        self.converged = True

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        from scipy.stats import norm

        q = norm.ppf(1 - alpha / 2)
        return np.column_stack([self.fe_params - q * self.bse_fe, self.fe_params + q * self.bse_fe])


def _smallest_scale(res) -> float:
    """Smallest relative random-effect scale (``lme4``'s theta): Cholesky diagonal of
    the covariance over the residual variance, and each variance component's SD over
    the residual SD."""
    vals = []
    if int(res.k_re):
        vals.extend(_cholesky_diag(np.asarray(res.cov_re_unscaled, dtype=float)))
    if res.k_vc:
        vals.extend(np.sqrt(np.clip(np.asarray(res.vcomp, dtype=float) / res.scale, 0, None)))
    return float(np.min(np.abs(vals))) if vals else float("nan")


def _singular_terms(res, re_names: list[str], groups: str, nested: tuple[str, ...]) -> list[str]:
    """Random-effect terms at the boundary, by ``lme4::isSingular``'s rule: a diagonal
    element of the Cholesky factor of the relative covariance (covariance divided by the
    residual variance) below :data:`SINGULAR_TOL`. Returns a phrase per term."""
    out = []
    k_re = int(res.k_re)
    if k_re:
        rel = np.asarray(res.cov_re_unscaled, dtype=float)  # covariance / sigma^2
        lam = _cholesky_diag(rel)
        for i, (name, v) in enumerate(zip(re_names, lam, strict=True)):
            if np.isfinite(v) and abs(v) >= SINGULAR_TOL:
                continue
            if rel[i, i] < SINGULAR_TOL**2:
                out.append(f"the {groups} {name} variance is estimated at zero")
            else:
                out.append(
                    f"the {groups} {name} effect is perfectly correlated with the "
                    f"{groups} effects before it (singular covariance)"
                )
    if res.k_vc:
        rel_vc = np.asarray(res.vcomp, dtype=float) / float(res.scale)
        for name, v in zip(nested, rel_vc, strict=True):
            if not np.isfinite(v) or np.sqrt(max(v, 0.0)) < SINGULAR_TOL:
                out.append(f"the {name} variance is estimated at zero")
    return out


@estimator(renamed={"data": "df", "method": "optimizer"})
def multilevel(
    df: pd.DataFrame,
    formula: str,
    *,
    groups: str,
    re_formula: str | None = None,
    nested: str | Sequence[str] | None = None,
    reml: bool = True,
    optimizer: str | Sequence[str] | None = None,
    ci: float = 0.95,
) -> MultilevelResult:
    r"""Linear mixed model with random effects for groups and units nested in them.

    .. math:: y_{ij} = x_{ij}'\beta + z_{ij}'u_j + e_{ij}, \qquad
        u_j \sim N(0, \Sigma), \quad e_{ij} \sim N(0, \sigma^2)

    With ``nested`` units (e.g. school :math:`k` in district :math:`j`) each adds an
    independent random intercept, :math:`y_{ijk} = x'\beta + u_j + v_{jk} + e_{ijk}`,
    and the intraclass correlations per level are

    .. math:: \rho_{district} = \frac{\tau^2_d}{\tau^2_d + \tau^2_s + \sigma^2}, \qquad
        \rho_{school} = \frac{\tau^2_d + \tau^2_s}{\tau^2_d + \tau^2_s + \sigma^2}

    (the correlation of two observations in the same district but different schools,
    and in the same school); with one level, :math:`\rho = \tau^2/(\tau^2 + \sigma^2)`.

    Parameters
    ----------
    df : one row per observation (student, school-year, ...) (formerly ``data``).
    formula : patsy formula of the fixed effects, ``"outcome ~ x1 + C(year)"``. It sees
        the data columns, numpy as ``np`` and patsy's ``C()``, ``I()``, ``Q()``.
    groups : column of the top grouping level (e.g. ``district_id``).
    re_formula : random effects of each group, statsmodels syntax: ``None`` (a random
        intercept), ``"~Days"`` (intercept and slope, correlated: lme4
        ``(Days | Subject)``), ``"0 + Days"`` (slope only).
    nested : column, or list of columns from outer to inner, of units nested within
        ``groups`` (lme4 ``(1 | district/school)`` is ``groups="district",
        nested="school"``). Unit labels need only be unique within their parent: they
        are combined with the levels above them. Each level gets a random intercept, a
        statsmodels variance component.
    reml : restricted maximum likelihood (default, as lme4) or maximum likelihood
        (``False``; needed to compare fixed-effect specifications by AIC/BIC).
    optimizer : scipy optimizer name or list of names tried in turn until one converges
        (formerly ``method``, which names the estimator everywhere else);
        default ``("lbfgs", "bfgs", "cg", "powell")``. ``optimizer`` in the result says
        which one's fit is reported.
    ci : confidence level of the fixed-effect intervals (Wald, normal quantile).

    Returns
    -------
    MultilevelResult with ``fixed``, ``variance_components``, ``correlations``,
    ``residual_sd``, ``icc``, ``loglik``, ``aic``/``bic`` (ML only), ``n``,
    ``n_groups``, ``n_units``, ``n_dropped``, ``optimizer``, ``converged``,
    ``singular`` and ``message``.

    Missing data: rows missing a value in any model column (outcome, covariates,
    grouping and nested columns) are dropped before fitting and counted in
    ``n_dropped``; NaN cells and absent rows give the same fit.

    Inference on fixed effects is Wald z, as statsmodels reports it; R ``lme4`` prints
    no p-values and ``lmerTest`` uses Satterthwaite degrees of freedom. With few groups
    (a handful of districts) z intervals are too narrow: prefer
    :func:`~cei_metrics.impact.wild_cluster_bootstrap` for a district-level effect.

    References
    ----------
    Laird & Ware (1982), Biometrics 38:963-974. Lindstrom & Bates (1988), JASA
    83:1014-1022 (the algorithm of statsmodels ``MixedLM``). Bates, Maechler, Bolker &
    Walker (2015), J. Statistical Software 67(1) (R ``lme4``; the tests reproduce its
    ``sleepstudy``, ``Pastes`` and ``Dyestuff2`` fits). Snijders & Bosker (2012),
    *Multilevel Analysis*, 2nd ed. (intraclass correlations in two- and three-level
    models).

    Examples
    --------
    >>> res = multilevel(sleepstudy, "Reaction ~ Days", groups="Subject", re_formula="~Days")
    >>> res.fixed[["term", "estimate", "std_error"]].round(3)
            term  estimate  std_error
    0  Intercept   251.405      6.825
    1       Days    10.467      1.546
    >>> multilevel(pastes, "strength ~ 1", groups="batch", nested="cask").icc.round(3)
       level  variance  share    icc
    0  batch     1.657  0.154  0.154
    1   cask     8.434  0.783  0.937
    """
    import pandas as pd
    import statsmodels.formula.api as smf

    data = df
    method = optimizer
    ci = check_ci(ci)
    nested_t = _as_tuple(nested)
    check_columns(data, [groups, *nested_t], what="data")
    if len(set((groups, *nested_t))) != 1 + len(nested_t):
        raise SchemaError(
            "groups and nested name the same column twice",
            column=groups,
            fix="list each level once, outer to inner: groups='district_id', nested='school_id'",
        )
    _check_formula(data, formula, re_formula)
    methods = (
        DEFAULT_OPTIMIZERS
        if method is None
        else ((method,) if isinstance(method, str) else tuple(method))
    )
    bad = [m for m in methods if str(m).lower() not in _OPTIMIZERS]
    if not methods or bad:
        raise OptionError(
            f"optimizer={method!r} names no optimizer MixedLM can use"
            + (f" ({', '.join(map(str, bad))})" if bad else ""),
            fix=f"leave optimizer=None or choose from {', '.join(sorted(_OPTIMIZERS))}",
        )

    used = _formula_names(formula, data.columns) + _formula_names(re_formula, data.columns)
    cols = list(dict.fromkeys([*used, groups, *nested_t]))
    d = data[cols].dropna().reset_index(drop=True)
    n_dropped = len(data) - len(d)
    if len(d) == 0:
        raise EstimationError(
            "no row is complete in the model columns",
            fix=f"check the columns {cols} for missing values",
        )
    n_groups = int(d[groups].nunique())
    if n_groups < 2:
        raise EstimationError(
            f"a multilevel model needs at least two groups; {groups!r} has {n_groups}",
            column=groups,
            fix="fit across several districts/schools, or use an ordinary regression",
        )
    if n_groups == len(d):
        raise EstimationError(
            f"every group of {groups!r} has a single row, so the group variance cannot be "
            "told apart from the residual",
            column=groups,
            fix="group by a coarser unit (e.g. district rather than student)",
        )

    work = d.copy()
    n_units = {groups: n_groups}
    vc = None
    if nested_t:
        vc = {}
        keys = [groups]
        for k, col in enumerate(nested_t):
            keys.append(col)
            codes = _unit_codes(d, keys)
            name = f"cm_unit_{k}"
            while name in work.columns:
                name = "_" + name
            work[name] = np.char.add("u", codes.astype(str))  # string -> categorical in patsy
            vc[col] = f"0 + {name}"
            n_k = int(codes.max()) + 1
            above = list(n_units.values())[-1]
            if n_k <= above:
                raise EstimationError(
                    f"each unit of {keys[-2]!r} holds a single {col!r}, so the {col!r} "
                    "variance cannot be told apart from the level above",
                    column=col,
                    fix=f"drop nested={col!r}, or check that {col!r} identifies the units",
                )
            n_units[col] = n_k
    re = re_formula if re_formula is not None else ("1" if nested_t else None)

    try:
        with np.errstate(invalid="ignore", divide="ignore"):  # reported below, as errors
            model = smf.mixedlm(
                formula, work, groups=groups, re_formula=re, vc_formula=vc, eval_env={"np": np}
            )
    except Exception as e:  # patsy reports unknown names and bad terms as PatsyError
        text = str(e).strip()
        first = text.splitlines()[0] if text else type(e).__name__
        if "missing values" in first:
            fix = (
                "a term of the formula turns complete rows into missing values (e.g. the "
                "square root of a negative number): transform the columns before fitting "
                "and drop the rows you do not want"
            )
        else:
            fix = (
                "use existing column names; formulas see the data columns, numpy as np "
                "and patsy's C(), I(), Q()"
            )
        raise SchemaError(
            f"the model could not be built from formula {formula!r}"
            + (f" and re_formula {re_formula!r}" if re_formula else "")
            + f": {first}",
            fix=fix,
        ) from None
    checks = [(model.endog, "outcome"), (model.exog, "fixed-effect terms")]
    if getattr(model, "exog_re", None) is not None:
        checks.append((model.exog_re, "random-effect terms"))
    for arr, what in checks:
        if not np.all(np.isfinite(np.asarray(arr, dtype=float))):
            raise SchemaError(
                f"the formula {formula!r} gives infinite values in the {what} "
                "(e.g. the log of zero)",
                fix="transform the columns before fitting and drop the rows you do not want",
            )

    # optimizers in turn; each starts where the previous one stopped ----------------------
    tried: list[str] = []
    chosen = None
    fallback = None
    start = None
    for m in methods:
        res, notes = _fit_attempt(model, reml, m, start)
        if _usable(res):
            chosen = (m, res, notes)
            break
        tried.append(m)
        if res is not None and np.isfinite(res.llf):
            start = res.params_object
            if fallback is None or res.llf > fallback[1].llf:
                fallback = (m, res, notes)
    sm_fit = None
    if chosen is None and fallback is None:
        # statsmodels produced nothing: lme4's criterion from lme4's start is one more try
        bounded = _bounded_optimum(model, None, reml, force=True)
        if bounded is None or not bounded[3]:
            raise EstimationError(
                f"no optimizer produced a fit (tried {', '.join(methods)}, then bounded "
                "L-BFGS-B on lme4's criterion)",
                fix="check for a constant outcome, collinear fixed effects or groups with "
                "no variation; simplify re_formula",
            )
        theta, _, crit, _ = bounded
        ok, notes, res = True, [], _EdgeFit(theta, crit, model)
        opt = "bounded L-BFGS-B (lme4's criterion)"
        tried = list(methods)
    else:
        ok = chosen is not None
        opt, res, notes = chosen if ok else fallback
        if ok:
            # statsmodels stops L-BFGS at a loose tolerance that leaves the 4th digit of a
            # variance on a flat likelihood uncertain; a BFGS step with a tight gradient
            # tolerance from that point reaches the optimum lme4 reports (kept only if it
            # converges and the likelihood is no worse)
            ref, ref_notes = _fit_attempt(model, reml, "bfgs", res.params_object, gtol=REFINE_GTOL)
            if _usable(ref) and ref.llf >= res.llf - 1e-9 * max(1.0, abs(res.llf)):
                opt, res, notes = f"{opt}, refined by bfgs", ref, ref_notes
        # lme4's parameter space has a boundary (theta >= 0 on the diagonal) that
        # statsmodels' unbounded optimizers do not: whichever optimizer stopped, the fit
        # reported is the optimum over that bounded space, so a boundary fit is decided
        # as lme4 decides it
        sm_fit = res
        bounded = _bounded_optimum(model, res, reml, force=not ok)
        if bounded is not None and (ok or bounded[3]):
            theta, _, crit, _ = bounded
            diag = _diag_positions(int(model.k_re), int(model.k_vc))
            was_ok = ok
            ok, res = True, _EdgeFit(theta, crit, model)
            notes = [t for t in notes if "Hessian" not in t]
            if np.all(theta[diag] >= SINGULAR_TOL):
                # a better optimum inside: statsmodels can reach it from there
                start = _packed_start(theta, sm_fit)
                inner, inner_notes = _fit_attempt(model, reml, "bfgs", start, gtol=REFINE_GTOL)
                if _usable(inner) and -2 * inner.llf <= crit(theta) + 1e-7 * abs(crit(theta)):
                    res, notes, sm_fit = inner, inner_notes, inner
                    opt = f"{opt}, restarted inside the edge by bounded L-BFGS-B, then bfgs"
                else:
                    opt = f"{opt}, then bounded L-BFGS-B"
            else:
                opt = f"{opt}, then bounded L-BFGS-B (boundary fit)"
            if not was_ok:
                tried.append(opt.split(",")[0])

    # tables -------------------------------------------------------------------------------
    k_fe = int(res.k_fe)
    fe_names = list(model.exog_names)
    cov_re = res.cov_re
    re_names = ["Intercept" if str(x) == str(groups) else str(x) for x in cov_re.index]
    conf = np.asarray(res.conf_int(alpha=1 - ci), dtype=float)[:k_fe]
    fixed = pd.DataFrame(
        {
            "term": fe_names,
            C.ESTIMATE: np.asarray(res.fe_params, dtype=float),
            C.STD_ERROR: np.asarray(res.bse_fe, dtype=float),
            C.CI_LOW: conf[:, 0],
            C.CI_HIGH: conf[:, 1],
            C.P_VAL: np.asarray(res.pvalues, dtype=float)[:k_fe],
            "n": len(work),
        }
    )[_FIXED_COLUMNS]
    cre = np.asarray(cov_re, dtype=float)
    vcomp = np.asarray(res.vcomp, dtype=float) if res.k_vc else np.zeros(0)
    scale = float(res.scale)
    vrows = [
        {"level": str(groups), "term": nm, "variance": cre[i, i]} for i, nm in enumerate(re_names)
    ]
    vrows += [{"level": c, "term": "Intercept", "variance": v} for c, v in zip(nested_t, vcomp)]
    vrows.append({"level": "Residual", "term": "", "variance": scale})
    variance_components = pd.DataFrame(vrows)
    variance_components["sd"] = np.sqrt(np.clip(variance_components["variance"], 0, None))
    crows = []
    for i in range(len(re_names)):
        for j in range(i):
            den = np.sqrt(cre[i, i] * cre[j, j])
            corr = cre[i, j] / den if den > 0 else np.nan
            crows.append(
                {"level": str(groups), "term1": re_names[j], "term2": re_names[i], "corr": corr}
            )
    correlations = pd.DataFrame(crows, columns=["level", "term1", "term2", "corr"])

    if re_names == ["Intercept"]:
        lv = [str(groups), *nested_t]
        var = np.array([cre[0, 0], *vcomp])
        total = var.sum() + scale
        icc = pd.DataFrame(
            {"level": lv, "variance": var, "share": var / total, "icc": np.cumsum(var) / total}
        )
    else:
        icc = pd.DataFrame(columns=_ICC_COLUMNS)

    # words ---------------------------------------------------------------------------------
    sing = _singular_terms(res, re_names, str(groups), nested_t)
    hess = [t for t in notes if "Hessian" in t]
    sing_warn = [t for t in notes if "singular" in t.lower() and t not in hess]
    other = [t for t in notes if t not in hess and t not in sing_warn]
    msg = []
    if ok:
        msg.append(f"Converged ({opt})" + (f" after {', '.join(tried)} did not." if tried else "."))
    else:
        msg.append(
            f"Did not converge with any optimizer tried ({', '.join(methods)}); the fit "
            f"reported is {opt}'s, the one with the highest likelihood."
        )
    if sing:
        msg.append(
            "Boundary (singular) fit: "
            + "; ".join(sing)
            + ". The data do not support that random effect: report it as such, or drop "
            "the term."
        )
    elif sing_warn:
        msg.append(
            "Close to the boundary: statsmodels found the random-effect covariance "
            f"numerically singular; the smallest relative random-effect scale is "
            f"{_smallest_scale(res):.1e}, above lme4's singular threshold {SINGULAR_TOL:g}."
        )
    converged = ok and not (hess and not sing)
    if hess:
        msg.append(
            "The Hessian of the likelihood is not positive definite at the estimate"
            + (
                " (expected at a boundary)."
                if sing
                else ": standard errors are unreliable, so the fit is not counted as converged."
            )
        )
    if other:
        msg.append("statsmodels: " + " ".join(dict.fromkeys(other)))

    return MultilevelResult(
        fixed=fixed,
        variance_components=variance_components[["level", "term", "variance", "sd"]],
        correlations=correlations,
        residual_sd=float(np.sqrt(scale)),
        icc=icc[_ICC_COLUMNS] if len(icc) else icc,
        loglik=float(res.llf),
        aic=None if reml else float(res.aic),
        bic=None if reml else float(res.bic),
        n=len(work),
        n_groups=n_groups,
        n_units=n_units,
        n_dropped=int(n_dropped),
        reml=bool(reml),
        optimizer=str(opt),
        converged=bool(converged),
        singular=bool(sing),
        message=" ".join(msg),
        formula=formula,
        groups=str(groups),
        re_formula=re_formula,
        nested=nested_t,
        ci_level=ci,
        fit=sm_fit,
    )
