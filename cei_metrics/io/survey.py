"""One mapper from any survey-tool export to the canonical long ``survey`` table.

:func:`read_survey_export` reads Google Forms, SurveyMonkey (one- or two-row headers),
Qualtrics (three header rows; labels or numeric codes), SPSS ``.sav`` (value labels),
Excel and plain CSV exports (see :mod:`cei_metrics.io.exports`), matches each question
column to an item of the instrument by its text, maps each answer to its code through
the instrument's labels and the answer vocabularies, and returns one row per
respondent x wave x item.

Recognised columns (headers matched ignoring case, accents and punctuation; either half
of a bilingual header such as ``District / Distrito`` counts):

===================  ===========================================================================
field                accepted headers
===================  ===========================================================================
respondent id        Response ID, Respondent ID, ResponseId, Record ID, ID (none: made from file
                     and row, e.g. Google Forms)
district             District Code, District ID, District, CDS District, School District,
                     District Name, Distrito; 7-digit CD codes, 14-digit CDS codes or names
                     (see :mod:`cei_metrics.io.districts`); from the school's CDS code if absent
school               School Code, School ID, School CDS, CDS Code, School, Escuela (14-digit CDS
                     codes only: names are not kept)
language             Survey Language, Language, Idioma, UserLanguage, Q_Language (none: told from
                     the language of the answer labels)
date                 Start Date, StartDate, Timestamp, Date, Submitted, End Date, RecordedDate
wave                 Wave, Survey Wave (else ``wave<k>`` in the file name)
role                 Role, Respondent Role, I am a, Relationship to student, Soy
weight               Weight, Survey Weight, Sampling Weight
EL family            EL Family, English Learner Family, EL, English learner
low income           Low Income, SED Family, SED, Socioeconomically Disadvantaged
home language        Home Language, Language spoken at home, Idioma del hogar
===================  ===========================================================================

Every other column is dropped and listed by its name (kind ``pii`` for names, e-mails,
phones, addresses, IP addresses and locations; ``free_text`` for comments; ``metadata`` for
the tools' bookkeeping; ``unmapped`` for questions that are not items of the instrument).
No cell value of a dropped column, and no unrecognised answer, is ever echoed: reports
give the column, the rows and a category.

What happens to bad cells (reported, never silent):

- an answer that is not a label, a code or a variant in the vocabularies becomes missing
  (``missing_reason = "out_of_range"``), reported per column with its rows, count and
  category ("not a known label", "a number outside 1-5", "a label of the frequency scale");
- "Don't know", "No aplica" and "Prefer not to say" become missing with their reason;
- an unrecognised language becomes ``other``, a blank one ``und``; an unrecognised role
  ``other``; a flag that is not yes/no/blank/prefer-not-to-say becomes missing;
- a row whose district cannot be read (blank, not a code, a name that fits several
  districts) is rejected whole and reported with its row;
- a second row for the same respondent in the same wave is rejected (the first is kept).

With ``errors="raise"`` the first such problem raises a :class:`CEIError` instead.
Rows are numbered as a spreadsheet shows them: header = row 1 (see
:mod:`cei_metrics.io._tabular`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..errors import InstrumentError, SchemaError
from ..instruments import Instrument, load_instrument
from ..schemas import TEXT_COLUMNS, C
from ._freetext import (
    NAMES_ATTR,
    TEXT_ATTR,
    comment_kind,
    name_columns,
    names_in,
    open_question_columns,
    question_id,
    scrub_rows,
)
from ._text import school_year_of_dates
from .dates import parse_dates, school_year_keys
from .districts import resolve_districts
from .exports import (
    WideExport,
    match_questions,
    plan_duplicate_items,
    question_keys,
    read_wide_export,
)

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

from .vocab import (
    answer_lookup,
    classify_unrecognised,
    label_languages,
    lookup_answer,
    map_vocabulary,
    vocab_key,
)

__all__ = [
    "FREE_TEXT_ALIASES",
    "LANGUAGES",
    "PII_ALIASES",
    "ReadReport",
    "SurveyRead",
    "read_survey_export",
]

RESPONDENT = (
    "Response ID",
    "Respondent ID",
    "ResponseId",
    "RespondentId",
    "Record ID",
    "Case ID",
    "ID",
    "Participant ID",
)
DISTRICT = (
    "District Code",
    "District ID",
    "District",
    "CDS District",
    "District CDS",
    "School District",
    "District Name",
    "Distrito",
    "Distrito escolar",
    "Your district",
    "Your school district",
)
SCHOOL = ("School Code", "School ID", "School CDS", "CDS Code", "School", "School Name", "Escuela")
LANGUAGE = (
    "Survey Language",
    "Language",
    "Idioma",
    "Language of response",
    "UserLanguage",
    "Q_Language",
    "Idioma de la encuesta",
)
DATE = (
    "Start Date",
    "StartDate",
    "Timestamp",
    "Marca temporal",
    "Date",
    "Submitted",
    "Submitted At",
    "Date Submitted",
    "End Date",
    "EndDate",
    "Recorded Date",
    "RecordedDate",
    "Fecha",
)
WAVE = ("Wave", "Survey Wave", "Ola")
ROLE = ("Role", "Respondent Role", "I am a", "I am", "Relationship to student", "Soy", "Rol")
WEIGHT = ("Weight", "Survey Weight", "Sampling Weight")
EL = ("EL Family", "English Learner Family", "EL", "English learner", "Familia EL")
SED = (
    "Low Income",
    "SED Family",
    "Socioeconomically Disadvantaged",
    "SED",
    "Low-income family",
    "Bajos ingresos",
)
HOME_LANGUAGE = ("Home Language", "Language spoken at home", "Idioma del hogar", "Home language")

#: Header words that mark personally identifying information (folded with vocab_key).
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
_PII_WORDS = (
    "email",
    "correo",
    "phone",
    "telefono",
    "cell",
    "mobile",
    "name",
    "nombre",
    "apellido",
    "address",
    "direccion",
    "street",
    "ipaddress",
    "latitude",
    "longitude",
    "location",
    "recipient",
    "externalreference",
    "externaldatareference",
    "customdata",
    "zip",
    "birth",
)
FREE_TEXT_ALIASES = (
    "comments",
    "comment",
    "other please specify",
    "notes",
    "feedback",
    "comentarios",
    "otro especifique",
)
_META_KEYS = {
    vocab_key(x)
    for x in (
        "Collector ID",
        "Status",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "DistributionChannel",
        "Score",
        "ResponseSet",
        "End Date",
        "EndDate",
        "RecordedDate",
        "Recorded Date",
    )
}

_QUESTION_WORDS = {
    "district": ("district", "distrito"),
    "el": ("englishlearner", "elfamily", "aprendizdeingles", "aprendicesdeingles"),
    "sed": ("lowincome", "bajosingresos", "freeorreducedpricemeal", "freereducedmeal"),
    "lang": ("surveylanguage", "languageofthesurvey", "idiomadelaencuesta"),
}
_NOT_WORDS = {"district": ("districtcode",)}

#: The event a response of event feedback belongs to (instruments of kind event_feedback).
EVENT = (
    "Convening",
    "Convening Date",
    "Convening date",
    "Session",
    "Session Date",
    "Event",
    "Event Date",
    "Convocatoria",
    "Fecha de la convocatoria",
    "Sesion",
    "Evento",
)


#: Kept for compatibility: language label -> ISO 639-1 code (see vocabularies/languages.yaml).
LANGUAGES = {"english": "en", "spanish": "es", "espanol": "es", "ingles": "en"}


@dataclass(frozen=True)
class ReadReport:
    """What a reader found in one file, kept in ``df.attrs["read"]``.

    Positions and categories only: no cell value of the file appears here.
    """

    rows_read: int
    rows_kept: int
    rejected: pd.DataFrame  # file, row, column, reason (rows rejected whole)
    repaired: pd.DataFrame  # file, row, column, reason (cells made missing or mapped)
    dropped_columns: pd.DataFrame  # file, column, kind
    synthetic: bool
    recognised_as: str = ""
    matched: str = ""  # "12 of 12 questions matched; unmatched columns: ..."
    unrecognised: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # column, category, rows, count
    districts: pd.DataFrame = field(default_factory=pd.DataFrame)  # how each district was read
    notes: tuple[str, ...] = ()


SurveyRead = ReadReport  # earlier name

_REP = ["file", "row", "column", "reason"]

#: More columns than this and a file is not a survey export (a transposed table, say).
MAX_COLUMNS = 20_000
#: Dropped columns listed by name in a report; more are counted by kind.
MAX_LISTED = 200


def find_col(
    names: list[str], aliases: tuple[str, ...], skip: set[int] = frozenset()
) -> int | None:
    """Position of the first column whose header (or one half of a bilingual header)
    equals one of ``aliases`` after folding."""
    keys = [question_keys(n) for n in names]
    for a in aliases:
        ak = vocab_key(a)
        for j, ks in enumerate(keys):
            if j not in skip and ak in ks:
                return j
    return None


def _rows_text(rows: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def _matched_text(match, dropped: list[tuple]) -> str:
    """ "12 of 12 questions matched; unmatched columns: ..." (question-like columns only)."""
    found = len(set(match.items.values()))
    text = f"{found} of {match.n_items} questions matched"
    un = [c for _, c, kind in dropped if kind == "unmapped"]
    if un:
        shown = ", ".join(repr(u[:60]) for u in un[:8])
        more = f" and {len(un) - 8} more" if len(un) > 8 else ""
        text += f"; unmatched columns: {shown}{more}"
    return text


def _drop_kind(name: str) -> str:
    k = vocab_key(name)
    ks = question_keys(name)
    if any(vocab_key(a) in ks for a in PII_ALIASES) or any(w in k for w in _PII_WORDS):
        return "pii"
    if any(vocab_key(a) in ks for a in FREE_TEXT_ALIASES) or "specify" in k or "especifique" in k:
        return "free_text"
    if k in _META_KEYS:
        return "metadata"
    return "unmapped"


class _Collector:
    """Collects rejections, repairs and categorised problems of one file."""

    def __init__(self, path: Path, errors: str):
        self.path = path
        self.errors = errors
        self.rejected: list[tuple] = []
        self.repaired: list[tuple] = []
        self.unrecognised: list[tuple] = []
        self.notes: list[str] = []

    def reject(self, rows: list[int], column: str, reason: str, fix: str) -> None:
        if not rows:
            return
        if self.errors == "raise":
            raise SchemaError(reason, file=self.path, row=rows[0], column=column, fix=fix)
        self.rejected.extend((str(self.path), r, column, reason) for r in rows)

    def unknown(self, rows: list[int], column: str, category: str, what: str, fix: str) -> None:
        if not rows:
            return
        reason = f"unrecognised {what} ({category}) set missing"
        if self.errors == "raise":
            raise SchemaError(
                f"unrecognised {what} ({category})",
                file=self.path,
                row=rows[0],
                column=column,
                fix=fix,
            )
        self.repaired.extend((str(self.path), r, column, reason) for r in rows)
        self.unrecognised.append((column, what, category, _rows_text(rows), len(rows)))


def _read_flag(
    cells: pd.Series, col: _Collector, rows: np.ndarray, keep: np.ndarray, column: str, label: str
) -> pd.Series:
    """A yes/no column (EL family, low income) as nullable booleans: blanks and "Prefer not
    to say" are missing; any other label is reported to ``col`` and set missing."""
    mapped, _, unknown = map_vocabulary(cells, "flags")
    col.unknown(
        rows[unknown.to_numpy() & keep].tolist(),
        column,
        "not yes, no, blank or prefer not to say",
        f"{label} value",
        "write Yes or No (Sí/No); blanks and 'Prefer not to say' are read as missing",
    )
    out = pd.Series(pd.NA, index=cells.index, dtype="boolean")
    out[mapped.eq("true").fillna(False).to_numpy()] = True
    out[mapped.eq("false").fillna(False).to_numpy()] = False
    return out


