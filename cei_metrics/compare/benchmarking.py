"""Benchmarks: an LEA's value against its peers' and the state's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from .._results import PlotMixin, ResultMixin, tidy
from ..errors import EstimationError, SchemaError
from ..schemas import C
from ._cols import (
    N_PEERS,
    PEER_MEDIAN,
    PEER_Q25,
    PEER_Q75,
    PERCENTILE,
    POSITION,
    STATE,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .peers import PeerResult

__all__ = ["BenchmarkResult", "benchmark", "percentile_rank"]

STATE_CDS = "00000000000000"


def percentile_rank(values: np.ndarray, x: float) -> float:
    r"""Percentile rank of ``x`` among ``values`` (ties count half):

    .. math:: P = 100\,\frac{\#\{v < x\} + \tfrac12\#\{v = x\}}{n}

    Agrees with scipy ``percentileofscore(values, x, kind="mean")``. NaN values are left
    out; NaN when none remain or ``x`` is NaN.
    """
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0 or np.isnan(x):
        return float("nan")
    return float(100.0 * ((v < x).sum() + 0.5 * (v == x).sum()) / v.size)


@dataclass(frozen=True, repr=False)
class BenchmarkResult(ResultMixin, PlotMixin):
    """An LEA's value with its peers' median and interquartile range and its statewide
    percentile.

    ``table``: ``term`` (the LEA's code), ``name``, ``estimate`` (its value),
    ``peer_median``, ``peer_q25``, ``peer_q75``, ``peers_used`` (peers with a value;
    named so that it is not read as a count of people), ``state`` (the statewide value),
    ``percentile`` (the LEA's percentile rank among all LEAs with a value, ties half),
    ``n`` (those LEAs), ``position`` ("below the peer range", "within", "above").
    ``to_frame()`` has the same columns with ``term, estimate, n`` first.
    """

    table: pd.DataFrame
    label: str
    lower_is_better: bool
    n: int
    n_dropped: int
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        return tidy(self.table)

    def summary(self) -> str:
        lines = [
            f"Benchmark of {self.label}: {len(self.table)} LEA(s) against their peers "
            f"(median and interquartile range) and {self.n} LEAs statewide",
            "percentile = 100 x (LEAs below + half those equal) / LEAs with a value; "
            "quartiles as R quantile(type = 7)"
            + ("; lower is better" if self.lower_is_better else ""),
        ]
        return "\n".join(lines + list(self.notes))

    def plot_data(self) -> pd.DataFrame:
        """What :meth:`plot` draws (:func:`cei_metrics.viz.peer_benchmark_data`)."""
        from .plotdata import peer_benchmark_data

        return peer_benchmark_data(self)


def _values(values, value_col: str) -> pd.Series:
    import pandas as pd

    if isinstance(values, pd.Series):
        s = values
    elif isinstance(values, pd.DataFrame):
        if C.CDS not in values.columns or value_col not in values.columns:
            raise SchemaError(
                f"values need columns {C.CDS!r} and {value_col!r}",
                column=value_col,
                fix="give one row per LEA (filter outcomes to one indicator, year and group)",
            )
        dup = values[C.CDS].duplicated()
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            raise SchemaError(
                f"LEA {values[C.CDS].iloc[i]!r} has more than one value",
                row=i + 1,
                column=C.CDS,
                fix="filter to one indicator, year and student group first",
            )
        s = values.set_index(C.CDS)[value_col]
    else:
        raise SchemaError(f"values must be a Series or DataFrame, not {type(values).__name__}",
                          fix="pass a frame with cds and value")  # fmt: skip
    return pd.to_numeric(s, errors="coerce").astype(float)


@estimator()
def benchmark(
    values: pd.DataFrame | pd.Series,
    targets: str | Sequence[str],
    peers: PeerResult | Mapping[str, Sequence[str]] | Sequence[str],
    *,
    value_col: str = C.VALUE,
    state_value: float | None = None,
    pool: Sequence[str] | None = None,
    label: str = "value",
    lower_is_better: bool = False,
    names: Mapping[str, str] | None = None,
) -> BenchmarkResult:
    r"""Each target's value, its peers' median and interquartile range, the state value
    and the target's statewide percentile.

    The quartiles are the linear-interpolation quantiles of the peers' values
    (:math:`Q(p) = x_{(h)} + (h - \lfloor h \rfloor)(x_{(h+1)} - x_{(h)})`,
    :math:`h = 1 + (m-1)p`; R ``quantile(type = 7)``, numpy's default). The percentile is
    :func:`percentile_rank` of the target's value among the LEAs in ``pool`` (default:
    every code in ``values`` except the state row ``00000000000000`` and county rows
    ``CC00000...``). Peers and LEAs without a value are left out and counted.

    Parameters
    ----------
    values : one value per LEA: a Series indexed by ``cds`` or a frame with ``cds`` and
        ``value_col`` (e.g. outcomes filtered to one indicator, year and group).
    targets : the LEA(s) to benchmark.
    peers : a :class:`~cei_metrics.compare.PeerResult`, a mapping target -> peer codes,
        or one list of codes used for every target.
    state_value : the statewide value (default: the ``00000000000000`` row of ``values``
        when present).
    pool : the LEAs of the statewide distribution.
    label : what the value is, for the summary and the figure.
    lower_is_better : for the position wording and the figure (chronic absenteeism).
    names : code -> name for the table.

    Returns
    -------
    BenchmarkResult (``.to_frame()``, ``.plot()``).

    References
    ----------
    Hyndman & Fan (1996), Sample quantiles in statistical packages, *The American
    Statistician* 50:361-365 (type 7). Agrees with R ``quantile``, numpy ``percentile``
    and scipy ``percentileofscore(kind="mean")``.

    Examples
    --------
    >>> res = cm.compare.benchmark(grad19, plln, peers, label="Graduation 2018-19 (%)")  # doctest: +SKIP
    >>> res.plot()                                                                  # doctest: +SKIP
    """
    import pandas as pd

    s = _values(values, value_col)
    tg = [targets] if isinstance(targets, str) else list(targets)
    if state_value is None and STATE_CDS in s.index:
        state_value = float(s.loc[STATE_CDS])
    if pool is None:
        codes = s.index.astype(str)
        lea = ~((codes == STATE_CDS) | codes.str.endswith("000000000000"))
        dist = s[lea]
    else:
        dist = s.reindex(list(pool))
    dist_v = dist.to_numpy(dtype=float)
    n_pool = int(np.isfinite(dist_v).sum())
    if n_pool == 0:
        raise EstimationError("no LEA has a value", fix="check the filters that built values")
    rows, notes = [], []
    dropped = 0
    for t in tg:
        if hasattr(peers, "peers"):
            p = peers.peers(t)
        elif isinstance(peers, Mapping):
            p = list(peers.get(t, []))
        else:
            p = list(peers)
        pv = s.reindex([c for c in p if c != t]).to_numpy(dtype=float)
        ok = np.isfinite(pv)
        dropped += int((~ok).sum())
        pv = pv[ok]
        x = float(s.get(t, np.nan))
        if np.isnan(x):
            notes.append(f"{t}: no value")
        if pv.size:
            q25, med, q75 = np.percentile(pv, [25, 50, 75])
        else:
            q25 = med = q75 = np.nan
            notes.append(f"{t}: no peer has a value")
        if np.isnan(x) or np.isnan(q25):
            pos = ""
        elif x < q25:
            pos = "below the peer range"
        elif x > q75:
            pos = "above the peer range"
        else:
            pos = "within the peer range"
        rows.append(
            (
                t,
                (names or {}).get(t, ""),
                x,
                med,
                q25,
                q75,
                int(pv.size),
                np.nan if state_value is None else float(state_value),
                percentile_rank(dist_v, x),
                n_pool,
                pos,
            )
        )
    table = pd.DataFrame(rows, columns=[C.TERM, C.NAME, C.ESTIMATE, PEER_MEDIAN, PEER_Q25,
                                        PEER_Q75, N_PEERS, STATE, PERCENTILE, C.N,
                                        POSITION])  # fmt: skip
    if dropped:
        notes.append(f"{dropped} peer value(s) missing and left out")
    return BenchmarkResult(table=table, label=label, lower_is_better=lower_is_better,
                           n=n_pool, n_dropped=dropped, notes=tuple(notes))  # fmt: skip
