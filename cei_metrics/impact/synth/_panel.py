"""Shared helpers of the synthetic-control family: a long panel to a units x times matrix,
input checks that raise :class:`~cei_metrics.errors.CEIError`, and a batched Frank-Wolfe
solver for ridge-penalised least squares on the unit simplex."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...errors import EstimationError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


@dataclass(frozen=True)
class Panel:
    """A balanced panel as a matrix: control rows first, treated rows last."""

    Y: np.ndarray  # (N, T)
    units: list  # row labels, controls then treated
    times: list  # column labels, sorted
    n0: int  # number of control units
    t0: int  # number of pre-treatment periods

    @property
    def n1(self) -> int:
        return self.Y.shape[0] - self.n0

    @property
    def t1(self) -> int:
        return self.Y.shape[1] - self.t0


def require_columns(df: pd.DataFrame, cols: Iterable[str], *, what: str) -> None:
    """Raise SchemaError naming the first column of ``cols`` missing from ``df``."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise SchemaError(
            f"{what} needs a pandas DataFrame, got {type(df).__name__}",
            fix="pass a long table with one row per unit x time",
        )
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{what}: the data have no column {missing[0]!r}",
            column=missing[0],
            fix=f"name the column that holds it, or rename; columns present: {list(df.columns)[:12]}",
        )


def as_unit_list(treated: Hashable | Iterable[Hashable]) -> list:
    """A single unit label or a list of them, as a list."""
    if isinstance(treated, str | bytes) or not isinstance(treated, Iterable):
        return [treated]
    return list(treated)


def panel_matrix(
    df: pd.DataFrame,
    unit: str,
    time: str,
    y: str,
    treated: Hashable | Iterable[Hashable],
    start: object,
    *,
    donors: Iterable[Hashable] | None = None,
    what: str = "synthetic control",
) -> Panel:
    """Pivot a long panel into the control-first matrix the estimators use.

    Rows with a missing outcome make the panel unbalanced, which these estimators cannot
    use: the error names the first such unit and time.
    """
    require_columns(df, [unit, time, y], what=what)
    tr = as_unit_list(treated)
    units_all = df[unit].unique().tolist()
    absent = [u for u in tr if u not in set(units_all)]
    if absent:
        raise EstimationError(
            f"{what}: treated unit {absent[0]!r} is not in column {unit!r}",
            column=unit,
            fix="check the spelling and type of the treated unit's identifier",
        )
    dup = df.duplicated([unit, time])
    if dup.any():
        r = df[dup].iloc[0]
        raise EstimationError(
            f"{what}: unit {r[unit]!r} appears more than once at {time} {r[time]!r}",
            row=int(np.flatnonzero(dup.to_numpy())[0]) + 1,
            column=time,
            fix="aggregate to one row per unit and time before estimating",
        )
    wide = df.pivot(index=unit, columns=time, values=y).sort_index(axis=1)
    try:
        wide = wide.astype(float)
    except (TypeError, ValueError):
        raise SchemaError(
            f"{what}: outcome column {y!r} is not numeric",
            column=y,
            fix="convert the outcome to numbers (suppressed cells to NaN, then drop those units)",
        ) from None
    if donors is not None:
        keep = [u for u in as_unit_list(donors) if u not in tr]
        missing = [u for u in keep if u not in wide.index]
        if missing:
            raise EstimationError(
                f"{what}: donor {missing[0]!r} is not in column {unit!r}",
                column=unit,
                fix="list only units present in the data as donors",
            )
        controls = keep
    else:
        controls = [u for u in wide.index if u not in tr]
    order = controls + tr
    wide = wide.loc[order]
    Y = wide.to_numpy()
    if np.isnan(Y).any():
        i, j = np.argwhere(np.isnan(Y))[0]
        raise EstimationError(
            f"{what}: the panel is unbalanced: no {y!r} for unit {order[i]!r} at {wide.columns[j]!r}",
            column=y,
            fix="drop units with missing years (or impute them) so every unit has every period",
        )
    times = list(wide.columns)
    t0 = sum(1 for t in times if t < start)
    if t0 < 2 or t0 >= len(times):
        raise EstimationError(
            f"{what}: start={start!r} leaves {t0} pre-treatment and {len(times) - t0} "
            f"post-treatment periods (times run {times[0]!r}..{times[-1]!r})",
            column=time,
            fix="choose a start inside the observed periods with at least two periods before it",
        )
    if len(controls) < 2:
        raise EstimationError(
            f"{what}: only {len(controls)} control unit(s)",
            column=unit,
            fix="a synthetic comparison needs at least two untreated donor units",
        )
    return Panel(Y=Y, units=order, times=times, n0=len(controls), t0=t0)


