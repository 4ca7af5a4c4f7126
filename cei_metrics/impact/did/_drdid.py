"""Two-period, two-group DiD estimators on panel data with their influence functions:
outcome regression, normalized (Hajek) IPW and the doubly robust estimator of
Sant'Anna & Zhao (2020). They are the building blocks of :func:`att_gt`.

Each takes the outcome change ``dy`` (post minus base period), the treated indicator
``d``, a covariate matrix ``x`` whose first column is the intercept, and sampling weights
``w`` (rescaled here to mean one). Each returns ``(att, inf)`` where ``inf`` is the
influence function scaled as in R ``DRDID``: ``var(att) ~ mean(inf**2) / n``.

The formulas follow R ``DRDID`` 1.2 (``reg_did_panel``, ``std_ipw_did_panel``,
``drdid_panel``), which R ``did::att_gt`` calls for ``est_method = "reg" | "ipw" | "dr"``,
including the propensity-score trimming of control units at 0.995.
"""

from __future__ import annotations

import numpy as np

from ...errors import EstimationError

TRIM_LEVEL = 0.995


def logit_irls(
    d: np.ndarray, x: np.ndarray, w: np.ndarray, *, tol: float = 1e-10, max_iter: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted logistic regression by Newton-Raphson (IRLS).

    Returns ``(beta, p, hess_inv)`` where ``hess_inv = (X' diag(w p (1-p)) X)^{-1}`` is the
    model-based covariance of ``beta`` (R ``vcov(glm(..., weights=w))``). Equal to
    statsmodels ``GLM(Binomial, freq_weights=w)`` (checked in the tests); written here
    because one small fit per (g, t) cell through statsmodels costs ~50x more.
    """
    k = x.shape[1]
    beta = np.zeros(k)
    # start from the intercept-only solution: fast and stable
    pbar = np.clip(np.sum(w * d) / np.sum(w), 1e-6, 1 - 1e-6)
    beta[0] = np.log(pbar / (1 - pbar))
    converged = False
    dev_old = np.inf
    for _ in range(max_iter):
        eta = x @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        wv = w * p * (1 - p)
        h = (x * wv[:, None]).T @ x
        g = x.T @ (w * (d - p))
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            raise EstimationError(
                "the propensity-score model is singular (covariates collinear or constant "
                "within the comparison)",
                fix="drop collinear or constant covariates, or use method='reg'",
            ) from None
        beta = beta + step
        eps = np.finfo(float).tiny
        pe = np.clip(1.0 / (1.0 + np.exp(-(x @ beta))), eps, 1 - 1e-16)
        dev = -2 * np.sum(w * (d * np.log(pe) + (1 - d) * np.log1p(-pe)))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            converged = True
            break
        dev_old = dev
    if not converged or not np.all(np.isfinite(beta)):
        raise EstimationError(
            "the propensity-score logit did not converge (likely perfect separation: "
            "a covariate predicts treatment exactly)",
            fix="drop or coarsen the separating covariate, or use method='reg'",
        )
    p = 1.0 / (1.0 + np.exp(-(x @ beta)))
    wv = w * p * (1 - p)
    hess_inv = np.linalg.inv((x * wv[:, None]).T @ x)
    return beta, p, hess_inv


def _wols(dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray):
    """Weighted OLS of ``dy`` on ``x`` among controls and its asymptotic linear rep."""
    n = len(dy)
    wc = w * (1 - d)
    xtx = (x * wc[:, None]).T @ x
    try:
        coef = np.linalg.solve(xtx, (x * wc[:, None]).T @ dy)
    except np.linalg.LinAlgError:
        raise EstimationError(
            "the outcome regression on the comparison units is singular",
            fix="drop collinear covariates, or covariates constant among comparison units",
        ) from None
    fit = x @ coef
    xpx_inv = np.linalg.inv(xtx / n)
    alr = (wc * (dy - fit))[:, None] * x @ xpx_inv
    return fit, alr


def reg_did_panel(dy, d, x, w):
    """Outcome-regression DiD (Heckman, Ichimura & Todd 1997) with influence function."""
    w = w / w.mean()
    fit, alr_ols = _wols(dy, d, x, w)
    w_t = w * d
    att_t = w_t * dy
    att_c = w_t * fit
    eta_t = att_t.mean() / w_t.mean()
    eta_c = att_c.mean() / w_t.mean()
    inf_t = (att_t - w_t * eta_t) / w_t.mean()
    m1 = (w_t[:, None] * x).mean(axis=0)
    inf_c = (att_c - w_t * eta_c + alr_ols @ m1) / w_t.mean()
    return eta_t - eta_c, inf_t - inf_c


def _pscore(d, x, w):
    """Propensity score (trimmed) and its asymptotic linear representation; ``w`` already
    rescaled to mean one."""
    _, p, hess_inv = logit_irls(d, x, w)
    p = np.minimum(p, 1 - 1e-6)
    trim = np.ones_like(p, dtype=bool)
    trim[d == 0] = p[d == 0] < TRIM_LEVEL
    n = len(d)
    alr_ps = (w * (d - p))[:, None] * x @ (hess_inv * n)
    return p, trim, alr_ps


def std_ipw_did_panel(dy, d, x, w, ps=None):
    """Normalized (Hajek) IPW DiD of Abadie (2005) with influence function. ``ps``: the
    result of :func:`_pscore` for the same ``d, x, w`` when already computed."""
    w = w / w.mean()
    p, trim, alr_ps = _pscore(d, x, w) if ps is None else ps
    w_t = trim * w * d
    w_c = trim * w * p * (1 - d) / (1 - p)
    eta_t = (w_t * dy).mean() / w_t.mean()
    eta_c = (w_c * dy).mean() / w_c.mean()
    inf_t = (w_t * dy - w_t * eta_t) / w_t.mean()
    m2 = (w_c * (dy - eta_c))[:, None] * x
    inf_c = (w_c * dy - w_c * eta_c + alr_ps @ m2.mean(axis=0)) / w_c.mean()
    return eta_t - eta_c, inf_t - inf_c


def drdid_panel(dy, d, x, w, ps=None):
    """Doubly robust DiD of Sant'Anna & Zhao (2020), logit propensity score by maximum
    likelihood and linear outcome regression by OLS (R ``DRDID::drdid_panel``). ``ps``:
    the result of :func:`_pscore` for the same ``d, x, w`` when already computed."""
    w = w / w.mean()
    p, trim, alr_ps = _pscore(d, x, w) if ps is None else ps
    fit, alr_ols = _wols(dy, d, x, w)
    w_t = trim * w * d
    w_c = trim * w * p * (1 - d) / (1 - p)
    r = dy - fit
    eta_t = (w_t * r).mean() / w_t.mean()
    eta_c = (w_c * r).mean() / w_c.mean()
    m1 = (w_t[:, None] * x).mean(axis=0)
    inf_t = (w_t * r - w_t * eta_t - alr_ols @ m1) / w_t.mean()
    m2 = ((w_c * (r - eta_c))[:, None] * x).mean(axis=0)
    m3 = (w_c[:, None] * x).mean(axis=0)
    inf_c = (w_c * r - w_c * eta_c + alr_ps @ m2 - alr_ols @ m3) / w_c.mean()
    return eta_t - eta_c, inf_t - inf_c


ESTIMATORS = {"reg": reg_did_panel, "ipw": std_ipw_did_panel, "dr": drdid_panel}
USES_PSCORE = frozenset({"ipw", "dr"})
