"""What came in: coverage of the processed tables by district, wave, language and year."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from ..errors import CEIError
from ..schemas import C
from .intake import IngestReport

__all__ = ["coverage", "read_ingest_report"]


def coverage(table: pd.DataFrame, by: list[str], *, count: str | None = None) -> pd.DataFrame:
    """Rows and distinct people (or units) of a canonical table by the ``by`` columns.

    Parameters
    ----------
    table : a canonical table (survey, participation, outcomes or ratings).
    by : grouping columns, e.g. ``[C.DISTRICT_ID, C.WAVE, C.LANGUAGE]``.
    count : the id column whose distinct values are counted (respondent_id for the
        survey, participant_id for sign-ins, cds for outcomes); found automatically.

    Returns
    -------
    DataFrame with the ``by`` columns, ``rows`` and ``n`` (distinct ids); for the survey
    also ``answered`` (share of item rows with a value); for outcomes ``suppressed``
    (share of suppressed cells).
    """
    missing = [c for c in by if c not in table.columns]
    if missing:
        raise CEIError(
            f"cannot count coverage by {missing}: not a column of the table",
            column=missing[0],
            fix=f"choose among {list(table.columns)}",
        )
    if count is None:
        count = next(
            (c for c in (C.RESPONDENT_ID, C.PARTICIPANT_ID, C.CDS, C.DISTRICT_ID) if c in table),
            None,
        )
    g = table.groupby(by, observed=True, dropna=False)
    out = g.size().rename("rows").to_frame()
    if count is not None:
        out["n"] = g[count].nunique()
    if C.MISSING_REASON in table.columns:
        out["answered"] = g[C.VALUE].apply(lambda s: s.notna().mean())
    if C.SUPPRESSED in table.columns:
        out["suppressed"] = g[C.SUPPRESSED].mean()
    return out.reset_index()


def read_ingest_report(processed_dir: str | os.PathLike) -> IngestReport:
    """The :class:`IngestReport` that :func:`ingest` saved beside the processed tables."""
    p = Path(processed_dir) / "ingest_report.json"
    if not p.exists():
        raise CEIError("no ingest report here", file=p, fix="run `cei-metrics ingest` to create it")
    j = json.loads(p.read_text())
    cols = ["file", "row", "column", "reason"]
    return IngestReport(
        files=pd.DataFrame(j["files"]),
        rejections=pd.DataFrame(j["rejections"], columns=cols),
        repairs=pd.DataFrame(j["repairs"], columns=cols),
        pii_removed=pd.DataFrame(j["pii_removed"], columns=["file", "column", "kind"]),
        tables=j["tables"],
        processed_dir=str(processed_dir),
        synthetic=bool(j["synthetic"]),
    )
