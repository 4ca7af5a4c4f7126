"""One function per figure kind, each with a ``*_data`` twin returning exactly what it draws.

Every ``kind(input, *, ax=None, ...)`` returns ``(fig, ax)`` and draws the rows of
``kind_data(input, ...)``; tests compare the drawn artists with that frame. Inputs are
tidy frames with the house columns ``estimate, std_error, ci_low, ci_high, n`` where they
apply; a missing column raises :class:`~cei_metrics.errors.SchemaError` naming it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import SchemaError
from ..privacy._rules import MIN_CELL
from ..schemas import P3_LEVELS, C
from ._released import attach, flag, mark_suppressed, released
from ._theme import (
    BLACK,
    BLUE,
    FULL_HEIGHT,
    FULL_WIDTH,
    GREEN,
    GREY,
    LIGHT_GREY,
    ORANGE,
    SKY,
    VERMILLION,
    YELLOW,
    drawn,
    new_axes,
    new_grid,
    numeric,
    ordered_levels,
    require,
    themed,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "event_study",
    "event_study_data",
    "forest",
    "forest_data",
    "likert_bars",
    "likert_bars_data",
    "p3_heatmap",
    "p3_heatmap_data",
    "parity_dots",
    "parity_dots_data",
    "retention_curve",
    "retention_curve_data",
    "scale_trends",
    "scale_trends_data",
    "scorecard_heatmap",
    "scorecard_heatmap_data",
    "synth_gap",
    "synth_gap_data",
]

# house result columns (results, not canonical tables)
EST, SE, LO, HI, N = "estimate", "std_error", "ci_low", "ci_high", "n"
LABEL, SHARE, LEFT, Y, X = "label", "share", "left", "y", "x"
RESPONSE, COUNT = "response", "count"
BAND_LO, BAND_HI = "band_low", "band_high"
EVENT_TIME, TIME, GAP, UNIT, ROLE = "event_time", "time", "gap", "unit", "role"
SESSION, GROUP = "session", "group"
METRIC, CRITERION, VERDICT, CODE, ROW, COL = "metric", "criterion", "verdict", "code", "row", "col"

#: Note printed on every Priority 3 heatmap.
P3_NOTE = "Cell values are means of 1-5 self-ratings: a cei_metrics summary, not a state score."


def _frame(obj: Any, kind: str) -> pd.DataFrame:
    """A DataFrame from a frame or a result object (``plot_data()`` or ``to_frame()``)."""
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        return obj
    for attr in ("plot_data", "to_frame"):
        f = getattr(obj, attr, None)
        if callable(f):
            out = f()
            if isinstance(out, pd.DataFrame):
                return out
    raise SchemaError(
        f"{kind} needs a DataFrame or a result with .to_frame(), got {type(obj).__name__}",
        fix="pass a tidy DataFrame",
    )


def _ci_err(d: pd.DataFrame):
    import numpy as np

    lo = (d[EST] - d[LO]).to_numpy(dtype=float)
    hi = (d[HI] - d[EST]).to_numpy(dtype=float)
    if np.any(lo < -1e-9) or np.any(hi < -1e-9):
        bad = int(np.flatnonzero((lo < -1e-9) | (hi < -1e-9))[0])
        raise SchemaError(
            "the estimate lies outside its confidence interval",
            row=bad + 1,
            column=EST,
            fix="check that ci_low <= estimate <= ci_high (columns swapped?)",
        )
    return np.nan_to_num(np.vstack([np.clip(lo, 0, None), np.clip(hi, 0, None)]))


def _ci_frame(df: pd.DataFrame, key: str, kind: str, extra: Sequence[str] = ()) -> pd.DataFrame:
    df = require(_frame(df, kind), [key, EST, LO, HI, *extra], kind=kind)
    out = numeric(df, [EST, LO, HI], kind=kind)
    if out[[EST, LO, HI]].isna().all(axis=None) and not (
        N in out.columns and (out[N].fillna(MIN_CELL) < MIN_CELL).any()
    ):
        raise SchemaError(
            f"{kind}: every estimate is missing",
            column=EST,
            fix="check the analysis (or the suppression) that built the table",
        )
    return out


# ------------------------------------------------------------------------ likert bars


#: columns a dot-and-interval figure keeps from its input so that release can check the
#: counts they hide (a ratio's numerator count, the group's share of the row's n)
HIDDEN_COUNTS = (COUNT, "group_share")


def _rows_top_down(
    df: pd.DataFrame, label_col: str, kind: str, min_cell: int = MIN_CELL
) -> pd.DataFrame:
    """``label, estimate, ci_low, ci_high`` (+ ``n`` and the counts behind the estimate) in
    input order, with ``y`` placing the first row at the top (dot-and-interval figures);
    released (rows resting on fewer than ``min_cell`` people blanked)."""
    d = _ci_frame(df, label_col, kind)
    extra = [c for c in (N, *HIDDEN_COUNTS) if c in d.columns]
    cols = [label_col, EST, LO, HI, *extra]
    out = d[cols].rename(columns={label_col: LABEL}).reset_index(drop=True)
    out[Y] = (len(out) - 1 - out.index).astype(float)
    return released(out, kind=kind, min_cell=min_cell, keys=[LABEL, Y])


def _likert_labels(
    instrument: Any, labels: Mapping[int, str] | None, language: str
) -> tuple[dict[int, str], int | None]:
    if labels is not None:
        lab = {int(k): str(v) for k, v in labels.items()}
        return lab, max(lab)
    if instrument is None:
        return {}, None
    if isinstance(instrument, str):
        from ..instruments import load_instrument

        instrument = load_instrument(instrument)
    lang = language if language in instrument.response_labels else instrument.languages[0]
    return dict(instrument.response_labels[lang]), int(instrument.points)


def likert_bars_data(
    summary: pd.DataFrame,
    *,
    item_col: str = C.ITEM,
    response_col: str = RESPONSE,
    count_col: str = COUNT,
    share_col: str = SHARE,
    instrument: Any = None,
    labels: Mapping[int, str] | None = None,
    language: str = "en",
    points: int | None = None,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    r"""What :func:`likert_bars` draws: each response's share and the left edge of its bar.

    For ``k`` response codes with neutral code :math:`m = (k+1)/2` (``k`` odd), the bars
    of an item start at :math:`-(\sum_{c<m} p_c + p_m/2)`, so the neutral bar is centred
    on zero, disagreement extends left and agreement right. With ``k`` even the split is
    between codes ``k/2`` and ``k/2 + 1``.

    Parameters
    ----------
    summary : one row per item x response code with ``item``, ``response`` (integer code)
        and ``count`` (people) or ``share`` (proportion or percent; renormalised per item).
    instrument : an instrument name or object whose ``response_labels`` name the codes.
    labels : ``{code: label}``, overriding the instrument's.
    points : number of response codes (default: the instrument's, else the largest code).

    min_cell : with counts, the frame is released
        (:func:`cei_metrics.privacy.release`, complementary within each item): a
        suppressed category has ``share`` and ``left`` blank and ``suppressed`` True, and
        the bars of the other categories are laid out from released shares only, so no
        bar's position or width gives back a suppressed count.

    Returns
    -------
    DataFrame ``item, response, label, share, left, y`` and, when counts were given,
    ``count`` (the cell), ``n`` (the item total) and ``suppressed``; one row per item x
    code, codes absent from the data at share 0. Export it with ``by="item"``.
    """
    import numpy as np
    import pandas as pd

    kind = "likert_bars"
    df = _frame(summary, kind)
    use_count = count_col in df.columns
    need = [item_col, response_col, count_col if use_count else share_col]
    df = require(df, need, kind=kind)
    df = numeric(df, [response_col, need[-1]], kind=kind)
    if df[response_col].isna().any() or (df[response_col] % 1 != 0).any():
        raise SchemaError(
            f"{kind}: response codes must be whole numbers",
            column=response_col,
            fix="map text labels to codes first (Instrument.code)",
        )
    if (df[need[-1]] < 0).any():
        raise SchemaError(
            f"{kind}: negative count or share", column=need[-1], fix="counts are >= 0"
        )
    lab, inst_points = _likert_labels(instrument, labels, language)
    k = int(points or inst_points or df[response_col].max())
    codes = np.arange(1, k + 1)
    if not df[response_col].isin(codes).all():
        raise SchemaError(
            f"{kind}: response codes outside 1..{k}",
            column=response_col,
            fix="drop missing-value codes before plotting, or pass points=",
        )
    items = list(dict.fromkeys(df[item_col].tolist()))
    wide = (
        df.groupby([item_col, response_col], sort=False)[need[-1]]
        .sum()
        .unstack(response_col)
        .reindex(index=items, columns=codes)
        .fillna(0.0)
    )
    tot = wide.sum(axis=1).to_numpy()
    if np.any(tot <= 0):
        raise SchemaError(
            f"{kind}: an item has no responses",
            column=need[-1],
            fix="drop items with no responses before plotting",
        )
    p = wide.to_numpy() / tot[:, None]
    if k % 2:
        m = (k + 1) // 2
        neg = p[:, : m - 1].sum(axis=1) + p[:, m - 1] / 2
    else:
        neg = p[:, : k // 2].sum(axis=1)
    left = -neg[:, None] + np.hstack([np.zeros((len(items), 1)), np.cumsum(p, axis=1)[:, :-1]])
    n_items = len(items)
    out = pd.DataFrame(
        {
            item_col: np.repeat(items, k),
            RESPONSE: np.tile(codes, n_items),
            LABEL: [lab.get(int(c), str(int(c))) for c in np.tile(codes, n_items)],
            SHARE: p.ravel(),
            LEFT: left.ravel(),
            Y: np.repeat(np.arange(n_items)[::-1], k).astype(float),
        }
    )
    if use_count:
        out[COUNT] = wide.to_numpy().ravel()
        out[N] = np.repeat(tot, k)
        out = released(
            out,
            kind=kind,
            min_cell=min_cell,
            keys=[item_col, RESPONSE, LABEL, Y],
            n_col=N,
            by=item_col,
            cells={N: [item_col]},
            parts={COUNT: N},
            share_cols=[SHARE],
        )
        out[LEFT] = _likert_left(out[SHARE].to_numpy(dtype=float), len(items), k)
    return out


def _likert_left(share, n_items: int, k: int):
    """Left edges of the bars from released shares (a blank share takes no room)."""
    import numpy as np

    p = np.nan_to_num(share.reshape(n_items, k))
    if k % 2:
        m = (k + 1) // 2
        neg = p[:, : m - 1].sum(axis=1) + p[:, m - 1] / 2
    else:
        neg = p[:, : k // 2].sum(axis=1)
    left = -neg[:, None] + np.hstack([np.zeros((n_items, 1)), np.cumsum(p, axis=1)[:, :-1]])
    left = left.ravel()
    left[np.isnan(share)] = np.nan
    return left


def _likert_colors(k: int) -> list:
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list(
        "cei_diverging", [VERMILLION, ORANGE, "#F4F4F4", SKY, BLUE]
    )
    cols = [cmap(x) for x in ([0.5] if k == 1 else [i / (k - 1) for i in range(k)])]
    if k % 2:
        cols[k // 2] = LIGHT_GREY
    return cols


def likert_bars(
    summary: pd.DataFrame,
    *,
    ax: Axes | None = None,
    item_col: str = C.ITEM,
    response_col: str = RESPONSE,
    count_col: str = COUNT,
    share_col: str = SHARE,
    instrument: Any = None,
    labels: Mapping[int, str] | None = None,
    language: str = "en",
    points: int | None = None,
    item_labels: Mapping[str, str] | None = None,
    title: str | None = None,
    min_cell: int = MIN_CELL,
) -> tuple[Figure, Axes]:
    """Diverging stacked bars of Likert items, the neutral response centred on zero.

    One horizontal bar per item; one colour per response code (colour-blind-safe
    vermillion-grey-blue); the x axis reads the share of respondents on each side.
    Draws exactly :func:`likert_bars_data`. Parameters as there, plus ``ax``,
    ``item_labels`` (``{item: text}`` for the y axis) and ``title``. A suppressed
    category is not drawn; an empty marker labelled "n<11" at the end of its item's bar
    says a category was suppressed.

    Examples
    --------
    >>> fig, ax = cm.viz.likert_bars(tab, instrument="family_engagement")
    """
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    d = likert_bars_data(
        summary,
        item_col=item_col,
        response_col=response_col,
        count_col=count_col,
        share_col=share_col,
        instrument=instrument,
        labels=labels,
        language=language,
        points=points,
        min_cell=min_cell,
    )
    codes = list(dict.fromkeys(d[RESPONSE].tolist()))
    colors = _likert_colors(len(codes))
    items = list(dict.fromkeys(d[item_col].tolist()))
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, max(2.0, 0.35 * len(items) + 1.4))
        shown = d[d[SHARE].notna()]
        for code, col in zip(codes, colors):
            s = shown[shown[RESPONSE] == code]
            ax.barh(
                s[Y],
                s[SHARE],
                left=s[LEFT],
                height=0.7,
                color=col,
                edgecolor="white",
                linewidth=0.5,
                label=d.loc[d[RESPONSE] == code, LABEL].iloc[0],
                gid=f"likert-{code}",
            )
        sup = d[flag(d)]
        if len(sup):
            ends = (shown[LEFT] + shown[SHARE]).groupby(shown[item_col]).max()
            items_sup = sup.drop_duplicates(item_col)
            xs = [float(ends.get(i, 0.0)) + 0.015 for i in items_sup[item_col]]
            mark_suppressed(ax, xs, items_sup[Y].tolist(), gid="likert-suppressed")
        ax.axvline(0, color=BLACK, linewidth=0.8)
        ax.set_yticks(range(len(items))[::-1], [(item_labels or {}).get(i, i) for i in items])
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0%}"))
        ax.set_xlabel("Share of respondents (disagree left, agree right)")
        lo = min(-0.05, float(np.nan_to_num(shown[LEFT].min())))
        hi = max(0.05, float(np.nan_to_num((shown[LEFT] + shown[SHARE]).max())))
        ax.set_xlim(lo - 0.02, hi + (0.12 if len(sup) else 0.02))
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.18),
            ncol=min(len(codes), 3),
            fontsize=8,
        )
        if title:
            ax.set_title(title)
    attach(fig, d)
    return drawn(fig, ax)


# ----------------------------------------------------------------------- scale trends


def scale_trends_data(
    df: pd.DataFrame, *, label_col: str = LABEL, time_col: str = C.YEAR, min_cell: int = MIN_CELL
) -> pd.DataFrame:
    """What :func:`scale_trends` draws: one row per label x time.

    Parameters
    ----------
    df : ``label`` (district or group), ``year`` (or wave; any sortable value),
        ``estimate, ci_low, ci_high`` (and optionally ``n``).

    Returns
    -------
    DataFrame ``label, time, x, estimate, ci_low, ci_high`` (plus ``n`` and
    ``suppressed``) sorted by label and time, ``x`` the time's position on the shared
    axis; released: a point resting on fewer than ``min_cell`` people is blank.
    """
    kind = "scale_trends"
    d = _ci_frame(df, label_col, kind, extra=[time_col])
    times = ordered_levels(d[time_col])
    pos = {t: i for i, t in enumerate(times)}
    cols = [label_col, time_col, EST, LO, HI] + ([N] if N in d.columns else [])
    out = d[cols].rename(columns={label_col: LABEL, time_col: TIME}).copy()
    out.insert(2, X, out[TIME].map(pos).astype(float))
    labels = list(dict.fromkeys(out[LABEL].tolist()))
    out["_o"] = out[LABEL].map({v: i for i, v in enumerate(labels)})
    out = out.sort_values(["_o", X]).drop(columns="_o").reset_index(drop=True)
    return released(out, kind=kind, min_cell=min_cell, keys=[LABEL, TIME, X])


def scale_trends(
    df: pd.DataFrame,
    *,
    ax: Axes | Any | None = None,
    label_col: str = LABEL,
    time_col: str = C.YEAR,
    ncols: int = 3,
    ylabel: str = "Scale score",
    title: str | None = None,
    min_cell: int = MIN_CELL,
) -> tuple[Figure, Any]:
    """Scale-score trends with confidence intervals, one small panel per district.

    With ``ax=None`` a grid of panels (shared axes) is made and ``(fig, axes)`` returned,
    ``axes`` a 2-D array; with one ``ax`` every label is drawn on it in its own colour.
    Draws exactly :func:`scale_trends_data` (a line with markers through the estimates,
    error bars from ``ci_low`` to ``ci_high``); a suppressed point is an empty marker
    labelled "n<11" on the panel's lower edge.
    """
    import numpy as np

    d = scale_trends_data(df, label_col=label_col, time_col=time_col, min_cell=min_cell)
    labels = list(dict.fromkeys(d[LABEL].tolist()))
    times = list(dict.fromkeys(d.sort_values(X)[TIME].tolist()))
    with themed():
        if ax is None:
            nc = max(1, min(ncols, len(labels)))
            nr = math.ceil(len(labels) / nc)
            fig, axes = new_grid(nr, nc, FULL_WIDTH, 1.9 * nr + 0.6, sharex=True, sharey=True)
            flat = list(axes.ravel())
            for a in flat[len(labels) :]:
                a.set_visible(False)
            panels = dict(zip(labels, flat))
            ret = axes
            overlay = False
        elif isinstance(ax, np.ndarray):
            flat = list(ax.ravel())
            if len(flat) < len(labels):
                raise SchemaError(
                    f"scale_trends: {len(labels)} labels but only {len(flat)} axes given",
                    fix="pass at least one axes per label, one axes, or none",
                )
            fig = flat[0].figure
            panels = dict(zip(labels, flat))
            ret = ax
            overlay = False
        else:
            fig, ax = new_axes(ax)
            panels = dict.fromkeys(labels, ax)
            ret = ax
            overlay = True
        for i, lab in enumerate(labels):
            s = d[d[LABEL] == lab]
            a = panels[lab]
            color = BLUE if not overlay else None
            a.errorbar(
                s[X],
                s[EST],
                yerr=_ci_err(s),
                fmt="-o",
                color=color,
                capsize=2.5,
                markersize=4,
                label=str(lab),
                gid=f"trend-{i}",
            )
            sup = s[flag(s)]
            if len(sup):
                low = float(np.nanmin(d[LO])) if d[LO].notna().any() else 0.0
                mark_suppressed(a, sup[X].tolist(), [low] * len(sup), gid=f"trend-{i}-suppressed")
            if not overlay:
                a.set_title(str(lab), fontsize=9)
            a.set_xticks(range(len(times)), [str(t) for t in times])
            a.grid(axis="y")
        for a in set(panels.values()):
            for lab in a.get_xticklabels():
                lab.set_rotation(0 if len(times) <= 4 else 45)
        if overlay:
            ax.set_ylabel(ylabel)
            ax.legend(fontsize=8)
        else:
            fig.supylabel(ylabel, fontsize=9)
        if title:
            fig.suptitle(title)
    attach(fig, d)
    return drawn(fig, ret)


# ----------------------------------------------------------------------- parity dots


def parity_dots_data(
    df: pd.DataFrame, *, label_col: str = LABEL, min_cell: int = MIN_CELL
) -> pd.DataFrame:
    """What :func:`parity_dots` draws: ``label, estimate, ci_low, ci_high, y`` (+ ``n``).

    ``estimate`` is a representation ratio (share among participants / share among
    families); 1 is parity. Rows keep their input order, first at the top. Pass the
    indicator's whole frame: its ``count`` (group members among the ``n``) and
    ``group_share`` are kept so that release can blank a ratio that hides a small count
    (estimate x enrolment share x n).
    """
    return _rows_top_down(df, label_col, "parity_dots", min_cell)


def parity_dots(
    df: pd.DataFrame,
    *,
    ax: Axes | None = None,
    label_col: str = LABEL,
    reference: float = 1.0,
    log: bool | None = None,
    xlabel: str = "Representation ratio (1 = parity)",
    title: str | None = None,
    min_cell: int = MIN_CELL,
) -> tuple[Figure, Axes]:
    """Representation-parity dot plot: ratio and CI per group, a reference line at parity.

    ``log=None`` uses a log x axis when every bound is positive (ratios of 0.5 and 2 sit
    equally far from parity). Draws exactly :func:`parity_dots_data`.
    """
    d = parity_dots_data(df, label_col=label_col, min_cell=min_cell)
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, max(2.0, 0.32 * len(d) + 1.2))
        ax.axvline(reference, color=GREY, linestyle="--", linewidth=1, label="parity")
        ax.errorbar(d[EST], d[Y], xerr=_ci_err(d), fmt="o", color=BLUE, capsize=2.5, gid="parity")
        sup = d[flag(d)]
        mark_suppressed(ax, [reference] * len(sup), sup[Y].tolist(), gid="parity-suppressed")
        ax.set_yticks(d[Y], d[LABEL].astype(str))
        use_log = log if log is not None else bool((d[[LO, EST, HI]].dropna() > 0).all(axis=None))
        if use_log:
            from matplotlib.ticker import FuncFormatter

            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_xlabel(xlabel)
        ax.grid(axis="x")
        if title:
            ax.set_title(title)
    attach(fig, d)
    return drawn(fig, ax)


# --------------------------------------------------------------------- retention curve


def retention_curve_data(
    df: pd.DataFrame,
    *,
    session_col: str = SESSION,
    share_col: str = SHARE,
    group_col: str | None = None,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """What :func:`retention_curve` draws: ``group, session, share`` (+ ``n``, ``count``,
    ``suppressed``).

    ``share`` is a proportion in [0, 1]: the share still attending at session k, or
    attending at least k of n convenings. ``group`` is "All" without ``group_col``.
    Released: a point whose ``share x n`` (people still attending) or ``n - share x n``
    (people who left) is between 1 and ``min_cell - 1`` is blank.
    """
    kind = "retention_curve"
    need = [session_col, share_col] + ([group_col] if group_col else [])
    d = require(_frame(df, kind), need, kind=kind)
    d = numeric(d, [session_col, share_col], kind=kind)
    bad = (d[share_col] < 0) | (d[share_col] > 1)
    if bad.any():
        raise SchemaError(
            f"{kind}: share outside [0, 1]",
            row=int(bad.to_numpy().nonzero()[0][0]) + 1,
            column=share_col,
            fix="give proportions (divide percentages by 100)",
        )
    import pandas as pd

    out = pd.DataFrame(
        {
            GROUP: d[group_col].to_numpy() if group_col else "All",
            SESSION: d[session_col].to_numpy(),
            SHARE: d[share_col].to_numpy(),
        }
    )
    if N in d.columns:
        out[N] = d[N].to_numpy()
    if COUNT in d.columns:
        out[COUNT] = d[COUNT].to_numpy()
    if "n_sessions" in d.columns:
        out["n_sessions"] = d["n_sessions"].to_numpy()
    groups = list(dict.fromkeys(out[GROUP].tolist()))
    out["_o"] = out[GROUP].map({g: i for i, g in enumerate(groups)})
    out = out.sort_values(["_o", SESSION]).drop(columns="_o").reset_index(drop=True)
    keys = [GROUP, SESSION] + (["n_sessions"] if "n_sessions" in out.columns else [])
    return released(out, kind=kind, min_cell=min_cell, keys=keys, share_cols=[SHARE])


def retention_curve(
    df: pd.DataFrame,
    *,
    ax: Axes | None = None,
    session_col: str = SESSION,
    share_col: str = SHARE,
    group_col: str | None = None,
    xlabel: str = "Convening (k)",
    ylabel: str = "Share attending",
    title: str | None = None,
    min_cell: int = MIN_CELL,
) -> tuple[Figure, Axes]:
    """Retention across sessions: one line per group. Draws :func:`retention_curve_data`;
    a suppressed point is an empty marker labelled "n<11" on the x axis. The x axis runs
    from 1 to the series' number of sessions (``n_sessions`` when given, else the last
    session in the data)."""
    from matplotlib.ticker import PercentFormatter

    d = retention_curve_data(
        df, session_col=session_col, share_col=share_col, group_col=group_col, min_cell=min_cell
    )
    groups = list(dict.fromkeys(d[GROUP].tolist()))
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, FULL_HEIGHT * 0.8)
        for i, g in enumerate(groups):
            s = d[d[GROUP] == g]
            ax.plot(s[SESSION], s[SHARE], marker="o", label=str(g), gid=f"retention-{i}")
            sup = s[flag(s)]
            mark_suppressed(
                ax, sup[SESSION].tolist(), [0.02] * len(sup), gid=f"retention-{i}-suppressed"
            )
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        # the axis holds the sessions the series has: 1 .. n_sessions
        top = int(d["n_sessions"].max()) if "n_sessions" in d else int(d[SESSION].max())
        ax.set_xlim(0.5, top + 0.5)
        ax.set_xticks(range(1, top + 1))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(axis="y")
        if len(groups) > 1:
            ax.legend()
        if title:
            ax.set_title(title)
    attach(fig, d)
    return drawn(fig, ax)


# ------------------------------------------------------------------------ P3 heatmap


def _p3_sections() -> dict[str, str]:
    from ..instruments import load_instrument

    inst = load_instrument("priority3_self_reflection")
    return {i: inst.scale_labels[it.scale] for i, it in inst.items.items() if it.scale}


def p3_heatmap_data(
    ratings: pd.DataFrame,
    *,
    by: str = C.SECTION,
    year_col: str = C.YEAR,
    rating_col: str = C.RATING,
) -> pd.DataFrame:
    """What :func:`p3_heatmap` draws: mean Priority 3 self-rating per row x year.

    Parameters
    ----------
    ratings : the ``ratings`` table (or a subset): ``year``, ``rating`` (1-5) and the
        ``by`` column. With ``by="section"`` and no ``section`` column, items are mapped
        to the tool's three sections by the shipped instrument.
    by : ``"section"`` or ``"item"``.

    Returns
    -------
    DataFrame ``row, year, rating, rated, r, c``: ``rating`` is the mean of the
    ``rated`` 1-5 ratings in the cell (a package summary, not a state score), ``r``/``c`` the
    cell's position.
    """
    import pandas as pd

    kind = "p3_heatmap"
    d = _frame(ratings, kind)
    if by == C.SECTION and C.SECTION not in d.columns and C.ITEM in d.columns:
        sec = _p3_sections()
        d = d.assign(**{C.SECTION: d[C.ITEM].map(sec)})
        unknown = d[C.SECTION].isna()
        if unknown.any():
            raise SchemaError(
                f"{kind}: item {d.loc[unknown, C.ITEM].iloc[0]!r} is not a Priority 3 item",
                column=C.ITEM,
                fix="filter ratings to tool 'priority3_self_reflection' or pass by='item'",
            )
    d = require(d, [by, year_col, rating_col], kind=kind)
    d = numeric(d, [rating_col], kind=kind)
    bad = d[rating_col].notna() & ~d[rating_col].between(1, 5)
    if bad.any():
        raise SchemaError(
            f"{kind}: rating outside 1-5",
            row=int(bad.to_numpy().nonzero()[0][0]) + 1,
            column=rating_col,
            fix="Priority 3 ratings run 1 (Exploration) to 5 (Full Implementation and "
            "Sustainability); blank a missing rating",
        )
    g = d.groupby([by, year_col], sort=False)[rating_col].agg(["mean", "count"]).reset_index()
    g.columns = [ROW, C.YEAR, C.RATING, "rated"]
    rows = list(dict.fromkeys(g[ROW].tolist()))
    if by == C.SECTION:
        order = list(dict.fromkeys(_p3_sections().values()))
        rows = [r for r in order if r in rows] + [r for r in rows if r not in order]
    years = ordered_levels(g[C.YEAR])
    g["r"] = g[ROW].map({v: i for i, v in enumerate(rows)}).astype(int)
    g["c"] = g[C.YEAR].map({v: i for i, v in enumerate(years)}).astype(int)
    return pd.DataFrame(g.sort_values(["r", "c"]).reset_index(drop=True))


def p3_heatmap(
    ratings: pd.DataFrame,
    *,
    ax: Axes | None = None,
    by: str = C.SECTION,
    year_col: str = C.YEAR,
    rating_col: str = C.RATING,
    title: str | None = None,
) -> tuple[Figure, Axes]:
    """Priority 3 self-rating heatmap: rows (section or item) x year, CDE level labels on
    the colour bar, and a note that the cell mean is this package's summary.

    Draws exactly :func:`p3_heatmap_data` (``QuadMesh`` array = the ``rating`` column
    laid out by ``r, c``; empty cells are masked).
    """
    import numpy as np

    d = p3_heatmap_data(ratings, by=by, year_col=year_col, rating_col=rating_col)
    nr, nc = int(d["r"].max()) + 1, int(d["c"].max()) + 1
    grid = np.full((nr, nc), np.nan)
    grid[d["r"].to_numpy(), d["c"].to_numpy()] = d[C.RATING].to_numpy()
    rows = d.drop_duplicates("r").sort_values("r")[ROW].tolist()
    years = d.drop_duplicates("c").sort_values("c")[C.YEAR].tolist()
    vmin, vmax = p3_color_range(d[C.RATING])
    with themed():
        from matplotlib.colors import Normalize

        norm = Normalize(vmin=vmin, vmax=vmax)
        fig, ax = new_axes(ax, FULL_WIDTH, max(2.4, 0.45 * nr + 1.8))
        mesh = ax.pcolormesh(
            np.ma.masked_invalid(grid), cmap="cividis", norm=norm, edgecolors="white"
        )
        mesh.set_gid("p3-mesh")
        if nc <= 10:
            for (r, c), v in np.ndenumerate(grid):
                if np.isfinite(v):
                    ax.text(
                        c + 0.5,
                        r + 0.5,
                        f"{v:.2f}" if vmax - vmin < 0.6 else f"{v:.1f}",
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if norm(v) < 0.55 else "black",
                    )
        ax.set_xticks(np.arange(nc) + 0.5, [str(y) for y in years])
        if nc > 4:
            for lab in ax.get_xticklabels():
                lab.set_rotation(45)
                lab.set_ha("right")
        ax.set_yticks(np.arange(nr) + 0.5, [_wrap(str(r), 30) for r in rows])
        ax.invert_yaxis()
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        cb = fig.colorbar(mesh, ax=ax, fraction=0.05, pad=0.02)
        cb.set_label("mean self-rating (1-5)", fontsize=8)
        cb.ax.tick_params(labelsize=8)
        levels = [k for k in P3_LEVELS if vmin <= k <= vmax]
        note = P3_NOTE
        if levels:
            note += "\n" + "; ".join(f"{k} = {P3_LEVELS[k]}" for k in levels) + "."
        ax.set_title(title or "Priority 3 family-engagement self-ratings (mean of 1-5)", loc="left")
        ax.set_xlabel(note, fontsize=8, style="italic")
    attach(fig, d)
    return drawn(fig, ax)


def p3_color_range(values: Any, *, min_span: float = 0.5) -> tuple[float, float]:
    """Colour limits fitted to the ratings drawn: their range, widened to at least
    ``min_span`` points around its middle, within 1-5 (a flat grey never hides a
    difference of a tenth of a level; the cell labels give the values)."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return 1.0, 5.0
    lo, hi = float(v.min()), float(v.max())
    if hi - lo < min_span:
        mid = (lo + hi) / 2
        lo, hi = mid - min_span / 2, mid + min_span / 2
    lo, hi = max(1.0, lo), min(5.0, hi)
    if hi - lo < min_span:  # pinned at an end of the scale
        lo, hi = (1.0, 1.0 + min_span) if lo <= 1.0 else (5.0 - min_span, 5.0)
    return lo, hi


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


