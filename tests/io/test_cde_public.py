"""Every LEA, the Priority 3 narratives, and the readers of the LEA-describing families
(assistance status, Census Day enrollment, unduplicated pupil counts) and of the CAASPP
research files.

Real files (``../shared/data/cde``) are used where they exist, each with a committed twin
that always runs; the layouts with no real copy have synthetic fixtures built by
``tests/fixtures/cde/make_layout_fixtures.py`` from the published record layouts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cei_metrics.errors import SchemaError, UnknownFormatError
from cei_metrics.io import detect_cde_format, lea_type, read_cde, read_p3_narratives
from cei_metrics.io.narratives import P3_PROMPTS, P3_PROMPTS_VERIFIED, P3_SECTIONS
from cei_metrics.schemas import LEA_TYPES, NARRATIVE_COLUMNS, C, validate

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cde"
AUHSD, OXNARD, ENVISION, ALAMEDA_COE = (
    "30664310000000",
    "56725380000000",
    "01100170112607",
    "01100170000000",
)
P3_2023 = "localind_priority3_family_engagement_2023.xlsx"
P3_2024 = "localind_priority3_family_engagement_2024.xlsx"


# --- LEA types ---------------------------------------------------------------------------


def test_lea_type_rules():
    cds = ["00000000000000", "30000000000000", AUHSD, ALAMEDA_COE, ENVISION,
           "01316090000000", "01771800000000", "37764710000000", "30664313030194"]  # fmt: skip
    names = ["", "", "Anaheim Union High", "Alameda COE", "Envision", "School for the Blind",
             "SBE - Latitude 37.8 High", "SBC - High Tech High", "Anaheim High"]  # fmt: skip
    level = ["state", "county", "district", "district", "school", "district", "district",
             "district", "school"]  # fmt: skip
    got = lea_type(cds, name=names, level=level).tolist()
    # a school row without a charter flag takes its LEA's type (here Alameda COE's)
    assert got == ["state", "county", "district", "county office", "county office", "state",
                   "charter", "charter", "district"]  # fmt: skip
    # in an LEA-level file a school code means a charter; a flag always does
    assert lea_type([ENVISION], lea_file=True).tolist() == ["charter"]
    assert lea_type([ENVISION], charter=["Y"]).tolist() == ["charter"]
    assert lea_type(["30664313030194"], charter=["No"]).tolist() == ["district"]
    assert lea_type([AUHSD], coe=["Y"]).tolist() == ["county office"]
    assert set(got) <= set(LEA_TYPES)


def _directory_agrees(path):
    d = read_cde(path)
    by_rule = lea_type(d[C.CDS], name=d[C.NAME], lea_file=True)
    assert (by_rule == d[C.LEA_TYPE].to_numpy()).all()
    return d


def test_lea_type_rules_agree_with_directory_doc_fixture():
    d = _directory_agrees(FIX / "directory_pubdistricts_2020-11.txt")
    assert d.set_index(C.DISTRICT_ID).loc["0110017", C.LEA_TYPE] == "county office"


@pytest.mark.shared
@pytest.mark.parametrize("name", ["directory_pubdistricts_2020-11.txt",
                                  "directory_pubdistricts_2021-12.txt"])  # fmt: skip
def test_lea_type_rules_agree_with_directory_doc_real(shared_cde, name):
    """The code-and-name rules give the directory's own DOC type for every listed LEA
    (1,098 and 1,088 LEAs: 58 county offices, the State Board charters, the three State
    Special Schools, ...)."""
    d = _directory_agrees(shared_cde / name)
    counts = d[C.LEA_TYPE].value_counts()
    assert counts["county office"] == 58 and counts["state"] == 3
    assert counts["charter"] == (d["doc"].isin(["02", "03"])).sum() > 0


# --- every LEA of the Priority 3 files ------------------------------------------------------


@pytest.mark.shared
@pytest.mark.parametrize("name,n_lea,n_charter,n_coe", [(P3_2023, 2298, 1301, 58),
                                                         (P3_2024, 2262, 1269, 58)])  # fmt: skip
def test_priority3_real_keeps_every_lea(shared_cde, name, n_lea, n_charter, n_coe):
    df = read_cde(shared_cde / name)
    leas = df.drop_duplicates(C.CDS)
    assert len(leas) == n_lea and len(df) == 12 * n_lea
    assert (leas[C.LEA_TYPE] == "charter").sum() == n_charter
    assert (leas[C.LEA_TYPE] == "county office").sum() == n_coe
    # charters share their authoriser's district code: district_id is not a key
    assert leas[C.DISTRICT_ID].duplicated().sum() > 1000
    validate(df, "ratings", file=name)


def test_priority3_2024_fixture_keeps_charters_and_county_offices():
    """The committed cut of the 2024 file: every LEA kept, whatever its type."""
    df = read_cde(FIX / P3_2024)
    types = df.drop_duplicates(C.CDS).set_index(C.CDS)[C.LEA_TYPE].to_dict()
    assert len(types) == 6 and len(df) == 72
    assert types[ENVISION] == "charter"  # under Alameda COE's district code
    assert types["07773540000000"] == "charter"  # SBE - John Henry High: own district code
    assert types[ALAMEDA_COE] == "county office" and types[AUHSD] == "district"
    assert df.loc[df[C.CDS] == ENVISION, C.DISTRICT_ID].unique().tolist() == ["0110017"]
    assert len(read_cde(FIX / P3_2024, include_charters=False)) == 4 * 12


@pytest.mark.shared
def test_priority3_real_types_agree_with_directory(shared_cde):
    """Districts and county offices of the 2024 file that are in the 2021 directory get
    the directory's type."""
    p3 = read_cde(shared_cde / P3_2024).drop_duplicates(C.CDS)
    d = read_cde(shared_cde / "directory_pubdistricts_2021-12.txt")
    m = p3.merge(d[[C.CDS, C.LEA_TYPE]], on=C.CDS, suffixes=("", "_dir"))
    assert len(m) > 900
    assert (m[C.LEA_TYPE] == m[f"{C.LEA_TYPE}_dir"]).all()


