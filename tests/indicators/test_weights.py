"""Response rates, representativeness and raking: R survey::rake / trimWeights on
apiclus1, a planted-truth population, and properties of raked weights."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cei_metrics.indicators as ind
from cei_metrics.errors import EstimationError, SchemaError
from cei_metrics.schemas import C

from .conftest import make_survey

REFERENCE = Path(__file__).resolve().parents[1] / "reference"

TYPES = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}
COMPIMP = {"No": 1712, "Yes": 4482}  # table(apipop$comp.imp)
JOINT = pd.DataFrame(  # xtabs(~stype + sch.wide, apipop)
    {
        "stype": ["E", "H", "M", "E", "H", "M"],
        "sch.wide": ["No", "No", "No", "Yes", "Yes", "Yes"],
        "Freq": [472, 334, 266, 3949, 421, 752],
    }
)
SCENARIOS = {
    "rake2": ({"stype": TYPES, "sch.wide": SCHWIDE}, None),
    "rake3": ({"stype": TYPES, "sch.wide": SCHWIDE, "comp.imp": COMPIMP}, None),
    "joint": ({("stype", "sch.wide"): JOINT, "comp.imp": COMPIMP}, None),
    "trim2": ({"stype": TYPES, "sch.wide": SCHWIDE}, (30.0, 50.0)),
}


@pytest.fixture(scope="module")
def api() -> pd.DataFrame:
    return pd.read_csv(
        REFERENCE / "indicators_weights_apiclus1.csv", comment="#", dtype={"cds": str}
    )


def _read(name: str, folder: Path = REFERENCE) -> pd.DataFrame:
    return pd.read_csv(folder / name, comment="#", skipinitialspace=True)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_rake_equals_r_survey(api, scenario):
    margins, trim = SCENARIOS[scenario]
    r_w = _read("indicators_weights_rake_apiclus1.csv")[scenario].to_numpy()
    r_est = _read("indicators_weights_rake_estimates.csv").set_index("scenario").loc[scenario]
    res = ind.rake(api, margins, weight="pw", trim=trim)
    w = res.weights.to_numpy()
    assert res.converged
    assert np.max(np.abs(w - r_w)) < 1e-6
    assert np.average(api["api00"], weights=w) == pytest.approx(r_est["mean_api00"], abs=1e-6)
    assert (w * api["enroll"]).sum() == pytest.approx(r_est["total_enroll"], rel=1e-9)
    assert w.sum() == pytest.approx(r_est["sum_weights"], rel=1e-12)
    if trim is None:
        m = res.margins
        np.testing.assert_allclose(m["estimate"], m["target"], rtol=1e-10)
    else:
        assert res.n_trimmed > 0 and w.min() >= 30 - 1e-9 and w.max() <= 50 + 1e-9


def test_trim_weights_equals_r_trimweights(api):
    raked = _read("indicators_weights_rake_apiclus1.csv")
    w, k = ind.trim_weights(raked["rake2"].to_numpy(), 30, 50)
    np.testing.assert_allclose(w, raked["trim2"].to_numpy(), atol=1e-9)
    # units trimmed in any round: at least those outside at the start
    assert int(((raked["rake2"] < 30) | (raked["rake2"] > 50)).sum()) <= k <= len(w)


@pytest.mark.slow
def test_live_r_reproduces_the_committed_values(tmp_path):
    """Re-run the R script (when R and survey are installed) and compare with the
    committed values."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed; the committed values are tested above")
    ok = subprocess.run(
        ["Rscript", "-e", "quit(status = !requireNamespace('survey', quietly = TRUE))"],
        capture_output=True,
    )
    if ok.returncode != 0:
        pytest.skip("R package survey is not installed")
    shutil.copy(REFERENCE / "indicators_weights_rake.R", tmp_path)
    subprocess.run(
        ["Rscript", str(tmp_path / "indicators_weights_rake.R")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name in ("indicators_weights_rake_apiclus1.csv", "indicators_weights_rake_estimates.csv"):
        new, old = _read(name, tmp_path), _read(name)
        num = new.select_dtypes("number").columns
        np.testing.assert_allclose(new[num].to_numpy(), old[num].to_numpy(), rtol=1e-12)


def test_design_effect_is_kish():
    rng = np.random.default_rng(0)
    w = rng.lognormal(0, 0.6, 500)
    deff, n_eff = ind.design_effect(w)
    assert deff == pytest.approx(1 + (w.std() / w.mean()) ** 2, rel=1e-12)
    assert n_eff == pytest.approx(len(w) / deff, rel=1e-12)


# --- planted truth ------------------------------------------------------------------------------


def test_raking_recovers_the_population_mean_of_a_biased_sample():
    """Population of 200,000 families: language (en/es) and EL status associated; the
    outcome rises with both; Spanish-speaking and EL families answer less often
    (response log-linear in the two, no interaction, so raking on the two margins
    removes the bias). Stated tolerance: the raked mean within 0.05 of the population
    mean (about 2.5 standard errors of a 5,000-respondent sample with deff 1.5), while
    the unweighted mean is more than 0.2 too low."""
    rng = np.random.default_rng(2019)
    n_pop = 200_000
    es = rng.random(n_pop) < 0.45
    el = rng.random(n_pop) < np.where(es, 0.55, 0.15)
    y = 3.0 + 0.5 * es + 0.6 * el + rng.normal(0, 1, n_pop)
    p_respond = 0.04 * np.where(es, 0.4, 1.0) * np.where(el, 0.5, 1.0)
    resp = rng.random(n_pop) < p_respond
    sample = pd.DataFrame(
        {"language": np.where(es, "es", "en")[resp], C.EL_FAMILY: el[resp], "y": y[resp]}
    )
    margins = {
        "language": {"en": int((~es).sum()), "es": int(es.sum())},
        C.EL_FAMILY: {False: int((~el).sum()), True: int(el.sum())},
    }
    res = ind.rake(sample, margins)
    truth = y.mean()
    raked = np.average(sample["y"], weights=res.weights)
    assert res.converged and len(sample) > 4000
    assert abs(raked - truth) < 0.05
    assert sample["y"].mean() - truth < -0.2
    assert res.weights.sum() == pytest.approx(n_pop)
    assert 1 < res.design_effect < 2 and res.n_effective < len(sample)


# --- properties -----------------------------------------------------------------------------------


@st.composite
def _raking_problem(draw):
    n = draw(st.integers(12, 60))
    k1, k2 = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    a = [i % k1 for i in range(n)]  # every level present
    b = draw(st.lists(st.integers(0, k2 - 1), min_size=n, max_size=n))
    b[:k2] = list(range(k2))
    w0 = draw(st.lists(st.floats(0.2, 5.0), min_size=n, max_size=n))
    t1 = draw(st.lists(st.floats(1.0, 100.0), min_size=k1, max_size=k1))
    t2 = draw(st.lists(st.floats(1.0, 100.0), min_size=k2, max_size=k2))
    t2 = [x * sum(t1) / sum(t2) for x in t2]
    df = pd.DataFrame({"a": a, "b": b, "w": w0})
    return df, {"a": dict(enumerate(t1)), "b": dict(enumerate(t2))}


@settings(max_examples=60, deadline=None)
@given(_raking_problem(), st.floats(0.01, 100.0))
def test_raked_margins_hit_targets_weights_positive_scale_invariant(problem, scale):
    df, margins = problem
    res = ind.rake(df, margins, weight="w", max_iter=2000)
    if not res.converged:  # sparse cells can make IPF converge slowly; then it says so
        assert "did not converge" in res.message
        return
    w = res.weights.to_numpy()
    assert (w > 0).all()
    for col, targets in margins.items():
        got = pd.Series(w).groupby(df[col].to_numpy()).sum()
        for level, t in targets.items():
            assert got[level] == pytest.approx(t, rel=1e-9, abs=1e-9)
    scaled = ind.rake(df.assign(w=df["w"] * scale), margins, weight="w", max_iter=2000)
    np.testing.assert_allclose(scaled.weights.to_numpy(), w, rtol=1e-8)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.1, 20.0), min_size=5, max_size=40),
    st.floats(0.3, 0.95),
    st.floats(1.05, 3.0),
)
def test_trim_keeps_total_and_bounds(w, lo_frac, hi_frac):
    w = np.array(w)
    mean = w.mean()
    lo, hi = lo_frac * mean, hi_frac * mean
    out, _ = ind.trim_weights(w, lo, hi)
    assert out.sum() == pytest.approx(w.sum(), rel=1e-12)
    assert out.min() >= lo - 1e-9 * mean and out.max() <= hi + 1e-9 * mean
    with pytest.raises(EstimationError, match="cannot all lie"):
        ind.trim_weights(w, 1.5 * w.max() + 1, 2 * w.max() + 2)


