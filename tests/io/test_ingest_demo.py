"""The demo world survives the round trip: load_demo -> raw files in real formats ->
readers -> ingest gives back the same tables (ids hashed, PII gone)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cei_metrics as cm
from cei_metrics.io.intake import hash_ids
from cei_metrics.schemas import C

RT_KEY = bytes(range(100, 132))  # conftest's DEMO_KEY


@pytest.fixture(scope="module")
def roundtrip(demo_pipeline, demo):
    _, processed, report = demo_pipeline
    return demo, report, cm.io.load_tables(processed)


def test_every_table_comes_back_whole(roundtrip):
    demo, report, tabs = roundtrip
    assert report.synthetic and tabs.synthetic
    assert (report.files["status"] == "read").all()
    for name in ("survey", "participation", "outcomes", "ratings", "roster"):
        assert len(getattr(tabs, name)) == len(getattr(demo, name)), name


def test_survey_values_and_reasons_identical(roundtrip):
    demo, _, tabs = roundtrip
    d = demo.survey.assign(**{C.RESPONDENT_ID: hash_ids(demo.survey[C.RESPONDENT_ID], RT_KEY)})
    key = [C.RESPONDENT_ID, C.WAVE, C.ITEM]
    m = d.merge(tabs.survey, on=key, suffixes=("_d", "_i"), validate="one_to_one")
    assert len(m) == len(d)
    np.testing.assert_array_equal(m["value_d"].to_numpy(), m["value_i"].to_numpy())
    assert (m["missing_reason_d"] == m["missing_reason_i"]).all()
    for col in (C.DISTRICT_ID, C.SCHOOL_ID, C.LANGUAGE, C.YEAR, C.EL_FAMILY):
        assert (m[f"{col}_d"] == m[f"{col}_i"]).all(), col
    np.testing.assert_allclose(m["weight_d"], m["weight_i"], atol=5e-5)


def test_outcomes_identical_including_suppression(roundtrip):
    demo, _, tabs = roundtrip
    key = [C.CDS, C.YEAR, C.GROUP, C.INDICATOR]
    m = demo.outcomes.merge(tabs.outcomes, on=key, suffixes=("_d", "_i"), validate="one_to_one")
    assert len(m) == len(demo.outcomes)
    assert (m["suppressed_d"] == m["suppressed_i"]).all()
    np.testing.assert_allclose(m["value_d"], m["value_i"], atol=0.051, equal_nan=True)
    np.testing.assert_array_equal(m["denominator_d"].isna(), m["denominator_i"].isna())


def test_ratings_and_participation_identical(roundtrip):
    demo, _, tabs = roundtrip
    key = [C.DISTRICT_ID, C.YEAR, C.ITEM]
    m = demo.ratings.merge(tabs.ratings, on=key, suffixes=("_d", "_i"), validate="one_to_one")
    np.testing.assert_array_equal(m["rating_d"], m["rating_i"])
    p = demo.participation.assign(
        **{C.PARTICIPANT_ID: hash_ids(demo.participation[C.PARTICIPANT_ID], RT_KEY)}
    )
    m = p.merge(tabs.participation, on=[C.EVENT_ID, C.PARTICIPANT_ID], suffixes=("_d", "_i"))
    assert len(m) == len(p)
    assert (m["date_d"] == m["date_i"]).all() and (m["event_type_d"] == m["event_type_i"]).all()
    assert (m["language_d"] == m["language_i"]).all()


def test_no_pii_in_processed(roundtrip):
    _, report, tabs = roundtrip
    removed = set(report.pii_removed["column"])
    assert {"Email Address", "Comments", "Email", "Phone", "First Name", "Last Name"} <= removed
    for df in (tabs.survey, tabs.participation):
        text = df.head(5000).to_csv(index=False)
        assert "@" not in text and "example.org" not in text
        assert (
            not df[df.columns[df.columns.str.endswith("_id")]]
            .isin(["R000001", "P000001"])
            .any()
            .any()
        )
    assert pd.api.types.is_string_dtype(tabs.survey[C.RESPONDENT_ID])
