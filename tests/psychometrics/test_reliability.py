"""Alpha, omega and item statistics: published values, invariants, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cei_metrics import CEIError
from cei_metrics.errors import EstimationError, SchemaError
from cei_metrics.psychometrics import cronbach_alpha, item_stats, omega

from ._ref import R

SF = pd.DataFrame(R.SHROUT_FLEISS)


def test_alpha_matches_shrout_fleiss_1979():
    res = cronbach_alpha(SF)
    assert res.alpha == pytest.approx(R.SHROUT_FLEISS_ALPHA, abs=5e-4)
    assert res.ci == pytest.approx(R.SHROUT_FLEISS_CI, abs=5e-3)
    assert (res.n, res.n_items, res.n_dropped) == (6, 4, 0)


def test_alpha_matches_psych_pairwise_via_pingouin_docs():
    pg = pytest.importorskip("pingouin")
    data = pg.read_dataset("cronbach_wide_missing")
    res = cronbach_alpha(data, nan_policy="pairwise")
    a, ci = R.PINGOUIN_WIDE_MISSING_PAIRWISE
    assert res.alpha == pytest.approx(a, abs=1e-10)
    assert res.ci == pytest.approx(ci, abs=5e-4)
    lw = cronbach_alpha(data, nan_policy="listwise")
    assert lw.alpha == pytest.approx(R.PINGOUIN_WIDE_MISSING_LISTWISE, abs=1e-10)
    assert lw.n_dropped == 3
    long = pg.read_dataset("cronbach_alpha").pivot(index="Subj", columns="Items", values="Scores")
    res = cronbach_alpha(long)
    assert res.alpha == pytest.approx(R.PINGOUIN_LONG[0], abs=1e-10)
    assert res.ci == pytest.approx(R.PINGOUIN_LONG[1], abs=5e-4)


def test_pairwise_covariance_equals_pandas_pairwise_cov():
    from cei_metrics.psychometrics._common import moments

    rng = np.random.default_rng(3)
    x = rng.normal(size=(500, 6)) + rng.normal(size=(500, 1))
    x[rng.random(x.shape) < 0.2] = np.nan
    m = moments(x, nan_policy="pairwise", block=97)  # several blocks
    np.testing.assert_allclose(m.cov, pd.DataFrame(x).cov().to_numpy(), rtol=1e-10)
    np.testing.assert_array_equal(
        m.n_pair, (~np.isnan(x)).T.astype(int) @ (~np.isnan(x)).astype(int)
    )


def test_item_stats_match_direct_computation():
    rng = np.random.default_rng(4)
    x = pd.DataFrame(rng.integers(1, 6, size=(300, 5)).astype(float), columns=list("abcde"))
    x += rng.integers(0, 2, size=(300, 1))
    tab = item_stats(x)
    tot = x.sum(axis=1)
    for j, c in enumerate(x.columns):
        rest = tot - x[c]
        assert tab.loc[j, "r_drop"] == pytest.approx(np.corrcoef(x[c], rest)[0, 1], abs=1e-12)
        assert tab.loc[j, "alpha_if_deleted"] == pytest.approx(
            cronbach_alpha(x.drop(columns=c)).alpha, abs=1e-12
        )
        assert tab.loc[j, "sd"] == pytest.approx(x[c].std(), abs=1e-12)
    assert tab["missing_share"].eq(0).all()
    assert tab.loc[0, "floor_share"] == pytest.approx((x["a"] == x.min().min()).mean())


def test_omega_one_factor_equals_cfa_omega_of_one_factor_model():
    from semopy.examples import holzinger39

    from cei_metrics.psychometrics import cfa

    hs = holzinger39.get_data()
    items = hs[["x4", "x5", "x6", "x7"]]
    om = omega(items)
    ref = cfa(items, "f =~ x4 + x5 + x6 + x7").omega()["omega"].iloc[0]
    # omega uses the divisor n-1 covariance; the CFA the divisor-n one: same loadings ratio
    assert om.omega_total == pytest.approx(ref, abs=1e-6)
    assert om.omega_hierarchical is None


def test_omega_hierarchical_schmid_leiman_on_a_known_bifactor_structure():
    # population correlation matrix of a bifactor model: g loadings .6, group loadings .5
    g = np.full(9, 0.6)
    grp = np.zeros((9, 3))
    for f in range(3):
        grp[3 * f : 3 * f + 3, f] = 0.5
    r = np.outer(g, g) + grp @ grp.T
    np.fill_diagonal(r, 1.0)
    rng = np.random.default_rng(11)
    x = rng.multivariate_normal(np.zeros(9), r, size=20000)
    res = omega(pd.DataFrame(x), n_factors=3)
    vt = r.sum()
    assert res.omega_hierarchical == pytest.approx(g.sum() ** 2 / vt, abs=0.02)
    assert res.omega_total == pytest.approx(1 - (1 - g**2 - 0.25).sum() / vt, abs=0.01)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 7))
def test_alpha_invariant_to_item_and_row_order(seed, k):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.integers(1, 6, size=(40, k)).astype(float) + rng.normal(size=(40, 1)))
    x = x.mask(rng.random(x.shape) < 0.1)
    a = cronbach_alpha(x).alpha
    perm_c = rng.permutation(k)
    perm_r = rng.permutation(40)
    b = cronbach_alpha(x.iloc[perm_r, perm_c]).alpha
    assert b == pytest.approx(a, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 8))
def test_alpha_of_parallel_items_is_one(seed, k):
    rng = np.random.default_rng(seed)
    t = rng.normal(size=50)
    x = pd.DataFrame(np.repeat(t[:, None], k, axis=1))
    assert cronbach_alpha(x).alpha == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_blank=st.integers(1, 10))
def test_nan_cells_and_absent_rows_give_the_same_pairwise_answer(seed, n_blank):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.normal(size=(60, 4)) + rng.normal(size=(60, 1)))
    x = x.mask(rng.random(x.shape) < 0.15)
    blank = pd.DataFrame(np.nan, index=range(100, 100 + n_blank), columns=x.columns)
    a = cronbach_alpha(x)
    b = cronbach_alpha(pd.concat([x, blank]))
    assert b.alpha == pytest.approx(a.alpha, abs=1e-12)
    assert b.ci == pytest.approx(a.ci, abs=1e-12)
    assert b.n == a.n and b.n_dropped == a.n_dropped + n_blank


@pytest.mark.parametrize("nan_policy", ["pairwise", "listwise"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("with_missing", [False, True])
def test_grid_missing_weights(nan_policy, weighted, with_missing):
    rng = np.random.default_rng(5)
    x = pd.DataFrame(rng.normal(size=(400, 5)) + rng.normal(size=(400, 1)))
    if with_missing:
        x = x.mask(rng.random(x.shape) < 0.1)
    w = rng.integers(1, 4, size=400).astype(float) if weighted else None
    res = cronbach_alpha(x, nan_policy=nan_policy, weights=w)
    # integer weights = frequency weights: replicate rows and compare (listwise case, and
    # pairwise covariances use weighted sums of the same pairs)
    if weighted:
        rep = x.loc[x.index.repeat(w.astype(int))].reset_index(drop=True)
        full = cronbach_alpha(rep, nan_policy=nan_policy)
        assert res.alpha == pytest.approx(full.alpha, abs=2e-3)
        assert res.n_eff < full.n
    else:
        ref = pd.DataFrame(x).dropna() if nan_policy == "listwise" else x
        c = ref.cov().to_numpy()
        k = c.shape[0]
        assert res.alpha == pytest.approx(k / (k - 1) * (1 - np.trace(c) / c.sum()), abs=1e-12)
    assert res.ci[0] < res.alpha < res.ci[1]


def test_bad_input_raises_cei_errors():
    with pytest.raises(SchemaError, match="non-numeric"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, "x"], "b": [1, 2, 3]}))
    with pytest.raises(EstimationError):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))
    with pytest.raises(SchemaError, match="missing value"):
        cronbach_alpha(pd.DataFrame({"a": [1, 2, np.nan], "b": [1, 2, 3]}), nan_policy="raise")
    with pytest.raises(CEIError, match="nan_policy"):
        cronbach_alpha(SF, nan_policy="drop")
    with pytest.raises(SchemaError, match="weight"):
        cronbach_alpha(SF, weights=[1, 2, 3])
    with pytest.raises(SchemaError, match="positive"):
        cronbach_alpha(SF, weights=[1, 1, 1, 1, 1, -1])
    with pytest.raises(CEIError, match="ci"):
        cronbach_alpha(SF, ci=95)


def test_result_objects_render():
    res = cronbach_alpha(SF)
    assert "alpha" in res.summary() and "<table" in res._repr_html_()
    assert set(res.to_frame().columns) >= {"estimate", "ci_low", "ci_high", "n"}
