"""Inference that holds with few treated clusters: the wild cluster restricted bootstrap and
randomization inference over district assignments.

With six treated districts among eighty, cluster-robust (CRVE) standard errors are too
small and t-tests over-reject, often badly, whatever the total number of clusters: what
matters is how few clusters are treated (MacKinnon & Webb 2017). Use the bootstrap or
randomization p-values here, and read CRVE p-values as optimistic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, product
from math import comb
from typing import TYPE_CHECKING, Literal

import numpy as np

from .._results import ResultMixin
from ..errors import EstimationError
from ._sc_panel import require_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "RandomizationResult",
    "WildBootstrapResult",
    "randomization_inference",
    "wild_cluster_bootstrap",
]


@dataclass(frozen=True)
class WildBootstrapResult(ResultMixin):
    """Wild cluster bootstrap test of one coefficient."""

    term: str
    estimate: float
    std_error: float  # CRVE (CR1) standard error
    t_stat: float
    p_val: float  # bootstrap p-value
    p_val_crve: float  # t(G-1) p-value from the CRVE, for comparison
    ci: tuple[float, float]
    null: float
    n: int
    n_clusters: int
    n_boot: int
    weights: str
    enumerated: bool
    impose_null: bool
    n_dropped: int
    seed: int | None
    ci_level: float

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                "term": [self.term],
                "estimate": [self.estimate],
                "std_error": [self.std_error],
                "t_stat": [self.t_stat],
                "ci_low": [self.ci[0]],
                "ci_high": [self.ci[1]],
                "p_val": [self.p_val],
                "p_val_crve": [self.p_val_crve],
                "n": [self.n],
                "n_clusters": [self.n_clusters],
            }
        )

    def summary(self) -> str:
        kind = "WCR" if self.impose_null else "WCU"
        how = "all sign patterns" if self.enumerated else f"{self.n_boot} draws"
        return "\n".join(
            [
                f"{self.term}: {self.estimate:.4g} (CRVE SE {self.std_error:.4g}); wild cluster "
                f"bootstrap p = {self.p_val:.4f} vs CRVE p = {self.p_val_crve:.4f}",
                f"{kind}, {self.weights} weights, {how}, {self.n_clusters} clusters; "
                f"{self.ci_level:.0%} CI by test inversion [{self.ci[0]:.4g}, {self.ci[1]:.4g}]",
            ]
        )


def _design(df, y, x, cluster, fe, controls, what):
    """Arrays y, x, Z (other regressors incl. intercept / FE dummies), cluster codes."""
    import pandas as pd

    fe_l = [fe] if isinstance(fe, str) else list(fe or [])
    ctl = [controls] if isinstance(controls, str) else list(controls or [])
    cols = list(dict.fromkeys([y, x, cluster, *fe_l, *ctl]))
    require_columns(df, cols, what=what)
    sub = df[cols].dropna()
    n_dropped = len(df) - len(sub)
    for c in [y, x, *ctl]:
        if not pd.api.types.is_numeric_dtype(sub[c]):
            raise EstimationError(
                f"{what}: column {c!r} is not numeric", column=c, fix="convert it to numbers"
            )
    parts = [np.ones((len(sub), 1))]
    if ctl:
        parts.append(sub[ctl].to_numpy(float))
    for f in fe_l:
        d = pd.get_dummies(sub[f].astype("category"), drop_first=True, dtype=float)
        parts.append(d.to_numpy())
    Z = np.hstack(parts)
    codes, uniq = pd.factorize(sub[cluster], sort=True)
    return (
        sub[y].to_numpy(float),
        sub[x].to_numpy(float),
        Z,
        codes,
        len(uniq),
        n_dropped,
    )


def _resid(M: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Residuals of ``v`` (N,) or (N, k) on the columns of M (least squares)."""
    coef, *_ = np.linalg.lstsq(M, v, rcond=None)
    return v - M @ coef


def _draws(G: int, kind: str, n_boot: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """(G, B) matrix of bootstrap weights; all 2^G sign patterns when that is few enough."""
    if kind == "rademacher" and 2**G <= n_boot:
        V = np.array(list(product((-1.0, 1.0), repeat=G))).T
        return V, True
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(G, n_boot)), False
    pts = np.array(
        [-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)]
    )  # Webb (2014) six-point
    return rng.choice(pts, size=(G, n_boot)), False


