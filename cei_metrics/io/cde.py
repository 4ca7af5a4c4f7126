"""Readers of California Department of Education (CDE) files.

:func:`read_cde` reads any supported CDE download into a canonical table, and
:func:`detect_cde_format` names the file's family and year layout from its header line
(never from its file name). Both take the file as published: tab-, pipe- or
caret-delimited text in Windows-1252, Latin-1 or UTF-8 (with or without byte-order mark),
CRLF or LF, with CDE's quoting, misspellings and moving columns; or an ``.xlsx`` workbook.

Supported formats (the string :func:`detect_cde_format` returns) and what comes back:

=============================  ===============================================  ==========
format                         file                                             returns
=============================  ===============================================  ==========
``dashboard_grad_2017f``       Dashboard ``graddownload2017f.txt``              outcomes
``dashboard_grad_2018``        Dashboard ``graddownload2018.txt``               outcomes
``dashboard_grad_2019``        Dashboard ``graddownload2019.txt`` (fiveyrnumer)  outcomes
``dashboard_grad5yr``          five-year rate ``gradrate1617_5yr.txt``          outcomes
``dashboard_elpi_2017f``       ``elpidownload2017f.txt`` (CELDT-era ELPI)       outcomes
``dashboard_elpi_2018``        ``elpidownload2018.txt`` (ELPAC levels)          outcomes
``dashboard_elpi_2019``        ``elpidownload2019.txt``                         outcomes
``dashboard_cci_2017f``        ``ccidownload2017f.txt``                         outcomes
``dashboard_academic11_2017f`` ``ela11download2017f.txt``/``math11...``         outcomes
``dashboard_academic``         ``eladownload{YYYY}``/``mathdownload{YYYY}``     outcomes
``dashboard_status_2019``      ``chronicdownload2019``/``suspdownload2019``     outcomes
``dashboard_indicator_2023``   any Dashboard download with an ``indicator``     outcomes
``dashboard_status``           other Dashboard downloads with currnumer         outcomes
``dataquest_chronic``          ``chronicabsenteeism{YY}.txt`` (to 2023-24)      outcomes
``dataquest_chronic_2024``     the same from 2024-25 (spaced identity names)    outcomes
``dataquest_suspension``       ``suspension{YY}.txt`` / ``susp{YYYY}.txt``      outcomes
``dataquest_acgr``             ``acgr{YY}.txt`` / ``cohort{YYYY}.txt``          outcomes
``localind_performance``       ``LocalIndPerf{YYYY}.txt`` (Met / Not Met)       outcomes
``localind_priority6_2019``    Priority 6 pipe file 2019                        outcomes
``localind_priority6``         Priority 6 xlsx 2023, 2024                       outcomes
``localind_priority3``         ``Pr3{YYYY}.txt`` 2019 on (pipe or tab), xlsx    ratings
``directory_pubdistricts``     ``pubdistricts.txt``                             directory
``caaspp_entities_2023``       ``sb_ca2023entities_csv.txt``                    entities
``caaspp_entities``            ``sb_ca{YYYY}entities_csv.txt`` (2024 on)        entities
``caaspp_studentgroups``       ``StudentGroups.txt``                            groups
``caaspp_research``            ``sb_ca{YYYY}_all_csv_v{N}.txt``                 outcomes
``assistance_status``          ``assistancestatus{YY}.xlsx`` (and charter file) assistance
``upc``                        ``cupc{YYYY}-k12.xlsx`` (LEA sheet)              upc
``dashboard_census_enrollment`` ``censusenrollratesdownload{YYYY}.txt``         enrollment
``dataquest_census_enrollment`` ``cdenroll{YYYY}.txt``                          enrollment
=============================  ===============================================  ==========

The last five are read by :mod:`cei_metrics.io._cde_more` (assistance, upc and enrollment
frames are described in each reader's docstring). The public narratives of the Priority 3
files are read by :func:`cei_metrics.io.read_p3_narratives` into a separate text table.

Return shapes
-------------
**outcomes** (see :data:`cei_metrics.schemas.OUTCOMES_COLUMNS`): ``cds`` (14-digit text),
``lea_type`` (the kind of LEA the row belongs to: state, county, county office, district,
charter; rules in :mod:`cei_metrics.io.lea`), ``level`` (state/county/district/school), ``year`` ("2018-19"), ``group`` (readable name
from :data:`~cei_metrics.schemas.STUDENT_GROUPS`; a code CDE adds later is kept as
written and listed in ``df.attrs["unknown_groups"]``), ``indicator`` (one of
:data:`~cei_metrics.schemas.INDICATORS`), ``numerator``, ``denominator``, ``value``
(floats), ``suppressed`` (bool); then ``name``, ``group_code``, ``status_level``,
``change``, ``change_level``, ``color`` (CDE numbering 1 Red .. 5 Blue; CDE's 0 "none"
becomes NaN, as do status and change levels of 0) and ``source`` (file name).

**ratings** (Priority 3): ``cds`` (the LEA's 14-digit code, the key), ``district_id``
(its first 7 digits, for joins; charters share it with their authoriser), ``lea_type``
(district, charter, county office, or state for the State Special Schools), ``year``,
``tool`` (``"priority3_self_reflection"``), ``item`` (CDE's column name as spelled in the
instrument YAML, e.g. ``CollaborationtInput``; the files cut names to 30 or 20 characters,
``DevelopStaffCapacityRelationsh``, and the 2019-2021 files use other names; all are
matched to the full name), ``rating`` (1-5 float; CDE's 0 and blank become NaN),
``section`` (the label of the item's scale in the instrument YAML, e.g. "Seeking Input for
Decision-Making"), then ``name``. Every LEA of the file is kept (2,262 in 2024);
``include_charters=False`` drops the charter LEAs.

**directory** (``pubdistricts``): ``cds`` (the CD code + ``0000000``), ``district_id``
(7-digit CD code), ``lea_type`` (from DOC: 00 county office, 02/03 charter, 31 state,
otherwise district), ``name``,
``county``, ``district_type`` (DOC 52 elementary, 54 unified, 56 high, otherwise NA),
``status`` (StatusType), ``doc`` and ``doc_type`` (CDE's code and label), ``latitude``,
``longitude``; CDE's ``No Data`` becomes NA.

**entities** (CAASPP): ``cds``, ``lea_type`` (9/10 charter), ``level`` (Type ID 4 state, 5 county, 6 district,
7/9/10 school), ``name`` (the most specific name), ``county``, ``district``, ``school``,
``type_id``, ``year`` and ``zip``. **groups** (CAASPP): ``group_code`` (zero-padded
Demographic ID), ``group_id`` (its number), ``group`` (Demographic Name) and ``category``
(Student Group).

Years
-----
CDE labels files by the year of release; the canonical ``year`` is the school year the
data describe:

- Dashboard ``reportingyear`` ``"2019"`` is school year ``"2018-19"`` and ``"2017f"``
  (Fall 2017) is ``"2016-17"``: year *Y* means *(Y-1)-Y*.
- The five-year graduation file is labelled by its cohort year: ``gradrate1617_5yr.txt``,
  released with the 2018 Dashboard (``reportingyear`` ``2018``), is ``"2016-17"``: one
  year before the four-year rate of the same release.
- Local indicators follow the Dashboard: the Priority 3 and 6 files carry ``year`` 2023
  for reports adopted in June 2023 (``meetingDate``) and shown on the Fall 2023
  Dashboard, which is school year ``"2022-23"``; the 2019 Priority 6 file is ``"2018-19"``.
  ``LocalIndPerf{YYYY}.txt`` has no year column: the year comes from ``year=`` or, failing
  that, from the four digits in the file name, by the same rule.
- DataQuest ``AcademicYear`` is already a school year. CAASPP ``Test Year`` 2023 (spring
  2023) is ``"2022-23"``.

Subsets and ambiguity
---------------------
DataQuest files repeat every state, county and district row for charter/non-charter and
DASS/non-DASS subsets; only CDE's own ``All``/``All`` rows are kept for those levels (all
school rows are kept), and ``df.attrs["rows_dropped"]`` counts the rest. Some Dashboard
layouts are shared by two indicators (ELA and math; chronic absenteeism and suspension);
their indicator comes from ``kind=``, else the ``indicator`` column (2023 on), else the
file name (``ela...``, ``math...``, ``chronic...``, ``susp...``); failing all three,
:class:`~cei_metrics.errors.UnknownFormatError` asks for ``kind=``.

Attributes
----------
Every frame carries ``df.attrs["cde_format"]`` (the format above), ``df.attrs["source"]``
(the path) and ``df.attrs["synthetic"]`` (True when the file name starts with
``synthetic_`` or a leading ``#`` comment says SYNTHETIC).

Errors
------
Every problem raises a :class:`~cei_metrics.errors.CEIError` subclass naming the file, the
1-based data row and the column where known, and the fix: an unknown header
(:class:`~cei_metrics.errors.UnknownFormatError`, listing the columns seen and the
supported families), missing required columns, non-numeric counts, an empty or truncated
file, a wrong delimiter, a rate that disagrees with its numerator and denominator
(:class:`~cei_metrics.errors.SchemaError`).

Examples
--------
>>> df = read_cde("graddownload2019.txt")                       # doctest: +SKIP
>>> df.query("level == 'state' and group == 'All students'")[["value", "numerator"]]
... # value 85.9, numerator 437249                              # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CEIError, SchemaError, UnknownFormatError
from ..schemas import INDICATORS, OUTCOMES_COLUMNS, STUDENT_GROUPS, C, school_year
from . import _cde_more as more
from ._cde_read import RawTable, norm_key, read_raw, to_number
from .lea import lea_type, lea_type_from_doc

__all__ = ["CDE_FORMATS", "detect_cde_format", "read_cde"]

# Columns of the non-canonical frames (directory, CAASPP lookups) --------------------------
STATUS = "status"
DOC = "doc"
DOC_TYPE = "doc_type"
LATITUDE = "latitude"
LONGITUDE = "longitude"
DISTRICT = "district"
SCHOOL = "school"
TYPE_ID = "type_id"
ZIP = "zip"
GROUP_ID = "group_id"
CATEGORY = "category"

P3_TOOL = "priority3_self_reflection"
RATINGS = "ratings"
LOCAL = "local_indicator"

#: Readable names of the grade-span reporting categories of DataQuest files.
GRADE_SPANS = {
    "GRTKKN": "Grades TK-K",
    "GRTK8": "Grades TK-8",
    "GR13": "Grades 1-3",
    "GR46": "Grades 4-6",
    "GR78": "Grades 7-8",
    "GRK8": "Grades K-8",
    "GR912": "Grades 9-12",
}
#: Local indicator labels as LocalIndPerf writes them, by priority number.
PRIORITY_LABELS = {
    "1": "Basic-Priority Area 1",
    "2": "Academic-Priority Area 2",
    "3": "Parents-Priority Area 3",
    "6": "Climate-Priority Area 6",
    "7": "Access-Priority Area 7",
    "9": "Expelled-Priority Area 9",
    "10": "FosterYouth-Priority Area 10",
}
_MET = {"met": 1.0, "not met": 0.0, "not met for two or more years": 0.0}
_RTYPE = {"X": "state", "C": "county", "D": "district", "S": "school"}
_AGG = {"T": "state", "C": "county", "D": "district", "S": "school"}
_TYPE_ID = {"4": "state", "5": "county", "6": "district", "7": "school", "9": "school"}
_TYPE_ID["10"] = "school"
_TYPE_ID.update({f"0{k}": v for k, v in list(_TYPE_ID.items()) if len(k) == 1})  # "04" = "4"
_DOC_TYPE = {"52": "elementary", "54": "unified", "56": "high"}
# Indicator codes of the Dashboard ``indicator`` column (2023 on) and file-name stems.
_DASH_CODES = {
    "chro": "chronic_absenteeism",
    "chronic": "chronic_absenteeism",
    "susp": "suspension",
    "grad": "graduation",
    "ela": "ela_dfs",
    "math": "math_dfs",
    "elpi": "elpi",
    "cci": "college_career",
}
_PERCENT = frozenset(
    {"chronic_absenteeism", "suspension", "graduation", "graduation_5yr", "elpi", "college_career"}
)


@dataclass(frozen=True)
class _Format:
    name: str
    family: str
    describe: str
    test: Callable[[RawTable], bool]
    reader: Callable[..., pd.DataFrame]


def _k(raw: RawTable) -> dict[str, str]:
    return raw.keys


# ---------------------------------------------------------------------------------------
# shared helpers


def _fail_year(raw: RawTable, key: str, i: int, value: str, fix: str) -> SchemaError:
    return SchemaError(f"{value!r} is not a year this reader understands", file=raw.path,
                       row=raw.row(i), column=raw.col(key), fix=fix)  # fmt: skip


def _map_years(raw: RawTable, key: str, rule: Callable[[str], str | None], fix: str) -> pd.Series:
    """Map a year column through ``rule`` (applied once per distinct value)."""
    s = raw.text(key)
    uniq = pd.unique(s)
    table = {u: rule(u) for u in uniq}
    for u, v in table.items():
        if v is None:
            i = int(np.flatnonzero((s == u).to_numpy())[0])
            raise _fail_year(raw, key, i, u, fix)
    return s.map(table)


def _report_year(text: str) -> str | None:
    """Dashboard/local-indicator release year -> school year: "2019" -> "2018-19"."""
    m = re.fullmatch(r"(\d{4})f?", text.strip().lower())
    return school_year(int(m.group(1)) - 1) if m else None


def _cohort_year_5yr(text: str) -> str | None:
    m = re.fullmatch(r"(\d{4})f?", text.strip().lower())
    return school_year(int(m.group(1)) - 2) if m else None


def _school_year_text(text: str) -> str | None:
    t = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})", t)
    if m and (int(m.group(1)) + 1) % 100 == int(m.group(2)):
        return t
    m = re.fullmatch(r"(\d{4})-?(\d{4})", t)  # "2018-2019" or "20182019"
    if m and int(m.group(2)) == int(m.group(1)) + 1:
        return school_year(int(m.group(1)))
    return None


def _cds(raw: RawTable, key: str, width: int = 14) -> pd.Series:
    """A CDS code column as zero-padded text of ``width`` digits (Excel drops leading
    zeros; they are restored)."""
    s = raw.text(key)
    ok = s.str.fullmatch(rf"\d{{1,{width}}}").to_numpy()
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise SchemaError(
            f"{s.iloc[i]!r} is not a CDS code of at most {width} digits",
            file=raw.path,
            row=raw.row(i),
            column=raw.col(key),
            fix="CDS codes are digits only; keep the column as text so its leading zeros stay",
        )
    return s.str.zfill(width)


def _cds_parts(raw: RawTable, county: str, district: str, school: str) -> pd.Series:
    parts = []
    for key, width in ((county, 2), (district, 5), (school, 7)):
        s = raw.text(key)
        s = s.where(s != "", "0")
        ok = s.str.fullmatch(rf"\d{{1,{width}}}").to_numpy()
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise SchemaError(
                f"{s.iloc[i]!r} is not a code of at most {width} digits",
                file=raw.path,
                row=raw.row(i),
                column=raw.col(key),
                fix="county, district and school codes are digits; keep them as text",
            )
        parts.append(s.str.zfill(width))
    return parts[0] + parts[1] + parts[2]


def _levels(raw: RawTable, key: str, table: dict[str, str]) -> np.ndarray:
    s = raw.text(key).str.upper()
    out = s.map({u: table.get(u) for u in pd.unique(s)})
    bad = out.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SchemaError(
            f"{s.iloc[i]!r} is not a level code (expected one of {sorted(table)})",
            file=raw.path,
            row=raw.row(i),
            column=raw.col(key),
            fix="correct the cell or download the file again",
        )
    return out.to_numpy(dtype=object)


def _groups(codes: pd.Series, unknown: set[str]) -> pd.Series:
    names = {**STUDENT_GROUPS, **GRADE_SPANS}
    uniq = pd.unique(codes)
    table = {u: names.get(str(u).upper()) for u in uniq}
    unknown.update(u for u, v in table.items() if v is None)
    return codes.map({u: (u if v is None else v) for u, v in table.items()})


def _zero_nan(x: np.ndarray) -> np.ndarray:
    return np.where(x == 0, np.nan, x)


def _check_rates(raw: RawTable, num, den, val, value_key: str) -> None:
    """A percent must equal 100 * numerator / denominator to CDE's rounding."""
    ok = ~np.isnan(num) & ~np.isnan(den) & ~np.isnan(val) & (den > 0)
    if not ok.any():
        return
    # CDE caps the CELDT-era ELPI at 100 (its numerator counts reclassified students the
    # denominator does not), and the 2019 files round twice (to 0.01, then to 0.1), so the
    # largest honest gap is 0.055.
    diff = np.abs(val[ok] - np.minimum(100.0, 100.0 * num[ok] / den[ok]))
    bad = diff > 0.056
    if bad.any():
        i = int(np.flatnonzero(ok)[np.flatnonzero(bad)[0]])
        raise SchemaError(
            f"the rate {val[i]:g} is not 100 * {num[i]:g} / {den[i]:g} = "
            f"{100 * num[i] / den[i]:.2f} ({int(bad.sum())} such row(s)); the columns may "
            "have shifted",
            file=raw.path,
            row=raw.row(i),
            column=raw.col(value_key),
            fix="download the file again; if it was edited, check the numerator, denominator "
            "and rate columns line up",
        )


