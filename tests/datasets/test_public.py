"""The shipped public extracts: canonical, every LEA, and (when the real files are present)
exactly what the readers give for the real files."""

from __future__ import annotations

import pandas as pd
import pytest

import cei_metrics as cm
from cei_metrics.datasets.data.build_public_extracts import DASHBOARD, DIRECTORY, P3
from cei_metrics.datasets.plln import PLLN_CD_CODES
from cei_metrics.schemas import LEA_TYPES, NARRATIVE_COLUMNS, C, validate


def test_ratings_extract_every_lea():
    r = cm.datasets.public_p3_ratings()
    validate(r, "ratings")
    assert r.groupby(C.YEAR)[C.CDS].nunique().to_dict() == {"2022-23": 2298, "2023-24": 2262}
    assert set(r[C.LEA_TYPE]) <= set(LEA_TYPES)
    assert r.attrs["synthetic"] is False
    # CDE's 0 and blank ratings: 13 + 996 in 2023, 252 in 2024
    assert r.groupby(C.YEAR)[C.RATING].apply(lambda s: int(s.isna().sum())).tolist() == [
        1009, 252]  # fmt: skip
    # a copy each time: editing one does not change the next
    r.loc[:, C.RATING] = 0
    assert cm.datasets.public_p3_ratings()[C.RATING].max() == 5


def test_other_extracts():
    met = cm.datasets.public_p3_met()
    validate(met, "outcomes")
    assert met.loc[met[C.YEAR] == "2023-24", C.VALUE].sum() == 2228
    prac = cm.datasets.public_p3_practices()
    assert prac.groupby(C.YEAR).size().to_dict() == {"2022-23": 2214, "2023-24": 2241}
    nar = cm.datasets.public_p3_narratives()
    assert list(nar.columns[:6]) == list(NARRATIVE_COLUMNS)
    assert set(nar[C.CDS].str[:7]) == set(PLLN_CD_CODES) and len(nar) == 108
    d = cm.datasets.public_directory()
    assert len(d) == 1088 and not {"AdmFName", "AdmEmail", "Phone"} & set(d.columns)
    dash = cm.datasets.public_dashboard()
    validate(dash, "outcomes")
    st = dash[(dash[C.LEVEL] == "state") & (dash[C.GROUP_CODE] == "ALL")
              & (dash[C.INDICATOR] == "graduation")].set_index(C.YEAR)[C.VALUE]  # fmt: skip
    assert st.to_dict() == {"2017-18": 83.5, "2018-19": 85.9}  # no state row in Fall 2017


def test_practices_extract_matches_the_shipped_narratives():
    """For the six PLLN districts the shipped text gives the shipped counts."""
    nar = cm.datasets.public_p3_narratives()
    again = cm.compare.narrative_practices(nar)
    prac = cm.datasets.public_p3_practices()
    prac = prac[prac[C.CDS].isin(set(nar[C.CDS]))].reset_index(drop=True)
    pd.testing.assert_frame_equal(again.reset_index(drop=True), prac, check_dtype=False)


@pytest.mark.shared
@pytest.mark.slow
def test_extracts_equal_a_fresh_read_of_the_real_files(shared_cde):
    ratings = pd.concat([cm.io.read_cde(shared_cde / f) for f in P3.values()],
                        ignore_index=True)  # fmt: skip
    pd.testing.assert_frame_equal(ratings, cm.datasets.public_p3_ratings(), check_dtype=False)
    d = cm.io.read_cde(shared_cde / DIRECTORY)
    pub = cm.datasets.public_directory()
    pd.testing.assert_frame_equal(d[list(pub.columns)].reset_index(drop=True), pub,
                                  check_dtype=False)  # fmt: skip
    dash = pd.concat([cm.io.read_cde(shared_cde / f) for f in DASHBOARD], ignore_index=True)
    keep = dash[C.LEVEL].isin(["state", "district"]) | dash[C.CDS].str[:7].isin(PLLN_CD_CODES)
    pd.testing.assert_frame_equal(dash[keep].reset_index(drop=True),
                                  cm.datasets.public_dashboard(), check_dtype=False)  # fmt: skip


@pytest.mark.shared
@pytest.mark.slow
def test_practices_extract_equals_the_full_text(shared_cde):
    nar = pd.concat([cm.io.read_p3_narratives(shared_cde / f) for f in P3.values()],
                    ignore_index=True)  # fmt: skip
    # a random fifth of the LEAs (every LEA takes ~20 s): the same counts as shipped
    cds = pd.Series(nar["cds"].unique()).sample(frac=0.2, random_state=7)
    nar = nar[nar["cds"].isin(cds)]
    shipped = cm.datasets.public_p3_practices()
    shipped = shipped[shipped["cds"].isin(cds)].reset_index(drop=True)
    pd.testing.assert_frame_equal(cm.compare.narrative_practices(nar).reset_index(drop=True),
                                  shipped, check_dtype=False)  # fmt: skip
