r"""The joint Wald test of pre-treatment effects (the pre-trend test).

.. math:: W = \hat\theta_{pre}' \hat V_{pre}^{-1} \hat\theta_{pre} \sim \chi^2_{q}

with :math:`\hat V` the influence-function covariance (cluster-robust when the
estimates were clustered). Results that can be tested provide ``_pretest_inputs()``
(their estimates, covariance, which are pre-treatment, labels), so this module needs
none of them: :mod:`.staggered` and :mod:`.dynamic` both import it, never each other
in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..._results import ResultMixin
from ...errors import EstimationError
from ...schemas import C

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["PretrendResult", "pretrend_test"]


@dataclass(frozen=True, repr=False)
class PretrendResult(ResultMixin):
    """Joint Wald test that pre-treatment effects are zero.

    ``statistic`` is :math:`W`, ``df`` the number of pre-treatment effects tested,
    ``p_val`` the chi-squared p-value, ``terms`` the effects tested (``(group, time)``
    pairs or event times), ``level`` "group-time" or "event-time". ``n`` is the number of
    units behind the estimates.
    """

    statistic: float
    df: int
    p_val: float
    terms: tuple
    level: str  # "group-time" or "event-time"
    n: int | None = None
    n_dropped: int = 0
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    C.TERM: f"pretrend_{self.level}",
                    C.P_VAL: self.p_val,
                    C.N: self.n,
                    C.STATISTIC: self.statistic,
                    C.DF: self.df,
                }
            ]
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


def pretrend_test(result: Any) -> PretrendResult:
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

    inputs = getattr(result, "_pretest_inputs", None)
    got = inputs() if callable(inputs) else None
    if got is None:
        raise EstimationError(
            "pretrend_test needs an att_gt result or its dynamic aggregation",
            fix="pass cm.impact.att_gt(...) or event_study(...)",
        )
    est, v, pre, terms, level, n = got
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
        n=n,
    )
