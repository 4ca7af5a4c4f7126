"""The result objects of the indicators: IndicatorResult and IndicatorSet."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import cei_metrics as cm
import cei_metrics.indicators as ind
from cei_metrics.schemas import C

from .conftest import make_survey


@pytest.fixture(scope="module")
def survey():
    return make_survey(80, seed=21, missing=0.1, waves=(1, 2))


def test_every_indicator_function_returns_a_frozen_result(survey, demo):
    results = [
        ind.scale_score(survey, by=C.DISTRICT_ID),
        ind.percent_favorable(survey, by=C.DISTRICT_ID),
        ind.reach(demo.participation, demo.roster),
        ind.representation_index(demo.participation, demo.roster),
        ind.retention(demo.participation),
        ind.language_access(survey, demo.participation, demo.roster),
        ind.p3_ratings(demo.ratings),
    ]
    for res in results:
        assert isinstance(res, ind.IndicatorResult)
        assert isinstance(res, cm._results.ResultMixin)
        assert res.indicator in ind.INDICATORS
        with pytest.raises(dataclasses.FrozenInstanceError):
            res.method = "x"  # type: ignore[misc]
        frame = res.to_frame()
        assert frame.attrs == {}  # metadata lives on the result, not in attrs
        assert {"indicator", "estimate", "n", "suppressed"} <= set(frame.columns)
        assert (frame["indicator"] == res.indicator).all()


def test_to_frame_is_a_copy(survey):
    res = ind.scale_score(survey, by=C.DISTRICT_ID)
    frame = res.to_frame()
    frame["estimate"] = -1.0
    assert (res.table["estimate"] > 0).all()


def test_summary_and_html_say_formula_method_groups_suppression(survey):
    res = ind.percent_favorable(survey, by=[C.DISTRICT_ID, C.WAVE, C.EL_FAMILY], min_cell=20)
    text = res.summary()
    lines = text.splitlines()
    assert lines[0].startswith("Indicator: percent_favorable")
    assert any(x.startswith("Formula: favorable answered responses") for x in lines)
    assert any(x.startswith("Denominator: denominator = answered responses") for x in lines)
    assert any(x.startswith("Method: Wilson") and x.endswith("95% level") for x in lines)
    assert "Groups: district_id x wave x el_family; rows also by scale" in text
    n_sup = int(res.table["suppressed"].sum())
    assert 0 < n_sup < len(res.table)  # about 12 EL and 28 other families per cell
    assert f"Suppressed: {n_sup} of {len(res.table)} rows have n < 20" in text
    assert str(res) == text
    html = res._repr_html_()
    assert html.startswith("<div><strong>Indicator: percent_favorable")
    assert "<table" in html


def test_caveats_reach_the_summary(survey, demo):
    p3 = ind.p3_ratings(demo.ratings)
    assert p3.caveat == ind.P3_CAVEAT and f"Caveat: {ind.P3_CAVEAT}" in p3.summary()
    assert "Suppressed" not in p3.summary()  # ratings describe districts, not people
    lang = ind.language_access(survey, None)
    assert "home_language" in lang.caveat and "Caveat:" in lang.summary()


def test_key_columns_and_counts(survey):
    res = ind.scale_score(survey, by=[C.DISTRICT_ID, C.EL_FAMILY], min_cell=15)
    assert res.key_columns == [C.DISTRICT_ID, C.EL_FAMILY, "scale"]
    assert res.by == (C.DISTRICT_ID, C.EL_FAMILY)
    assert res.n_suppressed == int((res.table["n"] < 15).sum())
    assert res.formula == ind.INDICATORS["scale_score"].formula


def test_equity_gap_accepts_a_result_or_its_frame(survey):
    res = ind.scale_score(survey, by=[C.WAVE, C.EL_FAMILY], cluster=C.SCHOOL_ID)
    a = ind.equity_gap(res, group_col=C.EL_FAMILY, reference=False)
    b = ind.equity_gap(res.to_frame(), group_col=C.EL_FAMILY, reference=False)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert a.details["of"] == b.details["of"] == "scale_score"
    assert a.min_cell == res.min_cell and b.min_cell is None
    assert a.summary().startswith("Indicator: equity gap in scale_score")
    t = a.to_frame()
    assert len(t) == 2 * 2  # waves x scales (the test survey has trust and communication)
    np.testing.assert_allclose(t["estimate"], t["estimate_group"] - t["estimate_reference"])
    with pytest.raises(cm.errors.CEIError, match="indicator result or a DataFrame"):
        ind.equity_gap([1, 2], group_col=C.EL_FAMILY, reference=False)  # type: ignore[arg-type]


def test_indicator_set_is_a_mapping_with_one_long_frame(demo):
    every = ind.compute_all(demo, min_cell=11)
    assert isinstance(every, ind.IndicatorSet)
    names = list(every)
    assert names[:3] == ["scale_score", "percent_favorable", "reach"]
    assert "representation_index:el_family" in every and "p3_rating" in every
    assert all(isinstance(r, ind.IndicatorResult) for r in every.values())
    long = every.to_frame()
    assert len(long) == sum(len(r.table) for r in every.values())
    pd.testing.assert_frame_equal(
        long[long["indicator"] == "reach"].reset_index(drop=True)[every["reach"].table.columns],
        every["reach"].table,
        check_dtype=False,  # stacking gives integer counts NaN in other rows: floats
    )
    ov = every.overview()
    assert list(ov["name"]) == names and (ov["rows"] > 0).all()
    assert every.summary().splitlines()[0].startswith(f"{len(every)} indicator results")
    assert "<table" in every._repr_html_()
    with pytest.raises(KeyError, match="no indicator 'nope'"):
        every["nope"]
    assert every.get("nope") is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        every.min_cell = 5  # type: ignore[misc]


def test_scale_scores_stays_a_dataframe(survey):
    scores = ind.respondent_scores(survey)
    assert isinstance(scores, pd.DataFrame)
    assert "DataFrame, not" in ind.respondent_scores.__doc__.replace("\n    ", " ")


def test_home_language_is_a_canonical_column():
    from cei_metrics import schemas

    assert C.HOME_LANGUAGE == "home_language" == ind.HOME_LANGUAGE
    assert C.HOME_LANGUAGE in schemas.OPTIONAL["survey"]
    assert C.HOME_LANGUAGE in schemas.OPTIONAL["participation"]
    assert C.HOME_LANGUAGE not in schemas.REQUIRED["survey"]


def test_missing_languages_are_unknown_not_an_error():
    """A sign-in without a language is of unknown status for group='spanish' (left out
    of the denominator), and is no attendance in the language."""
    df = pd.DataFrame(
        {
            C.EVENT_ID: ["E1"] * 5,
            C.DATE: pd.Timestamp("2019-10-01"),
            C.EVENT_TYPE: "workshop",
            C.DISTRICT_ID: "1000001",
            C.PARTICIPANT_ID: ["P1", "P2", "P3", "P4", "P5"],
            C.ROLE: "family",
            C.LANGUAGE: pd.array(["es", "es", "en", None, "en"], dtype="str"),
        }
    )
    res = ind.representation_index(
        df, group="spanish", enrollment_share=0.5, by=C.DISTRICT_ID, min_cell=0
    )
    row = res.to_frame().iloc[0]
    assert (row["n"], row["count"], res.details["n_unknown"]) == (4, 2, 1)
    assert row["estimate"] == pytest.approx(1.0)
    lang = ind.language_access(None, df, None, min_cell=0).to_frame().set_index("measure")
    assert lang.loc["attendances_in_language", "n"] == 4
    assert lang.loc["attendances_in_language", "count"] == 2


def test_names_of_the_previous_release_warn(survey):
    with pytest.warns(FutureWarning, match="respondent_scores"):
        old = ind.scale_scores
    assert old is ind.respondent_scores
    with pytest.warns(FutureWarning, match="ENROLLMENT_SHARE_OF"):
        assert ind.ENROLMENT_SHARE_OF == ind.ENROLLMENT_SHARE_OF
