"""Drawing for synthetic-control results: treated vs synthetic trajectories and gaps.

Kept apart from the estimators so that they never import matplotlib; result ``.plot()``
methods call in here lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _axes(ax: Axes | None) -> tuple[Figure, Axes]:
    import matplotlib.pyplot as plt

    try:  # house theme when the viz layer provides one
        from .. import viz

        theme = getattr(viz, "set_theme", None)
        if callable(theme):
            theme()
    except Exception:  # pragma: no cover - theme is a nicety, never a failure
        pass
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 3.5))
    else:
        fig = ax.figure
    return fig, ax


def trajectories(
    data: pd.DataFrame, *, start: object, ylabel: str, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Lines of every column but ``time`` against ``time``, with the start marked."""
    fig, ax = _axes(ax)
    for col in data.columns:
        if col == "time":
            continue
        ax.plot(data["time"], data[col], label=str(col))
    ax.axvline(start, color="0.5", linestyle="--", linewidth=1)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    return fig, ax


def gaps(
    data: pd.DataFrame, *, start: object, highlight: object, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Gap lines per unit (columns unit, time, gap), the treated unit highlighted."""
    fig, ax = _axes(ax)
    for u, g in data.groupby("unit", sort=False):
        main = u == highlight
        ax.plot(
            g["time"],
            g["gap"],
            color="black" if main else "0.75",
            linewidth=2 if main else 0.8,
            zorder=3 if main else 1,
            label=str(u) if main else None,
        )
    ax.axhline(0, color="0.4", linewidth=0.8)
    ax.axvline(start, color="0.5", linestyle="--", linewidth=1)
    ax.set_ylabel("gap (treated - synthetic)")
    ax.legend(frameon=False)
    return fig, ax
