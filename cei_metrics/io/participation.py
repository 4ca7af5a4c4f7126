"""Readers of event sign-in sheets and of district roster files.

A sign-in sheet has one row per person per event. Recognised columns (headers matched
case- and punctuation-insensitively): Event ID, Date, Event Type, District Code,
Participant ID, Role, Language, EL Family, Low Income. Names, e-mails and phone numbers
are dropped and reported; the event's name (free text) is dropped too. Rows with no
participant id, no readable date or a district code that is not 7 digits are rejected
and reported; a person signed in twice at one event is kept once and the repeat reported.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ..instruments import normalize_label
from ..schemas import ROSTER_COLUMNS, C
from ._text import find_column, read_delimited
from .survey import (
    FREE_TEXT_ALIASES,
    LANGUAGES,
    PII_ALIASES,
    SurveyRead,
    _flag,
    _norm,
    _normalized,
)

__all__ = ["read_roster", "read_signins"]

EVENT = ("Event ID", "EventId", "Event Code", "Meeting ID")
DATE = ("Date", "Event Date", "Meeting Date", "Date (MM/DD/YYYY)")
TYPE = ("Event Type", "Type", "Meeting Type")
DISTRICT = ("District Code", "District ID", "District", "CDS District")
SCHOOL = ("School Code", "School ID")
PARTICIPANT = ("Participant ID", "Family ID", "Person ID", "Attendee ID")
ROLE = ("Role", "Participant Role", "Attendee Role")
LANGUAGE = ("Language", "Home Language", "Preferred Language")
EL = ("EL Family", "English Learner Family", "EL")
SED = ("Low Income", "SED Family", "SED")
EVENT_NAME = ("Event Name", "Event", "Meeting", "Meeting Name", "Title")


def _event_type(s: pd.Series) -> pd.Series:
    t = _normalized(s).str.replace(r"[^0-9a-z]+", "_", regex=True).str.strip("_")
    return t.replace({"lcap": "lcap_input", "lcap_input_meeting": "lcap_input"})


def read_signins(path: str | Path) -> pd.DataFrame:
    """Read a sign-in sheet into the canonical ``participation`` table.

    Returns
    -------
    DataFrame with the canonical participation columns (ids as in the file: ingest hashes
    them) plus ``el_family``, ``sed_family`` and ``school_id`` when present;
    ``df.attrs["read"]`` is a :class:`~cei_metrics.io.survey.SurveyRead` report of
    rejected rows and dropped columns.
    """
    raw = read_delimited(path)
    df, fpath = raw.frame, raw.path
    cols = list(df.columns)
    need = {"event id": EVENT, "date": DATE, "district": DISTRICT, "participant id": PARTICIPANT}
    found = {k: find_column(cols, v) for k, v in need.items()}
    for k, c in found.items():
        if c is None:
            raise SchemaError(
                f"no {k} column; the headers are {cols[:10]}",
                file=fpath,
                row=0,
                column=need[k][0],
                fix=f"name the {k} column one of {list(need[k])}",
            )
    opt = {
        "type": find_column(cols, TYPE),
        "role": find_column(cols, ROLE),
        "lang": find_column(cols, LANGUAGE),
        "el": find_column(cols, EL),
        "sed": find_column(cols, SED),
        "school": find_column(cols, SCHOOL),
    }
    used = set(found.values()) | {c for c in opt.values() if c}
    name_col = find_column(cols, EVENT_NAME)
    dropped = []
    for c in cols:
        if c in used:
            continue
        key = _norm(c)
        if key in PII_ALIASES or "email" in key or "phone" in key or key.endswith(" name"):
            kind = "free_text" if c == name_col else "pii"
        elif key in FREE_TEXT_ALIASES or c == name_col:
            kind = "free_text"
        else:
            kind = "unmapped"
        dropped.append((str(fpath), c, kind))

    n = len(df)
    rows = np.arange(1, n + 1)
    rejected = []
    pid = df[found["participant id"]].str.strip()
    dist = df[found["district"]].str.strip().str.replace(r"\.0$", "", regex=True).str.zfill(7)
    dates = pd.to_datetime(df[found["date"]].str.strip(), errors="coerce", format="mixed")
    checks = [
        (pid.eq("").to_numpy(), found["participant id"], "blank participant id"),
        (dates.isna().to_numpy(), found["date"], "date not readable"),
        (
            ~dist.str.fullmatch(r"\d{7}").to_numpy(),
            found["district"],
            "district code is not 7 digits",
        ),
    ]
    keep = np.ones(n, dtype=bool)
    for bad, col, why in checks:
        for r in rows[bad & keep]:
            rejected.append((str(fpath), int(r), col, why))
        keep &= ~bad
    eid = df[found["event id"]].str.strip()
    dup = pd.Series(list(zip(eid, pid))).duplicated().to_numpy() & keep
    for r in rows[dup]:
        rejected.append(
            (str(fpath), int(r), found["participant id"], "signed in twice at this event")
        )
    keep &= ~dup

    def col_or(key: str, default: str) -> pd.Series:
        return df[opt[key]] if opt[key] else pd.Series(default, index=df.index)

    lang = _normalized(col_or("lang", ""))
    out = pd.DataFrame(
        {
            C.EVENT_ID: eid,
            C.DATE: dates.astype("datetime64[ns]"),
            C.EVENT_TYPE: _event_type(col_or("type", "event")),
            C.DISTRICT_ID: dist,
            C.PARTICIPANT_ID: pid,
            C.ROLE: _normalized(col_or("role", "family")),
            C.LANGUAGE: lang.map(LANGUAGES).fillna("und").where(lang.ne(""), "und"),
        }
    )
    if opt["school"]:
        out[C.SCHOOL_ID] = df[opt["school"]].str.strip()
    if opt["el"]:
        out[C.EL_FAMILY] = _flag(df[opt["el"]])
    if opt["sed"]:
        out[C.SED_FAMILY] = _flag(df[opt["sed"]])
    out = out[keep].reset_index(drop=True)
    cols_rep = ["file", "row", "column", "reason"]
    out.attrs["read"] = SurveyRead(
        rows_read=n,
        rows_kept=int(keep.sum()),
        rejected=pd.DataFrame(rejected, columns=cols_rep),
        repaired=pd.DataFrame([], columns=cols_rep),
        dropped_columns=pd.DataFrame(dropped, columns=["file", "column", "kind"]),
        synthetic=raw.synthetic,
    )
    out.attrs["synthetic"] = raw.synthetic
    return out


def read_roster(path: str | Path) -> pd.DataFrame:
    """Read a district roster CSV holding the canonical ``roster`` columns.

    ``cohort`` is the first PLLN school year ("2019-20") or blank for districts never in
    the network; district ids are zero-padded to 7 digits.
    """
    raw = read_delimited(path)
    df, fpath = raw.frame, raw.path
    lower = {c.lower().strip(): c for c in df.columns}
    missing = [c for c in ROSTER_COLUMNS if c not in lower]
    if missing:
        raise SchemaError(
            f"the roster lacks column(s) {missing}",
            file=fpath,
            row=0,
            column=missing[0],
            fix=f"a roster needs the columns {list(ROSTER_COLUMNS)}",
        )
    df = df.rename(columns={v: k for k, v in lower.items()})
    out = df.copy()
    out[C.DISTRICT_ID] = out[C.DISTRICT_ID].str.strip().str.zfill(7)
    out[C.COHORT] = out[C.COHORT].str.strip().replace("", None)
    for c in (C.ENROLLMENT, C.N_FAMILIES, C.PCT_EL, C.PCT_SED, C.PCT_SPANISH):
        num = pd.to_numeric(out[c], errors="coerce")
        bad = num.isna() & out[c].str.strip().ne("")
        if bad.any():
            r = int(np.flatnonzero(bad.to_numpy())[0]) + 1
            raise SchemaError(
                f"{out[c].iat[r - 1]!r} is not a number",
                file=fpath,
                row=r,
                column=c,
                fix="write numbers without units or thousands separators",
            )
        out[c] = num
    if "synthetic" in out.columns:
        out["synthetic"] = out["synthetic"].map(
            lambda v: normalize_label(v) in ("true", "1", "yes")
        )
    out.attrs["synthetic"] = raw.synthetic
    return out
