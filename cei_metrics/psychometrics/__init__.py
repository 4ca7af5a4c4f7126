"""Metric testing: reliability, factor structure, invariance and DIF, responsiveness,
validity against outcomes, and the scorecard that brings them together.

Functions take a wide respondents x items frame (:func:`to_wide` builds one from the
canonical survey table) and return small result objects with ``to_frame()`` and
``summary()``.
"""

from __future__ import annotations

from .._lazy import lazy_dir, lazy_getattr

_TABLE = {
    # reliability
    "cronbach_alpha": "consistency",
    "AlphaResult": "consistency",
    "omega": "consistency",
    "OmegaResult": "consistency",
    "item_stats": "consistency",
    "reliability": "consistency",
    "ReliabilityResult": "consistency",
    "moments": "consistency",
    "Moments": "consistency",
    # structure
    "parallel_analysis": "structure",
    "ParallelResult": "structure",
    "efa": "structure",
    "EFAResult": "structure",
    "cfa": "confirmatory",
    "CFAResult": "confirmatory",
    "parse_model": "confirmatory",
    "invariance": "multigroup",
    "InvarianceResult": "multigroup",
    "dif": "item_bias",
    "DIFResult": "item_bias",
    # change and validity
    "responsiveness": "change",
    "ResponsivenessResult": "change",
    "validity": "criterion",
    "ValidityResult": "criterion",
    # scorecard and helpers
    "scorecard": "verdicts",
    "scorecard_from_survey": "verdicts",
    "ScorecardResult": "verdicts",
    "DEFAULT_THRESHOLDS": "verdicts",
    "to_wide": "wide",
}
__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)
__dir__ = lazy_dir(__name__, _TABLE)
