"""The checks the notebooks ask section by section: what each needs, said with counts that
never name a small cell, for the outcome the section uses."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import cei_metrics as cm
from cei_metrics.io import ingest
from cei_metrics.io.checks import CHECKS, check, run_checks
from cei_metrics.schemas import C

EX = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
TEST_KEY = bytes(range(32))


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """A hand-made own-data folder: one wave, no roster, one year of graduation."""
    out = tmp_path_factory.mktemp("own") / "p"
    ingest(EX / "google_forms", out, key=TEST_KEY)
    return cm.io.load_tables(out)


def test_every_section_check_is_registered():
    for name in ("survey_coverage", "signins", "outcome_files", "likert", "engagement_did",
                 "dashboard_grid", "scorecard", "peer_benchmark", "selection"):  # fmt: skip
        assert name in CHECKS


def test_reasons_never_state_a_small_count_of_people(own):
    people = re.compile(r"\b([1-9]|10) (EL|other|es|en|respondents|complete|\()")
    for c in run_checks(own, "family_engagement"):
        assert not people.search(c.reason), c.line()
    eq = check("equity_gap", own)
    assert "fewer than 11 EL" in eq.reason and not eq.supported


def test_designs_are_checked_for_the_outcome_the_section_uses(own):
    c = check("att_gt", own, outcome="chronic_absenteeism")
    assert not c.supported
    assert "no district rows of 'chronic_absenteeism'" in c.reason and "graduation" in c.reason
    assert "chronic_absenteeism" in check("multilevel", own, outcome="chronic_absenteeism").reason
    assert not check("dashboard_grid", own).supported


def test_pooled_scores_can_run_where_district_cells_cannot(own):
    assert not check("scale_score", own).supported
    pooled = check("scale_score", own, by=[C.WAVE])
    assert pooled.supported and "wave cells" in pooled.reason


def test_section_checks_on_the_demo_world(demo):
    for name, opts in [
        ("survey_coverage", {}),
        ("signins", {}),
        ("outcome_files", {}),
        ("likert", {"scale": "trust"}),
        ("engagement_did", {}),
        ("dashboard_grid", {"year": "2017-18"}),
        ("scorecard", {}),
        ("att_gt", {"outcome": "chronic_absenteeism"}),
        ("att_gt", {"outcome": "suspension"}),
    ]:
        res = check(name, demo, **opts)
        assert res.supported, res.line()
    late = check("dashboard_grid", demo, year="1999-00")
    assert not late.supported and "1998-99" in late.reason


def test_benchmark_and_selection_checks_on_public_data():
    ratings = cm.datasets.public_p3_ratings()
    plln = [d + "0000000" for d in cm.datasets.plln_roster()[C.DISTRICT_ID]]
    ok = check("peer_benchmark", {"ratings": ratings}, targets=plln, year="2023-24")
    assert ok.supported and "6 of 6" in ok.reason
    assert not check("peer_benchmark", {"ratings": ratings}, targets=plln, year="1990-91").supported
    assert not check("selection", {"ratings": ratings}).supported


def test_score_panel_means_and_first_waves():
    inst = cm.instruments.load_instrument("family_engagement")
    items = inst.scales["voice"]
    rows = []
    for d, wave, year in [("0000001", 1, "2018-19"), ("0000001", 2, "2020-21"),
                          ("0000002", 1, "2018-19"), ("0000002", 2, "2020-21")]:  # fmt: skip
        for r in range(3):
            for it in items:
                rows.append({C.RESPONDENT_ID: f"{d}-{wave}-{r}", C.WAVE: wave, C.YEAR: year,
                             C.DISTRICT_ID: d, C.INSTRUMENT: inst.name, C.ITEM: it,
                             C.VALUE: float(1 + r)})  # fmt: skip
    survey = pd.DataFrame(rows)
    roster = pd.DataFrame({C.DISTRICT_ID: ["0000001", "0000002"], C.COHORT: ["2019-20", None]})
    panel = cm.indicators.score_panel(survey, roster, scale="voice")
    assert set(panel["scale"]) == {"voice"} and (panel["n"] == 3).all()
    # first wave after joining in 2019-20 is wave 2 (2020-21); never-joined districts 0
    assert dict(zip(panel[C.DISTRICT_ID], panel["first_wave"])) == {"0000001": 2, "0000002": 0}
    scores = cm.indicators.respondent_scores(survey)
    want = scores[scores["scale"] == "voice"].groupby([C.DISTRICT_ID, C.WAVE])["score"].mean()
    got = panel.set_index([C.DISTRICT_ID, C.WAVE])["score"]
    pd.testing.assert_series_equal(got, want, check_names=False)
