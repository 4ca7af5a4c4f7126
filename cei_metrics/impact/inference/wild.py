"""Inference that holds with few treated clusters: the wild cluster restricted bootstrap
(randomization inference over district assignments is in :mod:`.randomization`).

With six treated districts among eighty, cluster-robust (CRVE) standard errors are too
small and t-tests over-reject, often badly, whatever the total number of clusters: what
matters is how few clusters are treated (MacKinnon & Webb 2017). Use the bootstrap or
randomization p-values here, and read CRVE p-values as optimistic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from ..._api import check_choice, check_ci, estimator
from ..._results import ResultMixin
from ...errors import EstimationError, OptionError
from ...schemas import C
from .._common import check_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["WildBootstrapResult", "wild_cluster_bootstrap"]


@dataclass(frozen=True, repr=False)
class WildBootstrapResult(ResultMixin):
    """Wild cluster bootstrap test of one coefficient.

    ``std_error`` is the CRVE (CR1) standard error; ``p_val`` the bootstrap p-value and
    ``ci_low, ci_high`` the interval found by inverting the bootstrap test;
    ``p_val_crve`` the t(G-1) p-value of the CRVE for comparison. ``bootstrap_weights``
    names the weight distribution (formerly ``weights``).
    """

    term: str
    estimate: float
    std_error: float  # CRVE (CR1) standard error
    t_stat: float
    p_val: float  # bootstrap p-value
    p_val_crve: float  # t(G-1) p-value from the CRVE, for comparison
    ci_low: float
    ci_high: float
    null: float
    n: int
    n_clusters: int
    n_boot: int
    bootstrap_weights: str
    enumerated: bool
    impose_null: bool
    n_dropped: int
    seed: int | None
    ci_level: float
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"ci": (C.CI_LOW, C.CI_HIGH), "weights": "bootstrap_weights"}

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                C.TERM: [self.term],
                C.ESTIMATE: [self.estimate],
                C.STD_ERROR: [self.std_error],
                C.CI_LOW: [self.ci_low],
                C.CI_HIGH: [self.ci_high],
                C.P_VAL: [self.p_val],
                C.N: [self.n],
                C.T_STAT: [self.t_stat],
                C.P_VAL_CRVE: [self.p_val_crve],
                C.N_CLUSTERS: [self.n_clusters],
            }
        )

    def summary(self) -> str:
        kind = "WCR" if self.impose_null else "WCU"
        how = "all sign patterns" if self.enumerated else f"{self.n_boot} draws"
        return "\n".join(
            [
                f"{self.term}: {self.estimate:.4g} (CRVE SE {self.std_error:.4g}); wild cluster "
                f"bootstrap p = {self.p_val:.4f} vs CRVE p = {self.p_val_crve:.4f}",
                f"{kind}, {self.bootstrap_weights} weights, {how}, {self.n_clusters} clusters; "
                f"{self.ci_level:.0%} CI by test inversion [{self.ci_low:.4g}, {self.ci_high:.4g}]",
            ]
        )


def _design(df, y, x, cluster, fe, covariates, what):
    """Arrays y, x, Z (other regressors incl. intercept / FE dummies), cluster codes."""
    import pandas as pd

    fe_l = [fe] if isinstance(fe, str) else list(fe or [])
    ctl = [covariates] if isinstance(covariates, str) else list(covariates or [])
    cols = list(dict.fromkeys([y, x, cluster, *fe_l, *ctl]))
    check_columns(df, cols, what=what)
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


def _legacy_weights(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """``weights="rademacher" | "webb"`` named the bootstrap distribution: now
    ``bootstrap_weights`` (``weights`` means sampling weights everywhere)."""
    if "weights" in kwargs:
        from ..._api import rename_warning

        rename_warning("wild_cluster_bootstrap", "weights", "bootstrap_weights", stacklevel=4)
        if "bootstrap_weights" in kwargs:
            raise OptionError(
                "wild_cluster_bootstrap() got both 'weights' (its old name) and "
                "'bootstrap_weights'",
                fix="pass bootstrap_weights= only",
            )
        kwargs["bootstrap_weights"] = kwargs.pop("weights")
    return args, kwargs


@estimator(renamed={"controls": "covariates"}, legacy=_legacy_weights)
def wild_cluster_bootstrap(
    df: pd.DataFrame,
    y: str,
    x: str,
    cluster: str,
    *,
    fe: str | Sequence[str] | None = None,
    covariates: str | Sequence[str] | None = None,
    bootstrap_weights: Literal["rademacher", "webb"] = "rademacher",
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
    covariates : numeric control columns (formerly ``controls``).
    bootstrap_weights : "rademacher" (+-1; all :math:`2^G` patterns are enumerated when
        :math:`2^G \le` ``n_boot``, giving an exact p-value) or "webb" (six-point; better
        with fewer than about 12 clusters, Webb 2014). Formerly ``weights``: ``weights``
        means sampling weights everywhere else, which this test does not take.
    n_boot : bootstrap draws. null : :math:`\beta_0`. impose_null : WCR (True) or WCU.
    ci : level of the test-inversion interval. seed : seed of the draws.

    Returns
    -------
    WildBootstrapResult with ``estimate``, ``std_error`` (CRVE), ``t_stat``, ``p_val``
    (bootstrap), ``p_val_crve``, ``ci_low``, ``ci_high``, ``n_clusters``.

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
    check_choice("bootstrap_weights", bootstrap_weights, ("rademacher", "webb"))
    level = check_ci(ci)
    if n_boot < 99:
        raise OptionError(f"n_boot={n_boot} is too few", fix="use at least 999 draws")
    yv, xv, Z, g, G, n_dropped = _design(
        df, y, x, cluster, fe, covariates, "wild_cluster_bootstrap"
    )
    if G < 3:
        raise EstimationError(
            f"only {G} clusters in {cluster!r}", column=cluster, fix="need at least 3 clusters"
        )
    X = np.column_stack([xv, Z])
    out = wild_core(
        yv,
        xv,
        lambda v: _resid(Z, v),
        lambda v: _resid(X, v),
        g,
        G,
        k=int(np.linalg.matrix_rank(X)),
        null=null,
        impose_null=impose_null,
        bootstrap_weights=bootstrap_weights,
        n_boot=n_boot,
        ci=level,
        seed=seed,
        name=x,
    )
    return WildBootstrapResult(
        term=x,
        estimate=out.estimate,
        std_error=out.std_error,
        t_stat=out.t_stat,
        p_val=out.p_val,
        p_val_crve=out.p_val_crve,
        ci_low=out.ci_low,
        ci_high=out.ci_high,
        null=null,
        n=len(yv),
        n_clusters=G,
        n_boot=out.n_boot,
        bootstrap_weights=bootstrap_weights,
        enumerated=out.enumerated,
        impose_null=impose_null,
        n_dropped=n_dropped,
        seed=seed,
        ci_level=level,
    )


@dataclass(frozen=True)
class WildCore:
    """What :func:`wild_core` computes for one coefficient."""

    estimate: float
    std_error: float
    t_stat: float
    p_val: float
    p_val_crve: float
    ci_low: float
    ci_high: float
    n_boot: int
    enumerated: bool


def wild_core(
    yv: np.ndarray,
    xv: np.ndarray,
    resid_z: Callable[[np.ndarray], np.ndarray],
    resid_x: Callable[[np.ndarray], np.ndarray],
    g: np.ndarray,
    G: int,
    *,
    k: int,
    null: float,
    impose_null: bool,
    bootstrap_weights: str,
    n_boot: int,
    ci: float,
    seed: int | None,
    name: str,
) -> WildCore:
    """The wild cluster bootstrap of the coefficient on ``xv`` given the projections:
    ``resid_z(v)`` are the residuals of ``v`` on the other regressors Z, ``resid_x(v)``
    those on all regressors (x and Z; ``v`` may be n x m). Fixed effects enter through
    these (dummies, or the within transformation: both give the same residuals), so
    :func:`wild_cluster_bootstrap` and ``with_inference("wild")`` of the DiD and time
    series results share this code. ``k`` counts the parameters for the CR1 factor."""
    from scipy import stats

    N = len(yv)
    xt = resid_z(xv)
    xtx = float(xt @ xt)
    if xtx < 1e-12 * max(1.0, float(xv @ xv)):
        raise EstimationError(
            f"{name!r} is collinear with the fixed effects and controls",
            column=name,
            fix="check that the tested regressor varies within the fixed-effect groups",
        )
    c = G / (G - 1) * (N - 1) / (N - k)
    onehot = np.zeros((N, G))
    onehot[np.arange(N), g] = 1.0

    beta = float(xt @ yv) / xtx
    u_hat = resid_x(yv)
    score = onehot.T @ (xt * u_hat)
    se = float(np.sqrt(c * (score @ score)) / xtx)
    t_obs = (beta - null) / se
    p_crve = float(2 * stats.t.sf(abs(t_obs), G - 1))

    rng = np.random.default_rng(seed)
    V, enumerated = _draws(G, bootstrap_weights, n_boot, rng)

    def parts(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a = onehot.T @ (xt * u)  # (G,)
        E = onehot * u[:, None]  # u restricted to each cluster, (N, G)
        W = resid_x(E)  # M_X applied to each column
        C = onehot.T @ (xt[:, None] * W)  # (G, G)
        return a, C

    if impose_null:
        uy = resid_z(yv)  # M_Z y ; restricted residuals are uy - b0 * xt
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

    lo, hi = bound(-1.0), bound(1.0)
    return WildCore(
        estimate=beta,
        std_error=se,
        t_stat=float(t_obs),
        p_val=p_boot,
        p_val_crve=p_crve,
        ci_low=lo,
        ci_high=hi,
        n_boot=V.shape[1],
        enumerated=enumerated,
    )
