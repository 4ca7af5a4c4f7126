"""Language access: how far surveys and events reach families in their home language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from ..schemas import C
from . import _cols as K
from ._result import IndicatorResult, make_result
from ._stats import (
    as_by,
    check_columns,
    factorize,
    finish,
    first_rows,
    group_codes,
    grouped_proportion,
    pair_codes,
    row_codes,
    subset_groups,
    wilson_ci,
)
from .participation import _equals, _participants, _roster_share

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["HOME_LANGUAGE", "language_access"]

#: Optional respondent/participant column with the family's home language (ISO 639-1);
#: an alias of :attr:`cei_metrics.schemas.C.HOME_LANGUAGE`.
HOME_LANGUAGE = C.HOME_LANGUAGE


def _stats_frame(keys, stats, measure, min_cell):
    out = finish(keys, stats, indicator="language_access", min_cell=min_cell)
    out.insert(len(keys.columns) + 1, K.MEASURE, measure)
    return out


@estimator()
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
) -> IndicatorResult:
    r"""Language access measures, stacked in one tidy frame (column ``measure``).

    What the canonical tables can support is limited: they record the language a survey
    was *taken* in and the language a participant *signed in* with, not (unless a
    ``home_language`` column is present) the language spoken at home. So:

    - ``"responses_in_language"``: share of survey responses (respondent-waves) taken
      in ``language``; Wilson interval.
    - ``"responses_vs_enrollment"`` (``language="es"`` and a roster with
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
    roster : canonical roster, for ``responses_vs_enrollment``.
    language : ISO 639-1 code of the language of interest.
    by : grouping columns present in each table used (default ``district_id``).
    role : participants' role counted (default ``"family"``; None for all).
    ci : confidence level.
    min_cell : rows with ``n`` below this are flagged ``suppressed``.

    Returns
    -------
    IndicatorResult whose table has the ``by`` columns, ``indicator``
    ("language_access"), ``measure``, ``estimate, std_error, ci_low, ci_high, n, count,
    suppressed``; the caveat says what the tables cannot tell.

    Examples
    --------
    >>> res = cm.indicators.language_access(demo.survey, demo.participation, demo.roster)  # doctest: +SKIP
    >>> print(res.caveat)  # doctest: +SKIP
    """
    import pandas as pd

    by = as_by(by)
    parts: list[pd.DataFrame] = []
    if survey is not None and len(survey):
        check_columns(survey, [C.RESPONDENT_ID, C.WAVE, C.LANGUAGE, *by], "survey")
        cols = list(dict.fromkeys([*by, C.LANGUAGE, C.HOME_LANGUAGE]))
        # one row per respondent-wave (its first), as drop_duplicates would keep
        rw = row_codes(survey, [C.RESPONDENT_ID, C.WAVE])
        resp = survey[[c for c in cols if c in survey.columns]].iloc[first_rows(rw)]
        codes, keys = group_codes(resp, by)
        x = _equals(resp[C.LANGUAGE], language)
        st = grouped_proportion(x, codes, len(keys), ci=ci)
        st.pop(K.N_CLUSTERS)
        a = _stats_frame(keys, st, "responses_in_language", min_cell)
        parts.append(a)
        if roster is not None and language == "es" and C.DISTRICT_ID in by and len(a):
            pi = _roster_share(roster, C.PCT_SPANISH, "the Spanish-speaking share") / 100.0
            share = pi.reindex(a[C.DISTRICT_ID].to_numpy()).to_numpy(dtype=float)
            b = a.copy()
            b[K.MEASURE] = "responses_vs_enrollment"
            good = np.isfinite(share) & (share > 0)
            b = b[good].reset_index(drop=True)
            sh = share[good]
            lo, hi = wilson_ci(b[K.COUNT].to_numpy(), b[K.N].to_numpy(), ci=ci)
            b[K.ESTIMATE] = b[K.ESTIMATE] / sh
            b[K.STD_ERROR] = b[K.STD_ERROR] / sh
            b[K.CI_LOW], b[K.CI_HIGH] = lo / sh, hi / sh
            b[K.ENROLLMENT_SHARE] = sh
            parts.append(b)
        if C.HOME_LANGUAGE in resp.columns:
            lang = resp[C.LANGUAGE].astype("string")
            home = resp[C.HOME_LANGUAGE].astype("string")
            nonen = (home.notna() & (home != "en")).to_numpy(dtype=bool)
            y = np.where(nonen, (lang == home).to_numpy(dtype=float, na_value=0.0), np.nan)
            st = grouped_proportion(y, codes, len(keys), ci=ci)
            st.pop(K.N_CLUSTERS)
            parts.append(_stats_frame(keys, st, "responses_in_home_language", min_cell))
    if participation is not None and len(participation):
        check_columns(participation, [C.EVENT_ID, C.LANGUAGE], "participation")
        df = _participants(
            participation, role=role, event_types=None, need=by, extra=[C.EVENT_ID, C.LANGUAGE]
        )
        # attendances: one row per (event, participant), the first, as drop_duplicates
        # would keep (a missing id is a value of its own there, and here)
        ev, ev_uniq = factorize(df[C.EVENT_ID], sort=False)
        pid, p_uniq = factorize(df[C.PARTICIPANT_ID], sort=False)
        n_ev, n_p = len(ev_uniq) + 1, len(p_uniq) + 1  # the last code: a missing id
        ev_key = np.where(ev >= 0, ev, n_ev - 1)
        pid_key = np.where(pid >= 0, pid, n_p - 1)
        att_rows = np.sort(first_rows(pair_codes(ev_key, pid_key, n_p)[0]), kind="stable")
        codes_all, keys_all = group_codes(df, by)
        x_all = _equals(df[C.LANGUAGE], language)
        codes, ev_att, x = codes_all[att_rows], np.asarray(ev)[att_rows], x_all[att_rows]
        att = np.zeros(len(df), dtype=bool)
        att[att_rows] = True
        remap, keys = subset_groups(codes_all, keys_all, att)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        ev_cl = ev_att  # a missing event id (-1) is no cluster: those rows are left out
        st = grouped_proportion(x, codes, len(keys), cluster=ev_cl, ci=ci)
        st.pop(K.N_CLUSTERS)
        parts.append(_stats_frame(keys, st, "attendances_in_language", min_cell))
        # events: one (group, event) cell each; in the language when any attendance is
        ok = (codes >= 0) & (ev_cl >= 0)
        cell, group_of = pair_codes(
            np.where(ok, codes, -1), np.where(ok, ev_cl, -1), max(len(ev_uniq), 1)
        )
        c, xo = cell[ok], x[ok]
        kk = len(group_of)
        used = np.bincount(c, minlength=kk) > 0
        hit = np.bincount(c, xo == 1, minlength=kk) > 0
        known = np.bincount(c, np.isfinite(xo), minlength=kk) > 0
        x_ev = np.where(known, hit.astype(float), np.nan)[used]
        g_ev = group_of[used]
        has = np.zeros(len(keys), dtype=bool)
        has[g_ev] = True
        remap, keys_ev = subset_groups(np.arange(len(keys)), keys, has)
        st = grouped_proportion(x_ev, remap[g_ev], len(keys_ev), ci=ci)
        st.pop(K.N_CLUSTERS)
        parts.append(_stats_frame(keys_ev, st, "events_with_language", min_cell))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if len(out):
        out[K.COUNT] = out[K.COUNT].astype(np.int64)
    return make_result(
        out,
        indicator="language_access",
        method="Wilson intervals; attendances design-adjusted for clustering by event",
        by=by,
        min_cell=min_cell,
        ci=ci,
        caveat="the tables record the language used, not the home language, unless a "
        f"{C.HOME_LANGUAGE} column is present",
        language=language,
    )
