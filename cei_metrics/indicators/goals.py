r"""Each district's own goal: progress as the share of the gap closed and as goal
attainment levels.

Every district of the network chose a *problem of practice* with a local measure, a
baseline and a target (the ``goals`` table, :func:`cei_metrics.io.read_goals`). Measures
differ from district to district -- a percentage of families, a count of seats, a mean
rating -- so progress is put on two common scales:

**Share of the gap closed** (any unit, any direction):

.. math:: g_t = \frac{v_t - b}{T - b}

with baseline :math:`b`, target :math:`T` and value :math:`v_t`: 0 at the baseline, 1 at
the target, negative when the measure moved away from the target, above 1 past it. When
the value is a share of :math:`n` people (unit ``percent`` or ``proportion`` and ``n``
given) its Wilson interval maps to an interval of :math:`g_t` (the baseline and target
are fixed numbers, so the map is linear).

**Goal attainment levels** (Kiresuk & Sherman 1968), -2 to +2, from the share closed:

=====  =========================================  ===================================
level  meaning                                    rule (default ``beyond=(0.25, 0.5)``)
=====  =========================================  ===================================
-2     much less than expected: no progress       :math:`g \le 0`
-1     less than expected: part of the gap        :math:`0 < g < 1`
 0     the expected outcome: target reached       :math:`1 \le g < 1.25`
+1     more than expected                         :math:`1.25 \le g < 1.5`
+2     much more than expected                    :math:`g \ge 1.5`
=====  =========================================  ===================================

In goal attainment scaling proper a team writes the five levels of each goal before the
work starts; where a district did not, these cut points on the share closed stand in for
them (``beyond`` moves the +1 and +2 cuts). Across a district's goals the levels combine
into the Kiresuk-Sherman T-score

.. math:: T = 50 + \frac{10 \sum_i w_i x_i}{\sqrt{(1-\rho)\sum_i w_i^2 + \rho(\sum_i w_i)^2}}

(50 when every goal is met as expected; :math:`\rho = 0.3` the assumed correlation of
goals, equal weights unless given), :func:`gas_tscore`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from .._results import PlotMixin, ResultMixin
from ..errors import EstimationError, SchemaError
from ..schemas import GOALS_COLUMNS, C
from . import _cols as K
from ._stats import check_ci, check_columns, wilson_ci

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["GAS_LABELS", "GoalResult", "gas_level", "gas_tscore", "goal_progress"]

GAS_LABELS = {
    -2: "much less than expected",
    -1: "less than expected",
    0: "target reached",
    1: "more than expected",
    2: "much more than expected",
}
GAS_LABEL = "gas_label"
T_SCORE = "t_score"
N_GOALS = "n_goals"
LATEST = "latest"


def gas_level(gap_closed: np.ndarray | float, *, beyond: tuple[float, float] = (0.25, 0.5)):
    r"""Goal attainment level (-2..+2) of each share of the gap closed.

    .. math:: x = -2 \text{ if } g \le 0;\ -1 \text{ if } 0 < g < 1;\ 0 \text{ if }
              1 \le g < 1 + a;\ +1 \text{ if } 1 + a \le g < 1 + b;\ +2 \text{ if } g \ge 1 + b

    with ``beyond = (a, b)`` (see the module docstring). Shares are compared rounded to
    9 decimals, so a value written to one decimal lands on its intended level.

    Parameters
    ----------
    gap_closed : shares of the gap closed (NaN stays NaN).
    beyond : shares of the gap past the target at which +1 and +2 begin.

    Returns
    -------
    Array of levels (floats, NaN where the share is missing).

    References
    ----------
    Kiresuk & Sherman (1968) Community Mental Health Journal 4:443-453.

    Examples
    --------
    >>> gas_level([-0.1, 0.5, 1.0, 1.3, 1.6]).tolist()
    [-2.0, -1.0, 0.0, 1.0, 2.0]
    """
    g = np.round(np.asarray(gap_closed, dtype=float), 9)
    a, b = beyond
    if not 0 < a < b:
        raise SchemaError(
            f"beyond={beyond!r} must be two increasing positive shares",
            fix="pass e.g. beyond=(0.25, 0.5): +1 from 25% past the target, +2 from 50%",
        )
    out = np.select(
        [g <= 0, g < 1, g < 1 + a, g < 1 + b, g >= 1 + b], [-2.0, -1.0, 0.0, 1.0, 2.0], np.nan
    )
    return np.where(np.isnan(g), np.nan, out)


def gas_tscore(
    levels: Sequence[float] | np.ndarray,
    weights: Sequence[float] | np.ndarray | None = None,
    *,
    rho: float = 0.3,
) -> float:
    r"""Kiresuk-Sherman goal attainment T-score of one unit's goals.

    .. math:: T = 50 + \frac{10 \sum_i w_i x_i}{\sqrt{(1-\rho)\sum_i w_i^2 + \rho(\sum_i w_i)^2}}

    Parameters
    ----------
    levels : attainment levels :math:`x_i` in -2..+2 (NaN goals are left out).
    weights : :math:`w_i` (importance x difficulty in Turner-Stokes' practice); default 1.
    rho : assumed correlation between goals (0.3 in Kiresuk & Sherman 1968).

    Returns
    -------
    The T-score (NaN without a scored goal).

    References
    ----------
    Kiresuk & Sherman (1968) Community Mental Health Journal 4:443-453; Turner-Stokes
    (2009) Clinical Rehabilitation 23:362-370.

    Examples
    --------
    >>> gas_tscore([0, 0, 0])
    50.0
    >>> round(gas_tscore([1]), 6)  # one goal: 50 + 10 x
    60.0
    """
    x = np.asarray(levels, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != x.shape:
        raise SchemaError("one weight per goal is needed", fix="give as many weights as levels")
    if not 0 <= rho < 1:
        raise SchemaError(f"rho={rho!r} must lie in [0, 1)", fix="pass e.g. rho=0.3")
    keep = ~np.isnan(x)
    x, w = x[keep], w[keep]
    if not len(x):
        return float("nan")
    if (w <= 0).any():
        raise SchemaError("goal weights must be positive", fix="give weights of 1 or more")
    den = np.sqrt((1 - rho) * (w * w).sum() + rho * w.sum() ** 2)
    return float(50 + 10 * (w * x).sum() / den)


@dataclass(frozen=True, eq=False, repr=False)
class GoalResult(ResultMixin, PlotMixin):
    """Progress of each district on its own goals.

    Attributes
    ----------
    table : one row per district x goal x period: ``district_id``, ``goal_id``,
        ``measure``, ``measure_unit``, ``period``, ``baseline``, ``target``, ``value``,
        ``gap_closed`` (``estimate``), ``ci_low``, ``ci_high`` (when the value is a share
        of ``n`` people), ``gas_level``, ``gas_label``, ``n``, ``latest`` (the goal's
        last period with a value), ``suppressed`` (the value rests on fewer than
        ``min_cell`` people, or is itself a count of 1 to ``min_cell - 1`` people).
    tscores : one row per district: ``t_score`` over its goals at their latest period,
        ``n_goals``.
    beyond, rho, min_cell, ci_level, n (goals), notes.
    """

    table: pd.DataFrame = field(repr=False)
    tscores: pd.DataFrame = field(repr=False)
    beyond: tuple[float, float]
    rho: float
    min_cell: int
    ci_level: float
    n: int
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        from .._results import tidy

        t = self.table
        term = t[C.DISTRICT_ID].astype(str) + "; " + t[C.GOAL_ID].astype(str) + "; " + t[C.PERIOD]
        return tidy(t, term=term.tolist())

    def latest(self) -> pd.DataFrame:
        """Each goal's row at its latest period."""
        return self.table[self.table[LATEST]].reset_index(drop=True)

    def plot_data(self) -> pd.DataFrame:
        """What the small multiples draw: every row with its panel label."""
        t = self.table.copy()
        t[C.LABEL] = t[C.DISTRICT_ID].astype(str) + ": " + t[C.MEASURE].astype(str)
        return t

    def summary(self) -> str:
        lat = self.latest()
        lv = lat[C.GAS_LEVEL].dropna().astype(int).value_counts().sort_index()
        lines = [
            f"District goals: {self.n} goal(s) of {self.table[C.DISTRICT_ID].nunique()} "
            f"district(s); share of the gap closed at the latest period from "
            f"{lat[K.ESTIMATE].min():+.2f} to {lat[K.ESTIMATE].max():+.2f}",
            "Goal attainment levels (latest): "
            + ", ".join(f"{k:+d} {GAS_LABELS[k]}: {v}" for k, v in lv.items()),
            f"Levels from the share closed: target reached at 1, +1 from "
            f"{1 + self.beyond[0]:g}, +2 from {1 + self.beyond[1]:g}; T-score with rho = "
            f"{self.rho:g}",
        ]
        lines.extend(self.notes)
        return "\n".join(lines)


def _order(periods: pd.Series) -> pd.Series:
    """Sort key of periods: school years and waves by their number, else as text."""
    import re

    def key(p: object) -> tuple:
        s = str(p)
        m = re.match(r"^(\d{4})", s)
        if m:
            return (0, int(m.group(1)), s)
        m = re.match(r"^wave (\d+)$", s)
        if m:
            return (1, int(m.group(1)), s)
        return (2, 0, s)

    return periods.map(key)


@estimator()
def goal_progress(
    goals: pd.DataFrame,
    *,
    beyond: tuple[float, float] = (0.25, 0.5),
    rho: float = 0.3,
    weights: str | None = None,
    ci: float = 0.95,
    min_cell: int = 11,
) -> GoalResult:
    r"""Progress of each district on its own goal: share of the gap closed and goal
    attainment level at every period, and each district's T-score.

    See the module docstring for the formulas and the level rule.

    Parameters
    ----------
    goals : the goals table (``tables.goals``; :data:`~cei_metrics.schemas.GOALS_COLUMNS`
        and optionally ``n``).
    beyond : shares of the gap past the target at which the level becomes +1 and +2.
    rho : assumed correlation of a district's goals in the T-score.
    weights : column of goal weights for the T-score (default: equal).
    ci : confidence level of the intervals of shares of people.
    min_cell : values resting on fewer people are flagged ``suppressed``.

    Returns
    -------
    GoalResult

    Raises
    ------
    SchemaError when a column is missing or a goal's target equals its baseline;
    EstimationError when no goal has a value yet.

    References
    ----------
    Kiresuk & Sherman (1968) Community Mental Health Journal 4:443-453; Turner-Stokes
    (2009) Clinical Rehabilitation 23:362-370; Wilson (1927) JASA 22:209-212.

    Examples
    --------
    >>> res = cm.indicators.goal_progress(tables.goals)  # doctest: +SKIP
    >>> res.latest()[["district_id", "goal_id", "estimate", "gas_level"]]  # doctest: +SKIP
    """
    import pandas as pd

    check_ci(ci)
    check_columns(goals, list(GOALS_COLUMNS), "goals")
    g = goals.copy()
    gap = (g[C.TARGET] - g[C.BASELINE]).to_numpy(dtype=float)
    if (gap == 0).any():
        i = int(np.flatnonzero(gap == 0)[0])
        raise SchemaError(
            "a goal's target equals its baseline: there is no gap to close",
            row=i + 1,
            column=C.TARGET,
            fix="write the value the district aims for",
        )
    g = g[g[C.VALUE].notna()].copy()
    if g.empty:
        raise EstimationError(
            "no goal has a value yet", fix="add the measured values by year or wave"
        )
    v = g[C.VALUE].to_numpy(dtype=float)
    b = g[C.BASELINE].to_numpy(dtype=float)
    t = g[C.TARGET].to_numpy(dtype=float)
    share = (v - b) / (t - b)
    n = g[C.N].to_numpy(dtype=float) if C.N in g.columns else np.full(len(g), np.nan)
    unit = g[C.MEASURE_UNIT].astype(str).to_numpy()
    scale = np.where(unit == "percent", 100.0, np.where(unit == "proportion", 1.0, np.nan))
    p = v / scale
    has_ci = ~np.isnan(scale) & ~np.isnan(n) & (n > 0) & (p >= 0) & (p <= 1)
    lo_p, hi_p = wilson_ci(
        np.where(has_ci, p * np.where(has_ci, n, 1), 0), np.where(has_ci, n, 1), ci=ci
    )
    ends = np.sort(np.vstack([(lo_p * scale - b) / (t - b), (hi_p * scale - b) / (t - b)]), axis=0)
    lo = np.where(has_ci, ends[0], np.nan)
    hi = np.where(has_ci, ends[1], np.nan)
    level = gas_level(share, beyond=beyond)
    out = g[[C.DISTRICT_ID, C.GOAL_ID, C.MEASURE, C.MEASURE_UNIT, C.SOURCE, C.PERIOD,
             C.BASELINE_PERIOD, C.BASELINE, C.TARGET_PERIOD, C.TARGET, C.VALUE]].copy()  # fmt: skip
    out[K.ESTIMATE] = share
    out[K.CI_LOW] = lo
    out[K.CI_HIGH] = hi
    out[K.N] = n
    out[C.GAP_CLOSED] = share
    out[C.GAS_LEVEL] = level
    out[GAS_LABEL] = (
        pd.Series(level).map(lambda x: GAS_LABELS.get(int(x)) if x == x else None).to_numpy()
    )
    count_small = (unit == "count") & (v > 0) & (v < min_cell)
    out[K.SUPPRESSED] = ((~np.isnan(n)) & (n < min_cell)) | count_small
    out["_o"] = _order(out[C.PERIOD])
    out = out.sort_values([C.DISTRICT_ID, C.GOAL_ID, "_o"], kind="stable").drop(columns="_o")
    last = out.groupby([C.DISTRICT_ID, C.GOAL_ID], sort=False).cumcount(ascending=False) == 0
    out[LATEST] = last.to_numpy()
    out = out.reset_index(drop=True)
    rows = []
    lat = out[out[LATEST]]
    w_of = None
    if weights is not None:
        check_columns(goals, [weights], "goals", why="named by weights=")
        w_of = goals.drop_duplicates([C.DISTRICT_ID, C.GOAL_ID]).set_index(
            [C.DISTRICT_ID, C.GOAL_ID]
        )[weights]
    for d, grp in lat.groupby(C.DISTRICT_ID, sort=True):
        w = None if w_of is None else w_of.reindex(list(zip(grp[C.DISTRICT_ID], grp[C.GOAL_ID])))
        rows.append(
            {
                C.DISTRICT_ID: d,
                T_SCORE: gas_tscore(
                    grp[C.GAS_LEVEL].to_numpy(), None if w is None else w.to_numpy(), rho=rho
                ),
                N_GOALS: int(grp[C.GAS_LEVEL].notna().sum()),
            }
        )
    notes = []
    no_value = goals[C.VALUE].isna().groupby([goals[C.DISTRICT_ID], goals[C.GOAL_ID]]).all()
    if no_value.any():
        notes.append(f"{int(no_value.sum())} goal(s) have no value yet and are left out")
    return GoalResult(
        table=out,
        tscores=pd.DataFrame(rows, columns=[C.DISTRICT_ID, T_SCORE, N_GOALS]),
        beyond=tuple(beyond),
        rho=rho,
        min_cell=min_cell,
        ci_level=ci,
        n=int(lat.shape[0]),
        notes=tuple(notes),
    )
