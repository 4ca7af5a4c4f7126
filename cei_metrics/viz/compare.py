"""Figures of comparisons: an LEA against its peers (dot in band), and need by readiness.

Each ``kind(data, *, ax=None, ...)`` returns ``(fig, ax)`` and draws exactly the rows of
its ``kind_data`` twin, as in :mod:`cei_metrics.viz.figures`. Both take the result object
of :mod:`cei_metrics.compare` or its ``to_frame()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._theme import (
    BLACK,
    BLUE,
    FULL_HEIGHT,
    FULL_WIDTH,
    GREY,
    LIGHT_GREY,
    SKY,
    VERMILLION,
    drawn,
    new_axes,
    themed,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from ..compare.plotdata import (
    EST,
    HIGHLIGHT,
    LABEL,
    MED,
    Q25,
    Q75,
    STATE,
    Y,
    need_readiness_data,
    peer_benchmark_data,
)

__all__ = ["need_readiness", "need_readiness_data", "peer_benchmark", "peer_benchmark_data"]


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
    return drawn(fig, ax)


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
    return drawn(fig, ax)