def _events(
    f: pd.DataFrame,
    meta: dict,
    names: list[str],
    dates: pd.Series,
    rows: np.ndarray,
    keep: np.ndarray,
    col: _Collector,
    year: str,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The event of each response of event feedback: (event ids, event dates, school years).

    A ``Convening`` column (see :data:`EVENT`) holding a date gives the event's day
    (``"2019-08-29"``); holding a name ("Convening 3"), its folded name, dated by the most
    common response day of its rows. Without the column, or where it is blank, the day of
    the response stands for the event. A response with neither is rejected.
    """
    day = dates.dt.normalize()
    ev = pd.Series("", index=f.index, dtype=object)
    ev_date = pd.Series(pd.NaT, index=f.index, dtype="datetime64[ns]")
    if meta["event"] is not None:
        raw = f[meta["event"]].astype(str).str.strip()
        dp = parse_dates(raw)
        dated = dp.values.notna()
        ev_date[dated] = dp.values[dated].dt.normalize()
        labels = raw.where(~dated & raw.ne(""), "")
        slug = labels.str.lower().str.replace(r"[^\w]+", "-", regex=True).str.strip("-").str[:40]
        for lab in pd.unique(slug[slug.ne("")]):
            m = slug.eq(lab)
            d = day[m].dropna()
            ev_date[m] = d.mode().iat[0] if len(d) else pd.NaT
            ev[m] = lab
        ev[dated] = ev_date[dated].dt.strftime("%Y-%m-%d")
    blank = ev.eq("")
    from_day = blank & day.notna()
    ev_date[from_day] = day[from_day]
    ev[from_day] = day[from_day].dt.strftime("%Y-%m-%d")
    missing = (ev.eq("")).to_numpy() & keep
    col.reject(
        rows[missing].tolist(),
        names[meta["event"]] if meta["event"] is not None else "Convening",
        "no convening named and no response date to tell it by",
        "write the convening's date (or name) in a Convening column",
    )
    years = school_year_of_dates(ev_date).fillna(year)
    return ev, ev_date, years


def read_survey_export(
    path: str | Path,
    instrument: str | Path | Instrument = "family_engagement",
    *,
    wave: int | None = None,
    year: str | None = None,
    role: str | None = None,
    errors: Literal["report", "raise"] = "report",
    export: WideExport | None = None,
) -> pd.DataFrame:
    """Read a survey tool's export into the canonical long ``survey`` table.

    Parameters
    ----------
    path : the exported file: CSV/TSV (any encoding, delimiter and line ending), Excel
        ``.xlsx`` or SPSS ``.sav``, in any shape listed in :mod:`cei_metrics.io.exports`.
    instrument : the instrument the survey used: a shipped name, a YAML path or an
        :class:`~cei_metrics.instruments.Instrument`.
    wave : survey wave number; by default a ``Wave`` column, else ``wave<k>`` in the file
        name, else wave 1 (``ingest`` then numbers such files by school year).
    year : school year of the wave ("2019-20"); by default the school year of the most
        common response date (California time).
    role : respondent role; by default a ``Role`` column, else the instrument's role.
    errors : "report" repairs or rejects bad rows and cells and reports them in
        ``df.attrs["read"]`` (a :class:`ReadReport`); "raise" raises on the first problem.
    export : an already-read :class:`~cei_metrics.io.exports.WideExport` of ``path``.

    Returns
    -------
    DataFrame with the canonical survey columns (ids as in the file, or made from file
    and row: ingest hashes them), plus ``weight``, ``el_family``, ``sed_family`` and
    ``home_language`` when the export has them.

    Examples
    --------
    >>> df = read_survey_export("family_survey_wave1.csv")  # doctest: +SKIP
    >>> print(df.attrs["read"].matched)  # doctest: +SKIP
    12 of 12 questions matched
    """
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    wx = export if export is not None else read_wide_export(path)
    plan = plan_survey(wx, inst, wave=wave, role=role)
    col = _Collector(wx.path, errors)
    state = MapState()
    out = map_survey_chunk(
        plan, wx.frame, np.asarray(wx.row_numbers, dtype=np.int64), col, state, year=year
    )
    text = survey_text(plan, state)
    report = survey_report(plan, col, state, notes=wx.notes, synthetic=wx.synthetic)
    out.attrs["read"] = report
    out.attrs[TEXT_ATTR] = text
    out.attrs[NAMES_ATTR] = list(state.names)
    out.attrs["synthetic"] = wx.synthetic
    out.attrs["source"] = str(plan.path)
    out.attrs["wave_from"] = plan.wave_from
    return out


@dataclass
class SurveyPlan:
    """What the header of an export decides, once per file: which column holds what,
    which question each column is, which columns are dropped and why."""

    inst: Instrument
    path: Path
    names: list[str]
    meta: dict[str, int | None]
    match: object
    item_col: dict[str, int]
    merges: list[tuple[int, int, str]]  # (kept column, other language's column, item)
    dropped: list[tuple]
    wave: int | None
    wave_from: str
    role: str | None
    timezone: str | None
    header_rows: int
    tool_name: str
    notes: list[str] = field(default_factory=list)
    text_cols: dict[int, tuple[str, str]] = field(default_factory=dict)  # open questions
    person_cols: list[int] = field(default_factory=list)  # name columns (read for scrubbing)

    def colname(self, key: str) -> str:
        j = self.meta[key]
        return self.names[j] if j is not None else ""


@dataclass
class MapState:
    """What mapping carries from one batch of a file to the next."""

    rows_read: int = 0
    rows_kept: int = 0
    batched: bool = False  # the file is read in batches
    seen: np.ndarray = field(  # sorted (id, wave) hashes of earlier batches
        default_factory=lambda: np.zeros(0, dtype=np.uint64)
    )
    districts: dict = field(default_factory=dict)  # (text, code, name, how) -> rows
    date_evidence: tuple[bool, bool, int] | None = None  # whole-file day/month evidence
    # a file read in batches: the date notes and the unreadable date texts of the file
    date_read: tuple[tuple[str, ...], frozenset[str]] | None = None
    noted: set = field(default_factory=set)  # notes already made (one per file)
    merged: set = field(default_factory=set)
    text_parts: list = field(default_factory=list)  # open answers, per batch
    names: dict = field(default_factory=dict)  # names seen in name columns (ordered)
    lookup: dict | None = None  # the instrument's answer labels (see answer_lookup)


def plan_survey(
    wx: WideExport, inst: Instrument, *, wave: int | None = None, role: str | None = None
) -> SurveyPlan:
    """The header-level decisions for an export (see :class:`SurveyPlan`)."""
    fpath = wx.path
    names = wx.names
    if len(names) > MAX_COLUMNS:
        raise SchemaError(
            f"the file has {len(names):,} columns, more than a survey export has (at most "
            f"{MAX_COLUMNS:,} are read)",
            file=fpath,
            row=1,
            fix="check it is the export itself (not a transposed table); remove unneeded "
            "columns in the survey tool before exporting",
        )
    meta: dict[str, int | None] = {}
    used: set[int] = set()
    for key, aliases in (
        ("rid", RESPONDENT),
        ("district", DISTRICT),
        ("school", SCHOOL),
        ("lang", LANGUAGE),
        ("date", DATE),
        ("wave", WAVE),
        ("role", ROLE),
        ("weight", WEIGHT),
        ("el", EL),
        ("sed", SED),
        ("home", HOME_LANGUAGE),
        ("event", EVENT if inst.per_event else ()),
    ):
        j = find_col(names, aliases, used)
        meta[key] = j
        if j is not None:
            used.add(j)
    match = match_questions(wx, inst, skip=used, path=fpath)
    # questions about the district, EL status or income that are not items
    # ("Which school district is your child in?")
    for key, words in _QUESTION_WORDS.items():
        if meta[key] is not None:
            continue
        for j, name in enumerate(names):
            if j in used or j in match.items:
                continue
            k = vocab_key(" ".join([name, *(wx.texts[j] if j < len(wx.texts) else [])]))
            if any(w in k for w in words) and not any(w in k for w in _NOT_WORDS.get(key, ())):
                meta[key] = j
                used.add(j)
                break
    if not match.items:
        raise InstrumentError(
            f"no column matches a question of instrument {inst.name!r} ({match.summary()})",
            file=fpath,
            row=wx.header_rows,
            fix="use the instrument's question texts (any language, numbering allowed) or "
            "item ids as headers, or choose the right instrument with --instrument",
        )
    item_col, merges = plan_duplicate_items(wx, match, fpath)
    open_cols = open_question_columns(names, wx.texts, inst, skip=used | set(match.items))
    person_cols = name_columns(names, skip=used | set(match.items) | set(open_cols))
    text_cols: dict[int, tuple[str, str]] = {}  # position -> (question id, question text)
    dropped = []
    for j, name in enumerate(names):
        if j in used or j in match.items:
            continue
        kind = _drop_kind(name)
        if j in open_cols:
            kind = "free_text"
            text_cols[j] = (open_cols[j], name or open_cols[j])
        elif j in person_cols:
            kind = "pii"
        elif kind != "pii" and (kind == "free_text" or comment_kind(name)):
            kind = "free_text"
            text_cols[j] = (question_id(name, j), name)
        dropped.append((str(fpath), name or f"column {j + 1}", kind))
    if meta["district"] is None and meta["school"] is None:
        raise SchemaError(
            "no district column (and no school CDS codes to take the district from)",
            file=fpath,
            row=1,
            column=DISTRICT[0],
            fix=f"add a column named one of {list(DISTRICT[:4])} holding 7-digit CD codes, "
            "14-digit CDS codes or district names",
        )
    wave_from = "event" if inst.per_event else "argument"
    if wave is None and not inst.per_event:
        if meta["wave"] is not None:
            wave_from = "column"
        else:
            m = re.search(r"(?:wave|ola)[ _-]?(\d+)", fpath.stem, re.IGNORECASE)
            if m:
                wave, wave_from = int(m.group(1)), "file name"
            else:
                wave, wave_from = 1, "default"
    notes = []
    if meta["rid"] is None:
        notes.append("no respondent id column: each row's id is made from file and row")
    if meta["lang"] is None:
        notes.append(
            "no language column: each respondent's language told from the language of their "
            "answer labels"
        )
    return SurveyPlan(
        inst=inst,
        path=fpath,
        names=names,
        meta=meta,
        match=match,
        item_col=item_col,
        merges=merges,
        dropped=dropped,
        wave=wave,
        wave_from=wave_from,
        role=role,
        timezone=wx.timezone,
        header_rows=wx.header_rows,
        tool_name=wx.tool_name,
        notes=notes,
        text_cols=text_cols,
        person_cols=list(person_cols),
    )


def survey_year(plan: SurveyPlan, dates: pd.Series, fallback_name: str | None = None) -> str:
    """School year of a survey file: that of its most common response date (California
    time), else one written in the file name."""
    start = (dates.dt.year - (dates.dt.month < 7)).dropna()  # the school year's first year
    if not start.empty:
        y0 = int(start.mode().iat[0])  # the earliest of equally common years
        return f"{y0}-{(y0 + 1) % 100:02d}"
    stem = fallback_name or plan.path.stem
    m = re.search(r"(20\d\d)[-_](\d\d)(?!\d)", stem)
    if m and (int(m.group(1)) + 1) % 100 == int(m.group(2)):
        return f"{m.group(1)}-{m.group(2)}"
    raise SchemaError(
        "the school year of the survey cannot be told: no readable response dates",
        file=plan.path,
        column=plan.colname("date") or DATE[0],
        fix="include the tool's date column (Timestamp, Start Date), put the school "
        'year in the file name ("family_survey_2023-24.csv"), or pass year="YYYY-YY"',
    )


def map_survey_chunk(
    plan: SurveyPlan,
    f: pd.DataFrame,
    rows: np.ndarray,
    col: _Collector,
    state: MapState,
    *,
    year: str | None = None,
    id_hash=None,
    as_arrow: bool = False,
) -> pd.DataFrame | pa.Table:
    """Map the rows ``f`` (text cells, columns by position; ``rows`` their spreadsheet
    row numbers) of an export planned by :func:`plan_survey` to the long survey table.

    A file read whole is one chunk; a large file is mapped batch by batch with the same
    ``col`` and ``state`` (repeated respondents are found across batches), and its
    ``year`` given (decided from every batch's dates first). ``id_hash`` replaces the
    respondent ids (once per respondent, before the table repeats them per item).
    ``as_arrow`` returns the table as Arrow, its text columns dictionary-encoded (each
    respondent's cells stored once: for writing to parquet)."""
    inst, fpath, meta = plan.inst, plan.path, plan.meta
    colname = plan.colname
    n = len(f)
    state.rows_read += n
    for first, other, iid in plan.merges:
        both = (f[first].str.strip().ne("") & f[other].str.strip().ne("")).to_numpy()
        if both.any():
            a, b = plan.names[first], plan.names[other]
            raise InstrumentError(
                f"two columns hold item {iid!r}: column {first + 1} {a[:60]!r} and "
                f"column {other + 1} {b[:60]!r} (both are answered in {int(both.sum())} "
                "row(s))",
                file=fpath,
                row=1,
                column=b[:80],
                fix="remove or rename the repeated question column in the export "
                "(a second copy of a question is never dropped silently)",
            )
        fill = f[first].str.strip().eq("")
        f.loc[fill, first] = f.loc[fill, other]
        if (first, other) not in state.merged:
            state.merged.add((first, other))
            plan.notes.append(
                f"columns {first + 1} and {other + 1} are two language versions of item "
                f"{iid!r}, merged"
            )

    state.names.update(dict.fromkeys(names_in(f, plan.person_cols)))
    keep = np.ones(n, dtype=bool)
    # respondent ids
    if meta["rid"] is not None:
        rid = f[meta["rid"]].str.strip()
        blank = rid.eq("").to_numpy()
        col.reject(
            rows[blank].tolist(),
            colname("rid"),
            "blank respondent id",
            "fill in the respondent id",
        )
        keep &= ~blank
    else:
        rid = pd.Series([f"{fpath.name}#row{r}" for r in rows], index=f.index, dtype=object)

    # schools: 14-digit CDS codes only
    school = pd.Series("", index=f.index, dtype=object)
    if meta["school"] is not None:
        # cleaned once per distinct cell, then gathered back to the rows
        s_codes, s_uniq = pd.factorize(f[meta["school"]], use_na_sentinel=False)
        u = pd.Series(s_uniq, dtype=object).fillna("").astype(str).str.strip()
        u = u.str.replace(r"[\s-]", "", regex=True).str.replace(r"\.0+$", "", regex=True)
        raw_school = pd.Series(u.to_numpy(dtype=object)[s_codes], index=f.index, dtype="str")
        ok = pd.Series(u.str.fullmatch(r"\d{14}").to_numpy(dtype=bool)[s_codes], index=f.index)
        school = raw_school.where(ok, "")
        bad = (~ok & raw_school.ne("")).to_numpy()
        if bad.any():
            col.notes.append(
                f"column {colname('school')!r}: {int(bad.sum())} cell(s) are not 14-digit CDS "
                f"codes (rows {_rows_text(rows[bad].tolist())}); school left blank there "
                "(school names are not kept: give CDS codes)"
            )
    # districts
    if meta["district"] is not None:
        dcol = f[meta["district"]]
        codes, lookups = resolve_districts(dcol)
        from_school = school.str[:7].where(school.ne(""), None)
        blank_d = dcol.str.strip().eq("")
        codes = codes.where(~(blank_d & from_school.notna()), from_school)
        for text, lk in lookups.items():
            mask = (dcol.astype(str) == text).to_numpy() & keep
            if not mask.any():
                continue
            if lk.code is None:
                if not text.strip() and from_school[mask].notna().all():
                    continue
                bad = mask & codes.isna().to_numpy()
                col.reject(rows[bad].tolist(), colname("district"), lk.problem, lk.fix)
            elif lk.how in ("name", "approximate name"):
                key = (text, lk.code, lk.name, lk.how)
                state.districts[key] = state.districts.get(key, 0) + int(mask.sum())
            elif not lk.name:
                key = ("(code)", lk.code, "not in the CDE directory", lk.how)
                state.districts[key] = state.districts.get(key, 0) + int(mask.sum())
        keep &= codes.notna().to_numpy()
        dist = codes.fillna("")
    else:
        dist = school.str[:7]
        bad = dist.eq("").to_numpy() & keep
        col.reject(
            rows[bad].tolist(),
            colname("school"),
            "no district: the school is not a 14-digit CDS code",
            "add a District column or give schools as 14-digit CDS codes",
        )
        keep &= ~bad

    # dates and the school year
    if meta["date"] is not None:
        if state.date_read is not None and year is not None and not inst.per_event:
            # a file read in batches: every distinct date was read before the first
            # batch (for the school year), and only the year is kept from them
            date_notes, bad_texts = state.date_read
            unreadable = pd.Series(
                f[meta["date"]].isin(bad_texts).to_numpy() if bad_texts else np.zeros(n, bool),
                index=f.index,
            )
            dates = pd.Series(pd.NaT, index=f.index, dtype="datetime64[ns]")
        else:
            dp = parse_dates(f[meta["date"]], source_tz=plan.timezone, evidence=state.date_evidence)
            dates, date_notes, unreadable = dp.values, dp.notes, dp.unreadable
        for t in date_notes:
            if t not in state.noted:
                state.noted.add(t)
                col.notes.append(f"column {colname('date')!r}: {t}")
        if unreadable.any():
            col.notes.append(
                f"column {colname('date')!r}: {int(unreadable.sum())} date(s) not readable "
                f"(rows {_rows_text(rows[unreadable.to_numpy()].tolist())})"
            )
    else:
        dates = pd.Series(pd.NaT, index=f.index, dtype="datetime64[ns]")
    if year is None:
        kept_dates = dates[keep]
        if inst.per_event and meta["event"] is not None and kept_dates.dropna().empty:
            kept_dates = parse_dates(f[meta["event"]]).values[keep]
        year = survey_year(plan, kept_dates)

    # the event of each response (event feedback): a Convening column, else the response day
    events = None
    if inst.per_event:
        events, ev_dates, ev_years = _events(f, meta, plan.names, dates, rows, keep, col, year)
        keep &= events.ne("").to_numpy()

    # wave
    if events is not None:  # convenings numbered in date order
        order = (
            pd.DataFrame({"e": events, "d": ev_dates})[keep]
            .drop_duplicates("e")
            .sort_values(["d", "e"], na_position="last")["e"]
            .tolist()
        )
        pos = {e: i + 1 for i, e in enumerate(order)}
        waves = events.map(pos).fillna(0).astype(np.int64).to_numpy()
    elif plan.wave is None:
        w = pd.to_numeric(f[meta["wave"]].str.extract(r"(\d+)")[0], errors="coerce")
        badw = (w.isna() | (w < 1)).to_numpy() & keep
        col.reject(
            rows[badw].tolist(),
            colname("wave"),
            "the wave is not a whole number from 1",
            "write the wave number (1, 2, ...)",
        )
        keep &= ~badw
        waves = w.fillna(0).astype(np.int64).to_numpy()
    else:
        waves = np.full(n, int(plan.wave), dtype=np.int64)

    # repeated respondents within a wave (within this batch, then against earlier ones)
    if state.batched:  # (id, wave) as 64-bit hashes, looked up in earlier batches' sorted hashes
        pairs = pd.DataFrame({"r": rid.to_numpy(), "w": waves})
        pair = pair_hash = pd.util.hash_pandas_object(pairs, index=False).to_numpy()
    else:  # one integer per (id, wave)
        r_codes, _ = pd.factorize(rid)
        w_codes, w_uniq = pd.factorize(waves)
        pair = r_codes.astype(np.int64) * max(len(w_uniq), 1) + w_codes
    dup = np.zeros(n, dtype=bool)
    dup[keep] = pd.Index(pair[keep]).duplicated(keep="first")
    if state.batched:
        earlier = state.seen
        if len(earlier):
            pos = np.searchsorted(earlier, pair_hash).clip(max=len(earlier) - 1)
            dup |= (earlier[pos] == pair_hash) & keep
    col.reject(
        rows[dup].tolist(),
        colname("rid") or "row",
        "repeated respondent in this wave (the first row is kept)",
        "remove the repeated row from the export",
    )
    keep &= ~dup
    if state.batched and keep.any():  # a file read in batches: remember who was read
        new = np.sort(pair_hash[keep])  # merged into the one sorted array (linear)
        state.seen = np.insert(state.seen, np.searchsorted(state.seen, new), new)

    # answers: each column's distinct labels mapped once
    if state.lookup is None:  # once per file
        state.lookup = answer_lookup(inst)
    lookup = state.lookup
    label_lang = label_languages()
    items = list(plan.item_col)
    k = len(items)
    values = np.full((n, k), np.nan)
    # missing reasons as small integer codes into reason_ids ("" = answered)
    reason_ids: dict[str, int] = {"": 0}
    reasons = np.zeros((n, k), dtype=np.int32)
    lang_votes = {"en": np.zeros(n), "es": np.zeros(n)}
    for jj, iid in enumerate(items):
        j = plan.item_col[iid]
        cells = f[j]
        codes_, uniq = pd.factorize(cells, use_na_sentinel=False)
        code_of = np.full(len(uniq), np.nan)
        reason_of = np.zeros(len(uniq), dtype=np.int32)
        cat_of: dict[int, str] = {}
        for i_u, u in enumerate(uniq):
            hit = lookup_answer(u, lookup, inst.points)
            if hit is None:
                reason_of[i_u] = reason_ids.setdefault("out_of_range", len(reason_ids))
                cat_of[i_u] = classify_unrecognised(u, inst.points)
            else:
                code_of[i_u] = np.nan if hit[0] is None else float(hit[0])
                reason_of[i_u] = reason_ids.setdefault(hit[1], len(reason_ids))
            if meta["lang"] is None:  # no language column: the answers' language votes
                langs = label_lang.get(vocab_key(u), frozenset())
                for lg in lang_votes:
                    if lg in langs and len(langs) == 1:
                        lang_votes[lg] += codes_ == i_u
        values[:, jj] = code_of[codes_]
        reasons[:, jj] = reason_of[codes_]
        bad = (reasons[:, jj] == reason_ids.get("out_of_range", -1)) & keep
        if bad.any():
            cats = np.array([cat_of[c] for c in codes_[bad]], dtype=object)
            for cat in pd.unique(cats):
                m = bad.copy()
                m[bad] = cats == cat
                col.unknown(
                    rows[m].tolist(),
                    plan.names[j],
                    cat,
                    "answer label",
                    f"map the label in the instrument YAML (response_labels or missing_labels) "
                    f"or correct the cell; item {iid!r}",
                )

    # language of the survey
    if meta["lang"] is not None:
        lang, blank, unknown = map_vocabulary(f[meta["lang"]], "languages", other="other")
        lang = lang.fillna("und")
        if unknown.any():
            col.notes.append(
                f"column {colname('lang')!r}: {int(unknown.sum())} language(s) not in the "
                f"vocabulary recorded as 'other' (rows {_rows_text(rows[unknown.to_numpy()].tolist())})"
            )
    else:
        en, es = lang_votes["en"], lang_votes["es"]
        lang = pd.Series(np.where(es > en, "es", np.where(en > es, "en", "und")), index=f.index)

    def flag(key: str, label: str) -> pd.Series | None:
        if meta[key] is None:
            return None
        return _read_flag(f[meta[key]], col, rows, keep, colname(key), label)

    el = flag("el", "EL family")
    sed = flag("sed", "low income")

    if plan.role is not None:
        roles = pd.Series(plan.role, index=f.index)
    elif meta["role"] is not None:
        roles, blank, unknown = map_vocabulary(f[meta["role"]], "roles", other="other")
        roles = roles.fillna(inst.role or "other")
        if unknown.any():
            col.notes.append(
                f"column {colname('role')!r}: {int(unknown.sum())} role(s) not in the vocabulary "
                "recorded as 'other'"
            )
    else:
        roles = pd.Series(inst.role or "family", index=f.index)

    idx = np.flatnonzero(keep)
    m = len(idx)
    state.rows_kept += m
    rid_raw = rid  # the text table's ids are hashed with every text row, at ingest
    if id_hash is not None:
        rid = id_hash(rid)
    # one value per kept respondent; the long table repeats each once per item
    per: dict[str, object] = {
        C.RESPONDENT_ID: _kept(rid, idx),
        C.WAVE: waves[idx].astype(np.int64),
        C.YEAR: year if events is None else _kept(ev_years, idx),
        C.DISTRICT_ID: _kept(dist, idx),
        C.SCHOOL_ID: _kept(school, idx),
        C.ROLE: _kept(roles, idx),
        C.LANGUAGE: _kept(lang, idx),
        C.INSTRUMENT: inst.name,
    }
    extra: dict[str, object] = {}
    if meta["weight"] is not None:
        w = pd.to_numeric(f[meta["weight"]].str.replace(",", "."), errors="coerce")
        badw = (~(w > 0) | ~np.isfinite(w)).to_numpy() & keep
        if badw.any():
            r = int(rows[badw][0])
            raise SchemaError(
                f"{int(badw.sum())} weight(s) are missing, zero, negative, infinite or not "
                f"numbers (rows {_rows_text(rows[badw].tolist())})",
                file=fpath,
                row=r,
                column=colname("weight"),
                fix="give every respondent a positive sampling weight, or drop the weight column",
            )
        extra[C.WEIGHT] = w.to_numpy(dtype=float)[idx]
    if el is not None:
        extra[C.EL_FAMILY] = pd.array(el.to_numpy()[idx], dtype="boolean")
    if sed is not None:
        extra[C.SED_FAMILY] = pd.array(sed.to_numpy()[idx], dtype="boolean")
    if meta["home"] is not None:
        home, _, _ = map_vocabulary(f[meta["home"]], "languages", other="other")
        extra[C.HOME_LANGUAGE] = _kept(home.fillna("und"), idx)
    if events is not None:
        extra[C.EVENT_ID] = _kept(events, idx)
        extra[C.DATE] = ev_dates.to_numpy()[idx]
    long = LongParts(per, items, values[idx], reasons[idx], list(reason_ids), extra)
    out = long.to_arrow() if as_arrow else long.to_frame()

    # free text: open questions and comment columns, kept apart (the text table)
    for j, (qid, qtext) in plan.text_cols.items():
        cells = f[j].astype(str).str.strip()
        has = (cells.ne("") & pd.Series(keep, index=f.index)).to_numpy()
        if not has.any():
            continue
        part = pd.DataFrame(
            {
                C.RESPONDENT_ID: rid_raw.to_numpy()[has],
                C.WAVE: waves[has],
                C.YEAR: year if events is None else ev_years.to_numpy()[has],
                C.DISTRICT_ID: dist.to_numpy()[has],
                C.SCHOOL_ID: school.to_numpy()[has],
                C.ROLE: roles.to_numpy()[has],
                C.LANGUAGE: lang.to_numpy()[has],
                C.INSTRUMENT: inst.name,
                C.QUESTION_ID: qid,
                C.QUESTION: qtext,
                C.TEXT: cells.to_numpy()[has],
            }
        )
        if events is not None:
            part[C.EVENT_ID] = events.to_numpy()[has]
            part[C.DATE] = ev_dates.to_numpy()[has]
        state.text_parts.append(part)
    return out


def _kept(values, idx: np.ndarray) -> pa.Array:
    """The kept rows' cells of a per-row column, as an Arrow text array (gathered by
    pyarrow: no Python object made per row)."""
    import pyarrow as pa

    if isinstance(values, pd.Series):
        arr = pa.array(values.astype(str).array if values.dtype != "str" else values.array)
    else:
        arr = pa.array([str(v) for v in values], type=pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.take(pa.array(idx, type=pa.int64()))


@dataclass
class LongParts:
    """A mapped batch before it is made long: one value per kept respondent (``per`` and
    ``extra``: arrays of length m, or one text for all), the m x k answer codes
    ``values`` and missing-reason codes ``reasons`` (indices into ``reason_values``).

    :meth:`to_arrow` gives the long table (m x k rows, respondent by respondent, items in
    order) with each text column dictionary-encoded -- a respondent's id is stored once,
    not once per item -- and :meth:`to_frame` the same table in pandas."""

    per: dict[str, object]
    items: list[str]
    values: np.ndarray
    reasons: np.ndarray
    reason_values: list[str]
    extra: dict[str, object] = field(default_factory=dict)

    def _columns(self, encoded: bool = True) -> dict:
        """The long table's columns as Arrow arrays; text dictionary-encoded, or (for
        pandas) gathered to one text per row by two threads."""
        import pyarrow as pa

        m, k = self.values.shape
        n = m * k
        TEXT = pa.large_string()  # pandas' own text type: decoded without a copy
        cols: dict[str, object] = {}
        rep = None  # each respondent's position, once per item

        def text(v):
            nonlocal rep
            if isinstance(v, str):
                if not encoded:
                    return lambda: _repeat_text(v, n)
                return pa.DictionaryArray.from_arrays(
                    pa.array(np.zeros(n, dtype=np.int32)), pa.array([v], type=TEXT)
                )
            if not encoded:
                if rep is None:
                    rep = pa.array(np.repeat(np.arange(m, dtype=np.int64), k))
                return lambda: v.cast(TEXT).take(rep)
            enc = v.dictionary_encode()
            return pa.DictionaryArray.from_arrays(
                pa.array(np.repeat(enc.indices.to_numpy().astype(np.int32), k)),
                enc.dictionary.cast(TEXT),
            )

        def coded(codes: np.ndarray, labels: list[str]):
            if not encoded:
                return lambda: pa.array(labels, TEXT).take(pa.array(codes))
            return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(labels, TEXT))

        for name, v in {**self.per, **self.extra}.items():
            if isinstance(v, str | pa.Array):
                cols[name] = text(v)
            elif isinstance(v, pd.api.extensions.ExtensionArray):  # nullable booleans
                cols[name] = pa.array(
                    np.repeat(v.to_numpy(dtype=bool, na_value=False), k),
                    mask=np.repeat(np.asarray(v.isna()), k),
                )
            else:
                cols[name] = pa.array(np.repeat(np.asarray(v), k))
        cols[C.ITEM] = coded(np.tile(np.arange(k, dtype=np.int32), m), list(self.items))
        cols[C.VALUE] = pa.array(self.values.ravel())
        cols[C.MISSING_REASON] = coded(
            self.reasons.ravel().astype(np.int32), list(self.reason_values)
        )
        lazy = [c for c, v in cols.items() if callable(v)]
        for c, arr in zip(lazy, _pool().map(lambda f: f(), [cols[c] for c in lazy]), strict=True):
            cols[c] = arr
        order = [*self.per, C.ITEM, C.VALUE, C.MISSING_REASON, *self.extra]
        return {c: cols[c] for c in order}

    def to_arrow(self):
        """The long table in Arrow, text columns dictionary-encoded."""
        import pyarrow as pa

        return pa.table(self._columns())

    def to_frame(self) -> pd.DataFrame:
        """The long table in pandas (text columns as ``str``)."""
        return _frame_of(self._columns(encoded=False), len(self.values) * len(self.items))


def _pool():
    """Two threads for column-wise work in pyarrow (made once)."""
    global _POOL
    if _POOL is None:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cei-columns")
    return _POOL


_POOL = None


def _repeat_text(value: str, n: int):
    """A text array of ``n`` copies of ``value``, built from its buffers."""
    import pyarrow as pa

    raw = value.encode("utf-8")
    offsets = np.arange(n + 1, dtype=np.int64) * len(raw)
    return pa.Array.from_buffers(
        pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(raw * n)]
    )


def arrow_frame(table) -> pd.DataFrame:
    """A table of :meth:`LongParts.to_arrow` in pandas: dictionary-encoded text decoded
    to ``str`` columns (by two threads: pyarrow's gathers release the interpreter
    lock), nullable booleans as ``boolean``."""
    import pyarrow as pa

    def decode(arr) -> pa.Array:
        if len(arr.dictionary) == 1:  # one value for every row: repeated, not gathered
            return _repeat_text(arr.dictionary[0].as_py(), len(arr))
        return arr.dictionary.take(arr.indices)

    arrays = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in table.columns]
    coded = [i for i, a in enumerate(arrays) if pa.types.is_dictionary(a.type)]
    for i, text in zip(coded, _pool().map(decode, [arrays[i] for i in coded]), strict=True):
        arrays[i] = text
    return _frame_of(dict(zip(table.column_names, arrays, strict=True)), table.num_rows)


def _frame_of(cols: dict, n: int) -> pd.DataFrame:
    """A pandas frame of Arrow columns: text as ``str``, booleans as ``boolean``."""
    import pyarrow as pa

    out = {}
    for name, arr in cols.items():
        if pa.types.is_large_string(arr.type) or pa.types.is_string(arr.type):
            out[name] = pd.Series(arr.to_pandas(), dtype="str")
        elif pa.types.is_boolean(arr.type):
            out[name] = pd.array(arr.to_pandas(), dtype="boolean")
        else:
            out[name] = arr.to_numpy(zero_copy_only=False)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def survey_text(plan: SurveyPlan, state: MapState) -> pd.DataFrame:
    """The open answers and comments mapped so far, scrubbed of the names seen in the
    file's name columns, e-mails, phone numbers and street addresses."""
    if not state.text_parts:
        return pd.DataFrame(columns=list(TEXT_COLUMNS[1:]))
    text = scrub_rows(pd.concat(state.text_parts, ignore_index=True), list(state.names))
    note = (
        f"{len(text)} open answer(s) and comment(s) kept, scrubbed, in the text table "
        f"(column(s) {', '.join(repr(q[1][:40]) for q in plan.text_cols.values())})"
    )
    if note not in plan.notes:
        plan.notes.append(note)
    return text


def survey_report(
    plan: SurveyPlan,
    col: _Collector,
    state: MapState,
    *,
    notes: list[str] | tuple[str, ...] = (),
    synthetic: bool = False,
) -> ReadReport:
    """The :class:`ReadReport` of an export mapped by :func:`map_survey_chunk`."""
    notes = [*notes, *plan.notes, *col.notes]
    if plan.wave_from == "default" and not plan.inst.per_event:
        notes.append("no wave in the file name or a Wave column: read as wave 1")
    dropped = plan.dropped
    if len(dropped) > MAX_LISTED:  # a file of very many columns: list some, count the rest
        kinds = pd.Series([d[2] for d in dropped]).value_counts()
        notes.append(
            f"{len(dropped):,} columns dropped ("
            + ", ".join(f"{v:,} {k}" for k, v in kinds.items())
            + f"); the first {MAX_LISTED} are listed"
        )
        dropped = dropped[:MAX_LISTED]
    unrec = pd.DataFrame(col.unrecognised, columns=["column", "what", "category", "rows", "count"])
    if len(unrec) and unrec.duplicated(["column", "what", "category"]).any():
        unrec = unrec.groupby(["column", "what", "category"], as_index=False, sort=False).agg(
            rows=("rows", lambda r: "; ".join(r)[:200]), count=("count", "sum")
        )[["column", "what", "category", "rows", "count"]]
    districts = pd.DataFrame(
        [(*k, v) for k, v in state.districts.items()],
        columns=["text", "district_id", "directory", "how", "rows"],
    )
    return ReadReport(
        rows_read=state.rows_read,
        rows_kept=state.rows_kept,
        rejected=pd.DataFrame(col.rejected, columns=_REP),
        repaired=pd.DataFrame(col.repaired, columns=_REP),
        dropped_columns=pd.DataFrame(dropped, columns=["file", "column", "kind"]),
        synthetic=synthetic,
        recognised_as=f"{plan.tool_name} of {plan.inst.name} ({plan.header_rows} header row"
        f"{'s' if plan.header_rows > 1 else ''})",
        matched=_matched_text(plan.match, plan.dropped),
        unrecognised=unrec,
        districts=districts,
        notes=tuple(dict.fromkeys(notes)),
    )


def stream_survey_export(
    path: str | Path,
    instrument: str | Path | Instrument = "family_engagement",
    *,
    spool: str | Path | None = None,
    key: bytes | None = None,
    errors: Literal["report", "raise"] = "report",
    batch_bytes: int | None = None,
):
    """Read a large text export batch by batch into a parquet file of its long table.

    The same mapping as :func:`read_survey_export`, in constant memory: the header is
    planned once; the date column is read first, alone, to decide its day/month order and
    the school year; then each batch of rows is mapped, its ids keyed-hashed with ``key``
    (when given), validated against the survey schema and appended to ``spool`` as a
    parquet row group. Repeated respondents are found across batches.

    Parameters
    ----------
    path : a delimited text export (see :func:`read_survey_export`).
    instrument : the instrument.
    spool : parquet file to write; None maps and validates without writing (to check a
        file).
    key : key of the keyed hash of respondent ids (see :func:`cei_metrics.io.keys.hash_ids`).
    errors : as in :func:`read_survey_export`.
    batch_bytes : bytes of text per batch (default :data:`cei_metrics.io.stream.BATCH_BYTES`).

    Returns
    -------
    (:class:`~cei_metrics.io.spool.SpooledTable`, :class:`ReadReport`, synthetic).
    """
    import tempfile

    from ..schemas import validate
    from ._tabular import read_grid
    from .exports import wide_from_grid
    from .keys import hash_ids
    from .spool import SpooledTable, SpoolWriter
    from .stream import BATCH_BYTES, HEAD_ROWS, RaggedRows, body_source

    path = Path(path)
    if callable(key):  # resolved only when a file needs it
        key = key()
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    head = read_grid(path, max_rows=HEAD_ROWS)
    wx = wide_from_grid(head)
    plan = plan_survey(wx, inst)
    if spool is not None:
        Path(spool).parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(
        tempfile.mkdtemp(prefix=".cei-stream-", dir=Path(spool).parent if spool else None)
    )
    try:
        src = body_source(path, head, wx.header_rows, scratch=scratch)
        if src is None or inst.per_event:  # not plain text, or events: the in-memory reader
            df = read_survey_export(path, inst, errors=errors)
            writer = SpoolWriter(spool or scratch / "discard.parquet")
            if len(df):
                if key is not None:
                    df[C.RESPONDENT_ID] = hash_ids(df[C.RESPONDENT_ID], key)
                writer.write(validate(df, "survey", file=path))
            writer.close()
            table = SpooledTable(
                writer.path,
                writer.rows,
                set(df[C.DISTRICT_ID].unique()) if len(df) else set(),
                str(df[C.YEAR].iat[0]) if len(df) else None,
                df.attrs.get("wave_from", ""),
                text=df.attrs.get(TEXT_ATTR),
                names=list(df.attrs.get(NAMES_ATTR, ())),
            )
            return table, df.attrs["read"], bool(df.attrs.get("synthetic", False))
        step = batch_bytes or BATCH_BYTES
        for engine in ("arrow", "csv"):
            try:
                return _stream(plan, wx, src, engine, step, spool, scratch, key, errors)
            except RaggedRows:
                continue
        raise AssertionError("unreachable")  # pragma: no cover
    finally:
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)


