"""did_2x2 and twfe against Wooldridge Example 13.3 and the dummy-variable regression."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cei_metrics.errors import EstimationError, OptionError, SchemaError
from cei_metrics.impact.did.regression import demean_two_way, did_2x2, twfe

REF = Path(__file__).resolve().parents[1] / "reference"
sys.path.insert(0, str(REF))
import impact_did_reference as R  # noqa: E402


@pytest.fixture(scope="module")
def kielmc():
    return pd.read_csv(REF / "impact_did_kielmc.csv")


@pytest.fixture(scope="module")
def castle():
    return pd.read_csv(REF / "impact_did_castle.csv")


def test_did_2x2_matches_wooldridge_example_13_3(kielmc):
    r = did_2x2(kielmc, "rprice", "nearinc", "y81", vcov="classical")
    assert r.estimate == pytest.approx(R.KIELMC_DID[0], abs=0.01)
    assert r.std_error == pytest.approx(R.KIELMC_DID[1], abs=0.01)
    # t interval on 317 residual df
    from scipy import stats

    tq = stats.t.ppf(0.975, 321 - 4)
    assert r.ci_low == pytest.approx(r.estimate - tq * r.std_error, rel=1e-12)
    # the DiD of the four cell means (no controls)
    m = kielmc.groupby(["nearinc", "y81"])["rprice"].mean()
    assert r.estimate == pytest.approx((m[1, 1] - m[1, 0]) - (m[0, 1] - m[0, 0]), rel=1e-10)


def test_did_2x2_with_controls_matches_table_13_2(kielmc):
    r = did_2x2(kielmc, "rprice", "nearinc", "y81", covariates=["age", "agesq"], vcov="classical")
    assert r.estimate == pytest.approx(R.KIELMC_DID_AGE[0], abs=0.01)
    assert r.std_error == pytest.approx(R.KIELMC_DID_AGE[1], abs=0.01)


def test_did_2x2_robust_and_cluster_match_statsmodels(kielmc):
    import statsmodels.formula.api as smf

    fit = smf.ols("rprice ~ y81 + nearinc + y81nrinc", kielmc).fit(cov_type="HC1")
    r = did_2x2(kielmc, "rprice", "nearinc", "y81")
    assert r.std_error == pytest.approx(fit.bse["y81nrinc"], rel=1e-10)
    k = kielmc.assign(area_cl=(kielmc["intst"] // 5000).astype(int))
    fitc = smf.ols("rprice ~ y81 + nearinc + y81nrinc", k).fit(
        cov_type="cluster", cov_kwds={"groups": k["area_cl"]}
    )
    rc = did_2x2(k, "rprice", "nearinc", "y81", cluster="area_cl")
    assert rc.std_error == pytest.approx(fitc.bse["y81nrinc"], rel=1e-10)
    assert rc.n_clusters == k["area_cl"].nunique()


def test_did_2x2_weights_match_wls(kielmc):
    import statsmodels.formula.api as smf

    fit = smf.wls("rprice ~ y81 + nearinc + y81nrinc", kielmc, weights=kielmc["area"]).fit()
    r = did_2x2(kielmc, "rprice", "nearinc", "y81", weights="area", vcov="classical")
    assert r.estimate == pytest.approx(fit.params["y81nrinc"], rel=1e-10)
    assert r.std_error == pytest.approx(fit.bse["y81nrinc"], rel=1e-10)


def test_twfe_equals_dummy_regression_on_castle(castle):
    import statsmodels.formula.api as smf

    fit = smf.ols("l_homicide ~ post + C(sid) + C(year)", castle).fit()
    r = twfe(castle, "l_homicide", "sid", "year", "post", vcov="classical")
    assert r.estimate == pytest.approx(fit.params["post"], abs=1e-10)
    assert r.estimate == pytest.approx(R.CASTLE_TWFE_THIS_FILE, abs=1e-10)
    assert r.std_error == pytest.approx(fit.bse["post"], rel=1e-9)
    hc = smf.ols("l_homicide ~ post + C(sid) + C(year)", castle).fit(cov_type="HC1")
    assert twfe(castle, "l_homicide", "sid", "year", "post", vcov="hc1").std_error == (
        pytest.approx(hc.bse["post"], rel=1e-9)
    )


def test_twfe_cluster_se_is_dummy_regression_with_nested_fe_not_counted(castle):
    import statsmodels.formula.api as smf

    fit = smf.ols("l_homicide ~ post + C(sid) + C(year)", castle).fit(
        cov_type="cluster", cov_kwds={"groups": castle["sid"]}
    )
    r = twfe(castle, "l_homicide", "sid", "year", "post")
    n, k_dummy, k_ours = len(castle), fit.df_model + 1, 1 + 10
    assert r.std_error == pytest.approx(
        fit.bse["post"] * np.sqrt((n - k_dummy) / (n - k_ours)), rel=1e-9
    )
    assert r.n_clusters == 50


def test_twfe_unbalanced_panel_equals_dummy_regression(castle):
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(1)
    c = castle.drop(index=rng.choice(len(castle), 60, replace=False))
    c = c.assign(x=rng.normal(size=len(c)))
    fit = smf.ols("l_homicide ~ post + x + C(sid) + C(year)", c).fit()
    r = twfe(c, "l_homicide", "sid", "year", "post", covariates=["x"], vcov="classical")
    assert r.estimate == pytest.approx(fit.params["post"], abs=1e-9)
    assert r.std_error == pytest.approx(fit.bse["post"], rel=1e-7)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 12), t=st.integers(2, 6))
def test_demeaning_removes_both_effects(seed, n, t):
    rng = np.random.default_rng(seed)
    u = np.repeat(np.arange(n), t)
    tt = np.tile(np.arange(t), n)
    keep = rng.uniform(size=n * t) > 0.2
    keep[:t] = True
    v = rng.normal(size=n * t)
    z = demean_two_way(v[keep], u[keep], tt[keep])
    # adding arbitrary unit and period effects changes nothing
    z2 = demean_two_way(
        v[keep] + rng.normal(size=n)[u[keep]] + rng.normal(size=t)[tt[keep]], u[keep], tt[keep]
    )
    np.testing.assert_allclose(z, z2, atol=1e-8)


def test_twfe_school_years_and_exclusion(castle):
    c = castle.assign(year=castle["year"].map(lambda y: f"{y}-{(y + 1) % 100:02d}"))
    a = twfe(castle, "l_homicide", "sid", "year", "post")
    b = twfe(c, "l_homicide", "sid", "year", "post")
    assert a.estimate == pytest.approx(b.estimate, abs=1e-12)
    e = twfe(c, "l_homicide", "sid", "year", "post", exclude_years=["2005-06"])
    assert e.excluded_years == (2005,) and "2005" in e.summary()
    assert e.n == 500


def test_bad_input(kielmc, castle):
    with pytest.raises(SchemaError, match="no column"):
        did_2x2(kielmc, "rprice", "near", "y81")
    with pytest.raises(SchemaError, match="0/1"):
        did_2x2(kielmc, "rprice", "rooms", "y81")
    with pytest.raises(OptionError, match="cluster"):
        did_2x2(kielmc, "rprice", "nearinc", "y81", vcov="cluster")
    with pytest.raises(EstimationError, match="does not vary"):
        twfe(castle.assign(post=0), "l_homicide", "sid", "year", "post")
    with pytest.raises(SchemaError, match="twice"):
        twfe(pd.concat([castle, castle.iloc[:1]]), "l_homicide", "sid", "year", "post")
    r = did_2x2(
        kielmc.assign(rprice=kielmc["rprice"].where(kielmc.index > 4)), "rprice", "nearinc", "y81"
    )
    assert r.n_dropped == 5 and r.n == 316
    assert "group:post" in r.to_frame()["term"].tolist()
    assert "<table" in r._repr_html_()


def test_old_argument_names_warn_and_give_the_same_fit(kielmc, castle):
    new = did_2x2(kielmc, "rprice", "nearinc", "y81", covariates=["age"])
    with pytest.warns(FutureWarning) as caught:
        old = did_2x2(kielmc, "rprice", group="nearinc", post="y81", controls=["age"])
    said = " ".join(str(w.message) for w in caught)
    assert "use treated=" in said and "use covariates=" in said
    assert old.estimate == new.estimate and old.std_error == new.std_error
    with pytest.warns(FutureWarning, match="treatment="):
        t = twfe(castle, "l_homicide", "sid", "year", treat="post")
    assert t.estimate == twfe(castle, "l_homicide", "sid", "year", "post").estimate
    with pytest.warns(FutureWarning, match="ci_level"):
        assert new.ci == new.ci_level == 0.95
    with pytest.raises(OptionError, match="both"):
        did_2x2(kielmc, "rprice", "nearinc", "y81", controls=["age"], covariates=["age"])
