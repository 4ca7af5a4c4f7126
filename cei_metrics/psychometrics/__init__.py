"""Metric testing: reliability, factor structure, invariance and DIF, responsiveness,
validity against outcomes, and the scorecard that brings them together.

Functions take a wide respondents x items frame (:func:`to_wide` builds one from the
canonical survey table) and return small result objects with ``to_frame()`` and
``summary()``.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

_TABLE = {
    # reliability
    "cronbach_alpha": "reliability",
    "AlphaResult": "reliability",
    "omega": "reliability",
    "OmegaResult": "reliability",
    "item_stats": "reliability",
    "reliability": "reliability",
    "ReliabilityResult": "reliability",
    "moments": "reliability",
    "Moments": "reliability",
    # structure
    "parallel_analysis": "structure",
    "ParallelResult": "structure",
    "efa": "structure",
    "EFAResult": "structure",
    "cfa": "cfa",
    "CFAResult": "cfa",
    "parse_model": "cfa",
    "invariance": "invariance",
    "InvarianceResult": "invariance",
    "dif": "dif",
    "DIFResult": "dif",
    # change and validity
    "responsiveness": "responsiveness",
    "ResponsivenessResult": "responsiveness",
    "validity": "validity",
    "ValidityResult": "validity",
    # scorecard and helpers
    "scorecard": "scorecard",
    "scorecard_from_survey": "scorecard",
    "ScorecardResult": "scorecard",
    "DEFAULT_THRESHOLDS": "scorecard",
    "to_wide": "wide",
}
__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_TABLE))
