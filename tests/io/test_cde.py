"""read_cde / detect_cde_format on every real CDE file and on the committed fixtures.

Each real file in ``../shared/data/cde`` (skipped, with the reason, when absent) and its
cut-down twin in ``tests/fixtures/cde`` go through the same checks: detected format, row
count, and known values read off the file (CDE's published numbers).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cei_metrics.errors import UnknownFormatError
from cei_metrics.io import detect_cde_format, read_cde
from cei_metrics.schemas import (
    INDICATORS,
    LEA_TYPES,
    LEVELS,
    OUTCOMES_COLUMNS,
    RATINGS_COLUMNS,
    C,
    validate,
)

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cde"

# Statewide four-year graduation, all students, as CDE published them on the California
# School Dashboard (graddownload2018.txt / graddownload2019.txt, state row "X"/"ALL") and
# the five-year rate of the 2015-16 ninth-grade cohort (gradrate1617_5yr.txt):
# school year, indicator, rate %, graduates, cohort.
STATEWIDE_GRAD = {
    "dashboard_graddownload_2019.txt": ("2018-19", "graduation", 85.9, 437249, 509219),
    "dashboard_graddownload_2018.txt": ("2017-18", "graduation", 83.5, 432963, 518317),
    "dashboard_gradrate5yr_2016-17.txt": ("2016-17", "graduation_5yr", 85.6, 428027, 500173),
}


def _row(df: pd.DataFrame, cds: str, group_code: str) -> pd.Series:
    hit = df[(df[C.CDS] == cds) & (df[C.GROUP_CODE] == group_code)]
    assert len(hit) == 1, f"{cds}/{group_code}: {len(hit)} rows"
    return hit.iloc[0]


def _nvd(df, cds, code, num, den, val, year):
    r = _row(df, cds, code)
    assert r[C.YEAR] == year
    assert (r[C.NUMERATOR], r[C.DENOMINATOR], r[C.VALUE]) == pytest.approx((num, den, val))
    assert not r[C.SUPPRESSED]


AUHSD = "30664310000000"


def chk_grad19(df):
    _nvd(df, AUHSD, "ALL", 4672, 5264, 88.8, "2018-19")
    r = _row(df, AUHSD, "ALL")
    assert (r[C.STATUS_LEVEL], r[C.CHANGE], r[C.COLOR]) == (3, 2.4, 4)
    assert _row(df, AUHSD, "EL")[C.GROUP] == "English learners"
    # blank numbers + colour 0 = suppressed group: numbers NaN, colour NaN, never 0
    fos = _row(df, "43694270107151", "FOS")
    assert fos[C.SUPPRESSED] and np.isnan(fos[C.VALUE]) and np.isnan(fos[C.COLOR])
    assert fos[C.DENOMINATOR] == 1


def chk_grad18(df):
    _nvd(df, AUHSD, "ALL", 4535, 5225, 86.8, "2017-18")
    assert _row(df, AUHSD, "EL")[C.VALUE] == pytest.approx(74.6)


def chk_grad17f(df):
    _nvd(df, AUHSD, "ALL", 4241, 4611, 92.0, "2016-17")
    assert _row(df, "43694270116889", "AA")[C.SUPPRESSED]


def chk_grad5(df):
    _nvd(df, AUHSD, "ALL", 4564, 5157, 88.5, "2016-17")
    assert (df[C.INDICATOR] == "graduation_5yr").all()
    assert df[C.COLOR].isna().all()


def chk_elpi17(df):
    _nvd(df, AUHSD, "EL", 5221, 6261, 83.4, "2016-17")
    assert (df[C.GROUP] == "English learners").all()


def chk_elpi18(df):
    _nvd(df, "00000000000000", "EL", 348776, 1140229, 30.6, "2017-18")
    assert _row(df, "00000000000000", "EL")[C.LEVEL] == "state"
    _nvd(df, AUHSD, "EL", 969, 4998, 19.4, "2017-18")


def chk_elpi19(df):
    _nvd(df, AUHSD, "EL", 1725, 3875, 44.5, "2018-19")
    # the one double-quoted name in a tab-delimited file: quotes stripped, comma kept
    r = _row(df, "43694270107151", "EL")
    assert r[C.NAME] == "Escuela Popular/Center for Training and Careers, Family Learning"
    assert r[C.SUPPRESSED]


def chk_cci(df):
    _nvd(df, AUHSD, "ALL", 2040, 4563, 44.7, "2016-17")
    assert (df[C.INDICATOR] == "college_career").all()


def chk_ela11(df):
    r = _row(df, AUHSD, "ALL")
    assert (r[C.DENOMINATOR], r[C.VALUE], r[C.CHANGE]) == pytest.approx((4611, 21.9, 0.3))
    assert np.isnan(r[C.NUMERATOR]) and r[C.INDICATOR] == "ela_dfs"
    assert _row(df, AUHSD, "EL")[C.VALUE] == pytest.approx(-81.1)


def chk_math11(df):
    r = _row(df, AUHSD, "ALL")
    assert (r[C.DENOMINATOR], r[C.VALUE]) == pytest.approx((4585, -67.2))
    assert r[C.INDICATOR] == "math_dfs"


PLLN_TYPES = {
    "3066431": "high",
    "1964279": "unified",
    "3767991": "elementary",
    "4369427": "high",
    "3667819": "elementary",
    "5672538": "elementary",
}


def chk_dir(df):
    got = df.set_index(C.DISTRICT_ID)[C.DISTRICT_TYPE]
    assert {k: got[k] for k in PLLN_TYPES} == PLLN_TYPES
    assert df.loc[df[C.DISTRICT_ID] == "5672538", C.NAME].item() == "Oxnard"
    assert (df["status"] == "Active").all()


def chk_dir21(df):
    chk_dir(df)
    if "1663875" in set(df[C.DISTRICT_ID]):
        assert df.loc[df[C.DISTRICT_ID] == "1663875", C.NAME].item() == "Armona Union Elementary"


def chk_lip(year):
    def chk(df):
        assert (df[C.YEAR] == year).all() and (df[C.INDICATOR] == "local_indicator").all()
        igo = df[df[C.CDS] == "45700290000000"]
        assert (igo[C.NAME] == "Igo, Ono, Platina Union Elementary").all()
        r = df[(df[C.CDS] == AUHSD) & (df[C.GROUP] == "Parents-Priority Area 3")]
        assert r[C.VALUE].tolist() == [1.0] and r[C.GROUP_CODE].tolist() == ["P3"]

    return chk


def chk_p6_19(df):
    assert (df[C.YEAR] == "2018-19").all()
    assert set(df[C.GROUP]) == {"Climate-Priority Area 6"}
    assert df.loc[df[C.CDS] == AUHSD, C.VALUE].tolist() == [1.0]


def chk_p6_24(df):
    assert (df[C.YEAR] == "2023-24").all()
    assert df.loc[df[C.CDS] == AUHSD, C.VALUE].tolist() == [1.0]


def chk_p3(year, auhsd_sum):
    def chk(df):
        assert (df[C.YEAR] == year).all()
        assert (df[C.TOOL] == "priority3_self_reflection").all()
        a = df[df[C.CDS] == AUHSD]
        assert len(a) == 12 and a[C.RATING].sum() == auhsd_sum
        assert (a[C.DISTRICT_ID] == "3066431").all() and (a[C.LEA_TYPE] == "district").all()
        assert list(df.columns[:7]) == list(RATINGS_COLUMNS)
        # one row per LEA x item: the 14-digit code is the key, not the district code
        assert not df.duplicated([C.CDS, C.ITEM]).any()
        coe = df[df[C.CDS] == "01100170000000"]
        assert (coe[C.LEA_TYPE] == "county office").all()
        charters = df[~df[C.CDS].str.endswith("0000000")]
        assert (charters[C.LEA_TYPE] == "charter").all()
        assert set(a[C.ITEM]) >= {"DevelopStaffCapacityRelationship", "CollaborationtInput"}
        sec = a.set_index(C.ITEM)[C.SECTION]
        assert sec["CollaborationtInput"] == "Seeking Input for Decision-Making"
        assert df[C.RATING].dropna().between(1, 5).all()
        validate(df, "ratings")

    return chk


def chk_entities(year, n_state=1):
    def chk(df):
        assert (df[C.YEAR] == year).all()
        st = df[df[C.LEVEL] == "state"]
        assert len(st) == n_state and st[C.CDS].item() == "00000000000000"
        a = df[df[C.CDS] == "30664310000000"]
        assert a[C.LEVEL].item() == "district" and a[C.NAME].item() == "Anaheim Union High"
        assert df[C.CDS].str.fullmatch(r"\d{14}").all()

    return chk


def chk_groups(df):
    assert df.loc[df[C.GROUP_CODE] == "001", C.GROUP].item() == "All Students"
    assert df.loc[df[C.GROUP_CODE] == "170", C.GROUP].item() == "Ever\u2013EL"  # cp1252 0x96


# file, format, data rows in the real file, data rows in the fixture, output rows
# (real, fixture) when not one per data row, check
CASES = [
    ("dashboard_graddownload_2019.txt", "dashboard_grad_2019", 6078, 48, None, chk_grad19),
    ("dashboard_graddownload_2018.txt", "dashboard_grad_2018", 6056, 48, None, chk_grad18),
    ("dashboard_graddownload_2017fall.txt", "dashboard_grad_2017f", 5828, 26, None, chk_grad17f),
    ("dashboard_gradrate5yr_2016-17.txt", "dashboard_grad5yr", 5404, 42, None, chk_grad5),
    ("dashboard_elpidownload_2017fall.txt", "dashboard_elpi_2017f", 996, 22, None, chk_elpi17),
    ("dashboard_elpidownload_2018.txt", "dashboard_elpi_2018", 1055, 4, None, chk_elpi18),
    ("dashboard_elpidownload_2019.txt", "dashboard_elpi_2019", 1043, 4, None, chk_elpi19),
    ("dashboard_ccidownload_2017fall.txt", "dashboard_cci_2017f", 5383, 27, None, chk_cci),
    ("dashboard_ela11download_2017fall.txt", "dashboard_academic11_2017f", 6461, 33, None,
     chk_ela11),
    ("dashboard_math11download_2017fall.txt", "dashboard_academic11_2017f", 6453, 33, None,
     chk_math11),
    ("directory_pubdistricts_2020-11.txt", "directory_pubdistricts", 1098, 8, None, chk_dir),
    ("directory_pubdistricts_2021-12.txt", "directory_pubdistricts", 1088, 7, None, chk_dir21),
    ("localind_performance_2017.txt", "localind_performance", 4088, 14, None,
     chk_lip("2016-17")),
    ("localind_performance_2018.txt", "localind_performance", 5081, 17, None,
     chk_lip("2017-18")),
    ("localind_priority6_climate_2019.txt", "localind_priority6_2019", 2361, 20, None,
     chk_p6_19),
    ("localind_priority6_climate_2024.xlsx", "localind_priority6", 2262, 3, None, chk_p6_24),
    ("localind_priority3_family_engagement_2023.xlsx", "localind_priority3", 2298, 6,
     (2298 * 12, 6 * 12), chk_p3("2022-23", 46)),
    ("localind_priority3_family_engagement_2024.xlsx", "localind_priority3", 2262, 6,
     (2262 * 12, 6 * 12), chk_p3("2023-24", 42)),
    ("caaspp_sb_entities_2023.txt", "caaspp_entities_2023", 1226, 43, None,
     chk_entities("2022-23")),
    ("caaspp_sb_entities_2024.txt", "caaspp_entities", 1216, 37, None, chk_entities("2023-24")),
    ("caaspp_sb_entities_2025.txt", "caaspp_entities", 1213, 37, None, chk_entities("2024-25")),
    ("caaspp_studentgroups_2025.txt", "caaspp_studentgroups", 58, 58, None, chk_groups),
]  # fmt: skip
REAL_ONLY = [("localind_priority6_climate_2023.xlsx", "localind_priority6", 2298)]


def _common(df: pd.DataFrame, fmt: str, path: Path) -> None:
    assert df.attrs["cde_format"] == fmt
    assert df.attrs["source"] == str(path)
    assert df.attrs["synthetic"] is False
    if C.INDICATOR in df.columns:
        assert list(df.columns[: len(OUTCOMES_COLUMNS)]) == list(OUTCOMES_COLUMNS)
        assert set(df[C.LEVEL]) <= set(LEVELS)
        assert set(df[C.LEA_TYPE]) <= set(LEA_TYPES)
        assert (df.loc[df[C.CDS] == "00000000000000", C.LEA_TYPE] == "state").all()
        assert set(df[C.INDICATOR]) <= set(INDICATORS)
        assert df[C.CDS].str.fullmatch(r"\d{14}").all()
        assert df[C.YEAR].str.fullmatch(r"\d{4}-\d{2}").all()
        assert df[C.SUPPRESSED].dtype == bool
        for c in (C.NUMERATOR, C.DENOMINATOR, C.VALUE):
            assert df[c].dtype == np.float64
        assert (df[C.SUPPRESSED] == df[C.VALUE].isna()).all() or fmt.startswith("localind")
        assert set(df.attrs.get("unknown_groups", [])) == set()
        validate(df, "outcomes", file=path)


@pytest.mark.shared
@pytest.mark.parametrize("name,fmt,n_real,n_fix,n_out,check", CASES, ids=[c[0] for c in CASES])
def test_real_file(shared_cde, name, fmt, n_real, n_fix, n_out, check):
    path = shared_cde / name
    assert detect_cde_format(path) == fmt
    df = read_cde(path)
    assert len(df) == (n_out[0] if n_out else n_real)
    _common(df, fmt, path)
    check(df)


@pytest.mark.parametrize("name,fmt,n_real,n_fix,n_out,check", CASES, ids=[c[0] for c in CASES])
def test_fixture(name, fmt, n_real, n_fix, n_out, check):
    path = FIX / name
    assert detect_cde_format(path) == fmt
    df = read_cde(path)
    assert len(df) == (n_out[1] if n_out else n_fix)
    _common(df, fmt, path)
    check(df)


@pytest.mark.shared
@pytest.mark.parametrize("name,fmt,n", REAL_ONLY)
def test_real_priority6_2023(shared_cde, name, fmt, n):
    df = read_cde(shared_cde / name)
    assert df.attrs["cde_format"] == fmt and len(df) == n
    assert (df[C.YEAR] == "2022-23").all()
    # countyPerformance: Met 2158, Not Met 62, Not Met For Two or More Years 78
    assert df[C.VALUE].sum() == 2158 and (df[C.VALUE] == 0).sum() == 62 + 78


@pytest.mark.parametrize("name", list(STATEWIDE_GRAD))
def test_statewide_graduation_fixture(name):
    _statewide(FIX / name, *STATEWIDE_GRAD[name])


@pytest.mark.shared
@pytest.mark.parametrize("name", list(STATEWIDE_GRAD))
def test_statewide_graduation_real(shared_cde, name):
    _statewide(shared_cde / name, *STATEWIDE_GRAD[name])


def _statewide(path, year, indicator, rate, num, den):
    df = read_cde(path)
    r = df[(df[C.LEVEL] == "state") & (df[C.GROUP] == "All students")]
    assert len(r) == 1
    r = r.iloc[0]
    assert (r[C.YEAR], r[C.INDICATOR], r[C.CDS]) == (year, indicator, "00000000000000")
    assert r[C.VALUE] == rate and r[C.NUMERATOR] == num and r[C.DENOMINATOR] == den
    assert round(100 * num / den, 1) == rate
    assert (df[df[C.LEVEL] == "state"][C.GROUP_CODE].nunique()) == 14


@pytest.mark.slow
@pytest.mark.shared
def test_real_priority3_zero_and_blank_become_nan(shared_cde):
    # CDE's files hold 13 zeros and 996 blanks (2023) and 252 blanks (2024) among the
    # 12 ratings of every LEA; all of them, and nothing else, become NaN.
    a = read_cde(shared_cde / "localind_priority3_family_engagement_2023.xlsx")
    b = read_cde(shared_cde / "localind_priority3_family_engagement_2024.xlsx")
    assert (len(a), len(b)) == (2298 * 12, 2262 * 12)
    assert (a[C.RATING].isna().sum(), b[C.RATING].isna().sum()) == (13 + 996, 252)
    assert set(a[C.RATING].dropna().unique()) == {1.0, 2.0, 3.0, 4.0, 5.0}


@pytest.mark.shared
def test_real_local_indicator_counts(shared_cde):
    df = read_cde(shared_cde / "localind_priority6_climate_2019.txt")
    # performance: Met 2191, Not Met 125, Not Met For Two or More Years 45
    assert df[C.VALUE].sum() == 2191 and (df[C.VALUE] == 0).sum() == 170
    p3 = read_cde(shared_cde / "localind_priority3_family_engagement_2024.xlsx",
                  kind="local_indicator")  # fmt: skip
    assert len(p3) == 2262 and p3[C.VALUE].sum() == 2228
    assert set(p3[C.GROUP]) == {"Parents-Priority Area 3"}


@pytest.mark.shared
def test_real_dashboard_rates_agree_with_counts(shared_cde):
    """Every rate with its counts equals 100 * numerator / denominator to CDE rounding
    (read_cde checks this; here the check is repeated on the output)."""
    for name in ("dashboard_graddownload_2019.txt", "dashboard_graddownload_2017fall.txt",
                 "dashboard_elpidownload_2019.txt", "dashboard_ccidownload_2017fall.txt"):  # fmt: skip
        df = read_cde(shared_cde / name).dropna(subset=[C.NUMERATOR, C.DENOMINATOR, C.VALUE])
        df = df[df[C.DENOMINATOR] > 0]
        gap = (df[C.VALUE] - 100 * df[C.NUMERATOR] / df[C.DENOMINATOR]).abs()
        assert len(df) > 800 and gap.max() <= 0.056


def test_priority3_fixture_zero_blank_and_charters():
    p = FIX / "localind_priority3_family_engagement_2023.xlsx"
    df = read_cde(p)
    per = df.groupby(C.CDS)[C.RATING].count()
    assert per["18101810000000"] == 11  # one 0 rating -> NaN
    assert per["01316090000000"] == 0  # all blank
    assert per["01100170112607"] == 12  # a charter LEA, kept: every LEA is
    types = df.drop_duplicates(C.CDS).set_index(C.CDS)[C.LEA_TYPE]
    assert types["01100170112607"] == "charter"  # Envision Academy, under Alameda COE's code
    assert types["01100170000000"] == "county office"
    assert types["01316090000000"] == "state"  # California School for the Blind (DOC 31)
    assert types["30664310000000"] == "district"
    assert df.attrs["rows_dropped"] == 0
    no_ch = read_cde(p, include_charters=False)
    assert "01100170112607" not in set(no_ch[C.CDS]) and no_ch.attrs["rows_dropped"] == 1


def test_priority3_text_layout_matches_xlsx_rule():
    p = FIX / "synthetic_localind_priority3_2023.txt"
    df = read_cde(p)
    assert df.attrs["cde_format"] == "localind_priority3" and df.attrs["synthetic"]
    assert (df[C.YEAR] == "2022-23").all()
    a = df[df[C.DISTRICT_ID] == "3066431"].set_index(C.ITEM)[C.RATING]
    assert np.isnan(a["CollaborationtInput"])  # 0 -> NaN
    assert a["DevelopStaffCapacityRelationship"] == 4
    o = df[df[C.DISTRICT_ID] == "5672538"].set_index(C.ITEM)[C.RATING]
    assert np.isnan(o["ResourcesPartnership"])  # blank -> NaN
    assert len(df) == 36  # three LEAs, the charter among them
    assert len(read_cde(p, include_charters=False)) == 24


# --- synthetic layouts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,fmt,indicator,year",
    [
        ("synthetic_dataquest_chronicabsenteeism23.txt", "dataquest_chronic",
         "chronic_absenteeism", "2022-23"),
        ("synthetic_dataquest_chronicabsenteeism25.txt", "dataquest_chronic_2024",
         "chronic_absenteeism", "2024-25"),
        ("synthetic_dataquest_suspension23.txt", "dataquest_suspension", "suspension",
         "2022-23"),
        ("synthetic_dataquest_acgr23.txt", "dataquest_acgr", "graduation", "2022-23"),
    ],
)  # fmt: skip
def test_dataquest_synthetic(name, fmt, indicator, year):
    path = FIX / name
    raw = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, encoding="latin-1")
    raw.columns = [c.replace("\ufeff", "").replace("ï»¿", "") for c in raw.columns]
    df = read_cde(path)
    assert df.attrs["cde_format"] == fmt and df.attrs["synthetic"]
    assert (df[C.INDICATOR] == indicator).all() and (df[C.YEAR] == year).all()
    # only CDE's All/All rows above school level; every school row
    level = raw.iloc[:, 1]
    charter = raw.iloc[:, 8]
    dass = raw.iloc[:, 9]
    expect = ((level == "S") | ((charter == "All") & (dass == "All"))).sum()
    assert len(df) == expect and df.attrs["rows_dropped"] == len(raw) - expect
    assert not df.duplicated([C.CDS, C.GROUP_CODE]).any()
    assert df.loc[df[C.LEVEL] == "state", C.CDS].unique().tolist() == ["00000000000000"]
    assert "30664310000000" in set(df[C.CDS]) and "30664313030194" in set(df[C.CDS])
    assert df.loc[df[C.CDS] == "30000000000000", C.LEVEL].unique().tolist() == ["county"]
    # '*' -> suppressed, NaN; others consistent
    sup = df[df[C.SUPPRESSED]]
    assert len(sup) > 0 and sup[C.VALUE].isna().all() and sup[C.NUMERATOR].isna().all()
    ok = df[~df[C.SUPPRESSED]]
    assert np.allclose(ok[C.VALUE], (100 * ok[C.NUMERATOR] / ok[C.DENOMINATOR]).round(1))
    assert set(df[C.GROUP]) >= {"All students", "English learners"}
    if indicator == "chronic_absenteeism":
        assert "Grades 9-12" in set(df[C.GROUP])
    assert "Niños Elementary" in set(df[C.NAME])
    validate(df, "outcomes", file=path)


def test_dashboard_2019_status_layout_indicator_from_name(tmp_path):
    p = FIX / "synthetic_dashboard_chronicdownload2019.txt"
    df = read_cde(p)
    assert df.attrs["cde_format"] == "dashboard_status_2019"
    assert (df[C.INDICATOR] == "chronic_absenteeism").all() and (df[C.YEAR] == "2018-19").all()
    st = _row(df, "00000000000000", "ALL")
    assert (st[C.VALUE], st[C.COLOR], st[C.CHANGE]) == (12.1, 2, 0.6)
    fos = _row(df, AUHSD, "FOS")
    assert fos[C.SUPPRESSED] and np.isnan(fos[C.COLOR]) and np.isnan(fos[C.STATUS_LEVEL])
    # a neutral name: the layout is shared with suspension, so kind= is needed
    q = tmp_path / "download.txt"
    shutil.copy(p, q)
    with pytest.raises(UnknownFormatError, match="kind="):
        read_cde(q)
    assert (read_cde(q, kind="suspension")[C.INDICATOR] == "suspension").all()
    assert detect_cde_format(q) == "dashboard_status_2019"


def test_dashboard_2023_indicator_column_and_comment():
    df = read_cde(FIX / "synthetic_dashboard_download2023.txt")
    assert df.attrs["synthetic"] and df.attrs["cde_format"] == "dashboard_indicator_2023"
    assert sorted(df[C.INDICATOR].unique()) == ["chronic_absenteeism", "suspension"]
    s = df[(df[C.INDICATOR] == "suspension") & (df[C.GROUP_CODE] == "ALL")].iloc[0]
    assert (s[C.NUMERATOR], s[C.DENOMINATOR], s[C.VALUE], s[C.YEAR]) == (900, 30000, 3.0,
                                                                          "2022-23")  # fmt: skip


def test_kind_choices(tmp_path):
    ela = FIX / "dashboard_ela11download_2017fall.txt"
    q = tmp_path / "grade11.txt"
    shutil.copy(ela, q)
    with pytest.raises(UnknownFormatError, match="ela_dfs"):
        read_cde(q)
    assert (read_cde(q, kind="math_dfs")[C.INDICATOR] == "math_dfs").all()
    with pytest.raises(UnknownFormatError):
        read_cde(q, kind="suspension")
    g = FIX / "dashboard_graddownload_2018.txt"
    assert (read_cde(g, kind="graduation_5yr")[C.INDICATOR] == "graduation_5yr").all()
    with pytest.raises(UnknownFormatError):
        read_cde(g, kind="elpi")
    with pytest.raises(UnknownFormatError, match="not known"):
        read_cde(g, kind="nonsense")


def test_localind_year_rule(tmp_path):
    p = FIX / "localind_performance_2018.txt"
    assert (read_cde(p)[C.YEAR] == "2017-18").all()
    assert (read_cde(p, year="2018-19")[C.YEAR] == "2018-19").all()
    q = tmp_path / "LocalIndPerf.txt"
    shutil.copy(p, q)
    with pytest.raises(Exception, match="year=") as e:
        read_cde(q)
    assert e.value.__class__.__name__ == "SchemaError"


def test_dashboard_years_2017f_and_report_year():
    from cei_metrics.io.cde import _cohort_year_5yr, _report_year

    assert _report_year("2017f") == "2016-17"
    assert _report_year("2019") == "2018-19"
    assert _cohort_year_5yr("2018") == "2016-17"
    assert _report_year("19") is None


def test_detection_ignores_the_file_name(tmp_path):
    for name, fmt, *_ in CASES:
        q = tmp_path / f"renamed_{fmt}{Path(name).suffix}"
        shutil.copy(FIX / name, q)
        assert detect_cde_format(q) == fmt


def test_header_case_and_column_order_do_not_matter(tmp_path):
    src = FIX / "dashboard_graddownload_2019.txt"
    lines = src.read_bytes().split(b"\r\n")
    cells = [ln.split(b"\t") for ln in lines if ln]
    perm = list(range(len(cells[0])))[::-1]
    cells[0] = [c.upper() for c in cells[0]]
    out = b"\r\n".join(b"\t".join(r[i] for i in perm) for r in cells) + b"\r\n"
    q = tmp_path / "shuffled.txt"
    q.write_bytes(out)
    a, b = read_cde(src), read_cde(q)
    pd.testing.assert_frame_equal(a.drop(columns=C.SOURCE), b.drop(columns=C.SOURCE))


def test_line_endings_and_encodings_are_equivalent(tmp_path):
    src = FIX / "synthetic_dataquest_chronicabsenteeism23.txt"  # cp1252, CRLF
    text = src.read_bytes().decode("cp1252")
    base = read_cde(src).drop(columns=C.SOURCE)
    variants = {
        "lf_utf8.txt": text.replace("\r\n", "\n").encode("utf-8"),
        "bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "latin1_comment.txt": ("# exported 2023\r\n" + text).encode("latin-1"),
    }
    for name, data in variants.items():
        q = tmp_path / name
        q.write_bytes(data)
        got = read_cde(q)
        pd.testing.assert_frame_equal(base, got.drop(columns=C.SOURCE))
        assert got.attrs["synthetic"] is False


def test_synthetic_flag_from_comment(tmp_path):
    q = tmp_path / "grad.txt"
    q.write_bytes(b"# SYNTHETIC data\n" + (FIX / "dashboard_graddownload_2018.txt").read_bytes())
    assert read_cde(q).attrs["synthetic"] is True


def test_excel_lost_leading_zeros_are_restored(tmp_path):
    src = (FIX / "dashboard_graddownload_2018.txt").read_text()
    q = tmp_path / "g.txt"
    q.write_text(src.replace("00000000000000\t", "0\t"))
    df = read_cde(q)
    assert (df.loc[df[C.LEVEL] == "state", C.CDS] == "00000000000000").all()


@pytest.mark.skipif(
    not (Path(__file__).resolve().parents[2] / "cei_metrics" / "datasets" / "demo.py").exists(),
    reason="demo data generator not present",
)
def test_priority3_reader_round_trips_the_demo_truth(demo, tmp_path):
    """Write the demo world's Priority 3 ratings in CDE's layout (tab text and xlsx, with
    0 for a missing rating as CDE does) and read them back: the ratings, items, sections
    and school years are the demo's own."""
    from cei_metrics.instruments import load_instrument

    r = demo.ratings
    r = r[r[C.TOOL] == "priority3_self_reflection"]
    inst = load_instrument("priority3_self_reflection")
    wide = r.pivot_table(index=[C.DISTRICT_ID, C.YEAR], columns=C.ITEM, values=C.RATING,
                         aggfunc="first", dropna=False).reset_index()  # fmt: skip
    header = ["cdsCode", "lea", "priorityNumber", *[f"Narrative{i}" for i in range(9)],
              *inst.item_ids, "countyPerformance", "additionalInfo", "meetingDate", "year"]  # fmt: skip
    lines = ["\t".join(header)]
    for _, w in wide.iterrows():
        start = int(w[C.YEAR][:4])
        vals = ["0" if np.isnan(w[i]) else str(int(w[i])) for i in inst.item_ids]
        lines.append("\t".join([w[C.DISTRICT_ID] + "0000000", "LEA", "3", *[""] * 9, *vals,
                                "Met", "", "", str(start + 1)]))  # fmt: skip
    q = tmp_path / "synthetic_localind_priority3_demo.txt"
    q.write_text("\n".join(lines) + "\n")
    got = read_cde(q)
    assert got.attrs["synthetic"]
    key = [C.CDS, C.DISTRICT_ID, C.LEA_TYPE, C.YEAR, C.ITEM]
    m = r.merge(got, on=key, suffixes=("", "_read"), how="outer", indicator=True)
    assert (m["_merge"] == "both").all() and len(m) == len(r)
    assert np.array_equal(m[C.RATING].to_numpy(), m[f"{C.RATING}_read"].to_numpy(),
                          equal_nan=True)  # fmt: skip
    assert (m[C.SECTION] == m[f"{C.SECTION}_read"]).all()