# ------------------------------------------------------------------ scorecard heatmap

#: Verdict order and colours of the metric scorecard.
VERDICTS = ("meets", "borderline", "fails", "not tested")
VERDICT_COLORS = (GREEN, YELLOW, VERMILLION, LIGHT_GREY)
VERDICT_MARKS = ("\u2713", "~", "\u2717", "\u2013")
_VERDICT_ALIASES = {
    "meets": 0,
    "meet": 0,
    "met": 0,
    "pass": 0,
    "passes": 0,
    "passed": 0,
    "yes": 0,
    "true": 0,
    "ok": 0,
    "borderline": 1,
    "partial": 1,
    "marginal": 1,
    "mixed": 1,
    "fails": 2,
    "fail": 2,
    "failed": 2,
    "no": 2,
    "false": 2,
    "not tested": 3,
    "not_tested": 3,
    "untested": 3,
    "na": 3,
    "n/a": 3,
    "": 3,
    "nan": 3,
    "none": 3,
}


def scorecard_heatmap_data(
    scorecard: pd.DataFrame,
    *,
    metric_col: str = METRIC,
    criterion_col: str = CRITERION,
    verdict_col: str = VERDICT,
    criteria: Sequence[str] | None = None,
) -> pd.DataFrame:
    """What :func:`scorecard_heatmap` draws: ``metric, criterion, verdict, code, r, c``.

    ``scorecard`` is long (``metric, criterion, verdict``) or wide (``metric`` and one
    column per criterion holding verdicts, as ``cm.psychometrics.scorecard`` returns;
    ``criteria=`` picks the columns). Verdicts are normalised to meets / borderline /
    fails / not tested (``code`` 0-3); missing means not tested.
    """
    import pandas as pd

    kind = "scorecard_heatmap"
    d = _frame(scorecard, kind)
    if verdict_col not in d.columns or criterion_col not in d.columns:
        d = require(d, [metric_col], kind=kind)
        crit = list(criteria) if criteria is not None else [c for c in d.columns if c != metric_col]
        d = require(d, crit, kind=kind)
        d = d.melt(id_vars=[metric_col], value_vars=crit, var_name=CRITERION, value_name=VERDICT)
        criterion_col, verdict_col = CRITERION, VERDICT
    d = require(d, [metric_col, criterion_col, verdict_col], kind=kind)
    raw = d[verdict_col]
    key = raw.map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v))
    key = key.str.strip().str.lower()
    code = key.map(_VERDICT_ALIASES)
    if code.isna().any():
        i = int(code.isna().to_numpy().nonzero()[0][0])
        raise SchemaError(
            f"{kind}: unknown verdict {raw.iloc[i]!r}",
            row=i + 1,
            column=verdict_col,
            fix=f"use one of {list(VERDICTS)} (blank = not tested)",
        )
    metrics = list(dict.fromkeys(d[metric_col].tolist()))
    crits = list(dict.fromkeys(d[criterion_col].tolist()))
    out = pd.DataFrame(
        {
            METRIC: d[metric_col].to_numpy(),
            CRITERION: d[criterion_col].to_numpy(),
            VERDICT: [VERDICTS[int(c)] for c in code],
            CODE: code.astype(int).to_numpy(),
        }
    )
    out["r"] = out[METRIC].map({m: i for i, m in enumerate(metrics)}).astype(int)
    out["c"] = out[CRITERION].map({m: i for i, m in enumerate(crits)}).astype(int)
    if out.duplicated(["r", "c"]).any():
        raise SchemaError(
            f"{kind}: a metric x criterion pair appears twice",
            column=criterion_col,
            fix="give one verdict per metric and criterion",
        )
    return out.sort_values(["r", "c"]).reset_index(drop=True)


