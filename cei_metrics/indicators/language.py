"""Language access: how far surveys and events reach families in their home language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..schemas import C
from . import _cols as K
from ._stats import as_by, check_columns, finish, group_codes, grouped_proportion, wilson_ci
from .participation import _participants, _roster_share

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["HOME_LANGUAGE", "language_access"]

#: Optional respondent/participant column with the family's home language (ISO 639-1).
HOME_LANGUAGE = "home_language"


def _stats_frame(keys, stats, measure, min_cell):
    out = finish(keys, stats, indicator="language_access", min_cell=min_cell)
    out.insert(len(keys.columns) + 1, K.MEASURE, measure)
    return out


def language_access(
    survey: pd.DataFrame | None,
    participation: pd.DataFrame | None,
    roster: pd.DataFrame | None = None,
    *,
    language: str = "es",
    by: str | Sequence[str] = (C.DISTRICT_ID,),
    role: str | None = "family",
    ci: float = 0.95,
    min_cell: int = 11,
) -> pd.DataFrame:
    r"""Language access measures, stacked in one tidy frame (column ``measure``).

    What the canonical tables can support is limited: they record the language a survey
    was *taken* in and the language a participant *signed in* with, not (unless a
    ``home_language`` column is present) the language spoken at home. So:

    - ``"responses_in_language"``: share of survey responses (respondent-waves) taken
      in ``language``; Wilson interval.
    - ``"responses_vs_enrolment"`` (``language="es"`` and a roster with
      ``pct_spanish``): that share over the share of families whose home language is
      Spanish; 1 means Spanish-speaking families answer in Spanish about as often as
      they are enrolled. It cannot tell a Spanish-speaking family answering in English
      from a non-response, so values below 1 mix the two.
    - ``"responses_in_home_language"`` (only when the survey has ``home_language``):
      among respondents whose home language is not English, the share who answered in
      their home language; the direct measure of access.
    - ``"attendances_in_language"``: share of event attendances (participant x event)
      signed in under ``language``; interval design-adjusted for clustering by event.
    - ``"events_with_language"``: share of events with at least one participant in
      ``language``: a floor on how many events were accessible in it (an interpreter
      or a Spanish-language session is not recorded, only who came).

    Parameters
    ----------
    survey, participation : canonical tables (either may be None or empty to skip
        its measures).
    roster : canonical roster, for ``responses_vs_enrolment``.
    language : ISO 639-1 code of the language of interest.
    by : grouping columns present in each table used (default ``district_id``).
    role : participants' role counted (default ``"family"``; None for all).
    ci : confidence level.
    min_cell : rows with ``n`` below this are flagged ``suppressed``.

    Returns
    -------
    DataFrame: ``by`` columns, ``indicator`` ("language_access"), ``measure``,
    ``estimate, std_error, ci_low, ci_high, n, count, suppressed``.

    Examples
    --------
    >>> cm.indicators.language_access(demo.survey, demo.participation, demo.roster)  # doctest: +SKIP
    """
    import pandas as pd

    by = as_by(by)
    parts: list[pd.DataFrame] = []
    if survey is not None and len(survey):
        check_columns(survey, [C.RESPONDENT_ID, C.WAVE, C.LANGUAGE, *by], "survey")
        resp = survey.drop_duplicates([C.RESPONDENT_ID, C.WAVE])
        codes, keys = group_codes(resp, by)
        lang = resp[C.LANGUAGE].astype("string")
        x = np.where(
            lang.isna().to_numpy(), np.nan, (lang == language).to_numpy(dtype=float, na_value=0.0)
        )
        st = grouped_proportion(x, codes, len(keys), ci=ci)
        st.pop(K.N_CLUSTERS)
        a = _stats_frame(keys, st, "responses_in_language", min_cell)
        parts.append(a)
        if roster is not None and language == "es" and C.DISTRICT_ID in by and len(a):
            pi = _roster_share(roster, C.PCT_SPANISH, "the Spanish-speaking share") / 100.0
            share = pi.reindex(a[C.DISTRICT_ID].to_numpy()).to_numpy(dtype=float)
            b = a.copy()
            b[K.MEASURE] = "responses_vs_enrolment"
            good = np.isfinite(share) & (share > 0)
            b = b[good].reset_index(drop=True)
            sh = share[good]
            lo, hi = wilson_ci(b[K.COUNT].to_numpy(), b[K.N].to_numpy(), ci=ci)
            b[K.ESTIMATE] = b[K.ESTIMATE] / sh
            b[K.STD_ERROR] = b[K.STD_ERROR] / sh
            b[K.CI_LOW], b[K.CI_HIGH] = lo / sh, hi / sh
            b[K.ENROLMENT_SHARE] = sh
            parts.append(b)
        if HOME_LANGUAGE in resp.columns:
            home = resp[HOME_LANGUAGE].astype("string")
            nonen = (home.notna() & (home != "en")).to_numpy(dtype=bool)
            y = np.where(nonen, (lang == home).to_numpy(dtype=float, na_value=0.0), np.nan)
            st = grouped_proportion(y, codes, len(keys), ci=ci)
            st.pop(K.N_CLUSTERS)
            parts.append(_stats_frame(keys, st, "responses_in_home_language", min_cell))
    if participation is not None and len(participation):
        check_columns(participation, [C.EVENT_ID, C.LANGUAGE], "participation")
        df = _participants(participation, role=role, event_types=None, need=by)
        att = df.drop_duplicates([C.EVENT_ID, C.PARTICIPANT_ID])
        codes, keys = group_codes(att, by)
        lang = att[C.LANGUAGE].astype("string")
        x = np.where(
            lang.isna().to_numpy(), np.nan, (lang == language).to_numpy(dtype=float, na_value=0.0)
        )
        ev_code, _ = pd.factorize(att[C.EVENT_ID])
        st = grouped_proportion(x, codes, len(keys), cluster=ev_code.astype(np.int64), ci=ci)
        st.pop(K.N_CLUSTERS)
        parts.append(_stats_frame(keys, st, "attendances_in_language", min_cell))
        ev = att.assign(_x=x).groupby([*by, C.EVENT_ID], observed=True)["_x"].max().reset_index()
        codes, keys = group_codes(ev, by)
        st = grouped_proportion(ev["_x"].to_numpy(dtype=float), codes, len(keys), ci=ci)
        st.pop(K.N_CLUSTERS)
        parts.append(_stats_frame(keys, st, "events_with_language", min_cell))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if len(out):
        out[K.COUNT] = out[K.COUNT].astype(np.int64)
    out.attrs.update(
        indicator="language_access",
        language=language,
        method="Wilson intervals; attendances design-adjusted for clustering by event",
        caveat="the tables record the language used, not the home language, unless a "
        "home_language column is present",
        min_cell=min_cell,
        ci=ci,
    )
    return out
