"""Recovery of the truth planted in the demo world (``cm.load_demo(seed=2019).truth``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cei_metrics.indicators as ind
from cei_metrics.schemas import C, year_start


def years_in_network(roster: pd.DataFrame, district: pd.Series, year: pd.Series) -> np.ndarray:
    """1 in the joining school year, 2 the next, ...; 0 before joining or never."""
    cohort = roster.set_index(C.DISTRICT_ID)[C.COHORT]
    start = cohort.map(lambda c: np.nan if pd.isna(c) else year_start(c))
    c = start.reindex(district.to_numpy()).to_numpy(dtype=float)
    y = np.array([year_start(v) for v in year], dtype=float)
    k = y - c + 1
    return np.where(np.isnan(k) | (k < 1), 0, k).astype(int)


def twfe_slope(df: pd.DataFrame, time: str) -> tuple[float, float]:
    """OLS of estimate on years in network with district and time fixed effects;
    cluster-robust (district) SE."""
    import statsmodels.api as sm

    fe = pd.get_dummies(df[[C.DISTRICT_ID, time]].astype(str), drop_first=True, dtype=float)
    x = pd.concat([df[["yin"]].astype(float), fe], axis=1).assign(const=1.0)
    fit = sm.OLS(df["estimate"].to_numpy(float), x).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(df[C.DISTRICT_ID])[0]}
    )
    return float(fit.params["yin"]), float(fit.bse["yin"])


@pytest.fixture(scope="module")
def el_rep(demo):
    out = ind.representation_index(
        demo.participation,
        demo.roster,
        group=C.EL_FAMILY,
        event_types=list(demo.truth.el_rep_events),
    ).to_frame()
    out["yin"] = years_in_network(demo.roster, out[C.DISTRICT_ID], out[C.YEAR])
    truth = demo.truth.el_representation.set_index("years_in_network")["index"]
    out["truth"] = truth.reindex(out["yin"]).to_numpy()
    return out


def test_el_representation_intervals_cover_the_truth(el_rep):
    covered = (el_rep["ci_low"] <= el_rep["truth"]) & (el_rep["truth"] <= el_rep["ci_high"])
    # 352 district-years; nominal 95%: binomial sd of the coverage is about 1.2 points
    assert len(el_rep) > 300
    assert 0.91 <= covered.mean() <= 0.99


def test_el_representation_trend_matches_truth(el_rep, demo):
    import statsmodels.formula.api as smf

    fit = smf.ols("estimate ~ yin", el_rep).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(el_rep[C.DISTRICT_ID])[0]}
    )
    t = demo.truth.el_representation
    base = float(t.loc[t["years_in_network"] == 0, "index"].iloc[0])
    slope = float(np.diff(t["index"].to_numpy()).mean())
    assert abs(fit.params["Intercept"] - base) < 3 * fit.bse["Intercept"]
    assert abs(fit.params["yin"] - slope) < 3 * fit.bse["yin"]
    assert fit.bse["yin"] < 0.02  # precise enough to tell 0.06 from no trend


@pytest.mark.parametrize("scale", ["trust", "communication", "voice"])
def test_scale_growth_after_joining_matches_truth(demo, scale):
    """truth.engagement_growth.scale_mean_per_year is the first-year change of the
    expected item mean; compare with the two-way fixed-effects slope over the first two
    years in the network (the item mean is not linear in the latent mean over longer spans)."""
    out = ind.scale_score(
        demo.survey,
        "family_engagement",
        scale,
        by=[C.DISTRICT_ID, C.WAVE, C.YEAR],
        cluster=C.SCHOOL_ID,
    ).to_frame()
    out["yin"] = years_in_network(demo.roster, out[C.DISTRICT_ID], out[C.YEAR])
    est, se = twfe_slope(out[out["yin"] <= 2], C.WAVE)
    g = demo.truth.engagement_growth.set_index("scale")
    truth = float(g.loc[scale, "scale_mean_per_year"])
    assert abs(est - truth) < 3 * se
    assert se < 0.5 * truth  # a real test: the slope is estimated well away from zero


def test_p3_growth_matches_truth(demo):
    out = ind.p3_ratings(demo.ratings).to_frame()
    ov = out[out["section"] == "overall"].copy()
    ov["yin"] = years_in_network(demo.roster, ov[C.DISTRICT_ID], ov[C.YEAR])
    est, se = twfe_slope(ov, C.YEAR)
    assert abs(est - demo.truth.p3_growth) < 3 * se and se < 0.05
    # the year-over-year change column: in-network years gain p3_growth more than others
    ch = ov.dropna(subset=["change"])
    inside = ch.loc[ch["yin"] >= 2, "change"]
    outside = ch.loc[ch["yin"] == 0, "change"]
    diff = inside.mean() - outside.mean()
    se_diff = np.hypot(inside.sem(), outside.sem())
    assert abs(diff - demo.truth.p3_growth) < 3 * se_diff


def test_compute_all_on_the_demo_world(demo):
    out = ind.compute_all(demo, min_cell=11).to_frame()
    assert set(out["indicator"]) == set(ind.INDICATORS)
    assert out["estimate"].notna().all()
    stat = out[out["indicator"] != "p3_rating"]
    assert (stat["ci_low"] <= stat["estimate"] + 1e-12).all()
    assert (stat["estimate"] <= stat["ci_high"] + 1e-12).all()
    assert (out["suppressed"] == (out["n"] < 11)).where(out["indicator"] != "p3_rating", True).all()
