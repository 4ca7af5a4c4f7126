"""DIF, responsiveness, validity and the scorecard: published values, equality with
statsmodels, and recovery of the demo world's planted truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cei_metrics import CEIError
from cei_metrics.errors import EstimationError, SchemaError
from cei_metrics.psychometrics import (
    DEFAULT_THRESHOLDS,
    cronbach_alpha,
    dif,
    responsiveness,
    scorecard,
    scorecard_from_survey,
    to_wide,
    validity,
)
from cei_metrics.psychometrics.item_bias import ordinal_logit
from cei_metrics.schemas import C

from ._ref import R


# --- ordinal logistic fit equals statsmodels OrderedModel ------------------------------
def test_ordinal_logit_equals_statsmodels_orderedmodel():
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    rng = np.random.default_rng(0)
    n = 3000
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    lat = x @ np.array([1.0, -0.5]) + rng.logistic(size=n)
    y = np.digitize(lat, [-1.5, -0.3, 0.8, 2.0])
    beta, tau, ll, ok = ordinal_logit(y, x)
    ref = OrderedModel(y, x, distr="logit").fit(method="bfgs", disp=False, maxiter=2000)
    assert ok
    np.testing.assert_allclose(beta, ref.params[:2], atol=1e-4)
    assert ll == pytest.approx(ref.llf, abs=1e-6)
    # thresholds: statsmodels stores the first and log increments
    ref_tau = np.concatenate([[ref.params[2]], ref.params[2] + np.cumsum(np.exp(ref.params[3:]))])
    np.testing.assert_allclose(tau, ref_tau, atol=1e-4)


def test_pooled_cells_equal_individual_rows():
    rng = np.random.default_rng(1)
    n = 2000
    s = rng.integers(4, 21, n).astype(float)
    g = rng.integers(0, 2, n).astype(float)
    y = np.clip(np.round((s - 4) / 4 + 0.4 * g + rng.normal(size=n)), 0, 4).astype(int)
    x = np.column_stack([s, g])
    b1, _, ll1, _ = ordinal_logit(y, x)
    key, inv = np.unique(np.column_stack([s, g, y]), axis=0, return_inverse=True)
    w = np.bincount(inv.ravel())
    b2, _, ll2, _ = ordinal_logit(key[:, 2].astype(int), key[:, :2], w.astype(float))
    np.testing.assert_allclose(b1, b2, atol=1e-6)
    assert ll1 == pytest.approx(ll2, abs=1e-6)


# --- demo world ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_wide(demo):
    from cei_metrics.instruments import load_instrument
    from cei_metrics.psychometrics.wide import respondent_info

    inst = load_instrument("family_engagement")
    wide = inst.reverse_code(to_wide(demo.survey, items=list(inst.item_ids)))
    info = respondent_info(demo.survey)
    return inst, wide, info


def test_alpha_recovers_demo_truth(demo, demo_wide):
    inst, wide, _ = demo_wide
    for scale, items in inst.scales.items():
        res = cronbach_alpha(wide[list(items)])
        truth = demo.truth.scale_alpha[scale]
        assert res.alpha == pytest.approx(truth, abs=0.01)
        # the interval is narrow at this n; allow for the finite-population simulation
        assert res.ci_low - 0.01 <= truth <= res.ci_high + 0.01


def test_dif_flags_exactly_the_planted_item(demo, demo_wide):
    inst, wide, info = demo_wide
    res = dif(
        wide,
        info[C.LANGUAGE].to_numpy(),
        focal=demo.truth.dif_language,
        scales={k: list(v) for k, v in inst.scales.items()},
    )
    assert res.flagged == [demo.truth.dif_item]
    row = res.table.set_index("item").loc[demo.truth.dif_item]
    # thresholds shifted up for the focal group: fewer agree at the same score
    assert row["estimate"] < 0 and row["ci_high"] < 0
    assert row["class_jg"] in ("B", "C")
    clean = res.table[res.table["item"] != demo.truth.dif_item]
    assert (clean["class_jg"] == "A").all() and (clean["class_zt"] == "A").all()
    assert res.table["converged"].all()


def test_dif_input_errors(demo_wide):
    _, wide, info = demo_wide
    with pytest.raises(EstimationError, match="two groups"):
        dif(wide.iloc[:200], np.repeat(["a", "b", "c", "d"], 50))
    with pytest.raises(SchemaError, match="focal"):
        dif(wide.iloc[:200], info[C.LANGUAGE].to_numpy()[:200], focal="fr")
    with pytest.raises(SchemaError, match="group has"):
        dif(wide.iloc[:200], info[C.LANGUAGE].to_numpy()[:10])
    with pytest.raises(CEIError, match="match"):
        dif(wide.iloc[:200], info[C.LANGUAGE].to_numpy()[:200], match="theta")


# --- responsiveness ----------------------------------------------------------------------
def test_responsiveness_matches_lakens_2013():
    paired = responsiveness(R.LAKENS_MOVIE_2, R.LAKENS_MOVIE_1)
    assert paired.srm == pytest.approx(R.LAKENS["d_z"], abs=5e-3)
    t = paired.mean_change / paired.table.set_index("term").loc["mean_change", "std_error"]
    assert t == pytest.approx(R.LAKENS["t_paired"], abs=5e-3)
    ind = responsiveness(R.LAKENS_MOVIE_2, R.LAKENS_MOVIE_1, paired=False)
    assert ind.estimate == pytest.approx(R.LAKENS["d_s"], abs=5e-3)
    assert ind.p_val == pytest.approx(R.LAKENS["p_independent"], abs=5e-4)


def test_srm_interval_inverts_the_noncentral_t():
    from scipy.stats import nct

    res = responsiveness(R.LAKENS_MOVIE_2, R.LAKENS_MOVIE_1, ci=0.90)
    n = res.n
    t = res.srm * np.sqrt(n)
    assert nct.cdf(t, n - 1, res.ci_low * np.sqrt(n)) == pytest.approx(0.95, abs=1e-8)
    assert nct.cdf(t, n - 1, res.ci_high * np.sqrt(n)) == pytest.approx(0.05, abs=1e-8)


def test_srm_interval_covers_at_nominal_rate():
    rng = np.random.default_rng(7)
    true_srm, n, reps = 0.4, 30, 400
    before = rng.normal(size=(reps, n))
    after = before + rng.normal(true_srm, 1.0, size=(reps, n))
    hits = 0
    for b, a in zip(before, after):  # 400 small data sets
        r_ = responsiveness(b, a)
        lo, hi = r_.ci_low, r_.ci_high
        hits += lo <= true_srm <= hi
    assert 0.92 <= hits / reps <= 0.98


def test_responsiveness_errors():
    with pytest.raises(SchemaError, match="length"):
        responsiveness([1, 2, 3], [1, 2])
    with pytest.raises(SchemaError, match="weights"):
        responsiveness([1, 2, 3], [1, 2, 4], weights=[1, 1, 1])


# --- validity ----------------------------------------------------------------------------
def _synthetic_validity(seed=0, slope=-2.0, n_d=30, years=("2021-22", "2022-23", "2023-24")):
    rng = np.random.default_rng(seed)
    rows, outs = [], []
    for d in range(n_d):
        dist = f"{1900000 + d:07d}"
        base = rng.normal()
        for y in years:
            m = base + rng.normal(scale=0.5)
            rows.append({C.DISTRICT_ID: dist, C.YEAR: y, "trust": m})
            outs.append(
                {
                    C.CDS: dist + "0000000",
                    C.LEVEL: "district",
                    C.YEAR: y,
                    C.GROUP: "All students",
                    C.INDICATOR: "chronic_absenteeism",
                    C.VALUE: 20 + slope * m + rng.normal(),
                    C.SUPPRESSED: False,
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(outs)


def test_validity_equals_statsmodels_cluster_ols_and_covers_truth():
    import statsmodels.formula.api as smf

    m, o = _synthetic_validity()
    res = validity(m, o, outcome="chronic_absenteeism")
    d = m.merge(o.assign(**{C.DISTRICT_ID: o[C.CDS].str[:7]}), on=[C.DISTRICT_ID, C.YEAR])
    ref = smf.ols(f"{C.VALUE} ~ trust + {C.YEAR}", d).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d[C.DISTRICT_ID])[0]}
    )
    assert res.estimate == pytest.approx(ref.params["trust"], abs=1e-10)
    assert res.std_error == pytest.approx(ref.bse["trust"], rel=1e-10)
    assert res.ci_low < -2.0 < res.ci_high
    assert res.n_clusters == 30 and "not an effect" in res.caveat


def test_validity_errors():
    m, o = _synthetic_validity()
    with pytest.raises(SchemaError, match="lacks column"):
        validity(m.drop(columns=C.YEAR), o)
    with pytest.raises(EstimationError, match="no district rows"):
        validity(m, o, outcome="graduation")
    with pytest.raises(SchemaError, match="weights"):
        validity(m, o, weights=np.ones(len(m)))


# --- scorecard ---------------------------------------------------------------------------
def test_scorecard_grades_and_thresholds():
    rows = [
        {
            "metric": "good",
            "alpha": 0.85,
            "cfi": 0.97,
            "rmsea": 0.04,
            "srmr": 0.03,
            "delta_cfi": -0.002,
            "dif_class": 0,
            "srm": 0.5,
            "validity_estimate": -0.3,
            "validity_p": 0.01,
            "validity_expected_sign": -1,
            "missing_share": 0.05,
            "min_group_n": 500,
        },
        {
            "metric": "weak",
            "alpha": 0.65,
            "cfi": 0.80,
            "srm": 0.15,
            "validity_estimate": 0.3,
            "validity_p": 0.01,
            "validity_expected_sign": -1,
        },
    ]
    t = scorecard(rows).to_frame().set_index("metric")
    assert t.loc["good", "overall"] == "meets"
    assert t.loc["weak", "reliability"] == "borderline"
    assert t.loc["weak", "fit"] == "fails"
    assert t.loc["weak", "validity"] == "fails"  # wrong sign
    assert t.loc["weak", "invariance"] == "not tested"
    strict = scorecard(rows, thresholds={"alpha": (0.9, 0.8)}).to_frame().set_index("metric")
    assert strict.loc["good", "reliability"] == "borderline"
    assert DEFAULT_THRESHOLDS["alpha"] == (0.70, 0.60)
    with pytest.raises(CEIError, match="unknown threshold"):
        scorecard(rows, thresholds={"beta": (1, 2)})


@pytest.mark.slow
def test_scorecard_from_survey_on_demo(demo):
    res = scorecard_from_survey(demo.survey, "family_engagement", outcomes=demo.outcomes)
    t = res.to_frame().set_index("metric")
    assert list(t.index) == ["trust", "communication", "voice"]
    assert t.loc["communication", "dif"] == "fails"
    assert t.loc["communication", "dif_items"] == demo.truth.dif_item
    assert (t.loc[["trust", "voice"], "dif"] == "meets").all()
    assert (t["reliability"] == "meets").all()
    for s in t.index:
        assert t.loc[s, "alpha"] == pytest.approx(demo.truth.scale_alpha[s], abs=0.01)
    # engagement grows in network districts: scores should rise between the first and last wave
    assert (t["srm"] > 0).all()
    assert "<table" in res._repr_html_()


def test_to_wide_errors(demo):
    s = demo.survey.head(100)
    with pytest.raises(SchemaError, match="twice"):
        to_wide(pd.concat([s, s.head(1)]))
    with pytest.raises(SchemaError, match="lacks"):
        to_wide(s.drop(columns=C.ITEM))
