"""Impact estimators, by family:

=====================  ======================================================================
subpackage / module    what it holds
=====================  ======================================================================
:mod:`.did`            difference in differences: 2x2, two-way fixed effects, the
                       Goodman-Bacon decomposition, staggered ATT(g,t), event studies
:mod:`.synth`          synthetic control and synthetic difference in differences
:mod:`.inference`      inference that holds with few treated districts (wild cluster
                       bootstrap, randomization inference), multiple testing, power
:mod:`.its`            comparative interrupted time series
:mod:`.mixed`          multilevel (mixed) models
:mod:`.effect_sizes`   standardized mean differences
=====================  ======================================================================

Every estimator takes the same argument names (``df, y, unit, time, cohort, treated,
covariates, cluster, weights, ci, seed, exclude_years``) and returns a frozen result
following one protocol (:mod:`cei_metrics._results`); ``did_2x2``, ``twfe``,
``interrupted_time_series`` and ``att_gt`` results take other standard errors after the
fit with ``res.with_inference(...)``.
"""

from __future__ import annotations

from .._lazy import lazy_dir, lazy_getattr

_SUBMODULES = ("did", "synth", "inference", "its", "mixed", "effect_sizes")

_TABLE = {
    # effect sizes
    "effect_size": "effect_sizes",
    "EffectSizeResult": "effect_sizes",
    # difference in differences
    "did_2x2": "did.regression",
    "twfe": "did.regression",
    "DiDResult": "did.regression",
    "bacon_decomposition": "did.bacon",
    "BaconResult": "did.bacon",
    "att_gt": "did.staggered",
    "ATTResult": "did.staggered",
    "ATTAggregate": "did.staggered",
    "event_study": "did.dynamic",
    "pretrend_test": "did.dynamic",
    "PretrendResult": "did._wald",
    # synthetic control and friends
    "synthetic_control": "synth.control",
    "SynthResult": "synth.control",
    "synthdid": "synth.sdid",
    "SDIDResult": "synth.sdid",
    # time series and multilevel models
    "interrupted_time_series": "its",
    "ITSResult": "its",
    "multilevel": "mixed",
    "MultilevelResult": "mixed",
    # inference and helpers
    "wild_cluster_bootstrap": "inference.wild",
    "WildBootstrapResult": "inference.wild",
    "randomization_inference": "inference.randomization",
    "RandomizationResult": "inference.randomization",
    "adjust_pvalues": "inference.multiple",
    "minimum_detectable_effect": "inference.power_analysis",
    "power": "inference.power_analysis",
    "flag_disrupted": "disrupted",
    "DisruptedNote": "disrupted",
    "outcome_panel": "panel",
}
__all__ = sorted([*_TABLE, *_SUBMODULES])
__getattr__ = lazy_getattr(__name__, _TABLE, submodules=_SUBMODULES)
__dir__ = lazy_dir(__name__, _TABLE, submodules=_SUBMODULES)
