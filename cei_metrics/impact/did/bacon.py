r"""Goodman-Bacon (2021) decomposition of the two-way fixed effects DiD coefficient.

On a balanced panel with a binary treatment that switches on once (timing groups k,
share :math:`n_k` of units, treated a share :math:`\bar D_k` of periods, and possibly a
never-treated group U), the TWFE coefficient is

.. math:: \hat\beta^{DD} = \sum_k s_{kU}\hat\beta_{kU}
    + \sum_{k<l} \left[s^k_{kl}\hat\beta^{k}_{kl} + s^l_{kl}\hat\beta^{l}_{kl}\right]

a weighted average of 2x2 DiDs: treated vs never treated, earlier vs later treated
(later group not yet treated), and later vs earlier treated -- the "forbidden"
comparison that uses already-treated units as controls and is biased when effects
change over time. The weights are positive and sum to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..._api import estimator
from ..._results import PlotMixin, ResultMixin, tidy
from ...errors import EstimationError, SchemaError
from ...schemas import C
from .._common import check_columns, drop_years, time_to_int, years_note

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["BaconResult", "bacon_decomposition"]

EARLY_V_LATE = "Earlier vs Later Treated"
LATE_V_EARLY = "Later vs Earlier Treated"
TREATED_V_NEVER = "Treated vs Untreated"
LATE_V_ALWAYS = "Later vs Always Treated"
FORBIDDEN = (LATE_V_EARLY, LATE_V_ALWAYS)


@dataclass(frozen=True, repr=False)
class BaconResult(PlotMixin, ResultMixin):
    """The 2x2 comparisons behind a TWFE coefficient.

    ``table``: treated, control (cohort start periods; 0 = never, "always" = treated
    throughout), type, estimate, weight. ``by_type``: weight and weighted mean estimate
    per comparison type. ``twfe`` (also ``estimate``): the coefficient they reproduce.
    ``to_frame()`` has one row per comparison, ``term`` = ``"treated vs control"``.
    """

    table: pd.DataFrame
    by_type: pd.DataFrame
    twfe: float
    forbidden_weight: float
    n_units: int
    n_periods: int
    n_dropped: int
    excluded_years: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def estimate(self) -> float:
        """The TWFE coefficient the comparisons average to."""
        return self.twfe

    @property
    def n(self) -> int:
        """Units in the balanced panel decomposed."""
        return self.n_units

    def to_frame(self) -> pd.DataFrame:
        t = self.table
        terms = [f"{a} vs {b}" for a, b in zip(t[C.TREATED], t[C.CONTROL])]
        return tidy(t, term=terms)

    def summary(self) -> str:
        lines = [
            f"Goodman-Bacon decomposition of the TWFE coefficient {self.twfe:.4f} "
            f"({self.n_units} units x {self.n_periods} periods, {self.n_dropped} units dropped)",
            f"Weight on comparisons that use already-treated units as controls: "
            f"{self.forbidden_weight:.1%}",
        ]
        note = years_note(self.excluded_years)
        if note:
            lines.append(note)
        lines.append(self.by_type.to_string(index=False, float_format=lambda v: f"{v:.5f}"))
        return "\n".join(lines)

    def plot_data(self) -> pd.DataFrame:
        """What :meth:`plot` draws: weight against estimate, by comparison type."""
        return self.table[[C.TYPE, C.WEIGHT_SHARE, C.ESTIMATE]].copy()


@estimator(renamed={"treat": "treatment"})
def bacon_decomposition(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    treatment: str,
    *,
    exclude_years: list | tuple | None = None,
) -> BaconResult:
    r"""Decompose the TWFE DiD coefficient into 2x2 comparisons (Goodman-Bacon 2021).

    With :math:`\hat V^D` the variance of the two-way demeaned treatment and
    :math:`n_{kl} = n_k/(n_k+n_l)`, the weights are (Goodman-Bacon 2021, eq. 10)

    .. math::
        s_{kU} = (n_k+n_U)^2 n_{kU}(1-n_{kU}) \bar D_k(1-\bar D_k) / \hat V^D \\
        s^k_{kl} = ((n_k+n_l)(1-\bar D_l))^2 n_{kl}(1-n_{kl})
            \frac{\bar D_k-\bar D_l}{1-\bar D_l}\frac{1-\bar D_k}{1-\bar D_l} / \hat V^D \\
        s^l_{kl} = ((n_k+n_l)\bar D_k)^2 n_{kl}(1-n_{kl})
            \frac{\bar D_l}{\bar D_k}\frac{\bar D_k-\bar D_l}{\bar D_k} / \hat V^D

    Parameters
    ----------
    df : balanced long panel; units missing a period are dropped (``n_dropped``).
    y : outcome; unit, time : identifiers (school years allowed);
    treatment : 0/1 treatment status of each unit-period that, once 1, stays 1
        (absorbing; formerly ``treat``).
    exclude_years : periods dropped before the decomposition.

    Returns
    -------
    BaconResult with ``table`` (one row per comparison), ``by_type``, ``twfe`` and
    ``forbidden_weight`` (weight on later-vs-earlier comparisons).

    References
    ----------
    Goodman-Bacon (2021), J. Econometrics 225:254-277. Agrees with R ``bacondecomp``
    on its castle-doctrine example (tests).

    Examples
    --------
    >>> bacon_decomposition(castle, "l_homicide", "sid", "year", "post").by_type
    """
    import pandas as pd

    check_columns(df, [y, unit, time, treatment], what="panel")
    d, excluded = drop_years(df, time, exclude_years)
    d = d[[unit, time, y, treatment]].copy()
    d["_t"] = time_to_int(d[time], column=time)
    n_all = d[unit].nunique()
    d = d.dropna()
    if d[[unit, "_t"]].duplicated().any():
        raise SchemaError(
            "a unit appears twice in one period", column=time, fix="one row per unit and period"
        )
    times = np.sort(d["_t"].unique())
    cnt = d.groupby(unit)["_t"].transform("size")
    d = d.loc[cnt == len(times)].sort_values([unit, "_t"])
    units = d[unit].drop_duplicates().to_numpy()
    n, nt = len(units), len(times)
    if n == 0 or nt < 2:
        raise EstimationError("no balanced units remain", fix="supply a balanced panel")
    yv = d[y].to_numpy(float).reshape(n, nt)
    dv = d[treatment].to_numpy(float).reshape(n, nt)
    if not np.isin(dv, (0.0, 1.0)).all():
        raise SchemaError("treat must be 0/1", column=treatment, fix="code treatment as 0/1")
    if (np.diff(dv, axis=1) < 0).any():
        i = int(np.flatnonzero((np.diff(dv, axis=1) < 0).any(axis=1))[0])
        raise SchemaError(
            f"treatment switches off for unit {units[i]!r}",
            column=treatment,
            fix="the decomposition needs an absorbing treatment (once 1, always 1)",
        )
    # timing group = index of first treated period (nt = never)
    first = np.where(dv.any(axis=1), dv.argmax(axis=1), nt)
    groups = np.unique(first)
    share = {g: np.mean(first == g) for g in groups}
    dbar = {g: (nt - g) / nt for g in groups}  # share of periods treated
    ymean = {g: yv[first == g].mean(axis=0) for g in groups}  # period means by group
    # variance of the two-way demeaned treatment (balanced panel: closed form)
    dd = dv - dv.mean(axis=1, keepdims=True) - dv.mean(axis=0, keepdims=True) + dv.mean()
    vd = np.mean(dd**2)
    if vd <= 0:
        raise EstimationError(
            "the treatment has no variation after removing unit and period effects",
            column=treatment,
            fix="the decomposition needs units treated at different times or never",
        )
    yd = yv - yv.mean(axis=1, keepdims=True) - yv.mean(axis=0, keepdims=True) + yv.mean()
    beta_twfe = float(np.sum(dd * yd) / np.sum(dd**2))

    def did(gt, gc, lo, mid, hi):
        """2x2 DiD of group gt vs gc: periods [lo, mid) before, [mid, hi) after."""
        a, b = ymean[gt], ymean[gc]
        return (a[mid:hi].mean() - a[lo:mid].mean()) - (b[mid:hi].mean() - b[lo:mid].mean())

    def label(g):
        if g == nt:
            return 0
        return "always" if g == 0 else int(times[g])

    rows = []
    treated_groups = [g for g in groups if g < nt]
    never = nt in groups
    for k in treated_groups:
        if never and 0 < k:
            nk, nu = share[k], share[nt]
            nku = nk / (nk + nu)
            s = (nk + nu) ** 2 * nku * (1 - nku) * dbar[k] * (1 - dbar[k]) / vd
            rows.append((label(k), 0, TREATED_V_NEVER, did(k, nt, 0, k, nt), s))
    for i, k in enumerate(treated_groups):
        for l in treated_groups[i + 1 :]:  # k earlier than l
            nk, nl = share[k], share[l]
            nkl = nk / (nk + nl)
            dk, dl = dbar[k], dbar[l]
            if k > 0:  # earlier k vs later l (l not yet treated): periods [0, l)
                s = (
                    ((nk + nl) * (1 - dl)) ** 2
                    * nkl
                    * (1 - nkl)
                    * ((dk - dl) / (1 - dl))
                    * ((1 - dk) / (1 - dl))
                    / vd
                )
                rows.append((label(k), label(l), EARLY_V_LATE, did(k, l, 0, k, l), s))
            # later l vs earlier k (k already treated): periods [k, nt)
            s = ((nk + nl) * dk) ** 2 * nkl * (1 - nkl) * (dl / dk) * ((dk - dl) / dk) / vd
            kind = LATE_V_ALWAYS if k == 0 else LATE_V_EARLY
            rows.append((label(l), label(k), kind, did(l, k, k, l, nt), s))
    tab = pd.DataFrame(rows, columns=[C.TREATED, C.CONTROL, C.TYPE, C.ESTIMATE, C.WEIGHT_SHARE])
    by = (
        tab.assign(we=tab[C.ESTIMATE] * tab["weight"])
        .groupby("type", sort=True)
        .agg(weight=("weight", "sum"), we=("we", "sum"), n=("weight", "size"))
        .reset_index()
    )
    by[C.ESTIMATE] = by["we"] / by["weight"]
    by = by[["type", "weight", C.ESTIMATE, "n"]]
    forbidden = float(tab.loc[tab["type"].isin(FORBIDDEN), "weight"].sum())
    return BaconResult(
        table=tab,
        by_type=by,
        twfe=beta_twfe,
        forbidden_weight=forbidden,
        n_units=n,
        n_periods=nt,
        n_dropped=int(n_all - n),
        excluded_years=excluded,
    )