def frank_wolfe(
    A: np.ndarray,
    b: np.ndarray,
    x0: np.ndarray,
    *,
    zeta: float,
    intercept: bool,
    min_decrease: float,
    max_iter: int,
) -> np.ndarray:
    r"""Batched Frank-Wolfe with exact line search for simplex-constrained ridge regression.

    For each problem ``p`` in the batch, minimises

    .. math:: \zeta^2 \lVert x\rVert^2 + \frac{1}{n}\lVert A_p x - b_p\rVert^2,
       \quad x \ge 0,\ \textstyle\sum x = 1

    exactly as R ``synthdid``'s ``sc.weight.fw`` does (columns centred when ``intercept``;
    stop when an iteration lowers the objective by less than ``min_decrease**2``). The
    batch dimension is vectorised: every active problem takes its step in one array
    operation.

    Parameters
    ----------
    A : (B, n, k) design; b : (B, n) target; x0 : (B, k) starting weights on the simplex.
    """
    A = np.asarray(A, float)
    b = np.asarray(b, float)
    x = np.array(x0, float, copy=True)
    if intercept:
        A = A - A.mean(axis=1, keepdims=True)
        b = b - b.mean(axis=1, keepdims=True)
    nb, n, _ = A.shape
    z2 = float(zeta) ** 2
    eta = n * z2
    md2 = float(min_decrease) ** 2
    prev = np.full(nb, np.inf)
    idx = np.arange(nb)
    Ai, bi, xi, pv = A, b, x, prev
    for t in range(1, int(max_iter) + 1):
        rows = np.arange(len(idx))
        Ax = np.einsum("bnk,bk->bn", Ai, xi)
        half_grad = np.einsum("bn,bnk->bk", Ax - bi, Ai) + eta * xi
        j = np.argmin(half_grad, axis=1)
        d = -xi.copy()
        d[rows, j] += 1.0
        d_err = Ai[rows, :, j] - Ax
        num = -(half_grad * d).sum(axis=1)
        den = (d_err**2).sum(axis=1) + eta * (d**2).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(den > 0, num / den, 0.0)
        step = np.clip(step, 0.0, 1.0)
        xi = xi + step[:, None] * d
        err = Ax + step[:, None] * d_err - bi
        val = z2 * (xi**2).sum(axis=1) + (err**2).sum(axis=1) / n
        done = (pv - val <= md2) if t >= 2 else np.zeros(len(idx), bool)
        pv = val
        if done.any():
            x[idx[done]] = xi[done]
            keep = ~done
            idx, Ai, bi, xi, pv = idx[keep], Ai[keep], bi[keep], xi[keep], pv[keep]
            if len(idx) == 0:
                break
    if len(idx):
        x[idx] = xi
    return x


def sparsify(x: np.ndarray) -> np.ndarray:
    """R ``synthdid``'s ``sparsify_function``, row-wise: zero weights at or below a
    quarter of the largest, then renormalise."""
    x = np.where(x <= x.max(axis=-1, keepdims=True) / 4, 0.0, x)
    return x / x.sum(axis=-1, keepdims=True)


def simplex_project(v: np.ndarray) -> np.ndarray:
    """Euclidean projection of each row of ``v`` onto the unit simplex (Duchi et al. 2008)."""
    v = np.atleast_2d(v)
    u = -np.sort(-v, axis=1)
    css = np.cumsum(u, axis=1) - 1.0
    k = np.arange(1, v.shape[1] + 1)
    cond = u - css / k > 0
    rho = v.shape[1] - 1 - np.argmax(cond[:, ::-1], axis=1)
    theta = css[np.arange(v.shape[0]), rho] / (rho + 1)
    return np.maximum(v - theta[:, None], 0.0)


