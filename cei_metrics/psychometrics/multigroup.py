r"""Measurement invariance across groups (languages, districts) by multi-group CFA.

Three nested maximum-likelihood models with a mean structure are fitted by the engine in
:mod:`cei_metrics.psychometrics.confirmatory`:

- **configural**: the same factor pattern in every group, all parameters free;
- **metric**: loadings equal across groups;
- **scalar**: loadings and item intercepts equal; factor means free in every group but
  the first (fixed to 0 there).

Each step is compared with the one before by the chi-square difference test and by the
change in CFI (Cheung & Rensvold 2002: a drop of more than .01 signals non-invariance)
and RMSEA (Chen 2007: a rise of more than .015). This is R lavaan's
``cfa(..., group = , group.equal = c("loadings", "intercepts"))`` sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from .._results import ResultMixin, tidy
from ..errors import EstimationError, SchemaError
from ._common import NanPolicy, as_items, check_nan_policy
from .confirmatory import CFAResult, _build_spec, _fit_engine, _group_moments, _result, parse_model

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["InvarianceResult", "invariance"]

STEPS = ("configural", "metric", "scalar")


@dataclass(frozen=True, repr=False)
class InvarianceResult(ResultMixin):
    """Fits of the configural, metric and scalar models and the tests between them."""

    table: pd.DataFrame  # step, chi2, df, pvalue, cfi, tli, rmsea, srmr, delta_*
    fits: dict[str, CFAResult]
    groups: tuple
    n_by_group: dict
    delta_cfi_cut: float = -0.01
    delta_rmsea_cut: float = 0.015
    n_dropped: int = 0
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        """Respondents over all groups."""
        return int(sum(self.n_by_group.values()))

    def to_frame(self) -> pd.DataFrame:
        """One row per step (``term``: configural, metric, scalar) with its fit."""
        return tidy(self.table, term="step")

    @property
    def highest_level(self) -> str:
        """The most restrictive step whose CFI drop and RMSEA rise stay within the cuts."""
        level = "configural"
        for step in STEPS[1:]:
            row = self.table.set_index("step").loc[step]
            if (
                row["delta_cfi"] >= self.delta_cfi_cut
                and row["delta_rmsea"] <= self.delta_rmsea_cut
            ):
                level = step
            else:
                break
        return level

    def summary(self) -> str:
        t = self.table.set_index("step")
        lines = [
            f"Measurement invariance across {len(self.groups)} groups: holds to the "
            f"{self.highest_level} level (cut-offs: delta CFI >= {self.delta_cfi_cut}, "
            f"delta RMSEA <= {self.delta_rmsea_cut})"
        ]
        for s in STEPS:
            r = t.loc[s]
            extra = (
                ""
                if s == "configural"
                else f"; vs previous: delta chi2({int(r['delta_df'])}) = {r['delta_chi2']:.2f}, "
                f"p = {r['delta_p']:.3g}, delta CFI = {r['delta_cfi']:+.3f}"
            )
            lines.append(
                f"{s}: chi2({int(r['df'])}) = {r['chi2']:.2f}, CFI = {r['cfi']:.3f}, "
                f"RMSEA = {r['rmsea']:.3f}{extra}"
            )
        return "\n".join(lines)


@estimator()
def invariance(
    items: pd.DataFrame,
    model: str | dict,
    group: object,
    *,
    nan_policy: NanPolicy = "listwise",
    min_group: int = 30,
) -> InvarianceResult:
    r"""Configural, metric and scalar invariance of a factor model across groups.

    Parameters
    ----------
    items : wide respondents x items frame.
    model : measurement model as for :func:`cfa`.
    group : one group label per row of ``items`` (array or Series, e.g. language), or
        the name of a column of ``items``.
    nan_policy : "listwise" (default) or "pairwise" within each group.
    min_group : smallest group size allowed (groups below raise; drop or merge them).

    Returns
    -------
    InvarianceResult with ``table`` (one row per step: chi2, df, pvalue, cfi, tli, rmsea,
    srmr, delta_chi2, delta_df, delta_p, delta_cfi, delta_rmsea) and ``fits``.

    References
    ----------
    Meredith (1993), Psychometrika 58:525-543. Cheung & Rensvold (2002), Structural
    Equation Modeling 9:233-255. Chen (2007), Structural Equation Modeling 14:464-504.
    Matches R lavaan ``group.equal`` fits (Holzinger-Swineford by school).

    Examples
    --------
    >>> invariance(hs, HS_MODEL, group="school").table
    """
    import pandas as pd
    from scipy.stats import chi2 as chi2d

    check_nan_policy(nan_policy)
    if isinstance(group, str) and group in items.columns:
        g = items[group].to_numpy()
    else:
        g = np.asarray(group)
    if g.shape[0] != len(items):
        raise SchemaError(
            f"group has {g.shape[0]} value(s) for {len(items)} respondent(s)",
            fix="pass one group label per row of items, or a column name",
        )
    gser = pd.Series(g)
    if gser.isna().any():
        raise SchemaError(
            "group label missing",
            row=int(np.flatnonzero(gser.isna().to_numpy())[0]) + 1,
            fix="drop respondents without a group label first",
        )
    factors = parse_model(model, [str(c) for c in items.columns])
    cols = list(dict.fromkeys(i for its in factors.values() for i in its))
    x, _ = as_items(items[cols], min_items=3)
    labels = list(pd.unique(gser))
    if len(labels) < 2:
        raise EstimationError("invariance needs at least two groups", fix="check the group column")
    s_list, xbar, n_g, dropped = [], [], [], 0
    for lab in labels:
        xg = x[(gser == lab).to_numpy()]
        if xg.shape[0] < min_group:
            raise EstimationError(
                f"group {lab!r} has {xg.shape[0]} respondents (fewer than {min_group})",
                fix="merge small groups or drop them before testing invariance",
            )
        s, mb, n, nd = _group_moments(xg, nan_policy, None)
        s_list.append(s)
        xbar.append(mb)
        n_g.append(n)
        dropped += nd
    n_g = np.asarray(n_g)
    fits: dict[str, CFAResult] = {}
    for step in STEPS:
        spec = _build_spec(
            factors,
            cols,
            len(labels),
            meanstructure=True,
            equal_loadings=step != "configural",
            equal_intercepts=step == "scalar",
        )
        fit = _fit_engine(s_list, xbar, n_g, factors, cols, spec)
        fits[step] = _result(fit, dropped, labels)
    rows = []
    prev = None
    for step in STEPS:
        f = fits[step]
        row = {
            "step": step,
            "chi2": f.chi2,
            "df": f.df,
            "pvalue": f.p_val,
            "cfi": f.cfi,
            "tli": f.tli,
            "rmsea": f.rmsea,
            "srmr": f.srmr,
            "converged": f.converged,
        }
        if prev is None:
            row.update(delta_chi2=np.nan, delta_df=np.nan, delta_p=np.nan)
            row.update(delta_cfi=np.nan, delta_rmsea=np.nan)
        else:
            dc = f.chi2 - prev.chi2
            dd = f.df - prev.df
            row.update(
                delta_chi2=dc,
                delta_df=dd,
                delta_p=float(chi2d.sf(max(dc, 0.0), dd)),
                delta_cfi=f.cfi - prev.cfi,
                delta_rmsea=f.rmsea - prev.rmsea,
            )
        rows.append(row)
        prev = f
    return InvarianceResult(
        table=pd.DataFrame(rows),
        fits=fits,
        groups=tuple(labels),
        n_by_group={lab: round(float(n)) for lab, n in zip(labels, n_g)},
    )
