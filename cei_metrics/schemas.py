"""The canonical tables: the single definition of every column name.

Five long, tidy tables flow through the package (see DESIGN.md):

======================  ============================================  =========================
table                   one row per                                   constant holding columns
======================  ============================================  =========================
``survey``              respondent x wave x item                      :data:`SURVEY_COLUMNS`
``participation``       participant x event                           :data:`PARTICIPATION_COLUMNS`
``outcomes``            unit x year x student group x indicator       :data:`OUTCOMES_COLUMNS`
``ratings``             district x year x tool item                   :data:`RATINGS_COLUMNS`
``roster``              district                                      :data:`ROSTER_COLUMNS`
======================  ============================================  =========================

Beside them a snapshot may hold three extra tables (:data:`EXTRA_TABLES`), never mixed
into the five:

======================  ============================================  =========================
``text``                respondent x wave x open question (scrubbed)  :data:`TEXT_COLUMNS`
``feedback``            respondent x event x item of event feedback   :data:`FEEDBACK_COLUMNS`
``goals``               district x goal x period (problem of practice) :data:`GOALS_COLUMNS`
======================  ============================================  =========================

Code elsewhere refers to a column through the class constants below (``C.DISTRICT_ID``),
never by spelling the string again; that holds for output columns too (``C.ESTIMATE``,
``C.CI_LOW``, ...: every result's ``to_frame()`` begins with :data:`RESULT_COLUMNS`). The pandera schemas are built on first use by
:func:`schema` so that ``import cei_metrics`` stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Literal

from .errors import SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pandera.pandas as pa

TableName = Literal[
    "survey", "participation", "outcomes", "ratings", "roster", "text", "feedback", "goals"
]
TABLES: tuple[TableName, ...] = ("survey", "participation", "outcomes", "ratings", "roster")
#: Tables a snapshot may hold beside the five canonical ones: scrubbed free text, feedback
#: on events (convenings) and each district's own goals. Never part of :data:`TABLES`.
EXTRA_TABLES: tuple[TableName, ...] = ("text", "feedback", "goals")
ALL_TABLES: tuple[TableName, ...] = (*TABLES, *EXTRA_TABLES)


class C:
    """Canonical column names (one attribute per column, shared across tables)."""

    # identifiers
    RESPONDENT_ID = "respondent_id"
    PARTICIPANT_ID = "participant_id"
    DISTRICT_ID = "district_id"  # 7-digit CDS county+district code, as text
    SCHOOL_ID = "school_id"  # 14-digit CDS code, as text ("" or NA when not a school)
    CDS = "cds"  # 14-digit CDS code of an outcomes or ratings row (the LEA's own code)
    LEA_TYPE = "lea_type"  # state / county / county office / district / charter (LEA_TYPES)
    EVENT_ID = "event_id"
    # time
    WAVE = "wave"  # survey wave, 1..n
    YEAR = "year"  # school year "2019-20"
    DATE = "date"
    # survey
    ROLE = "role"  # family / student / staff / ...
    LANGUAGE = "language"  # ISO 639-1: "en", "es", ...
    HOME_LANGUAGE = "home_language"  # family's home language, ISO 639-1 (optional)
    INSTRUMENT = "instrument"
    ITEM = "item"
    VALUE = "value"
    MISSING_REASON = "missing_reason"  # "dont_know", "no_response", "" when answered
    WEIGHT = "weight"
    EL_FAMILY = "el_family"  # respondent/participant is a family of an English learner
    SED_FAMILY = "sed_family"  # socioeconomically disadvantaged family
    # participation
    EVENT_TYPE = "event_type"
    # outcomes
    LEVEL = "level"  # state / county / district / school
    GROUP = "group"  # readable CDE student group, e.g. "English learners"
    GROUP_CODE = "group_code"  # CDE's own code for it, e.g. "EL" or "SE"
    INDICATOR = "indicator"
    NUMERATOR = "numerator"
    DENOMINATOR = "denominator"
    SUPPRESSED = "suppressed"
    NAME = "name"
    STATUS_LEVEL = "status_level"
    CHANGE = "change"
    CHANGE_LEVEL = "change_level"
    COLOR = "color"
    SOURCE = "source"  # file the row came from
    # ratings
    TOOL = "tool"
    RATING = "rating"
    SECTION = "section"
    # reference frames read from CDE files (enrollment, unduplicated pupils, assistance)
    PCT_OF_TOTAL = "pct_of_total"  # a student group's share of the unit's enrollment, %
    N_EL = "n_el"  # English learners
    N_FRPM = "n_frpm"  # unduplicated free or reduced-price meal eligible
    N_FOSTER = "n_foster"
    N_HOMELESS = "n_homeless"
    N_MIGRANT = "n_migrant"
    UPC = "upc"  # CALPADS unduplicated pupil count (FRPM, EL or foster, each pupil once)
    PCT_UPC = "pct_upc"
    PCT_FRPM = "pct_frpm"
    ASSISTANCE = "assistance"  # LCFF assistance status as CDE writes it
    DA = "da"  # True when the status is Differentiated Assistance
    N_GROUPS = "n_groups"  # student groups that met the criteria
    GROUPS_MET = "groups_met"  # their codes, comma-separated
    GRADE = "grade"
    # text table (public narratives; never one of the five canonical tables)
    LEA_NAME = "lea_name"
    PROMPT = "prompt"  # the official wording of the question the text answers
    TEXT = "text"
    FIELD = "field"  # the source file's column the text came from
    # roster
    COUNTY = "county"
    COHORT = "cohort"  # first PLLN school year "2019-20", or NA when never in the network
    DISTRICT_TYPE = "district_type"  # elementary / high / unified
    ENROLLMENT = "enrollment"
    N_FAMILIES = "n_families"
    PCT_EL = "pct_el"
    PCT_SED = "pct_sed"
    PCT_SPANISH = "pct_spanish"  # share of families whose home language is Spanish
    SYNTHETIC = "synthetic"
    # response rates: invited / enrolled families of a sampling frame
    N_INVITED = "n_invited"  # count column of an aggregated frame (families per cell)
    # free text and its coding (the text table, never one of the five canonical tables)
    SEGMENT_ID = "segment_id"  # a coded passage: an answer, a comment, a selection
    TEXT = "text"
    CODE = "code"  # codebook id of a code applied to a segment
    CODER = "coder"  # person who applied it
    QUESTION_ID = "question_id"  # open question of an instrument, or a comment column
    QUESTION = "question"  # its wording (the export's header)
    # each district's own goal (problem of practice)
    GOAL_ID = "goal_id"
    MEASURE = "measure"  # what the district measures, in its own words
    MEASURE_UNIT = "measure_unit"  # percent / proportion / count / score / rate
    BASELINE = "baseline"
    BASELINE_PERIOD = "baseline_period"
    TARGET = "target"
    TARGET_PERIOD = "target_period"
    GAP_CLOSED = "gap_closed"  # share of the baseline-to-target gap closed
    GAS_LEVEL = "gas_level"  # goal attainment level, -2..+2

    # result (output) columns -----------------------------------------------------------
    # every result's to_frame() begins TERM, then ESTIMATE .. N where defined
    TERM = "term"  # the row key of a result frame
    ESTIMATE = "estimate"
    STD_ERROR = "std_error"
    CI_LOW = "ci_low"  # pointwise confidence interval
    CI_HIGH = "ci_high"
    P_VAL = "p_val"
    N = "n"
    N_DROPPED = "n_dropped"
    N_CLUSTERS = "n_clusters"
    N_ITEMS = "n_items"
    N_TREATED = "n_treated"
    N_CONTROL = "n_control"
    BAND_LOW = "band_low"  # uniform (simultaneous, sup-t) band over a family of estimates
    BAND_HIGH = "band_high"
    CRIT_VALUE = "crit_value"
    T_STAT = "t_stat"
    STATISTIC = "statistic"
    DF = "df"
    P_VAL_CRVE = "p_val_crve"
    TIME = "time"  # an estimator's integer period
    EVENT_TIME = "event_time"  # period relative to treatment start, e = t - g
    BASE_TIME = "base_time"
    PERIOD = "period"  # "pre" / "post"
    POST = "post"
    UNIT = "unit"
    GAP = "gap"  # treated minus synthetic
    TREATED = "treated"
    SYNTHETIC_PATH = "synthetic"
    WEIGHT_SHARE = "weight"  # weight of a comparison in a decomposition
    TYPE = "type"
    CONTROL = "control"
    EFFECT = "effect"
    LABEL = "label"
    OBSERVED = "observed"
    FITTED = "fitted"
    COUNTERFACTUAL = "counterfactual"
    N_UNITS = "n_units"
    PRE_RMSPE = "pre_rmspe"
    POST_RMSPE = "post_rmspe"
    RMSPE_RATIO = "rmspe_ratio"
    N_PERM = "n_perm"


#: The leading columns of every result frame, in order (each where the result defines it).
RESULT_COLUMNS = (C.TERM, C.ESTIMATE, C.STD_ERROR, C.CI_LOW, C.CI_HIGH, C.P_VAL, C.N)
#: A pointwise interval and a uniform band, carried side by side.
INTERVAL_COLUMNS = (C.CI_LOW, C.CI_HIGH, C.BAND_LOW, C.BAND_HIGH)


SURVEY_COLUMNS = (
    C.RESPONDENT_ID,
    C.WAVE,
    C.YEAR,
    C.DISTRICT_ID,
    C.SCHOOL_ID,
    C.ROLE,
    C.LANGUAGE,
    C.INSTRUMENT,
    C.ITEM,
    C.VALUE,
    C.MISSING_REASON,
)
SURVEY_OPTIONAL = (C.WEIGHT, C.EL_FAMILY, C.SED_FAMILY, C.HOME_LANGUAGE)

PARTICIPATION_COLUMNS = (
    C.EVENT_ID,
    C.DATE,
    C.EVENT_TYPE,
    C.DISTRICT_ID,
    C.PARTICIPANT_ID,
    C.ROLE,
    C.LANGUAGE,
)
PARTICIPATION_OPTIONAL = (C.EL_FAMILY, C.SED_FAMILY, C.SCHOOL_ID, C.HOME_LANGUAGE)

OUTCOMES_COLUMNS = (
    C.CDS,
    C.LEA_TYPE,
    C.LEVEL,
    C.YEAR,
    C.GROUP,
    C.INDICATOR,
    C.NUMERATOR,
    C.DENOMINATOR,
    C.VALUE,
    C.SUPPRESSED,
)
OUTCOMES_OPTIONAL = (
    C.NAME,
    C.GROUP_CODE,
    C.STATUS_LEVEL,
    C.CHANGE,
    C.CHANGE_LEVEL,
    C.COLOR,
    C.SOURCE,
)

RATINGS_COLUMNS = (C.CDS, C.DISTRICT_ID, C.LEA_TYPE, C.YEAR, C.TOOL, C.ITEM, C.RATING)
RATINGS_OPTIONAL = (C.SECTION,)

#: The text table of public LEA narratives (:func:`cei_metrics.io.read_p3_narratives`):
#: free text, kept apart from the five canonical tables.
NARRATIVE_COLUMNS = (C.CDS, C.LEA_NAME, C.YEAR, C.SECTION, C.PROMPT, C.TEXT)

ROSTER_COLUMNS = (
    C.DISTRICT_ID,
    C.NAME,
    C.COUNTY,
    C.COHORT,
    C.DISTRICT_TYPE,
    C.ENROLLMENT,
    C.N_FAMILIES,
    C.PCT_EL,
    C.PCT_SED,
    C.PCT_SPANISH,
)
ROSTER_OPTIONAL = (C.SYNTHETIC,)

#: The text table: open-ended answers and comment columns kept apart from the canonical
#: tables, scrubbed at ingest (names seen, e-mails, phones, addresses), one row per
#: respondent (keyed hash) x wave x question. ``wave`` is missing for sign-in comments.
TEXT_COLUMNS = (
    C.SEGMENT_ID,
    C.RESPONDENT_ID,
    C.WAVE,
    C.YEAR,
    C.DISTRICT_ID,
    C.ROLE,
    C.LANGUAGE,
    C.INSTRUMENT,
    C.QUESTION_ID,
    C.QUESTION,
    C.TEXT,
)
TEXT_OPTIONAL = (C.EVENT_ID, C.DATE, C.SCHOOL_ID)

#: Feedback on events (e.g. convenings): the survey columns plus the event, one row per
#: respondent x event x item. ``wave`` numbers the events of the series in date order.
FEEDBACK_COLUMNS = (*SURVEY_COLUMNS, C.EVENT_ID, C.DATE)
FEEDBACK_OPTIONAL = SURVEY_OPTIONAL

#: Each district's own goal: one row per district x goal x period with a value.
GOALS_COLUMNS = (
    C.DISTRICT_ID,
    C.GOAL_ID,
    C.MEASURE,
    C.SOURCE,
    C.MEASURE_UNIT,
    C.BASELINE_PERIOD,
    C.BASELINE,
    C.TARGET_PERIOD,
    C.TARGET,
    C.PERIOD,
    C.VALUE,
)
GOALS_OPTIONAL = (C.N,)
MEASURE_UNITS = ("percent", "proportion", "count", "score", "rate")

REQUIRED: dict[str, tuple[str, ...]] = {
    "survey": SURVEY_COLUMNS,
    "participation": PARTICIPATION_COLUMNS,
    "outcomes": OUTCOMES_COLUMNS,
    "ratings": RATINGS_COLUMNS,
    "roster": ROSTER_COLUMNS,
    "text": TEXT_COLUMNS,
    "feedback": FEEDBACK_COLUMNS,
    "goals": GOALS_COLUMNS,
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "survey": SURVEY_OPTIONAL,
    "participation": PARTICIPATION_OPTIONAL,
    "outcomes": OUTCOMES_OPTIONAL,
    "ratings": RATINGS_OPTIONAL,
    "roster": ROSTER_OPTIONAL,
    "text": TEXT_OPTIONAL,
    "feedback": FEEDBACK_OPTIONAL,
    "goals": GOALS_OPTIONAL,
}

# Controlled vocabularies -------------------------------------------------------------

LEVELS = ("state", "county", "district", "school")
#: Types of local educational agency (LEA) a row belongs to. ``district``, ``charter`` and
#: ``county office`` are LEAs; ``state`` marks the statewide row and the LEAs the state
#: itself operates (the State Special Schools, CDE's DOC 31); ``county`` marks a county
#: aggregate row (DataQuest and CAASPP files), which is no LEA. The rules that assign them
#: are in :func:`cei_metrics.io.lea_type`.
LEA_TYPES = ("state", "county", "county office", "district", "charter")
MISSING_REASONS = ("", "dont_know", "no_response", "out_of_range", "not_asked")
INDICATORS = (
    "chronic_absenteeism",  # % of eligible students chronically absent (lower is better)
    "suspension",  # % of enrolled students suspended at least once (lower is better)
    "graduation",  # % of the cohort graduating (four-year unless stated)
    "graduation_5yr",
    "ela_dfs",  # average distance from standard, ELA (points)
    "math_dfs",
    "elpi",  # % of English learners making progress (ELPI)
    "college_career",  # % prepared (CCI)
    "local_indicator",  # local indicator Met (1) / Not Met (0)
    "ela_pct_met",  # CAASPP Smarter Balanced ELA: % standard met or exceeded
    "math_pct_met",
)
LOWER_IS_BETTER = frozenset({"chronic_absenteeism", "suspension"})

#: CDE student groups: readable name for each code used by the Dashboard downloads
#: (``studentgroup``), the DataQuest research files (``ReportingCategory``) and CAASPP.
STUDENT_GROUPS: dict[str, str] = {
    # Dashboard
    "ALL": "All students",
    "AA": "Black or African American",
    "AI": "American Indian or Alaska Native",
    "AS": "Asian",
    "FI": "Filipino",
    "HI": "Hispanic or Latino",
    "PI": "Pacific Islander",
    "WH": "White",
    "MR": "Two or more races",
    "EL": "English learners",
    "SED": "Socioeconomically disadvantaged",
    "SWD": "Students with disabilities",
    "FOS": "Foster youth",
    "HOM": "Homeless youth",
    "EO": "English only",
    "ELO": "English learners only",
    "RFP": "Reclassified fluent English proficient only",
    # DataQuest ReportingCategory
    "TA": "All students",
    "RB": "Black or African American",
    "RI": "American Indian or Alaska Native",
    "RA": "Asian",
    "RF": "Filipino",
    "RH": "Hispanic or Latino",
    "RP": "Pacific Islander",
    "RT": "Two or more races",
    "RW": "White",
    "RD": "Race not reported",
    "GM": "Male",
    "GF": "Female",
    "GX": "Non-binary",
    "GZ": "Gender missing",
    "SE": "English learners",
    "SD": "Students with disabilities",
    "SS": "Socioeconomically disadvantaged",
    "SM": "Migrant",
    "SF": "Foster youth",
    "SH": "Homeless youth",
}

#: The Priority 3 (Parent and Family Engagement) self-reflection tool's level labels.
P3_LEVELS: dict[int, str] = {
    1: "Exploration and Research Phase",
    2: "Beginning Development",
    3: "Initial Implementation",
    4: "Full Implementation",
    5: "Full Implementation and Sustainability",
}

#: School years flagged as disrupted (COVID-19): no state assessment in 2019-20,
#: distance learning in 2020-21.
DISRUPTED_YEARS = ("2019-20", "2020-21")

_YEAR_RE = re.compile(r"^(\d{4})-(\d{2})$")


def school_year(start: int) -> str:
    """The school year that starts in the autumn of ``start``: ``school_year(2019) == "2019-20"``."""
    return f"{start}-{(start + 1) % 100:02d}"


def year_start(year: str) -> int:
    """The calendar year a school year starts in: ``year_start("2019-20") == 2019``.

    Raises
    ------
    SchemaError if ``year`` is not of the form ``YYYY-YY`` with consecutive years.
    """
    m = _YEAR_RE.match(str(year))
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise SchemaError(
            f"{year!r} is not a school year",
            column=C.YEAR,
            fix='write school years as "YYYY-YY", e.g. "2019-20"',
        )
    return int(m.group(1))


def district_of(cds: str) -> str:
    """The 7-digit county+district code of a 14-digit CDS code."""
    return str(cds)[:7]


# pandera schemas, built on first use -------------------------------------------------


@cache
def schema(table: TableName) -> pa.DataFrameSchema:
    """The pandera schema of a canonical table.

    Required columns must be present; optional ones are checked when present; other
    columns are allowed (respondent groups, for instance) so that a user's extra
    grouping variables survive.
    """
    import pandera.pandas as pa

    def opt(col: str, *args, **kw) -> pa.Column:
        return pa.Column(*args, required=col in REQUIRED[table], name=col, **kw)

    cds7 = pa.Check.str_matches(r"^\d{7}$", error="7-digit CDS county+district code")
    cds14 = pa.Check.str_matches(r"^\d{14}$", error="14-digit CDS code")
    syear = pa.Check.str_matches(r"^\d{4}-\d{2}$", error='school year "YYYY-YY"')
    cols: dict[str, pa.Column]
    if table in ("survey", "feedback"):
        cols = {
            C.RESPONDENT_ID: opt(C.RESPONDENT_ID, str, nullable=False),
            C.WAVE: opt(C.WAVE, int, pa.Check.ge(1)),
            C.YEAR: opt(C.YEAR, str, syear),
            C.DISTRICT_ID: opt(C.DISTRICT_ID, str, cds7),
            C.SCHOOL_ID: opt(C.SCHOOL_ID, str, nullable=True),
            C.ROLE: opt(C.ROLE, str),
            C.LANGUAGE: opt(C.LANGUAGE, str),
            C.INSTRUMENT: opt(C.INSTRUMENT, str),
            C.ITEM: opt(C.ITEM, str),
            C.VALUE: opt(C.VALUE, float, nullable=True),
            C.MISSING_REASON: opt(C.MISSING_REASON, str, pa.Check.isin(MISSING_REASONS)),
            C.WEIGHT: opt(C.WEIGHT, float, pa.Check.gt(0), nullable=False),
            C.EL_FAMILY: opt(C.EL_FAMILY, "boolean", nullable=True),
            C.SED_FAMILY: opt(C.SED_FAMILY, "boolean", nullable=True),
            C.HOME_LANGUAGE: opt(C.HOME_LANGUAGE, str, nullable=True),
        }
        unique = [C.RESPONDENT_ID, C.WAVE, C.INSTRUMENT, C.ITEM]
        if table == "feedback":
            cols[C.EVENT_ID] = opt(C.EVENT_ID, str)
            cols[C.DATE] = opt(C.DATE, "datetime64[ns]", nullable=True)
            unique = [C.RESPONDENT_ID, C.EVENT_ID, C.INSTRUMENT, C.ITEM]
    elif table == "text":
        cols = {
            C.SEGMENT_ID: opt(C.SEGMENT_ID, str, unique=True),
            C.RESPONDENT_ID: opt(C.RESPONDENT_ID, str, nullable=False),
            C.WAVE: opt(C.WAVE, "Int64", pa.Check.ge(1), nullable=True),
            C.YEAR: opt(C.YEAR, str, syear, nullable=True),
            C.DISTRICT_ID: opt(C.DISTRICT_ID, str, cds7),
            C.ROLE: opt(C.ROLE, str),
            C.LANGUAGE: opt(C.LANGUAGE, str),
            C.INSTRUMENT: opt(C.INSTRUMENT, str),
            C.QUESTION_ID: opt(C.QUESTION_ID, str),
            C.QUESTION: opt(C.QUESTION, str),
            C.TEXT: opt(C.TEXT, str),
            C.EVENT_ID: opt(C.EVENT_ID, str, nullable=True),
            C.DATE: opt(C.DATE, "datetime64[ns]", nullable=True),
            C.SCHOOL_ID: opt(C.SCHOOL_ID, str, nullable=True),
        }
        unique = None
    elif table == "goals":
        cols = {
            C.DISTRICT_ID: opt(C.DISTRICT_ID, str, cds7),
            C.GOAL_ID: opt(C.GOAL_ID, str),
            C.MEASURE: opt(C.MEASURE, str),
            C.SOURCE: opt(C.SOURCE, str),
            C.MEASURE_UNIT: opt(C.MEASURE_UNIT, str, pa.Check.isin(MEASURE_UNITS)),
            C.BASELINE_PERIOD: opt(C.BASELINE_PERIOD, str),
            C.BASELINE: opt(C.BASELINE, float),
            C.TARGET_PERIOD: opt(C.TARGET_PERIOD, str),
            C.TARGET: opt(C.TARGET, float),
            C.PERIOD: opt(C.PERIOD, str, nullable=True),
            C.VALUE: opt(C.VALUE, float, nullable=True),
            C.N: opt(C.N, float, pa.Check.ge(0), nullable=True),
        }
        unique = [C.DISTRICT_ID, C.GOAL_ID, C.PERIOD]
    elif table == "participation":
        cols = {
            C.EVENT_ID: opt(C.EVENT_ID, str),
            C.DATE: opt(C.DATE, "datetime64[ns]"),
            C.EVENT_TYPE: opt(C.EVENT_TYPE, str),
            C.DISTRICT_ID: opt(C.DISTRICT_ID, str, cds7),
            C.PARTICIPANT_ID: opt(C.PARTICIPANT_ID, str),
            C.ROLE: opt(C.ROLE, str),
            C.LANGUAGE: opt(C.LANGUAGE, str),
            C.SCHOOL_ID: opt(C.SCHOOL_ID, str, nullable=True),
            C.EL_FAMILY: opt(C.EL_FAMILY, "boolean", nullable=True),
            C.SED_FAMILY: opt(C.SED_FAMILY, "boolean", nullable=True),
            C.HOME_LANGUAGE: opt(C.HOME_LANGUAGE, str, nullable=True),
        }
        unique = [C.EVENT_ID, C.PARTICIPANT_ID]
    elif table == "outcomes":
        cols = {
            C.CDS: opt(C.CDS, str, cds14),
            C.LEA_TYPE: opt(C.LEA_TYPE, str, pa.Check.isin(LEA_TYPES)),
            C.LEVEL: opt(C.LEVEL, str, pa.Check.isin(LEVELS)),
            C.YEAR: opt(C.YEAR, str, syear),
            C.GROUP: opt(C.GROUP, str),
            C.INDICATOR: opt(C.INDICATOR, str),
            C.NUMERATOR: opt(C.NUMERATOR, float, pa.Check.ge(0), nullable=True),
            C.DENOMINATOR: opt(C.DENOMINATOR, float, pa.Check.ge(0), nullable=True),
            C.VALUE: opt(C.VALUE, float, nullable=True),
            C.SUPPRESSED: opt(C.SUPPRESSED, bool),
        }
        unique = None
    elif table == "ratings":
        cols = {
            C.CDS: opt(C.CDS, str, cds14),
            C.DISTRICT_ID: opt(C.DISTRICT_ID, str, cds7),
            C.LEA_TYPE: opt(C.LEA_TYPE, str, pa.Check.isin(LEA_TYPES)),
            C.YEAR: opt(C.YEAR, str, syear),
            C.TOOL: opt(C.TOOL, str),
            C.ITEM: opt(C.ITEM, str),
            C.RATING: opt(C.RATING, float, pa.Check.in_range(1, 5), nullable=True),
            C.SECTION: opt(C.SECTION, str),
        }
        # one row per LEA (its 14-digit code: charters share their authoriser's 7-digit
        # district code), year, tool and item
        unique = [C.CDS, C.YEAR, C.TOOL, C.ITEM]
    elif table == "roster":
        cols = {
            C.DISTRICT_ID: opt(C.DISTRICT_ID, str, cds7, unique=True),
            C.NAME: opt(C.NAME, str),
            C.COUNTY: opt(C.COUNTY, str),
            C.COHORT: opt(C.COHORT, str, syear, nullable=True),
            # district type, enrollment and demographics may be unknown (a roster built
            # from the CDE directory, or a user's roster without them)
            C.DISTRICT_TYPE: opt(
                C.DISTRICT_TYPE,
                str,
                pa.Check.isin(("elementary", "high", "unified")),
                nullable=True,
            ),
            C.ENROLLMENT: opt(C.ENROLLMENT, float, pa.Check.ge(0), nullable=True),
            C.N_FAMILIES: opt(C.N_FAMILIES, float, pa.Check.ge(0), nullable=True),
            C.PCT_EL: opt(C.PCT_EL, float, pa.Check.in_range(0, 100), nullable=True),
            C.PCT_SED: opt(C.PCT_SED, float, pa.Check.in_range(0, 100), nullable=True),
            C.PCT_SPANISH: opt(C.PCT_SPANISH, float, pa.Check.in_range(0, 100), nullable=True),
            C.SYNTHETIC: opt(C.SYNTHETIC, bool),
        }
        unique = None
    else:
        raise SchemaError(f"no table called {table!r}", fix=f"use one of {ALL_TABLES}")
    return pa.DataFrameSchema(cols, strict=False, coerce=True, unique=unique, name=table)


def numeric_columns(df: pd.DataFrame, cols: Iterable[str], *, kind: str) -> pd.DataFrame:
    """A copy of ``df`` with ``cols`` as floats; :class:`SchemaError` names the first
    non-number, its row (1-based) and its column (``kind`` names the caller)."""
    import numpy as np
    import pandas as pd

    out = df.copy()
    for c in cols:
        conv = pd.to_numeric(out[c], errors="coerce")
        bad = conv.isna() & out[c].notna()
        if bad.any():
            raise SchemaError(
                f"{kind}: column holds a non-number {out[c][bad].iloc[0]!r}",
                row=int(np.flatnonzero(bad.to_numpy())[0]) + 1,
                column=c,
                fix="give numbers (blank for missing)",
            )
        out[c] = conv.astype(float)
    return out


def validate(df: pd.DataFrame, table: TableName, *, file: object | None = None) -> pd.DataFrame:
    """Validate ``df`` against a canonical table's schema, coercing types.

    Returns the coerced frame. Raises :class:`SchemaError` naming the file, the first
    offending row and column, and the fix; never pandera's own exception.
    """
    import pandera.errors as pe

    if table not in REQUIRED:
        raise SchemaError(f"no table called {table!r}", fix=f"use one of {ALL_TABLES}")
    missing = [c for c in REQUIRED[table] if c not in df.columns]
    if missing:
        raise SchemaError(
            f"the {table} table lacks required column(s) {missing}",
            file=file,
            column=missing[0],
            fix=f"a {table} table needs the columns {list(REQUIRED[table])}",
        )
    try:
        return schema(table).validate(df, lazy=True)
    except pe.SchemaErrors as err:
        fc = err.failure_cases
        first = fc.iloc[0]
        col = first.get("column")
        idx = first.get("index")
        row = None if idx is None or idx != idx else int(idx) + 1
        n = len(fc)
        raise SchemaError(
            f"{n} value(s) break the {table} schema; first: {first.get('check')} failed "
            f"with {first.get('failure_case')!r}",
            file=file,
            row=row,
            column=None if col is None or col != col else str(col),
            fix="correct the value(s) in the source file, or map them in the reader",
        ) from None