def scorecard_heatmap(
    scorecard: pd.DataFrame,
    *,
    ax: Axes | None = None,
    metric_col: str = METRIC,
    criterion_col: str = CRITERION,
    verdict_col: str = VERDICT,
    criteria: Sequence[str] | None = None,
    title: str | None = None,
) -> tuple[Figure, Axes]:
    """Metric x criterion verdict grid (meets / borderline / fails / not tested), with a
    symbol in every cell so the grid reads without colour. Draws
    :func:`scorecard_heatmap_data` (``QuadMesh`` array = ``code``; cells absent from the
    data are masked)."""
    import numpy as np
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    d = scorecard_heatmap_data(
        scorecard,
        metric_col=metric_col,
        criterion_col=criterion_col,
        verdict_col=verdict_col,
        criteria=criteria,
    )
    nr, nc = int(d["r"].max()) + 1, int(d["c"].max()) + 1
    grid = np.full((nr, nc), np.nan)
    grid[d["r"].to_numpy(), d["c"].to_numpy()] = d[CODE].to_numpy()
    metrics = d.drop_duplicates("r").sort_values("r")[METRIC].tolist()
    crits = d.drop_duplicates("c").sort_values("c")[CRITERION].tolist()
    cmap = ListedColormap(list(VERDICT_COLORS))
    norm = BoundaryNorm([-0.5, 0.5, 1.5, 2.5, 3.5], cmap.N)
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, max(2.2, 0.32 * nr + 1.8))
        mesh = ax.pcolormesh(
            np.ma.masked_invalid(grid), cmap=cmap, norm=norm, edgecolors="white", linewidth=1
        )
        mesh.set_gid("scorecard-mesh")
        for (r, c), v in np.ndenumerate(grid):
            if np.isfinite(v):
                ax.text(c + 0.5, r + 0.5, VERDICT_MARKS[int(v)], ha="center", va="center")
        ax.set_xticks(np.arange(nc) + 0.5, [_wrap(str(c), 14) for c in crits], fontsize=8)
        ax.set_yticks(np.arange(nr) + 0.5, [str(m) for m in metrics], fontsize=8)
        ax.xaxis.tick_top()
        ax.invert_yaxis()
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        ax.legend(
            handles=[
                Patch(facecolor=col, label=f"{mark} {v}")
                for v, col, mark in zip(VERDICTS, VERDICT_COLORS, VERDICT_MARKS)
            ],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.02),
            ncol=4,
        )
        if title:
            ax.set_title(title, pad=24)
    return drawn(fig, ax)


