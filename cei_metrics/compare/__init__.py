"""Comparisons: districts like this (peers), benchmarks, and criteria for selecting teams.

=============================  ============================================================
function                       what it does
=============================  ============================================================
:func:`lea_features`           one row per LEA of the characteristics peers are matched on
:func:`group_shares`           size and EL / SED shares from an indicator's denominators
:func:`find_peers`             the k nearest LEAs on standardised features (PeerResult)
:func:`comparison_group`       peer codes for a set of treated LEAs (comparison units)
:func:`benchmark`              an LEA's value vs its peers' median and IQR and the state
:func:`narrative_practices`    engagement practices named in the public narratives
:func:`need_components`        raw need components per LEA
:func:`readiness_components`   raw readiness components per LEA
:func:`selection_indices`      need and readiness indices, ranked within LEA type
:func:`rank_stability`         Kendall's tau and top-k overlap under re-drawn weights
:func:`code_narratives`        a codebook applied to each kind of Priority 3 prompt
:func:`practice_shares`        share of LEAs naming each practice by type and size (Wilson)
:func:`practice_association`   ratings and their change, LEAs naming a practice vs not
:func:`size_bands`             terciles of a size measure
=============================  ============================================================

Figures: :func:`cei_metrics.viz.peer_benchmark` and :func:`cei_metrics.viz.need_readiness`.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

_TABLE = {
    "lea_features": "peers",
    "group_shares": "peers",
    "find_peers": "peers",
    "comparison_group": "peers",
    "PeerResult": "peers",
    "DEFAULT_PEER_WEIGHTS": "peers",
    "benchmark": "benchmarking",
    "BenchmarkResult": "benchmarking",
    "percentile_rank": "benchmarking",
    "narrative_practices": "selection",
    "need_components": "selection",
    "readiness_components": "selection",
    "selection_indices": "selection",
    "rank_stability": "selection",
    "SelectionResult": "selection",
    "SensitivityResult": "selection",
    "PRACTICES": "selection",
    "NEED_WEIGHTS": "selection",
    "READINESS_WEIGHTS": "selection",
    "NEED_DIRECTIONS": "selection",
    "READINESS_DIRECTIONS": "selection",
    "code_narratives": "practices",
    "practice_shares": "practices",
    "practice_association": "practices",
    "PracticeAssociation": "practices",
    "prompt_kind": "practices",
    "PROMPT_KINDS": "practices",
    "size_bands": "practices",
}
__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_TABLE))
