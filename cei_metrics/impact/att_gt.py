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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from .._results import ResultMixin
from ..errors import EstimationError, SchemaError
from ._did_boot import Clusters, analytic_cov, analytic_se, bootstrap, multipliers
from ._did_common import (
    check_ci,
    check_columns,
    cohort_to_int,
    drop_years,
    time_to_int,
    years_note,
)
from ._did_drdid import ESTIMATORS, USES_PSCORE, _pscore

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .event_study import PretrendResult

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
        raise EstimationError(
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
    if control not in ("never", "notyet"):
        raise EstimationError(
            f"control={control!r} is not a comparison group", fix="use 'never' or 'notyet'"
        )
    if method not in ESTIMATORS:
        raise EstimationError(f"method={method!r} is unknown", fix="use 'dr', 'reg' or 'ipw'")
    if base_period not in ("varying", "universal"):
        raise EstimationError(
            f"base_period={base_period!r} is unknown", fix="use 'varying' or 'universal'"
        )
    if not panel:
        raise EstimationError(
            "repeated cross-sections (panel=False) are not supported by att_gt",
            fix="aggregate to a unit-by-period panel (e.g. district-year) and use panel=True",
        )
    if int(anticipation) != anticipation or anticipation < 0:
        raise EstimationError(
            f"anticipation={anticipation!r} must be a non-negative integer",
            fix="pass 0, 1, ...",
        )
    if int(n_boot) != n_boot or n_boot < 0:
        raise EstimationError(f"n_boot={n_boot!r} is not a count", fix="pass e.g. 999, or 0")
    check_ci(ci)
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
        rows, columns=["group", "time", "base_time", "estimate", "n", "n_treated", "n_control"]
    )
    boot_seed = int(seed) if seed is not None else secrets.randbits(63)
    est = tab["estimate"].to_numpy()
    se_a = analytic_se(inf, p.clusters)
    se_a[se_a <= np.sqrt(np.finfo(float).eps) * 10] = np.nan
    if n_boot > 0:
        mult = multipliers(boot_seed, int(n_boot), p.clusters.n_clusters)
        se, crit, _ = bootstrap(inf, p.clusters, mult, ci)
        if not uniform or not np.isfinite(crit):
            crit = _z(ci)
        what = f"multiplier bootstrap, {n_boot} draws"
    else:
        se, crit = se_a, _z(ci)
        what = "influence-function (analytic) standard errors"
    clus = f"clustered by {cluster}" if cluster else f"clustered by {unit}"
    band = "uniform (sup-t) bands" if (uniform and n_boot > 0) else "pointwise intervals"
    tab["event_time"] = tab["time"] - tab["group"]
    tab["std_error"] = se
    tab["ci_low"] = est - crit * se
    tab["ci_high"] = est + crit * se
    tab["p_val"] = _p_normal(est, se)
    tab = tab[
        [
            "group",
            "time",
            "event_time",
            "base_time",
            "estimate",
            "std_error",
            "ci_low",
            "ci_high",
            "p_val",
            "n",
            "n_treated",
            "n_control",
        ]
    ]
    res = ATTResult(
        table=tab,
        control=control,
        inference=f"{what}, {clus}, {band}",
        n_units=len(p.units),
        n_clusters=p.clusters.n_clusters,
        n_dropped=p.n_dropped,
        seed=seed,
        method=method,
        base_period=base_period,
        anticipation=int(anticipation),
        ci=ci,
        uniform=bool(uniform and n_boot > 0),
        crit_value=float(crit),
        n_boot=int(n_boot),
        excluded_years=p.excluded,
        notes=p.notes,
        _inf=inf,
        _se_analytic=se_a,
        _g=p.g,
        _w=p.w,
        _clusters=p.clusters,
        _boot_seed=boot_seed,
    )
    return res


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


