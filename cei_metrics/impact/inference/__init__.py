"""Inference that holds with few treated districts: the wild cluster bootstrap
(:mod:`.wild`) and randomization inference (:mod:`.randomization`); multiple-testing
adjustment (:mod:`.multiple`) and power (:mod:`.power_analysis`)."""

from __future__ import annotations

from ..._lazy import lazy_dir, lazy_getattr

_TABLE = {
    "wild_cluster_bootstrap": "wild",
    "WildBootstrapResult": "wild",
    "randomization_inference": "randomization",
    "RandomizationResult": "randomization",
    "adjust_pvalues": "multiple",
    "minimum_detectable_effect": "power_analysis",
    "power": "power_analysis",
}
__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)
__dir__ = lazy_dir(__name__, _TABLE)
