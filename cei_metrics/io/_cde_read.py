"""Low-level reading of CDE files into a frame of text cells.

Everything format-specific lives in :mod:`cei_metrics.io.cde`; this module only turns bytes
into a :class:`RawTable` (all cells ``str``, header names as written) and converts text
columns to numbers, raising :class:`~cei_metrics.errors.SchemaError` with the file, the
1-based data row and the column for anything malformed.

Rules applied here (shared by every CDE family):

- encoding: a UTF-8 byte-order mark means UTF-8; otherwise strict UTF-8 is tried first
  (pure ASCII reads the same in every encoding), then Windows-1252, then Latin-1 (which
  never fails);
- leading lines that start with ``#`` are comments and are skipped; a comment containing
  the word ``SYNTHETIC`` marks the file synthetic;
- the delimiter is whichever of tab, pipe or caret is most frequent in the header line
  (comma only when none of them occurs; comma files are read with CSV quoting);
- tab, pipe and caret files are read with quoting off, and a cell wrapped in double quotes
  has them removed (CDE wraps names that contain a comma, e.g.
  ``"Escuela Popular/Center for Training and Careers, Family Learning"``);
- every data line must have as many fields as the header: a short line is reported as
  truncated, a long one as holding extra delimiters;
- ``.xlsx`` workbooks are read with openpyxl (one sheet, first row is the header).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CEIError, SchemaError, UnknownFormatError

__all__ = ["RawTable", "norm_key", "read_raw", "to_number"]

_DELIMS = ("\t", "|", "^")
_DELIM_NAMES = {"\t": "tab", "|": "pipe '|'", "^": "caret '^'", ",": "comma", "xlsx": "xlsx"}
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_KEY_RE = re.compile(r"[\s_]+")
#: text that means "no number here" without being a suppression marker
MISSING_TEXT = frozenset({"", "N/A", "NA", "n/a", "No Data", "--", "."})
SUPPRESSED_TEXT = frozenset({"*"})


def norm_key(name: str) -> str:
    """Header name folded for matching: case, spaces and underscores ignored.

    ``norm_key("Academic Year") == norm_key("AcademicYear") == "academicyear"``.
    """
    return _KEY_RE.sub("", str(name).strip().strip('"').casefold())


@dataclass
class RawTable:
    """A CDE file read as text: ``frame`` has one ``str`` column per header name."""

    frame: pd.DataFrame
    path: Path
    delimiter: str
    encoding: str
    comments: list[str] = field(default_factory=list)
    sheet: str | None = None
    header_row: int = 1  # the header's row as a spreadsheet shows the file
    data_rows: np.ndarray | None = None  # each data row's row number, when not consecutive

    def row(self, i: int) -> int:
        """Row number, as a spreadsheet shows the file (header = its row), of data row
        ``i`` (0-based)."""
        if self.data_rows is not None and i < len(self.data_rows):
            return int(self.data_rows[i])
        return self.header_row + 1 + int(i)

    def subset(self, keep: np.ndarray) -> RawTable:
        """The rows where ``keep`` is True, each still named by its row in the file."""
        keep = np.asarray(keep, dtype=bool)
        idx = np.flatnonzero(keep)
        rows = self.header_row + 1 + idx.astype(np.int64)
        if self.data_rows is not None:
            known = idx < len(self.data_rows)
            rows[known] = np.asarray(self.data_rows, dtype=np.int64)[idx[known]]
        return replace(self, frame=self.frame.loc[keep].reset_index(drop=True), data_rows=rows)

    @property
    def header(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    @property
    def keys(self) -> dict[str, str]:
        """Folded header name -> name as written (first occurrence wins)."""
        out: dict[str, str] = {}
        for c in self.header:
            out.setdefault(norm_key(c), c)
        return out

    @property
    def synthetic(self) -> bool:
        return self.path.name.lower().startswith("synthetic_") or any(
            "SYNTHETIC" in c.upper() for c in self.comments
        )

    def col(self, key: str) -> str:
        """Name as written of the column whose folded name is ``key``; SchemaError if absent."""
        try:
            return self.keys[key]
        except KeyError:
            raise SchemaError(
                f"required column {key!r} is missing; columns seen: {self.header}",
                file=self.path,
                column=key,
                fix="use the original CDE download, whose header names this column",
            ) from None

    def has(self, *keys: str) -> bool:
        k = self.keys
        return all(x in k for x in keys)

    def text(self, key: str) -> pd.Series:
        """Cells of a column as stripped text ("" where blank)."""
        return self.frame[self.col(key)].str.strip()


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _split_comments(text: str) -> tuple[list[str], str]:
    """(comment lines, the text from the header on); blank lines before the header are
    skipped too. :func:`_lines_before` counts the lines skipped."""
    comments: list[str] = []
    pos = 0
    while True:
        # skip blank lines before the header as well as comment lines
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        stripped = line.strip()
        if stripped.startswith("#"):
            comments.append(stripped.lstrip("#").strip())
        elif stripped:
            break
        if end < 0:
            return comments, ""
        pos = end + 1
    return comments, text[pos:]


def _field_counts(body: str, delim: str) -> tuple[np.ndarray, np.ndarray]:
    """Number of fields on each non-blank line (the header first), and the line numbers
    (0 = header) of those lines. Vectorized over the bytes of the text."""
    buf = np.frombuffer(body.encode("utf-8", errors="replace"), dtype=np.uint8)
    nl = np.flatnonzero(buf == 10)
    ends = np.append(nl, buf.size)
    starts = np.concatenate(([0], nl + 1))
    dpos = np.flatnonzero(buf == ord(delim))
    n_delim = np.searchsorted(dpos, ends) - np.searchsorted(dpos, starts)
    length = ends - starts
    last = buf[np.clip(ends - 1, 0, max(buf.size - 1, 0))] if buf.size else np.zeros(1, np.uint8)
    blank = (length == 0) | ((length == 1) & (last == 13))
    keep = np.flatnonzero(~blank)
    return n_delim[keep] + 1, keep


def _lines_before(text: str, body: str) -> int:
    """Lines of ``text`` before ``body`` (its tail) starts."""
    return text[: len(text) - len(body)].count("\n")


def _line(body: str, line_no: int) -> str:
    return body.split("\n", line_no + 1)[line_no].rstrip("\r")


def _unquote(df: pd.DataFrame) -> pd.DataFrame:
    for c in df.columns:
        s = df[c]
        has = s.str.startswith('"', na=False)
        if has.any():
            inner = (
                s[has]
                .str.replace(r'^"(.*)"\s*$', r"\1", regex=True)
                .str.replace('""', '"', regex=False)
            )
            df.loc[has, c] = inner
    return df


def read_raw(path: str | Path) -> RawTable:
    """Read a CDE text file or xlsx workbook into a :class:`RawTable` of text cells."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise CEIError(
            "file not found", file=p, fix="check the path; CDE files end in .txt or .xlsx"
        ) from None
    except IsADirectoryError:
        raise CEIError(
            "this is a folder, not a file", file=p, fix="give the path of one CDE file"
        ) from None
    if not data.strip():
        raise SchemaError(
            "the file is empty",
            file=p,
            fix="download the file again from the CDE page; a complete file has a header line",
        )
    if data.startswith(_XLSX_MAGIC):
        return _read_xlsx(p, data)
    if data.startswith(_XLS_MAGIC):
        raise UnknownFormatError(
            "this is an old-style Excel .xls workbook",
            file=p,
            fix="open it in Excel and save it as .xlsx or as tab-delimited text",
        )
    if b"\x00" in data[:4096]:
        raise UnknownFormatError(
            "the file holds binary data (NUL bytes), not delimited text",
            file=p,
            fix="give the CDE .txt download itself, not a compressed or binary file "
            "(unzip research-file archives first; UTF-16 text must be re-saved as UTF-8)",
        )
    if b"\x00" in data:  # a damaged download: NUL bytes inside the text
        at, n_nul = data.index(b"\x00"), data.count(b"\x00")
        raise SchemaError(
            f"the file holds {n_nul} NUL byte(s), which no CDE text file has "
            "(the download is damaged)",
            file=p,
            row=data[:at].count(b"\n") + 1,
            fix="download the file again from the CDE page",
        )
    text, enc = _decode(data)
    comments, body = _split_comments(text)
    header_row = _lines_before(text, body) + 1
    header_line = body.split("\n", 1)[0].rstrip("\r")
    if not header_line.strip():
        raise SchemaError(
            "the file holds only comment lines and no header",
            file=p,
            row=header_row,
            fix="the first line that is not a '#' comment must be the CDE header",
        )
    counts = {d: header_line.count(d) for d in _DELIMS}
    delim = max(_DELIMS, key=lambda d: counts[d])
    if counts[delim] == 0:
        if "," in header_line:
            delim = ","
        else:
            raise UnknownFormatError(
                f"found no tab, pipe, caret or comma in the header line {header_line[:120]!r}",
                file=p,
                row=header_row,
                fix="CDE files are tab-delimited (.txt), pipe- or caret-delimited; give the "
                "original download, not a file re-saved with another delimiter",
            )
    n_head = header_line.count(delim) + 1
    data_rows = None
    if delim != ",":
        n_fields, lines = _field_counts(body, delim)
        data_n, data_lines = n_fields[1:], lines[1:]
        data_rows = header_row + data_lines  # blank lines are skipped, not numbered away
        bad = np.flatnonzero(data_n != n_head)
        if bad.size:
            i = int(bad[0])
            seen = int(data_n[i])
            line = _line(body, int(data_lines[i]))
            header = header_line.split(delim)
            other = [_DELIM_NAMES[d] for d in (*_DELIMS, ",") if d != delim and line.count(d) >= 2]
            if seen < n_head:
                col = header[seen] if seen < len(header) else None
                msg = f"the line has {seen} field(s) but the header has {n_head}; it is truncated"
                if other and seen == 1:
                    msg = (
                        f"the header is {_DELIM_NAMES[delim]}-delimited but this line looks "
                        f"{other[0]}-delimited (wrong delimiter)"
                    )
                raise SchemaError(
                    msg,
                    file=p,
                    row=int(data_rows[i]),
                    column=col,
                    fix="download the file again (it was cut short or re-saved with another "
                    "delimiter); every line needs one field per header column",
                )
            raise SchemaError(
                f"the line has {seen} fields but the header has {n_head}: it holds extra "
                f"{_DELIM_NAMES[delim]} characters",
                file=p,
                row=int(data_rows[i]),
                column=header[-1],
                fix="remove the stray delimiter from that line, or download the file again",
            )
    try:
        df = pd.read_csv(
            io.StringIO(body),
            sep=delim,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            quoting=csv.QUOTE_MINIMAL if delim == "," else csv.QUOTE_NONE,
            engine="c",
            index_col=False,
            skip_blank_lines=True,
        )
    except pd.errors.ParserError as err:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        raise SchemaError(
            f"the file cannot be split into columns ({str(err).strip()})",
            file=p,
            row=int(m.group(2)) - 1 + header_row if m else None,
            fix="check that every line has one field per header column",
        ) from None
    except (pd.errors.EmptyDataError, ValueError) as err:
        raise SchemaError(
            f"the file cannot be read as delimited text ({err})",
            file=p,
            fix="give the original CDE download",
        ) from None
    header = [str(c).strip().strip('"').strip() for c in header_line.split(delim)]
    header = [h or f"column {j + 1}" for j, h in enumerate(header)]  # unnamed stay apart
    if delim != "," and len(header) == df.shape[1]:
        df.columns = header  # as written (pandas renames repeated names "x.1")
    else:
        df.columns = [str(c).strip().strip('"').strip() for c in df.columns]
    _no_repeated_columns(list(df.columns), p, header_row)
    if delim != ",":
        df = _unquote(df)
    return RawTable(df, p, delim, enc, comments, None, header_row, data_rows)


