"""A matrix of malformed inputs: every one ends in a named problem, never a traceback.

Each case writes one bad file (beside nothing else) into a raw folder and ingests the
folder. What must come out is either the file refused as a whole -- listed ``failed``
with a message that names the file, and the row and column where they are known -- or
the bad rows or cells rejected or repaired and reported with their file, row and column;
for problems of the folder itself, a :class:`CEIError`. Raw bytes never change, and the
processed folder always matches its manifest.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cei_metrics as cm
from cei_metrics.errors import CEIError
from cei_metrics.instruments import load_instrument
from cei_metrics.io import ingest

FIX = Path(__file__).resolve().parents[1] / "fixtures"
KEY = bytes(range(32))
INST = load_instrument("family_engagement")
QUESTIONS = [it.text["en"] for it in INST.items.values()]
AGREE = [INST.response_labels["en"][k] for k in range(1, 6)]


def survey(n: int = 24, **over) -> pd.DataFrame:
    """A valid small export (one wave, English), columns overridable."""
    rng = np.random.default_rng(1)
    d = {
        "Response ID": [f"R{i}" for i in range(n)],
        "Start Date": "2022-04-01 10:00",
        "District Code": "1964279",
        "Survey Language": "English",
    }
    for q in QUESTIONS:
        d[q] = rng.choice(AGREE, n)
    df = pd.DataFrame(d)
    for k, v in over.items():
        df[k] = v
    return df


def csv_text(df: pd.DataFrame, **kw) -> str:
    return df.to_csv(index=False, **kw)


def w(name: str, data: bytes | str) -> Callable[[Path], None]:
    def make(raw: Path) -> None:
        p = raw / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

    return make


def cell(df: pd.DataFrame, col: str, row: int, value: str) -> pd.DataFrame:
    df = df.copy()
    df[col] = df[col].astype(object)
    df.loc[row, col] = value
    return df


GOOD = csv_text(survey(**{"Survey Language": ["Español"] + ["English"] * 23}))
HEADER = GOOD.split("\n", 1)[0]
SIGNIN = (FIX / "signins" / "synthetic_signins_2019-20.csv").read_text(encoding="utf-8-sig")
ROSTER = (FIX / "signins" / "synthetic_districts.csv").read_text(encoding="utf-8-sig")
GRAD = (FIX / "cde" / "dashboard_graddownload_2019.txt").read_bytes()
P3 = (FIX / "cde" / "synthetic_localind_priority3_2023.txt").read_bytes()


def grad_with(fn: Callable[[list[list[str]]], None]) -> bytes:
    lines = [ln.split("\t") for ln in GRAD.decode("cp1252").splitlines()]
    fn(lines)
    return ("\r\n".join("\t".join(r) for r in lines) + "\r\n").encode("cp1252")


def xlsx_with_formula(cached: bool) -> bytes:
    """A minimal workbook whose ratings cells are formulas, with or without saved values."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "ratings"
    ws.append(["district_id", "year", *list(load_instrument("priority3_self_reflection").items)])
    ws.append(["1964279", "2023-24", *["=1+2"] * 12])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if cached:
        return data
    return data  # openpyxl never stores cached values: the formulas have none


def xlsx_damaged_sheet() -> bytes:
    """A real Excel export with one byte of its sheet's compressed data changed: the
    read-only reader streams past it, the sheet's checksum fails."""
    b = bytearray((FIX / "exports" / "excel" / "family_survey_wave1.xlsx").read_bytes())
    b[817499 % len(b)] = 99
    return bytes(b)


def zip_garbage() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return buf.getvalue()


# (id, make, outcome, words the report must contain); outcome is "failed" (the file is
# refused), "rows" (rows rejected), "cells" (cells repaired), "note" (read, with a note)
FAILED, ROWS, CELLS, NOTE = "failed", "rows", "cells", "note"

