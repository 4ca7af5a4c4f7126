"""Every registered indicator at once, for notebooks, reports and benchmarks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._api import estimator
from ..schemas import C
from ._result import IndicatorResult, IndicatorSet
from ._stats import as_by

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["compute_all"]


def _present(table: Any, name: str) -> pd.DataFrame | None:
    df = getattr(table, name, None)
    return df if df is not None and len(df) else None


@estimator()
def compute_all(
    tables: Any,
    *,
    by: str | Sequence[str] = (C.DISTRICT_ID,),
    min_cell: int = 11,
    instrument: str = "family_engagement",
    weights: str | None = None,
    cluster: str | None = C.SCHOOL_ID,
    ci: float = 0.95,
) -> IndicatorSet:
    """Compute every registered indicator from the canonical tables.

    Survey indicators are grouped by ``by`` + ``wave``; participation indicators by
    ``by`` + ``year`` (the school year of the event), retention and language access by
    ``by``; Priority 3 ratings by ``by`` + ``year``. Tables that are absent or empty
    are skipped.

    Parameters
    ----------
    tables : anything with ``survey``, ``participation``, ``ratings``, ``roster``
        attributes (``cm.io.load_tables(...)`` or ``cm.load_demo()``).
    by : grouping columns common to the tables (default ``district_id``).
    min_cell : small-cell threshold for the ``suppressed`` flag.
    instrument : the survey's instrument.
    weights : sampling-weight column of the survey, or None.
    cluster : cluster column of the survey (used when present), or None.
    ci : confidence level.

    Returns
    -------
    IndicatorSet: a read-only mapping from a name to each :class:`IndicatorResult`
    (``"scale_score"``, ``"percent_favorable"``, ``"reach"``,
    ``"representation_index:<group>"`` for each group the tables support,
    ``"retention"``, ``"language_access"``, ``"p3_rating"``); ``.to_frame()`` stacks
    them into one long frame (union of their columns), one row per indicator x group x
    detail (scale, measure, session, section, group); ``.overview()`` lists them.

    Examples
    --------
    >>> every = cm.indicators.compute_all(cm.load_demo(seed=2019))  # doctest: +SKIP
    >>> every["reach"].to_frame()  # doctest: +SKIP
    >>> every.to_frame().groupby("indicator")["estimate"].describe()  # doctest: +SKIP
    """
    from ._spec import definition
    from .favorable import percent_favorable
    from .language import language_access
    from .p3 import p3_ratings
    from .participation import (
        ENROLLMENT_SHARE_OF,
        SPANISH,
        reach,
        representation_index,
        retention,
    )
    from .scales import respondent_scores, scale_score

    by = as_by(by)
    survey = _present(tables, "survey")
    part = _present(tables, "participation")
    ratings = _present(tables, "ratings")
    roster = _present(tables, "roster")
    results: dict[str, IndicatorResult] = {}
    if survey is not None:
        cl = cluster if cluster is not None and cluster in survey.columns else None
        scores = respondent_scores(survey, instrument)
        results["scale_score"] = scale_score(
            scores,
            instrument,
            by=[*by, C.WAVE],
            weights=weights,
            cluster=cl,
            ci=ci,
            min_cell=min_cell,
        )
        results["percent_favorable"] = percent_favorable(
            survey,
            instrument,
            by=[*by, C.WAVE],
            weights=weights,
            cluster=cl,
            ci=ci,
            min_cell=min_cell,
        )
    if part is not None and roster is not None:
        results["reach"] = reach(part, roster, by=[*by, C.YEAR], ci=ci, min_cell=min_cell)
        for group, col in ENROLLMENT_SHARE_OF.items():
            usable = col in roster.columns and (
                group in part.columns or (group == SPANISH and C.LANGUAGE in part.columns)
            )
            if usable:
                results[f"representation_index:{group}"] = representation_index(
                    part,
                    roster,
                    group=group,
                    by=[*by, C.YEAR],
                    ci=ci,
                    min_cell=min_cell,
                    **definition("representation_index"),
                )
    if (
        part is not None
        and C.EVENT_TYPE in part.columns
        and (part[C.EVENT_TYPE] == "convening").any()
    ):
        results["retention"] = retention(
            part, by=by, ci=ci, min_cell=min_cell, **definition("retention")
        )
    if survey is not None or part is not None:
        results["language_access"] = language_access(
            survey, part, roster, by=by, ci=ci, min_cell=min_cell
        )
    if ratings is not None:
        results["p3_rating"] = p3_ratings(ratings, by=by)
    return IndicatorSet(results=results, by=tuple(by), min_cell=min_cell, ci_level=ci)
