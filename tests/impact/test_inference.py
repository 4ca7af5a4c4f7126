"""Few-cluster inference: wild cluster bootstrap and randomization inference."""

from __future__ import annotations

import importlib.util
from itertools import product
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cei_metrics.errors import CEIError, EstimationError, SchemaError
from cei_metrics.impact.inference import randomization_inference, wild_cluster_bootstrap

_p = Path(__file__).resolve().parents[1] / "reference" / "impact_mixed_wildboottest.py"
_spec = importlib.util.spec_from_file_location("ref_wb", _p)
REF = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(REF)


def _wb_data():
    rng = np.random.default_rng(1)
    G, n = 20, 30
    cl = np.repeat(np.arange(G), n)
    x = rng.normal(size=G * n) + rng.normal(size=G)[cl]
    y = 0.05 * x + rng.normal(size=G * n) + rng.normal(size=G)[cl]
    return pd.DataFrame({"y": y, "x": x, "cl": cl})


def test_matches_wildboottest_package():
    res = wild_cluster_bootstrap(_wb_data(), "y", "x", "cl", n_boot=REF.N_BOOT, seed=3)
    assert res.t_stat == pytest.approx(REF.T_STAT, abs=1e-4)
    # Monte-Carlo SD of a p near 0.22 with 9999 draws is 0.004; allow about 3.5 SD
    assert res.p_val == pytest.approx(REF.P_VALUE, abs=0.015)
    assert res.n_clusters == 20 and not res.enumerated
    lo, hi = res.ci_low, res.ci_high
    assert lo < res.estimate < hi
    # the interval inverts the test: its ends have p close to 0.05
    assert lo < 0 < hi  # p = 0.22 > 0.05, so zero is inside


def _brute_force_wcr_p(df, G):
    y, x = df["y"].to_numpy(), df["x"].to_numpy()
    g = df["cl"].to_numpy()
    N = len(y)
    X = np.column_stack([x, np.ones(N)])
    Z = np.ones((N, 1))

    def t_of(yy):
        b = np.linalg.lstsq(X, yy, rcond=None)[0]
        u = yy - X @ b
        bread = np.linalg.inv(X.T @ X)
        meat = sum(np.outer(X[g == c].T @ u[g == c], X[g == c].T @ u[g == c]) for c in range(G))
        V = G / (G - 1) * (N - 1) / (N - 2) * bread @ meat @ bread
        return b[0] / np.sqrt(V[0, 0])

    t0 = t_of(y)
    yr = Z @ np.linalg.lstsq(Z, y, rcond=None)[0]
    ur = y - yr
    ts = [t_of(yr + np.array(v)[g] * ur) for v in product((-1.0, 1.0), repeat=G)]
    return float(np.mean(np.abs(ts) >= abs(t0)))


def test_enumerated_rademacher_equals_brute_force_loop():
    rng = np.random.default_rng(5)
    G, n = 8, 10
    cl = np.repeat(np.arange(G), n)
    x = rng.normal(size=G * n)
    y = 0.3 * x + rng.normal(size=G * n) + rng.normal(size=G)[cl]
    df = pd.DataFrame({"y": y, "x": x, "cl": cl})
    res = wild_cluster_bootstrap(df, "y", "x", "cl", n_boot=999)
    assert res.enumerated and res.n_boot == 2**G
    assert res.p_val == pytest.approx(_brute_force_wcr_p(df, G), abs=1e-12)


def test_fixed_effects_and_webb_weights_run_and_are_seeded():
    rng = np.random.default_rng(2)
    G, T = 12, 6
    unit = np.repeat(np.arange(G), T)
    year = np.tile(np.arange(T), G)
    d = ((unit < 4) & (year >= 3)).astype(float)
    y = 1.0 * d + rng.normal(size=G)[unit] + 0.2 * year + rng.normal(size=G * T)
    df = pd.DataFrame({"y": y, "d": d, "unit": unit, "year": year})
    a = wild_cluster_bootstrap(
        df, "y", "d", "unit", fe=["unit", "year"], bootstrap_weights="webb", seed=4
    )
    b = wild_cluster_bootstrap(
        df, "y", "d", "unit", fe=["unit", "year"], bootstrap_weights="webb", seed=4
    )
    assert a.p_val == b.p_val and a.seed == 4
    assert a.estimate == pytest.approx(1.0, abs=3 * a.std_error)
    assert list(a.to_frame().columns)[:7] == [
        "term",
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_val",
        "n",
    ]
    assert "bootstrap" in a.summary()


