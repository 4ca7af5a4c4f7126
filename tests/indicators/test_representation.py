"""Representation index intervals: Wilson (default) and the log-scale delta method."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cei_metrics.indicators as ind
from cei_metrics.errors import EstimationError, SchemaError
from cei_metrics.schemas import C


def participants(counts: dict[str, tuple[int, int]], year_date: str = "2019-10-01"):
    """A participation table: per district, (group members, participants), one row each."""
    rows = []
    for d, (x, n) in counts.items():
        for i in range(n):
            rows.append((f"E{d}", year_date, "workshop", d, f"{d}-P{i}", "family", i < x))
    df = pd.DataFrame(
        rows,
        columns=[
            C.EVENT_ID,
            C.DATE,
            C.EVENT_TYPE,
            C.DISTRICT_ID,
            C.PARTICIPANT_ID,
            C.ROLE,
            C.EL_FAMILY,
        ],
    )
    df[C.DATE] = pd.to_datetime(df[C.DATE])
    return df


def simulated(n_cells: int, n: int, share: float, index: float, seed: int):
    """n_cells districts, n participants each; a participant is an EL family with
    probability index * share: the true representation index is ``index``."""
    rng = np.random.default_rng(seed)
    members = rng.binomial(n, index * share, n_cells)
    dist = np.repeat(np.arange(n_cells), n)
    member = np.arange(n_cells * n) % n < np.repeat(members, n)
    df = pd.DataFrame(
        {
            C.EVENT_ID: dist,
            C.DATE: pd.Timestamp("2019-10-01"),
            C.EVENT_TYPE: "workshop",
            C.DISTRICT_ID: pd.Categorical.from_codes(
                dist, [f"{1000000 + d}" for d in range(n_cells)]
            ),
            C.PARTICIPANT_ID: np.arange(n_cells * n),
            C.ROLE: "family",
            C.EL_FAMILY: member,
        }
    )
    return df, [f"{1000000 + d}" for d in range(n_cells)]


def test_delta_interval_matches_katz_fagerland_2015_table5(ref):
    """Enrollment share from a sample of 34 families with 1 member; 7 of 34 participants:
    the representation index is the ratio of two binomial proportions, and the delta
    interval is Katz's log interval."""
    x1, n1, x2, n2, est, lo, hi = ref.KATZ_PERONDI_2004
    res = ind.representation_index(
        participants({"1000001": (x1, n1)}),
        enrollment_share=x2 / n2,
        enrollment_n=n2,
        ci_method="delta",
        by=C.DISTRICT_ID,
        min_cell=0,
    )
    row = res.to_frame().iloc[0]
    assert row["estimate"] == pytest.approx(est, rel=1e-12)
    # the reference prints 7 significant digits: agreement to half a unit in the last
    assert row["ci_low"] == pytest.approx(lo, abs=5e-8)
    assert row["ci_high"] == pytest.approx(hi, abs=5e-6)
    assert res.details["ci_method"] == "delta" and "delta method" in res.method


@pytest.mark.parametrize("seed", range(5))
def test_delta_interval_equals_statsmodels_riskratio(seed):
    from statsmodels.stats.contingency_tables import Table2x2

    rng = np.random.default_rng(seed)
    n1, n2 = rng.integers(20, 300, 2)
    x1, x2 = rng.integers(1, n1), rng.integers(1, n2)
    se, lo, hi, fb = ind.ratio_interval(
        np.array([x1]), np.array([n1]), np.array([x2 / n2]), share_n=np.array([n2]), ci=0.9
    )
    tab = Table2x2(np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float))
    slo, shi = tab.riskratio_confint(alpha=0.1)
    assert not fb[0]
    assert lo[0] == pytest.approx(slo, rel=1e-12)
    assert hi[0] == pytest.approx(shi, rel=1e-12)
    assert se[0] == pytest.approx(tab.riskratio * tab.log_riskratio_se, rel=1e-12)


def test_census_share_has_no_enrollment_variance():
    from scipy.stats import norm

    res = ind.representation_index(
        participants({"1000001": (12, 40)}),
        enrollment_share=0.25,
        ci_method="delta",
        by=C.DISTRICT_ID,
        min_cell=0,
    ).to_frame()
    p, z = 12 / 40, norm.ppf(0.975)
    se_log = np.sqrt((1 - p) / (40 * p))
    assert res["estimate"].iloc[0] == pytest.approx(p / 0.25)
    assert res["ci_low"].iloc[0] == pytest.approx(p / 0.25 * np.exp(-z * se_log), rel=1e-12)
    assert res["ci_high"].iloc[0] == pytest.approx(p / 0.25 * np.exp(z * se_log), rel=1e-12)
    assert res["std_error"].iloc[0] == pytest.approx(p / 0.25 * se_log, rel=1e-12)


