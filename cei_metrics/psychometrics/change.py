"""Responsiveness of a metric: does it move when engagement changes?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from .._api import check_ci, estimator
from .._results import ResultMixin
from ..errors import EstimationError, SchemaError
from ..schemas import C

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ResponsivenessResult", "responsiveness"]


def _nct_ci(t: float, df: float, scale: float, level: float) -> tuple[float, float]:
    """Exact interval for a standardized mean by inverting the noncentral t:
    find :math:`\\delta` with ``nct.cdf(t, df, delta / scale)`` = 1 - a/2 and a/2."""
    from scipy.optimize import brentq
    from scipy.stats import nct, norm

    a = 1.0 - level
    spread = 8.0 * np.sqrt(1.0 + t * t / (2.0 * df)) + 1.0

    def solve(q: float) -> float:
        f = lambda nc: nct.cdf(t, df, nc) - q  # noqa: E731
        return brentq(f, t - spread, t + spread, xtol=1e-12)

    try:
        lo, hi = solve(1 - a / 2), solve(a / 2)
        if np.isfinite(lo) and np.isfinite(hi):
            return lo * scale, hi * scale
    except ValueError:
        pass
    # far in the tail the noncentral t cdf is unstable: large-sample normal interval
    se = np.sqrt(1.0 + t * t / (2.0 * df))
    z = norm.ppf(1 - a / 2)
    return (t - z * se) * scale, (t + z * se) * scale


@dataclass(frozen=True, repr=False)
class ResponsivenessResult(ResultMixin):
    """Change between two measurements and its standardized size."""

    estimate: float  # SRM when paired, Cohen's d otherwise
    ci_low: float
    ci_high: float
    srm: float | None
    effect_size: float  # mean change / SD at baseline (Kazis et al. 1989)
    mean_change: float
    mean_change_ci: tuple[float, float]
    p_val: float
    paired: bool
    n: int
    n_dropped: int
    ci_level: float
    table: pd.DataFrame
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"ci": (C.CI_LOW, C.CI_HIGH)}

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        name = "SRM" if self.paired else "Cohen's d"
        return (
            f"Responsiveness: {name} = {self.estimate:.3f} "
            f"({self.ci_level:.0%} CI {self.ci_low:.3f} to {self.ci_high:.3f}); "
            f"mean change {self.mean_change:+.3f}, p = {self.p_val:.3g}\n"
            f"{'paired' if self.paired else 'independent samples'}, n = {self.n} "
            f"({self.n_dropped} dropped); exact noncentral-t intervals"
        )


@estimator()
def responsiveness(
    scores_before: object,
    scores_after: object,
    *,
    paired: bool = True,
    ci: float = 0.95,
    weights: object = None,
) -> ResponsivenessResult:
    r"""Standardized response mean and effect size of the change in a score.

    Paired (the same respondents or districts measured twice), with :math:`d_i` the change:

    .. math:: \mathrm{SRM} = \bar d / s_d \qquad \mathrm{ES} = \bar d / s_{before}

    The SRM's interval inverts the noncentral t distribution of
    :math:`t = \mathrm{SRM}\sqrt n` on :math:`n-1` df (exact under normality); the ES
    interval uses Becker's (1988) large-sample variance
    :math:`2(1-r)/n + \mathrm{ES}^2/(2(n-1))`.
    Independent samples (different respondents each wave): Cohen's
    :math:`d = (\bar x_a - \bar x_b)/s_{pooled}` with the noncentral-t interval, and ES uses
    the baseline SD.

    Parameters
    ----------
    scores_before, scores_after : arrays or Series of scores (equal length when paired).
    paired : whether the two arrays are the same units in the same order.
    ci : confidence level.
    weights : not supported (raises).

    Returns
    -------
    ResponsivenessResult (``estimate`` = SRM when paired, d otherwise; ``table`` with
    rows mean_change, srm/cohens_d, effect_size and columns estimate, std_error, ci_low,
    ci_high, p_val, n).

    References
    ----------
    Liang, Fossel & Larson (1990), Medical Care 28:632-642 (SRM). Kazis, Anderson &
    Meenan (1989), Medical Care 27:S178-S189 (ES). Husted et al. (2000), J. Clin.
    Epidemiol. 53:459-468. Lakens (2013), Frontiers in Psychology 4:863 (worked example).

    Examples
    --------
    >>> responsiveness(wave1_scores, wave2_scores).srm
    """
    import pandas as pd
    from scipy import stats

    if weights is not None:
        raise SchemaError(
            "responsiveness does not support weights",
            fix="compute weighted scores per unit first, then pass the scores unweighted",
        )
    level = check_ci(ci)
    b = np.asarray(scores_before, dtype=float).ravel()
    a = np.asarray(scores_after, dtype=float).ravel()
    if paired:
        if a.shape != b.shape:
            raise SchemaError(
                f"paired scores differ in length ({b.shape[0]} before, {a.shape[0]} after)",
                fix="align the two arrays by unit, or pass paired=False",
            )
        ok = np.isfinite(a) & np.isfinite(b)
        n_dropped = int((~ok).sum())
        a, b = a[ok], b[ok]
        n = a.shape[0]
        if n < 3:
            raise EstimationError(f"{n} complete pair(s); at least 3 are needed")
        d = a - b
        md, sd_d, sd_b = d.mean(), d.std(ddof=1), b.std(ddof=1)
        if sd_d == 0 or sd_b == 0:
            raise EstimationError(
                "the change (or the baseline) has no variance", fix="check the scores vary"
            )
        srm = md / sd_d
        t = srm * np.sqrt(n)
        df = n - 1
        est_ci = _nct_ci(t, df, 1 / np.sqrt(n), level)
        se_srm = np.sqrt(1 / n + srm**2 / (2 * n))
        se_md = sd_d / np.sqrt(n)
        es = md / sd_b
        r = np.corrcoef(a, b)[0, 1]
        se_es = np.sqrt(2 * (1 - r) / n + es**2 / (2 * (n - 1)))
        name = "srm"
        est = srm
        se_est = se_srm
    else:
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        n_dropped = int(np.size(scores_before) + np.size(scores_after) - a.size - b.size)
        n1, n2 = b.shape[0], a.shape[0]
        n = n1 + n2
        if min(n1, n2) < 2:
            raise EstimationError("each sample needs at least 2 scores")
        md = a.mean() - b.mean()
        sd_b = b.std(ddof=1)
        sp = np.sqrt(((n1 - 1) * b.var(ddof=1) + (n2 - 1) * a.var(ddof=1)) / (n - 2))
        if sp == 0 or sd_b == 0:
            raise EstimationError("the scores have no variance", fix="check the scores vary")
        est = md / sp
        scale = np.sqrt(1 / n1 + 1 / n2)
        t = est / scale
        df = n - 2
        est_ci = _nct_ci(t, df, scale, level)
        se_est = np.sqrt(scale**2 + est**2 / (2 * (n - 2)))
        se_md = sp * scale
        es = md / sd_b
        se_es = np.sqrt(scale**2 + es**2 / (2 * (n1 - 1)))
        srm = None
        name = "cohens_d"
    p = float(2 * stats.t.sf(abs(t), df))
    tq = stats.t.ppf(0.5 + level / 2, df)
    md_ci = (md - tq * se_md, md + tq * se_md)
    zq = stats.norm.ppf(0.5 + level / 2)
    table = pd.DataFrame(
        {
            C.TERM: ["mean_change", name, "effect_size"],
            C.ESTIMATE: [md, est, es],
            C.STD_ERROR: [se_md, se_est, se_es],
            C.CI_LOW: [md_ci[0], est_ci[0], es - zq * se_es],
            C.CI_HIGH: [md_ci[1], est_ci[1], es + zq * se_es],
            C.P_VAL: [p, p, p],
            C.N: [n, n, n],
        }
    )
    return ResponsivenessResult(
        estimate=float(est),
        ci_low=float(est_ci[0]),
        ci_high=float(est_ci[1]),
        srm=None if srm is None else float(srm),
        effect_size=float(es),
        mean_change=float(md),
        mean_change_ci=(float(md_ci[0]), float(md_ci[1])),
        p_val=p,
        paired=paired,
        n=int(n),
        n_dropped=n_dropped,
        ci_level=level,
        table=table,
    )