def _text_col(x, n: int) -> pd.Series:
    """A text column of length ``n`` from a scalar, a Series or an array, without a round
    trip through Python objects when it is already text."""
    if isinstance(x, str):
        return pd.Series(x, index=pd.RangeIndex(n), dtype="str")
    if isinstance(x, pd.Series):
        return x.reset_index(drop=True).astype("str")
    return pd.Series(np.asarray(x, dtype=object), dtype="str")


def _outcomes(raw: RawTable, *, cds, level, year, group_code, indicator, numerator,
              denominator, value, suppressed, name, lea, status_level=None, change=None,
              change_level=None, color=None, unknown: set[str] | None = None,
              group=None) -> pd.DataFrame:  # fmt: skip
    n = len(raw.frame)
    nan = np.full(n, np.nan)
    unknown = set() if unknown is None else unknown
    if group is not None:
        groups = group
    elif not isinstance(group_code, str):
        groups = _groups(_text_col(group_code, n), unknown)
    else:
        groups = STUDENT_GROUPS.get(group_code, group_code)

    def f(x):
        return nan if x is None else np.asarray(x, dtype=float)

    cols = {
        C.CDS: _text_col(cds, n),
        C.LEA_TYPE: _text_col(lea, n),
        C.LEVEL: _text_col(level, n),
        C.YEAR: _text_col(year, n),
        C.GROUP: _text_col(groups, n),
        C.INDICATOR: _text_col(indicator, n),
        C.NUMERATOR: f(numerator),
        C.DENOMINATOR: f(denominator),
        C.VALUE: f(value),
        C.SUPPRESSED: np.asarray(suppressed, dtype=bool),
        C.NAME: _text_col(name, n),
        C.GROUP_CODE: _text_col(group_code, n),
        C.STATUS_LEVEL: f(status_level),
        C.CHANGE: f(change),
        C.CHANGE_LEVEL: f(change_level),
        C.COLOR: f(color),
        C.SOURCE: _text_col(raw.path.name, n),
    }
    df = pd.DataFrame(cols)
    df.attrs["unknown_groups"] = sorted(unknown)
    return df


