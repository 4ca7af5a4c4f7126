"""CFA (lavaan Holzinger-Swineford), invariance (lavaan multi-group), EFA and parallel
analysis, and the semopy cross-check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cei_metrics.errors import CEIError, SchemaError
from cei_metrics.psychometrics import cfa, efa, invariance, parallel_analysis, parse_model

from ._ref import R


@pytest.fixture(scope="module")
def hs():
    from semopy.examples import holzinger39

    return holzinger39.get_data()


@pytest.fixture(scope="module")
def hs_fit(hs):
    return cfa(hs, R.HS_MODEL)


def test_cfa_reproduces_lavaan_holzinger_swineford(hs_fit):
    f = hs_fit
    ref = R.HS_FIT
    assert f.converged
    assert f.chi2 == pytest.approx(ref["chi2"], abs=5e-4)
    assert f.df == ref["df"]
    assert f.pvalue < 0.001
    assert f.cfi == pytest.approx(ref["cfi"], abs=5e-4)
    assert f.tli == pytest.approx(ref["tli"], abs=5e-4)
    assert f.rmsea == pytest.approx(ref["rmsea"], abs=5e-4)
    assert f.rmsea_ci == pytest.approx(ref["rmsea_ci"], abs=5e-4)
    assert f.srmr == pytest.approx(ref["srmr"], abs=5e-4)


def test_cfa_loadings_and_standard_errors_match_lavaan(hs_fit):
    lo = hs_fit.loadings.set_index("item")
    for item, std in R.HS_STD_LOADINGS.items():
        assert lo.loc[item, "estimate"] == pytest.approx(std, abs=5e-4)
    for item, (est, se) in R.HS_UNSTD.items():
        assert lo.loc[item, "unstd_estimate"] == pytest.approx(est, abs=5e-4)
        assert lo.loc[item, "unstd_std_error"] == pytest.approx(se, abs=5e-4)
    p = hs_fit.parameters
    for (lhs, rhs), (est, se) in R.HS_FACTOR_VARCOV.items():
        row = p[(p["kind"] == "factor_cov") & (p["lhs"] == lhs) & (p["rhs"] == rhs)].iloc[0]
        assert row["estimate"] == pytest.approx(est, abs=5e-4)
        assert row["std_error"] == pytest.approx(se, abs=5e-4)
    # standardized SEs are positive and the Wald intervals contain the estimate
    assert (lo["std_error"] > 0).all()
    assert ((lo["ci_low"] < lo["estimate"]) & (lo["estimate"] < lo["ci_high"])).all()


def test_cfa_omega_matches_semtools(hs_fit):
    om = hs_fit.omega().set_index("factor")["omega"]
    for f, val in R.HS_OMEGA.items():
        assert om[f] == pytest.approx(val, abs=1e-5)


def test_cfa_agrees_with_semopy(hs, hs_fit):
    semopy = pytest.importorskip("semopy")
    m = semopy.Model(R.HS_MODEL)
    m.fit(hs[[f"x{i}" for i in range(1, 10)]])
    est = m.inspect()
    ours = hs_fit.loadings.set_index("item")["unstd_estimate"]
    meas = est[(est["op"] == "~") & est["lval"].isin(ours.index)]
    assert len(meas) == 9  # semopy lists measurement lines as item ~ factor
    for _, r in meas.iterrows():
        assert ours[r["lval"]] == pytest.approx(float(r["Estimate"]), abs=2e-3)


def test_invariance_reproduces_lavaan_multigroup(hs):
    res = invariance(hs, R.HS_MODEL, group="school")
    t = res.table.set_index("step")
    for step, ref in R.HS_INVARIANCE.items():
        assert t.loc[step, "chi2"] == pytest.approx(ref["chi2"], abs=6e-3)
        assert t.loc[step, "df"] == ref["df"]
        if "delta_chi2" in ref:
            assert t.loc[step, "delta_chi2"] == pytest.approx(ref["delta_chi2"], abs=2e-3)
            assert t.loc[step, "delta_df"] == ref["delta_df"]
            assert t.loc[step, "delta_p"] == pytest.approx(ref["delta_p"], rel=2e-3)
    assert res.highest_level == "metric"
    assert t["converged"].all()


def test_parse_model_forms_and_errors():
    cols = ["a", "b", "c", "d"]
    assert parse_model("F =~ a + b + c # comment\n\nG =~ d + a", cols) == {
        "F": ["a", "b", "c"],
        "G": ["d", "a"],
    }
    assert parse_model({"F": ["a", "b"]}, cols) == {"F": ["a", "b"]}
    with pytest.raises(SchemaError, match="not a column"):
        parse_model("F =~ a + zz", cols)
    with pytest.raises(SchemaError, match="measurement line"):
        parse_model("y ~ x", cols)
    with pytest.raises(CEIError):
        cfa(
            pd.DataFrame(np.ones((10, 3)), columns=list("abc")), "F =~ a + b + c", estimator="WLSMV"
        )


def _three_factor_data(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    phi = np.array([[1, 0.4, 0.3], [0.4, 1, 0.5], [0.3, 0.5, 1]])
    f = rng.multivariate_normal(np.zeros(3), phi, size=n)
    lam = np.zeros((12, 3))
    for j in range(3):
        lam[4 * j : 4 * j + 4, j] = [0.8, 0.7, 0.75, 0.6]
    x = f @ lam.T + rng.normal(size=(n, 12)) * np.sqrt(1 - (lam**2).sum(axis=1))
    return pd.DataFrame(x, columns=[f"i{j}" for j in range(12)]), lam


def test_efa_and_parallel_analysis_recover_planted_structure():
    x, lam = _three_factor_data()
    pa = parallel_analysis(x, n_iter=50, seed=1)
    assert pa.n_factors == 3
    assert pa.seed == 1
    again = parallel_analysis(x, n_iter=50, seed=1)
    pd.testing.assert_frame_equal(pa.table, again.table)
    res = efa(x, 3)
    prim = res.primary_factor().to_numpy()
    # the four items of each planted factor share one EFA factor, and the three differ
    groups = [set(prim[4 * j : 4 * j + 4]) for j in range(3)]
    assert all(len(g) == 1 for g in groups) and len(set.union(*groups)) == 3
    true_h2 = (lam**2).sum(axis=1)
    np.testing.assert_allclose(res.communality.to_numpy(), true_h2, atol=0.05)


def test_cfa_recovers_planted_loadings_with_honest_intervals():
    x, lam = _three_factor_data(n=4000, seed=2)
    model = {f"F{j}": [f"i{4 * j + k}" for k in range(4)] for j in range(3)}
    res = cfa(x, model)
    lo = res.loadings
    truth = np.array([lam[int(i[1:]), int(f[1:])] for f, i in zip(lo["factor"], lo["item"])])
    z = (lo["estimate"].to_numpy() - truth) / lo["std_error"].to_numpy()
    assert np.abs(z).max() < 4
    assert res.cfi > 0.99 and res.rmsea < 0.03


def test_cfa_pairwise_and_weights_run():
    x, _ = _three_factor_data(n=800, seed=3)
    x = x.mask(np.random.default_rng(0).random(x.shape) < 0.05)
    model = {f"F{j}": [f"i{4 * j + k}" for k in range(4)] for j in range(3)}
    lw = cfa(x, model)
    pw = cfa(x, model, nan_policy="pairwise")
    wt = cfa(x, model, weights=np.ones(len(x)))
    assert lw.n_dropped > 0 and pw.n_dropped == 0
    assert abs(lw.cfi - pw.cfi) < 0.02
    assert wt.chi2 == pytest.approx(lw.chi2, rel=1e-6)
