"""multilevel() against R lme4 (sleepstudy, Pastes, Dyestuff2), a direct statsmodels
call, the balanced nested ANOVA, the demo world's planted district and school variances,
and a simulation with known variance components (recovery and interval coverage)."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cei_metrics.errors import CEIError, EstimationError, OptionError, SchemaError
from cei_metrics.impact.mixed import MultilevelResult, multilevel
from cei_metrics.schemas import C

# the module itself (``cm.impact.multilevel`` is the public function of the same name)
ml = importlib.import_module("cei_metrics.impact.mixed")

REF = Path(__file__).resolve().parents[1] / "reference"
sys.path.insert(0, str(REF))
import impact_multilevel_reference as R  # noqa: E402


@pytest.fixture(scope="module")
def sleepstudy():
    return pd.read_csv(REF / "impact_multilevel_sleepstudy.csv").drop(columns="rownames")


@pytest.fixture(scope="module")
def pastes():
    return pd.read_csv(REF / "impact_multilevel_pastes.csv").drop(columns="rownames")


@pytest.fixture(scope="module")
def dyestuff2():
    return pd.read_csv(REF / "impact_multilevel_dyestuff2.csv").drop(columns="rownames")


@pytest.fixture(scope="module")
def fm1(sleepstudy):
    return multilevel(sleepstudy, "Reaction ~ Days", groups="Subject", re_formula="~Days")


@pytest.fixture(scope="module")
def fm_pastes(pastes):
    return multilevel(pastes, "strength ~ 1", groups="batch", nested="cask")


def _vc(res: MultilevelResult, level: str, term: str = "Intercept") -> pd.Series:
    v = res.variance_components
    return v[(v["level"] == level) & (v["term"] == term)].iloc[0]


def _fixed(res: MultilevelResult, term: str) -> pd.Series:
    return res.fixed.set_index("term").loc[term]


# ---------------------------------------------------------------------------------------
# reference data


def test_reference_data_are_lme4s(sleepstudy, pastes, dyestuff2):
    assert len(sleepstudy) == R.SLEEPSTUDY_N
    assert sleepstudy["Subject"].nunique() == 18
    days = sleepstudy.sort_values(["Subject", "Days"])["Days"].to_numpy().reshape(18, 10)
    assert (days == np.arange(10)).all()
    first = sleepstudy[(sleepstudy["Subject"] == 308) & (sleepstudy["Days"] == 0)]
    assert first["Reaction"].item() == pytest.approx(R.SLEEPSTUDY_SUBJECT308_DAY0, abs=5e-5)
    assert len(pastes) == R.PASTES_N
    assert pastes.groupby(["batch", "cask"]).size().eq(2).all()
    assert pastes.groupby("batch")["cask"].nunique().eq(3).all()
    assert len(dyestuff2) == R.DYESTUFF2_N and dyestuff2["Batch"].nunique() == 6


# ---------------------------------------------------------------------------------------
# lme4 sleepstudy: correlated random intercept and slope


def test_sleepstudy_reml_matches_lme4(fm1):
    ref = R.SLEEPSTUDY
    assert fm1.converged and not fm1.singular and fm1.reml
    assert (fm1.n, fm1.n_groups, fm1.n_dropped) == (180, 18, 0)
    # every subject has the same Days design, so GLS equals OLS whatever the variance
    # parameters: lme4's regression test pins these to 1e-13
    est = fm1.fixed["estimate"].to_numpy()
    assert est == pytest.approx(R.SLEEPSTUDY_FIXEF_EXACT, rel=1e-10)
    assert est == pytest.approx(ref["fixef"], abs=5e-4)  # printed to 3 decimals
    assert fm1.fixed["std_error"].to_numpy() == pytest.approx(ref["se"], abs=5e-4)
    sd = [_vc(fm1, "Subject", "Intercept")["sd"], _vc(fm1, "Subject", "Days")["sd"]]
    # the REML surface is flat in the 4th digit of the intercept SD: lme4 releases print
    # 24.740 and 24.741 for this fit (both within 1e-3); the slope SD is printed as 5.922
    assert sd[0] == pytest.approx(ref["sd"][0], abs=1e-3)
    assert sd[1] == pytest.approx(ref["sd"][1], abs=5e-4)
    var = [_vc(fm1, "Subject", "Intercept")["variance"], _vc(fm1, "Subject", "Days")["variance"]]
    assert var[0] == pytest.approx(ref["variance"][0], rel=1e-4)  # 612.10 (older: 612.09)
    assert var[1] == pytest.approx(ref["variance"][1], abs=5e-3)
    corr = fm1.correlations.iloc[0]
    assert (corr["term1"], corr["term2"]) == ("Intercept", "Days")
    assert corr["corr"] == pytest.approx(ref["corr"], abs=5e-3)  # printed to 2 decimals
    assert fm1.residual_sd == pytest.approx(ref["residual_sd"], abs=5e-4)
    assert fm1.residual_variance == pytest.approx(ref["residual_variance"], abs=5e-3)
    assert fm1.criterion == pytest.approx(ref["reml_criterion"], abs=5e-4)
    assert fm1.aic is None and fm1.bic is None
    cov = fm1.fit.cov_params().iloc[:2, :2].to_numpy()
    fe_corr = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    assert fe_corr == pytest.approx(R.SLEEPSTUDY_FIXEF_CORR_EXACT, abs=1e-4)  # lme4 test tol
    # random slopes: the ICC depends on Days, so none is reported
    assert fm1.icc.empty and "not reported" in fm1.summary()


def test_sleepstudy_ml_matches_lme4_and_mixedmodels_jl(sleepstudy):
    res = multilevel(
        sleepstudy, "Reaction ~ Days", groups="Subject", re_formula="~Days", reml=False
    )
    ref, jl = R.SLEEPSTUDY_ML, R.SLEEPSTUDY_ML_JULIA
    assert res.converged and not res.reml
    # lme4 printed these with options(digits = 2): whole numbers and 2 decimals
    assert res.aic == pytest.approx(ref["aic"], abs=0.5)
    assert res.bic == pytest.approx(ref["bic"], abs=0.5)
    assert res.loglik == pytest.approx(ref["loglik"], abs=0.5)
    sd = (_vc(res, "Subject", "Intercept")["sd"], _vc(res, "Subject", "Days")["sd"])
    assert sd == pytest.approx(ref["sd"], abs=5e-3)
    assert res.correlations["corr"].item() == pytest.approx(ref["corr"], abs=5e-3)
    assert res.residual_sd == pytest.approx(ref["residual_sd"], abs=5e-3)
    # MixedModels.jl prints 5 decimals; the intercept SD sits on the same flat ridge as
    # in the REML fit (our 23.78057), hence 2e-4 there and half a printed unit elsewhere
    assert sd[0] == pytest.approx(jl["sd"][0], abs=2e-4)
    assert sd[1] == pytest.approx(jl["sd"][1], abs=5e-5)
    assert res.residual_sd == pytest.approx(jl["residual_sd"], abs=5e-5)
    assert res.fixed["std_error"].to_numpy() == pytest.approx(jl["se"], abs=5e-5)
    # AIC counts 2 fixed effects, 3 covariance parameters and the residual variance
    assert res.aic == pytest.approx(-2 * res.loglik + 2 * 6, rel=1e-12)
    assert res.bic == pytest.approx(-2 * res.loglik + np.log(180) * 6, rel=1e-12)


# ---------------------------------------------------------------------------------------
# lme4 Pastes: casks nested in batches


def _nested_anova(pastes: pd.DataFrame) -> dict[str, float]:
    """Davies & Goldsmith's balanced nested ANOVA: 10 batches, 3 casks, 2 assays."""
    y = pastes["strength"].to_numpy()
    mb = pastes.groupby("batch")["strength"].transform("mean").to_numpy()
    mc = pastes.groupby(["batch", "cask"])["strength"].transform("mean").to_numpy()
    ms_b = np.sum((mb - y.mean()) ** 2) / 9
    ms_c = np.sum((mc - mb) ** 2) / 20
    ms_e = np.sum((y - mc) ** 2) / 30
    return {
        "var_batch": (ms_b - ms_c) / 6,
        "var_cask": (ms_c - ms_e) / 2,
        "residual_variance": ms_e,
        "se": np.sqrt(ms_b / 60),
    }


