"""Rebuild the public extracts in this folder from the real CDE files.

Run from the repository root with the real files at ``../shared/data/cde`` (or
``CEI_SHARED_DIR``)::

    .venv/bin/python cei_metrics/datasets/data/build_public_extracts.py

Every extract is what ``cei_metrics.io.read_cde`` / ``read_p3_narratives`` return for the
real file, cut to the rows and columns named in README.md (no other change), written as
parquet. The practices table is :func:`cei_metrics.compare.narrative_practices` of the
full narratives (counts only; the text of all LEAs is too large to ship).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SHARED = Path(os.environ.get("CEI_SHARED_DIR", ROOT.parent / "shared")) / "data" / "cde"

P3 = {2023: "localind_priority3_family_engagement_2023.xlsx",
      2024: "localind_priority3_family_engagement_2024.xlsx"}  # fmt: skip
DASHBOARD = ("dashboard_graddownload_2017fall.txt", "dashboard_graddownload_2018.txt",
             "dashboard_graddownload_2019.txt", "dashboard_elpidownload_2019.txt")  # fmt: skip
DIRECTORY = "directory_pubdistricts_2021-12.txt"
DIRECTORY_COLUMNS = ("cds", "district_id", "lea_type", "name", "county", "district_type",
                     "status", "doc", "doc_type", "latitude", "longitude")  # fmt: skip


def _write(df, name: str) -> None:
    df = df.reset_index(drop=True)
    df.attrs = {}
    df.to_parquet(HERE / name, index=False, compression="zstd")
    print(f"{name}: {len(df):,} rows, {(HERE / name).stat().st_size / 1024:.0f} KB")


def build() -> None:
    import pandas as pd

    import cei_metrics as cm
    from cei_metrics.datasets.plln import PLLN_CD_CODES

    ratings = pd.concat([cm.io.read_cde(SHARED / f) for f in P3.values()], ignore_index=True)
    _write(ratings, "p3_ratings_2023_2024.parquet")
    met = pd.concat(
        [cm.io.read_cde(SHARED / f, kind="local_indicator") for f in P3.values()],
        ignore_index=True,
    )
    _write(met.drop(columns=["source"]), "p3_met_2023_2024.parquet")
    nar = pd.concat([cm.io.read_p3_narratives(SHARED / f) for f in P3.values()],
                    ignore_index=True)  # fmt: skip
    _write(cm.compare.narrative_practices(nar), "p3_practices_2023_2024.parquet")
    plln = {c + "0000000" for c in PLLN_CD_CODES}
    _write(nar[nar["cds"].isin(plln)], "p3_narratives_plln_2023_2024.parquet")
    d = cm.io.read_cde(SHARED / DIRECTORY)
    _write(d[list(DIRECTORY_COLUMNS)], "directory_2021.parquet")
    dash = pd.concat([cm.io.read_cde(SHARED / f) for f in DASHBOARD], ignore_index=True)
    dash = dash[dash["level"].isin(["state", "district"]) | dash["cds"].str[:7].isin(
        PLLN_CD_CODES)]  # fmt: skip
    _write(dash, "dashboard_grad_elpi_2017_2019.parquet")


if __name__ == "__main__":
    if not SHARED.is_dir():
        sys.exit(f"real CDE files not found at {SHARED}")
    build()
