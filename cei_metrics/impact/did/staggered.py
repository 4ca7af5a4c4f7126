r"""Group-time average treatment effects for staggered adoption (Callaway & Sant'Anna 2021).

A district that joins the network in school year *g* belongs to cohort *g*. For each
cohort and each period *t*, :func:`att_gt` estimates

.. math:: ATT(g, t) = E[Y_t(g) - Y_t(0) \mid G = g]

by a two-period, two-group DiD between cohort *g* and a comparison group (never-treated
units, or units not yet treated by *t*) over the base period and *t*. The 2x2 estimator
is outcome regression, normalized IPW or doubly robust (Sant'Anna & Zhao 2020). Each
cell carries its influence function, so aggregations (:meth:`ATTResult.aggregate`), the
multiplier bootstrap and the uniform confidence bands all come from one n x cells matrix.
Results agree with R ``did`` 2.x (``att_gt`` + ``aggte``) on its ``mpdta`` example.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from ..._api import check_choice, estimator
from ..._results import PlotMixin, ResultMixin, tidy
from ...errors import EstimationError, OptionError, SchemaError
from ...schemas import C
from .._common import (
    check_ci,
    check_columns,
    cohort_to_int,
    drop_years,
    time_to_int,
    years_note,
)
from ._boot import Clusters, analytic_cov, analytic_se, bootstrap, multipliers
from ._drdid import ESTIMATORS, USES_PSCORE, _pscore
from ._wald import PretrendResult, pretrend_test

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ATTAggregate", "ATTResult", "att_gt"]

Control = Literal["never", "notyet"]
Method = Literal["dr", "reg", "ipw"]
BasePeriod = Literal["varying", "universal"]
Aggregation = Literal["simple", "dynamic", "group", "calendar"]


# --------------------------------------------------------------------------------------
# data preparation
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Panel:
    units: np.ndarray  # unit labels, sorted
    times: np.ndarray  # integer periods, sorted
    y: np.ndarray  # n x T
    x: np.ndarray | None  # n x T x k covariates (no intercept)
    g: np.ndarray  # n cohort (0 = never)
    w: np.ndarray  # n weights, mean 1
    clusters: Clusters
    n_dropped: int
    excluded: tuple[int, ...]
    notes: tuple[str, ...]


def _unit_constant(df, unit: str, col: str) -> None:
    nun = df.groupby(unit, sort=False)[col].nunique(dropna=False)
    bad = nun[nun > 1]
    if len(bad):
        raise SchemaError(
            f"{col!r} changes over time within unit {bad.index[0]!r}",
            column=col,
            fix=f"{col!r} must be fixed for each unit (one value per {unit!r})",
        )


def _prepare(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    *,
    covariates: list[str] | None,
    weights: str | None,
    cluster: str | None,
    anticipation: int,
    exclude_years,
    allow_unbalanced: bool,
) -> _Panel:
    import pandas as pd

    covariates = list(covariates or [])
    check_columns(df, [y, unit, time, cohort, weights, cluster, *covariates], what="panel")
    if allow_unbalanced:
        raise OptionError(
            "unbalanced panels are not supported by att_gt",
            fix="use allow_unbalanced=False: units missing a period (after exclude_years) "
            "are dropped and counted in n_dropped",
        )
    if df[[unit, time]].duplicated().any():
        i = int(np.flatnonzero(df[[unit, time]].duplicated().to_numpy())[0])
        raise SchemaError(
            f"unit {df[unit].iloc[i]!r} appears twice in period {df[time].iloc[i]!r}",
            row=i + 1,
            column=time,
            fix="keep one row per unit and period (aggregate or filter student groups first)",
        )
    n_all = df[unit].nunique()
    d, excluded = drop_years(df, time, exclude_years)
    cols = [unit, time, cohort, y, *covariates]
    cols += [c for c in (weights, cluster) if c is not None and c not in cols]
    d = d[cols].copy()
    d["_t"] = time_to_int(d[time], column=time)
    d["_g"] = cohort_to_int(d[cohort], column=cohort)
    for col in (y, *covariates):
        if not pd.api.types.is_numeric_dtype(d[col]):
            raise SchemaError(
                f"column {col!r} is not numeric",
                column=col,
                fix="convert it to numbers (e.g. pd.to_numeric) before estimating",
            )
    _unit_constant(d, unit, "_g")
    if weights is not None:
        _unit_constant(d, unit, weights)
        wv = d[weights].to_numpy(dtype=float, na_value=np.nan)
        if not np.all(np.isfinite(wv) & (wv > 0)):
            raise SchemaError(
                "weights must be positive and finite",
                column=weights,
                fix="drop or correct units with missing, zero or negative weights",
            )
    if cluster is not None:
        _unit_constant(d, unit, cluster)
    notes: list[str] = []
    # rows with a missing outcome or covariate are dropped; the panel is then balanced
    miss = d[[y, *covariates]].isna().any(axis=1)
    d = d.loc[~miss]
    times = np.sort(d["_t"].unique())
    if len(times) < 2:
        raise EstimationError(
            "fewer than two periods remain",
            column=time,
            fix="supply at least two periods (check exclude_years)",
        )
    counts = d.groupby(unit, sort=False)["_t"].nunique()
    full = counts.index[counts.to_numpy() == len(times)]
    d = d.loc[d[unit].isin(full)]
    # cohorts after the last period are untreated within the window
    g_late = d["_g"] > times.max()
    if g_late.any():
        d.loc[g_late, "_g"] = 0
        notes.append("units first treated after the last period are counted as never treated")
    # treated in the first period (+anticipation): no pre-period, dropped
    early = (d["_g"] > 0) & (d["_g"] <= times.min() + anticipation)
    if early.any():
        notes.append(
            f"{d.loc[early, unit].nunique()} unit(s) treated by the first period were dropped"
        )
        d = d.loc[~early]
    if not (d["_g"] == 0).any():
        if d["_g"].nunique() < 2:
            raise EstimationError(
                "no comparison units: every unit is in the same cohort",
                column=cohort,
                fix="add never-treated or later-treated units",
            )
        last = d["_g"].max()
        d = d.loc[d["_t"] < last - anticipation].copy()
        d.loc[d["_g"] == last, "_g"] = 0
        times = np.sort(d["_t"].unique())
        notes.append(
            f"no never-treated units: cohort {last} serves as comparison; periods from "
            f"{last - anticipation} on were dropped"
        )
    d = d.sort_values([unit, "_t"])
    units = d[unit].drop_duplicates().to_numpy()
    n, nt = len(units), len(times)
    if n == 0:
        raise EstimationError("no units remain after cleaning", fix="check the input panel")
    if not (d["_g"] > 0).any():
        raise EstimationError(
            "no treated units remain",
            column=cohort,
            fix="check that cohort holds first treated periods inside the panel's range",
        )
    yv = d[y].to_numpy(dtype=float).reshape(n, nt)
    xv = None
    if covariates:
        xv = d[covariates].to_numpy(dtype=float).reshape(n, nt, len(covariates))
    first = d.iloc[::nt]  # one row per unit (sorted by unit, then time)
    g = first["_g"].to_numpy(dtype=np.int64)
    w = np.ones(n) if weights is None else first[weights].to_numpy(dtype=float)
    w = w / w.mean()
    if cluster is None:
        cl = Clusters(np.arange(n), n)
    else:
        codes, uniq = pd.factorize(first[cluster])
        if (codes < 0).any():
            raise SchemaError(
                "cluster is missing for some units",
                column=cluster,
                fix="fill the cluster identifier (e.g. district_id) for every unit",
            )
        cl = Clusters(codes.astype(np.int64), len(uniq))
    return _Panel(
        units=units,
        times=times,
        y=yv,
        x=xv,
        g=g,
        w=w,
        clusters=cl,
        n_dropped=int(n_all - n),
        excluded=excluded,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------
# estimation
# --------------------------------------------------------------------------------------


def _cells(p: _Panel, control: str, base_period: str, anticipation: int):
    """The (g, t, base) cells R ``did`` estimates, with treated and comparison masks."""
    times = p.times
    glist = np.unique(p.g[p.g > 0])
    tfac = 1 if base_period == "varying" else 0
    out = []
    for gv in glist:
        pre_ok = np.flatnonzero(times + anticipation < gv)
        if len(pre_ok) == 0:
            continue
        gbase = pre_ok[-1]
        for ti in range(tfac, len(times)):
            cur = times[ti]
            if gv <= cur:
                bi = gbase
            elif base_period == "varying":
                bi = ti - 1
            else:
                bi = gbase
            base = times[bi]
            treated = p.g == gv
            if control == "never":
                comp = p.g == 0
            else:
                comp = (p.g == 0) | ((p.g > max(cur, base) + anticipation) & (p.g != gv))
            out.append((int(gv), int(cur), int(base), ti, bi, treated, comp))
    return glist, out


def _estimate(p: _Panel, control: str, method: str, base_period: str, anticipation: int):
    est_fn = ESTIMATORS[method]
    n = len(p.g)
    glist, cells = _cells(p, control, base_period, anticipation)
    rows, infs = [], []
    cache: dict = {}
    ps_cache: dict = {}
    for gv, cur, base, ti, bi, treated, comp in cells:
        inf = np.zeros(n)
        sub = treated | comp
        n1 = int(sub.sum())
        if cur == base:  # universal base: the reference period itself
            rows.append((gv, cur, base, 0.0, n1, int(treated.sum()), int(comp.sum())))
            infs.append(inf)
            continue
        if not comp.any():
            continue  # R did reports NA; the cell is left out here
        idx = np.flatnonzero(sub)
        dy = p.y[idx, ti] - p.y[idx, bi]
        dd = treated[idx].astype(float)
        if p.x is None:
            xm = np.ones((len(idx), 1))
        else:
            key = (bi, idx.tobytes()) if len(cache) < 256 else None
            xm = cache.get(key) if key is not None else None
            if xm is None:
                xm = np.column_stack([np.ones(len(idx)), p.x[idx, bi, :]])
                if key is not None:
                    cache[key] = xm
        try:
            wi = p.w[idx]
            if method in USES_PSCORE and p.x is not None:
                # the propensity score depends on the sample, the treated indicator and the
                # covariates only: with time-invariant covariates it is the same for every
                # period of a cohort, so it is fitted once and reused
                pkey = (idx.tobytes(), dd.tobytes(), xm.tobytes())
                ps = ps_cache.get(pkey)
                if ps is None:
                    ps = _pscore(dd, xm, wi / wi.mean())
                    if len(ps_cache) < 64:
                        ps_cache[pkey] = ps
                att, inf_c = est_fn(dy, dd, xm, wi, ps=ps)
            else:
                att, inf_c = est_fn(dy, dd, xm, wi)
        except EstimationError as err:
            raise EstimationError(f"ATT(g={gv}, t={cur}): {err.message}", fix=err.fix) from None
        inf[idx] = (n / n1) * inf_c
        rows.append((gv, cur, base, float(att), n1, int(treated.sum()), int(comp.sum())))
        infs.append(inf)
    if not rows:
        raise EstimationError(
            "no group-time cell could be estimated",
            fix="check that cohorts have a pre-period and a comparison group",
        )
    return glist, rows, np.column_stack(infs)


@estimator()
def att_gt(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    *,
    control: Control = "never",
    covariates: list[str] | None = None,
    method: Method = "dr",
    base_period: BasePeriod = "varying",
    anticipation: int = 0,
    panel: bool = True,
    allow_unbalanced: bool = False,
    n_boot: int = 999,
    cluster: str | None = None,
    ci: float = 0.95,
    uniform: bool = True,
    seed: int | None = None,
    weights: str | None = None,
    exclude_years: list | tuple | None = None,
) -> ATTResult:
    r"""Group-time average treatment effects ATT(g, t) of Callaway & Sant'Anna (2021).

    For cohort *g* and period *t* with base period *b* (the last period before *g* for
    post-treatment cells; *t - 1* for pre-treatment cells under ``base_period="varying"``):

    .. math:: ATT(g,t) = E[Y_t - Y_b \mid G=g] - E[Y_t - Y_b \mid C=1]

    adjusted for covariates (measured in the base period) by outcome regression
    (``"reg"``), normalized inverse-probability weighting (``"ipw"``) or both (``"dr"``,
    the doubly robust estimator of Sant'Anna & Zhao 2020, as R ``DRDID::drdid_panel``).
    The comparison group *C* is never-treated units (``control="never"``) or units not
    yet treated by ``max(t, b) + anticipation`` (``"notyet"``).

    Parameters
    ----------
    df : long panel, one row per unit and period.
    y : outcome column (numeric).
    unit : unit identifier (district or school).
    time : period column: integers or school years ``"2019-20"`` (-> 2019).
    cohort : first treated period, same coding as ``time``; 0, NA or ``""`` = never
        treated. Units treated after the last period count as never treated; units
        treated by the first period (+ anticipation) are dropped.
    control : ``"never"`` or ``"notyet"`` comparison group.
    covariates : time-varying or fixed numeric columns; the base-period value enters.
    method : ``"dr"`` (default), ``"reg"`` or ``"ipw"``.
    base_period : ``"varying"`` (R default) or ``"universal"`` (all cells against g-1-anticipation).
    anticipation : periods before *g* in which units may already react.
    panel : only ``True`` (balanced panel) is supported.
    allow_unbalanced : only ``False``: units missing any period are dropped (``n_dropped``).
    n_boot : multiplier-bootstrap draws; 0 gives influence-function (analytic) SEs and
        pointwise intervals.
    cluster : column to cluster on (fixed within unit, e.g. ``district_id``); units are
        always clusters of their own rows.
    ci : confidence level.
    uniform : simultaneous (sup-t) bands over all cells when bootstrapping.
    seed : seed of the bootstrap weights (stored in the result).
    weights : sampling weights, fixed within unit (normalized to mean one).
    exclude_years : periods dropped before estimation (e.g. ``DISRUPTED_YEARS``).

    Returns
    -------
    ATTResult: ``.table`` with group, time, event_time, base_time, estimate, std_error,
    ci_low, ci_high, p_val, n; ``.aggregate(...)``; ``.pretrend`` (Wald test).

    Missing data: rows missing the outcome or a covariate are dropped, then units not
    observed in every remaining period are dropped (counted in ``n_dropped``).

    References
    ----------
    Callaway & Sant'Anna (2021), J. Econometrics 225:200-230. Sant'Anna & Zhao (2020),
    J. Econometrics 219:101-122. Agrees with R ``did::att_gt`` (2.x) and ``aggte``.

    Examples
    --------
    >>> res = att_gt(mpdta, "lemp", "countyreal", "year", "first.treat", seed=1)
    >>> round(res.table.estimate.iloc[0], 4)
    -0.0105
    """
    check_choice("control", control, ("never", "notyet"))
    check_choice("method", method, tuple(ESTIMATORS))
    check_choice("base_period", base_period, ("varying", "universal"))
    if not panel:
        raise OptionError(
            "repeated cross-sections (panel=False) are not supported by att_gt",
            fix="aggregate to a unit-by-period panel (e.g. district-year) and use panel=True",
        )
    if int(anticipation) != anticipation or anticipation < 0:
        raise OptionError(
            f"anticipation={anticipation!r} must be a non-negative integer",
            fix="pass 0, 1, ...",
        )
    _check_n_boot(n_boot)
    ci = check_ci(ci)
    p = _prepare(
        df,
        y,
        unit,
        time,
        cohort,
        covariates=covariates,
        weights=weights,
        cluster=cluster,
        anticipation=int(anticipation),
        exclude_years=exclude_years,
        allow_unbalanced=allow_unbalanced,
    )
    _glist, rows, inf = _estimate(p, control, method, base_period, int(anticipation))
    import pandas as pd

    tab = pd.DataFrame(
        rows,
        columns=[C.GROUP, C.TIME, C.BASE_TIME, C.ESTIMATE, C.N, C.N_TREATED, C.N_CONTROL],
    )
    tab.insert(2, C.EVENT_TIME, tab[C.TIME] - tab[C.GROUP])
    boot_seed = int(seed) if seed is not None else secrets.randbits(63)
    tab, crit, inference = _inference_table(
        tab, inf, p.clusters, int(n_boot), boot_seed, ci, uniform, cluster or unit
    )
    res = ATTResult(
        table=tab,
        control=control,
        inference=inference,
        n_units=len(p.units),
        n_clusters=p.clusters.n_clusters,
        n_dropped=p.n_dropped,
        seed=seed,
        method=method,
        base_period=base_period,
        anticipation=int(anticipation),
        ci_level=ci,
        uniform=bool(uniform and n_boot > 0),
        crit_value=float(crit),
        n_boot=int(n_boot),
        excluded_years=p.excluded,
        notes=p.notes,
        _inf=inf,
        _se_analytic=_analytic(inf, p.clusters),
        _g=p.g,
        _w=p.w,
        _clusters=p.clusters,
        _boot_seed=boot_seed,
        _units=p.units,
        _data=df,
        _unit=unit,
        _cluster=cluster,
    )
    return res


def _check_n_boot(n_boot: object) -> None:
    if isinstance(n_boot, bool) or int(n_boot) != n_boot or n_boot < 0:  # type: ignore[operator]
        raise OptionError(f"n_boot={n_boot!r} is not a count", fix="pass e.g. 999, or 0")


def _analytic(inf: np.ndarray, clusters: Clusters) -> np.ndarray:
    se = analytic_se(inf, clusters)
    se[se <= np.sqrt(np.finfo(float).eps) * 10] = np.nan  # reference period
    return se


def _inference_table(
    tab: pd.DataFrame,
    inf: np.ndarray,
    clusters: Clusters,
    n_boot: int,
    boot_seed: int,
    ci: float,
    uniform: bool,
    cluster_name: str,
) -> tuple[pd.DataFrame, float, str]:
    """Standard errors, pointwise intervals, uniform bands and p-values of the cells,
    from the influence functions: the multiplier bootstrap (``n_boot`` draws) or the
    analytic influence-function variance (``n_boot=0``), clustered by ``clusters``."""
    est = tab[C.ESTIMATE].to_numpy()
    z = _z(ci)
    if n_boot > 0:
        mult = multipliers(boot_seed, int(n_boot), clusters.n_clusters)
        se, crit, _ = bootstrap(inf, clusters, mult, ci)
        if not uniform or not np.isfinite(crit):
            crit = z
        what = f"multiplier bootstrap, {n_boot} draws"
    else:
        se, crit = _analytic(inf, clusters), z
        what = "influence-function (analytic) standard errors"
    banded = bool(uniform and n_boot > 0)
    band = "uniform (sup-t) bands" if banded else "pointwise intervals"
    out = tab.drop(columns=[c for c in (*_INFERENCE_COLUMNS, C.P_VAL) if c in tab.columns]).copy()
    at = list(out.columns).index(C.ESTIMATE) + 1
    cols = {
        C.STD_ERROR: se,
        C.CI_LOW: est - z * se,
        C.CI_HIGH: est + z * se,
        C.BAND_LOW: est - crit * se if banded else np.full(len(est), np.nan),
        C.BAND_HIGH: est + crit * se if banded else np.full(len(est), np.nan),
        C.P_VAL: _p_normal(est, se),
    }
    for i, (k, v) in enumerate(cols.items()):
        out.insert(at + i, k, v)
    return out, float(crit), f"{what}, clustered by {cluster_name}, {band}"


_INFERENCE_COLUMNS = (C.STD_ERROR, C.CI_LOW, C.CI_HIGH, C.BAND_LOW, C.BAND_HIGH)


def _z(ci: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + ci / 2))


def _p_normal(est, se):
    from scipy.stats import norm

    with np.errstate(divide="ignore", invalid="ignore"):
        return 2 * norm.sf(np.abs(np.asarray(est) / np.asarray(se)))


# --------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------


def _wif(keep: np.ndarray, pg: np.ndarray, w: np.ndarray, gunit: np.ndarray, gcell: np.ndarray):
    """Influence of estimating the cohort-share weights (R ``did:::wif``): n x len(keep)."""
    ind = (gunit[:, None] == gcell[keep][None, :]) * w[:, None] - pg[keep][None, :]
    s = pg[keep].sum()
    if1 = ind / s
    if2 = ind.sum(axis=1)[:, None] * (pg[keep] / s**2)[None, :]
    return if1 - if2


@dataclass(frozen=True, repr=False)
class ATTResult(PlotMixin, ResultMixin):
    """Group-time ATTs with their influence functions.

    ``table`` columns: group, time, event_time, base_time, estimate, std_error, ci_low,
    ci_high (pointwise), band_low, band_high (the uniform sup-t band over all cells when
    bootstrapped with ``uniform``; NaN otherwise), p_val (pointwise), n, n_treated,
    n_control. ``to_frame()`` puts ``term`` (``"ATT(g,t)"``) first.
    """

    table: pd.DataFrame
    control: str
    inference: str
    n_units: int
    n_clusters: int
    n_dropped: int
    seed: int | None
    method: str = "dr"
    base_period: str = "varying"
    anticipation: int = 0
    ci_level: float = 0.95
    uniform: bool = True
    crit_value: float = float("nan")
    n_boot: int = 999
    excluded_years: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    _inf: np.ndarray = field(default=None, repr=False, compare=False)
    _se_analytic: np.ndarray = field(default=None, repr=False, compare=False)
    _g: np.ndarray = field(default=None, repr=False, compare=False)
    _w: np.ndarray = field(default=None, repr=False, compare=False)
    _clusters: Clusters = field(default=None, repr=False, compare=False)
    _boot_seed: int = field(default=0, repr=False, compare=False)
    _units: np.ndarray = field(default=None, repr=False, compare=False)
    _data: Any = field(default=None, repr=False, compare=False)
    _unit: str | None = field(default=None, repr=False, compare=False)
    _cluster: str | None = field(default=None, repr=False, compare=False)

    _aliases: ClassVar = {"ci": "ci_level"}

    @property
    def n(self) -> int:
        """Units in the estimation (the panel's units after cleaning)."""
        return self.n_units

    def with_inference(
        self,
        inference: Literal["bootstrap", "analytic"] = "bootstrap",
        *,
        n_boot: int | None = None,
        cluster: str | None = None,
        uniform: bool | None = None,
        ci: float | None = None,
        seed: int | None = None,
    ) -> ATTResult:
        """The same ATT(g, t) with other standard errors, intervals and bands.

        Parameters
        ----------
        inference : ``"bootstrap"`` (multiplier bootstrap, ``n_boot`` draws, default the
            result's or 999) or ``"analytic"`` (influence-function variance; pointwise
            intervals only).
        cluster : column to cluster on (fixed within unit); default the result's.
        uniform : uniform (sup-t) bands when bootstrapping (default the result's).
        ci : confidence level (default the result's).
        seed : seed of the bootstrap weights (default the result's draws).

        Returns
        -------
        A new :class:`ATTResult`, equal to calling :func:`att_gt` with these options
        (tested); aggregations of it use the new inference.
        """
        from .._common import check_columns

        check_choice("inference", inference, ("bootstrap", "analytic"))
        level = self.ci_level if ci is None else check_ci(ci)
        uniform = self.uniform if uniform is None else bool(uniform)
        if inference == "analytic":
            n_boot = 0
        else:
            n_boot = (self.n_boot or 999) if n_boot is None else n_boot
            _check_n_boot(n_boot)
            if n_boot == 0:
                raise OptionError("inference='bootstrap' needs n_boot > 0", fix="or use 'analytic'")
        cluster = self._cluster if cluster is None else cluster
        clusters = self._clusters
        if cluster != self._cluster:
            import pandas as pd

            check_columns(self._data, [cluster], what="panel")
            first = self._data.drop_duplicates(self._unit).set_index(self._unit)[cluster]
            _unit_constant(self._data, self._unit, cluster)
            codes, uniq = pd.factorize(first.reindex(self._units))
            if (codes < 0).any():
                raise SchemaError(
                    "cluster is missing for some units",
                    column=cluster,
                    fix="fill the cluster identifier (e.g. district_id) for every unit",
                )
            clusters = Clusters(codes.astype(np.int64), len(uniq))
        boot_seed = self._boot_seed if seed is None else int(seed)
        tab, crit, text = _inference_table(
            self.table,
            self._inf,
            clusters,
            int(n_boot),
            boot_seed,
            level,
            uniform,
            cluster or self._unit,
        )
        res = replace(
            self,
            table=tab,
            inference=text,
            n_clusters=clusters.n_clusters,
            seed=self.seed if seed is None else seed,
            ci_level=level,
            uniform=bool(uniform and n_boot > 0),
            crit_value=crit,
            n_boot=int(n_boot),
            _se_analytic=_analytic(self._inf, clusters),
            _clusters=clusters,
            _boot_seed=boot_seed,
            _cluster=cluster,
        )
        res._record_call(
            {
                **dict(self.call),
                "with_inference": {
                    "inference": inference,
                    "n_boot": n_boot,
                    "cluster": cluster,
                    "uniform": uniform,
                    "ci": level,
                    "seed": seed,
                },
            }
        )
        return res

    # -- inference helpers ------------------------------------------------------------
    def _mult(self) -> np.ndarray | None:
        if self.n_boot <= 0:
            return None
        return multipliers(self._boot_seed, self.n_boot, self._clusters.n_clusters)

    def _infer(self, inf: np.ndarray, ci: float, uniform: bool) -> tuple[np.ndarray, float]:
        mult = self._mult()
        if mult is None:
            se = analytic_se(inf, self._clusters)
            se[se <= np.sqrt(np.finfo(float).eps) * 10] = np.nan  # reference period
            return se, _z(ci)
        se, crit, _ = bootstrap(inf, self._clusters, mult, ci)
        if not uniform or not np.isfinite(crit):
            crit = _z(ci)
        return se, crit

    @property
    def pretrend(self) -> PretrendResult:
        """Wald test that every pre-treatment ATT(g, t) is zero (R ``did``'s pre-test)."""
        return pretrend_test(self)

    def _pretest_inputs(self):
        t = self.table
        pre = np.flatnonzero((t[C.GROUP] > t[C.TIME]).to_numpy() & np.isfinite(t[C.ESTIMATE]))
        terms = tuple(zip(t[C.GROUP].iloc[pre].tolist(), t[C.TIME].iloc[pre].tolist()))
        est = t[C.ESTIMATE].to_numpy()
        return est, self.covariance(), pre, terms, "group-time", self.n_units

    def covariance(self) -> np.ndarray:
        """Influence-function covariance of the ATT(g, t) estimates (cells x cells)."""
        return analytic_cov(self._inf, self._clusters)

    # -- aggregation ----------------------------------------------------------------
    def aggregate(
        self,
        how: Aggregation = "dynamic",
        *,
        min_e: float = -np.inf,
        max_e: float = np.inf,
        balance_e: int | None = None,
        ci: float | None = None,
        uniform: bool | None = None,
    ) -> ATTAggregate:
        r"""Aggregate ATT(g, t) as R ``did::aggte`` does.

        ``"simple"``: post-treatment cells weighted by cohort size; ``"dynamic"``: by event
        time e = t - g (weights by cohort size within e; overall = mean over e >= 0);
        ``"group"``: mean over each cohort's post periods (overall weighted by cohort
        size); ``"calendar"``: by period (overall = mean over periods). Standard errors
        include the influence of the estimated cohort shares and use the same bootstrap
        draws as the cells; bands are uniform over the aggregated effects.

        Parameters
        ----------
        how : "simple" | "dynamic" | "group" | "calendar".
        min_e, max_e : event-time window (dynamic); max_e also trims post periods for
            "simple" and "group", as in ``aggte``.
        balance_e : keep only cohorts observed at least ``balance_e`` periods after
            treatment, so the composition is fixed across event times (dynamic).
        ci, uniform : override the result's level and band type.
        """
        check_choice("how", how, ("simple", "dynamic", "group", "calendar"))
        if min_e > max_e:
            raise OptionError(f"min_e={min_e} is above max_e={max_e}", fix="pass min_e <= max_e")
        ci = self.ci_level if ci is None else check_ci(ci)
        uniform = self.uniform if uniform is None else uniform
        t = self.table
        att = t[C.ESTIMATE].to_numpy()
        gc = t[C.GROUP].to_numpy()
        tc = t[C.TIME].to_numpy()
        ok = np.isfinite(att)
        inf = self._inf
        gu, w = self._g, self._w
        glist = np.unique(gc)
        pg_group = np.array([np.mean(w * (gu == gv)) for gv in glist])
        pg = pg_group[np.searchsorted(glist, gc)]
        keys: list = []
        ests: list[float] = []
        infs: list[np.ndarray] = []

        def agg(which: np.ndarray, wts: np.ndarray, with_wif: bool):
            a = float(np.sum(att[which] * wts))
            f = inf[:, which] @ wts
            if with_wif:
                f = f + _wif(which, pg, w, gu, gc) @ att[which]
            return a, f

        post = (gc <= tc) & ok
        if how == "simple":
            keep = np.flatnonzero(post & (tc <= gc + max_e))
            a, f = agg(keep, pg[keep] / pg[keep].sum(), True)
            overall = (a, f)
            key_name = None
        elif how == "group":
            key_name = C.GROUP
            for gv in glist:
                wh = np.flatnonzero(post & (gc == gv) & (tc <= gc + max_e))
                if len(wh) == 0:
                    continue
                a, f = agg(wh, pg[wh] / pg[wh].sum(), False)
                keys.append(int(gv))
                ests.append(a)
                infs.append(f)
            gidx = np.searchsorted(glist, keys)
            pgg = pg_group[gidx]
            wts = pgg / pgg.sum()
            fmat = np.column_stack(infs)
            ea = np.asarray(ests)
            ind = (gu[:, None] == np.asarray(keys)[None, :]) * w[:, None] - pgg[None, :]
            s = pgg.sum()
            wif = ind / s - ind.sum(axis=1)[:, None] * (pgg / s**2)[None, :]
            overall = (float(ea @ wts), fmat @ wts + wif @ ea)
        elif how == "dynamic":
            key_name = C.EVENT_TIME
            e = tc - gc
            include = ok.copy()
            eseq = np.unique(e[ok])
            if balance_e is not None:
                tmax, tmin = self.table[C.TIME].max(), self._tmin()
                eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - tmax + tmin)]
                include &= (tmax - gc) >= balance_e
            eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
            for ev in eseq:
                wh = np.flatnonzero((e == ev) & include)
                if len(wh) == 0:
                    continue
                a, f = agg(wh, pg[wh] / pg[wh].sum(), True)
                keys.append(int(ev))
                ests.append(a)
                infs.append(f)
            ea = np.asarray(ests)
            pos = np.asarray(keys) >= 0
            if pos.any():
                fmat = np.column_stack(infs)
                overall = (float(ea[pos].mean()), fmat[:, pos].mean(axis=1))
            else:
                overall = (np.nan, np.zeros(inf.shape[0]))
        else:  # calendar
            key_name = C.TIME
            for tv in np.unique(tc[tc >= gc.min()]):
                wh = np.flatnonzero(post & (tc == tv))
                if len(wh) == 0:
                    continue
                a, f = agg(wh, pg[wh] / pg[wh].sum(), True)
                keys.append(int(tv))
                ests.append(a)
                infs.append(f)
            fmat = np.column_stack(infs)
            ea = np.asarray(ests)
            overall = (float(ea.mean()), fmat.mean(axis=1))
        import pandas as pd

        o_se, _ = self._infer(overall[1], ci, False)
        z = _z(ci)
        ov = {
            C.ESTIMATE: overall[0],
            C.STD_ERROR: float(o_se[0]),
            C.CI_LOW: overall[0] - z * float(o_se[0]),
            C.CI_HIGH: overall[0] + z * float(o_se[0]),
            C.P_VAL: float(_p_normal(overall[0], o_se[0])),
        }
        cols = [C.ESTIMATE, C.STD_ERROR, C.CI_LOW, C.CI_HIGH, C.BAND_LOW, C.BAND_HIGH, C.P_VAL]
        banded = bool(uniform and self.n_boot > 0 and key_name is not None)
        if key_name is None:
            tab = pd.DataFrame(columns=cols)
            fmat = np.zeros((inf.shape[0], 0))
            crit = z
        else:
            fmat = np.column_stack(infs)
            se, crit = self._infer(fmat, ci, uniform)
            ea = np.asarray(ests)
            nan = np.full(len(ea), np.nan)
            tab = pd.DataFrame(
                {
                    key_name: keys,
                    C.ESTIMATE: ea,
                    C.STD_ERROR: se,
                    C.CI_LOW: ea - z * se,
                    C.CI_HIGH: ea + z * se,
                    C.BAND_LOW: ea - crit * se if banded else nan,
                    C.BAND_HIGH: ea + crit * se if banded else nan,
                    C.P_VAL: _p_normal(ea, se),
                }
            )
        agg = ATTAggregate(
            how=how,
            table=tab,
            overall=ov,
            ci_level=ci,
            uniform=banded,
            crit_value=float(crit),
            inference=self.inference,
            control=self.control,
            method=self.method,
            excluded_years=self.excluded_years,
            min_e=min_e,
            max_e=max_e,
            balance_e=balance_e,
            _inf=fmat,
            _overall_inf=overall[1],
            _parent=self,
        )
        agg._record_call(
            {
                **dict(self.call),
                "aggregate": {
                    "how": how,
                    "min_e": min_e,
                    "max_e": max_e,
                    "balance_e": balance_e,
                    "ci": ci,
                    "uniform": uniform,
                },
            }
        )
        return agg

    def _tmin(self) -> int:
        # R aggte recodes the cells' own periods, so the earliest *cell* period counts
        return int(self.table[C.TIME].min())

    # -- presentation ----------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The cells, ``term`` = ``"ATT(g,t)"`` first, then the protocol columns."""
        t = self.table
        terms = [f"ATT({g},{tt})" for g, tt in zip(t[C.GROUP], t[C.TIME])]
        return tidy(t, term=terms)

    def summary(self) -> str:
        t = self.table
        lines = [
            f"Group-time ATT(g,t), {self.method.upper()} estimator, comparison: "
            f"{'never treated' if self.control == 'never' else 'not yet treated'}",
            f"{self.n_units} units, {self.n_clusters} clusters, {self.n_dropped} dropped; "
            f"{self.inference}; level {self.ci_level:.0%}; base period {self.base_period}; "
            f"anticipation {self.anticipation}",
        ]
        note = years_note(self.excluded_years)
        if note:
            lines.append(note)
        lines.extend(self.notes)
        try:
            pt = self.pretrend
            lines.append(
                f"Pre-trend Wald test: chi2({pt.df}) = {pt.statistic:.3f}, p = {pt.p_val:.4f}"
            )
        except EstimationError:
            pass
        shown = [C.GROUP, C.TIME, C.ESTIMATE, C.STD_ERROR, C.CI_LOW, C.CI_HIGH]
        if self.uniform:
            shown += [C.BAND_LOW, C.BAND_HIGH]
        body = t[shown].to_string(index=False, float_format=lambda v: f"{v:.4f}")
        return "\n".join([*lines, body])

    def plot_data(self) -> pd.DataFrame:
        """What :meth:`plot` draws: the dynamic (event-study) aggregation."""
        return self.aggregate("dynamic").plot_data()


