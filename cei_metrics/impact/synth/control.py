"""Synthetic control (Abadie, Diamond & Hainmueller 2010) with nested predictor weights and
in-space placebo inference."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from ..._api import check_choice, check_ci, estimator
from ..._results import PlotMixin, ResultMixin, tidy
from ...errors import EstimationError, OptionError, SchemaError
from ...schemas import C
from ._panel import (
    legacy_synth_call,
    panel_matrix,
    require_columns,
    treated_units_of,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["SynthResult", "synthetic_control"]

SpecialPredictor = tuple[str, Sequence[object], str] | tuple[str, Sequence[object]]


def simplex_weights(
    X0: np.ndarray,
    x1: np.ndarray,
    v: np.ndarray | None = None,
    tie: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    r"""Donor weights on the simplex minimising the V-weighted predictor distance.

    .. math:: \min_w (x_1 - X_0 w)' V (x_1 - X_0 w),\quad w \ge 0,\ 1'w = 1

    Solved as a non-negative least-squares problem (Lawson-Hanson, scipy ``nnls``) with
    the adding-up constraint appended as a heavily weighted row, then renormalised. This
    is the inner problem of the nested optimisation; it is far faster than a general
    solver (SLSQP) and reaches the same minimum (checked in the tests).

    Parameters
    ----------
    X0 : (K, J) predictors of the donors; x1 : (K,) of the treated unit;
    v : (K,) non-negative predictor weights (identity when None).
    tie : optional ``(Z0, z1)``, pre-period outcomes scaled to unit spread, added with a
        weight of 1e-6: when the predictors alone admit many exact fits (the treated unit
        inside the donors' convex hull), this picks the one that best fits the outcomes,
        and is negligible otherwise.
    """
    return _SimplexSolver(X0, x1, tie)(v)


class _SimplexSolver:
    """:func:`simplex_weights` for one (X0, x1, tie) and many V: the parts of the
    augmented least-squares problem that do not depend on V are built once, which
    matters inside the outer search (hundreds of calls per fit)."""

    def __init__(
        self,
        X0: np.ndarray,
        x1: np.ndarray,
        tie: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        K, J = X0.shape
        self.K, self.J = K, J
        self.X0, self.x1 = X0, x1
        rows = [np.empty((K, J))]
        rhs = [np.empty(K)]
        if tie is not None:
            z0, z1 = tie
            rows.append(1e-3 * z0 / np.sqrt(len(z1)))
            rhs.append(1e-3 * z1 / np.sqrt(len(z1)))
        rows.append(np.empty((1, J)))
        rhs.append(np.empty(1))
        self.A = np.vstack(rows)
        self.b = np.concatenate(rhs)
        self.row_max = np.abs(X0).max(axis=1)
        self.tie_max = float(np.abs(self.A[K:-1]).max()) if tie is not None else 0.0

    def __call__(self, v: np.ndarray | None = None) -> np.ndarray:
        from scipy.optimize import nnls

        K, J = self.K, self.J
        d = np.ones(K) if v is None else np.sqrt(np.maximum(v, 0.0))
        np.multiply(d[:, None], self.X0, out=self.A[:K])
        np.multiply(d, self.x1, out=self.b[:K])
        # max |A| over the scaled predictor rows and the tie rows (d >= 0, so the scaled
        # row maxima are exact)
        amax = max(float((d * self.row_max).max()), self.tie_max)
        scale = max(1.0, amax) * 1e3
        self.A[-1] = scale
        self.b[-1] = scale
        w, _ = nnls(self.A, self.b, maxiter=50 * J)
        s = w.sum()
        return w / s if s > 0 else np.full(J, 1.0 / J)


def _fit_one(
    X0: np.ndarray,
    x1: np.ndarray,
    Z0: np.ndarray,
    z1: np.ndarray,
    optim: str,
    rng: np.random.Generator | None = None,
    n_starts: int = 0,
) -> tuple[np.ndarray, np.ndarray, float]:
    """(w, v, loss_v) for one treated unit. X scaled already; Z are the pre-period outcomes."""
    from scipy.optimize import minimize

    K = X0.shape[0]
    zs = float(np.std(np.column_stack([Z0, z1]))) or 1.0
    tie = (Z0 / zs, z1 / zs)

    def loss(w: np.ndarray) -> float:
        r = z1 - Z0 @ w
        return float(r @ r) / len(r)

    solve = _SimplexSolver(X0, x1, tie)
    if K == 1 or optim == "equal":
        v = np.full(K, 1.0 / K)
        w = solve(v)
        return w, v, loss(w)

    def outer(x: np.ndarray) -> float:
        a = np.abs(x)
        s = a.sum()
        if s == 0:
            return np.inf
        return loss(solve(a / s))

    starts = [np.full(K, 1.0 / K)]
    # regression-based start (Synth's): squared coefficients of the outcomes on predictors
    Xall = np.column_stack([np.ones(X0.shape[1] + 1), np.column_stack([X0, x1]).T])
    Zall = np.column_stack([Z0, z1])
    beta, *_ = np.linalg.lstsq(Xall, Zall.T, rcond=None)
    vr = (beta[1:] ** 2).sum(axis=1)
    if np.all(np.isfinite(vr)) and vr.sum() > 0:
        starts.append(vr / vr.sum())
    if rng is not None and n_starts:
        starts.extend(rng.dirichlet(np.ones(K), size=n_starts))
    best = None
    for x0 in starts:
        res = minimize(
            outer,
            x0,
            method="Nelder-Mead",
            options={"maxiter": 400 * K, "xatol": 1e-6, "fatol": 1e-8},
        )
        if best is None or res.fun < best.fun:
            best = res
    v = np.abs(best.x) / np.abs(best.x).sum()
    w = solve(v)
    return w, v, loss(w)


@dataclass(frozen=True, repr=False)
class SynthResult(PlotMixin, ResultMixin):
    """A synthetic control fit with its in-space placebo distribution.

    ``gap`` is treated minus synthetic by period; ``placebos`` has one row per placebo unit
    and period (``unit, time, gap, pre_rmspe, post_rmspe, rmspe_ratio``); ``p_val``
    (formerly ``p_value``) is the share of units (treated included) whose post/pre RMSPE
    ratio is at least the treated unit's (Abadie, Diamond & Hainmueller 2010, section
    3.3). ``weights`` are the donor weights (a result, not sampling weights);
    ``estimate`` is the average post-period gap, ``ci_low, ci_high`` its confidence set
    from the inverted placebo test (constant effect; see :func:`synthetic_control`).
    """

    weights: pd.Series
    v: pd.Series
    gap: pd.Series
    treated_path: pd.Series
    synthetic_path: pd.Series
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    p_val: float
    ci_low: float
    ci_high: float
    ci_level: float
    placebos: pd.DataFrame
    balance: pd.DataFrame
    loss_v: float
    treated: object
    start: object
    y: str
    n_donors: int
    seed: int | None
    _placebo_ratios: pd.Series = field(repr=False, compare=False)
    n_dropped: int = 0
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"p_value": "p_val"}

    @property
    def effect(self) -> float:
        """Average post-period gap."""
        post = self.gap.index >= self.start
        return float(self.gap[post].mean())

    @property
    def estimate(self) -> float:
        """Average post-period gap (``effect``)."""
        return self.effect

    @property
    def n(self) -> int:
        """Units in the fit: the donors and the treated unit."""
        return self.n_donors + 1

    def to_frame(self) -> pd.DataFrame:
        """One row per period: ``term`` (the period), ``estimate`` (the gap), ``n``,
        then ``time, treated, synthetic, post``; a last row ``average_post_gap`` with
        the effect, its confidence set and the placebo p-value."""
        import pandas as pd

        per = pd.DataFrame(
            {
                C.TERM: [str(t) for t in self.gap.index],
                C.ESTIMATE: self.gap.to_numpy(),
                C.N: self.n,
                C.TIME: self.gap.index,
                C.TREATED: self.treated_path.to_numpy(),
                C.SYNTHETIC_PATH: self.synthetic_path.to_numpy(),
                C.POST: self.gap.index >= self.start,
            }
        )
        avg = pd.DataFrame(
            [
                {
                    C.TERM: "average_post_gap",
                    C.ESTIMATE: self.effect,
                    C.CI_LOW: self.ci_low,
                    C.CI_HIGH: self.ci_high,
                    C.P_VAL: self.p_val,
                    C.N: self.n,
                    C.POST: True,
                }
            ]
        )
        return tidy(pd.concat([per, avg], ignore_index=True))

    def summary(self) -> str:
        top = self.weights[self.weights > 1e-3].sort_values(ascending=False).head(6)
        n_pl = len(self._placebo_ratios)
        lines = [
            f"Synthetic control for {self.treated!r} on {self.y}: average post gap "
            f"{self.effect:.3f}; pre RMSPE {self.pre_rmspe:.3f}, post RMSPE {self.post_rmspe:.3f}",
            "donor weights: " + ", ".join(f"{k} {v:.3f}" for k, v in top.items()),
        ]
        if n_pl:
            lines.append(
                f"placebo p-value {self.p_val:.3f} (rank of the post/pre RMSPE ratio among "
                f"{n_pl + 1} units; smallest attainable {1 / (n_pl + 1):.3f}); "
                f"{self.ci_level:.0%} confidence set for a constant effect "
                f"{self.ci_low:.3f} to {self.ci_high:.3f}"
            )
        return "\n".join(lines)

    def plot_data(self, kind: Literal["paths", "gaps"] = "paths") -> pd.DataFrame:
        """``paths``: time, treated, synthetic. ``gaps``: unit, time, gap for the treated
        unit and every placebo."""
        import pandas as pd

        check_choice("kind", kind, ("paths", "gaps"))
        if kind == "paths":
            return pd.DataFrame(
                {
                    C.TIME: self.gap.index,
                    C.TREATED: self.treated_path.to_numpy(),
                    C.SYNTHETIC_PATH: self.synthetic_path.to_numpy(),
                }
            )
        own = pd.DataFrame({C.UNIT: self.treated, C.TIME: self.gap.index, C.GAP: self.gap.values})
        return pd.concat([self.placebos[[C.UNIT, C.TIME, C.GAP]], own], ignore_index=True)


def _predictor_matrix(
    df: pd.DataFrame,
    unit: str,
    time: str,
    y: str,
    order: list,
    pre_times: list,
    predictors: Sequence[str] | None,
    predictor_periods: Sequence[object] | None,
    special_predictors: Sequence[SpecialPredictor] | None,
) -> tuple[np.ndarray, list[str]]:
    """(K, N) predictor matrix in ``order`` of units, and the predictor labels."""
    rows, names = [], []
    periods = list(pre_times) if predictor_periods is None else list(predictor_periods)
    specs: list[tuple[str, list, str]] = [(p, periods, "mean") for p in predictors or ()]
    for sp in special_predictors or ():
        col, per = sp[0], list(sp[1])
        op = sp[2] if len(sp) > 2 else "mean"
        specs.append((col, per, op))
    require_columns(df, [c for c, _, _ in specs], what="synthetic_control predictors")
    for col, per, op in specs:
        if op not in ("mean", "median"):
            raise EstimationError(
                f"predictor operation {op!r} for {col!r} is not supported",
                column=col,
                fix='use "mean" or "median"',
            )
        sub = df[df[time].isin(per)]
        agg = sub.groupby(unit)[col].agg(op).reindex(order)
        if agg.isna().any():
            bad = agg[agg.isna()].index[0]
            raise EstimationError(
                f"predictor {col!r} has no value for unit {bad!r} in periods {per[0]!r}..{per[-1]!r}",
                column=col,
                fix="choose periods where every unit has the predictor, or drop that unit",
            )
        rows.append(agg.to_numpy(float))
        label = f"{col} ({per[0]})" if len(per) == 1 else f"{col} ({op} {per[0]}-{per[-1]})"
        names.append(label)
    return np.vstack(rows), names


@estimator(legacy=legacy_synth_call("synthetic_control"))
def synthetic_control(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    treated: str | None = None,
    start: object = None,
    *,
    treated_units: Hashable | None = None,
    predictors: Sequence[str] | None = None,
    predictor_periods: Sequence[object] | None = None,
    special_predictors: Sequence[SpecialPredictor] | None = None,
    donors: Iterable[Hashable] | None = None,
    placebos: bool = True,
    optim: Literal["nested", "equal"] = "nested",
    n_starts: int = 8,
    ci: float = 0.95,
    seed: int | None = None,
) -> SynthResult:
    r"""Synthetic control: a weighted average of donors that tracks the treated unit.

    .. math::
        W^*(V) = \arg\min_{W \in \Delta} (X_1 - X_0 W)' V (X_1 - X_0 W), \qquad
        V^* = \arg\min_V \lVert Z_1 - Z_0 W^*(V) \rVert^2

    :math:`X` are predictors (each divided by its standard deviation across units, as
    R ``Synth`` and ``pysyncon`` do), :math:`Z` the pre-period outcomes, :math:`\Delta`
    the simplex. The inner problem is solved exactly as a non-negative least-squares
    problem; the outer over diagonal :math:`V` by Nelder-Mead from equal weights and from
    Synth's regression-based start, keeping the better. With no predictors given, each
    pre-period outcome is a predictor with equal weight (outcome-only synthetic control).

    Parameters
    ----------
    df : long panel, one row per unit x time, balanced in ``y``.
    y, unit, time : column names of the outcome, the unit and the period.
    treated : a 0/1 column marking the treated unit (constant within unit); or give
        ``treated_units``, the treated unit's label. (Until this release ``treated`` was
        the label and the order ``df, unit, time, y, treated, start``; such calls still
        work, with a ``FutureWarning``.)
    start : first treated period.
    predictors : columns averaged over ``predictor_periods`` (default: all pre periods).
    special_predictors : ``(column, periods, "mean")`` triples, as R ``Synth``'s
        ``special.predictors`` (e.g. ``("cigsale", [1975], "mean")``).
    donors : donor pool (default: every other unit).
    placebos : run the in-space placebo for every donor (each donor treated in turn, the
        other donors as its pool, the treated unit excluded) and compute ``p_value``.
    optim : "nested" (optimise V) or "equal" (V equal across predictors).
    n_starts : extra random (Dirichlet) starting points of the outer search for the
        treated unit's fit; the outer objective is not convex, so several starts guard
        against a poor local minimum. Placebo fits use the two deterministic starts.
    ci : level of the confidence set for a constant effect (below).
    seed : seed of those random starts.

    Returns
    -------
    SynthResult with ``weights``, ``v``, ``gap``, ``pre_rmspe``, ``post_rmspe``,
    ``placebos``, ``p_val``, ``estimate`` (the average post gap) with ``ci_low``,
    ``ci_high``.

    Notes
    -----
    With :math:`J` donors the smallest attainable placebo p-value is :math:`1/(J+1)`;
    weigh a "significant" result against how many donors fit poorly before treatment.

    ``ci_low, ci_high`` invert the placebo test for a constant effect (Firpo & Possebom
    2018): :math:`\tau` is in the set when, with :math:`\tau` taken off the treated
    unit's post-period outcomes, its post/pre RMSPE ratio is not in the top
    :math:`1 - ci` of the placebo distribution. The weights use pre-period data and the
    placebos exclude the treated unit, so only the treated ratio moves with
    :math:`\tau`, and the set is the interval
    :math:`\bar g \pm \sqrt{(R\,\mathrm{RMSPE}_{pre})^2 - s^2_g}` (:math:`\bar g,
    s^2_g` the mean and mean squared deviation of the post-period gaps, :math:`R` the
    placebo ratio at the cut); infinite when :math:`1 - ci < 1/(J+1)`, empty (NaN) when
    no constant effect is compatible. Placebo p-values are discrete, so the set covers
    at least ``ci`` under the sharp null of a constant effect.

    References
    ----------
    Abadie, Diamond & Hainmueller (2010), JASA 105:493-505; Abadie & Gardeazabal (2003),
    AER 93:113-132; Abadie (2021), JEL 59:391-425; Firpo & Possebom (2018), J. Causal
    Inference 6(2) (confidence sets). Cross-checked against ``pysyncon``
    (R ``Synth`` port) on Proposition 99.

    Examples
    --------
    >>> res = cm.impact.synthetic_control(
    ...     prop99, "packs", "state", "year", treated_units="California", start=1989
    ... )
    >>> res.weights.sort_values().tail(3)
    """
    import pandas as pd

    check_choice("optim", optim, ("nested", "equal"))
    level = check_ci(ci)
    if start is None:
        raise OptionError("synthetic_control needs start=, the first treated period")
    tr_units = treated_units_of(df, unit, treated, treated_units, what="synthetic_control")
    if len(tr_units) != 1:
        raise EstimationError(
            "synthetic_control takes exactly one treated unit",
            column=unit,
            fix="run it once per treated unit, or use synthdid for a treated block",
        )
    treated = tr_units[0]
    p = panel_matrix(df, unit, time, y, treated, start, donors=donors, what="synthetic_control")
    Y, n0, t0 = p.Y, p.n0, p.t0
    pre_times = p.times[:t0]
    if predictors is None and special_predictors is None:
        X = Y[:, :t0].T.copy()
        names = [f"{y} ({t})" for t in pre_times]
        outcome_only = True
    else:
        sub = df[df[unit].isin(p.units)]
        X, names = _predictor_matrix(
            sub,
            unit,
            time,
            y,
            p.units,
            pre_times,
            predictors,
            predictor_periods,
            special_predictors,
        )
        outcome_only = False
    sd = X.std(axis=1, ddof=1)
    if np.any(sd == 0):
        bad = names[int(np.flatnonzero(sd == 0)[0])]
        raise SchemaError(
            f"predictor {bad!r} does not vary across units",
            fix="drop predictors that are constant across units",
        )
    Xs = X / sd[:, None]
    how = "equal" if outcome_only else optim

    rng = np.random.default_rng(seed)

    def fit(
        target: int, pool: np.ndarray, n_starts: int = 0
    ) -> tuple[np.ndarray, np.ndarray, float]:
        return _fit_one(
            Xs[:, pool], Xs[:, target], Y[pool, :t0].T, Y[target, :t0], how, rng, n_starts
        )

    donors_idx = np.arange(n0)
    w, v, loss_v = fit(n0, donors_idx, n_starts)
    synth = w @ Y[:n0]
    gap = Y[n0] - synth

    def rmspe(g: np.ndarray) -> tuple[float, float]:
        return float(np.sqrt(np.mean(g[:t0] ** 2))), float(np.sqrt(np.mean(g[t0:] ** 2)))

    pre, post = rmspe(gap)
    ratio = post / pre if pre > 0 else np.inf
    rows = []
    ratios = {}
    if placebos:
        # the placebo gaps for all donors; the loop is over optimisation problems, each solved
        # with vectorised linear algebra
        G = np.empty((n0, Y.shape[1]))
        for j in range(n0):
            pool = np.delete(donors_idx, j)
            wj, _, _ = fit(j, pool)
            G[j] = Y[j] - wj @ Y[pool]
        pre_j = np.sqrt((G[:, :t0] ** 2).mean(axis=1))
        post_j = np.sqrt((G[:, t0:] ** 2).mean(axis=1))
        with np.errstate(divide="ignore"):
            ratio_j = np.where(pre_j > 0, post_j / pre_j, np.inf)
        T = Y.shape[1]
        rows = pd.DataFrame(
            {
                C.UNIT: np.repeat(p.units[:n0], T),
                C.TIME: np.tile(p.times, n0),
                C.GAP: G.ravel(),
                C.PRE_RMSPE: np.repeat(pre_j, T),
                C.POST_RMSPE: np.repeat(post_j, T),
                C.RMSPE_RATIO: np.repeat(ratio_j, T),
            }
        )
        ratios = dict(zip(p.units[:n0], ratio_j))
        p_value = float((1 + np.sum(ratio_j >= ratio)) / (n0 + 1))
        ci_lo, ci_hi = _constant_effect_set(gap[t0:], pre, ratio_j, level)
    else:
        ci_lo = ci_hi = float("nan")
        rows = pd.DataFrame(
            columns=[C.UNIT, C.TIME, C.GAP, C.PRE_RMSPE, C.POST_RMSPE, C.RMSPE_RATIO]
        )
        p_value = float("nan")
    balance = pd.DataFrame(
        {
            "predictor": names,
            "treated": X[:, n0],
            "synthetic": X[:, :n0] @ w,
            "donor_mean": X[:, :n0].mean(axis=1),
            "v": v,
        }
    )
    idx = pd.Index(p.times, name=time)
    return SynthResult(
        weights=pd.Series(w, index=pd.Index(p.units[:n0], name=unit), name="weight"),
        v=pd.Series(v, index=pd.Index(names, name="predictor"), name="v"),
        gap=pd.Series(gap, index=idx, name="gap"),
        treated_path=pd.Series(Y[n0], index=idx, name="treated"),
        synthetic_path=pd.Series(synth, index=idx, name="synthetic"),
        pre_rmspe=pre,
        post_rmspe=post,
        rmspe_ratio=float(ratio),
        p_val=p_value,
        ci_low=ci_lo,
        ci_high=ci_hi,
        ci_level=level,
        placebos=rows,
        balance=balance,
        loss_v=float(loss_v),
        treated=treated,
        start=start,
        y=y,
        n_donors=n0,
        seed=seed,
        _placebo_ratios=pd.Series(ratios, dtype=float),
    )


def _constant_effect_set(
    post_gap: np.ndarray, pre_rmspe: float, placebo_ratios: np.ndarray, level: float
) -> tuple[float, float]:
    """The constant effects the placebo test does not reject at ``1 - level``."""
    J = len(placebo_ratios)
    alpha = 1.0 - level
    # p(tau) = (1 + #{ratio_j >= r(tau)}) / (J + 1) > alpha needs m placebo ratios >= r(tau)
    # (a small tolerance so that 1 - 0.9 = 0.0999... counts as 0.1)
    m = int(np.floor(alpha * (J + 1) - 1 + 1e-9)) + 1
    if m <= 0:
        return float("-inf"), float("inf")
    if m > J:
        return float("nan"), float("nan")
    cut = float(np.sort(placebo_ratios)[::-1][m - 1])
    if not np.isfinite(cut):
        return float("-inf"), float("inf")
    g = np.asarray(post_gap, dtype=float)
    mean = float(g.mean())
    spread = float(np.mean((g - mean) ** 2))
    room = (cut * pre_rmspe) ** 2 - spread
    if room < 0:
        return float("nan"), float("nan")
    half = float(np.sqrt(room))
    return mean - half, mean + half
