"""Survey scale scores: per respondent, and group means with design-based intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from ..errors import InstrumentError, SchemaError
from ..schemas import C
from . import _cols as K
from ._result import IndicatorResult, make_result
from ._stats import (
    as_by,
    check_columns,
    cluster_array,
    factorize,
    finish,
    group_codes,
    grouped_mean,
    instrument_of,
    weight_array,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..instruments import Instrument

__all__ = ["respondent_scores", "scale_score"]

_ITEM_LEVEL = (C.ITEM, C.VALUE, C.MISSING_REASON)


def _instrument_rows(survey: pd.DataFrame, inst: Instrument) -> pd.DataFrame:
    """The survey rows of ``inst`` with known items; raises on anything else."""
    check_columns(survey, [C.RESPONDENT_ID, C.WAVE, C.ITEM, C.VALUE], "survey")
    df = survey
    if C.INSTRUMENT in df.columns:
        mine = (df[C.INSTRUMENT] == inst.name).to_numpy(dtype=bool, na_value=False)
        if not mine.any():
            raise InstrumentError(
                f"no survey rows belong to instrument {inst.name!r}",
                column=C.INSTRUMENT,
                fix=f"pass the instrument the survey used; it holds {sorted(df[C.INSTRUMENT].dropna().unique())[:5]}",
            )
        if not mine.all():
            df = df[mine]
    known = df[C.ITEM].isin(list(inst.item_ids)).to_numpy(dtype=bool)
    if not known.all():
        i = int(np.flatnonzero(~known)[0])
        raise InstrumentError(
            f"item {df[C.ITEM].iloc[i]!r} is not an item of instrument {inst.name!r}",
            row=i + 1,
            column=C.ITEM,
            fix="fix the item id, or add the item to the instrument YAML",
        )
    return df


def reason_flags(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(no missing reason, reason is "dont_know") per row; all answered when the table
    has no ``missing_reason`` column."""
    if C.MISSING_REASON not in df.columns:
        return np.ones(len(df), dtype=bool), np.zeros(len(df), dtype=bool)
    mr = df[C.MISSING_REASON]
    empty = (mr.isna() | mr.eq("")).to_numpy(dtype=bool, na_value=True)
    dont_know = mr.eq("dont_know").to_numpy(dtype=bool, na_value=False)
    return empty, dont_know


def recoded_values(df: pd.DataFrame, inst: Instrument) -> tuple[np.ndarray, np.ndarray]:
    """(item index into ``inst.item_ids``, value with reverse-keyed items recoded) per row.

    Values that are not response codes 1..points raise; a row counts as answered when its
    value is present and its ``missing_reason`` (if the column exists) is empty.
    """
    import pandas as pd

    items = list(inst.item_ids)
    # item index: each distinct item id looked up once (no per-row string work)
    codes, uniq = factorize(df[C.ITEM], sort=False)
    pos = {it: i for i, it in enumerate(items)}
    of_uniq = np.array([pos.get(u, -1) for u in np.asarray(uniq, dtype=object)], dtype=np.int64)
    idx = np.where(codes >= 0, of_uniq[np.maximum(codes, 0)] if len(of_uniq) else -1, -1)
    raw = df[C.VALUE]
    if raw.dtype.kind == "f":
        val = raw.to_numpy(dtype=float)
    else:
        val = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    raw_bad = df[C.VALUE].notna().to_numpy(dtype=bool) & np.isnan(val)
    empty, _ = reason_flags(df)
    val = np.where(empty, val, np.nan)
    with np.errstate(invalid="ignore"):
        ok = np.isnan(val) | ((val >= 1) & (val <= inst.points) & (val == np.floor(val)))
    bad = raw_bad | ~ok
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SchemaError(
            f"value {df[C.VALUE].iloc[i]!r} is not a response code 1..{inst.points} of {inst.name!r}",
            row=i + 1,
            column=C.VALUE,
            fix="map labels to codes with the instrument (Instrument.code), and mark "
            "Don't know / blanks as missing with a missing_reason",
        )
    # reverse-keying through the instrument's own rule: a code table recoded once
    table = pd.DataFrame({it: np.arange(1, inst.points + 1, dtype=float) for it in items})
    lookup = inst.reverse_code(table).to_numpy(dtype=float)  # points x items
    answered = ~np.isnan(val)
    code = np.where(answered, val, 1.0).astype(np.int64) - 1
    out = np.where(answered, lookup[code, np.maximum(idx, 0)], np.nan)
    return idx, out