CASES: list[tuple[str, Callable[[Path], None], str, str]] = [
    # -- survey exports: the file ------------------------------------------------------
    ("survey-empty", w("survey_wave1.csv", b""), FAILED, "empty"),
    ("survey-whitespace", w("survey_wave1.csv", b"   \r\n \n"), FAILED, "empty"),
    ("survey-bom-only", w("survey_wave1.csv", b"\xef\xbb\xbf"), FAILED, "empty"),
    ("survey-header-only", w("survey_wave1.csv", HEADER + "\n"), FAILED, ""),
    ("survey-binary", w("survey_wave1.csv", bytes(range(256)) * 8), FAILED, ""),
    ("survey-utf16", w("survey_wave1.csv", GOOD.encode("utf-16")), NOTE, ""),
    ("survey-utf16-nobom", w("survey_wave1.csv", GOOD.encode("utf-16-le")), NOTE, "NUL"),
    ("survey-nul-bytes", w("survey_wave1.csv", GOOD.replace("R3,", "R\x003,")), NOTE, "NUL"),
    (
        "survey-stray-cp1252",
        w(
            "survey_wave1.csv",
            GOOD.encode() + b"R99,2022-04-01,1964279,Espa\xf1ol" + b"," * 12 + b"\n",
        ),
        NOTE,
        "Windows-1252",
    ),
    (
        "survey-all-cp1252",
        w("survey_wave1.csv", csv_text(survey(**{"Survey Language": "Español"})).encode("cp1252")),
        NOTE,
        "",
    ),
    ("survey-mixed-line-ends", w("survey_wave1.csv", GOOD.replace("\n", "\r\n", 5)), NOTE, ""),
    (
        "survey-no-district",
        w("survey_wave1.csv", csv_text(survey().drop(columns=["District Code"]))),
        FAILED,
        "district",
    ),
    (
        "survey-wrong-instrument",
        w("survey_wave1.csv", "Response ID,Q1,Q2\nR1,a,b\nR2,c,d\n"),
        FAILED,
        "",
    ),
    (
        "survey-duplicate-question",
        w("survey_wave1.csv", GOOD.replace(QUESTIONS[1], QUESTIONS[0], 1)),
        FAILED,
        "appears twice",
    ),
    ("survey-semicolons", w("survey_wave1.csv", csv_text(survey(), sep=";")), NOTE, ""),
    ("survey-tabs", w("survey_wave1.tsv", csv_text(survey(), sep="\t")), NOTE, ""),
    (
        "survey-title-lines",
        w("survey_wave1.csv", "Family survey export\nDownloaded 2022-05-01\n" + GOOD),
        FAILED,
        "not a recognised file",
    ),
    ("survey-trailing-delimiters", w("survey_wave1.csv", GOOD.replace("\n", ",,\n")), NOTE, ""),
    ("survey-unclosed-quote", w("survey_wave1.csv", GOOD.replace("R5,", '"R5,', 1)), ROWS, ""),
    ("survey-short-row", w("survey_wave1.csv", GOOD.replace("\nR7,", "\nR7\n", 1)), ROWS, ""),
    ("survey-long-row", w("survey_wave1.csv", GOOD.replace("\nR8,", "\nR8,x,y,z,", 1)), NOTE, ""),
    (
        "survey-too-many-columns",
        w(
            "survey_wave1.csv",
            ",".join(f"c{i}" for i in range(20_500))
            + "\n"
            + ",".join("1" for _ in range(20_500))
            + "\n",
        ),
        FAILED,
        "",
    ),
    (
        "survey-huge-cell",
        w("survey_wave1.csv", csv_text(cell(survey(), "Start Date", 3, "x" * 1_000_000))),
        NOTE,
        "",
    ),
    # -- survey exports: rows and cells ----------------------------------------------------
    (
        "survey-blank-id",
        w("survey_wave1.csv", csv_text(cell(survey(), "Response ID", 3, ""))),
        ROWS,
        "blank respondent id",
    ),
    (
        "survey-repeated-id",
        w("survey_wave1.csv", csv_text(cell(survey(), "Response ID", 5, "R1"))),
        ROWS,
        "repeated respondent",
    ),
    (
        "survey-short-district",
        w("survey_wave1.csv", csv_text(cell(survey(), "District Code", 2, "12"))),
        ROWS,
        "",
    ),
    (
        "survey-ambiguous-district",
        w("survey_wave1.csv", csv_text(cell(survey(), "District Code", 2, "Oxnard"))),
        ROWS,
        "Oxnard",
    ),
    (
        "survey-unknown-district",
        w("survey_wave1.csv", csv_text(cell(survey(), "District Code", 2, "Hogwarts"))),
        ROWS,
        "",
    ),
    (
        "survey-blank-district",
        w("survey_wave1.csv", csv_text(cell(survey(), "District Code", 2, ""))),
        ROWS,
        "",
    ),
    (
        "survey-unknown-label",
        w("survey_wave1.csv", csv_text(cell(survey(), QUESTIONS[0], 4, "Sometimes?"))),
        CELLS,
        "answer label",
    ),
    (
        "survey-email-in-answer",
        w("survey_wave1.csv", csv_text(cell(survey(), QUESTIONS[0], 4, "maria.lopez@gmail.com"))),
        CELLS,
        "answer label",
    ),
    (
        "survey-code-out-of-range",
        w("survey_wave1.csv", csv_text(cell(survey(), QUESTIONS[2], 6, "9"))),
        CELLS,
        "",
    ),
    (
        "survey-negative-weight",
        w("survey_wave1.csv", csv_text(survey(Weight=["-1"] + ["1"] * 23))),
        FAILED,
        "weight",
    ),
    (
        "survey-zero-weight",
        w("survey_wave1.csv", csv_text(survey(Weight=["0"] * 24))),
        FAILED,
        "weight",
    ),
    (
        "survey-infinite-weight",
        w("survey_wave1.csv", csv_text(survey(Weight=["inf"] + ["1"] * 23))),
        FAILED,
        "weight",
    ),
    (
        "survey-text-weight",
        w("survey_wave1.csv", csv_text(survey(Weight=["heavy"] + ["1"] * 23))),
        FAILED,
        "weight",
    ),
    (
        "survey-text-wave",
        w("survey.csv", csv_text(survey(Wave=["first"] + ["1"] * 23))),
        ROWS,
        "wave",
    ),
    (
        "survey-unreadable-date",
        w("survey_wave1.csv", csv_text(cell(survey(), "Start Date", 1, "yesterday"))),
        NOTE,
        "not readable",
    ),
    (
        "survey-no-dates",
        w("survey_wave1.csv", csv_text(survey(**{"Start Date": ""}))),
        FAILED,
        "school year",
    ),
    (
        "survey-mixed-zones",
        w(
            "survey_wave1.csv",
            csv_text(
                survey(**{"Start Date": ["2022-04-01T10:00:00Z", "2022-04-01T10:00:00-07:00"] * 12})
            ),
        ),
        NOTE,
        "",
    ),
    (
        "survey-excel-serial-dates",
        w("survey_wave1.csv", csv_text(survey(**{"Start Date": "44652.5"}))),
        NOTE,
        "",
    ),
    (
        "survey-flag-prefer-not",
        w(
            "survey_wave1.csv",
            csv_text(survey(**{"EL Family": ["Prefer not to say", "", "Yes", "No"] * 6})),
        ),
        NOTE,
        "",
    ),
    (
        "survey-flag-garbage",
        w("survey_wave1.csv", csv_text(survey(**{"EL Family": ["maybe"] + ["Yes"] * 23}))),
        CELLS,
        "EL family",
    ),
    (
        "survey-unknown-language",
        w(
            "survey_wave1.csv",
            csv_text(survey(**{"Survey Language": ["Klingon"] + ["English"] * 23})),
        ),
        NOTE,
        "other",
    ),
    (
        "survey-all-rows-rejected",
        w("survey_wave1.csv", csv_text(survey(**{"Response ID": ""}))),
        FAILED,
        "",
    ),
    # -- Excel and SPSS ------------------------------------------------------------------------
    ("xlsx-empty-zip", w("survey_wave1.xlsx", zip_garbage()), FAILED, ""),
    ("xlsx-truncated", w("survey_wave1.xlsx", b"PK\x03\x04" + b"\x00" * 50), FAILED, ""),
    ("xlsx-renamed-csv", w("survey_wave1.xlsx", GOOD), FAILED, "not an Excel workbook"),
    ("xlsx-damaged-sheet", w("survey_wave1.xlsx", xlsx_damaged_sheet()), FAILED, "damaged"),
    (
        "xls-old-format",
        w("survey_wave1.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
        FAILED,
        "",
    ),
    (
        "xlsx-formulas-without-values",
        w("ratings.xlsx", xlsx_with_formula(cached=False)),
        FAILED,
        "formulas without saved values",
    ),
    ("sav-garbage", w("survey_wave1.sav", b"$FL2" + b"\x00" * 300), FAILED, ""),
    ("sav-text", w("survey_wave1.sav", GOOD), FAILED, ""),
    # -- sign-in sheets --------------------------------------------------------------------------
    ("signin-no-date", w("signins.csv", SIGNIN.replace("Date,", "When,", 1)), FAILED, "date"),
    (
        "signin-unreadable-date",
        w("signins.csv", SIGNIN.replace("08/29/2019", "the 29th", 1)),
        ROWS,
        "date",
    ),
    (
        "signin-no-district",
        w("signins.csv", SIGNIN.replace("District Code", "Zone", 1)),
        FAILED,
        "",
    ),
    ("signin-short-district", w("signins.csv", SIGNIN.replace(",1234567,", ",12,", 1)), ROWS, ""),
    ("signin-parent-role", w("signins.csv", SIGNIN.replace(",Family,", ",Parent,")), NOTE, ""),
    ("signin-unknown-role", w("signins.csv", SIGNIN.replace(",Family,", ",Wizard,", 1)), NOTE, ""),
    ("signin-cds14", w("signins.csv", SIGNIN.replace(",1234567,", ",12345670000000,")), NOTE, ""),
    (
        "signin-header-only",
        w("signins.csv", SIGNIN.split("\n")[0] + "\n" + SIGNIN.split("\n")[1] + "\n"),
        FAILED,
        "no data rows",
    ),
    ("signin-blank-rows", w("signins.csv", SIGNIN.replace("\n", "\n,,,,,,,,,,,,,\n", 2)), NOTE, ""),
    ("signin-nul", w("signins.csv", SIGNIN.replace("Lopez", "Lo\x00pez")), NOTE, ""),
    # -- rosters ---------------------------------------------------------------------------------
    (
        "roster-text-enrollment",
        w("districts.csv", ROSTER.replace("12000", "twelve thousand")),
        FAILED,
        "enrollment",
    ),
    (
        "roster-infinite-enrollment",
        w("districts.csv", ROSTER.replace("12000", "inf")),
        FAILED,
        "enrollment",
    ),
    ("roster-bad-cohort", w("districts.csv", ROSTER.replace("2019-20", "first")), FAILED, "cohort"),
    (
        "roster-extra-personal-columns",
        w(
            "districts.csv",
            ROSTER.replace("synthetic\n", "synthetic,contact_email\n", 1).replace(
                "true\n", "true,a@b.org\n", 1
            ),
        ),
        NOTE,
        "",
    ),
    ("roster-short-district", w("districts.csv", ROSTER.replace("1234567", "12", 1)), FAILED, ""),
    (
        "roster-repeated-district",
        w("districts.csv", ROSTER + ROSTER.split("\n")[2] + "\n"),
        FAILED,
        "",
    ),
    # -- CDE files -------------------------------------------------------------------------------
    (
        "cde-truncated-row",
        w("graddownload2019.txt", grad_with(lambda L: L[5].__delitem__(slice(10, None)))),
        FAILED,
        "truncated",
    ),
    (
        "cde-extra-field",
        w("graddownload2019.txt", grad_with(lambda L: L[5].append("x"))),
        FAILED,
        "extra",
    ),
    (
        "cde-comma-delimited-row",
        w("graddownload2019.txt", grad_with(lambda L: L.__setitem__(4, [",".join(L[4])]))),
        FAILED,
        "",
    ),
    (
        "cde-nul-bytes",
        w("graddownload2019.txt", GRAD[:9000] + b"\x00" + GRAD[9000:]),
        FAILED,
        "NUL",
    ),
    (
        "cde-repeated-column",
        w("graddownload2019.txt", grad_with(lambda L: L[0].__setitem__(10, L[0][9]))),
        FAILED,
        "appears twice",
    ),
    (
        "cde-infinite-count",
        w(
            "graddownload2019.txt",
            grad_with(lambda L: L[3].__setitem__(L[0].index("currdenom"), "inf")),
        ),
        FAILED,
        "finite",
    ),
    (
        "cde-text-count",
        w(
            "graddownload2019.txt",
            grad_with(lambda L: L[3].__setitem__(L[0].index("currdenom"), "12O")),
        ),
        FAILED,
        "finite",
    ),
    (
        "cde-bad-level",
        w("graddownload2019.txt", grad_with(lambda L: L[3].__setitem__(1, "Q"))),
        FAILED,
        "level",
    ),
    (
        "cde-bad-cds",
        w("graddownload2019.txt", grad_with(lambda L: L[2].__setitem__(0, "3066431000000X"))),
        FAILED,
        "CDS",
    ),
    (
        "cde-bad-year",
        w("graddownload2019.txt", grad_with(lambda L: L[7].__setitem__(-1, "Fall"))),
        FAILED,
        "year",
    ),
    (
        "cde-p3-rating-7",
        w("localind_priority3_2023.txt", P3.replace(b"\t4\t", b"\t7\t", 1)),
        FAILED,
        "",
    ),
    ("cde-unknown-header", w("mystery.txt", "alpha\tbeta\tgamma\n1\t2\t3\n"), FAILED, ""),
    ("cde-only-comments", w("graddownload2019.txt", "# just a note\n# another\n"), FAILED, ""),
    # -- the folder ------------------------------------------------------------------------------
    ("folder-hidden-file", w(".hidden.csv", GOOD), "skipped", "hidden"),
    ("folder-office-lock", w("~$survey.xlsx", b"lock"), "skipped", "hidden"),
    ("folder-not-data", w("notes.docx", b"PK\x03\x04 not data"), "skipped", "not a data file"),
    (
        "folder-subfolder-file",
        lambda raw: ((raw / "sub").mkdir(), w("survey_wave1.csv", GOOD)(raw / "sub")),
        NOTE,
        "",
    ),
]


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_matrix_has_at_least_80_cases():
    assert len(CASES) >= 80 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("case", "make", "outcome", "words"), CASES, ids=[c[0] for c in CASES])
