"""att_gt against R did's published mpdta results, other implementations, and invariants."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cei_metrics.errors import CEIError, OptionError, SchemaError
from cei_metrics.impact.did.dynamic import event_study, pretrend_test
from cei_metrics.impact.did.staggered import att_gt

REF = Path(__file__).resolve().parents[1] / "reference"
sys.path.insert(0, str(REF))
import mpdta_did_reference as R  # noqa: E402

ARGS = ("lemp", "countyreal", "year", "first.treat")


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(REF / "mpdta.csv")


@pytest.fixture(scope="module")
def res(mpdta):
    # many draws so that our bootstrap SEs carry little Monte-Carlo error of their own
    return att_gt(mpdta, *ARGS, method="reg", n_boot=20000, seed=2019)


def test_att_gt_points_match_r_did_readme(res):
    tab = res.table.set_index(["group", "time"])
    for g, t, att, _ in R.ATT_GT:
        assert tab.loc[(g, t), "estimate"] == pytest.approx(att, abs=5.1e-5)
    assert len(tab) == len(R.ATT_GT)


def test_att_gt_bootstrap_se_match_r_did_readme(res):
    tab = res.table.set_index(["group", "time"])
    for g, t, _, se in R.ATT_GT:
        assert tab.loc[(g, t), "std_error"] == pytest.approx(se, rel=R.SE_RTOL)


def test_bootstrap_draws_have_the_influence_function_variance(res):
    # E[(sum_i v_i a_i)^2] = sum_i a_i^2 for Rademacher v: the draws' SD must equal the
    # analytic SE up to MC error (~0.5% with 20,000 draws; 2.5% is five of those). The
    # reported IQR-based SE may differ more where few treated units dominate (as in R).
    from cei_metrics.impact.did._boot import bootstrap

    _, _, draws = bootstrap(res._inf, res._clusters, res._mult(), 0.95)
    np.testing.assert_allclose(draws.std(axis=0), res._se_analytic, rtol=0.025)


def test_uniform_band_wider_than_pointwise_narrower_than_bonferroni(res):
    from scipy.stats import norm

    k = len(res.table)
    assert norm.ppf(0.975) < res.crit_value < norm.ppf(1 - 0.025 / k)
    half = (res.table["band_high"] - res.table["band_low"]) / 2
    np.testing.assert_allclose(half, res.crit_value * res.table["std_error"], rtol=1e-12)
    # the pointwise interval is carried beside the band, not replaced by it
    point = (res.table["ci_high"] - res.table["ci_low"]) / 2
    np.testing.assert_allclose(point, norm.ppf(0.975) * res.table["std_error"], rtol=1e-12)


def test_pretest_p_value_matches_r_did(res):
    pt = res.pretrend
    assert pt.p_val == pytest.approx(R.PRETEST_P, abs=5e-6)
    assert pt.df == 5


def test_dynamic_aggregation_matches_r_did(res):
    es = event_study(res)
    tab = es.table.set_index("event_time")
    for e, est, se in R.DYNAMIC:
        assert tab.loc[e, "estimate"] == pytest.approx(est, abs=5.1e-5)
        assert tab.loc[e, "std_error"] == pytest.approx(se, rel=R.SE_RTOL)
    assert es.estimate == pytest.approx(R.DYNAMIC_OVERALL[0], abs=5.1e-5)
    assert es.std_error == pytest.approx(R.DYNAMIC_OVERALL[1], rel=R.SE_RTOL)
    # the overall CI is pointwise normal around the estimate
    o = es.overall
    assert o["ci_low"] < o["estimate"] < o["ci_high"]
    assert (o["ci_high"] - o["ci_low"]) / 2 == pytest.approx(1.959964 * o["std_error"], rel=1e-6)


def test_group_aggregation_matches_r_did(res):
    agg = res.aggregate("group")
    tab = agg.table.set_index("group")
    for g, est, se in R.GROUP:
        assert tab.loc[g, "estimate"] == pytest.approx(est, abs=5.1e-5)
        assert tab.loc[g, "std_error"] == pytest.approx(se, rel=R.SE_RTOL)
    assert agg.estimate == pytest.approx(R.GROUP_OVERALL[0], abs=5.1e-4)
    assert agg.std_error == pytest.approx(R.GROUP_OVERALL[1], rel=R.SE_RTOL)


def test_event_study_pretrend_test_is_a_chi2_on_pre_periods(res):
    pt = pretrend_test(event_study(res))
    assert pt.df == 3
    assert 0 < pt.p_val < 1
    assert pt.level == "event-time"


@pytest.mark.skipif(importlib.util.find_spec("moderndid") is None, reason="moderndid absent")
@pytest.mark.parametrize("method", ["dr", "reg", "ipw"])
@pytest.mark.parametrize("control", ["never", "notyet"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_matches_moderndid_points_ses_and_aggregates(mpdta, method, control, base_period):
    import warnings

    import moderndid as md

    ours = att_gt(
        mpdta,
        *ARGS,
        method=method,
        control=control,
        base_period=base_period,
        covariates=["lpop"],
        n_boot=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = md.att_gt(
            mpdta,
            yname="lemp",
            tname="year",
            idname="countyreal",
            gname="first.treat",
            xformla="~lpop",
            est_method=method,
            control_group="nevertreated" if control == "never" else "notyettreated",
            base_period=base_period,
            boot=False,
        )
        np.testing.assert_allclose(ours.table["estimate"], theirs.att_gt, atol=1e-8)
        np.testing.assert_allclose(ours.table["std_error"], theirs.se_gt, atol=1e-8)
        assert ours.pretrend.p_val == pytest.approx(theirs.wald_pvalue, abs=1e-5)
        for how in ("simple", "group", "dynamic", "calendar"):
            a, b = ours.aggregate(how), md.aggte(theirs, type=how)
            assert a.estimate == pytest.approx(b.overall_att, abs=1e-8)
            assert a.std_error == pytest.approx(b.overall_se, abs=1e-8)
            if how != "simple":
                np.testing.assert_allclose(a.table["estimate"], b.att_by_event, atol=1e-8)
                np.testing.assert_allclose(a.table["std_error"], b.se_by_event, atol=1e-8)


@pytest.mark.skipif(importlib.util.find_spec("csdid") is None, reason="csdid absent")
def test_points_match_csdid(mpdta):
    import warnings

    from csdid.att_gt import ATTgt

    ours = att_gt(mpdta, *ARGS, covariates=["lpop"], n_boot=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ATTgt(
            yname="lemp",
            gname="first.treat",
            idname="countyreal",
            tname="year",
            xformla="lemp~lpop",
            data=mpdta,
        ).fit(est_method="dr", bstrap=False)
    np.testing.assert_allclose(ours.table["estimate"], theirs.results["att"], atol=1e-8)


def test_logit_irls_equals_statsmodels_glm():
    import statsmodels.api as sm

    from cei_metrics.impact.did._drdid import logit_irls

    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(400), rng.normal(size=(400, 2))])
    d = (rng.uniform(size=400) < 1 / (1 + np.exp(-(x @ [0.2, 1.0, -0.5])))).astype(float)
    w = rng.uniform(0.5, 2, size=400)
    beta, _, cov = logit_irls(d, x, w)
    fit = sm.GLM(d, x, family=sm.families.Binomial(), freq_weights=w).fit(tol=1e-12)
    np.testing.assert_allclose(beta, fit.params, atol=1e-8)
    np.testing.assert_allclose(cov, fit.cov_params(), rtol=1e-6)


# -- invariants ---------------------------------------------------------------------------


def _panel(seed: int, n: int = 60, effect: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = np.arange(2015, 2021)
    cohort = rng.choice([0, 2017, 2019], size=n, p=[0.4, 0.3, 0.3])
    x = rng.normal(size=n)
    alpha = rng.normal(size=n) + 0.5 * x
    rows = []
    for i in range(n):
        for t in years:
            treated = cohort[i] > 0 and t >= cohort[i]
            yv = alpha[i] + 0.3 * (t - 2015) + 0.2 * x[i] * (t - 2015) + rng.normal(0, 0.3)
            rows.append((f"u{i:03d}", t, cohort[i], yv + effect * treated, x[i], i % 7))
    return pd.DataFrame(rows, columns=["unit", "year", "cohort", "y", "x", "district"])


PANEL_ARGS = ("y", "unit", "year", "cohort")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    shift=st.floats(-100, 100, allow_nan=False),
    scale=st.floats(0.1, 10, allow_nan=False),
    method=st.sampled_from(["dr", "reg", "ipw"]),
)
def test_affine_and_unit_effect_invariance(seed, shift, scale, method):
    df = _panel(seed)
    base = att_gt(df, *PANEL_ARGS, covariates=["x"], method=method, n_boot=0)
    d2 = df.copy()
    unit_fe = d2["unit"].str[1:].astype(int) * 0.37  # adding unit effects changes nothing
    d2["y"] = scale * (d2["y"] + unit_fe) + shift
    r2 = att_gt(d2, *PANEL_ARGS, covariates=["x"], method=method, n_boot=0)
    np.testing.assert_allclose(r2.table["estimate"], scale * base.table["estimate"], atol=1e-8)
    np.testing.assert_allclose(r2._se_analytic, scale * base._se_analytic, rtol=1e-7)
    # shuffling rows changes nothing
    r3 = att_gt(
        df.sample(frac=1, random_state=seed), *PANEL_ARGS, covariates=["x"], method=method, n_boot=0
    )
    np.testing.assert_allclose(r3.table["estimate"], base.table["estimate"], atol=1e-12)


def test_integer_weights_equal_duplicated_units():
    df = _panel(5)
    w = (df["unit"].str[1:].astype(int) % 3 + 1).astype(float)
    weighted = att_gt(df.assign(w=w), *PANEL_ARGS, covariates=["x"], weights="w", n_boot=0)
    reps = []
    for k in (1, 2, 3):
        part = df[w >= k].copy()
        part["unit"] = part["unit"] + f"_{k}"
        reps.append(part)
    dup = att_gt(pd.concat(reps), *PANEL_ARGS, covariates=["x"], n_boot=0)
    np.testing.assert_allclose(weighted.table["estimate"], dup.table["estimate"], atol=1e-10)
    for how in ("simple", "dynamic"):
        assert weighted.aggregate(how).estimate == pytest.approx(
            dup.aggregate(how).estimate, abs=1e-10
        )


def test_seed_reproducible_and_cluster_changes_se():
    df = _panel(7)
    a = att_gt(df, *PANEL_ARGS, seed=11, n_boot=199)
    b = att_gt(df, *PANEL_ARGS, seed=11, n_boot=199)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.seed == 11
    c = att_gt(df, *PANEL_ARGS, seed=11, n_boot=0, cluster="district")
    u = att_gt(df, *PANEL_ARGS, seed=11, n_boot=0, cluster="unit")
    n = att_gt(df, *PANEL_ARGS, seed=11, n_boot=0)
    np.testing.assert_allclose(u.table["std_error"], n.table["std_error"], rtol=1e-12)
    assert c.n_clusters == 7
    assert not np.allclose(c.table["std_error"], n.table["std_error"])


def test_recovers_planted_constant_effect_with_covering_band():
    df = _panel(11, n=400, effect=1.0)
    r = att_gt(df, *PANEL_ARGS, covariates=["x"], seed=1, n_boot=499)
    post = r.table[r.table["event_time"] >= 0]
    assert ((post["band_low"] < 1.0) & (post["band_high"] > 1.0)).all()
    simple = r.aggregate("simple")
    assert abs(simple.estimate - 1.0) < 3 * simple.std_error
    assert simple.std_error < 0.1


def test_school_years_and_exclude_years():
    df = _panel(3)
    sy = df.assign(
        year=df["year"].map(lambda t: f"{t}-{(t + 1) % 100:02d}"),
        cohort=df["cohort"].map(lambda g: None if g == 0 else f"{g}-{(g + 1) % 100:02d}"),
    )
    a = att_gt(df, *PANEL_ARGS, n_boot=0)
    b = att_gt(sy, *PANEL_ARGS, n_boot=0)
    np.testing.assert_allclose(a.table["estimate"], b.table["estimate"], atol=1e-12)
    c = att_gt(sy, *PANEL_ARGS, n_boot=0, exclude_years=["2019-20"])
    assert 2019 not in set(c.table["time"]) | set(c.table["base_time"])
    assert c.excluded_years == (2019,)
    assert "2019" in c.summary() and "Excluded" in c.summary()


def test_bad_input_raises_cei_errors():
    df = _panel(1)
    with pytest.raises(SchemaError, match="no column 'nope'"):
        att_gt(df, "nope", "unit", "year", "cohort")
    with pytest.raises(SchemaError, match="appears twice"):
        att_gt(pd.concat([df, df.iloc[:1]]), *PANEL_ARGS)
    bad = df.copy()
    bad.loc[bad.index[0], "cohort"] = 2018
    with pytest.raises(SchemaError, match="changes over time"):
        att_gt(bad, *PANEL_ARGS)
    with pytest.raises(OptionError, match="panel=False"):
        att_gt(df, *PANEL_ARGS, panel=False)
    with pytest.raises(OptionError, match="method"):
        att_gt(df, *PANEL_ARGS, method="ols")
    with pytest.raises(OptionError, match="ci="):
        att_gt(df, *PANEL_ARGS, ci=1.5)
    with pytest.raises(SchemaError, match="positive"):
        att_gt(df.assign(w=0.0), *PANEL_ARGS, weights="w")
    with pytest.raises(CEIError):
        att_gt(df.assign(y=df["y"].astype(str)), *PANEL_ARGS)
    with pytest.raises(OptionError, match="how="):
        att_gt(df, *PANEL_ARGS, n_boot=0).aggregate("weekly")


def test_missing_outcome_drops_unit_and_counts_it():
    df = _panel(2)
    d2 = df.copy()
    d2.loc[d2["unit"] == "u000", "y"] = np.nan
    d2.loc[(d2["unit"] == "u001") & (d2["year"] == 2016), "y"] = np.nan
    r = att_gt(d2, *PANEL_ARGS, n_boot=0)
    r2 = att_gt(df[~df["unit"].isin(["u000", "u001"])], *PANEL_ARGS, n_boot=0)
    assert r.n_dropped == 2
    np.testing.assert_allclose(r.table["estimate"], r2.table["estimate"], atol=1e-12)


def test_result_presentation(res):
    assert {"group", "time", "estimate", "std_error", "ci_low", "ci_high"} <= set(res.table)
    assert list(res.to_frame().columns)[:7] == [
        "term",
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_val",
        "n",
    ]
    assert "Pre-trend" in res.summary()
    assert "<table" in res._repr_html_()
    pdf = res.plot_data()
    assert list(pdf["event_time"]) == [-3, -2, -1, 0, 1, 2, 3]
    import matplotlib

    matplotlib.use("Agg")
    fig, ax = res.plot()
    assert fig is not None and ax is not None
    agg = res.aggregate("simple")
    assert agg.to_frame().shape[0] == 1


def test_with_inference_equals_att_gt_called_with_those_options():
    df = _panel(5)
    base = att_gt(df, *PANEL_ARGS, seed=3, n_boot=199)
    cases = [
        ({"inference": "analytic"}, {"n_boot": 0}),
        ({"cluster": "district"}, {"cluster": "district"}),
        (
            {"n_boot": 299, "seed": 8, "uniform": False},
            {"n_boot": 299, "seed": 8, "uniform": False},
        ),
        (
            {"ci": 0.9, "inference": "analytic", "cluster": "district"},
            {"ci": 0.9, "n_boot": 0, "cluster": "district"},
        ),
    ]
    for after, at in cases:
        a = base.with_inference(**after)
        b = att_gt(df, *PANEL_ARGS, **{"seed": 3, "n_boot": 199, **at})
        pd.testing.assert_frame_equal(a.table, b.table)
        assert a.inference == b.inference and a.n_clusters == b.n_clusters
        for how in ("dynamic", "group"):
            pd.testing.assert_frame_equal(a.aggregate(how).table, b.aggregate(how).table)
    assert base.with_inference(inference="analytic").call["with_inference"]["n_boot"] == 0
    with pytest.raises(OptionError):
        base.with_inference("jackknife")


def test_old_names_warn():
    r = att_gt(_panel(5), *PANEL_ARGS, n_boot=0)
    with pytest.warns(FutureWarning, match="ci_level"):
        assert r.ci == 0.95
    with pytest.warns(FutureWarning, match="df="):
        es = event_study(data=r)
    assert es.how == "dynamic" and es.ci_level == 0.95
