"""Readers of the CDE families that describe LEAs rather than outcomes: LCFF assistance
status (Differentiated Assistance), Census Day enrollment, the CALPADS unduplicated pupil
count (UPC); and the CAASPP Smarter Balanced research files (outcomes).

:func:`cei_metrics.io.read_cde` dispatches here; the layouts, what in them is verified
and what is assumed, are documented in ``tests/fixtures/cde/README.md`` and in each
reader's docstring. Shared helpers live in :mod:`cei_metrics.io.cde` and are imported
inside the functions (that module imports this one).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from ..errors import SchemaError, UnknownFormatError
from ..schemas import STUDENT_GROUPS, C
from ._cde_read import RawTable, to_number
from .lea import lea_type

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: CAASPP ``Student Group ID`` -> the Dashboard code of the same group, where one exists
#: (IDs and names from CAASPP's ``StudentGroups.txt``, 2025 edition).
CAASPP_GROUP_CODES = {
    "1": "ALL", "128": "SWD", "31": "SED", "160": "EL", "75": "AI", "76": "AS", "74": "AA",
    "77": "FI", "78": "HI", "79": "PI", "80": "WH", "144": "MR", "52": "HOM", "240": "FOS",
    "180": "EO", "8": "RFP", "3": "GM", "4": "GF", "28": "SM",
}  # fmt: skip
#: Names of the other CAASPP student groups (``StudentGroups.txt``, 2025 edition).
CAASPP_GROUP_NAMES = {
    "99": "No reported disabilities", "111": "Not socioeconomically disadvantaged",
    "6": "IFEP, RFEP, and EO (Fluent English proficient and English only)",
    "7": "IFEP (Initial fluent English proficient)", "120": "ELs enrolled less than 12 months",
    "142": "ELs enrolled 12 months or more", "243": "ADEL (Adult English learner)",
    "170": "Ever-EL", "250": "LTEL (Long-Term English learner)",
    "251": "AR-LTEL (At-Risk of becoming LTEL)", "252": "Never-EL",
    "190": "TBD (To be determined)", "29": "Not migrant education",
    "90": "Not a high school graduate", "91": "High school graduate",
    "92": "Some college (includes AA degree)", "93": "College graduate",
    "94": "Graduate school/Post graduate", "121": "Declined to state",
    "50": "Armed forces family member", "51": "Not armed forces family member",
    "53": "Not homeless", "241": "Not foster youth",
    **{str(200 + i): f"{n} (socioeconomically disadvantaged)" for i, n in enumerate(
        ("Black or African American", "American Indian or Alaska Native", "Asian", "Filipino",
         "Hispanic or Latino", "Native Hawaiian or Pacific Islander", "White",
         "Two or more races"))},
    **{str(220 + i): f"{n} (not socioeconomically disadvantaged)" for i, n in enumerate(
        ("Black or African American", "American Indian or Alaska Native", "Asian", "Filipino",
         "Hispanic or Latino", "Native Hawaiian or Pacific Islander", "White",
         "Two or more races"))},
}  # fmt: skip
#: CAASPP ``Test ID`` -> indicator (Tests.txt: 1 ELA, 2 mathematics).
CAASPP_TESTS = {"1": "ela_pct_met", "2": "math_pct_met"}
CAASPP_ALL_GRADES = "13"
#: Dashboard student-group codes of the assistance-status ``XXpriorities`` columns
#: (``TOM`` is CDE's code there for two or more races, ``MR`` elsewhere).
_DA_GROUPS = {"TOM": "MR"}


def _first_key(raw: RawTable, pred) -> str | None:
    return next((k for k in raw.keys if pred(k)), None)


# ---------------------------------------------------------------------------------------
# LCFF assistance status (Differentiated Assistance)


def is_assistance(raw: RawTable) -> bool:
    return (
        raw.has("cds")
        and _first_key(raw, lambda k: k.startswith("assistancestatus")) is not None
        and _first_key(raw, lambda k: k.endswith("priorities")) is not None
    )


def read_assistance(raw: RawTable, fmt: str, *, kind: str | None, **_) -> pd.DataFrame:
    """LCFF assistance status (``assistancestatus{YY}.xlsx``, ``charterassistance{YY}.xlsx``).

    One row per LEA: ``cds``, ``district_id``, ``lea_type``, ``year`` (school year of the
    Dashboard the status rests on: 2023 -> ``"2022-23"``), ``name``, ``county``,
    ``assistance`` (the status as written), ``da`` (True when it says Differentiated
    Assistance), ``n_groups`` (student groups whose ``XXpriorities`` cell holds a criteria
    letter, A-K; ``*`` and blank mean none) and ``groups_met`` (their Dashboard codes).
    """
    import pandas as pd

    from .cde import _cds, _na_text, _report_year

    cds = _cds(raw, "cds")
    status_key = _first_key(raw, lambda k: k.startswith("assistancestatus"))
    status = raw.text(status_key)
    if raw.has("reportingyear"):
        years = raw.text("reportingyear")
    else:
        m = re.search(r"(20\d{2})", status_key)
        if m is None:
            raise SchemaError(
                "the file has no ReportingYear column and its status column "
                f"{raw.col(status_key)!r} names no year",
                file=raw.path,
                column=raw.col(status_key),
                fix="use the assistance-status workbook as published by CDE",
            )
        years = pd.Series(m.group(1), index=cds.index)
    uniq = {y: _report_year(y) for y in pd.unique(years)}
    bad = [y for y, v in uniq.items() if v is None]
    if bad:
        i = int(np.flatnonzero((years == bad[0]).to_numpy())[0])
        raise SchemaError(f"{bad[0]!r} is not a reporting year", file=raw.path, row=raw.row(i),
                          column="ReportingYear", fix='a 4-digit year such as "2023"')  # fmt: skip
    group_keys = [k for k in raw.keys if k.endswith("priorities")]
    met = []
    for k in group_keys:
        v = raw.text(k).str.upper()
        ok = v.str.fullmatch(r"[A-Z]").to_numpy()
        code = k.removesuffix("priorities").upper()
        met.append((_DA_GROUPS.get(code, code), ok))
    n_groups = np.sum([m for _, m in met], axis=0) if met else np.zeros(len(cds), int)
    groups = [
        ",".join(code for code, m in met if m[i]) for i in range(len(cds))
    ]  # short: one row per LEA
    name = raw.text("leaname") if raw.has("leaname") else pd.Series("", index=cds.index)
    return pd.DataFrame(
        {
            C.CDS: cds,
            C.DISTRICT_ID: cds.str[:7],
            C.LEA_TYPE: lea_type(cds, name=name, lea_file=True),
            C.YEAR: years.map(uniq).astype(str),
            C.NAME: name.astype(str),
            C.COUNTY: _na_text(raw.text("countyname")) if raw.has("countyname") else None,
            C.ASSISTANCE: status.astype(str),
            C.DA: status.str.casefold().str.contains("differentiated").to_numpy(),
            C.N_GROUPS: np.asarray(n_groups, dtype=int),
            C.GROUPS_MET: pd.Series(groups, index=cds.index, dtype=str),
        }
    )


# ---------------------------------------------------------------------------------------
# Census Day enrollment (DataQuest cdenroll{YYYY}; Dashboard censusenrollratesdownload)


def _enroll_frame(raw, *, cds, lea, level, year, code, count, total, suppressed, name):
    import pandas as pd

    from .cde import _groups

    unknown: set[str] = set()
    groups = _groups(pd.Series(code, dtype=str).reset_index(drop=True), unknown)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(total > 0, 100.0 * count / total, np.nan)
    df = pd.DataFrame(
        {
            C.CDS: np.asarray(cds, dtype=object),
            C.LEA_TYPE: np.asarray(lea, dtype=object),
            C.LEVEL: np.asarray(level, dtype=object),
            C.YEAR: np.asarray(year, dtype=object),
            C.GROUP: groups.to_numpy(dtype=object),
            C.GROUP_CODE: np.asarray(code, dtype=object),
            C.ENROLLMENT: np.asarray(count, dtype=float),
            C.PCT_OF_TOTAL: pct,
            C.SUPPRESSED: np.asarray(suppressed, dtype=bool),
            C.NAME: np.asarray(name, dtype=object),
            C.SOURCE: raw.path.name,
        }
    )
    for c in (C.CDS, C.LEA_TYPE, C.LEVEL, C.YEAR, C.GROUP, C.GROUP_CODE, C.NAME, C.SOURCE):
        df[c] = df[c].astype(str)
    df.attrs["unknown_groups"] = sorted(unknown)
    return df


def _total_key(raw: RawTable) -> str:
    for k in ("totalenr", "enrtotal", "totalenrollment", "enrollment"):
        if raw.has(k):
            return k
    raise SchemaError("no total enrollment column (TOTAL_ENR)", file=raw.path,
                      fix="give the Census Day enrollment file as downloaded")  # fmt: skip


def read_census_enrollment(raw: RawTable, fmt: str, *, kind: str | None, **_) -> pd.DataFrame:
    """DataQuest Census Day enrollment (``cdenroll{YYYY}.txt``, 2023-24 on).

    Returns the **enrollment** frame: ``cds``, ``lea_type``, ``level``, ``year``,
    ``group``, ``group_code``, ``enrollment`` (the group's Census Day count),
    ``pct_of_total`` (100 x count / the unit's all-students count of the same file),
    ``suppressed`` (``*``), ``name``, ``source``. As for the other DataQuest files, only
    CDE's ``All`` charter subset is kept above school level.
    """
    from .cde import _AGG, _cds_parts, _levels, _map_years, _name, _school_year_text

    level = _levels(raw, "aggregatelevel", _AGG)
    charter_key = next((k for k in ("charterschool", "charteryn", "charter") if raw.has(k)), None)
    keep = level == "school"
    if charter_key is not None:
        keep |= raw.text(charter_key).str.casefold().isin(["all", ""]).to_numpy()
    else:
        keep |= True
    dropped = int((~keep).sum())
    if dropped:
        raw = raw.subset(keep)
        level = level[keep]
    cds = _cds_parts(raw, "countycode", "districtcode", "schoolcode")
    year = _map_years(raw, "academicyear", _school_year_text,
                      'AcademicYear must be a school year such as "2023-24"')  # fmt: skip
    count, star = to_number(raw, _total_key(raw))
    code = raw.text("reportingcategory").str.upper()
    total = _unit_total(cds, year, code, count, "TA")
    df = _enroll_frame(
        raw,
        cds=cds,
        lea=lea_type(cds, level=level, charter=raw.text(charter_key) if charter_key else None),
        level=level,
        year=year,
        code=code,
        count=count,
        total=total,
        suppressed=star,
        name=_name(raw, ("schoolname", "districtname", "countyname"), "California"),
    )
    df.attrs["rows_dropped"] = dropped
    return df


def _unit_total(cds, year, code, count, all_code: str) -> np.ndarray:
    import pandas as pd

    key = pd.Series(cds).astype(str).to_numpy() + "|" + pd.Series(year).astype(str).to_numpy()
    is_all = pd.Series(code).to_numpy() == all_code
    totals = dict(zip(key[is_all], np.asarray(count)[is_all]))
    return pd.Series(key).map(totals).to_numpy(dtype=float)


def is_dashboard_enrollment(raw: RawTable) -> bool:
    return raw.has("cds", "rtype", "studentgroup", "totalenrollment", "subgrouptotal")


def read_dashboard_enrollment(raw: RawTable, fmt: str, *, kind: str | None, **_) -> pd.DataFrame:
    """Dashboard Census Day enrollment (``censusenrollratesdownload{YYYY}.txt``).

    Layout (CDE, *Record Layout for Census Enrollment Data File*,
    https://www.cde.ca.gov/ta/ac/cm/dbcensusenroll.asp): ``cds rtype studentgroup
    schoolname districtname countyname totalenrollment subgrouptotal rate reportingyear``
    (2022 puts the names before ``studentgroup``; columns are read by name). Returns the
    enrollment frame of :func:`read_census_enrollment`, one row per unit and group plus an
    ``ALL`` row per unit built from ``totalenrollment``; ``pct_of_total`` is CDE's
    ``rate`` (checked against the counts).
    """
    import pandas as pd

    from .cde import _RTYPE, _cds, _check_rates, _levels, _map_years, _name, _report_year

    cds = _cds(raw, "cds")
    level = _levels(raw, "rtype", _RTYPE)
    year = _map_years(raw, "reportingyear", _report_year,
                      'reportingyear is a 4-digit year such as "2023"')  # fmt: skip
    sub = to_number(raw, "subgrouptotal")[0]
    tot = to_number(raw, "totalenrollment")[0]
    rate = to_number(raw, "rate")[0] if raw.has("rate") else np.full(len(cds), np.nan)
    _check_rates(raw, sub, tot, rate, "rate")
    name = _name(raw, ("schoolname", "districtname", "countyname"), "California")
    lea = lea_type(cds, level=level)
    code = raw.text("studentgroup").str.upper()
    first = ~pd.Series(cds.to_numpy() + "|" + np.asarray(year)).duplicated().to_numpy()
    all_rows = dict(cds=cds[first], lea=lea[first], level=level[first],
                    year=np.asarray(year)[first], code=np.full(first.sum(), "ALL"),
                    count=tot[first], total=tot[first], suppressed=np.isnan(tot[first]),
                    name=np.asarray(name)[first])  # fmt: skip
    grp = dict(cds=cds, lea=lea, level=level, year=year, code=code, count=sub, total=tot,
               suppressed=np.isnan(sub), name=name)  # fmt: skip
    a = _enroll_frame(raw, **all_rows)
    b = _enroll_frame(raw, **grp)
    df = pd.concat([a, b], ignore_index=True)
    df.attrs["unknown_groups"] = b.attrs["unknown_groups"]
    return df


# ---------------------------------------------------------------------------------------
# CALPADS unduplicated pupil count


def is_upc(raw: RawTable) -> bool:
    return raw.has("countycode", "districtcode", "totalenrollment") and (
        _first_key(raw, lambda k: "unduplicatedpupilcount" in k) is not None
    )


def _num_like(raw: RawTable, *needles: str) -> np.ndarray | None:
    """The first numeric column whose folded name contains every needle (None if none)."""
    k = _first_key(raw, lambda k: all(n in k for n in needles))
    return None if k is None else to_number(raw, k)[0]


def _num_or_nan(raw: RawTable, n: int, *needles: str) -> np.ndarray:
    x = _num_like(raw, *needles)
    return np.full(n, np.nan) if x is None else x


def read_upc(raw: RawTable, fmt: str, *, kind: str | None, **_) -> pd.DataFrame:
    """CALPADS Unduplicated Pupil Count source file (``cupc{YYYY}-k12.xlsx``), LEA sheet.

    One row per LEA (school code ``0000000``, or a charter school's own code): ``cds``,
    ``district_id``, ``lea_type``, ``year``, ``name``, ``county``, ``enrollment`` (Total
    Enrollment, TK/K-12 on Census Day), ``n_frpm`` (Unduplicated FRPM Eligible Count),
    ``n_el`` (English Learner (EL)), ``n_foster``, ``n_homeless``, ``n_migrant``, ``upc``
    (CALPADS Unduplicated Pupil Count), and the shares ``pct_el``, ``pct_frpm`` and
    ``pct_upc`` (% of enrollment). Rows without a district code (notes, totals) are left
    out and counted in ``df.attrs["rows_dropped"]``. A school-level sheet read this way
    gives the same columns per school.
    """
    import pandas as pd

    from .cde import _cds_parts, _map_years, _na_text, _school_year_text

    dc = raw.text("districtcode")
    keep = (dc != "").to_numpy()
    dropped = int((~keep).sum())
    if dropped:
        raw = raw.subset(keep)
    lea_sheet = not raw.has("schoolcode") or "lea" in (raw.sheet or "").casefold()
    if not raw.has("schoolcode"):
        raw.frame["School Code"] = "0000000"
    cds = _cds_parts(raw, "countycode", "districtcode", "schoolcode")
    year = _map_years(raw, "academicyear", _school_year_text,
                      'Academic Year must be a school year such as "2023-24"')  # fmt: skip
    enroll, _ = to_number(raw, "totalenrollment")
    n = len(cds)
    upc = _num_like(raw, "unduplicatedpupilcount")
    frpm = _num_or_nan(raw, n, "unduplicatedfrpm")
    el = _num_or_nan(raw, n, "englishlearner")
    name_key = "schoolname" if raw.has("schoolname") else "districtname"
    name = raw.text(name_key)
    if name_key == "schoolname":
        name = name.where(name != "", raw.text("districtname") if raw.has("districtname") else "")
    charter_key = _first_key(raw, lambda k: k.startswith("charterschool"))

    def pct(x):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(enroll > 0, 100.0 * x / enroll, np.nan)

    df = pd.DataFrame(
        {
            C.CDS: cds,
            C.DISTRICT_ID: cds.str[:7],
            C.LEA_TYPE: lea_type(
                cds,
                name=name,
                charter=raw.text(charter_key) if charter_key else None,
                lea_file=lea_sheet,
            ),
            C.YEAR: pd.Series(year, dtype=str),
            C.NAME: name.astype(str),
            C.COUNTY: _na_text(raw.text("countyname")) if raw.has("countyname") else None,
            C.ENROLLMENT: enroll,
            C.N_FRPM: frpm,
            C.N_EL: el,
            C.N_FOSTER: _num_or_nan(raw, n, "foster"),
            C.N_HOMELESS: _num_or_nan(raw, n, "homeless"),
            C.N_MIGRANT: _num_or_nan(raw, n, "migrant"),
            C.UPC: upc,
            C.PCT_EL: pct(el),
            C.PCT_FRPM: pct(frpm),
            C.PCT_UPC: pct(upc),
        }
    )
    bad = (df[C.UPC] > df[C.ENROLLMENT]).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SchemaError(
            f"the unduplicated count {df[C.UPC].iloc[i]:g} exceeds the enrollment "
            f"{df[C.ENROLLMENT].iloc[i]:g}; the columns may have shifted",
            file=raw.path,
            row=raw.row(i),
            column=raw.col(_first_key(raw, lambda k: "unduplicatedpupilcount" in k)),
            fix="use the UPC workbook as published by CDE",
        )
    df.attrs["rows_dropped"] = dropped
    return df


# ---------------------------------------------------------------------------------------
# CAASPP Smarter Balanced research files


def is_caaspp_research(raw: RawTable) -> bool:
    return raw.has("countycode", "districtcode", "schoolcode", "testyear", "grade") and (
        raw.has("testid") and raw.has("percentagestandardmetandabove")
    )


def read_caaspp_research(raw: RawTable, fmt: str, *, kind: str | None, **_) -> pd.DataFrame:
    """CAASPP Smarter Balanced research file (``sb_ca{YYYY}_all_csv_v{N}.txt``, the
    caret-delimited text inside the published zip; 2017-19 files are comma-delimited).

    Returns the **outcomes** table, indicator ``ela_pct_met`` or ``math_pct_met`` (Test ID
    1 or 2): ``value`` is *Percentage Standard Met and Above*, ``denominator`` the
    students with scores (*Students with Scores*, *Total Students Tested with Scores* from
    2024), ``numerator`` *Count Standard Met and Above* where the file has it (2024 on),
    ``group`` the CAASPP student group (IDs mapped to the Dashboard codes where the group
    is the same: 1 ALL, 160 EL, 31 SED, 128 SWD, ...). Only the all-grades rows (Grade 13)
    are kept (``df.attrs["rows_dropped"]`` counts the per-grade rows); ``*`` is
    suppression. ``year``: Test Year 2024 (spring) is ``"2023-24"``.
    """
    import pandas as pd

    from .cde import (
        _TYPE_ID,
        _cds_parts,
        _check_rates,
        _levels,
        _map_years,
        _outcomes,
        _report_year,
    )

    grade = raw.text("grade").str.lstrip("0")
    test = raw.text("testid").str.lstrip("0")
    keep = (grade == CAASPP_ALL_GRADES).to_numpy() & test.isin(list(CAASPP_TESTS)).to_numpy()
    dropped = int((~keep).sum())
    raw = raw.subset(keep)
    test = test[keep].reset_index(drop=True)
    cds = _cds_parts(raw, "countycode", "districtcode", "schoolcode")
    if raw.has("typeid"):
        tid = raw.text("typeid").str.lstrip("0")
        level = _levels(raw, "typeid", _TYPE_ID)
        charter = tid.isin(["9", "10"])
    else:
        c = cds.to_numpy(dtype=str)
        level = np.where(
            np.char.endswith(c, "0" * 14), "state",
            np.where(np.char.endswith(c, "0" * 12), "county",
                     np.where(np.char.endswith(c, "0" * 7), "district", "school")),
        ).astype(object)  # fmt: skip
        charter = None
    year = _map_years(raw, "testyear", _report_year, 'Test Year must be 4 digits, e.g. "2024"')
    gkey = "studentgroupid" if raw.has("studentgroupid") else "subgroupid"
    gid = raw.text(gkey).str.lstrip("0")
    codes = gid.map(lambda g: CAASPP_GROUP_CODES.get(g, f"CAASPP{g}"))
    names = gid.map(
        lambda g: STUDENT_GROUPS.get(CAASPP_GROUP_CODES.get(g, ""), CAASPP_GROUP_NAMES.get(g))
    )
    unknown = sorted(set(gid[names.isna()]))
    names = names.fillna("CAASPP group " + gid)
    val, s1 = to_number(raw, "percentagestandardmetandabove")
    den_key = next(k for k in ("studentswithscores", "totalstudentstestedwithscores",
                               "totaltestedwithscoresatreportinglevel", "totaltestedwithscores",
                               "studentstested") if raw.has(k))  # fmt: skip
    den = to_number(raw, den_key)[0]
    num = to_number(raw, "countstandardmetandabove")[0] if raw.has("countstandardmetandabove") \
        else np.full(len(val), np.nan)  # fmt: skip
    _check_rates(raw, num, den, val, "percentagestandardmetandabove")
    name = pd.Series("", index=cds.index, dtype=str)
    df = _outcomes(
        raw,
        cds=cds,
        lea=lea_type(cds, level=level, charter=charter),
        level=level,
        year=year,
        group_code=codes,
        indicator=test.map(CAASPP_TESTS).to_numpy(dtype=object),
        numerator=num,
        denominator=den,
        value=val,
        suppressed=s1 | np.isnan(val),
        name=name,
        group=names.to_numpy(dtype=object),
    )
    df.attrs["unknown_groups"] = unknown
    df.attrs["rows_dropped"] = dropped
    if df.empty:
        raise UnknownFormatError(
            "the file holds no all-grades (Grade 13) ELA or mathematics rows",
            file=raw.path,
            fix="give the Smarter Balanced research file (sb_ca...), not CAST or ELPAC",
        )
    return df


__all__ = [
    "CAASPP_GROUP_CODES",
    "is_assistance",
    "is_caaspp_research",
    "is_dashboard_enrollment",
    "is_upc",
    "read_assistance",
    "read_caaspp_research",
    "read_census_enrollment",
    "read_dashboard_enrollment",
    "read_upc",
]
