r"""Differential item functioning by ordinal logistic regression (Zumbo 1999).

For each item, three proportional-odds (cumulative logit) models of the item response on
the matching score :math:`s` and the group indicator :math:`g` (1 = focal):

.. math::
    M_0:\ \operatorname{logit} P(Y \le j) = \tau_j - \beta_1 s \qquad
    M_1:\ \ldots - \beta_2 g \qquad M_2:\ \ldots - \beta_3 s g

Uniform DIF is :math:`M_1` vs :math:`M_0` (1 df), non-uniform :math:`M_2` vs :math:`M_1`
(1 df), and any DIF :math:`M_2` vs :math:`M_0` (2 df), by likelihood-ratio tests. The
effect size is the change in Nagelkerke's pseudo-:math:`R^2` from :math:`M_0` to
:math:`M_2`, classified by Zumbo & Thomas (1997) and by Jodoin & Gierl (2001); an item is
flagged when its adjusted 2-df p-value is below ``alpha`` and its class is B or C.

Respondents with the same (score, group, response) are pooled into one weighted cell
before fitting, so a 25,000-respondent item is a fit to a few hundred cells; the fit is a
Newton-type optimization with an analytic gradient. It agrees with statsmodels
``OrderedModel(distr="logit")`` fitted to the individual rows (see the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from .._results import ResultMixin, tidy
from ..errors import CEIError, EstimationError, SchemaError
from ..schemas import C
from ._common import as_items, as_weights

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DIFResult", "dif", "ordinal_logit"]

ZUMBO_THOMAS = (0.13, 0.26)
JODOIN_GIERL = (0.035, 0.070)


def _expit(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def ordinal_logit(
    y: np.ndarray, x: np.ndarray, w: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, float, bool]:
    r"""Proportional-odds model :math:`P(Y\le j) = F(\tau_j - x^\top\beta)` by maximum
    likelihood (statsmodels ``OrderedModel`` parameterization).

    Parameters
    ----------
    y : integer category codes 0..J-1 (every category observed).
    x : n x q design without constant.
    w : frequency weights (cell counts) or sampling weights.

    Returns
    -------
    beta, tau, log-likelihood, converged
    """
    from scipy.optimize import minimize

    n, q = x.shape
    n_cat = int(y.max()) + 1
    w = np.ones(n) if w is None else w
    # start: thresholds from the marginal cumulative shares, beta = 0
    shares = np.bincount(y, weights=w, minlength=n_cat)
    cum = np.cumsum(shares)[:-1] / shares.sum()
    tau0 = np.log(cum / (1 - cum))
    # parameterize thresholds by first value and log increments (keeps them ordered)
    z0 = np.concatenate([np.zeros(q), [tau0[0]], np.log(np.diff(tau0))])
    onehot_hi = np.zeros((n, n_cat - 1))
    onehot_lo = np.zeros((n, n_cat - 1))
    hi_ok = y < n_cat - 1
    lo_ok = y > 0
    onehot_hi[np.flatnonzero(hi_ok), y[hi_ok]] = 1.0
    onehot_lo[np.flatnonzero(lo_ok), y[lo_ok] - 1] = 1.0

    def unpack(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        beta = z[:q]
        tau = z[q] + np.concatenate([[0.0], np.cumsum(np.exp(z[q + 1 :]))])
        return beta, tau

    def negll(z: np.ndarray) -> tuple[float, np.ndarray]:
        beta, tau = unpack(z)
        eta = x @ beta
        a = np.where(hi_ok, onehot_hi @ tau - eta, np.inf)
        b = np.where(lo_ok, onehot_lo @ tau - eta, -np.inf)
        fa, fb = _expit(a), _expit(b)
        p = np.clip(fa - fb, 1e-300, None)
        da = fa * (1 - fa)
        db = fb * (1 - fb)
        ll = float((w * np.log(p)).sum())
        r_a = w * da / p
        r_b = w * db / p
        g_beta = -(x.T @ (r_a - r_b))
        g_tau = onehot_hi.T @ r_a - onehot_lo.T @ r_b
        # chain rule to (tau_1, log increments)
        jac = np.zeros((n_cat - 1, n_cat - 1))
        jac[:, 0] = 1.0
        inc = np.exp(z[q + 1 :])
        for k in range(1, n_cat - 1):
            jac[k:, k] = inc[k - 1]
        g = np.concatenate([g_beta, jac.T @ g_tau])
        return -ll, -g

    res = minimize(negll, z0, jac=True, method="BFGS", options={"gtol": 1e-8, "maxiter": 2000})
    beta, tau = unpack(res.x)
    converged = bool(res.success) or float(np.abs(res.jac).max()) < 1e-4 * max(1.0, w.sum()) ** 0.5
    return beta, tau, -float(res.fun), converged


def _classify(dr2: np.ndarray, sig: np.ndarray, cuts: tuple[float, float]) -> np.ndarray:
    cls = np.where(dr2 >= cuts[1], "C", np.where(dr2 >= cuts[0], "B", "A"))
    return np.where(sig, cls, "A")


def _adjust(p: np.ndarray, method: str) -> np.ndarray:
    from statsmodels.stats.multitest import multipletests

    if method == "none":
        return p
    methods = {"holm": "holm", "bh": "fdr_bh", "bonferroni": "bonferroni"}
    if method not in methods:
        raise CEIError(f"p_adjust={method!r} is not known", fix=f"use one of {[*methods, 'none']}")
    return multipletests(p, method=methods[method])[1]


@dataclass(frozen=True, repr=False)
class DIFResult(ResultMixin):
    """Per-item DIF tests, effect sizes and classification."""

    table: pd.DataFrame
    focal: object
    reference: object
    match: str
    p_adjust: str
    alpha: float
    classification: str
    n: int
    n_dropped: int

    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per item (``term``) with its tests, effect sizes and class."""
        return tidy(self.table, term="item")

    @property
    def flagged(self) -> list[str]:
        """Items with significant DIF of class B or C."""
        return self.table.loc[self.table["flag"], "item"].tolist()

    def summary(self) -> str:
        fl = ", ".join(self.flagged) or "none"
        return (
            f"DIF ({self.focal!r} vs {self.reference!r}, ordinal logistic regression): "
            f"flagged {fl}\n"
            f"matching on the {self.match} score; {self.p_adjust}-adjusted 2-df LR tests at "
            f"{self.alpha}; classes by {self.classification} on the Nagelkerke R2 change; "
            f"{self.n} respondents ({self.n_dropped} dropped)"
        )


