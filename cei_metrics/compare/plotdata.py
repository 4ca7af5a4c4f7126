"""What the comparison figures draw: the data twins of :func:`cei_metrics.viz.peer_benchmark`
and :func:`cei_metrics.viz.need_readiness`, computed here so that results'
``plot_data()`` never needs the drawing layer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import SchemaError
from ..schemas import C
from ..schemas import numeric_columns as numeric
from ._cols import ESTIMATE as EST
from ._cols import (
    HIGHLIGHT,
    LABEL,
    N_PEERS,
    NEED,
    NEED_MEDIAN,
    PERCENTILE,
    READINESS,
    READINESS_MEDIAN,
    STATE,
    Y,
)
from ._cols import PEER_MEDIAN as MED
from ._cols import PEER_Q25 as Q25
from ._cols import PEER_Q75 as Q75

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["need_readiness_data", "peer_benchmark_data"]


def require(df: pd.DataFrame, cols: Iterable[str], *, kind: str) -> pd.DataFrame:
    """Raise :class:`SchemaError` naming the first missing column and the fix."""
    cols = list(cols)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{kind} input lacks column(s) {missing}",
            column=missing[0],
            fix=f"{kind} needs the columns {cols}; it got {list(df.columns)}",
        )
    if df.empty:
        raise SchemaError(f"{kind} input has no rows", fix="check the filters that built it")
    return df


def _table(obj: Any, kind: str) -> pd.DataFrame:
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        return obj
    t = getattr(obj, "table", None)
    if isinstance(t, pd.DataFrame):
        return t
    raise SchemaError(f"{kind} needs a result of cei_metrics.compare or its to_frame(), got "
                      f"{type(obj).__name__}", fix="pass the result or its table")  # fmt: skip


def peer_benchmark_data(bench: Any, *, label_col: str | None = None) -> pd.DataFrame:
    """What :func:`peer_benchmark` draws: one row per LEA, first at the top.

    Columns ``label`` (the LEA's name, else its code), ``estimate`` (its value),
    ``peer_q25``, ``peer_median``, ``peer_q75`` (the band and its middle), ``state``,
    ``percentile``, ``peers_used`` and ``y`` (vertical position).
    """
    d = require(_table(bench, "peer_benchmark"), [C.TERM, EST, Q25, MED, Q75],
                kind="peer_benchmark")  # fmt: skip
    d = numeric(d, [EST, Q25, MED, Q75], kind="peer_benchmark")
    if label_col is None:
        names = d[C.NAME] if C.NAME in d.columns else None
        lab = d[C.TERM].astype(str)
        if names is not None:
            lab = names.where(names.astype(str).str.len() > 0, lab).astype(str)
    else:
        lab = d[label_col].astype(str)
    out = d[[EST, Q25, MED, Q75]].copy()
    out.insert(0, LABEL, lab.to_numpy())
    for c in (STATE, PERCENTILE, N_PEERS):
        out[c] = d[c].to_numpy(dtype=float) if c in d.columns else float("nan")
    out = out.reset_index(drop=True)
    out[Y] = (len(out) - 1 - out.index).astype(float)
    return out


def need_readiness_data(
    selection: Any,
    *,
    lea_type: str | None = "district",
    highlight: Sequence[str] = (),
) -> pd.DataFrame:
    """What :func:`need_readiness` draws: one point per LEA of ``lea_type`` (None: every
    type) with both indices: ``cds``, ``label`` (name or code), ``lea_type``, ``need``,
    ``readiness``, ``highlight`` (in ``highlight``), and the type's medians
    ``need_median`` and ``readiness_median`` (the quadrant lines)."""
    t = require(_table(selection, "need_readiness"), [C.CDS, C.LEA_TYPE, NEED, READINESS],
                kind="need_readiness")  # fmt: skip
    if lea_type is not None:
        t = t[t[C.LEA_TYPE] == lea_type]
    t = t.dropna(subset=[NEED, READINESS])
    if t.empty:
        raise SchemaError(f"need_readiness: no LEA of type {lea_type!r} has both indices",
                          column=C.LEA_TYPE, fix="pick another lea_type or check the inputs")  # fmt: skip
    lab = t[C.CDS].astype(str)
    if C.NAME in t.columns:
        nm = t[C.NAME].astype(str)
        lab = nm.where(t[C.NAME].notna() & (nm.str.len() > 0) & (nm != "None"), lab)
    out = t[[C.CDS, C.LEA_TYPE, NEED, READINESS]].copy()
    out.insert(1, LABEL, lab.to_numpy())
    out[HIGHLIGHT] = out[C.CDS].isin(list(highlight)).to_numpy()
    out[NEED_MEDIAN] = out.groupby(C.LEA_TYPE)[NEED].transform("median")
    out[READINESS_MEDIAN] = out.groupby(C.LEA_TYPE)[READINESS].transform("median")
    return out.reset_index(drop=True)
