"""Synthetic difference-in-differences (Arkhangelsky et al. 2021) and its synthetic-control
and difference-in-differences special cases, as the R package ``synthdid`` defines them."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from ..._api import check_choice, check_ci, estimator
from ..._results import PlotMixin, ResultMixin
from ...errors import EstimationError, OptionError
from ...schemas import C
from ._panel import (
    Panel,
    frank_wolfe,
    legacy_synth_call,
    panel_matrix,
    sparsify,
    treated_units_of,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["SDIDResult", "synthdid"]

Method = Literal["sdid", "sc", "did"]
SEMethod = Literal["placebo", "bootstrap", "jackknife", "none"]


@dataclass(frozen=True)
class _Opts:
    method: str
    zeta_omega: float
    zeta_lambda: float
    min_decrease: float
    update_omega: bool
    update_lambda: bool
    omega_intercept: bool
    lambda_intercept: bool
    max_iter: int = 10_000
    max_iter_pre_sparsify: int = 100


def _options(Y: np.ndarray, n0: int, t0: int, method: str) -> _Opts:
    n1, t1 = Y.shape[0] - n0, Y.shape[1] - t0
    noise = float(np.std(np.diff(Y[:n0, :t0], axis=1), ddof=1))
    eta_omega = (n1 * t1) ** 0.25 if method == "sdid" else 1e-6
    return _Opts(
        method=method,
        zeta_omega=eta_omega * noise,
        zeta_lambda=1e-6 * noise,
        min_decrease=1e-5 * noise,
        update_omega=method in ("sdid", "sc"),
        update_lambda=method == "sdid",
        omega_intercept=method != "sc",
        lambda_intercept=True,
    )


def _solve(A, b, x0, *, zeta, intercept, o: _Opts) -> np.ndarray:
    x = frank_wolfe(
        A,
        b,
        x0,
        zeta=zeta,
        intercept=intercept,
        min_decrease=o.min_decrease,
        max_iter=o.max_iter_pre_sparsify,
    )
    return frank_wolfe(
        A,
        b,
        sparsify(x),
        zeta=zeta,
        intercept=intercept,
        min_decrease=o.min_decrease,
        max_iter=o.max_iter,
    )


def _fit(
    Ys: np.ndarray, n0: int, t0: int, o: _Opts, omega0: np.ndarray, lambda0: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights and estimates for a batch of panels ``Ys`` (B, N, T) sharing n0 and t0."""
    nb, N, T = Ys.shape
    n1, t1 = N - n0, T - t0
    # collapsed form: controls x pre | control post means; treated pre means | treated post mean
    c_pre = Ys[:, :n0, :t0]
    c_post = Ys[:, :n0, t0:].mean(axis=2)
    tr_pre = Ys[:, n0:, :t0].mean(axis=1)
    lam = np.array(lambda0, float)
    om = np.array(omega0, float)
    if o.update_lambda:
        lam = _solve(c_pre, c_post, lam, zeta=o.zeta_lambda, intercept=o.lambda_intercept, o=o)
    if o.update_omega:
        om = _solve(
            c_pre.transpose(0, 2, 1),
            tr_pre,
            om,
            zeta=o.zeta_omega,
            intercept=o.omega_intercept,
            o=o,
        )
    wt = np.concatenate([-lam, np.full((nb, t1), 1.0 / t1)], axis=1)
    wu = np.concatenate([-om, np.full((nb, n1), 1.0 / n1)], axis=1)
    tau = np.einsum("bn,bnt,bt->b", wu, Ys, wt)
    return tau, om, lam


def _sum_normalize(x: np.ndarray) -> np.ndarray:
    s = x.sum(axis=-1, keepdims=True)
    return np.where(s != 0, x / np.where(s != 0, s, 1.0), 1.0 / x.shape[-1])