def _opt(raw: RawTable, key: str, *, zero_nan: bool = False) -> np.ndarray | None:
    if not raw.has(key):
        return None
    v, _ = to_number(raw, key)
    return _zero_nan(v) if zero_nan else v


def _name(raw: RawTable, keys: tuple[str, ...], default: str) -> np.ndarray:
    out = pd.Series(default, index=raw.frame.index, dtype=str)
    for k in reversed(keys):
        if raw.has(k):
            s = raw.text(k)
            out = s.where(s != "", out)
    return out


# ---------------------------------------------------------------------------------------
# Dashboard downloads


def _dashboard_indicator(raw: RawTable, fmt: str, kind: str | None) -> np.ndarray | str:
    """Indicator of a Dashboard file: fixed by layout, or from kind / indicator column /
    file name for the layouts two indicators share."""
    fixed = {
        "dashboard_grad_2017f": "graduation",
        "dashboard_grad_2018": "graduation",
        "dashboard_grad_2019": "graduation",
        "dashboard_grad5yr": "graduation_5yr",
        "dashboard_elpi_2017f": "elpi",
        "dashboard_elpi_2018": "elpi",
        "dashboard_elpi_2019": "elpi",
        "dashboard_cci_2017f": "college_career",
    }.get(fmt)
    if fixed is not None:
        if kind is None:
            return fixed
        if fixed.startswith("graduation") and kind in ("graduation", "graduation_5yr"):
            return kind
        if kind != fixed:
            raise UnknownFormatError(
                f"kind={kind!r} does not fit this file, whose header is the {fmt} layout ({fixed})",
                file=raw.path,
                fix=f"leave kind=None or pass kind={fixed!r}",
            )
        return fixed
    allowed = {
        "dashboard_academic11_2017f": ("ela_dfs", "math_dfs"),
        "dashboard_academic": ("ela_dfs", "math_dfs"),
    }.get(fmt, tuple(i for i in INDICATORS if i != LOCAL))
    if kind is not None:
        if kind not in allowed:
            raise UnknownFormatError(
                f"kind={kind!r} does not fit the {fmt} layout",
                file=raw.path,
                fix=f"pass one of {list(allowed)}",
            )
        return kind
    if raw.has("indicator"):
        codes = raw.text("indicator").str.lower()
        mapped = codes.map(_DASH_CODES)
        bad = mapped.isna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise UnknownFormatError(
                f"indicator code {codes.iloc[i]!r} is not one this reader knows "
                f"({sorted(_DASH_CODES)})",
                file=raw.path,
                row=raw.row(i),
                column=raw.col("indicator"),
                fix="pass kind= with the indicator this file holds",
            )
        return mapped.to_numpy(dtype=object)
    stem = raw.path.name.lower().removeprefix("synthetic_").removeprefix("dashboard_")
    for prefix, ind in _DASH_CODES.items():
        if stem.startswith(prefix) and ind in allowed:
            return ind
    raise UnknownFormatError(
        f"the {fmt} layout is shared by several indicators ({list(allowed)}) and neither the "
        "header nor the file name says which this file holds",
        file=raw.path,
        fix=f"pass kind=, one of {list(allowed)}",
    )