def test_pastes_nested_matches_lme4(fm_pastes):
    ref = R.PASTES
    res = fm_pastes
    assert res.converged and not res.singular
    assert res.n_units == {"batch": 10, "cask": 30} and res.n_groups == 10
    # lme4 prints these to 4 decimals: half a unit in the last place
    assert _fixed(res, "Intercept")["estimate"] == pytest.approx(ref["intercept"], abs=5e-5)
    assert _fixed(res, "Intercept")["std_error"] == pytest.approx(ref["se"], abs=5e-5)
    assert _vc(res, "cask")["sd"] == pytest.approx(ref["sd_cask"], abs=5e-5)
    assert _vc(res, "batch")["sd"] == pytest.approx(ref["sd_batch"], abs=5e-5)
    assert res.residual_sd == pytest.approx(ref["residual_sd"], abs=5e-5)
    # variances printed to 3 decimals
    assert _vc(res, "cask")["variance"] == pytest.approx(ref["var_cask"], abs=5e-4)
    assert _vc(res, "batch")["variance"] == pytest.approx(ref["var_batch"], abs=5e-4)
    assert res.residual_variance == pytest.approx(ref["residual_variance"], abs=5e-4)
    assert res.criterion == pytest.approx(ref["reml_criterion"], abs=0.5)  # printed "247"
    # ICC per level from the printed variances (3 decimals -> 1e-3)
    tot = ref["var_batch"] + ref["var_cask"] + ref["residual_variance"]
    icc = res.icc.set_index("level")
    assert icc.loc["batch", "icc"] == pytest.approx(ref["var_batch"] / tot, abs=1e-3)
    assert icc.loc["cask", "icc"] == pytest.approx(
        (ref["var_batch"] + ref["var_cask"]) / tot, abs=1e-3
    )
    assert icc.loc["cask", "share"] == pytest.approx(ref["var_cask"] / tot, abs=1e-3)


