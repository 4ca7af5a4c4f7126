"""Recovery of the demo world's planted cohort-1 effect by the few-treated-unit estimators.

Chronic absenteeism, district level, All students. The six districts that joined in
2019-20 share one planted effect path (-2.5, -5, -7.5, -10, -10, -10 pp at event times
0..5; 2019-20 unpublished), so every estimator that averages the observed post years with
equal weights targets ``truth.att_by_cohort`` for 2019: -8.5 pp. Synthetic control,
synthetic DiD and a TWFE regression on cohort 1 against the never-network districts (a
single-cohort design, where TWFE is the plain DiD and is unbiased) all target that number.
"""

from __future__ import annotations

import numpy as np
import pytest

from cei_metrics.impact.inference import randomization_inference, wild_cluster_bootstrap
from cei_metrics.impact.panel import outcome_panel
from cei_metrics.impact.synth.control import synthetic_control
from cei_metrics.impact.synth.sdid import synthdid
from cei_metrics.schemas import C

IND = "chronic_absenteeism"
START = 2019


@pytest.fixture(scope="module")
def world(demo):
    panel = outcome_panel(demo.outcomes, demo.roster, IND)
    cohort1 = sorted(panel.loc[panel["cohort_start"] == START, "unit"].unique())
    never = sorted(panel.loc[panel["cohort_start"] == 0, "unit"].unique())
    sub = panel[panel["unit"].isin(cohort1 + never)].copy()
    tr = demo.truth.att_by_cohort
    truth = float(tr.loc[(tr["indicator"] == IND) & (tr["cohort"] == START), "effect"].iloc[0])
    return sub, cohort1, never, truth


def test_truth_is_the_equal_weight_post_mean(demo, world):
    _, _, _, truth = world
    att = demo.truth.att
    post = att[(att["indicator"] == IND) & (att["cohort"] == START) & (att["event_time"] >= 0)]
    assert truth == pytest.approx(post.loc[post["observed"], "effect"].mean(), abs=1e-12)
    assert truth == pytest.approx(-8.5)


def test_synthdid_recovers_cohort1_effect(world):
    sub, cohort1, _, truth = world
    res = synthdid(sub, C.VALUE, "unit", "t", treated_units=cohort1, start=START, seed=2019)
    # the placebo standard error is the method's own statement of its noise
    assert abs(res.estimate - truth) < 2.5 * res.std_error
    assert res.ci_low < truth < res.ci_high
    assert res.std_error < 1.0  # precise enough that the check above has teeth


@pytest.fixture(scope="module")
def sc_fits(world):
    sub, cohort1, never, _ = world
    return {
        u: synthetic_control(
            sub,
            C.VALUE,
            "unit",
            "t",
            treated_units=u,
            start=START,
            donors=never,
            placebos=(u == cohort1[0]),
            seed=1,
        )
        for u in cohort1
    }


def test_synthetic_control_recovers_effect_where_prefit_is_good(world, sc_fits):
    _, cohort1, _, truth = world
    first = sc_fits[cohort1[0]]
    # noise scale: spread of the donors' own post-period mean gaps (their true effect is 0)
    pl = first.placebos
    donor_effect = pl[pl["time"] >= START].groupby("unit")["gap"].mean()
    noise = float(donor_effect.std(ddof=1))
    assert 0.2 < noise < 3.0
    good = [u for u, r in sc_fits.items() if r.pre_rmspe < noise]
    assert len(good) >= 4
    est = np.array([sc_fits[u].effect for u in good])
    # mean over m well-fitted districts; 2.5 noise-SEs of that mean
    assert abs(est.mean() - truth) < 2.5 * noise / np.sqrt(len(good))
    # each district on its own within 3 donor-noise SDs
    assert np.all(np.abs(est - truth) < 3 * noise)


def test_synthetic_control_pre_fit_flags_district_outside_donor_hull(world, sc_fits):
    """One cohort-1 district starts above every never-network district: no convex
    combination of donors can track it, and the pre-period RMSPE says so."""
    sub, cohort1, never, _ = world
    pre = sub[sub["t"] < START].pivot(index="unit", columns="t", values=C.VALUE)
    above = [u for u in cohort1 if (pre.loc[u] > pre.loc[never].max()).all()]
    assert len(above) == 1
    worst = max(sc_fits, key=lambda u: sc_fits[u].pre_rmspe)
    assert worst == above[0]
    others = [r.pre_rmspe for u, r in sc_fits.items() if u != worst]
    assert sc_fits[worst].pre_rmspe > 3 * max(others)


def test_wild_bootstrap_with_six_treated_districts_covers_truth(world):
    sub, _, _, truth = world
    res = wild_cluster_bootstrap(
        sub,
        C.VALUE,
        "treated",
        C.DISTRICT_ID,
        fe=["unit", "t"],
        bootstrap_weights="webb",
        seed=2019,
    )
    assert res.n_clusters == sub[C.DISTRICT_ID].nunique()
    lo, hi = res.ci_low, res.ci_high
    assert lo < truth < hi
    assert abs(res.estimate - truth) < 2.5 * res.std_error
    assert res.p_val < 0.01


def test_randomization_inference_detects_cohort1_effect(world):
    sub, _, _, truth = world
    res = randomization_inference(sub, C.VALUE, "unit", "t", "cohort_start", seed=2019)
    assert abs(res.estimate - truth) < 1.0
    assert res.p_val <= 0.01
