"""effect_size against Lakens (2013) and the noncentral-t interval's defining property."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cei_metrics.errors import EstimationError, OptionError
from cei_metrics.impact.effect_sizes import effect_size

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))
import impact_did_effect_size_lakens2013 as L


def test_independent_matches_lakens_2013():
    r = effect_size(L.MOVIE_1, L.MOVIE_2)
    assert r.t == pytest.approx(L.T_INDEPENDENT, abs=0.005)
    assert r.cohens_d == pytest.approx(L.D_S, abs=0.005)
    assert r.hedges_g == pytest.approx(L.G_S, abs=0.005)
    assert (r.ci_low, r.ci_high) == pytest.approx(L.D_S_CI, abs=0.005)
    with pytest.warns(FutureWarning, match="ci_low and ci_high"):
        assert r.ci == (r.ci_low, r.ci_high)  # the old tuple, deprecated
    assert (r.g_ci_low, r.g_ci_high) == pytest.approx(
        (r.ci_low * r.hedges_g / r.cohens_d, r.ci_high * r.hedges_g / r.cohens_d)
    )


def test_paired_matches_lakens_2013():
    r = effect_size(L.MOVIE_1, L.MOVIE_2, paired=True)
    assert r.t == pytest.approx(L.T_PAIRED, abs=0.005)
    assert r.cohens_d == pytest.approx(L.D_Z, abs=0.005)
    assert np.isnan(r.glass_delta)
    assert list(r.pre_post["sample"]) == ["a", "b", "a - b"]


def test_matches_pingouin_points():
    pg = pytest.importorskip("pingouin")
    r = effect_size(L.MOVIE_1, L.MOVIE_2)
    assert r.cohens_d == pytest.approx(pg.compute_effsize(L.MOVIE_1, L.MOVIE_2), rel=1e-12)
    # pingouin uses the approximate J = 1 - 3/(4N - 9); ours is exact (differs < 0.1%)
    assert r.hedges_g == pytest.approx(
        pg.compute_effsize(L.MOVIE_1, L.MOVIE_2, eftype="hedges"), rel=1e-3
    )


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    na=st.integers(3, 40),
    nb=st.integers(3, 40),
    shift=st.floats(-2, 2),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_nct_interval_inverts_the_t_test(seed, na, nb, shift, level):
    from scipy.stats import nct

    rng = np.random.default_rng(seed)
    a, b = rng.normal(shift, 1, na), rng.normal(0, 1, nb)
    r = effect_size(a, b, ci=level)
    scale = np.sqrt(na * nb / (na + nb))
    # at the limits the observed t sits at the upper/lower (1-level)/2 tail
    assert nct.cdf(r.t, r.df, r.ci_low * scale) == pytest.approx(1 - (1 - level) / 2, abs=1e-8)
    assert nct.cdf(r.t, r.df, r.ci_high * scale) == pytest.approx((1 - level) / 2, abs=1e-8)
    assert r.ci_low < r.cohens_d < r.ci_high
    # swapping the groups flips the sign; a location-scale change of both leaves d
    s = effect_size(b, a, ci=level)
    assert s.cohens_d == pytest.approx(-r.cohens_d, abs=1e-12)
    assert effect_size(3 * a + 7, 3 * b + 7).cohens_d == pytest.approx(r.cohens_d, rel=1e-10)


def test_normal_interval_uses_large_sample_se():
    r = effect_size(L.MOVIE_1, L.MOVIE_2, ci_method="normal")
    se = np.sqrt(20 / 100 + r.cohens_d**2 / 40)
    assert r.std_error == pytest.approx(se, rel=1e-12)
    assert (r.ci_low, r.ci_high) == pytest.approx(
        (r.cohens_d - 1.959964 * se, r.cohens_d + 1.959964 * se), rel=1e-6
    )


def test_missing_values_and_errors():
    a = [*L.MOVIE_1, np.nan]
    r = effect_size(a, L.MOVIE_2)
    assert r.n_dropped == 1 and r.n_a == 10
    rp = effect_size([1, 2, np.nan, 4, 6], [0, 1, 5, 2, np.nan], paired=True)
    assert rp.n_dropped == 2 and rp.n_a == 3
    with pytest.raises(OptionError, match="weights"):
        effect_size(L.MOVIE_1, L.MOVIE_2, weights=np.ones(10))
    with pytest.raises(EstimationError, match="length"):
        effect_size([1, 2, 3], [1, 2], paired=True)
    with pytest.raises(EstimationError, match="constant"):
        effect_size([1, 1, 1], [1, 1, 1])
    assert set(r.to_frame()["term"]) == {"cohens_d", "hedges_g"}
    assert "Hedges" in r.summary()