def test_pastes_equals_balanced_nested_anova(pastes, fm_pastes):
    # balanced design, interior solution: REML has the ANOVA estimators in closed form.
    # The BFGS refinement stops at gradient 1e-8, about 1e-7 relative on these numbers.
    a = _nested_anova(pastes)
    assert _vc(fm_pastes, "batch")["variance"] == pytest.approx(a["var_batch"], rel=1e-5)
    assert _vc(fm_pastes, "cask")["variance"] == pytest.approx(a["var_cask"], rel=1e-5)
    assert fm_pastes.residual_variance == pytest.approx(a["residual_variance"], rel=1e-5)
    assert _fixed(fm_pastes, "Intercept")["std_error"] == pytest.approx(a["se"], rel=1e-5)
    assert _fixed(fm_pastes, "Intercept")["estimate"] == pytest.approx(
        pastes["strength"].mean(), rel=1e-12
    )


def test_nested_labels_need_only_be_unique_within_their_parent(pastes, fm_pastes):
    # ``sample`` ("A:a") is globally unique; ``cask`` ("a") repeats across batches
    other = multilevel(pastes, "strength ~ 1", groups="batch", nested="sample")
    assert other.n_units == {"batch": 10, "sample": 30}
    assert other.variance_components["variance"].to_numpy() == pytest.approx(
        fm_pastes.variance_components["variance"].to_numpy(), rel=1e-9
    )


# ---------------------------------------------------------------------------------------
# lme4 Dyestuff2: a boundary fit


def test_dyestuff2_boundary_fit_is_reported(dyestuff2):
    res = multilevel(dyestuff2, "Yield ~ 1", groups="Batch")
    ref = R.DYESTUFF2
    assert res.singular
    assert res.converged  # a boundary optimum is an optimum (lme4: "boundary (singular) fit")
    assert "Boundary (singular) fit" in res.message and "Batch Intercept variance" in res.message
    assert _vc(res, "Batch")["sd"] < 1e-3 * res.residual_sd
    # lme4's test pins coef(summary(fm3)) with all.equal (1.5e-8); our batch variance is
    # 1e-9 rather than exactly 0, which moves the SE in the 8th digit
    f = _fixed(res, "Intercept")
    assert f["estimate"] == pytest.approx(ref["intercept"], abs=5e-5)
    assert f["std_error"] == pytest.approx(ref["se"], rel=1e-6)
    assert f["estimate"] / f["std_error"] == pytest.approx(ref["t"], rel=1e-6)
    assert res.residual_sd == pytest.approx(ref["residual_sd"], abs=5e-3)
    assert res.icc["icc"].item() == pytest.approx(0.0, abs=1e-6)


# ---------------------------------------------------------------------------------------
# a direct statsmodels call gives the same numbers


def test_wrapper_equals_direct_statsmodels_call(sleepstudy, pastes, fm1, fm_pastes):
    import statsmodels.formula.api as smf

    for res, model in (
        (fm1, smf.mixedlm("Reaction ~ Days", sleepstudy, groups="Subject", re_formula="~Days")),
        (
            fm_pastes,
            smf.mixedlm(
                "strength ~ 1",
                pastes,
                groups="batch",
                re_formula="1",
                vc_formula={"cask": "0 + cask"},
            ),
        ),
    ):
        assert res.optimizer == "lbfgs, refined by bfgs"
        first = model.fit(reml=True, method="lbfgs")
        fit = model.fit(
            reml=True, method="bfgs", gtol=ml.REFINE_GTOL, start_params=first.params_object
        )
        k = fit.k_fe
        assert res.fixed["estimate"].to_numpy() == pytest.approx(fit.fe_params.to_numpy(), rel=1e-9)
        assert res.fixed["std_error"].to_numpy() == pytest.approx(fit.bse_fe.to_numpy(), rel=1e-9)
        assert res.fixed["p_val"].to_numpy() == pytest.approx(fit.pvalues.to_numpy()[:k], rel=1e-9)
        ci = fit.conf_int(alpha=0.05).to_numpy()[:k]
        assert res.fixed["ci_low"].to_numpy() == pytest.approx(ci[:, 0], rel=1e-9)
        assert res.fixed["ci_high"].to_numpy() == pytest.approx(ci[:, 1], rel=1e-9)
        assert res.loglik == pytest.approx(fit.llf, rel=1e-12)
        assert res.residual_variance == pytest.approx(fit.scale, rel=1e-9)
        v = res.variance_components
        top = v[v["level"] == res.groups]["variance"].to_numpy()
        assert top == pytest.approx(np.diag(fit.cov_re.to_numpy()), rel=1e-9)
        if res.nested:
            inner = v[v["level"].isin(res.nested)]["variance"].to_numpy()
            assert inner == pytest.approx(np.asarray(fit.vcomp), rel=1e-9)