def test_cap_and_rerake(api):
    margins = {"stype": TYPES, "sch.wide": SCHWIDE}
    capped = ind.rake(api, margins, weight="pw", cap=1.4)
    assert capped.weights.max() <= 1.4 * 6194 / len(api) + 1e-9
    assert capped.max_error > 1  # trimming moved the margins
    both = ind.rake(api, margins, weight="pw", trim=(28.0, 60.0), rerake=True)
    assert both.converged, both.message
    assert both.weights.min() >= 28 - 1e-6 and both.weights.max() <= 60 + 1e-6
    np.testing.assert_allclose(both.margins["estimate"], both.margins["target"], rtol=1e-9)
    tight = ind.rake(api, margins, weight="pw", trim=(30.0, 55.0), rerake=True, max_iter=30)
    assert not tight.converged and "still off" in tight.message
    with pytest.raises(SchemaError, match="not both"):
        ind.rake(api, margins, trim=(1, 2), cap=3)


# --- units, apply, errors -----------------------------------------------------------------------------


def test_rake_long_survey_by_respondent_and_apply():
    survey = make_survey(200, seed=4).drop(columns=C.WEIGHT)
    margins = {C.LANGUAGE: {"en": 600, "es": 400}, C.EL_FAMILY: {False: 700, True: 300}}
    res = ind.rake(survey, margins)
    assert res.unit == (C.RESPONDENT_ID, C.WAVE) and res.n == 200
    out = res.apply(survey)
    per = out.groupby(C.RESPONDENT_ID)[C.WEIGHT].nunique()
    assert (per == 1).all()
    resp = out.drop_duplicates(C.RESPONDENT_ID)
    assert resp[C.WEIGHT].sum() == pytest.approx(1000)
    shares = resp.groupby(C.LANGUAGE)[C.WEIGHT].sum() / 1000
    assert shares["es"] == pytest.approx(0.4)
    fav = ind.percent_favorable(out, weights=C.WEIGHT)
    assert fav.details["weights"] == C.WEIGHT
    # shares as margins: scaled to the sum of the initial weights (200 respondents)
    sh = ind.rake(survey, {C.LANGUAGE: {"en": 0.6, "es": 0.4}})
    assert sh.weights.sum() == pytest.approx(200) and sh.notes


