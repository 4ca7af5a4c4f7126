"""Recovery of the demo world's planted staggered effect (cm.load_demo(seed=2019).truth).

Chronic absenteeism, district level, All students: the planted effect grows with time in
the network and differs by cohort, so att_gt must recover it while TWFE is pulled toward
zero by the comparisons that use already-joined districts as controls.
"""

from __future__ import annotations

import numpy as np
import pytest

from cei_metrics.impact.did.bacon import LATE_V_EARLY, bacon_decomposition
from cei_metrics.impact.did.regression import twfe
from cei_metrics.impact.did.staggered import att_gt
from cei_metrics.schemas import C, district_of

IND = "chronic_absenteeism"


@pytest.fixture(scope="module")
def panel(demo):
    o = demo.outcomes
    o = o[(o[C.LEVEL] == "district") & (o[C.INDICATOR] == IND) & (o[C.GROUP] == "All students")]
    o = o.assign(**{C.DISTRICT_ID: o[C.CDS].map(district_of)})
    p = o.merge(demo.roster[[C.DISTRICT_ID, C.COHORT]], on=C.DISTRICT_ID)
    start = p[C.YEAR].str[:4].astype(int)
    cohort = p[C.COHORT].str[:4].astype(float)
    return p.assign(treat=(cohort.notna() & (start >= cohort)).astype(float))


@pytest.fixture(scope="module")
def res(panel):
    return att_gt(panel, C.VALUE, C.DISTRICT_ID, C.YEAR, C.COHORT, seed=2019, n_boot=999)


def test_att_gt_recovers_planted_simple_att(res, demo):
    truth = demo.truth.att_simple[IND]
    s = res.aggregate("simple")
    assert s.overall["ci_low"] < truth < s.overall["ci_high"]
    assert abs(s.estimate - truth) < 2.5 * s.std_error
    assert s.std_error < 1.0  # precise enough to tell the methods apart


def test_att_gt_recovers_planted_dynamic_effects(res, demo):
    truth = demo.truth.att_dynamic
    truth = truth[truth["indicator"] == IND].set_index("event_time")["effect"]
    es = res.aggregate("dynamic")
    tab = es.table.set_index("event_time")
    common = tab.index.intersection(truth.index)
    assert len(common) >= 10
    lo, hi = tab.loc[common, "band_low"], tab.loc[common, "band_high"]
    assert ((lo <= truth[common]) & (truth[common] <= hi)).all()  # uniform band covers
    z = (tab.loc[common, "estimate"] - truth[common]) / tab.loc[common, "std_error"]
    assert np.sqrt(np.mean(z**2)) < 2.0  # errors are of the size the SEs claim
    assert res.pretrend.p_val > 0.01


def test_att_gt_recovers_cohort_effects(res, demo):
    truth = demo.truth.att_by_cohort
    truth = truth[truth["indicator"] == IND].set_index("cohort")["effect"]
    g = res.aggregate("group").table.set_index("group")
    for cohort, eff in truth.items():
        assert g.loc[cohort, "band_low"] < eff < g.loc[cohort, "band_high"]


def test_twfe_misses_the_heterogeneous_effect_and_bacon_shows_why(panel, res, demo):
    truth = demo.truth.att_simple[IND]
    tw = twfe(panel, C.VALUE, C.DISTRICT_ID, C.YEAR, "treat")
    # TWFE recovers its own (variance-weighted) estimand, not the ATT ...
    assert abs(tw.estimate - demo.truth.twfe_estimand[IND]) < 2 * tw.std_error
    # ... which understates the planted ATT by more than half a percentage point
    assert tw.estimate - truth > 0.5
    att = res.aggregate("simple").estimate
    assert tw.estimate - att > 0.5
    b = bacon_decomposition(panel, C.VALUE, C.DISTRICT_ID, C.YEAR, "treat")
    assert b.twfe == pytest.approx(tw.estimate, abs=1e-10)
    assert b.forbidden_weight > 0.02
    forb = b.by_type.set_index("type").loc[LATE_V_EARLY, "estimate"]
    assert forb > 0  # wrong sign: the forbidden comparisons push TWFE toward zero