def test_wilson_remains_the_default_and_is_unchanged():
    res = ind.representation_index(
        participants({"1000001": (12, 40)}), enrollment_share=0.25, by=C.DISTRICT_ID, min_cell=0
    )
    lo, hi = ind.wilson_ci(12, 40)
    row = res.to_frame().iloc[0]
    assert res.details["ci_method"] == "wilson"
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo / 0.25, hi / 0.25), rel=1e-12)


def test_delta_falls_back_to_wilson_where_the_log_is_undefined():
    df = participants({"1000001": (0, 30), "1000002": (25, 25), "1000003": (5, 30)})
    res = ind.representation_index(
        df, enrollment_share=0.2, ci_method="delta", by=C.DISTRICT_ID, min_cell=0
    )
    out = res.to_frame().set_index(C.DISTRICT_ID)
    lo, hi = ind.wilson_ci(np.array([0, 25]), np.array([30, 25]))
    assert out.loc["1000001", "ci_low"] == 0 and out.loc["1000001", "ci_high"] == pytest.approx(
        hi[0] / 0.2
    )
    assert out.loc["1000002", "ci_low"] == pytest.approx(lo[1] / 0.2)
    assert res.details["n_wilson_fallback"] == 2
    assert out.loc["1000003", "ci_low"] < 5 / 30 / 0.2 < out.loc["1000003", "ci_high"]


def test_enrollment_n_needs_the_delta_method_and_positive_sizes():
    df = participants({"1000001": (5, 30)})
    with pytest.raises(SchemaError, match="delta"):
        ind.representation_index(df, enrollment_share=0.2, enrollment_n=100, by=C.DISTRICT_ID)
    with pytest.raises(SchemaError, match="ci_method"):
        ind.representation_index(df, enrollment_share=0.2, ci_method="exact", by=C.DISTRICT_ID)
    with pytest.raises(EstimationError, match="enrollment_n"):
        ind.representation_index(
            df,
            enrollment_share=0.2,
            enrollment_n={"1000001": 0},
            ci_method="delta",
            by=C.DISTRICT_ID,
        )


# Coverage with a known index: 2,000 cells per setting. The binomial sd of an observed
# coverage of 0.95 is sqrt(.95 * .05 / 2000) = 0.0049, so [0.935, 0.965] is +-3 sd.
@pytest.mark.parametrize("n, share, index", [(150, 0.3, 0.7), (400, 0.1, 1.0)])
def test_delta_interval_covers_a_known_index_census_share(n, share, index):
    df, _ = simulated(2000, n, share, index, seed=11)
    out = ind.representation_index(
        df, enrollment_share=share, ci_method="delta", by=C.DISTRICT_ID, min_cell=0
    ).to_frame()
    covered = (out["ci_low"] <= index) & (index <= out["ci_high"])
    assert len(out) == 2000
    assert 0.935 <= covered.mean() <= 0.965


def test_delta_interval_carries_a_sampled_enrollment_share():
    """Shares estimated from 100 sampled families per district: the delta interval with
    enrollment_n keeps nominal coverage; Wilson over a share taken as fixed does not."""
    n_cells, n, m, share, index = 2000, 200, 100, 0.3, 0.7
    df, districts = simulated(n_cells, n, share, index, seed=12)
    rng = np.random.default_rng(13)
    est_share = pd.Series(rng.binomial(m, share, n_cells) / m, index=districts)
    delta = ind.representation_index(
        df,
        enrollment_share=est_share,
        enrollment_n=m,
        ci_method="delta",
        by=C.DISTRICT_ID,
        min_cell=0,
    ).to_frame()
    wilson = ind.representation_index(
        df, enrollment_share=est_share, by=C.DISTRICT_ID, min_cell=0
    ).to_frame()
    cover_d = ((delta["ci_low"] <= index) & (index <= delta["ci_high"])).mean()
    cover_w = ((wilson["ci_low"] <= index) & (index <= wilson["ci_high"])).mean()
    assert 0.935 <= cover_d <= 0.965
    # about 0.81 in 200,000 simulated cells; far below nominal
    assert cover_w < 0.86


@settings(max_examples=40, deadline=None)
@given(
    x=st.integers(1, 60),
    extra=st.integers(1, 200),
    share=st.floats(0.02, 1.0),
    m=st.integers(5, 5000),
)
def test_delta_interval_contains_the_estimate_and_widens_with_a_sampled_share(x, extra, share, m):
    n = x + extra
    ri = (x / n) / share
    _, lo, hi, _ = ind.ratio_interval(np.array([x]), np.array([n]), np.array([share]))
    _, lo_m, hi_m, _ = ind.ratio_interval(
        np.array([x]), np.array([n]), np.array([share]), share_n=np.array([m])
    )
    assert 0 < lo[0] <= ri <= hi[0]
    assert lo_m[0] <= lo[0] and hi[0] <= hi_m[0]
    # log-symmetric: the estimate is the geometric mean of the limits
    assert np.sqrt(lo[0] * hi[0]) == pytest.approx(ri, rel=1e-9)