def test_rake_errors_name_the_problem(api):
    with pytest.raises(SchemaError, match="no population total") as e:
        ind.rake(api, {"stype": {"E": 4421, "H": 755}}, weight="pw")
    assert e.value.column == "stype" and e.value.row is not None
    with pytest.raises(EstimationError, match="same population total"):
        ind.rake(api, {"stype": TYPES, "sch.wide": {"No": 1, "Yes": 2}})
    with pytest.raises(EstimationError, match="no respondent is in level"):
        ind.rake(api, {"stype": {**TYPES, "K": 10}, "sch.wide": {"No": 1082, "Yes": 5122}})
    varying = make_survey(20, seed=1)
    varying.loc[varying.index[1], C.LANGUAGE] = "zz"
    varying.loc[varying.index[0], C.LANGUAGE] = "en"
    with pytest.raises(SchemaError, match="several values within one respondent"):
        ind.rake(varying, {C.LANGUAGE: {"en": 1, "es": 1, "zz": 1}})


# --- response rates and representativeness --------------------------------------------------------


def _frame_rows(counts: dict[tuple[str, str], int]) -> pd.DataFrame:
    rows = [
        {C.DISTRICT_ID: d, C.LANGUAGE: lang} for (d, lang), n in counts.items() for _ in range(n)
    ]
    return pd.DataFrame(rows)


