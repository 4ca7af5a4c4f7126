"""The house theme: one palette, one font, report-page sizes; and small shared helpers.

Figures are built on :class:`matplotlib.figure.Figure` with the Agg canvas, never through
``pyplot``: the library opens no window, registers no global figure and never calls
``plt.show()``. The theme is applied inside each plotting function (an rc context), so
figures look the same whether or not :func:`set_theme` was called.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import SchemaError
from ..schemas import numeric_columns as numeric  # noqa: F401  (the figure modules import it here)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "BLUE",
    "FONT_SIZE",
    "FULL_HEIGHT",
    "FULL_WIDTH",
    "GREY",
    "HALF_HEIGHT",
    "HALF_WIDTH",
    "OKABE_ITO",
    "TALL_HEIGHT",
    "VERMILLION",
    "set_theme",
    "theme_rc",
]

#: Page sizes in inches (US Letter with 1-inch margins: 6.5 in of text width).
FULL_WIDTH = 6.5
HALF_WIDTH = 3.2
FULL_HEIGHT = 4.0
HALF_HEIGHT = 2.6
TALL_HEIGHT = 8.0
#: Base font size in points; nothing on a figure is drawn below 8 pt.
FONT_SIZE = 9.0

#: Okabe & Ito (2008) colour-blind-safe palette, in its published order.
OKABE_ITO = (
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
)
BLACK, ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = OKABE_ITO
GREY = "#999999"
LIGHT_GREY = "#DDDDDD"
#: Cycle used for lines and points (black first is kept for the treated/main series).
CYCLE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK)


def theme_rc() -> dict[str, Any]:
    """The matplotlib rc settings of the house theme."""
    from cycler import cycler

    return {
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],
        "font.size": FONT_SIZE,
        "axes.titlesize": FONT_SIZE + 1,
        "axes.labelsize": FONT_SIZE,
        "xtick.labelsize": 8.0,
        "ytick.labelsize": 8.0,
        "legend.fontsize": 8.0,
        "legend.title_fontsize": 8.0,
        "figure.titlesize": FONT_SIZE + 2,
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "axes.edgecolor": "#333333",
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": False,
        "grid.color": LIGHT_GREY,
        "grid.linewidth": 0.6,
        "axes.prop_cycle": cycler(color=list(CYCLE)),
        "lines.linewidth": 1.6,
        "lines.markersize": 5.0,
        "figure.figsize": (FULL_WIDTH, FULL_HEIGHT),
        "figure.dpi": 100,
        "savefig.dpi": 300,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "none",
        "image.cmap": "viridis",
        "legend.frameon": False,
    }


def set_theme() -> None:
    """Apply the house theme to matplotlib globally (for a user's own figures).

    Colour-blind-safe Okabe-Ito cycle, DejaVu Sans at 9 pt (8 pt ticks and legends),
    white background, 300 dpi when saving, figures 6.5 x 4 inches by default. The
    package's own figure functions apply the same theme whether or not this was called.

    Examples
    --------
    >>> cm.viz.set_theme()
    """
    import matplotlib as mpl

    mpl.rcParams.update(theme_rc())


@contextmanager
def themed() -> Iterator[None]:
    import matplotlib as mpl

    with mpl.rc_context(theme_rc()):
        yield


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (house theme, white background, no software stamp)."""
    import io

    buf = io.BytesIO()
    with themed():
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buf.getvalue()


class Drawn(tuple):
    """What a figure function returns: the ``(fig, ax)`` pair, unpacked as usual, which
    a notebook displays as the figure itself (never as a printed tuple)."""

    __slots__ = ()

    @property
    def fig(self) -> Figure:
        return self[0]

    @property
    def ax(self) -> Any:
        return self[1]

    def _repr_png_(self) -> bytes:
        return png_bytes(self[0])

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        return {"image/png": png_bytes(self[0]), "text/plain": "<figure>"}


def drawn(fig: Figure, ax: Any) -> Drawn:
    """``(fig, ax)`` as a :class:`Drawn` pair."""
    return Drawn((fig, ax))


def new_axes(
    ax: Axes | None, width: float | None = None, height: float | None = None
) -> tuple[Figure, Axes]:
    """``ax``'s figure, or a new Agg-backed figure of the given size with one axes."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(
        figsize=(width or FULL_WIDTH, height or FULL_HEIGHT),
        layout="constrained",
        facecolor="white",
    )
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def new_grid(nrows: int, ncols: int, width: float, height: float, **kw):
    """A new Agg-backed figure holding an ``nrows x ncols`` grid of axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained", facecolor="white")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def require(
    df: pd.DataFrame, cols: Iterable[str], *, kind: str, what: str = "input"
) -> pd.DataFrame:
    """Raise :class:`SchemaError` naming the first missing column and the fix."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise SchemaError(
            f"{kind} needs a DataFrame as its {what}, got {type(df).__name__}",
            fix="pass a tidy DataFrame (a result's .to_frame() gives one)",
        )
    cols = list(cols)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{kind} {what} lacks column(s) {missing}",
            column=missing[0],
            fix=f"{kind} needs the columns {cols}; it got {list(df.columns)}. Rename "
            "yours or pass the *_col= options to name them",
        )
    if df.empty:
        raise SchemaError(
            f"{kind} {what} has no rows", fix="check the filters that built the table"
        )
    return df


def ordered_levels(values: pd.Series) -> list:
    """Distinct values in a sensible order: sorted when sortable, else first-seen."""
    uniq = list(dict.fromkeys(values.tolist()))
    try:
        return sorted(uniq)
    except TypeError:
        return uniq
