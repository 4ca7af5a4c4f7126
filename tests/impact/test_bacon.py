"""Goodman-Bacon decomposition: the identity, the weights themselves, a hand example."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cei_metrics.errors import EstimationError, SchemaError
from cei_metrics.impact.did.bacon import (
    EARLY_V_LATE,
    LATE_V_EARLY,
    TREATED_V_NEVER,
    bacon_decomposition,
)
from cei_metrics.impact.did.regression import twfe

REF = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture(scope="module")
def castle():
    return pd.read_csv(REF / "impact_did_castle.csv")


def _dummy_twfe(df, y="y", unit="unit", time="time", treat="d"):
    import statsmodels.formula.api as smf

    return smf.ols(f"{y} ~ {treat} + C({unit}) + C({time})", df).fit().params[treat]


def test_castle_weights_sum_to_one_and_reproduce_twfe(castle):
    b = bacon_decomposition(castle, "l_homicide", "sid", "year", "post")
    assert b.table["weight"].sum() == pytest.approx(1.0, abs=1e-10)
    assert (b.table["weight"] > 0).all()
    dummy = _dummy_twfe(castle, "l_homicide", "sid", "year", "post")
    assert (b.table["weight"] * b.table["estimate"]).sum() == pytest.approx(dummy, abs=1e-10)
    assert b.twfe == pytest.approx(dummy, abs=1e-10)
    assert set(b.by_type["type"]) == {EARLY_V_LATE, LATE_V_EARLY, TREATED_V_NEVER}
    assert 0 < b.forbidden_weight < 0.5


def _design(seed, n_groups, nt):
    rng = np.random.default_rng(seed)
    starts = rng.choice(np.arange(0, nt + 1), size=min(n_groups, nt + 1), replace=False)
    sizes = rng.integers(1, 5, size=n_groups)
    rows = []
    u = 0
    for s, m in zip(starts, sizes):
        for _ in range(m):
            for t in range(nt):
                rows.append((u, t, float(t >= s)))
            u += 1
    return pd.DataFrame(rows, columns=["unit", "time", "d"])


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 100_000), n_groups=st.integers(2, 5), nt=st.integers(3, 8))
def test_identity_holds_for_any_design_and_outcome(seed, n_groups, nt):
    df = _design(seed, n_groups, nt)
    if df.groupby("time")["d"].nunique().max() < 2 and df.groupby("unit")["d"].nunique().max() < 2:
        return
    df["y"] = np.random.default_rng(seed + 1).normal(size=len(df))
    try:
        b = bacon_decomposition(df, "y", "unit", "time", "d")
    except EstimationError:
        return  # no identifying variation (e.g. one timing group and no never-treated)
    assert b.table["weight"].sum() == pytest.approx(1.0, abs=1e-10)
    assert (b.table["weight"] >= -1e-12).all()
    assert (b.table["weight"] * b.table["estimate"]).sum() == pytest.approx(
        _dummy_twfe(df), abs=1e-10
    )


def test_weights_are_pinned_down_by_the_identity():
    # The identity beta_twfe(y) = sum_j s_j beta_j(y) is linear in y and must hold for every
    # outcome; over many random outcomes it determines the weights s_j uniquely.
    df = _design(4, 4, 7)
    rng = np.random.default_rng(0)
    bs, tw = [], []
    for _ in range(40):
        df["y"] = rng.normal(size=len(df))
        b = bacon_decomposition(df, "y", "unit", "time", "d")
        bs.append(b.table["estimate"].to_numpy())
        tw.append(_dummy_twfe(df))
    solved = np.linalg.lstsq(np.array(bs), np.array(tw), rcond=None)[0]
    np.testing.assert_allclose(solved, b.table["weight"].to_numpy(), atol=1e-8)


def test_hand_example_dynamic_effect_biases_forbidden_comparison():
    # 3 groups of one unit, 4 periods: early from t=1, late from t=3, one never treated.
    # y = 0 untreated, effect = 1 + (t - start) (grows by 1 each period on treatment).
    rows = []
    for unit, start in (("early", 1), ("late", 3), ("never", 99)):
        for t in range(4):
            rows.append((unit, t, float(t >= start), (1 + t - start) if t >= start else 0.0))
    df = pd.DataFrame(rows, columns=["unit", "time", "d", "y"])
    b = bacon_decomposition(df, "y", "unit", "time", "d").table.set_index(["treated", "control"])
    # early vs never: post mean (1+2+3)/3 = 2, pre 0 -> 2
    assert b.loc[(1, 0), "estimate"] == pytest.approx(2.0)
    # late vs never: post 1, pre 0 -> 1
    assert b.loc[(3, 0), "estimate"] == pytest.approx(1.0)
    # early vs late (late untreated in t<3): early mean t=1,2 is 1.5, pre 0 -> 1.5
    assert b.loc[(1, 3), "estimate"] == pytest.approx(1.5)
    # late vs early (early already treated, t>=1): late (1 - 0) - early (3 - 1.5) = -0.5:
    # the true effect on the late group is +1, the forbidden comparison says -0.5
    assert b.loc[(3, 1), "estimate"] == pytest.approx(-0.5)
    # with a constant effect every comparison is unbiased
    df["y"] = df["d"] * 2.0
    b2 = bacon_decomposition(df, "y", "unit", "time", "d")
    np.testing.assert_allclose(b2.table["estimate"], 2.0, atol=1e-12)


def test_matches_twfe_function_and_reports(castle):
    b = bacon_decomposition(castle, "l_homicide", "sid", "year", "post")
    assert b.twfe == pytest.approx(twfe(castle, "l_homicide", "sid", "year", "post").estimate)
    assert "already-treated" in b.summary()
    assert "<table" in b._repr_html_()
    assert list(b.plot_data().columns) == ["type", "weight", "estimate"]


def test_bad_input(castle):
    c = castle.copy()
    c.loc[(c["sid"] == c["sid"].iloc[0]) & (c["year"] == 2010), "post"] = 0
    c.loc[(c["sid"] == c["sid"].iloc[0]) & (c["year"] == 2005), "post"] = 1
    with pytest.raises(SchemaError, match="switches off"):
        bacon_decomposition(c, "l_homicide", "sid", "year", "post")
    with pytest.raises(SchemaError, match="no column"):
        bacon_decomposition(castle, "y", "sid", "year", "post")
    b = bacon_decomposition(castle.iloc[1:], "l_homicide", "sid", "year", "post")
    assert b.n_dropped == 1