@estimator()
def dif(
    items: pd.DataFrame,
    group: object,
    *,
    match: str = "total",
    focal: object = None,
    scales: dict[str, list[str]] | None = None,
    method: str = "ordinal_logistic",
    p_adjust: str = "holm",
    alpha: float = 0.05,
    classification: str = "jodoin_gierl",
    weights: object = None,
    min_answered: float = 0.5,
) -> DIFResult:
    r"""Differential item functioning of each item between two groups (Zumbo 1999).

    Parameters
    ----------
    items : wide respondents x items frame (reverse-keyed items recoded).
    group : one label per row (array/Series) or the name of a column of ``items``;
        exactly two groups once missing labels are dropped.
    match : "total" (sum score including the item, Zumbo 1999) or "rest" (excluding it).
        With missing answers the score is the mean of the answered items times their
        number (prorated); respondents answering fewer than ``min_answered`` of the
        items are dropped.
    focal : the focal group label (default: the smaller group).
    scales : {scale: [items]}; the matching score of each item is then computed within
        its scale. Default: all columns form one scale.
    method : "ordinal_logistic" (the only one).
    p_adjust : "holm" (default), "bh", "bonferroni" or "none", across items.
    alpha : significance level for the adjusted 2-df test.
    classification : "jodoin_gierl" (A < .035 <= B < .070 <= C, the default) or
        "zumbo_thomas" (A < .13 <= B < .26 <= C). Both are reported.
    weights : sampling weights (used as case weights in the likelihood).

    Returns
    -------
    DIFResult; ``table`` has per item: ``n, chi2_2df, p_2df, chi2_uniform, p_uniform,
    chi2_nonuniform, p_nonuniform, p_adj, r2_m0, r2_m2, delta_r2, delta_r2_uniform,
    delta_r2_mz, estimate`` (log-odds group effect in :math:`M_1`, positive = focal
    group agrees more at the same score), ``std_error, ci_low, ci_high, class_zt,
    class_jg, flag``.

    References
    ----------
    Zumbo (1999), A Handbook on the Theory and Methods of DIF. Zumbo & Thomas (1997).
    Jodoin & Gierl (2001), Applied Measurement in Education 14:329-349.
    Nagelkerke (1991), Biometrika 78:691-692. McKelvey & Zavoina (1975).

    Examples
    --------
    >>> dif(items, languages, focal="es").flagged
    """
    import pandas as pd
    from scipy.stats import chi2 as chi2d
    from scipy.stats import norm

    if method != "ordinal_logistic":
        raise CEIError(f"method={method!r} is not available", fix='use "ordinal_logistic"')
    if match not in ("total", "rest"):
        raise CEIError(f"match={match!r} is not known", fix='use "total" or "rest"')
    if classification not in ("jodoin_gierl", "zumbo_thomas"):
        raise CEIError(
            f"classification={classification!r} is not known",
            fix='use "jodoin_gierl" or "zumbo_thomas"',
        )
    if isinstance(group, str) and hasattr(items, "columns") and group in items.columns:
        g_raw = items[group].to_numpy()
        items = items.drop(columns=group)
    else:
        g_raw = np.asarray(group, dtype=object)
    x, cols = as_items(items, min_items=2)
    if g_raw.shape[0] != x.shape[0]:
        raise SchemaError(
            f"group has {g_raw.shape[0]} value(s) for {x.shape[0]} respondent(s)",
            fix="pass one group label per row of items, or a column name",
        )
    w_all = as_weights(weights, x.shape[0])
    gser = pd.Series(g_raw)
    labels = pd.unique(gser.dropna())
    if len(labels) != 2:
        raise EstimationError(
            f"DIF compares two groups; found {len(labels)}: {list(labels)[:5]}",
            fix="recode the group column to two values (e.g. 'es' vs the rest)",
        )
    if focal is None:
        counts = gser.value_counts()
        focal = counts.index[-1]
    if focal not in labels:
        raise SchemaError(
            f"focal group {focal!r} is not one of the groups {list(labels)}",
            fix="pass focal= one of the group labels",
        )
    reference = next(lab for lab in labels if lab != focal)
    scale_map = scales or {"scale": cols}
    for sname, its in scale_map.items():
        for it in its:
            if it not in cols:
                raise SchemaError(
                    f"scale {sname!r} names item {it!r}, which is not a column",
                    column=it,
                    fix="list items that are columns of items",
                )
    keep_g = gser.notna().to_numpy()
    gvec = (gser == focal).to_numpy(dtype=float)
    rows = []
    n_used = np.zeros(x.shape[0], dtype=bool)
    for its in scale_map.values():
        idx = [cols.index(i) for i in its]
        xs = x[:, idx]
        answered = ~np.isnan(xs)
        n_ans = answered.sum(axis=1)
        enough = n_ans >= max(1, int(np.ceil(min_answered * len(idx))))
        total = np.where(answered, xs, 0.0).sum(axis=1)
        for jj, j in enumerate(idx):
            y_raw = x[:, j]
            ok = keep_g & enough & ~np.isnan(y_raw)
            if match == "total":
                score = total / np.maximum(n_ans, 1) * len(idx)
            else:
                rest_n = n_ans - answered[:, jj]
                ok &= rest_n > 0
                score = (
                    (total - np.where(answered[:, jj], xs[:, jj], 0.0))
                    / np.maximum(rest_n, 1)
                    * (len(idx) - 1)
                )
            n_used |= ok
            y_ok = y_raw[ok]
            cats, y_code = np.unique(y_ok, return_inverse=True)
            if len(cats) < 2:
                raise EstimationError(
                    f"item {cols[j]!r} has a single response value",
                    column=cols[j],
                    fix="drop constant items before a DIF analysis",
                )
            s_ok = score[ok]
            s_c = (s_ok - s_ok.mean()) / (s_ok.std() or 1.0)
            g_ok = gvec[ok]
            w_ok = np.ones(ok.sum()) if w_all is None else w_all[ok]
            # pool identical (score, group, response) rows into weighted cells
            key = np.column_stack([s_c, g_ok, y_code])
            uniq, inv = np.unique(key, axis=0, return_inverse=True)
            cw = np.bincount(inv.ravel(), weights=w_ok)
            s_u, g_u, y_u = uniq[:, 0], uniq[:, 1], uniq[:, 2].astype(int)
            designs = [
                s_u[:, None],
                np.column_stack([s_u, g_u]),
                np.column_stack([s_u, g_u, s_u * g_u]),
            ]
            fits = [ordinal_logit(y_u, d, cw) for d in designs]
            lls = np.array([f[2] for f in fits])
            wsum = cw.sum()
            shares = np.bincount(y_u, weights=cw) / wsum
            ll_null = float((wsum * shares * np.log(np.where(shares > 0, shares, 1))).sum())
            r2 = []
            mz = []
            for f, d in zip(fits, designs):
                cs = 1.0 - np.exp(2.0 * (ll_null - f[2]) / wsum)
                r2.append(cs / (1.0 - np.exp(2.0 * ll_null / wsum)))
                eta = d @ f[0]
                v = np.average((eta - np.average(eta, weights=cw)) ** 2, weights=cw)
                mz.append(v / (v + np.pi**2 / 3))
            # SE of the uniform group effect from the observed information of M1
            se_g = _se_of(y_u, designs[1], cw, fits[1], which=1)
            lr2 = max(2 * (lls[2] - lls[0]), 0.0)
            lru = max(2 * (lls[1] - lls[0]), 0.0)
            lrn = max(2 * (lls[2] - lls[1]), 0.0)
            est = float(fits[1][0][1])  # OrderedModel sign: +beta = higher categories
            rows.append(
                {
                    "item": cols[j],
                    "n": int(ok.sum()),
                    "chi2_2df": lr2,
                    "p_2df": float(chi2d.sf(lr2, 2)),
                    "chi2_uniform": lru,
                    "p_uniform": float(chi2d.sf(lru, 1)),
                    "chi2_nonuniform": lrn,
                    "p_nonuniform": float(chi2d.sf(lrn, 1)),
                    "r2_m0": r2[0],
                    "r2_m2": r2[2],
                    "delta_r2": r2[2] - r2[0],
                    "delta_r2_uniform": r2[1] - r2[0],
                    "delta_r2_mz": mz[2] - mz[0],
                    C.ESTIMATE: est,
                    C.STD_ERROR: se_g,
                    "converged": all(f[3] for f in fits),
                }
            )
    table = pd.DataFrame(rows)
    order = [cols.index(i) for i in table["item"]]
    table = table.iloc[np.argsort(order)].reset_index(drop=True)
    z = norm.ppf(0.975)
    table[C.CI_LOW] = table[C.ESTIMATE] - z * table[C.STD_ERROR]
    table[C.CI_HIGH] = table[C.ESTIMATE] + z * table[C.STD_ERROR]
    table["p_adj"] = _adjust(table["p_2df"].to_numpy(), p_adjust)
    sig = table["p_adj"].to_numpy() < alpha
    table["class_zt"] = _classify(table["delta_r2"].to_numpy(), sig, ZUMBO_THOMAS)
    table["class_jg"] = _classify(table["delta_r2"].to_numpy(), sig, JODOIN_GIERL)
    use = table["class_jg"] if classification == "jodoin_gierl" else table["class_zt"]
    table["flag"] = use.isin(["B", "C"]).to_numpy()
    return DIFResult(
        table=table,
        focal=focal,
        reference=reference,
        match=match,
        p_adjust=p_adjust,
        alpha=alpha,
        classification=classification,
        n=int(n_used.sum()),
        n_dropped=int(x.shape[0] - n_used.sum()),
    )