# ------------------------------------------------------------------------ event study


def event_study_data(df: pd.DataFrame, *, time_col: str = EVENT_TIME) -> pd.DataFrame:
    """What :func:`event_study` draws: ``event_time, estimate, ci_low, ci_high`` and, when
    given, the uniform band ``band_low, band_high``; sorted by event time."""
    d = _ci_frame(df, time_col, "event_study")
    cols = [time_col, EST, LO, HI]
    if BAND_LO in d.columns and BAND_HI in d.columns:
        d = numeric(d, [BAND_LO, BAND_HI], kind="event_study")
        cols += [BAND_LO, BAND_HI]
    if N in d.columns:
        cols.append(N)
    d = numeric(d, [time_col], kind="event_study")
    return (
        d[cols]
        .rename(columns={time_col: EVENT_TIME})
        .sort_values(EVENT_TIME)
        .reset_index(drop=True)
    )


def event_study(
    df: pd.DataFrame,
    *,
    ax: Axes | None = None,
    time_col: str = EVENT_TIME,
    ylabel: str = "Effect estimate",
    title: str | None = None,
    ci_level: float = 0.95,
) -> tuple[Figure, Axes]:
    """Event-study plot: estimates with pointwise CIs (error bars) and, when given,
    uniform bands (shaded); a reference line at 0 and a dashed line just before e = 0.
    Both are labelled with their level in the legend ("95% pointwise CI", "95% uniform
    band, all event times"). Draws exactly :func:`event_study_data`."""
    d = event_study_data(df, time_col=time_col)
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, FULL_HEIGHT * 0.85)
        if BAND_LO in d.columns:
            ax.fill_between(
                d[EVENT_TIME],
                d[BAND_LO],
                d[BAND_HI],
                color=SKY,
                alpha=0.3,
                linewidth=0,
                label=f"{ci_level:.0%} uniform band (all event times at once)",
                gid="event-band",
            )
        ax.errorbar(
            d[EVENT_TIME],
            d[EST],
            yerr=_ci_err(d),
            fmt="o",
            color=BLUE,
            capsize=2.5,
            label=f"estimate and {ci_level:.0%} pointwise CI",
            gid="event-est",
        )
        ax.axhline(0, color=BLACK, linewidth=0.8)
        ax.axvline(-0.5, color=GREY, linestyle="--", linewidth=1)
        ax.set_xlabel("Years relative to joining the network (e)")
        ax.set_ylabel(ylabel)
        ax.set_xticks(sorted(d[EVENT_TIME].unique()))
        ax.legend(loc="best")
        if title:
            ax.set_title(title)
    attach(fig, d)
    return drawn(fig, ax)


