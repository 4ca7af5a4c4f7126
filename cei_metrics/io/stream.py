"""Large text exports read in batches, in constant memory.

:func:`read_grid` reads a whole file into Python lists, which is right for the small files
evaluators usually get and wrong for a statewide export of millions of rows. For a
delimited text file, the header is read from the file's head (the same way
:func:`~cei_metrics.io._tabular.read_grid` reads it), and the body is then parsed by
``pyarrow``'s streaming CSV reader, batch by batch, as text cells with the same row
numbers a spreadsheet shows (header = row 1; one record per row, a quoted cell may hold
line breaks). Cells are stripped and all-blank rows skipped, as the grid reader does.

Which files take this path (:func:`body_source`): plain text whose bytes are all UTF-8,
or all Windows-1252, with no NUL byte. A file with a stray byte or a NUL is read by the
grid reader (which reports the byte), or, when too large for it, copied to a clean UTF-8
file first, the repairs noted. A body whose rows do not all have the header's number of
fields is read by the csv module instead (the same cells, more slowly).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CEIError
from ._tabular import HEAD_BYTES, Grid, decode_bytes

__all__ = [
    "BATCH_BYTES",
    "SMALL_BYTES",
    "STREAM_BYTES",
    "BodySource",
    "RaggedRows",
    "body_source",
    "iter_body",
    "read_body",
]

#: Text files larger than this are ingested batch by batch (constant memory).
STREAM_BYTES = 48 * 2**20
#: Bytes of text parsed per batch.
BATCH_BYTES = 8 * 2**20
#: Text files smaller than this are read whole by the grid reader.
SMALL_BYTES = 2 * 2**20
#: Bytes read at a time when a file's bytes are checked (UTF-8, NUL).
KIND_BLOCK = 8 * 2**20
#: Rows of the head read for the header (and to recognise the file).
HEAD_ROWS = 200


@dataclass
class BodySource:
    """Where the body of a text table starts and how to read it."""

    path: Path
    offset: int  # byte offset of the first record after the header
    first_row: int  # that record's row number (as a spreadsheet shows it)
    width: int  # number of columns (the header's)
    delimiter: str
    encoding: str  # "utf-8" or "cp1252"
    notes: list[str] = field(default_factory=list)
    temporary: bool = False  # ``path`` is a cleaned copy to delete after reading


def _record_offset(path: Path, n_records: int) -> int:
    """Byte offset just after the first ``n_records`` records of a text file (a record
    ends at a line break outside double quotes)."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    pos = 3 if head[:3] == b"\xef\xbb\xbf" else 0
    inside = False
    found = 0
    i = pos
    while found < n_records:
        nl = head.find(b"\n", i)
        if nl < 0:
            raise CEIError(
                "the header of the file is longer than expected",
                file=path,
                fix="check the file: its header rows are unusually long",
            )
        inside ^= head.count(b'"', i, nl) % 2 == 1
        i = nl + 1
        if not inside:
            found += 1
    return i


def _bytes_kind(path: Path) -> tuple[str, bool]:
    """("utf-8" | "cp1252" | "mixed", has NUL) of a whole file, read in chunks (UTF-8
    validated by pyarrow, a multi-byte sequence cut by a chunk's end carried over)."""
    valid, multibyte, nul = True, False, False
    carry = b""
    with open(path, "rb") as fh:
        while block := fh.read(KIND_BLOCK):
            nul = nul or b"\x00" in block
            if valid:
                data = carry + block if carry else block
                cut = _complete_utf8(data)
                valid = _utf8_valid(memoryview(data)[:cut])
                carry = data[cut:]
            if not multibyte:
                multibyte = any(b >= 0xC2 for b in block[:1_000_000]) and _has_utf8_seq(block)
    if valid and carry:
        valid = False
    if valid:
        return "utf-8", nul
    return ("mixed" if multibyte else "cp1252"), nul


def _complete_utf8(data: bytes) -> int:
    """Length of ``data`` without a multi-byte UTF-8 sequence its end cuts short."""
    i, n = len(data) - 1, 0
    while i >= 0 and n < 3 and (data[i] & 0xC0) == 0x80:
        i, n = i - 1, n + 1
    if i < 0 or data[i] < 0xC0:
        return len(data)
    need = 2 if data[i] < 0xE0 else 3 if data[i] < 0xF0 else 4
    return i if len(data) - i < need else len(data)


def _utf8_valid(buf) -> bool:
    """Whether bytes are valid UTF-8 (pyarrow's validation, without a copy)."""
    import pyarrow as pa

    arr = pa.Array.from_buffers(
        pa.large_string(),
        1,
        [None, pa.py_buffer(np.array([0, len(buf)], dtype=np.int64)), pa.py_buffer(buf)],
    )
    try:
        arr.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _has_utf8_seq(block: bytes) -> bool:
    """Whether a block holds at least one valid UTF-8 multi-byte sequence."""
    import re

    return re.search(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}", block) is not None


