"""Inference after the fit: res.with_inference(...) equals the estimator called with
those options, statsmodels, the wild bootstrap with dummies and randomization inference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cei_metrics.errors import OptionError
from cei_metrics.impact import (
    did_2x2,
    randomization_inference,
    twfe,
    wild_cluster_bootstrap,
)

REF = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture(scope="module")
def kielmc():
    k = pd.read_csv(REF / "impact_did_kielmc.csv")
    return k.assign(area_cl=(k["intst"] // 5000).astype(int))


@pytest.fixture(scope="module")
def castle():
    return pd.read_csv(REF / "impact_did_castle.csv")


def _panel(n_units=12, n_treated=4, T=6, start=3, seed=2, effect=1.0):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), T)
    year = np.tile(np.arange(T), n_units)
    cohort = np.where(unit < n_treated, start, np.nan)
    d = ((unit < n_treated) & (year >= start)).astype(float)
    y = effect * d + rng.normal(size=n_units)[unit] + 0.2 * year + rng.normal(size=n_units * T)
    return pd.DataFrame({"y": y, "d": d, "unit": unit, "year": year, "cohort": cohort})


def test_did_2x2_hc1_and_cluster_equal_statsmodels(kielmc):
    import statsmodels.formula.api as smf

    res = did_2x2(kielmc, "rprice", "nearinc", "y81", vcov="classical")
    hc = smf.ols("rprice ~ y81 + nearinc + y81nrinc", kielmc).fit(cov_type="HC1")
    cl = smf.ols("rprice ~ y81 + nearinc + y81nrinc", kielmc).fit(
        cov_type="cluster", cov_kwds={"groups": kielmc["area_cl"]}
    )
    r1 = res.with_inference("hc1")
    assert r1.std_error == pytest.approx(hc.bse["y81nrinc"], rel=1e-10)
    np.testing.assert_allclose(r1.coefficients["std_error"], hc.bse.to_numpy(), rtol=1e-10)
    r2 = res.with_inference("cluster", cluster="area_cl")
    assert r2.std_error == pytest.approx(cl.bse["y81nrinc"], rel=1e-10)
    assert r2.n_clusters == kielmc["area_cl"].nunique()
    # after the fit == at the fit, to the last digit; the original is unchanged
    direct = did_2x2(kielmc, "rprice", "nearinc", "y81", cluster="area_cl")
    pd.testing.assert_frame_equal(r2.to_frame(), direct.to_frame())
    assert res.vcov == "classical OLS" and r2.call["with_inference"]["vcov"] == "cluster"
    back = r2.with_inference("classical")
    pd.testing.assert_frame_equal(back.to_frame(), res.to_frame())


def test_twfe_after_the_fit_equals_at_the_fit(castle):
    import statsmodels.formula.api as smf

    res = twfe(castle, "l_homicide", "sid", "year", "post")
    hc = smf.ols("l_homicide ~ post + C(sid) + C(year)", castle).fit(cov_type="HC1")
    assert res.with_inference("hc1").std_error == pytest.approx(hc.bse["post"], rel=1e-9)
    for vcov in ("hc1", "classical"):
        direct = twfe(castle, "l_homicide", "sid", "year", "post", vcov=vcov)
        pd.testing.assert_frame_equal(res.with_inference(vcov).to_frame(), direct.to_frame())
    back = res.with_inference("hc1").with_inference("cluster")
    pd.testing.assert_frame_equal(back.to_frame(), res.to_frame())
    lvl = res.with_inference("cluster", ci=0.9)
    assert lvl.ci_level == 0.9 and lvl.ci_high - lvl.ci_low < res.ci_high - res.ci_low


def test_wild_after_twfe_equals_wild_bootstrap_with_dummies():
    df = _panel()
    res = twfe(df, "y", "unit", "year", "d").with_inference("wild", cluster="unit", seed=1)
    ref = wild_cluster_bootstrap(df, "y", "d", "unit", fe=["unit", "year"], seed=1)
    assert ref.enumerated  # 12 clusters: every sign pattern, no Monte-Carlo error
    assert res.p_val == pytest.approx(ref.p_val, abs=1e-12)
    # the interval inverts the same test; with every sign pattern enumerated the p-value
    # is a step function of the null value, so bisection may settle on a neighbouring
    # step (ties broken by the last digit of dummies vs. the within transformation)
    width = ref.ci_high - ref.ci_low
    assert res.ci_low == pytest.approx(ref.ci_low, abs=0.01 * width)
    assert res.ci_high == pytest.approx(ref.ci_high, abs=0.01 * width)
    assert res.estimate == pytest.approx(ref.estimate, rel=1e-10)
    assert "wild cluster restricted bootstrap" in res.vcov and res.seed == 1
    webb = twfe(df, "y", "unit", "year", "d").with_inference(
        "wild", bootstrap_weights="webb", n_boot=999, seed=3
    )
    ref_w = wild_cluster_bootstrap(
        df, "y", "d", "unit", fe=["unit", "year"], bootstrap_weights="webb", n_boot=999, seed=3
    )
    assert webb.p_val == pytest.approx(ref_w.p_val, abs=1e-12)


def test_wild_after_did_2x2_equals_wild_bootstrap():
    df = _panel(n_units=10, n_treated=3)
    df = df.assign(post=(df["year"] >= 3).astype(float), tr=(df["unit"] < 3).astype(float))
    res = did_2x2(df, "y", "tr", "post", cluster="unit").with_inference("wild", seed=5)
    ref = wild_cluster_bootstrap(
        df.assign(gp=df.tr * df.post), "y", "gp", "unit", covariates=["post", "tr"], seed=5
    )
    assert res.p_val == pytest.approx(ref.p_val, abs=1e-12)
    assert (res.ci_low, res.ci_high) == pytest.approx((ref.ci_low, ref.ci_high), rel=1e-6)


@pytest.mark.parametrize(("n_units", "n_treated", "seed"), [(8, 2, None), (40, 6, 1)])
def test_randomization_after_twfe_equals_randomization_inference(n_units, n_treated, seed):
    df = _panel(n_units=n_units, n_treated=n_treated, seed=7)
    res = twfe(df, "y", "unit", "year", "d").with_inference("randomization", n_perm=499, seed=seed)
    ref = randomization_inference(df, "y", "unit", "year", "cohort", n_perm=499, seed=seed)
    assert res.p_val == pytest.approx(ref.p_val, abs=1e-12)
    assert res.estimate == pytest.approx(ref.estimate, rel=1e-10)
    assert np.isnan(res.std_error) and "randomization" in res.vcov


def test_randomization_after_did_2x2_is_exact_over_units():
    df = _panel(n_units=8, n_treated=2, effect=0.0)
    df = df.assign(post=(df["year"] >= 3).astype(float), tr=(df["unit"] < 2).astype(float))
    res = did_2x2(df, "y", "tr", "post").with_inference("randomization", cluster="unit")
    # 28 assignments of 2 treated units among 8: p is a multiple of 1/28
    assert res.p_val * 28 == pytest.approx(round(res.p_val * 28))
    assert 1 / 28 <= res.p_val <= 1


def test_bad_inference_options(kielmc):
    res = did_2x2(kielmc, "rprice", "nearinc", "y81")
    with pytest.raises(OptionError, match="vcov"):
        res.with_inference("bootstrap")
    with pytest.raises(OptionError, match="cluster"):
        res.with_inference("wild")
    with pytest.raises(OptionError, match="ci"):
        res.with_inference("hc1", ci=1.5)


def _its_panel(n_units=10, n_treated=3, T=12, start=2016, seed=4):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_units):
        a = rng.normal()
        for i, t in enumerate(range(start - 6, start - 6 + T)):
            tr = int(u < n_treated)
            yv = a + 0.2 * i + tr * (t >= start) * 0.8 + rng.normal(0, 0.5)
            rows.append((f"d{u}", t, tr, yv))
    return pd.DataFrame(rows, columns=["unit", "t", "tr", "y"])


def test_its_hc1_and_cluster_equal_statsmodels():
    import statsmodels.api as sm

    from cei_metrics.impact import interrupted_time_series

    d = _its_panel()
    res = interrupted_time_series(
        d, "y", "t", start=2016, unit="unit", treated="tr", comparison="pooled"
    )
    f = res._fit
    ols = sm.OLS(f.y, f.x)
    hc = res.with_inference("hc1")
    np.testing.assert_allclose(
        hc.coefficients["std_error"], ols.fit(cov_type="HC1").bse, rtol=1e-10
    )
    cl = res.with_inference("cluster")
    ref = ols.fit(cov_type="cluster", cov_kwds={"groups": f.groups}, use_t=True)
    np.testing.assert_allclose(cl.coefficients["std_error"], ref.bse, rtol=1e-10)
    np.testing.assert_allclose(cl.coefficients["p_val"], ref.pvalues, rtol=1e-8)
    # back to Newey-West: the fit's own numbers
    pd.testing.assert_frame_equal(cl.with_inference("hac").to_frame(), res.to_frame())
    direct = interrupted_time_series(
        d,
        "y",
        "t",
        start=2016,
        unit="unit",
        treated="tr",
        comparison="pooled",
        vcov="driscoll_kraay",
        maxlags=2,
    )
    pd.testing.assert_frame_equal(
        res.with_inference("driscoll_kraay", maxlags=2).to_frame(), direct.to_frame()
    )


def test_its_wild_and_randomization():
    from cei_metrics.impact import interrupted_time_series

    d = _its_panel(n_units=8, n_treated=2)
    res = interrupted_time_series(
        d, "y", "t", start=2016, unit="unit", treated="tr", comparison="pooled"
    )
    w = res.with_inference("wild", n_boot=999, seed=2)
    # the level change is a coefficient: the same test as wild_cluster_bootstrap on the
    # design's columns, clustered by unit
    f = res._fit
    names = res.coefficients["term"].tolist()
    cols = pd.DataFrame(f.x, columns=names).assign(y=f.y, g=f.groups)
    ref = wild_cluster_bootstrap(
        cols,
        "y",
        "treated_post",
        "g",
        covariates=[n for n in names if n not in ("const", "treated_post")],
        seed=2,
    )
    row = w.coefficients.set_index("term").loc["treated_post"]
    assert row["p_val"] == pytest.approx(ref.p_val, abs=1e-12)
    assert w.effects.set_index("term").loc["level_change", "p_val"] == row["p_val"]
    r = res.with_inference("randomization", n_perm=999)
    p = r.effects.set_index("term")["p_val"]
    assert ((p * 28).round(9) == (p * 28).round()).all() and (p >= 1 / 28).all()
    assert r.effects["std_error"].isna().all() and "randomization" in r.vcov
