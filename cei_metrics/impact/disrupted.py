"""Marking the school years disrupted by COVID-19 (2019-20, 2020-21)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..errors import EstimationError
from ..schemas import DISRUPTED_YEARS, C
from .synth._panel import require_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DisruptedNote", "flag_disrupted"]

FLAG = "disrupted"


@dataclass(frozen=True)
class DisruptedNote:
    """What :func:`flag_disrupted` did, in words an estimator or notebook can print."""

    mode: str
    years: tuple[str, ...]
    n_rows: int
    n_affected: int
    text: str

    def __str__(self) -> str:
        return self.text


def flag_disrupted(
    df: pd.DataFrame,
    *,
    year_col: str = C.YEAR,
    mode: Literal["flag", "exclude"] = "flag",
    years: tuple[str, ...] = DISRUPTED_YEARS,
) -> tuple[pd.DataFrame, DisruptedNote]:
    """Flag or drop rows from the school years disrupted by COVID-19.

    In 2019-20 there was no spring state assessment and attendance was not comparable
    after March; in 2020-21 most instruction was remote. Outcomes from those years are
    not comparable with the years around them, so an impact estimate should either drop
    them (``mode="exclude"``) or at least carry a ``disrupted`` flag to model or display.

    Parameters
    ----------
    df : any table with a school-year column (e.g. outcomes).
    year_col : that column (default the canonical ``year``).
    mode : "flag" adds a boolean column ``disrupted``; "exclude" drops those rows.
    years : the years treated as disrupted (default :data:`cei_metrics.schemas.DISRUPTED_YEARS`).

    Returns
    -------
    (frame, note): a new frame (the input is not modified) and a :class:`DisruptedNote`
    whose ``text`` says what was done.

    Examples
    --------
    >>> out, note = flag_disrupted(outcomes, mode="exclude")
    >>> print(note)
    Excluded 1,204 of 9,876 rows from the disrupted school years 2019-20, 2020-21 (COVID-19).
    """
    require_columns(df, [year_col], what="flag_disrupted")
    if mode not in ("flag", "exclude"):
        raise EstimationError(f"unknown mode {mode!r}", fix='use "flag" or "exclude"')
    hit = df[year_col].astype(str).isin(set(years))
    n, k = len(df), int(hit.sum())
    yrs = ", ".join(years)
    if mode == "flag":
        out = df.assign(**{FLAG: hit.to_numpy()})
        text = (
            f"Flagged {k:,} of {n:,} rows from the disrupted school years {yrs} (COVID-19) "
            f"in column {FLAG!r}."
        )
    else:
        out = df.loc[~hit].copy()
        text = f"Excluded {k:,} of {n:,} rows from the disrupted school years {yrs} (COVID-19)."
    if k == 0:
        text += " No rows fell in those years."
    return out, DisruptedNote(mode=mode, years=tuple(years), n_rows=n, n_affected=k, text=text)