@pytest.mark.slow
def test_coverage_few_treated_clusters_wcr_vs_crve():
    # 16 clusters, 3 treated, null true: CRVE t-test over-rejects, WCR does not
    rng = np.random.default_rng(2019)
    G, n, reps = 16, 20, 200
    cl = np.repeat(np.arange(G), n)
    d = (cl < 3).astype(float)
    rej_crve = rej_wcr = 0
    for _ in range(reps):
        y = rng.normal(size=G)[cl] + rng.normal(size=G * n)
        df = pd.DataFrame({"y": y, "d": d, "cl": cl})
        r = wild_cluster_bootstrap(df, "y", "d", "cl", n_boot=399, seed=int(rng.integers(1e9)))
        rej_crve += r.p_val_crve < 0.05
        rej_wcr += r.p_val < 0.05
    assert rej_crve / reps > 0.10
    assert rej_wcr / reps < 0.08


def _panel(n_units=8, n_treated=2, effect=0.0, seed=0, T=6, start=3):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), T)
    time = np.tile(np.arange(T), n_units)
    cohort = np.where(unit < n_treated, start, np.nan)
    y = rng.normal(size=n_units)[unit] + 0.3 * time + rng.normal(size=n_units * T)
    y = y + effect * ((unit < n_treated) & (time >= start))
    return pd.DataFrame({"y": y, "unit": unit, "time": time, "cohort": cohort})


def test_randomization_inference_exact_enumeration():
    df = _panel()
    res = randomization_inference(df, "y", "unit", "time", "cohort", n_perm=999)
    assert res.exact and res.n_perm == comb(8, 2)
    # the estimate is one of the enumerated values, so p >= 1/28 and p*28 is an integer
    assert res.p_val * 28 == pytest.approx(round(res.p_val * 28))
    assert res.p_val >= 1 / 28
    # TWFE coefficient equals a statsmodels regression with unit and time dummies
    import statsmodels.formula.api as smf

    d = df.assign(D=(df.time >= df.cohort.fillna(np.inf)).astype(float))
    b = smf.ols("y ~ D + C(unit) + C(time)", data=d).fit().params["D"]
    assert res.estimate == pytest.approx(b, rel=1e-10)


def test_randomization_inference_detects_planted_effect():
    df = _panel(n_units=40, n_treated=6, effect=3.0, seed=3)
    res = randomization_inference(df, "y", "unit", "time", "cohort", n_perm=499, seed=1)
    assert not res.exact and res.p_val < 0.01
    # SE of the TWFE estimate here is about 0.34 (unit noise SD 1, 18 treated-post cells)
    assert res.estimate == pytest.approx(3.0, abs=1.0)
    res0 = randomization_inference(
        _panel(n_units=40, n_treated=6, seed=9), "y", "unit", "time", "cohort", seed=1
    )
    assert res0.p_val > 0.05
    assert "randomization p" in res0.summary()


def test_errors():
    df = _panel()
    with pytest.raises(SchemaError):
        randomization_inference(df, "nope", "unit", "time", "cohort")
    with pytest.raises(EstimationError):
        randomization_inference(df.assign(cohort=np.nan), "y", "unit", "time", "cohort")
    with pytest.raises(CEIError):
        wild_cluster_bootstrap(_wb_data(), "y", "x", "cl", bootstrap_weights="mammen")
    with pytest.raises(SchemaError):
        wild_cluster_bootstrap(_wb_data(), "y", "x", "district")


def test_old_names_still_work_with_a_warning():
    new = wild_cluster_bootstrap(_wb_data(), "y", "x", "cl", bootstrap_weights="webb", seed=1)
    with pytest.warns(FutureWarning, match="bootstrap_weights"):
        old = wild_cluster_bootstrap(_wb_data(), "y", "x", "cl", weights="webb", seed=1)
    assert old.p_val == new.p_val
    with pytest.warns(FutureWarning, match="ci_low and ci_high"):
        assert old.ci == (new.ci_low, new.ci_high)
