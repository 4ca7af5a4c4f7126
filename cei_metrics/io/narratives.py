"""The public narratives of the local-indicator self-reflection tools, as a text table.

Every LEA that reports the Priority 3 (Parent and Family Engagement) local indicator
answers the tool's narrative prompts in public text, published by CDE with the ratings
(``Pr3{YYYY}.txt``, and the xlsx copies of the 2023 and 2024 files). The text describes the
LEA's strengths, its focus areas and how it will reach under-represented families. It is
public, but it is free text: it never enters the five canonical tables. It is returned as
a separate *text table* with one row per LEA, year and prompt, for coding
(:mod:`cei_metrics.text`) or simple keyword counts (:func:`cei_metrics.compare.narrative_practices`).

Prompts (the official wording, from CDE's record layouts)
---------------------------------------------------------
2022 on, nine fields ``Narrative1a`` .. ``Narrative3c``: section 1 is *Building
Relationships Between School Staff and Families*, 2 *Building Partnerships for Student
Outcomes*, 3 *Seeking Input for Decision-Making*; letter ``a`` asks for current strengths
and progress, ``b`` for focus areas for improvement, ``c`` for how the LEA will improve
engagement of under-represented families. The wording of fields 1a-2c and 3a is quoted
from CDE's *Record Layout for Local Measures: Priority 3*
(https://www.cde.ca.gov/ta/ac/cm/localindpriority32023.asp and ``...32024.asp``;
``...32022.asp`` says the same layout holds for 2022 through 2025). The published pages
break off inside fields 3b and 3c in the copies consulted; their wording here follows the
same template as 1b/2b and 1c/2c with the section name *Seeking Input for Decision-Making*
(:data:`P3_PROMPTS_VERIFIED` says which are quoted and which follow the template).

2019 to 2021, three fields ``narrative1`` .. ``narrative3``, one per section, each with
the prompt *Briefly describe the LEA's current strengths and progress in this area and
identify a focus area for improvement, including how the LEA will improve the engagement
of underrepresented families* (https://www.cde.ca.gov/ta/ac/cm/localindpriority32019.asp).
That the number is the section (1 relationships, 2 partnerships, 3 input) is read from the
field order of the tool and the content of the answers, not stated by CDE.

Priority 6 (School Climate) files have one narrative of the same kind, ``summary``, whose
prompt in CDE's record layout (https://www.cde.ca.gov/ta/ac/cm/localindpriority62019.asp,
also 2021) is *Summary of local administration and analysis of local climate surveys that
captures students perceptions of school safety and correctedness* (CDE's spelling, for
"connectedness"); these rows have section ``"School Climate (Priority 6)"``. The 2024
Priority 6 file splits it into ``summary1``..``summary3``, whose prompts were not found
in a public record layout: their ``prompt`` is empty and ``df.attrs["unverified_prompts"]``
lists them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import UnknownFormatError
from ..schemas import NARRATIVE_COLUMNS, C
from ._cde_read import RawTable, read_raw
from .lea import lea_type

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["P3_PROMPTS", "P3_PROMPTS_VERIFIED", "P3_SECTIONS", "read_p3_narratives"]

#: Section number -> the tool's section title.
P3_SECTIONS = {
    "1": "Building Relationships Between School Staff and Families",
    "2": "Building Partnerships for Student Outcomes",
    "3": "Seeking Input for Decision-Making",
}
_BASIS = "Based on analysis of educational partner input and local data, briefly describe "
_A = "the LEA\u2019s current strengths and progress in {s}."
_B = "the LEA\u2019s focus area(s) for improvement in {s}."
_C = (
    "how the LEA will improve engagement of underrepresented families identified during "
    "the self-reflection process in relation to {s}."
)
#: ``"1a"`` .. ``"3c"`` -> the prompt of the 2022-on tool.
P3_PROMPTS: dict[str, str] = {
    f"{n}{k}": _BASIS + t.format(s=sec)
    for n, sec in P3_SECTIONS.items()
    for k, t in (("a", _A), ("b", _B), ("c", _C))
}
#: Which prompts are quoted from CDE's record layout pages (True) and which follow the
#: template of the others (False: the consulted copies break off inside them).
P3_PROMPTS_VERIFIED: dict[str, bool] = {k: k not in ("3b", "3c") for k in P3_PROMPTS}
#: The one prompt of the 2019-2021 tool (asked once per section).
P3_PROMPT_2019 = (
    "Briefly describe the LEA\u2019s current strengths and progress in this area and "
    "identify a focus area for improvement, including how the LEA will improve the "
    "engagement of underrepresented families"
)
P6_SECTION = "School Climate (Priority 6)"
P6_PROMPT = (
    "Summary of local administration and analysis of local climate surveys that captures "
    "students perceptions of school safety and correctedness"
)
# CDE spells the narrative headers many ways: Narrative1aRelationshipsStrengths,
# Narrative1aRelationshipsStrength (cut at 30), Narrative1a (2025), Narritive1b... (2022)
_P3_FIELD = re.compile(r"^narr?[ai]tive([123])([abc])")
_P3_OLD = re.compile(r"^narrative([123])$")


def _fields(raw: RawTable) -> list[tuple[str, str, str, bool]]:
    """(column as written, section, prompt, prompt verified) for each narrative column, in
    the tool's order (1a, 1b, ... 3c; the 2019-2021 files put narrative3 first)."""
    found = []
    for key, col in raw.keys.items():
        m = _P3_FIELD.match(key)
        if m:
            n, k = m.groups()
            found.append((n + k, (col, P3_SECTIONS[n], P3_PROMPTS[n + k],
                                  P3_PROMPTS_VERIFIED[n + k])))  # fmt: skip
            continue
        m = _P3_OLD.match(key)
        if m:
            found.append((m.group(1), (col, P3_SECTIONS[m.group(1)], P3_PROMPT_2019, True)))
    out = [f for _, f in sorted(found, key=lambda t: t[0])]
    if out:
        return out
    if raw.has("summary"):
        out.append((raw.col("summary"), P6_SECTION, P6_PROMPT, True))
    for key, col in sorted(raw.keys.items()):
        if re.fullmatch(r"summary[0-9]", key):
            out.append((col, P6_SECTION, "", False))
    return out