def wild_cluster_bootstrap(
    df: pd.DataFrame,
    y: str,
    x: str,
    cluster: str,
    *,
    fe: str | Sequence[str] | None = None,
    controls: str | Sequence[str] | None = None,
    weights: Literal["rademacher", "webb"] = "rademacher",
    n_boot: int = 9999,
    null: float = 0.0,
    impose_null: bool = True,
    ci: float = 0.95,
    seed: int | None = None,
) -> WildBootstrapResult:
    r"""Wild cluster bootstrap-t test of the coefficient on ``x`` (Cameron, Gelbach & Miller 2008).

    Model :math:`y = \beta x + Z\gamma + u` with ``controls`` and ``fe`` dummies in
    :math:`Z`, CRVE (CR1, small-sample factor :math:`\frac{G}{G-1}\frac{N-1}{N-k}`) by
    ``cluster``. The restricted bootstrap (WCR, ``impose_null=True``) fits the model
    under :math:`\beta = \beta_0`, then draws :math:`y^* = \hat y_r + v_g \hat u_{r}`
    with one weight :math:`v_g` per cluster, and compares :math:`|t|` with the
    :math:`|t^*|`: :math:`p = \#\{|t^*_b| \ge |t|\}/B`.

    Everything is linear in the weights, so all draws are computed at once as matrix
    products (Roodman, MacKinnon, Nielsen & Webb 2019): with :math:`\tilde x = M_Z x`,
    :math:`t^*_b = a'v_b / \sqrt{c\,\lVert C v_b\rVert^2}` where
    :math:`a_g = \tilde x_g'\hat u_{r,g}` and
    :math:`C_{gh} = \tilde x_g'(M_X \hat u_{r,h})_g`. The interval inverts the test:
    :math:`\hat u_r` is linear in :math:`\beta_0`, so each candidate costs one (G x B)
    product.

    Parameters
    ----------
    df : one row per observation.
    y, x : outcome and the regressor tested (e.g. a treated x post indicator).
    cluster : cluster identifier (district).
    fe : column(s) whose categories enter as fixed-effect dummies (e.g. district, year).
    controls : numeric control columns.
    weights : "rademacher" (+-1; all :math:`2^G` patterns are enumerated when
        :math:`2^G \le` ``n_boot``, giving an exact p-value) or "webb" (six-point; better
        with fewer than about 12 clusters, Webb 2014).
    n_boot : bootstrap draws. null : :math:`\beta_0`. impose_null : WCR (True) or WCU.
    ci : level of the test-inversion interval. seed : seed of the draws.

    Returns
    -------
    WildBootstrapResult with ``estimate``, ``std_error`` (CRVE), ``t_stat``, ``p_val``
    (bootstrap), ``p_val_crve``, ``ci``, ``n_clusters``.

    Notes
    -----
    Rows with a missing value in any used column are dropped (``n_dropped``). When very
    few clusters are treated (six districts of eighty) even the WCR can under-reject;
    compare with :func:`randomization_inference` (MacKinnon & Webb 2017, 2018).

    References
    ----------
    Cameron, Gelbach & Miller (2008) REStat 90:414-427; Webb (2014) QED WP 1315;
    MacKinnon & Webb (2017) J. Applied Econometrics 32:233-254; Roodman, MacKinnon,
    Nielsen & Webb (2019) Stata Journal 19:4-60 (``boottest``). Agrees with the
    ``wildboottest`` Python package to Monte-Carlo error.

    Examples
    --------
    >>> res = wild_cluster_bootstrap(panel, "y", "treat_post", "district_id",
    ...                              fe=["district_id", "year"], seed=1)
    >>> res.p_val, res.p_val_crve
    """
    from scipy import stats

    if weights not in ("rademacher", "webb"):
        raise EstimationError(f"unknown weights {weights!r}", fix='use "rademacher" or "webb"')
    if n_boot < 99:
        raise EstimationError(f"n_boot={n_boot} is too few", fix="use at least 999 draws")
    yv, xv, Z, g, G, n_dropped = _design(df, y, x, cluster, fe, controls, "wild_cluster_bootstrap")
    if G < 3:
        raise EstimationError(
            f"only {G} clusters in {cluster!r}", column=cluster, fix="need at least 3 clusters"
        )
    N = len(yv)
    X = np.column_stack([xv, Z])
    k = np.linalg.matrix_rank(X)
    xt = _resid(Z, xv)
    xtx = float(xt @ xt)
    if xtx < 1e-12 * max(1.0, float(xv @ xv)):
        raise EstimationError(
            f"{x!r} is collinear with the fixed effects and controls",
            column=x,
            fix="check that the tested regressor varies within the fixed-effect groups",
        )
    c = G / (G - 1) * (N - 1) / (N - k)
    onehot = np.zeros((N, G))
    onehot[np.arange(N), g] = 1.0

    beta = float(xt @ yv) / xtx
    u_hat = _resid(X, yv)
    score = onehot.T @ (xt * u_hat)
    se = float(np.sqrt(c * (score @ score)) / xtx)
    t_obs = (beta - null) / se
    p_crve = float(2 * stats.t.sf(abs(t_obs), G - 1))

    rng = np.random.default_rng(seed)
    V, enumerated = _draws(G, weights, n_boot, rng)

    def parts(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a = onehot.T @ (xt * u)  # (G,)
        E = onehot * u[:, None]  # u restricted to each cluster, (N, G)
        W = _resid(X, E)  # M_X applied to each column
        C = onehot.T @ (xt[:, None] * W)  # (G, G)
        return a, C

    if impose_null:
        uy = _resid(Z, yv)  # M_Z y ; restricted residuals are uy - b0 * xt
        a0, C0 = parts(uy)
        a1, C1 = parts(xt)
        n0, n1 = a0 @ V, a1 @ V
        S0, S1 = C0 @ V, C1 @ V
        # ||(C0 - b C1) v||^2 = q0 - 2 b q01 + b^2 q1, per draw
        q0, q01, q1 = (S0**2).sum(0), (S0 * S1).sum(0), (S1**2).sum(0)

        def pval(b0: float) -> float:
            t0 = (beta - b0) / se
            den = np.sqrt(c * np.maximum(q0 - 2 * b0 * q01 + b0 * b0 * q1, 0.0))
            tstar = (n0 - b0 * n1) / den
            return float(np.mean(np.abs(tstar) >= abs(t0)))
    else:
        a_u, C_u = parts(u_hat)
        tstar_u = (a_u @ V) / np.sqrt(c * ((C_u @ V) ** 2).sum(axis=0))

        def pval(b0: float) -> float:
            return float(np.mean(np.abs(tstar_u) >= abs((beta - b0) / se)))

    p_boot = pval(null)
    alpha = 1 - ci

    def bound(direction: float) -> float:
        inside, step = beta, se
        out = beta + direction * step
        for _ in range(60):
            if pval(out) < alpha:
                break
            inside, out = out, beta + direction * (step := step * 2)
        else:
            return float(direction * np.inf)
        for _ in range(30):
            mid = 0.5 * (inside + out)
            if pval(mid) >= alpha:
                inside = mid
            else:
                out = mid
        return float(0.5 * (inside + out))

    ci_t = (bound(-1.0), bound(1.0))
    return WildBootstrapResult(
        term=x,
        estimate=beta,
        std_error=se,
        t_stat=float(t_obs),
        p_val=p_boot,
        p_val_crve=p_crve,
        ci=ci_t,
        null=null,
        n=N,
        n_clusters=G,
        n_boot=V.shape[1],
        weights=weights,
        enumerated=enumerated,
        impose_null=impose_null,
        n_dropped=n_dropped,
        seed=seed,
        ci_level=ci,
    )


@dataclass(frozen=True)
class RandomizationResult(ResultMixin):
    """Randomization (permutation) inference over which districts were treated."""

    estimate: float
    p_val: float
    n_perm: int
    exact: bool
    statistic: str
    n_units: int
    n_treated: int
    seed: int | None
    null_distribution: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                "term": [f"att_{self.statistic}"],
                "estimate": [self.estimate],
                "p_val": [self.p_val],
                "n": [self.n_units],
                "n_treated": [self.n_treated],
                "n_perm": [self.n_perm],
            }
        )

    def summary(self) -> str:
        how = "all assignments" if self.exact else f"{self.n_perm} random assignments"
        return (
            f"{self.statistic.upper()} estimate {self.estimate:.4g}; randomization p = "
            f"{self.p_val:.4f} ({how} of {self.n_treated} treated among {self.n_units} units)"
        )


