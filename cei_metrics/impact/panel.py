"""From the canonical tables to the unit x year panel the impact estimators take."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import EstimationError
from ..schemas import DISRUPTED_YEARS, C, district_of, year_start

__all__ = ["outcome_panel"]

#: Columns of the panel besides the roster covariates.
UNIT, TIME, COHORT, TREATED = "unit", "t", "cohort_start", "treated"


def outcome_panel(
    outcomes: pd.DataFrame,
    roster: pd.DataFrame,
    indicator: str,
    *,
    level: str = "district",
    group: str = "All students",
    covariates: tuple[str, ...] = (C.PCT_EL, C.PCT_SED, C.ENROLLMENT),
) -> pd.DataFrame:
    """One row per unit x school year for one outcome, with each unit's PLLN cohort.

    Parameters
    ----------
    outcomes, roster : the canonical ``outcomes`` and ``roster`` tables.
    indicator : e.g. ``"chronic_absenteeism"``.
    level : ``"district"`` or ``"school"`` rows of the outcomes table.
    group : the student group ("All students", "English learners", ...).
    covariates : roster columns carried along (time-invariant, for conditional designs).

    Returns
    -------
    DataFrame with ``unit`` (the CDS code), ``district_id``, ``year``, ``t`` (the
    calendar year the school year starts), ``cohort_start`` (first PLLN school year as
    its start year; 0 for districts never in the network), ``treated`` (1 from the
    cohort's first year on), ``disrupted`` (2019-20 or 2020-21), ``value``,
    ``denominator`` and the covariates. Suppressed cells are left out (their value is
    unknown), which makes the panel unbalanced where that happens.
    """
    sel = outcomes[
        (outcomes[C.INDICATOR] == indicator)
        & (outcomes[C.LEVEL] == level)
        & (outcomes[C.GROUP] == group)
        & ~outcomes[C.SUPPRESSED].astype(bool)
    ]
    if sel.empty:
        raise EstimationError(
            f"no unsuppressed {level} rows for {indicator!r}, group {group!r}",
            column=C.INDICATOR,
            fix=f"choose among {sorted(outcomes[C.INDICATOR].unique())} and check the level "
            "and group names",
        )
    years = pd.Series(sel[C.YEAR].unique())
    starts = dict(zip(years, years.map(year_start)))
    panel = pd.DataFrame(
        {
            UNIT: sel[C.CDS].to_numpy(),
            C.DISTRICT_ID: sel[C.CDS].map(district_of).to_numpy(),
            C.YEAR: sel[C.YEAR].to_numpy(),
            TIME: sel[C.YEAR].map(starts).to_numpy(dtype=np.int64),
            C.VALUE: sel[C.VALUE].to_numpy(dtype=float),
            C.DENOMINATOR: sel[C.DENOMINATOR].to_numpy(dtype=float),
        }
    )
    cov = [c for c in covariates if c in roster.columns]
    r = roster[[C.DISTRICT_ID, C.COHORT, *cov]].copy()
    coh = r[C.COHORT]
    r[COHORT] = [0 if pd.isna(c) or c == "" else year_start(c) for c in coh]
    panel = panel.merge(r.drop(columns=C.COHORT), on=C.DISTRICT_ID, how="inner")
    panel[TREATED] = ((panel[COHORT] > 0) & (panel[TIME] >= panel[COHORT])).astype(int)
    panel["disrupted"] = panel[C.YEAR].isin(DISRUPTED_YEARS)
    return panel.sort_values([UNIT, TIME]).reset_index(drop=True)
