r"""Interrupted time series: single-group and comparative segmented regression.

The single-group design (Wagner et al. 2002; Bernal, Cummins & Gasparrini 2017) fits one
straight line before the intervention and another from its first period on,

.. math:: y_t = \beta_0 + \beta_1 t + \beta_2\,post_t + \beta_3 (t - T_0)\,post_t + e_t ,

so that :math:`\beta_2` is the change in level at :math:`T_0` and :math:`\beta_3` the
change in slope. The comparative (multiple-group) design of Linden (2015, Stata
``itsa``) adds a comparison series and lets every term differ by group :math:`z`,

.. math::
    y_{t} = \beta_0 + \beta_1 t + \beta_2 post_t + \beta_3 (t - T_0) post_t
          + \beta_4 z + \beta_5 z t + \beta_6 z\,post_t + \beta_7 z (t - T_0) post_t + e_t ,

where :math:`\beta_6` and :math:`\beta_7` are the differences between the treated and the
comparison series in the change of level and of slope: a difference-in-differences of
segmented trends. Standard errors are Newey-West (1987) by default, since a time series
is rarely free of autocorrelation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from .._api import check_choice, estimator
from .._results import PlotMixin, ResultMixin
from ..errors import EstimationError, OptionError, SchemaError
from ..schemas import DISRUPTED_YEARS, C, school_year, year_start
from ._common import _one_time, check_ci, check_columns, drop_years, time_to_int, years_note

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ITSResult", "interrupted_time_series"]

#: Fewest periods required on each side of the interruption (two fix a line, the third
#: leaves a residual to learn the noise from).
MIN_PERIODS = 3

SINGLE_TERMS = ("const", "time", "post", "time_post")
GROUP_TERMS = ("treated", "treated_time", "treated_post", "treated_time_post")
#: Linden's (2015) names of the same regressors in Stata ``itsa`` output (T = start).
ITSA_NAMES = {
    "const": "_cons",
    "time": "_t",
    "post": "_x{T}",
    "time_post": "_x_t{T}",
    "treated": "_z",
    "treated_time": "_z_t",
    "treated_post": "_z_x{T}",
    "treated_time_post": "_z_x_t{T}",
}
SERIES, TREATED, COMPARISON = "series", "treated", "comparison"


# --------------------------------------------------------------------------- numerics


def segmented_design(
    t: np.ndarray, start: float, z: np.ndarray | None = None, origin: float | None = None
) -> np.ndarray:
    """Regressors of the segmented model, columns in the order of ``SINGLE_TERMS``
    (+ ``GROUP_TERMS`` when ``z`` is given). ``t`` is measured from ``origin`` (default
    its minimum), so the intercept is the level at the first period."""
    t = np.asarray(t, dtype=float)
    t0 = float(t.min()) if origin is None else float(origin)
    post = (t >= start).astype(float)
    cols = [np.ones_like(t), t - t0, post, (t - start) * post]
    if z is not None:
        z = np.asarray(z, dtype=float)
        cols += [z * c for c in cols]
    return np.column_stack(cols)


def lag_pairs(
    groups: np.ndarray, periods: np.ndarray, maxlags: int, step: int = 1
) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each lag l = 1..maxlags, the row pairs (i, j) of one series whose periods are
    exactly ``l * step`` apart. Lags count periods of the time variable, so a gap left by
    excluded years is not bridged; without gaps these are the adjacent rows that
    statsmodels' ``cov_type="HAC"`` / ``"hac-panel"`` use."""
    groups = np.asarray(groups, dtype=np.int64)
    periods = np.asarray(periods, dtype=np.int64)
    span = int(periods.max() - periods.min()) + (maxlags + 1) * step + 1
    key = groups * span + (periods - periods.min())
    order = np.argsort(key, kind="stable")
    sk = key[order]
    out = []
    for lag in range(1, maxlags + 1):
        target = key + lag * step
        pos = np.searchsorted(sk, target)
        pos = np.minimum(pos, len(sk) - 1)
        hit = sk[pos] == target
        out.append((np.flatnonzero(hit), order[pos[hit]]))
    return out


@dataclass(frozen=True)
class _Fit:
    beta: np.ndarray  # (k, R)
    cov: np.ndarray  # (R, k, k)
    resid: np.ndarray  # (n, R)
    df_resid: int


def ols_fit(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    periods: np.ndarray,
    *,
    vcov: Literal["hac", "driscoll_kraay", "classical"] = "hac",
    maxlags: int = 1,
    small_sample: bool = True,
    step: int = 1,
) -> _Fit:
    r"""OLS of every column of ``y`` (n x R) on ``x`` with Newey-West or classical
    covariance, vectorized over the R columns (simulation replications).

    Newey-West: :math:`V = (X'X)^{-1} \hat S (X'X)^{-1}` with Bartlett weights
    :math:`w_l = 1 - l/(L+1)`,

    .. math:: \hat S = c \Big[\sum_i e_i^2 x_i x_i' + \sum_{l=1}^{L} w_l
              \sum_{(i,j):\,t_j - t_i = l} e_i e_j (x_i x_j' + x_j x_i')\Big],

    pairs taken within one series (``groups``), and :math:`c = n/(n-k)` when
    ``small_sample`` (Stata ``newey``), 1 otherwise. Equal to statsmodels
    ``OLS(...).fit(cov_type="hac-panel", cov_kwds={"groups": g, "maxlags": L,
    "use_correction": "hac" | False})`` on series without gaps (tested).

    ``vcov="driscoll_kraay"`` first sums the scores :math:`x_i e_i` of all series within
    each period and applies the same Bartlett-weighted sum over periods (Driscoll & Kraay
    1998), so shocks common to the series at one period are allowed for; equal to
    statsmodels ``cov_type="hac-groupsum"`` (tested).
    """
    y2 = y[:, None] if y.ndim == 1 else y
    n, k = x.shape
    if n - k <= 0:
        raise EstimationError(
            f"{n} observations cannot identify {k} coefficients",
            fix="use more periods or fewer terms",
        )
    xtx = x.T @ x
    if np.linalg.matrix_rank(xtx) < k:
        raise EstimationError(
            "the segmented regressors are collinear",
            fix="check that periods on both sides of start remain in every series",
        )
    bread = np.linalg.inv(xtx)
    beta = bread @ (x.T @ y2)
    e = y2 - x @ beta
    if vcov == "classical":
        s2 = (e**2).sum(axis=0) / (n - k)
        cov = s2[:, None, None] * bread[None]
    else:
        s = x[:, :, None] * e[:, None, :]  # (n, k, R)
        if vcov == "driscoll_kraay":
            tcode, uniq = _codes(periods)
            onehot = np.zeros((len(uniq), n))
            onehot[tcode, np.arange(n)] = 1.0
            s = np.einsum("tn,nkr->tkr", onehot, s, optimize=True)
            groups, periods = np.zeros(len(uniq), np.int64), uniq
        s = np.ascontiguousarray(s.transpose(2, 1, 0))  # (R, k, n): batched matmuls
        meat = s @ s.transpose(0, 2, 1)
        for lag, (i, j) in enumerate(lag_pairs(groups, periods, maxlags, step), start=1):
            if len(i) == 0:
                continue
            a = s[:, :, i] @ s[:, :, j].transpose(0, 2, 1)
            meat += (1 - lag / (maxlags + 1)) * (a + a.transpose(0, 2, 1))
        if small_sample:
            meat *= n / (n - k)
        cov = bread[None] @ meat @ bread[None]
    return _Fit(beta=beta, cov=cov, resid=e, df_resid=n - k)