def _stream(plan, wx, src, engine, step, spool, scratch, key, errors):
    """One pass of :func:`stream_survey_export` with one parsing engine."""
    from .keys import hash_ids
    from .spool import SpooledTable, SpoolWriter
    from .stream import iter_body

    state = MapState(batched=True)
    year = _read_dates_first(plan, src, engine, step, state)
    if year is None:
        year = survey_year(plan, pd.Series(pd.NaT, index=[], dtype="datetime64[ns]"))
    col = _Collector(plan.path, errors)
    writer = SpoolWriter(spool or scratch / "discard.parquet", background=spool is not None)
    districts: set[str] = set()
    checks = _BatchChecks(len(plan.item_col), plan.path)
    try:
        for frame, rows in iter_body(src, batch_bytes=step, engine=engine):
            out = map_survey_chunk(
                plan,
                frame,
                rows,
                col,
                state,
                year=year,
                id_hash=None if key is None else (lambda ids: hash_ids(ids, key)),
                as_arrow=True,
            )
            if not out.num_rows:
                continue
            districts.update(out.column(C.DISTRICT_ID).chunk(0).dictionary.to_pylist())
            checks.add(out)
            if spool is not None:
                writer.write(out)
            else:
                writer.rows += out.num_rows
        checks.finish()
    except BaseException:  # a batch that fails its checks discards the whole file
        writer.abort()
        raise
    writer.close()
    text = survey_text(plan, state)
    report = survey_report(plan, col, state, notes=[*wx.notes, *src.notes], synthetic=wx.synthetic)
    table = SpooledTable(
        writer.path if spool is not None else Path(""),
        writer.rows,
        districts,
        year,
        plan.wave_from,
        text=text,
        names=list(state.names),
    )
    return table, report, wx.synthetic


