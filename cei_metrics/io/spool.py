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
        from .tables import nullable_flags

        pf = pq.ParquetFile(self.path)
        for i in range(pf.num_row_groups):
            df = nullable_flags(pf.read_row_group(i).to_pandas())
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
        from .tables import nullable_flags

        df = nullable_flags(
            pq.read_table(self.path, columns=columns, read_dictionary=text).to_pandas()
        )
        if self.wave is not None and C.WAVE in df.columns:
            df[C.WAVE] = self.wave
        return df


class SpoolWriter:
    """Append tables of one schema to a parquet file as row groups (zstd).

    ``write`` takes a pandas frame, or an Arrow table whose text columns may be
    dictionary-encoded (:meth:`~cei_metrics.io.survey.LongParts.to_arrow`): parquet
    stores such a column's dictionary as it is, and the file reads back as plain text.
    With ``background=True`` row groups are compressed and written by a second thread
    (parquet writing releases the interpreter lock) while the caller maps the next
    batch; at most two batches wait, so memory stays bounded. A write that failed in
    the thread is raised by the next ``write`` or by ``close``.
    """

    def __init__(self, path: str | os.PathLike, *, background: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rows = 0
        self._writer = None
        self._schema: pa.Schema | None = None
        self._queue = None
        self._thread = None
        self._error: BaseException | None = None
        if background:
            import queue
            import threading

            self._queue = queue.Queue(maxsize=2)
            self._thread = threading.Thread(target=self._drain, name="cei-spool", daemon=True)
            self._thread.start()

    def _open(self, table: pa.Table) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._schema = table.schema
        encoded = [f.name for f in self._schema if pa.types.is_dictionary(f.type)]
        plain = [f.name for f in self._schema if f.name not in encoded]
        self._writer = pq.ParquetWriter(
            self.path,
            self._schema,
            compression="zstd",
            # a dictionary-encoded column is written as text (the file holds no
            # Arrow-only types), without min/max statistics of its ids and labels
            store_schema=not encoded,
            write_statistics=plain if encoded else True,
        )

    def _table(self, df) -> pa.Table:
        import pyarrow as pa

        if isinstance(df, pa.Table):
            return df.replace_schema_metadata(None)
        schema = self._schema if self._queue is None else None  # else cast when written
        return pa.Table.from_pandas(
            df, schema=schema, preserve_index=False
        ).replace_schema_metadata(None)

    def _write_now(self, table: pa.Table) -> None:
        if self._writer is None:
            self._open(table)
        elif table.schema != self._schema:
            table = table.cast(self._schema)
        self._writer.write_table(table)

    def _drain(self) -> None:
        while True:
            table = self._queue.get()
            if table is None:
                return
            if self._error is None:
                try:
                    self._write_now(table)
                except BaseException as err:  # raised in the caller's thread
                    self._error = err

    def _raise(self) -> None:
        if self._error is not None:
            err, self._error = self._error, None
            raise err

    def write(self, df: pd.DataFrame | pa.Table) -> None:
        table = self._table(df)
        if self._queue is None:
            self._write_now(table)
        else:
            self._raise()
            self._queue.put(table)
        self.rows += table.num_rows

    def _stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def close(self) -> Path:
        self._stop()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._raise()
        return self.path

    def abort(self) -> None:
        self._stop()
        self._error = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.path.unlink(missing_ok=True)