# --- older and newer Priority 3 layouts ------------------------------------------------------

P3_LAYOUTS = {
    2019: ("2018-19", 1.0),
    2021: ("2020-21", np.nan),  # no Met / Not Met in 2021 (Assembly Bill 130)
    2022: ("2021-22", 1.0),
    2025: ("2024-25", 1.0),
}


@pytest.mark.parametrize("year", list(P3_LAYOUTS))
def test_priority3_layouts_read_the_same_items(year):
    p = FIX / f"synthetic_localind_priority3_{year}.txt"
    assert detect_cde_format(p) == "localind_priority3"
    df = read_cde(p)
    school_year, met = P3_LAYOUTS[year]
    assert (df[C.YEAR] == school_year).all() and len(df) == 36
    a = df[df[C.CDS] == AUHSD].set_index(C.ITEM)[C.RATING]
    assert a["DevelopStaffCapacityRelationship"] == 3 and a["CollaborationtInput"] == 3
    assert a["LegalRightsPartnership"] == 2
    o = df[df[C.CDS] == OXNARD].set_index(C.ITEM)[C.RATING]
    assert np.isnan(o["ResourcesPartnership"]) and np.isnan(o["CollaborationtInput"])
    assert df.loc[df[C.CDS] == ENVISION, C.LEA_TYPE].unique().tolist() == ["charter"]
    validate(df, "ratings")
    li = read_cde(p, kind="local_indicator")
    assert np.array_equal(li[C.VALUE].to_numpy(), np.full(3, met), equal_nan=True)
    assert (li[C.GROUP] == "Parents-Priority Area 3").all()


# --- narratives -------------------------------------------------------------------------------