def test_other_ci_levels_are_normal_quantiles(fm1, sleepstudy):
    from scipy import stats

    res = multilevel(sleepstudy, "Reaction ~ Days", groups="Subject", re_formula="~Days", ci=0.9)
    q = stats.norm.ppf(0.95)
    f = res.fixed
    assert f["ci_low"].to_numpy() == pytest.approx(
        (f["estimate"] - q * f["std_error"]).to_numpy(), rel=1e-9
    )
    assert res.ci_level == 0.9 and fm1.ci_level == 0.95
    with pytest.warns(FutureWarning, match="ci_level"):
        assert fm1.ci == 0.95


# ---------------------------------------------------------------------------------------
# planted truth


def test_demo_world_district_and_school_variances_recovered(demo):
    """The demo generator (``datasets/demo.py``, ``_outcomes``) builds school chronic
    absenteeism as a district intercept N(0, 1.8^2) plus covariates
    (0.07 pct_sed + 0.03 pct_el + 2.0 network), a school intercept N(0, 1.0^2), district
    and school AR(1) year shocks (SD 0.6, rho 0.5), cell noise (SD 0.7) and binomial
    sampling. The two intercept SDs are ``truth.ca_intercept_sd``.

    Fit on the four years before any district joined (no planted effect), all students,
    with the covariates as fixed effects. The AR(1) shocks, which the model does not
    know, add between 0 and 0.36 to each level's variance, so the targets are district
    SD 1.80 to 1.90 and school SD 1.00 to 1.17. With 80 districts the district SD is
    known to about 0.15 (its 80 draws alone vary by 1.8/sqrt(160) = 0.14); with 282
    schools seen 4 times each, the school SD to about 0.07. The bounds are the target
    ranges widened by 3 such standard errors.
    """
    o = demo.outcomes
    s = o[
        (o[C.LEVEL] == "school")
        & (o[C.INDICATOR] == "chronic_absenteeism")
        & (o[C.GROUP] == "All students")
        & o[C.YEAR].isin(["2015-16", "2016-17", "2017-18", "2018-19"])
    ].copy()
    s[C.DISTRICT_ID] = s[C.CDS].str[:7]
    roster = demo.roster[[C.DISTRICT_ID, C.PCT_SED, C.PCT_EL, C.COHORT]].copy()
    roster["network"] = roster[C.COHORT].notna().astype(float)
    s = s.merge(roster, on=C.DISTRICT_ID, how="left")
    res = multilevel(
        s,
        f"{C.VALUE} ~ {C.PCT_SED} + {C.PCT_EL} + network + C({C.YEAR})",
        groups=C.DISTRICT_ID,
        nested=C.CDS,
    )
    assert res.converged and not res.singular
    assert res.n_units == {C.DISTRICT_ID: 80, C.CDS: s[C.CDS].nunique()}
    sd_d, sd_s = demo.truth.ca_intercept_sd["district"], demo.truth.ca_intercept_sd["school"]
    assert (sd_d, sd_s) == (1.8, 1.0)  # the targets below are worked out for these
    # AR(1) shocks add at most 0.36 to each level's variance: sqrt(sd^2 + 0.36)
    hi_d, hi_s = np.sqrt(sd_d**2 + 0.36), np.sqrt(sd_s**2 + 0.36)
    assert sd_d - 0.45 < _vc(res, C.DISTRICT_ID)["sd"] < hi_d + 0.45
    assert sd_s - 0.21 < _vc(res, C.CDS)["sd"] < hi_s + 0.21
    # the planted network level shift (2.0 points) lies in the fixed-effect interval
    f = _fixed(res, "network")
    assert f["ci_low"] < 2.0 < f["ci_high"]