def test_malformed_input_ends_in_a_named_problem(tmp_path, case, make, outcome, words):
    raw = tmp_path / "raw"
    raw.mkdir()
    make(raw)
    before = _digest(raw)
    rep = ingest(raw, tmp_path / "processed", key=KEY)  # never raises for one bad file
    assert _digest(raw) == before
    f = rep.files
    row = f.iloc[0]
    name = Path(row["file"]).name
    if outcome == FAILED:
        assert row["status"] == "failed", (case, row.to_dict())
        assert name in row["note"] or str(raw) in row["note"], row["note"]
        assert "How to fix" in row["note"], row["note"]
        assert words.lower() in row["note"].lower(), row["note"]
    elif outcome == "skipped":
        assert row["status"] == "skipped" and words in row["note"], row.to_dict()
    else:
        assert row["status"] == "read", (case, row.to_dict())
        if outcome == ROWS:
            rej = rep.rejections[rep.rejections["file"] == row["file"]]
            assert len(rej) >= 1 and rej["row"].notna().all(), rej
            assert rej["column"].notna().all()
            assert words.lower() in " ".join(rej["reason"]).lower(), rej
        elif outcome == CELLS:
            rp = rep.repairs[rep.repairs["file"] == row["file"]]
            assert len(rp) >= 1 and rp["row"].notna().all() and rp["column"].notna().all()
            assert words.lower() in " ".join(rp["reason"]).lower(), rp
            assert "@" not in " ".join(rp["reason"])  # never the cell's own text
        elif words:
            text = " ".join(str(x) for x in [row["note"], *rep.notes])
            assert words.lower() in text.lower(), text
    if (tmp_path / "processed" / "MANIFEST.json").exists():
        cm.io.load_tables(tmp_path / "processed")  # matches its manifest


@pytest.mark.parametrize(
    "setup, words",
    [
        (lambda t: t / "raw" / "processed", "inside the raw folder"),
        (lambda t: ((t / "afile").write_text("x"), t / "afile" / "p")[1], "is a file"),
        (lambda t: t / "raw", "is the raw folder"),
    ],
    ids=["processed-inside-raw", "processed-under-a-file", "processed-is-raw"],
)
def test_folder_problems_are_named_errors(tmp_path, setup, words):
    raw = tmp_path / "raw"
    raw.mkdir()
    w("survey_wave1.csv", GOOD)(raw)
    with pytest.raises(CEIError, match=words):
        ingest(raw, setup(tmp_path), key=KEY)
    with pytest.raises(CEIError, match="not found"):
        ingest(tmp_path / "missing", tmp_path / "p", key=KEY)
    shutil.rmtree(tmp_path)
