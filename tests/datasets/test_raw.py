"""write_demo_raw: file names, the synthetic header line, layouts and encodings."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cei_metrics.datasets import write_demo_raw
from cei_metrics.datasets.raw import (
    ACAD_COLUMNS,
    CA_MEASURES,
    GRAD_COLUMNS,
    SUSP_MEASURES,
    synthetic_header,
)
from cei_metrics.instruments import load_instrument
from cei_metrics.schemas import C

P3_HEADER = (
    "cdsCode lea priorityNumber Narrative1a Narrative1b Narrative1c Narrative2a Narrative2b "
    "Narrative2c Narrative3a Narrative3b Narrative3c DevelopStaffCapacityRelationship "
    "EnvironmentRelationship StaffSupportRelationship OpportunityRelationship "
    "ProfessionalLearningPartnership ResourcesPartnership PoliciesProgramsPartnership "
    "LegalRightsPartnership SupportStaffCapacityInput SupportFamilyCapacityInput "
    "StrategiesInput CollaborationtInput countyPerformance additionalInfo meetingDate year"
).split()
CA_HEADER = (
    "AcademicYear AggregateLevel CountyCode DistrictCode SchoolCode CountyName DistrictName "
    "SchoolName CharterSchool DASS ReportingCategory"
).split() + list(CA_MEASURES)


@pytest.fixture(scope="module")
def raw(demo_pipeline) -> Path:
    return demo_pipeline[0]  # the demo's raw files, as the pipeline wrote them


def _read(path: Path, *, encoding: str, sep: str) -> pd.DataFrame:
    return pd.read_csv(
        path, sep=sep, encoding=encoding, comment=None, skiprows=1, dtype=str,
        keep_default_na=False, quoting=csv.QUOTE_NONE if sep == "\t" else csv.QUOTE_MINIMAL,
    )  # fmt: skip


def test_every_file_is_marked_synthetic(raw):
    files = sorted(raw.iterdir())
    assert len(files) > 60
    head = synthetic_header(2019)
    for f in files:
        assert f.name.startswith("synthetic_")
        enc = "utf-8-sig" if f.name.startswith("synthetic_family_survey") else "cp1252"
        first = f.read_bytes().decode(enc).splitlines()[0]
        assert first == head, f.name
    assert "seed=2019" in head and "not real" in head


def test_rewrite_is_identical_and_atomic(raw, tmp_path):
    again = write_demo_raw(tmp_path, seed=2019)
    for p in again[:5] + again[-5:]:
        assert p.read_bytes() == (raw / p.name).read_bytes()
    assert not list(tmp_path.glob(".*tmp"))  # no temporary files left behind


def test_survey_export_layout(raw, demo):
    inst = load_instrument("family_engagement")
    path = raw / "synthetic_family_survey_wave1.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf#")  # UTF-8 BOM, then the header line
    df = _read(path, encoding="utf-8-sig", sep=",")
    texts = [inst.items[i].text["en"] for i in inst.item_ids]
    assert list(df.columns) == [
        "Response ID",
        "Start Date",
        "District Code",
        "School Code",
        "Survey Language",
        "Email Address",
        *texts,
        "EL Family",
        "Low Income",
        "Weight",
        "Comments",
    ]
    assert set(df["Survey Language"]) == {"English", "Español"}
    assert df["Email Address"].str.endswith("@example.org").all()
    assert df["District Code"].str.fullmatch(r"\d{7}").all()
    assert df["School Code"].str.fullmatch(r"\d{14}").all()
    pd.to_datetime(df["Start Date"], format="ISO8601")
    # every cell maps back to the demo's codes through the instrument's labels
    s = demo.survey[demo.survey[C.WAVE] == 1]
    wide = s.pivot(index=C.RESPONDENT_ID, columns=C.ITEM, values=C.VALUE).loc[df["Response ID"]]
    why = s.pivot(index=C.RESPONDENT_ID, columns=C.ITEM, values=C.MISSING_REASON)
    why = why.loc[df["Response ID"]]
    lab = inst.label_map()
    from cei_metrics.instruments import normalize_label

    for item, text in zip(inst.item_ids, texts):
        mapped = df[text].map(lambda v: lab[normalize_label(v)])
        codes = mapped.map(lambda t: np.nan if t[0] is None else float(t[0])).to_numpy()
        reasons = mapped.map(lambda t: t[1]).to_numpy()
        assert np.array_equal(codes, wide[item].to_numpy(), equal_nan=True)
        assert (reasons == why[item].to_numpy()).all()
    cells = df[texts].to_numpy().ravel()
    assert "No sé" in cells and "Don't know" in cells and "" in cells
    assert any(c in cells for c in ("muy de acuerdo", "De Acuerdo", "Muy de acuérdo"))
    assert (df["Comments"] != "").mean() < 0.2


def test_signin_sheets(raw, demo):
    files = sorted(raw.glob("synthetic_signins_*.csv"))
    assert files[0].name == "synthetic_signins_2017-18.csv"
    df = pd.concat(_read(f, encoding="utf-8", sep=",") for f in files)
    assert list(df.columns) == [
        "Event ID",
        "Event Name",
        "Date",
        "Event Type",
        "District Code",
        "Participant ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone",
        "Role",
        "Language",
        "EL Family",
        "Low Income",
    ]
    assert len(df) == len(demo.participation)
    pd.to_datetime(df["Date"], format="%m/%d/%Y")
    assert set(df["EL Family"]) == {"Y", "N"} and set(df["Language"]) <= {"English", "Spanish"}
    conv = df[df["Event Type"] == "convening"]
    assert "08/29/2019" in set(conv["Date"])


def test_priority3_files(raw, demo):
    path = raw / "synthetic_localind_priority3_2020.txt"
    assert b"\r\n" in path.read_bytes()
    df = _read(path, encoding="cp1252", sep="\t")
    assert list(df.columns) == P3_HEADER
    assert df["cdsCode"].str.fullmatch(r"\d{7}0000000").all()
    assert set(df["year"]) == {"2020"} and set(df["priorityNumber"]) == {"3"}
    assert df["meetingDate"].str.startswith("2020-06-").all()
    vals = df["StrategiesInput"]
    assert set(vals) <= {"", "1", "2", "3", "4", "5"}
    r = demo.ratings
    exp = r[(r[C.YEAR] == "2019-20") & (r[C.ITEM] == "StrategiesInput")].set_index(C.DISTRICT_ID)[
        C.RATING
    ]
    got = pd.to_numeric(vals.replace("", np.nan)).set_axis(df["cdsCode"].str[:7])
    assert np.array_equal(got.sort_index().to_numpy(), exp.sort_index().to_numpy(), equal_nan=True)


def test_dataquest_files(raw, demo):
    assert not (raw / "synthetic_chronicabsenteeism20.txt").exists()  # no 2019-20 data
    df = _read(raw / "synthetic_chronicabsenteeism19.txt", encoding="cp1252", sep="\t")
    assert list(df.columns) == CA_HEADER
    assert set(df["AggregateLevel"]) == {"T", "D", "S"}
    assert (df["ChronicAbsenteeismCount"] == "*").any()
    small = pd.to_numeric(df[CA_MEASURES[0]]) < 11
    assert (df.loc[small, CA_MEASURES[1:]] == "*").all().all()
    t = df[(df["AggregateLevel"] == "T") & (df["ReportingCategory"] == "TA")]
    o = demo.outcomes
    state = o[
        (o[C.LEVEL] == "state")
        & (o[C.INDICATOR] == "chronic_absenteeism")
        & (o[C.GROUP] == "All students")
        & (o[C.YEAR] == "2018-19")
    ]
    assert float(t["ChronicAbsenteeismRate"].item()) == state[C.VALUE].item()
    spaced = _read(raw / "synthetic_chronicabsenteeism25.txt", encoding="cp1252", sep="\t")
    assert list(spaced.columns[:3]) == ["Academic Year", "Aggregate Level", "County Code"]
    assert list(spaced.columns[-3:]) == list(CA_MEASURES)
    susp = _read(raw / "synthetic_suspension21.txt", encoding="cp1252", sep="\t")
    assert "CharterYN" in susp.columns and list(susp.columns[-5:]) == list(SUSP_MEASURES)


def test_dashboard_files(raw):
    g = _read(raw / "synthetic_graddownload2019.txt", encoding="cp1252", sep="\t")
    assert list(g.columns) == GRAD_COLUMNS
    assert set(g["reportingyear"]) == {"2019"}
    assert set(g["rtype"]) == {"X", "D", "S"}
    assert (g.loc[g["rtype"] == "X", "cds"] == "00000000000000").all()
    small = g["currnumer"] == ""
    assert small.any()
    assert (g.loc[small, ["statuslevel", "changelevel", "color"]] == "0").all().all()
    assert not (g["currstatus"] == "*").any()
    e = _read(raw / "synthetic_eladownload2022.txt", encoding="cp1252", sep="\t")
    assert list(e.columns) == ACAD_COLUMNS
    assert not (raw / "synthetic_eladownload2020.txt").exists()
    raw_bytes = (raw / "synthetic_mathdownload2019.txt").read_bytes()
    assert raw_bytes.count(b"\r\n") == raw_bytes.count(b"\n")  # CRLF throughout


def test_roster_file(raw, demo):
    df = pd.read_csv(
        io.StringIO((raw / "synthetic_districts.csv").read_text("utf-8")),
        comment="#",
        dtype={C.DISTRICT_ID: str, C.COHORT: str},
    )
    assert df[C.DISTRICT_ID].tolist() == demo.roster[C.DISTRICT_ID].tolist()
    assert df[C.COHORT].isna().sum() == 52


@pytest.mark.parametrize(
    "name, indicator, year",
    [
        ("synthetic_chronicabsenteeism25.txt", "chronic_absenteeism", "2024-25"),
        ("synthetic_suspension20.txt", "suspension", "2019-20"),
        ("synthetic_graddownload2019.txt", "graduation", "2018-19"),
        ("synthetic_eladownload2022.txt", "ela_dfs", "2021-22"),
    ],
)
def test_cde_files_round_trip_through_read_cde(raw, demo, name, indicator, year):
    import cei_metrics as cm

    back = cm.io.read_cde(raw / name)
    o = demo.outcomes
    o = o[(o[C.INDICATOR] == indicator) & (o[C.YEAR] == year)]
    m = o.merge(back, on=[C.CDS, C.GROUP, C.YEAR], suffixes=("", "_back"), validate="1:1")
    assert len(m) == len(o) == len(back)
    for col in (C.VALUE, C.DENOMINATOR):
        assert np.allclose(m[col], m[f"{col}_back"], equal_nan=True)
    assert (m[C.SUPPRESSED] == m[f"{C.SUPPRESSED}_back"]).all()
