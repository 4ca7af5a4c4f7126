"""Any table file as a grid of text cells, with spreadsheet row numbers.

:func:`read_grid` reads a delimited text file (CSV, TSV, semicolon, pipe or caret), an
Excel workbook (``.xlsx``/``.xlsm``, with openpyxl in read-only mode) or an SPSS ``.sav``
file (pyreadstat, value labels applied) into a :class:`Grid`: every cell a string, nothing
converted, and each row's number **as a spreadsheet shows it** (the first line of the file
is row 1, so with one header row the first data row is row 2). For ``.sav`` files, which
have no header row, the row is SPSS's case number.

Decoding is decided per file but never lets one stray byte spoil the rest: a UTF-8 file
with a Windows-1252 byte (a curly quote typed in Excel) is read as UTF-8 and only that
byte is read as Windows-1252; the byte's line and position are reported. A file with no
valid UTF-8 multi-byte sequence and some invalid bytes is read as Windows-1252 throughout.
"""

from __future__ import annotations

import csv
import io
import math
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from ..errors import CEIError, UnknownFormatError

__all__ = ["Grid", "decode_bytes", "read_grid"]

_DELIMS = (",", "\t", ";", "|", "^")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".tab", ".dat")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
SPSS_SUFFIXES = (".sav", ".zsav")
MAX_BYTES = 200 * 1024 * 1024
#: Bytes read when only the first rows are asked for (recognising a file, its header).
HEAD_BYTES = 4 * 1024 * 1024


@dataclass
class Grid:
    """A table file read as text cells.

    Attributes
    ----------
    rows : every row (lists of strings, padded to the same width), comment lines removed.
    row_numbers : the spreadsheet row number of each row.
    path, kind ("text", "excel", "spss"), encoding, delimiter.
    comments : leading ``#`` lines (a demo file marks itself synthetic there).
    notes : what reading had to repair (a byte read as Windows-1252, NUL bytes removed).
    labels : SPSS variable labels (question texts), by column, when the file has them.
    sheet : the Excel worksheet read.
    """

    rows: list[list[str]]
    row_numbers: list[int]
    path: Path
    kind: str
    encoding: str = ""
    delimiter: str = ""
    comments: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    sheet: str = ""

    @property
    def synthetic(self) -> bool:
        return self.path.name.lower().startswith("synthetic") or any(
            "synthetic" in c.lower() for c in self.comments
        )

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def _decode_line(b: bytes) -> tuple[str, list[int]]:
    """UTF-8 with each invalid byte read as Windows-1252; offsets of the bytes so read."""
    parts, bad, pos = [], [], 0
    while True:
        try:
            parts.append(b[pos:].decode("utf-8"))
            return "".join(parts), bad
        except UnicodeDecodeError as e:
            parts.append(b[pos : pos + e.start].decode("utf-8"))
            seg = b[pos + e.start : pos + e.end]
            parts.append(seg.decode("cp1252", errors="replace"))
            bad.append(pos + e.start)
            pos += e.end


def decode_bytes(raw: bytes) -> tuple[str, str, list[str]]:
    """Decode a text file's bytes; returns (text, encoding, notes).

    UTF-8 (with or without BOM) and UTF-16 with BOM are read as such; a UTF-8 file with a
    few invalid bytes keeps UTF-8 for everything else and reads each such byte as
    Windows-1252 (reported with its line and byte offset); a file with no valid UTF-8
    multi-byte character is Windows-1252.
    """
    notes: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace"), "utf-16", notes
    enc = "utf-8"
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, enc = raw[3:], "utf-8-sig"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return text, enc, notes
    # a real UTF-8 multi-byte character anywhere means the file is UTF-8 with stray bytes
    good_multibyte = any(
        ord(ch) > 127 and ch != "\ufffd" for ch in raw.decode("utf-8", errors="replace")
    )
    if not good_multibyte:
        return raw.decode("cp1252", errors="replace"), "cp1252", notes
    lines = raw.split(b"\n")
    out, bad = [], []
    offset = 0
    for i, b in enumerate(lines):
        s, where = _decode_line(b)
        bad.extend((i + 1, offset + w, b[w]) for w in where)
        out.append(s)
        offset += len(b) + 1
    shown = ", ".join(f"line {ln} byte {off} (0x{byte:02X})" for ln, off, byte in bad[:5])
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    notes.append(
        f"{len(bad)} byte(s) not valid UTF-8 read as Windows-1252 ({shown}{more}); "
        "the rest of the file read as UTF-8"
    )
    return "\n".join(out), enc, notes