@pytest.mark.slow
def test_simulation_recovers_variance_components_and_covers():
    """Schools in districts with known components, 40 replicates drawn at once.

    y = 2 + 0.3 treated_district + u_district + v_school + e, with SDs 0.5, 0.4, 1.0;
    16 districts (half treated) x 3 schools x 6 students. REML variance estimates are
    close to unbiased: their mean over replicates must lie within 3.5 Monte Carlo SEs of
    the truth (and the ICCs within 3.5 MC SEs plus 0.01 for the ratio's small bias). Wald
    95% intervals of the intercept and of the district-level effect must cover in at
    least 85% of replicates (binomial SE 3.4% at 40 replicates; z intervals with 16
    districts run a little short of 95%; an OLS interval that ignored clustering covers
    63-64% in this design)."""
    rng = np.random.default_rng(20190829)
    reps, n_d, n_s, n_i = 40, 16, 3, 6
    tau_d, tau_s, sigma, b0, b1 = 0.5, 0.4, 1.0, 2.0, 0.3
    n = n_d * n_s * n_i
    dist = np.repeat(np.arange(n_d), n_s * n_i)
    school = np.tile(np.repeat(np.arange(n_s), n_i), n_d)  # labels repeat across districts
    sch_id = np.repeat(np.arange(n_d * n_s), n_i)
    treat = (np.arange(n_d) % 2)[dist]
    y = (
        b0
        + b1 * treat
        + rng.normal(0, tau_d, (reps, n_d))[:, dist]
        + rng.normal(0, tau_s, (reps, n_d * n_s))[:, sch_id]
        + rng.normal(0, sigma, (reps, n))
    )
    rows = []
    for r in range(reps):  # one mixed-model fit per replicate
        df = pd.DataFrame({"y": y[r], "treat": treat, "district": dist, "school": school})
        res = multilevel(df, "y ~ treat", groups="district", nested="school")
        f = res.fixed.set_index("term")
        rows.append(
            {
                "v_d": _vc(res, "district")["variance"],
                "v_s": _vc(res, "school")["variance"],
                "v_e": res.residual_variance,
                "icc_d": res.icc["icc"].iloc[0],
                "icc_s": res.icc["icc"].iloc[1],
                "cover0": f.loc["Intercept", "ci_low"] <= b0 <= f.loc["Intercept", "ci_high"],
                "cover1": f.loc["treat", "ci_low"] <= b1 <= f.loc["treat", "ci_high"],
                "converged": res.converged,
            }
        )
    out = pd.DataFrame(rows)
    assert out["converged"].all()
    total = tau_d**2 + tau_s**2 + sigma**2
    truth = {
        "v_d": tau_d**2,
        "v_s": tau_s**2,
        "v_e": sigma**2,
        "icc_d": tau_d**2 / total,
        "icc_s": (tau_d**2 + tau_s**2) / total,
    }
    for k, t in truth.items():
        mc_se = out[k].std(ddof=1) / np.sqrt(reps)
        slack = 0.01 if k.startswith("icc") else 0.0
        assert abs(out[k].mean() - t) < 3.5 * mc_se + slack, (k, out[k].mean(), t, mc_se)
    assert out["cover0"].mean() >= 0.85
    assert out["cover1"].mean() >= 0.85


# ---------------------------------------------------------------------------------------
# missing data, three levels, reporting


def test_missing_values_are_dropped_and_counted(sleepstudy, fm1):
    extra = sleepstudy.head(4).copy()
    extra.loc[extra.index[0], "Reaction"] = np.nan
    extra.loc[extra.index[1], "Days"] = np.nan
    extra.loc[extra.index[2], "Subject"] = np.nan
    extra.loc[extra.index[3], "Reaction"] = np.nan
    padded = pd.concat([sleepstudy, extra], ignore_index=True).sample(frac=1, random_state=3)
    res = multilevel(padded, "Reaction ~ Days", groups="Subject", re_formula="~Days")
    assert res.n_dropped == 4 and res.n == 180
    # NaN cells and absent rows give the same fit (row order does not matter either)
    assert res.fixed["estimate"].to_numpy() == pytest.approx(fm1.fixed["estimate"], rel=1e-8)
    assert res.loglik == pytest.approx(fm1.loglik, rel=1e-10)
    assert res.residual_sd == pytest.approx(fm1.residual_sd, rel=1e-5)


def test_an_unused_column_with_missing_values_drops_nothing(sleepstudy, fm1):
    d = sleepstudy.assign(note=np.where(sleepstudy["Days"] > 5, np.nan, 1.0))
    res = multilevel(d, "Reaction ~ Days", groups="Subject", re_formula="~Days")
    assert res.n_dropped == 0 and res.loglik == pytest.approx(fm1.loglik, rel=1e-12)