def _no_repeated_columns(header: list[str], path: Path, header_row: int) -> None:
    """A column name that appears twice (ignoring case and spacing) is an error: which of
    the two holds the data cannot be told, and reading one silently would be a guess."""
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        k = norm_key(name)
        if not k:
            continue
        if k in seen:
            raise SchemaError(
                f"the column {name!r} appears twice (columns {seen[k] + 1} and {j + 1})",
                file=path,
                row=header_row,
                column=name,
                fix="download the original file again; if you added a column, give it a "
                "name of its own",
            )
        seen[k] = j


def _cell_text(v: object) -> str:
    import datetime as dt

    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    return str(v)


def _read_xlsx(p: Path, data: bytes) -> RawTable:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a damaged zip
        raise UnknownFormatError(
            f"the workbook cannot be opened ({type(err).__name__}: {err})",
            file=p,
            fix="open it in Excel and save it again as .xlsx, or download it again",
        ) from None
    try:
        sheet, rows, titles, first_row = _pick_sheet(wb)
    finally:
        wb.close()
    if sheet is None:
        raise SchemaError(
            "every sheet of the workbook is empty", file=p, fix="download the file again"
        )
    from ._tabular import refuse_unsaved_formulas

    refuse_unsaved_formulas(
        data, sheet, file=p, again="download the original file again", error=SchemaError
    )
    header = [" ".join(_cell_text(v).split()) for v in rows[0]]
    while header and not header[-1]:
        header.pop()
    _no_repeated_columns(header, p, first_row)
    n = len(header)
    kept = [
        (first_row + 1 + i, r[:n])
        for i, r in enumerate(rows[1:])
        if any(v is not None and str(v).strip() for v in r)
    ]
    cells = [[_cell_text(v) for v in r] + [""] * (n - len(r)) for _, r in kept]
    df = (
        pd.DataFrame(cells, columns=header, dtype=str)
        if cells
        else pd.DataFrame({h: pd.Series([], dtype=str) for h in header})
    )
    numbers = np.array([k for k, _ in kept], dtype=np.int64)
    return RawTable(df, p, "xlsx", "xlsx", titles, sheet, first_row, numbers)


