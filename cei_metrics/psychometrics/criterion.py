"""Criterion validity: does a district's engagement metric track a public outcome?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from .._api import check_ci, estimator
from .._results import ResultMixin
from ..errors import EstimationError, SchemaError
from ..schemas import C, district_of

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ValidityResult", "validity"]

CAVEAT = (
    "This is an ecological association between district-year averages, not an effect: "
    "districts that engage families more may differ in many other ways (poverty, size, "
    "leadership), the outcome and the metric can move together because of shared shocks "
    "(COVID-19 years), and with few districts the interval is wide and the cluster-robust "
    "standard error itself is uncertain. Read it as evidence that the metric lines up "
    "with what it should, not as the impact of engagement."
)


@dataclass(frozen=True, repr=False)
class ValidityResult(ResultMixin):
    """Association of a district-level metric with an outcome."""

    estimate: float  # outcome units per metric unit
    std_error: float
    ci_low: float
    ci_high: float
    p_val: float
    std_estimate: float  # outcome SDs per metric SD (a partial correlation-like slope)
    correlation: float  # plain Pearson correlation across district-years
    n: int
    n_clusters: int
    n_dropped: int
    outcome: str
    metric: str
    inference: str
    caveat: str
    data: pd.DataFrame
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"ci": (C.CI_LOW, C.CI_HIGH)}

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                C.TERM: [self.metric],
                C.ESTIMATE: [self.estimate],
                C.STD_ERROR: [self.std_error],
                C.CI_LOW: [self.ci_low],
                C.CI_HIGH: [self.ci_high],
                C.P_VAL: [self.p_val],
                C.N: [self.n],
                "outcome": [self.outcome],
                "std_estimate": [self.std_estimate],
                "correlation": [self.correlation],
                C.N_CLUSTERS: [self.n_clusters],
            }
        )

    def summary(self) -> str:
        return (
            f"{self.outcome} vs {self.metric}: slope {self.estimate:+.3f} per metric unit "
            f"({self.ci_low:+.3f} to {self.ci_high:+.3f}), p = {self.p_val:.3g}; "
            f"standardized {self.std_estimate:+.2f}\n"
            f"{self.n} district-years in {self.n_clusters} districts; {self.inference}\n"
            f"Caveat: {self.caveat}"
        )


@estimator()
def validity(
    metric_by_district_year: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    outcome: str = "chronic_absenteeism",
    metric: str | None = None,
    cluster: str = C.DISTRICT_ID,
    group: str = "All students",
    year_effects: bool = True,
    ci: float = 0.95,
    weights: object = None,
) -> ValidityResult:
    r"""District-level association between a metric and a CDE outcome.

    .. math:: y_{dt} = \alpha + \beta\, m_{dt} + \gamma_t + \varepsilon_{dt}

    by OLS (statsmodels) with year effects :math:`\gamma_t` and standard errors clustered
    by district (CR1 with the small-sample correction; t reference with G - 1 df).

    Parameters
    ----------
    metric_by_district_year : one row per district and school year, with ``district_id``,
        ``year`` and the metric column.
    outcomes : the canonical outcomes table (district rows are used).
    outcome : the indicator (e.g. "chronic_absenteeism").
    metric : the metric column (default: the one numeric column besides the keys).
    cluster : clustering column (``district_id``).
    group : the CDE student group of the outcome.
    year_effects : include year fixed effects (removes statewide shocks).
    ci : confidence level.
    weights : not supported (raises).

    Returns
    -------
    ValidityResult with ``estimate, std_error, ci, p_val, std_estimate, correlation, n,
    n_clusters`` and a ``caveat`` text.

    References
    ----------
    Cameron & Miller (2015), J. Human Resources 50:317-372 (few clusters).
    Messick (1995), American Psychologist 50:741-749 (validity evidence).
    """
    import pandas as pd
    import statsmodels.api as sm
    from scipy import stats

    if weights is not None:
        raise SchemaError(
            "validity does not support weights",
            fix="aggregate the metric with weights first (one row per district-year)",
        )
    level = check_ci(ci)
    m = metric_by_district_year
    for col in (C.DISTRICT_ID, C.YEAR):
        if col not in m.columns:
            raise SchemaError(
                f"metric_by_district_year lacks column {col!r}",
                column=col,
                fix="pass one row per district and year with district_id and year columns",
            )
    if metric is None:
        cand = [
            c
            for c in m.columns
            if c not in (C.DISTRICT_ID, C.YEAR, cluster) and m[c].dtype.kind in "fiu"
        ]
        if len(cand) != 1:
            raise SchemaError(
                f"cannot tell which column is the metric among {cand}",
                fix="pass metric= the column name",
            )
        metric = cand[0]
    if metric not in m.columns:
        raise SchemaError(f"metric column {metric!r} not found", column=metric, fix="check metric=")
    need = (C.CDS, C.LEVEL, C.YEAR, C.GROUP, C.INDICATOR, C.VALUE)
    miss = [c for c in need if c not in outcomes.columns]
    if miss:
        raise SchemaError(
            f"the outcomes table lacks column(s) {miss}",
            column=miss[0],
            fix="pass the canonical outcomes table",
        )
    o = outcomes[
        (outcomes[C.LEVEL] == "district")
        & (outcomes[C.INDICATOR] == outcome)
        & (outcomes[C.GROUP] == group)
    ]
    if C.SUPPRESSED in o.columns:
        o = o[~o[C.SUPPRESSED].astype(bool)]
    if o.empty:
        raise EstimationError(
            f"no district rows for indicator {outcome!r}, group {group!r}",
            column=C.INDICATOR,
            fix=f"use an indicator present in the outcomes table: "
            f"{sorted(outcomes[C.INDICATOR].dropna().unique())[:8]}",
        )
    o = o.assign(**{C.DISTRICT_ID: o[C.CDS].map(district_of)})
    o = o.groupby([C.DISTRICT_ID, C.YEAR], as_index=False)[C.VALUE].mean()
    dup = m.duplicated([C.DISTRICT_ID, C.YEAR])
    if dup.any():
        raise SchemaError(
            "more than one metric row for a district and year",
            row=int(dup.to_numpy().argmax()) + 1,
            fix="aggregate to one row per district and year first",
        )
    d = m[
        [C.DISTRICT_ID, C.YEAR, metric]
        + ([cluster] if cluster not in (C.DISTRICT_ID, C.YEAR) else [])
    ]
    d = d.merge(o, on=[C.DISTRICT_ID, C.YEAR], how="left")
    ok = d[metric].notna() & d[C.VALUE].notna()
    n_dropped = int((~ok).sum())
    d = d[ok].reset_index(drop=True)
    n = len(d)
    g = d[cluster].nunique()
    if n < 4 or g < 3:
        raise EstimationError(
            f"{n} district-year(s) in {g} district(s) have both the metric and {outcome}",
            fix="check that years match between the metric and the outcomes (e.g. '2022-23')",
        )
    y = d[C.VALUE].to_numpy(float)
    xm = d[metric].to_numpy(float)
    if xm.std() == 0:
        raise EstimationError("the metric does not vary across district-years")
    parts = [np.ones(n), xm]
    years = sorted(d[C.YEAR].unique())
    if year_effects and len(years) > 1:
        parts += [(d[C.YEAR] == yr).to_numpy(float) for yr in years[1:]]
    x = np.column_stack(parts)
    groups = pd.factorize(d[cluster])[0]
    fit = sm.OLS(y, x).fit(
        cov_type="cluster",
        cov_kwds={"groups": groups, "use_correction": True, "df_correction": True},
    )
    b = float(fit.params[1])
    se = float(fit.bse[1])
    dfree = g - 1
    tq = stats.t.ppf(0.5 + level / 2, dfree)
    p = float(2 * stats.t.sf(abs(b / se), dfree)) if se > 0 else float("nan")
    # standardized slope after removing year means from both
    if year_effects and len(years) > 1:
        yr = d[C.YEAR]
        yd = y - pd.Series(y).groupby(yr).transform("mean").to_numpy()
        xd = xm - pd.Series(xm).groupby(yr).transform("mean").to_numpy()
    else:
        yd, xd = y - y.mean(), xm - xm.mean()
    std_b = b * xd.std() / yd.std() if yd.std() > 0 else float("nan")
    return ValidityResult(
        estimate=b,
        std_error=se,
        ci_low=float(b - tq * se),
        ci_high=float(b + tq * se),
        p_val=p,
        std_estimate=float(std_b),
        correlation=float(np.corrcoef(xm, y)[0, 1]),
        n=n,
        n_clusters=int(g),
        n_dropped=n_dropped,
        outcome=outcome,
        metric=metric,
        inference=(
            f"OLS{' with year effects' if year_effects else ''}, CR1 standard errors "
            f"clustered by {cluster}, t({dfree}) reference"
        ),
        caveat=CAVEAT,
        data=d,
    )