def _clean(s: pd.Series) -> pd.Series:
    return (
        s.str.replace("_x000D_", "", regex=False)
        .str.replace("\r\n", "\n", regex=False)
        .str.replace("\r", "\n", regex=False)
        .str.strip()
    )


def read_p3_narratives(path: str | Path) -> pd.DataFrame:
    """The narrative answers of a Priority 3 (or Priority 6) local-indicator file.

    Parameters
    ----------
    path : a CDE Priority 3 file as published (``Pr3{YYYY}.txt``, tab- or pipe-delimited,
        2019 on, or the ``.xlsx`` copies of 2023 and 2024), or a Priority 6 file (its
        ``summary`` narrative).

    Returns
    -------
    DataFrame, the text table :data:`cei_metrics.schemas.NARRATIVE_COLUMNS`: ``cds``
    (14-digit LEA code), ``lea_name``, ``year`` (school year, Dashboard rule: file year
    2024 is ``"2023-24"``), ``section`` (the tool's section title), ``prompt`` (the
    official wording, module docstring), ``text`` (stripped, line breaks as ``\\n``);
    then ``field`` (CDE's column name as written) and ``lea_type``. One row per LEA, year
    and prompt answered; blank answers are left out and counted in
    ``df.attrs["blank"]``. ``df.attrs`` also holds ``source`` and ``unverified_prompts``.

    Raises
    ------
    UnknownFormatError when the file has no narrative column (it is not a Priority 3 or
    Priority 6 local-indicator file).

    References
    ----------
    CDE, Record Layout for Local Measures: Priority 3 (2019, 2022-2025 pages cited in
    the module docstring); CDE, Local Indicators data files,
    https://www.cde.ca.gov/ta/ac/cm/localindidatafiles.asp.

    Examples
    --------
    >>> nar = read_p3_narratives("Pr32024.txt")                     # doctest: +SKIP
    >>> nar.groupby("section").size()                               # doctest: +SKIP
    """
    import pandas as pd

    from .cde import _cds, _map_years, _report_year

    raw = read_raw(path)
    fields = _fields(raw)
    if not fields or not raw.has("cdscode") or not raw.has("year"):
        raise UnknownFormatError(
            "no narrative columns (Narrative1a..3c, narrative1..3 or summary) with cdsCode "
            f"and year; columns seen: {raw.header[:30]}",
            file=raw.path,
            row=raw.header_row,
            fix="give a CDE Priority 3 (Pr3YYYY) or Priority 6 local-indicator file",
        )
    cds = _cds(raw, "cdscode")
    year = _map_years(raw, "year", _report_year, 'the year column must be 4 digits, e.g. "2023"')
    name = raw.text("lea") if raw.has("lea") else pd.Series("", index=cds.index, dtype=str)
    types = lea_type(cds, name=name, lea_file=True)
    parts = []
    blank = 0
    for col, section, prompt, _ in fields:
        text = _clean(raw.frame[col].astype(str))
        ok = (text != "").to_numpy()
        blank += int((~ok).sum())
        parts.append(
            pd.DataFrame(
                {
                    C.CDS: cds.to_numpy()[ok],
                    C.LEA_NAME: name.to_numpy()[ok],
                    C.YEAR: np.asarray(year)[ok],
                    C.SECTION: section,
                    C.PROMPT: prompt,
                    C.TEXT: text.to_numpy()[ok],
                    C.FIELD: col,
                    C.LEA_TYPE: types[ok],
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    for c in (*NARRATIVE_COLUMNS, C.FIELD, C.LEA_TYPE):
        df[c] = df[c].astype(str)
    order = {f[0]: i for i, f in enumerate(fields)}
    df["_o"] = df[C.FIELD].map(order)
    df = df.sort_values([C.CDS, C.YEAR, "_o"], kind="stable").drop(columns="_o")
    df = df.reset_index(drop=True)
    df.attrs["source"] = str(raw.path)
    df.attrs["blank"] = blank
    df.attrs["synthetic"] = raw.synthetic
    df.attrs["unverified_prompts"] = sorted({f[0] for f in fields if not f[3]})
    return df