def respondent_scores(
    survey: pd.DataFrame,
    instrument: Instrument | str = "family_engagement",
    *,
    min_items: float | None = None,
    pomp: bool = False,
) -> pd.DataFrame:
    r"""Scale scores per respondent x wave x scale.

    .. math:: s_{r,w,k} = \frac{1}{|A|}\sum_{j \in A} x_{r,w,j}, \quad
              A = \text{answered items of scale } k

    Reverse-keyed items are recoded first with ``Instrument.reverse_code``
    (:math:`x \to \text{points} + 1 - x`). The score is missing when the share of the
    scale's items answered is below ``min_items``. With ``pomp=True`` the score is on
    the percent-of-maximum-possible scale, :math:`100 (s - 1)/(\text{points} - 1)`
    (Cohen, Cohen, Aiken & West 1999).

    Parameters
    ----------
    survey : canonical long survey table (respondent x wave x item). Rows of other
        instruments are ignored when an ``instrument`` column is present.
    instrument : an Instrument or the name of a shipped one.
    min_items : share of a scale's items that must be answered (default: the
        instrument's ``min_items``). "Don't know" and blanks count as not answered.
    pomp : report POMP 0-100 scores.

    Returns
    -------
    DataFrame, one row per respondent x wave x scale: the respondent-level columns of
    the survey (ids, wave, year, district, school, language, weight, groups, ...) and
    ``scale``, ``score`` (NaN when too few items), ``n_items``, ``n_answered``;
    ``attrs`` hold the instrument, ``min_items``, ``pomp`` and ``points``.

    Unlike the indicator functions this returns a plain DataFrame, not an
    :class:`~cei_metrics.indicators.IndicatorResult`: these are per-respondent data
    (one score per person, no estimate, interval or small-cell flag), meant to be
    grouped, merged with other respondent columns, or passed on to :func:`scale_score`
    and to the psychometric functions, and a frame is what those take. Being
    respondent-level, it must not leave the analysis layer (it is not suppressed).

    Examples
    --------
    >>> scores = cm.indicators.respondent_scores(demo.survey, "family_engagement")
    >>> scores.groupby("scale")["score"].mean()  # doctest: +SKIP
    """
    import pandas as pd

    inst = instrument_of(instrument)
    share = inst.min_items if min_items is None else float(min_items)
    if not 0 < share <= 1:
        raise SchemaError(
            f"min_items={min_items!r} is not a share",
            fix="pass the share of a scale's items that must be answered, in (0, 1]",
        )
    df = _instrument_rows(survey, inst)
    idx, val = recoded_values(df, inst)
    rw_codes, rw_keys = group_codes(df, [C.RESPONDENT_ID, C.WAVE])
    if (rw_codes < 0).any():
        i = int(np.flatnonzero(rw_codes < 0)[0])
        raise SchemaError(
            "respondent id or wave is missing",
            row=i + 1,
            column=C.RESPONDENT_ID,
            fix="every survey row needs a respondent_id and a wave",
        )
    n_rw = len(rw_keys)
    items = list(inst.item_ids)
    mat = np.full((n_rw, len(items)), np.nan)
    mat[rw_codes, idx] = val
    # first row of each respondent-wave, in code order (a hash pass, no sort)
    first_rows = pd.Series(rw_codes).drop_duplicates()
    first = np.empty(n_rw, dtype=np.int64)
    first[first_rows.to_numpy()] = first_rows.index.to_numpy()
    attrs = [c for c in df.columns if c not in _ITEM_LEVEL]
    base = df[attrs].iloc[first].reset_index(drop=True)
    parts = []
    for scale, members in inst.scales.items():  # a handful of scales, not respondents
        cols = [items.index(m) for m in members]
        sub = mat[:, cols]
        answered = np.sum(~np.isnan(sub), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.nansum(sub, axis=1) / answered
        score[answered < share * len(members) - 1e-9] = np.nan
        if pomp:
            score = 100 * (score - 1) / (inst.points - 1)
        part = base.copy()
        part[K.SCALE] = scale
        part[K.SCORE] = score
        part[K.N_ITEMS] = len(members)
        part[K.N_ANSWERED] = answered
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out.attrs.update(instrument=inst.name, min_items=share, pomp=pomp, points=inst.points)
    return out


@estimator()
def scale_score(
    survey: pd.DataFrame,
    instrument: Instrument | str = "family_engagement",
    scale: str | None = None,
    *,
    by: str | Sequence[str] = (C.DISTRICT_ID, C.WAVE),
    weights: str | None = None,
    cluster: str | None = None,
    ci: float = 0.95,
    min_cell: int = 11,
    pomp: bool = False,
    min_items: float | None = None,
) -> IndicatorResult:
    r"""Mean scale score by group, with a design-based confidence interval.

    .. math::
        \hat\mu_g = \frac{\sum_i w_i s_i}{\sum_i w_i}, \qquad
        \widehat V = \frac{G}{G-1}\sum_c\Big(\sum_{i\in c}\frac{w_i(s_i-\hat\mu_g)}{\sum_i w_i}\Big)^2

    Scores are those of :func:`respondent_scores`. Each respondent-wave is one observation;
    respondents whose score is missing (too few items answered) are dropped and counted
    in ``n_dropped``, as are rows with a missing grouping value.

    Parameters
    ----------
    survey : canonical long survey table, or the output of :func:`respondent_scores`.
    instrument : Instrument or shipped name.
    scale : one scale, or None for every scale (``scale`` becomes a key column).
    by : grouping columns (any respondent-level column: district_id, school_id, wave,
        year, language, el_family, ...).
    weights : name of a column of **sampling** weights (e.g. ``"weight"``): weighted mean
        with a linearized (Taylor) standard error; None for equal weights.
    cluster : column whose values are clusters (e.g. ``"school_id"``): cluster-robust CR1
        standard error and a t interval on (clusters - 1) degrees of freedom; None treats
        respondents as independent (t on n - 1).
    ci : confidence level.
    min_cell : groups with fewer than this many respondents are flagged ``suppressed``.
    pomp : percent-of-maximum-possible (0-100) scores.
    min_items : share of items needed for a score (default: the instrument's).

    Returns
    -------
    IndicatorResult whose ``table`` (``.to_frame()``) has the ``by`` columns, ``scale``,
    ``indicator`` ("scale_score"), ``estimate, std_error, ci_low, ci_high, n``
    (respondents), ``n_clusters`` (when clustered) and ``suppressed``; the result holds
    the method, ``n_dropped``, ``min_cell`` and ``ci``, and ``details`` the weights,
    cluster, ``pomp`` and scale.

    References
    ----------
    Binder (1983) Int Stat Rev 51:279-292 (linearization); Cameron & Miller (2015) J Hum
    Resour 50:317-372 (CR1, G-1 df). The SE equals ``statsmodels`` WLS on a constant with
    ``cov_type="cluster"`` (``"HC1"`` unclustered) fitted on each group, and R
    ``survey::svymean(~score, svydesign(ids=~cluster, weights=~w, data=group))``.

    Examples
    --------
    >>> res = cm.indicators.scale_score(demo.survey, "family_engagement", "trust",  # doctest: +SKIP
    ...                                 by=["district_id", "wave"], cluster="school_id")
    >>> res.to_frame().head()  # doctest: +SKIP
    """
    by = as_by(by)
    if K.SCORE in survey.columns and K.SCALE in survey.columns:
        scores = survey
    else:
        scores = respondent_scores(survey, instrument, min_items=min_items, pomp=pomp)
    check_columns(scores, by, "survey", why="named in by=")
    if scale is not None:
        known = sorted(scores[K.SCALE].unique())
        if scale not in known:
            raise InstrumentError(
                f"no scale called {scale!r}", column=K.SCALE, fix=f"use one of {known}"
            )
        scores = scores[scores[K.SCALE] == scale]
    keys = [*by, K.SCALE] if K.SCALE not in by else by
    w = weight_array(scores, weights, "survey")
    cl = cluster_array(scores, cluster, "survey")
    codes, key_frame = group_codes(scores, keys)
    y = scores[K.SCORE].to_numpy(dtype=float, na_value=np.nan)
    stats = grouped_mean(y, codes, len(key_frame), weights=w, cluster=cl, ci=ci)
    if cl is None:
        stats.pop(K.N_CLUSTERS)
    out = finish(key_frame, stats, indicator="scale_score", min_cell=min_cell)
    design = "weighted (sampling weights), " if weights else ""
    se = f"cluster-robust CR1 by {cluster}, t on clusters-1 df" if cluster else "t on n-1 df"
    return make_result(
        out,
        indicator="scale_score",
        method=f"{design}mean of respondent scale scores; linearized SE, {se}",
        by=by,
        min_cell=min_cell,
        ci=ci,
        n_dropped=int(np.sum((codes < 0) | np.isnan(y))),
        dropped="respondent-wave scores missing (too few items answered) or without a "
        "grouping value",
        weights=weights,
        cluster=cluster,
        pomp=pomp,
        scale=scale,
    )


def score_panel(
    survey: pd.DataFrame,
    roster: pd.DataFrame,
    instrument: Instrument | str = "family_engagement",
    *,
    scale: str | None = None,
) -> pd.DataFrame:
    r"""District x wave means of respondents' scale scores, with each district's first
    wave in the network: the panel a staggered difference-in-differences of engagement
    takes (``cm.impact.att_gt(panel, "score", "district_id", "wave", "first_wave")``).

    .. math:: \bar s_{d,w,k} = \frac{1}{n_{d,w,k}} \sum_{r \in d,w} s_{r,w,k}

    with :math:`s_{r,w,k}` from :func:`respondent_scores`. A district's ``first_wave`` is
    the first survey wave whose school year starts after the district's cohort year
    starts (the first wave that can show an effect); 0 for districts never in the
    network, and for network districts joining after the last wave.

    Parameters
    ----------
    survey, roster : the canonical ``survey`` and ``roster`` tables (``cohort``: the
        first school year in the network, blank for others).
    instrument : the survey's instrument.
    scale : keep one scale (default: every scale).

    Returns
    -------
    DataFrame ``district_id, wave, scale, score, n, first_wave`` (``n`` respondents with
    a score). Respondent-level data in aggregate: it stays in the analysis layer.

    Examples
    --------
    >>> panel = cm.indicators.score_panel(tables.survey, tables.roster, scale="voice")  # doctest: +SKIP
    """
    from ..schemas import year_start

    scores = respondent_scores(survey, instrument)
    if scale is not None:
        scores = scores[scores["scale"] == scale]
    g = scores.dropna(subset=["score"]).groupby([C.DISTRICT_ID, C.WAVE, "scale"], observed=True)
    out = g["score"].agg(["mean", "size"]).reset_index()
    out.columns = [C.DISTRICT_ID, C.WAVE, "scale", "score", "n"]
    wave_start = scores.groupby(C.WAVE)[C.YEAR].first().map(year_start).sort_index()
    cohorts = {}
    if C.COHORT in roster.columns:
        cohorts = {
            d: year_start(c)
            for d, c in zip(roster[C.DISTRICT_ID], roster[C.COHORT])
            if isinstance(c, str) and c
        }

    def first(d: str) -> int:
        y = cohorts.get(d)
        if y is None:
            return 0
        later = wave_start[wave_start > y]
        return int(later.index[0]) if len(later) else 0

    out["first_wave"] = out[C.DISTRICT_ID].map(first).astype(int)
    return out.sort_values([C.DISTRICT_ID, "scale", C.WAVE]).reset_index(drop=True)
