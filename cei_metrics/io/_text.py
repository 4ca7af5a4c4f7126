"""Low-level reading of delimited text files as evaluators receive them.

Shared by the survey, sign-in and roster readers: encoding detection (UTF-8 with or
without BOM, then Windows-1252), leading ``#`` comment lines (which may mark a file as
synthetic), delimiter sniffing, and header normalisation.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import CEIError, UnknownFormatError
from ..instruments import normalize_label

__all__ = ["RawText", "find_column", "read_delimited", "school_year_of_dates"]

_DELIMS = [",", "\t", ";", "|", "^"]


@dataclass
class RawText:
    """A delimited file read as text: every cell a string, nothing converted."""

    frame: pd.DataFrame
    path: Path
    encoding: str
    delimiter: str
    comments: list[str] = field(default_factory=list)
    n_comment_lines: int = 0

    @property
    def synthetic(self) -> bool:
        return self.path.name.lower().startswith("synthetic") or any(
            "synthetic" in c.lower() for c in self.comments
        )


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def read_delimited(path: str | Path, *, expect_columns: int = 2) -> RawText:
    """Read a delimited text file into a frame of strings.

    Blank cells stay ``""`` (never NaN) so that "no response" and "not in the file" can be
    told apart. Raises :class:`CEIError` for an empty file or one whose delimiter cannot
    be recognised.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CEIError("file not found", file=path, fix="check the path") from None
    text, encoding = _decode(raw, path)
    lines = text.splitlines()
    comments: list[str] = []
    while lines and lines[0].lstrip().startswith("#"):
        comments.append(lines.pop(0).lstrip("# ").strip())
    while lines and not lines[0].strip():
        lines.pop(0)
        comments.append("")
    if not lines:
        raise CEIError(
            "the file is empty (no header row)",
            file=path,
            fix="export the file again with its header row and data",
        )
    header = lines[0]
    counts = {d: header.count(d) for d in _DELIMS}
    delim = max(counts, key=counts.get)
    if counts[delim] + 1 < expect_columns:
        raise UnknownFormatError(
            f"could not recognise the delimiter: the header {header[:80]!r} has no "
            "comma, tab, semicolon, pipe or caret between column names",
            file=path,
            row=0,
            fix="save the file as CSV (comma-separated) with one header row",
        )
    body = "\n".join(lines)
    try:
        frame = pd.read_csv(
            io.StringIO(body),
            sep=delim,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            quoting=csv.QUOTE_MINIMAL,
            skipinitialspace=False,
            engine="c",
        )
    except pd.errors.ParserError as err:
        m = re.search(r"line (\d+)", str(err))
        row = int(m.group(1)) - 1 if m else None
        raise CEIError(
            f"a row has a different number of fields than the header ({err})",
            file=path,
            row=row,
            fix="check that row for an unquoted delimiter or a missing field",
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return RawText(frame, path, encoding, delim, comments, len(comments))


def _norm_header(h: str) -> str:
    h = normalize_label(h)
    return re.sub(r"[^0-9a-z]+", " ", h).strip()


def find_column(columns: list[str], aliases: tuple[str, ...]) -> str | None:
    """The first column whose normalised header equals one of ``aliases``."""
    normed = {_norm_header(c): c for c in columns}
    for a in aliases:
        if _norm_header(a) in normed:
            return normed[_norm_header(a)]
    return None


def school_year_of_dates(dates: pd.Series) -> pd.Series:
    """School year ("2019-20") of each date; a school year runs July to June. Each
    distinct year is written once and gathered back to the dates."""
    import numpy as np
    import pandas as pd

    start = (dates.dt.year - (dates.dt.month < 7).astype("int64")).to_numpy(dtype=float)
    codes, uniq = pd.factorize(start)  # NaT -> -1
    labels = np.array([f"{int(u)}-{(int(u) + 1) % 100:02d}" for u in uniq] + [None], dtype=object)
    return pd.Series(labels[codes], index=dates.index, dtype="str")
