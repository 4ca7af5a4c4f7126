"""Long survey table -> wide respondents x items frames for the metric-testing functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import SchemaError
from ..schemas import C

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["respondent_info", "to_wide"]

_KEYS = (C.RESPONDENT_ID, C.WAVE)


def _check(survey: pd.DataFrame, need: tuple[str, ...]) -> None:
    missing = [c for c in need if c not in survey.columns]
    if missing:
        raise SchemaError(
            f"the survey table lacks column(s) {missing}",
            column=missing[0],
            fix="pass the canonical survey table (cei_metrics.io.load_tables(...).survey)",
        )


def _select(
    survey: pd.DataFrame, wave: int | list[int] | None, instrument: str | None
) -> pd.DataFrame:
    s = survey
    if wave is not None:
        waves = [wave] if isinstance(wave, (int, float)) else list(wave)
        s = s[s[C.WAVE].isin(waves)]
    if instrument is not None:
        s = s[s[C.INSTRUMENT] == instrument]
    return s


def to_wide(
    survey: pd.DataFrame,
    wave: int | list[int] | None = None,
    *,
    instrument: str | None = None,
    items: list[str] | None = None,
) -> pd.DataFrame:
    """One row per (respondent_id, wave), one column per item, values the numeric codes.

    Parameters
    ----------
    survey : the canonical long survey table.
    wave : keep only this wave (or these waves); default all.
    instrument : keep only this instrument.
    items : the item columns, in order (default: the items present, sorted).

    Returns
    -------
    DataFrame indexed by (respondent_id, wave). Unanswered items are NaN. Only
    (respondent, wave) pairs present in the survey appear.

    Raises
    ------
    SchemaError when a column is missing or a respondent answers one item twice in a
    wave (the row of the first duplicate is named).
    """
    _check(survey, (*_KEYS, C.ITEM, C.VALUE))
    s = _select(survey, wave, instrument)
    key = [*_KEYS, C.ITEM]
    dup = s.duplicated(key, keep="first")
    if instrument is None and C.INSTRUMENT in s.columns and dup.any():
        key = [*_KEYS, C.INSTRUMENT, C.ITEM]
        dup = s.duplicated(key, keep="first")
    if dup.any():
        pos = int(dup.to_numpy().argmax())
        raise SchemaError(
            "a respondent answers the same item twice in one wave",
            row=pos + 1,
            column=C.ITEM,
            fix="remove duplicate rows, or pass instrument= to keep one instrument",
        )
    wide = s.set_index([*_KEYS, C.ITEM])[C.VALUE].astype("float64").unstack(C.ITEM)
    wide.columns = [str(c) for c in wide.columns]
    if items is not None:
        absent = [i for i in items if i not in wide.columns]
        if absent:
            raise SchemaError(
                f"item(s) {absent} do not occur in the survey table",
                column=C.ITEM,
                fix="check the instrument's item ids against the survey's item column",
            )
        wide = wide[list(items)]
    else:
        wide = wide[sorted(wide.columns)]
    return wide


def respondent_info(
    survey: pd.DataFrame,
    wave: int | list[int] | None = None,
    *,
    instrument: str | None = None,
    columns: tuple[str, ...] = (C.DISTRICT_ID, C.YEAR, C.LANGUAGE, C.WEIGHT),
) -> pd.DataFrame:
    """Respondent-level attributes aligned with :func:`to_wide` (same index, same order).

    The first value of each column within a (respondent_id, wave) is kept; columns absent
    from the survey table are skipped.
    """
    _check(survey, _KEYS)
    s = _select(survey, wave, instrument)
    cols = [c for c in columns if c in s.columns]
    return s.groupby(list(_KEYS), sort=True)[cols].first()