#: Folded header names that mark a row of a workbook as the header of a CDE data table.
_CODE_KEYS = frozenset({"cds", "cdscode", "cdcode", "countycode"})
_HEADER_SCAN = 30


def _pick_sheet(wb) -> tuple[str | None, list[tuple], list[str], int]:
    """The sheet and rows of the data table of a workbook, the title lines above it and
    the header's row number.

    CDE's own workbooks put title rows above the header (the assistance-status files have
    five, the UPC files one) and spread notes, code lists and data over several sheets.
    The header is the first row, among a sheet's first 30, with a code column (``CDS``,
    ``cdsCode``, ``CD Code`` or ``County Code``); the first sheet that has one is read.
    Without any, the first non-empty row of the first non-empty sheet is the header (the
    format check then says what is wrong).
    """
    fallback: tuple[str | None, list[tuple], list[str], int] = (None, [], [], 1)
    for ws in wb.worksheets:
        it = ws.iter_rows(values_only=True)
        head: list[tuple] = []
        for _ in range(_HEADER_SCAN):
            r = next(it, None)
            if r is None:
                break
            head.append(r)
        nonempty = [r for r in head if r and any(v is not None and str(v).strip() for v in r)]
        if not nonempty:
            continue
        for i, r in enumerate(head):
            keys = {norm_key(_cell_text(v)) for v in r if v is not None}
            if keys & _CODE_KEYS:
                titles = [
                    " ".join(_cell_text(v) for v in t if v is not None).strip()
                    for t in head[:i]
                    if t and any(v is not None for v in t)
                ]
                return ws.title, [*head[i:], *it], titles, i + 1
        if fallback[0] is None:
            first = head.index(nonempty[0])
            fallback = (ws.title, [*head[first:], *it], [], first + 1)
    return fallback


