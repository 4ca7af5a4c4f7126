"""Equity gaps: differences between groups on any indicator result or frame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from ..errors import SchemaError
from . import _cols as K
from ._result import STAT_COLUMNS, IndicatorResult, make_result
from ._stats import _z, check_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["equity_gap"]

#: Columns that are statistics, never keys (``indicator`` is matched on, as a key).
_NOT_KEYS = STAT_COLUMNS - {K.INDICATOR}


@estimator()
def equity_gap(
    result: IndicatorResult | pd.DataFrame,
    *,
    group_col: str,
    reference: object,
    on: Sequence[str] | None = None,
    ci: float = 0.95,
) -> IndicatorResult:
    r"""Gap between each group and a reference group on an indicator.

    .. math:: \hat\delta = \hat\theta_a - \hat\theta_{ref}, \qquad
              \mathrm{se}(\hat\delta) = \sqrt{\mathrm{se}_a^2 + \mathrm{se}_{ref}^2}

    The standard error assumes the two estimates are independent, as they are for
    disjoint groups of people sampled separately (EL and non-EL families, say). When the
    groups share clusters (the same schools), the covariance is usually positive and
    this interval is conservative. Normal interval and two-sided z-test ``p_val``.
    A gap is flagged ``suppressed`` when either side is.

    Parameters
    ----------
    result : the result of an indicator function (or its ``.to_frame()``, or any frame
        with ``estimate, std_error, n, suppressed`` and the key columns), with
        ``group_col`` among its key columns.
    group_col : column distinguishing the groups (e.g. ``"el_family"``, ``"language"``).
    reference : value of ``group_col`` every other group is compared with.
    on : key columns to match rows on (default: every non-statistic column other than
        ``group_col``).
    ci : confidence level.

    Returns
    -------
    IndicatorResult (``indicator`` "equity_gap"; ``details["of"]`` names the indicator
    compared) whose table has the ``on`` columns, ``group_col`` (the compared group),
    ``reference``, ``estimate`` (gap), ``std_error, ci_low, ci_high, p_val``,
    ``estimate_group``, ``estimate_reference``, ``n_group``, ``n_reference``, ``n``,
    ``suppressed``.

    Examples
    --------
    >>> res = cm.indicators.scale_score(demo.survey, scale="voice",
    ...                                 by=["district_id", "el_family"])  # doctest: +SKIP
    >>> cm.indicators.equity_gap(res, group_col="el_family", reference=False)  # doctest: +SKIP
    """
    import pandas as pd
    from scipy.stats import norm

    if isinstance(result, IndicatorResult):
        frame, of, min_cell = result.table, result.indicator, result.min_cell
    elif isinstance(result, pd.DataFrame):
        frame, min_cell = result, None
        of = frame.attrs.get("indicator", "")
        if not of and K.INDICATOR in frame.columns and frame[K.INDICATOR].nunique() == 1:
            of = str(frame[K.INDICATOR].iloc[0])
    else:
        raise SchemaError(
            f"equity_gap takes an indicator result or a DataFrame, not {type(result).__name__}",
            fix="pass what an indicator function returned, or its .to_frame()",
        )
    check_columns(frame, [group_col, K.ESTIMATE, K.STD_ERROR, K.N, K.SUPPRESSED], "indicator")
    keys = (
        list(on)
        if on is not None
        else [c for c in frame.columns if c not in _NOT_KEYS and c != group_col]
    )
    check_columns(frame, keys, "indicator", why="named in on=")
    is_ref = (frame[group_col] == reference).to_numpy(dtype=bool, na_value=False)
    if not is_ref.any():
        raise SchemaError(
            f"no rows have {group_col} == {reference!r}",
            column=group_col,
            fix=f"choose reference among {sorted(map(str, frame[group_col].dropna().unique()))}",
        )
    stat = [K.ESTIMATE, K.STD_ERROR, K.N, K.SUPPRESSED]
    ref = frame.loc[is_ref, [*keys, *stat]]
    if ref.duplicated(keys).any():
        raise SchemaError(
            f"the reference rows are not unique on {keys}",
            column=group_col,
            fix="pass on= with every key column that tells the rows apart",
        )
    ref = ref.rename(columns={c: f"{c}_ref" for c in stat})
    grp = frame.loc[~is_ref & frame[group_col].notna().to_numpy(), [*keys, group_col, *stat]]
    m = grp.merge(ref, on=keys, how="inner") if keys else grp.merge(ref, how="cross")
    z = _z(ci)
    est = m[K.ESTIMATE].to_numpy(float) - m[f"{K.ESTIMATE}_ref"].to_numpy(float)
    se = np.hypot(m[K.STD_ERROR].to_numpy(float), m[f"{K.STD_ERROR}_ref"].to_numpy(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * norm.sf(np.abs(est / se))
    out = m[[*keys, group_col]].copy()
    out[K.REFERENCE] = reference
    out[K.ESTIMATE] = est
    out[K.STD_ERROR] = se
    out[K.CI_LOW] = est - z * se
    out[K.CI_HIGH] = est + z * se
    out[K.P_VAL] = p
    out[K.ESTIMATE_GROUP] = m[K.ESTIMATE].to_numpy()
    out[K.ESTIMATE_REFERENCE] = m[f"{K.ESTIMATE}_ref"].to_numpy()
    out[K.N_GROUP] = m[K.N].to_numpy()
    out[K.N_REFERENCE] = m[f"{K.N}_ref"].to_numpy()
    out[K.N] = out[K.N_GROUP] + out[K.N_REFERENCE]
    out[K.SUPPRESSED] = m[K.SUPPRESSED].to_numpy(bool) | m[f"{K.SUPPRESSED}_ref"].to_numpy(bool)
    return make_result(
        out.reset_index(drop=True),
        indicator="equity_gap",
        method="difference of independent estimates; se = sqrt(se_a^2 + se_ref^2); normal interval",
        by=[k for k in keys if k != K.INDICATOR],
        min_cell=min_cell,
        ci=ci,
        of=of,
        group_col=group_col,
        reference=reference,
    )