# ------------------------------------------------------------------------ synth gap


def _synth_parts(gap: Any, placebos: Any):
    import pandas as pd

    start = None
    if isinstance(gap, (pd.Series, pd.DataFrame)) or not hasattr(gap, "gap"):
        return gap, placebos, start
    # a synthetic-control result object
    res = gap
    g = getattr(res, "gap", None)
    p = placebos if placebos is not None else getattr(res, "placebos", None)
    start = getattr(res, "start", None)
    if g is None:
        raise SchemaError(
            "synth_gap: the result has no .gap", fix="pass the gap series and placebos frame"
        )
    return g, p, start


def synth_gap_data(
    gap: Any,
    placebos: Any = None,
    *,
    time_col: str = TIME,
    gap_col: str = GAP,
    unit_col: str = UNIT,
    treated_label: str = "treated",
) -> pd.DataFrame:
    """What :func:`synth_gap` draws: ``unit, time, gap, role`` (role treated / placebo).

    Parameters
    ----------
    gap : treated-minus-synthetic gap: a Series indexed by time, a frame with ``time,
        gap``, or a synthetic-control result (``.gap``, ``.placebos``).
    placebos : in-space placebo gaps: long (``unit, time, gap``) or wide (index time,
        one column per unit).
    """
    import pandas as pd

    kind = "synth_gap"
    gap, placebos, _ = _synth_parts(gap, placebos)
    if isinstance(gap, pd.Series):
        g = pd.DataFrame({TIME: gap.index.to_numpy(), GAP: gap.to_numpy()})
    else:
        g = require(_frame(gap, kind), [time_col, gap_col], kind=kind, what="gap")
        g = g.rename(columns={time_col: TIME, gap_col: GAP})[[TIME, GAP]]
    g = numeric(g, [GAP], kind=kind)
    g.insert(0, UNIT, treated_label)
    g[ROLE] = "treated"
    parts = [g]
    if placebos is not None:
        p = _frame(placebos, kind) if not isinstance(placebos, pd.DataFrame) else placebos
        if unit_col in p.columns and gap_col in p.columns and time_col in p.columns:
            p = p.rename(columns={unit_col: UNIT, time_col: TIME, gap_col: GAP})[[UNIT, TIME, GAP]]
        else:
            p = p.rename_axis(TIME).reset_index().melt(id_vars=TIME, var_name=UNIT, value_name=GAP)
            p = p[[UNIT, TIME, GAP]]
        p = numeric(p, [GAP], kind=kind)
        p[ROLE] = "placebo"
        parts.insert(0, p)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values([ROLE, UNIT, TIME], ascending=[True, True, True], kind="stable")[
        [UNIT, TIME, GAP, ROLE]
    ].reset_index(drop=True)


