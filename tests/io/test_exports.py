"""Real exports read without hand-editing: one named test per problem a new user met.

Fixtures: tests/fixtures/exports/ (written by make_exports.py there, in each tool's shape).
Rows are as a spreadsheet shows them: header = row 1, first data row = row 2.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cei_metrics as cm
from cei_metrics.cli import main
from cei_metrics.io import ingest
from cei_metrics.io.dates import parse_dates
from cei_metrics.io.dispatch import read_folder
from cei_metrics.io.participation import read_signins
from cei_metrics.io.survey import read_survey_export
from cei_metrics.schemas import C

TEST_KEY = bytes(range(32))  # keyed hashing needs 32 bytes; tests use a fixed one

EX = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
GF = EX / "google_forms" / "Family Survey (Responses) - Form Responses 1.csv"
PROBLEMS = EX / "problems"
FOLDERS = [
    "google_forms",
    "surveymonkey",
    "surveymonkey_one_row",
    "qualtrics",
    "qualtrics_numeric",
    "spss",
    "excel",
]
SURVEYS = {
    "google_forms": "Family Survey (Responses) - Form Responses 1.csv",
    "surveymonkey": "Family Engagement Survey.csv",
    "surveymonkey_one_row": "Family Engagement Survey (condensed).csv",
    "qualtrics": "Family_Survey_February 2024.csv",
    "qualtrics_numeric": "Family_Survey_February 2024_numeric.csv",
    "spss": "family_survey_wave1.sav",
    "excel": "family_survey_wave1.xlsx",
}
TOOL = {
    "google_forms": "Google Forms",
    "surveymonkey": "SurveyMonkey",
    "surveymonkey_one_row": "SurveyMonkey",
    "qualtrics": "Qualtrics",
    "qualtrics_numeric": "Qualtrics",
    "spss": "SPSS",
    "excel": "Excel",
}


def _write(tmp_path: Path, text: str, name: str = "export_wave1.csv", encoding="utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


# --- every tool's shape --------------------------------------------------------------


@pytest.mark.parametrize("folder", list(SURVEYS))
def test_each_tool_export_reads_all_twelve_questions(folder):
    df = read_survey_export(EX / folder / SURVEYS[folder])
    rep = df.attrs["read"]
    assert TOOL[folder] in rep.recognised_as
    assert rep.matched.startswith("12 of 12 questions matched")
    assert rep.rows_read == 48 and rep.rows_kept == 48
    assert set(df[C.ITEM]) == set(cm.instruments.load_instrument("family_engagement").item_ids)
    assert df[C.DISTRICT_ID].str.fullmatch(r"\d{7}").all()
    assert set(df[C.LANGUAGE]) >= {"en", "es"}
    assert (df[C.YEAR] == "2023-24").all()
    answered = df[C.MISSING_REASON] == ""
    assert df.loc[answered, C.VALUE].between(1, 5).all()
    cm.schemas.validate(df, "survey")


def test_all_tools_give_the_same_answers_for_the_same_people():
    """The generator gives every tool the same 48 invented people (seeded per tool); the
    SurveyMonkey one- and two-row exports hold identical answers."""
    a = read_survey_export(EX / "surveymonkey" / SURVEYS["surveymonkey"])
    b = read_survey_export(EX / "surveymonkey_one_row" / SURVEYS["surveymonkey_one_row"])
    pd.testing.assert_frame_equal(
        a[[C.RESPONDENT_ID, C.ITEM, C.VALUE, C.MISSING_REASON, C.LANGUAGE, C.DISTRICT_ID]],
        b[[C.RESPONDENT_ID, C.ITEM, C.VALUE, C.MISSING_REASON, C.LANGUAGE, C.DISTRICT_ID]],
    )
    q = read_survey_export(EX / "qualtrics" / SURVEYS["qualtrics"])
    qn = read_survey_export(EX / "qualtrics_numeric" / SURVEYS["qualtrics_numeric"])
    both = q[C.MISSING_REASON].eq("") & qn[C.MISSING_REASON].eq("")
    np.testing.assert_array_equal(q.loc[both, C.VALUE], qn.loc[both, C.VALUE])


def test_qualtrics_three_header_rows_and_timezone():
    df = read_survey_export(EX / "qualtrics" / SURVEYS["qualtrics"])
    rep = df.attrs["read"]
    assert "3 header rows" in rep.recognised_as
    assert df[C.RESPONDENT_ID].iat[0].startswith("R_")
    kinds = dict(zip(rep.dropped_columns["column"], rep.dropped_columns["kind"]))
    for col in ("IPAddress", "RecipientEmail", "RecipientLastName", "LocationLatitude"):
        assert kinds[col] == "pii"
    assert kinds["Duration (in seconds)"] == "metadata"


def test_surveymonkey_two_row_header_matrix_rows_matched():
    df = read_survey_export(EX / "surveymonkey" / SURVEYS["surveymonkey"])
    rep = df.attrs["read"]
    assert "2 header rows" in rep.recognised_as
    kinds = dict(zip(rep.dropped_columns["column"], rep.dropped_columns["kind"]))
    assert {k for k, v in kinds.items() if v == "pii"} >= {
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
    }
    # district as codes in some rows and names in others
    assert set(df[C.DISTRICT_ID]) == {"5672538", "1964279", "3767991", "3066431", "3667819"}


def test_spss_value_labels_and_fixture_generator_committed():
    df = read_survey_export(EX / "spss" / SURVEYS["spss"])
    assert (df[C.MISSING_REASON] == "dont_know").any()  # value label "Don't know"
    assert (EX / "make_exports.py").exists()


def test_question_matching_bilingual_numbered_and_reported(tmp_path):
    text = (
        "Response ID,Start Date,District,Q1. Staff at my child's school treat my family with "
        "respect. / El personal de la escuela de mi hijo/a trata a mi familia con respeto.,"
        "3) I TRUST the school to do what is best for my child!,Favourite colour\n"
        "R1,2024-02-05,5672538,Agree,De acuerdo,blue\n"
    )
    df = read_survey_export(_write(tmp_path, text))
    rep = df.attrs["read"]
    assert rep.matched == "2 of 12 questions matched; unmatched columns: 'Favourite colour'"
    assert df[C.VALUE].tolist() == [4.0, 4.0]


# --- "Totalmente de acuerdo" ----------------------------------------------------------


def test_spanish_end_labels_totalmente_are_mapped(tmp_path):
    text = (
        "Response ID,Start Date,District,Survey Language,trust_1,trust_2,trust_3,trust_4\n"
        "R1,2024-02-05,5672538,Español,Totalmente de acuerdo,Totalmente en desacuerdo,"
        "Completamente de acuerdo,Muy en desacuerdo\n"
        "R2,2024-02-05,5672538,Español,NI DE ACUERDO NI EN DESACUERDO,Neutral,No aplica,"
        "totalmente  de acuérdo.\n"
    )
    df = read_survey_export(_write(tmp_path, text))
    assert df[C.VALUE].tolist()[:4] == [5.0, 1.0, 5.0, 1.0]
    assert df[C.VALUE].tolist()[4:6] == [3.0, 3.0]
    assert df[C.MISSING_REASON].tolist()[6] == "not_asked"
    assert df[C.VALUE].tolist()[7] == 5.0
    assert df.attrs["read"].repaired.empty


def test_spanish_answers_go_missing_no_more_than_english():
    df = read_survey_export(GF)
    miss = df.assign(m=df[C.MISSING_REASON].eq("out_of_range")).groupby(C.LANGUAGE)["m"].mean()
    assert miss.get("es", 0) <= 0.02 and miss.get("en", 0) <= 0.02


# --- blanks and "Prefer not to say" in group flags ----------------------------------------


def test_blank_or_prefer_not_to_say_in_group_flags_never_aborts(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(EX / "google_forms", raw)
    rep = ingest(raw, tmp_path / "processed", key=TEST_KEY)
    assert (rep.files["status"] == "read").all()
    s = pd.read_parquet(tmp_path / "processed" / "survey.parquet")
    first = s.drop_duplicates(C.RESPONDENT_ID)
    assert first[C.EL_FAMILY].isna().any() and first[C.EL_FAMILY].eq(True).any()
    assert first[C.EL_FAMILY].eq(False).any()


def test_error_row_is_the_file_row_not_the_long_table_row(tmp_path):
    text = (
        "Response ID,Start Date,District,EL Family,trust_1\n"
        + "".join(f"R{k},2024-02-05,5672538,Yes,Agree\n" for k in range(6))
        + "R6,2024-02-05,5672538,Maybe,Agree\n"
    )
    p = _write(tmp_path, text)
    with pytest.raises(cm.CEIError) as info:
        read_survey_export(p, errors="raise")
    assert info.value.row == 8 and info.value.column == "EL Family"
    assert "export_wave1.csv" in str(info.value) and "Maybe" not in str(info.value)
    df = read_survey_export(p)
    u = df.attrs["read"].unrecognised
    assert u[["column", "rows", "count"]].values.tolist() == [["EL Family", "8", 1]]
    assert pd.isna(df[C.EL_FAMILY].iat[-1])


# --- dates ------------------------------------------------------------------------------


def test_dates_with_z_and_mixed_offsets_normalised_to_california():
    r = parse_dates(
        pd.Series(
            [
                "2024-03-10T17:30:00Z",  # after the DST change: 10:30 PDT
                "2024-03-10T10:30:00-07:00",
                "2024-01-15T10:30:00-08:00",
                "2024/02/05 9:41:12 AM PST",  # Google Forms
                "45327.5",  # Excel serial: 2024-02-05 12:00
                "02/05/2024 09:41:12 PM",  # SurveyMonkey
                "",
            ]
        )
    )
    got = r.values.dt.strftime("%Y-%m-%d %H:%M:%S").tolist()
    assert got[:6] == [
        "2024-03-10 10:30:00",
        "2024-03-10 10:30:00",
        "2024-01-15 10:30:00",
        "2024-02-05 09:41:12",
        "2024-02-05 12:00:00",
        "2024-02-05 21:41:12",
    ]
    assert pd.isna(r.values.iat[6]) and not r.unreadable.any()


def test_mixed_date_file_reads_without_traceback():
    df = read_survey_export(PROBLEMS / "mixed_dates_wave1.csv")
    assert (df[C.YEAR] == "2023-24").all() and len(df) == 6


def test_ambiguous_day_month_order_reported_and_day_first_detected():
    amb = parse_dates(pd.Series(["03/04/2024", "05/06/2024"]))
    assert amb.order == "month/day" and "month/day" in amb.notes[0]
    assert amb.values.dt.month.tolist() == [3, 5]
    dm = parse_dates(pd.Series(["25/10/2023", "03/04/2024"]))
    assert dm.order == "day/month" and dm.values.dt.month.tolist() == [10, 4]


# --- Google Forms and paper sign-ins are recognised -----------------------------------------


def test_google_forms_export_recognised_not_called_a_cde_file():
    df = read_survey_export(GF)
    rep = df.attrs["read"]
    assert rep.recognised_as.startswith("Google Forms export")
    assert df[C.RESPONDENT_ID].iat[0] == f"{GF.name}#row2"  # stable id from file and row
    names = dict(zip(rep.districts["text"], rep.districts["district_id"]))
    assert names["Oxnard School District"] == "5672538" and names["Azusa USD"] == "1964279"
    folder = read_folder(EX / "google_forms")
    kinds = {f.path.name: f.kind for f in folder.files}
    assert kinds[GF.name] == "survey" and kinds["DELAC sign-in 2024-02-15.csv"] == "signins"


def test_paper_signin_sheet_without_ids_recognised():
    df = read_signins(EX / "google_forms" / "DELAC sign-in 2024-02-15.csv")
    rep = df.attrs["read"]
    assert "no participant ids" in rep.recognised_as
    assert (df[C.DATE] == pd.Timestamp("2024-02-15")).all()  # from "Date:" above the header
    assert (df[C.EVENT_TYPE] == "delac").all()
    assert (df[C.DISTRICT_ID] == "5672538").all()
    assert df[C.PARTICIPANT_ID].str.startswith("name:").all()
    assert {"Name / Nombre", "Phone / Teléfono", "Email"} <= set(rep.dropped_columns["column"])


def test_unrecognised_file_gets_a_short_message_not_a_list_of_cde_formats(tmp_path):
    rf = read_folder(PROBLEMS).files
    notes = next(f for f in rf if f.path.name == "notes.csv")
    assert notes.status == "failed"
    assert "not a recognised file" in notes.note and "dashboard_grad" not in notes.note
    assert len(notes.note) < 900


# --- roles, CDS codes, short codes ---------------------------------------------------------


def test_signin_role_parent_is_family():
    df = read_signins(EX / "google_forms" / "DELAC sign-in 2024-02-15.csv")
    assert set(df[C.ROLE]) <= {"family", "teacher", "staff", "community", "other"}
    assert (df[C.ROLE] == "family").sum() >= 7  # Parent, Madre, Padre, Grandparent, Tutor, ...


def test_signins_accept_14_digit_cds_codes():
    df = read_signins(EX / "surveymonkey" / "convening sign-ins 2023-24.csv")
    assert set(df[C.DISTRICT_ID]) == {"5672538", "1964279", "3767991", "3066431", "3667819"}
    assert df.attrs["read"].rejected.empty


def test_short_district_code_rejected_not_zero_padded():
    df = read_survey_export(PROBLEMS / "short_code_wave1.csv")
    rej = df.attrs["read"].rejected
    assert rej["row"].unique().tolist() == [2] and "2-digit" in rej["reason"].iat[0]
    assert "0000012" not in set(df[C.DISTRICT_ID])
    assert set(df[C.DISTRICT_ID]) == {"5672538"}


def test_ambiguous_district_name_is_an_error_listing_candidates():
    with pytest.raises(cm.CEIError) as info:
        read_survey_export(PROBLEMS / "ambiguous_district_wave1.csv", errors="raise")
    msg = str(info.value)
    assert info.value.row == 2 and "Oxnard Union High" in msg and "5672538" in msg
    assert "5672546" in msg


# --- languages ------------------------------------------------------------------------------


def test_unknown_language_becomes_other_and_dif_compares_the_two_asked():
    df = read_survey_export(GF)
    langs = df.drop_duplicates(C.RESPONDENT_ID)[C.LANGUAGE].value_counts()
    assert langs["other"] == 1 and langs["tl"] == 1  # "Klingon" and "Tagalog"
    from cei_metrics.io.checks import check

    tables = {"survey": df}
    c = check("dif_language", tables, focal="es", reference="en")
    assert "other languages set aside: other, tl" in c.reason
    assert "needs 30 complete Spanish responses per scale; found" in c.reason


# --- no roster, own instrument ----------------------------------------------------------------


def test_no_roster_builds_one_and_cohort_never_keyerror(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(EX / "qualtrics", raw)
    rep = ingest(raw, tmp_path / "p", key=TEST_KEY)
    roster = pd.read_parquet(tmp_path / "p" / "roster.parquet")
    assert C.COHORT in roster and roster[C.COHORT].isna().all()
    assert "Oxnard" in set(roster[C.NAME]) and any("no roster file" in n for n in rep.notes)
    tabs = cm.io.load_tables(tmp_path / "p")
    from cei_metrics.io.checks import check

    c = check("att_gt", tabs)
    assert not c.supported and "cohort" in c.reason


def test_instrument_option_on_cli_and_malformed_yaml_refused(tmp_path, capsys):
    own = tmp_path / "mine.yaml"
    src = Path(cm.instruments.load_instrument("family_engagement").source).read_text()
    own.write_text(src.replace("name: family_engagement", "name: my_survey"))
    raw = tmp_path / "raw"
    shutil.copytree(EX / "excel", raw)
    assert main(["check", str(raw), "--instrument", str(own), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["instrument"] == "my_survey"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nitems: [\n")
    assert main(["check", str(raw), "--instrument", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "YAML" in err and "Traceback" not in err


# --- encoding and duplicated headers -----------------------------------------------------------


def test_stray_windows1252_byte_decodes_only_that_byte():
    df = read_survey_export(PROBLEMS / "stray_byte_wave1.csv")
    first = df.drop_duplicates(C.RESPONDENT_ID).set_index(C.RESPONDENT_ID)[C.LANGUAGE]
    assert first.tolist() == ["en", "es", "en", "es", "en", "es"]  # Español read as UTF-8
    assert "W2\u2019s" in set(first.index)  # the stray 0x92 read as a curly apostrophe
    note = " ".join(df.attrs["read"].notes)
    assert "1 byte(s) not valid UTF-8" in note and "line 4" in note and "0x92" in note


def test_duplicated_question_header_is_an_error_naming_both_columns():
    with pytest.raises(cm.InstrumentError) as info:
        read_survey_export(PROBLEMS / "duplicated_header_wave1.csv")
    msg = str(info.value)
    assert "column 5" in msg and "column 17" in msg and "trust_1" in msg


def test_two_language_versions_of_one_question_are_merged(tmp_path):
    text = (
        "Response ID,Start Date,District,Staff at my child's school treat my family with respect.,"
        "El personal de la escuela de mi hijo/a trata a mi familia con respeto.\n"
        "R1,2024-02-05,5672538,Agree,\nR2,2024-02-05,5672538,,Totalmente de acuerdo\n"
    )
    df = read_survey_export(_write(tmp_path, text))
    assert df[C.VALUE].tolist() == [4.0, 5.0]


# --- one bad file never stops the others; exit codes; strict --------------------------------------


def test_one_bad_file_never_stops_the_others_and_exit_code(tmp_path, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(EX / "google_forms", raw)
    shutil.copy(PROBLEMS / "duplicated_header_wave1.csv", raw)
    shutil.copy(PROBLEMS / "notes.csv", raw)
    code = main(["ingest", str(raw), str(tmp_path / "p"), "--quiet"])
    out = capsys.readouterr().out
    assert code == 1
    assert "REJECTED duplicated_header_wave1.csv" in out and "REJECTED notes.csv" in out
    assert "read     Family Survey (Responses) - Form Responses 1.csv" in out
    s = pd.read_parquet(tmp_path / "p" / "survey.parquet")
    assert s[C.RESPONDENT_ID].nunique() == 48
    rep = json.loads((tmp_path / "p" / "ingest_report.json").read_text())
    failed = [f for f in rep["files"] if f["status"] == "failed"]
    assert {Path(f["file"]).name for f in failed} == {"duplicated_header_wave1.csv", "notes.csv"}


def test_strict_stops_at_the_first_problem(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(EX / "google_forms", raw)
    with pytest.raises(cm.CEIError) as info:
        ingest(raw, tmp_path / "p", key=TEST_KEY, strict=True)
    assert info.value.file and info.value.row is not None


# --- privacy: positions and categories, never values -------------------------------------------


def test_reports_never_echo_cell_values(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(EX / "google_forms", raw)
    ingest(raw, tmp_path / "p", key=TEST_KEY)
    text = (tmp_path / "p" / "ingest_report.json").read_text()
    assert "maria.lopez@gmail.com" not in text and "Rosa Martinez" not in text
    assert "@" not in text
    for t in ("survey", "participation", "roster"):
        df = pd.read_parquet(tmp_path / "p" / f"{t}.parquet")
        blob = df.to_csv(index=False)
        assert "@" not in blob and "805-555" not in blob and "Garcia" not in blob
    part = pd.read_parquet(tmp_path / "p" / "participation.parquet")
    assert set(part[C.ROLE]) <= {
        "family",
        "teacher",
        "staff",
        "administrator",
        "student",
        "community",
        "other",
    }
    assert not part[C.PARTICIPANT_ID].str.startswith("name:").any()  # hashed at ingest


def test_extra_roster_columns_dropped_and_listed_by_name(tmp_path):
    p = _write(
        tmp_path,
        "district_id,cohort,Contact email,Notes\n5672538,2019-20,someone@example.org,"
        "called the family\n1964279,,,\n",
        name="roster.csv",
    )
    r = cm.io.read_roster(p)
    assert list(r.columns[:4]) == [C.DISTRICT_ID, C.NAME, C.COUNTY, C.COHORT]
    assert "Contact email" not in r.columns and r[C.NAME].tolist() == ["Oxnard", "Azusa Unified"]
    dropped = r.attrs["read"].dropped_columns
    assert dropped["column"].tolist() == ["Contact email", "Notes"]
    assert r[C.COHORT].tolist()[0] == "2019-20" and r[C.COHORT].iat[1] is None


# --- check and init -------------------------------------------------------------------------


@pytest.mark.parametrize("folder", FOLDERS)
def test_check_runs_to_the_end_and_writes_nothing(folder, tmp_path, capsys):
    raw = tmp_path / folder
    shutil.copytree(EX / folder, raw)
    before = sorted(p.name for p in raw.rglob("*"))
    assert main(["check", str(raw)]) == 0
    out = capsys.readouterr().out
    assert "12 of 12 questions matched" in out and "Analyses" in out
    assert "DIF by language" in out and "Reliability" in out and "att_gt" in out
    assert sorted(p.name for p in raw.rglob("*")) == before


def test_check_json_has_every_analysis(capsys):
    assert main(["check", str(EX / "google_forms"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    from cei_metrics.io.checks import CHECKS

    assert [a["analysis"] for a in out["analyses"]] == list(CHECKS)
    gf = next(f for f in out["files"] if f["file"] == GF.name)
    assert gf["unrecognised"][0]["rows"] == "9, 13" and gf["unrecognised"][0]["count"] == 2


def test_init_writes_templates_that_check_reads(tmp_path, capsys):
    assert main(["init", str(tmp_path / "t")]) == 0
    names = {p.name for p in (tmp_path / "t").iterdir()}
    assert names == {
        "roster.csv",
        "signins_template.csv",
        "survey_en_wave1.csv",
        "survey_es_wave1.csv",
        "ratings.csv",
        "convening_feedback.csv",
        "goals.csv",
        "README.md",
    }
    capsys.readouterr()
    assert main(["check", str(tmp_path / "t"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert all(f["status"] in ("read", "skipped") for f in out["files"])
    tables = {f["file"]: f["table"] for f in out["files"]}
    assert tables["goals.csv"] == "goals" and tables["convening_feedback.csv"] == "feedback"
    es = pd.read_csv(tmp_path / "t" / "survey_es_wave1.csv")
    assert "Confío en que la escuela hace lo mejor para mi hijo/a." in es.columns


# --- properties ------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cei_metrics.io.districts import resolve_district  # noqa: E402
from cei_metrics.io.vocab import answer_lookup, lookup_answer  # noqa: E402

_LABELS = [
    ("Totalmente de acuerdo", 5),
    ("Muy en desacuerdo", 1),
    ("De acuerdo", 4),
    ("Ni de acuerdo ni en desacuerdo", 3),
    ("Strongly agree", 5),
    ("Disagree", 2),
    ("Completamente de acuerdo", 5),
    ("Neutral", 3),
]


@settings(max_examples=200, deadline=None)
@given(
    pick=st.sampled_from(_LABELS),
    case=st.lists(st.booleans(), min_size=40, max_size=40),
    pad=st.sampled_from(["", " ", "  ", ".", "!", " .", "\u00a0"]),
    accent=st.booleans(),
)
def test_labels_match_ignoring_case_accents_spacing_punctuation(pick, case, pad, accent):
    text, code = pick
    t = "".join(ch.upper() if up else ch.lower() for ch, up in zip(text, case))
    if accent:
        t = t.replace("a", "á").replace("e", "é")
    t = pad + t.replace(" ", "  ") + pad
    table = answer_lookup(cm.instruments.load_instrument("family_engagement"))
    assert lookup_answer(t, table, 5) == (code, "")


@settings(max_examples=200, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=1, max_size=16))
def test_district_codes_never_padded(digits):
    lk = resolve_district(digits)
    if len(digits) in (7, 14):
        assert lk.code == digits[:7]
    else:
        assert lk.code is None and lk.problem  # never zero-filled into another district
