"""Randomization (permutation) inference over which districts were treated: exact under
the sharp null of no effect whatever the number of treated clusters (Fisher 1935;
MacKinnon & Webb 2020)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from math import comb
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from ..._api import check_choice, estimator
from ..._results import ResultMixin
from ...errors import EstimationError
from ...schemas import C
from .._common import check_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["RandomizationResult", "randomization_inference"]


@dataclass(frozen=True, repr=False)
class RandomizationResult(ResultMixin):
    """Randomization (permutation) inference over which districts were treated.

    ``n`` is the number of units whose assignment is permuted (formerly ``n_units``);
    ``null_distribution`` the statistic under each assignment drawn.
    """

    estimate: float
    p_val: float
    n_perm: int
    exact: bool
    statistic: str
    n: int
    n_treated: int
    seed: int | None
    null_distribution: np.ndarray = field(repr=False, compare=False)
    n_dropped: int = 0
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"n_units": "n"}

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                C.TERM: [f"att_{self.statistic}"],
                C.ESTIMATE: [self.estimate],
                C.P_VAL: [self.p_val],
                C.N: [self.n],
                C.N_TREATED: [self.n_treated],
                C.N_PERM: [self.n_perm],
            }
        )

    def summary(self) -> str:
        how = "all assignments" if self.exact else f"{self.n_perm} random assignments"
        return (
            f"{self.statistic.upper()} estimate {self.estimate:.4g}; randomization p = "
            f"{self.p_val:.4f} ({how} of {self.n_treated} treated among {self.n} units)"
        )


@estimator()
def randomization_inference(
    df: pd.DataFrame,
    y: str,
    unit: str,
    time: str,
    cohort: str,
    *,
    n_perm: int = 999,
    statistic: Literal["twfe", "did"] = "twfe",
    seed: int | None = None,
) -> RandomizationResult:
    r"""Randomization inference: re-assign treatment across units and recompute the estimate.

    The observed cohorts (first treated period per unit; missing or 0 = never treated)
    are permuted across units, which keeps the number of treated units and their timing.
    For each assignment the statistic is recomputed; the two-sided p-value is the share
    of assignments with :math:`|\hat\beta_p| \ge |\hat\beta|`. When every assignment can
    be listed within ``n_perm`` (one cohort, :math:`\binom{N}{k} \le` ``n_perm``), the
    p-value is exact; otherwise assignments are sampled and
    :math:`p = (1 + \#\{|\hat\beta_p| \ge |\hat\beta|\})/(1 + P)`.

    ``statistic="twfe"``: coefficient on :math:`D_{it} = 1[t \ge g_i]` in a two-way
    fixed-effects regression; on a balanced panel it is
    :math:`\sum \tilde D \tilde y / \sum \tilde D^2` with double-demeaned
    :math:`\tilde D, \tilde y`, computed for all assignments at once.
    ``statistic="did"``: ever-treated x (t >= earliest cohort), a 2x2 contrast.

    The test is exact under the sharp null of no effect for any unit, whatever the
    number of treated clusters: it is the safe choice with six treated districts,
    where clustered standard errors mislead (MacKinnon & Webb 2017, 2020).

    Parameters
    ----------
    df : balanced long panel (unit x time) with outcome ``y`` and a unit-level
        ``cohort`` column.
    n_perm : assignments to draw (or the cap for enumeration).
    statistic : "twfe" or "did".
    seed : seed of the sampled assignments.

    Returns
    -------
    RandomizationResult with ``estimate``, ``p_val``, ``null_distribution``.

    References
    ----------
    Fisher (1935); Imbens & Rubin (2015) ch. 5; MacKinnon & Webb (2020) J. Econometrics
    218:435-450, "Randomization inference for difference-in-differences with few treated
    clusters".
    """
    import pandas as pd

    check_choice("statistic", statistic, ("twfe", "did"))
    check_columns(df, [y, unit, time, cohort], what="randomization_inference")
    wide = df.pivot_table(index=unit, columns=time, values=y, aggfunc="mean").sort_index(axis=1)
    if wide.isna().any().any():
        raise EstimationError(
            "randomization_inference needs a balanced panel: some unit x time cells are empty",
            column=y,
            fix="drop units with missing periods",
        )
    coh = df.groupby(unit)[cohort].first().reindex(wide.index)
    if (df.groupby(unit)[cohort].nunique(dropna=False) > 1).any():
        raise EstimationError(
            f"column {cohort!r} varies within a unit",
            column=cohort,
            fix="give each unit one first-treated period (or missing / 0 if never treated)",
        )
    Yw = wide.to_numpy(float)
    times = np.asarray(wide.columns)
    g = pd.to_numeric(coh, errors="coerce").to_numpy(float)
    g = np.where((g == 0) | np.isnan(g), np.inf, g)
    N = len(g)
    k = int(np.isfinite(g).sum())
    if k == 0 or k == N:
        raise EstimationError(
            "randomization inference needs both treated and never-treated units",
            column=cohort,
            fix="check the cohort column",
        )
    yt = Yw - Yw.mean(1, keepdims=True) - Yw.mean(0, keepdims=True) + Yw.mean()

    def stat(G_: np.ndarray) -> np.ndarray:
        """Statistic for each row of cohort assignments G_ (P, N)."""
        if statistic == "twfe":
            D = (times[None, None, :] >= G_[:, :, None]).astype(float)
        else:
            first = np.min(g[np.isfinite(g)])
            D = (np.isfinite(G_)[:, :, None] & (times[None, None, :] >= first)).astype(float)
        Dt = D - D.mean(2, keepdims=True) - D.mean(1, keepdims=True) + D.mean((1, 2), keepdims=True)
        return np.einsum("pnt,nt->p", Dt, yt) / np.einsum("pnt,pnt->p", Dt, Dt)

    est = float(stat(g[None])[0])
    Gp, exact = assignments(g, n_perm, seed)
    null = np.concatenate([stat(Gp[i : i + 500]) for i in range(0, len(Gp), 500)])
    p = permutation_p_value(est, null, exact)
    return RandomizationResult(
        estimate=est,
        p_val=p,
        n_perm=len(null),
        exact=bool(exact),
        statistic=statistic,
        n=N,
        n_treated=k,
        seed=seed,
        null_distribution=null,
    )


def assignments(g: np.ndarray, n_perm: int, seed: int | None) -> tuple[np.ndarray, bool]:
    """Cohort assignments to compare with the observed ``g`` (one per unit; ``inf`` =
    never treated): every assignment when there is one cohort and at most ``n_perm``
    of them (exact), else ``n_perm`` random permutations drawn from ``seed``.
    Returns ``(assignments (P, N), exact)``."""
    N = len(g)
    k = int(np.isfinite(g).sum())
    rng = np.random.default_rng(seed)
    single = len(np.unique(g[np.isfinite(g)])) == 1
    exact = single and comb(N, k) <= n_perm
    if exact:
        gval = g[np.isfinite(g)][0]
        idx = np.array(list(combinations(range(N), k)))
        Gp = np.full((len(idx), N), np.inf)
        Gp[np.arange(len(idx))[:, None], idx] = gval
    else:
        perm = np.argsort(rng.random((n_perm, N)), axis=1)
        Gp = g[perm]
    return Gp, bool(exact)


def permutation_p_value(est: float, null: np.ndarray, exact: bool) -> float:
    """Two-sided p: the share of assignments with ``|stat| >= |est|`` (exact), or
    ``(1 + hits) / (1 + P)`` for sampled assignments."""
    tol = 1e-12 * max(1.0, abs(est))
    hits = np.sum(np.abs(null) >= abs(est) - tol)
    return float(hits / len(null) if exact else (1 + hits) / (1 + len(null)))
