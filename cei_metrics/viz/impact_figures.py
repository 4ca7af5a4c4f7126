"""Figures of impact results that have no figure kind in :mod:`.figures`: synthetic
trajectories, interrupted time series segments and the Goodman-Bacon scatter.

Like every figure function they take a tidy frame (a result's ``plot_data()``) and
``ax=None``, return ``(fig, ax)``, and draw inside the house theme as a context (no
global style change).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..schemas import C
from ._theme import BLACK, BLUE, FULL_HEIGHT, FULL_WIDTH, GREY, VERMILLION, drawn, new_axes, themed

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["bacon_scatter", "its_segments", "synth_paths"]

#: comparison types of the Goodman-Bacon decomposition -> marker
_BACON_MARKERS = {
    "Treated vs Untreated": "o",
    "Earlier vs Later Treated": "^",
    "Later vs Earlier Treated": "s",
    "Later vs Always Treated": "D",
}


def synth_paths(
    data: pd.DataFrame,
    *,
    start: Any = None,
    ylabel: str = "",
    ax: Axes | None = None,
    title: str | None = None,
) -> tuple[Figure, Axes]:
    """The treated unit (or treated mean) and its synthetic comparison over time.

    ``data``: ``time`` and one column per line (``treated``, ``synthetic``), as
    :meth:`SynthResult.plot_data` / :meth:`SDIDResult.plot_data` give them; a dashed
    line marks ``start``."""
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, FULL_HEIGHT * 0.85)
        colours = {C.TREATED: BLACK, C.SYNTHETIC_PATH: BLUE}
        for col in data.columns:
            if col == C.TIME:
                continue
            ax.plot(
                data[C.TIME],
                data[col],
                label=str(col),
                color=colours.get(col),
                linestyle="--" if col == C.SYNTHETIC_PATH else "-",
                gid=f"path-{col}",
            )
        if start is not None:
            ax.axvline(start, color=VERMILLION, linestyle=":", linewidth=1, label="start")
        ax.set_xlabel("Time")
        ax.set_ylabel(ylabel)
        ax.legend(loc="best")
        if title:
            ax.set_title(title)
    return drawn(fig, ax)


def its_segments(
    data: pd.DataFrame,
    *,
    start: Any,
    ylabel: str = "",
    comparative: bool | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> tuple[Figure, Axes]:
    """Interrupted time series: observed points, the fitted segments before and after
    the start, and the counterfactual (dashed); a comparison series in grey.

    ``data`` as :meth:`ITSResult.plot_data`: ``group`` ("series" | "treated" |
    "comparison"), ``time``, ``label``, ``observed``, ``post``, ``fitted``,
    ``counterfactual``."""
    series, treated, comparison = "series", "treated", "comparison"
    if comparative is None:
        comparative = (data[C.GROUP] == comparison).any()
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, FULL_HEIGHT)
        for grp, g in data.groupby(C.GROUP, sort=False):
            main = grp != comparison
            colour = BLUE if main else GREY
            name = {series: "observed", treated: "treated", comparison: "comparison"}[grp]
            ax.plot(
                g[C.TIME],
                g[C.OBSERVED],
                "o",
                color=colour,
                label=name,
                markerfacecolor=colour if main else "white",
                zorder=3,
            )
            pre, post = g[~g[C.POST]], g[g[C.POST]]
            ax.plot(pre[C.TIME], pre[C.FITTED], "-", color=colour, linewidth=1.6)
            ax.plot(
                post[C.TIME],
                post[C.FITTED],
                "-",
                color=colour,
                linewidth=1.6,
                label=f"fitted ({name})" if comparative else "fitted",
            )
            if g[C.COUNTERFACTUAL].notna().any():
                ax.plot(
                    post[C.TIME],
                    post[C.COUNTERFACTUAL],
                    "--",
                    color=BLACK,
                    linewidth=1.2,
                    label="counterfactual",
                )
        ax.axvline(start - 0.5, color=GREY, linestyle=":", linewidth=1)
        ticks = data.drop_duplicates(C.TIME)
        if any(isinstance(v, str) for v in ticks[C.LABEL]):
            ax.set_xticks(ticks[C.TIME], [str(v) for v in ticks[C.LABEL]], rotation=45)
        ax.set_xlabel("period")
        ax.set_ylabel(ylabel)
        ax.legend(frameon=False)
        if title:
            ax.set_title(title)
    return drawn(fig, ax)


def bacon_scatter(
    data: pd.DataFrame,
    *,
    twfe: float | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> tuple[Figure, Axes]:
    """Goodman-Bacon decomposition: each 2x2 DiD estimate against its weight, by
    comparison type, with the TWFE coefficient (their weighted mean) as a dashed line.

    ``data`` as :meth:`BaconResult.plot_data`: ``type``, ``weight``, ``estimate``."""
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, FULL_HEIGHT)
        for kind, s in data.groupby(C.TYPE, sort=True):
            ax.scatter(
                s[C.WEIGHT_SHARE],
                s[C.ESTIMATE],
                marker=_BACON_MARKERS.get(kind, "o"),
                label=kind,
                gid=f"bacon-{kind}",
            )
        if twfe is not None:
            ax.axhline(twfe, color=BLACK, linewidth=0.8, linestyle="--", label="TWFE")
        ax.set_xlabel("weight")
        ax.set_ylabel("2x2 DiD estimate")
        ax.legend(frameon=False, fontsize="small")
        if title:
            ax.set_title(title)
    return drawn(fig, ax)