def _read_dates_first(plan, src, engine, step, state: MapState) -> str | None:
    """The date column of a file read in batches, alone, before its rows: its distinct
    texts are counted and read once, which decides the day/month order, the notes and
    the unreadable texts (kept in ``state``) and the school year (returned; None without
    readable dates)."""
    from .dates import order_evidence
    from .stream import iter_body

    j_date = plan.meta["date"]
    if j_date is None:
        return None
    # times that only their day decides are counted as their day: a file's dates
    # reduce to its days (see school_year_keys), and are read once each
    distinct = _DistinctCounts(reduce=lambda texts: school_year_keys(texts, plan.timezone))
    for frame, _ in iter_body(src, batch_bytes=step, engine=engine, columns=[j_date]):
        distinct.add(frame[j_date])
    texts, n_of = distinct.result()
    if not len(texts):
        return None
    step_n = 250_000  # distinct texts read at a time (memory)
    parts = range(0, len(texts), step_n)
    evidence = [order_evidence(texts.iloc[lo : lo + step_n]) for lo in parts]
    state.date_evidence = (
        any(e[0] for e in evidence),
        any(e[1] for e in evidence),
        sum(e[2] for e in evidence),  # the texts are distinct: the counts add up
    )
    notes: tuple[str, ...] = ()
    bad: set[str] = set()
    years: dict[str, int] = {}
    for lo in parts:
        chunk = texts.iloc[lo : lo + step_n]
        dp = parse_dates(chunk, source_tz=plan.timezone, evidence=state.date_evidence)
        notes = notes or dp.notes
        bad.update(chunk[dp.unreadable.to_numpy()].tolist())
        sy = pd.Series(n_of[lo : lo + step_n]).groupby(school_year_of_dates(dp.values).to_numpy())
        for y, c in sy.sum().items():
            years[y] = years.get(y, 0) + int(c)
    state.date_read = (notes, frozenset(bad))
    if not years:
        return None
    return max(years.items(), key=lambda kv: (kv[1], -int(kv[0][:4])))[0]