def _sniff_delimiter(lines: list[str]) -> str | None:
    best, best_score = None, 0
    for d in _DELIMS:
        counts = [ln.count(d) for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
        if not counts or max(counts) == 0:
            continue
        # the delimiter that splits most lines into the same, largest number of fields
        top = max(counts)
        score = top * sum(c == top for c in counts) + sum(c > 0 for c in counts)
        if score > best_score:
            best, best_score = d, score
    return best


def _parse_records(text: str, delim: str, max_rows: int | None) -> list[list[str]]:
    """Split text into records: pandas' C parser when the rows are regular, else the
    csv module (ragged rows, stray quotes)."""
    import pandas as pd

    if max_rows is not None:
        lines = text.split("\n", max_rows + 1)[: max_rows + 1]
        text = "\n".join(lines[:max_rows])
    if max_rows is None and len(text) > 200_000:
        head: list[list[str]] = []
        pos = 0
        while text.startswith("#", pos):  # leading comment lines, one cell each
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            head.append([text[pos:end].rstrip("\r")])
            pos = end + 1
        try:
            df = pd.read_csv(
                io.StringIO(text[pos:]),
                sep=delim,
                header=None,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
                quoting=csv.QUOTE_MINIMAL,
            )
        except Exception:
            pass
        else:
            if df.shape[1]:
                df = df.fillna("").apply(lambda c: c.str.strip())
                return head + df.to_numpy(dtype=object).tolist()
    old = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False))
    except csv.Error as err:  # pragma: no cover - strict=False makes this rare
        raise CEIError(
            f"the file cannot be split into fields ({err})",
            fix="save the file again as CSV (comma-separated) from the tool it came from",
        ) from None
    finally:
        csv.field_size_limit(old)


def _read_text(path: Path, raw: bytes, max_rows: int | None = None) -> Grid:
    text, enc, notes = decode_bytes(raw)
    if "\x00" in text:
        n = text.count("\x00")
        text = text.replace("\x00", "")
        notes.append(f"{n} NUL character(s) removed")
    lines = text.splitlines()[:40]
    delim = _sniff_delimiter(lines)
    if delim is None:
        nonblank = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
        if len(nonblank) == 0:
            raise CEIError(
                "the file is empty (no header row)",
                file=path,
                fix="export the file again with its header row and data",
            )
        delim = ","  # one column
    try:
        records = _parse_records(text, delim, max_rows)
    except CEIError as err:
        raise CEIError(err.message, file=path, fix=err.fix) from None
    rows, numbers, comments = [], [], []
    started = False
    for i, rec in enumerate(records, start=1):
        if not started:
            first = rec[0].lstrip() if rec else ""
            if first.startswith("#"):
                comments.append(delim.join(rec).lstrip("# ").strip())
                continue
            if not any(c.strip() for c in rec):
                continue
            started = True
        rows.append([c.strip() for c in rec])
        numbers.append(i)
    return _finish(Grid(rows, numbers, path, "text", enc, delim, comments, notes))


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, datetime):
        return (
            v.isoformat(sep=" ")
            if (v.hour, v.minute, v.second) != (0, 0, 0)
            else v.date().isoformat()
        )
    if isinstance(v, (date, time)):
        return v.isoformat()
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v).strip()


_FORMULA_NO_VALUE = re.compile(
    rb"<c\b[^>]*>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>", re.DOTALL
)


