"""Tables too large to hold in memory, kept on disk as parquet while an ingest runs.

A large survey export is mapped batch by batch (:func:`~cei_metrics.io.survey.stream_survey_export`)
and each batch of its long table -- ids already keyed-hashed, already validated -- is
appended to a parquet file as a row group. Ingest then joins such files and the small
tables read in memory into the snapshot's table, again row group by row group, so peak
memory does not grow with the size of the export.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import pyarrow as pa

__all__ = ["SpoolWriter", "SpooledTable"]


@dataclass
class SpooledTable:
    """One table written to a parquet file in row groups.

    Attributes
    ----------
    path : the parquet file.
    rows : its rows.
    districts : district ids it holds (to build a roster when none is given).
    year : the school year of a survey file's rows.
    wave_from : where a survey file's wave came from ("default" when nothing said it).
    wave : a wave number to write over the file's own (files numbered by school year).
    """

    path: Path
    rows: int
    districts: set[str] = field(default_factory=set)
    year: str | None = None
    wave_from: str = ""
    wave: int | None = None
    synthetic: bool = False
    text: pd.DataFrame | None = None  # the file's open answers (scrubbed), small
    names: list[str] = field(default_factory=list)  # names seen in its name columns

    def iter_frames(self) -> Iterator[pd.DataFrame]:
        """The table's row groups as frames (the ``wave`` override applied)."""
        import pyarrow.parquet as pq

        from ..schemas import C

        pf = pq.ParquetFile(self.path)
        for i in range(pf.num_row_groups):
            df = pf.read_row_group(i).to_pandas()
            if self.wave is not None:
                df[C.WAVE] = self.wave
            yield df

    def load(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The whole table in memory, text columns as categories (for checks and small
        analyses; ingest never calls it)."""
        import pyarrow.parquet as pq

        from ..schemas import C

        schema = pq.read_schema(self.path)
        text = [f.name for f in schema if str(f.type) in ("string", "large_string")]
        df = pq.read_table(self.path, columns=columns, read_dictionary=text).to_pandas()
        if self.wave is not None and C.WAVE in df.columns:
            df[C.WAVE] = self.wave
        return df


class SpoolWriter:
    """Append frames of one schema to a parquet file as row groups (zstd)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rows = 0
        self._writer = None
        self._schema: pa.Schema | None = None

    def write(self, df: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._schema is None:
            table = pa.Table.from_pandas(df, preserve_index=False)
            self._schema = table.schema.remove_metadata()
            table = table.replace_schema_metadata(None)
            self._writer = pq.ParquetWriter(self.path, self._schema, compression="zstd")
        else:
            table = pa.Table.from_pandas(df, schema=self._schema, preserve_index=False)
            table = table.replace_schema_metadata(None)
        self._writer.write_table(table)
        self.rows += len(df)

    def close(self) -> Path:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        return self.path

    def abort(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)
