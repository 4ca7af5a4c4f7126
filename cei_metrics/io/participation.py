"""Readers of event sign-in sheets and of district rosters.

Sign-in sheets
--------------
One row per person per event, as a CSV or Excel file, typed from a paper sheet or
exported from a form. Title lines above the header are allowed, and may give the event
for the whole sheet (``Date: 10/05/2023``, ``Event: DELAC meeting``, ``District: Oxnard
SD``). Recognised columns (headers matched ignoring case, accents and punctuation):

===================  ========================================================================
field                accepted headers
===================  ========================================================================
event id             Event ID, Event Code, Meeting ID (none: made from date and event type)
date                 Date, Event Date, Meeting Date, Fecha, Timestamp (or the sheet's title)
event type           Event Type, Type, Meeting Type, Event, Meeting, Event Name (mapped to
                     convening, lcap_input, delac, elac, workshop, ssc, pac, conference,
                     listening_session, event or other)
district             District Code, District ID, District, Distrito: CD or CDS codes or names
school               School Code, School ID, School CDS (14-digit CDS codes only)
participant id       Participant ID, Family ID, Person ID, Attendee ID (none: a key made from
                     the person's name, else e-mail or phone, else file and row; ingest hashes it)
role                 Role, Participant Role, I am a, Rol (mapped: Parent, Madre, Tutor,
                     Grandparent, ... -> family; teacher, staff, administrator, student,
                     community; anything else -> other)
language             Language, Home Language, Preferred Language, Idioma
EL family, low inc.  EL Family, English Learner Family, EL; Low Income, SED Family, SED
===================  ========================================================================

Names, e-mails, phone numbers, addresses, signatures and free text are used (a name only
to make the participant key) and dropped; they are listed by column name, never by value.
Rows with no readable date or district are rejected and reported with their row; a person
signed in twice at one event is kept once.

Rosters
-------
:func:`read_roster` reads a district roster: a district column (code or name) and, when
known, ``cohort`` (first PLLN school year), name, county, district type, enrollment and
demographics. What is missing is filled from the CDE directory (name, county, type) or
left missing. :func:`build_roster` makes one from the districts found in the data.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ..schemas import ROSTER_COLUMNS, TEXT_COLUMNS, C
from ._freetext import (
    NAMES_ATTR,
    TEXT_ATTR,
    comment_kind,
    name_columns,
    names_in,
    question_id,
    scrub_rows,
)
from ._tabular import Grid, read_grid
from .dates import parse_dates
from .districts import DOC_TYPE, district_directory, resolve_district, resolve_districts
from .exports import question_keys
from .survey import (
    ReadReport,
    SurveyRead,
    _Collector,
    _drop_kind,
    _read_flag,
    _rows_text,
    find_col,
)
from .vocab import map_vocabulary, vocab_key

__all__ = ["SurveyRead", "build_roster", "looks_like_signins", "read_roster", "read_signins"]

#: The instrument name of comments written on sign-in sheets (text table).
SIGNIN_INSTRUMENT = "signin"

EVENT = ("Event ID", "EventId", "Event Code", "Meeting ID", "Session ID")
DATE = (
    "Date",
    "Event Date",
    "Meeting Date",
    "Date (MM/DD/YYYY)",
    "Fecha",
    "Timestamp",
    "Sign-in Date",
)
TYPE = ("Event Type", "Type", "Meeting Type", "Tipo de evento", "Tipo")
EVENT_NAME = ("Event Name", "Event", "Meeting", "Meeting Name", "Title", "Evento", "Reunión")
DISTRICT = ("District Code", "District ID", "District", "CDS District", "District Name", "Distrito")
SCHOOL = ("School Code", "School ID", "School CDS", "CDS Code", "School", "Escuela")
PARTICIPANT = ("Participant ID", "Family ID", "Person ID", "Attendee ID", "Parent ID")
ROLE = ("Role", "Participant Role", "Attendee Role", "I am a", "Rol", "Relationship to student")
LANGUAGE = ("Language", "Home Language", "Preferred Language", "Idioma", "Idioma preferido")
EL = ("EL Family", "English Learner Family", "EL", "English learner")
SED = ("Low Income", "SED Family", "SED", "Socioeconomically Disadvantaged")
FIRST = ("First Name", "Nombre", "First")
LAST = ("Last Name", "Apellido", "Last", "Surname")
FULL = ("Name", "Full Name", "Participant Name", "Parent Name", "Nombre completo", "Print Name")
EMAIL = ("Email", "E-mail", "Email Address", "Correo electrónico", "Correo")
PHONE = ("Phone", "Phone Number", "Telephone", "Cell", "Teléfono")

_ALL_SIGNIN = (
    EVENT,
    DATE,
    TYPE,
    EVENT_NAME,
    DISTRICT,
    SCHOOL,
    PARTICIPANT,
    ROLE,
    LANGUAGE,
    EL,
    SED,
    FIRST,
    LAST,
    FULL,
    EMAIL,
    PHONE,
    ("Signature", "Firma"),
)
_SIGNIN_KEYS = {vocab_key(a) for group in _ALL_SIGNIN for a in group}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:#/-]{0,39}$")


def _header_score(row: list[str]) -> int:
    return sum(any(k in _SIGNIN_KEYS for k in question_keys(c)) for c in row if c)


def looks_like_signins(g: Grid) -> bool:
    """A grid with a header naming at least a date or event and a person or district."""
    best = max((_header_score(r) for r in g.rows[:20]), default=0)
    if best < 3:
        return False
    i = max(range(min(20, len(g.rows))), key=lambda k: _header_score(g.rows[k]))
    names = g.rows[i]
    has_person = any(
        find_col(names, grp) is not None for grp in (PARTICIPANT, FIRST, LAST, FULL, EMAIL, ROLE)
    )
    has_event = any(find_col(names, grp) is not None for grp in (DATE, EVENT, TYPE, EVENT_NAME))
    return has_person and (
        has_event
        or any("date" in vocab_key(c) or "fecha" in vocab_key(c) for r in g.rows[:i] for c in r)
    )


def _preamble(rows: list[list[str]]) -> dict[str, str]:
    """``Key: value`` facts written above the header (date, event, district)."""
    out: dict[str, str] = {}
    wanted = {
        "date": DATE,
        "event": EVENT_NAME + TYPE,
        "district": DISTRICT,
    }
    for r in rows:
        cells = [c for c in r if c]
        pairs = []
        for i, c in enumerate(cells):
            m = re.match(r"^\s*([^:]{2,30}):\s*(.+)$", c)
            if m:
                pairs.append((m.group(1), m.group(2)))
            elif c.rstrip().endswith(":") and i + 1 < len(cells):
                pairs.append((c.rstrip(": "), cells[i + 1]))
        for key, value in pairs:
            for name, aliases in wanted.items():
                if name not in out and find_col([key], aliases) is not None:
                    out[name] = value.strip()
    return out


def _title_event_type(rows: list[list[str]]) -> str | None:
    """The event type named in the title lines above the header ("DELAC Meeting - Sign-in")."""
    import unicodedata

    from .vocab import _read_yaml

    def fold(t: str) -> str:
        t = unicodedata.normalize("NFKD", t)
        t = "".join(ch for ch in t if not unicodedata.combining(ch)).casefold()
        return " " + " ".join(re.findall(r"[a-z0-9]+", t)) + " "

    title = fold(" ".join(c for r in rows for c in r if c))
    labels = []
    for value, labs in _read_yaml("event_types").items():
        if value == "event":
            continue
        labels.extend((fold(x), x) for x in [value, *labs])
    for key, lab in sorted(labels, key=lambda t: -len(t[0])):
        if key.strip() and key in title:
            return lab
    return None


def read_signins(
    path: str | Path, *, errors: Literal["report", "raise"] = "report", grid: Grid | None = None
) -> pd.DataFrame:
    """Read a sign-in sheet into the canonical ``participation`` table.

    Returns
    -------
    DataFrame with the canonical participation columns (participant keys as in the file,
    or made from names: ingest hashes them) plus ``el_family``, ``sed_family`` and
    ``school_id`` when present; ``df.attrs["read"]`` is a
    :class:`~cei_metrics.io.survey.ReadReport` (rows rejected, columns dropped, categories of
    unrecognised cells; never a cell value).
    """
    g = grid if grid is not None else read_grid(path)
    fpath = g.path
    col = _Collector(fpath, errors)
    if not g.rows:
        raise SchemaError(
            "the sheet has no rows", file=fpath, fix="export the sheet with its header"
        )
    h = max(range(min(20, len(g.rows))), key=lambda k: (_header_score(g.rows[k]), -k))
    names = g.rows[h]
    pre = _preamble(g.rows[:h])
    body = [r for r in g.rows[h + 1 :]]
    nums = g.row_numbers[h + 1 :]
    keep_rows = [i for i, r in enumerate(body) if any(c for c in r)]
    w = len(names)
    f = pd.DataFrame(
        [body[i][:w] + [""] * (w - len(body[i])) for i in keep_rows], columns=range(w), dtype=str
    )
    if f.empty:
        f = pd.DataFrame({i: pd.Series([], dtype=str) for i in range(w)})
    rows = np.asarray([nums[i] for i in keep_rows], dtype=np.int64)
    n = len(f)

    used: set[int] = set()
    meta: dict[str, int | None] = {}
    for key, aliases in (
        ("pid", PARTICIPANT),
        ("event", EVENT),
        ("type", TYPE),
        ("date", DATE),
        ("district", DISTRICT),
        ("school", SCHOOL),
        ("role", ROLE),
        ("lang", LANGUAGE),
        ("el", EL),
        ("sed", SED),
        ("name", EVENT_NAME),
        ("first", FIRST),
        ("last", LAST),
        ("full", FULL),
        ("email", EMAIL),
        ("phone", PHONE),
    ):
        j = find_col(names, aliases, used)
        meta[key] = j
        if j is not None:
            used.add(j)

    def cname(key: str) -> str:
        j = meta[key]
        return names[j] if j is not None else ""

    dropped = []
    person_cols = [meta[k] for k in ("first", "last", "full") if meta[k] is not None]
    person_cols += [j for j in name_columns(names, skip=used) if j not in person_cols]
    text_cols: dict[int, tuple[str, str]] = {}
    for j, nm in enumerate(names):
        keep_col = j in used and not any(
            meta[k] == j for k in ("first", "last", "full", "email", "phone", "name")
        )
        if keep_col:
            continue
        kind = "free_text" if meta["name"] == j else _drop_kind(nm)
        if any(meta[k] == j for k in ("first", "last", "full", "email", "phone")) or (
            j in person_cols
        ):
            kind = "pii"
        elif meta["name"] != j and j not in used and (kind == "free_text" or comment_kind(nm)):
            kind = "free_text"
            text_cols[j] = (question_id(nm, j), nm)
        dropped.append((str(fpath), nm or f"column {j + 1}", kind))
    names_seen = names_in(f, person_cols)

    keep = np.ones(n, dtype=bool)
    # dates
    if meta["date"] is not None:
        dp = parse_dates(f[meta["date"]])
        dates = dp.values
        col.notes.extend(f"column {cname('date')!r}: {t}" for t in dp.notes)
        blank_date = f[meta["date"]].str.strip().eq("")
        if "date" in pre and blank_date.any():
            dp2 = parse_dates(pd.Series([pre["date"]] * n, index=f.index))
            dates = dates.where(~blank_date, dp2.values)
        bad = dates.isna().to_numpy()
    elif "date" in pre:
        dp = parse_dates(pd.Series([pre["date"]] * n, index=f.index))
        dates = dp.values
        bad = dates.isna().to_numpy()
        if bad.all() and n:
            raise SchemaError(
                "the date above the header is not a date",
                file=fpath,
                row=g.row_numbers[0],
                fix="write the date as MM/DD/YYYY or YYYY-MM-DD",
            )
    else:
        raise SchemaError(
            f"no date column and no date above the header; the headers are {names[:10]}",
            file=fpath,
            row=g.row_numbers[h],
            column=DATE[0],
            fix="add a Date column, or a line 'Date: MM/DD/YYYY' above the header",
        )
    col.reject(
        rows[bad].tolist(),
        cname("date") or "Date",
        "date not readable",
        "write the date as MM/DD/YYYY or YYYY-MM-DD",
    )
    keep &= ~bad

    # schools and districts
    school = pd.Series("", index=f.index, dtype=object)
    if meta["school"] is not None:
        raw_school = (
            f[meta["school"]]
            .str.replace(r"[\s-]", "", regex=True)
            .str.replace(r"\.0+$", "", regex=True)
        )
        ok = raw_school.str.fullmatch(r"\d{14}")
        school = raw_school.where(ok, "")
        nbad = int((~ok & raw_school.ne("")).sum())
        if nbad:
            col.notes.append(
                f"column {cname('school')!r}: {nbad} cell(s) are not 14-digit CDS codes; "
                "school left blank there (school names are not kept)"
            )
    district_rows = []
    if meta["district"] is not None or "district" in pre:
        dcol = f[meta["district"]] if meta["district"] is not None else pd.Series("", index=f.index)
        if "district" in pre:
            dcol = dcol.where(dcol.str.strip().ne(""), pre["district"])
        codes, lookups = resolve_districts(dcol)
        from_school = school.str[:7].where(school.ne(""), None)
        codes = codes.where(codes.notna(), from_school)
        for text, lk in lookups.items():
            mask = (dcol.astype(str) == text).to_numpy() & keep
            if not mask.any():
                continue
            if lk.code is None:
                bad = mask & codes.isna().to_numpy()
                col.reject(rows[bad].tolist(), cname("district") or "District", lk.problem, lk.fix)
            elif lk.how in ("name", "approximate name"):
                district_rows.append((text, lk.code, lk.name, lk.how, int(mask.sum())))
        keep &= codes.notna().to_numpy()
        dist = codes.fillna("")
    else:
        dist = school.str[:7]
        bad = dist.eq("").to_numpy() & keep
        col.reject(
            rows[bad].tolist(),
            "District",
            "no district column and no 14-digit school CDS code",
            "add a District column (code or name) or a line 'District: ...' above the header",
        )
        keep &= ~bad

    # event type
    type_src = None
    if meta["type"] is not None:
        type_src = f[meta["type"]]
    elif meta["name"] is not None:
        type_src = f[meta["name"]]
    elif "event" in pre:
        type_src = pd.Series(pre["event"], index=f.index)
    elif h > 0 and (title := _title_event_type(g.rows[:h])):
        type_src = pd.Series(title, index=f.index)
    if type_src is not None:
        etype, blank, unknown = map_vocabulary(type_src, "event_types", other="other")
        if unknown.any():
            col.notes.append(
                f"{int(unknown.sum())} event type(s) not in the vocabulary recorded as 'other'"
            )
        etype = etype.fillna("event")
    else:
        etype = pd.Series("event", index=f.index)

    # event ids: codes kept; otherwise made from date and type (never free text)
    day = dates.dt.strftime("%Y-%m-%d").fillna("")
    if meta["event"] is not None:
        ev = f[meta["event"]].str.strip()
        codelike = pd.Series(
            [
                bool(_CODE.match(s)) and "@" not in s and not re.fullmatch(r"[\d().\s+-]{10,}", s)
                for s in ev
            ],
            index=ev.index,
            dtype=bool,
        )
        made = day + "-" + etype
        if (~codelike & ev.ne("")).any():
            col.notes.append(
                f"column {cname('event')!r}: {int((~codelike & ev.ne('')).sum())} event id(s) "
                "that are not codes replaced by date and event type"
            )
        event_id = ev.where(codelike & ev.ne(""), made)
    else:
        label = (
            f[meta["name"]].map(vocab_key)
            if meta["name"] is not None
            else pd.Series("", index=f.index)
        )
        base = day + "-" + etype
        event_id = base.copy()
        for b, grp in pd.DataFrame({"b": base, "l": label}).groupby("b", sort=False):
            labels = list(dict.fromkeys(grp["l"]))
            if len(labels) > 1:
                event_id[grp.index] = (
                    b + "-" + grp["l"].map({x: str(i + 1) for i, x in enumerate(labels)})
                )

    # participants
    if meta["pid"] is not None:
        pid = f[meta["pid"]].str.strip()
        blank = pid.eq("").to_numpy()
        col.reject(
            rows[blank & keep].tolist(),
            cname("pid"),
            "blank participant id",
            "fill in the participant id",
        )
        keep &= ~blank
    else:

        def part(key: str) -> pd.Series:
            return (
                f[meta[key]].map(vocab_key)
                if meta[key] is not None
                else pd.Series("", index=f.index)
            )

        name = (part("first") + part("last")).where(part("full").eq(""), part("full"))
        email, phone = part("email"), part("phone").str.replace(r"\D", "", regex=True)
        key = np.where(
            name.ne(""),
            "name:" + name,
            np.where(email.ne(""), "email:" + email, np.where(phone.ne(""), "phone:" + phone, "")),
        )
        fallback = pd.Series([f"{fpath.name}#row{r}" for r in rows], index=f.index, dtype=object)
        pid = pd.Series(key, index=f.index).where(lambda s: s.ne(""), fallback)
        col.notes.append(
            "no participant id column: each person is keyed by name (else e-mail or phone, "
            "else file and row); ingest replaces the key by a hash"
        )
    dup = pd.DataFrame({"e": event_id.to_numpy(), "p": pid.to_numpy()})
    dup = (dup.duplicated().to_numpy()) & keep
    col.reject(
        rows[dup].tolist(),
        cname("pid") or "participant",
        "signed in twice at this event",
        "remove the repeated sign-in",
    )
    keep &= ~dup

    if meta["role"] is not None:
        role, blank, unknown = map_vocabulary(f[meta["role"]], "roles", other="other")
        role = role.fillna("family")
        if unknown.any():
            col.notes.append(
                f"column {cname('role')!r}: {int(unknown.sum())} role(s) not in the vocabulary "
                f"recorded as 'other' (rows {_rows_text(rows[unknown.to_numpy()].tolist())})"
            )
    else:
        role = pd.Series("family", index=f.index)
    if meta["lang"] is not None:
        lang, blank, unknown = map_vocabulary(f[meta["lang"]], "languages", other="other")
        lang = lang.fillna("und")
    else:
        lang = pd.Series("und", index=f.index)

    out = pd.DataFrame(
        {
            C.EVENT_ID: event_id.astype(str),
            C.DATE: dates.astype("datetime64[ns]"),
            C.EVENT_TYPE: etype.astype(str),
            C.DISTRICT_ID: dist.astype(str),
            C.PARTICIPANT_ID: pid.astype(str),
            C.ROLE: role.astype(str),
            C.LANGUAGE: lang.astype(str),
        }
    )
    if meta["school"] is not None:
        out[C.SCHOOL_ID] = school
    for key, c, label in (("el", C.EL_FAMILY, "EL family"), ("sed", C.SED_FAMILY, "low income")):
        if meta[key] is None:
            continue
        out[c] = _read_flag(f[meta[key]], col, rows, keep, cname(key), label)
    text = _signin_text(f, text_cols, keep, out, dates, names_seen)
    out = out[keep].reset_index(drop=True)
    header_note = (
        [] if h == 0 else [f"header found on row {g.row_numbers[h]} (title lines above it)"]
    )
    out.attrs["read"] = ReadReport(
        rows_read=n,
        rows_kept=int(keep.sum()),
        rejected=pd.DataFrame(col.rejected, columns=["file", "row", "column", "reason"]),
        repaired=pd.DataFrame(col.repaired, columns=["file", "row", "column", "reason"]),
        dropped_columns=pd.DataFrame(dropped, columns=["file", "column", "kind"]),
        synthetic=g.synthetic,
        recognised_as="sign-in sheet" + (" (no participant ids)" if meta["pid"] is None else ""),
        unrecognised=pd.DataFrame(
            col.unrecognised, columns=["column", "what", "category", "rows", "count"]
        ),
        districts=pd.DataFrame(
            district_rows, columns=["text", "district_id", "directory", "how", "rows"]
        ),
        notes=tuple(
            [*g.notes, *header_note, *col.notes]
            + ([f"{len(text)} comment(s) kept, scrubbed, in the text table"] if len(text) else [])
        ),
    )
    out.attrs["synthetic"] = g.synthetic
    out.attrs[TEXT_ATTR] = text
    out.attrs[NAMES_ATTR] = names_seen
    return out


def _signin_text(
    f: pd.DataFrame,
    text_cols: dict[int, tuple[str, str]],
    keep: np.ndarray,
    out: pd.DataFrame,
    dates: pd.Series,
    names_seen: list[str],
) -> pd.DataFrame:
    """Comments written on a sign-in sheet, as scrubbed rows of the text table
    (instrument ``signin``, no wave)."""
    from ._text import school_year_of_dates

    parts = []
    years = school_year_of_dates(dates).to_numpy()
    for j, (qid, qtext) in text_cols.items():
        cells = f[j].astype(str).str.strip()
        has = cells.ne("").to_numpy() & keep
        if not has.any():
            continue
        part = pd.DataFrame(
            {
                C.RESPONDENT_ID: out[C.PARTICIPANT_ID].to_numpy()[has],
                C.WAVE: pd.array([pd.NA] * int(has.sum()), dtype="Int64"),
                C.YEAR: years[has],
                C.DISTRICT_ID: out[C.DISTRICT_ID].to_numpy()[has],
                C.ROLE: out[C.ROLE].to_numpy()[has],
                C.LANGUAGE: out[C.LANGUAGE].to_numpy()[has],
                C.INSTRUMENT: SIGNIN_INSTRUMENT,
                C.QUESTION_ID: qid,
                C.QUESTION: qtext,
                C.TEXT: cells.to_numpy()[has],
                C.EVENT_ID: out[C.EVENT_ID].to_numpy()[has],
                C.DATE: out[C.DATE].to_numpy()[has],
            }
        )
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=list(TEXT_COLUMNS[1:]))
    return scrub_rows(pd.concat(parts, ignore_index=True), names_seen)


# rosters -------------------------------------------------------------------------------

_ROSTER_ALIASES = {
    C.DISTRICT_ID: ("district_id", "District Code", "District ID", "CD Code", "CDS", "District"),
    C.NAME: ("name", "District Name", "Name"),
    C.COUNTY: ("county", "County"),
    C.COHORT: ("cohort", "Cohort", "PLLN Cohort", "First year", "Joined"),
    C.DISTRICT_TYPE: ("district_type", "District Type", "Type"),
    C.ENROLLMENT: ("enrollment", "Enrollment"),
    C.N_FAMILIES: ("n_families", "Families", "Number of families"),
    C.PCT_EL: ("pct_el", "Percent EL", "% EL"),
    C.PCT_SED: ("pct_sed", "Percent SED", "% SED"),
    C.PCT_SPANISH: ("pct_spanish", "Percent Spanish", "% Spanish"),
    C.SYNTHETIC: ("synthetic",),
}


def looks_like_roster(names: list[str]) -> bool:
    has_d = find_col(names, _ROSTER_ALIASES[C.DISTRICT_ID]) is not None
    has_c = find_col(names, _ROSTER_ALIASES[C.COHORT]) is not None
    return has_d and has_c


def _cohort(v: str) -> str | Literal[False] | None:
    s = str(v).strip()
    if not s or vocab_key(s) in ("none", "na", "never", "no", "notinnetwork"):
        return None
    m = re.fullmatch(r"(\d{4})\s*[-/]\s*(\d{2}|\d{4})", s)
    if m:
        y = int(m.group(1))
        nxt = int(m.group(2)) % 100
        return f"{y}-{(y + 1) % 100:02d}" if nxt == (y + 1) % 100 else False
    m = re.fullmatch(r"(\d{4})(?:\.0)?", s)
    if m:
        y = int(m.group(1))
        return f"{y}-{(y + 1) % 100:02d}"
    return False


def read_roster(path: str | Path, *, grid: Grid | None = None) -> pd.DataFrame:
    """Read a district roster into the canonical ``roster`` table.

    Needs a district column (7-digit CD code, 14-digit CDS code or a name the CDE
    directory knows) and a ``cohort`` column (the first PLLN school year, ``2019-20`` or
    ``2019``; blank for districts never in the network). Name, county and district type
    come from the CDE directory when absent; enrollment and demographics stay missing
    when absent (the analyses that need them say so).
    """
    g = grid if grid is not None else read_grid(path)
    fpath = g.path
    names = g.rows[0] if g.rows else []
    pos = {c: find_col(names, a) for c, a in _ROSTER_ALIASES.items()}
    if pos[C.DISTRICT_ID] is None:
        raise SchemaError(
            f"the roster has no district column; the headers are {names[:10]}",
            file=fpath,
            row=g.row_numbers[0] if g.row_numbers else 1,
            column=C.DISTRICT_ID,
            fix=f"a roster needs a district_id column and, when known, {list(ROSTER_COLUMNS[1:])}",
        )
    body = g.rows[1:]
    nums = g.row_numbers[1:]
    out_rows = []
    for r, num in zip(body, nums):
        lk = resolve_district(r[pos[C.DISTRICT_ID]])
        if lk.code is None:
            raise SchemaError(
                lk.problem, file=fpath, row=num, column=names[pos[C.DISTRICT_ID]], fix=lk.fix
            )
        rec = {C.DISTRICT_ID: lk.code}
        for c, j in pos.items():
            if c == C.DISTRICT_ID or j is None:
                continue
            rec[c] = r[j].strip()
        if C.COHORT in rec:
            co = _cohort(rec[C.COHORT])
            if co is False:
                raise SchemaError(
                    "the cohort is not a school year",
                    file=fpath,
                    row=num,
                    column=names[pos[C.COHORT]],
                    fix='write the first PLLN school year as "2019-20" (or 2019), blank if never',
                )
            rec[C.COHORT] = co
        out_rows.append(rec)
    df = pd.DataFrame(
        out_rows, columns=[c for c in _ROSTER_ALIASES if c == C.DISTRICT_ID or pos[c] is not None]
    )
    dup = df[C.DISTRICT_ID].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise SchemaError(
            "a district appears twice in the roster",
            file=fpath,
            row=nums[i],
            column=names[pos[C.DISTRICT_ID]],
            fix="keep one row per district",
        )
    for c in (C.ENROLLMENT, C.N_FAMILIES, C.PCT_EL, C.PCT_SED, C.PCT_SPANISH):
        if c not in df:
            continue
        num = pd.to_numeric(df[c].str.replace(",", "").str.rstrip("%"), errors="coerce")
        bad = (num.isna() & df[c].str.strip().ne("")) | np.isinf(num)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise SchemaError(
                "not a finite number",
                file=fpath,
                row=nums[i],
                column=names[pos[c]],
                fix="write numbers without units or thousands separators",
            )
        df[c] = num
    if C.SYNTHETIC in df:
        df[C.SYNTHETIC] = df[C.SYNTHETIC].map(lambda v: vocab_key(v) in ("true", "1", "yes"))
    out = _complete_roster(df)
    out.attrs["synthetic"] = g.synthetic
    out.attrs["read"] = ReadReport(
        rows_read=len(body),
        rows_kept=len(out),
        rejected=pd.DataFrame(columns=["file", "row", "column", "reason"]),
        repaired=pd.DataFrame(columns=["file", "row", "column", "reason"]),
        dropped_columns=pd.DataFrame(
            [
                (str(fpath), nm, _drop_kind(nm))
                for j, nm in enumerate(names)
                if j not in pos.values()
            ],
            columns=["file", "column", "kind"],
        ),
        synthetic=g.synthetic,
        recognised_as="district roster",
    )
    return out


def _complete_roster(df: pd.DataFrame) -> pd.DataFrame:
    """Fill name, county and district type from the CDE directory; other missing
    columns stay missing."""
    d = district_directory().set_index("cd_code")
    out = df.copy()
    ids = out[C.DISTRICT_ID]
    known = ids.isin(d.index)
    for c, src in ((C.NAME, "district"), (C.COUNTY, "county")):
        fill = ids.map(d[src]).where(known, "")
        if c not in out:
            out[c] = fill
        else:
            out[c] = out[c].where(out[c].fillna("").astype(str).str.strip().ne(""), fill)
    typ = ids.map(d["doc"]).map(DOC_TYPE)
    if C.DISTRICT_TYPE not in out:
        out[C.DISTRICT_TYPE] = typ
    else:
        t = out[C.DISTRICT_TYPE].fillna("").astype(str).str.strip().str.lower()
        out[C.DISTRICT_TYPE] = t.where(t.ne(""), typ)
    if C.COHORT not in out:
        out[C.COHORT] = None
    for c in (C.ENROLLMENT, C.N_FAMILIES, C.PCT_EL, C.PCT_SED, C.PCT_SPANISH):
        if c not in out:
            out[c] = np.nan
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    out[C.COHORT] = out[C.COHORT].astype(object).where(out[C.COHORT].notna(), None)
    cols = [
        *ROSTER_COLUMNS,
        *[c for c in out.columns if c not in ROSTER_COLUMNS and c == C.SYNTHETIC],
    ]
    return out[cols]


def build_roster(district_ids) -> pd.DataFrame:
    """A roster of the given districts from the CDE directory: name, county and type
    filled, cohort unknown (None), enrollment and demographics missing."""
    ids = sorted({str(x) for x in district_ids if isinstance(x, str) and re.fullmatch(r"\d{7}", x)})
    df = pd.DataFrame({C.DISTRICT_ID: pd.Series(ids, dtype=object)})
    return _complete_roster(df)
