"""Sign-in reader and ingest on small committed fixtures (the demo world is tested in
test_ingest_demo.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import cei_metrics as cm
from cei_metrics.io.intake import hash_ids, ingest
from cei_metrics.io.participation import read_roster, read_signins
from cei_metrics.schemas import C

FIX = Path(__file__).resolve().parents[1] / "fixtures"

TEST_KEY = bytes(range(32))  # keyed hashing needs 32 bytes; tests use a fixed one


def test_signins_drop_pii_reject_bad_rows():
    df = read_signins(FIX / "signins" / "synthetic_signins_2019-20.csv")
    rep = df.attrs["read"]
    assert rep.rows_read == 6 and rep.rows_kept == 3
    reasons = dict(zip(rep.rejected["row"], rep.rejected["reason"]))
    # rows as a spreadsheet shows them: the comment line is row 1, the header row 2
    assert reasons == {
        5: "signed in twice at this event",
        7: "date not readable",
        8: "blank participant id",
    }
    kinds = dict(zip(rep.dropped_columns["column"], rep.dropped_columns["kind"]))
    assert kinds["Email"] == "pii" and kinds["Phone"] == "pii" and kinds["First Name"] == "pii"
    assert kinds["Event Name"] == "free_text"
    assert set(df[C.EVENT_TYPE]) == {"convening", "lcap_input"}
    assert df[C.LANGUAGE].tolist() == ["es", "en", "es"]
    assert df[C.DATE].iat[0] == pd.Timestamp("2019-08-29")
    assert df[C.EL_FAMILY].tolist() == [True, False, True]


def test_roster_reader():
    r = read_roster(FIX / "signins" / "synthetic_districts.csv")
    assert r[C.COHORT].iat[0] == "2019-20" and pd.isna(r[C.COHORT].iat[1])
    assert r[C.PCT_EL].tolist() == [25.5, 10.0]


def _raw_dir(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(FIX / "survey" / "synthetic_survey_wave1.csv", raw)
    shutil.copy(FIX / "signins" / "synthetic_signins_2019-20.csv", raw)
    shutil.copy(FIX / "signins" / "synthetic_districts.csv", raw)
    (raw / "notes.docx").write_bytes(b"not data")
    return raw


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_ingest_fixture_folder(tmp_path):
    raw = _raw_dir(tmp_path)
    before = _digest(raw)
    out = tmp_path / "processed"
    rep = ingest(raw, out, key=TEST_KEY)
    assert _digest(raw) == before  # raw never modified
    # the one comment ("Gracias") is kept apart, in the text table
    assert rep.tables == {"survey": 12, "participation": 3, "roster": 2, "text": 1}
    assert rep.synthetic and (out / "SYNTHETIC").exists()
    status = dict(zip(rep.files["file"].map(lambda s: Path(s).name), rep.files["status"]))
    assert status["notes.docx"] == "skipped"
    assert {"Email Address", "Comments", "Email", "Phone", "First Name", "Last Name"} <= set(
        rep.pii_removed["column"]
    )
    survey = pd.read_parquet(out / "survey.parquet")
    assert not survey[C.RESPONDENT_ID].isin(["R1", "R2", "R3", "R4"]).any()
    assert survey[C.RESPONDENT_ID].str.fullmatch(r"[0-9a-f]{16}").all()
    expected = hmac.new(TEST_KEY, b"R1", hashlib.sha256).hexdigest()[:16]
    assert expected in set(survey[C.RESPONDENT_ID])
    part = pd.read_parquet(out / "participation.parquet")
    forbidden = {"Email", "Phone", "First Name", "Last Name", "Event Name", "Comments"}
    assert not forbidden & set(part.columns) and not forbidden & set(survey.columns)
    text = part.to_csv(index=False) + survey.to_csv(index=False)
    assert "@" not in text and "Lopez" not in text
    j = json.loads((out / "ingest_report.json").read_text())
    assert j["tables"]["survey"] == 12 and len(j["rejections"]) == 3
    tabs = cm.io.load_tables(out)
    assert tabs.synthetic and len(tabs.survey) == 12 and tabs.outcomes.empty
    assert "rejected" in rep.summary() and "<table" in rep._repr_html_()


def test_ingest_is_repeatable_and_hash_stable(tmp_path):
    raw = _raw_dir(tmp_path)
    out = tmp_path / "processed"
    ingest(raw, out)
    a = pd.read_parquet(out / "survey.parquet")
    ingest(raw, out)  # the key is kept in the configuration folder, not in processed/
    b = pd.read_parquet(out / "survey.parquet")
    pd.testing.assert_frame_equal(a, b)


def test_failed_validation_writes_nothing(tmp_path, monkeypatch):
    raw = _raw_dir(tmp_path)
    out = tmp_path / "processed"
    ingest(raw, out, key=TEST_KEY)
    before = _digest(out)
    (raw / "synthetic_districts.csv").write_text(
        "district_id,name,county,cohort,district_type,enrollment,n_families,pct_el,pct_sed,pct_spanish\n"
        "1234567,A,C,2019-20,castle,1,1,1,1,1\n"
    )
    with pytest.raises(cm.SchemaError) as info:
        ingest(raw, out, key=TEST_KEY, strict=True)
    assert info.value.column == C.DISTRICT_TYPE and "synthetic_districts.csv" in str(info.value)
    assert _digest(out) == before  # nothing half-written, nothing replaced
    # without --strict the bad roster is rejected alone, naming its column
    rep = ingest(raw, out, key=TEST_KEY)
    row = rep.files[rep.files["file"].str.endswith("synthetic_districts.csv")].iloc[0]
    assert row["status"] == "failed" and "district_type" in row["note"] and rep.failed


def test_bad_file_reported_not_fatal_unless_strict(tmp_path):
    raw = _raw_dir(tmp_path)
    (raw / "synthetic_broken_wave2.csv").write_text("Response ID,District Code,trust_1\n")
    rep = ingest(raw, tmp_path / "p", key=TEST_KEY)
    row = rep.files[rep.files["file"].str.endswith("synthetic_broken_wave2.csv")].iloc[0]
    assert row["status"] == "failed" and "school year" in row["note"]
    with pytest.raises(cm.CEIError):
        ingest(raw, tmp_path / "p2", key=TEST_KEY, strict=True)


def test_ingest_refuses_same_folder(tmp_path):
    raw = _raw_dir(tmp_path)
    with pytest.raises(cm.CEIError, match="raw folder"):
        ingest(raw, raw)


def test_hash_ids_deterministic_and_keyed():
    s = pd.Series(["a", "b", "a", None])
    h1, h2 = hash_ids(s, TEST_KEY), hash_ids(s, bytes(range(1, 33)))
    assert h1.iat[0] == h1.iat[2] and h1.iat[0] != h2.iat[0] and pd.isna(h1.iat[3])
