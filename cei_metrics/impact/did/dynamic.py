r"""Event studies from group-time ATTs, and the pre-trend test.

:func:`event_study` aggregates ATT(g, t) by event time e = t - g (R ``did::aggte(type=
"dynamic")``) with uniform (sup-t) bands; :func:`pretrend_test` asks whether the
pre-treatment effects are jointly zero:

.. math:: W = \hat\theta_{pre}' \hat V_{pre}^{-1} \hat\theta_{pre} \sim \chi^2_{q}

with :math:`\hat V` the influence-function covariance (cluster-robust when the
estimates were clustered).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..._api import estimator
from ...errors import EstimationError, OptionError
from ._wald import PretrendResult, pretrend_test

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .staggered import ATTAggregate, ATTResult

__all__ = ["PretrendResult", "event_study", "pretrend_test"]


@estimator(renamed={"data": "df"})
def event_study(
    df: ATTResult | pd.DataFrame,
    y: str | None = None,
    unit: str | None = None,
    time: str | None = None,
    cohort: str | None = None,
    *,
    min_e: float = -np.inf,
    max_e: float = np.inf,
    balance_e: int | None = None,
    ci: float | None = None,
    uniform: bool | None = None,
    **att_gt_options,
) -> ATTAggregate:
    """Dynamic (event-time) effects with simultaneous confidence bands.

    Parameters
    ----------
    df : a long panel (then ``y``, ``unit``, ``time``, ``cohort`` and any
        :func:`att_gt` options are required), or an :class:`ATTResult` from
        :func:`att_gt` (formerly ``data``).
    min_e, max_e : event-time window; balance_e : fixed-composition event study.
    ci, uniform : confidence level and band type (default: those of the ATT result).

    Returns
    -------
    ATTAggregate with ``table`` (event_time, estimate, std_error, ci_low, ci_high
    (pointwise), band_low, band_high (uniform), p_val), ``overall`` (mean of e >= 0 effects), ``.plot()`` and ``.plot_data()``.

    References
    ----------
    Callaway & Sant'Anna (2021), section 3; R ``did::aggte(type = "dynamic")``.

    Examples
    --------
    >>> es = event_study(res, min_e=-3, max_e=3)
    >>> es.table[["event_time", "estimate"]]
    """
    import pandas as pd

    from .staggered import ATTResult, att_gt

    data = df
    if isinstance(data, pd.DataFrame):
        if None in (y, unit, time, cohort):
            raise EstimationError(
                "event_study on a data frame needs y, unit, time and cohort",
                fix="call event_study(df, y, unit, time, cohort, ...) or pass an att_gt result",
            )
        if ci is not None:
            att_gt_options.setdefault("ci", ci)
        data = att_gt(data, y, unit, time, cohort, **att_gt_options)
    elif not isinstance(data, ATTResult):
        raise EstimationError(
            f"event_study expects an ATTResult or a DataFrame, got {type(data).__name__}",
            fix="pass the result of cm.impact.att_gt(...) or the panel itself",
        )
    elif att_gt_options:
        raise OptionError(
            f"options {sorted(att_gt_options)} apply only when estimating from a data frame",
            fix="set them in att_gt(...) instead",
        )
    return data.aggregate(
        "dynamic", min_e=min_e, max_e=max_e, balance_e=balance_e, ci=ci, uniform=uniform
    )