def test_prompts_are_the_published_wording():
    assert P3_PROMPTS["1a"] == (
        "Based on analysis of educational partner input and local data, briefly describe the "
        "LEA\u2019s current strengths and progress in Building Relationships Between School "
        "Staff and Families."
    )
    assert P3_PROMPTS["2c"].endswith("in relation to Building Partnerships for Student Outcomes.")
    assert P3_PROMPTS["3a"].endswith("progress in Seeking Input for Decision-Making.")
    assert [k for k, v in P3_PROMPTS_VERIFIED.items() if not v] == ["3b", "3c"]
    assert len(set(P3_PROMPTS.values())) == 9


def _check_narratives(df, n_leas, year):
    assert list(df.columns[:6]) == list(NARRATIVE_COLUMNS)
    assert (df[C.YEAR] == year).all()
    assert df[C.CDS].nunique() == n_leas
    assert set(df[C.SECTION]) == set(P3_SECTIONS.values())
    assert not df.duplicated([C.CDS, C.YEAR, C.PROMPT]).any()
    assert (df[C.TEXT].str.len() > 0).all() and not df[C.TEXT].str.contains("\r").any()
    assert set(df[C.PROMPT]) <= set(P3_PROMPTS.values())
    # the canonical tables never see it: no rating, indicator or value column
    assert not {C.RATING, C.INDICATOR, C.VALUE} & set(df.columns)


def test_narratives_fixture_2024():
    df = read_p3_narratives(FIX / P3_2024)
    _check_narratives(df, 5, "2023-24")
    assert len(df) == 45 and df.attrs["blank"] == 9  # one LEA wrote nothing
    a = df[df[C.CDS] == AUHSD]
    assert a[C.LEA_NAME].unique().tolist() == ["Anaheim Union High"]
    assert a[C.PROMPT].tolist() == list(P3_PROMPTS.values())  # tool order 1a..3c
    assert df.attrs["unverified_prompts"] == sorted(
        f
        for f in df[C.FIELD].unique()
        if f.startswith("Narrative3b") or f.startswith("Narrative3c")
    )


def test_narratives_fixture_2023_and_charter():
    df = read_p3_narratives(FIX / P3_2023)
    _check_narratives(df, 5, "2022-23")
    assert df.loc[df[C.CDS] == ENVISION, C.LEA_TYPE].unique().tolist() == ["charter"]


@pytest.mark.shared
@pytest.mark.parametrize("name,year,rows,blank,leas", [
    (P3_2024, "2023-24", 20169, 189, 2241),
    (P3_2023, "2022-23", 19920, 762, 2214),
])  # fmt: skip
def test_narratives_real(shared_cde, name, year, rows, blank, leas):
    df = read_p3_narratives(shared_cde / name)
    _check_narratives(df, leas, year)
    assert len(df) == rows and df.attrs["blank"] == blank
    assert len(df) + blank == 9 * read_cde(shared_cde / name)[C.CDS].nunique()


@pytest.mark.parametrize("year,rows,blank", [(2019, 8, 1), (2021, 8, 1), (2022, 27, 0),
                                              (2025, 18, 9)])  # fmt: skip
def test_narratives_other_layouts(year, rows, blank):
    df = read_p3_narratives(FIX / f"synthetic_localind_priority3_{year}.txt")
    assert len(df) == rows and df.attrs["blank"] == blank
    a = df[df[C.CDS] == AUHSD]
    assert a[C.SECTION].tolist()[0] == P3_SECTIONS["1"]
    assert "family resource center" in a[C.TEXT].iloc[0]
    if year in (2019, 2021):
        assert a[C.PROMPT].str.startswith("Briefly describe the LEA").all()
        assert a[C.SECTION].tolist() == list(P3_SECTIONS.values())  # narrative1..3
        assert "\u201clegal rights\u201d" in a[C.TEXT].iloc[1]  # cp1252 curly quotes


def test_narratives_priority6_summary():
    df = read_p3_narratives(FIX / "localind_priority6_climate_2019.txt")
    assert (df[C.SECTION] == "School Climate (Priority 6)").all()
    assert df[C.PROMPT].str.startswith("Summary of local administration").all()
    assert (df[C.YEAR] == "2018-19").all() and len(df) + df.attrs["blank"] == 20


