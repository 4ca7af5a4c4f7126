"""Accent- and case-insensitive text (the folding lives in :mod:`cei_metrics.io._fold`,
below the analysis layers, because ingest scrubs free text as it reads it)."""

from __future__ import annotations

from ..io._fold import fold, fold_with_map, normalize_text, span_in_original

__all__ = ["fold", "fold_with_map", "normalize_text", "span_in_original"]
