"""Figures of comparisons: an LEA against its peers (dot in band), and need by readiness.

Each ``kind(data, *, ax=None, ...)`` returns ``(fig, ax)`` and draws exactly the rows of
its ``kind_data`` twin, as in :mod:`cei_metrics.viz.figures`. Both take the result object
of :mod:`cei_metrics.compare` or its ``to_frame()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import SchemaError
from ..schemas import C
from ._theme import (
    BLACK,
    BLUE,
    FULL_HEIGHT,
    FULL_WIDTH,
    GREY,
    LIGHT_GREY,
    SKY,
    VERMILLION,
    new_axes,
    numeric,
    require,
    themed,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["need_readiness", "need_readiness_data", "peer_benchmark", "peer_benchmark_data"]

LABEL, Y, EST = "label", "y", "estimate"
Q25, MED, Q75, STATE = "peer_q25", "peer_median", "peer_q75", "state"
HIGHLIGHT = "highlight"


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
    d = require(_table(bench, "peer_benchmark"), ["term", EST, Q25, MED, Q75],
                kind="peer_benchmark")  # fmt: skip
    d = numeric(d, [EST, Q25, MED, Q75], kind="peer_benchmark")
    if label_col is None:
        names = d[C.NAME] if C.NAME in d.columns else None
        lab = d["term"].astype(str)
        if names is not None:
            lab = names.where(names.astype(str).str.len() > 0, lab).astype(str)
    else:
        lab = d[label_col].astype(str)
    out = d[[EST, Q25, MED, Q75]].copy()
    out.insert(0, LABEL, lab.to_numpy())
    for c in (STATE, "percentile", "peers_used"):
        out[c] = d[c].to_numpy(dtype=float) if c in d.columns else float("nan")
    out = out.reset_index(drop=True)
    out[Y] = (len(out) - 1 - out.index).astype(float)
    return out


def peer_benchmark(
    bench: Any,
    *,
    ax: Axes | None = None,
    xlabel: str | None = None,
    title: str | None = None,
    state_label: str = "state",
) -> tuple[Figure, Axes]:
    """Dot in band: each LEA's value (dot) over its peers' interquartile range (band),
    the peers' median (tick) and the state value (dashed line).

    Draws exactly :func:`peer_benchmark_data`. ``xlabel`` defaults to the result's label;
    ``state_label`` names the reference line (e.g. "mean of all districts" where the state
    publishes no value).

    Examples
    --------
    >>> fig, ax = cm.viz.peer_benchmark(cm.compare.benchmark(values, plln, peers))  # doctest: +SKIP
    """
    d = peer_benchmark_data(bench)
    label = xlabel or getattr(bench, "label", None) or "value"
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, max(1.8, 0.42 * len(d) + 1.3))
        ax.barh(d[Y], d[Q75] - d[Q25], left=d[Q25], height=0.5, color=SKY, alpha=0.45,
                edgecolor="none", label="peers' middle half (IQR)", gid="peer-band")  # fmt: skip
        ax.scatter(d[MED], d[Y], marker="|", s=220, color=BLUE, linewidths=2,
                   label="peers' median", gid="peer-median", zorder=3)  # fmt: skip
        ax.scatter(d[EST], d[Y], marker="o", s=42, color=VERMILLION, edgecolor=BLACK,
                   linewidths=0.6, label="this LEA", gid="lea-value", zorder=4)  # fmt: skip
        states = d[STATE].dropna().unique()
        if len(states) == 1:
            ax.axvline(states[0], color=GREY, linestyle="--", linewidth=1,
                       label=state_label, gid="state-line")  # fmt: skip
        elif len(states) > 1:
            ax.scatter(d[STATE], d[Y], marker="x", color=GREY, label=state_label, gid="state-line")
        ax.set_yticks(d[Y], d[LABEL])
        ax.set_xlabel(label)
        ax.grid(axis="x", color=LIGHT_GREY)
        ax.set_ylim(-0.7, len(d) - 0.3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
        if title:
            ax.set_title(title)
    return fig, ax


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
    t = require(_table(selection, "need_readiness"), [C.CDS, C.LEA_TYPE, "need", "readiness"],
                kind="need_readiness")  # fmt: skip
    if lea_type is not None:
        t = t[t[C.LEA_TYPE] == lea_type]
    t = t.dropna(subset=["need", "readiness"])
    if t.empty:
        raise SchemaError(f"need_readiness: no LEA of type {lea_type!r} has both indices",
                          column=C.LEA_TYPE, fix="pick another lea_type or check the inputs")  # fmt: skip
    lab = t[C.CDS].astype(str)
    if C.NAME in t.columns:
        nm = t[C.NAME].astype(str)
        lab = nm.where(t[C.NAME].notna() & (nm.str.len() > 0) & (nm != "None"), lab)
    out = t[[C.CDS, C.LEA_TYPE, "need", "readiness"]].copy()
    out.insert(1, LABEL, lab.to_numpy())
    out[HIGHLIGHT] = out[C.CDS].isin(list(highlight)).to_numpy()
    out["need_median"] = out.groupby(C.LEA_TYPE)["need"].transform("median")
    out["readiness_median"] = out.groupby(C.LEA_TYPE)["readiness"].transform("median")
    return out.reset_index(drop=True)


def need_readiness(
    selection: Any,
    *,
    ax: Axes | None = None,
    lea_type: str | None = "district",
    highlight: Sequence[str] = (),
    label_highlighted: bool = True,
    title: str | None = None,
) -> tuple[Figure, Axes]:
    """Need (x) by readiness (y): every LEA of a type as a grey dot, the highlighted ones
    in colour and labelled, the type's medians as dashed lines (the four quadrants).

    Two axes on purpose: the figure never combines them into one score. Draws exactly
    :func:`need_readiness_data`.
    """
    d = need_readiness_data(selection, lea_type=lea_type, highlight=highlight)
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, FULL_HEIGHT + 0.5)
        base = d[~d[HIGHLIGHT]]
        ax.scatter(base["need"], base["readiness"], s=9, color=GREY, alpha=0.55, linewidths=0,
                   label=f"LEAs ({lea_type or 'all types'})", gid="leas", rasterized=True)  # fmt: skip
        hi = d[d[HIGHLIGHT]]
        if len(hi):
            ax.scatter(hi["need"], hi["readiness"], s=46, color=VERMILLION, edgecolor=BLACK,
                       linewidths=0.6, label="highlighted", gid="highlighted", zorder=3)  # fmt: skip
            if label_highlighted:
                for r in hi.itertuples(index=False):
                    ax.annotate(str(r.label), (r.need, r.readiness), xytext=(4, 3),
                                textcoords="offset points", fontsize=8)  # fmt: skip
        if lea_type is not None:
            ax.axvline(d["need_median"].iloc[0], color=BLUE, linestyle="--", linewidth=0.9,
                       gid="need-median")  # fmt: skip
            ax.axhline(d["readiness_median"].iloc[0], color=BLUE, linestyle="--",
                       linewidth=0.9, gid="readiness-median")  # fmt: skip
        ax.set_xlabel("Need index (within-type SD; right = more need)")
        ax.set_ylabel("Readiness index (within-type SD; up = more ready)")
        ax.grid(color=LIGHT_GREY)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False)
        if title:
            ax.set_title(title)
    return fig, ax
