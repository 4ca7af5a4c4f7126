"""Figures of convening feedback and of each district's own goal.

=============================  ==============================================================
function                       what it draws
=============================  ==============================================================
:func:`feedback_trend`         share favorable at each convening of the series, one line per
                               scale, Wilson intervals, the pooled share of the series dashed
:func:`goal_progress`          small multiples, one panel per district goal: the values by
                               period, baseline and target lines, each point coloured by its
                               goal attainment level
=============================  ==============================================================

Each draws exactly its ``*_data`` twin, released (rows resting on fewer than ``min_cell``
people blanked and marked "n<11").
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import SchemaError
from ..privacy._rules import MIN_CELL
from ..schemas import C
from ._released import attach, flag, mark_suppressed, released
from ._theme import (
    BLUE,
    FULL_WIDTH,
    GREEN,
    GREY,
    ORANGE,
    SKY,
    VERMILLION,
    new_axes,
    new_grid,
    themed,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["feedback_trend", "feedback_trend_data", "goal_progress", "goal_progress_data"]

EST, LO, HI, N = "estimate", "ci_low", "ci_high", "n"
SCALE, PART, X, LABEL = "scale", "part", "x", "label"
VALUE_LOW, VALUE_HIGH = "value_low", "value_high"
SHARE, COUNT = "share", "count"
#: colour of each goal attainment level (colour-blind safe, Okabe-Ito)
GAS_COLORS = {-2: VERMILLION, -1: ORANGE, 0: SKY, 1: BLUE, 2: GREEN}


def _frame(obj: Any, attr: str) -> pd.DataFrame:
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        return obj
    got = getattr(obj, attr, None)
    if isinstance(got, pd.DataFrame):
        return got
    raise SchemaError(
        f"expected a result with .{attr} or a DataFrame, got {type(obj).__name__}",
        fix="pass the result of cm.indicators.convening_feedback / goal_progress",
    )


# ------------------------------------------------------------------- convening feedback


def feedback_trend_data(res: Any, *, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """What :func:`feedback_trend` draws: one row per convening x scale (``part`` =
    "convening", ``x`` its order) and one per scale for the pooled series (``part`` =
    "series"): ``scale, event_id, estimate, ci_low, ci_high, n``; released."""
    import numpy as np
    import pandas as pd

    per = _frame(res, "per_event")
    need = [C.WAVE, C.EVENT_ID, SCALE, EST, LO, HI, N]
    missing = [c for c in need if c not in per.columns]
    if missing:
        raise SchemaError(
            f"feedback_trend: the data lack {missing}",
            column=missing[0],
            fix="pass the result of cm.indicators.convening_feedback",
        )
    a = per[need].copy()
    a[PART] = "convening"
    a[X] = a[C.WAVE].astype(float)
    parts = [a]
    series = getattr(res, "series", None)
    if isinstance(series, pd.DataFrame) and len(series):
        s = series[[SCALE, EST, LO, HI, N]].copy()
        s[PART] = "series"
        s[C.EVENT_ID] = "all"
        s[C.WAVE] = np.nan
        s[X] = np.nan
        parts.append(s)
    out = pd.concat(parts, ignore_index=True)[[PART, SCALE, C.WAVE, C.EVENT_ID, X, EST, LO, HI, N]]
    out[SCALE] = out[SCALE].astype(str)
    return released(out, kind="feedback_trend", min_cell=min_cell, keys=[PART, SCALE, C.EVENT_ID])


def feedback_trend(
    res: Any,
    *,
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    min_cell: int = MIN_CELL,
) -> tuple[Figure, Axes]:
    """Share favorable at each convening, one line per scale with Wilson intervals, the
    pooled share of the series as a dashed line of the same colour. Draws
    :func:`feedback_trend_data`; a suppressed convening is an empty marker "n<11".

    ``labels`` maps scale ids to the words shown (e.g. the instrument's scale labels).
    """
    import numpy as np
    from matplotlib.ticker import PercentFormatter

    d = feedback_trend_data(res, min_cell=min_cell)
    conv = d[d[PART] == "convening"]
    ticks = conv.drop_duplicates(X).sort_values(X)
    colors = [BLUE, ORANGE, GREEN, VERMILLION]
    with themed():
        fig, ax = new_axes(ax, FULL_WIDTH, 3.4)
        for i, sc in enumerate(dict.fromkeys(d[SCALE])):
            c = colors[i % len(colors)]
            s = conv[conv[SCALE] == sc].sort_values(X)
            lab = (labels or {}).get(sc, sc)
            err = np.nan_to_num(
                np.vstack([(s[EST] - s[LO]).clip(lower=0), (s[HI] - s[EST]).clip(lower=0)])
            )
            ax.errorbar(s[X] + (i - 0.5) * 0.08, s[EST], yerr=err, fmt="-o", color=c,
                        capsize=2.5, markersize=4, label=lab, gid=f"feedback-{i}")  # fmt: skip
            sup = s[flag(s)]
            mark_suppressed(ax, sup[X].tolist(), [0.02] * len(sup), gid=f"feedback-{i}-suppressed")
            pooled = d[(d[PART] == "series") & (d[SCALE] == sc)]
            if len(pooled) and pooled[EST].notna().all():
                ax.axhline(float(pooled[EST].iat[0]), color=c, linestyle="--", linewidth=1,
                           gid=f"feedback-{i}-series")  # fmt: skip
        ax.set_xticks(ticks[X], [str(e) for e in ticks[C.EVENT_ID]], rotation=30, ha="right")
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel("Agree or strongly agree")
        ax.set_xlabel("Convening (dashed: the whole series)")
        ax.grid(axis="y")
        ax.legend(fontsize=8, loc="lower right")
        if title:
            ax.set_title(title)
    attach(fig, d)
    return fig, ax


# ------------------------------------------------------------------------ district goals


def goal_progress_data(
    res: Any, *, names: Mapping[str, str] | None = None, min_cell: int = MIN_CELL
) -> pd.DataFrame:
    """What :func:`goal_progress` draws: one row per district goal x period (the
    baseline period first, ``part`` = "baseline"), ``label`` (district and measure),
    ``x`` (the period's position), ``value`` with ``value_low, value_high`` (the
    interval of a share of ``n`` people, in the measure's unit), ``baseline``,
    ``target``, ``gas_level``, ``n``; ``count`` repeats a value that is itself a number
    of people and ``share`` one that is a share of ``n`` people, so that the release
    blanks small counts and counts hidden in shares. A baseline that counts fewer than
    ``min_cell`` people is not drawn."""
    import numpy as np
    import pandas as pd

    from ..indicators.goals import _order

    t = _frame(res, "table")
    need = [C.DISTRICT_ID, C.GOAL_ID, C.MEASURE, C.MEASURE_UNIT, C.PERIOD, C.BASELINE_PERIOD,
            C.BASELINE, C.TARGET, C.VALUE, C.GAS_LEVEL]  # fmt: skip
    missing = [c for c in need if c not in t.columns]
    if missing:
        raise SchemaError(
            f"goal_progress: the data lack {missing}",
            column=missing[0],
            fix="pass the result of cm.indicators.goal_progress",
        )
    rows = []
    for (d, g), grp in t.groupby([C.DISTRICT_ID, C.GOAL_ID], sort=False):
        first = grp.iloc[0]
        unit = str(first[C.MEASURE_UNIT])
        base = float(first[C.BASELINE])
        if unit == "count" and 0 < base < min_cell:
            base = np.nan
        name = (names or {}).get(str(d), str(d))
        label = f"{name}: {first[C.MEASURE]}"
        gap = float(first[C.TARGET]) - float(first[C.BASELINE])
        rows.append(
            {
                LABEL: label,
                C.DISTRICT_ID: d,
                C.GOAL_ID: g,
                PART: "baseline",
                C.PERIOD: str(first[C.BASELINE_PERIOD]),
                C.VALUE: base,
                VALUE_LOW: np.nan,
                VALUE_HIGH: np.nan,
                C.BASELINE: base,
                C.TARGET: float(first[C.TARGET]),
                C.GAS_LEVEL: np.nan,
                N: np.nan,
                C.MEASURE_UNIT: unit,
            }
        )
        for _, r in grp.iterrows():
            lo = r.get(LO, np.nan)
            hi = r.get(HI, np.nan)
            rows.append(
                {
                    LABEL: label,
                    C.DISTRICT_ID: d,
                    C.GOAL_ID: g,
                    PART: "value",
                    C.PERIOD: str(r[C.PERIOD]),
                    C.VALUE: float(r[C.VALUE]),
                    VALUE_LOW: float(first[C.BASELINE]) + lo * gap if lo == lo else np.nan,
                    VALUE_HIGH: float(first[C.BASELINE]) + hi * gap if hi == hi else np.nan,
                    C.BASELINE: base,
                    C.TARGET: float(first[C.TARGET]),
                    C.GAS_LEVEL: r[C.GAS_LEVEL],
                    N: r.get(N, np.nan),
                    C.MEASURE_UNIT: unit,
                }
            )
    out = pd.DataFrame(rows)
    lo_hi = out[[VALUE_LOW, VALUE_HIGH]]
    out[VALUE_LOW], out[VALUE_HIGH] = lo_hi.min(axis=1), lo_hi.max(axis=1)
    unit = out[C.MEASURE_UNIT]
    is_share = unit.isin(["percent", "proportion"]) & out[N].notna()
    out[SHARE] = np.where(is_share, out[C.VALUE] / np.where(unit == "percent", 100.0, 1.0), np.nan)
    out[COUNT] = np.where((unit == "count") & (out[PART] == "value"), out[C.VALUE], np.nan)
    periods = pd.Series(sorted(set(out[C.PERIOD]), key=lambda p: _order(pd.Series([p])).iat[0]))
    out[X] = out[C.PERIOD].map({p: float(i) for i, p in enumerate(periods)})
    out = out.drop(columns=[C.MEASURE_UNIT])
    return released(
        out,
        kind="goal_progress",
        min_cell=min_cell,
        keys=[LABEL, PART, C.PERIOD],
        share_cols=[SHARE],
    )


def goal_progress(
    res: Any,
    *,
    ax: Any = None,
    names: Mapping[str, str] | None = None,
    ncols: int = 2,
    title: str | None = None,
    min_cell: int = MIN_CELL,
) -> tuple[Figure, Any]:
    """Small multiples of each district's own goal: one panel per goal, the measured
    values by period (points coloured by goal attainment level, -2 vermillion to +2
    green, with the interval of a share of people), the baseline (dotted, hollow
    point) and the target (dashed). Draws :func:`goal_progress_data`; a value resting
    on fewer than ``min_cell`` people is an empty marker "n<11".

    With ``ax=None`` a grid of panels is made and ``(fig, axes)`` returned; ``names`` maps
    district ids to the names shown.
    """
    import numpy as np

    d = goal_progress_data(res, names=names, min_cell=min_cell)
    labels = list(dict.fromkeys(d[LABEL]))
    with themed():
        if ax is None:
            nc = max(1, min(ncols, len(labels)))
            nr = math.ceil(len(labels) / nc)
            fig, axes = new_grid(nr, nc, FULL_WIDTH, 2.2 * nr + 0.8, sharex=True)
            flat = list(np.ravel(axes))
            for a in flat[len(labels) :]:
                a.set_visible(False)
            ret = axes
        else:
            flat = list(np.ravel(ax))
            if len(flat) < len(labels):
                raise SchemaError(
                    f"goal_progress: {len(labels)} goals but {len(flat)} axes given",
                    fix="pass one axes per goal, or none",
                )
            fig, ret = flat[0].figure, ax
        xs = d.drop_duplicates(X).sort_values(X)
        for i, lab in enumerate(labels):
            a = flat[i]
            s = d[d[LABEL] == lab].sort_values(X)
            v = s[s[PART] == "value"]
            b = s[s[PART] == "baseline"]
            tgt = float(s[C.TARGET].dropna().iat[0]) if s[C.TARGET].notna().any() else np.nan
            a.axhline(tgt, color=GREY, linestyle="--", linewidth=1, gid=f"goal-{i}-target")
            if b[C.VALUE].notna().any():
                a.axhline(float(b[C.VALUE].iat[0]), color=GREY, linestyle=":", linewidth=1,
                          gid=f"goal-{i}-baseline")  # fmt: skip
                a.plot(b[X], b[C.VALUE], "o", mfc="white", mec=GREY, gid=f"goal-{i}-base")
            a.plot(v[X], v[C.VALUE], "-", color=GREY, linewidth=1, gid=f"goal-{i}-line")
            for lvl, col in GAS_COLORS.items():
                p = v[v[C.GAS_LEVEL] == lvl]
                if len(p):
                    err = np.nan_to_num(
                        np.vstack(
                            [
                                (p[C.VALUE] - p[VALUE_LOW]).clip(lower=0),
                                (p[VALUE_HIGH] - p[C.VALUE]).clip(lower=0),
                            ]
                        )
                    )
                    a.errorbar(p[X], p[C.VALUE], yerr=err, fmt="o", color=col, capsize=2,
                               markersize=5, gid=f"goal-{i}-level{lvl:+d}")  # fmt: skip
            sup = v[flag(v)]
            y0 = tgt if tgt == tgt else 0.0
            mark_suppressed(a, sup[X].tolist(), [y0] * len(sup), gid=f"goal-{i}-suppressed")
            a.set_title(textwrap.fill(str(lab), 48), fontsize=8)
            a.set_xticks(xs[X], [str(p) for p in xs[C.PERIOD]], rotation=30, ha="right")
            a.grid(axis="y")
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], marker="o", linestyle="", color=c, label=f"{k:+d}")
            for k, c in GAS_COLORS.items()
        ]
        handles += [
            Line2D([], [], color=GREY, linestyle="--", label="target"),
            Line2D([], [], color=GREY, linestyle=":", label="baseline"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=7, fontsize=7,
                   title="goal attainment level", title_fontsize=7)  # fmt: skip
        if title:
            fig.suptitle(title)
    attach(fig, d)
    return fig, ret