@dataclass(frozen=True, repr=False)
class SDIDResult(PlotMixin, ResultMixin):
    """Synthetic DiD (or its SC / DiD special case) with its standard error.

    ``unit_weights`` (omega) are over control units, ``time_weights`` (lambda) over
    pre-treatment periods; ``effect_curve`` is the per-period effect the estimate averages.
    """

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_val: float
    unit_weights: pd.Series
    time_weights: pd.Series
    effect_curve: pd.Series
    method: str
    se_method: str
    n_reps: int
    seed: int | None
    n_treated: int
    n_control: int
    n_pre: int
    n_post: int
    noise_level: float
    zeta_omega: float
    ci_level: float
    y: str
    start: object
    _trajectory: pd.DataFrame = field(repr=False, compare=False)
    n_dropped: int = 0
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"ci": (C.CI_LOW, C.CI_HIGH)}

    @property
    def n(self) -> int:
        """Units in the panel: treated and control."""
        return self.n_treated + self.n_control

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                C.TERM: [f"att_{self.method}"],
                C.ESTIMATE: [self.estimate],
                C.STD_ERROR: [self.std_error],
                C.CI_LOW: [self.ci_low],
                C.CI_HIGH: [self.ci_high],
                C.P_VAL: [self.p_val],
                C.N: [self.n],
            }
        )

    def summary(self) -> str:
        name = {"sdid": "Synthetic DiD", "sc": "Synthetic control", "did": "DiD"}[self.method]
        top = self.unit_weights[self.unit_weights > 0].sort_values(ascending=False).head(5)
        lines = [
            f"{name} effect on {self.y}: {self.estimate:.3f} (SE {self.std_error:.3f}, "
            f"{self.se_method}), {self.ci_level:.0%} CI [{self.ci_low:.3f}, {self.ci_high:.3f}]",
            f"{self.n_treated} treated, {self.n_control} control units; {self.n_pre} pre, "
            f"{self.n_post} post periods; effective controls {1 / np.sum(self.unit_weights**2):.1f}",
            "largest unit weights: " + ", ".join(f"{k} {v:.3f}" for k, v in top.items()),
        ]
        if self.n_treated == 1 and self.se_method == "placebo":
            lines.append(
                "one treated unit: the placebo SE assumes the treated unit's noise is like the controls'"
            )
        return "\n".join(lines)

    def plot_data(self) -> pd.DataFrame:
        """Time, treated mean and its synthetic comparison (shifted by the SDID intercept)."""
        return self._trajectory.copy()


