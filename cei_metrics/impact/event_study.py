r"""Event studies from group-time ATTs, and the pre-trend test.

:func:`event_study` aggregates ATT(g, t) by event time e = t - g (R ``did::aggte(type=
"dynamic")``) with uniform (sup-t) bands; :func:`pretrend_test` asks whether the
pre-treatment effects are jointly zero:

.. math:: W = \hat\theta_{pre}' \hat V_{pre}^{-1} \hat\theta_{pre} \sim \chi^2_{q}

with :math:`\hat V` the influence-function covariance (cluster-robust when the
estimates were clustered).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._results import ResultMixin
from ..errors import EstimationError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .att_gt import ATTAggregate, ATTResult

__all__ = ["PretrendResult", "event_study", "pretrend_test"]


def event_study(
    data: ATTResult | pd.DataFrame,
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
    data : an :class:`ATTResult` from :func:`att_gt`, or a long panel (then ``y``,
        ``unit``, ``time``, ``cohort`` and any :func:`att_gt` options are required).
    min_e, max_e : event-time window; balance_e : fixed-composition event study.
    ci, uniform : confidence level and band type (default: those of the ATT result).

    Returns
    -------
    ATTAggregate with ``table`` (event_time, estimate, std_error, ci_low, ci_high,
    p_val), ``overall`` (mean of e >= 0 effects), ``.plot()`` and ``.plot_data()``.

    References
    ----------
    Callaway & Sant'Anna (2021), section 3; R ``did::aggte(type = "dynamic")``.

    Examples
    --------
    >>> es = event_study(res, min_e=-3, max_e=3)
    >>> es.table[["event_time", "estimate"]]
    """
    import pandas as pd

    from .att_gt import ATTResult, att_gt

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
        raise EstimationError(
            f"options {sorted(att_gt_options)} apply only when estimating from a data frame",
            fix="set them in att_gt(...) instead",
        )
    return data.aggregate(
        "dynamic", min_e=min_e, max_e=max_e, balance_e=balance_e, ci=ci, uniform=uniform
    )


@dataclass(frozen=True)
class PretrendResult(ResultMixin):
    """Joint Wald test that pre-treatment effects are zero."""

    statistic: float
    df: int
    p_val: float
    terms: tuple
    level: str  # "group-time" or "event-time"

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            [{"statistic": self.statistic, "df": self.df, "p_val": self.p_val, "n": self.df}]
        )

    def summary(self) -> str:
        verdict = (
            "no evidence against parallel pre-trends at the 5% level"
            if self.p_val >= 0.05
            else "pre-period effects differ from zero: parallel trends is doubtful"
        )
        return (
            f"Pre-trend Wald test ({self.level} effects before treatment): "
            f"chi2({self.df}) = {self.statistic:.3f}, p = {self.p_val:.4f}\n{verdict}"
        )


def pretrend_test(result: ATTResult | ATTAggregate) -> PretrendResult:
    r"""Wald test that all pre-treatment effects are zero.

    On an :class:`ATTResult` it tests every ATT(g, t) with t < g (R ``did``'s "P-value
    for pre-test of parallel trends assumption"); on a dynamic :class:`ATTAggregate` it
    tests the event-time effects with e < 0. The covariance comes from the influence
    functions (cluster-robust when the estimates were clustered); cells with zero
    variance (the universal base period) are left out.

    .. math:: W = \hat\theta' \hat V^{-1} \hat\theta, \quad p = 1 - F_{\chi^2_q}(W)

    Returns
    -------
    PretrendResult with ``statistic``, ``df``, ``p_val``.

    References
    ----------
    Callaway & Sant'Anna (2021), section 4.1. Agrees with R ``did::att_gt`` summary's
    pre-test p-value (0.16812 on ``mpdta``).
    """
    from scipy.stats import chi2

    from .att_gt import ATTAggregate, ATTResult

    if isinstance(result, ATTResult):
        t = result.table
        pre = np.flatnonzero((t["group"] > t["time"]).to_numpy() & np.isfinite(t["estimate"]))
        v = result.covariance()
        est = t["estimate"].to_numpy()
        terms = tuple(zip(t["group"].iloc[pre].tolist(), t["time"].iloc[pre].tolist()))
        level = "group-time"
    elif isinstance(result, ATTAggregate) and result.how == "dynamic":
        t = result.table
        pre = np.flatnonzero((t["event_time"] < 0).to_numpy())
        v = result.covariance()
        est = t["estimate"].to_numpy()
        terms = tuple(t["event_time"].iloc[pre].tolist())
        level = "event-time"
    else:
        raise EstimationError(
            "pretrend_test needs an att_gt result or its dynamic aggregation",
            fix="pass cm.impact.att_gt(...) or event_study(...)",
        )
    keep = [i for i in pre if v[i, i] > np.sqrt(np.finfo(float).eps) * 10 / 1e6]
    if not keep:
        raise EstimationError(
            "there are no pre-treatment periods to test",
            fix="a pre-trend test needs at least two periods before the first cohort starts",
        )
    th = est[keep]
    vp = v[np.ix_(keep, keep)]
    if np.linalg.cond(vp) > 1 / np.finfo(float).eps:
        raise EstimationError(
            "the pre-period covariance is singular",
            fix="too few units per cohort for a joint test; inspect the pre-period effects",
        )
    w = float(th @ np.linalg.solve(vp, th))
    return PretrendResult(
        statistic=w,
        df=len(keep),
        p_val=float(chi2.sf(w, len(keep))),
        terms=tuple(terms[i] for i in range(len(pre)) if pre[i] in keep),
        level=level,
    )