def randomization_inference(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    *,
    n_perm: int = 999,
    statistic: Literal["twfe", "did"] = "twfe",
    seed: int | None = None,
) -> RandomizationResult:
    r"""Randomization inference: re-assign treatment across units and recompute the estimate.

    The observed cohorts (first treated period per unit; missing or 0 = never treated)
    are permuted across units, which keeps the number of treated units and their timing.
    For each assignment the statistic is recomputed; the two-sided p-value is the share
    of assignments with :math:`|\hat\beta_p| \ge |\hat\beta|`. When every assignment can
    be listed within ``n_perm`` (one cohort, :math:`\binom{N}{k} \le` ``n_perm``), the
    p-value is exact; otherwise assignments are sampled and
    :math:`p = (1 + \#\{|\hat\beta_p| \ge |\hat\beta|\})/(1 + P)`.

    ``statistic="twfe"``: coefficient on :math:`D_{it} = 1[t \ge g_i]` in a two-way
    fixed-effects regression; on a balanced panel it is
    :math:`\sum \tilde D \tilde y / \sum \tilde D^2` with double-demeaned
    :math:`\tilde D, \tilde y`, computed for all assignments at once.
    ``statistic="did"``: ever-treated x (t >= earliest cohort), a 2x2 contrast.

    The test is exact under the sharp null of no effect for any unit, whatever the
    number of treated clusters: it is the safe choice with six treated districts,
    where clustered standard errors mislead (MacKinnon & Webb 2017, 2020).

    Parameters
    ----------
    df : balanced long panel (unit x time) with outcome ``y`` and a unit-level
        ``cohort`` column.
    n_perm : assignments to draw (or the cap for enumeration).
    statistic : "twfe" or "did".
    seed : seed of the sampled assignments.

    Returns
    -------
    RandomizationResult with ``estimate``, ``p_val``, ``null_distribution``.

    References
    ----------
    Fisher (1935); Imbens & Rubin (2015) ch. 5; MacKinnon & Webb (2020) J. Econometrics
    218:435-450, "Randomization inference for difference-in-differences with few treated
    clusters".
    """
    import pandas as pd

    if statistic not in ("twfe", "did"):
        raise EstimationError(f"unknown statistic {statistic!r}", fix='use "twfe" or "did"')
    require_columns(df, [y, unit, time, cohort], what="randomization_inference")
    wide = df.pivot_table(index=unit, columns=time, values=y, aggfunc="mean").sort_index(axis=1)
    if wide.isna().any().any():
        raise EstimationError(
            "randomization_inference needs a balanced panel: some unit x time cells are empty",
            column=y,
            fix="drop units with missing periods",
        )
    coh = df.groupby(unit)[cohort].first().reindex(wide.index)
    if (df.groupby(unit)[cohort].nunique(dropna=False) > 1).any():
        raise EstimationError(
            f"column {cohort!r} varies within a unit",
            column=cohort,
            fix="give each unit one first-treated period (or missing / 0 if never treated)",
        )
    Yw = wide.to_numpy(float)
    times = np.asarray(wide.columns)
    g = pd.to_numeric(coh, errors="coerce").to_numpy(float)
    g = np.where((g == 0) | np.isnan(g), np.inf, g)
    N = len(g)
    k = int(np.isfinite(g).sum())
    if k == 0 or k == N:
        raise EstimationError(
            "randomization inference needs both treated and never-treated units",
            column=cohort,
            fix="check the cohort column",
        )
    yt = Yw - Yw.mean(1, keepdims=True) - Yw.mean(0, keepdims=True) + Yw.mean()

    def stat(G_: np.ndarray) -> np.ndarray:
        """Statistic for each row of cohort assignments G_ (P, N)."""
        if statistic == "twfe":
            D = (times[None, None, :] >= G_[:, :, None]).astype(float)
        else:
            first = np.min(g[np.isfinite(g)])
            D = (np.isfinite(G_)[:, :, None] & (times[None, None, :] >= first)).astype(float)
        Dt = D - D.mean(2, keepdims=True) - D.mean(1, keepdims=True) + D.mean((1, 2), keepdims=True)
        return np.einsum("pnt,nt->p", Dt, yt) / np.einsum("pnt,pnt->p", Dt, Dt)

    est = float(stat(g[None])[0])
    rng = np.random.default_rng(seed)
    single = len(np.unique(g[np.isfinite(g)])) == 1
    exact = single and comb(N, k) <= n_perm
    if exact:
        gval = g[np.isfinite(g)][0]
        idx = np.array(list(combinations(range(N), k)))
        Gp = np.full((len(idx), N), np.inf)
        Gp[np.arange(len(idx))[:, None], idx] = gval
    else:
        perm = np.argsort(rng.random((n_perm, N)), axis=1)
        Gp = g[perm]
    null = np.concatenate([stat(Gp[i : i + 500]) for i in range(0, len(Gp), 500)])
    tol = 1e-12 * max(1.0, abs(est))
    hits = np.sum(np.abs(null) >= abs(est) - tol)
    p = hits / len(null) if exact else (1 + hits) / (1 + len(null))
    return RandomizationResult(
        estimate=est,
        p_val=float(p),
        n_perm=len(null),
        exact=bool(exact),
        statistic=statistic,
        n_units=N,
        n_treated=k,
        seed=seed,
        null_distribution=null,
    )