@estimator(legacy=legacy_synth_call("synthdid"))
def synthdid(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    treated: str | None = None,
    start: object = None,
    *,
    treated_units: Hashable | Iterable[Hashable] | None = None,
    method: Method = "sdid",
    se: SEMethod = "placebo",
    n_reps: int = 200,
    ci: float = 0.95,
    seed: int | None = None,
) -> SDIDResult:
    r"""Synthetic difference-in-differences for a block of units treated from ``start``.

    .. math::
        \hat\tau = \Big(\bar Y_{tr,post} - \sum_t \hat\lambda_t \bar Y_{tr,t}\Big)
                 - \sum_i \hat\omega_i \Big(\bar Y_{i,post} - \sum_t \hat\lambda_t Y_{i,t}\Big)

    Unit weights :math:`\omega` solve a ridge-penalised simplex regression of the treated
    pre-period mean on the controls (with intercept), penalty
    :math:`\zeta = (N_{tr} T_{post})^{1/4}\hat\sigma`, :math:`\hat\sigma` the standard
    deviation of the controls' pre-period first differences; time weights :math:`\lambda`
    do the same across periods with an infinitesimal penalty. Both are found by
    Frank-Wolfe with a sparsifying restart, as in R ``synthdid::synthdid_estimate``.
    ``method="sc"`` is ``sc_estimate`` (no intercept, :math:`\lambda = 0`,
    infinitesimal penalty); ``method="did"`` is ``did_estimate`` (uniform weights).

    Parameters
    ----------
    df : long panel, one row per unit x time, balanced.
    y, unit, time : column names of the outcome, the unit identifier and the period.
    treated : a 0/1 column marking the treated units (constant within unit; all start
        together); or give ``treated_units``, the treated unit's label or a list of them.
        (Until this release ``treated`` was the label and the order ``df, unit, time, y,
        treated, start``; such calls still work, with a ``FutureWarning``.)
    start : first treated period; periods ``< start`` are pre-treatment.
    method : "sdid", "sc" or "did".
    se : "placebo" (controls reassigned as placebo-treated; the only choice with one
        treated unit), "bootstrap" (units resampled; needs several treated units),
        "jackknife" (leave one unit out with weights held fixed; needs two or more
        treated units) or "none".
    n_reps : replications for placebo and bootstrap.
    ci : confidence level of the normal interval ``estimate +- z * std_error``.
    seed : seed of the placebo/bootstrap draws.

    Returns
    -------
    SDIDResult with ``estimate``, ``std_error``, ``ci_low``, ``ci_high``, ``p_val``, ``unit_weights``,
    ``time_weights``, ``effect_curve``.

    Notes
    -----
    Placebo replications share the panel's shape, so they are solved together as one
    batched Frank-Wolfe problem. As in ``synthdid``, replications reuse the original
    fit's penalty and start from its weights.

    References
    ----------
    Arkhangelsky, Athey, Hirshberg, Imbens & Wager (2021), Synthetic Difference-in-
    Differences, American Economic Review 111(12):4088-4118, Algorithms 1-4. Agrees with
    R ``synthdid`` 0.0.9 on California's Proposition 99 (-15.604; SC -19.620; DiD -27.349).

    Examples
    --------
    >>> res = cm.impact.synthdid(
    ...     prop99, "packs", "state", "year", treated_units="California", start=1989, seed=1
    ... )
    >>> round(res.estimate, 2)
    -15.6
    """
    import pandas as pd
    from scipy import stats

    check_choice("method", method, ("sdid", "sc", "did"))
    check_choice("se", se, ("placebo", "bootstrap", "jackknife", "none"))
    ci = check_ci(ci)
    if start is None:
        raise OptionError("synthdid needs start=, the first treated period")
    treated = treated_units_of(df, unit, treated, treated_units, what="synthdid")
    p: Panel = panel_matrix(df, unit, time, y, treated, start, what="synthdid")
    Y, n0, t0 = p.Y, p.n0, p.t0
    o = _options(Y, n0, t0, method)
    omega0 = np.full((1, n0), 1.0 / n0)
    lambda0 = np.zeros((1, t0)) if method == "sc" else np.full((1, t0), 1.0 / t0)
    tau, om, lam = _fit(Y[None], n0, t0, o, omega0, lambda0)
    est = float(tau[0])
    omega, lamb = om[0], lam[0]

    rng = np.random.default_rng(seed)
    n1 = p.n1
    if se == "none":
        std = float("nan")
    elif se == "placebo":
        if n0 <= n1:
            raise EstimationError(
                f"placebo standard errors need more controls ({n0}) than treated units ({n1})",
                fix='use se="bootstrap" or "jackknife"',
            )
        perm = np.argsort(rng.random((n_reps, n0)), axis=1)
        Yb = Y[perm]
        nc = n0 - n1
        w0 = _sum_normalize(omega[perm[:, :nc]])
        taus, _, _ = _fit(Yb, nc, t0, o, w0, np.repeat(lam, n_reps, axis=0))
        std = float(np.sqrt((n_reps - 1) / n_reps) * np.std(taus, ddof=1))
    elif se == "bootstrap":
        if n1 < 2:
            raise EstimationError(
                "bootstrap standard errors need two or more treated units",
                fix='use se="placebo" with one treated unit',
            )
        N = Y.shape[0]
        taus = []
        while len(taus) < n_reps:
            ind = np.sort(rng.integers(0, N, N))
            nb0 = int((ind < n0).sum())
            if nb0 in (0, N):
                continue
            w0 = _sum_normalize(omega[ind[:nb0]])[None]
            t_b, _, _ = _fit(Y[ind][None], nb0, t0, o, w0, lam)
            taus.append(float(t_b[0]))
        std = float(np.sqrt((n_reps - 1) / n_reps) * np.std(taus, ddof=1))
    else:  # jackknife with weights held fixed
        if n1 < 2 or np.count_nonzero(omega) < 2:
            raise EstimationError(
                "the jackknife needs two or more treated units and two or more weighted controls",
                fix='use se="placebo" with one treated unit',
            )
        wt = np.concatenate([-lamb, np.full(p.t1, 1.0 / p.t1)])
        r = Y @ wt
        rc, rt = r[:n0], r[n0:]
        # leave out control i: omega without i, renormalised
        om_minus = np.where(np.eye(n0, dtype=bool), 0.0, omega[None, :])
        om_minus = _sum_normalize(om_minus)
        u_c = rt.mean() - om_minus @ rc
        u_t = (rt.sum() - rt) / (n1 - 1) - omega @ rc
        u = np.concatenate([u_c, u_t])
        n = len(u)
        std = float(np.sqrt((n - 1) / n * (n - 1) * np.var(u, ddof=1)))
    z = stats.norm.ppf(0.5 + ci / 2)
    ci_t = (est - z * std, est + z * std)
    pval = float(2 * stats.norm.sf(abs(est / std))) if std > 0 else float("nan")

    controls, times = p.units[:n0], p.times
    wu = np.concatenate([-omega, np.full(n1, 1.0 / n1)])
    tau_t = wu @ Y
    curve = tau_t[t0:] - tau_t[:t0] @ lamb
    tr_mean = Y[n0:].mean(axis=0)
    synth = omega @ Y[:n0]
    shift = (tr_mean[:t0] - synth[:t0]) @ lamb if method != "sc" else 0.0
    if method == "did":
        shift = (tr_mean[:t0] - synth[:t0]).mean()
    traj = pd.DataFrame({C.TIME: times, C.TREATED: tr_mean, C.SYNTHETIC_PATH: synth + shift})
    return SDIDResult(
        estimate=est,
        std_error=std,
        ci_low=float(ci_t[0]),
        ci_high=float(ci_t[1]),
        p_val=pval,
        unit_weights=pd.Series(omega, index=pd.Index(controls, name=unit), name="omega"),
        time_weights=pd.Series(lamb, index=pd.Index(times[:t0], name=time), name="lambda"),
        effect_curve=pd.Series(curve, index=pd.Index(times[t0:], name=time), name="effect"),
        method=method,
        se_method=se,
        n_reps=n_reps if se in ("placebo", "bootstrap") else 0,
        seed=seed,
        n_treated=n1,
        n_control=n0,
        n_pre=t0,
        n_post=p.t1,
        noise_level=o.zeta_lambda / 1e-6,
        zeta_omega=o.zeta_omega,
        ci_level=ci,
        y=y,
        start=start,
        _trajectory=traj,
    )