def test_three_levels_with_repeated_labels():
    rng = np.random.default_rng(7)
    n_d, n_s, n_c, n_i = 12, 3, 2, 5
    d = np.repeat(np.arange(n_d), n_s * n_c * n_i)
    s = np.tile(np.repeat(np.arange(n_s), n_c * n_i), n_d)  # school labels 0..2 in every district
    c = np.tile(np.repeat(np.arange(n_c), n_i), n_d * n_s)  # classroom labels 0..1 everywhere
    sid = d * n_s + s
    cid = sid * n_c + c
    y = (
        rng.normal(0, 0.6, n_d)[d]
        + rng.normal(0, 0.5, n_d * n_s)[sid]
        + rng.normal(0, 0.4, n_d * n_s * n_c)[cid]
        + rng.normal(0, 1.0, len(d))
    )
    df = pd.DataFrame({"y": y, "district": d, "school": s, "classroom": c})
    res = multilevel(df, "y ~ 1", groups="district", nested=["school", "classroom"])
    assert res.n_units == {"district": 12, "school": 36, "classroom": 72}
    assert list(res.icc["level"]) == ["district", "school", "classroom"]
    assert res.icc["icc"].is_monotonic_increasing
    assert res.icc["share"].sum() < 1
    assert res.icc["icc"].iloc[-1] == pytest.approx(res.icc["share"].sum(), rel=1e-12)
    # the same data with globally unique ids give the same fit
    df2 = df.assign(school=sid, classroom=cid)
    res2 = multilevel(df2, "y ~ 1", groups="district", nested=["school", "classroom"])
    assert res2.loglik == pytest.approx(res.loglik, rel=1e-10)


def test_result_tables_and_text(fm1, fm_pastes):
    tidy = fm1.to_frame()
    assert list(tidy.columns) == [
        "term",
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_val",
        "n",
        "effect",
        "group",
    ]
    assert all(c.isidentifier() for c in tidy.columns)
    assert list(tidy["term"]) == [
        "Intercept",
        "Days",
        "sd__Intercept",
        "sd__Days",
        "sd__Observation",
        "cor__Intercept.Days",
    ]
    assert tidy.loc[tidy["term"] == "sd__Observation", "estimate"].item() == fm1.residual_sd
    assert list(fm1.fixed.columns) == [
        "term",
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_val",
        "n",
    ]
    text = fm_pastes.summary()
    assert "REML" in text and "batch (10)" in text and "cask (30)" in text
    assert "Intraclass correlation: batch 0.154, cask 0.937" in text
    assert "Converged (lbfgs, refined by bfgs)" in fm_pastes.message
    assert fm_pastes._repr_html_().startswith("<div><strong>Linear mixed model")
    with pytest.raises(AttributeError):
        fm1.converged = False  # frozen


def test_optimizer_fallback_is_reported(sleepstudy):
    # Nelder-Mead fails on this model; the next optimizer starts where it stopped
    res = multilevel(
        sleepstudy,
        "Reaction ~ Days",
        groups="Subject",
        re_formula="~Days",
        optimizer=["nm", "lbfgs"],
    )
    assert res.converged and res.optimizer.startswith("lbfgs")
    assert "after nm did not" in res.message
    # with Nelder-Mead alone statsmodels produces nothing; lme4's criterion, minimised
    # from lme4's start, is the last optimizer tried and reaches lme4's optimum
    alone = multilevel(
        sleepstudy, "Reaction ~ Days", groups="Subject", re_formula="~Days", optimizer="nm"
    )
    assert alone.converged and alone.optimizer == "bounded L-BFGS-B (lme4's criterion)"
    assert alone.criterion == pytest.approx(1743.628, abs=5e-4)
    assert alone.fit is None and not alone.singular


def test_no_fit_at_all_is_an_error(sleepstudy, monkeypatch):
    monkeypatch.setattr(ml, "_bounded_optimum", lambda *a, **k: None)
    with pytest.raises(EstimationError, match="no optimizer produced a fit"):
        multilevel(
            sleepstudy, "Reaction ~ Days", groups="Subject", re_formula="~Days", optimizer="nm"
        )


def test_non_convergence_is_reported_not_raised(sleepstudy, monkeypatch):
    monkeypatch.setattr(ml, "_usable", lambda res: False)
    res = multilevel(sleepstudy, "Reaction ~ Days", groups="Subject")
    assert not res.converged
    assert res.message.startswith("Did not converge with any optimizer tried (lbfgs, bfgs")
    assert res.optimizer in ml.DEFAULT_OPTIMIZERS


SINGULAR_REF = pd.read_csv(REF / "impact_multilevel_singular.csv")
SINGULAR_DATA = pd.read_csv(REF / "impact_multilevel_singular_data.csv")


def _singular_case(case: str, **kw) -> MultilevelResult:
    """The fit of one case of ``impact_multilevel_singular.R`` (lme4's call)."""
    if case.startswith("boundary_tmpf_"):
        d = SINGULAR_DATA[SINGULAR_DATA["seed"] == int(case[-2:])]
        return multilevel(d, "y ~ x", groups="f", **kw)
    if case == "dyestuff2":
        return multilevel(pd.read_csv(REF / "impact_multilevel_dyestuff2.csv"), "Yield ~ 1",
                          groups="Batch", **kw)  # fmt: skip
    if case == "slope_boundary":
        d = pd.read_csv(REF / "impact_multilevel_slope_boundary.csv")
        return multilevel(d, "y ~ x", groups="g", re_formula="~x", **kw)
    d = pd.read_csv(REF / "impact_multilevel_sleepstudy.csv")
    return multilevel(d, "Reaction ~ Days", groups="Subject", re_formula="~Days", **kw)