def formulas_without_values(
    source: bytes | Path, sheet: str | None = None, *, file: Path | None = None
) -> int:
    """Cells of a workbook's sheet (every sheet when ``sheet`` is None) that hold a formula
    and no saved value: an .xlsx written by a program that does not compute formulas.
    openpyxl reads such cells as blank, which would turn numbers into missing values.
    A sheet whose compressed data are damaged (a checksum that fails) is refused with an
    :class:`UnknownFormatError` naming ``file``."""
    import io as _io
    import zipfile
    import zlib

    try:
        zf = zipfile.ZipFile(_io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError):
        return 0
    with zf:
        names = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        if sheet is not None:
            target = _sheet_part(zf, sheet)
            names = [target] if target in names else names
        total = 0
        for n in names:
            try:
                data = zf.read(n)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
                raise UnknownFormatError(
                    f"the workbook is damaged: its part {n} cannot be read ({err})",
                    file=file
                    if file is not None
                    else (None if isinstance(source, bytes) else source),
                    fix="open the file in Excel and save it again as .xlsx, or export or "
                    "download it again",
                ) from None
            if b"<f" in data:
                total += len(_FORMULA_NO_VALUE.findall(data))
        return total


def refuse_unsaved_formulas(
    source: bytes | Path,
    sheet: str | None,
    *,
    file: Path,
    again: str,
    error: type[CEIError] = CEIError,
) -> None:
    """Raise ``error`` naming ``file`` and ``sheet`` when the sheet holds formulas without
    saved values (:func:`formulas_without_values`): they would read as blanks. ``again``
    ends the fix ("export it again as CSV")."""
    n = formulas_without_values(source, sheet, file=file)
    if n:
        raise error(
            f"{n} cell(s) of sheet {sheet!r} are formulas without saved values, so what "
            "they show cannot be read",
            file=file,
            fix=f"open and save the file in Excel (which stores each formula's value), or {again}",
        )


def _sheet_part(zf, sheet: str) -> str | None:
    """The zip member of a worksheet, from workbook.xml and its relationships."""
    try:
        wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return None
    m = re.search(r'<sheet\b[^>]*name="' + re.escape(sheet) + r'"[^>]*r:id="([^"]+)"', wb)
    if not m:
        return None
    r = re.search(
        r'<Relationship\b[^>]*Id="' + re.escape(m.group(1)) + r'"[^>]*Target="([^"]+)"', rels
    )
    if not r:
        r = re.search(r'Target="([^"]+)"[^>]*Id="' + re.escape(m.group(1)) + r'"', rels)
    if not r:
        return None
    t = r.group(1).lstrip("/")
    return t if t.startswith("xl/") else f"xl/{t}"


def _read_excel(path: Path, max_rows: int | None = None) -> Grid:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as err:
        raise UnknownFormatError(
            f"not a readable Excel workbook ({type(err).__name__})",
            file=path,
            fix="open the file in Excel and save it again as .xlsx, or export it as CSV",
        ) from None
    except Exception as err:  # openpyxl raises many kinds on damaged files
        raise UnknownFormatError(
            f"not a readable Excel workbook ({type(err).__name__})",
            file=path,
            fix="open the file in Excel and save it again as .xlsx, or export it as CSV",
        ) from None
    try:
        chosen, sheet = None, ""
        for ws in wb.worksheets:
            rows = []
            for r in ws.iter_rows(values_only=True):
                rows.append([_cell_text(v) for v in r])
                if len(rows) > 2_000_000 or (max_rows is not None and len(rows) >= max_rows):
                    break
            if sum(any(c for c in r) for r in rows) >= 2:
                chosen, sheet = rows, ws.title
                break
            if chosen is None:
                chosen, sheet = rows, ws.title
    except Exception as err:
        raise UnknownFormatError(
            f"the workbook cannot be read ({type(err).__name__})",
            file=path,
            fix="open the file in Excel and save it again as .xlsx, or export it as CSV",
        ) from None
    finally:
        wb.close()
    refuse_unsaved_formulas(path, sheet, file=path, again="export it again as CSV")
    rows_out, numbers = [], []
    started = False
    for i, r in enumerate(chosen or [], start=1):
        if not started and not any(c for c in r):
            continue
        started = True
        rows_out.append(r)
        numbers.append(i)
    comments = []
    while rows_out and rows_out[0] and rows_out[0][0].startswith("#") and not any(rows_out[0][1:]):
        comments.append(rows_out[0][0].lstrip("# ").strip())
        rows_out.pop(0)
        numbers.pop(0)
    g = Grid(rows_out, numbers, path, "excel", "", "", comments, [], [], sheet)
    return _finish(g)


