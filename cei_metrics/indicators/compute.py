"""Every registered indicator at once, for notebooks, reports and benchmarks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..schemas import C
from ._stats import as_by

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["compute_all"]


def _present(table: Any, name: str) -> pd.DataFrame | None:
    df = getattr(table, name, None)
    return df if df is not None and len(df) else None


def compute_all(
    tables: Any,
    *,
    by: str | Sequence[str] = (C.DISTRICT_ID,),
    min_cell: int = 11,
    instrument: str = "family_engagement",
    weights: str | None = None,
    cluster: str | None = C.SCHOOL_ID,
    ci: float = 0.95,
) -> pd.DataFrame:
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
    DataFrame: the indicator frames stacked (union of their columns), one row per
    indicator x group x detail (scale, measure, session, section, group).

    Examples
    --------
    >>> cm.indicators.compute_all(cm.load_demo(seed=2019))  # doctest: +SKIP
    """
    import pandas as pd

    from .favorable import percent_favorable
    from .language import language_access
    from .p3 import p3_ratings
    from .participation import ENROLMENT_SHARE_OF, reach, representation_index, retention
    from .scales import scale_score, scale_scores

    by = as_by(by)
    survey = _present(tables, "survey")
    part = _present(tables, "participation")
    ratings = _present(tables, "ratings")
    roster = _present(tables, "roster")
    frames: list[pd.DataFrame] = []
    if survey is not None:
        cl = cluster if cluster is not None and cluster in survey.columns else None
        scores = scale_scores(survey, instrument)
        frames.append(
            scale_score(
                scores,
                instrument,
                by=[*by, C.WAVE],
                weights=weights,
                cluster=cl,
                ci=ci,
                min_cell=min_cell,
            )
        )
        frames.append(
            percent_favorable(
                survey,
                instrument,
                by=[*by, C.WAVE],
                weights=weights,
                cluster=cl,
                ci=ci,
                min_cell=min_cell,
            )
        )
    if part is not None and roster is not None:
        frames.append(reach(part, roster, by=[*by, C.YEAR], ci=ci, min_cell=min_cell))
        for group, col in ENROLMENT_SHARE_OF.items():
            usable = col in roster.columns and (
                group in part.columns or (group == "spanish" and C.LANGUAGE in part.columns)
            )
            if usable:
                frames.append(
                    representation_index(
                        part, roster, group=group, by=[*by, C.YEAR], ci=ci, min_cell=min_cell
                    )
                )
    if (
        part is not None
        and C.EVENT_TYPE in part.columns
        and (part[C.EVENT_TYPE] == "convening").any()
    ):
        frames.append(retention(part, event_type="convening", by=by, ci=ci, min_cell=min_cell))
    if survey is not None or part is not None:
        frames.append(language_access(survey, part, roster, by=by, ci=ci, min_cell=min_cell))
    if ratings is not None:
        frames.append(p3_ratings(ratings, by=by))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True, sort=False)
    out.attrs = {"min_cell": min_cell, "ci": ci, "by": by}
    return out