def _read_dashboard(raw: RawTable, fmt: str, *, kind: str | None, **_) -> pd.DataFrame:
    indicator = _dashboard_indicator(raw, fmt, kind)
    cds = _cds(raw, "cds")
    level = _levels(raw, "rtype", _RTYPE)
    rule = _cohort_year_5yr if (isinstance(indicator, str) and indicator == "graduation_5yr") else _report_year  # fmt: skip
    year = _map_years(raw, "reportingyear", rule,
                      'Dashboard reportingyear is "2017f" or a 4-digit year such as "2019"')  # fmt: skip
    n = len(raw.frame)
    nan = np.full(n, np.nan)
    if fmt == "dashboard_elpi_2018":
        num, _ = to_number(raw, "pl4")
        den, _ = to_number(raw, "pltotct")
        val, _ = to_number(raw, "pl4pct")
        val_key = "pl4pct"
    elif fmt == "dashboard_cci_2017f":
        num, _ = to_number(raw, "currprep")
        den, _ = to_number(raw, "currdenom")
        val, _ = to_number(raw, "currstatus")
        val_key = "currstatus"
    else:
        num = to_number(raw, "currnumer")[0] if raw.has("currnumer") else nan
        den, _ = to_number(raw, "currdenom")
        val, _ = to_number(raw, "currstatus")
        val_key = "currstatus"
    ind_arr = np.broadcast_to(np.asarray(indicator, dtype=object), (n,))
    pct = np.isin(ind_arr, list(_PERCENT))
    _check_rates(raw, np.where(pct, num, np.nan), den, val, val_key)
    group = raw.text("studentgroup") if raw.has("studentgroup") else "EL"
    df = _outcomes(
        raw,
        cds=cds,
        lea=lea_type(
            cds,
            level=level,
            charter=raw.text("charterflag") if raw.has("charterflag") else None,
            coe=raw.text("coeflag") if raw.has("coeflag") else None,
        ),
        level=level,
        year=year,
        group_code=group,
        indicator=indicator,
        numerator=num,
        denominator=den,
        value=val,
        suppressed=np.isnan(val),
        name=_name(raw, ("schoolname", "districtname", "countyname"), "California"),
        status_level=_opt(raw, "statuslevel", zero_nan=True),
        change=_opt(raw, "change"),
        change_level=_opt(raw, "changelevel", zero_nan=True),
        color=_opt(raw, "color", zero_nan=True),
    )
    return df


# ---------------------------------------------------------------------------------------
# DataQuest research files


def _read_dataquest(raw: RawTable, fmt: str, *, kind: str | None, **_) -> pd.DataFrame:
    spec = {
        "dataquest_chronic": ("chronic_absenteeism", "chronicabsenteeismcount",
                              "chronicabsenteeismeligiblecumulativeenrollment",
                              "chronicabsenteeismrate"),
        "dataquest_chronic_2024": ("chronic_absenteeism", "chronicabsenteeismcount",
                                   "chronicabsenteeismeligiblecumulativeenrollment",
                                   "chronicabsenteeismrate"),
        "dataquest_suspension": ("suspension", "unduplicatedcountofstudentssuspended(total)",
                                 "cumulativeenrollment", "suspensionrate(total)"),
        "dataquest_acgr": ("graduation", "regularhsdiplomagraduates(count)", "cohortstudents",
                           "regularhsdiplomagraduates(rate)"),
    }[fmt]  # fmt: skip
    indicator, num_key, den_key, val_key = spec
    if kind is not None and kind != indicator:
        raise UnknownFormatError(
            f"kind={kind!r} does not fit this {fmt} file ({indicator})",
            file=raw.path,
            fix=f"leave kind=None or pass kind={indicator!r}",
        )
    level = _levels(raw, "aggregatelevel", _AGG)
    keep = level == "school"
    charter_key = next((k for k in ("charterschool", "charteryn", "charter") if raw.has(k)), None)
    sub = np.ones(len(keep), dtype=bool)
    for k in (charter_key, "dass"):
        if k is not None and raw.has(k):
            sub &= raw.text(k).str.casefold().isin(["all", ""]).to_numpy()
    keep |= sub
    dropped = int((~keep).sum())
    if dropped:
        raw = raw.subset(keep)
        level = level[keep]
    cds = _cds_parts(raw, "countycode", "districtcode", "schoolcode")
    year = _map_years(raw, "academicyear", _school_year_text,
                      'AcademicYear must be a school year such as "2018-19"')  # fmt: skip
    num, s1 = to_number(raw, num_key) if raw.has(num_key) else (np.full(len(level), np.nan),
                                                                  np.zeros(len(level), bool))  # fmt: skip
    den, s2 = to_number(raw, den_key)
    val, s3 = to_number(raw, val_key)
    _check_rates(raw, num, den, val, val_key)
    df = _outcomes(
        raw,
        cds=cds,
        lea=lea_type(cds, level=level, charter=raw.text(charter_key) if charter_key else None),
        level=level,
        year=year,
        group_code=raw.text("reportingcategory"),
        indicator=indicator,
        numerator=num,
        denominator=den,
        value=val,
        suppressed=s1 | s2 | s3,
        name=_name(raw, ("schoolname", "districtname", "countyname"), "California"),
    )
    df.attrs["rows_dropped"] = dropped
    return df