def _clean_copy(path: Path, scratch: Path) -> tuple[Path, list[str]]:
    """A UTF-8 copy of a file with stray bytes: each line decoded as UTF-8 with each
    invalid byte read as Windows-1252 (as the grid reader does), NUL bytes removed."""
    scratch.mkdir(parents=True, exist_ok=True)
    out = scratch / f"{path.stem}.clean.csv"
    n_bad, first, n_nul = 0, None, 0
    with open(path, "rb") as src, open(out, "w", encoding="utf-8", newline="") as dst:
        for no, line in enumerate(src, start=1):
            if b"\x00" in line:
                n_nul += line.count(b"\x00")
                line = line.replace(b"\x00", b"")
            text, _enc, notes = decode_bytes(line)
            if notes:
                n_bad += 1
                first = first or no
            dst.write(text)
    notes = []
    if n_bad:
        notes.append(
            f"{n_bad} line(s) held a byte that is not UTF-8 (first on line {first}); each such "
            "byte was read as Windows-1252"
        )
    if n_nul:
        notes.append(f"{n_nul} NUL character(s) removed")
    return out, notes


def body_source(
    path: str | os.PathLike,
    head: Grid,
    header_rows: int,
    *,
    scratch: Path | None = None,
) -> BodySource | None:
    """How to read the body of a text table whose head was read into ``head`` and whose
    header takes ``header_rows`` rows; None when the grid reader must read the file
    (not plain text, or stray bytes and no ``scratch`` folder for a clean copy)."""
    path = Path(path)
    if head.kind != "text" or not head.rows:
        return None
    kind, nul = _bytes_kind(path)
    notes: list[str] = []
    temporary = False
    if kind == "mixed" or nul:
        if scratch is None:
            return None
        path, notes = _clean_copy(path, scratch)
        kind, temporary = "utf-8", True
    if len(head.row_numbers) > header_rows:
        last_header = head.row_numbers[header_rows - 1]
        first_row = head.row_numbers[header_rows]
    else:
        last_header = head.row_numbers[min(header_rows, len(head.row_numbers)) - 1]
        first_row = last_header + 1
    return (
        BodySource(
            path=path,
            offset=_record_offset(path, last_header),
            first_row=last_header + 1,
            width=len(head.rows[0]) if head.rows else 0,
            delimiter=head.delimiter or ",",
            encoding="utf-8" if kind == "utf-8" else "cp1252",
            notes=notes,
            temporary=temporary,
        )
        if first_row >= last_header
        else None
    )


class RaggedRows(Exception):
    """A body row has another number of fields than the header (read by csv instead)."""


def _finish_arrow(table, first_row: int, columns: list[int] | None = None):
    """A batch of body rows (an Arrow table or batch) as the readers give it: cells
    trimmed by pyarrow (the same characters as ``str.strip``), all-blank rows dropped
    (not when ``columns`` names a one-column pass); (text frame with columns 0..w-1, or
    ``columns``, and the rows' spreadsheet numbers)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    rows = np.arange(first_row, first_row + n, dtype=np.int64)
    cols = [pc.utf8_trim_whitespace(c) for c in table.columns]
    if columns is None and n:
        filled = pc.not_equal(cols[0], "")
        for c in cols[1:]:
            filled = pc.or_(filled, pc.not_equal(c, ""))
        keep = np.asarray(filled)
        if not keep.all():
            mask = pa.array(keep)
            cols = [c.filter(mask) for c in cols]
            rows = rows[keep]
    names = columns if columns is not None else list(range(len(cols)))
    frame = pd.DataFrame(
        {j: pd.Series(c.to_pandas(), dtype="str") for j, c in zip(names, cols, strict=True)},
        index=pd.RangeIndex(len(rows)),
    )
    return frame, rows


def _read_options(src: BodySource, batch_bytes: int, columns: list[int] | None) -> dict:
    """pyarrow's CSV options for the body: every cell text, blank lines kept as rows."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    names = [f"c{i}" for i in range(src.width)]
    include = None if columns is None else [names[j] for j in columns]

    def ragged(_row):
        return "error"  # pyarrow stops with ArrowInvalid: the caller reads with csv

    return dict(
        read_options=pacsv.ReadOptions(
            column_names=names, block_size=batch_bytes, encoding=src.encoding
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=src.delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,  # a blank line is a row: numbering holds
            invalid_row_handler=ragged,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            include_columns=include,
        ),
    )


