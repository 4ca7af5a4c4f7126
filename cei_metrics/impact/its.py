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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from .._results import ResultMixin
from ..errors import EstimationError, SchemaError
from ..schemas import DISRUPTED_YEARS, school_year, year_start
from ._did_common import _one_time, check_ci, check_columns, drop_years, time_to_int, years_note

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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
class ITSResult(ResultMixin):
    """An interrupted time series fit.

    ``coefficients`` holds the regression (terms ``const, time, post, time_post`` and,
    for the comparative design, ``treated, treated_time, treated_post,
    treated_time_post``); ``effects`` the quantities one reports: ``level_change``,
    ``slope_change``, ``pre_trend``, ``post_trend`` (as Linden's ``posttrend`` /
    ``lincom``), ``average_effect`` and, comparatively, the comparison series' and the
    difference's versions. Both frames have columns ``term, estimate, std_error, ci_low,
    ci_high, p_val, n``.
    """

    design: str  # "single" | "comparative"
    outcome: str
    start: int
    coefficients: pd.DataFrame
    effects: pd.DataFrame
    vcov: str
    maxlags: int
    ci: float
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

    def _effect(self, term: str) -> float:
        row = self.effects.loc[self.effects["term"] == term, "estimate"]
        return float(row.iloc[0])

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

    def summary(self) -> str:
        e = self.effects.set_index("term")
        title = (
            "Interrupted time series (single group)"
            if self.design == "single"
            else f"Comparative interrupted time series (comparison units: {self.comparison})"
        )
        lab = self._labels.get(self.start, self.start) if self._labels else self.start
        lines = [
            f"{title}: {self.outcome}, start {lab}",
            f"n = {self.n} rows, {self.n_dropped} dropped (missing); units "
            + ", ".join(f"{k} {v}" for k, v in self.n_units.items())
            + "; periods before/after "
            + ", ".join(f"{k} {a}/{b}" for k, (a, b) in self.n_periods.items()),
            f"Standard errors: {self.vcov}",
        ]
        for term in ("level_change", "slope_change", "post_trend", "average_effect"):
            r = e.loc[term]
            lines.append(
                f"  {term:<15} {r['estimate']:9.4g} (SE {r['std_error']:.4g}, "
                f"{self.ci:.0%} CI {r['ci_low']:.4g} to {r['ci_high']:.4g}, p = {r['p_val']:.3g})"
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

    def plot(self, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
        """Observed points, the fitted segments before and after the start, and the
        counterfactual (dashed); the comparison series in grey. Returns ``(fig, ax)``."""
        return _draw(self, ax)


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
            "estimate": est,
            "std_error": se,
            "ci_low": lo,
            "ci_high": hi,
            "p_val": p,
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


def interrupted_time_series(
    df: pd.DataFrame,
    outcome: str,
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
    outcome : numeric outcome column.
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

    check_ci(ci)
    if comparison not in ("mean", "pooled"):
        raise EstimationError(f"unknown comparison {comparison!r}", fix='use "mean" or "pooled"')
    if vcov not in ("hac", "driscoll_kraay", "classical"):
        raise EstimationError(
            f"unknown vcov {vcov!r}", fix='use "hac", "driscoll_kraay" or "classical"'
        )
    if reference_dist not in ("t", "normal"):
        raise EstimationError(
            f"unknown reference_dist {reference_dist!r}", fix='use "t" or "normal"'
        )
    if not isinstance(maxlags, int | np.integer) or maxlags < 0:
        raise EstimationError(
            f"maxlags={maxlags!r} is not a lag", fix="pass a whole number >= 0, e.g. maxlags=1"
        )
    maxlags = int(maxlags)
    ac = max(maxlags, 1) if ac_lags is None else int(ac_lags)
    if ac < 1:
        raise EstimationError(f"ac_lags={ac_lags!r} must be >= 1", fix="pass ac_lags=1 or more")
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
        rows.append({"lag": lag, "statistic": lm, "df": lag, "p_val": p})
    autocorr = pd.DataFrame(rows, columns=["lag", "statistic", "df", "p_val"])

    # description and notes -----------------------------------------------------------
    if vcov != "classical":
        within = "each unit" if comparison == "pooled" else "each series"
        lags = f"{maxlags} lag{'s' if maxlags != 1 else ''}"
        desc = (
            f"Newey-West HAC (Bartlett kernel, {lags}, within {within}"
            if vcov == "hac"
            else f"Driscoll-Kraay (Newey-West on scores summed by period, Bartlett, {lags}"
        )
        desc += (
            (", small-sample factor n/(n-k)" if small_sample else "")
            + (f"; t with {dof} df" if dist == "t" else "; normal reference")
            + ")"
        )
    else:
        desc = "classical OLS (t with n-k df)"
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
    return ITSResult(
        design="comparative" if comparative else "single",
        outcome=outcome,
        start=int(t0),
        coefficients=coef,
        effects=effects,
        vcov=desc,
        maxlags=maxlags,
        ci=ci,
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
                    "group": group_names[g],
                    "time": grid,
                    "label": [labels.get(int(v), int(v)) for v in grid],
                    "observed": sub["y"].reindex(grid).to_numpy(),
                    "n_units": sub["m"].reindex(grid).fillna(0).astype(int).to_numpy(),
                    "post": post,
                    "fitted": fitted,
                    "counterfactual": cf,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _draw(res: ITSResult, ax):
    import matplotlib as mpl

    from ..viz import OKABE_ITO, theme_rc

    d = res.plot_data()
    black, blue, grey = OKABE_ITO[0], OKABE_ITO[5], "#999999"
    with mpl.rc_context(theme_rc()):
        if ax is None:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            fig = Figure(figsize=(6.5, 4.0), layout="constrained", facecolor="white")
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
        else:
            fig = ax.figure
        for grp, g in d.groupby("group", sort=False):
            main = grp != COMPARISON
            colour = blue if main else grey
            name = {SERIES: "observed", TREATED: "treated", COMPARISON: "comparison"}[grp]
            ax.plot(
                g["time"],
                g["observed"],
                "o",
                color=colour,
                label=name,
                markerfacecolor=colour if main else "white",
                zorder=3,
            )
            pre, post = g[~g["post"]], g[g["post"]]
            ax.plot(pre["time"], pre["fitted"], "-", color=colour, linewidth=1.6)
            ax.plot(
                post["time"],
                post["fitted"],
                "-",
                color=colour,
                linewidth=1.6,
                label=f"fitted ({name})" if res.design == "comparative" else "fitted",
            )
            if g["counterfactual"].notna().any():
                ax.plot(
                    post["time"],
                    post["counterfactual"],
                    "--",
                    color=black,
                    linewidth=1.2,
                    label="counterfactual",
                )
        ax.axvline(res.start - 0.5, color=grey, linestyle=":", linewidth=1)
        ticks = d.drop_duplicates("time")
        if any(isinstance(v, str) for v in ticks["label"]):
            ax.set_xticks(ticks["time"], [str(v) for v in ticks["label"]], rotation=45)
        ax.set_xlabel("period")
        ax.set_ylabel(res.outcome)
        ax.legend(frameon=False)
    return fig, ax
