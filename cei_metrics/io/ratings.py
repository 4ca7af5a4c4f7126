"""Reader of a district's own ratings table (the ``cei-metrics init`` ratings template).

One row per district and school year, one column per item of a rating tool (by default
the Priority 3 self-reflection tool), headed by the item id or its text:

``District, School Year, DevelopStaffCapacityRelationship, EnvironmentRelationship, ...``

Ratings are 1-5 or the tool's level names ("Full Implementation"); a blank is missing.
The CDE's own Priority 3 files are read by :func:`cei_metrics.io.read_cde`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ..instruments import load_instrument
from ..schemas import C
from ._tabular import Grid, read_grid
from .districts import resolve_district
from .exports import WideExport, match_questions
from .survey import ReadReport, find_col
from .vocab import lookup_answer, vocab_key

__all__ = ["looks_like_ratings", "read_ratings"]

DISTRICT = ("District", "District Code", "District ID", "district_id", "LEA", "Distrito")
YEAR = ("School Year", "Year", "year", "Academic Year")
TOOL = "priority3_self_reflection"


def _items(names: list[str], inst) -> dict[int, str]:
    wx = WideExport(pd.DataFrame(), names, [[n] for n in names], [], "csv", Path("."))
    return match_questions(wx, inst).items


def looks_like_ratings(g: Grid) -> bool:
    if not g.rows:
        return False
    names = g.rows[0]
    if find_col(names, DISTRICT) is None or find_col(names, YEAR) is None:
        return False
    return len(_items(names, load_instrument(TOOL))) >= 2


def _school_year(v: str) -> str | None:
    s = str(v).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/]\s*(\d{2}|\d{4})", s)
    if m and int(m.group(2)) % 100 == (int(m.group(1)) + 1) % 100:
        y = int(m.group(1))
        return f"{y}-{(y + 1) % 100:02d}"
    return None


def read_ratings(path: str | Path, *, grid: Grid | None = None, tool: str = TOOL) -> pd.DataFrame:
    """Read a ratings table into the canonical ``ratings`` table (see module docstring)."""
    g = grid if grid is not None else read_grid(path)
    inst = load_instrument(tool)
    names = g.rows[0]
    jd, jy = find_col(names, DISTRICT), find_col(names, YEAR)
    items = _items(names, inst)
    table = {vocab_key(k): v for k, v in inst.label_map().items()}
    out = []
    for r, num in zip(g.rows[1:], g.row_numbers[1:]):
        lk = resolve_district(r[jd])
        if lk.code is None:
            raise SchemaError(lk.problem, file=g.path, row=num, column=names[jd], fix=lk.fix)
        year = _school_year(r[jy])
        if year is None:
            raise SchemaError(
                "not a school year",
                file=g.path,
                row=num,
                column=names[jy],
                fix='write the school year as "2023-24"',
            )
        for j, iid in items.items():
            hit = lookup_answer(r[j], table, inst.points)
            if hit is None:
                raise SchemaError(
                    "not a rating from 1 to 5 or a level name",
                    file=g.path,
                    row=num,
                    column=names[j],
                    fix="write 1-5 or the level name, blank when not rated",
                )
            out.append(
                (
                    lk.code,
                    year,
                    tool,
                    inst.items[iid].scale or "",
                    iid,
                    np.nan if hit[0] is None else float(hit[0]),
                )
            )
    df = pd.DataFrame(out, columns=[C.DISTRICT_ID, C.YEAR, C.TOOL, C.SECTION, C.ITEM, C.RATING])
    df[C.SECTION] = df[C.SECTION].map(inst.scale_labels).fillna(df[C.SECTION])
    # a ratings table names districts: their LEA row has school code 0000000
    from .lea import lea_type

    df[C.CDS] = df[C.DISTRICT_ID].astype(str) + "0000000"
    df[C.LEA_TYPE] = lea_type(df[C.CDS], lea_file=True) if len(df) else []
    df.attrs["synthetic"] = g.synthetic
    df.attrs["read"] = ReadReport(
        rows_read=len(g.rows) - 1,
        rows_kept=len(g.rows) - 1,
        rejected=pd.DataFrame(columns=["file", "row", "column", "reason"]),
        repaired=pd.DataFrame(columns=["file", "row", "column", "reason"]),
        dropped_columns=pd.DataFrame(
            [
                (str(g.path), n, "unmapped")
                for j, n in enumerate(names)
                if j not in items and j not in (jd, jy)
            ],
            columns=["file", "column", "kind"],
        ),
        synthetic=g.synthetic,
        recognised_as=f"ratings table ({tool})",
        matched=f"{len(set(items.values()))} of {len(inst.items)} items matched",
    )
    return df
