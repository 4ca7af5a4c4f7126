"""Shipped extracts of real public CDE files (every LEA), for selection and benchmarks.

The extracts are what :func:`cei_metrics.io.read_cde` and
:func:`cei_metrics.io.read_p3_narratives` return for the real files, cut to the rows and
columns ``cei_metrics/datasets/data/README.md`` lists (which also names each source file,
the public repository and commit it was taken from, and the CDE page it was published on).
They are public data about LEAs, not people; the Priority 3 narratives of all LEAs are too
large to ship, so :func:`public_p3_practices` gives their keyword counts and
:func:`public_p3_narratives` the text of the six inaugural PLLN districts only.

Newer years: fetch the files with ``cei-metrics fetch-cde`` and read them with
``read_cde``; the tables have the same shape.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "PUBLIC_EXTRACTS",
    "public_dashboard",
    "public_directory",
    "public_p3_met",
    "public_p3_narratives",
    "public_p3_practices",
    "public_p3_ratings",
]

#: extract -> (file in ``datasets/data``, source file(s) in ``../shared/data/cde``)
PUBLIC_EXTRACTS: dict[str, tuple[str, str]] = {
    "p3_ratings": ("p3_ratings_2023_2024.parquet",
                   "localind_priority3_family_engagement_2023.xlsx, ..._2024.xlsx"),
    "p3_met": ("p3_met_2023_2024.parquet",
               "localind_priority3_family_engagement_2023.xlsx, ..._2024.xlsx"),
    "p3_practices": ("p3_practices_2023_2024.parquet",
                     "localind_priority3_family_engagement_2023.xlsx, ..._2024.xlsx"),
    "p3_narratives_plln": ("p3_narratives_plln_2023_2024.parquet",
                           "localind_priority3_family_engagement_2023.xlsx, ..._2024.xlsx"),
    "directory": ("directory_2021.parquet", "directory_pubdistricts_2021-12.txt"),
    "dashboard": ("dashboard_grad_elpi_2017_2019.parquet",
                  "dashboard_graddownload_2017fall.txt, _2018.txt, _2019.txt, "
                  "dashboard_elpidownload_2019.txt"),
}  # fmt: skip


@cache
def _read(key: str) -> pd.DataFrame:
    import pandas as pd

    name = PUBLIC_EXTRACTS[key][0]
    with resources.as_file(resources.files("cei_metrics.datasets") / "data" / name) as p:
        df = pd.read_parquet(p)
    for c in df.columns:
        if df[c].dtype == object or str(df[c].dtype) in ("string", "str"):
            df[c] = df[c].astype(str)
    df.attrs["source"] = PUBLIC_EXTRACTS[key][1]
    df.attrs["synthetic"] = False
    return df


def _copy(key: str) -> pd.DataFrame:
    df = _read(key).copy()
    df.attrs = dict(_read(key).attrs)
    return df


def public_p3_ratings() -> pd.DataFrame:
    """Priority 3 self-ratings of every LEA, 2022-23 and 2023-24 (canonical ratings table:
    2,298 and 2,262 LEAs x 12 items; CDE's 0 and blank ratings are NaN).

    Examples
    --------
    >>> r = public_p3_ratings()
    >>> r.groupby("year")["cds"].nunique().tolist()
    [2298, 2262]
    """
    return _copy("p3_ratings")


def public_p3_met() -> pd.DataFrame:
    """Priority 3 local indicator Met (1) / Not Met (0) of every LEA, 2022-23 and 2023-24
    (outcomes table, ``indicator == "local_indicator"``)."""
    return _copy("p3_met")


def public_p3_practices() -> pd.DataFrame:
    """Engagement practices named in every LEA's Priority 3 narratives, 2022-23 and
    2023-24 (:func:`cei_metrics.compare.narrative_practices` of the full text: one boolean
    per practice, ``n_practices``, ``n_words``)."""
    return _copy("p3_practices")


def public_p3_narratives() -> pd.DataFrame:
    """The Priority 3 narratives of the six inaugural PLLN districts, 2022-23 and 2023-24
    (text table of :func:`cei_metrics.io.read_p3_narratives`). Public text about LEAs;
    keep it out of the canonical tables and report counts or reviewed quotes only."""
    return _copy("p3_narratives_plln")


def public_directory() -> pd.DataFrame:
    """CDE's district directory of December 2021 (1,088 active LEAs with a district code:
    districts, county offices, State Board charters, State Special Schools, ...): ``cds``,
    ``district_id``, ``lea_type``, ``name``, ``county``, ``district_type``, ``status``,
    ``doc``, ``doc_type``, ``latitude``, ``longitude``. Addresses, phone numbers and
    administrators' names and e-mails of the source are left out."""
    return _copy("directory")


def public_dashboard() -> pd.DataFrame:
    """California School Dashboard graduation (Fall 2017, 2018, 2019 releases: school years
    2016-17 to 2018-19) and English Learner Progress (2019 release, 2018-19), state and
    LEA rows plus the six PLLN districts' schools (outcomes table with status, change
    and colour)."""
    return _copy("dashboard")