def to_number(raw: RawTable, key: str, *, allow_star: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Convert a text column to float.

    Blank, ``N/A`` and similar give NaN; ``*`` (CDE suppression) gives NaN and is flagged.
    Anything else that is not a number raises :class:`SchemaError` naming the first bad
    row and the column.

    Returns
    -------
    (values, starred): float array and bool array of ``*`` cells.
    """
    name = raw.col(key)
    s = raw.frame[name].str.strip()
    star = s.isin(SUPPRESSED_TEXT).to_numpy()
    missing = s.isin(MISSING_TEXT).to_numpy() | star
    vals = pd.to_numeric(s.where(~missing), errors="coerce").to_numpy(dtype=float)
    bad = (np.isnan(vals) & ~missing) | np.isinf(vals)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SchemaError(
            f"{s.iloc[i]!r} is not a finite number ({int(bad.sum())} such cell(s) in the column)",
            file=raw.path,
            row=raw.row(i),
            column=name,
            fix="counts and rates must be numbers, blank, or '*' where CDE suppressed them; "
            "correct the cell or download the file again",
        )
    if star.any() and not allow_star:
        i = int(np.flatnonzero(star)[0])
        raise SchemaError(
            "'*' where this file family never suppresses",
            file=raw.path,
            row=raw.row(i),
            column=name,
            fix="leave the cell blank or give the number",
        )
    return vals, star
