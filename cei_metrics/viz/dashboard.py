"""California School Dashboard five-by-five grids: status x change -> colour.

The Dashboard rates a state indicator by its *status* (current-year rate) and *change*
(current minus prior year, in percentage points), each cut into five levels, and reads
the colour off a five-by-five grid. For chronic absenteeism and suspension lower is
better, so the grid is "reversed" (Very Low status and Declined Significantly are best).

The cut scores and grids below were transcribed from the California Department of
Education's published five-by-five placement reports (``www6.cde.ca.gov/californiamodel/
grid?...``) for the years named in :data:`DASHBOARD_GRIDS`; each entry carries its
source. Years, indicators and district types not in the table raise
:class:`~cei_metrics.errors.SchemaError`; pass ``grid=`` with a :class:`DashboardGrid`
built from the Dashboard Technical Guide of that year to use another.

Rates and changes are rounded to one decimal (half up) before they are compared with the
cut scores, as the Dashboard does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import SchemaError
from ..privacy import DASHBOARD_MIN
from ..schemas import C
from ._theme import BLACK, FULL_WIDTH, drawn, new_axes, numeric, require, themed

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DASHBOARD_COLORS",
    "DASHBOARD_GRIDS",
    "DashboardGrid",
    "dashboard_grid",
    "dashboard_grid_data",
    "dashboard_levels",
    "get_grid",
]

#: Status levels, best (top row) to worst for a lower-is-better indicator.
STATUS_LEVELS = ("Very Low", "Low", "Medium", "High", "Very High")
#: Change levels in the order of the CDE grid's columns.
CHANGE_LEVELS = (
    "Increased Significantly",
    "Increased",
    "Maintained",
    "Declined",
    "Declined Significantly",
)
#: Fill colours of the performance levels (Gray: a cell the Dashboard leaves uncoloured).
DASHBOARD_COLORS = {
    "Red": "#C8102E",
    "Orange": "#F28C28",
    "Yellow": "#F6D32D",
    "Green": "#2E9E44",
    "Blue": "#1F5FAD",
    "Gray": "#BFBFBF",
}


@dataclass(frozen=True)
class DashboardGrid:
    """One five-by-five grid of a lower-is-better Dashboard indicator.

    Attributes
    ----------
    indicator : ``"chronic_absenteeism"`` or ``"suspension"``.
    year : Dashboard release year (the 2018 Dashboard reports 2017-18 data).
    entity : ``"all"`` or the district/school type the cut scores apply to.
    status_cuts : upper bounds (inclusive, percent) of Very Low, Low, Medium, High.
    change_cuts : ``(ds, d, i, is_)``: change <= ds is Declined Significantly, <= d
        Declined, < i Maintained, <= is_ Increased, above is_ Increased Significantly.
    colors : 5 x 5 colour names, rows :data:`STATUS_LEVELS`, columns :data:`CHANGE_LEVELS`.
    source : where the cut scores and colours were read.
    """

    indicator: str
    year: int
    entity: str
    status_cuts: tuple[float, float, float, float]
    change_cuts: tuple[float, float, float, float]
    colors: tuple[tuple[str, ...], ...]
    source: str

    def __post_init__(self) -> None:
        if list(self.status_cuts) != sorted(self.status_cuts) or list(self.change_cuts) != sorted(
            self.change_cuts
        ):
            raise SchemaError(
                "Dashboard cut scores must increase",
                fix="give status_cuts and change_cuts in increasing order",
            )
        if len(self.colors) != 5 or any(len(r) != 5 for r in self.colors):
            raise SchemaError("a Dashboard grid is 5 x 5 colours", fix="give five rows of five")
        bad = {c for r in self.colors for c in r} - set(DASHBOARD_COLORS)
        if bad:
            raise SchemaError(
                f"unknown Dashboard colour(s) {sorted(bad)}", fix=f"use {list(DASHBOARD_COLORS)}"
            )

    def status_labels(self) -> list[str]:
        """Row labels with their ranges, as the CDE grid prints them."""
        a, b, c, d = self.status_cuts
        return [
            f"Very Low\n{a:.1f}% or less",
            f"Low\n>{a:.1f}% to {b:.1f}%",
            f"Medium\n>{b:.1f}% to {c:.1f}%",
            f"High\n>{c:.1f}% to {d:.1f}%",
            f"Very High\n>{d:.1f}%",
        ]

    def change_labels(self) -> list[str]:
        ds, d, i, is_ = self.change_cuts
        return [
            f"Increased\nSignificantly\n>{is_:.1f}",
            f"Increased\n{i:.1f} to {is_:.1f}",
            f"Maintained\n<{i:.1f} either way",
            f"Declined\n{-d:.1f} to <{-ds:.1f}",
            f"Declined\nSignificantly\n{-ds:.1f} or more",
        ]


_CHRONIC_COLORS = (
    ("Yellow", "Green", "Blue", "Blue", "Blue"),
    ("Orange", "Yellow", "Green", "Green", "Blue"),
    ("Orange", "Orange", "Yellow", "Green", "Green"),
    ("Red", "Orange", "Orange", "Yellow", "Yellow"),
    ("Red", "Red", "Red", "Orange", "Yellow"),
)
_SUSP_COLORS = (
    ("Gray", "Green", "Blue", "Blue", "Blue"),
    ("Orange", "Yellow", "Green", "Green", "Blue"),
    ("Orange", "Orange", "Yellow", "Green", "Green"),
    ("Red", "Orange", "Orange", "Yellow", "Yellow"),
    ("Red", "Red", "Red", "Orange", "Yellow"),
)
_SUSP_ES_COLORS = (
    ("Gray", "Green", "Blue", "Blue", "Blue"),
    ("Gray", "Yellow", "Green", "Green", "Blue"),
    ("Orange", "Orange", "Yellow", "Green", "Green"),
    ("Red", "Orange", "Orange", "Yellow", "Yellow"),
    ("Red", "Red", "Red", "Orange", "Yellow"),
)
_CDE_GRID = "https://www6.cde.ca.gov/californiamodel/grid?indicator={ind}&year={year}&cdcode=&scode={scode}&reporttype=sgroups"


def _grids() -> dict[tuple[str, int, str], DashboardGrid]:
    chronic = dict(
        indicator="chronic_absenteeism",
        entity="all",
        status_cuts=(2.5, 5.0, 10.0, 20.0),
        change_cuts=(-3.0, -0.5, 0.5, 3.0),
        colors=_CHRONIC_COLORS,
    )
    unified = dict(
        indicator="suspension",
        entity="unified",
        status_cuts=(1.0, 2.5, 4.5, 8.0),
        change_cuts=(-2.0, -0.3, 0.3, 2.0),
        colors=_SUSP_COLORS,
    )
    es = dict(
        indicator="suspension",
        entity="elementary_school",
        status_cuts=(0.5, 1.0, 3.0, 6.0),
        change_cuts=(-1.0, -0.3, 0.3, 2.0),
        colors=_SUSP_ES_COLORS,
    )
    out = [
        DashboardGrid(
            year=2018,
            source="CDE, 2018 Dashboard, Chronic Absenteeism Indicator student-group "
            "five-by-five placement, " + _CDE_GRID.format(ind="chron", year=2018, scode=6100325),
            **chronic,
        ),
        DashboardGrid(
            year=2018,
            source="CDE, 2018 Dashboard, Suspension Rate (Unified) five-by-five placement, "
            + _CDE_GRID.format(ind="susp", year=2018, scode=6069371),
            **unified,
        ),
        DashboardGrid(
            year=2023,
            source="CDE, 2023 Dashboard, Suspension Rate (Unified) state-level report "
            "(www6.cde.ca.gov/californiamodel/report?cdcode=0000000&indicator=susp&year=2023): "
            "the 2018 unified cut scores reproduce the status level, change level and colour "
            "of all 14 student groups reported there",
            **unified,
        ),
        DashboardGrid(
            year=2017,
            source="CDE, Fall 2017 Dashboard, Suspension Rate (Elementary School) five-by-five "
            "placement, " + _CDE_GRID.format(ind="susp", year="2017f", scode=6054613),
            **es,
        ),
        DashboardGrid(
            year=2019,
            source="CDE, 2019 Dashboard, Suspension Rate (Elementary School) five-by-five "
            "placement, " + _CDE_GRID.format(ind="susp", year=2019, scode=6058945),
            **es,
        ),
    ]
    return {(g.indicator, g.year, g.entity): g for g in out}


#: The grids this package ships, keyed by (indicator, Dashboard year, entity type).
DASHBOARD_GRIDS: dict[tuple[str, int, str], DashboardGrid] = _grids()


def _dashboard_year(year: int | str) -> int:
    if isinstance(year, str) and "-" in year:
        from ..schemas import year_start

        return year_start(year) + 1
    try:
        return int(year)
    except (TypeError, ValueError):
        raise SchemaError(
            f"{year!r} is not a Dashboard year",
            column=C.YEAR,
            fix='give the Dashboard release year (2018) or the school year of the data ("2017-18")',
        ) from None


def get_grid(
    indicator: str = "chronic_absenteeism",
    year: int | str = 2018,
    district_type: str | None = None,
) -> DashboardGrid:
    """The shipped grid of an indicator, Dashboard year and district/school type.

    ``year`` is the Dashboard release year or the school year of the data (``"2017-18"``
    is the 2018 Dashboard). Chronic absenteeism uses one grid for every type; suspension
    cut scores differ by type (``"unified"``, ``"elementary_school"`` ...).

    Raises
    ------
    SchemaError for a combination not in :data:`DASHBOARD_GRIDS`, listing those that are.
    """
    y = _dashboard_year(year)
    entity = "all" if indicator == "chronic_absenteeism" else (district_type or "")
    key = (indicator, y, entity)
    if key not in DASHBOARD_GRIDS:
        have = sorted(f"{k[0]} {k[1]} {k[2]}" for k in DASHBOARD_GRIDS)
        raise SchemaError(
            f"no Dashboard grid shipped for {indicator} in {y}"
            + (f" ({entity})" if entity and entity != "all" else ""),
            column=C.DISTRICT_TYPE if indicator == "suspension" else C.YEAR,
            fix=f"shipped grids: {have}. For another year or type, build a DashboardGrid "
            "from that year's Dashboard Technical Guide and pass grid=",
        )
    return DASHBOARD_GRIDS[key]


def _round1(x):
    import numpy as np

    x = np.asarray(x, dtype=float)
    return np.sign(x) * np.floor(np.abs(np.round(x, 9)) * 10 + 0.5) / 10


def dashboard_levels(status, change, grid: DashboardGrid):
    """Vectorised status level, change level and colour for arrays of rates and changes.

    Returns
    -------
    (status_index, change_index, colour) arrays; index -1 and colour "" where missing.
    """
    import numpy as np

    s = _round1(status)
    c = _round1(change)
    si = np.searchsorted(np.asarray(grid.status_cuts), s, side="left")
    ds, d, i, is_ = grid.change_cuts
    ci = np.select([c <= ds, c <= d, c < i, c <= is_], [4, 3, 2, 1], default=0)
    ok = np.isfinite(s) & np.isfinite(c)
    si = np.where(ok, si, -1)
    ci = np.where(ok, ci, -1)
    colors = np.array(grid.colors, dtype=object)
    col = np.where(ok, colors[np.clip(si, 0, 4), np.clip(ci, 0, 4)], "")
    return si, ci, col


def dashboard_grid_data(
    df: pd.DataFrame,
    *,
    indicator: str = "chronic_absenteeism",
    year: int | str = 2018,
    district_type: str | None = None,
    label_col: str = "label",
    status_col: str = "status",
    change_col: str = C.CHANGE,
    n_col: str = "n",
    min_n: int = DASHBOARD_MIN,
    grid: DashboardGrid | None = None,
) -> pd.DataFrame:
    """What :func:`dashboard_grid` draws: each unit's status, change, levels and colour.

    Parameters
    ----------
    df : one row per district (or group) with ``label``, ``status`` (current rate, %),
        ``change`` (current minus prior rate, points) and optionally ``n`` (students).
    indicator, year, district_type : pick the shipped grid (see :func:`get_grid`).
    min_n : units with ``n`` below this (default :data:`DASHBOARD_MIN` = 30, the
        Dashboard's own rule) get no colour and are not placed on the grid.
    grid : a :class:`DashboardGrid` to use instead of the shipped table.

    Returns
    -------
    DataFrame ``label, status, change, status_level, change_level, color, r, c, x, y,
    placed`` (+ ``n``); ``r``/``c`` the grid cell (row = status level, column = change
    level), ``x``/``y`` the marker position inside it; ``placed`` False for units not drawn.
    """
    import numpy as np
    import pandas as pd

    kind = "dashboard_grid"
    g = grid or get_grid(indicator, year, district_type)
    d = require(df, [label_col, status_col, change_col], kind=kind)
    d = numeric(d, [status_col, change_col], kind=kind)
    bad = d[status_col].notna() & ~d[status_col].between(0, 100)
    if bad.any():
        raise SchemaError(
            f"{kind}: status outside 0-100",
            row=int(bad.to_numpy().nonzero()[0][0]) + 1,
            column=status_col,
            fix="give rates in percent (multiply proportions by 100)",
        )
    si, ci, col = dashboard_levels(d[status_col], d[change_col], g)
    out = pd.DataFrame(
        {
            "label": d[label_col].astype(str).to_numpy(),
            "status": d[status_col].to_numpy(),
            C.CHANGE: d[change_col].to_numpy(),
            C.STATUS_LEVEL: [STATUS_LEVELS[i] if i >= 0 else "" for i in si],
            C.CHANGE_LEVEL: [CHANGE_LEVELS[i] if i >= 0 else "" for i in ci],
            C.COLOR: col,
            "r": si,
            "c": ci,
        }
    )
    placed = si >= 0
    if n_col in d.columns:
        nn = pd.to_numeric(d[n_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        out[n_col] = nn
        small = ~(nn >= min_n)
        out.loc[small, C.COLOR] = ""
        placed &= ~small
    out["placed"] = placed
    # spread markers of units sharing a cell on a small lattice inside it
    x = np.full(len(out), np.nan)
    y = np.full(len(out), np.nan)
    for (_r, _c), idx in out[placed].groupby(["r", "c"]).groups.items():
        k = len(idx)
        cols = int(np.ceil(np.sqrt(k)))
        rows = int(np.ceil(k / cols))
        j = np.arange(k)
        x[idx] = _c + (j % cols + 1) / (cols + 1)
        y[idx] = _r + (j // cols + 1) / (rows + 1)
    out["x"], out["y"] = x, y
    return out


def dashboard_grid(
    df: pd.DataFrame,
    *,
    ax: Axes | None = None,
    indicator: str = "chronic_absenteeism",
    year: int | str = 2018,
    district_type: str | None = None,
    label_col: str = "label",
    status_col: str = "status",
    change_col: str = C.CHANGE,
    n_col: str = "n",
    min_n: int = DASHBOARD_MIN,
    grid: DashboardGrid | None = None,
    annotate: bool = True,
    title: str | None = None,
) -> tuple[Figure, Axes]:
    """California School Dashboard-style status x change grid with each unit placed in
    its cell.

    The 25 cells carry the Dashboard colour of the year's grid and its name (so the grid
    reads without colour); rows are status levels with their cut scores, columns change
    levels. Units are numbered markers listed under the grid. Draws exactly
    :func:`dashboard_grid_data` (the placed rows).

    References
    ----------
    California Department of Education, California School Dashboard Technical Guide
    and five-by-five placement reports (sources per grid in :data:`DASHBOARD_GRIDS`).
    """
    import numpy as np
    from matplotlib.colors import ListedColormap

    g = grid or get_grid(indicator, year, district_type)
    d = dashboard_grid_data(
        df,
        indicator=indicator,
        year=year,
        district_type=district_type,
        label_col=label_col,
        status_col=status_col,
        change_col=change_col,
        n_col=n_col,
        min_n=min_n,
        grid=g,
    )
    names = list(DASHBOARD_COLORS)
    codes = np.array([[names.index(c) for c in row] for row in g.colors], dtype=float)
    cmap = ListedColormap([DASHBOARD_COLORS[n] for n in names])
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, FULL_WIDTH * 0.9)
        mesh = ax.pcolormesh(
            codes, cmap=cmap, vmin=-0.5, vmax=len(names) - 0.5, edgecolors="white", linewidth=2
        )
        mesh.set_gid("dashboard-mesh")
        for (r, c), v in np.ndenumerate(codes):
            name = names[int(v)]
            ax.text(
                c + 0.04,
                r + 0.06,
                name if name != "Gray" else "n/a",
                ha="left",
                va="top",
                fontsize=8,
                color="white" if name in ("Red", "Blue", "Green") else BLACK,
            )
        p = d[d["placed"]]
        ax.scatter(
            p["x"],
            p["y"],
            s=110,
            facecolor="white",
            edgecolor=BLACK,
            linewidth=0.8,
            zorder=3,
            gid="dashboard-units",
        )
        for k, (_, row) in enumerate(p.iterrows(), start=1):
            ax.text(row["x"], row["y"], str(k), ha="center", va="center", fontsize=8, zorder=4)
        ax.set_xlim(0, 5)
        ax.set_ylim(5, 0)
        ax.set_xticks(np.arange(5) + 0.5, g.change_labels(), fontsize=8)
        ax.set_yticks(np.arange(5) + 0.5, g.status_labels(), fontsize=8)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        ax.set_ylabel("Status (current-year rate)")
        if annotate:
            keys = [f"{k}  {lab}" for k, lab in enumerate(p["label"], start=1)]
            ncol = 1 if len(keys) <= 4 else 3
            per = -(-len(keys) // ncol) if keys else 0
            for j in range(ncol):
                chunk = keys[j * per : (j + 1) * per]
                if chunk:
                    ax.annotate(
                        "\n".join(chunk),
                        xy=(j / ncol, -0.1),
                        xycoords="axes fraction",
                        va="top",
                        ha="left",
                        fontsize=8,
                        annotation_clip=False,
                    )
            dropped = d.loc[~d["placed"], "label"].tolist()
            if dropped:
                ax.annotate(
                    _wrap_names(f"Not rated (fewer than {min_n} students or missing): ", dropped),
                    xy=(0, -0.1 - 0.045 * (per + 0.5)),
                    xycoords="axes fraction",
                    va="top",
                    ha="left",
                    fontsize=8,
                    annotation_clip=False,
                )
        ttl = title or (
            f"{g.indicator.replace('_', ' ').capitalize()}: Dashboard {g.year} grid"
            + ("" if g.entity == "all" else f" ({g.entity.replace('_', ' ')})")
        )
        ax.set_title(ttl + "\nChange from prior year (percentage points)", pad=8, fontsize=9)
    return drawn(fig, ax)


def _wrap_names(head: str, names: list[str]) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(head + ", ".join(names), 90))
