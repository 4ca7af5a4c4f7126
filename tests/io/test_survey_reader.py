"""The survey-export reader: labels to codes, PII out, bad input reported or refused."""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cei_metrics as cm
from cei_metrics.io.survey import read_survey_export
from cei_metrics.schemas import C, validate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

FIX = FIXTURES / "survey" / "synthetic_survey_wave1.csv"
HEADER = (
    "Response ID,Start Date,District Code,Survey Language,"
    "Staff at my child's school treat my family with respect.,trust_2\n"
)


def _write(tmp_path, text, name="export_wave2.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_fixture_reads_to_canonical_long_table():
    df = read_survey_export(FIX, "family_engagement")
    validate(df, "survey")
    assert len(df) == 4 * 3
    assert set(df[C.ITEM]) == {"trust_1", "trust_2", "comm_3"}
    assert (df[C.WAVE] == 1).all() and (df[C.YEAR] == "2018-19").all()
    v = df.set_index([C.RESPONDENT_ID, C.ITEM])[C.VALUE]
    assert v[("R1", "trust_1")] == 5 and v[("R1", "trust_2")] == 4
    assert v[("R2", "trust_1")] == 5 and v[("R2", "comm_3")] == 1  # raw code, not reversed
    assert v[("R4", "trust_1")] == 4  # accent and case variant
    r = df.set_index([C.RESPONDENT_ID, C.ITEM])[C.MISSING_REASON]
    assert r[("R2", "trust_2")] == "dont_know" and np.isnan(v[("R2", "trust_2")])
    assert r[("R3", "trust_1")] == "dont_know"  # curly apostrophe
    assert r[("R3", "trust_2")] == "no_response"
    lang = df.drop_duplicates(C.RESPONDENT_ID).set_index(C.RESPONDENT_ID)[C.LANGUAGE]
    assert lang.to_dict() == {"R1": "en", "R2": "es", "R3": "en", "R4": "es"}
    rep = df.attrs["read"]
    assert rep.synthetic and df.attrs["synthetic"]
    kinds = dict(zip(rep.dropped_columns["column"], rep.dropped_columns["kind"]))
    assert kinds == {"Email Address": "pii", "Comments": "free_text"}
    assert "Email Address" not in df.columns and "Comments" not in df.columns


def test_latin1_and_bom_and_semicolons(tmp_path):
    text = HEADER.replace(",", ";") + "R1;2020-03-01;1234567;Español;Muy de acuerdo;De acuerdo\n"
    for enc in ("cp1252", "utf-8-sig"):
        df = read_survey_export(_write(tmp_path, text, encoding=enc), "family_engagement")
        assert df[C.VALUE].tolist() == [5.0, 4.0]
        assert df[C.LANGUAGE].iat[0] == "es"
        assert df[C.YEAR].iat[0] == "2019-20"


def test_unknown_label_and_out_of_range_code_are_repaired_and_reported(tmp_path):
    text = (
        HEADER
        + "R1,2020-03-01,1234567,English,Sometimes,7\nR2,2020-03-01,1234567,English,Agree,4\n"
    )
    df = read_survey_export(_write(tmp_path, text), "family_engagement")
    rep = df.attrs["read"].repaired
    assert len(rep) == 2
    assert set(rep["row"]) == {2} and set(rep["column"]) == {
        "Staff at my child's school treat my family with respect.",
        "trust_2",
    }
    assert (df[C.MISSING_REASON] == "out_of_range").sum() == 2


def test_unknown_label_raises_in_strict_mode(tmp_path):
    text = (
        HEADER
        + "R1,2020-03-01,1234567,English,Agree,4\nR2,2020-03-01,1234567,English,Sometimes,4\n"
    )
    with pytest.raises(cm.SchemaError) as info:
        read_survey_export(_write(tmp_path, text), "family_engagement", errors="raise")
    e = info.value
    assert e.row == 3 and e.column.startswith("Staff at") and "export_wave2.csv" in str(e)
    assert e.fix


def test_duplicated_respondent_wave_rows_rejected(tmp_path):
    text = (
        HEADER + "R1,2020-03-01,1234567,English,Agree,4\nR1,2020-03-02,1234567,English,Disagree,2\n"
    )
    df = read_survey_export(_write(tmp_path, text), "family_engagement")
    rej = df.attrs["read"].rejected
    assert rej[["row", "reason"]].values.tolist() == [
        [3, "repeated respondent in this wave (the first row is kept)"]
    ]
    assert df[C.VALUE].tolist() == [4.0, 4.0]


def test_bad_district_rejected_with_row(tmp_path):
    text = HEADER + "R1,2020-03-01,12AB,English,Agree,4\nR2,2020-03-01,1234567,English,Agree,4\n"
    df = read_survey_export(_write(tmp_path, text), "family_engagement")
    assert df.attrs["read"].rejected["row"].tolist() == [2]
    assert set(df[C.RESPONDENT_ID]) == {"R2"}


def test_missing_district_column_named(tmp_path):
    text = "Response ID,Start Date,trust_1\nR1,2020-03-01,Agree\n"
    with pytest.raises(cm.SchemaError) as info:
        read_survey_export(_write(tmp_path, text), "family_engagement")
    assert info.value.column == "District Code" and info.value.row == 1  # the header row


def test_missing_respondent_id_made_from_file_and_row(tmp_path):
    text = "Start Date,District Code,trust_1\n2020-03-01,1234567,Agree\n2020-03-02,1234567,Agree\n"
    df = read_survey_export(_write(tmp_path, text), "family_engagement")
    assert df[C.RESPONDENT_ID].tolist() == ["export_wave2.csv#row2", "export_wave2.csv#row3"]


def test_wrong_delimiter_empty_file_and_no_items(tmp_path):
    with pytest.raises(cm.CEIError, match="no column matches"):
        read_survey_export(
            _write(tmp_path, "Response ID District trust_1\nR1 1 2\n"), "family_engagement"
        )
    with pytest.raises(cm.CEIError, match="empty"):
        read_survey_export(_write(tmp_path, ""), "family_engagement")
    with pytest.raises(cm.InstrumentError, match="no column matches"):
        read_survey_export(
            _write(tmp_path, "Response ID,District Code,Start Date,Q99\nR1,1234567,2020-01-01,x\n"),
            "family_engagement",
        )


def test_wave_one_when_not_in_name(tmp_path):
    text = HEADER + "R1,2020-03-01,1234567,English,Agree,4\n"
    df = read_survey_export(_write(tmp_path, text, name="export.csv"), "family_engagement")
    assert (df[C.WAVE] == 1).all() and df.attrs["wave_from"] == "default"
    assert any("wave 1" in n for n in df.attrs["read"].notes)
    df = read_survey_export(_write(tmp_path, text, name="export.csv"), "family_engagement", wave=3)
    assert (df[C.WAVE] == 3).all()


def test_nonpositive_weight_refused(tmp_path):
    text = (
        "Response ID,Start Date,District Code,Weight,trust_1\n"
        "R1,2020-03-01,1234567,1.2,Agree\nR2,2020-03-01,1234567,0,Agree\n"
    )
    with pytest.raises(cm.SchemaError) as info:
        read_survey_export(_write(tmp_path, text), "family_engagement")
    assert info.value.row == 3 and info.value.column == "Weight"


def test_raw_file_is_not_modified():
    before = FIX.read_bytes()
    read_survey_export(FIX, "family_engagement")
    assert FIX.read_bytes() == before


cell = st.one_of(
    st.sampled_from(["Agree", "De acuerdo", "No sé", "", "Muy de acuerdo", "3", "9", "x"]),
    st.text(alphabet=string.printable + "áéíóúñ¿¡\u2019", max_size=12),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(st.tuples(cell, cell, cell, cell), min_size=0, max_size=6),
    delim=st.sampled_from([",", ";", "\t"]),
    enc=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_fuzz_reader_never_crashes_outside_ceierror(tmp_path, cells, delim, enc):
    lines = [delim.join(["Response ID", "District Code", "Start Date", "trust_1"])]
    for a, b, c, d in cells:
        lines.append(
            delim.join(
                x.replace(delim, " ").replace("\n", " ").replace("\r", " ").replace('"', "")
                for x in (a, "1234567", "2020-01-01", d)
            )
        )
        del b, c
    p = tmp_path / "fuzz_wave1.csv"
    p.write_bytes("\n".join(lines).encode(enc, errors="replace"))
    try:
        df = read_survey_export(p, "family_engagement")
    except cm.CEIError:
        return
    assert isinstance(df, pd.DataFrame)
    answered = df[C.MISSING_REASON] == ""
    assert df.loc[answered, C.VALUE].between(1, 5).all()
    assert df.loc[~answered, C.VALUE].isna().all()
