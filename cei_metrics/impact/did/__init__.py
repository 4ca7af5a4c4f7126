"""Difference in differences: the 2x2 and two-way fixed-effects regressions
(:mod:`.regression`), the Goodman-Bacon decomposition (:mod:`.bacon`), group-time ATTs
for staggered adoption (:mod:`.staggered`) and event studies with the pre-trend test
(:mod:`.dynamic`)."""

from __future__ import annotations

from ..._lazy import lazy_dir, lazy_getattr

_TABLE = {
    "did_2x2": "regression",
    "twfe": "regression",
    "DiDResult": "regression",
    "demean_two_way": "regression",
    "bacon_decomposition": "bacon",
    "BaconResult": "bacon",
    "att_gt": "staggered",
    "ATTResult": "staggered",
    "ATTAggregate": "staggered",
    "event_study": "dynamic",
    "pretrend_test": "dynamic",
    "PretrendResult": "_wald",
}
__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)
__dir__ = lazy_dir(__name__, _TABLE)