def _read_spss(path: Path) -> Grid:
    try:
        import pyreadstat
    except ImportError:  # pragma: no cover - a declared dependency
        raise CEIError(
            "reading SPSS files needs the pyreadstat package",
            file=path,
            fix="pip install pyreadstat, or export the survey as CSV",
        ) from None
    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as err:  # pyreadstat raises its own and OSError kinds on bad files
        raise UnknownFormatError(
            f"not a readable SPSS .sav file ({type(err).__name__})",
            file=path,
            fix="export the data again from the survey tool as SPSS (.sav) or CSV",
        ) from None
    names = [str(c) for c in df.columns]
    value_labels = meta.variable_value_labels or {}
    cols = []
    for c in df.columns:
        labels = value_labels.get(c) or {}
        vals = df[c].tolist()
        out = []
        for v in vals:
            if labels and v in labels:
                out.append(str(labels[v]).strip())
            else:
                out.append(_cell_text(v))
        cols.append(out)
    rows = [names] + [list(r) for r in zip(*cols)] if cols else [names]
    labels_row = [str((meta.column_names_to_labels or {}).get(n) or "") for n in names]
    numbers = [0, *range(1, len(rows))]  # the header has no row in SPSS; cases are 1..n
    return Grid(rows, numbers, path, "spss", meta.file_encoding or "", "", [], [], labels_row)


def _finish(g: Grid) -> Grid:
    w = g.width
    for r in g.rows:
        if len(r) < w:
            r.extend([""] * (w - len(r)))
    # trailing columns blank in every row (a trailing delimiter) are not columns
    while w and all(not r[w - 1] for r in g.rows):
        w -= 1
    g.rows = [r[:w] for r in g.rows]
    return g


def read_grid(path: str | Path, *, max_rows: int | None = None) -> Grid:
    """Read any supported table file into a :class:`Grid` (see the module docstring).

    Raises
    ------
    CEIError for a missing, empty or unreadable file; UnknownFormatError for a file that
    is not a table in any supported format.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CEIError("file not found", file=path, fix="check the path") from None
    if size > MAX_BYTES and max_rows is None:
        raise CEIError(
            f"the file is {size / 2**20:.0f} MB, more than this reader takes",
            file=path,
            fix="split the export, or remove columns that are not needed",
        )
    suffix = path.suffix.lower()
    if suffix in SPSS_SUFFIXES:
        return _read_spss(path)
    if max_rows is not None and size > HEAD_BYTES and suffix not in EXCEL_SUFFIXES:
        with open(path, "rb") as fh:  # the head is enough for max_rows rows
            raw = fh.read(HEAD_BYTES // 16)
            while raw.count(b"\n") <= max_rows and len(raw) < HEAD_BYTES:
                more = fh.read(min(len(raw), HEAD_BYTES - len(raw)))
                if not more:
                    break
                raw += more
        raw = raw[: raw.rfind(b"\n") + 1] or raw
    else:
        raw = path.read_bytes()
    if suffix in EXCEL_SUFFIXES or raw[:4] == b"PK\x03\x04":
        if raw[:4] != b"PK\x03\x04":
            raise UnknownFormatError(
                "the file is named .xlsx but is not an Excel workbook",
                file=path,
                fix="open it in Excel and save it again as .xlsx, or export it as CSV",
            )
        return _read_excel(path, max_rows)
    if suffix == ".xls" or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnknownFormatError(
            "old Excel (.xls) workbooks are not read",
            file=path,
            fix="open the file in Excel and save it as .xlsx or CSV",
        )
    if raw[:4] == b"$FL2" or raw[:4] == b"$FL3":
        return _read_spss(path)
    if not raw.strip():
        raise CEIError(
            "the file is empty (no header row)",
            file=path,
            fix="export the file again with its header row and data",
        )
    return _read_text(path, raw, max_rows)


def header_row_index(g: Grid, score) -> int:
    """Index of the header row: the first of the first 20 rows that ``score`` rates
    highest (ties to the earliest); ``score(row)`` counts recognised column names."""
    best, best_i = -1, 0
    for i, r in enumerate(g.rows[:20]):
        s = score(r)
        if s > best:
            best, best_i = s, i
    return best_i


_WS = re.compile(r"\s+")
