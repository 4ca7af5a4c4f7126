"""The one drawing path of result objects: which figure function draws which result.

A result's ``plot()`` (:class:`cei_metrics._results.PlotMixin`) looks its class up in
the registry of :mod:`cei_metrics._results`, which loads this module by name on first
use, so that analysis modules never import :mod:`cei_metrics.viz`. Each entry takes the
result, reads its ``plot_data()`` and calls a figure function of :mod:`.figures` or
:mod:`.impact_figures`; those draw inside the house theme as a context, never changing
matplotlib's global settings.
"""

from __future__ import annotations

from typing import Any

from .._api import check_choice
from .._results import register_figure
from ..schemas import C
from .compare import need_readiness, peer_benchmark
from .figures import event_study, forest, scorecard_heatmap, synth_gap
from .impact_figures import bacon_scatter, its_segments, synth_paths
from .voices import feedback_trend, goal_progress

__all__: list[str] = []


@register_figure("ATTAggregate")
def _att_aggregate(res: Any, *, ax: Any = None, **kwargs: Any):
    """Dynamic aggregation: event study (pointwise intervals as error bars, the uniform
    band shaded and labelled); by cohort or period: a forest of the effects."""
    d = res.plot_data()
    if res.how == "dynamic":
        return event_study(d, ax=ax, **kwargs)
    key = d.columns[0]
    kwargs.setdefault("xlabel", f"ATT ({res.ci_level:.0%} pointwise CI)")
    d = d.assign(**{C.LABEL: [f"{key} {v}" for v in d[key]]})
    return forest(d, ax=ax, **kwargs)


@register_figure("ATTResult")
def _att_result(res: Any, *, ax: Any = None, **kwargs: Any):
    """The event study of the dynamic aggregation."""
    return _att_aggregate(res.aggregate("dynamic"), ax=ax, **kwargs)


@register_figure("SynthResult")
def _synth(res: Any, kind: str = "paths", *, ax: Any = None, **kwargs: Any):
    """``kind="paths"``: treated vs synthetic; ``"gaps"``: the gap over placebo gaps."""
    check_choice("kind", kind, ("paths", "gaps"))
    if kind == "paths":
        return synth_paths(res.plot_data("paths"), start=res.start, ylabel=res.y, ax=ax, **kwargs)
    return synth_gap(res, ax=ax, **kwargs)


@register_figure("SDIDResult")
def _sdid(res: Any, *, ax: Any = None, **kwargs: Any):
    """Treated mean and its synthetic comparison (shifted by the SDID intercept)."""
    return synth_paths(res.plot_data(), start=res.start, ylabel=res.y, ax=ax, **kwargs)


@register_figure("ITSResult")
def _its(res: Any, *, ax: Any = None, **kwargs: Any):
    """Observed points, fitted segments and the counterfactual."""
    return its_segments(
        res.plot_data(),
        start=res.start,
        ylabel=res.y,
        comparative=res.design == "comparative",
        ax=ax,
        **kwargs,
    )


@register_figure("BaconResult")
def _bacon(res: Any, *, ax: Any = None, **kwargs: Any):
    """Each 2x2 estimate against its weight, the TWFE coefficient across."""
    return bacon_scatter(res.plot_data(), twfe=res.twfe, ax=ax, **kwargs)


@register_figure("ScorecardResult")
def _scorecard(res: Any, *, ax: Any = None, **kwargs: Any):
    """Metric x criterion verdicts."""
    return scorecard_heatmap(res.plot_data(), ax=ax, **kwargs)


@register_figure("BenchmarkResult")
def _benchmark(res: Any, *, ax: Any = None, **kwargs: Any):
    """Dot (the LEA) in band (its peers' interquartile range), peer median, state."""
    return peer_benchmark(res, ax=ax, **kwargs)


@register_figure("SelectionResult")
def _selection(res: Any, *, ax: Any = None, **kwargs: Any):
    """Need by readiness of every LEA of a type, with the type's medians."""
    return need_readiness(res, ax=ax, **kwargs)


@register_figure("FeedbackResult")
def _feedback(res: Any, *, ax: Any = None, **kwargs: Any):
    """Share favorable at each convening, by scale, with the series pooled."""
    return feedback_trend(res, ax=ax, **kwargs)


@register_figure("GoalResult")
def _goals(res: Any, *, ax: Any = None, **kwargs: Any):
    """One panel per district goal: values, baseline, target, attainment levels."""
    return goal_progress(res, ax=ax, **kwargs)


@register_figure("PracticeAssociation")
def _practices(res: Any, outcome: str = "change", *, ax: Any = None, **kwargs: Any):
    """Difference in mean self-rating (or its change), LEAs naming a practice minus the
    others, one row per practice."""
    what = "change in mean self-rating" if outcome == "change" else "mean self-rating"
    kwargs.setdefault("xlabel", f"Difference in {what}, naming minus not ({res.ci_level:.0%} CI)")
    return forest(res.plot_data(outcome), ax=ax, **kwargs)