class _DistinctCounts:
    """The distinct texts of a column read in batches, with how often each occurs: the
    batches' texts are held until they reach ``MERGE_AT``, then dictionary-encoded by
    pyarrow's hash kernel and their counts summed by code, so memory is bounded by the
    number of distinct texts plus ``MERGE_AT`` texts."""

    MERGE_AT = 4_000_000  # texts held before they are merged

    def __init__(self, reduce=None) -> None:
        self.reduce = reduce  # texts -> texts that count the same (fewer distinct)
        self.values: list = []  # the merged distinct texts (when merged), then batches
        self.counts: np.ndarray | None = None  # counts of the merged texts
        self.held = 0

    def add(self, cells: pd.Series) -> None:
        import pyarrow as pa

        arr = pa.array(cells.array if cells.dtype == "str" else cells.astype(str).array)
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        if self.reduce is not None:
            arr = self.reduce(arr)
        self.values.append(arr)  # counted when merged: one hash pass per text
        self.held += len(arr)
        if self.held > self.MERGE_AT:
            self._merge()

    def _merge(self) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        enc = pc.dictionary_encode(pa.concat_arrays(self.values))
        weights = np.ones(len(enc.indices))
        if self.counts is not None:
            weights[: len(self.counts)] = self.counts
        n = np.bincount(enc.indices.to_numpy(), weights=weights, minlength=len(enc.dictionary))
        self.values, self.counts = [enc.dictionary], n.astype(np.int64)
        self.held = len(enc.dictionary)

    def result(self) -> tuple[pd.Series, np.ndarray]:
        """(distinct texts as a text column, their counts)."""
        if not self.values:
            return pd.Series([], dtype="str"), np.zeros(0, dtype=np.int64)
        if self.counts is None or len(self.values) > 1:
            self._merge()
        return pd.Series(self.values[0].to_pandas(), dtype="str"), self.counts


