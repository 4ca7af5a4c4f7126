"""Figures draw released data: the helpers every plotting function shares.

A ``*_data`` function ends with :func:`released`, which passes its frame through
:func:`cei_metrics.privacy.release` (within the table; the run's ledger is applied again
when the figure is saved). The plotting function draws that frame, keeps it on the figure
(``fig._cei_released``) so that :func:`cei_metrics.viz.save` can check it wrote the same,
and marks each suppressed cell with an empty marker labelled "n<11".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..privacy._rules import FLAG, SUPPRESSED_LABEL
from ._theme import GREY

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["attach", "mark_suppressed", "released"]


def released(
    frame: pd.DataFrame,
    *,
    kind: str,
    min_cell: int,
    keys: Sequence[str],
    n_col: str | None = "n",
    by: str | Sequence[str] | None = None,
    cells: Mapping[str, Sequence[str]] | None = None,
    parts: Mapping[str, str] | None = None,
    share_cols: Sequence[str] | None = None,
) -> pd.DataFrame:
    """``frame`` released on its own (no ledger); unchanged when it counts nobody."""
    from ..privacy._rules import is_count_column
    from ..privacy.ledger import release

    if not any(is_count_column(c) for c in frame.columns):
        return frame
    out = release(
        frame,
        name=kind,
        keys=[k for k in keys if k in frame.columns],
        n_col=n_col if n_col in frame.columns else None,
        by=by,
        cells=cells,
        parts=parts,
        share_cols=share_cols,
        min_cell=min_cell,
        ledger=False,
    )
    out.attrs = {}
    return out


def attach(fig: Any, frame: pd.DataFrame) -> None:
    """Keep on the figure the released frame it was drawn from."""
    fig._cei_released = frame


def mark_suppressed(ax: Any, xs: Sequence[float], ys: Sequence[float], *, gid: str) -> None:
    """An empty marker labelled "n<11" at each suppressed cell's position."""
    if len(xs) == 0:
        return
    ax.scatter(xs, ys, s=28, facecolors="none", edgecolors=GREY, linewidths=1.0, zorder=5, gid=gid)
    for x, y in zip(xs, ys):
        ax.annotate(
            SUPPRESSED_LABEL,
            (x, y),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=8,
            color=GREY,
            va="center",
            gid=f"{gid}-label",
        )


def flag(frame: pd.DataFrame):
    """Boolean array: which rows are suppressed (all False without the flag column)."""
    import numpy as np

    if FLAG not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[FLAG].fillna(False).to_numpy(dtype=bool)
