"""The processed tables, read back for analysis."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import CEIError
from ..schemas import EXTRA_TABLES, TABLES, C

__all__ = ["NULLABLE_FLAGS", "Tables", "atomic_write_parquet", "load_tables", "nullable_flags"]


@dataclass(frozen=True)
class Tables:
    """The five canonical tables (any may be empty) and whether they are synthetic.

    Beside them, the extra tables of the snapshot (empty when it has none): ``text``
    (open answers and comments, scrubbed; never leave the analysis layer but as coded
    counts or reviewed excerpts), ``feedback`` (event feedback, e.g. convenings) and
    ``goals`` (each district's own goal).
    """

    survey: pd.DataFrame
    participation: pd.DataFrame
    outcomes: pd.DataFrame
    ratings: pd.DataFrame
    roster: pd.DataFrame
    synthetic: bool = False
    source: str = ""
    extra: dict = field(default_factory=dict)
    text: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    feedback: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    goals: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


def atomic_write_parquet(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``df`` to ``path`` as parquet through a temporary file and an atomic rename,
    so a reader never sees a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


#: Yes/no columns that may be blank: pandas' nullable ``boolean`` in every table.
NULLABLE_FLAGS = (C.EL_FAMILY, C.SED_FAMILY)


def nullable_flags(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its yes/no columns (:data:`NULLABLE_FLAGS`) as nullable ``boolean``,
    however the parquet file stored them (a large export's file, written batch by batch,
    reads them back as objects when a cell is blank)."""
    for c in NULLABLE_FLAGS:
        if c in df.columns and str(df[c].dtype) != "boolean":
            df[c] = df[c].astype("boolean")
    return df


def load_tables(
    data_dir: str | os.PathLike = "data/processed",
    *,
    seed: int = 2019,
    verify_hashes: bool = True,
) -> Tables:
    """Read the processed canonical tables from ``data_dir``.

    ``data_dir="demo"`` returns the demo world built in memory (no files needed).
    A folder is read only when it matches its ``MANIFEST.json`` (every table listed
    there, with the rows and SHA-256 recorded, and nothing else): a folder mixed by an
    interrupted writer or changed by hand raises :class:`CEIError`. A table the snapshot
    does not hold comes back empty; the extra tables (``text``, ``feedback``, ``goals``)
    are attributes too (``tables.text``). ``verify_hashes=False`` skips the SHA-256 check
    (rows and file names are still checked).
    """
    if str(data_dir) == "demo":
        from ..datasets import load_demo

        d = load_demo(seed=seed)
        return Tables(
            d.survey,
            d.participation,
            d.outcomes,
            d.ratings,
            d.roster,
            True,
            "demo",
            text=d.text,
            feedback=d.feedback,
            goals=d.goals,
        )
    from .snapshot import recover, verify

    root = Path(data_dir)
    recover(root)  # finish a switch an interrupted ingest left half done (rare platforms)
    if not root.is_dir():
        raise CEIError(
            f"processed data folder {root} does not exist",
            file=root,
            fix="run `cei-metrics ingest RAW_DIR PROCESSED_DIR` (or `make report`) first",
        )
    manifest = verify(root, hashes=verify_hashes)
    frames = {}
    for t in (*TABLES, *EXTRA_TABLES):
        entry = manifest["tables"].get(t)
        frames[t] = (
            nullable_flags(pd.read_parquet(root / entry["file"])) if entry else pd.DataFrame()
        )
    return Tables(
        **frames,
        synthetic=bool(manifest.get("synthetic")),
        source=str(root),
        extra={"manifest": manifest},
    )