def _arrow_whole(src: BodySource):
    """The whole body as one Arrow table, parsed by pyarrow on all cores (mid-sized
    files read in memory); None when there is no data row."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    with open(src.path, "rb") as fh:
        fh.seek(src.offset)
        try:
            return pacsv.read_csv(fh, **_read_options(src, 1 << 20, None))
        except pa.ArrowInvalid as err:
            if "Empty CSV file" in str(err):
                return None
            raise RaggedRows from None


def _arrow_batches(src: BodySource, batch_bytes: int, columns: list[int] | None = None):
    """The body's record batches, parsed by pyarrow's streaming reader."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    with open(src.path, "rb") as fh:
        fh.seek(src.offset)
        try:
            reader = pacsv.open_csv(fh, **_read_options(src, batch_bytes, columns))
        except StopIteration:  # no data rows
            return
        except pa.ArrowInvalid as err:
            if "Empty CSV file" in str(err):
                return
            raise RaggedRows from None
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid:
                raise RaggedRows from None
            yield batch


def _csv_batches(src: BodySource, n_rows: int) -> Iterator[pd.DataFrame]:
    old = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        with open(src.path, "rb") as fh:
            fh.seek(src.offset)
            text = io.TextIOWrapper(fh, encoding=src.encoding, newline="")
            rows: list[list[str]] = []
            w = src.width
            long_rows = 0
            for rec in csv.reader(text, delimiter=src.delimiter, strict=False):
                if len(rec) != w:
                    long_rows += len(rec) > w and any(c.strip() for c in rec[w:])
                    rec = (rec + [""] * (w - len(rec)))[:w]
                rows.append(rec)
                if len(rows) >= n_rows:
                    yield pd.DataFrame(rows, columns=range(w), dtype=str)
                    rows = []
            if rows:
                yield pd.DataFrame(rows, columns=range(w), dtype=str)
            if long_rows:
                src.notes.append(
                    f"{long_rows} row(s) have more filled cells than the header has columns; "
                    "the cells beyond the last named column were not read"
                )
    finally:
        csv.field_size_limit(old)


def iter_body(
    src: BodySource,
    *,
    batch_bytes: int = BATCH_BYTES,
    engine: str = "arrow",
    columns: list[int] | None = None,
) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """The body's batches: (text cells with columns 0..w-1, spreadsheet row numbers).

    ``engine="arrow"`` raises :class:`RaggedRows` when a row has another number of fields
    than the header (the caller starts again with ``engine="csv"``, which pads short rows
    and cuts long ones, as the grid reader does). ``columns`` reads only those columns
    (their blank cells are not dropped as blank rows: use it for one-column passes)."""
    row = src.first_row
    if engine == "arrow":

        def parsed() -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
            r = row
            for batch in _arrow_batches(src, batch_bytes, columns):
                yield _finish_arrow(batch, r, columns)
                r += batch.num_rows

        yield from _read_ahead(parsed())
        return
    import pyarrow as pa

    for frame in _csv_batches(src, max(1000, batch_bytes // 256)):
        part = frame if columns is None else frame[columns]
        yield _finish_arrow(
            pa.table([pa.array(part[c], pa.string()) for c in part], names=[str(c) for c in part]),
            row,
            columns,
        )
        row += len(frame)


def _read_ahead(items: Iterator, depth: int = 2) -> Iterator:
    """``items`` produced by a second thread, at most ``depth`` ahead of the consumer:
    pyarrow parses the next batch (without the interpreter lock) while the caller maps
    this one. An error in the thread is raised to the consumer; a consumer that stops
    early stops the thread."""
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(x) -> bool:
        while not stop.is_set():
            try:
                q.put(x, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for x in items:
                if not put((None, x)):
                    return
        except BaseException as err:  # handed to the consumer
            put((err, None))
            return
        put((None, done))

    t = threading.Thread(target=work, name="cei-read-ahead", daemon=True)
    t.start()
    try:
        while True:
            err, x = q.get()
            if err is not None:
                raise err
            if x is done:
                return
            yield x
    finally:
        stop.set()
        t.join()
        close = getattr(items, "close", None)
        if close is not None:
            close()


def read_body(src: BodySource) -> tuple[pd.DataFrame, np.ndarray]:
    """The whole body in memory (the fast path for mid-sized files)."""
    try:
        table = _arrow_whole(src)
        parts = [] if table is None or not table.num_rows else [_finish_arrow(table, src.first_row)]
    except RaggedRows:
        parts = list(iter_body(src, engine="csv"))
    if not parts:
        return pd.DataFrame({i: pd.Series([], dtype=str) for i in range(src.width)}), np.zeros(
            0, dtype=np.int64
        )
    frame = pd.concat([p[0] for p in parts], ignore_index=True)
    return frame, np.concatenate([p[1] for p in parts])