# ---------------------------------------------------------------------------------------
# Local indicators


def _met_values(raw: RawTable, key: str) -> np.ndarray:
    s = raw.text(key).str.casefold()
    out = s.map(_MET).to_numpy(dtype=float)
    known = s.isin([*_MET, "na", "n/a", ""]).to_numpy()
    if not known.all():
        i = int(np.flatnonzero(~known)[0])
        raise SchemaError(
            f"{raw.text(key).iloc[i]!r} is not Met / Not Met / Not Met For Two or More Years / NA",
            file=raw.path,
            row=raw.row(i),
            column=raw.col(key),
            fix="correct the cell or download the file again",
        )
    return out


def _lea_level(cds: pd.Series) -> np.ndarray:
    return np.where(cds.str.endswith("0000000").to_numpy(), "district", "school").astype(object)


def _file_year(raw: RawTable, year: str | None) -> str:
    if year is not None:
        y = _school_year_text(str(year))
        if y is None:
            raise SchemaError(f"year={year!r} is not a school year", file=raw.path,
                              fix='pass year="YYYY-YY", e.g. "2017-18"')  # fmt: skip
        return y
    m = re.findall(r"(?<!\d)(20\d{2})(?!\d)", raw.path.name)
    if len(m) != 1:
        raise SchemaError(
            "this file has no year column and its name does not hold one 4-digit year",
            file=raw.path,
            fix='pass year="YYYY-YY" (LocalIndPerf2018.txt describes 2017-18)',
        )
    return school_year(int(m[0]) - 1)


def _read_localind_perf(raw: RawTable, fmt: str, *, kind: str | None, year: str | None = None,
                        **_) -> pd.DataFrame:  # fmt: skip
    if kind not in (None, LOCAL):
        raise UnknownFormatError(f"kind={kind!r} does not fit a LocalIndPerf file",
                                 file=raw.path, fix=f"leave kind=None or pass {LOCAL!r}")  # fmt: skip
    cds = _cds(raw, "cds")
    y = _file_year(raw, year)
    val = _met_values(raw, "performance")
    name = _name(raw, ("leaname",), "")
    return _outcomes(
        raw,
        cds=cds,
        lea=lea_type(cds, name=name, lea_file=True),
        level=_lea_level(cds),
        year=np.full(len(cds), y, dtype=object),
        group_code="P" + raw.text("localindicator").str.extract(r"(\d+)\s*$")[0].fillna(""),
        indicator=LOCAL,
        numerator=np.full(len(cds), np.nan),
        denominator=np.full(len(cds), np.nan),
        value=val,
        suppressed=np.zeros(len(cds), bool),
        name=name,
        group=raw.text("localindicator").to_numpy(dtype=object),
    )


def _priority_outcomes(raw: RawTable, status_key: str) -> pd.DataFrame:
    cds = _cds(raw, "cdscode")
    year = _map_years(raw, "year", _report_year, 'the year column must be 4 digits, e.g. "2023"')
    pn = raw.text("prioritynumber" if raw.has("prioritynumber") else "priorityid")
    labels = pn.map(lambda x: PRIORITY_LABELS.get(x, f"Priority Area {x}"))
    name = _name(raw, ("lea",), "")
    df = _outcomes(
        raw,
        cds=cds,
        lea=lea_type(cds, name=name, lea_file=True),
        level=_lea_level(cds),
        year=year,
        group_code="",
        indicator=LOCAL,
        numerator=np.full(len(cds), np.nan),
        denominator=np.full(len(cds), np.nan),
        value=_met_values(raw, status_key),
        suppressed=np.zeros(len(cds), bool),
        name=name,
    )
    df[C.GROUP] = labels.to_numpy(dtype=object).astype(str)
    df[C.GROUP_CODE] = ("P" + pn).to_numpy(dtype=object).astype(str)
    return df


def _read_priority6(raw: RawTable, fmt: str, *, kind: str | None, **_) -> pd.DataFrame:
    if kind not in (None, LOCAL):
        raise UnknownFormatError(f"kind={kind!r} does not fit a Priority 6 file",
                                 file=raw.path, fix=f"leave kind=None or pass {LOCAL!r}")  # fmt: skip
    key = "performance" if raw.has("performance") else "countyperformance"
    return _priority_outcomes(raw, key)


#: Rating columns of the 2019-2021 Priority 3 files (pipe-delimited, adopted 2018 tool)
#: -> the item ids of the current tool. CDE's 2019 record layout
#: (https://www.cde.ca.gov/ta/ac/cm/localindpriority32019.asp) describes ``buildingRelationship``,
#: ``environmentRelationship`` and ``staffSupportRelationship`` with the wording of
#: DevelopStaffCapacityRelationship, EnvironmentRelationship and StaffSupportRelationship;
#: the other nine are matched by their place in the same order and their names.
P3_OLD_ITEMS = {
    "buildingrelationship": "DevelopStaffCapacityRelationship",
    "environmentrelationship": "EnvironmentRelationship",
    "staffsupportrelationship": "StaffSupportRelationship",
    "opportunityrelationship": "OpportunityRelationship",
    "professionallearningpartnership": "ProfessionalLearningPartnership",
    "resourcepartnership": "ResourcesPartnership",
    "implementationpartnership": "PoliciesProgramsPartnership",
    "legalrightspartnership": "LegalRightsPartnership",
    "effectiveengagementgroupdecision": "SupportStaffCapacityInput",
    "effectiveengagementdecision": "SupportFamilyCapacityInput",
    "strategydecision": "StrategiesInput",
    "familyengagementdecision": "CollaborationtInput",
}


