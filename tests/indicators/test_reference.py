"""The indicator estimators against published values and the reference libraries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cei_metrics.indicators as ind


def test_wilson_matches_newcombe_1998_table1(ref):
    rows = np.array(ref.NEWCOMBE_1998_TABLE1_WILSON, dtype=float)
    lo, hi = ind.wilson_ci(rows[:, 0], rows[:, 1], ci=0.95)
    np.testing.assert_allclose(lo, rows[:, 2], atol=5e-5)
    np.testing.assert_allclose(hi, rows[:, 3], atol=5e-5)


@pytest.mark.parametrize("ci", [0.8, 0.95, 0.99])
def test_wilson_matches_statsmodels(ci):
    from statsmodels.stats.proportion import proportion_confint

    count = np.array([0, 1, 7, 50, 99, 100])
    n = np.array([10, 10, 30, 100, 100, 100])
    lo, hi = ind.wilson_ci(count, n, ci=ci)
    slo, shi = proportion_confint(count, n, alpha=1 - ci, method="wilson")
    np.testing.assert_allclose(lo, slo, atol=1e-12)
    np.testing.assert_allclose(hi, shi, atol=1e-12)


def test_cluster_mean_matches_svymean_apiclus1(ref, apiclus1):
    r = ref.SVYMEAN_APICLUS1
    codes = np.zeros(len(apiclus1), dtype=np.int64)
    out = ind.grouped_mean(
        apiclus1["api00"].to_numpy(float),
        codes,
        1,
        weights=apiclus1["pw"].to_numpy(float),
        cluster=pd.factorize(apiclus1["dnum"])[0],
    )
    assert out["estimate"][0] == pytest.approx(r["mean"], abs=5e-3)
    fpc = np.sqrt(1 - r["n_psu"] / r["N_psu"])
    assert out["std_error"][0] * fpc == pytest.approx(r["se"], abs=5e-4)
    assert out["n_clusters"][0] == r["n_psu"]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("clustered", [False, True])
def test_grouped_mean_equals_statsmodels_intercept_only(weighted, clustered):
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    n = 400
    g = rng.integers(0, 3, n)
    cl = rng.integers(0, 12, n) + 12 * g  # clusters nest in groups
    y = rng.normal(3, 1, n) + 0.3 * (cl % 5)
    w = rng.uniform(0.5, 3, n) if weighted else None
    out = ind.grouped_mean(y, g, 3, weights=w, cluster=cl if clustered else None, ci=0.9)
    for k in range(3):
        m = g == k
        model = sm.WLS(y[m], np.ones(m.sum()), weights=1.0 if w is None else w[m])
        fit = (
            model.fit(cov_type="cluster", cov_kwds={"groups": cl[m]}, use_t=True)
            if clustered
            else model.fit(cov_type="HC1", use_t=True)
        )
        assert out["estimate"][k] == pytest.approx(fit.params[0], rel=1e-12)
        assert out["std_error"][k] == pytest.approx(fit.bse[0], rel=1e-10)
        lo, hi = fit.conf_int(alpha=0.1)[0]
        assert out["ci_low"][k] == pytest.approx(lo, rel=1e-10)
        assert out["ci_high"][k] == pytest.approx(hi, rel=1e-10)


def test_kaplan_meier_matches_klein_moeschberger_table_4_1a(ref):
    km = ind.kaplan_meier(np.array(ref.KM_6MP_TIME), np.array(ref.KM_6MP_EVENT))
    times = km["time"]
    for t, s, se in ref.KM_6MP_TABLE_4_1A:
        j = int(np.flatnonzero(times == t)[0])
        assert km["survival"][0, j] == pytest.approx(s, abs=5e-4)
        assert km["std_error"][0, j] == pytest.approx(se, abs=5e-4)


def test_kaplan_meier_matches_statsmodels_and_loglog_interval(ref):
    import statsmodels.api as sm
    from scipy.stats import norm

    t = np.array(ref.KM_6MP_TIME, dtype=float)
    e = np.array(ref.KM_6MP_EVENT, dtype=float)
    km = ind.kaplan_meier(t, e, ci=0.9)
    sf = sm.SurvfuncRight(t, e)
    idx = np.searchsorted(km["time"], sf.surv_times)
    np.testing.assert_allclose(km["survival"][0, idx], sf.surv_prob, rtol=1e-12)
    np.testing.assert_allclose(km["std_error"][0, idx], sf.surv_prob_se, rtol=1e-10)
    # log-log interval written out independently (Kalbfleisch & Prentice 2002, eq. 1.9)
    s = sf.surv_prob
    v = (sf.surv_prob_se / s) ** 2
    z = norm.ppf(0.95)
    half = z * np.sqrt(v) / np.log(s)
    np.testing.assert_allclose(km["ci_low"][0, idx], s ** np.exp(-half), rtol=1e-10)
    np.testing.assert_allclose(km["ci_high"][0, idx], s ** np.exp(half), rtol=1e-10)


def test_grouped_kaplan_meier_equals_separate_fits(ref):
    import statsmodels.api as sm

    rng = np.random.default_rng(1)
    t = rng.integers(1, 9, 300).astype(float)
    e = (rng.random(300) < 0.7).astype(float)
    g = rng.integers(0, 4, 300)
    km = ind.kaplan_meier(t, e, g, 4)
    for k in range(4):
        sf = sm.SurvfuncRight(t[g == k], e[g == k])
        idx = np.searchsorted(km["time"], sf.surv_times)
        np.testing.assert_allclose(km["survival"][k, idx], sf.surv_prob, rtol=1e-12)
        np.testing.assert_allclose(km["std_error"][k, idx], sf.surv_prob_se, rtol=1e-10)


def test_design_adjusted_proportion_uses_effective_n():
    """Clustered share: CR1 SE as statsmodels; interval = Wilson at n / deff."""
    import statsmodels.api as sm
    from statsmodels.stats.proportion import proportion_confint

    rng = np.random.default_rng(5)
    cl = np.repeat(np.arange(20), 15)
    x = (rng.random(300) < rng.uniform(0.2, 0.8, 20)[cl]).astype(float)
    out = ind.grouped_proportion(x, np.zeros(300, dtype=np.int64), 1, cluster=cl)
    fit = sm.OLS(x, np.ones(300)).fit(cov_type="cluster", cov_kwds={"groups": cl})
    p = x.mean()
    assert out["std_error"][0] == pytest.approx(fit.bse[0], rel=1e-10)
    n_eff = p * (1 - p) / fit.bse[0] ** 2
    lo, hi = proportion_confint(p * n_eff, n_eff, method="wilson")
    assert out["ci_low"][0] == pytest.approx(lo, rel=1e-10)
    assert out["ci_high"][0] == pytest.approx(hi, rel=1e-10)
    assert n_eff < 300  # positive intra-cluster correlation widens the interval