def test_narratives_refuse_other_files():
    with pytest.raises(UnknownFormatError, match="narrative"):
        read_p3_narratives(FIX / "dashboard_graddownload_2019.txt")


# --- assistance status ---------------------------------------------------------------------


def test_assistance_status():
    p = FIX / "synthetic_assistancestatus23.xlsx"
    assert detect_cde_format(p) == "assistance_status"
    df = read_cde(p)
    assert df.attrs["synthetic"]  # from the SYNTHETIC title row above the header
    d = df.set_index(C.CDS)
    assert (d[C.YEAR] == "2022-23").all()
    assert d.loc[AUHSD, C.DA] and d.loc[AUHSD, C.N_GROUPS] == 2
    assert d.loc[AUHSD, C.GROUPS_MET] == "EL,SWD"  # "*" is not a criteria letter
    assert d.loc["19642790000000", C.GROUPS_MET] == "MR"  # CDE's TOM is two or more races
    assert not d.loc[OXNARD, C.DA] and d.loc[OXNARD, C.N_GROUPS] == 0
    assert d.loc[ALAMEDA_COE, C.LEA_TYPE] == "county office"


# --- Census Day enrollment ------------------------------------------------------------------


def test_dataquest_census_enrollment():
    p = FIX / "synthetic_cdenroll2324.txt"
    assert detect_cde_format(p) == "dataquest_census_enrollment"
    df = read_cde(p)
    assert df.attrs["rows_dropped"] == 32  # the charter Y / N subsets above school level
    assert not df.duplicated([C.CDS, C.GROUP_CODE]).any()
    a = df[df[C.CDS] == AUHSD].set_index(C.GROUP_CODE)
    assert a.loc["TA", C.ENROLLMENT] == 28000 and a.loc["SE", C.PCT_OF_TOTAL] == 20.0
    assert a.loc["SS", C.GROUP] == "Socioeconomically disadvantaged"
    hs = df[(df[C.CDS] == "30664313030194") & (df[C.GROUP_CODE] == "SH")].iloc[0]
    assert hs[C.SUPPRESSED] and np.isnan(hs[C.ENROLLMENT])  # "*": 10 or fewer
    env = df[df[C.CDS] == ENVISION]
    assert (env[C.LEA_TYPE] == "charter").all() and (env[C.LEVEL] == "school").all()
    assert (df.loc[df[C.LEVEL] == "county", C.LEA_TYPE] == "county").all()


def test_dashboard_census_enrollment():
    p = FIX / "synthetic_dashboard_censusenrollrates2023.txt"
    assert detect_cde_format(p) == "dashboard_census_enrollment"
    df = read_cde(p)
    assert (df[C.YEAR] == "2022-23").all()
    a = df[df[C.CDS] == AUHSD].set_index(C.GROUP_CODE)
    assert a.loc["ALL", C.ENROLLMENT] == 28500
    assert a.loc["EL", C.PCT_OF_TOTAL] == pytest.approx(100 * 4900 / 28500)


def test_dashboard_census_rate_must_agree(tmp_path):
    src = (FIX / "synthetic_dashboard_censusenrollrates2023.txt").read_text(encoding="cp1252")
    q = tmp_path / "enroll.txt"
    q.write_text(src.replace("\t17.2\t", "\t27.2\t"), encoding="cp1252")
    with pytest.raises(SchemaError, match="rate"):
        read_cde(q)


# --- unduplicated pupil count --------------------------------------------------------------


def test_upc_lea_sheet():
    p = FIX / "synthetic_cupc2324-k12.xlsx"
    assert detect_cde_format(p) == "upc"
    df = read_cde(p)
    assert df.attrs["rows_dropped"] == 1  # the footnote row
    d = df.set_index(C.CDS)
    assert d.loc[AUHSD, C.ENROLLMENT] == 28500 and d.loc[AUHSD, C.UPC] == 20100
    assert d.loc[AUHSD, C.PCT_UPC] == pytest.approx(100 * 20100 / 28500)
    assert d.loc[OXNARD, C.PCT_EL] == pytest.approx(100 * 6400 / 14500)
    assert d.loc[ENVISION, C.LEA_TYPE] == "charter"
    assert d.loc[ALAMEDA_COE, C.LEA_TYPE] == "county office"
    assert (d[C.YEAR] == "2023-24").all()