@pytest.mark.parametrize("case", SINGULAR_REF["case"].tolist())
def test_boundary_fits_are_decided_as_lme4_decides_them(case):
    # lme4 tests/boundary.R's 30 simulated data sets (13 boundary fits among them, one at
    # theta 1.8e-8), Dyestuff2, a random slope every group shares, and sleepstudy
    ref = SINGULAR_REF.set_index("case").loc[case]
    res = _singular_case(case)
    assert res.singular == bool(ref["is_singular"]), res.message
    assert res.converged, res.message
    # the REML criterion at lme4's optimum, or a hair better (lme4's bobyqa stops at a
    # tolerance of its own): never a worse optimum
    assert res.criterion <= ref["reml_criterion"] + 1e-9 * ref["reml_criterion"]
    assert res.criterion == pytest.approx(ref["reml_criterion"], rel=5e-9, abs=2e-6)
    vc = res.variance_components.set_index(["level", "term"])["variance"]
    if ref["is_singular"] and case != "slope_boundary":
        assert vc.iloc[0] == 0.0  # reported exactly as lme4 reports it
    fe = [float(v) for v in ref["fixef"].split(";")]
    np.testing.assert_allclose(res.fixed["estimate"], fe, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("optimizer", ["lbfgs", "bfgs", "cg", "powell"])
def test_boundary_decision_does_not_depend_on_the_optimizer(optimizer):
    # whichever optimizer converges (which one does depends on library versions and
    # the machine), the fit is the optimum over lme4's bounded parameter space
    ref = SINGULAR_REF.set_index("case")
    for case in ("slope_boundary", "boundary_tmpf_07", "boundary_tmpf_02"):
        res = _singular_case(case, optimizer=optimizer)
        assert res.singular == bool(ref.loc[case, "is_singular"]), (case, res.message)
        assert res.criterion == pytest.approx(ref.loc[case, "reml_criterion"], abs=2e-6)


def test_random_slope_the_data_cannot_support_is_a_boundary_fit():
    # every group shares the slope: lme4 puts the slope's Cholesky element at zero
    # (a correlation of one) with theta (2.0636, 0.0142, 0)
    res = _singular_case("slope_boundary")
    assert res.singular and res.converged
    assert "the g x effect is perfectly correlated" in res.message
    assert "boundary fit" in res.optimizer
    assert abs(res.correlations["corr"].item()) == pytest.approx(1.0, abs=1e-12)
    assert _vc(res, "g", "x")["sd"] < 0.05 * _vc(res, "g", "Intercept")["sd"]
    ref = SINGULAR_REF.set_index("case").loc["slope_boundary"]
    theta = np.array([float(v) for v in ref["theta"].split(";")])
    vc_r = np.array([float(v) for v in ref["vcov_re"].split(";")])  # var1, var2, cov, resid
    # the criterion is flat along the edge: the variances agree to 3e-4 of the larger
    assert _vc(res, "g", "Intercept")["variance"] == pytest.approx(vc_r[0], rel=3e-4)
    assert _vc(res, "g", "x")["variance"] == pytest.approx(vc_r[1], abs=3e-7)
    assert res.residual_variance == pytest.approx(vc_r[3], rel=3e-4)
    assert theta[2] == 0.0
    assert res.icc.empty


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript absent: R lme4 not run live")
def test_singular_reference_is_what_lme4_prints_today(tmp_path):
    # re-run the committed R script; its output must equal the committed reference
    root = REF.parents[1]
    out = subprocess.run(
        ["Rscript", str(REF / "impact_multilevel_singular.R"), str(tmp_path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=240,
    )
    if out.returncode != 0 and "there is no package called" in out.stderr:
        pytest.skip("R package lme4 is not installed")
    assert out.returncode == 0, out.stderr
    live = pd.read_csv(tmp_path / "impact_multilevel_singular.csv")
    pd.testing.assert_frame_equal(
        live.drop(columns=["lme4"]), SINGULAR_REF.drop(columns=["lme4"]), check_exact=False,
        rtol=1e-6,
    )  # fmt: skip


def test_singularity_rule_is_lme4s():
    # lme4::isSingular: a diagonal element of the Cholesky factor of the relative
    # covariance below 1e-4; a correlation of 1 makes the second element 0
    from types import SimpleNamespace

    perfect = SimpleNamespace(k_re=2, k_vc=0, cov_re_unscaled=np.array([[1.0, 0.5], [0.5, 0.25]]))
    out = ml._singular_terms(perfect, ["Intercept", "x"], "g", ())
    assert out == [
        "the g x effect is perfectly correlated with the g effects before it (singular covariance)"
    ]
    fine = SimpleNamespace(k_re=2, k_vc=0, cov_re_unscaled=np.array([[1.0, 0.3], [0.3, 0.25]]))
    assert ml._singular_terms(fine, ["Intercept", "x"], "g", ()) == []
    vc = SimpleNamespace(
        k_re=1, k_vc=2, cov_re_unscaled=np.eye(1), vcomp=np.array([0.5, 1e-10]), scale=2.0
    )
    assert ml._singular_terms(vc, ["Intercept"], "d", ("school", "room")) == [
        "the room variance is estimated at zero"
    ]


# ---------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"formula": "nothing ~ Days"}, SchemaError, "no outcome column 'nothing'"),
        ({"formula": "Reaction ~ Nights"}, SchemaError, "could not be built"),
        ({"groups": "Person"}, SchemaError, "no column 'Person'"),
        ({"nested": "Visit"}, SchemaError, "no column 'Visit'"),
        ({"formula": "Reaction ~ Days + (Days | Subject)"}, SchemaError, "lme4"),
        ({"formula": "Reaction Days"}, SchemaError, "outcome ~ terms"),
        ({"formula": "label ~ Days"}, SchemaError, "not numeric"),
        ({"formula": "Reaction ~ Days", "groups": "one"}, EstimationError, "at least two groups"),
        ({"groups": "row"}, EstimationError, "single row"),
        ({"nested": "same"}, EstimationError, "single 'same'"),
        ({"ci": 95}, OptionError, "confidence level"),
        ({"optimizer": "newton"}, OptionError, "names no optimizer"),
        ({"optimizer": []}, OptionError, "names no optimizer"),
        ({"formula": "Reaction ~ np.log(Days)"}, SchemaError, "infinite values"),
        ({"formula": "Reaction ~ np.sqrt(Days - 1)"}, SchemaError, "missing values"),
    ],
)
def test_bad_input_raises_with_a_fix(sleepstudy, kwargs, err, match):
    d = sleepstudy.assign(
        label=sleepstudy["Reaction"].astype(str),
        one="a",
        row=np.arange(len(sleepstudy)),
        same=sleepstudy["Subject"],
    )
    args = {"formula": "Reaction ~ Days", "groups": "Subject"} | kwargs
    with pytest.raises(err, match=match) as info:
        multilevel(d, args.pop("formula"), **args)
    assert isinstance(info.value, CEIError) and info.value.fix


def test_formula_c_is_patsys_even_when_the_schema_c_is_in_scope(sleepstudy):
    # ``C`` is imported from cei_metrics.schemas in this module; formulas still see patsy's
    res = multilevel(
        sleepstudy.assign(week=sleepstudy["Days"] // 5), "Reaction ~ C(week)", groups="Subject"
    )
    assert list(res.fixed["term"]) == ["Intercept", "C(week)[T.1]"]


# ---------------------------------------------------------------------------------------
# invariants


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    shift=st.floats(-50, 50, allow_nan=False),
    scale=st.floats(0.2, 20, allow_nan=False),
)
def test_location_and_scale_equivariance(seed, shift, scale):
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(12), 6)
    x = rng.normal(size=len(g))
    y = 1 + 0.5 * x + rng.normal(0, 0.8, 12)[g] + rng.normal(size=len(g))
    df = pd.DataFrame({"y": y, "x": x, "g": g})
    base = multilevel(df, "y ~ x", groups="g")
    moved = multilevel(df.assign(y=shift + scale * y), "y ~ x", groups="g")
    if base.singular or moved.singular:  # equivariance holds, but 0 vs 1e-9 is not relative
        return
    b, m = base.fixed.set_index("term"), moved.fixed.set_index("term")
    # the optimizer stops at a gradient tolerance, not at an exact point: 1e-5 relative
    assert m.loc["Intercept", "estimate"] == pytest.approx(
        shift + scale * b.loc["Intercept", "estimate"], rel=1e-5, abs=1e-5 * scale
    )
    assert m.loc["x", "estimate"] == pytest.approx(
        scale * b.loc["x", "estimate"], rel=1e-5, abs=1e-6 * scale
    )
    assert m["std_error"].to_numpy() == pytest.approx(scale * b["std_error"].to_numpy(), rel=1e-4)
    assert moved.variance_components["sd"].to_numpy() == pytest.approx(
        scale * base.variance_components["sd"].to_numpy(), rel=1e-4
    )
    assert moved.icc["icc"].item() == pytest.approx(base.icc["icc"].item(), abs=1e-5)
