"""Synthetic DiD against R synthdid / Arkhangelsky et al. (2021) on Proposition 99."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cei_metrics.errors import CEIError, EstimationError, SchemaError
from cei_metrics.impact.synth.sdid import synthdid

REF = Path(__file__).resolve().parents[1] / "reference"
_spec = importlib.util.spec_from_file_location("prop99_reference", REF / "prop99_reference.py")
P99 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(P99)


@pytest.fixture(scope="module")
def prop99() -> pd.DataFrame:
    return pd.read_csv(REF / "prop99_california.csv")


def _fit(df, **kw):
    return synthdid(
        df, "packs_per_capita", "state", "year", treated_units="California", start=1989, **kw
    )


@pytest.mark.parametrize(
    ("method", "ref"),
    [("sdid", P99.R_SDID_ESTIMATE), ("sc", P99.R_SC_ESTIMATE), ("did", P99.R_DID_ESTIMATE)],
)
def test_point_estimates_match_r_synthdid(prop99, method, ref):
    res = _fit(prop99, method=method, se="none")
    assert res.estimate == pytest.approx(ref, abs=1e-4)
    assert res.estimate == pytest.approx(P99.PAPER_TABLE1[method][0], abs=0.05)


def test_weights_match_r_synthdid(prop99):
    res = _fit(prop99, se="none")
    w = res.unit_weights
    for state, ref in P99.R_SDID_UNIT_WEIGHTS.items():
        assert w[state] == pytest.approx(ref, abs=5.1e-4), state
    assert 1 / np.sum(w**2) == pytest.approx(P99.R_SDID_N0_EFFECTIVE, abs=1e-3)
    lam = res.time_weights
    for year, ref in P99.R_SDID_TIME_WEIGHTS.items():
        assert lam[year] == pytest.approx(ref, abs=5.1e-4)
    assert lam.drop(list(P99.R_SDID_TIME_WEIGHTS)).abs().max() < 1e-12
    assert 1 / np.sum(lam**2) == pytest.approx(P99.R_SDID_T0_EFFECTIVE, abs=1e-3)
    # the effect curve averages to the estimate
    assert res.effect_curve.mean() == pytest.approx(res.estimate, abs=1e-9)


@pytest.mark.parametrize("method", ["sdid", "sc", "did"])
def test_placebo_se_matches_paper_table1(prop99, method):
    # Both sides are 200 random placebo draws: Monte-Carlo relative SD of each SE is about
    # 1/sqrt(2*200) = 5%, so their difference has SD about 7%; allow 3 SDs.
    res = _fit(prop99, method=method, se="placebo", n_reps=200, seed=2019)
    _, ref_se = P99.PAPER_TABLE1[method]
    assert res.std_error == pytest.approx(ref_se, rel=0.21)
    lo, hi = res.ci_low, res.ci_high
    assert lo == pytest.approx(res.estimate - 1.959963985 * res.std_error, abs=1e-6)
    assert hi == pytest.approx(res.estimate + 1.959963985 * res.std_error, abs=1e-6)
    if method == "sdid":
        r_se = (P99.R_SDID_PLACEBO_CI[1] - P99.R_SDID_PLACEBO_CI[0]) / (2 * 1.96)
        assert res.std_error == pytest.approx(r_se, rel=0.21)


def test_placebo_se_is_reproducible_and_seeded(prop99):
    a = _fit(prop99, method="did", n_reps=50, seed=7)
    b = _fit(prop99, method="did", n_reps=50, seed=7)
    c = _fit(prop99, method="did", n_reps=50, seed=8)
    assert a.std_error == b.std_error
    assert a.std_error != c.std_error
    assert a.seed == 7


def _block_panel(rng, n0=20, n1=4, t0=10, t1=5, tau=2.0):
    unit_fe = rng.normal(0, 2, n0 + n1)
    time_fe = np.cumsum(rng.normal(0, 1, t0 + t1))
    y = unit_fe[:, None] + time_fe[None, :] + rng.normal(0, 0.5, (n0 + n1, t0 + t1))
    y[n0:, t0:] += tau
    units = [f"u{i:02d}" for i in range(n0 + n1)]
    df = pd.DataFrame(
        {
            "unit": np.repeat(units, t0 + t1),
            "time": np.tile(np.arange(t0 + t1), n0 + n1),
            "y": y.ravel(),
        }
    )
    return df, units[n0:]


def test_jackknife_equals_brute_force_leave_one_out():
    rng = np.random.default_rng(3)
    df, tr = _block_panel(rng)
    res = synthdid(df, "y", "unit", "time", treated_units=tr, start=10, se="jackknife")
    # brute force: drop each unit, keep lambda, renormalise omega, recompute
    wide = df.pivot(index="unit", columns="time", values="y")
    om = res.unit_weights
    lam = res.time_weights.to_numpy()
    wt = np.concatenate([-lam, np.full(5, 1 / 5)])
    u = []
    for drop in wide.index:
        keep_c = [c for c in om.index if c != drop]
        w = om[keep_c] / om[keep_c].sum()
        keep_t = [t for t in tr if t != drop]
        r = wide @ wt
        u.append(r[keep_t].mean() - (w * r[keep_c]).sum())
    u = np.array(u)
    n = len(u)
    se = np.sqrt((n - 1) / n * (n - 1) * np.var(u, ddof=1))
    assert res.std_error == pytest.approx(se, rel=1e-10)


def test_bootstrap_runs_with_several_treated_and_covers_truth():
    rng = np.random.default_rng(11)
    df, tr = _block_panel(rng, n0=12, n1=3, t0=8, t1=4, tau=2.0)
    res = synthdid(
        df, "y", "unit", "time", treated_units=tr, start=8, se="bootstrap", n_reps=30, seed=1
    )
    assert res.std_error > 0
    assert res.ci_low < 2.0 < res.ci_high
    assert res.estimate == pytest.approx(2.0, abs=4 * res.std_error)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-50, 50), scale=st.floats(0.5, 5))
def test_weights_on_simplex_and_affine_equivariance(seed, shift, scale):
    rng = np.random.default_rng(seed)
    df, tr = _block_panel(rng, n0=8, n1=1, t0=6, t1=3)
    a = synthdid(df, "y", "unit", "time", treated_units=tr, start=6, se="none")
    assert a.unit_weights.min() >= 0 and a.unit_weights.sum() == pytest.approx(1)
    assert a.time_weights.min() >= 0 and a.time_weights.sum() == pytest.approx(1)
    df2 = df.assign(y=df["y"] * scale + shift)
    b = synthdid(df2, "y", "unit", "time", treated_units=tr, start=6, se="none")
    assert b.estimate == pytest.approx(a.estimate * scale, rel=1e-6, abs=1e-6)


def test_result_frame_and_summary(prop99):
    res = _fit(prop99, se="placebo", n_reps=20, seed=1)
    fr = res.to_frame()
    assert list(fr.columns) == ["term", "estimate", "std_error", "ci_low", "ci_high", "p_val", "n"]
    assert fr.loc[0, "n"] == 39
    assert "Synthetic DiD" in res.summary()
    assert "<table" in res._repr_html_()
    pdata = res.plot_data()
    assert list(pdata.columns) == ["time", "treated", "synthetic"]
    assert len(pdata) == 31


def test_bad_input_raises_cei_errors(prop99):
    with pytest.raises(SchemaError, match="packs"):
        synthdid(prop99, "packs", "state", "year", treated_units="California", start=1989)
    with pytest.raises(EstimationError, match="Atlantis"):
        synthdid(prop99, "packs_per_capita", "state", "year", treated_units="Atlantis", start=1989)
    with pytest.raises(EstimationError, match="start"):
        synthdid(
            prop99, "packs_per_capita", "state", "year", treated_units="California", start=2050
        )
    gap = prop99.drop(index=5)
    with pytest.raises(EstimationError, match="unbalanced"):
        synthdid(gap, "packs_per_capita", "state", "year", treated_units="California", start=1989)
    with pytest.raises(CEIError):
        synthdid(
            prop99,
            "packs_per_capita",
            "state",
            "year",
            treated_units="California",
            start=1989,
            se="jackknife",
        )
    with pytest.raises(CEIError):
        synthdid(
            prop99,
            "packs_per_capita",
            "state",
            "year",
            treated_units="California",
            start=1989,
            method="x",
        )


def test_old_call_order_warns_and_agrees(prop99):
    new = synthdid(
        prop99,
        "packs_per_capita",
        "state",
        "year",
        treated_units="California",
        start=1989,
        se="none",
    )
    with pytest.warns(FutureWarning, match="treated_units"):
        old = synthdid(prop99, "state", "year", "packs_per_capita", "California", 1989, se="none")
    assert old.estimate == new.estimate
    with pytest.warns(FutureWarning, match="ci_low and ci_high"):
        assert old.ci == (old.ci_low, old.ci_high)