def _codes(periods: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    uniq, code = np.unique(np.asarray(periods, dtype=np.int64), return_inverse=True)
    return code, uniq


def durbin_watson_grouped(e: np.ndarray, groups: np.ndarray, periods: np.ndarray, step: int = 1):
    r""":math:`DW = \sum (e_t - e_{t-1})^2 / \sum e_t^2`, differences taken within each
    series between periods one step apart (statsmodels ``durbin_watson`` for one series
    without gaps)."""
    i, j = lag_pairs(groups, periods, 1, step)[0]
    num = ((e[j] - e[i]) ** 2).sum(axis=0)
    return num / (e**2).sum(axis=0)


def breusch_godfrey_grouped(
    x: np.ndarray, e: np.ndarray, groups: np.ndarray, periods: np.ndarray, lags: int, step: int = 1
) -> tuple[float, float]:
    r"""Breusch-Godfrey LM test of no autocorrelation up to order ``lags``.

    Auxiliary OLS of the residuals on the regressors and their own lags within each series
    (a lag that does not exist, at the start of a series or across a gap, is set to 0 as
    Davidson & MacKinnon suggest); :math:`LM = n R^2 \sim \chi^2_{lags}`. Equal to
    statsmodels ``acorr_breusch_godfrey`` for one series without gaps (tested).
    """
    from scipy import stats

    n = len(e)
    lagged = np.zeros((n, lags))
    for c, (i, j) in enumerate(lag_pairs(groups, periods, lags, step)):
        lagged[j, c] = e[i]
    z = np.column_stack([x, lagged])
    coef = np.linalg.lstsq(z, e, rcond=None)[0]
    u = e - z @ coef
    tss = ((e - e.mean()) ** 2).sum()
    lm = float(n * (1 - (u**2).sum() / tss)) if tss > 0 else 0.0
    return lm, float(stats.chi2.sf(lm, lags))


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class _ITSFit:
    """What inference after the fit needs."""

    x: np.ndarray
    y: np.ndarray
    groups: np.ndarray  # series of each regression row
    periods: np.ndarray
    step: int
    contrasts: np.ndarray  # effects x coefficients
    reference_dist: str
    small_sample: bool
    frame: Any = field(repr=False)  # u, z, t, y of the rows used
    comparison: str
    t0: int
    comparative: bool


@dataclass(frozen=True, repr=False)
class ITSResult(PlotMixin, ResultMixin):
    """An interrupted time series fit.

    ``coefficients`` holds the regression (terms ``const, time, post, time_post`` and,
    for the comparative design, ``treated, treated_time, treated_post,
    treated_time_post``); ``effects`` the quantities one reports: ``level_change``,
    ``slope_change``, ``pre_trend``, ``post_trend`` (as Linden's ``posttrend`` /
    ``lincom``), ``average_effect`` and, comparatively, the comparison series' and the
    difference's versions. Both frames have columns ``term, estimate, std_error, ci_low,
    ci_high, p_val, n``; ``to_frame()`` stacks them. ``vcov`` says how the standard
    errors were computed; change it with :meth:`with_inference`. ``y`` is the outcome
    column (formerly ``outcome``).
    """

    design: str  # "single" | "comparative"
    y: str
    start: int
    coefficients: pd.DataFrame
    effects: pd.DataFrame
    vcov: str
    maxlags: int
    ci_level: float
    n: int
    n_dropped: int
    n_units: dict[str, int]
    n_periods: dict[str, tuple[int, int]]
    comparison: str
    durbin_watson: float
    autocorrelation: pd.DataFrame  # lag, statistic, df, p_val (Breusch-Godfrey LM)
    excluded_years: tuple[int, ...] = ()
    disrupted_kept: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    _plot: pd.DataFrame = field(default=None, repr=False, compare=False)
    _cov: np.ndarray = field(default=None, repr=False, compare=False)
    _labels: dict = field(default=None, repr=False, compare=False)
    _fit: _ITSFit | None = field(default=None, repr=False, compare=False)
    seed: int | None = None

    _aliases: ClassVar = {"ci": "ci_level", "outcome": "y"}

    def _effect(self, term: str) -> float:
        row = self.effects.loc[self.effects[C.TERM] == term, C.ESTIMATE]
        return float(row.iloc[0])

    def with_inference(
        self,
        vcov: str,
        *,
        maxlags: int | None = None,
        ci: float | None = None,
        reference_dist: str | None = None,
        n_boot: int = 9999,
        bootstrap_weights: str = "rademacher",
        n_perm: int = 999,
        seed: int | None = None,
    ) -> ITSResult:
        r"""The same fit with other standard errors, intervals and p-values.

        Parameters
        ----------
        vcov : ``"hac"`` (Newey-West, ``maxlags``), ``"driscoll_kraay"``,
            ``"classical"``, ``"hc1"`` (White's heteroskedasticity-robust errors with
            the n/(n-k) factor), ``"cluster"`` (cluster-robust CR1 by series: each unit
            of a pooled fit, each group of a mean fit; t with G - 1 df), ``"wild"``
            (wild cluster restricted bootstrap by series, for every coefficient and
            effect: p-values from the bootstrap, intervals by test inversion, standard
            errors cluster-robust) or ``"randomization"`` (comparative designs: which
            units are treated is re-assigned, the whole fit repeated; p-values only).
        maxlags : Newey-West lags (default the result's).
        ci, reference_dist : level and reference distribution (default the result's).
        n_boot, bootstrap_weights : as :func:`wild_cluster_bootstrap`.
        n_perm, seed : assignments drawn (all when fewer) and the seed of any draw.

        Returns
        -------
        A new :class:`ITSResult`. Agrees with statsmodels ``OLS.fit(cov_type="HC1" |
        "cluster" | "HAC")`` (tests).
        """
        check_choice("vcov", vcov, _INFERENCE)
        level = self.ci_level if ci is None else check_ci(ci)
        f = self._fit
        if f is None:  # pragma: no cover
            raise OptionError("this result carries no fit", fix="re-estimate it")
        dist = f.reference_dist if reference_dist is None else reference_dist
        check_choice("reference_dist", dist, ("t", "normal"))
        lags = self.maxlags if maxlags is None else maxlags
        names = self.coefficients[C.TERM].tolist()
        effect_names = self.effects[C.TERM].tolist()
        beta = self.coefficients[C.ESTIMATE].to_numpy()
        n, k = f.x.shape
        G = int(f.groups.max()) + 1
        notes = tuple(x for x in self.notes if not x.startswith("Inference after the fit"))
        extra: dict[str, Any] = {}
        if vcov in ("hac", "driscoll_kraay", "classical", "hc1"):
            fit = ols_fit(
                f.x,
                f.y,
                f.groups,
                f.periods,
                vcov="hac" if vcov == "hc1" else vcov,
                maxlags=0 if vcov == "hc1" else lags,
                small_sample=True if vcov == "hc1" else f.small_sample,
                step=f.step,
            )
            cov = fit.cov[0]
            d = "t" if vcov in ("classical", "hc1") else dist
            dof = len(np.unique(f.periods)) - 1 if vcov == "driscoll_kraay" else n - k
            desc = {
                "classical": "classical OLS (t with n-k df)",
                "hc1": f"heteroskedasticity-robust (HC1; t with {n - k} df)",
            }.get(vcov) or _vcov_text(vcov, self.comparison, lags, f.small_sample, d, dof)
            coef = _table(names, beta, np.sqrt(np.diag(cov)), d, dof, level, n)
            se_e = np.sqrt(np.einsum("ik,kl,il->i", f.contrasts, cov, f.contrasts))
            effects = _table(effect_names, f.contrasts @ beta, se_e, d, dof, level, n)
            if vcov != "hc1":
                extra["maxlags"] = lags
        elif vcov == "cluster":
            cov = _cluster_cov(f.x, f.y - f.x @ beta, f.groups)
            coef, effects, cov = _cluster_tables(f, names, effect_names, beta, cov, level, G)
            desc = f"cluster-robust (CR1) by series, {G} clusters; t with {G - 1} df"
        elif vcov == "wild":
            coef, effects, cov = _wild_tables(
                f, names, effect_names, beta, level, n_boot, bootstrap_weights, seed, G
            )
            desc = (
                f"wild cluster restricted bootstrap by series ({G} clusters, "
                f"{bootstrap_weights} weights); standard errors cluster-robust"
            )
            extra["seed"] = seed
        else:
            coef, effects, desc = _randomization_tables(self, f, names, effect_names, n_perm, seed)
            cov = np.full((k, k), np.nan)
            notes = (
                *notes,
                "Inference after the fit: randomization inference gives p-values under the "
                "sharp null of no effect, not standard errors or intervals.",
            )
            extra["seed"] = seed
        res = replace(
            self,
            coefficients=coef,
            effects=effects,
            vcov=desc,
            ci_level=level,
            notes=notes,
            _cov=cov,
            **extra,
        )
        res._record_call(
            {
                **dict(self.call),
                "with_inference": {
                    "vcov": vcov,
                    "maxlags": lags,
                    "ci": level,
                    **({"n_boot": n_boot} if vcov == "wild" else {}),
                    **({"n_perm": n_perm} if vcov == "randomization" else {}),
                    **({"seed": seed} if vcov in ("wild", "randomization") else {}),
                },
            }
        )
        return res

    @property
    def level_change(self) -> float:
        """Change in level at the start (comparative: treated minus comparison)."""
        return self._effect("level_change")

    @property
    def slope_change(self) -> float:
        """Change in slope from the start (comparative: treated minus comparison)."""
        return self._effect("slope_change")

    @property
    def post_trend(self) -> float:
        """Slope of the treated (or only) series after the start."""
        return self._effect("post_trend")

    @property
    def average_effect(self) -> float:
        """Mean over the post periods used of fitted minus counterfactual."""
        return self._effect("average_effect")

    def covariance(self) -> pd.DataFrame:
        """Covariance matrix of the coefficients, labelled by term."""
        import pandas as pd

        names = self.coefficients["term"].tolist()
        return pd.DataFrame(self._cov, index=names, columns=names)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.concat([self.coefficients, self.effects], ignore_index=True)

    @property
    def estimate(self) -> float:
        """The change in level (``level_change``), the design's headline effect."""
        return self.level_change

    def summary(self) -> str:
        e = self.effects.set_index(C.TERM)
        title = (
            "Interrupted time series (single group)"
            if self.design == "single"
            else f"Comparative interrupted time series (comparison units: {self.comparison})"
        )
        lab = self._labels.get(self.start, self.start) if self._labels else self.start
        lines = [
            f"{title}: {self.y}, start {lab}",
            f"n = {self.n} rows, {self.n_dropped} dropped (missing); units "
            + ", ".join(f"{k} {v}" for k, v in self.n_units.items())
            + "; periods before/after "
            + ", ".join(f"{k} {a}/{b}" for k, (a, b) in self.n_periods.items()),
            f"Standard errors: {self.vcov}",
        ]
        for term in ("level_change", "slope_change", "post_trend", "average_effect"):
            r = e.loc[term]
            lines.append(
                f"  {term:<15} {r[C.ESTIMATE]:9.4g} (SE {r[C.STD_ERROR]:.4g}, "
                f"{self.ci_level:.0%} CI {r[C.CI_LOW]:.4g} to {r[C.CI_HIGH]:.4g}, "
                f"p = {r[C.P_VAL]:.3g})"
            )
        ac = self.autocorrelation
        bg = ", ".join(
            f"lag {int(r.lag)}: LM {r.statistic:.3g}, p = {r.p_val:.3g}" for r in ac.itertuples()
        )
        lines.append(
            f"Residual autocorrelation: Durbin-Watson {self.durbin_watson:.3f}; "
            f"Breusch-Godfrey {bg}"
        )
        note = years_note(self.excluded_years)
        if note:
            lines.append(note)
        lines.extend(self.notes)
        return "\n".join(lines)

    def plot_data(self) -> pd.DataFrame:
        """What :meth:`plot` draws, one row per group and period of the grid from the first
        to the last period: ``group`` ("series" | "treated" | "comparison"), ``time``
        (integer period), ``label`` (as given, e.g. "2019-20"), ``observed`` (the group
        mean; NaN where not observed or excluded), ``n_units``, ``post``, ``fitted`` and
        ``counterfactual`` (from the start on: the single series' pre-period line
        extended; for the treated series of the comparative design, its pre-period line
        plus the comparison series' changes at the start)."""
        return self._plot.copy()


# --------------------------------------------------------------------------- helpers


def _numeric(df: pd.DataFrame, col: str) -> None:
    import pandas as pd

    s = df[col]
    if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        raise SchemaError(
            f"column {col!r} is not numeric",
            column=col,
            fix="convert the outcome to numbers (e.g. pd.to_numeric(df[col], errors='coerce'))",
        )


def _as01(s: pd.Series, col: str) -> np.ndarray:
    import pandas as pd

    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(s):
        raise SchemaError(
            f"column {col!r} must be a 0/1 group indicator",
            column=col,
            fix="code the treated series 1 and the comparison series 0",
        )
    v = s.to_numpy(dtype=float)
    bad = ~np.isin(v, (0.0, 1.0))
    if bad.any():
        raise SchemaError(
            f"column {col!r} holds {v[bad][0]!r}; it must be 0/1",
            row=int(np.flatnonzero(bad)[0]) + 1,
            column=col,
            fix="code the treated series 1 and the comparison series 0",
        )
    return v


def _step(periods: np.ndarray) -> int:
    u = np.unique(periods)
    if len(u) < 2:
        return 1
    return int(np.gcd.reduce(np.diff(u).astype(np.int64))) or 1


class _Labels(dict):
    """Period -> label as given; periods never seen are labelled as school years when the
    given labels are school years (``2019`` -> ``"2019-20"``), else as integers."""

    def __init__(self, values: pd.Series, ints: np.ndarray) -> None:
        super().__init__()
        for i, v in zip(ints, values.to_numpy()):
            self.setdefault(int(i), v)
        self.school = bool(self) and all(isinstance(v, str) and "-" in v for v in self.values())

    def get(self, key, default=None):
        if key in self:
            return self[key]
        return school_year(int(key)) if self.school else key if default is None else default


def _ci_p(est, se, dist: str, dof: int, ci: float):
    from scipy import stats

    if dist == "t":
        q = stats.t.ppf(0.5 + ci / 2, dof)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = 2 * stats.t.sf(np.abs(est / se), dof)
    else:
        q = stats.norm.ppf(0.5 + ci / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = 2 * stats.norm.sf(np.abs(est / se))
    return est - q * se, est + q * se, p


def _table(names, est, se, dist, dof, ci, n):
    import pandas as pd

    lo, hi, p = _ci_p(np.asarray(est), np.asarray(se), dist, dof, ci)
    return pd.DataFrame(
        {
            "term": list(names),
            C.ESTIMATE: est,
            C.STD_ERROR: se,
            C.CI_LOW: lo,
            C.CI_HIGH: hi,
            C.P_VAL: p,
            "n": int(n),
        }
    )


def _contrasts(comparative: bool, mean_post: float) -> dict[str, np.ndarray]:
    """Linear combinations of the coefficients reported as effects."""
    k = 8 if comparative else 4

    def v(**w):
        out = np.zeros(k)
        idx = {name: i for i, name in enumerate(SINGLE_TERMS + GROUP_TERMS)}
        for name, wt in w.items():
            out[idx[name]] = wt
        return out

    if not comparative:
        return {
            "level_change": v(post=1),
            "slope_change": v(time_post=1),
            "pre_trend": v(time=1),
            "post_trend": v(time=1, time_post=1),
            "average_effect": v(post=1, time_post=mean_post),
        }
    return {
        "level_change": v(treated_post=1),
        "slope_change": v(treated_time_post=1),
        "pre_level_difference": v(treated=1),
        "pre_trend_difference": v(treated_time=1),
        "pre_trend": v(time=1, treated_time=1),
        "pre_trend_comparison": v(time=1),
        "post_trend": v(time=1, time_post=1, treated_time=1, treated_time_post=1),
        "post_trend_comparison": v(time=1, time_post=1),
        "post_trend_difference": v(treated_time=1, treated_time_post=1),
        "level_change_treated": v(post=1, treated_post=1),
        "level_change_comparison": v(post=1),
        "average_effect": v(treated_post=1, treated_time_post=mean_post),
    }


# --------------------------------------------------------------------------- estimator


@estimator(renamed={"outcome": "y"})
def interrupted_time_series(
    df: pd.DataFrame,
    y: str,
    time: str,
    *,
    start: object,
    unit: str | None = None,
    treated: str | None = None,
    comparison: Literal["mean", "pooled"] = "mean",
    vcov: Literal["hac", "driscoll_kraay", "classical"] = "hac",
    maxlags: int = 1,
    small_sample: bool = True,
    reference_dist: Literal["t", "normal"] = "t",
    ac_lags: int | None = None,
    exclude_years: Iterable[object] | None = None,
    ci: float = 0.95,
) -> ITSResult:
    r"""Segmented regression of an interrupted time series, single or comparative.

    Single group (Wagner et al. 2002):

    .. math:: y_t = \beta_0 + \beta_1 t + \beta_2 post_t + \beta_3 (t - T_0) post_t + e_t

    Comparative (Linden 2015), with :math:`z = 1` for the treated series:

    .. math:: y_t = \ldots + \beta_4 z + \beta_5 z t + \beta_6 z\,post_t
              + \beta_7 z (t - T_0) post_t + e_t

    :math:`t` counts periods from the first one (Linden's ``_t``), :math:`post_t = 1` from
    ``start`` (:math:`T_0`) on. Reported effects: ``level_change`` (:math:`\beta_2`; in
    the comparative design :math:`\beta_6`, treated minus comparison), ``slope_change``
    (:math:`\beta_3`; :math:`\beta_7`), ``post_trend`` (:math:`\beta_1+\beta_3`; treated:
    :math:`\beta_1+\beta_3+\beta_5+\beta_7`, with its standard error from the covariance
    as Linden's ``lincom``), ``average_effect`` (level change plus slope change times the
    mean of :math:`t - T_0` over the post periods used: fitted minus counterfactual
    averaged over those periods; it targets the mean true effect over those periods
    whatever the effect's shape, provided the pre-period is effect-free and its trend
    linear), and in the comparative design the
    balance terms ``pre_level_difference`` (:math:`\beta_4`), ``pre_trend_difference``
    (:math:`\beta_5`) and each series' own trends and level changes.

    Parameters
    ----------
    df : long table, one row per period (and unit, when ``unit`` is given).
    y : numeric outcome column (formerly ``outcome``).
    time : period column: integers or school years such as ``"2019-20"`` (taken as 2019).
    start : the first period of the intervention (``"2019-20"`` or 2019).
    unit : column naming the units (districts) of each series; optional when every group
        has one row per period.
    treated : 0/1 column marking the treated series; gives the comparative design. Without
        it the data form a single series.
    comparison : how several units in a group enter. ``"mean"`` (default) averages the
        units' outcomes period by period (unweighted, over the units observed in that
        period) and fits the group means, as Linden's figures show them; ``"pooled"``
        enters every unit's series as its own rows (Linden's ``itsa`` with several
        controls), with autocovariances taken within each unit. On a balanced panel both
        give the same coefficients; the standard errors differ.
    vcov : ``"hac"`` (default) Newey-West with a Bartlett kernel and ``maxlags`` lags,
        autocovariances within each series, the series taken as independent (Stata
        ``newey``/``itsa``); ``"driscoll_kraay"`` the same kernel applied to the scores
        summed over series within each period (Driscoll & Kraay 1998), which also allows
        for shocks the treated and comparison series share in a period (a statewide
        spike such as 2021-22 chronic absenteeism): recommended for comparative designs,
        where it gives the Newey-West error of the treated-minus-comparison series; its
        t reference has (number of periods - 1) df, one per period sum as when
        clustering by period; ``"classical"`` textbook OLS.
    maxlags : Newey-West truncation lag (default 1, as Linden's examples with annual data;
        the rule of thumb :math:`\lfloor 4 (T/100)^{2/9} \rfloor` gives 2 for 10 periods
        and 3 for 40). Lags count periods, so years dropped by ``exclude_years`` leave a gap
        that is not bridged. 0 gives White's heteroskedasticity-robust errors.
    small_sample : multiply the HAC covariance by :math:`n/(n-k)` (default True). With
        ``reference_dist="t"`` (t with :math:`n-k` df) this is Stata ``newey, lag(L)``;
        with ``reference_dist="normal"`` it is Stata ``itsa`` 3.x (``glm, vce(hac nwest
        L) vfactor(N/df)``, z tests). Linden's 2015 article used ``newey``.
    reference_dist : ``"t"`` (default) or ``"normal"`` for intervals and p-values of the
        HAC estimates; classical errors always use t with :math:`n-k` df.
    ac_lags : highest order of the Breusch-Godfrey autocorrelation tests reported
        (orders 1..ac_lags, like Stata ``actest``); default ``max(maxlags, 1)``.
    exclude_years : periods dropped before estimation, e.g.
        :data:`cei_metrics.schemas.DISRUPTED_YEARS` (2019-20, 2020-21). The result says
        which were dropped, and says so when those school years were kept.
    ci : confidence level.

    Returns
    -------
    ITSResult with ``coefficients``, ``effects``, ``level_change``, ``slope_change``,
    ``post_trend``, ``average_effect``, ``durbin_watson`` and ``autocorrelation``
    (Breusch-Godfrey LM by order), ``plot_data()`` / ``plot()``, ``n``, ``n_dropped``,
    ``vcov``, ``maxlags``, ``excluded_years``.

    Missing data: rows with a missing outcome, unit or group are dropped (``n_dropped``);
    a missing period raises. NaN cells and absent rows give the same answer.

    Notes
    -----
    The regression and its covariance are computed here in numpy (vectorized over
    outcome columns, for simulations); the tests prove equality with statsmodels
    ``cov_type="HAC"``/``"hac-panel"`` and ``acorr_breusch_godfrey``. Segmented
    regression assumes each segment is a straight line; an effect that ramps up over
    several periods is summarised by the line that fits it best (see
    ``average_effect``).

    Newey-West intervals are too narrow in short autocorrelated series: in simulations
    with AR(1) errors (rho = 0.5) and 24 periods the nominal 95% interval covered the
    level change about 78-80% of the time and the slope change about 72% (classical OLS
    intervals do no better); with 200 periods and rho = 0.2 about 92%. Read p-values from a few years of
    annual data as optimistic.

    References
    ----------
    Wagner, Soumerai, Zhang & Ross-Degnan (2002), J. Clin. Pharm. Ther. 27:299-309.
    Bernal, Cummins & Gasparrini (2017), Int. J. Epidemiol. 46:348-355.
    Linden (2015), Stata Journal 15(2):480-500 (``itsa``; reproduced in the tests on
    California's Proposition 99: level change -20.0581, comparative difference in level
    change -2.806417, p = .631).
    Newey & West (1987), Econometrica 55:703-708. Driscoll & Kraay (1998), Rev. Econ.
    Stat. 80:549-560. Breusch (1978); Godfrey (1978).

    Examples
    --------
    >>> res = interrupted_time_series(prop99, "packs_per_capita", "year", start=1989,
    ...                               unit="state", treated="california")
    >>> round(res.level_change, 4), round(res.slope_change, 4)
    (-2.8064, -0.9911)
    """
    import pandas as pd

    outcome = y
    ci = check_ci(ci)
    check_choice("comparison", comparison, ("mean", "pooled"))
    check_choice("vcov", vcov, ("hac", "driscoll_kraay", "classical"))
    check_choice("reference_dist", reference_dist, ("t", "normal"))
    if not isinstance(maxlags, int | np.integer) or maxlags < 0:
        raise OptionError(
            f"maxlags={maxlags!r} is not a lag", fix="pass a whole number >= 0, e.g. maxlags=1"
        )
    maxlags = int(maxlags)
    ac = max(maxlags, 1) if ac_lags is None else int(ac_lags)
    if ac < 1:
        raise OptionError(f"ac_lags={ac_lags!r} must be >= 1", fix="pass ac_lags=1 or more")
    check_columns(df, [outcome, time, unit, treated], what="time series")
    _numeric(df, outcome)
    t0 = _one_time(start, time)
    comparative = treated is not None

    d, excluded = drop_years(df, time, exclude_years)
    cols = list(dict.fromkeys(c for c in (outcome, time, unit, treated) if c))
    d = d[cols]
    tint_all = time_to_int(d[time], column=time)  # raises on a missing period
    keep = d[[c for c in cols if c != time]].notna().all(axis=1).to_numpy()
    n_dropped = int((~keep).sum())
    d = d.loc[keep]
    tint = tint_all[keep]
    labels = _Labels(d[time], tint)
    if len(d) == 0:
        raise EstimationError(
            f"no rows with a value of {outcome!r} remain",
            column=outcome,
            fix="check the outcome column and exclude_years",
        )

    # group of each row and unit codes ------------------------------------------------
    if comparative:
        z = _as01(d[treated], treated)
        if len(np.unique(z)) < 2:
            raise SchemaError(
                f"column {treated!r} does not hold both groups",
                column=treated,
                fix="include treated (1) and comparison (0) rows, or drop treated= for a "
                "single-group analysis",
            )
    else:
        z = np.zeros(len(d))
    if unit is not None:
        ucode, uniq = pd.factorize(d[unit])
        if comparative:
            zu = pd.Series(z).groupby(ucode).nunique()
            if (zu > 1).any():
                bad = uniq[int(zu.index[zu.to_numpy() > 1][0])]
                raise SchemaError(
                    f"unit {bad!r} switches between treated and comparison",
                    column=treated,
                    fix="the group indicator must be constant within a unit",
                )
    else:
        ucode = z.astype(np.int64)  # one series per group
    frame = pd.DataFrame({"u": ucode, "z": z, "t": tint, "y": d[outcome].to_numpy(float)})
    dup = frame.duplicated(["u", "z", "t"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        where = "a unit" if unit is not None else "a group"
        raise SchemaError(
            f"{where} has two rows for period {labels.get(int(tint[i]), tint[i])!r}",
            row=i + 1,
            column=time,
            fix="keep one row per period"
            + ("" if unit is not None else "; name unit= when a group holds several units"),
        )

    group_names = (COMPARISON, TREATED) if comparative else (SERIES,)
    n_units = {
        group_names[int(g)]: int(frame.loc[frame["z"] == g, "u"].nunique())
        for g in sorted(frame["z"].unique(), reverse=True)
    }

    # enough periods on each side of the start, in every group ----------------------
    n_periods = {}
    for g in sorted(frame["z"].unique(), reverse=True):
        per = np.unique(frame.loc[frame["z"] == g, "t"])
        pre, post = int((per < t0).sum()), int((per >= t0).sum())
        name = group_names[int(g)]
        n_periods[name] = (pre, post)
        if pre < MIN_PERIODS or post < MIN_PERIODS:
            raise EstimationError(
                f"the {name} series has {pre} period(s) before start {start!r} and {post} "
                f"from it on; segmented regression needs at least {MIN_PERIODS} on each side",
                column=time,
                fix="move start, add periods, or exclude fewer years",
            )

    # the rows of the regression -----------------------------------------------------
    reg, x, yv, groups, t_all, origin, step, unbalanced = _rows(frame, comparison, comparative, t0)
    n_series = int(groups.max()) + 1
    max_len = int(reg.groupby("u").size().max())
    if vcov != "classical" and maxlags >= max_len:
        raise EstimationError(
            f"maxlags={maxlags} is not smaller than the longest series ({max_len} periods)",
            fix="use a smaller maxlags (1 or 2 for annual data)",
        )
    fit = ols_fit(
        x, yv, groups, t_all, vcov=vcov, maxlags=maxlags, small_sample=small_sample, step=step
    )
    beta, cov = fit.beta[:, 0], fit.cov[0]
    names = list(SINGLE_TERMS + (GROUP_TERMS if comparative else ()))
    n, k = x.shape
    dist = reference_dist if vcov != "classical" else "t"
    dof = len(np.unique(t_all)) - 1 if vcov == "driscoll_kraay" else n - k
    coef = _table(names, beta, np.sqrt(np.diag(cov)), dist, dof, ci, n)
    post_t = np.unique(t_all[t_all >= t0])
    mean_post = float(np.mean(post_t - t0))
    con = _contrasts(comparative, mean_post)
    cmat = np.vstack(list(con.values()))
    est = cmat @ beta
    se = np.sqrt(np.einsum("ik,kl,il->i", cmat, cov, cmat))
    effects = _table(list(con), est, se, dist, dof, ci, n)

    # diagnostics ---------------------------------------------------------------------
    e = fit.resid[:, 0]
    dw = float(durbin_watson_grouped(e, groups, t_all, step))
    rows = []
    for lag in range(1, ac + 1):
        if x.shape[1] + lag >= n:
            break
        lm, p = breusch_godfrey_grouped(x, e, groups, t_all, lag, step)
        rows.append({"lag": lag, "statistic": lm, "df": lag, C.P_VAL: p})
    autocorr = pd.DataFrame(rows, columns=["lag", C.STATISTIC, C.DF, C.P_VAL])

    # description and notes -----------------------------------------------------------
    desc = _vcov_text(vcov, comparison, maxlags, small_sample, dist, dof)
    notes = []
    disrupted = tuple(sorted({year_start(y) for y in DISRUPTED_YEARS} & set(t_all.tolist())))
    if disrupted:
        notes.append(
            "Periods "
            + ", ".join(str(labels.get(y, y)) for y in disrupted)
            + " are in the fit; if they are the school years 2019-20/2020-21 disrupted by "
            "COVID-19, consider exclude_years=DISRUPTED_YEARS."
        )
    if unbalanced:
        notes.append(
            "The number of units differs between periods within a group; group means mix "
            "different units over time."
        )
    if comparative and vcov == "hac":
        notes.append(
            "Standard errors take the series as independent; if they share shocks in a "
            "period, vcov='driscoll_kraay' accounts for it."
        )
    if n_series > 2 and comparison == "pooled":
        notes.append(f"{n_series} unit series pooled.")

    plot = _plot_frame(reg, frame, beta, t0, comparative, labels, origin, step, group_names)
    fitinfo = _ITSFit(
        x=x,
        y=yv,
        groups=groups,
        periods=t_all,
        step=step,
        contrasts=cmat,
        reference_dist=reference_dist,
        small_sample=small_sample,
        frame=frame,
        comparison=comparison,
        t0=int(t0),
        comparative=comparative,
    )
    return ITSResult(
        design="comparative" if comparative else "single",
        y=outcome,
        start=int(t0),
        coefficients=coef,
        effects=effects,
        vcov=desc,
        maxlags=maxlags,
        ci_level=ci,
        n=int(n),
        n_dropped=n_dropped,
        n_units=n_units,
        n_periods=n_periods,
        comparison=comparison,
        durbin_watson=dw,
        autocorrelation=autocorr,
        excluded_years=excluded,
        disrupted_kept=disrupted,
        notes=tuple(notes),
        _plot=plot,
        _cov=cov,
        _labels=labels,
        _fit=fitinfo,
    )


def _plot_frame(reg, frame, beta, t0, comparative, labels, origin, step, group_names):
    import pandas as pd

    t_max = int(reg["t"].max())
    grid = np.arange(origin, t_max + 1, step, dtype=np.int64)
    if t0 not in set(grid.tolist()) and origin < t0 <= t_max:
        grid = np.unique(np.append(grid, t0))
    parts = []
    for g in (1, 0) if comparative else (0,):
        zz = np.full(len(grid), float(g))
        xg = segmented_design(grid, float(t0), zz if comparative else None, origin)
        fitted = xg @ beta
        post = grid >= t0
        if comparative:
            # remove the treated-specific change at the start (beta_6, beta_7)
            cf = fitted - g * (beta[6] * post + beta[7] * (grid - t0) * post)
            if g == 0:
                cf = np.full(len(grid), np.nan)
        else:
            cf = beta[0] + beta[1] * (grid - origin)
        cf = np.where(post, cf, np.nan)
        sub = frame[frame["z"] == g].groupby("t").agg(y=("y", "mean"), m=("u", "nunique"))
        parts.append(
            pd.DataFrame(
                {
                    C.GROUP: group_names[g],
                    C.TIME: grid,
                    C.LABEL: [labels.get(int(v), int(v)) for v in grid],
                    C.OBSERVED: sub["y"].reindex(grid).to_numpy(),
                    C.N_UNITS: sub["m"].reindex(grid).fillna(0).astype(int).to_numpy(),
                    C.POST: post,
                    C.FITTED: fitted,
                    C.COUNTERFACTUAL: cf,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


_INFERENCE = ("hac", "driscoll_kraay", "classical", "hc1", "cluster", "wild", "randomization")


def _rows(frame, comparison: str, comparative: bool, t0: int):
    """The regression rows of the segmented model from the unit-period ``frame``
    (columns u, z, t, y): group means by period (``"mean"``) or every unit's series
    (``"pooled"``). Returns ``(reg, x, y, groups, periods, origin, step, unbalanced)``."""
    import pandas as pd

    if comparison == "mean":
        agg = frame.groupby(["z", "t"], sort=True).agg(y=("y", "mean"), m=("u", "nunique"))
        reg = agg.reset_index()
        reg["u"] = reg["z"].astype(np.int64)
        unbalanced = any(
            frame.loc[frame["z"] == g].groupby("t")["u"].nunique().nunique() > 1
            for g in frame["z"].unique()
        )
    else:
        reg = frame.sort_values(["z", "u", "t"]).reset_index(drop=True)
        reg["u"] = reg["u"].astype(np.int64) * 2 + reg["z"].astype(np.int64)
        unbalanced = False
    t_all = reg["t"].to_numpy(np.int64)
    origin = int(t_all.min())
    step = _step(t_all)
    x = segmented_design(
        t_all, float(t0), reg["z"].to_numpy(float) if comparative else None, origin
    )
    yv = reg["y"].to_numpy(float)
    groups = pd.factorize(reg["u"])[0]
    return reg, x, yv, groups, t_all, origin, step, unbalanced


def _vcov_text(vcov, comparison, maxlags, small_sample, dist, dof) -> str:
    if vcov == "classical":
        return "classical OLS (t with n-k df)"
    within = "each unit" if comparison == "pooled" else "each series"
    lags = f"{maxlags} lag{'s' if maxlags != 1 else ''}"
    desc = (
        f"Newey-West HAC (Bartlett kernel, {lags}, within {within}"
        if vcov == "hac"
        else f"Driscoll-Kraay (Newey-West on scores summed by period, Bartlett, {lags}"
    )
    return desc + (
        (", small-sample factor n/(n-k)" if small_sample else "")
        + (f"; t with {dof} df" if dist == "t" else "; normal reference")
        + ")"
    )


def _cluster_cov(x: np.ndarray, e: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """CR1: (X'X)^-1 (sum_g s_g s_g') (X'X)^-1 G/(G-1) (n-1)/(n-k), s_g = X_g' e_g."""
    n, k = x.shape
    G = int(groups.max()) + 1
    if G < 2:
        raise EstimationError(
            "cluster-robust errors need at least two series",
            fix="use vcov='hac' for a single series",
        )
    bread = np.linalg.inv(x.T @ x)
    sc = np.zeros((G, k))
    np.add.at(sc, groups, x * e[:, None])
    return bread @ (sc.T @ sc) @ bread * G / (G - 1) * (n - 1) / (n - k)


def _cluster_tables(f, names, effect_names, beta, cov, level, G):
    n = len(f.y)
    coef = _table(names, beta, np.sqrt(np.diag(cov)), "t", G - 1, level, n)
    se_e = np.sqrt(np.einsum("ik,kl,il->i", f.contrasts, cov, f.contrasts))
    effects = _table(effect_names, f.contrasts @ beta, se_e, "t", G - 1, level, n)
    return coef, effects, cov


def _wild_tables(f, names, effect_names, beta, level, n_boot, bootstrap_weights, seed, G):
    """Wild cluster restricted bootstrap of every coefficient and effect: each linear
    combination c'b becomes a coefficient of the reparametrized design X A^-1 (A the
    identity with one row replaced by c), whose other columns span the same space."""
    from .inference.wild import wild_core

    if G < 3:
        raise EstimationError(
            f"the wild cluster bootstrap needs at least 3 series; this fit has {G}",
            fix="use comparison='pooled' with several units per group",
        )
    cov = _cluster_cov(f.x, f.y - f.x @ beta, f.groups)
    coef, effects, _ = _cluster_tables(f, names, effect_names, beta, cov, level, G)
    k = f.x.shape[1]

    def resid(m):
        return lambda v: v - m @ np.linalg.lstsq(m, v, rcond=None)[0]

    def boot(c: np.ndarray, name: str):
        j = int(np.argmax(np.abs(c)))
        a = np.eye(k)
        a[j] = c
        xr = f.x @ np.linalg.inv(a)
        z = np.delete(xr, j, axis=1)
        return wild_core(
            f.y,
            xr[:, j],
            resid(z),
            resid(f.x),
            f.groups,
            G,
            k=k,
            null=0.0,
            impose_null=True,
            bootstrap_weights=bootstrap_weights,
            n_boot=n_boot,
            ci=level,
            seed=seed,
            name=name,
        )

    for tab, mat in ((coef, np.eye(k)), (effects, f.contrasts)):
        for i, (c, name) in enumerate(zip(mat, tab[C.TERM])):
            out = boot(np.asarray(c, float), name)
            tab.loc[i, [C.CI_LOW, C.CI_HIGH, C.P_VAL]] = [out.ci_low, out.ci_high, out.p_val]
    return coef, effects, cov


def _randomization_tables(res, f, names, effect_names, n_perm, seed):
    """Re-assign which units are treated (keeping how many), refit, and compare."""
    from .inference.randomization import assignments, permutation_p_value

    if not f.comparative:
        raise OptionError(
            "randomization inference needs the comparative design (treated=)",
            fix="give treated= and unit= with several units",
        )
    fr = f.frame
    units = np.unique(fr["u"].to_numpy())
    z_of = fr.groupby("u")["z"].first().reindex(units).to_numpy()
    if len(units) < 3:
        raise EstimationError(
            "randomization inference needs several units; name them with unit=",
            fix="pass unit= so each district's series is a unit",
        )
    g = np.where(z_of > 0, 1.0, np.inf)
    gp, exact = assignments(g, n_perm, seed)
    uidx = np.searchsorted(units, fr["u"].to_numpy())
    stats = []
    for row in gp:
        zz = np.isfinite(row)[uidx].astype(float)
        _, x, yv, *_ = _rows(fr.assign(z=zz), f.comparison, True, f.t0)
        b = np.linalg.lstsq(x, yv, rcond=None)[0]
        stats.append(np.concatenate([b, f.contrasts @ b]))
    null = np.asarray(stats)
    beta = res.coefficients[C.ESTIMATE].to_numpy()
    est = np.concatenate([beta, res.effects[C.ESTIMATE].to_numpy()])
    pv = [permutation_p_value(float(e), null[:, i], exact) for i, e in enumerate(est)]
    coef = res.coefficients.copy()
    effects = res.effects.copy()
    k = len(beta)
    for tab, ps in ((coef, pv[:k]), (effects, pv[k:])):
        tab[[C.STD_ERROR, C.CI_LOW, C.CI_HIGH]] = np.nan
        tab[C.P_VAL] = ps
    how = "all assignments" if exact else f"{len(null)} random assignments"
    desc = f"randomization inference (treated status re-assigned across {len(units)} units; {how})"
    return coef, effects, desc
