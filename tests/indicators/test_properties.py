"""Invariants of the indicators, checked with hypothesis."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cei_metrics.indicators as ind
from cei_metrics.schemas import C

from .conftest import make_survey

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(seed=st.integers(0, 10_000), weighted=st.booleans(), clustered=st.booleans())
def test_scale_score_invariant_to_row_order(seed, weighted, clustered):
    s = make_survey(30, seed=seed % 50, missing=0.1, waves=(1, 2))
    kw = dict(
        by=[C.DISTRICT_ID, C.WAVE],
        weights=C.WEIGHT if weighted else None,
        cluster=C.SCHOOL_ID if clustered else None,
    )
    a = ind.scale_score(s, **kw).to_frame()
    b = ind.scale_score(s.sample(frac=1.0, random_state=seed), **kw).to_frame()
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-10)


@FAST
@given(seed=st.integers(0, 10_000))
def test_percent_favorable_invariant_to_row_order(seed):
    s = make_survey(30, seed=seed % 50, missing=0.2)
    a = ind.percent_favorable(s, scale="trust", by=C.DISTRICT_ID, cluster=C.SCHOOL_ID).to_frame()
    b = ind.percent_favorable(
        s.sample(frac=1.0, random_state=seed), scale="trust", by=C.DISTRICT_ID, cluster=C.SCHOOL_ID
    ).to_frame()
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-10)


@FAST
@given(c=st.integers(1, 5), n=st.integers(2, 30), pomp=st.booleans())
def test_constant_responses_score_that_constant(c, n, pomp):
    items = ["comm_1", "comm_2", "comm_3", "comm_4"]
    s = pd.DataFrame(
        {
            C.RESPONDENT_ID: np.repeat([f"R{i}" for i in range(n)], 4),
            C.WAVE: 1,
            C.DISTRICT_ID: "1000000",
            C.ITEM: items * n,
            # comm_3 is negatively worded: a consistent respondent answers 6 - c
            C.VALUE: [float(c), float(c), float(6 - c), float(c)] * n,
        }
    )
    scores = ind.respondent_scores(s, pomp=pomp)
    comm = scores.loc[scores["scale"] == "communication", "score"]
    expect = 100 * (c - 1) / 4 if pomp else c
    assert np.allclose(comm, expect)
    out = ind.scale_score(
        s, scale="communication", by=C.DISTRICT_ID, pomp=pomp, min_cell=0
    ).to_frame()
    assert out["estimate"].iloc[0] == expect and out["std_error"].iloc[0] == 0


@FAST
@given(n=st.integers(1, 300), k=st.integers(0, 300), n_events=st.integers(1, 4))
def test_proportional_participation_has_index_one(n, k, n_events):
    k = min(k, n)
    if k == 0:
        k = 1
    rows = pd.DataFrame(
        {
            C.EVENT_ID: [f"E{i % n_events}" for i in range(n)],
            C.DATE: pd.Timestamp("2019-10-01"),
            C.EVENT_TYPE: "workshop",
            C.DISTRICT_ID: "1000001",
            C.PARTICIPANT_ID: [f"P{i}" for i in range(n)],
            C.ROLE: "family",
            C.LANGUAGE: "en",
            C.EL_FAMILY: np.arange(n) < k,
        }
    )
    roster = pd.DataFrame({C.DISTRICT_ID: ["1000001"], C.PCT_EL: [100 * k / n]})
    out = ind.representation_index(rows, roster, min_cell=0).to_frame()
    assert np.isclose(out["estimate"].iloc[0], 1.0)
    assert out["ci_low"].iloc[0] <= 1.0 <= out["ci_high"].iloc[0]


@FAST
@given(seed=st.integers(0, 1000), min_cell=st.integers(0, 60))
def test_suppressed_exactly_when_n_below_min_cell(seed, min_cell):
    s = make_survey(60, seed=seed % 30, n_districts=4, missing=0.3)
    for out in (
        ind.scale_score(s, by=[C.DISTRICT_ID, C.EL_FAMILY], min_cell=min_cell),
        ind.percent_favorable(s, item="trust_2", by=[C.DISTRICT_ID, C.LANGUAGE], min_cell=min_cell),
    ):
        assert out.n_suppressed == int(out.table["suppressed"].sum())
        out = out.to_frame()
        assert (out["suppressed"] == (out["n"] < min_cell)).all()


@FAST
@given(
    count=st.integers(0, 500),
    extra=st.integers(0, 500),
    ci=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_wilson_contains_estimate_and_stays_in_unit_interval(count, extra, ci):
    n = count + extra
    if n == 0:
        return
    lo, hi = ind.wilson_ci(count, n, ci=ci)
    assert 0 <= lo <= count / n <= hi <= 1


@FAST
@given(seed=st.integers(0, 1000), scale=st.floats(0.01, 100))
def test_weighted_mean_invariant_to_weight_scale(seed, scale):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=50)
    g = rng.integers(0, 3, 50)
    w = rng.uniform(0.5, 2, 50)
    cl = rng.integers(0, 10, 50)
    a = ind.grouped_mean(y, g, 3, weights=w, cluster=cl)
    b = ind.grouped_mean(y, g, 3, weights=w * scale, cluster=cl)
    for key in ("estimate", "std_error", "ci_low", "ci_high"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-9)
