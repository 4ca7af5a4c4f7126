"""Synthetic control (ADH 2010) against pysyncon, the planted truth, and invariants."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cei_metrics.errors import CEIError, EstimationError, SchemaError
from cei_metrics.impact.synth.control import simplex_weights, synthetic_control

REF = Path(__file__).resolve().parents[1] / "reference"
_spec = importlib.util.spec_from_file_location("sc_ref", REF / "impact_sc_pysyncon_prop99.py")
SCREF = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(SCREF)

SPECIAL = [
    ("packs_per_capita", [1975], "mean"),
    ("packs_per_capita", [1980], "mean"),
    ("packs_per_capita", [1988], "mean"),
    ("packs_per_capita", list(range(1970, 1989)), "mean"),
]


@pytest.fixture(scope="module")
def prop99() -> pd.DataFrame:
    return pd.read_csv(REF / "prop99_california.csv")


@pytest.fixture(scope="module")
def fit99(prop99):
    return synthetic_control(
        prop99,
        "packs_per_capita",
        "state",
        "year",
        treated_units="California",
        start=1989,
        special_predictors=SPECIAL,
        n_starts=2,
        seed=1,
    )


def test_nested_fit_no_worse_than_pysyncon(fit99):
    # pre-period MSPE: pysyncon 8.914; ours must not be worse (it is about 2.8)
    assert fit99.loss_v <= SCREF.PYSYNCON_LOSS_V
    assert fit99.pre_rmspe**2 == pytest.approx(fit99.loss_v, rel=1e-9)
    # both give a post-1989 average gap of about -20 packs (ADH 2010 report ~-19 to -26)
    assert fit99.effect == pytest.approx(SCREF.PYSYNCON_AVG_POST_GAP, abs=1.5)
    # weight concentrates on the ADH (2010) Table 2 states
    top = fit99.weights.sort_values(ascending=False).head(4).index
    assert set(top) <= set(SCREF.ADH2010_TABLE2) | {"New Hampshire"}
    assert fit99.weights[list(SCREF.ADH2010_TABLE2)].sum() > 0.9


def test_weights_simplex_and_placebo_pvalue(fit99):
    w = fit99.weights
    assert w.min() >= 0 and w.sum() == pytest.approx(1, abs=1e-12)
    assert fit99.v.min() >= 0 and fit99.v.sum() == pytest.approx(1)
    ratios = fit99.placebos.groupby("unit")["rmspe_ratio"].first()
    assert len(ratios) == 38
    expected = (1 + (ratios >= fit99.rmspe_ratio).sum()) / 39
    assert fit99.p_val == pytest.approx(expected)
    # ADH 2010 (section 3.3): California's ratio is the highest, p = 1/39 = 0.026
    assert fit99.p_val <= 3 / 39
    g = fit99.placebos
    assert set(g.columns) >= {"unit", "time", "gap", "rmspe_ratio"}
    assert len(g) == 38 * 31


def test_inner_qp_matches_pysyncon_slsqp_for_fixed_v(prop99):
    pysyncon = pytest.importorskip("pysyncon")
    from pysyncon import Dataprep, Synth

    controls = sorted(set(prop99.state) - {"California"})
    dp = Dataprep(
        foo=prop99,
        predictors=[],
        predictors_op="mean",
        time_predictors_prior=range(1970, 1989),
        special_predictors=[(c, list(p), o) for c, p, o in SPECIAL],
        dependent="packs_per_capita",
        unit_variable="state",
        time_variable="year",
        treatment_identifier="California",
        controls_identifier=controls,
        time_optimize_ssr=range(1970, 1989),
    )
    X0, X1 = dp.make_covariate_mats()
    X = pd.concat([X0, X1], axis=1)
    Xs = X.divide(X.std(axis=1), axis=0)
    v = np.array([0.4, 0.3, 0.2, 0.1])
    w_ref, _ = Synth.w_optimize(np.diag(v), Xs[controls].to_numpy(), Xs["California"].to_numpy())
    w = simplex_weights(Xs[controls].to_numpy(), Xs["California"].to_numpy(), v)

    def obj(x):
        r = Xs["California"].to_numpy() - Xs[controls].to_numpy() @ x
        return r @ (v * r)

    assert obj(w) <= obj(w_ref) + 1e-8
    assert pysyncon is not None


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000), k=st.integers(2, 8), j=st.integers(3, 25))
def test_simplex_weights_equal_slsqp_optimum(seed, k, j):
    from scipy.optimize import minimize

    rng = np.random.default_rng(seed)
    X0 = rng.normal(size=(k, j))
    x1 = rng.normal(size=k) * 2
    v = rng.dirichlet(np.ones(k))
    w = simplex_weights(X0, x1, v)
    assert w.min() >= 0 and w.sum() == pytest.approx(1, abs=1e-12)

    def f(x):
        r = x1 - X0 @ x
        return r @ (v * r)

    res = minimize(
        f,
        np.full(j, 1 / j),
        method="SLSQP",
        bounds=[(0, 1)] * j,
        constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1}],
        options={"ftol": 1e-12, "maxiter": 1000},
    )
    assert f(w) <= res.fun + 1e-6


def _factor_panel(seed=0, n=30, t=20, t0=14, effect=-5.0):
    rng = np.random.default_rng(seed)
    load = rng.uniform(0.5, 1.5, n)
    f = np.cumsum(rng.normal(0, 1, t)) + 20
    y = load[:, None] * f[None, :] + rng.normal(0, 0.3, (n, t))
    # make unit 0 (treated) a convex combination of donors 1..3 plus noise
    y[0] = 0.5 * y[1] + 0.3 * y[2] + 0.2 * y[3] + rng.normal(0, 0.3, t)
    y[0, t0:] += effect
    units = [f"d{i:02d}" for i in range(n)]
    return pd.DataFrame(
        {"unit": np.repeat(units, t), "time": np.tile(np.arange(2000, 2000 + t), n), "y": y.ravel()}
    )


def test_recovers_planted_effect_on_a_factor_model():
    df = _factor_panel(effect=-5.0)
    res = synthetic_control(df, "y", "unit", "time", treated_units="d00", start=2014)
    post = res.gap.loc[2014:]
    # noise SD 0.3 per period on treated and about 0.3 on the synthetic: mean of 6 gaps
    assert post.mean() == pytest.approx(-5.0, abs=0.6)
    assert res.p_val == pytest.approx(1 / 30)
    assert res.pre_rmspe < 1.0


def test_no_effect_gives_large_pvalue():
    df = _factor_panel(effect=0.0, seed=4)
    res = synthetic_control(df, "y", "unit", "time", treated_units="d00", start=2014)
    assert res.p_val > 0.1
    fr = res.to_frame()
    assert list(fr.columns) == [
        "term", "estimate", "ci_low", "ci_high", "p_val", "n", "time", "treated", "synthetic",
        "post",
    ]  # fmt: skip
    assert fr["term"].iloc[-1] == "average_post_gap" and len(fr) == 21
    assert "Synthetic control" in res.summary()
    assert len(res.plot_data("gaps")) == 30 * 20


def test_predictors_and_errors(prop99):
    with pytest.raises(SchemaError, match="lnincome"):
        synthetic_control(
            prop99,
            "packs_per_capita",
            "state",
            "year",
            treated_units="California",
            start=1989,
            predictors=["lnincome"],
        )
    with pytest.raises(EstimationError, match="one treated"):
        synthetic_control(
            prop99,
            "packs_per_capita",
            "state",
            "year",
            treated_units=["California", "Utah"],
            start=1989,
        )
    with pytest.raises(CEIError):
        synthetic_control(
            prop99,
            "packs_per_capita",
            "state",
            "year",
            treated_units="California",
            start=1989,
            optim="x",
        )
    res = synthetic_control(
        prop99,
        "packs_per_capita",
        "state",
        "year",
        treated_units="California",
        start=1989,
        donors=["Utah", "Nevada", "Montana", "Colorado", "Connecticut"],
        placebos=False,
    )
    assert list(res.weights.index) == ["Utah", "Nevada", "Montana", "Colorado", "Connecticut"]
    assert np.isnan(res.p_val)


def test_old_call_order_and_names_warn_and_agree():
    df = _factor_panel(effect=1.0, seed=2)
    new = synthetic_control(df, "y", "unit", "time", treated_units="d00", start=2014, seed=1)
    col = synthetic_control(
        df.assign(tr=(df["unit"] == "d00").astype(int)), "y", "unit", "time", "tr", 2014, seed=1
    )
    with pytest.warns(FutureWarning, match="treated_units"):
        old = synthetic_control(df, "unit", "time", "y", "d00", 2014, seed=1)
    for other in (old, col):
        pd.testing.assert_series_equal(other.gap, new.gap)
        assert other.p_val == new.p_val
    with pytest.warns(FutureWarning, match="p_val"):
        assert old.p_value == new.p_val


def test_confidence_set_inverts_the_placebo_test():
    # Firpo & Possebom (2018): tau is in the set iff, with tau taken off the treated
    # unit's post outcomes, the placebo p-value exceeds 1 - ci; checked by refitting
    df = _factor_panel(effect=-3.0, seed=5)
    res = synthetic_control(df, "y", "unit", "time", treated_units="d00", start=2014, ci=0.9)
    lo, hi = res.ci_low, res.ci_high
    assert lo < res.estimate < hi
    post = (df["unit"] == "d00") & (df["time"] >= 2014)
    for tau, inside in [
        (lo + 0.01, True),
        (lo - 0.01, False),
        (hi - 0.01, True),
        (hi + 0.01, False),
    ]:
        shifted = df.assign(y=df["y"] - tau * post)
        r = synthetic_control(shifted, "y", "unit", "time", treated_units="d00", start=2014)
        assert (r.p_val > 0.1) == inside, (tau, r.p_val)
    row = res.to_frame().iloc[-1]
    assert row["term"] == "average_post_gap" and row["ci_low"] == lo
    wide = synthetic_control(df, "y", "unit", "time", treated_units="d00", start=2014, ci=0.99)
    assert np.isinf(wide.ci_low) and np.isinf(wide.ci_high)  # 1 - ci below 1/(J+1)
