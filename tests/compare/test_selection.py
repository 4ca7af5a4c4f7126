"""Need and readiness indices: the formula by hand, the missing-component rule, ranks
within LEA type, rank stability against scipy, and the real shipped extracts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kendalltau

import cei_metrics as cm
from cei_metrics.compare import (
    narrative_practices,
    need_components,
    rank_stability,
    readiness_components,
    selection_indices,
)
from cei_metrics.errors import SchemaError
from cei_metrics.schemas import C


def _need():
    return pd.DataFrame(
        {
            C.LEA_TYPE: ["district"] * 4 + ["charter"] * 3,
            "chronic_absenteeism": [10.0, 20.0, 30.0, np.nan, 5.0, 15.0, 25.0],
            "graduation": [90.0, 80.0, 95.0, 70.0, np.nan, np.nan, np.nan],
        },
        index=pd.Index([f"01{i:05d}0000000" for i in range(1, 5)]
                       + [f"0110017{i:07d}" for i in range(1, 4)], name=C.CDS),
    )  # fmt: skip


def _ready(idx):
    return pd.DataFrame({C.LEA_TYPE: ["district"] * 4 + ["charter"] * 3,
                         "p3_mean": [3.0, 4.0, 2.0, 5.0, 3.0, 3.5, 4.0]}, index=idx)  # fmt: skip


def test_index_by_hand_with_missing_components():
    need = _need()
    sel = selection_indices(need, _ready(need.index),
                            need_weights={"chronic_absenteeism": 1.0, "graduation": 0.5})  # fmt: skip
    t = sel.table.set_index(C.CDS)
    d = need[need[C.LEA_TYPE] == "district"]
    z_ca = (d["chronic_absenteeism"] - d["chronic_absenteeism"].mean()) / d[
        "chronic_absenteeism"].std(ddof=1)  # fmt: skip
    z_gr = -(d["graduation"] - d["graduation"].mean()) / d["graduation"].std(ddof=1)
    expect = (1.0 * z_ca + 0.5 * z_gr) / 1.5
    first = d.index[0]
    assert t.loc[first, "need"] == pytest.approx(expect[first])
    # the fourth district has no chronic absenteeism: its index is its graduation z alone
    fourth = d.index[3]
    assert t.loc[fourth, "need"] == pytest.approx(z_gr[fourth])
    assert t.loc[fourth, "n_need"] == 1 and t.loc[first, "n_need"] == 2
    # charters are standardised and ranked among charters
    ch = t[t[C.LEA_TYPE] == "charter"]
    assert sorted(ch["need_rank"]) == [1, 2, 3] and ch["n_in_type"].eq(3).all()
    assert ch["need"].sum() == pytest.approx(0.0)  # one component: mean z within type is 0
    # ranks: 1 = most need
    dist = t[t[C.LEA_TYPE] == "district"].sort_values("need", ascending=False)
    assert dist["need_rank"].tolist() == [1, 2, 3, 4]
    assert sel.table["quadrant"].str.contains("need").all()


def test_min_components_and_zero_weights():
    need = _need()
    sel = selection_indices(need, _ready(need.index), min_components=2,
                            need_weights={"chronic_absenteeism": 1, "graduation": 1})  # fmt: skip
    t = sel.table.set_index(C.CDS)
    assert np.isnan(t.loc["01000040000000", "need"])  # one component only
    assert t["need"].notna().sum() == 3
    sel0 = selection_indices(need, _ready(need.index),
                             need_weights={"chronic_absenteeism": 1, "graduation": 0})  # fmt: skip
    assert list(sel0.need_weights) == ["chronic_absenteeism"]
    assert "left out" in sel0.summary()


def test_weights_scale_free_and_directions():
    need = _need()
    r = _ready(need.index)
    a = selection_indices(need, r, need_weights={"chronic_absenteeism": 1, "graduation": 1})
    b = selection_indices(need.assign(graduation=need["graduation"] * 10 + 3), r,
                          need_weights={"chronic_absenteeism": 7, "graduation": 7})  # fmt: skip
    np.testing.assert_allclose(a.table["need"], b.table["need"])
    flipped = selection_indices(need, r, need_weights={"graduation": 1},
                                need_directions={"graduation": +1})  # fmt: skip
    m = a.table[C.LEA_TYPE] == "district"
    only_grad = selection_indices(need, r, need_weights={"graduation": 1})
    np.testing.assert_allclose(flipped.table.loc[m, "need"], -only_grad.table.loc[m, "need"])


def test_unknown_type_and_bad_weight():
    need = _need().drop(columns=C.LEA_TYPE)
    with pytest.raises(SchemaError, match="LEA type unknown"):
        selection_indices(need, need[["graduation"]].rename(columns={"graduation": "p3_mean"}))
    with pytest.raises(SchemaError, match="weight"):
        selection_indices(_need(), _ready(_need().index), need_weights={"graduation": -1})


def test_rank_stability_against_scipy_and_degenerate_spread():
    rng = np.random.default_rng(1)
    n = 60
    idx = pd.Index([f"19{i:05d}0000000" for i in range(n)], name=C.CDS)
    need = pd.DataFrame({C.LEA_TYPE: "district", "chronic_absenteeism": rng.normal(10, 3, n),
                         "suspension": rng.normal(3, 1, n), C.PCT_EL: rng.uniform(0, 60, n)},
                        index=idx)  # fmt: skip
    ready = pd.DataFrame({C.LEA_TYPE: "district", "p3_mean": rng.uniform(1, 5, n),
                          "practices": rng.integers(0, 12, n).astype(float)}, index=idx)  # fmt: skip
    sel = selection_indices(need, ready)
    flat = rank_stability(sel, n_draws=5, spread=0.0, seed=3)
    assert (flat.table["estimate"] == 1.0).all() and (flat.table["top_k_overlap"] == 1).all()
    s1 = rank_stability(sel, n_draws=30, spread=0.7, top_k=10, seed=11)
    s2 = rank_stability(sel, n_draws=30, spread=0.7, top_k=10, seed=11)
    pd.testing.assert_frame_equal(s1.table, s2.table)
    assert s1.seed == 11 and "seed 11" in s1.summary()
    row = s1.table.set_index("axis").loc["need"]
    assert -1 <= row["tau_p05"] <= row["estimate"] <= row["tau_p95"] <= 1
    assert 0 <= row["top_k_p05"] <= row["top_k_overlap"] <= 1 and row["top_k"] == 10
    # recompute the draws by hand: same generator, same multiplicative rule, scipy tau
    from cei_metrics.compare.selection import _index, _rank_within

    g = np.random.default_rng(11)
    w = sel.need_weights
    taus = []
    base = sel.table["need_rank"].to_numpy(float)
    types = sel.table[C.LEA_TYPE].to_numpy(object)
    for _ in range(30):
        wb = {c: w[c] * float(np.exp(0.7 * g.standard_normal())) for c in w}
        i, _n = _index(sel.need_z, wb, sel.need_directions, 1)
        taus.append(kendalltau(base, _rank_within(i, types)).statistic)
    assert row["estimate"] == pytest.approx(np.mean(taus), abs=1e-12)
    lr = s1.lea_ranks
    assert set(lr["axis"]) == {"need", "readiness"} and len(lr) == 2 * n
    assert (lr["rank_p05"] <= lr["rank_p95"]).all()


@settings(max_examples=30, deadline=None)
@given(st.integers(5, 30), st.integers(0, 2**32 - 1),
       st.lists(st.floats(0.1, 5), min_size=3, max_size=3))  # fmt: skip
def test_index_is_weighted_mean_of_within_type_z(n, seed, w):
    rng = np.random.default_rng(seed)
    idx = pd.Index([f"19{i:05d}0000000" for i in range(n)], name=C.CDS)
    comps = ["chronic_absenteeism", "suspension", C.PCT_UPC]
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=comps, index=idx)
    X.iloc[0, 1] = np.nan
    need = X.assign(**{C.LEA_TYPE: "district"})
    ready = pd.DataFrame({C.LEA_TYPE: "district", "p3_mean": rng.normal(size=n)}, index=idx)
    sel = selection_indices(need, ready, need_weights=dict(zip(comps, w)))
    Z = (X - X.mean()) / X.std(ddof=1)
    ww = np.array(w)
    num = (Z.fillna(0).to_numpy() * ww).sum(axis=1)
    den = (Z.notna().to_numpy() * ww).sum(axis=1)
    np.testing.assert_allclose(sel.table["need"], num / den, rtol=1e-9, atol=1e-12)
    assert sel.table["n_need"].tolist() == Z.notna().sum(axis=1).tolist()


def test_narrative_practices_keywords():
    nar = pd.DataFrame({
        C.CDS: ["01000010000000"] * 2 + ["01000020000000"],
        C.YEAR: "2023-24",
        C.TEXT: ["Our DELAC meets monthly; Home visits by family liaisons.",
                 "Interpreters at every meeting; ParentSquare two-way messages.",
                 "Academic goals were discussed; the dactylic meter; no practices here."],
    })  # fmt: skip
    p = narrative_practices(nar).set_index(C.CDS)
    a = p.loc["01000010000000"]
    assert a["advisory_groups"] and a["home_visits"] and a["family_liaisons"]
    assert a["language_access"] and a["two_way_communication"]
    assert a["n_practices"] == 5 and a["n_words"] == 16
    b = p.loc["01000020000000"]
    assert b["n_practices"] == 0  # "academic" and "dactylic" are not DAC: whole words only


def test_components_from_tables():
    ratings = pd.DataFrame({
        C.CDS: ["01000010000000"] * 4 + ["01000020000000"] * 2,
        C.LEA_TYPE: "district", C.TOOL: "priority3_self_reflection",
        C.YEAR: ["2022-23", "2022-23", "2023-24", "2023-24", "2022-23", "2022-23"],
        C.RATING: [2.0, 3.0, 4.0, np.nan, 5.0, 5.0],
    })  # fmt: skip
    r = readiness_components(ratings=ratings)
    assert r.attrs["year"] == "2023-24" and list(r.index) == ["01000010000000"]
    assert r.loc["01000010000000", "p3_mean"] == 4.0
    assert r.loc["01000010000000", "p3_change"] == pytest.approx(1.5)
    out = pd.DataFrame({
        C.CDS: ["01000010000000"] * 3 + ["00000000000000"],
        C.LEA_TYPE: ["district"] * 3 + ["state"],
        C.LEVEL: ["district"] * 3 + ["state"],
        C.YEAR: "2018-19", C.INDICATOR: "graduation",
        C.GROUP_CODE: ["ALL", "EL", "SWD", "ALL"],
        C.VALUE: [88.0, 70.0, 60.0, 85.0], C.COLOR: [3.0, 1.0, 1.0, np.nan],
        C.STATUS_LEVEL: [3.0, 1.0, 1.0, np.nan],
    })  # fmt: skip
    n = need_components(outcomes=out)
    assert n.loc["01000010000000", "graduation"] == 88.0
    assert n.loc["01000010000000", "red_groups"] == 2
    assert "00000000000000" not in n.index


def test_selection_on_shipped_real_extracts():
    ratings = cm.datasets.public_p3_ratings()
    ready = readiness_components(ratings=ratings, practices=cm.datasets.public_p3_practices(),
                                 p3_met=cm.datasets.public_p3_met())  # fmt: skip
    need = need_components(outcomes=cm.datasets.public_dashboard())
    names = ratings.drop_duplicates(C.CDS).set_index(C.CDS)[C.NAME]
    sel = selection_indices(need, ready, names=names)
    t = sel.table
    # every LEA of the 2023-24 Priority 3 file is ranked on readiness
    assert len(t[t["readiness"].notna()]) == 2262 == len(ready)
    assert set(t[C.LEA_TYPE]) == {"district", "charter", "county office"}
    assert need.attrs["year"] == "2018-19"
    for _lt, g in t.dropna(subset=["need"]).groupby(C.LEA_TYPE):
        assert g["need_rank"].min() == 1
    _fig, ax = cm.viz.need_readiness(sel, highlight=["30664310000000"])
    data = cm.viz.need_readiness_data(sel, highlight=["30664310000000"])
    pts = next(c for c in ax.collections if c.get_gid() == "leas")
    assert len(pts.get_offsets()) == int((~data["highlight"]).sum())
    assert sel.plot_data(highlight=["30664310000000"]).equals(data)


def test_rows_are_keyed_by_lea_and_the_call_recorded():
    need = _need()
    sel = selection_indices(need, _ready(need.index))
    frame = sel.to_frame()
    assert frame["term"].tolist() == frame[C.CDS].tolist()
    assert sel.call["function"] == "selection_indices" and sel.call["min_components"] == 1
    stab = rank_stability(sel, n_draws=5, seed=3)
    assert list(stab.to_frame().columns[:3]) == ["term", "estimate", "n"]
    assert stab.call["seed"] == 3 and stab.call["result"] == "<SelectionResult>"
