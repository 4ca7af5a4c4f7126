"""Best practices from the Priority 3 narratives: the codebook applied per prompt, shares of
LEAs naming each practice, and how naming a practice goes with self-ratings.

Reference values: tests/reference/compare_practices_welch.R (R ``t.test(var.equal =
FALSE)`` on the public Priority 3 files of every LEA, data committed beside it). The
codebook's per-prompt coding is checked against the shipped practice counts of every LEA
(and, when the real files are beside the repository, against their full text).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

import cei_metrics as cm
from cei_metrics.compare import (
    PRACTICES,
    code_narratives,
    practice_association,
    practice_shares,
    prompt_kind,
    size_bands,
)
from cei_metrics.errors import EstimationError, SchemaError
from cei_metrics.schemas import C

REF = Path(__file__).resolve().parents[1] / "reference"
CODES = list(PRACTICES)


def _tables_from_reference():
    d = pd.read_csv(REF / "compare_practices_welch_data.csv", comment="#", dtype={"cds": str})
    prac = d[["cds", "home_visits", "surveys", "family_liaisons"]].assign(year="2022-23")
    r1 = d[["cds", "rating"]].assign(year="2022-23", item="x")
    r2 = d[["cds"]].assign(year="2023-24", item="x", rating=d["rating"] + d["change"])
    return prac, pd.concat([r1, r2], ignore_index=True)


def test_welch_equals_r_t_test():
    ref = pd.read_csv(REF / "compare_practices_welch.csv", comment="#", skipinitialspace=True)
    prac, ratings = _tables_from_reference()
    res = practice_association(prac, ratings)
    got = res.table.set_index(["practice", "outcome"])
    for _, r in ref.iterrows():
        g = got.loc[(r["practice"], r["outcome"])]
        for col in ("estimate", "std_error", "ci_low", "ci_high", "p_val", "df"):
            assert g[col] == pytest.approx(r[col], rel=1e-9, abs=1e-12), col
        assert (g["n_named"], g["n_not"]) == (r["n_named"], r["n_not"])


def test_shipped_extracts_give_the_r_values():
    """The whole path on the public extracts (every LEA) gives what R gave."""
    ref = pd.read_csv(REF / "compare_practices_welch.csv", comment="#", skipinitialspace=True)
    res = practice_association(cm.datasets.public_p3_practices(), cm.datasets.public_p3_ratings())
    assert (res.year, res.next_year) == ("2022-23", "2023-24")
    got = res.table.set_index(["practice", "outcome"])
    for _, r in ref.iterrows():
        g = got.loc[(r["practice"], r["outcome"])]
        assert g["estimate"] == pytest.approx(r["estimate"], abs=1e-12)
        assert (g["ci_low"], g["ci_high"]) == pytest.approx((r["ci_low"], r["ci_high"]), abs=1e-12)
    assert set(res.table["practice"]) == set(CODES) and res.table["p_holm"].between(0, 1).all()
    assert (res.table["p_holm"] >= res.table["p_val"] - 1e-15).all()
    assert "Associational" in res.summary()


def _planted(n=600, effect=0.3, seed=7):
    rng = np.random.default_rng(seed)
    named = rng.random(n) < 0.4
    other = rng.random(n) < 0.5
    base = rng.normal(3.5, 0.5, n)
    change = effect * named + rng.normal(0, 0.4, n)
    cds = [f"{i:014d}" for i in range(n)]
    prac = pd.DataFrame({C.CDS: cds, C.YEAR: "2022-23", "planted": named, "null": other})
    ratings = pd.concat(
        [
            pd.DataFrame({C.CDS: cds, C.YEAR: "2022-23", C.ITEM: "x", C.RATING: base}),
            pd.DataFrame({C.CDS: cds, C.YEAR: "2023-24", C.ITEM: "x", C.RATING: base + change}),
        ],
        ignore_index=True,
    )
    return prac, ratings


@pytest.mark.parametrize("method", ["welch", "bootstrap"])
def test_planted_difference_is_recovered(method):
    prac, ratings = _planted()
    res = practice_association(prac, ratings, method=method, seed=3, n_boot=999)
    t = res.table.set_index(["practice", "outcome"])
    hit = t.loc[("planted", "change")]
    assert hit["ci_low"] < 0.3 < hit["ci_high"] and hit["ci_low"] > 0.15
    null = t.loc[("null", "change")]
    assert null["ci_low"] < 0 < null["ci_high"]
    lvl = t.loc[("planted", "rating")]
    assert lvl["ci_low"] < 0 < lvl["ci_high"]  # no level difference was planted
    if method == "bootstrap":
        again = practice_association(prac, ratings, method=method, seed=3, n_boot=999)
        pd.testing.assert_frame_equal(res.table, again.table)
        assert res.seed == 3 and np.isnan(hit["p_val"])


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000))
def test_swapping_the_groups_negates_the_difference(seed):
    prac, ratings = _planted(n=60, seed=seed)
    prac["flipped"] = ~prac["planted"]
    res = practice_association(prac, ratings, codes=["planted", "flipped"], min_group=2)
    t = res.table.set_index(["practice", "outcome"])
    for outcome in ("rating", "change"):
        a, b = t.loc[("planted", outcome)], t.loc[("flipped", outcome)]
        assert b["estimate"] == pytest.approx(-a["estimate"])
        assert (b["ci_low"], b["ci_high"]) == pytest.approx((-a["ci_high"], -a["ci_low"]))
        assert b["p_val"] == pytest.approx(a["p_val"])


def test_association_errors_and_small_groups():
    prac, ratings = _planted(n=40)
    prac["rare"] = False
    prac.loc[0, "rare"] = True
    res = practice_association(prac, ratings)
    assert "rare" not in set(res.table["practice"]) and any("rare" in n for n in res.notes)
    with pytest.raises(SchemaError, match="method"):
        practice_association(prac, ratings, method="magic")
    with pytest.raises(EstimationError, match="share no year"):
        practice_association(prac.assign(**{C.YEAR: "2010-11"}), ratings)
    one_year = ratings[ratings[C.YEAR] == "2022-23"]
    assert set(practice_association(prac, one_year).table["outcome"]) == {"rating"}


def test_codebook_rules_are_the_practices_of_the_shipped_counts():
    cb = cm.text.load_codebook("engagement_practices")
    assert [c.id for c in cb.codes] == CODES
    for code in CODES:
        en = {r.pattern for r in cb.rules if r.code == code and r.language == "en"}
        assert en == set(PRACTICES[code]), code


def test_code_narratives_by_prompt_and_pooled_agree_with_the_shipped_counts():
    nar = cm.datasets.public_p3_narratives()
    pooled = code_narratives(nar, by_prompt=False).sort_values([C.CDS, C.YEAR])
    ship = cm.datasets.public_p3_practices()
    ship = ship[ship[C.CDS].isin(nar[C.CDS])].sort_values([C.CDS, C.YEAR])
    np.testing.assert_array_equal(pooled[CODES].to_numpy(), ship[CODES].to_numpy())
    np.testing.assert_array_equal(pooled["n_words"].to_numpy(), ship["n_words"].to_numpy())
    per = code_narratives(nar)
    assert set(per["prompt_kind"]) == {"strengths", "focus_areas", "underrepresented_families"}
    assert len(per) == 3 * len(pooled)
    # a practice is named in the pooled text exactly when some prompt names it
    anyp = per.groupby([C.CDS, C.YEAR])[CODES].any().sort_index()
    np.testing.assert_array_equal(anyp.to_numpy(), pooled.set_index([C.CDS, C.YEAR])[CODES])
    # the fast matcher finds what suggest_codes finds, text by text
    sample = nar.head(30).reset_index(drop=True)
    sug = cm.text.suggest_codes(sample[C.TEXT], "engagement_practices", languages=["en"])
    found = sug.by_segment().groupby("segment_id")["code"].apply(set)
    mine = code_narratives(sample.assign(**{C.CDS: sample.index.astype(str).str.zfill(14)}))
    for i in range(len(sample)):
        row = mine[mine[C.CDS] == str(i).zfill(14)].iloc[0]
        assert {c for c in CODES if row[c]} == found.get(i, set())


def test_full_text_of_every_lea_agrees_with_the_shipped_counts(shared_cde):
    files = [shared_cde / f"localind_priority3_family_engagement_{y}.xlsx" for y in (2023, 2024)]
    nar = pd.concat([cm.io.read_p3_narratives(f) for f in files], ignore_index=True)
    pooled = code_narratives(nar, by_prompt=False).sort_values([C.CDS, C.YEAR])
    ship = cm.datasets.public_p3_practices().sort_values([C.CDS, C.YEAR])
    assert len(pooled) == len(ship)
    np.testing.assert_array_equal(pooled[CODES].to_numpy(), ship[CODES].to_numpy())


def test_prompt_kinds():
    assert prompt_kind("Narrative1aRelationshipsStrength") == "strengths"
    assert prompt_kind("Narrative3bInputFocusAreas") == "focus_areas"
    assert prompt_kind("Narrative2cPartnershipsImproveEn") == "underrepresented_families"
    assert prompt_kind("", "how the LEA will improve engagement of underrepresented families")
    assert prompt_kind("notes", "") == "other"


def test_shares_by_type_and_size_use_wilson():
    prac = cm.datasets.public_p3_practices()
    prac = prac[prac[C.YEAR] == "2023-24"].copy()
    prac["size"] = size_bands(pd.Series(np.arange(len(prac)), index=prac.index))
    res = practice_shares(prac, by=[C.LEA_TYPE, "size"], codes=["surveys", "home_visits"])
    t = res.to_frame()
    row = t[(t[C.LEA_TYPE] == "district") & (t["code"] == "surveys") & (t["size"] == "larger")]
    grp = prac[(prac[C.LEA_TYPE] == "district") & (prac["size"] == "larger")]
    x, n = int(grp["surveys"].sum()), len(grp)
    lo, hi = proportion_confint(x, n, method="wilson")
    r = row.iloc[0]
    assert (r["n"], r["count"]) == (n, x)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi), abs=1e-12)
    with pytest.raises(SchemaError, match="lacks"):
        practice_shares(prac, by=["nope"])


def test_size_bands_are_terciles():
    s = pd.Series([5, 1, 9, np.nan, 3, 7, 2, 8, 4, 6])
    b = size_bands(s)
    assert b.iloc[3] == "unknown"
    assert (b == "smaller").sum() == (b == "middle").sum() == (b == "larger").sum() == 3
    assert b.iloc[1] == "smaller" and b.iloc[2] == "larger"


def test_figure_of_the_association(tmp_path):
    res = practice_association(cm.datasets.public_p3_practices(), cm.datasets.public_p3_ratings())
    fig, _ = res.plot()
    d = res.plot_data()
    assert len(d) == 12 and set(d["outcome"]) == {"change"}
    cm.viz.save(fig, "assoc", caption="c", alt_text="a", data=d, out_dir=tmp_path,
                synthetic=False)  # fmt: skip
    assert cm.privacy.audit(tmp_path).ok


def test_live_r_reproduces_the_committed_values(tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed; the committed values are tested above")
    for name in ("compare_practices_welch.R", "compare_practices_welch_data.csv"):
        shutil.copy(REF / name, tmp_path)
    subprocess.run(["Rscript", str(tmp_path / "compare_practices_welch.R")], check=True,
                   capture_output=True)  # fmt: skip
    a = pd.read_csv(tmp_path / "compare_practices_welch.csv", comment="#", skipinitialspace=True)
    b = pd.read_csv(REF / "compare_practices_welch.csv", comment="#", skipinitialspace=True)
    pd.testing.assert_frame_equal(a, b)