def _p3_columns(raw: RawTable) -> dict[str, str]:
    """Instrument item id -> column as written.

    CDE spells the columns differently by year: in full (``DevelopStaffCapacityRelationship``),
    cut at 30 characters in the 2023 and 2024 files (``DevelopStaffCapacityRelationsh``) or at
    20 in 2025 (``DevelopStaffCapacity``), with a trailing ``s`` in 2022
    (``DevelopStaffCapacityRelationships``), or with the 2019-2021 names of
    :data:`P3_OLD_ITEMS`. A column matches an item when one folded name starts with the other
    and the shorter has at least 20 characters.
    """
    from ..instruments import load_instrument

    inst = load_instrument(P3_TOOL)
    keys = raw.keys
    out: dict[str, str] = {}
    missing = []
    old = {v: k for k, v in P3_OLD_ITEMS.items()}
    for item in inst.item_ids:
        full = norm_key(item)
        hit = keys.get(full) or keys.get(old[item])
        if hit is None:
            cands = [
                v
                for k, v in keys.items()
                if min(len(k), len(full)) >= 20 and (full.startswith(k) or k.startswith(full))
            ]
            hit = cands[0] if len(cands) == 1 else None
        if hit is None:
            missing.append(item)
        else:
            out[item] = hit
    if missing:
        raise SchemaError(
            f"the Priority 3 rating column(s) {missing} are missing; columns seen: {raw.header}",
            file=raw.path,
            column=missing[0],
            fix="use the CDE Priority 3 file as published (12 rating columns)",
        )
    return out


def _p3_status_key(raw: RawTable) -> str:
    return "countyperformance" if raw.has("countyperformance") else "performance"


def _read_priority3(raw: RawTable, fmt: str, *, kind: str | None,
                    include_charters: bool = True, **_) -> pd.DataFrame:  # fmt: skip
    if kind == LOCAL:
        return _priority_outcomes(raw, _p3_status_key(raw))
    if kind not in (None, RATINGS):
        raise UnknownFormatError(
            f"kind={kind!r} does not fit a Priority 3 file",
            file=raw.path,
            fix=f"leave kind=None (ratings) or pass {LOCAL!r} for its Met / Not Met status",
        )
    from ..instruments import load_instrument

    inst = load_instrument(P3_TOOL)
    cols = _p3_columns(raw)
    cds = _cds(raw, "cdscode")
    year = _map_years(raw, "year", _report_year, 'the year column must be 4 digits, e.g. "2023"')
    name_all = raw.text("lea") if raw.has("lea") else pd.Series("", index=cds.index, dtype=str)
    lea_all = lea_type(cds, name=name_all, lea_file=True)
    keep = np.ones(len(cds), bool) if include_charters else lea_all != "charter"
    ratings = []
    for col in cols.values():
        key = norm_key(col)
        v, star = to_number(raw, key)
        v = np.where(star | (v == 0), np.nan, v)
        bad = ~np.isnan(v) & ((v < 1) | (v > 5) | (v != np.round(v)))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise SchemaError(
                f"rating {v[i]:g} is not a whole number from 1 to 5",
                file=raw.path,
                row=raw.row(i),
                column=col,
                fix="Priority 3 ratings are 1-5 (0 or blank for no rating)",
            )
        ratings.append(v)
    items = list(cols)
    k, n = len(items), int(keep.sum())
    mat = np.column_stack(ratings)[keep]  # rows x items
    name = name_all.to_numpy(dtype=object)[keep]
    cds_k = cds.to_numpy(dtype=object)[keep]
    df = pd.DataFrame(
        {
            C.CDS: np.repeat(cds_k, k),
            C.DISTRICT_ID: np.repeat(np.array([c[:7] for c in cds_k], dtype=object), k),
            C.LEA_TYPE: np.repeat(lea_all[keep], k),
            C.YEAR: np.repeat(year[keep], k),
            C.TOOL: P3_TOOL,
            C.ITEM: np.tile(np.array(items, dtype=object), n),
            C.RATING: mat.reshape(-1).astype(float),
            C.SECTION: np.tile(
                np.array([inst.scale_labels[inst.scale_of(i)] for i in items], dtype=object), n
            ),
            C.NAME: np.repeat(name, k),
        }
    )
    for c in (C.CDS, C.DISTRICT_ID, C.LEA_TYPE, C.YEAR, C.TOOL, C.ITEM, C.SECTION, C.NAME):
        df[c] = df[c].astype(str)
    df.attrs["rows_dropped"] = int((~keep).sum())
    return df


# ---------------------------------------------------------------------------------------
# Lookups: directory and CAASPP


def _na_text(s: pd.Series) -> pd.Series:
    return s.where(~s.isin(["No Data", ""]), None).astype(str)


def _read_directory(raw: RawTable, fmt: str, *, kind: str | None, **_) -> pd.DataFrame:
    doc = raw.text("doc").str.zfill(2)
    lat, _ = to_number(raw, "latitude") if raw.has("latitude") else (None, None)
    lon, _ = to_number(raw, "longitude") if raw.has("longitude") else (None, None)
    d7 = _cds(raw, "cdcode", 7)
    df = pd.DataFrame(
        {
            C.CDS: d7 + "0000000",
            C.DISTRICT_ID: d7,
            C.LEA_TYPE: lea_type_from_doc(doc),
            C.NAME: _na_text(raw.text("district")),
            C.COUNTY: _na_text(raw.text("county")),
            C.DISTRICT_TYPE: doc.map(_DOC_TYPE).astype(str),
            STATUS: _na_text(raw.text("statustype")),
            DOC: doc,
            DOC_TYPE: _na_text(raw.text("doctype")) if raw.has("doctype") else None,
            LATITUDE: lat,
            LONGITUDE: lon,
        }
    )
    return df


def _read_entities(raw: RawTable, fmt: str, *, kind: str | None, **_) -> pd.DataFrame:
    level = _levels(raw, "typeid", _TYPE_ID)
    county = _na_text(raw.text("countyname"))
    district = _na_text(raw.text("districtname"))
    school = _na_text(raw.text("schoolname"))
    name = school.fillna(district).fillna(county)
    name = name.where(level != "state", county)
    year = _map_years(raw, "testyear", _report_year, 'Test Year must be 4 digits, e.g. "2024"')
    cds = _cds_parts(raw, "countycode", "districtcode", "schoolcode")
    tid = raw.text("typeid").str.lstrip("0")
    return pd.DataFrame(
        {
            C.CDS: cds,
            C.LEA_TYPE: lea_type(cds, level=level, charter=tid.isin(["9", "10"])),
            C.LEVEL: pd.Series(level, dtype=str),
            C.NAME: name,
            C.COUNTY: county,
            DISTRICT: district,
            SCHOOL: school,
            TYPE_ID: raw.text("typeid").astype(int),
            C.YEAR: pd.Series(year, dtype=str),
            ZIP: _na_text(raw.text("zipcode")) if raw.has("zipcode") else None,
        }
    )


