"""Coverage heatmap: how many people (or rows) each row x column cell holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._theme import FULL_WIDTH, drawn, new_axes, numeric, ordered_levels, require, themed

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["coverage_heatmap", "coverage_heatmap_data"]


def coverage_heatmap_data(
    df: pd.DataFrame, *, row: str, col: str, value: str = "n", min_cell: int = 11
) -> pd.DataFrame:
    """What :func:`coverage_heatmap` draws: one cell per ``row`` x ``col`` value.

    Parameters
    ----------
    df : a coverage table (e.g. from :func:`cei_metrics.io.coverage`) with the ``row``,
        ``col`` and ``value`` columns.
    min_cell : cells whose value is below this are suppressed (drawn blank): the value
        counts people.

    Returns
    -------
    DataFrame ``row, col, n, suppressed, r, c``: the released cells
    (:func:`cei_metrics.privacy.release`, complementary within each column, so a
    column total minus the drawn cells never gives back a suppressed one; ``n`` blank
    where suppressed).
    """
    from ._released import released

    kind = "coverage_heatmap"
    d = numeric(require(df, [row, col, value], kind=kind), [value], kind=kind)
    g = d.groupby([row, col], sort=False)[value].sum(min_count=1).reset_index()
    g.columns = ["row", "col", "n"]
    rows, cols = ordered_levels(g["row"]), ordered_levels(g["col"])
    g["r"] = g["row"].map({v: i for i, v in enumerate(rows)}).astype(int)
    g["c"] = g["col"].map({v: i for i, v in enumerate(cols)}).astype(int)
    g = g.sort_values(["r", "c"]).reset_index(drop=True)
    return released(g, kind=kind, min_cell=min_cell, keys=["row", "col", "r", "c"], by="col")


def coverage_heatmap(
    df: pd.DataFrame,
    *,
    row: str,
    col: str,
    value: str = "n",
    min_cell: int = 11,
    ax: Axes | None = None,
    title: str | None = None,
    value_label: str = "respondents",
) -> tuple[Figure, Axes]:
    """Heatmap of counts by ``row`` x ``col`` (e.g. respondents by district and wave).

    Draws exactly :func:`coverage_heatmap_data`; suppressed and absent cells are blank.
    """
    import numpy as np

    from ..privacy._rules import SUPPRESSED_LABEL
    from ._released import attach

    d = coverage_heatmap_data(df, row=row, col=col, value=value, min_cell=min_cell)
    nr, nc = int(d["r"].max()) + 1, int(d["c"].max()) + 1
    grid = np.full((nr, nc), np.nan)
    grid[d["r"].to_numpy(), d["c"].to_numpy()] = d["n"].to_numpy(dtype=float, na_value=np.nan)
    rows = d.drop_duplicates("r").sort_values("r")["row"].tolist()
    cols = d.drop_duplicates("c").sort_values("c")["col"].tolist()
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, min(9.0, max(2.5, 0.12 * nr + 1.5)))
        mesh = ax.pcolormesh(np.ma.masked_invalid(grid), cmap="viridis", edgecolors="none")
        mesh.set_gid("coverage-mesh")
        ax.set_xticks(np.arange(nc) + 0.5, [str(c) for c in cols])
        step = max(1, nr // 40)
        ax.set_yticks(np.arange(0, nr, step) + 0.5, [str(r) for r in rows[::step]])
        ax.invert_yaxis()
        ax.set_xlabel(col)
        ax.set_ylabel(row)
        ax.tick_params(axis="y", labelsize=6)
        cb = fig.colorbar(mesh, ax=ax, shrink=0.8)
        cb.set_label(value_label)
        ax.set_title(title or f"{value_label.capitalize()} by {row} and {col}")
        sup = d[d["suppressed"]]
        if len(sup):
            ax.scatter(
                sup["c"] + 0.5,
                sup["r"] + 0.5,
                s=6,
                facecolors="none",
                edgecolors="#999999",
                linewidths=0.5,
                gid="coverage-suppressed",
            )
            ax.text(
                1.0,
                -0.06,
                f"empty circles: {SUPPRESSED_LABEL}",
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=7,
                color="#666666",
            )
    attach(fig, d)
    return drawn(fig, ax)
