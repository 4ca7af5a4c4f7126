"""Engagement indicators: each defined once as data (:data:`INDICATORS`) and computed
by one function for any grouping.

=========================  ==============================================================
function                   indicator
=========================  ==============================================================
:func:`respondent_scores`  scale score per respondent x wave x scale (formerly
                           ``scale_scores``)
:func:`scale_score`        mean scale score by group, design-based interval
:func:`percent_favorable`  top-two-box share of answered responses
:func:`reach`              share of enrolled families who took part
:func:`representation_index`  group's share of participants over its enrollment share
:func:`retention`          at least k of n sessions; survival across a series
:func:`language_access`    responses and attendances in a language
:func:`p3_ratings`         Priority 3 self-ratings: means, change, modal level
:func:`equity_gap`         difference between groups on any indicator result
:func:`compute_all`        every registered indicator for a set of tables
:func:`response_rate`      respondents over invited (enrolled) families, Wilson interval
:func:`representativeness` respondent shares against population shares per margin
:func:`rake`               survey weights raked to population margins (as R survey::rake)
:func:`family_frame`       the roster's families as a frame of invited families
:func:`family_margins`     the roster's families as raking margins (language, EL)
:func:`convening_feedback` feedback per convening and over the series (Wilson, Newcombe)
:func:`proportion_difference`  difference of two proportions, Newcombe's interval
:func:`goal_progress`      each district's own goal: share of the gap closed, GAS levels
:func:`gas_tscore`         Kiresuk-Sherman goal attainment T-score
=========================  ==============================================================

Every indicator function returns an :class:`IndicatorResult`, a small frozen object
whose ``table`` (``.to_frame()``) is tidy: the grouping columns, ``indicator``,
``estimate, std_error, ci_low, ci_high, n`` and ``suppressed`` (``n < min_cell``; the
estimates are kept, :mod:`cei_metrics.privacy` blanks them on export). The result
carries the method, the grouping, ``min_cell``, ``ci``, ``n_dropped`` and any caveat;
``.summary()`` says them in words. :func:`compute_all` returns an
:class:`IndicatorSet` (a mapping of name to result, ``.to_frame()`` one long frame).
:func:`respondent_scores` returns a plain DataFrame of per-respondent scores (data, not an
estimate).
"""

from __future__ import annotations

from .._lazy import lazy_dir, lazy_getattr

_TABLE = {
    "IndicatorResult": "_result",
    "IndicatorSet": "_result",
    "Indicator": "_spec",
    "INDICATORS": "_spec",
    "registry": "_spec",
    "definition": "_spec",
    "GENERAL_EVENTS": "_spec",
    "wilson_ci": "_stats",
    "grouped_mean": "_stats",
    "grouped_proportion": "_stats",
    "kaplan_meier": "_stats",
    "ratio_interval": "participation",
    "respondent_scores": "scales",
    "score_panel": "scales",
    "scale_score": "scales",
    "percent_favorable": "favorable",
    "DENOMINATOR_RULE": "favorable",
    "school_year_of": "participation",
    "reach": "participation",
    "representation_index": "participation",
    "retention": "participation",
    "ENROLLMENT_SHARE_OF": "participation",
    "SPANISH": "participation",
    "language_access": "language",
    "HOME_LANGUAGE": "language",
    "p3_ratings": "p3",
    "P3_CAVEAT": "p3",
    "equity_gap": "gaps",
    "compute_all": "compute",
    "response_rate": "weights",
    "representativeness": "weights",
    "RepresentativenessResult": "weights",
    "rake": "weights",
    "RakeResult": "weights",
    "trim_weights": "weights",
    "design_effect": "weights",
    "family_frame": "margins",
    "family_margins": "margins",
    "convening_feedback": "feedback",
    "FeedbackResult": "feedback",
    "proportion_difference": "feedback",
    "ProportionDifference": "feedback",
    "newcombe_interval": "feedback",
    "goal_progress": "goals",
    "GoalResult": "goals",
    "gas_level": "goals",
    "gas_tscore": "goals",
    "GAS_LABELS": "goals",
}
__all__ = sorted(_TABLE)
#: names of the previous release, still readable with a FutureWarning
_DEPRECATED = {"ENROLMENT_SHARE_OF": "ENROLLMENT_SHARE_OF", "scale_scores": "respondent_scores"}
__getattr__ = lazy_getattr(__name__, _TABLE, deprecated=_DEPRECATED)
__dir__ = lazy_dir(__name__, _TABLE)