def _se_of(y: np.ndarray, x: np.ndarray, w: np.ndarray, fit, which: int) -> float:
    """Standard error of one slope from a numerical Hessian of the log-likelihood in
    (beta, tau) at the optimum."""
    beta, tau = fit[0], fit[1]
    n_cat = len(tau) + 1
    hi_ok = y < n_cat - 1
    lo_ok = y > 0

    def ll(theta: np.ndarray) -> float:
        b = theta[: x.shape[1]]
        t = theta[x.shape[1] :]
        eta = x @ b
        a = np.where(hi_ok, t[np.minimum(y, n_cat - 2)] - eta, np.inf)
        c = np.where(lo_ok, t[np.maximum(y - 1, 0)] - eta, -np.inf)
        p = np.clip(_expit(a) - _expit(c), 1e-300, None)
        return float((w * np.log(p)).sum())

    th = np.concatenate([beta, tau])
    k = len(th)
    h = 1e-4
    hess = np.empty((k, k))
    eye = np.eye(k) * h
    for i in range(k):
        for j in range(i, k):
            v = (
                ll(th + eye[i] + eye[j])
                - ll(th + eye[i] - eye[j])
                - ll(th - eye[i] + eye[j])
                + ll(th - eye[i] - eye[j])
            ) / (4 * h * h)
            hess[i, j] = hess[j, i] = v
    try:
        cov = np.linalg.inv(-hess)
    except np.linalg.LinAlgError:
        return float("nan")
    return float(np.sqrt(max(cov[which, which], 0.0)))