# --- CAASPP research files -------------------------------------------------------------------


@pytest.mark.parametrize("name,year,has_count", [
    ("synthetic_sb_ca2024_all_csv_v1.txt", "2023-24", True),
    ("synthetic_sb_ca2023_all_csv_v1.txt", "2022-23", False),
    ("synthetic_sb_ca2019_all_csv_v4.txt", "2018-19", False),
])  # fmt: skip
def test_caaspp_research(name, year, has_count):
    p = FIX / name
    assert detect_cde_format(p) == "caaspp_research"
    df = read_cde(p)
    assert df.attrs["rows_dropped"] == 40  # grade-11 rows; only Grade 13 (all grades)
    assert set(df[C.INDICATOR]) == {"ela_pct_met", "math_pct_met"}
    assert (df[C.YEAR] == year).all()
    st = df[(df[C.LEVEL] == "state") & (df[C.GROUP_CODE] == "ALL")]
    assert len(st) == 2 and (st[C.LEA_TYPE] == "state").all()
    assert set(df[C.GROUP]) >= {"All students", "English learners",
                                "Socioeconomically disadvantaged"}  # fmt: skip
    sup = df[df[C.SUPPRESSED]]
    assert len(sup) == 4 and sup[C.VALUE].isna().all()
    ok = df[~df[C.SUPPRESSED]]
    if has_count:
        assert np.allclose(ok[C.VALUE], (100 * ok[C.NUMERATOR] / ok[C.DENOMINATOR]).round(2))
    else:
        assert ok[C.NUMERATOR].isna().all()
    assert df.attrs["unknown_groups"] == []
    validate(df, "outcomes", file=p)
    if "2019" not in name:  # Type ID 09: a directly funded charter school
        assert (df.loc[df[C.CDS] == ENVISION, C.LEA_TYPE] == "charter").all()


def test_caaspp_entities_are_not_research_files():
    assert detect_cde_format(FIX / "caaspp_sb_entities_2024.txt") == "caaspp_entities"
    ent = read_cde(FIX / "caaspp_sb_entities_2024.txt")
    assert (ent.loc[ent[C.LEVEL] == "state", C.LEA_TYPE] == "state").all()


def test_new_frames_are_reference_data_for_ingest(tmp_path):
    """Enrollment, UPC and assistance frames carry no rating or indicator column, so
    ingest lists them as reference data instead of mixing them into outcomes."""
    for name in ("synthetic_cdenroll2324.txt", "synthetic_cupc2324-k12.xlsx",
                 "synthetic_assistancestatus23.xlsx"):  # fmt: skip
        df = read_cde(FIX / name)
        assert C.RATING not in df.columns and C.INDICATOR not in df.columns
        assert isinstance(df, pd.DataFrame)


def test_p3_indicator_by_district_uses_the_districts_own_rows():
    """Alameda COE (0110017) shares its district code with the charter Envision Academy;
    grouped by district_id the indicator uses the COE's own ratings, grouped by cds both."""
    import cei_metrics as cm

    df = read_cde(FIX / P3_2023)
    by_d = cm.indicators.p3_ratings(df, by=[C.DISTRICT_ID]).to_frame()
    coe = df[df[C.CDS] == ALAMEDA_COE][C.RATING]
    got = by_d[(by_d[C.DISTRICT_ID] == "0110017") & (by_d["section"] == "overall")]
    assert got["estimate"].item() == pytest.approx(coe.mean())
    assert got["n"].item() == coe.notna().sum()
    by_c = cm.indicators.p3_ratings(df, by=[C.CDS]).to_frame()
    assert {ALAMEDA_COE, ENVISION} <= set(by_c[C.CDS])
