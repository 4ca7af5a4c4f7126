"""Raked weights in use: ``rake(...).apply(survey)`` writes the survey's ``weight`` column
and every indicator that takes ``weights="weight"`` honours it.

Reference values: tests/reference/indicators_weights_raked_scores.R (R survey::rake on
278 demo respondents, then svymean of the respondent trust score and of the favorable
answers under the raked weights).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cei_metrics.indicators as ind
from cei_metrics.schemas import C

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
MARGINS = {C.LANGUAGE: {"en": 5200, "es": 2800}, C.EL_FAMILY: {False: 6100, True: 1900}}
ITEMS = ["trust_1", "trust_2", "trust_3", "trust_4"]


def _ref(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name, comment="#", skipinitialspace=True,
                       dtype={"respondent_id": str})  # fmt: skip


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    wide = pd.read_csv(
        REFERENCE / "indicators_weights_raked_survey.csv",
        comment="#",
        dtype={"respondent_id": str, "district_id": str},
    )
    long = wide.melt(
        id_vars=["respondent_id", "district_id", "language", "el_family"],
        value_vars=ITEMS,
        var_name=C.ITEM,
        value_name=C.VALUE,
    )
    long[C.WAVE] = 4
    long[C.YEAR] = "2024-25"
    long[C.SCHOOL_ID] = ""
    long[C.ROLE] = "family"
    long[C.INSTRUMENT] = "family_engagement"
    long[C.MISSING_REASON] = np.where(long[C.VALUE].isna(), "no_response", "")
    long[C.EL_FAMILY] = long[C.EL_FAMILY].astype(bool)
    return long.sort_values([C.RESPONDENT_ID, C.ITEM]).reset_index(drop=True)


@pytest.fixture(scope="module")
def raked(survey):
    res = ind.rake(survey, MARGINS)
    return res, res.apply(survey)


def test_apply_writes_one_weight_per_respondent_equal_to_r(raked):
    res, out = raked
    assert C.WEIGHT in out.columns and out[C.WEIGHT].notna().all()
    assert (out.groupby(C.RESPONDENT_ID)[C.WEIGHT].nunique() == 1).all()
    w = out.drop_duplicates(C.RESPONDENT_ID).set_index(C.RESPONDENT_ID)[C.WEIGHT]
    ref = _ref("indicators_weights_raked_weights.csv").set_index("respondent_id")["w"]
    np.testing.assert_allclose(w.loc[ref.index], ref, rtol=1e-9)
    assert w.sum() == pytest.approx(8000)
    assert res.n_effective < res.n and res.design_effect > 1


def test_scale_score_honours_the_weight_column(raked):
    _, out = raked
    ref = _ref("indicators_weights_raked_estimates.csv").set_index("statistic")
    w = ind.scale_score(out, by=[C.WAVE], weights=C.WEIGHT).table
    u = ind.scale_score(out, by=[C.WAVE]).table
    wt, ut = (t[t["scale"] == "trust"].iloc[0] for t in (w, u))
    assert wt["estimate"] == pytest.approx(ref.loc["score_fixed", "estimate"], abs=1e-10)
    assert wt["std_error"] == pytest.approx(ref.loc["score_fixed", "std_error"], rel=1e-8)
    assert ut["estimate"] == pytest.approx(ref.loc["score_unweighted", "estimate"], abs=1e-10)
    assert ut["std_error"] == pytest.approx(ref.loc["score_unweighted", "std_error"], rel=1e-8)
    assert abs(wt["estimate"] - ut["estimate"]) > 1e-3  # the weights moved the estimate


def test_percent_favorable_honours_the_weight_column(raked):
    _, out = raked
    ref = _ref("indicators_weights_raked_estimates.csv").set_index("statistic")
    w = ind.percent_favorable(out, scale="trust", by=[C.WAVE], weights=C.WEIGHT).table.iloc[0]
    u = ind.percent_favorable(out, scale="trust", by=[C.WAVE]).table.iloc[0]
    assert w["estimate"] == pytest.approx(ref.loc["favorable", "estimate"], abs=1e-10)
    assert w["std_error"] == pytest.approx(ref.loc["favorable", "std_error"], rel=1e-8)
    assert u["estimate"] == pytest.approx(ref.loc["favorable_unweighted", "estimate"], abs=1e-10)
    assert u["std_error"] == pytest.approx(ref.loc["favorable_unweighted", "std_error"], rel=1e-8)


def test_weighted_representativeness_reaches_the_margins(raked, survey):
    _, out = raked
    before = ind.representativeness(survey, MARGINS).to_frame()
    after = ind.representativeness(out, MARGINS, weights=C.WEIGHT).to_frame()
    np.testing.assert_allclose(after["weighted_share"], after["population_share"], atol=1e-10)
    assert (before["difference"].abs() > 0.05).any()  # respondents were not like the families


def test_live_r_reproduces_the_committed_values(tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed; the committed values are tested above")
    shutil.copy(REFERENCE / "indicators_weights_raked_survey.csv", tmp_path)
    shutil.copy(REFERENCE / "indicators_weights_raked_scores.R", tmp_path)
    subprocess.run(
        ["Rscript", str(tmp_path / "indicators_weights_raked_scores.R")],
        check=True,
        capture_output=True,
    )
    for name in ("indicators_weights_raked_weights.csv", "indicators_weights_raked_estimates.csv"):
        a = pd.read_csv(tmp_path / name, comment="#", skipinitialspace=True)
        b = _ref(name)
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_family_frame_and_margins_from_the_roster(demo):
    import cei_metrics as cm

    s = demo.survey[demo.survey[C.WAVE] == 4]
    ids = sorted(s[C.DISTRICT_ID].unique())
    r = demo.roster.set_index(C.DISTRICT_ID).loc[ids]
    frame = ind.family_frame(demo.roster, ids)
    assert frame[C.N_INVITED].sum() == pytest.approx(r[C.N_FAMILIES].sum())
    by_lang = ind.family_frame(demo.roster, ids, by=[C.DISTRICT_ID, C.LANGUAGE])
    per = by_lang.groupby(C.DISTRICT_ID)[C.N_INVITED].sum()
    np.testing.assert_allclose(per.loc[ids], r[C.N_FAMILIES])
    m = ind.family_margins(demo.roster, ids)
    totals = [v["families"].sum() for v in m.values()]
    assert totals == pytest.approx([r[C.N_FAMILIES].sum()] * 2)
    res = ind.rake(s, m)
    assert res.converged
    w = res.apply(s).drop_duplicates(C.RESPONDENT_ID)
    # each district's weighted respondents add up to its families
    np.testing.assert_allclose(
        w.groupby(C.DISTRICT_ID)[C.WEIGHT].sum().loc[ids], r[C.N_FAMILIES], rtol=1e-9
    )
    pooled = ind.family_margins(demo.roster, ids, by_district=False)
    assert pooled[C.LANGUAGE].sum() == pytest.approx(r[C.N_FAMILIES].sum())
    with pytest.raises(cm.errors.SchemaError, match="not in the roster"):
        ind.family_frame(demo.roster, ["9999999"])
    with pytest.raises(cm.errors.SchemaError, match="lacks"):
        ind.family_margins(demo.roster.drop(columns=C.PCT_EL))
    with pytest.raises(cm.errors.SchemaError, match="not available"):
        ind.family_frame(demo.roster, by=[C.EL_FAMILY])