def is_column(df: pd.DataFrame, value: object) -> bool:
    """Whether ``value`` names a column of ``df`` (a unit label or list never does)."""
    try:
        return isinstance(value, str) and value in df.columns
    except TypeError:  # pragma: no cover - unhashable
        return False


def treated_units_of(
    df: pd.DataFrame,
    unit: str,
    treated: str | None,
    treated_units: Hashable | Iterable[Hashable] | None,
    *,
    what: str,
) -> list:
    """The treated units, from ``treated`` (a 0/1 column, constant within unit) or
    ``treated_units`` (a label or list of labels of ``unit``); exactly one is given."""
    if (treated is None) == (treated_units is None):
        from ...errors import OptionError

        raise OptionError(
            f"{what} needs the treated units: treated= (a 0/1 column) or treated_units= "
            "(their labels), one of them",
            fix='e.g. treated_units="California" or treated="is_treated"',
        )
    if treated_units is not None:
        return as_unit_list(treated_units)
    require_columns(df, [unit, treated], what=what)
    per = df.groupby(unit, sort=False)[treated].agg(["min", "max"])
    vals = set(np.unique(df[treated].dropna().astype(float)))
    if not vals <= {0.0, 1.0}:
        raise SchemaError(
            f"{what}: {treated!r} must be a 0/1 column marking the treated units",
            column=treated,
            fix="code treated units 1 and the others 0 (or pass treated_units=)",
        )
    if (per["min"] != per["max"]).any():
        bad = per.index[(per["min"] != per["max"]).to_numpy()][0]
        raise SchemaError(
            f"{what}: {treated!r} changes within unit {bad!r}",
            column=treated,
            fix="mark a treated unit 1 in every period; the start is given by start=",
        )
    return per.index[per["max"].to_numpy(float) == 1.0].tolist()


def legacy_synth_call(func: str):
    """The adapter of the old ``(df, unit, time, y, treated_label, start)`` call.

    Old calls passed the treated unit's label as ``treated`` and the columns in the
    order unit, time, y; ``treated`` now names a 0/1 column and the order is y, unit,
    time. A ``treated`` that is not a column of ``df`` marks an old call: its label
    moves to ``treated_units`` and positional columns are reordered, with a warning."""
    import warnings

    def adapt(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        args = list(args)
        df = args[0] if args else kwargs.get("df")
        if "treated" in kwargs:
            label, pos = kwargs["treated"], None
        elif len(args) > 4:
            label, pos = args[4], 4
        else:
            return tuple(args), kwargs
        if label is None or df is None or is_column(df, label):
            return tuple(args), kwargs
        if "treated_units" in kwargs:
            return tuple(args), kwargs  # let the estimator say both were given
        n_cols = min(len(args), 4) - 1
        if n_cols == 3:  # (unit, time, y) -> (y, unit, time)
            args[1:4] = [args[3], args[1], args[2]]
        elif n_cols > 0:
            from ...errors import OptionError

            raise OptionError(
                f"{func}(): ambiguous call mixing the old and new argument orders",
                fix=f"name the columns: {func}(df, y=..., unit=..., time=..., "
                "treated_units=..., start=...)",
            )
        if pos is None:
            kwargs.pop("treated")
        else:
            del args[pos]
            if len(args) > 4:  # start given positionally after the label
                kwargs["start"] = args.pop(4)
        kwargs["treated_units"] = label
        warnings.warn(
            f"{func}(df, unit, time, y, treated, start) with the treated unit's label is "
            "deprecated and will be removed in the next release; use "
            f"{func}(df, y, unit, time, treated_units=..., start=...) (or treated= a 0/1 "
            "column)",
            FutureWarning,
            stacklevel=3,
        )
        return tuple(args), kwargs

    return adapt
