"""Percent favorable (top-two box) of survey items and scales."""

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
    finish,
    group_codes,
    grouped_proportion,
    instrument_of,
    pair_codes,
    row_codes,
    weight_array,
)
from .scales import _instrument_rows, reason_flags, recoded_values

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..instruments import Instrument

__all__ = ["DENOMINATOR_RULE", "percent_favorable"]

DENOMINATOR_RULE = (
    "denominator = answered responses only: 'Don't know' (missing_reason dont_know) and "
    "blanks (no value or any other missing_reason) are excluded and counted in "
    "n_dont_know / n_blank / n_excluded"
)


@estimator()
def percent_favorable(
    survey: pd.DataFrame,
    instrument: Instrument | str = "family_engagement",
    *,
    item: str | None = None,
    scale: str | None = None,
    by: str | Sequence[str] = (C.DISTRICT_ID, C.WAVE),
    weights: str | None = None,
    cluster: str | None = None,
    ci: float = 0.95,
    min_cell: int = 11,
) -> IndicatorResult:
    r"""Share of answered responses that are favorable (top-two box).

    .. math:: \hat p_g = \frac{\sum_{i \in g} w_i\,[x_i \in F]}{\sum_{i \in g} w_i},
              \quad i \text{ over answered responses}

    where :math:`F` is ``instrument.favorable`` (e.g. Agree / Strongly agree) applied
    after reverse-keyed items are recoded, so "Disagree" with a negatively worded item
    counts as favorable.

    **Denominator rule**: answered responses only. "Don't know" and blanks (no value,
    "Prefer not to answer") are excluded from the denominator; how many were excluded
    is reported per group (``n_dont_know``, ``n_blank``, ``n_excluded``) and in total in
    the result's ``details``.

    **Intervals**: for one ``item`` with neither weights nor clusters, the Wilson (1927)
    interval of a simple random sample. With ``weights`` (sampling weights) or
    ``cluster``, the share is weighted, its standard error linearized and cluster-robust
    (CR1), and the interval is Wilson's at the effective sample size ``n / deff``.
    For a ``scale``, the answered responses to all its items are pooled; a respondent's
    responses in one wave are correlated, so respondent-waves are the clusters unless
    ``cluster`` names a coarser one (e.g. school_id, within which respondents nest).

    Parameters
    ----------
    survey : canonical long survey table.
    instrument : Instrument or shipped name.
    item, scale : one item, or one scale; neither gives every scale (``scale`` becomes
        a key column).
    by : grouping columns.
    weights : column of sampling weights, or None.
    cluster : cluster column (e.g. ``"school_id"``), or None.
    ci : confidence level.
    min_cell : groups with fewer than this many respondents are flagged ``suppressed``.

    Returns
    -------
    IndicatorResult whose table has the ``by`` columns, ``item`` or ``scale``,
    ``indicator`` ("percent_favorable"), ``estimate`` (share 0-1), ``std_error, ci_low,
    ci_high``, ``n`` (respondent-waves with an answered response), ``n_responses`` (the
    denominator), ``count`` (favorable responses), ``n_dont_know, n_blank, n_excluded``,
    ``n_clusters`` (when design-adjusted), ``suppressed``; ``details`` hold the
    denominator rule, the favorable codes and the total counts of excluded responses.

    References
    ----------
    Wilson (1927) JASA 22:209-212; Kish (1965) *Survey Sampling* (design effect);
    Korn & Graubard (1998) Survey Methodology 24:193-201 (effective-n intervals).

    Examples
    --------
    >>> res = cm.indicators.percent_favorable(demo.survey, item="trust_1", by="district_id")  # doctest: +SKIP
    >>> print(res.summary())  # doctest: +SKIP
    """
    import pandas as pd

    if item is not None and scale is not None:
        raise SchemaError(
            "both item= and scale= were given", fix="pass one of item= or scale=, not both"
        )
    by = as_by(by)
    inst = instrument_of(instrument)
    if not inst.favorable:
        raise InstrumentError(
            f"instrument {inst.name!r} defines no favorable codes",
            file=inst.source,
            column="favorable",
            fix="add favorable: [4, 5] (the top-two codes) to the instrument YAML",
        )
    df = _instrument_rows(survey, inst)
    check_columns(df, by, "survey", why="named in by=")
    if weights is not None and isinstance(weights, str):
        check_columns(df, [weights], "survey", why="named by weights=")
    check_columns(df, [cluster], "survey", why="named by cluster=")
    # selecting rows carries only the columns used, in one take
    used = [*by, C.RESPONDENT_ID, C.WAVE, C.ITEM, C.VALUE, C.MISSING_REASON, weights, cluster]
    used = [c for c in dict.fromkeys(used) if c is not None and c in df.columns]

    def _rows(df: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
        return df if mask.all() else df.loc[mask, used]

    if item is not None:
        if item not in inst.items:
            raise InstrumentError(
                f"no item called {item!r} in {inst.name!r}",
                column=C.ITEM,
                fix=f"use one of {list(inst.items)}",
            )
        df = _rows(df, (df[C.ITEM] == item).to_numpy(dtype=bool))
    elif scale is not None:
        if scale not in inst.scales:
            raise InstrumentError(
                f"no scale called {scale!r} in {inst.name!r}",
                column=K.SCALE,
                fix=f"use one of {list(inst.scales)}",
            )
        df = _rows(df, df[C.ITEM].isin(list(inst.scales[scale])).to_numpy(dtype=bool))
    else:
        in_scale = [i for i, spec in inst.items.items() if spec.scale is not None]
        df = _rows(df, df[C.ITEM].isin(in_scale).to_numpy(dtype=bool))
    idx, val = recoded_values(df, inst)
    if item is not None:
        label_col = C.ITEM
        label = pd.Categorical.from_codes(np.zeros(len(df), dtype=np.int64), categories=[item])
    else:
        label_col = K.SCALE
        names = list(inst.scales)
        of_item = np.array(
            [names.index(sp.scale) if sp.scale else -1 for sp in inst.items.values()],
            dtype=np.int64,
        )  # one entry per instrument item
        label = pd.Categorical.from_codes(of_item[idx], categories=names)
    answered = ~np.isnan(val)
    _, is_dk = reason_flags(df)
    dont_know = ~answered & is_dk
    blank = ~answered & ~dont_know
    fav = np.where(answered, np.isin(val, inst.favorable), np.nan)

    columns = {b: df[b] for b in by}
    columns[label_col] = label
    keys = [*by, label_col] if label_col not in by else by
    codes, key_frame = group_codes(columns, keys)
    n_groups = len(key_frame)
    w = weight_array(df, weights, "survey")
    cl = cluster_array(df, cluster, "survey")
    pooled = item is None
    rw = None
    if pooled:
        # A respondent's answers in one wave are one cluster (or nest in `cluster`).
        # Within a group the scale is fixed, so (respondent-wave, scale) cells are the
        # same clusters; they nest in the groups whenever the `by` columns are
        # respondent-level, which lets the cluster totals skip hashing.
        n_lab = len(label.categories)
        rw = row_codes(df, [C.RESPONDENT_ID, C.WAVE])
        rw = np.where(rw >= 0, rw * n_lab + np.asarray(label.codes, dtype=np.int64), -1)
        if cl is None:
            cl = rw
    stats = grouped_proportion(fav, codes, n_groups, weights=w, cluster=cl, ci=ci)
    stats["n_responses"] = stats.pop(K.N)
    # n = respondent-waves with at least one answered response in the group
    ok = answered & (codes >= 0)
    if not pooled:
        n_resp = np.bincount(codes[ok], minlength=n_groups)
    elif cluster is None:
        n_resp = stats[K.N_CLUSTERS].copy()
    else:
        assert rw is not None
        cell, group_of = pair_codes(codes[ok], rw[ok], int(rw.max(initial=0)) + 1)
        used = np.bincount(cell, minlength=len(group_of)) > 0
        n_resp = np.bincount(group_of[used], minlength=n_groups)
    g_ok = codes >= 0
    extra = {
        K.N: n_resp,
        K.N_DONT_KNOW: np.bincount(codes[g_ok], dont_know[g_ok], minlength=n_groups).astype(
            np.int64
        ),
        K.N_BLANK: np.bincount(codes[g_ok], blank[g_ok], minlength=n_groups).astype(np.int64),
    }
    extra[K.N_EXCLUDED] = extra[K.N_DONT_KNOW] + extra[K.N_BLANK]
    stats[K.COUNT] = stats[K.COUNT].astype(np.int64)
    if w is None and cluster is None and not pooled:
        stats.pop(K.N_CLUSTERS)
    order = [K.ESTIMATE, K.STD_ERROR, K.CI_LOW, K.CI_HIGH]
    stats = (
        {k: stats[k] for k in order}
        | {K.N: extra.pop(K.N)}
        | {k: v for k, v in stats.items() if k not in order}
    )
    stats.update(extra)
    out = finish(key_frame, stats, indicator="percent_favorable", min_cell=min_cell)
    out = out[out["n_responses"].to_numpy() > 0].reset_index(drop=True)
    if w is None and cluster is None and not pooled:
        interval = "Wilson (simple random sample)"
    else:
        design = ", ".join(
            x
            for x in (
                "sampling weights" if weights else "",
                f"clusters {cluster or 'respondent-wave'}",
            )
            if x
        )
        interval = f"Wilson at the effective sample size n/deff (linearized CR1 SE; {design})"
    return make_result(
        out,
        indicator="percent_favorable",
        method=interval,
        by=by,
        min_cell=min_cell,
        ci=ci,
        n_dropped=int((codes < 0).sum()),
        dropped="responses without a grouping value",
        denominator=DENOMINATOR_RULE,
        favorable=tuple(inst.favorable),
        n_dont_know=int(dont_know.sum()),
        n_blank=int(blank.sum()),
        n_excluded=int((dont_know | blank).sum()),
        weights=weights,
        cluster=cluster,
        item=item,
        scale=scale,
    )
