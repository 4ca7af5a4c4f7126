"""The one CSV writer of exported tables, with formula injection neutralised.

OWASP, *CSV Injection*: a spreadsheet treats a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula (``=HYPERLINK(...)``, ``+cmd|...``,
``@SUM(...)``). Every *text* cell that starts so is prefixed with a single quote, which
spreadsheets show as text. Numbers stay numbers: a genuine ``-0.25`` in a numeric column
is written as it is.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["FORMULA_START", "neutralise", "to_csv_bytes", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(v: object) -> object:
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def neutralise(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells and column names cannot start a formula."""
    import pandas as pd

    out = table.copy()
    for c in out.columns:
        s = out[c]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            if isinstance(s.dtype, pd.CategoricalDtype):
                s = s.astype(object)
            out[c] = s.map(_safe)
    out.columns = [_safe(str(c)) if isinstance(c, str) else c for c in out.columns]
    if not isinstance(out.index, pd.RangeIndex):
        out.index = out.index.map(_safe)
    return out


def to_csv_bytes(table: pd.DataFrame, *, index: bool = False) -> bytes:
    """UTF-8 CSV bytes of ``table`` with formula injection neutralised."""
    safe = neutralise(table)
    safe.attrs = {}
    return safe.to_csv(index=index, lineterminator="\n").encode("utf-8")


def write_csv(table: pd.DataFrame, path: str | os.PathLike, *, index: bool = False) -> Path:
    """Write ``table`` as CSV (temporary file renamed into place); see :func:`to_csv_bytes`."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    tmp.write_bytes(to_csv_bytes(table, index=index))
    os.replace(tmp, p)
    return p
