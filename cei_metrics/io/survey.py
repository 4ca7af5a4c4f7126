"""Reader of survey-tool exports: wide files with question text headers and text labels.

The export evaluators receive has one row per respondent and one column per question,
with the answers as text labels in the respondent's language ("Strongly agree",
"Muy de acuerdo", "Don't know"). :func:`read_survey_export` maps each header to an item
of an instrument (by item id, or by the item's text in any language), each label to its
numeric code (case, accents and curly quotes folded), and returns the canonical long
``survey`` table: one row per respondent x wave x item.

Recognised columns (headers matched case- and punctuation-insensitively):

===================  =========================================================
role                 accepted headers
===================  =========================================================
respondent id        Response ID, Respondent ID, ResponseId, ID
district             District Code, District ID, District, CDS District
school               School Code, School ID, School
language             Survey Language, Language, Idioma
date                 Start Date, Date, Submitted, End Date
weight               Weight, Survey Weight
EL family            EL Family, English Learner Family
low income           Low Income, SED Family, Socioeconomically Disadvantaged
===================  =========================================================

Personally identifying columns (e-mail, phone, names, addresses, IP) and free-text
columns (comments) are dropped and reported; any other column that is neither an item
nor a recognised field is dropped and reported too.

What happens to bad cells (a documented, reported repair, never a silent change):

- an answer that is not a label of the instrument (or a code out of range) becomes
  missing with ``missing_reason = "out_of_range"`` and is reported cell by cell;
- "Don't know" and the instrument's no-response labels become missing with their reason;
- a row without a respondent id, or with a district code that is not 7 digits, is
  rejected whole and reported;
- a second row for the same respondent in the same wave is rejected and reported (the
  first is kept).
With ``errors="raise"`` the first such problem raises a :class:`CEIError` instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import InstrumentError, SchemaError
from ..instruments import Instrument, load_instrument, normalize_label
from ..schemas import C
from ._text import find_column, read_delimited, school_year_of_dates

__all__ = ["LANGUAGES", "PII_ALIASES", "SurveyRead", "read_survey_export"]

RESPONDENT = ("Response ID", "Respondent ID", "ResponseId", "RespondentId", "ID")
DISTRICT = ("District Code", "District ID", "District", "CDS District", "District CDS")
SCHOOL = ("School Code", "School ID", "School", "School CDS")
LANGUAGE = ("Survey Language", "Language", "Idioma", "Language of response")
DATE = ("Start Date", "StartDate", "Date", "Submitted", "End Date", "Recorded Date")
WEIGHT = ("Weight", "Survey Weight", "Sampling Weight")
EL = ("EL Family", "English Learner Family", "EL")
SED = ("Low Income", "SED Family", "Socioeconomically Disadvantaged", "SED")

#: Header words that mark personally identifying information.
PII_ALIASES = (
    "email",
    "e mail",
    "email address",
    "phone",
    "phone number",
    "telephone",
    "name",
    "first name",
    "last name",
    "full name",
    "address",
    "street",
    "ip address",
    "ipaddress",
    "student name",
    "parent name",
)
FREE_TEXT_ALIASES = ("comments", "comment", "other please specify", "notes", "feedback")

#: Language labels as exports write them -> ISO 639-1 code.
LANGUAGES = {
    "english": "en",
    "en": "en",
    "ingles": "en",
    "spanish": "es",
    "espanol": "es",
    "es": "es",
    "vietnamese": "vi",
    "tieng viet": "vi",
    "vi": "vi",
    "chinese": "zh",
    "zh": "zh",
    "mandarin": "zh",
    "cantonese": "zh",
    "tagalog": "tl",
    "filipino": "tl",
    "tl": "tl",
    "korean": "ko",
    "ko": "ko",
    "arabic": "ar",
    "ar": "ar",
}
_YES = {"yes", "y", "true", "1", "si"}
_NO = {"no", "n", "false", "0"}
_QPREFIX = re.compile(r"^\s*(q\s*\d+[a-z]?|\d+)\s*[.:)\-]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class SurveyRead:
    """What the survey reader found, kept alongside the table it returns."""

    rows_read: int
    rows_kept: int
    rejected: pd.DataFrame  # file, row, column, reason (rows rejected whole)
    repaired: pd.DataFrame  # file, row, column, reason (cells made missing)
    dropped_columns: pd.DataFrame  # file, column, kind ("pii", "free_text", "unmapped")
    synthetic: bool


def _norm(h: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", normalize_label(h)).strip()


def _item_for_header(inst: Instrument) -> dict[str, str]:
    out = {}
    for iid, item in inst.items.items():
        out[_norm(iid)] = iid
        for text in item.text.values():
            out[_norm(text)] = iid
    return out


def _normalized(values: pd.Series) -> pd.Series:
    """normalize_label applied once per distinct value (exports repeat a few labels)."""
    uniq = pd.unique(values)
    return values.map(dict(zip(uniq, map(normalize_label, uniq))))


def _flag(values: pd.Series) -> pd.Series:
    s = _normalized(values)
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[s.isin(_YES)] = True
    out[s.isin(_NO)] = False
    return out


def read_survey_export(
    path: str | Path,
    instrument: str | Path | Instrument = "family_engagement",
    *,
    wave: int | None = None,
    year: str | None = None,
    role: str | None = None,
    errors: Literal["report", "raise"] = "report",
) -> pd.DataFrame:
    """Read a survey tool's wide export into the canonical long ``survey`` table.

    Parameters
    ----------
    path : the exported file (CSV; UTF-8 with or without BOM, or Windows-1252; comma,
        semicolon or tab separated; leading ``#`` comment lines are skipped).
    instrument : the instrument the survey used: a shipped name, a YAML path or an
        :class:`~cei_metrics.instruments.Instrument`.
    wave : survey wave number; by default read from a ``wave<k>`` in the file name.
    year : school year of the wave ("2019-20"); by default the school year of the most
        common response date.
    role : respondent role; by default the instrument's role.
    errors : "report" repairs or rejects bad rows and cells and reports them in
        ``df.attrs["read"]`` (a :class:`SurveyRead`); "raise" raises on the first problem.

    Returns
    -------
    DataFrame with the canonical survey columns (ids as in the file: ingest hashes
    them), plus ``weight``, ``el_family``, ``sed_family`` when the export has them.
    ``df.attrs["read"]`` holds the :class:`SurveyRead` report and
    ``df.attrs["synthetic"]`` whether the file says it is synthetic demo data.

    Examples
    --------
    >>> df = read_survey_export("data/raw/synthetic_family_survey_wave1.csv")  # doctest: +SKIP
    >>> df.attrs["read"].rows_kept  # doctest: +SKIP
    """
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    raw = read_delimited(path)
    df, fpath = raw.frame, raw.path
    cols = list(df.columns)
    rejected: list[tuple] = []
    repaired: list[tuple] = []
    dropped: list[tuple] = []

    def problem(row: int | None, column: str | None, reason: str, fix: str) -> None:
        if errors == "raise":
            raise SchemaError(reason, file=fpath, row=row, column=column, fix=fix)

    rid_col = find_column(cols, RESPONDENT)
    dist_col = find_column(cols, DISTRICT)
    for need, col, aliases in (
        ("respondent id", rid_col, RESPONDENT),
        ("district", dist_col, DISTRICT),
    ):
        if col is None:
            raise SchemaError(
                f"no {need} column; the headers are {cols[:8]}{'...' if len(cols) > 8 else ''}",
                file=fpath,
                row=0,
                column=aliases[0],
                fix=f"name the {need} column one of {list(aliases)}",
            )
    school_col = find_column(cols, SCHOOL)
    lang_col = find_column(cols, LANGUAGE)
    date_col = find_column(cols, DATE)
    weight_col = find_column(cols, WEIGHT)
    el_col = find_column(cols, EL)
    sed_col = find_column(cols, SED)
    meta = {rid_col, dist_col, school_col, lang_col, date_col, weight_col, el_col, sed_col} - {None}

    by_header = _item_for_header(inst)
    item_cols: dict[str, str] = {}
    for c in cols:
        if c in meta:
            continue
        key = _norm(_QPREFIX.sub("", c))
        if key in by_header or _norm(c) in by_header:
            iid = by_header.get(key) or by_header[_norm(c)]
            if iid in item_cols.values():
                raise InstrumentError(
                    f"two columns map to item {iid!r}",
                    file=fpath,
                    column=c,
                    fix="remove the duplicated question column from the export",
                )
            item_cols[c] = iid
        elif key in PII_ALIASES or any(_norm(a) in key.split(" ") for a in ("email", "phone")):
            dropped.append((str(fpath), c, "pii"))
        elif key in FREE_TEXT_ALIASES:
            dropped.append((str(fpath), c, "free_text"))
        else:
            dropped.append((str(fpath), c, "unmapped"))
    if not item_cols:
        raise InstrumentError(
            f"no column matches an item of instrument {inst.name!r}",
            file=fpath,
            row=0,
            fix="use the item ids or the question texts of the instrument as headers, "
            "or choose the right instrument",
        )

    n = len(df)
    rows = np.arange(1, n + 1)
    keep = np.ones(n, dtype=bool)
    rid = df[rid_col].str.strip()
    bad = rid.eq("").to_numpy()
    for r in rows[bad]:
        problem(int(r), rid_col, "the respondent id is blank", "fill in the respondent id")
        rejected.append((str(fpath), int(r), rid_col, "blank respondent id"))
    keep &= ~bad
    dist = df[dist_col].str.strip().str.replace(r"\.0$", "", regex=True)
    dist = dist.where(~dist.str.fullmatch(r"\d{14}"), dist.str[:7]).str.zfill(7)
    bad = ~dist.str.fullmatch(r"\d{7}").to_numpy() & keep
    for r in rows[bad]:
        problem(
            int(r),
            dist_col,
            f"district code {df[dist_col].iat[r - 1]!r} is not a 7-digit CDS code",
            "use the county+district CDS code, e.g. 1964279",
        )
        rejected.append((str(fpath), int(r), dist_col, "district code is not 7 digits"))
    keep &= ~bad

    if wave is None:
        m = re.search(r"wave[ _-]?(\d+)", fpath.stem, re.IGNORECASE)
        if m is None:
            raise SchemaError(
                "the survey wave is not given and not in the file name",
                file=fpath,
                fix="pass wave=<number> or put 'wave<number>' in the file name",
            )
        wave = int(m.group(1))
    dates = (
        pd.to_datetime(df[date_col].str.strip(), errors="coerce", format="mixed")
        if date_col
        else pd.Series(pd.NaT, index=df.index)
    )
    if year is None:
        sy = school_year_of_dates(dates[keep]).dropna()
        if sy.empty:
            raise SchemaError(
                "the school year of the wave cannot be told: no readable response dates",
                file=fpath,
                column=date_col,
                fix='pass year="YYYY-YY" or include a Start Date column',
            )
        year = str(sy.mode().iat[0])

    dup = rid.duplicated(keep="first").to_numpy() & keep
    for r in rows[dup]:
        problem(
            int(r),
            rid_col,
            f"respondent {rid.iat[r - 1]!r} appears twice in wave {wave}",
            "remove the duplicated row from the export",
        )
        rejected.append((str(fpath), int(r), rid_col, "duplicated respondent in this wave"))
    keep &= ~dup

    if lang_col:
        lang_norm = _normalized(df[lang_col])
        lang = lang_norm.map(LANGUAGES)
        unknown = lang.isna() & lang_norm.ne("")
        for r in rows[unknown.to_numpy() & keep]:
            problem(
                int(r),
                lang_col,
                f"unknown language {df[lang_col].iat[r - 1]!r}",
                f"use one of {sorted(set(LANGUAGES))}",
            )
            repaired.append((str(fpath), int(r), lang_col, "unknown language recorded as 'und'"))
        lang = lang.fillna("und")
    else:
        lang = pd.Series(inst.languages[0], index=df.index)

    # answers: map the unique labels of each column through the instrument's lookup
    lookup = inst.label_map()
    k = len(item_cols)
    values = np.full((n, k), np.nan)
    reasons = np.full((n, k), "", dtype=object)
    for j, (col, iid) in enumerate(item_cols.items()):
        cells = df[col]
        uniq = pd.unique(cells)
        code_of, reason_of = {}, {}
        for u in uniq:
            hit = lookup.get(normalize_label(u))
            if hit is None:
                code_of[u], reason_of[u] = np.nan, "out_of_range"
            else:
                code_of[u] = np.nan if hit[0] is None else float(hit[0])
                reason_of[u] = hit[1]
        values[:, j] = cells.map(code_of).to_numpy(dtype=float)
        reasons[:, j] = cells.map(reason_of).to_numpy(dtype=object)
        bad = (reasons[:, j] == "out_of_range") & keep
        for r in rows[bad]:
            problem(
                int(r),
                col,
                f"{cells.iat[r - 1]!r} is not an answer of item {iid!r}",
                "map the label in the instrument YAML, or correct the cell",
            )
            repaired.append(
                (str(fpath), int(r), col, f"unknown answer {cells.iat[r - 1]!r} set missing")
            )

    idx = np.flatnonzero(keep)
    m = len(idx)
    items = np.array(list(item_cols.values()), dtype=object)
    out = pd.DataFrame(
        {
            C.RESPONDENT_ID: np.repeat(rid.to_numpy()[idx], k),
            C.WAVE: np.int64(wave),
            C.YEAR: year,
            C.DISTRICT_ID: np.repeat(dist.to_numpy()[idx], k),
            C.SCHOOL_ID: np.repeat(
                (
                    df[school_col].str.strip() if school_col else pd.Series("", index=df.index)
                ).to_numpy()[idx],
                k,
            ),
            C.ROLE: role or inst.role,
            C.LANGUAGE: np.repeat(lang.to_numpy()[idx], k),
            C.INSTRUMENT: inst.name,
            C.ITEM: np.tile(items, m),
            C.VALUE: values[idx].ravel(),
            C.MISSING_REASON: reasons[idx].ravel(),
        }
    )
    if weight_col:
        w = pd.to_numeric(df[weight_col], errors="coerce")
        badw = (~(w > 0)).to_numpy() & keep
        if badw.any():
            r = int(rows[badw][0])
            raise SchemaError(
                f"{int(badw.sum())} weight(s) are missing, zero, negative or not numbers; "
                f"first: {df[weight_col].iat[r - 1]!r}",
                file=fpath,
                row=r,
                column=weight_col,
                fix="give every respondent a positive sampling weight, or drop the weight column",
            )
        out[C.WEIGHT] = np.repeat(w.to_numpy()[idx], k)
    if el_col:
        out[C.EL_FAMILY] = np.repeat(_flag(df[el_col]).to_numpy()[idx], k)
    if sed_col:
        out[C.SED_FAMILY] = np.repeat(_flag(df[sed_col]).to_numpy()[idx], k)

    cols_rep = ["file", "row", "column", "reason"]
    report = SurveyRead(
        rows_read=n,
        rows_kept=m,
        rejected=pd.DataFrame(rejected, columns=cols_rep),
        repaired=pd.DataFrame(repaired, columns=cols_rep),
        dropped_columns=pd.DataFrame(dropped, columns=["file", "column", "kind"]),
        synthetic=raw.synthetic,
    )
    out.attrs["read"] = report
    out.attrs["synthetic"] = raw.synthetic
    out.attrs["source"] = str(fpath)
    return out