def _read_groups(raw: RawTable, fmt: str, *, kind: str | None, **_) -> pd.DataFrame:
    code = raw.text("demographicid")
    num = to_number(raw, "demographicidnum")[0] if raw.has("demographicidnum") else None
    return pd.DataFrame(
        {
            C.GROUP_CODE: code.str.zfill(3),
            GROUP_ID: num,
            C.GROUP: raw.text("demographicname"),
            CATEGORY: raw.text("studentgroup"),
        }
    )


# ---------------------------------------------------------------------------------------
# detection


def _dash(raw: RawTable) -> bool:
    return raw.has("cds", "rtype", "reportingyear")


def _dq(raw: RawTable) -> bool:
    return raw.has("academicyear", "aggregatelevel", "countycode", "districtcode",
                   "schoolcode", "reportingcategory")  # fmt: skip


def _five_year(raw: RawTable) -> bool:
    # The five-year file spells its group column ``StudentGroup``; the four-year files
    # spell it ``studentgroup``. It also carries no colour at all.
    col = raw.keys.get("studentgroup", "")
    return col == "StudentGroup"


_FORMATS: tuple[_Format, ...] = (
    _Format("caaspp_research", "caaspp", "CAASPP Smarter Balanced research file",
            more.is_caaspp_research, more.read_caaspp_research),
    _Format("assistance_status", "assistance", "LCFF assistance status (Differentiated "
            "Assistance)", more.is_assistance, more.read_assistance),
    _Format("upc", "upc", "CALPADS unduplicated pupil count (UPC)", more.is_upc,
            more.read_upc),
    _Format("dashboard_census_enrollment", "enrollment", "Dashboard Census Day enrollment",
            more.is_dashboard_enrollment, more.read_dashboard_enrollment),
    _Format("dataquest_census_enrollment", "enrollment", "DataQuest Census Day enrollment",
            lambda r: _dq(r) and (r.has("totalenr") or r.has("enrtotal")
                                  or r.has("totalenrollment")),
            more.read_census_enrollment),
    _Format("caaspp_entities_2023", "caaspp", "CAASPP entities, 2023 column order",
            lambda r: r.has("countycode", "districtcode", "schoolcode", "typeid", "testyear")
            and r.header.index(r.col("typeid")) > r.header.index(r.col("testyear")),
            _read_entities),
    _Format("caaspp_entities", "caaspp", "CAASPP entities (2024 on)",
            lambda r: r.has("countycode", "districtcode", "schoolcode", "typeid", "testyear"),
            _read_entities),
    _Format("caaspp_studentgroups", "caaspp", "CAASPP student groups",
            lambda r: r.has("demographicid", "demographicname", "studentgroup"), _read_groups),
    _Format("directory_pubdistricts", "directory", "CDE district directory (pubdistricts)",
            lambda r: r.has("cdcode", "county", "district", "doc", "statustype"),
            _read_directory),
    _Format("localind_performance", "local_indicator", "LocalIndPerf Met / Not Met",
            lambda r: r.has("cds", "leaname", "localindicator", "performance"),
            _read_localind_perf),
    _Format("localind_priority3", "local_indicator", "Priority 3 self-reflection ratings",
            lambda r: r.has("cdscode", "environmentrelationship")
            and (r.has("prioritynumber") or r.has("priorityid")),
            _read_priority3),
    _Format("localind_priority6_2019", "local_indicator", "Priority 6 pipe file (2019)",
            lambda r: r.has("cdscode", "performance", "year", "summary")
            and (r.has("prioritynumber") or r.has("priorityid")),
            _read_priority6),
    _Format("localind_priority6", "local_indicator", "Priority 6 xlsx (2023 on)",
            lambda r: r.has("cdscode", "prioritynumber", "countyperformance", "year")
            and r.has("summary"),
            _read_priority6),
    _Format("dashboard_elpi_2018", "dashboard", "Dashboard ELPI 2018 (ELPAC levels)",
            lambda r: _dash(r) and r.has("pl4", "pl4pct", "pltotct"), _read_dashboard),
    _Format("dashboard_elpi_2017f", "dashboard", "Dashboard ELPI Fall 2017",
            lambda r: _dash(r) and r.has("currtesters", "currnumer"), _read_dashboard),
    _Format("dashboard_elpi_2019", "dashboard", "Dashboard ELPI 2019",
            lambda r: _dash(r) and r.has("currprogressed", "currnumer"), _read_dashboard),
    _Format("dashboard_cci_2017f", "dashboard", "Dashboard college/career Fall 2017",
            lambda r: _dash(r) and r.has("currprep", "currdenom", "currstatus"),
            _read_dashboard),
    _Format("dashboard_academic11_2017f", "dashboard", "Dashboard grade-11 ELA/math Fall 2017",
            lambda r: _dash(r) and r.has("caalevel1num", "currdenom", "currstatus")
            and not r.has("currnumer") and not r.has("dassflag"),
            _read_dashboard),
    _Format("dashboard_grad_2017f", "dashboard", "Dashboard graduation Fall 2017",
            lambda r: _dash(r) and r.has("calmethod", "currnumer", "studentgroup"),
            _read_dashboard),
    _Format("dashboard_grad_2019", "dashboard", "Dashboard graduation 2019",
            lambda r: _dash(r) and r.has("fiveyrnumer", "currnumer", "studentgroup"),
            _read_dashboard),
    _Format("dashboard_indicator_2023", "dashboard", "Dashboard download with indicator column",
            lambda r: _dash(r) and r.has("indicator", "currdenom", "currstatus"),
            _read_dashboard),
    _Format("dashboard_status_2019", "dashboard", "Dashboard chronic/suspension 2019",
            lambda r: _dash(r) and r.has("certifyflag", "currnumer", "currdenom", "currstatus"),
            _read_dashboard),
    _Format("dashboard_grad5yr", "dashboard", "Dashboard five-year graduation rate",
            lambda r: _dash(r) and r.has("safetynet", "currnumer", "currdenom", "currstatus")
            and _five_year(r),
            _read_dashboard),
    _Format("dashboard_grad_2018", "dashboard", "Dashboard graduation 2018",
            lambda r: _dash(r) and r.has("safetynet", "currnumer", "currdenom", "currstatus",
                                         "dassflag"),
            _read_dashboard),
    _Format("dashboard_status", "dashboard", "Dashboard status/change download",
            lambda r: _dash(r) and r.has("currnumer", "currdenom", "currstatus", "studentgroup"),
            _read_dashboard),
    _Format("dashboard_academic", "dashboard", "Dashboard ELA/math (distance from standard)",
            lambda r: _dash(r) and r.has("currdenom", "currstatus", "studentgroup")
            and not r.has("currnumer"),
            _read_dashboard),
    _Format("dataquest_chronic_2024", "dataquest", "DataQuest chronic absenteeism 2024-25 on",
            lambda r: _dq(r) and r.has("chronicabsenteeismrate")
            and " " in r.col("academicyear"),
            _read_dataquest),
    _Format("dataquest_chronic", "dataquest", "DataQuest chronic absenteeism",
            lambda r: _dq(r) and r.has("chronicabsenteeismrate"), _read_dataquest),
    _Format("dataquest_suspension", "dataquest", "DataQuest suspension",
            lambda r: _dq(r) and r.has("suspensionrate(total)"), _read_dataquest),
    _Format("dataquest_acgr", "dataquest", "DataQuest four-year ACGR",
            lambda r: _dq(r) and r.has("cohortstudents", "regularhsdiplomagraduates(rate)"),
            _read_dataquest),
)  # fmt: skip

