"""Shared plumbing of the difference-in-differences estimators: input checks, the
school-year to integer-time conversion, and panel reshaping. Private to the package."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._api import check_ci
from ..errors import SchemaError
from ..schemas import C, year_start

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "check_ci",
    "check_columns",
    "cohort_to_int",
    "drop_years",
    "normal_ci",
    "time_to_int",
]


def check_columns(df: pd.DataFrame, columns: Iterable[str | None], *, what: str = "data") -> None:
    """Raise :class:`SchemaError` naming the first requested column ``df`` lacks."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise SchemaError(
            f"expected a pandas DataFrame of {what}, got {type(df).__name__}",
            fix="pass a long DataFrame with one row per unit and period",
        )
    for col in columns:
        if col is None:
            continue
        if col not in df.columns:
            raise SchemaError(
                f"the {what} has no column {col!r}",
                column=str(col),
                fix=f"name an existing column; the frame has {list(df.columns)[:12]}",
            )


def _is_missing(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() in ("", "NA", "nan", "None", "never")
    try:
        return bool(v != v)  # NaN, pd.NA raises
    except TypeError:
        return True


def time_to_int(values: pd.Series | Sequence, *, column: str = C.YEAR) -> np.ndarray:
    """Integer time periods from school years or numbers.

    ``"2019-20"`` becomes 2019 (via :func:`cei_metrics.schemas.year_start`); integers and
    integral floats pass through. A missing or malformed period raises
    :class:`SchemaError` naming the value.

    Examples
    --------
    >>> time_to_int(["2018-19", "2019-20"]).tolist()
    [2018, 2019]
    """
    import pandas as pd

    s = pd.Series(values)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise SchemaError(
                f"time value {s.iloc[i]!r} is not a whole-numbered period",
                row=i + 1,
                column=column,
                fix="use integer periods (e.g. 2019) or school years like '2019-20'",
            )
        return arr.astype(np.int64)
    uniq = pd.unique(s.astype(object))
    mapping = {}
    for v in uniq:
        if _is_missing(v):
            i = int(np.flatnonzero(s.isna().to_numpy() | (s.astype(str) == str(v)))[0])
            raise SchemaError(
                "time period is missing",
                row=i + 1,
                column=column,
                fix="drop rows without a period or fill the school year",
            )
        mapping[v] = _one_time(v, column)
    return s.map(mapping).to_numpy(dtype=np.int64)


def _one_time(v: object, column: str) -> int:
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return int(v)
    text = str(v).strip()
    if text.isdigit():
        return int(text)
    try:
        return year_start(text)
    except SchemaError:
        raise SchemaError(
            f"{v!r} is neither a school year nor an integer period",
            column=column,
            fix='write periods as school years "2019-20" or as integers',
        ) from None


def cohort_to_int(values: pd.Series | Sequence, *, column: str = C.COHORT) -> np.ndarray:
    """Integer first-treatment periods: ``"2019-20"`` -> 2019; NA, ``""`` or 0 -> 0 (never).

    Examples
    --------
    >>> cohort_to_int(["2019-20", None, "2021-22", 0]).tolist()
    [2019, 0, 2021, 0]
    """
    import pandas as pd

    s = pd.Series(values)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        arr = np.where(np.isfinite(arr), arr, 0.0)
        if (arr != np.round(arr)).any() or (arr < 0).any():
            i = int(np.flatnonzero((arr != np.round(arr)) | (arr < 0))[0])
            raise SchemaError(
                f"cohort value {s.iloc[i]!r} is not a period",
                row=i + 1,
                column=column,
                fix="give the first treated period (e.g. 2019), or 0/NA for never treated",
            )
        return arr.astype(np.int64)
    mapping = {}
    for v in pd.unique(s.astype(object)):
        mapping[v] = 0 if _is_missing(v) or str(v).strip() == "0" else _one_time(v, column)
    return s.astype(object).map(lambda v: mapping.get(v, 0)).to_numpy(dtype=np.int64)


def drop_years(
    df: pd.DataFrame, time: str, exclude_years: Iterable[object] | None
) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """Drop rows whose period is in ``exclude_years`` (school years or integers).

    Returns the kept rows and the excluded periods as integers (sorted), so results can
    say what was left out.
    """
    if not exclude_years:
        return df, ()
    excl = tuple(sorted({_one_time(v, time) for v in exclude_years}))
    t = time_to_int(df[time], column=time)
    keep = ~np.isin(t, excl)
    return df.loc[keep], excl


def normal_ci(est: np.ndarray, se: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise normal interval ``est +/- z * se``."""
    from scipy.stats import norm

    z = norm.ppf(0.5 + ci / 2)
    return est - z * se, est + z * se


def years_note(excluded: tuple[int, ...]) -> str:
    """A sentence saying which periods were excluded, for ``summary()``."""
    if not excluded:
        return ""
    return "Excluded periods (dropped before estimation): " + ", ".join(map(str, excluded))
