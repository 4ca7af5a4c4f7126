"""Cluster-design power against Bloom (1995) and statsmodels."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cei_metrics.errors import EstimationError
from cei_metrics.impact.inference.power_analysis import minimum_detectable_effect, power

_p = Path(__file__).resolve().parents[1] / "reference" / "impact_mixed_power_multiple.py"
_spec = importlib.util.spec_from_file_location("ref_pm", _p)
REF = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(REF)


def test_bloom_multiplier_large_df():
    # icc 0, one person per cluster: SE = 2/sqrt(J) with P = .5, so MDES / SE = multiplier
    j = 100_000
    mdes = minimum_detectable_effect(j, 1, 0.0)
    assert mdes / (2 / j**0.5) == pytest.approx(REF.BLOOM1995_MULTIPLIER_LARGE_DF, abs=5e-3)


def test_bloom_formula_by_hand():
    from scipy import stats

    j, n, rho, p = 40, 60, 0.2, 0.5
    m = stats.t.ppf(0.975, 38) + stats.t.ppf(0.8, 38)
    se = ((rho / (p * (1 - p) * j)) + (1 - rho) / (p * (1 - p) * j * n)) ** 0.5
    assert minimum_detectable_effect(j, n, rho) == pytest.approx(m * se, rel=1e-12)


def test_power_matches_statsmodels_two_sample_t_when_icc_zero():
    from statsmodels.stats.power import TTestIndPower

    # 400 clusters of one: a two-sample t-test with 200 per arm (df 398 both ways)
    ours = power(0.3, 400, 1, 0.0)
    ref = TTestIndPower().power(0.3, nobs1=200, alpha=0.05)
    assert ours == pytest.approx(ref, abs=1e-10)


@given(
    j=st.integers(8, 200),
    n=st.integers(5, 2000),
    rho=st.floats(0.0, 0.5),
    share=st.floats(0.1, 0.9),
)
def test_power_at_mdes_is_about_target(j, n, rho, share):
    m = minimum_detectable_effect(j, n, rho, treated_share=share)
    assert power(m, j, n, rho, treated_share=share) == pytest.approx(0.8, abs=0.02)
    # more clusters never hurts
    assert minimum_detectable_effect(j + 10, n, rho, treated_share=share) < m


def test_six_of_eighty_districts_and_errors():
    m = minimum_detectable_effect(80, 500, 0.05, treated_share=6 / 80)
    assert 0.25 < m < 0.30
    assert minimum_detectable_effect(80, 500, 0.05, treated_share=6 / 80, r2=0.5) < m
    with pytest.raises(EstimationError):
        minimum_detectable_effect(2, 10, 0.1)
    with pytest.raises(EstimationError):
        power(0.2, 20, 10, 1.5)
    with pytest.raises(EstimationError):
        minimum_detectable_effect(20, 10, 0.1, treated_share=1.0)
