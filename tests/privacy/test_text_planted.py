"""Planted personal data in free text never leaves the analysis layer.

A raw folder is written with names in the name columns and inside the answers (the
respondent's own, another respondent's, someone named on another file), e-mails, phone
numbers and street addresses, in English and Spanish, in a survey export, a sign-in sheet
and a convening-feedback form. After ingest, no planted string is in any file of
``processed/`` (tables, parquet metadata, manifest, ingest report); the answers are kept,
scrubbed, in the text table. Coded counts drawn as a figure and reviewed excerpts written
to a report pass the audit, and no planted string is in them either.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import cei_metrics as cm
from cei_metrics.io import ingest
from cei_metrics.schemas import C

NAMES = ["Xochitl", "Quetzalcoatl", "Itzel", "Guadalupe", "Núñez", "Mateo", "Bartholomew",
         "Wojciechowski", "Eulalia", "Zacarías"]  # fmt: skip
EMAILS = ["xochitl.q@gmail.com", "lupita.nunez@correo.mx", "eulalia@example.com",
          "bart.w@example.org"]  # fmt: skip
PHONES = ["555-0134", "555.0199", "555 0100", "5550123", "555-0111"]
PHONE_DIGITS = ["5550134", "5550199", "5550100", "5550123", "5550111"]
ADDRESSES = ["1432 W Maple", "Maple Ave", "Calle Olivo", "PO Box 12"]

SURVEY = """\
Response ID,Start Date,District Code,Survey Language,First Name,Last Name,Student Name,\
Email Address,Phone,Staff at my child's school treat my family with respect.,\
I trust the school to do what is best for my child.,\
It is hard to reach my child's teacher when I have a question.,Comments,Other (please specify)
R1,2024-02-01 10:00,1234567,English,Xochitl,Quetzalcoatl-Ramírez,Itzel Quetzalcoatl,\
xochitl.q@gmail.com,(562) 555-0134,Agree,Agree,Disagree,"Please ask Xochitl \
Quetzalcoatl-Ramírez about Itzel; call (562) 555-0134 or write xochitl.q@gmail.com. \
We live at 1432 W Maple Ave.",
R2,2024-02-02 11:00,1234567,Español,Guadalupe,Núñez,Mateo Núñez,lupita.nunez@correo.mx,\
562.555.0199,Muy de acuerdo,De acuerdo,En desacuerdo,"Soy Guadalupe Núñez, mamá de Mateo. \
Escríbame a lupita.nunez@correo.mx o llame al 562.555.0199. Vivimos en Calle Olivo 1234.",
R3,2024-02-03 12:00,1234567,English,,,,,,Strongly agree,Agree,Disagree,"Itzel and Mateo are \
friends; my number is +1 714 555 0100, PO Box 12","Mrs. Quetzalcoatl-Ramirez helped"
R4,2024-02-03 13:00,7654321,Español,,,,,,De acuerdo,De acuerdo,De acuerdo,"La junta fue útil",
"""
SIGNINS = """\
Event ID,Event Name,Date,Event Type,District Code,Participant ID,First Name,Last Name,Email,\
Phone,Role,Language,Notes
E1,DELAC,02/05/2024,DELAC,1234567,P1,Bartholomew,Wojciechowski,bart.w@example.org,\
714-555-0123,Parent,English,"Bartholomew asked for a ride; call 7145550123"
E1,DELAC,02/05/2024,DELAC,1234567,P2,Eulalia,Zacarías,eulalia@example.com,714-555-0111,\
Madre,Spanish,"Trae a su hija Itzel la próxima vez"
"""
FEEDBACK = """\
Timestamp,Convening,Name (optional),District,Role,Language,\
Today's convening was a good use of my time.,I will use something I learned today in my district.,\
The content was relevant to our district's problem of practice.,\
The convening reflected the needs of the families in our community.,\
What should we change for the next convening?,Any other comments?
02/10/2024 14:00:00,02/10/2024,Eulalia Zacarías,1234567,Parent,Spanish,De acuerdo,De acuerdo,\
Muy de acuerdo,De acuerdo,Más tiempo para hablar,"Gracias. Eulalia Zacarías, 714-555-0111, \
eulalia@example.com"
02/10/2024 14:05:00,02/10/2024,,1234567,Staff,English,Agree,Strongly agree,Agree,Disagree,\
"Ask Bartholomew Wojciechowski to present again",
02/10/2024 14:09:00,02/10/2024,,1234567,Parent,English,Agree,Agree,Agree,Agree,,\
"Great session, see you at 1432 W Maple Ave"
"""


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()


PLANTED = [_fold(x) for x in (*NAMES, *EMAILS, *PHONES, *ADDRESSES)]


def _leaks(text: str) -> list[str]:
    """The planted strings found in a text (and planted phone digits in any number)."""
    t = _fold(text)
    found = [p for p in PLANTED if p in t]
    for chunk in re.findall(r"[\d().+\s-]{7,}", t):
        digits = re.sub(r"\D", "", chunk)
        found.extend(d for d in PHONE_DIGITS if d in digits)
    return found


def _scan(folder: Path) -> dict[str, list[str]]:
    """Every planted string found in any file under ``folder``: table cells and column
    names of parquet files (and their schema metadata), text of every other file."""
    out: dict[str, list[str]] = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        hits: list[str] = []
        if p.suffix == ".parquet":
            meta = pq.read_schema(p).metadata or {}
            hits += _leaks(" ".join(v.decode("utf-8", "replace") for v in meta.values()))
            df = pd.read_parquet(p)
            hits += _leaks(" ".join(map(str, df.columns)))
            for c in df.columns:
                for v in df[c].dropna().astype(str).unique():
                    hits += _leaks(v)
        elif p.suffix in (".png", ".pdf"):
            continue  # read by the audit; their text comes from the same data as the SVG
        else:
            hits += _leaks(p.read_bytes().decode("utf-8", "replace"))
        if hits:
            out[str(p.relative_to(folder))] = sorted(set(hits))
    return out


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    base = tmp_path_factory.mktemp("planted")
    raw = base / "raw"
    raw.mkdir()
    (raw / "family_survey_wave1.csv").write_text(SURVEY, encoding="utf-8")
    (raw / "signins_2023-24.csv").write_text(SIGNINS, encoding="utf-8")
    (raw / "convening_feedback.csv").write_text(FEEDBACK, encoding="utf-8")
    # the raw files do hold the planted data (the test would be empty otherwise)
    assert all(_leaks(p.read_text()) for p in raw.iterdir())
    # the key of the configuration folder (the audit reads the names recorded with it)
    report = ingest(raw, base / "processed")
    return base, report, cm.io.load_tables(base / "processed")


def test_ingest_reads_every_file_and_keeps_the_answers(planted):
    _, report, tabs = planted
    assert (report.files["status"] == "read").all(), report.files
    assert set(report.files["table"]) == {"survey", "participation", "feedback"}
    t = tabs.text
    # four survey comments + one "other", two sign-in notes, four feedback answers
    assert len(t) == 11
    assert set(t[C.INSTRUMENT]) == {"family_engagement", "signin", "convening_feedback"}
    joined = " ".join(t[C.TEXT])
    for token in ("[name]", "[email]", "[phone]", "[address]"):
        assert token in joined, token
    assert "La junta fue útil" in joined  # text without personal data is kept as written
    assert t[C.SEGMENT_ID].is_unique and t[C.RESPONDENT_ID].str.fullmatch("[0-9a-f]{16}").all()
    # answers join their respondent's survey rows through the same keyed hash
    assert set(t.loc[t[C.INSTRUMENT] == "family_engagement", C.RESPONDENT_ID]) <= set(
        tabs.survey[C.RESPONDENT_ID]
    )


def test_no_planted_data_anywhere_in_processed(planted):
    base, _, _ = planted
    assert _scan(base / "processed") == {}


def test_names_seen_are_recorded_for_the_audit(planted, tmp_path):
    (tmp_path / "leak.txt").write_text("Thanks to Bartholomew Wojciechowski for the ride.\n")
    res = cm.privacy.audit(tmp_path)
    assert not res.ok and any("recorded at ingest" in str(w) for w in res.findings["what"])
    # single words of a name are not recorded: a place sharing a word is no finding
    (tmp_path / "leak.txt").write_text("The meeting was in San Mateo.\n")
    assert cm.privacy.audit(tmp_path).ok


def test_coded_counts_and_reviewed_excerpts_pass_the_audit(planted, tmp_path):
    _, _, tabs = planted
    text = tabs.text
    figures, reports = tmp_path / "figures", tmp_path / "reports"
    # coded counts: codebook suggestions per question, drawn and released
    sug = cm.text.suggest_codes(text.set_index(C.SEGMENT_ID)[C.TEXT])
    coded = sug.by_segment()
    shares = cm.text.theme_shares(coded, text[[C.SEGMENT_ID, C.INSTRUMENT]], by=C.INSTRUMENT)
    frame = shares.to_frame().assign(label=lambda d: d[C.INSTRUMENT] + ": " + d[C.CODE])
    fig, _ = cm.viz.forest(frame, xlabel="share of answers")
    cm.viz.save(fig, "planted_themes", caption="Suggested themes.", alt_text="Dots.",
                data=cm.viz.forest_data(frame), out_dir=figures, synthetic=True)  # fmt: skip
    # reviewed excerpts: two approved (one held personal data before the scrub), one stale
    sheet = cm.text.excerpt_review_sheet(text)
    pick = sheet[sheet[C.TEXT].str.contains(r"\[email\]|útil", regex=True)].head(2)
    approvals = pick[[C.SEGMENT_ID, "fingerprint"]].assign(approved="yes")
    stale = pd.DataFrame({C.SEGMENT_ID: [sheet[C.SEGMENT_ID].iat[0]], "fingerprint": ["0" * 12],
                          "approved": ["yes"]})  # fmt: skip
    path = tmp_path / "approved.csv"
    pd.concat([approvals, stale]).to_csv(path, index=False)
    ok = cm.text.reviewed_excerpts(text, path)
    assert ok.n == 2 and len(ok.refused) == 1
    assert ok.refused["reason"].iat[0] == "the answer changed since it was reviewed"
    reports.mkdir()
    rows = "".join(f"<li>{q}</li>" for q in ok.quotes["quote"])
    (reports / "quotes.html").write_text(f"<html><body><ul>{rows}</ul></body></html>")
    res = cm.privacy.audit(figures, reports)
    assert res.ok, res.findings
    assert _scan(figures) == {} and _scan(reports) == {}


def test_reviewed_excerpts_return_only_approved_answers(planted, tmp_path):
    _, _, tabs = planted
    text = tabs.text
    sid = text[C.SEGMENT_ID].iat[0]
    yaml_path = tmp_path / "approved.yaml"
    yaml_path.write_text(
        json.dumps(
            {
                "approved": [
                    {"segment_id": sid, "excerpt": text[C.TEXT].iat[0][:10]},
                    {"segment_id": "nope"},
                ]
            }
        ),
        encoding="utf-8",
    )
    ok = cm.text.reviewed_excerpts(text, yaml_path)
    assert ok.quotes["quote"].tolist() == [text[C.TEXT].iat[0][:10]]
    # a path in the home folder may be written with ~
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp_path))
        home = cm.text.reviewed_excerpts(text, "~/approved.yaml")
    assert home.quotes["quote"].tolist() == ok.quotes["quote"].tolist()
    assert ok.refused["reason"].tolist() == ["not in the text table"]
    # a sheet with nothing marked approved releases nothing
    sheet = cm.text.excerpt_review_sheet(text)
    assert cm.text.reviewed_excerpts(text, sheet).n == 0
    # an excerpt that is not in the answer is refused; names given are scrubbed again
    bad = pd.DataFrame({C.SEGMENT_ID: [sid], "excerpt": ["not there"]})
    assert cm.text.reviewed_excerpts(text, bad).refused["reason"].tolist() == [
        "the approved excerpt is not in the answer"
    ]
    one = pd.DataFrame({C.SEGMENT_ID: [sid]})
    word = text[C.TEXT].iat[0].split()[0].strip(".,;")
    again = cm.text.reviewed_excerpts(text, one, names=[word])
    assert word not in again.quotes["quote"].iat[0] and "[name]" in again.quotes["quote"].iat[0]
    with pytest.raises(cm.CEIError, match="not found"):
        cm.text.reviewed_excerpts(text, tmp_path / "missing.csv")
    with pytest.raises(cm.errors.SchemaError, match="segment_id"):
        cm.text.reviewed_excerpts(text, pd.DataFrame({"id": ["x"]}))


@pytest.mark.notebooks
@pytest.mark.slow
def test_notebook_on_planted_data_quotes_only_approved_scrubbed_text(planted, tmp_path):
    """Notebook 09 on the planted folder: the sections the data cannot support say why,
    the one approved excerpt is shown scrubbed, and the executed notebook and figures pass
    the audit with no planted string in them."""
    from cei_metrics.report import execute_notebook

    base, _, tabs = planted
    text = tabs.text
    pick = text[text[C.TEXT].str.contains(r"\[email\]", regex=True)].iloc[[0]]
    approvals = tmp_path / "approved.csv"
    pick[[C.SEGMENT_ID]].assign(fingerprint=pick[C.TEXT].map(cm.text.fingerprint)).to_csv(
        approvals, index=False
    )
    nb = Path(__file__).resolve().parents[2] / "notebooks" / "09_voices.ipynb"
    out = tmp_path / "reports" / "09_voices.ipynb"
    figures = tmp_path / "figures"
    execute_notebook(
        nb,
        out,
        {
            "DATA_DIR": str(base / "processed"),
            "FIGURES_DIR": str(figures),
            "SEED": 2019,
            "MIN_CELL": 11,
            "APPROVED_EXCERPTS": str(approvals),
        },
        cwd=nb.parent,
    )
    doc = out.read_text(encoding="utf-8")
    assert "[email]" in doc  # the approved excerpt is quoted, scrubbed
    assert "Section not run: Response rates" in doc and "Section not run: Convening feedback" in doc
    figures.mkdir(exist_ok=True)
    res = cm.privacy.audit(figures, out.parent)
    assert res.ok, res.findings
    assert _scan(figures) == {} and _scan(out.parent) == {}