def synth_gap(
    gap: Any,
    placebos: Any = None,
    *,
    ax: Axes | None = None,
    start: Any = None,
    time_col: str = TIME,
    gap_col: str = GAP,
    unit_col: str = UNIT,
    treated_label: str = "treated",
    ylabel: str = "Gap (treated minus synthetic)",
    title: str | None = None,
) -> tuple[Figure, Axes]:
    """Synthetic-control gap: the treated unit's gap in black over placebo gaps in grey,
    a vertical line at the treatment start. Draws exactly :func:`synth_gap_data` (one
    line per unit)."""
    _, _, res_start = _synth_parts(gap, placebos)
    start = start if start is not None else res_start
    d = synth_gap_data(
        gap,
        placebos,
        time_col=time_col,
        gap_col=gap_col,
        unit_col=unit_col,
        treated_label=treated_label,
    )
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, FULL_HEIGHT * 0.85)
        first = True
        for unit, s in d[d[ROLE] == "placebo"].groupby(UNIT, sort=False):
            ax.plot(
                s[TIME],
                s[GAP],
                color=GREY,
                linewidth=0.8,
                alpha=0.7,
                label="placebo units" if first else None,
                gid=f"placebo-{unit}",
            )
            first = False
        t = d[d[ROLE] == "treated"]
        ax.plot(t[TIME], t[GAP], color=BLACK, linewidth=2.2, label=treated_label, gid="treated")
        ax.axhline(0, color=BLACK, linewidth=0.6)
        if start is not None:
            ax.axvline(
                start, color=VERMILLION, linestyle="--", linewidth=1, label="treatment start"
            )
        ax.set_xlabel("Time")
        ax.set_ylabel(ylabel)
        ax.legend(loc="best")
        if title:
            ax.set_title(title)
    return drawn(fig, ax)


