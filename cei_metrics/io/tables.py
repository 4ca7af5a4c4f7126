"""The processed tables, read back for analysis."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import CEIError
from ..schemas import TABLES

__all__ = ["Tables", "atomic_write_parquet", "load_tables"]


@dataclass(frozen=True)
class Tables:
    """The five canonical tables (any may be empty) and whether they are synthetic."""

    survey: pd.DataFrame
    participation: pd.DataFrame
    outcomes: pd.DataFrame
    ratings: pd.DataFrame
    roster: pd.DataFrame
    synthetic: bool = False
    source: str = ""
    extra: dict = field(default_factory=dict)


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


def load_tables(data_dir: str | os.PathLike = "data/processed", *, seed: int = 2019) -> Tables:
    """Read the processed canonical tables from ``data_dir``.

    ``data_dir="demo"`` returns the demo world built in memory (no files needed).
    A table whose parquet file is absent comes back empty.
    """
    if str(data_dir) == "demo":
        from ..datasets import load_demo

        d = load_demo(seed=seed)
        return Tables(d.survey, d.participation, d.outcomes, d.ratings, d.roster, True, "demo")
    root = Path(data_dir)
    if not root.is_dir():
        raise CEIError(
            f"processed data folder {root} does not exist",
            file=root,
            fix="run `cei-metrics ingest RAW_DIR PROCESSED_DIR` (or `make report`) first",
        )
    frames = {}
    for t in TABLES:
        p = root / f"{t}.parquet"
        frames[t] = pd.read_parquet(p) if p.exists() else pd.DataFrame()
    synthetic = (root / "SYNTHETIC").exists()
    return Tables(**frames, synthetic=synthetic, source=str(root))