class _BatchChecks:
    """The survey-schema checks of a streamed export's batches (:meth:`LongParts.to_arrow`).

    The long table repeats each respondent's columns once per item, so the schema is
    checked on one row per respondent (every column of every respondent, and the item
    columns of that row), and the item columns -- which the mapper fills from the
    instrument's items and answer codes -- on every row by their type and the set of
    missing reasons. It finds what checking every row would, at a twelfth of the cost;
    when that finds a problem, every row of the batch is checked, to name the first bad
    one. The rows per respondent are checked some batches at a time (``ROWS``), which
    also finds an id repeated across those batches; a batch written before its check
    fails is discarded with the file (the snapshot never takes a file that failed).
    """

    ROWS = 250_000  # respondents checked at a time

    def __init__(self, k: int, path: Path) -> None:
        self.k, self.path = k, path
        self.pending: list[pd.DataFrame] = []
        self.held = 0

    def add(self, out: pa.Table) -> None:
        import pyarrow as pa

        from ..schemas import MISSING_REASONS, validate

        reasons = out.column(C.MISSING_REASON).chunk(0)
        used = set(reasons.dictionary.take(pa.array(np.unique(reasons.indices))).to_pylist())
        if not used <= set(MISSING_REASONS) or not pa.types.is_floating(
            out.schema.field(C.VALUE).type
        ):
            validate(arrow_frame(out), "survey", file=self.path)  # names the first bad row
        first = arrow_frame(out.take(np.arange(0, out.num_rows, self.k)))
        self.pending.append(first)
        self.held += len(first)
        if self.held >= self.ROWS:
            self.finish()

    def finish(self) -> None:
        from ..schemas import validate

        if self.pending:
            validate(pd.concat(self.pending, ignore_index=True), "survey", file=self.path)
        self.pending, self.held = [], 0