def test_response_rate_counts_and_wilson():
    survey = make_survey(120, seed=2, missing=0.0)
    # one respondent answered nothing: not a respondent
    blank = survey[C.RESPONDENT_ID] == "R0000"
    survey.loc[blank, C.VALUE] = np.nan
    resp = survey[~blank].drop_duplicates(C.RESPONDENT_ID)
    counts = resp.groupby([C.DISTRICT_ID, C.LANGUAGE]).size()
    invited = {k: int(v * 2 + 3) for k, v in counts.items()}
    invited[("1000009", "en")] = 40  # a district nobody answered in
    frame = _frame_rows(invited)
    res = ind.response_rate(survey, frame, by=[C.DISTRICT_ID, C.LANGUAGE])
    t = res.to_frame().set_index([C.DISTRICT_ID, C.LANGUAGE])
    for key, n in invited.items():
        x = int(counts.get(key, 0))
        assert t.loc[key, "n"] == n and t.loc[key, "count"] == x
        assert t.loc[key, "estimate"] == pytest.approx(x / n)
        lo, hi = ind.wilson_ci(x, n)
        assert (t.loc[key, "ci_low"], t.loc[key, "ci_high"]) == pytest.approx(
            (float(lo), float(hi))
        )
    assert t.loc[("1000009", "en"), "estimate"] == 0
    agg = pd.DataFrame(
        [{C.DISTRICT_ID: d, C.LANGUAGE: lang, C.N_INVITED: n} for (d, lang), n in invited.items()]
    )
    pd.testing.assert_frame_equal(
        ind.response_rate(survey, agg, by=[C.DISTRICT_ID, C.LANGUAGE]).to_frame(), res.to_frame()
    )
    everyone = ind.response_rate(survey, agg, by=[C.DISTRICT_ID, C.LANGUAGE], answered_only=False)
    assert everyone.to_frame()["count"].sum() == res.to_frame()["count"].sum() + 1
    assert "Wilson" in res.summary()


def test_response_rate_errors():
    survey = make_survey(40, seed=3)
    frame = pd.DataFrame({C.DISTRICT_ID: ["1000000"], C.N_INVITED: [5]})
    with pytest.raises(SchemaError, match="no row in the frame"):
        ind.response_rate(survey, frame)
    frame = pd.DataFrame({C.DISTRICT_ID: ["1000000", "1000001"], C.N_INVITED: [5, 100]})
    with pytest.raises(EstimationError, match="respondents but 5 invited"):
        ind.response_rate(survey, frame)
    two = make_survey(40, seed=3, waves=(1, 2))
    with pytest.raises(SchemaError, match="per wave"):
        ind.response_rate(
            two, pd.DataFrame({C.DISTRICT_ID: ["1000000", "1000001"], C.N_INVITED: [99, 99]})
        )
    ok = ind.response_rate(
        two, pd.DataFrame({C.DISTRICT_ID: ["1000000", "1000001"], C.N_INVITED: [99, 99]}), wave=2
    )
    assert ok.to_frame()["count"].sum() == 40


def test_representativeness_and_raked_shares():
    survey = make_survey(300, seed=5).drop(columns=C.WEIGHT)
    pop = {C.LANGUAGE: {"en": 5000, "es": 5000}, C.EL_FAMILY: {False: 6000, True: 4000}}
    rep = ind.representativeness(survey, pop)
    t = rep.to_frame().set_index(["margin", "margin_level"])
    resp = survey.drop_duplicates(C.RESPONDENT_ID)
    share_es = (resp[C.LANGUAGE] == "es").mean()
    assert t.loc[(C.LANGUAGE, "es"), "estimate"] == pytest.approx(share_es)
    assert t.loc[(C.LANGUAGE, "es"), "difference"] == pytest.approx(share_es - 0.5)
    assert t.loc[(C.LANGUAGE, "es"), "ratio"] == pytest.approx(share_es / 0.5)
    raked = ind.rake(survey, pop).apply(survey)
    after = ind.representativeness(raked, pop, weights=C.WEIGHT).to_frame()
    np.testing.assert_allclose(after["weighted_share"], after["population_share"], atol=1e-10)
    # a population table (one row per family) gives the same shares
    fam = pd.DataFrame(
        {C.LANGUAGE: ["en"] * 50 + ["es"] * 50, C.EL_FAMILY: [False] * 60 + [True] * 40}
    )
    rep2 = ind.representativeness(survey, fam, margins=[C.LANGUAGE, C.EL_FAMILY]).to_frame()
    np.testing.assert_allclose(rep2["population_share"], rep.to_frame()["population_share"])
    assert "Representativeness" in rep.summary()


def test_margin_rows_are_keyed_and_the_call_recorded():
    survey = make_survey(120, seed=7).drop(columns=C.WEIGHT)
    pop = {C.LANGUAGE: {"en": 600, "es": 400}}
    rep = ind.representativeness(survey, pop)
    assert rep.to_frame()["term"].tolist() == ["language=en", "language=es"]
    assert rep.n == survey[C.RESPONDENT_ID].nunique()
    raked = ind.rake(survey, pop)
    frame = raked.to_frame()
    assert list(frame.columns[:3]) == ["term", "estimate", "n"]
    assert frame["term"].tolist() == ["language=en", "language=es"]
    assert raked.call["function"] == "rake" and raked.call["margins"] == pop
    assert raked.call["df"].startswith("<DataFrame")