#: Supported formats: name -> description.
CDE_FORMATS: dict[str, str] = {f.name: f.describe for f in _FORMATS}


def _supported() -> str:
    return "; ".join(f"{f.name} ({f.describe})" for f in _FORMATS)


def _detect(raw: RawTable) -> _Format:
    for f in _FORMATS:
        if f.test(raw):
            return f
    hint = ""
    if raw.has("cdscode") and raw.has("prioritynumber"):
        hint = " It looks like a local-indicator file of a priority or year layout not supported."
    elif _dash(raw):
        missing = [k for k in ("studentgroup", "currdenom", "currstatus") if not raw.has(k)]
        raise SchemaError(
            f"a Dashboard download (cds, rtype, reportingyear) without the column(s) {missing}; "
            f"columns seen: {raw.header}",
            file=raw.path,
            column=missing[0] if missing else None,
            fix="use the Dashboard file as downloaded: every layout has currdenom and currstatus",
        )
    elif _dq(raw):
        raise SchemaError(
            "a DataQuest research file without a measure this reader knows (ChronicAbsenteeism"
            "Rate, Suspension Rate (Total), or CohortStudents with Regular HS Diploma "
            f"Graduates (Rate)); columns seen: {raw.header}",
            file=raw.path,
            fix="give the chronic absenteeism, suspension or ACGR file as downloaded",
        )
    elif raw.has("cdscode", "ncesdist"):
        hint = " It looks like pubschls.txt (schools directory), which is not supported; use pubdistricts.txt."
    raise UnknownFormatError(
        f"the header is not one of a supported CDE file.{hint} Columns seen: {raw.header[:40]}",
        file=raw.path,
        row=raw.header_row,
        fix=f"give an original CDE download of a supported family: {_supported()}",
    )


def detect_cde_format(path: str | Path) -> str:
    """Name the family and year layout of a CDE file from its header line.

    Parameters
    ----------
    path : a CDE download (tab/pipe/caret text or xlsx).

    Returns
    -------
    str, one of :data:`CDE_FORMATS` (e.g. ``"dashboard_grad_2019"``,
    ``"dataquest_chronic_2024"``, ``"localind_priority3"``).

    Raises
    ------
    UnknownFormatError naming the file, the columns seen and the supported families.

    Examples
    --------
    >>> detect_cde_format("graddownload2019.txt")        # doctest: +SKIP
    'dashboard_grad_2019'
    """
    return _detect(read_raw(path)).name


def read_cde(
    path: str | Path,
    *,
    kind: str | None = None,
    year: str | None = None,
    include_charters: bool = True,
) -> pd.DataFrame:
    """Read a CDE download into a canonical table.

    Parameters
    ----------
    path : the file as downloaded from CDE (see the module docstring for the formats).
    kind : which table or indicator to return where the header leaves a choice:
        an indicator of :data:`~cei_metrics.schemas.INDICATORS` for Dashboard layouts two
        indicators share (``"ela_dfs"``/``"math_dfs"``, ``"chronic_absenteeism"``/
        ``"suspension"``) or to read a graduation file as ``"graduation_5yr"``;
        ``"local_indicator"`` to read a Priority 3 file's Met / Not Met status instead of
        its ratings. None (default) takes what the header says.
    year : school year ``"YYYY-YY"`` for files without a year column (LocalIndPerf);
        default: from the four digits of the file name, Dashboard rule (2018 -> "2017-18").
    include_charters : Priority 3 ratings only: False drops the charter LEAs (default
        True: every LEA of the file is kept, keyed by its 14-digit ``cds``).

    Returns
    -------
    DataFrame: the canonical ``outcomes`` table for Dashboard, DataQuest and Met / Not Met
    files; the ``ratings`` table for Priority 3; a directory or lookup frame for
    ``pubdistricts`` and CAASPP entities / student groups (shapes in the module
    docstring). ``df.attrs`` holds ``cde_format``, ``source`` and ``synthetic``.

    Raises
    ------
    UnknownFormatError for a header no reader knows; SchemaError for malformed content
    (missing columns, non-numeric counts, truncated rows, wrong delimiter, a rate that
    disagrees with its counts), each naming file, row and column.

    Examples
    --------
    >>> df = read_cde("graddownload2019.txt")                   # doctest: +SKIP
    >>> row = df[(df.level == "state") & (df.group_code == "ALL")]
    >>> float(row.value.iloc[0]), float(row.numerator.iloc[0])  # doctest: +SKIP
    (85.9, 437249.0)
    """
    if kind is not None and kind not in (*INDICATORS, RATINGS):
        raise UnknownFormatError(
            f"kind={kind!r} is not known",
            file=path,
            fix=f"pass None, {RATINGS!r} or one of {list(INDICATORS)}",
        )
    raw = read_raw(path)
    fmt = _detect(raw)
    try:
        df = fmt.reader(raw, fmt.name, kind=kind, year=year, include_charters=include_charters)
    except CEIError:
        raise
    except (KeyError, ValueError, TypeError, IndexError) as err:  # pragma: no cover - guard
        raise SchemaError(
            f"the file could not be read as {fmt.name}: {type(err).__name__}: {err}",
            file=raw.path,
            fix="check the file is an unedited CDE download",
        ) from None
    if C.LEVEL in df.columns and C.INDICATOR in df.columns:
        df = df[[*OUTCOMES_COLUMNS, *[c for c in df.columns if c not in OUTCOMES_COLUMNS]]]
    df.attrs["cde_format"] = fmt.name
    df.attrs["source"] = str(raw.path)
    df.attrs["synthetic"] = raw.synthetic
    df.attrs.setdefault("rows_dropped", 0)
    return df
