"""Interrupted time series: Linden (2015) on Proposition 99, equality with statsmodels,
the demo's planted chronic-absenteeism effect, a simulation with known level and slope
changes, invariants and input errors."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cei_metrics.errors import CEIError, EstimationError, OptionError, SchemaError
from cei_metrics.impact.its import (
    breusch_godfrey_grouped,
    durbin_watson_grouped,
    interrupted_time_series,
    ols_fit,
    segmented_design,
)
from cei_metrics.schemas import DISRUPTED_YEARS

REF = Path(__file__).resolve().parents[1] / "reference"
_spec = importlib.util.spec_from_file_location("its_ref", REF / "impact_its_linden2015.py")
LINDEN = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(LINDEN)

Y = "packs_per_capita"


@pytest.fixture(scope="module")
def prop99() -> pd.DataFrame:
    d = pd.read_csv(REF / "prop99_california.csv")
    d["california"] = (d["state"] == "California").astype(int)
    return d.sort_values(["state", "year"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def pooled(prop99):
    return interrupted_time_series(
        prop99,
        Y,
        "year",
        start=1989,
        unit="state",
        treated="california",
        comparison="pooled",
        maxlags=1,
        reference_dist="normal",
    )


def _est(res, term):
    t = res.to_frame().set_index("term")
    return float(t.loc[term, "estimate"])


# ----------------------------------------------------------------- Linden (2015) / itsa


def test_linden_itsa_multiple_group_coefficients(pooled):
    # Linden's published coefficients are printed with 7 significant digits (%9.7g):
    # half a unit in the last digit is at most 5e-5 for these magnitudes.
    ref = LINDEN.ITSA_MULTI
    e = pooled.effects.set_index("term")["estimate"]
    c = pooled.coefficients.set_index("term")["estimate"]
    assert c["const"] + c["treated"] == pytest.approx(ref["treated_intercept"], abs=5e-5)
    assert e["pre_trend"] == pytest.approx(ref["treated_pre_trend"], abs=5e-7)
    assert e["post_trend"] == pytest.approx(ref["treated_post_trend"], abs=5e-7)
    assert e["level_change_treated"] == pytest.approx(ref["treated_step"], abs=5e-5)
    assert c["const"] == pytest.approx(ref["control_intercept"], abs=5e-5)
    assert e["pre_trend_comparison"] == pytest.approx(ref["control_pre_trend"], abs=5e-8)
    assert e["post_trend_comparison"] == pytest.approx(ref["control_post_trend"], abs=5e-7)
    assert e["level_change_comparison"] == pytest.approx(ref["control_step"], abs=5e-6)
    assert pooled.level_change == pytest.approx(ref["z_x"], abs=5e-7)


def test_linden_itsa_p_values(prop99, pooled):
    # Published p-values have 3 decimals. itsa 3.x: glm HAC (Bartlett, lag 1) times
    # vfactor N/df, z tests, over the stacked series in (state, year) order. Our HAC
    # core reproduces them to rounding (5e-4) when fed that single stacked sequence.
    d = prop99
    x = segmented_design(d["year"].to_numpy(), 1989.0, d["california"].to_numpy(float))
    fit = ols_fit(
        x,
        d[Y].to_numpy(float),
        np.zeros(len(d), np.int64),
        np.arange(len(d)),
        maxlags=1,
        small_sample=True,
    )
    se = np.sqrt(np.diag(fit.cov[0]))
    p = 2 * stats.norm.sf(np.abs(fit.beta[:, 0] / se))
    assert p[6] == pytest.approx(LINDEN.ITSA_MULTI_P["level_change"], abs=5e-4)
    assert p[7] == pytest.approx(LINDEN.ITSA_MULTI_P["slope_change"], abs=5e-4)
    # The estimator itself keeps lag products within each state (Stata newey's panel
    # rule): 0.6309 and 0.1366, within 1e-3 of the published values. Without the n/(n-k)
    # factor the first would be 0.6298, which this tolerance rejects.
    e = pooled.effects.set_index("term")["p_val"]
    assert e["level_change"] == pytest.approx(0.631, abs=1e-3)
    assert e["slope_change"] == pytest.approx(0.136, abs=1e-3)
    raw = interrupted_time_series(
        d,
        Y,
        "year",
        start=1989,
        unit="state",
        treated="california",
        comparison="pooled",
        small_sample=False,
        reference_dist="normal",
    )
    assert abs(raw.effects.set_index("term").loc["level_change", "p_val"] - 0.631) > 1e-3


def test_classical_errors_match_r_lm(prop99):
    # R lm() output printed to 4 decimals: tolerance half a unit in the 4th decimal.
    single = interrupted_time_series(
        prop99[prop99["california"] == 1], Y, "year", start=1989, vcov="classical"
    )
    tab = single.coefficients.set_index("term")
    for term, (est, se) in LINDEN.R_LM_SINGLE.items():
        assert tab.loc[term, "estimate"] == pytest.approx(est, abs=5e-5)
        assert tab.loc[term, "std_error"] == pytest.approx(se, abs=5e-5)
    multi = interrupted_time_series(
        prop99,
        Y,
        "year",
        start=1989,
        unit="state",
        treated="california",
        comparison="pooled",
        vcov="classical",
    )
    tab = multi.coefficients.set_index("term")
    for term, (est, se) in LINDEN.R_LM_MULTI.items():
        assert tab.loc[term, "estimate"] == pytest.approx(est, abs=5e-5)
        assert tab.loc[term, "std_error"] == pytest.approx(se, abs=5e-5)
    assert multi.n == 1209 and multi.n_units == {"treated": 1, "comparison": 38}


def test_single_group_linden_values(prop99):
    # The single-group fit equals the treated part of the multiple-group model.
    res = interrupted_time_series(prop99[prop99["california"] == 1], Y, "year", start=1989)
    ref = LINDEN.ITSA_MULTI
    assert res.level_change == pytest.approx(ref["treated_step"], abs=5e-5)
    assert res.post_trend == pytest.approx(ref["treated_post_trend"], abs=5e-7)
    assert _est(res, "const") == pytest.approx(ref["treated_intercept"], abs=5e-5)
    assert res.design == "single" and res.n == 31 and res.maxlags == 1
    # Linden's 1989 counterfactual (3 decimals); fitted = counterfactual + step
    row = res.plot_data().set_index("time").loc[1989]
    assert row["counterfactual"] == pytest.approx(LINDEN.ITSA_1989["counterfactual"], abs=5e-4)
    assert row["fitted"] - row["counterfactual"] == pytest.approx(res.level_change, rel=1e-12)


# ----------------------------------------------------------------- statsmodels equality


def _sm_fit(x, y, **kw):
    import statsmodels.api as sm

    return sm.OLS(y, x).fit(**kw)


@pytest.mark.parametrize("maxlags", [0, 1, 3])
@pytest.mark.parametrize("small", [True, False])
def test_hac_single_series_equals_statsmodels(prop99, maxlags, small):
    d = prop99[prop99["california"] == 1]
    res = interrupted_time_series(
        d, Y, "year", start=1989, maxlags=maxlags, small_sample=small, ac_lags=3
    )
    x = segmented_design(d["year"].to_numpy(), 1989.0)
    sm = _sm_fit(
        x,
        d[Y].to_numpy(),
        cov_type="HAC",
        cov_kwds={"maxlags": maxlags, "use_correction": small},
        use_t=True,
    )
    np.testing.assert_allclose(res.coefficients["estimate"], sm.params, rtol=1e-10)
    np.testing.assert_allclose(res.covariance().to_numpy(), sm.cov_params(), rtol=1e-9)
    np.testing.assert_allclose(res.coefficients["p_val"], sm.pvalues, rtol=1e-7, atol=1e-300)
    # post trend via the covariance, as lincom
    r = np.array([0, 1, 0, 1.0])
    lin = sm.t_test(r)
    post = res.effects.set_index("term").loc["post_trend"]
    assert post["std_error"] == pytest.approx(float(lin.sd[0, 0]), rel=1e-9)
    # diagnostics
    from statsmodels.stats.diagnostic import acorr_breusch_godfrey
    from statsmodels.stats.stattools import durbin_watson

    assert res.durbin_watson == pytest.approx(durbin_watson(sm.resid), rel=1e-12)
    for lag in (1, 2, 3):
        lm, lmp, _, _ = acorr_breusch_godfrey(sm, nlags=lag, result_object=False)
        row = res.autocorrelation.set_index("lag").loc[lag]
        assert row["statistic"] == pytest.approx(lm, rel=1e-9)
        assert row["p_val"] == pytest.approx(lmp, rel=1e-7)


@pytest.mark.parametrize("comparison", ["pooled", "mean"])
@pytest.mark.parametrize("small", ["hac", False])
def test_hac_panel_and_driscoll_kraay_equal_statsmodels(prop99, comparison, small):
    d = prop99
    kw = {
        "start": 1989,
        "unit": "state",
        "treated": "california",
        "comparison": comparison,
        "maxlags": 2,
        "small_sample": bool(small),
    }
    res = interrupted_time_series(d, Y, "year", **kw)
    dk = interrupted_time_series(d, Y, "year", vcov="driscoll_kraay", **kw)
    if comparison == "pooled":
        rows, groups = d, pd.factorize(d["state"])[0]
    else:
        rows = d.groupby(["california", "year"], as_index=False)[Y].mean()
        groups = rows["california"].to_numpy()
    x = segmented_design(rows["year"].to_numpy(), 1989.0, rows["california"].to_numpy(float))
    y = rows[Y].to_numpy()
    panel = _sm_fit(
        x,
        y,
        cov_type="hac-panel",
        cov_kwds={"groups": groups, "maxlags": 2, "use_correction": small},
    )
    np.testing.assert_allclose(res.coefficients["estimate"], panel.params, rtol=1e-9)
    np.testing.assert_allclose(res.covariance().to_numpy(), panel.cov_params(), rtol=1e-8)
    gsum = _sm_fit(
        x,
        y,
        cov_type="hac-groupsum",
        cov_kwds={"time": rows["year"].to_numpy() - 1970, "maxlags": 2, "use_correction": small},
    )
    np.testing.assert_allclose(dk.covariance().to_numpy(), gsum.cov_params(), rtol=1e-8)


def test_driscoll_kraay_two_series_is_newey_west_of_the_difference(prop99):
    # Balanced two-series design: the treated-specific terms are the segmented fit of
    # (treated - comparison), and Driscoll-Kraay gives exactly its Newey-West error.
    mean = prop99.groupby(["california", "year"])[Y].mean().unstack(0)
    diff = pd.DataFrame({"year": mean.index, "gap": (mean[1] - mean[0]).to_numpy()})
    one = interrupted_time_series(diff, "gap", "year", start=1989, maxlags=1)
    two = interrupted_time_series(
        prop99, Y, "year", start=1989, unit="state", treated="california", vcov="driscoll_kraay"
    )
    a = one.coefficients.set_index("term")
    b = two.coefficients.set_index("term")
    for s, m in [("const", "treated"), ("time", "treated_time"), ("post", "treated_post")]:
        assert b.loc[m, "estimate"] == pytest.approx(a.loc[s, "estimate"], rel=1e-10)
        assert b.loc[m, "std_error"] == pytest.approx(a.loc[s, "std_error"], rel=1e-10)


# ----------------------------------------------------------------- planted truth: demo


@pytest.fixture(scope="module")
def demo_panel():
    import cei_metrics as cm
    from cei_metrics.impact.panel import outcome_panel

    demo = cm.load_demo()
    p = outcome_panel(demo.outcomes, demo.roster, "chronic_absenteeism")
    p = p[p["cohort_start"].isin([0, 2019])].copy()
    p["cohort_2019"] = (p["cohort_start"] == 2019).astype(int)
    truth = demo.truth.att
    truth = truth[(truth["indicator"] == "chronic_absenteeism") & (truth["cohort"] == 2019)]
    return p, truth.copy()


@pytest.mark.parametrize("exclude", [None, DISRUPTED_YEARS])
def test_demo_cohort_2019_recovers_planted_effect(demo_panel, exclude):
    """The demo plants -2.5 * min(e + 1, 4) points (e = event time) for the 2019 cohort:
    a ramp, not a level + slope step, and 2019-20 (e = 0) is not published. A segmented
    fit of the cohort-minus-never-treated gap estimates the least-squares projection of
    the true effect path on the segmented design over the periods used; its
    ``average_effect`` estimates the mean true effect over the post periods (exact, since
    the pre-period carries no effect)."""
    p, truth = demo_panel
    res = interrupted_time_series(
        p,
        "value",
        "year",
        start="2019-20",
        unit="unit",
        treated="cohort_2019",
        exclude_years=exclude,
        vcov="driscoll_kraay",
    )
    used = truth[truth["observed"] & ~truth["year"].isin(exclude or ())]
    t = used["year"].str[:4].astype(int).to_numpy()
    proj = np.linalg.lstsq(segmented_design(t, 2019.0), used["effect"].to_numpy(), rcond=None)[0]
    mean_post = used.loc[used["event_time"] >= 0, "effect"].mean()
    eff = res.effects.set_index("term")
    # simulation error = the estimate's own standard error (district and school AR(1)
    # noise, averaged over 6 and 52 districts); 3 SE is a 0.3% two-sided miss rate.
    for term, target in [
        ("level_change", proj[2]),
        ("slope_change", proj[3]),
        ("average_effect", mean_post),
    ]:
        assert abs(eff.loc[term, "estimate"] - target) < 3 * eff.loc[term, "std_error"], term
    # the projection, not the unobserved event-time-0 effect (-2.5), is what is estimated
    e0 = truth.loc[truth["event_time"] == 0, "effect"].item()
    assert abs(res.level_change - proj[2]) < abs(res.level_change - e0)
    # the result says what was done with the disrupted years
    if exclude:
        assert res.excluded_years == (2019, 2020) and "Excluded" in res.summary()
        assert res.disrupted_kept == ()
    else:
        assert res.excluded_years == () and res.disrupted_kept == (2020,)
        assert "DISRUPTED_YEARS" in res.summary()
    assert res.n_units == {"treated": 6, "comparison": 52}


def test_demo_common_shock_driscoll_kraay_tighter_than_hac(demo_panel):
    # The statewide 2021-22 spike hits both series: errors that ignore the shared shock
    # are several times larger than those of the gap series.
    p, _ = demo_panel
    kw = {"start": "2019-20", "unit": "unit", "treated": "cohort_2019"}
    hac = interrupted_time_series(p, "value", "year", **kw)
    dk = interrupted_time_series(p, "value", "year", vcov="driscoll_kraay", **kw)
    assert hac.level_change == pytest.approx(dk.level_change, rel=1e-12)
    a = hac.effects.set_index("term")["std_error"]
    b = dk.effects.set_index("term")["std_error"]
    assert b["average_effect"] < a["average_effect"] / 2
    assert any("driscoll_kraay" in n for n in hac.notes)


# ----------------------------------------------------------------- planted truth: simulation


def _ar1(rng, shape, rho):
    e = rng.standard_normal(shape)
    u = np.empty(shape)
    u[0] = e[0]
    for i in range(1, shape[0]):  # loop over periods; replications are vectorized
        u[i] = rho * u[i - 1] + np.sqrt(1 - rho**2) * e[i]
    return u


def _simulate(n_periods, rho, reps, maxlags, seed, vcov="hac"):
    rng = np.random.default_rng(seed)
    t = np.arange(n_periods)
    start = n_periods // 2
    x = segmented_design(t, start)
    beta = np.array([10.0, 0.5, -3.0, -0.4])  # b2 = -3 level, b3 = -0.4 slope change
    y = (x @ beta)[:, None] + _ar1(rng, (n_periods, reps), rho)
    fit = ols_fit(x, y, np.zeros(n_periods, np.int64), t, vcov=vcov, maxlags=maxlags)
    se = np.sqrt(np.diagonal(fit.cov, axis1=1, axis2=2)).T
    q = stats.t.ppf(0.975, n_periods - 4)
    covered = np.abs(fit.beta - beta[:, None]) <= q * se
    return fit.beta, beta, covered.mean(axis=1)


def test_simulation_unbiased_and_hac_coverage():
    # 500 replications of 200 periods, AR(1) errors rho = 0.2, Newey-West with 4 lags
    # (4 (T/100)^(2/9) = 4.7). Bartlett weights at 4 lags capture a long-run variance of
    # 1.375 of the true 1.5 for this AR(1), so the interval is expected slightly short of
    # 95%: 4,000-replication runs give 0.917-0.925. Bounds = that range -/+ 3 Monte Carlo
    # SE for 500 replications (0.012).
    est, beta, cover = _simulate(200, 0.2, 500, 4, seed=20240)
    mc_se = est.std(axis=1) / np.sqrt(est.shape[1])
    np.testing.assert_array_less(np.abs(est.mean(axis=1) - beta), 4 * mc_se)
    assert 0.88 <= cover[2] <= 0.96
    assert 0.88 <= cover[3] <= 0.96


def test_simulation_hac_beats_classical_under_autocorrelation():
    # rho = 0.5, 400 periods, 6 lags, 1,000 replications: classical intervals cover about
    # 74% of the time, Newey-West about 88-91%; the gap (>= 0.08) is more than 4 Monte
    # Carlo SE of the difference.
    _, _, hac = _simulate(400, 0.5, 1000, 6, seed=7)
    _, _, ols = _simulate(400, 0.5, 1000, 6, seed=7, vcov="classical")
    assert (hac[2:] - ols[2:] >= 0.08).all()


def test_simulation_short_series_hac_is_optimistic():
    # What the docstring warns: with 24 periods and rho = 0.5 the Newey-West interval
    # covers well under 95% (level change 0.78-0.80, slope change 0.72-0.73 in runs of
    # 1,000-2,000 replications); 0.85 is more than 5 Monte Carlo SE above both.
    _, _, cover = _simulate(24, 0.5, 1000, 1, seed=3)
    assert (cover[2:] < 0.85).all()


def test_driscoll_kraay_coverage_with_shared_shocks():
    # Two series sharing a large AR(1) shock each period plus small own noise: the
    # treated-minus-comparison terms are identified from the gap. Driscoll-Kraay covers
    # near its single-series rate (0.88-0.96, as above); errors that treat the series as
    # independent are far too wide (coverage near 1).
    rng = np.random.default_rng(11)
    n_t, reps = 200, 500
    t = np.tile(np.arange(n_t), 2)
    z = np.repeat([0.0, 1.0], n_t)
    x = segmented_design(t, n_t // 2, z)
    beta = np.array([5, 0.1, -1, 0.05, 1, 0.02, -2.0, -0.3])
    common = 3 * _ar1(rng, (n_t, reps), 0.2)
    own = _ar1(rng, (2 * n_t, reps), 0.2)
    y = (x @ beta)[:, None] + np.vstack([common, common]) + own
    groups = z.astype(np.int64)
    q = stats.t.ppf(0.975, n_t - 1)
    res = {}
    for vcov in ("driscoll_kraay", "hac"):
        fit = ols_fit(x, y, groups, t, vcov=vcov, maxlags=4)
        se = np.sqrt(np.diagonal(fit.cov, axis1=1, axis2=2)).T
        res[vcov] = (np.abs(fit.beta - beta[:, None]) <= q * se).mean(axis=1)
    assert (res["driscoll_kraay"][6:] >= 0.88).all() and (res["driscoll_kraay"][6:] <= 0.96).all()
    assert (res["hac"][6:] > 0.99).all()


def test_public_function_equals_core_on_one_column():
    rng = np.random.default_rng(5)
    t = np.arange(2000, 2020)
    y = 3 + 0.2 * (t - 2000) - 1.5 * (t >= 2010) + rng.normal(0, 0.5, len(t))
    res = interrupted_time_series(pd.DataFrame({"t": t, "y": y}), "y", "t", start=2010)
    fit = ols_fit(segmented_design(t, 2010.0), y, np.zeros(20, np.int64), t)
    np.testing.assert_allclose(res.coefficients["estimate"], fit.beta[:, 0], rtol=1e-12)
    np.testing.assert_allclose(res.covariance().to_numpy(), fit.cov[0], rtol=1e-12)


# ----------------------------------------------------------------- gaps and diagnostics


def test_excluded_years_leave_a_gap_that_lags_do_not_bridge(demo_panel):
    p, _ = demo_panel
    one = p[p["unit"] == p["unit"].iloc[0]]
    res = interrupted_time_series(
        one, "value", "year", start="2019-20", exclude_years=DISRUPTED_YEARS
    )
    kept = one[~one["year"].isin(DISRUPTED_YEARS)].sort_values("t")
    t = kept["t"].to_numpy()
    x = segmented_design(t, 2019.0)
    y = kept["value"].to_numpy()
    e = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
    # 2018 -> 2021 is not a lag-1 pair: DW sums differences of the 6 adjacent-year pairs
    adj = np.diff(t) == 1
    dw = np.sum(np.diff(e)[adj] ** 2) / np.sum(e**2)
    assert res.durbin_watson == pytest.approx(dw, rel=1e-10)
    assert durbin_watson_grouped(e[:, None], np.zeros(len(t), int), t)[0] == pytest.approx(dw)
    lm, _ = breusch_godfrey_grouped(x, e, np.zeros(len(t), int), t, 1)
    assert lm >= 0


def test_school_year_labels_and_plot(demo_panel):
    import matplotlib

    matplotlib.use("Agg")
    p, _ = demo_panel
    res = interrupted_time_series(
        p, "value", "year", start="2019-20", unit="unit", treated="cohort_2019"
    )
    d = res.plot_data()
    assert set(d["group"]) == {"treated", "comparison"}
    tr = d[d["group"] == "treated"].set_index("time")
    assert tr.loc[2019, "label"] == "2019-20" and np.isnan(tr.loc[2019, "observed"])
    assert tr.loc[2018, "label"] == "2018-19"
    # counterfactual = fitted minus the treated-specific change, from the start on
    c = res.coefficients.set_index("term")["estimate"]
    gap = tr["fitted"] - tr["counterfactual"]
    post = tr.index[tr["post"]]
    np.testing.assert_allclose(
        gap[post], c["treated_post"] + c["treated_time_post"] * (post - 2019), rtol=1e-10
    )
    assert tr.loc[tr.index < 2019, "counterfactual"].isna().all()
    _fig, ax = res.plot()
    assert ax.get_ylabel() == "value" and len(ax.lines) >= 6
    assert "2019" in res.summary() and res._repr_html_().startswith("<div>")


# ----------------------------------------------------------------- invariants


@settings(max_examples=25, deadline=None)
@given(
    shift=st.floats(-50, 50),
    scale=st.floats(0.1, 10),
    t_shift=st.integers(-30, 30),
    seed=st.integers(0, 10_000),
)
def test_affine_invariance(shift, scale, t_shift, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(1990, 2010)
    y = 5 + 0.3 * (t - 1990) + 2 * (t >= 2000) + rng.normal(0, 1, len(t))
    base = interrupted_time_series(pd.DataFrame({"t": t, "y": y}), "y", "t", start=2000)
    moved = interrupted_time_series(
        pd.DataFrame({"t": t + t_shift, "y": shift + scale * y}), "y", "t", start=2000 + t_shift
    )
    a, b = base.effects.set_index("term"), moved.effects.set_index("term")
    for term in ("level_change", "slope_change", "post_trend", "average_effect"):
        assert b.loc[term, "estimate"] == pytest.approx(scale * a.loc[term, "estimate"], abs=1e-8)
        assert b.loc[term, "std_error"] == pytest.approx(scale * a.loc[term, "std_error"], rel=1e-7)
        assert b.loc[term, "p_val"] == pytest.approx(a.loc[term, "p_val"], rel=1e-6, abs=1e-12)


@settings(max_examples=20, deadline=None)
@given(
    n_ctrl=st.integers(2, 6),
    b6=st.floats(-5, 5),
    b7=st.floats(-1, 1),
    seed=st.integers(0, 10_000),
)
def test_pooled_equals_mean_on_balanced_panels_and_recovers_exact_gap(n_ctrl, b6, b7, seed):
    rng = np.random.default_rng(seed)
    years = np.arange(2010, 2022)
    rows = []
    for u in range(n_ctrl + 1):
        y = 10 + rng.normal(0, 1) + 0.2 * (years - 2010) + rng.normal(0, 0.5, len(years))
        rows.append(pd.DataFrame({"u": u, "t": years, "y": y, "z": int(u == 0)}))
    d = pd.concat(rows, ignore_index=True)
    # treated = mean of the controls + an exact segmented gap: the z terms are that gap
    ctrl = d[d["z"] == 0].groupby("t")["y"].mean()
    gap = 1.0 + 0.1 * (years - 2010) + b6 * (years >= 2016) + b7 * (years - 2016) * (years >= 2016)
    d.loc[d["z"] == 1, "y"] = ctrl.to_numpy() + gap
    kw = {"start": 2016, "unit": "u", "treated": "z"}
    mean = interrupted_time_series(d, "y", "t", comparison="mean", **kw)
    pool = interrupted_time_series(d, "y", "t", comparison="pooled", **kw)
    np.testing.assert_allclose(
        mean.coefficients["estimate"], pool.coefficients["estimate"], atol=1e-9
    )
    assert mean.level_change == pytest.approx(b6, abs=1e-9)
    assert mean.slope_change == pytest.approx(b7, abs=1e-9)
    # absent rows and NaN cells give the same answer
    holes = d.copy()
    holes.loc[holes.index[3], "y"] = np.nan
    a = interrupted_time_series(holes, "y", "t", comparison="pooled", **kw)
    b = interrupted_time_series(holes.dropna(), "y", "t", comparison="pooled", **kw)
    np.testing.assert_allclose(a.coefficients["estimate"], b.coefficients["estimate"])
    assert a.n_dropped == 1 and b.n_dropped == 0


# ----------------------------------------------------------------- input errors


def _series(n=12, start=2010):
    t = np.arange(start, start + n)
    return pd.DataFrame({"t": t, "y": np.linspace(0, 1, n) + (t >= start + n // 2)})


def test_too_few_periods_raise_with_fix():
    d = _series(8)
    with pytest.raises(EstimationError, match="at least 3") as ei:
        interrupted_time_series(d, "y", "t", start=2016)  # 2 periods after
    assert ei.value.fix and "start" in ei.value.fix
    with pytest.raises(EstimationError, match="before start"):
        interrupted_time_series(d, "y", "t", start=2011)


def test_non_numeric_outcome_raises():
    d = _series().assign(y=lambda x: x["y"].astype(str))
    with pytest.raises(SchemaError, match="not numeric") as ei:
        interrupted_time_series(d, "y", "t", start=2016)
    assert ei.value.column == "y" and ei.value.fix


@pytest.mark.parametrize("kw", [{"unit": "district"}, {"treated": "grp"}])
def test_missing_columns_raise(kw):
    with pytest.raises(SchemaError, match="no column") as ei:
        interrupted_time_series(_series(), "y", "t", start=2016, **kw)
    assert ei.value.fix and "name an existing column" in ei.value.fix
    with pytest.raises(SchemaError, match="no column"):
        interrupted_time_series(_series(), "outcome", "t", start=2016)


def test_other_bad_inputs():
    d = _series()
    with pytest.raises(SchemaError, match="two rows"):
        interrupted_time_series(pd.concat([d, d]), "y", "t", start=2016)
    with pytest.raises(SchemaError, match="0/1"):
        interrupted_time_series(d.assign(g=2), "y", "t", start=2016, treated="g")
    with pytest.raises(SchemaError, match="both groups"):
        interrupted_time_series(d.assign(g=1), "y", "t", start=2016, treated="g")
    with pytest.raises(OptionError, match="maxlags"):
        interrupted_time_series(d, "y", "t", start=2016, maxlags=-1)
    with pytest.raises(EstimationError, match="maxlags"):
        interrupted_time_series(d, "y", "t", start=2016, maxlags=12)
    with pytest.raises(OptionError, match="vcov"):
        interrupted_time_series(d, "y", "t", start=2016, vcov="hc3")
    with pytest.raises(CEIError, match="ci="):
        interrupted_time_series(d, "y", "t", start=2016, ci=95)
    two = pd.concat([d.assign(u="a", g=1), d.assign(u="b", g=0)])
    two.loc[two.index[-1], "g"] = 1
    with pytest.raises(SchemaError, match="switches"):
        interrupted_time_series(two, "y", "t", start=2016, unit="u", treated="g")
    with pytest.raises(SchemaError, match="period"):
        interrupted_time_series(
            d.assign(t=d["t"].astype(float).where(d.index != 2)), "y", "t", start=2016
        )
