"""Convening feedback per convening and over the series.

Reference values: Newcombe (1998) Stat Med 17:873-890, Table II, method 10 (the hybrid
score interval of a difference of proportions), and statsmodels'
``confint_proportions_2indep(method="newcomb")``. Planted truth: the demo world's
convening feedback (cm.datasets.voices).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

import cei_metrics as cm
from cei_metrics.errors import EstimationError, SchemaError
from cei_metrics.indicators import convening_feedback, newcombe_interval, proportion_difference
from cei_metrics.schemas import C

# Newcombe (1998) Table II, method 10: (x1, n1, x2, n2) -> interval of p1 - p2 (examples
# a, b, e, f, g, h; c and d are checked against statsmodels below)
NEWCOMBE_1998 = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_1998)
def test_difference_matches_newcombe_1998_and_statsmodels(counts, published):
    x1, n1, x2, n2 = counts
    # our difference is p2 - p1 (last minus first): pass Newcombe's p1 as the second
    r = proportion_difference(x2, n2, x1, n1)
    assert r.estimate == pytest.approx(x1 / n1 - x2 / n2)
    assert (r.ci_low, r.ci_high) == pytest.approx(published, abs=5e-5)
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi), abs=1e-10)
    assert "Newcombe" in r.summary() and r.to_frame()["term"].iat[0] == "p2 - p1"


@pytest.mark.parametrize("counts", [(6, 7, 2, 7), (5, 56, 0, 29), (1, 3, 29, 30)])
def test_difference_matches_statsmodels(counts):
    x1, n1, x2, n2 = counts
    r = proportion_difference(x2, n2, x1, n1)
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi), abs=1e-10)


def test_difference_other_levels_and_errors():
    r = proportion_difference(30, 60, 45, 60, ci=0.9)
    lo, hi = confint_proportions_2indep(45, 60, 30, 60, method="newcomb", alpha=0.1)
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi), abs=1e-10)
    with pytest.raises(SchemaError, match="no proportion"):
        proportion_difference(5, 4, 1, 2)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 200).flatmap(lambda n1: st.tuples(st.integers(0, n1), st.just(n1))),
    st.integers(1, 200).flatmap(lambda n2: st.tuples(st.integers(0, n2), st.just(n2))),
)
def test_interval_holds_the_difference_within_bounds(a, b):
    """Property: the interval holds the estimate, stays in [-1, 1], and swapping the two
    proportions mirrors it."""
    (x1, n1), (x2, n2) = a, b
    r = proportion_difference(x1, n1, x2, n2)
    s = proportion_difference(x2, n2, x1, n1)
    assert -1 - 1e-12 <= r.ci_low <= r.estimate <= r.ci_high <= 1 + 1e-12
    assert (s.ci_low, s.ci_high) == pytest.approx((-r.ci_high, -r.ci_low), abs=1e-12)


def test_newcombe_from_limits_equals_the_two_wilson_intervals():
    lo1, hi1 = proportion_confint(20, 50, method="wilson")
    lo2, hi2 = proportion_confint(35, 50, method="wilson")
    d, lo, hi = newcombe_interval(0.4, lo1, hi1, 0.7, lo2, hi2)
    ref = confint_proportions_2indep(35, 50, 20, 50, method="newcomb")
    assert (float(lo), float(hi)) == pytest.approx(ref, abs=1e-12) and d == pytest.approx(0.3)


@pytest.fixture(scope="module")
def fb(demo):
    return convening_feedback(demo.feedback, attendance=demo.participation)


def test_demo_feedback_recovers_the_planted_series(demo, fb):
    truth = demo.truth.convening_feedback
    per = fb.per_event.merge(truth, on=[C.WAVE, C.EVENT_ID, "scale"])
    assert len(per) == len(truth) == 16
    covered = (per["ci_low"] <= per["p_favorable"]) & (per["p_favorable"] <= per["ci_high"])
    # 95% intervals: missing 4 or more of 16 would happen with probability < 1%
    assert covered.sum() >= 13
    for scale, p in truth.groupby("scale"):
        s = fb.series.set_index("scale").loc[scale]
        mean_p = np.average(p["p_favorable"], weights=p["responses"])
        assert s["ci_low"] <= mean_p <= s["ci_high"], scale
        ch = fb.change.set_index("scale").loc[scale]
        planted = p["p_favorable"].iat[-1] - p["p_favorable"].iat[0]
        assert ch["ci_low"] <= planted <= ch["ci_high"], scale
    use = fb.change.set_index("scale").loc["usefulness"]
    assert use["ci_low"] > 0  # the planted rise is found
    rr = fb.response
    assert len(rr) == 8 and (rr["ci_low"] < demo.truth.feedback_response_rate).sum() >= 7
    assert (rr["ci_high"] > demo.truth.feedback_response_rate).sum() >= 7


def test_per_convening_matches_percent_favorable_and_the_protocol(demo, fb):
    one = cm.indicators.percent_favorable(
        demo.feedback, "convening_feedback", scale="usefulness", by=[C.EVENT_ID]
    ).table.set_index(C.EVENT_ID)
    mine = fb.per_event[fb.per_event["scale"] == "usefulness"].set_index(C.EVENT_ID)
    np.testing.assert_allclose(mine["estimate"], one.loc[mine.index, "estimate"])
    np.testing.assert_allclose(mine["ci_low"], one.loc[mine.index, "ci_low"])
    f = fb.to_frame()
    assert set(f["part"]) == {"convening", "series", "change", "response_rate"}
    assert f["term"].is_unique
    assert "over the series" in fb.summary()


def test_by_groups_flag_small_cells_and_errors(demo):
    res = convening_feedback(demo.feedback, by=C.ROLE, min_cell=11)
    small = res.per_event[res.per_event["n"] < 11]
    assert len(small) and small["suppressed"].all()
    assert set(res.series[C.ROLE]) == set(demo.feedback[C.ROLE])
    with pytest.raises(SchemaError):
        convening_feedback(demo.feedback.drop(columns=C.EVENT_ID))
    empty = demo.feedback.assign(**{C.VALUE: np.nan})
    with pytest.raises(EstimationError, match="no answered item"):
        convening_feedback(empty)
    # sign-ins that do not cover a convening: said, not guessed
    part = demo.participation
    cut = part[part[C.DATE] != pd.Timestamp("2019-08-29")]
    res = convening_feedback(demo.feedback, attendance=cut)
    assert len(res.response) == 7 and "without sign-ins" in " ".join(res.notes)


def test_figure_draws_released_data(fb, tmp_path):
    fig, _ = fb.plot()
    data = cm.viz.feedback_trend_data(fb)
    assert set(data["part"]) == {"convening", "series"} and len(data) == 16 + 2
    saved = cm.viz.save(fig, "fb", caption="c", alt_text="a", data=data, out_dir=tmp_path,
                        synthetic=True)  # fmt: skip
    assert saved.paths["png"].exists() and cm.privacy.audit(tmp_path).ok
