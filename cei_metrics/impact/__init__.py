"""Impact estimators: effect sizes, difference-in-differences (2x2, TWFE, staggered
ATT(g,t)), event studies, synthetic control and synthetic DiD, comparative interrupted
time series, multilevel (mixed) models, and inference that holds with few treated
districts."""

from __future__ import annotations

from .._lazy import lazy_getattr

_TABLE = {
    # effect sizes and difference-in-differences
    "effect_size": "effect_size",
    "EffectSizeResult": "effect_size",
    "did_2x2": "did",
    "twfe": "did",
    "DiDResult": "did",
    "bacon_decomposition": "bacon",
    "BaconResult": "bacon",
    "att_gt": "att_gt",
    "ATTResult": "att_gt",
    "event_study": "event_study",
    "pretrend_test": "event_study",
    # synthetic control and friends
    "synthetic_control": "synth",
    "SynthResult": "synth",
    "synthdid": "sdid",
    "SDIDResult": "sdid",
    # time series and multilevel models
    "interrupted_time_series": "its",
    "ITSResult": "its",
    "multilevel": "multilevel",
    "MultilevelResult": "multilevel",
    # inference and helpers
    "wild_cluster_bootstrap": "inference",
    "randomization_inference": "inference",
    "adjust_pvalues": "multiple",
    "minimum_detectable_effect": "power",
    "power": "power",
    "flag_disrupted": "disrupted",
    "outcome_panel": "panel",
}
__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)
