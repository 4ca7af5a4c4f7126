"""Peers and benchmarks against R (dist/scale, quantile type 7, cor kendall), scipy and
invariants."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from scipy.stats import kendalltau, percentileofscore

import cei_metrics as cm
from cei_metrics.compare import benchmark, comparison_group, find_peers, percentile_rank
from cei_metrics.errors import EstimationError, SchemaError
from cei_metrics.schemas import C

REF = Path(__file__).resolve().parents[1] / "reference"
FEATS = ["log_enrollment", "pct_el", "pct_sed", "baseline"]
EQUAL = dict.fromkeys(FEATS, 1.0)


@pytest.fixture(scope="module")
def ref():
    return json.loads((REF / "compare_reference.json").read_text())


@pytest.fixture(scope="module")
def feats():
    return pd.read_csv(REF / "compare_features.csv", dtype={"cds": str}).set_index("cds")


def _dist_row(res, target, codes):
    t = res.table[res.table["target"] == target].set_index("peer")["distance"]
    return t.reindex(codes).to_numpy()


def test_distances_and_peers_match_r(ref, feats):
    t = ref["target"]
    res = find_peers(feats, t, k=len(feats), weights=EQUAL, exact=())
    got = _dist_row(res, t, feats.index)
    exp = np.array(ref["distance_equal"])
    keep = feats.index != t
    np.testing.assert_allclose(got[keep], exp[keep], rtol=1e-12, atol=1e-12)
    assert res.peers(t)[:5] == ref["peers_equal"]
    w = dict(zip(FEATS, ref["weights"]))
    res_w = find_peers(feats, t, k=5, weights=w, exact=())
    assert res_w.peers(t) == ref["peers_weighted"]
    full = find_peers(feats, t, k=len(feats), weights=w, exact=())
    np.testing.assert_allclose(_dist_row(full, t, feats.index)[keep],
                               np.array(ref["distance_weighted"])[keep], rtol=1e-12)  # fmt: skip


def test_distances_match_scipy_seuclidean(feats):
    X = feats[FEATS].to_numpy()
    V = X.var(axis=0, ddof=1)
    D = cdist(X, X, "seuclidean", V=V) / np.sqrt(len(FEATS))
    for i in (0, 7, 29):
        t = feats.index[i]
        res = find_peers(feats, t, k=len(feats), weights=EQUAL, exact=())
        got = _dist_row(res, t, feats.index)
        keep = np.arange(len(feats)) != i
        np.testing.assert_allclose(got[keep], D[i][keep], rtol=1e-12)


def test_benchmark_matches_r_quantiles_and_percentile(ref, feats):
    t = ref["target"]
    peers = find_peers(feats, t, k=5, weights=EQUAL, exact=())
    vals = feats["baseline"]
    b = benchmark(vals, t, peers).table.iloc[0]
    assert [b["peer_q25"], b["peer_median"], b["peer_q75"]] == pytest.approx(
        ref["peer_quartiles"], abs=1e-12)  # fmt: skip
    assert b["percentile"] == pytest.approx(ref["percentile"], abs=1e-12)
    assert b["percentile"] == pytest.approx(percentileofscore(vals, vals[t], kind="mean"))
    assert b["peers_used"] == 5 and b["n"] == len(vals)


def test_kendall_tau_reference(ref, feats):
    r1 = (-feats["pct_sed"]).rank(method="min")
    r2 = (-(feats["pct_sed"] + 5 * feats["pct_el"])).rank(method="min")
    assert kendalltau(r1, r2).statistic == pytest.approx(ref["kendall_tau_b"], abs=1e-12)


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")
def test_live_r_reproduces_the_committed_values(tmp_path, ref):
    root = REF.parent.parent
    work = tmp_path / "tests" / "reference"
    work.mkdir(parents=True)
    shutil.copy(REF / "compare_features.csv", work)
    subprocess.run(["Rscript", str(REF / "compare_reference.R")], cwd=tmp_path, check=True,
                   capture_output=True)  # fmt: skip
    live = json.loads((work / "compare_reference.json").read_text())
    for key in ("distance_equal", "distance_weighted", "peer_quartiles"):
        np.testing.assert_allclose(live[key], ref[key], rtol=1e-12)
    assert live["peers_equal"] == ref["peers_equal"] and root.exists()


# --- rules -----------------------------------------------------------------------------------


def _toy():
    return pd.DataFrame(
        {
            "cds": [f"01{i:05d}0000000" for i in range(1, 7)],
            C.LEA_TYPE: ["district"] * 4 + ["charter"] * 2,
            C.DISTRICT_TYPE: ["unified", "unified", "elementary", "unified", None, None],
            "log_enrollment": [8.0, 8.1, 9.0, np.nan, 6.0, 6.2],
            "baseline": [80.0, 82.0, 90.0, 81.0, 70.0, 95.0],
        }
    ).set_index("cds")


def test_missing_features_reweight_and_exact_type():
    f = _toy()
    w = {"log_enrollment": 1.0, "baseline": 1.0, C.DISTRICT_TYPE: 1.0}
    res = find_peers(f, "01000010000000", k=5, weights=w)
    t = res.table.set_index("peer")
    assert set(t.index) == {"01000020000000", "01000030000000", "01000040000000"}  # type
    s_b = f["baseline"].std(ddof=1)
    # 04 lacks enrolment: distance over baseline and district type only
    d4 = np.sqrt(((81 - 80) / s_b) ** 2 / 2)
    assert t.loc["01000040000000", "distance"] == pytest.approx(d4)
    assert t.loc["01000040000000", "n_features"] == 2
    assert t.loc["01000040000000", "weight_share"] == pytest.approx(2 / 3)
    s_e = f["log_enrollment"].std(ddof=1)
    d3 = np.sqrt((((9 - 8) / s_e) ** 2 + ((90 - 80) / s_b) ** 2 + 1) / 3)
    assert t.loc["01000030000000", "distance"] == pytest.approx(d3)
    # too little overlap: not a peer
    strict = find_peers(f, "01000010000000", k=5, weights=w, min_weight_share=0.9)
    assert "01000040000000" not in strict.peers("01000010000000")
    assert strict.n_dropped == 1
    # charters are compared with charters only
    assert find_peers(f, "01000050000000", k=5, weights=w).peers("01000050000000") == [
        "01000060000000"]  # fmt: skip


def test_comparison_group_excludes_treated_and_unions():
    f = _toy()
    w = {"log_enrollment": 1.0, "baseline": 1.0}
    g = comparison_group(f, ["01000010000000", "01000020000000"], k=1, weights=w)
    assert g == ["01000040000000"]  # nearest untreated of both, listed once
    g2 = comparison_group(f, ["01000010000000", "01000050000000"], k=1, weights=w)
    assert g2 == ["01000040000000", "01000060000000"]


def test_peer_errors():
    f = _toy()
    with pytest.raises(SchemaError, match="not in the features"):
        find_peers(f, "01000090000000")
    with pytest.raises(EstimationError, match="none of the weighted features"):
        find_peers(f, "01000010000000", weights={"pct_el": 1.0})
    with pytest.raises(SchemaError, match="weights are >= 0"):
        find_peers(f, "01000010000000", weights={"baseline": -1.0})
    dup = pd.concat([f.reset_index(), f.reset_index().iloc[:1]])
    with pytest.raises(SchemaError, match="twice"):
        find_peers(dup, "01000010000000")


@settings(max_examples=40, deadline=None)
@given(
    st.integers(6, 25),
    st.integers(1, 8),
    st.floats(0.1, 50.0),
    st.floats(-100.0, 100.0),
    st.integers(0, 2**32 - 1),
)
def test_peers_invariants(n, k, scale, shift, seed):
    rng = np.random.default_rng(seed)
    f = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"],
                     index=[f"{i:014d}" for i in range(n)])  # fmt: skip
    w = {"a": 1.0, "b": 2.0, "c": 0.5}
    t = f.index[0]
    res = find_peers(f, t, k=k, weights=w, exact=())
    p = res.table
    assert t not in set(p["peer"]) and len(p) == min(k, n - 1)
    assert (np.diff(p["distance"]) >= -1e-12).all()
    # affine rescaling of a feature changes nothing (features are standardised)
    g = f.assign(a=f["a"] * scale + shift)
    res2 = find_peers(g, t, k=k, weights=w, exact=())
    np.testing.assert_allclose(res2.table["distance"], p["distance"], rtol=1e-9, atol=1e-12)
    # symmetry of the distance
    j = p["peer"].iloc[0]
    back = find_peers(f, j, k=n - 1, weights=w, exact=()).table.set_index("peer")
    assert back.loc[t, "distance"] == pytest.approx(p["distance"].iloc[0])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=40),
       st.floats(0, 100, allow_nan=False))  # fmt: skip
def test_percentile_rank_is_scipy_mean_kind(values, x):
    assert percentile_rank(np.array(values), x) == pytest.approx(
        percentileofscore(values, x, kind="mean"))  # fmt: skip


def test_benchmark_state_row_positions_and_errors():
    vals = pd.DataFrame({"cds": ["00000000000000", "30000000000000", "01000010000000",
                                 "01000020000000", "01000030000000", "01000040000000"],
                         "value": [85.0, 84.0, 90.0, 80.0, 70.0, np.nan]})  # fmt: skip
    peers = {"01000010000000": ["01000020000000", "01000030000000", "01000040000000"]}
    b = benchmark(vals, "01000010000000", peers, label="rate")
    r = b.table.iloc[0]
    assert r["state"] == 85.0 and r["n"] == 3  # state and county rows are not LEAs
    assert r["peers_used"] == 2 and b.n_dropped == 1  # 04 has no value
    assert r["peer_median"] == 75.0 and r["position"] == "above the peer range"
    assert r["percentile"] == pytest.approx(100 * 2.5 / 3)
    with pytest.raises(SchemaError, match="more than one value"):
        benchmark(pd.concat([vals, vals.iloc[2:3]]), "01000010000000", peers)
    assert "rate" in b.summary()


def test_benchmark_on_shipped_extract_and_figure():
    d = cm.datasets.public_dashboard()
    grad = d[(d[C.INDICATOR] == "graduation") & (d[C.YEAR] == "2018-19")
             & (d[C.GROUP_CODE] == "ALL") & d[C.LEVEL].isin(["state", "district"])]  # fmt: skip
    feats = cm.compare.lea_features(
        directory=cm.datasets.public_directory(),
        shares=cm.compare.group_shares(d, indicator="graduation", year="2018-19"),
        baseline=grad[[C.CDS, C.VALUE]],
    )
    auhsd = "30664310000000"
    peers = find_peers(feats, auhsd, k=8)
    assert len(peers.peers(auhsd)) == 8
    assert (feats.loc[peers.peers(auhsd), C.LEA_TYPE] == "district").all()
    b = benchmark(grad[[C.CDS, C.VALUE]], auhsd, peers, label="Graduation (%)")
    r = b.table.iloc[0]
    assert r["estimate"] == 88.8 and r["state"] == 85.9  # CDE's published values
    data = cm.viz.peer_benchmark_data(b)
    _fig, ax = cm.viz.peer_benchmark(b)
    band = [p for p in ax.patches if p.get_gid() == "peer-band"]
    assert len(band) == 1 and band[0].get_width() == pytest.approx(
        data["peer_q75"].iloc[0] - data["peer_q25"].iloc[0])  # fmt: skip
    dots = next(c for c in ax.collections if c.get_gid() == "lea-value")
    assert dots.get_offsets()[0][0] == pytest.approx(88.8)
    assert b.plot_data().equals(data)


@pytest.mark.parametrize("package", ["compare", "datasets"])
def test_every_listed_public_name_resolves(package):
    mod = getattr(cm, package)
    for name in mod.__all__:
        assert getattr(mod, name) is not None, f"cm.{package}.{name}"