@dataclass(frozen=True)
class ATTResult(ResultMixin):
    """Group-time ATTs with their influence functions.

    ``table`` columns: group, time, event_time, base_time, estimate, std_error, ci_low,
    ci_high (uniform band when ``uniform``), p_val (pointwise), n, n_treated, n_control.
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
    ci: float = 0.95
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
        from .event_study import pretrend_test

        return pretrend_test(self)

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
        if how not in ("simple", "dynamic", "group", "calendar"):
            raise EstimationError(
                f"how={how!r} is not an aggregation",
                fix="use 'simple', 'dynamic', 'group' or 'calendar'",
            )
        if min_e > max_e:
            raise EstimationError(
                f"min_e={min_e} is above max_e={max_e}", fix="pass min_e <= max_e"
            )
        ci = self.ci if ci is None else ci
        check_ci(ci)
        uniform = self.uniform if uniform is None else uniform
        t = self.table
        att = t["estimate"].to_numpy()
        gc = t["group"].to_numpy()
        tc = t["time"].to_numpy()
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
            key_name = "group"
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
            key_name = "event_time"
            e = tc - gc
            include = ok.copy()
            eseq = np.unique(e[ok])
            if balance_e is not None:
                tmax, tmin = self.table["time"].max(), self._tmin()
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
            key_name = "time"
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
            "estimate": overall[0],
            "std_error": float(o_se[0]),
            "ci_low": overall[0] - z * float(o_se[0]),
            "ci_high": overall[0] + z * float(o_se[0]),
            "p_val": float(_p_normal(overall[0], o_se[0])),
        }
        if key_name is None:
            tab = pd.DataFrame(columns=["estimate", "std_error", "ci_low", "ci_high", "p_val"])
            fmat = np.zeros((inf.shape[0], 0))
            crit = z
        else:
            fmat = np.column_stack(infs)
            se, crit = self._infer(fmat, ci, uniform)
            ea = np.asarray(ests)
            tab = pd.DataFrame(
                {
                    key_name: keys,
                    "estimate": ea,
                    "std_error": se,
                    "ci_low": ea - crit * se,
                    "ci_high": ea + crit * se,
                    "p_val": _p_normal(ea, se),
                }
            )
        return ATTAggregate(
            how=how,
            table=tab,
            overall=ov,
            ci=ci,
            uniform=bool(uniform and self.n_boot > 0 and key_name is not None),
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

    def _tmin(self) -> int:
        # R aggte recodes the cells' own periods, so the earliest *cell* period counts
        return int(self.table["time"].min())

    # -- presentation ----------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        t = self.table
        lines = [
            f"Group-time ATT(g,t), {self.method.upper()} estimator, comparison: "
            f"{'never treated' if self.control == 'never' else 'not yet treated'}",
            f"{self.n_units} units, {self.n_clusters} clusters, {self.n_dropped} dropped; "
            f"{self.inference}; level {self.ci:.0%}; base period {self.base_period}; "
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
        body = t[["group", "time", "estimate", "std_error", "ci_low", "ci_high"]].to_string(
            index=False, float_format=lambda v: f"{v:.4f}"
        )
        return "\n".join([*lines, body])

    def plot_data(self) -> pd.DataFrame:
        """What :meth:`plot` draws: the dynamic (event-study) aggregation."""
        return self.aggregate("dynamic").plot_data()

    def plot(self, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
        """Event-study plot of the dynamic aggregation with its uniform band."""
        return self.aggregate("dynamic").plot(ax=ax)


@dataclass(frozen=True)
class ATTAggregate(ResultMixin):
    """Aggregated ATT(g, t): by event time, cohort, period, or one overall number.

    ``table`` columns: the key (``event_time`` | ``group`` | ``time``), estimate,
    std_error, ci_low, ci_high (uniform band when ``uniform``), p_val. ``overall`` is a
    dict with estimate, std_error, ci_low, ci_high, p_val (pointwise).
    """

    how: str
    table: pd.DataFrame
    overall: dict
    ci: float
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

    @property
    def estimate(self) -> float:
        return float(self.overall["estimate"])

    @property
    def std_error(self) -> float:
        return float(self.overall["std_error"])

    def covariance(self) -> np.ndarray:
        """Influence-function covariance of the aggregated effects in ``table``."""
        return analytic_cov(self._inf, self._parent._clusters)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        key = {"dynamic": "event_time", "group": "group", "calendar": "time"}.get(self.how)
        over = pd.DataFrame([{"term": "overall", **self.overall}])
        if key is None or self.table.empty:
            return over
        tab = self.table.rename(columns={key: "term"}).copy()
        tab["term"] = tab["term"].astype(str)
        tab.insert(0, "level", key)
        over.insert(0, "level", "overall")
        return pd.concat([tab, over], ignore_index=True)

    def summary(self) -> str:
        o = self.overall
        names = {
            "simple": "simple weighted average of post-treatment ATT(g,t)",
            "dynamic": "event-study (dynamic) aggregation",
            "group": "cohort (group) aggregation",
            "calendar": "calendar-time aggregation",
        }
        lines = [
            f"ATT, {names[self.how]}: {o['estimate']:.4f} (SE {o['std_error']:.4f}, "
            f"{self.ci:.0%} CI {o['ci_low']:.4f} to {o['ci_high']:.4f})",
            f"{self.method.upper()}, comparison "
            f"{'never treated' if self.control == 'never' else 'not yet treated'}; "
            f"{self.inference}",
        ]
        note = years_note(self.excluded_years)
        if note:
            lines.append(note)
        if not self.table.empty:
            lines.append(self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        return "\n".join(lines)

    def plot_data(self) -> pd.DataFrame:
        """Exactly what :meth:`plot` draws: key, estimate, ci_low, ci_high, period kind."""
        if self.table.empty:
            raise EstimationError(
                "an overall ('simple') aggregate has nothing to plot",
                fix="aggregate with how='dynamic', 'group' or 'calendar'",
            )
        d = self.table.copy()
        key = d.columns[0]
        if key == "event_time":
            d["period"] = np.where(d[key] < 0, "pre", "post")
        else:
            d["period"] = "post"
        return d

    def plot(self, *, ax: Axes | None = None) -> tuple[Figure, Axes]:
        """Estimates with their (uniform) bands; pre-periods in a second colour."""
        d = self.plot_data()
        try:
            from .. import viz

            fn = getattr(viz, "event_study_plot", None) or getattr(viz, "event_study", None)
        except Exception:  # viz not available
            fn = None
        if fn is not None:
            try:
                return fn(d, ax=ax)
            except TypeError:
                pass
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(6.5, 4))
        else:
            fig = ax.figure
        key = d.columns[0]
        for kind, colour in (("pre", "#999999"), ("post", "#0072B2")):
            s = d[d["period"] == kind]
            if s.empty:
                continue
            ax.errorbar(
                s[key],
                s["estimate"],
                yerr=[s["estimate"] - s["ci_low"], s["ci_high"] - s["estimate"]],
                fmt="o",
                color=colour,
                capsize=3,
                label="before" if kind == "pre" else "after",
            )
        ax.axhline(0, color="black", linewidth=0.8)
        if key == "event_time":
            ax.axvline(-0.5, color="grey", linestyle=":", linewidth=0.8)
        ax.set_xlabel(key.replace("_", " "))
        ax.set_ylabel("ATT")
        band = "uniform" if self.uniform else "pointwise"
        ax.set_title(f"{self.ci:.0%} {band} confidence bands")
        ax.legend(frameon=False)
        return fig, ax