# --------------------------------------------------------------------------- forest


def forest_data(
    df: pd.DataFrame, *, label_col: str = LABEL, min_cell: int = MIN_CELL
) -> pd.DataFrame:
    """What :func:`forest` draws: ``label, estimate, ci_low, ci_high, y`` (+ ``n``),
    input order top to bottom."""
    return _rows_top_down(df, label_col, "forest", min_cell)


def forest(
    df: pd.DataFrame,
    *,
    ax: Axes | None = None,
    label_col: str = LABEL,
    null: float = 0.0,
    xlabel: str = "Effect (95% CI)",
    title: str | None = None,
    min_cell: int = MIN_CELL,
) -> tuple[Figure, Axes]:
    """Forest plot of effects by district or group with a line at the null value.
    Draws exactly :func:`forest_data`."""
    d = forest_data(df, label_col=label_col, min_cell=min_cell)
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, max(2.0, 0.32 * len(d) + 1.2))
        ax.axvline(null, color=GREY, linestyle="--", linewidth=1)
        ax.errorbar(d[EST], d[Y], xerr=_ci_err(d), fmt="s", color=BLUE, capsize=2.5, gid="forest")
        sup = d[flag(d)]
        mark_suppressed(ax, [null] * len(sup), sup[Y].tolist(), gid="forest-suppressed")
        ax.set_yticks(d[Y], d[LABEL].astype(str))
        ax.set_xlabel(xlabel)
        ax.grid(axis="x")
        if title:
            ax.set_title(title)
    attach(fig, d)
    return drawn(fig, ax)
