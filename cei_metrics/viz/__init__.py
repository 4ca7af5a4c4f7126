"""Figures: one house theme, one function per figure kind, export with sidecars.

Every plotting function takes ``ax=None`` and returns ``(fig, ax)``; its ``*_data`` twin
returns exactly the frame it draws. :func:`save` writes PNG/SVG/PDF, the data as CSV
(small cells suppressed) and a JSON sidecar with caption, alt text and provenance.

===========================  ===============================================================
function                     what it draws
===========================  ===============================================================
:func:`likert_bars`          diverging stacked bars of Likert items, neutral centred
:func:`scale_trends`         scale scores by year with CIs, one panel per district
:func:`parity_dots`          representation ratios with CIs, a line at parity (1)
:func:`retention_curve`      share attending across sessions, by group
:func:`p3_heatmap`           Priority 3 self-ratings by section and year
:func:`scorecard_heatmap`    metric x criterion verdicts
:func:`event_study`          dynamic effects with pointwise CIs and uniform bands
:func:`synth_gap`            synthetic-control gap over placebo gaps
:func:`forest`               effects by district or group with CIs
:func:`dashboard_grid`       California School Dashboard status x change grid
:func:`peer_benchmark`       an LEA's value in its peers' interquartile band, with the state
:func:`need_readiness`       need by readiness of every LEA of a type (selection criteria)
:func:`synth_paths`          treated unit and its synthetic comparison over time
:func:`its_segments`         interrupted time series: points, segments, counterfactual
:func:`bacon_scatter`        Goodman-Bacon 2x2 estimates against their weights
:func:`feedback_trend`       share favorable at each convening of a series, by scale
:func:`goal_progress`        small multiples of each district's own goal, GAS levels coloured
===========================  ===============================================================

Result objects with a figure (``ATTResult``, ``ATTAggregate``, ``SynthResult``,
``SDIDResult``, ``ITSResult``, ``BaconResult``, ``ScorecardResult``, ``FeedbackResult``,
``GoalResult``) draw it with
``res.plot(ax=None)``: every such call goes through one registry (:mod:`._registry`),
which reads the result's ``plot_data()`` and calls the functions above inside the house
theme (a context: matplotlib's global settings are never changed).

The library draws on Agg-backed figures and never calls ``plt.show()``.
"""

from __future__ import annotations

from .._lazy import lazy_dir, lazy_getattr

_TABLE = {
    # theme
    "set_theme": "_theme",
    "theme_rc": "_theme",
    "FULL_WIDTH": "_theme",
    "HALF_WIDTH": "_theme",
    "FULL_HEIGHT": "_theme",
    "HALF_HEIGHT": "_theme",
    "TALL_HEIGHT": "_theme",
    "FONT_SIZE": "_theme",
    "OKABE_ITO": "_theme",
    # export
    "save": "export",
    "coverage_heatmap": "coverage",
    "coverage_heatmap_data": "coverage",
    "SavedFigure": "export",
    "MIME_FIGURE": "export",
    "Drawn": "_theme",
    "p3_color_range": "figures",
    "STAMP": "export",
    # dashboard
    "dashboard_grid": "dashboard",
    "dashboard_grid_data": "dashboard",
    "dashboard_levels": "dashboard",
    "get_grid": "dashboard",
    "DashboardGrid": "dashboard",
    "DASHBOARD_GRIDS": "dashboard",
    "DASHBOARD_COLORS": "dashboard",
    # comparisons
    "peer_benchmark": "compare",
    "peer_benchmark_data": "compare",
    "need_readiness": "compare",
    "need_readiness_data": "compare",
    # figures of impact results (also what their .plot() draws)
    "synth_paths": "impact_figures",
    "its_segments": "impact_figures",
    "bacon_scatter": "impact_figures",
    # convening feedback and district goals
    "feedback_trend": "voices",
    "feedback_trend_data": "voices",
    "goal_progress": "voices",
    "goal_progress_data": "voices",
}
for _name in (
    "likert_bars",
    "scale_trends",
    "parity_dots",
    "retention_curve",
    "p3_heatmap",
    "scorecard_heatmap",
    "event_study",
    "synth_gap",
    "forest",
):
    _TABLE[_name] = "figures"
    _TABLE[f"{_name}_data"] = "figures"
del _name

__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)
__dir__ = lazy_dir(__name__, _TABLE)