@dataclass(frozen=True, repr=False)
class ATTAggregate(PlotMixin, ResultMixin):
    """Aggregated ATT(g, t): by event time, cohort, period, or one overall number.

    ``table`` columns: the key (``event_time`` | ``group`` | ``time``), estimate,
    std_error, ci_low, ci_high (pointwise), band_low, band_high (uniform band over the
    aggregated effects when ``uniform``; NaN otherwise), p_val. ``overall`` is a dict
    with estimate, std_error, ci_low, ci_high, p_val (pointwise); ``estimate``,
    ``std_error``, ``ci_low``, ``ci_high`` and ``p_val`` read it.
    """

    how: str
    table: pd.DataFrame
    overall: dict
    ci_level: float
    uniform: bool
    crit_value: float
    inference: str
    control: str
    method: str
    excluded_years: tuple[int, ...] = ()
    min_e: float = -np.inf
    max_e: float = np.inf
    balance_e: int | None = None
    _inf: np.ndarray = field(default=None, repr=False, compare=False)
    _overall_inf: np.ndarray = field(default=None, repr=False, compare=False)
    _parent: ATTResult = field(default=None, repr=False, compare=False)

    _aliases: ClassVar = {"ci": "ci_level"}

    @property
    def estimate(self) -> float:
        return float(self.overall[C.ESTIMATE])

    @property
    def std_error(self) -> float:
        return float(self.overall[C.STD_ERROR])

    @property
    def ci_low(self) -> float:
        return float(self.overall[C.CI_LOW])

    @property
    def ci_high(self) -> float:
        return float(self.overall[C.CI_HIGH])

    @property
    def p_val(self) -> float:
        return float(self.overall[C.P_VAL])

    @property
    def n(self) -> int:
        return self._parent.n_units

    @property
    def n_dropped(self) -> int:
        return self._parent.n_dropped

    @property
    def seed(self) -> int | None:
        return self._parent.seed

    @property
    def notes(self) -> tuple[str, ...]:
        return self._parent.notes

    def covariance(self) -> np.ndarray:
        """Influence-function covariance of the aggregated effects in ``table``."""
        return analytic_cov(self._inf, self._parent._clusters)

    def _pretest_inputs(self):
        if self.how != "dynamic":
            return None
        t = self.table
        pre = np.flatnonzero((t[C.EVENT_TIME] < 0).to_numpy())
        terms = tuple(t[C.EVENT_TIME].iloc[pre].tolist())
        est = t[C.ESTIMATE].to_numpy()
        return est, self.covariance(), pre, terms, "event-time", self._parent.n_units

    def to_frame(self) -> pd.DataFrame:
        """``term`` (the key's value, or ``"overall"``), the protocol columns, the
        bands, and ``level`` (the key's name, or ``"overall"``)."""
        import pandas as pd

        key = {"dynamic": C.EVENT_TIME, "group": C.GROUP, "calendar": C.TIME}.get(self.how)
        over = pd.DataFrame([{C.TERM: "overall", **self.overall, "level": "overall"}])
        if key is None or self.table.empty:
            return tidy(over)
        tab = self.table.rename(columns={key: C.TERM}).copy()
        tab[C.TERM] = tab[C.TERM].astype(str)
        tab["level"] = key
        return tidy(pd.concat([tab, over], ignore_index=True))

    def summary(self) -> str:
        o = self.overall
        names = {
            "simple": "simple weighted average of post-treatment ATT(g,t)",
            "dynamic": "event-study (dynamic) aggregation",
            "group": "cohort (group) aggregation",
            "calendar": "calendar-time aggregation",
        }
        band = "uniform bands and pointwise intervals" if self.uniform else "pointwise intervals"
        lines = [
            f"ATT, {names[self.how]}: {o[C.ESTIMATE]:.4f} (SE {o[C.STD_ERROR]:.4f}, "
            f"{self.ci_level:.0%} CI {o[C.CI_LOW]:.4f} to {o[C.CI_HIGH]:.4f})",
            f"{self.method.upper()}, comparison "
            f"{'never treated' if self.control == 'never' else 'not yet treated'}; "
            f"{self.inference}; table: {band}",
        ]
        note = years_note(self.excluded_years)
        if note:
            lines.append(note)
        if not self.table.empty:
            t = self.table if self.uniform else self.table.drop(columns=[C.BAND_LOW, C.BAND_HIGH])
            lines.append(t.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        return "\n".join(lines)

    def plot_data(self) -> pd.DataFrame:
        """Exactly what :meth:`plot` draws: the key, estimate, ci_low, ci_high
        (pointwise), band_low, band_high (uniform; dropped when not computed), period
        (``pre`` / ``post``)."""
        if self.table.empty:
            raise EstimationError(
                "an overall ('simple') aggregate has nothing to plot",
                fix="aggregate with how='dynamic', 'group' or 'calendar'",
            )
        d = self.table.drop(columns=[C.STD_ERROR, C.P_VAL])
        if not self.uniform:
            d = d.drop(columns=[C.BAND_LOW, C.BAND_HIGH])
        key = d.columns[0]
        if key == C.EVENT_TIME:
            d[C.PERIOD] = np.where(d[key] < 0, "pre", "post")
        else:
            d[C.PERIOD] = "post"
        return d
